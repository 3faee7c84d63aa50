"""When a model may run its layers' ``call`` directly instead of ``layer(...)``.

The decision lives in :mod:`torchkeras.fast_paths` (fast path 2, with its condition and
measurement); this module keeps the names models and older code import from here.
"""
from __future__ import annotations

from torchkeras.fast_paths import direct_calls, inputs_allow_direct

__all__ = ["direct_calls", "inputs_allow_direct"]
