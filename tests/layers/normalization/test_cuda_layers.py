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
    # Channels-last group norm and the scale=False, center=True pair: both broke torch's
    # CUDA backward kernels (a crash; an empty bias gradient).
    (L.GroupNormalization, {"groups": 2}, (2, 5, 4, 6)),
    (L.GroupNormalization, {"groups": 3, "axis": 1, "scale": False}, (2, 6, 5)),
    (L.BatchNormalization, {"scale": False}, (8, 5, 5, 6)),
    (L.LayerNormalization, {"scale": False}, (4, 7, 6)),
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
    xc = x.clone().requires_grad_()
    cpu(xc, training=True).float().square().mean().backward()
    gpu(xg, training=True).float().square().mean().backward()
    assert xg.grad is not None and torch.isfinite(xg.grad).all()
    torch.testing.assert_close(xg.grad.cpu(), xc.grad, rtol=1e-3, atol=1e-5)
    for pa, pb in zip(cpu.trainable_weights, gpu.trainable_weights):
        torch.testing.assert_close(pb.grad.cpu(), pa.grad, rtol=1e-3, atol=1e-5)
    assert all(p.device.type == "cuda" for p in gpu.parameters())
    assert all(b.device.type == "cuda" for b in gpu.buffers())


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_batch_norm_keeps_half_inputs_on_cuda(dtype):
    # Under mixed precision the CUDA kernels take half inputs with float32 statistics:
    # no float32 copy of the activations, and the result is close to the float32 one.
    policy = "mixed_bfloat16" if dtype is torch.bfloat16 else "mixed_float16"
    layer, x = _build(L.BatchNormalization, {"dtype": policy}, (16, 6, 6, 8), "cuda")
    ref = L.BatchNormalization()
    ref.build(x.shape)
    ref.cuda()
    ref.set_weights(layer.get_weights())
    for training in (True, False):
        out = layer(x.to(dtype), training=training)
        assert out.dtype == dtype
        torch.testing.assert_close(out.float(), ref(x.to(dtype).float(), training=training),
                                   rtol=2e-2, atol=2e-2)
    torch.testing.assert_close(layer.running_mean, ref.running_mean, rtol=1e-2, atol=1e-3)
