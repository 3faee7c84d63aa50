"""Symbolic tensors of the functional API and the graph nodes that connect them.

Calling a layer on ``KerasTensor``s builds it from their shapes, finds the output shapes
(``compute_output_shape`` when the layer defines it, otherwise one run of ``call`` on
fake tensors: no memory, no real compute) and records a ``Node``.
"""
from __future__ import annotations

import torch

from torchkeras import config as _config
from torchkeras.layers import call_context as _ctx
from torchkeras.scopes.name_scope import name_scope

_FAKE_BATCH = 2


class KerasTensor:
    """Shape and dtype of a value in a functional graph (batch dimension ``None``).

    Args:
        shape: Tuple with ``None`` for unknown dimensions.
        dtype: Dtype name, ``"float32"`` by default.
        name: Optional name (the Input's name).
    """

    def __init__(self, shape, dtype="float32", name: str | None = None, sparse: bool = False,
                 ragged: bool = False):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = _config.dtype_name(dtype)
        self.name = name
        self.sparse = sparse
        self.ragged = ragged
        self._keras_history = None   # (layer, node_index, tensor_index)
        self._keras_mask = None      # KerasTensor of the mask a masking layer attached

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return "<KerasTensor shape=%s, dtype=%s, name=%s>" % (self.shape, self.dtype, self.name)

    def __len__(self):
        raise TypeError("KerasTensor has no len(): it is a symbolic placeholder.")

    def __iter__(self):
        raise TypeError("KerasTensor is not iterable: it is a symbolic placeholder.")

    def __bool__(self):
        raise TypeError("A KerasTensor cannot be used as a Python bool: it is symbolic.")

    # Operators go through torchkeras.ops, as Keras's do through keras.ops: each becomes
    # a graph node with the op's unique automatic name (``add``, ``add_1``, …).
    def _op(self, name, *args):
        from torchkeras import ops  # ops imports this module: a top-level import would cycle
        return getattr(ops, name)(*args)

    def __add__(self, o): return self._op("add", self, o)
    def __radd__(self, o): return self._op("add", o, self)
    def __sub__(self, o): return self._op("subtract", self, o)
    def __rsub__(self, o): return self._op("subtract", o, self)
    def __mul__(self, o): return self._op("multiply", self, o)
    def __rmul__(self, o): return self._op("multiply", o, self)
    def __truediv__(self, o): return self._op("true_divide", self, o)
    def __rtruediv__(self, o): return self._op("true_divide", o, self)
    def __floordiv__(self, o): return self._op("floor_divide", self, o)
    def __rfloordiv__(self, o): return self._op("floor_divide", o, self)
    def __mod__(self, o): return self._op("mod", self, o)
    def __rmod__(self, o): return self._op("mod", o, self)
    def __matmul__(self, o): return self._op("matmul", self, o)
    def __rmatmul__(self, o): return self._op("matmul", o, self)
    def __pow__(self, o): return self._op("power", self, o)
    def __rpow__(self, o): return self._op("power", o, self)
    def __neg__(self): return self._op("negative", self)
    def __abs__(self): return self._op("absolute", self)
    def __lt__(self, o): return self._op("less", self, o)
    def __le__(self, o): return self._op("less_equal", self, o)
    def __gt__(self, o): return self._op("greater", self, o)
    def __ge__(self, o): return self._op("greater_equal", self, o)
    def __ne__(self, o): return self._op("not_equal", self, o)
    def __and__(self, o): return self._op("logical_and", self, o)
    def __rand__(self, o): return self._op("logical_and", o, self)
    def __or__(self, o): return self._op("logical_or", self, o)
    def __ror__(self, o): return self._op("logical_or", o, self)
    def __xor__(self, o): return self._op("logical_xor", self, o)
    def __rxor__(self, o): return self._op("logical_xor", o, self)
    def __invert__(self): return self._op("logical_not", self)
    def __round__(self, ndigits=None): return self._op("round", self, ndigits or 0)
    def __getitem__(self, key): return self._op("get_item", self, key)

    # Identity semantics for == and hashing, as Keras keeps them (tensors key dicts).
    __hash__ = object.__hash__


class Node:
    """One call of ``layer`` in a functional graph."""

    def __init__(self, layer, args, kwargs, outputs):
        self.layer = layer
        self.args = args
        self.kwargs = kwargs
        self.outputs = outputs
        self.input_tensors = [kt for kt in flatten_leaves(args) + flatten_leaves(kwargs)
                              if isinstance(kt, KerasTensor)]
        self.output_tensors = [kt for kt in flatten_leaves(outputs) if isinstance(kt, KerasTensor)]
        self.parent_nodes = [kt._keras_history[0]._inbound_nodes[kt._keras_history[1]]
                             for kt in self.input_tensors if kt._keras_history is not None]


def flatten_leaves(x) -> list:
    """The leaves of nested lists, tuples and dicts (dicts in value order), in order.

    Example:
        >>> flatten_leaves([1, (2, {"a": 3})])
        [1, 2, 3]
    """
    if isinstance(x, (list, tuple)):
        return [v for item in x for v in flatten_leaves(item)]
    if isinstance(x, dict):
        return [v for item in x.values() for v in flatten_leaves(item)]
    return [x]


def map_structure(fn, x):
    if isinstance(x, tuple):
        return tuple(map_structure(fn, v) for v in x)
    if isinstance(x, list):
        return [map_structure(fn, v) for v in x]
    if isinstance(x, dict):
        return {k: map_structure(fn, v) for k, v in x.items()}
    return fn(x)


def _shapes(x):
    return map_structure(lambda v: v.shape if isinstance(v, KerasTensor) else None, x)


def _fake_inputs(mode, x, device, fill: int = 1):
    def make(v):
        if not isinstance(v, KerasTensor):
            return v
        shape = [_FAKE_BATCH if (d is None and i == 0) else (fill if d is None else d)
                 for i, d in enumerate(v.shape)]
        with mode:
            t = torch.zeros(shape, dtype=_config.to_torch_dtype(v.dtype), device=device)
        mask = v._keras_mask
        if isinstance(mask, KerasTensor):
            # The layer's own __call__ then reads, passes and propagates it as it would
            # on real tensors; _spec_from_fake reads the outputs' masks back (a mask
            # passed through unchanged maps back to this very KerasTensor).
            t._keras_mask = make(mask)
            t._keras_mask._tk_symbolic = mask
        return t
    return map_structure(make, x)


def _state_snapshot(layer) -> list:
    # Non-trainable state that a traced call might mutate (counters, moving stats).
    out = []
    for m in layer.modules():
        for p in list(m._parameters.values()) + list(m._buffers.values()):
            if p is not None and not p.requires_grad:
                out.append((p, p.detach().clone()))
    return out


def run_fake(layer, args, kwargs, fill: int = 1):
    """Runs ``layer`` on stand-ins shaped like the KerasTensors in ``args``.

    Fake tensors first (no memory, no compute); should the installed torch fail to mix
    them with this layer's weights, a 2-sample zero batch on the weights' device.
    Non-trainable state a traced call mutates (counters, moving stats) is restored.
    """
    from torch._subclasses.fake_tensor import FakeTensorMode
    # Weights follow the real input that triggered the build (its device), else the default.
    device = layer._weight_device()
    for p in layer.parameters():
        device = p.device
        break
    snapshot = _state_snapshot(layer)
    try:
        try:
            mode = FakeTensorMode(allow_non_fake_inputs=True)
            fargs = _fake_inputs(mode, args, device, fill)
            fkwargs = _fake_inputs(mode, kwargs, device, fill)
            with mode, torch.no_grad():
                return layer(*fargs, **fkwargs)
        except Exception as fake_error:
            _restore(snapshot)
            try:
                real = _NullMode()
                rargs = _fake_inputs(real, args, device, fill)
                rkwargs = _fake_inputs(real, kwargs, device, fill)
                with torch.no_grad():
                    return layer(*rargs, **rkwargs)
            except Exception:
                raise fake_error from None
    finally:
        _restore(snapshot)


class _NullMode:
    """Stands in for a fake-tensor mode: tensors made inside are real (zeros)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _restore(snapshot) -> None:
    with _ctx.no_fake_mode(), torch.no_grad():
        for p, saved in snapshot:
            if p.shape == saved.shape:
                p.copy_(saved)


def _spec_from_fake(out, batch_unknown: bool):
    def conv(t):
        if isinstance(t, torch.Tensor):
            shape = list(t.shape)
            if batch_unknown and shape:
                shape[0] = None
            kt = KerasTensor(shape, dtype=t.dtype)
            mask = getattr(t, "_keras_mask", None)
            if isinstance(mask, torch.Tensor):
                source = getattr(mask, "_tk_symbolic", None)
                kt._keras_mask = conv(mask) if source is None else source
            return kt
        return t
    return map_structure(conv, out)


def layer_default(fn):
    """Marks ``Layer``'s own ``compute_output_shape`` / ``compute_output_spec`` /
    ``compute_mask``: symbolic calls tell a subclass's override from them by this mark, so
    this module never imports ``Layer`` (which imports it)."""
    fn.is_layer_default = True
    return fn


def _is_default(layer, method: str) -> bool:
    return getattr(getattr(type(layer), method), "is_layer_default", False)


def is_symbolic(x) -> bool:
    """Whether ``x`` is, or holds (in lists, tuples, dicts), a ``KerasTensor``."""
    if isinstance(x, KerasTensor):
        return True
    if isinstance(x, (list, tuple)):
        return any(is_symbolic(v) for v in x)
    if isinstance(x, dict):
        return any(is_symbolic(v) for v in x.values())
    return False


def _overrides_output_shape(layer) -> bool:
    return not _is_default(layer, "compute_output_shape")


def infer_output_shape(layer, input_shape):
    """Output shape(s) of ``layer`` for ``input_shape`` from a fake-tensor run."""
    def to_kt(s):
        return KerasTensor(s)
    is_single = isinstance(input_shape, tuple) and all(d is None or isinstance(d, int) for d in input_shape)
    arg = to_kt(input_shape) if is_single else map_structure(
        to_kt, [tuple(s) for s in input_shape]) if isinstance(input_shape, list) else to_kt(tuple(input_shape))
    batch_unknown = _batch_unknown(arg)
    out = _spec_from_fake(run_fake(layer, (arg,), {}), batch_unknown)
    return map_structure(lambda kt: kt.shape if isinstance(kt, KerasTensor) else kt, out)


def _batch_unknown(x) -> bool:
    for kt in flatten_leaves(x):
        if isinstance(kt, KerasTensor):
            return not kt.shape or kt.shape[0] is None
    return True


def symbolic_call(layer, args, kwargs, record: bool = True):
    """``layer(*args)`` on KerasTensors: build, infer output specs, record a Node."""
    try:
        # Sublayers built while the call is traced get paths under this layer (Keras).
        with name_scope(layer.name, caller=layer):
            spec = _symbolic_spec(layer, args, kwargs)
    except Exception as e:
        if "when calling layer '%s'" % layer.name in str(e):
            raise
        msg = "Exception encountered when calling layer '%s' (%s) on symbolic inputs %s: %s" % (
            layer.name, type(layer).__name__, _shapes(args[0]), e)
        try:
            err = type(e)(msg)
        except Exception:
            err = ValueError(msg)
        raise err from e
    if not record:
        return spec
    node = Node(layer, args, kwargs, spec)
    layer._inbound_nodes.append(node)
    index = len(layer._inbound_nodes) - 1
    for i, kt in enumerate(node.output_tensors):
        kt._keras_history = (layer, index, i)
    return spec


def _symbolic_spec(layer, args, kwargs):
    inputs = args[0]
    if not layer.built:
        layer._maybe_build(_shapes(inputs), None)
    if not _is_default(layer, "compute_output_spec"):
        spec = layer.compute_output_spec(*args, **kwargs)
        _attach_symbolic_masks(layer, inputs, spec)
        return spec
    spec = None
    if _overrides_output_shape(layer) and len(args) == 1 and not kwargs:
        try:
            shape = layer.compute_output_shape(_shapes(inputs))
            spec = _shape_to_kt(shape, _out_dtype(layer, inputs))
        except NotImplementedError:
            spec = None
        else:
            _attach_symbolic_masks(layer, inputs, spec)
    if spec is None:
        # The fake run goes through Layer.__call__, which carries masks itself.
        out = run_fake(layer, args, kwargs)
        spec = _spec_from_fake(out, _batch_unknown(args))
        if _has_unknown_inner_dim((args, kwargs)):
            _mark_unknown_dims(spec, layer, args, kwargs)
    return spec


def _has_unknown_inner_dim(x) -> bool:
    return any(isinstance(kt, KerasTensor) and None in kt.shape[1:] for kt in flatten_leaves(x))


def _mark_unknown_dims(spec, layer, args, kwargs) -> None:
    """Output dims that follow an unknown (``None``) input dim become ``None`` too.

    The first fake run stands 1 in for every unknown non-batch dim (an LSTM given
    ``initial_state`` would report a time axis of 1); a second run with 2 shows which
    output dims depend on them. Should the layer refuse that size, the first result stands.
    """
    try:
        other = _spec_from_fake(run_fake(layer, args, kwargs, fill=2), True)
    except Exception:
        return
    first, second = flatten_leaves(spec), flatten_leaves(other)
    if len(first) != len(second):
        return
    for a, b in zip(first, second):
        if isinstance(a, KerasTensor) and isinstance(b, KerasTensor) and a.ndim == b.ndim:
            a.shape = tuple(None if d != e else d for d, e in zip(a.shape, b.shape))


def _attach_symbolic_masks(layer, inputs, spec) -> None:
    """Output masks for a spec found without running the layer: what Layer.__call__ would
    set, from ``compute_mask`` on fake stand-ins for the inputs and their masks."""
    if not layer.supports_masking:
        return
    flat_in = [kt for kt in flatten_leaves(inputs) if isinstance(kt, KerasTensor)]
    if _is_default(layer, "compute_mask"):
        masks = [kt._keras_mask for kt in flat_in]
        if all(m is None for m in masks):
            return
        out_masks = masks[0] if isinstance(inputs, KerasTensor) else masks
    else:
        from torch._subclasses.fake_tensor import FakeTensorMode
        device = layer._weight_device()
        try:
            mode = FakeTensorMode(allow_non_fake_inputs=True)
            fake = _fake_inputs(mode, inputs, device)
            with mode, torch.no_grad():
                out = layer.compute_mask(fake, _ctx.get_mask(fake))
        except Exception:
            real = _fake_inputs(_NullMode(), inputs, device)
            with torch.no_grad():
                out = layer.compute_mask(real, _ctx.get_mask(real))
        out_masks = _spec_from_fake(out, _batch_unknown(inputs))
    for kt, mask in zip(flatten_leaves(spec), flatten_leaves(out_masks)):
        if isinstance(kt, KerasTensor) and kt._keras_mask is None and \
                isinstance(mask, KerasTensor):
            # A mask covers the leading axes of its tensor: those unknown there (a
            # variable sequence length) are unknown in the mask too, not the stand-in's 1.
            shape = tuple(None if i < kt.ndim and kt.shape[i] is None else d
                          for i, d in enumerate(mask.shape))
            kt._keras_mask = mask if shape == mask.shape else KerasTensor(shape, mask.dtype)


def _out_dtype(layer, inputs):
    first = flatten_leaves(inputs)[0]
    in_dtype = getattr(first, "dtype", "float32")
    if torch.empty((), dtype=_config.to_torch_dtype(in_dtype)).is_floating_point():
        return layer.compute_dtype
    return layer.compute_dtype if layer.built and list(layer.parameters()) else in_dtype


def _shape_to_kt(shape, dtype):
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
        return [KerasTensor(s, dtype) for s in shape]
    if isinstance(shape, dict):
        return {k: KerasTensor(s, dtype) for k, s in shape.items()}
    return KerasTensor(shape, dtype)


# The names these helpers had before they became public (code written against them).
_flatten = flatten_leaves
_run_fake = run_fake
