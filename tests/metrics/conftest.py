"""Shared helpers for the metric tests: run a torchkeras metric and a Keras 3 metric on
the same batches and compare their results after every update and after a reset."""
import numpy as np
import pytest


def _to_numpy(x):
    if hasattr(x, "detach"):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def _compare(ours, ref, rtol, atol, where):
    if isinstance(ref, dict):
        assert set(ours) == set(ref), where
        for k in ref:
            _compare(ours[k], ref[k], rtol, atol, where + "[%s]" % k)
        return
    a, b = _to_numpy(ours), _to_numpy(ref)
    assert a.shape == b.shape, "%s: shape %s vs Keras %s" % (where, a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=where)


def run_against_keras(ours, ref, batches, rtol=1e-5, atol=1e-6):
    """Feeds ``batches`` of (y_true, y_pred, sample_weight) to both metrics, comparing
    results after each update, then resets both and compares again on the first batch."""
    assert batches
    for i, (y_true, y_pred, sw) in enumerate(batches):
        kwargs = {} if sw is None else {"sample_weight": sw}
        ours.update_state(y_true, y_pred, **kwargs)
        ref.update_state(y_true, y_pred, **kwargs)
        _compare(ours.result(), ref.result(), rtol, atol, "%s after batch %d" % (ref.name, i))
    ours.reset_state()
    ref.reset_state()
    _compare(ours.result(), ref.result(), rtol, atol, "%s after reset" % ref.name)
    y_true, y_pred, sw = batches[-1]
    ours.update_state(y_true, y_pred, **({} if sw is None else {"sample_weight": sw}))
    ref.update_state(y_true, y_pred, **({} if sw is None else {"sample_weight": sw}))
    _compare(ours.result(), ref.result(), rtol, atol, "%s after reset+update" % ref.name)


@pytest.fixture
def against_keras():
    return run_against_keras


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
