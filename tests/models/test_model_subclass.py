"""Subclassed Model: layers as attributes, build(input_shape) then summary, nn.Module
conventions (.to, state_dict)."""
import pytest
import torch

import torchkeras as tk
from torchkeras import layers


class MLP(tk.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.d1 = layers.Dense(8, activation="relu")
        self.d2 = layers.Dense(2)

    def call(self, x, training=None):
        return self.d2(self.d1(x))


def test_build_then_summary_and_weights():
    m = MLP(name="mlp")
    assert not m.built
    m.build((None, 4))
    assert m.built and m.count_params() == 4 * 8 + 8 + 8 * 2 + 2
    lines = []
    m.summary(print_fn=lines.append)
    assert "Total params: 58" in "\n".join(lines)
    assert [l.name for l in m.layers] == [m.d1.name, m.d2.name]


def test_state_dict_and_to():
    m = MLP()
    m(torch.ones(1, 4))
    sd = m.state_dict()
    assert set(sd) == {"d1.weight", "d1.bias", "d2.weight", "d2.bias"}
    m2 = MLP()
    m2(torch.ones(1, 4))
    m2.load_state_dict(sd)
    x = torch.randn(3, 4)
    torch.testing.assert_close(m2(x), m(x))
    assert m.to("cpu") is m


def test_subclass_cannot_take_inputs():
    with pytest.raises(ValueError):
        MLP(inputs=1, outputs=2)
