"""Exercises of training notebook ``04_risk_and_uncertainty``: risk by hand and by simulation.

Two questions use the risk register of a :class:`~pmo_lib.model.Portfolio` at a status month,
one a three-point estimate given by numbers, and three the small teaching networks of this
module: the office move (:func:`office_move`, four tasks, two of them in parallel) and ``k``
identical tasks in parallel (:func:`parallel_tasks`). Every expected value is computed with
:mod:`pmo_lib.risk` or :func:`pmo_lib.simulation.simulate` (the BetaPERT mean with the
formula the simulation's BetaPERT distribution has).

1. :class:`RiskEMV`: the expected monetary value of a risk of the register.
2. :class:`RiskScore`: its probability × impact score and rating, as a pair.
3. :class:`PertMean`: the BetaPERT mean of a three-point estimate.
4. :class:`NetworkP80`: the P80 finish of the office move, read from a simulation result.
5. :class:`TornadoTop`: which task of the office move tops the tornado?
6. :class:`MergeBias`: the probability that ``k`` parallel tasks all finish by their most
   likely duration.

Build them one by one or all at once with :func:`questions`. The solutions use the names the
notebook uses: ``portfolio``, ``register`` (the register at ``month``), ``small`` (the
simulation of the office move), ``from pmo_lib import risk, simulation`` and
``from pmo_lib.exercises import risk as training``.

Examples
--------
>>> from pmo_lib.exercises import risk as training
>>> q = training.PertMean(10, 12, 20)
>>> q.check(...)
Not attempted: replace the placeholder ... with your answer, then run the cell again.
>>> bool(q.check((10 + 4 * 12 + 20) / 6))
True
>>> q.check(14)
Not quite. 14 is not the answer. That is the triangular mean, (a + m + b) / 3. BetaPERT weights the most likely duration four times: (a + 4m + b) / 6.
>>> training.merge_bias(2, iterations=4_000, seed=1)["p_on_time_theory"]
np.float64(0.25)
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd

from .. import risk, simulation
from ..errors import DataValidationError, MissingDataError, Problem, UnknownReferenceError
from ..model import Portfolio
from . import ChoiceQuestion, NumberQuestion, Question, _kind_of
from .welcome import _month

__all__ = [
    "MergeBias",
    "NetworkP80",
    "PertMean",
    "RiskEMV",
    "RiskScore",
    "TornadoTop",
    "merge_bias",
    "office_move",
    "parallel_tasks",
    "questions",
]


# ----------------------------------------------------------------------------------------
# The teaching networks
# ----------------------------------------------------------------------------------------
def office_move() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The small network of the exercises: moving an office (a fresh copy each call).

    Returns
    -------
    tasks : DataFrame
        ``id`` A–D, ``name``, ``duration`` (most likely), ``duration_min``,
        ``duration_max`` [d] and ``distribution`` (triangular): A *Sign the lease* 5 (4–7),
        B *Fit out the new office* 20 (18–23), C *Install the IT* 15 (10–35), D *Move in*
        4 (3–6).
    links : DataFrame
        ``pred``, ``succ``: A before B and C, which run in parallel; both before D.

    Notes
    -----
    The plan (most likely durations) takes 5 + 20 + 4 = 29 working days, with B on the
    critical path and C 5 days short of it. C's estimate is wide and skewed: it overtakes B in
    about 4 iterations out of 10, and its duration drives the finish most (the top of the
    tornado), although B is longer and A and D are critical in every iteration.

    Examples
    --------
    >>> tasks, links = office_move()
    >>> tasks[["id", "duration", "duration_min", "duration_max"]].to_numpy().tolist()
    [['A', 5.0, 4.0, 7.0], ['B', 20.0, 18.0, 23.0], ['C', 15.0, 10.0, 35.0], ['D', 4.0, 3.0, 6.0]]
    >>> simulation.simulate(tasks, links, iterations=10).deterministic
    29.0
    """
    tasks = pd.DataFrame({
        "id": ["A", "B", "C", "D"],
        "name": ["Sign the lease", "Fit out the new office", "Install the IT", "Move in"],
        "duration": [5.0, 20.0, 15.0, 4.0],
        "duration_min": [4.0, 18.0, 10.0, 3.0],
        "duration_max": [7.0, 23.0, 35.0, 6.0],
        "distribution": "triangular",
    })
    links = pd.DataFrame({"pred": ["A", "A", "B", "C"], "succ": ["B", "C", "D", "D"],
                          "type": "FS", "lag": 0.0})
    return tasks, links


def parallel_tasks(k: int, *, low: float = 8.0, likely: float = 10.0,
                   high: float = 12.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``k`` identical tasks in parallel, all followed by a milestone ``DONE``.

    Parameters
    ----------
    k : int
        Number of parallel tasks (≥ 1); their IDs are ``T1`` ... ``Tk``.
    low, likely, high : float
        Their three-point estimate (default 8, 10, 12: symmetric, so each task finishes by
        its most likely duration in half the iterations). [d]

    Returns
    -------
    tasks, links : DataFrame
        The input of :func:`pmo_lib.simulation.simulate` (triangular durations).

    Examples
    --------
    >>> tasks, links = parallel_tasks(3)
    >>> tasks["id"].tolist(), links["succ"].unique().tolist()
    (['T1', 'T2', 'T3', 'DONE'], ['DONE'])
    """
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
        raise DataValidationError(Problem("parallel_tasks", None, None, "k",
                                       f"need a whole number of tasks >= 1, got {k!r}"))
    ids = [f"T{i}" for i in range(1, int(k) + 1)]
    tasks = pd.DataFrame({
        "id": [*ids, "DONE"],
        "name": [f"Parallel task {i}" for i in range(1, int(k) + 1)] + ["All done"],
        "duration": [float(likely)] * int(k) + [0.0],
        "duration_min": [float(low)] * int(k) + [0.0],
        "duration_max": [float(high)] * int(k) + [0.0],
        "distribution": "triangular",
    })
    links = pd.DataFrame({"pred": ids, "succ": "DONE", "type": "FS", "lag": 0.0})
    return tasks, links


def merge_bias(k: int = 1, *, iterations: int = 10_000, seed=None) -> pd.Series:
    """Simulate :func:`parallel_tasks` and compare its on-time probability with 0.5^k.

    The function behind the merge-bias slider of the notebook.

    Parameters
    ----------
    k : int
        Number of parallel tasks.
    iterations : int
    seed : int, optional
        Of :func:`pmo_lib.simulation.simulate`.

    Returns
    -------
    Series
        ``parallel_tasks`` (k), ``deterministic_finish`` (the plan, 10 [d]), ``p_on_time``
        (the share of iterations that finish by the plan), ``p_on_time_theory`` (0.5^k),
        ``mean_finish`` and ``p80_finish`` [d].

    Notes
    -----
    The network finishes by the plan only when every one of the ``k`` tasks does; with
    independent tasks that each do so with probability 1/2, that is 0.5^k: merge bias
    (Hulett, *Practical Schedule Risk Analysis*, 2009, ch. 8).
    """
    result = simulation.simulate(*parallel_tasks(k), iterations=iterations, seed=seed,
                                 keep_durations=False)
    return pd.Series({
        "parallel_tasks": int(k),
        "deterministic_finish": result.deterministic,
        "p_on_time": result.probability_by(result.deterministic),
        "p_on_time_theory": 0.5 ** int(k),
        "mean_finish": float(result.finish.mean()),
        "p80_finish": result.percentile(80),
    }, name=f"{int(k)} parallel tasks")


def _close(answer, value, rel: float = 5e-3) -> bool:
    return bool(np.isclose(float(answer), float(value), rtol=rel, atol=1e-9))


# ----------------------------------------------------------------------------------------
# 1 and 2. The risk register
# ----------------------------------------------------------------------------------------
def _open_risks(portfolio: Portfolio, month, project: str | None) -> pd.DataFrame:
    """The month's open risks, scored, of ``project`` (all projects when it has none)."""
    register = portfolio.risk_register(month)
    scored = risk.score(register, portfolio=portfolio)
    live = scored[scored["state"] == "open"]
    if project is not None and (live["project_id"] == project).any():
        live = live[live["project_id"] == project]
    if live.empty:
        raise MissingDataError(Problem("risks", None, None, "state",
                                       f"no open risk in the register at {month}"))
    return live.sort_values("id", kind="stable")


def _pick(live: pd.DataFrame, risk_id: str | None, month) -> pd.Series:
    if risk_id is None:
        return live.iloc[0]
    hit = live[live["id"] == risk_id]
    if hit.empty:
        raise UnknownReferenceError(Problem(
            "risks", None, str(risk_id), "id",
            f"no open risk with this ID at {month}; open risks: "
            f"{', '.join(live['id'].astype(str))}"))
    return hit.iloc[0]


class _RiskQuestion(Question):
    """A question about one open risk of the register at a month."""

    def __init__(self, portfolio: Portfolio, month=None, risk_id: str | None = None, *,
                 project: str | None = None):
        super().__init__()
        self.portfolio = portfolio
        self.month = _month(portfolio, month)
        self.project = project
        self.risk_id = risk_id

    def _row(self) -> pd.Series:
        register = self.portfolio.risk_register(self.month)
        scored = risk.score(register, portfolio=self.portfolio)
        return scored[scored["id"] == self.risk_id].iloc[0]


class RiskEMV(_RiskQuestion, NumberQuestion):
    """The expected monetary value (EMV) of a risk of the register.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period, optional
        The status month of the register (default: the latest).
    risk_id : str, optional
        An open risk (default: the first open risk of ``project`` by ID).
    project : str, optional
        The project whose risks are asked about (default, or when it has no open risk: the
        whole register).
    """

    answer_format = "an amount of money"
    rel_tol = 1e-3
    hint_text = ("EMV weights what the risk would cost by how likely it is: probability "
                 "(as a fraction, 0.2 for 20 %) × cost impact. Find the risk's row with "
                 'register[register["id"] == ...].')

    def __init__(self, portfolio: Portfolio, month=None, risk_id: str | None = None, *,
                 project: str | None = None):
        super().__init__(portfolio, month, risk_id, project=project)
        self.risk_id = str(_pick(_open_risks(portfolio, self.month, project), risk_id,
                                 self.month)["id"])
        self.prompt = (f"What is the expected monetary value (EMV) of risk {self.risk_id} in "
                       f"the register of {self.month}?")
        self.solution_code = ('row = register.set_index("id").loc["' + self.risk_id + '"]\n'
                              'row["probability"] * row["cost_impact"]')

    def _expected(self) -> float:
        return float(self._row()["emv"])

    def _advice(self, answer):
        r = self._row()
        p, cost, days = r["probability"], r["cost_impact"], r["schedule_impact"]
        if _close(answer, cost):
            return ("That is what the risk costs if it occurs (its cost impact). EMV weights "
                    "it by the probability that it occurs.")
        if _close(answer, 100 * p * cost):
            return "Use the probability as a fraction (0.25, not 25 %)."
        if _close(answer, p * days):
            return ("That is the expected delay, in working days (probability × schedule "
                    "impact). EMV is about money.")
        if _close(answer, (1 - p) * cost):
            return "Use the probability that the risk occurs, not that it does not."
        return None


class RiskScore(_RiskQuestion):
    """The probability × impact score (1–25) and rating of a risk, as a pair.

    With the default :class:`~pmo_lib.risk.RiskScales`. The answer is a pair ``(score,
    rating)``, e.g. ``(9, "high")``.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period, optional
        The status month of the register (default: the latest).
    risk_id : str, optional
        An open risk (default: the first open risk of ``project``, by ID, whose cost and
        schedule impacts fall in different bands, so the impact score needs a choice; the
        first open risk when there is none).
    project : str, optional
        As for :class:`RiskEMV`.
    """

    answer_format = 'a pair (score, rating), e.g. (9, "high")'
    hint_text = ("Band each number on its 1–5 scale (risk.RiskScales(): a value at or below "
                 "an edge falls in that band). The impact score is the WORSE (larger) of the "
                 "cost and schedule scores; score = probability score × impact score; the "
                 "rating of the score is low up to 3, medium up to 6, high up to 12 and "
                 "critical above.")

    def __init__(self, portfolio: Portfolio, month=None, risk_id: str | None = None, *,
                 project: str | None = None):
        super().__init__(portfolio, month, risk_id, project=project)
        live = _open_risks(portfolio, self.month, project)
        if risk_id is None:
            mixed = live[live["cost_score"] != live["schedule_score"]]
            row = (mixed if len(mixed) else live).iloc[0]
        else:
            row = _pick(live, risk_id, self.month)
        self.risk_id = str(row["id"])
        self.prompt = (f"What are the probability × impact score and the rating of risk "
                       f"{self.risk_id} in the register of {self.month}, on the default "
                       "scales? Answer with a pair (score, rating).")
        self.solution_code = ('row = risk.score(register).set_index("id").loc["'
                              + self.risk_id + '"]\n(row["score"], row["rating"])')

    def _expected(self) -> tuple[int, str]:
        r = self._row()
        return int(r["score"]), str(r["rating"])

    @staticmethod
    def _parts(answer):
        number, text = answer
        return float(number), " ".join(str(text).split()).casefold()

    def _wrong_type(self, answer):
        if isinstance(answer, (str, numbers.Number)) or not isinstance(
                answer, (tuple, list)) or len(answer) != 2:
            return (f"Your answer is {_kind_of(answer)}, not a pair. Write both parts in "
                    'brackets: (score, "rating").')
        number, text = answer
        if isinstance(number, bool) or not isinstance(number, numbers.Real) or not isinstance(
                text, str):
            return "The pair needs a number first and a rating (a text) second."
        return None

    def _compare(self, answer, expected):
        number, text = self._parts(answer)
        return math.isclose(number, expected[0]) and text == expected[1]

    def _advice(self, answer):
        number, text = self._parts(answer)
        r = self._row()
        scales = risk.RiskScales()
        expected_score = int(r["score"])
        p, c, s = int(r["probability_score"]), int(r["cost_score"]), int(r["schedule_score"])
        if text not in risk.RATINGS:
            return f"A rating is one of {', '.join(risk.RATINGS)}."
        consistent = float(number).is_integer() and 1 <= number <= 25 and \
            text == str(scales.rating([number])[0])
        if math.isclose(number, expected_score):
            return ("The score is right, but not its rating: look it up in the rating "
                    "bands (risk.RiskScales().rating_edges are their upper edges).")
        advice = None
        if number > 25 or not float(number).is_integer():
            advice = ("A score is a whole number from 1 to 25: the product of two 1–5 band "
                      "scores, not of the probability and the impact themselves.")
        elif c != s and math.isclose(number, p * min(c, s)):
            advice = ("You used the milder of the two impacts. The impact score is the worse "
                      "(larger) of the cost and schedule scores.")
        elif math.isclose(number, p + max(c, s)):
            advice = "Multiply the probability score by the impact score; do not add them."
        elif c != s and math.isclose(number, p * (c + s) / 2):
            advice = ("Do not average the cost and schedule scores: take the worse (larger) "
                      "of the two.")
        if advice is None:
            advice = ("Check each band: the probability, cost and schedule edges are in "
                      "risk.RiskScales().")
        if not consistent:
            advice += " Your rating does not match your own score either."
        return advice


# ----------------------------------------------------------------------------------------
# 3. Three-point estimates
# ----------------------------------------------------------------------------------------
class PertMean(NumberQuestion):
    """The mean of a BetaPERT distribution with a three-point estimate.

    The expected value is the mean of the BetaPERT distribution that
    :func:`pmo_lib.simulation.simulate` draws from, ``(a + 4m + b) / 6`` (see the module
    docstring of :mod:`pmo_lib.simulation`; the tests check a simulation agrees).

    Parameters
    ----------
    low, likely, high : float
        The optimistic ``a``, most likely ``m`` and pessimistic ``b`` durations (default 10,
        12, 20). [d]
    """

    answer_format = "a number of working days"
    rel_tol = 5e-3
    hint_text = ("The BetaPERT mean weights the most likely duration four times as much as "
                 "each end: (optimistic + 4 × most likely + pessimistic) / 6.")

    def __init__(self, low: float = 10.0, likely: float = 12.0, high: float = 20.0):
        super().__init__()
        if not (0 <= low <= likely <= high):
            raise DataValidationError(Problem(
                "PertMean", None, None, "likely",
                f"need 0 <= low <= likely <= high, got {low:g}, {likely:g}, {high:g}"))
        self.low, self.likely, self.high = float(low), float(likely), float(high)
        self.prompt = (f"A task is estimated at {self.low:g} days at best, {self.likely:g} "
                       f"most likely and {self.high:g} at worst. What is the mean of its "
                       "BetaPERT distribution?")
        self.solution_code = f"({self.low:g} + 4 * {self.likely:g} + {self.high:g}) / 6"

    def _expected(self) -> float:
        return simulation.three_point_mean(self.low, self.likely, self.high, "betapert")

    def _advice(self, answer):
        a, m, b = self.low, self.likely, self.high
        if _close(answer, (a + m + b) / 3):
            return ("That is the triangular mean, (a + m + b) / 3. BetaPERT weights the most "
                    "likely duration four times: (a + 4m + b) / 6.")
        if _close(answer, m):
            return ("That is the most likely duration, the peak of the distribution. With a "
                    "long right tail the mean lies above it.")
        if _close(answer, (a + b) / 2):
            return "That is the middle of the range (the uniform mean); it ignores the most likely."
        if _close(answer, (a + 4 * m + b) / 4) or _close(answer, (a + 4 * m + b)):
            return "Divide by 6: the weights 1 + 4 + 1 add up to 6."
        return None


# ----------------------------------------------------------------------------------------
# 4 and 5. Reading a simulation result
# ----------------------------------------------------------------------------------------
class _OfficeMoveQuestion(Question):
    """A question about the simulation of :func:`office_move`."""

    def __init__(self, *, iterations: int = 10_000, seed=2026):
        super().__init__()
        self.iterations, self.seed = int(iterations), seed
        self._result = None

    def result(self) -> simulation.SimulationResult:
        """The simulation the question is about (as the notebook's ``small``)."""
        if self._result is None:
            self._result = simulation.simulate(*office_move(), iterations=self.iterations,
                                               seed=self.seed)
        return self._result


class NetworkP80(_OfficeMoveQuestion, NumberQuestion):
    """The P80 finish of the office move, read from a simulation result.

    Right within half a working day (percentile conventions and seeds differ by less).

    Parameters
    ----------
    iterations, seed : int, keyword-only
        Of the simulation; the notebook's ``small`` must use the same.
    """

    answer_format = "a number of working days"
    abs_tol = 0.5
    hint_text = ("P80 is the finish that 80 % of the iterations meet or beat: the 80th "
                 "percentile of small.finish. A SimulationResult has a method for it.")
    solution_code = "small.percentile(80)"

    def __init__(self, *, iterations: int = 10_000, seed=2026):
        super().__init__(iterations=iterations, seed=seed)
        self.prompt = (f"`small` holds {self.iterations:,} simulated runs of the office move. "
                       "By how many working days from the start does it finish with 80 % "
                       "confidence (its P80)?")

    def _expected(self) -> float:
        return self.result().percentile(80)

    def _advice(self, answer):
        r = self.result()
        near = self.abs_tol
        plan = (f"That is the deterministic plan (most likely durations): only "
                f"{r.probability_by(r.deterministic) * 100:.0f} % of the runs finish by then.")
        if math.isclose(answer, r.deterministic):
            return plan
        if abs(answer - r.percentile(50)) <= near:
            return "That is the P50, a coin toss. P80 is met or beaten in 80 % of the runs."
        if abs(answer - float(r.finish.mean())) <= near:
            return "That is the mean finish. P80 is a percentile: 80 % of the runs finish by it."
        if abs(answer - r.percentile(20)) <= near:
            return ("That is the P20: only 20 % of the runs finish by then. P80 is at the "
                    "late end.")
        if abs(answer - r.percentile(90)) <= near:
            return "That is the P90. Look for the 80th percentile."
        if abs(answer - r.deterministic) <= near:
            return plan
        return None


class TornadoTop(_OfficeMoveQuestion, ChoiceQuestion):
    """Which task of the office move tops the tornado (largest |sensitivity|)?

    Parameters
    ----------
    iterations, seed : int, keyword-only
        Of the simulation; the notebook's ``small`` must use the same.
    """

    answer_format = 'a task ID, e.g. "A" (or its name)'
    hint_text = ("small.tornado() lists the tasks by the strength of the rank correlation "
                 "between their duration and the finish (sensitivity); the top row is the "
                 "top bar of the chart. Criticality is a different column.")
    solution_code = "small.tornado().index[0]"

    def __init__(self, *, iterations: int = 10_000, seed=2026):
        super().__init__(iterations=iterations, seed=seed)
        self.prompt = ("Which task of the office move drives its finish most: which one tops "
                       "the tornado of `small`?")

    def _table(self) -> pd.DataFrame:
        return self.result().tornado(len(self.result().task_ids))

    def _expected(self) -> str:
        return str(self._table().index[0])

    def _accepted(self) -> set[str]:
        names = office_move()[0].set_index("id")["name"]
        top = self._expected()
        return {top, str(names.get(top, top))}

    def _advice(self, answer):
        table = self._table()
        names = office_move()[0].set_index("id")["name"]
        ids = {self._norm(t): t for t in table.index} | {
            self._norm(n): t for t, n in names.items()}
        task = ids.get(self._norm(answer))
        if task is None:
            return ("That is not a task of the office move: use an ID, "
                    f"{', '.join(sorted(table.index))}.")
        if table.at[task, "criticality"] >= table["criticality"].max() - 1e-9:
            return (f"{task} is critical in {table.at[task, 'criticality'] * 100:.0f} % of the "
                    "iterations, but its duration varies little, so it moves the finish "
                    "little. The tornado ranks by sensitivity, not criticality.")
        tasks = office_move()[0].set_index("id")
        if task == tasks["duration"].idxmax():
            return (f"{task} is the longest task and on the plan's critical path, but its "
                    "estimate is narrow. The tornado ranks by how much a task's uncertainty "
                    "moves the finish.")
        return "Its sensitivity is smaller than another task's: read the top bar."


# ----------------------------------------------------------------------------------------
# 6. Merge bias
# ----------------------------------------------------------------------------------------
class MergeBias(NumberQuestion):
    """P(finish ≤ plan) of ``k`` identical parallel tasks with symmetric estimates.

    The expected value is simulated (:func:`merge_bias`); an answer is right within about
    four standard errors of the simulation (at least 0.01), so 0.5^k is right too.

    Parameters
    ----------
    k : int
        Number of parallel tasks (default 4).
    iterations, seed : int, keyword-only
        Of the simulation.
    """

    answer_format = "a probability between 0 and 1"

    def __init__(self, k: int = 4, *, iterations: int = 10_000, seed=2026):
        super().__init__()
        self.k, self.iterations, self.seed = int(k), int(iterations), seed
        p = 0.5 ** self.k
        self.abs_tol = max(0.01, 4 * math.sqrt(p * (1 - p) / self.iterations))
        self.prompt = (f"{self.k} identical tasks run in parallel, each estimated at 8 / 10 / "
                       "12 days (symmetric: each finishes within 10 days half of the time). "
                       "The plan says the work is done after 10 days. What is the "
                       "probability that it really is?")
        self.hint_text = ("The work is done when the LAST task is done, so every one of "
                          f"the {self.k} tasks must finish within 10 days. Independent "
                          "chances multiply.")
        self.solution_code = (f"training.merge_bias({self.k}, iterations={self.iterations}, "
                              f"seed={self.seed!r})[\"p_on_time\"]")

    def _expected(self) -> float:
        return float(merge_bias(self.k, iterations=self.iterations,
                                seed=self.seed)["p_on_time"])

    def _advice(self, answer):
        k, p = self.k, 0.5 ** self.k
        tol = self.abs_tol
        if 1 < answer <= 100 and abs(answer / 100 - p) <= tol:
            return "Give a probability as a fraction between 0 and 1 (0.3, not 30 %)."
        if abs(answer - 0.5) <= tol:
            return ("That is the chance of one task alone. The work is done only when all "
                    f"{k} are.")
        if abs(answer - (1 - p)) <= tol:
            return ("That is the chance that at least one task is late, the opposite of "
                    "what is asked.")
        if abs(answer - 0.5 / k) <= tol or abs(answer - 0.5 * k) <= tol:
            return ("Do not divide or multiply 0.5 by the number of tasks: the chances of "
                    "independent events all happening multiply together.")
        return None


def questions(portfolio: Portfolio, month=None, project: str | None = None, *,
              iterations: int = 10_000, seed=2026):
    """The six questions of the notebook, in order.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period, optional
        The status month of the register of questions 1 and 2 (default: the latest).
    project : str, optional
        The project whose risks questions 1 and 2 ask about (default: the whole register).
    iterations, seed : int, keyword-only
        Of the simulations of questions 4 to 6 (the notebook's ``small`` must use the same).

    Returns
    -------
    tuple of Question
        ``(RiskEMV, RiskScore, PertMean, NetworkP80, TornadoTop, MergeBias)``.
    """
    return (RiskEMV(portfolio, month, project=project),
            RiskScore(portfolio, month, project=project), PertMean(),
            NetworkP80(iterations=iterations, seed=seed),
            TornadoTop(iterations=iterations, seed=seed),
            MergeBias(iterations=iterations, seed=seed))
