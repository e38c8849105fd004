"""Monte Carlo schedule and cost risk engine: agreement with CPM, statistics, bad input.

Statistical checks use tolerances of 4-5 standard errors for the sample size, with fixed seeds.
"""

import itertools
import math
import warnings

import numpy as np
import pandas as pd
import pytest

from pmo_lib import (
    DataValidationError,
    ScheduleError,
    UnknownReferenceError,
    WorkCalendar,
    schedule,
)
from pmo_lib.simulation import DISTRIBUTIONS, SimulationResult, simulate


def _net(durations: dict, links: list[tuple] = ()) -> tuple[pd.DataFrame, pd.DataFrame]:
    tasks = pd.DataFrame({"id": list(durations), "duration": list(durations.values())})
    rows = [(p, s, *[*rest, "FS", 0][:2]) for p, s, *rest in links]
    return tasks, pd.DataFrame(rows, columns=["pred", "succ", "type", "lag"])


def _chain(n=4, d=5.0):
    ids = [f"T{i}" for i in range(n)]
    return _net(dict.fromkeys(ids, d), list(itertools.pairwise(ids)))


def _spearman(x, y):
    return float(pd.Series(x).rank().corr(pd.Series(y).rank()))


def _four_types():
    """All four link types with lags and leads, two projects and date constraints."""
    tasks, links = _net(
        {"P": 10, "Q": 6, "R": 4, "S": 3, "T": 0, "U": 5, "V": 2, "W": 7},
        [("P", "Q", "SS", 3), ("P", "R", "FF", 2), ("Q", "S", "FS", -2), ("R", "S", "SF", 1),
         ("S", "T"), ("U", "V", "FS", 4), ("V", "W", "SS", 1), ("Q", "W", "FF", 0)])
    tasks["project_id"] = ["A", "A", "A", "A", "A", "B", "B", "B"]
    tasks["constraint_type"] = ["ASAP", "", "SNET", "ASAP", "FNLT", "MSO", "ALAP", "FNET"]
    tasks["constraint_date"] = pd.to_datetime(
        [None, None, "2026-01-14", None, "2026-01-16", "2026-01-06", None, "2026-01-30"])
    return tasks, links


# ---------------------------------------------------------------------------------------
# Zero width and no risks: every iteration is the CPM schedule
# ---------------------------------------------------------------------------------------
def test_zero_width_equals_cpm_on_all_link_types_and_constraints():
    tasks, links = _four_types()
    kw = dict(calendar=WorkCalendar(), start="2026-01-05")
    det = schedule.cpm(tasks, links, **kw)
    r = simulate(tasks, links, iterations=64, seed=3, chunk=10, **kw)
    assert isinstance(r, SimulationResult)
    assert r.deterministic == det["early_finish"].max()
    np.testing.assert_array_equal(r.finish, np.full(64, det["early_finish"].max()))
    pd.testing.assert_series_equal(r.criticality, det["critical"].astype(float),
                                   check_names=False, check_index_type=False)
    assert (r.durations == det["duration"].to_numpy(np.float32)).all()
    assert r.finish_dates[0] == det["finish_date"].max()
    assert r.deterministic_date == det["finish_date"].max()
    assert (r.sensitivity == 0).all() and (r.cruciality == 0).all()


def test_zero_width_equals_cpm_on_the_sample_projects(sample):
    for pid in sample.projects["id"]:
        tasks = sample.tasks[sample.tasks["project_id"] == pid]
        ids = set(tasks["id"])
        links = sample.links[sample.links["pred"].isin(ids) & sample.links["succ"].isin(ids)]
        det = schedule.cpm(tasks, links)
        r = simulate(tasks, links, iterations=20, seed=0)
        np.testing.assert_array_equal(r.finish, det["early_finish"].max(), err_msg=pid)
        assert (r.criticality.to_numpy() == det["critical"].to_numpy()).all(), pid
    # The whole portfolio at once: cross-project links, each project's own finish.
    det = schedule.cpm(sample.tasks, sample.links)
    r = simulate(sample.tasks, sample.links, iterations=8, seed=0)
    np.testing.assert_array_equal(r.finish, det["early_finish"].max())
    assert (r.criticality.to_numpy() == det["critical"].to_numpy()).all()


def test_project_finish_and_cost_on_the_whole_portfolio(sample):
    """Simulated together, each project keeps its own finish and cost, cross-project links
    included: zero-width ranges give every project its CPM finish and its budget."""
    tasks = sample.tasks.copy()
    timed = tasks["duration"] > 0
    tasks["rate"] = np.where(timed, tasks["budget"] / tasks["duration"].where(timed, 1), 0.0)
    tasks["fixed_cost"] = np.where(timed, 0.0, tasks["budget"])
    det = schedule.cpm(tasks, sample.links)
    r = simulate(tasks, sample.links, iterations=5, seed=0)
    by_project = det.groupby(tasks.set_index("id").loc[det.index, "project_id"].to_numpy())
    expected = by_project["early_finish"].max()
    got = pd.DataFrame(r.project_finish, columns=r.project_ids)
    for pid in expected.index:
        assert (got[pid] == expected[pid]).all(), pid
    budget = tasks.groupby("project_id")["budget"].sum()
    costs = pd.DataFrame(r.project_cost, columns=r.project_ids)
    np.testing.assert_allclose(costs[budget.index].iloc[0], budget, rtol=1e-9)
    table = r.project_percentiles((50, 80))
    assert list(table.columns) == ["finish_p50", "cost_p50", "finish_p80", "cost_p80"]
    assert table.loc["ERP", "finish_p80"] == expected["ERP"]
    # A risk on a project's task counts against that project only.
    erp_task = tasks.loc[(tasks["project_id"] == "ERP") & timed, "id"].iloc[0]
    risk = pd.DataFrame({"id": ["R1"], "probability": [1.0], "schedule_impact": [0.0],
                         "cost_impact": [5000.0], "affected_tasks": [erp_task]})
    r2 = simulate(tasks, sample.links, iterations=3, seed=0, risks=risk)
    extra = pd.DataFrame(r2.project_cost - r.project_cost[:3], columns=r.project_ids)
    assert extra["ERP"].tolist() == pytest.approx([5000.0] * 3)
    assert (extra.drop(columns="ERP") == 0).all().all()
    assert r.project_probability("ERP", when=expected["ERP"], budget=budget["ERP"]) == 1.0
    assert r.project_probability("ERP", when=expected["ERP"] - 1) == 0.0
    with pytest.raises(DataValidationError, match="no such project in the simulation"):
        r.project_probability("XYZ", when=10)


def test_sample_estimates_table(sample):
    """The portfolio's estimates table (Portfolio.tasks_with_estimates) feeds simulate."""
    tasks = sample.tasks_with_estimates()
    tasks = tasks[tasks["project_id"] == "APP"]
    links = sample.links[sample.links["pred"].isin(tasks["id"])
                         & sample.links["succ"].isin(tasks["id"])]
    r = simulate(tasks, links, iterations=1_000, seed=0, default_range=(0.9, 1.25))
    assert r.deterministic == schedule.cpm(tasks, links)["early_finish"].max()
    assert r.percentile(10) > r.deterministic  # right-skewed estimates: the plan is optimistic
    assert (r.criticality > 0).any()


def test_cost_is_fixed_plus_rate_times_duration():
    tasks, links = _chain(3, 4.0)
    tasks["fixed_cost"] = [100.0, 0.0, 50.0]
    r = simulate(tasks, links, iterations=10, seed=0, rates={"T0": 10, "T2": 1})
    assert r.deterministic_cost == 150 + 40 + 4
    np.testing.assert_array_equal(r.cost, 194.0)
    assert r.probability_within_budget(194) == 1 and r.probability_within_budget(193.9) == 0
    r = simulate(tasks, links, iterations=10, seed=0, rates=2.0)
    np.testing.assert_array_equal(r.cost, 150 + 2 * 12)
    tasks["day_rate"] = [1.0, 2.0, 3.0]
    r = simulate(tasks, links, iterations=10, seed=0, rates="day_rate")
    np.testing.assert_array_equal(r.cost, 150 + 4 * 6)


# ---------------------------------------------------------------------------------------
# Statistics
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_merge_bias(k):
    """k identical parallel tasks, symmetric: P(finish <= deterministic) = 0.5^k."""
    ids = [f"A{i}" for i in range(k)]
    tasks, links = _net({**dict.fromkeys(ids, 10.0), "Z": 0.0}, [(a, "Z") for a in ids])
    tasks["duration_min"] = [7.0] * k + [0.0]
    tasks["duration_max"] = [13.0] * k + [0.0]
    n = 20_000
    r = simulate(tasks, links, iterations=n, seed=k)
    p = 0.5**k
    assert abs(r.probability_by(r.deterministic) - p) < 5 * math.sqrt(p * (1 - p) / n)
    assert k == 1 or r.percentile(50) > r.deterministic


@pytest.mark.parametrize("dist", DISTRIBUTIONS)
def test_distribution_mean_and_percentiles(dist):
    a, m, b, n = 2.0, 5.0, 14.0, 40_000
    tasks = pd.DataFrame({"id": ["X"], "duration": [m], "duration_min": [a],
                          "duration_max": [b], "distribution": [dist]})
    d = simulate(tasks, None, iterations=n, seed=11).finish
    if dist == "triangular":
        mean, var = (a + m + b) / 3, (a * a + m * m + b * b - a * m - a * b - m * b) / 18
        fc = (m - a) / (b - a)

        def quantile(p):
            return (a + math.sqrt(p * (b - a) * (m - a)) if p < fc
                    else b - math.sqrt((1 - p) * (b - a) * (b - m)))
    elif dist == "betapert":
        alpha, beta = 1 + 4 * (m - a) / (b - a), 1 + 4 * (b - m) / (b - a)
        mean = (a + 4 * m + b) / 6
        var = (b - a) ** 2 * alpha * beta / ((alpha + beta) ** 2 * (alpha + beta + 1))
        ref = a + (b - a) * np.random.default_rng(0).beta(alpha, beta, 400_000)

        def quantile(p):
            return float(np.quantile(ref, p))
    else:
        mean, var = (a + b) / 2, (b - a) ** 2 / 12

        def quantile(p):
            return a + p * (b - a)
    sd = math.sqrt(var)
    assert abs(d.mean() - mean) < 4.5 * sd / math.sqrt(n)
    assert abs(d.var() - var) < 0.03 * var
    assert d.min() >= a and d.max() <= b
    for p in (0.1, 0.5, 0.8, 0.9):
        # Standard error of a sample quantile: sqrt(p(1-p)/n) / density; use a 2% band.
        assert abs(np.quantile(d, p) - quantile(p)) < 0.02 * (b - a), (dist, p)


def test_default_range_and_distribution_default():
    tasks, links = _chain(2, 10.0)
    tasks["duration_min"] = [np.nan, 10.0]
    tasks["duration_max"] = [np.nan, 10.0]
    r = simulate(tasks, links, iterations=20_000, seed=2, default_range=(0.9, 1.2),
                 distribution="uniform")
    d0 = r.durations[:, 0]
    assert d0.min() >= 9 and d0.max() <= 12 and abs(d0.mean() - 10.5) < 0.02
    assert (r.durations[:, 1] == 10).all()
    assert r.sensitivity["T0"] == pytest.approx(1.0) and r.sensitivity["T1"] == 0.0
    r = simulate(tasks, links, iterations=100, seed=2)  # no default range: fixed
    assert (r.finish == 20).all()


def test_seed_reproducible_and_independent_of_chunk_size():
    tasks, links = _four_types()
    tasks["duration_min"] = tasks["duration"] * 0.8
    tasks["duration_max"] = tasks["duration"] * 1.5
    tasks["distribution"] = ["triangular", "betapert", "uniform", "betapert", "", "triangular",
                             "betapert", "uniform"]
    risks = pd.DataFrame({"id": ["R1", "R2", "R3"], "probability": [0.3, 0.5, 0.4],
                          "schedule_impact": [3.0, 2.0, 1.0], "schedule_impact_min": [1, 2, 0],
                          "schedule_impact_max": [6, 4, 2], "cost_impact": [100, 50, 10],
                          "affected_tasks": ["Q;W", ["P"], ""]})
    kw = dict(iterations=500, seed=42, risks=risks, rates=3.0, start="2026-01-05",
              correlation={("P", "Q"): 0.6, ("Q", "U"): 0.3},
              risk_correlation={("R1", "R2"): 0.5})
    a = simulate(tasks, links, **kw)
    b = simulate(tasks, links, chunk=7, **kw)
    c = simulate(tasks, links, chunk=1, **kw)
    for other in (b, c):
        np.testing.assert_array_equal(a.finish, other.finish)
        np.testing.assert_array_equal(a.cost, other.cost)
        np.testing.assert_array_equal(a.durations, other.durations)
        pd.testing.assert_series_equal(a.criticality, other.criticality)
        pd.testing.assert_series_equal(a.risk_occurrence, other.risk_occurrence)
    d = simulate(tasks, links, **{**kw, "seed": 43})
    assert not np.array_equal(a.finish, d.finish)


def test_achieved_rank_correlation():
    tasks = pd.DataFrame({"id": list("ABCD"), "duration": [10.0, 20, 5, 8],
                          "duration_min": [5.0, 15, 4, 6], "duration_max": [30.0, 40, 6, 12],
                          "distribution": ["triangular", "betapert", "uniform", "triangular"]})
    want = pd.DataFrame([[1, 0.8, -0.4], [0.8, 1, -0.3], [-0.4, -0.3, 1]],
                        index=list("ABC"), columns=list("ABC"))
    r = simulate(tasks, None, iterations=20_000, seed=5, correlation=want)
    d = pd.DataFrame(r.durations.astype(float), columns=list("ABCD"))
    got = d.rank().corr()
    np.testing.assert_allclose(got.loc[list("ABC"), list("ABC")], want, atol=0.02)
    assert abs(got.loc["A", "D"]) < 0.03  # not in the matrix: independent
    # An array over all tasks and a mapping give the same draws as the labelled frame.
    full = np.eye(4)
    full[:3, :3] = want.to_numpy()
    r2 = simulate(tasks, None, iterations=2_000, seed=5, correlation=full)
    r3 = simulate(tasks, None, iterations=2_000, seed=5,
                  correlation={("A", "B"): 0.8, ("A", "C"): -0.4, ("B", "C"): -0.3,
                               ("C", "D"): 0.0})
    np.testing.assert_array_equal(r2.durations[:, :3], r3.durations[:, :3])


def test_not_psd_correlation_repaired_with_a_warning_or_rejected():
    tasks = pd.DataFrame({"id": list("ABC"), "duration": [10.0] * 3,
                          "duration_min": [5.0] * 3, "duration_max": [15.0] * 3})
    bad = {("A", "B"): 0.9, ("B", "C"): 0.9, ("A", "C"): -0.9}
    with pytest.warns(UserWarning, match="not positive semi-definite.*nearest correlation"):
        r = simulate(tasks, None, iterations=5_000, seed=1, correlation=bad)
    got = pd.DataFrame(r.durations.astype(float)).rank().corr().to_numpy()
    assert np.linalg.eigvalsh(got).min() > -1e-9
    assert got[0, 1] > 0.2 and got[1, 2] > 0.2 and got[0, 2] < -0.2  # the signs survive
    with pytest.raises(DataValidationError, match="not positive semi-definite"):
        simulate(tasks, None, iterations=10, correlation=bad, psd="raise")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a PSD matrix is not touched
        simulate(tasks, None, iterations=10, correlation={("A", "B"): 0.9}, psd="raise")


@pytest.mark.parametrize("matrix, match", [
    ([[1, 0.5], [0.2, 1]], "not symmetric"),
    ([[1, 0.5], [0.5, 0.9]], "diagonal must be 1"),
    ([[1, 1.5], [1.5, 1]], r"outside \[-1, 1\]"),
    ([[1, np.nan], [np.nan, 1]], "missing"),
])
def test_malformed_correlation_rejected(matrix, match):
    tasks = pd.DataFrame({"id": ["A", "B"], "duration": [10.0, 10.0]})
    frame = pd.DataFrame(matrix, index=["A", "B"], columns=["A", "B"])
    with pytest.raises(DataValidationError, match=match):
        simulate(tasks, None, iterations=10, correlation=frame)


def test_correlation_shape_and_unknown_task():
    tasks = pd.DataFrame({"id": ["A", "B"], "duration": [10.0, 10.0]})
    with pytest.raises(DataValidationError, match=r"must be 2 × 2"):
        simulate(tasks, None, iterations=10, correlation=np.eye(3))
    with pytest.raises(UnknownReferenceError, match="unknown task id 'Z'"):
        simulate(tasks, None, iterations=10, correlation={("A", "Z"): 0.5})


# ---------------------------------------------------------------------------------------
# Risk events
# ---------------------------------------------------------------------------------------
def test_certain_risk_adds_exactly_its_impact_on_a_chain():
    tasks, links = _chain(4, 5.0)
    risks = pd.DataFrame({"id": ["R1", "R2", "R3"], "probability": [1.0, 0.0, 1.0],
                          "schedule_impact": [7.0, 100.0, 2.0],
                          "cost_impact": [1000.0, 5e6, 10.0],
                          "affected_tasks": ["T2", "T1", None]})
    r = simulate(tasks, links, iterations=50, seed=0, risks=risks, rates=1.0)
    assert r.deterministic == 20
    np.testing.assert_array_equal(r.finish, 20 + 7 + 2)  # R3 has no task: delays the finish
    np.testing.assert_array_equal(r.cost, 20 + 7 + 1000 + 10)  # T2's rate for the extra days
    assert r.risk_occurrence.to_dict() == {"R1": 1.0, "R2": 0.0, "R3": 1.0}
    assert (r.criticality == 1).all()  # a pure chain: every task always critical
    # A risk on two tasks in series delays each of them.
    risks = pd.DataFrame({"id": ["R"], "probability": [1.0], "schedule_impact": [3.0],
                          "cost_impact": [0.0], "affected_tasks": [("T0", "T3")]})
    np.testing.assert_array_equal(simulate(tasks, links, iterations=5, risks=risks).finish, 26)


def test_risk_probability_and_impact_distribution():
    tasks, links = _chain(2, 5.0)
    risks = pd.DataFrame({"id": ["R"], "probability": [0.3], "schedule_impact": [4.0],
                          "schedule_impact_min": [2.0], "schedule_impact_max": [9.0],
                          "cost_impact": [100.0], "cost_impact_min": [50.0],
                          "cost_impact_max": [300.0], "impact_distribution": ["betapert"],
                          "affected_tasks": ["T1"]})
    n = 20_000
    r = simulate(tasks, links, iterations=n, seed=9, risks=risks)
    hit = r.finish > 10
    assert abs(hit.mean() - 0.3) < 5 * math.sqrt(0.21 / n)
    assert abs((r.finish[hit] - 10).mean() - (2 + 16 + 9) / 6) < 0.05
    assert abs(r.cost[hit].mean() - (50 + 400 + 300) / 6) < 3
    assert (r.cost[~hit] == 0).all()
    # schedule and cost impacts come from the same draw: perfectly rank-correlated
    assert _spearman(r.finish[hit], r.cost[hit]) == pytest.approx(1.0)


def test_mutually_exclusive_and_correlated_risks():
    tasks, links = _chain(1, 5.0)
    risks = pd.DataFrame({"id": ["A", "B", "C", "D"], "probability": [0.5, 0.5, 0.4, 0.4],
                          "schedule_impact": [1.0, 2.0, 0.0, 0.0],
                          "cost_impact": [1.0, 10.0, 100.0, 1000.0],
                          "affected_tasks": ["T0"] * 4, "exclusive_group": ["g", "g", "", None]})
    r = simulate(tasks, links, iterations=4_000, seed=1, risks=risks,
                 risk_correlation={("C", "D"): 1.0})
    group = np.round(r.cost % 100).astype(int)  # A costs 1, B 10: exactly one per iteration
    assert set(np.unique(group)) == {1, 10}
    assert abs(r.risk_occurrence["A"] - 0.5) < 0.04
    cd = (r.cost // 100).astype(int)  # C and D fully correlated: both or neither
    assert set(np.unique(cd)) == {0, 11}
    assert abs(r.risk_occurrence["C"] - 0.4) < 0.04
    with pytest.raises(DataValidationError, match="cannot also be correlated"):
        simulate(tasks, links, iterations=5, risks=risks, risk_correlation={("A", "C"): 0.5})


# ---------------------------------------------------------------------------------------
# The result object
# ---------------------------------------------------------------------------------------
def test_result_percentiles_probabilities_and_jcl():
    tasks, links = _net({"A": 10.0, "B": 8.0}, [("A", "B")])
    tasks["duration_min"], tasks["duration_max"] = [6.0, 8.0], [20.0, 8.0]
    r = simulate(tasks, links, iterations=4_000, seed=4, rates=100.0, start="2026-01-05")
    assert r.iterations == 4_000 and r.deterministic == 18
    p80 = r.percentile(80)
    assert r.probability_by(p80) >= 0.8 > r.probability_by(p80 - 0.01)
    table = r.percentiles()
    assert table.index.tolist() == ["P10", "P50", "P80", "P90"]
    assert table.columns.tolist() == ["finish", "finish_date", "cost"]
    assert table["finish"].is_monotonic_increasing and table.loc["P80", "finish"] == p80
    date = r.percentile(80, of="finish_date")
    assert date == table.loc["P80", "finish_date"]
    assert r.probability_by(date) >= 0.8
    assert r.probability_by(pd.Timestamp("2026-01-01")) == 0
    # cost = 100 × duration here, so the JCL of (date, its cost) is the date's probability
    budget = r.percentile(80, of="cost")
    assert r.probability_within_budget(budget) >= 0.8
    assert r.jcl(p80, budget) == pytest.approx(r.probability_by(p80), abs=1e-3)
    assert r.jcl(p80, 0) == 0
    assert r.finish_dates.dtype == "datetime64[ns]" and len(r.finish_dates) == 4_000
    with pytest.raises(DataValidationError, match=r"in \[0, 100\]"):
        r.percentile(120)
    with pytest.raises(DataValidationError, match="unknown quantity"):
        r.percentile(50, of="duration")


def test_sensitivity_criticality_cruciality_tornado():
    """Two parallel paths; the long one with the wide task is nearly always critical."""
    tasks, links = _net({"S": 0.0, "A": 20.0, "B": 5.0, "C": 10.0, "E": 0.0},
                        [("S", "A"), ("S", "B"), ("B", "C"), ("A", "E"), ("C", "E")])
    tasks["duration_min"] = [0.0, 18.0, 4.0, 9.0, 0.0]  # A >= 18 > B + C <= 17
    tasks["duration_max"] = [0.0, 40.0, 6.0, 11.0, 0.0]
    r = simulate(tasks, links, iterations=5_000, seed=8)
    assert r.criticality["A"] == 1 and r.criticality["C"] == 0
    assert r.criticality["S"] == 1 and r.criticality["E"] == 1
    assert r.sensitivity["A"] == pytest.approx(1) and r.sensitivity["S"] == 0
    assert abs(r.sensitivity["B"]) < 0.05  # off the critical path: no influence
    assert r.cruciality["A"] == pytest.approx(r.criticality["A"] * r.sensitivity["A"])
    top = r.tornado(2)
    assert top.index[0] == "A" and len(top) == 2
    assert top.columns.tolist() == ["sensitivity", "criticality", "cruciality"]
    assert r.sensitivity["A"] == pytest.approx(_spearman(r.durations[:, 1], r.finish))


def test_keep_durations_false_and_progress_bar(capsys):
    tasks, links = _chain(3, 5.0)
    r = simulate(tasks, links, iterations=30, seed=0, keep_durations=False, progress=True,
                 chunk=10, default_range=(0.5, 2))
    assert r.durations is None and r.finish.size == 30
    assert "30/30" in capsys.readouterr().err
    with pytest.raises(DataValidationError, match="keep_durations=True"):
        _ = r.sensitivity


def test_dates_need_a_start():
    tasks, links = _chain(2)
    r = simulate(tasks, links, iterations=5)
    with pytest.raises(DataValidationError, match="start="):
        _ = r.finish_dates
    with pytest.raises(DataValidationError, match="start="):
        r.probability_by("2026-03-01")
    assert r.percentiles().columns.tolist() == ["finish", "cost"]


# ---------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------
def _bad_task(**cols):
    tasks = pd.DataFrame({"id": ["A", "B"], "duration": [5.0, 5.0],
                          "duration_min": [4.0, 4.0], "duration_max": [6.0, 6.0]})
    for k, v in cols.items():
        tasks[k] = v
    return tasks


@pytest.mark.parametrize("cols, match", [
    ({"duration_min": [4.0, 5.5]}, r"ID 'B', column 'duration': need duration_min <= "),
    ({"duration_max": [6.0, 4.5]}, r"ID 'B'.*5 <= 4.5"),
    ({"duration_max": [6.0, np.nan]}, r"ID 'B'.*must both be numbers"),
    ({"duration_min": [-1.0, 4.0], "duration": [0.0, 5.0]}, r"ID 'A'.*negative"),
    ({"distribution": ["triangular", "normal"]},
     r"ID 'B', column 'distribution': unknown distribution 'normal'; use one of 'triangular'"),
    ({"fixed_cost": [1.0, -2.0]}, r"ID 'B', column 'fixed_cost'"),
])
def test_bad_task_estimates_named(cols, match):
    with pytest.raises(DataValidationError, match=match):
        simulate(_bad_task(**cols), None, iterations=5)


def _risk(**cols):
    risks = pd.DataFrame({"id": ["R1", "R2"], "probability": [0.5, 0.5],
                          "schedule_impact": [1.0, 2.0], "cost_impact": [0.0, 0.0],
                          "affected_tasks": ["A", "B"]})
    for k, v in cols.items():
        risks[k] = v
    return risks


@pytest.mark.parametrize("risks, error, match", [
    (_risk(probability=[0.5, 1.5]), DataValidationError, r"ID 'R2', column 'probability'"),
    (_risk(affected_tasks=["A", "A;Z"]), DataValidationError, r"ID 'R2'.*unknown task 'Z'"),
    (_risk(id=["R1", "R1"]), DataValidationError, "duplicate risk id"),
    (_risk(schedule_impact=[1.0, -2.0]), DataValidationError, r"ID 'R2'.*negative"),
    (_risk(cost_impact=[np.nan, 0.0]), DataValidationError, r"ID 'R1'.*cost_impact is missing"),
    (_risk(probability=[0.7, 0.6], exclusive_group=["g", "g"]), DataValidationError,
     r"group 'g' \(R1, R2\).*1.3 > 1"),
    (_risk(schedule_impact_min=[0.0, 3.0], schedule_impact_max=[2.0, 4.0]),
     DataValidationError, r"ID 'R2'.*schedule_impact_min <= "),
    (_risk(impact_distribution=["weibull", ""]), DataValidationError, r"ID 'R1'.*'weibull'"),
    (_risk().drop(columns="probability"), DataValidationError, "need a probability column"),
])
def test_bad_risks_named(risks, error, match):
    with pytest.raises(error, match=match):
        simulate(_bad_task(), None, iterations=5, risks=risks)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"iterations": 0}, DataValidationError, "iterations.*whole number >= 1"),
    ({"chunk": 0}, DataValidationError, "chunk"),
    ({"psd": "clip"}, DataValidationError, "unknown mode 'clip'; use one of 'repair', 'raise'"),
    ({"distribution": "lognormal"}, DataValidationError, "unknown distribution 'lognormal'"),
    ({"default_range": (1.1, 1.3)}, DataValidationError, "0 <= low <= 1 <= high"),
    ({"default_range": "wide"}, DataValidationError, "default_range"),
    ({"rates": {"Z": 1.0}}, UnknownReferenceError, "rate for unknown task 'Z'"),
    ({"rates": [1.0]}, DataValidationError, "one value per task"),
    ({"rates": "cost_rate"}, DataValidationError, "no column 'cost_rate'"),
    ({"rates": -1.0}, DataValidationError, "rate must be a number >= 0"),
])
def test_bad_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        simulate(_bad_task(), None, **{"iterations": 5, **kwargs})


def test_network_errors_come_from_the_schedule_engine():
    tasks, links = _net({"A": 1.0, "B": 1.0}, [("A", "B"), ("B", "A")])
    with pytest.raises(ScheduleError, match="dependency cycle"):
        simulate(tasks, links, iterations=5)
    tasks, links = _net({"A": 1.0}, [("A", "Q")])
    with pytest.raises(ScheduleError, match="unknown succ task 'Q'"):
        simulate(tasks, links, iterations=5)
