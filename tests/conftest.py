import os
import random

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("TORCHKERAS_DEVICE", "cpu")

import numpy as np
import pytest
import torch

torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _seed_and_reset():
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    yield


@pytest.fixture
def keras():
    """Real Keras 3 on the torch backend, as the reference oracle."""
    os.environ["KERAS_BACKEND"] = "torch"
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("keras is not on the torch backend")
    return keras
