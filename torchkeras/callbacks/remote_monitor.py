"""RemoteMonitor: posts each epoch's logs to an HTTP server."""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import warnings

import numpy as np

from torchkeras.callbacks.callback import Callback
from torchkeras.callbacks.model_checkpoint import is_chief


class RemoteMonitor(Callback):
    """Sends ``{"epoch": ..., <logs>}`` with an HTTP POST at the end of every epoch.

    Uses the standard library (no ``requests`` needed). By default the JSON goes in a
    form field (``data=<json>``, form-encoded) as in Keras; ``send_as_json=True`` posts
    it as the request body with ``Content-Type: application/json``.

    Args:
        root: Server root URL.
        path: Path appended to ``root``.
        field: Form field holding the JSON (when ``send_as_json`` is false).
        headers: Extra HTTP headers (dict).
        send_as_json: Post the JSON itself as the body.
        timeout: Seconds to wait for the server before giving up with a warning.

    Example:
        >>> monitor = RemoteMonitor(root="http://localhost:9000", send_as_json=True)
        >>> model.fit(x, y, epochs=3, callbacks=[monitor])
    """

    def __init__(self, root: str = "http://localhost:9000", path: str = "/publish/epoch/end/",
                 field: str = "data", headers: dict | None = None, send_as_json: bool = False,
                 timeout: float = 10.0):
        super().__init__()
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json
        self.timeout = timeout

    def on_epoch_end(self, epoch, logs=None):
        if not is_chief():
            return
        payload = {"epoch": epoch}
        for k, v in (logs or {}).items():
            if isinstance(v, (np.ndarray, np.generic)):
                v = v.item()
            elif hasattr(v, "detach"):
                v = v.detach().cpu().item()
            payload[k] = v
        headers = dict(self.headers or {})
        if self.send_as_json:
            body = json.dumps(payload).encode("utf-8")
            headers.setdefault("Content-Type", "application/json")
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(payload)}).encode("utf-8")
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        request = urllib.request.Request(self.root + self.path, data=body, headers=headers,
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except (urllib.error.URLError, OSError, ValueError):
            warnings.warn("Could not reach RemoteMonitor root server at %s" % self.root,
                          stacklevel=2)
