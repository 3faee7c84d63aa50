"""InceptionResNetV2 built as Keras builds it: names, weight order, Keras's weight files."""
import numpy as np
import pytest
import torch

from tests.applications.keras_layout_oracle import (BAD_WEIGHTS_ARGUMENTS,
                                                   assert_same_layout,
                                                   assert_same_predictions, fresh_names,
                                                   keras_or_skip, perturb_batchnorm,
                                                   reference, write_keras_files)
from torchkeras import applications
from torchkeras.applications import inception_resnet_v2
from torchkeras.applications.inception_resnet_v2 import CustomScaleLayer
from torchkeras.datasets._download import DownloadError

SHAPE = (75, 75, 3)   # Keras's minimum


@pytest.fixture(scope="module")
def theirs(tmp_path_factory):
    """Keras's InceptionResNetV2 (no top, no pooling: 4D features) and, served as Keras's
    ImageNet file, its legacy .h5. (Loading a .weights.h5 goes through the same
    ``Model.load_weights`` as in the other families' tests; this model is too slow to
    build twice here.)"""
    keras = keras_or_skip()
    fresh_names(keras)
    model = perturb_batchnorm(keras.applications.InceptionResNetV2(
        include_top=False, weights=None, input_shape=SHAPE))
    folder = tmp_path_factory.mktemp("inception_resnet_v2")
    digest = write_keras_files(model, folder, inception_resnet_v2.WEIGHTS_FILES[1],
                               weights_h5=False)
    return model, folder, digest, reference(model)


@pytest.mark.keras_oracle
def test_imagenet_file_loads_with_same_layout_and_predictions(keras, theirs, monkeypatch):
    model, folder, digest, ref = theirs
    monkeypatch.setattr(inception_resnet_v2, "WEIGHTS_URL", folder.as_uri() + "/")
    monkeypatch.setattr(inception_resnet_v2, "WEIGHTS_HASHES", ("unused", digest))
    fresh_names()
    ours = applications.inception_resnet_v2.InceptionResNetV2(
        include_top=False, weights="imagenet", input_shape=SHAPE)
    assert ours.name == model.name == "inception_resnet_v2"
    assert ours.output_shape == model.output_shape == (None, 1, 1, 1536)
    scales = [l for l in ours.layers if isinstance(l, CustomScaleLayer)]
    assert [l.name for l in scales[:2]] == ["custom_scale_layer", "custom_scale_layer_1"]
    assert [l.scale for l in scales[::10]] == [0.17, 0.1, 0.1, 0.2]
    assert_same_layout(ours, model)
    assert_same_predictions(ours, ref)


@pytest.mark.keras_oracle
def test_custom_scale_layer_matches_keras(keras):
    from keras.src.applications.inception_resnet_v2 import CustomScaleLayer as KerasScale
    a, b = np.ones((2, 3), "float32"), np.full((2, 3), 2.0, "float32")
    ours, theirs = CustomScaleLayer(0.17, name="s"), KerasScale(0.17, name="s")
    np.testing.assert_allclose(ours([torch.tensor(a), torch.tensor(b)]).numpy(),
                               keras.ops.convert_to_numpy(theirs([a, b])), rtol=1e-6)
    config = ours.get_config()
    assert config["scale"] == theirs.get_config()["scale"] == 0.17
    assert CustomScaleLayer.from_config(config).scale == 0.17


def test_custom_scale_layer_saves_and_loads(tmp_path):
    from torchkeras import Input, Model, layers
    from torchkeras.models import load_model
    inp = Input((4,))
    out = CustomScaleLayer(0.2)([inp, layers.Dense(4)(inp)])
    model = Model(inp, out)
    model.save(str(tmp_path / "m.keras"))
    loaded = load_model(str(tmp_path / "m.keras"))
    assert isinstance(loaded.layers[-1], CustomScaleLayer) and loaded.layers[-1].scale == 0.2
    x = np.random.default_rng(0).normal(size=(2, 4)).astype("float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_imagenet_fetches_keras_file(monkeypatch, closed_port_url):
    monkeypatch.setattr(inception_resnet_v2, "WEIGHTS_URL",
                        closed_port_url.rsplit("/", 1)[0] + "/")
    for include_top, index in ((False, 1), (True, 0)):
        with pytest.raises(DownloadError) as info:
            inception_resnet_v2.fetch_keras_weights(include_top)
        assert inception_resnet_v2.WEIGHTS_FILES[index] in str(info.value)
    assert inception_resnet_v2.WEIGHTS_FILES[1] == \
        "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5"


def test_keras_urls_and_digests():
    assert inception_resnet_v2.WEIGHTS_URL == ("https://storage.googleapis.com/tensorflow/"
                                               "keras-applications/inception_resnet_v2/")
    assert inception_resnet_v2.WEIGHTS_HASHES == ("e693bd0210a403b3192acc6073ad2e96",
                                                  "d19885ff4a710c122648d3b5c3b684e4")


@pytest.mark.parametrize("kwargs,match", BAD_WEIGHTS_ARGUMENTS + [
    ({"weights": None, "include_top": False, "input_shape": (75, 74, 3)}, "at least 75x75"),
    ({"weights": None, "input_tensor": np.zeros((1, 75, 75, 3))}, "symbolic tensor"),
])
def test_bad_arguments_raise_before_building(kwargs, match):
    with pytest.raises(ValueError, match=match):
        applications.InceptionResNetV2(**kwargs)


def test_unknown_block_type():
    from torchkeras import Input
    with pytest.raises(ValueError, match="block35"):
        inception_resnet_v2.inception_resnet_block(Input((8, 8, 4)), 0.1, "block99", 1)
