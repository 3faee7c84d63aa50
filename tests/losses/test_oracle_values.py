"""Loss values against real Keras 3 on identical random inputs (float32, rtol 1e-5)."""
import numpy as np
import pytest
import torch

import torchkeras.losses as L

pytestmark = pytest.mark.keras_oracle

RTOL, ATOL = 1e-5, 1e-6
REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", None]


def _rng():
    return np.random.default_rng(1234)


def make(kind, shape=(4, 5)):
    """(y_true, y_pred) numpy arrays of the given kind."""
    r = _rng()
    f32 = np.float32
    if kind == "reg":
        return r.normal(size=shape).astype(f32), r.normal(size=shape).astype(f32)
    if kind == "pos":
        return r.uniform(0, 3, size=shape).astype(f32), r.uniform(0.1, 3, size=shape).astype(f32)
    if kind == "mape":
        return r.uniform(0.5, 3, size=shape).astype(f32) * r.choice([-1, 1], size=shape), \
            r.normal(size=shape).astype(f32)
    if kind == "bin_prob":
        return r.integers(0, 2, size=shape).astype(f32), r.uniform(0.0, 1.0, size=shape).astype(f32)
    if kind == "bin_logit":
        return r.integers(0, 2, size=shape).astype(f32), (3 * r.normal(size=shape)).astype(f32)
    if kind == "onehot_prob":
        labels = r.integers(0, shape[-1], size=shape[:-1])
        return np.eye(shape[-1], dtype=f32)[labels], r.uniform(0.0, 1.0, size=shape).astype(f32)
    if kind == "onehot_logit":
        labels = r.integers(0, shape[-1], size=shape[:-1])
        return np.eye(shape[-1], dtype=f32)[labels], (2 * r.normal(size=shape)).astype(f32)
    if kind == "soft_logit":
        t = r.uniform(size=shape).astype(f32)
        return t / t.sum(-1, keepdims=True), (2 * r.normal(size=shape)).astype(f32)
    if kind == "sparse_prob":
        return r.integers(0, shape[-1], size=shape[:-1]), r.uniform(0.01, 1, size=shape).astype(f32)
    if kind == "sparse_logit":
        return r.integers(0, shape[-1], size=shape[:-1]), (2 * r.normal(size=shape)).astype(f32)
    if kind == "dist":
        t, p = r.uniform(size=shape).astype(f32), r.uniform(size=shape).astype(f32)
        return t / t.sum(-1, keepdims=True), p / p.sum(-1, keepdims=True)
    if kind == "hinge_pm":
        return r.choice([-1.0, 1.0], size=shape).astype(f32), r.normal(size=shape).astype(f32)
    if kind == "seg":
        return r.integers(0, 2, size=shape).astype(f32), r.uniform(size=shape).astype(f32)
    raise AssertionError(kind)


def circle_inputs():
    r = _rng()
    emb = r.normal(size=(8, 6)).astype(np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    return np.array([0, 1, 0, 1, 2, 2, 3, 0]), emb


def ctc_inputs():
    r = _rng()
    labels = np.array([[1, 2, 3, 0], [3, 3, 1, 0], [4, 0, 0, 0]])
    return labels, r.normal(size=(3, 7, 5)).astype(np.float32)


# (class name, constructor kwargs, input kind)
CLASS_CASES = [
    ("MeanSquaredError", {}, "reg"),
    ("MeanAbsoluteError", {}, "reg"),
    ("MeanAbsolutePercentageError", {}, "mape"),
    ("MeanSquaredLogarithmicError", {}, "pos"),
    ("CosineSimilarity", {}, "reg"),
    ("CosineSimilarity", {"axis": 0}, "reg"),
    ("Huber", {}, "reg"),
    ("Huber", {"delta": 0.3}, "reg"),
    ("LogCosh", {}, "reg"),
    ("KLDivergence", {}, "dist"),
    ("Poisson", {}, "pos"),
    ("Hinge", {}, "hinge_pm"),
    ("Hinge", {}, "bin_prob"),
    ("SquaredHinge", {}, "hinge_pm"),
    ("SquaredHinge", {}, "bin_logit"),
    ("CategoricalHinge", {}, "onehot_logit"),
    ("BinaryCrossentropy", {}, "bin_prob"),
    ("BinaryCrossentropy", {"from_logits": True}, "bin_logit"),
    ("BinaryCrossentropy", {"label_smoothing": 0.2}, "bin_prob"),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1, "axis": 0}, "bin_logit"),
    ("BinaryFocalCrossentropy", {}, "bin_prob"),
    ("BinaryFocalCrossentropy", {"from_logits": True, "gamma": 1.5}, "bin_logit"),
    ("BinaryFocalCrossentropy", {"apply_class_balancing": True, "alpha": 0.3,
                                 "label_smoothing": 0.1}, "bin_prob"),
    ("CategoricalCrossentropy", {}, "onehot_prob"),
    ("CategoricalCrossentropy", {"from_logits": True}, "onehot_logit"),
    ("CategoricalCrossentropy", {"from_logits": True}, "soft_logit"),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.2}, "onehot_logit"),
    ("CategoricalCrossentropy", {"label_smoothing": 0.1}, "onehot_prob"),
    ("CategoricalCrossentropy", {"from_logits": True, "axis": 0}, "soft_logit"),
    ("CategoricalCrossentropy", {"axis": 0, "label_smoothing": 0.1}, "onehot_prob"),
    ("CategoricalFocalCrossentropy", {}, "onehot_prob"),
    ("CategoricalFocalCrossentropy", {"from_logits": True, "alpha": 0.5, "gamma": 1.0,
                                      "label_smoothing": 0.1}, "onehot_logit"),
    ("SparseCategoricalCrossentropy", {}, "sparse_prob"),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, "sparse_logit"),
    ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 2}, "sparse_logit"),
    ("SparseCategoricalCrossentropy", {"ignore_class": 1}, "sparse_prob"),
    ("CategoricalGeneralizedCrossEntropy", {}, "sparse_prob"),
    ("CategoricalGeneralizedCrossEntropy", {"q": 0.8}, "sparse_prob"),
    ("Dice", {}, "seg"),
    ("Dice", {"axis": 1}, "seg"),
    ("Tversky", {}, "seg"),
    ("Tversky", {"alpha": 0.3, "beta": 0.7, "axis": 1}, "seg"),
]


def _inputs(kind):
    if kind == "circle":
        return circle_inputs()
    if kind == "ctc":
        return ctc_inputs()
    return make(kind)


def _np(x):
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def _close(ours, theirs):
    ours, theirs = _np(ours), _np(theirs)
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL)


ALL_CASES = CLASS_CASES + [("Circle", {}, "circle"), ("Circle", {"gamma": 10.0, "margin": 0.2,
                                                                  "remove_diagonal": False},
                                                      "circle"), ("CTC", {}, "ctc")]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("cls_name,kwargs,kind", ALL_CASES,
                         ids=["%s-%s-%d" % (c[0], c[2], i) for i, c in enumerate(ALL_CASES)])
def test_class_matches_keras(keras, cls_name, kwargs, kind, reduction):
    y_true, y_pred = _inputs(kind)
    ours = getattr(L, cls_name)(reduction=reduction, **kwargs)
    theirs = getattr(keras.losses, cls_name)(reduction=reduction, **kwargs)
    _close(ours(y_true, y_pred), theirs(y_true, y_pred))
    per_sample = getattr(keras.losses, cls_name)(reduction=None, **kwargs)(y_true, y_pred)
    sw_shape = tuple(per_sample.shape) or (y_pred.shape[0],)
    sw = np.random.default_rng(7).uniform(0.1, 2.0, size=sw_shape).astype(np.float32)
    _close(ours(y_true, y_pred, sample_weight=sw), theirs(y_true, y_pred, sample_weight=sw))


@pytest.mark.parametrize("cls_name,kwargs,kind", ALL_CASES,
                         ids=["%s-%s-%d" % (c[0], c[2], i) for i, c in enumerate(ALL_CASES)])
def test_class_on_torch_tensors_matches_keras(keras, cls_name, kwargs, kind):
    y_true, y_pred = _inputs(kind)
    ours = getattr(L, cls_name)(**kwargs)
    theirs = getattr(keras.losses, cls_name)(**kwargs)
    _close(ours(torch.as_tensor(y_true), torch.as_tensor(y_pred)), theirs(y_true, y_pred))


# function name, kwargs, kind
FUNCTION_CASES = [
    ("mean_squared_error", {}, "reg"),
    ("mean_absolute_error", {}, "reg"),
    ("mean_absolute_percentage_error", {}, "mape"),
    ("mean_squared_logarithmic_error", {}, "pos"),
    ("cosine_similarity", {}, "reg"),
    ("cosine_similarity", {"axis": 0}, "reg"),
    ("huber", {"delta": 0.5}, "reg"),
    ("log_cosh", {}, "reg"),
    ("kl_divergence", {}, "dist"),
    ("poisson", {}, "pos"),
    ("hinge", {}, "hinge_pm"),
    ("hinge", {}, "bin_prob"),
    ("squared_hinge", {}, "bin_prob"),
    ("categorical_hinge", {}, "onehot_logit"),
    ("binary_crossentropy", {}, "bin_prob"),
    ("binary_crossentropy", {"from_logits": True, "label_smoothing": 0.3}, "bin_logit"),
    ("binary_focal_crossentropy", {"from_logits": True, "apply_class_balancing": True},
     "bin_logit"),
    ("categorical_crossentropy", {}, "onehot_prob"),
    ("categorical_crossentropy", {"from_logits": True, "label_smoothing": 0.1}, "soft_logit"),
    ("categorical_focal_crossentropy", {"gamma": 3.0}, "onehot_prob"),
    ("sparse_categorical_crossentropy", {}, "sparse_prob"),
    ("sparse_categorical_crossentropy", {"from_logits": True}, "sparse_logit"),
    ("sparse_categorical_crossentropy", {"from_logits": True, "ignore_class": 0},
     "sparse_logit"),
    ("categorical_generalized_cross_entropy", {"q": 0.3}, "sparse_prob"),
    ("dice", {}, "seg"),
    ("dice", {"axis": 1}, "seg"),
    ("tversky", {"alpha": 0.2, "beta": 0.8, "axis": 1}, "seg"),
    ("circle", {}, "circle"),
    ("ctc", {}, "ctc"),
]


@pytest.mark.parametrize("fn_name,kwargs,kind", FUNCTION_CASES,
                         ids=["%s-%s-%d" % (c[0], c[2], i) for i, c in enumerate(FUNCTION_CASES)])
def test_function_matches_keras(keras, fn_name, kwargs, kind):
    y_true, y_pred = _inputs(kind)
    ours = getattr(L, fn_name)(torch.as_tensor(y_true), torch.as_tensor(y_pred), **kwargs)
    theirs = getattr(keras.losses, fn_name)(keras.ops.convert_to_tensor(y_true),
                                            keras.ops.convert_to_tensor(y_pred), **kwargs)
    _close(ours, theirs)
    if fn_name not in ("ctc", "circle", "dice", "tversky"):
        assert tuple(ours.shape) == tuple(y_pred.shape[:-1]) or "axis" in kwargs


@pytest.mark.parametrize("cls_name,kwargs,kind", [
    ("MeanSquaredError", {}, "reg"),
    ("BinaryCrossentropy", {"from_logits": True}, "bin_logit"),
    ("CategoricalCrossentropy", {"from_logits": True}, "onehot_logit"),
    ("CategoricalCrossentropy", {}, "onehot_prob"),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, "sparse_logit"),
    ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 3}, "sparse_logit"),
    ("Huber", {}, "reg"),
    ("KLDivergence", {}, "dist"),
])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_rank3_inputs_and_weights_match_keras(keras, cls_name, kwargs, kind, reduction):
    y_true, y_pred = make(kind, shape=(2, 3, 5))
    ours = getattr(L, cls_name)(reduction=reduction, **kwargs)
    theirs = getattr(keras.losses, cls_name)(reduction=reduction, **kwargs)
    _close(ours(y_true, y_pred), theirs(y_true, y_pred))
    r = np.random.default_rng(3)
    for sw in (r.uniform(size=(2, 3)).astype(np.float32),
               r.uniform(size=(2, 3, 1)).astype(np.float32)):
        _close(ours(y_true, y_pred, sample_weight=sw), theirs(y_true, y_pred, sample_weight=sw))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_rank1_and_column_inputs_match_keras(keras, reduction):
    r = np.random.default_rng(5)
    y = r.integers(0, 2, size=(6,)).astype(np.float32)
    p = r.uniform(size=(6, 1)).astype(np.float32)
    sw = r.uniform(size=(6,)).astype(np.float32)
    for name in ("BinaryCrossentropy", "MeanSquaredError", "MeanAbsoluteError", "Hinge"):
        ours = getattr(L, name)(reduction=reduction)
        theirs = getattr(keras.losses, name)(reduction=reduction)
        for yt, yp in ((y, p), (y, p[:, 0]), (y[:, None], p[:, 0])):
            _close(ours(yt, yp), theirs(yt, yp))
            _close(ours(yt, yp, sample_weight=sw), theirs(yt, yp, sample_weight=sw))
            _close(ours(yt, yp, sample_weight=sw[:, None]),
                   theirs(yt, yp, sample_weight=sw[:, None]))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_sparse_column_labels_match_keras(keras, reduction):
    y, p = make("sparse_logit", shape=(6, 4))
    for kwargs in ({"from_logits": True}, {"from_logits": True, "ignore_class": 1}):
        ours = L.SparseCategoricalCrossentropy(reduction=reduction, **kwargs)
        theirs = keras.losses.SparseCategoricalCrossentropy(reduction=reduction, **kwargs)
        _close(ours(y[:, None], p), theirs(y[:, None], p))
        _close(ours(y.astype(np.float32), p), theirs(y.astype(np.float32), p))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_prediction_mask_matches_keras(keras, reduction):
    y_true, y_pred = make("reg", shape=(2, 3, 4))
    mask = torch.tensor([[True, False, True], [True, True, False]])
    sw = np.array([[1.0, 3.0, 2.0], [1.0, 0.5, 1.0]], dtype=np.float32)
    for name in ("MeanSquaredError", "MeanAbsoluteError"):
        ours = getattr(L, name)(reduction=reduction)
        theirs = getattr(keras.losses, name)(reduction=reduction)
        ps = [torch.as_tensor(y_pred) for _ in range(2)]
        for p in ps:
            p._keras_mask = mask
        _close(ours(y_true, ps[0]), theirs(y_true, ps[1]))
        _close(ours(y_true, ps[0], sample_weight=sw), theirs(y_true, ps[1], sample_weight=sw))


def test_all_ignored_gives_zero_like_keras(keras):
    y = np.full((4,), 2)
    p = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    for reduction in REDUCTIONS:
        ours = L.SparseCategoricalCrossentropy(from_logits=True, ignore_class=2,
                                               reduction=reduction)
        theirs = keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=2,
                                                            reduction=reduction)
        _close(ours(y, p), theirs(y, p))


def test_empty_batch_matches_keras(keras):
    y = np.zeros((0, 3), np.float32)
    _close(L.MeanSquaredError()(y, y), keras.losses.MeanSquaredError()(y, y))
    _close(L.MeanSquaredError(reduction="sum")(y, y), keras.losses.MeanSquaredError(
        reduction="sum")(y, y))


def test_extreme_probabilities_are_clipped_like_keras(keras):
    y = np.array([[0.0, 1.0, 1.0, 0.0]], np.float32)
    p = np.array([[0.0, 0.0, 1.0, 1.0]], np.float32)
    _close(L.BinaryCrossentropy()(y, p), keras.losses.BinaryCrossentropy()(y, p))
    _close(L.binary_focal_crossentropy(y, p), keras.losses.binary_focal_crossentropy(y, p))
    oh = np.array([[0.0, 1.0], [1.0, 0.0]], np.float32)
    pp = np.array([[1.0, 0.0], [1.0, 0.0]], np.float32)
    _close(L.CategoricalCrossentropy()(oh, pp), keras.losses.CategoricalCrossentropy()(oh, pp))
    _close(L.SparseCategoricalCrossentropy()(np.array([1, 0]), pp),
           keras.losses.SparseCategoricalCrossentropy()(np.array([1, 0]), pp))
    big = np.array([[80.0, -80.0]], np.float32)
    _close(L.BinaryCrossentropy(from_logits=True)(np.array([[0.0, 1.0]], np.float32), big),
           keras.losses.BinaryCrossentropy(from_logits=True)(np.array([[0.0, 1.0]],
                                                                      np.float32), big))
