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


def test_lists_and_dicts_of_layers_are_tracked():
    class Blocks(tk.Model):
        def __init__(self):
            super().__init__()
            self.blocks = [layers.Dense(4, activation="relu"), layers.Dense(3)]
            self.heads = {"a": layers.Dense(1), "b": layers.Dense(2)}

        def call(self, x):
            for block in self.blocks:
                x = block(x)
            return self.heads["a"](x) + self.heads["b"](x).sum(-1, keepdim=True)

    m = Blocks()
    m.build((None, 5))
    assert m.count_params() == (5 * 4 + 4) + (4 * 3 + 3) + (3 + 1) + (3 * 2 + 2)
    assert len(m.trainable_weights) == 8 and len(m.blocks) == 2
    assert {"blocks.0.weight", "heads.b.bias"} <= set(m.state_dict())


def test_array_rescaling_survives_shape_tracing():
    import numpy as np

    class Scaled(tk.Model):
        def __init__(self):
            super().__init__()
            self.scale = layers.Rescaling(np.array([0.5, 2.0, 1.0], "float32"))
            self.out = layers.Dense(1, kernel_initializer="ones")

        def call(self, x):
            return self.out(self.scale(x))

    m = Scaled()
    m.build((None, 3))            # traced on fake tensors first
    y = m(torch.ones(2, 3))
    assert type(y) is torch.Tensor
    torch.testing.assert_close(y, torch.full((2, 1), 3.5))


def test_subclass_with_two_plain_constructor_args_is_not_functional():
    # keras-io collaborative filtering: RecommenderNet(num_users, num_movies, size).
    class Recommender(tk.Model):
        def __init__(self, num_users, num_items, size, **kwargs):
            super().__init__(**kwargs)
            self.users = tk.layers.Embedding(num_users, size)
            self.items = tk.layers.Embedding(num_items, size)

        def call(self, inputs):
            return tk.ops.sum(self.users(inputs[:, 0]) * self.items(inputs[:, 1]), axis=-1)

    model = Recommender(5, 7, 4)
    out = model(torch.tensor([[1, 2], [4, 6]]))
    assert tuple(out.shape) == (2,)
    assert len(model.trainable_weights) == 2


def test_subclass_given_symbolic_inputs_is_still_functional():
    class Custom(tk.Model):
        pass

    a = tk.Input((3,))
    model = Custom(a, tk.layers.Dense(2)(a))
    assert isinstance(model, Custom) and model.outputs[0].shape[-1] == 2
