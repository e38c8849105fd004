"""What-if panels for portfolio managers (ipywidgets): move a threshold, see the portfolio change.

Each panel is a thin layer over pure functions, which a notebook also calls once in a plain
cell: ipywidgets swallows exceptions raised inside widget callbacks, so a broken calculation
would otherwise go unnoticed (STYLE.md §8). Engines never import this module.

Panels
------
:func:`rag_threshold_panel`
    Sliders for the green and amber RAG thresholds and a month drop-down; shows the
    per-project EVM table with RAG coloured and the number of projects per RAG level.
    Pure functions: :func:`pmo_lib.evm.apply_thresholds` and :func:`pmo_lib.evm.rag_counts`.
"""

from __future__ import annotations

import html

import ipywidgets
import pandas as pd

from . import evm, plots
from .errors import PMOError
from .model import Portfolio, parse_month

__all__ = [
    "TABLE_COLUMNS",
    "RagThresholdPanel",
    "rag_threshold_panel",
]

#: Columns of :func:`pmo_lib.evm.project_performance` the RAG panel shows, in order.
TABLE_COLUMNS = ("name", "programme", "bac", "pv", "ev", "ac", "spi", "cpi", "rag",
                 "rag_reason")

#: Range and step of the threshold sliders (SPI and CPI values). [ratio]
_SLIDER = {"min": 0.50, "max": 1.10, "step": 0.01}


def _counts_html(counts: pd.Series) -> str:
    badges = [
        f"<span style='background:{evm.RAG_COLOURS[level]}; color:white; font-weight:bold; "
        f"padding:0.2em 0.6em; margin-right:0.4em; border-radius:3px'>{level}: {n}</span>"
        for level, n in counts.items()
    ]
    return "<div style='margin:0.4em 0'>Projects per RAG: " + "".join(badges) + "</div>"


class RagThresholdPanel(ipywidgets.VBox):
    """The RAG threshold what-if panel (build it with :func:`rag_threshold_panel`).

    Attributes
    ----------
    month : ipywidgets.Dropdown
        The status month (``'YYYY-MM'``).
    green, amber : ipywidgets.FloatSlider
        The thresholds on SPI and CPI. [ratio]
    table : DataFrame
        The per-project table shown (columns :data:`TABLE_COLUMNS`), for the current values.
    counts : Series
        Projects per RAG level shown (:func:`pmo_lib.evm.rag_counts` of ``table``).
    error : str or None
        Why the table was not updated (e.g. amber above green), shown in the panel; None
        when the table matches the controls.
    """

    def __init__(self, portfolio: Portfolio, month=None,
                 thresholds: evm.RagThresholds | None = None):
        t = thresholds or evm.RagThresholds()
        month = portfolio.latest_month if month is None else parse_month(month)
        portfolio.status_date(month)  # a clear MissingDataError when the month has no status
        self.portfolio = portfolio
        self._performance: dict[str, pd.DataFrame] = {}
        self.table: pd.DataFrame = pd.DataFrame(columns=list(TABLE_COLUMNS))
        self.counts: pd.Series = evm.rag_counts(self.table)
        self.error: str | None = None

        self.month = ipywidgets.Dropdown(options=[str(m) for m in portfolio.months],
                                         value=str(month), description="Month")
        style = {"description_width": "initial"}
        self.green = ipywidgets.FloatSlider(value=t.green, description="Green at or above",
                                            readout_format=".2f", style=style, **_SLIDER)
        self.amber = ipywidgets.FloatSlider(value=t.amber, description="Amber at or above",
                                            readout_format=".2f", style=style, **_SLIDER)
        self._message = ipywidgets.HTML()
        self._counts = ipywidgets.HTML()
        self._table = ipywidgets.HTML()
        self._legend = ipywidgets.HTML()
        super().__init__(children=[
            ipywidgets.HTML("<b>RAG thresholds what-if</b>: a project is green when SPI and "
                            "CPI are both at or above the green threshold, amber when the "
                            "worse one is at or above amber, red below amber."),
            ipywidgets.HBox([self.month, self.green, self.amber]),
            self._message, self._counts, self._table, self._legend,
        ])
        for control in (self.month, self.green, self.amber):
            control.observe(self._update, names="value")
        self._update()

    def _month_performance(self, month: str) -> pd.DataFrame:
        if month not in self._performance:
            self._performance[month] = evm.project_performance(self.portfolio, month)
        return self._performance[month]

    def _update(self, change=None) -> None:
        try:
            thresholds = evm.RagThresholds(green=self.green.value, amber=self.amber.value)
        except PMOError as exc:
            self.error = str(exc)
            self._message.value = (f"<div style='color:{evm.RAG_COLOURS['red']}'>Table not "
                                   f"updated: {html.escape(self.error)}</div>")
            return
        perf = self._month_performance(self.month.value)
        self.table = evm.apply_thresholds(perf, thresholds)[list(TABLE_COLUMNS)]
        self.counts = evm.rag_counts(self.table)
        self.error = None
        self._message.value = ""
        self._counts.value = _counts_html(self.counts)
        styler = plots.performance_table(self.table, currency=self.portfolio.currency)
        self._table.value = styler.to_html()
        self._legend.value = plots.rag_legend(thresholds).to_html()


def rag_threshold_panel(portfolio: Portfolio, month=None,
                        thresholds: evm.RagThresholds | None = None) -> RagThresholdPanel:
    """A what-if panel: how many projects change colour if the RAG thresholds move?

    Sliders set the green and amber thresholds on SPI and CPI, a drop-down the status month;
    the panel shows the per-project table (:func:`pmo_lib.plots.performance_table`, RAG
    coloured) and the number of projects per RAG level, updated as the controls move. The
    EVM figures are computed once per month; moving a slider only re-rates the RAG
    (:func:`pmo_lib.evm.apply_thresholds`).

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period, optional
        The month shown first (default: the latest with status data).
    thresholds : RagThresholds, optional
        The thresholds the sliders start at (default: green 0.95, amber 0.90).

    Returns
    -------
    RagThresholdPanel
        An ``ipywidgets.VBox``; display it as the last line of a cell. Its ``table`` and
        ``counts`` attributes hold what it shows.

    Raises
    ------
    MissingDataError
        ``month`` has no status data.
    """
    return RagThresholdPanel(portfolio, month, thresholds)
