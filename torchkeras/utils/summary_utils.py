"""``model.summary()``: Keras's table of layers, output shapes and parameter counts."""
from __future__ import annotations

import torch



def _shape_text(layer) -> str:
    try:
        shape = layer.output_shape
    except (AttributeError, ValueError, NotImplementedError, RuntimeError):
        return "?"
    return str(_tuple(shape))


def _tuple(shape):
    if isinstance(shape, list):
        return [_tuple(s) for s in shape]
    if isinstance(shape, dict):
        return {k: _tuple(v) for k, v in shape.items()}
    return tuple(shape)


def _count(weights) -> int:
    return int(sum(w.numel() for w in weights))


def _bytes(weights) -> int:
    return int(sum(w.numel() * w.element_size() for w in weights))


def _human(n: int) -> str:
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= size:
            return "%.2f %s" % (n / size, unit)
    return "%.2f B" % n


def _rows(model, expand_nested: bool, prefix: str = "") -> list:
    rows = []
    for layer in model.layers:
        params = layer.count_params() if layer.built else 0
        rows.append((prefix + "%s (%s)" % (layer.name, type(layer).__name__),
                     _shape_text(layer), "{:,}".format(params) if layer.built else "0 (unbuilt)"))
        if expand_nested and hasattr(layer, "layers") and layer.layers:
            rows.extend(_rows(layer, True, prefix + " "))
    return rows


def print_summary(model, line_length=None, print_fn=None, expand_nested: bool = False,
                  show_trainable: bool = False) -> None:
    """Prints the summary through ``print_fn`` (``print`` by default), one line per call."""
    print_fn = print_fn or print
    rows = [r for r in _rows(model, expand_nested)
            if not r[0].endswith("(InputLayer)")]
    widths = [max([len("Layer (type)")] + [len(r[0]) for r in rows]) + 2,
              max([len("Output Shape")] + [len(r[1]) for r in rows]) + 2,
              max([len("Param #")] + [len(r[2]) for r in rows]) + 2]
    if line_length:
        widths[0] = max(widths[0], line_length - widths[1] - widths[2])
    total_width = sum(widths)
    print_fn('Model: "%s"' % model.name)
    print_fn("=" * total_width)
    print_fn("Layer (type)".ljust(widths[0]) + "Output Shape".ljust(widths[1])
             + "Param #".rjust(widths[2]))
    print_fn("=" * total_width)
    for i, (name, shape, params) in enumerate(rows):
        print_fn(name.ljust(widths[0]) + shape.ljust(widths[1]) + params.rjust(widths[2]))
        print_fn(("=" if i == len(rows) - 1 else "-") * total_width)
    if not rows:
        print_fn("=" * total_width)
    weights = model.torch_weights()
    trainable_ids = {id(w) for w in model.torch_weights(trainable=True)}
    trainable = [w for w in weights if id(w) in trainable_ids]
    frozen = [w for w in weights if id(w) not in trainable_ids]
    print_fn(" Total params: {:,} ({})".format(_count(weights), _human(_bytes(weights))))
    print_fn(" Trainable params: {:,} ({})".format(_count(trainable), _human(_bytes(trainable))))
    print_fn(" Non-trainable params: {:,} ({})".format(_count(frozen), _human(_bytes(frozen))))
    opt = getattr(model, "optimizer", None)
    slots = getattr(opt, "variables", None) if opt is not None else None
    if slots:
        tensors = [s for s in slots if isinstance(s, torch.Tensor)]
        if tensors:
            print_fn(" Optimizer params: {:,} ({})".format(_count(tensors), _human(_bytes(tensors))))
