"""``model.export``: inference programs for serving, as ``torch.export`` or ONNX files.

The model is traced in inference mode (``training=False``) on sample inputs built from
its input signature; batch dimensions stay dynamic where the model allows it.
"""
from __future__ import annotations

import io
import os
import warnings

import torch
from torch import nn

from torchkeras.saving import file_utils


class _Spec:
    """Shape, dtype and name of one input (a leaf of the input structure)."""

    __slots__ = ("shape", "dtype", "name")

    def __init__(self, shape, dtype="float32", name=None):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = dtype
        self.name = name


class _Program(nn.Module):
    """Feeds flat positional tensors to the model in its own input structure."""

    def __init__(self, model, structure):
        super().__init__()
        self.model = model
        self._structure = structure

    def forward(self, *flat):
        inputs = _pack(self._structure, list(flat))
        return self.model(inputs, training=False)


def _pack(structure, flat: list):
    if isinstance(structure, dict):
        return {k: _pack(v, flat) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(_pack(v, flat) for v in structure)
    return flat.pop(0)


def _flatten(structure) -> list:
    if isinstance(structure, dict):
        return [x for v in structure.values() for x in _flatten(v)]
    if isinstance(structure, (list, tuple)):
        return [x for v in structure for x in _flatten(v)]
    return [structure]


def input_signature_of(model):
    """The model's inputs as a structure of ``(shape, dtype, name)`` specs."""
    from torchkeras.layers.keras_tensor import map_structure
    if not getattr(model, "built", False):
        raise ValueError("The model provided has not yet been built. It must be built "
                         "before export.")

    def spec(kt):
        return _Spec(kt.shape, kt.dtype, kt.name)
    struct = getattr(model, "_inputs_struct", None)
    if struct is not None:
        return map_structure(spec, struct)
    inputs = getattr(model, "inputs", None)
    if inputs:
        return spec(inputs[0]) if len(inputs) == 1 else [spec(kt) for kt in inputs]
    shape = getattr(model, "_build_input_shape", None)
    if shape is None:
        raise ValueError("Cannot infer the input signature of model '%s'; pass "
                         "`input_signature=` to export()." % model.name)
    if isinstance(shape, tuple) and all(d is None or isinstance(d, int) for d in shape):
        return _Spec(shape)
    return [_Spec(s) for s in shape]


def _normalize_signature(signature):
    """User signatures: shapes, ``KerasTensor``s, tensors or ``(shape, dtype)`` specs."""
    from torchkeras.layers.keras_tensor import KerasTensor
    if isinstance(signature, _Spec):
        return signature
    if isinstance(signature, KerasTensor):
        return _Spec(signature.shape, signature.dtype, signature.name)
    if isinstance(signature, torch.Tensor):
        return _Spec((None,) + tuple(signature.shape[1:]),
                     str(signature.dtype).replace("torch.", ""))
    if isinstance(signature, dict):
        return {k: _normalize_signature(v) for k, v in signature.items()}
    if isinstance(signature, (list, tuple)):
        if signature and all(d is None or isinstance(d, int) for d in signature):
            return _Spec(signature)
        if len(signature) in (2, 3) and isinstance(signature[0], (tuple, list)) and \
                isinstance(signature[1], str):
            return _Spec(signature[0], signature[1],
                         signature[2] if len(signature) == 3 else None)
        items = [_normalize_signature(v) for v in signature]
        return items[0] if len(items) == 1 else items
    raise TypeError("Unsupported input_signature entry %r" % (signature,))


def _sample(spec: _Spec, device):
    from torchkeras import config as _config
    concrete = tuple(2 if d is None else d for d in spec.shape)
    torch_dtype = _config.to_torch_dtype(spec.dtype)
    if torch_dtype.is_floating_point:
        return torch.randn(concrete, dtype=torch_dtype, device=device)
    return torch.zeros(concrete, dtype=torch_dtype, device=device)


def _device_of(model) -> torch.device:
    for p in model.parameters():
        return p.device
    from torchkeras import config as _config
    return _config.get_device()


def export_program(model, input_signature=None, **kwargs):
    """``torch.export`` the model in inference mode; returns ``(program, samples, specs)``."""
    signature = input_signature_of(model) if input_signature is None \
        else _normalize_signature(input_signature)
    specs = _flatten(signature)
    device = _device_of(model)
    samples = tuple(_sample(s, device) for s in specs)
    dynamic = kwargs.pop("dynamic_shapes", None)
    if dynamic is None:
        # ``forward(*flat)``: one entry for the var-positional tuple, one dict per input.
        dynamic = (tuple({i: torch.export.Dim.AUTO for i, d in enumerate(s.shape) if d is None}
                         or None for s in specs),)
    strict = kwargs.pop("strict", False)
    if kwargs:
        raise ValueError("Unsupported export arguments: %s" % sorted(kwargs))
    program = _Program(model, signature)
    was_training = model.training
    model.eval()
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r".*not properly registered as a submodule.*")
            exported = torch.export.export(program, samples, dynamic_shapes=dynamic,
                                           strict=strict)
    except Exception as e:
        raise RuntimeError("Failed to export model '%s' with torch.export (unsupported "
                           "operations or data-dependent control flow?): %s"
                           % (model.name, e)) from e
    finally:
        model.train(was_training)
    return exported, samples, specs


def export_model(model, filepath, format: str = "torch", input_signature=None,
                 verbose: bool | None = None, **kwargs):
    """Saves an inference program of ``model``.

    Args:
        model: A built model.
        filepath: ``*.pt2`` for ``format="torch"``, ``*.onnx`` for ``format="onnx"``.
        format: ``"torch"`` (a ``torch.export`` program, load with
            ``torch.export.load``) or ``"onnx"`` (needs the ``onnx`` and ``onnxscript``
            packages).
        input_signature: Input shapes/dtypes when the model cannot tell (subclassed
            models): a shape tuple, ``(shape, dtype)``, a ``KerasTensor``, a sample
            tensor, or a list/dict of them.
        verbose: Print where the file was written (default True).
        **kwargs: ``strict`` and ``dynamic_shapes`` for ``torch.export.export``.

    Returns:
        The path written.

    Example:
        >>> model.export("model.pt2")
        >>> program = torch.export.load("model.pt2").module()
    """
    path = os.fspath(filepath)
    if format == "torch":
        if not path.endswith(".pt2"):
            raise ValueError("The PyTorch export requires the filepath to end with '.pt2'. "
                             "Got: %s" % path)
        exported, _, _ = export_program(model, input_signature, **kwargs)
        buffer = io.BytesIO()
        torch.export.save(exported, buffer)
        file_utils.write_bytes_atomic(path, buffer.getvalue())
    elif format == "onnx":
        _export_onnx(model, path, input_signature, **kwargs)
    else:
        raise ValueError("Unrecognized format=%r. Supported formats are: 'torch', 'onnx'."
                         % (format,))
    if verbose is None or verbose:
        print("Saved artifact at '%s'." % path)
    return path


def _export_onnx(model, path: str, input_signature, **kwargs) -> None:
    try:
        import onnx  # noqa: F401
        import onnxscript  # noqa: F401
    except ImportError as e:
        raise ImportError("format='onnx' needs the `onnx` and `onnxscript` packages: "
                          "`pip install torchkeras[onnx]`.") from e
    exported, _, specs = export_program(model, input_signature, **kwargs)
    # The ONNX exporter reads values with ``Tensor.numpy(force=True)``: hand it plain
    # parameters rather than torchkeras Variables.
    state = exported.state_dict
    for key, value in list(state.items()):
        if isinstance(value, nn.Parameter) and type(value) is not nn.Parameter:
            state[key] = nn.Parameter(value.detach(), requires_grad=value.requires_grad)
    names = [s.name or "input_%d" % i for i, s in enumerate(specs)]
    with file_utils.atomic_path(path) as tmp:
        onnx_path = tmp + ".onnx"
        try:
            torch.onnx.export(exported, (), onnx_path, input_names=names, dynamo=True,
                              external_data=False, verbose=False)
            os.replace(onnx_path, tmp)
        finally:
            if os.path.exists(onnx_path):
                os.remove(onnx_path)
