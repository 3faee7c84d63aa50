"""Reading and writing named tensors: safetensors files, and Keras 3's HDF5 layout.

Readers expose ``names()``, ``shape(name)`` and ``read(name)`` so a loader can check
every name and shape before reading a single value, and never read more than the model
needs. Nothing here unpickles: safetensors is a JSON header plus raw bytes, and HDF5
datasets are read only through hard links, never external or virtual storage.
"""
from __future__ import annotations

import io
import json
import math
import os

import numpy as np
import torch

# A dataset may not declare far more bytes than it stores (HDF5 "shape bombs").
_H5_BOMB_FLOOR = 1 << 28
_H5_MAX_EXPANSION = 1000
# Top-level groups of Keras weight files that hold no layer weights.
_H5_NON_LAYER_GROUPS = ("optimizer",)


class WeightsFileError(ValueError):
    """A weights file that is missing, unreadable, corrupted or of the wrong kind."""


def import_h5py():
    try:
        import h5py
    except ImportError as e:
        raise ImportError("Reading or writing `.h5` weight files needs the `h5py` package: "
                          "`pip install torchkeras[h5]` (or `pip install h5py`).") from e
    return h5py


# ------------------------------------------------------------------------ safetensors
class SafetensorsSource:
    """Named tensors of a safetensors file (memory-mapped) or in-memory bytes."""

    def __init__(self, path: str | None = None, data: bytes | None = None,
                 origin: str = "file"):
        from safetensors import SafetensorError, safe_open
        from safetensors.torch import load
        self.origin = origin
        try:
            if data is not None:
                self._tensors = load(data)
                self.metadata = _bytes_metadata(data)
            else:
                self._handle = safe_open(path, framework="pt")
                self.metadata = self._handle.metadata() or {}
                self._tensors = None
        except (SafetensorError, OSError, ValueError, RuntimeError, UnicodeDecodeError) as e:
            raise WeightsFileError("%s is not a valid safetensors file (corrupted, truncated "
                                   "or of another format): %s" % (origin, e)) from e

    def close(self) -> None:
        """Releases the memory map of a file source."""
        handle = getattr(self, "_handle", None)
        if handle is not None:
            handle.__exit__(None, None, None)
            self._handle = None

    def names(self) -> list:
        return list(self._tensors) if self._tensors is not None else list(self._handle.keys())

    def shape(self, name: str):
        if self._tensors is not None:
            t = self._tensors.get(name)
            return None if t is None else tuple(t.shape)
        if name not in self._names_set():
            return None
        return tuple(self._handle.get_slice(name).get_shape())

    def _names_set(self) -> set:
        if not hasattr(self, "_name_cache"):
            self._name_cache = set(self.names())
        return self._name_cache

    def read(self, name: str) -> torch.Tensor:
        if self._tensors is not None:
            return self._tensors[name]
        try:
            return self._handle.get_tensor(name)
        except Exception as e:  # the Rust reader's error types are not exported uniformly
            raise WeightsFileError("%s: could not read tensor %r: %s"
                                   % (self.origin, name, e)) from e


def _bytes_metadata(data: bytes) -> dict:
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + n].decode("utf-8"))
    meta = header.get("__metadata__") or {}
    return meta if isinstance(meta, dict) else {}


def safetensors_bytes(tensors: dict, metadata: dict | None = None) -> bytes:
    """Serializes ``{name: tensor}`` (CPU, contiguous copies are made here)."""
    from safetensors.torch import save
    clean = {k: _host(v) for k, v in tensors.items()}
    return save(clean, metadata={k: str(v) for k, v in (metadata or {}).items()})


def _host(t) -> torch.Tensor:
    if not isinstance(t, torch.Tensor):
        t = torch.as_tensor(np.array(t, order="C", copy=True))
    # safetensors refuses tensors sharing storage, so always own the memory.
    return t.detach().to("cpu", copy=True).contiguous()


# ------------------------------------------------------------------------------ HDF5
class H5Source:
    """The variables of a Keras 3 ``.weights.h5`` file, by path (``layers/dense/vars/0``)."""

    def __init__(self, path: str | None = None, data: bytes | None = None,
                 origin: str = "file"):
        h5py = import_h5py()
        self.origin = origin
        self._h5py = h5py
        try:
            self._file = h5py.File(io.BytesIO(data) if data is not None else path, "r")
        except (OSError, ValueError) as e:
            raise WeightsFileError("%s is not a valid HDF5 weights file (corrupted, truncated "
                                   "or of another format): %s" % (origin, e)) from e
        self._names = None

    def close(self) -> None:
        self._file.close()

    def _node(self, name: str):
        """The object at ``name`` reached through hard links only, or None."""
        h5py = self._h5py
        current = self._file
        for part in name.split("/"):
            if not part or not isinstance(current, h5py.Group) or part not in current:
                return None
            link = current.get(part, getclass=True, getlink=True)
            if link is not h5py.HardLink:
                raise WeightsFileError("%s: refusing %s %r (only plain groups and datasets "
                                       "are allowed)." % (self.origin, link.__name__, name))
            current = current[part]
        return current

    def group_name(self, group: str):
        """The layer name Keras recorded for ``group`` (or None)."""
        node = self._node((group + "/" if group else "") + "vars")
        if node is None or not isinstance(node, self._h5py.Group):
            return None
        value = node.attrs.get("name")
        return value.decode() if isinstance(value, bytes) else value

    def names(self) -> list:
        """Every variable path under a ``vars`` group, other than optimizer state."""
        if self._names is None:
            found = []
            h5py = self._h5py

            def visit(name, obj):
                parts = name.split("/")
                if isinstance(obj, h5py.Dataset) and len(parts) >= 2 and parts[-2] == "vars" \
                        and parts[0] not in _H5_NON_LAYER_GROUPS:
                    found.append(name)

            self._file.visititems(visit)
            self._names = found
        return list(self._names)

    def vars_groups(self) -> list:
        """Paths of every group that owns a ``vars`` group, with the recorded layer name."""
        out = []
        h5py = self._h5py

        def visit(name, obj):
            if isinstance(obj, h5py.Group) and name.split("/")[-1] == "vars":
                parent = name[:-len("vars")].rstrip("/")
                value = obj.attrs.get("name")
                out.append((parent, value.decode() if isinstance(value, bytes) else value))

        self._file.visititems(visit)
        return out

    def _dataset(self, name: str):
        node = self._node(name)
        if node is None:
            return None
        if not isinstance(node, self._h5py.Dataset):
            raise WeightsFileError("%s: %r is not a dataset." % (self.origin, name))
        if node.external:
            raise WeightsFileError("%s: refusing external dataset %r." % (self.origin, name))
        if node.is_virtual:
            raise WeightsFileError("%s: refusing virtual dataset %r." % (self.origin, name))
        return node

    def shape(self, name: str):
        ds = self._dataset(name)
        return None if ds is None else tuple(ds.shape)

    def read(self, name: str) -> torch.Tensor:
        ds = self._dataset(name)
        declared = math.prod(ds.shape) * ds.dtype.itemsize
        if declared > _H5_BOMB_FLOOR and declared > _H5_MAX_EXPANSION * ds.id.get_storage_size():
            raise WeightsFileError("%s: dataset %r declares %d bytes but stores almost nothing;"
                                   " refusing a potential decompression bomb."
                                   % (self.origin, name, declared))
        try:
            raw = ds[()]
        except (OSError, ValueError, TypeError) as e:
            raise WeightsFileError("%s: could not read %r (file corrupted?): %s"
                                   % (self.origin, name, e)) from e
        arr = np.asarray(raw)
        if _attr(ds, "dtype") == "bfloat16" or (arr.dtype.kind == "V" and arr.dtype.itemsize == 2):
            bits = np.ascontiguousarray(arr).view(np.uint16).astype(np.int16, copy=False)
            return torch.from_numpy(bits.copy()).view(torch.bfloat16)
        if arr.dtype.kind not in "biuf":
            raise WeightsFileError("%s: dataset %r has unsupported dtype %s."
                                   % (self.origin, name, arr.dtype))
        return torch.from_numpy(np.array(arr, copy=True))


def _attr(ds, key):
    value = ds.attrs.get(key)
    return value.decode() if isinstance(value, bytes) else value


def write_h5(path_or_buffer, groups: dict, variables: dict) -> None:
    """Writes Keras 3's weights layout.

    Args:
        path_or_buffer: Destination file path or binary buffer.
        groups: Attribute path -> layer name, for every layer (each gets ``vars``).
        variables: ``"<group>/vars/<i>"`` -> tensor (Keras layout).
    """
    h5py = import_h5py()
    with h5py.File(path_or_buffer, "w") as f:
        for group, name in groups.items():
            g = f.require_group((group + "/" if group else "") + "vars")
            g.attrs["name"] = name
        for path, tensor in variables.items():
            t = tensor.detach().cpu()
            if t.dtype == torch.bfloat16:
                bits = t.contiguous().view(torch.int16).numpy().view(np.uint16)
                try:
                    import ml_dtypes
                    data = bits.view(ml_dtypes.bfloat16)
                except ImportError:
                    data = bits
                ds = f.create_dataset(path, data=data)
                ds.attrs["dtype"] = "bfloat16"
            else:
                f.create_dataset(path, data=t.contiguous().numpy())


def is_h5_path(path: str) -> bool:
    return os.fspath(path).lower().endswith((".h5", ".hdf5"))
