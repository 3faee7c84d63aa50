"""``Input`` / ``InputLayer``: the entry points of a functional graph."""
from __future__ import annotations

from torchkeras.layers.keras_tensor import KerasTensor, Node
from torchkeras.layers.layer import Layer


def _check_shape(arg: str, shape) -> tuple:
    """``shape`` as a tuple of non-negative ints and None; a ValueError naming ``arg``
    for anything else (a string such as "32x32", floats, negative sizes)."""
    def is_dim(d):
        if d is None:
            return True
        if isinstance(d, (bool, str, float)) or not hasattr(d, "__index__"):
            return False
        return int(d) >= 0
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__iter__") or \
            not all(is_dim(d) for d in shape):
        raise ValueError("Input `%s` must be a tuple of non-negative integers or None "
                         "(e.g. `shape=(32, 32, 3)`), got %r" % (arg, shape))
    return tuple(None if d is None else int(d) for d in shape)


class InputLayer(Layer):
    """The layer behind ``Input``: it holds the graph's input placeholder.

    Args:
        shape: Shape without the batch dimension, e.g. ``(784,)``.
        batch_size: Optional fixed batch size.
        dtype: Input dtype (``"float32"`` by default; ``"int64"`` for token ids).
        batch_shape: Full shape including the batch dimension (instead of ``shape``).
        name: Name of the input (keys of dict inputs use it).
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
                 input_tensor=None, optional: bool = False, name=None, ragged=None, **kwargs):
        kwargs.pop("input_shape", None)
        super().__init__(name=name, **{k: v for k, v in kwargs.items() if k == "trainable"})
        if batch_shape is None:
            if shape is None:
                raise ValueError("You must pass a `shape` argument to Input/InputLayer.")
            if isinstance(shape, int):
                shape = (shape,)
            batch_shape = (batch_size,) + _check_shape("shape", shape)
        else:
            batch_shape = _check_shape("batch_shape", batch_shape)
        self._batch_shape = tuple(None if d is None else int(d) for d in batch_shape)
        self._input_dtype = dtype or "float32"
        self.sparse = bool(sparse)
        self.optional = optional
        self.built = True
        self._build_input_shape = self._batch_shape
        tensor = KerasTensor(self._batch_shape, dtype=self._input_dtype, name=self.name)
        node = Node(self, (), {}, tensor)
        self._inbound_nodes.append(node)
        tensor._keras_history = (self, 0, 0)
        self.output_tensor = tensor

    @property
    def batch_shape(self):
        return self._batch_shape

    def call(self, inputs):
        return inputs

    def get_config(self) -> dict:
        return {"batch_shape": list(self._batch_shape), "dtype": self._input_dtype,
                "sparse": self.sparse, "ragged": False, "name": self.name,
                "optional": self.optional}

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if "batch_input_shape" in config:
            config["batch_shape"] = config.pop("batch_input_shape")
        return cls(**config)


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None,
          tensor=None, optional: bool = False, ragged=None) -> KerasTensor:
    """A symbolic input of a functional model.

    Args:
        shape: Shape without the batch dimension, e.g. ``(32, 32, 3)``.
        batch_size: Optional fixed batch size.
        dtype: Dtype name of the input.
        batch_shape: Full shape, batch dimension included.
        name: Input name (dict inputs are keyed by it).

    Example:
        >>> x = Input(shape=(784,))
        >>> y = layers.Dense(10)(x)
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       batch_shape=batch_shape, name=name, optional=optional)
    return layer.output_tensor
