"""Bounded allocation when building models from configs that came from outside.

A config is a few kilobytes of JSON, but ``Dense(units=10**9)`` in it would make the
loader allocate gigabytes. Before anything is built for real, the config is built once on
torch's ``meta`` device (shapes and dtypes, no storage) while every parameter and buffer
registered on any module is counted; the count is compared with what the source can
justify (the bytes of weights an archive holds, or a stated ceiling for a bare config).
No per-layer table: whatever a layer registers is measured, built-in or custom.
"""
from __future__ import annotations

import contextlib
import random
import threading
from typing import Callable, Iterator

import numpy as np
import torch
from torch.nn.modules import module as _torch_module

from torchkeras import config as _config

# State a model holds beyond its saved weights (seed states, counters, non-persistent
# buffers): allowed on top of the bytes of weights an archive holds.
WEIGHT_SLACK_BYTES = 16 << 20
# Ceiling for configs that come without weights (``model_from_json``): 4 GiB.
DEFAULT_MAX_WEIGHT_BYTES = 1 << 32

_active = threading.local()


class WeightBudgetError(ValueError):
    """A config would build more weight bytes than its source justifies."""


class _Tally:
    """Counts the bytes of every tensor registered on a module in this thread."""

    def __init__(self, limit: int, origin: str, holds: str):
        self.limit, self.origin, self.holds = limit, origin, holds
        self.total = 0
        self.seen: set = set()
        self.refusal: WeightBudgetError | None = None

    def add(self, module, tensor) -> None:
        if tensor is None or id(tensor) in self.seen:
            return
        self.seen.add(id(tensor))
        size = tensor.numel() * tensor.element_size()
        self.total += size
        if self.total > self.limit and self.refusal is None:
            name = getattr(module, "name", None)
            label = "layer '%s' (%s)" % (name, type(module).__name__) if isinstance(name, str) \
                else "module %s" % type(module).__name__
            self.refusal = WeightBudgetError(
                "%s: refusing to build %s: its weights take %s bytes, bringing the model to "
                "%s bytes, more than the %s bytes allowed (%s)."
                % (self.origin, label, format(size, ","), format(self.total, ","),
                   format(self.limit, ","), self.holds))
        if self.refusal is not None:
            raise self.refusal


def _on_parameter(module, name, param):
    tally = getattr(_active, "tally", None)
    if tally is not None:
        tally.add(module, param)


def _on_buffer(module, name, buffer):
    tally = getattr(_active, "tally", None)
    if tally is not None:
        tally.add(module, buffer)


@contextlib.contextmanager
def _counting(tally: _Tally) -> Iterator[_Tally]:
    handles = [_torch_module.register_module_parameter_registration_hook(_on_parameter),
               _torch_module.register_module_buffer_registration_hook(_on_buffer)]
    _active.tally = tally
    try:
        yield tally
    finally:
        _active.tally = None
        for handle in handles:
            handle.remove()


@contextlib.contextmanager
def _on_meta() -> Iterator[None]:
    """New weights land on ``meta``; random generators come out as they went in."""
    device = _config.get_device()
    states = (torch.get_rng_state(), random.getstate(), np.random.get_state())
    _config.set_device("meta")
    try:
        with torch.device("meta"):
            yield
    finally:
        _config.set_device(device)
        torch.set_rng_state(states[0])
        random.setstate(states[1])
        np.random.set_state(states[2])


def build_within_budget(build: Callable[[], object], limit: int, origin: str, holds: str):
    """Runs ``build`` (which builds a model from a config) only if it fits ``limit`` bytes.

    ``build`` runs first on the meta device, counting the bytes of every parameter and
    buffer it registers, and stops with a ``ValueError`` naming the layer that crosses
    ``limit``. Only then does it run for real (still counted: a custom layer that cannot
    be built on ``meta`` is refused right after the allocation that crosses the line).

    Args:
        build: Builds and returns the model; called at most twice.
        limit: Largest number of bytes of weights the model may take.
        origin: Where the config comes from, for messages (``"Model file 'm.keras'"``).
        holds: What justifies ``limit``, for messages.

    Returns:
        What the real run of ``build`` returns.

    Example:
        >>> model = build_within_budget(lambda: deserialize_keras_object(cfg), 1 << 30,
        ...                             "config", "the ceiling passed")
    """
    tally = _Tally(limit, origin, holds)
    try:
        with _counting(tally), _on_meta():
            build()
    except Exception as e:
        if tally.refusal is not None:
            raise tally.refusal from None
        # Not buildable on meta (a layer reading its weights' values while building):
        # the real run below still counts, and fails the same way if the config is bad.
        del e
    with _counting(_Tally(limit, origin, holds)) as real:
        try:
            return build()
        except Exception:
            if real.refusal is not None:
                raise real.refusal from None
            raise


def check_limit(value, argument: str) -> int | None:
    """Validates a byte ceiling passed by a user (``None`` turns the check off)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError("`%s` must be a non-negative number of bytes or None, got %r."
                         % (argument, value))
    return int(value)
