"""Shared pieces of the CIFAR-10 examples: flags, data loading, synthetic data.

``load_cifar10(args)`` returns CIFAR-10 from ``torchkeras.datasets.cifar10`` when it can
be loaded, and otherwise synthetic CIFAR-shaped data, saying so loudly. The synthetic
set (``_synthetic_cifar.py``: shapes in colours, at random places, on cluttered noisy
backgrounds) takes some learning, so accuracies on it rise over epochs as on a real
task; chance is 10%. It is not CIFAR-10, and every run on it says so.
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from _synthetic_cifar import synthetic_cifar10  # noqa: E402,F401 - shared with bench/

CIFAR_MEAN = np.array([0.4914, 0.4822, 0.4465], dtype=np.float32)
CIFAR_STD = np.array([0.2470, 0.2435, 0.2616], dtype=np.float32)
NUM_CLASSES = 10


def base_parser(description: str, epochs: float, batch_size: int) -> argparse.ArgumentParser:
    """The flags every CIFAR example takes (each example adds its own)."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--synthetic", action="store_true",
                   help="use synthetic CIFAR-shaped data (offline, no download)")
    p.add_argument("--epochs", type=float, default=epochs, help="training epochs")
    p.add_argument("--batch-size", type=int, default=batch_size, help="training batch size")
    p.add_argument("--steps-per-epoch", type=int, default=None,
                   help="cap on the training steps per epoch (CI-sized runs)")
    p.add_argument("--train-size", type=int, default=None,
                   help="use only the first N training images (synthetic default: 10000)")
    p.add_argument("--test-size", type=int, default=None,
                   help="use only the first N test images (synthetic default: 2000)")
    p.add_argument("--logdir", default=None,
                   help="TensorBoard log folder (default: a fresh folder under ./runs)")
    p.add_argument("--seed", type=int, default=0, help="random seed")
    p.add_argument("--verbose", type=int, default=1, choices=(0, 1, 2),
                   help="fit verbosity: 0 silent, 1 live progress bar (default), 2 one line "
                        "per epoch")
    return p


def default_logdir(name: str, logdir: str | None) -> str:
    if logdir:
        return logdir
    import time
    return os.path.join("runs", "%s-%s" % (name, time.strftime("%Y%m%d-%H%M%S")))


def load_cifar10(synthetic: bool = False, train_size: int | None = None,
                 test_size: int | None = None, seed: int = 0,
                 synthetic_sizes: tuple = (10000, 2000)):
    """``((x_train, y_train), (x_test, y_test), source)`` as Keras returns CIFAR-10.

    Images are uint8 ``(N, 32, 32, 3)``, labels uint8 ``(N, 1)``. ``source`` is
    ``"cifar10"`` or ``"synthetic"``. Without ``synthetic``, a failure to load the real
    data (offline, no cached archive, module missing) falls back to synthetic data with
    a message saying why. Synthetic sets have ``train_size``/``test_size`` images, by
    default ``synthetic_sizes``.
    """
    if not synthetic:
        try:
            from torchkeras.datasets import cifar10
            (x_train, y_train), (x_test, y_test) = cifar10.load_data()
            if x_train.shape[1:] != (32, 32, 3):
                raise ValueError("expected channels_last images, got shape %s"
                                 % (x_train.shape,))
            return (_head(x_train, y_train, train_size), _head(x_test, y_test, test_size),
                    "cifar10")
        except Exception as e:  # noqa: BLE001 - any failure means "use synthetic data"
            reason = str(e).strip() or "no details"
            print("=" * 78)
            # The whole message: the dataset loader says where to put the archive by hand.
            print("CIFAR-10 could not be loaded (%s): %s" % (type(e).__name__, reason))
            print("FALLING BACK TO SYNTHETIC CIFAR-SHAPED DATA: accuracies below are NOT "
                  "CIFAR-10 results.")
            print("=" * 78, flush=True)
    else:
        print("Synthetic stand-in data (shapes in colours, examples/_synthetic_cifar.py): "
              "NOT CIFAR-10; accuracies on it are not CIFAR-10 results.", flush=True)
    n_train = train_size or synthetic_sizes[0]
    n_test = test_size or synthetic_sizes[1]
    train, test = synthetic_cifar10(n_train, n_test, seed=seed)
    return train, test, "synthetic"


def _head(x, y, n):
    return (x, y) if n is None else (x[:n], y[:n])


def normalize(images: np.ndarray) -> np.ndarray:
    """uint8 NHWC images -> float32, per-channel standardised with CIFAR-10's statistics."""
    return ((images.astype(np.float32) / 255.0) - CIFAR_MEAN) / CIFAR_STD


def report(name: str, source: str, accuracy: float, extra: str = "") -> None:
    """The one line every example ends with (tests and the benchmark read it)."""
    print("%s test accuracy: %.4f (%s data)%s" % (name, accuracy, source,
                                                   (" " + extra) if extra else ""), flush=True)
