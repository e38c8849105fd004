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
:func:`schedule_panel`
    A small network: pick a task and change its duration, pick a link and change its type and
    lag; shows the schedule table (early and late dates, float, critical), a Gantt chart with
    the critical path in red and the project duration. Pure function:
    :func:`pmo_lib.schedule.what_if_schedule` (:func:`pmo_lib.schedule.cpm` on a changed copy
    made by :func:`pmo_lib.schedule.what_if_network`).
:func:`portfolio_schedule_panel`
    A portfolio at a status month: pick a project and one of its open tasks and change its
    duration; shows how every project's forecast finish and finish variance move. Pure
    function: :func:`pmo_lib.schedule.portfolio_what_if` (two
    :func:`pmo_lib.schedule.schedule_portfolio` runs compared project by project with
    :func:`pmo_lib.schedule.compare_projects`).
:func:`evm_panel`
    One project (or the fence of training module 03): sliders for percent complete, actual
    cost and the remaining budget (a new ETC), a drop-down for the EAC method; shows EAC, ETC,
    VAC, TCPI, the forecast finish (earned schedule) and the RAG. Pure function:
    :func:`evm_forecast` (:func:`pmo_lib.evm.indicators`, :func:`pmo_lib.evm.earned_schedule`
    and :func:`pmo_lib.evm.rag_status` on an :class:`EvmCase` from :func:`evm_case`).
:func:`agile_forecast_panel`
    A throughput history: sliders for the items still to do, the history window and the
    periods ahead; shows when the items will be done and how many by then, at 50/85/95 %
    confidence, and the distribution of the Monte Carlo runs. Pure functions:
    :func:`pmo_lib.agile.forecast_when` and :func:`pmo_lib.agile.forecast_how_many`.
:func:`risk_panel`
    One project's Monte Carlo schedule and cost risk: a slider widens or narrows every
    three-point estimate, a checkbox per open risk switches a mitigation on (its probability
    and impact after it on two sliders); shows the P50 and P80 finish and cost, the schedule
    contingency to P80, the probabilities of finishing by the baseline finish and within BAC
    and the JCL, a histogram of the finish and the cost–finish scatter. Pure function:
    :func:`risk_what_if` (:func:`pmo_lib.simulation.simulate` on a :class:`RiskCase` from
    :func:`risk_case`).
:func:`levelling_panel`
    A portfolio's unfinished work levelled within its resources: pick a resource and change
    its capacity, add people alongside it or remove it (another resource of its role takes
    over), pick a project and change its priority rank; shows each project's levelled finish
    as it is and with the changes, the change and the reason it slips, a finish dumbbell and
    the heat map of the levelled utilisation. Pure function: :func:`levelling_what_if`
    (:func:`pmo_lib.resources.level_portfolio` on a :class:`LevellingCase` from
    :func:`levelling_case`).
:func:`plan_panel`
    A life-cycle template and a duration: shows the plan skeleton's finish, gate dates and
    Gantt chart. Pure function: :func:`pmo_lib.methodology.instantiate`.
:func:`approach_panel`
    The "which approach fits?" questionnaire: one drop-down per question; shows the
    recommended approach and why, the score breakdown chart and table. Pure function:
    :func:`pmo_lib.methodology.recommend_approach`.
:func:`selection_panel`
    A planning round of candidate projects: a slider for the total budget, what is
    maximised (the value or the weighted score) and the criterion weights, a drop-down per
    candidate to force it in, out or leave it free; shows the selected portfolio (table,
    count, cost, slack, value), what entered and left against the previous budget and the
    efficient frontier with the budget marked. Pure function: :func:`selection_case`
    (:func:`pmo_lib.portfolio.select`, :func:`~pmo_lib.portfolio.budget_change` and
    :func:`~pmo_lib.portfolio.frontier`).
"""

from __future__ import annotations

import html
import io
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, replace

import ipywidgets
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from . import evm, methodology, plots, resources, schedule, simulation
from ._util import check_choice
from .calendar import WorkCalendar
from .errors import DataValidationError, PMOError, Problem, ScheduleError, UnknownReferenceError
from .model import LINK_TYPES, Portfolio, parse_month

# The what-if engine's own id, listing and link-key helpers, so messages read the same.
from .schedule import _id_series, _link_key, _listing

__all__ = [
    "EAC_METHOD_LABELS",
    "FORCE_CHOICES",
    "FORECAST_KEYS",
    "LEVELLING_COLUMNS",
    "RISK_WHAT_IF_KEYS",
    "SCHEDULE_COLUMNS",
    "SELECTION_COLUMNS",
    "SELECTION_OBJECTIVES",
    "TABLE_COLUMNS",
    "AgileForecastPanel",
    "ApproachPanel",
    "EvmCase",
    "EvmPanel",
    "LevellingCase",
    "LevellingPanel",
    "LevellingWhatIf",
    "PlanPanel",
    "PortfolioSchedulePanel",
    "RagThresholdPanel",
    "RiskCase",
    "RiskPanel",
    "SchedulePanel",
    "SelectionCase",
    "SelectionPanel",
    "agile_forecast_panel",
    "approach_panel",
    "evm_case",
    "evm_forecast",
    "evm_panel",
    "levelling_case",
    "levelling_panel",
    "levelling_what_if",
    "plan_panel",
    "portfolio_schedule_panel",
    "rag_threshold_panel",
    "risk_case",
    "risk_panel",
    "risk_what_if",
    "schedule_panel",
    "selection_case",
    "selection_panel",
]

#: Columns of :func:`pmo_lib.evm.project_performance` the RAG panel shows, in order.
TABLE_COLUMNS = ("name", "programme", "bac", "pv", "ev", "ac", "spi", "spi_t", "cpi", "vac",
                 "rag", "rag_reason")

#: Range and step of the threshold sliders (SPI and CPI values). [ratio]
_SLIDER = {"min": 0.50, "max": 1.10, "step": 0.01}


def _counts_html(counts: pd.Series) -> str:
    badges = [
        f"<span style='background:{evm.RAG_COLOURS[level]}; color:white; font-weight:bold; "
        f"padding:0.2em 0.6em; margin-right:0.4em; border-radius:3px'>{level}: {n}</span>"
        for level, n in counts.items()
    ]
    return "<div style='margin:0.4em 0'>Projects per RAG: " + "".join(badges) + "</div>"


class _Panel(ipywidgets.VBox):
    """A what-if panel: its ``error`` and the message line ``_message`` that shows it."""

    def _not_updated(self, what: str, exc: PMOError) -> None:
        """Keep what is shown and say why it was not updated (``what``: "Table not updated")."""
        self.error = str(exc)
        self._message.value = (f"<div style='color:{evm.RAG_COLOURS['red']}'>{what}: "
                               f"{html.escape(self.error)}</div>")

    def _updated(self) -> None:
        self.error = None
        self._message.value = ""


class RagThresholdPanel(_Panel):
    """The RAG threshold what-if panel (build it with :func:`rag_threshold_panel`).

    Attributes
    ----------
    month : ipywidgets.Dropdown
        The status month (``'YYYY-MM'``).
    green, amber : ipywidgets.FloatSlider
        The thresholds on SPI (or SPI(t)) and CPI. [ratio]
    schedule_index : ipywidgets.Dropdown
        The schedule index rated, ``"spi"`` or ``"spi_t"``.
    rate_vac : ipywidgets.Checkbox
        Whether VAC / BAC is rated too.
    vac_amber, vac_red : ipywidgets.FloatSlider
        The thresholds on VAC / BAC. [fraction of BAC]
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
        self.schedule_index = ipywidgets.Dropdown(
            options=[("SPI (money)", "spi"), ("SPI(t) (earned schedule)", "spi_t")],
            value=t.schedule_index, description="Schedule index", style=style)
        self.rate_vac = ipywidgets.Checkbox(value=t.rate_vac, description="Rate VAC / BAC",
                                            indent=False)
        self.vac_amber = ipywidgets.FloatSlider(value=t.vac_amber, min=-0.30, max=0.0,
                                                step=0.01, readout_format=".0%", style=style,
                                                description="VAC/BAC green at or above")
        self.vac_red = ipywidgets.FloatSlider(value=t.vac_red, min=-0.30, max=0.0, step=0.01,
                                              readout_format=".0%", style=style,
                                              description="VAC/BAC amber at or above")
        self._message = ipywidgets.HTML()
        self._counts = ipywidgets.HTML()
        self._table = ipywidgets.HTML()
        self._legend = ipywidgets.HTML()
        super().__init__(children=[
            ipywidgets.HTML("<b>RAG thresholds what-if</b>: a project is green when its "
                            "schedule index (SPI or SPI(t)) and CPI are both at or above the "
                            "green threshold (and, when rated, its forecast overrun VAC / BAC "
                            "is small enough), amber when the worst is at or above amber, red "
                            "below."),
            ipywidgets.HBox([self.month, self.green, self.amber]),
            ipywidgets.HBox([self.schedule_index, self.rate_vac, self.vac_amber,
                             self.vac_red]),
            self._message, self._counts, self._table, self._legend,
        ])
        for control in (self.month, self.green, self.amber, self.schedule_index,
                        self.rate_vac, self.vac_amber, self.vac_red):
            control.observe(self._update, names="value")
        self._update()

    def _month_performance(self, month: str) -> pd.DataFrame:
        if month not in self._performance:  # with SPI(t): every rating re-rates this table
            self._performance[month] = evm.project_performance(
                self.portfolio, month, evm.RagThresholds(schedule_index="spi_t"))
        return self._performance[month]

    def _update(self, change=None) -> None:
        try:
            thresholds = evm.RagThresholds(
                green=self.green.value, amber=self.amber.value, vac_amber=self.vac_amber.value,
                vac_red=self.vac_red.value, schedule_index=self.schedule_index.value,
                rate_vac=self.rate_vac.value)
        except PMOError as exc:
            self._not_updated("Table not updated", exc)
            return
        perf = self._month_performance(self.month.value)
        self.table = evm.apply_thresholds(perf, thresholds)[list(TABLE_COLUMNS)]
        self.counts = evm.rag_counts(self.table)
        self._updated()
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


# ----------------------------------------------------------------------------------------
# Schedule what-if: a small network
# ----------------------------------------------------------------------------------------
#: Columns of the schedule table of :func:`schedule_panel`, in order.
SCHEDULE_COLUMNS = ("name", "duration", "early_start", "early_finish", "late_start",
                    "late_finish", "total_float", "free_float", "critical", "start_date",
                    "finish_date")

def _figure_png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    return buf.getvalue()


def _schedule_styler(table: pd.DataFrame):
    """The schedule table: whole days, short dates, critical rows in red."""
    number = ("duration", "early_start", "early_finish", "late_start", "late_finish",
              "total_float", "free_float")
    fmt = {c: "{:g}" for c in number if c in table.columns}
    fmt |= {c: "{:%a %d %b}" for c in ("start_date", "finish_date") if c in table.columns}
    fmt["critical"] = lambda v: "yes" if v else ""
    red = plots.GANTT_COLOURS["critical"]
    headers = {"early_start": "ES", "early_finish": "EF", "late_start": "LS",
               "late_finish": "LF", "total_float": "total float (TF)",
               "free_float": "free float (FF)"}
    return (table.style.format(fmt, na_rep="–")
            .apply(lambda row: [f"color: {red}; font-weight: bold" if row["critical"] else ""
                                for _ in row], axis=1)
            .relabel_index([headers.get(c, c.replace("_", " ")) for c in table.columns],
                           axis="columns"))


class SchedulePanel(_Panel):
    """The schedule what-if panel of a small network (build it with :func:`schedule_panel`).

    Attributes
    ----------
    task : ipywidgets.Dropdown
        The task whose duration the slider sets (value: task id).
    duration : ipywidgets.FloatSlider
        The chosen task's duration. [d]
    link : ipywidgets.Dropdown
        The link whose type and lag the controls set (value: ``(pred, succ)``).
    link_type : ipywidgets.Dropdown
        The chosen link's type (:data:`pmo_lib.model.LINK_TYPES`).
    lag : ipywidgets.FloatSlider
        The chosen link's lag (negative: a lead). [d]
    reset : ipywidgets.Button
        Back to the network as given.
    durations, link_changes : dict
        The changes made so far (as for :func:`pmo_lib.schedule.what_if_schedule`); only
        values that differ from the network as given.
    schedule : DataFrame
        The what-if schedule (:func:`pmo_lib.schedule.what_if_schedule`); ``plan`` is the
        schedule as given.
    table : DataFrame
        The table shown (columns :data:`SCHEDULE_COLUMNS`).
    project_duration : float
        The what-if project duration; ``plan_duration`` that of the network as given. [d]
    critical_paths : list of list of str
        The critical paths (:func:`pmo_lib.schedule.critical_paths`).
    error : str or None
        Why the table was not updated; None when it matches the controls.
    """

    def __init__(self, tasks: pd.DataFrame, links: pd.DataFrame | None, *,
                 calendar: WorkCalendar | None = None, start=None, task: str | None = None,
                 link: tuple[str, str] | None = None, near_critical: float = 10.0):
        self.calendar = calendar or WorkCalendar()
        start = pd.Timestamp.today().normalize() if start is None else pd.Timestamp(start)
        self.start = self.calendar.roll_forward(start)
        self.tasks = tasks.copy()
        _, self.links = schedule.what_if_network(tasks, links, link_changes={})
        if "type" not in self.links.columns:
            self.links["type"] = "FS"
        if "lag" not in self.links.columns:
            self.links["lag"] = 0.0
        self.links["type"] = self.links["type"].fillna("FS").astype(str).str.strip().str.upper()
        self.links["lag"] = pd.to_numeric(self.links["lag"]).fillna(0.0).astype(float)
        self._options = {"calendar": self.calendar, "start": self.start,
                         "near_critical": near_critical}
        self.plan = schedule.what_if_schedule(self.tasks, self.links, **self._options)  # fail early
        self.plan_duration = float(self.plan["early_finish"].max()) if len(self.plan) else 0.0

        ids = _id_series(self.tasks)
        names = (self.tasks["name"].astype(str) if "name" in self.tasks.columns else ids)
        self._names = pd.Series(names.to_numpy(), index=ids.to_numpy())
        self._duration0 = pd.Series(pd.to_numeric(self.tasks["duration"]).to_numpy(float),
                                    index=ids.to_numpy())
        self._link0 = {(str(r.pred), str(r.succ)): (r.type, float(r.lag))
                       for r in self.links.itertuples()}
        if task is not None and str(task) not in self._duration0.index:
            raise ScheduleError(f"unknown task {task!r}; the tasks are {_listing(ids)}")
        if link is not None and _link_key(link) not in self._link0:
            raise ScheduleError(f"no link {link[0]}->{link[1]}; the links are "
                                f"{_listing(f'{p}->{s}' for p, s in self._link0)}")
        self.durations: dict[str, float] = {}
        self.link_changes: dict[tuple[str, str], dict] = {}
        self.schedule = self.plan
        self.table = pd.DataFrame(columns=list(SCHEDULE_COLUMNS))
        self.project_duration = self.plan_duration
        self.critical_paths: list[list[str]] = []
        self.error: str | None = None
        self._loading = False

        style = {"description_width": "initial"}
        longest = float(self._duration0.max()) if len(self._duration0) else 0.0
        self.task = ipywidgets.Dropdown(
            options=[(f"{i} · {n}", i) for i, n in self._names.items()],
            value=str(task) if task is not None else (ids.iloc[0] if len(ids) else None),
            description="Task", style=style)
        self.duration = ipywidgets.FloatSlider(
            min=0.0, max=max(10.0, 2.0 * longest), step=1.0, readout_format=".0f",
            description="Duration [working days]", style=style,
            value=self._duration0.get(self.task.value, 0.0))
        reach = max(10.0, longest, *(abs(lag) for _, lag in self._link0.values()))
        first_link = _link_key(link) if link is not None else next(iter(self._link0), None)
        self.link = ipywidgets.Dropdown(
            options=[(f"{p} → {s}", (p, s)) for p, s in self._link0], value=first_link,
            description="Link", style=style)
        self.link_type = ipywidgets.Dropdown(options=list(LINK_TYPES), description="Type",
                                             value=self._link0.get(first_link, ("FS", 0))[0])
        self.lag = ipywidgets.FloatSlider(
            min=-reach, max=reach, step=1.0, readout_format=".0f",
            description="Lag [working days] (negative: lead)", style=style,
            value=self._link0.get(first_link, ("FS", 0.0))[1])
        for control in (self.link, self.link_type, self.lag):
            control.disabled = not self._link0
        self.reset = ipywidgets.Button(description="Reset", tooltip="Back to the plan")
        self._message = ipywidgets.HTML()
        self._summary = ipywidgets.HTML()
        self._table = ipywidgets.HTML()
        self._chart = ipywidgets.Image(format="png")
        super().__init__(children=[
            ipywidgets.HTML("<b>Schedule what-if</b>: change a task's duration or a link's "
                            "type and lag; the dates, the float and the critical path "
                            "(in red) follow."),
            ipywidgets.HBox([self.task, self.duration]),
            ipywidgets.HBox([self.link, self.link_type, self.lag, self.reset]),
            self._message, self._summary, self._chart, self._table,
        ])
        self.task.observe(self._pick_task, names="value")
        self.link.observe(self._pick_link, names="value")
        self.duration.observe(self._set_duration, names="value")
        self.link_type.observe(self._set_link, names="value")
        self.lag.observe(self._set_link, names="value")
        self.reset.on_click(self._reset)
        self._update()

    # -- controls -------------------------------------------------------------------------
    def _pick_task(self, change=None) -> None:
        self._loading = True
        try:
            task = self.task.value
            self.duration.value = self.durations.get(task, self._duration0[task])
        finally:
            self._loading = False

    def _pick_link(self, change=None) -> None:
        self._loading = True
        try:
            key = self.link.value
            kind, lag = self._link0[key]
            now = self.link_changes.get(key, {})
            self.link_type.value = now.get("type", kind)
            self.lag.value = now.get("lag", lag)
        finally:
            self._loading = False

    def _set_duration(self, change=None) -> None:
        if self._loading:
            return
        task, value = self.task.value, float(self.duration.value)
        if value == self._duration0[task]:
            self.durations.pop(task, None)
        else:
            self.durations[task] = value
        self._update()

    def _set_link(self, change=None) -> None:
        if self._loading or self.link.value is None:
            return
        key = self.link.value
        kind, lag = self._link0[key]
        new = {"type": self.link_type.value, "lag": float(self.lag.value)}
        if (new["type"], new["lag"]) == (kind, lag):
            self.link_changes.pop(key, None)
        else:
            self.link_changes[key] = new
        self._update()

    def _reset(self, button=None) -> None:
        self.durations.clear()
        self.link_changes.clear()
        self._pick_task()
        if self.link.value is not None:
            self._pick_link()
        self._update()

    # -- display --------------------------------------------------------------------------
    def _update(self) -> None:
        try:
            tasks, links = schedule.what_if_network(self.tasks, self.links,
                                                    durations=self.durations,
                                                    link_changes=self.link_changes)
            result = schedule.cpm(tasks, links, **self._options)
        except PMOError as exc:
            self._not_updated("Schedule not updated", exc)
            return
        self._updated()
        self.schedule = result
        self.table = result.assign(name=self._names.reindex(result.index).to_numpy())[
            list(SCHEDULE_COLUMNS)]
        self.project_duration = float(result["early_finish"].max()) if len(result) else 0.0
        self.critical_paths = schedule.critical_paths(result, links)
        self._summary.value = self._summary_html()
        self._table.value = _schedule_styler(self.table).to_html()
        self._chart.value = self._gantt_png(result)

    def _summary_html(self) -> str:
        delta = self.project_duration - self.plan_duration
        change = ("same as the plan" if abs(delta) < 1e-9
                  else f"plan {self.plan_duration:g}, {delta:+g}")
        colour = "#c62828" if delta > 1e-9 else "#2e7d32" if delta < -1e-9 else "#333"
        finish = self.table["finish_date"].max() if len(self.table) else None
        paths = "<br>".join(" → ".join(map(html.escape, p)) for p in self.critical_paths)
        return (f"<div style='margin:0.4em 0'>Project duration: <b style='color:{colour}'>"
                f"{self.project_duration:g} working days</b> ({change})"
                + (f", finishing {finish:%a %d %b %Y}" if finish is not None else "")
                + f"<br>Critical path: <span style='color:#c62828'>{paths or '–'}</span>"
                + "</div>")

    def _gantt_png(self, result: pd.DataFrame) -> bytes:
        chart = result.assign(name=self._names.reindex(result.index).to_numpy(),
                              milestone=result["duration"].to_numpy() == 0)
        fig = Figure(figsize=(9, 0.32 * len(chart) + 1.6), layout="constrained")
        plots.gantt(chart, ax=fig.subplots(), title="What-if schedule")
        return _figure_png(fig)


def schedule_panel(tasks: pd.DataFrame, links: pd.DataFrame | None, *,
                   calendar: WorkCalendar | None = None, start=None, task: str | None = None,
                   link: tuple[str, str] | None = None,
                   near_critical: float = 10.0) -> SchedulePanel:
    """A what-if panel on a small network: change a duration or a link, see the schedule move.

    A drop-down picks a task and a slider sets its duration; another drop-down picks a link,
    whose type (FS, SS, FF, SF) and lag the next two controls set. The panel shows the
    project duration and the critical path(s), a Gantt chart (critical tasks in red) and the
    schedule table (ES, EF, LS, LF, total and free float, critical), recomputed with
    :func:`pmo_lib.schedule.what_if_schedule` whenever a control moves. Changes add up (a
    duration and a link change together); the Reset button goes back to the network as given.

    Parameters
    ----------
    tasks : DataFrame
        ``id``, ``duration`` [d], optional ``name``.
    links : DataFrame or None
        ``pred``, ``succ``, optional ``type`` and ``lag`` [d].
    calendar : WorkCalendar, optional
        Working days (default Monday to Friday).
    start : date-like, optional
        The date of offset 0 (default: today), rolled forward to a working day.
    task, link : optional
        The task id and the ``(pred, succ)`` link the controls show first.
    near_critical : float
        Tasks with ``0 < TF ≤ near_critical`` are near-critical, drawn amber (as
        :func:`~pmo_lib.schedule.cpm`; 0 draws every task with float in blue). [d]

    Returns
    -------
    SchedulePanel
        An ``ipywidgets.VBox``; display it as the last line of a cell. Its ``schedule``,
        ``table``, ``project_duration`` and ``critical_paths`` attributes hold what it shows.

    Raises
    ------
    ScheduleError
        The network cannot be scheduled (the message of :func:`pmo_lib.schedule.cpm`), or
        ``task`` / ``link`` does not exist.
    """
    return SchedulePanel(tasks, links, calendar=calendar, start=start, task=task, link=link,
                         near_critical=near_critical)


# ----------------------------------------------------------------------------------------
# Schedule what-if: a portfolio at a status month
# ----------------------------------------------------------------------------------------
class PortfolioSchedulePanel(_Panel):
    """The portfolio schedule what-if panel (build it with :func:`portfolio_schedule_panel`).

    Attributes
    ----------
    project : ipywidgets.Dropdown
        The project (projects with open tasks only).
    task : ipywidgets.Dropdown
        One of its open tasks (not complete, not milestones), least total float first.
    duration : ipywidgets.FloatSlider
        The task's what-if duration. [d]
    reset : ipywidgets.Button
        Back to the task's own duration.
    durations : dict
        The change shown (task id → duration), empty when none.
    before, after : DataFrame
        The portfolio schedules as it is and with the change.
    table : DataFrame
        Per project (:func:`pmo_lib.schedule.portfolio_what_if`, columns
        :data:`pmo_lib.schedule.PORTFOLIO_COLUMNS`).
    task_float : tuple of float
        The chosen task's total float before and after the change. [d]
    error : str or None
        Why the table was not updated; None when it matches the controls.
    """

    def __init__(self, portfolio: Portfolio, month=None, *, project: str | None = None,
                 task: str | None = None):
        month = portfolio.latest_month if month is None else parse_month(month)
        portfolio.status_date(month)  # a clear MissingDataError when the month has no status
        self.portfolio, self.month = portfolio, month
        self.before = schedule.schedule_portfolio(portfolio, month)
        self.after = self.before
        self.durations: dict[str, float] = {}
        self.error: str | None = None
        self._loading = False
        open_ = self.before[(self.before["status"] != "complete")
                            & (self.before["duration"] > 0)]  # milestones have no duration
        self._open = open_.sort_values(["total_float", "early_start"])
        projects = portfolio.projects.set_index("id")
        with_work = [p for p in projects.index if p in set(open_["project_id"])]
        if not with_work:
            raise ScheduleError(f"every task is complete at {month}: nothing to change")
        if task is not None:
            if str(task) not in self._open.index:
                raise ScheduleError(f"task {task!r} is not an open task at {month}; pick one "
                                    "that is not complete and not a milestone")
            project = self._open.at[str(task), "project_id"]
        if project is not None and str(project) not in with_work:
            raise ScheduleError(f"project {project!r} has no open task at {month}; projects "
                                f"with open tasks: {_listing(with_work)}")

        style = {"description_width": "initial"}
        self.project = ipywidgets.Dropdown(
            options=[(f"{p} · {projects.at[p, 'name']}", p) for p in with_work],
            value=str(project) if project is not None else with_work[0],
            description="Project", style=style)
        self.task = ipywidgets.Dropdown(description="Task", style=style,
                                        layout=ipywidgets.Layout(width="32em"))
        self.duration = ipywidgets.FloatSlider(min=0.0, max=10.0, step=1.0,
                                               readout_format=".0f", style=style,
                                               description="Duration [working days]")
        self.reset = ipywidgets.Button(description="Reset",
                                       tooltip="Back to the task's own duration")
        self._message = ipywidgets.HTML()
        self._summary = ipywidgets.HTML()
        self._chart = ipywidgets.Image(format="png")
        self._table = ipywidgets.HTML()
        super().__init__(children=[
            ipywidgets.HTML(f"<b>Schedule what-if at the {month} status</b>: change the "
                            "duration of one open task and see every project's forecast "
                            "finish move (through cross-project links too)."),
            ipywidgets.HBox([self.project, self.task]),
            ipywidgets.HBox([self.duration, self.reset]),
            self._message, self._summary, self._chart, self._table,
        ])
        self._fill_tasks(str(task) if task is not None else None)
        self.project.observe(lambda change: self._fill_tasks(None), names="value")
        self.task.observe(self._pick_task, names="value")
        self.duration.observe(self._set_duration, names="value")
        self.reset.on_click(self._reset)

    def _fill_tasks(self, task: str | None) -> None:
        rows = self._open[self._open["project_id"] == self.project.value]
        self._loading = True
        try:
            self.task.options = [(f"{i} · {r['name']} (float {r['total_float']:.0f} d, "
                                  f"{r['status']})", i) for i, r in rows.iterrows()]
            self.task.value = task if task is not None else rows.index[0]
        finally:
            self._loading = False
        self._pick_task()

    def _pick_task(self, change=None) -> None:
        if self._loading:
            return
        self._loading = True
        try:
            own = float(self.before.at[self.task.value, "duration"])
            self.duration.max = max(10.0, 2.0 * own, own + 20.0)
            self.duration.value = own
        finally:
            self._loading = False
        self.durations = {}
        self._update()

    def _set_duration(self, change=None) -> None:
        if self._loading:
            return
        own = float(self.before.at[self.task.value, "duration"])
        value = float(self.duration.value)
        self.durations = {} if value == own else {self.task.value: value}
        self._update()

    def _reset(self, button=None) -> None:
        self._pick_task()

    def _update(self) -> None:
        try:
            self.after = (schedule.schedule_portfolio(self.portfolio, self.month,
                                                      durations=self.durations)
                          if self.durations else self.before)
        except PMOError as exc:
            self._not_updated("Not updated", exc)
            return
        self._updated()
        self.table = schedule.compare_projects(self.portfolio, self.before, self.after)
        task = self.task.value
        self.task_float = (float(self.before.at[task, "total_float"]),
                           float(self.after.at[task, "total_float"]))
        self._summary.value = self._summary_html()
        self._table.value = self._styler().to_html()
        self._chart.value = self._chart_png()

    def _summary_html(self) -> str:
        task = self.task.value
        own = float(self.before.at[task, "duration"])
        now = self.durations.get(task, own)
        moved = self.table[self.table["finish_change"].abs() > 1e-9]
        if moved.empty:
            effect = "no project's finish moves"
        else:
            effect = "; ".join(f"{p} {c:+.1f} d" for p, c in moved["finish_change"].items())
            effect = f"finish moves: {html.escape(effect)}"
        before, after = self.task_float
        left = (float(self.before.at[task, "remaining"]), float(self.after.at[task, "remaining"]))
        return (f"<div style='margin:0.4em 0'>Task <b>{html.escape(task)}</b> "
                f"({html.escape(str(self.before.at[task, 'name']))}, "
                f"{self.before.at[task, 'status']}): duration {own:g} → {now:g} working days, "
                f"remaining work {left[0]:.1f} → {left[1]:.1f} d, total float {before:.1f} → "
                f"{after:.1f} d.<br>{effect}.</div>")

    def _styler(self):
        fmt = {c: "{:%d %b %Y}" for c in ("baseline_finish", "finish_before", "finish")}
        fmt |= {c: "{:+.1f}" for c in ("finish_change", "finish_variance_before",
                                       "finish_variance")}
        return (self.table.style.format(fmt, na_rep="–")
                .map(lambda v: "color: #c62828; font-weight: bold" if v > 1e-9 else
                     "color: #2e7d32; font-weight: bold" if v < -1e-9 else "",
                     subset=["finish_change"])
                .relabel_index([c.replace("_", " ") for c in self.table.columns],
                               axis="columns")
                .set_caption("Changes and variances in working days (positive = later)"))

    def _chart_png(self) -> bytes:
        t = self.table.iloc[::-1]
        y = np.arange(len(t))
        fig = Figure(figsize=(8, 0.3 * len(t) + 1.4), layout="constrained")
        ax = fig.subplots()
        ax.barh(y + 0.2, t["finish_variance_before"], height=0.4, color="#b5bcc4",
                label="as it is")
        ax.barh(y - 0.2, t["finish_variance"], height=0.4, color="#1f4e79",
                label="with the change")
        ax.set_yticks(y, [f"{p}  {n}" for p, n in zip(t.index, t["name"], strict=True)],
                      fontsize=8)
        ax.axvline(0, color="0.3", lw=0.8)
        ax.set_xlabel("Forecast finish − baseline finish [working days] (right of 0: late)")
        ax.set_title("Finish variance by project", loc="left", fontweight="bold")
        ax.legend(frameon=False, fontsize=8, loc="lower right")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        return _figure_png(fig)


def portfolio_schedule_panel(portfolio: Portfolio, month=None, *, project: str | None = None,
                             task: str | None = None) -> PortfolioSchedulePanel:
    """A what-if panel on a portfolio: one task takes longer (or shorter); which projects slip?

    Drop-downs pick a project and one of its open tasks (not complete and not milestones;
    least total float first: critical tasks at the top); a slider sets the task's duration. The panel shows the task's total
    float before and after, every project's forecast finish and its variance to the baseline
    (:func:`pmo_lib.schedule.portfolio_what_if`), and a chart of the variances as it is and
    with the change. The portfolio is scheduled once as it is and once per slider move.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period, optional
        The status month (default: the latest with status data).
    project, task : str, optional
        The project and the task shown first (default: the first project with open tasks and
        its task with the least float). A task selects its project.

    Returns
    -------
    PortfolioSchedulePanel
        An ``ipywidgets.VBox``; display it as the last line of a cell. Its ``table``,
        ``task_float``, ``before`` and ``after`` attributes hold what it shows.

    Raises
    ------
    MissingDataError
        ``month`` has no status data.
    ScheduleError
        ``project`` or ``task`` has no open work at the month.
    """
    return PortfolioSchedulePanel(portfolio, month, project=project, task=task)


# ----------------------------------------------------------------------------------------
# EVM forecast what-if: one project (or the fence of training module 03)
# ----------------------------------------------------------------------------------------
#: What :func:`evm_forecast` returns, in order (:data:`pmo_lib.evm.FORECAST_KEYS`).
FORECAST_KEYS = evm.FORECAST_KEYS

#: Labels of the EAC methods in the panel's drop-down.
EAC_METHOD_LABELS = {
    "cpi": "BAC / CPI (costs go on as so far)",
    "additive": "AC + (BAC − EV) (the rest at budget)",
    "cpi_spi": "AC + (BAC − EV) / (CPI × SPI)",
    "new_etc": "AC + new ETC (a new estimate)",
}


@dataclass(frozen=True)
class EvmCase:
    """The EVM figures of one project at a status date: what :func:`evm_panel` starts from.

    Build it with :func:`evm_case`.

    Attributes
    ----------
    name : str
        What is shown as the title (project ID and name, or "the fence").
    pv, ev, ac, bac : float
        Planned value, earned value, actual cost and budget at completion. [cur]
    pv_cumulative : Series
        Cumulative PV at the end of periods 1, 2, ... (the last is BAC). [cur]
    at : float
        Actual time at the status date. [periods]
    first_month : Period or None
        The calendar month of period 1, to turn IEAC(t) into a date; None for the fence,
        whose periods are weeks without a calendar.
    unit : str
        The period, ``"months"`` or ``"weeks"``.
    currency : str
    """

    name: str
    pv: float
    ev: float
    ac: float
    bac: float
    pv_cumulative: pd.Series
    at: float
    first_month: pd.Period | None = None
    unit: str = "months"
    currency: str = "EUR"


def evm_case(portfolio: Portfolio | None = None, month=None,
             project: str | None = None) -> EvmCase:
    """The EVM figures of one project at ``month``, or of the fence (no portfolio).

    Parameters
    ----------
    portfolio : Portfolio, optional
        None: the tiny example of training module 03
        (:func:`pmo_lib.exercises.earned_value.fence`, five weeks, no calendar).
    month : str or Period, optional
        The status month (default: the latest with status data).
    project : str, optional
        Project ID (default: the first project of the portfolio).

    Returns
    -------
    EvmCase
        PV, EV, AC, BAC from :func:`pmo_lib.evm.project_performance`; the monthly cumulative
        PV from :func:`pmo_lib.evm.planned_value`; AT from
        :func:`pmo_lib.evm.project_earned_schedule`.

    Raises
    ------
    MissingDataError
        ``month`` has no status data.
    DataValidationError
        ``project`` is not in the portfolio, or has no budget or has not started at ``month``.
    """
    if portfolio is None:
        from .exercises.earned_value import fence, fence_pv
        f = fence()
        return EvmCase("The fence (training module 03)", f["pv"], f["ev"], f["ac"], f["bac"],
                       fence_pv(), f["at"], None, "weeks")
    month = portfolio.latest_month if month is None else parse_month(month)
    perf = evm.project_performance(portfolio, month)
    project = str(perf.index[0]) if project is None else str(project)
    if project not in perf.index:
        raise DataValidationError(Problem(
            "evm_case", None, project, "project",
            f"unknown project {project!r}; use one of {_listing(perf.index)}"))
    es = evm.project_earned_schedule(portfolio, month).loc[project]
    if not np.isfinite(es["at"]):
        raise DataValidationError(Problem(
            "evm_case", None, project, "project",
            f"project {project!r} has no budget or has not started at {month}: nothing to "
            "forecast yet"))
    tasks = portfolio.tasks[portfolio.tasks["project_id"] == project]
    pv_cumulative = evm.planned_value(tasks, portfolio.calendar, "M").sum(axis=0).cumsum()
    row = perf.loc[project]
    return EvmCase(f"{project} · {row['name']} at the {month} status", float(row["pv"]),
                   float(row["ev"]), float(row["ac"]), float(row["bac"]), pv_cumulative,
                   float(es["at"]), tasks["baseline_start"].min().to_period("M"), "months",
                   portfolio.currency)


def evm_forecast(case: EvmCase, *, percent_complete: float | None = None,
                 ac: float | None = None, etc: float | None = None, method: str = "cpi",
                 thresholds: evm.RagThresholds | None = None) -> dict:
    """The EVM forecast of ``case`` with a changed percent complete, actual cost or ETC.

    Parameters
    ----------
    case : EvmCase
        From :func:`evm_case`.
    percent_complete : float, optional
        Percent complete of the whole project (default: EV / BAC of the case); EV becomes
        BAC × percent complete / 100. [%]
    ac : float, optional
        Actual cost to date (default: the case's). [cur]
    etc : float, optional
        A new estimate to complete, used by ``method="new_etc"`` only. [cur]
    method : str
        EAC method, one of :data:`pmo_lib.evm.EAC_METHODS`.
    thresholds : RagThresholds, optional

    Returns
    -------
    dict
        :func:`pmo_lib.evm.forecast` of the case (the keys of :data:`FORECAST_KEYS`): the
        indicators of :func:`pmo_lib.evm.indicators`, ES, AT, SPI(t) and IEAC(t) of
        :func:`pmo_lib.evm.earned_schedule` [periods of the case], the forecast finish (a
        date: the case's first month plus IEAC(t); NaT for the fence or when undefined) and
        the RAG of :func:`pmo_lib.evm.rag_status`.

    Raises
    ------
    DataValidationError
        As :func:`pmo_lib.evm.indicators` (unknown method, ``new_etc`` without ``etc``, EV
        above BAC) and :func:`pmo_lib.evm.earned_schedule`.

    Examples
    --------
    >>> r = evm_forecast(evm_case(), ac=3000.0)
    >>> round(r["eac"]), round(r["tcpi"], 2)
    (4800, 1.5)
    """
    ev = case.ev if percent_complete is None else case.bac * percent_complete / 100.0
    ac = case.ac if ac is None else float(ac)
    return evm.forecast(case.pv, ev, ac, case.bac, case.pv_cumulative, at=case.at,
                        method=method, etc=etc, thresholds=thresholds,
                        first_month=case.first_month)


class EvmPanel(_Panel):
    """The EVM forecast what-if panel (build it with :func:`evm_panel`).

    Attributes
    ----------
    case : EvmCase
        The project (or the fence) as it is.
    percent_complete : ipywidgets.FloatSlider
        Percent complete of the whole project. [%]
    ac : ipywidgets.FloatSlider
        Actual cost to date. [cur]
    etc : ipywidgets.FloatSlider
        Remaining budget, the new estimate to complete; enabled with the ``new_etc`` method.
        [cur]
    method : ipywidgets.Dropdown
        The EAC method (:data:`pmo_lib.evm.EAC_METHODS`).
    forecast : dict
        What is shown (:func:`evm_forecast` of the controls' values).
    error : str or None
        Why the figures were not updated; None when they match the controls.
    """

    def __init__(self, case: EvmCase, *, method: str = "cpi",
                 thresholds: evm.RagThresholds | None = None):
        self.case, self.thresholds = case, thresholds
        self.error: str | None = None
        first = evm_forecast(case, method="cpi", thresholds=thresholds)
        self.forecast = first
        top = 2.0 * max(case.bac, case.ac, 1.0)
        step = 10.0 ** np.floor(np.log10(top / 1000.0)) if top >= 1000 else 1.0
        style = {"description_width": "initial"}
        self.percent_complete = ipywidgets.FloatSlider(
            value=100.0 * case.ev / case.bac if case.bac else 0.0, min=0.0, max=100.0,
            step=0.5, readout_format=".1f", description="Percent complete [%]", style=style)
        self.ac = ipywidgets.FloatSlider(value=case.ac, min=0.0, max=top, step=step,
                                         readout_format=",.0f", style=style,
                                         description=f"Actual cost [{case.currency}]")
        self.etc = ipywidgets.FloatSlider(value=max(first["etc"], 0.0) if np.isfinite(
            first["etc"]) else 0.0, min=0.0, max=top, step=step, readout_format=",.0f",
            style=style, description=f"Remaining budget, new ETC [{case.currency}]")
        self.method = ipywidgets.Dropdown(
            options=[(EAC_METHOD_LABELS[m], m) for m in evm.EAC_METHODS], value=method,
            description="EAC method", style=style, layout=ipywidgets.Layout(width="30em"))
        self._message = ipywidgets.HTML()
        self._summary = ipywidgets.HTML()
        super().__init__(children=[
            ipywidgets.HTML(f"<b>EVM forecast what-if: {html.escape(case.name)}</b>. Move "
                            "the percent complete or the actual cost, pick how EAC is "
                            "forecast; with a new estimate, set the remaining budget."),
            ipywidgets.VBox([self.percent_complete, self.ac, self.method, self.etc]),
            self._message, self._summary,
        ])
        for control in (self.percent_complete, self.ac, self.etc, self.method):
            control.observe(self._update, names="value")
        self._update()

    def _update(self, change=None) -> None:
        self.etc.disabled = self.method.value != "new_etc"
        try:
            self.forecast = evm_forecast(
                self.case, percent_complete=self.percent_complete.value, ac=self.ac.value,
                etc=self.etc.value, method=self.method.value, thresholds=self.thresholds)
        except PMOError as exc:
            self._not_updated("Not updated", exc)
            return
        self._updated()
        self._summary.value = self._summary_html()

    def _summary_html(self) -> str:
        f, cur = self.forecast, self.case.currency

        def money(x):
            return "–" if not np.isfinite(x) else f"{x:,.0f} {cur}"

        def ratio(x):
            return "–" if not np.isfinite(x) else f"{x:.2f}"

        finish = f["forecast_finish"]
        when = (f"{f['ieac_t']:.1f} {self.case.unit}" if np.isfinite(f["ieac_t"]) else "–")
        if not pd.isna(finish):
            when += f", {finish:%d %b %Y}"
        planned = len(self.case.pv_cumulative)
        colour = evm.RAG_COLOURS[f["rag"]]
        rows = [("EAC (estimate at completion)", money(f["eac"])),
                ("ETC (estimate to complete)", money(f["etc"])),
                ("VAC (variance at completion)", money(f["vac"])),
                ("TCPI (efficiency needed on the rest to meet BAC)", ratio(f["tcpi"])),
                ("SPI · CPI", f"{ratio(f['spi'])} · {ratio(f['cpi'])}"),
                ("SPI(t) (earned schedule / actual time)", ratio(f["spi_t"])),
                (f"Forecast duration (planned {planned} {self.case.unit})", when)]
        body = "".join(f"<tr><td style='padding-right:1em'>{html.escape(k)}</td>"
                       f"<td style='text-align:right'><b>{html.escape(v)}</b></td></tr>"
                       for k, v in rows)
        reason = f" ({html.escape(f['rag_reason'])})" if f["rag_reason"] else ""
        return (f"<table style='margin:0.4em 0'>{body}</table><div>RAG: <span "
                f"style='background:{colour}; color:white; font-weight:bold; padding:0.1em "
                f"0.5em; border-radius:3px'>{f['rag']}</span>{reason}</div>")


def evm_panel(portfolio: Portfolio | None = None, month=None, *, project: str | None = None,
              method: str = "cpi",
              thresholds: evm.RagThresholds | None = None) -> EvmPanel:
    """A what-if panel: what will the project cost, and when will it finish?

    Sliders set the percent complete, the actual cost and the remaining budget (a new
    estimate to complete, used by the ``new_etc`` method); a drop-down picks the EAC method.
    The panel shows EAC, ETC, VAC, TCPI, SPI, CPI, SPI(t), the forecast finish (earned
    schedule, IEAC(t)) and the RAG status, recomputed with :func:`evm_forecast` as the
    controls move.

    Parameters
    ----------
    portfolio : Portfolio, optional
        None: the fence of training module 03 (:func:`evm_case`).
    month : str or Period, optional
        The status month (default: the latest with status data).
    project : str, optional
        Project ID (default: the first project).
    method : str
        The EAC method shown first (:data:`pmo_lib.evm.EAC_METHODS`).
    thresholds : RagThresholds, optional

    Returns
    -------
    EvmPanel
        An ``ipywidgets.VBox``; display it as the last line of a cell. Its ``forecast``
        attribute holds what it shows.

    Raises
    ------
    MissingDataError, DataValidationError
        As :func:`evm_case`; an unknown ``method``.
    """
    check_choice(method, evm.EAC_METHODS, "evm_panel", "method", "EAC method")
    return EvmPanel(evm_case(portfolio, month, project), method=method,
                    thresholds=thresholds)


# ----------------------------------------------------------------------------------------
# Agile: "when will it be done?" and "how many by then?"
# ----------------------------------------------------------------------------------------
class AgileForecastPanel(_Panel):
    """The agile throughput forecast what-if panel (build it with :func:`agile_forecast_panel`).

    Attributes
    ----------
    history : Series
        Throughput per past period (e.g. ``agile.throughput(items).loc[project]``). [items]
    items : ipywidgets.IntSlider
        Items still to do. [items]
    window : ipywidgets.IntSlider
        How many of the latest periods of ``history`` the forecast draws from. [periods]
    periods : ipywidgets.IntSlider
        Periods ahead for "how many items by then?". [periods]
    when, how_many : dict
        :func:`pmo_lib.agile.forecast_when` and :func:`pmo_lib.agile.forecast_how_many` of
        the controls' values (and ``finish_NN``: the period each ``within_NN`` ends in, when
        the history is indexed by periods).
    error : str or None
        Why the figures were not updated; None when they match the controls.
    """

    def __init__(self, history: pd.Series, items: int, periods: int, *, unit: str,
                 iterations: int, seed: int):
        self.history = history
        self.unit, self.iterations, self.seed = unit, iterations, seed
        self.error: str | None = None
        self.when: dict = {}
        self.how_many: dict = {}
        style = {"description_width": "initial"}
        top = int(max(4 * items, 4 * history.sum() / max(len(history), 1) * 26, 10))
        self.items = ipywidgets.IntSlider(value=items, min=0, max=top, style=style,
                                          description="Items still to do")
        self.window = ipywidgets.IntSlider(value=len(history), min=1, max=len(history),
                                           style=style,
                                           description=f"History: last {unit}s used")
        self.periods = ipywidgets.IntSlider(value=periods, min=1, max=max(3 * periods, 26),
                                            style=style, description=f"{unit.title()}s ahead")
        self._message = ipywidgets.HTML()
        self._summary = ipywidgets.HTML()
        self._chart = ipywidgets.Image(format="png")
        super().__init__(children=[
            ipywidgets.HTML("<b>Agile forecast what-if</b>: Monte Carlo runs draw past "
                            f"{unit}s' throughput at random until the items are done (and "
                            f"count what gets done in the {unit}s ahead)."),
            ipywidgets.HBox([self.items, self.window, self.periods]),
            self._message, self._summary, self._chart,
        ])
        for control in (self.items, self.window, self.periods):
            control.observe(self._update, names="value")
        self._update()

    def _update(self, change=None) -> None:
        from . import agile

        recent = self.history.iloc[-self.window.value:]
        kw = {"iterations": self.iterations, "seed": self.seed}
        try:
            when = agile.forecast_when(recent, self.items.value, **kw)
            how_many = agile.forecast_how_many(recent, self.periods.value, **kw)
        except PMOError as exc:
            self._not_updated("Not updated", exc)
            return
        last = self.history.index[-1] if len(self.history) else None
        if isinstance(last, pd.Period):
            when |= {k.replace("within", "finish"): last + int(v) for k, v in when.items()}
        self.when, self.how_many = when, how_many
        self._updated()
        self._summary.value = self._summary_html()
        self._chart.value = self._chart_png(recent)

    def _summary_html(self) -> str:
        u = self.unit
        rows = []
        for key, v in self.when.items():
            if not key.startswith("within"):
                continue
            level = key.split("_")[1]
            end = self.when.get(f"finish_{level}")
            by = f" (by the end of {end})" if end is not None else ""
            rows.append((f"{level} % sure: done within", f"{v:g} {u}s{by}"))
        for key, v in self.how_many.items():
            level = key.split("_")[-1]
            rows.append((f"{level} % sure: in the next {self.periods.value} {u}s at least",
                         f"{v:g} items"))
        body = "".join(f"<tr><td style='padding-right:1em'>{html.escape(k)}</td>"
                       f"<td style='text-align:right'><b>{html.escape(v)}</b></td></tr>"
                       for k, v in rows)
        return f"<table style='margin:0.4em 0'>{body}</table>"

    def _chart_png(self, recent: pd.Series) -> bytes:
        from . import agile

        fig = Figure(figsize=(7, 3), layout="constrained")
        ax = fig.subplots()
        runs = agile.simulate_when(recent, self.items.value, iterations=self.iterations,
                                   seed=self.seed)
        plots.throughput_forecast(runs, {k: v for k, v in self.when.items()
                                         if k.startswith("within")}, ax=ax,
                                  unit=f"{self.unit}s",
                                  title=f"When will {self.items.value} items be done?")
        return _figure_png(fig)


def agile_forecast_panel(history, items: int | None = None, *, periods: int = 8,
                         unit: str = "week", iterations: int = 5_000,
                         seed: int = 1) -> AgileForecastPanel:
    """A what-if panel: when will the remaining items be done, and how many by a date?

    Sliders set the items still to do, how much of the history to trust (the latest
    periods) and how far ahead to count; the panel shows the 50/85/95 % forecasts of
    :func:`pmo_lib.agile.forecast_when` and :func:`pmo_lib.agile.forecast_how_many` and the
    distribution of the runs.

    Parameters
    ----------
    history : Series or array-like
        Throughput per past period, oldest first (e.g. ``agile.throughput(items).loc[pid]``,
        indexed by Period: the forecasts then also name the period they end in). [items]
    items : int, optional
        Items still to do (default: four periods of the mean throughput).
    periods : int, keyword-only
        Periods ahead for "how many?". [periods]
    unit : str, keyword-only
        Name of a period (``"week"``, ``"sprint"``, ...).
    iterations, seed : int, keyword-only
        Monte Carlo runs and seed (fixed, so the panel is reproducible).

    Returns
    -------
    AgileForecastPanel

    Raises
    ------
    DataValidationError
        An empty history or one without any work done (nothing to forecast from).
    """
    from . import agile

    h = history if isinstance(history, pd.Series) else pd.Series(np.asarray(history, float))
    agile.forecast_how_many(h, 1, iterations=1, seed=seed)  # validates the history
    if items is None:
        items = round(4 * float(h.mean()))
    return AgileForecastPanel(h, int(items), int(periods), unit=unit, iterations=iterations,
                              seed=seed)


# ----------------------------------------------------------------------------------------
# Methodology: a plan skeleton from a template
# ----------------------------------------------------------------------------------------
class PlanPanel(_Panel):
    """The life-cycle template what-if panel (build it with :func:`plan_panel`).

    Attributes
    ----------
    template : ipywidgets.Dropdown
        The methodology template (:func:`pmo_lib.methodology.list_templates`).
    duration : ipywidgets.IntSlider
        Planned duration. [d]
    plan : ProjectPlan
        :func:`pmo_lib.methodology.instantiate` of the controls' values.
    gates : DataFrame
        The plan's gates and their dates (``plan.gate_dates``).
    error : str or None
        Why the plan was not updated; None when it matches the controls.
    """

    def __init__(self, template: str, duration: int, start, calendar: WorkCalendar | None):
        self.start, self.calendar = pd.Timestamp(start), calendar
        self.error: str | None = None
        self.plan = None
        self.gates = pd.DataFrame()
        style = {"description_width": "initial"}
        self.template = ipywidgets.Dropdown(options=methodology.list_templates(),
                                            value=template, description="Life cycle",
                                            style=style)
        self.duration = ipywidgets.IntSlider(value=duration, min=10, max=750, step=5,
                                             style=style,
                                             description="Duration [working days]")
        self._message = ipywidgets.HTML()
        self._summary = ipywidgets.HTML()
        self._chart = ipywidgets.Image(format="png")
        super().__init__(children=[
            ipywidgets.HTML("<b>Life-cycle what-if</b>: pick a template and a duration; the "
                            "plan skeleton (phases, deliverables, gates) is scheduled on "
                            "working days."),
            ipywidgets.HBox([self.template, self.duration]),
            self._message, self._summary, self._chart,
        ])
        for control in (self.template, self.duration):
            control.observe(self._update, names="value")
        self._update()

    def _update(self, change=None) -> None:
        try:
            plan = methodology.instantiate(self.template.value, "What-if", self.start,
                                           duration=self.duration.value,
                                           calendar=self.calendar)
        except PMOError as exc:
            self._not_updated("Plan not updated", exc)
            return
        self.plan, self.gates = plan, plan.gate_dates
        self._updated()
        gates = self.gates[["gate", "name", "due_date"]] if "name" in self.gates else self.gates
        self._summary.value = (f"<div>Finish: <b>{plan.finish:%a %d %b %Y}</b>; "
                               f"{len(plan.tasks)} tasks, {len(self.gates)} gates.</div>"
                               + gates.style.format({"due_date": "{:%d %b %Y}"})
                               .hide(axis="index").to_html())
        self._chart.value = self._chart_png()

    def _chart_png(self) -> bytes:
        plan = self.plan
        sched = plan.schedule().join(plan.tasks.set_index("id")[["name", "wbs", "milestone"]])
        fig = Figure(figsize=(9, 0.22 * len(sched) + 1.6), layout="constrained")
        plots.gantt(sched, ax=fig.subplots(), baseline=False,
                    title=f"{self.template.value}: {self.duration.value} working days")
        return _figure_png(fig)


def plan_panel(template: str = "waterfall", duration: int = 120, *, start="2027-01-04",
               calendar: WorkCalendar | None = None) -> PlanPanel:
    """A what-if panel: the plan skeleton of a life-cycle template, for a duration.

    A drop-down picks the template, a slider the duration; the panel shows the finish date,
    the gate dates and a Gantt chart of the scheduled skeleton
    (:func:`pmo_lib.methodology.instantiate`, then :func:`pmo_lib.schedule.cpm`).

    Parameters
    ----------
    template : str
        One of :func:`pmo_lib.methodology.list_templates`.
    duration : int
        Planned duration. [d]
    start : date-like, keyword-only
    calendar : WorkCalendar, keyword-only, optional

    Returns
    -------
    PlanPanel
    """
    return PlanPanel(template, int(duration), start, calendar)


# ----------------------------------------------------------------------------------------
# Methodology: which approach fits?
# ----------------------------------------------------------------------------------------
class ApproachPanel(_Panel):
    """The "which approach fits?" panel (build it with :func:`approach_panel`).

    Attributes
    ----------
    dropdowns : dict
        Question id → ``ipywidgets.Dropdown`` of its options (value: option id).
    reset : ipywidgets.Button
        Back to the first answers.
    answers : dict
        The answers shown (question id → option id).
    recommendation : Recommendation
        :func:`pmo_lib.methodology.recommend_approach` of :attr:`answers`.
    error : str or None
        Why the recommendation was not updated; None when it matches the answers.
    """

    def __init__(self, answers: Mapping[str, str]):
        self.recommendation = methodology.recommend_approach(answers)  # errors raise here
        self._initial = dict(answers)
        self.error: str | None = None
        self._loading = False
        self.dropdowns: dict[str, ipywidgets.Dropdown] = {}
        rows = []
        for qid, part in methodology.questionnaire().groupby("question", sort=False):
            dropdown = ipywidgets.Dropdown(
                options=list(zip(part["option_text"], part["option"], strict=True)),
                value=self._initial[qid], layout=ipywidgets.Layout(width="34em"))
            self.dropdowns[qid] = dropdown
            label = ipywidgets.HTML(f"<b>{html.escape(part['question_text'].iloc[0])}</b>",
                                    layout=ipywidgets.Layout(width="24em"))
            rows.append(ipywidgets.HBox([label, dropdown]))
        self.reset = ipywidgets.Button(description="Reset", icon="undo",
                                       tooltip="Back to the first answers")
        self._message = ipywidgets.HTML()
        self._summary = ipywidgets.HTML()
        self._chart = ipywidgets.Image(format="png")
        self._table = ipywidgets.HTML()
        super().__init__(children=[
            ipywidgets.HTML("<b>Which approach fits?</b> Change an answer: each gives every "
                            "approach 0 to 3 points, and the approach with the most points "
                            "is recommended."),
            *rows, self.reset, self._message, self._summary, self._chart, self._table,
        ])
        for dropdown in self.dropdowns.values():
            dropdown.observe(self._update, names="value")
        self.reset.on_click(self._reset)
        self._show()

    @property
    def answers(self) -> dict[str, str]:
        return {qid: dropdown.value for qid, dropdown in self.dropdowns.items()}

    def _reset(self, button=None) -> None:
        self._loading = True
        try:
            for qid, dropdown in self.dropdowns.items():
                dropdown.value = self._initial[qid]
        finally:
            self._loading = False
        self._update()

    def _update(self, change=None) -> None:
        if self._loading:
            return
        try:
            recommendation = methodology.recommend_approach(self.answers)
        except PMOError as exc:
            self._not_updated("Recommendation not updated", exc)
            return
        self.recommendation = recommendation
        self._updated()
        self._show()

    def _show(self) -> None:
        rec = self.recommendation
        self._summary.value = (f"<div style='font-size:1.1em; margin:0.5em 0'>"
                               f"{html.escape(rec.rationale[0])}</div>")
        self._chart.value = self._chart_png()
        columns = ["question", "answer_text", *methodology.APPROACHES]
        self._table.value = (rec.breakdown[columns].style.hide(axis="index")
                             .highlight_max(axis=1, subset=list(methodology.APPROACHES),
                                            props="background-color:#c8e6c9; font-weight:600")
                             .to_html())

    def _chart_png(self) -> bytes:
        fig = Figure(figsize=(10, 3.4), layout="constrained")
        plots.approach_scores(self.recommendation, ax=fig.subplots())
        return _figure_png(fig)


def approach_panel(answers: Mapping[str, str] | None = None) -> ApproachPanel:
    """A what-if panel: the "which approach fits?" questionnaire as a form.

    One drop-down per question of :func:`pmo_lib.methodology.questionnaire`; change an
    answer and the panel shows the new recommendation and why (the first sentence of its
    rationale), the score breakdown chart (:func:`pmo_lib.plots.approach_scores`) and table
    (:func:`pmo_lib.methodology.recommend_approach`).

    Parameters
    ----------
    answers : mapping, optional
        The answers shown first, question id → option id (default: the payroll replacement
        of training module 01, :func:`pmo_lib.exercises.methodology.payroll_answers`).

    Returns
    -------
    ApproachPanel
        An ``ipywidgets.VBox``; display it as the last line of a cell.

    Raises
    ------
    MissingDataError, DataValidationError
        As :func:`pmo_lib.methodology.recommend_approach`, for the first answers.

    Examples
    --------
    >>> panel = approach_panel()
    >>> panel.recommendation.approach
    'waterfall'
    >>> panel.dropdowns["requirements_stability"].value = "volatile"
    >>> panel.recommendation.approach
    'hybrid'
    """
    if answers is None:
        from .exercises.methodology import payroll_answers
        answers = payroll_answers()
    return ApproachPanel(answers)


# ----------------------------------------------------------------------------------------
# Schedule and cost risk what-if: one project's Monte Carlo simulation
# ----------------------------------------------------------------------------------------
#: What :func:`risk_what_if` returns, in order (the figures of
#: :func:`pmo_lib.report.schedule_risk` for one project, and more).
RISK_WHAT_IF_KEYS = ("baseline_finish", "deterministic_finish", "finish_p50", "finish_p80",
                     "contingency_p80", "on_time", "bac", "deterministic_cost", "cost_p50",
                     "cost_p80", "within_budget", "jcl", "result")

#: Labels of the figures in the risk panel's table.
_RISK_ROWS = {
    "baseline_finish": "Baseline finish",
    "deterministic_finish": "Deterministic finish (most likely durations, no risks)",
    "finish_p50": "Finish P50",
    "finish_p80": "Finish P80",
    "contingency_p80": "Schedule contingency to P80 [working days]",
    "on_time": "P(finish by the baseline finish)",
    "bac": "Budget at completion (BAC)",
    "cost_p50": "Cost P50",
    "cost_p80": "Cost P80",
    "within_budget": "P(cost within BAC)",
    "jcl": "JCL: P(by the baseline finish and within BAC)",
}


@dataclass(frozen=True, eq=False)
class RiskCase:
    """One project's plan and open risks: what :func:`risk_panel` starts from.

    Build it with :func:`risk_case`; :func:`risk_what_if` simulates it.

    Attributes
    ----------
    project : str
        Project ID.
    name : str
        What is shown as the title (project ID, name and the month of the register).
    tasks : DataFrame
        The project's tasks (:meth:`pmo_lib.model.Portfolio.tasks_with_estimates`): ``id``,
        ``duration`` (most likely), ``duration_min``, ``duration_max`` (NaN: no estimate, the
        task keeps its duration), ``distribution`` [d]; ``rate`` (budget / duration)
        [cur/d] and ``fixed_cost`` (a milestone's budget) [cur], so the most likely plan
        costs BAC.
    links : DataFrame
        The links between the project's tasks (``pred``, ``succ``, ``type``, ``lag``).
    release : ndarray
        Earliest start offset of each task (in the order of ``tasks``): 0, or the offset of
        its baseline start for a task with a predecessor in another project. [d]
    start : Timestamp
        The date of offset 0: the project's first baseline start (a working day).
    calendar : WorkCalendar
    risks : DataFrame
        The project's open risks at the month (:meth:`pmo_lib.model.Portfolio.risk_register`
        rows with ``state == "open"``), ``affected_tasks`` as IDs separated by ``;``, only
        the project's tasks kept.
    baseline_finish : Timestamp
        The latest baseline finish of the project's tasks.
    bac : float
        Budget at completion: the sum of the tasks' budgets. [cur]
    month : Period
        The status month whose risk register is used.
    currency : str
    """

    project: str
    name: str
    tasks: pd.DataFrame
    links: pd.DataFrame
    release: np.ndarray
    start: pd.Timestamp
    calendar: WorkCalendar
    risks: pd.DataFrame
    baseline_finish: pd.Timestamp
    bac: float
    month: pd.Period
    currency: str = "EUR"


def _affected_in(value, ids: set) -> str:
    """``affected_tasks`` (text with ``;`` or a sequence) as text, ``ids`` only."""
    if isinstance(value, str):
        items = value.split(";")
    elif isinstance(value, (list, tuple, set, np.ndarray)):
        items = list(value)
    else:
        items = []
    return ";".join(t for t in (str(v).strip() for v in items) if t in ids)


def risk_case(portfolio: Portfolio, month=None, project: str | None = None) -> RiskCase:
    """One project's baseline plan and its open risks at ``month``, ready to simulate.

    The plan is prepared as :func:`pmo_lib.report.schedule_risk` prepares the portfolio's:
    three-point durations from the ``estimates`` table (a task without one keeps its
    duration), each task's budget spread over its duration as a daily rate (a milestone's as
    a fixed cost), the month's open risks as risk events on the tasks they name. The project
    is simulated on its own: a task with a predecessor in another project starts no earlier
    than its baseline start (the other project is taken to deliver as planned), so the
    deterministic finish is the baseline finish when the baseline is a CPM schedule.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period, optional
        The status month whose risk register is used (default: the latest with status
        data).
    project : str, optional
        Project ID (default: the project whose open risks have the largest expected monetary
        value, probability × cost impact; the first project when no risk is open).

    Returns
    -------
    RiskCase

    Raises
    ------
    MissingDataError
        ``month`` has no status data.
    DataValidationError
        ``project`` is not in the portfolio or has no tasks.

    Examples
    --------
    >>> from pmo_lib import load_portfolio
    >>> case = risk_case(load_portfolio("tests/data/mini"), "2026-01", "P1")
    >>> case.risks["id"].tolist(), case.bac, f"{case.baseline_finish:%Y-%m-%d}"
    (['R-1'], 3000.0, '2026-01-26')
    """
    month = portfolio.latest_month if month is None else parse_month(month)
    portfolio.status_date(month)  # a clear MissingDataError when the month has no status
    register = portfolio.risk_register(month)
    live = register[register["state"] == "open"] if len(register) else register
    all_tasks = portfolio.tasks_with_estimates()
    with_tasks = [str(p) for p in portfolio.projects["id"]
                  if (all_tasks["project_id"] == p).any()]
    if project is None:
        emv = (live["probability"] * live["cost_impact"]).groupby(live["project_id"]).sum()
        emv = emv[emv.index.isin(with_tasks)]
        if len(emv):
            project = str(emv.sort_values(ascending=False, kind="stable").index[0])
        elif with_tasks:
            project = with_tasks[0]
    project = None if project is None else str(project)
    if project not in with_tasks:
        known = portfolio.projects["id"].astype(str).tolist()
        why = ("has no tasks to simulate" if project in known
               else f"unknown project {project!r}")
        raise DataValidationError(Problem(
            "risk_case", None, project, "project",
            f"{why}; projects with tasks: {_listing(with_tasks)}"))
    tasks = all_tasks[all_tasks["project_id"] == project].reset_index(drop=True)
    tasks = simulation.budget_rates(tasks)
    ids = set(tasks["id"])
    links = portfolio.links
    inner = links[links["pred"].isin(ids) & links["succ"].isin(ids)].reset_index(drop=True)
    outside = set(links.loc[~links["pred"].isin(ids) & links["succ"].isin(ids), "succ"])
    cal = portfolio.calendar
    start = pd.Timestamp(cal.roll_forward(tasks["baseline_start"].min()))
    planned = np.asarray(cal.date_to_offset(tasks["baseline_start"], start), dtype=float)
    release = np.where(tasks["id"].isin(outside), planned, 0.0)
    risks = live[live["project_id"] == project].copy()
    if "affected_tasks" in risks.columns:
        risks["affected_tasks"] = [_affected_in(v, ids) for v in risks["affected_tasks"]]
    names = portfolio.projects.set_index("id")["name"]
    return RiskCase(project, f"{project} · {names[project]} with the {month} risk register",
                    tasks, inner, release, start, cal, risks.reset_index(drop=True),
                    pd.Timestamp(tasks["baseline_finish"].max()),
                    float(tasks["budget"].fillna(0.0).sum()), month, portfolio.currency)


def _mitigation(rid: str, value) -> tuple[float, float]:
    """A mitigation as ``(probability, impact factor)``, checked."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise DataValidationError(Problem(
                "risk_what_if", None, rid, "mitigations",
                f"give a probability or a (probability, impact factor) pair, got {value!r}"))
        probability, factor = value
    else:
        probability, factor = value, 1.0
    try:
        probability, factor = float(probability), float(factor)
    except (TypeError, ValueError):
        raise DataValidationError(Problem(
            "risk_what_if", None, rid, "mitigations",
            f"probability and impact factor must be numbers, got {value!r}")) from None
    if not 0.0 <= probability <= 1.0:
        raise DataValidationError(Problem(
            "risk_what_if", None, rid, "mitigations",
            f"the probability after mitigation must be in [0, 1], got {probability:g}"))
    if not (np.isfinite(factor) and factor >= 0.0):
        raise DataValidationError(Problem(
            "risk_what_if", None, rid, "mitigations",
            f"the impact factor must be a number >= 0, got {factor:g}"))
    return probability, factor


def _what_if_inputs(case: RiskCase, range_scale: float, mitigations):
    """The tasks with scaled ranges and the risks with the mitigations applied."""
    try:
        scale = float(range_scale)
    except (TypeError, ValueError):
        scale = float("nan")
    if not (np.isfinite(scale) and scale >= 0.0):
        raise DataValidationError(Problem(
            "risk_what_if", None, None, "range_scale",
            f"range_scale must be a number >= 0 (1: the estimates as they are), got "
            f"{range_scale!r}"))
    tasks = case.tasks
    if scale != 1.0:
        tasks = tasks.copy()
        ml = tasks["duration"].astype(float)
        tasks["duration_min"] = np.maximum(ml + scale * (tasks["duration_min"] - ml), 0.0)
        tasks["duration_max"] = ml + scale * (tasks["duration_max"] - ml)
    risks = case.risks
    if mitigations:
        known = risks["id"].astype(str).tolist()
        risks = risks.copy()
        impacts = [c for c in risks.columns
                   if c.startswith(("schedule_impact", "cost_impact"))]
        for rid, value in mitigations.items():
            if str(rid) not in known:
                raise UnknownReferenceError(Problem(
                    "risk_what_if", None, str(rid), "mitigations",
                    f"not an open risk of {case.project} at {case.month}; open risks: "
                    f"{_listing(known) or 'none'}"))
            probability, factor = _mitigation(str(rid), value)
            row = risks["id"].astype(str) == str(rid)
            risks.loc[row, "probability"] = probability
            for c in impacts:
                risks.loc[row, c] = pd.to_numeric(risks.loc[row, c]) * factor
    return tasks, risks


def risk_what_if(case: RiskCase, *, range_scale: float = 1.0,
                 mitigations: Mapping | None = None, iterations: int = 2000,
                 seed=1) -> dict:
    """P50/P80 finish and cost and the JCL of ``case`` with changed ranges and mitigations.

    Parameters
    ----------
    case : RiskCase
        From :func:`risk_case`.
    range_scale : float, keyword-only
        Widens (> 1) or narrows (< 1) every three-point estimate around its most likely
        duration ``m``: ``min → m − s (m − min)`` (never below 0), ``max → m + s (max − m)``;
        0 makes every duration a single point, 1 keeps the estimates. Tasks without an
        estimate keep their duration. [ratio]
    mitigations : mapping, keyword-only, optional
        Risk id → the risk after its mitigation: its probability [frac], or a pair
        ``(probability, impact factor)``, the factor multiplying its schedule and cost
        impacts (and their minimum and maximum, if given) [ratio]. E.g. ``{"R-1": 0.05}``
        or ``{"R-1": (0.1, 0.5)}``; ``{"R-1": 0}`` removes the risk.
    iterations : int, keyword-only
        Monte Carlo iterations.
    seed : int, keyword-only
        Seed of :func:`pmo_lib.simulation.simulate`.

    Returns
    -------
    dict
        The keys of :data:`RISK_WHAT_IF_KEYS`: ``baseline_finish`` and
        ``deterministic_finish`` (the CPM finish with the most likely durations and no
        risks), ``finish_p50`` and ``finish_p80`` (dates: the last working day worked);
        ``contingency_p80``, the working days from the baseline finish to the P80 finish
        (negative: the baseline is later than the P80 finish) [d]; ``on_time``, the
        probability of finishing by the end of the baseline finish day [frac]; ``bac``,
        ``deterministic_cost``, ``cost_p50`` and ``cost_p80`` [cur]; ``within_budget``, the
        probability of costing at most BAC [frac]; ``jcl``, the joint confidence level of
        both [frac]; ``result``, the :class:`~pmo_lib.simulation.SimulationResult`.

    Raises
    ------
    DataValidationError
        ``range_scale`` negative or not a number; a mitigation whose probability is outside
        [0, 1] or whose impact factor is negative; as :func:`pmo_lib.simulation.simulate`.
    UnknownReferenceError
        A mitigation of a risk that is not one of the case's open risks.

    Notes
    -----
    Every call draws the same random numbers for the same ``seed`` and ``iterations``
    (common random numbers): a mitigated risk stays in the simulation with its lower
    probability (a risk occurs in an iteration when its uniform number is below its
    probability), so mitigating a risk can only make each iteration finish earlier and cost
    less, and moving one control does not reshuffle the rest. A scaled range keeps the shape
    of the estimate, so each simulated duration moves to ``m + s (d − m)``.

    Examples
    --------
    Project P1 of the mini fixture: tasks without estimates (their durations are fixed)
    and one open risk, R-1 (probability 0.2), which delays A2 (200 per day) by 5 working
    days and costs 1000: when it occurs the project finishes 5 days late and costs
    1000 + 5 × 200 more.

    >>> from pmo_lib import load_portfolio
    >>> case = risk_case(load_portfolio("tests/data/mini"), "2026-01", "P1")
    >>> r = risk_what_if(case, iterations=2000, seed=1)
    >>> r["deterministic_finish"] == r["baseline_finish"], round(r["on_time"], 1)
    (True, 0.8)
    >>> f"{r['finish_p50']:%d %b}", f"{r['finish_p80']:%d %b}", r["contingency_p80"]
    ('26 Jan', '02 Feb', 5)
    >>> r["cost_p50"], r["cost_p80"]
    (3000.0, 5000.0)
    >>> risk_what_if(case, mitigations={"R-1": 0}, iterations=2000)["jcl"]
    1.0
    """
    tasks, risks = _what_if_inputs(case, range_scale, mitigations)
    result = simulation.simulate(
        tasks, case.links, iterations=iterations, seed=seed,
        risks=risks if len(risks) else None, calendar=case.calendar, start=case.start,
        release=case.release, keep_durations=False)
    finish = {p: result.percentile(p, of="finish_date") for p in (50, 80)}
    contingency = (int(case.calendar.date_to_offset(finish[80], case.start))
                   - int(case.calendar.date_to_offset(case.baseline_finish, case.start)))
    return {
        "baseline_finish": case.baseline_finish,
        "deterministic_finish": result.deterministic_date,
        "finish_p50": finish[50],
        "finish_p80": finish[80],
        "contingency_p80": contingency,
        "on_time": result.probability_by(case.baseline_finish),
        "bac": case.bac,
        "deterministic_cost": result.deterministic_cost,
        "cost_p50": result.percentile(50, of="cost"),
        "cost_p80": result.percentile(80, of="cost"),
        "within_budget": result.probability_within_budget(case.bac),
        "jcl": result.jcl(case.baseline_finish, case.bac),
        "result": result,
    }


def _risk_value(key: str, value, currency: str) -> str:
    if key in ("baseline_finish", "deterministic_finish", "finish_p50", "finish_p80"):
        return f"{value:%a %d %b %Y}"
    if key == "contingency_p80":
        return f"{value:+d}"
    if key in ("on_time", "within_budget", "jcl"):
        return f"{value:.0%}"
    return f"{value:,.0f} {currency}"


class RiskPanel(_Panel):
    """The schedule and cost risk what-if panel of one project (build it with
    :func:`risk_panel`).

    Attributes
    ----------
    case : RiskCase
        The project's plan and open risks.
    range_scale : ipywidgets.FloatSlider
        Widens (> 1) or narrows (< 1) every estimate's range around its most likely
        duration; 0: single points. [ratio]
    mitigate : dict
        Risk id → ``ipywidgets.Checkbox``: the risk's mitigation is on.
    probability : dict
        Risk id → ``ipywidgets.FloatSlider``: its probability with the mitigation on (starts
        at half the register's). [frac]
    impact : dict
        Risk id → ``ipywidgets.FloatSlider``: the factor on its schedule and cost impacts with
        the mitigation on (starts at 1: the impact as registered). [ratio]
    reset : ipywidgets.Button
        Back to the estimates as they are and no mitigation.
    estimated : dict
        :func:`risk_what_if` of the case as it is (range scale 1, no mitigation).
    figures : dict
        What is shown: :func:`risk_what_if` of the controls' values (keys
        :data:`RISK_WHAT_IF_KEYS`).
    error : str or None
        Why the figures were not updated; None when they match the controls.
    """

    def __init__(self, case: RiskCase, *, iterations: int, seed):
        self.case, self.iterations, self.seed = case, iterations, seed
        self.error: str | None = None
        self.estimated = risk_what_if(case, iterations=iterations, seed=seed)  # errors raise
        self.figures = self.estimated
        self._shown = (1.0, ())
        self._loading = False
        style = {"description_width": "initial"}
        self.range_scale = ipywidgets.FloatSlider(
            value=1.0, min=0.0, max=2.0, step=0.1, readout_format=".1f", style=style,
            description="Estimate ranges × (0: single points, 1: as estimated)",
            layout=ipywidgets.Layout(width="40em"))
        self.mitigate: dict[str, ipywidgets.Checkbox] = {}
        self.probability: dict[str, ipywidgets.FloatSlider] = {}
        self.impact: dict[str, ipywidgets.FloatSlider] = {}
        rows = []
        cur = case.currency
        for _, r in case.risks.iterrows():
            rid, p = str(r["id"]), float(r["probability"])
            self.mitigate[rid] = ipywidgets.Checkbox(value=False, description=f"Mitigate {rid}",
                                                     indent=False,
                                                     layout=ipywidgets.Layout(width="10em"))
            self.probability[rid] = ipywidgets.FloatSlider(
                value=round(p / 2, 2), min=0.0, max=1.0, step=0.01, readout_format=".0%",
                description="probability", disabled=True, style=style)
            self.impact[rid] = ipywidgets.FloatSlider(
                value=1.0, min=0.0, max=1.0, step=0.05, readout_format=".0%",
                description="impact", disabled=True, style=style)
            title = html.escape(str(r.get("title", "")))
            tasks = html.escape(str(r.get("affected_tasks", "")).replace(";", ", ")) or "–"
            label = ipywidgets.HTML(
                f"<span title='affects {tasks}'>{title}: <b>{p:.0%}</b>, "
                f"{float(r['schedule_impact']):g} d, {float(r['cost_impact']):,.0f} {cur}</span>",
                layout=ipywidgets.Layout(width="34em"))
            rows.append(ipywidgets.HBox([self.mitigate[rid], label, self.probability[rid],
                                         self.impact[rid]]))
        if not rows:
            rows.append(ipywidgets.HTML(f"<i>No open risk for {html.escape(case.project)} "
                                        f"at {case.month}.</i>"))
        self.reset = ipywidgets.Button(description="Reset", icon="undo",
                                       tooltip="Estimates as they are, no mitigation")
        self._message = ipywidgets.HTML()
        self._summary = ipywidgets.HTML()
        self._chart = ipywidgets.Image(format="png")
        super().__init__(children=[
            ipywidgets.HTML(f"<b>Schedule and cost risk what-if: {html.escape(case.name)}"
                            f"</b>. {iterations:,} Monte Carlo iterations of the baseline plan "
                            "with its three-point estimates and open risks. Widen or narrow "
                            "the estimates; switch a mitigation on and set the risk's "
                            "probability (and impact, as a share of the registered one) after "
                            "it."),
            ipywidgets.HBox([self.range_scale, self.reset]),
            *rows, self._message, self._summary, self._chart,
        ])
        controls = [self.range_scale, *self.mitigate.values(), *self.probability.values(),
                    *self.impact.values()]
        for control in controls:
            control.observe(self._update, names="value")
        self.reset.on_click(self._reset)
        self._show()

    @property
    def mitigations(self) -> dict[str, tuple[float, float]]:
        """The mitigations switched on: risk id → (probability, impact factor)."""
        return {rid: (float(self.probability[rid].value), float(self.impact[rid].value))
                for rid, box in self.mitigate.items() if box.value}

    def _reset(self, button=None) -> None:
        self._loading = True
        try:
            self.range_scale.value = 1.0
            for box in self.mitigate.values():
                box.value = False
        finally:
            self._loading = False
        self._update()

    def _update(self, change=None) -> None:
        for rid, box in self.mitigate.items():
            self.probability[rid].disabled = self.impact[rid].disabled = not box.value
        if self._loading:
            return
        scale, mitigations = float(self.range_scale.value), self.mitigations
        key = (scale, tuple(sorted(mitigations.items())))
        if key == self._shown:  # e.g. a slider of a risk whose mitigation is off
            self._updated()
            return
        try:
            figures = risk_what_if(self.case, range_scale=scale, mitigations=mitigations,
                                   iterations=self.iterations, seed=self.seed)
        except PMOError as exc:
            self._not_updated("Not updated", exc)
            return
        self.figures, self._shown = figures, key
        self._updated()
        self._show()

    def _show(self) -> None:
        self._summary.value = self._summary_html()
        self._chart.value = self._chart_png()

    def _summary_html(self) -> str:
        cur = self.case.currency
        head = ("<tr><th></th><th style='text-align:right; padding-left:1em'>As estimated"
                "</th><th style='text-align:right; padding-left:1em'>What-if</th></tr>")
        body = "".join(
            f"<tr><td style='padding-right:1em'>{html.escape(label)}</td>"
            f"<td style='text-align:right'>"
            f"{html.escape(_risk_value(key, self.estimated[key], cur))}</td>"
            f"<td style='text-align:right'><b>"
            f"{html.escape(_risk_value(key, self.figures[key], cur))}</b></td></tr>"
            for key, label in _RISK_ROWS.items())
        return f"<table style='margin:0.4em 0'>{head}{body}</table>"

    def _chart_png(self) -> bytes:
        result, case = self.figures["result"], self.case
        fig = Figure(figsize=(12, 3.8), layout="constrained")
        left, right = fig.subplots(1, 2)
        plots.risk_histogram(result, ax=left, currency=case.currency)
        bound = result.offset(case.baseline_finish)
        left.axvline(bound, color="0.2", ls=":", lw=1.6, gid="baseline",
                     label=f"Baseline finish: {case.baseline_finish:%d %b %Y}")
        handles, labels = [], []
        for ax in left.get_shared_x_axes().get_siblings(left):
            h, lab = ax.get_legend_handles_labels()
            handles, labels = handles + h, labels + lab
        for ax in left.get_shared_x_axes().get_siblings(left):
            if ax.get_legend() is not None:
                ax.get_legend().remove()
        left.legend(handles, labels, loc="upper left", fontsize=7, frameon=False)
        plots.jcl_scatter(result, case.baseline_finish, case.bac, ax=right,
                          currency=case.currency,
                          title=f"JCL at the baseline finish and BAC: "
                                f"{self.figures['jcl']:.0%}")
        return _figure_png(fig)


def risk_panel(portfolio: Portfolio, month=None, *, project: str | None = None,
               iterations: int = 2000, seed=1) -> RiskPanel:
    """A what-if panel: how do wider estimates and risk mitigations move P80 and the JCL?

    A slider widens or narrows every three-point estimate of the project's tasks; for each
    open risk a checkbox switches a mitigation on and two sliders set the risk's probability
    and impact after it. The panel shows, as estimated and with the changes, the P50 and P80
    finish and cost, the schedule contingency to P80, the probabilities of finishing by the
    baseline finish and within BAC and both (JCL) (:func:`risk_what_if`), a histogram of the
    simulated finish with the baseline finish marked (:func:`pmo_lib.plots.risk_histogram`)
    and the cost–finish scatter (:func:`pmo_lib.plots.jcl_scatter`). The simulation uses the
    same random numbers on every update, so the figures move only with the controls.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period, optional
        The status month whose risk register is used (default: the latest with status
        data).
    project : str, keyword-only, optional
        Project ID (default: as :func:`risk_case`, the project with the largest open
        exposure).
    iterations, seed : int, keyword-only
        Monte Carlo iterations per update and seed (fixed, so the panel is reproducible).

    Returns
    -------
    RiskPanel
        An ``ipywidgets.VBox``; display it as the last line of a cell. Its ``figures`` and
        ``estimated`` attributes hold what it shows.

    Raises
    ------
    MissingDataError, DataValidationError
        As :func:`risk_case`; as :func:`pmo_lib.simulation.simulate` for the plan and its
        risks (e.g. a risk's probability outside [0, 1]) or ``iterations``.

    Examples
    --------
    >>> from pmo_lib import load_portfolio
    >>> panel = risk_panel(load_portfolio("tests/data/mini"), "2026-01", project="P1")
    >>> panel.figures["contingency_p80"]
    5
    >>> panel.mitigate["R-1"].value = True
    >>> panel.probability["R-1"].value = 0.0
    >>> panel.figures["contingency_p80"], panel.figures["jcl"]
    (0, 1.0)
    """
    return RiskPanel(risk_case(portfolio, month, project), iterations=iterations, seed=seed)


# ----------------------------------------------------------------------------------------
# Resource levelling what-if: people, capacities and project priorities
# ----------------------------------------------------------------------------------------
#: Columns of :attr:`LevellingWhatIf.table`, in order.
LEVELLING_COLUMNS = ("name", "priority", "what_if_priority", "finish", "levelled_finish",
                     "what_if_finish", "slip", "what_if_slip", "change", "reason")

#: Colours of the finish dumbbell: unlevelled forecast, levelled as is, levelled what-if.
_DUMBBELL = {"forecast": "#9e9e9e", "as is": "#1f4e79", "what-if": "#e65100"}


@dataclass(frozen=True, eq=False)
class LevellingCase:
    """A portfolio's unfinished work levelled as it is: what :func:`levelling_panel` starts
    from.

    Build it with :func:`levelling_case`; :func:`levelling_what_if` levels it again with
    changes.

    Attributes
    ----------
    portfolio : Portfolio
    month : Period or None
        The status month (None: the plan from the project start dates, nothing started).
    name : str
        What is shown as the title (the portfolio and the month).
    resources : DataFrame
        One row per resource, in table order: ``id``, ``name``, ``role``, ``capacity``
        [units], ``open_tasks`` (unfinished tasks assigned to it) and ``delayed_tasks`` (tasks
        the levelling delays because of it).
    priorities : Series
        Each project's rank as registered (index ``project_id``; 1 = first).
    levelled : PortfolioLevelling
        :func:`pmo_lib.resources.level_portfolio` of the portfolio as it is.
    schedules : int
        Levelling budget of every levelling of the case.
    seed : int
        Seed of every levelling of the case (fixed, so only the changes move the dates).
    warnings : tuple of str
        What the levelling as it is warned about (data it cannot level as it is).
    """

    portfolio: Portfolio
    month: pd.Period | None
    name: str
    resources: pd.DataFrame
    priorities: pd.Series
    levelled: resources.PortfolioLevelling
    schedules: int
    seed: object
    warnings: tuple = ()


@dataclass(frozen=True, eq=False)
class LevellingWhatIf:
    """The portfolio levelled again with changes (:func:`levelling_what_if`).

    Attributes
    ----------
    table : DataFrame
        One row per project, indexed by ``project_id`` (projects order), columns
        :data:`LEVELLING_COLUMNS`: ``name``; ``priority`` (as registered) and
        ``what_if_priority``; ``finish`` (the unlevelled forecast finish); the levelled
        finish as it is (``levelled_finish``) and with the changes (``what_if_finish``);
        ``slip`` and ``what_if_slip``, working days from ``finish`` to each [d]; ``change``,
        ``what_if_slip − slip`` (positive: later with the changes) [d]; ``reason``, why the
        project slips with the changes (``""`` when it does not).
    levelled : PortfolioLevelling
        :func:`pmo_lib.resources.level_portfolio` with the changes.
    resources : DataFrame
        The resources levelled with: ``id``, ``name``, ``role``, ``capacity`` [units].
    changes : tuple of str
        The changes, in words (empty: the portfolio as it is).
    warnings : tuple of str
        What this levelling warned about.
    """

    table: pd.DataFrame
    levelled: resources.PortfolioLevelling
    resources: pd.DataFrame
    changes: tuple = ()
    warnings: tuple = ()


def _level_recorded(portfolio, month, **kwargs):
    """:func:`pmo_lib.resources.level_portfolio` and the texts of its warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        levelled = resources.level_portfolio(portfolio, month, **kwargs)
    return levelled, tuple(dict.fromkeys(str(w.message) for w in caught))


def levelling_case(portfolio: Portfolio, month=None, *, schedules: int = 200,
                   seed=0) -> LevellingCase:
    """A portfolio's unfinished work levelled as it is, ready for what-ifs.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period, optional
        Status month (default: the latest with status data; a portfolio without status data
        is levelled from its project start dates).
    schedules : int, keyword-only
        Budget of the levelling heuristic, for this and every what-if of the case (small, so
        a panel answers quickly).
    seed : int, keyword-only
        Seed of the heuristic (the same for every what-if of the case).

    Returns
    -------
    LevellingCase

    Raises
    ------
    MissingDataError, DataValidationError, UnknownReferenceError, ScheduleError
        As :func:`pmo_lib.resources.level_portfolio`.

    Examples
    --------
    >>> from pmo_lib.exercises import resources as training
    >>> case = levelling_case(training.two_project_portfolio(), schedules=20)
    >>> case.month is None, case.priorities.to_dict()
    (True, {'WEB': 1, 'RPT': 2})
    >>> case.resources[["id", "capacity", "open_tasks", "delayed_tasks"]]
        id  capacity  open_tasks  delayed_tasks
    0  ANA       1.0           4              1
    """
    if month is None and len(portfolio.status_dates):
        month = portfolio.latest_month
    month = None if month is None else parse_month(month)
    levelled, said = _level_recorded(portfolio, month, schedules=schedules, seed=seed)
    res = levelled.resources.copy()
    open_tasks = levelled.assignments.groupby("resource_id")["task_id"].nunique()
    res["open_tasks"] = res["id"].map(open_tasks).fillna(0).astype(int)
    delayed = levelled.tasks.loc[levelled.tasks["delay_source"] == levelled.tasks.index,
                                 "delay_resource"].value_counts()
    res["delayed_tasks"] = res["id"].map(delayed).fillna(0).astype(int)
    when = f"at the {month} status" if month is not None else "from the project start dates"
    return LevellingCase(portfolio, month, f"{portfolio.name} {when}", res,
                         levelled.priorities.copy(), levelled, int(schedules), seed, said)


def _resource_ids(values, what: str, known: pd.Index) -> dict:
    """A mapping keyed by resource id, every id checked against ``known``."""
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise DataValidationError(Problem(
            "levelling_what_if", None, None, what,
            f"{what} must map resource ids to values (a dict), got {type(values).__name__}"))
    out = {str(k): v for k, v in values.items()}
    unknown = [k for k in out if k not in known]
    if unknown:
        raise UnknownReferenceError([Problem(
            "levelling_what_if", None, k, what,
            f"unknown resource {k!r}; the resources are {_listing(list(known))}")
            for k in unknown])
    return out


def _default_heir(res: pd.DataFrame, rid: str, gone: set) -> str | None:
    """The resource of the same role that takes over ``rid``'s work by default: the one with
    the largest capacity (table order among equals), not itself removed."""
    role = res.loc[res["id"] == rid, "role"].iloc[0]
    same = res[(res["role"] == role) & ~res["id"].isin(gone | {rid})]
    if same.empty:
        return None
    return str(same.sort_values("capacity", ascending=False, kind="stable")["id"].iloc[0])


def _changed_inputs(case: LevellingCase, capacities, added, removed):
    """The resources and assignments with the changes applied, and the changes in words."""
    res = case.resources[["id", "name", "role", "capacity"]].copy()
    known = pd.Index(res["id"])
    capacities = _resource_ids(capacities, "capacities", known)
    added = _resource_ids(added, "added", known)
    if removed is not None and not isinstance(removed, Mapping):
        removed = dict.fromkeys(removed)  # a list of ids: each to its default heir
    removed = _resource_ids(removed, "removed", known)
    problems = []
    for rid, value in capacities.items():
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = np.nan
        if isinstance(value, bool) or not (np.isfinite(number) and number >= 0):
            problems.append(Problem("levelling_what_if", None, rid, "capacities",
                                    f"a capacity must be a number >= 0 [units], got {value!r}"))
    for rid, value in added.items():
        if isinstance(value, bool) or not isinstance(value, (int, np.integer, float)) or \
                not float(value).is_integer() or value < 0:
            problems.append(Problem("levelling_what_if", None, rid, "added",
                                    f"people added must be a whole number >= 0, got {value!r}"))
    if problems:
        raise DataValidationError(problems)
    gone = set(removed)
    heirs = {}
    for rid, heir in removed.items():
        if heir is None:
            heir = _default_heir(res, rid, gone)
            if heir is None:
                role = res.loc[res["id"] == rid, "role"].iloc[0]
                problems.append(Problem(
                    "levelling_what_if", None, rid, "removed",
                    f"no other {role or 'resource of its role'} can take over {rid}'s work; "
                    f"name who does, e.g. removed={{{rid!r}: 'R..'}}, or lower its capacity"))
                continue
        heir = str(heir)
        if heir not in known or heir in gone:
            why = "is removed too" if heir in gone else "is not a resource"
            problems.append(Problem("levelling_what_if", None, rid, "removed",
                                    f"{rid}'s work cannot go to {heir!r}: it {why}"))
            continue
        heirs[rid] = heir
    if problems:
        raise DataValidationError(problems)
    words = []
    names = res.set_index("id")["name"]
    for rid in res["id"]:
        if rid in gone:
            continue
        before = float(res.loc[res["id"] == rid, "capacity"].iloc[0])
        after = float(capacities.get(rid, before)) + int(added.get(rid, 0))
        if rid in capacities and not np.isclose(float(capacities[rid]), before):
            words.append(f"{rid} {names[rid]}: capacity {before:g} → "
                         f"{float(capacities[rid]):g}")
        if added.get(rid, 0):
            words.append(f"{rid} {names[rid]}: +{int(added[rid])} "
                         f"{'person' if int(added[rid]) == 1 else 'people'} (capacity "
                         f"{after:g})")
        res.loc[res["id"] == rid, "capacity"] = after
    assignments = case.portfolio.assignments.copy()
    for rid, heir in heirs.items():
        moved = assignments["resource_id"].astype(str) == rid
        assignments.loc[moved, "resource_id"] = heir
        words.append(f"{rid} {names[rid]} removed: {int(moved.sum())} assignment(s) go to "
                     f"{heir} {names[heir]}")
    res = res[~res["id"].isin(gone)].reset_index(drop=True)
    return res, assignments, words


def levelling_what_if(case: LevellingCase, *, priorities=None, capacities=None, added=None,
                      removed=None) -> LevellingWhatIf:
    """Level the case's portfolio again with people, capacities or priorities changed.

    The function behind :func:`levelling_panel`: it changes the resources table and the
    assignments, calls :func:`pmo_lib.resources.level_portfolio` with the case's budget and
    seed and the new priorities, and compares each project's levelled finish with the
    levelling as it is (:attr:`LevellingCase.levelled`).

    Parameters
    ----------
    case : LevellingCase
    priorities : mapping project id → rank, keyword-only, optional
        New ranks (1 = levelled first; equal ranks compete as one).
    capacities : mapping resource id → capacity, keyword-only, optional
        New capacities [units per working day] (e.g. 0.5 when someone goes part time).
    added : mapping resource id → int, keyword-only, optional
        People added to a resource: each works alongside it on the same assignments, so its
        capacity grows by 1 per person (after ``capacities``).
    removed : mapping resource id → resource id or None, keyword-only, optional
        Resources that leave; the other id takes over every assignment of the one leaving
        (work in progress too). None (or a list of ids instead of a mapping): the resource
        of the same role with the largest capacity.

    Returns
    -------
    LevellingWhatIf

    Raises
    ------
    UnknownReferenceError
        A resource id that is not in the case; a project that is not in the portfolio (from
        :func:`pmo_lib.resources.level_portfolio`).
    DataValidationError
        A capacity that is not a number >= 0, people added that are not a whole number >= 0,
        a removed resource nobody of its role can replace (or whose heir is removed too or
        unknown), a rank that is not a whole number >= 1; a task left needing a resource
        without capacity (as :func:`pmo_lib.resources.level_portfolio`).

    Notes
    -----
    Every call levels with the same budget and seed, but levelling is a heuristic: more
    capacity or a better rank usually brings a finish forward, and can occasionally push
    it back by a few days when the search lands elsewhere. Compare the large moves.

    Examples
    --------
    The teaching example: WEB (rank 1) and RPT (rank 2) share Ana. As ranked, RPT waits 2
    days; with RPT first, WEB waits 5; with a second analyst, nobody waits.

    >>> from pmo_lib.exercises import resources as training
    >>> case = levelling_case(training.two_project_portfolio(), schedules=20)
    >>> case.levelled.projects["slip"].to_dict()
    {'WEB': 0, 'RPT': 2}
    >>> flip = levelling_what_if(case, priorities={"RPT": 1, "WEB": 2})
    >>> flip.table[["what_if_priority", "what_if_slip", "change"]]
                what_if_priority  what_if_slip  change
    project_id
    WEB                        2             5       5
    RPT                        1             0      -2
    >>> levelling_what_if(case, added={"ANA": 1}).table["what_if_slip"].tolist()
    [0, 0]
    >>> levelling_what_if(case, added={"ANA": 1}).changes
    ('ANA Ana: +1 person (capacity 2)',)
    """
    res, assignments, words = _changed_inputs(case, capacities, added, removed)
    pf = case.portfolio
    changed = replace(pf, assignments=assignments)
    if priorities:
        for project, rank in dict(priorities).items():
            if str(project) in case.priorities.index and rank != case.priorities[str(project)]:
                words.append(f"{project}: priority {case.priorities[str(project)]} → {rank}")
    levelled, said = _level_recorded(changed, case.month, priorities=priorities,
                                     resources=res, schedules=case.schedules, seed=case.seed)
    before, after = case.levelled.projects, levelled.projects
    table = pd.DataFrame({
        "name": before["name"],
        "priority": before["priority"],
        "what_if_priority": after["priority"],
        "finish": before["finish"],
        "levelled_finish": before["levelled_finish"],
        "what_if_finish": after["levelled_finish"],
        "slip": before["slip"],
        "what_if_slip": after["slip"],
        "change": (after["slip"] - before["slip"]).astype(np.int64),
        "reason": after["reason"],
    }, index=before.index)
    return LevellingWhatIf(table[list(LEVELLING_COLUMNS)], levelled,
                           levelled.resources, tuple(words), said)


def _day(value) -> str:
    return "–" if pd.isna(value) else f"{value:%d %b %Y}"


def _finish_dumbbell(ax, table: pd.DataFrame) -> None:
    """Each project's finish: unlevelled forecast, levelled as is, levelled what-if."""
    rows = table.iloc[::-1]
    y = np.arange(len(rows))
    for (k, row) in zip(y, rows.itertuples(), strict=True):
        ax.plot([row.levelled_finish, row.what_if_finish], [k, k], color="0.75", lw=2.5,
                zorder=1)
    ax.scatter(rows["finish"], y, s=90, marker="|", linewidths=2,
               color=_DUMBBELL["forecast"], zorder=2, label="Forecast, unlevelled",
               gid="forecast")
    ax.scatter(rows["levelled_finish"], y, s=45, color=_DUMBBELL["as is"], zorder=3,
               label="Levelled as it is", gid="as-is")
    ax.scatter(rows["what_if_finish"], y, s=45, color=_DUMBBELL["what-if"], zorder=4,
               marker="D", label="Levelled what-if", gid="what-if")
    labels = [f"{p}  (priority {int(r.what_if_priority)})" for p, r in
              zip(rows.index, rows.itertuples(), strict=True)]
    ax.set_yticks(y, labels, fontsize=8)
    for k, row in zip(y, rows.itertuples(), strict=True):
        if row.change:  # beside the what-if marker, away from the line
            later = row.change > 0
            ax.annotate(f"{row.change:+d} d", (row.what_if_finish, k),
                        xytext=(7 if later else -7, -3), textcoords="offset points",
                        ha="left" if later else "right", fontsize=7, gid=f"change-{row.Index}",
                        color=evm.RAG_COLOURS["red"] if later else evm.RAG_COLOURS["green"])
    ax.set_title("Project finish: levelled as it is and what-if", loc="left",
                 fontweight="bold")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=3, fontsize=8,
              frameon=False, borderaxespad=0.2)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


class LevellingPanel(_Panel):
    """The resource levelling what-if panel (build it with :func:`levelling_panel`).

    Attributes
    ----------
    case : LevellingCase
    resource : ipywidgets.Dropdown
        The resource the controls below change.
    capacity : ipywidgets.FloatSlider
        Its capacity [units per working day].
    people : ipywidgets.BoundedIntText
        People added alongside it (each +1 unit of capacity).
    remove : ipywidgets.Checkbox
        It leaves; ``hand_to`` takes over its work.
    hand_to : ipywidgets.Dropdown
        The resource of the same role that takes over (disabled when there is none).
    project : ipywidgets.Dropdown
        The project whose rank ``rank`` changes.
    rank : ipywidgets.BoundedIntText
        Its priority rank (1 = levelled first).
    heat_map : ipywidgets.Checkbox
        Also draw the levelled utilisation by role and month.
    reset : ipywidgets.Button
        Back to the portfolio as it is.
    capacities, added, removed, priorities : dict
        The changes the controls hold (resource id → capacity, → people added, → heir;
        project id → rank), only those that differ from the portfolio.
    as_is : LevellingWhatIf
        The portfolio as it is (no change).
    figures : LevellingWhatIf
        What is shown: :func:`levelling_what_if` of the controls' changes.
    error : str or None
        Why the figures were not updated; None when they match the controls.
    """

    def __init__(self, case: LevellingCase, *, heat_map: bool = True):
        self.case = case
        self.error: str | None = None
        self.as_is = levelling_what_if(case)  # errors raise
        self.figures = self.as_is
        self.capacities: dict[str, float] = {}
        self.added: dict[str, int] = {}
        self.removed: dict[str, str] = {}
        self.priorities: dict[str, int] = {}
        self._shown = self._key()
        self._loading = False
        res = case.resources
        style = {"description_width": "initial"}
        order = res.sort_values(["delayed_tasks", "open_tasks"], ascending=False, kind="stable")
        options = [(f"{r.id} {r.name} · {r.role} · capacity {r.capacity:g} · "
                    f"{r.open_tasks} open tasks, delays {r.delayed_tasks}", r.id)
                   for r in order.itertuples()]
        self._capacity0 = dict(zip(res["id"], res["capacity"].astype(float), strict=True))
        self.resource = ipywidgets.Dropdown(options=options, description="Resource",
                                            style=style, layout=ipywidgets.Layout(width="46em"))
        top = max(5.0, float(res["capacity"].max()) * 2 if len(res) else 5.0)
        self.capacity = ipywidgets.FloatSlider(
            min=0.0, max=top, step=0.1, readout_format=".1f", description="capacity",
            style=style, layout=ipywidgets.Layout(width="24em"))
        self.people = ipywidgets.BoundedIntText(min=0, max=20, description="people added",
                                                style=style,
                                                layout=ipywidgets.Layout(width="12em"))
        self.remove = ipywidgets.Checkbox(value=False, description="remove, work goes to",
                                          indent=False, layout=ipywidgets.Layout(width="13em"))
        self.hand_to = ipywidgets.Dropdown(options=[], layout=ipywidgets.Layout(width="18em"))
        slipping = case.levelled.projects.sort_values("slip", ascending=False, kind="stable")
        self.project = ipywidgets.Dropdown(
            options=[(f"{p} {r['name']} · priority {r['priority']} · slip {r['slip']} d", p)
                     for p, r in slipping.iterrows()],
            description="Project", style=style, layout=ipywidgets.Layout(width="34em"))
        ranks = case.priorities
        self.rank = ipywidgets.BoundedIntText(min=1, max=max(int(ranks.max()), len(ranks)) + 1
                                              if len(ranks) else 1,
                                              description="priority rank", style=style,
                                              layout=ipywidgets.Layout(width="12em"))
        self.heat_map = ipywidgets.Checkbox(value=bool(heat_map), indent=False,
                                            description="heat map of the levelled loading")
        self.reset = ipywidgets.Button(description="Reset", icon="undo",
                                       tooltip="The portfolio as it is")
        self._message = ipywidgets.HTML()
        self._changes = ipywidgets.HTML()
        self._table = ipywidgets.HTML()
        self._chart = ipywidgets.Image(format="png")
        budget = (f"{case.schedules:,} schedules per levelling, seed {case.seed}. Change a "
                  "resource's capacity, add people to it or remove it (its work goes to "
                  "another resource of its role), or change a project's priority; every "
                  "project's levelled finish is compared with the portfolio as it is.")
        super().__init__(children=[
            ipywidgets.HTML(f"<b>Resource levelling what-if: {html.escape(case.name)}</b>. "
                            f"{html.escape(budget)}"),
            self.resource,
            ipywidgets.HBox([self.capacity, self.people, self.remove, self.hand_to]),
            ipywidgets.HBox([self.project, self.rank]),
            ipywidgets.HBox([self.heat_map, self.reset]),
            self._message, self._changes, self._table, self._chart,
        ])
        self._load_resource()
        self._load_project()
        self.resource.observe(self._load_resource, names="value")
        self.project.observe(self._load_project, names="value")
        for control in (self.capacity, self.people, self.remove, self.hand_to):
            control.observe(self._resource_changed, names="value")
        self.rank.observe(self._rank_changed, names="value")
        self.heat_map.observe(lambda change: self._show(), names="value")
        self.reset.on_click(self._reset)
        self._show()

    # -- state ------------------------------------------------------------------------------
    def _key(self):
        return (tuple(sorted(self.capacities.items())), tuple(sorted(self.added.items())),
                tuple(sorted(self.removed.items())), tuple(sorted(self.priorities.items())))

    def _heirs(self, rid: str) -> list[str]:
        res = self.case.resources
        role = res.loc[res["id"] == rid, "role"].iloc[0]
        same = res[(res["role"] == role) & (res["id"] != rid)]
        return same.sort_values("capacity", ascending=False, kind="stable")["id"].tolist()

    def _load_resource(self, change=None) -> None:
        rid = self.resource.value
        if rid is None:
            return
        self._loading = True
        try:
            self.capacity.value = self.capacities.get(rid, self._capacity0[rid])
            self.people.value = self.added.get(rid, 0)
            heirs = self._heirs(rid)
            names = self.case.resources.set_index("id")["name"]
            self.hand_to.options = [(f"{h} {names[h]}", h) for h in heirs]
            self.hand_to.value = self.removed.get(rid, heirs[0] if heirs else None)
            self.remove.value = rid in self.removed
            self.remove.disabled = not heirs
            self.hand_to.disabled = not heirs
            self.remove.description = ("remove, work goes to" if heirs
                                       else "remove (nobody else has its role)")
        finally:
            self._loading = False

    def _load_project(self, change=None) -> None:
        pid = self.project.value
        if pid is None:
            return
        self._loading = True
        try:
            self.rank.value = int(self.priorities.get(pid, self.case.priorities[pid]))
        finally:
            self._loading = False

    def _resource_changed(self, change=None) -> None:
        if self._loading or self.resource.value is None:
            return
        rid = self.resource.value
        capacity = round(float(self.capacity.value), 6)
        if np.isclose(capacity, self._capacity0[rid]):
            self.capacities.pop(rid, None)
        else:
            self.capacities[rid] = capacity
        if int(self.people.value):
            self.added[rid] = int(self.people.value)
        else:
            self.added.pop(rid, None)
        if self.remove.value and self.hand_to.value is not None:
            self.removed[rid] = self.hand_to.value
        else:
            self.removed.pop(rid, None)
        self._update()

    def _rank_changed(self, change=None) -> None:
        if self._loading or self.project.value is None:
            return
        pid, rank = self.project.value, int(self.rank.value)
        if rank == int(self.case.priorities[pid]):
            self.priorities.pop(pid, None)
        else:
            self.priorities[pid] = rank
        self._update()

    def _reset(self, button=None) -> None:
        self.capacities.clear()
        self.added.clear()
        self.removed.clear()
        self.priorities.clear()
        self._load_resource()
        self._load_project()
        self._update()

    def _update(self) -> None:
        key = self._key()
        if key == self._shown:
            self._updated()
            return
        try:
            figures = levelling_what_if(self.case, priorities=self.priorities or None,
                                        capacities=self.capacities or None,
                                        added=self.added or None,
                                        removed=self.removed or None)
        except PMOError as exc:
            self._not_updated("Not levelled", exc)
            return
        self.figures, self._shown = figures, key
        self._updated()
        self._show()

    # -- display ----------------------------------------------------------------------------
    def _show(self) -> None:
        self._changes.value = self._changes_html()
        self._table.value = self._table_html()
        self._chart.value = self._chart_png()

    def _changes_html(self) -> str:
        said = self.figures.changes
        text = ("; ".join(html.escape(s) for s in said) if said
                else "none: the portfolio as it is")
        notes = "".join(f"<div style='color:#616161; font-size:0.85em'>Note: "
                        f"{html.escape(w)}</div>" for w in self.figures.warnings)
        return f"<div style='margin:0.3em 0'><b>Changes:</b> {text}</div>{notes}"

    def _table_html(self) -> str:
        t = self.figures.table
        head = "".join(f"<th style='text-align:{a}; padding:0 0.6em'>{h}</th>" for h, a in (
            ("Project", "left"), ("Priority", "right"), ("Forecast finish", "right"),
            ("Levelled as it is", "right"), ("What-if", "right"), ("Change [d]", "right"),
            ("Why it slips (what-if)", "left")))
        rows = []
        for pid, r in t.iterrows():
            colour = (evm.RAG_COLOURS["red"] if r["change"] > 0 else
                      evm.RAG_COLOURS["green"] if r["change"] < 0 else "inherit")
            prio = (f"{r['priority']}" if r["priority"] == r["what_if_priority"]
                    else f"{r['priority']} → <b>{r['what_if_priority']}</b>")
            rows.append(
                f"<tr><td style='padding:0 0.6em'>{html.escape(str(pid))} "
                f"{html.escape(str(r['name']))}</td>"
                f"<td style='text-align:right; padding:0 0.6em'>{prio}</td>"
                f"<td style='text-align:right; padding:0 0.6em'>{_day(r['finish'])}</td>"
                f"<td style='text-align:right; padding:0 0.6em'>"
                f"{_day(r['levelled_finish'])}</td>"
                f"<td style='text-align:right; padding:0 0.6em'><b>"
                f"{_day(r['what_if_finish'])}</b></td>"
                f"<td style='text-align:right; padding:0 0.6em; color:{colour}'>"
                f"{r['change']:+d}</td>"
                f"<td style='padding:0 0.6em; font-size:0.85em'>"
                f"{html.escape(str(r['reason']))}</td></tr>")
        return f"<table style='margin:0.4em 0'><tr>{head}</tr>{''.join(rows)}</table>"

    def _chart_png(self) -> bytes:
        table = self.figures.table.dropna(subset=["finish", "what_if_finish"])
        heat = bool(self.heat_map.value)
        load = self.figures.levelled.loading(levelled=True) if heat else None
        height = 0.32 * len(table) + 1.4
        if heat:
            rows = load.utilisation.shape[1]
            fig = Figure(figsize=(13, height + 0.3 * rows + 1.8), layout="constrained")
            top, bottom = fig.subplots(2, 1, height_ratios=[height, 0.3 * rows + 1.8])
        else:
            fig = Figure(figsize=(13, height), layout="constrained")
            top, bottom = fig.subplots(1, 1), None
        _finish_dumbbell(top, table)
        if heat:
            plots.utilisation_heat_map(load, ax=bottom,
                                       title="Utilisation by role and month, levelled what-if")
        return _figure_png(fig)


def levelling_panel(portfolio: Portfolio, month=None, *, schedules: int = 200, seed=0,
                    heat_map: bool = True) -> LevellingPanel:
    """A what-if panel: how do people, capacities and priorities move the levelled finishes?

    Pick a resource and change its capacity, add people alongside it or remove it (another
    resource of its role takes over its work); pick a project and change its priority rank.
    On every change the panel levels the portfolio's unfinished work again
    (:func:`levelling_what_if`, with the same budget and seed) and shows, per project, the
    unlevelled forecast finish, the levelled finish as it is and with the changes, the
    change in working days and the reason it slips; a dumbbell chart of the three finishes
    and, optionally, the heat map of the levelled utilisation by role and month
    (:func:`pmo_lib.plots.utilisation_heat_map`).

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period, optional
        Status month (default: the latest with status data).
    schedules : int, keyword-only
        Levelling budget per update: small, so the panel answers in a moment.
    seed : int, keyword-only
        Seed of the levelling (fixed, so only the controls move the dates).
    heat_map : bool, keyword-only
        Draw the heat map under the chart at first (a checkbox switches it).

    Returns
    -------
    LevellingPanel
        An ``ipywidgets.VBox``; display it as the last line of a cell. Its ``figures`` and
        ``as_is`` attributes hold what it shows.

    Raises
    ------
    MissingDataError, DataValidationError, UnknownReferenceError, ScheduleError
        As :func:`levelling_case`.

    Examples
    --------
    >>> from pmo_lib.exercises import resources as training
    >>> panel = levelling_panel(training.two_project_portfolio(), schedules=20,
    ...                         heat_map=False)
    >>> panel.figures.table["what_if_slip"].to_dict()
    {'WEB': 0, 'RPT': 2}
    >>> panel.resource.value = "ANA"
    >>> panel.people.value = 1
    >>> panel.figures.table["what_if_slip"].to_dict(), panel.figures.changes
    ({'WEB': 0, 'RPT': 0}, ('ANA Ana: +1 person (capacity 2)',))
    """
    return LevellingPanel(levelling_case(portfolio, month, schedules=schedules, seed=seed),
                          heat_map=heat_map)


# ----------------------------------------------------------------------------------------
# Portfolio selection what-if: the best selection under a budget (pmo_lib.portfolio.select)
# ----------------------------------------------------------------------------------------
#: What a candidate can be set to in :func:`selection_case`: ``"free"`` (the optimiser
#: decides, even for a candidate the data marks mandatory), ``"in"`` (forced in: mandatory)
#: and ``"out"`` (forced out: never selected, nor anything that requires it).
FORCE_CHOICES = ("free", "in", "out")
#: What :func:`selection_case` maximises: the candidates' ``value`` column, or their weighted
#: score in points (100 × :func:`pmo_lib.portfolio.score`).
SELECTION_OBJECTIVES = ("value", "score")
#: Columns of :attr:`SelectionCase.table`, in order (those the candidates have).
SELECTION_COLUMNS = ("id", "name", "programme", "value", "score", "rank", "points", "cost",
                     "forced", "selected", "reason")


@dataclass(frozen=True, eq=False)
class SelectionCase:
    """The best selection of candidates at a budget, as :func:`selection_panel` shows it.

    Build it with :func:`selection_case`.

    Attributes
    ----------
    budget : float
        The total budget. [cur]
    objective : str
        What is maximised (:data:`SELECTION_OBJECTIVES`): ``"value"`` or ``"score"``.
    weights : Series or None
        The criterion weights, scaled to add up to 1 (None without weights).
    table : DataFrame
        Every candidate, in input order (RangeIndex), with the columns of
        :data:`SELECTION_COLUMNS` it has: ``id``, ``name``, ``programme``, ``value`` (the
        candidates' value column) [cur], ``score`` (0–1), ``rank`` (1 = best score) and
        ``points`` (100 × score, to 0.1) with weights; ``cost`` [cur]; ``forced``
        (``"in"`` for a mandatory or forced-in candidate, ``"out"`` for a forced-out one or
        one that requires it, else ``""``); ``selected`` (bool) and ``reason`` (why an
        unselected candidate is out, as :attr:`pmo_lib.portfolio.Selection.table` says it,
        or ``"forced out"`` and ``"requires X (forced out)"``).
    selection : Selection
        :func:`pmo_lib.portfolio.select` of the candidates that are not forced out.
    chosen : tuple of str
        The selected ids, in input order.
    total : float
        The maximised total: the value, or the points, of the selection.
    totals : Series
        ``count``, ``cost`` and ``slack`` (budget − cost) [cur] of the selection, its
        ``value`` [cur] (with a value column) and ``points`` (with weights).
    previous_budget : float or None
        The budget compared with (None: none).
    enters, leaves : tuple of str
        Ids selected now but not at ``previous_budget``, and the reverse (input order).
    changes : DataFrame
        One row per candidate that enters or leaves: ``id``, ``change`` (``"enters"`` or
        ``"leaves"``), ``value`` (of the objective), ``cost`` and ``reason`` (why it was out
        before, or is out now).
    frontier : DataFrame or None
        :func:`pmo_lib.portfolio.frontier` of the same candidates and constraints (its
        ``value`` is the objective), or None when not computed.
    currency : str
    """

    budget: float
    objective: str
    weights: pd.Series | None
    table: pd.DataFrame
    selection: object
    chosen: tuple[str, ...]
    total: float
    totals: pd.Series
    previous_budget: float | None
    enters: tuple[str, ...]
    leaves: tuple[str, ...]
    changes: pd.DataFrame
    frontier: pd.DataFrame | None
    currency: str = "EUR"

    def __repr__(self) -> str:
        return (f"SelectionCase(budget {self.budget:,.0f}: {len(self.chosen)} of "
                f"{len(self.table)} chosen, {self.objective} {self.total:,.1f}, cost "
                f"{self.totals['cost']:,.0f})")


def _candidate_ids(candidates: pd.DataFrame) -> list[str]:
    source = candidates["id"] if "id" in candidates.columns else candidates.index
    return [str(v).strip() for v in source]


def _id_cell(cell) -> list[str]:
    """Ids of a ``requires`` / ``excludes`` cell (text separated by ``;`` or a sequence)."""
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return []
    items = cell.split(";") if isinstance(cell, str) else list(cell)
    return [str(v).strip() for v in items if str(v).strip()]


def _force_map(force, ids: list[str]) -> dict[str, str]:
    """``force`` checked: id → one of :data:`FORCE_CHOICES`."""
    force = dict(force or {})
    unknown = [str(k) for k in force if str(k) not in set(ids)]
    if unknown:
        raise UnknownReferenceError([Problem(
            "selection_case", None, k, "force",
            f"not a candidate; candidates: {_listing(ids)}") for k in unknown])
    out = {}
    for k, v in force.items():
        check_choice(v, FORCE_CHOICES, "selection_case", "force", f"choice for {k}")
        out[str(k)] = v
    return out


def _forced_out(table: pd.DataFrame, out: set[str]) -> dict[str, str]:
    """Every candidate that cannot be selected when ``out`` are forced out: id → reason."""
    reasons = {i: "forced out" for i in out}
    requires = dict(zip(table["id"], table["requires"], strict=True)) \
        if "requires" in table.columns else {}
    grew = True
    while grew:
        grew = False
        for i, cell in requires.items():
            if i in reasons:
                continue
            missing = [r for r in _id_cell(cell) if r in reasons]
            if missing:
                reasons[i] = "; ".join(f"requires {r} (forced out)" for r in missing)
                grew = True
    return reasons


def selection_case(candidates: pd.DataFrame, budget: float, *, objective: str = "value",
                   weights=None, scales=None, higher_is_better=None, force=None,
                   previous_budget: float | None = None, demand: pd.DataFrame | None = None,
                   capacity: pd.DataFrame | None = None, frontier: bool | int = True,
                   currency: str = "EUR") -> SelectionCase:
    """The best selection of candidate projects at a budget, with what changed and the
    efficient frontier: what :func:`selection_panel` shows.

    Parameters
    ----------
    candidates : DataFrame
        As for :func:`pmo_lib.portfolio.select`: ``id`` (or the index), ``cost`` [cur],
        ``value`` [cur] (needed when ``objective`` is ``"value"``), optionally ``name``,
        ``programme``, ``mandatory``, ``requires``, ``excludes`` and criterion columns.
    budget : float
        The total budget. [cur]
    objective : str
        :data:`SELECTION_OBJECTIVES`: maximise the ``value`` column (default) or the
        weighted score in points (``"score"``, needs ``weights``).
    weights : dict, Series or AhpResult, optional
        Criterion weights of :func:`pmo_lib.portfolio.score` (with ``scales`` and
        ``higher_is_better``): the table shows each candidate's score, rank and points.
    scales, higher_is_better : optional
        As for :func:`pmo_lib.portfolio.score`.
    force : mapping, optional
        Candidate id → :data:`FORCE_CHOICES`: ``"in"`` makes it mandatory, ``"free"``
        lifts a mandate of the data, ``"out"`` removes it (and every candidate that requires
        it, directly or not). Candidates not named keep the data's ``mandatory``.
    previous_budget : float, optional
        A budget to compare with: :attr:`SelectionCase.enters` and ``leaves``.
    demand, capacity : DataFrame, optional
        Role demand and capacity, as for :func:`pmo_lib.portfolio.select` (the rows of
        candidates forced out are dropped).
    frontier : bool or int
        True (default): the efficient frontier at every breakpoint; an int ≥ 2: at that many
        budgets evenly spaced; False: not computed (``frontier`` is None).
    currency : str

    Returns
    -------
    SelectionCase

    Raises
    ------
    DataValidationError
        An unknown ``objective`` or force choice, ``"score"`` without ``weights``, bad
        candidates, weights or budget (as :func:`pmo_lib.portfolio.select` and
        :func:`~pmo_lib.portfolio.score`).
    MissingDataError
        No ``value`` column with the ``"value"`` objective; a criterion column missing.
    UnknownReferenceError
        ``force`` naming an unknown candidate; references as for
        :func:`~pmo_lib.portfolio.select`.
    InfeasibleError
        No selection fits: the mandatory (and forced-in) candidates exceed the budget or a
        capacity, or exclude each other, or one requires a candidate forced out.

    Examples
    --------
    Funding down the list by value takes A (6) and then nothing fits; B and C are worth more.

    >>> c = pd.DataFrame({"id": ["A", "B", "C"], "value": [60, 50, 45], "cost": [6, 5, 5]})
    >>> case = selection_case(c, 10)
    >>> case.chosen, case.total, float(case.totals["slack"])
    (('B', 'C'), 95.0, 0.0)
    >>> case.frontier[["budget", "value", "chosen"]]
       budget  value  chosen
    0     0.0    0.0      ()
    1     5.0   50.0    (B,)
    2     6.0   60.0    (A,)
    3    10.0   95.0  (B, C)
    4    11.0  110.0  (A, B)
    5    16.0  155.0  (A, B, C)
    >>> selection_case(c, 11, previous_budget=10, frontier=False).changes
      id  change  value  cost                                 reason
    0  A  enters   60.0   6.0  does not fit the budget (needs 6, 0 left)
    1  C  leaves   45.0   5.0  does not fit the budget (needs 5, 0 left)
    >>> selection_case(c, 10, force={"A": "in"}, frontier=False).chosen
    ('A',)
    """
    from . import portfolio as engine
    from ._util import require_columns
    from .errors import InfeasibleError

    check_choice(objective, SELECTION_OBJECTIVES, "selection_case", "objective", "objective")
    require_columns(candidates, "candidates", ["cost"], "candidates table")
    if objective == "score" and weights is None:
        raise DataValidationError(Problem(
            "selection_case", None, None, "weights",
            "the objective 'score' maximises the weighted score: give the criterion weights"))
    if objective == "value":
        require_columns(candidates, "candidates", ["value"], "candidates table")
    table = candidates.reset_index(drop="id" in candidates.columns)
    if "id" not in table.columns:
        table = table.rename(columns={table.columns[0]: "id"})
    table["id"] = _candidate_ids(table)
    ids = table["id"].tolist()
    forced = _force_map(force, ids)
    shown = pd.DataFrame({"id": ids})
    for col in ("name", "programme", "value"):
        if col in table.columns:
            shown[col] = table[col].to_numpy()
    unit_weights = None
    if weights is not None:
        scored = engine.score(table, weights, scales=scales, higher_is_better=higher_is_better)
        by_id = scored.set_index("id")
        shown["score"] = by_id.loc[ids, "score"].to_numpy()
        shown["rank"] = by_id.loc[ids, "rank"].to_numpy()
        shown["points"] = np.round(100 * shown["score"].to_numpy() + 1e-9, 1)
        raw = (weights.weights if isinstance(weights, engine.AhpResult)
               else pd.Series(dict(weights)) if isinstance(weights, Mapping)
               else pd.Series(weights))
        raw = pd.to_numeric(raw).astype(float)  # checked by score above
        unit_weights = raw / raw.sum()
    work = table.copy()
    if objective == "score":
        work["value"] = shown["points"].to_numpy()
    checked = engine.check_candidates(work)  # errors name the row, candidate and column
    mandatory = dict(zip(ids, checked["mandatory"].astype(bool), strict=True))
    for k, choice in forced.items():
        if choice != "out":
            mandatory[k] = choice == "in"
    removed = _forced_out(work, {k for k, v in forced.items() if v == "out"})
    stuck = [k for k in removed if mandatory[k] and forced.get(k) != "out"]
    if stuck:
        raise InfeasibleError([Problem(
            "selection_case", None, k, "force",
            f"is mandatory but {removed[k]}: free it, or do not force the other out")
            for k in stuck])
    keep = [i for i in ids if i not in removed]
    effective = pd.DataFrame({"id": keep,
                              "value": checked.set_index("id").loc[keep, "value"].to_numpy(),
                              "cost": checked.set_index("id").loc[keep, "cost"].to_numpy(),
                              "mandatory": [mandatory[i] for i in keep]})
    for col in ("requires", "excludes"):
        if col in work.columns:
            cells = work.set_index("id").loc[keep, col]
            effective[col] = [";".join(r for r in _id_cell(v) if r not in removed)
                              for v in cells]
    if demand is not None and "candidate_id" in demand.columns:
        demand = demand[~demand["candidate_id"].astype(str).isin(removed)]
    if not keep:
        raise InfeasibleError(Problem("selection_case", None, None, "force",
                                      "every candidate is forced out: nothing to select"))
    kw = {"demand": demand, "capacity": capacity}
    selection, enters, leaves = None, (), ()
    changes = pd.DataFrame(columns=["id", "change", "value", "cost", "reason"])
    if previous_budget is not None:
        try:
            change = engine.budget_change(effective, previous_budget, budget, **kw)
        except InfeasibleError:
            change = None  # the old budget did not fit: only the new one is shown
        if change is not None:
            selection, enters, leaves = change.after, change.enters, change.leaves
            changes = change.table
    if selection is None:
        selection = engine.select(effective, budget, **kw)
    if frontier is True:
        front = engine.frontier(effective, **kw)
    elif frontier is False or frontier is None:
        front = None
    else:
        front = engine.frontier(effective, points=frontier, **kw)
    picked = selection.table.set_index("id")
    shown["cost"] = checked["cost"].to_numpy()
    shown["forced"] = ["out" if i in removed else "in" if mandatory[i] else "" for i in ids]
    shown["selected"] = [bool(picked.at[i, "selected"]) if i in picked.index else False
                         for i in ids]
    shown["reason"] = [removed[i] if i in removed else str(picked.at[i, "reason"])
                       for i in ids]
    chosen = selection.chosen
    totals = {"count": len(chosen), "cost": selection.cost,
              "slack": float(budget) - selection.cost}
    if "value" in shown.columns:
        totals["value"] = float(pd.to_numeric(shown.loc[shown["selected"], "value"]).sum())
    if "points" in shown.columns:
        totals["points"] = float(shown.loc[shown["selected"], "points"].sum())
    columns = [c for c in SELECTION_COLUMNS if c in shown.columns]
    return SelectionCase(
        budget=float(budget), objective=objective, weights=unit_weights,
        table=shown[columns], selection=selection, chosen=chosen, total=selection.value,
        totals=pd.Series(totals, dtype=float), previous_budget=None if previous_budget is None
        else float(previous_budget), enters=tuple(enters), leaves=tuple(leaves),
        changes=changes.reset_index(drop=True), frontier=front, currency=currency)


def _nice_step(span: float) -> float:
    """A round slider step (1, 2 or 5 × a power of ten) giving about 100 steps over span."""
    if not np.isfinite(span) or span <= 0:
        return 1.0
    raw = span / 100
    power = 10 ** np.floor(np.log10(raw))
    return float(min(m * power for m in (1, 2, 5, 10) if m * power >= raw))


class SelectionPanel(_Panel):
    """The portfolio selection what-if panel (build it with :func:`selection_panel`).

    Attributes
    ----------
    budget : ipywidgets.FloatSlider
        The total budget. [cur]
    objective : ipywidgets.ToggleButtons or None
        What is maximised (:data:`SELECTION_OBJECTIVES`); None without weights (the value).
    weights : dict
        Criterion → ``ipywidgets.FloatSlider``: its weight in points (empty without
        weights).
    force : dict
        Candidate id → ``ipywidgets.Dropdown`` of :data:`FORCE_CHOICES` (``"in"`` for a
        candidate the data marks mandatory, ``"free"`` for the others at the start).
    reset : ipywidgets.Button
        Back to the starting budget, objective, weights and choices.
    case : SelectionCase
        What is shown: :func:`selection_case` of the controls' values, compared with the
        budget before the last move of the budget slider.
    frontier : DataFrame
        The efficient frontier shown (computed again only when the objective, the weights
        or the choices change).
    error : str or None
        Why the figures were not updated; None when they match the controls.
    """

    def __init__(self, candidates: pd.DataFrame, budget: float, *, objective: str,
                 weights, scales, higher_is_better, force, demand, capacity, frontier,
                 currency: str):
        self.candidates = candidates
        self._fixed = {"scales": scales, "higher_is_better": higher_is_better,
                       "demand": demand, "capacity": capacity, "currency": currency}
        self._frontier_option = frontier
        self.error: str | None = None
        self.case = selection_case(candidates, budget, objective=objective, weights=weights,
                                   scales=scales, higher_is_better=higher_is_better,
                                   force=force, demand=demand, capacity=capacity,
                                   frontier=frontier, currency=currency)  # errors raise
        self.frontier = self.case.frontier
        self._previous: float | None = None
        self._loading = False
        style = {"description_width": "initial"}
        costs = self.case.table["cost"].astype(float)
        step = _nice_step(float(costs.sum()))
        top = float(np.ceil(max(costs.sum(), float(budget)) / step) * step)
        self.budget = ipywidgets.FloatSlider(
            value=float(budget), min=0.0, max=top, step=step, readout_format=",.0f",
            description=f"Budget [{currency}]", style=style, continuous_update=False,
            layout=ipywidgets.Layout(width="44em"))
        self.objective = None
        if weights is not None:
            self.objective = ipywidgets.ToggleButtons(
                options=[("Maximise value", "value"), ("Maximise weighted score", "score")],
                value=objective, style={"button_width": "15em"})
            if "value" not in candidates.columns:
                self.objective.options = [("Maximise weighted score", "score")]
        start = self.case.weights
        self.weights: dict[str, ipywidgets.FloatSlider] = {}
        if start is not None:
            raw = (weights.weights if hasattr(weights, "weights") else
                   pd.Series(dict(weights)) if isinstance(weights, Mapping)
                   else pd.Series(weights)).astype(float)
            for c in start.index:
                self.weights[str(c)] = ipywidgets.FloatSlider(
                    value=round(float(raw[c]) / float(raw.sum()) * 100, 1), min=0.0,
                    max=100.0, step=0.5, readout_format=".1f", continuous_update=False,
                    description=str(c).replace("_", " "), style=style)
        self.force: dict[str, ipywidgets.Dropdown] = {}
        rows = []
        for r in self.case.table.itertuples(index=False):
            cid = str(r.id)
            first = (dict(force or {}).get(cid)
                     or ("out" if r.forced == "out" else "in" if r.forced == "in" else "free"))
            self.force[cid] = ipywidgets.Dropdown(
                options=list(FORCE_CHOICES), value=first, description=cid,
                layout=ipywidgets.Layout(width="12em"), style={"description_width": "5em"})
            rows.append(self.force[cid])
        self._start = {"budget": float(budget), "objective": objective,
                       "weights": {k: w.value for k, w in self.weights.items()},
                       "force": {k: d.value for k, d in self.force.items()}}
        self._key = self._settings_key(objective, self.weight_values, self.choices)
        self.reset = ipywidgets.Button(description="Reset", icon="undo",
                                       tooltip="Back to the starting budget and choices")
        self._message = ipywidgets.HTML()
        self._summary = ipywidgets.HTML()
        self._table = ipywidgets.HTML()
        self._chart = ipywidgets.Image(format="png")
        controls = [ipywidgets.HBox([self.budget, self.reset])]
        if self.objective is not None:
            controls.append(self.objective)
        if self.weights:
            controls.append(ipywidgets.HTML("<i>Criterion weights (points; they are scaled "
                                            "to add up to 1):</i>"))
            controls.append(ipywidgets.HBox(list(self.weights.values()),
                                            layout=ipywidgets.Layout(flex_flow="row wrap")))
        controls.append(ipywidgets.HTML("<i>Each candidate: free (the optimiser decides), "
                                        "in (mandatory) or out:</i>"))
        controls.append(ipywidgets.HBox(rows, layout=ipywidgets.Layout(flex_flow="row wrap")))
        super().__init__(children=[
            ipywidgets.HTML("<b>Portfolio selection what-if</b>: the most valuable set of "
                            "candidates within the budget, with the mandatory, dependent and "
                            "mutually exclusive ones (an exact optimisation, "
                            "pmo_lib.portfolio.select). Move the budget, change what is "
                            "maximised or the weights, force a candidate in or out."),
            *controls, self._message, self._summary, self._table, self._chart,
        ])
        self.budget.observe(self._budget_moved, names="value")
        watched = [*self.weights.values(), *self.force.values()]
        if self.objective is not None:
            watched.append(self.objective)
        for control in watched:
            control.observe(self._update, names="value")
        self.reset.on_click(self._reset)
        self._show()

    @staticmethod
    def _settings_key(objective: str, weights: dict | None, choices: dict) -> tuple:
        """What the frontier depends on: the objective, the weights when the weighted score
        is maximised, and the choices."""
        w = tuple(sorted(weights.items())) if weights and objective == "score" else ()
        return objective, w, tuple(sorted(choices.items()))

    @property
    def choices(self) -> dict[str, str]:
        """The candidates' choices (:data:`FORCE_CHOICES`), by id."""
        return {k: d.value for k, d in self.force.items()}

    @property
    def weight_values(self) -> dict[str, float] | None:
        """The weights of the sliders (points), or None without weights."""
        return {k: float(s.value) for k, s in self.weights.items()} or None

    def _budget_moved(self, change) -> None:
        if not self._loading:
            self._previous = float(change["old"])
        self._update()

    def _reset(self, button=None) -> None:
        self._loading = True
        try:
            self.budget.value = self._start["budget"]
            if self.objective is not None:
                self.objective.value = self._start["objective"]
            for k, v in self._start["weights"].items():
                self.weights[k].value = v
            for k, v in self._start["force"].items():
                self.force[k].value = v
            self._previous = None
        finally:
            self._loading = False
        self._update()

    def _update(self, change=None) -> None:
        if self._loading:
            return
        objective = self.objective.value if self.objective is not None else "value"
        weights = self.weight_values
        key = self._settings_key(objective, weights, self.choices)
        same = key == self._key and self.frontier is not None
        try:
            case = selection_case(
                self.candidates, float(self.budget.value), objective=objective,
                weights=weights, force=self.choices, previous_budget=self._previous,
                frontier=False if same else self._frontier_option,
                scales=self._fixed["scales"], higher_is_better=self._fixed["higher_is_better"],
                demand=self._fixed["demand"], capacity=self._fixed["capacity"],
                currency=self._fixed["currency"])
        except PMOError as exc:
            self._not_updated("Not updated", exc)
            return
        if not same:
            self.frontier, self._key = case.frontier, key
        self.case = replace(case, frontier=self.frontier)
        self._updated()
        self._show()

    def _show(self) -> None:
        self._summary.value = self._summary_html()
        self._table.value = self._table_html()
        self._chart.value = self._chart_png()

    def _summary_html(self) -> str:
        case, cur = self.case, self.case.currency
        t = case.totals
        what = "value" if case.objective == "value" else "weighted score"
        parts = [f"<b>{int(t['count'])}</b> of {len(case.table)} selected; cost "
                 f"<b>{t['cost']:,.0f} {cur}</b> of a budget of {case.budget:,.0f} "
                 f"({t['slack']:,.0f} left)"]
        if "value" in t.index:
            parts.append(f"value <b>{t['value']:,.0f}</b>")
        if "points" in t.index:
            parts.append(f"weighted score <b>{t['points']:,.1f}</b> points")
        text = "; ".join(parts) + f". Maximised: the {what}."
        if case.previous_budget is not None:
            moved = ", ".join([*(f"+{c}" for c in case.enters), *(f"−{c}" for c in case.leaves)])
            text += (f"<br>Against a budget of {case.previous_budget:,.0f}: "
                     f"{html.escape(moved) if moved else 'no change'}.")
            for r in case.changes.itertuples(index=False):
                why = "was out: " if r.change == "enters" else "is out: "
                text += (f"<br>&nbsp;&nbsp;{html.escape(str(r.id))} {r.change} "
                         f"({why}{html.escape(str(r.reason))})")
        return f"<div style='margin:0.4em 0'>{text}</div>"

    def _table_html(self) -> str:
        table = self.case.table
        head = "".join(f"<th style='padding:0 0.6em; text-align:left'>{html.escape(c)}</th>"
                       for c in table.columns)
        body = []
        for r in table.itertuples(index=False):
            style = ("font-weight:bold; color:#2e7d32" if r.selected else
                     "color:#9e9e9e" if r.forced == "out" else "")
            cells = []
            for c, v in zip(table.columns, r, strict=True):
                if c in ("value", "cost"):
                    text = f"{float(v):,.0f}"
                elif c == "score":
                    text = f"{float(v):.3f}"
                elif c == "points":
                    text = f"{float(v):.1f}"
                elif c == "selected":
                    text = "✔" if v else ""
                else:
                    text = str(v)
                cells.append(f"<td style='padding:0 0.6em'>{html.escape(text)}</td>")
            body.append(f"<tr style='{style}'>{''.join(cells)}</tr>")
        return (f"<table style='margin:0.4em 0; font-size:90%'><tr>{head}</tr>"
                f"{''.join(body)}</table>")

    def _chart_png(self) -> bytes:
        case = self.case
        fig = Figure(figsize=(10, 4.2), layout="constrained")
        ax = fig.subplots()
        if self.frontier is None:
            ax.text(0.5, 0.5, "Efficient frontier not computed", ha="center",
                    transform=ax.transAxes)
            return _figure_png(fig)
        money = case.objective == "value"
        plots.efficient_frontier(
            self.frontier, budget=case.budget, selection=case.selection,
            currency=case.currency, ax=ax, value_currency=case.currency if money else None,
            value_label="value of the selection" if money else
            "weighted score of the selection [points]")
        return _figure_png(fig)


def selection_panel(candidates: pd.DataFrame, budget: float, *, objective: str | None = None,
                    weights=None, scales=None, higher_is_better=None, force=None,
                    demand: pd.DataFrame | None = None, capacity: pd.DataFrame | None = None,
                    frontier: bool | int = True, currency: str = "EUR") -> SelectionPanel:
    """A what-if panel: which candidates make the most valuable portfolio at this budget?

    A slider moves the total budget; toggle buttons choose what is maximised (the value, or
    the weighted score in points) and sliders set the criterion weights (with ``weights``);
    one drop-down per candidate forces it in (mandatory), out, or leaves it free. The panel
    shows the selection's count, cost, slack, value and points, what entered and left
    against the budget before the last move (with the reasons), the table of candidates
    (selected in green, forced out in grey, why each other one is out) and the efficient
    frontier with the budget and the selection marked (:func:`selection_case`,
    :func:`pmo_lib.plots.efficient_frontier`).

    Parameters
    ----------
    candidates : DataFrame
        As for :func:`selection_case`.
    budget : float
        The starting budget. [cur]
    objective : str, optional
        :data:`SELECTION_OBJECTIVES`; default ``"value"`` when the candidates have a value
        column, else ``"score"``.
    weights, scales, higher_is_better, force, demand, capacity, frontier, currency
        As for :func:`selection_case`.

    Returns
    -------
    SelectionPanel
        An ``ipywidgets.VBox``; display it as the last line of a cell. Its ``case``
        attribute holds what it shows.

    Raises
    ------
    PMOError
        As :func:`selection_case` for the starting values.

    Examples
    --------
    >>> c = pd.DataFrame({"id": ["A", "B", "C"], "value": [60, 50, 45], "cost": [6, 5, 5]})
    >>> panel = selection_panel(c, 10)
    >>> panel.case.chosen
    ('B', 'C')
    >>> panel.budget.value = 11
    >>> panel.case.chosen, panel.case.enters, panel.case.leaves
    (('A', 'B'), ('A',), ('C',))
    >>> panel.force["C"].value = "in"
    >>> panel.case.chosen, panel.case.enters, panel.case.leaves
    (('A', 'C'), ('A',), ('B',))
    """
    if objective is None:
        objective = "value" if "value" in candidates.columns or weights is None else "score"
    return SelectionPanel(candidates, budget, objective=objective, weights=weights,
                          scales=scales, higher_is_better=higher_is_better, force=force,
                          demand=demand, capacity=capacity, frontier=frontier,
                          currency=currency)
