"""STFTSpectrogram: shapes, both compute paths (FFT and trainable kernels), Keras oracle."""
import numpy as np
import pytest
import torch

from torchkeras import layers
from torchkeras.testing import run_layer_test

CONFIGS = [
    {},
    {"mode": "magnitude", "frame_length": 64, "frame_step": 16, "fft_length": 128,
     "padding": "same"},
    {"mode": "psd", "frame_length": 50, "window": "hamming", "periodic": True,
     "scaling": "spectrum"},
    {"mode": "stft", "frame_length": 64, "expand_dims": True, "data_format": "channels_first"},
    {"mode": "real", "frame_length": 32, "frame_step": 8, "window": None, "scaling": None,
     "padding": "same", "expand_dims": True},
    {"mode": "imag", "frame_length": 40, "frame_step": 10, "fft_length": 64,
     "data_format": "channels_first"},
    {"mode": "angle", "frame_length": 32, "window": [0.5] * 32},
]


def _signal(cfg, rng, length=300, channels=2):
    x = rng.normal(size=(2, length, channels)).astype("float32")
    return x.transpose(0, 2, 1).copy() if cfg.get("data_format") == "channels_first" else x


def _compare(mode, got, want):
    if mode == "angle":
        # atan2 of a zero imaginary part may be +pi or -pi: compare on the circle.
        got, want = np.exp(1j * got), np.exp(1j * want)
    elif mode == "log":
        got, want = np.exp(got), np.exp(want)
    scale = np.abs(want).max()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * scale)


@pytest.mark.parametrize("cfg", CONFIGS[:5])
def test_stft_layer_test(cfg):
    channels_first = cfg.get("data_format") == "channels_first"
    shape = (2, 2, 300) if channels_first else (2, 300, 2)
    layer = layers.STFTSpectrogram(**cfg)
    want = layer.compute_output_shape(shape)
    n_weights = 1 if cfg.get("mode") in ("real", "imag") else 2
    run_layer_test(layers.STFTSpectrogram, cfg, input_shape=shape, expected_output_shape=want,
                   expected_num_trainable_weights=n_weights,
                   expected_num_non_trainable_weights=0)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("cfg", CONFIGS)
def test_stft_matches_keras(keras, cfg):
    rng = np.random.default_rng(1)
    x = _signal(cfg, rng)
    ref = keras.layers.STFTSpectrogram(**cfg)
    want = keras.ops.convert_to_numpy(ref(x))
    ours = layers.STFTSpectrogram(**cfg)
    xt = torch.tensor(x)
    trained_path = ours(xt)        # trainable kernels: the convolution
    frozen = layers.STFTSpectrogram(trainable=False, **cfg)
    fft_path = frozen(xt)          # frozen, initial kernels: torch.stft
    assert trained_path.requires_grad and not fft_path.requires_grad and frozen._pristine
    assert tuple(fft_path.shape) == want.shape == tuple(ref.compute_output_shape(x.shape))
    _compare(ours.mode, trained_path.detach().numpy(), want)
    _compare(ours.mode, fft_path.numpy(), want)
    cfg_ours = {k: v for k, v in ours.get_config().items() if k not in ("name", "dtype")}
    cfg_ref = {k: v for k, v in ref.get_config().items() if k not in ("name", "dtype")}
    assert cfg_ours == cfg_ref
    assert [w.name for w in ours.weights] == [w.name for w in ref.weights]
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, atol=1e-5)  # Keras builds them in float32


@pytest.mark.keras_oracle
def test_stft_changed_kernels_match_keras(keras):
    """Kernels set from elsewhere (trained weights) must leave the FFT path."""
    rng = np.random.default_rng(2)
    x = rng.normal(size=(1, 200, 1)).astype("float32")
    cfg = {"mode": "magnitude", "frame_length": 32, "trainable": False}
    ref = keras.layers.STFTSpectrogram(**cfg)
    ref(x)
    new = [w + rng.normal(scale=0.05, size=w.shape).astype("float32")
           for w in ref.get_weights()]
    ref.set_weights(new)
    ours = layers.STFTSpectrogram(**cfg)
    ours(torch.tensor(x))
    assert not ours.trainable_weights and len(ours.non_trainable_weights) == 2
    ours.set_weights(new)
    got = ours(torch.tensor(x)).numpy()
    _compare("magnitude", got, keras.ops.convert_to_numpy(ref(x)))


def test_stft_fft_path_equals_conv_path():
    layer = layers.STFTSpectrogram(mode="stft", frame_length=48, frame_step=12, fft_length=64,
                                   padding="same", trainable=False)
    x = torch.randn(3, 250, 2)
    fast = layer(x)
    assert layer._pristine
    conv_real = layer._conv(x.transpose(1, 2).reshape(6, -1), layer.real_kernel)
    fast_real = fast.transpose(1, 2).reshape(3, 2, 66, -1)[:, :, :33]
    torch.testing.assert_close(fast_real, conv_real.reshape(3, 2, 33, -1), rtol=1e-4,
                               atol=1e-4)
    with torch.no_grad():
        layer.real_kernel.mul_(1.0)   # same values, new version: re-checked, still pristine
    torch.testing.assert_close(layer(x), fast)
    assert layer._pristine
    with torch.no_grad():
        layer.real_kernel.mul_(2.0)
    doubled = layer(x)
    assert not layer._pristine
    bins = 33
    torch.testing.assert_close(doubled[..., :bins], 2 * fast[..., :bins], rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(doubled[..., bins:2 * bins], fast[..., bins:2 * bins])


def test_stft_trained_kernels_leave_the_fft_path():
    """Optimizers may update kernels without bumping their version: trainable kernels
    always take the convolution, and re-freezing re-checks their values."""
    layer = layers.STFTSpectrogram(mode="magnitude", frame_length=32)
    x = torch.randn(2, 128, 1)
    layer.trainable = False
    before = layer(x)
    assert layer._pristine
    layer.trainable = True
    layer(x).sum().backward()
    opt = torch.optim.Adam(layer.parameters(), lr=0.1, fused=True)
    opt.step()
    layer.trainable = False
    after = layer(x)
    assert not layer._pristine
    assert (after - before).abs().max() > 1e-3


def test_stft_trainable_kernels_get_gradients():
    layer = layers.STFTSpectrogram(mode="log", frame_length=32)
    out = layer(torch.randn(2, 128, 1))
    out.sum().backward()
    assert layer.real_kernel.grad is not None and layer.imag_kernel.grad is not None
    assert [w.name for w in layer.trainable_weights] == ["real_kernel", "imag_kernel"]
    assert tuple(layer.real_kernel.shape) == (32, 1, 17)


@pytest.mark.parametrize("kwargs,word", [
    ({"mode": "power"}, "mode"), ({"scaling": "l2"}, "Scaling"),
    ({"padding": "causal"}, "Padding"), ({"frame_step": 300}, "frame_step"),
    ({"fft_length": 100}, "fft_length"), ({"window": "nope"}, "window"),
    ({"frame_length": 0}, "frame_length"), ({"data_format": "nhwc"}, "data_format"),
])
def test_stft_bad_arguments(kwargs, word):
    with pytest.raises(ValueError, match=word):
        layers.STFTSpectrogram(**kwargs)


def test_stft_bad_input():
    layer = layers.STFTSpectrogram(frame_length=16)
    with pytest.raises(TypeError, match="input type"):
        layer(torch.ones(1, 64, 1, dtype=torch.int32))
    with pytest.raises(ValueError, match="3D"):
        layers.STFTSpectrogram(frame_length=16)(torch.ones(64, 1))
    with pytest.warns(UserWarning, match="power of two"):
        layers.STFTSpectrogram(frame_length=16, fft_length=20)


@pytest.mark.parametrize("trainable", [True, False])
def test_stft_mixed_policy_returns_compute_dtype(trainable):
    layer = layers.STFTSpectrogram(frame_length=32, dtype="mixed_bfloat16",
                                   trainable=trainable)
    out = layer(torch.randn(2, 256, 1))
    assert out.dtype == torch.bfloat16 and layer.real_kernel.dtype == torch.float32
