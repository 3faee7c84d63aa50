"""fit on one-shot Python generators: used up after one pass."""
import numpy as np
import pytest

import torchkeras as tk


def _model():
    m = tk.Sequential([tk.Input((3,)), tk.layers.Dense(1)])
    m.compile("sgd", "mse")
    return m


def _gen(x, n=4):
    for i in range(n):
        yield x[i * 8:(i + 1) * 8], x[i * 8:(i + 1) * 8, :1]


def test_a_used_up_generator_warns_and_ends_training():
    x = np.random.default_rng(0).random((32, 3)).astype("float32")
    m = _model()
    with pytest.warns(UserWarning, match="ran out of data"):
        h = m.fit(_gen(x), epochs=3, verbose=0)
    # Keras 3 goes on with the batches it cached while peeking; here the first pass is
    # all the generator had, so training stops after it (no error, history kept).
    assert h.epoch == [0] and len(h.history["loss"]) == 1
    assert int(m.optimizer.iterations) == 4


def test_an_empty_generator_is_an_error():
    m = _model()
    with pytest.raises(ValueError, match="data is empty"):
        m.fit((b for b in []), epochs=1, verbose=0)
