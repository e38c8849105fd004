"""Exercises of training notebook ``07_agile_delivery_metrics``: agile metrics by hand.

Most questions use the small, hand-checkable data of the notebook: the six sprints of a Scrum
team building a booking app (:func:`team_sprints`, its release plan :func:`team_release`), a
few of its backlog items (:func:`team_items`) and the weekly throughput of a Kanban team
(:func:`weekly_throughput`). One question uses a :class:`~pmo_lib.model.Portfolio` at a
status month. Every expected value is computed with :mod:`pmo_lib.agile`.

1. :class:`MeanVelocity`: the team's mean velocity.
2. :class:`ItemCycleTime`: the cycle time of one item, both ends counted.
3. :class:`ConstantThroughputWeeks`: weeks to finish N items at a constant throughput.
4. :class:`HowManyItems`: how many items, at least, in the next weeks with 85 % confidence.
5. :class:`LongestCycleTimeKanban`: which Kanban project has the longest P85 cycle time?
6. :class:`ReleaseSPI`: the AgileEVM schedule performance index of the team's release.

Build them one by one or all at once with :func:`questions`. The solutions use the names the
notebook uses: ``team_sprints``, ``team_release``, ``team_items``, ``history_q4``, ``runs``,
``portfolio``, ``month``, ``from pmo_lib import agile`` and ``import numpy as np``.

Examples
--------
>>> from pmo_lib.exercises import agile as training
>>> q1, q2, q3 = training.MeanVelocity(), training.ItemCycleTime(), training.ConstantThroughputWeeks()
>>> q1.check(...)
Not attempted: replace the placeholder ... with your answer, then run the cell again.
>>> bool(q1.check(24)), bool(q2.check(13)), bool(q3.check(8))
(True, True, True)
>>> q2.check(12)
Not quite. 12 is not the answer. Count both ends: an item started and done on the same day took 1 day, not 0.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import agile
from ..calendar import WorkCalendar
from ..errors import MissingDataError, Problem
from ..model import Portfolio
from . import ChoiceQuestion, NumberQuestion
from .welcome import _month

__all__ = [
    "ConstantThroughputWeeks",
    "HowManyItems",
    "ItemCycleTime",
    "LongestCycleTimeKanban",
    "MeanVelocity",
    "ReleaseSPI",
    "questions",
    "team_items",
    "team_release",
    "team_sprints",
    "weekly_throughput",
]

#: Project ID of the booking-app team of the small examples.
TEAM = "BKG"


def team_sprints() -> pd.DataFrame:
    """Six two-week sprints of the booking-app team (a fresh copy each call).

    Returns
    -------
    DataFrame
        The sprints table of :mod:`pmo_lib.agile`: ``project_id`` (``"BKG"``), ``sprint``
        1..6, ``start``, ``finish`` (Monday to Sunday two weeks later, from 5 January 2026),
        ``committed_points``, ``completed_points``, ``added_points`` [pt] and
        ``actual_cost`` [cur].

    Notes
    -----
    Completed 22, 26, 14, 28, 25, 29: 144 points, a mean velocity of 24 (sprint 3 lost a
    developer to an incident); committed 172 points, so 144 / 172 = 84 % of the commitment
    was kept. 10 points were added to the release on the way; the sprints cost 124,000.

    Examples
    --------
    >>> s = team_sprints()
    >>> s[["completed_points", "committed_points", "actual_cost"]].sum().tolist()
    [144.0, 172.0, 124000.0]
    """
    start = pd.date_range("2026-01-05", periods=6, freq="14D")
    return pd.DataFrame({
        "project_id": TEAM, "sprint": np.arange(1, 7), "start": start,
        "finish": start + pd.Timedelta(days=13),
        "committed_points": [30.0, 28.0, 26.0, 30.0, 28.0, 30.0],
        "completed_points": [22.0, 26.0, 14.0, 28.0, 25.0, 29.0],
        "added_points": [0.0, 3.0, 0.0, 5.0, 0.0, 2.0],
        "actual_cost": [19_000.0, 20_500.0, 21_000.0, 20_000.0, 22_000.0, 21_500.0],
    })


def team_release() -> pd.DataFrame:
    """The booking app's release plan, the ``releases`` input of :func:`pmo_lib.agile.agile_evm`.

    200 story points (PRP) in 8 sprints (PS) for a budget (BAC) of 160,000.

    Examples
    --------
    >>> team_release().to_dict("records")
    [{'project_id': 'BKG', 'planned_points': 200.0, 'planned_sprints': 8, 'bac': 160000.0}]
    """
    return pd.DataFrame({"project_id": [TEAM], "planned_points": [200.0],
                         "planned_sprints": [8], "bac": [160_000.0]})


def team_items() -> pd.DataFrame:
    """Six backlog items of the booking-app team, January 2026 (a fresh copy each call).

    Returns
    -------
    DataFrame
        The items table of :mod:`pmo_lib.agile`: ``project_id``, ``id`` (``S1`` .. ``S6``),
        ``title``, ``points`` [pt], ``created``, ``started``, ``done``, ``state``.

    Notes
    -----
    Cycle times, both ends counted: S1 Mon 5 to Fri 9 January, 5 days; S2 Tue 6 to Tue 20,
    15 days; S3 started and done on Thu 8, 1 day; S4 Thu 15 to Tue 27, 13 days (9 working
    days; lead time from its creation on 7 January, 21 days). S5 is in progress, S6 in the
    backlog.

    Examples
    --------
    >>> agile.cycle_time(team_items()).tolist()
    [5.0, 15.0, 1.0, 13.0, nan, nan]
    """
    d = pd.to_datetime
    return pd.DataFrame({
        "project_id": TEAM, "id": ["S1", "S2", "S3", "S4", "S5", "S6"],
        "title": ["Search rooms by date", "Pay by card", "Fix the date picker on iOS",
                  "Cancel a booking", "Loyalty points", "Invoice as PDF"],
        "points": [3.0, 8.0, 1.0, 5.0, 5.0, 3.0],
        "created": d(["2026-01-02", "2026-01-02", "2026-01-05", "2026-01-07", "2026-01-12",
                      "2026-01-20"]),
        "started": d(["2026-01-05", "2026-01-06", "2026-01-08", "2026-01-15", "2026-01-21",
                      None]),
        "done": d(["2026-01-09", "2026-01-20", "2026-01-08", "2026-01-27", None, None]),
        "state": ["done", "done", "done", "done", "in_progress", "backlog"],
    })


def weekly_throughput() -> pd.Series:
    """Items a Kanban team finished in each of its last 12 weeks (oldest first).

    Examples
    --------
    >>> h = weekly_throughput()
    >>> h.tolist(), int(h.sum())
    ([5, 2, 7, 0, 4, 6, 3, 5, 8, 4, 1, 5], 50)
    >>> str(h.index[0])
    '2026-01-05/2026-01-11'
    """
    return pd.Series([5, 2, 7, 0, 4, 6, 3, 5, 8, 4, 1, 5], name="throughput",
                     index=pd.period_range("2026-01-05", periods=12, freq="W"))


def _close(a, b, rel: float = 5e-3) -> bool:
    return bool(np.isfinite(b) and math.isclose(float(a), float(b), rel_tol=rel, abs_tol=1e-9))


# ----------------------------------------------------------------------------------------
# 1. Velocity
# ----------------------------------------------------------------------------------------
class MeanVelocity(NumberQuestion):
    """The mean velocity (story points completed per sprint) of a team.

    Parameters
    ----------
    sprints : DataFrame, optional
        A sprints table of one project (default :func:`team_sprints`).
    """

    answer_format = "a number of story points per sprint"
    rel_tol = 5e-3
    hint_text = ("Velocity counts what was done, not what was planned: add up the "
                 "completed_points of the sprints and divide by the number of sprints.")
    solution_code = 'agile.velocity(team_sprints).loc["BKG", "velocity_mean"]'

    def __init__(self, sprints: pd.DataFrame | None = None):
        super().__init__()
        self.sprints = team_sprints() if sprints is None else sprints
        self.project = str(self.sprints["project_id"].iloc[0])
        self.prompt = (f"What is the mean velocity of team {self.project} over its "
                       f"{len(self.sprints)} sprints?")
        self.solution_code = (f'agile.velocity(team_sprints).loc["{self.project}", '
                              '"velocity_mean"]')

    def _summary(self) -> pd.Series:
        return agile.velocity(self.sprints).loc[self.project]

    def _expected(self) -> float:
        return float(self._summary()["velocity_mean"])

    def _advice(self, answer):
        s, v = self.sprints, self._summary()
        if _close(answer, s["committed_points"].mean()):
            return ("That is the mean commitment, what the team planned. Velocity is what it "
                    "completed.")
        if _close(answer, s["completed_points"].sum()):
            return "That is the total completed; divide it by the number of sprints."
        if _close(answer, v["velocity_recent"]):
            return ("That is the mean of the last 3 sprints (the 'yesterday's weather' "
                    "velocity). The question asks for every sprint.")
        if _close(answer, s["completed_points"].median()):
            return "That is the median; the question asks for the mean."
        if _close(answer, v["commitment_reliability"]) or _close(
                answer, 100 * v["commitment_reliability"]):
            return ("That is the commitment reliability (completed / committed). Velocity is "
                    "in story points per sprint.")
        return None


# ----------------------------------------------------------------------------------------
# 2. Cycle time
# ----------------------------------------------------------------------------------------
class ItemCycleTime(NumberQuestion):
    """The cycle time of one done item, in calendar days, both ends counted.

    Parameters
    ----------
    item : str
        Item ID (default ``"S4"``).
    items : DataFrame, optional
        The items table (default :func:`team_items`).
    """

    answer_format = "a number of calendar days"
    hint_text = ("Cycle time runs from the day work started to the day the item was done, "
                 "both days counted: done − started + 1, in calendar days (weekends "
                 "included). It does not start when the item was created.")

    def __init__(self, item: str = "S4", items: pd.DataFrame | None = None):
        super().__init__()
        self.items = team_items() if items is None else items
        rows = self.items[self.items["id"] == item]
        if rows.empty or rows["done"].isna().all():
            done = self.items.loc[self.items["done"].notna(), "id"]
            raise MissingDataError(Problem("items", None, str(item), "id",
                                           f"no done item with this ID; the done items are "
                                           f"{', '.join(map(str, done))}"))
        self.item, self.row = item, rows.iloc[0]
        self.prompt = (f"What is the cycle time of item {item} ({self.row.get('title', item)})"
                       f", started on {self.row['started']:%a %d %b} and done on "
                       f"{self.row['done']:%a %d %b %Y}?")
        self.solution_code = (f'row = team_items.set_index("id").loc["{item}"]\n'
                              '(row["done"] - row["started"]).days + 1')

    def _expected(self) -> float:
        return float(agile.cycle_time(self.items)[self.row.name])

    def _advice(self, answer):
        started, done, created = self.row["started"], self.row["done"], self.row["created"]
        if np.isclose(answer, (done - started).days):
            return ("Count both ends: an item started and done on the same day took 1 day, "
                    "not 0.")
        if np.isclose(answer, (done - created).days + 1) or np.isclose(
                answer, (done - created).days):
            return ("That counts from the day the item was created: its lead time, the "
                    "customer's wait. Cycle time starts when work starts.")
        if np.isclose(answer, WorkCalendar().working_days(started, done)):
            return ("That counts working days only. agile.cycle_time counts calendar days, "
                    "weekends included: the customer waits on weekends too.")
        return None


# ----------------------------------------------------------------------------------------
# 3 and 4. Forecasting from throughput
# ----------------------------------------------------------------------------------------
class ConstantThroughputWeeks(NumberQuestion):
    """Weeks to finish some items when the throughput has been the same every week.

    Parameters
    ----------
    throughput : int
        Items done every week of the history (default 4). [items/week]
    items : int
        Items still to do (default 30). [items]
    weeks : int
        Weeks of history (default 8).
    """

    answer_format = "a whole number of weeks"

    def __init__(self, throughput: int = 4, items: int = 30, weeks: int = 8):
        super().__init__()
        self.throughput, self.items, self.weeks = throughput, items, weeks
        self.prompt = (f"A team has finished exactly {throughput} items every week for "
                       f"{weeks} weeks. {items} items are left. How many weeks until they are "
                       "all done, with 85 % confidence?")
        self.hint_text = ("With a constant history every Monte Carlo run draws the same "
                          "week again and again, so every percentile gives the same answer. "
                          "Count the weeks until the running total reaches the items left: "
                          "a week is counted whole.")
        self.solution_code = (f"agile.forecast_when([{throughput}] * {weeks}, {items})"
                              '["within_85"]')

    def _expected(self) -> int:
        return agile.forecast_when([self.throughput] * self.weeks, self.items)["within_85"]

    def _advice(self, answer):
        exact = self.items / self.throughput
        if np.isclose(answer, exact) and not float(exact).is_integer():
            return ("Not a whole number of weeks: the work is done at the end of a week, so "
                    "round up.")
        if np.isclose(answer, math.floor(exact)) and not float(exact).is_integer():
            return (f"After {math.floor(exact)} weeks only {math.floor(exact) * self.throughput}"
                    f" of the {self.items} items are done. Round up, not down.")
        if np.isclose(answer, self.items * self.throughput):
            return "Divide the items by the throughput, not multiply."
        if np.isclose(answer, self.throughput / self.items):
            return "Upside down: items left divided by items per week gives weeks."
        return None


class HowManyItems(NumberQuestion):
    """At least how many items are done in the next weeks, with a given confidence?

    The answer is read from Monte Carlo runs of :func:`pmo_lib.agile.simulate_how_many`;
    it is right within one item (percentile conventions differ by that much).

    Parameters
    ----------
    history : array-like or Series, optional
        Items done per past week (default :func:`weekly_throughput`).
    periods : int
        Weeks ahead (default 10).
    confidence : float
        Confidence level in percent (default 85).
    iterations, seed : int
        Of the Monte Carlo runs; the notebook's runs must use the same.
    """

    answer_format = "a number of items"
    abs_tol = 1.0

    def __init__(self, history=None, periods: int = 10, confidence: float = 85, *,
                 iterations: int = 10_000, seed: int = 2026):
        super().__init__()
        self.history = weekly_throughput() if history is None else history
        self.periods, self.confidence = int(periods), float(confidence)
        self.iterations, self.seed = int(iterations), seed
        self.prompt = (f"`runs` holds {self.iterations:,} simulated futures of the next "
                       f"{self.periods} weeks of a Kanban team (items done in each). At least "
                       f"how many items will the team finish in those {self.periods} weeks, "
                       f"with {self.confidence:g} % confidence?")
        self.hint_text = (f"'At least N with {self.confidence:g} % confidence' means "
                          f"{self.confidence:g} % of the runs finish N items or more: N is "
                          "at the LOW end of the runs. Which percentile leaves "
                          f"{self.confidence:g} % of the runs above it?")
        self.solution_code = f"np.percentile(runs, {100 - self.confidence:g})"

    def runs(self) -> np.ndarray:
        """The Monte Carlo runs the question is about (as the notebook computes them)."""
        return agile.simulate_how_many(self.history, self.periods,
                                       iterations=self.iterations, seed=self.seed)

    def _expected(self) -> float:
        key = f"at_least_{self.confidence:g}"
        return agile.forecast_how_many(self.history, self.periods, iterations=self.iterations,
                                       percentiles=(self.confidence,), seed=self.seed)[key]

    def _advice(self, answer):
        runs, c = self.runs(), self.confidence
        h = np.asarray(self.history, dtype=float)
        if abs(answer - np.percentile(runs, c)) <= self.abs_tol:
            return (f"That is the {c:g}th percentile: only {100 - c:g} % of the runs reach "
                    "it. For 'how many' the confident answer is the low end of the runs.")
        if abs(answer - np.median(runs)) <= self.abs_tol or abs(
                answer - h.mean() * self.periods) <= self.abs_tol:
            return ("That is the middle of the runs (the average throughput × weeks): a coin "
                    "toss, reached in only about half the futures.")
        return None


# ----------------------------------------------------------------------------------------
# 5. Flow across the portfolio
# ----------------------------------------------------------------------------------------
class LongestCycleTimeKanban(ChoiceQuestion):
    """Which Kanban project has the longest 85th-percentile cycle time at a month?

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period, optional
        The status month (default: the latest); the backlog as known then.
    percentile : float
        Default 85.
    """

    answer_format = "a project ID (or its name)"

    def __init__(self, portfolio: Portfolio, month=None, percentile: float = 85):
        super().__init__()
        self.portfolio = portfolio
        self.month = _month(portfolio, month)
        self.percentile = float(percentile)
        self.prompt = (f"Which Kanban project has the longest P{self.percentile:g} cycle time "
                       f"(the {self.percentile:g}th percentile of its items' cycle times) at "
                       f"the {self.month} status?")
        self.hint_text = ("Keep the items of the projects whose methodology is 'kanban' "
                          "(portfolio.projects), compute agile.cycle_time of those items, "
                          "group it by project_id and take .quantile(0.85) of each group; "
                          ".idxmax() gives the project.")
        q = self.percentile / 100
        self.solution_code = (
            "items = portfolio.backlog_at(month)\n"
            'kanban = portfolio.projects.loc[portfolio.projects["methodology"] == "kanban", "id"]\n'
            'flow = items[items["project_id"].isin(kanban)]\n'
            f'agile.cycle_time(flow).groupby(flow["project_id"]).quantile({q:g}).idxmax()')

    def _cycle_times(self) -> pd.DataFrame:
        items = self.portfolio.backlog_at(self.month)
        methods = self.portfolio.projects.set_index("id")["methodology"]
        kanban = methods.index[methods == "kanban"]
        flow = items[items["project_id"].isin(kanban)]
        ct = agile.cycle_time(flow).groupby(flow["project_id"])
        table = pd.DataFrame({"p": ct.quantile(self.percentile / 100), "mean": ct.mean(),
                              "max": ct.max()}).dropna(subset=["p"])
        if table.empty:
            raise MissingDataError(Problem(
                "backlog", None, None, "done",
                f"no Kanban project has a done item at {self.month}: there is no cycle time "
                "to compare"))
        return table

    def _expected(self) -> str:
        return str(self._cycle_times()["p"].idxmax())

    def _accepted(self) -> set[str]:
        t = self._cycle_times()
        top = t.index[np.isclose(t["p"], t["p"].max())]
        names = self.portfolio.projects.set_index("id")["name"]
        return {str(p) for p in top} | {str(names[p]) for p in top}

    def _advice(self, answer):
        t = self._cycle_times()
        projects = self.portfolio.projects.set_index("id")
        ids = {self._norm(p): p for p in projects.index} | {
            self._norm(n): p for p, n in projects["name"].items()}
        pid = ids.get(self._norm(answer))
        if pid is None:
            return "That is not a project of the portfolio; answer with a project ID."
        if pid not in t.index:
            return (f"{pid} is run with {projects.at[pid, 'methodology']}, not Kanban. The "
                    f"Kanban projects with done items are {', '.join(t.index)}.")
        if pid == t["mean"].idxmax() or pid == t["max"].idxmax():
            return ("That project has the longest mean or maximum cycle time, but not the "
                    f"longest P{self.percentile:g}: compare the {self.percentile:g}th "
                    "percentiles.")
        return (f"Its P{self.percentile:g} cycle time is shorter than another Kanban "
                "project's. Compare the percentiles of every Kanban project.")


# ----------------------------------------------------------------------------------------
# 6. AgileEVM
# ----------------------------------------------------------------------------------------
class ReleaseSPI(NumberQuestion):
    """The AgileEVM schedule performance index (SPI) of a release at the end of a sprint.

    Parameters
    ----------
    sprints : DataFrame, optional
        The release's sprints with ``actual_cost`` and ``added_points`` (default
        :func:`team_sprints`).
    release : DataFrame, optional
        Its release plan (default :func:`team_release`).
    sprint : int, optional
        The sprint (default: the last).
    """

    answer_format = "a ratio, e.g. 0.95"
    rel_tol = 5e-3
    hint_text = ("AgileEVM: expected percent complete EPC = sprints done / sprints planned; "
                 "actual percent complete APC = points completed / release points, where the "
                 "release points are the planned points plus every point added so far. "
                 "SPI = EV / PV = APC / EPC.")

    def __init__(self, sprints: pd.DataFrame | None = None,
                 release: pd.DataFrame | None = None, sprint: int | None = None):
        super().__init__()
        self.sprints = team_sprints() if sprints is None else sprints
        self.release = team_release() if release is None else release
        self.project = str(self.release["project_id"].iloc[0])
        self.sprint = int(self.sprints["sprint"].max() if sprint is None else sprint)
        self.prompt = (f"What is the AgileEVM SPI of release {self.project} at the end of "
                       f"sprint {self.sprint}? Mind the story points added on the way.")
        self.solution_code = ("agile.agile_evm(team_sprints, team_release)"
                              f'.loc[("{self.project}", {self.sprint}), "spi"]')

    def _row(self) -> pd.Series:
        return agile.agile_evm(self.sprints, self.release).loc[(self.project, self.sprint)]

    def _expected(self) -> float:
        return float(self._row()["spi"])

    def _advice(self, answer):
        r = self._row()
        plan = self.release.iloc[0]
        if _close(answer, r["completed_to_date"] / plan["planned_points"]
                  / r["expected_complete"]):
            return ("You divided by the release's planned points only. Points were added to "
                    "the release on the way (added_points): they are part of the scope now.")
        if _close(answer, 1 / r["spi"]):
            return "Upside down: SPI = EV / PV = APC / EPC, the actual percent complete on top."
        if _close(answer, r["cpi"]):
            return "That is the CPI (EV / AC), the cost index. SPI compares EV with PV."
        if _close(answer, r["actual_complete"]):
            return ("That is the actual percent complete (APC). SPI compares it with the "
                    "expected percent complete (EPC).")
        if _close(answer, r["expected_complete"]):
            return "That is the expected percent complete (EPC), the plan's side of SPI."
        done = self.sprints[self.sprints["sprint"] <= self.sprint]
        if _close(answer, done["completed_points"].sum() / done["committed_points"].sum()):
            return ("That is the commitment reliability, sprint plans against sprint results. "
                    "SPI compares the release's progress with the release plan.")
        return None


def questions(portfolio: Portfolio, month=None, *, iterations: int = 10_000,
              seed: int = 2026):
    """The six questions of the notebook, in order.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period, optional
        The status month of question 5 (default: the latest).
    iterations, seed : int, keyword-only
        Of the Monte Carlo runs of question 4 (the notebook's ``runs`` must use the same).

    Returns
    -------
    tuple of Question
        ``(MeanVelocity, ItemCycleTime, ConstantThroughputWeeks, HowManyItems,
        LongestCycleTimeKanban, ReleaseSPI)``.
    """
    return (MeanVelocity(), ItemCycleTime(), ConstantThroughputWeeks(),
            HowManyItems(iterations=iterations, seed=seed),
            LongestCycleTimeKanban(portfolio, month), ReleaseSPI())
