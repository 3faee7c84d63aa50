"""compile(): torch optimizers, nn.Module and plain losses, torchmetrics, loss_weights,
multi-output naming, jit_compile."""
import numpy as np
import pytest
import torch
from torch import nn

import torchkeras as keras
from torchkeras import layers


def _data(n=128):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(n, 6)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("int64")
    return x, y


def _clf():
    return keras.Sequential([keras.Input((6,)), layers.Dense(16, activation="relu"),
                             layers.Dense(2)])


@pytest.mark.parametrize("opt", [torch.optim.Adam, "instance"])
def test_torch_optimizer_and_module_loss(opt):
    x, y = _data()
    m = _clf()
    optimizer = torch.optim.Adam(m.parameters(), lr=0.01) if opt == "instance" else opt
    m.compile(optimizer=optimizer, loss=nn.CrossEntropyLoss(), metrics=["accuracy"])
    h = m.fit(x, y, epochs=30, batch_size=32, verbose=0).history
    assert h["loss"][-1] < h["loss"][0] and h["accuracy"][-1] > 0.8


def test_plain_function_loss_and_loss_weights_multi_output():
    x, y = _data()
    inp = keras.Input((6,))
    h = layers.Dense(8, activation="relu")(inp)
    a = layers.Dense(2, name="a")(h)
    b = layers.Dense(1, name="b")(h)
    m = keras.Model(inp, [a, b])

    def half_mse(y_true, y_pred):
        return 0.5 * torch.mean((y_true - y_pred) ** 2, dim=-1)
    m.compile(optimizer="adam",
              loss=[keras.losses.SparseCategoricalCrossentropy(from_logits=True), half_mse],
              loss_weights=[1.0, 3.0], metrics=[["accuracy"], ["mae", "mse"]])
    yb = x[:, :1].astype("float32")
    hist = m.fit(x, [y, yb], epochs=2, verbose=0).history
    assert set(hist) == {"loss", "a_loss", "b_loss", "a_accuracy", "b_mae", "b_mse"}
    res = m.evaluate(x, [y, yb], batch_size=128, return_dict=True, verbose=0)
    assert res["loss"] == pytest.approx(res["a_loss"] + 3.0 * res["b_loss"], rel=1e-4)
    pb = m.predict(x, verbose=0)[1]
    assert res["b_loss"] == pytest.approx(0.5 * np.mean((yb - pb) ** 2), rel=1e-4)


def test_dict_outputs_use_keys_and_weighted_metrics():
    x, y = _data()
    inp = keras.Input((6,))
    out = {"cls": layers.Dense(2, activation="softmax")(inp), "reg": layers.Dense(1)(inp)}
    m = keras.Model(inp, out)
    m.compile(optimizer="adam", loss={"cls": "sparse_categorical_crossentropy", "reg": "mse"},
              metrics={"cls": "accuracy"}, weighted_metrics={"cls": ["accuracy"]})
    h = m.fit(x, {"cls": y, "reg": x[:, :1]}, epochs=1, verbose=0).history
    assert {"loss", "cls_loss", "reg_loss", "cls_accuracy", "cls_weighted_accuracy"} == set(h)


def test_torchmetrics_metric():
    torchmetrics = pytest.importorskip("torchmetrics")
    x, y = _data()
    m = _clf()
    m.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=[torchmetrics.classification.MulticlassAccuracy(num_classes=2,
                                                                       average="micro")])
    h = m.fit(x, y, epochs=3, verbose=0).history
    key = [k for k in h if k != "loss"][0]
    res = m.evaluate(x, y, batch_size=128, return_dict=True, verbose=0)
    pred = m.predict(x, verbose=0).argmax(1)
    assert res[key] == pytest.approx(np.mean(pred == y), abs=1e-6)


def test_jit_compile_runs_under_torch_compile():
    x, y = _data(64)
    ref = _clf()
    ref.compile(optimizer=keras.optimizers.SGD(0.1),
                loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    jit = _clf()
    jit.set_weights(ref.get_weights())
    jit.compile(optimizer=keras.optimizers.SGD(0.1),
                loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                jit_compile=True)
    assert jit.jit_compile
    ref.fit(x, y, epochs=2, batch_size=32, shuffle=False, verbose=0)
    jit.fit(x, y, epochs=2, batch_size=32, shuffle=False, verbose=0)
    assert "_tk_compiled_forward" in jit.__dict__
    for a, b in zip(jit.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def _dict_output_model(lib):
    i = lib.Input((4,))
    # Inserted out of key order on purpose: Keras maps a list of losses by sorted key.
    out = {"z_out": lib.layers.Dense(1, name="zz")(i),
           "a_out": lib.layers.Dense(3, activation="softmax", name="aa")(i)}
    return lib.Model(i, out)


def test_list_losses_map_to_dict_outputs_in_key_order():
    import torchkeras as tk
    model = _dict_output_model(tk)
    assert model.output_names == ["a_out", "z_out"]
    model.compile("sgd", loss=["categorical_crossentropy", "mse"])
    rng = np.random.default_rng(0)
    x = rng.random((8, 4), dtype=np.float32)
    y = {"z_out": rng.random((8, 1), dtype=np.float32),
         "a_out": np.eye(3, dtype=np.float32)[rng.integers(0, 3, 8)]}
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    pred = model.predict(x, verbose=0)
    mse = float(np.mean((pred["z_out"] - y["z_out"]) ** 2))
    assert logs["z_out_loss"] == pytest.approx(mse, rel=1e-5)


@pytest.mark.keras_oracle
def test_list_losses_on_dict_outputs_match_keras(keras):
    import torchkeras as tk
    ours, theirs = _dict_output_model(tk), _dict_output_model(keras)
    ours.set_weights(theirs.get_weights())
    for m in (ours, theirs):
        m.compile("sgd", loss=["categorical_crossentropy", "mse"])
    rng = np.random.default_rng(1)
    x = rng.random((8, 4), dtype=np.float32)
    y = {"z_out": rng.random((8, 1), dtype=np.float32),
         "a_out": np.eye(3, dtype=np.float32)[rng.integers(0, 3, 8)]}
    got = ours.evaluate(x, y, verbose=0, return_dict=True)
    want = theirs.evaluate(x, y, verbose=0, return_dict=True)
    assert sorted(got) == sorted(want)
    for k in want:
        assert got[k] == pytest.approx(float(want[k]), rel=1e-4), k
