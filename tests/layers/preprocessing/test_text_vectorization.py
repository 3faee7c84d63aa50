"""TextVectorization beyond the recorded Keras outputs: training on raw strings with fit,
saving the adapted vocabulary, config round trips, callables, errors."""
import numpy as np
import pytest
import torch

import torchkeras as tk
from torchkeras import layers
from torchkeras.saving import register_keras_serializable

TEXTS = np.array(["good movie", "bad movie", "great film", "awful film", "good good",
                  "bad bad"] * 8)
LABELS = np.array([1, 0, 1, 0, 1, 0] * 8, "float32")


def _text_model(vec):
    inp = tk.Input((1,), dtype="string")
    x = layers.Embedding(vec.vocabulary_size(), 8)(vec(inp))
    out = layers.Dense(1, activation="sigmoid")(layers.GlobalAveragePooling1D()(x))
    return tk.Model(inp, out)


def test_end_to_end_model_on_strings_fits_saves_and_loads(tmp_path):
    vec = layers.TextVectorization(max_tokens=20, output_sequence_length=4)
    vec.adapt(TEXTS)
    model = _text_model(vec)
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    hist = model.fit(TEXTS, LABELS, epochs=4, batch_size=8, verbose=0, validation_split=0.25,
                     shuffle=True)
    assert set(hist.history) == {"accuracy", "loss", "val_accuracy", "val_loss"}
    assert hist.history["loss"][-1] < hist.history["loss"][0]
    probe = np.array(["good film", "awful movie"])
    before = model.predict(probe, verbose=0)
    model.save(tmp_path / "text.keras")
    loaded = tk.saving.load_model(tmp_path / "text.keras")
    assert loaded.layers[1].get_vocabulary() == vec.get_vocabulary()
    np.testing.assert_allclose(loaded.predict(probe, verbose=0), before, rtol=1e-6)


def test_adapt_on_batches_equals_adapt_on_all():
    whole = layers.TextVectorization(output_mode="tf_idf")
    whole.adapt(TEXTS)
    batched = layers.TextVectorization(output_mode="tf_idf")
    batched.adapt(iter([TEXTS[:10], TEXTS[10:]]))
    assert batched.get_vocabulary() == whole.get_vocabulary()
    torch.testing.assert_close(batched(TEXTS[:4]), whole(TEXTS[:4]))


@register_keras_serializable(package="tests")
def shout(x):
    return np.char.upper(x)


def test_callable_standardize_and_config_round_trip():
    vec = layers.TextVectorization(standardize=shout, output_sequence_length=3,
                                   vocabulary=["GOOD", "MOVIE"])
    assert vec(np.array(["good movie", "bad"])).tolist() == [[2, 3, 0], [1, 0, 0]]
    clone = layers.TextVectorization.from_config(vec.get_config())
    assert clone(np.array(["good movie"])).tolist() == [[2, 3, 0]]


def test_symbolic_output_spec():
    vec = layers.TextVectorization(output_mode="multi_hot", vocabulary=["a", "b"])
    out = vec(tk.Input((1,), dtype="string"))
    assert out.shape == (None, 3) and out.dtype == "float32"
    ids = layers.TextVectorization(output_sequence_length=7, vocabulary=["a"])(
        tk.Input((1,), dtype="string"))
    assert ids.shape == (None, 7) and ids.dtype == "int64"


def test_bad_arguments():
    with pytest.raises(ValueError, match="standardize"):
        layers.TextVectorization(standardize="upper")
    with pytest.raises(ValueError, match="split"):
        layers.TextVectorization(split="comma")
    with pytest.raises(ValueError, match="output_mode"):
        layers.TextVectorization(output_mode="one_hot")
    with pytest.raises(ValueError, match="output_sequence_length"):
        layers.TextVectorization(output_mode="count", output_sequence_length=3)
    with pytest.raises(ValueError, match="ngrams"):
        layers.TextVectorization(ngrams="2")
    with pytest.raises(ValueError, match="rank"):
        layers.TextVectorization(vocabulary=["a"])(np.array([["a b", "c"]]))
