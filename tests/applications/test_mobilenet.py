"""MobileNet built as Keras builds it: names, weight order, Keras's per-size weight files."""
import numpy as np
import pytest

from tests.applications.keras_layout_oracle import (BAD_WEIGHTS_ARGUMENTS,
                                                   assert_same_layout,
                                                   assert_same_predictions, fresh_names,
                                                   keras_or_skip, perturb_batchnorm,
                                                   reference, write_keras_files)
from torchkeras import applications
from torchkeras.applications import mobilenet
from torchkeras.datasets._download import DownloadError

SHAPE = (128, 128, 3)   # one of the sizes Keras publishes weights for
SMALL = dict(alpha=0.25, input_shape=SHAPE, classifier_activation=None)


@pytest.fixture(scope="module")
def theirs(tmp_path_factory):
    """Keras's MobileNet 0.25 with its 1000-class top, its .weights.h5 and, served as
    Keras's ImageNet file for that alpha and size, its legacy .h5."""
    keras = keras_or_skip()
    fresh_names(keras)
    model = perturb_batchnorm(keras.applications.MobileNet(weights=None, **SMALL),
                              mean_std=0.001, var_range=(0.01, 0.05))
    folder = tmp_path_factory.mktemp("mobilenet")
    write_keras_files(model, folder, "mobilenet_2_5_128_tf.h5")
    return model, folder, reference(model)


@pytest.mark.keras_oracle
def test_keras_weights_file_loads_with_same_predictions(keras, theirs):
    model, folder, ref = theirs
    fresh_names()
    ours = applications.MobileNet(weights=str(folder / "theirs.weights.h5"), **SMALL)
    assert ours.name == model.name == "mobilenet_0.25_128"
    assert [l.name for l in ours.layers[-5:]] == [
        "global_average_pooling2d", "dropout", "conv_preds", "reshape_2", "predictions"]
    assert_same_layout(ours, model)
    assert_same_predictions(ours, ref)


@pytest.mark.keras_oracle
def test_imagenet_loads_keras_file_for_alpha_and_size(keras, theirs, monkeypatch):
    model, folder, ref = theirs
    monkeypatch.setattr(mobilenet, "WEIGHTS_URL", folder.as_uri() + "/")
    ours = applications.mobilenet.MobileNet(weights="imagenet", **SMALL)
    assert_same_predictions(ours, ref)


@pytest.mark.keras_oracle
def test_multipliers_and_pooling_match_keras(keras):
    kwargs = dict(include_top=False, weights=None, input_shape=(40, 48, 3), alpha=0.5,
                  depth_multiplier=2, pooling="max")
    fresh_names(keras)
    theirs = keras.applications.MobileNet(**kwargs)
    ours = applications.MobileNet(**kwargs)
    assert ours.name == theirs.name == "mobilenet_0.50_40"
    assert ours.output_shape == theirs.output_shape == (None, 512)
    assert_same_layout(ours, theirs)


def test_imagenet_falls_back_to_224_file_with_keras_warning(monkeypatch, closed_port_url):
    monkeypatch.setattr(mobilenet, "WEIGHTS_URL", closed_port_url.rsplit("/", 1)[0] + "/")
    with pytest.warns(UserWarning, match="Weights for input shape \\(224, 224\\)"):
        with pytest.raises(DownloadError) as info:
            applications.MobileNet(weights="imagenet", include_top=False, alpha=0.5,
                                   input_shape=(64, 64, 3))
    assert "mobilenet_5_0_224_tf_no_top.h5" in str(info.value)


def test_keras_file_names():
    assert mobilenet.WEIGHTS_URL == ("https://storage.googleapis.com/tensorflow/"
                                     "keras-applications/mobilenet/")
    assert mobilenet.weights_file_name(1.0, 224, True) == "mobilenet_1_0_224_tf.h5"
    assert mobilenet.weights_file_name(0.75, 160, False) == "mobilenet_7_5_160_tf_no_top.h5"


@pytest.mark.parametrize("kwargs,match", BAD_WEIGHTS_ARGUMENTS + [
    ({"weights": "imagenet", "depth_multiplier": 2}, "depth multiplier must be 1"),
    ({"weights": "imagenet", "alpha": 0.3}, "alpha can be one of"),
    ({"weights": None, "include_top": False, "input_shape": (31, 32, 3)}, "at least 32x32"),
    ({"weights": "imagenet", "input_shape": (128, 160, 3)}, "should be \\(224, 224, 3\\)"),
    ({"weights": None, "include_top": False, "pooling": "sum"}, "pooling"),
    ({"weights": None, "classes": 0}, "`classes` must be a positive integer"),
    ({"weights": None, "input_shape": (64, 64)}, "three integers"),
])
def test_bad_arguments_raise_before_building(kwargs, match):
    with pytest.raises(ValueError, match=match):
        applications.MobileNet(**kwargs)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("kwargs,match", [
    ({"weights": "imagenet", "classes": 10}, "classes` should be 1000"),
    ({"weights": "imagenet", "depth_multiplier": 2}, "depth multiplier must be 1"),
    ({"weights": "imagenet", "alpha": 0.3}, "alpha can be one of"),
    ({"weights": None, "include_top": False, "input_shape": (31, 32, 3)}, "at least 32x32"),
])
def test_keras_raises_the_same_errors(keras, kwargs, match):
    with pytest.raises(ValueError, match=match):
        keras.applications.MobileNet(**kwargs)
    with pytest.raises(ValueError, match=match):
        applications.MobileNet(**kwargs)


def test_numpy_integer_classes():
    model = applications.MobileNet(weights=None, input_shape=(32, 32, 3), alpha=0.25,
                                   classes=np.int64(3))
    assert model.output_shape == (None, 3)


def test_default_model_counts_as_keras():
    # The figures Keras reports: 4,253,864 parameters, 21,888 of them non-trainable.
    model = applications.MobileNet(weights=None)
    assert model.name == "mobilenet_1.00_224"
    assert model.count_params() == 4_253_864
    assert sum(int(np.prod(w.shape)) for w in model.non_trainable_weights) == 21_888
    assert model.output_shape == (None, 1000)


def test_frozen_base_trains_a_new_head():
    # Keras's transfer-learning recipe: a frozen base keeps every weight, batch-norm
    # moving statistics included (frozen batch norms run in inference mode).
    from torchkeras import Sequential, layers
    base = applications.MobileNet(include_top=False, weights=None, alpha=0.25,
                                  input_shape=(32, 32, 3), pooling="avg")
    base.trainable = False
    model = Sequential([base, layers.Dense(2)])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    before = [w.copy() for w in base.get_weights()]
    rng = np.random.default_rng(0)
    history = model.fit(rng.uniform(-1, 1, (8, 32, 32, 3)).astype("float32"),
                        rng.integers(0, 2, (8,)), epochs=2, batch_size=4, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert len(model.trainable_weights) == 2
    for old, new in zip(before, base.get_weights()):
        np.testing.assert_array_equal(old, new)
