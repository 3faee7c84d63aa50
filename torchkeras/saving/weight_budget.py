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
    """Bytes of the parameters and buffers that modules hold, counted as they register.

    A layer may register a tensor and replace or drop it while building (Dense moves
    its kernel into torch's layout), so a module is counted from what it actually holds
    once the next module starts registering, and again at the end.
    """

    def __init__(self, limit: int, origin: str, holds: str):
        self.limit, self.origin, self.holds = limit, origin, holds
        self.modules: dict = {}     # id -> module (kept alive so ids stay unique)
        self.bytes: dict = {}       # id(module) -> bytes it holds, when last counted
        self.owner: dict = {}       # id(tensor) -> id(module) counting it (tied weights once)
        self.total = 0
        self.current = None
        self.refusal: WeightBudgetError | None = None

    def registered(self, module) -> None:
        if self.current is not None and self.current is not module:
            self.settle(self.current)
        self.modules[id(module)] = module
        self.current = module

    def settle(self, module) -> None:
        size = 0
        for tensor in list(module._parameters.values()) + list(module._buffers.values()):
            if tensor is None or self.owner.setdefault(id(tensor), id(module)) != id(module):
                continue
            size += tensor.numel() * tensor.element_size()
        self.total += size - self.bytes.get(id(module), 0)
        self.bytes[id(module)] = size
        if self.total > self.limit:
            self.refuse(module)

    def finish(self) -> None:
        for module in list(self.modules.values()):
            self.settle(module)

    def refuse(self, module) -> None:
        if self.refusal is None:
            name = getattr(module, "name", None)
            label = "layer '%s' (%s)" % (name, type(module).__name__) if isinstance(name, str) \
                else "module %s" % type(module).__name__
            self.refusal = WeightBudgetError(
                "%s: refusing to build %s: its weights take %s bytes, bringing the model to "
                "%s bytes, more than the %s bytes allowed (%s)."
                % (self.origin, label, format(self.bytes[id(module)], ","),
                   format(self.total, ","), format(self.limit, ","), self.holds))
        raise self.refusal


def _on_parameter(module, name, param):
    tally = getattr(_active, "tally", None)
    if tally is not None:
        tally.registered(module)


def _on_buffer(module, name, buffer):
    tally = getattr(_active, "tally", None)
    if tally is not None:
        tally.registered(module)


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
            tally.finish()
    except Exception:
        if tally.refusal is not None:
            raise tally.refusal from None
        # Not buildable on meta (a layer reading its weights' values while building):
        # the real run below still counts, and fails the same way if the config is bad.
    real = _Tally(limit, origin, holds)
    with _counting(real):
        try:
            model = build()
            real.finish()
            return model
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
