"""Helpers of the oracle tests of the applications built as Keras builds them.

Keras models are big: each test module builds its Keras model once (module-scoped
fixture, see ``keras_or_skip``) and compares torchkeras's against it.
"""
import hashlib
import os
import re

import numpy as np
import pytest

from torchkeras.backend import clear_session


def keras_or_skip():
    """Real Keras on the torch backend for module-scoped fixtures (the ``keras`` fixture
    is function-scoped)."""
    os.environ["KERAS_BACKEND"] = "torch"
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("keras is not on the torch backend")
    return keras


def fresh_names(keras=None):
    """Both libraries' automatic-name counters start afresh (unnamed layers compare)."""
    if keras is not None:
        keras.backend.clear_session()
    clear_session()


# The `weights` errors every application raises, as (kwargs, message) test cases.
BAD_WEIGHTS_ARGUMENTS = [
    ({"weights": "/no/such/file.h5"}, "`weights` argument"),
    ({"weights": "imagenet", "classes": 10}, "classes` should be 1000"),
]

# Wider moving statistics, for the shallower models (ResNet, EfficientNetV2, NASNet).
BN_STATS = dict(mean_std=0.1, var_range=(0.5, 1.5))


def fresh_pair(keras, name, **kwargs):
    """``(ours, theirs)``: the application ``name`` of both libraries, each built with
    fresh automatic-name counters (their unnamed layers compare)."""
    from torchkeras import applications
    fresh_names(keras)
    theirs = getattr(keras.applications, name)(**kwargs)
    ours = getattr(applications, name)(**kwargs)
    return ours, theirs


def perturb_batchnorm(model, seed=0, mean_std=0.01, var_range=(0.05, 0.2)):
    """Non-trivial moving statistics, so a mis-ordered weight changes predictions.

    Small variances keep the signal of a randomly initialized deep net alive; small means
    keep the outputs from being constants (both are tuned so the outputs of two images
    differ clearly).
    """
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if type(layer).__name__ == "BatchNormalization":
            w = layer.get_weights()
            w[-2] = rng.normal(0, mean_std, w[-2].shape).astype("float32")
            w[-1] = rng.uniform(*var_range, w[-1].shape).astype("float32")
            layer.set_weights(w)
    return model


def save_legacy(model, path):
    """The layout of Keras's ImageNet files, written by Keras's own legacy writer;
    returns the file's md5."""
    import h5py
    from keras.src.legacy.saving import legacy_h5_format
    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, model)
    with open(path, "rb") as f:
        return hashlib.md5(f.read()).hexdigest()


def write_keras_files(model, folder, served_name, *, weights_h5=True, keras2_names=False):
    """Writes Keras ``model``'s files into ``folder``: ``theirs.weights.h5`` (unless
    ``weights_h5`` is false) and, named ``served_name`` as Keras's ImageNet file, its
    legacy ``.h5`` (with Keras 2's names when ``keras2_names``). Returns that file's md5."""
    if weights_h5:
        model.save_weights(str(folder / "theirs.weights.h5"))
    if not keras2_names:
        return save_legacy(model, str(folder / served_name))
    save_legacy(model, str(folder / "legacy.h5"))
    return keras2_style(folder / "legacy.h5", folder / served_name)


def assert_same_layout(ours, theirs):
    assert ours.count_params() == theirs.count_params()
    # (Input layers are auto-named from per-process counters.)
    assert [l.name for l in ours.layers[1:]] == [l.name for l in theirs.layers[1:]]
    assert [tuple(w.shape) for w in ours.get_weights()] == \
        [tuple(w.shape) for w in theirs.get_weights()]
    assert len(ours.trainable_weights) == len(theirs.trainable_weights)


_AUTO_NAME = re.compile(r"^(conv2d|batch_normalization|activation|add|concatenate|"
                        r"max_pooling2d|average_pooling2d|global_average_pooling2d|"
                        r"global_max_pooling2d)(?:_(\d+))?$")


def keras2_style(src, dst):
    """Rewrites a legacy ``.h5`` as Keras 2 wrote the published ImageNet files: automatic
    names counted from 1 (``conv2d_1`` for Keras 3's ``conv2d``), weights named
    ``layer/kernel:0``. Only the layer order can match such a file to a Keras 3 model.
    Returns the new file's md5."""
    import h5py

    def rename(name):
        m = _AUTO_NAME.match(name)
        if m is None:
            return name
        return "%s_%d" % (m.group(1), int(m.group(2) or 0) + 1)

    with h5py.File(src, "r") as fin, h5py.File(dst, "w") as fout:
        for key, value in fin.attrs.items():
            fout.attrs[key] = value
        names = [n.decode() if isinstance(n, bytes) else n for n in fin.attrs["layer_names"]]
        fout.attrs["layer_names"] = [rename(n).encode() for n in names]
        for name in names:
            group = fout.create_group(rename(name))
            weight_names = []
            for w in fin[name].attrs["weight_names"]:
                w = w.decode() if isinstance(w, bytes) else w
                new = "%s/%s:0" % (rename(name), w.split("/", 1)[1])
                group.create_dataset(new, data=fin[name][w][()])
                weight_names.append(new.encode())
            group.attrs["weight_names"] = weight_names
    with open(dst, "rb") as f:
        return hashlib.md5(f.read()).hexdigest()


def reference(theirs, batch=2, seed=1):
    """``(images, Keras's predictions)``, computed once per module."""
    shape = tuple(theirs.input_shape[1:])
    x = np.random.default_rng(seed).uniform(-1, 1, (batch,) + shape).astype("float32")
    return x, theirs.predict(x, verbose=0)


def assert_same_predictions(ours, ref):
    x, expected = ref
    # Randomly initialized deep nets give small (or large) outputs: compare on the
    # outputs' own scale.
    scale = float(np.abs(expected).max())
    assert scale > 0
    np.testing.assert_allclose(ours.predict(x, verbose=0) / scale, expected / scale,
                               rtol=1e-4, atol=1e-4)
    # A real comparison: the outputs differ between the two images.
    assert np.abs(expected[0] - expected[1]).max() > 1e-2 * scale
