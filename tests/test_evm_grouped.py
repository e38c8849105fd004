"""Grouped, time-phased EVM: ``evm.cumulative_pv_by`` and ``evm.period_indicators``.

They must give exactly what the per-task functions give once summed per group (checked on
random portfolios with every PV curve, milestones, dates in any order), plus hand-checked
values on the mini portfolio and every bad input they name.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmo_lib import DataValidationError, MissingDataError, WorkCalendar, evm

CAL = WorkCalendar(holidays=["2026-01-19", "2026-04-06", "2026-12-25"])


def random_tasks(seed: int, n: int, groups: int, milestones: float = 0.2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = CAL.add_working_days(np.full(n, np.datetime64("2026-01-05")),
                                 rng.integers(0, 200, n))
    duration = np.where(rng.random(n) < milestones, 0, rng.integers(1, 90, n))
    return pd.DataFrame({"project_id": rng.choice([f"P{k}" for k in range(groups)], n),
                         "budget": rng.uniform(0, 1e5, n).round(2),
                         "baseline_start": start,
                         "baseline_finish": CAL.finish_date(start, duration)})


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 60), groups=st.integers(1, 6),
       curve=st.sampled_from(evm.PV_CURVES))
def test_cumulative_pv_by_equals_the_per_task_matrix_summed(seed, n, groups, curve):
    tasks = random_tasks(seed, n, groups)
    rng = np.random.default_rng(seed)
    # Dates in any order, repeats, before the first start, on weekends and holidays, after
    # every finish.
    dates = pd.to_datetime(rng.choice(pd.date_range("2025-12-20", "2027-03-31"), 25))
    got = evm.cumulative_pv_by(tasks, CAL, dates, curve=curve)
    per_task = evm.cumulative_pv(tasks, CAL, dates, curve=curve)
    want = pd.DataFrame(per_task).groupby(tasks["project_id"].to_numpy()).sum()
    assert list(got.index) == sorted(tasks["project_id"].unique())
    assert list(got.columns) == list(dates)
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-9, atol=1e-6)


def test_cumulative_pv_by_hand_checked(mini):
    # tests/data/mini: A1 1000 over 5-9 Jan, A2 2000 over 10 working days 12-26 Jan (19 Jan
    # a holiday), both P1; B1 400 from 27 Jan (P2). On 16 Jan P1 has 1000 + 5/10 of 2000.
    got = evm.cumulative_pv_by(mini.tasks, mini.calendar, ["2026-01-16", "2026-02-27"])
    assert got.loc["P1"].tolist() == [2000.0, 3000.0]
    assert got.loc["P2"].tolist() == [0.0, 400.0]
    by_programme = evm.cumulative_pv_by(mini.tasks, mini.calendar, ["2026-01-16"],
                                        by=np.array(["X"] * len(mini.tasks)))
    assert by_programme.loc["X"].tolist() == [2000.0]
    assert by_programme.index.name == "group"


def test_cumulative_pv_by_milestone_lands_on_its_date():
    tasks = pd.DataFrame({"project_id": ["M"], "budget": [500.0],
                          "baseline_start": pd.to_datetime(["2026-01-10"]),  # a Saturday
                          "baseline_finish": pd.to_datetime(["2026-01-09"])})
    got = evm.cumulative_pv_by(tasks, CAL, ["2026-01-08", "2026-01-09", "2026-01-10"])
    assert got.loc["M"].tolist() == [0.0, 500.0, 500.0]


@pytest.mark.parametrize("by, message", [
    ("programme", "no column 'programme'"),
    (["P1", "P2"], "2 group labels for 4 tasks"),
    (pd.Series(["P1", None, "P1", "P2"], name="owner"), "task at position 1 has no owner"),
])
def test_cumulative_pv_by_bad_grouping(mini, by, message):
    with pytest.raises(DataValidationError, match=message):
        evm.cumulative_pv_by(mini.tasks, mini.calendar, ["2026-01-16"], by=by)


def test_cumulative_pv_by_unknown_curve(mini):
    with pytest.raises(DataValidationError, match="unknown PV curve 'bell'"):
        evm.cumulative_pv_by(mini.tasks, mini.calendar, ["2026-01-16"], curve="bell")


def _progress(tasks, dates, seed=0):
    rng = np.random.default_rng(seed)
    pct = np.sort(rng.uniform(0, 100, (len(tasks), len(dates))).round(1), axis=1)
    ac = np.sort(rng.uniform(0, 1e4, (len(tasks), len(dates))).round(2), axis=1)
    return pct, ac


def test_period_indicators_equal_the_per_project_figures():
    tasks = random_tasks(7, 300, 9)
    dates = pd.period_range("2026-01", periods=14, freq="M").end_time.normalize()
    pct, ac = _progress(tasks, dates)
    got = evm.period_indicators(tasks, CAL, dates, pct, ac, method="cpi_spi")
    assert got.index.names == ["project_id", "date"]
    assert list(got.columns) == ["bac", "pv", "ev", "ac", *evm.INDICATORS]
    for pid, mine in tasks.groupby("project_id"):
        rows = tasks.index.get_indexer(mine.index)
        pv = evm.cumulative_pv(mine, CAL, dates).sum(axis=0)
        ev = (mine["budget"].to_numpy()[:, None] * pct[rows] / 100).sum(axis=0)
        cost = ac[rows].sum(axis=0)
        bac = mine["budget"].sum()
        want = evm.indicators(pv, ev, cost, np.full(len(dates), bac), method="cpi_spi")
        one = got.loc[pid]
        np.testing.assert_allclose(one["pv"], pv, rtol=1e-12)
        np.testing.assert_allclose(one["ev"], ev, rtol=1e-12)
        np.testing.assert_allclose(one["ac"], cost, rtol=1e-12)
        assert one["bac"].tolist() == pytest.approx([bac] * len(dates))
        for k in evm.INDICATORS:
            np.testing.assert_allclose(one[k], want[k], rtol=1e-9, equal_nan=True)


def test_period_indicators_one_group_is_the_portfolio_rollup(mini):
    dates = pd.to_datetime(["2026-01-16", "2026-02-27"])
    # rows A1, A2, M1 (a milestone with no budget), B1
    pct = np.array([[100, 100], [40, 100], [0, 100], [0, 50]], dtype=float)
    ac = np.array([[1100, 1100], [700, 2300], [0, 0], [0, 250]], dtype=float)
    per_project = evm.period_indicators(mini.tasks, mini.calendar, dates, pct, ac)
    total = evm.period_indicators(mini.tasks, mini.calendar, dates, pct, ac,
                                  by=np.zeros(4, dtype=int))
    # The module docstring of tests/test_evm.py works these figures by hand.
    assert per_project.loc[("P1", dates[0]), ["pv", "ev", "ac"]].tolist() == [2000, 1800, 1800]
    assert per_project.loc[("P2", dates[1]), "cpi"] == pytest.approx(0.8)
    summed = per_project.groupby(level="date")[["pv", "ev", "ac", "bac"]].sum()
    np.testing.assert_allclose(total[["pv", "ev", "ac", "bac"]].to_numpy(), summed.to_numpy())
    assert total["spi"].tolist() == pytest.approx([1800 / 2000, 3200 / 3400])


@pytest.mark.parametrize("cell, value, message", [
    ("pct", 100.5, r"percent complete outside 0-100 or missing: 100.5 for the task at "
                   r"position 1 \(P1\) on 2026-02-27"),
    ("pct", np.nan, "percent complete outside 0-100 or missing: nan"),
    ("ac", -1.0, r"actual cost negative or missing: -1.0 for the task at position 1 \(P1\)"),
])
def test_period_indicators_bad_progress(mini, cell, value, message):
    dates = ["2026-01-16", "2026-02-27"]
    pct, ac = np.full((4, 2), 50.0), np.full((4, 2), 10.0)
    (pct if cell == "pct" else ac)[1, 1] = value
    with pytest.raises(DataValidationError, match=message):
        evm.period_indicators(mini.tasks, mini.calendar, dates, pct, ac)


def test_period_indicators_bad_shape_and_method(mini):
    dates = ["2026-01-16", "2026-02-27"]
    with pytest.raises(DataValidationError, match=r"percent_complete.*shape \(4, 1\)"):
        evm.period_indicators(mini.tasks, mini.calendar, dates, np.zeros((4, 1)),
                              np.zeros((4, 2)))
    with pytest.raises(DataValidationError, match="'new_etc' needs an estimate"):
        evm.period_indicators(mini.tasks, mini.calendar, dates, np.zeros((4, 2)),
                              np.zeros((4, 2)), method="new_etc")
    with pytest.raises(DataValidationError, match="unknown EAC method 'median'"):
        evm.period_indicators(mini.tasks, mini.calendar, dates, np.zeros((4, 2)),
                              np.zeros((4, 2)), method="median")


# ----------------------------------------------------------------------------------------
# Earned schedule by group, the full indicator table and the rating policy
# ----------------------------------------------------------------------------------------
def test_earned_schedule_by_mini_hand_checked(mini):
    # P1's monthly cumulative PV: Jan 3000 (all planned by the 26th), PD = 1 month. At
    # 16 Jan AT = 16/31, EV 1800 -> ES = 1800/3000 = 0.6, SPI(t) = 0.6 / (16/31).
    es = evm.earned_schedule_by(mini, "2026-01")
    assert es.loc["P1", "es"] == pytest.approx(0.6)
    assert es.loc["P1", "at"] == pytest.approx(16 / 31)
    assert es.loc["P1", "spi_t"] == pytest.approx(0.6 * 31 / 16)
    assert np.isnan(es.loc["P2", "spi_t"])          # P2 starts on 27 Jan: not measurable
    # The portfolio: PV Jan 3400 (B1's 400 in the last days of January), EV 1800.
    total = evm.earned_schedule_by(mini, "2026-01", None)
    assert total.index.tolist() == ["Total"]
    assert total.loc["Total", "es"] == pytest.approx(1800 / 3400)


def test_project_earned_schedule_is_earned_schedule_by_project(sample):
    a = evm.project_earned_schedule(sample, "2026-06")
    b = evm.earned_schedule_by(sample, "2026-06", "project_id")
    pd.testing.assert_frame_equal(a.loc[b.index], b, check_index_type=False)


def test_earned_schedule_by_unknown_grouping(mini):
    with pytest.raises(DataValidationError, match="cannot group by 'colour'"):
        evm.earned_schedule_by(mini, "2026-01", "colour")


def test_performance_table_levels_add_up(sample):
    table = evm.performance_table(sample, "2026-10")
    assert table.index.names == ["level", "id"]
    assert list(dict.fromkeys(table.index.get_level_values("level"))) == list(evm.LEVELS)
    projects, programmes = table.loc["project"], table.loc["programme"]
    assert sorted(projects.index) == sorted(sample.projects["id"])
    sums = projects.groupby("programme")[["bac", "pv", "ev", "ac"]].sum()
    np.testing.assert_allclose(programmes[["bac", "pv", "ev", "ac"]].to_numpy(),
                               sums.loc[programmes.index].to_numpy())
    total = table.loc[("portfolio", "Total")]
    assert total["ev"] == pytest.approx(projects["ev"].sum())
    # Indices come from the sums, never from averaging the projects' indices.
    assert total["spi"] == pytest.approx(projects["ev"].sum() / projects["pv"].sum())
    assert total["cpi"] == pytest.approx(projects["ev"].sum() / projects["ac"].sum())
    # Each level's SPI(t) is its own earned schedule.
    by_programme = evm.earned_schedule_by(sample, "2026-10", "programme")
    np.testing.assert_allclose(programmes["spi_t"], by_programme.loc[programmes.index, "spi_t"])
    assert table["rag"].isin(evm.RAG_LEVELS).all()


def test_performance_table_rates_spi_t_and_vac(sample):
    t = evm.RagThresholds(schedule_index="spi_t", rate_vac=True)
    table = evm.performance_table(sample, "2026-10", t)
    # PLT: on schedule but 26 % over budget at completion; DCM: SPI 1.00 as it finishes,
    # SPI(t) 0.70 (late).
    plt_row, dcm = table.loc[("project", "PLT")], table.loc[("project", "DCM")]
    assert plt_row["rag"] == "red" and "VAC/BAC -26.2% below -10.0%" in plt_row["rag_reason"]
    assert dcm["spi"] == pytest.approx(1.0, abs=0.005)
    assert dcm["rag"] == "red" and dcm["rag_reason"].startswith("SPI(t) 0.70 below 0.90")
    plain = evm.performance_table(sample, "2026-10")
    assert plain.loc[("project", "DCM"), "rag"] != "red"


def test_project_performance_with_spi_t_thresholds(sample):
    t = evm.RagThresholds(schedule_index="spi_t")
    perf = evm.project_performance(sample, "2026-10", t)
    es = evm.project_earned_schedule(sample, "2026-10")
    np.testing.assert_allclose(perf["spi_t"], es.loc[perf.index, "spi_t"])
    assert perf.loc["DCM", "rag"] == "red"


def test_rate_names_the_missing_column():
    perf = pd.DataFrame({"spi": [1.0], "cpi": [1.0]})
    with pytest.raises(MissingDataError,
                       match=r"no column 'spi_t' to rate \(SPI\(t\) comes from earned schedule"):
        evm.rate(perf, evm.RagThresholds(schedule_index="spi_t"))
    with pytest.raises(DataValidationError, match="no column 'vac' to rate"):
        evm.rate(perf, evm.RagThresholds(rate_vac=True))
    with pytest.raises(DataValidationError, match="unknown schedule index 'sv_t'"):
        evm.RagThresholds(schedule_index="sv_t")


def test_rag_reason_shows_the_failing_digit():
    r = evm.rag_status([0.949], [1.0])
    assert r.at[0, "rag_reason"] == "SPI 0.949 below 0.95"


def test_planned_value_from_assignment_costs(mini, sample):
    # mini: A1 5 working days x 0.5 x 500/d; A2 10 d x 1 x 200/d; M1 none; B1 4 d x 0.5 x 200/d.
    budget = evm.assignment_budget(mini)
    assert budget.to_dict() == {"A1": 1250.0, "A2": 2000.0, "M1": 0.0, "B1": 400.0}
    pv = evm.planned_value(mini.tasks, mini.calendar, budget=budget)
    # A2 spreads 2000 over 12-26 Jan (10 working days, 19 Jan a holiday): all in January.
    assert pv.loc["A2", pd.Period("2026-01", "M")] == pytest.approx(2000.0)
    np.testing.assert_allclose(pv.sum(axis=1), budget.loc[pv.index])
    by_resources = evm.assignment_budget(sample)
    assert (by_resources >= 0).all() and by_resources.sum() > 0
    pv = evm.planned_value(sample.tasks, sample.calendar, budget=by_resources)
    np.testing.assert_allclose(pv.sum(axis=1), by_resources.loc[pv.index], rtol=1e-12)


def test_indicator_history_equals_each_month(sample):
    history = evm.indicator_history(sample, through="2026-10")
    months = history.index.get_level_values("month").unique()
    assert list(months) == list(sample.months)
    for month in ("2025-11", "2026-04", "2026-10"):
        perf = evm.project_performance(sample, month)
        at = history.xs(pd.Period(month, "M"), level="month")
        for k in ("bac", "pv", "ev", "ac", "spi", "cpi", "eac", "vac", "tcpi"):
            np.testing.assert_allclose(at.loc[perf.index, k], perf[k], rtol=1e-9, atol=1e-6,
                                       equal_nan=True, err_msg=f"{month} {k}")
        assert (at["status_date"] == sample.status_date(month)).all()
    total = evm.indicator_history(sample, by=None)
    table = evm.performance_table(sample, "2026-10")
    last = total.loc[("Total", pd.Period("2026-10", "M"))]
    assert last["cpi"] == pytest.approx(table.loc[("portfolio", "Total"), "cpi"])
    programmes = evm.indicator_history(sample, through="2026-06", by="programme")
    assert programmes.index.get_level_values("programme").nunique() == 3
    assert programmes.index.get_level_values("month").max() == pd.Period("2026-06", "M")
