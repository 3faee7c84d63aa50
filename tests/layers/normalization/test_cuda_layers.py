"""CUDA check of the convolution, pooling and normalization layers (skipped without a
GPU): a layer built on the GPU gives the CPU result with the same weights, in training
and inference mode, including BatchNormalization's moving statistics; backward works and
every parameter and buffer lives on the GPU."""
import pytest
import torch

from torchkeras import config, layers as L

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")

CASES = [
    (L.Conv1D, {"filters": 8, "kernel_size": 3, "padding": "causal"}, (4, 20, 6)),
    (L.Conv2D, {"filters": 8, "kernel_size": 3, "strides": 2, "padding": "same"}, (4, 15, 16, 6)),
    (L.Conv3D, {"filters": 4, "kernel_size": 2, "padding": "same"}, (2, 5, 6, 7, 3)),
    (L.Conv1DTranspose, {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"},
     (4, 10, 6)),
    (L.Conv2DTranspose, {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"},
     (4, 7, 8, 6)),
    (L.DepthwiseConv2D, {"kernel_size": 3, "depth_multiplier": 2, "padding": "same"},
     (4, 9, 9, 6)),
    (L.SeparableConv1D, {"filters": 8, "kernel_size": 3, "padding": "same"}, (4, 20, 6)),
    (L.SeparableConv2D, {"filters": 8, "kernel_size": 3}, (4, 9, 9, 6)),
    (L.MaxPooling2D, {"pool_size": 3, "strides": 2, "padding": "same"}, (4, 9, 10, 6)),
    (L.AveragePooling2D, {"pool_size": 2, "strides": 1, "padding": "same"}, (4, 9, 10, 6)),
    (L.AveragePooling3D, {"pool_size": 2, "padding": "same"}, (2, 5, 6, 7, 3)),
    (L.GlobalAveragePooling2D, {}, (4, 9, 10, 6)),
    (L.AdaptiveMaxPooling2D, {"output_size": 3}, (4, 9, 10, 6)),
    (L.BatchNormalization, {"momentum": 0.8}, (8, 5, 5, 6)),
    (L.BatchNormalization, {"axis": 1, "renorm": True}, (8, 6, 5)),
    (L.LayerNormalization, {}, (4, 7, 6)),
    (L.GroupNormalization, {"groups": 3}, (4, 7, 6)),
    (L.RMSNormalization, {}, (4, 7, 6)),
    (L.UnitNormalization, {}, (4, 7, 6)),
]



def _build(cls, kwargs, shape, device):
    config.set_device(device)
    try:
        torch.manual_seed(0)
        layer = cls(**kwargs)
        x = torch.randn(shape, device=device)
        layer(x)
    finally:
        config.set_device(None)
    return layer, x


@pytest.mark.parametrize("cls,kwargs,shape", CASES, ids=lambda v: str(v)[:40])
def test_cuda_matches_cpu(cls, kwargs, shape, monkeypatch):
    # cuDNN convolutions default to TF32 (~1e-3 relative error): compare in full float32
    monkeypatch.setattr(torch.backends.cudnn, "allow_tf32", False)
    cpu, x = _build(cls, kwargs, shape, "cpu")
    gpu, _ = _build(cls, kwargs, shape, "cuda")
    gpu.set_weights(cpu.get_weights())
    xg = x.cuda().requires_grad_()
    for training in (True, True, False):
        a = cpu(x, training=training)
        b = gpu(xg, training=training)
        torch.testing.assert_close(b.detach().cpu(), a.detach(), rtol=1e-3, atol=1e-4)
    for wa, wb in zip(cpu.get_weights(), gpu.get_weights()):
        torch.testing.assert_close(torch.as_tensor(wb), torch.as_tensor(wa), rtol=1e-3,
                                   atol=1e-5)
    gpu(xg, training=True).float().square().mean().backward()
    assert xg.grad is not None and torch.isfinite(xg.grad).all()
    assert all(p.device.type == "cuda" for p in gpu.parameters())
    assert all(b.device.type == "cuda" for b in gpu.buffers())
