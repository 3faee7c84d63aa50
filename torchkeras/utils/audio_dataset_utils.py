"""``audio_dataset_from_directory``: class folders of ``.wav`` files to padded batches."""
from __future__ import annotations

import wave

import numpy as np
import torch

from torchkeras.utils import dataset_utils as du


def read_wav(path: str) -> tuple:
    """``(samples, rate)``: float32 ``(frames, channels)`` in [-1, 1], as ``tf.audio.decode_wav``.

    Args:
        path: A PCM WAV file (8, 16, 24 or 32-bit).
    """
    with wave.open(path, "rb") as f:
        channels, width, rate, frames = (f.getnchannels(), f.getsampwidth(), f.getframerate(),
                                         f.getnframes())
        raw = f.readframes(frames)
    if width == 1:
        data = (np.frombuffer(raw, np.uint8).astype(np.float32) - 128.0) / 128.0
    elif width == 2:
        data = np.frombuffer(raw, "<i2").astype(np.float32) / 32768.0
    elif width == 3:
        b = np.frombuffer(raw, np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        data = np.where(v >= 1 << 23, v - (1 << 24), v).astype(np.float32) / float(1 << 23)
    elif width == 4:
        data = np.frombuffer(raw, "<i4").astype(np.float32) / float(1 << 31)
    else:
        raise ValueError("Unsupported WAV sample width %d bytes in %s" % (width, path))
    return data.reshape(-1, channels), rate


def _pad_batch(samples: list):
    """Pads each batch to its longest clip (Keras's ``padded_batch``)."""
    labelled = isinstance(samples[0], tuple)
    clips = [s[0] if labelled else s for s in samples]
    longest = max(c.shape[0] for c in clips)
    out = torch.zeros(len(clips), longest, clips[0].shape[1])
    for i, c in enumerate(clips):
        out[i, :c.shape[0]] = c
    return (out, torch.stack([s[1] for s in samples])) if labelled else out


def audio_dataset_from_directory(directory, labels="inferred", label_mode: str | None = "int",
                                 class_names=None, batch_size: int | None = 32,
                                 sampling_rate: int | None = None,
                                 output_sequence_length: int | None = None,
                                 ragged: bool = False, shuffle: bool = True,
                                 seed: int | None = None, validation_split: float | None = None,
                                 subset: str | None = None, follow_links: bool = False,
                                 verbose: bool = True):
    """WAV files in ``directory/<class>/...`` as batches of ``(audio, labels)``.

    Audio is float32 ``(batch, frames, channels)``, padded with zeros to the longest clip
    of the batch, or cut/padded to ``output_sequence_length``.

    Args:
        directory: Root folder, one subfolder per class for ``labels="inferred"``.
        labels: ``"inferred"``, ``None`` or a list of integer labels (sorted file order).
        label_mode: ``"int"``, ``"categorical"``, ``"binary"`` or ``None``.
        class_names: Explicit class folders (and order).
        batch_size: Batch size; ``None`` yields single clips.
        sampling_rate: Expected rate; files at another rate are refused (no resampler).
        output_sequence_length: Frames per clip (cut or zero-padded).
        ragged: Must be ``False`` (ragged tensors need TensorFlow).
        shuffle: Shuffle (files once, seeded; batches every epoch).
        seed: Seed for shuffling and the split.
        validation_split: Fraction kept for validation.
        subset: ``"training"``, ``"validation"`` or ``"both"``.
        follow_links: Follow symbolic links to subfolders.
        verbose: Print what was found.

    Example:
        >>> train = audio_dataset_from_directory("speech", output_sequence_length=16000)
    """
    if ragged:
        raise ValueError("audio_dataset_from_directory: `ragged=True` needs TensorFlow; torch "
                         "batches are padded instead.")
    if sampling_rate is not None and (not isinstance(sampling_rate, int) or sampling_rate <= 0):
        raise ValueError("`sampling_rate` should be a positive integer. Received: "
                         "sampling_rate=%r" % (sampling_rate,))
    paths, ids, names, label_mode, seed = du.index_labelled_files(
        directory, labels, label_mode, class_names, (".wav",), shuffle, seed, validation_split,
        subset, follow_links, verbose)

    def load(path: str) -> torch.Tensor:
        data, rate = read_wav(path)
        if sampling_rate is not None and rate != sampling_rate:
            raise ValueError("%s is sampled at %d Hz but sampling_rate=%d; resample the files "
                             "first (no resampler is bundled)." % (path, rate, sampling_rate))
        clip = torch.from_numpy(data.copy())
        if output_sequence_length is not None:
            clip = clip[:output_sequence_length]
            if clip.shape[0] < output_sequence_length:
                clip = torch.nn.functional.pad(clip, (0, 0, 0, output_sequence_length -
                                                      clip.shape[0]))
        return clip

    return du.directory_datasets(directory, paths, ids, names, label_mode, load, batch_size,
                                 shuffle, seed, validation_split, subset, collate_fn=_pad_batch)
