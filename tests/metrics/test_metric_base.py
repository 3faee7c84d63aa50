"""The Metric contract (state as module parameters, device, naming, config) and the
reduction metrics Sum, Mean and MeanMetricWrapper."""
import numpy as np
import pytest
import torch

import torchkeras as tk
from torchkeras.variables import Variable


class MeanAbsErr(tk.metrics.Metric):
    def __init__(self, name="mean_abs_err", **kwargs):
        super().__init__(name=name, **kwargs)
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.total.assign_add(torch.sum(torch.abs(torch.as_tensor(y_true) - torch.as_tensor(y_pred))))

    def result(self):
        return self.total * 1.0

    def reset_state(self):
        self.total.assign(0.0)


def test_custom_subclass_contract():
    m = MeanAbsErr()
    assert isinstance(m, torch.nn.Module)
    assert m.name == "mean_abs_err" and m.dtype == "float32"
    m.update_state([1.0, 2.0], [0.0, 0.5])
    out = m(torch.tensor([1.0]), torch.tensor([3.0]))
    assert float(out) == pytest.approx(4.5)
    assert [v.name for v in m.variables] == ["total"]
    assert isinstance(m.total, Variable) and m.total.trainable is False
    assert not m.total.requires_grad
    assert list(m.state_dict()) == ["total"]
    assert list(m.parameters()) == [m.total]
    m.reset_states()
    assert float(m.result()) == 0.0
    assert repr(m) == "<MeanAbsErr name=mean_abs_err>"
    assert m.get_config() == {"name": "mean_abs_err", "dtype": "float32"}
    clone = MeanAbsErr.from_config(m.get_config())
    assert clone.name == m.name


def test_attributes_before_super_init_and_add_weight():
    class Early(tk.metrics.Metric):
        def __init__(self):
            self.scale = 3.0
            super().__init__(name="early")
            self.a = self.add_weight(shape=(2,), initializer="ones", name="acc")
            self.b = self.add_weight(name="b", dtype="float64")

        def update_state(self, x):
            self.a.assign_add(torch.as_tensor(x) * self.scale)

        def result(self):
            return self.a.sum()

    m = Early()
    assert [k for k, _ in m.named_parameters()] == ["a", "b"]
    assert m.b.dtype == torch.float64 and m.b.shape == ()
    m.update_state([1.0, 1.0])
    assert float(m.result()) == pytest.approx(8.0)
    m.reset_state()  # the default zeroes everything in place
    assert float(m.result()) == 0.0 and m.a.numpy().tolist() == [0.0, 0.0]


def test_add_variable_without_super_init_is_a_clear_error():
    class Broken(tk.metrics.Metric):
        def __init__(self):
            self.v = self.add_variable(shape=(), name="v")

    with pytest.raises(RuntimeError, match="super"):
        Broken()


def test_add_variable_validates_aggregation():
    with pytest.raises(ValueError, match="aggregation"):
        tk.metrics.Sum().add_variable(shape=(), aggregation="max")


def test_naming_follows_keras(keras):
    keras.backend.clear_session()
    tk.clear_session()
    pairs = [("Mean", ()), ("Mean", ()), ("Precision", ()), ("Precision", ()), ("AUC", ()),
             ("IoU", (2, [0])), ("BinaryIoU", ()), ("R2Score", ()), ("LogCoshError", ()),
             ("FBetaScore", ()), ("TopKCategoricalAccuracy", ()), ("Sum", ()),
             ("SensitivityAtSpecificity", (0.5,)), ("TruePositives", ()),
             ("TruePositives", ())]
    for cls, args in pairs:
        ours = getattr(tk.metrics, cls)(*args)
        ref = getattr(keras.metrics, cls)(*args)
        assert ours.name == ref.name, cls
    assert tk.metrics.MeanMetricWrapper(tk.metrics.binary_accuracy).name == \
        keras.metrics.MeanMetricWrapper(keras.metrics.binary_accuracy).name


def test_to_device_moves_state_and_tracks_device():
    m = tk.metrics.Mean()
    assert m.device == torch.device("cpu")
    m.to("meta")
    assert m.device.type == "meta" and m.total.device.type == "meta"
    assert isinstance(m.total, Variable)
    m.to_empty(device="cpu")
    assert m.device.type == "cpu" and m.total.device.type == "cpu"


def test_inputs_are_converted_on_the_metric_device():
    m = tk.metrics.MeanSquaredError().to("meta")
    m.update_state(np.ones((2, 2), "float32"), [[0.0, 1.0], [1.0, 1.0]])
    assert m.total.device.type == "meta"


# ------------------------------------------------------------------ reductions
@pytest.mark.keras_oracle
@pytest.mark.parametrize("cls", ["Mean", "Sum"])
def test_reductions_match_keras(cls, keras, rng):
    ours, ref = getattr(tk.metrics, cls)(), getattr(keras.metrics, cls)()
    feeds = [(rng.normal(size=(5,)).astype("float32"), None),
             (rng.normal(size=(4, 3)).astype("float32"), rng.uniform(size=4).astype("float32")),
             (rng.normal(size=(4, 3, 2)).astype("float32"),
              rng.uniform(size=(4, 3)).astype("float32")),
             (np.float32(2.5), None),
             (rng.normal(size=(3, 2)).astype("float32"), rng.uniform(size=(3, 2)).astype("float32")),
             ([1, 3, 5, 7], [1, 1, 0, 0])]
    for values, sw in feeds:
        ours.update_state(values, sample_weight=sw)
        ref.update_state(values, sample_weight=sw)
        np.testing.assert_allclose(ours.result().numpy(),
                                   keras.ops.convert_to_numpy(ref.result()), rtol=1e-5)
    assert ours.get_config() == ref.get_config()


def test_mean_weighted_accumulation():
    m = tk.metrics.Mean()
    m.update_state([1, 3, 5, 7])
    assert float(m.result()) == 4.0
    m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    # total = 16 + 4, count = 4 + 2
    assert float(m.total) == 20.0 and float(m.count) == 6.0
    assert float(m.result()) == pytest.approx(20 / 6)
    m.update_state(torch.tensor(2.0))
    assert float(m.count) == 7.0 and float(m.result()) == pytest.approx(22 / 7)
    m.reset_state()
    assert float(m.result()) == 0.0  # 0 / 0 reads as 0


def test_mean_fast_paths():
    m = tk.metrics.Mean(name="loss")
    loss = torch.tensor(1.5, requires_grad=True) * 2.0
    m.update_state(loss)
    m._update_fast(torch.tensor(1.0), 4)
    m._update_fast(torch.tensor(2.0), torch.tensor(2.0))
    assert float(m.total) == pytest.approx(3.0 + 4.0 + 4.0)
    assert float(m.count) == pytest.approx(1 + 4 + 2)
    assert m.total.grad_fn is None and not m.total.requires_grad


def test_result_is_a_snapshot():
    m = tk.metrics.Sum()
    m.update_state([1.0, 2.0])
    first = m.result()
    m.update_state([1.0])
    assert float(first) == 3.0 and float(m.result()) == 4.0


@pytest.mark.keras_oracle
def test_mean_metric_wrapper_matches_keras(keras, rng):
    ours = tk.metrics.MeanMetricWrapper(tk.metrics.binary_accuracy, name="w", threshold=0.3)
    ref = keras.metrics.MeanMetricWrapper(keras.metrics.binary_accuracy, name="w", threshold=0.3)
    for sw in (None, rng.uniform(size=6).astype("float32")):
        y = rng.integers(0, 2, (6, 2)).astype("float32")
        p = rng.uniform(size=(6, 2)).astype("float32")
        ours.update_state(y, p, sample_weight=sw)
        ref.update_state(y, p, sample_weight=sw)
        np.testing.assert_allclose(ours.result().numpy(),
                                   keras.ops.convert_to_numpy(ref.result()), rtol=1e-6)
    cfg, ref_cfg = ours.get_config(), ref.get_config()
    assert cfg["threshold"] == ref_cfg["threshold"] == 0.3
    assert cfg["fn"]["class_name"] == "function" and cfg["fn"]["config"] == "binary_accuracy"
    rebuilt = tk.metrics.MeanMetricWrapper.from_config(cfg)
    assert rebuilt._fn is tk.metrics.binary_accuracy and rebuilt._fn_kwargs == {"threshold": 0.3}


def test_mean_metric_wrapper_honours_keras_mask():
    m = tk.metrics.MeanMetricWrapper(lambda t, p: (t - p).abs())
    y_pred = torch.tensor([[1.0], [5.0], [3.0]])
    y_pred._keras_mask = torch.tensor([True, False, True])
    m.update_state(torch.zeros(3, 1), y_pred)
    assert float(m.result()) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="callable"):
        tk.metrics.MeanMetricWrapper(fn=3)


def test_dtype_argument():
    m = tk.metrics.Mean(dtype="float64")
    assert m.dtype == "float64" and m.total.dtype == torch.float64
    assert tk.metrics.Mean(dtype="mixed_float16").dtype == "float16"
    assert tk.metrics.Precision(dtype="float64").get_config()["dtype"] == "float64"


def test_deepcopy_gives_independent_state():
    import copy
    for m in (tk.metrics.Precision(thresholds=[0.3, 0.6]), tk.metrics.AUC(num_thresholds=5)):
        clone = copy.deepcopy(m)
        assert clone._table._owner is clone
        assert all(isinstance(v, Variable) for v in clone.variables)
        clone.update_state([1, 0], [0.9, 0.8])
        assert float(np.sum(m.result().numpy())) == 0.0
        assert float(np.sum(clone.result().numpy())) > 0.0
