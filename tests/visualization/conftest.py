"""Shared fixture of the gallery tests: matplotlib on Agg, shown figures kept."""
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
