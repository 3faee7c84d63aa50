"""Lookahead: slow weights synced every k steps, schedules, finalize, config, fit."""
import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import optimizers
from torchkeras.variables import Variable


def _params(seed=0):
    g = torch.Generator().manual_seed(seed)
    return [Variable(torch.randn(4, 3, generator=g), name="w"),
            Variable(torch.randn(3, generator=g), name="b")]


def _grads(step, params):
    g = torch.Generator().manual_seed(100 + step)
    return [torch.randn(p.shape, generator=g) for p in params]


def _reference(params, steps, lr, k, alpha):
    """Plain SGD with Lookahead written out by hand."""
    fast = [p.detach().clone() for p in params]
    slow = [p.clone() for p in fast]
    for t in range(steps):
        for f, g in zip(fast, _grads(t, params)):
            f -= lr * g
        if (t + 1) % k == 0:
            a = alpha(t + 1) if callable(alpha) else alpha
            for s, f in zip(slow, fast):
                s += a * (f - s)
                f.copy_(s)
    return fast, slow


@pytest.mark.parametrize("alpha", [0.5, lambda step: 1.0 - 0.01 * step])
def test_matches_hand_written_lookahead(alpha):
    params = _params()
    ref_fast, ref_slow = _reference(params, 7, 0.1, 3, alpha)
    opt = optimizers.Lookahead(optimizers.SGD(0.1), sync_period=3, slow_step_size=alpha)
    opt.build(params)
    for t in range(7):
        opt.apply(_grads(t, params), params)
    for p, r in zip(params, ref_fast):
        np.testing.assert_allclose(p.detach().numpy(), r.numpy(), rtol=1e-6, atol=1e-6)
    assert int(opt.iterations) == 7
    opt.finalize_variable_values(params)   # the model ends on the slow weights
    for p, r in zip(params, ref_slow):
        np.testing.assert_allclose(p.detach().numpy(), r.numpy(), rtol=1e-6, atol=1e-6)


def test_finalize_before_first_sync_keeps_the_trained_weights():
    """Fewer steps than sync_period: the slow copy is still the start, so keep the fast."""
    params = _params()
    start = [p.detach().clone() for p in params]
    ref_fast, _ = _reference(params, 4, 0.1, 5, 0.5)
    opt = optimizers.Lookahead(optimizers.SGD(0.1), sync_period=5, slow_step_size=0.5)
    opt.build(params)
    for t in range(4):
        opt.apply(_grads(t, params), params)
    opt.finalize_variable_values(params)
    for p, r, s in zip(params, ref_fast, start):
        np.testing.assert_allclose(p.detach().numpy(), r.numpy(), rtol=1e-6, atol=1e-6)
        assert not torch.allclose(p.detach(), s)
    opt.apply(_grads(4, params), params)   # step 5 syncs: from now on the slow weights rule
    slow = [p.detach().clone() for p in params]
    opt.apply(_grads(5, params), params)
    opt.finalize_variable_values(params)
    for p, s in zip(params, slow):
        np.testing.assert_allclose(p.detach().numpy(), s.numpy(), rtol=1e-6, atol=1e-6)


def test_step_path_and_schedule_object():
    """``step()`` on .grad (the fit path) and a LearningRateSchedule as step size."""
    class Half(optimizers.schedules.LearningRateSchedule):
        def __call__(self, step):
            return 0.5

        def get_config(self):
            return {}

    params = _params()
    ref_fast, _ = _reference(params, 4, 0.1, 2, 0.5)
    opt = optimizers.Lookahead(optimizers.SGD(0.1), sync_period=2, slow_step_size=Half())
    opt.build(params)
    for t in range(4):
        for p, g in zip(params, _grads(t, params)):
            p.grad = g
        opt.step()
        opt.zero_grad()
    for p, r in zip(params, ref_fast):
        np.testing.assert_allclose(p.detach().numpy(), r.numpy(), rtol=1e-6, atol=1e-6)


def test_extra_variables_follow_the_slow_weights():
    params = _params()
    stat = torch.zeros(3)
    opt = optimizers.Lookahead(optimizers.SGD(0.0), sync_period=1, slow_step_size=0.25,
                               extra_variables=[stat, torch.zeros(2, dtype=torch.long)])
    opt.build(params)
    stat.fill_(4.0)   # moved by something else (BatchNorm statistics, say)
    opt.apply([torch.zeros_like(p) for p in params], params)
    np.testing.assert_allclose(stat.numpy(), np.full(3, 1.0))   # 0 + 0.25 * (4 - 0)


def test_learning_rate_delegates_to_inner():
    inner = optimizers.SGD(0.1)
    opt = optimizers.Lookahead(inner)
    assert float(opt.learning_rate) == pytest.approx(0.1)
    opt.learning_rate = 0.05
    assert float(inner.learning_rate) == pytest.approx(0.05)


def test_config_round_trip():
    opt = optimizers.Lookahead(optimizers.SGD(0.1, momentum=0.9), sync_period=4,
                               slow_step_size=0.3)
    again = optimizers.deserialize(optimizers.serialize(opt))
    assert isinstance(again, optimizers.Lookahead)
    assert isinstance(again.inner_optimizer, optimizers.SGD)
    assert again.inner_optimizer.momentum == 0.9
    assert (again.sync_period, again.slow_step_size) == (4, 0.3)


@pytest.mark.parametrize("kwargs, match", [
    ({"sync_period": 0}, "sync_period"),
    ({"sync_period": 2.5}, "sync_period"),
    ({"slow_step_size": 1.5}, "slow_step_size"),
    ({"slow_step_size": "half"}, "slow_step_size"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        optimizers.Lookahead(optimizers.SGD(), **kwargs)


def test_refuses_inner_ema():
    with pytest.raises(ValueError, match="use_ema"):
        optimizers.Lookahead(optimizers.SGD(use_ema=True))


def test_state_round_trip():
    params = _params()
    opt = optimizers.Lookahead(optimizers.SGD(0.1, momentum=0.9), sync_period=2)
    opt.build(params)
    for t in range(3):
        opt.apply(_grads(t, params), params)
    saved = {}
    opt.save_own_variables(saved)
    params2 = [Variable(p.detach().clone(), name=p.name) for p in params]
    opt2 = optimizers.Lookahead(optimizers.SGD(0.1, momentum=0.9), sync_period=2)
    opt2.build(params2)
    opt2.load_own_variables(saved)
    for t in range(3, 6):
        opt.apply(_grads(t, params), params)
        opt2.apply(_grads(t, params2), params2)
    for a, b in zip(params, params2):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6)


def test_fit_with_lookahead():
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5], [3.0]], dtype="float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    opt = optimizers.Lookahead(optimizers.SGD(0.05), sync_period=5, slow_step_size=0.5)
    model.compile(optimizer=opt, loss="mse")
    history = model.fit(x, y, batch_size=16, epochs=10, verbose=0)
    assert int(opt.iterations) == 40
    assert history.history["loss"][-1] < 0.1 * history.history["loss"][0]


def test_overflowing_step_under_loss_scaling_changes_nothing():
    """mixed_float16 wraps the optimizer in a LossScaleOptimizer: a step with an inf
    gradient must leave weights, momentum and slow weights as they were."""
    params = _params()
    stat = torch.ones(3)
    inner = optimizers.SGD(0.1, momentum=0.9)
    opt = optimizers.LossScaleOptimizer(
        optimizers.Lookahead(inner, sync_period=1, slow_step_size=0.5, extra_variables=[stat]))
    opt.build(params)
    opt.apply([g * opt.dynamic_scale for g in _grads(0, params)], params)
    before = [t.detach().clone() for t in params + inner.momentums + [stat]]
    bad = _grads(1, params)
    bad[0][0, 0] = float("inf")
    stat.fill_(7.0)   # a forward pass moved the statistics; a sync would pull them back
    opt.apply(bad, params)
    after = params + inner.momentums
    for a, b in zip(after, before):
        np.testing.assert_array_equal(a.detach().numpy(), b.numpy())
    np.testing.assert_array_equal(stat.numpy(), np.full(3, 7.0))
    # own: iteration, learning rate, 3 slow copies; inner: iteration, learning rate, 2 slots
    assert len(opt.inner_optimizer.variables) == 5 + 4
