"""ConvNeXtXLarge built as Keras builds it (checked on a narrow copy of its layout)."""
import hashlib

import numpy as np
import pytest

from tests.applications.keras_layout_oracle import fresh_names, fresh_pair
from torchkeras import applications
from torchkeras.applications import convnext
from torchkeras.applications.layer_scale import LayerScale
from torchkeras.datasets._download import DownloadError

# XLarge itself has 350M parameters; the same code path with narrow widths is compared
# layer by layer with Keras's generic ConvNeXt builder.
NARROW = ((1, 1, 2, 1), (8, 16, 24, 32))


def _keras_narrow(**kwargs):
    from keras.src.applications.convnext import ConvNeXt
    return ConvNeXt(depths=list(NARROW[0]), projection_dims=list(NARROW[1]),
                    drop_path_rate=0.0, layer_scale_init_value=1e-6, default_size=224,
                    name="convnext_xlarge", weights_name="convnext_xlarge", **kwargs)


def _layer_names(model):
    # Keras lists only layers; its `inputs + x` residual ops are graph operations.
    return [l.name for l in model.layers[1:] if type(l).__name__ != "TorchOp"]


@pytest.mark.keras_oracle
@pytest.mark.parametrize("kwargs", [
    dict(weights=None, input_shape=(32, 32, 3), classes=7, classifier_activation=None),
    dict(include_top=False, weights=None, input_shape=(40, 40, 3), pooling="max"),
])
def test_narrow_xlarge_matches_keras(keras, monkeypatch, tmp_path, kwargs):
    monkeypatch.setitem(convnext.KERAS_CONFIGS, "xlarge", NARROW)
    fresh_names(keras)
    theirs = _keras_narrow(**kwargs)
    ours = applications.ConvNeXtXLarge(**kwargs)
    assert ours.name == theirs.name == "convnext_xlarge"
    assert ours.count_params() == theirs.count_params()
    assert _layer_names(ours) == [l.name for l in theirs.layers[1:]]
    assert [tuple(w.shape) for w in ours.get_weights()] == \
        [tuple(w.shape) for w in theirs.get_weights()]
    rng = np.random.default_rng(0)
    theirs.set_weights([w + rng.normal(0, 0.1, w.shape).astype("float32")
                        for w in theirs.get_weights()])
    path = str(tmp_path / "theirs.weights.h5")
    theirs.save_weights(path)
    ours.load_weights(path)
    size = kwargs["input_shape"][:2]
    x = rng.uniform(0, 255, (2,) + size + (3,)).astype("float32")
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               rtol=1e-4, atol=1e-4)


@pytest.mark.keras_oracle
def test_imagenet_loads_keras_legacy_file(keras, monkeypatch, tmp_path):
    # Keras's ImageNet files are legacy .h5 files, sha256-checked.
    import h5py
    from keras.src.legacy.saving import legacy_h5_format
    monkeypatch.setitem(convnext.KERAS_CONFIGS, "xlarge", NARROW)
    kwargs = dict(include_top=False, input_shape=(32, 32, 3), pooling="avg")
    theirs = _keras_narrow(weights=None, **kwargs)
    rng = np.random.default_rng(3)
    theirs.set_weights([w + rng.normal(0, 0.1, w.shape).astype("float32")
                        for w in theirs.get_weights()])
    served = tmp_path / "server"
    served.mkdir()
    path = served / "convnext_xlarge_notop.h5"
    with h5py.File(str(path), "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, theirs)
    monkeypatch.setattr(convnext, "WEIGHTS_URL", served.as_uri() + "/")
    monkeypatch.setitem(convnext.WEIGHTS_HASHES, "convnext_xlarge",
                        ("unused", hashlib.sha256(path.read_bytes()).hexdigest()))
    ours = applications.ConvNeXtXLarge(weights="imagenet", **kwargs)
    x = rng.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               rtol=1e-4, atol=1e-4)


def test_argument_errors(monkeypatch, closed_port_url):
    from torchkeras import config
    previous = config.image_data_format()
    config.set_image_data_format("channels_first")
    try:
        with pytest.raises(ValueError, match="channels_first"):
            applications.ConvNeXtXLarge(weights=None)
    finally:
        config.set_image_data_format(previous)
    with pytest.raises(ValueError, match="must contain the weights variant"):
        applications.ConvNeXtXLarge(name="big_convnext")
    with pytest.raises(ValueError, match="`classes` should be 1000"):
        applications.ConvNeXtXLarge(classes=5)
    with pytest.raises(ValueError, match="pooling"):
        applications.ConvNeXtXLarge(include_top=False, weights=None, pooling="min")
    monkeypatch.setattr(convnext, "WEIGHTS_URL", closed_port_url.rsplit("/", 1)[0] + "/")
    with pytest.raises(DownloadError, match="convnext_xlarge.h5"):
        convnext.fetch_keras_weights("convnext_xlarge", include_top=True)


def test_layer_scale_scales_last_axis():
    import torch
    layer = LayerScale(0.5, 4)
    out = layer(torch.ones(2, 3, 4))
    torch.testing.assert_close(out, torch.full((2, 3, 4), 0.5))
    assert [tuple(w.shape) for w in layer.trainable_weights] == [(4,)]
    clone = LayerScale.from_config(layer.get_config())
    assert (clone.init_values, clone.projection_dim) == (0.5, 4)


@pytest.mark.slow
@pytest.mark.keras_oracle
def test_xlarge_matches_keras(keras):
    ours, theirs = fresh_pair(keras, "ConvNeXtXLarge", include_top=False, weights=None,
                              input_shape=(32, 32, 3))
    assert ours.count_params() == theirs.count_params()
    assert _layer_names(ours) == [l.name for l in theirs.layers[1:]]
