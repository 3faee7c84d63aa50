import numpy as np
import pytest
import torch

import torchkeras as tk

pytestmark = pytest.mark.keras_oracle


def _binary(rng, n=32, shape=None):
    shape = shape or (n,)
    return rng.integers(0, 2, shape).astype("float32"), rng.uniform(size=shape).astype("float32")


def _batches(rng, make, weights=(None, "rank1", "full")):
    out = []
    for w in weights:
        y_true, y_pred = make(rng)
        if w is None:
            sw = None
        elif w == "rank1":
            sw = rng.uniform(0, 2, size=y_true.shape[0]).astype("float32")
        else:
            sw = rng.uniform(0, 2, size=y_true.shape).astype("float32")
        out.append((y_true, y_pred, sw))
    return out


CASES = {
    "TruePositives": lambda m: m.TruePositives(),
    "TruePositives_list": lambda m: m.TruePositives(thresholds=[0.15, 0.5, 0.85]),
    "TruePositives_even": lambda m: m.TruePositives(thresholds=[0.0, 0.25, 0.5, 0.75, 1.0]),
    "FalsePositives": lambda m: m.FalsePositives(thresholds=[0.3, 0.7]),
    "TrueNegatives": lambda m: m.TrueNegatives(thresholds=0.4),
    "FalseNegatives": lambda m: m.FalseNegatives(thresholds=[0.9, 0.1, 0.5]),
    "Precision": lambda m: m.Precision(),
    "Precision_thresholds": lambda m: m.Precision(thresholds=[0.2, 0.6, 0.35]),
    "Precision_even": lambda m: m.Precision(thresholds=[0.0, 0.5, 1.0]),
    "Recall": lambda m: m.Recall(thresholds=0.3),
    "Recall_thresholds": lambda m: m.Recall(thresholds=[0.1, 0.8]),
    "SensitivityAtSpecificity": lambda m: m.SensitivityAtSpecificity(0.6, num_thresholds=50),
    "SpecificityAtSensitivity": lambda m: m.SpecificityAtSensitivity(0.7),
    "PrecisionAtRecall": lambda m: m.PrecisionAtRecall(0.5, num_thresholds=37),
    "RecallAtPrecision": lambda m: m.RecallAtPrecision(0.55, num_thresholds=1),
    "RecallAtPrecision_2": lambda m: m.RecallAtPrecision(0.4, num_thresholds=2),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_keras_flat(case, keras, rng, against_keras):
    ours, ref = CASES[case](tk.metrics), CASES[case](keras.metrics)
    assert ours.get_config().keys() == ref.get_config().keys()
    against_keras(ours, ref, _batches(rng, lambda r: _binary(r, shape=(24, 3))))


@pytest.mark.parametrize("case", ["Precision", "Recall_thresholds", "TruePositives_even",
                                  "SpecificityAtSensitivity"])
def test_matches_keras_rank1_and_n1(case, keras, rng, against_keras):
    ours, ref = CASES[case](tk.metrics), CASES[case](keras.metrics)
    against_keras(ours, ref, _batches(rng, _binary, weights=(None, "rank1")))
    ours, ref = CASES[case](tk.metrics), CASES[case](keras.metrics)
    against_keras(ours, ref, [(y[:, None], p, None) for y, p, _ in _batches(rng, _binary)])


@pytest.mark.parametrize("cls", ["Precision", "Recall"])
@pytest.mark.parametrize("kwargs", [{"top_k": 2}, {"class_id": 1}, {"top_k": 2, "class_id": 3},
                                    {"thresholds": [0.2, 0.5], "top_k": 1}])
def test_precision_recall_top_k_class_id(cls, kwargs, keras, rng, against_keras):
    ours, ref = getattr(tk.metrics, cls)(**kwargs), getattr(keras.metrics, cls)(**kwargs)
    assert ours.get_config() == {**ref.get_config(), "name": ours.name}
    against_keras(ours, ref, _batches(rng, lambda r: _binary(r, shape=(16, 5)),
                                      weights=(None, "rank1")))


@pytest.mark.parametrize("cls", ["SensitivityAtSpecificity", "PrecisionAtRecall"])
def test_sensitivity_family_class_id(cls, keras, rng, against_keras):
    ours = getattr(tk.metrics, cls)(0.5, num_thresholds=20, class_id=2)
    ref = getattr(keras.metrics, cls)(0.5, num_thresholds=20, class_id=2)
    against_keras(ours, ref, _batches(rng, lambda r: _binary(r, shape=(16, 4)),
                                      weights=(None, "rank1")))


def test_precision_exact_scenario():
    m = tk.metrics.Precision()
    m.update_state([0, 1, 1, 1, 0, 1], [1, 0, 1, 1, 0, 0])
    assert float(m.result()) == pytest.approx(2 / 3)
    m.reset_state()
    assert float(m.result()) == 0.0
    m.update_state([0, 1, 1, 1], [1, 0, 1, 1], sample_weight=[0, 0, 1, 0])
    assert float(m.result()) == pytest.approx(1.0)


def test_counts_and_results():
    tp = tk.metrics.TruePositives(thresholds=[0.0, 0.5, 1.0])
    tp.update_state([0, 1, 1, 1], [1, 0.0, 0.6, 1.0])
    np.testing.assert_allclose(tp.result().numpy(), [2.0, 2.0, 0.0])
    fn = tk.metrics.FalseNegatives()
    fn.update_state([0, 1, 1, 1], [1, 0, 1, 0])
    assert float(fn.result()) == 2.0


def test_results_are_snapshots_not_views():
    m = tk.metrics.TruePositives()
    m.update_state([1, 1], [0.9, 0.9])
    first = m.result()
    m.update_state([1, 1], [0.9, 0.9])
    assert float(first) == 2.0 and float(m.result()) == 4.0


@pytest.mark.parametrize("ctor", [
    lambda: tk.metrics.Precision(thresholds=1.5),
    lambda: tk.metrics.Recall(thresholds=[0.2, -0.1]),
    lambda: tk.metrics.TruePositives(thresholds=[None]),
    lambda: tk.metrics.SensitivityAtSpecificity(1.2),
    lambda: tk.metrics.SpecificityAtSensitivity(-0.1),
    lambda: tk.metrics.PrecisionAtRecall(2),
    lambda: tk.metrics.RecallAtPrecision(0.5, num_thresholds=0),
])
def test_construction_errors(ctor):
    with pytest.raises(ValueError):
        ctor()


def test_class_id_needs_2d_predictions():
    m = tk.metrics.Precision(class_id=1)
    with pytest.raises(ValueError, match="class_id"):
        m.update_state([0, 1], [0.2, 0.7])


def test_update_state_does_not_sync_with_host(monkeypatch):
    # Any .item()/bool() on a tensor inside update_state would go through these.
    m = tk.metrics.Precision(thresholds=[0.2, 0.7])
    y, p = torch.tensor([0.0, 1.0, 1.0]), torch.tensor([0.3, 0.8, 0.1])

    def boom(*a, **k):
        raise AssertionError("host sync in update_state")

    monkeypatch.setattr(torch.Tensor, "item", boom)
    monkeypatch.setattr(torch.Tensor, "__bool__", boom)
    monkeypatch.setattr(torch.Tensor, "tolist", boom)
    m.update_state(y, p, sample_weight=torch.tensor([1.0, 2.0, 1.0]))
    monkeypatch.undo()
    np.testing.assert_allclose(m.result().numpy(), [2 / 3, 1.0])
