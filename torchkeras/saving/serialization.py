"""Keras-format object serialization: ``serialize_keras_object`` / ``deserialize_keras_object``.

A serialized object is Keras 3's dict ``{"module", "class_name", "config",
"registered_name"}``. Deserializing looks class names up in a fixed set of torchkeras
namespaces, the users' registered classes and ``custom_objects`` — it never imports a
module named by the data, so loading a file cannot run code from it.
"""
from __future__ import annotations

import functools
import importlib
import inspect
import threading
from typing import Any, Callable

from torchkeras import config as _config

# module names as Keras writes them -> our own namespaces that may resolve them
_NAMESPACES = {
    "keras.layers": "torchkeras.layers",
    "keras.models": "torchkeras.models",
    "keras": "torchkeras",
    "keras.losses": "torchkeras.losses",
    "keras.metrics": "torchkeras.metrics",
    "keras.optimizers": "torchkeras.optimizers",
    "keras.optimizers.schedules": "torchkeras.optimizers.schedules",
    "keras.initializers": "torchkeras.initializers",
    "keras.regularizers": "torchkeras.regularizers",
    "keras.constraints": "torchkeras.constraints",
    "keras.activations": "torchkeras.activations",
    "keras.callbacks": "torchkeras.callbacks",
    "keras.mixed_precision": "torchkeras.mixed_precision",
    "keras.distillation": "torchkeras.distillation",
    "keras.utils": "torchkeras.utils",
}

_REGISTERED: dict[str, Any] = {}          # "package>Name" -> class or function
_REGISTERED_NAMES: dict[Any, str] = {}    # class or function -> "package>Name"
_scope = threading.local()


def register_keras_serializable(package: str = "Custom", name: str | None = None) -> Callable:
    """Decorator registering a user class or function for (de)serialization.

    Args:
        package: Prefix that keeps names of different packages apart.
        name: Name to register under (default: the object's ``__name__``).

    Example:
        >>> @register_keras_serializable(package="my_pkg")
        ... class Scale(torchkeras.layers.Layer): ...
    """
    if "/" in package or ">" in package:
        raise ValueError("package name may not contain '>' or '/': %r" % package)

    def decorator(obj):
        registered = package + ">" + (name or obj.__name__)
        if isinstance(obj, type) and not hasattr(obj, "get_config"):
            raise ValueError("Cannot register %r: it has no get_config() method" % obj)
        _REGISTERED[registered] = obj
        _REGISTERED_NAMES[obj] = registered
        return obj

    return decorator


def get_custom_objects() -> dict:
    """The global registry (``"package>Name"`` -> object) that deserialization consults.

    It is the live dict: ``get_custom_objects()["MyLayer"] = MyLayer`` registers a class.

    Example:
        >>> get_custom_objects().clear()  # forget every registration
    """
    return _REGISTERED


def is_registered(obj) -> bool:
    """Whether ``obj`` was registered with ``register_keras_serializable``.

    Example:
        >>> is_registered(len)
        False
    """
    return obj in _REGISTERED_NAMES


def get_registered_name(obj) -> str:
    return _REGISTERED_NAMES.get(obj, getattr(obj, "__name__", type(obj).__name__))


def get_registered_object(name: str, custom_objects: dict | None = None,
                          module_objects: dict | None = None):
    """Finds ``name`` among the scoped, passed, registered and given objects (or None)."""
    for table in _scope_stack():
        if name in table:
            return table[name]
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if name in _REGISTERED:
        return _REGISTERED[name]
    if module_objects and name in module_objects:
        return module_objects[name]
    return None


class CustomObjectScope:
    """Makes ``custom_objects`` visible to every deserialization inside the ``with`` block.

    Example:
        >>> with CustomObjectScope({"Scale": Scale}):
        ...     model = load_model("m.keras")
    """

    def __init__(self, custom_objects: dict | None = None):
        self.custom_objects = dict(custom_objects or {})

    def __enter__(self):
        _scope_stack().append(self.custom_objects)
        return self

    def __exit__(self, *exc):
        _scope_stack().pop()


custom_object_scope = CustomObjectScope


class SafeModeScope:
    """Sets whether deserialization may rebuild code (``Lambda`` functions) inside the block.

    Args:
        safe_mode: ``True`` (default everywhere) refuses to load code from configs.
    """

    def __init__(self, safe_mode: bool = True):
        self.safe_mode = safe_mode

    def __enter__(self):
        _safe_stack().append(self.safe_mode)
        return self

    def __exit__(self, *exc):
        _safe_stack().pop()


def enable_unsafe_deserialization() -> None:
    """Turns safe mode off for the whole process: configs that carry code (``Lambda``
    functions stored as bytecode) load everywhere, as with ``safe_mode=False``. The same
    switch as ``keras.config.enable_unsafe_deserialization()``.

    Example:
        >>> enable_unsafe_deserialization()   # only for files you trust
    """
    _config.enable_unsafe_deserialization()


def _unsafe_globally() -> bool:
    return _config.unsafe_deserialization_enabled()


def in_safe_mode() -> bool:
    """Whether code-bearing configs must be refused right now (True unless turned off)."""
    if _unsafe_globally():
        # As in Keras, the process-wide switch wins over each loader's default.
        return False
    stack = _safe_stack()
    return stack[-1] if stack else True


def _safe_stack() -> list:
    if not hasattr(_scope, "safe"):
        _scope.safe = []
    return _scope.safe


def _scope_stack() -> list:
    if not hasattr(_scope, "stack"):
        _scope.stack = []
    return _scope.stack


def _keras_module_of(obj) -> str:
    mod = type(obj).__module__ if not isinstance(obj, type) else obj.__module__
    if not mod.startswith("torchkeras"):
        return mod
    parts = mod.split(".")
    if len(parts) > 1 and parts[1] == "optimizers" and len(parts) > 2 and parts[2] == "schedules":
        return "keras.optimizers.schedules"
    if len(parts) > 1 and parts[1] == "models":
        return "keras"
    return "keras." + parts[1] if len(parts) > 1 else "keras"


def serialize_keras_object(obj) -> Any:
    """An object -> Keras 3's JSON-able dict (plain values pass through)."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(o) for o in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if callable(obj) and not hasattr(obj, "get_config"):
        fn_name = getattr(obj, "__name__", None)
        registered = _REGISTERED_NAMES.get(obj)
        module = getattr(obj, "__module__", None)
        if registered or (module or "").split(".")[0] == "torchkeras":
            # Keras writes functions it can find again by name as module "builtins"; an
            # unregistered user function keeps its module so torchkeras can still load it.
            module = "builtins"
        return {"module": module, "class_name": "function",
                "config": registered or fn_name, "registered_name": "function"}
    if not hasattr(obj, "get_config"):
        raise TypeError("Cannot serialize %r: it has no get_config()" % (obj,))
    cls = type(obj)
    registered = _REGISTERED_NAMES.get(cls)
    out = {"module": _keras_module_of(obj) if registered is None else None,
           # Keras's exported name where it differs from the Python class name.
           "class_name": getattr(cls, "_keras_class_name", cls.__name__),
           "config": _serialize_nested(obj.get_config()),
           "registered_name": registered}
    build_config = getattr(obj, "get_build_config", None)
    if build_config is not None:
        bc = build_config()
        if bc:
            out["build_config"] = bc
    return out


def _serialize_nested(value):
    """A config with the Keras objects inside it (a model's get_config returning its
    layers, as Keras's customizing-saving guide does) serialized; plain values as they are."""
    if isinstance(value, dict):
        return {k: _serialize_nested(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_serialize_nested(v) for v in value)
    if hasattr(value, "get_config") and not isinstance(value, type):
        return serialize_keras_object(value)
    return value


def _namespace(module: str | None) -> dict:
    target = _NAMESPACES.get(module or "")
    if target is None:
        return {}
    return vars(importlib.import_module(target))


_FUNCTION_FAMILIES = ("activations", "constraints", "initializers", "losses", "metrics",
                      "optimizers", "regularizers")


def _builtin_function(name: str):
    """A function Keras wrote with module "builtins": found by name in the families."""
    for family in _FUNCTION_FAMILIES:
        fn = vars(importlib.import_module("torchkeras." + family)).get(name)
        if callable(fn) and not isinstance(fn, type):
            return fn
    return None


def _all_namespaces() -> dict:
    merged: dict = {}
    for target in reversed(list(_NAMESPACES.values())):
        try:
            merged.update(vars(importlib.import_module(target)))
        except ImportError:
            continue
    return merged


def resolve_class(class_name: str, module: str | None = None, registered_name: str | None = None,
                  custom_objects: dict | None = None, module_objects: dict | None = None):
    """Looks a serialized class name up; a clear ``ValueError`` when nothing matches."""
    found = None
    if registered_name and registered_name != class_name:
        found = get_registered_object(registered_name, custom_objects)
    if found is None:
        found = get_registered_object(class_name, custom_objects, module_objects)
    if found is None:
        ns = _namespace(module)
        found = ns.get(class_name) if isinstance(ns.get(class_name), type) else None
    if found is None:
        cand = _all_namespaces().get(class_name)
        if isinstance(cand, type):
            found = cand
    if found is None:
        raise ValueError(
            "Could not locate class %r. Make sure custom classes are decorated with "
            "`@torchkeras.saving.register_keras_serializable()` or passed in "
            "`custom_objects`. Full object config: module=%r" % (class_name, module))
    return found


def deserialize_keras_object(config, custom_objects: dict | None = None,
                             module_objects: dict | None = None, safe_mode: bool | None = None,
                             **kwargs):
    """Keras 3's dict (or a plain name) -> object. Classes are rebuilt with ``from_config``."""
    if config is None or isinstance(config, (bool, int, float)):
        return config
    if isinstance(config, str):
        obj = get_registered_object(config, custom_objects, module_objects)
        if obj is None:
            raise ValueError("Unknown object %r" % config)
        return obj
    if isinstance(config, (list, tuple)):
        return [deserialize_keras_object(c, custom_objects, module_objects, safe_mode) for c in config]
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("Cannot deserialize %r: expected a dict with 'class_name'" % (config,))
    class_name = config["class_name"]
    inner = config.get("config", {})
    if class_name == "function":
        name = inner
        fn = get_registered_object(name, custom_objects, module_objects)
        if fn is None and config.get("module") == "builtins":
            fn = _builtin_function(name)
        if fn is None:
            ns = _namespace(config.get("module"))
            fn = ns.get(name)
        if fn is None or not callable(fn):
            raise ValueError("Unknown function %r (module %r)" % (name, config.get("module")))
        return fn
    cls = resolve_class(class_name, config.get("module"), config.get("registered_name"),
                        custom_objects, module_objects)
    if safe_mode is None or _unsafe_globally():
        safe_mode = in_safe_mode()   # nested calls inherit the enclosing scope
    with CustomObjectScope(custom_objects or {}), SafeModeScope(safe_mode):
        if hasattr(cls, "from_config"):
            try:
                obj = cls.from_config(inner, safe_mode=safe_mode) if _takes_safe_mode(cls) \
                    else cls.from_config(inner)
            except TypeError as e:
                raise TypeError("%s.from_config could not rebuild from %r: %s"
                                % (class_name, inner, e)) from e
        else:
            obj = cls(**inner)
        build_config = config.get("build_config")
        if build_config and hasattr(obj, "build_from_config") and not getattr(obj, "built", True):
            obj.build_from_config(build_config)
    return obj


@functools.lru_cache(maxsize=1024)
def _takes_safe_mode(cls) -> bool:
    # Cached per class: a signature costs more than rebuilding a small layer.
    try:
        return "safe_mode" in inspect.signature(cls.from_config).parameters
    except (TypeError, ValueError):
        return False


def expect_class(config, base: type, role: str, custom_objects: dict | None = None) -> type:
    """The class a serialized config names, checked to be a ``base`` before it is built.

    Args:
        config: A serialized object (``{"class_name": ..., "config": ...}``).
        base: The class the caller needs (``Layer`` for a model's layers).
        role: What the object is for, in the message (``"the model"``).
        custom_objects: Name -> class for users' own objects.

    Example:
        >>> expect_class(entry, Layer, "a layer of model 'mlp'")
    """
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise ValueError("Expected a serialized %s for %s (a dict with 'class_name'), got %r."
                         % (base.__name__, role, type(config).__name__))
    cls = resolve_class(config["class_name"], config.get("module"),
                        config.get("registered_name"), custom_objects)
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise ValueError("%s names class %r, which is not a %s subclass: refusing to build it."
                         % (role[0].upper() + role[1:], config["class_name"], base.__name__))
    return cls
