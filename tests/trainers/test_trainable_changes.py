"""Changing `trainable` between fits: Keras asks for compile() again."""
import numpy as np
import pytest

import torchkeras as tk


def _model(k):
    base = k.Sequential([k.Input((6,)), k.layers.Dense(8, activation="relu")], name="base")
    inputs = k.Input((6,))
    return k.Model(inputs, k.layers.Dense(1)(base(inputs))), base


def _xy():
    rng = np.random.default_rng(0)
    return rng.random((32, 6)).astype("float32"), rng.random((32, 1)).astype("float32")


@pytest.mark.keras_oracle
@pytest.mark.parametrize("lib", ["keras", "tk"])
def test_unfreezing_without_recompiling_is_an_error(keras, lib):
    k = keras if lib == "keras" else tk
    x, y = _xy()
    model, base = _model(k)
    base.trainable = False
    model.compile("adam", "mse")
    model.fit(x, y, epochs=1, verbose=0)
    base.trainable = True
    with pytest.raises(ValueError):
        model.fit(x, y, epochs=1, verbose=0)


def test_the_error_names_the_fix_and_recompiling_trains_the_unfrozen_weights():
    x, y = _xy()
    model, base = _model(tk)
    base.trainable = False
    model.compile("adam", "mse")
    model.fit(x, y, epochs=1, verbose=0)
    base.trainable = True
    with pytest.raises(ValueError, match=r"became trainable.*compile\(\)"):
        model.fit(x, y, epochs=1, verbose=0)
    before = [w.copy() for w in base.get_weights()]
    model.compile(tk.optimizers.Adam(1e-2), "mse")
    model.fit(x, y, epochs=1, verbose=0)
    assert not any(np.array_equal(a, b) for a, b in zip(before, base.get_weights()))


def test_freezing_after_compile_needs_no_recompile():
    x, y = _xy()
    model, base = _model(tk)
    model.compile("adam", "mse")
    model.fit(x, y, epochs=1, verbose=0)
    base.trainable = False
    before = [w.copy() for w in base.get_weights()]
    model.fit(x, y, epochs=1, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, base.get_weights()))
