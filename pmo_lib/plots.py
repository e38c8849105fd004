"""Charts and styled tables for notebooks and reports (presentation only: no calculations).

Every function takes the DataFrames (or graphs) the engines return and an optional matplotlib
``ax``, and returns the ``Axes`` (or a pandas ``Styler``), so notebooks stay one line per chart.

Schedule charts: :func:`gantt` (a task list, or a CPM schedule with critical tasks, baseline,
milestones, the status date and one summary bar per project), :func:`network` (a project's
dependency network laid out left to right by early start) and :func:`project_network` (the
portfolio's project-to-project dependencies).

Cross-project dependencies (:func:`pmo_lib.network.dependency_map`): :func:`dependency_map`
(projects as nodes, arrows coloured by the worst status of their links, labelled with the
number of links and the worst margin) and :func:`links_at_risk` (forecast against need date
per link, a dumbbell chart).

EVM charts: :func:`s_curve` and :func:`s_curve_forecast` (with the EAC forecast and its
range), :func:`spi_cpi_matrix`, :func:`bullseye` (CPI against SPI(t) on RAG zones),
:func:`index_trend` (CPI, SPI and SPI(t) month by month) and :func:`variance_waterfall`
(cost variance by project to the portfolio total).

Methodology and governance (:mod:`pmo_lib.methodology`): :func:`phase_shares` (the life cycles
of several templates, each phase's share of the effort and the gates), :func:`v_model` (the
V-model diagram, development phases facing the phases that verify them),
:func:`approach_scores` (the "which approach fits?" score breakdown), and the styled tables
:func:`raci_matrix` and :func:`compliance_table` (gate and deliverable compliance, the state
coloured).

Portfolio scoring and selection (:mod:`pmo_lib.portfolio`): :func:`score_breakdown` (the
weighted score of each candidate as stacked bars, one per criterion) and
:func:`efficient_frontier` (the best value per budget as steps, with the budget, the selection
and other portfolios marked).

Resource loading (:mod:`pmo_lib.resources`): :func:`utilisation_heat_map` (resource or role ×
period, each cell in its utilisation band and annotated with the percentage) and
:func:`resource_histogram` (one resource's or role's demand per period against its capacity,
the over-allocated part highlighted).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping

import matplotlib.colors as mcolors
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import matplotlib.transforms as mtransforms
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from . import agile, methodology
from .errors import DataValidationError, Problem
from .evm import RAG_COLOURS, RagThresholds, rag_status

__all__ = [
    "COMPLIANCE_COLOURS",
    "DEPENDENCY_COLOURS",
    "DEPENDENCY_LAYOUTS",
    "FRONTIER_CHANGES",
    "GANTT_COLOURS",
    "QUADRANT_COLOURS",
    "RACI_COLOURS",
    "RISK_COLOURS",
    "SELECTION_COLOURS",
    "UTILISATION_COLOURS",
    "approach_scores",
    "bullseye",
    "burnup",
    "compliance_table",
    "cumulative_flow",
    "dependency_map",
    "efficient_frontier",
    "exposure_trend",
    "gantt",
    "index_trend",
    "jcl_scatter",
    "links_at_risk",
    "money_formatter",
    "network",
    "performance_table",
    "phase_shares",
    "project_network",
    "raci_matrix",
    "rag_legend",
    "resource_histogram",
    "risk_heat_map",
    "risk_histogram",
    "s_curve",
    "s_curve_forecast",
    "score_breakdown",
    "spi_cpi_matrix",
    "stakeholder_grid",
    "throughput_forecast",
    "tornado",
    "utilisation_heat_map",
    "v_model",
    "variance_waterfall",
    "velocity",
]

#: Colours of the schedule charts, by kind of bar or marker.
GANTT_COLOURS = {
    "task": "#1f4e79",
    "critical": "#c62828",
    "near_critical": "#ef8f00",
    "complete": "#a9bdd1",
    "summary": "#37474f",
    "baseline": "#b5bcc4",
    "status": "#2e7d32",
}
#: Legend text of each kind of bar (also the ``label`` of its ``BarContainer``).
_GANTT_LABELS = {
    "task": "Task",
    "critical": "Critical (no float)",
    "near_critical": "Near-critical",
    "complete": "Complete",
    "summary": "Project (summary)",
    "baseline": "Baseline",
}

_MONEY_COLS = ("bac", "pv", "ev", "ac", "sv", "cv", "eac", "etc", "vac")
_INDEX_COLS = ("spi", "cpi", "tcpi", "spi_t")
_PERCENT_COLS = ("percent_complete", "percent_spent")


def money_formatter(currency: str = "EUR") -> mticker.FuncFormatter:
    """Axis formatter showing amounts as ``1.2M EUR`` / ``350k EUR``."""

    def fmt(x, _pos=None):
        a = abs(x)
        if a >= 1e6:
            return f"{x / 1e6:.1f}M {currency}"
        if a >= 1e3:
            return f"{x / 1e3:.0f}k {currency}"
        return f"{x:.0f} {currency}"

    return mticker.FuncFormatter(fmt)


def _ax(ax, figsize=(9, 4.5)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _finish(ax, title: str):
    """Title on the left, light grid, legend top left, no top and right spines."""
    ax.set_title(title, loc="left", fontweight="bold")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax


def s_curve(curve: pd.DataFrame, *, ax=None, title: str = "Portfolio S-curve",
            currency: str = "EUR", status_month=None):
    """Cumulative PV, EV and AC by month (the output of :func:`pmo_lib.evm.s_curve`).

    PV is drawn over the whole baseline; EV and AC up to the status month, which is marked.
    """
    ax = _ax(ax)
    x = curve.index.to_timestamp(how="end").normalize()
    ax.plot(x, curve["pv"], color="#1f4e79", lw=2, label="Planned value (PV)")
    ax.plot(x, curve["ev"], color="#2e7d32", lw=2, marker="o", ms=3, label="Earned value (EV)")
    ax.plot(x, curve["ac"], color="#c62828", lw=2, marker="s", ms=3, label="Actual cost (AC)")
    if status_month is not None:
        when = pd.Period(status_month, freq="M").to_timestamp(how="end")
        ax.axvline(when, color="0.4", ls="--", lw=1)
        ax.annotate(f"status {pd.Period(status_month, freq='M')}", (when, ax.get_ylim()[1]),
                    xytext=(4, -12), textcoords="offset points", fontsize=8, color="0.3")
    ax.yaxis.set_major_formatter(money_formatter(currency))
    return _finish(ax, title)


def spi_cpi_matrix(performance: pd.DataFrame, *, ax=None,
                   thresholds: RagThresholds | None = None, label: str = "name"):
    """Projects on an SPI × CPI chart, coloured by RAG, bubble size by BAC.

    The quadrants read: top right ahead and under budget; bottom left late and over budget.
    Projects whose SPI or CPI is not measurable yet are left out.
    """
    t = thresholds or RagThresholds()
    ax = _ax(ax, figsize=(7, 6))
    p = performance.dropna(subset=["spi", "cpi"])
    size = 60 + 600 * p["bac"] / max(float(performance["bac"].max()), 1.0)
    ax.scatter(p["spi"], p["cpi"], s=size, c=[RAG_COLOURS[r] for r in p["rag"]],
               alpha=0.8, edgecolors="white", linewidths=1)
    for _, row in p.iterrows():
        ax.annotate(str(row[label]) if label in p else str(row.name), (row["spi"], row["cpi"]),
                    xytext=(6, 4), textcoords="offset points", fontsize=8)
    lo = min(0.7, float(np.nanmin(p[["spi", "cpi"]].to_numpy(), initial=1.0)) - 0.05)
    hi = max(1.2, float(np.nanmax(p[["spi", "cpi"]].to_numpy(), initial=1.0)) + 0.05)
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    for v, style in ((1.0, "-"), (t.green, ":"), (t.amber, "--")):
        ax.axvline(v, color="0.5", lw=0.8, ls=style)
        ax.axhline(v, color="0.5", lw=0.8, ls=style)
    ax.set_xlabel("SPI (schedule): < 1 behind plan")
    ax.set_ylabel("CPI (cost): < 1 over budget")
    ax.set_title("Schedule and cost performance", loc="left", fontweight="bold")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax


def s_curve_forecast(curve: pd.DataFrame, eac: float, eac_low: float | None = None,
                     eac_high: float | None = None, forecast_finish=None, *, ax=None,
                     title: str = "Portfolio S-curve and forecast", currency: str = "EUR",
                     status_month=None):
    """The S-curve (:func:`s_curve`) with the estimate at completion as a forecast line.

    The forecast runs from the last measured actual cost to ``eac`` at ``forecast_finish``;
    ``eac_low`` and ``eac_high`` (e.g. the smallest and largest EAC over
    :data:`pmo_lib.evm.EAC_METHODS`) are drawn as a shaded band around it.

    Parameters
    ----------
    curve : DataFrame
        :func:`pmo_lib.evm.s_curve`: index ``month``, columns ``pv``, ``ev``, ``ac``. [cur]
    eac : float
        Estimate at completion. [cur]
    eac_low, eac_high : float, optional
        Range of the EAC; the band is drawn when both are given. [cur]
    forecast_finish : date or str, optional
        Forecast finish (e.g. from :func:`pmo_lib.evm.project_earned_schedule`); default (or
        NaT) the end of the curve's last month (the baseline finish). A finish within or
        before the last measured month (the project is finishing) is drawn at that month's
        end.
    ax : matplotlib Axes, optional
    title, currency : str
    status_month : str or Period, optional
        Marked as in :func:`s_curve`; default the last month with a measured AC.

    Returns
    -------
    matplotlib Axes
        Besides the lines of :func:`s_curve`: the line labelled ``"Forecast (EAC)"`` (two
        points: last AC, then EAC at the forecast finish), the band labelled
        ``"EAC range"`` (a ``PolyCollection``) and the line labelled
        ``"Budget at completion (BAC)"`` at the last PV.

    Raises
    ------
    ValueError
        The curve has no measured actual cost.
    """
    measured = curve["ac"].dropna()
    if measured.empty:
        raise ValueError("s_curve_forecast: the curve has no measured actual cost (AC) to "
                         "start the forecast from; pass evm.s_curve(portfolio, through=month)")
    last = measured.index[-1]
    if status_month is None:
        status_month = last
    ax = s_curve(curve, ax=ax, title=title, currency=currency, status_month=status_month)
    start = last.to_timestamp(how="end").normalize()
    finish = (curve.index[-1].to_timestamp(how="end").normalize()
              if forecast_finish is None or pd.isna(forecast_finish)
              else max(pd.Timestamp(forecast_finish), start))
    x = [start, finish]
    a0 = float(measured.iloc[-1])
    if eac_low is not None and eac_high is not None:
        ax.fill_between(x, [a0, float(eac_low)], [a0, float(eac_high)], color="#c62828",
                        alpha=0.15, lw=0, label="EAC range")
    ax.plot(x, [a0, float(eac)], color="#c62828", lw=1.8, ls="--", marker="o", ms=4,
            markevery=[1], label="Forecast (EAC)")
    ax.axhline(float(curve["pv"].iloc[-1]), color="#1f4e79", lw=0.8, ls=":",
               label="Budget at completion (BAC)")
    ax.annotate(f"EAC {money_formatter(currency)(float(eac))}", (finish, float(eac)),
                xytext=(4, 4), textcoords="offset points", fontsize=8, color="#c62828")
    ax.legend(loc="upper left", frameon=False)
    return ax


def bullseye(performance: pd.DataFrame, *, ax=None, thresholds: RagThresholds | None = None,
             label: str = "name", title: str = "Cost and schedule performance"):
    """One dot per project, CPI (up) against SPI(t) (across), on RAG zones around (1, 1).

    The zones follow :class:`~pmo_lib.evm.RagThresholds`: green where SPI(t) and CPI are both
    at or above ``green``, amber where both are at or above ``amber``, red elsewhere (the
    status of :func:`pmo_lib.evm.rag_status` with SPI(t) in place of SPI). They are nested
    rectangles with their corner at the thresholds, open towards the top right: an index above
    1 is never a problem for the RAG. A dot is coloured by its zone. Projects whose SPI(t) or
    CPI is not measurable yet (NaN) are left out and named under the chart.

    Parameters
    ----------
    performance : DataFrame
        Columns ``spi_t`` and ``cpi``, one row per project, e.g.
        ``evm.project_performance(pf, m).join(evm.project_earned_schedule(pf, m))``.
    ax : matplotlib Axes, optional
    thresholds : RagThresholds, optional
    label : str
        Column naming each dot (default ``name``; the index when the column is missing).
    title : str

    Returns
    -------
    matplotlib Axes
        The dots are the collection labelled ``"Projects"`` (offsets ``(spi_t, cpi)`` in the
        order of the measurable rows); the zones are rectangles with gid ``"rag-zone-red"``,
        ``"rag-zone-amber"`` and ``"rag-zone-green"``.
    """
    t = thresholds or RagThresholds()
    ax = _ax(ax, figsize=(7, 6))
    ok = performance[["spi_t", "cpi"]].notna().all(axis=1)
    p = performance[ok]
    values = p[["spi_t", "cpi"]].to_numpy(dtype=float)
    lo = min(t.amber - 0.1, float(np.min(values, initial=1.0)) - 0.05)
    hi = max(2.0 - lo, float(np.max(values, initial=1.0)) + 0.05)
    for level, corner in (("red", lo), ("amber", t.amber), ("green", t.green)):
        tint = 0.22 * np.asarray(mcolors.to_rgb(RAG_COLOURS[level])) + 0.78  # on white
        ax.add_patch(plt.Rectangle((corner, corner), hi - corner, hi - corner,
                                   facecolor=tuple(tint), lw=0,
                                   gid=f"rag-zone-{level}", label=f"{level} zone", zorder=0))
    rag = rag_status(p["spi_t"], p["cpi"], t)["rag"] if len(p) else pd.Series(dtype=object)
    ax.scatter(p["spi_t"], p["cpi"], c=[RAG_COLOURS[r] for r in rag], s=70,
               edgecolors="white", linewidths=1, zorder=3, label="Projects")
    names = p[label] if label in p else pd.Series(p.index, index=p.index)
    for (x, y), name in zip(values, names, strict=True):
        ax.annotate(str(name), (x, y), xytext=(6, 4), textcoords="offset points", fontsize=8)
    ax.axvline(1.0, color="0.4", lw=0.8)
    ax.axhline(1.0, color="0.4", lw=0.8)
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_aspect("equal")
    ax.set_xlabel("SPI(t) (schedule, earned schedule): < 1 late")
    ax.set_ylabel("CPI (cost): < 1 over budget")
    ax.set_title(title, loc="left", fontweight="bold")
    left_out = performance[~ok]
    if len(left_out):
        who = left_out[label] if label in left_out else left_out.index
        ax.annotate("not measurable yet: " + ", ".join(map(str, who)), (0, -0.12),
                    xycoords="axes fraction", fontsize=7.5, color="0.4", va="top")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax


#: Line styles of :func:`index_trend`, by column: (legend label, colour, marker).
_TREND_LINES = {
    "cpi": ("CPI", "#c62828", "s"),
    "spi": ("SPI", "#1f4e79", "o"),
    "spi_t": ("SPI(t)", "#2e7d32", "^"),
}


def index_trend(frame: pd.DataFrame, *, ax=None, thresholds: RagThresholds | None = None,
                title: str = "Performance indices by month"):
    """CPI, SPI and SPI(t) month by month, for one project or the portfolio.

    Parameters
    ----------
    frame : DataFrame
        Indexed by month (a monthly ``PeriodIndex``, or anything ``pd.Period(…, "M")``
        reads); columns ``cpi``, ``spi`` and ``spi_t`` (those present are drawn). A NaN
        (not measurable that month) leaves a gap.
    ax : matplotlib Axes, optional
    thresholds : RagThresholds, optional
        The green and amber thresholds are drawn as dotted and dashed lines.
    title : str

    Returns
    -------
    matplotlib Axes
        One line per index labelled ``"CPI"``, ``"SPI"``, ``"SPI(t)"``; x is the end of each
        month (matplotlib date numbers), y the index.

    Raises
    ------
    ValueError
        None of ``cpi``, ``spi``, ``spi_t`` is a column.
    """
    drawn = [c for c in _TREND_LINES if c in frame.columns]
    if not drawn:
        raise ValueError(f"index_trend: no index to draw; the frame needs one of the columns "
                         f"{', '.join(_TREND_LINES)}, it has {', '.join(map(str, frame.columns))}")
    t = thresholds or RagThresholds()
    ax = _ax(ax)
    months = pd.PeriodIndex([pd.Period(m, freq="M") for m in frame.index])
    x = months.to_timestamp(how="end").normalize()
    for column in drawn:
        text, colour, marker = _TREND_LINES[column]
        ax.plot(x, frame[column].to_numpy(dtype=float), color=colour, marker=marker, ms=4,
                lw=1.8, label=text)
    ax.axhline(1.0, color="0.4", lw=0.8)
    ax.axhline(t.green, color=RAG_COLOURS["amber"], lw=0.8, ls=":")
    ax.axhline(t.amber, color=RAG_COLOURS["red"], lw=0.8, ls="--")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.set_ylabel("index (1 = on plan)")
    ax.set_title(title, loc="left", fontweight="bold")
    ax.grid(alpha=0.3)
    ax.legend(loc="best", frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax


def variance_waterfall(performance: pd.DataFrame, *, ax=None, column: str = "cv",
                       label: str = "name", currency: str = "EUR",
                       total_label: str = "Portfolio",
                       title: str = "Cost variance by project"):
    """Cost variance (CV = EV − AC) by project as a waterfall to the portfolio total.

    Each project is a floating bar from the running total before it to the running total
    after it (green when it adds, red when it takes away); the last bar is the total from 0.

    Parameters
    ----------
    performance : DataFrame
        :func:`pmo_lib.evm.project_performance` (one row per project, in the order drawn).
    ax : matplotlib Axes, optional
    column : str
        The variance to draw (``cv``, or ``sv``, ``vac``). [cur]
    label : str
        Column naming each bar (default ``name``; the index when missing).
    currency, total_label, title : str

    Returns
    -------
    matplotlib Axes
        The project bars are the ``BarContainer`` labelled ``"Projects"`` (bar ``i`` spans
        the cumulative sum of the first ``i`` variances to that of the first ``i + 1``), the
        total the one labelled ``"Total"``. A NaN variance counts as 0.
    """
    ax = _ax(ax, figsize=(max(6.0, 0.6 * len(performance) + 3), 4.5))
    v = performance[column].astype(float).fillna(0.0).to_numpy()
    after = np.cumsum(v)
    before = after - v
    names = performance[label] if label in performance else performance.index
    x = np.arange(len(v))
    colours = [RAG_COLOURS["green"] if d >= 0 else RAG_COLOURS["red"] for d in v]
    ax.bar(x, v, bottom=before, color=colours, width=0.7, label="Projects")
    total = float(after[-1]) if len(v) else 0.0
    ax.bar([len(v)], [total], color="#37474f", width=0.7, label="Total")
    for i in range(len(v)):  # connectors from each bar's end to the next bar's start
        ax.plot([i + 0.35, i + 0.65], [after[i], after[i]], color="0.5", lw=0.8,
                gid="connector")
    ax.axhline(0.0, color="0.3", lw=0.8)
    ax.set_xticks(np.arange(len(v) + 1), [*map(str, names), total_label], rotation=30,
                  ha="right")
    ax.yaxis.set_major_formatter(money_formatter(currency))
    ax.set_ylabel(f"{column.upper()} (negative = over budget)" if column == "cv"
                  else column.upper())
    ax.set_title(title, loc="left", fontweight="bold")
    ax.grid(axis="y", alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax


def performance_table(performance: pd.DataFrame, currency: str = "EUR",
                      columns: tuple[str, ...] | None = None, total_label: str | None = None):
    """A styled table of EVM performance: money without decimals, indices to 2 decimals,
    the RAG cell coloured. Column headers are the standard acronyms (BAC, PV, ...).

    Parameters
    ----------
    performance : DataFrame
        E.g. :func:`pmo_lib.evm.project_performance`, possibly with a total row appended.
    columns : tuple of str, optional
        Which columns to show, in order (default: all).
    total_label : str, optional
        Index label of a total row to show in bold.
    """
    df = performance if columns is None else performance[list(columns)]
    fmt = {c: "{:,.0f}" for c in df.columns if c in _MONEY_COLS}
    fmt |= {c: "{:.2f}" for c in df.columns if c in _INDEX_COLS}
    fmt |= {c: "{:.0f} %" for c in df.columns if c in _PERCENT_COLS}
    headers = {c: c.upper() if c in _MONEY_COLS + _INDEX_COLS else c.replace("_", " ")
               for c in df.columns} | {"spi_t": "SPI(t)"}
    styler = df.style.format(fmt, na_rep="–")
    if "rag" in df.columns:
        styler = styler.map(
            lambda r: f"background-color: {RAG_COLOURS.get(r, '#ffffff')}; color: white; "
            "font-weight: bold; text-align: center", subset=["rag"])
    if total_label is not None and total_label in df.index:
        styler = styler.set_properties(subset=pd.IndexSlice[[total_label], :],
                                       **{"font-weight": "bold", "border-top": "2px solid #333"})
    styler = styler.relabel_index([headers[c] for c in df.columns], axis="columns")
    return styler.set_caption(f"Amounts in {currency}")


def rag_legend(thresholds: RagThresholds | None = None):
    """A small styled table explaining the RAG colours for the given rating (SPI or SPI(t),
    CPI and, when rated, VAC / BAC)."""
    t = thresholds or RagThresholds()
    index = "SPI(t)" if t.schedule_index == "spi_t" else "SPI"
    vac_green = f" and VAC/BAC at or above {t.vac_amber:.0%}" if t.rate_vac else ""
    vac_amber = (f", or VAC/BAC between {t.vac_red:.0%} and {t.vac_amber:.0%}"
                 if t.rate_vac else "")
    vac_red = f", or VAC/BAC below {t.vac_red:.0%}" if t.rate_vac else ""
    legend = pd.DataFrame({
        "rag": ["green", "amber", "red", "grey"],
        "meaning": [
            f"{index} and CPI both at or above {t.green:.2f}{vac_green}: on track",
            f"{index} or CPI between {t.amber:.2f} and {t.green:.2f}{vac_amber}: watch, "
            "corrective action planned",
            f"{index} or CPI below {t.amber:.2f}{vac_red}: act now, escalate to the sponsor",
            "Not measurable yet: no work planned or cost spent to date",
        ],
    }).set_index("rag")
    return legend.style.map_index(
        lambda r: f"background-color: {RAG_COLOURS[r]}; color: white; font-weight: bold")


def gantt(tasks: pd.DataFrame, *, start: str | None = None, finish: str | None = None,
          ax=None, title: str | None = None, colour: str = "#1f4e79",
          group_by: str | int | pd.Series | None = None,
          expand: Iterable[str] | bool | None = None,
          group_labels: Mapping[str, str] | None = None, status_date=None,
          calendar=None, baseline: bool = True, max_height: float = 22.0):
    """A Gantt chart: one bar per task from ``start`` to ``finish``, milestones as diamonds.

    Two modes. A **task list** (e.g. ``portfolio.tasks``) is drawn as plain bars in
    ``colour`` from its baseline dates. A **schedule** (the output of
    :func:`pmo_lib.schedule.schedule_portfolio`, or of :func:`pmo_lib.schedule.cpm` with a
    start date: it has ``start_date``, ``finish_date`` and ``critical``) is drawn from its
    early dates with critical tasks in red, near-critical ones in amber, complete ones pale,
    the baseline as a thin grey bar under each bar, and the status date as a vertical line.
    With ``group_by`` each group (a project, or a WBS branch) collapses into one summary bar,
    labelled with the share of its open tasks that are critical, so a portfolio of hundreds
    of tasks stays readable; ``expand`` lists the groups to show task by task as well.

    Parameters
    ----------
    tasks : DataFrame
        A task list (columns ``id``, ``name``, ``milestone`` and the two date columns) or a
        schedule (indexed by task id). Drawn top to bottom in the order given; groups in the
        order they first appear.
    start, finish : str, optional
        Date columns to draw. Default: ``start_date`` and ``finish_date`` for a schedule,
        ``baseline_start`` and ``baseline_finish`` otherwise. A finish date is the last
        working day worked, so a bar ends at the end of that day.
    ax : matplotlib Axes, optional
    title : str, optional
    colour : str
        Bar colour of the task-list mode (a schedule uses :data:`GANTT_COLOURS`).
    group_by : str, int or Series, optional
        Summarise by this column (e.g. ``"project_id"``), by these labels (a Series aligned
        with ``tasks``), or by WBS level ``n`` (an int: the project and the first ``n``
        levels of the ``wbs`` column, e.g. ``"APP 2"``).
    expand : list of str or bool, optional
        Groups also drawn task by task under their summary bar; ``True`` expands all.
    group_labels : mapping, optional
        Label of each group (e.g. project id → name); default the group key.
    status_date : date, optional
        The status date: drawn at the end of that day. Default: from the schedule's
        ``attrs`` (``data_date`` and ``start``), when it was scheduled at a status date.
    calendar : WorkCalendar, optional
        Calendar of the schedule, to turn ``attrs['data_date']`` into a date exactly;
        without it the schedule's own dates are used (and Monday to Friday between them).
    baseline : bool
        Draw the baseline bars and milestones (when the baseline columns exist).
    max_height : float
        Largest figure height when ``ax`` is not given; the rows shrink to fit. [in]

    Returns
    -------
    matplotlib Axes
        In schedule mode each kind of bar is one ``BarContainer`` in ``ax.containers``
        labelled as in the legend (``"Task"``, ``"Critical (no float)"``,
        ``"Near-critical"``, ``"Complete"``, ``"Project (summary)"``, ``"Baseline"``);
        milestones are the collection labelled ``"Milestone"``, the status date the line
        labelled ``"Status date"``.

    Raises
    ------
    ValueError
        An unknown ``group_by`` column, a WBS level without a ``wbs`` column, or an
        ``expand`` group that does not exist (the message lists the valid ones).
    """
    if not _is_schedule(tasks) and group_by is None:
        return _gantt_tasks(tasks, start or "baseline_start", finish or "baseline_finish",
                            ax, title, colour, status_date)
    return _gantt_schedule(tasks, start, finish, ax, title, group_by, expand, group_labels,
                           status_date, calendar, baseline, max_height)


def _is_schedule(df: pd.DataFrame) -> bool:
    return {"start_date", "finish_date", "critical"} <= set(df.columns)


def _gantt_tasks(tasks, start, finish, ax, title, colour, status_date):
    """The task-list Gantt (the original chart: categorical rows, one colour)."""
    rows = tasks.iloc[::-1]
    labels = rows["id"].astype(str) + "  " + rows["name"].astype(str)
    ax = _ax(ax, figsize=(9, 0.22 * len(rows) + 1))
    work = ~rows["milestone"].to_numpy(dtype=bool)
    ax.barh(labels[work], rows[finish][work] - rows[start][work] + pd.Timedelta(days=1),
            left=rows[start][work], color=colour)
    ax.scatter(rows[finish][~work], labels[~work], marker="D", color="#c62828", zorder=3)
    if status_date is not None:
        _status_line(ax, pd.Timestamp(status_date))
    if title:
        ax.set_title(title, loc="left", fontweight="bold")
    ax.tick_params(axis="y", labelsize=7)
    ax.tick_params(axis="x", labelrotation=30)
    ax.grid(axis="x", alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax


def _status_line(ax, when: pd.Timestamp, annotate: bool = True) -> None:
    """Dashed vertical line at the end of the status day, labelled with the date."""
    x = mdates.date2num(when.normalize() + pd.Timedelta(days=1))
    ax.axvline(x, color=GANTT_COLOURS["status"], ls="--", lw=1.3, zorder=4,
               label="Status date")
    if annotate:
        ax.annotate(f"status {when.day} {when:%b %Y}", (x, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(3, -10), textcoords="offset points", fontsize=7.5,
                    color=GANTT_COLOURS["status"], fontweight="bold")


def _schedule_status_date(schedule: pd.DataFrame, calendar) -> pd.Timestamp | None:
    """The status date of a schedule: the working day before its data date (attrs)."""
    data_date, start = schedule.attrs.get("data_date"), schedule.attrs.get("start")
    if data_date is None or start is None or not np.isfinite(data_date):
        return None
    offset = round(float(data_date)) - 1
    if calendar is not None:
        return pd.Timestamp(calendar.offset_to_date(max(offset, 0), start))
    # No calendar: find a task that starts or finishes at that offset (dates exact), else
    # count Monday to Friday from the nearest such task before it.
    work = schedule["early_finish"] > schedule["early_start"] if "early_start" in schedule \
        else pd.Series(False, index=schedule.index)
    known = pd.concat([
        pd.Series(schedule.loc[work, "start_date"].to_numpy(),
                  index=schedule.loc[work, "early_start"].to_numpy()),
        pd.Series(schedule.loc[work, "finish_date"].to_numpy(),
                  index=schedule.loc[work, "early_finish"].to_numpy() - 1.0),
        pd.Series([pd.Timestamp(start)], index=[0.0]),
    ]).dropna()
    known = known[known.index <= offset + 1e-9]
    base = float(known.index.max())
    date = pd.Timestamp(known[known.index == base].iloc[0])
    return pd.Timestamp(np.busday_offset(np.datetime64(date.date(), "D"), offset - int(base),
                                         roll="forward"))


def _group_keys(tasks: pd.DataFrame, group_by) -> pd.Series:
    if isinstance(group_by, pd.Series):
        return group_by.reindex(tasks.index).astype(str)
    if isinstance(group_by, int | np.integer) and not isinstance(group_by, bool):
        if "wbs" not in tasks.columns:
            raise ValueError(f"group_by={group_by} groups by WBS level and needs a 'wbs' "
                             "column; join it to the schedule, e.g. schedule.join("
                             "portfolio.tasks.set_index('id')['wbs'])")
        branch = tasks["wbs"].astype(str).str.split(".").str[:int(group_by)].str.join(".")
        if "project_id" in tasks.columns:
            branch = tasks["project_id"].astype(str) + " " + branch
        return branch
    if group_by not in tasks.columns:
        raise ValueError(f"cannot group by {group_by!r}: no such column; use one of "
                         f"{', '.join(map(str, tasks.columns))}, a WBS level (int) or a "
                         "Series of group labels")
    return tasks[group_by].astype(str)


def _gantt_schedule(tasks, start, finish, ax, title, group_by, expand, group_labels,
                    status_date, calendar, baseline, max_height):
    sched = _is_schedule(tasks)
    start = start or ("start_date" if sched else "baseline_start")
    finish = finish or ("finish_date" if sched else "baseline_finish")
    ids = (tasks["id"] if "id" in tasks.columns else pd.Series(tasks.index, index=tasks.index)
           ).astype(str)
    one_day = pd.Timedelta(days=1)
    s = pd.to_datetime(tasks[start])
    f = pd.to_datetime(tasks[finish]) + one_day  # end of the finish day
    if "milestone" in tasks.columns:
        milestone = tasks["milestone"].fillna(False).astype(bool)
    elif "duration" in tasks.columns:
        milestone = tasks["duration"] == 0
    else:
        milestone = pd.Series(False, index=tasks.index)
    flag = {c: (tasks[c].fillna(False).astype(bool) if c in tasks.columns
                else pd.Series(False, index=tasks.index))
            for c in ("critical", "near_critical")}
    complete = (tasks["status"] == "complete") if "status" in tasks.columns \
        else pd.Series(False, index=tasks.index)
    kind = pd.Series(np.select([flag["critical"], flag["near_critical"], complete],
                               ["critical", "near_critical", "complete"], "task"),
                     index=tasks.index)
    has_base = baseline and {"baseline_start", "baseline_finish"} <= set(tasks.columns) \
        and (start, finish) != ("baseline_start", "baseline_finish")
    if has_base:
        bs = pd.to_datetime(tasks["baseline_start"])
        bf = pd.to_datetime(tasks["baseline_finish"]) + one_day
    names = tasks["name"].astype(str) if "name" in tasks.columns else None

    # Rows, top to bottom: ("task", row position) or ("summary", group key).
    rows: list[tuple[str, object]] = []
    keys = None
    if group_by is None:
        rows = [("task", i) for i in range(len(tasks))]
    else:
        keys = _group_keys(tasks, group_by)
        groups = list(pd.unique(keys))
        if expand is True:
            expanded = set(groups)
        else:
            expanded = {str(g) for g in (expand or ())}
            unknown = sorted(expanded - set(groups))
            if unknown:
                raise ValueError(f"cannot expand {', '.join(map(repr, unknown))}: no such "
                                 f"group; groups: {', '.join(groups)}")
        position = pd.Series(np.arange(len(tasks)), index=tasks.index)
        for g in groups:
            rows.append(("summary", g))
            if g in expanded:
                rows += [("task", int(i)) for i in position[(keys == g).to_numpy()]]
    n = len(rows)
    if ax is None:
        height = min(max_height, 0.24 * n + 1.8)
        _, ax = plt.subplots(figsize=(11, height), layout="constrained")
    fig_height = ax.figure.get_size_inches()[1] * ax.get_position().height
    label_size = float(np.clip(0.7 * 72 * fig_height / max(n, 1), 4.0, 8.0))

    y = np.arange(n, dtype=float)
    task_rows = np.array([r for kind_, r in rows if kind_ == "task"], dtype=int)
    task_y = np.array([y[k] for k, (kind_, _) in enumerate(rows) if kind_ == "task"])
    summary = [(y[k], g) for k, (kind_, g) in enumerate(rows) if kind_ == "summary"]
    x0, x1 = mdates.date2num(s.to_numpy()), mdates.date2num(f.to_numpy())

    # Task bars (work) by kind, milestones as diamonds, baseline thin and grey underneath.
    if len(task_rows):
        work = ~milestone.to_numpy()[task_rows]
        kinds = kind.to_numpy()[task_rows]
        for k in ("complete", "task", "near_critical", "critical"):
            m = work & (kinds == k)
            if m.any():
                r = task_rows[m]
                ax.barh(task_y[m], x1[r] - x0[r], left=x0[r], height=0.56,
                        color=GANTT_COLOURS[k], label=_GANTT_LABELS[k], zorder=2)
        if has_base:
            b0 = mdates.date2num(bs.to_numpy())[task_rows]
            b1 = mdates.date2num(bf.to_numpy())[task_rows]
            ok = work & np.isfinite(b0) & np.isfinite(b1)
            if ok.any():
                ax.barh(task_y[ok] + 0.36, (b1 - b0)[ok], left=b0[ok], height=0.16,
                        color=GANTT_COLOURS["baseline"], label=_GANTT_LABELS["baseline"],
                        zorder=1)
            ms = ~work & np.isfinite(b1)
            if ms.any():
                ax.scatter(b1[ms], task_y[ms], marker="D", s=26, facecolors="none",
                           edgecolors=GANTT_COLOURS["baseline"], linewidths=1.2, zorder=2,
                           label="Baseline milestone")
        ms = ~work
        if ms.any():
            r = task_rows[ms]
            ax.scatter(x1[r], task_y[ms], marker="D", s=34, zorder=3, label="Milestone",
                       c=[GANTT_COLOURS[k] if k != "task" else "#1a1a1a" for k in kinds[ms]],
                       edgecolors="white", linewidths=0.6)

    # Summary bars: earliest start to latest finish of each group, with its critical share.
    if summary:
        sy = np.array([v for v, _ in summary])
        first = pd.Series(x0).groupby(keys.to_numpy()).min()
        last = pd.Series(x1).groupby(keys.to_numpy()).max()
        g = [key for _, key in summary]
        ax.barh(sy, last[g].to_numpy() - first[g].to_numpy(), left=first[g].to_numpy(),
                height=0.5, color=GANTT_COLOURS["summary"], label=_GANTT_LABELS["summary"],
                zorder=2)
        if has_base:
            b0 = pd.Series(mdates.date2num(bs.to_numpy())).groupby(keys.to_numpy()).min()[g]
            b1 = pd.Series(mdates.date2num(bf.to_numpy())).groupby(keys.to_numpy()).max()[g]
            ax.barh(sy + 0.36, (b1 - b0).to_numpy(), left=b0.to_numpy(), height=0.16,
                    color=GANTT_COLOURS["baseline"], label=_GANTT_LABELS["baseline"],
                    zorder=1)
        open_ = ~complete.to_numpy()
        crit = pd.Series(flag["critical"].to_numpy() & open_).groupby(keys.to_numpy()).sum()
        live = pd.Series(open_).groupby(keys.to_numpy()).sum()
        for v, key in summary:
            note = (f"critical: {crit[key]} of {live[key]} open "
                    f"task{'s' if live[key] != 1 else ''}" if live[key] else "complete")
            ax.annotate(note, (last[key], v), xytext=(4, 0), textcoords="offset points",
                        va="center", fontsize=max(label_size - 0.5, 4.0),
                        color=GANTT_COLOURS["critical"] if crit[key] else "0.35")

    # Labels: summary rows in bold, tasks as "id  name", indented under a summary.
    labels_ = []
    for kind_, r in rows:
        if kind_ == "summary":
            labels_.append(str(r if group_labels is None else group_labels.get(r, r)))
        else:
            text = ids.iloc[r] + ("  " + names.iloc[r] if names is not None else "")
            text = text if len(text) <= 44 else text[:43] + "…"
            labels_.append(("    " if keys is not None else "") + text)
    ax.set_yticks(y, labels_)
    ax.tick_params(axis="y", labelsize=label_size, length=0)
    for tick, (kind_, _) in zip(ax.get_yticklabels(), rows, strict=True):
        if kind_ == "summary":
            tick.set_fontweight("bold")
    ax.set_ylim(n - 0.4, -0.7)
    if summary:  # room for the notes right of the bars
        lo, hi = ax.get_xlim()
        ax.set_xlim(lo, hi + 0.2 * (hi - lo))

    when = pd.Timestamp(status_date) if status_date is not None else (
        _schedule_status_date(tasks, calendar) if sched else None)
    if when is not None:
        _status_line(ax, when, annotate=False)
    ax.xaxis_date()
    locator = mdates.AutoDateLocator(minticks=5, maxticks=14)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.tick_params(axis="x", labelsize=8)
    if n > 35:
        ax.tick_params(axis="x", labeltop=True)
    ax.grid(axis="x", alpha=0.3)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    raise_by = 15 if n > 35 else 0  # clear the dates drawn on top of a tall chart
    _gantt_legend(ax, when, raise_by)
    if title:
        ax.set_title(title, loc="left", fontweight="bold", pad=20 + raise_by)
    return ax


def _gantt_legend(ax, when, raise_by: float) -> None:
    drawn = {c.get_label() for c in ax.containers}
    handles = [Patch(color=GANTT_COLOURS[k], label=_GANTT_LABELS[k])
               for k in ("summary", "critical", "near_critical", "task", "complete", "baseline")
               if _GANTT_LABELS[k] in drawn]
    if any(c.get_label() == "Milestone" for c in ax.collections):
        handles.append(Line2D([], [], marker="D", ls="", color="#1a1a1a", label="Milestone"))
    if when is not None:
        handles.append(Line2D([], [], color=GANTT_COLOURS["status"], ls="--",
                              label=f"Status date {when.day} {when:%b %Y}"))
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), frameon=False,
              ncols=len(handles), fontsize=7.5, handlelength=1.4, columnspacing=1.1,
              borderaxespad=0.2,
              bbox_transform=mtransforms.offset_copy(ax.transAxes, fig=ax.figure, y=raise_by,
                                                     units="points"))


# ----------------------------------------------------------------------------------------
# Dependency networks
# ----------------------------------------------------------------------------------------
def _lanes(x: pd.Series, end: pd.Series, first: pd.Series) -> pd.Series:
    """Greedy lane (row) of each node so that nodes in a lane do not overlap in x.

    Nodes flagged ``first`` (the critical ones) are placed first, so a critical path runs
    along the top lanes; the others fill the first lane free at their ``x``.
    """
    order = pd.DataFrame({"x": x, "first": first}).sort_values(
        ["first", "x"], ascending=[False, True], kind="stable").index
    free: list[float] = []
    lane = {}
    for node in order:
        for k, until in enumerate(free):
            if until <= x[node] + 1e-9:
                lane[node] = k
                free[k] = end[node]
                break
        else:
            lane[node] = len(free)
            free.append(end[node])
    return pd.Series(lane).reindex(x.index)


def _generations(graph: nx.DiGraph) -> dict:
    """Layer of each node: the longest chain of predecessors before it (cycles collapsed)."""
    dag = nx.condensation(graph)
    depth: dict = {}
    for c in nx.topological_sort(dag):
        depth[c] = max((depth[p] + 1 for p in dag.predecessors(c)), default=0)
    return {v: depth[dag.graph["mapping"][v]] for v in graph}


_NODE_KINDS = (("critical", "Critical task"), ("near_critical", "Near-critical task"),
               ("task", "Task"), ("complete", "Complete task"))


def network(graph_or_schedule, links: pd.DataFrame | None = None, *,
            schedule: pd.DataFrame | None = None, project: str | None = None, ax=None,
            title: str | None = None, labels: bool = True, max_height: float = 14.0):
    """A project's dependency network, left to right by early start, critical links in red.

    Each task is a node placed at its early start (working days: a time-scaled logic
    diagram) in the first free row, critical tasks first so the critical path runs along
    the top; milestones are diamonds. Arrows are the links; those that drive a critical
    task from a critical predecessor (the critical path) are thick and red.

    Parameters
    ----------
    graph_or_schedule : DataFrame or networkx.DiGraph
        A schedule (:func:`pmo_lib.schedule.schedule_portfolio` or
        :func:`~pmo_lib.schedule.cpm`; then ``links`` is required) or a task graph
        (:func:`pmo_lib.network.dependency_graph`; ``schedule`` optional).
    links : DataFrame, optional
        ``pred``, ``succ``, ``type``, ``lag`` (e.g. ``portfolio.links``), with a schedule.
    schedule : DataFrame, optional
        With a graph: early starts and critical flags. Without one the nodes are laid out in
        layers (the longest chain of predecessors before each task) and nothing is critical.
    project : str, optional
        Draw only this project's tasks (links to other projects are left out).
    labels : bool
        Write each task's id beside its node.
    max_height : float
        Largest figure height when ``ax`` is not given. [in]

    Returns
    -------
    matplotlib Axes
        Node collections labelled ``"Critical task"``, ``"Near-critical task"``, ``"Task"``,
        ``"Complete task"`` (milestones add ``" (milestone)"``); link arrows are patches with
        gid ``"critical-link"`` or ``"link"``.

    Raises
    ------
    ValueError
        A schedule without ``links``, or an unknown ``project`` (the message lists them).
    """
    from .schedule import link_slack

    if isinstance(graph_or_schedule, pd.DataFrame):
        if links is None:
            raise ValueError("network(schedule, links): pass the links the schedule was "
                             "computed with, e.g. portfolio.links")
        schedule = graph_or_schedule
        graph = nx.DiGraph()
        graph.add_nodes_from(schedule.index.astype(str))
        known = set(graph)
        inside = links[links["pred"].astype(str).isin(known)
                       & links["succ"].astype(str).isin(known)]
        graph.add_edges_from(
            (str(p), str(s), {"type": t, "lag": lag}) for p, s, t, lag in zip(
                inside["pred"], inside["succ"],
                inside["type"] if "type" in inside else ["FS"] * len(inside),
                inside["lag"] if "lag" in inside else [0.0] * len(inside), strict=True))
    else:
        graph = graph_or_schedule
    info = pd.DataFrame.from_dict(dict(graph.nodes(data=True)), orient="index")
    info = info.reindex(pd.Index(list(graph), dtype=object))
    if schedule is not None:
        info = schedule.set_axis(schedule.index.astype(str)).reindex(info.index).combine_first(
            info)
    if project is not None:
        owners = info["project_id"].astype(str) if "project_id" in info else \
            pd.Series("", index=info.index)
        if project not in set(owners):
            raise ValueError(f"no project {project!r} in the network; projects: "
                             f"{', '.join(sorted(owners.dropna().unique()))}")
        graph = graph.subgraph(info.index[owners == project]).copy()
        info = info.loc[list(graph)]
    nodes = pd.Index(list(graph), dtype=object)

    # Positions: x = early start (or layer), y = lane.
    timed = "early_start" in info and info["early_start"].notna().all()
    if timed:
        x = info["early_start"].astype(float)
        width = (info["early_finish"].astype(float) - x) if "early_finish" in info else 0 * x
    else:
        x = pd.Series(_generations(graph), dtype=float).reindex(nodes)
        width = 0 * x
    span = float(x.max() - x.min()) if len(x) else 1.0
    gap = max(span, 1.0) / 22.0  # room for a label
    critical = info["critical"].fillna(False).astype(bool) if "critical" in info else \
        pd.Series(False, index=nodes)
    lane = _lanes(x, x + np.maximum(width, gap), critical)
    pos = {v: (float(x[v]), -float(lane[v])) for v in nodes}

    n_lanes = int(lane.max()) + 1 if len(lane) else 1
    if ax is None:
        _, ax = plt.subplots(figsize=(12, min(max_height, 0.42 * n_lanes + 1.8)),
                             layout="constrained")

    # Links: grey, the critical ones thick and red.
    edges = list(graph.edges)
    crit_edges: set = set()
    if edges and schedule is not None and "critical" in info:
        frame = pd.DataFrame([(u, v, d.get("type", "FS"), d.get("lag", 0.0))
                              for u, v, d in graph.edges(data=True)],
                             columns=["pred", "succ", "type", "lag"])
        slack = link_slack(info.loc[nodes], frame)
        on = slack["driving"].to_numpy() & critical[frame["pred"]].to_numpy() \
            & critical[frame["succ"]].to_numpy()
        crit_edges = set(zip(frame["pred"][on], frame["succ"][on], strict=True))
    plain = [e for e in edges if e not in crit_edges]
    for edgelist, colour, lw, gid, rad in ((plain, "#9aa5b1", 0.8, "link", 0.12),
                                          (sorted(crit_edges), GANTT_COLOURS["critical"], 2.0,
                                           "critical-link", 0.0)):
        if not edgelist:
            continue
        arrows = nx.draw_networkx_edges(
            graph, pos, edgelist=edgelist, ax=ax, edge_color=colour, width=lw, arrows=True,
            arrowstyle="-|>", arrowsize=8, node_size=60, connectionstyle=f"arc3,rad={rad}")
        for arrow in arrows:
            arrow.set_gid(gid)
            arrow.set_zorder(1 if gid == "link" else 2)

    # Nodes by kind; milestones as diamonds.
    status = info["status"] if "status" in info else pd.Series("", index=nodes)
    near = info["near_critical"].fillna(False).astype(bool) if "near_critical" in info else \
        pd.Series(False, index=nodes)
    kind = pd.Series(np.select([critical, near, status == "complete"],
                               ["critical", "near_critical", "complete"], "task"), index=nodes)
    milestone = info["milestone"].fillna(False).astype(bool) if "milestone" in info else \
        pd.Series(False, index=nodes)
    for k, label in _NODE_KINDS:
        for is_ms, marker in ((False, "o"), (True, "D")):
            m = (kind == k) & (milestone == is_ms)
            if m.any():
                ax.scatter(x[m], -lane[m], s=46 if is_ms else 40, marker=marker, zorder=3,
                           color=GANTT_COLOURS[k], edgecolors="white", linewidths=0.6,
                           label=label + (" (milestone)" if is_ms else ""))
    if labels:
        size = 6.5 if len(nodes) <= 60 else 5.5
        for v in nodes:
            ax.annotate(str(v), pos[v], xytext=(0, 5), textcoords="offset points",
                        ha="center", fontsize=size, color="0.25")

    if timed and "start_date" in info:
        # Ticks at nodes (their dates are exact), about evenly spaced.
        dates = info.assign(x=x).sort_values("x").drop_duplicates("x").set_index("x")
        ticks: list[float] = []
        for target in np.linspace(float(x.min()), float(x.max()), 8):
            k = int(np.abs(dates.index.to_numpy() - target).argmin())
            at = float(dates.index[k])
            if not ticks or at - ticks[-1] >= span / 9.0:
                ticks.append(at)
        ax.set_xticks(ticks, [f"{d:%d %b %Y}" for d in dates.loc[ticks, "start_date"]])
        ax.set_xlabel("early start")
    elif timed:
        ax.set_xlabel("early start [working days from the schedule start]")
    else:
        ax.set_xlabel("dependency layer (longest chain of predecessors)")
    # networkx hides the tick labels and widens the limits to its arcs' control points.
    ax.tick_params(axis="x", labelsize=8, bottom=True, labelbottom=True)
    ax.set_yticks([])
    lo, hi = (float(x.min()), float(x.max())) if len(x) else (0.0, 1.0)
    pad = 0.04 * max(hi - lo, 1.0)
    ax.set_xlim(lo - pad, hi + pad)
    ax.set_ylim(-(n_lanes - 1) - 0.6, 0.7)
    ax.grid(axis="x", alpha=0.3)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    handles = [Line2D([], [], marker="o", ls="", color=GANTT_COLOURS[k], label=label)
               for k, label in _NODE_KINDS if (kind == k).any()]
    if milestone.any():
        handles.append(Line2D([], [], marker="D", ls="", color="0.3", label="Milestone"))
    if crit_edges:
        handles.append(Line2D([], [], color=GANTT_COLOURS["critical"], lw=2,
                              label="Critical path link"))
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), frameon=False,
              ncols=max(len(handles), 1), fontsize=7.5, borderaxespad=0.2)
    if title:
        ax.set_title(title, loc="left", fontweight="bold", pad=20)
    return ax


def project_network(project_graph: nx.DiGraph, *, budget=None,
                    labels: Mapping[str, str] | None = None, ax=None,
                    title: str | None = "Dependencies between projects",
                    currency: str = "EUR"):
    """The portfolio's project-to-project dependencies: who waits for whom.

    Projects are laid out left to right in dependency layers (a project is right of every
    project it depends on; projects that depend on each other share a layer), sized by
    budget and coloured by programme. An arrow ``P → Q`` means tasks of ``Q`` wait for tasks
    of ``P``; its width grows with the number of links and is labelled with it.

    Parameters
    ----------
    project_graph : networkx.DiGraph
        :func:`pmo_lib.network.project_graph`: nodes are project ids (attributes ``name``,
        ``programme``), edges carry ``count`` (number of cross-project links).
    budget : Series or mapping, optional
        Project id → budget [cur], e.g. ``portfolio.projects.set_index("id")["budget"]``;
        default the node attribute ``budget`` when present, else equal sizes.
    labels : mapping, optional
        Project id → label drawn under the node (default the id).

    Returns
    -------
    matplotlib Axes
        Nodes are the collection labelled ``"Projects"`` (sizes in points², proportional to
        budget); edges are patches with gid ``"project-link"`` and linewidth growing with
        ``count``.
    """
    graph = project_graph
    nodes = list(graph)
    layer = pd.Series(_generations(graph), dtype=float).reindex(nodes) if nodes else \
        pd.Series(dtype=float)
    pos: dict = {}
    for col in sorted(layer.unique()):  # one sweep: order each layer by its predecessors
        members = list(layer.index[layer == col])
        pred_y = {v: np.mean([pos[u][1] for u in graph.predecessors(v) if u in pos] or [0.0])
                  for v in members}
        members.sort(key=lambda v: (pred_y[v], str(v)))
        for k, v in enumerate(members):
            pos[v] = (float(col), (len(members) - 1) / 2.0 - k)
    if budget is None:
        budget = {v: graph.nodes[v].get("budget", np.nan) for v in nodes}
    amount = pd.Series(dict(budget), dtype=float).reindex(nodes)
    top = float(amount.max()) if amount.notna().any() else np.nan
    size = (250 + 2600 * amount / top).fillna(900) if np.isfinite(top) and top > 0 else \
        pd.Series(900.0, index=nodes)
    programmes = [graph.nodes[v].get("programme") for v in nodes]
    palette = plt.get_cmap("tab10").colors
    kinds = list(dict.fromkeys(p for p in programmes if p is not None))
    colour = [palette[kinds.index(p) % 10] if p is not None else "#1f4e79" for p in programmes]

    if ax is None:
        depth = int(layer.max()) + 1 if len(layer) else 1
        tallest = int(layer.value_counts().max()) if len(layer) else 1
        _, ax = plt.subplots(figsize=(max(7.0, 2.3 * depth + 2), max(4.0, 1.25 * tallest + 1.5)),
                             layout="constrained")
    counts = {(u, v): float(d.get("count", len(d.get("links", ())) or 1))
              for u, v, d in graph.edges(data=True)}
    most = max(counts.values(), default=1.0)
    if counts:
        edgelist = list(counts)
        arrows = nx.draw_networkx_edges(
            graph, pos, edgelist=edgelist, ax=ax, width=[1.0 + 4.0 * counts[e] / most
                                                         for e in edgelist],
            edge_color="#7b8794", arrows=True, arrowstyle="-|>", arrowsize=14,
            node_size=size.tolist(), nodelist=nodes, connectionstyle="arc3,rad=0.12")
        for arrow in arrows:
            arrow.set_gid("project-link")
        for (u, v), c in counts.items():
            if most <= 1:
                break  # every pair has one link: the labels would say nothing
            (x0, y0), (x1, y1) = pos[u], pos[v]
            ax.annotate(f"{c:.0f}", ((x0 + x1) / 2, (y0 + y1) / 2), ha="center", va="center",
                        fontsize=7, color="0.3",
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"})
    ax.scatter([pos[v][0] for v in nodes], [pos[v][1] for v in nodes], s=size.to_numpy(),
               c=colour, edgecolors="white", linewidths=1.5, zorder=3, label="Projects")
    for v in nodes:
        ax.annotate(str(v), pos[v], ha="center", va="center", fontsize=8, fontweight="bold",
                    color="white", zorder=4)
        if labels is not None:
            ax.annotate(str(labels.get(v, v)), pos[v], xytext=(0, -np.sqrt(size[v]) / 2 - 3),
                        textcoords="offset points", ha="center", va="top", fontsize=7.5,
                        color="0.2", zorder=4, bbox={"boxstyle": "round,pad=0.1", "fc": "white",
                                                    "ec": "none", "alpha": 0.85})
    handles = [Line2D([], [], marker="o", ls="", ms=8, color=palette[k % 10], label=p)
               for k, p in enumerate(kinds)]
    if np.isfinite(top):
        handles.append(Line2D([], [], ls="", label=f"size: budget (largest "
                              f"{top / 1e6:,.1f} M {currency})"))
    if counts:
        handles.append(Line2D([], [], ls="", label="arrow P → Q: Q's tasks wait for P's;\n"
                              "width: number of links"))
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0),
                  frameon=False, fontsize=8)
    ax.set_axis_off()
    ax.margins(0.12, 0.18)
    if title:
        ax.set_title(title, loc="left", fontweight="bold")
    return ax


# ----------------------------------------------------------------------------------------
# Cross-project dependencies (the tables of pmo_lib.network.dependency_map)
# ----------------------------------------------------------------------------------------
#: Colours of the cross-project link statuses (:data:`pmo_lib.network.LINK_STATUSES`).
DEPENDENCY_COLOURS = {"late": "#c62828", "at risk": "#ef8f00", "on track": "#2e7d32",
                      "done": "#a9bdd1"}
#: How :func:`dependency_map` places the projects.
DEPENDENCY_LAYOUTS = ("layers", "programme")


def _dependency_positions(graph: nx.DiGraph, programme: pd.Series, layout: str) -> dict:
    """(x, y) of each project: dependency layers left to right, or one column per
    programme; in a column, projects ordered by their predecessors' height (layers) or by
    layer (programme), centred on y = 0."""
    layer = pd.Series(_generations(graph), dtype=float)
    pos: dict = {}
    if layout == "layers":
        for col in sorted(layer.unique()):
            members = list(layer.index[layer == col])
            pred_y = {v: np.mean([pos[u][1] for u in graph.predecessors(v) if u in pos]
                                 or [0.0]) for v in members}
            members.sort(key=lambda v: (-pred_y[v], str(v)))
            for k, v in enumerate(members):
                pos[v] = (float(col), (len(members) - 1) / 2.0 - k)
        return pos
    columns = list(dict.fromkeys(programme.reindex(list(graph)).fillna("").tolist()))
    for x, name in enumerate(columns):
        members = [v for v in graph if programme.get(v, "") == name]
        members.sort(key=lambda v: (layer[v], str(v)))
        for k, v in enumerate(members):
            pos[v] = (1.6 * x, (len(members) - 1) / 2.0 - k)
    return pos


def _arc(pos: dict, u, v, rad: float) -> np.ndarray:
    """Points along Matplotlib's ``arc3`` connection from ``u`` to ``v`` (a quadratic
    Bézier curve whose control point is ``rad`` × the chord, turned clockwise, from the
    chord's middle), equal aspect assumed."""
    (x0, y0), (x1, y1) = pos[u], pos[v]
    control = np.array([(x0 + x1) / 2 + rad * (y1 - y0), (y0 + y1) / 2 - rad * (x1 - x0)])
    t = np.linspace(0.15, 0.85, 15)[:, None]
    return (1 - t) ** 2 * np.array([x0, y0]) + 2 * (1 - t) * t * control \
        + t ** 2 * np.array([x1, y1])


def _arc_rad(graph: nx.DiGraph, pos: dict, u, v) -> float:
    """The bend of the arrow ``u → v``: slight, or more (either way) when that keeps it
    clear of the other projects. Both arrows of a pair linked both ways bend the same way,
    which keeps them apart."""
    if graph.has_edge(v, u):
        return 0.15
    others = np.array([pos[w] for w in graph if w not in (u, v)]).reshape(-1, 2)
    best, clearance = 0.15, -1.0
    for rad in (0.15, -0.15, 0.3, -0.3, 0.45, -0.45):
        points = _arc(pos, u, v, rad)
        gap = np.inf if not len(others) else float(
            np.min(np.hypot(*(points[:, None, :] - others[None, :, :]).transpose(2, 0, 1))))
        if gap >= 0.35:
            return rad
        if gap > clearance:
            best, clearance = rad, gap
    return best


def dependency_map(table: pd.DataFrame, *, projects: pd.DataFrame | None = None,
                   layout: str = "layers", ax=None, title: str | None = None):
    """Who waits on whom: projects as nodes, their cross-project links as arrows coloured by
    the worst status, labelled with the number of links and the worst margin.

    Parameters
    ----------
    table : DataFrame
        :func:`pmo_lib.network.dependency_map` (or some of its rows, e.g.
        :func:`~pmo_lib.network.links_at_risk`).
    projects : DataFrame, optional
        ``portfolio.projects`` (``id``, ``programme``): every project is drawn, even one
        without cross-project links, coloured by programme. Default: the projects of the map,
        in one colour.
    layout : {"layers", "programme"}
        ``"layers"`` (default): left to right in dependency layers, a project right of the
        projects it waits on (projects waiting on each other share a layer);
        ``"programme"``: one column per programme.
    ax : matplotlib Axes, optional
    title : str, optional
        Default ``"Cross-project dependencies, <month>"`` (``"..., plan"`` without a month).

    Returns
    -------
    matplotlib Axes
        Projects are the collection labelled ``"Projects"`` (one offset per project, in the
        order of ``projects`` or of first appearance); one arrow per pair of projects, a
        patch with gid ``"<pred project>-><succ project>"`` coloured by
        :data:`DEPENDENCY_COLOURS` of the pair's worst status
        (:func:`pmo_lib.network.project_dependencies`) and wider with more links; each arrow
        is labelled ``"<links> · <worst margin of the open links> d"`` (``"<links> · done"``
        when every link is done).

    Raises
    ------
    DataValidationError
        An unknown ``layout`` (the message lists them); a table without the columns of
        :func:`pmo_lib.network.dependency_map`.
    """
    from .network import project_dependencies

    if layout not in DEPENDENCY_LAYOUTS:
        raise DataValidationError(Problem(
            "dependency_map", None, None, "layout", f"unknown layout {layout!r}; use one of "
            f"{', '.join(map(repr, DEPENDENCY_LAYOUTS))}"))
    pairs = project_dependencies(table)
    graph = nx.DiGraph()
    if projects is not None:
        graph.add_nodes_from(projects["id"].astype(str))
        programme = projects.set_index(projects["id"].astype(str))["programme"].astype(str)
    else:
        programme = pd.Series(dtype=object)
    graph.add_edges_from(zip(pairs["pred_project"].astype(str),
                             pairs["succ_project"].astype(str), strict=True))
    nodes = list(graph)
    pos = _dependency_positions(graph, programme, layout)

    xy = np.array(list(pos.values()) or [(0.0, 0.0)], dtype=float)
    if ax is None:  # 1.3 in per unit of the layout, and room for the legend
        width, height = np.ptp(xy, axis=0)
        _, ax = plt.subplots(figsize=(1.3 * (width + 1.1) + 3.8, 1.3 * (height + 1.2) + 0.8),
                             layout="constrained")
    palette = plt.get_cmap("tab10").colors
    kinds = list(dict.fromkeys(programme.reindex(nodes).dropna().tolist()))
    colour = [palette[kinds.index(programme[v]) % 10] if v in programme.index else "#1f4e79"
              for v in nodes]
    size = 1100.0
    most = float(pairs["links"].max()) if len(pairs) else 1.0
    for row in pairs.itertuples(index=False):
        u, v = str(row.pred_project), str(row.succ_project)
        rad = _arc_rad(graph, pos, u, v)
        arrows = nx.draw_networkx_edges(
            graph, pos, edgelist=[(u, v)], ax=ax, edge_color=DEPENDENCY_COLOURS[row.status],
            width=1.5 + 3.0 * (row.links - 1) / max(most - 1.0, 1.0), arrows=True,
            arrowstyle="-|>", arrowsize=14, node_size=size, nodelist=nodes,
            connectionstyle=f"arc3,rad={rad}")
        for arrow in arrows:
            arrow.set_gid(f"{u}->{v}")
            arrow.set_zorder(2)
        # The middle of the arc; of a pair linked both ways, a third of the way along each.
        at = _arc(pos, u, v, rad)[4 if graph.has_edge(v, u) else 7]
        text = f"{row.links} · done" if row.status == "done" else \
            f"{row.links} · {row.worst_margin:+.0f} d"
        ax.annotate(text, at, ha="center", va="center", fontsize=7.5, zorder=4,
                    color=DEPENDENCY_COLOURS[row.status] if row.status != "done" else "0.4",
                    fontweight="bold" if row.status == "late" else "normal", gid=f"{u}->{v}",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                          "alpha": 0.9})
    ax.scatter([pos[v][0] for v in nodes], [pos[v][1] for v in nodes], s=size, c=colour,
               edgecolors="white", linewidths=1.5, zorder=3, label="Projects")
    for v in nodes:
        ax.annotate(v, pos[v], ha="center", va="center", fontsize=8, fontweight="bold",
                    color="white", zorder=4)

    handles = [Line2D([], [], color=DEPENDENCY_COLOURS[s], lw=2.5, label=s.capitalize())
               for s in DEPENDENCY_COLOURS]
    handles += [Line2D([], [], marker="o", ls="", ms=8, color=palette[k % 10], label=p)
                for k, p in enumerate(kinds)]
    threshold = table.attrs.get("margin")
    note = "arrow P → Q: Q waits on P\nlabel: links · worst open margin [d]"
    if threshold is not None:
        note += f"\nat risk: margin ≤ {threshold:g} d"
    handles.append(Line2D([], [], ls="", label=note))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False,
              fontsize=8)
    # networkx widens the limits to its arcs' control points: set them from the nodes.
    ax.set_xlim(xy[:, 0].min() - 0.55, xy[:, 0].max() + 0.55)
    ax.set_ylim(xy[:, 1].min() - 0.6, xy[:, 1].max() + 0.6)
    ax.set_aspect("equal", adjustable="box")  # arc3 bends in display space
    ax.set_anchor("W")  # the room the aspect leaves goes to the legend, on the right
    ax.set_axis_off()
    month = table.attrs.get("month")
    ax.set_title(title or f"Cross-project dependencies, {month if month else 'plan'}",
                 loc="left", fontweight="bold")
    return ax


def links_at_risk(links: pd.DataFrame, *, ax=None, title: str | None = None):
    """Forecast against need date, one row per cross-project link: a dumbbell chart.

    Each link is a row (the first row of the table at the top): a bar from the need date to
    the predecessor's forecast, coloured by the link's status, the baseline as a hollow
    marker and the margin written beside the forecast. The status date is a vertical line.

    Parameters
    ----------
    links : DataFrame
        :func:`pmo_lib.network.links_at_risk` (worst first), or any rows of
        :func:`~pmo_lib.network.dependency_map`.
    ax : matplotlib Axes, optional
    title : str, optional
        Default ``"Cross-project links at risk, <month>"``.

    Returns
    -------
    matplotlib Axes
        Per link a line with gid ``"<pred task>-><succ task>"`` from ``need_date`` to
        ``pred_forecast``; point collections ``"Need date"``, ``"Baseline"`` and one
        ``"Forecast (<status>)"`` per status present (x in Matplotlib date numbers, y the
        row: 0 for the last row, ``len(links) − 1`` for the first); y tick labels
        ``"<pred task> → <succ task> (<type><lag>)"``.
    """
    n = len(links)
    ax = _ax(ax, figsize=(10, 0.42 * max(n, 3) + 1.6))
    y = np.arange(n)[::-1].astype(float)
    need = pd.to_datetime(links["need_date"]).to_numpy()
    fore = pd.to_datetime(links["pred_forecast"]).to_numpy()
    status = links["status"].to_numpy(dtype=object)
    for yi, a, b, s, p, q in zip(y, need, fore, status, links["pred_task"], links["succ_task"],
                                 strict=True):
        ax.plot([a, b], [yi, yi], color=DEPENDENCY_COLOURS[s], lw=2.2, alpha=0.6,
                solid_capstyle="butt", gid=f"{p}->{q}", zorder=1)
    ax.scatter(pd.to_datetime(links["pred_baseline"]).to_numpy(), y, marker="o", s=36,
               facecolors="none", edgecolors="0.45", linewidths=1.2, zorder=2,
               label="Baseline")
    ax.scatter(need, y, marker="|", s=220, color="0.15", linewidths=2.2, zorder=3,
               label="Need date")
    for s in DEPENDENCY_COLOURS:
        m = status == s
        if m.any():
            ax.scatter(fore[m], y[m], s=46, color=DEPENDENCY_COLOURS[s], zorder=4,
                       edgecolors="white", linewidths=0.6, label=f"Forecast ({s})")
    for yi, a, b, margin, s in zip(y, need, fore, links["margin"], status, strict=True):
        ax.annotate(f"{margin:+.0f} d", (mdates.date2num(max(a, b)), yi), xytext=(7, 0),
                    textcoords="offset points", va="center", fontsize=7.5,
                    color=DEPENDENCY_COLOURS[s] if s != "done" else "0.4")
    lag = links["lag"].astype(float)
    tails = [f"{t}{g:+g}" if g else t for t, g in zip(links["type"], lag, strict=True)]
    ax.set_yticks(y, [f"{p} → {q} ({t})" for p, q, t in
                      zip(links["pred_task"], links["succ_task"], tails, strict=True)],
                  fontsize=8)
    ax.set_ylim(-0.8, n - 0.2 if n else 0.8)
    when = links.attrs.get("status_date")
    if when is not None:
        _status_line(ax, pd.Timestamp(when))
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.set_xlabel("predecessor's driving end (finish, or start for SS and SF links)")
    month = links.attrs.get("month")
    default = f"Cross-project links at risk, {month if month else 'plan'}"
    ax.grid(axis="x", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=6, frameon=False,
              fontsize=8)
    ax.set_title(title or default, loc="left", fontweight="bold")
    return ax


# ----------------------------------------------------------------------------------------
# Agile delivery charts (the tables of pmo_lib.agile)
# ----------------------------------------------------------------------------------------
_AGILE_COLOURS = {"scope": "#37474f", "completed": "#2e7d32", "committed": "#a9bdd1",
                  "mean": "#1f4e79", "recent": "#ef8f00", "forecast": "#1f4e79"}
#: CFD band colours, by state (first state on top).
_STATE_COLOURS = {"backlog": "#cfd8dc", "in_progress": "#64b5f6", "review": "#ffb74d",
                  "done": "#81c784"}



def _agile_one_project(frame: pd.DataFrame, project, function: str) -> tuple[pd.DataFrame, str]:
    """The rows of one project (level ``project_id`` of the index) and its name."""
    projects = list(pd.unique(frame.index.get_level_values("project_id")))
    if project is None:
        if len(projects) != 1:
            raise DataValidationError(Problem(
                function, None, None, "project",
                f"the table has {len(projects)} projects; choose one with project=..., one of "
                f"{', '.join(map(repr, projects))}"))
        project = projects[0]
    if project not in projects:
        raise DataValidationError(Problem(function, None, str(project), "project",
                                          f"no such project; use one of "
                                          f"{', '.join(map(repr, projects))}"))
    return frame.xs(project, level="project_id"), str(project)


def burnup(burnup_table: pd.DataFrame, *, project=None, ax=None,
                 title: str | None = None, unit: str = "points"):
    """Draw a burnup: the scope line and the completed line (the output of :func:`pmo_lib.agile.burnup`).

    Parameters
    ----------
    burnup_table : DataFrame
        :func:`pmo_lib.agile.burnup` per day (index ``project_id``, ``date``) or per sprint (index
        ``project_id``, ``sprint``; x is then the sprint number).
    project : str, keyword-only, optional
        The project to draw; required when the table has several.
    ax : matplotlib Axes, keyword-only, optional
    title : str, keyword-only, optional
    unit : str, keyword-only
        Axis label: ``"points"`` or ``"items"``.

    Returns
    -------
    matplotlib Axes
        With the lines labelled ``Scope`` and ``Completed``.
    """
    rows, name = _agile_one_project(burnup_table, project, "burnup")
    ax = _ax(ax)
    x = rows.index.to_numpy()
    daily = rows.index.name == "date"
    ax.plot(x, rows["scope"].to_numpy(), color=_AGILE_COLOURS["scope"], lw=2, ls="--",
            drawstyle="steps-post" if daily else "default", label="Scope")
    ax.plot(x, rows["completed"].to_numpy(), color=_AGILE_COLOURS["completed"], lw=2,
            marker=None if daily else "o", ms=4, label="Completed")
    if rows.index.name == "sprint":
        ax.set_xlabel("sprint")
        ax.set_xticks(list(rows.index))
    ax.set_ylabel(f"story {unit}" if unit == "points" else unit)
    ax.set_ylim(bottom=0)
    return _finish(ax, title or f"{name}: release burnup")


def cumulative_flow(cfd: pd.DataFrame, *, project=None, ax=None,
                          title: str | None = None):
    """Draw a cumulative flow diagram (the output of :func:`pmo_lib.agile.cumulative_flow`).

    Parameters
    ----------
    cfd : DataFrame
        :func:`pmo_lib.agile.cumulative_flow` (index ``project_id``, ``date``; one column per state).
    project : str, keyword-only, optional
        The project to draw; required when the table has several.
    ax : matplotlib Axes, keyword-only, optional
    title : str, keyword-only, optional

    Returns
    -------
    matplotlib Axes
        One band per state, ``done`` at the bottom; the top edge of each band is a line
        labelled with the state, whose data is the number of items that reached that state
        or a later one.
    """
    rows, name = _agile_one_project(cfd, project, "cumulative_flow")
    ax = _ax(ax)
    states = [s for s in agile.STATES if s in rows.columns]
    reached = rows[states[::-1]].cumsum(axis=1)[states[::-1]]   # done, review+done, ...
    below = np.zeros(len(rows))
    for s in states[::-1]:
        top = reached[s].to_numpy(dtype=float)
        ax.fill_between(rows.index, below, top, step="post", color=_STATE_COLOURS.get(s),
                        alpha=0.9, linewidth=0)
        ax.plot(rows.index, top, drawstyle="steps-post", color="0.25", lw=0.8, label=s)
        below = top
    ax.set_ylabel("items")
    ax.set_ylim(bottom=0)
    ax = _finish(ax, title or f"{name}: cumulative flow")
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], loc="upper left", frameon=False)
    return ax


def velocity(sprints: pd.DataFrame, *, project=None, ax=None, title: str | None = None,
                   recent: int = 3):
    """Draw committed and completed points per sprint, with the mean velocity.

    Parameters
    ----------
    sprints : DataFrame
        The sprints table (see the module docstring).
    project : str, keyword-only, optional
        The project to draw; required when the table has several.
    ax : matplotlib Axes, keyword-only, optional
    title : str, keyword-only, optional
    recent : int, keyword-only
        As :func:`pmo_lib.agile.velocity` (the recent mean is drawn too).

    Returns
    -------
    matplotlib Axes
        Bars labelled ``Committed`` and ``Completed`` (one per sprint), horizontal lines
        ``Mean velocity`` and ``Last N sprints`` from :func:`pmo_lib.agile.velocity`.
    """
    s = agile.check_sprints(sprints).sort_values(["project_id", "sprint"], kind="stable")
    rows, name = _agile_one_project(s.set_index(["project_id", "sprint"]), project, "velocity")
    summary = agile.velocity(s[s["project_id"] == name], recent=recent).loc[name]
    ax = _ax(ax)
    x = rows.index.to_numpy()
    ax.bar(x - 0.2, rows["committed_points"], width=0.4, color=_AGILE_COLOURS["committed"],
           label="Committed")
    ax.bar(x + 0.2, rows["completed_points"], width=0.4, color=_AGILE_COLOURS["completed"],
           label="Completed")
    ax.axhline(summary["velocity_mean"], color=_AGILE_COLOURS["mean"], lw=1.5,
               label=f"Mean velocity {summary['velocity_mean']:.1f}")
    ax.axhline(summary["velocity_recent"], color=_AGILE_COLOURS["recent"], lw=1.5, ls="--",
               label=f"Last {recent} sprints {summary['velocity_recent']:.1f}")
    ax.set_xticks(x)
    ax.set_xlabel("sprint")
    ax.set_ylabel("story points")
    return _finish(ax, title or f"{name}: velocity")


def throughput_forecast(runs, forecast: dict, *, ax=None, title: str | None = None,
                   unit: str = "periods"):
    """Draw the distribution of Monte Carlo runs and the forecast's confidence levels.

    Parameters
    ----------
    runs : array-like
        :func:`pmo_lib.agile.simulate_when` or :func:`pmo_lib.agile.simulate_how_many` (same history, target,
        iterations and seed as the forecast).
    forecast : dict
        :func:`pmo_lib.agile.forecast_when` (keys ``within_NN``) or :func:`pmo_lib.agile.forecast_how_many` (keys
        ``at_least_NN``).
    ax : matplotlib Axes, keyword-only, optional
    title : str, keyword-only, optional
    unit : str, keyword-only
        What the runs count, for the axis label (e.g. ``"weeks"``, ``"items"``).

    Returns
    -------
    matplotlib Axes
        A histogram of the runs (share of runs per value) and one vertical line per forecast
        key, labelled e.g. ``85 %: within 4 periods``.
    """
    values = np.asarray(runs, dtype=float)
    ax = _ax(ax)
    lo, hi = np.floor(values.min()), np.ceil(values.max())
    bins = np.arange(lo - 0.5, hi + 1.5) if hi - lo <= 60 else 40
    ax.hist(values, bins=bins, weights=np.full(values.size, 1.0 / values.size),
            color="#a9bdd1", edgecolor="white", label="Runs")
    styles = [":", "--", "-", "-."]
    for k, (key, v) in enumerate(forecast.items()):
        words = key.replace("_", " ").rsplit(" ", 1)
        ax.axvline(v, color=_AGILE_COLOURS["forecast"], lw=1.5, ls=styles[k % len(styles)],
                   label=f"{words[-1]} %: {words[0]} {v:g} {unit}")
    ax.set_xlabel(unit)
    ax.set_ylabel("share of runs")
    return _finish(ax, title or "Monte Carlo forecast")


# ----------------------------------------------------------------------------------------
# Methodology and governance (the templates and tables of pmo_lib.methodology)
# ----------------------------------------------------------------------------------------
#: Cell colours of the RACI matrix, by code: (background, text).
RACI_COLOURS = {"A": ("#1f4e79", "white"), "R": ("#9ec5e8", "#1d2733"),
                "C": ("#fde7b0", "#1d2733"), "I": ("#eceff1", "#455a64")}
#: Colours of the compliance states of deliverables and gates
#: (:data:`pmo_lib.methodology.COMPLIANCE_STATES` and :data:`~pmo_lib.methodology.GATE_STATES`).
COMPLIANCE_COLOURS = {"met": "#2e7d32", "open": "#607d8b", "missing": "#607d8b",
                      "overdue": "#c62828", "wrong_approver": "#ef8f00"}
_GATE_MARKER = "#c62828"


def phase_shares(shares=None, *, ax=None, title: str = "Typical share of the effort per phase"):
    """One horizontal bar per template, cut into its phases; a diamond marks each gate.

    Parameters
    ----------
    shares : DataFrame, str or list of str, optional
        :func:`pmo_lib.methodology.phase_shares`, or the templates to compute it for (default:
        :data:`pmo_lib.methodology.APPROACHES`).
    ax : matplotlib Axes, keyword-only, optional
    title : str, keyword-only

    Returns
    -------
    matplotlib Axes
        One ``BarContainer`` per template, top to bottom in the table's order, with one bar
        per phase from ``start`` to ``start + share`` [%]; one scatter per template with a
        diamond at the end of each phase a gate closes (the first labelled ``"Gate"``).
        Each bar shows the phase's share, and its name when it fits.

    Raises
    ------
    MissingDataError, DataValidationError
        As :func:`pmo_lib.methodology.load_template`, for template names.
    """
    table = shares if isinstance(shares, pd.DataFrame) else methodology.phase_shares(shares)
    order = list(dict.fromkeys(table["template"]))
    ax = _ax(ax, figsize=(11, 0.8 * len(order) + 1.2))
    cmap = plt.get_cmap("Blues")
    for y, name in enumerate(order):
        part = table[table["template"] == name].reset_index(drop=True)
        colours = [cmap(0.25 + 0.65 * i / max(len(part) - 1, 1)) for i in range(len(part))]
        ax.barh(y, part["share"], left=part["start"], color=colours, edgecolor="white",
                height=0.62)
        for i, p in part.iterrows():
            dark = i > len(part) / 2
            # About 0.55 % of the width per letter: wrap the name to fit, or show the share.
            words = textwrap.wrap(p["name"], width=max(int(p["share"] / 0.55), 1),
                                  break_long_words=False)
            fits = len(words) <= 2 and max(map(len, words)) * 0.55 <= p["share"]
            label = "\n".join([*words, f"{p['share']:g} %"]) if fits else f"{p['share']:g}"
            ax.text(p["start"] + p["share"] / 2, y, label, ha="center", va="center",
                    fontsize=7, color="white" if dark else "#1d2733", linespacing=1.1)
        gated = part[part["gate"] != ""]
        ax.scatter(gated["start"] + gated["share"], [y - 0.38] * len(gated), marker="D",
                   s=28, color=_GATE_MARKER, zorder=3, label="Gate" if y == 0 else None)
    ax.set_yticks(range(len(order)), order)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of the project's effort [%]")
    _finish(ax, title)
    ax.grid(False, axis="y")
    ax.set_axisbelow(True)
    ax.legend(loc="lower right", bbox_to_anchor=(1, 1), frameon=False)
    return ax


def v_model(template="v_model", *, ax=None, title: str | None = None):
    """The V: development phases down the left, verification phases up the right, each
    verification phase linked to the phase it verifies by its test basis.

    A diagram, without grid or legend: development phases in dark blue, the phases at the
    bottom of the V in grey, verification phases in green; a dashed arrow from each
    verification phase to the phase it verifies, labelled with its test basis.

    Parameters
    ----------
    template : str, Path or Template
        A template with verification phases (``verifies``), as
        :func:`pmo_lib.methodology.load_template` reads it.
    ax : matplotlib Axes, keyword-only, optional
    title : str, keyword-only, optional

    Returns
    -------
    matplotlib Axes
        One text box per phase of the V (its name, the first space a line break), one
        ``"test basis:\\n<deliverable>"`` text per verification phase; y is ``-level``.

    Raises
    ------
    DataValidationError
        The template has no verification phases (and the errors of
        :func:`pmo_lib.methodology.load_template`).
    """
    tpl = methodology.load_template(template)
    p = tpl.phases.reset_index(drop=True)
    right = p[p["verifies"].notna()]
    verified = set(right["verifies"])
    left = p[p["id"].isin(verified)]
    if left.empty:
        raise DataValidationError(Problem(tpl.source, None, None, "phases",
                                          f"{tpl.name} has no verification phases"))
    bottom = p.loc[left.index.max() + 1: right.index.min() - 1]
    depth = int(p["level"].max()) + 1
    pos = {}
    for x, row in enumerate(left.itertuples()):
        pos[row.id] = (x, -int(row.level))
    for x, row in enumerate(bottom.itertuples(), len(left)):
        pos[row.id] = (x, -depth)
    for x, row in enumerate(right.itertuples(), len(left) + len(bottom)):
        pos[row.id] = (x, -int(row.level))
    ax = _ax(ax, figsize=(11, 4.8))
    chain = [*left["id"], *bottom["id"], *right["id"]]
    xs, ys = zip(*(pos[c] for c in chain), strict=True)
    ax.plot(xs, ys, color=GANTT_COLOURS["task"], lw=2, zorder=1)
    names = p.set_index("id")["name"]
    deliv = tpl.deliverables.set_index("id")["name"]
    for row in right.itertuples():
        (x0, y), (x1, _) = pos[row.verifies], pos[row.id]
        ax.annotate("", (x0 + 0.35, y), (x1 - 0.35, y),
                    arrowprops={"arrowstyle": "->", "ls": "--", "color": "#ef8f00"})
        basis = deliv.get(row.test_basis, "") if isinstance(row.test_basis, str) else ""
        ax.text((x0 + x1) / 2, y + 0.06, f"test basis:\n{basis}", ha="center",
                va="bottom", fontsize=7.5, color="#8a5a00", linespacing=1.1)
    checks = set(right["id"])
    for pid, (x, y) in pos.items():
        colour = "#1f4e79" if pid in verified else "#2e7d32" if pid in checks else "#37474f"
        ax.text(x, y, names[pid].replace(" ", "\n", 1), ha="center", va="center",
                fontsize=8, color="white", zorder=2,
                bbox={"boxstyle": "round,pad=0.4", "fc": colour, "ec": "none"})
    ax.set_xlim(-0.7, len(chain) - 0.3)
    ax.set_ylim(-depth - 0.6, -0.4)
    ax.set_yticks([-lv for lv in range(1, depth)], [f"level {lv}" for lv in range(1, depth)])
    ax.set_xticks([])
    ax.spines[["top", "right", "bottom"]].set_visible(False)
    ax.set_title(title or f"{tpl.title}: specify on the left, verify on the right",
                 loc="left", fontweight="bold")
    return ax


def approach_scores(recommendation: methodology.Recommendation, *, ax=None,
                    title: str | None = None):
    """The questionnaire's score breakdown: one bar per approach, cut into the points each
    answer gives it.

    Parameters
    ----------
    recommendation : Recommendation
        :func:`pmo_lib.methodology.recommend_approach`.
    ax : matplotlib Axes, keyword-only, optional
    title : str, keyword-only, optional
        Default: the recommendation, the runner-up and the margin.

    Returns
    -------
    matplotlib Axes
        One ``BarContainer`` per question (labelled with it), one bar per approach, highest
        score at the top; the bars of an approach add up to its score, written at the end.
    """
    rec = recommendation
    b = rec.breakdown.set_index("question")
    order = list(rec.scores.index)
    ax = _ax(ax, figsize=(10, 3.6))
    colours = plt.get_cmap("tab10").colors
    left = np.zeros(len(order))
    for i, (question, row) in enumerate(b.iterrows()):
        points = row[order].to_numpy(dtype=float)
        ax.barh(order, points, left=left, color=colours[i % 10], edgecolor="white",
                label=question.replace("_", " "))
        left += points
    for y, total in enumerate(rec.scores):
        ax.text(total + 0.3, y, f"{total}", va="center", fontweight="bold")
    ax.invert_yaxis()
    ax.set_xlim(0, 3 * len(b) + 1)
    ax.set_xlabel("points (0 to 3 per answer)")
    points = "point" if rec.margin == 1 else "points"
    _finish(ax, title or f"Recommended: {rec.approach} (runner-up {rec.runner_up}, "
            f"{rec.margin:g} {points} behind)")
    ax.grid(False, axis="y")
    ax.set_axisbelow(True)
    ax.legend(ncols=1, fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
    return ax


def raci_matrix(template, *, names: bool = True):
    """The RACI matrix of a template as a coloured table (:data:`RACI_COLOURS`: A dark blue,
    R light blue, C amber, I grey).

    Parameters
    ----------
    template : str, Path or Template
        As :func:`pmo_lib.methodology.load_template` reads it.
    names : bool, keyword-only
        Show deliverable and role names (default) rather than their ids.

    Returns
    -------
    pandas Styler
        One row per deliverable, one column per role (headers written vertically), the
        cells ``R``, ``A``, ``C``, ``I`` or empty.
    """
    tpl = methodology.load_template(template)
    matrix = tpl.raci_matrix
    if names:
        matrix = matrix.rename(index=tpl.deliverables.set_index("id")["name"],
                               columns=tpl.roles.set_index("id")["name"])

    def colour(code):
        bg, fg = RACI_COLOURS.get(code, ("white", "black"))
        return f"background-color:{bg}; color:{fg}; text-align:center; font-weight:600"

    return (matrix.style.map(colour)
            .set_caption(f"RACI matrix of {tpl.name}: R responsible, A accountable, "
                         "C consulted, I informed")
            .set_table_styles([{"selector": "th.col_heading",
                                "props": "writing-mode:vertical-rl; transform:rotate(180deg);"
                                         " text-align:left; font-weight:normal"}]))


def compliance_table(table: pd.DataFrame, columns: Iterable[str] | None = None):
    """A compliance table with its ``state`` column coloured (:data:`COMPLIANCE_COLOURS`).

    Parameters
    ----------
    table : DataFrame
        :func:`pmo_lib.methodology.gate_compliance`,
        :func:`~pmo_lib.methodology.deliverable_compliance` or
        :func:`~pmo_lib.methodology.portfolio_compliance`.
    columns : iterable of str, optional
        Which columns to show, in order (default: all); must include ``state``.

    Returns
    -------
    pandas Styler
        Without the index; ``due_date`` and ``date`` as ``23 Feb 2026``, ``compliance`` as a
        percentage, missing values empty.
    """
    shown = table if columns is None else table[list(columns)]

    def colour(state):
        c = COMPLIANCE_COLOURS.get(state)
        return f"color:white; background-color:{c}; font-weight:600" if c else ""

    fmt = {c: "{:%d %b %Y}" for c in ("due_date", "date") if c in shown}
    if "compliance" in shown:
        fmt["compliance"] = "{:.0%}"
    return shown.style.map(colour, subset=["state"]).format(fmt, na_rep="").hide(axis="index")


#: Background of each quadrant of :func:`stakeholder_grid` (light tints).
QUADRANT_COLOURS = {"manage closely": "#f8d7da", "keep satisfied": "#fff3cd",
                    "keep informed": "#d1e7dd", "monitor": "#eceff1"}


def stakeholder_grid(register: pd.DataFrame, *, ax=None, threshold: float = 3,
                     title: str = "Stakeholders: influence and interest"):
    """The influence/interest grid (Mendelow): one dot per stakeholder on its quadrant.

    Parameters
    ----------
    register : DataFrame
        :func:`pmo_lib.methodology.stakeholder_register` (columns ``name``, ``influence``,
        ``interest`` 1–5 and ``quadrant``), or a raw register (checked by it).
    ax : matplotlib Axes, optional
    threshold : float
        A score above it is high (as in :func:`pmo_lib.methodology.grid_quadrant`).
    title : str

    Returns
    -------
    matplotlib Axes
        Interest across, influence up; the four quadrants shaded and named (rectangles with
        gid ``"quadrant-<name>"``); the stakeholders the collection labelled
        ``"Stakeholders"`` (offsets ``(interest, influence)``, jittered apart when several
        share a cell), each annotated with its name.
    """
    r = register if "quadrant" in register.columns else \
        methodology.stakeholder_register(register, threshold=threshold)
    ax = _ax(ax, figsize=(6.5, 6))
    edge, lo, hi = threshold + 0.5, 0.5, 5.5
    boxes = {"manage closely": (edge, edge), "keep satisfied": (lo, edge),
             "keep informed": (edge, lo), "monitor": (lo, lo)}
    for name, (x0, y0) in boxes.items():
        w = (hi - edge) if x0 == edge else (edge - lo)
        h = (hi - edge) if y0 == edge else (edge - lo)
        ax.add_patch(plt.Rectangle((x0, y0), w, h, facecolor=QUADRANT_COLOURS[name], lw=0,
                                   zorder=0, gid=f"quadrant-{name}"))
        ax.text(x0 + w / 2, y0 + h - 0.12, name, ha="center", va="top", fontsize=9,
                color="0.35", fontweight="bold")
    x = r["interest"].to_numpy(dtype=float)
    y = r["influence"].to_numpy(dtype=float)
    cell = pd.Series(np.arange(len(r))).groupby([x, y]).cumcount().to_numpy()
    size = pd.Series(np.ones(len(r))).groupby([x, y]).transform("size").to_numpy()
    angle = 2 * np.pi * cell / np.maximum(size, 1)
    spread = np.where(size > 1, 0.22, 0.0)
    xs, ys = x + spread * np.cos(angle), y + spread * np.sin(angle)
    ax.scatter(xs, ys, s=45, color="#1f4e79", zorder=3, label="Stakeholders")
    for xi, yi, name in zip(xs, ys, r["name"], strict=True):
        ax.annotate(str(name), (xi, yi), xytext=(4, 3), textcoords="offset points", fontsize=7.5)
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_xticks(range(1, 6))
    ax.set_yticks(range(1, 6))
    ax.set_xlabel("interest in the project (1-5)")
    ax.set_ylabel("influence on the project (1-5)")
    ax.set_aspect("equal")
    ax.set_title(title, loc="left", fontweight="bold")
    return ax



# ----------------------------------------------------------------------------------------
# Schedule and cost risk (pmo_lib.simulation)
# ----------------------------------------------------------------------------------------
#: Colours of the risk charts.
RISK_COLOURS = {"samples": "#9fb7cf", "cumulative": "#1f4e79", "deterministic": "#37474f",
                "P50": "#ef8f00", "P80": "#c62828", "within": "#2e7d32", "outside": "#b5bcc4",
                "positive": "#c62828", "negative": "#1f4e79"}


def _risk_label(result, value: float, of: str, currency: str) -> str:
    if of == "cost":
        return money_formatter(currency)(value)
    if result.start is not None:
        return f"{value:.1f} d ({result._dates([value])[0]:%d %b %Y})"
    return f"{value:.1f} d"


def risk_histogram(result, *, of: str = "finish", bins: int = 40, ax=None,
                   title: str | None = None, currency: str = "EUR"):
    """Histogram and cumulative curve of the simulated finish (or cost), with the
    deterministic value, P50 and P80 marked.

    Parameters
    ----------
    result : SimulationResult
        From :func:`pmo_lib.simulation.simulate`.
    of : {"finish", "cost"}
        The finish offset [d] or the total cost.
    bins : int
    ax : matplotlib Axes, optional
    title : str, optional
    currency : str
        For the cost axis.

    Returns
    -------
    matplotlib Axes
        The histogram (bars labelled ``"Iterations"``, heights = iterations per bin) and
        vertical lines with gid ``"deterministic"``, ``"P50"`` and ``"P80"``; the
        cumulative share of iterations (0 to 1, line gid ``"cumulative"``) is drawn on a twin
        axis sharing x (``ax.get_shared_x_axes().get_siblings(ax)``).
    """
    if of not in ("finish", "cost"):
        raise DataValidationError(Problem("risk_histogram", None, None, "of",
                                          f"unknown quantity {of!r}; use 'finish' or 'cost'"))
    values = np.sort(result.cost if of == "cost" else result.finish)
    det = result.deterministic_cost if of == "cost" else result.deterministic
    ax = _ax(ax)
    ax.hist(values, bins=bins, color=RISK_COLOURS["samples"], edgecolor="white",
            label="Iterations")
    twin = ax.twinx()
    cumulative = np.arange(1, values.size + 1) / values.size
    twin.plot(values, cumulative, color=RISK_COLOURS["cumulative"], lw=2, gid="cumulative",
              label="Cumulative probability")
    twin.set_ylim(0, 1.02)
    twin.yaxis.set_major_formatter(mticker.PercentFormatter(1.0))
    twin.set_ylabel("probability of finishing by" if of == "finish" else "probability within")
    marks = [("deterministic", det, "--"), ("P50", result.percentile(50, of=of), "-"),
             ("P80", result.percentile(80, of=of), "-")]
    for gid, x, style in marks:
        name = "Deterministic" if gid == "deterministic" else gid
        ax.axvline(x, color=RISK_COLOURS[gid], ls=style, lw=1.6, gid=gid,
                   label=f"{name}: {_risk_label(result, x, of, currency)}")
    if of == "cost":
        ax.xaxis.set_major_formatter(money_formatter(currency))
        ax.set_xlabel("total cost")
    else:
        ax.set_xlabel("finish [working days from the start]")
    ax.set_ylabel("iterations")
    handles, labels = ax.get_legend_handles_labels()
    more, more_labels = twin.get_legend_handles_labels()
    default = ("Simulated finish" if of == "finish" else "Simulated cost") + \
        f" ({result.iterations:,} iterations)"
    ax.set_title(title or default, loc="left", fontweight="bold")
    ax.legend(handles + more, labels + more_labels, loc="upper left", fontsize=8,
              frameon=False)
    ax.spines[["top"]].set_visible(False)
    twin.spines[["top"]].set_visible(False)
    return ax


def tornado(result, n: int = 10, *, ax=None, title: str = "What drives the finish"):
    """Tornado chart: the ``n`` tasks whose durations correlate most with the finish.

    Parameters
    ----------
    result : SimulationResult
    n : int
        How many tasks (``result.tornado(n)``).
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib Axes
        One horizontal bar per task (container label ``"Sensitivity"``), the strongest at
        the top; width = Spearman rank correlation of the task's duration with the finish,
        red when a longer task means a later finish; the y tick labels are the task ids and
        each bar is annotated with the task's criticality index.
    """
    table = result.tornado(n)
    ax = _ax(ax, figsize=(8, 0.45 * max(len(table), 3) + 1.2))
    y = np.arange(len(table))[::-1]
    width = table["sensitivity"].to_numpy()
    colours = [RISK_COLOURS["positive"] if w >= 0 else RISK_COLOURS["negative"]
               for w in width]
    ax.barh(y, width, color=colours, height=0.6, label="Sensitivity")
    for yi, w, crit in zip(y, width, table["criticality"], strict=True):
        ax.annotate(f"{w:+.2f}  (critical {crit:.0%})", (w, yi),
                    xytext=(4 if w >= 0 else -4, 0), textcoords="offset points",
                    ha="left" if w >= 0 else "right", va="center", fontsize=8)
    ax.set_yticks(y, [str(t) for t in table.index])
    ax.axvline(0, color="0.3", lw=0.8)
    ax.set_xlim(-1.15 if (width < 0).any() else 0, 1.15)
    ax.set_xlabel("Spearman rank correlation of the task's duration with the finish")
    ax.set_title(title, loc="left", fontweight="bold")
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x", alpha=0.3)
    return ax


def jcl_scatter(result, date, budget: float, *, ax=None, title: str | None = None,
                currency: str = "EUR"):
    """Cost against finish, one dot per iteration, with the target date and budget: the
    joint confidence level (JCL) is the share of dots in the lower-left quadrant.

    Parameters
    ----------
    result : SimulationResult
    date : date-like or float
        Target finish: a date (by the end of that day; needs ``start``) or an offset [d].
    budget : float
        Target cost. [cur]
    ax : matplotlib Axes, optional
    title : str, optional
        Default: ``"Joint confidence level: 62 %"``.
    currency : str

    Returns
    -------
    matplotlib Axes
        Two point collections, ``"Within date and budget"`` and ``"Outside"`` (offsets
        ``(finish, cost)``), a vertical line gid ``"date"`` at the target's finish offset and
        a horizontal line gid ``"budget"``.
    """
    bound = result.offset(date)
    ok = (result.finish <= bound + 1e-9) & (result.cost <= float(budget))
    ax = _ax(ax, figsize=(7, 5))
    for mask, key, name in ((ok, "within", "Within date and budget"),
                            (~ok, "outside", "Outside")):
        ax.scatter(result.finish[mask], result.cost[mask], s=6, alpha=0.5,
                   color=RISK_COLOURS[key], label=name, linewidths=0)
    ax.axvline(bound, color=RISK_COLOURS["P80"], ls="--", gid="date",
               label=f"Target date ({_risk_label(result, bound, 'finish', currency)})")
    ax.axhline(float(budget), color=RISK_COLOURS["P50"], ls="--", gid="budget",
               label=f"Budget ({money_formatter(currency)(float(budget))})")
    ax.yaxis.set_major_formatter(money_formatter(currency))
    ax.set_xlabel("finish [working days from the start]")
    ax.set_ylabel("total cost")
    jcl = result.jcl(date, budget)
    ax.set_title(title or f"Joint confidence level: {jcl:.0%}", loc="left", fontweight="bold")
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


# ----------------------------------------------------------------------------------------
# Risk register charts (the tables of pmo_lib.risk)
# ----------------------------------------------------------------------------------------
def risk_heat_map(heat: pd.DataFrame, *, ax=None, zones: pd.DataFrame | None = None,
                  title: str = "Probability-impact matrix", fmt: str = "{:g}"):
    """Draw a 5×5 probability–impact heat map (the output of :func:`pmo_lib.risk.heat_map`).

    Parameters
    ----------
    heat : DataFrame
        Rows ``probability_score`` 5..1 (top row first), columns ``impact_score`` 1..5;
        values the count of risks (or their exposure) in each cell.
    ax : matplotlib Axes, optional
    zones : DataFrame, optional
        The zone of each cell (``green``, ``amber``, ``red``), same layout; default
        :func:`pmo_lib.risk.heat_map_zones`.
    title : str
    fmt : str
        Format of the value written in each cell (empty cells are left blank).

    Returns
    -------
    matplotlib Axes
        One rectangle per cell (gid ``"cell-<p>-<i>"``, coloured by its zone) and the cell's
        value as text in its centre; probability up, impact across.
    """
    from . import risk

    zones = risk.heat_map_zones() if zones is None else zones
    ax = _ax(ax, figsize=(5, 4.5))
    for p in heat.index:
        for i in heat.columns:
            colour = mcolors.to_rgb(risk.ZONE_COLOURS[zones.at[p, i]])
            tint = tuple(0.45 * np.asarray(colour) + 0.55)
            ax.add_patch(plt.Rectangle((i - 0.5, p - 0.5), 1, 1, facecolor=tint,
                                       edgecolor="white", lw=2, gid=f"cell-{p}-{i}"))
            value = heat.at[p, i]
            if value:
                ax.text(i, p, fmt.format(value), ha="center", va="center", fontsize=11,
                        fontweight="bold", color="#1a1a1a")
    ax.set_xlim(0.5, 5.5)
    ax.set_ylim(0.5, 5.5)
    ax.set_xticks(range(1, 6))
    ax.set_yticks(range(1, 6))
    ax.set_xlabel("impact (1 = negligible ... 5 = severe)")
    ax.set_ylabel("probability (1 = rare ... 5 = likely)")
    ax.set_aspect("equal")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_title(title, loc="left", fontweight="bold")
    return ax


def exposure_trend(trend: pd.DataFrame, *, by: str | None = None, ax=None,
                   value: str = "emv", currency: str = "EUR",
                   title: str = "Risk exposure by month"):
    """Draw the exposure of the open risks month by month, stacked by group.

    Parameters
    ----------
    trend : DataFrame
        :func:`pmo_lib.risk.exposure_trend` (columns ``month``, ``emv``, ``expected_delay``
        and the grouping column ``by`` when grouped).
    by : str, optional
        The grouping column (e.g. ``"programme"``); None for one total line.
    ax : matplotlib Axes, optional
    value : str
        ``"emv"`` [cur] or ``"expected_delay"`` [d].
    currency, title : str

    Returns
    -------
    matplotlib Axes
        A stacked area per group (a ``PolyCollection`` labelled with the group) or one line
        labelled ``"Total"``; x the end of each month.
    """
    ax = _ax(ax)
    if by is None:
        series = trend.groupby("month")[value].sum()
        x = series.index.to_timestamp(how="end").normalize()
        ax.plot(x, series.to_numpy(), color="#1f4e79", lw=2, marker="o", ms=3, label="Total")
    else:
        wide = trend.pivot_table(index="month", columns=by, values=value, aggfunc="sum",
                                 fill_value=0.0)
        x = wide.index.to_timestamp(how="end").normalize()
        ax.stackplot(x, wide.to_numpy().T, labels=[str(c) for c in wide.columns], alpha=0.85)
    if value == "emv":
        ax.yaxis.set_major_formatter(money_formatter(currency))
        ax.set_ylabel("expected cost of the open risks")
    else:
        ax.set_ylabel("expected delay [working days]")
    ax.set_ylim(bottom=0)
    _finish(ax, title)
    if by is not None:  # the stacked bands fill the top left: the legend goes underneath
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, frameon=False)
    return ax


# ----------------------------------------------------------------------------------------
# Resource loading charts (the tables of pmo_lib.resources)
# ----------------------------------------------------------------------------------------
#: Colours of the resource charts: the utilisation bands of the heat map (green below the
#: first threshold, amber up to full capacity, red over it, grey without capacity) and the
#: histogram's bars and capacity line.
UTILISATION_COLOURS = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828",
                       "none": "#bdbdbd", "demand": "#1f4e79", "capacity": "#37474f"}
#: How strongly each band's colour shows in a heat-map cell (mixed with white): a PMO's eye
#: goes to the red cells first.
_BAND_STRENGTH = {"green": 0.35, "amber": 0.6, "red": 0.9, "none": 0.35}
_PERIOD_WORDS = {"D": "day", "W": "week", "M": "month"}


def _period_labels(index: pd.Index) -> list[str]:
    """Short tick labels: ``Jan 26`` for months, the first day for weeks and days."""
    if isinstance(index, pd.PeriodIndex):
        freq = index.freqstr.split("-")[0]
        if freq == "M":
            return [p.strftime("%b %y") for p in index]
        return [p.start_time.strftime("%d %b %y") for p in index]
    return [str(p) for p in index]


def _utilisation_frame(loading_or_utilisation) -> tuple[pd.DataFrame, str, str | None]:
    """The utilisation as rows (resources or roles) × columns (periods), the row name, and the
    period frequency (None when unknown)."""
    from .resources import Loading

    if isinstance(loading_or_utilisation, Loading):
        u = loading_or_utilisation.utilisation
        by, freq = loading_or_utilisation.by, loading_or_utilisation.freq
    elif isinstance(loading_or_utilisation, pd.DataFrame):
        u = loading_or_utilisation
        by = u.columns.name or "resource"
        freq = None
    else:
        raise DataValidationError(Problem(
            "utilisation_heat_map", None, None, None,
            f"expected a resources.Loading or a utilisation DataFrame, got "
            f"{type(loading_or_utilisation).__name__}"))
    if isinstance(u.index, pd.PeriodIndex):
        freq = freq or u.index.freqstr.split("-")[0]
        u = u.T
    elif isinstance(u.columns, pd.PeriodIndex):  # already resources × periods
        by = u.index.name or "resource"
        freq = freq or u.columns.freqstr.split("-")[0]
    return u.apply(pd.to_numeric, errors="coerce").astype(float), str(by), freq


def _bands(values: np.ndarray, thresholds) -> np.ndarray:
    """Band of each utilisation: green < low ≤ amber ≤ high < red; none where NaN."""
    low, high = thresholds
    out = np.full(values.shape, "none", dtype=object)
    ok = np.isfinite(values)
    out[ok & (values < low - 1e-9)] = "green"
    out[ok & (values >= low - 1e-9) & (values <= high + 1e-9)] = "amber"
    out[ok & (values > high + 1e-9)] = "red"
    return out


def utilisation_heat_map(loading_or_utilisation, *, ax=None, thresholds=(0.85, 1.0),
                         annotate: bool = True, fmt: str = "{:.0%}",
                         title: str | None = None):
    """Heat map of resource (or role) utilisation by period, banded as a PMO reads it.

    Parameters
    ----------
    loading_or_utilisation : Loading or DataFrame
        A :class:`pmo_lib.resources.Loading` (its ``utilisation``), or a utilisation table
        [fraction] indexed by period with one column per resource or role (as
        :func:`pmo_lib.resources.utilisation` returns; a table already resources × periods is
        drawn as it is).
    ax : matplotlib Axes, optional
    thresholds : (float, float)
        The amber band ``[low, high]`` [fraction]: below ``low`` green (capacity to spare),
        from ``low`` to ``high`` amber (full), above ``high`` red (over-allocated). Default
        85 % and 100 %.
    annotate : bool
        Write each cell's utilisation in it (cells without capacity stay blank).
    fmt : str
        Format of the annotation (``"{:.0%}"``: ``112%``).
    title : str, optional
        Default ``"Utilisation by role and month"`` (by the table's grouping and period).

    Returns
    -------
    matplotlib Axes
        One rectangle per cell, gid ``"cell-<row>-<period>"``, coloured by its band
        (:data:`UTILISATION_COLOURS`, stronger for red); the annotation as text with gid
        ``"value-<row>-<period>"`` (white on red); rows top to bottom in the table's order,
        periods left to right; a legend of the bands between the title and the cells. With no rows or no
        periods, a note ``"No resource loading to show"`` and no cells.

    Raises
    ------
    DataValidationError
        Input that is neither a Loading nor a DataFrame; thresholds not ``0 < low ≤ high``.

    Examples
    --------
    >>> from pmo_lib import load_portfolio, resources
    >>> load = resources.portfolio_loading(load_portfolio("tests/data/mini"), freq="W")
    >>> ax = utilisation_heat_map(load)
    >>> [t.get_text() for t in ax.texts]  # Developer, then Project Manager, week by week
    ['0%', '100%', '100%', '60%', '50%', '0%', '0%', '0%']
    """
    low, high = (float(t) for t in thresholds)
    if not 0 < low <= high:
        raise DataValidationError(Problem(
            "utilisation_heat_map", None, None, "thresholds",
            f"thresholds must be 0 < low ≤ high [fraction], got {tuple(thresholds)!r}"))
    u, by, freq = _utilisation_frame(loading_or_utilisation)
    rows, cols = [str(r) for r in u.index], list(u.columns)
    word = "role" if by == "role" else "resource"
    title = title or f"Utilisation by {word} and {_PERIOD_WORDS.get(freq, 'period')}"
    ax = _ax(ax, figsize=(max(6.0, 2.0 + 0.52 * len(cols)), max(2.6, 1.6 + 0.32 * len(rows))))
    ax.set_title(title, loc="left", fontweight="bold", pad=20)  # room for the band legend
    if not rows or not cols:
        ax.text(0.5, 0.5, "No resource loading to show", ha="center", va="center",
                transform=ax.transAxes, color="0.4")
        ax.set_xticks([])
        ax.set_yticks([])
        return ax
    values = u.to_numpy(float)
    band = _bands(values, (low, high))
    labels = _period_labels(pd.Index(cols) if not isinstance(u.columns, pd.PeriodIndex)
                            else u.columns)
    size = 8 if len(cols) <= 12 else 7 if len(cols) <= 24 else 6
    for i, row in enumerate(rows):
        for j, col in enumerate(cols):
            key = band[i, j]
            idle = values[i, j] == 0  # no demand: paler, so the loaded cells stand out
            strength = _BAND_STRENGTH[key] * (0.4 if idle else 1.0)
            face = strength * np.asarray(mcolors.to_rgb(UTILISATION_COLOURS[key])) + 1 - strength
            ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor=tuple(face),
                                       edgecolor="white", lw=1.5, gid=f"cell-{row}-{col}"))
            if annotate and np.isfinite(values[i, j]):
                ax.text(j, i, fmt.format(values[i, j]), ha="center", va="center",
                        fontsize=size, color="white" if key == "red" else
                        "0.55" if idle else "#1a1a1a",
                        fontweight="bold" if key == "red" else "normal",
                        gid=f"value-{row}-{col}")
    ax.set_xlim(-0.5, len(cols) - 0.5)
    ax.set_ylim(len(rows) - 0.5, -0.5)  # first row at the top
    step = max(1, int(np.ceil(len(cols) / 36)))
    ax.set_xticks(range(0, len(cols), step), labels[::step], rotation=90 if len(cols) > 24
                  else 0, fontsize=8)
    ax.set_yticks(range(len(rows)), rows, fontsize=8)
    ax.tick_params(length=0)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    bands = [("green", f"below {low:.0%}"), ("amber", f"{low:.0%} to {high:.0%}"),
             ("red", f"over {high:.0%} (over-allocated)"), ("none", "no capacity")]
    handles = [Patch(facecolor=tuple(_BAND_STRENGTH[k] * np.asarray(
        mcolors.to_rgb(UTILISATION_COLOURS[k])) + 1 - _BAND_STRENGTH[k]), edgecolor="0.7",
        label=text) for k, text in bands]
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=4,
              frameon=False, fontsize=8, borderaxespad=0.2)
    return ax


def resource_histogram(loading, column: str, *, capacity: pd.DataFrame | None = None,
                       ax=None, title: str | None = None):
    """Resource histogram: one resource's (or role's) demand per period against its capacity.

    Parameters
    ----------
    loading : Loading or DataFrame
        A :class:`pmo_lib.resources.Loading`, or a demand table (indexed by period, one
        column per resource or role) with ``capacity`` the matching capacity table.
    column : str
        The resource id or role to draw.
    capacity : DataFrame, optional
        The capacity table, when ``loading`` is a demand table.
    ax : matplotlib Axes, optional
    title : str, optional
        Default ``"<column>: demand against capacity"``.

    Returns
    -------
    matplotlib Axes
        Two bar containers, one bar per period: ``"Demand within capacity"`` (heights
        ``min(demand, capacity)``) and ``"Over-allocation"`` stacked on it (heights
        ``max(demand − capacity, 0)``, red); the capacity as a step line (a ``StepPatch``
        labelled ``"Capacity"``). Values are [units] per day for a daily table, else
        [unit-days] per week or month. With no periods, a note ``"No demand to show"``.

    Raises
    ------
    DataValidationError
        ``column`` not in the tables (the message lists those that are); a demand table
        without ``capacity``; input that is neither a Loading nor a DataFrame.

    Notes
    -----
    The resource histogram of PMBOK Guide §9.2 (Estimate Activity Resources): the bars above
    the capacity line are the over-allocation that resource levelling removes.

    Examples
    --------
    >>> from pmo_lib import load_portfolio, resources
    >>> mini = load_portfolio("tests/data/mini")
    >>> load = resources.portfolio_loading(mini, freq="W", by="resource_id")
    >>> ax = resource_histogram(load, "R2")
    >>> [float(b.get_height()) for b in ax.containers[0]]  # the week of Founders' Day: 4
    [0.0, 5.0, 4.0, 3.0]
    """
    from .resources import Loading

    if isinstance(loading, Loading):
        demand, cap, freq = loading.demand, loading.capacity, loading.freq
    elif isinstance(loading, pd.DataFrame):
        if capacity is None:
            raise DataValidationError(Problem("resource_histogram", None, None, "capacity",
                                              "a demand table needs its capacity table "
                                              "(capacity=...)"))
        demand, cap = loading, capacity
        freq = (demand.index.freqstr.split("-")[0]
                if isinstance(demand.index, pd.PeriodIndex) else None)
    else:
        raise DataValidationError(Problem(
            "resource_histogram", None, None, None,
            f"expected a resources.Loading or a demand DataFrame, got {type(loading).__name__}"))
    if column not in demand.columns:
        have = ", ".join(map(str, demand.columns[:30])) or "none"
        raise DataValidationError(Problem("resource_histogram", None, str(column), "column",
                                          f"no resource or role {column!r}; the table has "
                                          f"{have}"))
    d = demand[column].astype(float)
    c = (cap[column] if column in cap.columns else pd.Series(0.0, index=d.index)).astype(float)
    c = c.reindex(d.index).fillna(0.0)
    ax = _ax(ax)
    ax.set_title(title or f"{column}: demand against capacity", loc="left",
                 fontweight="bold")
    if len(d) == 0:
        ax.text(0.5, 0.5, "No demand to show", ha="center", va="center",
                transform=ax.transAxes, color="0.4")
        return ax
    x = np.arange(len(d))
    dv, cv = d.to_numpy(), c.to_numpy()
    within = np.minimum(dv, cv)
    over = np.maximum(dv - cv, 0.0)
    ax.bar(x, within, width=0.8, color=UTILISATION_COLOURS["demand"],
           label="Demand within capacity")
    ax.bar(x, over, width=0.8, bottom=within, color=UTILISATION_COLOURS["red"],
           label="Over-allocation")
    ax.stairs(cv, np.arange(len(d) + 1) - 0.5, color=UTILISATION_COLOURS["capacity"], lw=1.8,
              label="Capacity", baseline=None)
    labels = _period_labels(d.index)
    step = max(1, int(np.ceil(len(d) / 24)))
    ax.set_xticks(x[::step], labels[::step], rotation=90 if len(d) > 12 else 0, fontsize=8)
    ax.set_xlim(-0.6, len(d) - 0.4)
    ax.set_ylim(bottom=0)
    unit = ("demand [units per working day]" if freq == "D" else
            f"demand [unit-days per {_PERIOD_WORDS.get(freq, 'period')}]")
    ax.set_ylabel(unit)
    _finish(ax, ax.get_title(loc="left"))
    ax.grid(axis="x", visible=False)
    return ax


# ----------------------------------------------------------------------------------------
# Portfolio scoring and selection (the tables of pmo_lib.portfolio)
# ----------------------------------------------------------------------------------------
#: Colours of the portfolio selection charts (:func:`efficient_frontier`).
SELECTION_COLOURS = {"frontier": "#1f4e79", "portfolio": "#b5bcc4", "selected": "#2e7d32",
                     "budget": "#c62828", "other": "#ef8f00"}
#: Which steps of :func:`efficient_frontier` are labelled with what enters and leaves:
#: every step, the two around the budget (the last one it reaches and the next), or none.
FRONTIER_CHANGES = ("all", "near", "none")


def score_breakdown(scored: pd.DataFrame, *, labels: pd.Series | Mapping | None = None,
                    ax=None, title: str = "Weighted score and its breakdown"):
    """Weighted scores as stacked bars: one bar per candidate, cut into the contribution of
    each criterion (the score breakdown of :func:`pmo_lib.portfolio.score`).

    Parameters
    ----------
    scored : DataFrame
        :func:`pmo_lib.portfolio.score`: ``<criterion>_contribution`` columns and ``score``,
        candidates named by ``id`` (or the index), drawn in the table's order (the ranked
        order), the first at the top.
    labels : Series or mapping, optional
        Id → text shown on the axis instead of the id (e.g. ``"PRC · Pricing analytics"``).
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Axes
        One ``BarContainer`` per criterion, labelled with its name (underscores as spaces),
        one bar per candidate; the bars of a candidate add up to its score, written at the
        end.

    Raises
    ------
    DataValidationError
        The table has no ``score`` or no ``_contribution`` column.
    """
    parts = [c for c in scored.columns if str(c).endswith("_contribution")]
    if "score" not in scored.columns or not parts:
        raise DataValidationError(Problem(
            "score_breakdown", None, None, None,
            "expected the table of pmo_lib.portfolio.score (score and <criterion>_contribution "
            "columns)"))
    ids = [str(v) for v in (scored["id"] if "id" in scored.columns else scored.index)]
    names = dict(labels) if labels is not None else {}
    ticks = [str(names.get(i, i)) for i in ids]
    ax = _ax(ax, figsize=(9, 0.45 * max(len(ids), 3) + 1.2))
    colours = plt.get_cmap("tab10").colors
    y = np.arange(len(ids))
    left = np.zeros(len(ids))
    for k, col in enumerate(parts):
        width = scored[col].to_numpy(dtype=float)
        ax.barh(y, width, left=left, color=colours[k % 10], edgecolor="white",
                label=str(col)[: -len("_contribution")].replace("_", " "))
        left += width
    for yi, total in zip(y, scored["score"].to_numpy(dtype=float), strict=True):
        ax.text(total + 0.01, yi, f"{total:.2f}", va="center", fontsize=8, fontweight="bold")
    ax.set_yticks(y, ticks, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, max(1.0, float(left.max(initial=0.0)) + 0.08))
    ax.set_xlabel("weighted score (0 to 1): each criterion's weight × its normalised value")
    _finish(ax, title)
    ax.grid(False, axis="y")
    ax.set_axisbelow(True)
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
    return ax


def _point(item) -> tuple[float, float]:
    """(cost, value) of a Selection, a mapping with ``cost`` and ``value``, or a pair."""
    if hasattr(item, "cost") and hasattr(item, "value"):
        return float(item.cost), float(item.value)
    if isinstance(item, Mapping):
        return float(item["cost"]), float(item["value"])
    cost, value = item
    return float(cost), float(value)


def efficient_frontier(frontier: pd.DataFrame, *, budget: float | None = None,
                       selection=None, portfolios: pd.DataFrame | None = None,
                       others: Mapping | None = None, changes: str = "near",
                       currency: str = "EUR", value_label: str = "value of the selection",
                       value_currency: str | None = None, ax=None,
                       title: str = "Efficient frontier: the best value per budget"):
    """The efficient frontier of a portfolio selection: the best value at each budget, a
    step that rises where a budget buys a better selection.

    Parameters
    ----------
    frontier : DataFrame
        :func:`pmo_lib.portfolio.frontier` (``budget``, ``value``; ``enters`` and ``leaves``
        are written at each step when ``changes``).
    budget : float, optional
        The budget to mark with a vertical line. [cur]
    selection : Selection, mapping or (cost, value) pair, optional
        The selection to mark (e.g. :func:`pmo_lib.portfolio.select` at ``budget``).
    portfolios : DataFrame, optional
        ``cost`` and ``value`` of other portfolios to draw as grey dots, e.g. every
        combination of a few candidates.
    others : mapping, optional
        Label → selection, mapping or (cost, value) pair: more portfolios to mark, e.g.
        ``{"Funded down the ranked list": (1_850_000, 227.1)}``.
    changes : str
        :data:`FRONTIER_CHANGES`: write what enters (+) and leaves (−) at ``"all"`` steps,
        at the two steps around ``budget`` in a box (``"near"``, the default: the last step
        the budget reaches and the next one; every step without a budget) or at ``"none"``.
    currency : str
        Of the budget axis.
    value_label : str
        The y axis label.
    value_currency : str, optional
        Format the values as money in this currency (when the value is money, e.g. NPV).
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Axes
        The frontier is a line with gid ``"frontier"`` (x the budgets, y the values, as
        steps) and the point collection ``"Budgets solved"``; the budget a line with gid
        ``"budget"``; ``portfolios`` the collection ``"Other portfolios"``; the selection the
        collection ``"Selected"``; each of ``others`` a collection labelled with its key; the
        labels of the steps are texts with gid ``"changes"`` (one box for ``"near"``).

    Raises
    ------
    DataValidationError
        An unknown ``changes`` (the message lists them).
    """
    if changes not in FRONTIER_CHANGES:
        raise DataValidationError(Problem(
            "efficient_frontier", None, None, "changes", f"unknown choice {changes!r}; use "
            f"one of {', '.join(map(repr, FRONTIER_CHANGES))}"))
    ax = _ax(ax, figsize=(10, 4.8))
    x = frontier["budget"].to_numpy(dtype=float)
    y = frontier["value"].to_numpy(dtype=float)
    if portfolios is not None and len(portfolios):
        ax.scatter(portfolios["cost"].astype(float), portfolios["value"].astype(float), s=14,
                   color=SELECTION_COLOURS["portfolio"], zorder=1, label="Other portfolios")
    right = max([*x, *([budget] if budget is not None else []), 1.0])
    if selection is not None:
        right = max(right, _point(selection)[0])
    right *= 1.06
    if len(x):
        xs, ys = np.append(x, right), np.append(y, y[-1])
        ax.step(xs, ys, where="post", color=SELECTION_COLOURS["frontier"], lw=2, zorder=2,
                gid="frontier", label="Efficient frontier (best value for the budget)")
        ax.scatter(x, y, s=22, color=SELECTION_COLOURS["frontier"], zorder=3,
                   label="Budgets solved")
    if changes != "none" and {"enters", "leaves"} <= set(frontier.columns):
        moves = [" ".join([*(f"+{c}" for c in came), *(f"−{c}" for c in went)])
                 for came, went in zip(frontier["enters"], frontier["leaves"], strict=True)]
        if changes == "near" and budget is not None:
            reached = np.flatnonzero(x <= float(budget) + 1e-9)
            last = int(reached[-1]) if len(reached) else -1
            lines = [textwrap.fill(f"{what} {x[k]:,.0f} {currency}: "
                                   f"{moves[k] or 'no change'}", 75, subsequent_indent="    ")
                     for what, k in (("Step reached, at", last), ("Next step, at", last + 1))
                     if 0 <= k < len(x)]
            if lines:
                ax.text(0.99, 0.03, "\n".join(lines), transform=ax.transAxes, ha="right",
                        va="bottom", multialignment="left", fontsize=7.5, color="0.25",
                        zorder=7, gid="changes",
                        bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "0.8",
                              "alpha": 0.9})
        else:
            for xi, yi, text in zip(x, y, moves, strict=True):
                if text:
                    ax.annotate(text, (xi, yi), xytext=(3, 4), textcoords="offset points",
                                fontsize=6.5, color="0.3", rotation=25, zorder=4,
                                gid="changes")
    if budget is not None:
        ax.axvline(float(budget), color=SELECTION_COLOURS["budget"], ls="--", lw=1.4,
                   gid="budget", zorder=2,
                   label=f"Budget: {money_formatter(currency)(float(budget))}")
    for k, (label, item) in enumerate((others or {}).items()):
        cost, value = _point(item)
        ax.scatter([cost], [value], s=70, marker="D", zorder=5, edgecolors="white",
                   color=SELECTION_COLOURS["other"] if k == 0 else plt.get_cmap("tab10")(k),
                   label=str(label))
    if selection is not None:
        cost, value = _point(selection)
        ax.scatter([cost], [value], s=140, marker="*", color=SELECTION_COLOURS["selected"],
                   edgecolors="white", zorder=6, label="Selected")
    ax.set_xlim(0, right)
    ax.set_ylim(bottom=0)
    ax.xaxis.set_major_formatter(money_formatter(currency))
    if value_currency is not None:
        ax.yaxis.set_major_formatter(money_formatter(value_currency))
    ax.set_xlabel(f"budget, or cost of a portfolio [{currency}]")
    ax.set_ylabel(value_label)
    _finish(ax, title)
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
    return ax
