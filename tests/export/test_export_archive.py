import numpy as np
import pytest
import torch

import torchkeras
from torchkeras.export import ExportArchive


def test_export_archive_round_trip(tmp_path):
    torchkeras.config.set_device("cpu")
    try:
        model = torchkeras.Sequential([torchkeras.Input((3,)), torchkeras.layers.Dense(2)])
        archive = ExportArchive()
        archive.track(model)
        archive.add_endpoint("serve", lambda x: model(x, training=False),
                             input_signature=[torchkeras.InputSpec(shape=(None, 3))])
        path = str(tmp_path / "m.pt2")
        assert archive.write_out(path, verbose=False) == [path]
        program = torch.export.load(path).module()
        x = torch.randn(5, 3)
        np.testing.assert_allclose(program(x).detach().numpy(), model(x).detach().numpy(),
                                   rtol=1e-5, atol=1e-6)
    finally:
        torchkeras.config.set_device(None)


def test_export_archive_errors(tmp_path):
    archive = ExportArchive()
    with pytest.raises(ValueError, match="Layer or Model"):
        archive.track(3)
    with pytest.raises(ValueError, match="No endpoints"):
        archive.write_out(str(tmp_path / "a.pt2"))
    archive.add_endpoint("serve", lambda x: x, input_signature=[torch.zeros(2)])
    with pytest.raises(ValueError, match="already taken"):
        archive.add_endpoint("serve", lambda x: x, input_signature=[torch.zeros(2)])
    with pytest.raises(ValueError, match=".pt2"):
        archive.write_out(str(tmp_path / "a.keras"))
