"""WhiteningConv2D: a frozen convolution that whitens image patches, fitted by ``adapt``."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from torchkeras import config as _config
from torchkeras import initializers
from torchkeras.layers.convolutional import conv_utils as cu
from torchkeras.layers.layer import Layer


def patch_whitening_kernel(images: torch.Tensor, kernel_size: tuple, epsilon: float = 5e-4,
                           batch_size: int = 1024) -> torch.Tensor:
    """Filters that whiten the ``kernel_size`` patches of ``images`` (NCHW, float).

    The second-moment matrix of all patches (uncentred: inputs are expected to be
    normalised already) is eigendecomposed; each eigenvector divided by
    ``sqrt(eigenvalue + epsilon)`` is one filter, followed by its negation, so a
    following ReLU/GELU sees both signs. Eigenvectors come in decreasing eigenvalue order.

    Args:
        images: ``(N, C, H, W)`` tensor.
        kernel_size: ``(kh, kw)``.
        epsilon: Added to the eigenvalues; limits the gain of low-variance directions.
        batch_size: Images per chunk while accumulating (bounds the memory used).

    Returns:
        ``(2 * C * kh * kw, C, kh, kw)`` float32 weight in ``nn.Conv2d``'s layout.

    Example:
        >>> w = patch_whitening_kernel(torch.randn(100, 3, 32, 32), (2, 2))
        >>> w.shape
        torch.Size([24, 3, 2, 2])
    """
    n, c = images.shape[0], images.shape[1]
    dim = c * kernel_size[0] * kernel_size[1]
    moment = torch.zeros(dim, dim, dtype=torch.float64, device=images.device)
    count = 0
    for start in range(0, n, batch_size):
        chunk = images[start:start + batch_size].float()
        # (B, C*kh*kw, L): unfold flattens a patch as (C, kh, kw), the order of a torch kernel.
        patches = F.unfold(chunk, kernel_size).transpose(0, 1).reshape(dim, -1)
        moment += (patches @ patches.T).double()
        count += patches.shape[1]
    eigenvalues, eigenvectors = torch.linalg.eigh(moment / max(count, 1))
    eigenvalues, filters = eigenvalues.flip(0), eigenvectors.T.flip(0)
    filters = filters / torch.sqrt(eigenvalues.clamp_min(0) + epsilon).unsqueeze(1)
    weight = torch.cat([filters, -filters]).float()
    return weight.reshape(2 * dim, c, kernel_size[0], kernel_size[1])


class WhiteningConv2D(Layer):
    """A 2D convolution whose frozen filters whiten the input's patches.

    ``adapt(images)`` fits the filters to the patch statistics of (a sample of) the
    training images; the kernel is never trained (it is a non-trainable weight), the
    optional bias is. With ``C`` input channels and a ``k x k`` kernel the layer has
    ``2 * C * k * k`` output channels: every whitening direction with both signs. This is
    the first layer of Keller Jordan's airbench CIFAR-10 networks. Padding is "valid",
    stride 1.

    Args:
        kernel_size: Int or pair, the patch size.
        epsilon: Added to the patch-covariance eigenvalues before the inverse square root.
        use_bias: Whether to add a (trainable) bias.
        bias_initializer: Initializer of the bias.
        data_format: ``"channels_last"`` or ``"channels_first"`` (global default if None).

    Example:
        >>> whiten = WhiteningConv2D(kernel_size=2)
        >>> whiten.adapt(x_train[:5000])        # normalised float images
        >>> whiten(x_train[:8]).shape          # (8, 31, 31, 24) for CIFAR-10
    """

    def __init__(self, kernel_size=2, epsilon: float = 5e-4, use_bias: bool = True,
                 bias_initializer="zeros", data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.kernel_size = cu.standardize_tuple(kernel_size, 2, "kernel_size",
                                                layer="WhiteningConv2D")
        if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float)) or epsilon < 0:
            raise ValueError("WhiteningConv2D expects `epsilon` to be a non-negative number, "
                             "got %r" % (epsilon,))
        self.epsilon = float(epsilon)
        self.use_bias = bool(use_bias)
        self.bias_initializer = initializers.get(bias_initializer)
        self.data_format = _config.standardize_data_format(data_format)
        self.filters = None
        self.adapted = False

    def build(self, input_shape) -> None:
        if len(input_shape) != 4:
            raise ValueError("WhiteningConv2D expects inputs of rank 4, got shape %s"
                             % (tuple(input_shape),))
        c = input_shape[-1] if self.data_format == "channels_last" else input_shape[1]
        if c is None:
            raise ValueError("WhiteningConv2D expects the channel dimension of its input to be "
                             "known, got input shape %s" % (tuple(input_shape),))
        kh, kw = self.kernel_size
        self.filters = 2 * c * kh * kw
        kernel = self.add_weight(name="kernel", shape=(kh, kw, c, self.filters),
                                 initializer="zeros", trainable=False)
        # Stored as nn.Conv2d stores it; the Keras layout is a view (get_weights).
        self._parameters = {k: p for k, p in self._parameters.items() if p is not kernel}
        fwd = cu.keras_to_torch_perm(4)
        self.weight = cu.torch_variable(kernel, lambda t: t.permute(fwd), None)
        self.bias = self.add_weight(name="bias", shape=(self.filters,),
                                    initializer=self.bias_initializer) if self.use_bias else None
        self.built = True

    def adapt(self, data, batch_size: int = 1024) -> None:
        """Fits the whitening filters to ``data`` (images in the layer's data format).

        Args:
            data: Array or tensor of normalised float images, ``(N, H, W, C)`` for
                channels_last.
            batch_size: Images per chunk while accumulating the patch statistics.
        """
        if isinstance(data, np.ndarray):
            data = torch.as_tensor(data)
        if not isinstance(data, torch.Tensor) or data.dim() != 4:
            raise ValueError("WhiteningConv2D.adapt expects a 4D array of images, got %r"
                             % (getattr(data, "shape", type(data)),))
        if not self.built:
            self._maybe_build(tuple(data.shape), data.device)
        x = cu.to_nc(data, self.data_format).to(self.weight.device)
        if x.shape[1] * self.kernel_size[0] * self.kernel_size[1] * 2 != self.filters:
            raise ValueError("WhiteningConv2D was built for %d filters but adapt received "
                             "images of shape %s" % (self.filters, tuple(data.shape)))
        with torch.no_grad():
            self.weight.copy_(patch_whitening_kernel(x, self.kernel_size, self.epsilon,
                                                     batch_size))
        self.adapted = True

    def call(self, inputs):
        x = cu.to_nc(inputs, self.data_format)
        y = F.conv2d(x, self.weight, self.bias)
        return cu.from_nc(y, self.data_format)

    @property
    def kernel(self) -> torch.Tensor:
        return self.weight.permute(cu.torch_to_keras_perm(4))

    def _to_keras_layout(self, key, tensor):
        return tensor.permute(cu.torch_to_keras_perm(4)) if key == "weight" else tensor

    def _from_keras_layout(self, key, tensor):
        return tensor.permute(cu.keras_to_torch_perm(4)) if key == "weight" else tensor

    def compute_output_shape(self, input_shape):
        c = input_shape[-1] if self.data_format == "channels_last" else input_shape[1]
        filters = self.filters or 2 * c * self.kernel_size[0] * self.kernel_size[1]
        return cu.conv_output_shape(input_shape, filters, self.kernel_size, (1, 1), "valid",
                                    self.data_format, (1, 1), "WhiteningConv2D")

    def get_config(self) -> dict:
        return {**super().get_config(), "kernel_size": self.kernel_size,
                "epsilon": self.epsilon, "use_bias": self.use_bias,
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "data_format": self.data_format}
