"""Agile delivery analytics: hand-checked values, invariants, errors and charts.

Hand example (project P1, three two-week sprints; points in brackets):

  sprint 1  Mon 5 Jan – Sun 18 Jan 2026      sprint 2  19 Jan – 1 Feb      sprint 3  2 – 15 Feb
  A [3]  created 2 Jan, started 5 Jan,  done 9 Jan   (sprint 1)
  B [5]  created 2 Jan, started 6 Jan,  done 20 Jan  (sprint 2)
  C [8]  created 2 Jan, started 19 Jan, done 3 Feb   (sprint 3)
  D [2]  created 21 Jan (added in sprint 2), started 2 Feb, done 13 Feb (sprint 3)
  E [5]  created 4 Feb (added in sprint 3), in the backlog
  F [1]  created 2 Jan, started 9 Feb, in progress

Burnup at each sprint's finish: scope 17, 19, 24 (D then E added); completed 3, 8, 18;
remaining 14, 11, 6. Baseline scope (created by 5 Jan) 17: scope added 0, 2, 7; Cohn bar top
17 − completed = 14, 9, −1; bottom 0, −2, −7.
Cycle times (calendar days, both ends counted): A 5, B 15, C 16, D 12. Working days (Mon–Fri):
A 5, B 11, C 12, D 10; with a holiday on Mon 19 Jan: B 10, C 11.
Lead times: A 8, B 19, C 33, D 24.
Weekly throughput from the week of the first start (5 Jan) to the week of the latest date
(13 Feb): 1, 0, 1, 0, 1, 1; monthly: January 2, February 2.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmo_lib import (
    DataValidationError,
    MissingDataError,
    PMOError,
    WorkCalendar,
    agile,
    evm,
    plots,
)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _d(*days):
    return pd.to_datetime(list(days))


@pytest.fixture
def items():
    return pd.DataFrame({
        "project_id": "P1",
        "id": list("ABCDEF"),
        "points": [3.0, 5.0, 8.0, 2.0, 5.0, 1.0],
        "created": _d("2026-01-02", "2026-01-02", "2026-01-02", "2026-01-21", "2026-02-04",
                      "2026-01-02"),
        "started": _d("2026-01-05", "2026-01-06", "2026-01-19", "2026-02-02", None,
                      "2026-02-09"),
        "done": _d("2026-01-09", "2026-01-20", "2026-02-03", "2026-02-13", None, None),
        "state": ["done", "done", "done", "done", "backlog", "in_progress"],
    })


@pytest.fixture
def sprints():
    return pd.DataFrame({
        "project_id": "P1", "sprint": [1, 2, 3],
        "start": _d("2026-01-05", "2026-01-19", "2026-02-02"),
        "finish": _d("2026-01-18", "2026-02-01", "2026-02-15"),
        "committed_points": [8.0, 10.0, 12.0], "completed_points": [3.0, 5.0, 10.0],
    })


# ----------------------------------------------------------------------------------------
# Velocity
# ----------------------------------------------------------------------------------------
def test_velocity_by_hand(sprints):
    v = agile.velocity(sprints).loc["P1"]
    assert v["sprints"] == 3
    assert v["velocity_mean"] == pytest.approx(6.0)
    assert v["velocity_std"] == pytest.approx(np.sqrt(13.0))   # ((−3)² + (−1)² + 4²) / 2
    assert (v["velocity_min"], v["velocity_max"]) == (3.0, 10.0)
    assert v["velocity_recent"] == pytest.approx(6.0)
    assert v["velocity_cv"] == pytest.approx(np.sqrt(13.0) / 6)
    assert v["commitment_reliability"] == pytest.approx(18 / 30)   # a ratio of sums
    assert agile.velocity(sprints, recent=2).loc["P1", "velocity_recent"] == 7.5


def test_velocity_several_projects_and_one_sprint(sprints):
    other = pd.DataFrame({"project_id": "P0", "sprint": [1], "start": _d("2026-01-05"),
                          "finish": _d("2026-01-09"), "committed_points": [0.0],
                          "completed_points": [4.0]})
    v = agile.velocity(pd.concat([sprints.iloc[::-1], other]))
    assert list(v.index) == ["P0", "P1"]
    assert np.isnan(v.loc["P0", "velocity_std"])                    # one sprint: no spread
    assert np.isnan(v.loc["P0", "commitment_reliability"])          # nothing committed
    assert v.loc["P1", "velocity_recent"] == pytest.approx(6.0)     # by number, not row
    with pytest.raises(DataValidationError, match=r"recent.*whole number >= 1"):
        agile.velocity(sprints, recent=0)


# ----------------------------------------------------------------------------------------
# Burnup and burndown
# ----------------------------------------------------------------------------------------
def test_burnup_per_sprint_by_hand(items, sprints):
    up = agile.burnup(items, sprints=sprints)
    assert list(up.index) == [("P1", 1), ("P1", 2), ("P1", 3)]
    assert list(up["date"]) == list(sprints["finish"])
    assert up["scope"].tolist() == [17, 19, 24]       # the scope line moves: D, then E added
    assert up["completed"].tolist() == [3, 8, 18]
    assert up["remaining"].tolist() == [14, 11, 6]
    count = agile.burnup(items, sprints=sprints, unit="items")
    assert count["scope"].tolist() == [4, 5, 6] and count["completed"].tolist() == [1, 2, 4]


def test_burnup_per_day(items):
    up = agile.burnup(items).loc["P1"]
    assert up.index[0] == pd.Timestamp("2026-01-02") and up.index[-1] == pd.Timestamp(
        "2026-02-13")                                  # first created .. latest date
    assert len(up) == 43 and up.index.is_monotonic_increasing
    assert up.loc["2026-01-20", "completed"] == 8 and up.loc["2026-01-19", "completed"] == 3
    assert up.loc["2026-01-20", "scope"] == 17 and up.loc["2026-01-21", "scope"] == 19
    weekly = agile.burnup(items, freq="W").loc["P1"]
    assert [d.day_name() for d in weekly.index[:-1]] == ["Sunday"] * 6
    assert weekly.index[-1] == pd.Timestamp("2026-02-13")    # and the last day
    ranged = agile.burnup(items, start="2026-01-10", end="2026-01-12").loc["P1"]
    assert list(ranged.index.day) == [10, 11, 12] and ranged["completed"].tolist() == [3] * 3


def test_burndown_with_scope_change_by_hand(items, sprints):
    down = agile.burndown(items, sprints=sprints)
    assert down["remaining"].tolist() == [14, 11, 6]
    assert down["scope_added"].tolist() == [0, 2, 7]
    assert down["top"].tolist() == [14, 9, -1]
    assert down["bottom"].tolist() == [0, -2, -7]
    np.testing.assert_allclose(down["top"] - down["bottom"], down["remaining"])
    daily = agile.burndown(items).loc["P1"]
    assert daily["scope_added"].iloc[0] == 0 and daily["scope_added"].iloc[-1] == 7


def test_burnup_in_points_needs_points(items):
    with pytest.raises(MissingDataError, match="column 'points': required column is missing "
                                               "for a burnup in points; pass unit='items'"):
        agile.burnup(items.drop(columns="points"))
    assert agile.burnup(items.drop(columns="points"), unit="items")["scope"].iloc[-1] == 6
    with pytest.raises(DataValidationError, match="unknown unit 'hours'; use one of "
                                                  "'points', 'items'"):
        agile.burnup(items, unit="hours")
    with pytest.raises(DataValidationError, match="unknown date grid 'M'; use one of 'D', 'W'"):
        agile.burnup(items, freq="M")


# ----------------------------------------------------------------------------------------
# Cumulative flow
# ----------------------------------------------------------------------------------------
def test_cumulative_flow_by_hand(items):
    cfd = agile.cumulative_flow(items).loc["P1"]
    assert list(cfd.columns) == list(agile.STATES)
    assert cfd.loc["2026-01-19"].tolist() == [1, 2, 0, 1]     # F | B, C | - | A
    assert cfd.loc["2026-02-13"].tolist() == [1, 1, 0, 4]     # E | F | - | A-D
    assert cfd.loc["2026-01-02"].tolist() == [4, 0, 0, 0]
    assert cfd.dtypes.eq(np.int64).all()


def test_cumulative_flow_with_review_dates(items):
    reviewed = items.assign(reviewed=_d(None, "2026-01-15", "2026-01-28", None, None, None))
    cfd = agile.cumulative_flow(reviewed).loc["P1"]
    assert cfd.loc["2026-01-16"].tolist() == [2, 0, 1, 1]     # C, F | - | B (15th) | A
    assert cfd.loc["2026-01-30"].tolist() == [2, 0, 1, 2]     # D, F | - | C (28th) | A, B
    # D skipped review: it goes from in progress straight to done.
    assert cfd.loc["2026-02-13", "review"] == 0


# ----------------------------------------------------------------------------------------
# Cycle time, lead time, throughput
# ----------------------------------------------------------------------------------------
def test_cycle_and_lead_times_by_hand(items):
    ct = agile.cycle_time(items)
    assert ct.name == "cycle_time" and ct.index.equals(items.index)
    np.testing.assert_array_equal(ct, [5, 15, 16, 12, np.nan, np.nan])
    np.testing.assert_array_equal(agile.lead_time(items), [8, 19, 33, 24, np.nan, np.nan])
    np.testing.assert_array_equal(agile.cycle_time(items, calendar=WorkCalendar()),
                                  [5, 11, 12, 10, np.nan, np.nan])
    holiday = WorkCalendar(holidays=["2026-01-19"])
    np.testing.assert_array_equal(agile.cycle_time(items, calendar=holiday),
                                  [5, 10, 11, 10, np.nan, np.nan])


def test_times_keep_the_index_of_the_items(items):
    shuffled = items.iloc[[3, 0, 5]].set_axis(["x", "y", "z"])
    assert agile.cycle_time(shuffled).to_dict() == pytest.approx(
        {"x": 12.0, "y": 5.0, "z": np.nan}, nan_ok=True)


def test_throughput_zero_filled(items):
    weekly = agile.throughput(items)
    assert weekly.name == "throughput" and weekly.dtype == np.int64
    p1 = weekly.loc["P1"]
    assert p1.tolist() == [1, 0, 1, 0, 1, 1]
    assert p1.index[0] == pd.Period("2026-01-05", "W") and p1.index.freqstr == "W-SUN"
    assert agile.throughput(items, "M").loc["P1"].tolist() == [2, 2]
    daily = agile.throughput(items, "D").loc["P1"]
    assert len(daily) == 40 and daily.sum() == 4                   # 5 Jan .. 13 Feb
    # An earlier end leaves out later work; a later end adds empty periods.
    assert agile.throughput(items, end="2026-01-25").loc["P1"].tolist() == [1, 0, 1]
    assert agile.throughput(items, end="2026-03-01").loc["P1"].tolist() == [1, 0, 1, 0, 1,
                                                                            1, 0, 0]
    with pytest.raises(DataValidationError, match="unknown period 'Q'; use one of 'D', 'W', "
                                                  "'M'"):
        agile.throughput(items, "Q")


def test_throughput_per_project_and_no_start(items):
    other = pd.DataFrame({"project_id": "P2", "id": ["Z"], "points": [1.0],
                          "created": _d("2026-01-05"), "started": _d(None), "done": _d(None),
                          "state": ["backlog"]})
    tp = agile.throughput(pd.concat([items, other], ignore_index=True))
    assert list(tp.index.get_level_values("project_id").unique()) == ["P1"]  # P2: no start


# ----------------------------------------------------------------------------------------
# Monte Carlo forecasts
# ----------------------------------------------------------------------------------------
def test_forecast_when_constant_history_is_exact():
    assert agile.forecast_when([5, 5, 5], 12) == {"within_50": 3, "within_85": 3,
                                                   "within_95": 3}
    assert agile.forecast_when([5, 5, 5], 15, percentiles=[99])["within_99"] == 3
    assert agile.forecast_when([5, 5, 5], 16, percentiles=[1])["within_1"] == 4
    assert agile.forecast_when([5.0], 0)["within_95"] == 0
    assert agile.forecast_when(pd.Series([2.5] * 4), 10)["within_50"] == 4   # floats, exact


def test_forecast_how_many_constant_history_is_exact():
    assert agile.forecast_how_many([5, 5, 5], 4) == {"at_least_50": 20.0, "at_least_85": 20.0,
                                                     "at_least_95": 20.0}
    assert agile.forecast_how_many([5, 5], 0)["at_least_85"] == 0.0


def test_forecast_when_matches_the_geometric_distribution():
    """History [0, 1], one item: T ~ Geometric(1/2), P(T <= k) = 1 − 2^-k."""
    r = agile.forecast_when([0, 1], 1, percentiles=(40, 85, 95), iterations=20_000, seed=3)
    assert r == {"within_40": 1, "within_85": 3, "within_95": 5}


def test_forecast_how_many_matches_the_binomial_distribution():
    """History [0, 1] over 10 periods: X ~ Binomial(10, 1/2); P(X >= 5) = 0.62,
    P(X >= 6) = 0.38, P(X >= 3) = 0.945, P(X >= 4) = 0.83, P(X >= 2) = 0.989."""
    r = agile.forecast_how_many([0, 1], 10, iterations=20_000, seed=3)
    assert r == {"at_least_50": 5.0, "at_least_85": 3.0, "at_least_95": 2.0}


def test_forecasts_are_reproducible_with_a_seed():
    history = [0, 3, 5, 8, 2, 4, 1, 0, 6]
    a = agile.forecast_when(history, 40, seed=7)
    assert a == agile.forecast_when(history, 40, seed=7)
    assert a == agile.forecast_when(history, 40, seed=np.random.default_rng(7))
    runs = agile.simulate_when(history, 40, seed=7)
    assert runs.shape == (10_000,) and np.array_equal(runs, agile.simulate_when(history, 40,
                                                                                seed=7))
    assert a["within_85"] == int(np.percentile(runs, 85, method="inverted_cdf"))
    b = agile.forecast_how_many(history, 8, seed=7)
    assert b == agile.forecast_how_many(history, 8, seed=7)
    totals = agile.simulate_how_many(history, 8, seed=7)
    assert b["at_least_85"] == np.sort(totals)[1500]    # the 15th percentile


def test_how_many_confidence_is_the_low_percentile():
    r = agile.forecast_how_many([0, 3, 5, 8, 2, 4], 10, percentiles=(50, 70, 85, 95), seed=1)
    assert list(r) == ["at_least_50", "at_least_70", "at_least_85", "at_least_95"]
    assert r["at_least_50"] >= r["at_least_70"] >= r["at_least_85"] >= r["at_least_95"]
    assert r["at_least_85"] < r["at_least_50"]
    w = agile.forecast_when([0, 3, 5, 8, 2, 4], 30, percentiles=(50, 70, 85, 95), seed=1)
    assert w["within_50"] <= w["within_70"] <= w["within_85"] <= w["within_95"]
    assert w["within_50"] < w["within_95"]


@pytest.mark.parametrize(("call", "match"), [
    (lambda: agile.forecast_when([0, 0, 0], 5),
     r"forecast_when, column 'throughput_history': cannot forecast: nothing was done in any "
     r"of the 3 periods"),
    (lambda: agile.forecast_how_many([0], 5), r"cannot forecast"),
    (lambda: agile.forecast_when([], 5), r"is empty; give the throughput of past periods"),
    (lambda: agile.forecast_when([3, -1], 5), r"value -1 at position 1 is not a finite "
                                              r"number >= 0"),
    (lambda: agile.forecast_when([3, np.nan], 5), r"at position 1 is not a finite"),
    (lambda: agile.forecast_when([3], -2), r"column 'items': need a finite number >= 0, "
                                           r"got -2"),
    (lambda: agile.forecast_how_many([3], 2.5), r"column 'periods': need a whole number >= 0"),
    (lambda: agile.forecast_when([3], 5, iterations=0), r"iterations.*whole number >= 1"),
    (lambda: agile.forecast_when([3], 5, percentiles=(50, 101)),
     r"percentiles in \(0, 100\], got \[50, 101\]"),
    (lambda: agile.forecast_how_many([3], 5, percentiles=()), r"percentiles in \(0, 100\]"),
])
def test_forecast_errors(call, match):
    with pytest.raises(DataValidationError, match=match):
        call()


histories = st.lists(st.integers(0, 12), min_size=1, max_size=15).filter(any)


@settings(max_examples=40)
@given(history=histories, items=st.integers(0, 60), extra=st.integers(1, 30),
       seed=st.integers(0, 2**32 - 1))
def test_forecast_when_invariants(history, items, extra, seed):
    runs = agile.simulate_when(history, items, iterations=200, seed=seed)
    more = agile.simulate_when(history, items + extra, iterations=200, seed=seed)
    assert np.all(more >= runs)                 # more items never finish earlier, run by run
    assert runs.min() >= np.ceil(items / max(history))   # at most max(history) per period
    r = agile.forecast_when(history, items, iterations=200, seed=seed,
                            percentiles=(10, 50, 85, 95, 100))
    values = list(r.values())
    assert values == sorted(values) and values[-1] == runs.max()
    assert all(isinstance(v, int) for v in values)


@settings(max_examples=40)
@given(history=histories, periods=st.integers(0, 30), seed=st.integers(0, 2**32 - 1))
def test_forecast_how_many_invariants(history, periods, seed):
    totals = agile.simulate_how_many(history, periods, iterations=200, seed=seed)
    assert np.all(totals >= periods * min(history)) and np.all(totals <= periods * max(history))
    r = agile.forecast_how_many(history, periods, iterations=200, seed=seed,
                                percentiles=(10, 50, 85, 95, 100))
    values = list(r.values())
    assert values == sorted(values, reverse=True) and values[-1] == totals.min()


def test_forecast_from_a_throughput_series(items):
    history = agile.throughput(items).loc["P1"]            # [1, 0, 1, 0, 1, 1]
    r = agile.forecast_when(history, 4, seed=0, iterations=2_000)
    assert 4 <= r["within_50"] <= r["within_95"]


def test_sparse_history_is_fast_and_bounded():
    r = agile.forecast_when([0] * 99 + [1], 50, iterations=2_000, seed=0)
    assert 4_000 < r["within_50"] < 6_000                  # mean 5,000 periods, no endless loop


# ----------------------------------------------------------------------------------------
# AgileEVM (Sulaiman, Barton & Blackburn 2006)
# ----------------------------------------------------------------------------------------
@pytest.fixture
def release_sprints():
    """Release of PRP 100 points in PS 4 two-week sprints, BAC 40 000; 10 points added in
    sprint 2."""
    return pd.DataFrame({
        "project_id": "R1", "sprint": [1, 2, 3],
        "start": _d("2026-01-05", "2026-01-19", "2026-02-02"),
        "finish": _d("2026-01-18", "2026-02-01", "2026-02-15"),
        "committed_points": [25.0, 25.0, 30.0], "completed_points": [20.0, 25.0, 30.0],
        "actual_cost": [10_000.0, 11_000.0, 12_000.0], "added_points": [0.0, 10.0, None],
    })


@pytest.fixture
def releases():
    return pd.DataFrame({"project_id": ["R1"], "planned_points": [100.0],
                         "planned_sprints": [4], "bac": [40_000.0]})


def test_agile_evm_hand_case(release_sprints, releases):
    """The paper's formulas by hand, sprint n: EPC = n / PS, APC = PC / PRP, PV = EPC·BAC,
    EV = APC·BAC, SPI = EV / PV, CPI = EV / AC, EAC = BAC / CPI, forecast = PS / SPI.

    n=1: PRP 100, PC 20, AC 10 000: EPC .25, APC .20, PV 10 000, EV 8 000, SPI .8, CPI .8,
         EAC 50 000, forecast 5 sprints.
    n=2: PRP 110, PC 45, AC 21 000: EPC .5, APC 45/110, PV 20 000, EV 16 363.64,
         SPI .8182, CPI .7792, EAC 51 333.33, forecast 4.889.
    n=3: PRP 110, PC 75, AC 33 000: EPC .75, APC 75/110, PV 30 000, EV 27 272.73,
         SPI .9091, CPI .8264, EAC 48 400, forecast 4.4.
    """
    e = agile.agile_evm(release_sprints, releases)
    assert list(e.columns) == list(agile.AGILE_EVM_COLUMNS)
    assert list(e.index) == [("R1", 1), ("R1", 2), ("R1", 3)]
    assert e["release_points"].tolist() == [100, 110, 110]
    assert e["completed_to_date"].tolist() == [20, 45, 75]
    np.testing.assert_allclose(e["expected_complete"], [0.25, 0.5, 0.75])
    np.testing.assert_allclose(e["actual_complete"], [0.2, 45 / 110, 75 / 110])
    np.testing.assert_allclose(e["pv"], [10_000, 20_000, 30_000])
    np.testing.assert_allclose(e["ev"], [8_000, 16_363.636364, 27_272.727273], rtol=1e-9)
    np.testing.assert_allclose(e["ac"], [10_000, 21_000, 33_000])
    np.testing.assert_allclose(e["spi"], [0.8, 0.818182, 0.909091], rtol=1e-6)
    np.testing.assert_allclose(e["cpi"], [0.8, 0.779221, 0.826446], rtol=1e-6)
    np.testing.assert_allclose(e["eac"], [50_000, 51_333.333333, 48_400], rtol=1e-9)
    np.testing.assert_allclose(e["forecast_sprints"], [5.0, 4.888889, 4.4], rtol=1e-6)
    np.testing.assert_allclose(e["forecast_sprints"], 4 / e["spi"])    # PS / SPI
    # = PRP / mean velocity (the burndown's forecast, the paper's appendix)
    np.testing.assert_allclose(e["forecast_sprints"],
                               e["release_points"] / (e["completed_to_date"] / [1, 2, 3]))
    # 5 sprints × 14 days from 5 Jan: 70 days, the last on 15 Mar; 4.4 × 14 = 61.6 -> 62.
    assert e["forecast_finish"].tolist() == list(_d("2026-03-15", "2026-03-14", "2026-03-07"))
    assert e["bac"].eq(40_000).all()


def test_agile_evm_uses_the_evm_indicators(release_sprints, releases):
    e = agile.agile_evm(release_sprints, releases, method="additive")
    ind = evm.indicators(e["pv"], e["ev"], e["ac"], e["bac"], method="additive")
    pd.testing.assert_frame_equal(e[list(evm.INDICATORS)], ind, check_names=False)
    assert e["eac"].iloc[0] == pytest.approx(10_000 + 32_000)     # AC + (BAC − EV)
    with pytest.raises(DataValidationError, match="unknown EAC method 'median'; use one of "
                                                  "'cpi', 'additive'"):
        agile.agile_evm(release_sprints, releases, method="median")


def test_agile_evm_after_the_plan_and_before_progress(release_sprints, releases):
    late = release_sprints.assign(sprint=[1, 2, 5], start=_d("2026-01-05", "2026-01-19",
                                                             "2026-03-02"),
                                  finish=_d("2026-01-18", "2026-02-01", "2026-03-15"))
    e = agile.agile_evm(late, releases)
    assert e.loc[("R1", 5), "expected_complete"] == 1.0 and e.loc[("R1", 5), "pv"] == 40_000
    assert e.loc[("R1", 5), "forecast_sprints"] == pytest.approx(5 / (75 / 110))  # n / APC
    none = agile.agile_evm(release_sprints.assign(completed_points=0.0), releases)
    assert none["forecast_sprints"].isna().all() and none["forecast_finish"].isna().all()
    assert none["cpi"].eq(0).all() and none["eac"].isna().all()


def test_agile_evm_only_projects_with_a_release(release_sprints, releases, sprints):
    both = pd.concat([release_sprints, sprints.assign(actual_cost=1.0)], ignore_index=True)
    assert agile.agile_evm(both, releases).index.get_level_values(0).unique().tolist() == ["R1"]


def test_agile_evm_errors(release_sprints, releases):
    with pytest.raises(MissingDataError, match="sprints, row 1, column 'actual_cost': "
                                               "required column is missing"):
        agile.agile_evm(release_sprints.drop(columns="actual_cost"), releases)
    with pytest.raises(DataValidationError,
                       match=r"sprints, row 4, ID 'R1 sprint 3', column 'completed_points': 115 "
                             r"points completed to date exceed the release's 110 points"):
        agile.agile_evm(release_sprints.assign(completed_points=[20.0, 25.0, 70.0]), releases)
    with pytest.raises(DataValidationError, match="release scope falls to -10 points"):
        agile.agile_evm(release_sprints.assign(added_points=[0.0, -110.0, 0.0]), releases)
    with pytest.raises(DataValidationError, match=r"releases, row 2, ID 'R1', column "
                                                  r"'planned_sprints': 0 is below 1"):
        agile.agile_evm(release_sprints, releases.assign(planned_sprints=[0]))
    with pytest.raises(DataValidationError, match="'planned_points': is 0"):
        agile.agile_evm(release_sprints, releases.assign(planned_points=[0.0]))
    with pytest.raises(MissingDataError, match="releases, row 1, column 'bac'"):
        agile.agile_evm(release_sprints, releases.drop(columns="bac"))


# ----------------------------------------------------------------------------------------
# Validation: every bad input names the table, the row, the item and the column
# ----------------------------------------------------------------------------------------
def _set(frame, row, column, value):
    out = frame.copy()
    out[column] = out[column].astype(object)
    out.loc[row, column] = value
    return out


@pytest.mark.parametrize(("change", "error", "match"), [
    (lambda t: t.drop(columns=["state", "done"]), MissingDataError,
     r"items, row 1, column 'done': required column is missing"),
    (lambda t: _set(t, 1, "points", -2.0), DataValidationError,
     r"items, row 3, ID 'B', column 'points': -2 is below 0 \(it cannot be negative\)"),
    (lambda t: _set(t, 1, "points", "five"), DataValidationError,
     r"row 3, ID 'B', column 'points': 'five' is not a finite number"),
    (lambda t: _set(t, 2, "done", pd.Timestamp("2026-01-10")), DataValidationError,
     r"items, row 4, ID 'C', column 'done': 2026-01-10 is before started 2026-01-19"),
    (lambda t: _set(t, 0, "started", pd.Timestamp("2026-01-01")), DataValidationError,
     r"row 2, ID 'A', column 'started': 2026-01-01 is before created 2026-01-02"),
    (lambda t: _set(t, 4, "state", "blocked"), DataValidationError,
     r"items, row 6, ID 'E', column 'state': unknown state 'blocked'; use one of 'backlog', "
     r"'in_progress', 'review', 'done'"),
    (lambda t: _set(t, 5, "id", "A"), DataValidationError,
     r"row 2, ID 'A', column 'id': duplicate item ID in project 'P1'"),
    (lambda t: _set(t, 5, "id", None), DataValidationError,
     r"row 7, column 'id': is blank; every item needs an ID"),
    (lambda t: _set(t, 5, "created", None), DataValidationError,
     r"row 7, ID 'F', column 'created': is blank; a date is required"),
    (lambda t: _set(t, 5, "created", "yesterday"), DataValidationError,
     r"row 7, ID 'F', column 'created': 'yesterday' is not a date"),
    (lambda t: _set(t, 0, "state", "in_progress"), DataValidationError,
     r"row 2, ID 'A', column 'state': is 'in_progress' but the item was done on 2026-01-09"),
    (lambda t: _set(t, 5, "state", "done"), DataValidationError,
     r"row 7, ID 'F', column 'done': is blank but the state is 'done'"),
    (lambda t: _set(t, 5, "state", "backlog"), DataValidationError,
     r"row 7, ID 'F', column 'state': is 'backlog' but the item started on 2026-02-09"),
    (lambda t: _set(t, 4, "state", "review"), DataValidationError,
     r"row 6, ID 'E', column 'state': is 'review' but the item has no started date"),
    (lambda t: _set(t, 3, "started", None), DataValidationError,
     r"row 5, ID 'D', column 'started': is blank but the item has a done date"),
    (lambda t: _set(t, 5, "project_id", " "), DataValidationError,
     r"row 7, ID 'F', column 'project_id': is blank"),
])
def test_bad_items(items, change, error, match):
    with pytest.raises(error, match=match):
        agile.check_items(change(items))
    with pytest.raises(error, match=match):           # every public function checks
        agile.cumulative_flow(change(items))


def test_every_problem_is_listed(items):
    bad = _set(_set(items, 1, "points", -1.0), 4, "state", "blocked")
    with pytest.raises(DataValidationError, match="2 problems in the data") as info:
        agile.cycle_time(bad)
    assert [(p.row, p.id, p.column) for p in info.value.problems] == [
        (3, "B", "points"), (6, "E", "state")]
    assert isinstance(info.value, PMOError) and isinstance(info.value, ValueError)


def test_items_accept_text_dates_and_are_not_mutated(items):
    text = items.assign(**{c: items[c].dt.strftime("%Y-%m-%d") for c in
                           ("created", "started", "done")})
    before = text.copy()
    pd.testing.assert_frame_equal(agile.burnup(text), agile.burnup(items))
    pd.testing.assert_frame_equal(text, before)
    clean = agile.check_items(text)
    assert clean["created"].dtype == "datetime64[ns]" and clean.index.equals(text.index)
    assert agile.check_items(items.assign(state=items["state"].str.upper()))["state"].tolist() \
        == items["state"].tolist()


@pytest.mark.parametrize(("change", "error", "match"), [
    (lambda s: s.drop(columns="finish"), MissingDataError,
     r"sprints, row 1, column 'finish': required column is missing"),
    (lambda s: _set(s, 1, "sprint", 1), DataValidationError,
     r"sprints, row 3, ID 'P1 sprint 1', column 'sprint': sprint 1 appears more than once in "
     r"project 'P1'"),
    (lambda s: _set(s, 1, "sprint", 1.5), DataValidationError,
     r"row 3, ID 'P1 sprint 1.5', column 'sprint': 1.5 is not a whole number"),
    (lambda s: _set(s, 1, "sprint", 0), DataValidationError,
     r"column 'sprint': 0 is below 1"),
    (lambda s: _set(s, 2, "finish", pd.Timestamp("2026-02-01")), DataValidationError,
     r"row 4, ID 'P1 sprint 3', column 'finish': 2026-02-01 is before the start 2026-02-02"),
    (lambda s: _set(s, 1, "start", pd.Timestamp("2026-01-16")), DataValidationError,
     r"row 3, ID 'P1 sprint 2', column 'start': starts 2026-01-16, before sprint 1 finishes "
     r"on 2026-01-18"),
    (lambda s: _set(s, 0, "completed_points", -3.0), DataValidationError,
     r"row 2, ID 'P1 sprint 1', column 'completed_points': -3 is below 0"),
    (lambda s: _set(s, 0, "committed_points", None), DataValidationError,
     r"column 'committed_points': is blank; a number is required"),
    (lambda s: _set(s, 0, "start", None), DataValidationError,
     r"row 2, ID 'P1 sprint 1', column 'start': is blank; a date is required"),
    (lambda s: s.assign(actual_cost=[1.0, -1.0, 1.0]), DataValidationError,
     r"row 3, ID 'P1 sprint 2', column 'actual_cost': -1 is below 0"),
])
def test_bad_sprints(sprints, change, error, match):
    with pytest.raises(error, match=match):
        agile.velocity(change(sprints))


def test_sprints_of_different_projects_may_overlap(sprints):
    both = pd.concat([sprints, sprints.assign(project_id="P2")], ignore_index=True)
    assert agile.check_sprints(both)["sprint"].dtype == np.int64
    assert agile.velocity(both).index.tolist() == ["P1", "P2"]


def test_not_a_dataframe():
    with pytest.raises(DataValidationError, match="items: expected a DataFrame, got list"):
        agile.cycle_time([1, 2])


# ----------------------------------------------------------------------------------------
# Invariants on random item histories
# ----------------------------------------------------------------------------------------
@st.composite
def item_tables(draw):
    n = draw(st.integers(1, 12))
    rows = []
    for k in range(n):
        created = draw(st.integers(0, 20))
        started = draw(st.one_of(st.none(), st.integers(created, 30)))
        done = None if started is None else draw(st.one_of(st.none(), st.integers(started, 40)))
        state = "backlog" if started is None else ("done" if done is not None else
                                                    draw(st.sampled_from(["in_progress",
                                                                          "review"])))
        rows.append({"project_id": draw(st.sampled_from(["P1", "P2"])), "id": f"I{k}",
                     "points": float(draw(st.integers(0, 8))), "created": created,
                     "started": started, "done": done, "state": state})
    df = pd.DataFrame(rows)
    origin = pd.Timestamp("2026-03-01")
    for c in ("created", "started", "done"):
        df[c] = origin + pd.to_timedelta(df[c].astype(float), unit="D")
    return df


@settings(max_examples=40)
@given(table=item_tables())
def test_cfd_counts_sum_to_items_created(table):
    cfd = agile.cumulative_flow(table)
    project = cfd.index.get_level_values("project_id").to_numpy()
    day = cfd.index.get_level_values("date").to_numpy()
    created = (table["project_id"].to_numpy()[None, :] == project[:, None]) & (
        table["created"].to_numpy()[None, :] <= day[:, None])
    done = created & (table["done"].to_numpy()[None, :] <= day[:, None])
    assert (cfd.to_numpy() >= 0).all()
    np.testing.assert_array_equal(cfd.sum(axis=1), created.sum(axis=1))
    np.testing.assert_array_equal(cfd["done"], done.sum(axis=1))
    up = agile.burnup(table, unit="items")
    np.testing.assert_array_equal(up["scope"], created.sum(axis=1))
    np.testing.assert_array_equal(up["completed"], cfd["done"])
    assert (up.groupby(level=0)["scope"].diff().fillna(0) >= 0).all()


@settings(max_examples=40)
@given(table=item_tables())
def test_throughput_counts_every_done_item(table):
    tp = agile.throughput(table, "W")
    assert tp.sum() == table["done"].notna().sum()
    assert (tp >= 0).all()
    ct = agile.cycle_time(table)
    assert (ct.dropna() >= 1).all() and ct.notna().sum() == table["done"].notna().sum()
    assert (agile.lead_time(table).dropna() >= ct.dropna()).all()


# ----------------------------------------------------------------------------------------
# Charts draw the engine's data
# ----------------------------------------------------------------------------------------
def _lines(ax):
    return {line.get_label(): line for line in ax.get_lines()}


def test_burnup_chart_per_sprint(items, sprints):
    up = agile.burnup(items, sprints=sprints)
    ax = plots.burnup(up)
    lines = _lines(ax)
    assert list(lines["Scope"].get_ydata()) == [17, 19, 24]
    assert list(lines["Completed"].get_ydata()) == [3, 8, 18]
    assert list(lines["Completed"].get_xdata()) == [1, 2, 3]
    assert ax.get_title(loc="left") == "P1: release burnup"


def test_burnup_chart_per_day_and_project_choice(items):
    two = pd.concat([items, items.assign(project_id="P2")], ignore_index=True)
    up = agile.burnup(two)
    with pytest.raises(DataValidationError, match=r"the table has 2 projects; choose one with "
                                                  r"project=\.\.\., one of 'P1', 'P2'"):
        plots.burnup(up)
    with pytest.raises(DataValidationError, match="ID 'P9', column 'project': no such project"):
        plots.burnup(up, project="P9")
    _, ax = plt.subplots()
    assert plots.burnup(up, project="P2", ax=ax) is ax
    np.testing.assert_array_equal(_lines(ax)["Scope"].get_ydata(), up.loc["P2", "scope"])


def test_cumulative_flow_chart(items):
    cfd = agile.cumulative_flow(items)
    ax = plots.cumulative_flow(cfd)
    lines = _lines(ax)
    rows = cfd.loc["P1"]
    np.testing.assert_array_equal(lines["done"].get_ydata(), rows["done"])
    np.testing.assert_array_equal(lines["in_progress"].get_ydata(),
                                  rows[["in_progress", "review", "done"]].sum(axis=1))
    np.testing.assert_array_equal(lines["backlog"].get_ydata(), rows.sum(axis=1))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(agile.STATES)


def test_velocity_chart(sprints):
    ax = plots.velocity(sprints)
    bars = {c.get_label(): [p.get_height() for p in c] for c in ax.containers}
    assert bars == {"Committed": [8, 10, 12], "Completed": [3, 5, 10]}
    lines = _lines(ax)
    assert lines["Mean velocity 6.0"].get_ydata()[0] == pytest.approx(6.0)
    assert lines["Last 3 sprints 6.0"].get_ydata()[0] == pytest.approx(6.0)


def test_forecast_chart():
    history = [0, 3, 5, 8, 2, 4]
    runs = agile.simulate_when(history, 30, iterations=2_000, seed=5)
    forecast = agile.forecast_when(history, 30, iterations=2_000, seed=5)
    ax = plots.throughput_forecast(runs, forecast, unit="weeks")
    lines = [line for line in ax.get_lines()]
    assert [line.get_xdata()[0] for line in lines] == list(forecast.values())
    assert lines[1].get_label() == f"85 %: within {forecast['within_85']} weeks"
    assert sum(p.get_height() for p in ax.patches) == pytest.approx(1.0)
    totals = agile.simulate_how_many(history, 10, iterations=2_000, seed=5)
    many = agile.forecast_how_many(history, 10, iterations=2_000, seed=5)
    ax = plots.throughput_forecast(totals, many, unit="items")
    assert ax.get_lines()[1].get_label() == f"85 %: at least {many['at_least_85']:g} items"


def test_blank_optional_columns_count_as_absent(sprints, items):
    # A dataset without sprint costs or estimates has the columns, all blank (as load_portfolio
    # gives them): the metrics that do not need them still run.
    blank = sprints.assign(actual_cost=np.nan, added_points=np.nan)
    assert agile.velocity(blank).equals(agile.velocity(sprints))
    with pytest.raises(DataValidationError, match="actual_cost"):
        agile.check_sprints(sprints.assign(actual_cost=[1.0, np.nan, 2.0]))
    unestimated = items.assign(points=np.nan)
    pd.testing.assert_series_equal(agile.cycle_time(unestimated), agile.cycle_time(items))


def test_agile_evm_release_forecast_counts_the_gaps_between_sprints():
    # Two-week sprints worked Monday to Friday: 26 Jan-6 Feb and 9-20 Feb (cadence 14 days,
    # length 12). After sprint 2: PRP 40 + 2 added, 18 points done, APC 18/42, so the release
    # needs 2 / (18/42) = 4.67 sprints: it ends ceil(3.67 x 14 + 12) - 1 = 63 days after
    # 26 January, on Monday 30 March (the fifth sprint's third day).
    sprints = pd.DataFrame({
        "project_id": "P2", "sprint": [1, 2], "start": _d("2026-01-26", "2026-02-09"),
        "finish": _d("2026-02-06", "2026-02-20"), "committed_points": [10.0, 10.0],
        "completed_points": [8.0, 10.0], "added_points": [0.0, 2.0],
        "actual_cost": [1000.0, 1100.0]})
    releases = pd.DataFrame({"project_id": ["P2"], "planned_points": [40.0],
                             "planned_sprints": [4], "bac": [4000.0]})
    e = agile.agile_evm(sprints, releases).loc[("P2", 2)]
    assert e["forecast_sprints"] == pytest.approx(2 / (18 / 42))
    assert e["forecast_finish"] == pd.Timestamp("2026-03-30")
    assert e["spi"] == pytest.approx((18 / 42) / 0.5)
    assert e["cpi"] == pytest.approx((18 / 42) * 4000 / 2100)
