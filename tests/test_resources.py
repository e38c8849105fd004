"""pmo_lib.resources: demand, capacity, utilisation and over-allocation, hand-checked."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pmo_lib import resources as rs
from pmo_lib.calendar import WorkCalendar
from pmo_lib.errors import DataValidationError, MissingDataError, PMOError, UnknownReferenceError

# Mon 2025-01-06 .. Tue 2025-01-14; Wed 2025-01-08 is a holiday; 11-12 a weekend.
CAL = WorkCalendar(holidays=["2025-01-08"])
TASKS = pd.DataFrame({
    "id": ["A", "B", "M"],
    "baseline_start": pd.to_datetime(["2025-01-06", "2025-01-09", "2025-01-09"]),
    "baseline_finish": pd.to_datetime(["2025-01-10", "2025-01-14", "2025-01-09"]),
    "milestone": [False, False, True],
})
ASSIGNMENTS = pd.DataFrame({
    "task_id": ["A", "B", "B", "M"],
    "resource_id": ["R1", "R1", "R2", "R2"],
    "units": [1.0, 0.5, 1.0, 1.0],
})
RESOURCES = pd.DataFrame({
    "id": ["R1", "R2", "R3"], "name": ["Ann", "Bo", "Cy"], "role": ["Dev", "QA", "Dev"],
    "capacity": [1.0, 2.0, 0.5],
})
DAYS = pd.period_range("2025-01-06", "2025-01-14", freq="D")
R1 = [1, 1, 0, 1.5, 1.5, 0, 0, 0.5, 0.5]
R2 = [0, 0, 0, 1, 1, 0, 0, 1, 1]


def test_daily_demand_by_hand():
    d = rs.demand(TASKS, ASSIGNMENTS, CAL)
    assert d.index.equals(pd.PeriodIndex(DAYS, name="period"))
    assert list(d.columns) == ["R1", "R2"]
    assert d["R1"].tolist() == R1
    assert d["R2"].tolist() == R2  # the milestone demands nothing


def test_demand_with_resources_and_roles():
    d = rs.demand(TASKS, ASSIGNMENTS, CAL, resources=RESOURCES)
    assert list(d.columns) == ["R1", "R2", "R3"]
    assert (d["R3"] == 0).all()
    roles = rs.demand(TASKS, ASSIGNMENTS, CAL, by="role", resources=RESOURCES)
    assert list(roles.columns) == ["Dev", "QA"]
    assert roles["Dev"].tolist() == R1
    assert roles["QA"].tolist() == R2


def test_weekly_and_monthly_by_hand():
    w = rs.demand(TASKS, ASSIGNMENTS, CAL, freq="W")
    assert [str(p) for p in w.index] == ["2025-01-06/2025-01-12", "2025-01-13/2025-01-19"]
    assert w["R1"].tolist() == [5.0, 1.0]
    assert w["R2"].tolist() == [2.0, 2.0]
    m = rs.demand(TASKS, ASSIGNMENTS, CAL, freq="M")
    assert m.index.tolist() == [pd.Period("2025-01", "M")]
    assert m.loc[pd.Period("2025-01", "M")].tolist() == [6.0, 4.0]


def test_forecast_date_columns():
    tasks = TASKS.rename(columns={"baseline_start": "start_date", "baseline_finish": "finish_date"})
    d = rs.demand(tasks, ASSIGNMENTS, CAL, start="start_date", finish="finish_date")
    assert d["R1"].tolist() == R1


def test_duration_zero_is_a_milestone_and_inputs_not_mutated():
    tasks = TASKS.drop(columns="milestone").assign(duration=[5, 4, 0])
    before = tasks.copy(), ASSIGNMENTS.copy()
    d = rs.demand(tasks, ASSIGNMENTS, CAL)
    assert d["R2"].tolist() == R2
    pd.testing.assert_frame_equal(tasks, before[0])
    pd.testing.assert_frame_equal(ASSIGNMENTS, before[1])


def test_empty_assignments():
    d = rs.demand(TASKS, ASSIGNMENTS.iloc[:0], CAL, resources=RESOURCES)
    assert d.empty and list(d.columns) == ["R1", "R2", "R3"]
    assert rs.overallocations(TASKS, ASSIGNMENTS.iloc[:0], RESOURCES, CAL).empty


def test_capacity_removes_holidays_and_weekends():
    weeks = pd.period_range("2025-01-06", periods=2, freq="W")
    c = rs.capacity(RESOURCES, CAL, weeks)
    assert c["R1"].tolist() == [4.0, 5.0]
    assert c["R2"].tolist() == [8.0, 10.0]
    assert c["R3"].tolist() == [2.0, 2.5]
    roles = rs.capacity(RESOURCES, CAL, weeks, by="role")
    assert roles["Dev"].tolist() == [6.0, 7.5]
    days = rs.capacity(RESOURCES, CAL, DAYS)
    assert days["R1"].tolist() == [1, 1, 0, 1, 1, 0, 0, 1, 1]
    # dates with a freq: January 2025 has 23 weekdays, one a holiday
    month = rs.capacity(RESOURCES, CAL, ["2025-01-15"], freq="M")
    assert month["R1"].tolist() == [22.0]
    assert month.index.tolist() == [pd.Period("2025-01", "M")]


def test_utilisation():
    d = rs.demand(TASKS, ASSIGNMENTS, CAL, resources=RESOURCES)
    c = rs.capacity(RESOURCES, CAL, d.index)
    u = rs.utilisation(d, c)
    assert u["R1"].tolist()[:2] == [1.0, 1.0]
    assert np.isnan(u["R1"].iloc[2])  # holiday: no capacity
    assert u["R1"].iloc[3] == 1.5
    assert u["R2"].iloc[3] == 0.5
    assert (u["R3"].dropna() == 0).all()
    w = rs.demand(TASKS, ASSIGNMENTS, CAL, freq="W", resources=RESOURCES)
    uw = rs.utilisation(w, rs.capacity(RESOURCES, CAL, w.index))
    assert uw["R1"].tolist() == [5 / 4, 1 / 5]
    # alignment: a column missing on one side counts as zero
    part = rs.utilisation(d[["R1"]], c)
    assert (part["R2"].dropna() == 0).all()


def test_overallocations_by_hand():
    o = rs.overallocations(TASKS, ASSIGNMENTS, RESOURCES, CAL)
    assert list(o.columns) == ["resource_id", "start", "finish", "working_days", "peak_demand",
                               "capacity", "excess", "tasks"]
    assert len(o) == 1
    row = o.iloc[0]
    assert row["resource_id"] == "R1"
    assert row["start"] == pd.Timestamp("2025-01-09")
    assert row["finish"] == pd.Timestamp("2025-01-10")
    assert row["working_days"] == 2
    assert row["peak_demand"] == 1.5 and row["capacity"] == 1.0 and row["excess"] == 0.5
    assert row["tasks"] == "A;B"


def test_overallocations_two_runs_and_weekend_join():
    # C adds 1.0 for R1 on Fri 10 .. Mon 13; D overloads R2 on Mon 6 only
    tasks = pd.concat([TASKS, pd.DataFrame({
        "id": ["C", "D"], "baseline_start": pd.to_datetime(["2025-01-10", "2025-01-06"]),
        "baseline_finish": pd.to_datetime(["2025-01-13", "2025-01-06"]), "milestone": False})],
        ignore_index=True)
    assignments = pd.concat([ASSIGNMENTS, pd.DataFrame({
        "task_id": ["C", "D"], "resource_id": ["R1", "R2"], "units": [1.0, 3.0]})],
        ignore_index=True)
    o = rs.overallocations(tasks, assignments, RESOURCES, CAL)
    assert o[["resource_id", "tasks"]].values.tolist() == [["R1", "A;B;C"], ["R2", "D"]]
    r1 = o.iloc[0]
    # Thu 9 (1.5), Fri 10 (2.5), [weekend], Mon 13 (1.5): one run
    assert (r1["start"], r1["finish"]) == (pd.Timestamp("2025-01-09"), pd.Timestamp("2025-01-13"))
    assert r1["working_days"] == 3 and r1["peak_demand"] == 2.5 and r1["excess"] == 1.5
    r2 = o.iloc[1]
    assert (r2["start"], r2["finish"], r2["excess"]) == (pd.Timestamp("2025-01-06"),) * 2 + (1.0,)


@st.composite
def _plans(draw):
    n = draw(st.integers(1, 6))
    starts = draw(st.lists(st.integers(0, 80), min_size=n, max_size=n))
    lengths = draw(st.lists(st.integers(0, 40), min_size=n, max_size=n))
    units = draw(st.lists(st.sampled_from([0.0, 0.25, 0.5, 1.0, 2.0]), min_size=n, max_size=n))
    res = draw(st.lists(st.sampled_from(["R1", "R2", "R3"]), min_size=n, max_size=n))
    base = pd.Timestamp("2025-12-20")
    s = base + pd.to_timedelta(starts, unit="D")
    tasks = pd.DataFrame({"id": [f"T{i}" for i in range(n)], "baseline_start": s,
                          "baseline_finish": s + pd.to_timedelta(lengths, unit="D")})
    assignments = pd.DataFrame({"task_id": tasks["id"], "resource_id": res, "units": units})
    return tasks, assignments


@given(_plans())
def test_weekly_monthly_equal_sum_of_daily(plan):
    tasks, assignments = plan
    cal = WorkCalendar(holidays=["2025-12-25", "2026-01-01"])
    daily = rs.demand(tasks, assignments, cal, resources=RESOURCES)
    for freq in ("W", "M"):
        agg = rs.demand(tasks, assignments, cal, freq=freq, resources=RESOURCES)
        expected = daily.groupby(daily.index.asfreq(freq)).sum()
        np.testing.assert_allclose(agg.to_numpy(), expected.to_numpy())
        assert agg.index.equals(pd.PeriodIndex(expected.index, name="period"))
    days = cal.working_days(tasks["baseline_start"], tasks["baseline_finish"]).to_numpy()
    total = (assignments["units"].to_numpy() * days).sum()
    assert daily.to_numpy().sum() == pytest.approx(total)


def _sample_total(pf, tasks, start, finish):
    t = tasks.set_index("id")
    a = pf.assignments[~pf.assignments["task_id"].map(t["milestone"]).astype(bool)]
    days = pf.calendar.working_days(a["task_id"].map(t[start]), a["task_id"].map(t[finish]))
    return float((a["units"] * days).sum())


def test_sample_portfolio_loading(sample):
    load = rs.portfolio_loading(sample)
    assert isinstance(load, rs.Loading) and (load.freq, load.by) == ("M", "role")
    assert load.demand.index.equals(load.capacity.index)
    assert list(load.demand.columns) == list(load.capacity.columns)
    assert set(load.demand.columns) == set(sample.resources["role"])
    assert load.demand.to_numpy().sum() == pytest.approx(
        _sample_total(sample, sample.tasks, "baseline_start", "baseline_finish"))
    assert (load.utilisation.to_numpy()[np.isfinite(load.utilisation.to_numpy())] >= 0).all()


def test_sample_portfolio_forecast_loading(sample):
    month = sample.latest_month
    load = rs.portfolio_loading(sample, month, freq="W", by="resource_id")
    assert list(load.demand.columns) == list(sample.resources["id"])
    from pmo_lib.schedule import schedule_portfolio

    tasks = schedule_portfolio(sample, month).rename_axis("id").reset_index()
    assert load.demand.to_numpy().sum() == pytest.approx(
        _sample_total(sample, tasks, "start_date", "finish_date"))
    o = rs.overallocations(sample.tasks, sample.assignments, sample.resources, sample.calendar)
    assert (o["excess"] > 0).all() and (o["tasks"] != "").all()
    assert (o["finish"] >= o["start"]).all()


def _with(df, **changes):
    out = df.copy()
    for col, (row, value) in changes.items():
        out[col] = out[col].astype(object)
        out.loc[row, col] = value
    return out


@pytest.mark.parametrize("assignments, error, words", [
    (_with(ASSIGNMENTS, task_id=(1, "ZZ")), UnknownReferenceError, ["'ZZ'", "'R1'", "row 3"]),
    (_with(ASSIGNMENTS, resource_id=(2, "R9")), UnknownReferenceError, ["'R9'", "'B'"]),
    (_with(ASSIGNMENTS, units=(0, -1.0)), DataValidationError, ["'A'", "'R1'", "units"]),
    (_with(ASSIGNMENTS, units=(0, "x")), DataValidationError, ["'A'", "'R1'", "units"]),
])
def test_bad_assignments(assignments, error, words):
    for call in (lambda: rs.demand(TASKS, assignments, CAL, resources=RESOURCES),
                 lambda: rs.overallocations(TASKS, assignments, RESOURCES, CAL)):
        with pytest.raises(error) as info:
            call()
        assert isinstance(info.value, PMOError)
        for w in words:
            assert w in str(info.value)


def test_unknown_task_without_resources_table():
    with pytest.raises(UnknownReferenceError, match="unknown task 'ZZ'"):
        rs.demand(TASKS, _with(ASSIGNMENTS, task_id=(0, "ZZ")), CAL)


@pytest.mark.parametrize("call, match", [
    (lambda: rs.demand(TASKS, ASSIGNMENTS, CAL, freq="Q"), "'D', 'W', 'M'"),
    (lambda: rs.demand(TASKS, ASSIGNMENTS, CAL, by="team"), "'resource_id', 'role'"),
    (lambda: rs.demand(TASKS, ASSIGNMENTS, CAL, by="role"), "needs the resources"),
    (lambda: rs.demand(TASKS, ASSIGNMENTS, CAL, start="start_date"), "start_date"),
    (lambda: rs.demand(TASKS, ASSIGNMENTS.drop(columns="units"), CAL), "units"),
    (lambda: rs.demand(TASKS, ASSIGNMENTS, CAL, by="role",
                       resources=RESOURCES.drop(columns="role")), "role"),
    (lambda: rs.demand(_with(TASKS, baseline_finish=(0, pd.Timestamp("2025-01-01"))),
                       ASSIGNMENTS, CAL), "ID 'A'"),
    (lambda: rs.demand(_with(TASKS, baseline_start=(1, pd.NaT)), ASSIGNMENTS, CAL), "ID 'B'"),
    (lambda: rs.demand(pd.concat([TASKS, TASKS.iloc[:1]]), ASSIGNMENTS, CAL), "duplicate task"),
    (lambda: rs.demand("tasks", ASSIGNMENTS, CAL), "expected a DataFrame"),
    (lambda: rs.capacity(_with(RESOURCES, capacity=(1, -1.0)), CAL, DAYS), "ID 'R2'"),
    (lambda: rs.capacity(pd.concat([RESOURCES, RESOURCES.iloc[:1]]), CAL, DAYS), "duplicate"),
    (lambda: rs.capacity(RESOURCES, CAL, DAYS, freq="M"), "frequency 'D'"),
    (lambda: rs.capacity(RESOURCES, CAL, ["2025-01-01"]), "frequency"),
    (lambda: rs.capacity(RESOURCES, CAL, DAYS, by="x"), "grouping"),
    (lambda: rs.utilisation([1.0], pd.DataFrame()), "expected a DataFrame"),
    (lambda: rs.overallocations(TASKS, ASSIGNMENTS, RESOURCES.drop(columns="capacity"), CAL),
     "capacity"),
])
def test_bad_input(call, match):
    with pytest.raises(DataValidationError, match=match) as info:
        call()
    assert isinstance(info.value, PMOError)


def test_missing_column_is_missing_data_error():
    with pytest.raises(MissingDataError):
        rs.demand(TASKS.drop(columns="baseline_finish"), ASSIGNMENTS, CAL)


def test_portfolio_loading_bad_choice(mini):
    with pytest.raises(DataValidationError, match="frequency"):
        rs.portfolio_loading(mini, freq="Y")
    load = rs.portfolio_loading(mini, freq="D", by="resource_id")
    assert list(load.demand.columns) == list(mini.resources["id"])


def test_no_tasks_at_all():
    """An empty task table (a portfolio with nothing left to do) loads nothing."""
    tasks = TASKS.iloc[:0]
    d = rs.demand(tasks, ASSIGNMENTS.iloc[:0], CAL, resources=RESOURCES)
    assert d.empty and list(d.columns) == ["R1", "R2", "R3"]
    assert rs.overallocations(tasks, ASSIGNMENTS.iloc[:0], RESOURCES, CAL).empty
