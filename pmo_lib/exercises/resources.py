"""Exercises of training notebook ``05_resources_and_levelling``: loading, over-allocation and
resource levelling, by hand and with the kit.

Two questions read the resource loading of a :class:`~pmo_lib.model.Portfolio` at a status
month, one levels the small teaching example of this module by hand (two projects sharing
one analyst, :func:`two_projects`), and two read the levelling of the whole portfolio
(:func:`pmo_lib.resources.level_portfolio`). Every expected value is computed with
:mod:`pmo_lib.resources` or :func:`pmo_lib.levelling.level`.

1. :class:`RoleUtilisation`: the utilisation of a role in a month.
2. :class:`PeakOverallocation`: by how many units a resource is over-booked on its worst day.
3. :class:`LevelledFinish`: the levelled finish of the teaching example, changed a little,
   by hand.
4. :class:`WaitingTask`: which task waited for a resource and made a project slip?
5. :class:`PriorityFlip`: rank a project first; which project pays for it?

Build them one by one or all at once with :func:`questions`. The solutions use the names the
notebook uses: ``portfolio``, ``status_month``, ``load`` (the loading by role and month at the
status month), ``runs`` (the over-allocated runs), ``lev`` (the portfolio levelled with its
priorities), ``schedules`` and ``seed``, ``from pmo_lib import levelling, resources`` and
``from pmo_lib.exercises import resources as training``.

The teaching example counts time in **days from day 0** on a calendar where every day is a
working day (:func:`every_day`), as module 02 does: a task of ``d`` days that starts on day
``s`` works on days ``s`` to ``s + d − 1`` and finishes at ``s + d``, the morning its
successor may start.

Examples
--------
>>> from pmo_lib.exercises import resources as training
>>> q = training.LevelledFinish(4)
>>> q.check(...)
Not attempted: replace the placeholder ... with your answer, then run the cell again.
>>> q.check(6)
Not quite. 6 is not the answer. That is the plan without levelling (R1 then R2, no waiting). Ana cannot do W1 and R1 at the same time.
>>> bool(q.check(11))
True
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import pandas as pd

from .. import levelling, resources, schedule
from ..calendar import WorkCalendar
from ..errors import DataValidationError, Problem, UnknownReferenceError
from ..model import SCHEMAS, Portfolio, parse_month
from . import ChoiceQuestion, NumberQuestion
from .welcome import _month

__all__ = [
    "TEACHING_START",
    "LevelledFinish",
    "PeakOverallocation",
    "PriorityFlip",
    "RoleUtilisation",
    "WaitingTask",
    "every_day",
    "on_days",
    "questions",
    "two_project_portfolio",
    "two_projects",
]

#: Day 0 of the teaching example: Monday 2 March 2026.
TEACHING_START = "2026-03-02"

_WEEK = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


# ----------------------------------------------------------------------------------------
# The teaching example: two small projects sharing one analyst
# ----------------------------------------------------------------------------------------
def every_day() -> WorkCalendar:
    """A calendar on which every day is a working day, so day ``n`` is ``n`` days after day 0.

    Examples
    --------
    >>> every_day().workweek
    ('Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun')
    """
    return WorkCalendar(workweek=_WEEK)


def two_projects(durations=None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame,
                                          pd.DataFrame]:
    """The teaching example: two small projects that share Ana, a business analyst.

    Parameters
    ----------
    durations : mapping task id → working days, optional
        Changed durations (whole days ≥ 1), e.g. ``{"R1": 4}``. [d]

    Returns
    -------
    tasks : DataFrame
        ``id``, ``project_id``, ``name``, ``duration`` [d]: the *Website refresh* (WEB):
        W1 *Requirements workshop* 2, W2 *Build the pages* 5 (by the web agency, not
        tracked as a resource), W3 *Review and sign off* 2; the *Annual report* (RPT):
        R1 *Gather the figures* 3, R2 *Write the report* 2.
    links : DataFrame
        ``pred``, ``succ``, ``type``, ``lag``: W1 → W2 → W3 and R1 → R2, finish-to-start.
    resources : DataFrame
        ``id``, ``name``, ``role``, ``capacity``: ANA, Ana, Business Analyst, 1 [units].
    assignments : DataFrame
        ``task_id``, ``resource_id``, ``units``: Ana full time on W1, W3, R1 and R2.

    Raises
    ------
    UnknownReferenceError
        A duration for a task that is not in the example.
    DataValidationError
        A duration that is not a whole number of days ≥ 1.

    Notes
    -----
    Without resource limits (CPM) WEB takes 2 + 5 + 2 = 9 days and RPT 3 + 2 = 5; both
    chains are critical in their own project. Ana is asked for two people's work on days 0
    and 1 (W1 and R1). Levelled with WEB first, R1 waits for W1 until day 2 and RPT
    finishes on day 7 instead of 5; with RPT first, W1 waits for R1 and R2 until day 5 and
    WEB finishes on day 14 instead of 9.

    Examples
    --------
    >>> tasks, links, team, assignments = two_projects()
    >>> tasks[["id", "project_id", "duration"]].to_numpy().tolist()
    [['W1', 'WEB', 2.0], ['W2', 'WEB', 5.0], ['W3', 'WEB', 2.0], ['R1', 'RPT', 3.0], ['R2', 'RPT', 2.0]]
    >>> two_projects({"R1": 4})[0].set_index("id").at["R1", "duration"]
    np.float64(4.0)
    """
    tasks = pd.DataFrame({
        "id": ["W1", "W2", "W3", "R1", "R2"],
        "project_id": ["WEB", "WEB", "WEB", "RPT", "RPT"],
        "name": ["Requirements workshop", "Build the pages", "Review and sign off",
                 "Gather the figures", "Write the report"],
        "duration": [2.0, 5.0, 2.0, 3.0, 2.0],
    })
    for task, days in dict(durations or {}).items():
        if str(task) not in set(tasks["id"]):
            raise UnknownReferenceError(Problem(
                "two_projects", None, str(task), "durations",
                f"unknown task {task!r}; the tasks are {', '.join(tasks['id'])}"))
        if isinstance(days, bool) or not isinstance(days, numbers.Real) or \
                not float(days).is_integer() or days < 1:
            raise DataValidationError(Problem(
                "two_projects", None, str(task), "durations",
                f"a duration must be a whole number of days >= 1, got {days!r}"))
        tasks.loc[tasks["id"] == str(task), "duration"] = float(days)
    links = pd.DataFrame({"pred": ["W1", "W2", "R1"], "succ": ["W2", "W3", "R2"],
                          "type": "FS", "lag": 0.0})
    team = pd.DataFrame({"id": ["ANA"], "name": ["Ana"], "role": ["Business Analyst"],
                         "capacity": [1.0]})
    assignments = pd.DataFrame({"task_id": ["W1", "W3", "R1", "R2"], "resource_id": "ANA",
                                "units": 1.0})
    return tasks, links, team, assignments


def on_days(tasks: pd.DataFrame, starts, *, start=TEACHING_START) -> pd.DataFrame:
    """A task list with dates, from start days counted on :func:`every_day`.

    Turns the day numbers of the teaching example (by hand, or the ``early_start`` of
    :func:`pmo_lib.schedule.cpm` or the ``start`` of :func:`pmo_lib.levelling.level`) into
    dates, so that :func:`pmo_lib.plots.gantt` and :func:`pmo_lib.resources.demand` can use
    them with ``start="start", finish="finish"``.

    Parameters
    ----------
    tasks : DataFrame
        ``id``, ``name``, ``duration`` [d]; other columns (``project_id``) are kept.
    starts : mapping or Series
        Start day of each task (task id → day, 0 = ``start``). [d]
    start : date
        The date of day 0 (default :data:`TEACHING_START`).

    Returns
    -------
    DataFrame
        The tasks with ``milestone`` (duration 0), ``start`` (the date of the first day
        worked) and ``finish`` (the last day worked).

    Raises
    ------
    UnknownReferenceError
        A task without a start day.

    Examples
    --------
    >>> tasks = two_projects()[0]
    >>> plan = on_days(tasks, {"W1": 0, "W2": 2, "W3": 7, "R1": 2, "R2": 5})
    >>> plan.set_index("id").loc["R1", ["start", "finish"]].dt.strftime("%a %d %b").tolist()
    ['Wed 04 Mar', 'Fri 06 Mar']
    """
    starts = pd.Series(starts, dtype=float)
    missing = [t for t in tasks["id"] if t not in starts.index or pd.isna(starts.get(t))]
    if missing:
        raise UnknownReferenceError(Problem(
            "on_days", None, str(missing[0]), "starts",
            f"no start day for task(s) {', '.join(map(str, missing))}"))
    out = tasks.copy()
    day0 = pd.Timestamp(start)
    first = out["id"].map(starts).to_numpy(float)
    duration = out["duration"].to_numpy(float)
    out["milestone"] = duration == 0
    out["start"] = day0 + pd.to_timedelta(first, unit="D")
    out["finish"] = day0 + pd.to_timedelta(first + np.maximum(duration, 1) - 1, unit="D")
    return out


def _conform(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every column of the schema of ``table``, in order, with its dtype."""
    empty = SCHEMAS[table].empty()
    out = pd.concat([empty, frame], ignore_index=True)[empty.columns]
    for column, dtype in empty.dtypes.items():
        out[column] = out[column].astype(dtype)
    return out


def two_project_portfolio(*, durations=None, start=TEACHING_START) -> Portfolio:
    """The teaching example as a :class:`~pmo_lib.model.Portfolio`, to level with
    :func:`pmo_lib.resources.level_portfolio` or to try in a what-if panel.

    Parameters
    ----------
    durations : mapping task id → working days, optional
        As :func:`two_projects`.
    start : date
        Day 0, the start date of both projects (default :data:`TEACHING_START`).

    Returns
    -------
    Portfolio
        Projects WEB (priority 1) and RPT (priority 2), the tasks of :func:`two_projects`
        with their CPM dates as the baseline, Ana and her assignments, on the every-day
        calendar (:func:`every_day`), so day ``n`` is the date ``n`` days after ``start``.
        It has no status data: level it without a month.

    Examples
    --------
    >>> from pmo_lib import resources
    >>> lev = resources.level_portfolio(two_project_portfolio(), schedules=20)
    >>> lev.projects[["priority", "slip"]]
                priority  slip
    project_id
    WEB                1     0
    RPT                2     2
    """
    tasks, links, team, assignments = two_projects(durations)
    day0 = pd.Timestamp(start)
    calendar = every_day()
    plan = schedule.cpm(tasks, links, calendar=calendar, start=day0)
    tasks = tasks.assign(
        wbs=["1.1", "1.2", "1.3", "1.1", "1.2"],
        baseline_start=tasks["id"].map(plan["start_date"]).to_numpy(),
        baseline_finish=tasks["id"].map(plan["finish_date"]).to_numpy(),
        budget=0.0, milestone=False, constraint_type="ASAP")
    projects = pd.DataFrame({
        "id": ["WEB", "RPT"], "name": ["Website refresh", "Annual report"],
        "programme": "Teaching", "manager": "You", "sponsor": "The board",
        "methodology": "waterfall", "start_date": day0, "budget": 0.0, "priority": [1, 2],
        "description": ["A new website: workshop, build, review.",
                        "The annual report: figures, then the text."]})
    team = team.assign(cost_rate=0.0, department="PMO")
    return Portfolio(projects=_conform("projects", projects), tasks=_conform("tasks", tasks),
                     links=_conform("links", links), resources=_conform("resources", team),
                     assignments=_conform("assignments", assignments), calendar=calendar,
                     name="Two small projects sharing Ana")


def _close(answer, value, rel: float = 5e-3, abs_tol: float = 1e-9) -> bool:
    return bool(np.isclose(float(answer), float(value), rtol=rel, atol=abs_tol))


def _level_quietly(*args, **kwargs):
    """:func:`pmo_lib.resources.level_portfolio` without its data warnings (the notebook
    shows them once)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return resources.level_portfolio(*args, **kwargs)


# ----------------------------------------------------------------------------------------
# 1. Utilisation of a role in a month
# ----------------------------------------------------------------------------------------
class RoleUtilisation(NumberQuestion):
    """The utilisation of a role in a month, in the forecast loading at a status month.

    The expected value is ``load.utilisation.at[period, role]`` of
    :func:`pmo_lib.resources.portfolio_loading` (``freq="M"``, ``by="role"``): the units
    demanded by the role's assignments over the month's working days, divided by the sum of
    its people's capacities times those working days. Right within 0.005 (two decimals).

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period, optional
        The status month of the forecast (default: the latest).
    role : str
        The role (default ``"Consultant"``).
    period : str or Period, optional
        The month asked about (default: the month after ``month``).

    Raises
    ------
    MissingDataError
        ``month`` has no status data.
    UnknownReferenceError
        ``role`` is not a role of the portfolio's resources (the message lists them).
    DataValidationError
        ``period`` is outside the loading table (the message gives its range).
    """

    answer_format = "a fraction, e.g. 0.85 for 85 %"
    abs_tol = 0.005
    rel_tol = 0.0
    hint_text = ("Utilisation = demand / capacity in the same month. load.utilisation has it "
                 "already (one row per month, one column per role); or divide "
                 "load.demand by load.capacity yourself.")

    def __init__(self, portfolio: Portfolio, month=None, role: str = "Consultant",
                 period=None):
        super().__init__()
        self.portfolio = portfolio
        self.month = _month(portfolio, month)
        self.role = str(role)
        roles = sorted(portfolio.resources["role"].astype(str).unique())
        if self.role not in roles:
            raise UnknownReferenceError(Problem(
                "RoleUtilisation", None, self.role, "role",
                f"unknown role {self.role!r}; the roles are {', '.join(roles)}"))
        self.period = self.month + 1 if period is None else parse_month(period)
        self._loading = None
        index = self.loading().utilisation.index
        if self.period not in index:
            raise DataValidationError(Problem(
                "RoleUtilisation", None, str(self.period), "period",
                f"no loading in {self.period}; the forecast runs from {index.min()} to "
                f"{index.max()}"))
        self.prompt = (f"In the forecast at {self.month} (`load`), what is the utilisation "
                       f"of the {self.role} role in {self.period}? Answer as a fraction "
                       "(1.0 means exactly fully used).")
        self.solution_code = f'load.utilisation.at[pd.Period("{self.period}"), "{self.role}"]'

    def loading(self) -> resources.Loading:
        """The loading the question is about (as the notebook's ``load``)."""
        if self._loading is None:
            self._loading = resources.portfolio_loading(self.portfolio, self.month, freq="M",
                                                        by="role")
        return self._loading

    def _expected(self) -> float:
        return float(self.loading().utilisation.at[self.period, self.role])

    def _advice(self, answer):
        load = self.loading()
        d = float(load.demand.at[self.period, self.role])
        c = float(load.capacity.at[self.period, self.role])
        u = self._expected()
        cal = self.portfolio.calendar
        days = float(cal.working_days(self.period.start_time,
                                      self.period.end_time.normalize()))
        res = self.portfolio.resources
        people = float(pd.to_numeric(res.loc[res["role"].astype(str) == self.role,
                                             "capacity"]).sum())
        baseline = resources.portfolio_loading(self.portfolio, freq="M", by="role").utilisation
        if u > 0 and _close(answer / 100, u, abs_tol=0.005):
            return "Give it as a fraction: 1.0 is 100 %, 1.5 is 150 %."
        if _close(answer, d):
            return ("That is the demand in unit-days. Divide it by the role's capacity in "
                    "the same month.")
        if _close(answer, c):
            return "That is the capacity. Utilisation is demand / capacity."
        if d > 0 and _close(answer, c / d, abs_tol=0.005):
            return "Upside down: utilisation is demand / capacity, not capacity / demand."
        if days > 0 and people != 1 and _close(answer, d / days, abs_tol=0.005):
            return ("You divided by the working days only, as if the role were one "
                    "full-time person. Its capacity adds up every person of the role: "
                    "capacity × working days each.")
        calendar_days = self.period.days_in_month
        if people > 0 and _close(answer, d / (people * calendar_days), abs_tol=0.005):
            return ("Count working days, not calendar days: weekends and holidays have no "
                    "capacity.")
        if (self.period in baseline.index and self.role in baseline.columns
                and not _close(baseline.at[self.period, self.role], u, abs_tol=0.005)
                and _close(answer, baseline.at[self.period, self.role], abs_tol=0.005)):
            return ("That is the baseline plan's utilisation. The question asks about the "
                    f"forecast at {self.month} (`load`).")
        return None


# ----------------------------------------------------------------------------------------
# 2. The peak over-allocation of a resource
# ----------------------------------------------------------------------------------------
class PeakOverallocation(NumberQuestion):
    """By how many units a resource is over-booked on its worst day (the largest excess).

    The expected value is the largest ``excess`` (peak demand − capacity) of the resource's
    over-allocated runs in the forecast at the status month
    (:func:`pmo_lib.resources.overallocations` on the dates of
    :func:`pmo_lib.schedule.schedule_portfolio`).

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period, optional
        The status month of the forecast (default: the latest).
    resource : str, optional
        Resource id (default: the resource with the most over-allocated runs, so the worst
        one must be found among them; ties: the largest excess).

    Raises
    ------
    MissingDataError
        ``month`` has no status data.
    UnknownReferenceError
        ``resource`` is not in the resources table.
    DataValidationError
        ``resource`` is never over-allocated (nothing to ask), or no resource is.
    """

    answer_format = "a number of units (1 unit = one person full time)"
    abs_tol = 0.01
    rel_tol = 0.0
    hint_text = ("runs has one row per over-allocated run; excess = peak_demand − capacity. "
                 "Keep the rows of the resource and take the largest excess.")

    def __init__(self, portfolio: Portfolio, month=None, resource: str | None = None):
        super().__init__()
        self.portfolio = portfolio
        self.month = _month(portfolio, month)
        self._runs = None
        runs = self.runs()
        ids = portfolio.resources["id"].astype(str)
        if resource is None:
            if runs.empty:
                raise DataValidationError(Problem(
                    "PeakOverallocation", None, None, "resource",
                    f"no resource is over-allocated in the forecast at {self.month}"))
            per = runs.assign(excess=runs["excess"].astype(float)).groupby("resource_id")
            ranking = pd.DataFrame({"runs": per.size(), "worst": per["excess"].max()})
            resource = str(ranking.sort_values(["runs", "worst"], ascending=False,
                                               kind="stable").index[0])
        self.resource = str(resource)
        if self.resource not in set(ids):
            raise UnknownReferenceError(Problem(
                "PeakOverallocation", None, self.resource, "resource",
                f"unknown resource {self.resource!r}; the resources are "
                f"{', '.join(ids[:40])}"))
        if not (runs["resource_id"] == self.resource).any():
            raise DataValidationError(Problem(
                "PeakOverallocation", None, self.resource, "resource",
                f"{self.resource} is never over-allocated in the forecast at {self.month}; "
                "pick another resource"))
        names = portfolio.resources.assign(id=ids).set_index("id")
        who = f"{self.resource} ({names.at[self.resource, 'name']}, " \
              f"{names.at[self.resource, 'role']})"
        self.prompt = (f"In the forecast at {self.month} (`runs`), by how many units is "
                       f"{who} over-booked on its worst day, above its capacity?")
        self.solution_code = f'runs.loc[runs["resource_id"] == "{self.resource}", "excess"].max()'

    def runs(self) -> pd.DataFrame:
        """The over-allocated runs of the forecast (as the notebook's ``runs``)."""
        if self._runs is None:
            p = self.portfolio
            forecast = schedule.schedule_portfolio(p, self.month).rename_axis("id")
            self._runs = resources.overallocations(
                forecast.reset_index(), p.assignments, p.resources, p.calendar,
                start="start_date", finish="finish_date")
        return self._runs

    def _mine(self) -> pd.DataFrame:
        runs = self.runs()
        return runs[runs["resource_id"] == self.resource]

    def _expected(self) -> float:
        return float(self._mine()["excess"].max())

    def _advice(self, answer):
        mine = self._mine()
        peak = float(mine["peak_demand"].max())
        cap = float(mine["capacity"].iloc[0])
        if _close(answer, peak):
            return (f"That is the peak demand. The over-allocation is what is above the "
                    f"capacity ({cap:g}): subtract it.")
        if cap > 0 and _close(answer, peak / cap):
            return ("That is the peak as a multiple of the capacity (a utilisation). The "
                    "question asks for units above the capacity.")
        if _close(answer, float(mine["excess"].sum())) and len(mine) > 1:
            return "That adds up the runs. Take the worst one (the largest excess)."
        if _close(answer, len(mine)) and len(mine) > 1:
            return "That is the number of over-allocated runs, not the units over capacity."
        if answer in set(mine["working_days"].astype(float)) or \
                _close(answer, float(mine["working_days"].sum())):
            return "That is a number of working days. The question asks for units."
        if _close(answer, float(mine["excess"].iloc[0])) and len(mine) > 1:
            return "That is the first run's excess. Another run is worse."
        return None


# ----------------------------------------------------------------------------------------
# 3. The levelled finish of the teaching example, by hand
# ----------------------------------------------------------------------------------------
class LevelledFinish(NumberQuestion):
    """When does the annual report (RPT) finish after levelling, WEB first, when gathering
    the figures (R1) takes ``gather`` days?

    The expected value is RPT's levelled finish (a day number, the morning after its last
    day, as ``finish`` of :func:`pmo_lib.levelling.level`) of :func:`two_projects` with R1
    changed, levelled with WEB ranked first.

    Parameters
    ----------
    gather : int
        Days to gather the figures (R1), default 4 (the notebook's example has 3). [d]

    Raises
    ------
    DataValidationError
        ``gather`` is not a whole number of days from 1 to 20.

    Notes
    -----
    With 4 days: W1 holds Ana on days 0–1 (WEB first); R1 waits and works days 2–5; R2 would
    follow on days 6–7, but W3 (WEB's review, ranked first) has Ana on days 7–8, so R2 waits
    for two free days in a row: days 9–10. RPT finishes on day 11.
    """

    answer_format = "a day number, e.g. 7"
    hint_text = ("Go in priority order: first book Ana for WEB's tasks (W1 on days 0–1, W3 "
                 "on days 7–8), as if RPT did not exist. Then put R1 and R2, in turn, on the "
                 "first days when Ana is free for the whole task and their link allows it.")

    def __init__(self, gather: int = 4):
        super().__init__()
        if isinstance(gather, bool) or not isinstance(gather, numbers.Real) or \
                not float(gather).is_integer() or not 1 <= gather <= 20:
            raise DataValidationError(Problem(
                "LevelledFinish", None, "R1", "gather",
                f"need a whole number of days from 1 to 20, got {gather!r}"))
        self.gather = int(gather)
        self.prompt = (f"Say gathering the figures (R1) takes {self.gather} days instead of "
                       "3, and WEB still goes first. Level by hand: on which day does the "
                       "annual report (RPT) finish? (A task of d days starting on day s "
                       "finishes on day s + d.)")
        self.solution_code = (
            f'tasks, links, team, assignments = training.two_projects({{"R1": {self.gather}}})\n'
            "ranks = tasks.set_index(\"id\")[\"project_id\"].map({\"WEB\": 1, \"RPT\": 2})\n"
            "levelled = levelling.level(tasks, links, team, assignments, priority=ranks, "
            "seed=1)\n"
            'levelled.projects.at["RPT", "finish"]')

    def _result(self) -> levelling.LevelResult:
        tasks, links, team, assignments = two_projects({"R1": self.gather})
        ranks = tasks.set_index("id")["project_id"].map({"WEB": 1, "RPT": 2})
        return levelling.level(tasks, links, team, assignments, priority=ranks,
                               schedules=50, seed=1)

    def _expected(self) -> float:
        return float(self._result().projects.at["RPT", "finish"])

    def _advice(self, answer):
        g, expected = self.gather, self._expected()
        cpm = g + 2
        straight = 2 + g + 2  # W1, then R1 and R2 back to back, ignoring W3
        if _close(answer, cpm):
            return ("That is the plan without levelling (R1 then R2, no waiting). Ana cannot "
                    "do W1 and R1 at the same time.")
        if _close(answer, expected - 1):
            return ("That is the last day worked. Count as the notebook does: a task from "
                    "day s of d days finishes on day s + d.")
        if _close(answer, straight) and straight != expected:
            return ("R1 rightly waits for W1, but look at W3: WEB's review holds Ana on days "
                    "7 and 8, and WEB goes first. R2 needs two free days in a row.")
        if _close(answer, 9):
            return "That is when WEB finishes. The question asks about the annual report."
        if g != 3 and _close(answer, 7):
            return ("That is the notebook's answer with R1 at 3 days. Redo it with "
                    f"{g} days.")
        if _close(answer, g + 2 + 5) or answer > expected:
            return ("Too late: levelling starts each task on the first day its links and Ana "
                    "allow, never later.")
        return None


# ----------------------------------------------------------------------------------------
# 4 and 5. Reading the levelling of the whole portfolio
# ----------------------------------------------------------------------------------------
class _LevellingQuestion:
    """A question about :func:`pmo_lib.resources.level_portfolio` of a portfolio."""

    def _setup(self, portfolio: Portfolio, month, schedules: int, seed) -> None:
        self.portfolio = portfolio
        self.month = _month(portfolio, month)
        self.schedules, self.seed = int(schedules), seed
        self._levelled = None

    def levelled(self):
        """The portfolio levelled with its own priorities (as the notebook's ``lev``)."""
        if self._levelled is None:
            self._levelled = _level_quietly(self.portfolio, self.month,
                                            schedules=self.schedules, seed=self.seed)
        return self._levelled

    def _project(self, project, function: str) -> str:
        ids = self.portfolio.projects["id"].astype(str).tolist()
        if str(project) not in ids:
            raise UnknownReferenceError(Problem(
                function, None, str(project), "project",
                f"unknown project {project!r}; the projects are {', '.join(ids)}"))
        return str(project)


class WaitingTask(_LevellingQuestion, ChoiceQuestion):
    """Which task waited for a resource and made a project slip?

    The expected value is ``lev.projects.at[project, "delay_source"]`` of
    :func:`pmo_lib.resources.level_portfolio`: the task that met the resource conflict
    behind the project's slip (the project's last task may only follow it through links).

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period, optional
        The status month (default: the latest).
    project : str, optional
        A project that slips (default: the one that slips most).
    schedules, seed : int, keyword-only
        Of the levelling; the notebook's ``lev`` must use the same.

    Raises
    ------
    UnknownReferenceError
        ``project`` is not in the portfolio.
    DataValidationError
        ``project`` does not slip (or no project does): nothing to ask.
    """

    answer_format = 'a task ID, e.g. "ERP-0012"'
    hint_text = ("lev.projects says, per project, which task finishes last (driving_task) "
                 "and which task met the resource conflict (delay_source); the reason "
                 "column says it in words.")

    def __init__(self, portfolio: Portfolio, month=None, project: str | None = None, *,
                 schedules: int = 1000, seed=0):
        super().__init__()
        self._setup(portfolio, month, schedules, seed)
        table = self.levelled().projects
        if project is None:
            if not (table["slip"] > 0).any():
                raise DataValidationError(Problem(
                    "WaitingTask", None, None, "project",
                    f"no project slips when levelled at {self.month}"))
            project = str(table["slip"].astype(float).idxmax())
        self.project = self._project(project, "WaitingTask")
        if not table.at[self.project, "slip"] > 0 or \
                not isinstance(table.at[self.project, "delay_source"], str):
            raise DataValidationError(Problem(
                "WaitingTask", None, self.project, "project",
                f"{self.project} does not slip for want of a resource when levelled at "
                f"{self.month}; pick a project with a reason in lev.projects"))
        self.prompt = (f"`lev` levels the portfolio at {self.month}. Project {self.project} "
                       "slips. Which task waited for a resource and so made it slip?")
        self.solution_code = f'lev.projects.at["{self.project}", "delay_source"]'

    def _expected(self) -> str:
        return str(self.levelled().projects.at[self.project, "delay_source"])

    def _advice(self, answer):
        lev = self.levelled()
        row = lev.projects.loc[self.project]
        tasks = lev.tasks
        task = {self._norm(t): t for t in tasks.index}.get(self._norm(answer))
        if task is None:
            return ("That is not one of the unfinished tasks that were levelled (lev.tasks "
                    "lists them by ID).")
        if task == row["blocking_task"]:
            return ("That task holds the resource (the blocking task): it goes first. The "
                    "question asks which task had to wait.")
        if task == row["driving_task"]:
            return ("That task finishes last, but it only follows its links. Which task "
                    "upstream met the resource conflict?")
        if tasks.at[task, "project_id"] != self.project:
            return f"That task is not in {self.project}, and it is not the one behind its slip."
        if tasks.at[task, "delay"] > 0:
            return ("That task is delayed too, but it is not the one behind the project's "
                    "slip. Read the project's row of lev.projects.")
        return "That task is not delayed by the levelling."


class PriorityFlip(_LevellingQuestion, ChoiceQuestion):
    """Rank a project first: which other project pays for it (its slip grows most)?

    The expected value compares two :func:`pmo_lib.resources.level_portfolio` runs with the
    same ``schedules`` and ``seed``: the portfolio's own priorities, and ``project`` ranked
    1. The project whose ``slip`` grows most is the answer (every project of a tie is
    accepted).

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period, optional
        The status month (default: the latest).
    project : str, optional
        The project ranked first (default: the project of the lowest priority whose move to
        the front delays another project).
    schedules, seed : int, keyword-only
        Of both levellings; the notebook must use the same.

    Raises
    ------
    UnknownReferenceError
        ``project`` is not in the portfolio.
    DataValidationError
        Ranking ``project`` first delays no other project (nothing to ask).
    """

    answer_format = 'a project ID, e.g. "ERP" (or its name)'
    hint_text = ("Level again with priorities={project: 1} (same schedules and seed), then "
                 "subtract lev.projects[\"slip\"] from the new slips: the largest growth is "
                 "the project that now waits.")

    def __init__(self, portfolio: Portfolio, month=None, project: str | None = None, *,
                 schedules: int = 1000, seed=0):
        super().__init__()
        self._setup(portfolio, month, schedules, seed)
        self._flipped: dict = {}
        if project is None:
            ranks = self.levelled().projects["priority"].sort_values(ascending=False,
                                                                     kind="stable")
            project = next((p for p in ranks.index if ranks[p] > 1
                            and (self._change(p).drop(p) > 0).any()), None)
            if project is None:
                raise DataValidationError(Problem(
                    "PriorityFlip", None, None, "project",
                    f"ranking any one project first delays no other at {self.month}"))
        self.project = self._project(project, "PriorityFlip")
        if not (self._change(self.project).drop(self.project) > 0).any():
            raise DataValidationError(Problem(
                "PriorityFlip", None, self.project, "project",
                f"ranking {self.project} first delays no other project at {self.month}; "
                "pick another project"))
        rank = int(self.levelled().projects.at[self.project, "priority"])
        self.prompt = (f"Rank {self.project} (now priority {rank}) first, priority 1, and "
                       "level again with the same schedules and seed. Which other project "
                       "pays for it: whose slip grows the most?")
        self.solution_code = (
            f'flipped = resources.level_portfolio(portfolio, status_month, priorities={{"'
            f'{self.project}": 1}}, schedules=schedules, seed=seed)\n'
            '(flipped.projects["slip"] - lev.projects["slip"]).idxmax()')

    def flipped(self, project: str | None = None):
        """The portfolio levelled with ``project`` (default: the question's) ranked first."""
        project = self.project if project is None else project
        if project not in self._flipped:
            self._flipped[project] = _level_quietly(
                self.portfolio, self.month, priorities={project: 1},
                schedules=self.schedules, seed=self.seed)
        return self._flipped[project]

    def _change(self, project: str) -> pd.Series:
        """Working days each project's slip grows when ``project`` is ranked first."""
        return (self.flipped(project).projects["slip"]
                - self.levelled().projects["slip"]).astype(float)

    def _expected(self) -> str:
        return str(self._change(self.project).idxmax())

    def _accepted(self) -> set[str]:
        change = self._change(self.project)
        top = change.index[np.isclose(change, change.max())]
        names = self.portfolio.projects.assign(
            id=self.portfolio.projects["id"].astype(str)).set_index("id")["name"]
        return {str(p) for p in top} | {str(names[p]) for p in top}

    def _advice(self, answer):
        projects = self.portfolio.projects.assign(
            id=self.portfolio.projects["id"].astype(str))
        lookup = {self._norm(p): p for p in projects["id"]} | {
            self._norm(n): p for p, n in zip(projects["id"], projects["name"], strict=True)}
        project = lookup.get(self._norm(answer))
        if project is None:
            return f"That is not a project of the portfolio: {', '.join(projects['id'])}."
        change = self._change(self.project)
        if project == self.project:
            return (f"{project} is the project ranked first: it gains (or keeps its date). "
                    "Which other project now waits?")
        if change[project] > 0:
            return f"{project} does slip more, but another project slips more still."
        if change[project] < 0:
            return f"{project} finishes earlier, not later: the reshuffle helps it."
        return f"{project}'s levelled finish does not move."


def questions(portfolio: Portfolio, month=None, *, role: str = "Consultant", period=None,
              resource: str | None = None, gather: int = 4, project: str | None = None,
              flip: str | None = None, schedules: int = 1000, seed=0):
    """The five questions of the notebook, in order.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period, optional
        The status month of every question on the portfolio (default: the latest).
    role, period : keyword-only
        Of :class:`RoleUtilisation`.
    resource : str, keyword-only, optional
        Of :class:`PeakOverallocation`.
    gather : int, keyword-only
        Of :class:`LevelledFinish`.
    project : str, keyword-only, optional
        Of :class:`WaitingTask`.
    flip : str, keyword-only, optional
        The project :class:`PriorityFlip` ranks first.
    schedules, seed : int, keyword-only
        Of the levellings of questions 4 and 5 (the notebook's ``lev`` must use the same).

    Returns
    -------
    tuple of Question
        ``(RoleUtilisation, PeakOverallocation, LevelledFinish, WaitingTask, PriorityFlip)``.
    """
    return (RoleUtilisation(portfolio, month, role, period),
            PeakOverallocation(portfolio, month, resource), LevelledFinish(gather),
            WaitingTask(portfolio, month, project, schedules=schedules, seed=seed),
            PriorityFlip(portfolio, month, flip, schedules=schedules, seed=seed))
