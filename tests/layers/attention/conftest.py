"""Fixtures of the attention tests (the `oracle` fixture lives in tests/layers/conftest.py)."""
import numpy as np
import pytest
import torch

from torchkeras.testing.oracle import OracleHelper

def _two_input_layer_test(cls, init_kwargs, query_shape, value_shape, call_kwargs=None,
                          expected_output_shape=None, expected_num_weights=None):
    """``run_layer_test`` for layers called as ``layer(query, value, ...)``: config and
    serialization round trips, Keras-layout and state_dict weight round trips, a symbolic
    call and a training step."""
    import json

    from torchkeras.layers.input_layer import Input
    from torchkeras.saving.serialization import (deserialize_keras_object,
                                                 serialize_keras_object)
    call_kwargs = dict(call_kwargs or {})
    gen = torch.Generator().manual_seed(0)
    q, v = torch.randn(query_shape, generator=gen), torch.randn(value_shape, generator=gen)
    layer = cls(**init_kwargs)
    cfg = layer.get_config()
    json.dumps(cfg)
    strip = lambda c: {k: x for k, x in c.items() if k != "name"}  # noqa: E731
    assert strip(cls.from_config(cfg).get_config()) == strip(cfg)
    assert type(deserialize_keras_object(serialize_keras_object(layer))) is cls
    out = layer(q, v, **call_kwargs)
    main = out[0] if isinstance(out, tuple) else out
    if expected_output_shape is not None:
        assert tuple(main.shape) == tuple(expected_output_shape)
    if expected_num_weights is not None:
        assert len(layer.weights) == len(layer.trainable_weights) == expected_num_weights
    fresh = cls.from_config(layer.get_config())
    fresh(q, v, **call_kwargs)
    fresh.set_weights(layer.get_weights())
    sd = cls.from_config(layer.get_config())
    sd(q, v, **call_kwargs)
    sd.load_state_dict(layer.state_dict())
    ref = layer(q, v, training=False, **call_kwargs)
    for other in (fresh, sd):
        got = other(q, v, training=False, **call_kwargs)
        for a, b in zip(OracleHelper.flat(got), OracleHelper.flat(ref)):
            torch.testing.assert_close(a, b)
    sym = cls.from_config(layer.get_config())
    sout = sym(Input(batch_shape=(None,) + tuple(query_shape[1:])),
               Input(batch_shape=(None,) + tuple(value_shape[1:])), **call_kwargs)
    for kt, real in zip(OracleHelper.flat(sout), OracleHelper.flat(out)):
        assert tuple(kt.shape[1:]) == tuple(real.shape[1:])
    assert sym.count_params() == layer.count_params()
    layer.zero_grad()
    res = layer(q, v, training=True, **call_kwargs)
    sum(t.sum() for t in OracleHelper.flat(res)).backward()
    for w in layer.trainable_weights:
        assert w.grad is not None and torch.isfinite(w.grad).all()
    return layer


@pytest.fixture
def two_input_layer_test():
    return _two_input_layer_test
