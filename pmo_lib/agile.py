"""Agile delivery analytics: velocity, burnup and burndown, cumulative flow, cycle time,
throughput, Monte Carlo throughput forecasts and AgileEVM.

Scrum teams plan in sprints and estimate in story points; Kanban teams measure the flow of
work items through states. Both feed the functions here, which take two tables (and a third
for AgileEVM), validate them at the boundary and never mutate them.

Input tables
------------
**sprints**, one row per project × sprint (:data:`SPRINT_COLUMNS`, checked by
:func:`check_sprints`):

==================== ========== ==================================================================
``project_id``       str        The project the sprint belongs to.
``sprint``           int        Sprint number, 1, 2, ... from the start of the release (unique per
                                project; the sprints of a project do not overlap).
``start``            date       First day of the sprint.
``finish``           date       Last day of the sprint (on or after ``start``).
``committed_points`` float      Story points the team committed to at sprint planning. [pt]
``completed_points`` float      Story points done (accepted) by the end of the sprint. [pt]
``actual_cost``      float      *Optional*; cost booked in the sprint (not cumulative), needed by
                                :func:`agile_evm`. [cur]
``added_points``     float      *Optional*; story points added to the release scope during the
                                sprint (negative: removed; blank: 0), used by :func:`agile_evm`.
                                [pt]
==================== ========== ==================================================================

**items** (backlog items: user stories, bugs, Kanban cards), one row per item
(:data:`ITEM_COLUMNS`, checked by :func:`check_items`):

=============== ======== =========================================================================
``project_id``  str      The project the item belongs to.
``id``          str      Item ID, unique within its project.
``points``      float    *Optional*; story-point estimate (0 or more; needed by burnup and
                         burndown in points). [pt]
``created``     date     Entered the backlog (required).
``started``     date     Work started (NaT while in the backlog).
``reviewed``    date     *Optional*; entered review (NaT when not yet, or when review was skipped).
``done``        date     Done (NaT while not done).
``state``       str      The item's state now, one of :data:`STATES`.
=============== ======== =========================================================================

Each state of :data:`STATES` is entered on the date of its column in :data:`STATE_DATES`, so
the three (or four) date columns are the item's state-transition history: an item is in the
last state whose date is on or before a given day. The dates must be in the order of the
states, ``state`` must agree with them (``done`` ⇔ a done date; ``in_progress`` and
``review`` need a started date and no done date; ``backlog`` has neither), and a done or
reviewed item needs its started date. A state without its date (review skipped) is passed
through on the date of the next state. Moving back (rework, reopening) is not represented:
the dates are the first entry into each state.

**releases** (for :func:`agile_evm`), one row per project: ``project_id``,
``planned_points`` (PRP, the story points of the release plan [pt]), ``planned_sprints`` (PS,
sprints planned for the release, a whole number ≥ 1) and ``bac`` (the release budget [cur]).

Dates are tz-naive days (a time of day is dropped). A bad table raises a
:class:`~pmo_lib.errors.DataValidationError` listing every problem (a missing column:
:class:`~pmo_lib.errors.MissingDataError`), each naming the table, the row as a spreadsheet
numbers it (header = row 1, first data row = row 2), the item ID (``"P1 sprint 3"`` for a
sprint) and the column.

Units: story points [pt], items [items], calendar days or working days [d] (each function
says which), money in the portfolio currency [cur], ratios as fractions.

References
----------
D. S. Vacanti, *Actionable Agile Metrics for Predictability*, ActionableAgile Press, 2015
(cycle time, throughput, cumulative flow diagrams).
D. S. Vacanti, *When Will It Be Done? Lean-Agile Forecasting to Answer Your Customers' Most
Important Question*, ActionableAgile Press, 2020 (Monte Carlo forecasts from throughput).
T. Magennis, *Forecasting and Simulating Software Development Projects*, Focused Objective, 2011.
M. Cohn, *Agile Estimating and Planning*, Prentice Hall, 2005, ch. 19 (release burndown bar
chart with scope changes).
T. Sulaiman, B. Barton and T. Blackburn, "AgileEVM – Earned Value Management in Scrum
Projects", *Proceedings of AGILE 2006*, IEEE, 2006.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import evm
from ._util import check_choice as _check_choice
from ._util import ratio as _ratio
from ._util import require_columns
from .calendar import WorkCalendar
from .errors import DataValidationError, MissingDataError, Problem

__all__ = [
    "AGILE_EVM_COLUMNS",
    "GLOSSARY",
    "GRID_FREQS",
    "ITEM_COLUMNS",
    "RELEASE_COLUMNS",
    "SPRINT_COLUMNS",
    "STATES",
    "STATE_DATES",
    "THROUGHPUT_FREQS",
    "UNITS",
    "agile_evm",
    "burndown",
    "burnup",
    "check_items",
    "check_sprints",
    "cumulative_flow",
    "cycle_time",
    "forecast_how_many",
    "forecast_when",
    "lead_time",
    "simulate_how_many",
    "simulate_when",
    "throughput",
    "velocity",
]

#: Work-item states, in the order an item goes through them.
STATES = ("backlog", "in_progress", "review", "done")
#: The items column holding the date each state is entered (``reviewed`` is optional).
STATE_DATES = {"backlog": "created", "in_progress": "started", "review": "reviewed",
               "done": "done"}
#: Required columns of the sprints table (optional: ``actual_cost``, ``added_points``).
SPRINT_COLUMNS = ("project_id", "sprint", "start", "finish", "committed_points",
                  "completed_points")
#: Required columns of the items table (optional: ``points``, ``reviewed``).
ITEM_COLUMNS = ("project_id", "id", "created", "started", "done", "state")
#: Required columns of the releases table of :func:`agile_evm`.
RELEASE_COLUMNS = ("project_id", "planned_points", "planned_sprints", "bac")
#: Date grids of :func:`burnup`, :func:`burndown`, :func:`cumulative_flow`: every day, or
#: the end of every week (Sunday) and the last day.
GRID_FREQS = ("D", "W")
#: Periods of :func:`throughput`: days, weeks (Monday to Sunday), calendar months.
THROUGHPUT_FREQS = ("D", "W", "M")
#: What burnup and burndown measure: story points or a count of items.
UNITS = ("points", "items")
#: Columns of :func:`agile_evm`, in order.
AGILE_EVM_COLUMNS = ("date", "release_points", "completed_to_date", "expected_complete",
                     "actual_complete", "bac", "pv", "ev", "ac", *evm.INDICATORS,
                     "forecast_sprints", "forecast_finish")

#: Column glossary of the tables this module returns (EVM columns: :data:`pmo_lib.evm.GLOSSARY`).
GLOSSARY = {
    "velocity_mean": "Mean story points completed per sprint [pt]",
    "velocity_std": "Sample standard deviation of the points completed per sprint [pt]",
    "velocity_cv": "Coefficient of variation of velocity, std / mean",
    "velocity_recent": "Mean points completed in the last few sprints [pt]",
    "commitment_reliability": "Points completed / points committed, summed over sprints",
    "scope": "Work in the release: items created to date [pt or items]",
    "completed": "Work done to date [pt or items]",
    "remaining": "Work left, scope − completed [pt or items]",
    "scope_added": "Scope added since the baseline (the first row) [pt or items]",
    "cycle_time": "Started to done, both days counted [d]",
    "lead_time": "Created to done, both days counted [d]",
    "throughput": "Items done in the period [items]",
    "within_NN": "Periods within which all the items are done in NN % of the runs",
    "at_least_NN": "Items done in at least NN % of the runs, over the given periods",
    "release_points": "AgileEVM PRP: the release plan's points with the scope added [pt]",
    "completed_to_date": "AgileEVM PC: story points completed to date [pt]",
    "expected_complete": "AgileEVM expected percent complete, n / PS (at most 1) [fraction]",
    "actual_complete": "AgileEVM actual percent complete, PC / PRP [fraction]",
    "forecast_sprints": "AgileEVM release length forecast, PS / SPI = PRP / mean velocity",
    "forecast_finish": "AgileEVM forecast release date",
}

_ONE_DAY = np.timedelta64(1, "D")
#: Rows of a Monte Carlo run drawn at a time (bounds memory).
_CHUNK = 50_000
#: Periods drawn per row at a time by :func:`simulate_when`.
_BLOCK = 128


# ----------------------------------------------------------------------------------------
# Validation
# ----------------------------------------------------------------------------------------
class _Checker:
    """Collects the problems of one table; rows are spreadsheet rows (header = 1)."""

    def __init__(self, table: str, labels):
        self.table, self.labels, self.problems = table, list(labels), []

    def add(self, mask, column: str | None, message) -> None:
        """One problem for each row where ``mask`` is true; ``message(i)`` or a string."""
        for i in np.flatnonzero(np.asarray(mask, dtype=bool)):
            text = message(i) if callable(message) else message
            self.problems.append(Problem(self.table, int(i) + 2, self.labels[i], column, text))

    def raise_if_any(self) -> None:
        if self.problems:
            raise DataValidationError(self.problems)


def _require(df, table: str, columns) -> None:
    """MissingDataError naming every required column ``df`` lacks."""
    require_columns(df, table, columns)


def _text(values: pd.Series) -> np.ndarray:
    """IDs as an object array of stripped strings, None where blank."""
    raw = values.astype(object).to_numpy()
    blank = pd.isna(raw)
    return np.array([None if b else (str(v).strip() or None)
                     for v, b in zip(raw, blank, strict=True)], dtype=object)


def _dates(raw: pd.Series, column: str, check: _Checker, required: bool = False) -> pd.Series:
    """Parse a date column to day-resolution datetime64[ns] (NaT where blank)."""
    parsed = pd.to_datetime(raw, errors="coerce")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    blank = raw.isna().to_numpy()
    check.add(~blank & parsed.isna().to_numpy(), column,
              lambda i: f"{raw.iloc[i]!r} is not a date")
    if required:
        check.add(blank, column, "is blank; a date is required")
    return parsed.dt.normalize().astype("datetime64[ns]")


def _numbers(raw: pd.Series, column: str, check: _Checker, *, minimum: float | None = 0.0,
             whole: bool = False, blank_as: float | None = None) -> np.ndarray:
    """Parse a numeric column to float, flagging blanks, non-numbers and values below minimum."""
    values = pd.to_numeric(raw, errors="coerce").astype("float64").to_numpy(copy=True)
    blank = raw.isna().to_numpy()
    if blank_as is not None:
        values[blank] = blank_as
    else:
        check.add(blank, column, "is blank; a number is required")
    bad = ~blank & ~np.isfinite(values)
    check.add(bad, column, lambda i: f"{raw.iloc[i]!r} is not a finite number")
    ok = np.isfinite(values)
    if whole:
        check.add(ok & (values % 1 != 0), column, lambda i: f"{values[i]:g} is not a whole number")
    if minimum is not None:
        low = ok & (values < minimum)
        check.add(low, column, lambda i: f"{values[i]:g} is below {minimum:g}"
                  + (" (it cannot be negative)" if minimum == 0 else ""))
    return values


def _day(values) -> str:
    return str(pd.Timestamp(values).date())


def check_items(items: pd.DataFrame) -> pd.DataFrame:
    """Validate a backlog-items table and return a clean copy.

    Parameters
    ----------
    items : DataFrame
        The items table of the module docstring: ``project_id``, ``id``, ``created``,
        ``started``, ``done``, ``state``; optional ``points`` [pt] and ``reviewed``. Dates may
        be datetimes or ``YYYY-MM-DD`` strings.

    Returns
    -------
    DataFrame
        A copy with the same index and columns: IDs as stripped strings, dates as
        ``datetime64[ns]`` days, ``points`` as float, ``state`` lower case.

    Raises
    ------
    MissingDataError
        A required column is missing.
    DataValidationError
        Every problem found, each naming the table ``items``, the row, the item ID and the
        column: a blank project or ID, a duplicate ID in a project, a value that is not a
        date, a blank created date, negative or non-numeric points, an unknown state (the
        message lists :data:`STATES`), dates out of order (done before started, ...), a done
        or reviewed item without a started date, a state that disagrees with the dates.

    Examples
    --------
    >>> items = pd.DataFrame({"project_id": ["P1", "P1"], "id": ["S1", "S2"],
    ...                       "points": [3, 5], "created": ["2026-01-05", "2026-01-05"],
    ...                       "started": ["2026-01-06", None], "done": ["2026-01-08", None],
    ...                       "state": ["done", "backlog"]})
    >>> check_items(items)["done"].tolist()
    [Timestamp('2026-01-08 00:00:00'), NaT]
    >>> check_items(items.assign(done=["2026-01-02", None]))
    Traceback (most recent call last):
    ...
    pmo_lib.errors.DataValidationError: items, row 2, ID 'S1', column 'done': 2026-01-02 is before started 2026-01-06
    """
    _require(items, "items", ITEM_COLUMNS)
    raw = items.reset_index(drop=True)
    ids = _text(raw["id"])
    check = _Checker("items", ids)
    projects = _text(raw["project_id"])
    check.add(pd.isna(projects), "project_id", "is blank; every item belongs to a project")
    check.add(pd.isna(ids), "id", "is blank; every item needs an ID")
    key = pd.DataFrame({"p": projects, "i": ids})
    dup = key.duplicated(keep=False).to_numpy() & ~pd.isna(ids)
    check.add(dup, "id", lambda i: f"duplicate item ID in project {projects[i]!r}")
    out = items.copy()
    out["project_id"], out["id"] = projects, ids
    if "points" in raw.columns and not raw["points"].isna().all():
        out["points"] = _numbers(raw["points"], "points", check)
    columns = [c for c in STATE_DATES.values() if c in raw.columns]
    dates = {c: _dates(raw[c], c, check, required=(c == "created")) for c in columns}
    for c, values in dates.items():
        out[c] = values.to_numpy()
    # Dates in the order of the states: each is on or after the latest earlier one present.
    last = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    last_name = np.full(len(raw), None, dtype=object)
    for c in columns:
        d = dates[c]
        late = (d < last).to_numpy()
        check.add(late, c, lambda i, d=d, ln=last_name, lt=last:
                  f"{_day(d.iloc[i])} is before {ln[i]} {_day(lt.iloc[i])}")
        has = d.notna().to_numpy()
        last = last.where(~has, d)
        last_name = np.where(has, c, last_name)
    started = dates["started"].notna().to_numpy()
    for c in ("reviewed", "done"):
        if c in dates:
            check.add(dates[c].notna().to_numpy() & ~started, "started",
                      f"is blank but the item has a {c} date; give the date work started")
    state = raw["state"].astype(object).where(raw["state"].notna(), None)
    state = np.array([None if s is None else str(s).strip().lower() for s in state],
                     dtype=object)
    known = np.isin(state, STATES)
    check.add(~known, "state", lambda i: f"unknown state {raw['state'].iloc[i]!r}; use one of "
              f"{', '.join(map(repr, STATES))}")
    done = dates["done"].notna().to_numpy()
    check.add(known & (state == "backlog") & started, "state",
              lambda i: f"is 'backlog' but the item started on "
              f"{_day(dates['started'].iloc[i])}; set the state or clear the date")
    check.add(known & np.isin(state, ("in_progress", "review")) & ~started, "state",
              lambda i: f"is {state[i]!r} but the item has no started date")
    check.add(known & (state != "done") & done, "state",
              lambda i: f"is {state[i]!r} but the item was done on "
              f"{_day(dates['done'].iloc[i])}; set the state to 'done' or clear the date")
    check.add(known & (state == "done") & ~done, "done",
              "is blank but the state is 'done'; give the date it was done")
    check.raise_if_any()
    out["state"] = state
    return out


def check_sprints(sprints: pd.DataFrame) -> pd.DataFrame:
    """Validate a sprints table and return a clean copy.

    Parameters
    ----------
    sprints : DataFrame
        The sprints table of the module docstring: ``project_id``, ``sprint``, ``start``,
        ``finish``, ``committed_points``, ``completed_points`` [pt]; optional
        ``actual_cost`` [cur] and ``added_points`` [pt] (an optional column left entirely
        blank counts as absent).

    Returns
    -------
    DataFrame
        A copy with the same index: ``sprint`` as int, dates as ``datetime64[ns]`` days,
        points and cost as float (blank ``added_points`` = 0).

    Raises
    ------
    MissingDataError
        A required column is missing.
    DataValidationError
        Every problem found, each naming the table ``sprints``, the row, the sprint (``"P1
        sprint 3"``) and the column: a blank project, a sprint number that is not a whole
        number ≥ 1 or is repeated in a project, a blank or bad date, a finish before the
        start, negative points or cost, sprints of a project that overlap.

    Examples
    --------
    >>> s = pd.DataFrame({"project_id": ["P1", "P1"], "sprint": [1, 2],
    ...                   "start": ["2026-01-05", "2026-01-12"],
    ...                   "finish": ["2026-01-16", "2026-01-23"],
    ...                   "committed_points": [20, 20], "completed_points": [18, -1]})
    >>> check_sprints(s)
    Traceback (most recent call last):
    ...
    pmo_lib.errors.DataValidationError: 2 problems in the data:
      - sprints, row 3, ID 'P1 sprint 2', column 'completed_points': -1 is below 0 (it cannot be negative)
      - sprints, row 3, ID 'P1 sprint 2', column 'start': starts 2026-01-12, before sprint 1 finishes on 2026-01-16
    """
    _require(sprints, "sprints", SPRINT_COLUMNS)
    raw = sprints.reset_index(drop=True)
    projects = _text(raw["project_id"])
    labels = [f"{p} sprint {n}" for p, n in zip(projects, raw["sprint"], strict=True)]
    check = _Checker("sprints", labels)
    check.add(pd.isna(projects), "project_id", "is blank; every sprint belongs to a project")
    number = _numbers(raw["sprint"], "sprint", check, minimum=1, whole=True)
    out = sprints.copy()
    out["project_id"] = projects
    for c in ("committed_points", "completed_points"):
        out[c] = _numbers(raw[c], c, check)
    if "actual_cost" in raw.columns and not raw["actual_cost"].isna().all():
        out["actual_cost"] = _numbers(raw["actual_cost"], "actual_cost", check)
    if "added_points" in raw.columns:
        out["added_points"] = _numbers(raw["added_points"], "added_points", check,
                                       minimum=None, blank_as=0.0)
    start = _dates(raw["start"], "start", check, required=True)
    finish = _dates(raw["finish"], "finish", check, required=True)
    check.add((finish < start).to_numpy(), "finish",
              lambda i: f"{_day(finish.iloc[i])} is before the start {_day(start.iloc[i])}")
    key = pd.DataFrame({"p": projects, "n": number})
    dup = key.duplicated(keep=False).to_numpy() & np.isfinite(number)
    check.add(dup, "sprint", lambda i: f"sprint {number[i]:g} appears more than once in "
              f"project {projects[i]!r}")
    # Overlaps, between the sprints whose project, number and dates are valid: sorted by
    # project and number, each sprint starts after the previous one finishes.
    valid = (~pd.isna(projects) & np.isfinite(number) & ~dup & start.notna().to_numpy()
             & finish.notna().to_numpy() & (finish >= start).to_numpy())
    rows = np.flatnonzero(valid)
    order = rows[np.lexsort((number[rows], projects[rows].astype(str)))]
    same = projects[order][1:] == projects[order][:-1]
    overlap = np.zeros(len(raw), dtype=bool)
    overlap[order[1:]] = same & (start.to_numpy()[order][1:] <= finish.to_numpy()[order][:-1])
    prev = np.zeros(len(raw), dtype=np.int64)
    prev[order[1:]] = order[:-1]
    check.add(overlap, "start", lambda i: f"starts {_day(start.iloc[i])}, before sprint "
              f"{number[prev[i]]:g} finishes on {_day(finish.iloc[prev[i]])}")
    check.raise_if_any()
    out["sprint"] = number.astype(np.int64)
    out["start"], out["finish"] = start.to_numpy(), finish.to_numpy()
    return out


def _check_releases(releases: pd.DataFrame) -> pd.DataFrame:
    _require(releases, "releases", RELEASE_COLUMNS)
    raw = releases.reset_index(drop=True)
    projects = _text(raw["project_id"])
    check = _Checker("releases", projects)
    check.add(pd.isna(projects), "project_id", "is blank; a release belongs to a project")
    check.add(pd.Series(projects).duplicated(keep=False).to_numpy() & ~pd.isna(projects),
              "project_id", "appears more than once; give one release plan per project")
    prp = _numbers(raw["planned_points"], "planned_points", check)
    check.add(prp == 0, "planned_points", "is 0; a release plan needs story points")
    ps = _numbers(raw["planned_sprints"], "planned_sprints", check, minimum=1, whole=True)
    bac = _numbers(raw["bac"], "bac", check)
    check.raise_if_any()
    return pd.DataFrame({"project_id": projects, "planned_points": prp,
                         "planned_sprints": ps, "bac": bac})


# ----------------------------------------------------------------------------------------
# Day arithmetic (vectorised counts of events on or before a day, per group)
# ----------------------------------------------------------------------------------------
def _days(values) -> np.ndarray:
    """Dates as float day numbers since 1970-01-01 (NaN for NaT)."""
    d = np.asarray(values, dtype="datetime64[D]")
    out = d.astype(np.int64).astype(float)
    out[np.isnat(d)] = np.nan
    return out


def _to_dates(days: np.ndarray) -> np.ndarray:
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[ns]")


def _end_day(frame: pd.DataFrame, columns, end) -> float:
    """The given end date, else the latest date in ``columns`` of ``frame``."""
    if end is not None:
        return float(_days(pd.Timestamp(end).normalize()))
    latest = [frame[c].max() for c in columns if c in frame.columns]
    latest = [d for d in latest if pd.notna(d)]
    return float(_days(max(latest))) if latest else np.nan


def _count_at(ev_group, ev_day, ev_weight, q_group, q_day) -> np.ndarray:
    """Σ weight of the events of each query's group on or before its day (NaN days: never)."""
    ev_group, ev_day = np.asarray(ev_group), np.asarray(ev_day, dtype=float)
    keep = ~np.isnan(ev_day)
    g, d, w = ev_group[keep], ev_day[keep], np.asarray(ev_weight, dtype=float)[keep]
    q_group, q_day = np.asarray(q_group), np.asarray(q_day, dtype=float)
    if q_day.size == 0:
        return np.zeros(0)
    low = min(d.min(initial=np.inf), q_day.min()) - 1
    span = max(d.max(initial=-np.inf), q_day.max()) - low + 2
    key = g * span + (d - low)
    order = np.argsort(key, kind="stable")
    key, cum = key[order], np.concatenate([[0.0], np.cumsum(w[order])])
    hi = np.searchsorted(key, q_group * span + (q_day - low), side="right")
    lo = np.searchsorted(key, q_group * span, side="left")
    return cum[hi] - cum[lo]


def _daily_grid(first: np.ndarray, end: float, freq: str):
    """(group, day) of every day from each group's first day to ``end`` (``"W"``: Sundays
    and the last day only)."""
    n = np.where(np.isnan(first), 0, np.maximum(end - np.nan_to_num(first) + 1, 0))
    n = n.astype(np.int64)
    group = np.repeat(np.arange(first.size), n)
    day = np.repeat(np.nan_to_num(first), n) + (np.arange(n.sum())
                                                 - np.repeat(np.cumsum(n) - n, n))
    if freq == "W":
        keep = ((day.astype(np.int64) + 3) % 7 == 6) | (day == end)   # 1970-01-01: Thursday
        group, day = group[keep], day[keep]
    return group, day


def _grid_index(projects, group, day) -> pd.MultiIndex:
    return pd.MultiIndex.from_arrays(
        [pd.Index(np.asarray(projects, dtype=object)[group], dtype=object),
         pd.DatetimeIndex(_to_dates(day))], names=["project_id", "date"])


# ----------------------------------------------------------------------------------------
# Velocity
# ----------------------------------------------------------------------------------------
def velocity(sprints: pd.DataFrame, *, recent: int = 3) -> pd.DataFrame:
    """Velocity (story points completed per sprint) of each project, its spread and the
    team's commitment reliability.

    Parameters
    ----------
    sprints : DataFrame
        The sprints table (see the module docstring).
    recent : int, keyword-only
        How many of the latest sprints ``velocity_recent`` averages; default 3.

    Returns
    -------
    DataFrame
        Index ``project_id`` (sorted); columns ``sprints`` (count), ``velocity_mean``,
        ``velocity_std`` (sample standard deviation, NaN with one sprint), ``velocity_min``,
        ``velocity_max``, ``velocity_recent`` (mean of the last ``recent`` sprints by
        number, or of all when fewer) [pt]; ``velocity_cv`` (std / mean) and
        ``commitment_reliability`` (Σ completed / Σ committed; NaN when nothing was
        committed) [fraction].

    Raises
    ------
    DataValidationError
        A bad sprints table (see :func:`check_sprints`); ``recent`` < 1.

    Notes
    -----
    Commitment reliability is a ratio of sums, not a mean of per-sprint ratios (a sprint
    with a small commitment would weigh as much as a large one), as EVM indices are rolled
    up in :func:`pmo_lib.evm.rollup`.

    Examples
    --------
    >>> s = pd.DataFrame({"project_id": "P1", "sprint": [1, 2, 3, 4],
    ...                   "start": pd.date_range("2026-01-05", periods=4, freq="14D"),
    ...                   "finish": pd.date_range("2026-01-16", periods=4, freq="14D"),
    ...                   "committed_points": [20.0, 20, 25, 25],
    ...                   "completed_points": [16.0, 20, 22, 26]})
    >>> v = velocity(s).loc["P1"]
    >>> v[["velocity_mean", "velocity_recent", "commitment_reliability"]].round(3).tolist()
    [21.0, 22.667, 0.933]
    """
    if int(recent) != recent or recent < 1:
        raise DataValidationError(Problem("velocity", None, None, "recent",
                                          f"need a whole number >= 1, got {recent!r}"))
    s = check_sprints(sprints).sort_values(["project_id", "sprint"], kind="stable")
    g = s.groupby("project_id", sort=True)["completed_points"]
    out = pd.DataFrame({
        "sprints": g.size(), "velocity_mean": g.mean(), "velocity_std": g.std(ddof=1),
        "velocity_min": g.min(), "velocity_max": g.max(),
        "velocity_recent": s.groupby("project_id", sort=False).tail(int(recent))
                              .groupby("project_id", sort=True)["completed_points"].mean(),
    })
    out["velocity_cv"] = _ratio(out["velocity_std"], out["velocity_mean"])
    sums = s.groupby("project_id", sort=True)[["completed_points", "committed_points"]].sum()
    out["commitment_reliability"] = _ratio(sums["completed_points"],
                                               sums["committed_points"])
    out.index.name = "project_id"
    return out


# ----------------------------------------------------------------------------------------
# Burnup, burndown, cumulative flow
# ----------------------------------------------------------------------------------------
def _evaluation_points(it: pd.DataFrame, sprints, freq: str, start, end, function: str):
    """Project codes, labels and the (group, day) evaluation points of a burnup or CFD."""
    _check_choice(freq, GRID_FREQS, function, "freq", "date grid")
    if sprints is not None:
        sp = check_sprints(sprints).sort_values(["project_id", "sprint"], kind="stable")
        projects = np.array(sorted(set(it["project_id"]) | set(sp["project_id"])), dtype=object)
        group = np.searchsorted(projects, sp["project_id"].to_numpy())
        index = pd.MultiIndex.from_arrays(
            [pd.Index(sp["project_id"].to_numpy(), dtype=object),
             pd.Index(sp["sprint"].to_numpy(), name="sprint")], names=["project_id", "sprint"])
        return projects, group, _days(sp["finish"]), index
    projects = np.array(sorted(set(it["project_id"])), dtype=object)
    codes = np.searchsorted(projects, it["project_id"].to_numpy())
    if start is not None:
        first = np.full(projects.size, float(_days(pd.Timestamp(start).normalize())))
    else:
        first = np.full(projects.size, np.nan)
        np.fmin.at(first, codes, _days(it["created"]))
    group, day = _daily_grid(first, _end_day(it, STATE_DATES.values(), end), freq)
    return projects, group, day, _grid_index(projects, group, day)


def burnup(items: pd.DataFrame, *, sprints: pd.DataFrame | None = None, freq: str = "D",
           unit: str = "points", start=None, end=None) -> pd.DataFrame:
    """Release burnup: scope and work completed to date, per day or per sprint.

    Parameters
    ----------
    items : DataFrame
        The items table (see the module docstring).
    sprints : DataFrame, keyword-only, optional
        The sprints table; when given, one row per sprint, measured at the end of its
        ``finish`` day, instead of a date grid.
    freq : str, keyword-only
        Date grid without ``sprints``, one of :data:`GRID_FREQS`: ``"D"`` every day (default),
        ``"W"`` every Sunday and the last day.
    unit : str, keyword-only
        One of :data:`UNITS`: ``"points"`` (default, needs the ``points`` column) or
        ``"items"`` (a count).
    start, end : date-like, keyword-only, optional
        First and last day of the grid; default each project's first created date and the
        latest date in the items table. Ignored with ``sprints``.

    Returns
    -------
    DataFrame
        Index (``project_id``, ``date``), or (``project_id``, ``sprint``) with a ``date``
        column (the sprint's finish) when ``sprints`` is given; columns ``scope`` (work
        created to date), ``completed`` (work done to date) and ``remaining`` (scope −
        completed) [pt or items].

    Raises
    ------
    MissingDataError
        ``unit="points"`` without a ``points`` column.
    DataValidationError
        A bad items or sprints table; an unknown ``freq`` or ``unit`` (the message lists the
        valid ones).

    Notes
    -----
    Scope moves when items are created (scope change): scope(d) = Σ points of the items
    created on or before d; completed(d) = Σ points of the items done on or before d. Items
    are counted at the end of the day. The computation is two sorted cumulative sums and a
    binary search per evaluation point; no loop over items or dates.

    Examples
    --------
    >>> items = pd.DataFrame({"project_id": "P1", "id": ["S1", "S2", "S3"],
    ...                       "points": [3.0, 5.0, 2.0],
    ...                       "created": pd.to_datetime(["2026-01-05", "2026-01-05",
    ...                                                  "2026-01-07"]),
    ...                       "started": pd.to_datetime(["2026-01-05", "2026-01-06", None]),
    ...                       "done": pd.to_datetime(["2026-01-06", None, None]),
    ...                       "state": ["done", "in_progress", "backlog"]})
    >>> burnup(items).loc["P1"]
                scope  completed  remaining
    date
    2026-01-05    8.0        0.0        8.0
    2026-01-06    8.0        3.0        5.0
    2026-01-07   10.0        3.0        7.0
    """
    _check_choice(unit, UNITS, "burnup", "unit", "unit")
    it = check_items(items)
    if unit == "points" and "points" not in it.columns:
        raise MissingDataError(Problem("items", 1, None, "points",
                                       "required column is missing for a burnup in points; "
                                       "pass unit='items' to count items"))
    projects, group, day, index = _evaluation_points(it, sprints, freq, start, end, "burnup")
    codes = np.searchsorted(projects, it["project_id"].to_numpy())
    weight = it["points"].to_numpy(dtype=float) if unit == "points" else np.ones(len(it))
    scope = _count_at(codes, _days(it["created"]), weight, group, day)
    completed = _count_at(codes, _days(it["done"]), weight, group, day)
    out = pd.DataFrame({"scope": scope, "completed": completed,
                        "remaining": scope - completed}, index=index)
    if sprints is not None:
        out.insert(0, "date", _to_dates(day))
    return out


def burndown(items: pd.DataFrame, *, sprints: pd.DataFrame | None = None, freq: str = "D",
             unit: str = "points", start=None, end=None) -> pd.DataFrame:
    """Release burndown with scope changes (Cohn's release burndown bar chart).

    Parameters
    ----------
    items, sprints, freq, unit, start, end
        As :func:`burnup`.

    Returns
    -------
    DataFrame
        The index of :func:`burnup` (and its ``date`` column with ``sprints``); columns
        ``remaining`` (scope − completed), ``completed``, ``scope_added`` (scope − the
        baseline scope), ``top`` (baseline scope − completed) and ``bottom``
        (−``scope_added``) [pt or items].

    Raises
    ------
    As :func:`burnup`.

    Notes
    -----
    The baseline scope is the scope at the first row of each project: its first grid day,
    or, with ``sprints``, the items created on or before the first sprint's start day.
    A plain burndown plots ``remaining``, which mixes the team's progress with scope
    changes. Cohn's bar chart separates them: each bar runs from ``bottom`` to ``top``;
    completed work lowers the top, added scope lowers the bottom, and the bar's length is
    ``remaining`` = ``top`` − ``bottom``.

    Examples
    --------
    >>> items = pd.DataFrame({"project_id": "P1", "id": ["S1", "S2", "S3"],
    ...                       "points": [3.0, 5.0, 2.0],
    ...                       "created": pd.to_datetime(["2026-01-05", "2026-01-05",
    ...                                                  "2026-01-07"]),
    ...                       "started": pd.to_datetime(["2026-01-05", "2026-01-06", None]),
    ...                       "done": pd.to_datetime(["2026-01-06", None, None]),
    ...                       "state": ["done", "in_progress", "backlog"]})
    >>> burndown(items).loc["P1", ["remaining", "scope_added", "top", "bottom"]]
                remaining  scope_added  top  bottom
    date
    2026-01-05        8.0          0.0  8.0     0.0
    2026-01-06        5.0          0.0  5.0     0.0
    2026-01-07        7.0          2.0  5.0    -2.0
    """
    up = burnup(items, sprints=sprints, freq=freq, unit=unit, start=start, end=end)
    project = up.index.get_level_values("project_id")
    if sprints is not None:
        sp = check_sprints(sprints)
        it = check_items(items)
        first_start = sp.groupby("project_id")["start"].min()
        weight = it["points"].to_numpy(dtype=float) if unit == "points" else np.ones(len(it))
        projects = np.array(sorted(first_start.index), dtype=object)
        codes = np.searchsorted(projects, it["project_id"].to_numpy())
        known = np.isin(it["project_id"].to_numpy(), projects)
        base = pd.Series(_count_at(codes[known], _days(it["created"])[known], weight[known],
                                   np.arange(projects.size),
                                   _days(first_start.loc[projects])), index=projects)
    else:
        base = up.groupby(level="project_id", sort=False)["scope"].first()
    baseline = base.reindex(project).to_numpy()
    out = pd.DataFrame(index=up.index)
    if sprints is not None:
        out["date"] = up["date"]
    out["remaining"] = up["remaining"]
    out["completed"] = up["completed"]
    out["scope_added"] = up["scope"].to_numpy() - baseline
    out["top"] = baseline - up["completed"].to_numpy()
    out["bottom"] = 0.0 - out["scope_added"]
    return out


def cumulative_flow(items: pd.DataFrame, freq: str = "D", *, start=None,
                    end=None) -> pd.DataFrame:
    """Items in each state on each day, for a cumulative flow diagram (CFD).

    Parameters
    ----------
    items : DataFrame
        The items table (see the module docstring).
    freq : str
        One of :data:`GRID_FREQS`: ``"D"`` every day (default), ``"W"`` every Sunday and the
        last day.
    start, end : date-like, keyword-only, optional
        First and last day; default each project's first created date and the latest date
        in the items table.

    Returns
    -------
    DataFrame
        Index (``project_id``, ``date``); one column per state of :data:`STATES`, in order:
        the number of items in that state at the end of the day [items] (int). Each row sums
        to the number of items created on or before its day.

    Raises
    ------
    DataValidationError
        A bad items table; an unknown ``freq``.

    Notes
    -----
    An item is in the last state whose entry date (:data:`STATE_DATES`) is on or before the
    day; a state without a date (review skipped, or no ``reviewed`` column) is passed
    through on the date of the next state. Stacking the columns from ``done`` up to
    ``backlog`` draws the CFD: the top edge of each band counts the items that reached that
    state or a later one, the vertical gap between two edges is the work in progress
    between them and the horizontal gap approximates the time items spend there
    (Vacanti 2015, ch. 4–5).

    Examples
    --------
    >>> items = pd.DataFrame({"project_id": "P1", "id": ["S1", "S2", "S3"],
    ...                       "created": pd.to_datetime(["2026-01-05", "2026-01-05",
    ...                                                  "2026-01-06"]),
    ...                       "started": pd.to_datetime(["2026-01-05", "2026-01-06", None]),
    ...                       "done": pd.to_datetime(["2026-01-07", None, None]),
    ...                       "state": ["done", "in_progress", "backlog"]})
    >>> cumulative_flow(items).loc["P1"]
                backlog  in_progress  review  done
    date
    2026-01-05        1            1       0     0
    2026-01-06        1            2       0     0
    2026-01-07        1            1       0     1
    """
    it = check_items(items)
    projects, group, day, index = _evaluation_points(it, None, freq, start, end,
                                                     "cumulative_flow")
    codes = np.searchsorted(projects, it["project_id"].to_numpy())
    entry = np.column_stack([_days(it[c]) if c in it.columns else np.full(len(it), np.nan)
                             for c in STATE_DATES.values()])
    # Entering a later state means passing through the earlier ones: backfill from the right.
    entry = np.fmin.accumulate(entry[:, ::-1], axis=1)[:, ::-1] if len(it) else entry
    reached = np.column_stack([_count_at(codes, entry[:, k], np.ones(len(it)), group, day)
                               for k in range(len(STATES))] + [np.zeros(day.size)])
    counts = np.rint(reached[:, :-1] - reached[:, 1:]).astype(np.int64)
    return pd.DataFrame(counts, index=index, columns=list(STATES))


# ----------------------------------------------------------------------------------------
# Cycle time, lead time, throughput
# ----------------------------------------------------------------------------------------
def _elapsed(items, first: str, function: str, calendar: WorkCalendar | None) -> pd.Series:
    it = check_items(items)
    a, b = it[first], it["done"]
    ok = (a.notna() & b.notna()).to_numpy()
    out = np.full(len(it), np.nan)
    if calendar is None:
        out[ok] = (_days(b)[ok] - _days(a)[ok]) + 1
    elif ok.any():
        out[ok] = np.asarray(calendar.working_days(a[ok].to_numpy(), b[ok].to_numpy()),
                             dtype=float)
    return pd.Series(out, index=items.index, name=function)


def cycle_time(items: pd.DataFrame, *, calendar: WorkCalendar | None = None) -> pd.Series:
    """Cycle time of each done item: from the day work started to the day it was done.

    Parameters
    ----------
    items : DataFrame
        The items table (see the module docstring).
    calendar : WorkCalendar, keyword-only, optional
        When given, count working days of this calendar; default calendar days.

    Returns
    -------
    Series
        Named ``cycle_time``, aligned on ``items``' index: days from ``started`` to ``done``,
        both counted [d] (calendar days, or working days with ``calendar``); NaN for items
        not done.

    Raises
    ------
    DataValidationError
        A bad items table (see :func:`check_items`).

    Notes
    -----
    Cycle time = done − started + 1 day: an item started and done on the same day took one
    day (Vacanti 2015, ch. 3: elapsed time counts whole days, both ends included). With a
    calendar it is the number of working days from started to done, both included
    (:meth:`WorkCalendar.working_days`), which can be 0 for work done on a weekend.

    Examples
    --------
    >>> items = pd.DataFrame({"project_id": "P1", "id": ["S1", "S2", "S3"],
    ...                       "created": pd.to_datetime(["2026-01-01"] * 3),
    ...                       "started": pd.to_datetime(["2026-01-05", "2026-01-09", None]),
    ...                       "done": pd.to_datetime(["2026-01-05", "2026-01-12", None]),
    ...                       "state": ["done", "done", "backlog"]})
    >>> cycle_time(items).tolist()
    [1.0, 4.0, nan]
    >>> cycle_time(items, calendar=WorkCalendar()).tolist()   # Fri 9 to Mon 12: 2 days
    [1.0, 2.0, nan]
    """
    return _elapsed(items, "started", "cycle_time", calendar)


def lead_time(items: pd.DataFrame, *, calendar: WorkCalendar | None = None) -> pd.Series:
    """Lead time of each done item: from the day it was created to the day it was done.

    Parameters
    ----------
    items : DataFrame
        The items table (see the module docstring).
    calendar : WorkCalendar, keyword-only, optional
        When given, count working days of this calendar; default calendar days.

    Returns
    -------
    Series
        Named ``lead_time``, aligned on ``items``' index: days from ``created`` to ``done``,
        both counted [d]; NaN for items not done.

    Raises
    ------
    DataValidationError
        A bad items table (see :func:`check_items`).

    Notes
    -----
    Lead time = done − created + 1 day, the customer's view of the wait (cycle time is the
    team's part of it, from the start of work). Same counting conventions as
    :func:`cycle_time`.

    Examples
    --------
    >>> items = pd.DataFrame({"project_id": "P1", "id": ["S1"],
    ...                       "created": pd.to_datetime(["2026-01-01"]),
    ...                       "started": pd.to_datetime(["2026-01-05"]),
    ...                       "done": pd.to_datetime(["2026-01-06"]), "state": ["done"]})
    >>> lead_time(items).tolist(), cycle_time(items).tolist()
    ([6.0], [2.0])
    """
    return _elapsed(items, "created", "lead_time", calendar)


def throughput(items: pd.DataFrame, freq: str = "W", *, end=None) -> pd.Series:
    """Items done per period, per project, with the periods without any done item as 0.

    Parameters
    ----------
    items : DataFrame
        The items table (see the module docstring).
    freq : str
        Period, one of :data:`THROUGHPUT_FREQS`: ``"D"`` day, ``"W"`` week (Monday to
        Sunday, the default), ``"M"`` calendar month.
    end : date-like, keyword-only, optional
        Last day counted; default the latest date in the items table. Items done after it
        are left out.

    Returns
    -------
    Series
        Named ``throughput`` (int) [items], indexed by (``project_id``, ``period``) with
        ``period`` a ``pd.Period`` of ``freq``: every period from the one in which the
        project's first item was started to the one holding ``end``, zeros included. A
        project with no started item has no rows. ``throughput(items).loc["P1"]`` is the
        history :func:`forecast_when` expects.

    Raises
    ------
    DataValidationError
        A bad items table; an unknown ``freq`` (the message lists the valid ones).

    Notes
    -----
    The periods before the project's first start are left out (no delivery was possible),
    the empty ones after it are kept: a forecast that skipped them would be optimistic. The
    last period is usually partial (it ends after ``end``); drop it from a forecast history
    if it would bias the forecast low.

    Examples
    --------
    >>> items = pd.DataFrame({"project_id": "P1", "id": ["S1", "S2", "S3"],
    ...                       "created": pd.to_datetime(["2026-01-01"] * 3),
    ...                       "started": pd.to_datetime(["2026-01-05", "2026-01-05",
    ...                                                  "2026-01-06"]),
    ...                       "done": pd.to_datetime(["2026-01-07", "2026-01-08",
    ...                                               "2026-01-21"]),
    ...                       "state": "done"})
    >>> throughput(items).loc["P1"].to_dict()
    {Period('2026-01-05/2026-01-11', 'W-SUN'): 2, Period('2026-01-12/2026-01-18', 'W-SUN'): 0, Period('2026-01-19/2026-01-25', 'W-SUN'): 1}
    """
    _check_choice(freq, THROUGHPUT_FREQS, "throughput", "freq", "period")
    it = check_items(items)
    end_day = _end_day(it, STATE_DATES.values(), end)
    projects = np.array(sorted(set(it["project_id"])), dtype=object)
    codes = np.searchsorted(projects, it["project_id"].to_numpy())

    def ordinal(dates) -> np.ndarray:
        p = pd.PeriodIndex(pd.DatetimeIndex(dates), freq=freq)
        out = p.asi8.astype(float)
        out[p.isna()] = np.nan
        return out

    last = ordinal([_to_dates(np.array([end_day]))[0]])[0] if np.isfinite(end_day) else np.nan
    first = np.full(projects.size, np.nan)
    np.fmin.at(first, codes, ordinal(it["started"]))
    n = np.where(np.isnan(first), 0, np.maximum(last - np.nan_to_num(first) + 1, 0))
    n = np.nan_to_num(n).astype(np.int64)
    offsets = np.cumsum(n) - n
    counts = np.zeros(int(n.sum()), dtype=np.int64)
    done = ordinal(it["done"])
    done_day = _days(it["done"])
    ok = ~np.isnan(done) & (done_day <= end_day)
    slot = (done[ok] - first[codes[ok]]).astype(np.int64)
    np.add.at(counts, offsets[codes[ok]] + slot, 1)
    group = np.repeat(np.arange(projects.size), n)
    ordinals = np.repeat(np.nan_to_num(first), n) + np.arange(n.sum()) - np.repeat(offsets, n)
    index = pd.MultiIndex.from_arrays(
        [pd.Index(projects[group], dtype=object),
         pd.PeriodIndex.from_ordinals(ordinals.astype(np.int64), freq=freq)],
        names=["project_id", "period"])
    return pd.Series(counts, index=index, name="throughput")


# ----------------------------------------------------------------------------------------
# Monte Carlo forecasts from throughput
# ----------------------------------------------------------------------------------------
def _history(values, function: str) -> np.ndarray:
    h = np.asarray(values, dtype=float).ravel() if not isinstance(values, pd.Series) \
        else values.to_numpy(dtype=float)
    if h.size == 0:
        raise DataValidationError(Problem(function, None, None, "throughput_history",
                                          "is empty; give the throughput of past periods"))
    bad = np.flatnonzero(~np.isfinite(h) | (h < 0))
    if bad.size:
        raise DataValidationError(Problem(
            function, None, None, "throughput_history",
            f"value {h[bad[0]]:g} at position {bad[0]} is not a finite number >= 0"))
    if not (h > 0).any():
        raise DataValidationError(Problem(
            function, None, None, "throughput_history",
            f"cannot forecast: nothing was done in any of the {h.size} periods (the "
            "throughput is 0 throughout), so no number of periods would finish the work"))
    return h


def _amount(value, name: str, function: str, *, whole: bool = False) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = np.nan
    if not np.isfinite(v) or v < 0 or (whole and v % 1):
        kind = "a whole number >= 0" if whole else "a finite number >= 0"
        raise DataValidationError(Problem(function, None, None, name,
                                          f"need {kind}, got {value!r}"))
    return v


def _iterations(iterations, function: str) -> int:
    if isinstance(iterations, bool) or int(iterations) != iterations or iterations < 1:
        raise DataValidationError(Problem(function, None, None, "iterations",
                                          f"need a whole number >= 1, got {iterations!r}"))
    return int(iterations)


def _confidences(percentiles, function: str) -> list[float]:
    given = list(percentiles) if np.ndim(percentiles) else [percentiles]
    c = np.asarray(given, dtype=float).ravel()
    if c.size == 0 or np.any(~np.isfinite(c)) or np.any((c <= 0) | (c > 100)):
        raise DataValidationError(Problem(
            function, None, None, "percentiles",
            f"need one or more percentiles in (0, 100], got {given!r}"))
    return [float(x) for x in c]


def simulate_when(throughput_history, items, *, iterations: int = 10_000,
                  seed=None) -> np.ndarray:
    """Monte Carlo runs of "how many periods until these items are done?" (one per run).

    Parameters
    ----------
    throughput_history : array-like or Series
        Work done in each past period, e.g. ``throughput(items).loc["P1"]`` [items per
        period] (story points per sprint work too). Finite, ≥ 0, not all 0.
    items : float
        Work to finish [items, or the unit of the history]; ≥ 0.
    iterations : int, keyword-only
        Number of runs; default 10 000.
    seed : int, SeedSequence or Generator, keyword-only, optional
        Passed to ``np.random.default_rng``; the same seed gives the same runs.

    Returns
    -------
    ndarray of int, shape (iterations,)
        Periods each run needed: the first period, counted from the next one (1), at the end
        of which the cumulative work reaches ``items`` (0 when ``items`` is 0). [periods]

    Raises
    ------
    DataValidationError
        An empty history, a negative or non-finite value in it, a history of zeros only
        ("cannot forecast"), a negative ``items``, ``iterations`` < 1.

    Notes
    -----
    See :func:`forecast_when` for the method. Each run's throughput sequence is drawn in
    blocks of periods for all runs at once, the same blocks whatever ``items``: with the
    same seed and history, a run never needs fewer periods for more items.
    """
    h = _history(throughput_history, "forecast_when")
    need = _amount(items, "items", "forecast_when")
    n = _iterations(iterations, "forecast_when")
    rng = np.random.default_rng(seed)
    out = np.zeros(n, dtype=np.int64)
    if need == 0:
        return out
    positive = h[h > 0]
    p = positive.size / h.size
    target = need - 1e-9 * max(1.0, need)     # sums of floats: reach the target up to rounding
    for lo in range(0, n, _CHUNK):            # a loop over chunks and blocks, not over runs
        rows = min(_CHUNK, n - lo)
        work, periods = np.zeros(rows), np.zeros(rows, dtype=np.int64)
        result = np.zeros(rows, dtype=np.int64)
        open_ = np.ones(rows, dtype=bool)
        while open_.any():
            draws = positive[rng.integers(0, positive.size, size=(rows, _BLOCK))]
            # Periods up to and including each non-zero draw: the zero periods before it are
            # geometric, so zeros are never drawn one by one.
            steps = (rng.geometric(p, size=(rows, _BLOCK)) if p < 1
                     else np.ones((rows, _BLOCK), dtype=np.int64))
            cum_work = work[:, None] + np.cumsum(draws, axis=1)
            cum_periods = periods[:, None] + np.cumsum(steps, axis=1)
            hit = cum_work >= target
            now = open_ & hit[:, -1]
            first = hit[now].argmax(axis=1)
            result[now] = cum_periods[now, first]
            open_ &= ~now
            work, periods = cum_work[:, -1], cum_periods[:, -1]
        out[lo:lo + rows] = result
    return out


def simulate_how_many(throughput_history, periods, *, iterations: int = 10_000,
                      seed=None) -> np.ndarray:
    """Monte Carlo runs of "how much work is done in the next ``periods`` periods?".

    Parameters
    ----------
    throughput_history : array-like or Series
        Work done in each past period [items per period]; finite, ≥ 0, not all 0.
    periods : int
        Periods ahead (a whole number ≥ 0). [periods]
    iterations : int, keyword-only
        Number of runs; default 10 000.
    seed : int, SeedSequence or Generator, keyword-only, optional
        Passed to ``np.random.default_rng``; the same seed gives the same runs.

    Returns
    -------
    ndarray of float, shape (iterations,)
        Work done in each run over the ``periods`` periods [items].

    Raises
    ------
    DataValidationError
        A bad history (see :func:`simulate_when`), ``periods`` not a whole number ≥ 0,
        ``iterations`` < 1.

    Notes
    -----
    See :func:`forecast_how_many`. Drawing ``periods`` past periods with replacement is
    drawing how often each is drawn, a multinomial count vector, so a run is one dot
    product whatever ``periods``.
    """
    h = _history(throughput_history, "forecast_how_many")
    m = int(_amount(periods, "periods", "forecast_how_many", whole=True))
    n = _iterations(iterations, "forecast_how_many")
    rng = np.random.default_rng(seed)
    out = np.zeros(n)
    if m == 0:
        return out
    for lo in range(0, n, _CHUNK):
        rows = min(_CHUNK, n - lo)
        counts = rng.multinomial(m, np.full(h.size, 1.0 / h.size), size=rows)
        out[lo:lo + rows] = counts @ h
    return out


def _within(samples: np.ndarray, confidence: float):
    """Smallest value that at least ``confidence`` % of the samples do not exceed."""
    s = np.sort(samples)
    k = int(np.ceil(s.size * confidence / 100 - 1e-9)) - 1
    return s[min(max(k, 0), s.size - 1)]


def _at_least(samples: np.ndarray, confidence: float):
    """Largest value that at least ``confidence`` % of the samples reach or exceed."""
    s = np.sort(samples)
    k = int(np.floor(s.size * (100 - confidence) / 100 + 1e-9))
    return s[min(max(k, 0), s.size - 1)]


def forecast_when(throughput_history, items, *, iterations: int = 10_000,
                  percentiles=(50, 85, 95), seed=None) -> dict:
    """When will these items be done? Finish-period percentiles by Monte Carlo resampling of
    the historical throughput.

    Parameters
    ----------
    throughput_history : array-like or Series
        Items done in each past period, zero periods included, e.g.
        ``throughput(items, "W").loc["P1"]`` [items per period]; finite, ≥ 0, not all 0.
    items : float
        Items left to do (≥ 0). [items]
    iterations : int, keyword-only
        Number of simulated futures; default 10 000.
    percentiles : sequence of float, keyword-only
        Confidence levels in (0, 100]; default (50, 85, 95).
    seed : int, SeedSequence or Generator, keyword-only, optional
        Passed to ``np.random.default_rng``; the same seed gives the same forecast.

    Returns
    -------
    dict
        ``within_50``, ``within_85``, ``within_95`` ... (one per level, ``within_{c:g}``,
        int) [periods]: all the items are done by the end of that many periods, counted
        from the next one, in at least c % of the runs (the c-th percentile of the runs'
        finish period; higher confidence, later period).

    Raises
    ------
    DataValidationError
        An empty history, a negative or non-finite value in it, a history of zeros only
        (cannot forecast: the work would never finish), a negative ``items``, a percentile
        outside (0, 100], ``iterations`` < 1.

    Notes
    -----
    Method (Vacanti 2020; Magennis 2011): each run builds a future by drawing a past
    period's throughput at random, with replacement, period after period, until the items
    are done; the number of periods drawn is that run's finish. The percentiles of the runs
    answer "when" with a stated confidence. Draws are vectorised over runs (see
    :func:`simulate_when`, which returns the runs for a histogram).

    Assumptions: the future is like the sampled past (same team, same kind of work, same
    policies; no trend), periods are independent, the items are the right count (no scope
    added; add the expected growth to ``items`` if there will be), and items are done one
    at a time in any order. Use a recent history of 10 to 20 periods; a constant history
    gives the deterministic answer ceil(items / throughput) at every percentile.

    References
    ----------
    D. S. Vacanti, *When Will It Be Done?*, ActionableAgile Press, 2020, ch. 6–9.
    T. Magennis, *Forecasting and Simulating Software Development Projects*, 2011.

    Examples
    --------
    >>> forecast_when([5, 5, 5], 12)
    {'within_50': 3, 'within_85': 3, 'within_95': 3}
    >>> r = forecast_when([0, 3, 5, 8, 2, 4], 30, seed=1)
    >>> r["within_50"] <= r["within_85"] <= r["within_95"]
    True
    """
    conf = _confidences(percentiles, "forecast_when")
    runs = simulate_when(throughput_history, items, iterations=iterations, seed=seed)
    return {f"within_{c:g}": int(_within(runs, c)) for c in conf}


def forecast_how_many(throughput_history, periods, *, iterations: int = 10_000,
                      percentiles=(50, 85, 95), seed=None) -> dict:
    """How many items will be done in the next ``periods`` periods? Item counts at given
    confidence levels, by Monte Carlo resampling of the historical throughput.

    Parameters
    ----------
    throughput_history : array-like or Series
        Items done in each past period, zero periods included [items per period]; finite,
        ≥ 0, not all 0.
    periods : int
        Periods ahead, e.g. the weeks to a release date (a whole number ≥ 0). [periods]
    iterations : int, keyword-only
        Number of simulated futures; default 10 000.
    percentiles : sequence of float, keyword-only
        Confidence levels in (0, 100]; default (50, 85, 95).
    seed : int, SeedSequence or Generator, keyword-only, optional
        Passed to ``np.random.default_rng``; the same seed gives the same forecast.

    Returns
    -------
    dict
        ``at_least_50``, ``at_least_85``, ``at_least_95`` ... (one per level,
        ``at_least_{c:g}``, float) [items]: at least that many items are done in at least
        c % of the runs. **This is the (100 − c)-th percentile of the runs' totals**:
        higher confidence, fewer items (``at_least_85`` is the 15th percentile).

    Raises
    ------
    DataValidationError
        A bad history (see :func:`forecast_when`), ``periods`` not a whole number ≥ 0, a
        percentile outside (0, 100], ``iterations`` < 1.

    Notes
    -----
    Each run draws ``periods`` past periods at random with replacement and adds their
    throughput; the assumptions are those of :func:`forecast_when`. For "how many" the
    conservative answer is the low end of the distribution: promising the median is a coin
    toss, promising the 15th percentile is kept 85 % of the time (Vacanti 2020, ch. 8).

    References
    ----------
    D. S. Vacanti, *When Will It Be Done?*, ActionableAgile Press, 2020.

    Examples
    --------
    >>> forecast_how_many([5, 5, 5], 4)
    {'at_least_50': 20.0, 'at_least_85': 20.0, 'at_least_95': 20.0}
    >>> r = forecast_how_many([0, 3, 5, 8, 2, 4], 10, seed=1)
    >>> r["at_least_50"] >= r["at_least_85"] >= r["at_least_95"]
    True
    """
    conf = _confidences(percentiles, "forecast_how_many")
    runs = simulate_how_many(throughput_history, periods, iterations=iterations, seed=seed)
    return {f"at_least_{c:g}": float(_at_least(runs, c)) for c in conf}


# ----------------------------------------------------------------------------------------
# AgileEVM (Sulaiman, Barton & Blackburn 2006)
# ----------------------------------------------------------------------------------------
def agile_evm(sprints: pd.DataFrame, releases: pd.DataFrame, *,
              method: str = "cpi") -> pd.DataFrame:
    """AgileEVM: earned value of Scrum releases at each sprint boundary.

    Parameters
    ----------
    sprints : DataFrame
        The sprints table (see the module docstring) with ``actual_cost`` (cost of each
        sprint [cur]) and optionally ``added_points`` (scope change in each sprint [pt]).
    releases : DataFrame
        One row per project: ``project_id``, ``planned_points`` (PRP [pt], > 0),
        ``planned_sprints`` (PS, whole ≥ 1) and ``bac`` [cur].
    method : str, keyword-only
        EAC method, one of :data:`pmo_lib.evm.EAC_METHODS` (default ``"cpi"``, the paper's
        BAC / CPI).

    Returns
    -------
    DataFrame
        Index (``project_id``, ``sprint``), the projects of ``releases`` that have sprints;
        columns :data:`AGILE_EVM_COLUMNS`: ``date`` (the sprint's finish),
        ``release_points`` (PRP to date [pt]), ``completed_to_date`` (PC [pt]),
        ``expected_complete`` (EPC), ``actual_complete`` (APC) [fraction]; ``bac``, ``pv``,
        ``ev``, ``ac`` [cur]; the indicators of :func:`pmo_lib.evm.indicators` (``sv``,
        ``cv``, ``spi``, ``cpi``, ``eac``, ``etc``, ``vac``, ``tcpi``, ``tcpi_eac``);
        ``forecast_sprints`` (the release's length forecast [sprints]) and
        ``forecast_finish`` (its date).

    Raises
    ------
    MissingDataError
        A missing column (``actual_cost`` included).
    DataValidationError
        A bad sprints or releases table; an unknown ``method``; completed points above the
        release points (EV above BAC) or a release scope that falls to 0 or below, naming
        the sprint.

    Notes
    -----
    At the end of sprint n (its number, counted from 1 at the release start):

    - PRP = planned_points + Σ added_points of sprints 1..n (the release scope to date);
    - PC = Σ completed_points of sprints 1..n; AC = Σ actual_cost of sprints 1..n;
    - EPC = n / PS, the expected percent complete (capped at 1 after the planned
      sprints: all the budget is then planned); APC = PC / PRP, the actual percent complete;
    - PV = EPC × BAC; EV = APC × BAC;
    - SPI, CPI, EAC, ... from PV, EV, AC and BAC by :func:`pmo_lib.evm.indicators`, the
      same formulas as every other project (so agile releases roll up with them);
    - release length forecast = PS / SPI sprints, which is n / APC = PRP / mean velocity:
      the burndown's forecast, as the paper shows. Past the planned sprints (EPC capped)
      n / APC is used, the form that stays meaningful; NaN before any point is done;
    - forecast finish = start of the first sprint + ceil((forecast − 1) × C + L) − 1 days:
      the end of the forecast's last sprint, with C the cadence to date (days from the first
      sprint's start to the latest one's, per sprint; gaps between sprints included) and L
      the mean length of the sprints to date (finish − start + 1) [calendar days]. With
      back-to-back sprints C = L and this is start + forecast × L − 1.

    References
    ----------
    T. Sulaiman, B. Barton and T. Blackburn, "AgileEVM – Earned Value Management in Scrum
    Projects", *Proceedings of AGILE 2006*, IEEE, 2006.

    Examples
    --------
    >>> s = pd.DataFrame({"project_id": "P1", "sprint": [1, 2],
    ...                   "start": pd.to_datetime(["2026-01-05", "2026-01-19"]),
    ...                   "finish": pd.to_datetime(["2026-01-18", "2026-02-01"]),
    ...                   "committed_points": [25.0, 25.0], "completed_points": [20.0, 25.0],
    ...                   "actual_cost": [10_000.0, 11_000.0]})
    >>> r = pd.DataFrame({"project_id": ["P1"], "planned_points": [100.0],
    ...                   "planned_sprints": [4], "bac": [40_000.0]})
    >>> e = agile_evm(s, r).loc[("P1", 1)]
    >>> e[["pv", "ev", "ac", "spi", "cpi", "eac", "forecast_sprints"]].astype(float).tolist()
    [10000.0, 8000.0, 10000.0, 0.8, 0.8, 50000.0, 5.0]
    >>> str(e["forecast_finish"].date())          # 5 sprints of 14 days from 5 January
    '2026-03-15'
    """
    _check_choice(method, evm.EAC_METHODS, "agile_evm", "method", "EAC method")
    _require(sprints, "sprints", (*SPRINT_COLUMNS, "actual_cost"))
    sp = check_sprints(sprints)
    rel = _check_releases(releases)
    sp = sp.assign(_row=np.arange(len(sp)) + 2, _id=[f"{p} sprint {n}" for p, n in zip(
        sp["project_id"], sp["sprint"], strict=True)])
    if "added_points" not in sp.columns:
        sp["added_points"] = 0.0
    df = sp.merge(rel, on="project_id", how="inner").sort_values(["project_id", "sprint"],
                                                                 kind="stable")
    g = df.groupby("project_id", sort=False)
    n = df["sprint"].to_numpy(dtype=float)
    prp = df["planned_points"].to_numpy() + g["added_points"].cumsum().to_numpy()
    pc = g["completed_points"].cumsum().to_numpy()
    ac = g["actual_cost"].cumsum().to_numpy()
    bac = df["bac"].to_numpy()
    problems = [Problem("sprints", int(r), i, "added_points",
                        f"the release scope falls to {p:g} points (planned points plus the "
                        "points added to date); it must stay above 0")
                for r, i, p in zip(df["_row"][prp <= 0], df["_id"][prp <= 0], prp[prp <= 0],
                                   strict=True)]
    over = (prp > 0) & (pc > prp * (1 + 1e-9))
    problems += [Problem("sprints", int(r), i, "completed_points",
                         f"{c:g} points completed to date exceed the release's {p:g} points "
                         "(EV above BAC); record the scope added in 'added_points'")
                 for r, i, c, p in zip(df["_row"][over], df["_id"][over], pc[over], prp[over],
                                       strict=True)]
    if problems:
        raise DataValidationError(problems)
    epc = np.minimum(n / df["planned_sprints"].to_numpy(), 1.0)
    apc = np.minimum(pc / prp, 1.0)
    pv, ev = epc * bac, apc * bac
    ind = evm.indicators(pv, ev, ac, bac, method=method)
    forecast = _ratio(n, apc)
    forecast = np.where(forecast > 0, forecast, np.nan)
    first = g["start"].transform("min").to_numpy(dtype="datetime64[D]")
    length = (df["finish"] - df["start"]).dt.days.to_numpy(dtype=float) + 1
    k = g.cumcount().to_numpy()                      # sprints before this one
    mean_length = (pd.Series(length, index=df.index).groupby(df["project_id"], sort=False)
                   .cumsum().to_numpy() / (k + 1))
    # Cadence: days from one sprint's start to the next (gaps between sprints included).
    since_first = (df["start"].to_numpy(dtype="datetime64[D]") - first).astype(float)
    cadence = np.where(k > 0, since_first / np.maximum(k, 1), mean_length)
    span = np.ceil((forecast - 1.0) * cadence + mean_length - 1e-9)
    ok = np.isfinite(span)
    finish = np.full(len(df), np.datetime64("NaT"), dtype="datetime64[D]")
    finish[ok] = first[ok] + (span[ok] - 1).astype(np.int64)
    out = pd.DataFrame({
        "date": df["finish"].to_numpy(), "release_points": prp, "completed_to_date": pc,
        "expected_complete": epc, "actual_complete": apc, "bac": bac, "pv": pv, "ev": ev,
        "ac": ac, **{k: ind[k].to_numpy() for k in evm.INDICATORS},
        "forecast_sprints": forecast, "forecast_finish": finish.astype("datetime64[ns]"),
    }, index=pd.MultiIndex.from_arrays(
        [pd.Index(df["project_id"].to_numpy(), dtype=object), df["sprint"].to_numpy()],
        names=["project_id", "sprint"]))
    return out
