import pytest

import torchkeras
from torchkeras import distribution


def test_devices_and_mesh():
    devices = distribution.list_devices("cpu")
    assert devices == ["cpu:0"] and distribution.get_device_count("cpu") == 1
    mesh = distribution.DeviceMesh((1,), ["batch"], devices=devices)
    assert mesh.shape == (1,) and mesh.axis_names == ["batch"]
    with pytest.raises(ValueError, match="number of devices"):
        distribution.DeviceMesh((2,), ["batch"], devices=devices)
    dp = distribution.DataParallel(devices=devices, sync_batchnorm=True)
    assert isinstance(dp, torchkeras.distribute.DataParallel) and dp.sync_batchnorm
    assert dp.batch_dim_name == "batch"


def test_set_distribution_shared_with_distribute():
    dp = distribution.DataParallel(devices=["cpu:0"])
    distribution.set_distribution(dp)
    try:
        # Outside torchrun there is no process group, so no distribution is active.
        assert distribution.distribution() is torchkeras.distribute.distribution()
    finally:
        distribution.set_distribution(None)


def test_model_parallel_names_raise_clearly():
    for cls in (distribution.ModelParallel, distribution.LayoutMap, distribution.TensorLayout):
        with pytest.raises(NotImplementedError, match="fsdp=True"):
            cls()
    with pytest.raises(NotImplementedError, match="not supported"):
        distribution.distribute_tensor(None, None)
