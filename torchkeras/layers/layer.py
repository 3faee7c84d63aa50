"""Layer: the Keras layer contract on top of ``torch.nn.Module``.

A Layer builds lazily on its first call (``build(input_shape)`` creates parameters with
``add_weight``), then ``call`` does the math in torch. Weights are ``nn.Parameter``s, so
``state_dict()``, ``.to(device)`` and ``torch.optim`` see a plain torch module;
``get_weights``/``set_weights`` speak Keras layouts.
"""
from __future__ import annotations

import inspect
import re
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn.modules import module as _torch_module

from torchkeras import config as _config
from torchkeras.layers import call_context as _ctx
from torchkeras.variables import Variable, is_trainable

_ALLOWED_KWARGS = {"input_shape", "input_dim", "batch_input_shape", "batch_size",
                   "input_length", "weights", "dynamic"}
_NAME_COUNTS: dict[str, int] = {}


def to_snake_case(name: str) -> str:
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    s = re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()
    return s.lstrip("_") or "layer"


def unique_name(base: str) -> str:
    """``dense``, ``dense_1``, ``dense_2``… as Keras names layers."""
    n = _NAME_COUNTS.get(base, 0)
    _NAME_COUNTS[base] = n + 1
    return base if n == 0 else "%s_%d" % (base, n)


def clear_session() -> None:
    """Resets automatic layer names (``keras.backend.clear_session``)."""
    _NAME_COUNTS.clear()


_CALL_INFO: dict[type, tuple] = {}


def _call_info(cls) -> tuple:
    """(takes training, takes mask, takes **kwargs, first argument name) of ``cls.call``."""
    info = _CALL_INFO.get(cls)
    if info is None:
        params = inspect.signature(cls.call).parameters
        var_kw = any(p.kind == p.VAR_KEYWORD for p in params.values())
        names = [n for n, p in params.items() if n != "self"
                 and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        info = ("training" in params, "mask" in params, var_kw, names[0] if names else "inputs",
                cls.compute_mask is not Layer.compute_mask)
        _CALL_INFO[cls] = info
    return info


def is_symbolic(x) -> bool:
    from torchkeras.layers.keras_tensor import KerasTensor
    if isinstance(x, KerasTensor):
        return True
    if isinstance(x, (list, tuple)):
        return any(is_symbolic(v) for v in x)
    if isinstance(x, dict):
        return any(is_symbolic(v) for v in x.values())
    return False


def convert_input(x, device=None, dtype=None):
    """numpy arrays / Python numbers -> tensors (floats in floatx, ints as int64)."""
    if isinstance(x, torch.Tensor):
        return x
    if isinstance(x, np.ndarray) or isinstance(x, (float, int, np.generic)):
        arr = np.asarray(x)
        if any(s < 0 for s in arr.strides):   # e.g. x[..., ::-1]: torch needs positive strides
            arr = np.ascontiguousarray(arr)
        if arr.dtype.kind == "f":
            t = torch.as_tensor(arr, dtype=dtype or _config.to_torch_dtype(None))
        elif arr.dtype.kind in "iu":
            t = torch.as_tensor(arr.astype(np.int64) if arr.dtype != np.uint8 else arr)
        else:
            t = torch.as_tensor(arr)
        return t.to(device) if device is not None else t
    if isinstance(x, (list, tuple)):
        if x and all(isinstance(v, (int, float)) for v in x):
            return convert_input(np.asarray(x), device, dtype)
        return type(x)(convert_input(v, device, dtype) for v in x)
    if isinstance(x, dict):
        return {k: convert_input(v, device, dtype) for k, v in x.items()}
    return x


def map_shapes(x):
    if isinstance(x, (list, tuple)):
        return [map_shapes(v) for v in x]
    if isinstance(x, dict):
        return {k: map_shapes(v) for k, v in x.items()}
    shape = getattr(x, "shape", None)
    return tuple(shape) if shape is not None else None


class Layer(nn.Module):
    """Base class of every torchkeras layer and model.

    Args:
        activity_regularizer: Penalty on the layer's output, added to ``losses``.
        trainable: Whether the layer's weights are updated by training.
        dtype: ``"float32"``, a mixed policy name or a ``DTypePolicy``.
        name: Layer name; unique automatic names (``dense``, ``dense_1``…) otherwise.

    Example:
        >>> class Scale(Layer):
        ...     def build(self, input_shape):
        ...         self.s = self.add_weight(shape=(input_shape[-1],), initializer="ones")
        ...     def call(self, x):
        ...         return x * self.s
    """

    def __new__(cls, *args, **kwargs):
        obj = super().__new__(cls)
        # Module state first, so subclasses may set attributes before super().__init__().
        nn.Module.__init__(obj)
        obj._auto_config = _capture_init_args(cls, args, kwargs)
        return obj

    def __init__(self, *, activity_regularizer=None, trainable: bool = True, dtype=None,
                 autocast: bool = True, name: str | None = None, **kwargs):
        unknown = set(kwargs) - _ALLOWED_KWARGS
        if unknown:
            raise ValueError("Unrecognized keyword arguments passed to %s: %s"
                             % (type(self).__name__, {k: kwargs[k] for k in sorted(unknown)}))
        if name is not None and not isinstance(name, str):
            raise ValueError("%s name must be a string, got %r" % (type(self).__name__, name))
        from torchkeras import regularizers
        from torchkeras.mixed_precision.policy import get_policy
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        self.built = False
        self._losses: list = []
        self._dtype_policy = get_policy(dtype)
        self.autocast = autocast
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.supports_masking = getattr(self, "supports_masking", False)
        self._build_input_shape = None
        self._inbound_nodes: list = []
        self._initial_weights = kwargs.get("weights")
        shape = kwargs.get("batch_input_shape")
        if shape is None and kwargs.get("input_shape") is not None:
            shape = (kwargs.get("batch_size"),) + tuple(kwargs["input_shape"])
        elif shape is None and kwargs.get("input_dim") is not None:
            shape = (kwargs.get("batch_size"), kwargs["input_dim"])
        self._declared_input_shape = tuple(shape) if shape is not None else None

    # ------------------------------------------------------------------ attributes
    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, (list, tuple)) and value and not name.startswith("_") and \
                all(isinstance(v, nn.Module) for v in value) and \
                self.__dict__.get("_modules") is not None:
            # `self.blocks = [Dense(8), Dense(4)]` is tracked, as in Keras (torch's way).
            value = nn.ModuleList(value)
        elif isinstance(value, dict) and value and not name.startswith("_") and \
                all(isinstance(k, str) and isinstance(v, nn.Module) for k, v in value.items()) \
                and self.__dict__.get("_modules") is not None:
            value = nn.ModuleDict(value)
        params = self.__dict__.get("_parameters")
        if isinstance(value, nn.Parameter) and params is not None and name not in params:
            # add_weight already registered it under its own key: rename, keeping order.
            for key, p in list(params.items()):
                if p is value:
                    self._parameters = {(name if k == key else k): v for k, v in params.items()}
                    return
        super().__setattr__(name, value)

    @property
    def dtype_policy(self):
        return self._dtype_policy

    @dtype_policy.setter
    def dtype_policy(self, value) -> None:
        from torchkeras.mixed_precision.policy import get_policy
        self._dtype_policy = get_policy(value)

    @property
    def dtype(self) -> str:
        return self._dtype_policy.variable_dtype

    @property
    def compute_dtype(self) -> str:
        return self._dtype_policy.compute_dtype

    @property
    def variable_dtype(self) -> str:
        return self._dtype_policy.variable_dtype

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        value = bool(value)
        for layer in self._flatten_layers(include_self=True):
            layer._trainable = value
        self._sync_requires_grad()

    def _sync_requires_grad(self, parent_trainable: bool = True) -> None:
        on = parent_trainable and self._trainable
        for p in self._parameters.values():
            if p is not None:
                p.requires_grad_(on and is_trainable(p) and p.is_floating_point())
        for m in self._modules.values():
            if isinstance(m, Layer):
                m._sync_requires_grad(on)
            elif m is not None:
                for p in m.parameters():
                    p.requires_grad_(on and is_trainable(p))

    # ------------------------------------------------------------------ weights
    def add_weight(self, shape=None, initializer=None, dtype=None, trainable: bool = True,
                   autocast: bool = True, regularizer=None, constraint=None,
                   aggregation: str = "none", overwrite_with_gradient: bool = False,
                   name: str | None = None, **kwargs) -> Variable:
        """Creates a weight, registers it on this module and returns it.

        Args:
            shape: Weight shape (``()`` for a scalar).
            initializer: Name, ``Initializer`` or callable ``(shape, dtype) -> tensor``.
            dtype: Weight dtype (default: the layer's variable dtype).
            trainable: Whether training updates it (else ``requires_grad=False``).
            regularizer: Penalty added to ``losses``.
            constraint: Projection applied after each optimizer step.
            name: Keras variable name (``kernel``, ``bias``…).
        """
        from torchkeras import constraints, initializers, regularizers
        shape = () if shape is None else tuple(int(s) for s in shape)
        torch_dtype = _config.to_torch_dtype(dtype or self.variable_dtype)
        if initializer is None:
            initializer = "glorot_uniform" if torch_dtype.is_floating_point else "zeros"
        init = initializers.get(initializer)
        with _ctx.no_fake_mode():
            data = init(shape, dtype=torch_dtype) if callable(init) else init
            data = torch.as_tensor(data, dtype=torch_dtype).reshape(shape)
            data = data.to(self._weight_device())
            var = Variable(data, trainable=trainable, name=name or "variable")
        var.regularizer = regularizers.get(regularizer)
        var.constraint = constraints.get(constraint)
        if not self._trainable:
            var.requires_grad_(False)
        key = _free_key(self, name or "variable")
        self.register_parameter(key, var)
        return var

    def _weight_device(self) -> torch.device:
        return getattr(self, "_build_device", None) or _config.get_device()

    def _weight_entries(self) -> list:
        """(owner layer, key, parameter) in Keras order: own trainable, own
        non-trainable, then each sublayer's, without duplicates."""
        seen: set = set()
        out: list = []
        self._collect_entries(out, seen)
        return out

    def _collect_entries(self, out: list, seen: set) -> None:
        own = [(k, p) for k, p in self._parameters.items() if p is not None]
        for k, p in [e for e in own if is_trainable(e[1])] + [e for e in own if not is_trainable(e[1])]:
            if id(p) not in seen:
                seen.add(id(p))
                out.append((self, k, p))
        for key, m in self._modules.items():
            _collect_module(self, key, m, out, seen)

    @property
    def weights(self) -> list:
        return [p for _, _, p in self._weight_entries()]

    @property
    def variables(self) -> list:
        return self.weights

    @property
    def trainable_weights(self) -> list:
        if not self._trainable:
            return []
        out, seen = [], set()
        for layer, _, p in self._weight_entries():
            if is_trainable(p) and layer._all_trainable_up_to(self) and id(p) not in seen:
                seen.add(id(p))
                out.append(p)
        return out

    @property
    def non_trainable_weights(self) -> list:
        trainable = {id(p) for p in self.trainable_weights}
        return [p for p in self.weights if id(p) not in trainable]

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    def _all_trainable_up_to(self, root: "Layer") -> bool:
        # Parents are not tracked, so a frozen sublayer is found from the root downwards.
        return root._trainable_path_to(self)

    def _trainable_path_to(self, target: "Layer") -> bool:
        if not self._trainable:
            return False
        if self is target:
            return True
        for m in self._modules.values():
            if isinstance(m, Layer) and m._contains(target):
                return m._trainable_path_to(target)
        return True

    def _contains(self, target: "Layer") -> bool:
        return any(l is target for l in self._flatten_layers(include_self=True))

    def count_params(self) -> int:
        """Number of scalars in all weights (the layer must be built)."""
        if not self.built:
            raise ValueError("You tried to call `count_params` on layer '%s', but the layer "
                             "isn't built. Call `build(input_shape)` or call it on data first."
                             % self.name)
        return int(sum(p.numel() for p in self.weights))

    def _to_keras_layout(self, key: str, tensor: torch.Tensor) -> torch.Tensor:
        """Hook: torch storage -> Keras layout of one weight (identity by default)."""
        return tensor

    def _from_keras_layout(self, key: str, tensor: torch.Tensor) -> torch.Tensor:
        return tensor

    def get_weights(self) -> list:
        """Weights as numpy arrays in Keras's order and layouts."""
        return [layer._to_keras_layout(k, p.detach()).cpu().numpy().copy()
                for layer, k, p in self._weight_entries()]

    def set_weights(self, weights) -> None:
        """Sets every weight from Keras-layout arrays; checks all before changing any."""
        entries = self._weight_entries()
        weights = list(weights)
        if len(weights) != len(entries):
            raise ValueError("Layer '%s' expects %d weights, but set_weights received %d."
                             % (self.name, len(entries), len(weights)))
        staged = []
        for (layer, key, p), w in zip(entries, weights):
            arr = torch.as_tensor(np.asarray(w))
            expected = tuple(layer._to_keras_layout(key, p.detach()).shape)
            if tuple(arr.shape) != expected:
                raise ValueError("Layer '%s' weight '%s' has shape %s, but set_weights received "
                                 "shape %s." % (layer.name, getattr(p, "name", None) or key,
                                                expected, tuple(arr.shape)))
            staged.append((p, layer._from_keras_layout(key, arr)))
        with torch.no_grad():
            for p, arr in staged:
                p.copy_(arr.to(dtype=p.dtype, device=p.device))

    # ------------------------------------------------------------------ losses
    def add_loss(self, loss) -> None:
        """Adds a scalar tensor to ``losses`` (cleared at the next top-level call)."""
        if not isinstance(loss, torch.Tensor):
            loss = torch.as_tensor(loss, dtype=torch.float32)
        self._losses.append(loss)
        _ctx.note_loss_layer(self)

    @property
    def losses(self) -> list:
        """Losses added during the last call, plus weight-regularizer penalties."""
        out = []
        for layer in self._flatten_layers(include_self=True):
            out.extend(layer._losses)
            for p in layer._parameters.values():
                reg = getattr(p, "regularizer", None)
                if reg is not None and p.requires_grad:
                    out.append(reg(p))
        return out

    def _clear_losses(self) -> None:
        for layer in self._flatten_layers(include_self=True):
            layer._losses = []

    # ------------------------------------------------------------------ structure
    def _flatten_layers(self, include_self: bool = True, recursive: bool = True) -> list:
        out, seen = ([self] if include_self else []), {id(self)}
        stack = _child_layers(self)
        stack.reverse()
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            out.append(layer)
            if recursive:
                stack.extend(reversed(_child_layers(layer)))
        return out

    # ------------------------------------------------------------------ build / call
    def build(self, input_shape) -> None:
        """Creates the layer's weights from the input shape (default: none)."""
        self.built = True

    def build_from_config(self, config: dict) -> None:
        shape = config.get("input_shape")
        if shape is not None and not self.built:
            self._maybe_build(_to_shape(shape))

    def get_build_config(self) -> dict | None:
        if self._build_input_shape is not None:
            return {"input_shape": self._build_input_shape}
        return None

    def _maybe_build(self, shapes, device=None) -> None:
        if self.built:
            return
        self._build_device = device
        with _ctx.no_fake_mode():
            self.build(shapes)
        self.built = True
        self._build_input_shape = shapes
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def call(self, *args, **kwargs):
        raise NotImplementedError("Layer %s does not implement call()" % type(self).__name__)

    def forward(self, *args, **kwargs):
        return self.call(*args, **kwargs)

    def __call__(self, *args, **kwargs):
        ddp = self.__dict__.get("_tk_ddp")
        if ddp is not None and not _ctx.STATE.in_ddp and torch.is_grad_enabled():
            return _call_through_ddp(ddp, args, kwargs)
        if args:
            inputs = args[0]
        else:
            first = _call_info(type(self))[3]
            inputs = kwargs.pop(first, None)
            args = (inputs,)
        if type(inputs) is not torch.Tensor and not (
                type(inputs) is list and all(type(v) is torch.Tensor for v in inputs)):
            # Slow path: symbolic tensors, numpy/list inputs, tensor subclasses.
            if is_symbolic(inputs) or (len(args) > 1 and is_symbolic(args[1:])):
                from torchkeras.layers.keras_tensor import symbolic_call
                return symbolic_call(self, args, kwargs)
            if not isinstance(inputs, torch.Tensor):
                inputs = convert_input(inputs, device=self._input_device())
                args = (inputs,) + args[1:]
        if not self.built:
            self._maybe_build(map_shapes(inputs), _first_device(inputs))
        policy = self._dtype_policy
        mixed = policy.is_mixed
        if not mixed and self.autocast and type(inputs) is torch.Tensor \
                and inputs.dtype is not policy.torch_compute and inputs.is_floating_point():
            inputs = inputs.to(policy.torch_compute)
            args = (inputs,) + args[1:]
        cls = type(self)
        info = _CALL_INFO.get(cls) or _call_info(cls)
        ctx = _ctx.STATE
        training = kwargs.pop("training", None)
        prev_training = ctx.training
        if training is None:
            training = prev_training
        if training is not None and (info[0] or info[2]):
            kwargs["training"] = training
        mask = kwargs.get("mask")
        masking = self.supports_masking
        if mask is None and (masking or info[1]):
            mask = _ctx.get_mask(inputs)
            if mask is not None and info[1]:
                kwargs["mask"] = mask
        depth = ctx.depth
        if depth == 0 and ctx.loss_layers:
            _ctx.start_top_level_call()
        ctx.training = training
        ctx.depth = depth + 1
        try:
            if mixed and isinstance(inputs, torch.Tensor) and \
                    not torch.is_autocast_enabled(inputs.device.type):
                # Mixed policy: compute under autocast, keep float32 weights.
                with torch.autocast(inputs.device.type, dtype=policy.torch_compute):
                    outputs = nn.Module.__call__(self, *args, **kwargs)
            elif self._forward_hooks or self._forward_pre_hooks or \
                    _torch_module._global_forward_hooks or \
                    _torch_module._global_forward_pre_hooks or \
                    _torch_module._global_backward_hooks or \
                    _torch_module._global_backward_pre_hooks:
                outputs = nn.Module.__call__(self, *args, **kwargs)
            else:
                outputs = self.call(*args, **kwargs)
        finally:
            ctx.depth = depth
            ctx.training = prev_training
        if self.activity_regularizer is not None:
            self._add_activity_losses(outputs)
        if masking and (info[4] or mask is not None):
            if not _all_masked(outputs):
                _ctx.set_mask(outputs, self.compute_mask(inputs, mask))
        return outputs

    def _add_activity_losses(self, outputs) -> None:
        for out in _flat_tensors(outputs):
            penalty = self.activity_regularizer(out)
            if out.ndim > 0 and out.shape[0] > 0:
                # Keras averages the activity penalty over the batch.
                penalty = penalty / out.shape[0]
            self.add_loss(penalty)

    def _input_device(self):
        for p in self.parameters():
            return p.device
        return _config.get_device()

    def compute_mask(self, inputs, previous_mask=None):
        return previous_mask if self.supports_masking else None

    def compute_output_shape(self, input_shape):
        """Output shape for ``input_shape``; by default found by a run on fake tensors."""
        from torchkeras.layers.keras_tensor import infer_output_shape
        return infer_output_shape(self, input_shape)

    def compute_output_spec(self, *args, **kwargs):
        from torchkeras.layers.keras_tensor import symbolic_call
        return symbolic_call(self, args, kwargs, record=False)

    @property
    def input(self):
        return self._node_attr("input_tensors")

    @property
    def output(self):
        return self._node_attr("output_tensors")

    def _node_attr(self, attr: str):
        if not self._inbound_nodes:
            raise AttributeError("Layer '%s' has never been called on symbolic inputs, so it "
                                 "has no defined %s." % (self.name, attr.split("_")[0]))
        value = getattr(self._inbound_nodes[0], attr)
        return value[0] if len(value) == 1 else list(value)

    @property
    def input_shape(self):
        if self._inbound_nodes:
            shapes = [kt.shape for kt in self._inbound_nodes[0].input_tensors]
            return shapes[0] if len(shapes) == 1 else shapes
        if self._build_input_shape is not None:
            return self._build_input_shape
        raise AttributeError("Layer '%s' has no defined input shape yet." % self.name)

    @property
    def output_shape(self):
        if self._inbound_nodes:
            shapes = [kt.shape for kt in self._inbound_nodes[0].output_tensors]
            return shapes[0] if len(shapes) == 1 else shapes
        if self._build_input_shape is not None:
            return self.compute_output_shape(self._build_input_shape)
        raise AttributeError("Layer '%s' has no defined output shape yet." % self.name)

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        from torchkeras.mixed_precision.policy import serialize_policy
        config = {"name": self.name, "trainable": self.trainable,
                  "dtype": serialize_policy(self._dtype_policy)}
        if type(self).get_config is Layer.get_config and self._auto_config:
            config.update(self._auto_config)
        if self.activity_regularizer is not None and "activity_regularizer" not in config:
            from torchkeras import regularizers
            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config: dict):
        from torchkeras.mixed_precision.policy import deserialize_policy
        config = dict(config)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = deserialize_policy(config["dtype"])
        try:
            return cls(**config)
        except TypeError as e:
            raise TypeError("Error when deserializing class '%s' using config=%r.\n\n"
                            "Exception encountered: %s" % (cls.__name__, config, e)) from e

    def __repr__(self) -> str:
        return "<%s name=%s, built=%s>" % (type(self).__name__, self.name, self.built)

    def extra_repr(self) -> str:
        return "name=%s" % self.name


def _capture_init_args(cls, args, kwargs) -> dict | None:
    try:
        sig = inspect.signature(cls.__init__)
        bound = sig.bind(None, *args, **kwargs)
    except (TypeError, ValueError):
        return None
    out = {}
    for name, value in list(bound.arguments.items())[1:]:
        kind = sig.parameters[name].kind
        if kind == inspect.Parameter.VAR_KEYWORD:
            out.update(value)
        elif kind == inspect.Parameter.VAR_POSITIONAL:
            if value:
                return None
        else:
            out[name] = value
    return {k: v for k, v in out.items() if _json_like(v)}


def _json_like(v) -> bool:
    if v is None or isinstance(v, (bool, int, float, str)):
        return True
    if isinstance(v, (list, tuple)):
        return all(_json_like(x) for x in v)
    if isinstance(v, dict):
        return all(isinstance(k, str) and _json_like(x) for k, x in v.items())
    return False


def _free_key(module: nn.Module, name: str) -> str:
    key = re.sub(r"[^0-9a-zA-Z_]", "_", name) or "variable"
    base, i = key, 1
    while key in module._parameters or key in module._modules or key in module._buffers \
            or key in module.__dict__ or hasattr(type(module), key):
        key = "%s_%d" % (base, i)
        i += 1
    return key


def _first_device(x):
    if isinstance(x, torch.Tensor):
        return x.device
    if isinstance(x, (list, tuple)):
        for v in x:
            d = _first_device(v)
            if d is not None:
                return d
    if isinstance(x, dict):
        return _first_device(list(x.values()))
    return None


def _call_through_ddp(ddp, args, kwargs):
    # During a distributed fit, training forward passes (the loop's or a custom
    # train_step's `self(x)`) go through DDP so gradients are all-reduced.
    state = _ctx.STATE
    state.in_ddp = True
    try:
        return ddp(*args, **kwargs)
    finally:
        state.in_ddp = False


def _child_layers(module) -> list:
    """Direct sublayers, looking through ModuleList/ModuleDict/Sequential containers."""
    out = []
    for m in module._modules.values():
        if isinstance(m, Layer):
            out.append(m)
        elif isinstance(m, (nn.ModuleList, nn.ModuleDict, nn.Sequential)):
            out.extend(_child_layers(m))
    return out


def _collect_module(owner, key, m, out, seen) -> None:
    if isinstance(m, Layer):
        m._collect_entries(out, seen)
    elif isinstance(m, (nn.ModuleList, nn.ModuleDict, nn.Sequential)) and any(
            isinstance(c, Layer) for c in m.children()):
        # Containers of layers: each layer keeps its own Keras layout hooks.
        for sub_key, child in m._modules.items():
            _collect_module(owner, key + "." + sub_key, child, out, seen)
    elif m is not None and not _is_metric(m):
        for k, p in m.named_parameters():
            if id(p) not in seen:
                seen.add(id(p))
                out.append((owner, key + "." + k, p))


def _is_metric(module) -> bool:
    # Metric state kept on a layer (e.g. a loss tracker) is not a layer weight.
    return hasattr(module, "update_state") and hasattr(module, "result")




def _all_masked(outputs) -> bool:
    if isinstance(outputs, torch.Tensor):
        return getattr(outputs, "_keras_mask", None) is not None
    flat = _flat_tensors(outputs)
    return bool(flat) and all(getattr(t, "_keras_mask", None) is not None for t in flat)


def _flat_tensors(x) -> list:
    if isinstance(x, torch.Tensor):
        return [x]
    if isinstance(x, (list, tuple)):
        return [t for v in x for t in _flat_tensors(v)]
    if isinstance(x, dict):
        return [t for v in x.values() for t in _flat_tensors(v)]
    return []


def _to_shape(shape):
    if isinstance(shape, dict):
        return {k: _to_shape(v) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple, dict)):
        return [_to_shape(s) for s in shape]
    return tuple(shape)
