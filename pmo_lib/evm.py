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

from dataclasses import dataclass, replace

import numba
import numpy as np
import pandas as pd

from ._util import check_choice as _check_choice
from ._util import ratio as _ratio
from .calendar import WorkCalendar
from .errors import DataValidationError, MissingDataError, Problem
from .model import Portfolio, parse_month

__all__ = [
    "EAC_METHODS",
    "EV_METHODS",
    "FORECAST_KEYS",
    "GLOSSARY",
    "INDICATORS",
    "LEVELS",
    "PV_CURVES",
    "RAG_COLOURS",
    "RAG_LEVELS",
    "SCHEDULE_INDICES",
    "RagThresholds",
    "apply_thresholds",
    "assignment_budget",
    "check_progress",
    "cumulative_pv",
    "cumulative_pv_by",
    "eac_range",
    "earned_schedule",
    "earned_schedule_by",
    "forecast",
    "indicator_history",
    "indicators",
    "performance_table",
    "period_indicators",
    "planned_value",
    "project_earned_schedule",
    "project_forecast_range",
    "project_performance",
    "rag_counts",
    "rag_status",
    "rate",
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
    "eac_pNN": "NN-th percentile of the EAC by bootstrap of the periodic CPI (eac_range)",
    "finish_pNN": "NN-th percentile of the finish by bootstrap of the periodic SPI(t)",
    "rag": "Red / amber / green status (grey: not measurable yet)",
}

#: RAG levels from best to worst; ``grey`` = not measurable yet.
RAG_LEVELS = ("green", "amber", "red", "grey")

#: Schedule indices the RAG status can rate (:attr:`RagThresholds.schedule_index`).
SCHEDULE_INDICES = ("spi", "spi_t")
#: Colours used for RAG in tables and charts (colour-blind-safe enough with the text label).
RAG_COLOURS = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828", "grey": "#9e9e9e"}


@dataclass(frozen=True)
class RagThresholds:
    """Thresholds on SPI (or SPI(t)), CPI and VAC / BAC for the RAG status.

    An index at or above ``green`` is green, at or above ``amber`` amber, below that red; the
    status of a project is the worse of its SPI and CPI statuses. The defaults (0.95 and 0.90)
    are the bands most PMOs and the US DoD EVM guides use for "watch" and "act".

    ``vac_amber`` and ``vac_red`` rate the variance at completion as a fraction of BAC, used
    only when :func:`rag_status` is given ``vac`` and ``bac``: VAC / BAC at or above
    ``vac_amber`` is green, at or above ``vac_red`` amber, below that red. The defaults,
    −0.05 and −0.10 (a forecast overrun of 5 % and 10 % of the budget), mirror the 0.95 and
    0.90 index bands. [fraction of BAC]

    ``schedule_index`` and ``rate_vac`` say what :func:`rate` (and so
    :func:`project_performance`, :func:`rollup` and :func:`performance_table`) rates:
    ``schedule_index="spi"`` (default) rates SPI, ``"spi_t"`` rates SPI(t) of earned schedule
    instead, which does not drift back to 1 as a late project nears its end (the report's
    choice); ``rate_vac=True`` adds VAC / BAC as a third measure. The defaults reproduce the
    version 1 status (SPI and CPI).
    """

    green: float = 0.95
    amber: float = 0.90
    vac_amber: float = -0.05
    vac_red: float = -0.10
    schedule_index: str = "spi"
    rate_vac: bool = False

    def __post_init__(self):
        if self.schedule_index not in SCHEDULE_INDICES:
            raise DataValidationError(Problem(
                "RAG thresholds", None, None, "schedule_index",
                f"unknown schedule index {self.schedule_index!r}; use one of "
                f"{', '.join(map(repr, SCHEDULE_INDICES))}"))
        if not (0 < self.amber <= self.green):
            raise DataValidationError(Problem(
                "RAG thresholds", None, None, None,
                f"need 0 < amber <= green, got amber={self.amber}, green={self.green}"))
        if not (np.isfinite(self.vac_red) and self.vac_red <= self.vac_amber <= 0):
            raise DataValidationError(Problem(
                "RAG thresholds", None, None, None,
                f"need vac_red <= vac_amber <= 0 (fractions of BAC), got "
                f"vac_red={self.vac_red}, vac_amber={self.vac_amber}"))


# ----------------------------------------------------------------------------------------
# Indicators
# ----------------------------------------------------------------------------------------
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


def rag_status(spi, cpi, thresholds: RagThresholds | None = None, *, spi_t=None, vac=None,
               bac=None) -> pd.DataFrame:
    """RAG status and its reason from SPI (or SPI(t)), CPI and optionally VAC / BAC.

    Parameters
    ----------
    spi, cpi : array-like or Series
        Schedule and cost performance indices.
    thresholds : RagThresholds, optional
        Defaults to ``RagThresholds()`` (green ≥ 0.95, amber ≥ 0.90; VAC / BAC green ≥ −0.05,
        amber ≥ −0.10).
    spi_t : array-like or Series, keyword-only, optional
        SPI(t) of earned schedule; when given it is rated in place of ``spi`` (which is then
        ignored), with the same ``green`` and ``amber`` thresholds.
    vac, bac : array-like or Series, keyword-only, optional
        Variance at completion and budget at completion [cur]; when both are given VAC / BAC
        is rated as a third measure against ``vac_amber`` and ``vac_red``.

    Returns
    -------
    DataFrame
        ``rag`` (one of :data:`RAG_LEVELS`) and ``rag_reason`` (text naming each failing
        measure, ``SPI`` or ``SPI(t)``, ``CPI``, ``VAC/BAC``; empty when green).

    Raises
    ------
    DataValidationError
        Only one of ``vac`` and ``bac`` is given.

    Notes
    -----
    The status is the worst band of the measures rated. A measure that cannot be computed
    (NaN: no PV, AC or BAC yet) does not count against the project; when none can, the
    status is ``grey``. Without ``spi_t``, ``vac`` and ``bac`` the result is that of version 1.

    Examples
    --------
    >>> rag_status([1.0, 0.93, 0.8], [1.0, 1.0, 0.97])["rag"].tolist()
    ['green', 'amber', 'red']
    >>> r = rag_status([1.0], [1.0], spi_t=[0.92], vac=[-80.0], bac=[1000.0])
    >>> r.at[0, "rag"], r.at[0, "rag_reason"]
    ('amber', 'SPI(t) 0.92 below 0.95; VAC/BAC -8.0% below -5.0%')
    """
    t = thresholds or RagThresholds()
    index = spi.index if isinstance(spi, pd.Series) else None
    if (vac is None) != (bac is None):
        raise DataValidationError(Problem(
            "rag_status", None, None, "vac" if vac is None else "bac",
            "rating VAC needs both vac=... and bac=... (VAC is rated as a fraction of BAC)"))
    s, c = np.atleast_1d(np.asarray(spi, float)), np.atleast_1d(np.asarray(cpi, float))
    schedule_name = "SPI"
    if spi_t is not None:
        s = np.broadcast_to(np.atleast_1d(np.asarray(spi_t, float)), c.shape)
        schedule_name = "SPI(t)"
    level = np.array(["green", "amber", "red"])

    def band(x, green, amber):  # a measure that is NaN does not count against the project
        return np.where(np.isnan(x) | (x >= green), 0, np.where(x >= amber, 1, 2))

    measures = [(schedule_name, s, band(s, t.green, t.amber), t.green, t.amber, "{:.2f}"),
                ("CPI", c, band(c, t.green, t.amber), t.green, t.amber, "{:.2f}")]
    if vac is not None:
        f = np.broadcast_to(np.atleast_1d(_ratio(vac, bac)), c.shape)
        measures.append(("VAC/BAC", f, band(f, t.vac_amber, t.vac_red), t.vac_amber,
                         t.vac_red, "{:.1%}"))
    worst = np.maximum.reduce([m[2] for m in measures])
    grey = np.logical_and.reduce([np.isnan(m[1]) for m in measures])
    rag = np.where(grey, "grey", level[worst]).astype(object)
    reasons = []
    for i, r in enumerate(rag):
        if r == "grey":
            reasons.append("not measurable yet: no planned value or cost to date")
            continue
        parts = []
        for name, values, bands, first, second, fmt in measures:
            v, b = values[i], bands[i]
            if np.isnan(v) or b == 0:
                continue
            limit = first if b == 1 else second
            shown = fmt.format(v)
            if shown == fmt.format(limit):  # 0.949 is "0.95": show the digit that fails
                shown = fmt.replace("2f", "3f").replace(".1%", ".2%").format(v)
            parts.append(f"{name} {shown} below {fmt.format(limit)}")
        reasons.append("; ".join(parts))
    return pd.DataFrame({"rag": rag, "rag_reason": reasons}, index=index)


def rate(performance: pd.DataFrame, thresholds: RagThresholds | None = None) -> pd.DataFrame:
    """RAG status and reason of each row of a performance table, as ``thresholds`` say.

    Rates ``spi`` (or ``spi_t`` when ``thresholds.schedule_index == "spi_t"``), ``cpi`` and,
    when ``thresholds.rate_vac``, ``vac`` / ``bac`` with :func:`rag_status`. VAC is not
    rated on a row with no work and no cost yet (EV = AC = 0: EAC is BAC by convention, not
    a forecast), so such a row stays grey.

    Parameters
    ----------
    performance : DataFrame
        Columns ``cpi`` and ``spi`` or ``spi_t``; ``vac`` and ``bac`` when VAC is rated.
    thresholds : RagThresholds, optional
        Defaults to ``RagThresholds()`` (SPI and CPI; green ≥ 0.95, amber ≥ 0.90).

    Returns
    -------
    DataFrame
        ``rag`` and ``rag_reason``, with ``performance``'s index.

    Raises
    ------
    MissingDataError
        A column the thresholds rate is missing (SPI(t) needs earned schedule: use
        :func:`performance_table` or join :func:`project_earned_schedule`).
    """
    t = thresholds or RagThresholds()
    need = [t.schedule_index, "cpi"] + (["vac", "bac"] if t.rate_vac else [])
    missing = [c for c in need if c not in performance.columns]
    if missing:
        hint = (" (SPI(t) comes from earned schedule: use evm.performance_table or join "
                "evm.project_earned_schedule)" if "spi_t" in missing else "")
        raise MissingDataError(Problem("rate", None, None, missing[0],
                                       f"no column {missing[0]!r} to rate{hint}"))
    kw = {}
    if t.schedule_index == "spi_t":
        kw["spi_t"] = performance["spi_t"].to_numpy(dtype=float)
    if t.rate_vac:
        vac = performance["vac"].to_numpy(dtype=float)
        if {"ev", "ac"} <= set(performance.columns):  # before any work or cost EAC is BAC
            idle = (performance["ev"].to_numpy(dtype=float) == 0) & \
                (performance["ac"].to_numpy(dtype=float) == 0)      # by convention: not rated
            vac = np.where(idle, np.nan, vac)
        kw |= {"vac": vac, "bac": performance["bac"].to_numpy(dtype=float)}
    spi = performance["spi"] if "spi" in performance.columns else performance["cpi"] * np.nan
    out = rag_status(spi.to_numpy(dtype=float), performance["cpi"].to_numpy(dtype=float), t,
                     **kw)
    out.index = performance.index
    return out


def apply_thresholds(performance: pd.DataFrame,
                     thresholds: RagThresholds | None = None) -> pd.DataFrame:
    """Rate the RAG status of a performance table again with other thresholds.

    Only ``rag`` and ``rag_reason`` change; the EVM figures do not depend on the thresholds,
    so a panel computes :func:`project_performance` once per month and calls this
    function each time a slider moves.

    Parameters
    ----------
    performance : DataFrame
        Has ``spi`` and ``cpi`` columns, e.g. :func:`project_performance` (and ``spi_t``,
        ``vac``, ``bac`` when ``thresholds`` rate them, see :func:`rate`).
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
    rated = rate(performance, thresholds)
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


def _working_day_counts(calendar: WorkCalendar, start, finish, dates):
    """Working days from a common origin: to each start, to the day after each finish and to
    the day after each date (so ``b − a`` counts the working days of ``[a, b]``).

    Counted once per calendar day of the span (a lookup table indexed by day number) when
    the span is short next to the number of dates asked, else by ``np.busday_count``."""
    cal = np.busdaycalendar(weekmask=calendar.weekmask, holidays=list(calendar.holidays))
    one = np.timedelta64(1, "D")
    if not (start.size and dates.size):
        origin = np.datetime64("2000-01-01", "D")
        last = origin
    else:
        origin = min(start.min(), dates.min())
        last = max(finish.max(), dates.max()) + one
    span = int((last - origin) // one) + 1
    if span <= 4 * (start.size + finish.size + dates.size) + 1000:
        table = np.busday_count(origin, origin + np.arange(span), busdaycal=cal)

        def off(x):
            return table[(x - origin).astype(np.int64)]
    else:
        def off(x):
            return np.busday_count(origin, x, busdaycal=cal)

    return off(start), off(finish + one), off(dates + one)


def _group_codes(tasks: pd.DataFrame, by, function: str) -> tuple[np.ndarray, pd.Index]:
    """Integer group codes (sorted labels) of ``tasks`` grouped by a column or aligned array."""
    if isinstance(by, str):
        if by not in tasks.columns:
            raise DataValidationError(Problem(function, None, None, by,
                                              f"no column {by!r} to group the tasks by"))
        labels, name = tasks[by], by
    else:
        labels = pd.Series(np.asarray(by))
        name = getattr(by, "name", None) or "group"
        if len(labels) != len(tasks):
            raise DataValidationError(Problem(
                function, None, None, "by",
                f"{len(labels)} group labels for {len(tasks)} tasks; give one per task"))
    if labels.isna().any():
        row = int(np.flatnonzero(labels.isna().to_numpy())[0])
        raise DataValidationError(Problem(function, None, None, name,
                                          f"task at position {row} has no {name}"))
    codes, uniques = pd.factorize(labels, sort=True)
    return codes.astype(np.int64), pd.Index(uniques, name=name)


def cumulative_pv_by(tasks: pd.DataFrame, calendar: WorkCalendar, dates, by="project_id", *,
                     curve: str = "linear") -> pd.DataFrame:
    """Cumulative planned value of each group of tasks (project, programme, ...) at each date.

    The same values as ``cumulative_pv(tasks, ...)`` summed over each group's rows, computed
    without the task × date matrix: each task's PV is a polynomial in the working-day count
    between its start and its finish and constant (its budget) after, so the groups' sums
    are accumulated from two events per task (start, finish) over the sorted dates. Time and
    memory grow with tasks + groups × dates, not tasks × dates.

    Parameters
    ----------
    tasks : DataFrame
        Columns ``budget`` [cur], ``baseline_start``, ``baseline_finish`` and the ``by``
        column when ``by`` names one.
    calendar : WorkCalendar
    dates : array-like of dates
        Dates at which to cumulate (the whole day is included), in any order.
    by : str or array-like
        Column of ``tasks`` to group by (default ``"project_id"``) or one label per task.
    curve : str, keyword-only
        One of :data:`PV_CURVES` (see :func:`cumulative_pv`).

    Returns
    -------
    DataFrame
        Index the sorted group labels; columns the dates (a DatetimeIndex named ``date``, in
        the order given); values the cumulative PV [cur].

    Raises
    ------
    DataValidationError
        Unknown ``curve``; ``by`` names no column, has the wrong length or a missing label.

    Examples
    --------
    >>> cal = WorkCalendar()
    >>> t = pd.DataFrame({"project_id": ["A", "A", "B"], "budget": [100.0, 50.0, 30.0],
    ...                   "baseline_start": pd.to_datetime(["2026-03-02"] * 3),
    ...                   "baseline_finish": pd.to_datetime(["2026-03-06", "2026-03-03",
    ...                                                      "2026-03-02"])})
    >>> cumulative_pv_by(t, cal, ["2026-03-02", "2026-03-03", "2026-03-31"])
    date        2026-03-02  2026-03-03  2026-03-31
    project_id
    A                 45.0        90.0       150.0
    B                 30.0        30.0        30.0
    """
    _check_choice(curve, PV_CURVES, "cumulative_pv_by", "curve", "PV curve")
    codes, groups = _group_codes(tasks, by, "cumulative_pv_by")
    when = pd.DatetimeIndex(pd.to_datetime(np.atleast_1d(dates)), name="date")
    pv = _pv_by_codes(tasks, calendar, when, codes, len(groups), curve)
    return pd.DataFrame(pv, index=groups, columns=when)


_CURVE_CODES = {name: k for k, name in enumerate(PV_CURVES)}


@numba.njit(cache=True)
def _pv_kernel(codes, budget, s, e, on, done, curve, n_groups, cq):  # pragma: no cover
    """Cumulative PV per group at the sorted date counts ``cq`` (see :func:`cumulative_pv_by`).

    Each task adds its budget from date index ``done`` on and, while active (``on`` to
    ``done``), its PV written as c0 + c1·c + c2·c² in the working-day count c."""
    m = cq.size
    acc = np.zeros((n_groups, m + 1, 4))
    for i in range(codes.size):
        g, b = codes[i], budget[i]
        acc[g, done[i], 3] += b
        length = e[i] - s[i]
        if length <= 0 or on[i] >= done[i]:
            continue
        t, x = float(length), float(s[i])
        if curve == 0:                              # linear: B (c − s) / T
            c0, c1, c2 = -b * x / t, b / t, 0.0
        elif curve == 1:                            # front: B [2(c − s)/T − (c − s)²/T²]
            c0 = b * (-2.0 * x / t - x * x / (t * t))
            c1 = b * (2.0 / t + 2.0 * x / (t * t))
            c2 = -b / (t * t)
        else:                                       # back: B (c − s)² / T²
            c0, c1, c2 = b * x * x / (t * t), -2.0 * b * x / (t * t), b / (t * t)
        acc[g, on[i], 0] += c0
        acc[g, on[i], 1] += c1
        acc[g, on[i], 2] += c2
        acc[g, done[i], 0] -= c0
        acc[g, done[i], 1] -= c1
        acc[g, done[i], 2] -= c2
    out = np.empty((n_groups, m))
    for g in range(n_groups):
        r0 = r1 = r2 = flat = 0.0
        for j in range(m):
            r0 += acc[g, j, 0]
            r1 += acc[g, j, 1]
            r2 += acc[g, j, 2]
            flat += acc[g, j, 3]
            c = float(cq[j])
            out[g, j] = flat + r0 + (r1 + r2 * c) * c
    return out


def _pv_by_codes(tasks: pd.DataFrame, calendar: WorkCalendar, when: pd.DatetimeIndex,
                 codes: np.ndarray, n_groups: int, curve: str) -> np.ndarray:
    """Cumulative PV, shape (n_groups, len(when)), of the tasks grouped by ``codes``."""
    d = np.asarray(when, dtype="datetime64[D]")
    order = np.argsort(d, kind="stable")
    start = np.asarray(tasks["baseline_start"], dtype="datetime64[D]")
    finish = np.asarray(tasks["baseline_finish"], dtype="datetime64[D]")
    budget = np.asarray(tasks["budget"], dtype=float)
    s, e, cq = _working_day_counts(calendar, start, finish, d[order])
    # A task is active at the dates with s < cq < e and done from the first date with cq >= e
    # (indices by a lookup over the counts, which are small integers); a milestone (no
    # working day) is done from the first date on or after its finish.
    first_above = np.searchsorted(cq, np.arange(max(int(e.max(initial=0)), 0) + 2),
                                  side="right")
    first_at = np.concatenate([[0], first_above[:-1]])
    on, done = first_above[s], first_at[e]
    milestone = e <= s
    if milestone.any():
        done[milestone] = np.searchsorted(d[order], finish[milestone], side="left")
    pv = _pv_kernel(codes, budget, s, e, on, done, _CURVE_CODES[curve], n_groups, cq)
    out = np.empty_like(pv)
    out[:, order] = pv
    return out


@numba.njit(cache=True, parallel=True)
def _progress_sums(codes, budget, pct, cost, n_groups, n_parts):  # pragma: no cover
    """EV (budget × % / 100) and AC summed per group and date in one pass over the rows,
    split into ``n_parts`` row ranges summed in parallel (memory bandwidth bound).

    Returns ``(ev, ac, bad_row, bad_col, what)``; ``what`` is 0 when every value is valid,
    else 1 (% complete outside 0–100 or missing) or 2 (actual cost negative or missing) at
    the first bad cell."""
    n, m = pct.shape
    ev = np.zeros((n_parts, n_groups, m))
    ac = np.zeros((n_parts, n_groups, m))
    bad = np.full((n_parts, 3), -1)
    for part in numba.prange(n_parts):
        for i in range(n * part // n_parts, n * (part + 1) // n_parts):
            g = codes[i]
            w = budget[i] / 100.0
            for j in range(m):
                p = pct[i, j]
                c = cost[i, j]
                if not (p >= 0.0 and p <= 100.0):
                    bad[part, 0], bad[part, 1], bad[part, 2] = i, j, 1
                    break
                if not c >= 0.0:
                    bad[part, 0], bad[part, 1], bad[part, 2] = i, j, 2
                    break
                ev[part, g, j] += w * p
                ac[part, g, j] += c
            if bad[part, 2] >= 0:
                break
    for part in range(n_parts):
        if bad[part, 2] >= 0:
            return ev[0], ac[0], bad[part, 0], bad[part, 1], bad[part, 2]
    return ev.sum(axis=0), ac.sum(axis=0), -1, -1, 0


def period_indicators(tasks: pd.DataFrame, calendar: WorkCalendar, dates, percent_complete,
                      actual_cost, *, by="project_id", curve: str = "linear",
                      method: str = "cpi") -> pd.DataFrame:
    """The full indicator set of every group (project, programme, ...) at every date.

    Vectorised over tasks, groups and dates: PV from :func:`cumulative_pv_by` (no task × date
    matrix), EV and AC summed per group and date in one compiled pass over the progress
    matrices, then :func:`indicators` once on all (group, date) pairs. Roll-ups add PV, EV,
    AC and BAC first.

    Parameters
    ----------
    tasks : DataFrame
        Columns ``budget`` [cur], ``baseline_start``, ``baseline_finish`` and ``by``.
    calendar : WorkCalendar
    dates : array-like of dates
        Status dates (period ends), one per column of the progress matrices.
    percent_complete, actual_cost : array-like, shape (len(tasks), len(dates))
        Each task's cumulative percent complete [0–100] and actual cost [cur] at each date.
    by : str or array-like, keyword-only
        Column to group by (default ``"project_id"``) or one label per task.
    curve, method : str, keyword-only
        PV curve (:data:`PV_CURVES`) and EAC method (:data:`EAC_METHODS`, not ``new_etc``).

    Returns
    -------
    DataFrame
        MultiIndex (group label, ``date``), one row per group and date, group-major;
        columns ``bac``, ``pv``, ``ev``, ``ac`` [cur] and the :data:`INDICATORS`.

    Raises
    ------
    DataValidationError
        A progress matrix of the wrong shape; a percent complete outside 0–100 or missing, or
        a negative or missing actual cost (the message names the task's position and the
        date); the errors of :func:`cumulative_pv_by` and :func:`indicators`.

    Examples
    --------
    >>> t = pd.DataFrame({"project_id": ["A", "A"], "budget": [100.0, 300.0],
    ...                   "baseline_start": pd.to_datetime(["2026-01-05", "2026-01-05"]),
    ...                   "baseline_finish": pd.to_datetime(["2026-01-30", "2026-02-27"])})
    >>> out = period_indicators(t, WorkCalendar(), ["2026-01-30", "2026-02-27"],
    ...                         [[100, 100], [25, 80]], [[120, 120], [90, 250]])
    >>> out[["pv", "ev", "ac", "spi", "cpi"]].round(3)
                              pv     ev     ac   spi    cpi
    project_id date
    A          2026-01-30  250.0  175.0  210.0  0.70  0.833
               2026-02-27  400.0  340.0  370.0  0.85  0.919
    """
    if method == "new_etc":
        raise DataValidationError(Problem("period_indicators", None, None, "method",
                                          "'new_etc' needs an estimate per group and date; "
                                          "use indicators() with etc=..."))
    _check_choice(method, EAC_METHODS, "period_indicators", "method", "EAC method")
    _check_choice(curve, PV_CURVES, "period_indicators", "curve", "PV curve")
    codes, groups = _group_codes(tasks, by, "period_indicators")
    when = pd.DatetimeIndex(pd.to_datetime(np.atleast_1d(dates)), name="date")
    pv = pd.DataFrame(_pv_by_codes(tasks, calendar, when, codes, len(groups), curve),
                      index=groups, columns=when)
    shape = (len(tasks), pv.shape[1])
    pct = np.ascontiguousarray(percent_complete, dtype=float)
    cost = np.ascontiguousarray(actual_cost, dtype=float)
    for name, x in (("percent_complete", pct), ("actual_cost", cost)):
        if x.shape != shape:
            raise DataValidationError(Problem(
                "period_indicators", None, None, name,
                f"shape {x.shape}; need one row per task and one column per date {shape}"))
    budget = np.asarray(tasks["budget"], dtype=float)
    parts = max(1, min(numba.get_num_threads(), len(tasks) // 10_000))
    ev, ac, row, col, bad = _progress_sums(codes, budget, pct, cost, len(groups), parts)
    if bad:
        value, what = ((pct[row, col], "percent complete outside 0-100") if bad == 1
                       else (cost[row, col], "actual cost negative"))
        raise DataValidationError(Problem(
            "period_indicators", None, None, "percent_complete" if bad == 1 else "actual_cost",
            f"{what} or missing: {value} for the task at position {row} "
            f"({groups[codes[row]]}) on {pv.columns[col]:%Y-%m-%d}"))
    bac = np.bincount(codes, budget, minlength=len(groups))
    bac = np.repeat(bac, shape[1])
    p, e, a = pv.to_numpy().ravel(), ev.ravel(), ac.ravel()
    ind = indicators(p, e, a, bac, method=method)
    ind.index = pd.MultiIndex.from_product([groups, pv.columns])
    return pd.concat([pd.DataFrame({"bac": bac, "pv": p, "ev": e, "ac": a}, index=ind.index),
                      ind], axis=1)


def assignment_budget(portfolio: Portfolio) -> pd.Series:
    """Each task's budget from its resource assignments, for planned value by resource cost.

    Budget of a task = Σ over its assignments of units × the resource's ``cost_rate`` × the
    task's baseline working days (start and finish included). Spread with
    ``planned_value(tasks, calendar, budget=assignment_budget(portfolio))`` (linear: labour
    cost accrues evenly over the working days).

    Parameters
    ----------
    portfolio : Portfolio

    Returns
    -------
    Series
        Index task id (every task, in the tasks table's order), named ``budget``; 0 for a
        task without assignments. [cur]

    Examples
    --------
    >>> from pmo_lib import load_portfolio
    >>> assignment_budget(load_portfolio("tests/data/mini")).tolist()  # A1 A2 M1 B1
    [1250.0, 2000.0, 0.0, 400.0]
    """
    tasks = portfolio.tasks
    days = pd.Series(np.asarray(portfolio.calendar.working_days(tasks["baseline_start"],
                                                                tasks["baseline_finish"]),
                                dtype=float), index=tasks["id"].to_numpy())
    a = portfolio.assignments
    rate = a["resource_id"].map(portfolio.resources.set_index("id")["cost_rate"])
    per_day = (a["units"] * rate).groupby(a["task_id"].to_numpy()).sum()
    out = (per_day.reindex(days.index, fill_value=0.0) * days).astype(float)
    out.index.name = "task_id"
    return out.rename("budget")


def planned_value(tasks: pd.DataFrame, calendar: WorkCalendar, freq: str = "M", *,
                  curve: str = "linear", budget=None) -> pd.DataFrame:
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
    budget : Series, keyword-only, optional
        The amounts to spread, by task id, in place of the ``budget`` column: e.g.
        :func:`assignment_budget` for planned value from resource-assignment costs. A task
        missing from it spreads 0.

    Returns
    -------
    DataFrame
        Index task id; columns a ``PeriodIndex`` spanning the baseline; values the PV planned
        in each period [cur]. Each row sums to the task's budget.

    Examples
    --------
    >>> from pmo_lib import load_portfolio
    >>> pf = load_portfolio("tests/data/mini")
    >>> planned_value(pf.tasks, pf.calendar, budget=assignment_budget(pf)).sum(axis=1).tolist()
    [1250.0, 2000.0, 0.0, 400.0]

    Raises
    ------
    DataValidationError
        Unknown ``freq`` or ``curve``.
    """
    if freq not in ("M", "W", "D"):
        raise DataValidationError(Problem("planned_value", None, None, "freq",
                                          f"unknown period {freq!r}; use M, W or D"))
    if budget is not None:
        tasks = tasks.assign(budget=pd.Series(budget, dtype=float)
                             .reindex(tasks["id"].to_numpy(), fill_value=0.0).to_numpy())
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
    out["percent_complete"] = _ratio(100 * sums["ev"], sums["bac"])
    out["percent_spent"] = _ratio(100 * sums["ac"], sums["bac"])
    return pd.concat([out, rate(out, thresholds)], axis=1)


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
        ``percent_complete``, ``percent_spent``, ``rag``, ``rag_reason`` (and ``spi_t``
        when ``thresholds`` rate SPI(t); :func:`performance_table` gives every level and
        the whole earned schedule).

    Examples
    --------
    >>> from pmo_lib import load_portfolio, SAMPLE_DATA
    >>> perf = project_performance(load_portfolio(SAMPLE_DATA), "2026-10")
    >>> bool(perf["rag"].isin(RAG_LEVELS).all())
    True
    """
    t = thresholds or RagThresholds()
    tasks = task_performance(portfolio, month, ev_method=ev_method)
    perf = rollup(tasks, "project_id", replace(t, schedule_index="spi", rate_vac=False))
    info = portfolio.projects.set_index("id")[["name", "programme", "manager"]]
    perf = info.join(perf, how="left")
    perf[_SUMS] = perf[_SUMS].fillna(0.0)
    perf.index.name = "project_id"
    if t.schedule_index == "spi_t":
        es = earned_schedule_by(portfolio, month, "project_id", ev_method=ev_method,
                                tasks=tasks)
        perf = perf.join(es[["spi_t"]])
    return apply_thresholds(perf, t)


def indicator_history(portfolio: Portfolio, through=None, by="project_id", *,
                      curve: str = "linear", method: str = "cpi") -> pd.DataFrame:
    """The indicator set of every project (programme, or the portfolio) at every status date.

    One :func:`period_indicators` call over the monthly snapshots: each task's percent
    complete and actual cost at each status date (0 before its first status row), PV to each
    status date. At each month the values equal :func:`project_performance` (percent-complete
    EV).

    Parameters
    ----------
    portfolio : Portfolio
    through : str or Period, optional
        Last status month (default the latest).
    by : str or None
        ``"project_id"`` (default), a column of the projects table (e.g. ``"programme"``),
        or None for the portfolio (label ``"Total"``).
    curve, method : str, keyword-only
        PV curve and EAC method (see :func:`period_indicators`).

    Returns
    -------
    DataFrame
        MultiIndex (group, ``month``: a monthly Period); columns ``status_date``, ``bac``,
        ``pv``, ``ev``, ``ac`` [cur] and the :data:`INDICATORS`.

    Examples
    --------
    >>> from pmo_lib import load_portfolio
    >>> h = indicator_history(load_portfolio("tests/data/mini"))
    >>> h.loc["P1", ["pv", "ev", "ac", "spi"]].round(2)
                 pv      ev      ac  spi
    month
    2026-01  2000.0  1800.0  1800.0  0.9
    2026-02  3000.0  3000.0  3400.0  1.0
    """
    through = portfolio.latest_month if through is None else parse_month(through)
    portfolio.status_date(through)  # a clear error when the month has no status
    months = portfolio.months[portfolio.months <= through]
    dates = pd.DatetimeIndex([portfolio.status_date(m) for m in months])
    tasks = portfolio.tasks
    labels, name = _group_labels(portfolio, by)
    status = portfolio.status[portfolio.status["status_date"].isin(dates)]
    rows = pd.Index(tasks["id"]).get_indexer(status["task_id"])
    cols = dates.get_indexer(status["status_date"])
    pct, ac = np.zeros((len(tasks), len(dates))), np.zeros((len(tasks), len(dates)))
    pct[rows, cols] = status["percent_complete"].to_numpy(dtype=float)
    ac[rows, cols] = status["actual_cost"].to_numpy(dtype=float)
    out = period_indicators(tasks, portfolio.calendar, dates, pct, ac, by=labels.to_numpy(),
                            curve=curve, method=method)
    groups = out.index.get_level_values(0)
    out.index = pd.MultiIndex.from_arrays(
        [groups, np.tile(months, len(out) // max(len(months), 1))], names=[name, "month"])
    out.insert(0, "status_date", np.tile(dates, len(out) // max(len(dates), 1)))
    return out


#: Levels of :func:`performance_table`, in the order of its rows.
LEVELS = ("project", "programme", "portfolio")


def performance_table(portfolio: Portfolio, month, thresholds: RagThresholds | None = None,
                      *, ev_method: str = "percent_complete") -> pd.DataFrame:
    """The full indicator table: every project, every programme and the portfolio.

    Each programme and the portfolio add PV, EV, AC and BAC first and then compute their
    indices; their earned schedule comes from their own summed PV curve and EV
    (:func:`earned_schedule_by`). Each row is rated with ``thresholds`` (:func:`rate`: SPI or
    SPI(t), CPI and optionally VAC / BAC).

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period
        Reporting month (``'YYYY-MM'``); must have status data.
    thresholds : RagThresholds, optional
    ev_method : str, keyword-only
        One of :data:`EV_METHODS`.

    Returns
    -------
    DataFrame
        MultiIndex (``level``, ``id``): the projects (``level == "project"``, by programme
        then ID), then the programmes, then one ``("portfolio", "Total")`` row. Columns
        ``name``, ``programme``, ``bac``, ``pv``, ``ev``, ``ac``, ``sv``, ``cv`` [cur],
        ``spi``, ``cpi`` [ratio], ``eac``, ``etc``, ``vac`` [cur], ``tcpi`` [ratio],
        ``percent_complete``, ``percent_spent`` [%], ``es``, ``at``, ``sv_t``, ``ieac_t``
        [months], ``spi_t`` [ratio], ``forecast_finish`` (date), ``rag``, ``rag_reason``.

    Examples
    --------
    >>> from pmo_lib import load_portfolio, SAMPLE_DATA
    >>> table = performance_table(load_portfolio(SAMPLE_DATA), "2026-10")
    >>> table.loc["portfolio"].index.tolist(), len(table.loc["programme"])
    (['Total'], 3)
    """
    t = thresholds or RagThresholds()
    tasks = task_performance(portfolio, month, ev_method=ev_method)
    plain = replace(t, schedule_index="spi", rate_vac=False)
    projects = project_performance(portfolio, month, plain, ev_method=ev_method)
    projects = projects.drop(columns=["rag", "rag_reason", "manager"])
    projects = projects.join(earned_schedule_by(portfolio, month, "project_id",
                                                ev_method=ev_method, tasks=tasks))
    projects = projects.sort_values(["programme"], kind="stable")
    programmes = rollup(projects, "programme", plain).drop(columns=["rag", "rag_reason"])
    programmes = programmes.join(earned_schedule_by(portfolio, month, "programme",
                                                    ev_method=ev_method, tasks=tasks))
    programmes["name"] = programmes.index
    programmes["programme"] = programmes.index
    total = rollup(projects, None, plain).drop(columns=["rag", "rag_reason"])
    total = total.join(earned_schedule_by(portfolio, month, None, ev_method=ev_method,
                                          tasks=tasks))
    total["name"] = "Portfolio"
    total["programme"] = ""
    parts = {"project": projects, "programme": programmes, "portfolio": total}
    columns = ["name", "programme", *_SUMS, *_TABLE_INDICATORS, "percent_complete",
               "percent_spent", *_ES_OUT, "forecast_finish"]
    out = pd.concat({k: v.reindex(columns=columns) for k, v in parts.items()},
                    names=["level", "id"])
    out = out[["name", "programme", "bac", "pv", "ev", "ac", *columns[6:]]]
    rated = rate(out, t)
    return pd.concat([out, rated], axis=1)


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


def _actual_time(date: pd.Timestamp, first: pd.Period) -> float:
    """Actual time of ``date`` in months, month 1 being ``first``: whole months before the
    date's month plus the fraction of its month elapsed (day / days in the month)."""
    return (date.to_period("M") - first).n + date.day / date.days_in_month


def _project_baselines(portfolio: Portfolio, date: pd.Timestamp):
    """Yield ``(project_id, baseline)`` for every project; ``baseline`` is ``(cumulative
    monthly PV, first baseline month, baseline start)``, or None when nothing is measurable at
    ``date`` (no task, no budget, or the project has not started). The monthly PV of every
    project comes from one :func:`cumulative_pv_by` call."""
    tasks = portfolio.tasks
    spans = tasks.groupby("project_id").agg(start=("baseline_start", "min"),
                                            finish=("baseline_finish", "max"),
                                            budget=("budget", "sum"))
    curves = None
    if len(tasks):
        months = pd.period_range(spans["start"].min(), spans["finish"].max(), freq="M")
        curves = cumulative_pv_by(tasks, portfolio.calendar, months.end_time.normalize())
    for pid in portfolio.projects["id"]:
        if pid not in spans.index or spans.at[pid, "budget"] <= 0 \
                or date < spans.at[pid, "start"]:
            yield pid, None
            continue
        first = spans.at[pid, "start"].to_period("M")
        last = spans.at[pid, "finish"].to_period("M")
        a = (first - months[0]).n
        pv = curves.loc[pid].to_numpy()[a:a + (last - first).n + 1]
        yield pid, (pv, first, spans.at[pid, "start"])


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
    es = earned_schedule_by(portfolio, month, "project_id", ev_method=ev_method)
    return es.reindex(pd.Index(portfolio.projects["id"], name="project_id"))


_ES_OUT = ("es", "at", "sv_t", "spi_t", "ieac_t")


def _group_labels(portfolio: Portfolio, by) -> tuple[pd.Series, str]:
    """One label per task: its project, its project's programme, or "Total" (by=None)."""
    tasks = portfolio.tasks
    if by is None:
        return pd.Series("Total", index=tasks.index), "group"
    if by == "project_id":
        return tasks["project_id"], "project_id"
    if by in portfolio.projects.columns:
        return tasks["project_id"].map(portfolio.projects.set_index("id")[by]), by
    raise DataValidationError(Problem("earned_schedule_by", None, None, "by",
                                      f"cannot group by {by!r}: use 'project_id', a column "
                                      "of the projects table (e.g. 'programme') or None"))


def earned_schedule_by(portfolio: Portfolio, month, by="project_id", *,
                       ev_method: str = "percent_complete", tasks=None) -> pd.DataFrame:
    """Earned schedule of each project, programme or of the portfolio, in months.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period
        Reporting month (``'YYYY-MM'``); must have status data.
    by : str or None
        ``"project_id"`` (default), a column of the projects table such as ``"programme"``,
        or None for the whole portfolio (one row labelled ``"Total"``).
    ev_method : str, keyword-only
        One of :data:`EV_METHODS` (see :func:`task_performance`).
    tasks : DataFrame, keyword-only, optional
        ``task_performance(portfolio, month, ev_method=ev_method)`` when already computed.

    Returns
    -------
    DataFrame
        One row per group with tasks (sorted labels); columns ``es``, ``at``, ``sv_t``,
        ``ieac_t`` [months], ``spi_t`` [ratio] and ``forecast_finish`` (date: the group's
        first baseline month plus IEAC(t); NaT when IEAC(t) is undefined).

    Notes
    -----
    A group's period 1 is the calendar month of its earliest baseline start; its cumulative
    PV at each month end comes from one :func:`cumulative_pv_by` call for every group (linear
    spread), and EV is its tasks' EV at the status date, added up (roll-ups add EV and PV
    first, never average SPI(t)). AT counts the whole months before the status month plus
    the fraction of the status month elapsed (status day / days in the month), so a status
    date on a month end gives a whole number. A status date before the group's baseline
    start, or a group with no budget, gives NaN everywhere (NaT forecast): nothing is
    measurable yet.

    References
    ----------
    W. Lipke, "Schedule is different", *The Measurable News*, March 2003, pp. 31–34.

    Examples
    --------
    >>> from pmo_lib import load_portfolio, SAMPLE_DATA
    >>> es = earned_schedule_by(load_portfolio(SAMPLE_DATA), "2026-10", "programme")
    >>> list(es.index)
    ['Customer Experience', 'Digital Core', 'Operations and Compliance']
    """
    date = portfolio.status_date(month)
    labels, name = _group_labels(portfolio, by)
    if tasks is None:
        tasks = task_performance(portfolio, month, ev_method=ev_method)
    table = portfolio.tasks
    spans = table.groupby(labels.to_numpy()).agg(start=("baseline_start", "min"),
                                                 finish=("baseline_finish", "max"),
                                                 budget=("budget", "sum"))
    label_of = pd.Series(labels.to_numpy(), index=table["id"].to_numpy())
    ev = tasks["ev"].groupby(label_of.reindex(tasks.index).to_numpy()).sum()
    rows = {}
    if len(table):
        months = pd.period_range(spans["start"].min(), spans["finish"].max(), freq="M")
        curves = cumulative_pv_by(table, portfolio.calendar, months.end_time.normalize(),
                                  by=labels.to_numpy())
    for label, span in spans.iterrows():
        if span["budget"] <= 0 or date < span["start"]:
            rows[label] = {**dict.fromkeys(_ES_OUT, np.nan), "forecast_finish": pd.NaT}
            continue
        first, last = span["start"].to_period("M"), span["finish"].to_period("M")
        a = (first - months[0]).n
        pv = curves.loc[label].to_numpy()[a:a + (last - first).n + 1]
        r = earned_schedule(pv, min(float(ev.get(label, 0.0)), float(pv[-1])),
                            at=_actual_time(date, first))
        rows[label] = {k: r[k] for k in _ES_OUT} | {
            "forecast_finish": _months_to_date(first, r["ieac_t"])}
    out = pd.DataFrame.from_dict(rows, orient="index",
                                 columns=[*_ES_OUT, "forecast_finish"])
    out["forecast_finish"] = pd.to_datetime(out["forecast_finish"])
    out.index.name = name
    return out


# ----------------------------------------------------------------------------------------
# Forecast of one case, and its uncertainty by bootstrap
# ----------------------------------------------------------------------------------------
#: What :func:`forecast` returns, in order (see :data:`GLOSSARY`).
FORECAST_KEYS = ("pv", "ev", "ac", "bac", "method", "spi", "cpi", "eac", "etc", "vac", "tcpi",
                 "es", "at", "spi_t", "ieac_t", "forecast_finish", "rag", "rag_reason")


def forecast(pv, ev, ac, bac, pv_cumulative, *, at, method: str = "cpi", etc=None,
             thresholds: RagThresholds | None = None, first_month=None) -> dict:
    """The EVM forecast of one case: indicators, earned schedule, finish date and RAG.

    Parameters
    ----------
    pv, ev, ac, bac : float
        Planned value, earned value, actual cost and budget at completion at the status date
        [cur]. EV is the caller's (e.g. BAC × percent complete / 100).
    pv_cumulative : array-like or Series
        Cumulative PV at the end of periods 1, 2, ... (the last is BAC). [cur]
    at : float, keyword-only
        Actual time at the status date. [periods]
    method : str, keyword-only
        EAC method, one of :data:`EAC_METHODS`; default ``"cpi"``.
    etc : float, keyword-only, optional
        A new estimate to complete, used by ``method="new_etc"`` only. [cur]
    thresholds : RagThresholds, keyword-only, optional
    first_month : str or Period, keyword-only, optional
        The calendar month of period 1 (periods are months), to turn IEAC(t) into a date;
        None gives a NaT forecast finish (e.g. periods that are weeks without a calendar).

    Returns
    -------
    dict
        The keys of :data:`FORECAST_KEYS`: ``pv``, ``ev``, ``ac``, ``bac`` [cur], ``method``,
        the indicators of :func:`indicators` but ``tcpi_eac``, ``es``, ``at`` [periods],
        ``spi_t``, ``ieac_t`` [periods] of :func:`earned_schedule` (EV capped at the last
        cumulative PV), ``forecast_finish`` (date: ``first_month`` plus IEAC(t); NaT when
        undefined) and ``rag``, ``rag_reason`` of :func:`rag_status` on SPI and CPI.

    Raises
    ------
    DataValidationError
        As :func:`indicators` (unknown method, ``new_etc`` without ``etc``, EV above BAC) and
        :func:`earned_schedule`.

    Examples
    --------
    >>> r = forecast(3000.0, 2500.0, 3000.0, 4000.0, [1000.0, 2000.0, 3000.0, 4000.0], at=3)
    >>> round(r["eac"]), round(r["tcpi"], 2), r["es"], r["rag"]
    (4800, 1.5, 2.5, 'red')
    """
    pv_cumulative = pd.Series(np.asarray(pv_cumulative, dtype=float).ravel())
    ev, ac = float(ev), float(ac)
    ind = indicators(pv, ev, ac, bac, method=method, etc=etc)
    es = earned_schedule(pv_cumulative, min(ev, float(pv_cumulative.iloc[-1])), at=at)
    rag = rag_status([ind["spi"]], [ind["cpi"]], thresholds).iloc[0]
    finish = (_months_to_date(parse_month(first_month), es["ieac_t"])
              if first_month is not None else pd.NaT)
    out = {"pv": pv, "ev": ev, "ac": ac, "bac": bac, "method": method, **ind, **es,
           "forecast_finish": finish, "rag": rag["rag"], "rag_reason": rag["rag_reason"]}
    return {k: out[k] for k in FORECAST_KEYS}


#: Fewest observed periods :func:`eac_range` needs to bootstrap.
_MIN_PERIODS = 3
#: Rows of the bootstrap drawn at a time (bounds the memory of :func:`eac_range`).
_CHUNK = 100_000


def _percentile_keys(prefix: str, percentiles) -> list[str]:
    return [f"{prefix}_p{p:g}" for p in percentiles]


def _bootstrap_ratio(rng: np.random.Generator, num: np.ndarray, den: np.ndarray, draws: int,
                     iterations: int) -> np.ndarray:
    """Σ num / Σ den over ``draws`` periods resampled with replacement, ``iterations`` times.

    A draw whose Σ num is not positive (no progress at all) gives +inf.
    """
    k = num.size
    out = np.empty(iterations)
    for lo in range(0, iterations, _CHUNK):  # a loop over chunks, not over iterations
        rows = min(_CHUNK, iterations - lo)
        counts = rng.multinomial(draws, np.full(k, 1.0 / k), size=rows).astype(float)
        n, d = counts @ num, counts @ den
        with np.errstate(divide="ignore", invalid="ignore"):
            out[lo:lo + rows] = np.where(n > 0, d / np.where(n > 0, n, 1.0), np.inf)
    return out


def eac_range(pv_by_period, ev_by_period, ac_by_period, bac, *,
              percentiles=(10, 50, 90), iterations: int = 10_000, seed=None, at=None) -> dict:
    """Percentiles of the EAC and of the finish by bootstrap of the periodic CPI and SPI(t).

    Parameters
    ----------
    pv_by_period : array-like or Series
        Cumulative baseline PV at the end of periods 1, 2, ..., to the planned finish (the
        last value is BAC; as ``pv_cumulative`` of :func:`earned_schedule`). [cur]
    ev_by_period, ac_by_period : array-like or Series
        Cumulative EV and AC observed at the end of periods 1, 2, ..., n (the project's
        history to the status date; same length). [cur]
    bac : float
        Budget at completion. [cur]
    percentiles : sequence of float, keyword-only
        Percentiles to report, each in [0, 100]; default (10, 50, 90).
    iterations : int, keyword-only
        Bootstrap replicates; default 10 000.
    seed : int, SeedSequence or Generator, keyword-only, optional
        Passed to ``np.random.default_rng``; the same seed gives the same result.
    at : array-like, keyword-only, optional
        Actual time of each observation [periods]; default 1, 2, ..., n. With status dates
        inside a period (see :func:`project_forecast_range`) AT is fractional.

    Returns
    -------
    dict
        ``eac_p10``, ``eac_p50``, ``eac_p90`` ... (one per percentile, ``eac_p{p:g}``) [cur];
        ``finish_p10`` ... (``finish_p{p:g}``): the forecast finish [periods from the start,
        as ``ieac_t``]; ``eac`` (BAC / CPI) and ``ieac_t`` (PD / SPI(t)), the point forecasts
        at the last observation; ``remaining_periods`` (m below); ``reason`` (why a value is
        NaN; empty when none is).

    Raises
    ------
    DataValidationError
        EV and AC of different lengths (or ``at``), a percentile outside [0, 100], no
        percentile, ``iterations`` < 1, and the errors of :func:`earned_schedule`.

    Notes
    -----
    *Intervals.* The history is cut into intervals between consecutive observations, the
    first from the start (AT = 0, EV = AC = 0) when the first observation is at most one
    period in (an earlier lump of several periods is left out: it is not like the others).
    Each interval i has ΔEV_i, ΔAC_i, ΔAT_i and ΔES_i (ES of :func:`earned_schedule`).

    *Cost.* The cost pool is the intervals with ΔAC > 0, whose periodic CPI is ΔEV / ΔAC.
    Each replicate draws m intervals from the pool with replacement, and the remaining work
    is done at their cost efficiency, the ratio of sums CPI* = ΣΔEV / ΣΔAC (the cost-weighted
    mean of the drawn periodic CPIs; ratios are never averaged, as in :func:`rollup`):
    EAC* = AC + (BAC − EV) / CPI*.

    *Finish.* Likewise over all intervals, SPI(t)* = ΣΔES / ΣΔAT and the finish is
    AT + (PD − ES) / SPI(t)*, PD the planned duration (Lipke 2009 forecasts the duration
    from the periodic SPI(t) in the same way).

    m, the number of periods left, is the remaining planned duration at the pace observed
    so far divided by the mean interval length, ceil((PD − ES) / SPI(t) / mean ΔAT), at
    least 1; it sets how much the future averages out. A finished project (EV = BAC,
    ES = PD) gives EAC = AC and finish = AT. A replicate with no progress (ΣΔEV ≤ 0 or
    ΣΔES ≤ 0) is an unbounded forecast; a percentile that falls on one is NaN.

    Drawing m intervals with replacement is drawing how often each of the k intervals is
    drawn, a multinomial(m, 1/k) count vector, so the iterations × k count matrix (drawn
    in chunks of rows) replaces the iterations × m matrix of indices with the same
    distribution and bounded memory, whatever m.

    Assumptions: the intervals are exchangeable (no trend, no learning curve, no seasonality;
    a trending project makes the range too narrow and centred on the past), and the
    remaining work's baseline is right. At least 3 intervals are needed in a pool; with fewer
    the corresponding percentiles are NaN and ``reason`` says why. With a constant periodic
    CPI the EAC range is degenerate at BAC / CPI, and with a constant periodic SPI(t) the
    finish range is at IEAC(t).

    References
    ----------
    B. Efron and R. J. Tibshirani, *An Introduction to the Bootstrap*, Chapman & Hall, 1993.
    W. Lipke, "Statistical methods applied to EVM and ES", and *Earned Schedule*, Lulu
    Publishing, 2009, ch. "Forecasting".

    Examples
    --------
    >>> pv = [100.0 * k for k in range(1, 11)]
    >>> r = eac_range(pv, [80.0, 160.0, 240.0, 320.0], [100.0, 200.0, 300.0, 400.0], 1000.0,
    ...               seed=1)
    >>> r["eac_p10"], r["eac_p90"], r["finish_p50"], r["reason"]
    (1250.0, 1250.0, 12.5, '')
    """
    ev = np.asarray(ev_by_period, dtype=float).ravel()
    ac = np.asarray(ac_by_period, dtype=float).ravel()
    if ev.size != ac.size:
        raise DataValidationError(Problem(
            "eac_range", None, None, "ac_by_period",
            f"has {ac.size} values for {ev.size} EV values: give one EV and one AC per period"))
    t = (np.arange(1, ev.size + 1, dtype=float) if at is None
         else np.asarray(at, dtype=float).ravel())
    if t.size != ev.size:
        raise DataValidationError(Problem("eac_range", None, None, "at",
                                          f"has {t.size} values for {ev.size} EV values"))
    pcts = np.asarray(percentiles, dtype=float).ravel()
    if pcts.size == 0 or np.any(~np.isfinite(pcts)) or np.any((pcts < 0) | (pcts > 100)):
        raise DataValidationError(Problem(
            "eac_range", None, None, "percentiles",
            f"need one or more percentiles in [0, 100], got {list(percentiles)!r}"))
    if int(iterations) != iterations or iterations < 1:
        raise DataValidationError(Problem("eac_range", None, None, "iterations",
                                          f"need a whole number >= 1, got {iterations!r}"))
    iterations = int(iterations)
    bac = float(bac)
    pv = np.asarray(pv_by_period, dtype=float).ravel()
    eac_keys, fin_keys = _percentile_keys("eac", pcts), _percentile_keys("finish", pcts)
    out = dict.fromkeys(eac_keys + fin_keys, np.nan)
    out.update(eac=np.nan, ieac_t=np.nan, remaining_periods=np.nan, reason="")
    if ev.size == 0:
        out["reason"] = (f"no observed period: the bootstrap needs at least {_MIN_PERIODS} "
                         "periods")
        return out
    _check_ev_within_bac(ev, np.asarray(bac), "eac_range")
    es = earned_schedule(pv, np.minimum(ev, pv[-1]), at=t)
    tol = _RTOL * max(abs(pv[-1]), 1.0)
    pd_ = int(np.argmax(pv >= pv[-1] - tol)) + 1
    ev_n, ac_n, es_n, at_n = ev[-1], ac[-1], float(es["es"].iloc[-1]), t[-1]
    out["eac"] = float(indicators(0.0, ev_n, ac_n, bac)["eac"])
    out["ieac_t"] = float(es["ieac_t"].iloc[-1])
    keep_origin = t[0] <= 1.0 + 1e-9
    stack = (lambda x: np.concatenate([[0.0], x])) if keep_origin else (lambda x: x)
    d_ev, d_ac = np.diff(stack(ev)), np.diff(stack(ac))
    d_es, d_at = np.diff(stack(es["es"].to_numpy())), np.diff(stack(t))
    rng = np.random.default_rng(seed)
    reasons = []
    spi_t = es_n / at_n if at_n > 0 else np.nan
    if d_at.size == 0:
        m = 0
        reasons.append(f"0 periods observed since the first status, the bootstrap needs at "
                       f"least {_MIN_PERIODS}")
    elif pd_ - es_n <= tol:
        m = 1
    elif np.isfinite(spi_t) and spi_t > 0 and d_at.size:
        m = max(1, int(np.ceil((pd_ - es_n) / spi_t / d_at.mean() - 1e-9)))
    else:
        m = 0
        reasons.append("no schedule earned yet (ES = 0): the number of periods left is "
                       "unknown")
    out["remaining_periods"] = float(m) if m else np.nan
    cost_pool = d_ac > 0
    if m and cost_pool.sum() < _MIN_PERIODS:
        reasons.append(f"EAC: {int(cost_pool.sum())} period(s) with cost (ΔAC > 0), the "
                       f"bootstrap needs at least {_MIN_PERIODS}")
    elif m:
        cost_per_ev = _bootstrap_ratio(rng, d_ev[cost_pool], d_ac[cost_pool], m, iterations)
        remaining = bac - ev_n
        with np.errstate(invalid="ignore"):
            eac = ac_n + np.where(remaining > 0, remaining * cost_per_ev, 0.0)
        values = np.percentile(eac, pcts)
        if not np.all(np.isfinite(values)):
            reasons.append("EAC: some percentiles fall on replicates with no earned value "
                           "(an unbounded cost)")
        out.update(zip(eac_keys, np.where(np.isfinite(values), values, np.nan).tolist(),
                       strict=True))
    if m and d_es.size < _MIN_PERIODS:
        reasons.append(f"finish: {d_es.size} period(s) observed, the bootstrap needs at least "
                       f"{_MIN_PERIODS}")
    elif m:
        time_per_es = _bootstrap_ratio(rng, d_es, d_at, m, iterations)
        left = max(pd_ - es_n, 0.0)
        with np.errstate(invalid="ignore"):
            finish = at_n + np.where(left > 0, left * time_per_es, 0.0)
        values = np.percentile(finish, pcts)
        if not np.all(np.isfinite(values)):
            reasons.append("finish: some percentiles fall on replicates with no earned "
                           "schedule (an unbounded duration)")
        out.update(zip(fin_keys, np.where(np.isfinite(values), values, np.nan).tolist(),
                       strict=True))
    out["reason"] = "; ".join(reasons)
    return out


def project_forecast_range(portfolio: Portfolio, month, *, percentiles=(10, 50, 90),
                           iterations: int = 10_000, seed=None,
                           ev_method: str = "percent_complete") -> pd.DataFrame:
    """EAC and finish-date percentiles of every project from its monthly snapshots.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period
        Reporting month (``'YYYY-MM'``); must have status data. Snapshots up to it are used.
    percentiles : sequence of float, keyword-only
        Default (10, 50, 90).
    iterations : int, keyword-only
        Bootstrap replicates per project; default 10 000.
    seed : int, SeedSequence or Generator, keyword-only, optional
        One generator, ``np.random.default_rng(seed)``, serves the projects in table order;
        the same seed gives the same table.
    ev_method : str, keyword-only
        One of :data:`EV_METHODS` (see :func:`task_performance`).

    Returns
    -------
    DataFrame
        Index ``project_id``; columns ``eac_p10``, ``eac_p50``, ``eac_p90`` ... [cur],
        ``finish_p10``, ``finish_p50``, ``finish_p90`` ... (dates) and ``reason`` (why a
        value is NaN / NaT; empty when none is).

    Notes
    -----
    Periods are calendar months from the month of the project's earliest baseline start, as
    in :func:`project_earned_schedule`; PV is the monthly cumulative baseline PV, and EV and
    AC are measured at each snapshot's status date (AT fractional within its month, EV
    capped at BAC). Snapshots before the project's start are left out. :func:`eac_range`
    does the bootstrap; a finish in periods becomes a date as ``forecast_finish`` does.

    References
    ----------
    B. Efron and R. J. Tibshirani, *An Introduction to the Bootstrap*, Chapman & Hall, 1993.
    W. Lipke, *Earned Schedule*, Lulu Publishing, 2009.

    Examples
    --------
    >>> from pmo_lib import load_portfolio, SAMPLE_DATA
    >>> r = project_forecast_range(load_portfolio(SAMPLE_DATA), "2026-10", iterations=200,
    ...                            seed=1)
    >>> list(r.columns)[:3], bool((r["eac_p10"] <= r["eac_p90"]).all())
    (['eac_p10', 'eac_p50', 'eac_p90'], True)
    """
    date = portfolio.status_date(month)
    status_month = date.to_period("M")
    pcts = list(np.asarray(percentiles, dtype=float).ravel())
    eac_keys, fin_keys = _percentile_keys("eac", pcts), _percentile_keys("finish", pcts)
    months = [m for m in portfolio.months if m <= status_month]
    dates = [portfolio.status_date(m) for m in months]
    perfs = [task_performance(portfolio, m, ev_method=ev_method).groupby("project_id")[
        ["ev", "ac"]].sum() for m in months]
    rng = np.random.default_rng(seed)
    rows = {}
    for pid, baseline in _project_baselines(portfolio, date):
        if baseline is None:
            rows[pid] = {**dict.fromkeys(eac_keys, np.nan), **dict.fromkeys(fin_keys, pd.NaT),
                         "reason": "not measurable yet: no budget or not started"}
            continue
        pv, first, start = baseline
        obs = [(d, p) for d, p in zip(dates, perfs, strict=True) if d >= start]
        at = [_actual_time(d, first) for d, _ in obs]
        ev = [min(float(p["ev"].get(pid, 0.0)), float(pv[-1])) for _, p in obs]
        ac = [float(p["ac"].get(pid, 0.0)) for _, p in obs]
        r = eac_range(pv, ev, ac, float(pv[-1]), percentiles=pcts, iterations=iterations,
                      seed=rng, at=at)
        rows[pid] = {**{k: r[k] for k in eac_keys},
                     **{k: _months_to_date(first, r[k]) for k in fin_keys},
                     "reason": r["reason"]}
    out = pd.DataFrame.from_dict(rows, orient="index")
    for k in fin_keys:
        out[k] = pd.to_datetime(out[k])
    out.index.name = "project_id"
    return out
