"""Subclassed Model: layers as attributes, build(input_shape) then summary, nn.Module
conventions (.to, state_dict)."""
import numpy as np
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


class _VAE(tk.Model):
    """Keras's subclassing guide: a model whose constructor takes positional sizes."""

    def __init__(self, original_dim, intermediate_dim=64, latent_dim=32, name="vae", **kw):
        super().__init__(name=name, **kw)
        self.enc = layers.Dense(intermediate_dim)
        self.lat = layers.Dense(latent_dim)
        self.dec = layers.Dense(original_dim)

    def call(self, x):
        return self.dec(self.lat(self.enc(x)))


def test_subclass_with_positional_constructor_args_is_not_functional():
    # Keras decides by what reaches Model.__init__, not by the subclass's arguments.
    from torchkeras.models.functional import Functional
    for args in [(784, 64, 32), (784, 64), (784,)]:
        model = _VAE(*args)
        assert not isinstance(model, Functional) and model.name == "vae"
        assert model(torch.ones(2, 784)).shape == (2, 784)


class _Passthrough(tk.Model):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

    def train_step(self, data):   # a custom step, as in Keras's customizing-fit guide
        return super().train_step(data)


def test_subclass_given_inputs_outputs_becomes_functional():
    x = tk.Input((3,))
    y = layers.Dense(2)(x)
    for model in (_Passthrough(x, y), _Passthrough(inputs=x, outputs=y),
                  _Passthrough(x, outputs=y)):
        assert type(model).__name__ == "_Passthrough" and isinstance(model, _Passthrough)
        assert model.output is y and len(model.layers) == 2
    with pytest.raises(ValueError, match="outputs"):
        tk.Model(inputs=x)


class _TwoInputs(tk.Model):
    def __init__(self):
        super().__init__()
        self.a = layers.Dense(3)
        self.b = layers.Dense(3)

    def call(self, inputs):
        return self.a(inputs["i"]) + self.b(inputs["j"])


def test_build_with_a_dict_or_list_of_shapes():
    model = _TwoInputs()
    model.build({"i": (None, 4), "j": (None, 5)})
    assert model.built and [tuple(w.shape) for w in model.get_weights()] == [
        (4, 3), (3,), (5, 3), (3,)]
    assert model.get_build_config() == {"input_shape": {"i": (None, 4), "j": (None, 5)}}

    class Pair(tk.Model):
        def __init__(self):
            super().__init__()
            self.d = layers.Dense(2)

        def call(self, inputs):
            return self.d(torch.cat(list(inputs), dim=-1))

    pair = Pair()
    pair.build([(None, 2), (None, 3)])
    assert pair.get_weights()[0].shape == (5, 2)
    with pytest.raises(ValueError, match="input_shape"):
        Pair().build("abc")


@pytest.mark.keras_oracle
def test_oracle_positional_subclass(keras):
    class KVAE(keras.Model):
        def __init__(self, a, b, c):
            super().__init__()
            self.d = keras.layers.Dense(a)

        def call(self, x):
            return self.d(x)

    kmodel = KVAE(5, 4, 3)
    assert not isinstance(kmodel, keras.src.models.functional.Functional)
    assert tuple(kmodel(np.ones((2, 3), "float32")).shape) == (2, 5)
    assert tuple(_VAE(5, 4, 3)(torch.ones(2, 3)).shape) == (2, 5)
