"""Keras 3's ``keras.ops.image`` family on torch tensors.

Split by theme: :mod:`.color`, :mod:`.filters` (blur, edges, SSIM, pad/crop, patches),
:mod:`.resizing` and :mod:`.sampling` (``map_coordinates`` and warps). As in Keras,
these names live only under ``ops.image`` (not at the top of ``ops``).

Example:
    >>> from torchkeras.ops import image
    >>> image.resize(image.rgb_to_grayscale(imgs), (32, 32))
"""
from torchkeras.ops.image import color, filters, resizing, sampling
from torchkeras.ops.image.color import *      # noqa: F401,F403
from torchkeras.ops.image.filters import *    # noqa: F401,F403
from torchkeras.ops.image.resizing import *   # noqa: F401,F403
from torchkeras.ops.image.sampling import *   # noqa: F401,F403

__all__ = sorted(color.__all__ + filters.__all__ + resizing.__all__ + sampling.__all__)
