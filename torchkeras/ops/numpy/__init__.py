"""Keras 3's ``keras.ops.numpy`` on torch tensors.

Split by kind (element-wise, binary, reductions, statistics, creation, shape, indexing,
padding, products, search); ``from torchkeras.ops.numpy import *`` and
``ops.numpy.<name>`` see them all.

Example:
    >>> from torchkeras.ops import numpy as knp
    >>> knp.mean(knp.square(x), axis=-1)
"""
from torchkeras.ops.numpy import (binary, creation, elementwise, indexing, padding, products,
                                  reductions, search, shape, stats)
from torchkeras.ops.numpy.binary import *        # noqa: F401,F403
from torchkeras.ops.numpy.creation import *      # noqa: F401,F403
from torchkeras.ops.numpy.elementwise import *   # noqa: F401,F403
from torchkeras.ops.numpy.indexing import *      # noqa: F401,F403
from torchkeras.ops.numpy.padding import *       # noqa: F401,F403
from torchkeras.ops.numpy.products import *      # noqa: F401,F403
from torchkeras.ops.numpy.reductions import *    # noqa: F401,F403
from torchkeras.ops.numpy.search import *        # noqa: F401,F403
from torchkeras.ops.numpy.shape import *         # noqa: F401,F403
from torchkeras.ops.numpy.stats import *         # noqa: F401,F403

__all__ = sorted(set(binary.__all__ + creation.__all__ + elementwise.__all__ + indexing.__all__
                     + padding.__all__ + products.__all__ + reductions.__all__ + search.__all__
                     + shape.__all__ + stats.__all__))
