"""The training forward pass under ``torch.compile``: ``compile(jit_compile=...)``.

``jit_compile=True`` compiles with torch's default mode. A string names a
``torch.compile`` mode instead; ``"reduce-overhead"`` replays the compiled forward and
backward as CUDA graphs on a CUDA device, which removes most of the host time of a
static-shape training step (on CPU it compiles as the default mode does).

A compiled graph is specialised on the batch size it first sees. A batch of another
size (typically the last, shorter batch of an epoch) runs eagerly instead: one
different batch per epoch is not worth a recompilation, and CUDA graphs would record a
second graph for it.
"""
from __future__ import annotations

from typing import Callable

import torch

# torch.compile's modes; "reduce-overhead" and "max-autotune" use CUDA graphs on CUDA.
COMPILE_MODES = ("default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs")
_CUDAGRAPH_MODES = ("reduce-overhead", "max-autotune")


def check_jit_compile(jit_compile) -> None:
    """Raises ValueError for a string that is neither ``"auto"`` nor a compile mode."""
    if isinstance(jit_compile, str) and jit_compile != "auto" \
            and jit_compile not in COMPILE_MODES:
        raise ValueError("jit_compile must be a bool, 'auto' or one of torch.compile's modes "
                         "%s, got %r" % (", ".join(repr(m) for m in COMPILE_MODES),
                                         jit_compile))


class CompiledForward:
    """``forward(x)`` compiled once with ``torch.compile(mode=...)``, eager for odd batches.

    Args:
        forward: The eager training forward, ``x -> y_pred``.
        mode: A ``torch.compile`` mode, or None for the default.

    Example:
        >>> step_forward = CompiledForward(lambda x: model(x, training=True),
        ...                                "reduce-overhead")
        >>> y_pred = step_forward(x)
    """

    def __init__(self, forward: Callable, mode: str | None = None):
        if mode is not None and mode not in COMPILE_MODES:
            check_jit_compile(mode)
        self.mode = mode
        self._eager = forward
        self._compiled = torch.compile(forward, mode=mode)
        self._batch: int | None = None
        self.eager_calls = 0      # batches of another size, run eagerly (tests read it)
        self.compiled_calls = 0

    def __call__(self, x):
        n = x.shape[0] if type(x) is torch.Tensor and x.dim() else None
        if n is not None:
            if self._batch is None:
                self._batch = n
            elif n != self._batch:
                self.eager_calls += 1
                return self._eager(x)
        if self.mode in _CUDAGRAPH_MODES:
            # A new training iteration: CUDA-graph outputs of the previous step may be
            # overwritten now (fit keeps none of them past its step).
            torch.compiler.cudagraph_mark_step_begin()
        self.compiled_calls += 1
        return self._compiled(x)
