"""Charts and styled tables draw what they are given (checked on the artists, not by eye)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from pmo_lib import evm, network, plots, schedule


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_s_curve_draws_pv_ev_ac(mini):
    ax = plots.s_curve(evm.s_curve(mini), status_month="2026-02", currency="EUR")
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert list(lines["Earned value (EV)"].get_ydata()) == [1800, 3200]
    assert list(lines["Actual cost (AC)"].get_ydata()) == [1800, 3650]
    assert ax.yaxis.get_major_formatter()(2_500_000) == "2.5M EUR"


def test_gantt_bars_and_milestones(mini):
    ax = plots.gantt(mini.tasks, title="Mini")
    assert len(ax.patches) == 3                       # A1, A2, B1; M1 is a diamond
    widths = sorted(p.get_width() for p in ax.patches)
    assert widths == [4.0, 5.0, 15.0]                 # calendar days, finish day included
    assert ax.collections[0].get_offsets().shape == (1, 2)
    assert ax.get_title(loc="left") == "Mini"


def test_spi_cpi_matrix_skips_unmeasured(mini):
    perf = evm.project_performance(mini, "2026-01")   # P2 is grey (not measurable)
    ax = plots.spi_cpi_matrix(perf)
    assert ax.collections[0].get_offsets().tolist() == [[0.9, 1.0]]


def test_performance_table_headers_and_total(mini):
    perf = evm.project_performance(mini, "2026-02")
    table = plots.performance_table(perf, columns=("name", "bac", "spi", "rag"))
    html = table.to_html()
    for header in (">BAC<", ">SPI<", ">rag<"):
        assert header in html
    assert "3,000" in html and "0.50" in html and "#c62828" in html


# ----------------------------------------------------------------------------------------
# Gantt v2: schedule mode, grouping, status date
# ----------------------------------------------------------------------------------------
ONE_DAY = pd.Timedelta(days=1)


def _bars(ax) -> dict[str, list]:
    """Bars of a schedule Gantt by legend label (one BarContainer per kind)."""
    return {c.get_label(): list(c) for c in ax.containers}


def _collection(ax, label):
    hits = [c for c in ax.collections if c.get_label() == label]
    return hits[0] if hits else None


def _status_x(ax) -> list[float]:
    return [line.get_xdata()[0] for line in ax.get_lines() if line.get_label() == "Status date"]


def _x(date) -> float:
    return float(mdates.date2num(pd.Timestamp(date)))


def test_gantt_schedule_expanded_mini(mini):
    """Mini at 2026-01: A1 complete, A2 in progress and critical, M1 and B1 critical."""
    sched = schedule.schedule_portfolio(mini, "2026-01")
    ax = plots.gantt(sched, title="Mini at 2026-01")
    bars = _bars(ax)
    work = sched[~sched["milestone"]]
    task_kinds = ("Task", "Critical (no float)", "Near-critical", "Complete")
    assert sum(len(bars.get(k, [])) for k in task_kinds) == len(work)  # one bar per task
    assert len(bars["Baseline"]) == len(work)
    crit = work[work["critical"]]
    assert len(bars["Critical (no float)"]) == len(crit) == 2          # A2, B1
    red = mcolors.to_rgba(plots.GANTT_COLOURS["critical"])
    assert all(p.get_facecolor() == red for p in bars["Critical (no float)"])
    rows = [t.get_text().split()[0] for t in ax.get_yticklabels()]
    assert rows == list(sched.index)
    for bar in bars["Critical (no float)"]:  # each red bar is a critical task, its dates
        task = sched.index[round(bar.get_y() + bar.get_height() / 2)]
        assert sched.at[task, "critical"]
        assert bar.get_x() == pytest.approx(_x(sched.at[task, "start_date"]))
        assert bar.get_x() + bar.get_width() == pytest.approx(
            _x(sched.at[task, "finish_date"] + ONE_DAY))
    assert [p.get_facecolor() for p in bars["Complete"]] == [
        mcolors.to_rgba(plots.GANTT_COLOURS["complete"])]             # A1
    diamonds = _collection(ax, "Milestone")
    assert diamonds.get_offsets().shape == (1, 2)                      # M1
    assert diamonds.get_offsets()[0, 0] == pytest.approx(
        _x(sched.at["M1", "finish_date"] + ONE_DAY))
    assert tuple(diamonds.get_facecolors()[0]) == red                  # M1 is critical
    # The status line: end of the status day, from the schedule's data date.
    assert _status_x(ax) == [pytest.approx(_x(mini.status_date("2026-01") + ONE_DAY))]
    assert ax.get_title(loc="left") == "Mini at 2026-01"


def test_gantt_schedule_without_status_date(mini):
    ax = plots.gantt(schedule.schedule_portfolio(mini))    # the plan: no data date
    assert _status_x(ax) == []
    assert plots.gantt(schedule.schedule_portfolio(mini), status_date="2026-01-16") \
        .get_lines()[0].get_xdata()[0] == pytest.approx(_x("2026-01-17"))


def test_gantt_whole_sample_grouped_by_project(sample):
    month = sample.latest_month
    sched = schedule.schedule_portfolio(sample, month)
    projects = list(pd.unique(sched["project_id"]))
    ax = plots.gantt(sched, group_by="project_id")
    bars = _bars(ax)
    assert len(bars["Project (summary)"]) == len(projects) == sample.projects.shape[0]
    assert set(bars) == {"Project (summary)", "Baseline"}              # no task bars
    assert _collection(ax, "Milestone") is None
    assert [t.get_text() for t in ax.get_yticklabels()] == projects
    first = sched.groupby("project_id")["start_date"].min()
    last = sched.groupby("project_id")["finish_date"].max()
    for pid, bar in zip(projects, bars["Project (summary)"], strict=True):
        assert bar.get_x() == pytest.approx(_x(first[pid]))
        assert bar.get_x() + bar.get_width() == pytest.approx(_x(last[pid] + ONE_DAY))
    notes = [t.get_text() for t in ax.texts if "open tasks" in t.get_text()
             or t.get_text() == "complete"]
    assert len(notes) == len(projects)                                 # critical share
    assert _status_x(ax) == [pytest.approx(_x(sample.status_date(month) + ONE_DAY))]
    assert ax.figure.get_size_inches()[1] <= 22.0


@pytest.mark.parametrize("position", [0, 5, -1])
def test_gantt_status_line_matches_the_status_date(sample, position):
    """Without a calendar the status date is read from the schedule's own dates."""
    month = sample.months[position]
    sched = schedule.schedule_portfolio(sample, month)
    expected = _x(sample.status_date(month) + ONE_DAY)
    assert _status_x(plots.gantt(sched, group_by="project_id")) == [pytest.approx(expected)]
    assert _status_x(plots.gantt(sched, group_by="project_id", calendar=sample.calendar)) \
        == [pytest.approx(expected)]


def test_gantt_expands_selected_groups(sample):
    sched = schedule.schedule_portfolio(sample, sample.latest_month)
    project = sched["project_id"].iloc[-1]
    mine = sched[sched["project_id"] == project]
    ax = plots.gantt(sched, group_by="project_id", expand=[project])
    bars = _bars(ax)
    n_projects = sched["project_id"].nunique()
    assert len(bars["Project (summary)"]) == n_projects
    task_bars = sum(len(v) for k, v in bars.items() if k not in ("Project (summary)",
                                                                  "Baseline"))
    assert task_bars == int((~mine["milestone"]).sum())
    diamonds = _collection(ax, "Milestone")
    assert len(diamonds.get_offsets()) == int(mine["milestone"].sum())
    assert len(ax.get_yticklabels()) == n_projects + len(mine)
    red = mcolors.to_rgba(plots.GANTT_COLOURS["critical"])
    assert len([p for p in bars.get("Critical (no float)", []) if p.get_facecolor() == red]) \
        == int((mine["critical"] & ~mine["milestone"]).sum())


def test_gantt_group_by_wbs_level(mini):
    sched = schedule.schedule_portfolio(mini).join(mini.tasks.set_index("id")["wbs"])
    ax = plots.gantt(sched, group_by=1, expand=True)
    assert [t.get_text().strip().split()[0] for t in ax.get_yticklabels()] == \
        ["P1", "A1", "A2", "M1", "P2", "B1"]
    assert len(_bars(ax)["Project (summary)"]) == 2


def test_gantt_errors_name_the_fix(mini):
    sched = schedule.schedule_portfolio(mini)
    with pytest.raises(ValueError, match=r"cannot group by 'programme': no such column; "
                                         r"use one of .*project_id"):
        plots.gantt(sched, group_by="programme")
    with pytest.raises(ValueError, match=r"cannot expand 'P9': no such group; groups: P1, P2"):
        plots.gantt(sched, group_by="project_id", expand=["P9"])
    with pytest.raises(ValueError, match=r"needs a 'wbs' column"):
        plots.gantt(sched, group_by=2)


# ----------------------------------------------------------------------------------------
# Dependency networks
# ----------------------------------------------------------------------------------------
def _arrows(ax, gid):
    return [p for p in ax.patches if p.get_gid() == gid]


def _node_x(ax) -> dict[str, float]:
    """x of every node, by its label (the task id written above it)."""
    return {t.get_text(): t.xy[0] for t in ax.texts}


def test_network_mini_plan(mini):
    """The plan: A1 → A2 → M1 → B1, every task and link critical."""
    sched = schedule.schedule_portfolio(mini)
    ax = plots.network(sched, mini.links, title="Mini network")
    assert _node_x(ax) == sched["early_start"].to_dict()   # left to right by early start
    assert len(_arrows(ax, "critical-link")) == len(mini.links) == 3
    assert _arrows(ax, "link") == []
    red = mcolors.to_rgba(plots.GANTT_COLOURS["critical"])
    assert all(a.get_edgecolor() == red for a in _arrows(ax, "critical-link"))
    assert len(_collection(ax, "Critical task (milestone)").get_offsets()) == 1   # M1


def test_network_from_the_dependency_graph(mini):
    sched = schedule.schedule_portfolio(mini, "2026-02")
    graph = network.dependency_graph(mini)
    ax = plots.network(graph, schedule=sched, project="P1")
    assert set(_node_x(ax)) == {"A1", "A2", "M1"}                      # B1 is in P2
    assert _arrows(ax, "critical-link") == []                          # P1 is complete
    assert len(_arrows(ax, "link")) == 2
    layered = plots.network(graph)                                     # no schedule: layers
    assert _node_x(layered) == {"A1": 0.0, "A2": 1.0, "M1": 2.0, "B1": 3.0}


def test_network_one_sample_project(sample):
    sched = schedule.schedule_portfolio(sample, sample.latest_month)
    open_ = sched[sched["status"] != "complete"]
    project = open_.groupby("project_id")["critical"].sum().idxmax()
    mine = sched[sched["project_id"] == project]
    ax = plots.network(sched, sample.links, project=project)
    assert _node_x(ax) == pytest.approx(mine["early_start"].to_dict())
    inside = sample.links[sample.links["pred"].isin(mine.index)
                          & sample.links["succ"].isin(mine.index)]
    slack = schedule.link_slack(mine, inside)
    on_path = slack["driving"] & slack["pred"].map(mine["critical"]) \
        & slack["succ"].map(mine["critical"])
    assert len(_arrows(ax, "critical-link")) == int(on_path.sum()) > 0
    assert len(_arrows(ax, "critical-link")) + len(_arrows(ax, "link")) == len(inside)


def test_network_errors(mini):
    sched = schedule.schedule_portfolio(mini)
    with pytest.raises(ValueError, match="pass the links"):
        plots.network(sched)
    with pytest.raises(ValueError, match=r"no project 'P9' in the network; projects: P1, P2"):
        plots.network(sched, mini.links, project="P9")


def test_project_network_sizes_and_widths(sample):
    graph = network.project_graph(sample)
    budget = sample.projects.set_index("id")["budget"]
    ax = plots.project_network(graph, budget=budget, labels=sample.projects.set_index("id")
                               ["name"])
    nodes = _collection(ax, "Projects")
    assert len(nodes.get_offsets()) == graph.number_of_nodes()
    sizes = pd.Series(nodes.get_sizes(), index=list(graph))
    assert sizes.idxmax() == budget.idxmax() and sizes.idxmin() == budget.idxmin()
    assert sizes.rank().tolist() == budget.reindex(list(graph)).rank().tolist()
    arrows = _arrows(ax, "project-link")
    assert len(arrows) == graph.number_of_edges()
    counts = [d["count"] for _, _, d in graph.edges(data=True)]
    widths = [a.get_linewidth() for a in arrows]
    assert pd.Series(widths).rank().tolist() == pd.Series(counts).rank().tolist()
    # a project is right of the projects it depends on (unless they depend on each other)
    pos = dict(zip(list(graph), nodes.get_offsets()[:, 0], strict=True))
    for u, v in graph.edges:
        assert pos[u] < pos[v] or graph.has_edge(v, u)


def test_project_network_mini(mini):
    ax = plots.project_network(network.project_graph(mini))
    assert len(_arrows(ax, "project-link")) == 1
    assert len(set(_collection(ax, "Projects").get_sizes())) == 1     # no budget: equal


# ----------------------------------------------------------------------------------------
# EVM charts (issue 4): bullseye, index trend, variance waterfall, S-curve forecast
# ----------------------------------------------------------------------------------------
def _with_es(portfolio, month):
    return evm.project_performance(portfolio, month).join(
        evm.project_earned_schedule(portfolio, month))


def _zones(ax) -> dict[str, tuple]:
    return {p.get_gid(): (p.get_x(), p.get_y(), p.get_width(), p.get_height())
            for p in ax.patches if str(p.get_gid()).startswith("rag-zone-")}


def test_bullseye_one_dot_per_project(mini):
    perf = _with_es(mini, "2026-02")
    thresholds = evm.RagThresholds(green=0.97, amber=0.8)
    ax = plots.bullseye(perf, thresholds=thresholds)
    dots = _collection(ax, "Projects")
    np.testing.assert_allclose(dots.get_offsets(), perf[["spi_t", "cpi"]].to_numpy(),
                               rtol=1e-12)
    expected = evm.rag_status(perf["spi_t"], perf["cpi"], thresholds)["rag"]
    assert [tuple(c) for c in dots.get_facecolors()] == [
        mcolors.to_rgba(evm.RAG_COLOURS[r]) for r in expected]
    zones = _zones(ax)
    assert set(zones) == {"rag-zone-red", "rag-zone-amber", "rag-zone-green"}
    assert zones["rag-zone-green"][:2] == (0.97, 0.97)
    assert zones["rag-zone-amber"][:2] == (0.8, 0.8)
    top = ax.get_xlim()[1]
    for x, _, w, h in zones.values():                # each zone reaches the top right
        assert x + w == pytest.approx(top) and w == pytest.approx(h)
    assert {t.get_text() for t in ax.texts} == set(perf["name"])


def test_bullseye_leaves_out_unmeasured(mini):
    perf = _with_es(mini, "2026-01")                 # P2 has not started: SPI(t) is NaN
    ax = plots.bullseye(perf)
    p1 = perf.loc["P1"]
    np.testing.assert_allclose(_collection(ax, "Projects").get_offsets(),
                               [[p1["spi_t"], p1["cpi"]]], rtol=1e-12)
    notes = [t.get_text() for t in ax.texts if t.get_text().startswith("not measurable")]
    assert notes == [f"not measurable yet: {perf.loc['P2', 'name']}"]


def test_index_trend_draws_each_index(mini):
    rows = {m: pd.concat([evm.project_performance(mini, m).loc["P1", ["cpi", "spi"]],
                          evm.project_earned_schedule(mini, m).loc["P1", ["spi_t"]]])
            for m in mini.months}
    frame = pd.DataFrame(rows).T.astype(float)
    frame.index = pd.PeriodIndex(frame.index, freq="M", name="month")
    ax = plots.index_trend(frame, title="P1")
    lines = {line.get_label(): line for line in ax.get_lines()}
    for label, column in (("CPI", "cpi"), ("SPI", "spi"), ("SPI(t)", "spi_t")):
        assert list(lines[label].get_ydata()) == pytest.approx(frame[column].tolist())
        assert list(mdates.date2num(lines[label].get_xdata())) == pytest.approx(
            [_x("2026-01-31"), _x("2026-02-28")])
    only = plots.index_trend(frame[["cpi"]])
    assert [line.get_label() for line in only.get_lines() if not
            line.get_label().startswith("_")] == ["CPI"]
    with pytest.raises(ValueError, match=r"needs one of the columns cpi, spi, spi_t"):
        plots.index_trend(frame.rename(columns=str.upper))


def test_variance_waterfall_runs_to_the_total(mini):
    perf = evm.project_performance(mini, "2026-02")
    ax = plots.variance_waterfall(perf)
    bars = _bars(ax)
    cv = perf["cv"].tolist()
    assert [b.get_height() for b in bars["Projects"]] == pytest.approx(cv)
    assert [b.get_y() for b in bars["Projects"]] == pytest.approx([0.0, cv[0]])
    (total,) = bars["Total"]
    assert (total.get_y(), total.get_height()) == (0.0, pytest.approx(sum(cv)))
    assert sum(cv) == pytest.approx(evm.rollup(perf)["cv"].iloc[0])
    assert [t.get_text() for t in ax.get_xticklabels()] == [*perf["name"], "Portfolio"]
    red = mcolors.to_rgba(evm.RAG_COLOURS["red"])
    assert [b.get_facecolor() == red for b in bars["Projects"]] == [c < 0 for c in cv]


def test_s_curve_forecast_line_and_band(mini):
    curve = evm.s_curve(mini)
    total = evm.rollup(evm.project_performance(mini, "2026-02")).iloc[0]
    eacs = {m: evm.indicators(total["pv"], total["ev"], total["ac"], total["bac"],
                              method=m)["eac"] for m in evm.EAC_METHODS if m != "new_etc"}
    finish = evm.project_earned_schedule(mini, "2026-02")["forecast_finish"].max()
    ax = plots.s_curve_forecast(curve, eacs["cpi"], min(eacs.values()), max(eacs.values()),
                                forecast_finish=finish)
    lines = {line.get_label(): line for line in ax.get_lines()}
    forecast = lines["Forecast (EAC)"]
    assert list(mdates.date2num(forecast.get_xdata())) == pytest.approx(
        [_x("2026-02-28"), _x(finish)])
    assert list(forecast.get_ydata()) == pytest.approx([total["ac"], eacs["cpi"]])
    assert list(lines["Budget at completion (BAC)"].get_ydata()) == [total["bac"]] * 2
    band = _collection(ax, "EAC range").get_paths()[0].vertices
    at_finish = band[np.isclose(band[:, 0], _x(finish))][:, 1]
    assert (at_finish.min(), at_finish.max()) == (pytest.approx(min(eacs.values())),
                                                  pytest.approx(max(eacs.values())))
    assert list(lines["Actual cost (AC)"].get_ydata()) == [1800, 3650]   # the S-curve too
    without_band = plots.s_curve_forecast(curve, eacs["cpi"])
    assert _collection(without_band, "EAC range") is None
    assert list(mdates.date2num(  # default finish: the end of the curve
        {ln.get_label(): ln for ln in without_band.get_lines()}["Forecast (EAC)"]
        .get_xdata()))[-1] == pytest.approx(_x(curve.index[-1].end_time.normalize()))
    early = plots.s_curve_forecast(curve, eacs["cpi"], forecast_finish="2026-01-15")
    assert list(mdates.date2num(  # a finish before the last measured month: drawn at its end
        {ln.get_label(): ln for ln in early.get_lines()}["Forecast (EAC)"]
        .get_xdata())) == pytest.approx([_x(pd.Timestamp("2026-02-28"))] * 2)
