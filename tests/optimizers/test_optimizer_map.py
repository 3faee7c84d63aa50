"""OptimizerMap: exact and regex lookup, default, validation, config."""
import pytest

import torchkeras.optimizers as tko
from torchkeras.variables import Variable


def test_lookup_exact_then_fullmatch_regex_then_default():
    adam, sgd, rms = tko.Adam(), tko.SGD(), tko.RMSprop()
    opt_map = tko.OptimizerMap(default_optimizer=rms)
    opt_map["encoder/layer_0/dense"] = adam
    opt_map["encoder/.*"] = sgd
    opt_map["decoder"] = adam
    assert opt_map["decoder"] is adam
    assert opt_map["encoder/layer_0/dense"] is adam          # exact key wins over the regex
    assert opt_map["encoder/layer_0/attention/query"] is sgd
    assert opt_map["decoder/layer_0/dense"] is rms            # "decoder" must match in full
    assert opt_map.default_optimizer is rms
    assert len(opt_map) == 3 and list(opt_map) == ["encoder/layer_0/dense", "encoder/.*",
                                                   "decoder"]
    var = Variable([1.0, 2.0], name="kernel")
    var.path = "encoder/x/kernel"
    assert opt_map(var) is sgd
    del opt_map["encoder/.*"]
    assert opt_map(var) is rms


def test_two_matching_patterns_raise():
    opt_map = tko.OptimizerMap(tko.SGD(), {"a.*": tko.Adam(), ".*b": tko.Adam()})
    with pytest.raises(ValueError, match="Multiple optimizers"):
        opt_map["ab"]


def test_bad_entries_raise_and_leave_the_map_unchanged():
    opt_map = tko.OptimizerMap(tko.SGD(), {"x": tko.Adam()})
    with pytest.raises(ValueError, match="already exists"):
        opt_map["x"] = tko.SGD()
    with pytest.raises(ValueError, match="key must be a string"):
        opt_map[3] = tko.SGD()
    with pytest.raises(ValueError, match="Optimizer instance"):
        opt_map["y"] = "adam"
    with pytest.raises(ValueError, match="LossScaleOptimizer"):
        opt_map["y"] = tko.LossScaleOptimizer(tko.SGD())
    with pytest.raises(ValueError, match="MultiOptimizer"):
        opt_map["y"] = tko.MultiOptimizer(tko.OptimizerMap(tko.SGD()))
    assert list(opt_map) == ["x"]
    with pytest.raises(TypeError, match="default_optimizer"):
        tko.OptimizerMap("sgd")
    with pytest.raises(TypeError, match="optimizer_map"):
        tko.OptimizerMap(tko.SGD(), [("x", tko.Adam())])


@pytest.mark.keras_oracle
def test_config_matches_keras_and_round_trips(keras):
    theirs = keras.optimizers.OptimizerMap(keras.optimizers.SGD(name="s"),
                                           {"enc/.*": keras.optimizers.Adam(name="a")})
    ours = tko.OptimizerMap(tko.SGD(name="s"), {"enc/.*": tko.Adam(name="a")})
    k_conf, o_conf = theirs.get_config(), ours.get_config()
    assert o_conf["default_optimizer"]["config"] == k_conf["default_optimizer"]["config"]
    assert o_conf["optimizer_map"]["enc/.*"]["config"] == \
        k_conf["optimizer_map"]["enc/.*"]["config"]
    again = tko.OptimizerMap.from_config(o_conf)
    assert isinstance(again["enc/x"], tko.Adam) and isinstance(again["dec"], tko.SGD)
    from_keras = tko.OptimizerMap.from_config(k_conf)
    assert from_keras["enc/x"].get_config() == theirs["enc/x"].get_config()
