"""The explicit distribute API in a single process."""
import pytest

import torchkeras as keras
from torchkeras import distribute


def test_single_process_defaults():
    assert not distribute.is_distributed()
    assert distribute.rank() == 0 and distribute.world_size() == 1 and distribute.is_chief()
    assert distribute.distribution() is None     # no torchrun environment here


def test_set_distribution_validates():
    with pytest.raises(ValueError, match="DataParallel"):
        distribute.set_distribution("ddp")
    distribute.set_distribution(distribute.DataParallel(sync_batchnorm=True))
    distribute.set_distribution(None)


def test_fsdp_needs_cuda_and_sync_batchnorm_conversion():
    model = keras.Sequential([keras.Input((4, 4, 3)), keras.layers.Conv2D(2, 3),
                              keras.layers.BatchNormalization()])
    with pytest.raises(ValueError, match="needs CUDA"):
        distribute.DataParallel(fsdp=True).wrap(model)
    assert distribute.convert_sync_batchnorm(model) == 1
    assert model.layers[1].synchronized
