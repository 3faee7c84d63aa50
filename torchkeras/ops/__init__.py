"""``keras.ops`` on torch: Keras 3's op functions as small torch bodies.

Each function takes tensors, numpy arrays or Python scalars and returns torch tensors,
with Keras's names, arguments, defaults and dtype promotion. Called with ``KerasTensor``s
while a functional model is built, an op becomes a graph node (see
:mod:`torchkeras.ops.symbolic`). The families are reachable as submodules, as in Keras:
``ops.numpy``, ``ops.nn``, ``ops.linalg``, ``ops.image``.

Example:
    >>> from torchkeras import ops
    >>> ops.softmax(ops.matmul(x, w), axis=-1)
"""
from torchkeras.ops import core, image, linalg, math, nn, numpy
from torchkeras.ops.core import *      # noqa: F401,F403
from torchkeras.ops.linalg import *    # noqa: F401,F403
from torchkeras.ops.math import *      # noqa: F401,F403
from torchkeras.ops.nn import *        # noqa: F401,F403
from torchkeras.ops.numpy import *     # noqa: F401,F403
