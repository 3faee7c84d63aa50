"""Files written by real Keras 3 load into torchkeras, and ours load into Keras."""
import numpy as np
import pytest

import torchkeras as tk

pytestmark = pytest.mark.keras_oracle
pytest.importorskip("h5py")

RNG = np.random.RandomState(3)
IMAGES = RNG.rand(6, 8, 8, 3).astype("float32")
TARGETS = RNG.rand(6, 4).astype("float32")
TOKENS = RNG.randint(0, 20, size=(6, 5)).astype("int64")


def need(*names):
    missing = [n for n in names if not hasattr(tk.layers, n)]
    if missing:
        pytest.skip("torchkeras.layers lacks %s" % missing)


def conv_net(lib):
    inp = lib.Input((8, 8, 3))
    x = lib.layers.Conv2D(5, 3, use_bias=False)(inp)
    x = lib.layers.BatchNormalization()(x)
    x = lib.layers.Activation("relu")(x)
    x = lib.layers.Conv2D(4, 3, padding="same")(x)
    x = lib.layers.Flatten()(x)
    x = lib.layers.Dense(8, activation="tanh")(x)
    return lib.Model(inp, lib.layers.Dense(4)(x))


def branchy_net(lib):
    # Layer order by depth differs from creation order: paths must follow Keras's order.
    inp = lib.Input((6,))
    short = lib.layers.Dense(4)(inp)
    deep = lib.layers.Dense(4)(lib.layers.Dense(5)(inp))
    return lib.Model(inp, lib.layers.Add()([short, deep]))


def token_net(lib, rnn=None):
    layers = [lib.Input((5,), dtype="int64"), lib.layers.Embedding(20, 6)]
    if rnn:
        layers.append(getattr(lib.layers, rnn)(7))
    else:
        layers.append(lib.layers.Flatten())
    layers.append(lib.layers.Dense(4))
    return lib.Sequential(layers)


def trained_keras(keras, builder, x, *args):
    model = builder(keras, *args)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    model.fit(x, TARGETS, epochs=2, batch_size=3, verbose=0)
    return model


def check_same_predictions(ours, theirs, x, atol=1e-5):
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               atol=atol, rtol=1e-5)


CASES = [
    ("conv", conv_net, IMAGES, (), ("Conv2D", "BatchNormalization", "Flatten", "Activation")),
    ("branchy", branchy_net, IMAGES[:, 0, :6, 0], (), ("Add",)),
    ("embedding", token_net, TOKENS, (), ("Embedding", "Flatten")),
    ("lstm", token_net, TOKENS, ("LSTM",), ("Embedding", "LSTM")),
    ("gru", token_net, TOKENS, ("GRU",), ("Embedding", "GRU")),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_keras_weights_h5_loads_into_torchkeras(keras, tmp_path, case):
    _, builder, x, args, needed = case
    need(*needed)
    theirs = trained_keras(keras, builder, x, *args)
    path = str(tmp_path / "k.weights.h5")
    theirs.save_weights(path)
    ours = builder(tk, *args)
    ours.load_weights(path)
    check_same_predictions(ours, theirs, x)
    from torchkeras.saving.weight_paths import keras_layer_order
    for ours_layer, their_layer in zip(keras_layer_order(ours), theirs.layers):
        for a, b in zip(ours_layer.get_weights(), their_layer.get_weights()):
            assert np.array_equal(a, b)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_torchkeras_weights_h5_loads_into_keras(keras, tmp_path, case):
    _, builder, x, args, needed = case
    need(*needed)
    ours = builder(tk, *args)
    ours.compile(optimizer="adam", loss="mse")
    ours.fit(x, TARGETS, epochs=1, batch_size=3, verbose=0)
    path = str(tmp_path / "tk.weights.h5")
    ours.save_weights(path)
    theirs = builder(keras, *args)
    theirs.load_weights(path)
    check_same_predictions(ours, theirs, x)


@pytest.mark.parametrize("case", CASES[:3], ids=[c[0] for c in CASES[:3]])
def test_keras_model_file_loads_and_keeps_training_like_keras(keras, tmp_path, case):
    _, builder, x, args, needed = case
    need(*needed)
    theirs = trained_keras(keras, builder, x, *args)
    path = str(tmp_path / "k.keras")
    theirs.save(path)
    ours = tk.models.load_model(path)
    from torchkeras.saving.weight_paths import keras_layer_order
    assert [l.name for l in keras_layer_order(ours)] == [l.name for l in theirs.layers]
    check_same_predictions(ours, theirs, x)
    assert type(ours.optimizer).__name__ == "Adam"
    assert int(ours.optimizer.iterations) == int(theirs.optimizer.iterations)
    # One more identical step from the restored optimizer state matches Keras's.
    theirs.fit(x, TARGETS, epochs=1, batch_size=len(x), shuffle=False, verbose=0)
    ours.fit(x, TARGETS, epochs=1, batch_size=len(x), shuffle=False, verbose=0)
    from torchkeras.saving.weight_paths import keras_layer_order
    for ours_layer, their_layer in zip(keras_layer_order(ours), theirs.layers):
        for a, b in zip(ours_layer.get_weights(), their_layer.get_weights()):
            np.testing.assert_allclose(a, b, atol=2e-6, rtol=1e-5)


def test_keras_sequential_model_file(keras, tmp_path):
    theirs = keras.Sequential([keras.Input((6,)), keras.layers.Dense(5, activation="relu"),
                               keras.layers.Dense(2, activation="softmax")], name="seq")
    path = str(tmp_path / "seq.keras")
    theirs.save(path)
    ours = tk.models.load_model(path, compile=False)
    assert isinstance(ours, tk.Sequential) and ours.name == "seq"
    x = RNG.rand(4, 6).astype("float32")
    check_same_predictions(ours, theirs, x)
    assert ours.optimizer is None


def test_keras_loads_torchkeras_file_with_matching_names(keras, tmp_path):
    inp = tk.Input((6,))
    ours = tk.Model(inp, tk.layers.Dense(2, name="out")(tk.layers.Dense(4, name="hid")(inp)))
    path = str(tmp_path / "named.weights.h5")
    ours.save_weights(path)
    import h5py
    with h5py.File(path) as f:
        assert f["layers/dense/vars"].attrs["name"] == "hid"
        assert f["layers/dense_1/vars/0"].shape == (4, 2)
        assert f["vars"].attrs["name"] == ours.name
    kinp = keras.Input((6,))
    theirs = keras.Model(kinp, keras.layers.Dense(2)(keras.layers.Dense(4)(kinp)))
    theirs.load_weights(path)
    x = RNG.rand(3, 6).astype("float32")
    check_same_predictions(ours, theirs, x)
