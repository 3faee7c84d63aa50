"""ExportArchive: choose the endpoints of an exported inference program."""
from __future__ import annotations

import io
import os
from typing import Any, Callable

import torch
from torch import nn

from torchkeras.config import to_torch_dtype
from torchkeras.saving import file_utils
from torchkeras.tree import flatten, pack_sequence_as


class _Endpoint(nn.Module):
    """``forward(*flat_inputs)`` -> ``fn(structured inputs)`` for ``torch.export``."""

    def __init__(self, fn: Callable, signature: Any, resources: list):
        super().__init__()
        self.fn = fn
        self.signature = signature
        # Registering tracked layers makes their weights part of the program's state.
        self.resources = nn.ModuleList([r for r in resources if isinstance(r, nn.Module)])

    def forward(self, *flat: torch.Tensor) -> Any:
        structured = pack_sequence_as(self.signature, list(flat))
        if isinstance(self.signature, (list, tuple)) and not isinstance(structured, dict):
            return self.fn(*structured)
        return self.fn(structured)


def _spec(entry: Any) -> tuple:
    """``(shape, torch dtype)`` of a signature entry (InputSpec, KerasTensor, tensor)."""
    shape = getattr(entry, "shape", None)
    if shape is None:
        raise ValueError("Each input_signature entry needs a shape (keras.InputSpec, "
                         "KerasTensor or tensor), got %r" % (entry,))
    dtype = getattr(entry, "dtype", None) or "float32"
    return tuple(shape), to_torch_dtype(dtype)


class ExportArchive:
    """Collects layers/models and endpoints, then writes them as a ``torch.export`` file.

    ``write_out`` saves a ``.pt2`` program per endpoint (load with
    ``torch.export.load(path).module()``), the same format as ``model.export``.

    Example:
        >>> archive = ExportArchive()
        >>> archive.track(model)
        >>> archive.add_endpoint("serve", lambda x: model(x, training=False),
        ...                      input_signature=[keras.InputSpec(shape=(None, 3))])
        >>> archive.write_out("model.pt2")
    """

    def __init__(self) -> None:
        self._tracked: list = []
        self._endpoints: dict = {}

    def track(self, resource: Any) -> None:
        """Adds a layer or model whose weights the endpoints use."""
        if not isinstance(resource, nn.Module):
            raise ValueError("Invalid resource type %r: expected a Layer or Model."
                             % type(resource).__name__)
        if not getattr(resource, "built", True):
            raise ValueError("The layer provided has not yet been built. It must be built "
                             "before export.")
        self._tracked.append(resource)

    def add_endpoint(self, name: str, fn: Callable | None = None,
                     input_signature: Any = None, **kwargs: Any) -> Callable:
        """Registers ``fn`` under ``name``; ``input_signature`` describes its inputs.

        Args:
            name: Endpoint name (``"serve"``); also the file suffix with several endpoints.
            fn: Callable of tensors; its positional arguments follow ``input_signature``.
            input_signature: List of ``keras.InputSpec``/KerasTensor/tensor, one per
                argument (``None`` dims become dynamic).
            **kwargs: ``strict`` for ``torch.export.export``.

        Returns:
            ``fn``.
        """
        if name in self._endpoints:
            raise ValueError("Endpoint name %r is already taken." % name)
        if fn is None or not callable(fn):
            raise ValueError("add_endpoint needs a callable `fn`.")
        if input_signature is None:
            raise ValueError("add_endpoint needs an `input_signature` on torch.")
        self._endpoints[name] = (fn, input_signature, kwargs)
        return fn

    def add_variable_collection(self, name: str, variables: Any) -> None:
        """Tracks extra variables (stored as buffers of the exported program)."""
        holder = nn.Module()
        for i, v in enumerate(flatten(variables)):
            holder.register_buffer("v%d" % i, torch.as_tensor(v).detach())
        self._tracked.append(holder)

    def _program(self, fn: Callable, signature: Any, kwargs: dict):
        specs = [_spec(e) for e in flatten(signature)]
        device = next((p.device for r in self._tracked for p in r.parameters()),
                      torch.device("cpu"))
        samples = tuple(torch.zeros(tuple(2 if d is None else d for d in shape), dtype=dt,
                                    device=device) for shape, dt in specs)
        dynamic = (tuple({i: torch.export.Dim.AUTO for i, d in enumerate(shape) if d is None}
                         or None for shape, _ in specs),)
        module = _Endpoint(fn, signature, self._tracked)
        modes = [(r, r.training) for r in self._tracked]
        for r, _ in modes:
            r.eval()
        try:
            return torch.export.export(module, samples, dynamic_shapes=dynamic,
                                       strict=kwargs.get("strict", False))
        finally:
            for r, mode in modes:
                r.train(mode)

    def write_out(self, filepath: str, verbose: bool | None = None, **kwargs: Any) -> list:
        """Writes each endpoint: ``filepath`` (one endpoint) or ``<stem>.<name>.pt2``.

        Args:
            filepath: Path ending in ``.pt2``.
            verbose: Print the paths written (default True).

        Returns:
            The paths written.
        """
        path = os.fspath(filepath)
        if not path.endswith(".pt2"):
            raise ValueError("ExportArchive writes torch.export programs: the filepath must "
                             "end with '.pt2'. Got: %s" % path)
        if not self._endpoints:
            raise ValueError("No endpoints have been set yet. Call add_endpoint() first.")
        written = []
        for name, (fn, signature, options) in self._endpoints.items():
            target = path if len(self._endpoints) == 1 else "%s.%s.pt2" % (path[:-4], name)
            buffer = io.BytesIO()
            torch.export.save(self._program(fn, signature, options), buffer)
            file_utils.write_bytes_atomic(target, buffer.getvalue())
            written.append(target)
        if verbose is None or verbose:
            print("Saved artifact at %s." % ", ".join("'%s'" % p for p in written))
        return written
