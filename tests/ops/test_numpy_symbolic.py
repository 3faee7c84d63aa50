"""Symbolic calls: output shapes and dtypes on KerasTensors match Keras's symbolic calls."""
import pytest

from torchkeras import ops
from torchkeras.layers.keras_tensor import KerasTensor


def kt(shape, dtype="float32"):
    return ("kt", shape, dtype)


CASES = [
    ("add", (kt((None, 3)), kt((3,)))), ("add", (kt((None, 3), "int32"), 2.0)),
    ("multiply", (kt((None, 3), "int8"), kt((None, 3), "uint8"))),
    ("divide", (kt((None, 3), "int32"), 2)), ("power", (kt((None, 3), "float16"), 2)),
    ("greater", (kt((None, 3)), 0.5)), ("where", (kt((None, 3), "bool"), kt((None, 3)), 0.0)),
    ("exp", (kt((None, 4), "int32"),)), ("sqrt", (kt((None, 4), "float16"),)),
    ("abs", (kt((None, 4), "int8"),)), ("clip", (kt((None, 4)), 0.0, 1.0)),
    ("matmul", (kt((None, 3, 4)), kt((4, 5)))), ("einsum", ("bij,jk->bik", kt((None, 3, 4)), kt((4, 2)))),
    ("tensordot", (kt((2, 3, 4)), kt((4, 3, 5)), ([1, 2], [1, 0]))),
    ("concatenate", ([kt((None, 3)), kt((None, 2), "int32")], -1)),
    ("stack", ([kt((None, 3)), kt((None, 3))], 1)),
    ("reshape", (kt((4, 6)), (2, -1, 3))), ("transpose", (kt((2, 3, 4)), (2, 0, 1))),
    ("expand_dims", (kt((None, 3)), -1)), ("squeeze", (kt((None, 1, 3)), 1)),
    ("sum", (kt((2, 3, 4), "int8"),), {"axis": (0, -1)}), ("mean", (kt((2, 3), "int32"),), {"axis": -1}),
    ("max", (kt((2, 3)),), {"axis": 0, "keepdims": True}), ("argmax", (kt((2, 3)),), {"axis": -1}),
    ("std", (kt((2, 3)),)), ("cumsum", (kt((2, 3), "bool"),), {"axis": 1}),
    ("take", (kt((5, 4)), kt((2, 3), "int32")), {"axis": 0}),
    ("pad", (kt((None, 3)), ((0, 0), (1, 2)))), ("tile", (kt((2, 3)), (2, 1))),
    ("repeat", (kt((2, 3)), 2), {"axis": 1}), ("flip", (kt((None, 3)),), {"axis": -1}),
    ("tril", (kt((3, 3)),)), ("zeros_like", (kt((None, 3), "int32"),)),
    ("linspace", (kt((3,)), kt((3,)), 5)), ("quantile", (kt((4, 5)), 0.5), {"axis": -1}),
    ("moveaxis", (kt((2, 3, 4)), 0, -1)), ("broadcast_to", (kt((3,)), (2, 3))),
    ("get_item", (kt((None, 4, 5)), (slice(None), 1))),
]


def _build(spec, factory):
    if isinstance(spec, tuple) and len(spec) == 3 and spec[0] == "kt":
        return factory(spec[1], spec[2])
    if isinstance(spec, list):
        return [_build(s, factory) for s in spec]
    return spec


@pytest.mark.keras_oracle
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_symbolic_spec_matches_keras(keras, case):
    name, args = case[0], case[1]
    kwargs = case[2] if len(case) > 2 else {}
    ref = getattr(keras.ops, name)(*[_build(a, lambda s, d: keras.KerasTensor(s, d)) for a in args],
                                   **kwargs)
    ours = getattr(ops, name)(*[_build(a, KerasTensor) for a in args], **kwargs)
    assert isinstance(ours, KerasTensor)
    assert tuple(ours.shape) == tuple(ref.shape), (name, ours.shape, ref.shape)
    assert ours.dtype == ref.dtype, (name, ours.dtype, ref.dtype)
