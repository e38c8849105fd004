"""Earned value management (EVM): planned value, earned value, actual cost, indicators, RAG.

Version 1 covers what the monthly report needs: time-phased planned value from the baseline,
earned value by percent complete, actual cost from the status snapshots, the standard
indicators at task, project, programme and portfolio level, and a RAG status.

Glossary (column names; money in the portfolio currency, ratios are fractions):

====== ===================================================================================
pv     Planned value (BCWS): budgeted cost of the work scheduled up to the status date.
ev     Earned value (BCWP): budgeted cost of the work performed, budget × % complete.
ac     Actual cost (ACWP): cost actually incurred up to the status date.
bac    Budget at completion: the total baseline budget.
sv     Schedule variance, EV − PV (negative = behind schedule).
cv     Cost variance, EV − AC (negative = over budget).
spi    Schedule performance index, EV / PV (< 1 = behind schedule).
cpi    Cost performance index, EV / AC (< 1 = over budget).
eac    Estimate at completion, BAC / CPI (the PMBOK "typical variance" forecast).
etc    Estimate to complete, EAC − AC.
vac    Variance at completion, BAC − EAC.
tcpi   To-complete performance index to meet BAC, (BAC − EV) / (BAC − AC).
tcpi_eac  To-complete performance index to meet the EAC, (BAC − EV) / (EAC − AC).
es     Earned schedule: the time at which the EV earned now was planned. [periods]
at     Actual time: periods elapsed from the start to the status date. [periods]
sv_t   Schedule variance in time, ES − AT (negative = late). [periods]
spi_t  Schedule performance index in time, ES / AT.
tspi   To-complete schedule performance index, (PD − ES) / (PD − AT).
ieac_t Independent estimate of the duration at completion, PD / SPI(t). [periods]
====== ===================================================================================

EAC methods (:data:`EAC_METHODS`), EV methods (:data:`EV_METHODS`) and PV curves
(:data:`PV_CURVES`) are chosen by name; an unknown name raises a
:class:`~pmo_lib.errors.DataValidationError` that lists the valid ones.

Roll-ups add PV, EV, AC and BAC first and then compute the indices; ratios are never averaged.
An undefined ratio (PV = 0 before any work is planned, AC = 0 before any cost) is NaN, never
±inf, and the RAG status of such a row is ``grey`` with the reason.

References
----------
Project Management Institute, *A Guide to the Project Management Body of Knowledge (PMBOK
Guide)*, 6th ed., §7.4.2.2 (earned value analysis), 2017.
Project Management Institute, *The Standard for Earned Value Management*, 2019.
W. Lipke, "Schedule is different", *The Measurable News*, March 2003, pp. 31–34.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .calendar import WorkCalendar
from .errors import DataValidationError, Problem
from .model import Portfolio, parse_month

__all__ = [
    "EAC_METHODS",
    "EV_METHODS",
    "GLOSSARY",
    "INDICATORS",
    "PV_CURVES",
    "RAG_COLOURS",
    "RAG_LEVELS",
    "RagThresholds",
    "apply_thresholds",
    "check_progress",
    "cumulative_pv",
    "earned_schedule",
    "indicators",
    "planned_value",
    "project_earned_schedule",
    "project_performance",
    "rag_counts",
    "rag_status",
    "rollup",
    "s_curve",
    "task_performance",
]

#: Names of the indicators :func:`indicators` returns, in order.
INDICATORS = ("sv", "cv", "spi", "cpi", "eac", "etc", "vac", "tcpi", "tcpi_eac")
#: The indicators of the performance tables (:func:`rollup`, :func:`project_performance`).
_TABLE_INDICATORS = INDICATORS[:8]
#: Estimate-at-completion methods of :func:`indicators` (see its Notes).
EAC_METHODS = ("cpi", "additive", "cpi_spi", "new_etc")
#: Earned-value methods of :func:`task_performance` (see its Notes).
EV_METHODS = ("percent_complete", "0/100", "50/50", "milestone_weights")
#: Shapes of the planned-value spread of :func:`cumulative_pv` (see its Notes).
PV_CURVES = ("linear", "front", "back")
#: Relative tolerance when comparing money amounts (EV against BAC).
_RTOL = 1e-9

#: Column glossary (see the module docstring).
GLOSSARY = {
    "pv": "Planned value: budgeted cost of work scheduled to date",
    "ev": "Earned value: budgeted cost of work performed (budget × % complete)",
    "ac": "Actual cost of work performed to date",
    "bac": "Budget at completion",
    "sv": "Schedule variance, EV − PV",
    "cv": "Cost variance, EV − AC",
    "spi": "Schedule performance index, EV / PV",
    "cpi": "Cost performance index, EV / AC",
    "eac": "Estimate at completion, BAC / CPI",
    "etc": "Estimate to complete, EAC − AC",
    "vac": "Variance at completion, BAC − EAC",
    "tcpi": "To-complete performance index, (BAC − EV) / (BAC − AC)",
    "tcpi_eac": "To-complete performance index to meet the EAC, (BAC − EV) / (EAC − AC)",
    "es": "Earned schedule: when the EV earned now was planned [periods]",
    "at": "Actual time elapsed at the status date [periods]",
    "sv_t": "Schedule variance in time, ES − AT [periods]",
    "spi_t": "Schedule performance index in time, ES / AT",
    "tspi": "To-complete schedule performance index, (PD − ES) / (PD − AT)",
    "ieac_t": "Independent estimate of duration at completion, PD / SPI(t) [periods]",
    "forecast_finish": "Forecast finish date from IEAC(t)",
    "rag": "Red / amber / green status (grey: not measurable yet)",
}

#: RAG levels from best to worst; ``grey`` = not measurable yet.
RAG_LEVELS = ("green", "amber", "red", "grey")
#: Colours used for RAG in tables and charts (colour-blind-safe enough with the text label).
RAG_COLOURS = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828", "grey": "#9e9e9e"}


@dataclass(frozen=True)
class RagThresholds:
    """Thresholds on SPI and CPI for the RAG status.

    An index at or above ``green`` is green, at or above ``amber`` amber, below that red; the
    status of a project is the worse of its SPI and CPI statuses. The defaults (0.95 and 0.90)
    are the bands most PMOs and the US DoD EVM guides use for "watch" and "act".
    """

    green: float = 0.95
    amber: float = 0.90

    def __post_init__(self):
        if not (0 < self.amber <= self.green):
            raise DataValidationError(Problem(
                "RAG thresholds", None, None, None,
                f"need 0 < amber <= green, got amber={self.amber}, green={self.green}"))


# ----------------------------------------------------------------------------------------
# Indicators
# ----------------------------------------------------------------------------------------
def _ratio(num, den):
    """num / den, NaN where den is 0 or either side is NaN (never ±inf)."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    with np.errstate(over="ignore", invalid="ignore"):
        np.divide(num, den, out=out, where=(den != 0) & np.isfinite(den))
    out[~np.isfinite(out)] = np.nan  # a denominator so small the ratio overflows
    return out + 0.0  # no negative zeros


def _check_choice(value, choices: tuple[str, ...], function: str, parameter: str,
                  what: str) -> None:
    """Raise a DataValidationError listing ``choices`` when ``value`` is not one of them."""
    if value not in choices:
        raise DataValidationError(Problem(
            function, None, None, parameter,
            f"unknown {what} {value!r}; use one of {', '.join(map(repr, choices))}"))


def _check_ev_within_bac(e: np.ndarray, b: np.ndarray, function: str) -> None:
    """EV above BAC (beyond a rounding tolerance) is bad input."""
    with np.errstate(invalid="ignore"):
        over = e > b + _RTOL * np.maximum(np.abs(b), 1.0)
    if np.any(over):
        e_b = np.broadcast_arrays(e, b)
        first = np.flatnonzero(np.broadcast_to(over, e_b[0].shape))[0]
        ev0, bac0 = e_b[0].flat[first], e_b[1].flat[first]
        raise DataValidationError(Problem(
            function, None, None, "ev",
            f"EV {ev0:g} is above BAC {bac0:g} (position {first}); earned value cannot "
            "exceed the budget: check percent complete and the budget"))


def indicators(pv, ev, ac, bac, *, method: str = "cpi", etc=None):
    """The standard EVM indicators from PV, EV, AC and BAC.

    Parameters
    ----------
    pv, ev, ac, bac : float, array-like or Series
        Planned value, earned value, actual cost and budget at completion. [cur]
    method : str, keyword-only
        How EAC is forecast, one of :data:`EAC_METHODS` (see Notes). Default ``"cpi"``.
    etc : float, array-like or Series, keyword-only
        A new bottom-up estimate to complete [cur]; required by ``method="new_etc"`` and
        ignored by the other methods.

    Returns
    -------
    dict or DataFrame
        ``sv``, ``cv`` [cur], ``spi``, ``cpi`` [ratio], ``eac``, ``etc``, ``vac`` [cur],
        ``tcpi``, ``tcpi_eac`` [ratio] (the order of :data:`INDICATORS`): a dict of floats
        for scalar inputs, else a DataFrame (with the Series' index when one is given).

    Raises
    ------
    DataValidationError
        ``method`` is not one of :data:`EAC_METHODS` (the message lists them); ``"new_etc"``
        without ``etc`` or with a negative ``etc``; EV above BAC.

    Notes
    -----
    SV = EV − PV; CV = EV − AC; SPI = EV / PV; CPI = EV / AC; ETC = EAC − AC;
    VAC = BAC − EAC; TCPI = (BAC − EV) / (BAC − AC); TCPI(EAC) = (BAC − EV) / (EAC − AC)
    (PMBOK Guide, table 7-1; PMI Standard for EVM 2019, ch. 6). EAC by ``method``:

    ============ ====================================== ====================================
    ``cpi``      EAC = BAC / CPI                        past cost efficiency continues
    ``additive`` EAC = AC + (BAC − EV)                  remaining work at the budget rate
    ``cpi_spi``  EAC = AC + (BAC − EV) / (CPI · SPI)    cost and schedule both weigh
    ``new_etc``  EAC = AC + ETC (the ``etc`` argument)  a new bottom-up estimate
    ============ ====================================== ====================================

    Undefined values are NaN, never ±inf: SPI where PV = 0 (nothing planned yet, e.g. a
    status date before the start), CPI where AC = 0 (no cost booked yet), TCPI where
    BAC = AC, TCPI(EAC) where EAC = AC (a finished project has nothing left to do). Before
    any work is done (EV = AC = 0) EAC is BAC for ``cpi`` and ``cpi_spi``; if cost was spent
    with nothing earned (CPI = 0) EAC is NaN for these two; with nothing left to earn
    (EV = BAC) ``cpi_spi`` gives EAC = AC. After the planned finish PV = BAC, so EV > PV there
    means EV > BAC, which is rejected.

    References
    ----------
    Project Management Institute, *The Standard for Earned Value Management*, 2019.

    Examples
    --------
    >>> r = indicators(pv=100.0, ev=80.0, ac=100.0, bac=1000.0)
    >>> round(r["spi"], 2), round(r["cpi"], 2), round(r["eac"], 1)
    (0.8, 0.8, 1250.0)
    >>> round(indicators(100.0, 80.0, 100.0, 1000.0, method="additive")["eac"], 1)
    1020.0
    """
    _check_choice(method, EAC_METHODS, "indicators", "method", "EAC method")
    if method == "new_etc":
        if etc is None:
            raise DataValidationError(Problem(
                "indicators", None, None, "etc",
                "method 'new_etc' needs the new estimate to complete: pass etc=..."))
        if np.any(np.asarray(etc, dtype=float) < 0):
            raise DataValidationError(Problem("indicators", None, None, "etc",
                                              "a new estimate to complete cannot be negative"))
    inputs = (pv, ev, ac, bac) + ((etc,) if method == "new_etc" else ())
    index = next((x.index for x in inputs if isinstance(x, pd.Series)), None)
    scalar = all(np.ndim(x) == 0 for x in inputs)
    p, e, a, b = (np.asarray(x, dtype=float) for x in (pv, ev, ac, bac))
    _check_ev_within_bac(e, b, "indicators")
    spi, cpi = _ratio(e, p), _ratio(e, a)
    nothing_yet = (e == 0) & (a == 0)
    if method == "cpi":
        eac = np.where(nothing_yet, b, _ratio(b, np.where(cpi > 0, cpi, np.nan)))
    elif method == "additive":
        eac = a + (b - e)
    elif method == "cpi_spi":
        with np.errstate(over="ignore", invalid="ignore"):
            factor = cpi * spi
        remaining = _ratio(b - e, np.where(factor > 0, factor, np.nan))
        remaining = np.where(b - e == 0, 0.0, remaining)
        eac = np.where(nothing_yet, b, a + remaining)
    else:
        eac = a + np.asarray(etc, dtype=float)
    eac = np.asarray(eac, dtype=float) + 0.0
    out = {
        "sv": e - p, "cv": e - a, "spi": spi, "cpi": cpi, "eac": eac, "etc": eac - a,
        "vac": b - eac, "tcpi": _ratio(b - e, b - a), "tcpi_eac": _ratio(b - e, eac - a),
    }
    if scalar:
        return {k: float(v) for k, v in out.items()}
    shape = np.broadcast(*(np.asarray(x, dtype=float) for x in inputs)).shape
    return pd.DataFrame({k: np.broadcast_to(v, shape) for k, v in out.items()}, index=index)


def rag_status(spi, cpi, thresholds: RagThresholds | None = None) -> pd.DataFrame:
    """RAG status and its reason from SPI and CPI.

    Parameters
    ----------
    spi, cpi : array-like or Series
        Schedule and cost performance indices.
    thresholds : RagThresholds, optional
        Defaults to ``RagThresholds()`` (green ≥ 0.95, amber ≥ 0.90).

    Returns
    -------
    DataFrame
        ``rag`` (one of :data:`RAG_LEVELS`) and ``rag_reason`` (text; empty when green).

    Examples
    --------
    >>> rag_status([1.0, 0.93, 0.8], [1.0, 1.0, 0.97])["rag"].tolist()
    ['green', 'amber', 'red']
    """
    t = thresholds or RagThresholds()
    index = spi.index if isinstance(spi, pd.Series) else None
    s, c = np.atleast_1d(np.asarray(spi, float)), np.atleast_1d(np.asarray(cpi, float))
    level = np.array(["green", "amber", "red"])

    def band(x):  # an index that cannot be measured (NaN) does not count against the project
        return np.where(np.isnan(x) | (x >= t.green), 0, np.where(x >= t.amber, 1, 2))

    bs, bc = band(s), band(c)
    worst = np.maximum(bs, bc)
    rag = np.where(np.isnan(s) & np.isnan(c), "grey", level[worst]).astype(object)
    reasons = []
    for si, ci, b1, b2, r in zip(s, c, bs, bc, rag, strict=True):
        if r == "grey":
            reasons.append("not measurable yet: no planned value or cost to date")
            continue
        parts = []
        for name, v, b in (("SPI", si, b1), ("CPI", ci, b2)):
            if np.isnan(v):
                continue
            if b == 1:
                parts.append(f"{name} {v:.2f} below {t.green:.2f}")
            elif b == 2:
                parts.append(f"{name} {v:.2f} below {t.amber:.2f}")
        reasons.append("; ".join(parts))
    return pd.DataFrame({"rag": rag, "rag_reason": reasons}, index=index)


def apply_thresholds(performance: pd.DataFrame,
                     thresholds: RagThresholds | None = None) -> pd.DataFrame:
    """Rate the RAG status of a performance table again with other thresholds.

    Only ``rag`` and ``rag_reason`` change; the EVM figures do not depend on the thresholds,
    so a panel computes :func:`project_performance` once per month and calls this
    function each time a slider moves.

    Parameters
    ----------
    performance : DataFrame
        Has ``spi`` and ``cpi`` columns, e.g. :func:`project_performance`.
    thresholds : RagThresholds, optional
        Defaults to ``RagThresholds()`` (green ≥ 0.95, amber ≥ 0.90).

    Returns
    -------
    DataFrame
        A copy of ``performance`` with ``rag`` (one of :data:`RAG_LEVELS`) and
        ``rag_reason`` set for ``thresholds`` (the same as ``project_performance(portfolio,
        month, thresholds)``).

    Examples
    --------
    >>> perf = pd.DataFrame({"spi": [1.0, 0.93, float("nan")], "cpi": [0.97, 1.0, float("nan")]})
    >>> apply_thresholds(perf)["rag"].tolist()
    ['green', 'amber', 'grey']
    >>> apply_thresholds(perf, RagThresholds(green=0.98, amber=0.95))["rag"].tolist()
    ['amber', 'red', 'grey']
    """
    rated = rag_status(performance["spi"], performance["cpi"], thresholds)
    out = performance.copy()
    out["rag"] = rated["rag"].to_numpy()
    out["rag_reason"] = rated["rag_reason"].to_numpy()
    return out


def rag_counts(performance: pd.DataFrame) -> pd.Series:
    """Number of rows (projects) at each RAG level.

    Parameters
    ----------
    performance : DataFrame
        Has a ``rag`` column.

    Returns
    -------
    Series
        Index :data:`RAG_LEVELS` (green, amber, red, grey; every level, 0 when
        absent), named ``projects``; integer counts.

    Examples
    --------
    >>> rag_counts(pd.DataFrame({"rag": ["red", "green", "red"]})).to_dict()
    {'green': 1, 'amber': 0, 'red': 2, 'grey': 0}
    """
    counts = performance["rag"].value_counts().reindex(list(RAG_LEVELS), fill_value=0)
    return counts.astype(int).rename("projects").rename_axis("rag")


# ----------------------------------------------------------------------------------------
# Planned value from the baseline
# ----------------------------------------------------------------------------------------
def cumulative_pv(tasks: pd.DataFrame, calendar: WorkCalendar, dates, *,
                  curve: str = "linear") -> np.ndarray:
    """Cumulative planned value of each task at each date (end of day), from the baseline.

    Parameters
    ----------
    tasks : DataFrame
        Columns ``budget`` [cur], ``baseline_start``, ``baseline_finish``.
    calendar : WorkCalendar
        Working days over which the budget is spread.
    dates : array-like of dates
        Dates at which to cumulate (the whole day is included).
    curve : str, keyword-only
        Shape of the spread, one of :data:`PV_CURVES`: ``"linear"`` (default), ``"front"``
        or ``"back"`` (see Notes).

    Returns
    -------
    ndarray, shape (len(tasks), len(dates))
        Planned value to date. [cur]

    Raises
    ------
    DataValidationError
        ``curve`` is not one of :data:`PV_CURVES`.

    Notes
    -----
    Let x = min(1, working days from the start to d / working days of the task) be the
    fraction of the task's baseline working days elapsed at d, start and finish included.
    PV(d) = budget × F(x) with

    - ``linear``: F(x) = x, the budget spread evenly over the working days;
    - ``front``: F(x) = 1 − (1 − x)², front-loaded (spending rate 2(1 − x), falling from
      twice the average to 0: most of the budget early, e.g. procurement up front);
    - ``back``: F(x) = x², back-loaded (rate 2x, rising: most of the budget late).

    The quadratics are the Beta(1, 2) and Beta(2, 1) distribution functions; each curve is
    monotone, starts at 0 and reaches the budget on the baseline finish. A task with no
    working day in its baseline (a milestone) earns its whole budget on its baseline finish
    date whatever the curve.
    """
    _check_choice(curve, PV_CURVES, "cumulative_pv", "curve", "PV curve")
    d = np.asarray(pd.to_datetime(np.atleast_1d(dates)), dtype="datetime64[D]")[None, :]
    start = np.asarray(tasks["baseline_start"], dtype="datetime64[D]")[:, None]
    finish = np.asarray(tasks["baseline_finish"], dtype="datetime64[D]")[:, None]
    budget = np.asarray(tasks["budget"], dtype=float)[:, None]
    cal = np.busdaycalendar(weekmask=calendar.weekmask, holidays=list(calendar.holidays))
    one = np.timedelta64(1, "D")
    # Count working days once per task start, task finish and date, from one origin; the
    # task × date matrix is then plain subtraction (busday_count(a, b) = off(b) − off(a)).
    origin = min(start.min(), d.min()) if start.size and d.size else np.datetime64("2000-01-01")

    def off(x):
        return np.busday_count(origin, x, busdaycal=cal)

    first = off(start)
    total = off(finish + one) - first
    done = np.maximum(off(d + one) - first, 0)
    frac = np.where(total > 0, done / np.maximum(total, 1), (d >= finish).astype(float))
    frac = np.clip(frac, 0.0, 1.0)
    if curve == "front":
        frac = 1.0 - (1.0 - frac) ** 2
    elif curve == "back":
        frac = frac**2
    return budget * frac


def planned_value(tasks: pd.DataFrame, calendar: WorkCalendar, freq: str = "M", *,
                  curve: str = "linear") -> pd.DataFrame:
    """Time-phased planned value: one row per task, one column per period.

    Parameters
    ----------
    tasks : DataFrame
        Columns ``id``, ``budget`` [cur], ``baseline_start``, ``baseline_finish``.
    calendar : WorkCalendar
    freq : str
        Period length: ``"M"`` (month), ``"W"`` (week) or ``"D"`` (day).
    curve : str, keyword-only
        Shape of each task's spread, one of :data:`PV_CURVES` (see :func:`cumulative_pv`);
        default ``"linear"``.

    Returns
    -------
    DataFrame
        Index task id; columns a ``PeriodIndex`` spanning the baseline; values the PV planned
        in each period [cur]. Each row sums to the task's budget.

    Raises
    ------
    DataValidationError
        Unknown ``freq`` or ``curve``.
    """
    if freq not in ("M", "W", "D"):
        raise DataValidationError(Problem("planned_value", None, None, "freq",
                                          f"unknown period {freq!r}; use M, W or D"))
    periods = pd.period_range(tasks["baseline_start"].min(), tasks["baseline_finish"].max(),
                              freq=freq, name="period")
    ends = periods.end_time.normalize()
    cum = cumulative_pv(tasks, calendar, ends, curve=curve)
    per = np.diff(cum, axis=1, prepend=0.0)
    return pd.DataFrame(per, index=pd.Index(tasks["id"], name="task_id"), columns=periods)


# ----------------------------------------------------------------------------------------
# Performance at a status date
# ----------------------------------------------------------------------------------------
def _parse_weights(text, task_id) -> np.ndarray:
    """Milestone weights ``"20/30/50"`` (or ``;``-separated) as fractions summing to 1."""
    parts = str(text).replace(";", "/").split("/")
    try:
        w = np.array([float(x) for x in parts], dtype=float)
    except ValueError:
        w = np.array([np.nan])
    if w.size == 0 or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise DataValidationError(Problem(
            "tasks", None, str(task_id), "ev_weights",
            f"{text!r} is not a list of non-negative weights like '20/30/50'"))
    return w / w.sum()


def _earned_fraction(tasks: pd.DataFrame, pct: np.ndarray, started: np.ndarray,
                     ev_method: str) -> np.ndarray:
    """Fraction of each task's budget earned under ``ev_method`` (see task_performance)."""
    if ev_method == "percent_complete":
        return pct / 100.0
    done = pct >= 100.0
    if ev_method == "0/100":
        return done.astype(float)
    if ev_method == "50/50":
        return np.where(done, 1.0, np.where(started | (pct > 0), 0.5, 0.0))
    weights = tasks["ev_weights"] if "ev_weights" in tasks else pd.Series(
        [None] * len(tasks), index=tasks.index)
    out = np.empty(len(tasks))
    for i, (text, tid, p) in enumerate(zip(weights, tasks["id"], pct, strict=True)):
        if text is None or (isinstance(text, float) and np.isnan(text)) or str(text) == "":
            out[i] = float(p >= 100.0)       # no weights: the finish is the only milestone
            continue
        w = _parse_weights(text, tid)
        steps = 100.0 * np.arange(1, w.size + 1) / w.size
        out[i] = w[p >= steps - 1e-9].sum()
    return out


def task_performance(portfolio: Portfolio, month, *,
                     ev_method: str = "percent_complete") -> pd.DataFrame:
    """PV, EV, AC and BAC of every task at ``month``'s status date.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period
        Reporting month (``'YYYY-MM'``); must have status data.
    ev_method : str, keyword-only
        How EV is measured, one of :data:`EV_METHODS` (see Notes); default
        ``"percent_complete"``.

    Returns
    -------
    DataFrame
        Index ``task_id``; columns ``project_id``, ``bac``, ``pv``, ``ev``, ``ac`` [cur],
        ``percent_complete`` [%]. Tasks without a status row have not started (EV = AC = 0).

    Raises
    ------
    DataValidationError
        Unknown ``ev_method``; a status row with an actual start or finish after the status
        date; unreadable ``ev_weights``; EV above BAC.

    Notes
    -----
    EV = BAC × earned fraction, where the fraction is, by ``ev_method``
    (PMI Standard for EVM 2019, §4 "measurement methods"):

    - ``percent_complete``: percent complete / 100;
    - ``0/100``: 0 until the task is 100 % complete, then 1;
    - ``50/50``: 0 before the start, 0.5 once started (an actual start or progress > 0),
      1 when complete;
    - ``milestone_weights``: the task column ``ev_weights`` holds weights ``w1/w2/.../wk``
      (e.g. ``"20/30/50"``, normalised to sum to 1) of k equally spaced progress milestones;
      milestone i is reached when percent complete ≥ 100·i/k and the fraction is the sum of
      the weights of the milestones reached. A task with no weights (no column, or a blank
      cell) has one milestone, its finish (as 0/100).
    """
    _check_choice(ev_method, EV_METHODS, "task_performance", "ev_method", "EV method")
    date = portfolio.status_date(month)
    tasks = portfolio.tasks
    snap = portfolio.snapshot(month).set_index("task_id")
    problems = []
    for col in ("actual_start", "actual_finish"):
        if col in snap:
            late = snap[col].notna() & (snap[col] > date)
            problems += [Problem(portfolio._file("status"), None, str(tid), col,
                                 f"{snap.at[tid, col].date()} is after the status date "
                                 f"{date.date()}") for tid in snap.index[late]]
    if problems:
        raise DataValidationError(problems)
    pct = snap["percent_complete"].reindex(tasks["id"]).fillna(0.0).to_numpy()
    ac = snap["actual_cost"].reindex(tasks["id"]).fillna(0.0).to_numpy()
    started = (snap["actual_start"].reindex(tasks["id"]).notna().to_numpy()
               if "actual_start" in snap else pct > 0)
    bac = tasks["budget"].to_numpy(dtype=float)
    ev = bac * _earned_fraction(tasks, pct, started, ev_method)
    _check_ev_within_bac(ev, bac, "task_performance")
    return pd.DataFrame({
        "project_id": tasks["project_id"].to_numpy(),
        "bac": bac,
        "pv": cumulative_pv(tasks, portfolio.calendar, [date])[:, 0],
        "ev": ev,
        "ac": ac,
        "percent_complete": pct,
    }, index=pd.Index(tasks["id"], name="task_id"))


_SUMS = ["bac", "pv", "ev", "ac"]


def _with_indicators(sums: pd.DataFrame, thresholds: RagThresholds | None) -> pd.DataFrame:
    ind = indicators(sums["pv"], sums["ev"], sums["ac"], sums["bac"])
    out = pd.concat([sums[_SUMS], ind[list(_TABLE_INDICATORS)]], axis=1)
    out["percent_complete"] = 100 * _ratio(sums["ev"], sums["bac"])
    out["percent_spent"] = 100 * _ratio(sums["ac"], sums["bac"])
    return pd.concat([out, rag_status(out["spi"], out["cpi"], thresholds)], axis=1)


def rollup(performance: pd.DataFrame, by: str | pd.Series | None = None,
           thresholds: RagThresholds | None = None) -> pd.DataFrame:
    """Roll task or project performance up to groups (or to one total row when ``by`` is None).

    PV, EV, AC and BAC are added first and the indicators computed from the sums.

    Parameters
    ----------
    performance : DataFrame
        Columns ``bac``, ``pv``, ``ev``, ``ac`` (e.g. from :func:`task_performance` or
        :func:`project_performance`).
    by : str or Series, optional
        Column (or aligned Series) to group by; None gives a single row labelled ``"Total"``.

    Returns
    -------
    DataFrame
        ``bac``, ``pv``, ``ev``, ``ac``, the :data:`INDICATORS` up to ``tcpi`` (the table
        columns of version 1; :func:`indicators` gives ``tcpi_eac`` and other EAC methods),
        ``percent_complete``, ``percent_spent``, ``rag``, ``rag_reason``.
    """
    if by is None:
        sums = performance[_SUMS].sum().to_frame("Total").T
    else:
        sums = performance[_SUMS].groupby(performance[by] if isinstance(by, str) else by).sum()
    return _with_indicators(sums, thresholds)


def project_performance(portfolio: Portfolio, month,
                        thresholds: RagThresholds | None = None, *,
                        ev_method: str = "percent_complete") -> pd.DataFrame:
    """EVM indicators and RAG of every project at ``month``'s status date.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period
        Reporting month (``'YYYY-MM'``); must have status data.
    thresholds : RagThresholds, optional
    ev_method : str, keyword-only
        One of :data:`EV_METHODS` (see :func:`task_performance`); default
        ``"percent_complete"``.

    Returns
    -------
    DataFrame
        Index ``project_id``; columns ``name``, ``programme``, ``manager``, ``bac``, ``pv``,
        ``ev``, ``ac``, ``sv``, ``cv``, ``spi``, ``cpi``, ``eac``, ``etc``, ``vac``, ``tcpi``,
        ``percent_complete``, ``percent_spent``, ``rag``, ``rag_reason``.

    Examples
    --------
    >>> from pmo_lib import load_portfolio, SAMPLE_DATA
    >>> perf = project_performance(load_portfolio(SAMPLE_DATA), "2026-10")
    >>> bool(perf["rag"].isin(RAG_LEVELS).all())
    True
    """
    tasks = task_performance(portfolio, month, ev_method=ev_method)
    perf = rollup(tasks, "project_id", thresholds)
    info = portfolio.projects.set_index("id")[["name", "programme", "manager"]]
    perf = info.join(perf, how="left")
    perf[_SUMS] = perf[_SUMS].fillna(0.0)
    perf.index.name = "project_id"
    return perf


def s_curve(portfolio: Portfolio, through=None) -> pd.DataFrame:
    """Cumulative PV, EV and AC by month: the S-curve of the portfolio (or of a selection).

    Parameters
    ----------
    portfolio : Portfolio
        Use ``portfolio.select(ids)`` for a project or programme.
    through : str or Period, optional
        Last month with measured EV and AC (default: the latest status month).

    Returns
    -------
    DataFrame
        Index ``month`` (PeriodIndex, from the first baseline start to the last baseline
        finish or ``through``, whichever is later); columns ``pv`` (baseline, every month),
        ``ev`` and ``ac`` (at each status date up to ``through``; NaN after it and in months
        without a snapshot, since they are not measured there). [cur]

    Notes
    -----
    PV of a month is cumulated to its status date when the month has a snapshot (so it matches
    :func:`project_performance`), else to the month's last day.
    """
    through = portfolio.latest_month if through is None else parse_month(through)
    portfolio.status_date(through)  # raises a clear error when the month has no status
    tasks = portfolio.tasks
    months = pd.period_range(tasks["baseline_start"].min().to_period("M"),
                             max(tasks["baseline_finish"].max().to_period("M"), through),
                             freq="M", name="month")
    status_dates = pd.Series(portfolio.status_dates, index=portfolio.months)
    cut = pd.Series(months.end_time.normalize(), index=months)
    cut.update(status_dates)
    pv = cumulative_pv(tasks, portfolio.calendar, cut.to_numpy()).sum(axis=0)
    measured = portfolio.status.assign(month=portfolio.status["status_date"].dt.to_period("M"))
    measured = measured[measured["month"] <= through]
    budget = tasks.set_index("id")["budget"]
    measured = measured.assign(ev=measured["percent_complete"] / 100.0
                               * measured["task_id"].map(budget))
    by_month = measured.groupby("month")[["ev", "actual_cost"]].sum()
    by_month = by_month.rename(columns={"actual_cost": "ac"})
    # A month with a snapshot but no started task of this selection has EV = AC = 0.
    snap_months = portfolio.months[portfolio.months <= through]
    by_month = by_month.reindex(snap_months, fill_value=0.0)
    out = pd.DataFrame({"pv": pv}, index=months)
    return out.join(by_month.reindex(months))


# ----------------------------------------------------------------------------------------
# Data checks across snapshots
# ----------------------------------------------------------------------------------------
def check_progress(portfolio: Portfolio, tolerance: float = 0.0) -> None:
    """Check that no task's percent complete goes backwards between consecutive snapshots.

    Parameters
    ----------
    portfolio : Portfolio
    tolerance : float
        Largest drop accepted between two consecutive snapshots of a task (re-estimates of
        in-flight work). [percentage points]

    Raises
    ------
    DataValidationError
        One problem per drop larger than ``tolerance``, naming the task, both status dates
        and both values.

    Examples
    --------
    >>> from pmo_lib import load_portfolio, SAMPLE_DATA
    >>> check_progress(load_portfolio(SAMPLE_DATA), tolerance=0.5)
    """
    status = portfolio.status.sort_values(["task_id", "status_date"], kind="stable")
    previous = status.groupby("task_id")["percent_complete"].shift()
    before = status.groupby("task_id")["status_date"].shift()
    drop = previous - status["percent_complete"]
    bad = drop > tolerance
    problems = [Problem(portfolio._file("status"), None, str(row.task_id), "percent_complete",
                        f"{row.percent_complete:g} % on {row.status_date.date()} is below "
                        f"{previous[i]:g} % on {before[i].date()} (a drop of {drop[i]:g} "
                        f"points, more than the tolerance {tolerance:g})")
                for i, row in status[bad].iterrows()]
    if problems:
        raise DataValidationError(problems)


# ----------------------------------------------------------------------------------------
# Earned schedule (Lipke 2003)
# ----------------------------------------------------------------------------------------
_ES_COLUMNS = ("es", "at", "sv_t", "spi_t", "tspi", "ieac_t")


def earned_schedule(pv_cumulative, ev, at=None):
    """Earned schedule and its time-based indicators (Lipke 2003).

    Parameters
    ----------
    pv_cumulative : array-like or Series
        Cumulative planned value at the end of periods 1, 2, ..., n (non-decreasing; the last
        value is BAC). [cur]
    ev : float, array-like or Series
        Cumulative earned value at the actual time [cur]: one value, or one per period
        1, 2, ... (a project's history).
    at : float or array-like, optional
        Actual time [periods]. Required for a scalar ``ev``; for an array it defaults to
        1, 2, ..., len(ev).

    Returns
    -------
    dict or DataFrame
        ``es`` [periods], ``at`` [periods], ``sv_t`` [periods], ``spi_t`` [ratio], ``tspi``
        [ratio], ``ieac_t`` [periods]: a dict of floats for a scalar ``ev``, else a DataFrame
        with one row per value of ``ev`` (the index of ``ev`` when it is a Series, else
        ``at``).

    Raises
    ------
    DataValidationError
        PV decreasing or negative, EV negative or above BAC, no ``at`` for a scalar ``ev``,
        ``at`` and ``ev`` of different lengths.

    Notes
    -----
    PD, the planned duration, is the first period where the cumulative PV reaches BAC. With
    C the number of whole periods up to PD whose PV ≤ EV,

    ES = C + (EV − PV_C) / (PV_{C+1} − PV_C) (PV_0 = 0), capped at PD;
    SV(t) = ES − AT; SPI(t) = ES / AT; TSPI = (PD − ES) / (PD − AT);
    IEAC(t) = PD / SPI(t).

    The cap matters when PV is flat at the end: EV = BAC after the planned finish means
    ES = PD, not the count of periods with PV ≤ EV. Unlike SPI, which returns to 1 when a
    late project finishes, SPI(t) keeps the delay (castor00 example: AT = 13, PD = 9,
    SPI = 1, SPI(t) = 9 / 13 = 0.692). Undefined values are NaN, never ±inf: SPI(t) and
    IEAC(t) when AT ≤ 0 (status date before the start) or ES = 0; TSPI when AT ≥ PD (the
    planned duration is used up; Lipke then replaces PD by an estimate); everything when
    BAC = 0 or EV is NaN.

    References
    ----------
    W. Lipke, "Schedule is different", *The Measurable News*, March 2003, pp. 31–34.
    Project Management Institute, *The Standard for Earned Value Management*, 2019, annex
    on earned schedule.

    Examples
    --------
    >>> r = earned_schedule([10.0, 30.0, 60.0, 100.0], ev=45.0, at=3)
    >>> r["es"], r["sv_t"], round(r["spi_t"], 3), round(r["ieac_t"], 3)
    (2.5, -0.5, 0.833, 4.8)
    """
    pv = np.asarray(pv_cumulative, dtype=float).ravel()
    if pv.size == 0 or np.any(~np.isfinite(pv)) or np.any(pv < 0) or np.any(np.diff(pv) < 0):
        raise DataValidationError(Problem(
            "earned_schedule", None, None, "pv_cumulative",
            "must be a non-empty, finite, non-negative and non-decreasing cumulative PV"))
    scalar = np.ndim(ev) == 0
    index = ev.index if isinstance(ev, pd.Series) else None
    e = np.atleast_1d(np.asarray(ev, dtype=float))
    if at is None:
        if scalar:
            raise DataValidationError(Problem(
                "earned_schedule", None, None, "at",
                "give the actual time at=... [periods] for a single EV"))
        t = np.arange(1, e.size + 1, dtype=float)
    else:
        t = np.atleast_1d(np.asarray(at, dtype=float))
        if t.size != e.size:
            raise DataValidationError(Problem(
                "earned_schedule", None, None, "at",
                f"has {t.size} values for {e.size} EV values"))
    bac = pv[-1]
    if np.any(e < 0):
        raise DataValidationError(Problem("earned_schedule", None, None, "ev",
                                          "earned value cannot be negative"))
    _check_ev_within_bac(e, np.asarray(bac), "earned_schedule")
    tol = _RTOL * max(abs(bac), 1.0)
    pd_ = int(np.argmax(pv >= bac - tol)) + 1              # first period where PV reaches BAC
    curve = np.concatenate([[0.0], pv[:pd_]])              # PV_0 .. PV_PD
    finite = np.isfinite(e)
    c = np.searchsorted(curve[1:], np.where(finite, e, 0.0), side="right")  # periods PV ≤ EV
    c_in = np.minimum(c, pd_ - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        step = curve[c_in + 1] - curve[c_in]
        es = np.where(c >= pd_, float(pd_),
                      c + np.where(step > 0, (e - curve[c_in]) / np.where(step > 0, step, 1), 0))
    es = np.where(finite & (bac > 0), np.minimum(es, pd_), np.nan)
    spi_t = _ratio(es, np.where(t > 0, t, np.nan))
    out = {
        "es": es + 0.0,
        "at": t + 0.0,
        "sv_t": es - t,
        "spi_t": spi_t,
        "tspi": _ratio(pd_ - es, np.where(t < pd_, pd_ - t, np.nan)),
        "ieac_t": _ratio(np.full_like(es, pd_), np.where(spi_t > 0, spi_t, np.nan)),
    }
    if scalar:
        return {k: float(v[0]) for k, v in out.items()}
    if index is None:
        index = pd.Index(t, name="at")
    return pd.DataFrame(out, index=index)


def _months_to_date(first: pd.Period, x: float) -> pd.Timestamp:
    """The date ``x`` months after the start of ``first`` (x = 1 is the end of ``first``)."""
    if not np.isfinite(x):
        return pd.NaT
    k = int(np.floor(x))
    frac = x - k
    if frac < 1e-9:
        return (first + k - 1).end_time.normalize()
    month = first + k
    return month.start_time.normalize() + pd.Timedelta(
        days=int(np.ceil(frac * month.days_in_month - 1e-9)) - 1)


def project_earned_schedule(portfolio: Portfolio, month, *,
                            ev_method: str = "percent_complete") -> pd.DataFrame:
    """Earned schedule of every project at ``month``'s status date, in months.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period
        Reporting month (``'YYYY-MM'``); must have status data.
    ev_method : str, keyword-only
        One of :data:`EV_METHODS` (see :func:`task_performance`).

    Returns
    -------
    DataFrame
        Index ``project_id``; columns ``es``, ``at``, ``sv_t``, ``ieac_t`` [months],
        ``spi_t`` [ratio] and ``forecast_finish`` (date: the project's first baseline month
        plus IEAC(t); NaT when IEAC(t) is undefined).

    Notes
    -----
    Period 1 is the calendar month of the project's earliest baseline start; the cumulative
    PV of each month comes from :func:`planned_value` (monthly, linear) and EV is measured at
    the status date (:func:`task_performance`). AT counts the whole months before the status
    month plus the fraction of the status month elapsed (status day / days in the month), so
    a status date on a month end gives a whole number. A status date before the project's
    baseline start, or a project with no task or no budget, gives NaN everywhere (NaT
    forecast): nothing is measurable yet.

    References
    ----------
    W. Lipke, "Schedule is different", *The Measurable News*, March 2003, pp. 31–34.

    Examples
    --------
    >>> from pmo_lib import load_portfolio, SAMPLE_DATA
    >>> es = project_earned_schedule(load_portfolio(SAMPLE_DATA), "2026-10")
    >>> list(es.columns)
    ['es', 'at', 'sv_t', 'spi_t', 'ieac_t', 'forecast_finish']
    """
    date = portfolio.status_date(month)
    status_month = date.to_period("M")
    perf = task_performance(portfolio, month, ev_method=ev_method)
    tasks = portfolio.tasks
    rows = {}
    for pid in portfolio.projects["id"]:
        mine = tasks[tasks["project_id"] == pid]
        nan = dict.fromkeys(("es", "at", "sv_t", "spi_t", "ieac_t"), np.nan)
        if mine.empty or mine["budget"].sum() <= 0 or date < mine["baseline_start"].min():
            rows[pid] = {**nan, "forecast_finish": pd.NaT}
            continue
        pv = planned_value(mine, portfolio.calendar, "M").sum(axis=0).cumsum().to_numpy()
        first = mine["baseline_start"].min().to_period("M")
        at = (status_month - first).n + date.day / date.days_in_month
        ev = min(float(perf.loc[perf["project_id"] == pid, "ev"].sum()), float(pv[-1]))
        r = earned_schedule(pv, ev, at=at)
        rows[pid] = {k: r[k] for k in ("es", "at", "sv_t", "spi_t", "ieac_t")}
        rows[pid]["forecast_finish"] = _months_to_date(first, r["ieac_t"])
    out = pd.DataFrame.from_dict(rows, orient="index")
    out["forecast_finish"] = pd.to_datetime(out["forecast_finish"])
    out.index.name = "project_id"
    return out
