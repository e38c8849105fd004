"""EVM v2 (issue 4, engine): EAC methods, earned schedule, EV methods, PV curves, edge cases.

Sources of the hand-checked values:
- PMP "fence" exercise: PV 3,000, EV 2,500, AC 2,800, BAC 4,000 -> CPI 0.893, SPI 0.833,
  EAC = BAC / CPI = 4,480.
- castor00/EVapp "Earned Value - Earned Schedule.xlsx" (../shared/data/evm, README section 4):
  13 periods, PD 9, BAC 360.738; ES, SPI(t) and EAC(t) cached by the sheet.
- tests/data/mini (see tests/test_evm.py for the hand computation of PV, EV, AC).
"""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pmo_lib import DataValidationError, PMOError, WorkCalendar, evm

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


# ---------------------------------------------------------------------------- EAC methods
def test_pmp_fence_exercise():
    r = evm.indicators(pv=3_000, ev=2_500, ac=2_800, bac=4_000)
    assert round(r["cpi"], 3) == 0.893 and round(r["spi"], 3) == 0.833
    assert r["eac"] == pytest.approx(4_480, abs=0.5)
    assert r["tcpi_eac"] == pytest.approx(r["cpi"])     # (BAC − EV)/(EAC − AC) = CPI here


def test_eac_methods_by_hand():
    args = dict(pv=3_000, ev=2_500, ac=2_800, bac=4_000)
    assert evm.indicators(**args, method="additive")["eac"] == pytest.approx(4_300)
    cpi, spi = 2_500 / 2_800, 2_500 / 3_000
    assert evm.indicators(**args, method="cpi_spi")["eac"] == pytest.approx(
        2_800 + 1_500 / (cpi * spi))
    r = evm.indicators(**args, method="new_etc", etc=1_000)
    assert r["eac"] == 3_800 and r["etc"] == 1_000 and r["vac"] == 200
    assert r["tcpi_eac"] == pytest.approx(1.5)
    assert list(r) == list(evm.INDICATORS) and evm.INDICATORS[-1] == "tcpi_eac"
    assert evm.EAC_METHODS == ("cpi", "additive", "cpi_spi", "new_etc")


def test_default_method_is_cpi():
    a = evm.indicators([100.0, 0.0], [80.0, 0.0], [90.0, 0.0], [1000.0, 500.0])
    b = evm.indicators([100.0, 0.0], [80.0, 0.0], [90.0, 0.0], [1000.0, 500.0], method="cpi")
    pd.testing.assert_frame_equal(a, b)


def test_unknown_eac_method_lists_the_valid_ones():
    with pytest.raises(DataValidationError,
                       match="unknown EAC method 'bogus'; use one of 'cpi', 'additive', "
                             "'cpi_spi', 'new_etc'"):
        evm.indicators(1, 1, 1, 2, method="bogus")
    with pytest.raises(PMOError, match="needs the new estimate to complete"):
        evm.indicators(1, 1, 1, 2, method="new_etc")
    with pytest.raises(DataValidationError, match="cannot be negative"):
        evm.indicators(1, 1, 1, 2, method="new_etc", etc=-5)


def test_new_etc_vector_keeps_index():
    idx = pd.Index(["a", "b"])
    r = evm.indicators(pd.Series([10.0, 20.0], idx), 5.0, 5.0, 100.0, method="new_etc",
                       etc=pd.Series([50.0, 60.0], idx))
    assert list(r.index) == ["a", "b"] and r["eac"].tolist() == [55.0, 65.0]


# ---------------------------------------------------------------------------- edge cases
@pytest.mark.parametrize("method", evm.EAC_METHODS)
def test_edge_cases_nan_never_inf(method):
    #         PV=0  AC=0  finished  nothing yet  spent, nothing earned
    pv = [0.0, 50.0, 100.0, 50.0, 50.0]
    ev = [10.0, 40.0, 100.0, 0.0, 0.0]
    ac = [10.0, 0.0, 120.0, 0.0, 20.0]
    r = evm.indicators(pv, ev, ac, 100.0, method=method, etc=0.0)
    values = r.to_numpy()
    assert not np.isinf(values).any()
    assert np.isnan(r.loc[0, "spi"])                    # PV = 0: SPI undefined
    assert np.isnan(r.loc[1, "cpi"])                    # AC = 0: CPI undefined
    if method != "new_etc":
        assert r.loc[2, "eac"] == pytest.approx(120)    # finished: EAC = AC
        assert np.isnan(r.loc[2, "tcpi_eac"])           # nothing left to do
    if method in ("cpi", "cpi_spi"):
        assert r.loc[3, "eac"] == 100                   # nothing yet: EAC = BAC
        assert np.isnan(r.loc[4, "eac"])                # CPI = 0


def test_ev_above_bac_is_rejected():
    # After the planned finish PV = BAC, so EV > PV there is EV > BAC.
    with pytest.raises(DataValidationError, match="EV 110 is above BAC 100"):
        evm.indicators(pv=100, ev=110, ac=90, bac=100)
    assert evm.indicators(pv=100, ev=100, ac=90, bac=100)["spi"] == 1.0


def test_actuals_after_status_date_rejected(mini):
    status = mini.status.copy()
    status.loc[1, "actual_start"] = pd.Timestamp("2026-01-20")   # A2, January snapshot
    bad = dataclasses.replace(mini, status=status)
    with pytest.raises(DataValidationError, match=r"A2.*2026-01-20 is after the status date"):
        evm.task_performance(bad, "2026-01")


def test_check_progress(mini):
    evm.check_progress(mini)
    status = mini.status.copy()
    status.loc[3, "percent_complete"] = 38.0                     # A2: 40 % -> 38 %
    bad = dataclasses.replace(mini, status=status)
    evm.check_progress(bad, tolerance=2.0)
    with pytest.raises(DataValidationError, match=r"A2.*38 % on 2026-02-27 is below 40 %"):
        evm.check_progress(bad, tolerance=1.0)


def test_status_before_start_is_grey(mini):
    perf = evm.project_performance(mini, "2026-01")
    assert perf.loc["P2", "rag"] == "grey" and np.isnan(perf.loc["P2", "spi"])
    es = evm.project_earned_schedule(mini, "2026-01")
    assert es.loc["P2"].drop("forecast_finish").isna().all()
    assert pd.isna(es.loc["P2", "forecast_finish"])


# ---------------------------------------------------------------------------- earned schedule
def _castor():
    from conftest import SHARED

    path = SHARED / "evm" / "castor00_es_example_periods.csv"
    if not path.exists():
        pytest.skip("shared reference data not available")
    return pd.read_csv(path)


def test_earned_schedule_matches_published_spreadsheet():
    sheet = _castor()
    got = evm.earned_schedule(sheet["PV"], sheet["EV"], at=sheet["AT"])
    np.testing.assert_allclose(got["es"], sheet["ES"], rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(got["spi_t"], sheet["SPIt"], rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(got["ieac_t"], sheet["EACt_ES2"], rtol=1e-12)  # PD / SPI(t)
    pd_ = 9
    np.testing.assert_allclose(got["at"] + (pd_ - got["es"]), sheet["EACt_ES1"], rtol=1e-12)
    np.testing.assert_allclose(got["sv_t"], sheet["ES"] - sheet["AT"], atol=1e-9)


def test_spi_returns_to_one_but_spi_t_does_not():
    """AT = 13: EV = BAC with PV flat since period 9 -> SPI = 1, ES = PD = 9, SPI(t) = 9/13."""
    sheet = _castor()
    last = sheet.iloc[-1]
    assert evm.indicators(last["PV"], last["EV"], last["AC"], 360.738)["spi"] == 1.0
    r = evm.earned_schedule(sheet["PV"], last["EV"], at=13)
    assert r["es"] == 9                                  # capped: not 13 periods with PV <= EV
    assert r["spi_t"] == pytest.approx(0.6923, abs=5e-5) and r["ieac_t"] == pytest.approx(13)
    assert np.isnan(r["tspi"])                           # planned duration used up


def test_earned_schedule_by_hand():
    r = evm.earned_schedule([10.0, 30.0, 60.0, 100.0], ev=45.0, at=2)
    assert r["es"] == 2.5 and r["sv_t"] == 0.5 and r["spi_t"] == 1.25
    assert r["tspi"] == pytest.approx((4 - 2.5) / (4 - 2)) and r["ieac_t"] == 3.2
    assert set(r) == {"es", "at", "sv_t", "spi_t", "tspi", "ieac_t"}
    zero = evm.earned_schedule([10.0, 30.0], ev=0.0, at=0)      # before the start
    assert zero["es"] == 0 and np.isnan(zero["spi_t"]) and np.isnan(zero["ieac_t"])


def test_earned_schedule_bad_input():
    with pytest.raises(DataValidationError, match="non-decreasing"):
        evm.earned_schedule([10.0, 5.0], 1.0, at=1)
    with pytest.raises(DataValidationError, match="above BAC"):
        evm.earned_schedule([10.0, 20.0], 21.0, at=1)
    with pytest.raises(DataValidationError, match="give the actual time"):
        evm.earned_schedule([10.0, 20.0], 5.0)
    with pytest.raises(DataValidationError, match="has 1 values for 2 EV values"):
        evm.earned_schedule([10.0, 20.0], [5.0, 6.0], at=[1])


def test_project_earned_schedule_mini(mini):
    # February (status Fri 27 Feb, AT = 1 + 27/28): P1 finished (ES = PD = 1 month);
    # P2 half done, all its PV (400) in January: ES = 200/400 = 0.5.
    es = evm.project_earned_schedule(mini, "2026-02")
    at = 1 + 27 / 28
    assert es.loc["P1", "es"] == 1 and es.loc["P2", "es"] == 0.5
    assert es.loc["P1", "at"] == pytest.approx(at)
    assert es.loc["P2", "spi_t"] == pytest.approx(0.5 / at)
    assert es.loc["P1", "ieac_t"] == pytest.approx(at)        # finished: IEAC(t) = AT
    assert es.loc["P1", "forecast_finish"] == pd.Timestamp("2026-02-27")
    assert es.loc["P2", "forecast_finish"] == pd.Timestamp("2026-04-28")  # 2·AT months
    assert list(es.columns) == ["es", "at", "sv_t", "spi_t", "ieac_t", "forecast_finish"]


# ---------------------------------------------------------------------------- EV methods
@pytest.mark.parametrize(("method", "a2_ev"), [("percent_complete", 800), ("0/100", 0),
                                                ("50/50", 1000), ("milestone_weights", 0)])
def test_ev_methods_january(mini, method, a2_ev):
    t = evm.task_performance(mini, "2026-01", ev_method=method)
    assert t.loc["A1", "ev"] == 1000 and t.loc["A2", "ev"] == a2_ev and t.loc["B1", "ev"] == 0
    p = evm.project_performance(mini, "2026-01", ev_method=method)
    assert p.loc["P1", "ev"] == 1000 + a2_ev


def test_milestone_weights(mini):
    tasks = mini.tasks.assign(ev_weights=["", "25/25/50", None, "1;1"])
    weighted = dataclasses.replace(mini, tasks=tasks)
    t = evm.task_performance(weighted, "2026-01", ev_method="milestone_weights")
    # A2 at 40 %: first milestone (at 33.3 %) reached -> 25 % of 2000.
    assert t.loc["A2", "ev"] == pytest.approx(500) and t.loc["A1", "ev"] == 1000
    bad = dataclasses.replace(mini, tasks=mini.tasks.assign(ev_weights=["x", "", "", ""]))
    with pytest.raises(DataValidationError, match="ID 'A1', column 'ev_weights'"):
        evm.task_performance(bad, "2026-01", ev_method="milestone_weights")
    with pytest.raises(DataValidationError, match="unknown EV method 'earned'; use one of"):
        evm.task_performance(mini, "2026-01", ev_method="earned")


def test_default_ev_method_unchanged(mini):
    for month in mini.months:
        pd.testing.assert_frame_equal(
            evm.project_performance(mini, month),
            evm.project_performance(mini, month, ev_method="percent_complete"))


# ---------------------------------------------------------------------------- PV curves
def test_pv_curves(mini):
    weekly = {c: evm.planned_value(mini.tasks, mini.calendar, "W", curve=c)
              for c in evm.PV_CURVES}
    pd.testing.assert_frame_equal(weekly["linear"], evm.planned_value(mini.tasks, mini.calendar,
                                                                      "W"))
    for pv in weekly.values():
        np.testing.assert_allclose(pv.sum(axis=1), mini.tasks["budget"])
    first = pd.Period("2026-01-12", "W")             # A2's first week: 5 of its 10 days
    assert weekly["linear"].loc["A2", first] == pytest.approx(1000)
    assert weekly["front"].loc["A2", first] == pytest.approx(2000 * (1 - 0.5**2))
    assert weekly["back"].loc["A2", first] == pytest.approx(2000 * 0.5**2)
    with pytest.raises(DataValidationError, match="unknown PV curve 's'; use one of 'linear'"):
        evm.planned_value(mini.tasks, mini.calendar, curve="s")


# ---------------------------------------------------------------------------- properties
money = st.floats(min_value=0, max_value=1e9, allow_nan=False)


@given(pv=money, ev=money, ac=money, extra=money)
def test_eac_identities(pv, ev, ac, extra):
    bac = ev + extra
    r = evm.indicators(pv, ev, ac, bac)
    assert r["sv"] == pytest.approx(ev - pv)
    if not np.isnan(r["eac"]) and not np.isnan(r["cpi"]):
        assert r["eac"] * r["cpi"] == pytest.approx(bac, rel=1e-9, abs=1e-6)
    add = evm.indicators(pv, ev, ac, bac, method="additive")
    assert add["eac"] - ac == pytest.approx(bac - ev, rel=1e-9, abs=1e-6)
    for method in evm.EAC_METHODS:
        out = evm.indicators(pv, ev, ac, bac, method=method, etc=extra)
        assert not any(np.isinf(v) for v in out.values())


@given(bac=st.lists(st.floats(0, 1e6), min_size=1, max_size=6), data=st.data())
def test_rollup_of_one_project_equals_the_project(bac, data):
    n = len(bac)
    frac = data.draw(st.lists(st.floats(0, 1), min_size=n, max_size=n))
    pv = data.draw(st.lists(st.floats(0, 1e6), min_size=n, max_size=n))
    ac = data.draw(st.lists(st.floats(0, 1e6), min_size=n, max_size=n))
    tasks = pd.DataFrame({"project_id": "P", "bac": bac, "pv": pv,
                          "ev": np.array(bac) * np.array(frac), "ac": ac})
    project = evm.rollup(tasks, "project_id")
    total = evm.rollup(project)
    pd.testing.assert_series_equal(total.loc["Total"], project.loc["P"], check_names=False)


@given(budgets=st.lists(st.floats(0, 1e6), min_size=1, max_size=5),
       shift=st.integers(0, 40), length=st.integers(0, 60), curve=st.sampled_from(evm.PV_CURVES))
def test_cumulative_pv_monotone_for_every_curve(budgets, shift, length, curve):
    cal = WorkCalendar(holidays=["2026-01-19"])
    start = cal.add_working_days("2026-01-05", shift)
    tasks = pd.DataFrame({"budget": budgets, "baseline_start": [start] * len(budgets),
                          "baseline_finish": [cal.finish_date(start, length)] * len(budgets)})
    cum = evm.cumulative_pv(tasks, cal, pd.date_range("2026-01-01", "2026-06-30", freq="5D"),
                            curve=curve)
    assert (np.diff(cum, axis=1) >= -1e-9).all()
    np.testing.assert_allclose(cum[:, -1], budgets)


@given(steps=st.lists(st.floats(0, 1e6), min_size=1, max_size=12), share=st.floats(0, 1),
       at=st.floats(0, 30))
def test_es_between_zero_and_pd(steps, share, at):
    pv = np.cumsum(steps)
    r = evm.earned_schedule(pv, share * pv[-1], at=at)
    planned_duration = int(np.argmax(pv >= pv[-1] * (1 - 1e-9))) + 1
    if pv[-1] > 0:
        assert 0 <= r["es"] <= planned_duration
    assert not any(np.isinf(v) for v in r.values())


# ------------------------------------------------- forecast uncertainty (bootstrap), RAG v2
_LINEAR_PV = [100.0 * k for k in range(1, 11)]          # BAC 1,000 over PD = 10 periods


def test_eac_range_constant_cpi_is_degenerate_at_bac_over_cpi():
    # Every period earns 80 for a cost of 100: periodic CPI 0.8, periodic SPI(t) 0.8.
    # EAC = BAC / CPI = 1,000 / 0.8 = 1,250; finish = PD / SPI(t) = 10 / 0.8 = 12.5 periods.
    r = evm.eac_range(_LINEAR_PV, [80.0, 160.0, 240.0, 320.0], [100.0, 200.0, 300.0, 400.0],
                      1_000.0, iterations=500, seed=3)
    for p in (10, 50, 90):
        assert r[f"eac_p{p}"] == pytest.approx(1_250.0)
        assert r[f"finish_p{p}"] == pytest.approx(12.5)
    assert r["eac"] == pytest.approx(1_250.0) and r["ieac_t"] == pytest.approx(12.5)
    assert r["remaining_periods"] == 9 and r["reason"] == ""    # ceil((10 − 3.2) / 0.8)


def _noisy():
    rng = np.random.default_rng(0)
    d_ev = rng.uniform(50.0, 110.0, 6)
    d_ac = d_ev / rng.uniform(0.7, 1.1, 6)
    return np.cumsum(d_ev), np.cumsum(d_ac)


def test_eac_range_seed_reproducible_and_percentiles_ordered():
    ev, ac = _noisy()
    kw = dict(percentiles=(5, 10, 50, 90, 95), iterations=3_000)
    a = evm.eac_range(_LINEAR_PV, ev, ac, 1_000.0, seed=42, **kw)
    b = evm.eac_range(_LINEAR_PV, ev, ac, 1_000.0, seed=42, **kw)
    assert a == b
    eacs = [a[f"eac_p{p}"] for p in kw["percentiles"]]
    finishes = [a[f"finish_p{p}"] for p in kw["percentiles"]]
    assert np.all(np.diff(eacs) > 0) and np.all(np.diff(finishes) >= 0)
    assert a["eac_p5"] < a["eac"] * 1.05 and a["eac_p95"] > a["eac"] * 0.95
    assert a["finish_p5"] > ev.size                    # the finish is after the status date
    c = evm.eac_range(_LINEAR_PV, ev, ac, 1_000.0, seed=43, **kw)
    assert c != a                                      # another seed, other draws
    # Chunking does not change the result: more iterations than one chunk still run.
    big = evm.eac_range(_LINEAR_PV, ev, ac, 1_000.0, iterations=evm._CHUNK + 7, seed=1)
    assert big["eac_p10"] <= big["eac_p50"] <= big["eac_p90"]


def test_eac_range_fewer_than_three_periods_is_nan_with_reason():
    r = evm.eac_range(_LINEAR_PV, [80.0, 160.0], [100.0, 200.0], 1_000.0, seed=1)
    assert np.isnan(r["eac_p10"]) and np.isnan(r["finish_p90"])
    assert "needs at least 3" in r["reason"] and "EAC" in r["reason"]
    assert r["eac"] == pytest.approx(1_250.0)             # the point forecast still exists
    # Three periods but only two with cost: EAC is NaN, the finish is not.
    r = evm.eac_range(_LINEAR_PV, [80.0, 160.0, 240.0], [0.0, 100.0, 200.0], 1_000.0, seed=1)
    assert np.isnan(r["eac_p50"]) and np.isfinite(r["finish_p50"])
    assert "2 period(s) with cost" in r["reason"]


def test_eac_range_finished_project_and_bad_input():
    pv = [100.0, 200.0, 300.0]
    r = evm.eac_range(pv, [100.0, 200.0, 300.0], [110.0, 220.0, 330.0], 300.0, seed=0)
    assert r["eac_p10"] == r["eac_p90"] == 330.0 and r["finish_p50"] == 3.0
    with pytest.raises(DataValidationError, match="has 2 values for 3 EV values"):
        evm.eac_range(pv, [1.0, 2.0, 3.0], [1.0, 2.0], 300.0)
    with pytest.raises(DataValidationError, match="percentiles in \\[0, 100\\]"):
        evm.eac_range(pv, [1.0, 2.0, 3.0], [1.0, 2.0, 3.0], 300.0, percentiles=(10, 120))
    with pytest.raises(DataValidationError, match="whole number >= 1"):
        evm.eac_range(pv, [1.0, 2.0, 3.0], [1.0, 2.0, 3.0], 300.0, iterations=0)


def test_project_forecast_range_on_the_sample(sample):
    a = evm.project_forecast_range(sample, "2026-10", iterations=300, seed=7)
    b = evm.project_forecast_range(sample, "2026-10", iterations=300, seed=7)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == ["eac_p10", "eac_p50", "eac_p90", "finish_p10", "finish_p50",
                               "finish_p90", "reason"]
    assert list(a.index) == list(sample.projects["id"])
    ok = a["reason"] == ""
    assert ok.any()
    assert (a.loc[ok, "eac_p10"] <= a.loc[ok, "eac_p50"]).all()
    assert (a.loc[ok, "eac_p50"] <= a.loc[ok, "eac_p90"]).all()
    assert (a.loc[ok, "finish_p10"] <= a.loc[ok, "finish_p90"]).all()
    assert str(a["finish_p50"].dtype).startswith("datetime64")


def test_rag_with_spi_t_and_vac_by_hand():
    # SPI 1.0 is green, but SPI(t) 0.92 is amber and replaces it.
    r = evm.rag_status([1.0], [1.0], spi_t=[0.92])
    assert r.at[0, "rag"] == "amber" and r.at[0, "rag_reason"] == "SPI(t) 0.92 below 0.95"
    # VAC −120 on BAC 1,000 is −12 %: below −10 %, red; −80 is −8 %: amber; −30: green.
    r = evm.rag_status([1.0, 1.0, 1.0], [1.0, 1.0, 1.0], vac=[-120.0, -80.0, -30.0],
                       bac=[1_000.0] * 3)
    assert r["rag"].tolist() == ["red", "amber", "green"]
    assert r["rag_reason"].tolist() == ["VAC/BAC -12.0% below -10.0%",
                                        "VAC/BAC -8.0% below -5.0%", ""]
    # Every failing measure is named, the worst one sets the level.
    r = evm.rag_status([0.5], [0.93], spi_t=[0.85], vac=[-60.0], bac=[1_000.0])
    assert r.at[0, "rag"] == "red"
    assert r.at[0, "rag_reason"] == ("SPI(t) 0.85 below 0.90; CPI 0.93 below 0.95; "
                                     "VAC/BAC -6.0% below -5.0%")
    # Custom VAC thresholds; NaN measures do not count, all NaN is grey.
    t = evm.RagThresholds(vac_amber=0.0, vac_red=-0.02)
    assert evm.rag_status([1.0], [1.0], t, vac=[-10.0], bac=[1_000.0]).at[0, "rag"] == "amber"
    r = evm.rag_status([np.nan], [np.nan], spi_t=[np.nan], vac=[0.0], bac=[0.0])
    assert r.at[0, "rag"] == "grey"
    with pytest.raises(DataValidationError, match="needs both vac"):
        evm.rag_status([1.0], [1.0], vac=[-1.0])
    with pytest.raises(DataValidationError, match="vac_red <= vac_amber <= 0"):
        evm.RagThresholds(vac_amber=-0.1, vac_red=-0.05)


def test_rag_without_new_measures_is_unchanged():
    spi, cpi = [1.0, 0.93, 0.8, np.nan, np.nan], [1.0, 1.0, 0.97, 0.85, np.nan]
    r = evm.rag_status(pd.Series(spi, index=list("abcde")), cpi)
    assert r["rag"].tolist() == ["green", "amber", "red", "red", "grey"]
    assert r["rag_reason"].tolist() == [
        "", "SPI 0.93 below 0.95", "SPI 0.80 below 0.90", "CPI 0.85 below 0.90",
        "not measurable yet: no planned value or cost to date"]
    assert list(r.index) == list("abcde")
    assert evm.RagThresholds() == evm.RagThresholds(0.95, 0.90, -0.05, -0.10)


def _same(a: dict, b: dict) -> bool:
    """Dicts equal key by key and in order, NaN and NaT equal to themselves."""
    return list(a) == list(b) and all(
        a[k] == b[k] or (pd.isna(a[k]) and pd.isna(b[k])) for k in a)


def test_forecast_equals_the_widget_on_the_fence():
    from pmo_lib import widgets
    case = widgets.evm_case()
    for kw in (dict(), dict(method="additive"), dict(method="new_etc", etc=1_000.0)):
        got = evm.forecast(case.pv, case.ev, case.ac, case.bac, case.pv_cumulative,
                           at=case.at, **kw)
        assert list(got) == list(evm.FORECAST_KEYS)
        assert _same(got, widgets.evm_forecast(case, **kw))
    # The caller computes EV (here from a percent complete), as the widget does.
    got = evm.forecast(case.pv, 0.5 * case.bac, 3_000.0, case.bac, case.pv_cumulative,
                       at=case.at)
    assert _same(got, widgets.evm_forecast(case, percent_complete=50.0, ac=3_000.0))
    assert got["forecast_finish"] is pd.NaT                 # the fence has no calendar


def test_forecast_on_a_project_gives_the_finish_date(sample):
    from pmo_lib import widgets
    case = widgets.evm_case(sample, "2026-10")
    got = evm.forecast(case.pv, case.ev, case.ac, case.bac, case.pv_cumulative, at=case.at,
                       first_month=str(case.first_month))
    assert _same(got, widgets.evm_forecast(case))
    assert isinstance(got["forecast_finish"], pd.Timestamp)
