"""model.export: torch.export programs (and ONNX when its packages are installed)."""
import os

import numpy as np
import pytest
import torch

import torchkeras as tk

X = np.random.RandomState(2).rand(5, 6).astype("float32")


def run(program, model, *arrays):
    """Runs an exported program on the model's device; returns numpy."""
    device = next(model.parameters()).device
    out = program(*[torch.as_tensor(a).to(device) for a in arrays])
    return out.detach().cpu().numpy()


def functional():
    inp = tk.Input((6,))
    h = tk.layers.Dense(8, activation="relu")(inp)
    if hasattr(tk.layers, "Dropout"):
        h = tk.layers.Dropout(0.5)(h)      # must be inactive in the exported program
    return tk.Model(inp, tk.layers.Dense(3, activation="softmax")(h))


def test_torch_export_matches_predict_with_dynamic_batch(tmp_path):
    model = functional()
    path = str(tmp_path / "m.pt2")
    assert model.export(path, verbose=False) == path
    assert model.training    # train/eval mode is restored after tracing
    program = torch.export.load(path).module()
    for n in (5, 3):
        out = run(program, model, X[:n])
        np.testing.assert_allclose(out, model.predict(X[:n], verbose=0), rtol=1e-6, atol=1e-7)


def test_sequential_and_multi_input_export(tmp_path):
    seq = tk.Sequential([tk.Input((6,)), tk.layers.Dense(4), tk.layers.Dense(2)])
    seq.export(str(tmp_path / "s.pt2"), verbose=False)
    prog = torch.export.load(str(tmp_path / "s.pt2")).module()
    np.testing.assert_allclose(run(prog, seq, X), seq.predict(X, verbose=0),
                               rtol=1e-6, atol=1e-7)
    a, b = tk.Input((6,), name="a"), tk.Input((2,), name="b")
    merged = tk.layers.Dense(3)(a) + tk.layers.Dense(3)(b)
    two = tk.Model([a, b], merged)
    two.export(str(tmp_path / "two.pt2"), verbose=False)
    prog = torch.export.load(str(tmp_path / "two.pt2")).module()
    xb = X[:, :2].copy()
    np.testing.assert_allclose(run(prog, two, X, xb), two.predict([X, xb], verbose=0),
                               rtol=1e-6, atol=1e-6)


def test_subclassed_model_with_input_signature(tmp_path):
    class Net(tk.Model):
        def __init__(self):
            super().__init__()
            self.d = tk.layers.Dense(2)

        def call(self, x):
            return torch.tanh(self.d(x))

    net = Net()
    net(torch.zeros(1, 6, device=tk.config.get_device()))
    path = str(tmp_path / "n.pt2")
    net.export(path, input_signature=[(None, 6)], verbose=False)
    prog = torch.export.load(path).module()
    np.testing.assert_allclose(run(prog, net, X), net.predict(X, verbose=0),
                               rtol=1e-6, atol=1e-7)


def test_bad_arguments(tmp_path):
    model = functional()
    with pytest.raises(ValueError, match=".pt2"):
        model.export(str(tmp_path / "m.bin"), verbose=False)
    with pytest.raises(ValueError, match="format"):
        model.export(str(tmp_path / "m.pt2"), format="tflite", verbose=False)
    unbuilt = tk.Sequential([tk.layers.Dense(2)])
    with pytest.raises(ValueError, match="built"):
        unbuilt.export(str(tmp_path / "u.pt2"), verbose=False)
    assert not os.listdir(tmp_path)


def test_onnx_export_checked_with_onnxruntime(tmp_path):
    pytest.importorskip("onnx")
    pytest.importorskip("onnxscript")
    ort = pytest.importorskip("onnxruntime")
    model = functional()
    path = str(tmp_path / "m.onnx")
    model.export(path, format="onnx", verbose=False)
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    for n in (5, 2):
        out = session.run(None, {name: X[:n]})[0]
        np.testing.assert_allclose(out, model.predict(X[:n], verbose=0), rtol=1e-5, atol=1e-6)
    assert os.listdir(tmp_path) == ["m.onnx"]


def test_onnx_without_packages_is_a_clear_error(tmp_path, monkeypatch):
    import builtins
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name in ("onnx", "onnxscript"):
            raise ImportError("No module named %r" % name)
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ImportError, match="onnx"):
        functional().export(str(tmp_path / "m.onnx"), format="onnx", verbose=False)
    assert not os.listdir(tmp_path)
