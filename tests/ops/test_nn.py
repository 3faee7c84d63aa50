"""nn/image ops where Keras's torch backend is no oracle, and bad-input errors."""
import numpy as np
import pytest
import torch

from torchkeras import ops


def _sparsemax_reference(z):
    z_sorted = np.sort(z)[::-1]
    cssv = np.cumsum(z_sorted)
    k = np.arange(1, len(z) + 1)
    support = 1 + k * z_sorted > cssv
    kz = k[support][-1]
    tau = (cssv[kz - 1] - 1) / kz
    return np.maximum(z - tau, 0)


def test_sparsemax_matches_reference():
    x = np.random.RandomState(1).randn(5, 7).astype("float32")
    ours = ops.sparsemax(torch.from_numpy(x)).numpy()
    ref = np.stack([_sparsemax_reference(r) for r in x])
    np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.sum(-1), np.ones(5), rtol=1e-5)
    along0 = ops.sparsemax(torch.from_numpy(x), axis=0).numpy()
    np.testing.assert_allclose(along0, np.stack([_sparsemax_reference(c) for c in x.T]).T,
                               rtol=1e-5, atol=1e-6)


def test_gaussian_blur_impulse_response_is_the_separable_kernel():
    img = torch.zeros(1, 7, 7, 1)
    img[0, 3, 3, 0] = 1.0
    out = ops.image.gaussian_blur(img, (5, 3), (1.5, 0.7))[0, :, :, 0]
    gy = np.exp(-0.5 * (np.arange(5) - 2) ** 2 / 1.5 ** 2)
    gx = np.exp(-0.5 * (np.arange(3) - 1) ** 2 / 0.7 ** 2)
    kernel = np.outer(gy / gy.sum(), gx / gx.sum())
    np.testing.assert_allclose(out[1:6, 2:5].numpy(), kernel, rtol=1e-5, atol=1e-7)
    assert float(out.sum()) == pytest.approx(1.0, rel=1e-5)


def test_attention_mask_bias_and_soft_cap_match_the_formula():
    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(2, 4, 3, 8, generator=g) for _ in range(3))
    mask = torch.rand(2, 3, 4, 4, generator=g) > 0.3
    mask[..., 0] = True
    bias = torch.randn(2, 3, 4, 4, generator=g)
    logits = torch.einsum("btnh,bsnh->bnts", q, k) * 0.25
    logits = 2.0 * torch.tanh(logits / 2.0) + bias
    probs = torch.softmax(logits.masked_fill(~mask, float("-inf")), -1)
    expected = torch.einsum("bnts,bsnh->btnh", probs, v)
    out = ops.dot_product_attention(q, k, v, bias=bias, mask=mask, scale=0.25,
                                    attn_logits_soft_cap=2.0)
    torch.testing.assert_close(out, expected)
    unbatched = ops.dot_product_attention(q[0], k[0], v[0], is_causal=True)
    assert unbatched.shape == (4, 3, 8)


def test_istft_inverts_stft():
    x = torch.randn(2, 96, dtype=torch.float64)
    for length, step, fft_len, center in ((16, 4, 16, True), (12, 4, 16, False),
                                          (16, 8, 32, True)):
        spec = ops.stft(x, length, step, fft_len, center=center)
        back = ops.istft(spec, length, step, fft_len, length=96 if center else None,
                         center=center)
        torch.testing.assert_close(back[..., 16:80], x[..., 16:80])


def test_ctc_beam_search_prefers_the_likely_path():
    logits = torch.full((1, 4, 3), -5.0)
    logits[0, [0, 1, 2, 3], [1, 0, 2, 2]] = 5.0   # 1, blank, 2, 2 -> [1, 2]
    decoded, scores = ops.nn.ctc_decode(logits, [4], strategy="beam_search", beam_width=5,
                                        top_paths=2)
    assert decoded.shape == (2, 1, 4) and scores.shape == (1, 2)
    assert decoded[0, 0].tolist() == [1, 2, -1, -1]
    assert float(scores[0, 0]) > float(scores[0, 1])
    greedy, _ = ops.nn.ctc_decode(logits, [4])
    assert greedy[0, 0].tolist() == [1, 2, -1, -1]


def test_resize_lanczos_and_area_keep_constants():
    x = torch.full((1, 8, 8, 2), 3.0)
    for interp in ("lanczos3", "lanczos5", "area"):
        out = ops.image.resize(x, (4, 6), interpolation=interp, antialias=True)
        assert out.shape == (1, 4, 6, 2)
        torch.testing.assert_close(out, torch.full_like(out, 3.0))


def test_elastic_transform_is_seeded_and_zero_alpha_is_identity():
    x = torch.rand(2, 9, 9, 3)
    a = ops.image.elastic_transform(x, alpha=5.0, sigma=2.0, seed=3)
    b = ops.image.elastic_transform(x, alpha=5.0, sigma=2.0, seed=3)
    torch.testing.assert_close(a, b)
    assert not torch.allclose(a, x)
    torch.testing.assert_close(ops.image.elastic_transform(x, alpha=0.0, seed=1), x)


BAD = [
    (lambda: ops.conv(torch.ones(1, 8, 8, 3), torch.ones(3, 3, 2, 4)), "conv"),
    (lambda: ops.conv(torch.ones(8, 3), torch.ones(3, 3, 4)), "conv"),
    (lambda: ops.conv(torch.ones(1, 8, 8, 3), torch.ones(3, 3, 3, 4), padding="full"), "padding"),
    (lambda: ops.depthwise_conv(torch.ones(1, 8, 8, 3), torch.ones(3, 3, 4, 1)),
     "depthwise_conv"),
    (lambda: ops.conv_transpose(torch.ones(1, 8, 8, 3), torch.ones(3, 3, 3, 4)),
     "conv_transpose"),
    (lambda: ops.binary_crossentropy(torch.ones(2, 3), torch.ones(3, 2)),
     "binary_crossentropy"),
    (lambda: ops.categorical_crossentropy(torch.ones(2, 3), torch.ones(2, 4)),
     "categorical_crossentropy"),
    (lambda: ops.sparse_categorical_crossentropy(torch.ones(3), torch.ones(2, 4)),
     "sparse_categorical_crossentropy"),
    (lambda: ops.dot_product_attention(torch.ones(1, 2, 3, 4), torch.ones(1, 2, 3, 5),
                                       torch.ones(1, 2, 3, 5)), "dot_product_attention"),
    (lambda: ops.batch_normalization(torch.ones(2, 3), torch.ones(4), torch.ones(3), -1),
     "batch_normalization"),
    (lambda: ops.glu(torch.ones(2, 3)), "glu"),
    (lambda: ops.normalize(torch.ones(3), order=0), "normalize"),
    (lambda: ops.psnr(torch.ones(3), torch.ones(4), 1.0), "psnr"),
    (lambda: ops.segment_sum(torch.ones(3), torch.tensor([0, 1])), "segment_sum"),
    (lambda: ops.in_top_k(torch.tensor([0]), torch.ones(3), 1), "in_top_k"),
    (lambda: ops.fft(torch.ones(3)), "fft"),
    (lambda: ops.stft(torch.ones(2, 32, dtype=torch.int32), 8, 4, 8), "stft"),
    (lambda: ops.solve(torch.ones(2, 3), torch.ones(2)), "solve"),
    (lambda: ops.solve_triangular(torch.eye(3), torch.ones(2, 1)), "solve_triangular"),
    (lambda: ops.qr(torch.ones(3), mode="full"), "qr"),
    (lambda: ops.inv(torch.ones(2, 3)), "inv"),
    (lambda: ops.image.resize(torch.ones(8, 8), (4, 4)), "resize"),
    (lambda: ops.image.resize(torch.ones(1, 8, 8, 3), (4, 4), interpolation="cubic"),
     "interpolation"),
    (lambda: ops.image.affine_transform(torch.ones(1, 4, 4, 1), torch.ones(6)), "transform"),
    (lambda: ops.image.map_coordinates(torch.ones(4, 4), [torch.ones(3)], 1),
     "map_coordinates"),
    (lambda: ops.image.crop_images(torch.ones(1, 8, 8, 3), 1), "crop_images"),
    (lambda: ops.image.pad_images(torch.ones(1, 8, 8, 3), 1, 1, 1, 1, 20, 20), "pad_images"),
    (lambda: ops.image.rgb_to_hsv(torch.ones(1, 4, 4, 3, dtype=torch.int32)), "rgb_to_hsv"),
]


@pytest.mark.parametrize("call,word", BAD, ids=[w for _, w in BAD])
def test_bad_input_raises_a_clear_error(call, word):
    with pytest.raises((ValueError, TypeError), match=word):
        call()


def test_image_data_format_setting_is_the_default():
    from torchkeras import config
    x = torch.randn(1, 3, 8, 8)
    k = torch.randn(3, 3, 3, 4)
    old = config.image_data_format()
    try:
        config.set_image_data_format("channels_first")
        out = ops.conv(x, k, padding="same")
        pooled = ops.max_pool(x, 2)
    finally:
        config.set_image_data_format(old)
    torch.testing.assert_close(out, ops.conv(x, k, padding="same",
                                             data_format="channels_first"))
    assert out.shape == (1, 4, 8, 8) and pooled.shape == (1, 3, 4, 4)


def test_control_flow_ops_accept_keras_tensors():
    import torchkeras
    inputs = torchkeras.Input((5, 3))
    doubled = ops.map(lambda r: r * 2, inputs)
    looped = ops.fori_loop(0, 3, lambda i, v: v + 1, doubled)
    model = torchkeras.Model(inputs, looped)
    x = torch.randn(2, 5, 3)
    torch.testing.assert_close(model(x), x * 2 + 3)
