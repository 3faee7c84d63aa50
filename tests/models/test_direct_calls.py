"""Sequential and functional models call their layers' ``call`` directly when nothing in
``Layer.__call__`` would change the result; the results must be those of ``layer(...)``."""
import numpy as np
import pytest
import torch

import torchkeras as tk
from torchkeras import layers
from torchkeras.layers import call_context
from torchkeras.models.direct_calls import direct_calls


class DepthProbe(layers.Layer):
    """Identity that records the nesting depth it runs at (1 more under layer(...))."""

    def call(self, x):
        self.depth = call_context.STATE.depth
        return x


def functional(policy=None):
    inputs = tk.Input((8, 8, 3))
    x = layers.Conv2D(4, 3, padding="same", dtype=policy)(inputs)
    x = layers.BatchNormalization(dtype=policy)(x)
    x = layers.Activation("gelu", dtype=policy)(x)
    x = DepthProbe(dtype=policy)(x)
    x = layers.MaxPooling2D(2, dtype=policy)(x)
    x = layers.Flatten(dtype=policy)(x)
    return tk.Model(inputs, layers.Dense(5, dtype=policy)(x))


def sequential(policy=None):
    return tk.Sequential([tk.Input((6,)), layers.Dense(7, activation="relu", dtype=policy),
                          layers.BatchNormalization(dtype=policy), DepthProbe(dtype=policy),
                          layers.Dropout(0.0, dtype=policy), layers.Dense(3, dtype=policy)])


def _probe(model):
    return next(l for l in model.layers if isinstance(l, DepthProbe))


def _slow_path():
    """A global forward hook: models must fall back to layer(...) for every layer."""
    return torch.nn.modules.module.register_module_forward_hook(lambda m, i, o: None)


@pytest.mark.parametrize("make,shape", [(functional, (4, 8, 8, 3)), (sequential, (4, 6))])
def test_direct_path_matches_layer_calls(make, shape):
    torch.manual_seed(0)
    fast = make()
    slow = make()
    slow.set_weights(fast.get_weights())
    x = torch.randn(shape)
    out_fast = fast(x, training=True)
    assert _probe(fast).depth == 1            # called directly inside the model
    handle = _slow_path()
    try:
        out_slow = slow(x, training=True)
        assert _probe(slow).depth == 2        # through Layer.__call__
    finally:
        handle.remove()
    torch.testing.assert_close(out_fast, out_slow)
    for a, b in zip(fast.get_weights(), slow.get_weights()):   # moving statistics too
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    out_fast.sum().backward()
    assert all(p.grad is not None for p in fast.trainable_weights)


@pytest.fixture
def mixed_bfloat16():
    tk.mixed_precision.set_global_policy("mixed_bfloat16")
    yield
    tk.mixed_precision.set_global_policy("float32")


@pytest.mark.parametrize("make,shape", [(functional, (2, 8, 8, 3)), (sequential, (2, 6))])
def test_mixed_policy_runs_directly_under_the_models_autocast(mixed_bfloat16, make, shape):
    torch.manual_seed(0)
    fast = make()
    slow = make()
    slow.set_weights(fast.get_weights())
    x = torch.randn(shape)
    out = fast(x, training=False)
    assert _probe(fast).depth == 1
    assert out.dtype == torch.bfloat16
    handle = _slow_path()
    try:
        ref = slow(x, training=False)
    finally:
        handle.remove()
    torch.testing.assert_close(out, ref)


def test_layers_that_need_layer_call_disable_the_direct_path():
    dense = layers.Dense(3)
    dense.build((None, 4))
    assert direct_calls([dense]) is not None
    reg = layers.Dense(3, activity_regularizer="l2")
    reg.build((None, 4))
    assert direct_calls([dense, reg]) is None             # activity penalties
    emb = layers.Embedding(10, 4, mask_zero=True)
    emb.build((None, 5))
    assert direct_calls([emb, dense]) is None             # computes masks
    half = layers.Dense(3, dtype="mixed_bfloat16")
    half.build((None, 4))
    assert direct_calls([dense, half]) is None            # two policies
    assert direct_calls([layers.Dense(3)]) is None        # not built


def test_masked_inputs_and_hooked_layers_still_go_through_layer_call():
    torch.manual_seed(0)
    model = sequential()
    x = torch.randn(2, 6)
    model(x)
    assert _probe(model).depth == 1
    x._keras_mask = torch.ones(2, dtype=torch.bool)       # masks need Layer.__call__
    model(x)
    assert _probe(model).depth == 2
    seen = []
    model.layers[0].register_forward_hook(lambda m, i, o: seen.append(o.shape))
    model(torch.randn(2, 6))
    assert seen == [(2, 7)]
