"""plot_segmentation_mask_gallery on Agg: rows of image / true / predicted; Keras oracle."""
import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from torchkeras import visualization  # noqa: E402


def test_segmentation_gallery_rows(figures, shown_image):
    images = np.full((2, 4, 4, 3), 50, "uint8")
    masks = np.ones((2, 4, 4, 1), "int32")
    visualization.plot_segmentation_mask_gallery(images, num_classes=2, y_true=masks,
                                                 y_pred=masks * 0, alpha=1.0)
    fig = figures[0]
    assert len(fig.axes) == 6          # 2 rows x (image, true, predicted)
    assert tuple(shown_image(fig.axes[1])[0, 0]) == (1, 127, 31)
    assert tuple(shown_image(fig.axes[2])[0, 0]) == (0, 0, 0)
    assert tuple(shown_image(fig.axes[0])[0, 0]) == (50, 50, 50)


@pytest.mark.keras_oracle
def test_segmentation_gallery_matches_keras(keras, figures, figure_content):
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (2, 5, 5, 3)).astype("uint8")
    y_true = rng.integers(0, 3, (2, 5, 5, 1)).astype("int32")
    y_pred = rng.integers(0, 3, (2, 5, 5, 1)).astype("int32")
    kwargs = {"num_classes": 3, "y_true": y_true, "y_pred": y_pred, "alpha": 0.5}
    keras.visualization.plot_segmentation_mask_gallery(images, **kwargs)
    visualization.plot_segmentation_mask_gallery(images, **kwargs)
    (_, want_images), (_, got_images) = map(figure_content, figures)
    assert len(got_images) == len(want_images) == 6
    for got, want in zip(got_images, want_images):
        np.testing.assert_array_equal(got, want)
