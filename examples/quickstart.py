"""Quickstart: build, train, evaluate and save a small classifier with torchkeras.

Runs offline in seconds on synthetic data with learnable structure (it never downloads
anything, so ``--synthetic``, which every example accepts, changes nothing here):

    python examples/quickstart.py [--synthetic] [--epochs 5]
"""
import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402

import torchkeras as keras  # noqa: E402
from torchkeras import layers  # noqa: E402


def make_data(n, rng):
    """Two noisy spirals-like clusters per class: a problem a small MLP can learn."""
    y = rng.integers(0, 3, size=n)
    centers = np.array([[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]])
    x = centers[y] + rng.normal(scale=0.6, size=(n, 2))
    x = np.concatenate([x, rng.normal(size=(n, 6))], axis=1).astype("float32")
    return x, y


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--synthetic", action="store_true",
                   help="synthetic data (always the case here: accepted for uniformity)")
    p.add_argument("--epochs", type=int, default=5, help="training epochs")
    p.add_argument("--verbose", type=int, default=1, choices=(0, 1, 2), help="fit verbosity")
    args = p.parse_args(argv)
    keras.config.set_random_seed(0)
    rng = np.random.default_rng(0)
    x_train, y_train = make_data(4000, rng)
    x_test, y_test = make_data(1000, rng)

    model = keras.Sequential([
        keras.Input(shape=(8,)),
        layers.Dense(64, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dense(3, activation="softmax"),
    ], name="quickstart")
    model.summary()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=64, epochs=args.epochs, validation_split=0.1,
              verbose=args.verbose)
    loss, acc = model.evaluate(x_test, y_test, verbose=0)
    print("test loss %.4f, test accuracy %.4f" % (loss, acc))

    out_dir = os.environ.get("QUICKSTART_DIR") or tempfile.mkdtemp(prefix="torchkeras_")
    path = os.path.join(out_dir, "quickstart.keras")
    model.save(path)
    restored = keras.models.load_model(path)
    same = np.allclose(restored.predict(x_test, verbose=0), model.predict(x_test, verbose=0))
    print("saved to %s; reloaded model predicts identically: %s" % (path, same))
    return 0 if acc > 0.8 and same else 1


if __name__ == "__main__":
    sys.exit(main())
