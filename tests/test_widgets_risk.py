"""Tests of the schedule and cost risk what-if (pmo_lib.widgets: risk_case, risk_what_if and
risk_panel), built headlessly.

Hand-checked on the mini fixture (tests/data/mini, Monday–Friday, holiday Mon 2026-01-19):

* P1 at 2026-01: A1 5 d (Mon 05 Jan – Fri 09 Jan, budget 1000: 200 per day) → A2 10 d (Mon
  12 Jan – Mon 26 Jan around the holiday, 2000: 200 per day) → M1 (milestone, 0); no
  three-point estimates, so the durations are fixed. Open risk R-1: probability 0.2, 5 days
  on A2 and 1000. When it occurs the project finishes 5 working days later (Mon 02 Feb) and
  costs 3000 + 1000 + 5 × 200 = 5000.
* P2 at 2026-02: B1 4 d (Tue 27 Jan – Fri 30 Jan, SNET 27 Jan, 400: 100 per day), its
  predecessor M1 in P1; open risk R-2: probability 0.5, 3 days on B1 and 200 (finish Wed 04
  Feb, cost 400 + 200 + 3 × 100 = 900). R-1 is closed at 2026-02.
"""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from pmo_lib import (
    DataValidationError,
    MissingDataError,
    PMOError,
    UnknownReferenceError,
    schedule,
    widgets,
)
from pmo_lib.calendar import WorkCalendar

# Iterations of the tests: enough for stable percentiles, few enough to be quick.
N = 2000


def _ts(text):
    return pd.Timestamp(text)


def _no_risks(case):
    return dataclasses.replace(case, risks=case.risks.iloc[0:0])


# ----------------------------------------------------------------------------------------
# The case
# ----------------------------------------------------------------------------------------
def test_risk_case_on_the_mini_fixture(mini):
    case = widgets.risk_case(mini, "2026-01", "P1")
    assert case.project == "P1" and case.month == pd.Period("2026-01", "M")
    assert case.tasks["id"].tolist() == ["A1", "A2", "M1"]
    assert case.tasks["rate"].tolist() == [200.0, 200.0, 0.0]
    assert case.tasks["fixed_cost"].tolist() == [0.0, 0.0, 0.0]
    assert list(zip(case.links["pred"], case.links["succ"], strict=True)) == [
        ("A1", "A2"), ("A2", "M1")]  # M1 -> B1 leads to another project
    assert case.release.tolist() == [0.0, 0.0, 0.0]
    assert (case.start, case.baseline_finish, case.bac) == (_ts("2026-01-05"),
                                                            _ts("2026-01-26"), 3000.0)
    assert case.risks[["id", "probability", "affected_tasks"]].to_dict("records") == [
        {"id": "R-1", "probability": 0.2, "affected_tasks": "A2"}]
    assert case.currency == "EUR" and "P1" in case.name and "2026-01" in case.name
    # At 2026-02 R-1 is closed: P1 has no open risk; P2 has R-2, and is the default.
    assert widgets.risk_case(mini, "2026-02", "P1").risks.empty
    p2 = widgets.risk_case(mini, "2026-02")
    assert p2.project == "P2" and p2.risks["id"].tolist() == ["R-2"]
    assert p2.links.empty and p2.start == _ts("2026-01-27") and p2.bac == 400.0
    # The latest month by default; at 2026-01 the only open risk is P1's.
    assert widgets.risk_case(mini).month == mini.latest_month
    assert widgets.risk_case(mini, "2026-01").project == "P1"


def test_risk_case_on_the_sample(sample):
    month = sample.latest_month
    register = sample.risk_register(month)
    live = register[register["state"] == "open"]
    exposure = (live["probability"] * live["cost_impact"]).groupby(live["project_id"]).sum()
    case = widgets.risk_case(sample)
    assert case.project == exposure.idxmax()  # the largest open exposure by default
    for pid in sample.projects["id"]:
        case = widgets.risk_case(sample, month, pid)
        ids = set(case.tasks["id"])
        assert set(case.tasks["project_id"]) == {pid}
        assert set(case.links["pred"]) <= ids and set(case.links["succ"]) <= ids
        assert case.risks["id"].tolist() == live.loc[live["project_id"] == pid, "id"].tolist()
        for affected in case.risks["affected_tasks"]:
            assert set(affected.split(";")) <= ids
        assert np.isclose(case.bac, sample.tasks.loc[sample.tasks["project_id"] == pid,
                                                     "budget"].sum())
        # Released where a predecessor in another project holds a task: at its baseline start.
        links = sample.links
        outside = set(links.loc[~links["pred"].isin(ids) & links["succ"].isin(ids), "succ"])
        released = case.tasks.loc[case.release > 0, "id"]
        assert set(released) <= outside
        # The sample's baselines are CPM schedules: the deterministic finish is the baseline.
        plan = schedule.cpm(case.tasks, case.links, calendar=case.calendar, start=case.start,
                            release=case.release)
        assert plan["finish_date"].max() == case.baseline_finish, pid
        assert np.isclose((plan["duration"] * case.tasks.set_index("id")["rate"]).sum()
                          + case.tasks["fixed_cost"].sum(), case.bac)


def test_risk_case_errors(mini):
    with pytest.raises(MissingDataError, match="no status snapshot for 2024-01"):
        widgets.risk_case(mini, "2024-01")
    with pytest.raises(DataValidationError, match="unknown project 'ZZ'; projects with tasks: "
                                                  "P1, P2"):
        widgets.risk_case(mini, "2026-02", "ZZ")


# ----------------------------------------------------------------------------------------
# The pure function
# ----------------------------------------------------------------------------------------
def test_risk_what_if_by_hand_on_the_mini_fixture(mini):
    r = widgets.risk_what_if(widgets.risk_case(mini, "2026-01", "P1"), iterations=N, seed=3)
    assert list(r) == list(widgets.RISK_WHAT_IF_KEYS)
    occurred = r["result"].finish > 15.0
    assert set(r["result"].finish) == {15.0, 20.0}  # 15 working days, or 20 with R-1
    assert set(r["result"].cost[occurred]) == {5000.0}
    assert set(r["result"].cost[~occurred]) == {3000.0}
    assert abs(occurred.mean() - 0.2) < 0.03
    assert r["on_time"] == r["within_budget"] == r["jcl"] == np.mean(~occurred)
    assert r["baseline_finish"] == r["deterministic_finish"] == r["finish_p50"] == \
        _ts("2026-01-26")
    # P80: late when R-1 occurred in more than 20 % of the iterations.
    late = occurred.mean() > 0.2
    assert r["finish_p80"] == _ts("2026-02-02" if late else "2026-01-26")
    assert r["contingency_p80"] == (5 if late else 0)
    assert (r["bac"], r["deterministic_cost"], r["cost_p50"], r["cost_p80"]) == \
        (3000.0, 3000.0, 3000.0, 5000.0 if late else 3000.0)
    assert not late  # with seed 3: 19.5 %; seed 1 (the docstring's) gives 20.5 %
    r2 = widgets.risk_what_if(widgets.risk_case(mini, "2026-02", "P2"), iterations=N, seed=3)
    assert set(r2["result"].finish) == {4.0, 7.0} and set(r2["result"].cost) == {400.0, 900.0}
    assert r2["finish_p80"] == _ts("2026-02-04") and r2["contingency_p80"] == 3


def _all_off(case):
    return {rid: 0.0 for rid in case.risks["id"]}


@pytest.mark.parametrize("project", ["ERP", "DAT", "WEB"])
def test_single_points_and_no_risks_equal_cpm(sample, project):
    case = widgets.risk_case(sample, None, project)
    r = widgets.risk_what_if(case, range_scale=0, mitigations=_all_off(case), iterations=500)
    plan = schedule.cpm(case.tasks, case.links, calendar=case.calendar, start=case.start,
                        release=case.release)
    assert np.all(r["result"].finish == plan["early_finish"].max())
    np.testing.assert_allclose(r["result"].cost, case.bac, rtol=1e-12)
    assert r["finish_p50"] == r["finish_p80"] == r["deterministic_finish"] == \
        plan["finish_date"].max() == case.baseline_finish
    assert r["contingency_p80"] == 0
    assert r["on_time"] == r["within_budget"] == r["jcl"] == 1.0
    # The same with the risks' impacts scaled to zero, or without a register.
    for other in (widgets.risk_what_if(case, range_scale=0, iterations=500,
                                       mitigations={k: (1.0, 0.0) for k in case.risks["id"]}),
                  widgets.risk_what_if(_no_risks(case), range_scale=0, iterations=500)):
        np.testing.assert_array_equal(other["result"].finish, r["result"].finish)


def test_mitigation_to_probability_zero_removes_the_risk(mini, sample):
    # One risk: probability 0 is the case without it, iteration by iteration.
    case = widgets.risk_case(mini, "2026-01", "P1")
    off = widgets.risk_what_if(case, mitigations={"R-1": 0}, iterations=N, seed=5)
    without = widgets.risk_what_if(_no_risks(case), iterations=N, seed=5)
    np.testing.assert_array_equal(off["result"].finish, without["result"].finish)
    np.testing.assert_array_equal(off["result"].cost, without["result"].cost)
    assert off["result"].risk_occurrence.to_dict() == {"R-1": 0.0}
    # Several risks: the others keep their draws (common random numbers), so the result
    # matches a register without the risk in distribution, and a zero impact exactly.
    case = widgets.risk_case(sample, None, "DAT")
    big = case.risks.assign(e=case.risks["probability"] * case.risks["schedule_impact"])
    rid = big.sort_values("e")["id"].iloc[-1]
    kw = {"iterations": 20_000, "seed": 7}
    off = widgets.risk_what_if(case, mitigations={rid: 0.0}, **kw)
    zero_impact = widgets.risk_what_if(case, mitigations={rid: (1.0, 0.0)}, **kw)
    np.testing.assert_array_equal(off["result"].finish, zero_impact["result"].finish)
    np.testing.assert_allclose(off["result"].cost, zero_impact["result"].cost)
    assert off["result"].risk_occurrence[rid] == 0.0
    removed = dataclasses.replace(case, risks=case.risks[case.risks["id"] != rid])
    without = widgets.risk_what_if(removed, **kw)
    kept = widgets.risk_what_if(case, **kw)
    # The task durations are the same draws; only the other risks' occurrences differ.
    for key, tol in (("on_time", 0.01), ("within_budget", 0.01), ("jcl", 0.01)):
        assert abs(off[key] - without[key]) < tol, key
    spread = kept["result"].percentile(90) - kept["result"].percentile(10)
    assert abs(off["result"].percentile(80) - without["result"].percentile(80)) < 0.03 * spread
    assert abs(off["cost_p80"] - without["cost_p80"]) < 0.005 * without["cost_p80"]
    # The risk mattered: without it the project finishes earlier, iteration by iteration.
    assert kept["result"].percentile(80) > off["result"].percentile(80)
    assert np.all(off["result"].finish <= kept["result"].finish)
    assert np.all(off["result"].cost <= kept["result"].cost + 1e-6)


def test_a_mitigation_never_makes_an_iteration_worse(sample):
    case = widgets.risk_case(sample, None, "ERP")
    kw = {"iterations": N, "seed": 11}
    kept = widgets.risk_what_if(case, **kw)["result"]
    previous = kept
    for p in (0.5, 0.2, 0.0):  # every risk at probability p × its own, then impact halved
        mitigations = {r["id"]: (r["probability"] * p, 0.5)
                       for _, r in case.risks.iterrows()}
        now = widgets.risk_what_if(case, mitigations=mitigations, **kw)["result"]
        assert np.all(now.finish <= previous.finish + 1e-9)
        assert np.all(now.cost <= previous.cost + 1e-6)
        previous = now
    assert previous.percentile(80) < kept.percentile(80)


def _chain(n=3):
    """n symmetric triangular tasks of 8 / 10 / 12 days in a chain, 100 per day."""
    ids = [f"T{i}" for i in range(n)]
    tasks = pd.DataFrame({"id": ids, "project_id": "X", "duration": 10.0,
                          "duration_min": 8.0, "duration_max": 12.0,
                          "distribution": "triangular", "budget": 1000.0, "rate": 100.0,
                          "fixed_cost": 0.0})
    links = pd.DataFrame({"pred": ids[:-1], "succ": ids[1:], "type": "FS", "lag": 0.0})
    risks = pd.DataFrame(columns=["id", "probability", "schedule_impact", "cost_impact",
                                  "affected_tasks"])
    start = _ts("2026-03-02")
    return widgets.RiskCase("X", "A chain", tasks, links, np.zeros(n), start, WorkCalendar(),
                            risks, WorkCalendar().offset_to_date(10 * n - 1, start),
                            1000.0 * n, pd.Period("2026-03", "M"))


def test_wider_ranges_raise_p80_on_a_chain():
    # Same seed: each duration is 10 + s (d - 10), so the finish is 30 + s (F - 30) per
    # iteration and its P80 grows linearly with s (the symmetric estimates' P80 is above 30).
    case = _chain()
    p80 = {s: widgets.risk_what_if(case, range_scale=s, iterations=N, seed=2)
           for s in (0.0, 0.5, 1.0, 1.5, 2.0)}
    finish = {s: r["result"].percentile(80) for s, r in p80.items()}
    assert finish[0.0] == 30.0 and finish[1.0] > 30.5
    for s in (0.5, 1.5, 2.0):
        assert finish[s] == pytest.approx(30 + s * (finish[1.0] - 30), abs=1e-9)
    cost = [r["cost_p80"] for r in p80.values()]
    assert cost == sorted(cost) and cost[0] == 3000.0
    on_time = [r["on_time"] for r in p80.values()]
    assert on_time[0] == 1.0 and on_time[1:] == pytest.approx([on_time[1]] * 4)  # ≈ 0.5
    assert abs(on_time[2] - 0.5) < 0.03
    # Widening lowers a minimum to 0 at most: 2 × (10 - 8) = 4 below 10 here; 6 × 2 = 12 > 10.
    low = widgets.risk_what_if(case, range_scale=6, iterations=50)
    assert low["result"].finish.min() >= 0


def test_wider_ranges_raise_p80_on_the_sample(sample):
    case = widgets.risk_case(sample, None, "ERP")
    p80 = [widgets.risk_what_if(case, range_scale=s, iterations=N, seed=1)["result"]
           .percentile(80) for s in (0.0, 0.5, 1.0, 1.5, 2.0)]
    assert p80 == sorted(p80) and p80[-1] > p80[0]


def test_risk_what_if_errors(mini):
    case = widgets.risk_case(mini, "2026-01", "P1")
    with pytest.raises(DataValidationError, match="range_scale must be a number >= 0"):
        widgets.risk_what_if(case, range_scale=-0.5)
    with pytest.raises(DataValidationError, match="range_scale"):
        widgets.risk_what_if(case, range_scale="wide")
    with pytest.raises(UnknownReferenceError,
                       match=r"ID 'R-9'.*not an open risk of P1 at 2026-01; open risks: R-1"):
        widgets.risk_what_if(case, mitigations={"R-9": 0.1})
    with pytest.raises(DataValidationError, match=r"ID 'R-1'.*in \[0, 1\], got 1.5"):
        widgets.risk_what_if(case, mitigations={"R-1": 1.5})
    with pytest.raises(DataValidationError, match="impact factor must be a number >= 0"):
        widgets.risk_what_if(case, mitigations={"R-1": (0.1, -1)})
    with pytest.raises(DataValidationError, match=r"a \(probability, impact factor\) pair"):
        widgets.risk_what_if(case, mitigations={"R-1": (0.1, 0.5, 2)})
    with pytest.raises(DataValidationError, match="must be numbers"):
        widgets.risk_what_if(case, mitigations={"R-1": "low"})
    with pytest.raises(DataValidationError, match="iterations"):
        widgets.risk_what_if(case, iterations=0)
    assert case.risks["probability"].tolist() == [0.2]  # the case is not changed


# ----------------------------------------------------------------------------------------
# The panel
# ----------------------------------------------------------------------------------------
def test_risk_panel_on_the_mini_fixture(mini):
    panel = widgets.risk_panel(mini, "2026-01", project="P1", iterations=N)  # seed 1
    expected = widgets.risk_what_if(panel.case, iterations=N, seed=1)  # R-1 in 20.5 %
    assert panel.error is None and panel.mitigations == {}
    assert list(panel.mitigate) == ["R-1"]
    assert panel.probability["R-1"].value == 0.1 and panel.impact["R-1"].value == 1.0
    assert panel.probability["R-1"].disabled
    np.testing.assert_array_equal(panel.figures["result"].finish, expected["result"].finish)
    assert panel.figures is panel.estimated
    assert "Mon 02 Feb 2026" in panel._summary.value and "+5" in panel._summary.value
    assert bytes(panel._chart.value).startswith(b"\x89PNG")
    # Mitigation on, probability 0.1 (half of 0.2): fewer late iterations.
    panel.mitigate["R-1"].value = True
    assert not panel.probability["R-1"].disabled
    assert panel.mitigations == {"R-1": (0.1, 1.0)}
    assert panel.figures["on_time"] == widgets.risk_what_if(
        panel.case, mitigations={"R-1": (0.1, 1.0)}, iterations=N, seed=1)["on_time"]
    assert panel.figures["on_time"] > panel.estimated["on_time"]
    # Probability 0: always on time and within budget.
    panel.probability["R-1"].value = 0.0
    assert (panel.figures["jcl"], panel.figures["contingency_p80"]) == (1.0, 0)
    assert panel.figures["cost_p80"] == 3000.0
    # Impact halved at probability 1: 2.5 days late and 500 + 2.5 × 200 more every time.
    panel.probability["R-1"].value = 1.0
    panel.impact["R-1"].value = 0.5
    assert set(panel.figures["result"].finish) == {17.5}
    assert set(panel.figures["result"].cost) == {4000.0}
    assert panel.figures["contingency_p80"] == 3  # 17.5 d: the third day after 26 Jan
    # Off again: back to the figures as estimated.
    panel.mitigate["R-1"].value = False
    np.testing.assert_array_equal(panel.figures["result"].finish,
                                  panel.estimated["result"].finish)
    # No open risk: a message instead of controls, the range slider still works.
    quiet = widgets.risk_panel(mini, "2026-02", project="P1", iterations=100)
    assert quiet.mitigate == {} and "No open risk for P1 at 2026-02" in _html_text(quiet)
    assert quiet.figures["jcl"] == 1.0


def _html_text(panel) -> str:
    return " ".join(getattr(w, "value", "") for w in panel.children
                    if isinstance(getattr(w, "value", None), str))


def test_risk_panel_controls_move_the_figures(sample):
    panel = widgets.risk_panel(sample, project="ERP", iterations=N, seed=1)
    case, kw = panel.case, {"iterations": N, "seed": 1}
    first_chart = panel._chart.value
    panel.range_scale.value = 2.0
    wide = widgets.risk_what_if(case, range_scale=2.0, **kw)
    assert panel.figures["finish_p80"] == wide["finish_p80"] > panel.estimated["finish_p80"]
    assert panel.figures["cost_p80"] == wide["cost_p80"] > panel.estimated["cost_p80"]
    assert f"{wide['finish_p80']:%a %d %b %Y}" in panel._summary.value
    assert bytes(panel._chart.value) != bytes(first_chart)
    # Moving the slider of a risk whose mitigation is off changes nothing.
    rid = case.risks["id"].iloc[0]
    shown = panel.figures
    panel.probability[rid].value = 0.0
    assert panel.figures is shown and panel.error is None
    # Switch every mitigation on at probability 0 and the ranges to 0: the deterministic plan.
    for r in panel.mitigate:
        panel.probability[r].value = 0.0
        panel.mitigate[r].value = True
    panel.range_scale.value = 0.0
    f = panel.figures
    assert f["finish_p80"] == f["deterministic_finish"] == case.baseline_finish
    assert f["jcl"] == 1.0 and f["contingency_p80"] == 0
    # Reset: the estimates as they are, no mitigation.
    panel.reset.click()
    assert panel.range_scale.value == 1.0 and panel.mitigations == {}
    np.testing.assert_array_equal(panel.figures["result"].finish,
                                  panel.estimated["result"].finish)


def test_risk_panel_keeps_the_last_figures_on_an_error(mini, monkeypatch):
    with pytest.raises(MissingDataError, match="no status snapshot for 2024-01"):
        widgets.risk_panel(mini, "2024-01")
    with pytest.raises(DataValidationError, match="unknown project 'ZZ'"):
        widgets.risk_panel(mini, project="ZZ")
    with pytest.raises(DataValidationError, match="iterations"):
        widgets.risk_panel(mini, "2026-01", iterations=0)
    panel = widgets.risk_panel(mini, "2026-01", project="P1", iterations=200)
    shown = panel.figures

    def broken(*args, **kwargs):
        raise PMOError("simulation broken")

    monkeypatch.setattr(widgets, "risk_what_if", broken)
    panel.mitigate["R-1"].value = True
    assert panel.error == "simulation broken" and "simulation broken" in panel._message.value
    assert panel.figures is shown
    monkeypatch.undo()
    panel.probability["R-1"].value = 0.0
    assert panel.error is None and panel._message.value == ""
    assert panel.figures["jcl"] == 1.0
