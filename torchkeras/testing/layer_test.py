"""The shared layer test: shapes, weight counts, config round trip, weights round trip,
symbolic call and one training step — every layer's tests call ``run_layer_test``."""
from __future__ import annotations

import json

import numpy as np
import torch

from torchkeras.layers.input_layer import Input
from torchkeras.layers.keras_tensor import KerasTensor, flatten_leaves, map_structure
from torchkeras.saving.serialization import deserialize_keras_object, serialize_keras_object


def _make_input(shape, dtype, rng):
    if isinstance(shape, list):
        return [_make_input(s, dtype, rng) for s in shape]
    if "int" in str(dtype):
        return torch.as_tensor(rng.integers(0, 5, size=shape), dtype=torch.int64)
    return torch.as_tensor(rng.normal(size=shape).astype("float32"))


def _shape_of(out):
    return map_structure(lambda t: tuple(t.shape), out)


def _as_list(out):
    # Layers may return a tuple (e.g. RNNs with return_state): compare it as a list.
    return list(out) if isinstance(out, tuple) else out


def _strip_name(cfg: dict) -> dict:
    return {k: v for k, v in cfg.items() if k != "name"}


def run_layer_test(layer_cls, init_kwargs: dict | None = None, input_shape=None,
                   input_dtype: str = "float32", input_data=None, call_kwargs: dict | None = None,
                   expected_output_shape=None, expected_num_trainable_weights: int | None = None,
                   expected_num_non_trainable_weights: int | None = None,
                   expected_num_losses: int | None = None, supports_masking: bool | None = None,
                   run_training_check: bool = True, run_symbolic_check: bool = True,
                   seed: int = 0):
    """Checks one layer configuration end to end; returns the built layer.

    Args:
        layer_cls: The layer class.
        init_kwargs: Constructor arguments.
        input_shape: Input shape with batch dimension (a list of shapes for several inputs).
        input_dtype: Dtype of generated inputs.
        input_data: Explicit input instead of generated data.
        call_kwargs: Extra keyword arguments for the call.
        expected_output_shape: Expected output shape (tuple or list of tuples).
        expected_num_trainable_weights: Expected ``len(layer.trainable_weights)``.
        expected_num_non_trainable_weights: Expected ``len(layer.non_trainable_weights)``.
        expected_num_losses: Expected ``len(layer.losses)`` after a call.
        supports_masking: Expected ``layer.supports_masking``.
        run_training_check: Backpropagate through a training-mode call.
        run_symbolic_check: Call the layer on ``Input`` tensors too.
    """
    init_kwargs = dict(init_kwargs or {})
    call_kwargs = dict(call_kwargs or {})
    rng = np.random.default_rng(seed)
    layer = layer_cls(**init_kwargs)
    if supports_masking is not None:
        assert layer.supports_masking == supports_masking, "supports_masking"

    # config round trip, before and after building
    cfg = layer.get_config()
    json.dumps(cfg)
    clone = layer_cls.from_config(cfg)
    assert _strip_name(clone.get_config()) == _strip_name(cfg), \
        "config round trip differs:\n%s\n%s" % (clone.get_config(), cfg)
    again = deserialize_keras_object(serialize_keras_object(layer))
    assert type(again) is layer_cls, "serialize/deserialize gives %r" % type(again)

    x = input_data if input_data is not None else _make_input(input_shape, input_dtype, rng)
    out = _as_list(layer(x, **call_kwargs))
    assert layer.built, "layer is built after its first call"
    if expected_output_shape is not None:
        got = _shape_of(out)
        exp = map_structure(tuple, expected_output_shape) if isinstance(
            expected_output_shape, list) else tuple(expected_output_shape)
        assert got == exp, "output shape %s, expected %s" % (got, exp)
    if expected_num_trainable_weights is not None:
        assert len(layer.trainable_weights) == expected_num_trainable_weights, \
            "trainable weights %d != %d" % (len(layer.trainable_weights),
                                             expected_num_trainable_weights)
    if expected_num_non_trainable_weights is not None:
        assert len(layer.non_trainable_weights) == expected_num_non_trainable_weights, \
            "non-trainable weights %d != %d" % (len(layer.non_trainable_weights),
                                                 expected_num_non_trainable_weights)
    if expected_num_losses is not None:
        assert len(layer.losses) == expected_num_losses, "losses %d" % len(layer.losses)
    assert layer.count_params() == sum(int(np.prod(w.shape)) for w in layer.get_weights())

    # weights round trip (Keras layout) gives identical inference outputs
    fresh = layer_cls.from_config(layer.get_config())
    fresh(x, **call_kwargs)
    fresh.set_weights(layer.get_weights())
    for a, b in zip(fresh.get_weights(), layer.get_weights()):
        np.testing.assert_array_equal(a, b)
    ref = layer(x, training=False, **call_kwargs)
    got = fresh(x, training=False, **call_kwargs)
    for a, b in zip(flatten_leaves(got), flatten_leaves(ref)):
        if isinstance(a, torch.Tensor):
            torch.testing.assert_close(a, b)
    # torch state_dict round trip
    sd_copy = layer_cls.from_config(layer.get_config())
    sd_copy(x, **call_kwargs)
    sd_copy.load_state_dict(layer.state_dict())
    for a, b in zip(flatten_leaves(sd_copy(x, training=False, **call_kwargs)), flatten_leaves(ref)):
        if isinstance(a, torch.Tensor):
            torch.testing.assert_close(a, b)

    if run_symbolic_check and input_data is None and input_shape is not None:
        sym_layer = layer_cls.from_config(layer.get_config())
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        syms = [Input(batch_shape=(None,) + tuple(s[1:]), dtype=input_dtype) for s in shapes]
        sym_out = _as_list(sym_layer(syms if isinstance(input_shape, list) else syms[0],
                                     **call_kwargs))
        real = _shape_of(out)
        for kt, shape in zip(flatten_leaves(sym_out), flatten_leaves(real) if isinstance(real, list)
                             else [real]):
            assert isinstance(kt, KerasTensor)
            assert tuple(kt.shape[1:]) == tuple(shape[1:]), \
                "symbolic shape %s vs real %s" % (kt.shape, shape)

    if run_training_check and layer.trainable_weights:
        layer.zero_grad()
        out = layer(x, training=True, **call_kwargs)
        loss = sum(t.float().mean() for t in flatten_leaves(out) if isinstance(t, torch.Tensor)
                   and t.is_floating_point())
        for extra in layer.losses:
            loss = loss + extra
        loss.backward()
        for w in layer.trainable_weights:
            assert w.grad is not None, "no gradient for weight %s" % getattr(w, "name", w.shape)
            assert torch.isfinite(w.grad).all(), "non-finite gradient"
    return layer
