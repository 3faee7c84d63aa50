"""draw_segmentation_masks against Keras 3 (it runs on the torch backend, no OpenCV)."""
import numpy as np
import pytest
import torch

from torchkeras import visualization


def _data(rng, channels_first=False):
    images = rng.integers(0, 256, size=(2, 6, 5, 3)).astype("uint8")
    masks = rng.integers(-1, 3, size=(2, 6, 5, 1)).astype("int32")
    if channels_first:
        return images.transpose(0, 3, 1, 2).copy(), masks.transpose(0, 3, 1, 2).copy()
    return images, masks


@pytest.mark.keras_oracle
@pytest.mark.parametrize("kwargs", [
    {"num_classes": 3},
    {"num_classes": 3, "alpha": 0.3, "ignore_index": 0},
    {"num_classes": 3, "color_mapping": {0: (1, 2, 3), 1: (250, 10, 20), 2: (9, 9, 9)}},
    {"num_classes": 3, "blend": False},
    {"num_classes": 3, "data_format": "channels_first"},
])
def test_draw_segmentation_masks_matches_keras(keras, kwargs):
    images, masks = _data(np.random.default_rng(0),
                          kwargs.get("data_format") == "channels_first")
    want = keras.ops.convert_to_numpy(
        keras.visualization.draw_segmentation_masks(images, masks, **kwargs))
    got = visualization.draw_segmentation_masks(torch.tensor(images), torch.tensor(masks),
                                                **kwargs)
    assert isinstance(got, np.ndarray) and got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)


def test_inferred_classes_and_3d_masks():
    images = np.full((1, 2, 2, 3), 100, "uint8")
    masks = np.array([[[0, 1], [2, -1]]], "int64")        # 3D masks accepted too
    out = visualization.draw_segmentation_masks(images, masks, alpha=1.0)
    palette = [[0, 0, 0], [1, 127, 31], [2, 254, 62]]    # Keras's default colours
    assert out[0, 0, 0].tolist() == palette[0] and out[0, 0, 1].tolist() == palette[1]
    assert out[0, 1, 0].tolist() == palette[2]           # the largest class is painted
    assert out[0, 1, 1].tolist() == [100, 100, 100]      # ignore_index keeps the image


def test_bad_inputs():
    images = np.zeros((1, 2, 2, 3), "uint8")
    with pytest.raises(TypeError, match="integer dtype"):
        visualization.draw_segmentation_masks(images, np.zeros((1, 2, 2, 1), "float32"))
    with pytest.raises(ValueError, match="4D"):
        visualization.draw_segmentation_masks(images[0], np.zeros((1, 2, 2, 1), "int32"))
    with pytest.raises(ValueError, match="color_mapping"):
        visualization.draw_segmentation_masks(images, np.ones((1, 2, 2, 1), "int32"),
                                              num_classes=2, color_mapping={1: (1, 2, 3)})
    with pytest.raises(ValueError, match="alpha"):
        visualization.draw_segmentation_masks(images, np.ones((1, 2, 2, 1), "int32"),
                                              alpha=2.0)
