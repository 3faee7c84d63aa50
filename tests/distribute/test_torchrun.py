"""The same script under `torchrun --nproc_per_node=2` (CPU, gloo) and as one process."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "ddp_script.py")


def _run(args, out):
    env = dict(os.environ, TORCHKERAS_DEVICE="cpu", OMP_NUM_THREADS="1",
               TORCHKERAS_DIST_TIMEOUT="60")
    proc = subprocess.run(args, cwd=out, env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("ddp"))
    _run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
          SCRIPT, out, "ddp"], out)
    _run([sys.executable, SCRIPT, out, "reference"], out)

    def load(mode, rank):
        with open(os.path.join(out, "result_%s_%d.json" % (mode, rank))) as f:
            info = json.load(f)
        w = np.load(os.path.join(out, "result_%s_%d.npz" % (mode, rank)))
        info["weights"] = [w["arr_%d" % i] for i in range(len(w.files))]
        return info
    return out, load("ddp", 0), load("ddp", 1), load("reference", 0)


def test_both_ranks_identical_and_match_single_process(runs):
    _, r0, r1, ref = runs
    assert r0["world"] == 2 and r1["world"] == 2 and ref["world"] == 1
    for a, b in zip(r0["weights"], r1["weights"]):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(r0["weights"], ref["weights"]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    for key in ref["history"]:
        np.testing.assert_allclose(r0["history"][key], ref["history"][key], rtol=1e-5, atol=1e-6)


def test_dataset_input_uses_distributed_sampler(runs):
    out = runs[0]

    def weights(mode, rank):
        w = np.load(os.path.join(out, "dataset_%s_%d.npz" % (mode, rank)))
        return [w["arr_%d" % i] for i in range(len(w.files))]
    r0, r1, ref = weights("ddp", 0), weights("ddp", 1), weights("reference", 0)
    for a, b, c in zip(r0, r1, ref):
        np.testing.assert_array_equal(a, b)
        # DistributedSampler interleaves samples (rank r takes r, r+2, ...): each global
        # step covers the same 16 samples as the single process's batch of 16.
        np.testing.assert_allclose(a, c, rtol=1e-5, atol=1e-6)


def test_backup_and_restore_resumes_a_distributed_run(runs):
    out = runs[0]
    for mode, ranks in (("ddp", (0, 1)), ("reference", (0,))):
        for rank in ranks:
            w = np.load(os.path.join(out, "resume_%s_%d.npz" % (mode, rank)))
            arrays = [w["arr_%d" % i] for i in range(len(w.files))]
            half = len(arrays) // 2
            for resumed, straight in zip(arrays[:half], arrays[half:]):
                np.testing.assert_allclose(resumed, straight, rtol=1e-6, atol=1e-7)


def test_early_stopping_stops_both_ranks_at_the_same_epoch(runs):
    _, r0, r1, ref = runs
    assert r0["epochs"] == r1["epochs"] == ref["epochs"] < 20


def test_predict_gathers_in_order_and_evaluate_is_reduced(runs):
    _, r0, r1, ref = runs
    np.testing.assert_allclose(r0["pred"], ref["pred"], rtol=1e-5, atol=1e-6)
    assert r0["pred"] == r1["pred"]
    for k in ref["eval"]:
        assert r0["eval"][k] == pytest.approx(ref["eval"][k], rel=1e-5)
        assert r0["eval"][k] == r1["eval"][k]


def test_only_rank_zero_wrote_files(runs):
    out, r0, _, ref = runs
    ddp_files = sorted(os.listdir(os.path.join(out, "files_ddp")))
    ref_files = sorted(os.listdir(os.path.join(out, "files_reference")))
    assert ddp_files == ref_files and "log.csv" in ddp_files
    with open(os.path.join(out, "files_ddp", "log.csv")) as f:
        rows = f.read().strip().splitlines()
    assert len(rows) == r0["epochs"] + 1   # one header, one row per epoch: a single writer
