"""Configs, serialization, ``get``, legacy arguments and argument validation."""
import warnings

import pytest
import torch

import torchkeras.optimizers as tko

CONFIG_CASES = [
    ("SGD", {}), ("SGD", {"momentum": 0.9, "nesterov": True, "clipnorm": 1.0}),
    ("Adam", {}), ("Adam", {"learning_rate": 0.01, "amsgrad": True, "use_ema": True}),
    ("AdamW", {}), ("AdamW", {"weight_decay": 0.1, "global_clipnorm": 2.0}),
    ("RMSprop", {"centered": True, "momentum": 0.2}), ("Adadelta", {}), ("Adagrad", {}),
    ("Adamax", {"clipvalue": 0.5}), ("Nadam", {"gradient_accumulation_steps": 4}),
    ("Lion", {"beta_2": 0.95}), ("Adafactor", {"relative_step": False}),
    ("Ftrl", {"l1_regularization_strength": 0.1}), ("Lamb", {"loss_scale_factor": 8.0}),
]


@pytest.mark.keras_oracle
@pytest.mark.parametrize("name,kwargs", CONFIG_CASES)
def test_get_config_equals_keras(keras, name, kwargs):
    theirs = getattr(keras.optimizers, name)(name="opt", **kwargs).get_config()
    ours = getattr(tko, name)(name="opt", **kwargs).get_config()
    assert ours == theirs
    assert list(ours) == list(theirs)


@pytest.mark.keras_oracle
def test_get_config_with_schedule_equals_keras(keras):
    k = keras.optimizers.SGD(name="s", learning_rate=keras.optimizers.schedules.CosineDecay(
        0.1, 100, warmup_target=0.2, warmup_steps=10))
    o = tko.SGD(name="s", learning_rate=tko.schedules.CosineDecay(
        0.1, 100, warmup_target=0.2, warmup_steps=10))
    assert o.get_config() == k.get_config()
    again = tko.SGD.from_config(o.get_config())
    assert isinstance(again._learning_rate, tko.schedules.CosineDecay)
    assert again.get_config() == o.get_config()


@pytest.mark.keras_oracle
def test_deserialize_keras_serialized_dicts(keras):
    for k_opt in (keras.optimizers.Adam(learning_rate=0.02, amsgrad=True),
                  keras.optimizers.SGD(momentum=0.5),
                  keras.optimizers.RMSprop(learning_rate=keras.optimizers.schedules
                                           .ExponentialDecay(0.1, 10, 0.9))):
        ours = tko.deserialize(keras.optimizers.serialize(k_opt))
        assert type(ours).__name__ == type(k_opt).__name__
        assert ours.get_config() == k_opt.get_config()


@pytest.mark.keras_oracle
def test_loss_scale_optimizer_config_equals_keras(keras):
    k = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(name="inner"), name="ls",
                                            initial_scale=128.0, dynamic_growth_steps=10)
    o = tko.LossScaleOptimizer(tko.SGD(name="inner"), name="ls", initial_scale=128.0,
                               dynamic_growth_steps=10)
    k_conf, o_conf = k.get_config(), o.get_config()
    assert o_conf["inner_optimizer"]["config"] == k_conf["inner_optimizer"]["config"]
    assert {k: v for k, v in o_conf.items() if k != "inner_optimizer"} == \
        {k: v for k, v in k_conf.items() if k != "inner_optimizer"}
    again = tko.deserialize(tko.serialize(o))
    assert isinstance(again, tko.LossScaleOptimizer)
    assert again.get_config() == o_conf
    assert isinstance(tko.deserialize(keras.optimizers.serialize(k)).inner_optimizer, tko.SGD)


def test_serialize_format_and_round_trip():
    opt = tko.Adam(learning_rate=0.01, beta_1=0.8, name="my_adam")
    data = tko.serialize(opt)
    assert data["module"] == "keras.optimizers"
    assert data["class_name"] == "Adam"
    assert data["registered_name"] is None
    again = tko.deserialize(data)
    assert isinstance(again, tko.Adam) and again.get_config() == opt.get_config()
    assert data["config"]["learning_rate"] == pytest.approx(0.01)


@pytest.mark.parametrize("ident,cls", [("sgd", tko.SGD), ("adam", tko.Adam),
                                       ("RMSprop", tko.RMSprop), ("rmsprop", tko.RMSprop),
                                       ("adamw", tko.AdamW), ("Adadelta", tko.Adadelta),
                                       ("adagrad", tko.Adagrad), ("adamax", tko.Adamax),
                                       ("nadam", tko.Nadam), ("ftrl", tko.Ftrl),
                                       ("lion", tko.Lion), ("adafactor", tko.Adafactor),
                                       ("lamb", tko.Lamb)])
def test_get_by_name(ident, cls):
    opt = tko.get(ident)
    assert type(opt) is cls


def test_get_other_identifiers():
    assert tko.get(None) is None
    adam = tko.Adam()
    assert tko.get(adam) is adam
    assert isinstance(tko.get({"class_name": "SGD", "config": {"momentum": 0.5}}), tko.SGD)
    assert tko.get({"class_name": "SGD", "config": {"momentum": 0.5}}).momentum == 0.5
    assert isinstance(tko.get(tko.Nadam), tko.Nadam)
    params = [torch.nn.Parameter(torch.zeros(3))]
    wrapped = tko.get(torch.optim.AdamW(params, lr=0.01))
    assert isinstance(wrapped, tko.TorchOptimizer) and wrapped.built
    lazy = tko.get(torch.optim.SGD)
    assert isinstance(lazy, tko.TorchOptimizer) and not lazy.built
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        tko.get("nope")
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        tko.get(42)


def test_auto_names_follow_keras():
    from torchkeras.layers.layer import clear_session
    clear_session()
    assert tko.Adam().name == "adam"
    assert tko.Adam().name == "adam_1"
    assert tko.AdamW().name == "adam_w"
    assert tko.RMSprop().name == "rm_sprop"


def test_legacy_lr_and_decay_arguments(helpers):
    with pytest.warns(DeprecationWarning):
        opt = tko.Adam(lr=0.01)
    assert float(opt.learning_rate) == pytest.approx(0.01)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sgd = tko.SGD(lr=0.01, momentum=0.9, decay=0.0)
    assert any(issubclass(w.category, DeprecationWarning) for w in caught)
    assert sgd.momentum == 0.9 and sgd.decay == 0.0
    # decay > 0: Keras 2 inverse time decay lr / (1 + decay * iterations)
    with pytest.warns(DeprecationWarning):
        decayed = tko.SGD(lr=0.1, decay=0.5)
    reference = tko.SGD(learning_rate=tko.schedules.InverseTimeDecay(0.1, 1, 0.5))
    weights, grads = helpers.make_data(steps=5)
    a = helpers.our_trajectory(decayed, weights, grads)
    b = helpers.our_trajectory(reference, weights, grads)
    helpers.assert_weights_close(a, b, rtol=1e-6, atol=1e-7)
    assert decayed.get_config()["decay"] == 0.5
    again = tko.SGD.from_config(decayed.get_config())
    assert again.decay == 0.5 and again.get_config() == decayed.get_config()


@pytest.mark.parametrize("make,match", [
    (lambda: tko.Adam(learning_rate=-0.1), "learning_rate"),
    (lambda: tko.SGD(learning_rate="fast"), "learning_rate"),
    (lambda: tko.SGD(momentum=1.5), "momentum"),
    (lambda: tko.SGD(momentum=-0.1), "momentum"),
    (lambda: tko.Adam(beta_1=1.0), "beta_1"),
    (lambda: tko.Adam(epsilon=-1e-7), "epsilon"),
    (lambda: tko.RMSprop(rho=2.0), "rho"),
    (lambda: tko.Adam(clipnorm=1.0, clipvalue=1.0), "Only one of"),
    (lambda: tko.Adam(clipnorm=-1.0), "clipnorm"),
    (lambda: tko.Adam(weight_decay=-0.1), "weight_decay"),
    (lambda: tko.AdamW(weight_decay=None), "weight_decay"),
    (lambda: tko.Adam(gradient_accumulation_steps=1), "gradient_accumulation_steps"),
    (lambda: tko.Adam(use_ema=True, ema_momentum=2.0), "ema_momentum"),
    (lambda: tko.Adam(use_ema=True, ema_overwrite_frequency=0.5), "ema_overwrite_frequency"),
    (lambda: tko.Adam(foo=1), "not recognized"),
    (lambda: tko.Lion(beta_1=0.0), "beta_1"),
    (lambda: tko.Ftrl(learning_rate_power=0.5), "learning_rate_power"),
    (lambda: tko.Ftrl(initial_accumulator_value=-1.0), "initial_accumulator_value"),
    (lambda: tko.Adagrad(initial_accumulator_value=-1.0), "initial_accumulator_value"),
    (lambda: tko.Adam(loss_scale_factor=0.0), "loss_scale_factor"),
    (lambda: tko.LossScaleOptimizer(tko.SGD(), initial_scale=-1.0), "initial_scale"),
    (lambda: tko.LossScaleOptimizer(tko.SGD(), clipnorm=1.0), "clipnorm"),
    (lambda: tko.LossScaleOptimizer("sgd"), "torchkeras optimizer"),
])
def test_invalid_arguments_raise_value_error(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_schedule_learning_rate_is_not_settable_with_float():
    opt = tko.SGD(learning_rate=tko.schedules.ExponentialDecay(0.1, 10, 0.9))
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.5
