"""Schedule health: the DCMA 14-point assessment of a portfolio's schedules.

The US Defense Contract Management Agency's 14-point assessment is the de-facto standard
check of a schedule's quality: are the tasks tied by logic, are there leads, lags or hard
constraints that hide the logic, is float believable, are the dates possible, does the
critical path really drive the finish, and is work being finished as planned. :func:`dcma14`
runs the fourteen checks on a portfolio at a status month and returns one row per check;
:func:`dcma14_by_project` runs them per project for the monthly report.

The checks, their scope and pass rule (default thresholds, :class:`DcmaThresholds`):

== ================== =============================================================== =========
#  check              measured on (offending items)                                   pass
== ================== =============================================================== =========
1  Logic              incomplete tasks, milestones included (no predecessor or no     ≤ 5 %
                      successor; each project's start and finish ends are exempt)
2  Leads              links into incomplete tasks (negative lag)                      0 links
3  Lags               links into incomplete tasks (positive lag)                      ≤ 5 %
4  Relationship types links into incomplete tasks (FS share; non-FS offend)           ≥ 90 % FS
5  Hard constraints   incomplete tasks (MSO, MFO, SNLT, FNLT)                         ≤ 5 %
6  High float         incomplete tasks, not milestones (total float > 44 d)           ≤ 5 %
7  Negative float     incomplete tasks (total float < 0)                              0 tasks
8  High duration      incomplete tasks, not milestones (baseline duration > 44 d)     ≤ 5 %
9  Invalid dates      all tasks (forecast before the status date, actual after it)    0 tasks
10 Resources          incomplete tasks, not milestones (no assignment, no budget, no  0 %
                      cost)
11 Missed tasks       tasks due: baseline finish on or before the status date (not    ≤ 5 %
                      complete)
12 Critical path test projects with an unfinished longest path: delaying its first    0 fail
                      task by 600 d must delay the project finish by 600 d
13 CPLI               projects with remaining work: (CPL + end float) / CPL           ≥ 0.95
14 BEI                tasks due: tasks complete / tasks due                           ≥ 0.95
== ================== =============================================================== =========

Scope rules
-----------
*Incomplete* means not complete at the status date (every task, for the plan: ``month`` None).
The model has no summary or level-of-effort tasks, so none are excluded. Milestones (duration
0) are excluded where the DCMA guidance excludes them: high float, high duration and
resources (checks 6, 8, 10); they count everywhere else. Check 1 exempts, per project, one
*start end* (the task without predecessor with the earliest baseline start; a milestone first,
then the smallest id, on ties) from "no predecessor" and one *finish end* (the task without
successor with the latest baseline finish, same tie rule) from "no successor"; links across
projects count as logic. Link checks (2–4) count the predecessor relationships of incomplete
tasks and report offending links as ``"pred->succ"``; per project a link belongs to its
successor's project.

*Hard* constraints are those that fix a date or cap it regardless of logic (MSO, MFO, SNLT,
FNLT); ASAP, ALAP, SNET and FNET are soft. Float and forecast dates come from
:func:`pmo_lib.schedule.schedule_portfolio` (retained logic) unless a ``schedule`` is given.
The critical path test always reschedules with the engine: for each project, its incomplete
longest-path task (P6's longest path, ``longest_path``) with the earliest early start is
delayed by ``critical_path_delay`` working days, alone, and the project's finish must move by
exactly that much. CPLI: the critical path length ``CPL`` is the working days from where the
project's remaining work starts (the data date, or its first early start if later) to its
forecast finish; the end float is the project's baseline finish minus its forecast finish [d]
(negative = late), or the total float of its finishing task when that is more negative (a
deadline constraint). Check 13 reports the worst project. BEI counts every complete task in
the numerator, including those finished ahead of their baseline (the DCMA definition); check 11
counts only tasks due and not complete (a task finished late is not missed).

Checks 9, 11 and 14 need a status date: for the plan they have nothing in scope. A check with
nothing in scope passes, with ``metric`` NaN for ratios (0 for counts).

References
----------
Defense Contract Management Agency, *DCMA 14-Point Assessment*, 2005 (schedule metrics
introduced with the DCMA's Program Analysis); Defense Contract Management Agency, *Earned Value
Management System (EVMS) Program Analysis Pamphlet (PAP)*, DCMA-EA PAM 200.1, October 2012,
section on the 14-point schedule metrics.
PMI, *Practice Standard for Scheduling*, 3rd ed., 2019 (logic, float and constraints).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from .errors import DataValidationError, Problem
from .model import Portfolio
from .network import _delayed
from .schedule import schedule_portfolio

__all__ = [
    "CHECKS",
    "HARD_CONSTRAINTS",
    "DcmaThresholds",
    "dcma14",
    "dcma14_by_project",
]

#: Names of the fourteen checks, in order (check number = position + 1).
CHECKS = ("Logic", "Leads", "Lags", "Relationship types", "Hard constraints", "High float",
          "Negative float", "High duration", "Invalid dates", "Resources", "Missed tasks",
          "Critical path test", "CPLI", "BEI")
#: Constraint types counted as hard by check 5 (they override or cap the logic's dates).
HARD_CONSTRAINTS = ("MSO", "MFO", "SNLT", "FNLT")

_COLUMNS = ["check", "metric", "threshold", "passed", "count", "population", "task_ids",
            "note"]
_EPS = 1e-6


@dataclass(frozen=True)
class DcmaThresholds:
    """Pass thresholds of the DCMA 14-point assessment (defaults: DCMA's).

    Fractions are 0–1 of the check's population; counts are items allowed.

    Attributes
    ----------
    logic : float
        Check 1: largest fraction of incomplete tasks missing a predecessor or successor.
    leads : int
        Check 2: links with a negative lag allowed.
    lags : float
        Check 3: largest fraction of links with a positive lag.
    relationship_fs : float
        Check 4: smallest fraction of finish-to-start links.
    hard_constraints : float
        Check 5: largest fraction of incomplete tasks with a hard constraint.
    high_float : float
        Check 6: largest fraction of incomplete tasks with total float above
        ``high_float_days``.
    high_float_days : float
        Check 6: float above this is high. [d]
    negative_float : int
        Check 7: tasks with negative total float allowed.
    high_duration : float
        Check 8: largest fraction of incomplete tasks with a baseline duration above
        ``high_duration_days``.
    high_duration_days : float
        Check 8: a duration above this is high. [d]
    invalid_dates : int
        Check 9: tasks with invalid dates allowed.
    resources : float
        Check 10: largest fraction of incomplete tasks with neither resources nor cost.
    missed_tasks : float
        Check 11: largest fraction of the tasks due that are not complete.
    critical_path_test : int
        Check 12: projects allowed to fail the critical path test.
    critical_path_delay : float
        Check 12: the test delay. [d]
    cpli : float
        Check 13: smallest critical path length index.
    bei : float
        Check 14: smallest baseline execution index.

    Raises
    ------
    DataValidationError
        A fraction outside 0–1, a negative count or a non-positive number of days.
    """

    logic: float = 0.05
    leads: int = 0
    lags: float = 0.05
    relationship_fs: float = 0.90
    hard_constraints: float = 0.05
    high_float: float = 0.05
    high_float_days: float = 44.0
    negative_float: int = 0
    high_duration: float = 0.05
    high_duration_days: float = 44.0
    invalid_dates: int = 0
    resources: float = 0.0
    missed_tasks: float = 0.05
    critical_path_test: int = 0
    critical_path_delay: float = 600.0
    cpli: float = 0.95
    bei: float = 0.95

    def __post_init__(self):
        problems = []
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int | float) or not np.isfinite(value):
                problems.append(f"{f.name}={value!r} is not a finite number")
            elif f.name in ("logic", "lags", "relationship_fs", "hard_constraints",
                            "high_float", "high_duration", "resources", "missed_tasks") \
                    and not 0 <= value <= 1:
                problems.append(f"{f.name}={value} is a fraction and must be within 0–1")
            elif f.name.endswith(("_days", "_delay")) and value <= 0:
                problems.append(f"{f.name}={value} must be > 0 working days")
            elif value < 0:
                problems.append(f"{f.name}={value} cannot be negative")
        if problems:
            raise DataValidationError([Problem("DCMA thresholds", None, None, None, p)
                                       for p in problems])


# ----------------------------------------------------------------------------------------
# Inputs
# ----------------------------------------------------------------------------------------
_SCHEDULE_COLUMNS = ("project_id", "status", "early_start", "early_finish", "total_float",
                     "start_date", "finish_date")


def _check_schedule(schedule: pd.DataFrame, ids: pd.Index) -> pd.DataFrame:
    missing = [c for c in _SCHEDULE_COLUMNS if c not in schedule.columns]
    if missing:
        raise DataValidationError([Problem(
            "schedule", None, None, c, "column is missing; pass the output of "
            "pmo_lib.schedule.schedule_portfolio") for c in missing])
    index = schedule.index.astype(str)
    absent = ids.difference(index)
    if len(absent):
        raise DataValidationError([Problem(
            "schedule", None, t, None, "task of the portfolio is missing from the schedule")
            for t in absent[:20]])
    out = schedule.set_axis(index).loc[ids]
    out.attrs = dict(schedule.attrs)
    return out


@dataclass(frozen=True)
class _Items:
    """What one check measures: one row per item (task, link or project).

    ``scope`` marks the population, ``bad`` the offending items, ``value`` a number for the
    ratio checks (BEI numerator, CPLI).
    """

    number: int
    kind: str  # "fraction" (≤), "count" (≤), "share" (1 − bad share ≥), "ratio" (≥), "worst" (≥)
    threshold: float
    frame: pd.DataFrame  # id, project_id, scope, bad, value
    note: str


def _pct(x: float) -> str:
    """A threshold fraction as text: 0.05 -> '5%', 0.125 -> '12.5%'."""
    return f"{x:.0%}" if x * 100 == round(x * 100) else f"{x:.1%}"


def _frame(ids, project, scope, bad, value=np.nan) -> pd.DataFrame:
    scope = np.asarray(scope, bool)
    return pd.DataFrame({"id": np.asarray(ids, dtype=object),
                         "project_id": np.asarray(project, dtype=object),
                         "scope": scope, "bad": np.asarray(bad, bool) & scope,
                         "value": np.broadcast_to(np.asarray(value, float), scope.shape)})


def _ends(tasks: pd.DataFrame, mask: pd.Series, date: str, latest: bool) -> pd.Index:
    """Per project, the one open end: earliest (or latest) date, milestone first, then id."""
    cand = tasks[mask].assign(_ms=~tasks["milestone"][mask])
    cand = cand.sort_values(["project_id", date, "_ms", "id"],
                            ascending=[True, not latest, True, True])
    return pd.Index(cand.drop_duplicates("project_id")["id"])


def _critical_path_test(portfolio: Portfolio, month, engine: pd.DataFrame, delay: float,
                        progress: str) -> pd.DataFrame:
    """Check 12 per project: (tested task, project, failed, slip)."""
    cand = engine[engine["longest_path"] & (engine["status"] != "complete")]
    cand = (cand.rename_axis(None).assign(id=cand.index)
            .sort_values(["project_id", "early_start", "id"]))
    tested = cand.drop_duplicates("project_id")
    before = pd.Series(engine.attrs["project_finish"], dtype=float)
    rows = []
    for task_id, project_id in zip(tested["id"], tested["project_id"], strict=True):
        after = schedule_portfolio(_delayed(portfolio, month, {task_id: delay}, engine), month,
                                   progress=progress)
        slip = after.attrs["project_finish"][project_id] - before[project_id]
        rows.append((task_id, project_id, abs(slip - delay) > _EPS, slip))
    return pd.DataFrame(rows, columns=["id", "project_id", "bad", "slip"])


def _cpli(tasks: pd.DataFrame, sched: pd.DataFrame, portfolio: Portfolio,
          status_date: pd.Timestamp | None) -> pd.DataFrame:
    """Check 13 per project: end task id, project, CPLI (NaN when not measurable)."""
    cal = portfolio.calendar
    start = sched.attrs.get("start")
    if start is None:  # a schedule from elsewhere: schedule_portfolio's origin
        start = cal.roll_forward(portfolio.projects["start_date"].min())
    data_date = sched.attrs.get("data_date")
    if data_date is None and status_date is not None:
        data_date = float(cal.date_to_offset(status_date, start)) + float(
            cal.is_working_day(status_date))  # as the engine: resume the next working day
    open_ = sched[sched["status"] != "complete"]
    es = open_["early_start"].astype(float)
    if data_date is not None:
        es = es.clip(lower=data_date)
    rest_start = es.groupby(open_["project_id"]).min()
    ef = sched["early_finish"].astype(float)
    finish = ef.groupby(sched["project_id"]).max()
    baseline = tasks["baseline_finish"].groupby(tasks["project_id"]).max()
    baseline_end = pd.Series(cal.date_to_offset(pd.DatetimeIndex(baseline), start),
                             index=baseline.index, dtype=float) + 1.0
    at_end = (open_["early_finish"] - open_["project_id"].map(finish)).abs() < _EPS
    ends = open_[at_end].rename_axis(None).assign(id=open_.index[at_end])
    ends = ends.assign(_ms=~tasks["milestone"].reindex(ends.index).astype(bool))
    ends = ends.sort_values(["project_id", "_ms", "id"])  # the finish milestone first
    end_float = ends.groupby("project_id")["total_float"].min()
    end_id = ends.drop_duplicates("project_id").set_index("project_id")["id"]
    projects = rest_start.index
    cpl = finish.reindex(projects) - rest_start
    tf = baseline_end.reindex(projects) - finish.reindex(projects)
    tf_task = end_float.reindex(projects)
    tf = tf.where(~(tf_task < 0), np.minimum(tf, tf_task))
    cpli = ((cpl + tf) / cpl).where(cpl > _EPS)
    return pd.DataFrame({"id": end_id.reindex(projects).to_numpy(), "project_id": projects,
                         "value": cpli.to_numpy()})


def _checks(portfolio: Portfolio, month, schedule, thresholds, progress) -> list[_Items]:
    th = thresholds or DcmaThresholds()
    tasks = (portfolio.tasks.assign(id=portfolio.tasks["id"].astype(str))
             .set_index("id", drop=False).rename_axis(None))
    ids = pd.Index(tasks["id"], name="id")
    engine = schedule_portfolio(portfolio, month, progress=progress)
    sched = engine if schedule is None else _check_schedule(schedule, ids)
    attrs = dict(sched.attrs)
    sched = sched.loc[ids]
    sched.attrs = attrs
    status_date = None if month is None else portfolio.status_date(month)
    snap = (portfolio.snapshot(month).assign(task_id=lambda d: d["task_id"].astype(str))
            .set_index("task_id").reindex(ids) if month is not None else None)

    project = tasks["project_id"].to_numpy()
    milestone = tasks["milestone"].astype(bool).to_numpy()
    status = sched["status"].to_numpy()
    complete = status == "complete"
    incomplete = ~complete
    not_started = status == "not started"
    working = incomplete & ~milestone

    links = portfolio.links.assign(pred=portfolio.links["pred"].astype(str),
                                   succ=portfolio.links["succ"].astype(str))
    link_ids = (links["pred"] + "->" + links["succ"]).to_numpy()
    link_project = links["succ"].map(tasks["project_id"]).to_numpy()
    link_scope = ~links["succ"].map(pd.Series(complete, index=ids)).to_numpy(bool)
    lag = links["lag"].astype(float).to_numpy()

    out = []
    # 1 Logic.
    no_pred = ~tasks["id"].isin(links["succ"])
    no_succ = ~tasks["id"].isin(links["pred"])
    start_ends = _ends(tasks, no_pred, "baseline_start", latest=False)
    finish_ends = _ends(tasks, no_succ, "baseline_finish", latest=True)
    open_end = (no_pred & ~tasks["id"].isin(start_ends)) | (no_succ & ~tasks["id"].isin(finish_ends))
    out.append(_Items(1, "fraction", th.logic, _frame(ids, project, incomplete, open_end),
                      "incomplete tasks incl. milestones without a predecessor or a successor "
                      "(cross-project links count); each project's first task may lack a "
                      f"predecessor and its last task a successor; pass ≤ {_pct(th.logic)}"))
    # 2-4 Links.
    out.append(_Items(2, "count", th.leads, _frame(link_ids, link_project, link_scope, lag < 0),
                      "links into incomplete tasks with a negative lag (lead), as pred->succ; "
                      f"pass ≤ {th.leads} links"))
    out.append(_Items(3, "fraction", th.lags,
                      _frame(link_ids, link_project, link_scope, lag > 0),
                      "links into incomplete tasks with a positive lag, as pred->succ; "
                      f"pass ≤ {_pct(th.lags)}"))
    out.append(_Items(4, "share", th.relationship_fs,
                      _frame(link_ids, link_project, link_scope,
                             links["type"].to_numpy() != "FS"),
                      "share of finish-to-start links into incomplete tasks; offending: SS, FF, "
                      f"SF links, as pred->succ; pass ≥ {_pct(th.relationship_fs)}"))
    # 5 Hard constraints.
    hard = tasks["constraint_type"].isin(HARD_CONSTRAINTS).to_numpy()
    out.append(_Items(5, "fraction", th.hard_constraints,
                      _frame(ids, project, incomplete, hard),
                      f"incomplete tasks with a hard constraint ({', '.join(HARD_CONSTRAINTS)}; "
                      "ASAP, ALAP, SNET, FNET are soft); pass ≤ "
                      f"{_pct(th.hard_constraints)}"))
    # 6-7 Float.
    tf = sched["total_float"].astype(float).to_numpy()
    out.append(_Items(6, "fraction", th.high_float,
                      _frame(ids, project, working, tf > th.high_float_days + _EPS),
                      f"incomplete tasks, milestones excluded, with total float > "
                      f"{th.high_float_days:g} working days; pass ≤ {_pct(th.high_float)}"))
    out.append(_Items(7, "count", th.negative_float,
                      _frame(ids, project, incomplete, tf < -_EPS),
                      f"incomplete tasks incl. milestones with total float < 0; pass ≤ "
                      f"{th.negative_float} tasks"))
    # 8 High duration.
    duration = tasks["duration"].astype(float).to_numpy()
    out.append(_Items(8, "fraction", th.high_duration,
                      _frame(ids, project, working, duration > th.high_duration_days + _EPS),
                      f"incomplete tasks, milestones excluded, with a baseline duration > "
                      f"{th.high_duration_days:g} working days; pass ≤ {_pct(th.high_duration)}"))
    # 9 Invalid dates.
    if status_date is not None:
        sd = status_date
        bad_forecast = ((not_started & (sched["start_date"] < sd).to_numpy())
                        | (incomplete & (sched["finish_date"] < sd).to_numpy()))
        bad_actual = ((snap["actual_start"] > sd) | (snap["actual_finish"] > sd)).to_numpy()
        out.append(_Items(9, "count", th.invalid_dates,
                          _frame(ids, project, True, bad_forecast | bad_actual),
                          f"all tasks: a forecast start or finish (no actual) before the status "
                          f"date {sd.date()}, or an actual start or finish after it; pass ≤ "
                          f"{th.invalid_dates} tasks"))
    else:
        out.append(_Items(9, "count", th.invalid_dates, _frame(ids, project, False, False),
                          "not applicable: no status date (the plan)"))
    # 10 Resources.
    assigned = tasks["id"].isin(portfolio.assignments["task_id"].astype(str)).to_numpy()
    cost = (snap["actual_cost"].fillna(0.0).to_numpy(float) if snap is not None
            else np.zeros(len(ids)))
    no_money = ~(tasks["budget"].fillna(0.0).to_numpy(float) > 0) & ~(cost > 0)
    out.append(_Items(10, "fraction", th.resources,
                      _frame(ids, project, working, ~assigned & no_money),
                      "incomplete tasks, milestones excluded, with no resource assignment, "
                      f"no budget and no actual cost; pass ≤ {_pct(th.resources)}"))
    # 11 Missed tasks, 14 BEI.
    if status_date is not None:
        due = (tasks["baseline_finish"] <= status_date).to_numpy()
        when = f"baseline finish on or before the status date {status_date.date()}"
    else:
        due = np.zeros(len(ids), bool)
        when = "not applicable: no status date (the plan)"
    out.append(_Items(11, "fraction", th.missed_tasks, _frame(ids, project, due, incomplete),
                      f"tasks due ({when}) that are not complete; pass ≤ "
                      f"{_pct(th.missed_tasks)}"))
    # 12 Critical path test.
    cpt = _critical_path_test(portfolio, month, engine, th.critical_path_delay, progress)
    out.append(_Items(12, "count", th.critical_path_test,
                      _frame(cpt["id"], cpt["project_id"], np.ones(len(cpt), bool), cpt["bad"]),
                      f"per project, its incomplete longest-path task with the earliest start "
                      f"delayed by {th.critical_path_delay:g} working days must delay the "
                      "project finish as much; offending: the tested tasks; projects without "
                      f"remaining longest path are not tested; pass ≤ {th.critical_path_test} "
                      "projects failing"))
    # 13 CPLI.
    cpli = _cpli(tasks, sched, portfolio, status_date)
    measured = cpli["value"].notna().to_numpy()
    out.append(_Items(13, "worst", th.cpli,
                      _frame(cpli["id"].fillna(""), cpli["project_id"], measured,
                             cpli["value"].fillna(np.inf) < th.cpli, cpli["value"]),
                      "worst project's critical path length index (CPL + end float) / CPL; "
                      "CPL from the data date to the forecast finish, end float = baseline "
                      "finish − forecast finish (or the finishing task's negative float); "
                      f"offending: the finishing tasks of projects below; pass ≥ {th.cpli:g}"))
    out.append(_Items(14, "ratio", th.bei,
                      _frame(ids, project, due, incomplete, complete.astype(float)),
                      f"tasks complete (all, early ones too) / tasks due ({when}); offending: "
                      f"tasks due not complete; pass ≥ {th.bei:g}"))
    return out


def _aggregate(items: _Items, groups: pd.Series, labels: pd.Index) -> pd.DataFrame:
    """Summarise one check per group (``groups`` aligned with ``items.frame``)."""
    f = items.frame.set_index(groups.to_numpy())
    by = f.index
    population = f["scope"].groupby(by).sum().reindex(labels, fill_value=0).astype(int)
    count = f["bad"].groupby(by).sum().reindex(labels, fill_value=0).astype(int)
    offending = f[f["bad"]]
    ids = (offending["id"].groupby(offending.index).agg(lambda x: tuple(sorted(x)))
           .reindex(labels))
    ids = ids.map(lambda v: v if isinstance(v, tuple) else ())
    with np.errstate(divide="ignore", invalid="ignore"):
        share = (count / population.where(population > 0)).astype(float)
    if items.kind == "fraction":
        metric, passed = share, ~(share > items.threshold + _EPS)
    elif items.kind == "count":
        metric, passed = count.astype(float), count <= items.threshold
    elif items.kind == "share":
        metric = 1.0 - share
        passed = ~(metric < items.threshold - _EPS)
    elif items.kind == "ratio":
        num = f["value"].groupby(by).sum().reindex(labels, fill_value=0.0)
        metric = (num / population.where(population > 0)).astype(float)
        passed = ~(metric < items.threshold - _EPS)
    else:  # worst
        metric = f["value"].where(f["scope"]).groupby(by).min().reindex(labels).astype(float)
        passed = ~(metric < items.threshold - _EPS)
    return pd.DataFrame({
        "check": CHECKS[items.number - 1], "metric": metric.to_numpy(float),
        "threshold": float(items.threshold), "passed": passed.to_numpy(bool),
        "count": count.to_numpy(), "population": population.to_numpy(),
        "task_ids": ids.to_numpy(), "note": items.note}, index=labels)


def dcma14(portfolio: Portfolio, month=None, *, schedule: pd.DataFrame | None = None,
           thresholds: DcmaThresholds | None = None, progress: str = "retained"
           ) -> pd.DataFrame:
    """The DCMA 14-point schedule assessment of a portfolio.

    Parameters
    ----------
    portfolio : Portfolio
        Every project is assessed together (cross-project links are logic).
    month : str or Period, optional
        Status month: progress and the status date are those of its snapshot. Default: the
        plan with no progress (a baseline review; checks 9, 11 and 14 have nothing in scope).
    schedule : DataFrame, optional
        Float and forecast dates to assess, e.g. from another tool or a what-if: columns
        ``project_id``, ``status``, ``early_start``, ``early_finish`` [d offsets],
        ``total_float`` [d], ``start_date``, ``finish_date``, indexed by task id (as
        :func:`~pmo_lib.schedule.schedule_portfolio` returns). Default: that function's
        result at ``month``. The critical path test (12) always uses the engine.
    thresholds : DcmaThresholds, optional
        Pass thresholds; default DCMA's.
    progress : {"retained", "override"}
        Out-of-sequence progress rule for the engine.

    Returns
    -------
    DataFrame
        One row per check, index ``number`` 1..14, columns ``check`` (:data:`CHECKS`),
        ``metric`` (fraction, count or index measured), ``threshold``, ``passed`` (bool),
        ``count`` (offending items), ``population`` (items in scope), ``task_ids`` (tuple of
        the offending ids, sorted: tasks; links as ``"pred->succ"`` for checks 2–4) and
        ``note`` (scope rule, how measured and the pass rule).

    Raises
    ------
    MissingDataError
        ``month`` has no status snapshot.
    DataValidationError
        A ``schedule`` without the columns or tasks needed; invalid thresholds.
    ScheduleError
        The portfolio cannot be scheduled.

    Notes
    -----
    Fractions are ``count / population``; check 4 reports the FS share ``1 − count /
    population``; BEI = tasks complete / tasks due; CPLI = (CPL + end float) / CPL, the
    worst project. The module docstring gives every scope rule.

    References
    ----------
    Defense Contract Management Agency, *DCMA 14-Point Assessment*, 2005; DCMA, *EVMS
    Program Analysis Pamphlet*, DCMA-EA PAM 200.1, 2012.

    Examples
    --------
    >>> from pmo_lib import load_portfolio
    >>> h = dcma14(load_portfolio("tests/data/mini"), "2026-02")
    >>> h.loc[[11, 14], ["check", "metric", "passed", "task_ids"]]
                   check  metric  passed task_ids
    number
    11      Missed tasks    0.25   False    (B1,)
    14               BEI    0.75   False    (B1,)
    """
    items = _checks(portfolio, month, schedule, thresholds, progress)
    label = pd.Index(["all"])
    rows = [_aggregate(i, pd.Series("all", index=i.frame.index), label) for i in items]
    out = pd.concat(rows, ignore_index=True)
    out.index = pd.RangeIndex(1, len(out) + 1, name="number")
    return out[_COLUMNS]


def dcma14_by_project(portfolio: Portfolio, month=None, *,
                      schedule: pd.DataFrame | None = None,
                      thresholds: DcmaThresholds | None = None, progress: str = "retained",
                      wide: bool = False) -> pd.DataFrame:
    """The DCMA 14-point assessment of each project (for the portfolio summary table).

    The portfolio is scheduled once, as a whole (cross-project links drive), and each check
    is then summarised per project: a task belongs to its project, a link to its
    successor's, the critical path test and CPLI are per project anyway.

    Parameters
    ----------
    portfolio, month, schedule, thresholds, progress
        As :func:`dcma14`.
    wide : bool
        False (default): one row per project × check. True: one row per project, one bool
        column per check name (passed) and ``checks_passed`` (how many of the 14).

    Returns
    -------
    DataFrame
        Long: index (``project_id``, ``number``), the columns of :func:`dcma14`. A check with
        nothing in scope for a project passes (metric NaN for ratios, 0 for counts).
        Wide: index ``project_id``, columns :data:`CHECKS` and ``checks_passed``.

    Examples
    --------
    >>> from pmo_lib import load_portfolio
    >>> t = dcma14_by_project(load_portfolio("tests/data/mini"), "2026-02", wide=True)
    >>> t[["Missed tasks", "BEI", "checks_passed"]]
                Missed tasks    BEI  checks_passed
    project_id
    P1                  True   True             14
    P2                 False  False             11
    """
    items = _checks(portfolio, month, schedule, thresholds, progress)
    projects = pd.Index(portfolio.projects["id"].astype(str), name="project_id")
    parts = []
    for i in items:
        part = _aggregate(i, i.frame["project_id"].astype(str), projects)
        parts.append(part.assign(number=i.number))
    long = pd.concat(parts).rename_axis("project_id").set_index("number", append=True)
    order = pd.MultiIndex.from_product([projects, range(1, len(CHECKS) + 1)],
                                       names=["project_id", "number"])
    long = long.reindex(order)[_COLUMNS]
    if not wide:
        return long
    table = long["passed"].unstack("number").rename(columns=dict(enumerate(CHECKS, 1)))
    table = table.reindex(projects)[list(CHECKS)].astype(bool)
    table.columns.name = None
    table["checks_passed"] = table.sum(axis=1).astype(int)
    return table
