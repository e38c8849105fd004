"""The benchmark scripts still run (on tiny sizes) and their engines agree with the baselines."""

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_evm_runs(capsys):
    bench = _load("bench_evm")
    tiny = ["--projects", "12", "--periods", "6", "--tasks-per-project", "5",
            "--baseline-projects", "4", "--seed", "3", "--tasks", "40", "--months", "6",
            "--repeat", "1"]
    result = bench.main(tiny)
    out = capsys.readouterr().out
    assert out.count("results identical") == 2 and out.count("speed-up ratio") == 2
    assert "whole loop over 12 projects" in out and "target >= 50x" in out
    assert result["portfolio"]["projects"] == 12 and not result["portfolio"]["baseline_scaled"]
    result = bench.main([*tiny, "--full-loop-limit", "0"])  # time a subset, scale linearly
    out = capsys.readouterr().out
    assert "timed on 4 projects" in out and "scaled x3.0" in out
    assert result["portfolio"]["baseline_scaled"]


def test_bench_cpm_runs(capsys):
    rows = _load("bench_cpm").main(["--sizes", "200", "--deep-size", "300", "--repeat", "1"])
    out = capsys.readouterr().out
    assert "results identical" in out and "ratio" in out
    assert [row["tasks"] for row in rows] == [200, 300]
    assert rows[1]["depth"] == 30  # levels of 10 tasks


def test_bench_agile_runs(capsys):
    result = _load("bench_agile").main(["--iterations", "400", "--items", "40",
                                        "--baseline-runs", "400", "--periods", "6",
                                        "--cfd-items", "300", "--cfd-baseline-days", "15",
                                        "--repeat", "1"])
    out = capsys.readouterr().out
    assert out.count("speed-up ratio") == 3 and "results identical on the 15 days" in out
    when = result["forecast"]["when"]
    assert max(abs(a - b) for a, b in zip(when["engine"], when["loop"], strict=True)) <= 1
    assert result["cfd"]["ratio"] > 0


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


@pytest.mark.slow
def test_bench_reports_runs(capsys):
    """The reports-per-minute benchmark on the mini portfolio's own report only (two real
    notebook runs: one in this process, one on a worker process)."""
    mini = Path(__file__).resolve().parent / "data" / "mini"
    result = _load("bench_reports").main(["--data", str(mini), "--limit", "0",
                                          "--workers", "2"])
    out = capsys.readouterr().out
    assert "the portfolio and 0 project(s) (none)" in out
    assert "sequential (workers=1)" in out and "parallel (workers=2)" in out
    assert "speed-up ratio parallel / sequential" in out and "(at most 1x on these cores)" in out
    assert result["sequential"]["reports"] == result["parallel"]["reports"] == 1
    assert result["sequential"]["month"] == result["parallel"]["month"] == "2026-02"
    assert result["ratio"] > 0
