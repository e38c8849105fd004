"""The levelling benchmark script still runs, on a tiny PSPLIB-like folder built here (and on
two real j30 instances when ../shared/data is present)."""

import importlib.util
from pathlib import Path

import pytest
from test_levelling import PSPLIB, TINY_SM

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_levelling.py"


def _load():
    spec = importlib.util.spec_from_file_location("bench_levelling", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def data(tmp_path):
    """A psplib folder with a j30 set of two tiny instances and their optima."""
    (tmp_path / "j30").mkdir()
    (tmp_path / "j30" / "j301_1.sm").write_text(TINY_SM)
    (tmp_path / "j30" / "j302_1.sm").write_text(TINY_SM.replace("  3      1     3       2",
                                                                "  3      1     3       1"))
    (tmp_path / "j30" / "j30opt.sm").write_text(
        "Paramter Instance Makespan CPU-Time[sec.]\n-----\n1  1  7  0.1\n2  1  4  0.1\n")
    return tmp_path


def test_bench_levelling_sets(capsys, data):
    rows = _load().main(["--sets", "j30", "--budgets", "20", "50", "--data", str(data)])
    out = capsys.readouterr().out
    assert [(r["set"], r["budget"], r["instances"]) for r in rows] == [("j30", 20, 2),
                                                                      ("j30", 50, 2)]
    assert all(r["dev_ref"] == 0 and r["hits"] == 2 for r in rows)
    assert rows[0]["dev_lb"] == pytest.approx(100 * (7 - 4) / 4 / 2)
    assert "target j30: mean deviation from the optimum <= 0.3 % at 5,000 schedules: not run" \
        in out
    assert "target j120" in out and "not run" in out


def test_bench_levelling_target_verdict(capsys, data):
    _load().main(["--sets", "j30", "--schedules", "5000", "--limit", "1", "--data",
                  str(data)])
    out = capsys.readouterr().out
    assert "0.00 % (on 1 of 2 instances): met" in out


def test_bench_levelling_files(capsys, data):
    files = [str(data / "j30" / "j301_1.sm"), str(data / "j30" / "j302_1.sm")]
    lines = _load().main(["--schedules", "30", *files])
    out = capsys.readouterr().out.splitlines()
    assert out == lines and len(lines) == 2
    name, makespan, seconds = lines[0].split()
    assert name == "j301_1.sm" and makespan == "7" and float(seconds) >= 0
    assert lines[1].split()[:2] == ["j302_1.sm", "4"]


@pytest.mark.skipif(not (PSPLIB / "j30" / "j30opt.sm").is_file(),
                    reason="../shared/data/psplib is not available")
def test_bench_levelling_real_subset(capsys):
    rows = _load().main(["--sets", "j30", "--limit", "2", "--schedules", "100"])
    assert rows[0]["instances"] == 2 and rows[0]["of"] == 480
    assert rows[0]["dev_ref"] < 10


def test_bench_levelling_cpsat_sets(capsys, data):
    pytest.importorskip("ortools")
    rows = _load().main(["--method", "cpsat", "--sets", "j30", "--time-limit", "5",
                         "--workers", "1", "--data", str(data)])
    out = capsys.readouterr().out
    # j301_1: CP-SAT proves 7 above the bound 5; j302_1 meets the bound 4.
    assert [(r["set"], r["instances"], r["optimal"], r["hits"]) for r in rows] == \
        [("j30", 2, 2, 2)]
    assert rows[0]["dev_ref"] == 0 and rows[0]["time"] >= 0
    assert "method cpsat, time limit 5 s, 1 worker(s)" in out
    assert "target j30 (cpsat): proven optimal on >= 95 % of the instances within 10 s " \
           "each: 100.00 %: met" in out


def test_bench_levelling_cpsat_files(capsys, data):
    pytest.importorskip("ortools")
    files = [str(data / "j30" / "j301_1.sm"), str(data / "j30" / "j302_1.sm")]
    lines = _load().main(["--method", "cpsat", "--time-limit", "5", *files])
    assert capsys.readouterr().out.splitlines() == lines
    assert [line.split()[:2] + line.split()[3:] for line in lines] == [
        ["j301_1.sm", "7", "OPTIMAL"], ["j302_1.sm", "4", "OPTIMAL"]]
