import pytest

import torchkeras
from torchkeras import utils


@pytest.mark.keras_oracle
def test_pack_unpack_match_keras(keras):
    for args in [(1,), (1, 2), (1, 2, 3), ([1, 2],), ((1, 2), 3)]:
        assert utils.pack_x_y_sample_weight(*args) == keras.utils.pack_x_y_sample_weight(*args)
    for data in [1, (1,), (1, 2), [1, 2, 3]]:
        assert utils.unpack_x_y_sample_weight(data) == \
            tuple(keras.utils.unpack_x_y_sample_weight(data))
    with pytest.raises(ValueError):
        utils.unpack_x_y_sample_weight((1, 2, 3, 4))


def test_get_source_inputs_and_reexports():
    a, b = torchkeras.Input((2,)), torchkeras.Input((2,))
    out = torchkeras.layers.Dense(1)(torchkeras.layers.Add()([a, torchkeras.layers.Dense(2)(b)]))
    assert utils.get_source_inputs(out) == [a, b]
    assert utils.get_source_inputs(a) == [a]
    assert utils.is_keras_tensor(out)
    assert utils.get_custom_objects() is torchkeras.saving.get_custom_objects()

    @utils.register_keras_serializable(package="t")
    class Scale(torchkeras.layers.Layer):
        def call(self, x):
            return x

    assert utils.get_registered_name(Scale) == "t>Scale"
    assert utils.get_registered_object("t>Scale") is Scale
    assert "t>Scale" in utils.get_custom_objects()
    cfg = utils.serialize_keras_object(Scale())
    assert type(utils.deserialize_keras_object(cfg)) is Scale


def test_config_object():
    cfg = utils.Config(a=1)
    cfg.b = 2
    cfg["c"] = 3
    assert cfg.as_dict() == {"a": 1, "b": 2, "c": 3} and cfg.b == 2 and "c" in cfg
    cfg.freeze()
    with pytest.raises(ValueError, match="frozen"):
        cfg.a = 5
    cfg.unfreeze()
    del cfg.a
    assert list(cfg) == ["b", "c"]
    with pytest.raises(AttributeError):
        cfg.missing
