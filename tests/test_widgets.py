"""Tests of the what-if panels (pmo_lib.widgets), built headlessly (no kernel, no browser).

Values on the mini fixture, by hand from tests/data/mini: at 2026-01 P1 has SPI 1800 / 2000 =
0.90 and CPI 1.00, P2 has nothing planned or spent (grey); at 2026-02 P1 has SPI 1.00 and CPI
3000 / 3400 = 0.88, P2 has SPI 200 / 400 = 0.50 and CPI 200 / 250 = 0.80. Fixtures ``mini``
and ``sample`` come from tests/conftest.py.
"""

import ast
import html
from pathlib import Path

import ipywidgets
import pandas as pd
import pytest
from test_schedule import _open_critical  # the same task as the engine's what-if test

from pmo_lib import (
    DataValidationError,
    MissingDataError,
    PMOError,
    ScheduleError,
    evm,
    methodology,
    schedule,
    widgets,
)
from pmo_lib.exercises import scheduling
from pmo_lib.exercises.methodology import payroll_answers


def test_panel_starts_at_the_latest_month_and_default_thresholds(mini):
    panel = widgets.rag_threshold_panel(mini)
    assert panel.month.value == "2026-02"
    assert list(panel.month.options) == ["2026-01", "2026-02"]
    assert (panel.green.value, panel.amber.value) == (0.95, 0.90)
    assert panel.table.columns.tolist() == list(widgets.TABLE_COLUMNS)
    assert panel.table["rag"].to_dict() == {"P1": "red", "P2": "red"}
    assert panel.counts.to_dict() == {"green": 0, "amber": 0, "red": 2, "grey": 0}
    assert panel.error is None


def test_panel_updates_when_the_sliders_move(mini):
    panel = widgets.rag_threshold_panel(mini, "2026-02")
    # Amber at 0.85: P1 (CPI 0.88) turns amber, P2 (SPI 0.50) stays red.
    panel.amber.value = 0.85
    assert panel.table["rag"].to_dict() == {"P1": "amber", "P2": "red"}
    assert panel.counts.to_dict() == {"green": 0, "amber": 1, "red": 1, "grey": 0}
    assert "CPI 0.88 below 0.95" in panel.table.loc["P1", "rag_reason"]
    # Green at 0.87 too: P1 is green.
    panel.green.value = 0.87
    assert panel.counts.to_dict() == {"green": 1, "amber": 0, "red": 1, "grey": 0}
    # Down to 0.5 / 0.5: everyone green (P2's SPI 0.50 is at the threshold).
    panel.amber.value = 0.5
    panel.green.value = 0.5
    assert panel.counts.to_dict() == {"green": 2, "amber": 0, "red": 0, "grey": 0}
    # What is shown follows what is computed.
    assert "green: 2" in panel._counts.value and "red: 0" in panel._counts.value
    assert panel._table.value.count(">green<") == 2
    assert "0.50" in panel._legend.value


def test_panel_updates_when_the_month_changes(mini):
    panel = widgets.rag_threshold_panel(mini, "2026-02")
    panel.month.value = "2026-01"
    assert panel.table["rag"].to_dict() == {"P1": "amber", "P2": "grey"}
    assert panel.table.loc["P1", "spi"] == pytest.approx(0.90)
    panel.amber.value = 0.85
    panel.green.value = 0.89
    assert panel.counts.to_dict() == {"green": 1, "amber": 0, "red": 0, "grey": 1}
    panel.green.value, panel.amber.value = 1.0, 0.95
    assert panel.counts.to_dict() == {"green": 0, "amber": 0, "red": 1, "grey": 1}
    assert ">red<" in panel._table.value and ">grey<" in panel._table.value


def test_amber_above_green_shows_a_message_and_keeps_the_table(mini):
    panel = widgets.rag_threshold_panel(mini, "2026-02")
    before = panel.table.copy()
    panel.amber.value = 1.0  # above green 0.95
    assert panel.error is not None and "need 0 < amber <= green" in panel.error
    assert "Table not updated" in panel._message.value
    pd.testing.assert_frame_equal(panel.table, before)
    panel.green.value = 1.05  # valid again
    assert panel.error is None and panel._message.value == ""
    assert panel.counts.to_dict() == {"green": 0, "amber": 0, "red": 2, "grey": 0}


def test_panel_starting_thresholds_and_errors(mini):
    panel = widgets.rag_threshold_panel(mini, "2026-02", evm.RagThresholds(0.87, 0.85))
    assert (panel.green.value, panel.amber.value) == (0.87, 0.85)
    assert panel.counts["green"] == 1
    with pytest.raises(MissingDataError, match="no status snapshot for 2024-01"):
        widgets.rag_threshold_panel(mini, "2024-01")


def test_performance_is_computed_once_per_month(mini, monkeypatch):
    calls = []
    real = evm.project_performance

    def counting(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(evm, "project_performance", counting)
    panel = widgets.rag_threshold_panel(mini, "2026-02")
    for value in (0.93, 0.92, 0.91):
        panel.green.value = value
    panel.month.value = "2026-01"
    panel.month.value = "2026-02"
    assert calls == ["2026-02", "2026-01"]


def test_panel_on_the_sample_portfolio(sample):
    panel = widgets.rag_threshold_panel(sample)
    assert len(panel.table) == len(sample.projects)
    # Oracle independent of evm.rag_status: a project's band is set by the worse of its
    # measurable indices; grey when neither is measurable.
    worst = panel.table[["spi", "cpi"]].min(axis=1)
    seen = []
    for green, amber in ((1.0, 0.97), (0.95, 0.90), (0.85, 0.80), (0.5, 0.5)):
        panel.amber.value = min(amber, panel.amber.value)  # keep amber <= green on the way
        panel.green.value = green
        panel.amber.value = amber
        assert panel.error is None
        expected = {"green": int((worst >= green).sum()),
                    "amber": int(((worst >= amber) & (worst < green)).sum()),
                    "red": int((worst < amber).sum()), "grey": int(worst.isna().sum())}
        assert panel.counts.to_dict() == expected
        assert panel.counts.sum() == len(sample.projects)
        seen.append(tuple(panel.counts))
    assert len(set(seen)) > 1  # the sample has projects near the thresholds
    # Looser thresholds never make a project worse.
    greens = [s[0] for s in seen]
    assert greens == sorted(greens)


def test_panel_rates_spi_t_and_vac(sample):
    panel = widgets.rag_threshold_panel(sample, "2026-10")
    assert (panel.schedule_index.value, panel.rate_vac.value) == ("spi", False)
    on_spi = panel.table["rag"].copy()
    panel.schedule_index.value = "spi_t"
    # DCM finished late: SPI is back at 1.00 but SPI(t) is 0.70.
    assert on_spi["DCM"] != "red" and panel.table.at["DCM", "rag"] == "red"
    assert panel.table.at["DCM", "rag_reason"].startswith("SPI(t) 0.70")
    panel.rate_vac.value = True
    expected = evm.performance_table(
        sample, "2026-10", evm.RagThresholds(schedule_index="spi_t", rate_vac=True))
    assert panel.table["rag"].to_dict() == expected.loc["project", "rag"].to_dict()
    panel.vac_red.value = -0.30
    panel.vac_amber.value = -0.30   # PLT's -26 % overrun is now green on VAC, still red on CPI
    assert "VAC/BAC" not in panel.table.at["PLT", "rag_reason"]
    panel.vac_amber.value = -0.01
    panel.vac_red.value = -0.02
    assert panel.error is None
    panel.vac_red.value = 0.0       # the red line above the amber one: refused, table kept
    assert panel.error is not None and "vac_red <= vac_amber" in panel.error
    assert "SPI(t)" in panel._legend.value


def test_engines_do_not_import_widgets():
    # Presentation imports engines, never the reverse (STYLE.md §2).
    root = Path(widgets.__file__).parent
    engines = ("errors", "model", "calendar", "schedule", "network", "health", "evm", "risk",
               "resources", "portfolio", "agile", "store")
    for path in (root / f"{name}.py" for name in engines):
        if not path.is_file():
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, "module", "") or ""]
                assert not any("widgets" in n for n in names), path.name


# ----------------------------------------------------------------------------------------
# Schedule what-if: the teaching network
# ----------------------------------------------------------------------------------------
# Hand-computed on scheduling.teaching_network() (offsets in working days; see
# tests/test_exercises.py for the plan): A 0-3, B 3-8, C 3-7, D 8-16, E 11-15 (SS + 3),
# F 8-10, G 16-20, H 20-22; critical A B D G H; start Monday 2026-03-02.
# * C takes 12 days: C 3-15, F max(8, 15) = 15-17, G max(16, 17) = 17-21, H 21-23; B and D get
#   TF 1 (D's LF = LS_G 17), critical A C F G H, finish offset 22 = Tue 2026-04-01.
# * and D -> E becomes FS with lag 5: E 16 + 5 = 21-25, H max(21, 25) = 25-27; C, F, G get
#   TF 27 - 2 - 21 = 4, critical A B D E H.
START = "2026-03-02"


@pytest.fixture
def network():
    return scheduling.teaching_network()


def _dates(table, column):
    return {k: str(v.date()) for k, v in table[column].items()}


def test_schedule_panel_starts_at_the_plan(network):
    panel = widgets.schedule_panel(*network, start=START)
    assert panel.table.columns.tolist() == list(widgets.SCHEDULE_COLUMNS)
    assert panel.project_duration == panel.plan_duration == 22
    assert panel.critical_paths == [["A", "B", "D", "G", "H"]]
    assert panel.table.at["H", "finish_date"] == pd.Timestamp("2026-03-31")
    assert (panel.task.value, panel.duration.value) == ("A", 3)
    assert (panel.link.value, panel.link_type.value, panel.lag.value) == (("A", "B"), "FS", 0)
    assert "22 working days" in panel._summary.value and "same as the plan" in \
        panel._summary.value
    assert "A → B → D → G → H" in panel._summary.value
    assert panel._chart.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Order the IT equipment" in panel._table.value and panel.error is None


def test_schedule_panel_follows_a_duration_slider(network):
    panel = widgets.schedule_panel(*network, start=START)
    chart = panel._chart.value
    panel.task.value = "C"
    assert panel.duration.value == 4 and panel.durations == {}
    panel.duration.value = 12
    assert panel.durations == {"C": 12}
    t = panel.table
    assert t["early_start"].to_dict() == dict(zip("ABCDEFGH", [0, 3, 3, 8, 11, 15, 17, 21],
                                                  strict=True))
    assert t["total_float"].to_dict() == dict(zip("ABCDEFGH", [0, 1, 0, 1, 6, 0, 0, 0],
                                                  strict=True))
    assert t.index[t["critical"]].tolist() == ["A", "C", "F", "G", "H"]
    assert t.at["H", "finish_date"] == pd.Timestamp("2026-04-01")
    assert panel.project_duration == 23 and "plan 22, +1" in panel._summary.value
    assert panel.critical_paths == [["A", "C", "F", "G", "H"]]
    assert panel._chart.value != chart
    # another task and back: the slider shows each task's what-if duration
    panel.task.value = "B"
    assert panel.duration.value == 5 and panel.project_duration == 23
    panel.task.value = "C"
    assert panel.duration.value == 12
    panel.duration.value = 4  # back to the plan
    assert panel.durations == {} and panel.project_duration == 22


def test_schedule_panel_follows_the_link_controls(network):
    panel = widgets.schedule_panel(*network, start=START, task="C")
    panel.duration.value = 12
    panel.link.value = ("D", "E")
    assert (panel.link_type.value, panel.lag.value) == ("SS", 3)
    panel.link_type.value = "FS"  # E 16 + 3 = 19-23, H 23-25
    assert panel.table.at["E", "early_start"] == 19 and panel.project_duration == 25
    panel.lag.value = 5
    t = panel.table
    assert panel.link_changes == {("D", "E"): {"type": "FS", "lag": 5.0}}
    assert t["early_finish"].to_dict() == dict(zip("ABCDEFGH", [3, 8, 15, 16, 25, 17, 21, 27],
                                                   strict=True))
    assert t["total_float"].to_dict() == dict(zip("ABCDEFGH", [0, 0, 4, 0, 0, 4, 4, 0],
                                                  strict=True))
    assert t.index[t["critical"]].tolist() == ["A", "B", "D", "E", "H"]
    assert panel.critical_paths == [["A", "B", "D", "E", "H"]]
    # a lead: SS - 2 from D's start 8 (E has no other predecessor)
    panel.link_type.value = "SS"
    panel.lag.value = -2
    assert panel.table.at["E", "early_start"] == 6
    panel.reset.click()
    assert panel.durations == {} and panel.link_changes == {}
    assert (panel.duration.value, panel.link_type.value, panel.lag.value) == (4, "SS", 3)
    assert panel.project_duration == 22
    assert panel.table.index[panel.table["critical"]].tolist() == ["A", "B", "D", "G", "H"]


def test_schedule_panel_errors_and_options(network):
    tasks, links = network
    with pytest.raises(ScheduleError, match="unknown task 'Z'"):
        widgets.schedule_panel(tasks, links, start=START, task="Z")
    with pytest.raises(ScheduleError, match="no link H->A"):
        widgets.schedule_panel(tasks, links, start=START, link=("H", "A"))
    with pytest.raises(ScheduleError, match="dependency cycle"):
        widgets.schedule_panel(tasks, pd.concat([links, pd.DataFrame(
            {"pred": ["H"], "succ": ["A"], "type": ["FS"], "lag": [0.0]})]), start=START)
    # no links: the link controls are disabled, the tasks run in parallel
    panel = widgets.schedule_panel(tasks[["id", "duration"]], None, start="2026-03-01")
    assert panel.link.disabled and panel.link.value is None
    assert panel.project_duration == 8 and panel.start == pd.Timestamp("2026-03-02")
    assert panel.table["name"].tolist() == list("ABCDEFGH")  # ids when there is no name
    assert widgets.schedule_panel(tasks, links).start.day_of_week < 5  # default: today


# ----------------------------------------------------------------------------------------
# Schedule what-if: a portfolio
# ----------------------------------------------------------------------------------------
def test_portfolio_panel_follows_the_slider(sample):
    month = sample.latest_month
    s, task = _open_critical(sample, month)
    project = s.at[task, "project_id"]
    panel = widgets.portfolio_schedule_panel(sample, month, task=task)
    assert (panel.project.value, panel.task.value) == (project, task)
    assert panel.duration.value == s.at[task, "duration"] and panel.durations == {}
    assert (panel.table["finish_change"] == 0).all()
    first = panel.task.options[0][1]
    assert s.at[first, "total_float"] == s.loc[
        [v for _, v in panel.task.options], "total_float"].min()
    panel.duration.value = s.at[task, "duration"] + 10
    assert panel.durations == {task: s.at[task, "duration"] + 10}
    moved = panel.table["finish_change"].idxmax()
    assert panel.table.at[moved, "finish_change"] == pytest.approx(10)
    assert panel.task_float == (pytest.approx(s.at[task, "total_float"]), pytest.approx(0))
    assert f"{moved} +10.0 d" in panel._summary.value
    assert panel._chart.value[:4] == b"\x89PNG"
    pd.testing.assert_frame_equal(panel.table, schedule.portfolio_what_if(
        sample, month, durations=panel.durations))
    panel.reset.click()
    assert panel.durations == {} and (panel.table["finish_change"] == 0).all()
    # another project: its open tasks, least float first; the change is dropped
    other = next(v for _, v in panel.project.options if v != project)
    panel.duration.value = panel.duration.value + 5
    panel.project.value = other
    assert panel.durations == {}
    assert set(s.loc[[v for _, v in panel.task.options], "project_id"]) == {other}
    assert "complete" not in set(s.loc[[v for _, v in panel.task.options], "status"])
    assert (s.loc[[v for _, v in panel.task.options], "duration"] > 0).all()  # no milestones


def test_portfolio_panel_errors(mini, sample):
    with pytest.raises(MissingDataError, match="no status snapshot for 2024-01"):
        widgets.portfolio_schedule_panel(mini, "2024-01")
    s = schedule.schedule_portfolio(sample, sample.latest_month)
    done = s.index[s["status"] == "complete"][0]
    with pytest.raises(ScheduleError, match=f"task '{done}' is not an open task"):
        widgets.portfolio_schedule_panel(sample, task=done)
    milestone = s.index[(s["status"] != "complete") & (s["duration"] == 0)][0]
    with pytest.raises(ScheduleError, match="not complete and not a milestone"):
        widgets.portfolio_schedule_panel(sample, task=milestone)
    finished = s.groupby("project_id")["status"].apply(lambda x: (x == "complete").all())
    if finished.any():
        with pytest.raises(ScheduleError, match="has no open task"):
            widgets.portfolio_schedule_panel(sample, project=finished.index[finished][0])


# ----------------------------------------------------------------------------------------
# EVM forecast panel. The fence by hand: PV 3000, EV 2500, AC 2800, BAC 4000 at week 3 of 5
# (cumulative PV 500, 1500, 3000, 3700, 4000). CPI = 2500 / 2800, EAC = BAC / CPI = 4480,
# TCPI = (4000 − 2500) / (4000 − 2800) = 1.25; ES = 2 + 1000 / 1500 = 2.667 weeks,
# SPI(t) = 2.667 / 3 = 0.889, IEAC(t) = 5 / 0.889 = 5.625 weeks.
# ----------------------------------------------------------------------------------------
def test_evm_panel_on_the_fence_by_hand():
    panel = widgets.evm_panel()
    f = panel.forecast
    assert panel.error is None and list(f) == list(widgets.FORECAST_KEYS)
    assert panel.percent_complete.value == pytest.approx(62.5)
    assert f["eac"] == pytest.approx(4480.0) and f["etc"] == pytest.approx(1680.0)
    assert f["vac"] == pytest.approx(-480.0) and f["tcpi"] == pytest.approx(1.25)
    assert f["es"] == pytest.approx(8 / 3) and f["spi_t"] == pytest.approx(8 / 9)
    assert f["ieac_t"] == pytest.approx(5.625) and pd.isna(f["forecast_finish"])
    assert f["rag"] == "red"  # SPI 0.83, CPI 0.89: both below 0.90
    assert "4,480 EUR" in panel._summary.value and "1.25" in panel._summary.value
    assert panel.etc.disabled and panel.etc.value == pytest.approx(1680.0)


def test_evm_panel_follows_the_sliders_and_the_method():
    panel = widgets.evm_panel()
    panel.ac.value = 3000.0  # CPI 2500 / 3000: EAC 4000 × 3000 / 2500 = 4800
    assert panel.forecast["eac"] == pytest.approx(4800.0)
    assert panel.forecast["tcpi"] == pytest.approx(1500 / 1000)
    panel.method.value = "additive"  # EAC = AC + (BAC − EV) = 3000 + 1500
    assert panel.forecast["eac"] == pytest.approx(4500.0)
    panel.method.value = "cpi_spi"  # 3000 + 1500 / (2500/3000 × 2500/3000) = 5160
    assert panel.forecast["eac"] == pytest.approx(3000 + 1500 / (5 / 6) ** 2)
    panel.method.value = "new_etc"
    assert not panel.etc.disabled
    panel.etc.value = 2000.0  # EAC = AC + new ETC
    assert panel.forecast["eac"] == pytest.approx(5000.0)
    assert panel.forecast["vac"] == pytest.approx(-1000.0)
    panel.method.value = "cpi"
    panel.percent_complete.value = 75.0  # EV 3000 = AC: CPI 1, EAC = BAC, TCPI 1000 / 1000
    f = panel.forecast
    assert f["ev"] == pytest.approx(3000.0) and f["eac"] == pytest.approx(4000.0)
    assert f["tcpi"] == pytest.approx(1.0) and f["es"] == pytest.approx(3.0)
    assert f["spi_t"] == pytest.approx(1.0) and f["rag"] == "green"
    assert panel.etc.disabled and panel.error is None


def test_evm_panel_on_a_project_matches_the_engine(sample):
    month = sample.latest_month
    perf = evm.project_performance(sample, month)
    es = evm.project_earned_schedule(sample, month)
    project = str(perf.index[0])
    panel = widgets.evm_panel(sample, month, project=project)
    f = panel.forecast
    for key in ("pv", "ev", "ac", "bac", "eac", "etc", "vac", "tcpi", "spi", "cpi"):
        assert f[key] == pytest.approx(perf.at[project, key]), key
    assert f["rag"] == perf.at[project, "rag"]
    for key in ("es", "at", "spi_t", "ieac_t"):
        assert f[key] == pytest.approx(es.at[project, key]), key
    assert f["forecast_finish"] == es.at[project, "forecast_finish"]
    # Spending 10 % more with the same work done: EAC by CPI grows by 10 %.
    panel.ac.value = 1.1 * perf.at[project, "ac"]
    assert panel.forecast["eac"] == pytest.approx(1.1 * perf.at[project, "eac"])
    bac, ev, ac = perf.at[project, "bac"], perf.at[project, "ev"], 1.1 * perf.at[project, "ac"]
    assert panel.forecast["tcpi"] == pytest.approx((bac - ev) / (bac - ac))


def test_evm_pure_forecast_and_errors(mini):
    case = widgets.evm_case()
    assert widgets.evm_forecast(case) == widgets.evm_panel().forecast
    with pytest.raises(evm.DataValidationError, match="needs the new estimate"):
        widgets.evm_forecast(case, method="new_etc")
    with pytest.raises(evm.DataValidationError, match="unknown EAC method 'nope'"):
        widgets.evm_panel(method="nope")
    with pytest.raises(evm.DataValidationError, match="unknown project 'ZZ'"):
        widgets.evm_case(mini, "2026-02", "ZZ")
    with pytest.raises(MissingDataError):
        widgets.evm_panel(mini, "2024-01")


def test_agile_forecast_panel_constant_history_is_exact():
    history = pd.Series([5.0] * 6, index=pd.period_range("2026-03-02", periods=6, freq="W"))
    panel = widgets.agile_forecast_panel(history, 12, periods=4)
    # 5 items a week: 12 items need 3 weeks in every run; 4 weeks bring 20 items.
    assert {k: v for k, v in panel.when.items() if k.startswith("within")} == \
        {"within_50": 3, "within_85": 3, "within_95": 3}
    assert panel.when["finish_85"] == history.index[-1] + 3
    assert panel.how_many == {"at_least_50": 20.0, "at_least_85": 20.0, "at_least_95": 20.0}
    assert "by the end of" in panel._summary.value and panel._chart.value[:4] == b"\x89PNG"
    panel.items.value = 13
    assert panel.when["within_50"] == 3 and panel.error is None
    panel.items.value = 16
    assert panel.when["within_50"] == 4


def test_agile_forecast_panel_window_and_errors():
    panel = widgets.agile_forecast_panel([0.0, 0.0, 2.0, 0.0, 0.0], 4, periods=2)
    assert panel.when["within_50"] >= 2 and "finish_50" not in panel.when
    panel.window.value = 2          # the last two periods did nothing: cannot forecast
    assert panel.error is not None and "cannot forecast" in panel.error
    assert panel.when["within_50"] >= 2  # what was shown stays
    panel.window.value = 3
    assert panel.error is None
    with pytest.raises(DataValidationError, match="cannot forecast"):
        widgets.agile_forecast_panel([0.0, 0.0])


def test_plan_panel_follows_the_engine():
    panel = widgets.plan_panel("v_model", 200, start="2027-01-04")
    plan = methodology.instantiate("v_model", "x", "2027-01-04", duration=200)
    assert panel.plan.finish == plan.finish
    assert panel.gates["due_date"].tolist() == plan.gate_dates["due_date"].tolist()
    panel.duration.value = 10       # fewer days than V-model deliverables: refused, plan kept
    assert panel.error is not None and "at least one per deliverable" in panel.error
    assert panel.plan.finish == plan.finish
    panel.template.value = "scrum"  # fewer deliverables: 10 days are enough
    assert panel.plan.template.name == "scrum" and panel.error is None
    assert panel.plan.finish == methodology.instantiate("scrum", "x", "2027-01-04",
                                                        duration=10).finish
    assert panel._chart.value[:4] == b"\x89PNG"


# ----------------------------------------------------------------------------------------
# Methodology: which approach fits?
# ----------------------------------------------------------------------------------------
def test_approach_panel_follows_its_answers():
    panel = widgets.approach_panel()
    assert isinstance(panel, ipywidgets.VBox)
    assert panel.answers == payroll_answers()
    assert panel.recommendation.approach == "waterfall" and panel.error is None
    assert "waterfall" in panel._summary.value and panel._chart.value[:4] == b"\x89PNG"
    panel.dropdowns["regulation"].value = "certified"
    panel.dropdowns["criticality"].value = "high"
    panel.dropdowns["work_pattern"].value = "hardware"
    expected = methodology.recommend_approach(panel.answers)
    assert panel.recommendation.approach == expected.approach == "v_model"
    assert expected.rationale[0] in html.unescape(panel._summary.value)
    panel.reset.click()
    assert panel.answers == payroll_answers()
    assert panel.recommendation.approach == "waterfall"


def test_approach_panel_refuses_bad_first_answers_and_keeps_the_last_good_one(monkeypatch):
    with pytest.raises(MissingDataError, match="not answered"):
        widgets.approach_panel({"regulation": "none"})
    panel = widgets.approach_panel()

    def broken(answers):
        raise PMOError("questionnaire broken")

    monkeypatch.setattr(methodology, "recommend_approach", broken)
    panel.dropdowns["requirements_stability"].value = "volatile"
    assert panel.error == "questionnaire broken" and "questionnaire broken" in panel._message.value
    assert panel.recommendation.approach == "waterfall"  # what was shown stays
    monkeypatch.undo()
    panel.dropdowns["team_size"].value = "small"
    assert panel.error is None and panel._message.value == ""
    assert panel.recommendation.approach == methodology.recommend_approach(panel.answers).approach
