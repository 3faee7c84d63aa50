import numpy as np
import pytest
import torch

import torchkeras as tk

pytestmark = pytest.mark.keras_oracle


def _batches(rng, make, n_batches=3, weighted=(False, True, True)):
    out = []
    for i in range(n_batches):
        y_true, y_pred = make(rng)
        sw = rng.uniform(0, 2, size=len(y_true)).astype("float32") if weighted[i] else None
        out.append((y_true, y_pred, sw))
    return out


def _one_hot(rng, n, c):
    return np.eye(c, dtype="float32")[rng.integers(0, c, n)]


def _probs(rng, n, c):
    return rng.dirichlet(np.ones(c), n).astype("float32")


CASES = {
    "Accuracy": (lambda m: m.Accuracy(),
                 lambda r: (r.integers(0, 3, (16, 1)).astype("float32"),
                            r.integers(0, 3, (16, 1)).astype("float32"))),
    "BinaryAccuracy": (lambda m: m.BinaryAccuracy(threshold=0.4),
                       lambda r: (r.integers(0, 2, (16, 1)).astype("float32"),
                                  r.uniform(size=(16, 1)).astype("float32"))),
    "BinaryAccuracy_rank1_int": (lambda m: m.BinaryAccuracy(),
                                 lambda r: (r.integers(0, 2, (16,)),
                                            r.uniform(size=(16, 1)).astype("float32"))),
    "CategoricalAccuracy": (lambda m: m.CategoricalAccuracy(),
                            lambda r: (_one_hot(r, 16, 5), _probs(r, 16, 5))),
    "CategoricalAccuracy_seq": (lambda m: m.CategoricalAccuracy(),
                                lambda r: (_one_hot(r, 24, 4).reshape(6, 4, 4),
                                           _probs(r, 24, 4).reshape(6, 4, 4))),
    "SparseCategoricalAccuracy": (lambda m: m.SparseCategoricalAccuracy(),
                                  lambda r: (r.integers(0, 5, (16,)), _probs(r, 16, 5))),
    "SparseCategoricalAccuracy_N1": (lambda m: m.SparseCategoricalAccuracy(),
                                     lambda r: (r.integers(0, 5, (16, 1)).astype("float32"),
                                                _probs(r, 16, 5))),
    "TopKCategoricalAccuracy": (lambda m: m.TopKCategoricalAccuracy(k=2),
                                lambda r: (_one_hot(r, 16, 6), _probs(r, 16, 6))),
    "SparseTopKCategoricalAccuracy": (lambda m: m.SparseTopKCategoricalAccuracy(k=3),
                                      lambda r: (r.integers(0, 6, (16,)), _probs(r, 16, 6))),
    "SparseTopKCategoricalAccuracy_N1": (lambda m: m.SparseTopKCategoricalAccuracy(k=2),
                                         lambda r: (r.integers(0, 6, (16, 1)), _probs(r, 16, 6))),
    "SparseTopKCategoricalAccuracy_sorted": (
        lambda m: m.SparseTopKCategoricalAccuracy(k=2, from_sorted_ids=True),
        lambda r: (r.integers(0, 6, (16,)),
                   np.argsort(-r.uniform(size=(16, 6)), axis=1)[:, :4])),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_keras(case, keras, rng, against_keras):
    ctor, make = CASES[case]
    ours, ref = ctor(tk.metrics), ctor(keras.metrics)
    assert ours.name == ref.name
    assert ours.get_config() == ref.get_config()
    against_keras(ours, ref, _batches(rng, make))


def test_accuracy_exact_scenario():
    m = tk.metrics.Accuracy()
    m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]])
    assert float(m.result()) == pytest.approx(0.75)
    m.reset_state()
    m.update_state([1, 2, 3, 4], [0, 2, 3, 4])
    assert float(m.result()) == pytest.approx(0.75)
    m.reset_state()
    m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]], sample_weight=[1, 1, 0, 0])
    assert float(m.result()) == pytest.approx(0.5)


def test_sparse_categorical_accuracy_n1_labels():
    m = tk.metrics.SparseCategoricalAccuracy()
    m.update_state(np.array([[2], [1]]), np.array([[0.1, 0.6, 0.3], [0.05, 0.95, 0]]))
    assert float(m.result()) == pytest.approx(0.5)
    m.reset_state()
    m.update_state(np.array([[2], [1]]), np.array([[0.1, 0.6, 0.3], [0.05, 0.95, 0]]),
                   sample_weight=[0.7, 0.3])
    assert float(m.result()) == pytest.approx(0.3)
    fn = tk.metrics.sparse_categorical_accuracy(np.array([[2], [1]]),
                                                np.array([[0.1, 0.6, 0.3], [0.05, 0.95, 0]]))
    assert tuple(fn.shape) == (2,)


FUNCTIONS = [
    ("binary_accuracy", lambda r: (r.integers(0, 2, (8, 1)).astype("float32"),
                                   r.uniform(size=(8, 1)).astype("float32")), {}),
    ("categorical_accuracy", lambda r: (_one_hot(r, 8, 4), _probs(r, 8, 4)), {}),
    ("sparse_categorical_accuracy", lambda r: (r.integers(0, 4, (8,)), _probs(r, 8, 4)), {}),
    ("top_k_categorical_accuracy", lambda r: (_one_hot(r, 8, 4), _probs(r, 8, 4)), {"k": 2}),
    ("sparse_top_k_categorical_accuracy",
     lambda r: (r.integers(0, 4, (8,)), _probs(r, 8, 4)), {"k": 2}),
]


@pytest.mark.parametrize("name,make,kwargs", FUNCTIONS, ids=[f[0] for f in FUNCTIONS])
def test_functions_match_keras(name, make, kwargs, keras, rng):
    y_true, y_pred = make(rng)
    ours = getattr(tk.metrics, name)(y_true, y_pred, **kwargs)
    ref = getattr(keras.metrics, name)(y_true, y_pred, **kwargs)
    assert isinstance(ours, torch.Tensor)
    np.testing.assert_allclose(ours.numpy(), keras.ops.convert_to_numpy(ref), rtol=1e-6)


def test_top_k_ties_count_as_hits():
    # Keras counts a target that ties with the k-th score as inside the top k.
    out = tk.metrics.sparse_top_k_categorical_accuracy([0], [[0.5, 0.5, 0.5]], k=1)
    assert float(out[0]) == 1.0


def test_inputs_requiring_grad_leave_state_out_of_autograd():
    m = tk.metrics.CategoricalAccuracy()
    y_pred = torch.rand(4, 3, requires_grad=True)
    m.update_state(torch.eye(3)[[0, 1, 2, 0]], y_pred)
    assert not m.total.requires_grad and m.total.grad_fn is None
    assert not m.result().requires_grad
