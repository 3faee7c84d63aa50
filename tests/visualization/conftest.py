"""Shared fixtures of the gallery tests: matplotlib on Agg, shown figures kept and read."""
import numpy as np
import pytest


@pytest.fixture
def figures(monkeypatch):
    """Keeps the figures the functions would show, instead of showing them."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    kept = []
    real_close = plt.close
    monkeypatch.setattr(plt, "show", lambda *a, **k: kept.append(plt.gcf()))
    monkeypatch.setattr(plt, "close", lambda *a, **k: None)
    yield kept
    for fig in kept:
        real_close(fig)


def _first_image(ax):
    return ax.get_images()[0].get_array()


def _figure_content(fig):
    return ([ax.get_title() for ax in fig.axes],
            [np.asarray(_first_image(ax)) for ax in fig.axes if ax.get_images()])


@pytest.fixture
def shown_image():
    """``shown_image(ax)``: the pixels an axes shows (its first image)."""
    return _first_image


@pytest.fixture
def figure_content():
    """``figure_content(fig)``: the axes' titles and shown pixels, to compare two figures."""
    return _figure_content
