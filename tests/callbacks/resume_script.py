"""A small training run used by the BackupAndRestore tests, in-process or as a script.

    python resume_script.py OUT.npz [BACKUP_DIR] [--sleep SECONDS] [--die-at STEP]

Shuffled data, two dropout layers (one on torch's global RNG, one seeded), Adam and a
metric: everything a resumed run must reproduce to end with identical weights.
"""
import os
import random
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("TORCHKERAS_DEVICE", "cpu")

import numpy as np  # noqa: E402
import torch  # noqa: E402

EPOCHS, BATCH, N = 4, 16, 200     # 13 steps per epoch, the last one short


def train(out_path=None, backup_dir=None, save_freq=3, sleep=0.0, die_at=None):
    import torchkeras as keras
    torch.set_num_threads(1)
    torch.manual_seed(1)
    np.random.seed(1)
    random.seed(1)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N, 8)).astype("float32")
    y = (x[:, :1] * 2 - x[:, 1:2] + 0.1 * rng.normal(size=(N, 1))).astype("float32")
    model = keras.Sequential([
        keras.Input((8,)),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dropout(0.2, seed=5),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse", metrics=["mae"])
    seen = []

    class Probe(keras.callbacks.Callback):
        """Records where training (re)started; optionally slows down or dies."""

        def __init__(self):
            super().__init__()
            self.global_step = 0

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_begin(self, batch, logs=None):
            if not seen:
                seen.append((self.epoch, batch))
            self.global_step += 1
            if die_at is not None and self.global_step == die_at:
                raise KeyboardInterrupt("interrupted at step %d" % die_at)
            if sleep:
                time.sleep(sleep)

    callbacks = [Probe()]
    if backup_dir:
        callbacks.insert(0, keras.callbacks.BackupAndRestore(backup_dir, save_freq=save_freq))
    history = model.fit(x, y, epochs=EPOCHS, batch_size=BATCH, shuffle=True, verbose=0,
                        callbacks=callbacks)
    weights = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
    result = {"weights": weights, "start": seen[0], "history": history.history}
    if out_path:
        np.savez(out_path, start=np.array(seen[0]), loss=np.array(history.history["loss"]),
                 **{"w_" + k: v for k, v in weights.items()})
    return result


if __name__ == "__main__":
    args = sys.argv[1:]
    sleep = float(args[args.index("--sleep") + 1]) if "--sleep" in args else 0.0
    die_at = int(args[args.index("--die-at") + 1]) if "--die-at" in args else None
    positional = [a for i, a in enumerate(args)
                  if not a.startswith("--") and (i == 0 or not args[i - 1].startswith("--"))]
    train(positional[0], positional[1] if len(positional) > 1 else None, sleep=sleep,
          die_at=die_at)
