"""BatchNormalization, stored as ``nn.BatchNorm*d`` stores it."""
from __future__ import annotations

import contextlib

import torch
import torch.nn.functional as F

from torchkeras import constraints, initializers, regularizers
from torchkeras.layers.convolutional import conv_utils as cu
from torchkeras.layers.layer import Layer
from torchkeras.layers.normalization._affine import batch_scratch, fused_affine

_MASK_EPS = 1e-7  # keras.config.epsilon() guards the masked-count division in Keras


class BatchNormalization(Layer):
    """Normalizes inputs with batch statistics (training) or moving statistics (inference).

    Weights are stored under torch's names — ``weight`` (gamma), ``bias`` (beta),
    ``running_mean`` and ``running_var`` (non-trainable) plus a ``num_batches_tracked``
    buffer — so ``state_dict()`` loads into ``nn.BatchNorm2d``. Keras's semantics are
    kept: the moving variance is updated with the *biased* batch variance,
    ``moving = moving * momentum + batch * (1 - momentum)``, and a layer with
    ``trainable=False`` always runs in inference mode.

    Args:
        axis: The features axis (``-1`` for channels_last, ``1`` for channels_first).
        momentum: Momentum of the moving averages.
        epsilon: Added to the variance before the square root.
        center: Whether to add the learned offset ``beta``.
        scale: Whether to multiply by the learned ``gamma``.
        beta_initializer: Initializer of ``beta`` (``"zeros"``).
        gamma_initializer: Initializer of ``gamma`` (``"ones"``).
        moving_mean_initializer: Initializer of the moving mean (``"zeros"``).
        moving_variance_initializer: Initializer of the moving variance (``"ones"``).
        beta_regularizer: Penalty on ``beta``.
        gamma_regularizer: Penalty on ``gamma``.
        beta_constraint: Projection of ``beta`` after each optimizer step.
        gamma_constraint: Projection of ``gamma`` after each optimizer step.
        renorm: Whether to use batch renormalization.
        renorm_clipping: Dict with optional ``"rmax"``, ``"rmin"``, ``"dmax"`` clips.
        renorm_momentum: Momentum of the renorm statistics.
        synchronized: Reduce batch statistics over all ``torch.distributed`` ranks.

    Example:
        >>> bn = BatchNormalization()
        >>> y = bn(torch.randn(8, 32, 32, 16), training=True)
    """

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 renorm: bool = False, renorm_clipping: dict | None = None,
                 renorm_momentum: float = 0.99, synchronized: bool = False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise ValueError("BatchNormalization expects `axis` to be an integer, got %r"
                             % (axis,))
        if renorm:
            renorm_clipping = dict(renorm_clipping or {})
            bad = set(renorm_clipping) - {"rmax", "rmin", "dmax"}
            if bad:
                raise ValueError("BatchNormalization received invalid keys for "
                                 "`renorm_clipping`: %s. Supported: rmax, rmin, dmax."
                                 % sorted(bad))
            rmax, rmin = renorm_clipping.get("rmax"), renorm_clipping.get("rmin")
            if rmax is not None and rmin is not None and rmax < rmin:
                raise ValueError("BatchNormalization `renorm_clipping` needs rmax >= rmin, "
                                 "got rmax=%s, rmin=%s" % (rmax, rmin))
            if renorm_clipping.get("dmax") is not None and renorm_clipping["dmax"] < 0:
                raise ValueError("BatchNormalization `renorm_clipping` needs dmax >= 0, got %s"
                                 % renorm_clipping["dmax"])
        self.axis = int(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.renorm = bool(renorm)
        self.renorm_clipping = renorm_clipping
        self.renorm_momentum = float(renorm_momentum)
        self.synchronized = bool(synchronized)
        self.supports_masking = True

    # ------------------------------------------------------------------ build
    def build(self, input_shape) -> None:
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim:
            raise ValueError("BatchNormalization axis %d is out of bounds for input shape %s"
                             % (self.axis, tuple(input_shape)))
        channels = input_shape[self.axis]
        if channels is None:
            raise ValueError("BatchNormalization expects the axis %d dimension of its input to "
                             "be known, got input shape %s" % (self.axis, tuple(input_shape)))
        shape = (channels,)
        self._ndim = ndim
        self._axis = self.axis % ndim
        self.weight = self.add_weight(
            name="gamma", shape=shape, initializer=self.gamma_initializer,
            regularizer=self.gamma_regularizer, constraint=self.gamma_constraint,
            autocast=False) if self.scale else None
        self.bias = self.add_weight(
            name="beta", shape=shape, initializer=self.beta_initializer,
            regularizer=self.beta_regularizer, constraint=self.beta_constraint,
            autocast=False) if self.center else None
        self.running_mean = self.add_weight(
            name="moving_mean", shape=shape, initializer=self.moving_mean_initializer,
            trainable=False, autocast=False)
        self.running_var = self.add_weight(
            name="moving_variance", shape=shape, initializer=self.moving_variance_initializer,
            trainable=False, autocast=False)
        if self.renorm:
            var_init = self.moving_variance_initializer

            def stddev_init(shape, dtype=None):
                return torch.sqrt(torch.as_tensor(var_init(shape, dtype=dtype)))

            self.moving_stddev = self.add_weight(
                name="moving_stddev", shape=shape, initializer=stddev_init, trainable=False)
            self.renorm_mean = self.add_weight(
                name="renorm_mean", shape=shape, initializer=self.moving_mean_initializer,
                trainable=False)
            self.renorm_stddev = self.add_weight(
                name="renorm_stddev", shape=shape, initializer=stddev_init, trainable=False)
        # nn.BatchNorm*d keeps this counter; having it lets state dicts load both ways.
        self.register_buffer("num_batches_tracked",
                             torch.zeros((), dtype=torch.long, device=self.running_mean.device))
        self.built = True

    # ------------------------------------------------------------------ call
    def call(self, inputs, training=None, mask=None):
        if mask is not None and mask.dim() != inputs.dim() - 1:
            raise ValueError("BatchNormalization expects a mask with one dimension less than "
                             "the inputs, got mask.shape=%s, inputs.shape=%s"
                             % (tuple(mask.shape), tuple(inputs.shape)))
        out_dtype = inputs.dtype
        manual = training and self.trainable and (
            self.renorm or mask is not None or self._distributed())
        # torch's CUDA kernels take half/bfloat16 inputs with float32 statistics and
        # affine weights and return the input's dtype; elsewhere compute in float32.
        native = inputs.is_cuda and not manual and inputs.dtype in (torch.float16,
                                                                   torch.bfloat16)
        x = inputs if native or inputs.dtype in (torch.float32, torch.float64) \
            else inputs.float()
        # Channels-last input that a convolution or pooling layer produced as a view of
        # an (N, C, ...) tensor: normalize that tensor and hand back the same kind of view.
        nc = cu.nc_source(x) if x.dim() > 2 and self._axis == x.dim() - 1 else None
        if not (training and self.trainable):
            weight, bias = fused_affine(self.weight, self.bias, self)
            out = self._normalize(x, self.running_mean, self.running_var, weight, bias, nc)
        elif manual:
            out = self._train_manual(x, mask)
        else:
            out = self._train_fused(x, nc)
        return out if out.dtype == out_dtype else out.to(out_dtype)

    def _as_nc(self, x: torch.Tensor) -> torch.Tensor:
        """A view with channels on dim 1, the layout F.batch_norm reduces over."""
        ax = self._axis
        if ax == 1:
            return x
        if ax == x.dim() - 1:
            # (..., C) -> (M, C): a free view of contiguous inputs, one fast 2D kernel.
            return x.reshape(-1, x.shape[-1])
        return x.movedim(ax, 1)

    def _from_nc(self, y: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        ax = self._axis
        if ax == 1:
            return y
        if ax == x.dim() - 1:
            return y.reshape(x.shape)
        return y.movedim(1, ax)

    def _normalize(self, x, mean, var, weight, bias, nc=None):
        xv = self._as_nc(x) if nc is None else nc
        y = F.batch_norm(xv, mean, var, weight, bias, training=False, eps=self.epsilon)
        return self._from_nc(y, x) if nc is None else cu.from_nc(y, "channels_last")

    def _train_fused(self, x, nc=None):
        # F.batch_norm with momentum 1 writes the batch mean and *unbiased* variance into
        # two scratch buffers (kept between steps: no allocation or fill per call); Keras
        # updates with the biased variance, so the variance is rescaled by (n-1)/n first.
        # Run every step: parameters are read from _parameters, not module attributes.
        params = self._parameters
        running_mean, running_var = params["running_mean"], params["running_var"]
        last = nc is None and self._axis == x.dim() - 1
        xv = nc if nc is not None else x.reshape(-1, x.shape[-1]) if last else self._as_nc(x)
        c = xv.shape[1]
        batch_mean, batch_var = batch_scratch(self, running_mean, c)
        weight, bias = fused_affine(params.get("weight"), params.get("bias"), self)
        y = torch.batch_norm(xv, weight, bias, batch_mean, batch_var, True, 1.0, self.epsilon,
                             torch.backends.cudnn.enabled)
        n = xv.numel() // c if c else 1
        # The scaled variance is not in place: autograd saved the scratch buffers for the
        # backward pass. The moving statistics need no no_grad() context unless someone
        # switched their requires_grad on (model.requires_grad_(True), say).
        var = batch_var * ((n - 1) / n) if n > 1 else batch_var
        guard = torch.no_grad() if running_mean.requires_grad or running_var.requires_grad \
            else contextlib.nullcontext()
        with guard:
            torch._foreach_lerp_([running_mean, running_var], [batch_mean, var],
                                 1.0 - self.momentum)
        self._buffers["num_batches_tracked"].add_(1)
        if nc is not None:
            return cu.from_nc(y, "channels_last")
        return y.reshape(x.shape) if last else self._from_nc(y, x)

    def _distributed(self) -> bool:
        if not self.synchronized:
            return False
        import torch.distributed as dist
        return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1

    def _moments(self, x, mask):
        """Batch mean and biased variance per channel, as Keras computes them; with
        ``synchronized`` under torch.distributed, over the batches of all ranks."""
        dims = [d for d in range(x.dim()) if d != self._axis]
        sync = self._distributed()
        if sync:
            from torch.distributed.nn.functional import all_reduce
        c = x.shape[self._axis]
        if mask is None:
            count = x.new_full((c,), float(x.numel() // c))
            s1, s2 = x.sum(dims), x.square().sum(dims)
            if sync:  # one collective; differentiable, so gradients see every rank
                s1, s2, count = all_reduce(torch.cat([s1, s2, count])).split(c)
            mean = s1 / count
            return mean, s2 / count - mean * mean
        w = mask.unsqueeze(-1).expand_as(x).to(x.dtype)
        count, s1 = w.sum(dims), (x * w).sum(dims)
        if sync:
            s1, count = all_reduce(torch.cat([s1, count])).split(c)
        mean = s1 / (count + _MASK_EPS)
        shape = [1] * x.dim()
        shape[self._axis] = -1
        sq = ((x - mean.reshape(shape)) * w).square().sum(dims)
        if sync:
            sq = all_reduce(sq)
        return mean, sq / (count + _MASK_EPS)

    def _train_manual(self, x, mask):
        mean, var = self._moments(x, mask)
        weight, bias = self.weight, self.bias
        if self.renorm:
            weight, bias = self._renorm_transform(mean, var)
        else:
            m = self.momentum
            with torch.no_grad():
                self.running_mean.mul_(m).add_(mean.detach(), alpha=1.0 - m)
                self.running_var.mul_(m).add_(var.detach(), alpha=1.0 - m)
        with torch.no_grad():
            self.num_batches_tracked.add_(1)
        # Gradients flow through the batch moments here, which F.batch_norm's
        # inference kernel does not allow: apply the affine map directly.
        shape = [1] * x.dim()
        shape[self._axis] = -1
        inv = torch.rsqrt(var + self.epsilon)
        if weight is not None:
            inv = inv * weight
        shift = -mean * inv
        if bias is not None:
            shift = shift + bias
        return torch.addcmul(shift.reshape(shape), x, inv.reshape(shape))

    def _renorm_transform(self, mean, var):
        eps = self.epsilon
        stddev = torch.sqrt(var + eps)
        renorm_stddev = torch.clamp(self.renorm_stddev, min=eps ** 0.5)
        r = (stddev / renorm_stddev).detach()
        d = ((mean - self.renorm_mean) / renorm_stddev).detach()
        clip = self.renorm_clipping or {}
        if clip.get("rmin") is not None:
            r = r.clamp(min=clip["rmin"])
        if clip.get("rmax") is not None:
            r = r.clamp(max=clip["rmax"])
        if clip.get("dmax") is not None:
            d = d.clamp(-clip["dmax"], clip["dmax"])
        weight = r * self.weight if self.weight is not None else r
        bias = d * self.weight if self.weight is not None else d
        if self.bias is not None:
            bias = bias + self.bias
        with torch.no_grad():
            mean_d, std_d = mean.detach(), stddev.detach()
            rm, m = self.renorm_momentum, self.momentum
            self.renorm_mean.mul_(rm).add_(mean_d, alpha=1.0 - rm)
            self.renorm_stddev.mul_(rm).add_(std_d, alpha=1.0 - rm)
            self.running_mean.mul_(m).add_(mean_d, alpha=1.0 - m)
            self.moving_stddev.mul_(m).add_(std_d, alpha=1.0 - m)
            self.running_var.copy_(torch.relu(self.moving_stddev.square() - eps))
        return weight, bias

    # ------------------------------------------------------------------ misc
    @property
    def gamma(self):
        return self.weight

    @property
    def beta(self):
        return self.bias

    @property
    def moving_mean(self):
        return self.running_mean

    @property
    def moving_variance(self):
        return self.running_var

    def compute_output_shape(self, input_shape):
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim:
            raise ValueError("Axis %d is out of bounds for input shape %s. Received: axis=%d"
                             % (self.axis, tuple(input_shape), self.axis))
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(
                self.moving_variance_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
            "synchronized": self.synchronized,
            "renorm": self.renorm,
            "renorm_clipping": self.renorm_clipping,
            "renorm_momentum": self.renorm_momentum,
        }
