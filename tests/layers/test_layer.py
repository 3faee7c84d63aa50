"""Layer base class: lazy build, add_weight, weights, trainable, losses, names, training
flag, masks, get/set_weights errors, nn.Module interop."""
import numpy as np
import pytest
import torch
from torch import nn

import torchkeras as keras
from torchkeras import layers


class Affine(layers.Layer):
    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="ones", name="w")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="b")
        self.seen = self.add_weight(shape=(), initializer="zeros", trainable=False, name="seen")

    def call(self, x):
        self.seen.assign_add(float(x.shape[0]))
        return x @ self.w + self.b

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_lazy_build_and_weights():
    layer = Affine(2, name="aff")
    assert not layer.built and layer.weights == []
    out = layer(np.ones((4, 5), "float32"))
    assert layer.built and tuple(out.shape) == (4, 2)
    assert [w.name for w in layer.weights] == ["w", "b", "seen"]
    assert len(layer.trainable_weights) == 2 and len(layer.non_trainable_weights) == 1
    assert layer.count_params() == 5 * 2 + 2 + 1
    assert isinstance(layer.w, nn.Parameter) and not layer.seen.requires_grad
    assert float(layer.seen) == 4.0
    # plain torch state dict, no duplicates
    assert list(layer.state_dict()) == ["w", "b", "seen"]


def test_attribute_before_super_init_and_unknown_kwargs():
    class Early(layers.Layer):
        def __init__(self, **kwargs):
            self.sub = layers.Dense(2)
            super().__init__(**kwargs)

        def call(self, x):
            return self.sub(x)
    e = Early()
    assert e(torch.ones(1, 3)).shape == (1, 2)
    with pytest.raises(ValueError, match="Unrecognized keyword arguments"):
        layers.Dense(2, bogus=1)


def test_unique_names():
    keras.clear_session()
    a, b, c = layers.Dense(1), layers.Dense(1), layers.Dense(1, name="custom")
    assert (a.name, b.name, c.name) == ("dense", "dense_1", "custom")
    assert Affine().name == "affine"


def test_trainable_freezes_nested():
    outer = keras.Sequential([keras.Input((3,)), layers.Dense(4), layers.Dense(2)])
    outer.trainable = False
    assert outer.trainable_weights == [] and len(outer.non_trainable_weights) == 4
    assert all(not p.requires_grad for p in outer.parameters())
    assert all(not l.trainable for l in outer.layers)
    outer.layers[0].trainable = True
    outer.trainable = True
    assert len(outer.trainable_weights) == 4
    inner = outer.layers[1]
    inner.trainable = False
    assert len(outer.trainable_weights) == 2 and len(outer.non_trainable_weights) == 2
    assert not inner.weight.requires_grad


def test_get_set_weights_errors_leave_state_unchanged():
    layer = layers.Dense(3)
    layer.build((None, 2))
    before = layer.get_weights()
    with pytest.raises(ValueError, match="expects 2 weights"):
        layer.set_weights([np.zeros((2, 3))])
    with pytest.raises(ValueError, match="shape"):
        layer.set_weights([np.ones((2, 3)), np.ones((4,))])
    for a, b in zip(layer.get_weights(), before):
        np.testing.assert_array_equal(a, b)


class Penalty(layers.Layer):
    def call(self, x):
        self.add_loss(x.abs().mean())
        return x


def test_losses_cleared_per_top_level_call_and_collected():
    model = keras.Sequential([keras.Input((3,)), Penalty(),
                              layers.Dense(2, kernel_regularizer=keras.regularizers.L2(0.1))])
    x = torch.ones(2, 3)
    model(x)
    assert len(model.losses) == 2
    model(x)
    assert len(model.losses) == 2
    dense = model.layers[1]
    expected = 0.1 * float((dense.kernel.detach() ** 2).sum())
    assert float(model.losses[1]) == pytest.approx(expected, rel=1e-6)


def test_activity_regularizer_adds_loss():
    layer = layers.Dense(2, activity_regularizer="l2", kernel_initializer="ones")
    out = layer(torch.ones(3, 2))
    assert len(layer.losses) == 1
    assert float(layer.losses[0]) == pytest.approx(0.01 * float((out.detach() ** 2).sum()) / 3, rel=1e-6)


class Flag(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = []

    def call(self, x, training=None):
        self.seen.append(training)
        return x


def test_training_flag_reaches_nested_layers():
    flag = Flag()
    inner = keras.Sequential([keras.Input((2,)), flag])
    outer = keras.Sequential([keras.Input((2,)), inner])
    flag.seen.clear()
    outer(torch.ones(1, 2), training=True)
    outer(torch.ones(1, 2), training=False)
    outer(torch.ones(1, 2))
    assert flag.seen == [True, False, None]


def test_call_receives_only_declared_arguments():
    class NoTraining(layers.Layer):
        def call(self, x):
            return x * 2
    assert float(NoTraining()(torch.ones(()), training=True)) == 2.0


def test_torch_module_wrapper_and_plain_module_attribute():
    wrapped = layers.TorchModuleWrapper(nn.Sequential(nn.Linear(3, 4), nn.Dropout(0.5)))
    model = keras.Sequential([keras.Input((3,)), wrapped, layers.Dense(1)])
    assert len(model.trainable_weights) == 4
    model(torch.ones(2, 3), training=False)
    assert not wrapped.module.training
    model(torch.ones(2, 3), training=True)
    assert wrapped.module.training

    class Holder(layers.Layer):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(2, 2)

        def call(self, x):
            return self.lin(x)
    h = Holder()
    h(torch.ones(1, 2))
    assert len(h.weights) == 2 and h.count_params() == 6


def test_input_conversion_and_device():
    layer = layers.Dense(2)
    out = layer(np.ones((2, 3), dtype="float64"))
    assert out.dtype == torch.float32
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2, name="d")])
    model.to("cpu")
    assert set(model.state_dict()) == {"d.weight", "d.bias"}
    assert model.state_dict()["d.weight"].shape == (2, 3)
    lin = nn.Linear(3, 2)
    lin.load_state_dict({k[2:]: v for k, v in model.state_dict().items()})
    x = torch.randn(4, 3)
    torch.testing.assert_close(lin(x), model(x))


def test_config_round_trip_and_compute_output_shape():
    layer = Affine(5, name="x")
    cfg = layer.get_config()
    assert cfg["units"] == 5 and cfg["name"] == "x" and cfg["trainable"] is True
    clone = Affine.from_config(cfg)
    assert clone.units == 5 and not clone.built
    assert layers.Dense(7).compute_output_shape((None, 3)) == (None, 7)
    assert Affine(4).compute_output_shape((None, 3)) == (None, 4)


def test_auto_config_without_get_config():
    class Plain(layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor
    cfg = Plain(3.0, name="p").get_config()
    assert cfg["factor"] == 3.0 and cfg["name"] == "p"
    assert Plain.from_config(cfg).factor == 3.0


def test_calling_build_by_hand_marks_the_layer_built():
    # Keras counts any build() call as building the layer, extra arguments included.
    class WithInit(layers.Layer):
        def build(self, input_shape, init="ones"):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer=init)

        def call(self, x):
            return x * self.w

    layer = WithInit()
    layer.build((None, 3), "zeros")
    assert layer.built and layer.get_build_config() == {"input_shape": (None, 3)}
    assert layer(torch.ones(2, 3)).sum().item() == 0.0
    model = keras.Sequential([WithInit()])
    model.build((None, 4))
    assert model.built and model.layers[0].built
