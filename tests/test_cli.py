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


# -- monthly status returns (pmo status-template, pmo import-status) -----------------------
@pytest.fixture
def sample_copy(tmp_path, sample):
    """A writable copy of the bundled sample (latest status month 2026-10)."""
    from pmo_lib import SAMPLE_DATA

    folder = tmp_path / "sample"
    shutil.copytree(SAMPLE_DATA, folder)
    return folder


def _set_cell(path: Path, task: str, values: dict) -> int:
    """Fill input cells of a status return (columns K-P); returns the task's row."""
    import openpyxl

    from pmo_lib.returns import _COL

    wb = openpyxl.load_workbook(path)
    ws = wb["Tasks"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 2).value == task)
    for column, value in values.items():
        ws.cell(row, _COL[column] + 1).value = value
    wb.save(path)
    return row


def test_status_returns_round_trip(sample_copy, tmp_path, capsys):
    import datetime as dt

    import pandas as pd

    from pmo_lib import SAMPLE_DATA, load_portfolio

    out = tmp_path / "returns"
    assert main(["status-template", "--month", "2026-11", "--data", str(sample_copy),
                 "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    paths = [Path(line) for line in captured.out.splitlines()]
    assert [p.name for p in paths] == [
        "status_return_2026-11_Amara_Okafor.xlsx", "status_return_2026-11_Ingrid_Halvorsen.xlsx",
        "status_return_2026-11_Lukas_Meier.xlsx", "status_return_2026-11_Tomas_Brandt.xlsx"]
    amara = paths[0]
    _set_cell(amara, "HRP-0046", {"percent_complete": 70, "actual_cost": 85000})
    _set_cell(amara, "REG-0035", {"percent_complete": 20, "actual_start": dt.date(2026, 11, 9),
                                  "actual_cost": 3000, "comment": "Started late"})
    status_csv = sample_copy / "status.csv"

    # One bad return: nothing is written, every problem is listed, exit status 2.
    bad = tmp_path / "bad.xlsx"
    shutil.copy(paths[2], bad)
    row = _set_cell(bad, "CRM-0069", {"percent_complete": 120})
    before = status_csv.read_bytes()
    assert main(["import-status", *map(str, paths[:2]), str(bad), "--data",
                 str(sample_copy)]) == EXIT_ERROR
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"pmo: error: {bad}, sheet 'Tasks', row {row}, task 'CRM-0069': percent complete 120 "
        "is above 100",
        f"pmo: error: 1 of 3 returns rejected; {status_csv} not changed (--accept-valid "
        "applies the others)"]
    assert status_csv.read_bytes() == before
    assert sorted(p.name for p in sample_copy.iterdir()) == sorted(
        p.name for p in SAMPLE_DATA.iterdir())  # no temporary file left

    # All good: status.csv gets the November snapshot; the data still loads.
    assert main(["import-status", *map(str, paths), "--data", str(sample_copy)]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    pf = load_portfolio(sample_copy)
    nov = pf.snapshot("2026-11").set_index("task_id")
    # the 22 started open tasks of 2026-10 and REG-0035, started in November
    assert captured.out == f"{status_csv}: 23 task rows for 2026-11 from 4 returns\n"
    assert pf.status_date("2026-11") == pd.Timestamp("2026-11-30")
    assert len(nov) == 587 + 1  # the 2026-10 snapshot carried forward, plus REG-0035
    assert nov.loc["HRP-0046", ["percent_complete", "actual_cost"]].tolist() == [70.0, 85000.0]
    assert nov.loc["REG-0035", ["percent_complete", "actual_start", "comment"]].tolist() == [
        20.0, pd.Timestamp("2026-11-09"), "Started late"]
    first = status_csv.read_bytes()

    # Importing the same returns again changes nothing (idempotent).
    assert main(["import-status", *map(str, paths), "--data", str(sample_copy)]) == 0
    capsys.readouterr()
    assert status_csv.read_bytes() == first


def test_import_status_accept_valid(sample_copy, tmp_path, capsys):
    import datetime as dt

    import pandas as pd

    from pmo_lib import load_portfolio

    out = tmp_path / "returns"
    assert main(["status-template", "--month", "2026-11", "--project", "HRP", "--data",
                 str(sample_copy), "--out", str(out)]) == 0
    (hrp,) = [Path(line) for line in capsys.readouterr().out.splitlines()]
    assert hrp.name == "status_return_2026-11_Amara_Okafor_HRP.xlsx"
    _set_cell(hrp, "HRP-0046", {"percent_complete": 60})
    assert main(["status-template", "--month", "2026-11", "--project", "WMS", "--data",
                 str(sample_copy), "--out", str(out)]) == 0
    (wms,) = [Path(line) for line in capsys.readouterr().out.splitlines()]
    row = _set_cell(wms, "WMS-0035", {"percent_complete": 10, "actual_cost": -5,
                                      "actual_start": dt.date(2026, 11, 2)})
    new = tmp_path / "new_status.csv"
    assert main(["import-status", str(hrp), str(wms), "--data", str(sample_copy),
                 "--out", str(new), "--accept-valid"]) == EXIT_ERROR
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"pmo: error: {wms}, sheet 'Tasks', row {row}, task 'WMS-0035': actual cost -5 is "
        "below 0",
        "pmo: error: 1 of 2 returns rejected; the others were applied"]
    assert captured.out.startswith(f"{new}: ")
    status = pd.read_csv(new, parse_dates=["status_date"])
    nov = status[status["status_date"] == "2026-11-30"].set_index("task_id")
    assert nov.loc["HRP-0046", "percent_complete"] == 60.0
    old = load_portfolio(sample_copy).snapshot("2026-10").set_index("task_id")
    assert nov.loc["WMS-0034", "percent_complete"] == old.loc["WMS-0034", "percent_complete"]
    assert "WMS-0035" not in nov.index  # the rejected return's start is not applied


def test_status_returns_cli_errors(sample_copy, tmp_path, capsys):
    assert main(["status-template", "--month", "2026-11", "--project", "NOPE", "--data",
                 str(sample_copy), "--out", str(tmp_path / "r")]) == EXIT_ERROR
    assert capsys.readouterr().err == (
        f"pmo: error: {sample_copy}/projects.csv, ID 'NOPE', column 'id': unknown project "
        "'NOPE'; projects: APP, CRM, DAT, DCM, ERP, HRP, PLT, REG, SEC, WEB, WMS\n")
    assert main(["status-template", "--data", str(sample_copy)]) == 2  # --month is required
    assert "the following arguments are required: --month" in capsys.readouterr().err
    missing = tmp_path / "missing.xlsx"
    assert main(["import-status", str(missing), "--data", str(sample_copy)]) == EXIT_ERROR
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"pmo: error: {missing}: cannot be read as an Excel workbook (")
    assert err[1] == f"pmo: error: 1 of 1 return rejected; {sample_copy}/status.csv not changed"
