import warnings

import numpy as np
import pytest
import torch
from torch import nn

from torchkeras import layers
from torchkeras.testing import run_layer_test


def _oracle(keras, name, kwargs, shape, training=False, calls=1, ours_kwargs=None):
    rng = np.random.default_rng(0)
    ref = getattr(keras.layers, name)(**kwargs)
    ours = getattr(layers, name)(**(ours_kwargs or kwargs))
    x = rng.normal(size=shape).astype("float32") * 2 + 0.5
    ref(x)
    ours(torch.as_tensor(x))
    ws = [w + rng.uniform(-0.5, 0.5, size=w.shape).astype("float32") for w in ref.get_weights()]
    ref.set_weights(ws)
    ours.set_weights(ref.get_weights())
    for _ in range(calls):
        y_ref = np.asarray(ref(x, training=training).detach().cpu())
        y = ours(torch.as_tensor(x), training=training).detach().numpy()
        np.testing.assert_allclose(y, y_ref, rtol=1e-4, atol=1e-5)
        for a, b in zip(ours.get_weights(), ref.get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    assert [w.name for w in ours.weights] == [w.name for w in ref.weights]
    cfg, ref_cfg = ours.get_config(), ref.get_config()
    cfg.pop("name"), ref_cfg.pop("name")
    if name == "SpectralNormalization":
        for c in (cfg, ref_cfg):
            c["layer"]["config"].pop("name")
    assert cfg == ref_cfg
    assert tuple(ours.compute_output_shape(shape)) == tuple(ref.compute_output_shape(shape))
    return ours, ref


ORACLE_CASES = [
    ("LayerNormalization", {}, (3, 5, 6)),
    ("LayerNormalization", {"axis": [-2, -1], "epsilon": 1e-5}, (3, 5, 6)),
    ("LayerNormalization", {"axis": [1, 3], "scale": False}, (2, 3, 4, 5)),
    ("LayerNormalization", {"rms_scaling": True}, (3, 5, 6)),
    ("GroupNormalization", {"groups": 2}, (2, 5, 4, 6)),
    ("GroupNormalization", {"groups": 3, "axis": 1, "epsilon": 1e-5}, (2, 6, 5)),
    ("GroupNormalization", {"groups": -1, "center": False}, (2, 7, 4)),
    ("GroupNormalization", {"groups": 2, "axis": 2}, (2, 3, 4, 5)),
    ("RMSNormalization", {}, (3, 5, 6)),
    ("RMSNormalization", {"axis": [1, 2], "epsilon": 1e-3}, (3, 5, 6)),
    ("UnitNormalization", {}, (3, 5, 6)),
    ("UnitNormalization", {"axis": [1, 2]}, (3, 5, 6)),
]


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name,kwargs,shape", ORACLE_CASES, ids=lambda v: str(v)[:40])
def test_oracle(keras, name, kwargs, shape):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _oracle(keras, name, kwargs, shape)


def test_single_inner_axis_matches_numpy():
    # Keras's torch backend sends one non-trailing axis to F.layer_norm / F.rms_norm and
    # fails; TF/JAX compute the plain formula, checked here with numpy.
    x = np.random.default_rng(0).normal(size=(3, 5, 6)).astype("float32")
    g = np.linspace(0.5, 1.5, 5).astype("float32")
    b = np.linspace(-1, 1, 5).astype("float32")
    ln = layers.LayerNormalization(axis=1)
    ln(torch.as_tensor(x))
    ln.set_weights([g, b])
    mean, var = x.mean(1, keepdims=True), x.var(1, keepdims=True)
    ref = (x - mean) / np.sqrt(var + 1e-3) * g[:, None] + b[:, None]
    np.testing.assert_allclose(ln(torch.as_tensor(x)).detach().numpy(), ref, rtol=1e-4,
                               atol=1e-5)
    rms = layers.RMSNormalization(axis=1)
    rms(torch.as_tensor(x))
    rms.set_weights([g])
    ref = x / np.sqrt((x ** 2).mean(1, keepdims=True) + 1e-6) * g[:, None]
    np.testing.assert_allclose(rms(torch.as_tensor(x)).detach().numpy(), ref, rtol=1e-4,
                               atol=1e-5)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("wrapped,shape", [
    ("Dense", (4, 6)),
    ("Conv2D", (2, 6, 6, 3)),
])
def test_oracle_spectral_normalization(keras, wrapped, shape):
    kw = {"units": 5} if wrapped == "Dense" else {"filters": 4, "kernel_size": 3}
    rng = np.random.default_rng(0)
    ref = keras.layers.SpectralNormalization(getattr(keras.layers, wrapped)(**kw),
                                             power_iterations=2)
    ours = layers.SpectralNormalization(getattr(layers, wrapped)(**kw), power_iterations=2)
    x = rng.normal(size=shape).astype("float32")
    ref(x)
    ours(torch.as_tensor(x))
    ours.set_weights(ref.get_weights())
    assert [w.name for w in ours.weights] == [w.name for w in ref.weights]
    for step in range(3):
        training = step < 2
        y_ref = np.asarray(ref(x, training=training).detach().cpu())
        y = ours(torch.as_tensor(x), training=training).detach().numpy()
        np.testing.assert_allclose(y, y_ref, rtol=1e-4, atol=1e-5)
        for a, b in zip(ours.get_weights(), ref.get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name,kwargs,shape,n_train", [
    ("LayerNormalization", {}, (3, 5, 6), 2),
    ("LayerNormalization", {"axis": [1, 3], "gamma_regularizer": "l2"}, (2, 3, 4, 5), 2),
    ("GroupNormalization", {"groups": 2, "beta_constraint": "non_neg"}, (2, 5, 4, 6), 2),
    ("GroupNormalization", {"groups": 3, "axis": 1, "scale": False}, (2, 6, 5), 1),
    ("RMSNormalization", {}, (3, 5, 6), 1),
    ("RMSNormalization", {"axis": 1}, (3, 5, 6), 1),
    ("UnitNormalization", {"axis": [1, 2]}, (3, 5, 6), 0),
])
def test_layer(name, kwargs, shape, n_train):
    run_layer_test(getattr(layers, name), kwargs, input_shape=shape,
                   expected_output_shape=shape, expected_num_trainable_weights=n_train,
                   expected_num_non_trainable_weights=0)


def test_spectral_normalization_layer_test():
    layer = run_layer_test(layers.SpectralNormalization,
                           {"layer": layers.Dense(4), "power_iterations": 3},
                           input_shape=(3, 6), expected_output_shape=(3, 4),
                           expected_num_trainable_weights=2,
                           expected_num_non_trainable_weights=1, run_symbolic_check=False)
    for _ in range(30):
        layer(torch.randn(3, 6), training=True)
    sigma = torch.linalg.matrix_norm(layer.layer.kernel.detach(), ord=2)
    assert abs(sigma.item() - 1.0) < 1e-3


def test_spectral_normalization_zero_kernel_untouched():
    sn = layers.SpectralNormalization(layers.Dense(3, kernel_initializer="zeros"))
    sn(torch.ones(2, 4), training=True)
    assert torch.isfinite(sn.layer.kernel).all() and not sn.layer.kernel.any()


def test_state_dicts_match_torch():
    x = torch.randn(4, 6, 8)
    ln = layers.LayerNormalization(epsilon=1e-5)
    ln(x)
    ref = nn.LayerNorm(8)
    ref.load_state_dict(ln.state_dict())
    torch.testing.assert_close(ref(x), ln(x))
    gn = layers.GroupNormalization(groups=3, axis=1, epsilon=1e-5)
    gn(x)
    ref = nn.GroupNorm(3, 6)
    ref.load_state_dict(gn.state_dict())
    torch.testing.assert_close(ref(x), gn(x))
    rms = layers.RMSNormalization()
    rms(x)
    ref = nn.RMSNorm(8, eps=1e-6)
    ref.load_state_dict(rms.state_dict())
    torch.testing.assert_close(ref(x), rms(x))


def test_bad_arguments():
    with pytest.raises(ValueError, match="groups"):
        layers.GroupNormalization(groups=0)
    with pytest.raises(ValueError, match="multiple"):
        layers.GroupNormalization(groups=4)(torch.zeros(2, 6))
    with pytest.raises(TypeError, match="axis"):
        layers.LayerNormalization(axis="x")
    with pytest.raises(ValueError, match="out of bounds"):
        layers.LayerNormalization(axis=3)(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="power_iterations"):
        layers.SpectralNormalization(layers.Dense(2), power_iterations=0)
    with pytest.raises(ValueError, match="kernel"):
        layers.SpectralNormalization(layers.LayerNormalization())(torch.zeros(2, 3))


@pytest.mark.parametrize("kwargs", [{"groups": 2}, {"groups": 3, "scale": False},
                                    {"groups": -1, "center": False}])
def test_group_norm_channels_last_path_matches_fused_kernel(kwargs):
    # CUDA runs channels-last group norm through plain ops (torch's kernel mishandles the
    # permuted gradient there); on CPU both paths exist, so compare them here.
    torch.manual_seed(0)
    layer = layers.GroupNormalization(**kwargs)
    x = torch.randn(2, 5, 4, 6, requires_grad=True)
    layer(x)
    with torch.no_grad():
        for w in layer.trainable_weights:
            w.add_(torch.randn_like(w) * 0.3)
    fused = layer(x)
    (fused * torch.arange(6.0)).sum().backward()
    grads = [x.grad.clone()] + [w.grad.clone() for w in layer.trainable_weights]
    x.grad = None
    layer.zero_grad()
    plain = layer._group_norm_channels_last(x)
    (plain * torch.arange(6.0)).sum().backward()
    torch.testing.assert_close(plain, fused, rtol=1e-5, atol=1e-5)
    for a, b in zip(grads, [x.grad] + [w.grad for w in layer.trainable_weights]):
        torch.testing.assert_close(b, a, rtol=1e-4, atol=1e-5)
