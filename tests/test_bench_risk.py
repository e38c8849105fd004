"""The risk benchmark script still runs (on tiny sizes) and agrees with CPM and the naive loop."""

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_risk_runs(capsys):
    rows = _load("bench_risk").main(["--tasks", "60", "--big-tasks", "120", "--iterations",
                                     "300", "--naive-iterations", "40", "--repeat", "1"])
    out = capsys.readouterr().out
    assert out.count("every iteration of both equals the CPM finish") == 2
    assert "target >= 40x" in out and "n/a (not 10,000 x 1,000)" in out
    assert "target peak memory < 1024 MB" in out and "n/a (not 10,000 x 10,000)" in out
    assert [row["tasks"] for row in rows] == [60, 120]
    assert rows[1]["naive_iterations"] == 20  # scaled down with the network's size
    assert all(row["ratio"] > 0 and row["peak_mb"] > 0 for row in rows)
    # The naive percentiles lie in the engine's band (a 99.9% band per percentile).
    assert sum(ok for row in rows for *_, ok in row["agree"]) >= 7
