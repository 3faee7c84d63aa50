"""ResNets built as Keras builds them: names, weight order, counts, Keras's weight files."""
import numpy as np
import pytest

from tests.applications.keras_layout_oracle import (BN_STATS, fresh_names,
                                                   perturb_batchnorm, save_legacy)
from torchkeras import applications
from torchkeras.applications import resnet
from torchkeras.datasets._download import DownloadError


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name,legacy", [("ResNet50", False), ("ResNet50V2", False),
                                         ("ResNet50", True)])
def test_keras_weights_file_loads_with_same_predictions(keras, tmp_path, monkeypatch, name,
                                                        legacy):
    # Unnamed layers take per-process counters in both libraries: start both afresh so
    # their automatic names (e.g. ResNet50V2's last max_pooling2d) can be compared.
    fresh_names(keras)
    theirs = getattr(keras.applications, name)(include_top=False, weights=None,
                                               input_shape=(32, 32, 3), pooling="avg")
    perturb_batchnorm(theirs, **BN_STATS)
    if legacy:
        # Served as Keras's ImageNet file: weights="imagenet" downloads, md5-checks, loads.
        served = tmp_path / "server"
        served.mkdir()
        path = served / "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"
        digest = save_legacy(theirs, str(path))
        monkeypatch.setattr(resnet, "WEIGHTS_URL", served.as_uri() + "/")
        monkeypatch.setitem(resnet.WEIGHTS_HASHES, "resnet50", ("unused", digest))
        path = "imagenet"
    else:
        path = str(tmp_path / "theirs.weights.h5")
        theirs.save_weights(path)
    ours = getattr(applications, name)(include_top=False, weights=path,
                                       input_shape=(32, 32, 3), pooling="avg")
    assert ours.count_params() == theirs.count_params()
    # (Input layers are auto-named from per-process counters.)
    assert [l.name for l in ours.layers[1:]] == [l.name for l in theirs.layers[1:]]
    assert [tuple(w.shape) for w in ours.get_weights()] == \
        [tuple(w.shape) for w in theirs.get_weights()]
    x = np.random.default_rng(1).uniform(-1, 1, (2, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               rtol=1e-4, atol=1e-4)


@pytest.mark.keras_oracle
def test_resnet50_counts_match_keras(keras):
    # The figure: Keras's convolutions carry biases (23,587,712, not 23,561,152).
    ours = applications.ResNet50(include_top=False, weights=None)
    assert ours.count_params() == 23_587_712
    assert sum(int(np.prod(w.shape)) for w in ours.non_trainable_weights) == 53_120


@pytest.mark.slow
@pytest.mark.parametrize("name,count", [("ResNet101", 42_658_176), ("ResNet152", 58_370_944),
                                        ("ResNet101V2", 42_626_560),
                                        ("ResNet152V2", 58_331_648)])
def test_deeper_resnets_count_as_keras(name, count):
    assert getattr(applications, name)(include_top=False, weights=None).count_params() == count


def test_imagenet_fetches_keras_file(monkeypatch, closed_port_url):
    monkeypatch.setattr(resnet, "WEIGHTS_URL", closed_port_url.rsplit("/", 1)[0] + "/")
    with pytest.raises(DownloadError) as info:
        applications.ResNet50(weights="imagenet", include_top=False, input_shape=(32, 32, 3))
    assert "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5" in str(info.value)
