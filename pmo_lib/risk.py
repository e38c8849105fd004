"""Risk register analytics: probability–impact scores, exposure, heat map, trend and flags.

The risk register (the ``risks`` table of :data:`pmo_lib.model.SCHEMAS`) holds one row per
risk per monthly snapshot: its probability, its cost impact [cur] and schedule impact [d] if
it occurs, owner, response strategy and actions, and state (:data:`~pmo_lib.model.RISK_STATES`).
This module turns a register into the tables a risk manager reports:

* :func:`score` — per risk: 1–5 probability and impact scores on configurable scales
  (:class:`RiskScales`), the probability × impact score (1–25), its rating and heat-map zone,
  the expected monetary value (EMV) and the expected delay;
* :func:`heat_map` and :func:`heat_map_zones` — the 5 × 5 probability–impact matrix;
* :func:`top_risks` — the N largest risks by EMV, score or expected delay;
* :func:`exposure_trend` — EMV and expected delay of the open risks, month by month;
* :func:`flags` — open risks without owner, strategy or planned response, or overdue for
  review, each with the reason;
* :func:`check_register` — the validation every function above runs first, usable on a
  register built by hand as a DataFrame.

Glossary (column names; money in the portfolio currency):

================== ======================================================================
probability_score  Probability band, 1 (≤ 10 %) to 5 (> 70 %) with the default scales.
cost_score         Band of the cost impact, 1–5.
schedule_score     Band of the schedule impact, 1–5.
impact_score       The worse of cost_score and schedule_score, 1–5.
score              probability_score × impact_score, 1–25.
rating             low / medium / high / critical, from ``score`` (:data:`RATINGS`).
zone               green / amber / red heat-map zone, from ``rating`` (:data:`RATING_ZONES`).
emv                Expected monetary value, probability × cost_impact. [cur]
expected_delay     probability × schedule_impact. [d]
================== ======================================================================

Monte Carlo schedule and cost risk analysis lives in :mod:`pmo_lib.simulation`;
:func:`simulate` and :class:`SimulationResult` are re-exported here, so
``risk.simulate(tasks, links, risks=register, ...)`` reads as the concept.

Only ``open`` risks carry exposure: a ``closed`` risk can no longer happen and an
``occurred`` one has become an issue (its cost and delay belong in the forecast, not in the
risk exposure). The summaries (:func:`heat_map`, :func:`top_risks`, :func:`exposure_trend`,
:func:`flags`) count open risks unless told otherwise with ``states``.

References
----------
Project Management Institute, *A Guide to the Project Management Body of Knowledge (PMBOK
Guide)*, 6th ed., §11.3 Perform Qualitative Risk Analysis (probability and impact matrix),
§11.4.2.5 (expected monetary value), §11.5 Plan Risk Responses, 2017.
Project Management Institute, *PMBOK Guide*, 4th ed., Figure 11-5 (definition of impact
scales: cost and time increases as a fraction of the project's) and Figure 11-10 (probability
and impact matrix), 2008.
Project Management Institute, *The Standard for Risk Management in Portfolios, Programs, and
Projects*, 2019, and *Practice Standard for Project Risk Management*, 2009, §5 (qualitative
risk analysis).
D. Hillson, D. Hulett, "Assessing risk probability: alternative approaches", PMI Global
Congress, 2004 (probability bands).
National Patient Safety Agency (UK), *A risk matrix for risk managers*, 2008 (the 5 × 5
matrix and its rating bands 1–3, 4–6, 8–12, 15–25).
"""

from __future__ import annotations

import datetime as _dt
import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._util import require_columns
from .errors import DataValidationError, Problem, UnknownReferenceError
from .evm import RAG_COLOURS
from .model import RESPONSE_STRATEGIES, RISK_STATES, SCHEMAS, Portfolio, _Collector, _parse_column
from .simulation import SimulationResult, simulate

__all__ = [
    "FLAGS",
    "GLOSSARY",
    "HEAT_MAP_VALUES",
    "IMPACT_BASES",
    "RATINGS",
    "RATING_ZONES",
    "RESPONSE_REQUIRED",
    "TOP_BY",
    "TREND_GROUPS",
    "ZONES",
    "ZONE_COLOURS",
    "RiskScales",
    "SimulationResult",
    "check_register",
    "exposure_trend",
    "flags",
    "heat_map",
    "heat_map_zones",
    "project_sizes",
    "score",
    "simulate",
    "top_risks",
]

#: How cost and schedule impacts are banded (:attr:`RiskScales.basis`): in money and working
#: days, or as fractions of the project's budget and duration.
IMPACT_BASES = ("absolute", "relative")
#: Ratings of the probability × impact score, from best to worst (:attr:`RiskScales.rating_edges`).
RATINGS = ("low", "medium", "high", "critical")
#: Heat-map zones, from best to worst.
ZONES = ("green", "amber", "red")
#: Zone of each rating: medium and high risks share the amber zone, critical ones are red
#: (the NPSA matrix's green / yellow / orange / red, with yellow and orange merged).
RATING_ZONES = {"low": "green", "medium": "amber", "high": "amber", "critical": "red"}
#: Colours of the zones in charts (the RAG colours of :mod:`pmo_lib.evm`).
ZONE_COLOURS = {z: RAG_COLOURS[z] for z in ZONES}
#: What a heat-map cell holds (:func:`heat_map`): risk count, total EMV [cur] or total
#: expected delay [d].
HEAT_MAP_VALUES = ("count", "emv", "expected_delay")
#: Orderings of :func:`top_risks`.
TOP_BY = ("emv", "score", "expected_delay")
#: Groupings of :func:`exposure_trend` (None = the whole portfolio).
TREND_GROUPS = ("project_id", "programme", "category", None)
#: Flags raised by :func:`flags`, in the order they are listed.
FLAGS = ("no_owner", "no_strategy", "no_response", "review_overdue")
#: Response strategies that need planned actions in ``response``: the active ones. An
#: ``accept`` may be passive (no action, PMBOK 6 §11.5.2.4) and an ``escalate``d risk is
#: managed at programme or portfolio level (§11.5.2.1), so neither is flagged without one.
RESPONSE_REQUIRED = ("avoid", "mitigate", "transfer", "exploit", "enhance", "share")

#: Column glossary (see the module docstring).
GLOSSARY = {
    "probability_score": "Probability band, 1–5",
    "cost_score": "Cost impact band, 1–5",
    "schedule_score": "Schedule impact band, 1–5",
    "impact_score": "Worse of the cost and schedule bands, 1–5",
    "score": "Probability score × impact score, 1–25",
    "rating": "low / medium / high / critical, from the score",
    "zone": "green / amber / red heat-map zone, from the rating",
    "emv": "Expected monetary value, probability × cost impact [cur]",
    "expected_delay": "Probability × schedule impact [d]",
    "risks": "Number of risks counted (open risks by default)",
    "rank": "Position in the top-N list, 1 = largest",
    "flag": "What is missing (FLAGS)",
    "reason": "Why the risk is flagged, in plain words",
}

_TABLE = "risks"
_SCHEMA = SCHEMAS["risks"]
#: Columns a register built by hand must have; the descriptive ones may be left out.
_REQUIRED = ("status_date", "id", "project_id", "probability", "cost_impact",
             "schedule_impact", "state")
_TEXT = pd.StringDtype(na_value=np.nan)
_OPTIONAL = ("title", "category", "owner", "response_strategy", "response", "affected_tasks")


def _edges(name: str, values, *, upper: float | None = None, count: int = 4) -> tuple:
    """Band edges as a tuple of floats, checked: ``count`` finite, ≥ 0, strictly increasing."""
    try:
        edges = tuple(float(v) for v in values)
    except (TypeError, ValueError):
        edges = ()
    ok = (len(edges) == count and all(np.isfinite(edges)) and edges[0] >= 0
          and all(a < b for a, b in itertools.pairwise(edges))
          and (upper is None or edges[-1] < upper))
    if not ok:
        limit = f" and below {upper:g}" if upper is not None else ""
        raise DataValidationError(Problem(
            "risk scales", None, None, name,
            f"needs {count} increasing, non-negative band edges{limit}, got {values!r}"))
    return edges


@dataclass(frozen=True)
class RiskScales:
    """The 1–5 probability and impact scales and the rating bands of :func:`score`.

    Each scale has four upper band edges: a value at or below ``edges[0]`` scores 1, above
    ``edges[0]`` and at or below ``edges[1]`` scores 2, ..., above ``edges[3]`` scores 5.
    A risk's impact score is the worse of its cost and schedule scores: a risk that hits
    several objectives is rated on the one it hurts most (the usual reading of the
    objective-by-objective impact scales of PMBOK 4th ed. Fig. 11-5 and 6th ed. §11.3.2.6),
    so a cheap but long delay is not averaged away by its small cost.

    Parameters
    ----------
    probability_edges : tuple of 4 float
        Default ``(0.10, 0.30, 0.50, 0.70)``: very low ≤ 10 %, low ≤ 30 %, moderate ≤ 50 %,
        high ≤ 70 %, very high > 70 % — bands around the 0.1 / 0.3 / 0.5 / 0.7 / 0.9 points
        of the PMBOK Guide's probability scale. [fraction]
    basis : str
        ``"absolute"`` (default) bands impacts in money and working days with
        ``cost_edges`` and ``schedule_edges``; ``"relative"`` bands them as fractions of the
        project's budget and baseline duration with ``relative_cost_edges`` and
        ``relative_schedule_edges`` (needs a portfolio, see :func:`project_sizes`). 50,000
        is severe for a 300,000 project and trivial for a 10 M one: ``"relative"`` rates
        both fairly, as the PMBOK Guide's impact scales do; ``"absolute"`` ranks risks
        across the portfolio on one yardstick, which is what a PMO heat map compares.
        One of :data:`IMPACT_BASES`.
    cost_edges : tuple of 4 float
        Default ``(10_000, 50_000, 100_000, 250_000)``, sized for projects of roughly 0.5–10
        million (the sample portfolio); rescale them for another currency or size. [cur]
    schedule_edges : tuple of 4 float
        Default ``(5, 10, 20, 40)``: a week, two weeks, a month, two months. [d]
    relative_cost_edges : tuple of 4 float
        Default ``(0.01, 0.10, 0.20, 0.40)`` of the project budget: PMBOK Guide 4th ed.,
        Fig. 11-5 (insignificant, < 10 %, 10–20 %, 20–40 %, > 40 % cost increase), with
        "insignificant" read as at most 1 %. [fraction of budget]
    relative_schedule_edges : tuple of 4 float
        Default ``(0.01, 0.05, 0.10, 0.20)`` of the project's baseline duration: the same
        figure's time scale (insignificant, < 5 %, 5–10 %, 10–20 %, > 20 %).
        [fraction of duration]
    rating_edges : tuple of 3 float
        Upper edges of the low, medium and high ratings of the 1–25 score. Default
        ``(3, 6, 12)``: low 1–3, medium 4–6, high 8–12, critical 15–25, the bands of the
        NPSA 5 × 5 risk matrix (low, moderate, high, extreme). The zones follow from the
        ratings (:data:`RATING_ZONES`).

    Raises
    ------
    DataValidationError
        Edges that are not 4 (3 for ratings) increasing non-negative numbers, probability
        edges not below 1, or an unknown basis (the message lists the valid ones).

    Examples
    --------
    >>> RiskScales().probability_score([0.05, 0.1, 0.11, 0.7, 0.71])
    array([1, 1, 2, 4, 5])
    >>> RiskScales(basis="sideways")
    Traceback (most recent call last):
    ...
    pmo_lib.errors.DataValidationError: risk scales, column 'basis': unknown basis 'sideways'; use one of 'absolute', 'relative'
    """

    probability_edges: tuple[float, ...] = (0.10, 0.30, 0.50, 0.70)
    basis: str = "absolute"
    cost_edges: tuple[float, ...] = (10_000.0, 50_000.0, 100_000.0, 250_000.0)
    schedule_edges: tuple[float, ...] = (5.0, 10.0, 20.0, 40.0)
    relative_cost_edges: tuple[float, ...] = (0.01, 0.10, 0.20, 0.40)
    relative_schedule_edges: tuple[float, ...] = (0.01, 0.05, 0.10, 0.20)
    rating_edges: tuple[float, ...] = (3.0, 6.0, 12.0)

    def __post_init__(self):
        if self.basis not in IMPACT_BASES:
            raise DataValidationError(Problem(
                "risk scales", None, None, "basis",
                f"unknown basis {self.basis!r}; use one of {', '.join(map(repr, IMPACT_BASES))}"))
        for name in ("cost_edges", "schedule_edges", "relative_cost_edges",
                     "relative_schedule_edges"):
            object.__setattr__(self, name, _edges(name, getattr(self, name)))
        object.__setattr__(self, "probability_edges",
                           _edges("probability_edges", self.probability_edges, upper=1.0))
        rating = _edges("rating_edges", self.rating_edges, count=3, upper=25.0)
        if rating[0] < 1:
            raise DataValidationError(Problem(
                "risk scales", None, None, "rating_edges",
                f"the low band must hold the score 1, got {self.rating_edges!r}"))
        object.__setattr__(self, "rating_edges", rating)

    def probability_score(self, probability):
        """Probability band, 1–5, of each probability [fraction] (an int array)."""
        return _band(probability, self.probability_edges)

    def cost_score(self, value):
        """Cost band, 1–5: ``value`` is money [cur] or, with the relative basis, a fraction
        of the budget."""
        edges = self.cost_edges if self.basis == "absolute" else self.relative_cost_edges
        return _band(value, edges)

    def schedule_score(self, value):
        """Schedule band, 1–5: ``value`` is working days [d] or, with the relative basis, a
        fraction of the duration."""
        edges = self.schedule_edges if self.basis == "absolute" \
            else self.relative_schedule_edges
        return _band(value, edges)

    def rating(self, score):
        """Rating (:data:`RATINGS`) of each probability × impact score (an object array)."""
        return np.asarray(RATINGS, dtype=object)[_band(score, self.rating_edges) - 1]


def _band(values, edges) -> np.ndarray:
    """1 + the number of edges strictly below each value (upper edges are inclusive)."""
    return np.searchsorted(np.asarray(edges, dtype=float),
                           np.asarray(values, dtype=float), side="left").astype(np.int64) + 1


# ----------------------------------------------------------------------------------------
# Validation
# ----------------------------------------------------------------------------------------
def _as_text(values: pd.Series, kind: str) -> pd.Series:
    """A column of a DataFrame as the stripped text ``model._parse_column`` parses (``<NA>``
    = blank), so a register built by hand gets the same checks and messages as a file."""
    if kind == "date":
        if pd.api.types.is_datetime64_any_dtype(values):
            values = values.dt.strftime("%Y-%m-%d")
        else:
            values = values.map(lambda v: pd.Timestamp(v).strftime("%Y-%m-%d")
                                if isinstance(v, _dt.date | np.datetime64) and pd.notna(v)
                                else v)
    elif kind == "list":
        values = values.map(lambda v: ";".join(map(str, v)) if isinstance(v, list | tuple)
                            else v)
    # The text dtype load_portfolio reads files with (blank = NaN), so parsed columns match.
    text = values.astype(object).where(values.notna()).astype(_TEXT).str.strip()
    return text.mask(text == "")


def check_register(register: pd.DataFrame, portfolio: Portfolio | None = None) -> pd.DataFrame:
    """Validate a risk register and return a clean copy.

    The same checks as :func:`~pmo_lib.load_portfolio` makes on ``risks.csv`` (they are
    driven by the same schema, ``SCHEMAS["risks"]``), for a register loaded from a file or
    built by hand as a DataFrame.

    Parameters
    ----------
    register : DataFrame
        Rows of the ``risks`` table (one snapshot or several). Required columns:
        ``status_date``, ``id``, ``project_id``, ``probability`` [fraction],
        ``cost_impact`` [cur], ``schedule_impact`` [d], ``state``. The descriptive columns
        ``title``, ``category``, ``owner``, ``response_strategy``, ``response`` and
        ``affected_tasks`` (task IDs separated by ``;``, or a tuple) may be left out (they
        are then blank). Dates may be datetimes or ``YYYY-MM-DD`` text.
    portfolio : Portfolio, optional
        When given, ``project_id`` and ``affected_tasks`` must name its projects and tasks.

    Returns
    -------
    DataFrame
        A copy with the same index: dates as ``datetime64[ns]``, numbers as float,
        ``state`` and ``response_strategy`` in lower case, ``affected_tasks`` as tuples;
        other columns kept as they are.

    Raises
    ------
    MissingDataError
        A required column is missing.
    DataValidationError
        Every problem found, each naming the table ``risks``, the row (header = row 1), the
        risk and its snapshot (``'R-1 @ 2026-01-16'``) and the column: a probability outside
        0–1, a blank (missing) or negative impact, a value that is not a number or a date,
        an unknown state or strategy (the valid ones are listed), a risk twice in one
        snapshot.
    UnknownReferenceError
        With a portfolio: an unknown project, or an unknown task in ``affected_tasks``.

    Examples
    --------
    >>> reg = pd.DataFrame({"status_date": ["2026-01-16"], "id": ["R-1"], "project_id": ["P1"],
    ...                     "probability": [1.2], "cost_impact": [1000], "schedule_impact": [5],
    ...                     "state": ["open"]})
    >>> check_register(reg)
    Traceback (most recent call last):
    ...
    pmo_lib.errors.DataValidationError: risks, row 2, ID 'R-1 @ 2026-01-16', column 'probability': 1.2 is above the maximum 1
    """
    require_columns(register, _TABLE, _REQUIRED, "register")
    raw = register.reset_index(drop=True)
    present = [c for c in _SCHEMA.columns if c.name in raw.columns]
    text = pd.DataFrame({c.name: _as_text(raw[c.name], c.kind) for c in present},
                        index=raw.index)
    labels = _SCHEMA.label(text)
    collector = _Collector(_TABLE, labels)
    out = register.copy()
    for col in present:
        parsed = _parse_column(text[col.name], col, collector)
        out[col.name] = pd.Series(parsed.to_numpy(), index=out.index, dtype=parsed.dtype)
    for name in _OPTIONAL:
        if name not in out.columns:
            out[name] = [()] * len(out) if name == "affected_tasks" else None
    key = out[["status_date", "id"]].reset_index(drop=True)
    dup = key.duplicated(keep=False) & key.notna().all(axis=1)
    collector.add(dup, "status_date, id", "the risk appears twice in this snapshot")
    if collector.problems:
        raise DataValidationError(collector.problems)
    if portfolio is not None:
        _check_references(out.reset_index(drop=True), labels, portfolio)
    return out


def _check_references(reg: pd.DataFrame, labels: pd.Series, portfolio: Portfolio) -> None:
    collector = _Collector(_TABLE, labels)
    projects = pd.Index(portfolio.projects["id"])
    unknown = ~reg["project_id"].isin(projects)
    collector.add(unknown, "project_id",
                  lambda i: f"refers to unknown project {reg.at[i, 'project_id']!r} (not in "
                  "the portfolio's projects)")
    tasks = reg["affected_tasks"].explode().dropna()
    bad = tasks[~tasks.isin(pd.Index(portfolio.tasks["id"]))]
    names = bad.groupby(level=0).agg(lambda s: ", ".join(map(repr, s)))
    collector.add(reg.index.isin(names.index), "affected_tasks",
                  lambda i: f"refers to unknown task {names[i]} (not in the portfolio's "
                  "tasks)")
    if collector.problems:
        raise UnknownReferenceError(collector.problems)


def _check_choice(name: str, value, options: tuple) -> None:
    if value not in options:
        raise DataValidationError(Problem(
            _TABLE, None, None, None,
            f"unknown {name} {value!r}; use one of {', '.join(map(repr, options))}"))


def _check_states(states) -> tuple[str, ...]:
    states = (states,) if isinstance(states, str) else tuple(states)
    for s in states:
        _check_choice("state", s, RISK_STATES)
    return states


def _one_snapshot(reg: pd.DataFrame, what: str) -> None:
    """A summary of one register (heat map, top N) needs one snapshot, not several."""
    dates = pd.DatetimeIndex(reg["status_date"].unique()).sort_values()
    if len(dates) > 1:
        raise DataValidationError(Problem(
            _TABLE, None, None, "status_date",
            f"{what} needs one snapshot of the register, got {len(dates)} "
            f"({dates[0].date()} to {dates[-1].date()}); pass "
            "portfolio.risk_register(month)"))


# ----------------------------------------------------------------------------------------
# Scores
# ----------------------------------------------------------------------------------------
def project_sizes(portfolio: Portfolio) -> pd.DataFrame:
    """Budget and baseline duration of each project: the yardsticks of relative impacts.

    Parameters
    ----------
    portfolio : Portfolio

    Returns
    -------
    DataFrame
        Index ``project_id`` (every project of the portfolio); columns ``budget``, the
        approved budget from ``projects`` [cur], and ``duration``, working days from the
        earliest baseline start to the latest baseline finish of its tasks, both counted
        (0 for a project without tasks) [d].

    Examples
    --------
    >>> from pmo_lib import load_portfolio, SAMPLE_DATA
    >>> project_sizes(load_portfolio(SAMPLE_DATA)).loc["ERP", "budget"]
    np.float64(9630000.0)
    """
    tasks = portfolio.tasks
    span = tasks.groupby("project_id").agg(start=("baseline_start", "min"),
                                           finish=("baseline_finish", "max"))
    duration = pd.Series(portfolio.calendar.working_days(span["start"].to_numpy(),
                                                         span["finish"].to_numpy()),
                         index=span.index, dtype=float)
    ids = pd.Index(portfolio.projects["id"], name="project_id")
    return pd.DataFrame({
        "budget": portfolio.projects.set_index("id")["budget"].reindex(ids).astype(float),
        "duration": duration.reindex(ids).fillna(0.0),
    }, index=ids)


def _ratio(num: pd.Series, den: pd.Series) -> np.ndarray:
    """num / den for impacts: 0 where num is 0, +inf where only den is 0 (always top band)."""
    n, d = num.to_numpy(dtype=float), den.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(n == 0, 0.0, n / d)
    return out


def _scored(reg: pd.DataFrame, scales: RiskScales, portfolio: Portfolio | None) -> pd.DataFrame:
    """Add the score columns to a validated register."""
    p = reg["probability"].to_numpy(dtype=float)
    cost, delay = reg["cost_impact"], reg["schedule_impact"]
    if scales.basis == "relative":
        if portfolio is None:
            raise DataValidationError(Problem(
                "risk scales", None, None, "basis",
                "the relative basis bands impacts as fractions of each project's budget and "
                "duration; pass portfolio=..."))
        sizes = project_sizes(portfolio)
        cost_value = _ratio(cost, reg["project_id"].map(sizes["budget"]))
        delay_value = _ratio(delay, reg["project_id"].map(sizes["duration"]))
    else:
        cost_value, delay_value = cost.to_numpy(dtype=float), delay.to_numpy(dtype=float)
    out = reg.copy()
    out["probability_score"] = scales.probability_score(p)
    out["cost_score"] = scales.cost_score(cost_value)
    out["schedule_score"] = scales.schedule_score(delay_value)
    out["impact_score"] = np.maximum(out["cost_score"], out["schedule_score"])
    out["score"] = out["probability_score"] * out["impact_score"]
    out["rating"] = scales.rating(out["score"].to_numpy())
    out["zone"] = out["rating"].map(RATING_ZONES).astype(object)
    out["emv"] = p * cost.to_numpy(dtype=float)
    out["expected_delay"] = p * delay.to_numpy(dtype=float)
    return out


def score(register: pd.DataFrame, scales: RiskScales | None = None, *,
          portfolio: Portfolio | None = None) -> pd.DataFrame:
    """Probability–impact scores, rating, EMV and expected delay of each risk.

    Parameters
    ----------
    register : DataFrame
        Risk register rows, one snapshot or several (see :func:`check_register`).
    scales : RiskScales, optional
        The bands; default ``RiskScales()`` (absolute impacts).
    portfolio : Portfolio, optional
        Checks the projects and tasks the risks name, and gives each project's budget and
        duration for ``RiskScales(basis="relative")`` (:func:`project_sizes`).

    Returns
    -------
    DataFrame
        The validated register (same index, every row, all states) with the columns
        ``probability_score``, ``cost_score``, ``schedule_score``, ``impact_score`` (int
        1–5), ``score`` (int 1–25), ``rating`` (:data:`RATINGS`), ``zone`` (:data:`ZONES`),
        ``emv`` [cur] and ``expected_delay`` [d].

    Raises
    ------
    DataValidationError
        Bad register content (:func:`check_register`), or the relative basis without a
        portfolio.
    UnknownReferenceError
        With a portfolio: an unknown project or task.

    Notes
    -----
    With :math:`p` the probability, :math:`C` the cost impact and :math:`D` the schedule
    impact, and :math:`b(x)` the 1–5 band of :math:`x` on a scale:

    .. math::

        I = \\max(b_C(C), b_D(D)), \\quad \\text{score} = b_p(p) \\times I, \\quad
        \\text{EMV} = p\\,C, \\quad \\text{expected delay} = p\\,D

    With the relative basis, :math:`C` is divided by the project's budget and :math:`D` by
    its baseline duration before banding. The score is ordinal (PMBOK 6 §11.3.2.6); EMV and
    expected delay are the quantities to add up (PMBOK 6 §11.4.2.5). The sum of expected
    delays of several risks is an exposure measure, not a forecast of the project delay:
    risks on parallel paths do not add up; the Monte Carlo simulation gives the forecast.

    Examples
    --------
    >>> reg = pd.DataFrame({"status_date": ["2026-01-16"] * 2, "id": ["R-1", "R-2"],
    ...                     "project_id": ["P1", "P1"], "probability": [0.2, 0.8],
    ...                     "cost_impact": [60_000, 1_000], "schedule_impact": [5, 30],
    ...                     "state": ["open", "open"]})
    >>> score(reg)[["id", "score", "rating", "zone", "emv", "expected_delay"]]
        id  score    rating   zone      emv  expected_delay
    0  R-1      6    medium  amber  12000.0             1.0
    1  R-2     20  critical    red    800.0            24.0
    """
    scales = RiskScales() if scales is None else scales
    if not isinstance(scales, RiskScales):
        raise DataValidationError(Problem("risk scales", None, None, None,
                                          f"expected RiskScales, got {type(scales).__name__}"))
    return _scored(check_register(register, portfolio), scales, portfolio)


# ----------------------------------------------------------------------------------------
# Summaries
# ----------------------------------------------------------------------------------------
_LEVELS = range(1, 6)


def heat_map(register: pd.DataFrame, scales: RiskScales | None = None, *,
             portfolio: Portfolio | None = None, value: str = "count",
             states=("open",)) -> pd.DataFrame:
    """The 5 × 5 probability–impact matrix of one register snapshot.

    Parameters
    ----------
    register : DataFrame
        One snapshot of the register, e.g. ``portfolio.risk_register("2026-10")``.
    scales : RiskScales, optional
    portfolio : Portfolio, optional
        As for :func:`score`.
    value : str
        What a cell holds: ``"count"`` (number of risks, default), ``"emv"`` (their total
        EMV [cur]) or ``"expected_delay"`` (their total expected delay [d]); one of
        :data:`HEAT_MAP_VALUES`.
    states : tuple of str
        The states counted; default open risks only.

    Returns
    -------
    DataFrame
        Index ``probability_score`` 5, 4, 3, 2, 1 (top row = most likely, as the matrix is
        drawn); columns ``impact_score`` 1–5. Counts are int, totals float; an empty cell is
        0. The zone of each cell is the same cell of :func:`heat_map_zones`. Ready for
        ``imshow``/``pcolormesh``: ``df.to_numpy()`` is the image, top row first.

    Raises
    ------
    DataValidationError
        Bad register content, several snapshots, an unknown ``value`` or state (the valid
        ones are listed).

    Examples
    --------
    >>> from pmo_lib import load_portfolio, SAMPLE_DATA
    >>> reg = load_portfolio(SAMPLE_DATA).risk_register("2026-10")
    >>> hm = heat_map(reg)
    >>> hm.shape, int(hm.to_numpy().sum()) == int((reg["state"] == "open").sum())
    ((5, 5), True)
    """
    _check_choice("heat-map value", value, HEAT_MAP_VALUES)
    states = _check_states(states)
    scored = score(register, scales, portfolio=portfolio)
    _one_snapshot(scored, "a heat map")
    rows = scored[scored["state"].isin(states)]
    groups = rows.groupby(["probability_score", "impact_score"])
    cells = groups.size() if value == "count" else groups[value].sum()
    fill = 0 if value == "count" else 0.0
    table = cells.unstack("impact_score").reindex(
        index=pd.Index(_LEVELS[::-1], name="probability_score"),
        columns=pd.Index(_LEVELS, name="impact_score"), fill_value=fill).fillna(fill)
    return table.astype(np.int64 if value == "count" else float)


def heat_map_zones(scales: RiskScales | None = None) -> pd.DataFrame:
    """The zone (:data:`ZONES`) of each cell of the probability–impact matrix.

    A cell's zone is the zone of the rating of its score, probability score × impact score
    (:data:`RATING_ZONES`); colours for charts are in :data:`ZONE_COLOURS`.

    Returns
    -------
    DataFrame
        The layout of :func:`heat_map`: index ``probability_score`` 5–1, columns
        ``impact_score`` 1–5, values ``"green"``, ``"amber"`` or ``"red"``.

    Examples
    --------
    >>> heat_map_zones()
    impact_score           1      2      3      4      5
    probability_score
    5                  amber  amber    red    red    red
    4                  amber  amber  amber    red    red
    3                  green  amber  amber  amber    red
    2                  green  amber  amber  amber  amber
    1                  green  green  green  amber  amber
    """
    scales = RiskScales() if scales is None else scales
    p = np.arange(5, 0, -1)[:, None]
    i = np.arange(1, 6)[None, :]
    zones = pd.Series(scales.rating((p * i).ravel())).map(RATING_ZONES).to_numpy()
    return pd.DataFrame(zones.reshape(5, 5),
                        index=pd.Index(_LEVELS[::-1], name="probability_score"),
                        columns=pd.Index(_LEVELS, name="impact_score"))


_SORT = {
    "emv": (["emv", "score", "expected_delay"], "emv"),
    "score": (["score", "emv", "expected_delay"], "score"),
    "expected_delay": (["expected_delay", "score", "emv"], "expected_delay"),
}


def top_risks(register: pd.DataFrame, n: int = 10, by: str = "emv", *,
              scales: RiskScales | None = None, portfolio: Portfolio | None = None,
              states=("open",)) -> pd.DataFrame:
    """The ``n`` largest risks of one register snapshot.

    Parameters
    ----------
    register : DataFrame
        One snapshot of the register.
    n : int
        How many risks (fewer if the register has fewer). Default 10.
    by : str
        ``"emv"`` (default), ``"score"`` or ``"expected_delay"`` (:data:`TOP_BY`). Ties are
        broken by the other two measures (EMV, score, expected delay in that order of
        precedence), then by risk ID.
    scales, portfolio, states
        As for :func:`heat_map`.

    Returns
    -------
    DataFrame
        The rows of :func:`score`, largest first, with a leading column ``rank`` (1 =
        largest); RangeIndex.

    Raises
    ------
    DataValidationError
        Bad register content, several snapshots, ``n`` < 0, an unknown ``by`` or state.

    Examples
    --------
    >>> from pmo_lib import load_portfolio, SAMPLE_DATA
    >>> reg = load_portfolio(SAMPLE_DATA).risk_register("2026-10")
    >>> top = top_risks(reg, 3)
    >>> top["rank"].tolist(), bool(top["emv"].is_monotonic_decreasing)
    ([1, 2, 3], True)
    """
    _check_choice("ordering", by, TOP_BY)
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        raise DataValidationError(Problem(_TABLE, None, None, None,
                                          f"n must be a whole number >= 0, got {n!r}"))
    states = _check_states(states)
    scored = score(register, scales, portfolio=portfolio)
    _one_snapshot(scored, "a top-N list")
    keys, _ = _SORT[by]
    rows = scored[scored["state"].isin(states)]
    rows = rows.sort_values([*keys, "id"], ascending=[False, False, False, True],
                            kind="stable").head(n).reset_index(drop=True)
    rows.insert(0, "rank", np.arange(1, len(rows) + 1))
    return rows


def exposure_trend(portfolio: Portfolio, by: str | None = "project_id", *,
                   states=("open",)) -> pd.DataFrame:
    """Risk exposure month by month across the register's snapshots.

    Parameters
    ----------
    portfolio : Portfolio
        Its ``risks`` table (all snapshots) is validated against its projects and tasks.
    by : str or None
        ``"project_id"`` (default), ``"programme"``, ``"category"`` or None for the whole
        portfolio (:data:`TREND_GROUPS`).
    states : tuple of str
        The states counted; default open risks only (closed risks cannot happen, occurred
        ones are issues).

    Returns
    -------
    DataFrame
        Long ("tidy") table, one row per snapshot month × group, sorted by month and group,
        RangeIndex. Columns: ``month`` (``pd.Period``, freq M), ``status_date`` (the
        snapshot's date), the ``by`` column (absent when ``by`` is None), ``risks`` (number
        of risks counted, int), ``emv`` (total EMV [cur]) and ``expected_delay`` (total
        expected delay [d]). Every group that has a risk in any snapshot has a row in every
        month (0 when it has none then), so a line chart per group needs no gap handling:
        ``df.pivot(index="month", columns=by, values="emv")``.

    Raises
    ------
    DataValidationError
        Bad register content, an unknown ``by`` or state.
    UnknownReferenceError
        A risk of an unknown project or task.

    Notes
    -----
    EMV of a group in a month is :math:`\\sum p_i C_i` over its risks counted then; expected
    delay :math:`\\sum p_i D_i` (an exposure measure: see :func:`score`). Totals are summed
    from the risks, so the rows of a month add up to the ``by=None`` total.

    Examples
    --------
    >>> from pmo_lib import load_portfolio, SAMPLE_DATA
    >>> trend = exposure_trend(load_portfolio(SAMPLE_DATA), by=None)
    >>> list(trend.columns)
    ['month', 'status_date', 'risks', 'emv', 'expected_delay']
    >>> str(trend["month"].iloc[-1])
    '2026-10'
    """
    _check_choice("grouping", by, TREND_GROUPS)
    states = _check_states(states)
    reg = check_register(portfolio.risks, portfolio)
    reg = _scored(reg, RiskScales(), None)
    reg["month"] = reg["status_date"].dt.to_period("M")
    if by == "programme":
        reg["programme"] = reg["project_id"].map(portfolio.projects.set_index("id")["programme"])
    dates = reg.groupby("month")["status_date"].max().sort_index()
    keys = ["month"] if by is None else ["month", by]
    counted = reg[reg["state"].isin(states)]
    sums = counted.groupby(keys).agg(risks=("id", "size"), emv=("emv", "sum"),
                                     expected_delay=("expected_delay", "sum"))
    if by is None:
        grid = pd.Index(dates.index, name="month")
    else:
        grid = pd.MultiIndex.from_product([dates.index, sorted(reg[by].dropna().unique())],
                                          names=keys)
    out = sums.reindex(grid).fillna(0.0).reset_index()
    out["risks"] = out["risks"].astype(np.int64)
    out.insert(1, "status_date", out["month"].map(dates).astype("datetime64[ns]"))
    return out


def flags(register: pd.DataFrame, *, portfolio: Portfolio | None = None,
          states=("open",)) -> pd.DataFrame:
    """Risks missing what the risk process needs, each with the reason.

    Parameters
    ----------
    register : DataFrame
        Risk register rows, one snapshot or several.
    portfolio : Portfolio, optional
        Checks the projects and tasks the risks name.
    states : tuple of str
        The states checked; default open risks only.

    Returns
    -------
    DataFrame
        One row per risk and flag, sorted by snapshot, project, risk and flag (in the order
        of :data:`FLAGS`), RangeIndex; columns ``status_date``, ``id``, ``project_id``,
        ``title``, ``owner``, ``response_strategy``, ``flag`` and ``reason``. The flags:

        * ``no_owner``: blank owner;
        * ``no_strategy``: blank response strategy;
        * ``no_response``: a strategy in :data:`RESPONSE_REQUIRED` and no planned actions
          in ``response``;
        * ``review_overdue``: only when the register has a ``review_date`` column (the
          date of the next planned review; the shipped schema has none, so a monthly
          snapshot is taken as the review): that date is before the status date.

    Raises
    ------
    DataValidationError
        Bad register content (or a ``review_date`` that is not a date), an unknown state.

    References
    ----------
    PMBOK Guide 6th ed., §11.5.3.3 (risk owner and agreed response per risk), §11.7
    (Monitor Risks: risk reviews).

    Examples
    --------
    >>> reg = pd.DataFrame({"status_date": ["2026-01-16"], "id": ["R-1"],
    ...                     "project_id": ["P1"], "probability": [0.5],
    ...                     "cost_impact": [1000], "schedule_impact": [5], "state": ["open"],
    ...                     "owner": ["Ann"], "response_strategy": ["mitigate"],
    ...                     "response": [None]})
    >>> flags(reg)[["id", "flag", "reason"]].to_dict("records")
    [{'id': 'R-1', 'flag': 'no_response', 'reason': "strategy 'mitigate' but no planned response actions; describe them in 'response'"}]
    """
    states = _check_states(states)
    reg = check_register(register, portfolio).reset_index(drop=True)
    counted = reg["state"].isin(states)
    strategy = reg["response_strategy"]
    masks = {
        "no_owner": counted & reg["owner"].isna(),
        "no_strategy": counted & strategy.isna(),
        "no_response": counted & strategy.isin(RESPONSE_REQUIRED) & reg["response"].isna(),
    }
    reasons = {
        "no_owner": pd.Series("no risk owner; name who monitors the risk and carries out "
                              "the response", index=reg.index),
        "no_strategy": pd.Series("no response strategy; choose one of "
                                 + ", ".join(RESPONSE_STRATEGIES), index=reg.index),
        "no_response": "strategy '" + strategy.astype("string").fillna("") + "' but no "
        "planned response actions; describe them in 'response'",
    }
    if "review_date" in reg.columns:
        review = _review_dates(reg)
        masks["review_overdue"] = counted & (review < reg["status_date"])
        reasons["review_overdue"] = ("review was due on " + review.dt.strftime("%Y-%m-%d")
                                     .fillna("") + ", before the status date "
                                     + reg["status_date"].dt.strftime("%Y-%m-%d"))
    columns = ["status_date", "id", "project_id", "title", "owner", "response_strategy"]
    parts = [reg.loc[m, columns].assign(flag=name, reason=reasons[name][m])
             for name, m in masks.items()]
    out = pd.concat(parts, ignore_index=False) if parts else reg[columns].iloc[:0]
    out["_order"] = out["flag"].map({f: i for i, f in enumerate(FLAGS)})
    out = out.sort_values(["status_date", "project_id", "id", "_order"], kind="stable")
    return out.drop(columns="_order").reset_index(drop=True).astype({"reason": object})


def _review_dates(reg: pd.DataFrame) -> pd.Series:
    """The optional ``review_date`` column as dates, validated."""
    raw = _as_text(reg["review_date"], "date")
    parsed = pd.to_datetime(raw, format="%Y-%m-%d", errors="coerce")
    bad = raw.notna() & parsed.isna()
    if bad.any():
        collector = _Collector(_TABLE, _labels(reg))
        collector.add(bad, "review_date", lambda i: f"{raw[i]!r} is not a date in the form "
                      "YYYY-MM-DD")
        raise DataValidationError(collector.problems)
    return parsed.astype("datetime64[ns]")


def _labels(reg: pd.DataFrame) -> pd.Series:
    """``'R-1 @ 2026-01-16'`` labels of validated rows."""
    return reg["id"].astype(str) + " @ " + reg["status_date"].dt.strftime("%Y-%m-%d")
