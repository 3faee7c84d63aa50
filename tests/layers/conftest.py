"""Fixtures shared by layer tests."""
import pytest

from torchkeras.testing.oracle import OracleHelper


@pytest.fixture
def oracle(keras):
    """Copies Keras weights into our layers and compares outputs (see OracleHelper)."""
    return OracleHelper(keras)
