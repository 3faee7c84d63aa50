"""Xception built as Keras builds it: names, weight order, counts, Keras's weight files."""
import numpy as np
import pytest

from tests.applications.keras_layout_oracle import (BAD_WEIGHTS_ARGUMENTS,
                                                   assert_same_layout,
                                                   assert_same_predictions, fresh_names,
                                                   keras_or_skip, perturb_batchnorm,
                                                   reference, write_keras_files)
from torchkeras import applications
from torchkeras.applications import xception
from torchkeras.datasets._download import DownloadError

SHAPE = (71, 71, 3)   # Keras's minimum


@pytest.fixture(scope="module")
def theirs(tmp_path_factory):
    """Keras's Xception (no top, max pooling), its .weights.h5 and, served as Keras's
    ImageNet file, its legacy .h5 with Keras 2's names (layer groups, weight_names
    attributes)."""
    keras = keras_or_skip()
    fresh_names(keras)
    model = perturb_batchnorm(keras.applications.Xception(
        include_top=False, weights=None, input_shape=SHAPE, pooling="max"))
    folder = tmp_path_factory.mktemp("xception")
    digest = write_keras_files(model, folder, xception.WEIGHTS_FILES[1], keras2_names=True)
    return model, folder, digest, reference(model)


@pytest.mark.keras_oracle
def test_keras_weights_file_loads_with_same_predictions(keras, theirs):
    model, folder, _, ref = theirs
    fresh_names()
    ours = applications.Xception(include_top=False, weights=str(folder / "theirs.weights.h5"),
                                 input_shape=SHAPE, pooling="max")
    assert ours.name == model.name == "xception"
    assert_same_layout(ours, model)
    assert_same_predictions(ours, ref)


@pytest.mark.keras_oracle
def test_imagenet_downloads_checks_and_loads_keras_file(keras, theirs, monkeypatch):
    model, folder, digest, ref = theirs
    monkeypatch.setattr(xception, "WEIGHTS_URL", folder.as_uri() + "/")
    monkeypatch.setattr(xception, "WEIGHTS_HASHES", ("unused", digest))
    ours = applications.xception.Xception(include_top=False, weights="imagenet",
                                          input_shape=SHAPE, pooling="max")
    assert_same_predictions(ours, ref)


def test_imagenet_fetches_keras_file(monkeypatch, closed_port_url):
    monkeypatch.setattr(xception, "WEIGHTS_URL", closed_port_url.rsplit("/", 1)[0] + "/")
    with pytest.raises(DownloadError) as info:
        applications.Xception(weights="imagenet", include_top=False, input_shape=SHAPE)
    assert "xception_weights_tf_dim_ordering_tf_kernels_notop.h5" in str(info.value)


def test_keras_urls_and_digests():
    assert xception.WEIGHTS_URL == ("https://storage.googleapis.com/tensorflow/"
                                    "keras-applications/xception/")
    assert xception.WEIGHTS_HASHES == ("0a58e3b7378bc2990ea3b43d5981f1f6",
                                       "b0042744bf5b25fce3cb969f33bebb97")


@pytest.mark.parametrize("kwargs,match", BAD_WEIGHTS_ARGUMENTS + [
    ({"weights": None, "include_top": False, "input_shape": (70, 71, 3)}, "at least 71x71"),
    ({"weights": "imagenet", "input_shape": (224, 224, 3)}, "should be \\(299, 299, 3\\)"),
    ({"weights": "imagenet", "classifier_activation": "relu"}, "`softmax` activations"),
    ({"weights": None, "include_top": False, "pooling": "mean"}, "pooling"),
])
def test_bad_arguments_raise_before_building(kwargs, match):
    with pytest.raises(ValueError, match=match):
        applications.Xception(**kwargs)


def test_input_tensor_and_count_with_keras_top():
    # The figures Keras reports: 22,910,480 parameters, 54,528 of them non-trainable.
    from torchkeras import Input, layers
    inp = Input((80, 80, 3))
    x = layers.Rescaling(1 / 127.5, offset=-1)(inp)
    model = applications.Xception(weights=None, input_tensor=x)
    assert model.inputs[0] is inp
    assert [l.name for l in model.layers[-2:]] == ["avg_pool", "predictions"]
    assert model.count_params() == 22_910_480
    assert sum(int(np.prod(w.shape)) for w in model.non_trainable_weights) == 54_528
    assert model.output_shape == (None, 1000)
    out = model.predict(np.zeros((1, 80, 80, 3), "float32"), verbose=0)
    np.testing.assert_allclose(out.sum(), 1.0, rtol=1e-5)


def test_preprocess_input_is_tf_mode():
    x = np.array([[[[0.0, 127.5, 255.0]]]])
    np.testing.assert_allclose(xception.preprocess_input(x.copy()), [[[[-1.0, 0.0, 1.0]]]])
