"""Portfolio scoring and prioritisation: AHP weights, weighted-criteria scores and WSJF.

* :func:`ahp_weights` — criteria weights from a pairwise-comparison matrix (the Analytic
  Hierarchy Process), with Saaty's consistency index and ratio (:class:`AhpResult`);
* :func:`score` — weighted-sum score of candidate projects on criteria columns (strategic
  alignment, value, risk, urgency, ...), each criterion normalised to 0–1, with the
  contribution of each criterion (the score breakdown) and the rank;
* :func:`wsjf` — SAFe's Weighted Shortest Job First for agile portfolios.

A candidate is named by its ``id`` column when the table has one, else by its index label.
Every function returns a new table; inputs are never modified.

Glossary (column names):

======================== ================================================================
<criterion>_contribution weight × normalised criterion value, 0–weight.
score                    Sum of the contributions, 0–1 (1 = best on every criterion).
cost_of_delay            business_value + time_criticality + risk_reduction (WSJF).
wsjf                     cost_of_delay / job_size.
rank                     Position in the ranked list, 1 = first to fund or to do.
======================== ================================================================

References
----------
T. L. Saaty, *The Analytic Hierarchy Process*, McGraw-Hill, 1980 (eigenvector weights,
consistency index and the random indices of :data:`RANDOM_INDEX`).
T. L. Saaty, "How to make a decision: The analytic hierarchy process", *European Journal of
Operational Research* 48(1), 9–26, 1990 (the house-buying example used in the tests).
Project Management Institute, *The Standard for Portfolio Management*, 4th ed., 2017
(prioritisation by weighted criteria).
D. Reinertsen, *The Principles of Product Development Flow*, 2009 (cost of delay and WSJF);
Scaled Agile, Inc., "WSJF", *SAFe 6.0* framework article (the relative cost-of-delay parts).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._util import require_columns
from .errors import DataValidationError, Problem

__all__ = [
    "CONSISTENCY_THRESHOLD",
    "GLOSSARY",
    "LOWER_IS_BETTER",
    "RANDOM_INDEX",
    "WSJF_COLUMNS",
    "AhpResult",
    "ahp_weights",
    "score",
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
}

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
