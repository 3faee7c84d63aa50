"""Files from strangers: never unpickled, never executed, never a crash or a hang."""
import io
import json
import os
import pickle
import struct
import zipfile

import numpy as np
import pytest
import torch

import torchkeras as tk
from torchkeras.saving import load_model


class Payload:
    """Unpickling this object creates the marker file (what an attacker would do)."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def model():
    inp = tk.Input((4,))
    return tk.Model(inp, tk.layers.Dense(2)(tk.layers.Dense(3)(inp)))


def snapshot(m):
    return [p.detach().clone() for p in m.parameters()]


def unchanged(m, before):
    return all(torch.equal(a, b) for a, b in zip(snapshot(m), before))


def members_of(path):
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def write_zip(path, members, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def saved_archive(tmp_path, compiled=True):
    m = model()
    if compiled:
        m.compile(optimizer="adam", loss="mse")
        m.fit(np.ones((4, 4), "float32"), np.ones((4, 2), "float32"), verbose=0)
    path = str(tmp_path / "good.keras")
    m.save(path)
    return path


def test_sanity_the_payload_really_runs_when_unpickled(tmp_path):
    marker = tmp_path / "marker"
    pickle.loads(pickle.dumps(Payload(str(marker))))
    assert marker.exists()


@pytest.mark.parametrize("member", ["model.safetensors", "optimizer.safetensors"])
def test_pickle_in_place_of_state_is_refused(tmp_path, member):
    marker = tmp_path / "marker"
    members = members_of(saved_archive(tmp_path))
    members[member] = pickle.dumps(Payload(str(marker)))
    path = str(tmp_path / "evil.keras")
    write_zip(path, members)
    with pytest.raises(ValueError, match="safetensors"):
        load_model(path)
    assert not marker.exists()


def test_torch_save_pickle_where_state_is_expected(tmp_path):
    marker = tmp_path / "marker"
    buf = io.BytesIO()
    torch.save({"weight": Payload(str(marker))}, buf)
    members = members_of(saved_archive(tmp_path))
    members["model.safetensors"] = buf.getvalue()
    path = str(tmp_path / "evil.keras")
    write_zip(path, members)
    with pytest.raises(ValueError):
        load_model(path)
    assert not marker.exists()


@pytest.mark.parametrize("fname", ["evil.keras", "evil.safetensors", "evil.weights.h5",
                                   "evil.pt"])
def test_whole_torch_save_file_is_refused(tmp_path, fname):
    marker = tmp_path / "marker"
    path = str(tmp_path / fname)
    torch.save(Payload(str(marker)), path)
    m = model()
    before = snapshot(m)
    if fname.endswith(".keras"):
        with pytest.raises(ValueError):
            load_model(path)
    with pytest.raises(ValueError):
        m.load_weights(path)
    with pytest.raises((ValueError, OSError)):
        load_model(path)
    assert not marker.exists()
    assert unchanged(m, before)


@pytest.mark.parametrize("seed", range(4))
def test_random_bytes_give_clean_errors(tmp_path, seed):
    rng = np.random.RandomState(seed)
    blob = rng.bytes(int(rng.randint(1, 4096)))
    m = model()
    before = snapshot(m)
    for fname in ("r.keras", "r.safetensors", "r.weights.h5"):
        path = str(tmp_path / fname)
        open(path, "wb").write(blob)
        with pytest.raises(ValueError):
            m.load_weights(path)
        with pytest.raises(ValueError):
            load_model(path)
    assert unchanged(m, before)


def test_random_bytes_with_a_zip_signature(tmp_path):
    rng = np.random.RandomState(7)
    path = str(tmp_path / "r.keras")
    open(path, "wb").write(b"PK\x03\x04" + rng.bytes(300) + b"PK\x05\x06" + rng.bytes(18))
    with pytest.raises(ValueError):
        load_model(path)


def test_truncated_archives_give_clean_errors(tmp_path):
    data = open(saved_archive(tmp_path), "rb").read()
    path = str(tmp_path / "cut.keras")
    for n in sorted({0, 1, 4, 30, 100, len(data) // 3, len(data) // 2, len(data) - 30,
                     len(data) - 1}):
        open(path, "wb").write(data[:n])
        with pytest.raises(ValueError):
            load_model(path)


def test_flipped_bytes_inside_members_give_clean_errors(tmp_path):
    data = bytearray(open(saved_archive(tmp_path), "rb").read())
    path = str(tmp_path / "flip.keras")
    rng = np.random.RandomState(1)
    for _ in range(40):
        blob = bytearray(data)
        i = int(rng.randint(0, len(blob)))
        blob[i] ^= 1 << int(rng.randint(0, 8))
        open(path, "wb").write(bytes(blob))
        try:
            loaded = load_model(path)   # a flip in a timestamp may be harmless
        except ValueError:
            continue
        # CRCs protect every member: whatever loads carries the saved values exactly.
        reference = load_model(str(tmp_path / "good.keras"))
        for a, b in zip(loaded.get_weights(), reference.get_weights()):
            assert np.array_equal(a, b)


def test_declared_size_bomb_is_rejected_before_reading(tmp_path):
    members = members_of(saved_archive(tmp_path))
    path = str(tmp_path / "bomb.keras")
    write_zip(path, members, zipfile.ZIP_DEFLATED)
    data = bytearray(open(path, "rb").read())
    # Patch the central directory's uncompressed size of model.safetensors to 1 TiB.
    name = b"model.safetensors"
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        name_len = struct.unpack("<H", data[pos + 28:pos + 30])[0]
        if bytes(data[pos + 46:pos + 46 + name_len]) == name:
            data[pos + 24:pos + 28] = struct.pack("<I", 0xFFFFFFF0)
        pos = data.find(b"PK\x01\x02", pos + 4)
    open(path, "wb").write(bytes(data))
    with pytest.raises(ValueError, match="bomb|bytes|corrupt"):
        load_model(path)


def test_real_deflate_bomb_member_is_rejected(tmp_path, monkeypatch):
    from torchkeras.saving import file_utils
    monkeypatch.setattr(file_utils, "EXPANSION_FLOOR", 1 << 16)
    members = members_of(saved_archive(tmp_path))
    members["model.safetensors"] = b"\x00" * (1 << 22)     # 4 MiB of zeros -> ~4 KiB
    path = str(tmp_path / "bomb.keras")
    write_zip(path, members, zipfile.ZIP_DEFLATED)
    with pytest.raises(ValueError, match="bomb"):
        load_model(path)


def test_path_traversal_members_are_never_written(tmp_path):
    members = members_of(saved_archive(tmp_path))
    members["../../escaped.txt"] = b"x"
    members["/abs_escaped.txt"] = b"x"
    path = str(tmp_path / "trav.keras")
    write_zip(path, members)
    loaded = load_model(path)
    assert loaded is not None
    assert not (tmp_path.parent / "escaped.txt").exists()
    assert not os.path.exists("/abs_escaped.txt")


def test_asset_path_traversal_is_rejected(tmp_path):
    class Assets(tk.layers.Layer):
        def call(self, x):
            return x

        def save_assets(self, d):
            open(os.path.join(d, "a.txt"), "w").write("a")

        def load_assets(self, d):
            pass
    inp = tk.Input((4,))
    m = tk.Model(inp, Assets(name="assets_layer")(inp))
    path = str(tmp_path / "a.keras")
    m.save(path)
    members = members_of(path)
    members["assets/../../../escaped_asset.txt"] = b"x"
    write_zip(path, members)
    with pytest.raises(ValueError, match="asset"):
        load_model(path, custom_objects={"Assets": Assets})
    assert not (tmp_path.parent / "escaped_asset.txt").exists()


def test_duplicate_member_names_are_refused(tmp_path):
    members = members_of(saved_archive(tmp_path, compiled=False))
    path = str(tmp_path / "dup.keras")
    with pytest.warns(UserWarning):
        with zipfile.ZipFile(path, "w") as zf:
            for n, d in members.items():
                zf.writestr(n, d)
            zf.writestr("config.json", b'{"class_name": "Sequential", "config": {}}')
    with pytest.raises(ValueError, match="ambiguous"):
        load_model(path)


@pytest.mark.parametrize("config", [b"[" * 100000 + b"]" * 100000, b"\xff\xfe", b"null",
                                    b'{"class_name": 3}', b'"Sequential"'])
def test_malformed_config_json(tmp_path, config):
    members = members_of(saved_archive(tmp_path, compiled=False))
    members["config.json"] = config
    path = str(tmp_path / "cfg.keras")
    write_zip(path, members)
    with pytest.raises(ValueError):
        load_model(path)


def test_missing_members(tmp_path):
    members = members_of(saved_archive(tmp_path, compiled=False))
    path = str(tmp_path / "m.keras")
    write_zip(path, {k: v for k, v in members.items() if k != "model.safetensors"})
    with pytest.raises(ValueError, match="no weights"):
        load_model(path)
    write_zip(path, {k: v for k, v in members.items() if k != "config.json"})
    with pytest.raises(ValueError, match="config.json"):
        load_model(path)


def test_weights_of_another_architecture_inside_archive(tmp_path):
    members = members_of(saved_archive(tmp_path, compiled=False))
    inp = tk.Input((4,))
    other = tk.Model(inp, tk.layers.Dense(2)(tk.layers.Dense(7)(inp)))
    other.save(str(tmp_path / "other.keras"))
    members["model.safetensors"] = members_of(str(tmp_path / "other.keras"))["model.safetensors"]
    path = str(tmp_path / "mixed.keras")
    write_zip(path, members)
    with pytest.raises(ValueError, match="layers/dense/kernel"):
        load_model(path)


def test_safetensors_header_lies_are_refused(tmp_path):
    m = model()
    path = str(tmp_path / "w.safetensors")
    m.save_weights(path)
    data = open(path, "rb").read()
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + n])
    key = "layers/dense/kernel"
    header[key]["data_offsets"] = [0, 10 ** 12]
    raw = json.dumps(header).encode()
    open(path, "wb").write(len(raw).to_bytes(8, "little") + raw + data[8 + n:])
    before = snapshot(m)
    with pytest.raises(ValueError):
        m.load_weights(path)
    assert unchanged(m, before)
    open(path, "wb").write((10 ** 15).to_bytes(8, "little") + data[8:])
    with pytest.raises(ValueError):
        m.load_weights(path)
    assert unchanged(m, before)
