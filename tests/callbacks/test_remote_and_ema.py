"""RemoteMonitor against a local HTTP server; SwapEMAWeights with a real EMA optimizer."""
import json
import socket
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import torch

import torchkeras as tk


@pytest.fixture
def http_server():
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, self.headers.get("Content-Type"),
                             self.headers.get("X-Run"), body))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d" % server.server_address[1], received
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("as_json", [False, True])
def test_remote_monitor_posts_epoch_logs(h, regression_data, http_server, as_json):
    root, received = http_server
    x, y = regression_data
    cb = tk.callbacks.RemoteMonitor(root=root, path="/log/", send_as_json=as_json,
                                    headers={"X-Run": "r1"})
    hist = h.linear_model().fit(x, y, epochs=2, batch_size=64, validation_split=0.25,
                                verbose=0, callbacks=[cb])
    assert len(received) == 2
    for epoch, (path, ctype, run, body) in enumerate(received):
        assert path == "/log/" and run == "r1"
        if as_json:
            assert ctype == "application/json"
            payload = json.loads(body)
        else:
            assert ctype == "application/x-www-form-urlencoded"
            payload = json.loads(urllib.parse.parse_qs(body.decode())["data"][0])
        assert payload == {"epoch": epoch, "loss": hist.history["loss"][epoch],
                           "val_loss": hist.history["val_loss"][epoch]}


def test_remote_monitor_unreachable_warns(h, regression_data):
    with socket.socket() as s:   # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    x, y = regression_data
    cb = tk.callbacks.RemoteMonitor(root="http://127.0.0.1:%d" % port, timeout=2)
    with pytest.warns(UserWarning, match="Could not reach RemoteMonitor root server"):
        h.linear_model().fit(x, y, epochs=1, batch_size=64, verbose=0, callbacks=[cb])


def ema_model():
    model = tk.Sequential([tk.Input((6,)), tk.layers.Dense(4, activation="tanh"),
                           tk.layers.Dense(1)])
    model.compile(optimizer=tk.optimizers.SGD(0.05, use_ema=True, ema_momentum=0.9),
                  loss="mse")
    return model


def weights_of(model):
    return [p.detach().clone() for p in model.torch_weights()]


def test_validation_uses_ema_weights(regression_data):
    x, y = regression_data
    model = ema_model()
    hist = model.fit(x, y, epochs=3, batch_size=32, validation_data=(x, y), verbose=0,
                     callbacks=[tk.callbacks.SwapEMAWeights()])
    opt = model.optimizer
    averages = [a.detach().clone() for a in opt._model_variables_moving_average]
    # as in Keras, fit ends with finalize_variable_values: the model holds the EMA
    assert all(torch.equal(a, b) for a, b in zip(weights_of(model), averages))
    # and the last validation scored those same EMA weights
    assert model.evaluate(x, y, batch_size=128, verbose=0) == pytest.approx(
        hist.history["val_loss"][-1], rel=1e-5)


def test_swap_on_epoch_leaves_ema_in_model(regression_data):
    x, y = regression_data
    model = ema_model()
    model.fit(x, y, epochs=2, batch_size=32, verbose=0,
              callbacks=[tk.callbacks.SwapEMAWeights(swap_on_epoch=True)])
    for p, a in zip(model.torch_weights(), model.optimizer._model_variables_moving_average):
        assert torch.equal(p, a)


def test_swap_needs_ema_optimizer(h, regression_data):
    x, y = regression_data
    with pytest.raises(ValueError, match="use_ema=True"):
        h.linear_model().fit(x, y, epochs=1, batch_size=64, validation_data=(x, y), verbose=0,
                             callbacks=[tk.callbacks.SwapEMAWeights()])
