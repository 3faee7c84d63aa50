import itertools

import numpy as np
import pytest
import torch

from torchkeras import layers
from torchkeras.testing import run_layer_test


def tf_pool_reference(x, pool, strides, padding, mode):
    """TF/JAX semantics on channels_last numpy input: "same" pads total // 2 on the left,
    the rest on the right; padding never takes part in a max or an average."""
    spatial = x.shape[1:-1]
    outs, starts = [], []
    for s, k, st in zip(spatial, pool, strides):
        if padding == "valid":
            outs.append((s - k) // st + 1)
            starts.append(0)
        else:
            o = -(-s // st)
            total = max((o - 1) * st + k - s, 0)
            outs.append(o)
            starts.append(-(total // 2))
    y = np.zeros((x.shape[0],) + tuple(outs) + (x.shape[-1],), x.dtype)
    for idx in itertools.product(*[range(o) for o in outs]):
        sl = []
        for i, st, k, s0, size in zip(idx, strides, pool, starts, spatial):
            a = s0 + i * st
            sl.append(slice(max(a, 0), min(a + k, size)))
        win = x[(slice(None),) + tuple(sl) + (slice(None),)]
        axes = tuple(range(1, 1 + len(pool)))
        y[(slice(None),) + idx + (slice(None),)] = (win.max(axes) if mode == "max"
                                                    else win.mean(axes))
    return y


POOL_CASES = [
    ("MaxPooling1D", {"pool_size": 2}, (2, 9, 3)),
    ("MaxPooling1D", {"pool_size": 3, "strides": 2, "padding": "same"}, (2, 10, 3)),
    ("MaxPooling2D", {}, (2, 7, 8, 3)),
    ("MaxPooling2D", {"pool_size": 3, "strides": 2, "padding": "same"}, (2, 8, 7, 3)),
    ("MaxPooling2D", {"pool_size": (2, 3), "strides": 1, "padding": "same",
                      "data_format": "channels_first"}, (2, 3, 6, 5)),
    ("MaxPooling3D", {"pool_size": 2, "padding": "same"}, (1, 5, 4, 3, 2)),
    ("MaxPooling2D", {"pool_size": 2, "strides": 3, "padding": "same"}, (1, 9, 10, 2)),
    ("AveragePooling1D", {"pool_size": 4, "strides": 1, "padding": "same"}, (2, 7, 2)),
    ("AveragePooling2D", {"pool_size": 2, "strides": 3, "padding": "same"}, (1, 9, 10, 2)),
    ("AveragePooling1D", {"pool_size": 3}, (2, 9, 3)),
    ("AveragePooling1D", {"pool_size": 3, "strides": 2, "padding": "same"}, (2, 9, 3)),
    ("AveragePooling2D", {"pool_size": 2, "strides": 1, "padding": "same"}, (2, 5, 6, 3)),
    ("AveragePooling2D", {"pool_size": 3, "strides": 2, "padding": "same"}, (2, 8, 7, 3)),
    ("AveragePooling2D", {"pool_size": (3, 2), "data_format": "channels_first"}, (2, 3, 7, 8)),
    ("AveragePooling3D", {"pool_size": 2, "strides": (1, 2, 2), "padding": "same"},
     (1, 4, 5, 5, 2)),
    ("AveragePooling3D", {"pool_size": 3, "strides": 2, "padding": "same"}, (1, 5, 6, 4, 2)),
]


def _symmetric_same(kwargs, shape):
    """Keras's torch backend replicates edges for asymmetric "same" pads (TF/JAX do not):
    compare with it only where the "same" padding is symmetric."""
    if kwargs.get("padding") != "same":
        return True
    rank = len(shape) - 2
    pool = kwargs.get("pool_size", 2)
    pool = (pool,) * rank if isinstance(pool, int) else pool
    strides = kwargs.get("strides") or pool
    strides = (strides,) * rank if isinstance(strides, int) else strides
    spatial = shape[1:-1] if kwargs.get("data_format") != "channels_first" else shape[2:]
    for s, k, st in zip(spatial, pool, strides):
        total = max((-(-s // st) - 1) * st + k - s, 0)
        if total % 2:
            return False
    return True


@pytest.mark.parametrize("name,kwargs,shape", POOL_CASES, ids=lambda v: str(v)[:40])
def test_matches_tf_semantics(name, kwargs, shape):
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape).astype("float32")
    layer = getattr(layers, name)(**kwargs)
    y = layer(torch.as_tensor(x)).numpy()
    rank = len(shape) - 2
    pool = layer.pool_size
    cf = layer.data_format == "channels_first"
    xl = np.moveaxis(x, 1, -1) if cf else x
    ref = tf_pool_reference(xl, pool, layer.strides, layer.padding,
                            "max" if name.startswith("Max") else "avg")
    if cf:
        ref = np.moveaxis(ref, -1, 1)
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-6)
    assert tuple(layer.compute_output_shape(shape)) == y.shape
    assert rank == layer.pool_dimensions


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name,kwargs,shape", POOL_CASES, ids=lambda v: str(v)[:40])
def test_oracle(keras, name, kwargs, shape):
    x = np.random.default_rng(1).normal(size=shape).astype("float32")
    ref = getattr(keras.layers, name)(**kwargs)
    ours = getattr(layers, name)(**kwargs)
    y_ref = np.asarray(ref(x).detach().cpu())
    y = ours(torch.as_tensor(x)).numpy()
    assert y.shape == y_ref.shape
    if name.startswith("Max") or _symmetric_same(kwargs, shape):
        np.testing.assert_allclose(y, y_ref, rtol=1e-5, atol=1e-6)
    cfg, ref_cfg = ours.get_config(), ref.get_config()
    cfg.pop("name"), ref_cfg.pop("name")
    assert cfg == ref_cfg
    assert tuple(ours.compute_output_shape((None,) + shape[1:])) == \
        tuple(ref.compute_output_shape((None,) + shape[1:]))


GLOBAL_CASES = [
    (name, kw, shape)
    for name, shape in [("GlobalAveragePooling1D", (2, 7, 3)), ("GlobalMaxPooling1D", (2, 7, 3)),
                        ("GlobalAveragePooling2D", (2, 5, 4, 3)),
                        ("GlobalMaxPooling2D", (2, 5, 4, 3)),
                        ("GlobalAveragePooling3D", (2, 3, 4, 2, 3)),
                        ("GlobalMaxPooling3D", (2, 3, 4, 2, 3))]
    for kw in [{}, {"keepdims": True, "data_format": "channels_first"}]
]
ADAPTIVE_CASES = [
    ("AdaptiveAveragePooling1D", {"output_size": 3}, (2, 10, 3)),
    ("AdaptiveMaxPooling1D", {"output_size": 4, "data_format": "channels_first"}, (2, 3, 10)),
    ("AdaptiveAveragePooling2D", {"output_size": (3, 2)}, (2, 7, 5, 3)),
    ("AdaptiveMaxPooling2D", {"output_size": 3}, (2, 7, 5, 3)),
    ("AdaptiveAveragePooling3D", {"output_size": 2, "data_format": "channels_first"},
     (1, 2, 5, 4, 3)),
    ("AdaptiveMaxPooling3D", {"output_size": (2, 1, 3)}, (1, 5, 4, 6, 2)),
]


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name,kwargs,shape", GLOBAL_CASES + ADAPTIVE_CASES,
                         ids=lambda v: str(v)[:40])
def test_oracle_global_adaptive(keras, name, kwargs, shape):
    x = np.random.default_rng(1).normal(size=shape).astype("float32")
    ref = getattr(keras.layers, name)(**kwargs)
    ours = getattr(layers, name)(**kwargs)
    np.testing.assert_allclose(ours(torch.as_tensor(x)).numpy(),
                               np.asarray(ref(x).detach().cpu()), rtol=1e-5, atol=1e-6)
    cfg, ref_cfg = ours.get_config(), ref.get_config()
    cfg.pop("name"), ref_cfg.pop("name")
    assert cfg == ref_cfg
    assert tuple(ours.compute_output_shape((None,) + shape[1:])) == \
        tuple(ref.compute_output_shape((None,) + shape[1:]))


@pytest.mark.keras_oracle
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_oracle_masked_global_average_1d(keras, data_format):
    rng = np.random.default_rng(3)
    shape = (3, 6, 4) if data_format == "channels_last" else (3, 4, 6)
    x = rng.normal(size=shape).astype("float32")
    mask = rng.uniform(size=(3, 6)) > 0.3
    mask[:, 0] = True
    ref = keras.layers.GlobalAveragePooling1D(data_format=data_format)
    ours = layers.GlobalAveragePooling1D(data_format=data_format)
    np.testing.assert_allclose(ours(torch.as_tensor(x), mask=torch.as_tensor(mask)).numpy(),
                               np.asarray(ref(x, mask=mask).detach().cpu()), rtol=1e-5)
    assert ours.supports_masking and ours.compute_mask(x, mask) is None


@pytest.mark.parametrize("name,kwargs,shape",
                         POOL_CASES[::2] + GLOBAL_CASES[::3] + ADAPTIVE_CASES[::2],
                         ids=lambda v: str(v)[:40])
def test_layer(name, kwargs, shape):
    run_layer_test(getattr(layers, name), kwargs, input_shape=shape,
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0)


def test_aliases_and_errors():
    assert layers.MaxPool2D is layers.MaxPooling2D and layers.GlobalAvgPool1D is \
        layers.GlobalAveragePooling1D
    with pytest.raises(ValueError, match="padding"):
        layers.MaxPooling2D(padding="causal")
    with pytest.raises(ValueError, match="pool_size"):
        layers.AveragePooling2D((2, 2, 2))
    with pytest.raises(TypeError, match="output_size"):
        layers.AdaptiveAveragePooling2D((2, 2, 2))
    with pytest.raises(ValueError, match="rank"):
        layers.MaxPooling2D()(torch.zeros(2, 4, 3))


@pytest.mark.parametrize("cls,kwargs,shape", [
    (layers.AveragePooling2D, {"pool_size": 2, "strides": 1}, (2, 9, 10, 3)),
    (layers.AveragePooling2D, {"pool_size": 3, "strides": 2}, (2, 9, 10, 3)),
    (layers.AveragePooling1D, {"pool_size": 4, "strides": 3}, (2, 11, 3)),
    (layers.AveragePooling3D, {"pool_size": 2}, (1, 5, 6, 7, 2)),
])
def test_average_same_explicit_padding_path_matches(cls, kwargs, shape):
    # CUDA takes the explicitly padded path (torch's kernel has wrong gradients there);
    # on CPU both exist, so check they agree in value and gradient.
    from torchkeras.layers.convolutional import conv_utils as cu
    layer = cls(padding="same", **kwargs)
    x = torch.randn(shape, requires_grad=True)
    x2 = x.detach().clone().requires_grad_()
    y = layer(x)
    y2 = cu.from_nc(layer._average_same_padded(cu.to_nc(x2, layer.data_format)),
                    layer.data_format)
    torch.testing.assert_close(y2, y)
    weights = torch.randn_like(y)
    (y * weights).sum().backward()
    (y2 * weights).sum().backward()
    torch.testing.assert_close(x2.grad, x.grad)
