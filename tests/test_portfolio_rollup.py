"""Programme and portfolio roll-ups (pmo_lib.portfolio.rollup).

Hand check on tests/data/mini at 2026-02 (data date 2026-02-27; programme Alpha = P1 + P2):

* EVM: P1 BAC 3000 (task budgets), EV 3000, AC 3400; P2 BAC 400, EV 200 (B1 50 %), AC 250.
  Alpha: BAC 3400, EV 3200, AC 3650, CPI = 3200 / 3650 = 0.87671, SPI = 3200 / 3400 =
  0.94118, EAC = BAC / CPI = 3400 × 3650 / 3200 = 3878.125, VAC = −478.125.
* Schedule: P1 finished on 2026-01-28 (A2's actual finish), baseline 2026-01-26: 2 working
  days late. B1 has 2 days left (4 × 50 %) from the data date, Monday 2026-03-02: it
  finishes on 2026-03-03; P2's baseline finish is 2026-01-30, 22 working days earlier (20 in
  February, 2 in March). Worst slip 22, both projects late.
* Risks: R-1 is closed; R-2 (P2) is open, probability 0.5, cost 200, delay 3: one open risk,
  EMV 100, expected delay 1.5.
* Resources, the six months after February: only B1's last two days (2 and 3 March) remain,
  with Raj (Developer) at 0.5: 1 unit-day of demand against 22 in March (1 developer × 22
  working days): peak utilisation 1 / 22 = 0.04545, Developer, 2026-03.

At 2026-01 (data date 2026-01-16): PV 2000 (A1 1000 + half of A2's 2000), EV 1800 (A1 1000
+ 40 % of 2000), AC 1800: CPI 1, SPI 0.9; R-1 is open (probability 0.2, cost 1000): EMV 200.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pmo_lib import DataValidationError, MissingDataError, evm, portfolio, resources, risk, schedule


@pytest.fixture(scope="module")
def mini_rollup(mini):
    return portfolio.rollup(mini, "2026-02")


# ----------------------------------------------------------------------------------------
# Hand-checked on the mini portfolio
# ----------------------------------------------------------------------------------------
def test_mini_by_programme(mini_rollup):
    r = mini_rollup
    assert list(r.columns) == list(portfolio.ROLLUP_COLUMNS)
    assert r.index.tolist() == ["Alpha", "Total"] and r.index.name == "programme"
    alpha = r.loc["Alpha"]
    assert (alpha["name"], alpha["programme"], alpha["projects"]) == ("Alpha", "Alpha", 2)
    assert (alpha["bac"], alpha["ev"], alpha["ac"]) == (3400.0, 3200.0, 3650.0)
    assert alpha["cpi"] == pytest.approx(3200 / 3650)
    assert alpha["spi"] == pytest.approx(3200 / 3400)
    assert alpha["eac"] == pytest.approx(3878.125) and alpha["vac"] == pytest.approx(-478.125)
    assert alpha["baseline_finish"] == pd.Timestamp("2026-01-30")
    assert alpha["forecast_finish"] == pd.Timestamp("2026-03-03")
    assert (alpha["worst_slip"], alpha["late_projects"]) == (22.0, 2)
    assert (alpha["open_risks"], alpha["emv"], alpha["expected_delay"]) == (1, 100.0, 1.5)
    assert alpha["peak_utilisation"] == pytest.approx(1 / 22)
    assert (alpha["peak_role"], alpha["peak_month"]) == ("Developer", pd.Period("2026-03", "M"))
    total = r.loc["Total"]
    assert (total["name"], total["programme"], total["projects"]) == ("Portfolio", "", 2)
    cols = [c for c in r.columns if c not in ("name", "programme")]
    pd.testing.assert_series_equal(total[cols], alpha[cols], check_names=False)
    assert r["open_risks"].dtype == np.int64 and r["late_projects"].dtype == np.int64


def test_mini_by_project(mini):
    r = portfolio.rollup(mini, "2026-02", by="project")
    assert r.index.tolist() == ["P1", "P2", "Total"] and r.index.name == "project_id"
    assert r["name"].tolist() == ["Build", "Deploy", "Portfolio"]
    assert r["projects"].tolist() == [1, 1, 2]
    assert r["bac"].tolist() == [3000.0, 400.0, 3400.0]
    assert r["worst_slip"].tolist() == [2.0, 22.0, 22.0]
    assert r["open_risks"].tolist() == [0, 1, 1]
    # P1 has no work left: no peak to name.
    assert r.loc["P1", "peak_utilisation"] == 0.0 and r.loc["P1", "peak_role"] is None
    assert r.loc["P2", "peak_utilisation"] == pytest.approx(1 / 22)


def test_mini_earlier_month_and_horizon(mini):
    r = portfolio.rollup(mini, "2026-01", horizon=1).loc["Alpha"]
    assert (r["ev"], r["ac"], r["cpi"]) == (1800.0, 1800.0, 1.0)
    assert r["spi"] == pytest.approx(0.9)
    assert (r["open_risks"], r["emv"], r["expected_delay"]) == (1, 200.0, 1.0)
    assert r["peak_month"] == pd.Period("2026-02", "M")  # the horizon: February only


# ----------------------------------------------------------------------------------------
# Equal to the underlying functions, on the sample
# ----------------------------------------------------------------------------------------
MONTH = "2026-10"


@pytest.fixture(scope="module")
def sample_rollup(sample):
    return portfolio.rollup(sample, MONTH)


def test_sample_evm_is_performance_table(sample, sample_rollup):
    table = evm.performance_table(sample, MONTH)
    r = sample_rollup
    columns = ["bac", "ev", "ac", "eac", "vac", "cpi", "spi", "spi_t", "rag"]
    programmes = table.loc["programme", columns]
    pd.testing.assert_frame_equal(r.loc[programmes.index, columns], programmes,
                                  check_names=False)
    pd.testing.assert_series_equal(r.loc["Total", columns],
                                   table.loc[("portfolio", "Total"), columns], check_names=False)
    for col in ("bac", "ev", "ac"):  # sums, then ratios
        assert r.loc[programmes.index, col].sum() == pytest.approx(r.loc["Total", col])
    assert r.loc["Total", "cpi"] == pytest.approx(r.loc["Total", "ev"] / r.loc["Total", "ac"])
    projects = portfolio.rollup(sample, MONTH, by="project")
    pd.testing.assert_frame_equal(projects.loc[table.loc["project"].index, columns],
                                  table.loc["project", columns], check_names=False)
    assert projects["projects"].iloc[:-1].eq(1).all()
    assert r["projects"].iloc[:-1].sum() == r.loc["Total", "projects"] == 11


def test_sample_schedule_is_schedule_portfolio(sample, sample_rollup):
    sched = schedule.schedule_portfolio(sample, MONTH)
    programme = sched["project_id"].map(sample.projects.set_index("id")["programme"])
    finish = sched.groupby(programme)["finish_date"].max()
    baseline = sched.groupby(programme)["baseline_finish"].max()
    r = sample_rollup
    assert r.loc[finish.index, "forecast_finish"].tolist() == finish.tolist()
    assert r.loc[baseline.index, "baseline_finish"].tolist() == baseline.tolist()
    summary = schedule.project_summary(sched, sample.calendar)
    by = summary["finish_variance"].groupby(programme.groupby(sched["project_id"]).first())
    assert r.loc[by.max().index, "worst_slip"].tolist() == by.max().tolist()
    assert r.loc[by.max().index, "late_projects"].tolist() == (by.apply(lambda v: (v > 0).sum())
                                                              .tolist())
    assert r.loc["Total", "worst_slip"] == summary["finish_variance"].max() == 115.0
    # ERP's slip in working days, from the calendar: forecast 2027-11-25, baseline 2027-06-16.
    cal = sample.calendar
    erp = summary.loc["ERP"]
    assert erp["finish_variance"] == (cal.date_to_offset(erp["finish"], erp["baseline_finish"]))


def test_sample_risk_is_risk_score(sample, sample_rollup):
    scored = risk.score(sample.risk_register(MONTH), portfolio=sample)
    open_ = scored[scored["state"] == "open"]
    programme = open_["project_id"].map(sample.projects.set_index("id")["programme"])
    r = sample_rollup
    counts = open_.groupby(programme).size()
    assert r.loc[counts.index, "open_risks"].tolist() == counts.tolist()
    emv = open_.groupby(programme)["emv"].sum()
    np.testing.assert_allclose(r.loc[emv.index, "emv"], emv, rtol=1e-12)
    assert r.loc["Total", "open_risks"] == len(open_) == r["open_risks"].iloc[:-1].sum()
    assert r.loc["Total", "emv"] == pytest.approx(open_["emv"].sum())
    assert r.loc["Total", "expected_delay"] == pytest.approx(open_["expected_delay"].sum())


def test_sample_peak_utilisation_is_portfolio_loading(sample, sample_rollup):
    horizon = pd.period_range("2026-11", "2027-04", freq="M", name="period")
    loading = resources.portfolio_loading(sample, MONTH, freq="M", by="role")
    cap = resources.capacity(sample.resources, sample.calendar, horizon, by="role")
    util = (loading.demand.reindex(index=horizon, fill_value=0.0) / cap)
    r = sample_rollup
    assert r.loc["Total", "peak_utilisation"] == pytest.approx(util.max().max())
    month, role = util.stack().idxmax()
    assert (r.loc["Total", "peak_month"], r.loc["Total", "peak_role"]) == (month, role)
    # A group's work is part of the whole, so its peak is never above the portfolio's.
    assert (r["peak_utilisation"].iloc[:-1] <= r.loc["Total", "peak_utilisation"] + 1e-12).all()
    # One programme recomputed from the forecast dates.
    sched = schedule.schedule_portfolio(sample, MONTH).rename_axis("id").reset_index()
    ids = set(sample.projects.loc[sample.projects["programme"] == "Digital Core", "id"])
    mine = sched[sched["project_id"].isin(ids)]
    need = resources.demand(mine, sample.assignments[sample.assignments["task_id"].isin(
        mine["id"])], sample.calendar, freq="M", start="start_date", finish="finish_date",
        by="role", resources=sample.resources)
    share = need.reindex(index=horizon, columns=cap.columns, fill_value=0.0) / cap
    assert r.loc["Digital Core", "peak_utilisation"] == pytest.approx(share.max().max())


# ----------------------------------------------------------------------------------------
# Bad input
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, error, match", [
    ({"by": "team"}, DataValidationError, "unknown grouping 'team'; use one of 'programme', "
                                          "'project'"),
    ({"horizon": 0}, DataValidationError, "column 'horizon': must be a whole number of months"),
    ({"horizon": 1.5}, DataValidationError, "got 1.5"),
    ({"horizon": True}, DataValidationError, "got True"),
])
def test_bad_arguments(mini, kwargs, error, match):
    with pytest.raises(error, match=match):
        portfolio.rollup(mini, "2026-02", **kwargs)


def test_month_without_status(mini):
    with pytest.raises(MissingDataError, match="no status snapshot for 2026-05"):
        portfolio.rollup(mini, "2026-05")
    with pytest.raises(DataValidationError, match="not a month in the form YYYY-MM"):
        portfolio.rollup(mini, "May")
