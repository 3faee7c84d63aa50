"""Mixed precision: dtype policies that ``fit`` turns into ``torch.autocast``."""
from torchkeras.mixed_precision.policy import (
    DTypePolicy,
    Policy,
    get_policy,
    global_policy,
    set_global_policy,
)
from torchkeras.optimizers.loss_scale_optimizer import LossScaleOptimizer

dtype_policy = global_policy
set_dtype_policy = set_global_policy

__all__ = ["DTypePolicy", "Policy", "get_policy", "global_policy", "set_global_policy",
           "dtype_policy", "set_dtype_policy"]
__all__ += ["LossScaleOptimizer"]
