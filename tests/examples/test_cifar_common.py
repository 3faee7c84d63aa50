"""Synthetic CIFAR-shaped data and the CIFAR-10 loader's fallback."""
import numpy as np
import pytest

import _cifar_common as common


def test_synthetic_shapes_dtypes_and_determinism():
    (x, y), (xt, yt) = common.synthetic_cifar10(300, 100, seed=3)
    assert x.shape == (300, 32, 32, 3) and x.dtype == np.uint8
    assert y.shape == (300, 1) and y.dtype == np.uint8
    assert xt.shape == (100, 32, 32, 3) and yt.shape == (100, 1)
    assert set(np.unique(y)) == set(range(10))
    (x2, y2), _ = common.synthetic_cifar10(300, 100, seed=3)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    (x3, _), _ = common.synthetic_cifar10(300, 100, seed=4)
    assert not np.array_equal(x, x3)


def test_synthetic_classes_are_learnable_but_not_trivial():
    """Nearest class mean on raw pixels: well above chance (10%), below perfect."""
    (x, y), (xt, yt) = common.synthetic_cifar10(2000, 500)
    x = x.reshape(len(x), -1).astype(np.float32)
    xt = xt.reshape(len(xt), -1).astype(np.float32)
    means = np.stack([x[y[:, 0] == c].mean(0) for c in range(10)])
    dist = ((xt[:, None, :] - means[None]) ** 2).sum(-1)
    accuracy = (dist.argmin(1) == yt[:, 0]).mean()
    assert 0.3 < accuracy < 0.6   # colour helps, but shape and colour must be combined


def test_normalize_uses_cifar_statistics():
    x = np.full((1, 2, 2, 3), 255, dtype=np.uint8)
    np.testing.assert_allclose(common.normalize(x)[0, 0, 0],
                               (1.0 - common.CIFAR_MEAN) / common.CIFAR_STD, rtol=1e-6)


def test_falls_back_to_synthetic_loudly(monkeypatch, capsys):
    from torchkeras.datasets import cifar10

    def offline(*args, **kwargs):
        raise OSError("no route to www.cs.toronto.edu\nsecond line")
    monkeypatch.setattr(cifar10, "load_data", offline)
    (x, y), (xt, yt), source = common.load_cifar10(False, 64, 32)
    out = capsys.readouterr().out
    assert source == "synthetic"
    assert "FALLING BACK TO SYNTHETIC" in out and "no route to www.cs.toronto.edu" in out
    assert x.shape == (64, 32, 32, 3) and xt.shape == (32, 32, 32, 3)


def test_uses_cifar10_when_it_loads(monkeypatch, capsys):
    from torchkeras.datasets import cifar10
    fake = ((np.zeros((50, 32, 32, 3), np.uint8), np.zeros((50, 1), np.uint8)),
            (np.ones((20, 32, 32, 3), np.uint8), np.ones((20, 1), np.uint8)))
    monkeypatch.setattr(cifar10, "load_data", lambda *a, **k: fake)
    (x, y), (xt, yt), source = common.load_cifar10(False, 10, None)
    assert source == "cifar10" and "FALLING BACK" not in capsys.readouterr().out
    assert x.shape == (10, 32, 32, 3) and xt.shape == (20, 32, 32, 3)


def test_synthetic_flag_never_touches_the_dataset(monkeypatch):
    from torchkeras.datasets import cifar10
    monkeypatch.setattr(cifar10, "load_data", lambda *a, **k: pytest.fail("downloaded"))
    assert common.load_cifar10(True, 16, 16)[2] == "synthetic"
