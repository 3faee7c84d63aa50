import numpy as np
import pytest
import torch

import torchkeras as tk

pytestmark = pytest.mark.keras_oracle


def _batches(rng, shape, weights=(None, "rank1", "full"), logits=False):
    out = []
    for w in weights:
        y_true = rng.integers(0, 2, shape).astype("float32")
        # Scores that depend on the label, so the curves are not trivial.
        y_pred = np.clip(0.35 * y_true + rng.uniform(0, 0.65, shape), 0, 1).astype("float32")
        if logits:
            y_pred = rng.normal(size=shape).astype("float32") + 1.5 * y_true
        if w is None:
            sw = None
        elif w == "rank1":
            sw = rng.uniform(0, 2, size=shape[0]).astype("float32")
        else:
            sw = rng.uniform(0, 2, size=shape).astype("float32")
        out.append((y_true, y_pred, sw))
    return out


CONFIGS = [
    {},
    {"num_thresholds": 3},
    {"num_thresholds": 50, "curve": "PR"},
    {"curve": "PR", "summation_method": "minoring"},
    {"curve": "PR", "summation_method": "majoring"},
    {"curve": "ROC", "summation_method": "minoring"},
    {"curve": "ROC", "summation_method": "majoring", "num_thresholds": 17},
    {"curve": "PRGAIN"},
    {"curve": "PRGAIN", "summation_method": "minoring"},
    {"thresholds": [0.1, 0.45, 0.3, 0.8]},
    {"thresholds": [0.25, 0.5, 0.75]},          # evenly spread: bucketed path
    {"thresholds": [0.2, 0.6], "curve": "PR"},
    {"label_weights": [0.2, 1.0, 0.5]},
]


@pytest.mark.parametrize("kwargs", CONFIGS, ids=[str(c) for c in CONFIGS])
def test_matches_keras(kwargs, keras, rng, against_keras):
    ours, ref = tk.metrics.AUC(**kwargs), keras.metrics.AUC(**kwargs)
    ours_cfg, ref_cfg = ours.get_config(), ref.get_config()
    ours_cfg.pop("name"), ref_cfg.pop("name")
    if kwargs.get("label_weights") is not None:
        ref_cfg["label_weights"] = keras.ops.convert_to_numpy(ref_cfg["label_weights"]).tolist()
        np.testing.assert_allclose(ours_cfg.pop("label_weights"), ref_cfg.pop("label_weights"))
    assert ours_cfg == ref_cfg
    np.testing.assert_allclose(ours.thresholds, ref.thresholds, rtol=1e-12)
    against_keras(ours, ref, _batches(rng, (20, 3)))


@pytest.mark.parametrize("kwargs", [
    {"multi_label": True},
    {"multi_label": True, "num_labels": 3, "curve": "PR"},
    {"multi_label": True, "label_weights": [1.0, 0.1, 0.4], "num_thresholds": 31},
    {"multi_label": True, "thresholds": [0.3, 0.7, 0.1], "curve": "PR", "summation_method": "majoring"},
    {"multi_label": True, "num_labels": 3, "curve": "PRGAIN"},
])
def test_multi_label_matches_keras(kwargs, keras, rng, against_keras):
    ours, ref = tk.metrics.AUC(**kwargs), keras.metrics.AUC(**kwargs)
    against_keras(ours, ref, _batches(rng, (24, 3)))


def test_from_logits_matches_keras(keras, rng, against_keras):
    ours = tk.metrics.AUC(from_logits=True, num_thresholds=40)
    ref = keras.metrics.AUC(from_logits=True, num_thresholds=40)
    against_keras(ours, ref, _batches(rng, (20,), weights=(None, "rank1"), logits=True))


def test_rank1_and_column_labels(keras, rng, against_keras):
    ours, ref = tk.metrics.AUC(), keras.metrics.AUC()
    batches = _batches(rng, (30,), weights=(None, "rank1"))
    against_keras(ours, ref, [(y[:, None], p, w) for y, p, w in batches])


def test_known_value():
    m = tk.metrics.AUC(num_thresholds=3)
    m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    assert float(m.result()) == pytest.approx(0.75)
    m.reset_state()
    assert float(m.result()) == 0.0


@pytest.mark.parametrize("kwargs,match", [
    ({"num_thresholds": 1}, "num_thresholds"),
    ({"num_thresholds": 0}, "num_thresholds"),
    ({"curve": "roc_auc"}, "curve"),
    ({"curve": "Pr"}, "curve"),
    ({"summation_method": "trapezoid"}, "summation"),
    ({"thresholds": [0.5, 1.5]}, "Threshold"),
    ({"num_labels": 3}, "multi_label"),
])
def test_construction_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        tk.metrics.AUC(**kwargs)


def test_multi_label_needs_rank2():
    m = tk.metrics.AUC(multi_label=True)
    with pytest.raises(ValueError, match="rank 2"):
        m.update_state(np.zeros((2, 2, 2)), np.zeros((2, 2, 2)))


def test_state_moves_with_module():
    m = tk.metrics.AUC(num_thresholds=5, thresholds=None)
    m.update_state([0, 1], [0.2, 0.8])
    m.to(torch.float64)
    assert m.true_positives.dtype == torch.float64
    m.to("meta")
    assert m.device.type == "meta" and m.true_positives.device.type == "meta"
    assert m._table.sorted.device.type == "meta"
