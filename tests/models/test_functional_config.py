"""Rebuilding functional graphs from configs: any layer order, shared layers, bad refs."""
import json
import random

import numpy as np
import pytest

import torchkeras as tk
from torchkeras import layers


def shared_model():
    a, b = tk.Input((3,), name="a"), tk.Input((3,), name="b")
    shared = layers.Dense(4, name="shared")
    ha, hb = shared(a), shared(b)
    top = layers.Dense(2, name="top")
    out = layers.Add(name="add")([top(ha), top(layers.Activation("relu", name="relu")(hb))])
    return tk.Model([a, b], out)


def test_shuffled_layer_order_rebuilds_the_same_graph():
    model = shared_model()
    config = json.loads(model.to_json())
    expected = [l.name for l in model.layers]
    x = [np.random.rand(2, 3).astype("float32") for _ in range(2)]
    for seed in range(3):
        shuffled = json.loads(json.dumps(config))
        random.Random(seed).shuffle(shuffled["config"]["layers"])
        rebuilt = tk.models.model_from_json(json.dumps(shuffled))
        assert [l.name for l in rebuilt.layers] == expected
        rebuilt.set_weights(model.get_weights())
        np.testing.assert_allclose(rebuilt.predict(x, verbose=0), model.predict(x, verbose=0),
                                   rtol=1e-6)
        # node indices keep the config's order: the shared layer's node 0 reads input a
        node0 = rebuilt.get_layer("shared")._inbound_nodes[0]
        assert node0.input_tensors[0]._keras_history[0].name == "a"


def test_reference_to_a_missing_layer_is_a_clear_error():
    config = json.loads(shared_model().to_json())
    for entry in config["config"]["layers"]:
        if entry["name"] == "relu":
            entry["inbound_nodes"][0]["args"][0]["config"]["keras_history"] = ["ghost", 0, 0]
    with pytest.raises(ValueError, match=r"unresolved inputs for layers \['add', 'relu', 'top'\]"):
        tk.models.model_from_json(json.dumps(config))


def test_malformed_keras_history_is_a_clear_error():
    config = json.loads(shared_model().to_json())
    config["config"]["layers"][-1]["inbound_nodes"][0]["args"][0][0]["config"][
        "keras_history"] = [["x"], 0, 0]
    with pytest.raises(ValueError, match="Invalid keras_history"):
        tk.models.model_from_json(json.dumps(config))
