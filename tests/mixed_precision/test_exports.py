"""keras.mixed_precision exports the names Keras 3 does (LossScaleOptimizer too)."""
import pytest

import torchkeras as tk


@pytest.mark.keras_oracle
def test_public_names_match_keras(keras):
    theirs = {n for n in dir(keras.mixed_precision) if not n.startswith("_")}
    assert theirs <= set(tk.mixed_precision.__all__)
    assert tk.mixed_precision.LossScaleOptimizer is tk.optimizers.LossScaleOptimizer
    opt = tk.mixed_precision.LossScaleOptimizer(tk.optimizers.SGD(), initial_scale=8.0)
    assert float(opt.scale_loss(tk.ops.convert_to_tensor(2.0))) == 16.0
