"""Loading torchvision weights: local files, the "imagenet" downloader, offline errors."""
import hashlib
import os
import shutil

import numpy as np
import pytest
import torch
import torchvision
from safetensors.torch import save_file

from torchkeras import applications
from torchkeras.applications import weights as weights_lib
from torchkeras.datasets import DownloadError

torch.set_num_threads(1)
MEAN = torch.tensor([0.485, 0.456, 0.406]).reshape(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).reshape(1, 3, 1, 1)


def _randomized(module):
    """A torchvision model with non-trivial batch-norm statistics, in eval mode."""
    torch.manual_seed(0)
    module.train()
    with torch.no_grad():
        for _ in range(2):
            module(torch.randn(4, 3, 64, 64))
    return module.eval()


def _torchvision_input(raw_nhwc):
    return (torch.as_tensor(raw_nhwc).permute(0, 3, 1, 2) / 255.0 - MEAN) / STD


def _raw_images(n=2, size=32):
    return np.random.RandomState(1).uniform(0, 255, (n, size, size, 3)).astype("float32")


def _features(tv_model, arch):
    if arch.startswith("resnet"):
        return torch.nn.Sequential(*list(tv_model.children())[:-2])
    if arch.startswith("densenet"):
        return torch.nn.Sequential(tv_model.features, torch.nn.ReLU())
    return tv_model.features


def test_mobilenet_v2_with_top_from_safetensors(tmp_path):
    tv = _randomized(torchvision.models.mobilenet_v2(num_classes=10))
    path = str(tmp_path / "mnv2.safetensors")
    save_file({k: v.contiguous() for k, v in tv.state_dict().items()}, path)
    model = applications.MobileNetV2(input_shape=(32, 32, 3), weights=path, classes=10,
                                     classifier_activation=None)
    raw = _raw_images()
    x = applications.mobilenet_v2.preprocess_input(raw.copy())
    with torch.no_grad():
        expected = tv(_torchvision_input(raw))
    torch.testing.assert_close(model(x), expected, rtol=1e-4, atol=1e-4)


def test_densenet_old_style_keys(tmp_path):
    tv = _randomized(torchvision.models.densenet121(num_classes=3))
    old = {}
    for k, v in tv.state_dict().items():
        # torchvision's published files use "norm.1" where the module says "norm1".
        for part in ("norm", "relu", "conv"):
            for i in ("1", "2"):
                k = k.replace(".%s%s." % (part, i), ".%s.%s." % (part, i))
        old[k] = v
    assert any(".norm.1." in k for k in old)
    path = str(tmp_path / "dn.pth")
    torch.save(old, path)
    model = applications.DenseNet121(input_shape=(32, 32, 3), weights=path, classes=3,
                                     classifier_activation=None)
    raw = _raw_images()
    x = applications.densenet.preprocess_input(raw.copy())
    with torch.no_grad():
        expected = tv(_torchvision_input(raw))
    torch.testing.assert_close(model(x), expected, rtol=1e-4, atol=1e-4)


def test_mismatched_files_are_refused_before_any_change(tmp_path):
    tv = torchvision.models.mobilenet_v2(num_classes=10)
    path = str(tmp_path / "mnv2.pth")
    torch.save(tv.state_dict(), path)
    with pytest.raises(ValueError, match="different `classes`"):
        applications.MobileNetV2(input_shape=(32, 32, 3), weights=path, classes=5)
    with pytest.raises(ValueError, match="does not match this architecture"):
        applications.VGG16(include_top=False, weights=path, input_shape=(32, 32, 3))


class _NotATensor:
    pass


def test_pickled_objects_are_refused(tmp_path):
    path = str(tmp_path / "evil.pth")
    torch.save({"weight": _NotATensor()}, path)
    with pytest.raises(ValueError, match="torch.save file holding only tensors"):
        weights_lib.read_state_dict(path)


# ---------------------------------------------------------------------- "imagenet"
def _publish(tmp_path, monkeypatch, tv, stem="mobilenet_v2", digest=None):
    """Saves ``tv`` as torchvision names its files and points the downloader at it."""
    tmp = tmp_path / "staging.pth"
    torch.save(tv.state_dict(), tmp)
    digest = digest or hashlib.sha256(tmp.read_bytes()).hexdigest()[:8]
    served = tmp_path / "server" / ("%s-%s.pth" % (stem, digest))
    served.parent.mkdir(exist_ok=True)
    shutil.move(str(tmp), served)
    monkeypatch.setattr(weights_lib, "imagenet_weights_url", lambda enum: served.as_uri())
    return served


def test_imagenet_weights_download_and_cache(tmp_path, monkeypatch, home):
    tv = _randomized(torchvision.models.mobilenet_v2())
    served = _publish(tmp_path, monkeypatch, tv)
    model = applications.MobileNetV2(weights="imagenet", include_top=False,
                                     input_shape=(32, 32, 3))
    cached = home / "models" / served.name
    assert cached.exists()
    raw = _raw_images()
    x = applications.mobilenet_v2.preprocess_input(raw.copy())
    with torch.no_grad():
        expected = tv.features(_torchvision_input(raw)).permute(0, 2, 3, 1)
    torch.testing.assert_close(model(x), expected, rtol=1e-4, atol=1e-4)
    os.remove(served)    # the cached copy is enough from now on
    again = applications.MobileNetV2(weights="imagenet", include_top=False,
                                     input_shape=(32, 32, 3))
    torch.testing.assert_close(again(x), expected, rtol=1e-4, atol=1e-4)


def test_imagenet_weights_with_wrong_hash(tmp_path, monkeypatch, home):
    _publish(tmp_path, monkeypatch, torchvision.models.mobilenet_v2(), digest="0badc0de")
    with pytest.raises(ValueError, match="hash"):
        applications.MobileNetV2(weights="imagenet", include_top=False, input_shape=(32, 32, 3))
    assert not any(p.endswith(".pth") for p in os.listdir(home / "models"))


def test_imagenet_weights_offline(monkeypatch, home, closed_port_url):
    monkeypatch.setattr(weights_lib, "imagenet_weights_url", lambda enum: closed_port_url)
    with pytest.raises(DownloadError) as info:
        applications.MobileNetV2(weights="imagenet", include_top=False,
                                 input_shape=(32, 32, 3))
    msg = str(info.value)
    assert closed_port_url in msg and "MobileNet_V2_Weights" in msg
    assert os.path.join(str(home), "models", "weights-0123abcd.pth") in msg
    assert os.path.join(torch.hub.get_dir(), "checkpoints") in msg


def test_imagenet_weights_from_torch_hub_cache(tmp_path, monkeypatch, closed_port_url):
    tv = _randomized(torchvision.models.mobilenet_v2())
    served = _publish(tmp_path, monkeypatch, tv)
    hub = os.path.join(torch.hub.get_dir(), "checkpoints")
    os.makedirs(hub)
    shutil.copy(served, hub)
    # The origin is unreachable, but torch hub already holds the checked file.
    monkeypatch.setattr(weights_lib, "imagenet_weights_url",
                        lambda enum: closed_port_url.rsplit("/", 1)[0] + "/" + served.name)
    model = applications.MobileNetV2(weights="imagenet", include_top=False,
                                     input_shape=(32, 32, 3))
    assert model.output_shape == (None, 1, 1, 1280)


def test_real_urls_are_torchvision_s():
    url = weights_lib.imagenet_weights_url("ResNet50_Weights")
    assert url == torchvision.models.ResNet50_Weights.DEFAULT.url
    assert url.startswith("https://download.pytorch.org/models/resnet50-")


# ---------------------------------------------------------------------- every family
FAMILIES = [
    ("resnet101", lambda **kw: applications.ResNet101(**kw), applications.resnet.preprocess_input),
    ("vgg16", lambda **kw: applications.VGG16(**kw), applications.vgg16.preprocess_input),
    ("mobilenet_v3_small", lambda **kw: applications.MobileNetV3Small(**kw), None),
    ("mobilenet_v3_large", lambda **kw: applications.MobileNetV3Large(**kw), None),
    ("efficientnet_b0", lambda **kw: applications.EfficientNetB0(**kw), None),
    ("densenet169", lambda **kw: applications.DenseNet169(**kw),
     applications.densenet.preprocess_input),
    ("convnext_tiny", lambda **kw: applications.ConvNeXtTiny(**kw), None),
]


@pytest.mark.slow
@pytest.mark.parametrize("arch,build,preprocess", FAMILIES, ids=[f[0] for f in FAMILIES])
def test_every_family_matches_torchvision(tmp_path, arch, build, preprocess):
    kwargs = {"stochastic_depth_prob": 0.0} if arch.startswith("convnext") else {}
    tv = _randomized(getattr(torchvision.models, arch)(**kwargs))
    path = str(tmp_path / "w.pth")
    torch.save(tv.state_dict(), path)
    size = 224 if arch.startswith("vgg") else 64
    model = build(weights=path, input_shape=(size, size, 3), classifier_activation=None)
    raw = _raw_images(size=size)
    x = preprocess(raw.copy()) if preprocess is not None else raw
    with torch.no_grad():
        expected = tv(_torchvision_input(raw))
    torch.testing.assert_close(model(x), expected, rtol=2e-4, atol=2e-4)
    base = build(weights=path, include_top=False, input_shape=(size, size, 3))
    with torch.no_grad():
        features = _features(tv, arch)(_torchvision_input(raw)).permute(0, 2, 3, 1)
    if arch.startswith("convnext"):
        features = torch.nn.functional.layer_norm(features, (768,), tv.classifier[0].weight,
                                                  tv.classifier[0].bias, 1e-6)
    torch.testing.assert_close(base(x), features, rtol=2e-4, atol=2e-4)
