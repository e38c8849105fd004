"""Charts and styled tables for notebooks and reports (presentation only: no calculations).

Every function takes the DataFrames the engines return and an optional matplotlib ``ax``,
and returns the ``Axes`` (or a pandas ``Styler``), so notebooks stay one line per chart.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd

from .evm import RAG_COLOURS, RagThresholds

__all__ = [
    "gantt",
    "money_formatter",
    "performance_table",
    "rag_legend",
    "s_curve",
    "spi_cpi_matrix",
]

_MONEY_COLS = ("bac", "pv", "ev", "ac", "sv", "cv", "eac", "etc", "vac")
_INDEX_COLS = ("spi", "cpi", "tcpi")
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
    ax.set_title(title, loc="left", fontweight="bold")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax


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
               for c in df.columns}
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
    """A small styled table explaining the RAG colours for the given thresholds."""
    t = thresholds or RagThresholds()
    legend = pd.DataFrame({
        "rag": ["green", "amber", "red", "grey"],
        "meaning": [
            f"SPI and CPI both at or above {t.green:.2f}: on track",
            f"SPI or CPI between {t.amber:.2f} and {t.green:.2f}: watch, corrective action planned",
            f"SPI or CPI below {t.amber:.2f}: act now, escalate to the sponsor",
            "Not measurable yet: no work planned or cost spent to date",
        ],
    }).set_index("rag")
    return legend.style.map_index(
        lambda r: f"background-color: {RAG_COLOURS[r]}; color: white; font-weight: bold")


def gantt(tasks: pd.DataFrame, *, start: str = "baseline_start",
          finish: str = "baseline_finish", ax=None, title: str | None = None,
          colour: str = "#1f4e79"):
    """A Gantt chart: one bar per task from ``start`` to ``finish``, milestones as diamonds.

    Parameters
    ----------
    tasks : DataFrame
        Columns ``id``, ``name``, ``milestone`` and the two date columns; drawn top to bottom
        in the order given.
    start, finish : str
        Date columns to draw (baseline by default; a schedule's dates work the same way).
        A finish date is the last working day worked, so a bar ends at the end of that day.
    """
    rows = tasks.iloc[::-1]
    labels = rows["id"].astype(str) + "  " + rows["name"].astype(str)
    ax = _ax(ax, figsize=(9, 0.22 * len(rows) + 1))
    work = ~rows["milestone"].to_numpy(dtype=bool)
    ax.barh(labels[work], rows[finish][work] - rows[start][work] + pd.Timedelta(days=1),
            left=rows[start][work], color=colour)
    ax.scatter(rows[finish][~work], labels[~work], marker="D", color="#c62828", zorder=3)
    if title:
        ax.set_title(title, loc="left", fontweight="bold")
    ax.tick_params(axis="y", labelsize=7)
    ax.tick_params(axis="x", labelrotation=30)
    ax.grid(axis="x", alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax
