"""Pretrained weights: torchvision's files, fetched and checked by torchkeras's downloader.

``weights="imagenet"`` downloads the file torchvision itself would use (same URL; its
name carries the first digits of its sha256, which are checked) into
``$TORCHKERAS_HOME/models``; a copy already in torch hub's cache is used as is. State
dicts are read with ``torch.load(weights_only=True)`` or safetensors, never by
unpickling arbitrary objects.
"""
from __future__ import annotations

import os
import re

import torch

from torchkeras.datasets._download import DownloadError, get_file, validate_file

_HASH_IN_NAME = re.compile(r"-([a-f0-9]+)\.")
# torchvision's DenseNet files predate its module names: "norm.1" is now "norm1".
_DENSENET_OLD_KEY = re.compile(r"^(.*denselayer\d+\.(?:norm|relu|conv))\."
                               r"((?:[12])\.(?:weight|bias|running_mean|running_var))$")


def imagenet_weights_url(enum_name: str) -> str:
    """The URL of torchvision's default ImageNet weights for ``enum_name``."""
    import torchvision.models as models
    return getattr(models, enum_name).DEFAULT.url


def fetch_imagenet_weights(enum_name: str) -> str:
    """Path of the checked weights file (downloaded on first use)."""
    url = imagenet_weights_url(enum_name)
    fname = os.path.basename(url)
    match = _HASH_IN_NAME.search(fname)
    digest = match.group(1) if match else None
    hub_copy = _torch_hub_copy(fname)
    if hub_copy is not None and (digest is None or validate_file(hub_copy, digest, "sha256")):
        return hub_copy
    try:
        return get_file(fname, url, file_hash=digest, hash_algorithm="sha256",
                        cache_subdir="models")
    except DownloadError as e:
        hub_dir = _torch_hub_dir()
        extra = (" A copy in torch hub's cache (%s) is used too."
                 % os.path.join(hub_dir, "checkpoints", fname)) if hub_dir else ""
        raise DownloadError("Could not fetch the ImageNet weights (%s). %s%s"
                            % (enum_name, e, extra)) from None


def _torch_hub_dir():
    try:
        return torch.hub.get_dir()
    except Exception:   # pragma: no cover - hub dir resolution is best effort
        return None


def _torch_hub_copy(fname: str):
    hub_dir = _torch_hub_dir()
    if not hub_dir:
        return None
    path = os.path.join(hub_dir, "checkpoints", fname)
    return path if os.path.isfile(path) else None


def read_state_dict(path: str) -> dict:
    """``{key: tensor}`` from a ``.safetensors`` file or a ``torch.save`` file.

    ``torch.load`` runs with ``weights_only=True``: only tensors and plain containers
    are accepted. A checkpoint that nests the weights under ``"state_dict"`` or
    ``"model"``, or prefixes them with ``"module."`` (DDP), is unwrapped.
    """
    if _is_safetensors(path):
        from safetensors.torch import load_file
        state = load_file(path, device="cpu")
    else:
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as e:
            raise ValueError("Could not read %s as weights (safetensors, or a torch.save file "
                             "holding only tensors): %s" % (path, e)) from e
    for key in ("state_dict", "model"):
        if isinstance(state, dict) and isinstance(state.get(key), dict) and len(state) <= 3:
            state = state[key]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor)
                                              for v in state.values()):
        raise ValueError("%s does not hold a state dict of tensors." % path)
    if state and all(k.startswith("module.") for k in state):
        state = {k[len("module."):]: v for k, v in state.items()}
    return state


def _is_safetensors(path: str) -> bool:
    with open(path, "rb") as f:
        head = f.read(9)
    if len(head) < 9:
        return False
    header_len = int.from_bytes(head[:8], "little")
    return head[8:9] == b"{" and 0 < header_len < os.path.getsize(path)


def is_torchkeras_weights(path: str) -> bool:
    """Whether ``path`` was written by ``Model.save_weights``/``save`` (Keras layouts)."""
    if path.endswith((".h5", ".keras")):
        return True
    if not _is_safetensors(path):
        return False
    from safetensors import safe_open
    with safe_open(path, framework="pt") as f:
        meta = f.metadata() or {}
    return meta.get("library") == "torchkeras.weights"


def rename_densenet_keys(state: dict) -> dict:
    return {_DENSENET_OLD_KEY.sub(r"\1\2", k): v for k, v in state.items()}


def load_torchvision_state(targets: dict, state: dict, source: str,
                           include_top: bool) -> None:
    """Copies ``state`` (torchvision keys) into ``targets`` after checking every entry.

    Args:
        targets: ``{torchvision key: (tensor, transform or None)}``: where each entry
            goes and how to rearrange it (e.g. VGG's flatten order).
        state: The torchvision state dict.
        source: Where ``state`` came from, for error messages.
        include_top: Whether classifier entries are among ``targets``.
    """
    missing = [k for k in targets if k not in state]
    if missing:
        hint = "" if include_top else " (only the feature extractor is needed)"
        raise ValueError("%s does not match this architecture%s: %d entries are missing, "
                         "e.g. %s" % (source, hint, len(missing), missing[:5]))
    staged = []
    for key, (tensor, transform) in targets.items():
        value = state[key]
        if transform is not None:
            value = transform(value)
        if tuple(value.shape) != tuple(tensor.shape):
            raise ValueError("%s: entry %r has shape %s, but the model expects %s%s."
                             % (source, key, tuple(value.shape), tuple(tensor.shape),
                                " (different `classes`?)" if not key.startswith("features")
                                and include_top else ""))
        staged.append((tensor, value))
    with torch.no_grad():
        for tensor, value in staged:
            tensor.copy_(value.to(dtype=tensor.dtype, device=tensor.device))
