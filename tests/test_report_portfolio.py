"""The resources, cross-project dependencies, programme roll-up and planning-round sections
of the monthly report (building blocks, no kernel), hand-checked on small portfolios and
checked against the engines on the sample at its latest month.

tests/data/mini (calendar Mon-Fri, holiday Mon 19 Jan 2026; R1 Project Manager and R2
Developer, capacity 1 each):
  2026-02 (status date Fri 27 Feb, data date Mon 2 Mar): only B1 (R2 at 0.5) is open, from its
    actual start Mon 2 Feb to its forecast finish Tue 3 Mar. Developer: February 20 working
    days x 0.5 = 10 of 20 unit-days (50 %); March 2 days x 0.5 = 1 of 22 (1/22). Nobody is
    over-allocated, levelling moves nothing; the link M1 -> B1 is done, no handover is open.
  2026-01 (status date Fri 16 Jan, data date Tue 20 Jan): M1 is forecast on Tue 27 Jan (A2's
    6 remaining days from 20 Jan) and B1 needs it by Mon 26 Jan: margin -1, late. Slipping M1
    by 20 working days moves P1's finish (M1) and, through the FS link, B1 and P2: +20 each.
"busy" = mini + A3 (P1, 5 days, R2 at 1 unit, no links, not started), at 2026-01:
  A3 is forecast Tue 20 to Mon 26 Jan, beside A2 in progress (R2 at 1 unit to Tue 27 Jan): R2
  is asked 2 units on 5 working days, 20-26 Jan: one run, peak 2, excess 1 unit, 5 unit-days.
  Developer in January: A2 from its actual start 12 Jan to 27 Jan, 11 working days (19 Jan is
  a holiday) + A3 5 days + B1 28-30 Jan 3 x 0.5 = 17.5 of 21 unit-days (83 %, not over-booked:
  the monthly view hides the daily clash). Levelling at the priorities P1 = 1, P2 = 2: A2 is in
  progress and stays; A3 waits for R2 until Wed 28 Jan and ends Tue 3 Feb (P1 finish 27 Jan ->
  3 Feb: +5 working days); B1 (P2) then waits for A3 and runs Wed 4 to Mon 9 Feb instead of
  28 Jan to Mon 2 Feb (+5).
Planning round built in the tests (budget 400 in 2027, every cost in 2027; weights 35 %
strategic alignment, 30 % value, 20 % urgency, 15 % risk; the 1-5 criteria on their scale,
value min-max from 100 to 300):
  A value 300 cost 200, alignment 5, risk 1, urgency 3: .35 + .30 + .2 x 2/4 + .15 = 0.90
  B value 100 cost 100, 3, 3, 5, mandatory:           .35 x 2/4 + 0 + .20 + .15 x 2/4 = 0.45
  C value 200 cost 150, 4, 5, 1, excludes A:         .35 x 3/4 + .30 / 2 + 0 + 0 = 0.4125
  E value 120 cost  60, 2, 2, 2:                     .35 / 4 + .30 / 10 + .2 / 4 + .15 x 3/4 = 0.28
  D value 150 cost 100, 1, 2, 2:                     0 + .30 / 4 + .2 / 4 + .15 x 3/4 = 0.2375
  Best within 400 with B (300 left): A + D (cost 300, value 450) beats A + E (260: 420),
  C + D (250: 350), C + E, D + E; C + D + E (310) does not fit: A, B, D, worth 550 for 400.
  At 360 (-10 %, 260 left): A + E (260: 420) beats C + D (350): A, B, E worth 520 (drops D,
  adds E). At 440 (+10 %, 340 left): C + D + E (310: 470) beats A + D (450): B, C, D, E worth
  570 (drops A, adds C and E).
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pandas as pd
import pytest
from conftest import append_csv

from pmo_lib import load_portfolio, network, plots, report, resources
from pmo_lib import portfolio as pm


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def busy(tmp_path_factory):
    """mini with A3: a second full-time task for R2 beside A2 (see the module docstring)."""
    folder = tmp_path_factory.mktemp("busy") / "busy"
    shutil.copytree(Path(__file__).parent / "data" / "mini", folder)
    append_csv(folder, "tasks", id="A3", project_id="P1", name="Test", wbs="1.4", duration=5,
               baseline_start="2026-01-12", baseline_finish="2026-01-16", budget=500,
               milestone="false")
    append_csv(folder, "assignments", task_id="A3", resource_id="R2", units=1)
    return load_portfolio(folder)


def _candidates(**changes) -> pd.DataFrame:
    table = pd.DataFrame({
        "id": ["A", "B", "C", "D", "E"],
        "name": ["Alpha", "Beta", "Gamma", "Delta", "Epsilon"],
        "value": [300.0, 100.0, 200.0, 150.0, 120.0],
        "cost": [200.0, 100.0, 150.0, 100.0, 60.0],
        "strategic_alignment": [5, 3, 4, 1, 2], "risk": [1, 3, 5, 2, 2],
        "urgency": [3, 5, 1, 2, 2],
        "mandatory": [False, True, False, False, False],
        "requires": ["", "", "", "", ""], "excludes": ["", "", "A", "", ""]})
    return table.assign(**changes)


def _round(pf, candidates: pd.DataFrame, budget: float = 400.0):
    """``pf`` with a planning round: ``candidates``, every cost in 2027, one 2027 budget."""
    costs = pd.DataFrame({"candidate_id": candidates["id"], "year": 2027,
                          "cost": candidates["cost"]})
    return dataclasses.replace(pf, candidates=candidates, candidate_costs=costs,
                               planning_budget=pd.DataFrame({"year": [2027],
                                                             "budget": [budget]}))


def _text(block) -> list[str]:
    return str(block).splitlines()


# ----------------------------------------------------------------------------------------
# Resources
# ----------------------------------------------------------------------------------------
def test_resource_loading_hand_checked(mini, busy):
    load = report.resource_loading(mini, "2026-02")
    assert list(load.utilisation.index.astype(str)) == ["2026-02", "2026-03"]
    assert load.demand["Developer"].tolist() == [10.0, 1.0]
    assert load.capacity["Developer"].tolist() == [20.0, 22.0]
    assert load.utilisation["Developer"].tolist() == pytest.approx([0.5, 1 / 22], rel=1e-12)
    assert (load.utilisation["Project Manager"] == 0).all()
    jan = report.resource_loading(busy, "2026-01")
    assert jan.demand.loc["2026-01", "Developer"] == 17.5
    assert jan.utilisation.loc["2026-01", "Developer"] == pytest.approx(17.5 / 21, rel=1e-12)
    # the months shown stop at the last month with demand (February), and at ``months``
    assert len(report.resource_loading(busy, "2026-01", months=1).demand) == 1


def test_resource_loading_equals_the_engine_on_the_sample(sample):
    month = sample.latest_month
    load = report.resource_loading(sample, month)
    full = resources.portfolio_loading(sample, month, freq="M", by="role")
    assert load.utilisation.index[0] == month
    # a year ahead: the sample's work runs to Nov 2027, the window stops in Sep 2027
    assert report.RESOURCE_MONTHS == 12
    assert load.utilisation.index[-1] == pd.Period("2027-09", "M") < full.demand.index[-1]
    last = load.utilisation.index[-1]
    pd.testing.assert_frame_equal(load.demand, full.demand.loc[month:last], check_freq=False)
    pd.testing.assert_frame_equal(load.utilisation, full.utilisation.loc[month:last],
                                  check_freq=False)
    ax = report.utilisation_chart(load)
    cells = [p for p in ax.patches if str(p.get_gid()).startswith("cell-")]
    assert len(cells) == load.utilisation.size
    texts = {t.get_gid(): t.get_text() for t in ax.texts if t.get_gid()}
    worst = load.utilisation.stack().idxmax()           # (month, role)
    assert texts[f"value-{worst[1]}-{worst[0]}"] == f"{load.utilisation.loc[worst]:.0%}"


def test_overallocation_runs_hand_checked(mini, busy):
    assert report.overallocation_runs(mini, "2026-02").empty
    assert str(report.overallocation_table(report.overallocation_runs(mini, "2026-02"))) == \
        "No resource is over-allocated in the remaining work."
    runs = report.overallocation_runs(busy, "2026-01")
    assert runs.attrs["data_date"] == pd.Timestamp("2026-01-20")
    assert len(runs) == 1
    run = runs.iloc[0]
    assert (run["resource_id"], run["resource_name"], run["role"]) == ("R2", "Raj", "Developer")
    assert (run["start"], run["finish"]) == (pd.Timestamp("2026-01-20"),
                                             pd.Timestamp("2026-01-26"))
    assert (run["working_days"], run["peak_demand"], run["capacity"], run["excess"],
            run["excess_days"]) == (5, 2.0, 1.0, 1.0, 5.0)
    assert (run["tasks"], run["projects"]) == ("A2;A3", "P1")
    styler = report.overallocation_table(runs)
    assert list(styler.data.columns) == list(report.OVERALLOCATION_COLUMNS)
    html = styler.to_html()
    for text in (">20 Jan 2026<", ">26 Jan 2026<", ">A2, A3<", "Excess [unit-days]"):
        assert text in html, text


def test_overallocation_runs_on_the_sample(sample):
    month = sample.latest_month
    runs = report.overallocation_runs(sample, month)
    data_date = runs.attrs["data_date"]
    assert data_date == pd.Timestamp("2026-11-02")      # Fri 30 Oct 2026 is the status date
    assert (runs["start"] >= data_date).all()
    assert runs["excess_days"].is_monotonic_decreasing
    # From the data date on, the daily demand is the forecast's: the excess re-added by hand.
    daily = resources.portfolio_loading(sample, month, freq="D", by="resource_id").demand
    days = daily.index.to_timestamp()
    for r in runs.head(5).itertuples():
        inside = (days >= r.start) & (days <= r.finish)
        load = daily.loc[inside, r.resource_id]
        assert r.peak_demand == load.max()
        assert r.excess_days == pytest.approx((load - r.capacity).clip(lower=0).sum())
        assert r.excess <= r.excess_days <= r.excess * r.working_days
    top = runs.iloc[0]
    assert (top["resource_id"], top["role"]) == ("R30", "Consultant")
    projects = set(top["projects"].split(", "))
    assert projects == {t.split("-")[0] for t in top["tasks"].split(";")}


def test_levelling_hand_checked(mini, busy):
    calm = report.levelling_impact(mini, "2026-02")
    assert calm["slip"].tolist() == [0, 0]
    lev = report.levelling_impact(busy, "2026-01")
    assert lev.attrs["schedules"] == report.LEVELLING_SCHEDULES
    assert lev["finish"].tolist() == [pd.Timestamp("2026-01-27"), pd.Timestamp("2026-02-02")]
    assert lev["levelled_finish"].tolist() == [pd.Timestamp("2026-02-03"),
                                               pd.Timestamp("2026-02-09")]
    assert lev["slip"].tolist() == [5, 5]
    assert lev["reason"].tolist() == [
        "R2 Developer over-booked by A2 (in progress, priority 1 P1), delaying A3",
        "R2 Developer over-booked by A3 (priority 1 P1 first), delaying B1"]
    html = report.levelling_table(lev).to_html()
    for text in (">03 Feb 2026<", ">09 Feb 2026<", ">+5<", "Levelled finish", "#c62828"):
        assert text in html, text


def test_resource_messages_hand_checked(mini, busy):
    text = _text(report.resource_messages(report.resource_loading(busy, "2026-01"),
                                          report.overallocation_runs(busy, "2026-01"),
                                          report.levelling_impact(busy, "2026-01")))
    assert text == [
        "- **Roles: none is over-booked** from Jan 2026 to Feb 2026: every role's monthly "
        "demand fits its capacity.",
        "- **Over-allocations: 1 run of working days on which a resource is over-booked.** The "
        "largest: R2 Raj, Developer, from 20 Jan 2026 to 26 Jan 2026: up to 2 units a day for a "
        "capacity of 1, 5 unit-days too many, from P1 (A2, A3).",
        "- **Levelling at the current priorities would move the finish of 2 of 2 projects:** "
        "Build (priority 1) by 5 working days: R2 Developer over-booked by A2 (in progress, "
        "priority 1 P1), delaying A3; Deploy (priority 2) by 5 working days: R2 Developer "
        "over-booked by A3 (priority 1 P1 first), delaying B1."]
    calm = _text(report.resource_messages(report.resource_loading(mini, "2026-02"),
                                          report.overallocation_runs(mini, "2026-02"),
                                          report.levelling_impact(mini, "2026-02")))
    assert calm[1:] == ["- **Over-allocations: none.** Every resource's remaining work fits "
                        "its capacity day by day.",
                        "- **Levelling at the current priorities would not move any project's "
                        "finish.**"]


def test_over_booked_roles_by_hand():
    """Dev: 30, 10, 0 unit-days of 20 (150 %, 50 %, 0 %); QA: 25, 25, 5 of 20 (125 % twice)."""
    months = pd.period_range("2026-03", periods=3, freq="M", name="period")
    demand = pd.DataFrame({"Dev": [30.0, 10.0, 0.0], "QA": [25.0, 25.0, 5.0]}, index=months)
    cap = pd.DataFrame(20.0, index=months, columns=["Dev", "QA"])
    load = resources.Loading(demand=demand, capacity=cap,
                             utilisation=resources.utilisation(demand, cap), freq="M", by="role")
    no_runs = pd.DataFrame(columns=["resource_id"])
    assert _text(report.resource_messages(load, no_runs))[0] == (
        "- **Roles: 2 of 2 are over-booked** in at least one month from Mar 2026 to May 2026: "
        "Dev in 1 month (Mar 2026), worst Mar 2026 at 150% (30 unit-days for a capacity of "
        "20); QA in 2 months (Mar 2026 to Apr 2026), worst Mar 2026 at 125% (25 unit-days for "
        "a capacity of 20).")


def test_resource_blocks_on_the_sample(sample):
    month = sample.latest_month
    lev = report.levelling_impact(sample, month)
    with pytest.warns(UserWarning):  # the sample's over-booked in-progress tasks, ...
        engine = resources.level_portfolio(sample, month,
                                           schedules=report.LEVELLING_SCHEDULES, seed=0).projects
    pd.testing.assert_frame_equal(lev, engine)
    assert (lev["slip"] >= 0).all()
    assert (lev.loc[lev["slip"] > 0, "reason"] != "").all()
    assert lev.attrs["warnings"]                         # the sample's part-time analyst, ...
    text = str(report.resource_messages(report.resource_loading(sample, month),
                                        report.overallocation_runs(sample, month), lev))
    moved = int((lev["slip"] > 0).sum())
    assert f"would move the finish of {moved} of {len(lev)} projects" in text
    worst = lev.sort_values("slip", ascending=False).iloc[0]
    assert f"{worst['name']} (priority {worst['priority']}) by {worst['slip']} working days" \
        in text
    assert "Trainer" in text and "R30 Integrator consultants (Avanto), Consultant" in text


# ----------------------------------------------------------------------------------------
# Cross-project dependencies
# ----------------------------------------------------------------------------------------
def test_dependency_blocks_hand_checked(mini):
    links = report.dependencies(mini, "2026-01")
    handovers = report.handover_slips(mini, "2026-01")
    assert handovers.index.tolist() == ["M1"]
    assert (handovers.at["M1", "own_slip"], handovers.at["M1", "moves"]) == (20.0, "P2 +20 d")
    assert _text(report.dependency_messages(links, handovers)) == [
        "- **Cross-project links: 1 link between 1 pair of projects;** 1 late, 0 at risk, 0 on "
        "track, 0 done. Late: M1 (P1) → B1 (P2): forecast 27 Jan 2026, needed by 26 Jan 2026, "
        "margin -1 d.",
        "- **A slip of 20 working days of the open handover M1 (P1)** would move P2 +20 d."]
    styler = report.links_table(links)
    assert list(styler.data.columns) == list(report.LINK_COLUMNS)
    html = styler.to_html()
    for text in (">M1<", ">B1<", ">26 Jan 2026<", ">27 Jan 2026<", ">-1<", ">late<",
                 plots.DEPENDENCY_COLOURS["late"]):
        assert text in html, text
    html = report.handover_table(handovers).to_html()
    assert ">P2 +20 d<" in html and ">+20 d<" in html
    ax = report.dependency_chart(links, mini)
    assert {p.get_gid() for p in ax.patches if p.get_gid()} == {"P1->P2"}


def test_dependency_blocks_when_nothing_is_open(mini):
    links = report.dependencies(mini, "2026-02")
    handovers = report.handover_slips(mini, "2026-02")
    assert handovers.empty
    assert _text(report.dependency_messages(links, handovers)) == [
        "- **Cross-project links: 1 link between 1 pair of projects;** 0 late, 0 at risk, 0 on "
        "track, 1 done.",
        "- **Open handovers: none**; every cross-project delivery is complete."]
    assert str(report.links_table(links)) == "No cross-project link is late or at risk."
    assert str(report.handover_table(handovers)) == "No cross-project handover is still open."
    alone = mini.select("P1")                            # no cross-project link at all
    none = report.dependencies(alone, "2026-02")
    assert report.dependency_chart(none, alone) is None
    assert str(report.links_table(none)) == \
        "The projects of this portfolio have no cross-project links."
    assert _text(report.dependency_messages(none)) == [
        "- **Cross-project links: none.** No project waits on another."]


def test_dependency_blocks_on_the_sample(sample):
    month = sample.latest_month
    links = report.dependencies(sample, month)
    pd.testing.assert_frame_equal(links, network.dependency_map(sample, month, margin=10.0))
    late = links[links["status"] == "late"]
    assert late[["pred_task", "succ_task"]].values.tolist() == [["ERP-0082", "WMS-0032"]]
    row = late.iloc[0]
    assert (row["margin"], row["need_date"], row["pred_forecast"]) == (
        -108.0, pd.Timestamp("2026-09-10"), pd.Timestamp("2027-02-11"))
    table = report.links_table(links)
    assert table.data["pred_task"].tolist() == ["ERP-0082"]
    html = table.to_html()
    assert ">-108<" in html and ">10 Sep 2026<" in html and ">11 Feb 2027<" in html
    handovers = report.handover_slips(sample, month)
    engine = network.slip_impact(sample, month, days=report.HANDOVER_SLIP)
    assert handovers.index.tolist() == engine.tasks.index.tolist() == ["ERP-0082"]
    assert handovers["own_slip"].tolist() == engine.tasks["own_slip"].tolist()
    text = str(report.dependency_messages(links, handovers))
    assert "16 links between 14 pairs of projects;** 1 late, 0 at risk, 0 on track, 15 done" \
        in text
    assert "ERP-0082 (ERP) → WMS-0032 (WMS): forecast 11 Feb 2027, needed by 10 Sep 2026, " \
        "margin -108 d." in text
    own = engine.tasks.at["ERP-0082", "own_slip"]
    if engine.impacts.empty:   # float absorbs the whole slip before it reaches WMS
        assert f"would move no other project (its own project by up to {own:g} working " \
            "days): float absorbs it." in text
    ax = report.dependency_chart(links, sample)
    assert "ERP->WMS" in {p.get_gid() for p in ax.patches}


# ----------------------------------------------------------------------------------------
# Programme roll-up
# ----------------------------------------------------------------------------------------
def test_rollup_table(mini, sample):
    roll = report.programme_rollup(mini, "2026-02", report.REPORT_THRESHOLDS)
    pd.testing.assert_frame_equal(roll, pm.rollup(mini, "2026-02",
                                                  thresholds=report.REPORT_THRESHOLDS))
    html = report.rollup_table(roll, "EUR").to_html()
    # mini: BAC 3,400 = 3 k; worst slip P2 +22; one open risk of EMV 100 (0 k)
    for text in (">Alpha<", ">Portfolio<", ">3<", ">+22<", "Peak role load",
                 "Amounts in thousands of EUR"):
        assert text in html, text
    big = report.programme_rollup(sample, sample.latest_month, report.REPORT_THRESHOLDS)
    html = report.rollup_table(big, sample.currency).to_html()
    for name in sample.projects["programme"].unique():
        assert f">{name}<" in html, name
    peak = big.loc["Total"]
    assert f"{peak['peak_utilisation']:.0%} {peak['peak_role']}, " \
        f"{pd.Period(peak['peak_month'], 'M'):%b %Y}" in html


# ----------------------------------------------------------------------------------------
# Planning round
# ----------------------------------------------------------------------------------------
def test_candidate_ranking_hand_checked(mini):
    ranking = report.candidate_ranking(_round(mini, _candidates()))
    assert ranking.index.tolist() == ["A", "B", "C", "E", "D"]
    assert ranking["score"].tolist() == pytest.approx([0.90, 0.45, 0.4125, 0.28, 0.2375],
                                                      abs=1e-12)
    assert ranking["rank"].tolist() == [1, 2, 3, 4, 5]
    assert ranking.loc["A", ["strategic_alignment_contribution", "value_contribution",
                             "urgency_contribution", "risk_contribution"]].tolist() == \
        pytest.approx([0.35, 0.30, 0.10, 0.15])
    assert ranking.attrs["weights"].to_dict() == pytest.approx(report.PORTFOLIO_WEIGHTS)
    assert ranking["selected"].to_dict() == {"A": True, "B": True, "C": False, "E": False,
                                             "D": True}
    assert ranking.loc["C", "reason"].startswith("excluded by A")
    assert ranking.loc["E", "reason"] == "does not fit the 2027 budget (needs 60, 0 left)"
    selection = ranking.attrs["selection"]
    assert (selection.value, selection.cost, selection.slack) == (550.0, 400.0, 0.0)
    frontier = ranking.attrs["frontier"]
    assert frontier["budget"].tolist() == pytest.approx([360.0, 400.0, 440.0])
    assert frontier["value"].tolist() == [520.0, 550.0, 570.0]
    assert frontier["chosen"].tolist() == [("A", "B", "E"), ("A", "B", "D"),
                                           ("B", "C", "D", "E")]
    assert _text(report.selection_messages(ranking, "EUR")) == [
        "- **Ranking: 5 candidates**, led by Alpha (A) with a score of 90 out of 100, then "
        "Beta (B), Gamma (C).",
        "- **Recommended: 3 of 5 candidates (A, B, D), worth 550 EUR for 400 EUR** within the "
        "2027 budget of 400 EUR (0 EUR left). Mandatory, so funded first: B.",
        "- **Not funded: 2.** The best ranked: Gamma (C), rank 3: excluded by A; Epsilon (E), "
        "rank 4: does not fit the 2027 budget (needs 60, 0 left).",
        "- **Efficient frontier:** with 10% less budget the best selection is worth 520 EUR "
        "(−30 EUR; drops D, adds E); with 10% more budget the best selection is worth 570 EUR "
        "(+20 EUR; drops A, adds C, E)."]
    styler = report.ranking_table(ranking, "EUR")
    headers = [h for h in re.findall(r'class="col_heading[^"]*" >([^<]+)<', styler.to_html())]
    assert headers == ["Rank", "Candidate", "Mandatory", "Strategic alignment (35%)",
                       "Value (30%)", "Urgency (20%)", "Risk (15%)", "Score", "Value", "Cost",
                       "Recommendation", "Why not"]
    assert styler.data["score"].round(6).tolist() == [90.0, 45.0, 41.25, 28.0, 23.75]
    html = styler.to_html()
    assert ">not selected<" in html and ">yes<" in html
    assert f">{ranking.loc['C', 'reason']}<" in html and ">–<" in html


def test_candidate_ranking_weights_and_wsjf(mini):
    # Without urgency the other weights are rescaled: 0.35, 0.30, 0.15 of 0.80.
    table = _candidates().drop(columns="urgency").assign(
        business_value=[8, 3, 5, 2, 1], time_criticality=[5, 2, 3, 1, 1],
        risk_reduction=[2, 1, 1, 1, 1], job_size=[5, 2, 3, 2, 1])
    ranking = report.candidate_ranking(_round(mini, table))
    assert ranking.attrs["weights"].to_dict() == pytest.approx(
        {"strategic_alignment": 0.35 / 0.8, "value": 0.30 / 0.8, "risk": 0.15 / 0.8})
    assert ranking["wsjf"].to_dict() == pytest.approx({"A": 3.0, "B": 3.0, "C": 3.0, "D": 2.0,
                                                       "E": 3.0})
    assert "WSJF" in report.ranking_table(ranking).to_html()
    custom = report.candidate_ranking(_round(mini, _candidates()), weights={"value": 1})
    assert custom.index[:2].tolist() == ["A", "C"]         # by value alone: 300, 200, ...


def test_candidate_ranking_when_nothing_fits(mini):
    ranking = report.candidate_ranking(_round(mini, _candidates(), budget=50.0))
    assert ranking.attrs["selection"] is None and not ranking["selected"].any()
    text = _text(report.selection_messages(ranking))
    assert text[1].startswith("- **No selection meets the constraints:** ")
    assert "B" in text[1]                                  # the mandatory candidate


def test_no_candidates(mini):
    ranking = report.candidate_ranking(mini)
    assert ranking.empty and ranking.attrs["selection"] is None
    assert str(report.selection_messages(ranking)) == (
        "This portfolio has no planning round: there is no candidates table (candidates.csv) "
        "to rank.")
    assert str(report.ranking_table(ranking)) == "" and report.ranking_table(ranking).html == ""


def test_candidate_ranking_on_the_sample(sample):
    ranking = report.candidate_ranking(sample)
    weights = dict(report.PORTFOLIO_WEIGHTS)
    scored = pm.score(sample.candidates, weights,
                      scales={c: (1, 5) for c in ("strategic_alignment", "risk", "urgency")})
    assert ranking.index.tolist() == scored["id"].tolist()
    np.testing.assert_allclose(ranking["score"], scored["score"], rtol=1e-12)
    selection = pm.select(**sample.planning_round())
    assert tuple(sorted(ranking.index[ranking["selected"]])) == tuple(sorted(selection.chosen))
    assert ranking.attrs["selection"].value == selection.value
    assert ranking.attrs["frontier"]["value"].iloc[1] == selection.value
    must = ranking.index[ranking["mandatory"]].tolist()
    assert must and ranking.loc[must, "selected"].all()
    assert int(ranking.loc[["CPQ", "CFG"], "selected"].sum()) == 1     # they exclude each other
    text = str(report.selection_messages(ranking, sample.currency))
    assert f"Mandatory, so funded first: {', '.join(must)}." in text
    assert "Efficient frontier:" in text and "within the 2027–2029 budgets" in text
    html = report.ranking_table(ranking, sample.currency).to_html()
    assert html.count(">selected<") == len(selection.chosen)
    assert "WSJF" in html


# ----------------------------------------------------------------------------------------
# Glossary and notebook
# ----------------------------------------------------------------------------------------
def test_glossary_has_the_new_terms():
    text = str(report.glossary())
    for term in ("Utilisation", "Over-allocation", "Unit-day", "Levelling", "Need date",
                 "Margin", "Handover", "Efficient frontier", "WSJF", "Weighted score"):
        assert f"\n{term}: " in text, term


#: Titles of the sections this part adds, in order, before "What the colours mean".
SECTIONS = ("Programmes at a glance", "Resources: who is over-booked?",
            "What levelling would do", "Cross-project dependencies",
            "Portfolio ranking: the next planning round")


def test_notebook_sections_in_order():
    nb = nbformat.read(report.REPORT_NOTEBOOK, as_version=4)
    titles = [c.source.splitlines()[0].lstrip("# ") for c in nb.cells
              if c.cell_type == "markdown" and c.source.startswith("#")]
    at = [titles.index(t) for t in SECTIONS]
    assert at == sorted(at) and at[-1] < titles.index("What the colours mean")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for name in ("resource_loading", "overallocation_runs", "levelling_impact", "dependencies",
                 "handover_slips", "programme_rollup", "candidate_ranking", "utilisation_chart",
                 "overallocation_table", "levelling_table", "resource_messages",
                 "dependency_chart", "links_table", "handover_table", "dependency_messages",
                 "rollup_table", "ranking_table", "selection_messages"):
        assert f"report.{name}(" in code, name


def test_blocks_without_resources(mini):
    """A portfolio without resources.csv and assignments.csv: every block still answers."""
    from pmo_lib.model import SCHEMAS

    bare = dataclasses.replace(mini, resources=SCHEMAS["resources"].empty(),
                               assignments=SCHEMAS["assignments"].empty())
    load = report.resource_loading(bare, "2026-01")
    runs = report.overallocation_runs(bare, "2026-01")
    lev = report.levelling_impact(bare, "2026-01")
    assert load.utilisation.empty and runs.empty and (lev["slip"] == 0).all()
    assert _text(report.resource_messages(load, runs, lev))[0] == \
        "- **Roles: no resource loading to show** (no resources or no remaining work)."
    ax = report.utilisation_chart(load)
    assert [t.get_text() for t in ax.texts] == ["No resource loading to show"]
    roll = report.programme_rollup(bare, "2026-01")
    assert "–" in report.rollup_table(roll).to_html()      # no peak role load
