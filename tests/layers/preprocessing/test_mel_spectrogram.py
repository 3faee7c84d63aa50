"""MelSpectrogram: shapes, configs and the Keras oracle."""
import numpy as np
import pytest
import torch

from torchkeras import layers
from torchkeras.testing import run_layer_test

CONFIGS = [
    {},
    {"fft_length": 512, "sequence_stride": 128, "num_mel_bins": 40, "sampling_rate": 8000},
    {"fft_length": 256, "sequence_length": 200, "sequence_stride": 100, "window": "hamming",
     "power_to_db": False, "mag_exp": 1.0, "max_freq": 3000, "min_freq": 100},
    {"fft_length": 256, "sequence_stride": 64, "top_db": 20.0, "ref_power": 2.0,
     "window": None},
]


@pytest.mark.parametrize("cfg", CONFIGS[:3])
def test_mel_layer_test(cfg):
    layer = layers.MelSpectrogram(**cfg)
    run_layer_test(layers.MelSpectrogram, cfg, input_shape=(2, 3000),
                   expected_output_shape=layer.compute_output_shape((2, 3000)),
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("cfg", CONFIGS)
def test_mel_matches_keras(keras, cfg):
    x = np.random.default_rng(0).normal(size=(2, 4000)).astype("float32")
    ref = keras.layers.MelSpectrogram(**cfg)
    want = keras.ops.convert_to_numpy(ref(x))
    ours = layers.MelSpectrogram(**cfg)
    got = ours(torch.tensor(x)).numpy()
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * np.abs(want).max())
    assert {k: v for k, v in ours.get_config().items() if k != "name"} == \
        {k: v for k, v in ref.get_config().items() if k != "name"}


@pytest.mark.keras_oracle
def test_mel_weight_matrix_matches_keras(keras):
    ref = keras.layers.MelSpectrogram()
    want = keras.ops.convert_to_numpy(ref.linear_to_mel_weight_matrix(20, 129, 8000, 125.0,
                                                                        3800.0))
    got = layers.MelSpectrogram().linear_to_mel_weight_matrix(20, 129, 8000, 125.0, 3800.0)
    np.testing.assert_allclose(got.numpy(), want, atol=1e-6)
    assert got.shape == (129, 20) and float(got[0].abs().sum()) == 0.0


def test_mel_one_signal_and_db_floor():
    layer = layers.MelSpectrogram(fft_length=128, sequence_stride=32, num_mel_bins=16,
                                  top_db=30.0)
    out = layer(torch.randn(1000))
    assert tuple(out.shape) == (16, 1000 // 32 + 1) == layer.compute_output_shape((1000,))
    assert float(out.max() - out.min()) <= 30.0 + 1e-4


@pytest.mark.parametrize("kwargs,word", [
    ({"fft_length": 256, "sequence_length": 512}, "fft_length"),
    ({"window": "blackman"}, "window"), ({"sequence_stride": 0}, "sequence_stride"),
    ({"num_mel_bins": 0}, "num_mel_bins"), ({"min_freq": 9000.0}, "min_freq"),
])
def test_mel_bad_arguments(kwargs, word):
    with pytest.raises(ValueError, match=word):
        layers.MelSpectrogram(**kwargs)
