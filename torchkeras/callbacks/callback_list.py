"""CallbackList: dispatches the loop's events to callbacks, at no cost for unused hooks."""
from __future__ import annotations

from torchkeras.callbacks.callback import Callback
from torchkeras.callbacks.history import History
from torchkeras.callbacks.logs import materialize
from torchkeras.callbacks.progbar_logger import ProgbarLogger

_BATCH_HOOKS = ("on_train_batch_begin", "on_train_batch_end", "on_test_batch_begin",
                "on_test_batch_end", "on_predict_batch_begin", "on_predict_batch_end",
                "on_batch_begin", "on_batch_end")


def _defines(cb, hook: str) -> bool:
    # A hook counts when the class overrides it or the instance carries its own function
    # (LambdaCallback, or a hook assigned on an instance).
    if hook in getattr(cb, "__dict__", {}):
        return True
    return getattr(type(cb), hook, None) is not getattr(Callback, hook)


def _overrides(cb, hook: str) -> bool:
    if _defines(cb, hook):
        return True
    # on_train_batch_* fall back to on_batch_*
    if hook in ("on_train_batch_begin", "on_train_batch_end"):
        return _defines(cb, hook.replace("train_", ""))
    return False


class CallbackList(Callback):
    """A container of callbacks; ``fit`` adds ``History`` and ``ProgbarLogger``.

    Batch-level logs are device tensors; they are turned into Python floats (one host
    sync) only when a callback that reads them overrides that batch hook.

    Args:
        callbacks: Callbacks to drive.
        add_history: Append a ``History`` (``fit``).
        add_progbar: Append a ``ProgbarLogger``.
        model: The model every callback gets.
        **params: ``epochs``, ``steps``, ``verbose``.
    """

    def __init__(self, callbacks=None, add_history: bool = False, add_progbar: bool = False,
                 model=None, **params):
        super().__init__()
        self.callbacks = list(callbacks or [])
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise ValueError("callbacks must be Callback instances, got %r" % (cb,))
        # Keras's order: the user's callbacks, then History, then the progress bar (so
        # both see what the user's callbacks add to the logs, e.g. "learning_rate").
        if add_history and not any(isinstance(c, History) for c in self.callbacks):
            self.callbacks.append(History())
        if add_progbar and not any(isinstance(c, ProgbarLogger) for c in self.callbacks):
            self.callbacks.append(ProgbarLogger())
        self._hooks = {}
        self._refresh_hooks()
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)

    def _refresh_hooks(self) -> None:
        for hook in _BATCH_HOOKS:
            self._hooks[hook] = [c for c in self.callbacks if _overrides(c, hook)]

    def append(self, callback: Callback) -> None:
        self.callbacks.append(callback)
        self._refresh_hooks()

    def set_model(self, model) -> None:
        super().set_model(model)
        for cb in self.callbacks:
            cb.set_model(model)

    def set_params(self, params: dict) -> None:
        self.params = params
        for cb in self.callbacks:
            cb.set_params(params)

    @property
    def history(self):
        for cb in self.callbacks:
            if isinstance(cb, History):
                return cb
        return None

    def has_batch_hooks(self, mode: str) -> bool:
        return bool(self._hooks["on_%s_batch_begin" % mode] or self._hooks["on_%s_batch_end" % mode])

    def _batch(self, hook: str, batch: int, logs) -> None:
        cbs = self._hooks[hook]
        if not cbs:
            return
        floats = None
        for cb in cbs:
            if getattr(cb, "_reads_lazy_logs", False):
                getattr(cb, hook)(batch, logs)
            else:
                if floats is None:
                    floats = materialize(logs)
                getattr(cb, hook)(batch, floats)

    def on_train_batch_begin(self, batch, logs=None): self._batch("on_train_batch_begin", batch, logs)
    def on_train_batch_end(self, batch, logs=None): self._batch("on_train_batch_end", batch, logs)
    def on_test_batch_begin(self, batch, logs=None): self._batch("on_test_batch_begin", batch, logs)
    def on_test_batch_end(self, batch, logs=None): self._batch("on_test_batch_end", batch, logs)
    def on_predict_batch_begin(self, batch, logs=None): self._batch("on_predict_batch_begin", batch, logs)
    def on_predict_batch_end(self, batch, logs=None): self._batch("on_predict_batch_end", batch, logs)

    def _all(self, hook: str, *args) -> None:
        # As in Keras, every callback gets a dict (never None): one flat, sorted copy of
        # Python floats shared by the callbacks of this event.
        *head, logs = args
        logs = materialize(logs)
        for cb in self.callbacks:
            getattr(cb, hook)(*head, logs)

    def on_epoch_begin(self, epoch, logs=None): self._all("on_epoch_begin", epoch, logs)
    def on_epoch_end(self, epoch, logs=None): self._all("on_epoch_end", epoch, logs)
    def on_train_begin(self, logs=None): self._all("on_train_begin", logs)
    def on_train_end(self, logs=None): self._all("on_train_end", logs)
    def on_test_begin(self, logs=None): self._all("on_test_begin", logs)
    def on_test_end(self, logs=None): self._all("on_test_end", logs)
    def on_predict_begin(self, logs=None): self._all("on_predict_begin", logs)
    def on_predict_end(self, logs=None): self._all("on_predict_end", logs)

    def __iter__(self):
        return iter(self.callbacks)
