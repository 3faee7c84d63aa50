"""BackupAndRestore: interrupted runs (exception, or a process killed with SIGKILL)
resume and end with weights identical to an uninterrupted run."""
import importlib.util
import os
import random
import subprocess
import sys
import time

import numpy as np
import pytest

import torchkeras as tk
from torchkeras.callbacks import training_state as ts

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "resume_script.py")
STATE = "training_state.safetensors"



def load_script():
    spec = importlib.util.spec_from_file_location("resume_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script():
    return load_script()


@pytest.fixture(scope="module")
def reference(script):
    return script.train()


def assert_same_weights(a, b):
    assert len(a) == len(b)
    for x, y in zip(a.values(), b.values()):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("die_at, save_freq, start", [
    (6, 3, (0, 3)),           # mid-epoch: same shuffle, 3 batches skipped
    (14, 1, (1, 0)),          # right after the (short) last batch of epoch 0
    (20, 1, (1, 6)),
    (27, "epoch", (2, 0)),    # epoch-level backups
    (40, 5, (2, 9)),          # every 5 batches, counted across epochs
    (40, 13, (3, 0)),         # owed after a last batch: written at the epoch end
])
def test_interrupted_run_resumes_identically(script, reference, tmp_path, die_at, save_freq,
                                             start):
    backup = str(tmp_path / "backup")
    with pytest.raises(KeyboardInterrupt):
        script.train(backup_dir=backup, save_freq=save_freq, die_at=die_at)
    assert os.listdir(backup) == [STATE]    # no temporary files left behind
    resumed = script.train(backup_dir=backup, save_freq=save_freq)
    assert resumed["start"] == start
    assert_same_weights(resumed["weights"], reference["weights"])
    # the loss tracker continues from the backup too (equal up to summation order)
    losses = resumed["history"]["loss"]   # the epochs run after the restart
    assert losses == pytest.approx(reference["history"]["loss"][-len(losses):], rel=1e-6)
    assert not os.path.exists(backup)        # deleted when training finished


def test_killed_process_resumes_identically(reference, tmp_path):
    backup = tmp_path / "backup"
    out = tmp_path / "out.npz"
    # The same device as the in-process reference run (cpu unless the suite runs on cuda).
    env = dict(os.environ, TORCHKERAS_DEVICE=tk.config.get_device().type, KERAS_BACKEND="torch",
               PYTHONPATH=os.pathsep.join([os.path.dirname(os.path.dirname(tk.__file__)),
                                           os.environ.get("PYTHONPATH", "")]))
    cmd = [sys.executable, SCRIPT, str(out), str(backup)]
    proc = subprocess.Popen(cmd + ["--sleep", "0.03"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 60
        while not (backup / STATE).exists():
            assert proc.poll() is None, proc.stdout.read().decode()
            assert time.time() < deadline, "no backup was written"
            time.sleep(0.02)
        time.sleep(random.uniform(0.0, 0.4))   # anywhere, even in the middle of a write
        proc.kill()
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -9 and not out.exists()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = np.load(out)
    assert tuple(result["start"]) != (0, 0)   # it really resumed
    weights = {k[2:]: result[k] for k in result.files if k.startswith("w_")}
    assert_same_weights(weights, reference["weights"])


def backup_model():
    model = tk.Sequential([tk.Input((4,)), tk.layers.Dense(3), tk.layers.Dense(1)])
    model.compile(optimizer=tk.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    return model


def fit_some(model, callbacks, epochs=2):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(40, 4)).astype("float32")
    return model.fit(x, x[:, :1], epochs=epochs, batch_size=8, verbose=0, callbacks=callbacks)


class Stop(tk.callbacks.Callback):
    def __init__(self, at_epoch):
        super().__init__()
        self.at_epoch = at_epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.at_epoch:
            raise KeyboardInterrupt


def test_backup_file_holds_the_training_state(tmp_path):
    model = backup_model()
    backup = str(tmp_path / "b")
    with pytest.raises(KeyboardInterrupt):
        fit_some(model, [tk.callbacks.BackupAndRestore(backup), Stop(1)])
    tensors, info = ts.read_state(os.path.join(backup, STATE))
    assert (info["epoch"], info["step"]) == (1, 0)
    state = model.state_dict()
    for key, value in state.items():
        np.testing.assert_array_equal(tensors["model/" + key].numpy(), value.cpu().numpy())
    assert int(tensors["optimizer/0"]) == 5 == int(model.optimizer.iterations)
    assert {"rng/now/torch", "rng/now/numpy", "rng/now/python"} <= set(tensors)


def test_keep_checkpoint_and_double_checkpoint(tmp_path):
    backup = tmp_path / "b"
    model = backup_model()
    fit_some(model, [tk.callbacks.BackupAndRestore(str(backup), delete_checkpoint=False,
                                                   double_checkpoint=True)], epochs=3)
    assert sorted(os.listdir(backup)) == [STATE, STATE + ".bkp"]
    assert ts.read_state(str(backup / STATE))[1]["epoch"] == 3
    assert ts.read_state(str(backup / (STATE + ".bkp")))[1]["epoch"] == 2
    # a damaged latest backup: the previous one is used instead
    (backup / STATE).write_bytes(b"garbage")
    cb = tk.callbacks.BackupAndRestore(str(backup), double_checkpoint=True)
    cb.set_model(backup_model())
    loaded = cb._load()
    assert loaded[1]["epoch"] == 2
    # without a previous backup the error is raised
    (backup / STATE).write_bytes(b"garbage")
    cb = tk.callbacks.BackupAndRestore(str(backup))
    with pytest.raises(OSError, match="Could not read the training state"):
        cb._load()


def test_mismatched_model_and_bad_arguments(tmp_path):
    backup = str(tmp_path / "b")
    with pytest.raises(KeyboardInterrupt):
        fit_some(backup_model(), [tk.callbacks.BackupAndRestore(backup), Stop(1)])
    other = tk.Sequential([tk.Input((4,)), tk.layers.Dense(1)])
    other.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="does not match this model"):
        fit_some(other, [tk.callbacks.BackupAndRestore(backup)])
    with pytest.raises(ValueError, match="Empty `backup_dir`"):
        tk.callbacks.BackupAndRestore("")
    with pytest.raises(ValueError, match="Invalid value for argument `save_freq`"):
        tk.callbacks.BackupAndRestore(backup, save_freq="often")




def test_resume_removes_temp_files_of_killed_backups(tmp_path):
    backup = tmp_path / "b"
    with pytest.raises(KeyboardInterrupt):
        fit_some(backup_model(), [tk.callbacks.BackupAndRestore(str(backup)), Stop(1)])
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    pid = proc.pid                                        # a killed writer's pid
    leftovers = [".%s.%d-0badc0de.tmp" % (STATE, pid),   # this version's atomic write
                 "%s.tmp-%d" % (STATE, pid),              # earlier versions' names
                 STATE + ".bkp.tmp", ".tmpA1b2C3"]        # and safetensors' own
    for name in leftovers:
        (backup / name).write_bytes(b"half a backup")
    model = backup_model()
    fit_some(model, [tk.callbacks.BackupAndRestore(str(backup))], epochs=2)
    assert int(model.optimizer.iterations) == 10          # resumed, then finished
    assert not backup.exists()                            # the folder could be removed
