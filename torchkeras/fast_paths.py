"""Every fast-path decision of layers, models, the trainer and losses, in one place.

A fast path skips general machinery when that machinery would change nothing. Each one
below says what it skips, the condition that enables it (the public function here that
decides it) and the measurement that justified it. The fast paths of ``keras.ops`` live in
:mod:`torchkeras.ops.fast_paths`, written down the same way.

Measurements are CPU, one thread, unless said otherwise (``bench/overhead.py``,
``bench/layers.py``, ``bench/gpu_profile.py``; figures from CHANGELOG.md and the commits
that added each path). Whatever changes what a layer call does clears the cached plans of
paths 2 and 3: ``Layer.__setattr__`` calls
:func:`torchkeras.layers.call_context.invalidate_call_plans` for the attributes in
``call_context.PLAN_ATTRIBUTES`` (activity regularizer, dtype policy, masking, autocast,
trainable), and adding/removing a layer or a hook goes through the same counter.

1. **Plain ``Layer.__call__``** (``layers/layer.py``). The standard ``__call__`` calls
   ``layer.call`` itself instead of ``nn.Module.__call__`` when the layer and torch have no
   forward/backward hooks (:func:`global_hooks_installed`, the layer's own hook dicts),
   and skips the conversion of inputs that are already plain tensors or lists of them.
   Torch's ``Module.__call__`` costs a few microseconds per layer; the signature facts it
   needs per call come from :func:`call_signature` (cached per class).
2. **Direct layer calls inside models** (``models/sequential.py``,
   ``models/functional.py``): a model whose own ``__call__`` has already set the training
   flag, the nesting depth and autocast calls its layers' ``call`` straight away when
   :func:`direct_calls` accepts every layer (built, standard ``__call__``
   (:func:`uses_standard_call`), no activity regularizer, computes no masks, one shared
   policy) and :func:`inputs_allow_direct` accepts this call's inputs (plain tensors
   without masks, no cast needed, no global hooks). About 3 us less per layer per step; on
   the airbench94 network at batch 1 the host time of a training step went from 2.39 to
   2.21 ms against the raw loop's 1.63 ms.
3. **Direct model call in evaluate/predict** (``trainers/trainer.py``): inside one
   ``call_context.loop_call`` around the whole loop, the model's ``call`` is invoked
   directly on float32 tensors when :func:`direct_inference_call` returns it (built,
   float32, no hooks, no activity regularizer, no masking, not wrapped for DDP). Part of
   the change that brought evaluate/predict to 0.97-1.04x of a raw torch loop
   (``bench/overhead.py``, CHANGELOG "first session").
4. **Fused test step** (``Trainer.fused_test_step``): the default ``test_step`` as one
   flat closure when :func:`inherits_unchanged` says the model overrides none of
   ``test_step``, ``compute_loss``, ``compute_metrics``, ``metrics`` and
   :func:`single_loss` finds one built-in ``Loss`` of weight 1. Together with path 3 and
   the buffered loss tracker: evaluate ~2 us less per step (CHANGELOG "second session":
   MLP 32-64-10 evaluate 1.03-1.04x -> 0.97x of the raw loop).
5. **Plain loss calls** (``losses/loss.py``, ``trainers/compile_utils.py``): the compiled
   loss hands one tensor pair straight to its single ``Loss`` (:func:`single_loss`); a
   ``Loss`` whose inputs are already converted and unweighted/unmasked
   (:func:`loss_inputs_ready`) calls its ``fast_call`` (a fused kernel such as
   ``F.cross_entropy`` or ``binary_cross_entropy_with_logits``; ``None`` falls back to
   the general ``call`` + reduction). Measured here (CPU, one thread, (64, 10) inputs,
   best of 5, shared VM): sparse categorical cross-entropy from logits ~25 us through
   ``fast_call`` vs ~50 us through ``call`` + reduction; mean squared error ~17 vs ~29 us.
   The sparse case calls ``F.cross_entropy`` (public API; it used to call the op under it,
   ``torch._C._nn.cross_entropy_loss``, which saved well under 1 us of argument handling).
6. **NC/NHWC view passing** (:func:`from_nc`, :func:`to_nc`, :func:`nc_source`;
   convolution, pooling, BatchNormalization, merge and activation layers): a
   channels_last output made by permuting an (N, C, ...) result remembers that tensor, and
   the next layer takes it back instead of permuting again. The airbench94 training step
   lost 17 of its 43 permute ops and 32 of its 34 PermuteBackward/ViewBackward nodes; its
   host time on the CPU stand-in went from 2.21 to about 1.8-1.95 ms.

Where a check must stay inline in a per-step loop, it is the same condition as the
function named here and says so in a comment: ``Layer.__call__``'s own hook test (path
1), the per-layer hook test of the Sequential/Functional direct loops (path 2), and each
loss's ``fast_call``, whose shape/option conditions belong to that loss (path 5), as the
op-specific fast paths of :mod:`torchkeras.ops.fast_paths` stay in their ops.

Layer-specific fast paths stay in their layer (they need its arguments) and are listed
here so none is hidden (``bench/layers.py``, forward + backward, one thread):

* ``STFTSpectrogram`` with frozen kernels that still hold their initial values runs
  ``torch.stft`` instead of Keras's strided convolution (same values; inference on
  (8, 16000, 1): 14.7 -> 1.4 ms). Trainable kernels always take the convolution.
* ``RandomGrayscale`` with ``factor >= 1`` and ``RandomGaussianBlur`` with
  ``factor[0] >= 1`` transform every image, so they skip the per-image draw and select
  (1.71x -> 0.79x and 1.26x -> 1.02x of the torch code).
* ``RandomErasing`` draws its noise as a tile the size of the largest rectangle and
  repeats it: the same i.i.d. values inside any one rectangle, a third of the draws with
  the default scale (1.35x -> 1.11x).
* The luma of channels-last images is one matmul (``color_utils.grayscale``; RandomGrayscale
  forward + backward 1.8 -> 1.4 ms on 16x64x64x3).
"""
from __future__ import annotations

from typing import Any, Callable

import torch
from torch.nn.modules import module as _torch_module

from torchkeras.layers.call_context import STATE

__all__ = ["standard_layer_call", "uses_standard_call", "call_signature",
           "CALL_SIGNATURES", "global_hooks_installed", "global_forward_hooks_installed",
           "direct_calls", "inputs_allow_direct", "direct_inference_call",
           "inherits_unchanged", "single_loss", "loss_inputs_ready",
           "to_nc", "from_nc", "nc_source"]


_Tensor = torch.Tensor

# ---------------------------------------------------------------- 1. Layer.__call__
def standard_layer_call(fn: Callable) -> Callable:
    """Marks ``Layer.__call__``, so :func:`uses_standard_call` can recognise it without
    importing ``Layer`` (which imports this module).

    Args:
        fn: The function to mark.

    Returns:
        ``fn`` itself.

    Example:
        >>> standard_layer_call(lambda self, x: x).is_standard_layer_call
        True
    """
    fn.is_standard_layer_call = True
    return fn


def uses_standard_call(layer: Any) -> bool:
    """Whether ``layer``'s class keeps ``Layer.__call__`` (no override).

    Example:
        >>> uses_standard_call(keras.layers.Dense(2))
        True
    """
    return getattr(type(layer).__call__, "is_standard_layer_call", False)


# (takes training, takes mask, takes **kwargs, first argument name, overrides compute_mask)
CALL_SIGNATURES: dict[type, tuple] = {}


def call_signature(cls: type) -> tuple:
    """Facts of ``cls.call``'s signature that ``Layer.__call__`` needs on every call.

    Args:
        cls: A ``Layer`` subclass.

    Returns:
        ``(takes_training, takes_mask, takes_var_kwargs, first_argument_name,
        overrides_compute_mask)``, cached per class in ``CALL_SIGNATURES`` (the hot path
        reads the dict first and calls this only on a miss).

    Example:
        >>> call_signature(keras.layers.Dropout)[0]   # Dropout.call takes `training`
        True
    """
    info = CALL_SIGNATURES.get(cls)
    if info is None:
        import inspect   # only on the first call of each class
        params = inspect.signature(cls.call).parameters
        var_kw = any(p.kind == p.VAR_KEYWORD for p in params.values())
        names = [n for n, p in params.items() if n != "self"
                 and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        info = ("training" in params, "mask" in params, var_kw, names[0] if names else "inputs",
                not getattr(cls.compute_mask, "is_layer_default", False))
        CALL_SIGNATURES[cls] = info
    return info


def global_hooks_installed() -> bool:
    """Whether any process-wide torch module hook (forward, forward-pre, backward,
    backward-pre) is registered: then every layer must go through ``nn.Module.__call__``.

    Torch has no public query for these registries, so this function is the one place
    that reads ``torch.nn.modules.module._global_*_hooks``.

    Example:
        >>> global_hooks_installed()
        False
    """
    m = _torch_module
    return bool(m._global_forward_hooks or m._global_forward_pre_hooks or
                m._global_backward_hooks or m._global_backward_pre_hooks)


def global_forward_hooks_installed() -> bool:
    """Whether a process-wide forward or forward-pre module hook is registered (what an
    inference-only loop, with no backward pass, must respect).

    Example:
        >>> global_forward_hooks_installed()
        False
    """
    m = _torch_module
    return bool(m._global_forward_hooks or m._global_forward_pre_hooks)


# ---------------------------------------------------------------- 2. models
def direct_calls(layers: list) -> tuple[list, torch.dtype | None] | None:
    """``([(layer, layer.call, takes_training), ...], mixed_dtype)`` for ``layers``, or None.

    All or nothing: every layer must be built, use the standard ``Layer.__call__``, have no
    activity regularizer and compute no masks, and all must share one policy: float32
    (``mixed_dtype`` None) or one mixed policy (``mixed_dtype`` its compute dtype).

    Args:
        layers: The layers a model calls, in order.

    Example:
        >>> dense = keras.layers.Dense(2); dense.build((None, 3))
        >>> direct_calls([dense])[1] is None
        True
    """
    plan, kinds = [], set()
    for layer in layers:
        info = call_signature(type(layer))
        policy = layer.dtype_policy
        if not layer.built or not uses_standard_call(layer) \
                or layer.activity_regularizer is not None or info[4]:
            return None
        if policy.is_mixed:
            kinds.add(policy.torch_compute)
        elif policy.torch_compute is torch.float32:
            kinds.add(None)
        else:
            return None
        plan.append((layer, layer.call, info[0] or info[2]))
    if len(kinds) > 1:
        return None
    return plan, (kinds.pop() if kinds else None)


def inputs_allow_direct(inputs: list, mixed_dtype: torch.dtype | None) -> bool:
    """Whether this call's inputs let a :func:`direct_calls` plan run.

    Plain tensors without masks; float32 (or non-float) for a float32 model, or autocast
    already on with the policy's dtype for a mixed one; and no global module hooks.

    Args:
        inputs: The model's flat input tensors.
        mixed_dtype: The plan's mixed compute dtype, or None for float32.

    Example:
        >>> inputs_allow_direct([torch.ones(2, 3)], None)
        True
    """
    m = _torch_module   # global_hooks_installed() inlined: this runs once per model call
    if m._global_forward_hooks or m._global_forward_pre_hooks or \
            m._global_backward_hooks or m._global_backward_pre_hooks:
        return False
    for x in inputs:
        if type(x) is not torch.Tensor or getattr(x, "_keras_mask", None) is not None:
            return False
        if mixed_dtype is None and x.is_floating_point() and x.dtype is not torch.float32:
            return False
    if mixed_dtype is None:
        # Inside a mixed-policy layer's autocast, float32 layers must leave it: only
        # Layer.__call__ does that.
        return not STATE.policy_autocast
    device = inputs[0].device.type
    try:
        return torch.is_autocast_enabled(device) and \
            torch.get_autocast_dtype(device) is mixed_dtype
    except (AttributeError, TypeError):   # torch < 2.4: no per-device query
        return False


# ---------------------------------------------------------------- 3. evaluate/predict
def direct_inference_call(layer: Any) -> Callable | None:
    """``layer.call`` when an evaluate/predict loop running inside
    ``call_context.loop_call`` may call it directly on float32 tensors, else None.

    Requires: built, float32 policy, no activity regularizer, no masking, no hooks (the
    layer's or global forward ones), not wrapped for DDP, the standard ``__call__``.

    Example:
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        >>> direct_inference_call(model) is not None
        True
    """
    policy = layer.dtype_policy
    # _forward_hooks/_forward_pre_hooks: torch's per-module hook dicts (no public query).
    if not layer.built or policy.is_mixed or policy.torch_compute is not torch.float32 \
            or layer.activity_regularizer is not None or layer.supports_masking \
            or layer._forward_hooks or layer._forward_pre_hooks \
            or layer.__dict__.get("_tk_ddp") is not None \
            or not uses_standard_call(layer) or global_forward_hooks_installed():
        return None
    return layer.call


# ---------------------------------------------------------------- 4. fused test step
def inherits_unchanged(cls: type, base: type, names: tuple) -> bool:
    """Whether ``cls`` inherits each attribute in ``names`` from ``base`` unchanged (a
    fused step may only stand in for methods nobody overrode).

    Args:
        cls: The class to check (e.g. ``type(model)``).
        base: The class whose attributes a fast path reproduces.
        names: Attribute names.

    Example:
        >>> inherits_unchanged(keras.Sequential, keras.Model, ("test_step",))
        True
    """
    for name in names:
        if getattr(cls, name) is not getattr(base, name):
            return False
    return True


# ---------------------------------------------------------------- 5. losses
def single_loss(compile_loss: Any) -> Any | None:
    """The one built-in-protocol ``Loss`` of weight 1 that ``compile_loss`` holds, or None.

    A ``Loss`` is recognised by its public ``fast_call`` method (``torch.nn`` losses and
    plain functions have none).

    Args:
        compile_loss: A ``trainers.compile_utils.CompileLoss``.

    Example:
        >>> single_loss(CompileLoss("mse", None, ["dense"])).name
        'mean_squared_error'
    """
    fns = compile_loss.fns
    if len(fns) != 1 or compile_loss.weights[0] != 1.0:
        return None
    fn = fns[0]
    return fn if getattr(type(fn), "fast_call", None) is not None else None


def loss_inputs_ready(y_true: Any, y_pred: Any, sample_weight: Any, dtype: torch.dtype,
                      int_labels: bool) -> bool:
    """Whether a ``Loss`` may hand its inputs to ``fast_call`` without conversion.

    True for unweighted, unmasked plain tensors already in the loss's dtype (integer
    labels kept for losses that take them) and on one device: the training loop's case.

    Args:
        y_true: Targets.
        y_pred: Predictions.
        sample_weight: Sample weights (must be None).
        dtype: The loss's compute dtype.
        int_labels: Whether the loss keeps integer labels as they are.

    Example:
        >>> loss_inputs_ready(torch.ones(2), torch.ones(2), None, torch.float32, False)
        True
    """
    return sample_weight is None and type(y_pred) is _Tensor \
        and type(y_true) is _Tensor and y_pred.dtype is dtype \
        and getattr(y_pred, "_keras_mask", None) is None \
        and (y_true.dtype is dtype or (int_labels and not y_true.is_floating_point())) \
        and y_true.device == y_pred.device


# ---------------------------------------------------------------- 6. NC/NHWC views
_TO_NC = {3: (0, 2, 1), 4: (0, 3, 1, 2), 5: (0, 4, 1, 2, 3)}
_FROM_NC = {3: (0, 2, 1), 4: (0, 2, 3, 1), 5: (0, 2, 3, 4, 1)}


def to_nc(x: torch.Tensor, data_format: str) -> torch.Tensor:
    """(N, *spatial, C) -> an (N, C, *spatial) view (torch's channels_last layout).

    When ``x`` is itself a :func:`from_nc` view, the tensor it was made from is returned:
    the same values on the same memory, without a permute op in the forward pass or a
    PermuteBackward node in the backward pass (a convnet chains dozens of them per step).

    Args:
        x: A rank 3-5 tensor.
        data_format: ``"channels_last"`` or ``"channels_first"`` (returned as it is).

    Example:
        >>> to_nc(torch.ones(2, 5, 5, 3), "channels_last").shape
        torch.Size([2, 3, 5, 5])
    """
    if data_format == "channels_first":
        return x
    y = nc_source(x)
    return x.permute(_TO_NC[x.dim()]) if y is None else y


def from_nc(y: torch.Tensor, data_format: str) -> torch.Tensor:
    """The inverse of :func:`to_nc`; the result remembers ``y`` for the next ``to_nc``.

    Args:
        y: An (N, C, *spatial) tensor.
        data_format: The layout wanted.

    Example:
        >>> y = torch.ones(2, 3, 5, 5)
        >>> nc_source(from_nc(y, "channels_last")) is y
        True
    """
    if data_format == "channels_first":
        return y
    x = y.permute(_FROM_NC[y.dim()])
    # Real tensors only: not the fake ones of shape inference (they have no data pointer)
    # nor inside torch.compile (a tensor attribute would break the graph).
    if type(y) is torch.Tensor and not torch.compiler.is_compiling():
        x._tk_nc = (y, x.stride())
    return x


def nc_source(x: torch.Tensor) -> torch.Tensor | None:
    """The (N, C, *spatial) tensor that ``x`` is a :func:`from_nc` view of, or None.

    Strides, data pointer and batch size are checked again, so an in-place change of
    ``x``'s metadata since then (``transpose_``, ``resize_``, ``set_``…) cannot hand back
    a stale tensor.

    Example:
        >>> nc_source(torch.ones(2, 5, 5, 3)) is None
        True
    """
    source = getattr(x, "_tk_nc", None)
    if source is None:
        return None
    y, strides = source
    if x.stride() != strides or x.data_ptr() != y.data_ptr() or x.shape[0] != y.shape[0]:
        return None
    return y
