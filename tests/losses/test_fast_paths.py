"""The fused shortcuts give the general path's values and gradients, and are taken."""
import numpy as np
import pytest
import torch

import torchkeras.losses as L
from torchkeras.losses.loss import reduce_weighted_values


def _general(loss, y_true, y_pred):
    """The same loss through call() and the generic reduction (no shortcut)."""
    y_pred, y_true = loss._convert(y_true, y_pred)
    losses = loss.call(y_true, y_pred)
    return reduce_weighted_values(losses, mask=getattr(losses, "_keras_mask", None),
                                  reduction=loss.reduction)


CASES = [
    (lambda: L.SparseCategoricalCrossentropy(from_logits=True), "sparse"),
    (lambda: L.SparseCategoricalCrossentropy(), "sparse_prob"),
    (lambda: L.SparseCategoricalCrossentropy(from_logits=True, reduction="sum"), "sparse"),
    (lambda: L.SparseCategoricalCrossentropy(from_logits=True, ignore_class=1), "sparse"),
    (lambda: L.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1,
                                             reduction="mean_with_sample_weight"), "sparse_neg"),
    (lambda: L.CategoricalCrossentropy(from_logits=True), "soft"),
    (lambda: L.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2,
                                       reduction="sum"), "soft"),
    (lambda: L.BinaryCrossentropy(from_logits=True), "binary"),
    (lambda: L.BinaryCrossentropy(label_smoothing=0.1), "binary_prob"),
    (lambda: L.MeanSquaredError(), "reg"),
    (lambda: L.MeanAbsoluteError(), "reg"),
    (lambda: L.Huber(delta=0.5), "reg"),
]


def _data(kind, shape):
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(*shape, generator=g)
    if kind == "sparse":
        return torch.randint(0, shape[-1], shape[:-1], generator=g), logits
    if kind == "sparse_neg":
        return torch.randint(-1, shape[-1], shape[:-1], generator=g), logits
    if kind == "sparse_prob":
        return torch.randint(0, shape[-1], shape[:-1], generator=g), logits.softmax(-1)
    if kind == "soft":
        return torch.rand(*shape, generator=g).softmax(-1), logits
    if kind == "binary":
        return torch.randint(0, 2, shape, generator=g).float(), logits
    if kind == "binary_prob":
        return torch.randint(0, 2, shape, generator=g).float(), logits.sigmoid()
    return torch.randn(*shape, generator=g), logits


@pytest.mark.parametrize("shape", [(8, 5), (2, 3, 5)])
@pytest.mark.parametrize("make,kind", CASES)
def test_fast_path_equals_general_path(make, kind, shape):
    loss = make()
    y_true, y_pred = _data(kind, shape)
    p1 = y_pred.clone().requires_grad_(True)
    p2 = y_pred.clone().requires_grad_(True)
    fast = loss(y_true, p1)
    assert loss.fast_call(*reversed(loss._convert(y_true, p1))) is not None
    slow = _general(loss, y_true, p2)
    torch.testing.assert_close(fast, slow, rtol=1e-5, atol=1e-6)
    fast.backward()
    slow.backward()
    torch.testing.assert_close(p1.grad, p2.grad, rtol=1e-5, atol=1e-7)


def test_fast_path_is_taken(monkeypatch):
    calls = []
    for make, kind in CASES:
        loss = make()
        monkeypatch.setattr(loss, "call", lambda *a: calls.append(a))
        y_true, y_pred = _data(kind, (4, 3))
        assert loss(y_true, y_pred).dim() == 0
    assert calls == []


def test_general_path_still_used_with_weights_masks_and_none_reduction():
    loss = L.SparseCategoricalCrossentropy(from_logits=True)
    y, p = _data("sparse", (4, 3))
    sw = torch.tensor([1.0, 0.0, 2.0, 1.0])
    per = torch.nn.functional.cross_entropy(p, y, reduction="none")
    torch.testing.assert_close(loss(y, p, sample_weight=sw), (per * sw).sum() / 4)
    torch.testing.assert_close(L.SparseCategoricalCrossentropy(from_logits=True,
                                                               reduction=None)(y, p), per)
    masked = p.clone()
    masked._keras_mask = torch.tensor([True, False, True, True])
    torch.testing.assert_close(loss(y, masked), per[[0, 2, 3]].mean())


def test_sparse_fast_path_with_column_labels_and_float_labels():
    loss = L.SparseCategoricalCrossentropy(from_logits=True)
    y, p = _data("sparse", (6, 4))
    expected = torch.nn.functional.cross_entropy(p, y)
    torch.testing.assert_close(loss(y[:, None], p), expected)
    torch.testing.assert_close(loss(y.float(), p), expected)
    torch.testing.assert_close(loss(y.int(), p), expected)
    torch.testing.assert_close(loss(y.numpy(), p), expected)


def test_nn_module_loss_through_get():
    module = L.get(torch.nn.MSELoss())
    assert module(torch.zeros(2), torch.ones(2)).item() == 1.0


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_no_host_sync_on_cuda():
    dev = "cuda"
    cases = [
        (L.SparseCategoricalCrossentropy(from_logits=True), "sparse"),
        (L.SparseCategoricalCrossentropy(from_logits=True, ignore_class=1), "sparse"),
        (L.SparseCategoricalCrossentropy(), "sparse_prob"),
        (L.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1), "soft"),
        (L.CategoricalCrossentropy(), "soft"),
        (L.BinaryCrossentropy(from_logits=True), "binary"),
        (L.BinaryCrossentropy(), "binary_prob"),
        (L.BinaryFocalCrossentropy(), "binary_prob"),
        (L.MeanSquaredError(), "reg"), (L.MeanAbsoluteError(), "reg"), (L.Huber(), "reg"),
        (L.LogCosh(), "reg"), (L.Hinge(), "binary"), (L.SquaredHinge(), "binary"),
        (L.CosineSimilarity(), "reg"), (L.KLDivergence(), "soft"), (L.Poisson(), "soft"),
        (L.CategoricalHinge(), "soft"), (L.Dice(), "binary_prob"),
        (L.Tversky(), "binary_prob"), (L.MeanSquaredLogarithmicError(), "soft"),
        (L.MeanAbsolutePercentageError(), "reg"),
        (L.CategoricalFocalCrossentropy(), "soft"),
        (L.Circle(), "sparse"), (L.CategoricalGeneralizedCrossEntropy(), "sparse_prob"),
    ]
    data = [(loss, [t.to(dev) for t in _data(kind, (16, 5))]) for loss, kind in cases]
    sw = torch.rand(16, device=dev)
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        for loss, (y, p) in data:
            for reduction in ("sum_over_batch_size", "sum", "mean_with_sample_weight", None):
                loss.reduction = reduction
                loss(y, p)
                loss(y, p, sample_weight=sw)
            masked = p.clone()
            masked._keras_mask = sw > 0.5
            loss(y, masked)
    finally:
        torch.cuda.set_sync_debug_mode(0)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("make,kind", CASES)
def test_fast_path_on_cuda_matches_cpu(make, kind):
    loss = make()
    y_true, y_pred = _data(kind, (64, 7))
    cpu = loss(y_true, y_pred)
    gpu = loss(y_true.cuda(), y_pred.cuda())
    assert gpu.device.type == "cuda"
    torch.testing.assert_close(gpu.cpu(), cpu, rtol=1e-5, atol=1e-6)
    # numpy labels follow the prediction onto its device
    torch.testing.assert_close(loss(y_true.numpy(), y_pred.cuda()).cpu(), cpu, rtol=1e-5,
                               atol=1e-6)


def test_sparse_check_labels_names_the_bad_label():
    loss = L.SparseCategoricalCrossentropy(from_logits=True, ignore_class=9)
    logits = torch.zeros(4, 3)
    loss.check_labels(torch.tensor([0, 2, 9, -100]), logits)   # ignore_class and -100 pass
    with pytest.raises(ValueError, match=r"\[0, 3\); found label 3"):
        loss.check_labels(torch.tensor([0, 3, 1, 1]), logits)
    with pytest.raises(ValueError, match="found label -1"):
        loss.check_labels(np.array([[0], [-1], [1], [1]]), logits)   # (N, 1) labels too
    # Sequence outputs: (N, T, C) scores against (N, T) labels.
    with pytest.raises(ValueError, match="found label 5"):
        loss.check_labels(torch.tensor([[0, 5]]), torch.zeros(1, 2, 3))
