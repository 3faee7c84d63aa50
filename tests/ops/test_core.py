"""Control flow, custom_gradient and the structure ops of ``torchkeras.ops`` (core)."""
import numpy as np
import pytest
import torch

import torchkeras
from torchkeras import ops


def _np(x):
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


@pytest.mark.keras_oracle
def test_loops_match_keras(keras):
    xs = torch.arange(1.0, 6.0)

    def step(c, x):
        return c * 0.5 + x, c - x

    for reverse in (False, True):
        ours = ops.scan(step, torch.tensor(1.0), xs, reverse=reverse)
        theirs = keras.ops.scan(step, torch.tensor(1.0), xs, reverse=reverse)
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(_np(a), _np(b), rtol=1e-6)
    carry, ys = ops.scan(lambda c, _: (c + 1, c * 2), 0, None, length=3)
    assert carry == 3 and _np(ys).tolist() == [0, 2, 4]
    for reverse in (False, True):
        a = ops.associative_scan(lambda u, v: u * v, xs.reshape(1, 5), reverse=reverse, axis=1)
        b = keras.ops.associative_scan(lambda u, v: u * v, xs.reshape(1, 5), reverse=reverse,
                                       axis=1)
        np.testing.assert_allclose(_np(a), _np(b), rtol=1e-6)
    assert ops.fori_loop(0, 5, lambda i, v: v + i, 0) == keras.ops.fori_loop(
        0, 5, lambda i, v: v + i, 0)
    ours = ops.while_loop(lambda i, s: i < 4, lambda i, s: (i + 1, s * 2), (0, 1.0))
    theirs = keras.ops.while_loop(lambda i, s: i < 4, lambda i, s: (i + 1, s * 2), (0, 1.0))
    assert tuple(float(v) for v in ours) == tuple(float(v) for v in theirs) == (4.0, 16.0)
    assert ops.while_loop(lambda i: i < 10, lambda i: i + 3, 0, maximum_iterations=2) == 6
    m = ops.map(lambda d: {"s": d["a"] + d["b"]}, {"a": xs, "b": xs * 2})
    np.testing.assert_allclose(_np(m["s"]), _np(xs * 3))
    v = ops.vectorized_map(lambda r: r.sum(), xs.reshape(5, 1) * torch.ones(5, 3))
    np.testing.assert_allclose(_np(v), _np(keras.ops.vectorized_map(
        lambda r: r.sum(), xs.reshape(5, 1) * torch.ones(5, 3))))
    branches = [lambda a: a + 1, lambda a: a * 10]
    for i in (-3, 0, 1, 7):
        assert float(ops.switch(i, branches, xs[0])) == float(keras.ops.switch(i, branches,
                                                                                xs[0]))
    assert float(ops.cond(xs.sum() > 0, lambda: xs[0], lambda: xs[1])) == 1.0
    assert float(ops.cond(False, lambda: xs[0], lambda: xs[1])) == 2.0


@pytest.mark.keras_oracle
def test_small_core_ops_match_keras(keras):
    x = torch.arange(6.0).reshape(2, 3)
    assert ops.shape(x) == tuple(keras.ops.shape(x)) == (2, 3)
    assert ops.dtype(x) == keras.ops.dtype(x) == "float32"
    assert ops.dtype(torch.ones(2, dtype=torch.int64)) == "int64"
    assert ops.is_tensor(x) and not ops.is_tensor(np.ones(2))
    assert ops.convert_to_tensor([1, 2]).dtype == torch.int32
    assert isinstance(ops.convert_to_numpy(x), np.ndarray)
    assert ops.unstack(x, num=2)[1].tolist() == [3.0, 4.0, 5.0]


def test_core_errors_name_the_op():
    x = torch.zeros(2, 3)
    with pytest.raises(ValueError, match="slice"):
        ops.slice(x, (0,), (1, 1))
    with pytest.raises(ValueError, match="slice_update"):
        ops.slice_update(x, (0, 0), torch.ones(2))
    with pytest.raises(ValueError, match="unstack"):
        ops.unstack(x, num=3)
    with pytest.raises(ValueError, match="scan"):
        ops.scan(lambda c, x: (c, x), 0.0)
    with pytest.raises(ValueError, match="switch"):
        ops.switch(0, [])
    with pytest.raises(ValueError, match="cond"):
        ops.cond(torch.ones(2) > 0, lambda: 1, lambda: 2)


def test_custom_gradient_uses_grad_fn():
    @ops.custom_gradient
    def clipped_identity(x):
        def grad(*args, upstream=None):
            if upstream is None:
                (upstream,) = args
            return torch.clamp(upstream, -0.5, 0.5) * 3
        return x * 2, grad

    x = torch.tensor([1.0, -2.0], requires_grad=True)
    y = clipped_identity(x)
    assert y.tolist() == [2.0, -4.0]
    (y * torch.tensor([0.1, -5.0])).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.3, -1.5], rtol=1e-6)


def test_custom_gradient_several_inputs():
    @ops.custom_gradient
    def mul(a, b):
        def grad(upstream):
            return upstream * b, upstream * a * 0
        return a * b, grad

    a = torch.tensor(3.0, requires_grad=True)
    b = torch.tensor(4.0, requires_grad=True)
    mul(a, b).backward()
    assert float(a.grad) == 4.0 and float(b.grad) == 0.0


class _CumulativeLayer(torchkeras.layers.Layer):
    """Uses scan, cond, fori_loop and while_loop inside call()."""

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], 1), initializer="ones")

    def call(self, x):
        h = (x @ self.w)[:, 0]
        _, ys = ops.scan(lambda c, v: (c + v, c + v), torch.zeros_like(h[0]), h)
        ys = ops.cond(ys.shape[0] > 0, lambda: ys, lambda: -ys)
        ys = ops.fori_loop(0, 2, lambda i, v: v * 0.5, ys)
        ys = ops.while_loop(lambda v: False, lambda v: v, ys)
        return ops.stop_gradient(ys * 0) + ys[:, None]


def test_control_flow_inside_a_layer_trains_with_fit():
    torch.manual_seed(0)
    x = np.random.RandomState(0).randn(16, 3).astype("float32")
    y = np.cumsum(x.sum(-1))[:, None].astype("float32") * 0.25 * 0.7
    inputs = torchkeras.Input((3,))
    model = torchkeras.Model(inputs, _CumulativeLayer()(inputs))
    model.compile(optimizer=torchkeras.optimizers.Adam(0.05), loss="mse")
    hist = model.fit(x, y, batch_size=16, epochs=100, verbose=0)
    losses = hist.history["loss"]
    assert np.isfinite(losses).all() and losses[-1] < losses[0] * 0.5


def test_vectorized_map_batches_and_falls_back_to_a_loop():
    xs = torch.arange(6.0).reshape(3, 2)
    torch.testing.assert_close(ops.vectorized_map(lambda r: r * r.sum(), xs),
                               xs * xs.sum(1, keepdim=True))
    # Python control flow on values cannot run under vmap: the loop path handles it.
    out = ops.vectorized_map(lambda r: r if float(r.sum()) > 3 else -r, xs)
    torch.testing.assert_close(out, torch.stack([-xs[0], xs[1], xs[2]]))
