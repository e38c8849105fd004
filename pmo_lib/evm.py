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
====== ===================================================================================

Roll-ups add PV, EV, AC and BAC first and then compute the indices; ratios are never averaged.
An undefined ratio (PV = 0 before any work is planned, AC = 0 before any cost) is NaN, never
±inf, and the RAG status of such a row is ``grey`` with the reason.

References
----------
Project Management Institute, *A Guide to the Project Management Body of Knowledge (PMBOK
Guide)*, 6th ed., §7.4.2.2 (earned value analysis), 2017.
Project Management Institute, *The Standard for Earned Value Management*, 2019.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .calendar import WorkCalendar
from .errors import DataValidationError, Problem
from .model import Portfolio, parse_month

__all__ = [
    "GLOSSARY",
    "INDICATORS",
    "RAG_COLOURS",
    "RAG_LEVELS",
    "RagThresholds",
    "apply_thresholds",
    "cumulative_pv",
    "indicators",
    "planned_value",
    "project_performance",
    "rag_counts",
    "rag_status",
    "rollup",
    "s_curve",
    "task_performance",
]

#: Names of the indicators :func:`indicators` returns, in order.
INDICATORS = ("sv", "cv", "spi", "cpi", "eac", "etc", "vac", "tcpi")

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


def indicators(pv, ev, ac, bac):
    """The standard EVM indicators from PV, EV, AC and BAC.

    Parameters
    ----------
    pv, ev, ac, bac : float, array-like or Series
        Planned value, earned value, actual cost and budget at completion. [cur]

    Returns
    -------
    dict or DataFrame
        ``sv``, ``cv`` [cur], ``spi``, ``cpi`` [ratio], ``eac``, ``etc``, ``vac`` [cur],
        ``tcpi`` [ratio]: a dict of floats for scalar inputs, else a DataFrame (with the
        Series' index when one is given).

    Notes
    -----
    SV = EV − PV; CV = EV − AC; SPI = EV / PV; CPI = EV / AC; EAC = BAC / CPI;
    ETC = EAC − AC; VAC = BAC − EAC; TCPI = (BAC − EV) / (BAC − AC) (PMBOK Guide, table 7-1).
    SPI is NaN where PV = 0, CPI where AC = 0, TCPI where BAC = AC. Before any work is done
    (EV = AC = 0) EAC is BAC; if cost was spent with nothing earned (CPI = 0) EAC is NaN.

    Examples
    --------
    >>> r = indicators(pv=100.0, ev=80.0, ac=100.0, bac=1000.0)
    >>> round(r["spi"], 2), round(r["cpi"], 2), round(r["eac"], 1)
    (0.8, 0.8, 1250.0)
    """
    index = next((x.index for x in (pv, ev, ac, bac) if isinstance(x, pd.Series)), None)
    scalar = all(np.ndim(x) == 0 for x in (pv, ev, ac, bac))
    p, e, a, b = (np.asarray(x, dtype=float) for x in (pv, ev, ac, bac))
    spi, cpi = _ratio(e, p), _ratio(e, a)
    nothing_yet = (e == 0) & (a == 0)
    eac = np.where(nothing_yet, b, _ratio(b, np.where(cpi > 0, cpi, np.nan)))
    out = {
        "sv": e - p, "cv": e - a, "spi": spi, "cpi": cpi, "eac": eac, "etc": eac - a,
        "vac": b - eac, "tcpi": _ratio(b - e, b - a),
    }
    if scalar:
        return {k: float(v) for k, v in out.items()}
    return pd.DataFrame({k: np.broadcast_to(v, np.broadcast(p, e, a, b).shape)
                         for k, v in out.items()}, index=index)


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
def cumulative_pv(tasks: pd.DataFrame, calendar: WorkCalendar, dates) -> np.ndarray:
    """Cumulative planned value of each task at each date (end of day), from the baseline.

    Parameters
    ----------
    tasks : DataFrame
        Columns ``budget`` [cur], ``baseline_start``, ``baseline_finish``.
    calendar : WorkCalendar
        Working days over which the budget is spread.
    dates : array-like of dates
        Dates at which to cumulate (the whole day is included).

    Returns
    -------
    ndarray, shape (len(tasks), len(dates))
        Planned value to date. [cur]

    Notes
    -----
    Linear spread: a task's budget is spread evenly over its baseline working days, start
    and finish included; PV(d) = budget × min(1, working days from start to d / working days
    of the task). A task with no working day in its baseline (a milestone) earns its whole
    budget on its baseline finish date.
    """
    d = np.asarray(pd.to_datetime(np.atleast_1d(dates)), dtype="datetime64[D]")[None, :]
    start = np.asarray(tasks["baseline_start"], dtype="datetime64[D]")[:, None]
    finish = np.asarray(tasks["baseline_finish"], dtype="datetime64[D]")[:, None]
    budget = np.asarray(tasks["budget"], dtype=float)[:, None]
    cal = np.busdaycalendar(weekmask=calendar.weekmask, holidays=list(calendar.holidays))
    one = np.timedelta64(1, "D")
    total = np.busday_count(start, finish + one, busdaycal=cal)
    done = np.busday_count(start, np.maximum(d + one, start), busdaycal=cal)
    frac = np.where(total > 0, done / np.maximum(total, 1), (d >= finish).astype(float))
    return budget * np.clip(frac, 0.0, 1.0)


def planned_value(tasks: pd.DataFrame, calendar: WorkCalendar, freq: str = "M") -> pd.DataFrame:
    """Time-phased planned value: one row per task, one column per period.

    Parameters
    ----------
    tasks : DataFrame
        Columns ``id``, ``budget`` [cur], ``baseline_start``, ``baseline_finish``.
    calendar : WorkCalendar
    freq : str
        Period length: ``"M"`` (month), ``"W"`` (week) or ``"D"`` (day).

    Returns
    -------
    DataFrame
        Index task id; columns a ``PeriodIndex`` spanning the baseline; values the PV planned
        in each period [cur]. Each row sums to the task's budget.
    """
    if freq not in ("M", "W", "D"):
        raise DataValidationError(Problem("planned_value", None, None, "freq",
                                          f"unknown period {freq!r}; use M, W or D"))
    periods = pd.period_range(tasks["baseline_start"].min(), tasks["baseline_finish"].max(),
                              freq=freq, name="period")
    ends = periods.end_time.normalize()
    cum = cumulative_pv(tasks, calendar, ends)
    per = np.diff(cum, axis=1, prepend=0.0)
    return pd.DataFrame(per, index=pd.Index(tasks["id"], name="task_id"), columns=periods)


# ----------------------------------------------------------------------------------------
# Performance at a status date
# ----------------------------------------------------------------------------------------
def task_performance(portfolio: Portfolio, month) -> pd.DataFrame:
    """PV, EV, AC and BAC of every task at ``month``'s status date.

    Returns
    -------
    DataFrame
        Index ``task_id``; columns ``project_id``, ``bac``, ``pv``, ``ev``, ``ac`` [cur],
        ``percent_complete`` [%]. Tasks without a status row have not started (EV = AC = 0).
    """
    date = portfolio.status_date(month)
    tasks = portfolio.tasks
    snap = portfolio.snapshot(month).set_index("task_id")
    pct = snap["percent_complete"].reindex(tasks["id"]).fillna(0.0).to_numpy()
    ac = snap["actual_cost"].reindex(tasks["id"]).fillna(0.0).to_numpy()
    bac = tasks["budget"].to_numpy(dtype=float)
    return pd.DataFrame({
        "project_id": tasks["project_id"].to_numpy(),
        "bac": bac,
        "pv": cumulative_pv(tasks, portfolio.calendar, [date])[:, 0],
        "ev": bac * pct / 100.0,
        "ac": ac,
        "percent_complete": pct,
    }, index=pd.Index(tasks["id"], name="task_id"))


_SUMS = ["bac", "pv", "ev", "ac"]


def _with_indicators(sums: pd.DataFrame, thresholds: RagThresholds | None) -> pd.DataFrame:
    ind = indicators(sums["pv"], sums["ev"], sums["ac"], sums["bac"])
    out = pd.concat([sums[_SUMS], ind], axis=1)
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
        ``bac``, ``pv``, ``ev``, ``ac``, the :data:`INDICATORS`, ``percent_complete``,
        ``percent_spent``, ``rag``, ``rag_reason``.
    """
    if by is None:
        sums = performance[_SUMS].sum().to_frame("Total").T
    else:
        sums = performance[_SUMS].groupby(performance[by] if isinstance(by, str) else by).sum()
    return _with_indicators(sums, thresholds)


def project_performance(portfolio: Portfolio, month,
                        thresholds: RagThresholds | None = None) -> pd.DataFrame:
    """EVM indicators and RAG of every project at ``month``'s status date.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period
        Reporting month (``'YYYY-MM'``); must have status data.
    thresholds : RagThresholds, optional

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
    tasks = task_performance(portfolio, month)
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
