"""Datasets: ``load_data()`` for the classic Keras datasets.

Each file is downloaded once from its canonical source, checked against a known hash
and cached under ``$TORCHKERAS_HOME/datasets`` (``~/.torchkeras/datasets``). Nothing is
ever unpickled: CIFAR comes from its binary version, and the word-id archives of
``imdb``/``reuters`` go through a data-only decoder.

Example:
    >>> from torchkeras.datasets import cifar10
    >>> (x_train, y_train), (x_test, y_test) = cifar10.load_data()
"""
from torchkeras.datasets import (boston_housing, california_housing, cifar10, cifar100,
                                 fashion_mnist, imdb, mnist, reuters)
from torchkeras.datasets._download import DownloadError, get_file, torchkeras_home

__all__ = ["boston_housing", "california_housing", "cifar10", "cifar100", "fashion_mnist",
           "imdb", "mnist", "reuters", "DownloadError", "get_file", "torchkeras_home"]
