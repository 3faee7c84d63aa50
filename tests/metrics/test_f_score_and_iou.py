import numpy as np
import pytest
import warnings

import torchkeras as tk

pytestmark = pytest.mark.keras_oracle


def _multilabel(rng, n=16, c=4):
    return (rng.integers(0, 2, (n, c)).astype("float32"),
            rng.uniform(size=(n, c)).astype("float32"))


F_CASES = [
    ("F1Score", {}),
    ("F1Score", {"average": "micro", "threshold": 0.5}),
    ("F1Score", {"average": "macro"}),
    ("F1Score", {"average": "weighted", "threshold": 0.3}),
    ("FBetaScore", {"beta": 2.0}),
    ("FBetaScore", {"beta": 0.5, "average": "macro", "threshold": 0.6}),
    ("FBetaScore", {"beta": 1.5, "average": "weighted"}),
]


@pytest.mark.parametrize("cls,kwargs", F_CASES, ids=[c + str(k) for c, k in F_CASES])
def test_f_scores_match_keras(cls, kwargs, keras, rng, against_keras):
    ours, ref = getattr(tk.metrics, cls)(**kwargs), getattr(keras.metrics, cls)(**kwargs)
    assert ours.name == ref.name
    assert ours.get_config() == ref.get_config()
    batches = []
    for w in (None, True, True):
        y, p = _multilabel(rng)
        batches.append((y, p, rng.uniform(0, 2, 16).astype("float32") if w else None))
    against_keras(ours, ref, batches)


@pytest.mark.parametrize("kwargs", [{"beta": 1}, {"beta": 0.0}, {"average": "samples"},
                                    {"threshold": 1}, {"threshold": 0.0}, {"threshold": 1.5}])
def test_f_score_construction_errors(kwargs):
    with pytest.raises(ValueError):
        tk.metrics.FBetaScore(**kwargs)


def test_f_score_needs_2d():
    with pytest.raises(ValueError, match="2D"):
        tk.metrics.F1Score().update_state([1, 0], [0.3, 0.2])


def _labels(rng, n, c):
    return rng.integers(0, c, n)


IOU_CASES = [
    ("IoU", {"num_classes": 3, "target_class_ids": [0, 2]}, "sparse"),
    ("IoU", {"num_classes": 4, "target_class_ids": [1], "ignore_class": 0}, "sparse"),
    ("IoU", {"num_classes": 3, "target_class_ids": [0, 1, 2], "sparse_y_pred": False}, "scores"),
    ("MeanIoU", {"num_classes": 3}, "sparse"),
    ("MeanIoU", {"num_classes": 4, "ignore_class": 3, "dtype": "float32"}, "sparse"),
    ("BinaryIoU", {}, "binary"),
    ("BinaryIoU", {"target_class_ids": [1], "threshold": 0.3}, "binary"),
    ("OneHotIoU", {"num_classes": 3, "target_class_ids": [0, 2]}, "onehot"),
    ("OneHotMeanIoU", {"num_classes": 3}, "onehot"),
    ("OneHotMeanIoU", {"num_classes": 3, "sparse_y_pred": True}, "onehot_sparse_pred"),
]


def _iou_batch(rng, kind, n=12):
    c = 3 if kind != "binary" else 2
    y = _labels(rng, n, 4 if kind == "sparse" else c)
    if kind == "sparse":
        return y, _labels(rng, n, 4)
    if kind == "scores":
        return y, rng.dirichlet(np.ones(c), n).astype("float32")
    if kind == "binary":
        return y, rng.uniform(size=n).astype("float32")
    onehot = np.eye(c, dtype="float32")[y]
    if kind == "onehot_sparse_pred":
        return onehot, _labels(rng, n, c)
    return onehot, rng.dirichlet(np.ones(c), n).astype("float32")


@pytest.mark.parametrize("cls,kwargs,kind", IOU_CASES, ids=[c + str(k) for c, k, _ in IOU_CASES])
def test_iou_matches_keras(cls, kwargs, kind, keras, rng, against_keras):
    ours, ref = getattr(tk.metrics, cls)(**kwargs), getattr(keras.metrics, cls)(**kwargs)
    assert {**ours.get_config(), "name": None} == {**ref.get_config(), "name": None}
    batches = []
    for w in (None, "int", None):
        y, p = _iou_batch(rng, kind)
        sw = rng.integers(0, 3, len(y)).astype("int32") if w else None
        batches.append((y, p, sw))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        against_keras(ours, ref, batches)


def test_iou_known_values():
    m = tk.metrics.IoU(num_classes=2, target_class_ids=[0])
    m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    assert float(m.result()) == pytest.approx(1 / 3, rel=1e-5)
    m = tk.metrics.MeanIoU(num_classes=2)
    with pytest.warns(UserWarning, match="float"):
        m.update_state([0, 0, 1, 1], [0, 1, 0, 1], sample_weight=np.array([0.3, 1.0, 2.5, 1.0]))
    np.testing.assert_array_equal(m.total_cm.numpy(), [[0, 1], [2, 1]])  # weights truncated
    assert m.total_cm.dtype.is_floating_point is False  # int32 counts by default
    out_of_range = tk.metrics.MeanIoU(num_classes=2)
    out_of_range.update_state([0, 5, -1], [0, 1, 1])
    np.testing.assert_array_equal(out_of_range.total_cm.numpy(), [[1, 0], [0, 0]])


def test_iou_construction_errors():
    with pytest.raises(ValueError, match="out of range"):
        tk.metrics.IoU(num_classes=2, target_class_ids=[0, 2])
    with pytest.raises(ValueError):
        tk.metrics.MeanIoU(num_classes=0)


def test_f_score_all_zero_rows_stay_negative(keras, against_keras):
    y = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]], "float32")
    p = np.array([[0.0, 0.0, 0.0], [0.1, 0.7, 0.2], [0.0, 0.0, 0.0]], "float32")
    for kwargs in ({}, {"average": "micro"}):
        against_keras(tk.metrics.F1Score(**kwargs), keras.metrics.F1Score(**kwargs),
                      [(y, p, None), (y, p, np.array([1.0, 2.0, 0.5], "float32"))])
    m = tk.metrics.F1Score(average="micro")
    m.update_state(y, p)
    assert float(m.result()) == pytest.approx(0.5, rel=1e-5)  # 1 TP, 0 FP, 2 FN
