"""RandAugment and AugMix: layer tests, Keras configs, inference, seeding, and outputs
checked against the set of results Keras's own operations can produce."""
import numpy as np
import pytest
import torch

from torchkeras import layers
from torchkeras.ops import convert_to_numpy as _np
from torchkeras.testing import run_layer_test

CF = "channels_first"


CASES = [
    ("RandAugment", {}),
    ("RandAugment", {"value_range": (0, 1), "num_ops": 3, "factor": (0.1, 0.4),
                     "interpolation": "nearest", "seed": 4, "data_format": CF}),
    ("AugMix", {}),
    ("AugMix", {"value_range": (0, 1), "num_chains": 2, "chain_depth": 2, "factor": 0.5,
                "alpha": 0.5, "all_ops": False, "seed": 1, "data_format": CF}),
]
IDS = ["%s-%d" % (c[0], i) for i, c in enumerate(CASES)]


def _input(kwargs, n=4):
    scale = 1.0 if kwargs.get("value_range") == (0, 1) else 255.0
    shape = (n, 3, 8, 9) if kwargs.get("data_format") == CF else (n, 8, 9, 3)
    return torch.rand(*shape) * scale, scale


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_layer_test(name, kwargs):
    x, _ = _input(kwargs, 2)
    run_layer_test(getattr(layers, name), kwargs, input_shape=tuple(x.shape),
                   expected_output_shape=tuple(x.shape), expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_config_matches_keras(check_config_matches_keras, name, kwargs):
    check_config_matches_keras(name, kwargs)


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_inference_identity_range_and_seeding(name, kwargs):
    x, scale = _input(kwargs)
    layer = getattr(layers, name)(**kwargs)
    assert torch.equal(layer(x, training=False), x)
    outs = [layer(x, training=True) for _ in range(4)]
    for y in outs:
        assert y.shape == x.shape and y.min() >= -1e-4 and y.max() <= scale + 1e-3
    assert any(not torch.equal(y, x) for y in outs)
    assert layer(x[0], training=True).shape == x.shape[1:]
    seeded = dict(kwargs, seed=11)
    a, b = getattr(layers, name)(**seeded), getattr(layers, name)(**seeded)
    for _ in range(3):
        assert torch.equal(a(x, training=True), b(x, training=True))


def test_zero_ops_is_identity_and_bad_arguments_raise():
    x = torch.rand(2, 8, 8, 3)
    assert torch.equal(layers.RandAugment(num_ops=0)(x, training=True), x)
    for cls, kwargs, arg in [(layers.RandAugment, {"num_ops": -1}, "num_ops"),
                             (layers.RandAugment, {"factor": 1.5}, "factor"),
                             (layers.RandAugment, {"value_range": 1}, "value_range"),
                             (layers.AugMix, {"num_chains": 0}, "num_chains"),
                             (layers.AugMix, {"chain_depth": 1.5}, "chain_depth"),
                             (layers.AugMix, {"alpha": 0}, "alpha"),
                             (layers.AugMix, {"factor": (0.2, 0.1, 0.3)}, "factor")]:
        with pytest.raises(ValueError, match=arg):
            cls(**kwargs)
    with pytest.raises(ValueError, match="rank"):
        layers.AugMix()(torch.rand(3, 4), training=True)


def _keras_candidates(keras, x):
    """Everything one RandAugment/AugMix operation can give with ``factor=0``: the input
    (zero shear/translation/rotation/brightness/degeneration/contrast), 1-bit
    posterization, full solarization, sharpness 0, auto-contrast and equalization."""
    k = keras.layers
    ops = [k.RandomSharpness((0, 0)), k.RandomPosterization((1, 1)), k.Solarization(),
           k.AutoContrast(), k.Equalization()]
    return [x] + [_np(op(x, training=True)) for op in ops]


def _closest(y, candidates):
    return min(np.abs(y - c).max() for c in candidates)


@pytest.mark.keras_oracle
def test_rand_augment_outputs_are_keras_operations(keras):
    x = np.random.default_rng(0).uniform(0, 255, size=(4, 8, 9, 3)).astype("float32")
    candidates = _keras_candidates(keras, x)
    ours = layers.RandAugment(num_ops=1, factor=0.0)
    ref = keras.layers.RandAugment(num_ops=1, factor=0.0)
    seen = set()
    for _ in range(14):
        y = _np(ours(torch.as_tensor(x), training=True))
        dists = [np.abs(y - c).max() for c in candidates]
        assert min(dists) < 1e-3
        seen.add(int(np.argmin(dists)))
        assert _closest(_np(ref(x, training=True)), candidates) < 1e-3
    assert len(seen) >= 3


@pytest.mark.keras_oracle
def test_aug_mix_is_a_blend_of_input_and_keras_operations(keras):
    x = np.random.default_rng(1).uniform(0, 255, size=(3, 8, 9, 3)).astype("float32")
    diffs = [c - x for c in _keras_candidates(keras, x)[1:]]
    layer = layers.AugMix(num_chains=1, chain_depth=1, factor=0.0)
    checked = 0
    for _ in range(16):
        d = _np(layer(torch.as_tensor(x), training=True)) - x
        if np.abs(d).max() < 1e-3:
            continue                                  # no-op step, or the input itself
        # out = w x + (1 - w) op(x): the change is a multiple in [0, 1] of op(x) - x.
        fits = []
        for c in diffs:
            lam = float((d * c).sum() / max((c * c).sum(), 1e-9))
            fits.append((np.abs(d - lam * c).max(), lam))
        err, lam = min(fits)
        assert err < 1e-2 and -1e-4 <= lam <= 1 + 1e-4
        checked += 1
    assert checked >= 2
