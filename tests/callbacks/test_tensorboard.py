"""TensorBoard: event files read back with EventAccumulator and through a real
``tensorboard`` server's HTTP data API."""
import glob
import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import numpy as np
import pytest

import torchkeras as tk
from torchkeras.utils.image_logging import encode_png

pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402


def read_run(path):
    acc = EventAccumulator(path, size_guidance={"scalars": 0, "tensors": 0, "histograms": 0})
    acc.Reload()
    return acc


def scalars(acc, tag):
    return [(e.step, e.value) for e in acc.Scalars(tag)]


def small_classifier():
    model = tk.Sequential([tk.Input((6,)), tk.layers.Dense(8, activation="relu"),
                           tk.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=tk.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def class_data(n=96):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(n, 6)).astype("float32")
    return x, (x[:, 0] > 0).astype("int64")


@pytest.fixture(scope="module")
def logged_run(tmp_path_factory):
    """One training run with every TensorBoard option; shared by several tests."""
    log_dir = str(tmp_path_factory.mktemp("tb") / "logs")
    x, y = class_data()
    model = small_classifier()
    tb = tk.callbacks.TensorBoard(log_dir, histogram_freq=1, write_images=True, update_freq=2,
                                  write_steps_per_second=True)
    hist = model.fit(x, y, epochs=3, batch_size=16, validation_split=0.25, verbose=0,
                     callbacks=[tb])
    images = np.linspace(0, 1, 5 * 4 * 6 * 3).reshape(5, 4, 6, 3)
    tk.callbacks.log_images(os.path.join(log_dir, "train"), "samples", images, step=0,
                            max_outputs=4)
    return log_dir, hist.history, images


def test_epoch_scalars_use_keras_tags(logged_run):
    log_dir, history, _ = logged_run
    train = read_run(os.path.join(log_dir, "train"))
    val = read_run(os.path.join(log_dir, "validation"))
    for key in ("loss", "accuracy"):
        got = scalars(train, "epoch_" + key)
        assert [s for s, _ in got] == [0, 1, 2]
        assert [v for _, v in got] == pytest.approx(history[key], rel=1e-6)
        assert [v for _, v in scalars(val, "epoch_" + key)] == pytest.approx(
            history["val_" + key], rel=1e-6)
    assert [v for _, v in scalars(train, "epoch_learning_rate")] == pytest.approx([0.01] * 3)
    assert all(v > 0 for _, v in scalars(train, "epoch_steps_per_second"))
    # each evaluation is logged against the optimizer's iteration count (5 steps/epoch)
    assert [s for s, _ in scalars(val, "evaluation_loss_vs_iterations")] == [5, 10, 15]


def test_batch_scalars_every_update_freq(logged_run):
    log_dir, _, _ = logged_run
    train = read_run(os.path.join(log_dir, "train"))
    assert [s for s, _ in scalars(train, "batch_loss")] == [2, 4, 6, 8, 10, 12, 14]
    assert [s for s, _ in scalars(train, "batch_accuracy")] == [2, 4, 6, 8, 10, 12, 14]
    assert len(scalars(train, "batch_steps_per_second")) == 7


def test_histograms_images_and_graphs(logged_run):
    log_dir, _, _ = logged_run
    train = read_run(os.path.join(log_dir, "train"))
    tags = train.Tags()
    names = [n for n in tags["histograms"] if n.endswith("/histogram")]
    assert len(names) == 4 and all(len(train.Histograms(n)) == 3 for n in names)
    image_tags = {t for t in tags["tensors"]
                  if train.SummaryMetadata(t).plugin_data.plugin_name == "images"}
    assert "samples" in image_tags and sum(t.endswith("/image") for t in image_tags) == 4
    assert train.SummaryMetadata("keras").plugin_data.plugin_name == "graph_keras_model"
    config = json.loads(train.Tensors("keras")[0].tensor_proto.string_val[0])
    assert config["class_name"] == "Sequential"
    assert tags["graph"]   # torch's traced op graph


def test_batch_logs_read_only_on_written_batches(monkeypatch, tmp_path):
    import torchkeras.callbacks.tensorboard as tb_module
    calls = []
    original = tb_module.materialize
    monkeypatch.setattr(tb_module, "materialize", lambda logs: calls.append(1) or original(logs))
    x, y = class_data(160)
    tk_model = small_classifier()
    tk_model.fit(x, y, epochs=2, batch_size=16, verbose=0,   # 20 steps
                 callbacks=[tk.callbacks.TensorBoard(str(tmp_path), update_freq=7,
                                                     write_graph=False)])
    assert len(calls) == 2    # steps 7 and 14
    calls.clear()
    tk_model.fit(x, y, epochs=1, batch_size=16, verbose=0,
                 callbacks=[tk.callbacks.TensorBoard(str(tmp_path / "e"), write_graph=False)])
    assert calls == []


def test_profile_batch_writes_a_torch_trace(tmp_path):
    x, y = class_data(64)
    model = small_classifier()
    model.fit(x, y, epochs=1, batch_size=16, verbose=0,
              callbacks=[tk.callbacks.TensorBoard(str(tmp_path), profile_batch="2,3",
                                                  write_graph=False)])
    traces = glob.glob(str(tmp_path / "train" / "*.pt.trace.json"))
    assert len(traces) == 1
    with open(traces[0]) as f:
        names = {e.get("name") for e in json.load(f)["traceEvents"]}
    # batches 2 and 3 (1-based) are batch indices 1 and 2
    assert {"batch_1", "batch_2"} <= names and "batch_0" not in names


def test_bad_arguments(tmp_path):
    for kwargs in (dict(update_freq="sometimes"), dict(update_freq=0),
                   dict(profile_batch=(3, 1)), dict(profile_batch="a,b"),
                   dict(histogram_freq=-1)):
        with pytest.raises(ValueError):
            tk.callbacks.TensorBoard(str(tmp_path), **kwargs)


def test_log_images_validates(tmp_path):
    with pytest.raises(ValueError, match="rank 4"):
        tk.callbacks.log_images(str(tmp_path), "x", np.zeros((4, 4, 3)), step=0)
    with pytest.raises(ValueError, match="1, 3 or 4 channels"):
        tk.callbacks.log_images(str(tmp_path), "x", np.zeros((2, 4, 4, 2)), step=0)
    # channels_first torch-style input is accepted
    tk.callbacks.log_images(str(tmp_path), "x", np.zeros((2, 3, 4, 5)), step=1,
                            data_format="channels_first")
    acc = read_run(str(tmp_path))
    assert acc.Tensors("x")[0].tensor_proto.string_val[:2] == [b"5", b"4"]


# ---------------------------------------------------------------------------- live server
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, route, **params):
    url = "http://127.0.0.1:%d%s" % (port, route)
    if params:
        url += "?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


@pytest.fixture
def tensorboard_server(logged_run):
    log_dir = logged_run[0]
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "tensorboard.main", "--logdir", log_dir,
                             "--port", str(port), "--host", "127.0.0.1", "--load_fast=false"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            assert time.time() < deadline, "tensorboard did not serve both runs in time"
            try:
                if set(json.loads(get(port, "/data/runs"))) >= {"train", "validation"}:
                    break
            except OSError:
                pass
            time.sleep(0.25)
        yield port
    finally:
        proc.kill()
        proc.wait(timeout=10)


def test_server_serves_the_logged_curves(logged_run, tensorboard_server):
    port = tensorboard_server
    _, history, images = logged_run
    for run, key in (("train", "loss"), ("validation", "val_loss")):
        rows = json.loads(get(port, "/data/plugin/scalars/scalars", run=run, tag="epoch_loss"))
        assert [step for _, step, _ in rows] == [0, 1, 2]
        assert [value for _, _, value in rows] == pytest.approx(history[key], rel=1e-6)
    tags = json.loads(get(port, "/data/plugin/images/tags"))
    assert tags["train"]["samples"]["samples"] == 4     # max_outputs
    entry = json.loads(get(port, "/data/plugin/images/images", run="train", tag="samples",
                           sample=3))[0]
    png = get(port, "/data/plugin/images/individualImage?" + entry["query"])
    expected = np.clip(np.round(images[3] * 255), 0, 255).astype(np.uint8)
    assert png == encode_png(expected)
