"""compile(jit_compile=<torch.compile mode>): the compiled training step.

On CPU "reduce-overhead" compiles like the default mode (CUDA graphs are CUDA-only), so
these tests check the loop's logic: same training as eager, the last short batch of each
epoch run eagerly, callbacks and metrics fed as usual. bench/gpu_checks.sh times the
CUDA-graph path on a GPU.
"""
import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers
from torchkeras.trainers.compiled_forward import CompiledForward


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 6)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("int64")
    return x, y


def _model(jit):
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((6,)), layers.Dense(8, activation="relu"),
                              layers.BatchNormalization(), layers.Dense(2)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), metrics=["accuracy"],
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  jit_compile=jit)
    return model


class _Seen(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.batches = []

    def on_train_batch_end(self, batch, logs=None):
        self.batches.append((batch, float(logs["loss"])))


@pytest.mark.slow   # a cold inductor compile: ~20 s on a free core, 80 s on a shared one
def test_reduce_overhead_trains_like_eager_and_runs_short_batches_eagerly():
    x, y = _data()
    runs = {}
    for jit in (False, "reduce-overhead"):
        model, seen = _model(jit), _Seen()
        hist = model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0,
                         callbacks=[seen])
        runs[jit] = (model, hist.history, seen.batches)
    eager, compiled = runs[False], runs["reduce-overhead"]
    assert compiled[0].jit_compile is True
    np.testing.assert_allclose(compiled[1]["loss"], eager[1]["loss"], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(compiled[1]["accuracy"], eager[1]["accuracy"])
    assert [b for b, _ in compiled[2]] == [0, 1, 2, 0, 1, 2]   # 16 + 16 + 8, twice
    np.testing.assert_allclose([v for _, v in compiled[2]], [v for _, v in eager[2]],
                               rtol=1e-4, atol=1e-5)
    for a, b in zip(compiled[0].get_weights(), eager[0].get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    step = compiled[0].__dict__["_tk_compiled_forward"]
    assert step.mode == "reduce-overhead"
    assert (step.compiled_calls, step.eager_calls) == (4, 2)   # the 8-sample batches eager
    # Evaluation and prediction use the eager inference path.
    np.testing.assert_allclose(compiled[0].predict(x, verbose=0),
                               eager[0].predict(x, verbose=0), rtol=1e-4, atol=1e-5)


def test_recompiling_with_another_mode_replaces_the_compiled_forward():
    x, y = _data()
    model = _model("default")
    model.fit(x[:32], y[:32], batch_size=16, epochs=1, verbose=0)
    first = model.__dict__["_tk_compiled_forward"]
    assert first.mode == "default"
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy",
                  jit_compile="max-autotune-no-cudagraphs")
    assert model._jit_forward() is not first
    assert model._jit_forward().mode == "max-autotune-no-cudagraphs"


@pytest.mark.parametrize("bad", ["reduce_overhead", "xla", "fast"])
def test_unknown_mode_is_rejected_before_compiling(bad):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    with pytest.raises(ValueError, match="jit_compile"):
        model.compile(optimizer="sgd", loss="mse", jit_compile=bad)
    assert not model.compiled


def test_true_and_auto_keep_their_meaning():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", jit_compile=True)
    assert model.jit_compile is True and model._jit_forward().mode is None
    model.compile(optimizer="sgd", loss="mse", jit_compile="auto")
    assert model.jit_compile is False


def test_compiled_forward_keeps_non_tensor_inputs_compiled():
    calls = []

    def forward(x):
        calls.append(1)
        return x["a"] * 2

    step = CompiledForward(forward)
    out = step({"a": torch.ones(3)})
    torch.testing.assert_close(out, torch.full((3,), 2.0))
    assert step.compiled_calls == 1 and step.eager_calls == 0
