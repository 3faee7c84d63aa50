"""Gradients through ops.numpy equal torch autograd on the direct torch expression."""
import pytest
import torch

from torchkeras import ops

A = torch.rand(3, 4, dtype=torch.float32) + 0.2
B = torch.rand(4, dtype=torch.float32) + 0.2
M = torch.rand(4, 5, dtype=torch.float32)

CASES = [
    ("exp", lambda x: ops.exp(x), torch.exp),
    ("log", lambda x: ops.log(x), torch.log),
    ("sqrt", lambda x: ops.sqrt(x), torch.sqrt),
    ("tanh", lambda x: ops.tanh(x), torch.tanh),
    ("arctan", lambda x: ops.arctan(x), torch.atan),
    ("square", lambda x: ops.square(x), torch.square),
    ("abs", lambda x: ops.abs(x - 0.5), lambda x: torch.abs(x - 0.5)),
    ("cbrt", lambda x: ops.cbrt(x), lambda x: x ** (1.0 / 3)),
    ("add", lambda x: ops.add(x, B), lambda x: x + B),
    ("multiply", lambda x: ops.multiply(x, B), lambda x: x * B),
    ("divide", lambda x: ops.divide(B, x), lambda x: B / x),
    ("power", lambda x: ops.power(x, 3), lambda x: x ** 3),
    ("maximum", lambda x: ops.maximum(x, 0.6), lambda x: torch.clamp(x, min=0.6)),
    ("hypot", lambda x: ops.hypot(x, B), lambda x: torch.hypot(x, B)),
    ("logaddexp", lambda x: ops.logaddexp(x, B), lambda x: torch.logaddexp(x, B)),
    ("divide_no_nan", lambda x: ops.divide_no_nan(B, x), lambda x: B / x),
    ("matmul", lambda x: ops.matmul(x, M), lambda x: x @ M),
    ("einsum", lambda x: ops.einsum("ij,jk->ik", x, M), lambda x: torch.einsum("ij,jk->ik", x, M)),
    ("tensordot", lambda x: ops.tensordot(x, M, 1), lambda x: x @ M),
    ("sum", lambda x: ops.sum(x, axis=-1), lambda x: x.sum(-1)),
    ("mean", lambda x: ops.mean(x, axis=(0, 1)), lambda x: x.mean()),
    ("var", lambda x: ops.var(x, axis=0), lambda x: x.var(0, unbiased=False)),
    ("std", lambda x: ops.std(x), lambda x: x.std(unbiased=False)),
    ("prod", lambda x: ops.prod(x, axis=1), lambda x: x.prod(1)),
    ("max", lambda x: ops.max(x, axis=0), lambda x: x.amax(0)),
    ("cumsum", lambda x: ops.cumsum(x, axis=1), lambda x: x.cumsum(1)),
    ("cumprod", lambda x: ops.cumprod(x, axis=0), lambda x: x.cumprod(0)),
    ("quantile", lambda x: ops.quantile(x, 0.3, axis=-1), lambda x: torch.quantile(x, 0.3, dim=-1)),
    ("clip", lambda x: ops.clip(x, 0.4, 0.9), lambda x: x.clamp(0.4, 0.9)),
    ("where", lambda x: ops.where(x > 0.5, x, -x), lambda x: torch.where(x > 0.5, x, -x)),
    ("concatenate", lambda x: ops.concatenate([x, 2 * x], axis=-1), lambda x: torch.cat([x, 2 * x], -1)),
    ("stack", lambda x: ops.stack([x, x * x], axis=0), lambda x: torch.stack([x, x * x])),
    ("reshape", lambda x: ops.reshape(x, (2, -1)), lambda x: x.reshape(2, -1)),
    ("transpose", lambda x: ops.transpose(x), lambda x: x.T),
    ("take", lambda x: ops.take(x, torch.tensor([2, 0, 2]), axis=0), lambda x: x[[2, 0, 2]]),
    ("take_along_axis", lambda x: ops.take_along_axis(x, torch.tensor([[1], [0], [3]]), axis=1),
     lambda x: torch.gather(x, 1, torch.tensor([[1], [0], [3]]))),
    ("pad", lambda x: ops.pad(x, ((1, 0), (0, 2))), lambda x: torch.nn.functional.pad(x, (0, 2, 1, 0))),
    ("pad-reflect", lambda x: ops.pad(x, ((1, 1), (2, 0)), mode="reflect"),
     lambda x: torch.nn.functional.pad(x[None], (2, 0, 1, 1), mode="reflect")[0]),
    ("tile", lambda x: ops.tile(x, (2, 1)), lambda x: x.repeat(2, 1)),
    ("repeat", lambda x: ops.repeat(x, 2, axis=1), lambda x: x.repeat_interleave(2, 1)),
    ("roll", lambda x: ops.roll(x, 1, axis=0), lambda x: torch.roll(x, 1, 0)),
    ("trace", lambda x: ops.trace(x), lambda x: torch.trace(x)),
    ("linspace", lambda x: ops.linspace(x[0], x[1], 4), lambda x: x[0][None] + torch.arange(4.0, dtype=x.dtype)[:, None] * (x[1] - x[0]) / 3),
    ("nanmean", lambda x: ops.nanmean(x, axis=0), lambda x: x.mean(0)),
    ("average", lambda x: ops.average(x, axis=1, weights=B), lambda x: (x * B).sum(1) / B.sum()),
    ("sort", lambda x: ops.sort(x, axis=-1), lambda x: torch.sort(x, -1).values),
    ("get_item", lambda x: ops.get_item(x, (slice(1, None), 0)), lambda x: x[1:, 0]),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_gradient_matches_torch(case):
    _, ours_fn, ref_fn = case
    x1 = A.clone().requires_grad_(True)
    x2 = A.clone().requires_grad_(True)
    out1, out2 = ours_fn(x1), ref_fn(x2)
    torch.testing.assert_close(out1, out2)
    weights = torch.rand_like(out2)
    (g1,) = torch.autograd.grad((out1 * weights).sum(), x1)
    (g2,) = torch.autograd.grad((out2 * weights).sum(), x2)
    torch.testing.assert_close(g1, g2)
