"""LambdaCallback: a callback made of plain functions."""
from __future__ import annotations

from torchkeras.callbacks.callback import Callback

_HOOKS = ("on_epoch_begin", "on_epoch_end", "on_train_begin", "on_train_end",
          "on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end",
          "on_test_begin", "on_test_end", "on_test_batch_begin", "on_test_batch_end",
          "on_predict_begin", "on_predict_end", "on_predict_batch_begin",
          "on_predict_batch_end")


class LambdaCallback(Callback):
    """Runs the given functions at the matching events.

    Epoch functions take ``(epoch, logs)``, batch functions ``(batch, logs)``, train
    begin/end functions ``(logs)``. Only the hooks given are installed, so batch-level
    logs are read (a host sync) only if a batch function is passed.

    Args:
        on_epoch_begin: Called at the start of every epoch.
        on_epoch_end: Called at the end of every epoch.
        on_train_begin: Called at the start of training.
        on_train_end: Called at the end of training.
        on_train_batch_begin: Called before every training batch.
        on_train_batch_end: Called after every training batch.
        **kwargs: Any other hook by name (e.g. ``on_test_end=...``) or extra attributes.

    Example:
        >>> import json
        >>> log = open("loss.jsonl", "w")
        >>> cb = LambdaCallback(on_epoch_end=lambda epoch, logs: log.write(
        ...     json.dumps({"epoch": epoch, "loss": logs["loss"]}) + "\\n"),
        ...     on_train_end=lambda logs: log.close())
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 **kwargs):
        super().__init__()
        given = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end,
                     on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end)
        for name, fn in list(kwargs.items()):
            if name in _HOOKS:
                given[name] = kwargs.pop(name)
        self.__dict__.update(kwargs)
        for name, fn in given.items():
            if fn is None:
                continue
            if not callable(fn):
                raise ValueError("LambdaCallback: `%s` must be callable, got %r" % (name, fn))
            # Instance attributes: CallbackList sees exactly which hooks are in use.
            setattr(self, name, fn)
