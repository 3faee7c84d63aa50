"""Loss trajectories against real Keras 3: same weights, same data, same batches."""
import numpy as np
import pytest

import torchkeras as tk

pytestmark = pytest.mark.keras_oracle


def _build(k, out_act):
    return k.Sequential([k.Input((5,)), k.layers.Dense(12, activation="tanh"),
                         k.layers.Dense(3, activation=out_act)])


@pytest.mark.parametrize("opt,loss,act,metrics", [
    (("SGD", {"learning_rate": 0.1, "momentum": 0.9}), "sparse_categorical_crossentropy",
     "softmax", ["accuracy"]),
    (("Adam", {"learning_rate": 0.01}), "mse", None, ["mae"]),
    (("RMSprop", {"learning_rate": 0.01}), "categorical_crossentropy", "softmax", ["accuracy"]),
])
def test_fit_history_matches_keras(keras, opt, loss, act, metrics):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 5)).astype("float32")
    labels = rng.integers(0, 3, size=96)
    y = {"sparse_categorical_crossentropy": labels,
         "categorical_crossentropy": np.eye(3, dtype="float32")[labels],
         "mse": rng.normal(size=(96, 3)).astype("float32")}[loss]
    km, tm = _build(keras, act), _build(tk, act)
    tm.set_weights(km.get_weights())
    name, kwargs = opt
    km.compile(optimizer=getattr(keras.optimizers, name)(**kwargs), loss=loss, metrics=metrics)
    tm.compile(optimizer=getattr(tk.optimizers, name)(**kwargs), loss=loss, metrics=metrics)
    kw = dict(epochs=4, batch_size=16, shuffle=False, verbose=0, validation_data=(x[:32], y[:32]))
    kh = km.fit(x, y, **kw).history
    th = tm.fit(x, y, **kw).history
    assert set(kh) == set(th)
    for key in kh:
        np.testing.assert_allclose(th[key], kh[key], rtol=2e-4, atol=1e-5, err_msg=key)
    for a, b in zip(tm.get_weights(), km.get_weights()):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("mode", ["sample_weight", "class_weight"])
def test_sample_and_class_weights_match_keras(keras, mode):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(64, 5)).astype("float32")
    y = rng.integers(0, 3, size=64)
    sw = rng.uniform(0.1, 2.0, size=64).astype("float32")
    km, tm = _build(keras, "softmax"), _build(tk, "softmax")
    tm.set_weights(km.get_weights())
    for m, k in ((km, keras), (tm, tk)):
        m.compile(optimizer=k.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy",
                  weighted_metrics=["accuracy"])
    kw = dict(epochs=2, batch_size=16, shuffle=False, verbose=0)
    kw.update({"sample_weight": sw} if mode == "sample_weight"
              else {"class_weight": {0: 1.0, 1: 2.0, 2: 0.5}})
    kh, th = km.fit(x, y, **kw).history, tm.fit(x, y, **kw).history
    assert set(kh) == set(th)
    for key in kh:
        np.testing.assert_allclose(th[key], kh[key], rtol=2e-4, atol=1e-5, err_msg=key)
    ke = km.evaluate(x, y, sample_weight=sw, return_dict=True, verbose=0)
    te = tm.evaluate(x, y, sample_weight=sw, return_dict=True, verbose=0)
    for key in ke:
        assert te[key] == pytest.approx(ke[key], rel=2e-4)
