"""Portfolio scoring and prioritisation: AHP, weighted scoring, WSJF, bad input.

Hand computation for the scoring tests (three candidates, weights 0.4 / 0.3 / 0.2 / 0.1):

        strategic_alignment  value  risk  urgency
    A                     5    100     2        3
    B                     3    300     4        5
    C                     1    200     3        1

Min–max normalisation (risk: lower is better, (max − x) / (max − min)):
    A: 1, 0, 1, 0.5    -> 0.4 + 0 + 0.2 + 0.05   = 0.65  rank 1
    B: 0.5, 1, 0, 1    -> 0.2 + 0.3 + 0 + 0.1    = 0.60  rank 2
    C: 0, 0.5, 0.5, 0  -> 0 + 0.15 + 0.1 + 0     = 0.25  rank 3
Fixed 1–5 scales on strategic_alignment, risk and urgency (value still min–max):
    risk (5 − x) / 4: A 0.75, B 0.25, C 0.5
    A 0.4 + 0 + 0.15 + 0.05 = 0.60 (rank 2); B 0.2 + 0.3 + 0.05 + 0.1 = 0.65 (rank 1); C 0.25
Risk counted as higher-is-better (min–max): A 0, B 1, C 0.5
    A 0.45 (rank 2); B 0.80 (rank 1); C 0.25 (rank 3)
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pmo_lib import DataValidationError, MissingDataError, portfolio

# ----------------------------------------------------------------------------------------
# AHP
# ----------------------------------------------------------------------------------------
#: T. L. Saaty, "How to make a decision: The analytic hierarchy process", European Journal of
#: Operational Research 48 (1990) 9–26, Table 2 (criteria for buying a house): published
#: priority vector .173 .054 .188 .018 .031 .036 .167 .333, λmax = 9.669, C.I. = 0.238,
#: C.R. = 0.169 (judgements to be revisited: CR > 0.10).
SAATY_HOUSE = [
    [1, 5, 3, 7, 6, 6, 1 / 3, 1 / 4],
    [1 / 5, 1, 1 / 3, 5, 3, 3, 1 / 5, 1 / 7],
    [1 / 3, 3, 1, 6, 3, 4, 6, 1 / 5],
    [1 / 7, 1 / 5, 1 / 6, 1, 1 / 3, 1 / 4, 1 / 7, 1 / 8],
    [1 / 6, 1 / 3, 1 / 3, 3, 1, 1 / 2, 1 / 5, 1 / 6],
    [1 / 6, 1 / 3, 1 / 4, 4, 2, 1, 1 / 5, 1 / 6],
    [3, 5, 1 / 6, 7, 5, 5, 1, 1 / 2],
    [4, 7, 5, 8, 6, 6, 2, 1],
]
HOUSE_CRITERIA = ["size", "transportation", "neighborhood", "age", "yard_space",
                  "modern_facilities", "general_condition", "financing"]
HOUSE_WEIGHTS = [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333]


def test_ahp_saaty_1990_house_example():
    r = portfolio.ahp_weights(SAATY_HOUSE, criteria=HOUSE_CRITERIA)
    assert list(r.weights.index) == HOUSE_CRITERIA
    np.testing.assert_allclose(r.weights.to_numpy(), HOUSE_WEIGHTS, atol=5e-4)
    assert r.weights.sum() == pytest.approx(1.0, abs=1e-12)
    assert r.lambda_max == pytest.approx(9.669, abs=5e-4)
    assert r.consistency_index == pytest.approx(0.238, abs=5e-4)
    assert r.consistency_ratio == pytest.approx(0.169, abs=5e-4)
    assert r.consistent is False


def test_ahp_dataframe_rows_aligned_to_columns_and_rounded_reciprocals_accepted():
    m = pd.DataFrame([[1, 3, 0.2], [0.333, 1, 0.143], [5, 7, 1]],
                     index=["a", "b", "c"], columns=["a", "b", "c"])
    shuffled = m.loc[["c", "a", "b"]]
    r = portfolio.ahp_weights(shuffled)
    assert list(r.weights.index) == ["a", "b", "c"]
    assert r.weights.idxmax() == "c"
    assert r.consistent  # CR ≈ 0.06
    assert 0 < r.consistency_ratio < 0.1
    # the input is untouched
    assert list(shuffled.index) == ["c", "a", "b"]


def test_ahp_consistent_matrix_hand_checked():
    r = portfolio.ahp_weights(np.array([[1, 2, 4], [0.5, 1, 2], [0.25, 0.5, 1]]))
    np.testing.assert_allclose(r.weights.to_numpy(), [4 / 7, 2 / 7, 1 / 7], rtol=1e-12)
    assert list(r.weights.index) == [0, 1, 2]
    assert r.lambda_max == pytest.approx(3.0, abs=1e-12)
    assert r.consistency_ratio == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("matrix, expected", [([[1]], [1.0]), ([[1, 3], [1 / 3, 1]], [0.75, 0.25])])
def test_ahp_one_and_two_criteria_are_consistent(matrix, expected):
    r = portfolio.ahp_weights(matrix)
    np.testing.assert_allclose(r.weights.to_numpy(), expected, rtol=1e-12)
    assert (r.consistency_index, r.consistency_ratio, r.consistent) == (0.0, 0.0, True)


@given(st.lists(st.floats(0.1, 10.0), min_size=1, max_size=10))
def test_ahp_consistent_matrix_recovers_weights(w):
    w = np.array(w)
    r = portfolio.ahp_weights(w[:, None] / w[None, :])
    np.testing.assert_allclose(r.weights.to_numpy(), w / w.sum(), rtol=1e-8)
    assert r.lambda_max == pytest.approx(len(w), abs=1e-8)
    assert r.consistency_ratio == pytest.approx(0.0, abs=1e-8)
    assert r.consistent


@pytest.mark.parametrize("matrix, match", [
    ([1, 2, 3], "expected a square matrix, got an array of shape"),
    ([[1, 2], [3]], "expected a square matrix"),
    ([[1, 2, 3], [0.5, 1, 2]], "non-empty square matrix, got 2 × 3"),
    (np.ones((11, 11)), "11 criteria; the random indices cover at most 10"),
    ([[1, 0], [0, 1]], r"ID '0', column '1': must be a positive number, got 0"),
    ([[1, -2], [-0.5, 1]], "column '1': must be a positive number, got -2"),
    ([[1, "x"], [1, 1]], r"column '1': must be a positive number, got 'x'"),
    ([[1, np.nan], [1, 1]], "must be a positive number, got nan"),
    ([[1, np.inf], [1, 1]], "must be a positive number, got inf"),
    ([[2, 1], [1, 1]], r"ID '0', column '0': the diagonal must be 1, got 2"),
    ([[1, 3, 1], [0.5, 1, 1], [1, 1, 1]],
     r"ID '1', column '0': is not the reciprocal of \(0, 1\) = 3: expected 0.333333, got 0.5"),
])
def test_ahp_bad_matrix(matrix, match):
    with pytest.raises(DataValidationError, match=match):
        portfolio.ahp_weights(matrix)


def test_ahp_bad_labels():
    m = pd.DataFrame([[1, 2], [0.5, 1]], index=["a", "b"], columns=["a", "c"])
    with pytest.raises(DataValidationError, match="rows and columns must name the same"):
        portfolio.ahp_weights(m)
    with pytest.raises(DataValidationError, match="criteria must be 2 distinct names"):
        portfolio.ahp_weights([[1, 2], [0.5, 1]], criteria=["a"])
    with pytest.raises(DataValidationError, match="ID 'risk', column 'value': is not the recip"):
        portfolio.ahp_weights([[1, 2], [2, 1]], criteria=["value", "risk"])


def test_ahp_result_is_frozen():
    r = portfolio.ahp_weights([[1]])
    with pytest.raises(AttributeError):
        r.consistent = False


# ----------------------------------------------------------------------------------------
# Weighted scoring
# ----------------------------------------------------------------------------------------
WEIGHTS = {"strategic_alignment": 0.4, "value": 0.3, "risk": 0.2, "urgency": 0.1}


def candidates():
    return pd.DataFrame({"id": ["A", "B", "C"], "strategic_alignment": [5, 3, 1],
                         "value": [100.0, 300.0, 200.0], "risk": [2, 4, 3],
                         "urgency": [3, 5, 1]})


def test_score_hand_checked_min_max():
    c = candidates()
    out = portfolio.score(c, WEIGHTS)
    assert list(out["id"]) == ["A", "B", "C"]
    assert list(out["rank"]) == [1, 2, 3]
    np.testing.assert_allclose(out["score"], [0.65, 0.60, 0.25], atol=1e-12)
    np.testing.assert_allclose(out["risk_contribution"], [0.2, 0.0, 0.1], atol=1e-12)
    np.testing.assert_allclose(out["value_contribution"], [0.0, 0.3, 0.15], atol=1e-12)
    contributions = out[[f"{k}_contribution" for k in WEIGHTS]].sum(axis=1)
    np.testing.assert_allclose(contributions, out["score"], atol=1e-12)
    # original columns kept, input untouched
    assert list(out.columns[:5]) == list(c.columns)
    pd.testing.assert_frame_equal(c, candidates())


def test_score_weights_normalised_and_series_or_ahp_accepted():
    points = {k: v * 100 for k, v in WEIGHTS.items()}  # 40 / 30 / 20 / 10
    a = portfolio.score(candidates(), WEIGHTS)
    pd.testing.assert_frame_equal(a, portfolio.score(candidates(), points), atol=1e-12)
    pd.testing.assert_frame_equal(a, portfolio.score(candidates(), pd.Series(points)),
                                  atol=1e-12)
    ahp = portfolio.ahp_weights([[1, 4 / 3, 2, 4], [3 / 4, 1, 1.5, 3], [0.5, 2 / 3, 1, 2],
                                 [0.25, 1 / 3, 0.5, 1]], criteria=list(WEIGHTS))
    pd.testing.assert_frame_equal(a, portfolio.score(candidates(), ahp), atol=1e-9)
    unlabelled = portfolio.ahp_weights(ahp.weights.to_numpy()[:, None]
                                       / ahp.weights.to_numpy()[None, :])
    pd.testing.assert_frame_equal(
        a, portfolio.score(candidates(), unlabelled, criteria=list(WEIGHTS)), atol=1e-9)


def test_score_fixed_scales():
    scales = {"strategic_alignment": (1, 5), "risk": (1, 5), "urgency": (1, 5)}
    out = portfolio.score(candidates(), WEIGHTS, scales=scales)
    assert list(out["id"]) == ["B", "A", "C"]
    np.testing.assert_allclose(out["score"], [0.65, 0.60, 0.25], atol=1e-12)
    np.testing.assert_allclose(out["risk_contribution"], [0.05, 0.15, 0.1], atol=1e-12)
    one = portfolio.score(candidates()[["id", "risk"]], {"risk": 1}, scales=(1, 5))
    np.testing.assert_allclose(one.sort_index()["score"], [0.75, 0.25, 0.5], atol=1e-12)


def test_score_lower_is_better_by_default_for_risk_and_overridable():
    out = portfolio.score(candidates(), WEIGHTS, higher_is_better={"risk": True})
    assert list(out["id"]) == ["B", "A", "C"]
    np.testing.assert_allclose(out["score"], [0.80, 0.45, 0.25], atol=1e-12)
    rev = portfolio.score(candidates(), WEIGHTS, higher_is_better={"value": False})
    np.testing.assert_allclose(rev.set_index("id")["value_contribution"],
                               [0.3, 0.0, 0.15], atol=1e-12)


def test_score_ties_equal_criterion_and_index_as_id():
    c = pd.DataFrame({"value": [2, 2, 2]}, index=["z", "y", "x"])
    out = portfolio.score(c, {"value": 1})
    assert list(out.index) == ["x", "y", "z"]  # equal scores ordered by id
    assert list(out["score"]) == [1.0, 1.0, 1.0]
    assert list(out["rank"]) == [1, 2, 3]


@pytest.mark.parametrize("column, value, match", [
    ("value", "lots", r"candidates, row 3, ID 'B', column 'value': not a finite number: 'lots'"),
    ("risk", None, r"row 3, ID 'B', column 'risk': missing value"),
    ("urgency", np.inf, r"ID 'B', column 'urgency': not a finite number"),
])
def test_score_bad_values(column, value, match):
    c = candidates().astype({column: object})
    c.loc[1, column] = value
    with pytest.raises(DataValidationError, match=match):
        portfolio.score(c, WEIGHTS)


def test_score_missing_column_and_not_a_frame():
    with pytest.raises(MissingDataError, match="column 'urgency': required column is missing"):
        portfolio.score(candidates().drop(columns="urgency"), WEIGHTS)
    with pytest.raises(DataValidationError, match="expected a DataFrame, got dict"):
        portfolio.score({"value": [1]}, {"value": 1})


@pytest.mark.parametrize("kwargs, match", [
    ({"weights": {"value": -1, "risk": 2}}, r"column 'value': must be a number ≥ 0, got -1"),
    ({"weights": {"value": "x"}}, r"column 'value': must be a number ≥ 0, got 'x'"),
    ({"weights": {"value": 0, "risk": 0}}, "the weights add up to 0"),
    ({"weights": {}}, "need at least one criterion"),
    ({"weights": [0.5, 0.5]}, "expected a dict, Series or AhpResult, got list"),
    ({"weights": {"value": 1}, "criteria": ["value", "risk"]},
     "criteria must be 1 distinct names, one per weight"),
    ({"weights": {"value": 1}, "higher_is_better": {"cost": False}},
     r"higher_is_better, column 'cost': is not a weighted criterion; the criteria are value"),
    ({"weights": {"value": 1}, "scales": {"risk": (1, 5)}},
     r"scales, column 'risk': is not a weighted criterion"),
    ({"weights": {"value": 1}, "scales": (5, 1)}, r"column 'value': needs a \(low, high\) pair"),
    ({"weights": {"value": 1}, "scales": {"value": 3}}, "needs a .low, high. pair with low"),
    ({"weights": {"risk": 1}, "scales": (3, 5)},
     r"row 2, ID 'A', column 'risk': 2 is outside the scale 3–5"),
])
def test_score_bad_arguments(kwargs, match):
    with pytest.raises(DataValidationError, match=match):
        portfolio.score(candidates(), **kwargs)


# ----------------------------------------------------------------------------------------
# WSJF
# ----------------------------------------------------------------------------------------
def backlog():
    return pd.DataFrame({
        "id": ["F1", "F2", "F3", "F4", "F0"],
        "business_value": [8, 3, 20, 1, 2],
        "time_criticality": [5, 2, 8, 1, 3],
        "risk_reduction": [2, 1, 13, 1, 1],
        "job_size": [5, 2, 13, 1, 2],
    })


def test_wsjf_hand_checked_with_tie_breaks():
    # CoD: F1 15, F2 6, F3 41, F4 3, F0 6; WSJF: 3, 3, 41/13 = 3.154, 3, 3.
    # F3 first; the four at 3.0 by job size (F4 1; F0, F2 2; F1 5), F0 before F2 by id.
    b = backlog()
    out = portfolio.wsjf(b)
    assert list(out["id"]) == ["F3", "F4", "F0", "F2", "F1"]
    assert list(out["rank"]) == [1, 2, 3, 4, 5]
    assert list(out["cost_of_delay"]) == [41, 3, 6, 6, 15]
    np.testing.assert_allclose(out["wsjf"], [41 / 13, 3, 3, 3, 3], rtol=1e-12)
    assert list(out.index) == [2, 3, 4, 1, 0]
    pd.testing.assert_frame_equal(b, backlog())


def test_wsjf_index_names_candidates_without_id_column():
    b = backlog().set_index("id")
    out = portfolio.wsjf(b)
    assert list(out.index) == ["F3", "F4", "F0", "F2", "F1"]


@pytest.mark.parametrize("column, value, match", [
    ("job_size", 0, r"row 3, ID 'F2', column 'job_size': must be > 0, got 0"),
    ("job_size", -1, r"ID 'F2', column 'job_size': must be > 0, got -1"),
    ("business_value", -3, r"ID 'F2', column 'business_value': must be ≥ 0, got -3"),
    ("time_criticality", "high", r"ID 'F2', column 'time_criticality': not a finite number"),
    ("risk_reduction", None, r"ID 'F2', column 'risk_reduction': missing value"),
])
def test_wsjf_bad_values(column, value, match):
    b = backlog().astype({column: object})
    b.loc[1, column] = value
    with pytest.raises(DataValidationError, match=match):
        portfolio.wsjf(b)


def test_wsjf_missing_column():
    with pytest.raises(MissingDataError, match="column 'job_size': required column is missing"):
        portfolio.wsjf(backlog().drop(columns="job_size"))
