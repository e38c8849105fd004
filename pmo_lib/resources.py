"""Resource loading: demand, capacity, utilisation and over-allocation per resource or role.

A resource (the ``resources`` table of :data:`pmo_lib.model.SCHEMAS`) has a ``capacity``: the
units it can give each working day (1 = one full-time person). An assignment (``assignments``
table) puts ``units`` of a resource on a task every working day from the task's start to its
finish, both included. This module turns the tasks, the assignments and the calendar into the
tables a resource manager reads:

* :func:`demand` — units demanded per resource (or per role) per day, week or month;
* :func:`capacity` — units available in the same periods (holidays and weekends removed);
* :func:`utilisation` — demand / capacity;
* :func:`overallocations` — each run of consecutive working days on which a resource is
  asked for more than its capacity, with the tasks causing it;
* :func:`portfolio_loading` — the three tables for a :class:`~pmo_lib.model.Portfolio`, on the
  baseline dates or on the forecast schedule of a status month (:class:`Loading`);
* :func:`level_portfolio` — resource levelling of the whole portfolio, projects by priority:
  every unfinished task moved as little as the resources need (cross-project links kept,
  tasks in progress pinned), with each task's and each project's delay, the resource and the
  task behind it, and the over-allocation before and after (:class:`PortfolioLevelling`).

Tables are wide: one row per period (a :class:`pandas.PeriodIndex` named ``period``, of
frequency ``D``, ``W`` or ``M``) and one column per resource id or role. A daily table has a
row for every calendar day (0 on non-working days); a weekly or monthly one sums the daily
values over the period's working days.

Glossary (units: a unit is one resource working full time for a day):

============ ===========================================================================
demand       Units demanded: Σ units of the assignments active on the day. [units/d];
             summed over a week or month. [unit-days]
capacity     Resource capacity × working days in the period. [unit-days]
utilisation  demand / capacity (NaN where capacity is 0). [fraction]
peak_demand  Highest daily demand in an over-allocated run. [units]
excess       peak_demand − capacity. [units]
============ ===========================================================================

Milestones (``milestone`` true or ``duration`` 0) demand nothing.

Levelling (:func:`level_portfolio`) is resource-constrained scheduling (RCPSP) by
:func:`pmo_lib.levelling.level`: time in whole working days on the portfolio calendar, tasks
only ever delayed, never split; a project's priority rank (1 = first) becomes its tasks' rank,
and a task inherits the best rank of the tasks it feeds.

References
----------
Project Management Institute, *A Guide to the Project Management Body of Knowledge (PMBOK
Guide)*, 6th ed., §6.5.2.3 (resource optimisation), §9.2 Estimate Activity Resources
(resource histograms, resource breakdown), 2017.
Project Management Institute, *The Standard for Portfolio Management*, 4th ed., §6
(portfolio capacity and capability management), 2017.
Kolisch, R. & Hartmann, S. (2006). Experimental investigation of heuristics for
resource-constrained project scheduling: an update. *EJOR* 174(1), 23–37.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd

from . import levelling
from ._util import check_choice, ratio, require_columns
from .calendar import WorkCalendar
from .errors import DataValidationError, Problem, UnknownReferenceError
from .levelling import LevelResult
from .model import Portfolio, parse_month

__all__ = [
    "BY",
    "FREQUENCIES",
    "GLOSSARY",
    "Loading",
    "PortfolioLevelling",
    "capacity",
    "demand",
    "level_portfolio",
    "overallocations",
    "portfolio_loading",
    "utilisation",
]

#: Period lengths of the loading tables: day, week (Monday to Sunday), calendar month.
FREQUENCIES = ("D", "W", "M")
#: What the columns of the loading tables are: one per resource or one per role.
BY = ("resource_id", "role")

#: Column glossary (see the module docstring).
GLOSSARY = {
    "demand": "Units demanded; per day [units], summed over a week or month [unit-days]",
    "capacity": "Resource capacity × working days in the period [unit-days]",
    "utilisation": "demand / capacity, NaN where capacity is 0 [fraction]",
    "resource_id": "Resource (resources.id)",
    "start": "First working day of an over-allocated run",
    "finish": "Last working day of an over-allocated run",
    "working_days": "Working days in the run [d]",
    "peak_demand": "Highest daily demand in the run [units]",
    "excess": "peak_demand − capacity [units]",
    "tasks": "Tasks of the resource active during the run, ids joined with ';'",
    "pinned": "An in-progress task: levelling keeps its dates and resources",
    "priority": "Rank levelled with, 1 = first (a project's, or one inherited from a task it "
                "feeds)",
    "resume_date": "First day of an in-progress task's remaining work",
    "levelled_start": "First working day after levelling",
    "levelled_finish": "Last working day after levelling",
    "delay": "Working days from the unlevelled to the levelled finish [d]",
    "delay_resource": "Resource whose conflict delayed the task",
    "delay_source": "Task that met the conflict (itself, or an upstream task)",
    "blocking_task": "Task holding the resource when the delay source could not start",
    "slip": "Working days from a project's unlevelled to its levelled finish [d]",
    "reason": "Why a project slips, in words",
}

_TOL = 1e-9


@dataclass(frozen=True)
class Loading:
    """Demand, capacity and utilisation tables of one portfolio (:func:`portfolio_loading`).

    Attributes
    ----------
    demand, capacity, utilisation : DataFrame
        Indexed by ``period``, one column per resource or role (:func:`demand`,
        :func:`capacity`, :func:`utilisation`).
    freq : str
        Period length, one of :data:`FREQUENCIES`.
    by : str
        Column grouping, one of :data:`BY`.
    """

    demand: pd.DataFrame
    capacity: pd.DataFrame
    utilisation: pd.DataFrame
    freq: str
    by: str


# -- validation ------------------------------------------------------------------------------
def _check_resources(resources: pd.DataFrame, by: str, function: str) -> pd.DataFrame:
    require_columns(resources, "resources", ["id", "capacity"] + (["role"] if by == "role" else []))
    res = resources.copy()
    res["id"] = res["id"].astype(str)
    cap = pd.to_numeric(res["capacity"], errors="coerce")
    bad = ~(cap >= 0)
    dup = res["id"].duplicated()
    problems = [Problem("resources", k + 2, res["id"].iat[k], "capacity",
                        f"{function}: capacity must be a number ≥ 0 [units], got "
                        f"{res['capacity'].iat[k]!r}") for k in np.flatnonzero(bad.to_numpy())]
    problems += [Problem("resources", k + 2, res["id"].iat[k], "id",
                         f"{function}: duplicate resource id") for k in np.flatnonzero(dup.to_numpy())]
    if problems:
        raise DataValidationError(problems)
    res["capacity"] = cap.astype(float)
    return res


def _columns(resources: pd.DataFrame, by: str) -> pd.Index:
    if by == "role":
        return pd.Index(sorted(resources["role"].astype(str).unique()), name="role")
    return pd.Index(resources["id"].to_numpy(), name="resource_id")


def _active_assignments(tasks, assignments, resources, by, start, finish, function):
    """The assignments joined to their task's dates: columns task_id, resource_id, key, units,
    start, finish (datetime64[D]); milestones dropped. Validates every reference."""
    require_columns(tasks, "tasks", ["id", start, finish])
    require_columns(assignments, "assignments", ["task_id", "resource_id", "units"])
    tid = tasks["id"].astype(str)
    dup = tid[tid.duplicated()]
    if len(dup):
        raise DataValidationError([Problem("tasks", None, t, "id", f"{function}: duplicate task id")
                                   for t in dup.unique()])
    a = pd.DataFrame({"task_id": assignments["task_id"].astype(str).to_numpy(),
                      "resource_id": assignments["resource_id"].astype(str).to_numpy(),
                      "units": pd.to_numeric(assignments["units"], errors="coerce").to_numpy(float)})
    label = a["task_id"] + "/" + a["resource_id"]
    row = np.arange(len(a)) + 2
    unknown_task = ~a["task_id"].isin(set(tid))
    problems = [Problem("assignments", row[k], label.iat[k], "task_id",
                        f"{function}: unknown task {a['task_id'].iat[k]!r} (resource "
                        f"{a['resource_id'].iat[k]!r})") for k in np.flatnonzero(unknown_task)]
    if resources is not None:
        unknown_res = ~a["resource_id"].isin(set(resources["id"]))
        problems += [Problem("assignments", row[k], label.iat[k], "resource_id",
                             f"{function}: unknown resource {a['resource_id'].iat[k]!r} (task "
                             f"{a['task_id'].iat[k]!r}); the resources table has "
                             f"{len(resources)} resources")
                     for k in np.flatnonzero(unknown_res)]
    if problems:
        raise UnknownReferenceError(problems)
    bad_units = ~(a["units"] >= 0)
    if bad_units.any():
        raise DataValidationError([
            Problem("assignments", row[k], label.iat[k], "units",
                    f"{function}: units must be a number ≥ 0, got {assignments['units'].iat[k]!r} "
                    f"(task {a['task_id'].iat[k]!r}, resource {a['resource_id'].iat[k]!r})")
            for k in np.flatnonzero(bad_units)])
    t = tasks.assign(id=tid).set_index("id")
    milestone = pd.Series(False, index=t.index)
    if "milestone" in t.columns:
        milestone |= t["milestone"].fillna(False).astype(bool)
    if "duration" in t.columns:
        milestone |= pd.to_numeric(t["duration"], errors="coerce").eq(0)
    a = a[~a["task_id"].map(milestone).to_numpy(bool)].reset_index(drop=True)
    # reindex, not map: Series.map of an empty Series on dates raises in pandas 2
    a["start"] = pd.to_datetime(t[start].reindex(a["task_id"])).to_numpy("datetime64[D]")
    a["finish"] = pd.to_datetime(t[finish].reindex(a["task_id"])).to_numpy("datetime64[D]")
    missing = np.isnat(a["start"].to_numpy()) | np.isnat(a["finish"].to_numpy())
    backwards = ~missing & (a["finish"].to_numpy() < a["start"].to_numpy())
    bad = pd.Index(a["task_id"][missing | backwards].unique())
    if len(bad):
        raise DataValidationError([
            Problem("tasks", None, b, f"{start}/{finish}",
                    f"{function}: an assigned task needs a {start} and a {finish} on or after it")
            for b in bad])
    if by == "role":
        a["key"] = a["resource_id"].map(resources.set_index("id")["role"].astype(str))
    else:
        a["key"] = a["resource_id"]
    return a


def _daily(a: pd.DataFrame, columns: pd.Index, calendar: WorkCalendar):
    """Daily demand matrix (days × columns) over the calendar days from the first start to the
    last finish, 0 on non-working days; with the grid's first day."""
    if a.empty:
        return np.zeros((0, len(columns))), None
    s = a["start"].to_numpy().astype("datetime64[D]")
    f = a["finish"].to_numpy().astype("datetime64[D]")
    origin = s.min()
    n = int((f.max() - origin).astype(int)) + 1
    si = (s - origin).astype(np.int64)
    lengths = (f - s).astype(np.int64) + 1
    total = int(lengths.sum())
    first = np.repeat(np.cumsum(lengths) - lengths, lengths)
    day = np.repeat(si, lengths) + (np.arange(total) - first)
    col = np.repeat(columns.get_indexer(a["key"]), lengths)
    units = np.repeat(a["units"].to_numpy(float), lengths)
    keep = col >= 0
    out = np.zeros((n, len(columns)))
    np.add.at(out, (day[keep], col[keep]), units[keep])
    days = origin + np.arange(n).astype("timedelta64[D]")
    out *= np.is_busday(days, busdaycal=calendar._busdaycal)[:, None]
    return out, origin


def _to_periods(daily: np.ndarray, origin, columns: pd.Index, freq: str) -> pd.DataFrame:
    days = pd.DatetimeIndex(origin + np.arange(len(daily)).astype("timedelta64[D]")
                            if origin is not None else [])
    frame = pd.DataFrame(daily, index=days.to_period(freq), columns=columns)
    out = frame.groupby(level=0, sort=True).sum()
    if len(out):
        out = out.reindex(pd.period_range(out.index[0], out.index[-1], freq=freq), fill_value=0.0)
    out.index = pd.PeriodIndex(out.index, freq=freq, name="period")
    return out


# -- public functions ------------------------------------------------------------------------
def demand(tasks: pd.DataFrame, assignments: pd.DataFrame, calendar: WorkCalendar, *,
           freq: str = "D", start: str = "baseline_start", finish: str = "baseline_finish",
           by: str = "resource_id", resources: pd.DataFrame | None = None) -> pd.DataFrame:
    """Units demanded per resource (or role) per day, week or month.

    Each assignment demands its ``units`` on every working day of its task, from the task's
    ``start`` date to its ``finish`` date, both included; milestones demand nothing.

    Parameters
    ----------
    tasks : DataFrame
        Columns ``id``, ``start`` and ``finish`` (dates); optional ``milestone`` and
        ``duration`` (a duration of 0 is a milestone).
    assignments : DataFrame
        Columns ``task_id``, ``resource_id``, ``units`` [units].
    calendar : WorkCalendar
    freq : {"D", "W", "M"}
        Period length (:data:`FREQUENCIES`); weeks run Monday to Sunday.
    start, finish : str
        The task columns holding the dates, e.g. ``"start_date"``, ``"finish_date"`` for a
        forecast schedule.
    by : {"resource_id", "role"}
        One column per resource or per role (:data:`BY`); ``"role"`` needs ``resources``.
    resources : DataFrame, optional
        Columns ``id``, ``capacity`` (and ``role``). When given, every assignment must name one
        of its resources, and the table has a column for each resource (or role), demanded or
        not.

    Returns
    -------
    DataFrame
        Index ``period`` (PeriodIndex of ``freq``) from the period of the first start to the
        period of the last finish; one column per resource id or role, sorted by id or role
        unless ``resources`` gives the order. Values: demand [units/d] for ``"D"`` (0 on
        non-working days), else the sum of the daily demand over the period [unit-days].

    Raises
    ------
    DataValidationError
        An unknown ``freq`` or ``by``; ``by="role"`` without ``resources``; a missing column;
        negative or missing units (naming the task and resource); a duplicate task id; an
        assigned task without dates or finishing before it starts.
    UnknownReferenceError
        An assignment to an unknown task or (with ``resources``) an unknown resource, naming
        both.

    Notes
    -----
    demand(r, d) = Σ_{a ∈ assignments of r} units_a · [start_a ≤ d ≤ finish_a] · working(d),
    summed over the days d of a period for ``"W"`` and ``"M"``.

    Examples
    --------
    >>> from pmo_lib.calendar import WorkCalendar
    >>> tasks = pd.DataFrame({"id": ["A", "B"], "baseline_start": ["2025-01-02", "2025-01-03"],
    ...                       "baseline_finish": ["2025-01-06", "2025-01-03"]})
    >>> assignments = pd.DataFrame({"task_id": ["A", "B"], "resource_id": ["R1", "R1"],
    ...                             "units": [1.0, 0.5]})
    >>> demand(tasks, assignments, WorkCalendar())["R1"].tolist()  # Thu to Mon
    [1.0, 1.5, 0.0, 0.0, 1.0]
    >>> demand(tasks, assignments, WorkCalendar(), freq="W")
    resource_id             R1
    period
    2024-12-30/2025-01-05  2.5
    2025-01-06/2025-01-12  1.0
    """
    check_choice(freq, FREQUENCIES, "demand", "freq", "frequency")
    check_choice(by, BY, "demand", "by", "grouping")
    if by == "role" and resources is None:
        raise DataValidationError(Problem("demand", None, None, "resources",
                                          "by='role' needs the resources table (for each "
                                          "resource's role)"))
    res = _check_resources(resources, by, "demand") if resources is not None else None
    a = _active_assignments(tasks, assignments, res, by, start, finish, "demand")
    if res is not None:
        columns = _columns(res, by)
    else:
        columns = pd.Index(sorted(a["key"].unique()), name="resource_id")
    daily, origin = _daily(a, columns, calendar)
    return _to_periods(daily, origin, columns, freq)


def capacity(resources: pd.DataFrame, calendar: WorkCalendar, periods, *,
             freq: str | None = None, by: str = "resource_id") -> pd.DataFrame:
    """Units available per resource (or role) in each period: capacity × working days.

    Parameters
    ----------
    resources : DataFrame
        Columns ``id``, ``capacity`` [units] (and ``role`` for ``by="role"``).
    calendar : WorkCalendar
        Its weekends and holidays have no capacity.
    periods : PeriodIndex, DatetimeIndex or sequence of dates
        The periods, e.g. ``demand(...).index``. Dates are converted to periods of ``freq``.
    freq : {"D", "W", "M"}, optional
        Needed when ``periods`` is not a PeriodIndex; else taken from it.
    by : {"resource_id", "role"}
        One column per resource or per role (summing the capacity of its resources).

    Returns
    -------
    DataFrame
        Index ``period``; one column per resource (in table order) or role (sorted). [unit-days]

    Raises
    ------
    DataValidationError
        An unknown ``freq`` or ``by``, a missing column, a negative or missing capacity, a
        duplicate resource id.

    Examples
    --------
    >>> from pmo_lib.calendar import WorkCalendar
    >>> resources = pd.DataFrame({"id": ["R1", "R2"], "capacity": [1.0, 0.5]})
    >>> months = pd.period_range("2025-12", "2026-01", freq="M")
    >>> capacity(resources, WorkCalendar(holidays=["2025-12-25"]), months)
    resource_id    R1    R2
    period
    2025-12      22.0  11.0
    2026-01      22.0  11.0
    """
    check_choice(by, BY, "capacity", "by", "grouping")
    if isinstance(periods, pd.PeriodIndex):
        own = periods.freqstr.split("-")[0]  # "W-SUN" is a week
        freq = own if freq is None else freq
        check_choice(freq, FREQUENCIES, "capacity", "freq", "frequency")
        if own != freq:
            raise DataValidationError(Problem("capacity", None, None, "freq",
                                              f"periods of frequency {own!r} with freq={freq!r}"))
        periods = pd.PeriodIndex(periods, name="period")
    else:
        check_choice(freq, FREQUENCIES, "capacity", "freq", "frequency")
        periods = pd.DatetimeIndex(pd.to_datetime(list(periods))).to_period(freq).rename("period")
    res = _check_resources(resources, by, "capacity")
    days = np.asarray(calendar.working_days(periods.start_time, periods.end_time.normalize()),
                      dtype=float)
    if by == "role":
        per = res.groupby(res["role"].astype(str))["capacity"].sum()
        columns = _columns(res, by)
        cap = per.reindex(columns).to_numpy(float)
    else:
        columns = _columns(res, by)
        cap = res["capacity"].to_numpy(float)
    return pd.DataFrame(np.outer(days, cap), index=periods, columns=columns)


def utilisation(demand: pd.DataFrame, capacity: pd.DataFrame) -> pd.DataFrame:
    """Demand / capacity per period and column, NaN where the capacity is 0.

    The two tables are aligned on their periods and columns (missing demand counts as 0,
    missing capacity as 0).

    Parameters
    ----------
    demand, capacity : DataFrame
        As returned by :func:`demand` and :func:`capacity` for the same ``freq`` and ``by``.

    Returns
    -------
    DataFrame
        Utilisation [fraction]; above 1 means over-allocated.

    Examples
    --------
    >>> d = pd.DataFrame({"R1": [5.0, 3.0]})
    >>> c = pd.DataFrame({"R1": [4.0, 0.0]})
    >>> utilisation(d, c)["R1"].tolist()
    [1.25, nan]
    """
    for name, df in (("demand", demand), ("capacity", capacity)):
        if not isinstance(df, pd.DataFrame):
            raise DataValidationError(Problem("utilisation", None, None, name,
                                              f"expected a DataFrame, got {type(df).__name__}"))
    d, c = demand.align(capacity, join="outer")
    d, c = d.fillna(0.0), c.fillna(0.0)
    return pd.DataFrame(ratio(d.to_numpy(float), c.to_numpy(float)), index=d.index,
                        columns=d.columns)


def overallocations(tasks: pd.DataFrame, assignments: pd.DataFrame, resources: pd.DataFrame,
                    calendar: WorkCalendar, *, start: str = "baseline_start",
                    finish: str = "baseline_finish") -> pd.DataFrame:
    """Runs of consecutive working days on which a resource is asked for more than its capacity.

    Parameters
    ----------
    tasks, assignments : DataFrame
        As for :func:`demand`.
    resources : DataFrame
        Columns ``id``, ``capacity`` [units].
    calendar : WorkCalendar
    start, finish : str
        The task columns holding the dates.

    Returns
    -------
    DataFrame
        One row per resource and run, sorted by resource then start: ``resource_id``,
        ``start``, ``finish`` (first and last working day of the run; non-working days do not
        break a run), ``working_days`` [d], ``peak_demand`` [units], ``capacity`` [units],
        ``excess`` (peak_demand − capacity) [units], ``tasks`` (ids of the resource's tasks
        active during the run, joined with ``";"``).

    Raises
    ------
    DataValidationError, UnknownReferenceError
        As :func:`demand` with ``resources``.

    Examples
    --------
    >>> from pmo_lib.calendar import WorkCalendar
    >>> tasks = pd.DataFrame({"id": ["A", "B"], "baseline_start": ["2025-01-02", "2025-01-03"],
    ...                       "baseline_finish": ["2025-01-06", "2025-01-07"]})
    >>> assignments = pd.DataFrame({"task_id": ["A", "B"], "resource_id": ["R1", "R1"],
    ...                             "units": [1.0, 0.5]})
    >>> resources = pd.DataFrame({"id": ["R1"], "capacity": [1.0]})
    >>> o = overallocations(tasks, assignments, resources, WorkCalendar())
    >>> o[["resource_id", "start", "finish", "working_days", "excess", "tasks"]]
      resource_id      start     finish  working_days  excess tasks
    0          R1 2025-01-03 2025-01-06             2     0.5   A;B
    """
    res = _check_resources(resources, "resource_id", "overallocations")
    a = _active_assignments(tasks, assignments, res, "resource_id", start, finish,
                            "overallocations")
    columns = _columns(res, "resource_id")
    daily, origin = _daily(a, columns, calendar)
    out_columns = ["resource_id", "start", "finish", "working_days", "peak_demand", "capacity",
                   "excess", "tasks"]
    if origin is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in out_columns})
    days = origin + np.arange(len(daily)).astype("timedelta64[D]")
    work = np.is_busday(days, busdaycal=calendar._busdaycal)
    days, load = days[work], daily[work]  # working days only: a weekend does not break a run
    cap = res["capacity"].to_numpy(float)
    over = load > cap[None, :] + _TOL
    padded = np.zeros((len(columns), len(days) + 2), dtype=np.int8)
    padded[:, 1:-1] = over.T
    step = np.diff(padded, axis=1)
    r0, s0 = np.nonzero(step == 1)     # row-major: sorted by resource, then day
    _, e0 = np.nonzero(step == -1)
    e0 = e0 - 1
    if len(r0) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in out_columns})
    cum_max = [load[s:e + 1, r].max() for r, s, e in zip(r0, s0, e0, strict=True)]
    runs = pd.DataFrame({
        "resource_id": columns.to_numpy()[r0],
        "start": pd.DatetimeIndex(days[s0].astype("datetime64[ns]")),
        "finish": pd.DatetimeIndex(days[e0].astype("datetime64[ns]")),
        "working_days": (e0 - s0 + 1).astype(int),
        "peak_demand": np.asarray(cum_max, dtype=float),
        "capacity": cap[r0],
    })
    runs["excess"] = runs["peak_demand"] - runs["capacity"]
    runs["run"] = np.arange(len(runs))
    pairs = runs[["run", "resource_id", "start", "finish"]].merge(
        a[["resource_id", "task_id", "start", "finish"]], on="resource_id",
        suffixes=("", "_task"))
    overlap = ((pairs["start_task"].to_numpy("datetime64[D]") <= pairs["finish"].to_numpy("datetime64[D]"))
               & (pairs["finish_task"].to_numpy("datetime64[D]") >= pairs["start"].to_numpy("datetime64[D]")))
    names = (pairs[overlap].drop_duplicates(["run", "task_id"]).sort_values(["run", "task_id"])
             .groupby("run")["task_id"].agg(";".join))
    runs["tasks"] = runs["run"].map(names).fillna("")
    return runs[out_columns].reset_index(drop=True)


def portfolio_loading(portfolio: Portfolio, month=None, *, freq: str = "M",
                      by: str = "role") -> Loading:
    """Demand, capacity and utilisation of a portfolio's resources.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period, optional
        Without it, the tasks' baseline dates. With it, the forecast dates (``start_date``,
        ``finish_date``) of :func:`pmo_lib.schedule.schedule_portfolio` at that status month.
    freq : {"D", "W", "M"}
    by : {"resource_id", "role"}

    Returns
    -------
    Loading
        ``demand`` and ``capacity`` [unit-days] over the same periods and columns (every
        resource or role of the portfolio), and ``utilisation``.

    Raises
    ------
    DataValidationError, UnknownReferenceError
        As :func:`demand`; and the schedule's errors for a month.
    """
    check_choice(freq, FREQUENCIES, "portfolio_loading", "freq", "frequency")
    check_choice(by, BY, "portfolio_loading", "by", "grouping")
    if month is None:
        tasks, start, finish = portfolio.tasks, "baseline_start", "baseline_finish"
    else:
        from .schedule import schedule_portfolio

        sched = schedule_portfolio(portfolio, month)
        tasks = sched.rename_axis("id").reset_index()
        start, finish = "start_date", "finish_date"
    d = demand(tasks, portfolio.assignments, portfolio.calendar, freq=freq, start=start,
               finish=finish, by=by, resources=portfolio.resources)
    c = capacity(portfolio.resources, portfolio.calendar, d.index, freq=freq, by=by)
    return Loading(demand=d, capacity=c, utilisation=utilisation(d, c), freq=freq, by=by)


# -- resource levelling of a whole portfolio -------------------------------------------------
@dataclass(frozen=True)
class PortfolioLevelling:
    """A portfolio's unfinished work levelled within its resources (:func:`level_portfolio`).

    Attributes
    ----------
    tasks : DataFrame
        One row per unfinished task, indexed by task ``id`` (portfolio order):

        ``project_id``, ``name``, ``status``
            ``"in progress"`` or ``"not started"``.
        ``pinned``
            True for an in-progress task: it keeps its dates and resources.
        ``priority``
            The rank it was levelled with (1 = first): its project's, or the better rank of a
            task it feeds, directly or through other tasks (priority inheritance).
        ``duration``
            The work levelled: the remaining duration, rounded up to whole days. [d]
        ``start_date``, ``finish_date``
            Unlevelled: the CPM forecast of :func:`~pmo_lib.schedule.schedule_portfolio`
            (an in-progress task starts on its actual start).
        ``resume_date``
            First day of an in-progress task's remaining work (where it is pinned); NaT for a
            task not started.
        ``levelled_start``, ``levelled_finish``
            Dates after levelling (first and last working day).
        ``delay``
            Working days from ``finish_date`` to ``levelled_finish`` (0 for a pinned task).
            [d]
        ``delay_resource``, ``resource_name``, ``resource_role``
            The resource whose conflict delayed the task, its name and role (None when not
            delayed, or delayed by links alone).
        ``delay_source``
            The task that met the conflict: the task itself, or the upstream task whose
            delay pushes it through the links.
        ``blocking_task``
            A task holding ``delay_resource`` when ``delay_source`` could not start a day
            earlier: the one of the highest priority, then the earliest.
    projects : DataFrame
        One row per project, indexed by ``project_id`` (projects order): ``name``,
        ``priority`` (the rank levelled with, 1 = first), ``open_tasks``, ``finish``
        (unlevelled forecast finish date: the latest ``finish_date`` of its tasks, actual for
        complete ones), ``levelled_finish``, ``slip`` (working days from ``finish`` to
        ``levelled_finish``) [d], ``driving_task`` (the task finishing last after levelling,
        None without open tasks), ``delay_resource``, ``delay_source``, ``blocking_task``
        (of the driving task, when the project slips) and ``reason`` (the slip in words, e.g.
        ``"R35 Trainer over-booked by CRM-0075 (priority 2 CRM first), delaying DAT-0038"``:
        the resource, the task holding it and why that one went first (a better rank, its
        own project, in progress), and the task that met the conflict; ``""`` when it does
        not slip).
    overallocations_before, overallocations_after : DataFrame
        :func:`overallocations` of the remaining work (from the data date on) on the
        unlevelled and on the levelled dates, with the assignments' own units. After
        levelling, a run can only involve pinned (in-progress) tasks, which may over-book a
        resource between them, and tasks needing more than a capacity on their own.
    result : LevelResult
        What :func:`pmo_lib.levelling.level` returned: offsets are working days from
        ``base_offset`` (``result.schedule`` indexed by task id).
    month : Period or None
        The status month (None: the plan from the project start dates).
    status_date : Timestamp or None
        Its data date.
    data_date : Timestamp
        First working day of the work levelled (the day after the status date; the earliest
        project start without a month).
    base_offset : int
        Working-day offset of ``result``'s day 0 from the schedule start (the earliest project
        start; ``tasks`` dates are ``calendar`` dates of offset ``base_offset + start``). [d]
    priorities : Series
        The rank of each project (index ``project_id``) after the ``priorities`` override.
    resources : DataFrame
        The resource table levelled with: ``id``, ``name``, ``role``, ``capacity`` [units].
    assignments : DataFrame
        The assignments of the unfinished tasks: ``task_id``, ``resource_id``, ``units``.
    calendar : WorkCalendar
    """

    tasks: pd.DataFrame = field(repr=False)
    projects: pd.DataFrame = field(repr=False)
    overallocations_before: pd.DataFrame = field(repr=False)
    overallocations_after: pd.DataFrame = field(repr=False)
    result: LevelResult = field(repr=False)
    month: pd.Period | None
    status_date: pd.Timestamp | None
    data_date: pd.Timestamp
    base_offset: int
    priorities: pd.Series = field(repr=False)
    resources: pd.DataFrame = field(repr=False)
    assignments: pd.DataFrame = field(repr=False)
    calendar: WorkCalendar = field(repr=False)

    @property
    def delayed(self) -> pd.DataFrame:
        """The rows of :attr:`tasks` that levelling delayed (``delay > 0``)."""
        return self.tasks[self.tasks["delay"] > 0]

    def loading(self, *, levelled: bool = True, freq: str = "M", by: str = "role") -> Loading:
        """Demand, capacity and utilisation of the remaining work, levelled or not.

        Parameters
        ----------
        levelled : bool
            The levelled dates (default) or the unlevelled CPM forecast.
        freq : {"D", "W", "M"}
        by : {"resource_id", "role"}

        Returns
        -------
        Loading
            As :func:`portfolio_loading`, for the unfinished tasks from the data date on
            (an in-progress task from its ``resume_date``), with :attr:`resources`.
        """
        check_choice(freq, FREQUENCIES, "PortfolioLevelling.loading", "freq", "frequency")
        check_choice(by, BY, "PortfolioLevelling.loading", "by", "grouping")
        d = demand(_work_windows(self.tasks, levelled), self.assignments, self.calendar,
                   freq=freq, start="start", finish="finish", by=by, resources=self.resources)
        c = capacity(self.resources, self.calendar, d.index, freq=freq, by=by)
        return Loading(demand=d, capacity=c, utilisation=utilisation(d, c), freq=freq, by=by)


def _work_windows(tasks: pd.DataFrame, levelled: bool) -> pd.DataFrame:
    """The remaining work of each task of :attr:`PortfolioLevelling.tasks`: ``id``,
    ``start`` (the ``resume_date`` of a task in progress), ``finish``, ``duration``."""
    start = tasks["levelled_start"] if levelled else tasks["start_date"]
    finish = tasks["levelled_finish"] if levelled else tasks["finish_date"]
    return pd.DataFrame({"id": tasks.index,
                         "start": tasks["resume_date"].fillna(start).to_numpy(),
                         "finish": finish.to_numpy(), "duration": tasks["duration"].to_numpy()})


def _project_ranks(portfolio: Portfolio, priorities) -> pd.Series:
    """Each project's rank: ``projects.priority`` with the ``priorities`` override."""
    projects = portfolio.projects
    ids = projects["id"].astype(str)
    base = pd.to_numeric(projects["priority"], errors="coerce").to_numpy(float)
    ranks = pd.Series(base, index=pd.Index(ids, name="project_id"), name="priority")
    if priorities is None:
        items = []
    elif isinstance(priorities, (Mapping, pd.Series)):
        items = list(priorities.items())
    else:
        raise DataValidationError(Problem(
            "priorities", None, None, None, f"level_portfolio: priorities must map project "
            f"ids to ranks (a dict or Series), got {type(priorities).__name__}"))
    unknown = [k for k, _ in items if str(k) not in ranks.index]
    if unknown:
        raise UnknownReferenceError([Problem(
            "priorities", None, str(k), "project_id",
            f"level_portfolio: unknown project {k!r}; the projects are "
            f"{', '.join(ranks.index[:20])}") for k in unknown])
    bad = []
    for k, v in items:
        try:
            x = float(v)
        except (TypeError, ValueError):
            x = np.nan
        if isinstance(v, bool) or not np.isfinite(x) or x < 1 or x != int(x):
            bad.append(Problem("priorities", None, str(k), "priority",
                               f"level_portfolio: rank must be a whole number ≥ 1 (1 = "
                               f"highest), got {v!r}"))
        else:
            ranks[str(k)] = x
    if bad:
        raise DataValidationError(bad)
    worst = np.nanmax(ranks.to_numpy(), initial=0.0)
    return ranks.fillna(worst + 1).astype(np.int64)  # an unranked project goes last


def _resource_table(portfolio: Portfolio, resources: pd.DataFrame | None) -> pd.DataFrame:
    """The resources levelled with (``id``, ``name``, ``role``, ``capacity``), validated."""
    own = portfolio.resources.copy()
    own["id"] = own["id"].astype(str)
    if resources is None:
        res = own
    else:
        require_columns(resources, "resources", ["id", "capacity"], what="resources override")
        res = resources.copy()
        res["id"] = res["id"].astype(str)
        known = own.drop_duplicates("id").set_index("id")
        for col in ("name", "role"):
            if col not in res.columns:
                res[col] = res["id"].map(known[col]) if col in known.columns else None
    for col in ("name", "role"):
        if col not in res.columns:
            res[col] = None
    res["name"] = res["name"].astype(object).where(res["name"].notna(), res["id"])
    res["role"] = res["role"].astype(object).where(res["role"].notna(), "")
    return _check_resources(res, "resource_id", "level_portfolio")[
        ["id", "name", "role", "capacity"]].reset_index(drop=True)


def _missing_resources(assignments: pd.DataFrame, res: pd.DataFrame,
                       own: pd.DataFrame) -> None:
    """An UnknownReferenceError for each resource the unfinished tasks use that ``res`` lacks,
    naming the tasks."""
    gone = assignments[~assignments["resource_id"].isin(set(res["id"]))]
    if gone.empty:
        return
    names = own.assign(id=own["id"].astype(str)).drop_duplicates("id").set_index("id")
    problems = []
    for rid, rows in gone.groupby("resource_id", sort=False):
        who = f" ({names.at[rid, 'name']})" if rid in names.index and "name" in names else ""
        tasks = list(dict.fromkeys(rows["task_id"]))
        more = f" ... and {len(tasks) - 20} more" if len(tasks) > 20 else ""
        problems.append(Problem(
            "resources", None, rid, "id",
            f"level_portfolio: resource {rid!r}{who} is not in the resources table but is "
            f"assigned to unfinished task(s) {', '.join(tasks[:20])}{more}; keep it (a lower "
            "capacity is fine) or reassign those tasks"))
    raise UnknownReferenceError(problems)


def _levelled_units(a: pd.DataFrame, res: pd.DataFrame, pinned: set) -> pd.DataFrame:
    """The assignments as levelled: units summed per task and resource, and a task that needs
    more than a resource's capacity by itself takes all of it (with a warning). A task not
    started on a resource without capacity can never be scheduled: an error naming it."""
    total = a.groupby(["task_id", "resource_id"], sort=False, as_index=False)["units"].sum()
    cap = total["resource_id"].map(res.set_index("id")["capacity"]).to_numpy(float)
    units = total["units"].to_numpy(float)
    never = (cap <= 0) & (units > 0) & ~total["task_id"].isin(pinned).to_numpy(bool)
    if never.any():
        raise DataValidationError([Problem(
            "resources", None, total["resource_id"].iat[k], "capacity",
            f"level_portfolio: resource {total['resource_id'].iat[k]!r} has no capacity but "
            f"unfinished task {total['task_id'].iat[k]!r} needs {units[k]:g} units of it; "
            "give it a capacity or reassign the task") for k in np.flatnonzero(never)[:20]])
    over = units > cap + _TOL
    if over.any():
        listed = ", ".join(f"{total['task_id'].iat[k]} ({units[k]:g} of "
                           f"{total['resource_id'].iat[k]}'s {cap[k]:g})"
                           for k in np.flatnonzero(over)[:10])
        more = f" and {over.sum() - 10} more" if over.sum() > 10 else ""
        warnings.warn(f"level_portfolio: {over.sum()} unfinished task(s) need more units than "
                      f"the resource's capacity: {listed}{more}; each is levelled as taking "
                      "the whole capacity and stays over-allocated", stacklevel=3)
    total["units"] = np.minimum(units, cap)
    return total


def _inherited_ranks(ids: pd.Index, links: pd.DataFrame, rank: np.ndarray) -> np.ndarray:
    """The rank each task is levelled with: the best of its own and its successors' (the
    priority inheritance of :func:`pmo_lib.levelling.level`)."""
    out = pd.Series(rank, index=ids)
    if len(links) == 0:
        return out.to_numpy(np.int64)
    graph = nx.DiGraph(zip(links["pred"].astype(str), links["succ"].astype(str), strict=True))
    for j in reversed(list(nx.topological_sort(graph))):
        succ = list(graph.successors(j))
        if succ:
            out[j] = min(out[j], out[succ].min())
    return out.to_numpy(np.int64)


def _blocker(j: int, r: int, start, dur, a_task, a_res, a_units, cap, rank):
    """The task holding resource ``r`` on the days task ``j`` would have used had it started a
    day earlier: among those active on an over-booked day (else on any of those days), the one
    of the highest priority, then the earliest start. -1 when none."""
    lo, hi = start[j] - 1, start[j] - 1 + max(dur[j], 1)
    mine = a_res == r
    tj = a_task[mine]
    uj = a_units[mine]
    others = tj != j
    if not others.any():
        return -1
    tj, uj = tj[others], uj[others]
    days = np.arange(lo, hi)
    active = (start[tj][:, None] <= days[None, :]) & (days[None, :] < (start + dur)[tj][:, None])
    need = a_units[mine & (a_task == j)].sum()
    over = (uj[:, None] * active).sum(axis=0) + need > cap[r] + _TOL
    hits = active[:, over].any(axis=1) if over.any() else active.any(axis=1)
    if not hits.any():
        return -1
    cand = np.unique(tj[hits])
    best = np.lexsort((cand, start[cand], rank[cand]))[0]
    return int(cand[best])


def level_portfolio(portfolio: Portfolio, month=None, *, priorities=None,
                    resources: pd.DataFrame | None = None, schedules: int = 1000, seed=0,
                    method: str = "sgs", time_limit: float = 10.0) -> PortfolioLevelling:
    """Level a portfolio's unfinished work within its resources, the projects by priority.

    Every unfinished task of every project (cross-project links included) goes to
    :func:`pmo_lib.levelling.level`, each with its project's priority rank, its earliest
    start and, for a task in progress, its pinned position; the levelled offsets come back as
    dates on the portfolio calendar, compared with the CPM forecast task by task and project
    by project, with the reason each project slips.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period, optional
        Status month. Without it, the plan from the project start dates (every task not
        started). With it, complete tasks are left out; a task in progress is pinned where
        the CPM forecast puts its remaining work (the data date) and keeps its resources; a
        task not started cannot start before its CPM early start at that month (so never
        before the data date).
    priorities : mapping project id → rank, optional
        Overrides ``projects.priority`` for the projects it names (whole numbers, 1 =
        levelled first; equal ranks compete as one, for the shortest schedule). The what-if
        of "which project goes first". A task feeding a task of a better rank (through links,
        across projects too) is levelled at that rank (``tasks["priority"]``).
    resources : DataFrame, optional
        Replaces ``portfolio.resources``: ``id``, ``capacity`` [units per working day], and
        optionally ``name`` and ``role`` (taken from the portfolio for a known id). Add a
        resource, remove one or change a capacity; every resource an unfinished task is
        assigned to must stay.
    schedules : int
        Budget of the levelling heuristic (schedule generation passes).
    seed : int
        Seed of the heuristic's random sampling; the same seed gives the same schedule.
    method : str
        :data:`pmo_lib.levelling.METHODS`: ``"sgs"`` (the heuristics) or ``"cpsat"``
        (OR-Tools CP-SAT, exact, warm-started by the heuristics; needs the ``cpsat`` extra).
    time_limit : float
        Wall-clock limit of the ``"cpsat"`` search. [s]

    Returns
    -------
    PortfolioLevelling
        ``tasks``, ``projects``, ``overallocations_before``/``_after``, the
        :class:`~pmo_lib.levelling.LevelResult` and the inputs used.

    Raises
    ------
    UnknownReferenceError
        A project in ``priorities`` that is not in the portfolio; a resource an unfinished
        task is assigned to missing from ``resources`` (naming the resource and the tasks).
    DataValidationError
        ``priorities`` that is not a mapping, or a rank that is not a whole number ≥ 1; a
        ``resources`` table without ``id`` or ``capacity`` (MissingDataError), with a
        negative capacity or a duplicate id; a resource without capacity that a task not
        started needs (it could never be scheduled; naming both); an unknown method.
    ScheduleError, MissingDataError
        From :func:`~pmo_lib.schedule.schedule_portfolio` (a cycle, a month without status)
        and :func:`~pmo_lib.levelling.level`.
    MissingDependencyError
        ``method="cpsat"`` without OR-Tools installed.

    Warns
    -----
    UserWarning
        Unfinished tasks needing more units of a resource than its capacity (the sample's
        part-time analyst on a full-time task): each is levelled as taking the whole
        capacity and stays in ``overallocations_after``. In-progress tasks that alone
        over-book a resource (from :func:`~pmo_lib.levelling.level`).

    Notes
    -----
    Time is in working days on ``portfolio.calendar``, offsets from the earliest project start
    as in :func:`~pmo_lib.schedule.schedule_portfolio`. Levelling works in whole days: a
    remaining duration is rounded up, and a task the CPM starts part-way through a day (after
    a fractional remaining duration) is released the next morning, so that its finish is the
    CPM's. Links into or out of a pinned task are already in the CPM early starts and are not
    passed on. Date constraints act through those early starts (SNET, MSO); levelling only
    delays tasks, so it can break a finish-no-later-than constraint (PMBOK: resource levelling
    can change the critical path). ``delay`` and ``slip`` are differences of working-day
    offsets: ``slip = offset(levelled_finish) − offset(finish)`` ≥ 0.

    References
    ----------
    PMI, *PMBOK Guide*, 6th ed., §6.5.2.3 (resource levelling), 2017. Kolisch, R. & Hartmann,
    S. (2006). Experimental investigation of heuristics for resource-constrained project
    scheduling: an update. *EJOR* 174(1), 23–37.

    Examples
    --------
    >>> from pmo_lib import load_portfolio
    >>> pf = load_portfolio("tests/data/mini")
    >>> lev = level_portfolio(pf, schedules=20)
    >>> lev.projects[["priority", "finish", "levelled_finish", "slip"]]
                priority     finish levelled_finish  slip
    project_id
    P1                 1 2026-01-26      2026-01-26     0
    P2                 2 2026-01-30      2026-01-30     0
    """
    from .schedule import _dates, _day_span, schedule_portfolio

    check_choice(method, levelling.METHODS, "level_portfolio", "method", "levelling method")
    ranks = _project_ranks(portfolio, priorities)
    res = _resource_table(portfolio, resources)
    sched = schedule_portfolio(portfolio, month)
    cal = portfolio.calendar
    origin = sched.attrs["start"]
    status_date = None if month is None else portfolio.status_date(month)

    op = sched[sched["status"] != "complete"]
    ids = op.index
    n = len(ids)
    pinned = (op["status"] == "in progress").to_numpy(bool)
    remaining = op["remaining"].to_numpy(float)
    dur = np.maximum(np.ceil(remaining - _TOL), 0).astype(np.int64)
    first = np.where(pinned, np.floor(op["early_finish"].to_numpy(float) - remaining + _TOL),
                     np.ceil(op["early_start"].to_numpy(float) - _TOL)).astype(np.int64)
    data_offset = sched.attrs["data_date"]
    base = int(first.min()) if n else int(data_offset or 0)
    if data_offset is not None:
        base = min(base, int(data_offset))

    a = portfolio.assignments
    a = pd.DataFrame({"task_id": a["task_id"].astype(str).to_numpy(),
                      "resource_id": a["resource_id"].astype(str).to_numpy(),
                      "units": pd.to_numeric(a["units"], errors="coerce").to_numpy(float)})
    a = a[a["task_id"].isin(set(ids))].reset_index(drop=True)
    _missing_resources(a, res, portfolio.resources)
    a_level = _levelled_units(a, res, set(ids[pinned]))

    open_ids = set(ids[~pinned])
    links = portfolio.links
    links = links[links["pred"].astype(str).isin(open_ids)
                  & links["succ"].astype(str).isin(open_ids)].reset_index(drop=True)
    project = op["project_id"].astype(str)
    rank = project.map(ranks).to_numpy(np.int64)
    effective = _inherited_ranks(ids, links, rank)
    tasks_in = pd.DataFrame({"id": ids.to_numpy(), "project_id": project.to_numpy(),
                             "duration": dur})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = levelling.level(
            tasks_in, links, res[["id", "capacity"]], a_level, schedules=schedules,
            seed=seed, method=method, time_limit=time_limit,
            priority=pd.Series(rank, index=ids), release=pd.Series(first - base, index=ids),
            fixed=pd.Series(np.where(pinned, first - base, np.nan), index=ids))
    for w in caught:  # said again from here, so that they point at the caller
        warnings.warn(f"level_portfolio: {w.message}", w.category, stacklevel=2)
    ls = result.schedule.reindex(ids)
    start = ls["start"].to_numpy(np.int64) + base
    start = np.where(pinned, first, start)  # pinned: never moved

    lo, hi = _day_span(start.astype(float), (start + dur).astype(float))
    lev_start = np.where(pinned, op["start_date"].to_numpy("datetime64[ns]"),
                         _dates(lo, cal, origin))
    lev_finish = _dates(hi, cal, origin)
    resume = np.where(pinned, _dates(first.astype(float), cal, origin),
                      np.datetime64("NaT", "ns"))
    finish_off = cal.date_to_offset(pd.DatetimeIndex(op["finish_date"]), origin) if n else \
        np.zeros(0, np.int64)
    delay = np.asarray(hi, dtype=np.int64) - np.asarray(finish_off, dtype=np.int64)

    rinfo = res.set_index("id")
    d_res = ls["delay_resource"].where(delay > 0)
    d_src = ls["delay_source"].where(delay > 0)
    # The task holding the resource where each delayed source met its conflict.
    pos = pd.Series(np.arange(n), index=ids)
    ridx = pd.Index(res["id"])
    a_task = pos.reindex(a_level["task_id"]).to_numpy(np.int64)
    a_res = ridx.get_indexer(a_level["resource_id"]).astype(np.int64)
    a_units = a_level["units"].to_numpy(float)
    cap = res["capacity"].to_numpy(float)
    blocking = {}
    pairs = pd.DataFrame({"src": d_src, "res": d_res}).dropna().drop_duplicates()
    for src, rid in pairs.itertuples(index=False):
        b = _blocker(int(pos[src]), ridx.get_loc(rid), start, dur, a_task, a_res, a_units,
                     cap, effective)
        blocking[(src, rid)] = ids[b] if b >= 0 else None
    block = [blocking.get((s, r)) if isinstance(s, str) and isinstance(r, str) else None
             for s, r in zip(d_src, d_res, strict=True)]

    tasks = pd.DataFrame({
        "project_id": project.to_numpy(),
        "name": op["name"].to_numpy(),
        "status": op["status"].to_numpy(),
        "pinned": pinned,
        "priority": effective,
        "duration": dur,
        "start_date": op["start_date"].to_numpy("datetime64[ns]"),
        "finish_date": op["finish_date"].to_numpy("datetime64[ns]"),
        "resume_date": resume,
        "levelled_start": lev_start,
        "levelled_finish": lev_finish,
        "delay": delay,
        "delay_resource": d_res.to_numpy(object),
        "resource_name": d_res.map(rinfo["name"]).to_numpy(object),
        "resource_role": d_res.map(rinfo["role"]).to_numpy(object),
        "delay_source": d_src.to_numpy(object),
        "blocking_task": np.asarray(block, dtype=object),
    }, index=pd.Index(ids, name="id"))
    for col in ("delay_resource", "resource_name", "resource_role", "delay_source",
                "blocking_task"):
        tasks[col] = tasks[col].where(tasks[col].notna(), None)

    projects = _project_table(portfolio, sched, tasks, ranks, rinfo, cal, origin)
    before, after = (overallocations(_work_windows(tasks, levelled), a, res, cal,
                                     start="start", finish="finish")
                     for levelled in (False, True))
    return PortfolioLevelling(
        tasks=tasks, projects=projects, overallocations_before=before,
        overallocations_after=after, result=result,
        month=None if month is None else parse_month(month), status_date=status_date,
        data_date=pd.Timestamp(cal.offset_to_date(base, origin)), base_offset=base,
        priorities=ranks,
        resources=res, assignments=a, calendar=cal)


def _project_table(portfolio, sched, tasks, ranks, rinfo, cal, origin) -> pd.DataFrame:
    ids = pd.Index(portfolio.projects["id"].astype(str), name="project_id")
    names = pd.Series(portfolio.projects["name"].to_numpy(), index=ids)
    project = sched["project_id"].astype(str)
    finish = sched["finish_date"].groupby(project).max().reindex(ids)
    done = sched[sched["status"] == "complete"]
    done_finish = done["finish_date"].groupby(done["project_id"].astype(str)).max()
    lev = tasks["levelled_finish"].groupby(tasks["project_id"]).max()
    levelled = pd.concat([done_finish, lev]).groupby(level=0).max().reindex(ids)
    open_tasks = tasks.groupby("project_id").size().reindex(ids, fill_value=0)
    slip = np.zeros(len(ids), np.int64)
    ok = finish.notna().to_numpy() & levelled.notna().to_numpy()
    if ok.any():
        slip[ok] = (cal.date_to_offset(pd.DatetimeIndex(levelled[ok]), origin)
                    - cal.date_to_offset(pd.DatetimeIndex(finish[ok]), origin))
    # The driving task: the open task finishing last (ties: the most delayed).
    ordered = tasks.assign(_pos=np.arange(len(tasks))).sort_values(
        ["project_id", "levelled_finish", "delay", "_pos"],
        ascending=[True, False, False, True])
    driving = ordered.groupby("project_id").head(1).reset_index().set_index("project_id")
    drive = driving["id"].reindex(ids)
    slipped = slip > 0
    cols = {}
    for col in ("delay_resource", "delay_source", "blocking_task"):
        values = driving[col].reindex(ids).to_numpy(object)
        cols[col] = [v if s and isinstance(v, str) else None
                     for v, s in zip(values, slipped, strict=True)]
    pid_of = tasks["project_id"]
    reasons = []
    for k, pid in enumerate(ids):
        if not slipped[k]:
            reasons.append("")
            continue
        rid, src, blk = cols["delay_resource"][k], cols["delay_source"][k], \
            cols["blocking_task"][k]
        if rid is None:
            reasons.append(f"waits for delayed task {src}" if src else
                           f"{drive[pid]} delayed by levelling")
            continue
        role = rinfo.at[rid, "role"]
        who = f"{rid} {role}".strip()
        if blk is None:
            why = f"{who} over-booked"
        else:
            bp = pid_of[blk]
            level = tasks.at[blk, "priority"]
            if tasks.at[blk, "pinned"]:
                whose = f"in progress, priority {ranks[bp]} {bp}"
            elif bp == pid_of[src]:
                whose = "same project first"
            elif level < ranks[bp]:
                whose = f"priority {level} {bp} first, inherited from its successors"
            else:
                whose = f"priority {level} {bp} first"
            why = f"{who} over-booked by {blk} ({whose})"
        reasons.append(f"{why}, delaying {src}")
    return pd.DataFrame({
        "name": names.to_numpy(object),
        "priority": ranks.reindex(ids).to_numpy(np.int64),
        "open_tasks": open_tasks.to_numpy(np.int64),
        "finish": finish.to_numpy("datetime64[ns]"),
        "levelled_finish": levelled.to_numpy("datetime64[ns]"),
        "slip": slip,
        "driving_task": pd.Series(drive.to_numpy(object)).where(drive.notna().to_numpy(),
                                                                None).to_numpy(object),
        **{c: np.asarray(v, dtype=object) for c, v in cols.items()},
        "reason": np.asarray(reasons, dtype=object),
    }, index=ids)
