"""The risk sections of the monthly report (building blocks, no kernel), hand-checked on
tests/data/mini at the February status date.

Register in February: R-1 (P1) closed; R-2 (P2) open: probability 0.5, cost impact 200,
delay 3 working days on task B1, no owner and no response strategy. EMV 0.5 x 200 = 100,
expected delay 1.5 days; scores: probability 3 (<= 50 %), impact 1 (200 and 3 days are in the
lowest bands). In January the open risk was R-1, 0.2 x 1000 = 200: exposure fell by 100.
Plans (no three-point estimates in mini, so only R-2 varies): P1 never moves; P2 (B1, 4 days
from Tue 27 Jan, 100 a day) either ends on Fri 30 Jan at 400 or, when R-2 occurs, takes 7
days to Wed 4 Feb and costs 700 + 200 = 900.
"""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from pmo_lib import plots, report, risk


@pytest.fixture
def register(mini):
    return report.risk_register(mini, "2026-02")


def test_risk_messages_hand_checked(mini, register):
    text = str(report.risk_messages(register, mini, "2026-02")).splitlines()
    assert text[0] == ("1 open risk: expected cost 100 EUR and expected delay 1.5 working days "
                       "(probability × impact, added up); 0 critical, 0 high, 0 medium, 1 low.")
    assert text[1:] == ["- Since 2026-01 the expected cost of the open risks fell by 100 EUR.",
                        "- 1 open risk without an owner: R-2.",
                        "- 1 open risk without a response strategy: R-2."]


def test_risk_table_lists_the_open_risks(register):
    styler = report.risk_table(register, "EUR")
    shown = styler.data
    assert list(shown.columns) == list(report.RISK_COLUMNS)
    assert shown["title"].tolist() == [register.loc[register["id"] == "R-2", "title"].item()]
    assert shown["emv"].tolist() == [100.0]
    html = styler.to_html()
    assert ">50%<" in html and ">100<" in html and risk.ZONE_COLOURS["green"] in html
    closed = register.assign(state="closed")
    assert str(report.risk_table(closed)) == "No open risk this month."


def test_risk_heat_maps_count_each_cell(mini, register):
    fig = report.risk_heat_maps(register, mini)
    (ax,) = [a for a in fig.axes if a.get_visible()]
    assert ax.get_title(loc="left") == "Alpha (1 open)"
    numbers = {(t.get_position()): t.get_text() for t in ax.texts}
    assert numbers == {(1, 3): "1"}          # impact 1, probability 3
    cells = {p.get_gid(): p for p in ax.patches}
    assert len(cells) == 25
    zones = risk.heat_map_zones()
    red = np.asarray(matplotlib.colors.to_rgb(risk.ZONE_COLOURS["red"]))
    assert np.allclose(cells["cell-5-5"].get_facecolor()[:3], 0.45 * red + 0.55)
    assert zones.at[5, 5] == "red"
    assert report.risk_heat_maps(register.assign(state="closed"), mini) is None
    matplotlib.pyplot.close(fig)


def test_exposure_chart_draws_the_trend(sample):
    ax = report.exposure_chart(sample, "2026-06")
    trend = risk.exposure_trend(sample, "programme")
    trend = trend[trend["month"] <= pd.Period("2026-06", "M")]
    wide = trend.pivot_table(index="month", columns="programme", values="emv", aggfunc="sum")
    stacks = ax.collections
    assert [c.get_label() for c in stacks] == list(wide.columns)
    # The top edge of the last band is the portfolio total.
    top = stacks[-1].get_paths()[0].vertices[:, 1].max()
    assert top == pytest.approx(wide.sum(axis=1).max())
    line = plots.exposure_trend(trend, value="expected_delay")
    assert list(line.get_lines()[0].get_ydata()) == pytest.approx(
        trend.groupby("month")["expected_delay"].sum().tolist())
    matplotlib.pyplot.close("all")


def test_schedule_risk_hand_checked(mini):
    plan = report.schedule_risk(mini, "2026-02", iterations=2000, seed=0)
    p1, p2 = plan.loc["P1"], plan.loc["P2"]
    assert (p1["on_time"], p1["within_budget"], p1["jcl"], p1["risks"]) == (1.0, 1.0, 1.0, 0)
    assert p1["finish_p80"] == pd.Timestamp("2026-01-26") and p1["cost_p80"] == 3000.0
    assert p2["risks"] == 1
    assert p2["on_time"] == pytest.approx(0.5, abs=0.04)   # R-2 occurs in half the runs
    assert p2["jcl"] == p2["on_time"] == p2["within_budget"]
    assert p2["finish_p80"] == pd.Timestamp("2026-02-04") and p2["cost_p80"] == 900.0
    assert list(plan.index) == ["P1", "P2"]                # by budget, largest first
    html = report.schedule_risk_table(plan, "EUR").to_html()
    assert ">04 Feb 2026<" in html and "JCL" in html


def test_schedule_risk_on_the_sample_uses_cross_project_links(sample):
    plan = report.schedule_risk(sample, "2026-10", iterations=300, seed=1)
    assert set(plan.index) == set(sample.projects["id"])
    assert (plan["finish_p80"] >= plan["finish_p50"]).all()
    assert (plan["cost_p80"] >= plan["cost_p50"]).all()
    assert (plan["jcl"] <= plan[["on_time", "within_budget"]].min(axis=1) + 1e-12).all()
