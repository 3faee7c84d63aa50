"""plot_image_gallery / plot_bounding_box_gallery / plot_segmentation_mask_gallery on the
Agg backend: the figures' grids, titles and pixels."""
import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from torchkeras import visualization  # noqa: E402


@pytest.fixture
def figures(monkeypatch):
    """Keeps the figures the functions would show, instead of showing them."""
    kept = []
    real_close = plt.close
    monkeypatch.setattr(plt, "show", lambda *a, **k: kept.append(plt.gcf()))
    monkeypatch.setattr(plt, "close", lambda *a, **k: None)
    yield kept
    for fig in kept:
        real_close(fig)


def _shown(ax):
    return ax.get_images()[0].get_array()


def test_image_gallery_grid_titles_and_range(figures):
    images = np.random.default_rng(0).random((4, 8, 8, 3)).astype("float32")
    visualization.plot_image_gallery(images, y_true=np.array([0, 1, 1, 0]),
                                     label_map={0: "cat", 1: "dog"}, value_range=(0, 1))
    fig = figures[0]
    axes = fig.axes
    assert len(axes) == 4
    assert axes[1].get_title() == "Label: dog"
    np.testing.assert_array_equal(_shown(axes[2]), (images[2] * 255).astype("uint8"))


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


def test_bounding_box_gallery_draws_both_kinds(figures):
    images = np.zeros((2, 16, 16, 3), "uint8")
    boxes = {"boxes": np.array([[[2, 2, 10, 10]], [[4, 4, 12, 12]]], "float32"),
             "labels": np.array([[0], [0]])}
    visualization.plot_bounding_box_gallery(images, "xyxy", y_true=boxes, y_pred=boxes,
                                            legend=True, rows=1, cols=2, line_thickness=1)
    fig = figures[0]
    assert len(fig.axes) == 2 and len(fig.legends) == 1
    shown = _shown(fig.axes[0])
    # predictions are drawn last, over the ground truth
    assert tuple(shown[2, 5]) == (255, 235, 59)
    with pytest.raises(ValueError, match="legend"):
        visualization.plot_bounding_box_gallery(images, "xyxy", legend=True,
                                                legend_handles=[object()])


def test_segmentation_gallery_rows(figures):
    images = np.full((2, 4, 4, 3), 50, "uint8")
    masks = np.ones((2, 4, 4, 1), "int32")
    visualization.plot_segmentation_mask_gallery(images, num_classes=2, y_true=masks,
                                                 y_pred=masks * 0, alpha=1.0)
    fig = figures[0]
    assert len(fig.axes) == 6          # 2 rows x (image, true, predicted)
    assert tuple(_shown(fig.axes[1])[0, 0]) == (1, 127, 31)
    assert tuple(_shown(fig.axes[2])[0, 0]) == (0, 0, 0)
    assert tuple(_shown(fig.axes[0])[0, 0]) == (50, 50, 50)


def _figure_content(fig):
    return ([ax.get_title() for ax in fig.axes],
            [np.asarray(ax.get_images()[0].get_array()) for ax in fig.axes if ax.get_images()])


@pytest.mark.keras_oracle
@pytest.mark.parametrize("kwargs", [
    {"value_range": (0, 1), "y_true": np.array([0, 1, 1, 0, 1]),
     "y_pred": np.array([1, 1, 0, 0, 1]), "label_map": {0: "cat", 1: "dog"}},
    {"rows": 1, "cols": 3},
])
def test_image_gallery_matches_keras(keras, figures, kwargs):
    images = np.random.default_rng(0).random((5, 6, 6, 3)).astype("float32")
    if "value_range" not in kwargs:
        images = (images * 255).astype("uint8")
    keras.visualization.plot_image_gallery(images, **kwargs)
    visualization.plot_image_gallery(images, **kwargs)
    (want_titles, want_images), (got_titles, got_images) = map(_figure_content, figures)
    assert got_titles == want_titles
    assert len(got_images) == len(want_images)
    for got, want in zip(got_images, want_images):
        np.testing.assert_array_equal(got, want)


@pytest.mark.keras_oracle
def test_segmentation_gallery_matches_keras(keras, figures):
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (2, 5, 5, 3)).astype("uint8")
    y_true = rng.integers(0, 3, (2, 5, 5, 1)).astype("int32")
    y_pred = rng.integers(0, 3, (2, 5, 5, 1)).astype("int32")
    kwargs = {"num_classes": 3, "y_true": y_true, "y_pred": y_pred, "alpha": 0.5}
    keras.visualization.plot_segmentation_mask_gallery(images, **kwargs)
    visualization.plot_segmentation_mask_gallery(images, **kwargs)
    (_, want_images), (_, got_images) = map(_figure_content, figures)
    assert len(got_images) == len(want_images) == 6
    for got, want in zip(got_images, want_images):
        np.testing.assert_array_equal(got, want)
