"""Running means of error functions: regression, probabilistic, hinge and correlation
metrics, plus RootMeanSquaredError and R2Score."""
import numpy as np
import pytest

import torchkeras as tk

pytestmark = [pytest.mark.keras_oracle,
              pytest.mark.filterwarnings("ignore:More independent predictors")]


def _reg(r, shape=(12, 3)):
    return r.uniform(0.1, 2, shape).astype("float32"), r.uniform(0.1, 2, shape).astype("float32")


def _probs(r, n=12, c=4):
    return r.dirichlet(np.ones(c), n).astype("float32")


def _one_hot(r, n=12, c=4):
    return np.eye(c, dtype="float32")[r.integers(0, c, n)]


CASES = {
    "MeanSquaredError": (lambda m: m.MeanSquaredError(), _reg),
    "MeanAbsoluteError": (lambda m: m.MeanAbsoluteError(), _reg),
    "MeanAbsolutePercentageError": (lambda m: m.MeanAbsolutePercentageError(), _reg),
    "MeanSquaredLogarithmicError": (lambda m: m.MeanSquaredLogarithmicError(), _reg),
    "LogCoshError": (lambda m: m.LogCoshError(), _reg),
    "RootMeanSquaredError": (lambda m: m.RootMeanSquaredError(), _reg),
    "RootMeanSquaredError_rank1": (lambda m: m.RootMeanSquaredError(),
                                   lambda r: _reg(r, (12,))),
    "CosineSimilarity": (lambda m: m.CosineSimilarity(), _reg),
    "CosineSimilarity_axis0": (lambda m: m.CosineSimilarity(axis=0), _reg),
    "PearsonCorrelation": (lambda m: m.PearsonCorrelation(), lambda r: _reg(r, (12, 5))),
    "ConcordanceCorrelation": (lambda m: m.ConcordanceCorrelation(), lambda r: _reg(r, (12, 5))),
    "PearsonCorrelation_axis0": (lambda m: m.PearsonCorrelation(axis=0),
                                 lambda r: _reg(r, (12, 5))),
    "R2Score": (lambda m: m.R2Score(), _reg),
    "R2Score_vw": (lambda m: m.R2Score(class_aggregation="variance_weighted_average"), _reg),
    "R2Score_none": (lambda m: m.R2Score(class_aggregation=None), _reg),
    "R2Score_adjusted": (lambda m: m.R2Score(num_regressors=2), _reg),
    "R2Score_adjusted_fallback": (lambda m: m.R2Score(num_regressors=500), _reg),
    "R2Score_1col": (lambda m: m.R2Score(), lambda r: _reg(r, (12, 1))),
    "BinaryCrossentropy": (lambda m: m.BinaryCrossentropy(),
                           lambda r: (r.integers(0, 2, (12, 3)).astype("float32"),
                                      r.uniform(0.01, 0.99, (12, 3)).astype("float32"))),
    "BinaryCrossentropy_logits": (
        lambda m: m.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
        lambda r: (r.integers(0, 2, (12, 3)).astype("float32"),
                   r.normal(size=(12, 3)).astype("float32"))),
    "CategoricalCrossentropy": (lambda m: m.CategoricalCrossentropy(),
                                lambda r: (_one_hot(r), _probs(r))),
    "CategoricalCrossentropy_logits": (
        lambda m: m.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2),
        lambda r: (_one_hot(r), r.normal(size=(12, 4)).astype("float32"))),
    "SparseCategoricalCrossentropy": (lambda m: m.SparseCategoricalCrossentropy(),
                                      lambda r: (r.integers(0, 4, 12), _probs(r))),
    "SparseCategoricalCrossentropy_logits": (
        lambda m: m.SparseCategoricalCrossentropy(from_logits=True),
        lambda r: (r.integers(0, 4, (12, 1)), r.normal(size=(12, 4)).astype("float32"))),
    "KLDivergence": (lambda m: m.KLDivergence(), lambda r: (_probs(r), _probs(r))),
    "Poisson": (lambda m: m.Poisson(), _reg),
    "Hinge": (lambda m: m.Hinge(), lambda r: (r.integers(0, 2, (12, 3)).astype("float32"),
                                              r.normal(size=(12, 3)).astype("float32"))),
    "SquaredHinge": (lambda m: m.SquaredHinge(),
                     lambda r: (r.choice([-1.0, 1.0], (12, 3)).astype("float32"),
                                r.normal(size=(12, 3)).astype("float32"))),
    "CategoricalHinge": (lambda m: m.CategoricalHinge(),
                         lambda r: (_one_hot(r), r.normal(size=(12, 4)).astype("float32"))),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_keras(case, keras, rng, against_keras):
    ctor, make = CASES[case]
    ours, ref = ctor(tk.metrics), ctor(keras.metrics)
    assert ours.name == ref.name
    assert ours.get_config() == ref.get_config()
    batches = []
    for w in (None, "rank1", "full"):
        y_true, y_pred = make(rng)
        # Per-element weights only fit metrics whose values keep the element shape.
        full_ok = case.startswith(("RootMeanSquaredError", "R2Score"))
        if w is None or case.endswith("axis0"):  # values are per feature, not per sample
            sw = None
        elif w == "rank1" or y_true.ndim == 1 or not full_ok:
            sw = rng.uniform(0, 2, len(y_true)).astype("float32")
        else:
            sw = rng.uniform(0, 2, y_true.shape).astype("float32")
        batches.append((y_true, y_pred, sw))
    against_keras(ours, ref, batches, rtol=2e-5)


def test_directions_follow_keras(keras):
    for name in ("MeanSquaredError", "KLDivergence", "Poisson", "Hinge", "R2Score",
                 "CosineSimilarity", "LogCoshError", "BinaryCrossentropy"):
        ours, ref = getattr(tk.metrics, name)(), getattr(keras.metrics, name)()
        assert getattr(ours, "_direction", None) == getattr(ref, "_direction", None), name


def test_r2_known_value_and_errors():
    m = tk.metrics.R2Score()
    m.update_state([[1], [4], [3]], [[2], [4], [4]])
    assert float(m.result()) == pytest.approx(0.5714286, rel=1e-5)
    with pytest.raises(ValueError):
        tk.metrics.R2Score(class_aggregation="median")
    with pytest.raises(ValueError):
        tk.metrics.R2Score(num_regressors=-1)
    with pytest.raises(ValueError, match="2D"):
        tk.metrics.R2Score().update_state([1.0, 2.0], [1.0, 2.0])


def test_rmse_known_value():
    m = tk.metrics.RootMeanSquaredError()
    m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
    assert float(m.result()) == pytest.approx(0.5)
    m.reset_state()
    m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]], sample_weight=[1, 0])
    assert float(m.result()) == pytest.approx(np.sqrt(0.5))


@pytest.mark.parametrize("name", ["pearson_correlation", "concordance_correlation"])
def test_correlation_functions_match_keras(name, keras, rng):
    y_true, y_pred = _reg(rng, (6, 5))
    ours = getattr(tk.metrics, name)(y_true, y_pred)
    ref = getattr(keras.metrics, name)(y_true, y_pred)
    np.testing.assert_allclose(ours.numpy(), keras.ops.convert_to_numpy(ref), rtol=1e-5)
