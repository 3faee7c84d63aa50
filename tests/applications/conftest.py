"""Application tests: a private TORCHKERAS_HOME / torch hub dir; heavy tests opt-in."""
import os

import pytest
import torch


def pytest_runtest_setup(item):
    if "slow" in item.keywords and not os.environ.get("TORCHKERAS_SLOW"):
        pytest.skip("slow: set TORCHKERAS_SLOW=1 to run")


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    root = tmp_path / "tkhome"
    monkeypatch.setenv("TORCHKERAS_HOME", str(root))
    hub = torch.hub.get_dir()
    torch.hub.set_dir(str(tmp_path / "hub"))
    yield root
    torch.hub.set_dir(hub)


@pytest.fixture
def closed_port_url():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return "http://127.0.0.1:%d/weights-0123abcd.pth" % port
