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
