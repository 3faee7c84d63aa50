import numpy as np
import pytest

import torchkeras
from torchkeras import utils


def test_windows_targets_and_batches():
    data, targets = np.arange(10), np.arange(10) * 10
    ds = utils.timeseries_dataset_from_array(data, targets, sequence_length=3,
                                             sequence_stride=2, sampling_rate=2, batch_size=2)
    # starts 0, 2, 4 (a window spans (3 - 1) * 2 + 1 = 5 steps, so the last start is 5)
    assert len(ds) == 2
    x0, y0 = ds[0]
    np.testing.assert_array_equal(x0, [[0, 2, 4], [2, 4, 6]])
    np.testing.assert_array_equal(y0, [0, 20])
    x1, y1 = ds[1]
    np.testing.assert_array_equal(x1, [[4, 6, 8]])
    np.testing.assert_array_equal(y1, [40])
    single = utils.timeseries_dataset_from_array(data, None, 4, batch_size=None,
                                                 start_index=2, end_index=8)
    assert len(single) == 3
    np.testing.assert_array_equal(single[2], [4, 5, 6, 7])


def test_shuffle_is_a_seeded_permutation_and_fit_accepts_it():
    data = np.random.rand(40, 2).astype("float32")
    ds = utils.timeseries_dataset_from_array(data, np.zeros((40, 1), "float32"), 5,
                                             batch_size=8, shuffle=True, seed=3)
    again = utils.timeseries_dataset_from_array(data, np.zeros((40, 1), "float32"), 5,
                                                batch_size=8, shuffle=True, seed=3)
    np.testing.assert_array_equal(ds[0][0], again[0][0])
    assert sorted(ds.starts.tolist()) == list(range(36))
    torchkeras.config.set_device("cpu")
    try:
        model = torchkeras.Sequential([torchkeras.Input((5, 2)), torchkeras.layers.Flatten(),
                                       torchkeras.layers.Dense(1)])
        model.compile("sgd", "mse")
        history = model.fit(ds, epochs=1, verbose=0)
        assert len(history.history["loss"]) == 1
    finally:
        torchkeras.config.set_device(None)


def test_bad_arguments():
    with pytest.raises(ValueError, match="sequence_length"):
        utils.timeseries_dataset_from_array(np.arange(5), None, 0)
    with pytest.raises(ValueError, match="same number of time steps"):
        utils.timeseries_dataset_from_array(np.arange(5), np.arange(4), 2)
    with pytest.raises(ValueError, match="start_index"):
        utils.timeseries_dataset_from_array(np.arange(5), None, 2, start_index=7)
