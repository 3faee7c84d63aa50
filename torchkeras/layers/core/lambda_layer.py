"""Lambda: wraps a Python function of tensors as a layer.

Its config stores the function either by name (registered or known functions) or, for
lambdas and closures, as marshalled bytecode — the same format Keras 3 writes. Rebuilding
bytecode runs code from the file, so ``from_config`` refuses it unless safe mode is off.
"""
from __future__ import annotations

import base64
import builtins
import inspect
import marshal
import types

import numpy as np
import torch

from torchkeras.layers.layer import Layer
from torchkeras.saving import serialization as _ser

_LAMBDA = "__lambda__"


def _needs_code(fn) -> bool:
    # A lambda or a function defined inside another cannot be found again by name.
    return isinstance(fn, types.FunctionType) and (
        fn.__name__ == "<lambda>" or "<locals>" in getattr(fn, "__qualname__", ""))


def dump_function(fn) -> dict:
    """A function -> Keras's ``{"class_name": "__lambda__", "config": {code, ...}}``."""
    code = base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii")
    closure = tuple(c.cell_contents for c in fn.__closure__) if fn.__closure__ else None
    return {"class_name": _LAMBDA,
            "config": {"code": code, "defaults": fn.__defaults__, "closure": closure}}


def _load_globals() -> dict:
    import torchkeras
    return {"__builtins__": builtins, "torch": torch, "np": np, "numpy": np,
            "keras": torchkeras, "torchkeras": torchkeras, "F": torch.nn.functional}


def load_function(config: dict):
    """Rebuilds a function dumped by :func:`dump_function` (or by Keras)."""
    code = config["code"]
    if isinstance(code, (list, tuple)):   # older Keras dumps a (code, defaults, closure) triple
        code, defaults, closure = code
    else:
        defaults, closure = config.get("defaults"), config.get("closure")
    try:
        raw = base64.decodebytes(code.encode("ascii"))
    except (UnicodeEncodeError, ValueError):
        raw = code.encode("raw_unicode_escape")
    code_obj = marshal.loads(raw)
    cells = tuple(types.CellType(v) for v in closure) if closure is not None else None
    return types.FunctionType(code_obj, _load_globals(), code_obj.co_name,
                              tuple(defaults) if defaults is not None else None, cells)


def serialize_function(fn):
    if _needs_code(fn):
        return dump_function(fn)
    if callable(fn):
        name = _ser.get_registered_name(fn) if (_ser.is_registered(fn) or
                                                  hasattr(fn, "__name__")) else None
        if name is None:
            return _ser.serialize_keras_object(fn)
        return {"module": "builtins", "class_name": "function", "config": name,
                "registered_name": "function"}
    raise ValueError("Invalid input type for serialization. Received: %r of type %s."
                     % (fn, type(fn)))


def _refuse_code(safe_mode: bool) -> None:
    if safe_mode:
        raise ValueError(
            "Requested the deserialization of a `Lambda` layer whose `function` is a Python "
            "lambda (stored as bytecode). Safe mode refused it: loading it would execute code "
            "from the file. If you trust the source, pass `safe_mode=False` to the loading "
            "function (`load_model(path, safe_mode=False)`), or allow it for the whole "
            "process with `keras.config.enable_unsafe_deserialization()`.")


def _deserialize_function(config, safe_mode: bool, custom_objects=None):
    if isinstance(config, dict) and config.get("class_name") == _LAMBDA:
        _refuse_code(safe_mode)
        return load_function(config["config"])
    if isinstance(config, dict) and config.get("class_name") == "function":
        name = config.get("config")
        fn = _ser.get_registered_object(name, custom_objects)
        if fn is None:
            from torchkeras import activations
            fn = activations.ALL_OBJECTS_DICT.get(name)
        if fn is None:
            raise ValueError("Could not locate function %r. Register it with "
                             "`@torchkeras.saving.register_keras_serializable()` or pass it in "
                             "`custom_objects`." % (name,))
        return fn
    return _ser.deserialize_keras_object(config, custom_objects)


class Lambda(Layer):
    """Wraps ``function(inputs, **arguments)`` as a layer.

    Prefer a subclassed ``Layer`` for anything with state: a Lambda has no weights and
    its code is only saved as bytecode (loading it needs ``safe_mode=False``).

    Args:
        function: Function of the input tensor(s). If it takes ``mask`` or ``training``
            arguments, they are passed on.
        output_shape: Output shape without the batch dimension, or a function of the
            input shape (with batch). Inferred by a fake-tensor run when ``None``.
        mask: Output mask: a tensor, or a function ``(inputs, mask) -> mask``.
        arguments: Extra keyword arguments for ``function``.

    Example:
        >>> layer = Lambda(lambda x: x ** 2)
        >>> layer(torch.tensor([2.0]))
        tensor([4.])
    """

    def __init__(self, function, output_shape=None, mask=None, arguments: dict | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise ValueError("Lambda expects a callable `function`, got %r" % (function,))
        self.function = function
        self.arguments = dict(arguments or {})
        self.mask = mask
        self.supports_masking = mask is not None
        self._output_shape = output_shape
        try:
            params = inspect.signature(function).parameters
        except (TypeError, ValueError):
            params = {}
        self._fn_takes_mask = "mask" in params
        self._fn_takes_training = "training" in params
        self.built = True

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_takes_mask:
            kwargs["mask"] = mask
        if self._fn_takes_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            try:
                return super().compute_output_shape(input_shape)
            except Exception as e:
                raise NotImplementedError(
                    "Could not infer the output shape of Lambda layer '%s'; pass its "
                    "`output_shape` argument. (%s)" % (self.name, e)) from e
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        first = input_shape
        while isinstance(first, (list, tuple)) and first and isinstance(first[0], (list, tuple)):
            first = first[0]
        batch = first[0] if first else None
        shape = self._output_shape
        if shape and isinstance(shape[0], (list, tuple)):
            return [(batch,) + tuple(s) for s in shape]
        return (batch,) + tuple(shape)

    def compute_mask(self, inputs, previous_mask=None):
        if callable(self.mask):
            return self.mask(inputs, previous_mask)
        return self.mask

    def get_config(self) -> dict:
        config = {"function": serialize_function(self.function)}
        if self._output_shape is not None:
            shape = self._output_shape
            config["output_shape"] = serialize_function(shape) if callable(shape) else shape
        if self.mask is not None:
            config["mask"] = serialize_function(self.mask) if callable(self.mask) \
                else _ser.serialize_keras_object(self.mask)
        config["arguments"] = _ser.serialize_keras_object(self.arguments)
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None,
                    safe_mode: bool | None = None):
        config = dict(config)
        # An unset safe_mode falls back to the enclosing scope, which is safe by default.
        safe = (safe_mode if safe_mode is not None else _ser.in_safe_mode()) is not False
        config["function"] = _deserialize_function(config["function"], safe, custom_objects)
        shape = config.get("output_shape")
        if isinstance(shape, dict):
            config["output_shape"] = _deserialize_function(shape, safe, custom_objects)
        elif isinstance(shape, list) and all(isinstance(d, (int, type(None))) for d in shape):
            config["output_shape"] = tuple(shape)
        mask = config.get("mask")
        if isinstance(mask, dict) and mask.get("class_name") in (_LAMBDA, "function"):
            config["mask"] = _deserialize_function(mask, safe, custom_objects)
        if isinstance(config.get("arguments"), dict):
            config["arguments"] = {
                k: _ser.deserialize_keras_object(v, custom_objects)
                if isinstance(v, dict) and "class_name" in v else v
                for k, v in config["arguments"].items()}
        return super().from_config(config)
