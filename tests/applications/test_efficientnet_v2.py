"""EfficientNetV2 built as Keras builds it: names, weight order, outputs, Keras's files."""
import hashlib

import numpy as np
import pytest

from tests.applications.keras_layout_oracle import (BN_STATS, assert_same_layout, fresh_pair,
                                                   perturb_batchnorm)
from torchkeras import applications
from torchkeras.applications import efficientnet_v2
from torchkeras.datasets._download import DownloadError

SMALL = dict(include_top=False, weights=None, input_shape=(32, 32, 3), pooling="avg")


def _assert_same_layout(ours, theirs):
    assert ours.name == theirs.name
    assert_same_layout(ours, theirs)
    # Batch-norm moving statistics are the non-trainable weights in both.
    assert [tuple(w.shape) for w in ours.non_trainable_weights] == \
        [tuple(w.shape) for w in theirs.non_trainable_weights]


def _assert_same_outputs(ours, theirs, low=0.0, high=255.0):
    x = np.random.default_rng(1).uniform(low, high, (2, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               rtol=1e-4, atol=1e-4)


@pytest.fixture(scope="module")
def b0_pair():
    keras = pytest.importorskip("keras")
    ours, theirs = fresh_pair(keras, "EfficientNetV2B0", **SMALL)
    perturb_batchnorm(theirs, **BN_STATS)
    return ours, theirs


@pytest.mark.keras_oracle
def test_b0_layout_and_outputs_match_keras(b0_pair):
    ours, theirs = b0_pair
    _assert_same_layout(ours, theirs)
    assert ours.count_params() == 5_919_312
    # The B variants normalize raw pixels inside (Rescaling, then fixed Normalization).
    assert [type(l).__name__ for l in ours.layers[1:3]] == ["Rescaling", "Normalization"]
    ours.set_weights(theirs.get_weights())
    _assert_same_outputs(ours, theirs)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("legacy", [False, True])
def test_b0_loads_keras_weight_files(b0_pair, tmp_path, monkeypatch, legacy):
    _, theirs = b0_pair
    if legacy:
        # Served as Keras's ImageNet file: weights="imagenet" downloads, md5-checks, loads.
        import h5py
        from keras.src.legacy.saving import legacy_h5_format
        served = tmp_path / "server"
        served.mkdir()
        path = served / "efficientnetv2-b0_notop.h5"
        with h5py.File(str(path), "w") as f:
            legacy_h5_format.save_weights_to_hdf5_group(f, theirs)
        digest = hashlib.md5(path.read_bytes()).hexdigest()
        monkeypatch.setattr(efficientnet_v2, "WEIGHTS_URL", served.as_uri() + "/")
        monkeypatch.setitem(efficientnet_v2.WEIGHTS_HASHES, "b0", ("unused", digest))
        weights = "imagenet"
    else:
        weights = str(tmp_path / "theirs.weights.h5")
        theirs.save_weights(weights)
    ours = applications.EfficientNetV2B0(**{**SMALL, "weights": weights})
    _assert_same_outputs(ours, theirs)


@pytest.mark.keras_oracle
def test_b3_with_top_and_without_preprocessing_matches_keras(keras):
    # B3 scales widths by 1.2 (rounded to multiples of 8) and depths by 1.4 (rounded up).
    ours, theirs = fresh_pair(keras, "EfficientNetV2B3", weights=None, classes=10,
                              input_shape=(32, 32, 3), include_preprocessing=False,
                              classifier_activation=None)
    _assert_same_layout(ours, theirs)
    assert ours.output_shape == (None, 10)
    assert ours.layers[1].name == "stem_conv"   # no preprocessing layers
    perturb_batchnorm(theirs, **BN_STATS)
    ours.set_weights(theirs.get_weights())
    _assert_same_outputs(ours, theirs, -1.0, 1.0)


def test_argument_errors():
    with pytest.raises(ValueError, match="`classes` should be 1000"):
        applications.EfficientNetV2B0(weights="imagenet", classes=10)
    with pytest.raises(ValueError, match="weights"):
        applications.EfficientNetV2S(weights="no/such/file.h5")
    with pytest.raises(ValueError, match="at least 32x32"):
        applications.EfficientNetV2B1(include_top=False, weights=None, input_shape=(16, 16, 3))
    with pytest.raises(ValueError, match="static `input_shape`"):
        applications.EfficientNetV2B2(weights=None, input_shape=(None, None, 3))
    with pytest.raises(ValueError, match="should be \\(384, 384, 3\\)"):
        applications.EfficientNetV2S(input_shape=(224, 224, 3))
    with pytest.raises(ValueError, match="classifier_activation"):
        applications.EfficientNetV2M(classifier_activation="relu")
    with pytest.raises(ValueError, match="pooling"):
        applications.EfficientNetV2L(include_top=False, weights=None, pooling="sum")


@pytest.mark.parametrize("variant,fname", [("-s", "efficientnetv2-s.h5"),
                                           ("b2", "efficientnetv2-b2_notop.h5")])
def test_imagenet_fetches_keras_file(monkeypatch, closed_port_url, variant, fname):
    monkeypatch.setattr(efficientnet_v2, "WEIGHTS_URL", closed_port_url.rsplit("/", 1)[0] + "/")
    with pytest.raises(DownloadError) as info:
        efficientnet_v2.fetch_keras_weights(variant, include_top=fname.endswith("-s.h5"))
    assert fname in str(info.value)


def test_module_helpers():
    x = np.full((1, 2, 2, 3), 200.0, "float32")
    assert efficientnet_v2.preprocess_input(x) is x
    assert [efficientnet_v2.round_filters(f, 1.2) for f in (32, 16, 1280)] == [40, 16, 1536]
    assert applications.EfficientNetV2B0 is efficientnet_v2.EfficientNetV2B0


@pytest.mark.slow
@pytest.mark.keras_oracle
@pytest.mark.parametrize("name", ["EfficientNetV2B1", "EfficientNetV2B2", "EfficientNetV2S",
                                  "EfficientNetV2M", "EfficientNetV2L"])
def test_other_variants_match_keras(keras, name):
    ours, theirs = fresh_pair(keras, name, **SMALL)
    _assert_same_layout(ours, theirs)
