"""Rescaling and Normalization (incl. adapt) against Keras 3."""
import numpy as np
import pytest
import torch

from torchkeras import config, layers
from torchkeras.testing import run_layer_test
from torchkeras.utils.py_dataset import PyDataset


def _np(t):
    return t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)


def _cfg(layer):
    return {k: v for k, v in layer.get_config().items() if k != "name"}


# ---------------------------------------------------------------- Rescaling
RESCALING = [{"scale": 1 / 255.0}, {"scale": 1 / 127.5, "offset": -1},
             {"scale": [0.5, 2.0, 1.0], "offset": [0.1, 0.2, 0.3]}]


@pytest.mark.parametrize("kwargs", RESCALING)
def test_rescaling_layer_test(kwargs):
    run_layer_test(layers.Rescaling, kwargs, input_shape=(2, 4, 4, 3),
                   expected_output_shape=(2, 4, 4, 3), expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0, supports_masking=True)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("kwargs", RESCALING + [
    {"scale": np.array([0.5, 2.0, 1.0], "float32"), "offset": 0.5}])
def test_rescaling_matches_keras(keras, kwargs):
    x = np.random.default_rng(0).integers(0, 256, size=(2, 4, 5, 3)).astype("uint8")
    k = keras.layers.Rescaling(**kwargs)
    ours = layers.Rescaling(**kwargs)
    assert _cfg(ours).keys() == _cfg(k).keys()
    assert str(_cfg(ours)) == str(_cfg(k))
    for inp in (x, x.astype("float32")):
        out = ours(torch.as_tensor(inp))
        assert out.dtype == torch.float32
        np.testing.assert_allclose(_np(out), _np(k(inp)), rtol=1e-6, atol=1e-6)
    again = layers.Rescaling.from_config(ours.get_config())
    np.testing.assert_array_equal(np.asarray(again.scale), np.asarray(ours.scale))


def test_rescaling_per_channel_channels_first():
    config.set_image_data_format("channels_first")
    try:
        layer = layers.Rescaling([1.0, 2.0, 3.0])
        out = layer(torch.ones(2, 3, 4, 4))
    finally:
        config.set_image_data_format("channels_last")
    assert torch.equal(out[:, 1], torch.full((2, 4, 4), 2.0))
    with pytest.raises(ValueError, match="Rescaling"):
        layers.Rescaling("big")


# ---------------------------------------------------------------- Normalization
NORM_CASES = [
    ({"axis": -1}, (2, 5, 3)),
    ({"axis": None}, (4, 3)),
    ({"axis": (1, 2)}, (2, 3, 4, 2)),
    ({"axis": 1}, (2, 3, 4, 4)),
    ({"mean": [1.0, 2.0, 3.0], "variance": [1.0, 4.0, 9.0]}, (2, 4, 3)),
    ({"mean": 2.0, "variance": 3.0, "invert": True}, (2, 3)),
]


@pytest.mark.parametrize("kwargs,shape", NORM_CASES)
def test_normalization_layer_test(kwargs, shape):
    run_layer_test(layers.Normalization, kwargs, input_shape=shape, expected_output_shape=shape,
                   expected_num_trainable_weights=0, supports_masking=True,
                   expected_num_non_trainable_weights=0 if "mean" in kwargs else 3)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("kwargs,shape", NORM_CASES + [
    ({"mean": [[1.0, 2.0], [3.0, 4.0]], "variance": [[1.0, 4.0], [9.0, 2.0]],
      "axis": (1, 2)}, (3, 2, 2)),
    ({"axis": -1, "invert": True}, (6, 3))])
def test_normalization_adapt_numpy_matches_keras(keras, kwargs, shape):
    rng = np.random.default_rng(1)
    data = (rng.normal(size=(16,) + shape[1:]) * 3 + 1).astype("float32")
    k = keras.layers.Normalization(**kwargs)
    ours = layers.Normalization(**kwargs)
    assert _cfg(ours) == _cfg(k)
    if "mean" not in kwargs:
        k.adapt(data)
        ours.adapt(data)
        for a, b in zip(ours.get_weights(), k.get_weights()):
            assert a.dtype == b.dtype and a.shape == b.shape
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    x = rng.normal(size=shape).astype("float32")
    np.testing.assert_allclose(_np(ours(torch.as_tensor(x))), _np(k(x)), rtol=1e-5, atol=1e-6)


@pytest.mark.keras_oracle
def test_normalization_adapt_tensor_iterables_and_loader_match_keras(keras):
    rng = np.random.default_rng(2)
    batches = [(rng.normal(size=(n, 4, 3)) * 2 + 5).astype("float32") for n in (8, 5, 11)]
    full = np.concatenate(batches)
    # Keras's own iterable path needs tensorflow; its array path is the reference (the
    # pooled batch statistics equal the full-data ones up to rounding).
    k = keras.layers.Normalization(axis=-1)
    k.adapt(full)
    kw = k.get_weights()

    def check(data):
        ours = layers.Normalization(axis=-1)
        ours.adapt(data)
        for a, b in zip(ours.get_weights(), kw):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(ours.get_weights()[0], full.mean((0, 1)), rtol=1e-5)
        np.testing.assert_allclose(ours.get_weights()[1], full.var((0, 1)), rtol=1e-5)

    check([(b, np.zeros(len(b))) for b in batches])            # list of (x, y)
    check(b for b in batches)                                    # generator of x
    check([torch.as_tensor(b) for b in batches])                 # tensors
    check(torch.as_tensor(full))                                 # one tensor
    ds = torch.utils.data.TensorDataset(torch.as_tensor(full), torch.zeros(len(full)))
    check(torch.utils.data.DataLoader(ds, batch_size=7))         # DataLoader of [x, y]

    class Seq(PyDataset):
        def __len__(self):
            return len(batches)

        def __getitem__(self, i):
            return batches[i], np.zeros(len(batches[i]))

    check(Seq())


def test_normalization_adapt_on_cuda_keeps_weights_on_device():
    if not torch.cuda.is_available():
        pytest.skip("no CUDA")
    layer = layers.Normalization()
    layer.adapt(torch.randn(64, 3, device="cuda"))
    assert layer.mean.device.type == "cuda"
    assert layer(torch.randn(2, 3, device="cuda")).device.type == "cuda"


def test_normalization_errors_and_set_weights():
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        layers.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="same shape"):
        layers.Normalization(mean=[1.0, 2.0], variance=1.0)
    with pytest.raises(ValueError, match="rank of `mean`"):
        layers.Normalization(axis=-1, mean=[[1.0]], variance=[[1.0]])
    with pytest.raises(ValueError, match="empty iterable"):
        layers.Normalization().adapt([])
    with pytest.raises(TypeError, match="Unsupported"):
        layers.Normalization().adapt(3.0)
    layer = layers.Normalization()
    layer.adapt(np.ones((4, 3), "float32"))
    with pytest.raises(ValueError, match="incompatible shape"):
        layer.adapt(np.ones((4, 2), "float32"))
    layer.set_weights([np.array([1.0, 2.0, 3.0]), np.array([4.0, 4.0, 4.0]), np.array(0)])
    out = layer(torch.tensor([[3.0, 4.0, 5.0]]))
    torch.testing.assert_close(out, torch.ones(1, 3))
    assert set(layer.state_dict()) == {"mean", "variance", "count"}
