"""Dict inputs through the colour layers (boxes and masks untouched) and RandomShear
(boxes and masks follow the sheared pixels)."""
import pytest
import torch

import torchkeras.layers as L

COLOUR_LAYERS = [
    lambda: L.RandomGrayscale(1.0, bounding_box_format="xyxy"),
    lambda: L.RandomInvert((1.0, 1.0), value_range=(0, 1), bounding_box_format="xyxy"),
    lambda: L.Solarization(threshold_factor=0.5, value_range=(0, 1), bounding_box_format="xyxy"),
    lambda: L.RandomPosterization((4, 4), value_range=(0, 1), bounding_box_format="xyxy"),
    lambda: L.AutoContrast(value_range=(0, 1), bounding_box_format="xyxy"),
    lambda: L.Equalization(value_range=(0, 1), bounding_box_format="xyxy"),
    lambda: L.RandomColorDegeneration(0.5, value_range=(0, 1), bounding_box_format="xyxy"),
    lambda: L.RandomSharpness(0.5, value_range=(0, 1), bounding_box_format="xyxy"),
    lambda: L.RandomSaturation(0.5, value_range=(0, 1), bounding_box_format="xyxy"),
    lambda: L.RandomHue(0.5, value_range=(0, 1), bounding_box_format="xyxy"),
    lambda: L.RandomColorJitter(value_range=(0, 1), brightness_factor=0.2,
                                bounding_box_format="xyxy"),
    lambda: L.RandomGaussianBlur((1.0, 1.0), value_range=(0, 1), bounding_box_format="xyxy"),
    lambda: L.ContrastLimitedAdaptiveHistogramEqualization(value_range=(0, 1),
                                                           bounding_box_format="xyxy"),
]


def _data(seed=0):
    g = torch.Generator().manual_seed(seed)
    return {"images": torch.rand(2, 16, 16, 3, generator=g),
            "bounding_boxes": {"boxes": torch.tensor([[[1.0, 2.0, 8.0, 9.0]], [[0.0, 0.0, 4.0, 4.0]]]),
                               "labels": torch.tensor([[1], [2]])},
            "segmentation_masks": torch.randint(0, 3, (2, 16, 16, 1), generator=g)}


@pytest.mark.parametrize("make", COLOUR_LAYERS)
def test_colour_layers_pass_boxes_and_masks_through(make):
    torch.manual_seed(0)              # the layers draw from the global generator
    layer = make()
    data = _data()
    out = layer(data, training=True)
    assert torch.equal(out["bounding_boxes"]["boxes"], data["bounding_boxes"]["boxes"])
    assert torch.equal(out["bounding_boxes"]["labels"], data["bounding_boxes"]["labels"])
    assert torch.equal(out["segmentation_masks"], data["segmentation_masks"])
    # The images themselves are still transformed as for a plain tensor input.
    assert out["images"].shape == data["images"].shape
    assert not torch.equal(out["images"], data["images"])


def test_random_shear_moves_boxes_with_the_pixels():
    # A bright rectangle sheared with the layer: its new bounding box must be the one the
    # layer reports for the box (within a pixel of resampling blur).
    img = torch.zeros(4, 32, 32, 1)
    img[:, 10:20, 8:16] = 1.0
    box = torch.tensor([[[8.0, 10.0, 16.0, 20.0]]]).repeat(4, 1, 1)
    layer = L.RandomShear(x_factor=(0.3, 0.3), y_factor=(0.2, 0.2), interpolation="nearest",
                          fill_mode="constant", bounding_box_format="xyxy", seed=3)
    out = layer({"images": img, "segmentation_masks": img,
                 "bounding_boxes": {"boxes": box, "labels": torch.ones(4, 1)}}, training=True)
    assert torch.equal(out["segmentation_masks"], out["images"])
    for i in range(4):
        ys, xs = torch.nonzero(out["images"][i, :, :, 0] > 0.5, as_tuple=True)
        found = torch.tensor([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], dtype=torch.float32)
        assert torch.allclose(out["bounding_boxes"]["boxes"][i, 0], found, atol=1.01), i
    assert not torch.equal(out["bounding_boxes"]["boxes"], box)


def test_random_shear_inference_leaves_boxes():
    layer = L.RandomShear(0.3, 0.3, bounding_box_format="xyxy")
    data = _data()
    out = layer(data, training=False)
    assert torch.equal(out["bounding_boxes"]["boxes"], data["bounding_boxes"]["boxes"])
    assert torch.equal(out["images"], data["images"])
