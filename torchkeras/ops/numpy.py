"""Keras 3's `keras.ops` (numpy family) on torch tensors."""
from __future__ import annotations

__all__: list[str] = []
