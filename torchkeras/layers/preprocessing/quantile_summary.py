"""The streaming quantile summary behind ``Discretization.adapt``.

A summary is a ``(2, n)`` float array: sorted partition values and the weight (count)
each stands for. Batches are summarised, merged and compressed so memory stays about
``1 / epsilon`` columns; the final bin boundaries are the compressed summary's values.
The arithmetic follows Keras's so adapted boundaries equal Keras's.
"""
from __future__ import annotations

import numpy as np


def empty_summary() -> np.ndarray:
    return np.zeros((2, 0), dtype="float32")


def summarize(values, epsilon: float) -> np.ndarray:
    """Summary of one batch: every ``step``-th sorted value, each weighing ``step``."""
    ordered = np.sort(np.reshape(values, -1))
    step = max(ordered.size * epsilon, 1)
    picked = ordered[int(step - 1)::int(step)]
    return np.stack([picked, np.full_like(picked, step)])


def compress(summary: np.ndarray, epsilon: float) -> np.ndarray:
    """Re-bins ``summary`` at cumulative-weight fractions ``epsilon, 2 epsilon, …, 1``."""
    if summary.shape[1] * epsilon < 1:
        return summary
    targets = np.arange(0.0, 1.0, epsilon) + epsilon
    cumulative = np.cumsum(summary[1])
    fractions = cumulative / cumulative[-1]
    values = np.interp(targets, fractions, summary[0])
    cumulative = np.interp(targets, fractions, cumulative)
    weights = np.diff(cumulative, prepend=0.0)
    return np.stack([values, weights]).astype("float32")


def merge(a: np.ndarray, b: np.ndarray, epsilon: float) -> np.ndarray:
    """Merges two summaries (sorted by value) and compresses the result."""
    both = np.concatenate([a, b], axis=1)
    return compress(both[:, np.argsort(both[0])], epsilon)


def bin_boundaries(summary: np.ndarray, num_bins: int) -> list:
    """The ``num_bins - 1`` inner boundaries of a summary."""
    return compress(summary, 1.0 / num_bins)[0, :-1].tolist()
