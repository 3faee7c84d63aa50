"""On CUDA, ``fit``/``evaluate``/``predict`` must not wait on the GPU once per step.

torch's sync-debug mode warns at every host-device synchronisation. The number of
warnings in an epoch must not grow with the number of steps: a few at the epoch's edges
(moving the arrays over, reading the logs) are fine, one per batch is the bug.
Skipped without CUDA.
"""
import warnings

import numpy as np
import pytest
import torch

import torchkeras as keras

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


def _model():
    model = keras.Sequential([
        keras.Input((8,)),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(3),
    ])
    model.compile(optimizer="adam",
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def _syncs(fn) -> int:
    torch.cuda.synchronize()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.cuda.set_sync_debug_mode("warn")
        try:
            fn()
        finally:
            torch.cuda.set_sync_debug_mode("default")
    return sum("synchroniz" in str(w.message) for w in caught)


@pytest.fixture
def on_cuda():
    keras.config.set_device("cuda")
    yield
    keras.config.set_device(None)


@pytest.mark.parametrize("what", ["fit", "evaluate", "predict"])
def test_syncs_do_not_grow_with_steps(on_cuda, what):
    rng = np.random.default_rng(0)
    model = _model()
    counts = []
    for n in (64, 640):   # 4 and 40 steps of 16
        x = rng.normal(size=(n, 8)).astype("float32")
        y = rng.integers(0, 3, n)
        model.fit(x, y, batch_size=16, epochs=1, verbose=0)   # warm: build, allocator
        if what == "fit":
            counts.append(_syncs(lambda: model.fit(x, y, batch_size=16, epochs=1, verbose=0)))
        elif what == "evaluate":
            counts.append(_syncs(lambda: model.evaluate(x, y, batch_size=16, verbose=0)))
        else:
            counts.append(_syncs(lambda: model.predict(x, batch_size=16, verbose=0)))
    assert counts[1] <= counts[0] + 2, counts


def test_fit_result_matches_cpu(on_cuda):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(256, 8)).astype("float32")
    y = rng.integers(0, 3, 256)
    torch.manual_seed(0)
    gpu = _model()
    gpu.build((None, 8))
    weights = gpu.get_weights()
    hist_gpu = gpu.fit(x, y, batch_size=32, epochs=3, shuffle=False, verbose=0).history
    assert next(gpu.parameters()).is_cuda
    pred_gpu = gpu.predict(x, verbose=0)
    keras.config.set_device("cpu")
    cpu = _model()
    cpu.build((None, 8))
    cpu.set_weights(weights)
    hist_cpu = cpu.fit(x, y, batch_size=32, epochs=3, shuffle=False, verbose=0).history
    np.testing.assert_allclose(hist_gpu["loss"], hist_cpu["loss"], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(pred_gpu, cpu.predict(x, verbose=0),
                               rtol=1e-4, atol=1e-4)


def _ops_model():
    # The custom keras.ops / keras.random layer, loss and metric of tests/ops.
    import importlib.util
    import pathlib
    path = pathlib.Path(__file__).parents[1] / "ops" / "test_ops_under_fit.py"
    spec = importlib.util.spec_from_file_location("ops_under_fit", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ops_model()


@pytest.mark.parametrize("what", ["fit", "evaluate"])
def test_keras_ops_model_syncs_do_not_grow_with_steps(on_cuda, what):
    rng = np.random.default_rng(0)
    model = _ops_model()
    counts = []
    for n in (64, 640):
        x = rng.normal(size=(n, 8)).astype("float32")
        y = rng.normal(size=(n, 2)).astype("float32")
        model.fit(x, y, batch_size=16, epochs=1, verbose=0)
        run = (lambda: model.fit(x, y, batch_size=16, epochs=1, verbose=0)) if what == "fit" \
            else (lambda: model.evaluate(x, y, batch_size=16, verbose=0))
        counts.append(_syncs(run))
    assert counts[1] <= counts[0] + 2, counts
