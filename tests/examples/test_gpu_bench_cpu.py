"""bench/gpu_cifar.py's shortened CPU configuration runs both sides and reports ratios."""
import gpu_cifar


def test_gpu_bench_cpu_configuration(tmp_path, capsys):
    out = gpu_cifar.main(["--cpu", "--json", str(tmp_path / "bench.json")])
    text = capsys.readouterr().out
    assert "throughput ratio fit/raw" in text and "time ratio fit/raw" in text
    for side in ("raw", "fit"):
        s = out[side]
        assert s["runs"] == 1 and 0.0 <= s["accuracy"] <= 1.0
        assert s["images_per_s"] > 0 and s["seconds"] >= s["train_seconds"] > 0
    assert out["throughput_ratio"] > 0 and out["time_ratio"] > 0
    assert (tmp_path / "bench.json").exists()


def test_gpu_bench_curves_mode_cpu(tmp_path, capsys):
    """`--curves`: one fit run and one raw run from the same start, compared per epoch."""
    out = gpu_cifar.main(["--cpu", "--curves", "--json", str(tmp_path / "curves.json")])
    text = capsys.readouterr().out
    assert "SAME TRAINING" in text and out["ok"]
    assert len(out["fit"]["loss"]) == len(out["raw"]["loss"]) == 1
    assert out["tolerance"] == gpu_cifar.CURVE_TOLERANCE["float32"]
    assert (tmp_path / "curves.json").exists()
