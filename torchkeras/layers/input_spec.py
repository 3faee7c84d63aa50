"""InputSpec: what a layer accepts (rank, axis sizes, dtype), checked when it is called."""
from __future__ import annotations

from typing import Any

from torchkeras.tree import flatten


class InputSpec:
    """Constraints on one input of a layer; set ``self.input_spec`` in a layer to use it.

    The check runs when the layer is called on symbolic inputs and when it builds on its
    first eager call (not on every eager step, which keeps the training step lean).

    Args:
        dtype: Expected dtype name.
        shape: Expected shape; ``None`` entries match any size.
        ndim: Expected rank.
        max_ndim: Maximum rank.
        min_ndim: Minimum rank.
        axes: ``{axis: size}`` requirements (negative axes count from the end).
        allow_last_axis_squeeze: Accept a rank one off from ``ndim``/``shape`` when the
            last axis is 1.
        name: Name of the input.
        optional: The input may be ``None``.

    Example:
        >>> class OnlyMatrices(torchkeras.layers.Layer):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.input_spec = InputSpec(ndim=2)
    """

    def __init__(self, dtype: Any = None, shape: tuple | None = None, ndim: int | None = None,
                 max_ndim: int | None = None, min_ndim: int | None = None,
                 axes: dict | None = None, allow_last_axis_squeeze: bool = False,
                 name: str | None = None, optional: bool = False):
        self.dtype = None if dtype is None else str(dtype).replace("torch.", "")
        self.shape = None if shape is None else tuple(shape)
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.name = name
        self.optional = optional
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        try:
            self.axes = {int(k): v for k, v in (axes or {}).items()}
        except (ValueError, TypeError):
            raise TypeError("Argument `axes` must be a dict with integer keys. Received: "
                            "axes=%r" % (axes,)) from None
        if self.axes and (self.ndim is not None or self.max_ndim is not None):
            top = self.ndim if self.ndim is not None else self.max_ndim
            if max(self.axes) > top - 1:
                raise ValueError("Axis %d is greater than the maximum allowed value: %d"
                                 % (max(self.axes), top - 1))

    def __repr__(self) -> str:
        parts = ["%s=%r" % (k, getattr(self, k)) for k in
                 ("dtype", "shape", "ndim", "max_ndim", "min_ndim", "axes")
                 if getattr(self, k)]
        return "InputSpec(%s)" % ", ".join(parts)

    def get_config(self) -> dict:
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes}

    @classmethod
    def from_config(cls, config: dict) -> "InputSpec":
        return cls(**config)


def assert_input_compatibility(input_spec: Any, inputs: Any, layer_name: str) -> None:
    """Raises ValueError when ``inputs`` break ``input_spec`` (a spec or list of specs).

    Args:
        input_spec: ``InputSpec``, a list of them (one per flattened input) or ``None``.
        inputs: Tensors or KerasTensors (anything with ``.shape``).
        layer_name: Named in the error.
    """
    if not input_spec:
        return
    specs = flatten(input_spec)
    values = flatten(inputs)
    if len(specs) != len(values):
        raise ValueError('Layer "%s" expects %d input(s), but it received %d input tensors.'
                         % (layer_name, len(specs), len(values)))
    for i, (spec, x) in enumerate(zip(specs, values)):
        if spec is None:
            continue
        if x is None:
            if spec.optional:
                continue
            raise ValueError('Input %d of layer "%s" is None but is not optional.'
                             % (i, layer_name))
        if not hasattr(x, "shape"):
            raise ValueError('Inputs to layer "%s" should be tensors. Got: %r' % (layer_name, x))
        shape = tuple(x.shape)
        ndim = len(shape)
        where = 'Input %d of layer "%s" is incompatible with the layer: ' % (i, layer_name)
        full = ". Full shape received: %s" % (shape,)
        if spec.ndim is not None and not spec.allow_last_axis_squeeze and ndim != spec.ndim:
            raise ValueError(where + "expected ndim=%d, found ndim=%d%s" % (spec.ndim, ndim, full))
        if spec.max_ndim is not None and ndim > spec.max_ndim:
            raise ValueError(where + "expected max_ndim=%d, found ndim=%d%s"
                             % (spec.max_ndim, ndim, full))
        if spec.min_ndim is not None and ndim < spec.min_ndim:
            raise ValueError(where + "expected min_ndim=%d, found ndim=%d%s"
                             % (spec.min_ndim, ndim, full))
        if spec.dtype is not None:
            dtype = str(getattr(x, "dtype", "")).replace("torch.", "")
            if dtype != spec.dtype:
                raise ValueError(where + "expected dtype=%s, found dtype=%s"
                                 % (spec.dtype, dtype))
        for axis, size in spec.axes.items():
            if size is None:
                continue
            if not -ndim <= axis < ndim:
                raise ValueError(where + "expected axis %d of input to exist%s" % (axis, full))
            found = shape[axis]
            if found is not None and found != size:
                raise ValueError(where + "expected axis %d of input shape to have value %d, "
                                 "but received input with shape %s" % (axis, size, shape))
        if spec.shape is not None:
            got = shape
            if spec.allow_last_axis_squeeze:
                got = got[:-1] if got and got[-1] == 1 else got
                want = spec.shape[:-1] if spec.shape and spec.shape[-1] == 1 else spec.shape
            else:
                want = spec.shape
            if len(got) != len(want) or any(
                    w is not None and g is not None and w != g for w, g in zip(want, got)):
                raise ValueError(where + "expected shape=%s, found shape=%s"
                                 % (spec.shape, shape))
