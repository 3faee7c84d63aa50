"""plot_history: the curves drawn are the recorded values."""
import numpy as np
import pytest

import torchkeras as tk

pytest.importorskip("matplotlib")


def history():
    h = tk.callbacks.History()
    h.epoch = [0, 1, 2, 3]
    h.history = {"loss": [1.0, 0.6, 0.4, 0.3], "accuracy": [0.5, 0.7, 0.8, 0.85],
                 "val_loss": [1.1, 0.8, 0.7, 0.75], "val_accuracy": [0.45, 0.6, 0.7, 0.68]}
    return h


def test_curves_hold_the_history(tmp_path):
    fig = tk.utils.plot_history(history(), to_file=tmp_path / "curves.png", title="run")
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in axes] == ["loss", "accuracy"]
    loss = axes[0]
    assert [line.get_label() for line in loss.lines] == ["train", "validation"]
    np.testing.assert_allclose(loss.lines[0].get_xdata(), [1, 2, 3, 4])
    np.testing.assert_allclose(loss.lines[1].get_ydata(), [1.1, 0.8, 0.7, 0.75])
    assert (tmp_path / "curves.png").read_bytes()[:4] == b"\x89PNG"


def test_selected_metrics_dict_and_errors(tmp_path):
    fig = tk.utils.plot_history(history().history, metrics="accuracy", log_scale=("accuracy",),
                                to_file=tmp_path / "acc.svg")
    assert len(fig.axes) == 1 and fig.axes[0].get_yscale() == "log"
    assert "<svg" in (tmp_path / "acc.svg").read_text()
    with pytest.raises(ValueError, match="no values for \\['auc'\\]"):
        tk.utils.plot_history(history(), metrics=["auc"])
    with pytest.raises(ValueError, match="at least one recorded metric"):
        tk.utils.plot_history({})


def test_from_fit(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    model = tk.Sequential([tk.Input((3,)), tk.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    hist = model.fit(x, x[:, :1], epochs=3, validation_split=0.25, verbose=0)
    fig = tk.utils.plot_history(hist)
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), hist.history["loss"])
