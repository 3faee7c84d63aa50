"""Model: a Layer that trains (``compile``/``fit``/``evaluate``/``predict``) and saves."""
from __future__ import annotations

import json

from torchkeras.layers.layer import Layer

_FUNCTIONAL_SUBCLASSES: dict = {}


def _functional_subclass(cls):
    if cls not in _FUNCTIONAL_SUBCLASSES:
        from torchkeras.models.functional import Functional
        _FUNCTIONAL_SUBCLASSES[cls] = type(cls.__name__, (cls, Functional),
                                           {"__module__": cls.__module__,
                                            "__qualname__": cls.__qualname__})
    return _FUNCTIONAL_SUBCLASSES[cls]
from torchkeras.trainers.trainer import Trainer


def _is_symbolic(structure) -> bool:
    """True if ``structure`` (a tensor, list, tuple or dict) holds only KerasTensors."""
    # Function-local: keras_tensor imports the layer machinery that imports models lazily.
    from torchkeras.layers.keras_tensor import KerasTensor
    if isinstance(structure, dict):
        structure = list(structure.values())
    if isinstance(structure, (list, tuple)):
        return bool(structure) and all(_is_symbolic(v) for v in structure)
    return isinstance(structure, KerasTensor)


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
        functional_args = len(args) >= 2 or "inputs" in kwargs or (
            len(args) == 1 and "outputs" in kwargs)
        from torchkeras.models.functional import Functional
        if functional_args and not issubclass(cls, Functional):
            if cls is Model:
                return Functional.__new__(Functional, *args, **kwargs)
            # A subclass's own constructor arguments are not Model's: only symbolic inputs
            # mean "built like a functional model" (RecommenderNet(num_users, num_movies, ..)
            # is a plain subclass, as in Keras).
            if not _is_symbolic(kwargs["inputs"] if "inputs" in kwargs else args[0]):
                return super().__new__(cls, *args, **kwargs)
            # A subclass built like a functional model (Keras's custom train_step guide):
            # give it Functional's machinery under its own name.
            return _functional_subclass(cls).__new__(_functional_subclass(cls), *args, **kwargs)
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, *args, **kwargs):
        if args or "inputs" in kwargs or "outputs" in kwargs:
            raise ValueError("A subclassed Model cannot be given `inputs`/`outputs`; create "
                             "the model with `Model(inputs, outputs)` instead.")
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
        from torchkeras.layers.keras_tensor import KerasTensor, _run_fake
        shape = tuple(input_shape)
        spec = KerasTensor(shape) if all(d is None or isinstance(d, int) for d in shape) \
            else [KerasTensor(tuple(s)) for s in input_shape]
        self.built = True
        self._build_input_shape = shape
        try:
            _run_fake(self, (spec,), {})
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
        from torchkeras.saving.weights_file import load_weights
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
            from torchkeras.models.functional import Functional
            return Functional.from_config(config, custom_objects=custom_objects)
        return super().from_config(config)
