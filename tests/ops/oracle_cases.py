"""Input table for the ``keras.ops`` oracle tests (core, math, nn, linalg, image).

Each case is ``(id, family, name, args, kwargs)``; ``args`` are numpy arrays or Python
values given identically to ``keras.ops`` and to ``torchkeras.ops``.
"""
import numpy as np

rng = np.random.RandomState(0)
F = rng.randn(2, 3, 4).astype("float32")
F2 = rng.randn(3, 4).astype("float32")
POS = (rng.rand(2, 3, 4) + 0.1).astype("float32")
H16 = rng.randn(3, 4).astype("float16")
I32 = rng.randint(-3, 4, size=(3, 4)).astype("int32")
I64 = rng.randint(0, 4, size=(5,)).astype("int64")
B = rng.rand(3, 4) > 0.5
PROB = (rng.rand(4, 5) + 0.05).astype("float32")
PROB /= PROB.sum(-1, keepdims=True)
ONEHOT = np.eye(5, dtype="float32")[[0, 2, 4, 1]]
LABELS = np.array([0, 2, 4, 1], "int32")
BIN_T = (rng.rand(4, 5) > 0.5).astype("float32")
IMG = rng.rand(2, 8, 9, 3).astype("float32")
IMG_CF = np.transpose(IMG, (0, 3, 1, 2)).copy()
K2 = rng.randn(3, 3, 3, 4).astype("float32")
K2G = rng.randn(3, 3, 1, 6).astype("float32")      # groups=3
K1 = rng.randn(3, 3, 5).astype("float32")
X1 = rng.randn(2, 10, 3).astype("float32")
X3 = rng.randn(1, 6, 6, 6, 2).astype("float32")
K3 = rng.randn(2, 2, 2, 2, 3).astype("float32")
DW = rng.randn(3, 3, 3, 2).astype("float32")
PW = rng.randn(1, 1, 6, 4).astype("float32")
KT = rng.randn(3, 3, 5, 3).astype("float32")       # (h, w, out, in)
KT4 = rng.randn(4, 4, 5, 3).astype("float32")
SQ = rng.randn(3, 4, 4).astype("float32")
SPD = (SQ @ np.transpose(SQ, (0, 2, 1)) + 4 * np.eye(4)).astype("float32")
TRI = np.tril(SQ[0]) + 4 * np.eye(4, dtype="float32")
RHS = rng.randn(4, 2).astype("float32")
TALL = rng.randn(6, 3).astype("float32")
Q = rng.randn(2, 5, 4, 8).astype("float32")
KV = rng.randn(2, 6, 2, 8).astype("float32")
MASK = rng.rand(2, 4, 5, 6) > 0.3
MASK[..., 0] = True
BIAS = rng.randn(2, 4, 5, 6).astype("float32")
SIG = rng.randn(2, 64).astype("float32")
SEG_D = rng.randn(6, 3).astype("float32")
SEG_I = np.array([0, 0, 1, 3, 3, 3], "int32")
CTC_T = np.array([[1, 2, 2, 0], [3, 1, 0, 0]], "int32")
CTC_O = rng.randn(2, 8, 5).astype("float32")
HSV = np.stack([rng.rand(2, 4, 4), rng.rand(2, 4, 4), rng.rand(2, 4, 4)], -1).astype("float32")
COMPLEX = (rng.randn(3, 8).astype("float32"), rng.randn(3, 8).astype("float32"))
COMPLEX2 = (rng.randn(2, 4, 8).astype("float32"), rng.randn(2, 4, 8).astype("float32"))
COORDS = [rng.rand(5, 7).astype("float32") * 9 - 1, rng.rand(5, 7).astype("float32") * 11 - 1]
VOL = rng.rand(8, 10).astype("float32")
AFF = np.array([[1.1, 0.2, -1.5, -0.1, 0.9, 0.7, 0.0, 0.0],
                [0.8, 0.0, 2.0, 0.0, 1.2, -1.0, 0.0, 0.0]], "float32")

ACTIVATIONS = ["relu", "relu6", "sigmoid", "sparse_sigmoid", "softplus", "softsign",
               "soft_shrink", "sparse_plus", "silu", "swish", "squareplus", "log_sigmoid",
               "leaky_relu", "hard_sigmoid", "hard_silu", "hard_swish", "elu", "selu",
               "gelu", "celu", "glu", "tanh_shrink", "hard_tanh", "hard_shrink",
               "softmax", "log_softmax", "sparsemax"]

CASES = []
for name in ACTIVATIONS:
    CASES.append((f"{name}-f32", "nn", name, (F,), {}))
    CASES.append((f"{name}-int", "nn", name, (I32,), {}))
    CASES.append((f"{name}-f16", "nn", name, (H16,), {}))
CASES += [
    ("gelu-exact", "nn", "gelu", (F,), {"approximate": False}),
    ("softmax-axis0", "nn", "softmax", (F,), {"axis": 0}),
    ("softmax-axes", "nn", "softmax", (F,), {"axis": (-2, -1)}),
    ("log_softmax-neg", "nn", "log_softmax", (F,), {"axis": -2}),
    ("leaky_relu-slope", "nn", "leaky_relu", (F,), {"negative_slope": 0.5}),
    ("elu-alpha", "nn", "elu", (F,), {"alpha": 0.3}),
    ("threshold", "nn", "threshold", (F, 0.1, -2.0), {}),
    ("glu-axis0", "nn", "glu", (F2[:2],), {"axis": 0}),
    ("sparsemax-axis", "nn", "sparsemax", (F,), {"axis": 1}),
    # convolution and pooling
    ("conv2d-valid", "nn", "conv", (IMG, K2), {}),
    ("conv2d-same-s2", "nn", "conv", (IMG, K2, 2, "same"), {}),
    ("conv2d-dil", "nn", "conv", (IMG, K2, 1, "same"), {"dilation_rate": 2}),
    ("conv2d-groups", "nn", "conv", (IMG, K2G, (1, 2), "same"), {}),
    ("conv2d-cf", "nn", "conv", (IMG_CF, K2, 1, "same", "channels_first"), {}),
    ("conv1d", "nn", "conv", (X1, K1, 2, "same"), {}),
    ("conv3d", "nn", "conv", (X3, K3, 1, "same"), {}),
    ("depthwise", "nn", "depthwise_conv", (IMG, DW, 2, "same"), {}),
    ("separable", "nn", "separable_conv", (IMG, DW, PW, 1, "same"), {}),
    ("convT-valid", "nn", "conv_transpose", (IMG, KT, 2, "valid"), {}),
    ("convT-same", "nn", "conv_transpose", (IMG, KT, 2, "same"), {}),
    ("convT-same-k4", "nn", "conv_transpose", (IMG, KT4, 2, "same"), {}),
    ("convT-outpad", "nn", "conv_transpose", (IMG, KT, 2, "same"), {"output_padding": 1}),
    ("maxpool", "nn", "max_pool", (IMG, 2), {}),
    ("maxpool-same", "nn", "max_pool", (IMG, 3, 2, "same"), {}),
    ("avgpool", "nn", "average_pool", (IMG, (2, 3)), {}),
    ("avgpool-same", "nn", "average_pool", (IMG, 3, 1, "same"), {}),
    ("avgpool-1d", "nn", "average_pool", (X1, 3, 2, "same"), {}),
    ("amaxpool", "nn", "adaptive_max_pool", (IMG, (3, 4)), {}),
    ("aavgpool", "nn", "adaptive_average_pool", (IMG, 3), {}),
    ("unfold", "nn", "unfold", (IMG_CF, 2), {"stride": 2}),
    ("fold", "nn", "fold", (np.ones((2, 12, 16), "float32"), (5, 5), 2), {"stride": 1}),
    ("depth_to_space", "nn", "depth_to_space", (rng.randn(1, 2, 3, 8).astype("float32"), 2), {}),
    ("depth_to_space-cf", "nn", "depth_to_space", (rng.randn(1, 8, 2, 3).astype("float32"), 2),
     {"data_format": "channels_first"}),
    ("space_to_depth", "nn", "space_to_depth", (rng.randn(1, 4, 6, 2).astype("float32"), 2), {}),
    ("space_to_depth-cf", "nn", "space_to_depth", (rng.randn(1, 2, 4, 6).astype("float32"), 2),
     {"data_format": "channels_first"}),
    # encodings and losses
    ("one_hot", "nn", "one_hot", (np.array([0, 2, -1, 3]), 4), {}),
    ("one_hot-axis0", "nn", "one_hot", (I32 % 3, 3), {"axis": 0, "dtype": "int32"}),
    ("multi_hot", "nn", "multi_hot", (np.array([[0, 2], [1, 1]]), 4), {}),
    ("multi_hot-1d", "nn", "multi_hot", (np.array([0, 2]), 4), {}),
    ("bce", "nn", "binary_crossentropy", (BIN_T, PROB), {}),
    ("bce-logits", "nn", "binary_crossentropy", (BIN_T, F2[:, :4].repeat(2, 0)[:4, :].repeat(2, 1)[:, :5]), {"from_logits": True}),
    ("cce", "nn", "categorical_crossentropy", (ONEHOT, PROB), {}),
    ("cce-logits", "nn", "categorical_crossentropy", (ONEHOT, PROB * 3), {"from_logits": True}),
    ("scce", "nn", "sparse_categorical_crossentropy", (LABELS, PROB), {}),
    ("scce-logits", "nn", "sparse_categorical_crossentropy", (LABELS, PROB * 3), {"from_logits": True}),
    ("ctc_loss", "nn", "ctc_loss", (CTC_T, CTC_O, np.array([3, 2]), np.array([8, 6])), {}),
    ("ctc_decode", "nn", "ctc_decode", (CTC_O, np.array([8, 6])), {}),
    ("ctc_decode-beam", "nn", "ctc_decode", (CTC_O, np.array([8, 6])),
     {"strategy": "beam_search", "beam_width": 10, "top_paths": 2}),
    ("psnr", "nn", "psnr", (IMG, IMG * 0.9, 1.0), {}),
    ("moments", "nn", "moments", (F, [0, 2]), {}),
    ("moments-keep", "nn", "moments", (F, [-1]), {"keepdims": True}),
    ("moments-f16", "nn", "moments", (H16, [0]), {}),
    ("batchnorm", "nn", "batch_normalization", (F, F[0, :, 0], POS[0, :, 0], 1),
     {"offset": F[1, :, 1], "scale": F[1, :, 2]}),
    ("normalize", "nn", "normalize", (F,), {}),
    ("normalize-l1", "nn", "normalize", (F,), {"axis": 1, "order": 1}),
    ("rms_norm", "nn", "rms_normalization", (F,), {"scale": F[0, 0]}),
    ("rms_norm-axis", "nn", "rms_normalization", (F,), {"axis": 1}),
    ("layer_norm", "nn", "layer_normalization", (F, F[0, 0], F[1, 0]), {}),
    ("layer_norm-axes", "nn", "layer_normalization", (F,), {"axis": (1, 2), "epsilon": 1e-5}),
    ("polar", "nn", "polar", (POS[0], F[0]), {}),
    ("sdpa", "nn", "dot_product_attention", (Q, KV.repeat(2, 2), KV.repeat(2, 2)), {}),
    ("sdpa-gqa", "nn", "dot_product_attention", (Q, KV, KV), {}),
    ("sdpa-mask", "nn", "dot_product_attention", (Q, KV, KV), {"mask": MASK}),
    ("sdpa-bias", "nn", "dot_product_attention", (Q, KV, KV), {"bias": BIAS, "scale": 0.3}),
    ("sdpa-causal", "nn", "dot_product_attention", (Q, Q, Q), {"is_causal": True}),
    ("sdpa-softcap", "nn", "dot_product_attention", (Q, KV, KV),
     {"attn_logits_soft_cap": 2.0, "mask": MASK}),
    # math
    ("segment_sum", "math", "segment_sum", (SEG_D, SEG_I), {}),
    ("segment_sum-n", "math", "segment_sum", (SEG_D, SEG_I), {"num_segments": 5}),
    ("segment_max", "math", "segment_max", (SEG_D, SEG_I), {}),
    ("segment_min", "math", "segment_min", (SEG_D, SEG_I), {"num_segments": 4}),
    ("segment_prod", "math", "segment_prod", (SEG_D, SEG_I), {}),
    ("segment_sum-int", "math", "segment_sum", (I32, SEG_I[:3]), {}),
    ("top_k", "math", "top_k", (F, 2), {}),
    ("top_k-int", "math", "top_k", (I32, 3), {}),
    ("in_top_k", "math", "in_top_k", (LABELS, PROB, 2), {}),
    ("logsumexp", "math", "logsumexp", (F,), {}),
    ("logsumexp-axis", "math", "logsumexp", (F,), {"axis": -1, "keepdims": True}),
    ("logsumexp-int", "math", "logsumexp", (I32,), {"axis": 0}),
    ("cdist", "math", "cdist", (F, POS), {}),
    ("extract_sequences", "math", "extract_sequences", (SIG, 8, 3), {}),
    ("fft", "math", "fft", (COMPLEX,), {}),
    ("fft2", "math", "fft2", (COMPLEX2,), {}),
    ("ifft2", "math", "ifft2", (COMPLEX2,), {}),
    ("rfft", "math", "rfft", (SIG,), {}),
    ("rfft-n", "math", "rfft", (SIG, 32), {}),
    ("irfft", "math", "irfft", (COMPLEX,), {}),
    ("irfft-n", "math", "irfft", (COMPLEX, 14), {}),
    ("stft", "math", "stft", (SIG, 16, 8, 16), {}),
    ("stft-nocenter", "math", "stft", (SIG, 12, 4, 16), {"center": False, "window": "hamming"}),
    ("istft", "math", "istft", (tuple(np.asarray(a) for a in
                                       [np.fft.rfft(SIG[:, :48].reshape(2, 3, 16)).real.astype("float32"),
                                        np.fft.rfft(SIG[:, :48].reshape(2, 3, 16)).imag.astype("float32")]),
                                 16, 8, 16), {}),
    ("istft-general", "math", "istft", (tuple(np.asarray(a) for a in
                                               [np.fft.rfft(SIG[:, :64].reshape(2, 4, 16)).real.astype("float32"),
                                                np.fft.rfft(SIG[:, :64].reshape(2, 4, 16)).imag.astype("float32")]),
                                         12, 4, 16), {"center": False}),
    ("rsqrt", "math", "rsqrt", (POS,), {}),
    ("rsqrt-int", "math", "rsqrt", (np.abs(I32) + 1,), {}),
    ("erf", "math", "erf", (F,), {}),
    ("erf-f16", "math", "erf", (H16,), {}),
    ("erfc", "math", "erfc", (F,), {}),
    ("erfinv", "math", "erfinv", (np.tanh(F),), {}),
    ("logdet", "math", "logdet", (SPD,), {}),
    ("view_as_real", "math", "view_as_complex", (F[..., :2].copy(),), {}),
    ("rearrange", "math", "rearrange", (F, "b h (w c) -> b (c h) w"), {"c": 2}),
    # linalg
    ("cholesky", "linalg", "cholesky", (SPD,), {}),
    ("cholesky-upper", "linalg", "cholesky", (SPD,), {"upper": True}),
    ("cholesky_inverse", "linalg", "cholesky_inverse", (np.linalg.cholesky(SPD[0]),), {}),
    ("det", "linalg", "det", (SQ,), {}),
    ("eigh", "linalg", "eigh", (SPD,), {}),
    ("inv", "linalg", "inv", (SPD,), {}),
    ("lu_factor", "linalg", "lu_factor", (SQ[0],), {}),
    ("norm", "linalg", "norm", (F,), {}),
    ("norm-fro", "linalg", "norm", (F2,), {}),
    ("norm-axis", "linalg", "norm", (F,), {"ord": 1, "axis": -1, "keepdims": True}),
    ("norm-matrix", "linalg", "norm", (F,), {"ord": "nuc", "axis": (1, 2)}),
    ("norm-int", "linalg", "norm", (I32,), {"axis": 0}),
    ("pinv", "linalg", "pinv", (TALL,), {}),
    ("qr", "linalg", "qr", (TALL,), {}),
    ("qr-complete", "linalg", "qr", (TALL,), {"mode": "complete"}),
    ("solve", "linalg", "solve", (SPD[0], RHS), {}),
    ("solve_triangular", "linalg", "solve_triangular", (TRI, RHS), {"lower": True}),
    ("solve_triangular-vec", "linalg", "solve_triangular", (TRI.T.copy(), RHS[:, 0]), {}),
    ("svd-values", "linalg", "svd", (TALL,), {"compute_uv": False}),
    ("lstsq", "linalg", "lstsq", (TALL, TALL[:, :2]), {}),
    ("lstsq-vec", "linalg", "lstsq", (TALL, TALL[:, 0]), {}),
    ("matrix_rank", "linalg", "matrix_rank", (TALL,), {}),
    # image
    ("gray", "image", "rgb_to_grayscale", (IMG,), {}),
    ("gray-cf", "image", "rgb_to_grayscale", (IMG_CF,), {"data_format": "channels_first"}),
    ("rgb_to_hsv", "image", "rgb_to_hsv", (IMG,), {}),
    ("hsv_to_rgb", "image", "hsv_to_rgb", (HSV,), {}),
    ("resize-bilinear", "image", "resize", (IMG, (5, 13)), {}),
    ("resize-nearest", "image", "resize", (IMG, (16, 4)), {"interpolation": "nearest"}),
    ("resize-bicubic-aa", "image", "resize", (IMG, (4, 5)),
     {"interpolation": "bicubic", "antialias": True}),
    ("resize-crop", "image", "resize", (IMG, (6, 6)), {"crop_to_aspect_ratio": True}),
    ("resize-pad", "image", "resize", (IMG[:, :, :6], (6, 12)),
     {"pad_to_aspect_ratio": True, "fill_value": 0.5}),
    ("resize-uint8", "image", "resize", ((IMG * 255).astype("uint8"), (5, 5)), {}),
    ("resize-cf", "image", "resize", (IMG_CF, (4, 5)), {"data_format": "channels_first"}),
    ("affine", "image", "affine_transform", (IMG, AFF), {}),
    ("affine-nearest", "image", "affine_transform", (IMG, AFF),
     {"interpolation": "nearest", "fill_mode": "nearest"}),
    ("affine-wrap", "image", "affine_transform", (IMG, AFF), {"fill_mode": "wrap"}),
    ("affine-reflect", "image", "affine_transform", (IMG, AFF), {"fill_mode": "reflect"}),
    ("affine-mirror", "image", "affine_transform", (IMG, AFF), {"fill_mode": "mirror"}),
    ("affine-const", "image", "affine_transform", (IMG[0], AFF[0]), {"fill_value": 0.3}),
    ("perspective", "image", "perspective_transform",
     (IMG, np.array([[0, 0], [8, 0], [0, 7], [8, 7]], "float32"),
      np.array([[1, 0], [7, 1], [0, 6], [8, 7]], "float32")), {}),
    ("map_coordinates-0", "image", "map_coordinates", (VOL, COORDS, 0), {}),
    ("map_coordinates-1", "image", "map_coordinates", (VOL, COORDS, 1), {}),
    ("map_coordinates-ref", "image", "map_coordinates", (VOL, COORDS, 1),
     {"fill_mode": "reflect"}),
    ("map_coordinates-mirror", "image", "map_coordinates", (VOL, COORDS, 1),
     {"fill_mode": "mirror"}),
    ("map_coordinates-wrap", "image", "map_coordinates", (VOL, COORDS, 0),
     {"fill_mode": "wrap"}),
    ("crop", "image", "crop_images", (IMG, 1, 2), {"target_height": 4, "target_width": 5}),
    ("crop-br", "image", "crop_images", (IMG,), {"bottom_cropping": 2, "right_cropping": 1,
                                                 "target_height": 5, "target_width": 6}),
    ("pad", "image", "pad_images", (IMG, 1, 2), {"target_height": 12, "target_width": 13}),
    ("pad-br", "image", "pad_images", (IMG[0], 0, 0), {"bottom_padding": 2, "right_padding": 3}),
    ("patches", "image", "extract_patches", (IMG, 2), {}),
    ("patches-same", "image", "extract_patches", (IMG, (3, 2), (2, 1), 1, "same"), {}),
    ("patches3d", "image", "extract_patches_3d", (X3, 2), {}),
    ("gaussian_blur", "image", "gaussian_blur", (IMG,), {"kernel_size": (5, 5), "sigma": (1.2, 1.2)}),
    ("sobel", "image", "sobel_edges", (IMG,), {}),
    ("ssim", "image", "ssim", (np.tile(IMG, (1, 2, 2, 1)), np.tile(IMG * 0.8, (1, 2, 2, 1))), {}),
    ("scale_translate", "image", "scale_and_translate",
     (IMG[0], (12, 5, 3), [1.5, 0.6], [0.5, -0.2], (0, 1), "linear"), {}),
    ("scale_translate-cubic", "image", "scale_and_translate",
     (IMG[0], (12, 5, 3), [1.5, 0.6], [0.0, 0.0], (0, 1), "cubic"), {"antialias": False}),
    ("scale_translate-lanczos", "image", "scale_and_translate",
     (IMG[0], (4, 5, 3), [0.5, 0.6], [0.0, 0.0], (0, 1), "lanczos3"), {}),
    # core
    ("cast", "core", "cast", (F, "int32"), {}),
    ("cast-f16", "core", "cast", (I32, "float16"), {}),
    ("saturate_cast", "core", "saturate_cast", (F * 300, "uint8"), {}),
    ("saturate_cast-int", "core", "saturate_cast", (I32 * 100, "int8"), {}),
    ("stop_gradient", "core", "stop_gradient", (F,), {}),
    ("scatter", "core", "scatter", (np.array([[0, 1], [2, 3], [0, 1]]), np.array([1., 2., 3.], "float32"), (3, 4)), {}),
    ("scatter-rows", "core", "scatter", (np.array([[0], [2]]), F2[:2], (4, 4)), {}),
    ("scatter_update", "core", "scatter_update", (F2, np.array([[0, 1], [2, 3]]), np.array([7., 8.], "float32")), {}),
    ("slice", "core", "slice", (F, (1, 0, 1), (1, 2, 3)), {}),
    ("slice_update", "core", "slice_update", (F, (0, 1, 1), F[:1, :2, :2] * 10), {}),
    ("unstack", "core", "unstack", (F,), {"axis": -1}),
    # bool inputs
    ("cast-bool", "core", "cast", (B, "float32"), {}),
    ("saturate_cast-bool", "core", "saturate_cast", (B, "int8"), {}),
    ("sigmoid-bool", "nn", "sigmoid", (B,), {}),
    ("relu-bool", "nn", "relu", (B,), {}),
    ("logsumexp-bool", "math", "logsumexp", (B,), {}),
    ("norm-bool", "linalg", "norm", (B,), {}),
    ("scatter_update-bool", "core", "scatter_update", (B, np.array([[0, 0]]), np.array([True])), {}),
    ("one_hot-bool-dtype", "nn", "one_hot", (I64, 4), {"dtype": "bool"}),
    ("top_k-bool", "math", "top_k", (B.astype("float32"), 2), {"sorted": True}),
    # float16 inputs
    ("conv-f16", "nn", "conv", (IMG.astype("float16"), K2.astype("float16"), 1, "same"), {}),
    ("layer_norm-f16", "nn", "layer_normalization", (H16,), {}),
    ("rms_norm-f16", "nn", "rms_normalization", (H16,), {}),
    ("moments-f16-keep", "nn", "moments", (H16, [1]), {"keepdims": True}),
    ("bce-f16", "nn", "binary_crossentropy", (BIN_T.astype("float16"), PROB.astype("float16")), {}),
    ("logsumexp-f16", "math", "logsumexp", (H16,), {"axis": 1}),
    ("norm-f16", "linalg", "norm", (H16,), {"axis": -1}),
    ("resize-f16", "image", "resize", (IMG.astype("float16"), (5, 13)), {}),
    ("max_pool-int", "nn", "max_pool", ((IMG * 100).astype("int32"), 2), {}),
    ("avg_pool-int", "nn", "average_pool", ((IMG * 100).astype("int32"), 2), {}),
    ("segment_max-int", "math", "segment_max", (I32, SEG_I[:3]), {"num_segments": 4}),
]
