"""Atomic writes own their temporary files: a killed writer's leftovers go at the next save."""
import os
import subprocess
import sys

import pytest

import torchkeras as tk
from torchkeras.saving import file_utils


def dead_pid() -> int:
    """The pid of a process that has exited and been reaped (a killed writer)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def tiny_model():
    return tk.Sequential([tk.Input((3,)), tk.layers.Dense(2)])


def test_temp_names_carry_the_writer_pid(tmp_path):
    target = str(tmp_path / "m.keras")
    name = os.path.basename(file_utils.temp_path_for(target))
    assert name.startswith(".m.keras.%d-" % os.getpid()) and name.endswith(".tmp")
    assert file_utils.temp_path_for(target) != file_utils.temp_path_for(target)


@pytest.mark.parametrize("target", ["m.keras", "m.weights.h5", "m.safetensors"])
def test_next_save_removes_a_killed_writers_temp_file(tmp_path, target):
    path = tmp_path / target
    killed = tmp_path / (".%s.%d-0badc0de.tmp" % (target, dead_pid()))
    killed.write_bytes(b"half a checkpoint")
    legacy = tmp_path / (".%s.x5antbz6.tmp" % target)     # earlier versions' mkstemp name
    legacy.write_bytes(b"half a checkpoint")
    model = tiny_model()
    model.save(str(path)) if target.endswith(".keras") else model.save_weights(str(path))
    assert sorted(os.listdir(tmp_path)) == [target]


def test_live_writers_and_other_files_are_left_alone(tmp_path):
    target = tmp_path / "m.keras"
    live = tmp_path / (".m.keras.%d-00000000.tmp" % os.getppid())   # a running process
    other_target = tmp_path / (".other.keras.%d-00000000.tmp" % dead_pid())
    user_file = tmp_path / "m.keras.tmp"
    for f in (live, other_target, user_file):
        f.write_bytes(b"x")
    tiny_model().save(str(target))
    assert sorted(os.listdir(tmp_path)) == sorted(
        [live.name, other_target.name, user_file.name, "m.keras"])
    assert file_utils.remove_stale_temps(str(tmp_path / "other.keras")) == [str(other_target)]


def test_failed_write_leaves_nothing(tmp_path):
    target = tmp_path / "f.bin"
    with pytest.raises(RuntimeError):
        with file_utils.atomic_path(str(target)) as tmp:
            with open(tmp, "wb") as f:
                f.write(b"partial")
            raise RuntimeError("killed half-way")
    assert os.listdir(tmp_path) == []
