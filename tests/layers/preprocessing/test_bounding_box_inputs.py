"""Dict inputs of the image layers (images / labels / bounding_boxes / segmentation_masks),
the box format helpers and MaxNumBoundingBoxes, checked against Keras 3."""
import numpy as np
import pytest
import torch

from torchkeras import layers
from torchkeras.layers.preprocessing.base_image_layer import BaseImageLayer
from torchkeras.testing import run_layer_test
from torchkeras.layers.preprocessing.bounding_boxes_ops import (FORMATS, clip_xyxy, from_xyxy,
                                                                to_xyxy)

H, W = 6, 8
XYXY = np.array([[[1, 2, 4, 5], [0, 0, 8, 6], [6, 1, 8, 3]],
                 [[2, 1, 3, 3], [5, 5, 5, 6], [0, 4, 2, 6]]], "float32")
LABELS = np.array([[1, 2, 3], [4, 5, 6]])


def _np(t):
    return t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)


def _boxes_in(fmt):
    return _np(from_xyxy(torch.as_tensor(XYXY), fmt, H, W))


# ---------------------------------------------------------------- formats
@pytest.mark.keras_oracle
@pytest.mark.parametrize("fmt", FORMATS)
def test_format_conversion_matches_keras(keras, fmt):
    convert = keras.utils.bounding_boxes.convert_format
    expected = _np(convert(XYXY.copy(), "xyxy", fmt, height=H, width=W))
    np.testing.assert_allclose(_boxes_in(fmt), expected, rtol=1e-6, atol=1e-6)
    back = to_xyxy(torch.as_tensor(expected), fmt, H, W)
    np.testing.assert_allclose(_np(back), XYXY, atol=1e-5)


def test_clip_marks_empty_boxes():
    boxes, labels = clip_xyxy(torch.tensor([[-2.0, 1, 3, 9], [9, 1, 12, 3]]),
                              torch.tensor([7, 8]), 6, 8)
    assert boxes.tolist() == [[0, 1, 3, 6], [8, 1, 8, 3]]
    assert labels.tolist() == [7, -1]


# ---------------------------------------------------------------- RandomFlip
def _flip_data(fmt, seed=0):
    rng = np.random.default_rng(seed)
    return {"images": rng.uniform(size=(2, H, W, 3)).astype("float32"),
            "labels": np.eye(2, dtype="float32"),
            "bounding_boxes": {"boxes": _boxes_in(fmt), "labels": LABELS.copy()},
            "segmentation_masks": rng.integers(0, 4, size=(2, H, W, 1)).astype("float32")}


@pytest.mark.keras_oracle
@pytest.mark.parametrize("mode", ["horizontal", "vertical", "horizontal_and_vertical"])
@pytest.mark.parametrize("fmt", ["xyxy", "rel_xyxy", "center_xywh", "yxyx", "rel_xywh"])
def test_flip_boxes_match_keras_for_the_same_flips(keras, mode, fmt):
    data = _flip_data(fmt)
    flip_dims = {"horizontal": (2,), "vertical": (1,), "horizontal_and_vertical": (1, 2)}[mode]
    layer = layers.RandomFlip(mode, seed=3, bounding_box_format=fmt)
    out = None
    for _ in range(8):   # a few calls until the batch holds a flipped and an unflipped image
        out = layer({k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()})
        flipped = [bool(np.array_equal(_np(out["images"][i]), np.flip(data["images"][i],
                                                                      [d - 1 for d in flip_dims])))
                   for i in range(2)]
        if flipped[0] != flipped[1]:
            break
    assert flipped[0] != flipped[1]
    for i in range(2):
        same = _np(out["images"][i]) == data["images"][i]
        assert flipped[i] or same.all()
        expected_mask = np.flip(data["segmentation_masks"][i], [d - 1 for d in flip_dims]) \
            if flipped[i] else data["segmentation_masks"][i]
        np.testing.assert_array_equal(_np(out["segmentation_masks"][i]), expected_mask)
    np.testing.assert_array_equal(_np(out["labels"]), data["labels"])
    k_layer = keras.layers.RandomFlip(mode, bounding_box_format=fmt)
    transformation = {"flips": np.array(flipped).reshape(2, 1, 1, 1),
                      "input_shape": data["images"].shape}
    expected = k_layer.transform_bounding_boxes(
        {"boxes": keras.ops.convert_to_tensor(data["bounding_boxes"]["boxes"]),
         "labels": keras.ops.convert_to_tensor(LABELS)}, transformation, training=True)
    np.testing.assert_allclose(_np(out["bounding_boxes"]["boxes"]), _np(expected["boxes"]),
                               atol=1e-5)
    np.testing.assert_array_equal(_np(out["bounding_boxes"]["labels"]), _np(expected["labels"]))


def test_flip_clips_boxes_outside_the_image():
    # Keras clips relative coordinates to [0, width] here (a no-op); these are clipped to
    # the image, so a box hanging over the edge stays inside it after the flip.
    layer = layers.RandomFlip("horizontal", bounding_box_format="xyxy")
    boxes = {"boxes": torch.tensor([[[6.0, 1, 10, 3], [9, 1, 12, 2]]]),
             "labels": torch.tensor([[1, 2]])}
    out = layer.transform_bounding_boxes(boxes, torch.tensor([[True]]), True, H, W)
    assert out["boxes"].tolist() == [[[0.0, 1, 2, 3], [0, 1, 0, 2]]]
    assert out["labels"].tolist() == [[1, -1]]


def test_flip_single_image_dict_and_inference_identity():
    layer = layers.RandomFlip("horizontal", bounding_box_format="xyxy")
    img = torch.rand(H, W, 3)
    boxes = {"boxes": torch.tensor([[1.0, 2, 3, 4]]), "labels": torch.tensor([5])}
    outs = [layer({"images": img, "bounding_boxes": boxes}, training=True) for _ in range(12)]
    seen = set()
    for out in outs:
        assert out["images"].shape == (H, W, 3)
        b = out["bounding_boxes"]["boxes"].tolist()
        if torch.equal(out["images"], img.flip(1)):
            assert b == [[5.0, 2, 7, 4]]
            seen.add("flipped")
        else:
            assert torch.equal(out["images"], img) and b == [[1.0, 2, 3, 4]]
            seen.add("same")
    assert seen == {"flipped", "same"}
    out = layer({"images": img, "bounding_boxes": boxes}, training=False)
    assert torch.equal(out["images"], img)
    assert torch.equal(out["bounding_boxes"]["boxes"], boxes["boxes"])


def test_dict_input_is_not_modified_and_other_keys_pass_through():
    layer = layers.RandomFlip(bounding_box_format="xyxy", seed=1)
    data = {"images": torch.rand(2, H, W, 3), "extra": torch.arange(3),
            "bounding_boxes": {"boxes": torch.as_tensor(XYXY), "labels": torch.as_tensor(LABELS)}}
    before = data["images"].clone()
    out = layer(data)
    assert out is not data and torch.equal(data["images"], before)
    assert torch.equal(out["extra"], data["extra"])


@pytest.mark.keras_oracle
def test_missing_box_format_raises_like_keras(keras):
    data = {"images": np.zeros((2, H, W, 3), "float32"),
            "bounding_boxes": {"boxes": XYXY.copy(), "labels": LABELS.copy()}}
    with pytest.raises(ValueError, match="bounding_box_format"):
        keras.layers.RandomFlip()(data)
    layer = layers.RandomFlip(seed=0)
    state = layer._rng.generator(torch.device("cpu")).get_state()
    with pytest.raises(ValueError, match="bounding_box_format"):
        layer(data)
    # nothing was drawn before the error
    assert torch.equal(layer._rng.generator(torch.device("cpu")).get_state(), state)


def test_bad_box_inputs_raise_value_errors():
    layer = layers.RandomFlip(bounding_box_format="xyxy")
    img = torch.zeros(2, H, W, 3)
    with pytest.raises(ValueError, match="boxes"):
        layer({"images": img, "bounding_boxes": {"boxes": torch.zeros(2, 3, 5),
                                                 "labels": torch.zeros(2, 3)}})
    with pytest.raises(ValueError, match="labels"):
        layer({"images": img, "bounding_boxes": {"boxes": torch.zeros(2, 3, 4)}})
    with pytest.raises(ValueError, match="labels"):
        layer({"images": img, "bounding_boxes": {"boxes": torch.zeros(2, 3, 4),
                                                 "labels": torch.zeros(2, 2)}})
    with pytest.raises(ValueError, match="images"):
        layer({"labels": torch.zeros(2)})
    with pytest.raises(ValueError, match="bounding_box_format"):
        layers.RandomFlip(bounding_box_format="xyz")


def test_images_only_layers_in_dict_calls():
    """A layer that only overrides ``transform`` serves dicts: labels pass through, boxes
    and masks raise until it implements their hooks (colour layers pass them through)."""
    class Negate(BaseImageLayer):
        def transform(self, images, training):
            return -images if training else images

    data = {"images": torch.rand(2, H, W, 3), "labels": torch.eye(2),
            "bounding_boxes": {"boxes": torch.as_tensor(XYXY), "labels": torch.as_tensor(LABELS)}}
    layer = Negate(bounding_box_format="xyxy")
    out = layer({"images": data["images"], "labels": data["labels"]}, training=True)
    assert torch.equal(out["images"], -data["images"]) and torch.equal(out["labels"], torch.eye(2))
    with pytest.raises(NotImplementedError, match="Negate"):
        layer(data, training=True)
    out = layer(data, training=False)
    assert torch.equal(out["bounding_boxes"]["boxes"], data["bounding_boxes"]["boxes"])
    for colour in (layers.RandomBrightness(0.2, bounding_box_format="xyxy"),
                   layers.RandomContrast(0.2, bounding_box_format="xyxy")):
        out = colour(dict(data, segmentation_masks=torch.ones(2, H, W, 1)), training=True)
        assert torch.equal(out["bounding_boxes"]["boxes"], data["bounding_boxes"]["boxes"])
        assert torch.equal(out["segmentation_masks"], torch.ones(2, H, W, 1))


# ---------------------------------------------------------------- MaxNumBoundingBoxes
@pytest.mark.keras_oracle
@pytest.mark.parametrize("max_number,fill_value", [(5, -1), (2, -7), (3, 0)])
@pytest.mark.parametrize("batched", [True, False])
def test_max_num_bounding_boxes_matches_keras(keras, max_number, fill_value, batched):
    boxes, labels = (XYXY, LABELS) if batched else (XYXY[0], LABELS[0])
    images = np.random.default_rng(0).integers(0, 255, (2, H, W, 3) if batched else (H, W, 3))
    images = images.astype("uint8")
    kw = dict(max_number=max_number, fill_value=fill_value, bounding_box_format="xyxy")
    expected = keras.layers.MaxNumBoundingBoxes(**kw)(
        {"images": images, "bounding_boxes": {"boxes": boxes.copy(), "labels": labels.copy()}})
    got = layers.MaxNumBoundingBoxes(**kw)(
        {"images": images, "bounding_boxes": {"boxes": boxes.copy(), "labels": labels.copy()}})
    for key in ("boxes", "labels"):
        np.testing.assert_array_equal(_np(got["bounding_boxes"][key]),
                                      _np(expected["bounding_boxes"][key]))
    np.testing.assert_array_equal(_np(got["images"]), _np(expected["images"]))
    assert got["images"].dtype == torch.uint8
    k_cfg = keras.layers.MaxNumBoundingBoxes(**kw).get_config()
    ours = layers.MaxNumBoundingBoxes(**kw).get_config()
    assert ours.pop("fill_value") == fill_value   # kept for the round trip (Keras drops it)
    assert {k: v for k, v in ours.items() if k not in ("name", "dtype")} == \
        {k: v for k, v in k_cfg.items() if k not in ("name", "dtype")}


def test_max_num_bounding_boxes_shapes_and_args():
    layer = layers.MaxNumBoundingBoxes(4, bounding_box_format="xyxy")
    shape = layer.compute_output_shape({"images": (2, H, W, 3),
                                        "bounding_boxes": {"boxes": (2, 9, 4), "labels": (2, 9)}})
    assert shape["bounding_boxes"] == {"boxes": (2, 4, 4), "labels": (2, 4)}
    clone = layers.MaxNumBoundingBoxes.from_config(
        layers.MaxNumBoundingBoxes(4, fill_value=-3, bounding_box_format="xyxy").get_config())
    assert clone.fill_value == -3 and clone.max_number == 4
    x = torch.rand(2, H, W, 3)
    assert layer(x) is x
    for bad in (0, -2, 2.5, "3", True):
        with pytest.raises(ValueError, match="max_number"):
            layers.MaxNumBoundingBoxes(bad)


# ---------------------------------------------------------------- crops and resizing
RESIZE_CASES = [("Resizing", {"height": 8, "width": 8}),
                ("Resizing", {"height": 8, "width": 6, "crop_to_aspect_ratio": True}),
                ("Resizing", {"height": 6, "width": 8, "pad_to_aspect_ratio": True}),
                ("CenterCrop", {"height": 8, "width": 6}),
                ("CenterCrop", {"height": 14, "width": 11})]


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name,kwargs", RESIZE_CASES)
@pytest.mark.parametrize("fmt", ["xyxy", "rel_xyxy", "xywh"])
def test_resize_and_center_crop_boxes_match_keras(keras, name, kwargs, fmt):
    # Shapes where Keras's box arithmetic (ideal aspect windows) and the image's pixel
    # windows coincide; elsewhere the boxes here follow the image pixels (see below).
    h, w = 12, 16
    boxes = np.array([[[1, 2, 7, 9], [3, 0, 16, 12], [0, 0, 0, 0]]], "float32")
    boxes = _np(from_xyxy(torch.as_tensor(boxes), fmt, h, w))
    images = np.random.default_rng(0).uniform(size=(1, h, w, 3)).astype("float32")

    def data():
        return {"images": images.copy(), "segmentation_masks": images[..., :1].copy(),
                "bounding_boxes": {"boxes": boxes.copy(), "labels": np.array([[1, 2, 3]])}}

    expected = getattr(keras.layers, name)(bounding_box_format=fmt, **kwargs)(data())
    got = getattr(layers, name)(bounding_box_format=fmt, **kwargs)(data())
    np.testing.assert_allclose(_np(got["bounding_boxes"]["boxes"]),
                               _np(expected["bounding_boxes"]["boxes"]), atol=1e-4)
    np.testing.assert_array_equal(_np(got["bounding_boxes"]["labels"]),
                                  _np(expected["bounding_boxes"]["labels"]))
    np.testing.assert_allclose(_np(got["images"]), _np(expected["images"]), atol=1e-5)
    np.testing.assert_allclose(_np(got["segmentation_masks"]),
                               _np(expected["segmentation_masks"]), atol=1e-5)


def _patch_image(h, w, box):
    x0, y0, x1, y1 = box
    img = torch.zeros(1, h, w, 1)
    img[:, y0:y1, x0:x1] = 1.0
    return img


@pytest.mark.parametrize("name,kwargs,shape", [
    ("Resizing", {"height": 8, "width": 6, "crop_to_aspect_ratio": True}, (10, 10)),
    ("Resizing", {"height": 8, "width": 6, "pad_to_aspect_ratio": True}, (10, 10)),
    ("Resizing", {"height": 6, "width": 8, "pad_to_aspect_ratio": True}, (12, 16)),
    ("RandomCrop", {"height": 9, "width": 7}, (20, 16)),
    ("RandomCrop", {"height": 12, "width": 9}, (10, 10)),
    ("CenterCrop", {"height": 9, "width": 7}, (20, 16)),
    ("RandomTranslation", {"height_factor": (0.25, 0.25), "width_factor": (-0.125, -0.125)},
     (20, 24)),
    ("RandomTranslation", {"height_factor": 0.3, "width_factor": 0.3}, (20, 24)),
    ("RandomZoom", {"height_factor": (0.5, 0.5), "width_factor": (-0.25, -0.25)}, (20, 24)),
    ("RandomZoom", {"height_factor": 0.4}, (21, 17)),
    ("RandomRotation", {"factor": (0.25, 0.25)}, (20, 24)),
    ("RandomRotation", {"factor": (0.5, 0.5)}, (21, 17)),
])
def test_boxes_keep_bounding_their_pixels(name, kwargs, shape):
    """A box drawn as a bright patch is still bounded by its transformed box (nearest
    resampling, so patch pixels map to whole output pixels)."""
    h, w = shape
    box = (2, 3, 8, 9)
    kw = dict(kwargs, bounding_box_format="xyxy")
    if name in ("Resizing", "RandomTranslation", "RandomZoom", "RandomRotation"):
        kw["interpolation"] = "nearest"
    if name.startswith("RandomT") or name.startswith("RandomZ") or name.startswith("RandomR"):
        kw.update(fill_mode="constant", seed=1)
    layer = getattr(layers, name)(**kw)
    for _ in range(4):
        img = _patch_image(h, w, box)
        out = layer({"images": img, "segmentation_masks": img,
                     "bounding_boxes": {"boxes": torch.tensor([[list(map(float, box))]]),
                                        "labels": torch.tensor([[1]])}}, training=True)
        if name != "Resizing":   # (Resizing's masks are nearest, its images bilinear)
            torch.testing.assert_close(out["segmentation_masks"], out["images"])
        ys, xs = torch.nonzero(out["images"][0, ..., 0] > 0.5, as_tuple=True)
        x0, y0, x1, y1 = out["bounding_boxes"]["boxes"][0, 0].tolist()
        if len(xs) == 0:
            assert out["bounding_boxes"]["labels"][0, 0] == -1 or (x1 - x0) * (y1 - y0) < 1
            continue
        # Pixel i covers [i, i + 1); resampling lights a pixel whose centre falls in the
        # patch, so the patch and its box agree to half a pixel.
        tol = 0.5 + 1e-4
        assert abs(float(xs.min()) - x0) <= tol and abs(float(xs.max()) + 1 - x1) <= tol
        assert abs(float(ys.min()) - y0) <= tol and abs(float(ys.max()) + 1 - y1) <= tol


def test_random_crop_boxes_follow_each_images_window():
    layer = layers.RandomCrop(6, 6, seed=0, bounding_box_format="xyxy")
    img = torch.arange(16 * 16, dtype=torch.float32).view(1, 16, 16, 1).repeat(4, 1, 1, 1)
    boxes = torch.tensor([[[4.0, 5.0, 9.0, 11.0]]]).repeat(4, 1, 1)
    out = layer({"images": img, "bounding_boxes": {"boxes": boxes,
                                                   "labels": torch.ones(4, 1, dtype=torch.long)}})
    for i in range(4):
        top, left = divmod(int(out["images"][i, 0, 0, 0]), 16)
        expect = torch.tensor([4.0 - left, 5.0 - top, 9.0 - left, 11.0 - top]).clamp(0, 6)
        torch.testing.assert_close(out["bounding_boxes"]["boxes"][i, 0], expect)
    same = layer({"images": img, "bounding_boxes": {"boxes": boxes, "labels": torch.ones(4, 1)}},
                 training=False)
    assert torch.equal(same["bounding_boxes"]["boxes"], boxes)


def test_max_num_bounding_boxes_layer_test():
    run_layer_test(layers.MaxNumBoundingBoxes, {"max_number": 3, "bounding_box_format": "xyxy"},
                   input_shape=(2, 6, 5, 3), expected_output_shape=(2, 6, 5, 3),
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0)


def test_per_class_box_labels():
    boxes = {"boxes": torch.tensor([[[1.0, 1, 3, 3], [9, 1, 12, 3]]]),
             "labels": torch.tensor([[[0.0, 1.0], [1.0, 0.0]]])}
    out = layers.RandomFlip("vertical", bounding_box_format="xyxy").transform_bounding_boxes(
        boxes, torch.tensor([[False]]), True, H, W)
    assert out["labels"].tolist() == [[[0.0, 1.0], [-1.0, -1.0]]]   # the box outside is empty
    padded = layers.MaxNumBoundingBoxes(3, bounding_box_format="xyxy")(
        {"images": torch.zeros(1, H, W, 3), "bounding_boxes": boxes})["bounding_boxes"]
    assert padded["labels"].shape == (1, 3, 2) and padded["labels"][0, 2].tolist() == [-1, -1]


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name,kwargs", [
    ("RandomRotation", {"factor": (0.25, 0.25)}), ("RandomRotation", {"factor": (0.5, 0.5)}),
    ("RandomZoom", {"height_factor": (-0.5, -0.5)}),
    ("RandomTranslation", {"height_factor": (0.25, 0.25), "width_factor": (-0.125, -0.125)})])
def test_affine_boxes_are_exact_where_pixels_map_to_pixels(keras, name, kwargs):
    """Quarter/half turns, zoom x2 and whole-pixel shifts move pixels onto pixels: the box
    of a bright patch must become exactly the box of the moved patch. Keras's images
    agree with these (its boxes, which treat box edges as pixel centres, are off by up to
    a pixel here)."""
    h, w = 20, 24
    img = _patch_image(h, w, (2, 3, 8, 9)).numpy()
    kw = dict(kwargs, bounding_box_format="xyxy", interpolation="nearest", fill_mode="constant")
    data = {"images": img, "bounding_boxes": {"boxes": np.array([[[2.0, 3, 8, 9]]], "float32"),
                                              "labels": np.array([[1]])}}
    out = getattr(layers, name)(**kw)(data, training=True)
    k_img = _np(getattr(keras.layers, name)(**kw)({"images": img.copy()}, training=True)["images"])
    np.testing.assert_allclose(_np(out["images"]), k_img, atol=1e-6)
    ys, xs = np.nonzero(k_img[0, ..., 0] > 0.5)
    np.testing.assert_allclose(_np(out["bounding_boxes"]["boxes"])[0, 0],
                               [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], atol=1e-4)
