"""Cross-project dependencies: the dependency map, links at risk and the impact of a slip.

Hand-checked portfolio (built below; Mon-Fri, Good Friday 3 April 2026 a holiday). Working-day
numbers from offset 0 = Mon 2 March 2026:

    Mon 2 (0)  ... Fri 6 (4) | Mon 9 (5) ... Fri 13 (9) | Mon 16 (10) ... Fri 20 (14)
    Mon 23 (15) ... Fri 27 (19) | Mon 30 (20), Tue 31 (21), Wed 1 Apr (22), Thu 2 Apr (23),
    [Fri 3 Apr holiday], Mon 6 Apr (24), Tue 7 Apr (25)

Projects A, B and C all start on Mon 2 March. A start offset is the morning of its day, a
finish offset the morning after the last day (exclusive).

    A1 Design 5   -> A2 Build 10 -> AM Handover (milestone)
    B1 Prepare 3  -> B2 Integrate 5
    C1 Pilot 10   -> C2 Report 4 -> C3 Close 2
Cross-project links:
    L1 AM -> B2 FS+2    L2 A1 -> C1 SS+3    L3 A2 -> C2 FF    L4 B1 -> C3 FS

Baselines: A1 2-6 Mar, A2 9-20 Mar, AM 20 Mar, B1 2-4 Mar, B2 Wed 25-Tue 31 Mar (17-21),
C1 Thu 5-Wed 18 Mar (3-12), C2 Tue 24-Fri 27 Mar (16-19), C3 Mon 6-Tue 7 Apr (24-25).

Status 2026-03 (Fri 13 March; data date = offset 10, Mon 16): A1 complete 2-9 Mar (EF 6);
A2 started Tue 10 with 8 days left -> 10-18, finishes Wed 25 (17); AM at 18 = Wed 25;
B1 not started -> 10-13, finishes Wed 18 (12); B2 = max(B1 13, AM 18 + 2) = 20 -> Mon 30;
C1 started Thu 5 with 5 left -> 10-15; C2 = max(C1 15, FF: 18 - 4) = 15-19; C3 19-21.

Need dates and margins at 2026-03 (need = the successor's baseline end - lag):
    L1 FS+2  B2 starts 17: AM must finish by offset 15, i.e. day 14 Fri 20 Mar; forecast
             Wed 25 (17): margin 14 - 17 = -3 (late, across a weekend); baseline margin 0.
             B2's forecast start Mon 30 (20) is 3 working days past its baseline (17).
    L2 SS+3  C1 starts 3: A1 must start by day 0, Mon 2 Mar; it did (done), margin 0.
    L3 FF    C2 finishes 19 (exclusive 20): A2 must finish by day 19, Fri 27 Mar; forecast
             Wed 25 (17): margin 2 (at risk); baseline margin 19 - 14 = 5.
    L4 FS    C3 starts 24 (Mon 6 Apr): B1 must finish by day 23, Thu 2 Apr (Good Friday is
             off); forecast Wed 18 Mar (12): margin 11 (on track with the default 10);
             baseline margin 23 - 2 = 21.
"""

import warnings

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmo_lib import (
    DataValidationError,
    MissingDataError,
    PMOError,
    Portfolio,
    UnknownReferenceError,
    WorkCalendar,
    network,
)
from pmo_lib.network import (
    DEPENDENCY_COLUMNS,
    LINK_STATUSES,
    SlipImpact,
    dependency_map,
    impact,
    links_at_risk,
    project_dependencies,
    project_graph,
    slip_impact,
)
from pmo_lib.schedule import schedule_portfolio

D = pd.Timestamp
CAL = WorkCalendar(holidays=["2026-04-03"])


def _portfolio() -> Portfolio:
    projects = pd.DataFrame({
        "id": ["A", "B", "C"], "name": ["Alpha", "Bravo", "Charlie"],
        "programme": ["Core", "Core", "Field"], "manager": "M", "sponsor": "S",
        "methodology": "waterfall", "start_date": D("2026-03-02"), "budget": 1.0,
        "priority": 1})
    rows = [  # id, project, name, duration, baseline start, baseline finish
        ("A1", "A", "Design", 5, "2026-03-02", "2026-03-06"),
        ("A2", "A", "Build", 10, "2026-03-09", "2026-03-20"),
        ("AM", "A", "Handover", 0, "2026-03-20", "2026-03-20"),
        ("B1", "B", "Prepare", 3, "2026-03-02", "2026-03-04"),
        ("B2", "B", "Integrate", 5, "2026-03-25", "2026-03-31"),
        ("C1", "C", "Pilot", 10, "2026-03-05", "2026-03-18"),
        ("C2", "C", "Report", 4, "2026-03-24", "2026-03-27"),
        ("C3", "C", "Close", 2, "2026-04-06", "2026-04-07"),
    ]
    tasks = pd.DataFrame(rows, columns=["id", "project_id", "name", "duration",
                                        "baseline_start", "baseline_finish"])
    tasks = tasks.assign(
        duration=tasks["duration"].astype(float), wbs=tasks["id"], budget=1.0,
        baseline_start=pd.to_datetime(tasks["baseline_start"]),
        baseline_finish=pd.to_datetime(tasks["baseline_finish"]),
        milestone=tasks["duration"] == 0, constraint_type="ASAP", constraint_date=pd.NaT)
    links = pd.DataFrame([
        ("A1", "A2", "FS", 0.0), ("A2", "AM", "FS", 0.0), ("B1", "B2", "FS", 0.0),
        ("C1", "C2", "FS", 0.0), ("C2", "C3", "FS", 0.0),
        ("AM", "B2", "FS", 2.0), ("A1", "C1", "SS", 3.0), ("A2", "C2", "FF", 0.0),
        ("B1", "C3", "FS", 0.0),
    ], columns=["pred", "succ", "type", "lag"])
    status = pd.DataFrame({
        "status_date": D("2026-03-13"), "task_id": ["A1", "A2", "C1"],
        "percent_complete": [100.0, 20.0, 50.0], "actual_cost": 0.0,
        "actual_start": pd.to_datetime(["2026-03-02", "2026-03-10", "2026-03-05"]),
        "actual_finish": pd.to_datetime(["2026-03-09", None, None]),
        "remaining_duration": [0.0, 8.0, 5.0]})
    return Portfolio(projects=projects, tasks=tasks, links=links, status=status,
                     calendar=CAL, name="hand-checked")


@pytest.fixture(scope="module")
def pf():
    return _portfolio()


def _working_days(calendar: WorkCalendar, start, end) -> np.ndarray:
    """Working days from ``start`` to ``end`` (negative when ``end`` is earlier)."""
    return np.busday_count(np.asarray(start, "datetime64[D]"), np.asarray(end, "datetime64[D]"),
                           busdaycal=calendar._busdaycal)


# ---------------------------------------------------------------------------------------
# The dependency map, hand-checked
# ---------------------------------------------------------------------------------------
def test_dependency_map_hand_checked(pf):
    m = dependency_map(pf, "2026-03")
    assert list(m.columns) == list(DEPENDENCY_COLUMNS)
    assert list(zip(m["pred_task"], m["succ_task"], strict=True)) == [
        ("AM", "B2"), ("A1", "C1"), ("A2", "C2"), ("B1", "C3")]
    assert m["pred_project"].tolist() == ["A", "A", "A", "B"]
    assert m["succ_project"].tolist() == ["B", "C", "C", "C"]
    assert m["pred_name"].tolist() == ["Handover", "Design", "Build", "Prepare"]
    assert m["type"].tolist() == ["FS", "SS", "FF", "FS"]
    assert m["lag"].tolist() == [2.0, 3.0, 0.0, 0.0]
    assert m["pred_end"].tolist() == ["finish", "start", "finish", "finish"]
    assert m["succ_end"].tolist() == ["start", "start", "finish", "start"]
    assert m["pred_status"].tolist() == ["not started", "complete", "in progress",
                                         "not started"]
    assert m["pred_baseline"].tolist() == [D("2026-03-20"), D("2026-03-02"), D("2026-03-20"),
                                           D("2026-03-04")]
    assert m["pred_forecast"].tolist() == [D("2026-03-25"), D("2026-03-02"), D("2026-03-25"),
                                           D("2026-03-18")]
    assert m["need_date"].tolist() == [D("2026-03-20"), D("2026-03-02"), D("2026-03-27"),
                                       D("2026-04-02")]
    assert m["margin"].tolist() == [-3.0, 0.0, 2.0, 11.0]
    assert m["baseline_margin"].tolist() == [0.0, 0.0, 5.0, 21.0]
    assert m["succ_baseline"].tolist() == [D("2026-03-25"), D("2026-03-05"), D("2026-03-27"),
                                           D("2026-04-06")]
    assert m["succ_forecast"].tolist() == [D("2026-03-30"), D("2026-03-05"), D("2026-03-26"),
                                           D("2026-03-27")]
    assert m["succ_status"].tolist() == ["not started", "in progress", "not started",
                                         "not started"]
    # Relationship free float in the forecast: AM -> B2 drives (B2 waits 20 = 18 + 2);
    # A2 -> C2 has 19 - 18 = 1; B1 -> C3 19 - 13 = 6; C1 is started: SS slack 10 - 3 - 0.
    assert m["slack"].tolist() == [0.0, 7.0, 1.0, 6.0]
    assert m["status"].tolist() == ["late", "done", "at risk", "on track"]
    assert m.attrs == {"month": pd.Period("2026-03", "M"), "margin": 10.0,
                       "status_date": D("2026-03-13")}


def test_late_link_moves_its_successor_by_the_margin(pf):
    """L1 is 3 days late: B2 starts 3 working days past its baseline (Wed 25 -> Mon 30)."""
    m = dependency_map(pf, "2026-03").set_index("succ_task")
    moved = _working_days(CAL, m.at["B2", "succ_baseline"], m.at["B2", "succ_forecast"])
    assert moved == -m.at["B2", "margin"] == 3


def test_margin_threshold(pf):
    """At-risk is 0 <= margin <= threshold: L3 (2) is on track with 1; L4 (11) at risk with 11."""
    assert dependency_map(pf, "2026-03", margin=1)["status"].tolist() == \
        ["late", "done", "on track", "on track"]
    assert dependency_map(pf, "2026-03", margin=11)["status"].tolist() == \
        ["late", "done", "at risk", "at risk"]
    assert dependency_map(pf, "2026-03", margin=0)["status"].tolist() == \
        ["late", "done", "on track", "on track"]


def test_dependency_map_of_the_plan(pf):
    """The plan: A1 0-5, A2 5-15, AM 15, B1 0-3, C1 3-13 (SS+3). Forecast = plan dates.
    L1: AM Fri 20 vs need Fri 20: 0; L2: A1 Mon 2 vs Mon 2: 0 (not done: no progress);
    L3: A2 Fri 20 (14) vs Fri 27 (19): 5; L4: B1 Wed 4 (2) vs Thu 2 Apr (23): 21."""
    m = dependency_map(pf)
    assert m["margin"].tolist() == [0.0, 0.0, 5.0, 21.0]
    assert m["status"].tolist() == ["at risk", "at risk", "at risk", "on track"]
    assert (m["pred_status"] == "not started").all()
    assert m.attrs["month"] is None and m.attrs["status_date"] is None


def test_links_at_risk_hand_checked(pf):
    r = links_at_risk(pf, "2026-03")
    assert list(zip(r["pred_task"], r["succ_task"], r["margin"], r["status"], strict=True)) == [
        ("AM", "B2", -3.0, "late"), ("A2", "C2", 2.0, "at risk")]
    assert list(r.index) == [0, 1] and list(r.columns) == list(DEPENDENCY_COLUMNS)
    wide = links_at_risk(pf, "2026-03", margin=11)
    assert wide["pred_task"].tolist() == ["AM", "A2", "B1"]          # worst first
    assert links_at_risk(pf, "2026-03", margin=1)["pred_task"].tolist() == ["AM"]
    assert wide.attrs["margin"] == 11.0


def test_project_dependencies_hand_checked(pf):
    s = project_dependencies(pf, "2026-03")
    assert s.to_dict("list") == {
        "pred_project": ["A", "A", "B"], "succ_project": ["B", "C", "C"],
        "links": [1, 2, 1], "late": [1, 0, 0], "at_risk": [0, 1, 0], "on_track": [0, 0, 1],
        "done": [0, 1, 0], "worst_margin": [-3.0, 2.0, 11.0],
        "next_need": [D("2026-03-20"), D("2026-03-27"), D("2026-04-02")],
        "status": ["late", "at risk", "on track"]}
    # The same from a map; a pair whose links are all done has no open margin.
    table = dependency_map(pf, "2026-03")
    pd.testing.assert_frame_equal(project_dependencies(table), s)
    only_done = project_dependencies(table[table["status"] == "done"])
    assert only_done["status"].tolist() == ["done"]
    assert np.isnan(only_done.at[0, "worst_margin"]) and pd.isna(only_done.at[0, "next_need"])


def test_dependency_map_without_cross_project_links(pf):
    one = pf.select("A")
    m = dependency_map(one, "2026-03")
    assert m.empty and list(m.columns) == list(DEPENDENCY_COLUMNS)
    assert m["need_date"].dtype == "datetime64[ns]" and m["margin"].dtype == float
    assert project_dependencies(m).empty
    assert links_at_risk(one, "2026-03").empty


def test_dependency_map_mini(mini):
    """tests/data/mini at 2026-01: M1 (A2's end) is forecast Tue 27 Jan, but B1's baseline
    start is Tue 27, so M1 is needed by Mon 26: one day late. Done by 2026-02."""
    m = dependency_map(mini, "2026-01")
    assert m[["pred_task", "succ_task", "need_date", "pred_forecast", "margin", "status"]] \
        .values.tolist() == [["M1", "B1", D("2026-01-26"), D("2026-01-27"), -1.0, "late"]]
    assert dependency_map(mini, "2026-02")["status"].tolist() == ["done"]


def test_statuses_are_ordered_worst_first():
    assert LINK_STATUSES == ("late", "at risk", "on track", "done")


# ---------------------------------------------------------------------------------------
# The impact of a slip
# ---------------------------------------------------------------------------------------
def test_slip_impact_hand_checked(pf):
    """At 2026-03, 5 days on each open handover (A1 is complete: not slipped):
    A2 (8 -> 13 left): EF 23; AM 23; B2 25-30 (+5); C2 FF EF >= 23: 19-23 (+4), C3 23-25
    (+4). AM (a 5-day task at 18): B2 25-30 (+5); C untouched. B1 10-18: B2 still waits for
    AM (20), C3 for C2 (19): nothing else moves, and B's finish is B2's."""
    r = slip_impact(pf, "2026-03", days=5)
    assert isinstance(r, SlipImpact) and r.days == 5.0 and r.month == pd.Period("2026-03", "M")
    assert list(r.tasks.index) == ["A2", "AM", "B1"]
    assert r.tasks["own_slip"].to_dict() == {"A2": 5.0, "AM": 5.0, "B1": 0.0}
    assert r.tasks["other_slip"].to_dict() == {"A2": 5.0, "AM": 5.0, "B1": 0.0}
    assert r.tasks["affected_projects"].to_dict() == {"A2": ("B", "C"), "AM": ("B",),
                                                      "B1": ()}
    assert r.tasks["status"].to_dict() == {"A2": "in progress", "AM": "not started",
                                           "B1": "not started"}
    assert r.impacts[["task_id", "task_project", "project_id", "slip"]].values.tolist() == [
        ["A2", "A", "B", 5.0], ["A2", "A", "C", 4.0], ["AM", "A", "B", 5.0]]
    assert r.impacts.loc[0, "finish_before"] == D("2026-04-06")     # B2 20-25: Mon 6 Apr
    assert r.impacts.loc[0, "finish_after"] == D("2026-04-13")
    assert r.matrix.to_dict("index") == {"A": {"A": 5.0, "B": 5.0, "C": 4.0},
                                         "B": {"A": 0.0, "B": 0.0, "C": 0.0}}
    assert r.matrix.index.name == "from_project" and r.matrix.columns.name == "to_project"
    assert set(r.results) == {"A2", "AM", "B1"}


def test_slip_impact_agrees_with_impact(pf):
    r = slip_impact(pf, "2026-03", days=5, tasks="A2")
    one = impact(pf, "A2", 5, month="2026-03")
    others = one.projects.drop(index="A")
    expected = others[others["slip"] > 0]
    got = r.impacts.set_index("project_id")
    pd.testing.assert_series_equal(got["slip"], expected["slip"], check_names=False)
    pd.testing.assert_series_equal(got["finish_after"], expected["finish_after"],
                                   check_names=False)
    pd.testing.assert_frame_equal(r.results["A2"].after, one.after)


def test_slip_impact_of_the_plan_and_explicit_tasks(pf):
    """In the plan every handover is open (A1 too); its SS link to C1 hangs off its start,
    which a slip of its finish does not move: C moves through A2 -> C2 (FF) alone."""
    plan = slip_impact(pf, days=5)
    assert list(plan.tasks.index) == ["A1", "A2", "AM", "B1"]
    assert plan.month is None
    again = slip_impact(pf, days=5, tasks=["B1", "A2", "B1"])          # order kept, deduped
    assert list(again.tasks.index) == ["B1", "A2"]
    assert list(again.matrix.index) == ["A", "B"]
    zero = slip_impact(pf, "2026-03", days=0)
    assert (zero.matrix == 0).all().all() and zero.impacts.empty
    none = slip_impact(pf, "2026-03", tasks=[])
    assert none.tasks.empty and none.impacts.empty and none.matrix.empty


def test_slip_impact_of_a_complete_task_warns(pf):
    with pytest.warns(UserWarning, match=r"'A1' is complete"):
        r = slip_impact(pf, "2026-03", tasks=["A1"])
    assert r.tasks.loc["A1", "other_slip"] == 0 and r.impacts.empty


# ---------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------
def test_errors_name_what_is_wrong(pf):
    with pytest.raises(UnknownReferenceError, match=r"'A9'.*unknown task.*did you mean"):
        slip_impact(pf, "2026-03", tasks=["A2", "A9"])
    with pytest.raises(UnknownReferenceError, match=r"(?s)'X1'.*'Y2'"):
        slip_impact(pf, tasks=["X1", "Y2"])
    with pytest.raises(DataValidationError, match=r"days.*-1 is not a slip"):
        slip_impact(pf, "2026-03", days=-1)
    with pytest.raises(DataValidationError, match="not a slip"):
        slip_impact(pf, days=float("inf"))
    for call in (lambda: dependency_map(pf, "2025-01"), lambda: links_at_risk(pf, "2025-01"),
                 lambda: project_dependencies(pf, "2025-01"),
                 lambda: slip_impact(pf, "2025-01")):
        with pytest.raises(MissingDataError, match=r"no status snapshot for 2025-01.*2026-03"):
            call()
    with pytest.raises(DataValidationError, match=r"March.*YYYY-MM"):
        dependency_map(pf, "March")
    with pytest.raises(DataValidationError, match=r"margin.*-1 is not an at-risk threshold"):
        dependency_map(pf, "2026-03", margin=-1)
    with pytest.raises(DataValidationError, match="not an at-risk threshold"):
        links_at_risk(pf, "2026-03", margin="ten")
    table = dependency_map(pf, "2026-03")
    with pytest.raises(DataValidationError, match="leave them out"):
        project_dependencies(table, "2026-03")
    with pytest.raises(MissingDataError, match="'status'"):
        project_dependencies(table.drop(columns="status"))
    with pytest.raises(PMOError):
        slip_impact(pf, "2026-03", tasks="nope")


def test_module_exports():
    assert {"LINK_STATUSES", "DEPENDENCY_COLUMNS", "SlipImpact", "dependency_map",
            "links_at_risk", "project_dependencies", "slip_impact"} <= set(network.__all__)


# ---------------------------------------------------------------------------------------
# The sample portfolio
# ---------------------------------------------------------------------------------------
def test_sample_latest_month(sample):
    """2026-10: 16 cross-project links; every handover but the ERP's second test cycle is
    done. WMS ran its integration without it (out of sequence, datasets/README.md), so the
    link stays late with the successor already complete."""
    m = dependency_map(sample, sample.latest_month)
    assert len(m) == 16
    assert m["status"].value_counts().to_dict() == {"done": 15, "late": 1}
    late = links_at_risk(sample, sample.latest_month)
    assert late[["pred_task", "succ_task", "succ_status"]].values.tolist() == [
        ["ERP-0082", "WMS-0032", "complete"]]
    assert late.at[0, "margin"] < -60


@pytest.mark.parametrize("month", [None, "2025-11", "2026-01", "2026-04", "2026-07", "2026-10"])
def test_sample_invariants(sample, month):
    m = dependency_map(sample, month)
    cal = sample.calendar
    # The margins are the working days between the dates they compare.
    np.testing.assert_array_equal(m["margin"], _working_days(cal, m["pred_forecast"],
                                                             m["need_date"]))
    np.testing.assert_array_equal(m["baseline_margin"],
                                  _working_days(cal, m["pred_baseline"], m["need_date"]))
    # The forecast is the schedule's date of the predecessor's driving end.
    s = schedule_portfolio(sample, month)
    at_start = (m["pred_end"] == "start").to_numpy()
    expected = np.where(at_start, s.loc[m["pred_task"], "start_date"],
                        s.loc[m["pred_task"], "finish_date"])
    np.testing.assert_array_equal(m["pred_forecast"].to_numpy(), expected)
    assert (m["pred_end"] == np.where(m["type"].isin(["SS", "SF"])
                                      & ~s.loc[m["pred_task"], "milestone"].to_numpy(),
                                      "start", "finish")).all()
    # Statuses follow the margin, "done" the predecessor's actual dates.
    done = np.where(at_start, m["pred_status"] != "not started", m["pred_status"] == "complete")
    assert ((m["status"] == "done") == done).all()
    open_ = m[~done]
    assert ((open_["status"] == "late") == (open_["margin"] < 0)).all()
    assert ((open_["status"] == "at risk") == open_["margin"].between(0, 10)).all()
    # A late link holds its unstarted successor past its baseline: by -margin working days,
    # or one fewer when the predecessor ends part-way through its forecast day.
    late = m[(m["status"] == "late") & (m["succ_status"] == "not started")]
    moved = _working_days(cal, late["succ_baseline"], late["succ_forecast"])
    assert (moved >= -late["margin"] - 1).all()
    assert (moved[late["margin"].to_numpy() <= -2] > 0).all()
    driving = (late["slack"] == 0).to_numpy()
    assert np.isin(moved[driving] + late["margin"].to_numpy()[driving], [-1, 0]).all()
    # One row per cross-project link; the pairs are the edges of project_graph.
    graph = project_graph(sample)
    pairs = project_dependencies(m)
    assert {(p, q): n for p, q, n in pairs[["pred_project", "succ_project", "links"]]
            .itertuples(index=False)} == {(u, v): d["count"] for u, v, d in
                                          graph.edges(data=True)}
    assert pairs["links"].sum() == len(m) == 16


def test_sample_has_late_links_mid_year(sample):
    """2026-04: ERP's 'Realisation complete' is late for DAT and REG, the second test cycle
    for WMS, the plant's 'Line installed' for WMS; the CRM portal API test is at risk."""
    r = links_at_risk(sample, "2026-04")
    assert r["status"].value_counts().to_dict() == {"late": 4, "at risk": 1}
    assert r["pred_task"].tolist()[:2] == ["ERP-0044", "ERP-0044"]
    assert r["margin"].is_monotonic_increasing
    assert r.iloc[-1][["pred_task", "succ_task", "status"]].tolist() == \
        ["CRM-0062", "WEB-0066", "at risk"]


def test_sample_slip_impact_agrees_with_impact(sample):
    r = slip_impact(sample, "2026-04", days=20)
    assert list(r.tasks.index) == ["CRM-0062", "ERP-0044", "ERP-0082", "PLT-0047"]
    for task in ("ERP-0044", "PLT-0047"):
        one = impact(sample, task, 20, month="2026-04")
        own = one.before.at[task, "project_id"]
        others = one.projects.drop(index=own)
        expected = others.loc[others["slip"] > 0, "slip"].sort_values(ascending=False,
                                                                      kind="stable")
        got = r.impacts[r.impacts["task_id"] == task].set_index("project_id")["slip"]
        assert got.to_dict() == expected.to_dict()
        assert r.tasks.at[task, "own_slip"] == one.projects.at[own, "slip"]
        assert r.tasks.at[task, "other_slip"] == others["slip"].max()
    # The matrix is the largest slip over each project's handovers.
    for (src, dst), value in r.matrix.stack().items():
        tasks = r.tasks.index[r.tasks["project_id"] == src]
        assert value == max(r.results[t].projects.at[dst, "slip"] for t in tasks)
    assert r.matrix.loc["ERP", "WMS"] == 20.0
    assert ((r.impacts["slip"] > 0) & (r.impacts["slip"] <= 20)).all()


# ---------------------------------------------------------------------------------------
# Properties on random two-project networks whose baseline is their plan
# ---------------------------------------------------------------------------------------
@st.composite
def _planned_portfolio(draw):
    """Up to 10 tasks in projects P and Q (links from a lower to a higher number: a DAG; the
    first task, in P, always feeds the last, in Q), on a Mon-Fri calendar with a holiday,
    baselined on their own plan."""
    n = draw(st.integers(2, 10))
    durations = draw(st.lists(st.integers(0, 6), min_size=n, max_size=n))
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)),
                          max_size=2 * n, unique=True))
    pairs = sorted({(a, b) for a, b in pairs if a < b} | {(0, n - 1)})
    types = draw(st.lists(st.sampled_from(["FS", "SS", "FF", "SF"]), min_size=len(pairs),
                          max_size=len(pairs)))
    lags = draw(st.lists(st.integers(-2, 3), min_size=len(pairs), max_size=len(pairs)))
    owner = ["P", *draw(st.lists(st.sampled_from(["P", "Q"]), min_size=n - 2,
                                 max_size=n - 2)), "Q"]
    ids = [f"T{i:02d}" for i in range(n)]
    projects = pd.DataFrame({
        "id": ["P", "Q"], "name": ["P", "Q"], "programme": "X", "manager": "M", "sponsor": "S",
        "methodology": "waterfall", "start_date": D("2026-03-02"), "budget": 1.0,
        "priority": 1})
    tasks = pd.DataFrame({
        "id": ids, "project_id": owner, "name": ids, "wbs": ids,
        "duration": np.asarray(durations, float), "baseline_start": D("2026-03-02"),
        "baseline_finish": D("2026-03-02"), "budget": 1.0,
        "milestone": np.asarray(durations) == 0, "constraint_type": "ASAP",
        "constraint_date": pd.NaT})
    links = pd.DataFrame({"pred": [ids[a] for a, _ in pairs], "succ": [ids[b] for _, b in pairs],
                          "type": types, "lag": np.asarray(lags, float)},
                         columns=["pred", "succ", "type", "lag"])
    pf = Portfolio(projects=projects, tasks=tasks, links=links, name="random",
                   calendar=WorkCalendar(holidays=["2026-03-06"]))
    plan = schedule_portfolio(pf)
    tasks = tasks.assign(baseline_start=plan["start_date"].to_numpy(),
                         baseline_finish=plan["finish_date"].to_numpy())
    return Portfolio(projects=projects, tasks=tasks, links=links, name="random",
                     calendar=pf.calendar)


@settings(max_examples=60)
@given(pf=_planned_portfolio())
def test_margin_is_the_relationship_free_float_of_the_plan(pf):
    m = dependency_map(pf)
    owner = pf.tasks.set_index("id")["project_id"]
    cross = pf.links[pf.links["pred"].map(owner) != pf.links["succ"].map(owner)]
    assert sorted(zip(m["pred_task"], m["succ_task"], strict=True)) == \
        sorted(zip(cross["pred"], cross["succ"], strict=True))
    np.testing.assert_array_equal(m["margin"], _working_days(pf.calendar, m["pred_forecast"],
                                                             m["need_date"]))
    # Baselined on the plan, the margin is the baseline's margin and the link's slack, and
    # a plan never breaks its own links. (A milestone at offset 0, the very first morning,
    # is shown on day 0 rather than the evening before: it is left out of the comparison.)
    plan = schedule_portfolio(pf)
    at_zero = plan["milestone"] & (plan["early_finish"] == 0)
    keep = ~(m["pred_task"].map(at_zero) | m["succ_task"].map(at_zero)).to_numpy()
    np.testing.assert_array_equal(m["margin"], m["baseline_margin"])
    np.testing.assert_array_equal(m["margin"][keep], m["slack"][keep])
    assert (m["margin"][keep] >= 0).all()
    assert not m["status"].isin(["done"]).any()


@settings(max_examples=25)
@given(pf=_planned_portfolio(), days=st.integers(0, 6))
def test_slip_impact_properties(pf, days):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = slip_impact(pf, days=days)
    preds = sorted(set(dependency_map(pf)["pred_task"]))
    assert list(r.tasks.index) == preds
    assert ((r.impacts["slip"] > 0) & (r.impacts["slip"] <= days + 1e-9)).all()
    assert (r.impacts["project_id"] != r.impacts["task_project"]).all()
    graph = network.dependency_graph(pf)
    for task, row in r.tasks.iterrows():
        # Only projects downstream of the task can slip.
        reach = {graph.nodes[t]["project_id"] for t in nx.descendants(graph, task)}
        assert set(row["affected_projects"]) <= reach
        assert row["other_slip"] == max(r.results[task].projects["slip"]
                                        .drop(index=row["project_id"]).tolist() or [0.0])
    if len(r.tasks):
        assert r.matrix.max().max() <= days + 1e-9
