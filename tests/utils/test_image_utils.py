"""load_img / img_to_array / array_to_img / save_img against Keras 3."""
import io

import numpy as np
import pytest

from torchkeras.utils import array_to_img, img_to_array, load_img, save_img

pytest.importorskip("PIL")


def _image(shape=(9, 13, 3), seed=0):
    return np.random.default_rng(seed).integers(0, 256, size=shape).astype("float32")


@pytest.mark.keras_oracle
@pytest.mark.parametrize("shape", [(9, 13, 3), (9, 13, 4), (9, 13, 1)])
@pytest.mark.parametrize("scale", [True, False])
def test_array_to_img_and_back_match_keras(keras, shape, scale):
    x = _image(shape)
    ours, theirs = array_to_img(x, scale=scale), keras.utils.array_to_img(x, scale=scale)
    assert ours.mode == theirs.mode and ours.size == theirs.size
    np.testing.assert_array_equal(img_to_array(ours), keras.utils.img_to_array(theirs))
    np.testing.assert_array_equal(img_to_array(ours, data_format="channels_first"),
                                  keras.utils.img_to_array(theirs,
                                                           data_format="channels_first"))


@pytest.mark.keras_oracle
@pytest.mark.parametrize("kwargs", [
    {}, {"color_mode": "grayscale"}, {"color_mode": "rgba"},
    {"target_size": (5, 7)}, {"target_size": (5, 7), "interpolation": "bilinear"},
    {"target_size": (6, 6), "keep_aspect_ratio": True, "interpolation": "bicubic"}])
def test_load_img_matches_keras(keras, tmp_path, kwargs):
    path = tmp_path / "x.png"
    save_img(path, _image(), scale=False)
    np.testing.assert_array_equal(np.asarray(load_img(path, **kwargs)),
                                  np.asarray(keras.utils.load_img(str(path), **kwargs)))
    buffer = io.BytesIO(path.read_bytes())
    assert load_img(buffer, **kwargs).size == keras.utils.load_img(str(path), **kwargs).size


def test_save_img_jpeg_from_rgba_and_errors(tmp_path):
    with pytest.warns(UserWarning, match="RGBA"):
        save_img(tmp_path / "a.jpg", _image((4, 4, 4)))
    assert load_img(tmp_path / "a.jpg").size == (4, 4)
    with pytest.raises(ValueError, match="rank 3"):
        array_to_img(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="channel"):
        array_to_img(np.zeros((4, 4, 2)))
    with pytest.raises(ValueError, match="color_mode"):
        load_img(tmp_path / "a.jpg", color_mode="cmyk")
    with pytest.raises(ValueError, match="interpolation"):
        load_img(tmp_path / "a.jpg", target_size=(2, 2), interpolation="magic")
    with pytest.raises(TypeError, match="path"):
        load_img(123)


@pytest.mark.keras_oracle
@pytest.mark.parametrize("shape,size", [((9, 13, 3), (6, 6)), ((2, 9, 13, 3), (4, 8)),
                                        ((10, 4, 1), (5, 5))])
def test_smart_resize_matches_keras(keras, shape, size):
    from torchkeras.preprocessing.image import smart_resize
    x = _image(shape)
    ours, theirs = smart_resize(x, size), keras.preprocessing.image.smart_resize(x, size)
    assert isinstance(ours, np.ndarray) and ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours, np.asarray(theirs), rtol=1e-5, atol=1e-3)
