"""Merge layers (Add ... Dot) and their functional forms."""
import numpy as np
import pytest
import torch

from torchkeras import layers
from torchkeras.testing import run_layer_test

ELEMENTWISE = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"]
FUNCTIONAL = {"Add": "add", "Subtract": "subtract", "Multiply": "multiply",
              "Average": "average", "Maximum": "maximum", "Minimum": "minimum"}


def _np(t):
    return np.asarray(t.detach().cpu())


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_layer_test(name):
    run_layer_test(getattr(layers, name), {}, input_shape=[(2, 3, 4), (2, 3, 4)],
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=0,
                   supports_masking=True)


@pytest.mark.parametrize("name", ["Add", "Multiply", "Average", "Maximum", "Minimum"])
def test_three_inputs_and_broadcasting(name):
    cls = getattr(layers, name)
    out = cls()([torch.randn(2, 3, 4), torch.randn(2, 1, 4), torch.randn(2, 4)])
    assert out.shape == (2, 3, 4)
    sym = cls()([layers.Input((3, 4)), layers.Input((1, 4))])
    assert sym.shape == (None, 3, 4)


def test_merge_errors():
    with pytest.raises(ValueError, match="list of inputs"):
        layers.Add()(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="incompatible shapes"):
        layers.Add()([torch.zeros(2, 3), torch.zeros(2, 4)])
    with pytest.raises(ValueError, match="different batch sizes"):
        layers.Add()([torch.zeros(2, 3), torch.zeros(3, 3)])
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        layers.Subtract()([torch.zeros(2, 3)] * 3)
    with pytest.raises(ValueError, match="matching shapes"):
        layers.Concatenate()([torch.zeros(2, 3, 4), torch.zeros(2, 5, 4)])
    with pytest.raises(ValueError, match="Incompatible input shapes"):
        layers.Dot(axes=1)([torch.zeros(2, 3), torch.zeros(2, 4)])
    with pytest.raises(TypeError):
        layers.Dot(axes="x")
    with pytest.raises(ValueError):
        layers.Dot(axes=(1, 2, 3))


@pytest.mark.parametrize("axis,shapes,out", [
    (-1, [(2, 3, 4), (2, 3, 5)], (2, 3, 9)),
    (1, [(2, 3, 4), (2, 2, 4), (2, 1, 4)], (2, 6, 4)),
])
def test_concatenate_layer_test(axis, shapes, out):
    run_layer_test(layers.Concatenate, {"axis": axis}, input_shape=shapes,
                   expected_output_shape=out, expected_num_trainable_weights=0)


@pytest.mark.parametrize("kwargs,shapes,out", [
    ({"axes": 1}, [(2, 4), (2, 4)], (2, 1)),
    ({"axes": (2, 1)}, [(2, 3, 4), (2, 4, 5)], (2, 3, 5)),
    ({"axes": -1, "normalize": True}, [(2, 3, 4), (2, 5, 4)], (2, 3, 5)),
    ({"axes": 1}, [(2, 4), (2, 4, 3)], (2, 3)),
])
def test_dot_layer_test(kwargs, shapes, out):
    layer = run_layer_test(layers.Dot, kwargs, input_shape=shapes, expected_output_shape=out,
                           expected_num_trainable_weights=0)
    assert layer.compute_output_shape([(None,) + s[1:] for s in shapes]) == (None,) + out[1:]


def test_functional_forms():
    a, b = layers.Input((3,)), layers.Input((3,))
    for fn in FUNCTIONAL.values():
        assert getattr(layers, fn)([a, b]).shape == (None, 3)
    assert layers.concatenate([a, b], axis=-1).shape == (None, 6)
    assert layers.dot([a, b], axes=1).shape == (None, 1)
    x, y = torch.randn(2, 3), torch.randn(2, 3)
    torch.testing.assert_close(layers.subtract([x, y], name="sub_fn"), x - y)
    torch.testing.assert_close(layers.dot([x, y], axes=1, normalize=True),
                               torch.nn.functional.cosine_similarity(x, y)[:, None])


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name", ELEMENTWISE + ["Concatenate", "Dot"])
def test_merge_matches_keras(keras, name):
    rng = np.random.default_rng(0)
    if name == "Dot":
        xs = [rng.normal(size=(2, 3, 4)).astype("float32"),
              rng.normal(size=(2, 5, 4)).astype("float32")]
        kw = {"axes": 2, "normalize": True}
    elif name == "Concatenate":
        xs = [rng.normal(size=(2, 3, 4)).astype("float32"),
              rng.normal(size=(2, 2, 4)).astype("float32")]
        kw = {"axis": 1}
    else:
        xs = [rng.normal(size=(2, 3, 4)).astype("float32"),
              rng.normal(size=(2, 4)).astype("float32")]
        kw = {}
    k = getattr(keras.layers, name)(**kw)
    ours = getattr(layers, name)(**kw)
    np.testing.assert_allclose(_np(ours([torch.as_tensor(x) for x in xs])),
                               _np(k([keras.ops.convert_to_tensor(x) for x in xs])),
                               rtol=1e-5, atol=1e-6)
    assert {a: b for a, b in ours.get_config().items() if a != "name"} == \
        {a: b for a, b in k.get_config().items() if a != "name"}
    shapes = [(None,) + x.shape[1:] for x in xs]
    assert tuple(ours.compute_output_shape(shapes)) == tuple(k.compute_output_shape(shapes))


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name", ELEMENTWISE + ["Concatenate"])
@pytest.mark.parametrize("second_masked", [True, False])
def test_merge_masks_match_keras(keras, name, second_masked):
    from keras.src import backend as kb
    rng = np.random.default_rng(1)
    xs = [rng.normal(size=(2, 4, 3)).astype("float32") for _ in range(2)]
    masks = [np.array([[1, 1, 0, 0], [1, 0, 1, 0]], bool),
             np.array([[1, 0, 1, 0], [0, 0, 1, 1]], bool)]
    k_in, o_in = [], []
    for i, (x, m) in enumerate(zip(xs, masks)):
        kt, ot = keras.ops.convert_to_tensor(x), torch.as_tensor(x)
        if i == 0 or second_masked:
            kb.set_keras_mask(kt, keras.ops.convert_to_tensor(m))
            ot._keras_mask = torch.as_tensor(m)
        k_in.append(kt)
        o_in.append(ot)
    k_out = getattr(keras.layers, name)()(k_in)
    o_out = getattr(layers, name)()(o_in)
    np.testing.assert_allclose(_np(o_out), _np(k_out), rtol=1e-5, atol=1e-6)
    k_mask = kb.get_keras_mask(k_out)
    o_mask = getattr(o_out, "_keras_mask", None)
    assert (k_mask is None) == (o_mask is None)
    if k_mask is not None:
        np.testing.assert_array_equal(_np(o_mask), _np(k_mask))
