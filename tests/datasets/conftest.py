"""Fixtures for the dataset tests: a private cache root and local servers for files."""
import functools
import hashlib
import http.server
import os
import pathlib
import threading

import pytest


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A fresh TORCHKERAS_HOME for each test."""
    root = tmp_path / "tkhome"
    monkeypatch.setenv("TORCHKERAS_HOME", str(root))
    return root


@pytest.fixture
def source(tmp_path):
    """A folder of files to be downloaded, reachable through file:// URLs."""
    folder = tmp_path / "origin"
    folder.mkdir()
    return folder


@pytest.fixture
def sha256():
    def digest(path):
        return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()
    return digest


@pytest.fixture
def file_url():
    def url(path):
        return pathlib.Path(path).resolve().as_uri()
    return url


class _Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        self.server.requests.append(self.path)
        super().do_GET()

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server(source):
    """Serves ``source`` on 127.0.0.1; ``.url(name)`` and ``.requests`` for each test."""
    handler = functools.partial(_Handler, directory=os.fspath(source))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.requests = []
    server.url = lambda name: "http://127.0.0.1:%d/%s" % (server.server_address[1], name)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port_url():
    """A URL on 127.0.0.1 where nothing listens (a reliable 'offline' origin)."""
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return "http://127.0.0.1:%d/missing.bin" % port
