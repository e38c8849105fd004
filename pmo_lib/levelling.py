"""Resource levelling: resource-constrained project scheduling (RCPSP) heuristics.

:func:`level` moves tasks later, as little as it can, so that no resource is used beyond its
capacity on any working day, while every link (FS, SS, FF, SF with lags) still holds. It
returns a :class:`LevelResult`: each task's levelled start and finish, its delay against the
unconstrained CPM early start and, for each delayed task, the resource whose conflict
delayed it (the "why"). :func:`read_psplib` reads the PSPLIB benchmark instances (``.sm``)
into the kit's tables.

Model
-----
Time is in whole working days (offsets from the schedule start, as in
:mod:`~pmo_lib.schedule`). A task of duration ``d`` started at ``s`` works on days
``s .. s + d - 1`` and uses ``units`` of each assigned resource on each of them (renewable
resources, constant use while the task runs); a resource's ``capacity`` is the units it has
on every day. Every link ``p → s`` of type FS, SS, FF or SF with lag ``L`` becomes a minimum
time lag between the starts, ``S_s ≥ S_p + δ`` with FS ``δ = d_p + L``, SS ``δ = L``,
FF ``δ = d_p + L − d_s``, SF ``δ = L − d_s`` (the CPM bounds of :mod:`~pmo_lib.schedule`);
no task starts before offset 0.

Algorithms
----------
*Schedule generation schemes* (Kolisch 1996). The serial scheme takes the tasks one at a time,
always an *eligible* one (all its predecessors scheduled), and starts it at the earliest day
its links and the resources allow. The parallel scheme walks through time and, at each
decision time, starts eligible tasks that fit, in priority order.

*Priority rules* (:data:`RULES`, Kolisch 1996; Kolisch & Hartmann 1999): ``LFT`` latest
finish, ``LST`` latest start, ``MinSlack`` least total float, ``GRPW`` greatest rank
positional weight (own duration plus the durations of the direct successors), ``MTS`` most
total successors, ``GRD`` greatest resource demand. Each rule gives one schedule per scheme.

*Regret-based biased random sampling* (Kolisch & Drexl 1996): the next task is drawn among
the eligible ones with probability proportional to ``(ρ_j + 1)^α``, where the regret ``ρ_j``
is how much better its LFT is than the worst eligible one's. Many passes (multi-pass
sampling) explore around the LFT rule.

*Forward–backward improvement* (justification; Valls, Ballestín & Quintanilla 2005, Tormos
& Lova 2001): the schedule is scheduled backwards (tasks by decreasing finish, each as late
as possible) and then forwards again (by increasing start, each as early as possible),
which never lengthens it and often shortens it. Every generated schedule gets one such
backward–forward pair.

*Genetic search* (Hartmann 1998, with justification as in Valls, Ballestín & Quintanilla
2008): after the rules and a tenth of the budget of sampling, a population of the best
distinct justified schedules (``population``) is recombined (parents by binary tournament,
two-point crossover of the task lists ordered by start) and mutated (a few tasks moved in the
list), each child decoded by the serial scheme (which keeps it precedence-feasible),
justified, and kept in place of the worst member when it is no longer.

Every schedule generation pass (forward or backward) counts against the ``schedules``
budget, as in the comparisons of Kolisch & Hartmann (2006); the last pass of the budget
left-shifts the best schedule (a serial pass in order of its starts), so every task of the
result starts as early as its links and the resources allow given the tasks before it.

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
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numba
import numpy as np
import pandas as pd

from .errors import DataValidationError, Problem, ScheduleError, UnknownReferenceError
from .schedule import (
    _cycle_message,
    _fail,
    _forward,
    _link_arrays,
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

#: Levelling methods: ``"sgs"``, the schedule-generation-scheme heuristics of this module.
METHODS = ("sgs",)
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


@numba.njit(cache=True)
def _pick(cand, nc, key, biased, alpha, state):  # pragma: no cover - compiled
    """Position in ``cand[:nc]`` of the task to schedule: the least key (ties: lowest
    index) or, biased, a draw with weights ``(max key − key + 1)^alpha`` (regret-based)."""
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


@numba.njit(cache=True)
def _serial(dur, in_ptr, in_src, in_dl, out_ptr, out_dst, rptr, ridx, ru, cap, use, key,
            biased, alpha, start, state):  # pragma: no cover - compiled
    """Serial schedule generation scheme; writes ``start`` and returns the makespan. The
    profile ``use`` must be all zero on entry and is cleared again on exit."""
    n = dur.size
    indeg = np.empty(n, np.int64)
    elig = np.empty(n, np.int64)
    ne = _sources(in_ptr, indeg, elig)
    makespan = 0
    for _ in range(n):
        b = _pick(elig, ne, key, biased, alpha, state)
        j = elig[b]
        ne -= 1
        elig[b] = elig[ne]
        p = 0
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
            if indeg[s] == 0:
                elig[ne] = s
                ne += 1
    use[:, :makespan] = 0.0
    return makespan


@numba.njit(cache=True)
def _parallel(dur, in_ptr, in_src, in_dl, out_ptr, out_dst, rptr, ridx, ru, cap, use, key,
              biased, alpha, start, state):  # pragma: no cover - compiled
    """Parallel schedule generation scheme; as :func:`_serial`."""
    n = dur.size
    indeg = np.empty(n, np.int64)
    avail = np.empty(n, np.int64)
    cand = np.empty(n, np.int64)
    es = np.zeros(n, np.int64)
    na = _sources(in_ptr, indeg, avail)
    done = 0
    t = 0
    makespan = 0
    finish = np.empty(n, np.int64)  # finish times of the scheduled tasks
    while done < n:
        while True:
            nc = 0
            for e in range(na):
                j = avail[e]
                if es[j] <= t and _fits(j, t, dur, rptr, ridx, ru, cap, use):
                    cand[nc] = j
                    nc += 1
            if nc == 0:
                break
            j = cand[_pick(cand, nc, key, biased, alpha, state)]
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
                if indeg[s] == 0:
                    p = 0
                    for q in range(in_ptr[s], in_ptr[s + 1]):
                        b = start[in_src[q]] + in_dl[q]
                        if b > p:
                            p = b
                    es[s] = p
                    avail[na] = s
                    na += 1
        if done == n:
            break
        nt = np.iinfo(np.int64).max
        for e in range(done):
            if t < finish[e] < nt:
                nt = finish[e]
        for e in range(na):
            if t < es[avail[e]] < nt:
                nt = es[avail[e]]
        t = nt
    use[:, :makespan] = 0.0
    return makespan


@numba.njit(cache=True)
def _justify(dur, in_ptr, in_src, in_dl, out_ptr, out_dst, bwd_dl, rptr, ridx, ru, cap, use,
             start, makespan, budget, state):  # pragma: no cover - compiled
    """Forward–backward improvement of the schedule ``start`` (updated in place), repeated
    while it shortens it and ``budget`` passes last. Returns (makespan, passes used)."""
    n = dur.size
    key = np.empty(n)
    mirror = np.empty(n, np.int64)
    fwd = np.empty(n, np.int64)
    used = 0
    while used + 2 <= budget:
        for i in range(n):  # backward: by decreasing finish, each as late as possible
            key[i] = makespan - start[i] - dur[i]
        mb = _serial(dur, out_ptr, out_dst, bwd_dl, in_ptr, in_src, rptr, ridx, ru, cap, use,
                     key, False, 1.0, mirror, state)
        for i in range(n):  # forward: by increasing start, each as early as possible
            key[i] = mb - mirror[i] - dur[i]
        mf = _serial(dur, in_ptr, in_src, in_dl, out_ptr, out_dst, rptr, ridx, ru, cap, use,
                     key, False, 1.0, fwd, state)
        used += 2
        if mf < makespan:
            makespan = mf
            start[:] = fwd
        else:
            if mf == makespan:
                start[:] = fwd  # equally short and left-justified
            break
    return makespan, used


@numba.njit(cache=True)
def _order_by_start(start, dur, in_ptr, in_src, out_ptr, out_dst):  # pragma: no cover
    """The tasks as a precedence-feasible list ordered by start (ties: lower index)."""
    n = start.size
    state = np.ones(1, np.uint64)
    key = start.astype(np.float64)
    indeg = np.empty(n, np.int64)
    elig = np.empty(n, np.int64)
    out = np.empty(n, np.int64)
    ne = _sources(in_ptr, indeg, elig)
    for r in range(n):
        b = _pick(elig, ne, key, False, 1.0, state)
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
            fbi_passes, mutation_rate, mutation_span, seed):  # pragma: no cover - compiled
    """The whole heuristic: priority rules, then regret-based sampling, then a genetic
    search, every schedule justified. Returns (best start, best makespan, schedules used)."""
    state = np.array([seed], np.uint64)
    n = dur.size
    use = np.zeros((cap.size, horizon), np.float64)
    start = np.zeros(n, np.int64)
    best = np.zeros(n, np.int64)
    best_ms = np.iinfo(np.int64).max
    count = 0
    pop_n = max(population, 2)
    pop = np.zeros((pop_n, n), np.int64)  # task lists of the best schedules found
    pop_ms = np.full(pop_n, np.iinfo(np.int64).max)
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
        if phase == 1 and count >= sampling and population > 0 and pop_ms[pop_n - 1] < \
                np.iinfo(np.int64).max:
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
                             cap, use, key, biased, alpha, start, state)
            else:
                ms = _parallel(dur, in_ptr, in_src, in_dl, out_ptr, out_dst, rptr, ridx, ru,
                               cap, use, key, biased, alpha, start, state)
        else:
            filled = pop_n  # the genetic phase starts with a full population
            # Two parents by binary tournament, two-point crossover of the lists, mutation.
            a = int(_rand(state) * filled)
            b = int(_rand(state) * filled)
            mother = a if pop_ms[a] <= pop_ms[b] else b
            a = int(_rand(state) * filled)
            b = int(_rand(state) * filled)
            father = a if pop_ms[a] <= pop_ms[b] else b
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
            ms = _serial(dur, in_ptr, in_src, in_dl, out_ptr, out_dst, rptr, ridx, ru, cap,
                         use, fkey, False, 1.0, start, state)
        count += 1
        it += 1
        if justify:
            ms, used = _justify(dur, in_ptr, in_src, in_dl, out_ptr, out_dst, bwd_dl, rptr,
                                ridx, ru, cap, use, start, ms, min(budget - count, fbi_passes), state)
            count += used
        if ms < best_ms:
            best_ms = ms
            best[:] = start
        if population > 0 and ms <= pop_ms[pop_n - 1]:
            # Insert into the population (sorted by makespan) unless an equal schedule is in.
            order = _order_by_start(start, dur, in_ptr, in_src, out_ptr, out_dst)
            same = False
            for e in range(pop_n):
                if pop_ms[e] == ms:
                    same = True
                    for i in range(n):
                        if pop[e, i] != order[i]:
                            same = False
                            break
                    if same:
                        break
            if not same:
                e = pop_n - 1
                while e > 0 and pop_ms[e - 1] > ms:
                    pop_ms[e] = pop_ms[e - 1]
                    pop[e] = pop[e - 1]
                    e -= 1
                pop_ms[e] = ms
                pop[e] = order
    if count < total:  # left shift: the best schedule as a serial pass ordered by start
        key = best.astype(np.float64)
        ms = _serial(dur, in_ptr, in_src, in_dl, out_ptr, out_dst, rptr, ridx, ru, cap, use,
                     key, False, 1.0, start, state)
        count += 1
        if ms <= best_ms:
            best_ms = ms
            best[:] = start
    return best, best_ms, count


@numba.njit(cache=True)
def _cpm_pass(dur, in_ptr, in_src, in_dl, out_ptr, out_dst, order):  # pragma: no cover
    """Early starts (from 0) and late starts (against the early makespan) in whole days."""
    n = dur.size
    es = np.zeros(n, np.int64)
    for r in range(n):
        j = order[r]
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
         es):  # pragma: no cover - compiled
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
        p = 0
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
        have one), ``duration`` [d, whole days], ``early_start`` (unconstrained CPM) [d],
        ``start``, ``finish`` (levelled offsets; finish exclusive) [d], ``delay``
        (``start − early_start``) [d], ``delay_resource`` (the resource whose conflict
        delayed the task, or None) and ``delay_source`` (the task that met the conflict:
        itself, or the upstream task whose delay pushes it through the links; None when not
        delayed).
    makespan : int
        Levelled project length: the latest finish. [d]
    critical_path : int
        The unconstrained CPM length, a lower bound on the makespan. [d]
    resource_bound : int
        ``max_r ⌈Σ_j d_j·u_jr / capacity_r⌉``, another lower bound. [d]
    schedules : int
        Schedule generation passes used (each forward or backward pass counts one).
    projects : DataFrame or None
        With a ``project_id`` column: per project (index ``project_id``) ``cpm_finish``,
        ``finish`` (levelled) and ``finish_change`` [d].
    """

    schedule: pd.DataFrame = field(repr=False)
    makespan: int
    critical_path: int
    resource_bound: int
    schedules: int
    projects: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def lower_bound(self) -> int:
        """The larger of the critical-path and resource lower bounds. [d]"""
        return max(self.critical_path, self.resource_bound)

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
def _resource_arrays(ids: pd.Index, resources: pd.DataFrame, assignments: pd.DataFrame | None):
    """Capacities and, per task, its (resource, units) pairs as CSR arrays."""
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
    over = np.flatnonzero(u > cap[r_idx] + _EPS)
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
          population: int = 24, alpha: float = 1.0) -> LevelResult:
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
        one schedule is always generated.
    seed : int, Generator or None
        Seed of the random sampling; the same seed gives the same schedule.
    method : {"sgs"}
        :data:`METHODS`: the schedule-generation-scheme heuristics.
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

    Returns
    -------
    LevelResult

    Raises
    ------
    DataValidationError
        A task needing more of a resource than its capacity, negative units, a negative or
        missing capacity, duplicate resource ids, missing assignment columns.
    UnknownReferenceError
        An assignment to an unknown resource or task.
    ScheduleError
        A dependency cycle, a link to an unknown task, a negative duration, an unknown
        method, scheme or rule, a budget below 1.

    Notes
    -----
    See the module docstring for the model and the algorithms. The search keeps the
    shortest schedule; a task's ``delay`` is ``start − early_start`` where ``early_start``
    comes from the same links without resource limits.

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
    pi, si, _, _, grouped = _link_arrays(links, ids)
    in_ptr, in_src, in_type, in_lag, out_ptr, out_dst, out_type, out_lag = grouped
    z = np.zeros(n)
    order, count, _, _ = _forward(in_ptr, in_src, in_type, in_lag, out_ptr, out_dst,
                                  dur.astype(float), np.zeros(n, np.int64), z,
                                  np.full(n, np.nan), z, z, 0.0, False)
    if count < n:
        raise ScheduleError(_cycle_message(ids, pi, si))
    cap, rids, rptr, ridx, ru = _resource_arrays(ids, resources, assignments)

    fwd_dl, bwd_dl = _deltas(in_ptr, in_src, in_type, in_lag, out_ptr, out_dst, out_type,
                             out_lag, dur)
    es, ls, cp = _cpm_pass(dur, in_ptr, in_src, fwd_dl, out_ptr, out_dst, order)
    lf = ls + dur
    keys = _priority_keys(rules, dur, es, ls, lf, order, out_ptr, out_dst, rptr, ridx, ru,
                          cap)
    # Days a schedule can reach: each task starts by the makespan so far or, through a link,
    # by the makespan plus the lag beyond its predecessor's finish (forward and mirrored).
    in_pred_dur = dur[in_src]
    out_succ_dur = dur[out_dst]
    horizon = int(dur.sum() + np.maximum(fwd_dl - in_pred_dur, 0).sum()
                  + np.maximum(bwd_dl - out_succ_dur, 0).sum() + 2)
    schemes = {"serial": [0], "parallel": [1], "both": [0, 1]}[scheme]
    rng = np.random.default_rng(seed)
    start, makespan, used = _search(
        dur, in_ptr, in_src, fwd_dl, out_ptr, out_dst, bwd_dl, rptr, ridx, ru, cap, horizon,
        keys, lf.astype(float), np.asarray(schemes, np.int64), int(schedules), float(alpha),
        bool(justify), int(population), _SAMPLING_SHARE, _FBI_PASSES, _MUTATION_RATE,
        _MUTATION_SPAN,
        int(rng.integers(1, 2**63 - 1)))
    if n == 0:
        makespan = 0
    res_i, src_i = _why(start, dur, order, in_ptr, in_src, fwd_dl, rptr, ridx, ru, cap,
                        horizon, es)

    work = np.zeros(cap.size)
    np.add.at(work, ridx, ru * np.repeat(dur, np.diff(rptr)))
    with np.errstate(divide="ignore", invalid="ignore"):
        need = np.where(cap > 0, np.ceil(work / np.where(cap > 0, cap, 1.0) - _EPS), 0)
    rbound = int(need.max(initial=0))

    rid_arr = np.asarray(rids, dtype=object)
    id_arr = np.asarray(ids, dtype=object)
    out = pd.DataFrame(index=ids)
    if "project_id" in tasks.columns:
        out["project_id"] = _strings(tasks["project_id"])
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
    return LevelResult(schedule=out, makespan=int(makespan), critical_path=int(cp),
                       resource_bound=rbound, schedules=int(used), projects=projects)
