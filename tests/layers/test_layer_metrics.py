"""Metrics held by layers reach Model.metrics and the logs (the endpoint-layer pattern)."""
import numpy as np
import pytest
import torch

import torchkeras as tk


def _endpoint_cls(k):
    class LogisticEndpoint(k.layers.Layer):
        def __init__(self, name=None):
            super().__init__(name=name)
            self.loss_fn = k.losses.BinaryCrossentropy(from_logits=True)
            self.accuracy_fn = k.metrics.BinaryAccuracy(name="accuracy")

        def call(self, logits, targets=None, sample_weight=None):
            if targets is not None:
                self.add_loss(self.loss_fn(targets, logits, sample_weight))
                self.accuracy_fn.update_state(targets, logits, sample_weight)
            return k.activations.sigmoid(logits)
    return LogisticEndpoint


def _data():
    rng = np.random.default_rng(0)
    return {"feats": rng.normal(size=(40, 6)).astype("float32"),
            "targets": rng.integers(0, 2, size=(40, 1)).astype("float32"),
            "sample_weight": rng.random((40, 1)).astype("float32")}


def _model(k):
    feats = k.Input((6,), name="feats")
    targets = k.Input((1,), name="targets")
    sw = k.Input((1,), name="sample_weight")
    logits = k.layers.Dense(1, name="logits")(feats)
    preds = _endpoint_cls(k)(name="endpoint")(logits, targets, sw)
    return k.Model([feats, targets, sw], preds)


def _run(k, m):
    m.compile(k.optimizers.SGD(0.1))
    data = _data()
    h = m.fit(data, epochs=2, batch_size=10, shuffle=False, verbose=0, validation_data=(data,))
    ev = m.evaluate(data, batch_size=10, verbose=0)
    evd = m.evaluate(data, batch_size=10, verbose=0, return_dict=True)
    return h.history, ev, evd


@pytest.mark.keras_oracle
def test_endpoint_layer_metric_is_reported_as_keras_does(keras):
    km, tm = _model(keras), _model(tk)
    tm.set_weights([np.asarray(w) for w in km.get_weights()])
    kh, kev, kevd = _run(keras, km)
    th, tev, tevd = _run(tk, tm)
    assert list(th) == list(kh) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert tm.metrics_names == km.metrics_names == ["loss", "accuracy"]
    assert [type(m).__name__ for m in tm.metrics] == ["Mean", "BinaryAccuracy"]
    assert list(tevd) == list(kevd) == ["accuracy", "loss"]
    assert tev == pytest.approx([tevd["loss"], tevd["accuracy"]])
    for key in kh:
        np.testing.assert_allclose(th[key], kh[key], rtol=1e-4, atol=1e-5, err_msg=key)
    assert tev == pytest.approx(kev, rel=1e-4)


def test_layer_metrics_property_and_reset():
    layer = _endpoint_cls(tk)()
    assert [m.name for m in layer.metrics] == ["accuracy"]
    outer = tk.Sequential([tk.Input((1,)), tk.layers.Dense(1)])
    assert outer.metrics == []
    m = _model(tk)
    m.compile("sgd")
    assert m.metrics_names == ["loss", "accuracy"]     # no compile_metrics without metrics
    data = _data()
    m.fit(data, epochs=1, batch_size=40, verbose=0)
    acc = m.get_layer("endpoint").accuracy_fn
    assert float(acc.result()) > 0.0
    m.reset_metrics()
    assert float(acc.result()) == 0.0


def test_added_losses_do_not_pile_up_across_evaluation_steps():
    m = _model(tk)
    m.compile("sgd")
    data = _data()
    first = m.evaluate(data, batch_size=10, verbose=0)[0]
    again = m.evaluate(data, batch_size=10, verbose=0)[0]
    # the loss of the whole set in one step equals the mean of its four batches' losses
    whole = m.evaluate(data, batch_size=40, verbose=0)[0]
    assert first == pytest.approx(again)
    assert first == pytest.approx(whole, rel=1e-5)


def test_nested_model_metrics_are_left_out_but_its_layers_are_kept():
    inner_in = tk.Input((1,))
    logits = tk.layers.Dense(1)(inner_in)
    inner = tk.Model(inner_in, logits)
    inner.tracker = tk.metrics.Mean(name="inner_tracker")
    layer = _endpoint_cls(tk)(name="end")
    x = tk.Input((1,))
    y = tk.Input((1,))
    out = layer(inner(x), y)
    outer = tk.Model([x, y], out)
    outer.compile("sgd")
    assert outer.metrics_names == ["loss", "accuracy"]
    xs = torch.zeros(4, 1)
    outer.fit([xs, torch.ones(4, 1)], epochs=1, verbose=0)
