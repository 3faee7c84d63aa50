"""Layer: the Keras layer contract on top of ``torch.nn.Module``.

A Layer builds lazily on its first call (``build(input_shape)`` creates parameters with
``add_weight``), then ``call`` does the math in torch. Weights are ``nn.Parameter``s, so
``state_dict()``, ``.to(device)`` and ``torch.optim`` see a plain torch module;
``get_weights``/``set_weights`` speak Keras layouts.
"""
from __future__ import annotations

from typing import Any

import torch
from torch import nn

from torchkeras import config as _config
from torchkeras.fast_paths import (CALL_SIGNATURES, call_signature,
                                  global_hooks_installed, standard_layer_call)
from torchkeras.layers import call_context as _ctx
from torchkeras.layers.layer_metrics import collect_metrics
from torchkeras.layers.layer_utils import (  # noqa: F401  (re-exported helpers)
    _all_masked, _capture_init_args, _first_device, _flat_tensors, _to_shape, clear_session,
    convert_input, map_shapes, marking_built, to_snake_case, unique_name)
from torchkeras.layers.keras_tensor import is_symbolic, layer_default
from torchkeras.layers.layer_weights import LayerWeightsMixin, _child_layers
from torchkeras.layers.input_spec import assert_input_compatibility
from torchkeras.scopes.name_scope import name_scope
from torchkeras.scopes.remat import active_remat_scope, remat

_ALLOWED_KWARGS = {"input_shape", "input_dim", "batch_input_shape", "batch_size",
                   "input_length", "weights", "dynamic"}

# The name call_signature had here before fast_paths.py owned it (layers written against it).
_call_info = call_signature

class Layer(LayerWeightsMixin, nn.Module):
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

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        build = cls.__dict__.get("build")
        if build is not None and not getattr(build, "_tk_marks_built", False):
            cls.build = marking_built(build)

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
        remat_scope = active_remat_scope()
        if remat_scope is not None and remat_scope.applies_to(self.name):
            self.call = remat(self.call)   # created under keras.RematScope
        self._trainable = bool(trainable)
        self.built = False
        self._losses: list = []
        self._dtype_policy = get_policy(dtype)
        self.autocast = autocast
        self.activity_regularizer = regularizers.get(activity_regularizer)
        # As in Keras: a layer that writes its own compute_mask propagates masks unless it
        # says otherwise (a value set before this __init__ or on the class wins).
        self.supports_masking = getattr(self, "supports_masking",
                                        type(self).compute_mask is not Layer.compute_mask)
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
        if name in _ctx.PLAN_ATTRIBUTES:
            _ctx.invalidate_call_plans()

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

    def add_loss(self, loss) -> None:
        """Adds a scalar tensor to ``losses`` (cleared at the next top-level call)."""
        if not isinstance(loss, torch.Tensor):
            loss = torch.as_tensor(loss, dtype=torch.float32)
        self._losses.append(loss)
        _ctx.note_loss_layer(self)

    @property
    def metrics(self) -> list:
        """Metrics this layer and its sublayers hold as attributes (Keras's
        ``Layer.metrics``); a model adds them to its own ``metrics`` and logs."""
        return collect_metrics(self)

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
        """Creates the weights from ``get_build_config()``'s dict when loading."""
        if not config or self.built:
            return
        shape = config.get("input_shape")
        if shape is not None:
            self._maybe_build(_to_shape(shape))
        elif config.get("shapes_dict"):
            # Keras's form for a build() whose arguments are named `<arg>_shape`.
            shapes = {k: _to_shape(v) for k, v in config["shapes_dict"].items()}
            with _ctx.no_fake_mode():
                self.build(**shapes)
            self.built = True

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

    @standard_layer_call
    def __call__(self, *args, **kwargs):
        ddp = self.__dict__.get("_tk_ddp")
        if ddp is not None and not _ctx.STATE.in_ddp and torch.is_grad_enabled():
            return _call_through_ddp(ddp, args, kwargs)
        if args:
            inputs = args[0]
        else:
            first = call_signature(type(self))[3]
            inputs = kwargs.pop(first, None)
            args = (inputs,)
        if type(inputs) is not torch.Tensor and not (
                type(inputs) is list and all(type(v) is torch.Tensor for v in inputs)):
            # Slow path: symbolic tensors, numpy/list inputs, tensor subclasses.
            if is_symbolic(inputs) or (len(args) > 1 and is_symbolic(args[1:])):
                if getattr(self, "input_spec", None) is not None:
                    assert_input_compatibility(self.input_spec, inputs, self.name)
                from torchkeras.layers.keras_tensor import symbolic_call
                return symbolic_call(self, args, kwargs)
            if not isinstance(inputs, torch.Tensor):
                inputs = convert_input(inputs, device=self._input_device())
                args = (inputs,) + args[1:]
        scope = None
        if not self.built:
            # InputSpec is checked on symbolic calls and at build, not on every eager step.
            if getattr(self, "input_spec", None) is not None:
                assert_input_compatibility(self.input_spec, inputs, self.name)
            # The first call runs under the layer's name scope, so sublayers built lazily
            # in call() get Keras's paths (``model/dense/kernel``).
            scope = name_scope(self.name, caller=self)
            scope.__enter__()
            try:
                self._maybe_build(map_shapes(inputs), _first_device(inputs))
            except BaseException:
                scope.__exit__(None, None, None)
                raise
        policy = self._dtype_policy
        mixed = policy.is_mixed
        if not mixed and self.autocast and type(inputs) is torch.Tensor \
                and inputs.dtype is not policy.torch_compute and inputs.is_floating_point():
            inputs = inputs.to(policy.torch_compute)
            args = (inputs,) + args[1:]
        cls = type(self)
        info = CALL_SIGNATURES.get(cls) or call_signature(cls)
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
                ctx.policy_autocast = True
                try:
                    with torch.autocast(inputs.device.type, dtype=policy.torch_compute):
                        outputs = nn.Module.__call__(self, *args, **kwargs)
                finally:
                    ctx.policy_autocast = False
            elif ctx.policy_autocast and not mixed and isinstance(inputs, torch.Tensor):
                # A float32 (or other plain-dtype) layer inside a mixed model computes in
                # its own dtype, as Keras's policies do (e.g. a stable final softmax). An
                # autocast the user entered around the model is left alone.
                ctx.policy_autocast = False
                try:
                    with torch.autocast(inputs.device.type, enabled=False):
                        outputs = nn.Module.__call__(self, *args, **kwargs)
                finally:
                    ctx.policy_autocast = True
            elif self._forward_hooks or self._forward_pre_hooks or global_hooks_installed():
                outputs = nn.Module.__call__(self, *args, **kwargs)
            else:
                # Fast path 1 of torchkeras/fast_paths.py: no hooks, so call() directly.
                outputs = self.call(*args, **kwargs)
        finally:
            ctx.depth = depth
            ctx.training = prev_training
            if scope is not None:
                scope.__exit__(None, None, None)
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

    @layer_default
    def compute_mask(self, inputs, previous_mask=None):
        return previous_mask if self.supports_masking else None

    @layer_default
    def compute_output_shape(self, input_shape):
        """Output shape for ``input_shape``; by default found by a run on fake tensors."""
        from torchkeras.layers.keras_tensor import infer_output_shape
        return infer_output_shape(self, input_shape)

    @layer_default
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


def _call_through_ddp(ddp, args, kwargs):
    # During a distributed fit, training forward passes (the loop's or a custom
    # train_step's `self(x)`) go through DDP so gradients are all-reduced.
    state = _ctx.STATE
    state.in_ddp = True
    try:
        return ddp(*args, **kwargs)
    finally:
        state.in_ddp = False
