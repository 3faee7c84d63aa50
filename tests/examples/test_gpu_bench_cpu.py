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
