"""Levelling with priorities, release dates and fixed (in-progress) tasks
(pmo_lib.levelling.level(priority=, release=, fixed=)): hand-checked cases, the invariants
on random networks (hypothesis) and every bad input.

Priority semantics under test (see the level() Notes): lower rank = higher priority; a task
takes the best rank of itself and its successors (inheritance); the schemes level rank by
rank, so a task is never delayed by a task of a worse effective rank; schedules compare by
the finish of each rank, best rank first.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_levelling import frames, random_instance

from pmo_lib import levelling
from pmo_lib.errors import (
    DataValidationError,
    MissingDataError,
    PMOError,
    UnknownReferenceError,
)


def starts(res) -> dict:
    return res.schedule["start"].to_dict()


def two_projects():
    """P1: X1 (3 d) → Y1 (2 d); P2: X2 (2 d); all three need the one unit of R."""
    tasks, links, resources, assignments = frames(
        {"X1": 3, "Y1": 2, "X2": 2}, [("X1", "Y1", "FS", 0)],
        uses=[("X1", "R", 1), ("Y1", "R", 1), ("X2", "R", 1)])
    tasks["project_id"] = ["P1", "P1", "P2"]
    return tasks, links, resources, assignments


# ----------------------------------------------------------------------------------------
# Priorities, hand-checked
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("scheme", levelling.SCHEMES)
def test_flipping_ranks_flips_which_project_waits(scheme):
    tasks, links, resources, assignments = two_projects()
    # P1 first: X1 0-3, Y1 3-5, then X2 5-7.
    res = levelling.level(tasks, links, resources, assignments, schedules=50, seed=0,
                          scheme=scheme, priority=[1, 1, 2])
    assert starts(res) == {"X1": 0, "Y1": 3, "X2": 5}
    assert res.schedule["finish"].to_dict() == {"X1": 3, "Y1": 5, "X2": 7}
    assert res.schedule["priority"].tolist() == [1, 1, 2]
    assert res.schedule.loc["X2", ["delay", "delay_resource", "delay_source"]].tolist() == \
        [5, "R", "X2"]
    proj = res.projects
    assert proj["priority"].to_dict() == {"P1": 1, "P2": 2}
    assert proj["finish"].to_dict() == {"P1": 5, "P2": 7}
    # P2 first: X2 0-2, X1 2-5, Y1 5-7 (Y1 is late through X1: the why names X1).
    res = levelling.level(tasks, links, resources, assignments, schedules=50, seed=0,
                          scheme=scheme, priority=[2, 2, 1])
    assert starts(res) == {"X1": 2, "Y1": 5, "X2": 0}
    assert res.projects["finish"].to_dict() == {"P1": 7, "P2": 2}
    assert res.schedule.loc["Y1", ["delay", "delay_resource", "delay_source"]].tolist() == \
        [2, "R", "X1"]
    assert res.makespan == 7 and res.status == "HEURISTIC" and not res.optimal


def test_priority_beats_makespan():
    # L (P1, 2 d on R); T (P2, 1 d on R) → U (5 d, no resource). The shortest schedule runs
    # T first (makespan 6); ranking P1 first costs 2 days: L 0-2, T 2-3, U 3-8.
    tasks, links, resources, assignments = frames(
        {"L": 2, "T": 1, "U": 5}, [("T", "U", "FS", 0)],
        uses=[("L", "R", 1), ("T", "R", 1)])
    tasks["project_id"] = ["P1", "P2", "P2"]
    plain = levelling.level(tasks, links, resources, assignments, schedules=50, seed=0)
    assert plain.makespan == 6 and starts(plain) == {"L": 1, "T": 0, "U": 1}
    first = levelling.level(tasks, links, resources, assignments, schedules=50, seed=0,
                            priority=pd.Series({"L": 1, "T": 2, "U": 2}))
    assert starts(first) == {"L": 0, "T": 2, "U": 3} and first.makespan == 8
    # A project's rank as a column of the tasks gives the same.
    tasks["rank"] = [1, 2, 2]
    col = levelling.level(tasks, links, resources, assignments, schedules=50, seed=0,
                          priority="rank")
    pd.testing.assert_frame_equal(col.schedule, first.schedule)
    flipped = levelling.level(tasks, links, resources, assignments, schedules=50, seed=0,
                              priority=[2, 1, 1])
    assert starts(flipped) == {"L": 1, "T": 0, "U": 1} and flipped.makespan == 6


def test_high_priority_task_with_low_priority_predecessor_inherits():
    # L (rank 3) → H (rank 1); M (rank 2) competes with both for the one unit of R. L gates
    # H, so it is levelled with H's rank: L 0-2, H 2-4, then M 4-7 (not M 0-3, L 3-5, H 5-7).
    tasks, links, resources, assignments = frames(
        {"L": 2, "H": 2, "M": 3}, [("L", "H", "FS", 0)],
        uses=[("L", "R", 1), ("H", "R", 1), ("M", "R", 1)])
    for scheme in levelling.SCHEMES:
        res = levelling.level(tasks, links, resources, assignments, schedules=30, seed=1,
                              scheme=scheme, priority=[3, 1, 2])
        assert starts(res) == {"L": 0, "H": 2, "M": 4}, scheme
        assert res.schedule["priority"].tolist() == [3, 1, 2]
        assert res.schedule.loc["M", "delay_resource"] == "R"
    # Without the link, rank order alone: H 0-2, M 2-5, L 5-7.
    res = levelling.level(tasks, None, resources, assignments, schedules=30, seed=1,
                          priority=[3, 1, 2])
    assert starts(res) == {"L": 5, "H": 0, "M": 2}


def test_lower_rank_fills_gaps_without_delaying_higher():
    # A (rank 1, 2 units of R for 2 d) → B (rank 1, 2 units, 2 d) with FS+2: R (2 units) is
    # free on days 2-3. C (rank 2, 1 unit, 2 d) fits in the gap: the serial scheme
    # backfills, and rank 1 still finishes at 6.
    tasks, links, resources, assignments = frames(
        {"A": 2, "B": 2, "C": 2}, [("A", "B", "FS", 2)], capacity={"R": 2},
        uses=[("A", "R", 2), ("B", "R", 2), ("C", "R", 1)])
    res = levelling.level(tasks, links, resources, assignments, schedules=20, seed=0,
                          priority=[1, 1, 2])
    assert starts(res) == {"A": 0, "B": 4, "C": 2} and res.makespan == 6


def test_equal_ranks_give_the_same_schedules():
    tasks, links, resources, assignments = random_instance(21, n=30)
    plain = levelling.level(tasks, links, resources, assignments, schedules=300, seed=5)
    same = levelling.level(tasks, links, resources, assignments, schedules=300, seed=5,
                           priority=np.full(len(tasks), 3))
    pd.testing.assert_frame_equal(plain.schedule,
                                  same.schedule.drop(columns="priority"))
    assert (plain.makespan, plain.schedules) == (same.makespan, same.schedules)
    zero = levelling.level(tasks, links, resources, assignments, schedules=300, seed=5,
                           release=np.zeros(len(tasks)),
                           fixed=pd.Series(np.nan, index=tasks["id"]))
    pd.testing.assert_frame_equal(plain.schedule, zero.schedule)


def test_missing_ranks_go_last():
    tasks, links, resources, assignments = frames(
        {"A": 1, "B": 1, "C": 1}, uses=[("A", "R", 1), ("B", "R", 1), ("C", "R", 1)])
    res = levelling.level(tasks, links, resources, assignments, schedules=20, seed=0,
                          priority=pd.Series({"C": 1, "B": 2}))
    assert starts(res) == {"A": 2, "B": 1, "C": 0}
    assert res.schedule["priority"].isna().tolist() == [True, False, False]


# ----------------------------------------------------------------------------------------
# Release dates and fixed tasks, hand-checked
# ----------------------------------------------------------------------------------------
def test_release_dates():
    # B (4 d) from day 0, A (2 d) released on day 3, one unit of R: B 0-4, A 4-6 (A waits a
    # day for R: the other order, A 3-5 then B 5-9, is longer). C follows A by SS+1.
    tasks, links, resources, assignments = frames(
        {"A": 2, "B": 4, "C": 1}, [("A", "C", "SS", 1)],
        uses=[("A", "R", 1), ("B", "R", 1)])
    res = levelling.level(tasks, links, resources, assignments, schedules=30, seed=0,
                          release=[3, 0, 0])
    s = res.schedule
    assert starts(res) == {"A": 4, "B": 0, "C": 5}
    assert s["early_start"].tolist() == [3, 0, 4]
    assert s.loc["A", ["delay", "delay_resource"]].tolist() == [1, "R"]
    assert s.loc["C", ["delay", "delay_resource", "delay_source"]].tolist() == [1, "R", "A"]
    assert res.critical_path == 5 and res.makespan == 6
    # A release as a Series by id (unlisted tasks: 0) or a column.
    tasks["rel"] = [3, 0, 0]
    for release in (pd.Series({"A": 3}), "rel"):
        again = levelling.level(tasks, links, resources, assignments, schedules=30, seed=0,
                                release=release)
        assert starts(again) == starts(res)


def test_release_rounded_up_with_warning():
    tasks, links, resources, assignments = frames({"A": 2})
    with pytest.warns(UserWarning, match="fractional release offsets were rounded up"):
        res = levelling.level(tasks, links, resources, assignments, schedules=5,
                              release=[1.5])
    assert starts(res) == {"A": 2}


def test_fixed_task_is_pinned_and_booked_first():
    # F is in progress (fixed at 1, 4 d, rank 3); T (rank 1, 2 d) needs R too and waits for
    # F whatever its rank; G follows F by FS+1 (links out of a fixed task hold); P → F is
    # not enforced (F has started): P runs 0-3 while F is at 1.
    tasks, links, resources, assignments = frames(
        {"P": 3, "F": 4, "T": 2, "G": 1}, [("P", "F", "FS", 0), ("F", "G", "FS", 1)],
        uses=[("F", "R", 1), ("T", "R", 1)])
    res = levelling.level(tasks, links, resources, assignments, schedules=30, seed=0,
                          priority=[2, 3, 1, 2], release=[0, 5, 0, 0],
                          fixed=[np.nan, 1, np.nan, np.nan])
    s = res.schedule
    assert starts(res) == {"P": 0, "F": 1, "T": 5, "G": 6}
    assert s["early_start"].tolist() == [0, 1, 0, 6]  # F at its fixed start, below its release
    assert s.loc["F", "delay"] == 0 and s.loc["F", "delay_resource"] is None
    assert s.loc["T", ["delay", "delay_resource"]].tolist() == [5, "R"]
    assert res.overallocated.empty and res.levelled


def test_fixed_tasks_over_capacity_are_reported_not_raised():
    # F1 (0-3) and F2 (1-3) are both running on the one unit of R, F2 with 2 units: R is
    # over-allocated on days 1-2 (3 units) and A waits for both to end.
    tasks, _, resources, assignments = frames(
        {"F1": 3, "F2": 2, "A": 2}, uses=[("F1", "R", 1), ("F2", "R", 2), ("A", "R", 1)])
    with pytest.warns(UserWarning, match=r"fixed \(in-progress\) tasks alone use more than "
                                         r"the capacity of R"):
        res = levelling.level(tasks, None, resources, assignments, schedules=20, seed=0,
                              fixed=pd.Series({"F1": 0, "F2": 1}))
    assert starts(res) == {"F1": 0, "F2": 1, "A": 3}
    assert not res.levelled
    o = res.overallocated
    assert o.to_dict("records") == [{
        "resource_id": "R", "start": 1, "finish": 3, "working_days": 2, "peak_demand": 3.0,
        "capacity": 1.0, "excess": 2.0, "tasks": "F1;F2"}]
    # R's capacity on days 0-2 is used up by F1/F2 (3 unit-days) + 2 for A: 5 = makespan.
    assert res.resource_bound == 5 and res.makespan == 5 and res.optimal
    # A task that is not fixed still may not exceed a capacity.
    with pytest.raises(DataValidationError, match="task 'F2' needs 2 units of resource 'R'"):
        levelling.level(tasks, None, resources, assignments, fixed=[0, np.nan, np.nan])


def test_fixed_task_with_successor_links_of_every_type():
    # F fixed at 2 (3 d); successors by FS+1, SS+1, FF−1 and SF+4, all 1 d, no resources.
    tasks, links, resources, assignments = frames(
        {"F": 3, "A": 1, "B": 1, "C": 1, "D": 1},
        [("F", "A", "FS", 1), ("F", "B", "SS", 1), ("F", "C", "FF", -1),
         ("F", "D", "SF", 4)], uses=[("F", "R", 1)])
    res = levelling.level(tasks, links, resources, assignments, schedules=5,
                          fixed=[2, np.nan, np.nan, np.nan, np.nan])
    assert starts(res) == {"F": 2, "A": 6, "B": 3, "C": 3, "D": 5}


# ----------------------------------------------------------------------------------------
# Invariants on random networks
# ----------------------------------------------------------------------------------------
def check_constraints(tasks, links, resources, assignments, res, *, release=None,
                      fixed=None, rank=None):
    """Independent checker: links (except into fixed tasks), releases, fixed starts,
    capacity (exceeded only on days where the fixed tasks alone exceed it) and, with
    ranks, that no task could start a day earlier against the tasks of its effective rank
    or better."""
    s = res.schedule
    ids = list(s.index)
    n = len(ids)
    dur = tasks.set_index("id")["duration"].astype(int).reindex(ids).to_numpy()
    start = s["start"].to_numpy()
    finish = s["finish"].to_numpy()
    assert np.array_equal(finish - start, dur)
    pos = {t: i for i, t in enumerate(ids)}
    fixed = np.full(n, np.nan) if fixed is None else np.asarray(fixed, float)
    release = np.zeros(n) if release is None else np.asarray(release, float)
    pinned = ~np.isnan(fixed)
    assert np.array_equal(start[pinned], fixed[pinned])
    assert (start[~pinned] >= release[~pinned]).all()
    bound = np.where(pinned, -1, release).astype(int)
    for p, q, t, lag in links[["pred", "succ", "type", "lag"]].itertuples(index=False):
        i, j = pos[p], pos[q]
        if pinned[j]:
            continue
        delta = {"FS": dur[i] + lag, "SS": lag, "FF": dur[i] + lag - dur[j],
                 "SF": lag - dur[j]}[t]
        assert start[j] >= start[i] + delta, f"link {p}->{q} {t}{lag:+}"
        bound[j] = max(bound[j], start[i] + int(np.ceil(delta)))
    horizon = int(finish.max(initial=0)) + 1
    cap = resources.set_index("id")["capacity"]
    rids = list(cap.index)
    use = np.zeros((len(rids), n, horizon))
    for task, r, units in assignments.itertuples(index=False):
        use[rids.index(r), pos[task], start[pos[task]]:finish[pos[task]]] += units
    total = use.sum(axis=1)
    over = total > cap.to_numpy()[:, None] + 1e-9
    moving_use = use[:, ~pinned, :].sum(axis=1)
    assert not (over & (moving_use > 1e-9)).any(), "a task that is not fixed over-allocates"
    assert res.makespan == int(finish.max(initial=0))
    if rank is None:
        return
    eff = np.where(np.isnan(rank), np.inf, rank).astype(float)
    order = list(reversed(_topological(ids, links)))
    succ = {t: [] for t in ids}
    for p, q in links[["pred", "succ"]].itertuples(index=False):
        if not pinned[pos[q]]:
            succ[p].append(q)
    for t in order:
        for q in succ[t]:
            eff[pos[t]] = min(eff[pos[t]], eff[pos[q]])
    for j in range(n):
        if pinned[j] or start[j] <= bound[j]:
            continue
        better = (eff <= eff[j]) | pinned
        better[j] = False
        profile = use[:, better, :].sum(axis=1)
        need = use[:, j, start[j]:finish[j]].max(axis=1, initial=0)
        # One day earlier: j overlaps a day where it does not fit beside the better tasks.
        t = start[j] - 1
        window = profile[:, t:t + dur[j]]
        assert ((window + need[:, None] > cap.to_numpy()[:, None] + 1e-9)
                & (need[:, None] > 0)).any(), \
            f"task {ids[j]} could start a day earlier against ranks <= {eff[j]}"


def _topological(ids, links):
    indeg = {t: 0 for t in ids}
    out = {t: [] for t in ids}
    for p, q in links[["pred", "succ"]].itertuples(index=False):
        indeg[q] += 1
        out[p].append(q)
    queue = [t for t in ids if indeg[t] == 0]
    order = []
    while queue:
        t = queue.pop()
        order.append(t)
        for q in out[t]:
            indeg[q] -= 1
            if indeg[q] == 0:
                queue.append(q)
    return order


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n=st.integers(2, 25), ranks=st.integers(1, 4),
       scheme=st.sampled_from(levelling.SCHEMES), budget=st.integers(1, 80),
       with_release=st.booleans(), fixed_share=st.sampled_from([0.0, 0.1, 0.3]),
       fs_only=st.booleans())
def test_random_networks_respect_priorities_releases_fixed(seed, n, ranks, scheme, budget,
                                                           with_release, fixed_share,
                                                           fs_only):
    tasks, links, resources, assignments = random_instance(seed, n=n)
    if fs_only:
        links = links.assign(type="FS", lag=links["lag"].clip(lower=0))
    rng = np.random.default_rng(seed + 1)
    rank = rng.integers(1, ranks + 1, n).astype(float)
    rank[rng.random(n) < 0.1] = np.nan
    release = rng.integers(0, 12, n).astype(float) if with_release else None
    fixed = np.where(rng.random(n) < fixed_share, rng.integers(0, 10, n), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fixed tasks may over-allocate: reported, checked
        res = levelling.level(tasks, links, resources, assignments, schedules=budget,
                              seed=seed, scheme=scheme, priority=rank, release=release,
                              fixed=fixed if np.isfinite(fixed).any() else None)
    # Every schedule the serial scheme decodes places a task before any task of a worse
    # effective rank, so none of those can be what keeps it from starting earlier. (The
    # parallel scheme places it before them too, but with SS/FF/SF links it may start a
    # task later than its links need, when the task became eligible after that day.)
    check_constraints(tasks, links, resources, assignments, res, release=release,
                      fixed=fixed, rank=rank if scheme == "serial" or fs_only else None)
    assert res.makespan >= res.lower_bound or not res.levelled
    if np.isfinite(fixed).any():
        assert res.overallocated is not None
    else:
        assert res.overallocated is None and res.levelled


# ----------------------------------------------------------------------------------------
# Bad input
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("kwargs", "error", "match"), [
    (dict(release=[0, -2]), DataValidationError,
     r"tasks, row 3, ID 'B', column 'release': task 'B': release -2 is negative"),
    (dict(release=[np.nan, 0]), DataValidationError,
     r"row 2, ID 'A'.*task 'A': release is missing \(NaN\)"),
    (dict(release=pd.Series({"A": np.inf})), DataValidationError,
     r"ID 'A'.*task 'A': release inf is not finite"),
    (dict(release=pd.Series({"Z": 1})), UnknownReferenceError,
     r"release given for task 'Z', which is not in the tasks"),
    (dict(release=["soon", 1]), DataValidationError,
     r"task 'A': release 'soon' is not a number"),
    (dict(release=[1, 2, 3]), DataValidationError,
     r"release has 3 values for 2 tasks; give one value per task row"),
    (dict(release="start_offset"), MissingDataError,
     r"release='start_offset' names no column of the tasks; the columns are id, duration"),
    (dict(fixed=[np.nan, -1]), DataValidationError,
     r"task 'B': fixed start -1 is negative"),
    (dict(fixed=pd.Series({"X": 0})), UnknownReferenceError,
     r"fixed given for task 'X', which is not in the tasks"),
    (dict(fixed=pd.Series([0, 1], index=["A", "A"])), DataValidationError,
     r"fixed lists task\(s\) 'A' more than once"),
    (dict(priority=[1, np.inf]), DataValidationError,
     r"task 'B': priority inf is not finite"),
    (dict(priority=["high", 2]), DataValidationError,
     r"task 'A': priority 'high' is not a number"),
    (dict(priority=3), DataValidationError, r"priority has a scalar for 2 tasks"),
])
def test_bad_priority_release_fixed(kwargs, error, match):
    tasks, links, resources, assignments = frames({"A": 2, "B": 1})
    with pytest.raises(error, match=match):
        levelling.level(tasks, links, resources, assignments, schedules=5, **kwargs)
    assert issubclass(error, PMOError)


def test_fixed_below_release_is_fine():
    tasks, links, resources, assignments = frames({"A": 2})
    res = levelling.level(tasks, links, resources, assignments, schedules=5, release=[4],
                          fixed=[1])
    assert starts(res) == {"A": 1}
