"""Earned value v1: hand-computed values on the mini portfolio, edge cases and invariants.

Hand computation (tests/data/mini, holiday on Mon 19 Jan 2026):
January status date Fri 16 Jan.
  A1 1000 over 5-9 Jan: PV 1000. 100 % -> EV 1000, AC 1100.
  A2 2000 over 10 working days 12-26 Jan: 5 days to the 16th -> PV 1000. 40 % -> EV 800, AC 700.
  P1: PV 2000, EV 1800, AC 1800 -> SPI 0.90, CPI 1.00 (amber), EAC = 3000 / 1 = 3000.
  P2 (B1, 400 from 27 Jan): PV 0, EV 0, AC 0 -> grey, EAC = BAC = 400.
February status date Fri 27 Feb: everything planned is due.
  P1: PV 3000, EV 3000, AC 3400 -> SPI 1.00, CPI 0.882 (red), EAC 3400, VAC -400.
  P2: PV 400, EV 200 (50 %), AC 250 -> SPI 0.50, CPI 0.80 (red), EAC 500.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pmo_lib import DataValidationError, evm


def test_project_performance_january(mini):
    perf = evm.project_performance(mini, "2026-01")
    p1, p2 = perf.loc["P1"], perf.loc["P2"]
    assert (p1["bac"], p1["pv"], p1["ev"], p1["ac"]) == (3000, 2000, 1800, 1800)
    assert p1["spi"] == pytest.approx(0.9) and p1["cpi"] == pytest.approx(1.0)
    assert p1["sv"] == -200 and p1["cv"] == 0
    assert p1["eac"] == pytest.approx(3000) and p1["etc"] == pytest.approx(1200)
    assert p1["rag"] == "amber" and p1["rag_reason"] == "SPI 0.90 below 0.95"
    assert (p2["pv"], p2["ev"], p2["ac"]) == (0, 0, 0)
    assert np.isnan(p2["spi"]) and np.isnan(p2["cpi"])
    assert p2["eac"] == 400 and p2["rag"] == "grey"
    assert list(perf["name"]) == ["Build", "Deploy"]


def test_project_performance_february(mini):
    perf = evm.project_performance(mini, "2026-02")
    p1, p2 = perf.loc["P1"], perf.loc["P2"]
    assert (p1["pv"], p1["ev"], p1["ac"]) == (3000, 3000, 3400)
    assert p1["cpi"] == pytest.approx(3000 / 3400)
    assert p1["eac"] == pytest.approx(3400) and p1["vac"] == pytest.approx(-400)
    assert p1["rag"] == "red" and "CPI 0.88 below 0.90" in p1["rag_reason"]
    assert (p2["pv"], p2["ev"], p2["ac"]) == (400, 200, 250)
    assert p2["spi"] == pytest.approx(0.5) and p2["cpi"] == pytest.approx(0.8)
    assert p2["eac"] == pytest.approx(500)
    assert p2["tcpi"] == pytest.approx((400 - 200) / (400 - 250))


def test_portfolio_total_sums_then_divides(mini):
    perf = evm.project_performance(mini, "2026-02")
    total = evm.rollup(perf).loc["Total"]
    assert (total["bac"], total["pv"], total["ev"], total["ac"]) == (3400, 3400, 3200, 3650)
    assert total["spi"] == pytest.approx(3200 / 3400)           # not mean(1.0, 0.5) = 0.75
    assert total["cpi"] == pytest.approx(3200 / 3650)
    by_programme = evm.rollup(perf, "programme")
    assert list(by_programme.index) == ["Alpha"]
    assert by_programme.loc["Alpha", "ev"] == 3200


def test_task_performance(mini):
    t = evm.task_performance(mini, "2026-01")
    assert t.loc["A2", "pv"] == pytest.approx(1000)
    assert t.loc["A2", "ev"] == pytest.approx(800)
    assert t.loc["M1", "pv"] == 0 and t.loc["B1", "ev"] == 0


def test_time_phased_pv_sums_to_budget(mini):
    pv = evm.planned_value(mini.tasks, mini.calendar, "M")
    assert list(pv.columns.astype(str)) == ["2026-01"]
    pd.testing.assert_series_equal(pv.sum(axis=1), mini.tasks.set_index("id")["budget"]
                                   .rename_axis("task_id"), check_names=False)
    weekly = evm.planned_value(mini.tasks, mini.calendar, "W")
    # A2: 2000 over 10 days; the week of 19 Jan has 4 working days (holiday) -> 800.
    assert weekly.loc["A2", pd.Period("2026-01-19", "W")] == pytest.approx(800)
    with pytest.raises(DataValidationError, match="unknown period 'Q'; use M, W or D"):
        evm.planned_value(mini.tasks, mini.calendar, "Q")


def test_s_curve(mini):
    curve = evm.s_curve(mini)
    assert list(curve.index.astype(str)) == ["2026-01", "2026-02"]
    assert list(curve["pv"]) == [2000, 3400]                    # January cut at the 16th
    assert list(curve["ev"]) == [1800, 3200]
    assert list(curve["ac"]) == [1800, 3650]
    jan = evm.s_curve(mini, through="2026-01")
    assert list(jan.index.astype(str)) == ["2026-01"]           # the baseline ends in January
    p2 = evm.s_curve(mini.select("P2"))
    assert p2.loc[pd.Period("2026-01", "M"), "ev"] == 0         # snapshot without P2 rows


def test_indicators_scalar_textbook():
    # PMBOK-style example: BAC 100k, PV 50k, EV 40k, AC 45k.
    r = evm.indicators(pv=50_000, ev=40_000, ac=45_000, bac=100_000)
    assert r["sv"] == -10_000 and r["cv"] == -5_000
    assert r["spi"] == pytest.approx(0.8) and r["cpi"] == pytest.approx(40 / 45)
    assert r["eac"] == pytest.approx(112_500)
    assert r["etc"] == pytest.approx(67_500) and r["vac"] == pytest.approx(-12_500)
    assert r["tcpi"] == pytest.approx(60_000 / 55_000)


def test_indicators_undefined_ratios_are_nan_not_inf():
    r = evm.indicators(pv=[0, 10, 10], ev=[0, 0, 5], ac=[0, 5, 0], bac=[100, 100, 5])
    assert r["spi"].isna().tolist() == [True, False, False]
    assert r["cpi"].isna().tolist() == [True, False, True]   # EV 0, AC 5: CPI = 0
    assert np.isfinite(r.to_numpy()[~np.isnan(r.to_numpy())]).all()
    assert r.loc[0, "eac"] == 100           # nothing done, nothing spent: EAC = BAC
    assert np.isnan(r.loc[1, "eac"])        # spent with nothing earned: undefined
    assert r.loc[2, "tcpi"] == 0.0          # (5 - 5) / (5 - 0): nothing left to earn


def test_indicators_keep_series_index():
    idx = pd.Index(["x", "y"])
    r = evm.indicators(pd.Series([10.0, 20.0], idx), pd.Series([5.0, 20.0], idx),
                       pd.Series([5.0, 10.0], idx), pd.Series([100.0, 100.0], idx))
    assert list(r.index) == ["x", "y"] and list(r.columns) == list(evm.INDICATORS)


def test_rag_thresholds():
    r = evm.rag_status([0.96, 0.94, 0.89, np.nan], [1.0, 1.0, 0.99, np.nan])
    assert r["rag"].tolist() == ["green", "amber", "red", "grey"]
    # Only one index measurable (EV earned but no cost booked yet; cost but no PV yet).
    one = evm.rag_status([0.8, np.nan, 1.0], [np.nan, 0.92, np.nan])
    assert one["rag"].tolist() == ["red", "amber", "green"]
    assert one["rag_reason"].tolist() == ["SPI 0.80 below 0.90", "CPI 0.92 below 0.95", ""]
    strict = evm.rag_status([0.96], [1.0], evm.RagThresholds(green=0.98, amber=0.95))
    assert strict["rag"].tolist() == ["amber"]
    with pytest.raises(DataValidationError, match="need 0 < amber <= green"):
        evm.RagThresholds(green=0.9, amber=0.95)


money = st.floats(min_value=0, max_value=1e9, allow_nan=False)


@given(pv=money, ev=money, ac=money, extra=money)
def test_indicator_identities(pv, ev, ac, extra):
    bac = ev + extra                                       # EV never exceeds BAC
    r = evm.indicators(pv, ev, ac, bac)
    assert r["sv"] == pytest.approx(ev - pv) and r["cv"] == pytest.approx(ev - ac)
    for name in ("spi", "cpi", "eac", "etc", "vac", "tcpi"):
        assert not np.isinf(r[name])
    if not np.isnan(r["eac"]):
        assert r["etc"] == pytest.approx(r["eac"] - ac, rel=1e-9, abs=1e-6)
        assert r["vac"] == pytest.approx(bac - r["eac"], rel=1e-9, abs=1e-6)


@given(budgets=st.lists(st.floats(min_value=0, max_value=1e6), min_size=1, max_size=8),
       shift=st.integers(min_value=0, max_value=40), length=st.integers(min_value=0, max_value=60))
def test_cumulative_pv_is_monotone_and_reaches_budget(budgets, shift, length):
    from pmo_lib import WorkCalendar
    cal = WorkCalendar(holidays=["2026-01-19"])
    start = cal.add_working_days("2026-01-05", shift)
    tasks = pd.DataFrame({"budget": budgets, "baseline_start": [start] * len(budgets),
                          "baseline_finish": [cal.finish_date(start, length)] * len(budgets)})
    dates = pd.date_range("2026-01-01", "2026-06-30", freq="7D")
    cum = evm.cumulative_pv(tasks, cal, dates)
    assert (np.diff(cum, axis=1) >= -1e-9).all()
    np.testing.assert_allclose(cum[:, -1], budgets)
    assert (cum[:, 0] == 0).all()


def test_indicators_match_published_spreadsheet():
    """castor00/EVapp 'Earned Value - Earned Schedule.xlsx' (13 periods, BAC 360.738): our SV,
    SPI, CV and CPI equal the sheet's cached formula values (see ../shared/data/README.md)."""
    from conftest import SHARED

    path = SHARED / "evm" / "castor00_es_example_periods.csv"
    if not path.exists():
        pytest.skip("shared reference data not available")
    sheet = pd.read_csv(path)
    got = evm.indicators(sheet["PV"], sheet["EV"], sheet["AC"], 360.738)
    for ours, theirs in (("sv", "SV"), ("spi", "SPI"), ("cv", "CV"), ("cpi", "CPI")):
        np.testing.assert_allclose(got[ours], sheet[theirs], rtol=1e-12, atol=1e-9)
    # At AT = 13 the project is done: SPI returns to 1 while it finished 4 periods late.
    assert got["spi"].iloc[-1] == pytest.approx(1.0)


def test_apply_thresholds_matches_project_performance(mini):
    t = evm.RagThresholds(green=1.0, amber=0.85)
    for month in mini.months:
        base = evm.project_performance(mini, month)
        expected = evm.project_performance(mini, month, t)
        got = evm.apply_thresholds(base, t)
        pd.testing.assert_frame_equal(got, expected)
        assert base["rag"].tolist() == evm.project_performance(mini, month)["rag"].tolist()


def test_apply_thresholds_does_not_mutate(mini):
    base = evm.project_performance(mini, "2026-02")
    before = base.copy()
    evm.apply_thresholds(base, evm.RagThresholds(green=0.5, amber=0.5))
    pd.testing.assert_frame_equal(base, before)


def test_rag_counts_lists_every_level():
    counts = evm.rag_counts(pd.DataFrame({"rag": ["grey", "red", "red"]}))
    assert counts.index.tolist() == list(evm.RAG_LEVELS)
    assert counts.tolist() == [0, 0, 2, 1]
    assert counts.name == "projects" and counts.dtype == np.int64
