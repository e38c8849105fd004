"""Resource levelling (pmo_lib.levelling): hand-checked cases, feasibility of every schedule
on random networks with all four link types and lags, bounds, seeds, PSPLIB quality on a
fixed sample of j30 instances (Kolisch & Sprecher 1996, optimal makespans of Demeulemeester
& Herroelen in j30opt.sm; see ../shared/data/README.md) and every bad input."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pmo_lib import levelling, schedule
from pmo_lib.errors import (
    DataValidationError,
    MissingDataError,
    PMOError,
    ScheduleError,
    UnknownReferenceError,
)

PSPLIB = Path(__file__).resolve().parents[2] / "shared" / "data" / "psplib"
needs_psplib = pytest.mark.skipif(not (PSPLIB / "j30" / "j30opt.sm").is_file(),
                                  reason="../shared/data/psplib is not available")


def frames(durations: dict, links=(), capacity=None, uses=()):
    """Small DataFrames: durations {id: d}; links [(pred, succ, type, lag)];
    capacity {resource: units}; uses [(task, resource, units)]."""
    tasks = pd.DataFrame({"id": list(durations), "duration": list(durations.values())})
    links = pd.DataFrame(list(links), columns=["pred", "succ", "type", "lag"])
    resources = pd.DataFrame({"id": list(capacity or {"R": 1}),
                              "capacity": list((capacity or {"R": 1}).values())})
    assignments = pd.DataFrame(list(uses), columns=["task_id", "resource_id", "units"])
    return tasks, links, resources, assignments


def check_feasible(tasks, links, resources, assignments, result):
    """Independent checker: every link, every start ≥ 0, every resource on every day."""
    s = result.schedule
    dur = tasks.set_index("id")["duration"].astype(int)
    start, finish = s["start"], s["finish"]
    assert (start >= 0).all()
    assert (finish - start).equals(dur.reindex(s.index).rename(None)) or \
        np.array_equal((finish - start).to_numpy(), dur.reindex(s.index).to_numpy())
    for p, q, t, lag in links[["pred", "succ", "type", "lag"]].itertuples(index=False):
        if t == "FS":
            ok = start[q] >= finish[p] + lag
        elif t == "SS":
            ok = start[q] >= start[p] + lag
        elif t == "FF":
            ok = finish[q] >= finish[p] + lag
        else:
            ok = finish[q] >= start[p] + lag
        assert ok, f"link {p}->{q} {t}{lag:+} violated: {start[p]}-{finish[p]}, " \
                   f"{start[q]}-{finish[q]}"
    horizon = int(finish.max()) if len(s) else 0
    cap = resources.set_index("id")["capacity"]
    use = {r: np.zeros(horizon + 1) for r in cap.index}
    for task, res, units in assignments.itertuples(index=False):
        use[res][int(start[task]):int(finish[task])] += units
    for r, profile in use.items():
        assert profile.max(initial=0) <= cap[r] + 1e-9, f"resource {r} over capacity"
    assert result.makespan == horizon


def random_instance(seed: int, n: int = 25):
    """A random acyclic network with all four link types, lags -3..5 and 3 resources."""
    rng = np.random.default_rng(seed)
    ids = [f"T{i:02d}" for i in range(n)]
    durations = dict(zip(ids, rng.integers(0, 8, n).tolist(), strict=True))
    links = set()
    for j in range(1, n):
        for i in rng.choice(j, size=min(j, rng.integers(1, 3)), replace=False):
            links.add((ids[i], ids[j]))
    types = ["FS", "SS", "FF", "SF"]
    links = [(p, q, types[rng.integers(4)] if rng.random() < 0.6 else "FS",
              int(rng.integers(-3, 6)) if rng.random() < 0.5 else 0)
             for p, q in sorted(links)]
    capacity = {"R1": 4.0, "R2": 3.0, "R3": 2.5}
    uses = []
    for t in ids:
        for r, c in capacity.items():
            if rng.random() < 0.5:
                uses.append((t, r, float(rng.integers(1, int(2 * c) + 1)) / 2))
    return frames(durations, links, capacity, uses)


# ----------------------------------------------------------------------------------------
# Hand-checked cases
# ----------------------------------------------------------------------------------------
def test_two_tasks_competing_for_one_unit():
    # A (3 d) and B (2 d) both need the single unit of R: the CPM length is 3, levelled 5.
    tasks, links, resources, assignments = frames(
        {"A": 3, "B": 2}, uses=[("A", "R", 1), ("B", "R", 1)])
    res = levelling.level(tasks, None, resources, assignments, schedules=20, seed=0)
    assert (res.makespan, res.critical_path, res.resource_bound) == (5, 3, 5)
    s = res.schedule
    assert s["early_start"].tolist() == [0, 0]
    delayed = res.delayed
    assert len(delayed) == 1
    (task, row), = delayed.iterrows()
    other = "A" if task == "B" else "B"
    assert row["delay"] == tasks.set_index("id").loc[other, "duration"]  # waits for the other
    assert row["start"] == s.loc[other, "finish"]
    assert row["delay_resource"] == "R" and row["delay_source"] == task
    assert s.loc[other, "delay_resource"] is None and s.loc[other, "delay_source"] is None
    check_feasible(tasks, links, resources, assignments, res)


def test_two_units_no_conflict():
    tasks, links, resources, assignments = frames(
        {"A": 3, "B": 2}, capacity={"R": 2}, uses=[("A", "R", 1), ("B", "R", 1)])
    res = levelling.level(tasks, links, resources, assignments, schedules=5)
    assert res.makespan == 3 and res.delayed.empty


def test_delay_passed_on_through_links():
    # A and B share R; C follows B (FS+1) and uses nothing: C is late because B is, and the
    # why names B's conflict on R. The LFT rule puts B (on the longer path) first.
    tasks, links, resources, assignments = frames(
        {"A": 4, "B": 2, "C": 5}, [("B", "C", "FS", 1)],
        uses=[("A", "R", 1), ("B", "R", 1)])
    res = levelling.level(tasks, links, resources, assignments, schedules=50, seed=3)
    s = res.schedule
    assert res.critical_path == 8 and res.makespan == 8  # B, then A beside C
    assert s.loc["A", ["start", "delay", "delay_resource", "delay_source"]].tolist() == \
        [2, 2, "R", "A"]
    # Forcing B behind A (A is much longer on a second chain) passes the delay to C.
    tasks, links, resources, assignments = frames(
        {"A": 4, "B": 2, "C": 5, "D": 9}, [("B", "C", "FS", 1), ("A", "D", "FS", 0)],
        uses=[("A", "R", 1), ("B", "R", 1)])
    res = levelling.level(tasks, links, resources, assignments, schedules=50, seed=3)
    s = res.schedule
    assert res.makespan == 13 and s.loc["B", "start"] == 4
    assert s.loc["B", ["delay", "delay_resource", "delay_source"]].tolist() == [4, "R", "B"]
    assert s.loc["C", ["start", "delay", "delay_resource", "delay_source"]].tolist() == \
        [7, 4, "R", "B"]
    check_feasible(tasks, links, resources, assignments, res)


@pytest.mark.parametrize(("kind", "lag", "b_start"), [
    # A (4 d) and B (3 d) share one unit of R; B can never overlap A, whatever the link.
    ("FS", 2, 6),   # B ≥ finish A + 2 = 6: the link alone decides
    ("SS", 2, 4),   # SS+2 allows 2, R pushes B to A's finish, 4
    ("FF", 1, 4),   # FF+1: B finishes ≥ 5, starts ≥ 2; R: 4
    ("SF", 6, 4),   # SF+6: B finishes ≥ 6, starts ≥ 3; R: 4
    ("FF", 5, 6),   # FF+5: B finishes ≥ 9, starts ≥ 6: the link decides again
])
def test_link_types_with_lags_hand_checked(kind, lag, b_start):
    tasks, links, resources, assignments = frames(
        {"A": 4, "B": 3}, [("A", "B", kind, lag)], uses=[("A", "R", 1), ("B", "R", 1)])
    res = levelling.level(tasks, links, resources, assignments, schedules=10, seed=0)
    assert res.schedule.loc["A", "start"] == 0
    assert res.schedule.loc["B", "start"] == b_start
    cpm = schedule.cpm(tasks, links)
    assert res.schedule["early_start"].tolist() == cpm["early_start"].astype(int).tolist()
    assert res.schedule.loc["B", "delay_resource"] == ("R" if b_start > cpm.loc[
        "B", "early_start"] else None)
    check_feasible(tasks, links, resources, assignments, res)


def test_negative_lag_lets_successor_start_first():
    # SS-2 lets B start 2 days before A; a second unit avoids any conflict.
    tasks, links, resources, assignments = frames(
        {"Z": 2, "A": 3, "B": 1}, [("Z", "A", "FS", 0), ("A", "B", "SS", -2)],
        capacity={"R": 2}, uses=[("A", "R", 1), ("B", "R", 1)])
    res = levelling.level(tasks, links, resources, assignments, schedules=10)
    assert res.schedule["start"].to_dict() == {"Z": 0, "A": 2, "B": 0}
    assert res.makespan == 5 and res.delayed.empty


def test_no_assignments_is_cpm():
    tasks, links, resources, _ = random_instance(7)
    res = levelling.level(tasks, links, resources, None, schedules=5)
    cpm = schedule.cpm(tasks, links)
    assert res.makespan == res.critical_path == int(cpm["early_finish"].max())
    assert res.delayed.empty and res.resource_bound == 0
    assert res.schedule["start"].tolist() == cpm["early_start"].astype(int).tolist()


def test_projects_and_columns():
    tasks, links, resources, assignments = frames(
        {"A": 3, "B": 2, "C": 1}, [("A", "C", "FS", 0)],
        uses=[("A", "R", 1), ("B", "R", 1)])
    tasks["project_id"] = ["P1", "P2", "P1"]
    res = levelling.level(tasks, links, resources, assignments, schedules=20, seed=0)
    assert list(res.schedule.columns) == ["project_id", "duration", "early_start", "start",
                                          "finish", "delay", "delay_resource",
                                          "delay_source"]
    assert res.schedule.index.name == "id" and list(res.schedule.index) == ["A", "B", "C"]
    proj = res.projects
    assert list(proj.columns) == ["cpm_finish", "finish", "finish_change"]
    assert proj.loc["P1", "cpm_finish"] == 4 and proj.loc["P2", "cpm_finish"] == 2
    assert (proj["finish_change"] == proj["finish"] - proj["cpm_finish"]).all()
    assert res.lower_bound == max(res.critical_path, res.resource_bound)
    assert levelling.level(*frames({"A": 1}), schedules=1).projects is None


def test_fractional_duration_rounded_up_with_warning():
    tasks, links, resources, assignments = frames({"A": 2.5, "B": 1},
                                                  uses=[("A", "R", 1), ("B", "R", 1)])
    with pytest.warns(UserWarning, match="rounded up"):
        res = levelling.level(tasks, links, resources, assignments, schedules=5)
    assert res.schedule.loc["A", "duration"] == 3 and res.makespan == 4


def test_empty_network():
    tasks, links, resources, assignments = frames({})
    res = levelling.level(tasks, links, resources, assignments, schedules=3)
    assert res.makespan == 0 and res.schedule.empty


# ----------------------------------------------------------------------------------------
# Properties on random networks
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("scheme", levelling.SCHEMES)
def test_random_networks_feasible_and_bounded(seed, scheme):
    tasks, links, resources, assignments = random_instance(seed)
    res = levelling.level(tasks, links, resources, assignments, schedules=60, seed=seed,
                          scheme=scheme)
    check_feasible(tasks, links, resources, assignments, res)
    cpm = schedule.cpm(tasks, links)
    assert res.critical_path == int(cpm["early_finish"].max())
    assert res.makespan >= res.critical_path and res.makespan >= res.resource_bound
    s = res.schedule
    assert (s["early_start"] == cpm["early_start"].astype(int)).all()
    assert (s["delay"] == s["start"] - s["early_start"]).all() and (s["delay"] >= 0).all()
    delayed = s["delay"] > 0
    # Every delayed task has a why: a resource and the task that met the conflict.
    assert s.loc[delayed, "delay_resource"].notna().all()
    assert s.loc[delayed, "delay_source"].notna().all()
    assert s.loc[~delayed, "delay_resource"].isna().all()
    assert 1 <= res.schedules <= 60


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("options", [dict(justify=False), dict(population=0),
                                     dict(rules=("GRPW",), scheme="parallel"),
                                     dict(rules=(), alpha=0.0), dict(schedules=1)])
def test_random_networks_feasible_options(seed, options):
    tasks, links, resources, assignments = random_instance(100 + seed, n=30)
    res = levelling.level(tasks, links, resources, assignments,
                          **{"schedules": 40, "seed": seed} | options)
    check_feasible(tasks, links, resources, assignments, res)
    assert res.schedules <= options.get("schedules", 40)


def test_each_rule_alone_is_feasible():
    tasks, links, resources, assignments = random_instance(42, n=35)
    for rule in levelling.RULES:
        for scheme in ("serial", "parallel"):
            res = levelling.level(tasks, links, resources, assignments, schedules=1,
                                  rules=(rule,), scheme=scheme, justify=False)
            assert res.schedules == 1
            check_feasible(tasks, links, resources, assignments, res)


def test_more_schedules_never_worse_and_justification_helps():
    tasks, links, resources, assignments = random_instance(5, n=40)
    few = levelling.level(tasks, links, resources, assignments, schedules=12, seed=1)
    many = levelling.level(tasks, links, resources, assignments, schedules=600, seed=1)
    assert many.makespan <= few.makespan  # the rules pass comes first in both


def test_reproducible_by_seed():
    tasks, links, resources, assignments = random_instance(11, n=40)
    a = levelling.level(tasks, links, resources, assignments, schedules=300, seed=123)
    b = levelling.level(tasks, links, resources, assignments, schedules=300, seed=123)
    pd.testing.assert_frame_equal(a.schedule, b.schedule)
    assert a == a and (a.makespan, a.schedules) == (b.makespan, b.schedules)
    g = levelling.level(tasks, links, resources, assignments, schedules=300,
                        seed=np.random.default_rng(123))
    h = levelling.level(tasks, links, resources, assignments, schedules=300,
                        seed=np.random.default_rng(123))
    pd.testing.assert_frame_equal(g.schedule, h.schedule)


def test_inputs_not_mutated():
    tasks, links, resources, assignments = random_instance(3)
    copies = [f.copy() for f in (tasks, links, resources, assignments)]
    levelling.level(tasks, links, resources, assignments, schedules=20)
    for before, after in zip(copies, (tasks, links, resources, assignments), strict=True):
        pd.testing.assert_frame_equal(before, after)


def test_result_is_frozen():
    res = levelling.level(*frames({"A": 1}), schedules=1)
    with pytest.raises(AttributeError):
        res.makespan = 0


# ----------------------------------------------------------------------------------------
# PSPLIB
# ----------------------------------------------------------------------------------------
TINY_SM = """************************************************************************
jobs (incl. supersource/sink ):  4
RESOURCES
  - renewable                 :  1   R
************************************************************************
PROJECT INFORMATION:
pronr.  #jobs rel.date duedate tardcost  MPM-Time
    1      2      0        5        1        4
************************************************************************
PRECEDENCE RELATIONS:
jobnr.    #modes  #successors   successors
   1        1          2           2   3
   2        1          1           4
   3        1          1           4
   4        1          0
************************************************************************
REQUESTS/DURATIONS:
jobnr. mode duration  R 1
------------------------------------------------------------------------
  1      1     0       0
  2      1     4       2
  3      1     3       2
  4      1     0       0
************************************************************************
RESOURCEAVAILABILITIES:
  R 1
   3
************************************************************************
"""


def test_read_psplib_tiny(tmp_path):
    path = tmp_path / "tiny.sm"
    path.write_text(TINY_SM)
    inst = levelling.read_psplib(path)
    tasks, links, resources, assignments = inst
    assert inst.name == "tiny" and inst.mpm_time == 4
    assert tasks["id"].tolist() == ["1", "2", "3", "4"]
    assert tasks["duration"].tolist() == [0, 4, 3, 0]
    assert list(zip(links["pred"], links["succ"], strict=True)) == [
        ("1", "2"), ("1", "3"), ("2", "4"), ("3", "4")]
    assert set(links["type"]) == {"FS"} and set(links["lag"]) == {0}
    assert resources.to_dict("list") == {"id": ["R1"], "capacity": [3.0]}
    assert assignments.to_dict("list") == {"task_id": ["2", "3"],
                                           "resource_id": ["R1", "R1"], "units": [2.0, 2.0]}
    res = levelling.level(*inst, schedules=10)
    assert res.makespan == 7 and res.critical_path == 4


@pytest.mark.parametrize(("old", "new", "match"), [
    ("   2        1          1           4", "   2        1          1           9",
     r"tiny\.sm: line 13: job 2: successor 9 is not a job number 1\.\.4"),
    ("   2        1          1           4", "   2        1          2           4",
     r"tiny\.sm: line 13: a precedence row"),
    ("   3        1          1           4", "   3        2          1           4",
     r"line 14: job 3 has 2 modes"),
    ("  2      1     4       2", "  2      1     4x      2",
     r"tiny\.sm: line 21: expected whole numbers"),
    ("  3      1     3       2", "  3      1     3       2  1",
     r"line 22: 2 resource requests for 1 resources"),
    ("  3      1     3       2", "  5      1     3       2",
     r"line 22: expected the row of job 3"),
    ("RESOURCEAVAILABILITIES:", "RESOURCES AVAILABLE:",
     r"tiny\.sm: no 'RESOURCEAVAILABILITIES:' section"),
    ("jobs (incl. supersource/sink ):  4", "jobs: 4", r"no 'jobs \(incl"),
    ("   4        1          0\n", "", r"line 10: 3 precedence rows for 4 jobs"),
])
def test_read_psplib_malformed(tmp_path, old, new, match):
    assert old in TINY_SM
    path = tmp_path / "tiny.sm"
    path.write_text(TINY_SM.replace(old, new))
    with pytest.raises(DataValidationError, match=match):
        levelling.read_psplib(path)


def test_read_psplib_missing_file(tmp_path):
    with pytest.raises(MissingDataError, match="no such PSPLIB file"):
        levelling.read_psplib(tmp_path / "nope.sm")


@needs_psplib
def test_read_psplib_j301_1():
    inst = levelling.read_psplib(PSPLIB / "j30" / "j301_1.sm")
    tasks, links, resources, assignments = inst
    assert len(tasks) == 32 and tasks["duration"].iloc[[0, 1, -1]].tolist() == [0, 8, 0]
    assert resources["capacity"].tolist() == [12, 13, 4, 12]
    assert len(links) == 48 and inst.mpm_time == 38
    assert assignments.query("task_id == '3'")[["resource_id", "units"]].values.tolist() == \
        [["R1", 10.0]]


def _j30_optima() -> dict[str, int]:
    out = {}
    for line in (PSPLIB / "j30" / "j30opt.sm").read_text().splitlines():
        m = re.match(r"^\s*(\d+)\s+(\d+)\s+(\d+)", line)
        if m:
            out[f"j30{m.group(1)}_{m.group(2)}"] = int(m.group(3))
    return out


#: A fixed sample: one instance from every fifth parameter set (mixed hardness).
J30_SAMPLE = [f"j30{p}_{i}" for p, i in
              [(1, 1), (5, 2), (9, 3), (13, 4), (17, 5), (21, 6), (25, 7), (29, 8), (33, 9),
               (37, 10), (41, 1), (45, 2)]]


@needs_psplib
def test_psplib_j30_sample_quality():
    optima = _j30_optima()
    devs = []
    for name in J30_SAMPLE:
        inst = levelling.read_psplib(PSPLIB / "j30" / f"{name}.sm")
        res = levelling.level(*inst, schedules=1000, seed=0)
        check_feasible(*inst, res)
        assert res.critical_path == inst.mpm_time
        assert res.makespan >= optima[name] >= res.lower_bound
        devs.append(100 * (res.makespan - optima[name]) / optima[name])
    # The sample leans to the hard parameter sets (the mean over all 480 is much lower).
    assert np.mean(devs) <= 2.5, devs
    assert sum(d == 0 for d in devs) >= 4, devs


# ----------------------------------------------------------------------------------------
# Bad input
# ----------------------------------------------------------------------------------------
def test_task_needing_more_than_capacity():
    tasks, links, resources, assignments = frames({"A": 2, "B": 1}, capacity={"R": 2},
                                                  uses=[("A", "R", 1), ("B", "R", 3)])
    with pytest.raises(DataValidationError,
                       match=r"task 'B' needs 3 units of resource 'R', which has a capacity "
                             r"of 2: it can never be scheduled"):
        levelling.level(tasks, links, resources, assignments)
    # Two rows for the same pair add up.
    assignments = pd.DataFrame({"task_id": ["A", "A"], "resource_id": ["R", "R"],
                                "units": [1.5, 1.0]})
    with pytest.raises(PMOError, match=r"task 'A' needs 2\.5 units of resource 'R'"):
        levelling.level(tasks, links, resources, assignments)


def test_unknown_resource_and_task():
    tasks, links, resources, assignments = frames({"A": 2}, uses=[("A", "Q", 1)])
    with pytest.raises(UnknownReferenceError,
                       match=r"row 2.*task 'A' is assigned to unknown resource 'Q'; "
                             r"the resources are R"):
        levelling.level(tasks, links, resources, assignments)
    assignments = pd.DataFrame({"task_id": ["X"], "resource_id": ["R"], "units": [1]})
    with pytest.raises(UnknownReferenceError, match=r"task 'X' \(resource 'R'\) is not in"):
        levelling.level(tasks, links, resources, assignments)


@pytest.mark.parametrize("units", [-1.0, np.nan, "lots"])
def test_negative_or_missing_units(units):
    tasks, links, resources, assignments = frames({"A": 2})
    assignments = pd.DataFrame({"task_id": ["A"], "resource_id": ["R"], "units": [units]})
    with pytest.raises(DataValidationError,
                       match=r"assignments, row 2.*task 'A' needs .* units of resource 'R'; "
                             r"units must be a number"):
        levelling.level(tasks, links, resources, assignments)


def test_bad_resources():
    tasks, links, _, assignments = frames({"A": 2})
    with pytest.raises(DataValidationError, match=r"resources, row 3, ID 'S'.*capacity must"):
        levelling.level(tasks, links, pd.DataFrame({"id": ["R", "S"], "capacity": [1, -2]}),
                        assignments)
    with pytest.raises(DataValidationError, match="duplicate resource id"):
        levelling.level(tasks, links, pd.DataFrame({"id": ["R", "R"], "capacity": [1, 2]}),
                        assignments)
    with pytest.raises(DataValidationError, match="resources need a capacity column"):
        levelling.level(tasks, links, pd.DataFrame({"id": ["R"]}), assignments)
    with pytest.raises(MissingDataError, match="missing units"):
        levelling.level(tasks, links, pd.DataFrame({"id": ["R"], "capacity": [1]}),
                        pd.DataFrame({"task_id": ["A"], "resource_id": ["R"]}))


def test_bad_network_and_options():
    tasks, links, resources, assignments = frames(
        {"A": 2, "B": 1}, [("A", "B", "FS", 0), ("B", "A", "FS", 0)])
    with pytest.raises(ScheduleError, match="dependency cycle"):
        levelling.level(tasks, links, resources, assignments)
    tasks, links, resources, assignments = frames({"A": 2, "B": -1})
    with pytest.raises(ScheduleError, match=r"task 'B'.*duration is negative"):
        levelling.level(tasks, links, resources, assignments)
    tasks, links, resources, assignments = frames({"A": 2}, [("A", "Z", "FS", 0)])
    with pytest.raises(ScheduleError, match="unknown succ task 'Z'"):
        levelling.level(tasks, links, resources, assignments)
    tasks, links, resources, assignments = frames({"A": 2})
    with pytest.raises(ScheduleError, match="unknown levelling method 'cp'; use one of sgs"):
        levelling.level(tasks, links, resources, assignments, method="cp")
    with pytest.raises(ScheduleError, match="unknown scheme 'x'; use one of serial"):
        levelling.level(tasks, links, resources, assignments, scheme="x")
    with pytest.raises(ScheduleError, match=r"unknown priority rule\(s\) 'SPT'; use LFT"):
        levelling.level(tasks, links, resources, assignments, rules=("LFT", "SPT"))
    with pytest.raises(ScheduleError, match="schedules must be at least 1"):
        levelling.level(tasks, links, resources, assignments, schedules=0)
