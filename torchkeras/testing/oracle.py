"""OracleHelper: compares a torchkeras layer with the same layer in real Keras 3."""
from __future__ import annotations

import numpy as np
import torch


class OracleHelper:
    """Copies random Keras weights into our layer and compares outputs."""

    def __init__(self, keras):
        self.keras = keras
        self.rng = np.random.default_rng(1)

    def randomize(self, layer, scale: float = 0.5) -> None:
        layer.set_weights([(self.rng.normal(size=w.shape) * scale).astype(w.dtype)
                           for w in layer.get_weights()])

    @staticmethod
    def flat(x) -> list:
        if isinstance(x, (list, tuple)):
            return [t for v in x for t in OracleHelper.flat(v)]
        return [x]

    @staticmethod
    def np(x):
        if isinstance(x, torch.Tensor):
            return x.detach().cpu().numpy()
        return np.asarray(x.detach().cpu().numpy() if hasattr(x, "detach") else x)

    def assert_close(self, ours, theirs, rtol: float = 1e-4, atol: float = 1e-5) -> None:
        a, b = self.flat(ours), self.flat(theirs)
        assert len(a) == len(b), "%d outputs vs Keras's %d" % (len(a), len(b))
        for x, y in zip(a, b):
            x, y = self.np(x), self.np(y)
            assert x.shape == y.shape, "shape %s vs Keras %s" % (x.shape, y.shape)
            np.testing.assert_allclose(x, y, rtol=rtol, atol=atol)

    def pair(self, keras_layer, our_layer, build_input, **call_kwargs):
        """Builds both on ``build_input``, copies random Keras weights into ours."""
        keras_layer(build_input, **call_kwargs)
        our_layer(torch.as_tensor(build_input) if isinstance(build_input, np.ndarray)
                  else build_input, **call_kwargs)
        self.randomize(keras_layer)
        our_layer.set_weights(keras_layer.get_weights())
        for a, b in zip(our_layer.get_weights(), keras_layer.get_weights()):
            np.testing.assert_array_equal(a, b)
