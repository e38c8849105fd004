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
  baseline dates or on the forecast schedule of a status month (:class:`Loading`).

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

References
----------
Project Management Institute, *A Guide to the Project Management Body of Knowledge (PMBOK
Guide)*, 6th ed., §6.5.2.3 (resource optimisation), §9.2 Estimate Activity Resources
(resource histograms, resource breakdown), 2017.
Project Management Institute, *The Standard for Portfolio Management*, 4th ed., §6
(portfolio capacity and capability management), 2017.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._util import check_choice, ratio, require_columns
from .calendar import WorkCalendar
from .errors import DataValidationError, Problem, UnknownReferenceError
from .model import Portfolio

__all__ = [
    "BY",
    "FREQUENCIES",
    "GLOSSARY",
    "Loading",
    "capacity",
    "demand",
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
    a["start"] = pd.to_datetime(a["task_id"].map(t[start])).to_numpy("datetime64[D]")
    a["finish"] = pd.to_datetime(a["task_id"].map(t[finish])).to_numpy("datetime64[D]")
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
