"""BaseConv.convolution_op: the hook a subclass overrides (keras-io subclassing_conv_layers)."""
import numpy as np
import pytest
import torch

import torchkeras as tk
from torchkeras import ops


class Standardized(tk.layers.Conv2D):
    def convolution_op(self, inputs, kernel):
        mean, var = ops.moments(kernel, axes=[0, 1, 2], keepdims=True)
        return ops.conv(inputs, (kernel - mean) / ops.sqrt(var + 1e-10), padding="valid",
                        strides=list(self.strides), dilation_rate=list(self.dilation_rate))


def test_default_convolution_op_matches_call_without_bias_and_activation():
    layer = tk.layers.Conv2D(4, 3, padding="same", strides=2, use_bias=False)
    x = torch.randn(2, 9, 9, 3)
    y = layer(x)
    torch.testing.assert_close(layer.convolution_op(x, layer.kernel), y)


def test_overridden_convolution_op_is_used_with_bias_and_activation():
    layer = Standardized(4, 3, activation="relu")
    x = torch.randn(2, 8, 8, 3)
    y = layer(x)
    k = layer.kernel
    mean, var = ops.moments(k, axes=[0, 1, 2], keepdims=True)
    expected = torch.relu(ops.conv(x, (k - mean) / ops.sqrt(var + 1e-10)) + layer.bias)
    torch.testing.assert_close(y, expected)
    plain = tk.layers.Conv2D(4, 3, activation="relu")
    plain(x)
    plain.set_weights(layer.get_weights())
    assert not torch.allclose(plain(x), y, atol=1e-4)


@pytest.mark.keras_oracle
def test_overridden_convolution_op_matches_keras(keras):
    class KStandardized(keras.layers.Conv2D):
        def convolution_op(self, inputs, kernel):
            mean, var = keras.ops.moments(kernel, axes=[0, 1, 2], keepdims=True)
            return keras.ops.conv(inputs, (kernel - mean) / keras.ops.sqrt(var + 1e-10))

    x = np.random.rand(2, 8, 8, 3).astype("float32")
    ref = KStandardized(4, 3, activation="relu")
    want = keras.ops.convert_to_numpy(ref(x))
    mine = Standardized(4, 3, activation="relu")
    mine(torch.from_numpy(x))
    mine.set_weights(ref.get_weights())
    np.testing.assert_allclose(mine(torch.from_numpy(x)).detach().numpy(), want, atol=1e-5)
