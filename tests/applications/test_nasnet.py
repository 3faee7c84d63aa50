"""NASNet built as Keras builds it: names, weight order, outputs, Keras's files."""
import numpy as np
import pytest

from tests.applications.keras_layout_oracle import (BN_STATS, fresh_names, fresh_pair,
                                                   perturb_batchnorm)
from torchkeras import applications, config
from torchkeras.applications import nasnet
from torchkeras.datasets._download import DownloadError


def _keras_nasnet_mobile(keras, **kwargs):
    # Keras 3 refuses NASNetMobile on its torch backend, though the architecture builds
    # and runs there: call its NASNet with NASNetMobile's arguments.
    from keras.src.applications.nasnet import NASNet
    return NASNet(kwargs.pop("input_shape"), penultimate_filters=1056, num_blocks=4,
                  stem_block_filters=32, skip_reduction=False, filter_multiplier=2,
                  default_size=224, name="nasnet_mobile", **kwargs)


@pytest.fixture(scope="module")
def mobile_pair():
    keras = pytest.importorskip("keras")
    kwargs = dict(weights=None, input_shape=(33, 33, 3), classes=10,
                  classifier_activation=None)
    fresh_names(keras)
    theirs = _keras_nasnet_mobile(keras, **kwargs)
    ours = applications.NASNetMobile(**kwargs)
    perturb_batchnorm(theirs, **BN_STATS)
    return ours, theirs


@pytest.mark.keras_oracle
def test_mobile_layout_and_outputs_match_keras(mobile_pair):
    ours, theirs = mobile_pair
    assert ours.name == "nasnet_mobile"
    assert ours.count_params() == theirs.count_params() == 4_280_286
    # Unnamed layers (ReLUs, paddings, the final pooling) get the same automatic names.
    assert [l.name for l in ours.layers[1:]] == [l.name for l in theirs.layers[1:]]
    assert [tuple(w.shape) for w in ours.get_weights()] == \
        [tuple(w.shape) for w in theirs.get_weights()]
    assert [tuple(w.shape) for w in ours.non_trainable_weights] == \
        [tuple(w.shape) for w in theirs.non_trainable_weights]
    assert ours.output_shape == (None, 10)
    ours.set_weights(theirs.get_weights())
    # An odd size exercises the asymmetric padding of the strided cells.
    x = np.random.default_rng(1).uniform(-1, 1, (2, 33, 33, 3)).astype("float32")
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               rtol=1e-4, atol=1e-4)


@pytest.mark.keras_oracle
def test_mobile_loads_keras_weights_file(mobile_pair, tmp_path):
    ours, theirs = mobile_pair
    rng = np.random.default_rng(2)
    # New values, so a load that did nothing would leave different predictions.
    theirs.set_weights([w + rng.normal(0, 0.05, w.shape).astype("float32")
                        for w in theirs.get_weights()])
    path = str(tmp_path / "theirs.weights.h5")
    theirs.save_weights(path)
    ours.load_weights(path)
    x = rng.uniform(-1, 1, (1, 33, 33, 3)).astype("float32")
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               rtol=1e-4, atol=1e-4)


def test_argument_errors():
    with pytest.raises(ValueError, match="must be static"):
        applications.NASNetLarge(include_top=False, input_shape=(None, None, 3))
    with pytest.raises(ValueError, match="`classes` should be 1000"):
        applications.NASNetMobile(classes=10)
    with pytest.raises(ValueError, match="should be \\(331, 331, 3\\)"):
        applications.NASNetLarge(input_shape=(224, 224, 3))
    with pytest.raises(ValueError, match="at least 32x32"):
        applications.NASNetMobile(include_top=False, weights=None, input_shape=(31, 31, 3))
    with pytest.raises(ValueError, match="penultimate_filters"):
        nasnet.build_nasnet((64, 64, 3), penultimate_filters=100, num_blocks=1,
                            stem_block_filters=8, skip_reduction=False, filter_multiplier=2,
                            include_top=False, weights=None, input_tensor=None, pooling=None,
                            classes=1000, default_size=224, classifier_activation=None,
                            name="nasnet")
    previous = config.image_data_format()
    config.set_image_data_format("channels_first")
    try:
        with pytest.raises(ValueError, match="channels_first"):
            applications.NASNetMobile(include_top=False, weights=None)
    finally:
        config.set_image_data_format(previous)


@pytest.mark.parametrize("size,top,fname", [("mobile", True, "NASNet-mobile.h5"),
                                            ("large", False, "NASNet-large-no-top.h5")])
def test_imagenet_fetches_keras_file(monkeypatch, closed_port_url, size, top, fname):
    monkeypatch.setattr(nasnet, "WEIGHTS_URL", closed_port_url.rsplit("/", 1)[0] + "/")
    with pytest.raises(DownloadError) as info:
        nasnet.fetch_keras_weights(size, top)
    assert fname in str(info.value)


def test_preprocess_input_is_tf_mode():
    x = np.array([[[[0.0, 127.5, 255.0]]]], "float32")
    np.testing.assert_allclose(nasnet.preprocess_input(x), [[[[-1.0, 0.0, 1.0]]]])


@pytest.mark.slow
@pytest.mark.keras_oracle
def test_large_matches_keras(keras):
    ours, theirs = fresh_pair(keras, "NASNetLarge", include_top=False, weights=None,
                              input_shape=(64, 64, 3))
    assert ours.count_params() == theirs.count_params()
    assert [l.name for l in ours.layers[1:]] == [l.name for l in theirs.layers[1:]]
