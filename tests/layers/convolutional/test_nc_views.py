"""Channels-last layers hand each other the (N, C, ...) tensors behind their NHWC views
(conv_utils.to_nc / from_nc): same values and gradients as permuting every time, without
the permute ops and their backward nodes."""
import pytest
import torch

from torchkeras import layers
from torchkeras.layers.convolutional import conv_utils as cu


DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(
    not torch.cuda.is_available(), reason="needs CUDA"))]


def _chain(device="cpu"):
    torch.manual_seed(0)
    chain = [layers.Conv2D(6, 3, padding="same", activation="relu"),
             layers.MaxPooling2D(2), layers.BatchNormalization(),
             layers.Activation("gelu"), layers.Conv2D(4, 3, padding="same"),
             layers.BatchNormalization(center=False), layers.Activation("silu"),
             layers.AveragePooling2D(2, padding="same"), layers.Activation("softmax")]
    x = torch.randn(3, 10, 12, 5, device=device)
    h = x
    for layer in chain:
        h = layer(h)   # builds, on the input's device
    return chain, x


def _grad_fns(t):
    seen, todo, names = set(), [t.grad_fn], []
    while todo:
        fn = todo.pop()
        if fn is None or fn in seen:
            continue
        seen.add(fn)
        names.append(type(fn).__name__)
        todo.extend(f for f, _ in fn.next_functions)
    return names


@pytest.mark.parametrize("device", DEVICES)
def test_chained_views_match_permuting_every_time(device, monkeypatch):
    monkeypatch.setattr(torch.backends.cudnn, "allow_tf32", False)
    chain, x = _chain(device)
    for training in (True, False):
        xa = x.clone().requires_grad_()
        xb = x.clone().requires_grad_()
        a, b = xa, xb
        for layer in chain:
            a = layer(a, training=training)
            b = layer(b, training=training).clone()   # a clone carries no NC source
        # (On CUDA the two BatchNormalization layouts reduce in different orders.)
        tol = {"rtol": 1e-5, "atol": 1e-6} if device == "cpu" else {"rtol": 1e-4, "atol": 1e-5}
        torch.testing.assert_close(a, b, **tol)
        weights = torch.randn_like(a)
        (a * weights).sum().backward()
        (b * weights).sum().backward()
        torch.testing.assert_close(xa.grad, xb.grad, rtol=1e-4, atol=1e-6)
    # One permute of the input, one for the softmax (not elementwise): no others left.
    names = _grad_fns(a)
    assert names.count("PermuteBackward0") <= 2, names
    assert "ViewBackward0" not in names


def test_softmax_is_applied_over_the_channels_of_the_nhwc_view():
    conv = layers.Conv2D(4, 1)
    out = layers.Activation("softmax")(conv(torch.randn(2, 3, 5, 2)))
    torch.testing.assert_close(out.sum(-1), torch.ones(2, 3, 5))


def test_a_view_reshaped_in_place_is_permuted_again():
    y = torch.randn(2, 4, 5, 5)                       # (N, C, H, W), square images
    x = cu.from_nc(y, "channels_last")                # (N, H, W, C)
    assert cu.to_nc(x, "channels_last") is y
    x.transpose_(1, 2)                                # same shape, H and W swapped
    assert cu.nc_source(x) is None
    torch.testing.assert_close(cu.to_nc(x, "channels_last"), x.permute(0, 3, 1, 2))
    x = cu.from_nc(y, "channels_last")
    x.set_(torch.zeros(2, 5, 5, 4))                   # other memory, same strides
    assert cu.nc_source(x) is None


def test_residual_merges_of_conv_outputs_stay_on_the_nc_tensors():
    torch.manual_seed(0)
    c1, c2 = layers.Conv2D(4, 3, padding="same"), layers.Conv2D(4, 1)
    merges = [layers.Add(), layers.Subtract(), layers.Multiply(), layers.Average(),
              layers.Maximum(), layers.Minimum()]
    x = torch.randn(2, 6, 5, 3, requires_grad=True)
    for merge in merges:
        a, b = c1(x), c2(x)
        out = merge([a, b])
        assert cu.nc_source(out) is not None
        ref = merge([a.clone(), b.clone()])
        torch.testing.assert_close(out, ref)
    out = layers.Conv2D(2, 1)(layers.Add()([c1(x), c2(x)]))
    # Left: the input's permute into c1 and into c2, and the output view; none around Add.
    assert _grad_fns(out).count("PermuteBackward0") == 3


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_chained_views_under_bfloat16_autocast_on_cuda():
    chain, x = _chain("cuda")
    with torch.autocast("cuda", dtype=torch.bfloat16):
        a, b = x, x
        for layer in chain:
            a = layer(a, training=False)
            b = layer(b, training=False).clone()
    torch.testing.assert_close(a, b)
