"""The CIFAR examples and the GPU benchmark import as top-level modules, as when run."""
import os
import sys

import pytest

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
for _path in (os.path.join(_ROOT, "bench"), os.path.join(_ROOT, "examples")):
    if _path not in sys.path:
        sys.path.insert(0, _path)


@pytest.fixture(autouse=True)
def _restore_globals():
    """Examples set the dtype policy and the device; later tests expect the defaults."""
    import torchkeras as keras
    yield
    keras.mixed_precision.set_global_policy(None)
    keras.config.set_device(None)
