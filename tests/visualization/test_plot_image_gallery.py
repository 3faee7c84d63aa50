"""plot_image_gallery on Agg: grid, titles, shown pixels; Keras oracle."""
import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from torchkeras import visualization  # noqa: E402


def test_image_gallery_grid_titles_and_range(figures, shown_image):
    images = np.random.default_rng(0).random((4, 8, 8, 3)).astype("float32")
    visualization.plot_image_gallery(images, y_true=np.array([0, 1, 1, 0]),
                                     label_map={0: "cat", 1: "dog"}, value_range=(0, 1))
    fig = figures[0]
    axes = fig.axes
    assert len(axes) == 4
    assert axes[1].get_title() == "Label: dog"
    np.testing.assert_array_equal(shown_image(axes[2]), (images[2] * 255).astype("uint8"))


def test_image_gallery_saves_file(tmp_path):
    path = tmp_path / "grid.png"
    visualization.plot_image_gallery(np.zeros((3, 3, 8, 8), "uint8"), path=str(path),
                                     data_format="channels_first")
    assert path.stat().st_size > 0


def test_image_gallery_bad_arguments():
    with pytest.raises(ValueError, match="label_map"):
        visualization.plot_image_gallery(np.zeros((1, 4, 4, 3)), y_true=[0])
    with pytest.raises(ValueError, match="path"):
        visualization.plot_image_gallery(np.zeros((1, 4, 4, 3)), path="x.png", show=True)
    with pytest.raises(ValueError, match="batch"):
        visualization.plot_image_gallery(np.zeros((4, 4, 3)))


@pytest.mark.keras_oracle
@pytest.mark.parametrize("kwargs", [
    {"value_range": (0, 1), "y_true": np.array([0, 1, 1, 0, 1]),
     "y_pred": np.array([1, 1, 0, 0, 1]), "label_map": {0: "cat", 1: "dog"}},
    {"rows": 1, "cols": 3},
])
def test_image_gallery_matches_keras(keras, figures, kwargs, figure_content):
    images = np.random.default_rng(0).random((5, 6, 6, 3)).astype("float32")
    if "value_range" not in kwargs:
        images = (images * 255).astype("uint8")
    keras.visualization.plot_image_gallery(images, **kwargs)
    visualization.plot_image_gallery(images, **kwargs)
    (want_titles, want_images), (got_titles, got_images) = map(figure_content, figures)
    assert got_titles == want_titles
    assert len(got_images) == len(want_images)
    for got, want in zip(got_images, want_images):
        np.testing.assert_array_equal(got, want)
