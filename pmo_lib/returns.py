"""Monthly status returns: Excel templates for project managers, and reading them back.

Each month the PMO sends every project manager (``projects.manager``) a workbook listing
their open tasks (not finished at the previous status month), pre-filled with the last
reported progress and the forecast dates; the manager fills in the new values and sends it
back; the PMO reads every return, checks it and appends the month's snapshot to
``status.csv``::

    paths = returns.write_templates(pf, "2026-11", "returns/")     # one workbook per manager
    result = returns.read_returns(pf, paths)                        # check them all
    status = returns.apply_returns(pf, result, "2026-11")           # the new status table

The workbook
------------
* Sheet ``Tasks``: one row per open task. Columns A–J (project, task, name, the last
  snapshot's percent complete, actual start, actual finish, actual cost and remaining
  duration, the forecast start and finish at the previous month) are locked; columns K–P
  (the new percent complete, actual start, actual finish, actual cost, remaining duration and
  comment) are unlocked, highlighted in yellow and pre-filled with the last values, so an
  unchanged row reports no change. Excel data validations limit percent complete to 0–100,
  dates to the project start .. the status date and cost and remaining duration to ≥ 0.
  The sheet is protected **without a password** (:data:`SHEET_PASSWORD` is None): the
  protection prevents slips, not intent.
* Sheet ``Instructions``: how to fill in the return.
* Hidden sheet ``Meta``: format version (:data:`FORMAT_VERSION`), month, status date,
  previous status month, manager and projects of the return.

Reading rules
-------------
A blank percent complete or actual cost is 0; a blank remaining duration is unknown. A row
with no progress (0 %, no actual start, no cost) is a task that has not started and gives no
snapshot row. Every problem of every file is reported (:class:`ReturnProblem`); **a file with
any problem is rejected whole**. Percent complete 100 without an actual finish is an
error (the schedule and EVM would read the task as finished on no date), as is an actual
finish below 100 %.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataValidationError, MissingDataError, Problem, UnknownReferenceError
from .model import SCHEMAS, Portfolio, parse_month

__all__ = [
    "FORMAT_VERSION",
    "INPUT_COLUMNS",
    "META_SHEET",
    "SHEET_PASSWORD",
    "TASKS_SHEET",
    "ReturnProblem",
    "ReturnsResult",
    "apply_returns",
    "month_status_date",
    "read_returns",
    "write_status_csv",
    "write_templates",
]

#: Version of the workbook layout; a return of another version is rejected.
FORMAT_VERSION = 1
#: Password of the sheet protection: none (protection guards against slips only).
SHEET_PASSWORD: str | None = None
#: Name of the sheet holding the tasks.
TASKS_SHEET = "Tasks"
#: Name of the hidden sheet holding the return's month, manager and format version.
META_SHEET = "Meta"
_INSTRUCTIONS_SHEET = "Instructions"

#: Header of each column of the Tasks sheet, with the status column it reads or shows.
_LOCKED = (
    ("Project", "project_id"),
    ("Task ID", "task_id"),
    ("Task name", "name"),
    ("Last % complete", "last_percent_complete"),
    ("Last actual start", "last_actual_start"),
    ("Last actual finish", "last_actual_finish"),
    ("Last actual cost", "last_actual_cost"),
    ("Forecast start", "forecast_start"),
    ("Forecast finish", "forecast_finish"),
    ("Last remaining duration [d]", "last_remaining_duration"),
)
_INPUTS = (
    ("% complete", "percent_complete"),
    ("Actual start", "actual_start"),
    ("Actual finish", "actual_finish"),
    ("Actual cost", "actual_cost"),
    ("Remaining duration [d]", "remaining_duration"),
    ("Comment", "comment"),
)
#: The status columns a manager fills in (columns K–P of the Tasks sheet).
INPUT_COLUMNS = tuple(col for _, col in _INPUTS)
_HEADERS = tuple(h for h, _ in _LOCKED + _INPUTS)
_COL = {col: i for i, (_, col) in enumerate(_LOCKED + _INPUTS)}  # 0-based column index
_WORDS = {"percent_complete": "percent complete", "actual_start": "actual start",
          "actual_finish": "actual finish", "actual_cost": "actual cost",
          "remaining_duration": "remaining duration", "comment": "comment"}
_DATE_FORMAT = "yyyy-mm-dd"
_INPUT_FILL = "FFF2CC"
_STATUS_COLUMNS = [c.name for c in SCHEMAS["status"].columns]


@dataclass(frozen=True)
class ReturnProblem(Problem):
    """One problem in a status return.

    Attributes
    ----------
    file, row, id, column, message
        As :class:`pmo_lib.errors.Problem`; ``id`` is the task ID and ``row`` the row of the
        sheet as Excel shows it (header = 1).
    sheet : str or None
        The sheet at fault (``'Tasks'`` or ``'Meta'``); None for the whole workbook.

    Examples
    --------
    >>> print(ReturnProblem("r.xlsx", 7, "ERP-0012", "percent_complete",
    ...                     "percent complete 120 is above 100", "Tasks"))
    r.xlsx, sheet 'Tasks', row 7, task 'ERP-0012': percent complete 120 is above 100
    """

    _id_word = "task"  # the row's ID is a task ID ...
    _show_column = False  # ... and the message names the column in words


@dataclass(frozen=True)
class ReturnsResult:
    """What :func:`read_returns` found in a set of returns.

    Attributes
    ----------
    month : Period or None
        The month of the returns (None when no file could be read).
    status_date : Timestamp or None
        Its status date (data date).
    status : DataFrame
        The accepted rows, in the ``status`` schema (columns of ``status.csv``), one per
        started task of every accepted file.
    problems : tuple of ReturnProblem
        Every problem of every file.
    files, accepted, rejected : tuple of Path
        All files read; those without any problem; those with at least one (rejected whole).
    """

    month: pd.Period | None
    status_date: pd.Timestamp | None
    status: pd.DataFrame
    problems: tuple[ReturnProblem, ...] = ()
    files: tuple[Path, ...] = ()
    accepted: tuple[Path, ...] = ()
    rejected: tuple[Path, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when no file was rejected."""
        return not self.rejected


# ----------------------------------------------------------------------------------------
# Months
# ----------------------------------------------------------------------------------------
def month_status_date(portfolio: Portfolio, month) -> pd.Timestamp:
    """The status date of ``month``: its data date when the portfolio has one, else its
    last working day (the rule of the sample data).

    Examples
    --------
    >>> from pmo_lib import load_portfolio, SAMPLE_DATA
    >>> month_status_date(load_portfolio(SAMPLE_DATA), "2026-11").date()
    datetime.date(2026, 11, 30)
    """
    month = parse_month(month)
    have = portfolio.status_dates[portfolio.status_dates.to_period("M") == month]
    if len(have):
        return have[-1]
    days = pd.date_range(month.start_time.normalize(), month.end_time.normalize(), freq="D")
    working = days[np.asarray(portfolio.calendar.is_working_day(days), dtype=bool)]
    return working[-1] if len(working) else days[-1]


def _base_month(portfolio: Portfolio, month: pd.Period) -> pd.Period:
    """The latest status month before ``month``."""
    before = [m for m in portfolio.months if m < month]
    if not before:
        have = ", ".join(str(m) for m in portfolio.months) or "none"
        raise MissingDataError(Problem(
            portfolio._file("status"), None, None, "status_date",
            f"no status month before {month} to start the return from; months with status "
            f"data: {have}"))
    return before[-1]


def _open_tasks(portfolio: Portfolio, base: pd.Period) -> pd.DataFrame:
    """The tasks not finished at ``base``, with their last snapshot and forecast dates."""
    from .schedule import schedule_portfolio

    snap = portfolio.snapshot(base).set_index("task_id")
    tasks = portfolio.tasks.set_index("id")
    finished = snap.index[snap["actual_finish"].notna()]
    tasks = tasks[~tasks.index.isin(finished)]
    sched = schedule_portfolio(portfolio, base)
    out = pd.DataFrame({
        "project_id": tasks["project_id"], "task_id": tasks.index, "name": tasks["name"],
        "last_percent_complete": snap["percent_complete"].reindex(tasks.index),
        "last_actual_start": snap["actual_start"].reindex(tasks.index),
        "last_actual_finish": snap["actual_finish"].reindex(tasks.index),
        "last_actual_cost": snap["actual_cost"].reindex(tasks.index),
        "forecast_start": sched["start_date"].reindex(tasks.index),
        "forecast_finish": sched["finish_date"].reindex(tasks.index),
        "last_remaining_duration": snap["remaining_duration"].reindex(tasks.index),
    })
    return out.reset_index(drop=True)


# ----------------------------------------------------------------------------------------
# Writing the templates
# ----------------------------------------------------------------------------------------
def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_") or "manager"


def _cell(value):
    """A value as openpyxl writes it (None for NaN/NaT, dates as date)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().date()
    if isinstance(value, np.generic):
        return value.item()
    return value


def write_templates(portfolio: Portfolio, month, out, project: str | None = None
                    ) -> list[Path]:
    """Write one status-return workbook per project manager for ``month``.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period
        The month being reported (``'YYYY-MM'``); it must come after a month with status
        data. The workbook lists the tasks open at the latest status month before it and
        their forecast dates from :func:`pmo_lib.schedule.schedule_portfolio` at that month.
    out : str or Path
        Output folder, created if needed.
    project : str, optional
        Only this project (one workbook, for its manager).

    Returns
    -------
    list of Path
        The workbooks written, ``status_return_YYYY-MM_<Manager_Name>.xlsx`` (with
        ``_<project>`` before ``.xlsx`` when ``project`` is given), sorted by manager.

    Raises
    ------
    DataValidationError
        ``month`` is not a month in the form YYYY-MM.
    MissingDataError
        No status month before ``month``.
    UnknownReferenceError
        ``project`` is not a project of the portfolio (the message lists them).

    Notes
    -----
    See the module docstring for the layout, the locked and unlocked cells and the data
    validations. A manager whose projects have no open task still gets a workbook (with
    no task rows) so every manager returns one.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.datetime import to_excel
    from openpyxl.worksheet.datavalidation import DataValidation

    month = parse_month(month)
    projects = portfolio.projects
    if project is not None:
        if project not in set(projects["id"]):
            raise UnknownReferenceError(Problem(
                portfolio._file("projects"), None, project, "id",
                f"unknown project {project!r}; projects: {', '.join(sorted(projects['id']))}"))
        projects = projects[projects["id"] == project]
    base = _base_month(portfolio, month)
    status_date = month_status_date(portfolio, month)
    base_date = portfolio.status_date(base)
    rows = _open_tasks(portfolio, base)
    start_of = portfolio.projects.set_index("id")["start_date"]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)

    fill = PatternFill("solid", start_color=_INPUT_FILL, end_color=_INPUT_FILL)
    unlocked = Protection(locked=False)
    paths = []
    for manager, mine in projects.groupby("manager", sort=True):
        pids = sorted(mine["id"])
        tasks = rows[rows["project_id"].isin(pids)].sort_values(["project_id", "task_id"])
        wb = Workbook()
        ws = wb.active
        ws.title = TASKS_SHEET
        ws.append(list(_HEADERS))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for rec in tasks.itertuples(index=False):
            values = [_cell(getattr(rec, col)) for _, col in _LOCKED]
            pre = [values[_COL["last_percent_complete"]], values[_COL["last_actual_start"]],
                   values[_COL["last_actual_finish"]], values[_COL["last_actual_cost"]],
                   values[_COL["last_remaining_duration"]], None]
            ws.append(values + pre)
        n = ws.max_row
        for r in range(2, n + 1):
            for _, col in _LOCKED + _INPUTS:
                if "start" in col or "finish" in col:
                    ws.cell(r, _COL[col] + 1).number_format = _DATE_FORMAT
            for col in INPUT_COLUMNS:
                cell = ws.cell(r, _COL[col] + 1)
                cell.protection = unlocked
                cell.fill = fill
        for col in INPUT_COLUMNS:  # the header of an input column is highlighted too
            ws.cell(1, _COL[col] + 1).fill = fill
        for i, header in enumerate(_HEADERS, start=1):
            ws.column_dimensions[get_column_letter(i)].width = max(12, len(header) + 2)
        ws.column_dimensions[get_column_letter(_COL["name"] + 1)].width = 40
        ws.column_dimensions[get_column_letter(_COL["comment"] + 1)].width = 40
        ws.freeze_panes = "D2"

        def letter(col):
            return get_column_letter(_COL[col] + 1)

        if n >= 2:
            pct = DataValidation(type="decimal", operator="between", formula1="0",
                                 formula2="100", allow_blank=True, showErrorMessage=True,
                                 errorTitle="Percent complete",
                                 error="Enter a percent complete between 0 and 100.")
            pct.add(f"{letter('percent_complete')}2:{letter('percent_complete')}{n}")
            for col in ("actual_cost", "remaining_duration"):
                dv = DataValidation(type="decimal", operator="greaterThanOrEqual",
                                    formula1="0", allow_blank=True, showErrorMessage=True,
                                    errorTitle=_WORDS[col].capitalize(),
                                    error=f"Enter a {_WORDS[col]} of 0 or more.")
                dv.add(f"{letter(col)}2:{letter(col)}{n}")
                ws.add_data_validation(dv)
            ws.add_data_validation(pct)
            # Dates between the project's start and the status date: one rule per project.
            for pid, group in tasks.reset_index(drop=True).groupby("project_id", sort=True):
                first = to_excel(start_of[pid].to_pydatetime())
                last = to_excel(status_date.to_pydatetime())
                dv = DataValidation(type="date", operator="between", formula1=f"{first:g}",
                                    formula2=f"{last:g}", allow_blank=True,
                                    showErrorMessage=True, errorTitle="Actual date",
                                    error=f"Enter a date from the project start "
                                          f"{start_of[pid].date()} to the status date "
                                          f"{status_date.date()}.")
                for i in group.index:
                    r = int(i) + 2
                    dv.add(f"{letter('actual_start')}{r}:{letter('actual_finish')}{r}")
                ws.add_data_validation(dv)
        ws.protection.sheet = True
        if SHEET_PASSWORD:  # pragma: no cover - no password by design
            ws.protection.password = SHEET_PASSWORD

        info = wb.create_sheet(_INSTRUCTIONS_SHEET)
        for line in _instructions(manager, pids, month, status_date, base, base_date):
            info.append([line])
        info.column_dimensions["A"].width = 110
        info.protection.sheet = True

        meta = wb.create_sheet(META_SHEET)
        for key, value in (("format_version", FORMAT_VERSION), ("month", str(month)),
                           ("status_date", status_date.date().isoformat()),
                           ("base_month", str(base)), ("manager", manager),
                           ("projects", ",".join(pids)),
                           ("portfolio", portfolio.name)):
            meta.append([key, value])
        meta.sheet_state = "hidden"
        meta.protection.sheet = True

        suffix = f"_{project}" if project is not None else ""
        path = out / f"status_return_{month}_{_slug(manager)}{suffix}.xlsx"
        wb.save(path)
        paths.append(path)
    return paths


def _instructions(manager, pids, month, status_date, base, base_date) -> list[str]:
    return [
        f"Monthly status return for {month} - {manager} (projects {', '.join(pids)})",
        "",
        f"Report progress as it stands on the status date {status_date.date()}.",
        f"The sheet '{TASKS_SHEET}' lists your tasks not finished at the last status date "
        f"{base_date.date()} ({base}), with the last values reported and the forecast dates.",
        "Fill in the yellow columns only; the others are locked (sheet protection, no "
        "password). They are pre-filled with the last values: change what moved.",
        "  % complete: physical percent complete, 0 to 100; it should not go down - if it "
        "does, explain why in the comment.",
        "  Actual start / actual finish: dates (YYYY-MM-DD) on or before the status date; "
        "a finished task is 100 % and has a finish date, and 100 % needs a finish date.",
        "  Actual cost: cumulative cost to date, 0 or more; it cannot go down.",
        "  Remaining duration: working days still needed (blank if unknown).",
        "  Comment: anything the PMO should know.",
        "Leave a task that has not started at 0 % with no dates and no cost.",
        "Do not add, remove or rename rows or sheets; return the file as it is.",
        "The PMO imports it with 'pmo import-status': a return with any problem is sent back "
        "whole, listing every problem with its sheet, row and task.",
    ]


# ----------------------------------------------------------------------------------------
# Reading the returns
# ----------------------------------------------------------------------------------------
def _number(value, what: str, add) -> float | None:
    """``value`` as a float; None when blank; reports text that is not a number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        add(f"{what} {value!r} is not a number")
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip().rstrip("%"))
    except ValueError:
        add(f"{what} {str(value)!r} is not a number")
        return None


def _date(value, what: str, add) -> pd.Timestamp | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime | dt.date):
        return pd.Timestamp(value).normalize()
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return pd.Timestamp(text)
        except ValueError:
            pass
    add(f"{what} {text!r} is not a date in the form YYYY-MM-DD")
    return None


def _read_meta(wb, add_file) -> dict | None:
    if META_SHEET not in wb.sheetnames:
        add_file(None, f"not a PMO Kit status return (no sheet {META_SHEET!r}); write the "
                       "template with 'pmo status-template'")
        return None
    meta = {}
    for row in wb[META_SHEET].iter_rows(values_only=True):
        if row and row[0] is not None:
            meta[str(row[0])] = row[1] if len(row) > 1 else None
    return meta


def read_returns(portfolio: Portfolio, files: Iterable[str | Path], *, month=None
                 ) -> ReturnsResult:
    """Read and check status returns written by :func:`write_templates`.

    Parameters
    ----------
    portfolio : Portfolio
        The portfolio the templates were written from.
    files : iterable of str or Path
        The returned workbooks.
    month : str or Period, optional
        The month expected; default the month of the first readable return.

    Returns
    -------
    ReturnsResult
        The accepted rows (``status`` schema, one per started task), every problem and the
        rejected files. A file with any problem is rejected whole.

    Notes
    -----
    Problems (each names the file, sheet, row and task; see :class:`ReturnProblem`):

    * the workbook cannot be read, has no ``Meta`` or ``Tasks`` sheet, another format
      version, another month, a manager with no project, or was written from an older
      status month than the portfolio's latest before the return's month (its rows are then
      not checked: they would be checked against the wrong month);
    * a task row whose project cell was changed;
    * the Tasks header was changed;
    * an unknown task; a task of another manager, or of a project not in the return;
      a task twice (in one file or across files);
    * percent complete not a number, below 0 or above 100; lower than the last snapshot
      without a comment;
    * actual cost not a number, below 0 or lower than the last snapshot (it is cumulative);
    * remaining duration not a number or below 0;
    * an actual date that is not a date or is after the status date; an actual finish
      before the actual start; an actual finish below 100 %; 100 % without an actual
      finish; progress without an actual start.
    """
    from openpyxl import load_workbook

    files = [Path(f) for f in files]
    expected = parse_month(month) if month is not None else None
    tasks = portfolio.tasks.set_index("id")
    manager_of = portfolio.projects.set_index("id")["manager"]
    problems: list[ReturnProblem] = []
    frames: list[pd.DataFrame] = []
    accepted, rejected = [], []
    seen: dict[str, str] = {}  # task id -> file that returned it
    for path in files:
        name = str(path)
        found: list[ReturnProblem] = []
        first_row: dict[str, int] = {}

        def add_file(sheet, message, row=None, task=None, column=None, _found=found,
                     _name=name):
            _found.append(ReturnProblem(_name, row, task, column, message, sheet))

        try:
            wb = load_workbook(path, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds; any is "cannot read"
            add_file(None, f"cannot be read as an Excel workbook ({type(exc).__name__}: "
                           f"{' '.join(str(exc).split())})")
            wb = None
        meta = _read_meta(wb, add_file) if wb is not None else None
        file_month = file_date = None
        if meta is not None:
            version = meta.get("format_version")
            if str(version) != str(FORMAT_VERSION):
                add_file(META_SHEET, f"format version {version} is not supported (this PMO Kit "
                                     f"reads version {FORMAT_VERSION}); write a new template "
                                     "with 'pmo status-template'")
                meta = None
        if meta is not None:
            try:
                file_month = parse_month(str(meta.get("month")))
                base = parse_month(str(meta.get("base_month")))
            except DataValidationError:
                add_file(META_SHEET, f"month {meta.get('month')!r} is not a month in the "
                                     "form YYYY-MM")
                meta = None
        if meta is not None:
            if expected is None:
                expected = file_month
            if file_month != expected:
                add_file(META_SHEET, f"is the return for {file_month}, not {expected}")
            else:
                try:
                    latest = _base_month(portfolio, file_month)
                except MissingDataError:
                    latest = None
                if latest is None:
                    add_file(META_SHEET, f"the data has no status month before {file_month}")
                elif base != latest:
                    add_file(META_SHEET, f"the template was written from the {base} status but "
                                         f"the latest status before {file_month} is {latest}; "
                                         "write a new template")
                file_date = month_status_date(portfolio, file_month)
            manager = str(meta.get("manager"))
            pids = [p for p in str(meta.get("projects") or "").split(",") if p]
            if manager not in set(manager_of):
                add_file(META_SHEET, f"manager {manager!r} manages no project")
        if meta is not None and TASKS_SHEET not in wb.sheetnames:
            add_file(None, f"has no sheet {TASKS_SHEET!r}")
            meta = None
        rows: list[dict] = []
        if meta is not None and not found:  # rows of a wrong or stale return are not read
            ws = wb[TASKS_SHEET]
            header = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
            header = tuple(header[:len(_HEADERS)])
            if header != _HEADERS:
                add_file(TASKS_SHEET, "the header was changed; expected the columns "
                                      f"{', '.join(_HEADERS)}", row=1)
            else:
                snap = portfolio.snapshot(base).set_index("task_id")
                for r, values in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
                    values = tuple(values) + (None,) * (len(_HEADERS) - len(values))
                    task = values[_COL["task_id"]]
                    if task is None or not str(task).strip():
                        if any(v not in (None, "") for v in values):
                            add_file(TASKS_SHEET, "the task ID is blank", row=r)
                        continue
                    task = str(task).strip()
                    row = _check_row(values, r, task, tasks, manager_of, manager, pids,
                                     snap, file_date, add_file)
                    if task in first_row:
                        add_file(TASKS_SHEET, f"the task is returned twice (also in row "
                                              f"{first_row[task]})", row=r, task=task)
                    elif task in seen:
                        add_file(TASKS_SHEET, f"the task is also returned in {seen[task]}",
                                 row=r, task=task)
                    first_row.setdefault(task, r)
                    if row is not None:
                        rows.append(row)
        problems += found
        if found:
            rejected.append(path)
            continue
        accepted.append(path)
        for task in first_row:
            seen[task] = name
        if rows:
            frames.append(pd.DataFrame(rows))
    status_date = month_status_date(portfolio, expected) if expected is not None else None
    status = _as_status(pd.concat(frames, ignore_index=True) if frames else None, status_date)
    return ReturnsResult(expected, status_date, status, tuple(problems), tuple(files),
                         tuple(accepted), tuple(rejected))


def _check_row(values, r, task, tasks, manager_of, manager, pids, snap, status_date, add_file):
    """Check one row of the Tasks sheet; the status row it gives (None if none)."""
    def add(message):
        add_file(TASKS_SHEET, message, row=r, task=task)

    if task not in tasks.index:
        add(f"unknown task {task!r} (not in tasks.csv)")
        return None
    pid = tasks.at[task, "project_id"]
    if manager_of[pid] != manager:
        add(f"the task belongs to project {pid!r} of {manager_of[pid]}, not to {manager}")
        return None
    if pid not in pids:
        add(f"the task belongs to project {pid!r}, which is not in this return "
            f"({', '.join(pids)})")
        return None
    shown = values[_COL["project_id"]]
    if shown is not None and str(shown).strip() != pid:
        add(f"the project is {str(shown).strip()!r} in the row but the task belongs to {pid!r}")
    v = {col: values[_COL[col]] for col in INPUT_COLUMNS}
    unreadable: set[str] = set()  # columns whose value could not be read: not checked further

    def reader(column):
        def add_unreadable(message):
            unreadable.add(column)
            add(message)
        return add_unreadable

    pct = _number(v["percent_complete"], "percent complete", reader("percent_complete"))
    cost = _number(v["actual_cost"], "actual cost", reader("actual_cost"))
    remaining = _number(v["remaining_duration"], "remaining duration",
                        reader("remaining_duration"))
    start = _date(v["actual_start"], "actual start", reader("actual_start"))
    finish = _date(v["actual_finish"], "actual finish", reader("actual_finish"))
    comment = v["comment"]
    comment = str(comment).strip() if comment is not None and str(comment).strip() else None
    pct_v = 0.0 if pct is None else pct
    cost_v = 0.0 if cost is None else cost
    pct_ok = "percent_complete" not in unreadable
    cost_ok = "actual_cost" not in unreadable
    dates_ok = not {"actual_start", "actual_finish"} & unreadable
    if pct_v > 100:
        add(f"percent complete {pct_v:g} is above 100")
    elif pct_v < 0:
        add(f"percent complete {pct_v:g} is below 0")
    if cost_v < 0:
        add(f"actual cost {cost_v:g} is below 0")
    if remaining is not None and remaining < 0:
        add(f"remaining duration {remaining:g} is below 0")
    if task in snap.index:
        last = snap.loc[task]
        if pct_ok and pct_v < last["percent_complete"] and comment is None:
            add(f"percent complete {pct_v:g} is below the last {last['percent_complete']:g}; "
                "explain why in the comment")
        if cost_ok and cost_v < last["actual_cost"]:
            add(f"actual cost {cost_v:g} is below the last {last['actual_cost']:g} (actual "
                "cost is cumulative)")
    if status_date is not None:
        for what, date in (("actual start", start), ("actual finish", finish)):
            if date is not None and date > status_date:
                add(f"{what} {date.date()} is after the status date {status_date.date()}")
    if start is not None and finish is not None and finish < start:
        add(f"actual finish {finish.date()} is before actual start {start.date()}")
    if pct_ok and dates_ok:
        if finish is not None and 0 <= pct_v < 100:
            add(f"actual finish {finish.date()} but percent complete {pct_v:g}; a finished "
                "task is 100")
        if finish is None and pct_v == 100:
            add("percent complete 100 but no actual finish; enter the finish date")
    if dates_ok and cost_ok and pct_ok and start is None and (
            pct_v > 0 or cost_v > 0 or finish is not None):
        add("actual start is blank but the task has progress")
    if start is None and pct_v == 0 and cost_v == 0 and finish is None:
        return None  # not started: no snapshot row
    return {"task_id": task, "percent_complete": pct_v, "actual_cost": cost_v,
            "actual_start": start, "actual_finish": finish,
            "remaining_duration": np.nan if remaining is None else remaining,
            "comment": comment}


def _as_status(rows: pd.DataFrame | None, status_date) -> pd.DataFrame:
    """Rows as a table of the ``status`` schema (its columns, order and dtypes)."""
    empty = SCHEMAS["status"].empty()
    if rows is None or rows.empty:
        return empty
    rows = rows.copy()
    rows["status_date"] = pd.Timestamp(status_date)
    out = rows.reindex(columns=_STATUS_COLUMNS)
    for col in _STATUS_COLUMNS:
        out[col] = out[col].astype(empty[col].dtype)
    return out.sort_values("task_id", ignore_index=True)


# ----------------------------------------------------------------------------------------
# Applying them
# ----------------------------------------------------------------------------------------
def apply_returns(portfolio: Portfolio, result: ReturnsResult, month) -> pd.DataFrame:
    """The status table with the month's snapshot updated from the accepted returns.

    Parameters
    ----------
    portfolio : Portfolio
    result : ReturnsResult
        From :func:`read_returns`; only its accepted rows (``result.status``) are applied.
    month : str or Period
        The month reported; must be the returns' month.

    Returns
    -------
    DataFrame
        The ``status`` table (columns of ``status.csv``), sorted by ``status_date`` and
        ``task_id``: the snapshots of the other months unchanged, and the month's snapshot.
        When the month has no snapshot yet it starts as a copy of the previous month's
        (dated at the month's status date), so tasks of managers who have not returned yet
        keep their last values; then the returned tasks' rows replace theirs. A returned
        task that has not started removes no row: it had none. Applying the same returns
        again gives the same table (idempotent).

    Raises
    ------
    DataValidationError
        ``month`` is not the returns' month.
    """
    month = parse_month(month)
    if result.month is not None and result.month != month:
        raise DataValidationError(Problem(
            "returns", None, None, "month",
            f"the returns are for {result.month}, not {month}"))
    status = portfolio.status
    date = month_status_date(portfolio, month)
    in_month = status["status_date"].dt.to_period("M") == month
    others = status[~in_month]
    current = status[in_month]
    if current.empty:
        base = _base_month(portfolio, month)
        current = portfolio.snapshot(base).assign(status_date=date)
    new = result.status.assign(status_date=date)
    current = current[~current["task_id"].isin(new["task_id"])]
    parts = [df for df in (others, current, new) if not df.empty]
    out = pd.concat(parts, ignore_index=True) if parts else SCHEMAS["status"].empty()
    out = out.reindex(columns=_STATUS_COLUMNS)
    empty = SCHEMAS["status"].empty()
    for col in _STATUS_COLUMNS:
        out[col] = out[col].astype(empty[col].dtype)
    return out.sort_values(["status_date", "task_id"], ignore_index=True)


def write_status_csv(status: pd.DataFrame, path: str | Path) -> Path:
    """Write a status table to ``path`` atomically (a temporary file in the same folder,
    then ``os.replace``), dates as YYYY-MM-DD; the file is never left half-written."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            status.to_csv(handle, index=False, date_format="%Y-%m-%d")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
