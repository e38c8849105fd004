"""Exercises of training notebook ``06_portfolio_management``: scoring, selection, dependencies.

The questions are about small teaching data sets of this module, which the notebook shows
too, so what the learner sees and what the checks expect cannot drift apart:

* :func:`planning_round`: eight proposals of Kestrel Industries' 2027 planning round, scored
  on four criteria (:data:`CRITERIA_WEIGHTS`, :data:`CRITERIA_SCALES`), with a mandatory
  proposal, one that requires another and two alternatives that exclude each other;
  :func:`planning_candidates` adds the ``value`` that :func:`pmo_lib.portfolio.select`
  maximises (the weighted score in points), :func:`planning_costs`,
  :func:`planning_budget`, :func:`planning_demand` and :func:`planning_capacity` its costs
  and budget per year and the data engineers and developers it needs and has;
* :func:`knapsack_demo` and :func:`knapsack_exercise`: four and five proposals with a value
  and a cost, small enough to try every combination by hand;
* :func:`mobile_features` and :func:`portal_features`: two backlogs of features with the
  WSJF estimates (business value, time criticality, risk reduction, job size);
* :func:`ahp_judgements` and :func:`rushed_judgements`: pairwise comparisons of criteria.

The questions (every expected value is computed with :mod:`pmo_lib.portfolio` or
:func:`pmo_lib.network.slip_impact`):

1. :class:`WeightedScore`: the weighted score of a proposal of the planning round.
2. :class:`ConsistencyVerdict`: the consistency ratio of a pairwise matrix and its verdict.
3. :class:`WsjfOrder`: the order in which WSJF takes the features of a backlog.
4. :class:`BestSelection`: the most valuable selection of a tiny knapsack.
5. :class:`SlipAffects`: which other projects a slipping task of the portfolio delays.
6. :class:`BudgetEnters`: which proposals enter the best selection when the budget rises.

Build them one by one or all at once with :func:`questions`. The solutions use the names the
notebook uses: ``portfolio`` (the loaded :class:`~pmo_lib.model.Portfolio`), ``candidates``
(:func:`planning_candidates`), ``from pmo_lib import network, portfolio as pf`` and
``from pmo_lib.exercises import portfolio as training``. (The notebook keeps the name
``portfolio`` for the loaded portfolio, as every training module does, and imports the
engine :mod:`pmo_lib.portfolio` as ``pf``.)

Examples
--------
>>> from pmo_lib.exercises import portfolio as training
>>> q = training.BestSelection()
>>> q.check(...)
Not attempted: replace the placeholder ... with your answer, then run the cell again.
>>> q.check(["K1", "K2"])
Not quite. ['K1', 'K2'] is not the answer. That is what funding down the list by value gives: K1 first, then what still fits. Try the other combinations that fit the budget.
>>> training.greedy_selection(training.knapsack_demo().sort_values("value", ascending=False),
...                           training.DEMO_BUDGET)
('A', 'D')
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd

from .. import network
from .. import portfolio as pf
from ..errors import DataValidationError, Problem, UnknownReferenceError
from ..model import Portfolio
from . import ChoiceQuestion, NumberQuestion, Question, SetQuestion, _kind_of
from .welcome import _month

__all__ = [
    "CRITERIA_SCALES",
    "CRITERIA_WEIGHTS",
    "DEMO_BUDGET",
    "EXERCISE_BUDGET",
    "PLANNING_BUDGET",
    "VERDICTS",
    "BestSelection",
    "BudgetEnters",
    "ConsistencyVerdict",
    "SlipAffects",
    "WeightedScore",
    "WsjfOrder",
    "ahp_judgements",
    "greedy_selection",
    "knapsack_demo",
    "knapsack_exercise",
    "mobile_features",
    "planning_budget",
    "planning_candidates",
    "planning_capacity",
    "planning_costs",
    "planning_demand",
    "planning_round",
    "portal_features",
    "questions",
    "rushed_judgements",
]

#: The planning board's direct weights of the four criteria of :func:`planning_round`, in
#: points (:func:`pmo_lib.portfolio.score` divides them by their sum, 100).
CRITERIA_WEIGHTS = {"strategic_alignment": 35, "npv": 30, "risk": 15, "urgency": 20}
#: Fixed 1–5 scales of the criteria scored by the board; ``npv`` is normalised min–max
#: across the proposals. ``risk`` is lower-is-better (:data:`pmo_lib.portfolio.LOWER_IS_BETTER`).
CRITERIA_SCALES = {"strategic_alignment": (1, 5), "risk": (1, 5), "urgency": (1, 5)}
#: The total budget of the 2027 planning round. [EUR]
PLANNING_BUDGET = 2_000_000.0
#: The budget of :func:`knapsack_demo`. [EUR]
DEMO_BUDGET = 1_000_000.0
#: The budget of :func:`knapsack_exercise`. [EUR]
EXERCISE_BUDGET = 1_200_000.0
#: The verdicts on a pairwise matrix: acceptable (CR ≤ 0.10) or revise the judgements.
VERDICTS = ("acceptable", "revise")

_ACCEPTABLE = {"acceptable", "consistent", "ok", "accept", "yes"}
_REVISE = {"revise", "inconsistent", "not acceptable", "reject", "no"}


# ----------------------------------------------------------------------------------------
# The teaching data
# ----------------------------------------------------------------------------------------
def planning_round() -> pd.DataFrame:
    """The eight proposals of Kestrel Industries' 2027 planning round (a fresh copy).

    Returns
    -------
    DataFrame
        One row per proposal (RangeIndex), the columns of the ``candidates`` table of
        :mod:`pmo_lib.model` with the benefits as ``npv`` instead of ``value``: ``id``,
        ``name``, ``programme``, the criteria ``strategic_alignment`` (1–5), ``npv`` (net
        present value of the benefits) [EUR], ``risk`` (1–5, lower is better) and
        ``urgency`` (1–5), ``cost`` [EUR], ``mandatory`` (ESG, a legal obligation),
        ``requires`` (PRC, pricing analytics, needs DLK, the data lake) and ``excludes``
        (PTL, a new self-service portal, and BOT, a chatbot, are two answers to the same
        need).

    Examples
    --------
    >>> r = planning_round()
    >>> r[["id", "cost", "mandatory", "requires", "excludes"]].T
                     0        1        2        3        4        5        6        7
    id             SEC      ESG      DLK      PRC      PTL      BOT      MES      EDI
    cost        400000   250000   500000   350000   700000   300000   800000   250000
    mandatory    False     True    False    False    False    False    False    False
    requires                                  DLK
    excludes                                           BOT      PTL
    """
    return pd.DataFrame({
        "id": ["SEC", "ESG", "DLK", "PRC", "PTL", "BOT", "MES", "EDI"],
        "name": ["Zero-trust network access", "CSRD sustainability reporting",
                 "Data lake foundation", "Pricing analytics", "Self-service portal 2.0",
                 "Service chatbot", "Plant MES upgrade", "Supplier EDI"],
        "programme": ["Operations and Compliance", "Operations and Compliance",
                      "Digital Core", "Customer Experience", "Customer Experience",
                      "Customer Experience", "Operations and Compliance", "Digital Core"],
        "strategic_alignment": [4, 3, 4, 4, 5, 3, 3, 2],
        "npv": [300_000, 0, 200_000, 1_800_000, 1_200_000, 600_000, 1_000_000, 500_000],
        "risk": [2, 2, 3, 3, 4, 2, 4, 1],
        "urgency": [5, 4, 4, 4, 3, 3, 2, 2],
        "cost": [400_000, 250_000, 500_000, 350_000, 700_000, 300_000, 800_000, 250_000],
        "mandatory": [False, True, False, False, False, False, False, False],
        "requires": ["", "", "", "DLK", "", "", "", ""],
        "excludes": ["", "", "", "", "BOT", "PTL", "", ""],
    })


def planning_candidates(weights=None) -> pd.DataFrame:
    """:func:`planning_round` with the ``value`` that :func:`pmo_lib.portfolio.select`
    maximises: the weighted score in points.

    Parameters
    ----------
    weights : dict, Series or AhpResult, optional
        Criterion weights (default :data:`CRITERIA_WEIGHTS`), as for
        :func:`pmo_lib.portfolio.score` with the scales :data:`CRITERIA_SCALES`.

    Returns
    -------
    DataFrame
        The proposals in their order with ``score`` (0–1) and ``value`` = 100 × score,
        rounded to 0.1 point. [points]

    Examples
    --------
    >>> planning_candidates().set_index("id")["value"].to_dict()
    {'SEC': 62.5, 'ESG': 43.8, 'DLK': 52.1, 'PRC': 78.8, 'PTL': 68.8, 'BOT': 48.8, \
'MES': 42.9, 'EDI': 37.1}
    """
    scored = pf.score(planning_round(), CRITERIA_WEIGHTS if weights is None else weights,
                      scales=CRITERIA_SCALES).sort_index()
    out = planning_round()
    out["score"] = scored["score"].to_numpy()
    out["value"] = np.round(100 * out["score"].to_numpy() + 1e-9, 1)
    return out


def planning_costs() -> pd.DataFrame:
    """The cost of each proposal of :func:`planning_round` per year, 2027 and 2028 (long).

    Returns
    -------
    DataFrame
        ``candidate_id``, ``year``, ``cost`` [EUR]; each proposal's rows add up to its cost.

    Examples
    --------
    >>> planning_costs().groupby("year")["cost"].sum().to_dict()
    {2027: 2300000, 2028: 1250000}
    """
    split = {"SEC": (300_000, 100_000), "ESG": (250_000, 0), "DLK": (450_000, 50_000),
             "PRC": (150_000, 200_000), "PTL": (400_000, 300_000), "BOT": (300_000, 0),
             "MES": (300_000, 500_000), "EDI": (150_000, 100_000)}
    rows = [(cid, year, cost) for cid, costs in split.items()
            for year, cost in zip((2027, 2028), costs, strict=True)]
    return pd.DataFrame(rows, columns=["candidate_id", "year", "cost"])


def planning_budget() -> dict[int, float]:
    """The budget of the planning round per year: 1.4 million in 2027, 0.6 in 2028. [EUR]

    Together they are :data:`PLANNING_BUDGET`.

    Examples
    --------
    >>> sum(planning_budget().values()) == PLANNING_BUDGET
    True
    """
    return {2027: 1_400_000.0, 2028: 600_000.0}


def planning_demand() -> pd.DataFrame:
    """The data engineers and developers each proposal needs per quarter of 2027 (long).

    Returns
    -------
    DataFrame
        ``candidate_id``, ``period`` (``"2027Q1"`` ... ``"2027Q4"``), ``role`` (``"Data
        engineer"`` or ``"Developer"``) and ``units``: people full time over the quarter.
        SEC and ESG's suppliers bring their own people, but ESG needs one data engineer in
        Q1 and Q2; DLK needs two then.
    """
    need = [("ESG", "Data engineer", {"Q1": 1, "Q2": 1}),
            ("DLK", "Data engineer", {"Q1": 2, "Q2": 2, "Q3": 1}),
            ("PRC", "Data engineer", {"Q3": 1, "Q4": 1}),
            ("PRC", "Developer", {"Q3": 1, "Q4": 1}),
            ("PTL", "Developer", {"Q1": 3, "Q2": 3, "Q3": 3, "Q4": 3}),
            ("BOT", "Developer", {"Q1": 2, "Q2": 2}),
            ("MES", "Developer", {"Q2": 2, "Q3": 2, "Q4": 2}),
            ("EDI", "Developer", {"Q2": 1, "Q3": 1})]
    rows = [(cid, f"2027{q}", role, float(units)) for cid, role, by in need
            for q, units in by.items()]
    return pd.DataFrame(rows, columns=["candidate_id", "period", "role", "units"])


def planning_capacity(data_engineers: float = 2.0, developers: float = 4.0) -> pd.DataFrame:
    """The data engineers and developers free for new projects in each quarter of 2027.

    Parameters
    ----------
    data_engineers, developers : float
        People full time in every quarter (default 2 and 4). [units]

    Returns
    -------
    DataFrame
        ``role``, ``period``, ``units``.
    """
    rows = [(role, f"2027Q{q}", float(units)) for role, units in
            (("Data engineer", data_engineers), ("Developer", developers)) for q in range(1, 5)]
    return pd.DataFrame(rows, columns=["role", "period", "units"])


def knapsack_demo() -> pd.DataFrame:
    """Four proposals A–D with a value (points) and a cost [EUR]: the notebook's worked example.

    With :data:`DEMO_BUDGET` (1 million), funding down the list by value takes A, then only D
    still fits (80 points); B and C together are worth 95.

    Examples
    --------
    >>> knapsack_demo()
      id  value    cost
    0  A     60  600000
    1  B     50  500000
    2  C     45  500000
    3  D     20  400000
    """
    return pd.DataFrame({"id": ["A", "B", "C", "D"], "value": [60, 50, 45, 20],
                         "cost": [600_000, 500_000, 500_000, 400_000]})


def knapsack_exercise() -> pd.DataFrame:
    """Five proposals K1–K5 with a value (points), a cost [EUR] and a dependency (K5, a small
    add-on, requires K4): the knapsack of exercise 4, with :data:`EXERCISE_BUDGET`.

    Examples
    --------
    >>> knapsack_exercise()[["id", "value", "cost", "requires"]]
       id  value    cost requires
    0  K1     70  600000
    1  K2     55  500000
    2  K3     50  400000
    3  K4     35  300000
    4  K5     15  200000       K4
    """
    return pd.DataFrame({"id": ["K1", "K2", "K3", "K4", "K5"], "value": [70, 55, 50, 35, 15],
                         "cost": [600_000, 500_000, 400_000, 300_000, 200_000],
                         "requires": ["", "", "", "", "K4"]})


def mobile_features() -> pd.DataFrame:
    """Six features of the customer mobile app's backlog with their WSJF estimates.

    Returns
    -------
    DataFrame
        ``id``, ``name`` and the columns of :data:`pmo_lib.portfolio.WSJF_COLUMNS`, on the
        modified Fibonacci scale (1, 2, 3, 5, 8, 13, 20).
    """
    return pd.DataFrame({
        "id": ["M1", "M2", "M3", "M4", "M5", "M6"],
        "name": ["Reorder from history", "Offline catalogue", "Push notifications",
                 "Dealer locator", "Two-factor login", "Spare-part scanner"],
        "business_value": [13, 8, 5, 3, 2, 20],
        "time_criticality": [8, 3, 2, 1, 13, 5],
        "risk_reduction": [2, 5, 1, 1, 13, 3],
        "job_size": [5, 13, 3, 2, 8, 20],
    })


def portal_features() -> pd.DataFrame:
    """Five features F1–F5 of the self-service portal's backlog: the backlog of exercise 3.

    Examples
    --------
    >>> portal_features()[["id", "business_value", "time_criticality", "risk_reduction",
    ...                    "job_size"]]
       id  business_value  time_criticality  risk_reduction  job_size
    0  F1               8                13               2         8
    1  F2              13                 3               5        13
    2  F3               3                 8               1         2
    3  F4               5                 2               8         3
    4  F5              20                 8               5        20
    """
    return pd.DataFrame({
        "id": ["F1", "F2", "F3", "F4", "F5"],
        "name": ["Invoice download", "Contract renewal", "Delivery tracking",
                 "Password reset", "Spare-parts shop"],
        "business_value": [8, 13, 3, 5, 20],
        "time_criticality": [13, 3, 8, 2, 8],
        "risk_reduction": [2, 5, 1, 8, 5],
        "job_size": [8, 13, 2, 3, 20],
    })


def ahp_judgements() -> pd.DataFrame:
    """The planning board's pairwise comparisons of the four criteria (Saaty's 1–9 scale).

    Row *i*, column *j* says how much more important criterion *i* is than *j*: strategic
    alignment is moderately more important than risk (3), twice as important as the NPV and
    as urgency; the NPV is moderately more important than risk (3), as important as urgency.

    Examples
    --------
    >>> from pmo_lib import portfolio as pf
    >>> round(pf.ahp_weights(ahp_judgements()).consistency_ratio, 3)
    0.017
    """
    names = list(CRITERIA_WEIGHTS)
    return pd.DataFrame([[1, 2, 3, 2], [1 / 2, 1, 3, 1], [1 / 3, 1 / 3, 1, 1 / 2],
                         [1 / 2, 1, 2, 1]], index=names, columns=names, dtype=float)


def rushed_judgements() -> pd.DataFrame:
    """Pairwise comparisons made in a hurry: benefit beats risk (3), risk beats urgency (3),
    but urgency beats benefit (2). The matrix of exercise 2.

    Examples
    --------
    >>> rushed_judgements()
              benefit      risk  urgency
    benefit  1.000000  3.000000      0.5
    risk     0.333333  1.000000      3.0
    urgency  2.000000  0.333333      1.0
    """
    names = ["benefit", "risk", "urgency"]
    return pd.DataFrame([[1, 3, 1 / 2], [1 / 3, 1, 3], [2, 1 / 3, 1]], index=names,
                        columns=names, dtype=float)


def _id_items(cell) -> list[str]:
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return []
    items = cell.split(";") if isinstance(cell, str) else list(cell)
    return [str(v).strip() for v in items if str(v).strip()]


def greedy_selection(ranked: pd.DataFrame, budget: float) -> tuple[str, ...]:
    """Fund down a ranked list: what a board gets without optimising.

    The mandatory candidates are funded first; then, going down the list in its row order,
    each candidate is funded if its cost fits the money left, every candidate it requires is
    already funded and it does not exclude (nor is excluded by) one already funded.

    Parameters
    ----------
    ranked : DataFrame
        Candidates in the order to fund them: ``id``, ``cost`` and optionally ``mandatory``,
        ``requires``, ``excludes`` (as for :func:`pmo_lib.portfolio.select`).
    budget : float
        The money available. [cur]

    Returns
    -------
    tuple of str
        The funded ids, in the order funded.

    Raises
    ------
    DataValidationError
        The mandatory candidates cost more than the budget.

    Examples
    --------
    >>> greedy_selection(knapsack_exercise().sort_values("value", ascending=False),
    ...                  EXERCISE_BUDGET)
    ('K1', 'K2')
    """
    rows = ranked.reset_index(drop=True)
    ids = rows["id"].astype(str).tolist()
    cost = dict(zip(ids, rows["cost"].astype(float), strict=True))
    column = {c: rows[c].tolist() if c in rows.columns else [None] * len(ids)
              for c in ("mandatory", "requires", "excludes")}
    requires = {i: _id_items(v) for i, v in zip(ids, column["requires"], strict=True)}
    excludes = {i: set(_id_items(v)) for i, v in zip(ids, column["excludes"], strict=True)}
    for i, others in list(excludes.items()):
        for j in others:
            excludes.setdefault(j, set()).add(i)
    funded = [i for i, m in zip(ids, column["mandatory"], strict=True) if m is True
              or (isinstance(m, (bool, np.bool_)) and bool(m))]
    left = float(budget) - sum(cost[i] for i in funded)
    if left < -1e-9:
        raise DataValidationError(Problem("greedy_selection", None, None, "budget",
                                          f"the mandatory candidates cost more than "
                                          f"{float(budget):,.0f}"))
    for i in ids:
        if i in funded:
            continue
        if cost[i] <= left + 1e-9 and all(r in funded for r in requires[i]) \
                and not (excludes.get(i, set()) & set(funded)):
            funded.append(i)
            left -= cost[i]
    return tuple(funded)


def _close(answer, value, rel: float = 5e-3, abs_: float = 1e-9) -> bool:
    return bool(np.isclose(float(answer), float(value), rtol=rel, atol=abs_))


# ----------------------------------------------------------------------------------------
# 1. A weighted score
# ----------------------------------------------------------------------------------------
class WeightedScore(NumberQuestion):
    """The weighted score (0–1) of a proposal of :func:`planning_round`.

    With the board's weights :data:`CRITERIA_WEIGHTS` and scales :data:`CRITERIA_SCALES`, as
    :func:`pmo_lib.portfolio.score` computes it. A score in points (× 100) is not accepted
    (it gets a nudge).

    Parameters
    ----------
    candidate : str
        A proposal's id (default ``"BOT"``, the service chatbot).
    """

    answer_format = "a number between 0 and 1"
    rel_tol = 2e-3
    hint_text = ("Put each criterion on 0–1 first: (x − 1) / 4 on a 1–5 scale, but (5 − x) / 4 "
                 "for risk, where lower is better; the NPV min–max, (x − smallest) / "
                 "(largest − smallest) across the proposals. Then weight them: the weights "
                 "35/30/15/20 are points, so divide by their sum, 100.")

    def __init__(self, candidate: str = "BOT"):
        super().__init__()
        ids = planning_round()["id"].tolist()
        if candidate not in ids:
            raise UnknownReferenceError(Problem(
                "planning_round", None, str(candidate), "id",
                f"not a proposal of the planning round; proposals: {', '.join(ids)}"))
        self.candidate = candidate
        name = planning_round().set_index("id").at[candidate, "name"]
        self.prompt = (f"What is the weighted score of {candidate} ({name}) with the board's "
                       "weights (training.CRITERIA_WEIGHTS) and scales "
                       "(training.CRITERIA_SCALES)? A number from 0 to 1.")
        self.solution_code = ('scored = pf.score(training.planning_round(), '
                              'training.CRITERIA_WEIGHTS,\n'
                              '                  scales=training.CRITERIA_SCALES)\n'
                              f'scored.set_index("id").at["{candidate}", "score"]')

    def _expected(self) -> float:
        scored = pf.score(planning_round(), CRITERIA_WEIGHTS, scales=CRITERIA_SCALES)
        return float(scored.set_index("id").at[self.candidate, "score"])

    def _variants(self) -> dict[str, float]:
        """Typical slips, each as the score it gives."""
        r = planning_round().set_index("id")
        row = r.loc[self.candidate]
        w = pd.Series(CRITERIA_WEIGHTS, dtype=float)
        unit = w / w.sum()
        npv = (row["npv"] - r["npv"].min()) / (r["npv"].max() - r["npv"].min())
        norm = {"strategic_alignment": (row["strategic_alignment"] - 1) / 4, "npv": npv,
                "risk": (5 - row["risk"]) / 4, "urgency": (row["urgency"] - 1) / 4}
        risk_up = dict(norm, risk=(row["risk"] - 1) / 4)
        over_five = dict(norm, strategic_alignment=row["strategic_alignment"] / 5,
                         risk=(6 - row["risk"]) / 5, urgency=row["urgency"] / 5)
        return {
            "risk_up": float(sum(unit[c] * risk_up[c] for c in unit.index)),
            "over_five": float(sum(unit[c] * over_five[c] for c in unit.index)),
        }

    def _advice(self, answer):
        expected = self.solution_value()
        v = self._variants()
        if _close(answer, 100 * expected):
            return ("Give the score from 0 to 1, not in points: the weights are points, "
                    "divide them by their sum (100) so they add up to 1.")
        if _close(answer, v["risk_up"]):
            return ("Risk is lower-is-better: a proposal with risk 1 gets the full weight, one "
                    "with risk 5 none. Use (5 − risk) / 4.")
        if _close(answer, v["over_five"]):
            return ("Dividing by 5 does not put a 1–5 scale on 0–1 (a 1 would still score "
                    "0.2): use (x − 1) / (5 − 1).")
        if answer > 1:
            return ("A weighted score is at most 1: normalise each criterion to 0–1 before "
                    "weighting it.")
        return None


# ----------------------------------------------------------------------------------------
# 2. The consistency ratio and its verdict
# ----------------------------------------------------------------------------------------
class ConsistencyVerdict(Question):
    """The consistency ratio of a pairwise-comparison matrix and the verdict, as a pair.

    The answer is ``(CR, verdict)`` with the verdict ``"acceptable"`` (CR ≤ 0.10) or
    ``"revise"`` (also accepted: ``"consistent"`` / ``"inconsistent"``). The CR is right
    within 0.005.

    Parameters
    ----------
    pairwise : DataFrame or array_like, optional
        The matrix (default :func:`rushed_judgements`).
    """

    answer_format = 'a pair (consistency ratio, verdict), e.g. (0.05, "acceptable")'
    hint_text = ("Weights w: the principal eigenvector (pf.ahp_weights gives them, or "
                 "np.linalg.eig). λmax = the mean of (A @ w) / w; CI = (λmax − n) / (n − 1); "
                 "CR = CI / RI(n), with RI in pf.RANDOM_INDEX (0.58 for 3 criteria). "
                 "CR ≤ 0.10 is acceptable, above that the judgements need revising.")
    tolerance: float = 0.005

    def __init__(self, pairwise=None):
        super().__init__()
        self.pairwise = rushed_judgements() if pairwise is None else pairwise
        self._result = pf.ahp_weights(self.pairwise)  # errors raise here
        n = len(self._result.weights)
        name = "training.rushed_judgements()" if pairwise is None else "judgements"
        self.prompt = (f"What is the consistency ratio of the {n} × {n} pairwise matrix "
                       f"`{name}`, and is it acceptable? Answer with a pair such as "
                       '(0.05, "acceptable") or (0.25, "revise").')
        self.solution_code = (f"r = pf.ahp_weights({name})\n"
                              '(r.consistency_ratio, "acceptable" if r.consistent '
                              'else "revise")')

    def _expected(self) -> tuple[float, str]:
        r = self._result
        return float(r.consistency_ratio), "acceptable" if r.consistent else "revise"

    @staticmethod
    def _verdict(text: str) -> str | None:
        word = " ".join(str(text).split()).casefold()
        if word in _ACCEPTABLE:
            return "acceptable"
        if word in _REVISE:
            return "revise"
        return None

    def _wrong_type(self, answer):
        if isinstance(answer, (str, numbers.Number)) or not isinstance(
                answer, (tuple, list)) or len(answer) != 2:
            return (f"Your answer is {_kind_of(answer)}, not a pair. Write both parts in "
                    'brackets: (ratio, "verdict").')
        number, text = answer
        if isinstance(number, bool) or not isinstance(number, numbers.Real) or not isinstance(
                text, str):
            return "The pair needs a number first and a verdict (a text) second."
        if self._verdict(text) is None:
            return f'The verdict {text!r} is not one of "acceptable" or "revise".'
        return None

    def _compare(self, answer, expected):
        number, text = answer
        return abs(float(number) - expected[0]) <= self.tolerance and \
            self._verdict(text) == expected[1]

    def _advice(self, answer):
        number, text = float(answer[0]), self._verdict(answer[1])
        r = self._result
        expected = self.solution_value()
        own = "acceptable" if number <= pf.CONSISTENCY_THRESHOLD else "revise"
        if abs(number - expected[0]) <= self.tolerance:
            return ("The ratio is right, but not the verdict: CR ≤ 0.10 is acceptable, "
                    "above it the judgements need revising.")
        advice = None
        n = len(r.weights)
        if _close(number, r.lambda_max):
            advice = ("That is λmax, the principal eigenvalue. From it, CI = (λmax − n) / "
                      "(n − 1), and CR = CI / RI(n).")
        elif _close(number, r.consistency_index):
            advice = ("That is the consistency index CI. Divide it by the random index "
                      f"RI({n}) = {pf.RANDOM_INDEX[n]:g} to get the ratio.")
        elif any(_close(number, r.consistency_index / ri) for k, ri in
                 pf.RANDOM_INDEX.items() if ri > 0 and k != n):
            advice = (f"Use the random index of a {n} × {n} matrix, RI({n}) = "
                      f"{pf.RANDOM_INDEX[n]:g}.")
        elif number < 0:
            advice = "A consistency ratio is never negative: λmax ≥ n."
        if advice is None:
            advice = ("Check λmax = mean((A @ w) / w) with the weights w of the principal "
                      "eigenvector.")
        if text != own:
            advice += " Your verdict does not match your own ratio either."
        return advice


# ----------------------------------------------------------------------------------------
# 3. The WSJF order
# ----------------------------------------------------------------------------------------
class WsjfOrder(Question):
    """The order in which WSJF takes the features of a backlog (a list of ids, in order).

    Parameters
    ----------
    features : DataFrame, optional
        The backlog (default :func:`portal_features`): ``id`` and the columns of
        :data:`pmo_lib.portfolio.WSJF_COLUMNS`.
    """

    answer_format = 'a list of feature ids in order, e.g. ["F1", "F2", ...]'
    hint_text = ("Cost of delay = business value + time criticality + risk reduction; "
                 "WSJF = cost of delay / job size; the highest WSJF goes first. "
                 "pf.wsjf(...) does it all.")

    def __init__(self, features: pd.DataFrame | None = None):
        super().__init__()
        self.features = portal_features() if features is None else features.copy()
        pf.wsjf(self.features)  # errors raise here
        name = "training.portal_features()" if features is None else "features"
        self.prompt = (f"In which order does WSJF take the features of the backlog `{name}`? "
                       "A list of ids, first to do first.")
        self.solution_code = f"pf.wsjf({name})[\"id\"].tolist()"

    def _expected(self) -> list[str]:
        return [str(v) for v in pf.wsjf(self.features)["id"]]

    @staticmethod
    def _items(answer) -> list[str]:
        return [ChoiceQuestion._norm(v) for v in answer]

    def _wrong_type(self, answer):
        if isinstance(answer, pd.DataFrame):
            return ("Your answer is a table (DataFrame), not a list. Keep its id column, "
                    'e.g. with table["id"].tolist().')
        if isinstance(answer, (set, frozenset)):
            return "A set has no order: give a list, e.g. [\"F1\", \"F2\"]."
        if isinstance(answer, str) or not isinstance(
                answer, (list, tuple, np.ndarray, pd.Index, pd.Series)):
            return f"Your answer is {_kind_of(answer)}, not a list."
        return None

    def _compare(self, answer, expected):
        return self._items(answer) == self._items(expected)

    def _orders(self) -> dict[str, list[str]]:
        f = self.features.assign(id=self.features["id"].astype(str))
        cod = f[list(pf.WSJF_COLUMNS[:3])].sum(axis=1)
        by = {"cost_of_delay": f.assign(k=-cod).sort_values(["k", "id"], kind="stable"),
              "job_size": f.sort_values(["job_size", "id"], kind="stable"),
              "business_value": f.assign(k=-f["business_value"]).sort_values(
                  ["k", "id"], kind="stable")}
        return {k: self._items(v["id"]) for k, v in by.items()}

    def _advice(self, answer):
        given, expected = self._items(answer), self._items(self.solution_value())
        if set(given) != set(expected) or len(given) != len(expected):
            if set(given) < set(expected):
                return "Some features are missing: order all of them."
            return ("List each feature of the backlog once: "
                    f"{', '.join(self.features['id'].astype(str))}.")
        orders = self._orders()
        if given == expected[::-1]:
            return "That is the right order backwards: the highest WSJF goes first."
        if given == orders["cost_of_delay"]:
            return ("That is the order by cost of delay alone. WSJF divides it by the job "
                    "size, so a small job with a fair cost of delay goes early.")
        if given == orders["job_size"]:
            return ("That is shortest job first. WSJF weights each job by its cost of delay "
                    "too: divide the cost of delay by the job size.")
        if given == orders["business_value"]:
            return ("That is the order by business value. The cost of delay also counts time "
                    "criticality and risk reduction, and WSJF divides it by the job size.")
        if given[0] == expected[0]:
            return "The first feature is right; check the WSJF of the others."
        return None


# ----------------------------------------------------------------------------------------
# 4. The best selection of a tiny knapsack
# ----------------------------------------------------------------------------------------
class BestSelection(SetQuestion):
    """Which candidates does the most valuable selection within the budget hold?

    Computed with :func:`pmo_lib.portfolio.select`.

    Parameters
    ----------
    candidates : DataFrame, optional
        ``id``, ``value``, ``cost`` and optionally ``mandatory``, ``requires``, ``excludes``
        (default :func:`knapsack_exercise`).
    budget : float, optional
        Default :data:`EXERCISE_BUDGET`. [cur]
    """

    answer_format = 'a list of ids, e.g. ["K1", "K3"]'
    hint_text = ("List every combination that fits the budget (and keeps K5 with K4); add up "
                 "each one's value; keep the largest. With five candidates there are only 32 "
                 "combinations, and funding down the list by value is not the way.")

    def __init__(self, candidates: pd.DataFrame | None = None, budget: float | None = None):
        super().__init__()
        self.candidates = knapsack_exercise() if candidates is None else candidates.copy()
        self.budget = EXERCISE_BUDGET if budget is None else float(budget)
        self._selection = pf.select(self.candidates, self.budget)  # errors raise here
        default = candidates is None and budget is None
        name = "training.knapsack_exercise()" if candidates is None else "candidates"
        self.prompt = (f"Which candidates of `{name}` give the most value for a budget of "
                       f"{self.budget:,.0f}?" + (" (K5 requires K4.)" if default else ""))
        self.solution_code = (f"pf.select({name}, "
                              + ("training.EXERCISE_BUDGET" if budget is None
                                 else f"{self.budget:_.0f}") + ").chosen")

    def _expected(self) -> list[str]:
        return list(self._selection.chosen)

    def _advice(self, answer):
        table = self.candidates.assign(id=self.candidates["id"].astype(str)).set_index("id")
        ids = {ChoiceQuestion._norm(i): i for i in table.index}
        given = [ids.get(ChoiceQuestion._norm(v)) for v in answer]
        if None in given:
            return f"Use the candidates' ids: {', '.join(table.index)}."
        chosen = set(given)
        greedy = set(greedy_selection(table.reset_index().sort_values(
            "value", ascending=False, kind="stable"), self.budget))
        if chosen == greedy:
            first = next(iter(greedy_selection(table.reset_index().sort_values(
                "value", ascending=False, kind="stable"), self.budget)))
            return (f"That is what funding down the list by value gives: {first} first, then "
                    "what still fits. Try the other combinations that fit the budget.")
        cost = float(table.loc[list(chosen), "cost"].sum())
        if cost > self.budget + 1e-9:
            return (f"Your selection costs {cost:,.0f}, more than the budget of "
                    f"{self.budget:,.0f}.")
        if "requires" in table.columns:
            for i in chosen:
                missing = [r for r in _id_items(table.at[i, "requires"]) if r not in chosen]
                if missing:
                    return f"{i} requires {', '.join(missing)}, which you left out."
        if "excludes" in table.columns:
            for i in chosen:
                clash = [r for r in _id_items(table.at[i, "excludes"]) if r in chosen]
                if clash:
                    return f"{i} and {clash[0]} exclude each other."
        value = float(table.loc[list(chosen), "value"].sum())
        return (f"Your selection fits (cost {cost:,.0f}, value {value:g}), but another "
                "combination is worth more.")


# ----------------------------------------------------------------------------------------
# 5. Which projects does a slip affect?
# ----------------------------------------------------------------------------------------
class SlipAffects(SetQuestion):
    """Which other projects finish later when a task of the portfolio slips?

    Computed with :func:`pmo_lib.network.slip_impact` (the task's duration, or remaining
    duration, grows by ``days`` and the portfolio is rescheduled at ``month``).

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period, optional
        Status month (default ``"2025-12"``; None: the latest).
    task : str, optional
        The slipping task (default ``"ERP-0082"``, the second system integration test cycle
        of the ERP replacement, which the warehouse automation waits on).
    days : float
        The slip (default 5). [d]
    """

    answer_format = 'a list of project ids, e.g. ["CRM", "WEB"], or [] for none'
    hint_text = ("network.slip_impact(portfolio, month, days=..., tasks=[...]) reschedules "
                 "the portfolio with the task late; its .tasks table lists the other projects "
                 "that slip (affected_projects). A slip travels along every link downstream "
                 "of the task, through its own project too. The task's own project does not "
                 "count.")

    def __init__(self, portfolio: Portfolio, month="2025-12", task: str = "ERP-0082",
                 days: float = 5):
        super().__init__()
        self.portfolio = portfolio
        self.month = _month(portfolio, month)
        self.task, self.days = str(task), float(days)
        self._impact = network.slip_impact(portfolio, self.month, days=self.days,
                                           tasks=[self.task])  # errors raise here
        row = self._impact.tasks.loc[self.task]
        self.project = str(row["project_id"])
        self.prompt = (f"At {self.month}, task {self.task} of {self.project} "
                       f"({row['name']}) slips by {self.days:g} working days. Which other "
                       "projects finish later because of it?")
        self.solution_code = (f'r = network.slip_impact(portfolio, "{self.month}", '
                              f'days={self.days:g}, tasks=["{self.task}"])\n'
                              f'list(r.tasks.at["{self.task}", "affected_projects"])')

    def _expected(self) -> list[str]:
        return list(self._impact.tasks.at[self.task, "affected_projects"])

    def _direct(self) -> set[str]:
        """The projects of the task's direct cross-project successors."""
        owner = self.portfolio.tasks.set_index("id")["project_id"].astype(str)
        succ = self.portfolio.links.loc[self.portfolio.links["pred"] == self.task, "succ"]
        return {owner[s] for s in succ} - {self.project}

    def _wrong_type(self, answer):
        if isinstance(answer, (list, tuple, set, frozenset)) and not answer:
            return None  # [] means "none"
        return super()._wrong_type(answer)

    def _advice(self, answer):
        given, expected = self._items(answer), self._items(self.solution_value())
        own = ChoiceQuestion._norm(self.project)
        if own in given:
            rest = given - {own}
            extra = " The others you listed are right." if rest == expected else ""
            return (f"{self.project} is the task's own project: list the other projects "
                    f"that slip.{extra}")
        direct = {ChoiceQuestion._norm(p) for p in self._direct()}
        if given and given == direct and direct < expected:
            return ("Those are the projects the task hands over to directly. The slip also "
                    f"moves {self.project}'s later tasks, and their handovers reach other "
                    "projects.")
        if not given and expected:
            return ("Some projects do slip. A task with float in its own project can still "
                    "hold up another project: look at its links to other projects.")
        return super()._advice(answer)


# ----------------------------------------------------------------------------------------
# 6. What enters when the budget rises?
# ----------------------------------------------------------------------------------------
class BudgetEnters(SetQuestion):
    """Which proposals of the planning round enter the best selection when the budget rises?

    On :func:`planning_candidates` (value = the weighted score in points), with
    :func:`pmo_lib.portfolio.budget_change`.

    Parameters
    ----------
    budget, new_budget : float
        The old and the new total budget (default 2.0 and 2.5 million). [EUR]
    """

    answer_format = 'a list of ids, e.g. ["SEC", "EDI"]'
    hint_text = ("Solve the selection at both budgets (pf.select, or pf.budget_change, "
                 "which compares them) and list the proposals chosen at the new budget that "
                 "were not chosen at the old one.")

    def __init__(self, budget: float = PLANNING_BUDGET, new_budget: float = 2_500_000.0):
        super().__init__()
        self.budget, self.new_budget = float(budget), float(new_budget)
        self._change = pf.budget_change(planning_candidates(), self.budget, self.new_budget)
        self.prompt = (f"The board raises the budget of the planning round from "
                       f"{self.budget:,.0f} to {self.new_budget:,.0f}. Which proposals enter "
                       "the best selection (`candidates`, value = the weighted score in "
                       "points)?")
        self.solution_code = (f"change = pf.budget_change(candidates, {self.budget:_.0f}, "
                              f"{self.new_budget:_.0f})\nchange.enters")

    def _expected(self) -> list[str]:
        return list(self._change.enters)

    def _advice(self, answer):
        given = self._items(answer)
        norm = {ChoiceQuestion._norm(c) for c in self._change.after.chosen}
        leaving = {ChoiceQuestion._norm(c) for c in self._change.leaves}
        if given == norm:
            return ("That is the whole selection at the new budget. Which of them were not "
                    "selected before?")
        if given & leaving:
            return ("Some you listed leave the selection: a larger budget can swap a cheaper "
                    "proposal for a better one. List only those that come in.")
        return super()._advice(answer)


def questions(portfolio: Portfolio, month="2025-12"):
    """The six questions of the notebook, in order.

    Parameters
    ----------
    portfolio : Portfolio
        The portfolio of question 5 (the bundled sample in the notebook).
    month : str or Period, optional
        The status month of question 5 (default ``"2025-12"``).

    Returns
    -------
    tuple of Question
        ``(WeightedScore, ConsistencyVerdict, WsjfOrder, BestSelection, SlipAffects,
        BudgetEnters)``.
    """
    return (WeightedScore(), ConsistencyVerdict(), WsjfOrder(), BestSelection(),
            SlipAffects(portfolio, month), BudgetEnters())

