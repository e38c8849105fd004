"""Tests of pmo_lib.returns: monthly status-return templates, reading and applying them.

The sample's latest status month is 2026-10 (data date 2026-10-30, its last working day);
the returns are for 2026-11, whose status date by the same rule is Monday 2026-11-30.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils.datetime import to_excel

from pmo_lib import returns
from pmo_lib.errors import MissingDataError, UnknownReferenceError
from pmo_lib.schedule import schedule_portfolio

MONTH = "2026-11"
AMARA = "status_return_2026-11_Amara_Okafor.xlsx"
MANAGERS = {"Amara Okafor": ["HRP", "REG", "WEB"], "Ingrid Halvorsen": ["ERP", "PLT"],
            "Lukas Meier": ["CRM", "DCM", "WMS"], "Tomas Brandt": ["APP", "DAT", "SEC"]}


@pytest.fixture(scope="module")
def templates(sample, tmp_path_factory):
    out = tmp_path_factory.mktemp("templates")
    return returns.write_templates(sample, MONTH, out)


@pytest.fixture
def amara(templates, tmp_path):
    """A writable copy of Amara Okafor's template."""
    path = tmp_path / AMARA
    shutil.copy(templates[0], path)
    return path


def _row_of(ws, task: str) -> int:
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 2).value == task:
            return r
    raise AssertionError(task)


def _fill(path, rows: dict[str, dict], meta: dict | None = None) -> dict[str, int]:
    """Fill input cells of the return at ``path``: {task: {column: value}}; returns rows."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Tasks"]
    at = {}
    for task, values in rows.items():
        r = at[task] = _row_of(ws, task)
        for column, value in values.items():
            ws.cell(r, returns._COL[column] + 1).value = value
    for key, value in (meta or {}).items():
        for row in wb["Meta"].iter_rows():
            if row[0].value == key:
                row[1].value = value
    wb.save(path)
    return at


GOOD = {
    # started task: progress, cost and a new estimate of the remaining work
    "HRP-0046": {"percent_complete": 80, "actual_cost": 90000.0, "remaining_duration": 5,
                 "comment": "Sign-off received"},
    # not started at 2026-10: starts in November
    "HRP-0047": {"percent_complete": 10, "actual_start": dt.date(2026, 11, 2),
                 "actual_cost": 1500.5},
    # not started: finishes within the month
    "REG-0035": {"percent_complete": 100, "actual_start": dt.date(2026, 11, 3),
                 "actual_finish": dt.date(2026, 11, 20), "actual_cost": 2000},
}


def test_status_date_of_the_new_month(sample):
    assert sample.months[-1] == pd.Period("2026-10", "M")
    assert sample.status_date("2026-10") == pd.Timestamp("2026-10-30")
    assert returns.month_status_date(sample, "2026-11") == pd.Timestamp("2026-11-30")
    assert returns.month_status_date(sample, "2026-10") == pd.Timestamp("2026-10-30")


def test_one_template_per_manager_with_their_open_tasks(sample, templates):
    assert [p.name for p in templates] == [
        f"status_return_2026-11_{m.replace(' ', '_')}.xlsx" for m in MANAGERS]
    snap = sample.snapshot("2026-10")
    finished = set(snap.loc[snap["actual_finish"].notna(), "task_id"])
    counts = {}
    for path, (manager, projects) in zip(templates, MANAGERS.items(), strict=True):
        wb = openpyxl.load_workbook(path)
        assert wb.sheetnames == ["Tasks", "Instructions", "Meta"]
        meta = {r[0]: r[1] for r in wb["Meta"].iter_rows(values_only=True)}
        assert meta == {"format_version": 1, "month": "2026-11", "status_date": "2026-11-30",
                        "base_month": "2026-10", "manager": manager,
                        "projects": ",".join(projects), "portfolio": sample.name}
        assert wb["Meta"].sheet_state == "hidden"
        ids = [r[1] for r in wb["Tasks"].iter_rows(min_row=2, values_only=True)]
        mine = sample.tasks[sample.tasks["project_id"].isin(projects)]
        assert ids == sorted(set(mine["id"]) - finished)
        counts[manager] = len(ids)
        assert "Monthly status return for 2026-11" in wb["Instructions"]["A1"].value
    assert counts == {"Amara Okafor": 14, "Ingrid Halvorsen": 43, "Lukas Meier": 13,
                      "Tomas Brandt": 28}


def test_template_prefills_last_values_and_forecast(sample, templates):
    ws = openpyxl.load_workbook(templates[0])["Tasks"]
    r = _row_of(ws, "HRP-0046")
    row = [c.value for c in ws[r]]
    sched = schedule_portfolio(sample, "2026-10").loc["HRP-0046"]
    assert row == ["HRP", "HRP-0046", "Complete Parallel payroll run 2", 55.2,
                   dt.datetime(2026, 9, 18), None, 79934.5,
                   sched["start_date"].to_pydatetime(), sched["finish_date"].to_pydatetime(),
                   14.6,
                   55.2, dt.datetime(2026, 9, 18), None, 79934.5, 14.6, None]
    assert sched["finish_date"] == pd.Timestamp("2026-11-20")
    # a task that has not started has no last values, only a forecast
    row = [c.value for c in ws[_row_of(ws, "HRP-0047")]]
    assert row[3:7] == [None] * 4 and row[9:] == [None] * 7
    assert row[7:9] == [dt.datetime(2026, 11, 20), dt.datetime(2027, 1, 11)]


def test_template_locks_all_but_the_input_columns(templates):
    ws = openpyxl.load_workbook(templates[0])["Tasks"]
    assert ws.protection.sheet is True and not ws.protection.password
    assert ws.max_row == 15
    for r in range(2, ws.max_row + 1):
        assert [ws.cell(r, c).protection.locked for c in range(1, 17)] == [True] * 10 + [False] * 6
        assert ws.cell(r, 11).fill.start_color.rgb == "00FFF2CC"
        assert ws.cell(r, 1).fill.fill_type is None
    assert ws.cell(1, 11).value == "% complete" and ws.cell(1, 16).value == "Comment"


def test_template_data_validations(sample, templates):
    ws = openpyxl.load_workbook(templates[0])["Tasks"]
    rules = sorted((dv.type, dv.operator, dv.formula1, dv.formula2, str(dv.sqref))
                   for dv in ws.data_validations.dataValidation)
    last = f"{to_excel(dt.datetime(2026, 11, 30)):g}"
    assert last == "46356"
    start = {p: f"{to_excel(d.to_pydatetime()):g}"
             for p, d in sample.projects.set_index("id")["start_date"].items()}
    assert rules == sorted([
        ("decimal", "between", "0", "100", "K2:K15"),
        ("decimal", "greaterThanOrEqual", "0", None, "N2:N15"),
        ("decimal", "greaterThanOrEqual", "0", None, "O2:O15"),
        ("date", "between", start["HRP"], last, "L2:M2 L3:M3 L4:M4 L5:M5"),
        ("date", "between", start["REG"], last,
         "L6:M6 L7:M7 L8:M8 L9:M9 L10:M10 L11:M11 L12:M12"),
        ("date", "between", start["WEB"], last, "L13:M13 L14:M14 L15:M15"),
    ])
    assert start["HRP"] == "45901"  # 2025-09-01


def test_template_for_one_project(sample, tmp_path):
    (path,) = returns.write_templates(sample, MONTH, tmp_path, project="HRP")
    assert path.name == "status_return_2026-11_Amara_Okafor_HRP.xlsx"
    wb = openpyxl.load_workbook(path)
    assert [r[1] for r in wb["Tasks"].iter_rows(min_row=2, values_only=True)] == [
        "HRP-0046", "HRP-0047", "HRP-0048", "HRP-0050"]
    assert wb["Meta"]["B6"].value == "HRP"


def test_template_errors(sample, tmp_path):
    with pytest.raises(UnknownReferenceError, match="unknown project 'NOPE'; projects: APP, "
                                                    "CRM, DAT"):
        returns.write_templates(sample, MONTH, tmp_path, project="NOPE")
    with pytest.raises(MissingDataError, match="no status month before 2025-11 to start the "
                                               "return from; months with status data: "
                                               "2025-11, 2025-12"):
        returns.write_templates(sample, "2025-11", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_filled_return_imports_and_applies(sample, amara, templates):
    _fill(amara, GOOD)
    result = returns.read_returns(sample, [amara])
    assert result.ok and result.problems == () and result.accepted == (amara,)
    assert result.month == pd.Period(MONTH, "M")
    assert result.status_date == pd.Timestamp("2026-11-30")
    got = result.status.set_index("task_id")
    # HRP-0046, 47, REG-0035 plus the started tasks returned unchanged
    assert list(result.status.columns) == ["status_date", "task_id", "percent_complete",
                                           "actual_cost", "actual_start", "actual_finish",
                                           "remaining_duration", "comment"]
    assert got.loc["HRP-0046"].to_dict() == {
        "status_date": pd.Timestamp("2026-11-30"), "percent_complete": 80.0,
        "actual_cost": 90000.0, "actual_start": pd.Timestamp("2026-09-18"),
        "actual_finish": pd.NaT, "remaining_duration": 5.0, "comment": "Sign-off received"}
    assert got.loc["HRP-0047", ["percent_complete", "actual_cost", "actual_start"]].tolist() \
        == [10.0, 1500.5, pd.Timestamp("2026-11-02")]
    assert got.loc["REG-0035", "actual_finish"] == pd.Timestamp("2026-11-20")
    assert "HRP-0048" not in got.index  # not started: no snapshot row
    old = sample.snapshot("2026-10").set_index("task_id")
    unchanged = [t for t in got.index if t not in GOOD]
    assert unchanged and set(unchanged) <= set(old.index)
    pd.testing.assert_series_equal(got.loc[unchanged, "actual_cost"],
                                   old.loc[unchanged, "actual_cost"], check_names=False)

    status = returns.apply_returns(sample, result, MONTH)
    before = sample.status
    assert status[status["status_date"] < "2026-11-01"].reset_index(drop=True).equals(
        before.sort_values(["status_date", "task_id"], ignore_index=True))
    nov = status[status["status_date"] == "2026-11-30"].set_index("task_id")
    # every task of the 2026-10 snapshot is carried forward; two tasks started
    assert len(nov) == len(old) + 2
    assert nov.loc["HRP-0046", "percent_complete"] == 80.0
    assert nov.loc["APP-0078"].drop("status_date").equals(old.loc["APP-0078"].drop("status_date"))

    # Idempotent: importing the same return into the updated data gives the same table.
    updated = dataclasses.replace(sample, status=status, data_dates=tuple(
        pd.DatetimeIndex(status["status_date"].unique()).sort_values()))
    again = returns.read_returns(updated, [amara])
    assert again.ok
    pd.testing.assert_frame_equal(again.status, result.status)
    pd.testing.assert_frame_equal(returns.apply_returns(updated, again, MONTH), status)


def test_decrease_with_a_comment_is_accepted(sample, amara):
    _fill(amara, {"HRP-0046": {"percent_complete": 40, "comment": "Re-planned: scope added"}})
    result = returns.read_returns(sample, [amara])
    assert result.ok
    assert result.status.set_index("task_id").loc["HRP-0046", "percent_complete"] == 40.0


BAD = [
    ("pct-above", {"HRP-0046": {"percent_complete": 120}}, "HRP-0046",
     "percent complete 120 is above 100"),
    ("pct-below", {"HRP-0046": {"percent_complete": -5, "comment": "typo"}}, "HRP-0046",
     "percent complete -5 is below 0"),
    ("pct-text", {"HRP-0046": {"percent_complete": "lots"}}, "HRP-0046",
     "percent complete 'lots' is not a number"),
    ("pct-down", {"HRP-0046": {"percent_complete": 40}}, "HRP-0046",
     "percent complete 40 is below the last 55.2; explain why in the comment"),
    ("cost-down", {"HRP-0046": {"actual_cost": 70000}}, "HRP-0046",
     "actual cost 70000 is below the last 79934.5 (actual cost is cumulative)"),
    ("start-after", {"HRP-0047": {"percent_complete": 5, "actual_start": dt.date(2026, 12, 1)}},
     "HRP-0047", "actual start 2026-12-01 is after the status date 2026-11-30"),
    ("finish-after", {"HRP-0046": {"percent_complete": 100,
                                   "actual_finish": dt.date(2026, 12, 2)}},
     "HRP-0046", "actual finish 2026-12-02 is after the status date 2026-11-30"),
    ("finish-before-start", {"HRP-0046": {"percent_complete": 100,
                                          "actual_finish": dt.date(2026, 9, 1)}},
     "HRP-0046", "actual finish 2026-09-01 is before actual start 2026-09-18"),
    ("finish-not-100", {"HRP-0046": {"percent_complete": 90,
                                     "actual_finish": dt.date(2026, 11, 20)}},
     "HRP-0046", "actual finish 2026-11-20 but percent complete 90; a finished task is 100"),
    ("100-no-finish", {"HRP-0046": {"percent_complete": 100}}, "HRP-0046",
     "percent complete 100 but no actual finish; enter the finish date"),
    ("date-text", {"HRP-0047": {"percent_complete": 5, "actual_start": "soon"}}, "HRP-0047",
     "actual start 'soon' is not a date in the form YYYY-MM-DD"),
    ("no-start", {"HRP-0047": {"percent_complete": 5}}, "HRP-0047",
     "actual start is blank but the task has progress"),
    ("unknown-task", {"HRP-0048": {"task_id": "HRP-9999"}}, "HRP-9999",
     "unknown task 'HRP-9999' (not in tasks.csv)"),
    ("project-cell", {"HRP-0046": {"project_id": "REG"}}, "HRP-0046",
     "the project is 'REG' in the row but the task belongs to 'HRP'"),
    ("other-manager", {"HRP-0048": {"task_id": "APP-0078"}}, "APP-0078",
     "the task belongs to project 'APP' of Tomas Brandt, not to Amara Okafor"),
]


@pytest.mark.parametrize("fill, task, message", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_return_is_rejected_whole(sample, amara, fill, task, message):
    rows = _fill(amara, {**{t: v for t, v in GOOD.items() if t not in fill}, **fill})
    result = returns.read_returns(sample, [amara])
    row = rows[next(iter(fill))]
    assert [str(p) for p in result.problems] == [
        f"{amara}, sheet 'Tasks', row {row}, task '{task}': {message}"]
    assert result.rejected == (amara,) and result.accepted == () and not result.ok
    assert result.status.empty  # nothing from the file, the good rows neither
    status = returns.apply_returns(sample, result, MONTH)
    nov = status[status["status_date"] == "2026-11-30"]
    assert len(nov) == len(sample.snapshot("2026-10"))  # carried forward only


def test_every_problem_is_reported(sample, amara):
    rows = _fill(amara, {"HRP-0046": {"percent_complete": 120, "actual_cost": -1},
                         "HRP-0048": {"task_id": "NOPE"}})
    result = returns.read_returns(sample, [amara])
    assert [str(p) for p in result.problems] == [
        f"{amara}, sheet 'Tasks', row {rows['HRP-0046']}, task 'HRP-0046': "
        "percent complete 120 is above 100",
        f"{amara}, sheet 'Tasks', row {rows['HRP-0046']}, task 'HRP-0046': "
        "actual cost -1 is below 0",
        f"{amara}, sheet 'Tasks', row {rows['HRP-0046']}, task 'HRP-0046': "
        "actual cost -1 is below the last 79934.5 (actual cost is cumulative)",
        f"{amara}, sheet 'Tasks', row {rows['HRP-0048']}, task 'NOPE': "
        "unknown task 'NOPE' (not in tasks.csv)"]


def test_task_of_a_project_not_in_the_return(sample, tmp_path):
    (path,) = returns.write_templates(sample, MONTH, tmp_path, project="HRP")
    rows = _fill(path, {"HRP-0048": {"task_id": "WEB-0030", "project_id": "WEB"}})
    result = returns.read_returns(sample, [path])
    assert [str(p) for p in result.problems] == [
        f"{path}, sheet 'Tasks', row {rows['HRP-0048']}, task 'WEB-0030': the task belongs "
        "to project 'WEB', which is not in this return (HRP)"]


@pytest.mark.parametrize("meta, month, message", [
    ({"month": "2026-12"}, MONTH, "is the return for 2026-12, not 2026-11"),
    ({"format_version": 0}, None, "format version 0 is not supported (this PMO Kit reads "
                                  "version 1); write a new template with 'pmo status-template'"),
    ({"manager": "Nobody"}, None, "manager 'Nobody' manages no project"),
], ids=["wrong-month", "format-version", "unknown-manager"])
def test_wrong_metadata_is_rejected(sample, amara, meta, month, message):
    _fill(amara, GOOD, meta)
    result = returns.read_returns(sample, [amara], month=month)
    assert str(result.problems[0]) == f"{amara}, sheet 'Meta': {message}"
    assert result.rejected == (amara,) and result.status.empty


def test_stale_template_and_unreadable_files(sample, tmp_path, templates):
    older = sample.status[sample.status["status_date"] < "2026-10-01"]
    september = dataclasses.replace(sample, status=older, data_dates=sample.data_dates[:-1])
    (stale,) = returns.write_templates(september, MONTH, tmp_path, project="WMS")
    text = tmp_path / "notes.xlsx"
    text.write_text("not a workbook")
    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    result = returns.read_returns(sample, [stale, text, plain, templates[1]])
    assert [str(p) for p in result.problems] == [
        f"{stale}, sheet 'Meta': the template was written from the 2026-09 status but the "
        "latest status before 2026-11 is 2026-10; write a new template",
        str(result.problems[1]),
        f"{plain}: not a PMO Kit status return (no sheet 'Meta'); write the template with "
        "'pmo status-template'"]
    assert str(result.problems[1]).startswith(f"{text}: cannot be read as an Excel workbook (")
    assert result.rejected == (stale, text, plain) and result.accepted == (templates[1],)


def test_template_from_a_month_the_data_lacks(sample, amara, tmp_path):
    _fill(amara, GOOD)
    status = returns.apply_returns(sample, returns.read_returns(sample, [amara]), MONTH)
    november = dataclasses.replace(sample, status=status, data_dates=tuple(
        pd.DatetimeIndex(status["status_date"].unique()).sort_values()))
    (path,) = returns.write_templates(november, "2026-12", tmp_path, project="HRP")
    result = returns.read_returns(sample, [path])
    assert [str(p) for p in result.problems] == [
        f"{path}, sheet 'Meta': the template was written from the 2026-11 status but the "
        "latest status before 2026-12 is 2026-10; write a new template"]


def test_the_same_task_twice_is_rejected(sample, amara, tmp_path):
    copy = tmp_path / "copy.xlsx"
    shutil.copy(amara, copy)
    result = returns.read_returns(sample, [amara, copy])
    assert result.accepted == (amara,) and result.rejected == (copy,)
    assert [str(p) for p in result.problems[:2]] == [
        f"{copy}, sheet 'Tasks', row 2, task 'HRP-0046': the task is also returned in {amara}",
        f"{copy}, sheet 'Tasks', row 3, task 'HRP-0047': the task is also returned in {amara}"]
    assert len(result.problems) == 14  # every row of the copy


def test_apply_checks_the_month(sample, amara):
    result = returns.read_returns(sample, [amara])
    with pytest.raises(returns.DataValidationError, match="the returns are for 2026-11, not "
                                                          "2026-12"):
        returns.apply_returns(sample, result, "2026-12")


def test_write_status_csv_is_atomic(sample, tmp_path):
    path = returns.write_status_csv(sample.status, tmp_path / "status.csv")
    assert [p.name for p in tmp_path.iterdir()] == ["status.csv"]
    back = pd.read_csv(path, parse_dates=["status_date", "actual_start", "actual_finish"])
    assert len(back) == len(sample.status)
    assert path.read_text().splitlines()[1].startswith("2025-11-28,APP-0001,100.0,16705.75,"
                                                       "2025-09-03,2025-09-16,0.0,")


def test_a_task_twice_in_one_return(sample, amara):
    rows = _fill(amara, {"HRP-0048": {"task_id": "HRP-0046", "percent_complete": 55.2,
                                      "actual_start": dt.date(2026, 9, 18),
                                      "actual_cost": 79934.5}})
    result = returns.read_returns(sample, [amara])
    assert [str(p) for p in result.problems] == [
        f"{amara}, sheet 'Tasks', row {rows['HRP-0048']}, task 'HRP-0046': the task is "
        "returned twice (also in row 2)"]
    assert result.rejected == (amara,)
