"""Risk register analytics: hand-checked scores, heat map, top N, trend, flags, bad input.

Hand computation with the default scales (probability bands ≤ .10/.30/.50/.70; cost
≤ 10k/50k/100k/250k; schedule ≤ 5/10/20/40 d; ratings low ≤ 3, medium ≤ 6, high ≤ 12):

tests/data/mini/risks.csv
  R-1 @ 2026-01-16, P1, open:   p 0.2 -> 2; cost 1000 -> 1, delay 5 d -> 1 (edge inclusive);
                                impact 1; score 2 low green; EMV 200; expected delay 1.0 d.
  R-1 @ 2026-02-27, P1, closed: p 0.1 -> 1 (edge); score 1; EMV 100; expected delay 0.5 d.
  R-2 @ 2026-02-27, P2, open:   p 0.5 -> 3 (edge); cost 200 -> 1, delay 3 -> 1; score 3 low;
                                EMV 100; expected delay 1.5 d. No owner, no strategy.
Relative basis (PMBOK 4th ed. Fig. 11-5 bands): P1 budget 3300, baseline 5–26 Jan 2026 =
15 working days (holiday on 19 Jan); P2 budget 500, 27–30 Jan = 4 working days.
  R-1 Jan: cost 1000/3300 = 0.303 -> 4 (≤ 0.40); delay 5/15 = 0.333 -> 5 (> 0.20); impact 5;
           score 2 × 5 = 10 high (amber).
  R-2 Feb: cost 200/500 = 0.40 -> 4 (edge); delay 3/4 = 0.75 -> 5; impact 5; score 3 × 5 = 15
           critical (red).
"""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pmo_lib import DataValidationError, MissingDataError, UnknownReferenceError, risk
from pmo_lib.model import RISK_STATES


def register(**columns):
    """A one-snapshot register built by hand; columns override the defaults, row-wise."""
    n = len(next(iter(columns.values()))) if columns else 1
    base = {"status_date": ["2026-01-16"] * n, "id": [f"R-{i + 1}" for i in range(n)],
            "project_id": ["P1"] * n, "probability": [0.5] * n, "cost_impact": [1000.0] * n,
            "schedule_impact": [5.0] * n, "state": ["open"] * n}
    base.update(columns)
    return pd.DataFrame(base)


# ----------------------------------------------------------------------------------------
# Scales
# ----------------------------------------------------------------------------------------
def test_bands_have_inclusive_upper_edges():
    s = risk.RiskScales()
    assert s.probability_score([0, 0.1, 0.1001, 0.3, 0.5, 0.7, 0.71, 1]).tolist() == \
        [1, 1, 2, 2, 3, 4, 5, 5]
    assert s.cost_score([0, 10_000, 10_001, 50_000, 100_000, 250_000, 250_001]).tolist() == \
        [1, 1, 2, 2, 3, 4, 5]
    assert s.schedule_score([0, 5, 6, 10, 20, 40, 41]).tolist() == [1, 1, 2, 2, 3, 4, 5]
    assert s.rating([1, 3, 4, 6, 8, 12, 15, 25]).tolist() == \
        ["low", "low", "medium", "medium", "high", "high", "critical", "critical"]
    rel = risk.RiskScales(basis="relative")
    assert rel.cost_score([0.01, 0.1, 0.2, 0.4, 0.41]).tolist() == [1, 2, 3, 4, 5]
    assert rel.schedule_score([0.01, 0.05, 0.1, 0.2, 0.21]).tolist() == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("kwargs, match", [
    ({"basis": "percent"}, "unknown basis 'percent'; use one of 'absolute', 'relative'"),
    ({"probability_edges": (0.1, 0.3, 0.5)}, "probability_edges.*needs 4 increasing"),
    ({"probability_edges": (0.1, 0.3, 0.5, 1.0)}, "below 1"),
    ({"cost_edges": (10, 5, 20, 30)}, "cost_edges.*increasing"),
    ({"schedule_edges": (-1, 5, 10, 20)}, "schedule_edges.*non-negative"),
    ({"schedule_edges": "abcd"}, "schedule_edges"),
    ({"rating_edges": (0.5, 6, 12)}, "the low band must hold the score 1"),
    ({"rating_edges": (3, 6, 25)}, "rating_edges.*below 25"),
])
def test_bad_scales(kwargs, match):
    with pytest.raises(DataValidationError, match=match):
        risk.RiskScales(**kwargs)


def test_scales_are_frozen_and_normalised():
    s = risk.RiskScales(cost_edges=[1, 2, 3, 4])
    assert s.cost_edges == (1.0, 2.0, 3.0, 4.0)
    with pytest.raises(AttributeError):
        s.basis = "relative"


# ----------------------------------------------------------------------------------------
# Scores
# ----------------------------------------------------------------------------------------
def test_score_hand_checked():
    reg = register(probability=[0.05, 0.3, 0.65, 0.9, 0.0],
                   cost_impact=[5_000, 60_000, 120_000, 300_000, 0],
                   schedule_impact=[25, 5, 0, 12, 50])
    s = score_cols(risk.score(reg))
    expected = pd.DataFrame({
        # p 0.05 -> 1; cost 5k -> 1, 25 d -> 4; impact 4; 4 -> medium
        # p 0.30 -> 2; cost 60k -> 3, 5 d -> 1; impact 3; 6 -> medium
        # p 0.65 -> 4; cost 120k -> 4, 0 d -> 1; impact 4; 16 -> critical
        # p 0.90 -> 5; cost 300k -> 5, 12 d -> 3; impact 5; 25 -> critical
        # p 0    -> 1; cost 0 -> 1, 50 d -> 5; impact 5; 5 -> medium
        "probability_score": [1, 2, 4, 5, 1],
        "cost_score": [1, 3, 4, 5, 1],
        "schedule_score": [4, 1, 1, 3, 5],
        "impact_score": [4, 3, 4, 5, 5],
        "score": [4, 6, 16, 25, 5],
        "rating": ["medium", "medium", "critical", "critical", "medium"],
        "zone": ["amber", "amber", "red", "red", "amber"],
        "emv": [250.0, 18_000.0, 78_000.0, 270_000.0, 0.0],
        "expected_delay": [1.25, 1.5, 0.0, 10.8, 0.0],
    })
    pd.testing.assert_frame_equal(s, expected, check_dtype=False, rtol=1e-12)
    assert s["score"].dtype == np.int64


SCORE_COLUMNS = ["probability_score", "cost_score", "schedule_score", "impact_score", "score",
                 "rating", "zone", "emv", "expected_delay"]


def score_cols(df):
    return df[SCORE_COLUMNS].reset_index(drop=True)


def test_score_mini_absolute(mini):
    s = risk.score(mini.risks, portfolio=mini).set_index(["id", "status_date"])
    r1_jan = s.loc[("R-1", pd.Timestamp("2026-01-16"))]
    assert (r1_jan["probability_score"], r1_jan["impact_score"], r1_jan["score"]) == (2, 1, 2)
    assert (r1_jan["rating"], r1_jan["zone"]) == ("low", "green")
    assert r1_jan["emv"] == pytest.approx(200) and r1_jan["expected_delay"] == pytest.approx(1)
    r1_feb = s.loc[("R-1", pd.Timestamp("2026-02-27"))]
    assert r1_feb["score"] == 1 and r1_feb["emv"] == pytest.approx(100)
    r2 = s.loc[("R-2", pd.Timestamp("2026-02-27"))]
    assert (r2["probability_score"], r2["score"], r2["rating"]) == (3, 3, "low")
    assert r2["emv"] == pytest.approx(100) and r2["expected_delay"] == pytest.approx(1.5)


def test_project_sizes_mini(mini):
    sizes = risk.project_sizes(mini)
    assert sizes.loc["P1"].tolist() == [3300.0, 15.0]  # 5–26 Jan, holiday on 19 Jan
    assert sizes.loc["P2"].tolist() == [500.0, 4.0]


def test_score_mini_relative(mini):
    scales = risk.RiskScales(basis="relative")
    s = risk.score(mini.risks, scales, portfolio=mini).set_index(["id", "status_date"])
    r1 = s.loc[("R-1", pd.Timestamp("2026-01-16"))]
    assert (r1["cost_score"], r1["schedule_score"], r1["score"]) == (4, 5, 10)
    assert (r1["rating"], r1["zone"]) == ("high", "amber")
    r2 = s.loc[("R-2", pd.Timestamp("2026-02-27"))]
    assert (r2["cost_score"], r2["schedule_score"], r2["score"]) == (4, 5, 15)
    assert (r2["rating"], r2["zone"]) == ("critical", "red")
    # EMV and expected delay do not depend on the scales.
    pd.testing.assert_frame_equal(s[["emv", "expected_delay"]],
                                  risk.score(mini.risks).set_index(["id", "status_date"])
                                  [["emv", "expected_delay"]])


def test_relative_basis_needs_a_portfolio(mini):
    with pytest.raises(DataValidationError, match="pass portfolio="):
        risk.score(mini.risks, risk.RiskScales(basis="relative"))


def test_relative_zero_budget_is_worst_band(mini):
    pf = replace(mini, projects=mini.projects.assign(budget=[0.0, 500.0]))
    s = risk.score(register(cost_impact=[1.0, 0.0], schedule_impact=[0.0, 0.0]),
                   risk.RiskScales(basis="relative"), portfolio=pf)
    assert s["cost_score"].tolist() == [5, 1]


def test_score_keeps_index_and_does_not_mutate():
    reg = register(probability=[0.2, 0.4]).set_axis([10, 20])
    before = reg.copy()
    s = risk.score(reg)
    pd.testing.assert_frame_equal(reg, before)
    assert list(s.index) == [10, 20]
    assert list(s.columns[: len(reg.columns)]) == list(reg.columns)
    assert s["status_date"].dtype == "datetime64[ns]"


def test_check_register_round_trips_a_loaded_register(sample):
    pd.testing.assert_frame_equal(risk.check_register(sample.risks, sample), sample.risks)


def test_check_register_accepts_python_values():
    reg = register(status_date=[pd.Timestamp("2026-01-16")], probability=["0.25"],
                   state=[" Open "], response_strategy=["Mitigate"],
                   affected_tasks=[["A1", "A2"]], review_date=["2026-03-01"])
    out = risk.check_register(reg)
    assert out.loc[0, "probability"] == 0.25 and out.loc[0, "state"] == "open"
    assert out.loc[0, "response_strategy"] == "mitigate"
    assert out.loc[0, "affected_tasks"] == ("A1", "A2")
    assert out.loc[0, "review_date"] == "2026-03-01"   # extra columns are kept as they are
    assert out.loc[0, "owner"] is None and out.loc[0, "title"] is None


# ----------------------------------------------------------------------------------------
# Bad input: every error names the risk and its snapshot date
# ----------------------------------------------------------------------------------------
BAD = [
    ({"probability": [1.2]}, "probability", "1.2 is above the maximum 1"),
    ({"probability": [-0.1]}, "probability", "-0.1 is below the minimum 0"),
    ({"probability": ["likely"]}, "probability", "'likely' is not a finite number"),
    ({"cost_impact": [None]}, "cost_impact", "is blank; a value is required"),
    ({"schedule_impact": [np.nan]}, "schedule_impact", "is blank; a value is required"),
    ({"cost_impact": [-500.0]}, "cost_impact", "-500 is below the minimum 0"),
    ({"schedule_impact": [-3]}, "schedule_impact", "cannot be negative"),
    ({"cost_impact": [np.inf]}, "cost_impact", "is not a finite number"),
    ({"state": ["pending"]}, "state", "'pending' is not one of open, closed, occurred"),
    ({"response_strategy": ["ignore"]}, "response_strategy",
     "'ignore' is not one of avoid, mitigate, transfer, accept, escalate"),
    ({"status_date": ["16/01/2026"]}, "status_date", "is not a date in the form YYYY-MM-DD"),
]


@pytest.mark.parametrize("change, column, message", BAD)
def test_bad_register_names_the_risk(change, column, message):
    reg = register(id=["R-9"], **change)
    with pytest.raises(DataValidationError) as info:
        risk.score(reg)
    text = str(info.value)
    assert f"column '{column}'" in text and message in text
    if column != "status_date":
        assert "risks, row 2, ID 'R-9 @ 2026-01-16'" in text


def test_every_problem_is_listed():
    reg = register(probability=[1.5, 0.5], cost_impact=[100.0, -1.0])
    with pytest.raises(DataValidationError, match="2 problems") as info:
        risk.check_register(reg)
    assert [p.id for p in info.value.problems] == ["R-1 @ 2026-01-16", "R-2 @ 2026-01-16"]
    assert [p.row for p in info.value.problems] == [2, 3]


def test_duplicate_risk_in_a_snapshot():
    reg = register(id=["R-1", "R-1"])
    with pytest.raises(DataValidationError, match=r"R-1 @ 2026-01-16.*appears twice"):
        risk.check_register(reg)


def test_missing_column():
    with pytest.raises(MissingDataError, match="column 'cost_impact': required column"):
        risk.score(register().drop(columns="cost_impact"))
    with pytest.raises(DataValidationError, match="expected a DataFrame, got list"):
        risk.score([{"id": "R-1"}])


def test_unknown_project_or_task(mini):
    with pytest.raises(UnknownReferenceError,
                       match=r"ID 'R-1 @ 2026-01-16', column 'project_id': refers to unknown "
                       r"project 'P9'"):
        risk.score(register(project_id=["P9"]), portfolio=mini)
    with pytest.raises(UnknownReferenceError,
                       match=r"ID 'R-1 @ 2026-01-16', column 'affected_tasks': refers to "
                       r"unknown task 'Z1', 'Z2'"):
        risk.flags(register(affected_tasks=["A1;Z1;Z2"]), portfolio=mini)
    # Without a portfolio, references are not checked.
    assert len(risk.score(register(project_id=["P9"], affected_tasks=["Z1"]))) == 1


@pytest.mark.parametrize("call, match", [
    (lambda r: risk.heat_map(r, value="cost"),
     "unknown heat-map value 'cost'; use one of 'count', 'emv', 'expected_delay'"),
    (lambda r: risk.heat_map(r, states=("active",)),
     "unknown state 'active'; use one of 'open', 'closed', 'occurred'"),
    (lambda r: risk.top_risks(r, by="probability"),
     "unknown ordering 'probability'; use one of 'emv', 'score', 'expected_delay'"),
    (lambda r: risk.top_risks(r, n=-1), "n must be a whole number >= 0"),
    (lambda r: risk.score(r, scales="relative"), "expected RiskScales, got str"),
])
def test_bad_options(call, match):
    with pytest.raises(DataValidationError, match=match):
        call(register())


def test_bad_trend_grouping(mini):
    with pytest.raises(DataValidationError, match="unknown grouping 'owner'; use one of "
                       "'project_id', 'programme', 'category', None"):
        risk.exposure_trend(mini, by="owner")


# ----------------------------------------------------------------------------------------
# Heat map
# ----------------------------------------------------------------------------------------
def test_heat_map_hand_checked():
    reg = register(probability=[0.9, 0.9, 0.05, 0.4, 0.4],
                   cost_impact=[300_000, 300_000, 0, 20_000, 20_000],
                   schedule_impact=[0, 0, 0, 0, 0],
                   state=["open", "open", "open", "open", "closed"])
    hm = risk.heat_map(reg)
    assert list(hm.index) == [5, 4, 3, 2, 1] and list(hm.columns) == [1, 2, 3, 4, 5]
    assert (hm.index.name, hm.columns.name) == ("probability_score", "impact_score")
    assert hm.loc[5, 5] == 2 and hm.loc[1, 1] == 1 and hm.loc[3, 2] == 1
    assert hm.to_numpy().sum() == 4 and hm.dtypes.eq(np.int64).all()
    emv = risk.heat_map(reg, value="emv")
    assert emv.loc[5, 5] == pytest.approx(540_000) and emv.loc[3, 2] == pytest.approx(8_000)
    both = risk.heat_map(reg, states=("open", "closed"))
    assert both.loc[3, 2] == 2


def test_heat_map_counts_open_risks_every_month(sample):
    for month in sample.months:
        reg = sample.risk_register(month)
        open_ = reg["state"] == "open"
        hm = risk.heat_map(reg, portfolio=sample)
        assert hm.to_numpy().sum() == open_.sum()
        emv = risk.heat_map(reg, risk.RiskScales(basis="relative"), portfolio=sample,
                            value="emv")
        assert emv.to_numpy().sum() == pytest.approx(
            (reg["probability"] * reg["cost_impact"])[open_].sum())


def test_heat_map_of_an_empty_register():
    hm = risk.heat_map(register().iloc[:0])
    assert hm.shape == (5, 5) and hm.to_numpy().sum() == 0


def test_heat_map_needs_one_snapshot(sample):
    with pytest.raises(DataValidationError,
                       match="a heat map needs one snapshot of the register, got 12 "
                       r"\(2025-11-28 to 2026-10-30\); pass portfolio.risk_register"):
        risk.heat_map(sample.risks)


def test_zones_agree_with_scores():
    zones = risk.heat_map_zones()
    assert zones.shape == (5, 5) and set(zones.to_numpy().ravel()) == set(risk.ZONES)
    grid = pd.MultiIndex.from_product([range(1, 6), range(1, 6)]).to_frame(index=False)
    p_mid = np.array([0.05, 0.2, 0.4, 0.6, 0.9])        # one probability inside each band
    c_mid = np.array([5e3, 3e4, 7.5e4, 2e5, 5e5])       # one cost inside each band
    reg = register(probability=p_mid[grid[0] - 1], cost_impact=c_mid[grid[1] - 1],
                   schedule_impact=[0.0] * 25)
    s = risk.score(reg)
    assert (s["probability_score"] == grid[0]).all() and (s["impact_score"] == grid[1]).all()
    looked_up = [zones.loc[p, i] for p, i in zip(grid[0], grid[1], strict=True)]
    assert s["zone"].tolist() == looked_up
    assert set(risk.ZONE_COLOURS) == set(risk.ZONES)


# ----------------------------------------------------------------------------------------
# Top risks
# ----------------------------------------------------------------------------------------
def test_top_risks_ordering():
    reg = register(id=["A", "B", "C", "D", "E"],
                   probability=[0.5, 0.5, 0.9, 0.1, 0.9],
                   cost_impact=[20_000, 20_000, 1_000, 300_000, 1_000],
                   schedule_impact=[1, 30, 50, 0, 50],
                   state=["open", "open", "open", "open", "closed"])
    # EMV: A 10k, B 10k, C 900, D 30k; B beats A on score (3 × 4 vs 3 × 2).
    top = risk.top_risks(reg, 3)
    assert top["id"].tolist() == ["D", "B", "A"] and top["rank"].tolist() == [1, 2, 3]
    assert top.columns[0] == "rank" and "emv" in top.columns
    # Scores: C 5 × 5 = 25, B 12, A 6, D 1 × 5 = 5.
    assert risk.top_risks(reg, by="score")["id"].tolist() == ["C", "B", "A", "D"]
    # Expected delay: C 45, B 15, A 0.5, D 0.
    assert risk.top_risks(reg, by="expected_delay")["id"].tolist() == ["C", "B", "A", "D"]
    assert len(risk.top_risks(reg, 0)) == 0
    assert "E" in risk.top_risks(reg, 10, states=RISK_STATES)["id"].tolist()


def test_top_risks_ties_break_by_id():
    reg = register(id=["R-3", "R-1", "R-2"])
    assert risk.top_risks(reg)["id"].tolist() == ["R-1", "R-2", "R-3"]


def test_top_risks_on_the_sample(sample):
    reg = sample.risk_register(sample.latest_month)
    top = risk.top_risks(reg, 10, portfolio=sample)
    assert len(top) == 10 and top["emv"].is_monotonic_decreasing
    assert (top["state"] == "open").all()
    scored = risk.score(reg)
    open_emv = scored.loc[scored["state"] == "open", "emv"]
    assert top["emv"].iloc[-1] >= open_emv.nlargest(10).iloc[-1]
    by_score = risk.top_risks(reg, 10, by="score")
    assert by_score["score"].is_monotonic_decreasing


# ----------------------------------------------------------------------------------------
# Exposure trend
# ----------------------------------------------------------------------------------------
def test_exposure_trend_mini(mini):
    t = risk.exposure_trend(mini)
    assert list(t.columns) == ["month", "status_date", "project_id", "risks", "emv",
                               "expected_delay"]
    assert t["month"].astype(str).tolist() == ["2026-01", "2026-01", "2026-02", "2026-02"]
    assert t["project_id"].tolist() == ["P1", "P2", "P1", "P2"]
    assert t["status_date"].tolist() == [pd.Timestamp("2026-01-16")] * 2 \
        + [pd.Timestamp("2026-02-27")] * 2
    assert t["risks"].tolist() == [1, 0, 0, 1]           # R-1 closed in February
    np.testing.assert_allclose(t["emv"], [200, 0, 0, 100])
    np.testing.assert_allclose(t["expected_delay"], [1.0, 0, 0, 1.5])
    total = risk.exposure_trend(mini, by=None)
    np.testing.assert_allclose(total["emv"], [200, 100])
    with_closed = risk.exposure_trend(mini, by=None, states=("open", "closed"))
    np.testing.assert_allclose(with_closed["emv"], [200, 200])


def test_exposure_trend_sample_totals(sample):
    total = risk.exposure_trend(sample, by=None).set_index("month")
    assert len(total) == 12 and total.index.is_monotonic_increasing
    for by in ("project_id", "programme", "category"):
        t = risk.exposure_trend(sample, by=by)
        # A complete month × group grid, so a chart needs no gap handling.
        groups = sample.risks.merge(sample.projects[["id", "programme"]],
                                    left_on="project_id", right_on="id")[by].nunique()
        assert len(t) == 12 * groups
        sums = t.groupby("month")[["risks", "emv", "expected_delay"]].sum()
        pd.testing.assert_frame_equal(sums, total[["risks", "emv", "expected_delay"]],
                                      check_dtype=False, rtol=1e-12)
    counts = sample.risks[sample.risks["state"] == "open"].groupby("status_date").size()
    assert total["risks"].tolist() == counts.tolist()


def test_exposure_trend_monotone_properties(sample):
    """Exposure never falls when more states are counted, and never rises when any
    probability is lowered (EMV and expected delay are linear in the probabilities)."""
    keys = ["month", "project_id"]
    base = risk.exposure_trend(sample).set_index(keys)
    more = risk.exposure_trend(sample, states=("open", "occurred")).set_index(keys)
    for c in ("risks", "emv", "expected_delay"):
        assert (more[c] >= base[c]).all()
    assert (more["risks"] > base["risks"]).any()             # the sample has occurred risks
    halved = replace(sample, risks=sample.risks.assign(
        probability=sample.risks["probability"] / 2))
    low = risk.exposure_trend(halved).set_index(keys)
    np.testing.assert_allclose(low["emv"], base["emv"] / 2)
    np.testing.assert_allclose(low["expected_delay"], base["expected_delay"] / 2)
    # EMV is at most the open cost impacts.
    impacts = sample.risks[sample.risks["state"] == "open"].groupby(
        [sample.risks["status_date"].dt.to_period("M").rename("month"), "project_id"]
    )["cost_impact"].sum()
    assert (base["emv"].reindex(impacts.index) <= impacts + 1e-6).all()


def test_exposure_trend_names_bad_rows(mini):
    risks = mini.risks.copy()
    risks.loc[1, "probability"] = 2.0
    with pytest.raises(DataValidationError, match="ID 'R-1 @ 2026-02-27', column "
                       "'probability': 2 is above the maximum 1"):
        risk.exposure_trend(replace(mini, risks=risks))


# ----------------------------------------------------------------------------------------
# Flags
# ----------------------------------------------------------------------------------------
def test_flags_hand_checked():
    reg = register(id=["R-1", "R-2", "R-3", "R-4", "R-5", "R-6"],
                   owner=[None, "Ann", "Ann", "Ann", None, "Ann"],
                   response_strategy=["mitigate", None, "transfer", "accept", None,
                                      "escalate"],
                   response=["Pair programming", None, None, None, None, None],
                   state=["open", "open", "open", "open", "closed", "open"])
    f = risk.flags(reg)
    assert list(f.columns) == ["status_date", "id", "project_id", "title", "owner",
                               "response_strategy", "flag", "reason"]
    assert list(zip(f["id"], f["flag"], strict=True)) == [
        ("R-1", "no_owner"), ("R-2", "no_strategy"), ("R-3", "no_response")]
    assert f.loc[2, "reason"] == ("strategy 'transfer' but no planned response actions; "
                                  "describe them in 'response'")
    assert "choose one of avoid, mitigate" in f.loc[1, "reason"]
    assert "R-5" in risk.flags(reg, states=RISK_STATES)["id"].tolist()


def test_flags_mini(mini):
    f = risk.flags(mini.risks, portfolio=mini)
    assert f["id"].tolist() == ["R-2", "R-2"]
    assert f["flag"].tolist() == ["no_owner", "no_strategy"]
    assert (f["status_date"] == pd.Timestamp("2026-02-27")).all()


def test_flags_review_overdue():
    reg = register(id=["R-1", "R-2", "R-3"], owner=["Ann"] * 3,
                   response_strategy=["accept"] * 3,
                   review_date=["2026-01-15", "2026-01-16", None])
    f = risk.flags(reg)
    assert f["id"].tolist() == ["R-1"] and f["flag"].tolist() == ["review_overdue"]
    assert f["reason"].iloc[0] == ("review was due on 2026-01-15, before the status date "
                                   "2026-01-16")
    with pytest.raises(DataValidationError, match="ID 'R-2 @ 2026-01-16', column "
                       "'review_date': 'soon' is not a date"):
        risk.flags(reg.assign(review_date=["2026-01-15", "soon", None]))


def test_flags_sample(sample):
    reg = sample.risk_register(sample.latest_month)
    f = risk.flags(reg, portfolio=sample)
    open_ = reg[reg["state"] == "open"]
    assert set(f.loc[f["flag"] == "no_owner", "id"]) == set(open_.loc[open_["owner"].isna(),
                                                                      "id"])
    assert set(f["flag"]) <= set(risk.FLAGS) and f["reason"].notna().all()
    everything = risk.flags(sample.risks)
    assert everything["status_date"].is_monotonic_increasing
    assert everything["status_date"].nunique() > 1


# ----------------------------------------------------------------------------------------
# Properties
# ----------------------------------------------------------------------------------------
probabilities = st.floats(0, 1)
costs = st.floats(0, 1e7)
delays = st.floats(0, 500)


@given(st.lists(st.tuples(probabilities, costs, delays), min_size=1, max_size=20))
def test_emv_bounded_by_impacts(rows):
    p, c, d = map(list, zip(*rows, strict=True))
    s = risk.score(register(probability=p, cost_impact=c, schedule_impact=d))
    assert (s["emv"] <= s["cost_impact"]).all() and (s["emv"] >= 0).all()
    assert (s["expected_delay"] <= s["schedule_impact"]).all()
    assert s["score"].between(1, 25).all()
    assert (s["impact_score"] == s[["cost_score", "schedule_score"]].max(axis=1)).all()
    assert (s["score"] == s["probability_score"] * s["impact_score"]).all()


@given(ps=st.tuples(probabilities, probabilities), cs=st.tuples(costs, costs),
       ds=st.tuples(delays, delays), basis=st.sampled_from(risk.IMPACT_BASES))
def test_score_monotone_in_probability_and_impact(mini, ps, cs, ds, basis):
    """A risk at least as likely and at least as bad on both impacts never scores lower
    (relative basis: against mini's P1, budget 3300 and 15 working days)."""
    low = register(probability=[min(ps)], cost_impact=[min(cs)], schedule_impact=[min(ds)])
    high = register(probability=[max(ps)], cost_impact=[max(cs)], schedule_impact=[max(ds)])
    scales = risk.RiskScales(basis=basis)
    s_low = risk.score(low, scales, portfolio=mini).iloc[0]
    s_high = risk.score(high, scales, portfolio=mini).iloc[0]
    for c in ("probability_score", "cost_score", "schedule_score", "impact_score", "score",
              "emv", "expected_delay"):
        assert s_low[c] <= s_high[c]
    assert risk.RATINGS.index(s_low["rating"]) <= risk.RATINGS.index(s_high["rating"])
    assert risk.ZONES.index(s_low["zone"]) <= risk.ZONES.index(s_high["zone"])
