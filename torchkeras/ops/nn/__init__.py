"""Keras 3's ``keras.ops.nn`` family on torch tensors.

Split by theme: :mod:`.activation_ops`, :mod:`.conv_ops` (convolution and pooling),
:mod:`.loss_ops` (encodings, crossentropies, CTC, PSNR) and :mod:`.norm_ops`
(moments, normalizations, attention). Every name is also ``torchkeras.ops.<name>``.

Example:
    >>> from torchkeras.ops import nn
    >>> nn.softmax(nn.conv(x, kernel, padding="same"))
"""
from torchkeras.ops.nn import activation_ops, conv_ops, loss_ops, norm_ops
from torchkeras.ops.nn.activation_ops import *  # noqa: F401,F403
from torchkeras.ops.nn.conv_ops import *        # noqa: F401,F403
from torchkeras.ops.nn.loss_ops import *        # noqa: F401,F403
from torchkeras.ops.nn.norm_ops import *        # noqa: F401,F403

__all__ = sorted(activation_ops.__all__ + conv_ops.__all__ + loss_ops.__all__
                 + norm_ops.__all__)
