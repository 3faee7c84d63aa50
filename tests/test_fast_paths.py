"""torchkeras/fast_paths.py: each decision says yes in the plain case and no as soon as
something the skipped machinery would handle is present."""
import torch
from torch import nn

import torchkeras as keras
from torchkeras import fast_paths
from torchkeras.trainers.compile_utils import CompileLoss


def test_standard_call_marker():
    class Own(keras.layers.Dense):
        def __call__(self, *args, **kwargs):
            return super().__call__(*args, **kwargs)

    assert fast_paths.uses_standard_call(keras.layers.Dense(2))
    assert not fast_paths.uses_standard_call(Own(2))


def test_call_signature_facts():
    assert fast_paths.call_signature(keras.layers.Dropout)[:2] == (True, False)
    assert fast_paths.call_signature(keras.layers.Dense)[3] == "inputs"
    assert fast_paths.call_signature(keras.layers.Embedding)[4]       # computes masks
    assert not fast_paths.call_signature(keras.layers.Dense)[4]


def test_global_hooks_are_seen():
    assert not fast_paths.global_hooks_installed()
    handle = nn.modules.module.register_module_forward_hook(lambda m, i, o: None)
    try:
        assert fast_paths.global_hooks_installed()
        assert fast_paths.global_forward_hooks_installed()
        assert not fast_paths.inputs_allow_direct([torch.ones(2, 3)], None)
    finally:
        handle.remove()
    assert fast_paths.inputs_allow_direct([torch.ones(2, 3)], None)
    assert not fast_paths.inputs_allow_direct([torch.ones(2, 3, dtype=torch.float64)], None)


def test_direct_inference_call_refuses_hooks_and_penalties():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    assert fast_paths.direct_inference_call(model) == model.call
    handle = model.register_forward_hook(lambda m, i, o: None)
    assert fast_paths.direct_inference_call(model) is None
    handle.remove()
    model.activity_regularizer = keras.regularizers.L2(0.1)
    assert fast_paths.direct_inference_call(model) is None


def test_inherits_unchanged_and_single_loss():
    class Custom(keras.Model):
        def test_step(self, data):
            return {}

    names = ("test_step", "compute_loss")
    assert fast_paths.inherits_unchanged(keras.Sequential, keras.Model, names)
    assert not fast_paths.inherits_unchanged(Custom, keras.Model, names)
    assert fast_paths.single_loss(CompileLoss("mse", None, ["out"])).name == "mse"
    assert fast_paths.single_loss(CompileLoss(nn.MSELoss(), None, ["out"])) is None
    assert fast_paths.single_loss(CompileLoss("mse", 2.0, ["out"])) is None


def test_loss_inputs_ready():
    f32, i64 = torch.ones(4, 2), torch.zeros(4, dtype=torch.int64)
    assert fast_paths.loss_inputs_ready(f32, f32, None, torch.float32, False)
    assert not fast_paths.loss_inputs_ready(f32, f32, torch.ones(4), torch.float32, False)
    assert not fast_paths.loss_inputs_ready(i64, f32, None, torch.float32, False)
    assert fast_paths.loss_inputs_ready(i64, f32, None, torch.float32, True)
    masked = torch.ones(4, 2)
    masked._keras_mask = torch.ones(4, dtype=torch.bool)
    assert not fast_paths.loss_inputs_ready(f32, masked, None, torch.float32, False)


def test_nc_view_round_trip_and_stale_view():
    y = torch.randn(2, 3, 4, 4)
    x = fast_paths.from_nc(y, "channels_last")
    assert x.shape == (2, 4, 4, 3)
    assert fast_paths.nc_source(x) is y and fast_paths.to_nc(x, "channels_last") is y
    x.transpose_(1, 2)                      # metadata changed in place: no stale reuse
    assert fast_paths.nc_source(x) is None
    assert torch.equal(fast_paths.to_nc(x, "channels_last"), x.permute(0, 3, 1, 2))
