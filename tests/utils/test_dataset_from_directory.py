"""image_dataset_from_directory / text_dataset_from_directory: the files, splits, labels
and pixels Keras 3 gives (recorded by tests/layers/preprocessing/fixtures), and fit."""
import importlib.util
import json
import os

import numpy as np
import pytest
import torch

import torchkeras as tk
from torchkeras.utils import image_dataset_from_directory, text_dataset_from_directory

pytest.importorskip("PIL")
pytest.importorskip("torchvision")

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "layers", "preprocessing", "fixtures")
with open(os.path.join(FIXTURES, "keras_preprocessing.json"), encoding="utf-8") as _f:
    WANT = json.load(_f)["directories"]


@pytest.fixture
def tree(tmp_path):
    spec = importlib.util.spec_from_file_location("file_tree",
                                                  os.path.join(FIXTURES, "file_tree.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.make_file_tree(str(tmp_path))
    return str(tmp_path)


def _rel(root, paths):
    return [os.path.relpath(p, root) for p in paths]


def test_split_picks_keras_files(tree):
    tr, va = image_dataset_from_directory(tree, image_size=(6, 5), batch_size=4,
                                          validation_split=0.3, subset="both", seed=3,
                                          verbose=False)
    assert [_rel(tree, tr.file_paths), _rel(tree, va.file_paths)] == WANT["split_files"]
    assert tr.class_names == ["ant", "bee", "cow"]


@pytest.mark.parametrize("name,kwargs", [
    ("bilinear", {}), ("nearest", {"interpolation": "nearest"}),
    ("crop", {"crop_to_aspect_ratio": True}), ("pad", {"pad_to_aspect_ratio": True}),
    ("gray_categorical", {"color_mode": "grayscale", "label_mode": "categorical"})])
def test_images_and_labels_match_keras(tree, name, kwargs):
    ds = image_dataset_from_directory(tree, image_size=(6, 5), batch_size=None, shuffle=False,
                                      verbose=False, **kwargs)
    want = WANT["images_" + name]
    assert _rel(tree, ds.file_paths) == want["files"]
    xs, ys = zip(*list(ds))
    for x, expected, path in zip(xs, want["x"], want["files"]):
        # TensorFlow decodes JPEGs with the fast integer DCT, Pillow with the accurate one:
        # a few gray levels apart. PNG pixels are exact.
        tol = 4.0 if path.endswith(".jpeg") else 2e-3
        np.testing.assert_allclose(x.numpy(), np.array(expected), atol=tol, err_msg=path)
    np.testing.assert_array_equal(torch.stack(ys).numpy(), np.array(want["y"]))


def test_texts_match_keras(tree):
    ds = text_dataset_from_directory(tree, batch_size=None, shuffle=False, max_length=12,
                                     verbose=False)
    texts, ys = zip(*list(ds))
    assert list(texts) == WANT["texts"]["x"]
    assert [int(y) for y in ys] == WANT["texts"]["y"]
    tr = text_dataset_from_directory(tree, validation_split=0.5, subset="training", seed=11,
                                     verbose=False, batch_size=None)
    assert sorted(x for x, _ in tr) == WANT["text_split"]


def test_fit_takes_the_dataset_directly(tree):
    train = image_dataset_from_directory(tree, image_size=(8, 8), batch_size=4, seed=1,
                                         verbose=False)
    model = tk.Sequential([tk.Input((8, 8, 3)), tk.layers.Rescaling(1 / 255.0),
                           tk.layers.Flatten(), tk.layers.Dense(3)])
    model.compile("adam", tk.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    hist = model.fit(train, epochs=2, verbose=0)
    assert len(hist.history["loss"]) == 2
    texts = text_dataset_from_directory(tree, batch_size=4, seed=1, verbose=False)
    vec = tk.layers.TextVectorization(output_sequence_length=5)
    vec.adapt(np.concatenate([x for x, _ in texts]))
    inp = tk.Input((1,), dtype="string")
    out = tk.layers.Dense(3)(tk.layers.Flatten()(tk.layers.Embedding(20, 2)(vec(inp))))
    text_model = tk.Model(inp, out)
    text_model.compile("adam", tk.losses.SparseCategoricalCrossentropy(from_logits=True))
    assert len(text_model.fit(texts, epochs=1, verbose=0).history["loss"]) == 1


def test_bad_arguments_name_the_problem(tree, tmp_path):
    with pytest.raises(ValueError, match="seed"):
        image_dataset_from_directory(tree, validation_split=0.2, subset="training")
    with pytest.raises(ValueError, match="subset"):
        image_dataset_from_directory(tree, validation_split=0.2, seed=1)
    with pytest.raises(ValueError, match="color_mode"):
        image_dataset_from_directory(tree, color_mode="cmyk")
    with pytest.raises(ValueError, match="label_mode"):
        image_dataset_from_directory(tree, label_mode="onehot")
    with pytest.raises(ValueError, match="binary"):
        image_dataset_from_directory(tree, label_mode="binary", verbose=False)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="class"):
        image_dataset_from_directory(str(tmp_path / "empty"))
    with pytest.raises(ValueError, match="does not exist"):
        text_dataset_from_directory(str(tmp_path / "missing"))
