"""Exact levelling with OR-Tools CP-SAT (pmo_lib.levelling.level(method="cpsat")):
hand-checked cases (priorities, releases, fixed tasks, fractional units), feasibility on
random networks with all four link types, a fixed sample of PSPLIB j30 instances proven
optimal at the optimum of Demeulemeester & Herroelen (j30opt.sm, see
../shared/data/README.md), the result fields, and the error without OR-Tools."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from test_levelling import PSPLIB, _j30_optima, check_feasible, frames, needs_psplib
from test_levelling_priority import check_constraints, random_instance, starts, two_projects

from pmo_lib import levelling
from pmo_lib.errors import MissingDependencyError, PMOError, ScheduleError

pytest.importorskip("ortools")

CP = dict(method="cpsat", time_limit=20.0, workers=1, seed=0, schedules=50)


def pairwise_conflict(units=2.0, capacity=3.0):
    """Three 2-day tasks, each needing ``units`` of R: no two fit together. The resource
    bound is ⌈3·2·units / capacity⌉ = 4 < 6, the optimum, which only a proof shows."""
    return frames({"A": 2, "B": 2, "C": 2}, capacity={"R": capacity},
                  uses=[("A", "R", units), ("B", "R", units), ("C", "R", units)])


# ----------------------------------------------------------------------------------------
# Hand-checked cases
# ----------------------------------------------------------------------------------------
def test_proves_the_optimum_above_the_lower_bound():
    tasks, links, resources, assignments = pairwise_conflict()
    heur = levelling.level(tasks, links, resources, assignments, schedules=50, seed=0)
    assert (heur.makespan, heur.lower_bound) == (6, 4)
    assert (heur.method, heur.optimal, heur.status) == ("sgs", False, "HEURISTIC")
    res = levelling.level(tasks, links, resources, assignments, **CP)
    assert (res.makespan, res.method, res.optimal, res.status) == (6, "cpsat", True,
                                                                     "OPTIMAL")
    assert sorted(res.schedule["start"]) == [0, 2, 4]
    check_feasible(tasks, links, resources, assignments, res)
    delayed = res.delayed
    assert len(delayed) == 2 and (delayed["delay_resource"] == "R").all()
    assert (delayed["delay_source"] == delayed.index).all()


def test_at_the_lower_bound_the_heuristic_is_proven():
    tasks, links, resources, assignments = frames({"A": 3, "B": 2},
                                                  uses=[("A", "R", 1), ("B", "R", 1)])
    for method in levelling.METHODS:
        res = levelling.level(tasks, links, resources, assignments, schedules=10, seed=1,
                              method=method)
        assert (res.makespan, res.lower_bound, res.optimal, res.status, res.method) == \
            (5, 5, True, "OPTIMAL", method)


def test_fractional_units_scaled_exactly():
    # Capacity 1.5 and units 1.0 (scale 2): no two tasks together, optimum 6.
    tasks, links, resources, assignments = pairwise_conflict(units=1.0, capacity=1.5)
    res = levelling.level(tasks, links, resources, assignments, **CP)
    assert (res.makespan, res.status) == (6, "OPTIMAL")
    # Capacity 2.5, units 1.25 (scale 4): two fit together; then the bound 3 is met.
    tasks, links, resources, assignments = pairwise_conflict(units=1.25, capacity=2.5)
    res = levelling.level(tasks, links, resources, assignments, **CP)
    assert (res.makespan, res.status) == (4, "OPTIMAL")


def test_inexact_units_rounded_safely_with_warning():
    # 3 × 0.3337 > 1 but any two fit: two tasks on day 0, the third on day 1 (priorities
    # make CP-SAT run although the heuristic meets the bound).
    tasks, links, resources, assignments = frames(
        {"A": 1, "B": 1, "C": 1}, capacity={"R": 1.0},
        uses=[("A", "R", 0.3337), ("B", "R", 0.3337), ("C", "R", 0.3337)])
    with pytest.warns(UserWarning, match=r"units of resource\(s\) R are no multiples"):
        res = levelling.level(tasks, links, resources, assignments, priority=[1, 2, 2],
                              **CP)
    assert res.schedule.loc["A", "start"] == 0 and sorted(res.schedule["start"]) == [0, 0, 1]
    check_feasible(tasks, links, resources, assignments, res)


@pytest.mark.parametrize(("rank", "expected", "finish"), [
    ([1, 1, 2], {"X1": 0, "Y1": 3, "X2": 5}, {"P1": 5, "P2": 7}),
    ([2, 2, 1], {"X1": 2, "Y1": 5, "X2": 0}, {"P1": 7, "P2": 2}),
])
def test_priorities_lexicographic(rank, expected, finish):
    tasks, links, resources, assignments = two_projects()
    res = levelling.level(tasks, links, resources, assignments, priority=rank, **CP)
    assert starts(res) == expected and res.projects["finish"].to_dict() == finish
    assert res.projects["priority"].to_dict() == {"P1": rank[0], "P2": rank[2]}
    assert res.status == "OPTIMAL" and res.optimal


def test_priority_beats_makespan_and_inheritance():
    # As in test_levelling_priority: ranking P1 first costs the makespan 2 days.
    tasks, links, resources, assignments = frames(
        {"L": 2, "T": 1, "U": 5}, [("T", "U", "FS", 0)],
        uses=[("L", "R", 1), ("T", "R", 1)])
    res = levelling.level(tasks, links, resources, assignments, priority=[1, 2, 2], **CP)
    assert starts(res) == {"L": 0, "T": 2, "U": 3} and res.makespan == 8
    plain = levelling.level(tasks, links, resources, assignments, **CP)
    assert plain.makespan == 6 and plain.optimal
    # L (rank 3) gates H (rank 1): both finish first, M (rank 2) after.
    tasks, links, resources, assignments = frames(
        {"L": 2, "H": 2, "M": 3}, [("L", "H", "FS", 0)],
        uses=[("L", "R", 1), ("H", "R", 1), ("M", "R", 1)])
    res = levelling.level(tasks, links, resources, assignments, priority=[3, 1, 2], **CP)
    assert starts(res) == {"L": 0, "H": 2, "M": 4}


def test_release_and_fixed():
    tasks, links, resources, assignments = frames(
        {"A": 2, "B": 4, "C": 1}, [("A", "C", "SS", 1)],
        uses=[("A", "R", 1), ("B", "R", 1)])
    res = levelling.level(tasks, links, resources, assignments, release=[3, 0, 0], **CP)
    assert starts(res) == {"A": 4, "B": 0, "C": 5} and res.status == "OPTIMAL"
    assert res.schedule.loc["A", ["delay", "delay_resource"]].tolist() == [1, "R"]
    tasks, links, resources, assignments = frames(
        {"P": 3, "F": 4, "T": 2, "G": 1}, [("P", "F", "FS", 0), ("F", "G", "FS", 1)],
        uses=[("F", "R", 1), ("T", "R", 1)])
    res = levelling.level(tasks, links, resources, assignments, priority=[2, 3, 1, 2],
                          release=[0, 5, 0, 0], fixed=[np.nan, 1, np.nan, np.nan], **CP)
    assert starts(res) == {"P": 0, "F": 1, "T": 5, "G": 6}


def test_fixed_tasks_over_capacity():
    tasks, links, resources, assignments = frames(
        {"F1": 3, "F2": 2, "A": 2, "B": 1},
        uses=[("F1", "R", 1), ("F2", "R", 2), ("A", "R", 1), ("B", "R", 1)])
    with pytest.warns(UserWarning, match="fixed"):
        res = levelling.level(tasks, links, resources, assignments,
                              fixed=pd.Series({"F1": 0, "F2": 1}), **CP)
    assert starts(res)["F1"] == 0 and starts(res)["F2"] == 1
    # A (2 d) and B (1 d) follow on R from day 3, in either order.
    assert min(starts(res)["A"], starts(res)["B"]) == 3 and res.makespan == 6
    assert res.status == "OPTIMAL" and not res.levelled
    assert res.overallocated[["start", "finish", "tasks"]].values.tolist() == [[1, 3,
                                                                                "F1;F2"]]


# ----------------------------------------------------------------------------------------
# Random networks: feasible, never worse than the heuristic, every delay explained
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(8))
def test_random_networks_feasible(seed):
    tasks, links, resources, assignments = random_instance(seed, n=14)
    rng = np.random.default_rng(seed)
    n = len(tasks)
    rank = rng.integers(1, 3, n).astype(float) if seed % 2 else None
    release = rng.integers(0, 6, n).astype(float) if seed % 4 < 2 else None
    fixed = np.where(rng.random(n) < 0.15, rng.integers(0, 5, n), np.nan) if seed >= 4 \
        else None
    kwargs = dict(priority=rank, release=release, fixed=fixed, schedules=50, seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        heur = levelling.level(tasks, links, resources, assignments, **kwargs)
        res = levelling.level(tasks, links, resources, assignments, method="cpsat",
                              time_limit=10.0, workers=1, **kwargs)
    check_constraints(tasks, links, resources, assignments, res, release=release,
                      fixed=fixed)
    assert res.status in ("OPTIMAL", "FEASIBLE")
    if rank is None:
        assert res.makespan <= heur.makespan
        assert res.makespan >= res.lower_bound or not res.levelled
    else:  # the finish of each rank, best first, is no worse than the heuristic's
        def by_rank(r):
            return r.schedule.groupby(np.where(np.isnan(rank), np.inf, rank))["finish"].max()
        assert tuple(by_rank(res)) <= tuple(by_rank(heur))
    s = res.schedule
    delayed = s["delay"] > 0
    assert s.loc[delayed, "delay_resource"].notna().all()
    assert (s["delay"] == s["start"] - s["early_start"]).all()


def test_reproducible_with_one_worker():
    tasks, links, resources, assignments = random_instance(3, n=16)
    a, b = (levelling.level(tasks, links, resources, assignments, method="cpsat",
                            time_limit=10.0, workers=1, seed=7, schedules=30)
            for _ in range(2))
    assert a.status == b.status == "OPTIMAL"
    pd.testing.assert_frame_equal(a.schedule, b.schedule)


# ----------------------------------------------------------------------------------------
# PSPLIB j30
# ----------------------------------------------------------------------------------------
#: Instances where the heuristic stops above the optimum (so CP-SAT has work to do) and
#: that CP-SAT proves in well under a second on one core; two meet the bound at once.
J30_CPSAT = ["j305_2", "j309_3", "j3025_7", "j3037_10", "j3041_1", "j3021_6", "j3017_5",
             "j301_1"]


@needs_psplib
@pytest.mark.parametrize("name", J30_CPSAT)
def test_psplib_j30_proven_optimal(name):
    optima = _j30_optima()
    inst = levelling.read_psplib(PSPLIB / "j30" / f"{name}.sm")
    res = levelling.level(*inst, method="cpsat", time_limit=30.0, workers=1, seed=0,
                          schedules=1000)
    check_feasible(*inst, res)
    assert (res.makespan, res.status, res.optimal) == (optima[name], "OPTIMAL", True)
    assert res.critical_path == inst.mpm_time and res.makespan >= res.lower_bound


# ----------------------------------------------------------------------------------------
# Result fields, errors
# ----------------------------------------------------------------------------------------
def test_result_defaults_keep_old_constructors():
    res = levelling.LevelResult(schedule=pd.DataFrame(), makespan=3, critical_path=3,
                                resource_bound=1, schedules=1)
    assert (res.method, res.optimal, res.status, res.overallocated) == ("sgs", False,
                                                                       "HEURISTIC", None)
    assert res.levelled


def test_sgs_with_priorities_is_never_called_optimal():
    tasks, links, resources, assignments = two_projects()
    res = levelling.level(tasks, links, resources, assignments, schedules=20,
                          priority=[1, 1, 2])
    assert res.makespan == res.lower_bound == 7
    assert (res.optimal, res.status) == (False, "HEURISTIC")


def test_missing_ortools(monkeypatch):
    for name in [m for m in sys.modules if m == "ortools" or m.startswith("ortools.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "ortools", None)
    tasks, links, resources, assignments = pairwise_conflict()
    with pytest.raises(MissingDependencyError,
                       match=r'method="cpsat" needs OR-Tools.*pip install "pmo-kit\[cpsat\]"'
                       ) as info:
        levelling.level(tasks, links, resources, assignments, method="cpsat")
    assert isinstance(info.value, PMOError) and isinstance(info.value, ImportError)
    # The heuristic does not need it.
    assert levelling.level(tasks, links, resources, assignments, schedules=5).makespan == 6


@pytest.mark.parametrize(("kwargs", "match"), [
    (dict(time_limit=0), r"time_limit must be a number of seconds > 0, not 0"),
    (dict(time_limit=float("nan")), r"time_limit must be"),
    (dict(workers=0), r"workers must be at least 1 \(or None\), not 0"),
    (dict(method="cp"), r"unknown levelling method 'cp'; use one of sgs, cpsat"),
])
def test_bad_cpsat_options(kwargs, match):
    tasks, links, resources, assignments = pairwise_conflict()
    with pytest.raises(ScheduleError, match=match):
        levelling.level(tasks, links, resources, assignments, **({"method": "cpsat"} | kwargs))
