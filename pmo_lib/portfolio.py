"""Portfolio scoring, selection and roll-ups: AHP, weighted scores, WSJF, the best set of
projects under a budget and capacity, and programme and portfolio totals.

Prioritisation (PMI's *Standard for Portfolio Management*: evaluate, select, prioritise):

* :func:`ahp_weights` — criteria weights from a pairwise-comparison matrix (the Analytic
  Hierarchy Process), with Saaty's consistency index and ratio (:class:`AhpResult`);
* :func:`score` — weighted-sum score of candidate projects on criteria columns (strategic
  alignment, value, risk, urgency, ...), each criterion normalised to 0–1, with the
  contribution of each criterion (the score breakdown) and the rank;
* :func:`wsjf` — SAFe's Weighted Shortest Job First for agile portfolios.

Selection under constraints, solved exactly as a 0–1 integer programme by HiGHS
(:func:`scipy.optimize.milp`):

* :func:`select` — the most valuable set of candidates within a total or yearly budget and
  the role capacity per period, with mandatory candidates, mutually exclusive ones and
  dependencies (A requires B); a :class:`Selection` with the chosen ids, every candidate's
  reason for being left out, the spend per year and the slack per role and period;
* :func:`frontier` — the efficient frontier: the best value at each budget (every breakpoint,
  or a grid), with what enters and leaves from one budget to the next;
* :func:`budget_change` — what the best selection gains and loses when the budget moves
  (:class:`BudgetChange`);
* :func:`check_candidates` — the validation the three run first.

Roll-ups: :func:`rollup` — schedule, cost, risk and resource figures per programme (or
project) and for the portfolio, from :mod:`pmo_lib.evm`, :mod:`pmo_lib.schedule`,
:mod:`pmo_lib.risk` and :mod:`pmo_lib.resources`.

A candidate is named by its ``id`` column when the table has one, else by its index label.
Every function returns a new table; inputs are never modified. Errors name the argument
(``candidates``, ``costs``, ``demand``, ``capacity``, ``budget``), the row as a spreadsheet
numbers it (header = 1), the candidate and the column.

Glossary (column names; money in the portfolio currency [cur], resource units [units]: 1 =
one person full time):

======================== ================================================================
<criterion>_contribution weight × normalised criterion value, 0–weight.
score                    Sum of the contributions, 0–1 (1 = best on every criterion).
cost_of_delay            business_value + time_criticality + risk_reduction (WSJF).
wsjf                     cost_of_delay / job_size.
rank                     Position in the ranked list, 1 = first to fund or to do.
value                    A candidate's expected value, e.g. the NPV of its benefits. [cur]
cost                     A candidate's total cost; ``costs`` splits it by year. [cur]
mandatory                Must be selected (a regulatory or contractual obligation).
requires                 Ids it can only be selected with (dependencies).
excludes                 Ids it is never selected with (alternatives; mutual).
selected                 True if the candidate is in the best selection.
reason                   Why an unselected candidate is out, in plain words.
spend                    The selection's cost in a year. [cur]
slack                    Budget − spend [cur], or capacity − demand [units].
enters, leaves           Ids chosen at a budget but not at the previous one, and the reverse.
======================== ================================================================

Notes
-----
The selection is the integer programme, with :math:`x_i \\in \\{0, 1\\}` (1 = candidate *i*
selected), value :math:`v_i`, cost :math:`c_i`, yearly cost :math:`c_{iy}`, demand
:math:`d_{irp}` of role *r* in period *p*, budget :math:`B` (or :math:`B_y`) and capacity
:math:`K_{rp}`:

.. math::

    \\max \\sum_i v_i x_i \\quad \\text{s.t.} \\quad
    \\sum_i c_i x_i \\le B \\;\\text{or}\\; \\sum_i c_{iy} x_i \\le B_y \\;\\forall y, \\qquad
    \\sum_i d_{irp} x_i \\le K_{rp} \\;\\forall r, p,

    x_i = 1 \\;(i \\text{ mandatory}), \\qquad x_i \\le x_j \\;(i \\text{ requires } j), \\qquad
    x_i + x_j \\le 1 \\;(i, j \\text{ exclusive}).

It is a multi-dimensional 0–1 knapsack problem with precedence and conflict constraints
(Martello & Toth 1990; Kellerer et al. 2004), NP-hard in general but solved exactly in well
under a second for portfolios of tens of candidates by HiGHS's branch and cut with a
relative gap of 0 (the optimum is proven). Ties are broken by solving again: the cheapest
of the most valuable selections, then the one taking the earliest candidates in input
order (see :func:`select`).

References
----------
T. L. Saaty, *The Analytic Hierarchy Process*, McGraw-Hill, 1980 (eigenvector weights,
consistency index and the random indices of :data:`RANDOM_INDEX`).
T. L. Saaty, "How to make a decision: The analytic hierarchy process", *European Journal of
Operational Research* 48(1), 9–26, 1990 (the house-buying example used in the tests).
Project Management Institute, *The Standard for Portfolio Management*, 4th ed., 2017
(prioritisation by weighted criteria; portfolio optimisation under funding and capacity
constraints; portfolio performance reporting).
D. Reinertsen, *The Principles of Product Development Flow*, 2009 (cost of delay and WSJF);
Scaled Agile, Inc., "WSJF", *SAFe 6.0* framework article (the relative cost-of-delay parts).
S. Martello, P. Toth, *Knapsack Problems: Algorithms and Computer Implementations*, Wiley,
1990.
H. Kellerer, U. Pferschy, D. Pisinger, *Knapsack Problems*, Springer, 2004.
Q. Huangfu, J. A. J. Hall, "Parallelizing the dual revised simplex method", *Mathematical
Programming Computation* 10, 119–142, 2018 (HiGHS); HiGHS documentation, highs.dev.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from ._util import require_columns, silenced
from .errors import DataValidationError, InfeasibleError, Problem, UnknownReferenceError

__all__ = [
    "CAPACITY_COLUMNS",
    "CONSISTENCY_THRESHOLD",
    "COST_COLUMNS",
    "DEMAND_COLUMNS",
    "GLOSSARY",
    "LOWER_IS_BETTER",
    "RANDOM_INDEX",
    "ROLLUP_BY",
    "ROLLUP_COLUMNS",
    "SELECT_COLUMNS",
    "WSJF_COLUMNS",
    "AhpResult",
    "BudgetChange",
    "Selection",
    "ahp_weights",
    "budget_change",
    "check_candidates",
    "frontier",
    "rollup",
    "score",
    "select",
    "wsjf",
]

#: Saaty's random consistency index RI(n) for n = 1..10 criteria (Saaty 1980): the mean
#: consistency index of random reciprocal matrices of size n.
RANDOM_INDEX = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41,
                9: 1.45, 10: 1.49}
#: A pairwise matrix is acceptably consistent when its consistency ratio is at most this.
CONSISTENCY_THRESHOLD = 0.10
#: Criteria for which a lower value is better unless ``higher_is_better`` says otherwise.
LOWER_IS_BETTER = ("risk", "cost", "effort", "complexity")
#: The columns :func:`wsjf` needs; the first three add up to the cost of delay.
WSJF_COLUMNS = ("business_value", "time_criticality", "risk_reduction", "job_size")

#: Column glossary (see the module docstring).
GLOSSARY = {
    "<criterion>_contribution": "Weight × normalised criterion value (0–weight)",
    "score": "Sum of the criterion contributions, 0–1",
    "cost_of_delay": "business_value + time_criticality + risk_reduction",
    "wsjf": "cost_of_delay / job_size",
    "rank": "Position in the ranked list, 1 = first",
    "value": "Expected value of a candidate, e.g. the NPV of its benefits [cur]",
    "cost": "Total cost of a candidate [cur]",
    "mandatory": "Must be selected",
    "requires": "Ids the candidate can only be selected with",
    "excludes": "Ids the candidate is never selected with (mutual)",
    "selected": "In the best selection",
    "reason": "Why an unselected candidate is out",
    "spend": "The selection's cost in a year [cur]",
    "slack": "Budget − spend [cur], or capacity − demand [units]",
    "enters": "Ids chosen at a budget but not at the previous one",
    "leaves": "Ids chosen at the previous budget but not at this one",
}

#: Columns of the candidates table :func:`select` reads (``mandatory``, ``requires`` and
#: ``excludes`` are optional; ``id`` may be the index).
SELECT_COLUMNS = ("id", "value", "cost", "mandatory", "requires", "excludes")
#: Columns of the long table of yearly costs (``costs`` of :func:`select`).
COST_COLUMNS = ("candidate_id", "year", "cost")
#: Columns of the long table of role demand (``demand`` of :func:`select`).
DEMAND_COLUMNS = ("candidate_id", "period", "role", "units")
#: Columns of the role capacity table (``capacity`` of :func:`select`).
CAPACITY_COLUMNS = ("role", "period", "units")

#: Two selections are equally valuable (or costly) within this fraction of the largest
#: value (cost) of one candidate.
_TIE = 1e-6
#: A rounded solution may exceed a constraint by this fraction of the row's magnitude.
_FEASIBILITY = 1e-9
#: Re-solves allowed when a rounded solution breaks a constraint (then cut off).
_MAX_CUTS = 50

_PAIRWISE = "pairwise"
_CANDIDATES = "candidates"
_WEIGHTS = "weights"


# ----------------------------------------------------------------------------------------
# AHP
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AhpResult:
    """Weights and consistency of an AHP pairwise-comparison matrix (see :func:`ahp_weights`).

    Attributes
    ----------
    weights : pandas.Series
        One weight per criterion, indexed by criterion, summing to 1. [fraction]
    lambda_max : float
        Principal eigenvalue of the matrix (n for a perfectly consistent matrix).
    consistency_index : float
        CI = (λmax − n) / (n − 1); 0 when n ≤ 2.
    consistency_ratio : float
        CR = CI / RI(n); 0 when n ≤ 2 (every 2 × 2 reciprocal matrix is consistent).
    consistent : bool
        True when CR ≤ :data:`CONSISTENCY_THRESHOLD` (0.10).
    """

    weights: pd.Series
    lambda_max: float
    consistency_index: float
    consistency_ratio: float
    consistent: bool


def _label(labels, i) -> str:
    return str(labels[i])


def ahp_weights(pairwise, *, criteria=None, tolerance: float = 0.01) -> AhpResult:
    """Criteria weights from a pairwise-comparison matrix by Saaty's eigenvector method.

    Parameters
    ----------
    pairwise : pandas.DataFrame or array_like, n × n
        ``pairwise[i, j]`` says how much more important criterion i is than criterion j on
        Saaty's 1–9 scale (1 equal, 3 moderate, 5 strong, 7 very strong, 9 extreme), with
        ``pairwise[j, i] = 1 / pairwise[i, j]`` and 1 on the diagonal. A DataFrame must
        have the same labels on its rows and columns (rows are aligned to the columns).
        At most 10 criteria (the random indices of :data:`RANDOM_INDEX`).
    criteria : list of str, optional
        Criterion names, in matrix order. Default: the DataFrame's columns, or
        ``0..n-1`` for an array.
    tolerance : float
        How far ``pairwise[i, j] × pairwise[j, i]`` may be from 1: the default 0.01 accepts
        reciprocals rounded to three decimals (0.333, 0.143) or 0.33 for 1/3.

    Returns
    -------
    AhpResult
        ``weights`` (Series indexed by criterion, sum 1), ``lambda_max``,
        ``consistency_index``, ``consistency_ratio`` and ``consistent``.

    Raises
    ------
    DataValidationError
        A matrix that is not square, has more than 10 criteria, mismatched row and column
        labels, or a cell that is not a positive finite number, not 1 on the diagonal or not
        the reciprocal of its mirror cell; the message names the cell (row and column
        criterion).

    Notes
    -----
    The weights are the principal right eigenvector w of the matrix A (A w = λmax w),
    computed with :func:`numpy.linalg.eig` and scaled to sum to 1. For a positive matrix the
    Perron–Frobenius theorem makes λmax real, simple and w positive. A perfectly
    consistent matrix (a_ij = w_i / w_j) has λmax = n and recovers w exactly; otherwise
    λmax > n and the consistency index CI = (λmax − n) / (n − 1) measures the departure.
    The consistency ratio CR = CI / RI(n) compares it with that of random matrices; CR ≤
    0.10 is acceptable (Saaty 1980), above it the judgements should be revisited.

    References
    ----------
    T. L. Saaty, *The Analytic Hierarchy Process*, McGraw-Hill, 1980.
    T. L. Saaty, "How to make a decision: The analytic hierarchy process", *EJOR* 48, 1990.

    Examples
    --------
    >>> r = ahp_weights([[1, 2, 4], [1/2, 1, 2], [1/4, 1/2, 1]],
    ...                 criteria=["value", "alignment", "risk"])
    >>> r.weights.round(4).to_dict()
    {'value': 0.5714, 'alignment': 0.2857, 'risk': 0.1429}
    >>> round(r.consistency_ratio, 6), r.consistent
    (0.0, True)
    """
    a, labels = _pairwise_matrix(pairwise, criteria)
    n = a.shape[0]
    _check_pairwise(a, labels, tolerance)
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    lambda_max = float(values[k].real)
    w = np.abs(vectors[:, k].real)
    w = w / w.sum()
    if n <= 2:
        ci = cr = 0.0
    else:
        ci = max((lambda_max - n) / (n - 1), 0.0)  # rounding can give −1e-16
        cr = ci / RANDOM_INDEX[n]
    return AhpResult(weights=pd.Series(w, index=pd.Index(labels, name="criterion"),
                                       name="weight"),
                     lambda_max=lambda_max, consistency_index=float(ci),
                     consistency_ratio=float(cr),
                     consistent=bool(cr <= CONSISTENCY_THRESHOLD))


def _pairwise_matrix(pairwise, criteria):
    """The matrix as a float array and its criterion labels, with shape checks."""
    def fail(message, row=None, column=None):
        raise DataValidationError(Problem(_PAIRWISE, None, row, column, message))

    if isinstance(pairwise, pd.DataFrame):
        cols = list(pairwise.columns)
        if len(set(cols)) != len(cols) or set(pairwise.index) != set(cols) \
                or len(pairwise.index) != len(cols):
            fail(f"rows and columns must name the same criteria once each; rows "
                 f"{list(pairwise.index)}, columns {cols}")
        frame = pairwise.loc[cols, cols]
        labels = cols
    else:
        array = np.asarray(pairwise, dtype=object)
        if array.ndim != 2:
            fail(f"expected a square matrix, got an array of shape {array.shape}")
        frame = pd.DataFrame(array)
        labels = list(range(frame.shape[1]))
    rows, cols = frame.shape
    if rows != cols or rows == 0:
        fail(f"expected a non-empty square matrix, got {rows} × {cols}")
    if rows > max(RANDOM_INDEX):
        fail(f"{rows} criteria; the random indices cover at most {max(RANDOM_INDEX)}: "
             f"group the criteria into a hierarchy")
    if criteria is not None:
        criteria = list(criteria)
        if len(criteria) != rows or len(set(criteria)) != rows:
            fail(f"criteria must be {rows} distinct names, got {criteria!r}")
        labels = criteria
    numbers = frame.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(numbers) | (numbers <= 0)
    if bad.any():
        raise DataValidationError([
            Problem(_PAIRWISE, None, _label(labels, i), _label(labels, j),
                    f"must be a positive number, got {frame.iat[i, j]!r}")
            for i, j in zip(*np.nonzero(bad), strict=True)])
    return numbers, labels


def _check_pairwise(a, labels, tolerance):
    problems = []
    for i in np.nonzero(np.abs(np.diag(a) - 1.0) > 1e-9)[0]:
        problems.append(Problem(_PAIRWISE, None, _label(labels, i), _label(labels, i),
                                f"the diagonal must be 1, got {a[i, i]:g}"))
    off = np.abs(a * a.T - 1.0) > tolerance
    for i, j in zip(*np.nonzero(np.triu(off, 1)), strict=True):
        problems.append(Problem(
            _PAIRWISE, None, _label(labels, j), _label(labels, i),
            f"is not the reciprocal of ({_label(labels, i)}, {_label(labels, j)}) = "
            f"{a[i, j]:g}: expected {1 / a[i, j]:g}, got {a[j, i]:g}"))
    if problems:
        raise DataValidationError(problems)


# ----------------------------------------------------------------------------------------
# Weighted scoring
# ----------------------------------------------------------------------------------------
def _ids(candidates: pd.DataFrame) -> list[str]:
    source = candidates["id"] if "id" in candidates.columns else candidates.index
    return [str(v) for v in source]


def _numeric(candidates: pd.DataFrame, columns, ids) -> pd.DataFrame:
    """The columns as floats; a DataValidationError naming every missing or non-numeric cell."""
    raw = candidates[list(columns)]
    values = raw.apply(pd.to_numeric, errors="coerce").astype(float)
    bad = ~np.isfinite(values.to_numpy())
    if bad.any():
        raise DataValidationError([
            Problem(_CANDIDATES, int(i) + 2, ids[i], columns[j],
                    "missing value" if pd.isna(raw.iat[i, j])
                    else f"not a finite number: {raw.iat[i, j]!r}")
            for i, j in zip(*np.nonzero(bad), strict=True)])
    return values


def _weights(weights, criteria) -> pd.Series:
    if isinstance(weights, AhpResult):
        weights = weights.weights
    if isinstance(weights, Mapping):
        weights = pd.Series(dict(weights), dtype=object)
    if not isinstance(weights, pd.Series):
        raise DataValidationError(Problem(
            _WEIGHTS, None, None, None,
            f"expected a dict, Series or AhpResult, got {type(weights).__name__}"))
    if criteria is not None:
        criteria = list(criteria)
        if len(criteria) != len(weights) or len(set(criteria)) != len(criteria):
            raise DataValidationError(Problem(
                _WEIGHTS, None, None, None,
                f"criteria must be {len(weights)} distinct names, one per weight, got "
                f"{criteria!r}"))
        weights = pd.Series(weights.to_numpy(), index=criteria, dtype=object)
    if weights.empty or weights.index.has_duplicates:
        raise DataValidationError(Problem(_WEIGHTS, None, None, None,
                                          "need at least one criterion, each named once"))
    numbers = pd.to_numeric(weights, errors="coerce").astype(float)
    bad = ~np.isfinite(numbers) | (numbers < 0)
    if bad.any():
        raise DataValidationError([
            Problem(_WEIGHTS, None, None, str(c), f"must be a number ≥ 0, got {weights[c]!r}")
            for c in numbers.index[bad]])
    if numbers.sum() <= 0:
        raise DataValidationError(Problem(_WEIGHTS, None, None, None,
                                          "the weights add up to 0"))
    return numbers / numbers.sum()


def _direction(criteria, higher_is_better) -> dict:
    given = dict(higher_is_better or {})
    unknown = [k for k in given if k not in criteria]
    if unknown:
        raise DataValidationError(Problem(
            "higher_is_better", None, None, str(unknown[0]),
            f"is not a weighted criterion; the criteria are {', '.join(map(str, criteria))}"))
    return {c: bool(given.get(c, c not in LOWER_IS_BETTER)) for c in criteria}


def _scales(criteria, scales) -> dict:
    if scales is None:
        return {}
    if not isinstance(scales, Mapping):
        scales = dict.fromkeys(criteria, scales)
    out = {}
    for c, bounds in scales.items():
        if c not in criteria:
            raise DataValidationError(Problem(
                "scales", None, None, str(c),
                f"is not a weighted criterion; the criteria are {', '.join(map(str, criteria))}"))
        try:
            low, high = (float(b) for b in bounds)
        except (TypeError, ValueError):
            low = high = np.nan
        if not (np.isfinite(low) and np.isfinite(high) and low < high):
            raise DataValidationError(Problem(
                "scales", None, None, str(c),
                f"needs a (low, high) pair with low < high, got {bounds!r}"))
        out[c] = (low, high)
    return out


def _sorted_with_rank(table: pd.DataFrame, keys, ascending, ids) -> pd.DataFrame:
    """``table`` sorted by ``keys`` then id (stable), with a 1..n ``rank`` column."""
    order = pd.DataFrame({f"_k{i}": np.asarray(k) for i, k in enumerate(keys)})
    order["_id"] = ids
    order = order.sort_values(list(order.columns), ascending=[*ascending, True],
                              kind="mergesort")
    out = table.iloc[order.index.to_numpy()].copy()
    out["rank"] = np.arange(1, len(out) + 1)
    return out


def score(candidates: pd.DataFrame, weights, *, criteria=None, scales=None,
          higher_is_better=None) -> pd.DataFrame:
    """Weighted-sum score and rank of candidate projects on several criteria.

    Parameters
    ----------
    candidates : pandas.DataFrame
        One row per candidate, an ``id`` column (optional: else the index names the
        candidate) and one numeric column per criterion (e.g. ``strategic_alignment``,
        ``value``, ``risk``, ``urgency``).
    weights : dict, pandas.Series or AhpResult
        Weight of each criterion, keyed by criterion column. Weights that do not add up to
        1 are divided by their sum (so points such as 40/30/20/10 can be entered as they
        are); each must be ≥ 0 and their sum > 0. [fraction]
    criteria : list of str, optional
        The criterion columns in the order of ``weights``, replacing its labels (useful
        with an :class:`AhpResult` of an unlabelled matrix).
    scales : tuple or dict, optional
        ``(low, high)`` bounds of a fixed scale, e.g. ``(1, 5)``, for every criterion, or a
        dict of them for some criteria. Criteria without a scale are normalised min–max
        across the candidates.
    higher_is_better : dict, optional
        ``{criterion: bool}``. Default: True, except for the criteria named in
        :data:`LOWER_IS_BETTER` (``risk``, ``cost``, ``effort``, ``complexity``).

    Returns
    -------
    pandas.DataFrame
        The candidates (original index and columns) sorted by rank, with
        ``<criterion>_contribution`` for each criterion, ``score`` and ``rank`` (1 = best;
        equal scores are ordered by id).

    Raises
    ------
    MissingDataError
        A criterion column is missing.
    DataValidationError
        A missing or non-numeric criterion value (naming the candidate and column), a value
        outside its fixed scale, a negative or non-numeric weight, bad scales, or an unknown
        criterion in ``scales`` or ``higher_is_better``.

    Notes
    -----
    Each criterion x is normalised to 0–1, 1 being best:

    * min–max across the candidates: (x − min) / (max − min), or (max − x) / (max − min)
      when lower is better; a criterion on which every candidate is equal scores 1 for all
      (it cannot separate them);
    * on a fixed scale [low, high]: (x − low) / (high − low), or (high − x) / (high − low).

    contribution = weight × normalised value; score = Σ contributions, from 0 to 1.
    Min–max scores are relative to the candidate set: adding a candidate can change them.

    Examples
    --------
    >>> c = pd.DataFrame({"id": ["A", "B"], "value": [10, 30], "risk": [1, 5]})
    >>> score(c, {"value": 3, "risk": 1})[["id", "score", "rank"]]
      id  score  rank
    1  B   0.75     1
    0  A   0.25     2
    """
    w = _weights(weights, criteria)
    names = list(w.index)
    require_columns(candidates, _CANDIDATES, names, "candidates table")
    ids = _ids(candidates)
    values = _numeric(candidates, names, ids)
    higher = _direction(names, higher_is_better)
    fixed = _scales(names, scales)
    lows = np.array(values.min(), dtype=float)
    highs = np.array(values.max(), dtype=float)
    problems = []
    for j, c in enumerate(names):
        if c in fixed:
            lows[j], highs[j] = fixed[c]
            outside = ~values[c].between(*fixed[c]).to_numpy()
            problems += [Problem(_CANDIDATES, int(i) + 2, ids[i], c,
                                 f"{values[c].iat[i]:g} is outside the scale "
                                 f"{fixed[c][0]:g}–{fixed[c][1]:g}")
                         for i in np.nonzero(outside)[0]]
    if problems:
        raise DataValidationError(problems)
    span = highs - lows
    x = values.to_numpy()
    up = np.array([higher[c] for c in names])
    with np.errstate(invalid="ignore", divide="ignore"):
        norm = np.where(up, x - lows, highs - x) / span
    norm = np.where(span > 0, norm, 1.0)
    contributions = norm * w.to_numpy()
    out = candidates.copy()
    for j, c in enumerate(names):
        out[f"{c}_contribution"] = contributions[:, j]
    out["score"] = contributions.sum(axis=1)
    return _sorted_with_rank(out, [np.round(out["score"].to_numpy(), 12)], [False], ids)


# ----------------------------------------------------------------------------------------
# WSJF
# ----------------------------------------------------------------------------------------
def wsjf(candidates: pd.DataFrame) -> pd.DataFrame:
    """SAFe's Weighted Shortest Job First: cost of delay divided by job size, ranked.

    Parameters
    ----------
    candidates : pandas.DataFrame
        One row per epic, feature or project: an ``id`` column (optional: else the index),
        ``business_value``, ``time_criticality``, ``risk_reduction`` (risk reduction and/or
        opportunity enablement) and ``job_size``, each a relative estimate (SAFe uses the
        modified Fibonacci scale 1, 2, 3, 5, 8, 13, 20), ≥ 0; ``job_size`` > 0.

    Returns
    -------
    pandas.DataFrame
        The candidates (original index and columns) sorted by rank, with
        ``cost_of_delay``, ``wsjf`` and ``rank`` (1 = do first).

    Raises
    ------
    MissingDataError
        A column of :data:`WSJF_COLUMNS` is missing.
    DataValidationError
        A missing, non-numeric or negative value, or a job size ≤ 0, naming the candidate
        and column.

    Notes
    -----
    cost_of_delay = business_value + time_criticality + risk_reduction;
    wsjf = cost_of_delay / job_size. Higher WSJF first; equal WSJF are ordered by smaller
    job size (finish the short job first), then by id.

    Examples
    --------
    >>> c = pd.DataFrame({"id": ["F1", "F2"], "business_value": [8, 3],
    ...                   "time_criticality": [5, 2], "risk_reduction": [2, 1],
    ...                   "job_size": [5, 2]})
    >>> wsjf(c)[["id", "cost_of_delay", "wsjf", "rank"]]
       id  cost_of_delay  wsjf  rank
    1  F2            6.0   3.0     1
    0  F1           15.0   3.0     2
    """
    require_columns(candidates, _CANDIDATES, WSJF_COLUMNS, "candidates table")
    ids = _ids(candidates)
    values = _numeric(candidates, list(WSJF_COLUMNS), ids)
    x = values.to_numpy()
    limit = np.array([0.0, 0.0, 0.0, np.nan])
    problems = [Problem(_CANDIDATES, int(i) + 2, ids[i], WSJF_COLUMNS[j],
                        f"must be ≥ 0, got {x[i, j]:g}")
                for i, j in zip(*np.nonzero(x < limit), strict=True)]
    problems += [Problem(_CANDIDATES, int(i) + 2, ids[i], "job_size",
                         f"must be > 0, got {x[i, 3]:g}")
                 for i in np.nonzero(x[:, 3] <= 0)[0]]
    if problems:
        raise DataValidationError(sorted(problems, key=lambda p: p.row))
    out = candidates.copy()
    cod = values[list(WSJF_COLUMNS[:3])].sum(axis=1)
    out["cost_of_delay"] = cod.to_numpy()
    out["wsjf"] = cod.to_numpy() / x[:, 3]
    return _sorted_with_rank(out, [np.round(out["wsjf"].to_numpy(), 12), x[:, 3]],
                             [False, True], ids)


# ----------------------------------------------------------------------------------------
# Selection under constraints: a 0-1 integer programme solved by HiGHS
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Instance:
    """Validated inputs of :func:`select`, as arrays in candidate (input) order."""

    table: pd.DataFrame             # the candidates, parsed value, cost and mandatory
    ids: tuple[str, ...]
    rows: np.ndarray                # spreadsheet row of each candidate (header = 1)
    value: np.ndarray               # [cur]
    cost: np.ndarray                # [cur]
    mandatory: np.ndarray           # bool
    requires: tuple[tuple[int, ...], ...]
    excluded: tuple[tuple[int, int], ...]   # pairs i < j
    yearly: pd.DataFrame | None     # n × years [cur]; None without yearly costs
    demand: pd.DataFrame            # n × (role, period) [units]
    capacity: pd.Series             # (role, period) → units [units]

    @property
    def n(self) -> int:
        return len(self.ids)


def _is_blank(cell) -> bool:
    if cell is None or cell is pd.NA or cell is pd.NaT:
        return True
    if isinstance(cell, float | np.floating):
        return bool(np.isnan(cell))
    return isinstance(cell, str) and not cell.strip()


def _id_list(cell) -> tuple[str, ...] | None:
    """Ids from a cell: text separated by ';', a list, tuple or set, or blank. None if neither."""
    if _is_blank(cell):
        return ()
    if isinstance(cell, str):
        parts = cell.split(";")
    elif isinstance(cell, set | frozenset):
        parts = sorted(map(str, cell))
    elif isinstance(cell, list | tuple | np.ndarray | pd.Series | pd.Index):
        parts = list(cell)
    else:
        return None
    return tuple(dict.fromkeys(str(p).strip() for p in parts if str(p).strip()))


_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f"}


def _flag(cell) -> bool | None:
    """A mandatory flag: bool, 0/1, true/false/yes/no text, blank = False; None if neither."""
    if _is_blank(cell):
        return False
    if isinstance(cell, bool | np.bool_):
        return bool(cell)
    if isinstance(cell, int | float | np.integer | np.floating) and cell in (0, 1):
        return bool(cell)
    if isinstance(cell, str) and cell.strip().lower() in _TRUE | _FALSE:
        return cell.strip().lower() in _TRUE
    return None


def _cell(value) -> str:
    """A cell as messages show it: text quoted, numbers plain (no ``np.float64(...)``)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _duplicates(keys: pd.DataFrame, table: str, ids, what: str) -> list[Problem]:
    """A Problem for each row whose key repeats an earlier row's."""
    tuples = [tuple(r) for r in keys.itertuples(index=False)]
    first: dict = {}
    problems = []
    for k, key in enumerate(tuples):
        if key in first:
            problems.append(Problem(table, k + 2, ids[k], what,
                                    f"duplicate {what} (first on row {first[key] + 2})"))
        else:
            first[key] = k
    return problems


def _long_table(df, table: str, columns, number: str, known: dict, problems, references,
                *, whole: str | None = None) -> pd.DataFrame:
    """A long input table (yearly costs, demand, capacity) checked cell by cell: ids known,
    ``number`` a finite number ≥ 0, ``whole`` a whole number. Rows are spreadsheet rows."""
    require_columns(df, table, columns, f"{table} table")
    out = df[list(columns)].reset_index(drop=True).copy()
    ids = ([None if _is_blank(v) else str(v).strip() for v in out["candidate_id"]]
           if "candidate_id" in out else [None] * len(out))
    for k, cid in enumerate(ids):
        if "candidate_id" in out and cid is None:
            problems.append(Problem(table, k + 2, None, "candidate_id", "is blank"))
        elif cid is not None and cid not in known:
            references.append(Problem(table, k + 2, cid, "candidate_id",
                                      f"refers to unknown candidate {cid!r}"))
    if "candidate_id" in out:
        out["candidate_id"] = ids
    for col in [c for c in columns if c not in ("candidate_id", number, whole)]:
        blank = out[col].map(_is_blank).to_numpy(dtype=bool)
        problems += [Problem(table, k + 2, ids[k], col, "is blank") for k in np.flatnonzero(blank)]
        out[col] = [None if b else str(v).strip() for v, b in zip(out[col], blank, strict=True)]
    amounts = pd.to_numeric(out[number], errors="coerce").astype(float)
    bad = ~(np.isfinite(amounts.to_numpy()) & (amounts.to_numpy() >= 0))
    problems += [Problem(table, k + 2, ids[k], number,
                         f"must be a number ≥ 0, got {_cell(out[number].iat[k])}")
                 for k in np.flatnonzero(bad)]
    out[number] = amounts
    if whole is not None:
        w = pd.to_numeric(out[whole], errors="coerce").astype(float)
        bad = ~(np.isfinite(w.to_numpy()) & (w.to_numpy() % 1 == 0))
        problems += [Problem(table, k + 2, ids[k], whole,
                             f"must be a whole number (a year), got {_cell(out[whole].iat[k])}")
                     for k in np.flatnonzero(bad)]
        out[whole] = w.fillna(0).astype(np.int64)
    key = [c for c in columns if c != number]
    problems += _duplicates(out[key], table, ids, " + ".join(key))
    return out


def _instance(candidates, costs=None, demand=None, capacity=None) -> _Instance:
    """Validate the inputs of :func:`select` (every problem listed, file = argument name)."""
    require_columns(candidates, _CANDIDATES, ["value", "cost"], "candidates table")
    if candidates.empty:
        raise DataValidationError(Problem(_CANDIDATES, None, None, None,
                                          "has no rows: there is nothing to select"))
    raw_ids = candidates["id"] if "id" in candidates.columns else pd.Series(candidates.index)
    ids = [None if _is_blank(v) else str(v).strip() for v in raw_ids]
    rows = np.arange(len(ids)) + 2
    problems = [Problem(_CANDIDATES, int(rows[k]), None, "id", "is blank")
                for k, v in enumerate(ids) if v is None]
    problems += _duplicates(pd.DataFrame({"id": ids}), _CANDIDATES, ids, "id")
    numbers = {}
    for col in ("value", "cost"):
        raw = candidates[col].reset_index(drop=True)
        x = pd.to_numeric(raw, errors="coerce").astype(float).to_numpy()
        for k in np.flatnonzero(~np.isfinite(x) | (x < 0)):
            what = ("missing value" if _is_blank(raw.iat[k]) else
                    f"must be ≥ 0, got {x[k]:g}" if np.isfinite(x[k]) else
                    f"not a finite number: {_cell(raw.iat[k])}")
            problems.append(Problem(_CANDIDATES, int(rows[k]), ids[k], col, what))
        numbers[col] = x
    mandatory = np.zeros(len(ids), dtype=bool)
    if "mandatory" in candidates.columns:
        for k, cell in enumerate(candidates["mandatory"]):
            flag = _flag(cell)
            if flag is None:
                problems.append(Problem(_CANDIDATES, int(rows[k]), ids[k], "mandatory",
                                        f"must be true or false, got {_cell(cell)}"))
            mandatory[k] = bool(flag)
    lists: dict[str, list[tuple[str, ...]]] = {}
    for col in ("requires", "excludes"):
        lists[col] = []
        cells = candidates[col] if col in candidates.columns else [None] * len(ids)
        for k, cell in enumerate(cells):
            parsed = _id_list(cell)
            if parsed is None:
                problems.append(Problem(_CANDIDATES, int(rows[k]), ids[k], col,
                                        f"expected ids separated by ';' or a list, got "
                                        f"{_cell(cell)}"))
                parsed = ()
            lists[col].append(parsed)
    if problems:
        raise DataValidationError(problems)
    position = {cid: k for k, cid in enumerate(ids)}
    references = [Problem(_CANDIDATES, int(rows[k]), ids[k], col,
                          f"refers to unknown candidate {ref!r}")
                  for col in ("requires", "excludes") for k, refs in enumerate(lists[col])
                  for ref in refs if ref not in position]
    long = {}
    for name, df, columns, number, whole in (
            ("costs", costs, COST_COLUMNS, "cost", "year"),
            ("demand", demand, DEMAND_COLUMNS, "units", None),
            ("capacity", capacity, CAPACITY_COLUMNS, "units", None)):
        if df is not None:
            long[name] = _long_table(df, name, columns, number, position, problems,
                                     references, whole=whole)
    if problems:
        raise DataValidationError(problems)
    if references:
        raise UnknownReferenceError(references)
    # Rules across cells: self-references, a candidate both requiring and excluding another,
    # yearly costs adding up to the cost.
    pairs: set[tuple[int, int]] = set()
    for k, refs in enumerate(lists["excludes"]):
        for ref in refs:
            j = position[ref]
            if j == k:
                problems.append(Problem(_CANDIDATES, int(rows[k]), ids[k], "excludes",
                                        "a candidate cannot exclude itself"))
            else:
                pairs.add((min(k, j), max(k, j)))
    requires = []
    for k, refs in enumerate(lists["requires"]):
        need = []
        for ref in refs:
            j = position[ref]
            if j == k:
                problems.append(Problem(_CANDIDATES, int(rows[k]), ids[k], "requires",
                                        "a candidate cannot require itself"))
            elif (min(k, j), max(k, j)) in pairs:
                by = ("it also excludes it" if ref in lists["excludes"][k]
                      else f"{ref} excludes {ids[k]}")
                problems.append(Problem(_CANDIDATES, int(rows[k]), ids[k], "requires",
                                        f"requires {ref} but {by}: it could never be "
                                        "selected; remove one of the two"))
            else:
                need.append(j)
        requires.append(tuple(need))
    cost, value = numbers["cost"], numbers["value"]
    yearly = None
    if "costs" in long:
        c = long["costs"]
        c = c.assign(k=c["candidate_id"].map(position))
        yearly = c.pivot_table(index="k", columns="year", values="cost", aggfunc="sum")
        yearly = yearly.reindex(range(len(ids))).fillna(0.0)
        yearly.columns = pd.Index([int(y) for y in yearly.columns], name="year")
        has_rows = np.zeros(len(ids), dtype=bool)
        has_rows[c["k"].to_numpy(dtype=int)] = True
        total = yearly.sum(axis=1).to_numpy()
        for k in range(len(ids)):
            if not has_rows[k] and cost[k] > 0:
                problems.append(Problem(_CANDIDATES, int(rows[k]), ids[k], "cost",
                                        f"is {_amount(cost[k])} but the candidate has no "
                                        "rows in the yearly costs"))
            elif abs(total[k] - cost[k]) > max(0.005, 1e-9 * cost[k]):
                problems.append(Problem(_CANDIDATES, int(rows[k]), ids[k], "cost",
                                        f"is {_amount(cost[k])} but its yearly costs add up "
                                        f"to {_amount(total[k])}; make them agree"))
    if problems:
        raise DataValidationError(problems)
    columns = pd.MultiIndex.from_tuples([], names=["role", "period"])
    need = pd.DataFrame(np.zeros((len(ids), 0)), columns=columns)
    if "demand" in long and len(long["demand"]):
        d = long["demand"].assign(k=long["demand"]["candidate_id"].map(position))
        need = d.pivot_table(index="k", columns=["role", "period"], values="units",
                             aggfunc="sum").reindex(range(len(ids))).fillna(0.0)
    limit = pd.Series(dtype=float, index=columns)
    if "capacity" in long and len(long["capacity"]):
        cap = long["capacity"]
        limit = pd.Series(cap["units"].to_numpy(),
                          index=pd.MultiIndex.from_frame(cap[["role", "period"]]))
    table = candidates.copy()
    table["value"], table["cost"], table["mandatory"] = value, cost, mandatory
    return _Instance(table=table, ids=tuple(ids), rows=rows, value=value, cost=cost,
                     mandatory=mandatory, requires=tuple(requires),
                     excluded=tuple(sorted(pairs)), yearly=yearly, demand=need,
                     capacity=limit)


def check_candidates(candidates: pd.DataFrame, *, costs=None, demand=None,
                     capacity=None) -> pd.DataFrame:
    """Validate a planning round: the checks :func:`select` runs first.

    Parameters
    ----------
    candidates, costs, demand, capacity
        As for :func:`select`.

    Returns
    -------
    pandas.DataFrame
        The candidates (original index and columns) with ``value`` and ``cost`` as floats
        [cur] and ``mandatory`` as bool.

    Raises
    ------
    MissingDataError
        A required column is missing.
    DataValidationError
        A blank or duplicate id; a missing, non-numeric, NaN or negative value or cost; a
        mandatory flag that is not true or false; ``requires`` or ``excludes`` that are not
        ids; a candidate requiring or excluding itself, or both requiring and excluding the
        same candidate (in either direction: exclusions are mutual); yearly costs that do
        not add up to the candidate's cost; a bad or duplicate row of a long table. The
        message names the argument (``candidates``, ``costs``, ``demand``,
        ``capacity``), the row (header = 1), the candidate and the column.
    UnknownReferenceError
        ``requires``, ``excludes`` or a long table naming an unknown candidate.

    Examples
    --------
    >>> c = pd.DataFrame({"id": ["A", "B"], "value": [5, 3], "cost": [2, 1],
    ...                   "requires": ["B", ""], "excludes": ["", "A"]})
    >>> check_candidates(c)
    Traceback (most recent call last):
    ...
    pmo_lib.errors.DataValidationError: candidates, row 2, ID 'A', column 'requires': \
requires B but B excludes A: it could never be selected; remove one of the two
    """
    return _instance(candidates, costs, demand, capacity).table


# -- constraints -----------------------------------------------------------------------------
def _amount(x: float) -> str:
    """Money for messages: thousands separated, cents only when there are any."""
    x = float(x)
    return f"{x:,.0f}" if abs(x - round(x)) < 5e-3 else f"{x:,.2f}"


@dataclass(frozen=True)
class _Rows:
    """Budget and capacity rows ``a @ x ≤ limit`` (one per budget year or role × period)."""

    a: np.ndarray            # m × n
    limit: np.ndarray        # m
    kind: tuple[str, ...]    # "budget" or "capacity"
    key: tuple               # None (total budget), year, or (role, period)


def _budget_rows(inst: _Instance, budget) -> _Rows:
    """The budget rows (one for a total budget, one per year of a yearly budget) and the
    capacity rows (one per role × period that has a capacity)."""
    a, limit, kind, key = [], [], [], []
    if budget is not None:
        if isinstance(budget, Mapping | pd.Series):
            if inst.yearly is None:
                raise DataValidationError(Problem(
                    "budget", None, None, None,
                    "a budget per year needs the yearly costs: pass costs=... (a table with "
                    "columns candidate_id, year, cost)"))
            for year, amount in dict(budget).items():
                y = pd.to_numeric(pd.Series([year]), errors="coerce").iloc[0]
                if isinstance(year, bool) or not (np.isfinite(y) and y % 1 == 0):
                    raise DataValidationError(Problem("budget", None, None, str(year),
                                                      "a budget's key must be a year"))
                money = _budget_amount(amount, f"the {int(y)} budget")
                column = inst.yearly[int(y)] if int(y) in inst.yearly.columns else 0.0
                a.append(np.broadcast_to(np.asarray(column, dtype=float), (inst.n,)))
                limit.append(money)
                kind.append("budget")
                key.append(int(y))
        else:
            limit.append(_budget_amount(budget, "the budget"))
            a.append(inst.cost)
            kind.append("budget")
            key.append(None)
    for (role, period), units in inst.capacity.items():
        column = (inst.demand[(role, period)].to_numpy() if (role, period) in inst.demand
                  else np.zeros(inst.n))
        a.append(column)
        limit.append(float(units))
        kind.append("capacity")
        key.append((role, period))
    return _Rows(a=np.array(a, dtype=float).reshape(len(a), inst.n),
                 limit=np.array(limit, dtype=float), kind=tuple(kind), key=tuple(key))


def _budget_amount(amount, what: str) -> float:
    try:
        money = np.nan if isinstance(amount, bool) else float(amount)
    except (TypeError, ValueError):
        money = np.nan
    if not (np.isfinite(money) and money >= 0):
        raise DataValidationError(Problem(
            "budget", None, None, None,
            f"{what} must be a number ≥ 0 (or a mapping year → number), got {amount!r}"))
    return money


def _logic_rows(inst: _Instance) -> tuple[np.ndarray, np.ndarray]:
    """Rows for the exclusions (x_i + x_j ≤ 1) and dependencies (x_i − x_j ≤ 0)."""
    a, limit = [], []
    for i, j in inst.excluded:
        row = np.zeros(inst.n)
        row[[i, j]] = 1.0
        a.append(row)
        limit.append(1.0)
    for i, need in enumerate(inst.requires):
        for j in need:
            row = np.zeros(inst.n)
            row[i], row[j] = 1.0, -1.0
            a.append(row)
            limit.append(0.0)
    return np.array(a, dtype=float).reshape(len(a), inst.n), np.array(limit, dtype=float)


def _forced(inst: _Instance) -> dict[int, list[int]]:
    """The candidates every selection holds: the mandatory ones and, transitively, those
    they require; each with the chain of ids from a mandatory candidate to it."""
    chain = {i: [i] for i in np.flatnonzero(inst.mandatory)}
    todo = list(chain)
    while todo:
        i = todo.pop(0)
        for j in inst.requires[i]:
            if j not in chain:
                chain[j] = [*chain[i], j]
                todo.append(j)
    return chain


def _check_feasible(inst: _Instance, rows: _Rows) -> None:
    """An InfeasibleError naming the candidates when the mandatory ones (and what they
    require) exclude each other or exceed a budget or a capacity. Otherwise that forced set
    is itself a feasible selection, so the integer programme is feasible."""
    chain = _forced(inst)
    ids = inst.ids

    def why(i):
        path = chain[i]
        if len(path) == 1:
            return f"{ids[i]} is mandatory"
        return (f"{ids[i]} is required by mandatory {ids[path[0]]} "
                f"({' → '.join(ids[k] for k in path)})")

    problems = []
    for i, j in inst.excluded:
        if i in chain and j in chain:
            if len(chain[i]) == len(chain[j]) == 1:
                text = f"mandatory candidates {ids[i]} and {ids[j]} exclude each other"
            else:
                text = (f"{ids[i]} and {ids[j]} exclude each other but both must be "
                        f"selected: {why(i)}; {why(j)}")
            problems.append(Problem(_CANDIDATES, int(inst.rows[i]), ids[i], "excludes", text))
    if problems:
        raise InfeasibleError(problems)
    x = np.zeros(inst.n)
    x[list(chain)] = 1.0
    use = rows.a @ x
    for r in np.flatnonzero(use > rows.limit + _row_tolerance(rows.a, rows.limit)):
        involved = [k for k in sorted(chain) if rows.a[r, k] > 0]
        names = ", ".join(ids[k] for k in involved)
        extra = [ids[k] for k in involved if not inst.mandatory[k]]
        who = (f"the mandatory candidates and those they require ({names})" if extra
               else f"the mandatory candidates ({names})")
        if rows.kind[r] == "budget":
            year = rows.key[r]
            where = "the budget" if year is None else f"the {year} budget"
            when = "" if year is None else f" in {year}"
            text = (f"{who} cost {_amount(use[r])}{when}, over {where} of "
                    f"{_amount(rows.limit[r])}")
            problems.append(Problem("budget", None, None, None if year is None else str(year),
                                    text))
        else:
            role, period = rows.key[r]
            text = (f"{who} need {use[r]:g} units of {role} in {period}, over its capacity "
                    f"of {rows.limit[r]:g}")
            problems.append(Problem("capacity", None, None, None, text))
    if problems:
        raise InfeasibleError(problems)


def _row_tolerance(a: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """How far a row may exceed its limit through rounding: 1e-9 of its magnitude."""
    return _FEASIBILITY * (1.0 + np.abs(a).sum(axis=1) + np.abs(limit))


# -- solving -------------------------------------------------------------------------------
def _solve(objective, lower, upper, a, limit, tolerance,
           time_limit) -> tuple[int, np.ndarray | None]:
    """One HiGHS solve of min objective·x, x binary within [lower, upper], a x ≤ limit.

    Returns the status (0 optimal, 1 time or node limit, 2 infeasible, ...) and the rounded
    solution, checked against every row within ``tolerance``; a solution HiGHS accepted
    within its own tolerances that breaks a row once rounded is cut off and the problem
    solved again. A HiGHS solve error (status 4) is retried once without presolve.
    """
    options = {"mip_rel_gap": 0.0}
    if time_limit is not None:
        options["time_limit"] = float(time_limit)
    n = len(objective)
    for _ in range(_MAX_CUTS):
        constraints = [LinearConstraint(a, -np.inf, limit + tolerance / 2)] if len(a) else []
        # Some HiGHS builds print diagnostics straight to the C-level standard output,
        # which scipy's options cannot switch off (ERGO-Code/HiGHS#2783); in a notebook or
        # the monthly report they would land in the output.
        with silenced("stdout"):
            res = milp(objective, integrality=np.ones(n), bounds=Bounds(lower, upper),
                       constraints=constraints, options=options)
        if res.status == 4 and options.get("presolve", True):  # a HiGHS solve error:
            options["presolve"] = False                          # once more, unpresolved
            continue
        if res.x is None:
            return int(res.status), None
        x = np.round(res.x)
        if not len(a) or np.all(a @ x <= limit + tolerance):
            return int(res.status), x
        cut = np.where(x > 0.5, 1.0, -1.0)  # Σ_{x̂=1} x − Σ_{x̂=0} x ≤ |x̂| − 1
        a = np.vstack([a, cut])
        limit = np.append(limit, x.sum() - 1.0)
        tolerance = np.append(tolerance, 0.0)
    return 4, None


def _ties(inst: _Instance) -> tuple[float, float]:
    """Value and cost differences that count as ties: a millionth of the largest value or
    cost of one candidate (HiGHS's own tolerances are ten times smaller)."""
    return (_TIE * max(1.0, float(inst.value.max())),
            _TIE * max(1.0, float(inst.cost.max())))


def _base(inst: _Instance, rows: _Rows):
    """The rows of every solve: budgets and capacities that some selection could exceed,
    exclusions, dependencies; with their tolerances."""
    logic_a, logic_limit = _logic_rows(inst)
    needed = ~((rows.a >= 0).all(axis=1) & (rows.a.sum(axis=1) <= rows.limit))  # else always met
    a = np.vstack([rows.a[needed], logic_a])
    limit = np.concatenate([rows.limit[needed], logic_limit])
    return a, limit, _row_tolerance(a, limit)


def _optimise(inst: _Instance, rows: _Rows, time_limit) -> tuple[np.ndarray, bool]:
    """The selection: most value, then least cost, then earliest candidates in input order.

    Returns the 0/1 vector and whether its value is proven optimal.
    """
    a, limit, tolerance = _base(inst, rows)
    lower = inst.mandatory.astype(float)
    upper = np.ones(inst.n)
    forced = np.zeros(inst.n)
    forced[list(_forced(inst))] = 1.0
    tie_value, tie_cost = _ties(inst)
    # 1. most value
    status, x = _solve(-inst.value, lower, upper, a, limit, tolerance, time_limit)
    if x is None:  # time limit before any solution: the forced set is feasible
        return forced, False
    optimal = status == 0
    a = np.vstack([a, -inst.value])
    limit = np.append(limit, -(float(inst.value @ x) - tie_value))
    tolerance = np.append(tolerance, 0.0)
    # 2. least cost among the most valuable selections
    status, y = _solve(inst.cost, lower, upper, a, limit, tolerance, time_limit)
    if y is not None and status == 0:
        x = y
    a = np.vstack([a, inst.cost])
    limit = np.append(limit, float(inst.cost @ x) + tie_cost)
    tolerance = np.append(tolerance, 0.0)
    # 3. the earliest candidates: is there another selection as good and as cheap?
    zero = np.zeros(inst.n)
    status, y = _solve(zero, lower, upper, np.vstack([a, np.where(x > 0.5, 1.0, -1.0)]),
                       np.append(limit, x.sum() - 1.0), np.append(tolerance, 0.0),
                       time_limit)
    if y is None:
        return x, optimal
    lower, upper = lower.copy(), upper.copy()
    for i in range(inst.n):
        if x[i] > 0.5:
            lower[i] = 1.0
            continue
        trial = lower.copy()
        trial[i] = 1.0
        status, y = _solve(zero, trial, upper, a, limit, tolerance, time_limit)
        if y is not None and status == 0:
            x, lower = y, trial
        else:
            upper[i] = 0.0
    return x, optimal


# -- results -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Selection:
    """The best selection of candidates under the constraints (see :func:`select`).

    Attributes
    ----------
    chosen : tuple of str
        Ids of the selected candidates, in input order.
    table : pandas.DataFrame
        Every candidate, in input order (original index and columns), with ``value`` and
        ``cost`` [cur] as floats, ``mandatory`` (bool), ``selected`` (bool) and ``reason``:
        why an unselected candidate was left out, in plain words ("excluded by X",
        "requires Y (not selected)", "does not fit the 2027 budget (needs 300,000, 120,000
        left)", "needs 2 Developer in 2027Q2, 1.5 free" [units], "adds no value"), several
        joined with "; "; empty for the selected ones.
    value : float
        Total value of the selection. [cur]
    cost : float
        Total cost of the selection. [cur]
    slack : float
        Money left: budget − cost for a total budget; the sum of the yearly slacks over the
        budgeted years for a budget per year; NaN without a budget. [cur]
    spend : pandas.DataFrame
        One row per year of the yearly costs or of the budget, index ``year`` (int):
        ``budget`` (NaN for a year without one), ``spend`` (the selection's cost in that
        year) and ``slack`` (budget − spend) [cur]. Empty without yearly costs.
    capacity : pandas.DataFrame
        One row per role and period with a capacity or a demand, sorted: ``role``,
        ``period``, ``capacity`` (NaN where none is given: not constrained), ``demand`` (of
        the selection) and ``slack`` (capacity − demand) [units]. Empty without either.
    optimal : bool
        True when HiGHS proved the value optimal; False if the time limit stopped it (or
        HiGHS failed), the selection then being the best found (at worst the forced set).
    """

    chosen: tuple[str, ...]
    table: pd.DataFrame
    value: float
    cost: float
    slack: float
    spend: pd.DataFrame
    capacity: pd.DataFrame
    optimal: bool

    def __repr__(self) -> str:
        proof = "optimal" if self.optimal else "not proven optimal"
        return (f"Selection({len(self.chosen)} of {len(self.table)} chosen: value "
                f"{_amount(self.value)}, cost {_amount(self.cost)}, {proof})")


def _reasons(inst: _Instance, rows: _Rows, x: np.ndarray) -> list[str]:
    """Why each unselected candidate is out (empty for the selected ones)."""
    ids = inst.ids
    chosen = x > 0.5
    partners: dict[int, list[int]] = {}
    for i, j in inst.excluded:
        partners.setdefault(i, []).append(j)
        partners.setdefault(j, []).append(i)
    use = rows.a @ x
    left = rows.limit - use
    tolerance = _row_tolerance(rows.a, rows.limit)
    out = []
    for i in range(inst.n):
        if chosen[i]:
            out.append("")
            continue
        why = []
        by = [ids[j] for j in sorted(partners.get(i, [])) if chosen[j]]
        if by:
            why.append(f"excluded by {', '.join(by)}")
        why += [f"requires {ids[j]} (not selected)" for j in inst.requires[i] if not chosen[j]]
        for r in np.flatnonzero(rows.a[:, i] > left + tolerance):
            if rows.kind[r] == "budget":
                year = rows.key[r]
                what = "the budget" if year is None else f"the {year} budget"
                why.append(f"does not fit {what} (needs {_amount(rows.a[r, i])}, "
                           f"{_amount(max(left[r], 0.0))} left)")
            else:
                role, period = rows.key[r]
                why.append(f"needs {rows.a[r, i]:g} {role} in {period}, "
                           f"{max(left[r], 0.0):g} free")
        if not why and inst.value[i] == 0:
            why.append("adds no value")
        out.append("; ".join(why))
    return out


def _result(inst: _Instance, rows: _Rows, x: np.ndarray, optimal: bool) -> Selection:
    chosen = x > 0.5
    table = inst.table.copy()
    table["selected"] = chosen
    table["reason"] = _reasons(inst, rows, x)
    use = rows.a @ x
    budget_rows = [r for r, k in enumerate(rows.kind) if k == "budget"]
    slack = float(np.sum(rows.limit[budget_rows] - use[budget_rows])) if budget_rows \
        else np.nan
    years: dict[int, float] = {r_key: rows.limit[r] for r, r_key in enumerate(rows.key)
                               if rows.kind[r] == "budget" and r_key is not None}
    if inst.yearly is not None:
        spent = pd.Series(inst.yearly.to_numpy().T @ x, index=inst.yearly.columns)
        index = sorted(set(spent.index) | set(years))
        spend = pd.DataFrame({"budget": pd.Series(years, dtype=float).reindex(index),
                              "spend": spent.reindex(index).fillna(0.0)})
        spend.index = pd.Index(index, name="year", dtype=np.int64)
        spend["slack"] = spend["budget"] - spend["spend"]
    else:
        spend = pd.DataFrame({c: pd.Series(dtype=float) for c in ("budget", "spend", "slack")},
                             index=pd.Index([], name="year", dtype=np.int64))
    keys = sorted(set(inst.capacity.index) | set(inst.demand.columns),
                  key=lambda k: (str(k[0]), str(k[1])))
    demand = (pd.Series(inst.demand.to_numpy().T @ x, index=inst.demand.columns)
              if len(inst.demand.columns) else pd.Series(dtype=float))
    capacity = pd.DataFrame({
        "role": [k[0] for k in keys], "period": [k[1] for k in keys],
        "capacity": [float(inst.capacity.get(k, np.nan)) for k in keys],
        "demand": [float(demand.get(k, 0.0)) for k in keys]})
    capacity["slack"] = capacity["capacity"] - capacity["demand"]
    return Selection(chosen=tuple(c for c, s in zip(inst.ids, chosen, strict=True) if s),
                     table=table, value=float(inst.value @ x), cost=float(inst.cost @ x),
                     slack=slack, spend=spend, capacity=capacity, optimal=optimal)


def _select(inst: _Instance, budget, time_limit) -> Selection:
    rows = _budget_rows(inst, budget)
    _check_feasible(inst, rows)
    x, optimal = _optimise(inst, rows, time_limit)
    return _result(inst, rows, x, optimal)


def select(candidates: pd.DataFrame, budget=None, *, costs: pd.DataFrame | None = None,
           demand: pd.DataFrame | None = None, capacity: pd.DataFrame | None = None,
           time_limit: float | None = None) -> Selection:
    """The most valuable set of candidate projects that meets the budget and the constraints.

    Solved exactly as a 0–1 integer programme with :func:`scipy.optimize.milp` (HiGHS).

    Parameters
    ----------
    candidates : pandas.DataFrame
        One row per candidate: ``id`` (optional: else the index names the candidate),
        ``value`` and ``cost`` [cur], each a finite number ≥ 0, and optionally
        ``mandatory`` (bool, or true/false/yes/no text; blank = false), ``requires`` and
        ``excludes``: ids of other candidates, as text separated by ``;`` or as a list
        (blank = none). A candidate can only be selected with every candidate it requires;
        two candidates one of which excludes the other are never selected together
        (exclusion is mutual). Other columns are kept in :attr:`Selection.table`.
    budget : float or mapping year → float, optional
        A limit on the total cost, or one limit per year on the yearly costs (a dict or a
        Series indexed by year; needs ``costs``); years without a limit are not
        constrained. None: no budget. [cur]
    costs : pandas.DataFrame, optional
        Yearly costs, long: ``candidate_id``, ``year`` (int) and ``cost`` [cur], one row
        per candidate and year. Each candidate's rows must add up to its ``cost``.
    demand : pandas.DataFrame, optional
        Role demand, long: ``candidate_id``, ``period`` (a label such as ``"2027Q1"``),
        ``role`` and ``units``: the resource units of the role the candidate needs over the
        period, e.g. full-time equivalents averaged over a quarter (1 = one person full
        time), ≥ 0. [units]
    capacity : pandas.DataFrame, optional
        Role capacity: ``role``, ``period`` and ``units`` free for the candidates in that
        period, in the unit of ``demand``. A role and period without a row is not
        constrained. [units]
    time_limit : float, optional
        Seconds allowed to each HiGHS solve; when it stops one early the selection is the
        best found and :attr:`Selection.optimal` is False. [s]

    Returns
    -------
    Selection
        ``chosen`` (ids in input order), ``table`` (every candidate with ``selected`` and
        ``reason``), ``value``, ``cost``, ``slack``, ``spend`` (per year), ``capacity``
        (per role and period) and ``optimal``.

    Raises
    ------
    MissingDataError
        A required column is missing.
    DataValidationError
        Bad input, naming the argument, row, candidate and column (see
        :func:`check_candidates`); a budget that is not a number ≥ 0 or a mapping of years
        to such numbers, or a yearly budget without ``costs``.
    UnknownReferenceError
        ``requires``, ``excludes``, ``costs`` or ``demand`` naming an unknown candidate.
    InfeasibleError
        No selection meets the constraints: mandatory candidates that exclude each other,
        a mandatory candidate requiring (perhaps through others) one excluded by another
        needed one, or the mandatory candidates and those they require costing more than a
        budget or needing more than a role's capacity. The message names the candidates.

    Notes
    -----
    With :math:`x_i \\in \\{0, 1\\}` (1 = candidate *i* selected), value :math:`v_i`, cost
    :math:`c_i`, yearly cost :math:`c_{iy}` and demand :math:`d_{irp}` of role *r* in period
    *p*:

    .. math::

        \\max \\sum_i v_i x_i \\quad \\text{s.t.} \\quad
        \\sum_i c_i x_i \\le B \\;\\text{(or}\\; \\sum_i c_{iy} x_i \\le B_y \\;\\forall y),
        \\quad \\sum_i d_{irp} x_i \\le K_{rp} \\;\\forall r, p,

        x_i = 1 \\;(i \\text{ mandatory}), \\quad x_i \\le x_j \\;(i \\text{ requires } j),
        \\quad x_i + x_j \\le 1 \\;(i \\text{ excludes } j).

    A multi-dimensional 0–1 knapsack with precedence and conflict constraints (Martello &
    Toth 1990; Kellerer et al. 2004), solved by branch and cut in HiGHS with a relative
    gap of 0, so the value is proven optimal. Before solving, the *forced set* (the
    mandatory candidates and, transitively, what they require) is checked: if it is
    conflict-free and within every budget and capacity it is itself a feasible selection,
    so any infeasibility is found and explained there.

    Ties are broken deterministically by solving again: among the selections worth the
    most (values within a millionth of the largest candidate value count as equal, and
    costs likewise) the cheapest, and among those the one that takes the earliest
    candidates in input order (compared candidate by candidate: the first candidate on
    which two selections differ goes to the one that takes it). Rounded solutions are
    checked against every constraint exactly (within 1e-9 of the row's magnitude).

    References
    ----------
    Project Management Institute, *The Standard for Portfolio Management*, 4th ed., 2017
    (portfolio optimisation under capacity and funding constraints).
    S. Martello, P. Toth, *Knapsack Problems: Algorithms and Computer Implementations*,
    Wiley, 1990.
    H. Kellerer, U. Pferschy, D. Pisinger, *Knapsack Problems*, Springer, 2004.
    Q. Huangfu, J. A. J. Hall, "Parallelizing the dual revised simplex method",
    *Mathematical Programming Computation* 10, 119–142, 2018 (HiGHS).

    Examples
    --------
    A + B and A + C + D are both worth 110 for a cost of 9; A + B takes B, the earlier:

    >>> c = pd.DataFrame({"id": ["A", "B", "C", "D"], "value": [60, 50, 40, 10],
    ...                   "cost": [5, 4, 3, 1], "requires": ["", "", "D", ""],
    ...                   "excludes": ["", "C", "", ""]})
    >>> s = select(c, budget=9)
    >>> s.chosen, s.value, s.cost, s.slack
    (('A', 'B'), 110.0, 9.0, 0.0)
    >>> for cid, reason in zip(s.table["id"], s.table["reason"]):
    ...     print(cid, reason or "selected")
    A selected
    B selected
    C excluded by B; requires D (not selected); does not fit the budget (needs 3, 0 left)
    D does not fit the budget (needs 1, 0 left)
    """
    inst = _instance(candidates, costs, demand, capacity)
    return _select(inst, budget, time_limit)


# -- frontier and budget changes -----------------------------------------------------------
def _changes(before: tuple[str, ...], after: tuple[str, ...]) -> tuple[tuple, tuple]:
    """(entering, leaving) ids, each in the order of the selection they come from."""
    return (tuple(c for c in after if c not in set(before)),
            tuple(c for c in before if c not in set(after)))


def _breakpoints(inst: _Instance, time_limit) -> list[tuple[float, Selection]]:
    """Every budget at which the most valuable selection gains value, with that selection:
    the cost of the forced set, then repeatedly the least cost of a selection worth more
    than the last."""
    rows = _budget_rows(inst, None)
    _check_feasible(inst, rows)
    a, limit, tolerance = _base(inst, rows)
    a = np.vstack([a, -inst.value])
    limit, tolerance = np.append(limit, 0.0), np.append(tolerance, 0.0)
    lower, upper = inst.mandatory.astype(float), np.ones(inst.n)
    budget = float(sum(inst.cost[i] for i in _forced(inst)))
    tie_value, _ = _ties(inst)
    points = []
    while True:
        best = _select(inst, budget, time_limit)
        points.append((budget, best))
        limit[-1] = -(best.value + tie_value)
        _, x = _solve(inst.cost, lower, upper, a, limit, tolerance, time_limit)
        if x is None:
            return points
        budget = float(inst.cost @ x)


def frontier(candidates: pd.DataFrame, budgets=None, *, points: int | None = None,
             costs: pd.DataFrame | None = None, demand: pd.DataFrame | None = None,
             capacity: pd.DataFrame | None = None,
             time_limit: float | None = None) -> pd.DataFrame:
    """The efficient frontier: the best selection's value at each budget.

    Parameters
    ----------
    candidates, costs, demand, capacity, time_limit
        As for :func:`select`.
    budgets : sequence, optional
        The budgets to solve for, each a total (a number) or a budget per year (a mapping
        year → number), in the order given. [cur]
    points : int, optional
        Without ``budgets``: this many total budgets evenly spaced from the cost of the
        forced set (the mandatory candidates and what they require: the least any
        selection costs) to the cost of the best selection without a budget. Without
        ``points`` either: every breakpoint, the budgets at which the best value rises.

    Returns
    -------
    pandas.DataFrame
        One row per budget (RangeIndex): ``budget`` (the total, or the sum of a yearly
        budget), ``value``, ``cost`` and ``slack`` [cur] of the best selection (as
        :class:`Selection`), ``count`` (candidates chosen), ``chosen`` (tuple of ids, input
        order), ``enters`` and ``leaves`` (tuples: the ids chosen that the previous row's
        selection did not have, and those it had that are no longer chosen) and
        ``optimal`` (bool).

    Raises
    ------
    DataValidationError, UnknownReferenceError, InfeasibleError
        As :func:`select`; ``points`` that is not a whole number ≥ 2.

    Notes
    -----
    The best value is a non-decreasing step function of the total budget. Its breakpoints
    are found exactly: the first is the cost of the forced set; after a selection worth
    *V*, the next is the least cost of any selection worth more than *V* (one integer
    programme: minimise cost subject to value > *V*), where :func:`select` is solved again.
    Between two breakpoints a larger budget buys nothing more. That is a few integer
    programmes per breakpoint, and there can be many: the sample's 23 proposals have 155
    (some 15 s); ``points`` gives a quicker overview.

    Examples
    --------
    >>> c = pd.DataFrame({"id": ["A", "B", "C"], "value": [6, 5, 4], "cost": [3, 2, 2]})
    >>> frontier(c)[["budget", "value", "chosen", "enters", "leaves"]]
       budget  value     chosen enters leaves
    0     0.0    0.0         ()     ()     ()
    1     2.0    5.0       (B,)   (B,)     ()
    2     3.0    6.0       (A,)   (A,)   (B,)
    3     4.0    9.0     (B, C)  (B, C)   (A,)
    4     5.0   11.0     (A, B)   (A,)   (C,)
    5     7.0   15.0  (A, B, C)   (C,)     ()
    """
    inst = _instance(candidates, costs, demand, capacity)
    if budgets is None and points is None:
        solved = _breakpoints(inst, time_limit)
    else:
        if budgets is None:
            if isinstance(points, bool) or not isinstance(points, int | np.integer) \
                    or points < 2:
                raise DataValidationError(Problem(
                    "frontier", None, None, "points",
                    f"must be a whole number ≥ 2, got {points!r}"))
            low = float(sum(inst.cost[i] for i in _forced(inst)))
            high = _select(inst, None, time_limit).cost
            budgets = [float(b) for b in np.linspace(low, max(high, low), int(points))]
        solved = [(b, _select(inst, b, time_limit)) for b in budgets]
    rows = []
    previous: tuple[str, ...] = ()
    for k, (budget, s) in enumerate(solved):
        enters, leaves = _changes(previous, s.chosen) if k else (s.chosen, ())
        total = (float(sum(dict(budget).values())) if isinstance(budget, Mapping | pd.Series)
                 else float(budget))
        rows.append(dict(budget=total, value=s.value, cost=s.cost, slack=s.slack,
                         count=len(s.chosen), chosen=s.chosen, enters=enters, leaves=leaves,
                         optimal=s.optimal))
        previous = s.chosen
    columns = ["budget", "value", "cost", "slack", "count", "chosen", "enters", "leaves",
               "optimal"]
    return pd.DataFrame(rows, columns=columns)


@dataclass(frozen=True)
class BudgetChange:
    """What changes when the budget moves (see :func:`budget_change`).

    Attributes
    ----------
    before, after : Selection
        The best selections at the old and the new budget.
    enters : tuple of str
        Ids selected at the new budget but not at the old one (input order).
    leaves : tuple of str
        Ids selected at the old budget but not at the new one (input order).
    value_change, cost_change : float
        ``after.value − before.value`` and ``after.cost − before.cost``. [cur]
    table : pandas.DataFrame
        One row per candidate that enters or leaves (input order, RangeIndex): ``id``,
        ``change`` ("enters" or "leaves"), ``value`` and ``cost`` [cur], and ``reason``:
        why it was out before (for one that enters) or is out now (for one that leaves).
    """

    before: Selection
    after: Selection
    enters: tuple[str, ...]
    leaves: tuple[str, ...]
    value_change: float
    cost_change: float
    table: pd.DataFrame

    def __repr__(self) -> str:
        return (f"BudgetChange(enters {list(self.enters)}, leaves {list(self.leaves)}: value "
                f"{self.value_change:+,.0f}, cost {self.cost_change:+,.0f})")


def budget_change(candidates: pd.DataFrame, budget, new_budget, *,
                  costs: pd.DataFrame | None = None, demand: pd.DataFrame | None = None,
                  capacity: pd.DataFrame | None = None,
                  time_limit: float | None = None) -> BudgetChange:
    """What the best selection gains and loses when the budget moves from ``budget`` to
    ``new_budget``.

    Parameters
    ----------
    candidates, costs, demand, capacity, time_limit
        As for :func:`select`.
    budget, new_budget : float or mapping year → float
        The old and the new budget, as ``budget`` of :func:`select`. [cur]

    Returns
    -------
    BudgetChange
        ``before`` and ``after`` (:class:`Selection`), ``enters``, ``leaves``,
        ``value_change``, ``cost_change`` and ``table`` (one row per candidate that enters
        or leaves: ``id``, ``change``, ``value``, ``cost``, ``reason``).

    Raises
    ------
    DataValidationError, UnknownReferenceError, InfeasibleError
        As :func:`select`, for either budget.

    Notes
    -----
    A larger budget never lowers the best value, but it can swap candidates: a cut of
    the budget can bring in a cheaper candidate while more valuable ones leave.

    Examples
    --------
    >>> c = pd.DataFrame({"id": ["A", "B", "C"], "value": [6, 5, 4], "cost": [3, 2, 2]})
    >>> change = budget_change(c, 4, 5)
    >>> change.enters, change.leaves, change.value_change, change.cost_change
    (('A',), ('C',), 2.0, 1.0)
    >>> change.table
      id   change  value  cost                                       reason
    0  A   enters    6.0   3.0  does not fit the budget (needs 3, 0 left)
    1  C   leaves    4.0   2.0  does not fit the budget (needs 2, 0 left)
    """
    inst = _instance(candidates, costs, demand, capacity)
    before = _select(inst, budget, time_limit)
    after = _select(inst, new_budget, time_limit)
    enters, leaves = _changes(before.chosen, after.chosen)
    moved = set(enters) | set(leaves)
    rows = []
    for k, cid in enumerate(inst.ids):
        if cid in moved:
            gone = cid in leaves
            rows.append(dict(id=cid, change="leaves" if gone else "enters",
                             value=inst.value[k], cost=inst.cost[k],
                             reason=(after if gone else before).table["reason"].iat[k]))
    table = pd.DataFrame(rows, columns=["id", "change", "value", "cost", "reason"])
    return BudgetChange(before=before, after=after, enters=enters, leaves=leaves,
                        value_change=after.value - before.value,
                        cost_change=after.cost - before.cost, table=table)


# ----------------------------------------------------------------------------------------
# Programme and portfolio roll-ups
# ----------------------------------------------------------------------------------------
#: Groupings of :func:`rollup`: one row per programme or per project.
ROLLUP_BY = ("programme", "project")
#: Columns of :func:`rollup`, in order (see its Returns).
ROLLUP_COLUMNS = ("name", "programme", "projects", "bac", "ev", "ac", "eac", "vac", "cpi",
                  "spi", "spi_t", "rag", "baseline_finish", "forecast_finish", "worst_slip",
                  "late_projects", "open_risks", "emv", "expected_delay", "peak_utilisation",
                  "peak_role", "peak_month")
_EVM_COLUMNS = ("bac", "ev", "ac", "eac", "vac", "cpi", "spi", "spi_t", "rag")


def _peak(utilisation: pd.DataFrame) -> tuple[float, object, object]:
    """Highest cell of a month × role table: (value, role, month); NaN, None, None if none.
    Ties go to the earliest month, then the first role in alphabetical order."""
    values = utilisation.to_numpy(dtype=float)
    if values.size == 0 or np.isnan(values).all():
        return np.nan, None, None
    flat = np.where(np.isnan(values), -np.inf, values)
    i, j = np.unravel_index(int(np.argmax(flat)), flat.shape)  # row-major: month, then role
    if flat[i, j] <= 0:
        return 0.0, None, None  # no work in the horizon: no peak to name
    return float(values[i, j]), str(utilisation.columns[j]), utilisation.index[i]


def rollup(portfolio, month, *, by: str = "programme", horizon: int = 6,
           thresholds=None) -> pd.DataFrame:
    """Schedule, cost, risk and resource figures of each programme (or project) and of the
    whole portfolio, at a status month.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period
        Status month (``'YYYY-MM'``); must have status data.
    by : {"programme", "project"}
        One row per programme (default) or per project, then the portfolio total.
    horizon : int
        Months after the status month over which the peak role utilisation is sought
        (month + 1 to month + ``horizon``), ≥ 1. [months]
    thresholds : RagThresholds, optional
        RAG thresholds of :func:`pmo_lib.evm.performance_table`.

    Returns
    -------
    pandas.DataFrame
        Index ``programme`` (or ``project_id``) with a last row ``"Total"`` (the
        portfolio); columns (:data:`ROLLUP_COLUMNS`):

        ``name``
            Programme name, project name, or ``"Portfolio"``.
        ``programme``
            The programme ("" on the total row).
        ``projects``
            Number of projects.
        ``bac``, ``ev``, ``ac``, ``eac``, ``vac``
            Budget at completion, earned value, actual cost, estimate at completion
            (BAC / CPI) and variance at completion (BAC − EAC). [cur]
        ``cpi``, ``spi``, ``spi_t``
            Cost and schedule performance indices and the earned-schedule SPI(t). [ratio]
        ``rag``
            RAG status of :func:`pmo_lib.evm.performance_table`.
        ``baseline_finish``, ``forecast_finish``
            Latest baseline finish and latest forecast finish (critical path with the
            month's progress) of the group's projects. [date]
        ``worst_slip``
            Largest finish variance of the group's projects: forecast − baseline finish in
            working days, positive = late. [d]
        ``late_projects``
            Projects forecast to finish after their baseline.
        ``open_risks``
            Open risks in the month's register snapshot.
        ``emv``
            Their expected monetary value, Σ probability × cost impact. [cur]
        ``expected_delay``
            Σ probability × schedule impact of the open risks (an exposure measure, not a
            forecast). [d]
        ``peak_utilisation``
            The highest monthly utilisation of a role over the horizon counting the group's
            work only: the group's demand / the role's whole capacity (the total row: all
            work). NaN without resources. [fraction]
        ``peak_role``, ``peak_month``
            The role and the month (``pd.Period``) of that peak (ties: earliest month,
            then role name); None when the group has no work in the horizon.

    Raises
    ------
    DataValidationError
        An unknown ``by``, a ``horizon`` that is not a whole number ≥ 1, bad risk data.
    MissingDataError
        No status snapshot in ``month``.

    Notes
    -----
    Nothing is recomputed here: the EVM figures are the programme, project and portfolio
    rows of :func:`pmo_lib.evm.performance_table` (PV, EV, AC and BAC summed, then the
    indices); the dates and slips come from :func:`pmo_lib.schedule.project_summary` of
    :func:`pmo_lib.schedule.schedule_portfolio` at the month; the risk figures from
    :func:`pmo_lib.risk.score` of the month's register; the demand from
    :func:`pmo_lib.resources.demand` on the forecast dates, by role and month, over
    :func:`pmo_lib.resources.capacity` (the total row is
    :func:`pmo_lib.resources.portfolio_loading` at the month). The groups' demands add up
    to the total's.

    References
    ----------
    Project Management Institute, *The Standard for Portfolio Management*, 4th ed., 2017
    (portfolio performance and capacity reporting).
    Project Management Institute, *The Standard for Program Management*, 4th ed., 2017.

    Examples
    --------
    >>> from pmo_lib import load_portfolio
    >>> r = rollup(load_portfolio("tests/data/mini"), "2026-02")
    >>> r[["projects", "bac", "ev", "ac", "worst_slip", "open_risks", "emv"]]
               projects     bac     ev      ac  worst_slip  open_risks    emv
    programme
    Alpha             2  3400.0  3200.0  3650.0        22.0           1  100.0
    Total             2  3400.0  3200.0  3650.0        22.0           1  100.0
    """
    from . import evm, resources, risk, schedule
    from ._util import check_choice
    from .model import parse_month

    check_choice(by, ROLLUP_BY, "rollup", "by", "grouping")
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 1:
        raise DataValidationError(Problem("rollup", None, None, "horizon",
                                          f"must be a whole number of months ≥ 1, got "
                                          f"{horizon!r}"))
    month = parse_month(month)
    projects = portfolio.projects.set_index("id")
    group = (projects["programme"] if by == "programme"
             else pd.Series(projects.index, index=projects.index)).astype(str)
    perf = evm.performance_table(portfolio, month, thresholds)
    level = "programme" if by == "programme" else "project"
    rows = perf.loc[level]
    out = pd.DataFrame(index=pd.Index([*rows.index, "Total"],
                                      name="programme" if by == "programme" else "project_id"))
    out["name"] = [*rows["name"], "Portfolio"]
    out["programme"] = [*rows["programme"], ""]
    counts = group.value_counts()
    out["projects"] = [int(counts.get(g, 0)) for g in rows.index] + [len(projects)]
    for col in _EVM_COLUMNS:
        out[col] = [*rows[col], perf.loc[("portfolio", "Total"), col]]

    def by_group(series: pd.Series, how: str, fill):
        """A per-project Series reduced per group and for the total, in ``out`` order."""
        keyed = series.groupby(group.reindex(series.index)).agg(how)
        total = series.agg(how) if len(series) else fill
        return [keyed.get(g, fill) for g in rows.index] + [total]

    sched = schedule.schedule_portfolio(portfolio, month)
    summary = schedule.project_summary(sched, portfolio.calendar)
    out["baseline_finish"] = pd.to_datetime(by_group(summary["baseline_finish"], "max",
                                                     pd.NaT))
    out["forecast_finish"] = pd.to_datetime(by_group(summary["finish"], "max", pd.NaT))
    out["worst_slip"] = np.asarray(by_group(summary["finish_variance"], "max", np.nan),
                                   dtype=float)
    out["late_projects"] = np.asarray(by_group(summary["finish_variance"] > 0, "sum", 0),
                                      dtype=np.int64)

    register = portfolio.risk_register(month)
    scored = risk.score(register, portfolio=portfolio) if len(register) else None
    if scored is not None:
        scored = scored[scored["state"] == "open"]
    for col, what in (("open_risks", "size"), ("emv", "emv"),
                      ("expected_delay", "expected_delay")):
        if scored is None or scored.empty:
            per_project = pd.Series(0.0, index=projects.index)
        elif what == "size":
            per_project = scored.groupby("project_id").size()
        else:
            per_project = scored.groupby("project_id")[what].sum()
        per_project = per_project.reindex(projects.index, fill_value=0)
        out[col] = np.asarray(by_group(per_project, "sum", 0),
                              dtype=np.int64 if col == "open_risks" else float)

    periods = pd.period_range(month + 1, month + int(horizon), freq="M", name="period")
    peaks = [(np.nan, None, None)] * len(out)
    if len(portfolio.resources):
        cap = resources.capacity(portfolio.resources, portfolio.calendar, periods, by="role")
        total = resources.portfolio_loading(portfolio, month, freq="M", by="role")
        tasks = sched.rename_axis("id").reset_index()
        peaks = []
        for g in rows.index:
            mine = tasks[tasks["project_id"].map(group) == g]
            work = portfolio.assignments[portfolio.assignments["task_id"].isin(mine["id"])]
            need = resources.demand(mine, work, portfolio.calendar,
                                    freq="M", start="start_date", finish="finish_date",
                                    by="role", resources=portfolio.resources)
            need = need.reindex(index=periods, columns=cap.columns, fill_value=0.0)
            peaks.append(_peak(resources.utilisation(need, cap)))
        need = total.demand.reindex(index=periods, columns=cap.columns, fill_value=0.0)
        peaks.append(_peak(resources.utilisation(need, cap)))
    out["peak_utilisation"] = np.array([p[0] for p in peaks], dtype=float)
    out["peak_role"] = pd.Series([p[1] for p in peaks], index=out.index, dtype=object)
    out["peak_month"] = pd.Series([p[2] for p in peaks], index=out.index, dtype=object)
    return out[list(ROLLUP_COLUMNS)]
