"""``text_dataset_from_directory``: class folders of ``.txt`` files to string batches."""
from __future__ import annotations

from torchkeras.utils import dataset_utils as du


def _text_loader(max_length: int | None):
    def load(path: str) -> str:
        with open(path, "rb") as f:
            data = f.read()
        if max_length is not None:
            data = data[:max_length]   # Keras cuts bytes; a split character is dropped
        return data.decode("utf-8", errors="ignore")
    return load


def text_dataset_from_directory(directory, labels="inferred", label_mode: str | None = "int",
                                class_names=None, batch_size: int | None = 32,
                                max_length: int | None = None, shuffle: bool = True,
                                seed: int | None = None, validation_split: float | None = None,
                                subset: str | None = None, follow_links: bool = False,
                                format: str = "tf", verbose: bool = True):
    """Text files in ``directory/<class>/*.txt`` as batches of ``(strings, labels)``.

    The strings are a numpy array per batch; a ``TextVectorization`` layer (in the model
    or mapped beforehand) turns them into ids. Files are indexed and split as Keras does.

    Args:
        directory: Root folder, one subfolder per class for ``labels="inferred"``.
        labels: ``"inferred"``, ``None`` or a list of integer labels (sorted file order).
        label_mode: ``"int"``, ``"categorical"``, ``"binary"`` or ``None``.
        class_names: Explicit class folders (and order).
        batch_size: Batch size; ``None`` yields single texts.
        max_length: Keep at most this many bytes of each text.
        shuffle: Shuffle (files once, seeded; batches every epoch).
        seed: Seed for shuffling and the split.
        validation_split: Fraction kept for validation.
        subset: ``"training"``, ``"validation"`` or ``"both"``.
        follow_links: Follow symbolic links to subfolders.
        format: Keras's ``"tf"``/``"grain"`` choice; both give the torch dataset here.
        verbose: Print what was found.

    Returns:
        A :class:`DirectoryDataset`, or two with ``subset="both"``.

    Example:
        >>> train = text_dataset_from_directory("aclImdb/train", batch_size=32,
        ...                                     validation_split=0.2, subset="training",
        ...                                     seed=1337)
    """
    if format not in ("tf", "grain"):
        raise ValueError("`format` should be 'tf' or 'grain'. Received: format=%r" % (format,))
    paths, ids, names, label_mode, seed = du.index_labelled_files(
        directory, labels, label_mode, class_names, (".txt",), shuffle, seed, validation_split,
        subset, follow_links, verbose)
    load = _text_loader(max_length)

    return du.directory_datasets(directory, paths, ids, names, label_mode, load, batch_size,
                                 shuffle, seed, validation_split, subset)
