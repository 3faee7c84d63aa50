"""ConvLSTM1D/2D/3D: conv-layout storage, input convolutions batched over time, oracle."""
import numpy as np
import pytest
import torch

from torchkeras import layers
from torchkeras.testing import run_layer_test


@pytest.mark.parametrize("cls,kwargs,in_shape,out_shape", [
    (layers.ConvLSTM1D, {"filters": 2, "kernel_size": 2, "return_sequences": True},
     (2, 3, 5, 2), (2, 3, 4, 2)),
    (layers.ConvLSTM2D, {"filters": 2, "kernel_size": 3, "padding": "same", "dropout": 0.2,
                         "recurrent_dropout": 0.2}, (2, 3, 5, 5, 2), (2, 5, 5, 2)),
    (layers.ConvLSTM3D, {"filters": 2, "kernel_size": 2}, (1, 2, 3, 3, 3, 1),
     (1, 2, 2, 2, 2)),
])
def test_conv_lstm_layer_test(cls, kwargs, in_shape, out_shape):
    layer = run_layer_test(cls, kwargs, input_shape=in_shape, expected_output_shape=out_shape,
                           expected_num_trainable_weights=3, supports_masking=True)
    assert layer.cell.weight_ih.shape[:2] == (8, in_shape[-1])


def test_conv_lstm_validation():
    with pytest.raises(ValueError, match="dilation_rate"):
        layers.ConvLSTM2D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="padding"):
        layers.ConvLSTM2D(2, 3, padding="full")
    with pytest.raises(ValueError, match="rank"):
        layers.ConvLSTM2D(2, 3)(torch.randn(2, 3, 4, 4))


@pytest.mark.keras_oracle
@pytest.mark.parametrize("cls,kwargs,shape", [
    ("ConvLSTM1D", {"padding": "same", "return_state": True}, (2, 3, 7, 2)),
    ("ConvLSTM2D", {"padding": "same", "strides": 2, "kernel_size": 2,
                    "return_sequences": True}, (2, 3, 6, 6, 2)),
    ("ConvLSTM2D", {"data_format": "channels_first", "go_backwards": True,
                    "dilation_rate": 2}, (2, 3, 2, 7, 7)),
    ("ConvLSTM3D", {"padding": "valid", "unit_forget_bias": False}, (1, 2, 4, 4, 4, 1)),
])
def test_conv_lstm_matches_keras(keras, oracle, cls, kwargs, shape):
    kwargs = {"filters": 3, "kernel_size": 3, **kwargs}
    x = np.random.default_rng(0).normal(size=shape).astype("float32")
    k, ours = getattr(keras.layers, cls)(**kwargs), getattr(layers, cls)(**kwargs)
    oracle.pair(k, ours, x)
    oracle.assert_close(ours(torch.tensor(x)), k(x))
    mask = np.ones(shape[:2], dtype=bool)
    mask[0, -1] = False
    oracle.assert_close(ours(torch.tensor(x), mask=torch.tensor(mask)), k(x, mask=mask))
    assert {a: b for a, b in ours.get_config().items() if a != "name"} == \
        {a: b for a, b in k.get_config().items() if a != "name"}
