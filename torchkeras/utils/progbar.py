"""Progbar: Keras's live progress bar (steps, ETA, time per step, running metrics)."""
from __future__ import annotations

import sys
import time


def _is_interactive() -> bool:
    if "ipykernel" in sys.modules:
        return True
    return hasattr(sys.stdout, "isatty") and sys.stdout.isatty()


def _format_value(v) -> str:
    v = float(v)
    if v != 0 and (abs(v) < 1e-3 or abs(v) >= 1e4):
        return "%.4e" % v
    return "%.4f" % v


class Progbar:
    """Displays a progress bar.

    Args:
        target: Total number of steps (``None`` if unknown).
        width: Bar width in characters.
        verbose: 1 = live bar, 2 = one line at the end, 0 = silent.
        interval: Minimum seconds between redraws (each redraw reads values once).
        stateful_metrics: Accepted for Keras compatibility: values are shown as given.
        unit_name: Label of a step (``"step"``).

    Example:
        >>> bar = Progbar(100)
        >>> bar.update(10, values=[("loss", 0.5)])
    """

    def __init__(self, target, width: int = 20, verbose: int = 1, interval: float = 0.25,
                 stateful_metrics=None, unit_name: str = "step"):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self._dynamic = _is_interactive() or "ipykernel" in sys.modules
        self._start = time.time()
        self._last_update = 0.0
        self._prev_len = 0
        self._seen = 0
        self._values: dict = {}

    @property
    def seen(self) -> int:
        """The position last passed to ``update`` (steps or samples seen)."""
        return self._seen

    def update(self, current: int, values=None, finalize: bool | None = None) -> None:
        """Moves the bar to ``current``; ``values`` is a list of (name, value) or a callable
        returning it (called only when the bar is actually redrawn)."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        self._seen = current
        now = time.time()
        if self.verbose == 0:
            return
        if self.verbose == 2 and not finalize:
            return
        if not finalize and now - self._last_update < self.interval:
            return
        self._last_update = now
        if callable(values):
            values = values()
        for k, v in values or []:
            self._values[k] = v
        elapsed = now - self._start
        per_step = elapsed / max(current, 1)
        if self.verbose == 1:
            line = self._bar_text(current)
            if finalize:
                line += " %s %s" % (_format_time(elapsed), _format_per_step(per_step, self.unit_name))
            else:
                eta = per_step * (self.target - current) if self.target else 0
                line += " %s %s" % (_format_time(eta), _format_per_step(per_step, self.unit_name))
            line += self._metrics_text()
            self._write(line, finalize)
        else:
            line = "%s/%s - %s - %s%s" % (current, self.target, _format_time(elapsed),
                                          _format_per_step(per_step, self.unit_name),
                                          self._metrics_text())
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    def add(self, n: int, values=None) -> None:
        self.update(self._seen + n, values)

    def _bar_text(self, current: int) -> str:
        if self.target:
            digits = len(str(self.target))
            text = "%*d/%d" % (digits, current, self.target)
            filled = int(self.width * current / self.target)
            bar = "\u2501" * filled + " " * (self.width - filled) if self._dynamic else \
                "[" + "=" * max(filled - 1, 0) + (">" if filled < self.width else "=") + \
                "." * (self.width - filled) + "]"
            return "%s %s" % (text, bar)
        return "%d" % current

    def _metrics_text(self) -> str:
        return "".join(" - %s: %s" % (k, _format_value(v)) for k, v in self._values.items())

    def _write(self, line: str, finalize: bool) -> None:
        if self._dynamic:
            pad = max(self._prev_len - len(line), 0)
            sys.stdout.write("\r" + line + " " * pad + ("\n" if finalize else ""))
            self._prev_len = len(line)
        elif finalize:
            sys.stdout.write(line + "\n")
        sys.stdout.flush()


def _format_time(seconds: float) -> str:
    if seconds >= 3600:
        return "%d:%02d:%02d" % (seconds // 3600, (seconds % 3600) // 60, seconds % 60)
    if seconds >= 60:
        return "%d:%02d" % (seconds // 60, seconds % 60)
    return "%ds" % seconds


def _format_per_step(seconds: float, unit: str) -> str:
    if seconds >= 1:
        return "%.0fs/%s" % (seconds, unit)
    if seconds >= 1e-3:
        return "%.0fms/%s" % (seconds * 1e3, unit)
    return "%.0fus/%s" % (seconds * 1e6, unit)


