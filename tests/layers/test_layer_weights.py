"""model.weights & co. are Keras-shaped variables (views over the parameters); internal
code and torch users get the parameters from torch_weights()/parameters()."""
import numpy as np
import pytest
import torch

import torchkeras as tk
from torchkeras.variable_view import KerasView


def _mlp(lib):
    return lib.Sequential([lib.Input((4,)), lib.layers.Dense(3), lib.layers.Dense(2)])


def _describe(weights):
    return [(tuple(w.shape), str(w.dtype), w.name, w.path, bool(w.trainable))
            for w in weights]


@pytest.mark.keras_oracle
@pytest.mark.parametrize("build", [
    lambda lib: lib.Sequential([lib.Input((4,)), lib.layers.Dense(3, name="d")]),
    lambda lib: lib.Sequential([lib.Input((8, 8, 3)), lib.layers.Conv2D(2, 3, name="c")]),
    lambda lib: lib.Sequential([lib.Input((5,)), lib.layers.BatchNormalization(name="bn")]),
    lambda lib: lib.Sequential([lib.Input((6, 4)), lib.layers.LSTM(3, name="lstm")]),
    lambda lib: lib.Sequential([lib.Input((6,), dtype="int32"),
                                lib.layers.Embedding(10, 4, name="emb")]),
], ids=["dense", "conv2d", "batchnorm", "lstm", "embedding"])
def test_weights_match_keras(keras, build):
    ours, theirs = build(tk), build(keras)
    # (Keras's `variables` also list RNG seed states, which torchkeras does not keep.)
    for attr in ("weights", "trainable_weights", "non_trainable_weights",
                 "trainable_variables"):
        got, want = _describe(getattr(ours, attr)), _describe(getattr(theirs, attr))
        assert [g[:3] + g[4:] for g in got] == [w[:3] + w[4:] for w in want], attr
        # Paths carry the model's name (the Sequential built its layers), as in Keras;
        # the automatic model names differ only by their counters.
        assert [g[3].replace(ours.name + "/", "M/", 1) for g in got] == \
            [w[3].replace(theirs.name + "/", "M/", 1) for w in want], attr


@pytest.mark.keras_oracle
def test_multi_head_attention_weights_match_keras(keras):
    def build(lib):
        q = lib.Input((5, 8))
        out = lib.layers.MultiHeadAttention(num_heads=2, key_dim=4, name="mha")(q, q)
        return lib.Model(q, out)
    got, want = _describe(build(tk).weights), _describe(build(keras).weights)
    assert [g[:3] for g in got] == [w[:3] for w in want]


def test_views_share_storage_and_identity():
    model = _mlp(tk)
    w = model.weights
    assert all(isinstance(v, KerasView) for v in w)
    assert w[0] is model.weights[0] and w[0] is model.layers[0].kernel
    assert model.trainable_weights[2] is w[2]
    dense = model.layers[0]
    assert w[0].data_ptr() == dense.weight.data_ptr() and tuple(w[0].shape) == (4, 3)
    assert {id(v) for v in model.weights} == {id(v) for v in w}     # id()-keyed dicts work
    # parameters() and state_dict() stay torch-native.
    assert [tuple(p.shape) for p in model.parameters()] == [(3, 4), (3,), (2, 3), (2,)]
    assert all(type(t) is not KerasView for t in model.state_dict().values())
    assert [p is q for p, q in zip(model.torch_weights(), model.parameters())] == [True] * 4


def test_numpy_assign_and_dtype_string():
    model = _mlp(tk)
    k = model.weights[0]
    assert k.dtype == "float32" and k.dtype == torch.float32 and str(k.dtype) == "float32"
    k.assign(np.arange(12, dtype="float32").reshape(4, 3))
    np.testing.assert_array_equal(model.get_weights()[0], np.arange(12).reshape(4, 3))
    np.testing.assert_array_equal(model.layers[0].weight.detach().numpy(),
                                  np.arange(12).reshape(4, 3).T)
    model.weights[1].assign_add(np.ones(3, "float32"))
    np.testing.assert_array_equal(model.weights[1].numpy(), np.ones(3))
    assert "path=%s/dense" % model.name in repr(k) and "shape=(4, 3)" in repr(k)


def test_keras_ops_and_torch_ops_on_views():
    model = _mlp(tk)
    k = model.weights[0]
    k.assign(np.ones((4, 3), "float32"))
    out = tk.ops.matmul(tk.ops.ones((2, 4)), k)
    assert tuple(out.shape) == (2, 3) and float(tk.ops.sum(out).detach()) == 24.0
    assert float(torch.sum(k * 2).detach()) == 24.0 and float(tk.ops.mean(k.value).detach()) == 1.0


def test_value_grad_in_keras_layout_and_optimizer_apply():
    # Keras's torch custom train_step: grads from v.value.grad, then optimizer.apply.
    model = _mlp(tk)
    opt = tk.optimizers.SGD(learning_rate=0.5)
    before = [w.numpy().copy() for w in model.trainable_weights]
    model.zero_grad()
    model(torch.ones(2, 4)).sum().backward()
    grads = [v.value.grad for v in model.trainable_weights]
    assert [tuple(g.shape) for g in grads] == [(4, 3), (3,), (3, 2), (2,)]
    with torch.no_grad():
        opt.apply(grads, model.trainable_weights)
    after = [w.numpy() for w in model.trainable_weights]
    for b, a, g in zip(before, after, grads):
        np.testing.assert_allclose(a, b - 0.5 * g.numpy(), rtol=1e-6, atol=1e-6)
    # The optimizer's slots and variables follow the torch parameters.
    assert opt._trainable_variables[0] is model.layers[0].weight


def test_keras_optimizer_build_on_views_keeps_torch_layout():
    model = _mlp(tk)
    opt = tk.optimizers.Adam()
    opt.build(model.trainable_variables)
    shapes = [tuple(v.shape) for v in opt.variables[1:]]   # after `iterations`, `lr`
    assert (3, 4) in shapes and (4, 3) not in shapes


def test_torch_optimizer_on_views_updates_parameters():
    model = _mlp(tk)
    opt = torch.optim.SGD(model.trainable_weights, lr=1.0)
    model(torch.ones(1, 4)).sum().backward()
    expected = model.layers[0].weight.detach() - model.layers[0].weight.grad
    opt.step()
    torch.testing.assert_close(model.layers[0].weight.detach(), expected)
    opt.zero_grad()
    assert model.layers[0].weight.grad is None


def test_frozen_layer_moves_weights_and_views_follow():
    model = _mlp(tk)
    model.layers[0].trainable = False
    first = model.layers[0].name
    assert [w.path for w in model.non_trainable_weights] == \
        ["%s/%s/kernel" % (model.name, first), "%s/%s/bias" % (model.name, first)]
    assert len(model.trainable_weights) == 2
    assert model.torch_weights(trainable=False) == [model.layers[0].weight,
                                                    model.layers[0].bias] or \
        [id(p) for p in model.torch_weights(trainable=False)] == \
        [id(model.layers[0].weight), id(model.layers[0].bias)]
    assert not model.weights[0].requires_grad


def test_fit_with_views_unchanged():
    model = _mlp(tk)
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((8, 4), "float32"), np.zeros((8, 2), "float32")
    k_before = model.weights[0].numpy().copy()
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    assert not np.allclose(model.weights[0].numpy(), k_before)
    assert model.count_params() == 4 * 3 + 3 + 3 * 2 + 2


def test_kernel_regularizer_sees_keras_layout_across_steps():
    seen = []

    def reg(w):
        seen.append(tuple(w.shape))
        return 0.1 * tk.ops.sum(tk.ops.square(w))

    model = tk.Sequential([tk.Input((4,)), tk.layers.Dense(3, kernel_regularizer=reg)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((8, 4), "float32"), np.zeros((8, 3), "float32")
    model.fit(x, y, epochs=2, batch_size=4, verbose=0)      # 4 steps reuse the cached view
    assert set(seen) == {(4, 3)} and len(seen) >= 4


def test_views_follow_device_and_dtype_moves():
    model = _mlp(tk)
    first = model.weights[0]
    model.to(torch.float64)
    again = model.weights[0]
    assert again is not first and again.dtype == "float64"
    assert again.data_ptr() == model.layers[0].weight.data_ptr()


def test_view_regularizer_and_constraint_are_the_users_objects():
    reg = tk.regularizers.L2(0.1)
    layer = tk.layers.Dense(3, kernel_regularizer=reg, kernel_constraint="non_neg")
    layer.build((None, 4))
    k = layer.weights[0]
    assert k.regularizer is reg and isinstance(k.constraint, tk.constraints.NonNeg)
    np.testing.assert_allclose(float(k.regularizer(k).detach()),
                               0.1 * float((k.numpy() ** 2).sum()), rtol=1e-5)


def test_copied_and_pickled_models_view_their_own_parameters():
    import copy
    import pickle
    model = _mlp(tk)
    model.weights    # fill the view cache before copying
    for clone in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        w = clone.weights[0]
        assert w.data_ptr() == clone.layers[0].weight.data_ptr()
        np.testing.assert_array_equal(w.numpy(), model.weights[0].numpy())
