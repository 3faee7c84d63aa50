"""Run by test_torchrun.py under `torchrun --nproc_per_node=2` (CPU, gloo), and once more
as a single process (`--reference`) over the same global batches."""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
os.environ.setdefault("TORCHKERAS_DEVICE", "cpu")

import torchkeras as keras  # noqa: E402
from torchkeras import distribute  # noqa: E402

out_dir, mode = sys.argv[1], sys.argv[2]
torch.set_num_threads(1)
keras.config.set_random_seed(7)
rng = np.random.default_rng(0)
x = rng.normal(size=(64, 5)).astype("float32")
y = (x @ rng.normal(size=(5, 1))).astype("float32")
xv, yv = x[:24], -y[:24]          # val target opposite: val_loss rises -> EarlyStopping

model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, activation="tanh"),
                          keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
world = 2
per_replica = 8
files_dir = os.path.join(out_dir, "files_" + mode)
os.makedirs(files_dir, exist_ok=True)
callbacks = [
    keras.callbacks.EarlyStopping(monitor="val_loss", patience=2),
    keras.callbacks.ModelCheckpoint(os.path.join(files_dir, "ckpt-{epoch}.weights.h5"),
                                    save_weights_only=True),
    keras.callbacks.CSVLogger(os.path.join(files_dir, "log.csv")),
]
batch = per_replica if mode == "ddp" else per_replica * world
hist = model.fit(x, y, batch_size=batch, epochs=20, shuffle=False, validation_data=(xv, yv),
                 callbacks=callbacks, verbose=0)
pred = model.predict(x[:11], verbose=0)
ev = model.evaluate(x, y, batch_size=batch, return_dict=True, verbose=0)
# A torch Dataset: each rank gets a DistributedSampler shard of every epoch.
ds = torch.utils.data.TensorDataset(torch.as_tensor(x), torch.as_tensor(y))
keras.config.set_random_seed(3)
dmodel = keras.Sequential([keras.Input((5,)), keras.layers.Dense(1)])
dmodel.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
dmodel.fit(ds, batch_size=batch, epochs=2, shuffle=False, verbose=0)
rank = distribute.rank()
np.savez(os.path.join(out_dir, "dataset_%s_%d.npz" % (mode, rank)), *dmodel.get_weights())


# BackupAndRestore: a run interrupted at epoch 2, restarted, ends where an
# uninterrupted run ends (shuffled data, so the data order must resume too).
class Interrupt(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        if epoch == 2:
            raise RuntimeError("simulated interruption")


def resumable():
    keras.config.set_random_seed(11)
    m = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4, activation="tanh"),
                          keras.layers.Dense(1)])
    m.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    return m


backup_dir = os.path.join(out_dir, "backup_" + mode)
try:
    resumable().fit(x, y, batch_size=batch, epochs=4, verbose=0,
                    callbacks=[keras.callbacks.BackupAndRestore(backup_dir), Interrupt()])
except RuntimeError:
    pass
resumed = resumable()
resumed.fit(x, y, batch_size=batch, epochs=4, verbose=0,
            callbacks=[keras.callbacks.BackupAndRestore(backup_dir)])
straight = resumable()
straight.fit(x, y, batch_size=batch, epochs=4, verbose=0)
np.savez(os.path.join(out_dir, "resume_%s_%d.npz" % (mode, rank)),
         *(resumed.get_weights() + straight.get_weights()))
np.savez(os.path.join(out_dir, "result_%s_%d.npz" % (mode, rank)), *model.get_weights())
with open(os.path.join(out_dir, "result_%s_%d.json" % (mode, rank)), "w") as f:
    json.dump({"history": hist.history, "epochs": len(hist.history["loss"]),
               "world": distribute.world_size(), "pred": pred.tolist(), "eval": ev}, f)

# Leave without interpreter teardown: torch 2.14's gloo can abort ("terminate called
# without an active exception") in static destructors after a clean shutdown.
distribute.barrier()
import torch.distributed as dist  # noqa: E402
if dist.is_initialized():
    dist.destroy_process_group()
sys.stdout.flush()
sys.stderr.flush()
os._exit(0)
