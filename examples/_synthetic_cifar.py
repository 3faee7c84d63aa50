"""A synthetic CIFAR-10 stand-in: learnable, but not in a few steps. It is NOT CIFAR-10.

Each of the 10 classes is a shape (disk, square, triangle, ring, cross) in a colour
(one of 5 hues), and each shape and each hue belongs to two classes: neither the colour
nor the outline alone tells the class, a model has to learn both and combine them.

Each image places its object at a random position, size and orientation on a smooth
random background, jitters its colour and brightness, paints a random texture (stripes
or dots, which say nothing about the class) on it, adds a distractor blob of a random
colour and pixel noise. The
same generator makes the training and the test split, deterministically from a seed,
with numpy alone (about 1 s per 10,000 images).
"""
from __future__ import annotations

import numpy as np

NUM_CLASSES = 10
_CHUNK = 2048   # images generated at once: bounded memory for 50,000-image sets

# class -> (shape, hue in turns): classes i and i + 5 share shape i; hue j serves class j
# and class 5 + (j - 2) % 5, so every shape and every hue is two classes' cue.
_CLASSES = [(c % 5, ((c % 5) + 2 * (c // 5)) % 5 / 5.0) for c in range(10)]


def _hue_to_rgb(hue: np.ndarray) -> np.ndarray:
    """Fully saturated colours for hues in turns: ``(..., 3)`` in [0, 1]."""
    k = (hue[..., None] * 6.0 + np.array([5.0, 3.0, 1.0])) % 6.0
    return 1.0 - np.clip(np.minimum(k, 4.0 - k), 0.0, 1.0)


def _smooth_background(rng, n: int) -> np.ndarray:
    """Smooth random colour fields: a 3x3 grid bilinearly upsampled to 32x32."""
    grid = rng.uniform(0.15, 0.85, size=(n, 3, 3, 3)).astype(np.float32)
    pos = np.linspace(0, 2, 32, dtype=np.float32)
    i0 = np.minimum(pos.astype(int), 1)
    t = (pos - i0).astype(np.float32)
    w0, w1 = (1 - t)[:, None, None], t[:, None, None]          # (32, 1, 1) row weights
    rows = grid[:, i0] * w0 + grid[:, i0 + 1] * w1
    return rows[:, :, i0] * w0[:, 0] + rows[:, :, i0 + 1] * w1[:, 0]


def _shape_distance(kind: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Signed distance-like field of one shape in the unit frame (< 0 inside)."""
    if kind == 0:                                                  # disk
        return np.sqrt(u * u + v * v) - 1.0
    if kind == 1:                                                  # square
        return np.maximum(np.abs(u), np.abs(v)) - 0.85
    if kind == 2:                                                  # triangle, apex up
        return np.maximum(np.maximum(v - 0.7, -0.9 - v), np.abs(u) - (v + 0.9) * 0.6)
    if kind == 3:                                                  # ring
        return np.abs(np.sqrt(u * u + v * v) - 0.75) - 0.3
    return np.minimum(np.maximum(np.abs(u) - 1.0, np.abs(v) - 0.33),   # cross
                      np.maximum(np.abs(v) - 1.0, np.abs(u) - 0.33))


def _shape_masks(shape: np.ndarray, u: np.ndarray, v: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Soft-edged masks of each image's shape in its own (rotated, scaled) frame."""
    mask = np.empty(u.shape, dtype=np.float32)
    for kind in range(5):                     # each image's own shape only
        sel = shape == kind
        if sel.any():
            dist = _shape_distance(kind, u[sel] / r[sel], v[sel] / r[sel])
            mask[sel] = np.clip(0.5 - dist * r[sel] * 0.7, 0.0, 1.0)   # ~1.5-pixel edge
    return mask


def _make(rng, n: int, noise: float):
    y = rng.integers(0, NUM_CLASSES, size=n)
    x = np.empty((n, 32, 32, 3), dtype=np.uint8)
    table = np.array(_CLASSES, dtype=np.float64)
    coords = np.arange(32, dtype=np.float32) - 15.5
    for start in range(0, n, _CHUNK):
        yy = y[start:start + _CHUNK]
        m = len(yy)
        shape, hue = table[yy, 0].astype(int), table[yy, 1]
        texture = rng.integers(0, 2, size=m)
        cy, cx = (rng.uniform(-7, 7, size=(2, m, 1, 1))).astype(np.float32)
        radius = rng.uniform(6.0, 11.0, size=(m, 1, 1)).astype(np.float32)
        angle = rng.uniform(-0.6, 0.6, size=(m, 1, 1)).astype(np.float32)
        dy = coords[None, :, None] - cy
        dx = coords[None, None, :] - cx
        cos, sin = np.cos(angle), np.sin(angle)
        u, v = cos * dx + sin * dy, cos * dy - sin * dx
        mask = _shape_masks(shape, u, v, radius)
        # Texture: stripes across the object, or a grid of dots; period 3-5 pixels.
        period = rng.uniform(3.0, 5.0, size=(m, 1, 1)).astype(np.float32)
        phase = rng.uniform(0, 2 * np.pi, size=(m, 1, 1)).astype(np.float32)
        tex = np.sin(2 * np.pi * u / period + phase)
        dotted = texture == 1
        tex[dotted] *= np.sin(2 * np.pi * v[dotted] / period[dotted])
        # Colour: the class hue (hues are 0.2 turns apart), jittered with sd 0.05 turns.
        colour = _hue_to_rgb(hue + rng.normal(0.0, 0.05, size=m)).astype(np.float32)
        colour *= rng.uniform(0.6, 1.0, size=(m, 1)).astype(np.float32)
        obj = colour[:, None, None, :] * (0.7 + 0.3 * tex[..., None])
        img = _smooth_background(rng, m)
        # A distractor: a soft blob of a random colour somewhere else.
        by, bx = rng.uniform(-14, 14, size=(2, m, 1, 1)).astype(np.float32)
        blob = np.exp(-((coords[None, :, None] - by) ** 2 + (coords[None, None, :] - bx) ** 2)
                      / (2 * rng.uniform(2.0, 4.0, size=(m, 1, 1)).astype(np.float32) ** 2))
        blob_colour = rng.uniform(0, 1, size=(m, 1, 1, 3)).astype(np.float32)
        img += 0.6 * blob[..., None] * (blob_colour - img)
        img += mask[..., None] * (obj - img)
        img += noise * rng.standard_normal(size=img.shape, dtype=np.float32)
        x[start:start + m] = np.clip(img * 255.0, 0, 255).astype(np.uint8)
    return x, y.astype(np.uint8).reshape(n, 1)


def synthetic_cifar10(n_train: int, n_test: int, seed: int = 0, noise: float = 0.12):
    """CIFAR-shaped data with classes that take some learning (NOT CIFAR-10).

    Args:
        n_train: Training images.
        n_test: Test images.
        seed: Seed of the generator (the same seed gives the same sets).
        noise: Standard deviation of the pixel noise, in units of the [0, 1] range.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 ``(N, 32, 32, 3)`` images and
        uint8 ``(N, 1)`` labels, as ``keras.datasets.cifar10.load_data`` returns them.

    Example:
        >>> (x, y), (xt, yt) = synthetic_cifar10(10000, 2000, seed=0)
        >>> x.shape, y.shape
        ((10000, 32, 32, 3), (10000, 1))
    """
    for name, value in (("n_train", n_train), ("n_test", n_test)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError("synthetic_cifar10: %s must be a non-negative integer, got %r"
                             % (name, value))
    rng = np.random.default_rng(seed)
    return _make(rng, int(n_train), noise), _make(rng, int(n_test), noise)
