"""quickstart.py, train_with_callbacks.py and the README's first snippet (readme_mnist.py).

Every example accepts ``--synthetic``; the README snippet runs as written, offline too.
"""
import os
import runpy

import numpy as np
import pytest

import quickstart
import train_with_callbacks

_EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "examples")


def test_quickstart_accepts_synthetic(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("QUICKSTART_DIR", str(tmp_path))
    assert quickstart.main(["--synthetic", "--epochs", "3", "--verbose", "0"]) == 0
    out = capsys.readouterr().out
    assert "reloaded model predicts identically: True" in out
    assert (tmp_path / "quickstart.keras").exists()


def test_train_with_callbacks_takes_synthetic_as_a_flag_not_a_folder():
    args = train_with_callbacks.parse_args(["--synthetic"])
    assert args.synthetic and args.output_dir is None
    assert train_with_callbacks.parse_args(["--output-dir", "out"]).output_dir == "out"
    with pytest.raises(SystemExit):
        train_with_callbacks.parse_args(["some_folder"])


def _run_snippet(tmp_path, monkeypatch, load_data):
    import torchkeras as keras
    monkeypatch.setattr(keras.datasets.mnist, "load_data", load_data)
    monkeypatch.chdir(tmp_path)
    return runpy.run_path(os.path.join(_EXAMPLES, "readme_mnist.py"))


def test_readme_snippet_runs_offline(tmp_path, monkeypatch, capsys):
    def offline():
        raise OSError("no network")
    ns = _run_snippet(tmp_path, monkeypatch, offline)
    assert "training on random data" in capsys.readouterr().out
    assert ns["x_train"].shape == (6000, 784) and ns["x_train"].max() <= 1.0
    assert len(ns["history"].history["loss"]) == 5
    assert (tmp_path / "mnist.keras").exists()


def test_readme_snippet_learns_from_the_loaded_data(tmp_path, monkeypatch):
    """With (MNIST-shaped) data from load_data the snippet trains on it and learns."""
    rng = np.random.default_rng(0)

    def load():
        y = rng.integers(0, 10, 1200).astype(np.uint8)
        x = rng.integers(0, 60, (1200, 28, 28)).astype(np.uint8)
        x[np.arange(1200), y * 2, :] = 255      # one bright row per class
        return (x[:1000], y[:1000]), (x[1000:], y[1000:])
    ns = _run_snippet(tmp_path, monkeypatch, load)
    loss, acc = ns["model"].evaluate(ns["x_test"], ns["y_test"], verbose=0)
    assert ns["x_train"].shape == (1000, 784)
    assert acc > 0.9
