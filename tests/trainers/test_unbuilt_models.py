"""fit on a subclassed model that is not built yet, from datasets and generators."""
import numpy as np
import pytest
import torch

import torchkeras as tk


class _Net(tk.Model):
    def __init__(self):
        super().__init__()
        self.hidden = tk.layers.Dense(8, activation="relu")
        self.out = tk.layers.Dense(1)

    def call(self, x):
        return self.out(self.hidden(x))


def _xy():
    g = torch.Generator().manual_seed(0)
    return torch.randn(32, 4, generator=g), torch.randn(32, 1, generator=g)


def _batches(x, y):
    return ((x[i:i + 8], y[i:i + 8]) for i in range(0, 32, 8))


@pytest.mark.parametrize("kind", ["loader", "dataset", "generator", "py_dataset"])
def test_unbuilt_model_trains_on_iterable_data(kind):
    x, y = _xy()
    ds = torch.utils.data.TensorDataset(x, y)

    class Seq(tk.utils.PyDataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return x[i * 8:(i + 1) * 8], y[i * 8:(i + 1) * 8]
    data = {"loader": lambda: torch.utils.data.DataLoader(ds, batch_size=8),
            "dataset": lambda: ds, "generator": lambda: _batches(x, y),
            "py_dataset": lambda: Seq()}[kind]()
    m = _Net()
    m.compile("adam", "mse")
    steps = []
    cb = tk.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: steps.append(b))
    h = m.fit(data, epochs=1, verbose=0, callbacks=[cb],
              batch_size=8 if kind == "dataset" else None)
    assert m.built and len(m.trainable_weights) == 4
    assert steps == [0, 1, 2, 3]          # the batch used to build is trained on too
    assert np.isfinite(h.history["loss"][0])
    assert int(m.optimizer.iterations) == 4


@pytest.mark.keras_oracle
def test_generator_steps_and_history_match_keras(keras):
    x, y = _xy()

    def run(k):
        class Net(k.Model):
            def __init__(self):
                super().__init__()
                self.hidden = k.layers.Dense(8, activation="relu")
                self.out = k.layers.Dense(1)

            def call(self, inputs):
                return self.out(self.hidden(inputs))
        m = Net()
        m.compile("adam", "mse", metrics=["mae"])
        gen = ((x[i:i + 8].numpy(), y[i:i + 8].numpy()) for i in range(0, 32, 8))
        h = m.fit(gen, epochs=1, verbose=0)
        return list(h.history), int(np.asarray(m.optimizer.iterations))
    assert run(tk) == run(keras) == (["loss", "mae"], 4)


def test_torch_optimizer_class_is_built_on_the_first_batch():
    x, y = _xy()
    m = _Net()
    m.compile(torch.optim.Adam, "mse")
    m.fit(torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=8),
          verbose=0)
    assert len(m.optimizer.optimizer.param_groups[0]["params"]) == 4


class _HalfBuilt(tk.Model):
    """One torch module has weights at construction, the Dense layer only once called."""

    def __init__(self):
        super().__init__()
        self.first = tk.layers.TorchModuleWrapper(torch.nn.Linear(4, 8))
        self.out = tk.layers.Dense(1)

    def call(self, x):
        return self.out(self.first(x))


def test_torch_optimizer_made_before_build_is_a_clear_error():
    x, y = _xy()
    m = _HalfBuilt()
    m.compile(torch.optim.SGD(m.parameters(), lr=0.1), "mse")
    before = [p.detach().clone() for p in m.parameters()]
    with pytest.raises(ValueError, match=r"created before the model was built.*model\.parameters"):
        m.fit(x, y, verbose=0)
    assert all(torch.equal(a, b) for a, b in zip(before, list(m.parameters())[:2]))


def test_torch_optimizer_on_a_subset_of_a_built_model_is_allowed():
    x, y = _xy()
    m = _HalfBuilt()
    m(x)
    m.compile(torch.optim.SGD(m.out.parameters(), lr=0.1), "mse")   # fine-tune the head only
    first = [p.detach().clone() for p in m.first.parameters()]
    m.fit(x, y, verbose=0)
    assert all(torch.equal(a, b) for a, b in zip(first, m.first.parameters()))
