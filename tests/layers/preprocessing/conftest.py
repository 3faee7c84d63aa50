"""Fixtures shared by the preprocessing layer tests."""
import pytest

from torchkeras import layers


def _config_sans_name(layer) -> dict:
    return {k: v for k, v in layer.get_config().items() if k != "name"}


@pytest.fixture
def check_config_matches_keras(keras):
    """``check(name, kwargs)``: our layer ``name`` built from ``kwargs`` has the config of
    Keras's (the auto-generated ``name`` aside)."""
    def check(name: str, kwargs: dict) -> None:
        ours = _config_sans_name(getattr(layers, name)(**kwargs))
        theirs = _config_sans_name(getattr(keras.layers, name)(**kwargs))
        assert ours == theirs

    return check
