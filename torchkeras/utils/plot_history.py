"""plot_history: training curves of a ``History`` drawn with matplotlib."""
from __future__ import annotations

import math
import os


def plot_history(history, metrics=None, to_file=None, figsize=None, dpi: int = 100,
                 title: str | None = None, log_scale=()):
    """Plots each metric per epoch, training and validation curves together.

    Needs matplotlib (``pip install matplotlib`` or ``torchkeras[plot]``); no window is
    opened, the figure is returned (and saved to ``to_file`` if given).

    Args:
        history: The ``History`` returned by ``fit`` (or its ``.history`` dict).
        metrics: Names to plot (``"loss"``, ``"accuracy"``, ...), without the ``val_``
            prefix; by default every training metric recorded.
        to_file: Save the figure there (``.png``, ``.svg``, ``.pdf`` ...).
        figsize: Figure size in inches (default: 5 x 3.5 per panel).
        dpi: Resolution of saved raster images.
        title: Title over all panels.
        log_scale: Names of metrics drawn with a logarithmic y axis.

    Returns:
        The ``matplotlib.figure.Figure``.

    Example:
        >>> history = model.fit(x, y, validation_split=0.2, epochs=20)
        >>> plot_history(history, metrics=["loss", "accuracy"], to_file="curves.png")
    """
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("plot_history requires matplotlib: `pip install matplotlib` "
                          "(or `pip install torchkeras[plot]`).") from None
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict) or not logs:
        raise ValueError("plot_history expects a History (or its .history dict) with at least "
                         "one recorded metric, got %r" % (history,))
    epochs = list(getattr(history, "epoch", None) or range(len(next(iter(logs.values())))))
    if metrics is None:
        metrics = [k for k in logs if not k.startswith("val_")] or \
            sorted({k[4:] for k in logs})
    elif isinstance(metrics, str):
        metrics = [metrics]
    missing = [m for m in metrics if m not in logs and "val_" + m not in logs]
    if missing:
        raise ValueError("plot_history: no values for %s; recorded: %s"
                         % (missing, sorted(logs)))
    cols = min(len(metrics), 3)
    rows = math.ceil(len(metrics) / cols)
    fig = Figure(figsize=figsize or (5.0 * cols, 3.5 * rows), dpi=dpi)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    x = [e + 1 for e in epochs]   # epochs are shown 1-based, as in the progress bar
    for ax, name in zip(axes, metrics):
        for key, label, style in ((name, "train", "-o"), ("val_" + name, "validation", "-s")):
            values = logs.get(key)
            if values:
                ax.plot(x[-len(values):], values, style, markersize=3, label=label)
        ax.set_title(name)
        ax.set_xlabel("epoch")
        if name in log_scale:
            ax.set_yscale("log")
        ax.grid(True, alpha=0.3)
        ax.legend()
    for ax in axes[len(metrics):]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    if to_file is not None:
        to_file = os.fspath(to_file)
        folder = os.path.dirname(to_file)
        if folder:
            os.makedirs(folder, exist_ok=True)
        fig.savefig(to_file, dpi=dpi)
    return fig
