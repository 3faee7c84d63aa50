"""Key order of History, callbacks' logs, CSVLogger and evaluate, as Keras 3 gives it."""
import csv

import numpy as np
import pytest

import torchkeras as tk


def _data():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(24, 4)).astype("float32")
    return x, rng.integers(0, 3, size=24)


def _run(k, tmp_path, tag):
    x, y = _data()
    m = k.Sequential([k.Input((4,)), k.layers.Dense(3, activation="softmax")])
    # "zeta" sorts after the val_ keys: Keras sorts the whole epoch's logs.
    m.compile("sgd", "sparse_categorical_crossentropy",
              metrics=[k.metrics.SparseTopKCategoricalAccuracy(k=2, name="zeta"), "accuracy"])
    path = str(tmp_path / ("%s.csv" % tag))
    epoch_keys = []
    cb = k.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: epoch_keys.append(list(logs)))
    h = m.fit(x, y, batch_size=8, epochs=3, validation_split=0.25, validation_freq=2,
              verbose=0, callbacks=[cb, k.callbacks.CSVLogger(path)])
    with open(path) as f:
        header = next(csv.reader(f))
    res = m.evaluate(x, y, verbose=0, return_dict=True)
    lst = m.evaluate(x, y, verbose=0)
    return list(h.history), epoch_keys, header, list(res), [res[n] for n in ("loss", "zeta",
                                                                            "accuracy")], lst


@pytest.mark.keras_oracle
def test_key_order_matches_keras(keras, tmp_path):
    hk, ek, head, rk, _, _ = _run(keras, tmp_path, "k")
    ht, et, head_t, rt, by_name, lst = _run(tk, tmp_path, "t")
    assert ht == hk
    assert et == ek
    assert head_t == head
    assert rt == rk
    # the list form follows model.metrics: loss, then the compiled metrics in order
    assert lst == pytest.approx(by_name)


def test_training_keys_come_before_validation_keys():
    x, y = _data()
    m = tk.Sequential([tk.Input((4,)), tk.layers.Dense(3, activation="softmax")])
    m.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    h = m.fit(x, y, epochs=2, verbose=0, validation_data=(x, y))
    assert list(h.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]


def _two_outputs(k):
    inp = k.Input((4,), name="x")
    score = k.layers.Dense(1, name="score")(inp)
    cls = k.layers.Dense(3, activation="softmax", name="cls")(inp)
    m = k.Model(inp, [score, cls])
    m.compile("sgd", loss={"score": "mse", "cls": "categorical_crossentropy"},
              metrics={"score": ["mae"], "cls": ["accuracy"]})
    return m


@pytest.mark.keras_oracle
def test_evaluate_list_order_with_several_outputs_matches_keras(keras):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(16, 4)).astype("float32")
    ys = [rng.normal(size=(16, 1)).astype("float32"),
          np.eye(3, dtype="float32")[rng.integers(0, 3, 16)]]
    km, tm = _two_outputs(keras), _two_outputs(tk)
    tm.set_weights(km.get_weights())
    kd = km.evaluate(x, ys, verbose=0, return_dict=True)
    td = tm.evaluate(x, ys, verbose=0, return_dict=True)
    assert list(td) == list(kd)
    # Keras: loss and per-output losses first, then the prefixed metric keys, sorted.
    want = [kd[k] for k in ("loss", "score_loss", "cls_loss", "cls_accuracy", "score_mae")]
    assert km.evaluate(x, ys, verbose=0) == pytest.approx(want, rel=1e-5)
    assert tm.evaluate(x, ys, verbose=0) == pytest.approx(want, rel=1e-5)
