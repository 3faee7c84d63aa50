"""Fixtures of the rnn tests (the `oracle` fixture lives in tests/layers/conftest.py)."""
import numpy as np
import pytest
import torch

@pytest.fixture
def forbid_step_loop(monkeypatch):
    """Makes the per-step fallback raise, proving the fused kernel ran."""
    from torchkeras.layers.rnn.rnn import RNN

    def boom(*args, **kwargs):
        raise AssertionError("the per-step fallback loop ran instead of the fused kernel")
    monkeypatch.setattr(RNN, "_step_loop", boom)
