"""MixUp and CutMix: the mixing invariants (images and labels mixed by the same weights),
their distributions, seeding, inference behaviour, and configs against Keras 3."""
import numpy as np
import pytest
import torch
from scipy import stats

from torchkeras import layers
from torchkeras.layers.preprocessing.mixing_ops import sample_beta
from torchkeras.testing import run_layer_test

CF = "channels_first"


def _data(b=16, h=8, w=10, c=3, data_format=None):
    shape = (b, h, w, c) if data_format is None else (b, c, h, w)
    return {"images": torch.rand(*shape), "labels": torch.eye(b)}


CASES = [("MixUp", {}), ("MixUp", {"alpha": 0.8, "seed": 1, "data_format": CF}),
         ("CutMix", {}), ("CutMix", {"factor": (0.3, 0.6), "seed": 2, "data_format": CF})]
IDS = ["%s-%d" % (c[0], i) for i, c in enumerate(CASES)]


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_layer_test(name, kwargs):
    shape = (4, 3, 6, 5) if kwargs.get("data_format") == CF else (4, 6, 5, 3)
    run_layer_test(getattr(layers, name), kwargs, input_shape=shape,
                   expected_output_shape=shape, expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_config_matches_keras(check_config_matches_keras, name, kwargs):
    check_config_matches_keras(name, kwargs)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name", ["MixUp", "CutMix"])
def test_outputs_have_keras_structure(keras, name):
    x = np.random.default_rng(0).uniform(size=(4, 6, 5, 3)).astype("float32")
    labels = np.eye(4, dtype="float32")
    k = getattr(keras.layers, name)()({"images": x, "labels": labels})
    ours = getattr(layers, name)()({"images": torch.as_tensor(x), "labels": torch.eye(4)})
    assert set(ours) == set(k)
    for key in k:
        assert tuple(ours[key].shape) == tuple(k[key].shape)
        assert str(ours[key].dtype).split(".")[-1] == str(k[key].dtype).split(".")[-1]
        # both keep each row of labels a distribution
        if key == "labels":
            np.testing.assert_allclose(ours[key].sum(1).numpy(), 1.0, atol=1e-5)


@pytest.mark.parametrize("name", ["MixUp", "CutMix"])
def test_identity_at_inference_and_seeded_reproducibility(name):
    data = _data()
    out = getattr(layers, name)()(data, training=False)
    assert torch.equal(out["images"], data["images"]) and torch.equal(out["labels"], data["labels"])
    a = getattr(layers, name)(seed=5)(data)
    b = getattr(layers, name)(seed=5)(data)
    c = getattr(layers, name)(seed=6)(data)
    assert torch.equal(a["images"], b["images"]) and torch.equal(a["labels"], b["labels"])
    assert not torch.equal(a["images"], c["images"])
    single = getattr(layers, name)(seed=1)({"images": data["images"][0],
                                             "labels": data["labels"][0]})
    torch.testing.assert_close(single["images"], data["images"][0])


def _partner(labels_out, i):
    """Index of the image mixed into image ``i`` (labels are one-hot rows of eye(B))."""
    row = labels_out[i].clone()
    if row[i] > 0.999999:
        return i
    row[i] = 0
    return int(row.argmax())


# ---------------------------------------------------------------- MixUp
@pytest.mark.parametrize("data_format", [None, CF])
def test_mixup_images_and_labels_share_the_weights(data_format):
    data = _data(data_format=data_format)
    out = layers.MixUp(alpha=0.5, seed=3, data_format=data_format)(data, training=True)
    x, y = data["images"], out["images"]
    partners = []
    for i in range(16):
        j = _partner(out["labels"], i)
        partners.append(j)
        lam = out["labels"][i, i] if j != i else torch.tensor(1.0)
        torch.testing.assert_close(y[i], lam * x[i] + (1 - lam) * x[j], atol=1e-5, rtol=0)
        if j != i:
            torch.testing.assert_close(out["labels"][i].sum(), torch.tensor(1.0))
    assert sorted(partners) == list(range(16))            # a permutation of the batch


def test_mixup_masks_and_boxes():
    layer = layers.MixUp(seed=2, bounding_box_format="xyxy")
    data = {"images": torch.rand(4, 6, 6, 3), "labels": torch.eye(4),
            "segmentation_masks": torch.rand(4, 6, 6, 1),
            "bounding_boxes": {"boxes": torch.rand(4, 2, 4), "labels": torch.arange(8).view(4, 2)}}
    out = layer(data, training=True)
    for i in range(4):
        # the appended boxes name the partner exactly (label weights may round to 1)
        j = int(out["bounding_boxes"]["labels"][i, 2]) // 2
        lam = out["labels"][i, i] if j != i else torch.tensor(1.0)
        torch.testing.assert_close(out["images"][i],
                                   lam * data["images"][i] + (1 - lam) * data["images"][j])
        torch.testing.assert_close(out["segmentation_masks"][i],
                                   lam * data["segmentation_masks"][i]
                                   + (1 - lam) * data["segmentation_masks"][j])
        box_labels = data["bounding_boxes"]["labels"]
        assert out["bounding_boxes"]["labels"][i].tolist() == \
            box_labels[i].tolist() + box_labels[j].tolist()
    assert out["bounding_boxes"]["boxes"].shape == (4, 4, 4)


@pytest.mark.parametrize("alpha", [0.2, 1.0, 3.0])
def test_beta_draws_follow_the_beta_distribution(alpha):
    gen = torch.Generator().manual_seed(0)
    draws = sample_beta((20000,), alpha, gen, torch.device("cpu")).numpy()
    assert np.isfinite(draws).all() and draws.min() >= 0 and draws.max() <= 1
    # KS distance over the 5%..95% quantiles: float32 rounds ~2% of Beta(0.2, 0.2) draws to
    # exactly 0 or 1, which a plain KS test would count as a jump at the ends.
    levels = np.linspace(0.05, 0.95, 19)
    cdf_at_quantiles = stats.beta(alpha, alpha).cdf(np.quantile(draws, levels))
    assert np.abs(cdf_at_quantiles - levels).max() < 0.015
    assert abs(draws.mean() - 0.5) < 0.01
    assert abs(draws.var() - 1 / (4 * (2 * alpha + 1))) < 0.01


def test_beta_with_tiny_alpha_is_finite_and_near_zero_or_one():
    gen = torch.Generator().manual_seed(0)
    draws = sample_beta((2000,), torch.tensor(1e-6), gen, torch.device("cpu"))
    assert torch.isfinite(draws).all()
    assert float(((draws < 1e-3) | (draws > 1 - 1e-3)).float().mean()) > 0.99


def test_mixup_bad_alpha():
    for bad in (0, -1.0, "x", None):
        with pytest.raises(ValueError, match="alpha"):
            layers.MixUp(alpha=bad)


# ---------------------------------------------------------------- CutMix
@pytest.mark.parametrize("data_format", [None, CF])
def test_cutmix_pixel_fraction_equals_label_weight(data_format):
    b, h, w = 32, 12, 14
    data = _data(b, h, w, data_format=data_format)
    out = layers.CutMix(seed=4, data_format=data_format)(data, training=True)
    x, y = data["images"], out["images"]
    if data_format == CF:
        x, y = x.permute(0, 2, 3, 1), y.permute(0, 2, 3, 1)
    mixed = 0
    for i in range(b):
        j = _partner(out["labels"], i)
        if j == i:
            assert torch.equal(y[i], x[i])
            continue
        pasted = (y[i] == x[j]).all(-1)
        kept = (y[i] == x[i]).all(-1)
        assert bool((pasted | kept).all())
        rows, cols = pasted.any(1), pasted.any(0)
        assert int(pasted.sum()) == int(rows.sum()) * int(cols.sum())   # a rectangle
        frac = float(pasted.float().mean())
        np.testing.assert_allclose(float(out["labels"][i, j]), frac, atol=1e-6)
        np.testing.assert_allclose(float(out["labels"][i, i]), 1 - frac, atol=1e-6)
        mixed += frac > 0
    assert mixed > b // 4


def test_cutmix_area_follows_beta_of_the_factor():
    # factor (1, 1): alpha = 1, so the pasted area fraction 1 - w with w ~ Beta(1, 1) is
    # uniform on [0, 1] up to pixel rounding.
    x = torch.rand(1, 40, 40, 1).expand(2000, 40, 40, 1).contiguous()
    x[1::2] += 2.0
    data = {"images": x, "labels": torch.eye(2).repeat(1000, 1)}
    out = layers.CutMix(factor=(1.0, 1.0), seed=0)(data, training=True)
    pasted = 1 - out["labels"][torch.arange(2000), torch.arange(2000) % 2]
    moved = (out["images"] != x).flatten(1).any(1)
    area = pasted[moved].numpy()
    assert abs(area.mean() - 0.5) < 0.04 and 0.22 < area.std() < 0.35


def test_cutmix_masks_follow_images_and_boxes_are_unsupported():
    layer = layers.CutMix(seed=1, bounding_box_format="xyxy")
    imgs = torch.rand(6, 8, 8, 1)
    out = layer({"images": imgs, "segmentation_masks": imgs.clone()}, training=True)
    assert torch.equal(out["images"], out["segmentation_masks"])
    with pytest.raises(NotImplementedError):
        layer({"images": imgs, "bounding_boxes": {"boxes": torch.rand(6, 1, 4),
                                                  "labels": torch.ones(6, 1)}}, training=True)


def test_cutmix_bad_factor():
    for bad in (1.5, (0.1, 0.2, 0.3), "a"):
        with pytest.raises(ValueError, match="factor"):
            layers.CutMix(factor=bad)


# ---------------------------------------------------------------- distributions vs Keras
@pytest.mark.keras_oracle
@pytest.mark.parametrize("name,kwargs", [("MixUp", {"alpha": 0.2}), ("MixUp", {"alpha": 1.0}),
                                         ("CutMix", {"factor": (0.5, 0.5)}),
                                         ("CutMix", {"factor": (1.0, 1.0)})])
def test_label_weight_distribution_matches_keras(keras, name, kwargs):
    n = 512
    images = np.random.default_rng(0).uniform(size=(n, 32, 32, 1)).astype("float32")
    labels = np.eye(2, dtype="float32")[np.arange(n) % 2]
    k = getattr(keras.layers, name)(seed=3, **kwargs)({"images": images, "labels": labels})
    ours = getattr(layers, name)(seed=3, **kwargs)({"images": torch.as_tensor(images),
                                                     "labels": torch.as_tensor(labels)})
    own = [np.asarray(out["labels"].cpu())[np.arange(n), np.arange(n) % 2]
           for out in (k, ours)]
    # own-class weight: 1 - (1 - lam) * P(partner of the other class)
    assert abs(own[0].mean() - own[1].mean()) < 0.04
    assert abs(own[0].std() - own[1].std()) < 0.04
