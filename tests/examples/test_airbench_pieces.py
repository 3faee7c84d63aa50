"""The airbench pieces of cifar10_fast match the hand-written torch recipe they replace."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import _airbench as ab
import gpu_cifar
import torchkeras as keras


def test_airbench_sgd_matches_torch_sgd_param_groups():
    """Two LR groups, L2 in the gradient, Nesterov, a changing LR, a frozen parameter."""
    g = torch.Generator().manual_seed(0)
    init = [torch.randn(5, 3, generator=g), torch.randn(3, generator=g),
            torch.randn(4, generator=g)]
    names = ["kernel", "beta", "bias"]
    ours = [keras.variables.Variable(t.clone(), name=n) for t, n in zip(init, names)]
    ref = [torch.nn.Parameter(t.clone()) for t in init]
    sched = ab.TriangularSchedule(0.05, total_steps=10)
    opt = ab.AirbenchSGD(sched, momentum=0.85, l2=0.3, lr_multipliers={"^beta$": 8.0})
    opt.build(ours)
    torch_opt = torch.optim.SGD([{"params": [ref[1]], "lr": 0.05 * 8, "weight_decay": 0.3 / 8},
                                 {"params": [ref[0], ref[2]], "lr": 0.05, "weight_decay": 0.3}],
                                momentum=0.85, nesterov=True)
    lr_sched = torch.optim.lr_scheduler.LambdaLR(
        torch_opt, lambda s: ab.TriangularSchedule(1.0, 10)(s))
    for step in range(8):
        grads = [torch.randn(t.shape, generator=g) for t in init]
        frozen = step >= 5   # "bias" stops training, as airbench's whitening bias does
        for p, q, gr in zip(ours, ref, grads):
            p.grad, q.grad = gr.clone(), gr.clone()
        if frozen:
            ours[2].grad = ref[2].grad = None
        opt.step()
        torch_opt.step()
        lr_sched.step()
    for p, q in zip(ours, ref):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_schedules():
    s = ab.TriangularSchedule(2.0, total_steps=100)
    assert s(0) == pytest.approx(0.4)
    assert s(23) == pytest.approx(2.0)
    assert s(100) == pytest.approx(0.14)
    assert s(10) < s(20) and s(50) > s(80)
    d = ab.LookaheadDecay(100)
    assert d(5) == pytest.approx(1.0, abs=1e-3) and d(100) == pytest.approx(1 - 0.95 ** 5)


def test_schedule_constants_follow_airbench():
    c = ab.schedule_constants(ab.HYP, steps_per_epoch=48)
    assert c["total_steps"] == math.ceil(48 * 9.9)
    kilostep = 1024 * (1 + 1 / 0.15)
    assert c["lr"] == pytest.approx(11.5 / kilostep)
    assert c["l2"] * c["lr"] == pytest.approx(0.0153 * 1024 / kilostep)
    # Mean loss: lr x batch, l2 / batch, so lr * (g_sum / B + l2_mean * w) is the same step.
    m = ab.schedule_constants(ab.HYP, steps_per_epoch=48, mean_loss=True)
    assert m["lr"] == pytest.approx(c["lr"] * 1024) and m["l2"] == pytest.approx(c["l2"] / 1024)
    assert m["total_steps"] == c["total_steps"]


def test_augmented_batches_flip_alternately():
    n = 12
    images = torch.randn(n, 8, 8, 3)
    data = ab.AugmentedCifar(images, torch.arange(n), batch_size=4, flip=True, translate=0)
    assert len(data) == 3
    seen = []
    for epoch in range(2):
        flipped = {}
        for i in range(len(data)):
            x, ids = data[i]
            for img, k in zip(x, ids.tolist()):
                if torch.equal(img, images[k]):
                    flipped[k] = False
                else:
                    assert torch.equal(img, images[k].flip(1))
                    flipped[k] = True
        data.on_epoch_end()
        assert sorted(flipped) == list(range(n))   # every image once per epoch
        seen.append(flipped)
    assert all(seen[0][k] != seen[1][k] for k in range(n))   # each flips on one epoch of two


def test_augmented_batches_are_translated_windows():
    images = torch.randn(6, 8, 8, 3)
    data = ab.AugmentedCifar(images, torch.arange(6), batch_size=6, flip=True, translate=2,
                             drop_last=False)
    padded = F.pad(images.permute(0, 3, 1, 2), (2,) * 4, mode="reflect").permute(0, 2, 3, 1)
    x, ids = data[0]
    assert x.shape == (6, 8, 8, 3)
    for img, k in zip(x, ids.tolist()):
        windows = [padded[k, dy:dy + 8, dx:dx + 8] for dy in range(5) for dx in range(5)]
        assert any(torch.equal(img, w) or torch.equal(img, w.flip(1)) for w in windows)


def test_augmented_rejects_bad_input():
    with pytest.raises(ValueError, match="labels"):
        ab.AugmentedCifar(torch.zeros(4, 8, 8, 3), torch.zeros(3), batch_size=2)
    with pytest.raises(ValueError, match="batch_size"):
        ab.AugmentedCifar(torch.zeros(4, 8, 8, 3), torch.zeros(4), batch_size=8)


def test_tta_levels():
    x = torch.randn(3, 6, 6, 2)
    weights = torch.randn(6, 6, 2)

    def predict(v):
        return (v * weights).sum((1, 2, 3)).unsqueeze(1)

    plain = predict(x)
    torch.testing.assert_close(ab.tta_logits(predict, x, 0), plain)
    mirror = 0.5 * (plain + predict(x.flip(2)))
    torch.testing.assert_close(ab.tta_logits(predict, x, 1), mirror)
    p = ab.reflect_pad_nhwc(x, 1)
    shifted = [p[:, :6, :6], p[:, 2:, 2:]]
    expect = 0.5 * mirror + 0.25 * sum(0.5 * (predict(s) + predict(s.flip(2))) for s in shifted)
    torch.testing.assert_close(ab.tta_logits(predict, x, 2), expect)


def test_model_structure():
    model = ab.build_model((8, 16, 16))
    out = model(torch.randn(2, 32, 32, 3))
    assert tuple(out.shape) == (2, 10)
    whiten = model.get_layer("whiten")
    assert not whiten.weight.requires_grad and whiten.bias.requires_grad
    kernel = model.get_layer("block1_conv1").get_weights()[0]   # (3, 3, 24, 8)
    np.testing.assert_array_equal(kernel[1, 1, :8, :8], np.eye(8))
    assert np.count_nonzero(kernel[..., :8]) == 8
    norm = model.get_layer("block2_norm1")
    assert norm.momentum == 0.6 and norm.epsilon == 1e-12 and not norm.scale


def test_torchkeras_step_equals_raw_torch_step():
    """Same weights, same batch: train_on_batch with AirbenchSGD moves the torchkeras
    network exactly where torch.optim.SGD moves the hand-written one."""
    keras.utils.set_random_seed(0)
    widths = (4, 8, 8)
    model = ab.build_model(widths)
    raw = gpu_cifar.RawNet(widths, 0.6, 1 / 9)
    x = torch.randn(16, 32, 32, 3)
    y = torch.randint(0, 10, (16,))
    model.get_layer("whiten").adapt(x)
    with torch.no_grad():
        raw.whiten.weight.copy_(model.get_layer("whiten").weight)
        raw.whiten.bias.copy_(model.get_layer("whiten").bias)
        for i, group in enumerate(raw.groups):
            for j, (conv, norm) in enumerate(((group.conv1, group.norm1),
                                              (group.conv2, group.norm2))):
                conv.weight.copy_(model.get_layer("block%d_conv%d" % (i + 1, j + 1)).weight)
                norm.bias.copy_(model.get_layer("block%d_norm%d" % (i + 1, j + 1)).bias)
        raw.head.weight.copy_(model.get_layer("head").weight)
    lr, l2 = 0.002, 0.5
    model.compile(optimizer=ab.AirbenchSGD(lr, momentum=0.85, l2=l2,
                                           lr_multipliers={"^beta$": 64.0}),
                  loss=keras.losses.CategoricalCrossentropy(from_logits=True,
                                                            label_smoothing=0.2,
                                                            reduction="sum"))
    norm_b = [p for k, p in raw.named_parameters() if "norm" in k and p.requires_grad]
    other = [p for k, p in raw.named_parameters() if "norm" not in k and p.requires_grad]
    opt = torch.optim.SGD([{"params": norm_b, "lr": lr * 64, "weight_decay": l2 / 64},
                           {"params": other, "lr": lr, "weight_decay": l2}],
                          momentum=0.85, nesterov=True)
    raw.train()
    for _ in range(2):
        loss_tk = model.train_on_batch(x, F.one_hot(y, 10).float())
        loss = F.cross_entropy(raw(x.permute(0, 3, 1, 2)), y, label_smoothing=0.2,
                               reduction="sum")
        opt.zero_grad()
        loss.backward()
        opt.step()
        assert loss_tk == pytest.approx(loss.item(), rel=1e-4)
    for i, group in enumerate(raw.groups):
        tk_conv = model.get_layer("block%d_conv2" % (i + 1)).weight
        np.testing.assert_allclose(tk_conv.detach().numpy(), group.conv2.weight.detach().numpy(),
                                   rtol=1e-4, atol=1e-5)
        tk_norm = model.get_layer("block%d_norm1" % (i + 1))
        np.testing.assert_allclose(tk_norm.bias.detach().numpy(),
                                   group.norm1.bias.detach().numpy(), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(tk_norm.moving_mean.detach().numpy(),
                                   group.norm1.running_mean.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(model.get_layer("head").weight.detach().numpy(),
                               raw.head.weight.detach().numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(model.get_layer("whiten").bias.detach().numpy(),
                               raw.whiten.bias.detach().numpy(), rtol=1e-4, atol=1e-5)
