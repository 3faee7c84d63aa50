"""InceptionV3 built as Keras builds it: automatic layer names, weight order, Keras's files."""
import numpy as np
import pytest

from tests.applications.keras_layout_oracle import (BAD_WEIGHTS_ARGUMENTS,
                                                   assert_same_layout,
                                                   assert_same_predictions, fresh_names,
                                                   keras_or_skip, perturb_batchnorm,
                                                   reference, write_keras_files)
from torchkeras import applications
from torchkeras.applications import inception_v3
from torchkeras.datasets._download import DownloadError

SHAPE = (75, 75, 3)   # Keras's minimum


@pytest.fixture(scope="module")
def theirs(tmp_path_factory):
    """Keras's InceptionV3 (no top, average pooling), its .weights.h5 and, served as
    Keras's ImageNet file, its legacy .h5."""
    keras = keras_or_skip()
    fresh_names(keras)
    model = perturb_batchnorm(keras.applications.InceptionV3(
        include_top=False, weights=None, input_shape=SHAPE, pooling="avg"))
    folder = tmp_path_factory.mktemp("inception_v3")
    digest = write_keras_files(model, folder, inception_v3.WEIGHTS_FILES[1], keras2_names=True)
    return model, folder, digest, reference(model)


@pytest.mark.keras_oracle
def test_keras_weights_file_loads_with_same_predictions(keras, theirs):
    model, folder, _, ref = theirs
    fresh_names()
    ours = applications.InceptionV3(include_top=False, input_shape=SHAPE, pooling="avg",
                                    weights=str(folder / "theirs.weights.h5"))
    assert ours.name == model.name == "inception_v3"
    # Every convolution, batch norm and activation is unnamed: conv2d ... conv2d_93.
    assert ours.layers[-2].name == "mixed10" and ours.get_layer("conv2d_93") is not None
    assert_same_layout(ours, model)
    assert_same_predictions(ours, ref)


@pytest.mark.keras_oracle
def test_imagenet_downloads_checks_and_loads_keras_file(keras, theirs, monkeypatch):
    model, folder, digest, ref = theirs
    monkeypatch.setattr(inception_v3, "WEIGHTS_URL", folder.as_uri() + "/")
    monkeypatch.setattr(inception_v3, "WEIGHTS_HASHES", ("unused", digest))
    ours = applications.inception_v3.InceptionV3(include_top=False, weights="imagenet",
                                                 input_shape=SHAPE, pooling="avg")
    assert_same_predictions(ours, ref)


@pytest.mark.keras_oracle
def test_wrong_digest_is_refused(keras, theirs, monkeypatch):
    _, folder, _, _ = theirs
    monkeypatch.setattr(inception_v3, "WEIGHTS_URL", folder.as_uri() + "/")
    monkeypatch.setattr(inception_v3, "WEIGHTS_HASHES", ("unused", "0" * 32))
    with pytest.raises(Exception, match="(?i)hash|corrupt|integrity"):
        inception_v3.fetch_keras_weights(include_top=False)


def test_imagenet_fetches_keras_file(monkeypatch, closed_port_url):
    monkeypatch.setattr(inception_v3, "WEIGHTS_URL", closed_port_url.rsplit("/", 1)[0] + "/")
    with pytest.raises(DownloadError) as info:
        applications.InceptionV3(weights="imagenet")
    assert "inception_v3_weights_tf_dim_ordering_tf_kernels.h5" in str(info.value)


def test_keras_urls_and_digests():
    assert inception_v3.WEIGHTS_URL == ("https://storage.googleapis.com/tensorflow/"
                                        "keras-applications/inception_v3/")
    assert inception_v3.WEIGHTS_HASHES == ("9a0d58056eeedaa3f26cb7ebd46da564",
                                           "bcbd6486424b2319ff4ef7d526e38f63")


@pytest.mark.parametrize("kwargs,match", BAD_WEIGHTS_ARGUMENTS + [
    ({"weights": None, "include_top": False, "input_shape": (74, 80, 3)}, "at least 75x75"),
    ({"weights": None, "include_top": True, "input_shape": (None, None, 3)}, "static"),
    ({"weights": "imagenet", "include_top": False, "input_shape": (80, 80, 1)}, "3 channels"),
])
def test_bad_arguments_raise_before_building(kwargs, match):
    with pytest.raises(ValueError, match=match):
        applications.InceptionV3(**kwargs)


def test_count_with_keras_top():
    # The figures Keras reports: 23,851,784 parameters, 34,432 of them non-trainable.
    model = applications.InceptionV3(weights=None, input_shape=SHAPE)
    assert model.count_params() == 23_851_784
    assert sum(int(np.prod(w.shape)) for w in model.non_trainable_weights) == 34_432
    assert [l.name for l in model.layers[-2:]] == ["avg_pool", "predictions"]
    # Batch norms without scale, as in Keras: beta, moving mean, moving variance.
    bn = next(l for l in model.layers if type(l).__name__ == "BatchNormalization")
    assert bn.scale is False and len(bn.get_weights()) == 3
