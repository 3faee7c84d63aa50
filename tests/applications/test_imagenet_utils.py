"""preprocess_input (against Keras 3), decode_predictions, InputAdapter numerics."""
import hashlib
import json
import os

import numpy as np
import pytest
import torch

from torchkeras import applications
from torchkeras.applications import imagenet_utils
from torchkeras.applications.backbone import InputAdapter
from torchkeras.datasets import DownloadError

FAMILIES = ["resnet", "resnet50", "vgg16", "vgg19", "mobilenet_v2", "mobilenet_v3",
            "efficientnet", "densenet", "convnext"]


def _images(shape=(2, 5, 4, 3)):
    return np.random.RandomState(0).uniform(0, 255, shape).astype("float32")


@pytest.mark.keras_oracle
@pytest.mark.parametrize("family", FAMILIES)
def test_family_preprocess_input_matches_keras(keras, family):
    import importlib
    ours = getattr(applications, family).preprocess_input
    theirs = importlib.import_module("keras.applications." + family).preprocess_input
    for data_format, shape in (("channels_last", (2, 5, 4, 3)), ("channels_first", (2, 3, 5, 4)),
                               ("channels_last", (5, 4, 3)), ("channels_first", (3, 5, 4))):
        x = _images(shape)
        expected = np.asarray(theirs(x.copy(), data_format=data_format))
        np.testing.assert_allclose(ours(x.copy(), data_format=data_format), expected,
                                   rtol=1e-6, atol=1e-4)
        out = ours(torch.from_numpy(x.copy()), data_format=data_format)
        np.testing.assert_allclose(np.asarray(out), expected, rtol=1e-6, atol=1e-4)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
def test_generic_modes_and_integer_inputs(keras, mode):
    from keras.applications import imagenet_utils as keras_utils
    x = _images().astype("uint8")
    expected = keras_utils.preprocess_input(x.copy(), mode=mode)
    ours = imagenet_utils.preprocess_input(x.copy(), mode=mode)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-4)
    with pytest.raises(ValueError, match="mode"):
        imagenet_utils.preprocess_input(x, mode="keras")
    with pytest.raises(ValueError, match="data_format"):
        imagenet_utils.preprocess_input(x, data_format="nhwc")


@pytest.mark.parametrize("mode,preprocess", [
    ("caffe", applications.resnet.preprocess_input),
    ("tf", applications.mobilenet_v2.preprocess_input),
    ("raw", applications.efficientnet.preprocess_input),
])
def test_input_adapter_lands_on_torchvision_normalization(mode, preprocess):
    raw = _images()
    adapter = InputAdapter(mode)
    out = adapter(torch.as_tensor(preprocess(raw.copy())))
    mean = np.array([0.485, 0.456, 0.406], "float32")
    std = np.array([0.229, 0.224, 0.225], "float32")
    np.testing.assert_allclose(out.numpy(), (raw / 255.0 - mean) / std, rtol=1e-5, atol=1e-5)
    # uint8 pixels are accepted as they are.
    if mode == "raw":
        pixels = raw.astype("uint8")
        np.testing.assert_allclose(adapter(torch.from_numpy(pixels)).numpy(),
                                   (pixels / 255.0 - mean) / std, rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="mode"):
        InputAdapter("bgr")


def _class_index():
    return {str(i): ["n%08d" % i, "class_%d" % i] for i in range(1000)}


def test_decode_predictions_with_cached_index(home, monkeypatch):
    path = home / "models" / "imagenet_class_index.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(_class_index()))
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX", None)
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_MD5",
                        hashlib.md5(path.read_bytes()).hexdigest())
    preds = np.zeros((2, 1000), "float32")
    preds[0, [7, 3, 999]] = [0.5, 0.3, 0.2]
    preds[1, 42] = 1.0
    decoded = applications.resnet50.decode_predictions(torch.from_numpy(preds), top=3)
    assert [d[:2] for d in decoded[0]] == [("n00000007", "class_7"), ("n00000003", "class_3"),
                                           ("n00000999", "class_999")]
    assert decoded[0][0][2] == pytest.approx(0.5)
    assert decoded[1][0][:2] == ("n00000042", "class_42") and len(decoded[1]) == 3
    with pytest.raises(ValueError, match=r"\(samples, 1000\)"):
        imagenet_utils.decode_predictions(np.zeros((2, 10)))


def test_decode_predictions_offline(home, monkeypatch):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    url = "http://127.0.0.1:%d/imagenet_class_index.json" % s.getsockname()[1]
    s.close()
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX", None)
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_PATH", url)
    with pytest.raises(DownloadError) as info:
        imagenet_utils.decode_predictions(np.zeros((1, 1000)))
    assert url in str(info.value)
    assert os.path.join(str(home), "models", "imagenet_class_index.json") in str(info.value)
