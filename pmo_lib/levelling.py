"""Resource levelling: resource-constrained project scheduling (RCPSP), heuristic and exact.

:func:`level` moves tasks later, as little as it can, so that no resource is used beyond its
capacity on any working day, while every link (FS, SS, FF, SF with lags) still holds. It
returns a :class:`LevelResult`: each task's levelled start and finish, its delay against the
unconstrained CPM early start and, for each delayed task, the resource whose conflict
delayed it (the "why"). Tasks may carry a priority rank, a release date and a fixed start
(in progress at the status date). :func:`read_psplib` reads the PSPLIB benchmark instances
(``.sm``) into the kit's tables.

Model
-----
Time is in whole working days (offsets from the schedule start, as in
:mod:`~pmo_lib.schedule`). A task of duration ``d`` started at ``s`` works on days
``s .. s + d - 1`` and uses ``units`` of each assigned resource on each of them (renewable
resources, constant use while the task runs); a resource's ``capacity`` is the units it has
on every day. Every link ``p → s`` of type FS, SS, FF or SF with lag ``L`` becomes a minimum
time lag between the starts, ``S_s ≥ S_p + δ`` with FS ``δ = d_p + L``, SS ``δ = L``,
FF ``δ = d_p + L − d_s``, SF ``δ = L − d_s`` (the CPM bounds of :mod:`~pmo_lib.schedule`;
rounded up to whole days); no task starts before offset 0, nor before its release
``S_j ≥ r_j``. A fixed task ``f`` is pinned, ``S_f = F_f``: it has started, so links into it
no longer bind and nothing moves it; its use is booked first, even where it exceeds a
capacity (such days are reported, not levelled, as Primavera P6 does not level started
activities). Links out of it still bind its successors.

*Priorities.* A rank per task, lower = higher priority (1 = highest). A task's *effective*
rank is the best rank of itself and all its successors, so a low-priority task that a
high-priority one waits for is levelled with it (priority inheritance). The objective is
lexicographic: first the finish ``F_1`` of the tasks of the best effective rank, then
``F_2`` of the next, and so on; with one rank it is the makespan.

Algorithms
----------
*Schedule generation schemes* (Kolisch 1996). The serial scheme takes the tasks one at a time,
always an *eligible* one (all its predecessors scheduled), and starts it at the earliest day
its links, its release and the resources allow. The parallel scheme walks through time and,
at each decision time, starts eligible tasks that fit, in priority order. Fixed tasks are
booked before either starts. With priorities both take the best effective rank first: the
serial scheme schedules all the tasks of the best rank (they are closed under predecessors,
by inheritance), then those of the next rank around them, and so on; the parallel scheme
walks through time once per rank. The priority rule, sampled key or genetic list only
orders the tasks within a rank, as "Priority, Standard" levelling does in MS Project and
P6; so a task is placed before any task of a worse effective rank, which never delays it.

*Priority rules* (:data:`RULES`, Kolisch 1996; Kolisch & Hartmann 1999): ``LFT`` latest
finish, ``LST`` latest start, ``MinSlack`` least total float, ``GRPW`` greatest rank
positional weight (own duration plus the durations of the direct successors), ``MTS`` most
total successors, ``GRD`` greatest resource demand. Each rule gives one schedule per scheme.

*Regret-based biased random sampling* (Kolisch & Drexl 1996): the next task is drawn among
the eligible ones (of the best rank) with probability proportional to ``(ρ_j + 1)^α``, where
the regret ``ρ_j`` is how much better its LFT is than the worst eligible one's. Many passes
(multi-pass sampling) explore around the LFT rule.

*Forward–backward improvement* (justification; Valls, Ballestín & Quintanilla 2005, Tormos
& Lova 2001): the schedule is scheduled backwards (tasks by decreasing finish, each as late
as possible) and then forwards again (by increasing start, each as early as possible),
which never lengthens it and often shortens it. Every generated schedule gets one such
backward–forward pair. With priorities, releases or fixed tasks the backward pass only
orders the tasks (fixed tasks stay at their mirrored place in it); the forward pass decodes
that order rank by rank with the releases and fixed starts, and its schedule is kept only
when its per-rank finishes are lexicographically no worse.

*Genetic search* (Hartmann 1998, with justification as in Valls, Ballestín & Quintanilla
2008): after the rules and a tenth of the budget of sampling, a population of the best
distinct justified schedules (``population``) is recombined (parents by binary tournament,
two-point crossover of the task lists ordered by start) and mutated (a few tasks moved in the
list), each child decoded by the serial scheme (which keeps it precedence-feasible, and
takes the ranks first), justified, and kept in place of the worst member when it is no
longer.

Every schedule generation pass (forward or backward) counts against the ``schedules``
budget, as in the comparisons of Kolisch & Hartmann (2006); the last pass of the budget
left-shifts the best schedule (a serial pass in order of its starts), so every task of the
result starts as early as its links and the resources allow given the tasks before it.
Schedules are compared by their per-rank finishes, lexicographically.

*Constraint programming* (``method="cpsat"``; Laborie, Rogerie, Shaw & Vilím 2018 on the
interval model; Schutt, Feydy, Stuckey & Wallace 2011 on lazy clause generation for RCPSP,
the technique behind OR-Tools CP-SAT, Perron & Didier 2023). One interval variable per task
(start in ``[r_j, UB − d_j]``, fixed tasks as constants), one start-to-start linear
constraint ``S_s ≥ S_p + δ`` per link, one cumulative constraint per resource, whose
fractional units and capacity are scaled by the least ``D ≤ 1000`` that makes them whole
(else rounded to thousandths, demands up and capacity down, with a warning); the fixed
tasks' use enters as constant intervals capped at the capacity. Objective: the makespan
``≥`` each finish (and ``≥`` the lower bound), warm-started with the heuristic's schedule as
a hint and its makespan as the upper bound ``UB``. With several ranks it is solved once per
rank, best first: minimise ``F_k`` given ``F_1..F_(k−1)`` at their values (lexicographic
optimisation, each stage warm-started from the last; the time limit is shared among the
stages that are left). Unlike the schemes, CP-SAT only guarantees the finishes: a task
may wait for a worse-ranked one when that costs no rank's finish. A final pass of local
left shifts moves each task as early as the others allow, so every delay has a why.

References
----------
Kolisch, R. (1996). Serial and parallel resource-constrained project scheduling methods
revisited: theory and computation. *EJOR* 90(2), 320–333.
Kolisch, R. & Drexl, A. (1996). Adaptive search for solving hard project scheduling
problems. *Naval Research Logistics* 43, 23–40.
Kolisch, R. & Sprecher, A. (1996). PSPLIB — a project scheduling problem library. *EJOR*
96(1), 205–216.
Hartmann, S. (1998). A competitive genetic algorithm for resource-constrained project
scheduling. *Naval Research Logistics* 45, 733–750.
Kolisch, R. & Hartmann, S. (2006). Experimental investigation of heuristics for
resource-constrained project scheduling: an update. *EJOR* 174(1), 23–37.
Valls, V., Ballestín, F. & Quintanilla, S. (2005). Justification and RCPSP: a technique that
pays. *EJOR* 165(2), 375–386.
Valls, V., Ballestín, F. & Quintanilla, S. (2008). A hybrid genetic algorithm for the
resource-constrained project scheduling problem. *EJOR* 185(2), 495–508.
Schutt, A., Feydy, T., Stuckey, P. J. & Wallace, M. G. (2011). Explaining the cumulative
propagator. *Constraints* 16(3), 250–282.
Laborie, P., Rogerie, J., Shaw, P. & Vilím, P. (2018). IBM ILOG CP Optimizer for
scheduling. *Constraints* 23(2), 210–250.
Perron, L., Didier, F. & Gay, S. (2023). The CP-SAT-LP solver. *CP 2023*, LIPIcs 280,
3:1–3:2.
Kolisch, R. & Hartmann, S. (1999). Heuristic algorithms for the resource-constrained project
scheduling problem: classification and computational analysis. In Węglarz, J. (ed.),
*Project Scheduling: Recent Models, Algorithms and Applications*, Kluwer, 147–178.
Tormos, P. & Lova, A. (2001). A competitive heuristic solution technique for
resource-constrained project scheduling. *Annals of Operations Research* 102, 65–81.
Microsoft, *Level resources in Project* ("Priority, Standard" leveling order) and Oracle,
*Primavera P6 EPPM: leveling priorities* (product documentation).
"""

from __future__ import annotations

import itertools
import math
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numba
import numpy as np
import pandas as pd

from .errors import (
    DataValidationError,
    MissingDependencyError,
    Problem,
    ScheduleError,
    UnknownReferenceError,
)
from .schedule import (
    _cycle_message,
    _fail,
    _forward,
    _link_arrays,
    _link_index,
    _one_bound,
    _rows,
    _strings,
    _task_ids,
)

__all__ = [
    "METHODS",
    "RULES",
    "SCHEMES",
    "LevelResult",
    "PsplibInstance",
    "level",
    "read_psplib",
]

#: Levelling methods: ``"sgs"``, the schedule-generation-scheme heuristics of this module;
#: ``"cpsat"``, an exact search by OR-Tools CP-SAT warm-started from them.
METHODS = ("sgs", "cpsat")
#: Schedule generation schemes: serial, parallel, or both (the budget shared between them).
SCHEMES = ("serial", "parallel", "both")
#: Priority rules for the deterministic passes (see the module docstring).
RULES = ("LFT", "LST", "MinSlack", "GRPW", "MTS", "GRD")

_EPS = 1e-9
_SAMPLING_SHARE = 0.1  # of the budget, for sampling before the genetic search
_FBI_PASSES = 2  # most justification passes per schedule (backward + forward = 2)
_MUTATION_RATE = 0.1  # chance that a child's task moves in its list ...
_MUTATION_SPAN = 0.1  # ... by up to ± this fraction of the tasks / 2
_MTS_LIMIT = 20_000  # above this many tasks, MTS counts direct successors only


# ----------------------------------------------------------------------------------------
# Compiled kernels
# ----------------------------------------------------------------------------------------
@numba.njit(cache=True)
def _deltas(in_ptr, in_src, in_type, in_lag, out_ptr, out_dst, out_type, out_lag,
            dur):  # pragma: no cover - compiled
    """Start-to-start minimum lags of the in-links (forward) and of the out-links seen from
    the mirrored, backward problem: ``δ' = δ + d_p − d_s``. Rounded up to whole days."""
    n = dur.size
    fwd = np.empty(in_src.size, np.int64)
    bwd = np.empty(out_dst.size, np.int64)
    for j in range(n):
        for k in range(in_ptr[j], in_ptr[j + 1]):
            p = in_src[k]
            fwd[k] = math.ceil(_one_bound(in_type[k], in_lag[k], 0.0, float(dur[p]),
                                          float(dur[j])) - 1e-9)
        for k in range(out_ptr[j], out_ptr[j + 1]):
            s = out_dst[k]
            bwd[k] = math.ceil(_one_bound(out_type[k], out_lag[k], 0.0, float(dur[j]),
                                          float(dur[s])) - 1e-9) + dur[j] - dur[s]
    return fwd, bwd


@numba.njit(cache=True)
def _earliest(j, t, dur, rptr, ridx, ru, cap, use):  # pragma: no cover - compiled
    """Earliest start ≥ ``t`` at which task ``j`` fits under every capacity."""
    d = dur[j]
    if d == 0:
        return t
    while True:
        moved = False
        for k in range(rptr[j], rptr[j + 1]):
            r = ridx[k]
            lim = cap[r] - ru[k] + 1e-9
            for tau in range(t + d - 1, t - 1, -1):  # the last conflict: jump past it
                if use[r, tau] > lim:
                    t = tau + 1
                    moved = True
                    break
            if moved:
                break
        if not moved:
            return t


@numba.njit(cache=True)
def _fits(j, t, dur, rptr, ridx, ru, cap, use):  # pragma: no cover - compiled
    for k in range(rptr[j], rptr[j + 1]):
        r = ridx[k]
        lim = cap[r] - ru[k] + 1e-9
        for tau in range(t, t + dur[j]):
            if use[r, tau] > lim:
                return False
    return True


@numba.njit(cache=True)
def _book(j, t, sign, dur, rptr, ridx, ru, use):  # pragma: no cover - compiled
    for k in range(rptr[j], rptr[j + 1]):
        r = ridx[k]
        u = sign * ru[k]
        for tau in range(t, t + dur[j]):
            use[r, tau] += u


@numba.njit(cache=True)
def _rand(state):  # pragma: no cover - compiled
    """Uniform in [0, 1) from a xorshift64* generator whose state is ``state[0]`` (a local
    generator, seeded from ``np.random.default_rng(seed)``: no global random state)."""
    x = state[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    state[0] = x
    return float((x * np.uint64(2685821657736338717)) >> np.uint64(11)) / 9007199254740992.0


@numba.njit(cache=True, inline="always")
def _pick_any(cand, nc, key, biased, alpha, state):  # pragma: no cover - compiled
    """:func:`_pick` among all the candidates."""
    if not biased or nc == 1:
        b = 0
        for e in range(1, nc):
            a, c = cand[e], cand[b]
            if key[a] < key[c] or (key[a] == key[c] and a < c):
                b = e
        return b
    kmax = key[cand[0]]
    for e in range(1, nc):
        if key[cand[e]] > kmax:
            kmax = key[cand[e]]
    total = 0.0
    for e in range(nc):
        total += (kmax - key[cand[e]] + 1.0) ** alpha
    x = _rand(state) * total
    for e in range(nc):
        x -= (kmax - key[cand[e]] + 1.0) ** alpha
        if x <= 0.0:
            return e
    return nc - 1


@numba.njit(cache=True)
def _pick(cand, nc, key, lvl, biased, alpha, state):  # pragma: no cover - compiled
    """Position in ``cand[:nc]`` of the task to schedule, among the candidates of the best
    (least) priority level ``lvl`` (empty: one level): the least key (ties: lowest index)
    or, biased, a draw with weights ``(max key − key + 1)^alpha`` (regret-based)."""
    if lvl.size == 0:
        return _pick_any(cand, nc, key, biased, alpha, state)
    rb = lvl[cand[0]]
    for e in range(1, nc):
        if lvl[cand[e]] < rb:
            rb = lvl[cand[e]]
    if not biased or nc == 1:
        b = -1
        for e in range(nc):
            a = cand[e]
            if lvl[a] != rb:
                continue
            if b < 0:
                b = e
                continue
            c = cand[b]
            if key[a] < key[c] or (key[a] == key[c] and a < c):
                b = e
        return b
    kmax = -np.inf
    last = -1
    for e in range(nc):
        if lvl[cand[e]] == rb:
            last = e
            if key[cand[e]] > kmax:
                kmax = key[cand[e]]
    total = 0.0
    for e in range(nc):
        if lvl[cand[e]] == rb:
            total += (kmax - key[cand[e]] + 1.0) ** alpha
    x = _rand(state) * total
    for e in range(nc):
        if lvl[cand[e]] == rb:
            x -= (kmax - key[cand[e]] + 1.0) ** alpha
            if x <= 0.0:
                return e
    return last


@numba.njit(cache=True, inline="always")
def _sources(in_ptr, indeg, queue):  # pragma: no cover - compiled
    """Fill ``indeg`` with each task's number of predecessors and ``queue`` with the tasks
    that have none; return how many there are."""
    count = 0
    for i in range(indeg.size):
        indeg[i] = in_ptr[i + 1] - in_ptr[i]
        if indeg[i] == 0:
            queue[count] = i
            count += 1
    return count


@numba.njit(cache=True, inline="always")
def _drop_pinned(queue, count, pin):  # pragma: no cover - compiled
    """Remove the pinned tasks from ``queue[:count]`` (keeping the order); the new count."""
    m = 0
    for e in range(count):
        if pin[queue[e]] < 0:
            queue[m] = queue[e]
            m += 1
    return m


@numba.njit(cache=True)
def _serial(dur, in_ptr, in_src, in_dl, out_ptr, out_dst, rptr, ridx, ru, cap, use, key,
            lvl, biased, alpha, start, state, head, pin):  # pragma: no cover - compiled
    """Serial schedule generation scheme; writes ``start`` and returns the makespan. Tasks
    with ``pin ≥ 0`` are booked first at that start; the others start no earlier than
    ``head`` and are taken best priority level first. The profile ``use`` must be all zero
    on entry and is cleared again on exit."""
    n = dur.size
    indeg = np.empty(n, np.int64)
    elig = np.empty(n, np.int64)
    ne = _sources(in_ptr, indeg, elig)
    makespan = 0
    placed = 0
    if pin.size:
        ne = _drop_pinned(elig, ne, pin)
        for j in range(n):
            if pin[j] < 0:
                continue
            t = pin[j]
            start[j] = t
            _book(j, t, 1.0, dur, rptr, ridx, ru, use)
            placed += 1
            if t + dur[j] > makespan:
                makespan = t + dur[j]
        for j in range(n):
            if pin[j] < 0:
                continue
            for k in range(out_ptr[j], out_ptr[j + 1]):
                s = out_dst[k]
                indeg[s] -= 1
                if indeg[s] == 0 and pin[s] < 0:
                    elig[ne] = s
                    ne += 1
    for _ in range(n - placed):
        b = _pick(elig, ne, key, lvl, biased, alpha, state)
        j = elig[b]
        ne -= 1
        elig[b] = elig[ne]
        p = head[j]
        for k in range(in_ptr[j], in_ptr[j + 1]):
            s = start[in_src[k]] + in_dl[k]
            if s > p:
                p = s
        t = _earliest(j, p, dur, rptr, ridx, ru, cap, use)
        start[j] = t
        _book(j, t, 1.0, dur, rptr, ridx, ru, use)
        if t + dur[j] > makespan:
            makespan = t + dur[j]
        for k in range(out_ptr[j], out_ptr[j + 1]):
            s = out_dst[k]
            indeg[s] -= 1
            if indeg[s] == 0 and (pin.size == 0 or pin[s] < 0):
                elig[ne] = s
                ne += 1
    use[:, :makespan] = 0.0
    return makespan


@numba.njit(cache=True)
def _parallel(dur, in_ptr, in_src, in_dl, out_ptr, out_dst, rptr, ridx, ru, cap, use, key,
              lvl, biased, alpha, start, state, head, pin):  # pragma: no cover - compiled
    """Parallel schedule generation scheme; as :func:`_serial`. With several priority
    levels, the walk through time is made once per level, best first, each level's tasks
    fitting around the tasks already booked."""
    n = dur.size
    indeg = np.empty(n, np.int64)
    avail = np.empty(n, np.int64)
    cand = np.empty(n, np.int64)
    es = head.copy()
    na = _sources(in_ptr, indeg, avail)
    done = 0
    t = 0
    makespan = 0
    finish = np.empty(n, np.int64)  # finish times of the scheduled tasks
    if pin.size:
        na = _drop_pinned(avail, na, pin)
        for j in range(n):
            if pin[j] < 0:
                continue
            start[j] = pin[j]
            _book(j, pin[j], 1.0, dur, rptr, ridx, ru, use)
            finish[done] = pin[j] + dur[j]
            done += 1
            if pin[j] + dur[j] > makespan:
                makespan = pin[j] + dur[j]
        for j in range(n):
            if pin[j] < 0:
                continue
            for k in range(out_ptr[j], out_ptr[j + 1]):
                s = out_dst[k]
                indeg[s] -= 1
                if indeg[s] == 0 and pin[s] < 0:
                    p = head[s]
                    for q in range(in_ptr[s], in_ptr[s + 1]):
                        b = start[in_src[q]] + in_dl[q]
                        if b > p:
                            p = b
                    es[s] = p
                    avail[na] = s
                    na += 1
    one = lvl.size == 0  # a single priority level
    cur = 0
    if na > 0 and not one:
        cur = lvl[avail[0]]
        for e in range(1, na):
            if lvl[avail[e]] < cur:
                cur = lvl[avail[e]]
    while done < n:
        while True:
            nc = 0
            for e in range(na):
                j = avail[e]
                if (one or lvl[j] == cur) and es[j] <= t and _fits(j, t, dur, rptr, ridx,
                                                                   ru, cap, use):
                    cand[nc] = j
                    nc += 1
            if nc == 0:
                break
            j = cand[_pick(cand, nc, key, lvl, biased, alpha, state)]
            for e in range(na):
                if avail[e] == j:
                    na -= 1
                    avail[e] = avail[na]
                    break
            start[j] = t
            _book(j, t, 1.0, dur, rptr, ridx, ru, use)
            finish[done] = t + dur[j]
            done += 1
            if t + dur[j] > makespan:
                makespan = t + dur[j]
            for k in range(out_ptr[j], out_ptr[j + 1]):
                s = out_dst[k]
                indeg[s] -= 1
                if indeg[s] == 0 and (pin.size == 0 or pin[s] < 0):
                    p = head[s]
                    for q in range(in_ptr[s], in_ptr[s + 1]):
                        b = start[in_src[q]] + in_dl[q]
                        if b > p:
                            p = b
                    es[s] = p
                    avail[na] = s
                    na += 1
        if done == n:
            break
        more = one
        for e in range(0 if one else na):
            if lvl[avail[e]] == cur:
                more = True
                break
        if not more:  # this level is done: walk again from day 0 with the next one
            cur = lvl[avail[0]]
            for e in range(1, na):
                if lvl[avail[e]] < cur:
                    cur = lvl[avail[e]]
            t = 0
            continue
        nt = np.iinfo(np.int64).max
        for e in range(done):
            if t < finish[e] < nt:
                nt = finish[e]
        for e in range(na):
            if (one or lvl[avail[e]] == cur) and t < es[avail[e]] < nt:
                nt = es[avail[e]]
        t = nt
    use[:, :makespan] = 0.0
    return makespan


@numba.njit(cache=True)
def _score(start, dur, lvl, out):  # pragma: no cover - compiled
    """``out[k]``: the latest finish of the tasks of priority level ``k``."""
    out[:] = 0
    for j in range(dur.size):
        f = start[j] + dur[j]
        if f > out[lvl[j]]:
            out[lvl[j]] = f


@numba.njit(cache=True, inline="always")
def _cmp(a, b):  # pragma: no cover - compiled
    """Lexicographic comparison of two score vectors: -1, 0 or 1."""
    for k in range(a.size):
        if a[k] < b[k]:
            return -1
        if a[k] > b[k]:
            return 1
    return 0


@numba.njit(cache=True, inline="always")
def _cmp_row(m, i, b):  # pragma: no cover - compiled
    """:func:`_cmp` of row ``i`` of ``m`` with ``b`` (no view made)."""
    for k in range(b.size):
        if m[i, k] < b[k]:
            return -1
        if m[i, k] > b[k]:
            return 1
    return 0


@numba.njit(cache=True, inline="always")
def _cmp_rows(m, i, j):  # pragma: no cover - compiled
    """:func:`_cmp` of rows ``i`` and ``j`` of ``m``."""
    for k in range(m.shape[1]):
        if m[i, k] < m[j, k]:
            return -1
        if m[i, k] > m[j, k]:
            return 1
    return 0


@numba.njit(cache=True)
def _justify(dur, in_ptr, in_src, in_dl, out_ptr, out_dst, bwd_dl, rptr, ridx, ru, cap, use,
             start, makespan, budget, state, lvl, nlev, head, pin):  # pragma: no cover
    """Forward–backward improvement of the schedule ``start`` (updated in place), repeated
    while it improves it and ``budget`` passes last. Returns (makespan, passes used).

    The backward pass only orders the tasks (it ignores the priority levels and the
    release dates; pinned tasks stay at their mirrored place); the forward pass decodes
    that order best level first, and the result is kept when its per-level finishes are
    lexicographically no worse."""
    n = dur.size
    key = np.empty(n)
    mirror = np.empty(n, np.int64)
    fwd = np.empty(n, np.int64)
    flat = np.zeros(0, np.int64)  # the backward pass ignores the levels
    zero = np.zeros(n, np.int64)
    pin_b = np.full(pin.size, -1, np.int64)
    sc_old = np.empty(nlev, np.int64)
    sc_new = np.empty(nlev, np.int64)
    used = 0
    while used + 2 <= budget:
        for i in range(n):  # backward: by decreasing finish, each as late as possible
            key[i] = makespan - start[i] - dur[i]
        for i in range(pin.size):
            if pin[i] >= 0:
                pin_b[i] = makespan - pin[i] - dur[i]
        mb = _serial(dur, out_ptr, out_dst, bwd_dl, in_ptr, in_src, rptr, ridx, ru, cap, use,
                     key, flat, False, 1.0, mirror, state, zero, pin_b)
        for i in range(n):  # forward: by increasing start, each as early as possible
            key[i] = mb - mirror[i] - dur[i]
        mf = _serial(dur, in_ptr, in_src, in_dl, out_ptr, out_dst, rptr, ridx, ru, cap, use,
                     key, lvl, False, 1.0, fwd, state, head, pin)
        used += 2
        if nlev == 1:
            c = -1 if mf < makespan else (0 if mf == makespan else 1)
        else:
            _score(start, dur, lvl, sc_old)
            _score(fwd, dur, lvl, sc_new)
            c = _cmp(sc_new, sc_old)
        if c < 0:
            makespan = mf
            start[:] = fwd
        else:
            if c == 0:
                makespan = mf
                start[:] = fwd  # equally short and left-justified
            break
    return makespan, used


@numba.njit(cache=True)
def _order_by_start(start, dur, in_ptr, in_src, out_ptr, out_dst):  # pragma: no cover
    """The tasks as a precedence-feasible list ordered by start (ties: lower index)."""
    n = start.size
    state = np.ones(1, np.uint64)
    key = start.astype(np.float64)
    flat = np.zeros(0, np.int64)
    indeg = np.empty(n, np.int64)
    elig = np.empty(n, np.int64)
    out = np.empty(n, np.int64)
    ne = _sources(in_ptr, indeg, elig)
    for r in range(n):
        b = _pick(elig, ne, key, flat, False, 1.0, state)
        j = elig[b]
        ne -= 1
        elig[b] = elig[ne]
        out[r] = j
        for k in range(out_ptr[j], out_ptr[j + 1]):
            s = out_dst[k]
            indeg[s] -= 1
            if indeg[s] == 0:
                elig[ne] = s
                ne += 1
    return out


@numba.njit(cache=True)
def _search(dur, in_ptr, in_src, in_dl, out_ptr, out_dst, bwd_dl, rptr, ridx, ru, cap,
            horizon, keys, lft, schemes, budget, alpha, justify, population, share,
            fbi_passes, mutation_rate, mutation_span, seed, lvl, nlev, head,
            pin):  # pragma: no cover - compiled
    """The whole heuristic: priority rules, then regret-based sampling, then a genetic
    search, every schedule justified. Schedules compare by their per-level finishes
    (:func:`_score`), lexicographically. Returns (best start, best makespan, schedules
    used)."""
    state = np.array([seed], np.uint64)
    n = dur.size
    big = np.iinfo(np.int64).max
    if nlev == 1:
        lvl = lvl[:0]  # one level: the schemes skip the level checks
    use = np.zeros((cap.size, horizon), np.float64)
    start = np.zeros(n, np.int64)
    best = np.zeros(n, np.int64)
    best_ms = big
    best_sc = np.full(nlev, big)
    sc = np.empty(nlev, np.int64)
    count = 0
    pop_n = max(population, 2)
    pop = np.zeros((pop_n, n), np.int64)  # task lists of the best schedules found
    pop_sc = np.full((pop_n, nlev), big)  # their scores, best first
    pos = np.empty(n, np.int64)
    ns = schemes.size
    nrules = keys.shape[0]
    total = budget
    if budget > 1:
        budget -= 1  # kept for the final left shift
    sampling = int(budget * share) if population > 0 else budget
    phase = 0  # 0 rules, 1 sampling, 2 genetic
    rule = 0
    it = 0
    while count < budget:
        if phase == 0 and rule >= nrules * ns:
            phase = 1
        if phase == 1 and count >= sampling and population > 0 and pop_sc[pop_n - 1, 0] < \
                big:
            phase = 2
        scheme = schemes[it % ns]
        if phase == 0:
            scheme = schemes[rule % ns]
            key = keys[rule // ns]
            rule += 1
            biased = False
        else:
            key = lft
            biased = True
        if phase < 2:
            if scheme == 0:
                ms = _serial(dur, in_ptr, in_src, in_dl, out_ptr, out_dst, rptr, ridx, ru,
                             cap, use, key, lvl, biased, alpha, start, state, head, pin)
            else:
                ms = _parallel(dur, in_ptr, in_src, in_dl, out_ptr, out_dst, rptr, ridx, ru,
                               cap, use, key, lvl, biased, alpha, start, state, head, pin)
        else:
            filled = pop_n  # the genetic phase starts with a full population
            # Two parents by binary tournament, two-point crossover of the lists, mutation.
            a = int(_rand(state) * filled)
            b = int(_rand(state) * filled)
            mother = a if _cmp_rows(pop_sc, a, b) <= 0 else b
            a = int(_rand(state) * filled)
            b = int(_rand(state) * filled)
            father = a if _cmp_rows(pop_sc, a, b) <= 0 else b
            q1 = int(_rand(state) * (n + 1))
            q2 = int(_rand(state) * (n + 1))
            if q1 > q2:
                q1, q2 = q2, q1
            # The child's list: mother's first q1 tasks, then father's order for the
            # next q2 - q1 new tasks, then the mother's again; key = position in it.
            taken = np.zeros(n, np.bool_)
            r = 0
            for e in range(q1):
                j = pop[mother, e]
                taken[j] = True
                pos[j] = r
                r += 1
            for e in range(n):
                if r >= q2:
                    break
                j = pop[father, e]
                if not taken[j]:
                    taken[j] = True
                    pos[j] = r
                    r += 1
            for e in range(n):
                j = pop[mother, e]
                if not taken[j]:
                    taken[j] = True
                    pos[j] = r
                    r += 1
            fkey = pos.astype(np.float64)
            for j in range(n):  # mutation: jitter a few positions
                if _rand(state) < mutation_rate:
                    fkey[j] += (_rand(state) - 0.5) * mutation_span * n
            # Decoded best level first: the list order only breaks ties inside a level.
            ms = _serial(dur, in_ptr, in_src, in_dl, out_ptr, out_dst, rptr, ridx, ru, cap,
                         use, fkey, lvl, False, 1.0, start, state, head, pin)
        count += 1
        it += 1
        if justify:
            ms, used = _justify(dur, in_ptr, in_src, in_dl, out_ptr, out_dst, bwd_dl, rptr,
                                ridx, ru, cap, use, start, ms, min(budget - count, fbi_passes),
                                state, lvl, nlev, head, pin)
            count += used
        if nlev == 1:
            sc[0] = ms
        else:
            _score(start, dur, lvl, sc)
        if _cmp(sc, best_sc) < 0:
            best_sc[:] = sc
            best_ms = ms
            best[:] = start
        if population > 0 and _cmp_row(pop_sc, pop_n - 1, sc) >= 0:
            # Insert into the population (sorted by score) unless an equal schedule is in.
            order = _order_by_start(start, dur, in_ptr, in_src, out_ptr, out_dst)
            same = False
            for e in range(pop_n):
                if _cmp_row(pop_sc, e, sc) == 0:
                    same = True
                    for i in range(n):
                        if pop[e, i] != order[i]:
                            same = False
                            break
                    if same:
                        break
            if not same:
                e = pop_n - 1
                while e > 0 and _cmp_row(pop_sc, e - 1, sc) > 0:
                    pop_sc[e, :] = pop_sc[e - 1, :]
                    pop[e] = pop[e - 1]
                    e -= 1
                pop_sc[e] = sc
                pop[e] = order
    if count < total:  # left shift: the best schedule as a serial pass ordered by start
        key = best.astype(np.float64)
        ms = _serial(dur, in_ptr, in_src, in_dl, out_ptr, out_dst, rptr, ridx, ru, cap, use,
                     key, lvl, False, 1.0, start, state, head, pin)
        count += 1
        if nlev == 1:
            sc[0] = ms
        else:
            _score(start, dur, lvl, sc)
        if _cmp(sc, best_sc) <= 0:
            best_sc[:] = sc
            best_ms = ms
            best[:] = start
    return best, best_ms, count


@numba.njit(cache=True)
def _cpm_pass(dur, in_ptr, in_src, in_dl, out_ptr, out_dst, order, head,
              pin):  # pragma: no cover - compiled
    """Early starts (from ``head``; pinned tasks at their pin) and late starts (against the
    early makespan) in whole days."""
    n = dur.size
    es = head.copy()
    for r in range(n):
        j = order[r]
        if pin.size and pin[j] >= 0:
            es[j] = pin[j]
            continue
        for k in range(in_ptr[j], in_ptr[j + 1]):
            b = es[in_src[k]] + in_dl[k]
            if b > es[j]:
                es[j] = b
    ms = 0
    for j in range(n):
        if es[j] + dur[j] > ms:
            ms = es[j] + dur[j]
    ls = np.empty(n, np.int64)
    for j in range(n):
        ls[j] = ms - dur[j]
    for r in range(n - 1, -1, -1):
        j = order[r]
        for k in range(in_ptr[j], in_ptr[j + 1]):
            p = in_src[k]
            b = ls[j] - in_dl[k]
            if b < ls[p]:
                ls[p] = b
    return es, ls, ms


@numba.njit(cache=True)
def _successor_counts(order, out_ptr, out_dst):  # pragma: no cover - compiled
    """Number of (transitive) successors of each task, with bit sets."""
    n = order.size
    words = (n + 63) // 64
    bits = np.zeros((n, words), np.uint64)
    for r in range(n - 1, -1, -1):
        j = order[r]
        for k in range(out_ptr[j], out_ptr[j + 1]):
            s = out_dst[k]
            bits[j, s // 64] |= np.uint64(1) << np.uint64(s % 64)
            for w in range(words):
                bits[j, w] |= bits[s, w]
    count = np.zeros(n, np.int64)
    for j in range(n):
        c = 0
        for w in range(words):
            x = bits[j, w]
            while x:
                x &= x - np.uint64(1)
                c += 1
        count[j] = c
    return count


@numba.njit(cache=True)
def _why(start, dur, order, in_ptr, in_src, in_dl, rptr, ridx, ru, cap, horizon,
         es, head):  # pragma: no cover - compiled
    """For each task later than its CPM early start: the resource whose conflict moved it
    (-1 none) and the task where the conflict happened (itself or an upstream predecessor
    whose delay drives it through a binding link; -1 none)."""
    n = dur.size
    use = np.zeros((cap.size, horizon), np.float64)
    for j in range(n):
        _book(j, start[j], 1.0, dur, rptr, ridx, ru, use)
    res = np.full(n, -1, np.int64)
    src = np.full(n, -1, np.int64)
    for r in range(n):
        j = order[r]
        if start[j] <= es[j]:
            continue
        p = head[j]
        driver = -1
        for k in range(in_ptr[j], in_ptr[j + 1]):
            b = start[in_src[k]] + in_dl[k]
            if b > p or (b == p and driver >= 0 and src[driver] < 0 and src[in_src[k]] >= 0):
                p = b
                driver = in_src[k]
        if start[j] > p:  # moved by a resource: which one blocks it a day earlier?
            _book(j, start[j], -1.0, dur, rptr, ridx, ru, use)
            best_r = -1
            worst = 0.0
            for t in range(start[j] - 1, p - 1, -1):
                for k in range(rptr[j], rptr[j + 1]):
                    rr = ridx[k]
                    over = 0.0
                    for tau in range(t, t + dur[j]):
                        o = use[rr, tau] + ru[k] - cap[rr]
                        if o > over:
                            over = o
                    if over > worst + 1e-9:
                        worst = over
                        best_r = rr
                if best_r >= 0:
                    break
            _book(j, start[j], 1.0, dur, rptr, ridx, ru, use)
            res[j] = best_r
            src[j] = j
        elif driver >= 0 and src[driver] >= 0:  # driven by a delayed predecessor
            res[j] = res[driver]
            src[j] = src[driver]
    return res, src


# ----------------------------------------------------------------------------------------
# Results
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LevelResult:
    """A levelled schedule.

    Attributes
    ----------
    schedule : DataFrame
        One row per task, indexed by task ``id`` (input order): ``project_id`` (when the tasks
        have one), ``priority`` (the rank given, when priorities were given; NaN = none),
        ``duration`` [d, whole days], ``early_start`` (CPM without resource limits, with
        the releases and fixed starts) [d],
        ``start``, ``finish`` (levelled offsets; finish exclusive) [d], ``delay``
        (``start − early_start``) [d], ``delay_resource`` (the resource whose conflict
        delayed the task, or None) and ``delay_source`` (the task that met the conflict:
        itself, or the upstream task whose delay pushes it through the links; None when not
        delayed).
    makespan : int
        Levelled project length: the latest finish. [d]
    critical_path : int
        The CPM length without resource limits (with the releases and fixed starts), a
        lower bound on the makespan. [d]
    resource_bound : int
        ``max_r ⌈Σ_j d_j·u_jr / capacity_r⌉``, another lower bound (a fixed task's use
        counts up to the capacity on each day). [d]
    schedules : int
        Schedule generation passes used (each forward or backward pass counts one).
    projects : DataFrame or None
        With a ``project_id`` column: per project (index ``project_id``) ``cpm_finish``,
        ``finish`` (levelled) and ``finish_change`` [d], and ``priority`` (the best rank of
        the project's tasks) when priorities were given.
    method : str
        The :data:`METHODS` entry that produced the schedule.
    optimal : bool
        Proven optimal: CP-SAT proved it, or (any method, one priority rank) the makespan
        equals :attr:`lower_bound`.
    status : str
        ``"OPTIMAL"`` (proven), ``"FEASIBLE"`` (CP-SAT stopped at its time limit with a
        schedule it could not prove optimal) or ``"HEURISTIC"`` (the heuristic's schedule,
        not proven; also CP-SAT's answer when it found nothing better in time).
    overallocated : DataFrame or None
        When tasks were fixed: the runs of days on which the fixed tasks alone use more
        than a capacity, so the result is not levelled there: ``resource_id``, ``start``,
        ``finish`` (exclusive) [d], ``working_days`` [d], ``peak_demand``, ``capacity``,
        ``excess`` [units], ``tasks`` (ids joined with ``";"``). Empty when none; None when
        no task was fixed.
    """

    schedule: pd.DataFrame = field(repr=False)
    makespan: int
    critical_path: int
    resource_bound: int
    schedules: int
    projects: pd.DataFrame | None = field(default=None, repr=False)
    method: str = "sgs"
    optimal: bool = False
    status: str = "HEURISTIC"
    overallocated: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def lower_bound(self) -> int:
        """The larger of the critical-path and resource lower bounds. [d]"""
        return max(self.critical_path, self.resource_bound)

    @property
    def levelled(self) -> bool:
        """No resource is used beyond its capacity (False only when fixed tasks alone
        exceed one; see :attr:`overallocated`)."""
        return self.overallocated is None or self.overallocated.empty

    @property
    def delayed(self) -> pd.DataFrame:
        """The rows of :attr:`schedule` for the tasks the levelling delayed."""
        return self.schedule[self.schedule["delay"] > 0]


@dataclass(frozen=True)
class PsplibInstance:
    """A PSPLIB single-mode instance in the kit's tables (unpacks as the four tables).

    Attributes
    ----------
    tasks : DataFrame
        ``id`` (the job number as text, dummies ``1`` and ``N`` included), ``duration`` [d].
    links : DataFrame
        ``pred``, ``succ``, ``type`` (``"FS"``), ``lag`` (0) [d].
    resources : DataFrame
        ``id`` (``"R1"`` ...), ``capacity`` [units].
    assignments : DataFrame
        ``task_id``, ``resource_id``, ``units`` (only the non-zero requests).
    name : str
        File name without extension (``"j301_1"``).
    mpm_time : int or None
        The file's MPM-Time: the critical-path length. [d]
    """

    tasks: pd.DataFrame = field(repr=False)
    links: pd.DataFrame = field(repr=False)
    resources: pd.DataFrame = field(repr=False)
    assignments: pd.DataFrame = field(repr=False)
    name: str = ""
    mpm_time: int | None = None

    def __iter__(self):
        return iter((self.tasks, self.links, self.resources, self.assignments))


# ----------------------------------------------------------------------------------------
# PSPLIB reader
# ----------------------------------------------------------------------------------------
def _psplib_error(path: Path, line: int | None, message: str) -> DataValidationError:
    where = "" if line is None else f"line {line}: "
    return DataValidationError(Problem(path.name, None, None, None, where + message))


def read_psplib(path) -> PsplibInstance:
    """Read a PSPLIB single-mode RCPSP file (``.sm``; Kolisch & Sprecher 1996).

    Parameters
    ----------
    path : str or Path
        The ``.sm`` file.

    Returns
    -------
    PsplibInstance
        The tasks, links, resources and assignments (unpack as
        ``tasks, links, resources, assignments = read_psplib(path)``), plus ``name`` and
        ``mpm_time``.

    Raises
    ------
    MissingDataError
        The file does not exist.
    DataValidationError
        A malformed file: a missing section, a line that does not parse, a job with more
        than one mode, a successor or job number out of range (the message names the file
        and the line number).

    Examples
    --------
    >>> text = '''jobs (incl. supersource/sink ):  3
    ... PRECEDENCE RELATIONS:
    ... jobnr.    #modes  #successors   successors
    ...    1        1          1           2
    ...    2        1          1           3
    ...    3        1          0
    ... ****
    ... REQUESTS/DURATIONS:
    ... jobnr. mode duration  R 1
    ... ------------------------
    ...   1      1     0       0
    ...   2      1     4       2
    ...   3      1     0       0
    ... ****
    ... RESOURCEAVAILABILITIES:
    ...   R 1
    ...    3
    ... ****
    ... '''
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "tiny.sm")
    ...     _ = open(p, "w").write(text)
    ...     tasks, links, resources, assignments = read_psplib(p)
    >>> tasks["duration"].tolist(), links["succ"].tolist(), assignments["units"].tolist()
    ([0, 4, 0], ['2', '3'], [2.0])
    """
    from .errors import MissingDataError

    path = Path(path)
    if not path.is_file():
        raise MissingDataError(Problem(path.name, None, None, None,
                                       f"no such PSPLIB file: {path}"))
    lines = path.read_text(encoding="latin-1").splitlines()
    jobs = None
    mpm = None
    sections: dict[str, int] = {}
    for no, line in enumerate(lines, start=1):
        m = re.match(r"\s*jobs \(incl\. supersource/sink \)\s*:\s*(\S+)", line)
        if m:
            if not m.group(1).isdigit():
                raise _psplib_error(path, no, f"number of jobs {m.group(1)!r} is not a number")
            jobs = int(m.group(1))
        for head in ("PROJECT INFORMATION:", "PRECEDENCE RELATIONS:", "REQUESTS/DURATIONS:",
                     "RESOURCEAVAILABILITIES:"):
            if line.strip().startswith(head):
                sections[head] = no
    if jobs is None:
        raise _psplib_error(path, None, "no 'jobs (incl. supersource/sink ):' line; "
                                        "is this a PSPLIB .sm file?")
    for head in ("PRECEDENCE RELATIONS:", "REQUESTS/DURATIONS:", "RESOURCEAVAILABILITIES:"):
        if head not in sections:
            raise _psplib_error(path, None, f"no {head!r} section")

    def rows(head: str, skip: int):
        """Numeric rows after a section's header (``skip`` header lines), to a ruler."""
        first = sections[head] + skip
        for no in range(first + 1, len(lines) + 1):
            text = lines[no - 1].strip()
            if not text or text.startswith("*") or text.startswith("-"):
                if text.startswith("*"):
                    return
                continue
            yield no, text

    def ints(no: int, text: str) -> list[int]:
        try:
            return [int(v) for v in text.split()]
        except ValueError:
            raise _psplib_error(path, no, f"expected whole numbers, found {text!r}") from None

    if "PROJECT INFORMATION:" in sections:
        for no, text in rows("PROJECT INFORMATION:", 1):
            values = ints(no, text)
            if len(values) >= 6:
                mpm = values[5]
            break

    pred, succ = [], []
    seen = 0
    for no, text in rows("PRECEDENCE RELATIONS:", 1):
        v = ints(no, text)
        if len(v) < 3 or len(v) != 3 + v[2]:
            raise _psplib_error(path, no, "a precedence row is 'job modes #successors "
                                          f"successors...'; found {text!r}")
        if v[1] != 1:
            raise _psplib_error(path, no, f"job {v[0]} has {v[1]} modes; only single-mode "
                                          "(.sm) files are supported")
        for s in v[3:]:
            if not 1 <= s <= jobs:
                raise _psplib_error(path, no, f"job {v[0]}: successor {s} is not a job "
                                              f"number 1..{jobs}")
            pred.append(str(v[0]))
            succ.append(str(s))
        seen += 1
    if seen != jobs:
        raise _psplib_error(path, sections["PRECEDENCE RELATIONS:"],
                            f"{seen} precedence rows for {jobs} jobs")

    durations = []
    requests = []
    for no, text in rows("REQUESTS/DURATIONS:", 1):
        v = ints(no, text)
        if len(v) < 3 or v[0] != len(durations) + 1:
            raise _psplib_error(path, no, f"expected the row of job {len(durations) + 1} "
                                          f"('job mode duration requests...'), found {text!r}")
        durations.append(v[2])
        requests.append(v[3:])
    if len(durations) != jobs:
        raise _psplib_error(path, sections["REQUESTS/DURATIONS:"],
                            f"{len(durations)} duration rows for {jobs} jobs")
    avail = list(rows("RESOURCEAVAILABILITIES:", 1))
    if not avail:
        raise _psplib_error(path, sections["RESOURCEAVAILABILITIES:"], "no capacities row")
    no, text = avail[0]
    capacity = ints(no, text)
    for (rno, _), req in zip(rows("REQUESTS/DURATIONS:", 1), requests, strict=True):
        if len(req) != len(capacity):
            raise _psplib_error(path, rno, f"{len(req)} resource requests for "
                                           f"{len(capacity)} resources")
    rid = [f"R{k + 1}" for k in range(len(capacity))]
    a_task, a_res, a_units = [], [], []
    for j, req in enumerate(requests, start=1):
        for k, u in enumerate(req):
            if u:
                a_task.append(str(j))
                a_res.append(rid[k])
                a_units.append(float(u))
    return PsplibInstance(
        tasks=pd.DataFrame({"id": [str(j) for j in range(1, jobs + 1)],
                            "duration": np.asarray(durations, np.int64)}),
        links=pd.DataFrame({"pred": pred, "succ": succ, "type": "FS", "lag": 0.0}),
        resources=pd.DataFrame({"id": rid, "capacity": np.asarray(capacity, float)}),
        assignments=pd.DataFrame({"task_id": a_task, "resource_id": a_res,
                                  "units": np.asarray(a_units, float)}),
        name=path.stem, mpm_time=mpm)


# ----------------------------------------------------------------------------------------
# Input checks
# ----------------------------------------------------------------------------------------
def _resource_arrays(ids: pd.Index, resources: pd.DataFrame, assignments: pd.DataFrame | None,
                     running: np.ndarray | None = None):
    """Capacities and, per task, its (resource, units) pairs as CSR arrays. A task marked in
    ``running`` (fixed, already in progress) may need more than a capacity."""
    if "capacity" not in resources.columns:
        raise DataValidationError(Problem("resources", None, None, "capacity",
                                          "resources need a capacity column [units]"))
    rids = pd.Index(_strings(resources["id"] if "id" in resources.columns
                             else resources.index), dtype=object)
    if not rids.is_unique:
        dup = rids[rids.duplicated()].unique()[:10]
        raise DataValidationError(Problem("resources", None, None, "id",
                                          f"duplicate resource id(s) {', '.join(map(repr, dup))}"))
    cap = pd.to_numeric(resources["capacity"], errors="coerce").to_numpy(float)
    bad = np.flatnonzero(~np.isfinite(cap) | (cap < 0))
    if bad.size:
        raise DataValidationError([Problem("resources", k + 2, rids[k], "capacity",
                                           "capacity must be a number ≥ 0")
                                   for k in bad])
    n = len(ids)
    if assignments is None or len(assignments) == 0:
        return cap, rids, np.zeros(n + 1, np.int64), np.zeros(0, np.int64), np.zeros(0)
    missing = [c for c in ("task_id", "resource_id", "units") if c not in assignments.columns]
    if missing:
        from .errors import MissingDataError
        raise MissingDataError(Problem("assignments", None, None, missing[0],
                                       f"assignments need the columns task_id, resource_id "
                                       f"and units; missing {', '.join(missing)}"))
    tids = _strings(assignments["task_id"])
    res = _strings(assignments["resource_id"])
    units = pd.to_numeric(assignments["units"], errors="coerce").to_numpy(float)
    ti = ids.get_indexer(pd.Index(tids, dtype=object))
    ri = rids.get_indexer(pd.Index(res, dtype=object))
    unknown = []
    for k in np.flatnonzero(ti < 0)[:20]:
        unknown.append(Problem("assignments", k + 2, f"{tids[k]}/{res[k]}", "task_id",
                               f"task {tids[k]!r} (resource {res[k]!r}) is not in the tasks"))
    for k in np.flatnonzero(ri < 0)[:20]:
        unknown.append(Problem("assignments", k + 2, f"{tids[k]}/{res[k]}", "resource_id",
                               f"task {tids[k]!r} is assigned to unknown resource {res[k]!r};"
                               f" the resources are {', '.join(map(str, rids[:20]))}"))
    if unknown:
        raise UnknownReferenceError(unknown)
    bad = np.flatnonzero(~np.isfinite(units) | (units < 0))
    if bad.size:
        raise DataValidationError([Problem("assignments", k + 2, f"{tids[k]}/{res[k]}",
                                           "units", f"task {tids[k]!r} needs {units[k]!r} "
                                           f"units of resource {res[k]!r}; units must be a "
                                           "number ≥ 0") for k in bad[:20]])
    # Repeated (task, resource) rows add up; zero units use nothing.
    total = pd.Series(units).groupby([ti, ri]).sum()
    total = total[total > 0]
    t_idx = total.index.get_level_values(0).to_numpy(np.int64)
    r_idx = total.index.get_level_values(1).to_numpy(np.int64)
    u = total.to_numpy(float)
    over = u > cap[r_idx] + _EPS
    if running is not None:
        over &= ~running[t_idx]
    over = np.flatnonzero(over)
    if over.size:
        raise DataValidationError([Problem(
            "assignments", None, f"{ids[t_idx[k]]}/{rids[r_idx[k]]}", "units",
            f"task {ids[t_idx[k]]!r} needs {u[k]:g} units of resource {rids[r_idx[k]]!r}, "
            f"which has a capacity of {cap[r_idx[k]]:g}: it can never be scheduled (lower "
            "the units or raise the capacity)") for k in over[:20]])
    order = np.lexsort((r_idx, t_idx))
    t_idx, r_idx, u = t_idx[order], r_idx[order], u[order]
    rptr = np.zeros(n + 1, np.int64)
    np.add.at(rptr, t_idx + 1, 1)
    return cap, rids, np.cumsum(rptr), r_idx, u


def _per_task(value, name: str, tasks: pd.DataFrame, ids: pd.Index):
    """A per-task input as floats aligned with the task rows.

    ``value`` is an array-like with one value per task row, a Series indexed by task id
    (tasks it does not list get NaN) or the name of a column of ``tasks``. Returns
    ``(values, rows, column)``: the numbers (NaN where missing), the spreadsheet row of each
    task for messages (None for a Series) and the column name to report."""
    n = len(ids)
    if isinstance(value, str):
        if value not in tasks.columns:
            from .errors import MissingDataError
            raise MissingDataError(Problem(
                "tasks", None, None, value,
                f"{name}={value!r} names no column of the tasks; the columns are "
                f"{', '.join(map(str, tasks.columns))}"))
        raw, column, rows = tasks[value].to_numpy(), value, True
    elif isinstance(value, pd.Series):
        keys = pd.Index(_strings(value.index), dtype=object)
        if not keys.is_unique:
            dup = keys[keys.duplicated()].unique()[:10]
            raise DataValidationError(Problem(
                name, None, None, None,
                f"{name} lists task(s) {', '.join(map(repr, dup))} more than once"))
        pos = ids.get_indexer(keys)
        unknown = np.flatnonzero(pos < 0)
        if unknown.size:
            raise UnknownReferenceError([Problem(
                name, None, keys[k], None,
                f"{name} given for task {keys[k]!r}, which is not in the tasks")
                for k in unknown[:20]])
        raw = np.full(n, np.nan, dtype=object)
        raw[pos] = value.to_numpy(dtype=object)
        column, rows = name, False
    else:
        raw = np.asarray(value, dtype=object).ravel() if not np.isscalar(value) else None
        if raw is None or raw.size != n:
            size = "a scalar" if raw is None else f"{raw.size} values"
            raise DataValidationError(Problem(
                "tasks", None, None, name,
                f"{name} has {size} for {n} tasks; give one value per task row, a Series "
                "indexed by task id or the name of a column of the tasks"))
        column, rows = name, True
    num = pd.to_numeric(pd.Series(raw, dtype=object), errors="coerce").to_numpy(float)
    text = pd.isna(num) & ~pd.isna(pd.Series(raw, dtype=object)).to_numpy()
    if text.any():
        raise DataValidationError([_task_problem(
            ids, k, rows, column, f"task {ids[k]!r}: {name} {raw[k]!r} is not a number")
            for k in np.flatnonzero(text)[:20]])
    return num, rows, column


def _task_problem(ids: pd.Index, k: int, rows: bool, column: str, message: str) -> Problem:
    return Problem("tasks", k + 2 if rows else None, ids[k], column, message)


def _check_offsets(values, name, rows, column, ids, *, missing_ok: bool, rounding,
                   stacklevel: int):
    """Whole-day offsets ≥ 0 from ``values`` (NaN allowed when ``missing_ok``); a problem
    names each task at fault; fractional values are rounded by ``rounding`` with a warning."""
    bad = np.isnan(values) if not missing_ok else np.zeros(values.size, bool)
    problems = [_task_problem(ids, k, rows, column,
                              f"task {ids[k]!r}: {name} is missing (NaN); give an offset "
                              "≥ 0 [d]") for k in np.flatnonzero(bad)[:20]]
    inf = np.isinf(values)
    problems += [_task_problem(ids, k, rows, column,
                               f"task {ids[k]!r}: {name} {values[k]:g} is not finite")
                 for k in np.flatnonzero(inf)[:20]]
    neg = values < 0
    problems += [_task_problem(ids, k, rows, column,
                               f"task {ids[k]!r}: {name} {values[k]:g} is negative; give an "
                               "offset ≥ 0 from the schedule start [d]")
                 for k in np.flatnonzero(neg)[:20]]
    if problems:
        raise DataValidationError(problems)
    whole = rounding(values + np.where(rounding is np.ceil, -_EPS, _EPS))
    if np.any(np.abs(np.nan_to_num(whole - values)) > _EPS):
        warnings.warn(f"levelling works in whole days: fractional {name} offsets were rounded "
                      f"{'up' if rounding is np.ceil else 'down'}", stacklevel=stacklevel)
    return whole


def _ranks(priority, tasks: pd.DataFrame, ids: pd.Index) -> np.ndarray:
    """Priority ranks as floats (NaN: no rank); unknown ids, text or ±inf raise."""
    prio, rows, column = _per_task(priority, "priority", tasks, ids)
    inf = np.flatnonzero(np.isinf(prio))
    if inf.size:
        raise DataValidationError([_task_problem(
            ids, k, rows, column, f"task {ids[k]!r}: priority {prio[k]:g} is not finite; "
            "ranks are numbers, 1 = highest") for k in inf[:20]])
    return prio


@numba.njit(cache=True)
def _inherit(order, out_ptr, out_dst, rank):  # pragma: no cover - compiled
    """Effective ranks: each task's best (least) rank among itself and all its successors."""
    eff = rank.copy()
    for r in range(order.size - 1, -1, -1):
        j = order[r]
        for k in range(out_ptr[j], out_ptr[j + 1]):
            if eff[out_dst[k]] < eff[j]:
                eff[j] = eff[out_dst[k]]
    return eff


@numba.njit(cache=True)
def _load(start, dur, rptr, ridx, ru, nres, horizon):  # pragma: no cover - compiled
    """Units used of each resource on each day ``0 .. horizon − 1``."""
    use = np.zeros((nres, horizon), np.float64)
    for j in range(dur.size):
        _book(j, start[j], 1.0, dur, rptr, ridx, ru, use)
    return use


def _overallocated(use: np.ndarray, cap: np.ndarray, rids, ids, start, dur, rptr, ridx
                   ) -> pd.DataFrame:
    """Runs of days on which a resource is used beyond its capacity (only fixed tasks can
    cause them): ``resource_id``, ``start``, ``finish`` (exclusive) [d], ``working_days``
    [d], ``peak_demand``, ``capacity``, ``excess`` [units] and ``tasks`` (ids joined with
    ``";"``)."""
    columns = ["resource_id", "start", "finish", "working_days", "peak_demand", "capacity",
               "excess", "tasks"]
    over = use > cap[:, None] + _EPS
    rows = []
    if over.any():
        padded = np.zeros((over.shape[0], over.shape[1] + 2), np.int8)
        padded[:, 1:-1] = over
        step = np.diff(padded, axis=1)
        r0, s0 = np.nonzero(step == 1)
        _, e0 = np.nonzero(step == -1)
        task_of = np.repeat(np.arange(dur.size), np.diff(rptr))
        for r, a, b in zip(r0, s0, e0, strict=True):
            on = task_of[(ridx == r) & (start[task_of] < b) & (start[task_of] + dur[task_of] > a)]
            peak = float(use[r, a:b].max())
            rows.append((rids[r], int(a), int(b), int(b - a), peak, float(cap[r]),
                         peak - float(cap[r]), ";".join(str(ids[j]) for j in sorted(set(on)))))
    return pd.DataFrame(rows, columns=columns)


# ----------------------------------------------------------------------------------------
# CP-SAT
# ----------------------------------------------------------------------------------------
def _import_cp_model():
    """OR-Tools' CP-SAT model module, imported only when ``method="cpsat"`` asks for it."""
    try:
        from ortools.sat.python import cp_model
    except ImportError as exc:
        raise MissingDependencyError(
            'method="cpsat" needs OR-Tools (CP-SAT), which is not installed: '
            'pip install "pmo-kit[cpsat]"') from exc
    return cp_model


def _integer_scale(values: np.ndarray) -> tuple[int, bool]:
    """The least ``D ≤ 1000`` making every value × D a whole number (True), else (1000,
    False)."""
    v = np.unique(np.asarray(values, float))
    if v.size == 0:
        return 1, True
    x = np.arange(1, 1001, dtype=float)[:, None] * v[None, :]
    ok = np.all(np.abs(x - np.round(x)) <= 1e-9 * np.maximum(1.0, np.abs(x)), axis=1)
    hit = np.flatnonzero(ok)
    return (int(hit[0]) + 1, True) if hit.size else (1000, False)


@numba.njit(cache=True)
def _compact(start, dur, in_ptr, in_src, in_dl, rptr, ridx, ru, cap, head, pin,
             horizon):  # pragma: no cover - compiled
    """Local left shifts: each task (by start) to the earliest day its links, its release
    and the resources allow with every other task where it is, until none moves. No task
    moves later, so no finish gets later; fixed tasks stay."""
    use = _load(start, dur, rptr, ridx, ru, cap.size, horizon)
    moved = True
    while moved:
        moved = False
        for j in np.argsort(start, kind="mergesort"):
            if pin.size and pin[j] >= 0:
                continue
            p = head[j]
            for k in range(in_ptr[j], in_ptr[j + 1]):
                b = start[in_src[k]] + in_dl[k]
                if b > p:
                    p = b
            if p >= start[j]:
                continue
            _book(j, start[j], -1.0, dur, rptr, ridx, ru, use)
            t = _earliest(j, p, dur, rptr, ridx, ru, cap, use)
            if t < start[j]:
                start[j] = t
                moved = True
            _book(j, start[j], 1.0, dur, rptr, ridx, ru, use)
    return start


def _cpsat(cp_model, dur, in_ptr, in_src, in_dl, rptr, ridx, ru, cap, rids, lvl, nlev, head,
           pin, hint, horizon, lower, time_limit, workers, rng):
    """Solve the levelling exactly with CP-SAT from the heuristic schedule ``hint``.

    One interval per task, one cumulative per resource (units scaled to integers), one
    start-to-start minimum lag per link; fixed tasks are constants whose use (capped at the
    capacity) is booked in the cumulatives. Objective: the finish of each priority level,
    best first, minimised one level after the other (lexicographic), each level bounded by
    the solution so far and warm-started from it. Returns (start, status)."""
    import time

    n = dur.size
    pinned = pin >= 0 if pin.size else np.zeros(n, bool)
    ms_hint = int((hint + dur).max(initial=0))
    # One level: the heuristic's makespan bounds every finish. Several: a better finish for
    # a better level may cost a worse level more than the heuristic's makespan.
    ub = ms_hint if nlev == 1 else max(int(horizon), ms_hint)
    model = cp_model.CpModel()
    starts = []
    for j in range(n):
        if pinned[j]:
            starts.append(model.new_constant(int(pin[j])))
        else:
            starts.append(model.new_int_var(int(head[j]), ub - int(dur[j]), f"s{j}"))
    for j in range(n):
        for k in range(in_ptr[j], in_ptr[j + 1]):
            model.add(starts[j] >= starts[in_src[k]] + int(in_dl[k]))

    task_of = np.repeat(np.arange(n), np.diff(rptr))
    inexact = []
    interval = {}
    for r in range(cap.size):
        on = np.flatnonzero(ridx == r)
        on = on[dur[task_of[on]] > 0]
        if on.size == 0:
            continue
        scale, exact = _integer_scale(np.append(ru[on], cap[r]))
        if exact:
            units = np.round(ru[on] * scale).astype(np.int64)
            capacity = round(cap[r] * scale)
        else:  # rounded the safe way: demands up, capacity down
            inexact.append(str(rids[r]))
            capacity = int(np.floor(cap[r] * scale + 1e-9))
            units = np.ceil(ru[on] * scale - 1e-9).astype(np.int64)
            units = np.where(ru[on] <= cap[r] + _EPS, np.minimum(units, capacity), units)
        intervals, demands = [], []
        fixed_load = np.zeros(0, np.int64)
        for k, u in zip(on, units, strict=True):
            j = task_of[k]
            if pinned[j]:
                end = int(pin[j] + dur[j])
                if fixed_load.size < end:
                    fixed_load = np.pad(fixed_load, (0, end - fixed_load.size))
                fixed_load[pin[j]:end] += u
                continue
            if j not in interval:
                interval[j] = model.new_fixed_size_interval_var(starts[j], int(dur[j]),
                                                                f"i{j}")
            intervals.append(interval[j])
            demands.append(int(u))
        if fixed_load.size:  # runs of constant (capped) fixed use
            fixed_load = np.minimum(fixed_load, capacity)
            edges = np.flatnonzero(np.diff(np.concatenate(([0], fixed_load, [0]))))
            for a, b in itertools.pairwise(edges):
                if fixed_load[a] > 0:
                    intervals.append(model.new_fixed_size_interval_var(int(a), int(b - a),
                                                                       f"f{r}_{a}"))
                    demands.append(int(fixed_load[a]))
        if intervals:
            model.add_cumulative(intervals, demands, capacity)
    if inexact:
        warnings.warn(f"CP-SAT works in whole units: the units of resource(s) "
                      f"{', '.join(inexact)} are no multiples of 1/D for any D ≤ 1000; they "
                      "were rounded up to thousandths (capacities down), so the schedule may "
                      "leave a little capacity unused", stacklevel=3)

    finish = [model.new_int_var(0, ub, f"F{k}") for k in range(nlev)]
    for j in range(n):
        model.add(finish[lvl[j]] >= starts[j] + int(dur[j]))
    if nlev == 1:
        model.add(finish[0] >= int(lower))

    best = hint.copy()
    solver = cp_model.CpSolver()
    solver.parameters.random_seed = int(rng.integers(0, 2**31 - 1))
    if workers is not None:
        solver.parameters.num_workers = int(workers)
    statuses = []
    t0 = time.perf_counter()
    for level_k in range(nlev):
        current = np.zeros(nlev, np.int64)
        np.maximum.at(current, lvl, best + dur)
        model.clear_hints()
        for j in range(n):
            if not pinned[j]:
                model.add_hint(starts[j], int(best[j]))
        for k in range(nlev):
            model.add_hint(finish[k], int(current[k]))
        model.add(finish[level_k] <= int(current[level_k]))
        model.minimize(finish[level_k])
        left = time_limit - (time.perf_counter() - t0)
        solver.parameters.max_time_in_seconds = max(left / (nlev - level_k), 0.01)
        code = solver.solve(model)
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            best = np.asarray([solver.value(s) for s in starts], np.int64)
            value = int(solver.value(finish[level_k]))
            statuses.append("OPTIMAL" if code == cp_model.OPTIMAL else "FEASIBLE")
        elif code == cp_model.UNKNOWN:  # nothing in time: the solution so far stands
            value = int(current[level_k])
            statuses.append("UNKNOWN")
        else:  # the heuristic's schedule is a solution: this is not expected
            warnings.warn(f"CP-SAT answered {solver.status_name(code)} on a model the "
                          "heuristic solved; the heuristic's schedule is kept", stacklevel=3)
            return hint, "HEURISTIC"
        model.add(finish[level_k] <= value)
    best = _compact(best, dur, in_ptr, in_src, in_dl, rptr, ridx, ru, cap, head, pin,
                    int(max(horizon, ms_hint + 1, int((best + dur).max(initial=0)) + 1)))
    if all(s == "OPTIMAL" for s in statuses):
        return best, "OPTIMAL"
    if all(s == "UNKNOWN" for s in statuses):
        return best, "HEURISTIC"
    return best, "FEASIBLE"

def _priority_keys(rules, dur, es, ls, lf, order, out_ptr, out_dst, rptr, ridx, ru, cap):
    """One row per rule: the key the schemes schedule by (least first)."""
    rows = []
    for rule in rules:
        if rule == "LFT":
            k = lf.astype(float)
        elif rule == "LST":
            k = ls.astype(float)
        elif rule == "MinSlack":
            k = (ls - es).astype(float)
        elif rule == "GRPW":
            k = dur.astype(float).copy()
            for j in range(dur.size):
                k[j] += dur[out_dst[out_ptr[j]:out_ptr[j + 1]]].sum()
            k = -k
        elif rule == "MTS":
            if dur.size <= _MTS_LIMIT:
                k = -_successor_counts(order, out_ptr, out_dst).astype(float)
            else:
                k = -np.diff(out_ptr).astype(float)
        else:  # GRD
            demand = np.zeros(dur.size)
            per = ru / np.where(cap[ridx] > 0, cap[ridx], 1.0)
            np.add.at(demand, np.repeat(np.arange(dur.size), np.diff(rptr)), per)
            k = -(dur * demand)
        rows.append(k)
    return np.asarray(rows, dtype=float).reshape(len(rows), dur.size)


# ----------------------------------------------------------------------------------------
# The levelling function
# ----------------------------------------------------------------------------------------
def level(tasks: pd.DataFrame, links: pd.DataFrame | None, resources: pd.DataFrame,
          assignments: pd.DataFrame | None, *, schedules: int = 1000, seed=None,
          method: str = "sgs", scheme: str = "both", rules=RULES, justify: bool = True,
          population: int = 24, alpha: float = 1.0, priority=None, release=None,
          fixed=None, time_limit: float = 10.0, workers: int | None = None) -> LevelResult:
    """Level the resources of a network: the shortest schedule found within capacity.

    Parameters
    ----------
    tasks : DataFrame
        ``id`` (or the index) and ``duration`` [d]; optional ``project_id``. Fractional
        durations are rounded up to whole days (with a warning).
    links : DataFrame or None
        ``pred``, ``succ``, optional ``type`` (FS, SS, FF, SF; FS when absent) and ``lag``
        [d] (negative = lead), as for :func:`~pmo_lib.schedule.cpm`.
    resources : DataFrame
        ``id`` (or the index) and ``capacity``: units available each working day. [units]
    assignments : DataFrame or None
        ``task_id``, ``resource_id``, ``units`` used each day the task runs. [units]
    schedules : int
        Budget of generated schedules (each forward or backward pass counts one). At least
        one schedule is always generated. With ``method="cpsat"``, the budget of the
        heuristic that gives CP-SAT its first solution.
    seed : int, Generator or None
        Seed of the random sampling (and of CP-SAT's search); the same seed gives the same
        schedule (for CP-SAT: with ``workers=1``, or whenever it proves the optimum, the
        same makespan).
    method : {"sgs", "cpsat"}
        :data:`METHODS`: the schedule-generation-scheme heuristics, or an exact search by
        OR-Tools CP-SAT warm-started from them (needs ``pip install "pmo-kit[cpsat]"``).
    scheme : {"serial", "parallel", "both"}
        :data:`SCHEMES`: which generation schemes the rules and the sampling use.
    rules : sequence of str
        Priority rules of the deterministic passes, from :data:`RULES`.
    justify : bool
        Apply forward–backward improvement to every schedule.
    population : int
        Size of the genetic search's population; 0 spends the whole budget on sampling.
    alpha : float
        Bias of the regret-based sampling (0 = uniform among the eligible tasks).
    priority : array-like, Series, str or None
        Priority rank of each task: one value per task row, a Series indexed by task id
        (tasks it omits have no rank) or the name of a column of ``tasks``. Lower = higher
        priority (1 = highest, as ``projects.priority``); NaN = no rank, levelled after
        every ranked task. See Notes.
    release : array-like, Series, str or None
        Earliest start of each task, as an offset from the schedule start (project start
        date, status date...): no task starts before it. Same forms as ``priority``; a
        Series may omit tasks (release 0). Fractional offsets are rounded up. [d]
    fixed : array-like, Series, str or None
        Fixed start of each task already in progress (NaN = not fixed), as an offset [d].
        A fixed task stays at that start (whatever its release and its predecessors), its
        resource use is booked before any other task's, even beyond a capacity (reported
        in :attr:`LevelResult.overallocated`, with a warning), and its successors still
        follow their links from it. Fractional offsets are rounded down.
    time_limit : float
        CP-SAT only: wall-clock limit of the exact search. [s]
    workers : int or None
        CP-SAT only: search workers (threads); None = CP-SAT's default (all cores).

    Returns
    -------
    LevelResult

    Raises
    ------
    DataValidationError
        A task needing more of a resource than its capacity (unless it is fixed), negative
        units, a negative or missing capacity, duplicate resource ids, missing assignment
        columns; a ``priority``, ``release`` or ``fixed`` value that is not a number, a
        release that is missing (NaN) or negative, a negative fixed start, a wrong number of
        values (the message names the task and its row).
    UnknownReferenceError
        An assignment to an unknown resource or task; a ``priority``, ``release`` or
        ``fixed`` Series naming an unknown task.
    MissingDataError
        ``priority``, ``release`` or ``fixed`` names a column the tasks do not have.
    MissingDependencyError
        ``method="cpsat"`` without OR-Tools installed.
    ScheduleError
        A dependency cycle, a link to an unknown task, a negative duration, an unknown
        method, scheme or rule, a budget below 1, a time limit ≤ 0 or fewer than 1 worker.

    Notes
    -----
    See the module docstring for the model and the algorithms. The search keeps the best
    schedule; a task's ``delay`` is ``start − early_start`` where ``early_start`` comes
    from the same links, releases and fixed starts without resource limits.

    *Priorities.* A task's effective rank is the best rank among itself and all its
    successors (priority inheritance: a low-priority task that a high-priority one waits
    for is levelled with it). The schemes level rank by rank: the tasks of the best
    effective rank are scheduled first, as if the others did not exist, then the next rank
    in the capacity they leave, and so on; the priority rule (or the sampled or genetic
    key) orders the tasks within a rank. So no task is ever delayed by a task of a worse
    effective rank. Schedules compare by the finish of each rank, best rank first
    (lexicographically), which with one rank is the makespan. CP-SAT minimises the same
    objective exactly, one rank after the other, each rank's finish given the better ones';
    it guarantees the finishes, not the placement: a task may wait for a worse-ranked one
    when that costs no rank's finish. With all ranks equal (or ``priority=None``) the
    results are those without priorities, schedule for schedule.

    *CP-SAT* (``method="cpsat"``): the heuristic runs first (``schedules``); when its
    makespan already meets :attr:`LevelResult.lower_bound` (one rank) it is proven
    optimal and CP-SAT is not called. Otherwise CP-SAT searches within ``time_limit``,
    warm-started from it; ``status`` tells whether the optimum was proven.

    *Fixed tasks* are not levelled (as Primavera P6 does not level started activities):
    links into a fixed task are not enforced (it has started), the links out of it are.

    Examples
    --------
    Two tasks of 3 and 2 days each need the one unit of resource ``R``: one waits for the
    other.

    >>> tasks = pd.DataFrame({"id": ["A", "B"], "duration": [3, 2]})
    >>> resources = pd.DataFrame({"id": ["R"], "capacity": [1]})
    >>> assignments = pd.DataFrame({"task_id": ["A", "B"], "resource_id": ["R", "R"],
    ...                             "units": [1, 1]})
    >>> res = level(tasks, None, resources, assignments, schedules=10, seed=1)
    >>> res.makespan, res.critical_path
    (5, 3)
    >>> res.schedule[["start", "finish", "delay", "delay_resource"]]
        start  finish  delay delay_resource
    id
    A       0       3      0           None
    B       3       5      3              R

    With B ranked first, A waits:

    >>> res = level(tasks, None, resources, assignments, schedules=10, seed=1,
    ...             priority=[2, 1])
    >>> res.schedule[["priority", "start", "finish", "delay_resource"]]
        priority  start  finish delay_resource
    id
    A          2      2       5              R
    B          1      0       2           None
    """
    if method not in METHODS:
        raise ScheduleError(f"unknown levelling method {method!r}; use one of "
                            f"{', '.join(METHODS)}")
    if scheme not in SCHEMES:
        raise ScheduleError(f"unknown scheme {scheme!r}; use one of {', '.join(SCHEMES)}")
    rules = tuple(rules)
    bad = [r for r in rules if r not in RULES]
    if bad:
        raise ScheduleError(f"unknown priority rule(s) {', '.join(map(repr, bad))}; use "
                            f"{', '.join(RULES)}")
    if int(schedules) < 1:
        raise ScheduleError(f"schedules must be at least 1, not {schedules!r}")
    if method == "cpsat":
        if not time_limit > 0:
            raise ScheduleError(f"time_limit must be a number of seconds > 0, not "
                                f"{time_limit!r}")
        if workers is not None and int(workers) < 1:
            raise ScheduleError(f"workers must be at least 1 (or None), not {workers!r}")
        cp_model = _import_cp_model()

    ids = _task_ids(tasks)
    n = len(ids)
    if "duration" not in tasks.columns:
        raise ScheduleError("tasks need a duration column (working days)")
    raw = pd.to_numeric(tasks["duration"], errors="coerce").to_numpy(float)
    _fail(_rows(~np.isfinite(raw), ids, "duration is missing or not a number")
          + _rows(raw < 0, ids, "duration is negative"))
    dur = np.ceil(raw - _EPS).astype(np.int64)
    if np.any(np.abs(dur - raw) > _EPS):
        warnings.warn("levelling works in whole days: fractional durations were rounded up",
                      stacklevel=2)
    prio = None if priority is None else _ranks(priority, tasks, ids)
    head = np.zeros(n, np.int64)
    if release is not None:
        rel, rows, column = _per_task(release, "release", tasks, ids)
        if isinstance(release, pd.Series):
            rel = np.where(np.isnan(rel) & ~_listed(release, ids), 0.0, rel)
        head = _check_offsets(rel, "release", rows, column, ids, missing_ok=False,
                              rounding=np.ceil, stacklevel=3).astype(np.int64)
    pin = np.zeros(0, np.int64)
    if fixed is not None:
        fix, rows, column = _per_task(fixed, "fixed", tasks, ids)
        fix = _check_offsets(fix, "fixed start", rows, column, ids, missing_ok=True,
                             rounding=np.floor, stacklevel=3)
        if np.isfinite(fix).any():
            pin = np.where(np.isnan(fix), -1, fix).astype(np.int64)
    running = pin >= 0 if pin.size else None

    pi, si, types, lags, grouped = _link_arrays(links, ids)
    in_ptr, in_src, in_type, in_lag, out_ptr, out_dst, out_type, out_lag = grouped
    z = np.zeros(n)
    order, count, _, _ = _forward(in_ptr, in_src, in_type, in_lag, out_ptr, out_dst,
                                  dur.astype(float), np.zeros(n, np.int64), z,
                                  np.full(n, np.nan), z, z, 0.0, False)
    if count < n:
        raise ScheduleError(_cycle_message(ids, pi, si))
    if running is not None:  # links into a fixed task do not bind: it has started
        keep = ~running[si]
        in_ptr, in_src, in_type, in_lag, out_ptr, out_dst, out_type, out_lag = _link_index(
            n, pi[keep], si[keep], types[keep], lags[keep])[:-1]
        order = _forward(in_ptr, in_src, in_type, in_lag, out_ptr, out_dst,
                         dur.astype(float), np.zeros(n, np.int64), z, np.full(n, np.nan), z,
                         z, 0.0, False)[0]
    cap, rids, rptr, ridx, ru = _resource_arrays(ids, resources, assignments, running)

    fwd_dl, bwd_dl = _deltas(in_ptr, in_src, in_type, in_lag, out_ptr, out_dst, out_type,
                             out_lag, dur)
    es, ls, cp = _cpm_pass(dur, in_ptr, in_src, fwd_dl, out_ptr, out_dst, order, head, pin)
    lf = ls + dur
    keys = _priority_keys(rules, dur, es, ls, lf, order, out_ptr, out_dst, rptr, ridx, ru,
                          cap)
    if prio is None:
        lvl, nlev = np.zeros(n, np.int64), 1
    else:
        eff = _inherit(order, out_ptr, out_dst, np.where(np.isnan(prio), np.inf, prio))
        levels, lvl = np.unique(eff, return_inverse=True)
        lvl, nlev = lvl.astype(np.int64).ravel(), max(len(levels), 1)
    # Days a schedule can reach: each task starts by the makespan so far (from the latest
    # release or fixed finish on) or, through a link, by the makespan plus the lag beyond its
    # predecessor's finish (forward and mirrored; a mirrored pass also books the fixed tasks
    # at up to the forward makespan).
    in_pred_dur = dur[in_src]
    out_succ_dur = dur[out_dst]
    first = max(int(head.max(initial=0)),
                int((pin + dur)[pin >= 0].max(initial=0)) if pin.size else 0)
    horizon = int(dur.sum() + np.maximum(fwd_dl - in_pred_dur, 0).sum()
                  + np.maximum(bwd_dl - out_succ_dur, 0).sum() + 2) + first
    if pin.size:
        horizon += int(dur.sum())
    schemes = {"serial": [0], "parallel": [1], "both": [0, 1]}[scheme]
    rng = np.random.default_rng(seed)
    start, makespan, used = _search(
        dur, in_ptr, in_src, fwd_dl, out_ptr, out_dst, bwd_dl, rptr, ridx, ru, cap, horizon,
        keys, lf.astype(float), np.asarray(schemes, np.int64), int(schedules), float(alpha),
        bool(justify), int(population), _SAMPLING_SHARE, _FBI_PASSES, _MUTATION_RATE,
        _MUTATION_SPAN,
        int(rng.integers(1, 2**63 - 1)), lvl, nlev, head, pin)
    if n == 0:
        makespan = 0

    work = np.zeros(cap.size)
    per_task = np.repeat(dur, np.diff(rptr))
    moving = np.ones(ridx.size, bool) if running is None else \
        ~np.repeat(running, np.diff(rptr))
    np.add.at(work, ridx[moving], (ru * per_task)[moving])
    overallocated = None
    if running is not None:  # what the fixed tasks use, up to each capacity, is used up
        use = _load(np.where(running, pin, 0), np.where(running, dur, 0), rptr, ridx, ru,
                    cap.size, max(first, 1))
        work += np.minimum(use, cap[:, None]).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        need = np.where(cap > 0, np.ceil(work / np.where(cap > 0, cap, 1.0) - _EPS), 0)
    rbound = int(need.max(initial=0))
    lower = max(int(cp), rbound)

    status, optimal = ("OPTIMAL", True) if nlev == 1 and makespan <= lower else \
        ("HEURISTIC", False)
    if method == "cpsat" and n and not optimal:
        start, status = _cpsat(cp_model, dur, in_ptr, in_src, fwd_dl, rptr, ridx, ru, cap,
                               rids, lvl, nlev, head, pin, start, horizon, lower,
                               float(time_limit), workers, rng)
        optimal = status == "OPTIMAL"
        makespan = int((start + dur).max(initial=0))

    if running is not None:
        use = _load(start, dur, rptr, ridx, ru, cap.size, max(makespan, 1))
        overallocated = _overallocated(use, cap, rids, ids, start, dur, rptr, ridx)
        if len(overallocated):
            names = ", ".join(dict.fromkeys(overallocated["resource_id"].astype(str)))
            warnings.warn(f"fixed (in-progress) tasks alone use more than the capacity of "
                          f"{names} on some days: they are booked as they are and the result "
                          "is not levelled there (see LevelResult.overallocated)",
                          stacklevel=2)
    res_i, src_i = _why(start, dur, order, in_ptr, in_src, fwd_dl, rptr, ridx, ru, cap,
                        horizon, es, head)

    rid_arr = np.asarray(rids, dtype=object)
    id_arr = np.asarray(ids, dtype=object)
    out = pd.DataFrame(index=ids)
    if "project_id" in tasks.columns:
        out["project_id"] = _strings(tasks["project_id"])
    if prio is not None:
        whole = np.isfinite(prio).all() and np.all(prio == np.round(prio))
        out["priority"] = prio.astype(np.int64) if whole else prio
    out["duration"] = dur
    out["early_start"] = es
    out["start"] = start
    out["finish"] = start + dur
    out["delay"] = start - es
    out["delay_resource"] = pd.Series([rid_arr[r] if r >= 0 else None for r in res_i],
                                      index=ids, dtype=object)
    out["delay_source"] = pd.Series([id_arr[i] if i >= 0 else None for i in src_i],
                                    index=ids, dtype=object)
    projects = None
    if "project_id" in out.columns:
        by = out.groupby("project_id")
        projects = pd.DataFrame({"cpm_finish": (out["early_start"] + out["duration"])
                                 .groupby(out["project_id"]).max(),
                                 "finish": by["finish"].max()})
        projects["finish_change"] = projects["finish"] - projects["cpm_finish"]
        if prio is not None:
            projects["priority"] = by["priority"].min()
    return LevelResult(schedule=out, makespan=int(makespan), critical_path=int(cp),
                       resource_bound=rbound, schedules=int(used), projects=projects,
                       method=method, optimal=bool(optimal), status=status,
                       overallocated=overallocated)


def _listed(series: pd.Series, ids: pd.Index) -> np.ndarray:
    """Which tasks a Series indexed by task id lists."""
    return np.isin(np.asarray(ids, dtype=object),
                   pd.Index(_strings(series.index), dtype=object))
