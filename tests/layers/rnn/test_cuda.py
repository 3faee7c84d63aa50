"""CUDA checks of the fused recurrent path (skipped without a GPU): cuDNN results match the
CPU ones, weights get flattened into one cuDNN buffer, masks and training work."""
import pytest
import torch

from torchkeras import layers

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


@pytest.fixture(autouse=True)
def _full_float32(monkeypatch):
    # cuDNN's recurrent matmuls default to TF32 on Ampere and later (~1e-3 relative
    # error, seen on an H200); the comparisons below are for full float32.
    monkeypatch.setattr(torch.backends.cudnn, "allow_tf32", False)
    monkeypatch.setattr(torch.backends.cuda.matmul, "allow_tf32", False)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "SimpleRNN"])
def test_cudnn_matches_cpu_and_trains(kind):
    torch.manual_seed(0)
    cpu = getattr(layers, kind)(8, return_sequences=True, return_state=True)
    x = torch.randn(4, 7, 5)
    mask = torch.tensor([[1] * 7, [1] * 4 + [0] * 3, [1] + [0] * 6, [1] * 6 + [0]]).bool()
    ref = cpu(x, mask=mask)
    gpu = getattr(layers, kind)(8, return_sequences=True, return_state=True).cuda()
    gpu(x.cuda())
    gpu.set_weights(cpu.get_weights())
    for _ in range(2):                       # the second call reuses the flattened buffer
        out = gpu(x.cuda(), mask=mask.cuda())
        for a, b in zip(out, ref):
            torch.testing.assert_close(a.cpu(), b, rtol=1e-4, atol=1e-5)
    if kind != "GRU":
        ptrs = sorted(p.data_ptr() for p in gpu.cell.fused_weights())
        sizes = [p.numel() * p.element_size() for p in gpu.cell.fused_weights()]
        assert ptrs[-1] - ptrs[0] < sum(sizes) + 4096    # one contiguous chunk
    opt = torch.optim.SGD(gpu.parameters(), lr=0.1)
    loss = gpu(x.cuda(), training=True)[0].square().mean()
    loss.backward()
    opt.step()
    assert all(torch.isfinite(p).all() for p in gpu.parameters())


def test_cudnn_bidirectional_matches_cpu():
    cpu = layers.Bidirectional(layers.LSTM(6, return_sequences=True))
    x = torch.randn(3, 5, 4)
    ref = cpu(x)
    gpu = layers.Bidirectional(layers.LSTM(6, return_sequences=True)).cuda()
    gpu(x.cuda())
    gpu.set_weights(cpu.get_weights())
    torch.testing.assert_close(gpu(x.cuda()).cpu(), ref, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(gpu(x.cuda()).cpu(), ref, rtol=1e-4, atol=1e-5)
