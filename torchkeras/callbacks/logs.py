"""Keras's view of a step's logs: flat, sorted, Python floats."""
from __future__ import annotations


def flatten_logs(logs, out: dict | None = None) -> dict:
    """Keras's flat view of ``logs``: nested dicts (``compile_metrics``) are opened up and
    each level is taken in sorted key order (values are left as they are, no host sync).

    Args:
        logs: A dict of values, possibly nested.
        out: Dict to fill (default: a new one).

    Example:
        >>> flatten_logs({"loss": 1.0, "compile_metrics": {"mae": 2.0}})
        {'mae': 2.0, 'loss': 1.0}
    """
    out = {} if out is None else out
    for k in sorted(logs.keys()):
        v = logs[k]
        if isinstance(v, dict):
            flatten_logs(v, out)
        else:
            out[k] = v
    return out


def materialize(logs, flatten: bool = True) -> dict:
    """Device-side logs -> Python floats (one host transfer for all scalar values).

    Args:
        logs: A dict of tensors/numbers (possibly nested), a callable returning one, or
            ``None`` (which gives ``{}``).
        flatten: Open nested dicts up and sort keys as Keras does (``flatten_logs``);
            ``False`` keeps the structure and order (converted values only).

    Multi-element tensors become numpy arrays.

    Example:
        >>> materialize({"loss": torch.tensor(0.5)})
        {'loss': 0.5}
    """
    if logs is None:
        return {}
    if callable(logs):
        logs = logs()
    tree = flatten_logs(logs) if flatten else logs
    scalars = []
    _collect_scalars(tree, scalars)
    values = iter(())
    if scalars:
        import torch
        values = iter(torch.stack([t.detach().reshape(()).float() for t in scalars])
                      .cpu().tolist())
    return _rebuild(tree, values)


def _is_tensor(v) -> bool:
    return hasattr(v, "detach") and hasattr(v, "numel")


def _collect_scalars(tree: dict, out: list) -> None:
    for v in tree.values():
        if isinstance(v, dict):
            _collect_scalars(v, out)
        elif _is_tensor(v) and v.numel() == 1:
            out.append(v)


def _rebuild(tree: dict, values) -> dict:
    # Same traversal order as _collect_scalars, so `values` lines up with the scalars.
    out = {}
    for k, v in tree.items():
        if isinstance(v, dict):
            out[k] = _rebuild(v, values)
        elif _is_tensor(v):
            out[k] = next(values) if v.numel() == 1 else v.detach().cpu().numpy()
        else:
            out[k] = v
    return out
