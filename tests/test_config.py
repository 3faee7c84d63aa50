import numpy as np
import pytest

import torchkeras
from torchkeras import config


@pytest.fixture(autouse=True)
def _reset():
    yield
    config.set_max_epochs(None)
    config.set_max_steps_per_epoch(None)
    config.enable_interactive_logging()


def _model():
    torchkeras.config.set_device("cpu")
    m = torchkeras.Sequential([torchkeras.Input((2,)), torchkeras.layers.Dense(1)])
    m.compile("sgd", "mse")
    return m


def test_fit_honours_max_epochs_and_steps():
    m = _model()
    x, y = np.zeros((40, 2), "float32"), np.zeros((40, 1), "float32")
    config.set_max_epochs(2)
    config.set_max_steps_per_epoch(3)
    steps = []
    cb = torchkeras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: steps.append(b))
    with pytest.warns(UserWarning, match="Limiting"):
        hist = m.fit(x, y, batch_size=4, epochs=5, verbose=0, callbacks=[cb])
    assert len(hist.history["loss"]) == 2
    assert steps == [0, 1, 2, 0, 1, 2]
    with pytest.raises(ValueError, match="max_epochs"):
        config.set_max_epochs(0)


@pytest.mark.keras_oracle
def test_switch_defaults_match_keras(keras):
    for name in ("is_flash_attention_enabled", "is_interactive_logging_enabled",
                 "is_traceback_filtering_enabled", "max_epochs", "max_steps_per_epoch"):
        assert getattr(config, name)() == getattr(keras.config, name)(), name
    config.disable_interactive_logging()
    assert config.is_interactive_logging_enabled() is False
    config.enable_flash_attention()
    assert config.is_flash_attention_enabled() is True
    config.disable_flash_attention()
    assert config.is_flash_attention_enabled() is False


def test_dtype_policy_and_unsafe_deserialization():
    config.set_dtype_policy("mixed_bfloat16")
    try:
        assert config.dtype_policy().name == "mixed_bfloat16"
        assert torchkeras.layers.Dense(2).compute_dtype == "bfloat16"
    finally:
        config.set_dtype_policy(None)
    assert torchkeras.saving.in_safe_mode() is True
    config.enable_unsafe_deserialization()
    try:
        assert torchkeras.saving.in_safe_mode() is False
    finally:
        config._FLAGS["unsafe_deserialization"] = False
