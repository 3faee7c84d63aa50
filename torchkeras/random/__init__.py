"""``keras.random``: seeded random draws as torch tensors.

``seed=None`` uses torch's global RNG (``keras.utils.set_random_seed`` /
``torch.manual_seed`` govern it); an int seed gives the same draw on every call; a
``SeedGenerator`` gives a new, reproducible draw on every call. Values differ from Keras's
(different generators) but distributions, shapes and dtypes match.
"""
from torchkeras.random.random_ops import (
    beta, binomial, categorical, dropout, gamma, normal, randint, shuffle, truncated_normal,
    uniform,
)
from torchkeras.random.seed_generator import SeedGenerator

__all__ = ["SeedGenerator", "beta", "binomial", "categorical", "dropout", "gamma", "normal",
           "randint", "shuffle", "truncated_normal", "uniform"]
