import numpy as np
import pytest

import torchkeras
from torchkeras.saving import KerasFileEditor


@pytest.fixture
def saved(tmp_path):
    torchkeras.config.set_device("cpu")
    model = torchkeras.Sequential([torchkeras.Input((3,)), torchkeras.layers.Dense(2, name="d")])
    path = str(tmp_path / "m.keras")
    model.save(path)
    yield model, path
    torchkeras.config.set_device(None)


def test_reads_and_edits_archive(saved, tmp_path, capsys):
    model, path = saved
    editor = KerasFileEditor(path)
    assert set(editor.weights_dict) == {"layers"}
    np.testing.assert_allclose(editor.weights_dict["layers"]["dense"]["kernel"],
                               model.layers[0].get_weights()[0])
    editor.summary()
    assert "layers/dense" in capsys.readouterr().out
    editor.weights_dict["layers"]["dense"]["kernel"] = np.ones((3, 2), "float32")
    out = str(tmp_path / "edited.keras")
    editor.save(out)
    loaded = torchkeras.saving.load_model(out)
    np.testing.assert_allclose(loaded.layers[0].get_weights()[0], np.ones((3, 2)))

    editor.rename_object("dense", "e")
    editor.add_weights("e", {"extra": np.zeros(2)})
    editor.delete_weight("layers/e", "bias")
    editor.add_object("layers/new", {"w": [1.0, 2.0]})
    editor.delete_object("new")
    weights = str(tmp_path / "w.safetensors")
    editor.resave_weights(weights)
    again = KerasFileEditor(weights)
    assert set(again.weights_dict["layers"]["e"]) == {"kernel", "extra"}


def test_errors(saved):
    _, path = saved
    editor = KerasFileEditor(path)
    with pytest.raises(ValueError, match="not found"):
        editor.delete_object("missing")
    with pytest.raises(ValueError, match="not found"):
        editor.delete_weight("dense", "nope")
    with pytest.raises(ValueError, match="already exists"):
        editor.add_weights("dense", {"kernel": np.zeros(1)})
    with pytest.raises(ValueError, match="safetensors"):
        editor.resave_weights("x.h5")
    with pytest.raises(ValueError, match="does not exist"):
        KerasFileEditor("/nonexistent.keras")


@pytest.mark.keras_oracle
def test_reads_a_keras_written_archive(keras, tmp_path):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    path = str(tmp_path / "k.keras")
    model.save(path)
    editor = KerasFileEditor(path)
    ref = keras.saving.KerasFileEditor(path)
    assert list(editor.weights_dict) == list(ref.weights_dict)
    for obj, weights in ref.weights_dict["layers"].items():
        for name, value in weights.items():
            np.testing.assert_array_equal(editor.weights_dict["layers"][obj][name], value)
