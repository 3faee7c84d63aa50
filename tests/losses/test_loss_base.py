"""The Loss base class: subclassing, conversion, reductions, dtype, argument checks."""
import numpy as np
import pytest
import torch

import torchkeras.losses as L
from torchkeras.losses.loss import reduce_weighted_values


class ScaledAbsolute(L.Loss):
    def __init__(self, scale=2.0, name="scaled_absolute", **kwargs):
        super().__init__(name=name, **kwargs)
        self.scale = scale

    def call(self, y_true, y_pred):
        return self.scale * torch.mean(torch.abs(y_true - y_pred), dim=-1)


def test_user_subclass_from_the_brief():
    y = np.array([[0, 1], [1, 1]])  # integer labels become floats before call()
    p = np.array([[0.5, 0.5], [1.0, 0.0]], np.float32)
    loss = ScaledAbsolute()
    per = 2.0 * np.abs(y - p).mean(-1)
    np.testing.assert_allclose(loss(y, p).numpy(), per.mean(), rtol=1e-6)
    np.testing.assert_allclose(ScaledAbsolute(reduction="sum")(y, p).numpy(), per.sum(),
                               rtol=1e-6)
    np.testing.assert_allclose(ScaledAbsolute(reduction=None)(y, p).numpy(), per, rtol=1e-6)
    sw = np.array([1.0, 3.0], np.float32)
    np.testing.assert_allclose(loss(y, p, sample_weight=sw).numpy(), (per * sw).sum() / 2,
                               rtol=1e-6)
    np.testing.assert_allclose(ScaledAbsolute(reduction="mean_with_sample_weight")(
        y, p, sample_weight=sw).numpy(), (per * sw).sum() / 4, rtol=1e-6)
    assert loss.get_config() == {"name": "scaled_absolute", "reduction": "sum_over_batch_size"}
    assert loss.name == "scaled_absolute"


def test_subclass_overriding_call_of_a_builtin_skips_its_fused_path():
    class DoubledMSE(L.MeanSquaredError):
        def call(self, y_true, y_pred):
            return 2.0 * super().call(y_true, y_pred)
    y, p = torch.zeros(3, 2), torch.ones(3, 2)
    assert DoubledMSE()(y, p).item() == pytest.approx(2.0)


@pytest.mark.keras_oracle
def test_user_subclass_matches_keras_subclass(keras):
    class KScaled(keras.losses.Loss):
        def call(self, y_true, y_pred):
            return 2.0 * keras.ops.mean(keras.ops.abs(y_true - y_pred), axis=-1)
    r = np.random.default_rng(0)
    y, p = r.normal(size=(5, 3)).astype(np.float32), r.normal(size=(5, 3)).astype(np.float32)
    sw = r.uniform(size=(5,)).astype(np.float32)
    for red in ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", None):
        np.testing.assert_allclose(ScaledAbsolute(reduction=red)(y, p, sample_weight=sw).numpy(),
                                   KScaled(reduction=red)(y, p, sample_weight=sw).numpy(),
                                   rtol=1e-5)


def test_auto_names_are_unique_snake_case():
    from torchkeras.layers.layer import clear_session
    clear_session()

    class MyFancyLoss(L.Loss):
        def call(self, y_true, y_pred):
            return y_pred - y_true
    assert MyFancyLoss().name == "my_fancy_loss"
    assert MyFancyLoss().name == "my_fancy_loss_1"
    assert L.LossFunctionWrapper(L.mse).name.startswith("loss_function_wrapper")


def test_inputs_lists_numpy_tensors_and_devices():
    loss = L.MeanSquaredError()
    expected = ((0.1 ** 2) * 2 + 0.2 ** 2) / 3
    for y, p in (([1.0, 0.0, 1.0], [0.9, 0.1, 0.8]),
                 (np.array([1.0, 0.0, 1.0]), np.array([0.9, 0.1, 0.8])),
                 (torch.tensor([1, 0, 1]), torch.tensor([0.9, 0.1, 0.8], dtype=torch.float64))):
        out = loss(y, p)
        assert out.dtype == torch.float32 and out.dim() == 0
        assert out.item() == pytest.approx(expected, rel=1e-5)
    # negatively strided numpy arrays are accepted
    a = np.arange(6, dtype=np.float32).reshape(2, 3)[:, ::-1]
    assert loss(a, a).item() == 0.0


def test_dtype_argument():
    loss = L.MeanSquaredError(dtype="float64")
    assert loss.dtype == "float64"
    assert loss(np.zeros(3), np.ones(3)).dtype == torch.float64
    assert L.MeanSquaredError().dtype == "float32"
    assert L.BinaryCrossentropy(dtype="mixed_bfloat16").dtype == "bfloat16"
    half = torch.randn(4, 3).to(torch.bfloat16)
    assert L.BinaryCrossentropy(from_logits=True)(torch.zeros(4, 3), half).dtype == torch.float32


def test_reduction_validation_and_setter():
    with pytest.raises(ValueError, match="reduction"):
        L.MeanSquaredError(reduction="average")
    with pytest.raises(ValueError, match="reduction"):
        ScaledAbsolute(reduction="auto")
    loss = L.MeanSquaredError()
    loss.reduction = "sum"
    assert loss(np.zeros((2, 2)), np.ones((2, 2))).item() == pytest.approx(2.0)
    with pytest.raises(ValueError):
        loss.reduction = "bad"


@pytest.mark.parametrize("cls", [L.BinaryCrossentropy, L.BinaryFocalCrossentropy,
                                 L.CategoricalCrossentropy, L.CategoricalFocalCrossentropy])
@pytest.mark.parametrize("bad", [-0.1, 1.5, "0.1", None, True])
def test_bad_label_smoothing_raises(cls, bad):
    with pytest.raises(ValueError, match="label_smoothing"):
        cls(label_smoothing=bad)


def test_other_bad_arguments_raise_at_construction():
    for q in (0, 1, 1.5, -0.2, "a"):
        with pytest.raises(ValueError, match="q must be in the interval"):
            L.CategoricalGeneralizedCrossEntropy(q=q)
    with pytest.raises(ValueError, match="axis"):
        L.CategoricalCrossentropy(axis=True)
    with pytest.raises(ValueError, match="axis"):
        L.SparseCategoricalCrossentropy(axis=1.0)
    with pytest.raises(ValueError, match="ignore_class"):
        L.SparseCategoricalCrossentropy(ignore_class=1.5)
    with pytest.raises(ValueError, match="callable"):
        L.LossFunctionWrapper("mse")


def test_shape_errors_are_value_errors():
    with pytest.raises(ValueError, match="same shape"):
        L.CategoricalCrossentropy()(np.eye(3), np.ones((3, 4)))
    with pytest.raises(ValueError, match="same shape"):
        L.BinaryCrossentropy()(np.zeros((3, 2)), np.ones((3, 4)) / 2)
    with pytest.raises(ValueError, match="same shape"):
        L.SparseCategoricalCrossentropy()(np.zeros((3, 2)), np.ones((3, 4)))
    with pytest.raises(ValueError, match="y_true"):
        L.CTC()(np.zeros((3,)), np.zeros((3, 4, 5)))
    with pytest.raises(ValueError, match="y_pred"):
        L.CTC()(np.zeros((3, 2)), np.zeros((3, 4)))


def test_out_of_range_sparse_labels_raise_value_error_on_cpu():
    logits = torch.randn(3, 4)
    for kwargs in ({"from_logits": True}, {}, {"from_logits": True, "reduction": None},
                   {"from_logits": True, "ignore_class": 0}):
        with pytest.raises(ValueError, match="labels must be integers in"):
            L.SparseCategoricalCrossentropy(**kwargs)(torch.tensor([0, 4, 1]),
                                                      logits.softmax(-1))


def test_categorical_single_class_warns():
    with pytest.warns(SyntaxWarning, match="binary_crossentropy"):
        L.categorical_crossentropy(np.ones((3, 1)), np.ones((3, 1)))


def test_reduce_weighted_values_helper():
    v = torch.tensor([1.0, 2.0, 3.0, 4.0])
    assert reduce_weighted_values(v).item() == pytest.approx(2.5)
    assert reduce_weighted_values(v, sample_weight=[0, 0, 1, 1],
                                  reduction="mean_with_sample_weight").item() == pytest.approx(3.5)
    assert reduce_weighted_values(v, sample_weight=[0, 0, 0, 0],
                                  reduction="mean_with_sample_weight").item() == 0.0
    assert reduce_weighted_values(torch.tensor(3.0), reduction="sum").item() == 3.0


def test_per_sample_functions_return_batch_shape():
    y, p = torch.rand(6, 4), torch.rand(6, 4)
    for fn in (L.mse, L.mae, L.mape, L.msle, L.kld, L.poisson, L.log_cosh, L.huber, L.hinge,
               L.squared_hinge, L.categorical_hinge, L.cosine_similarity,
               L.binary_crossentropy, L.binary_focal_crossentropy, L.categorical_crossentropy,
               L.categorical_focal_crossentropy):
        assert fn(y, p).shape == (6,), fn.__name__
    labels = torch.randint(0, 4, (6,))
    assert L.sparse_categorical_crossentropy(labels, p).shape == (6,)
    assert L.categorical_generalized_cross_entropy(labels, p, q=0.5).shape == (6,)
