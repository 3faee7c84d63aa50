"""Ops called on KerasTensors give Keras's output shapes and dtypes."""
import pytest

import torchkeras
from torchkeras import ops

# (family, name, input shapes, extra args, kwargs)
SYMBOLIC = [
    ("nn", "relu", [(None, 8)], (), {}),
    ("nn", "softmax", [(None, 4, 8)], (), {"axis": 1}),
    ("nn", "conv", [(None, 16, 16, 3), (3, 3, 3, 8)], (2, "same"), {}),
    ("nn", "depthwise_conv", [(None, 16, 16, 3), (3, 3, 3, 2)], (), {}),
    ("nn", "conv_transpose", [(None, 8, 8, 3), (3, 3, 5, 3)], (2, "same"), {}),
    ("nn", "max_pool", [(None, 16, 16, 3)], (3, 2, "same"), {}),
    ("nn", "average_pool", [(None, 10, 4)], (2,), {}),
    ("nn", "moments", [(None, 6, 4)], ([1],), {}),
    ("nn", "layer_normalization", [(None, 6, 4)], (), {}),
    ("nn", "dot_product_attention", [(None, 5, 2, 8), (None, 7, 2, 8), (None, 7, 2, 8)],
     (), {}),
    ("math", "logsumexp", [(None, 6, 4)], (), {"axis": -1}),
    ("math", "top_k", [(None, 10)], (3,), {}),
    ("math", "rfft", [(None, 16)], (), {}),
    ("math", "stft", [(None, 64)], (16, 8, 16), {}),
    ("math", "extract_sequences", [(None, 20)], (5, 3), {}),
    ("linalg", "norm", [(None, 4, 3)], (), {"axis": -1}),
    ("linalg", "qr", [(None, 5, 3)], (), {}),
    ("image", "resize", [(None, 16, 16, 3)], ((8, 4),), {}),
    ("image", "rgb_to_grayscale", [(None, 16, 16, 3)], (), {}),
    ("image", "extract_patches", [(None, 16, 16, 3)], (4,), {}),
    ("core", "cast", [(None, 3)], ("int32",), {}),
    ("core", "slice", [(4, 6)], ((1, 2), (2, 3)), {}),
]


def _fn(module, family, name):
    return getattr(module, name) if family in ("core", "math") else getattr(
        getattr(module, family), name)


def _specs(out):
    if isinstance(out, (list, tuple)):
        return [s for o in out for s in _specs(o)]
    return [(tuple(out.shape), str(out.dtype).replace("torch.", ""))]


@pytest.mark.keras_oracle
@pytest.mark.parametrize("case", SYMBOLIC, ids=[c[1] for c in SYMBOLIC])
def test_symbolic_specs_match_keras(keras, case):
    family, name, shapes, args, kwargs = case
    ours_in = [torchkeras.Input(batch_shape=s) for s in shapes]
    theirs_in = [keras.Input(batch_shape=s) for s in shapes]
    ours = _fn(ops, family, name)(*ours_in, *args, **kwargs)
    theirs = _fn(keras.ops, family, name)(*theirs_in, *args, **kwargs)
    ours_specs = _specs(ours)
    theirs_specs = [(tuple(s), keras.backend.standardize_dtype(d))
                    for s, d in _specs(theirs)]
    if name == "top_k":
        # Keras's symbolic spec says int32 indices, its torch runtime returns int64; ours
        # follows the runtime in both modes.
        ours_specs, theirs_specs = ours_specs[:1], theirs_specs[:1]
        assert _specs(ours)[1] == ((None, 3), "int64")
    assert ours_specs == theirs_specs


def test_symbolic_op_builds_a_working_model():
    inputs = torchkeras.Input((8, 8, 3))
    y = ops.image.resize(ops.nn.relu(inputs), (4, 4))
    y = ops.logsumexp(y, axis=(1, 2))
    model = torchkeras.Model(inputs, y)
    import torch
    x = torch.randn(2, 8, 8, 3)
    expected = ops.logsumexp(ops.image.resize(torch.relu(x), (4, 4)), axis=(1, 2))
    torch.testing.assert_close(model(x), expected)
