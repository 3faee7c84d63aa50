"""Rows of bench/layers.py for the core, activation, reshaping, merging, regularization,
embedding, attention and preprocessing layers: each against the torch call it wraps."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from torchkeras import layers as L


def plain(layer, shape, kernel, training=False, n_inputs=1, dtype=torch.float32):
    """Closures timing ``layer`` and ``kernel`` (same weights) on the same tensor(s)."""
    if dtype.is_floating_point:
        xs = [torch.randn(shape).requires_grad_() for _ in range(n_inputs)]
    else:
        xs = [torch.randint(0, 1000, shape) for _ in range(n_inputs)]
    arg = xs if n_inputs > 1 else xs[0]
    y = layer(arg, training=training)
    g = torch.randn(y.shape)

    def ours():
        layer(arg, training=training).backward(g)

    def raw():
        kernel(arg).backward(g)
    return ours, raw, None


def core_rows() -> list:
    out = []

    def add(name, builder):
        out.append((name, builder))

    def dense():
        layer = L.Dense(256, activation="relu")
        layer.build((None, 256))
        return plain(layer, (128, 256), lambda x: F.relu(F.linear(x, layer.weight, layer.bias)))
    add("Dense relu", dense)

    def embedding():
        layer = L.Embedding(1000, 64)
        layer.build((None, 32))
        ours, _, _ = plain(layer, (64, 32), None, dtype=torch.int64)
        x = torch.randint(0, 1000, (64, 32))
        g = torch.randn(64, 32, 64)

        def ours():
            layer(x).backward(g)

        def raw():
            F.embedding(x, layer.weight).backward(g)
        return ours, raw, None
    add("Embedding", embedding)

    add("Dropout(0.3) training", lambda: plain(L.Dropout(0.3), (128, 512),
                                                lambda x: F.dropout(x, 0.3, True), True))
    add("ReLU", lambda: plain(L.ReLU(), (128, 512), F.relu))
    add("LeakyReLU", lambda: plain(L.LeakyReLU(0.2), (128, 512),
                                   lambda x: F.leaky_relu(x, 0.2)))
    add("ELU", lambda: plain(L.ELU(), (128, 512), F.elu))
    add("Softmax", lambda: plain(L.Softmax(), (128, 512), lambda x: torch.softmax(x, -1)))

    def prelu():
        layer = L.PReLU()
        layer.build((None, 512))
        return plain(layer, (128, 512), lambda x: torch.where(x >= 0, x, layer.alpha * x)
                     if hasattr(layer, "alpha") else x)
    add("PReLU", prelu)
    add("Flatten", lambda: plain(L.Flatten(), (64, 8, 8, 16), lambda x: x.reshape(64, -1)))
    add("Reshape", lambda: plain(L.Reshape((64, 16)), (64, 8, 8, 16),
                                 lambda x: x.reshape(64, 64, 16)))
    add("Permute", lambda: plain(L.Permute((2, 1)), (64, 32, 16), lambda x: x.permute(0, 2, 1)))
    add("UpSampling2D", lambda: plain(
        L.UpSampling2D(2), (8, 16, 16, 32),
        lambda x: F.interpolate(x.permute(0, 3, 1, 2), scale_factor=2,
                                mode="nearest-exact").permute(0, 2, 3, 1)))
    add("ZeroPadding2D", lambda: plain(L.ZeroPadding2D(2), (8, 16, 16, 32),
                                       lambda x: F.pad(x, (0, 0, 2, 2, 2, 2))))
    add("Cropping2D", lambda: plain(L.Cropping2D(2), (8, 16, 16, 32),
                                    lambda x: x[:, 2:-2, 2:-2, :]))
    add("Add", lambda: plain(L.Add(), (128, 512), lambda xs: xs[0] + xs[1], n_inputs=2))
    add("Concatenate", lambda: plain(L.Concatenate(), (128, 256),
                                     lambda xs: torch.cat(xs, -1), n_inputs=2))
    add("Rescaling", lambda: plain(L.Rescaling(1 / 255.0), (64, 32, 32, 3),
                                   lambda x: x * (1 / 255.0)))

    def mha():
        layer = L.MultiHeadAttention(num_heads=4, key_dim=16)
        q = torch.randn(16, 32, 64, requires_grad=True)
        layer(q, q)
        g = torch.randn(16, 32, 64)
        torch_mha = torch.nn.MultiheadAttention(64, 4, batch_first=True)

        def ours():
            layer(q, q).backward(g)

        def raw():
            torch_mha(q, q, q, need_weights=False)[0].backward(g)
        return ours, raw, None
    add("MultiHeadAttention vs nn.MHA", mha)

    def einsum_dense():
        layer = L.EinsumDense("abc,cde->abde", (None, 8, 32), bias_axes="de")
        layer.build((None, 32, 256))
        return plain(layer, (32, 32, 256),
                     lambda x: torch.einsum("abc,cde->abde", x, layer.kernel) + layer.bias)
    add("EinsumDense", einsum_dense)

    def forward_only(layer, x, kernel):
        layer(x)

        def ours():
            layer(x)

        def raw():
            kernel(x)
        return ours, raw, None
    ids = torch.randint(0, 64, (1024, 16))

    def checked_multi_hot(x):
        # Keras refuses out-of-range ids, so the torch baseline checks them too.
        low, high = (v.item() for v in torch.aminmax(x))
        if low < 0 or high >= 64:
            raise ValueError("out of range")
        return torch.zeros(x.shape[0], 64).scatter_(1, x, 1)
    add("CategoryEncoding multi_hot (vs checked scatter)", lambda: forward_only(
        L.CategoryEncoding(64), ids, checked_multi_hot))
    values = torch.randn(256, 64)
    bounds = torch.linspace(-2, 2, 15)
    add("Discretization", lambda: forward_only(
        L.Discretization(bin_boundaries=bounds.tolist()), values,
        lambda x: torch.bucketize(x, bounds, right=True, out_int32=True)))
    return out
