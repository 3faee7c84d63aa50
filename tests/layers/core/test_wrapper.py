"""Wrapper: the base of TimeDistributed / SpectralNormalization, as Keras's."""
import json

import pytest
import torch

from torchkeras import layers
from torchkeras.saving import deserialize_keras_object, serialize_keras_object


class Twice(layers.Wrapper):
    def call(self, inputs):
        return self.layer(self.layer(inputs))


def test_wrapper_builds_nests_and_deserializes():
    wrapped = Twice(layers.Dense(4, name="inner"), name="twice")
    assert not wrapped.layer.built
    out = wrapped(torch.randn(2, 4))
    assert tuple(out.shape) == (2, 4) and wrapped.layer.built
    assert [w.name for w in wrapped.weights] == ["kernel", "bias"]
    cfg = wrapped.get_config()
    json.dumps(cfg)
    assert cfg["layer"]["class_name"] == "Dense" and cfg["layer"]["config"]["units"] == 4
    clone = Twice.from_config(cfg)
    assert isinstance(clone.layer, layers.Dense) and clone.layer.name == "inner"
    assert clone.name == "twice"


def test_wrapper_build_uses_input_shape():
    wrapped = Twice(layers.Dense(3))
    wrapped.build((None, 3))
    assert wrapped.layer.built and tuple(wrapped.layer.kernel.shape) == (3, 3)


def test_existing_wrappers_subclass_it():
    assert issubclass(layers.TimeDistributed, layers.Wrapper)
    assert issubclass(layers.SpectralNormalization, layers.Wrapper)
    assert not issubclass(layers.Bidirectional, layers.Wrapper)   # a plain Layer in Keras too
    td = layers.TimeDistributed(layers.Dense(2))
    td(torch.randn(1, 3, 5))
    again = deserialize_keras_object(serialize_keras_object(td))
    assert type(again) is layers.TimeDistributed and isinstance(again.layer, layers.Dense)


def test_wrapper_rejects_non_layers():
    with pytest.raises(ValueError, match="Wrapper"):
        Twice(torch.nn.Linear(2, 2))


@pytest.mark.keras_oracle
def test_wrapper_config_matches_keras(keras):
    ref = keras.layers.TimeDistributed(keras.layers.Dense(3, name="d"), name="td")
    ours = layers.TimeDistributed(layers.Dense(3, name="d"), name="td")
    assert isinstance(ref, keras.layers.Wrapper)
    want, got = ref.get_config(), ours.get_config()
    assert got == want
