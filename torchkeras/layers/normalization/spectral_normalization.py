"""SpectralNormalization: keeps a wrapped layer's kernel at spectral norm ~1."""
from __future__ import annotations

import torch

from torchkeras import initializers
from torchkeras.layers.core.wrapper import Wrapper
from torchkeras.layers.layer import Layer

_EPS = 1e-7  # keras.config.epsilon(), the floor of the power-iteration norms


def _unit(x: torch.Tensor) -> torch.Tensor:
    return x * torch.rsqrt(x.square().sum()).clamp(max=1.0 / _EPS)


class SpectralNormalization(Wrapper):
    """Wraps a layer with a ``kernel`` (Dense, Conv…) or ``embeddings`` (Embedding) and,
    on every training call, divides that weight in place by its largest singular value,
    estimated with ``power_iterations`` steps of the power method (Miyato et al., 2018).

    The estimate's vector is the non-trainable weight ``vector_u`` of shape
    ``(1, kernel.shape[-1])`` (Keras layout). Inference calls use the kernel as it is.

    Args:
        layer: The layer to wrap.
        power_iterations: Power-method steps per training call (> 0).

    Example:
        >>> sn = SpectralNormalization(Dense(8))
        >>> y = sn(torch.randn(4, 16), training=True)
    """

    def __init__(self, layer: Layer, power_iterations: int = 1, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("SpectralNormalization expects `layer` to be a Layer instance, "
                             "got %r" % (layer,))
        if isinstance(power_iterations, bool) or not isinstance(power_iterations, int) \
                or power_iterations <= 0:
            raise ValueError("SpectralNormalization expects `power_iterations` to be a "
                             "positive integer, got power_iterations=%r" % (power_iterations,))
        super().__init__(layer, **kwargs)
        self.power_iterations = power_iterations
        self._kernel_key = None

    def _keras_kernel(self) -> torch.Tensor:
        if hasattr(self.layer, "kernel"):
            return self.layer.kernel
        if hasattr(self.layer, "embeddings"):
            return self.layer.embeddings
        raise ValueError("%s object has no attribute 'kernel' nor 'embeddings'"
                         % type(self.layer).__name__)

    def build(self, input_shape) -> None:
        if not self.layer.built:
            self.layer._maybe_build(tuple(input_shape), self._weight_device())
        kernel = self._keras_kernel()
        # The Keras-layout kernel is a view of a torch-layout parameter: find it, since
        # dividing by a scalar can act on the parameter itself, whatever its layout.
        for key, p in self.layer.named_parameters():
            if p.data_ptr() == kernel.data_ptr() and p.numel() == kernel.numel():
                self._kernel_key = key
                break
        else:
            raise ValueError("SpectralNormalization could not find the parameter behind the "
                             "kernel of %s" % type(self.layer).__name__)
        self.vector_u = self.add_weight(
            name="vector_u", shape=(1, kernel.shape[-1]),
            initializer=initializers.TruncatedNormal(stddev=0.02), trainable=False,
            dtype=kernel.dtype)
        self.built = True

    def call(self, inputs, training=None):
        if training:
            self._normalize_kernel()
        out = self.layer(inputs)
        return out if out.dtype == inputs.dtype or not inputs.is_floating_point() \
            else out.to(inputs.dtype)

    @torch.no_grad()
    def _normalize_kernel(self) -> None:
        kernel = self._keras_kernel()
        w = kernel.reshape(-1, kernel.shape[-1])
        u = self.vector_u
        for _ in range(self.power_iterations):
            v = _unit(u @ w.t())
            u = _unit(v @ w)
        sigma = (v @ w) @ u.t()
        # An all-zero kernel is left alone (no host sync: select on device).
        zero = (w == 0).all()
        self.vector_u.copy_(torch.where(zero, self.vector_u, u))
        param = self.layer.get_parameter(self._kernel_key)
        param.div_(torch.where(zero, torch.ones_like(sigma), sigma).reshape(()))

    def _collect_entries(self, out: list, seen: set) -> None:
        # Keras order: the wrapped kernel, vector_u, then the wrapped layer's others.
        if not self.built:
            return super()._collect_entries(out, seen)
        inner: list = []
        self.layer._collect_entries(inner, set(seen))
        kernel = self.layer.get_parameter(self._kernel_key)
        first = [e for e in inner if e[2] is kernel]
        own = [(self, k, p) for k, p in self._parameters.items() if p is not None]
        for layer, key, p in first + own + [e for e in inner if e[2] is not kernel]:
            if id(p) not in seen:
                seen.add(id(p))
                out.append((layer, key, p))

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "power_iterations": self.power_iterations}
