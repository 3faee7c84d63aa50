"""Model: a Layer that trains (``compile``/``fit``/``evaluate``/``predict``) and saves."""
from __future__ import annotations

import json

from torchkeras.layers.keras_tensor import KerasTensor
from torchkeras.layers.layer import Layer
from torchkeras.trainers.trainer import Trainer

_FUNCTIONAL_SUBCLASSES: dict = {}
_FUNCTIONAL: list = []   # the Functional class, registered by models/functional.py


def register_functional_class(cls: type) -> None:
    """Registers the class that ``Model(inputs, outputs)`` becomes (Functional registers
    itself when imported, which ``torchkeras.models`` always does): model.py never imports
    functional.py, which subclasses Model."""
    _FUNCTIONAL[:] = [cls]


def _functional_class() -> type:
    return _FUNCTIONAL[0]


def _functional_subclass(cls):
    if cls not in _FUNCTIONAL_SUBCLASSES:
        Functional = _functional_class()
        _FUNCTIONAL_SUBCLASSES[cls] = type(cls.__name__, (cls, Functional),
                                           {"__module__": cls.__module__,
                                            "__qualname__": cls.__qualname__})
    return _FUNCTIONAL_SUBCLASSES[cls]


def functional_init_arguments(args: tuple, kwargs: dict) -> bool:
    """Whether constructor arguments describe a functional model (Keras's rule)."""
    return len(args) == 2 or (len(args) == 1 and "outputs" in kwargs) or (
        "inputs" in kwargs and "outputs" in kwargs)


def _is_shape(x) -> bool:
    return isinstance(x, (list, tuple)) and all(d is None or isinstance(d, int) for d in x)


def _shape_tree_to_spec(shapes):
    """A shape, or a dict/list of shapes, -> the same structure of KerasTensors."""
    if _is_shape(shapes):
        return KerasTensor(tuple(shapes))
    if isinstance(shapes, dict):
        return {k: _shape_tree_to_spec(v) for k, v in shapes.items()}
    if isinstance(shapes, (list, tuple)):
        return [_shape_tree_to_spec(v) for v in shapes]
    raise ValueError("`input_shape` must be a shape tuple, or a list/dict of shape tuples; "
                     "got %r" % (shapes,))


class Model(Trainer, Layer):
    """Groups layers into an object with training and inference features.

    ``Model(inputs, outputs)`` builds a functional model; subclassing ``Model`` and
    writing ``call()`` gives a subclassed model whose layers are its attributes.

    Args:
        inputs: Functional API only: ``Input`` tensors (one, a list or a dict).
        outputs: Functional API only: output tensors of the graph.
        name: Model name.

    Example:
        >>> inputs = Input((784,))
        >>> outputs = layers.Dense(10, activation="softmax")(inputs)
        >>> model = Model(inputs, outputs)
    """

    def __new__(cls, *args, **kwargs):
        # Keras's rule: `Model(inputs, outputs)` itself is a functional model; a subclass
        # is decided by what its own `__init__` passes to `Model.__init__` (below), never
        # by the arguments the subclass's constructor happens to take.
        if cls is Model and functional_init_arguments(args, kwargs):
            Functional = _functional_class()
            return Functional.__new__(Functional, *args, **kwargs)
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, *args, **kwargs):
        if functional_init_arguments(args, kwargs):
            Functional = _functional_class()
            if not isinstance(self, Functional):
                # A subclass built like a functional model (Keras's custom train_step
                # guide): give it Functional's machinery under its own name.
                self.__class__ = _functional_subclass(type(self))
            Functional.__init__(self, *args, **kwargs)
            return
        if args:
            raise TypeError("Model.__init__() takes keyword arguments only (or `inputs` and "
                            "`outputs` for a functional model), got positional arguments %r"
                            % (args,))
        if "inputs" in kwargs or "outputs" in kwargs:
            raise ValueError("A functional Model needs both `inputs` and `outputs`; got only "
                             "%s." % ("`inputs`" if "inputs" in kwargs else "`outputs`"))
        trainable = kwargs.pop("trainable", True)
        name = kwargs.pop("name", None)
        dtype = kwargs.pop("dtype", None)
        Layer.__init__(self, name=name, trainable=trainable, dtype=dtype, **kwargs)
        Trainer.__init__(self)

    @property
    def layers(self) -> list:
        """Direct sublayers, in the order they were added."""
        return [m for m in self._modules.values() if isinstance(m, Layer)]

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A sublayer by name or by index in ``layers``."""
        if index is not None and name is not None:
            raise ValueError("Provide only a layer name or a layer index, not both.")
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError("Was asked to retrieve layer at index %d but model only has "
                                 "%d layers." % (index, len(layers)))
            return layers[index]
        if name is not None:
            for layer in layers:
                if layer.name == name:
                    return layer
            raise ValueError("No such layer: %s. Existing layers are: %s."
                             % (name, [l.name for l in layers]))
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    def build(self, input_shape=None) -> None:
        """Builds a subclassed model by calling it on fake inputs of ``input_shape``."""
        if self.built:
            return
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument to build %s."
                             % self.name)
        from torchkeras.layers.keras_tensor import run_fake
        spec = _shape_tree_to_spec(input_shape)
        shape = tuple(input_shape) if isinstance(input_shape, list) and _is_shape(
            input_shape) else input_shape
        self.built = True
        self._build_input_shape = shape
        try:
            run_fake(self, (spec,), {})
        except Exception as e:
            self.built = False
            raise ValueError("Could not build model %s with input shape %s: %s"
                             % (self.name, shape, e)) from e

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None) -> None:
        """Prints Keras's summary table: layers, output shapes, parameter counts."""
        from torchkeras.utils.summary_utils import print_summary
        print_summary(self, line_length=line_length, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable)

    def to_json(self, **kwargs) -> str:
        """The architecture (``serialize_keras_object`` form) as a JSON string."""
        from torchkeras.saving.serialization import serialize_keras_object
        return json.dumps(serialize_keras_object(self), **kwargs)

    # ------------------------------------------------------------------ saving
    def save(self, filepath, overwrite: bool = True, zipped=None, **kwargs) -> None:
        """Saves architecture, weights and optimizer state to one ``.keras`` file."""
        from torchkeras.saving.model_file import save_model
        save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    def save_weights(self, filepath, overwrite: bool = True) -> None:
        """Saves the weights: safetensors, or HDF5 when the path ends in ``.h5``."""
        from torchkeras.saving.weights_file import save_weights
        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch: bool = False, **kwargs) -> None:
        """Loads weights saved by ``save_weights`` (or Keras 3's ``.weights.h5``)."""
        from torchkeras.saving.weights_loader import load_weights
        load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)

    def export(self, filepath, format: str = "torch", **kwargs):
        """Exports an inference program: ``"torch"`` (torch.export) or ``"onnx"``."""
        from torchkeras.saving.export import export_model
        return export_model(self, filepath, format=format, **kwargs)

    def get_config(self) -> dict:
        return Layer.get_config(self)

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        if "layers" in config and "input_layers" in config:
            return _functional_class().from_config(config, custom_objects=custom_objects)
        return super().from_config(config)
