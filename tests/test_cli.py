"""Tests of the ``pmo`` command (pmo_lib.cli), in-process through ``main`` and as a process."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pmo_lib import __version__
from pmo_lib.cli import EXIT_ERROR, main

MINI = Path(__file__).parent / "data" / "mini"


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


@pytest.fixture
def bad_data(tmp_path):
    """The mini fixture with two bad values in tasks.csv."""
    folder = tmp_path / "bad"
    shutil.copytree(MINI, folder)
    tasks = folder / "tasks.csv"
    text = tasks.read_text().replace(",1000,", ",lots,", 1).replace(",2026-01-26,", ",someday,", 1)
    tasks.write_text(text)
    return folder


def test_report_prints_the_html_path(tmp_path, capsys):
    out = tmp_path / "out"
    status = main(["report", "--month", "2026-02", "--data", str(MINI), "--out", str(out)])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert captured.err == ""
    lines = captured.out.splitlines()
    assert len(lines) == 1
    html = Path(lines[0])
    assert html == out / "monthly_portfolio_report_2026-02.html"
    assert html.is_file() and "Portfolio total" in html.read_text(encoding="utf-8")
    assert _files(out) == [f"monthly_portfolio_report_2026-02{ext}"
                           for ext in (".html", ".ipynb", ".json")]


@pytest.mark.parametrize("args, message", [
    (["--month", "2026-13"], "invalid month '2026-13': use the form YYYY-MM; months with "
                             "status data in {mini}: 2026-01, 2026-02"),
    (["--month", "October"], "invalid month 'October': use the form YYYY-MM; months with "
                             "status data in {mini}: 2026-01, 2026-02"),
    (["--month", "2026-04"], "no status data for 2026-04 in {mini}; months with status "
                             "data: 2026-01, 2026-02"),
    (["--data", "{missing}"], "cannot load the portfolio data: {missing}: data folder not "
                              "found"),
    (["--data", "{bad}"], "cannot load the portfolio data: {bad}/tasks.csv, row 3, ID 'A2', "
                          "column 'baseline_finish': 'someday' is not a date in the form "
                          "YYYY-MM-DD (and 1 more problem; run 'pmo validate {bad}' to list "
                          "them all)"),
    (["--rag-green", "0.8"], "RAG thresholds: need 0 < amber <= green, got amber=0.9, "
                             "green=0.8"),
    (["--rag-vac-amber", "-0.2", "--rag-vac-red", "-0.1"],
     "RAG thresholds: need vac_red <= vac_amber <= 0 (fractions of BAC), got vac_red=-0.1, "
     "vac_amber=-0.2"),
], ids=["month-13", "month-name", "month-without-status", "unknown-data", "bad-file",
        "bad-thresholds", "bad-vac-thresholds"])
def test_report_errors(tmp_path, bad_data, capsys, args, message):
    out = tmp_path / "out"
    out.mkdir()
    paths = {"mini": MINI.resolve(), "missing": tmp_path / "missing", "bad": bad_data}
    args = [a.format(**paths) for a in args]
    if "--data" not in args:
        args += ["--data", str(MINI)]
    status = main(["report", *args, "--out", str(out)])
    captured = capsys.readouterr()
    assert status == EXIT_ERROR
    assert captured.out == ""
    assert captured.err == f"pmo: error: {message.format(**paths)}\n"
    assert _files(out) == []


def test_report_rating_options_reach_the_notebook(tmp_path, capsys):
    out = tmp_path / "out"
    status = main(["report", "--month", "2026-01", "--data", str(MINI), "--out", str(out),
                   "--rag-schedule-index", "spi", "--no-rag-vac", "--rag-vac-amber", "-0.02",
                   "--rag-vac-red", "-0.2"])
    assert status == 0, capsys.readouterr().err
    summary = json.loads((out / "monthly_portfolio_report_2026-01.json").read_text())
    assert summary["parameters"] | {"data": None} == {
        "data": None, "month": "2026-01", "rag_green": 0.95, "rag_amber": 0.90,
        "rag_schedule_index": "spi", "rag_rate_vac": False, "rag_vac_amber": -0.02,
        "rag_vac_red": -0.2}
    # Rated on SPI, P1 (SPI 0.90) is amber in January; on SPI(t) (the default) it is green.
    assert summary["rag_counts"] == {"green": 0, "amber": 1, "red": 0, "grey": 1}


def test_report_error_as_a_process(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "pmo_lib.cli", "report", "--month", "October", "--data",
         str(MINI), "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == EXIT_ERROR
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("pmo: error: invalid month 'October'")
    assert not out.exists()


def test_validate_summarises_a_dataset(capsys):
    assert main(["validate", str(MINI)]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert out.startswith(f"Mini portfolio (hand-checked test fixture) ({MINI.resolve()}) "
                          "is valid: 2 projects, 4 tasks, 3 links, 2 resources")
    assert out.rstrip().endswith(
        "6 status rows in 2 status months (2026-01 to 2026-02); amounts in EUR.")
    assert main(["validate", str(MINI.parent / "mini_agile")]) == 0
    assert capsys.readouterr().out.rstrip().endswith(
        "Governance and agile: 3 gates, 5 deliverable records, 4 stakeholders, 2 lessons, "
        "3 sprints, 5 backlog items, 1 release plan.")


def test_validate_lists_every_problem(bad_data, capsys):
    assert main(["validate", str(bad_data)]) == EXIT_ERROR
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert lines[0] == "pmo: error: 2 problems in the data:"
    assert len(lines) == 3
    first, second = sorted(lines[1:])
    assert first.startswith(f"  - {bad_data}/tasks.csv, row 2, ID 'A1', column 'budget': 'lots'")
    assert second.startswith(f"  - {bad_data}/tasks.csv, row 3, ID 'A2', column "
                             "'baseline_finish': 'someday'")


def test_validate_unknown_folder(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nowhere")]) == EXIT_ERROR
    assert capsys.readouterr().err == f"pmo: error: {tmp_path / 'nowhere'}: data folder not found\n"


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"pmo (PMO Kit) {__version__}\n"


def test_usage_errors_exit_2(capsys):
    assert main([]) == 2
    assert "usage: pmo" in capsys.readouterr().err
    assert main(["report", "--bogus"]) == 2
