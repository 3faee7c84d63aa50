"""Where a FeatureSpace keeps its preprocessors, so they save where Keras saves them."""
from __future__ import annotations

from torchkeras.layers.layer import Layer
from torchkeras.layers.layer_utils import to_snake_case


class PreprocessorGroup(Layer):
    """The preprocessors under Keras's weight/asset paths: ``normalization``,
    ``string_lookup``, ``string_lookup_1``... (class name, numbered in feature order).

    Args:
        preprocessors: The preprocessing layers, in feature order.

    Example:
        >>> list(PreprocessorGroup([StringLookup(), StringLookup()])._modules)
        ['string_lookup', 'string_lookup_1']
    """

    def __init__(self, preprocessors: list):
        super().__init__(name="preprocessors")
        counts: dict = {}
        for layer in preprocessors:
            base = to_snake_case(type(layer).__name__)
            n = counts.get(base, 0)
            counts[base] = n + 1
            key = base if n == 0 else "%s_%d" % (base, n)
            while hasattr(self, key):     # a custom class named like a Layer attribute
                key += "_"
            self.add_module(key, layer)
