"""Pipeline: ordered application, the training flag, dict inputs, config and saving, with
Keras 3 as the oracle for deterministic pipelines."""
import numpy as np
import pytest
import torch

import torchkeras
from torchkeras import layers
from torchkeras.saving import deserialize_keras_object, serialize_keras_object
from torchkeras.testing import run_layer_test


def _steps(lib):
    return [lib.layers.CenterCrop(6, 8), lib.layers.Rescaling(1 / 255.0, offset=-0.5),
            lib.layers.Resizing(4, 5, interpolation="bilinear"), lib.layers.Rescaling(2.0)]


@pytest.mark.keras_oracle
def test_deterministic_pipeline_matches_keras(keras):
    x = np.random.default_rng(0).uniform(0, 255, size=(3, 9, 11, 3)).astype("float32")
    expected = keras.layers.Pipeline(_steps(keras))(x).cpu().numpy()
    got = layers.Pipeline(_steps(torchkeras))(torch.as_tensor(x))
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.keras_oracle
def test_config_matches_keras(keras):
    k_cfg = keras.layers.Pipeline(_steps(keras), name="pre").get_config()
    cfg = layers.Pipeline(_steps(torchkeras), name="pre").get_config()
    assert cfg["name"] == k_cfg["name"] == "pre" and set(cfg) == set(k_cfg)
    assert [c["class_name"] for c in cfg["layers"]] == [c["class_name"] for c in k_cfg["layers"]]
    for ours, theirs in zip(cfg["layers"], k_cfg["layers"]):
        drop = ("name", "dtype")
        assert {k: v for k, v in ours["config"].items() if k not in drop} == \
            {k: v for k, v in theirs["config"].items() if k not in drop}
    # A Keras config loads here.
    loaded = layers.Pipeline.from_config(k_cfg)
    assert [type(layer).__name__ for layer in loaded.layers] == \
        ["CenterCrop", "Rescaling", "Resizing", "Rescaling"]


def test_round_trip_and_training_flag():
    pipe = layers.Pipeline([layers.RandomFlip(seed=1), layers.RandomRotation(0.2, seed=2)])
    again = deserialize_keras_object(serialize_keras_object(pipe))
    assert type(again) is layers.Pipeline
    assert [type(layer).__name__ for layer in again.layers] == ["RandomFlip", "RandomRotation"]
    assert again.layers[1].factor == pipe.layers[1].factor
    x = torch.rand(4, 8, 8, 3)
    assert pipe(x, training=False) is x
    assert not torch.equal(pipe(x), x)      # direct call augments, as in Keras
    # the layers are tracked sub-modules: their weights are the pipeline's
    dense = layers.Pipeline([layers.Dense(3), layers.Dense(2)])
    assert dense(torch.rand(4, 5)).shape == (4, 2)
    assert len(dense.weights) == 4 and len(list(dense.parameters())) == 4


def test_pipeline_in_a_model_is_identity_at_predict():
    model = torchkeras.Sequential([layers.Input((8, 8, 3)),
                                   layers.Pipeline([layers.RandomFlip(), layers.MixUp(),
                                                    layers.RandomErasing(value_range=(0, 1))]),
                                   layers.Flatten(), layers.Dense(2)])
    x = np.random.default_rng(0).uniform(size=(5, 8, 8, 3)).astype("float32")
    inner = torchkeras.Model(model.inputs, model.layers[0].output)
    np.testing.assert_array_equal(inner.predict(x, verbose=0), x)
    assert model.predict(x, verbose=0).shape == (5, 2)


def test_pipeline_of_dict_layers():
    pipe = layers.Pipeline([layers.RandomFlip("horizontal", bounding_box_format="xyxy", seed=0),
                            layers.MaxNumBoundingBoxes(4, bounding_box_format="xyxy")])
    data = {"images": torch.rand(2, 6, 8, 3), "labels": torch.eye(2),
            "bounding_boxes": {"boxes": torch.tensor([[[1.0, 1, 3, 3]]] * 2),
                               "labels": torch.tensor([[1], [2]])}}
    out = pipe(data)
    assert out["bounding_boxes"]["boxes"].shape == (2, 4, 4)
    assert out["bounding_boxes"]["labels"][:, 1:].eq(-1).all()
    for i in range(2):
        flipped = torch.equal(out["images"][i], data["images"][i].flip(1))
        expect = [5.0, 1, 7, 3] if flipped else [1.0, 1, 3, 3]
        assert out["bounding_boxes"]["boxes"][i, 0].tolist() == expect


def test_bad_layers_argument():
    with pytest.raises(ValueError, match="layers"):
        layers.Pipeline(layers.RandomFlip())
    with pytest.raises(ValueError, match="layers"):
        layers.Pipeline([layers.RandomFlip(), "flip"])
    with pytest.raises(ValueError, match="layers"):
        layers.Pipeline.from_config({"name": "p"})


def test_layer_test():
    run_layer_test(layers.Pipeline, {"layers": [layers.Rescaling(0.5), layers.RandomFlip()]},
                   input_shape=(2, 6, 5, 3), expected_output_shape=(2, 6, 5, 3),
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0)


def test_model_with_augmentation_layers_saves_and_loads(tmp_path):
    model = torchkeras.Sequential([
        layers.Input((12, 12, 3)),
        layers.Pipeline([layers.RandomFlip(seed=1), layers.RandomPerspective(scale=0.2),
                         layers.RandomElasticTransform(value_range=(0, 1)),
                         layers.RandomErasing(value_range=(0, 1), fill_value=0.0)]),
        layers.MixUp(alpha=0.3), layers.CutMix(factor=0.5),
        layers.MaxNumBoundingBoxes(4, bounding_box_format="xyxy"),
        layers.Flatten(), layers.Dense(2)])
    path = str(tmp_path / "aug.keras")
    model.save(path)
    loaded = torchkeras.saving.load_model(path)
    names = [type(layer).__name__ for layer in loaded.layers]
    assert names == ["Pipeline", "MixUp", "CutMix", "MaxNumBoundingBoxes", "Flatten", "Dense"]
    assert [type(layer).__name__ for layer in loaded.layers[0].layers] == \
        ["RandomFlip", "RandomPerspective", "RandomElasticTransform", "RandomErasing"]
    assert loaded.layers[1].alpha == 0.3 and loaded.layers[2].factor == (0, 0.5)
    x = np.random.default_rng(0).uniform(size=(3, 12, 12, 3)).astype("float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_masks_flow_between_pipeline_layers():
    lstm = layers.LSTM(3)
    pipe = layers.Pipeline([layers.Masking(0.0), lstm])
    x = torch.rand(2, 5, 4)
    x[0, 3:] = 0.0
    out = pipe(x)
    # the masked tail of sample 0 is skipped, as if it were not there
    torch.testing.assert_close(out[0], lstm(x[:1, :3])[0])
    assert not torch.allclose(out[0], lstm(x[:1])[0])
