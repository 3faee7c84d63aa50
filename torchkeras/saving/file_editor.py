"""KerasFileEditor: inspect and edit the weights stored in a saved model or weights file."""
from __future__ import annotations

import os
import zipfile
from typing import Any

import numpy as np
import torch

from torchkeras.saving import file_utils
from torchkeras.saving.weights_io import H5Source, SafetensorsSource, safetensors_bytes

_ARCHIVE_WEIGHTS = "model.safetensors"
_KERAS_ARCHIVE_WEIGHTS = "model.weights.h5"


class KerasFileEditor:
    """Reads every weight of a ``.keras`` archive, ``.safetensors`` or ``.weights.h5`` file
    into ``weights_dict`` for editing: nested dicts along the object path, as in Keras
    (``weights_dict["layers"]["dense"]["kernel"]`` is a numpy array).

    ``save`` writes the edited file back in torchkeras's format (a ``.keras`` archive
    keeps its config and other members; weights go to ``model.safetensors``);
    ``resave_weights`` writes the weights alone as ``.safetensors``.

    Args:
        filepath: The file to read.

    Example:
        >>> editor = KerasFileEditor("model.keras")
        >>> editor.rename_object("dense", "classifier")
        >>> editor.delete_weight("layers/batch_normalization", "moving_mean")
        >>> editor.save("edited.keras")
    """

    def __init__(self, filepath: str):
        self.filepath = os.fspath(filepath)
        if not os.path.exists(self.filepath):
            raise ValueError("Invalid filepath: %r does not exist." % self.filepath)
        self._archive = zipfile.is_zipfile(self.filepath)
        self.weights_dict: dict = {}
        for name, value in self._read():
            obj, _, weight = name.rpartition("/")
            if obj.endswith("/vars"):   # Keras's own h5 layout: <path>/vars/<index>
                obj = obj[:-len("/vars")]
            node = self.weights_dict
            for part in obj.split("/") if obj else []:
                node = node.setdefault(part, {})
            node[weight] = value

    def _objects(self) -> dict:
        """``{object path: its weights dict}``: the dicts that hold arrays."""
        out, stack = {}, [("", self.weights_dict)]
        while stack:
            path, node = stack.pop()
            if any(isinstance(v, np.ndarray) for v in node.values()):
                out[path] = node
            stack.extend(("%s/%s" % (path, k) if path else k, v) for k, v in node.items()
                         if isinstance(v, dict))
        return dict(sorted(out.items()))

    def _parent(self, path: str, create: bool = False) -> tuple:
        node = self.weights_dict
        *parents, last = path.split("/")
        for part in parents:
            if part not in node and create:
                node[part] = {}
            node = node[part]
        return node, last

    def _read(self) -> list:
        if self._archive:
            with zipfile.ZipFile(self.filepath) as zf:
                members = set(zf.namelist())
                if _ARCHIVE_WEIGHTS in members:
                    source = SafetensorsSource(data=zf.read(_ARCHIVE_WEIGHTS))
                elif _KERAS_ARCHIVE_WEIGHTS in members:
                    source = H5Source(data=zf.read(_KERAS_ARCHIVE_WEIGHTS))
                else:
                    raise ValueError("%s holds no weights (%s or %s)." % (
                        self.filepath, _ARCHIVE_WEIGHTS, _KERAS_ARCHIVE_WEIGHTS))
        elif self.filepath.endswith(".h5"):
            source = H5Source(path=self.filepath)
        else:
            source = SafetensorsSource(path=self.filepath)
        try:
            return [(n, source.read(n).detach().cpu().numpy()) for n in source.names()]
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    # ------------------------------------------------------------------- inspection
    def summary(self) -> None:
        """Prints each object path with its weights' shapes and dtypes."""
        for obj, weights in self._objects().items():
            print(obj)
            for name, value in weights.items():
                if isinstance(value, np.ndarray):
                    print("    %-24s shape=%s dtype=%s" % (name, tuple(value.shape), value.dtype))

    def weights_summary(self) -> None:
        """Prints every weight with a few of its values."""
        for obj, weights in self._objects().items():
            for name, value in ((k, v) for k, v in weights.items() if isinstance(v, np.ndarray)):
                flat = value.reshape(-1)
                print("%s/%s %s: %s%s" % (obj, name, tuple(value.shape), flat[:6].tolist(),
                                          " ..." if flat.size > 6 else ""))

    # ---------------------------------------------------------------------- editing
    def _resolve(self, object_name: str) -> str:
        objects = self._objects()
        if object_name in objects:
            return object_name
        hits = [k for k in objects if k.rsplit("/", 1)[-1] == object_name]
        if len(hits) == 1:
            return hits[0]
        if not hits:
            raise ValueError("Object %r not found in the file. Objects: %s"
                             % (object_name, sorted(objects)))
        raise ValueError("Object name %r is ambiguous: %s. Pass the full path."
                         % (object_name, hits))

    def rename_object(self, object_name: str, new_name: str) -> None:
        """Renames an object (its last path component, or the whole path if given one)."""
        old = self._resolve(object_name)
        new = new_name if "/" in new_name else old.rpartition("/")[0] + "/" + new_name \
            if "/" in old else new_name
        if new in self._objects():
            raise ValueError("Object %r already exists." % new)
        parent, key = self._parent(old)
        weights = parent.pop(key)
        parent, key = self._parent(new, create=True)
        parent[key] = weights

    def delete_object(self, object_name: str) -> None:
        """Removes an object and all its weights."""
        parent, key = self._parent(self._resolve(object_name))
        del parent[key]

    def add_object(self, object_path: str, weights: dict) -> None:
        """Adds a new object with ``{weight name: array}``."""
        if object_path in self._objects():
            raise ValueError("Object %r already exists." % object_path)
        if not isinstance(weights, dict):
            raise ValueError("`weights` must be a dict {name: array}, got %r"
                             % type(weights).__name__)
        parent, key = self._parent(object_path, create=True)
        parent[key] = {str(k): np.asarray(v) for k, v in weights.items()}

    def delete_weight(self, object_name: str, weight_name: str) -> None:
        """Removes one weight of an object."""
        obj = self._objects()[self._resolve(object_name)]
        if weight_name not in obj:
            raise ValueError("Weight %r not found in %r. Weights: %s"
                             % (weight_name, object_name, sorted(obj)))
        del obj[weight_name]

    def add_weights(self, object_name: str, weights: dict) -> None:
        """Adds ``{weight name: array}`` to an existing object."""
        obj = self._objects()[self._resolve(object_name)]
        for name in weights:
            if str(name) in obj:
                raise ValueError("Weight %r already exists in %r." % (name, object_name))
        obj.update({str(k): np.asarray(v) for k, v in weights.items()})

    # ----------------------------------------------------------------------- writing
    def _weights_bytes(self) -> bytes:
        flat = {"%s/%s" % (obj, name): torch.from_numpy(np.ascontiguousarray(value))
                for obj, weights in self._objects().items() for name, value in weights.items()
                if isinstance(value, np.ndarray)}
        return safetensors_bytes(flat)

    def save(self, filepath: str) -> None:
        """Writes the edited file: a ``.keras`` archive (when read from one) or weights."""
        path = os.fspath(filepath)
        if not self._archive:
            self.resave_weights(path)
            return
        if not path.endswith(".keras"):
            raise ValueError("A model archive is saved as '.keras'; got %s" % path)
        tmp = path + ".tmp"
        with zipfile.ZipFile(self.filepath) as src, \
                zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
            for name in src.namelist():
                if name not in (_ARCHIVE_WEIGHTS, _KERAS_ARCHIVE_WEIGHTS):
                    dst.writestr(name, src.read(name))
            dst.writestr(_ARCHIVE_WEIGHTS, self._weights_bytes())
        os.replace(tmp, path)

    def resave_weights(self, filepath: str) -> None:
        """Writes the weights alone as a ``.safetensors`` file."""
        path = os.fspath(filepath)
        if not path.endswith(".safetensors"):
            raise ValueError("resave_weights writes torchkeras's weights format: use a "
                             "'.safetensors' filepath. Got: %s" % path)
        file_utils.write_bytes_atomic(path, self._weights_bytes())
