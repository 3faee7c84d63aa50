"""CUDA checks of the callbacks (run by hand on a GPU machine, not collected by pytest):

    python tests/callbacks/gpu_check_callbacks.py

TerminateOnNaN's lagged flag, TensorBoard batch logging and profiling with CUDA
activity, SwapEMAWeights, ModelCheckpoint round trip, and the cost of batch-level
TensorBoard writes. With --resume, also BackupAndRestore's exact resume (needs fit()
to honour model._initial_epoch/_initial_step).
"""
import glob
import importlib.util
import json
import os
import sys
import tempfile
import time

DRY = "--cpu-dry-run" in sys.argv   # rehearse the script where there is no GPU
os.environ["TORCHKERAS_DEVICE"] = "cpu" if DRY else "cuda"
os.environ.setdefault("KERAS_BACKEND", "torch")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import torchkeras as tk  # noqa: E402

assert DRY or torch.cuda.is_available(), "no CUDA device"
HERE = os.path.dirname(os.path.abspath(__file__))
report = {"device": "cpu" if DRY else torch.cuda.get_device_name(0), "torch": torch.__version__}
sync = (lambda: None) if DRY else torch.cuda.synchronize


def mlp(d=6, width=16, out=1, **compile_kw):
    model = tk.Sequential([tk.Input((d,)), tk.layers.Dense(width, activation="relu"),
                           tk.layers.Dense(out)])
    model.compile(**{"optimizer": tk.optimizers.Adam(0.01), "loss": "mse", **compile_kw})
    return model


rng = np.random.default_rng(0)
x = rng.normal(size=(128, 6)).astype("float32")
y = rng.normal(size=(128, 1)).astype("float32")

# TerminateOnNaN: the flag of batch k is read at batch k+1 (or the epoch end)
bad = y.copy()
bad[48:] = np.inf
steps = []
model = mlp()
hist = model.fit(x, bad, epochs=3, batch_size=16, shuffle=False, verbose=0,
                 callbacks=[tk.callbacks.TerminateOnNaN(),
                            tk.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs:
                                                        steps.append(b))])
assert next(p.device.type for p in model.parameters()) == ("cpu" if DRY else "cuda")
report["nan_stop_steps"] = steps
assert steps in ([0, 1, 2, 3], [0, 1, 2, 3, 4]) and len(hist.history["loss"]) == 1, steps
try:
    mlp().fit(x, bad, epochs=1, batch_size=16, shuffle=False, verbose=0,
              callbacks=[tk.callbacks.TerminateOnNaN(raise_error=True)])
    raise AssertionError("no error raised")
except RuntimeError as e:
    assert "at batch 3" in str(e), e
# a NaN in the very last batch is caught at the epoch's end
last = y.copy()
last[120:] = np.nan
hist = mlp().fit(x, last, epochs=3, batch_size=16, shuffle=False, verbose=0,
                 callbacks=[tk.callbacks.TerminateOnNaN()])
assert len(hist.history["loss"]) == 1

# TensorBoard on CUDA: batch scalars, histograms, a profile with GPU kernels
log_dir = tempfile.mkdtemp()
model = mlp()
model.fit(x, y, epochs=2, batch_size=16, verbose=0, validation_split=0.25,
          callbacks=[tk.callbacks.TensorBoard(log_dir, update_freq=2, histogram_freq=1,
                                              write_images=True, profile_batch=(2, 3),
                                              write_steps_per_second=True)])
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa
acc = EventAccumulator(os.path.join(log_dir, "train"), size_guidance={"scalars": 0})
acc.Reload()
report["tb_batch_loss_steps"] = [e.step for e in acc.Scalars("batch_loss")]
assert report["tb_batch_loss_steps"] == [2, 4, 6, 8, 10, 12]
trace = glob.glob(os.path.join(log_dir, "train", "*.pt.trace.json"))
events = json.load(open(trace[0]))["traceEvents"]
report["profile_kernels"] = sum(1 for e in events if e.get("cat") == "kernel")
assert (DRY or report["profile_kernels"] > 0) and any(e.get("name") == "batch_1" for e in events)

# SwapEMAWeights on CUDA
model = mlp(optimizer=tk.optimizers.SGD(0.05, use_ema=True, ema_momentum=0.9))
hist = model.fit(x, y, epochs=2, batch_size=32, validation_data=(x, y), verbose=0,
                 callbacks=[tk.callbacks.SwapEMAWeights()])
with torch.no_grad():
    for p, a in zip(model.weights, model.optimizer._model_variables_moving_average):
        p.copy_(a)
ema_eval = model.evaluate(x, y, batch_size=128, verbose=0)
assert abs(ema_eval - hist.history["val_loss"][-1]) < 1e-5 * max(1.0, abs(ema_eval))

# ModelCheckpoint round trip from CUDA
ckpt = os.path.join(tempfile.mkdtemp(), "m-{epoch}.keras")
model = mlp()
model.fit(x, y, epochs=2, batch_size=32, verbose=0,
          callbacks=[tk.callbacks.ModelCheckpoint(ckpt, monitor="loss", save_best_only=True)])
loaded = tk.models.load_model(ckpt.format(epoch=2))
assert abs(loaded.evaluate(x, y, verbose=0) - model.evaluate(x, y, verbose=0)) < 1e-5

# cost of batch-level TensorBoard writes (one host sync per written batch)
n_big = 4096 if DRY else 65536
big_x = torch.randn(n_big, 256).numpy()
big_y = torch.randn(n_big, 1).numpy()


def timed(callbacks):
    model = tk.Sequential([tk.Input((256,)), tk.layers.Dense(512, activation="relu"),
                           tk.layers.Dense(512, activation="relu"), tk.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    model.fit(big_x[:4096], big_y[:4096], epochs=1, batch_size=256, verbose=0)   # warm-up
    sync()
    start = time.perf_counter()
    model.fit(big_x, big_y, epochs=2, batch_size=256, verbose=0, callbacks=callbacks)
    sync()
    return round(time.perf_counter() - start, 3)


report["seconds_no_callbacks"] = timed([])
report["seconds_tb_epoch"] = timed([tk.callbacks.TensorBoard(tempfile.mkdtemp(),
                                                             write_graph=False)])
report["seconds_tb_every_100"] = timed([tk.callbacks.TensorBoard(
    tempfile.mkdtemp(), update_freq=100, write_graph=False)])
report["seconds_tb_every_batch"] = timed([tk.callbacks.TensorBoard(
    tempfile.mkdtemp(), update_freq="batch", write_graph=False)])
report["seconds_terminate_on_nan"] = timed([tk.callbacks.TerminateOnNaN()])

if "--resume" in sys.argv:
    spec = importlib.util.spec_from_file_location("resume_script",
                                                  os.path.join(HERE, "resume_script.py"))
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    reference = script.train()
    for die_at, freq in ((20, 3), (27, "epoch")):
        backup = tempfile.mkdtemp()
        try:
            script.train(backup_dir=backup, save_freq=freq, die_at=die_at)
        except KeyboardInterrupt:
            pass
        resumed = script.train(backup_dir=backup, save_freq=freq)
        diff = max(float(np.abs(a - b).max()) for a, b in
                   zip(reference["weights"].values(), resumed["weights"].values()))
        report["resume_%s_%s" % (die_at, freq)] = {"start": resumed["start"], "max_diff": diff}
print(json.dumps(report, indent=1))
print("GPU CHECKS PASSED")
