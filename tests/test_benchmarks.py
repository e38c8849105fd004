"""The benchmark scripts still run (on tiny sizes) and their engines agree with the baselines."""

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_evm_runs(capsys):
    _load("bench_evm").main(["--tasks", "40", "--months", "6", "--repeat", "1"])
    out = capsys.readouterr().out
    assert "results identical" in out and "speed-up ratio" in out


def test_bench_cpm_runs(capsys):
    rows = _load("bench_cpm").main(["--sizes", "200", "--deep-size", "300", "--repeat", "1"])
    out = capsys.readouterr().out
    assert "results identical" in out and "ratio" in out
    assert [row["tasks"] for row in rows] == [200, 300]
    assert rows[1]["depth"] == 30  # levels of 10 tasks
