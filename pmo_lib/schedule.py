"""Critical path scheduling (CPM) with all four link types, lags, constraints, calendars and progress.

:func:`cpm` schedules a network of tasks in working-day offsets; :func:`schedule_portfolio`
schedules a whole :class:`~pmo_lib.model.Portfolio` at a status date (each project from its
own start, with its actual progress). Both return one row per task, indexed by task id.

Time model
----------
Offsets are working days from the schedule start (offset 0 = the morning of the first working
day). A start offset ``s`` is the morning of working day ``s``; a finish offset is exclusive:
a task of duration ``d`` starting at ``s`` has ``early_finish = s + d`` and works on days
``s .. s + d - 1``, so its ``finish_date`` is the date of offset ``s + d - 1``. A milestone
(``d = 0``) sits at the end of the working day before its offset: both its dates are the date
of offset ``s - 1`` (offset 0 maps to the first day). A finish constraint (FNET, FNLT, MFO) on
date ``c`` bounds the finish offset by ``offset(c) + 1`` (the end of day ``c``); a start
constraint (SNET, SNLT, MSO) bounds the start offset by ``offset(c)``; on a milestone every
constraint is a finish constraint, so a milestone constrained to ``c`` shows ``c``. The status
date is the last day whose work is in the actuals: remaining work resumes at the next working
day's offset, the *data date* ``offset(status_date) + 1``.

Semantics (those of MS Project and Primavera P6)
-----------------------------------------------
Forward pass: ``ES = max(release, bounds from predecessors, start constraints)`` and
``EF = ES + d`` where a link ``pred → succ`` with lag ``L`` gives FS ``ES_s ≥ EF_p + L``,
SS ``ES_s ≥ ES_p + L``, FF ``EF_s ≥ EF_p + L``, SF ``EF_s ≥ ES_p + L``. Backward pass: a task
without successors has ``LF`` = its project's finish (the latest EF of the tasks sharing its
``project_id``; of all tasks when there is no such column) and no task's LF is later than that;
links give FS ``LS_p ≤ LS_s − L``... mirrored; FNLT/SNLT/MFO/MSO bound the late dates. MSO and
MFO fix the early dates too (even against the logic, like P6's mandatory constraints), so
constraints can make float negative: it is reported, never clamped.
``total_float = LF − EF`` (= LS − ES before a task starts); ``free_float`` = the least slack
over the task's outgoing links, or project finish − EF without successors; like the late
finish it never passes the project finish, so it never exceeds total float (MS Project). ``critical`` is
``total_float ≤ critical_float`` (0 by default); ``near_critical`` is ``0 < TF ≤ near_critical``;
``longest_path`` marks the tasks reached from the project finish through driving links (zero
slack): the longest path of P6. ALAP tasks are moved as late as their free float allows.

Progress (``status_date`` given, columns ``actual_start``, ``actual_finish`` and
``remaining_duration`` or ``percent_complete``): a complete task keeps its actual dates (float
NaN, not critical); an in-progress task keeps its actual start and its remaining duration runs
from the data date; nothing unfinished is scheduled before the data date. Out-of-sequence
progress uses *retained logic* (the remaining work of a started task still waits for its
predecessors) unless ``progress="override"`` (P6's progress override: a started task ignores
its predecessors).

What-if
-------
:func:`what_if_network` copies a network with some durations and links changed and
:func:`what_if_schedule` schedules the copy; :func:`portfolio_what_if` schedules a portfolio
as it is and with new durations and compares the projects (:func:`compare_projects`), each
summed up by :func:`project_summary` (forecast finish, baseline finish, finish variance).

Returned columns
----------------
``project_id`` (when given), ``duration``, ``remaining`` [d], ``status`` ("not started",
"in progress", "complete"), ``early_start``, ``early_finish``, ``late_start``, ``late_finish``
[d offsets, float], ``total_float``, ``free_float`` [d], ``critical``, ``near_critical``,
``longest_path`` (bool), and with a calendar and start date ``start_date``, ``finish_date``,
``late_start_date``, ``late_finish_date`` (datetime64). ``DataFrame.attrs`` holds ``start``
(the date of offset 0), ``data_date`` (offset or None) and ``project_finish`` (dict project →
finish offset; key None without projects).

References
----------
Kelley & Walker, "Critical-path planning and scheduling", 1959. PMI, *Practice Standard for
Scheduling*, 3rd ed., 2019. Oracle, *Primavera P6 Scheduling* (retained logic, progress
override, mandatory constraints, longest path). Microsoft, *Project constraint types*.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import networkx as nx
import numba
import numpy as np
import pandas as pd

from .calendar import WorkCalendar
from .errors import ScheduleError
from .model import CONSTRAINT_TYPES, DATE_CONSTRAINTS, LINK_TYPES, Portfolio

__all__ = [
    "PORTFOLIO_COLUMNS",
    "PROGRESS_MODES",
    "STATUSES",
    "compare_projects",
    "cpm",
    "critical_paths",
    "link_slack",
    "portfolio_what_if",
    "project_finish",
    "project_summary",
    "schedule_portfolio",
    "what_if_network",
    "what_if_schedule",
]

#: How a started task treats its predecessors: P6's retained logic or progress override.
PROGRESS_MODES = ("retained", "override")
#: Values of the ``status`` column.
STATUSES = ("not started", "in progress", "complete")
#: Columns of :func:`portfolio_what_if` and :func:`compare_projects`, in order.
PORTFOLIO_COLUMNS = ("name", "baseline_finish", "finish_before", "finish", "finish_change",
                     "finish_variance_before", "finish_variance", "open_tasks",
                     "critical_tasks")

_FS, _SS, _FF, _SF = range(4)
_NOT_STARTED, _IN_PROGRESS, _COMPLETE = range(3)
_EPS = 1e-9


# ----------------------------------------------------------------------------------------
# Compiled kernels (numba): one loop over the tasks in topological order per pass.
# ----------------------------------------------------------------------------------------
@numba.njit(cache=True, inline="always")
def _one_bound(t, lag, es_p, ef_p, d):  # pragma: no cover - compiled
    """Earliest start a link of type ``t`` (0 FS, 1 SS, 2 FF, 3 SF) allows a successor of
    duration ``d``: FS ES ≥ EF_p + lag; SS ES ≥ ES_p + lag; FF EF ≥ EF_p + lag; SF EF ≥
    ES_p + lag."""
    if t == 0:
        return ef_p + lag
    if t == 1:
        return es_p + lag
    if t == 2:
        return ef_p + lag - d
    return es_p + lag - d


@numba.njit(cache=True, inline="always")
def _one_slack(t, lag, es_p, ef_p, start_s, ef_s):  # pragma: no cover - compiled
    """Slack of one link of type ``t`` (0 FS, 1 SS, 2 FF, 3 SF): how far the predecessor
    could slip before the link binds the successor's start ``start_s`` / finish ``ef_s``."""
    if t == 0:
        return start_s - lag - ef_p
    if t == 1:
        return start_s - lag - es_p
    if t == 2:
        return ef_s - lag - ef_p
    return ef_s - lag - es_p


@numba.njit(cache=True)
def _link_index(n, pi, si, ltype, lag):  # pragma: no cover - compiled
    """Links grouped by successor (in-links) and by predecessor (out-links) with a counting
    sort, and a mask of links repeating an earlier (pred, succ) pair."""
    m = pi.size
    in_ptr = np.zeros(n + 1, np.int64)
    out_ptr = np.zeros(n + 1, np.int64)
    for k in range(m):
        in_ptr[si[k] + 1] += 1
        out_ptr[pi[k] + 1] += 1
    for i in range(n):
        in_ptr[i + 1] += in_ptr[i]
        out_ptr[i + 1] += out_ptr[i]
    in_fill = in_ptr[:-1].copy()
    out_fill = out_ptr[:-1].copy()
    in_src = np.empty(m, np.int64)
    in_type = np.empty(m, np.int64)
    in_lag = np.empty(m)
    in_link = np.empty(m, np.int64)
    out_dst = np.empty(m, np.int64)
    out_type = np.empty(m, np.int64)
    out_lag = np.empty(m)
    for k in range(m):
        r = in_fill[si[k]]
        in_fill[si[k]] += 1
        in_src[r] = pi[k]
        in_type[r] = ltype[k]
        in_lag[r] = lag[k]
        in_link[r] = k
        r = out_fill[pi[k]]
        out_fill[pi[k]] += 1
        out_dst[r] = si[k]
        out_type[r] = ltype[k]
        out_lag[r] = lag[k]
    last = np.full(n, -1, np.int64)
    dup = np.zeros(m, np.bool_)
    for j in range(n):
        for r in range(in_ptr[j], in_ptr[j + 1]):
            if last[in_src[r]] == j:
                dup[in_link[r]] = True
            last[in_src[r]] = j
    return in_ptr, in_src, in_type, in_lag, out_ptr, out_dst, out_type, out_lag, dup


@numba.njit(cache=True)
def _group_max(codes, values, groups):  # pragma: no cover - compiled
    out = np.full(groups, -np.inf)
    for k in range(codes.size):
        if values[k] > out[codes[k]]:
            out[codes[k]] = values[k]
    return out


@numba.njit(cache=True)
def _forward(in_ptr, in_src, in_type, in_lag, out_ptr, out_dst, dur, status, lower,
             forced_es, actual_es, actual_ef, data_date, override):  # pragma: no cover
    """Kahn's topological order and the forward pass in one sweep: a task is scheduled when it
    leaves the queue, after all its predecessors. Returns (order, count, es, ef); count < n
    means a cycle."""
    n = dur.size
    es = np.empty(n)
    ef = np.empty(n)
    indeg = np.empty(n, np.int64)
    order = np.empty(n, np.int64)
    tail = 0
    for i in range(n):
        indeg[i] = in_ptr[i + 1] - in_ptr[i]
        if indeg[i] == 0:
            order[tail] = i
            tail += 1
    head = 0
    while head < tail:
        i = order[head]
        head += 1
        d = dur[i]
        if status[i] == 2:  # complete
            es[i] = actual_es[i]
            ef[i] = actual_ef[i]
        elif status[i] == 1:  # in progress: remaining work resumes at the data date
            resume = data_date
            if not override:
                for k in range(in_ptr[i], in_ptr[i + 1]):
                    if in_type[k] == 1:  # SS concerns the start, which has happened
                        continue
                    p = in_src[k]
                    b = _one_bound(in_type[k], in_lag[k], es[p], ef[p], d)
                    if b > resume:
                        resume = b
            es[i] = actual_es[i]
            ef[i] = resume + d
        elif not np.isnan(forced_es[i]):  # mandatory start / finish
            es[i] = forced_es[i]
            ef[i] = forced_es[i] + d
        else:
            s = lower[i]
            for k in range(in_ptr[i], in_ptr[i + 1]):
                p = in_src[k]
                b = _one_bound(in_type[k], in_lag[k], es[p], ef[p], d)
                if b > s:
                    s = b
            es[i] = s
            ef[i] = s + d
        for k in range(out_ptr[i], out_ptr[i + 1]):
            j = out_dst[k]
            indeg[j] -= 1
            if indeg[j] == 0:
                order[tail] = j
                tail += 1
    return order, tail, es, ef


@numba.njit(cache=True)
def _backward(order, out_ptr, out_dst, out_type, out_lag, dur, status, finish_cap, upper,
              forced_lf, es, ef, override):  # pragma: no cover - compiled
    """Backward pass, successors first, with each task's free float (least link slack,
    capped at its project's finish) and whether it is on the longest path (reached back from
    the project finish through zero-slack links). Returns (ls, lf, free, on_path)."""
    n = dur.size
    ls = np.empty(n)
    lf = np.empty(n)
    free = np.empty(n)
    on = np.zeros(n, np.bool_)
    for r in range(order.size - 1, -1, -1):
        i = order[r]
        d = dur[i]
        done = status[i] == 2
        fl = finish_cap[i] - ef[i]
        path = not done and abs(fl) < 1e-9
        late = finish_cap[i]
        if upper[i] < late:
            late = upper[i]
        for k in range(out_ptr[i], out_ptr[i + 1]):
            j = out_dst[k]
            if status[j] == 2 or (override and status[j] == 1):
                continue
            t = out_type[k]
            lag = out_lag[k]
            sl = _one_slack(t, lag, es[i], ef[i], ef[j] - dur[j], ef[j])
            if sl < fl:
                fl = sl
            if abs(sl) < 1e-9 and on[j] and not done:
                path = True
            if t == 0:
                b = ls[j] - lag
            elif t == 1:
                # SS binds two starts: once either has happened it no longer limits this
                # task's remaining work (as the forward pass ignores it for the successor).
                if status[j] == 1 or status[i] == 1:
                    continue
                b = ls[j] - lag + d
            elif t == 2:
                b = lf[j] - lag
            else:
                if status[i] == 1:  # SF hangs off this task's start, which has happened
                    continue
                b = lf[j] - lag + d
            if b < late:
                late = b
        free[i] = fl
        on[i] = path
        if done:
            ls[i] = es[i]
            lf[i] = ef[i]
        elif not np.isnan(forced_lf[i]):
            lf[i] = forced_lf[i]
            ls[i] = forced_lf[i] - d
        else:
            lf[i] = late
            ls[i] = late - d
    return ls, lf, free, on


@numba.njit(cache=True)
def _alap(order, out_ptr, out_dst, out_type, out_lag, dur, status, alap, finish_cap, es,
          ef):  # pragma: no cover - compiled
    """Move as-late-as-possible tasks by their free float, successors first."""
    for r in range(order.size - 1, -1, -1):
        i = order[r]
        if not alap[i] or status[i] != 0:
            continue
        room = finish_cap[i] - ef[i]
        for k in range(out_ptr[i], out_ptr[i + 1]):
            j = out_dst[k]
            if status[j] == 2:
                continue
            s = _one_slack(out_type[k], out_lag[k], es[i], ef[i], ef[j] - dur[j], ef[j])
            if s < room:
                room = s
        if room > 0:
            es[i] += room
            ef[i] += room


# ----------------------------------------------------------------------------------------
# Input checks
# ----------------------------------------------------------------------------------------
def _fail(problems: list[str]) -> None:
    if problems:
        head = problems[0] if len(problems) == 1 else \
            f"{len(problems)} problems in the schedule network:\n  - " + "\n  - ".join(problems[:20])
        if len(problems) > 20:
            head += f"\n  ... and {len(problems) - 20} more"
        raise ScheduleError(head)


def _rows(mask, ids, what: str, limit: int = 20) -> list[str]:
    idx = np.flatnonzero(np.asarray(mask))
    return [f"task {ids[i]!r} (row {i + 2}): {what}" for i in idx[:limit]]


def _strings(values) -> np.ndarray:
    """IDs as an object array of str (no copy when they already are strings)."""
    if isinstance(values, (pd.Series, pd.Index)) and (
            values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
        return values.to_numpy(dtype=object)  # text already: no scan, no copy for object
    return np.asarray([str(v) for v in values], dtype=object)


def _task_ids(tasks: pd.DataFrame) -> pd.Index:
    ids = pd.Index(_strings(tasks["id"] if "id" in tasks.columns else tasks.index), name="id",
                   dtype=object)
    if not ids.is_unique:
        dup = ids[ids.duplicated()].unique()[:10]
        raise ScheduleError(f"duplicate task id(s) {', '.join(map(repr, dup))}; "
                            "task ids must be unique across the schedule")
    return ids


def _link_arrays(links: pd.DataFrame | None, ids: pd.Index):
    """Validated link arrays: pred index, succ index, type code, lag."""
    if links is None or len(links) == 0:
        e = np.zeros(0, np.int64)
        return e, e.copy(), e.copy(), np.zeros(0), _link_index(len(ids), e, e, e,
                                                                np.zeros(0))[:-1]
    missing = [c for c in ("pred", "succ") if c not in links.columns]
    if missing:
        raise ScheduleError(f"links need the columns pred and succ; missing {missing}")
    pred_ids, succ_ids = _strings(links["pred"]), _strings(links["succ"])
    # One pass over the ids' hash table; an object Index as target skips dtype inference.
    both = ids.get_indexer(pd.Index(np.concatenate([pred_ids, succ_ids]), dtype=object))
    pi, si = both[:len(links)], both[len(links):]

    def label(k):
        return f"link {pred_ids[k]}->{succ_ids[k]} (row {k + 2})"

    problems = []
    for col, arr, names in (("pred", pi, pred_ids), ("succ", si, succ_ids)):
        problems += [f"{label(k)}: unknown {col} task {names[k]!r}"
                     for k in np.flatnonzero(arr < 0)[:20]]
    if "type" in links.columns:
        codes, uniques = pd.factorize(links["type"].to_numpy(dtype=object),
                                      use_na_sentinel=False)
        canon = [str(u).strip().upper() if isinstance(u, str) else "FS" for u in uniques]
        known = pd.Index(LINK_TYPES).get_indexer(canon)
        types = known[codes]
        problems += [f"{label(k)}: unknown link type {links['type'].iloc[k]!r}; use one of "
                     f"{', '.join(LINK_TYPES)}" for k in np.flatnonzero(types < 0)[:20]]
    else:
        types = np.zeros(len(links), np.int64)
    if "lag" in links.columns:
        lag = pd.to_numeric(links["lag"], errors="coerce").fillna(0.0).to_numpy(float)
        problems += [f"{label(k)}: lag is not a finite number"
                     for k in np.flatnonzero(~np.isfinite(lag))[:20]]
    else:
        lag = np.zeros(len(links))
    problems += [f"{label(k)}: a task cannot depend on itself"
                 for k in np.flatnonzero((pi == si) & (pi >= 0))[:20]]
    _fail(problems)
    pi, si = pi.astype(np.int64), si.astype(np.int64)
    grouped = _link_index(len(ids), pi, si, types.astype(np.int64), lag)
    dup = grouped[-1]
    if dup.any():
        _fail([f"{label(k)}: duplicate link between the same two tasks"
               for k in np.flatnonzero(dup)[:20]])
    return pi, si, types.astype(np.int64), lag, grouped[:-1]


def _cycle_message(ids: pd.Index, pi: np.ndarray, si: np.ndarray) -> str:
    graph = nx.DiGraph(zip(ids[pi], ids[si], strict=True))
    cycle = nx.find_cycle(graph)
    path = " -> ".join([str(cycle[0][0]), *[str(v) for _, v in cycle]])
    return (f"dependency cycle {path}: a task cannot (indirectly) depend on itself; remove or "
            "reverse one of these links")


def _offsets(dates: pd.Series, calendar: WorkCalendar, start: pd.Timestamp) -> np.ndarray:
    """Working-day offsets of dates (NaN where the date is missing)."""
    out = np.full(len(dates), np.nan)
    ok = dates.notna().to_numpy()
    if ok.any():
        out[ok] = calendar.date_to_offset(pd.DatetimeIndex(dates[ok]), start)
    return out


def _finish_variance(finish: pd.Series, baseline: pd.Series, calendar: WorkCalendar,
                     start: pd.Timestamp) -> np.ndarray:
    """Working days from the baseline finish to the forecast finish (+ = late; NaN when a
    date is missing). [d]"""
    return _offsets(finish, calendar, start) - _offsets(baseline, calendar, start)


def _dates(days: np.ndarray, calendar: WorkCalendar, start: pd.Timestamp) -> np.ndarray:
    """Dates of whole working-day numbers (NaT where not finite)."""
    out = np.full(days.shape, np.datetime64("NaT"), dtype="datetime64[ns]")
    ok = np.isfinite(days)
    if ok.any():
        out[ok] = calendar.offset_to_date(days[ok].astype(np.int64), start)
    return out


def _day_span(start: np.ndarray, finish: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last working day (numbers) of work from offset ``start`` to ``finish``.

    Work that starts part-way through a day starts that day (floor); a finish part-way through
    a day is on that day (ceil − 1). Zero-length work (a milestone) sits at the end of the day
    before its offset, or on day 0 at the very start.
    """
    first = np.floor(start + _EPS)
    last = np.ceil(finish - _EPS) - 1.0
    zero = np.abs(finish - start) < _EPS
    last = np.where(zero, np.maximum(last, np.minimum(first, 0.0)), np.maximum(last, first))
    return np.where(zero, last, first), last


# ----------------------------------------------------------------------------------------
# The engine
# ----------------------------------------------------------------------------------------
def cpm(tasks: pd.DataFrame, links: pd.DataFrame | None = None, *,
        calendar: WorkCalendar | None = None, start=None, status_date=None,
        progress: str = "retained", critical_float: float = 0.0,
        near_critical: float = 10.0, release=None) -> pd.DataFrame:
    """Critical path method: early and late dates, float and the critical path.

    Parameters
    ----------
    tasks : DataFrame
        ``id`` (or the index), ``duration`` [d]; optional ``project_id``,
        ``constraint_type`` (:data:`~pmo_lib.model.CONSTRAINT_TYPES`, ASAP when blank),
        ``constraint_date``, and progress columns ``actual_start``, ``actual_finish``,
        ``remaining_duration`` [d] or ``percent_complete`` [%].
    links : DataFrame, optional
        ``pred``, ``succ``, ``type`` (FS when absent), ``lag`` [d] (negative = lead).
    calendar : WorkCalendar, optional
        Working days, for dates (default Monday–Friday without holidays).
    start : date-like, optional
        Date of offset 0 (rolled forward to a working day). Needed for dates, constraints and
        progress.
    status_date : date-like, optional
        The data date's eve: the last day included in the actuals. Without it, progress
        columns are ignored.
    progress : {"retained", "override"}
        Out-of-sequence progress: retained logic (default) or progress override.
    critical_float : float
        A task is critical when its total float is at most this. [d]
    near_critical : float
        A task is near-critical when ``critical_float < TF ≤ near_critical``. [d]
    release : Series or array, optional
        Earliest start offset of each task (e.g. its project's start). [d]

    Returns
    -------
    DataFrame
        Indexed by task id; columns as listed in the module docstring.

    Raises
    ------
    ScheduleError
        A dependency cycle (naming the tasks on it), a link to an unknown task, a self link,
        a duplicate link, an unknown link type, a missing or negative duration, an unknown
        constraint type, a constraint without a date, dates without a start date, an actual
        finish without an actual start.

    Examples
    --------
    >>> tasks = pd.DataFrame({"id": ["A", "B", "C"], "duration": [3, 2, 4]})
    >>> links = pd.DataFrame({"pred": ["A", "A"], "succ": ["B", "C"]})
    >>> s = cpm(tasks, links)
    >>> s[["early_start", "early_finish", "total_float", "critical"]]
        early_start  early_finish  total_float  critical
    id
    A           0.0           3.0          0.0      True
    B           3.0           5.0          2.0     False
    C           3.0           7.0          0.0      True
    """
    if progress not in PROGRESS_MODES:
        raise ScheduleError(f"unknown progress mode {progress!r}; use one of "
                            f"{', '.join(PROGRESS_MODES)}")
    ids = _task_ids(tasks)
    n = len(ids)
    if "duration" not in tasks.columns:
        raise ScheduleError("tasks need a duration column (working days)")
    duration = pd.to_numeric(tasks["duration"], errors="coerce").to_numpy(float)
    _fail(_rows(~np.isfinite(duration), ids, "duration is missing or not a number")
          + _rows(duration < 0, ids, "duration is negative"))
    pi, si, _, _, grouped = _link_arrays(links, ids)
    in_ptr, in_src, in_type, in_lag, out_ptr, out_dst, out_type, out_lag = grouped

    # Dates, constraints and progress need a calendar and a start date.
    cal = calendar or WorkCalendar()
    start_ts = None if start is None else cal.roll_forward(pd.Timestamp(start))
    if "constraint_type" in tasks.columns:
        codes, uniques = pd.factorize(tasks["constraint_type"].to_numpy(dtype=object),
                                      use_na_sentinel=False)
        canon = np.array([str(u).strip().upper() if isinstance(u, str) and str(u).strip()
                          else "ASAP" for u in uniques] or ["ASAP"], dtype=object)
        ccode = pd.Index(CONSTRAINT_TYPES).get_indexer(canon)[codes]
    else:
        ccode = np.zeros(n, np.int64)
    problems = _rows(ccode < 0, ids, f"unknown constraint type; use one of "
                                     f"{', '.join(CONSTRAINT_TYPES)}")
    def kind(*names):
        return np.isin(ccode, [CONSTRAINT_TYPES.index(k) for k in names])

    dated = kind(*DATE_CONSTRAINTS)
    cdate = (pd.to_datetime(tasks["constraint_date"]) if "constraint_date" in tasks.columns
             else pd.Series(pd.NaT, index=tasks.index))
    problems += _rows(dated & cdate.isna().to_numpy(), ids, "constraint "
                      "needs a constraint_date")
    _fail(problems)
    if dated.any() and start_ts is None:
        raise ScheduleError("constraint dates need the schedule's start date (start=...)")

    status = np.zeros(n, np.int64)
    remaining = duration.copy()
    actual_es = np.full(n, np.nan)
    actual_ef = np.full(n, np.nan)
    data_date = 0.0
    if status_date is not None:
        if start_ts is None:
            raise ScheduleError("a status date needs the schedule's start date (start=...)")
        data_date = float(cal.date_to_offset(pd.Timestamp(status_date), start_ts)) + 1.0
        if not cal.is_working_day(pd.Timestamp(status_date)):
            data_date -= 1.0  # a non-working status date: resume on the next working day
        a_start = (pd.to_datetime(tasks["actual_start"]) if "actual_start" in tasks.columns
                   else pd.Series(pd.NaT, index=tasks.index))
        a_finish = (pd.to_datetime(tasks["actual_finish"]) if "actual_finish" in tasks.columns
                    else pd.Series(pd.NaT, index=tasks.index))
        _fail(_rows(a_finish.notna().to_numpy() & a_start.isna().to_numpy(), ids,
                    "has an actual_finish but no actual_start"))
        actual_es = _offsets(a_start, cal, start_ts)
        actual_ef = _offsets(a_finish, cal, start_ts) + 1.0
        done = np.isfinite(actual_ef)
        started = np.isfinite(actual_es) & ~done
        status[started] = _IN_PROGRESS
        status[done] = _COMPLETE
        if "remaining_duration" in tasks.columns:
            rd = pd.to_numeric(tasks["remaining_duration"], errors="coerce").to_numpy(float)
        else:
            rd = np.full(n, np.nan)
        if "percent_complete" in tasks.columns:
            pct = pd.to_numeric(tasks["percent_complete"], errors="coerce").fillna(0.0)
            by_pct = duration * (1.0 - np.clip(pct.to_numpy(float), 0, 100) / 100.0)
        else:
            by_pct = duration
        remaining = np.where(np.isfinite(rd), rd, by_pct)
        remaining[done] = 0.0
        remaining[status == _NOT_STARTED] = np.where(
            np.isfinite(rd), rd, duration)[status == _NOT_STARTED]

    # Bounds from the release, the data date and the constraints.
    lower = np.zeros(n) if release is None else np.asarray(release, dtype=float).copy()
    if status_date is not None:
        lower = np.maximum(lower, data_date)
    upper = np.full(n, np.inf)
    forced_es = np.full(n, np.nan)
    forced_lf = np.full(n, np.nan)
    if dated.any():
        c = _offsets(cdate.where(pd.Series(dated, index=cdate.index)), cal, start_ts)
        milestone = remaining == 0
        finish_kind = kind("FNET", "FNLT", "MFO") | (milestone & dated)
        c_start = np.where(finish_kind, c + 1.0 - remaining, c)  # as a start offset
        open_ = status == _NOT_STARTED
        lower = np.where(kind("SNET", "FNET") & open_,
                         np.maximum(lower, c_start), lower)
        upper = np.where(kind("SNLT", "FNLT"), c_start + remaining, upper)
        hard = kind("MSO", "MFO")
        forced_es = np.where(hard & open_, c_start, np.nan)
        forced_lf = np.where(hard & (status != _COMPLETE), c_start + remaining, np.nan)

    # Topological order with the forward pass, then the backward pass with free float.
    override = progress == "override"
    order, count, es, ef = _forward(in_ptr, in_src, in_type, in_lag, out_ptr, out_dst,
                                    remaining, status, lower, forced_es, actual_es, actual_ef,
                                    data_date, override)
    if count < n:
        raise ScheduleError(_cycle_message(ids, pi, si))

    projects = (_strings(tasks["project_id"]) if "project_id" in tasks.columns
                else np.zeros(n, dtype=object))
    codes, uniques = pd.factorize(projects)
    finish_by_project = _group_max(codes.astype(np.int64), ef, len(uniques))
    finish_cap = finish_by_project[codes]
    alap = ccode == CONSTRAINT_TYPES.index("ALAP")
    if alap.any():
        _alap(order, out_ptr, out_dst, out_type, out_lag, remaining, status, alap, finish_cap,
              es, ef)
    ls, lf, free_float, on_path = _backward(order, out_ptr, out_dst, out_type, out_lag,
                                            remaining, status, finish_cap, upper, forced_lf,
                                            es, ef, override)
    total_float = lf - ef
    complete = status == _COMPLETE
    total_float[complete] = np.nan
    free_float[complete] = np.nan

    out = {
        "duration": duration,
        "remaining": remaining,
        "status": np.asarray(STATUSES, dtype=object)[status],
        "early_start": es,
        "early_finish": ef,
        "late_start": ls,
        "late_finish": lf,
        "total_float": total_float,
        "free_float": free_float,
        "critical": ~complete & (total_float <= critical_float + _EPS),
        "near_critical": ~complete & (total_float > critical_float + _EPS)
        & (total_float <= near_critical + _EPS),
        "longest_path": on_path,
    }
    if "project_id" in tasks.columns:
        out = {"project_id": projects, **out}
    result = pd.DataFrame(out, index=ids, copy=False)
    if start_ts is not None:
        # An in-progress task's bar runs from its actual start to its forecast finish.
        first, last = _day_span(es, ef)
        result["start_date"] = _dates(first, cal, start_ts)
        result["finish_date"] = _dates(last, cal, start_ts)
        late_first, late_last = _day_span(np.where(status == _IN_PROGRESS, es, ls), lf)
        result["late_start_date"] = _dates(late_first, cal, start_ts)
        result["late_finish_date"] = _dates(late_last, cal, start_ts)
    result.attrs.update(
        start=start_ts,
        progress=progress,
        data_date=data_date if status_date is not None else None,
        project_finish=({None: float(finish_by_project.max())} if "project_id" not in tasks
                        else dict(zip(uniques.tolist(), finish_by_project.tolist(),
                                      strict=True))) if n else {},
    )
    return result


@numba.njit(cache=True)
def _slack(es, ef, dur, pi, si, ltype, lag):  # pragma: no cover - compiled
    """Slack of each link: how far its predecessor could slip before the link binds. [d]"""
    out = np.empty(pi.size)
    for k in range(pi.size):
        p, s = pi[k], si[k]  # the successor's start is that of its (remaining) work
        out[k] = _one_slack(ltype[k], lag[k], es[p], ef[p], ef[s] - dur[s], ef[s])
    return out


def link_slack(schedule: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """Slack of every link in a schedule and whether it drives its successor.

    Parameters
    ----------
    schedule : DataFrame
        The output of :func:`cpm` or :func:`schedule_portfolio`.
    links : DataFrame
        ``pred``, ``succ``, optional ``type`` and ``lag`` (as given to :func:`cpm`).

    Returns
    -------
    DataFrame
        The links with ``type`` and ``lag`` filled in, ``slack`` [d] (relationship free
        float: how many days the predecessor could slip before the link binds) and
        ``driving`` (slack 0: the link sets the successor's date). Links into complete tasks
        (and, under progress override, into started ones) have NaN slack and do not drive.
    """
    ids = pd.Index(schedule.index.astype(str))
    pi, si, ltype, lag, _ = _link_arrays(links, ids)
    es, ef = schedule["early_start"].to_numpy(), schedule["early_finish"].to_numpy()
    dur = schedule["remaining"].to_numpy()
    slack = _slack(es, ef, dur, pi, si, ltype, lag)
    succ_status = schedule["status"].to_numpy()[si]
    ignored = (succ_status == "complete") | (
        (schedule.attrs.get("progress") == "override") & (succ_status == "in progress"))
    slack = np.where(ignored, np.nan, slack)
    return pd.DataFrame({
        "pred": ids[pi], "succ": ids[si], "type": np.asarray(LINK_TYPES)[ltype], "lag": lag,
        "slack": slack, "driving": np.abs(np.nan_to_num(slack, nan=np.inf)) < _EPS,
    }, index=links.index)


def project_finish(schedule: pd.DataFrame) -> pd.Series:
    """Finish offset [d] of each project in a schedule (``attrs['project_finish']``)."""
    return pd.Series(schedule.attrs["project_finish"], name="finish")


def critical_paths(schedule: pd.DataFrame, links: pd.DataFrame, *, limit: int = 100
                   ) -> list[list[str]]:
    """Every critical path: chains of critical tasks joined by driving links.

    Each path runs from a critical task with no driving critical predecessor to one with no
    driving critical successor. Parallel critical paths are all listed (up to ``limit``).
    """
    ls = link_slack(schedule, links)
    crit = set(schedule.index[schedule["critical"]])
    edges = ls[ls["driving"] & ls["pred"].isin(crit) & ls["succ"].isin(crit)]
    graph = nx.DiGraph()
    graph.add_nodes_from(schedule.index[schedule["critical"]])
    graph.add_edges_from(zip(edges["pred"], edges["succ"], strict=True))
    sources = [v for v in graph if graph.in_degree(v) == 0]
    sinks = {v for v in graph if graph.out_degree(v) == 0}
    paths: list[list[str]] = []
    for src in sorted(sources, key=lambda v: schedule.at[v, "early_start"]):
        if src in sinks:
            paths.append([src])
        else:
            for path in nx.all_simple_paths(graph, src, sinks):
                paths.append(path)
                if len(paths) >= limit:
                    return paths
        if len(paths) >= limit:
            break
    return paths


def schedule_portfolio(portfolio: Portfolio, month=None, *, progress: str = "retained",
                       durations: Mapping[str, float] | None = None,
                       **options) -> pd.DataFrame:
    """Schedule every project of a portfolio, each from its own start date.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period, optional
        Status month: its snapshot's actuals and remaining work are applied at its status
        date. Without it, the plan is scheduled from the project start dates (no progress).
    progress : {"retained", "override"}
    durations : mapping task id → duration, optional
        What-if durations replacing the tasks' own; a started task's remaining work changes
        by the same number of days (never below 0). [d]
    **options
        Passed to :func:`cpm` (``critical_float``, ``near_critical``).

    Returns
    -------
    DataFrame
        As :func:`cpm`, with ``name``, ``milestone``, ``baseline_start`` and
        ``baseline_finish`` added, and ``finish_variance`` (forecast finish − baseline finish,
        in working days; positive = late).
    """
    tasks = portfolio.tasks.copy()
    projects = portfolio.projects.set_index("id")
    start = portfolio.calendar.roll_forward(projects["start_date"].min())
    cal = portfolio.calendar
    release = cal.date_to_offset(
        pd.DatetimeIndex(tasks["project_id"].map(projects["start_date"])), start)
    status_date = None
    if month is not None:
        status_date = portfolio.status_date(month)
        snap = portfolio.snapshot(month).set_index("task_id")
        for col in ("actual_start", "actual_finish", "percent_complete", "remaining_duration"):
            # reindex, not map: map of an empty snapshot (a month with no status rows for
            # these projects) returns the wrong dtype.
            tasks[col] = snap[col].reindex(tasks["id"]).to_numpy()
        tasks["percent_complete"] = tasks["percent_complete"].astype(float)
    if durations:
        new = tasks["id"].map(durations).astype(float)
        changed = new.notna()
        if "remaining_duration" in tasks:
            # The work still to do changes by what the duration changes (never below 0);
            # the project manager's own estimate of the remaining work is kept otherwise.
            old = tasks["duration"].astype(float)
            pct = tasks["percent_complete"].fillna(0.0).astype(float)
            remaining = tasks["remaining_duration"].astype(float).fillna(old * (1 - pct / 100))
            tasks["remaining_duration"] = tasks["remaining_duration"].astype(float).where(
                ~changed, np.maximum(remaining + new - old, 0.0))
        tasks["duration"] = new.fillna(tasks["duration"]).astype(float)
    result = cpm(tasks, portfolio.links, calendar=cal, start=start, status_date=status_date,
                 progress=progress, release=release, **options)
    info = tasks.set_index("id")[["name", "milestone", "baseline_start", "baseline_finish"]]
    attrs = dict(result.attrs)
    result = info.join(result, how="right")
    result.attrs = attrs
    result["finish_variance"] = _finish_variance(result["finish_date"],
                                                 result["baseline_finish"], cal, start)
    return result


# ----------------------------------------------------------------------------------------
# What-if: a network or a portfolio with some durations and links changed
# ----------------------------------------------------------------------------------------
def _id_series(tasks: pd.DataFrame) -> pd.Series:
    """Task ids as str, aligned with the rows of ``tasks`` (``id`` column, else the index)."""
    ids = tasks["id"] if "id" in tasks.columns else pd.Series(tasks.index, index=tasks.index)
    return ids.astype(str)


def _listing(values: Iterable, limit: int = 20) -> str:
    """``values`` as a comma-separated list, the first ``limit`` of them."""
    values = [str(v) for v in values]
    more = f" ... and {len(values) - limit} more" if len(values) > limit else ""
    return ", ".join(values[:limit]) + more


def _link_key(key) -> tuple[str, str]:
    """A ``(pred, succ)`` pair of task ids as str."""
    if not isinstance(key, tuple) or len(key) != 2:
        raise ScheduleError(f"link_changes: key {key!r} is not a (pred, succ) pair of task ids")
    return str(key[0]), str(key[1])


def what_if_network(tasks: pd.DataFrame, links: pd.DataFrame | None, *,
                    durations: Mapping[str, float] | None = None,
                    link_changes: Mapping[tuple[str, str], Mapping] | None = None
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Copies of a network with some durations and links changed (the inputs are untouched).

    Parameters
    ----------
    tasks : DataFrame
        ``id`` (or the index) and ``duration`` [d], as for :func:`cpm`.
    links : DataFrame or None
        ``pred``, ``succ``, optional ``type`` and ``lag`` [d].
    durations : mapping task id → duration, optional
        New durations. [d]
    link_changes : mapping (pred, succ) → {"type": str, "lag": float}, optional
        New type and/or lag of existing links (either key may be left out).

    Returns
    -------
    tasks, links : DataFrame
        The changed copies; ``links`` always has ``type`` (FS when it had none) and ``lag``
        columns when a link was changed.

    Raises
    ------
    ScheduleError
        A duration for an unknown task, a change to a link that does not exist, or a change
        with a key other than ``type`` and ``lag`` (the message lists the valid ones). An
        unknown link type or a negative duration is reported by :func:`cpm`.

    Examples
    --------
    >>> tasks = pd.DataFrame({"id": ["A", "B"], "duration": [3, 2]})
    >>> links = pd.DataFrame({"pred": ["A"], "succ": ["B"]})
    >>> t, lk = what_if_network(tasks, links, durations={"A": 5},
    ...                         link_changes={("A", "B"): {"type": "SS", "lag": 1}})
    >>> t["duration"].tolist(), lk[["type", "lag"]].values.tolist()
    ([5.0, 2.0], [['SS', 1.0]])
    """
    ids = _id_series(tasks)
    tasks = tasks.copy()
    links = pd.DataFrame({"pred": [], "succ": []}) if links is None else links.copy()
    if durations:
        known = set(ids)
        unknown = [str(k) for k in durations if str(k) not in known]
        if unknown:
            raise ScheduleError(f"durations: unknown task id(s) {_listing(map(repr, unknown))};"
                                f" the tasks are {_listing(ids)}")
        new = ids.map({str(k): float(v) for k, v in durations.items()})
        tasks["duration"] = new.fillna(pd.to_numeric(tasks["duration"])).astype(float)
    if link_changes:
        if "type" not in links.columns:
            links["type"] = "FS"
        if "lag" not in links.columns:
            links["lag"] = 0.0
        links["type"] = links["type"].astype(object)
        links["lag"] = pd.to_numeric(links["lag"]).astype(float)
        keys = list(zip(links["pred"].astype(str), links["succ"].astype(str), strict=True))
        row = {k: i for i, k in enumerate(keys)}
        type_col, lag_col = links.columns.get_loc("type"), links.columns.get_loc("lag")
        for key, change in link_changes.items():
            pred, succ = _link_key(key)
            if (pred, succ) not in row:
                raise ScheduleError(f"link_changes: no link {pred}->{succ}; the links are "
                                    f"{_listing(f'{p}->{s}' for p, s in keys)}")
            extra = sorted(set(change) - {"type", "lag"})
            if extra:
                raise ScheduleError(f"link_changes[{pred}->{succ}]: unknown key(s) "
                                    f"{', '.join(map(repr, extra))}; use 'type' and 'lag'")
            if "type" in change:
                links.iloc[row[(pred, succ)], type_col] = change["type"]
            if "lag" in change:
                links.iloc[row[(pred, succ)], lag_col] = float(change["lag"])
    return tasks, links


def what_if_schedule(tasks: pd.DataFrame, links: pd.DataFrame | None, *,
                     durations: Mapping[str, float] | None = None,
                     link_changes: Mapping[tuple[str, str], Mapping] | None = None,
                     **options) -> pd.DataFrame:
    """The CPM schedule of a network after changing some durations and links.

    :func:`cpm` on the copies made by :func:`what_if_network`. Progress columns
    (``remaining_duration``) are not adjusted to a new duration; for a portfolio at a status
    month use :func:`portfolio_what_if`.

    Parameters
    ----------
    tasks, links, durations, link_changes
        As for :func:`what_if_network`.
    **options
        Passed to :func:`cpm` (``calendar``, ``start``, ...).

    Returns
    -------
    DataFrame
        The schedule, as :func:`cpm` returns it.

    Examples
    --------
    >>> tasks = pd.DataFrame({"id": ["A", "B", "C"], "duration": [3, 2, 4]})
    >>> links = pd.DataFrame({"pred": ["A", "A"], "succ": ["B", "C"]})
    >>> s = what_if_schedule(tasks, links, durations={"B": 6})
    >>> float(s["early_finish"].max()), s.index[s["critical"]].tolist()
    (9.0, ['A', 'B'])
    """
    tasks, links = what_if_network(tasks, links, durations=durations,
                                   link_changes=link_changes)
    return cpm(tasks, links, **options)


def project_summary(schedule: pd.DataFrame, calendar: WorkCalendar) -> pd.DataFrame:
    """Per project: forecast finish against baseline finish, open and critical tasks.

    Parameters
    ----------
    schedule : DataFrame
        The output of :func:`schedule_portfolio`: columns ``project_id``, ``finish_date``,
        ``baseline_finish``, ``status`` and ``critical``, and ``attrs`` ``start`` and
        ``project_finish``.
    calendar : WorkCalendar
        The working days the variance is counted in (the portfolio's calendar).

    Returns
    -------
    DataFrame
        One row per project with tasks, indexed by ``project_id`` (sorted):

        ``finish``
            Forecast finish date: the latest ``finish_date`` of its tasks (actual for
            complete ones).
        ``baseline_finish``
            The latest baseline finish date of its tasks.
        ``finish_offset``
            The forecast finish as an (exclusive) offset from the schedule start, as
            :func:`project_finish`. [d]
        ``finish_variance``
            Working days from ``baseline_finish`` to ``finish``; positive = late, NaN when a
            date is missing. [d]
        ``open_tasks``
            Tasks not complete.
        ``critical_tasks``
            Open critical tasks.

    Raises
    ------
    ScheduleError
        ``schedule`` lacks one of the columns (it is not from :func:`schedule_portfolio`).

    Notes
    -----
    ``finish_variance = offset(finish) − offset(baseline_finish)``, both working-day offsets
    on ``calendar``: the same measure as the task-level ``finish_variance`` of
    :func:`schedule_portfolio`, taken at the project's latest dates.

    Examples
    --------
    >>> from pmo_lib import load_portfolio
    >>> pf = load_portfolio("tests/data/mini")
    >>> project_summary(schedule_portfolio(pf, "2026-02"), pf.calendar)[
    ...     ["finish", "baseline_finish", "finish_variance", "open_tasks"]]
                   finish baseline_finish  finish_variance  open_tasks
    project_id
    P1         2026-01-28      2026-01-26              2.0           0
    P2         2026-03-03      2026-01-30             22.0           1
    """
    needed = ("project_id", "finish_date", "baseline_finish", "status", "critical")
    missing = [c for c in needed if c not in schedule.columns]
    if missing:
        raise ScheduleError(f"project_summary needs the schedule of schedule_portfolio; "
                            f"missing column(s) {', '.join(missing)}")
    by = schedule.groupby("project_id")
    finish = by["finish_date"].max()
    baseline = by["baseline_finish"].max().reindex(finish.index)
    open_ = schedule["status"] != "complete"
    return pd.DataFrame({
        "finish": finish,
        "baseline_finish": baseline,
        "finish_offset": project_finish(schedule).reindex(finish.index),
        "finish_variance": _finish_variance(finish, baseline, calendar,
                                            schedule.attrs["start"]),
        "open_tasks": open_.groupby(schedule["project_id"]).sum().reindex(finish.index),
        "critical_tasks": (schedule["critical"] & open_).groupby(schedule["project_id"]).sum()
        .reindex(finish.index),
    }, index=finish.index)


def compare_projects(portfolio: Portfolio, before: pd.DataFrame,
                     after: pd.DataFrame) -> pd.DataFrame:
    """Each project's finish in two schedules of a portfolio, side by side.

    Parameters
    ----------
    portfolio : Portfolio
        For the project names and the calendar.
    before, after : DataFrame
        :func:`schedule_portfolio` as it is and with a change (e.g. new ``durations``).

    Returns
    -------
    DataFrame
        As :func:`portfolio_what_if`: one row per project (index ``project_id``), columns
        :data:`PORTFOLIO_COLUMNS`, from :func:`project_summary` of both schedules.
    """
    was = project_summary(before, portfolio.calendar)
    now = project_summary(after, portfolio.calendar)
    names = portfolio.projects.set_index("id")["name"]
    out = pd.DataFrame({
        "name": names.reindex(now.index).to_numpy(),
        "baseline_finish": now["baseline_finish"],
        "finish_before": was["finish"].reindex(now.index),
        "finish": now["finish"],
        "finish_change": now["finish_offset"] - was["finish_offset"].reindex(now.index),
        "finish_variance_before": was["finish_variance"].reindex(now.index),
        "finish_variance": now["finish_variance"],
        "open_tasks": now["open_tasks"].astype(int),
        "critical_tasks": now["critical_tasks"].astype(int),
    }, index=now.index)
    out.index.name = "project_id"
    return out[list(PORTFOLIO_COLUMNS)]


def _check_durations(portfolio: Portfolio, durations) -> None:
    if durations:
        known = set(portfolio.tasks["id"].astype(str))
        unknown = [str(k) for k in durations if str(k) not in known]
        if unknown:
            raise ScheduleError(f"durations: unknown task id(s) {_listing(map(repr, unknown))}"
                                "; the task ids are in portfolio.tasks['id']")


def portfolio_what_if(portfolio: Portfolio, month=None, *,
                      durations: Mapping[str, float] | None = None,
                      **options) -> pd.DataFrame:
    """How each project's forecast finish moves when task durations change.

    Schedules the portfolio twice with :func:`schedule_portfolio`, as it is and with
    ``durations``, and compares the projects (:func:`compare_projects`). A change can move
    other projects through cross-project links.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period, optional
        Status month (its actuals and remaining work apply); without it, the plan from the
        project start dates, as for :func:`schedule_portfolio`.
    durations : mapping task id → duration, optional
        What-if durations. [d]
    **options
        Passed to :func:`schedule_portfolio`.

    Returns
    -------
    DataFrame
        One row per project (index ``project_id``), columns :data:`PORTFOLIO_COLUMNS`:
        ``name``; ``baseline_finish``, ``finish_before``, ``finish`` (dates: the baseline, the
        forecast as it is and with the new durations); ``finish_change`` (what-if − current
        forecast finish) [d]; ``finish_variance_before``, ``finish_variance`` (forecast −
        baseline finish; positive = late) [d]; ``open_tasks`` and ``critical_tasks`` (open
        critical tasks, with the new durations).

    Raises
    ------
    ScheduleError
        A duration for an unknown task.
    MissingDataError
        ``month`` has no status data.
    """
    _check_durations(portfolio, durations)
    before = schedule_portfolio(portfolio, month, **options)
    after = (schedule_portfolio(portfolio, month, durations=durations, **options)
             if durations else before)
    return compare_projects(portfolio, before, after)
