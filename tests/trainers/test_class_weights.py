"""fit(class_weight=...) refuses entries that name no class, before any training."""
import numpy as np
import pytest
import torch

import torchkeras as tk
from torchkeras.trainers.class_weights import validate_class_weight


def _model(units=3, act="softmax"):
    m = tk.Sequential([tk.Input((4,)), tk.layers.Dense(units, activation=act)])
    m.compile("sgd", "sparse_categorical_crossentropy" if units > 1 else "binary_crossentropy")
    return m


def _xy(classes=3):
    rng = np.random.default_rng(0)
    return rng.normal(size=(16, 4)).astype("float32"), rng.integers(0, classes, size=16)


@pytest.mark.parametrize("cw, match", [
    ({0: 1.0, 3: 2.0}, "class 3.*3 classes"),
    ({0: 1.0, "1": 2.0}, "'1' is not a class index"),
    ({-1: 2.0}, "-1 is not a class index"),
    ({0.5: 2.0}, "0.5 is not a class index"),
    ({0: "heavy"}, r"class_weight\[0\] must be a number"),
    ([1.0, 2.0], "must be a dict"),
])
def test_bad_class_weight_is_refused_before_training(cw, match):
    m = _model()
    x, y = _xy()
    before = [w.copy() for w in m.get_weights()]
    with pytest.raises(ValueError, match=match):
        m.fit(x, y, class_weight=cw, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, m.get_weights()))
    assert int(m.optimizer.iterations) == 0


def test_binary_output_has_two_classes():
    m = _model(1, "sigmoid")
    x, y = _xy(2)
    m.fit(x, y.astype("float32"), class_weight={0: 1.0, 1: 4.0}, verbose=0)
    with pytest.raises(ValueError, match="class 2"):
        m.fit(x, y.astype("float32"), class_weight={0: 1.0, 2: 4.0}, verbose=0)


def test_one_hot_targets_and_subclassed_models_and_datasets():
    x, y = _xy()
    onehot = np.eye(3, dtype="float32")[y]
    m = tk.Sequential([tk.Input((4,)), tk.layers.Dense(3, activation="softmax")])
    m.compile("sgd", "categorical_crossentropy")
    with pytest.raises(ValueError, match="class 5"):
        m.fit(x, onehot, class_weight={5: 1.0}, verbose=0)

    class Net(tk.Model):
        def __init__(self):
            super().__init__()
            self.d = tk.layers.Dense(3, activation="softmax")

        def call(self, t):
            return self.d(t)
    net = Net()
    net.compile("sgd", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="class 3"):
        net.fit(x, y, class_weight={3: 1.0}, verbose=0)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)), batch_size=8)
    net2 = Net()
    net2.compile("sgd", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="class 4"):
        net2.fit(loader, class_weight={0: 1.0, 4: 1.0}, verbose=0)
    net2.fit(loader, class_weight={0: 1.0, 2: 3.0}, verbose=0)   # valid: trains


@pytest.mark.keras_oracle
def test_valid_class_weight_trains_as_keras_does(keras):
    x, y = _xy()
    km = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    tm = _model()
    tm.set_weights(km.get_weights())
    km.compile("sgd", "sparse_categorical_crossentropy")
    cw = {0: 1.0, 1: 0.5, 2: 3.0}
    kh = km.fit(x, y, class_weight=cw, batch_size=8, shuffle=False, epochs=2, verbose=0)
    th = tm.fit(x, y, class_weight=cw, batch_size=8, shuffle=False, epochs=2, verbose=0)
    np.testing.assert_allclose(th.history["loss"], kh.history["loss"], rtol=1e-5)


def test_validate_class_weight_unknown_class_count():
    validate_class_weight({0: 1.0, 7: 2.0}, None)          # only the form is checked
    validate_class_weight({np.int64(1): np.float32(2.0), 0.0: 1}, 2)


def test_train_on_batch_checks_class_weight_too():
    m = _model()
    x, y = _xy()
    with pytest.raises(ValueError, match="class 7"):
        m.train_on_batch(x, y, class_weight={7: 2.0})
    assert int(m.optimizer.iterations) == 0
    m.train_on_batch(x, y, class_weight={2: 2.0})
    assert int(m.optimizer.iterations) == 1
