"""Gradients of differentiable ops equal torch autograd on the direct torch expression."""
import pytest
import torch
import torch.nn.functional as F

from torchkeras import ops

torch.manual_seed(0)
X = torch.randn(2, 5, 6, 3, dtype=torch.float64)
K = torch.randn(3, 3, 3, 4, dtype=torch.float64)
DW = torch.randn(3, 3, 3, 2, dtype=torch.float64)
KT = torch.randn(3, 3, 4, 3, dtype=torch.float64)
V = torch.randn(4, 7, dtype=torch.float64)
A = torch.randn(4, 4, dtype=torch.float64) + 4 * torch.eye(4, dtype=torch.float64)
SPD = A @ A.T
Q = torch.randn(2, 5, 2, 4, dtype=torch.float64)
T = torch.rand(4, 7, dtype=torch.float64)
IDS = torch.tensor([0, 0, 2, 1])


def nchw(x):
    return x.permute(0, 3, 1, 2)


def nhwc(x):
    return x.permute(0, 2, 3, 1)


CASES = [
    ("relu", lambda v: ops.relu(v), lambda v: torch.relu(v), [V]),
    ("gelu", lambda v: ops.gelu(v), lambda v: F.gelu(v, approximate="tanh"), [V]),
    ("silu", lambda v: ops.silu(v), F.silu, [V]),
    ("softmax", lambda v: ops.softmax(v, axis=0), lambda v: torch.softmax(v, 0), [V]),
    ("log_softmax", lambda v: ops.log_softmax(v), lambda v: torch.log_softmax(v, -1), [V]),
    ("logsumexp", lambda v: ops.logsumexp(v, axis=1), lambda v: torch.logsumexp(v, 1), [V]),
    ("erf", ops.erf, torch.erf, [V]),
    ("rsqrt", ops.rsqrt, torch.rsqrt, [V.abs() + 0.5]),
    ("conv", lambda x, k: ops.conv(x, k, 1, "same"),
     lambda x, k: nhwc(F.conv2d(nchw(x), k.permute(3, 2, 0, 1), padding=1)), [X, K]),
    ("depthwise_conv", lambda x, k: ops.depthwise_conv(x, k),
     lambda x, k: nhwc(F.conv2d(nchw(x), k.reshape(3, 3, 6).permute(2, 0, 1)[:, None],
                                groups=3)), [X, DW]),
    ("conv_transpose", lambda x, k: ops.conv_transpose(x, k, 1, "valid"),
     lambda x, k: nhwc(F.conv_transpose2d(nchw(x), k.permute(3, 2, 0, 1))), [X, KT]),
    ("max_pool", lambda x: ops.max_pool(x, 2), lambda x: nhwc(F.max_pool2d(nchw(x), 2)), [X]),
    ("average_pool", lambda x: ops.average_pool(x, 2),
     lambda x: nhwc(F.avg_pool2d(nchw(x), 2)), [X]),
    ("layer_normalization", lambda x: ops.layer_normalization(x, epsilon=1e-5),
     lambda x: F.layer_norm(x, (7,), eps=1e-5), [V]),
    ("rms_normalization", lambda x: ops.rms_normalization(x, epsilon=1e-6),
     lambda x: F.rms_norm(x, (7,), eps=1e-6), [V]),
    ("dot_product_attention", lambda q, k: ops.dot_product_attention(q, k, k),
     lambda q, k: F.scaled_dot_product_attention(
         q.transpose(1, 2), k.transpose(1, 2), k.transpose(1, 2)).transpose(1, 2), [Q, Q * 2]),
    ("binary_crossentropy", lambda o: ops.binary_crossentropy(T, o, from_logits=True),
     lambda o: F.binary_cross_entropy_with_logits(o, T, reduction="none"), [V]),
    ("categorical_crossentropy",
     lambda o: ops.categorical_crossentropy(T, o, from_logits=True),
     lambda o: F.cross_entropy(o, T, reduction="none"), [V]),
    ("segment_sum", lambda d: ops.segment_sum(d, IDS),
     lambda d: torch.zeros(3, 7, dtype=d.dtype).index_add(0, IDS, d), [V]),
    ("norm", lambda v: ops.norm(v), torch.linalg.norm, [V]),
    ("solve", ops.solve, torch.linalg.solve, [A, V]),
    ("det", ops.det, torch.linalg.det, [A]),
    ("inv", ops.inv, torch.linalg.inv, [A]),
    ("cholesky", ops.cholesky, torch.linalg.cholesky, [SPD]),
    ("resize", lambda x: ops.image.resize(x, (3, 9)),
     lambda x: nhwc(F.interpolate(nchw(x), (3, 9), mode="bilinear", align_corners=False)),
     [X]),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_gradient_matches_torch(case):
    _, ours, direct, inputs = case
    a = [t.clone().requires_grad_(True) for t in inputs]
    b = [t.clone().requires_grad_(True) for t in inputs]
    out_a, out_b = ours(*a), direct(*b)
    torch.testing.assert_close(out_a, out_b)
    w = torch.randn_like(out_b)
    ga = torch.autograd.grad((out_a * w).sum(), a)
    gb = torch.autograd.grad((out_b * w).sum(), b)
    for x, y in zip(ga, gb):
        torch.testing.assert_close(x, y)
