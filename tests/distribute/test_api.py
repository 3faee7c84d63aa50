"""The explicit distribute API in a single process."""
import pytest
import torch

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
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="needs CUDA"):
            distribute.DataParallel(fsdp=True).wrap(model.to("cpu"))
    with pytest.raises(RuntimeError, match="process group"):   # not under torchrun
        distribute.DataParallel().wrap(model)
    assert distribute.convert_sync_batchnorm(model) == 1
    assert model.layers[1].synchronized


def test_missing_rank_fails_clearly_instead_of_hanging(tmp_path):
    import os
    import socket
    import subprocess
    import sys
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    script = tmp_path / "lonely.py"
    script.write_text(
        "import sys, numpy as np\n"
        "sys.path.insert(0, %r)\n"
        "import torchkeras as keras\n"
        "m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])\n"
        "m.compile('sgd', 'mse')\n"
        "m.fit(np.ones((8, 3), 'float32'), np.ones((8, 1), 'float32'), verbose=0)\n"
        % os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    env = dict(os.environ, RANK="0", WORLD_SIZE="2", LOCAL_RANK="0", MASTER_ADDR="127.0.0.1",
               MASTER_PORT=str(port), TORCHKERAS_DIST_TIMEOUT="3", TORCHKERAS_DEVICE="cpu")
    proc = subprocess.run([sys.executable, str(script)], env=env, capture_output=True,
                          text=True, timeout=90)
    assert proc.returncode != 0
    assert "Could not join the torch.distributed process group" in proc.stderr
    assert "WORLD_SIZE=2" in proc.stderr
