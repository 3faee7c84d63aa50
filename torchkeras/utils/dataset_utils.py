"""Indexing class folders and splitting samples, as Keras's ``*_dataset_from_directory``.

``index_directory`` lists the files of ``directory/<class>/...`` in Keras's order (class
folders sorted, files walked in sorted order, then one seeded global shuffle), so the same
seed picks the same training and validation files as Keras.
"""
from __future__ import annotations

import os

import numpy as np
import torch

from torchkeras.utils.directory_dataset import DirectoryDataset, FileSamples

IMAGE_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
LABEL_MODES = ("int", "categorical", "binary", None)


def check_validation_split_arg(validation_split, subset, shuffle, seed) -> None:
    """Validates Keras's ``validation_split`` / ``subset`` / ``seed`` combination."""
    if validation_split and not 0 < validation_split < 1:
        raise ValueError("`validation_split` must be between 0 and 1, received: %r"
                         % (validation_split,))
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError('`subset` must be either "training", "validation" or "both", '
                         "received: %r" % (subset,))
    if validation_split and shuffle and seed is None:
        raise ValueError("If using `validation_split` and shuffling the data, you must provide "
                         "a `seed` argument, to make sure that there is no overlap between the "
                         "training and validation subset.")


def _walk_files(directory: str, follow_links: bool, formats) -> list:
    found = []
    for root, _, files in sorted(os.walk(directory, followlinks=follow_links),
                                 key=lambda w: w[0]):
        found.extend(os.path.join(root, f) for f in sorted(files)
                     if formats is None or f.lower().endswith(formats))
    return found


def index_directory(directory: str, labels, formats, class_names=None, shuffle: bool = True,
                    seed: int | None = None, follow_links: bool = False,
                    verbose: bool = True) -> tuple:
    """Files under ``directory`` with their labels.

    Args:
        directory: Root folder (one subfolder per class when ``labels="inferred"``).
        labels: ``"inferred"``, ``None`` or a list of integer labels (sorted file order).
        formats: Allowed file extensions (lower case, with the dot), or ``None`` for all.
        class_names: Explicit class folders (and their order) to use.
        shuffle: Shuffle the files once (seeded); otherwise keep the sorted order.
        seed: Shuffle seed (a random one when ``None``).
        follow_links: Follow symbolic links to subfolders.
        verbose: Print how many files and classes were found.

    Returns:
        ``(file_paths, labels, class_names)``; labels an int32 array or ``None``.
    """
    if not os.path.isdir(directory):
        raise ValueError("`directory` %r does not exist or is not a directory." % (directory,))
    if labels == "inferred":
        subdirs = [d for d in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, d)) and not d.startswith(".")]
        if class_names is not None:
            if not set(class_names).issubset(subdirs):
                raise ValueError("The `class_names` passed did not match the names of the "
                                 "subdirectories of the target directory. Expected: %s (or a "
                                 "subset of it), but received: class_names=%s"
                                 % (subdirs, class_names))
            subdirs = list(class_names)
        if not subdirs:
            raise ValueError("No class subdirectories found in %r: with labels='inferred' the "
                             "directory must hold one folder per class." % (directory,))
        paths, label_list = [], []
        for index, sub in enumerate(subdirs):
            files = _walk_files(os.path.join(directory, sub), follow_links, formats)
            paths.extend(files)
            label_list.extend([index] * len(files))
        label_array = np.asarray(label_list, dtype="int32")
        class_names = list(subdirs)
    else:
        if class_names is not None:
            raise ValueError("When `labels` is %s, argument `class_names` cannot be specified."
                             % ("None (no labels)" if labels is None else "a list"))
        paths = _walk_files(directory, follow_links, formats)
        if labels is None:
            label_array = None
        else:
            if len(labels) != len(paths):
                raise ValueError("Expected the lengths of `labels` to match the number of files "
                                 "in the target directory. len(labels) is %d while we found %d "
                                 "files in directory %s." % (len(labels), len(paths), directory))
            label_array = np.asarray(labels)
            class_names = [str(v) for v in sorted(set(np.asarray(labels).tolist()))]
    if verbose:
        if label_array is None:
            print("Found %d files." % len(paths))
        else:
            print("Found %d files belonging to %d classes." % (len(paths), len(class_names)))
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(paths)
        if label_array is not None:
            np.random.RandomState(seed).shuffle(label_array)
    return paths, label_array, class_names


def training_or_validation_split(samples: list, labels, validation_split, subset: str):
    """The training part (all but the last fraction) or the validation part (the last)."""
    if not validation_split:
        return samples, labels
    n_val = int(validation_split * len(samples))
    if subset == "training":
        print("Using %d files for training." % (len(samples) - n_val))
        cut = slice(0, len(samples) - n_val)
    elif subset == "validation":
        print("Using %d files for validation." % n_val)
        cut = slice(len(samples) - n_val, len(samples))
    else:
        raise ValueError('`subset` must be either "training" or "validation", received: %r'
                         % (subset,))
    return samples[cut], (labels[cut] if labels is not None else None)


def encode_labels(labels: np.ndarray, label_mode: str | None, num_classes: int):
    """Integer labels as Keras yields them for ``label_mode``."""
    t = torch.as_tensor(np.asarray(labels))
    if label_mode == "int":
        return t.to(torch.int32)
    if label_mode == "binary":
        return t.to(torch.float32).reshape(-1, 1)
    if label_mode == "categorical":
        return torch.nn.functional.one_hot(t.long(), num_classes).to(torch.float32)
    raise ValueError("`label_mode` must be one of 'int', 'categorical', 'binary' or None; "
                     "received: %r" % (label_mode,))


def check_label_mode(label_mode, labels, num_classes: int | None) -> None:
    if label_mode not in LABEL_MODES:
        raise ValueError("`label_mode` argument must be one of 'int', 'categorical', 'binary', "
                         "or None. Received: label_mode=%r" % (label_mode,))
    if label_mode == "binary" and num_classes is not None and num_classes != 2:
        raise ValueError("When passing `label_mode=\"binary\"`, there must be exactly 2 "
                         "class_names. Received: class_names with %d classes." % num_classes)


def index_labelled_files(directory, labels, label_mode, class_names, formats, shuffle: bool,
                         seed, validation_split, subset, follow_links: bool,
                         verbose: bool) -> tuple:
    """The argument checks and file indexing every ``*_dataset_from_directory`` shares.

    Returns:
        ``(paths, labels, class_names, label_mode, seed)``: ``label_mode`` is ``None``
        without labels, and ``seed`` is drawn when shuffling without one.
    """
    if labels not in ("inferred", None) and not isinstance(labels, (list, tuple)):
        raise ValueError("`labels` argument should be a list/tuple of integer labels, of the "
                         "same size as the number of files in the target directory, "
                         "\"inferred\" (from the subdirectory names) or None (no labels). "
                         "Received: labels=%r" % (labels,))
    if labels is None:
        label_mode = None
    check_label_mode(label_mode, labels, None)
    check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None and shuffle:
        seed = np.random.randint(1e6)
    paths, ids, names = index_directory(directory, labels, formats, class_names=class_names,
                                        shuffle=shuffle, seed=seed,
                                        follow_links=follow_links, verbose=verbose)
    check_label_mode(label_mode, labels, len(names) if names is not None else None)
    return paths, ids, names, label_mode, seed


def directory_datasets(directory, paths: list, ids, names, label_mode, load, batch_size,
                       shuffle: bool, seed, validation_split, subset, collate_fn=None):
    """The dataset (or the training and validation pair for ``subset="both"``) of the
    indexed files, each file decoded by ``load``."""
    def make(part):
        p, y = training_or_validation_split(paths, ids, validation_split, part)
        if not p:
            raise ValueError("No files left for the %s subset of %s." % (part or "whole",
                                                                         directory))
        encoded = encode_labels(y, label_mode, len(names)) if label_mode else None
        return DirectoryDataset(FileSamples(p, encoded, load), batch_size, shuffle, seed, names,
                                collate_fn=collate_fn)
    if subset == "both":
        return make("training"), make("validation")
    return make(subset)
