"""Monte Carlo schedule and cost risk analysis on the CPM network.

:func:`simulate` draws every task's duration from its three-point estimate, adds the delays and
costs of the risk events that occur, and schedules the network once per iteration with the
link semantics of :func:`pmo_lib.schedule.cpm` (FS, SS, FF and SF links with lags, in
working-day offsets; SNET/FNET/MSO/MFO/SNLT/FNLT constraints; each project's finish). All the
iterations of a chunk run in one compiled kernel, in parallel (``numba.prange``), with no
Python loop per iteration. The answer is a :class:`SimulationResult`: the simulated finish
and cost of every iteration, their percentiles (P10, P50, P80, P90), the probability of a date,
a budget or both (the joint confidence level, JCL), and per task the criticality index, the
Spearman sensitivity and the cruciality.

Sampling
--------
Each task has a minimum ``a``, most likely ``m`` and maximum ``b`` (columns
``duration_min``, ``duration``, ``duration_max``) and a distribution (:data:`DISTRIBUTIONS`):

* ``"triangular"``: mean ``(a + m + b) / 3``;
* ``"betapert"``: ``a + (b − a) · Beta(α, β)`` with ``α = 1 + 4 (m − a)/(b − a)``,
  ``β = 1 + 4 (b − m)/(b − a)``: mean ``(a + 4m + b) / 6`` (the PERT estimate);
* ``"uniform"``: mean ``(a + b) / 2`` (``m`` is not used).

A task without ``duration_min`` and ``duration_max`` takes ``default_range`` (factors of its
most likely duration), or keeps its duration when there is none. Every duration is drawn by
the inverse distribution function of a uniform number (the BetaPERT one from a table of the
Beta quantiles, accurate to about 1e-4 of the range), so correlation can act on the uniforms.

Correlation
-----------
``correlation`` gives the *rank* (Spearman) correlation between task durations. It is
applied with a Gaussian copula: correlated standard normals ``z = ε Lᵀ`` (``L Lᵀ = R``) turn
into uniforms ``Φ(z)`` before the inverse distribution functions. For a Gaussian copula
Spearman's ``ρ_S = (6/π) arcsin(ρ/2)``, so the normals use ``ρ = 2 sin(π ρ_S / 6)`` and the
durations achieve the requested rank correlation whatever their distributions. (Iman and
Conover's reordering would hit the requested ranks exactly in each sample, but it reorders
whole samples, so its draws would depend on the chunk size.) A matrix that
is asymmetric, has a diagonal other than 1, values outside [−1, 1] or unknown task IDs is
rejected (:class:`~pmo_lib.errors.DataValidationError`). A matrix that is consistent but not
positive semi-definite (e.g. A~B 0.9, B~C 0.9, A~C −0.9: no three quantities correlate so) is
repaired with ``psd="repair"`` (the default): it is replaced by the nearest correlation matrix
(Higham's alternating projections) and a ``UserWarning`` says by how much it changed; with
``psd="raise"`` it is rejected. ``risk_correlation`` does the same for risk occurrences.

Risk events
-----------
``risks`` holds register rows: ``id``, ``probability``, ``schedule_impact`` [d],
``cost_impact`` and ``affected_tasks`` (IDs separated by ``;``, or a list). Optional
``schedule_impact_min``/``schedule_impact_max``, ``cost_impact_min``/``cost_impact_max`` and
``impact_distribution`` turn an impact into a three-point distribution (the one uniform draw
serves both impacts of a risk: a longer delay comes with a higher cost); optional
``exclusive_group``: risks sharing a label are mutually exclusive (at most one occurs per
iteration; their probabilities must add up to at most 1). In each iteration a risk occurs
with its probability; when it does:

* its delay is **added to the duration of each task it affects** (the usual mapping of a risk
  to activities in schedule risk tools: a delay on two tasks in series delays the chain twice;
  list one task to delay the chain once); it also costs those tasks' rate for the extra days;
  a risk without affected tasks delays the network's finish directly;
* its cost impact is added to the iteration's cost.

Cost
----
``cost = Σ fixed_cost + Σ rate × simulated duration + Σ cost impacts of the risks that
occurred`` per iteration: column ``fixed_cost`` [cur] and ``rates`` [cur/d] (e.g. a task's
budget spread per day, ``budget / duration``, makes its cost grow with its duration).

Chunks and seeds
----------------
Iterations run in chunks of ``chunk`` (by default so that a chunk's uniforms take about
32 MB), so memory grows with ``iterations × tasks`` only through the kept durations (float32,
4 bytes each; ``keep_durations=False`` drops them and the sensitivity with them). Random
numbers come from independent streams spawned from ``np.random.default_rng(seed)`` (task
uniforms, correlated normals, risk occurrence, risk correlation, risk impacts), each drawn
row by row: **the same seed gives the same arrays whatever the chunk size**.

Measures
--------
* criticality index of a task: the share of iterations in which it is critical (total float
  ``≤ critical_float``, from a backward pass with each project's simulated finish);
* sensitivity: Spearman's rank correlation between the task's simulated duration and the
  network's finish (0 for a task whose duration never varies);
* cruciality: ``criticality × |sensitivity|`` (Williams 1992: a task matters when it is
  often critical *and* its variation moves the finish).

References
----------
R. L. Iman & W. J. Conover, "A distribution-free approach to inducing rank correlation among
input variables", *Communications in Statistics B* 11(3), 1982. N. J. Higham, "Computing the
nearest correlation matrix", *IMA Journal of Numerical Analysis* 22, 2002. T. Williams,
"Criticality in stochastic networks", *Journal of the Operational Research Society* 43(4),
1992. D. T. Hulett, *Practical Schedule Risk Analysis*, Gower, 2009 (merge bias, JCL).
AACE International Recommended Practice 57R-09, *Integrated Cost and Schedule Risk Analysis
using Monte Carlo Simulation of a CPM Model*, 2011. PMI, *Practice Standard for Project
Risk Management*, 2009.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property

import numba
import numpy as np
import pandas as pd

from . import schedule as _schedule
from .calendar import WorkCalendar
from .errors import DataValidationError, Problem, UnknownReferenceError
from .model import CONSTRAINT_TYPES, DISTRIBUTIONS  # the shapes of the estimates table

__all__ = [
    "DISTRIBUTIONS",
    "PSD_MODES",
    "SimulationResult",
    "budget_rates",
    "simulate",
    "three_point_mean",
]

#: What to do with a correlation matrix that is not positive semi-definite.
PSD_MODES = ("repair", "raise")

_FIXED, _TRI, _PERT, _UNIFORM = range(4)
_CODES = {"triangular": _TRI, "betapert": _PERT, "uniform": _UNIFORM}
_EPS = 1e-9
_PERT_SHAPES = 201     # tabulated BetaPERT shapes (mode position 0, 0.005, ..., 1)
_PERT_LEVELS = 4097    # tabulated probability levels per shape
_CHUNK_BYTES = 32 * 2**20  # uniforms per chunk: about 32 MB


# ----------------------------------------------------------------------------------------
# Compiled kernels
# ----------------------------------------------------------------------------------------
@numba.njit(cache=True, inline="always")
def _quantile(code, u, a, m, b, row, weight, table):  # pragma: no cover - compiled
    """Inverse distribution function of a three-point estimate at ``u`` in [0, 1)."""
    if code == 0:
        return m
    if code == 1:  # triangular
        span = b - a
        if u * span < m - a:
            return a + math.sqrt(u * span * (m - a))
        return b - math.sqrt((1.0 - u) * span * (b - m))
    if code == 3:  # uniform
        return a + u * (b - a)
    levels = table.shape[1]  # betapert: bilinear in (mode position, probability)
    x = u * (levels - 1)
    k = int(x)
    if k > levels - 2:
        k = levels - 2
    f = x - k
    lo = table[row, k] + f * (table[row, k + 1] - table[row, k])
    hi = table[row + 1, k] + f * (table[row + 1, k + 1] - table[row + 1, k])
    return a + (b - a) * (lo + weight * (hi - lo))


@numba.njit(cache=True, parallel=True)
def _quantiles(u, code, a, m, b, row, weight, table):  # pragma: no cover - compiled
    """:func:`_quantile` of every column ``j`` of ``u`` with the estimate ``j``."""
    out = np.empty(u.shape)
    for k in numba.prange(u.shape[0]):
        for j in range(u.shape[1]):
            out[k, j] = _quantile(code[j], u[k, j], a[j], m[j], b[j], row[j], weight[j],
                                  table)
    return out


@numba.njit(cache=True, parallel=True)
def _copula(eps, factor):  # pragma: no cover - compiled
    """Uniforms ``Φ(ε Lᵀ)`` of independent standard normals ``ε`` (iterations × k): each
    row summed in a fixed order, so a row's result does not depend on the chunk size (as a
    BLAS product's may)."""
    c, k = eps.shape
    out = np.empty((c, k))
    for i in numba.prange(c):
        for j in range(k):
            z = 0.0
            for q in range(k):
                z += eps[i, q] * factor[j, q]
            out[i, j] = 0.5 * math.erfc(-z / math.sqrt(2.0))
    return out


def _row_sums(x: np.ndarray) -> np.ndarray:
    """Sum of each row, column by column (the same order whatever the number of rows)."""
    out = np.zeros(x.shape[0])
    for j in range(x.shape[1]):
        out += x[:, j]
    return out


@numba.njit(cache=True, parallel=True)
def _run_chunk(u, code, lo, ml, hi, row, weight, table, order, in_ptr, in_src, in_type,
               in_lag, out_ptr, out_dst, out_type, out_lag, lower_s, lower_f, forced_s,
               forced_f, upper_s, upper_f, alap, any_alap, proj, n_proj, risk_ptr, risk_task, delay, rate,
               critical_float, finish, cost, critical, durations,
               keep, proj_finish, proj_cost):  # pragma: no cover - compiled
    """Forward and backward CPM passes of every iteration of a chunk, in parallel.

    Per iteration ``k``: durations from the uniforms ``u[k]`` plus the delays of the risks
    that occurred, the forward pass in topological ``order`` (the formulas of
    :func:`pmo_lib.schedule._one_bound`), each project's finish, the backward pass (late
    finish from the successors, capped by the project's finish), and writes the network's
    finish, the time-dependent cost, which tasks are critical and (``keep``) the durations,
    and each project's finish and time-dependent cost (``proj_finish``, ``proj_cost``, which
    must start at 0).
    As-late-as-possible tasks move by their free float before the backward pass, as in
    :func:`pmo_lib.schedule.cpm`.
    """
    c, n = u.shape
    n_risks = delay.shape[1]
    for k in numba.prange(c):
        d = np.empty(n)
        es = np.empty(n)
        ef = np.empty(n)
        lf = np.empty(n)
        ls = np.empty(n)
        pf = np.full(n_proj, -np.inf)
        for i in range(n):
            d[i] = _quantile(code[i], u[k, i], lo[i], ml[i], hi[i], row[i], weight[i], table)
        for r in range(n_risks):
            late = delay[k, r]
            if late != 0.0:
                for q in range(risk_ptr[r], risk_ptr[r + 1]):
                    d[risk_task[q]] += late
        for r in range(n):
            i = order[r]
            di = d[i]
            if not np.isnan(forced_s[i]):
                s = forced_s[i]
            elif not np.isnan(forced_f[i]):
                s = forced_f[i] - di
            else:
                s = lower_s[i]
                b = lower_f[i] - di
                if b > s:
                    s = b
                for q in range(in_ptr[i], in_ptr[i + 1]):
                    p = in_src[q]
                    t = in_type[q]
                    if t == 0:
                        b = ef[p] + in_lag[q]
                    elif t == 1:
                        b = es[p] + in_lag[q]
                    elif t == 2:
                        b = ef[p] + in_lag[q] - di
                    else:
                        b = es[p] + in_lag[q] - di
                    if b > s:
                        s = b
            es[i] = s
            ef[i] = s + di
            if ef[i] > pf[proj[i]]:
                pf[proj[i]] = ef[i]
        top = -np.inf
        for g in range(n_proj):
            proj_finish[k, g] = pf[g]
            if pf[g] > top:
                top = pf[g]
        finish[k] = top if n > 0 else 0.0
        if any_alap:  # as late as possible: moved by their free float (schedule._alap)
            for r in range(n - 1, -1, -1):
                i = order[r]
                if not alap[i]:
                    continue
                room = pf[proj[i]] - ef[i]
                for q in range(out_ptr[i], out_ptr[i + 1]):
                    j = out_dst[q]
                    sl = _schedule._one_slack(out_type[q], out_lag[q], es[i], ef[i],
                                              es[j], ef[j])
                    if sl < room:
                        room = sl
                if room > 0:
                    es[i] += room
                    ef[i] += room
        spent = 0.0
        for r in range(n - 1, -1, -1):
            i = order[r]
            di = d[i]
            late = pf[proj[i]]
            if upper_f[i] < late:
                late = upper_f[i]
            if upper_s[i] + di < late:
                late = upper_s[i] + di
            for q in range(out_ptr[i], out_ptr[i + 1]):
                j = out_dst[q]
                t = out_type[q]
                if t == 0:
                    b = ls[j] - out_lag[q]
                elif t == 1:
                    b = ls[j] - out_lag[q] + di
                elif t == 2:
                    b = lf[j] - out_lag[q]
                else:
                    b = lf[j] - out_lag[q] + di
                if b < late:
                    late = b
            if not np.isnan(forced_s[i]):
                late = forced_s[i] + di
            elif not np.isnan(forced_f[i]):
                late = forced_f[i]
            lf[i] = late
            ls[i] = late - di
            critical[k, i] = late - ef[i] <= critical_float + 1e-9
            spent += rate[i] * di
            proj_cost[k, proj[i]] += rate[i] * di
            if keep:
                durations[k, i] = di
        cost[k] = spent


@numba.njit(cache=True, inline="always")
def _average_ranks(x, order, out):  # pragma: no cover - compiled
    """Ranks 1..n of ``x`` (ties get their average rank) given ``order = argsort(x)``."""
    n = x.size
    i = 0
    while i < n:
        j = i
        while j + 1 < n and x[order[j + 1]] == x[order[i]]:
            j += 1
        r = 0.5 * (i + j) + 1.0
        for q in range(i, j + 1):
            out[order[q]] = r
        i = j + 1


@numba.njit(cache=True, parallel=True)
def _spearman_columns(block, centred_rank):  # pragma: no cover - compiled
    """Spearman correlation of each row of ``block`` (task × iteration) with the finish,
    given the finish's centred ranks; 0 for a row without variation."""
    n_rows, n = block.shape
    out = np.zeros(n_rows)
    mean = 0.5 * (n + 1.0)
    ss_f = 0.0
    for k in range(n):
        ss_f += centred_rank[k] * centred_rank[k]
    for i in numba.prange(n_rows):
        x = block[i]
        ranks = np.empty(n)
        _average_ranks(x, np.argsort(x), ranks)
        num = 0.0
        ss = 0.0
        for k in range(n):
            dx = ranks[k] - mean
            num += dx * centred_rank[k]
            ss += dx * dx
        if ss > 0.0 and ss_f > 0.0:
            out[i] = num / math.sqrt(ss * ss_f)
    return out


def _ranks(x: np.ndarray) -> np.ndarray:
    x = np.ascontiguousarray(x, dtype=float)
    out = np.empty(x.size)
    _average_ranks(x, np.argsort(x, kind="stable"), out)
    return out



# ----------------------------------------------------------------------------------------
# BetaPERT quantile table
# ----------------------------------------------------------------------------------------
@cache
def _pert_table() -> np.ndarray:
    """Quantiles of Beta(1 + 4r, 1 + 4(1 − r)) on [0, 1]: row = mode position r on a grid of
    :data:`_PERT_SHAPES`, column = probability level on a grid of :data:`_PERT_LEVELS`.

    The distribution function is integrated numerically (trapezoids on 40,001 points; the
    density is bounded because α, β ≥ 1) and inverted by linear interpolation.
    """
    x = np.linspace(0.0, 1.0, 40_001)
    p = np.linspace(0.0, 1.0, _PERT_LEVELS)
    table = np.empty((_PERT_SHAPES, _PERT_LEVELS))
    with np.errstate(divide="ignore"):
        lx, l1x = np.log(x), np.log1p(-x)
    for j, r in enumerate(np.linspace(0.0, 1.0, _PERT_SHAPES)):
        alpha, beta = 1.0 + 4.0 * r, 5.0 - 4.0 * r
        with np.errstate(invalid="ignore"):
            pdf = np.exp(np.nan_to_num((alpha - 1) * lx, nan=0.0, neginf=-np.inf)
                         + np.nan_to_num((beta - 1) * l1x, nan=0.0, neginf=-np.inf))
        cdf = np.concatenate([[0.0], np.cumsum((pdf[1:] + pdf[:-1]) * 0.5 * (x[1] - x[0]))])
        cdf /= cdf[-1]
        keep = np.concatenate([[True], np.diff(cdf) > 0])  # strictly increasing for interp
        table[j] = np.interp(p, cdf[keep], x[keep])
    table[:, 0], table[:, -1] = 0.0, 1.0
    return table


def _pert_rows(lo, ml, hi) -> tuple[np.ndarray, np.ndarray]:
    """Table row and interpolation weight of each estimate's mode position."""
    span = hi - lo
    r = np.divide(ml - lo, span, out=np.zeros_like(span), where=span > 0)
    x = np.clip(r, 0.0, 1.0) * (_PERT_SHAPES - 1)
    row = np.minimum(np.floor(x).astype(np.int64), _PERT_SHAPES - 2)
    return row, x - row


# ----------------------------------------------------------------------------------------
# The result
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class SimulationResult:
    """The outcome of :func:`simulate`: one finish and one cost per iteration, and per task.

    Attributes
    ----------
    finish : ndarray
        Simulated finish offset of the network (its latest early finish, plus the delays of
        risks without affected tasks), one per iteration. Working days from the start,
        exclusive like ``early_finish`` in :func:`pmo_lib.schedule.cpm`. [d]
    cost : ndarray
        Simulated total cost, one per iteration. [cur]
    criticality : Series
        Per task (index: task id), the share of iterations in which it is critical (total
        float ≤ ``critical_float``). [frac]
    deterministic : float
        The CPM finish offset with the most likely durations and no risk events. [d]
    deterministic_cost : float
        The cost with the most likely durations and no risk events. [cur]
    task_ids : Index
        Task ids, in the order of the columns of ``durations``.
    durations : ndarray or None
        Simulated durations (float32, iterations × tasks) including risk delays; None with
        ``keep_durations=False``. [d]
    risk_occurrence : Series
        Per risk id, the share of iterations in which it occurred (empty without risks).
    calendar : WorkCalendar
    start : Timestamp or None
        The date of offset 0; dates need it.
    seed : object
        The ``seed`` given to :func:`simulate`.
    project_ids : Index
        The projects of the network (``tasks["project_id"]``; one unnamed project without
        that column), in the order of the columns below.
    project_finish, project_cost : ndarray
        Each project's simulated finish offset [d] and cost [cur], iterations × projects:
        its latest early finish, and its tasks' fixed and time-dependent costs plus the
        costs of the risks that count against it (the project of a risk's first affected
        task, or its ``project_id``; a risk without tasks also delays that project's
        finish). Cross-project links are honoured: a project waits for its predecessors in
        other projects in every iteration.
    """

    finish: np.ndarray
    cost: np.ndarray
    criticality: pd.Series
    deterministic: float
    deterministic_cost: float
    task_ids: pd.Index
    durations: np.ndarray | None = field(repr=False, default=None)
    risk_occurrence: pd.Series = field(repr=False, default_factory=lambda: pd.Series(
        dtype=float, name="occurrence"))
    calendar: WorkCalendar = field(repr=False, default_factory=WorkCalendar)
    start: pd.Timestamp | None = None
    seed: object = None
    project_ids: pd.Index = field(repr=False, default_factory=lambda: pd.Index([]))
    project_finish: np.ndarray | None = field(repr=False, default=None)
    project_cost: np.ndarray | None = field(repr=False, default=None)

    # -- sizes and dates ------------------------------------------------------------------
    @property
    def iterations(self) -> int:
        """Number of iterations."""
        return int(self.finish.size)

    def _need_start(self, what: str) -> pd.Timestamp:
        if self.start is None:
            raise DataValidationError(Problem(
                "SimulationResult", None, None, "start",
                f"{what} needs dates: run simulate(..., start=...) with the date of offset 0"))
        return self.start

    def _dates(self, offsets) -> pd.DatetimeIndex:
        """Dates of finish offsets: the last working day worked (offset ceil(f) − 1)."""
        start = self._need_start("a finish date")
        days = np.maximum(np.ceil(np.asarray(offsets, dtype=float) - _EPS) - 1.0, 0.0)
        return pd.DatetimeIndex(self.calendar.offset_to_date(days.astype(np.int64), start))

    @cached_property
    def finish_dates(self) -> np.ndarray:
        """Simulated finish dates (datetime64[ns]), one per iteration: the last working day
        worked. Needs ``start``."""
        return self._dates(self.finish).to_numpy()

    @property
    def deterministic_date(self) -> pd.Timestamp:
        """The date of :attr:`deterministic` (needs ``start``)."""
        return self._dates([self.deterministic])[0]

    # -- percentiles and probabilities ---------------------------------------------------
    def _values(self, of: str) -> np.ndarray:
        if of not in ("finish", "cost", "finish_date"):
            raise DataValidationError(Problem(
                "SimulationResult", None, None, "of",
                f"unknown quantity {of!r}; use one of 'finish', 'finish_date', 'cost'"))
        return self.cost if of == "cost" else self.finish

    def percentile(self, p, of: str = "finish"):
        """The ``p``-th percentile of the finish (offset [d]), ``finish_date`` or ``cost``.

        ``P80`` is the smallest simulated value with at least 80 % of the iterations at or
        below it (NumPy's ``inverted_cdf``), so ``probability_by(percentile(80)) ≥ 0.8``.

        Raises
        ------
        DataValidationError
            ``p`` outside [0, 100] or an unknown ``of``.
        """
        values = self._values(of)
        ps = np.asarray(p, dtype=float)
        if not np.all((ps >= 0) & (ps <= 100)):
            raise DataValidationError(Problem("SimulationResult", None, None, "p",
                                              f"percentiles must be in [0, 100], got {p!r}"))
        out = np.percentile(values, ps, method="inverted_cdf")
        if of == "finish_date":
            dates = self._dates(np.atleast_1d(out))
            return dates[0] if np.ndim(out) == 0 else dates
        return float(out) if np.ndim(out) == 0 else out

    def percentiles(self, ps=(10, 50, 80, 90)) -> pd.DataFrame:
        """P10/P50/P80/P90 (or ``ps``) of the finish and the cost.

        Returns
        -------
        DataFrame
            Index ``"P10"``, ...; columns ``finish`` [d], ``finish_date`` (with ``start``),
            ``cost`` [cur].
        """
        ps = list(np.atleast_1d(ps))
        out = pd.DataFrame({"finish": self.percentile(ps),
                            "cost": self.percentile(ps, of="cost")},
                           index=pd.Index([f"P{p:g}" for p in ps], name="percentile"))
        if self.start is not None:
            out.insert(1, "finish_date", self._dates(out["finish"].to_numpy()))
        return out

    def offset(self, when) -> float:
        """A finish bound as an offset [d]: a number as it is, a date as the end of that day
        (the offset of the next working day's morning), as :meth:`probability_by` reads it."""
        if isinstance(when, (int, float, np.integer, np.floating)) and not isinstance(
                when, bool):
            return float(when)
        start = self._need_start("a date")
        return float(self.calendar.date_to_offset(pd.Timestamp(when), start)) + 1.0

    def probability_by(self, when) -> float:
        """Share of iterations finishing by ``when``: a finish offset [d] or a date (by the
        end of that day)."""
        return float(np.mean(self.finish <= self.offset(when) + _EPS))

    def probability_within_budget(self, amount: float) -> float:
        """Share of iterations whose cost is at most ``amount``. [frac]"""
        return float(np.mean(self.cost <= _budget_bound(amount)))

    def jcl(self, when, budget: float) -> float:
        """Joint confidence level: the share of iterations that finish by ``when`` (offset
        or date) **and** cost at most ``budget``. [frac]"""
        return float(np.mean((self.finish <= self.offset(when) + _EPS)
                             & (self.cost <= _budget_bound(budget))))

    # -- per project ------------------------------------------------------------------------
    def _project(self, project) -> int:
        hit = np.flatnonzero(self.project_ids == project)
        if not hit.size:
            raise DataValidationError(_problem(
                "simulate", None, str(project), "project_id",
                f"no such project in the simulation; projects: "
                f"{', '.join(map(str, self.project_ids))}"))
        return int(hit[0])

    def project_percentiles(self, ps=(50, 80)) -> pd.DataFrame:
        """Percentiles of each project's finish and cost.

        Returns
        -------
        DataFrame
            Index ``project_id``; for each p: ``finish_pNN`` (offset [d]), ``finish_date_pNN``
            (when ``start`` is known: the last working day worked) and ``cost_pNN`` [cur].
        """
        cols = {}
        for p in np.atleast_1d(ps):
            tag = f"p{float(p):g}"
            f = np.percentile(self.project_finish, float(p), axis=0)
            cols[f"finish_{tag}"] = f
            if self.start is not None:
                cols[f"finish_date_{tag}"] = self._dates(f)
            cols[f"cost_{tag}"] = np.percentile(self.project_cost, float(p), axis=0)
        return pd.DataFrame(cols, index=self.project_ids)

    def project_probability(self, project, *, when=None, budget: float | None = None
                            ) -> float:
        """Share of iterations in which ``project`` finishes by ``when`` (offset or date)
        and/or costs at most ``budget``: both given, its joint confidence level. [frac]"""
        k = self._project(project)
        ok = np.ones(self.iterations, dtype=bool)
        if when is not None:
            ok &= self.project_finish[:, k] <= self.offset(when) + _EPS
        if budget is not None:
            ok &= self.project_cost[:, k] <= _budget_bound(budget)
        return float(np.mean(ok))

    # -- task measures --------------------------------------------------------------------
    @cached_property
    def sensitivity(self) -> pd.Series:
        """Per task, Spearman's rank correlation of its simulated duration with the finish
        (0 for a task whose duration never varies). Computed on first use.

        Raises
        ------
        DataValidationError
            The durations were not kept (``keep_durations=False``).
        """
        if self.durations is None:
            raise DataValidationError(Problem(
                "SimulationResult", None, None, "durations",
                "the sensitivity needs the simulated durations: run simulate(..., "
                "keep_durations=True)"))
        n_tasks = self.durations.shape[1]
        centred = _ranks(self.finish) - 0.5 * (self.iterations + 1.0)
        out = np.zeros(n_tasks)
        step = max(1, _CHUNK_BYTES // (4 * max(self.iterations, 1)))
        for j in range(0, n_tasks, step):  # a block of tasks at a time, transposed
            block = np.ascontiguousarray(self.durations[:, j:j + step].T)
            out[j:j + step] = _spearman_columns(block, centred)
        return pd.Series(out, index=self.task_ids, name="sensitivity")

    @property
    def cruciality(self) -> pd.Series:
        """Per task, criticality × |sensitivity| (Williams 1992). [frac]"""
        return (self.criticality * self.sensitivity.abs()).rename("cruciality")

    def tornado(self, n: int = 10) -> pd.DataFrame:
        """The ``n`` tasks whose durations drive the finish most: sorted by |sensitivity|.

        Returns
        -------
        DataFrame
            Index task id; columns ``sensitivity``, ``criticality``, ``cruciality``.
        """
        table = pd.DataFrame({"sensitivity": self.sensitivity,
                              "criticality": self.criticality,
                              "cruciality": self.cruciality})
        key = table["sensitivity"].abs()
        top = key.sort_values(ascending=False, kind="stable").index[:int(n)]
        return table.loc[top]


# ----------------------------------------------------------------------------------------
# Input checks and preparation
# ----------------------------------------------------------------------------------------
def budget_rates(tasks: pd.DataFrame) -> pd.DataFrame:
    """The tasks with the cost inputs that make the most likely plan cost its budget.

    Each task's ``budget`` becomes a daily ``rate`` over its most likely duration
    (budget / duration [cur/d]: a longer task costs proportionally more), a milestone's (no
    duration) a ``fixed_cost`` [cur]. :func:`simulate` then gives a deterministic cost equal
    to the total budget.

    Parameters
    ----------
    tasks : DataFrame
        ``duration`` [d] and ``budget`` [cur] (a blank budget counts as 0).

    Returns
    -------
    DataFrame
        A copy with ``rate`` and ``fixed_cost`` set.

    Examples
    --------
    >>> t = pd.DataFrame({"id": ["A", "M"], "duration": [4.0, 0.0], "budget": [400.0, 50.0]})
    >>> budget_rates(t)[["rate", "fixed_cost"]].values.tolist()
    [[100.0, 0.0], [0.0, 50.0]]
    """
    out = tasks.copy()
    timed = out["duration"] > 0
    budget = out["budget"].fillna(0.0).astype(float)
    out["rate"] = np.where(timed, budget / out["duration"].where(timed, 1), 0.0)
    out["fixed_cost"] = np.where(timed, 0.0, budget)
    return out


def three_point_mean(low, likely, high, distribution: str = "betapert"):
    """Mean of a three-point estimate, as :func:`simulate` draws it.

    Triangular: (a + m + b) / 3; BetaPERT: (a + 4m + b) / 6; uniform: (a + b) / 2 (the
    most likely value plays no part). Accepts scalars or arrays.

    Examples
    --------
    >>> three_point_mean(10, 12, 20), three_point_mean(10, 12, 20, "triangular")
    (13.0, 14.0)
    """
    if distribution not in DISTRIBUTIONS:
        raise DataValidationError(_problem(
            "three_point_mean", None, None, "distribution",
            f"unknown distribution {distribution!r}; use one of "
            f"{', '.join(map(repr, DISTRIBUTIONS))}"))
    a, m, b = (np.asarray(x, dtype=float) for x in (low, likely, high))
    mean = {"triangular": (a + m + b) / 3, "betapert": (a + 4 * m + b) / 6,
            "uniform": (a + b) / 2}[distribution]
    return float(mean) if mean.ndim == 0 else mean


def _budget_bound(amount) -> float:
    """A budget to compare simulated costs with, up to the rounding of their sums."""
    amount = float(amount)
    return amount + 1e-9 * max(1.0, abs(amount))


def _problem(table: str, row, ident, column, message) -> Problem:
    return Problem(table, None if row is None else int(row) + 2,
                   None if ident is None else str(ident), column, message)


def _numbers(frame: pd.DataFrame, column: str, default: float | None = None) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan if default is None else default)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)


def _choices(frame: pd.DataFrame, column: str, default: str, table: str, ids,
             problems: list[Problem]) -> np.ndarray:
    """Distribution codes of a column (blank = ``default``)."""
    if column not in frame.columns:
        return np.full(len(frame), _CODES[default], np.int64)
    raw = frame[column].to_numpy(dtype=object)
    names = [str(v).strip().lower() if isinstance(v, str) and str(v).strip() else default
             for v in raw]
    out = np.empty(len(frame), np.int64)
    for i, name in enumerate(names):
        out[i] = _CODES.get(name, -1)
        if out[i] < 0:
            problems.append(_problem(table, i, ids[i], column,
                                     f"unknown distribution {raw[i]!r}; use one of "
                                     f"{', '.join(map(repr, DISTRIBUTIONS))}"))
    return out


def _three_point(frame, ml, lo, hi, codes, table, ids, what, problems):
    """Checked (code, min, most likely, max): zero width becomes a fixed value."""
    bad = ~np.isfinite(lo) | ~np.isfinite(hi)
    for i in np.flatnonzero(bad)[:20]:
        problems.append(_problem(table, i, ids[i], f"{what}_min",
                                 f"{what}_min and {what}_max must both be numbers"))
    wrong = ~bad & ((lo > ml + _EPS) | (ml > hi + _EPS))
    for i in np.flatnonzero(wrong)[:20]:
        problems.append(_problem(
            table, i, ids[i], what, f"need {what}_min <= {what} (most likely) <= {what}_max, "
            f"got {lo[i]:g} <= {ml[i]:g} <= {hi[i]:g}"))
    negative = ~bad & (lo < 0)
    for i in np.flatnonzero(negative)[:20]:
        problems.append(_problem(table, i, ids[i], f"{what}_min",
                                 f"{what}_min is negative ({lo[i]:g})"))
    code = np.where(hi - lo > _EPS, codes, _FIXED)
    return code.astype(np.int64), lo, ml, hi


def _task_estimates(tasks, ids, ml, default_range, distribution):
    """(code, min, most likely, max, table row, weight) of every task's duration."""
    problems: list[Problem] = []
    n = len(tasks)
    lo, hi = _numbers(tasks, "duration_min"), _numbers(tasks, "duration_max")
    none = np.isnan(lo) & np.isnan(hi)
    if default_range is not None:
        low, high = default_range
        lo = np.where(none, ml * low, lo)
        hi = np.where(none, ml * high, hi)
    else:
        lo, hi = np.where(none, ml, lo), np.where(none, ml, hi)
    codes = _choices(tasks, "distribution", distribution, "tasks", ids, problems)
    code, lo, ml, hi = _three_point(tasks, ml, lo, hi, codes, "tasks", ids, "duration",
                                    problems)
    if problems:
        raise DataValidationError(problems)
    row, weight = _pert_rows(lo, ml, hi)
    return code, lo, ml.copy(), hi, row, weight, n


def _default_range(default_range):
    if default_range is None:
        return None
    try:
        low, high = (float(v) for v in default_range)
    except (TypeError, ValueError):
        low = high = np.nan
    if not (np.isfinite(low) and np.isfinite(high) and 0 <= low <= 1 <= high):
        raise DataValidationError(Problem(
            "simulate", None, None, "default_range",
            f"need (low, high) factors of the most likely duration with 0 <= low <= 1 <= high,"
            f" e.g. (0.9, 1.25); got {default_range!r}"))
    return low, high


def _per_task(values, ids: pd.Index, name: str, tasks: pd.DataFrame) -> np.ndarray:
    """A per-task number from None (0 or the column ``name``), a scalar, a column name, a
    mapping/Series by task id or an array in task order."""
    n = len(ids)
    if values is None:
        out = _numbers(tasks, name, 0.0)
    elif isinstance(values, str):
        if values not in tasks.columns:
            raise DataValidationError(Problem("tasks", 1, None, values,
                                              f"{name}: no column {values!r} in the tasks"))
        out = _numbers(tasks, values)
    elif isinstance(values, (Mapping, pd.Series)):
        series = pd.Series(values, dtype=float) if isinstance(values, Mapping) else values
        series.index = series.index.astype(str)
        unknown = series.index.difference(ids)
        if len(unknown):
            raise UnknownReferenceError(Problem(
                "simulate", None, str(unknown[0]), name,
                f"{name} for unknown task {unknown[0]!r} ({len(unknown)} unknown)"))
        out = series.reindex(ids).fillna(0.0).to_numpy(dtype=float)
    elif np.ndim(values) == 0:
        out = np.full(n, float(values))
    else:
        out = np.asarray(values, dtype=float)
        if out.shape != (n,):
            raise DataValidationError(Problem(
                "simulate", None, None, name, f"need one value per task ({n}), got shape "
                f"{out.shape}"))
    bad = np.flatnonzero(~np.isfinite(out) | (out < 0))
    if bad.size:
        raise DataValidationError(_problem("tasks", bad[0], ids[bad[0]], name,
                                           f"{name} must be a number >= 0, got {out[bad[0]]!r}"))
    return np.asarray(out, dtype=float)


def _correlation_matrix(correlation, labels: pd.Index, what: str, table: str):
    """A validated square matrix over a subset of ``labels``: (indices, matrix)."""
    if isinstance(correlation, Mapping):
        keys = {str(k) for pair in correlation for k in pair}
        names = [x for x in labels if x in keys] + sorted(keys.difference(labels))
        frame = pd.DataFrame(np.eye(len(names)), index=names, columns=names)
        for pair, value in correlation.items():
            if not isinstance(pair, tuple) or len(pair) != 2:
                raise DataValidationError(Problem(
                    "simulate", None, None, what, f"key {pair!r} is not a pair of {table} ids"))
            a, b = str(pair[0]), str(pair[1])
            frame.loc[a, b] = frame.loc[b, a] = float(value)
        correlation = frame
    if isinstance(correlation, pd.DataFrame):
        index = pd.Index(correlation.index.astype(str))
        columns = pd.Index(correlation.columns.astype(str))
        if not index.equals(columns):
            if set(index) != set(columns) or len(index) != len(columns):
                raise DataValidationError(Problem(
                    "simulate", None, None, what,
                    "the matrix must be square with the same ids as index and columns"))
            correlation = correlation.set_axis(columns, axis=1).loc[:, index]
        if not index.is_unique:
            raise DataValidationError(Problem("simulate", None, str(index[index.duplicated()][0]),
                                              what, "an id is repeated"))
        where = labels.get_indexer(index)
        if (where < 0).any():
            bad = index[where < 0][0]
            raise UnknownReferenceError(Problem(
                "simulate", None, bad, what, f"unknown {table} id {bad!r} in the matrix"))
        matrix = correlation.to_numpy(dtype=float)
        names = index
    else:
        matrix = np.asarray(correlation, dtype=float)
        if matrix.shape != (len(labels), len(labels)):
            raise DataValidationError(Problem(
                "simulate", None, None, what,
                f"an array must be {len(labels)} × {len(labels)} (one row and column per "
                f"{table}, in order), got shape {matrix.shape}; or pass a DataFrame labelled by "
                f"{table} id"))
        where = np.arange(len(labels))
        names = labels
    if not np.isfinite(matrix).all():
        raise DataValidationError(Problem("simulate", None, None, what,
                                          "the matrix has missing or infinite values"))
    out_of_range = np.argwhere(np.abs(matrix) > 1 + 1e-12)
    if out_of_range.size:
        i, j = out_of_range[0]
        raise DataValidationError(Problem(
            "simulate", None, f"{names[i]}~{names[j]}", what,
            f"correlation {matrix[i, j]:g} is outside [-1, 1]"))
    diag = np.flatnonzero(np.abs(np.diag(matrix) - 1) > 1e-9)
    if diag.size:
        i = diag[0]
        raise DataValidationError(Problem(
            "simulate", None, names[i], what,
            f"the diagonal must be 1 (a {table} correlates perfectly with itself), got "
            f"{matrix[i, i]:g}"))
    asym = np.argwhere(np.abs(matrix - matrix.T) > 1e-9)
    if asym.size:
        i, j = asym[0]
        raise DataValidationError(Problem(
            "simulate", None, f"{names[i]}~{names[j]}", what,
            f"the matrix is not symmetric: {matrix[i, j]:g} vs {matrix[j, i]:g} for "
            f"{names[j]}~{names[i]}"))
    return where.astype(np.int64), matrix


def _nearest_correlation(a: np.ndarray, *, tol: float = 1e-10, max_iter: int = 500):
    """Higham's (2002) alternating projections with Dykstra's correction: the nearest
    correlation matrix (unit diagonal, PSD) to ``a`` in the Frobenius norm."""
    y = a.copy()
    ds = np.zeros_like(a)
    for _ in range(max_iter):
        r = y - ds
        w, v = np.linalg.eigh(r)
        x = (v * np.maximum(w, 0.0)) @ v.T
        ds = x - r
        y_new = x.copy()
        np.fill_diagonal(y_new, 1.0)
        if np.linalg.norm(y_new - y, "fro") < tol * max(1.0, np.linalg.norm(y, "fro")):
            y = y_new
            break
        y = y_new
    return (y + y.T) / 2


def _copula_factor(rank_matrix: np.ndarray, psd: str, what: str) -> np.ndarray:
    """``L`` with ``L Lᵀ`` the Gaussian-copula (Pearson) matrix of a rank correlation matrix,
    repaired to the nearest correlation matrix or rejected when it is not PSD."""
    pearson = 2.0 * np.sin(np.pi * rank_matrix / 6.0)
    np.fill_diagonal(pearson, 1.0)
    w = np.linalg.eigvalsh(pearson) if pearson.size else np.zeros(0)
    if w.size and w.min() < -1e-10:
        if psd == "raise":
            raise DataValidationError(Problem(
                "simulate", None, None, what,
                f"the correlation matrix is not positive semi-definite (smallest eigenvalue "
                f"{w.min():.3g} of its Gaussian-copula form): no set of quantities can be "
                "correlated like this; fix the inconsistent pairs or pass psd='repair'"))
        fixed = _nearest_correlation(pearson)
        rank_fixed = 6.0 / np.pi * np.arcsin(np.clip(fixed, -1, 1) / 2.0)
        change = np.abs(rank_fixed - rank_matrix).max()
        warnings.warn(f"{what}: the correlation matrix is not positive semi-definite "
                      f"(smallest eigenvalue {w.min():.3g}); replaced by the nearest "
                      f"correlation matrix (Higham 2002), largest change {change:.3f}",
                      UserWarning, stacklevel=3)
        pearson = fixed
    w, v = np.linalg.eigh(pearson)
    factor = v * np.sqrt(np.maximum(w, 0.0))
    norm = np.sqrt((factor**2).sum(axis=1, keepdims=True))
    return factor / np.where(norm > 0, norm, 1.0)  # unit variances after clipping


def _affected(value) -> list[str]:
    if not isinstance(value, (str, list, tuple, set, np.ndarray)):
        return [] if value is None or pd.isna(value) else [str(value)]
    if isinstance(value, str):
        return [s.strip() for s in value.split(";") if s.strip()]
    return [str(s).strip() for s in value if str(s).strip()]


@dataclass
class _Risks:
    """Prepared risk events."""

    ids: pd.Index
    probability: np.ndarray
    days: tuple      # (code, min, most likely, max, row, weight)
    money: tuple
    ptr: np.ndarray  # affected tasks, grouped by risk (CSR)
    tasks: np.ndarray
    no_tasks: np.ndarray  # risks delaying the finish directly
    group_first: np.ndarray  # column whose uniform the risk uses (its exclusive group's)
    cum_low: np.ndarray
    cum_high: np.ndarray
    corr_index: np.ndarray
    corr_factor: np.ndarray | None

    @property
    def size(self) -> int:
        return len(self.ids)


def _prepare_risks(risks: pd.DataFrame | None, ids: pd.Index, risk_correlation, psd) -> _Risks:
    empty_f, empty_i = np.zeros(0), np.zeros(0, np.int64)
    if risks is None or len(risks) == 0:
        est = (empty_i, empty_f, empty_f, empty_f, empty_i, empty_f)
        return _Risks(pd.Index([], dtype=object), empty_f, est, est, np.zeros(1, np.int64),
                      empty_i, np.zeros(0, bool), empty_i, empty_f, empty_f, empty_i, None)
    problems: list[Problem] = []
    if "id" not in risks.columns:
        raise DataValidationError(Problem("risks", 1, None, "id", "the risks need an id column"))
    rid = pd.Index(risks["id"].astype(str).to_numpy(dtype=object), dtype=object)
    for i in np.flatnonzero(rid.duplicated())[:20]:
        problems.append(_problem("risks", i, rid[i], "id", "duplicate risk id: pass one "
                                 "snapshot of the register (Portfolio.risk_register(month))"))
    if "probability" not in risks.columns:
        raise DataValidationError(Problem("risks", 1, None, "probability",
                                          "the risks need a probability column"))
    p = _numbers(risks, "probability")
    for i in np.flatnonzero(~(np.isfinite(p) & (p >= 0) & (p <= 1)))[:20]:
        problems.append(_problem("risks", i, rid[i], "probability",
                                 f"probability must be in [0, 1], got {p[i]!r}"))
    codes = _choices(risks, "impact_distribution", "triangular", "risks", rid, problems)
    estimates = []
    for what in ("schedule_impact", "cost_impact"):
        ml = _numbers(risks, what, 0.0)
        for i in np.flatnonzero(~np.isfinite(ml))[:20]:
            problems.append(_problem("risks", i, rid[i], what, f"{what} is missing"))
        for i in np.flatnonzero(ml < 0)[:20]:
            problems.append(_problem("risks", i, rid[i], what, f"{what} is negative "
                                     f"({ml[i]:g})"))
        ml = np.nan_to_num(ml)
        lo, hi = _numbers(risks, f"{what}_min"), _numbers(risks, f"{what}_max")
        none = np.isnan(lo) & np.isnan(hi)
        lo, hi = np.where(none, ml, lo), np.where(none, ml, hi)
        code, lo, ml, hi = _three_point(risks, ml, lo, hi, codes, "risks", rid, what, problems)
        estimates.append((code, lo, ml, hi, *_pert_rows(lo, ml, hi)))
    lists = ([_affected(v) for v in risks["affected_tasks"]] if "affected_tasks" in risks
             else [[] for _ in range(len(risks))])
    flat = [t for lst in lists for t in lst]
    where = ids.get_indexer(pd.Index(flat, dtype=object)) if flat else empty_i
    pos = 0
    for i, lst in enumerate(lists):
        for t in lst:
            if where[pos] < 0:
                problems.append(_problem("risks", i, rid[i], "affected_tasks",
                                         f"refers to unknown task {t!r}"))
            pos += 1
    # Mutually exclusive groups: one uniform per group, split by the probabilities.
    group_first = np.arange(len(rid), dtype=np.int64)
    cum_low, cum_high = np.zeros(len(rid)), p.copy()
    grouped = np.zeros(len(rid), bool)
    if "exclusive_group" in risks.columns:
        labels = risks["exclusive_group"].to_numpy(dtype=object)
        for label in pd.unique(labels[pd.notna(labels)]):
            if isinstance(label, str) and not label.strip():
                continue
            members = np.flatnonzero(labels == label)
            grouped[members] = True
            total = np.nansum(p[members])
            if total > 1 + 1e-9:
                problems.append(_problem(
                    "risks", members[0], rid[members[0]], "exclusive_group",
                    f"the mutually exclusive risks of group {label!r} "
                    f"({', '.join(rid[members])}) have probabilities adding up to "
                    f"{total:g} > 1"))
            edges = np.concatenate([[0.0], np.cumsum(p[members])])
            group_first[members] = members[0]
            cum_low[members], cum_high[members] = edges[:-1], edges[1:]
    if problems:
        raise DataValidationError(problems)
    corr_index, corr_factor = empty_i, None
    if risk_correlation is not None:
        corr_index, matrix = _correlation_matrix(risk_correlation, rid, "risk_correlation",
                                                 "risk")
        clash = corr_index[grouped[corr_index]]
        if clash.size:
            raise DataValidationError(Problem(
                "simulate", None, rid[clash[0]], "risk_correlation",
                "a mutually exclusive risk (exclusive_group) cannot also be correlated"))
        corr_factor = _copula_factor(matrix, psd, "risk_correlation")
    ptr = np.concatenate([[0], np.cumsum([len(lst) for lst in lists])]).astype(np.int64)
    return _Risks(rid, p, tuple(estimates[0]), tuple(estimates[1]), ptr,
                  np.asarray(where, np.int64), np.diff(ptr) == 0, group_first, cum_low,
                  cum_high, corr_index, corr_factor)


def _constraints(tasks, ids, ml, cal, start_ts, release):
    """Bounds of the forward and backward passes, as :func:`pmo_lib.schedule.cpm` sets them
    (every dated constraint of a milestone is a finish constraint)."""
    n = len(ids)
    lower_s = np.zeros(n) if release is None else np.asarray(release, dtype=float).copy()
    lower_f = np.full(n, -np.inf)
    forced_s, forced_f = np.full(n, np.nan), np.full(n, np.nan)
    upper_s, upper_f = np.full(n, np.inf), np.full(n, np.inf)
    if "constraint_type" not in tasks.columns or start_ts is None:
        return lower_s, lower_f, forced_s, forced_f, upper_s, upper_f
    kind = np.array([str(v).strip().upper() if isinstance(v, str) and str(v).strip()
                     else "ASAP" for v in tasks["constraint_type"].to_numpy(dtype=object)])
    dated = ~np.isin(kind, ["ASAP", "ALAP"]) & np.isin(kind, CONSTRAINT_TYPES)
    if not dated.any():
        return lower_s, lower_f, forced_s, forced_f, upper_s, upper_f
    dates = pd.to_datetime(tasks["constraint_date"]).where(pd.Series(dated, index=tasks.index))
    c = _schedule._offsets(dates, cal, start_ts)
    finish_kind = np.isin(kind, ["FNET", "FNLT", "MFO"]) | (dated & (ml == 0))
    start_kind = dated & ~finish_kind
    lower_s = np.where(start_kind & (kind == "SNET"), np.maximum(lower_s, c), lower_s)
    lower_f = np.where(finish_kind & np.isin(kind, ["SNET", "FNET"]), c + 1.0, lower_f)
    upper_s = np.where(start_kind & (kind == "SNLT"), c, upper_s)
    upper_f = np.where(finish_kind & np.isin(kind, ["SNLT", "FNLT"]), c + 1.0, upper_f)
    forced_s = np.where(start_kind & (kind == "MSO"), c, forced_s)
    forced_f = np.where(finish_kind & np.isin(kind, ["MSO", "MFO"]), c + 1.0, forced_f)
    return lower_s, lower_f, forced_s, forced_f, upper_s, upper_f


def _check_int(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise DataValidationError(Problem("simulate", None, None, name,
                                          f"need a whole number >= {minimum}, got {value!r}"))
    return int(value)


# ----------------------------------------------------------------------------------------
# The engine
# ----------------------------------------------------------------------------------------
def simulate(tasks: pd.DataFrame, links: pd.DataFrame | None = None, *,
             iterations: int = 10_000, seed=None, risks: pd.DataFrame | None = None,
             default_range: tuple[float, float] | None = None,
             distribution: str = "triangular", correlation=None, risk_correlation=None,
             psd: str = "repair", rates=None, chunk: int | None = None,
             keep_durations: bool = True, progress: bool = False,
             calendar: WorkCalendar | None = None, start=None, release=None,
             critical_float: float = 0.0) -> SimulationResult:
    """Monte Carlo schedule and cost risk analysis of a CPM network.

    Parameters
    ----------
    tasks : DataFrame
        ``id`` (or the index), ``duration`` (the most likely) [d]; optional
        ``duration_min``, ``duration_max`` [d], ``distribution`` (:data:`DISTRIBUTIONS`,
        blank = ``distribution``), ``fixed_cost`` [cur], ``project_id``, ``constraint_type``
        and ``constraint_date`` as for :func:`pmo_lib.schedule.cpm`.
    links : DataFrame, optional
        ``pred``, ``succ``, ``type`` (FS when absent), ``lag`` [d].
    iterations : int
        Number of iterations (≥ 1).
    seed : int, SeedSequence or Generator, optional
        Seed of ``np.random.default_rng``; the same seed gives the same result.
    risks : DataFrame, optional
        Risk events: ``id``, ``probability`` [frac], ``schedule_impact`` [d],
        ``cost_impact`` [cur], ``affected_tasks``; optional three-point impacts
        (``schedule_impact_min``, ..._max, ``cost_impact_min``, ..._max,
        ``impact_distribution``) and ``exclusive_group`` (see the module docstring). Rows
        are used as given: filter the register to its open risks first.
    default_range : (float, float), optional
        Factors of the most likely duration giving the minimum and maximum of tasks without
        ``duration_min``/``duration_max``, e.g. ``(0.9, 1.25)``; without it those tasks
        keep their duration.
    distribution : str
        Distribution of tasks with a blank ``distribution`` (default triangular).
    correlation : DataFrame, mapping or ndarray, optional
        Rank (Spearman) correlation between task durations: a square DataFrame labelled by
        task id (a subset of the tasks), a mapping ``{(task, task): rho}``, or an array over
        all tasks in order. Other tasks are independent.
    risk_correlation : DataFrame, mapping or ndarray, optional
        Rank correlation between risk occurrences (Gaussian copula), labelled by risk id.
    psd : {"repair", "raise"}
        A correlation matrix that is not positive semi-definite: replaced by the nearest
        correlation matrix with a warning, or rejected.
    rates : float, str, mapping, Series or array, optional
        Time-dependent cost per working day of each task [cur/d]: a number for all, a column
        of ``tasks``, a mapping/Series by task id or an array in task order. Default: the
        column ``rate`` if there is one, else 0.
    chunk : int, optional
        Iterations per chunk (default: a chunk's uniforms take about 32 MB).
    keep_durations : bool
        Keep the simulated durations (float32, ``4 × iterations × tasks`` bytes), needed for
        the sensitivity and the tornado.
    progress : bool
        Show a progress bar (tqdm) over the chunks.
    calendar : WorkCalendar, optional
        Working days for dates (default Monday–Friday).
    start : date-like, optional
        Date of offset 0; needed for dates and date constraints.
    release : array or Series, optional
        Earliest start offset of each task, as for :func:`pmo_lib.schedule.cpm`. [d]
    critical_float : float
        A task is critical in an iteration when its total float is at most this. [d]

    Returns
    -------
    SimulationResult
        ``finish`` [d] and ``cost`` [cur] per iteration, ``criticality``,
        ``sensitivity``, ``cruciality`` per task, ``deterministic`` (the CPM finish), and
        percentiles, probabilities and the JCL as methods.

    Raises
    ------
    ScheduleError
        The network cannot be scheduled (as :func:`pmo_lib.schedule.cpm`: a cycle, an
        unknown task in a link, a negative duration, ...).
    DataValidationError
        A task or risk with ``min <= most likely <= max`` broken or only one of min and max,
        a negative minimum, an unknown distribution (each named); a probability outside
        [0, 1]; a duplicate risk id; exclusive risks whose probabilities add up to more than
        1; a malformed correlation matrix (not square, not symmetric, diagonal not 1, values
        outside [−1, 1]) or one that is not PSD with ``psd="raise"``; a bad
        ``default_range``, ``rates``, ``iterations``, ``chunk`` or ``psd``.
    UnknownReferenceError
        A risk affecting an unknown task, a correlation or rate for an unknown id.

    Notes
    -----
    Per iteration ``k`` and task ``i``: ``d_ki = Q_i(U_ki) + Σ_r O_kr D_kr [i ∈ r]``, where
    ``Q_i`` is the inverse distribution function of the task's estimate, ``U`` uniforms
    (through the copula for correlated tasks), ``O_kr`` whether risk ``r`` occurs and
    ``D_kr`` its delay; then the CPM forward pass gives the finish ``F_k = max_i EF_ki`` and
    the backward pass the critical tasks; ``C_k = Σ_i fixed_i + Σ_i rate_i d_ki + Σ_r O_kr
    cost_kr``. See the module docstring for the choices.

    Examples
    --------
    Two parallel tasks of 10 days (8 to 12, symmetric) before a 5-day task: the deterministic
    finish is 15 days, but the project is done by then only when *both* parallel tasks are
    (about 0.5 × 0.5 = 25 % of the iterations: merge bias).

    >>> tasks = pd.DataFrame({"id": ["A", "B", "C"], "duration": [10, 10, 5],
    ...                       "duration_min": [8, 8, 5], "duration_max": [12, 12, 5]})
    >>> links = pd.DataFrame({"pred": ["A", "B"], "succ": ["C", "C"]})
    >>> r = simulate(tasks, links, iterations=20_000, seed=1)
    >>> r.deterministic, round(r.probability_by(15), 2)
    (15.0, 0.25)
    >>> r.criticality.round(1).to_dict()
    {'A': 0.5, 'B': 0.5, 'C': 1.0}
    >>> r.percentiles((50, 80))["finish"].round(1).to_dict()
    {'P50': 15.5, 'P80': 16.1}
    """
    iterations = _check_int(iterations, "iterations", 1)
    if psd not in PSD_MODES:
        raise DataValidationError(Problem("simulate", None, None, "psd",
                                          f"unknown mode {psd!r}; use one of "
                                          f"{', '.join(map(repr, PSD_MODES))}"))
    if distribution not in DISTRIBUTIONS:
        raise DataValidationError(Problem("simulate", None, None, "distribution",
                                          f"unknown distribution {distribution!r}; use one of "
                                          f"{', '.join(map(repr, DISTRIBUTIONS))}"))
    default_range = _default_range(default_range)

    # The deterministic schedule validates the network (cycles, links, durations).
    cal = calendar or WorkCalendar()
    det = _schedule.cpm(tasks, links, calendar=cal, start=start, release=release,
                        critical_float=critical_float)
    start_ts = det.attrs["start"]
    ids = pd.Index(det.index, dtype=object)
    n = len(ids)
    ml = det["duration"].to_numpy(dtype=float)
    code, lo, ml, hi, row, weight, _ = _task_estimates(tasks, ids, ml, default_range,
                                                       distribution)
    table = _pert_table()
    rate = _per_task(rates, ids, "rate", tasks)
    fixed = _numbers(tasks, "fixed_cost", 0.0)
    bad = np.flatnonzero(~np.isfinite(fixed) | (fixed < 0))
    if bad.size:
        raise DataValidationError(_problem("tasks", bad[0], ids[bad[0]], "fixed_cost",
                                           "fixed_cost must be a number >= 0"))
    risk = _prepare_risks(risks, ids, risk_correlation, psd)
    corr_index, corr_factor = np.zeros(0, np.int64), None
    if correlation is not None:
        corr_index, matrix = _correlation_matrix(correlation, ids, "correlation", "task")
        corr_factor = _copula_factor(matrix, psd, "correlation")

    # Network arrays and the topological order (schedule.py's grouping and Kahn sweep).
    _, _, _, _, grouped = _schedule._link_arrays(links, ids)
    in_ptr, in_src, in_type, in_lag, out_ptr, out_dst, out_type, out_lag = grouped
    zeros, nans = np.zeros(n), np.full(n, np.nan)
    order, _, _, _ = _schedule._forward(in_ptr, in_src, in_type, in_lag, out_ptr, out_dst,
                                        ml, np.zeros(n, np.int64), zeros, nans, nans, nans,
                                        0.0, False)
    bounds = _constraints(tasks, ids, ml, cal, start_ts, release)
    alap = ((tasks["constraint_type"].astype(str).str.strip().str.upper() == "ALAP")
            .to_numpy(dtype=bool) if "constraint_type" in tasks.columns else np.zeros(n, bool))
    projects = (_schedule._strings(tasks["project_id"]) if "project_id" in tasks.columns
                else np.zeros(n, dtype=object))
    proj, uniques = pd.factorize(projects)
    proj = proj.astype(np.int64)
    # The project each risk counts against: its first affected task's, else its project_id.
    risk_project = np.full(risk.size, -1, np.int64)
    for r in range(risk.size):
        if risk.ptr[r] < risk.ptr[r + 1]:
            risk_project[r] = proj[risk.tasks[risk.ptr[r]]]
        elif risks is not None and "project_id" in risks.columns:
            hit = np.flatnonzero(np.asarray(uniques, dtype=object)
                                 == str(risks["project_id"].iloc[r]))
            risk_project[r] = hit[0] if hit.size else -1

    # Chunks and random streams (each drawn row by row: independent of the chunk size).
    if chunk is None:
        chunk = max(1, min(iterations, _CHUNK_BYTES // (8 * max(n, 1))))
    chunk = _check_int(chunk, "chunk", 1)
    streams = np.random.default_rng(seed).spawn(5)
    g_task, g_corr, g_occ, g_rcorr, g_imp = streams
    finish = np.empty(iterations)
    cost = np.empty(iterations)
    n_proj = max(len(uniques), 1)
    project_finish = np.empty((iterations, n_proj))
    project_cost = np.zeros((iterations, n_proj))
    counts = np.zeros(n, np.int64)
    occurred = np.zeros(risk.size, np.int64)
    durations = np.empty((iterations, n), np.float32) if keep_durations else \
        np.empty((0, 0), np.float32)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=iterations, desc="simulate", unit="it")
    try:
        for first in range(0, iterations, chunk):
            c = min(chunk, iterations - first)
            u = g_task.random((c, n))
            if corr_factor is not None:
                u[:, corr_index] = _copula(g_corr.standard_normal((c, corr_index.size)),
                                           corr_factor)
            occ, delay, risk_money = _draw_risks(risk, c, g_occ, g_rcorr, g_imp, table)
            occurred += occ.sum(axis=0)
            critical = np.empty((c, n), np.bool_)
            sl = slice(first, first + c)
            _run_chunk(u, code, lo, ml, hi, row, weight, table, order, in_ptr, in_src,
                       in_type, in_lag, out_ptr, out_dst, out_type, out_lag, *bounds,
                       alap, bool(alap.any()), proj,
                       n_proj, risk.ptr, risk.tasks, delay, rate,
                       float(critical_float), finish[sl], cost[sl], critical,
                       durations[sl] if keep_durations else durations, keep_durations,
                       project_finish[sl], project_cost[sl])
            counts += critical.sum(axis=0, dtype=np.int64)
            if risk.size:
                finish[sl] += _row_sums(delay * risk.no_tasks)
                cost[sl] += _row_sums(risk_money)
                # A risk counts against the project of its first affected task (or of its
                # project_id column): its cost always, its delay when it names no task.
                owner = risk_project[None, :] == np.arange(n_proj)[:, None]
                project_cost[sl] += risk_money @ owner.T
                project_finish[sl] += (delay * risk.no_tasks) @ owner.T
            del u, critical
            if bar is not None:
                bar.update(c)
    finally:
        if bar is not None:
            bar.close()
    cost += fixed.sum()
    project_cost += np.bincount(proj, fixed, minlength=n_proj)[None, :]
    return SimulationResult(
        finish=finish, cost=cost,
        criticality=pd.Series(counts / iterations, index=ids, name="criticality"),
        deterministic=float(det["early_finish"].max()) if n else 0.0,
        deterministic_cost=float(fixed.sum() + (rate * ml).sum()),
        task_ids=ids, durations=durations if keep_durations else None,
        risk_occurrence=pd.Series(occurred / iterations, index=risk.ids, name="occurrence",
                                  dtype=float),
        calendar=cal, start=start_ts, seed=seed,
        project_ids=pd.Index(uniques if len(uniques) else [""], name="project_id"),
        project_finish=project_finish, project_cost=project_cost)


def _draw_risks(risk: _Risks, c: int, g_occ, g_rcorr, g_imp, table):
    """Occurrence (c × risks, bool), delay (c × risks) [d] and cost (c × risks) [cur] of a
    chunk."""
    if not risk.size:
        return np.zeros((c, 0), bool), np.zeros((c, 0)), np.zeros((c, 0))
    u = g_occ.random((c, risk.size))
    if risk.corr_factor is not None:
        u[:, risk.corr_index] = _copula(g_rcorr.standard_normal((c, risk.corr_index.size)),
                                        risk.corr_factor)
    u = u[:, risk.group_first]
    occ = (u >= risk.cum_low) & (u < risk.cum_high)
    v = g_imp.random((c, risk.size))
    days = _quantiles(v, *risk.days, table)
    money = _quantiles(v, *risk.money, table)
    return occ, np.where(occ, days, 0.0), np.where(occ, money, 0.0)
