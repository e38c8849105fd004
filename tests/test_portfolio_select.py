"""Selection under constraints (pmo_lib.portfolio.select, frontier, budget_change).

Hand-solved selection (:func:`candidates`, budget 10)::

    id  value cost  notes
    A      10    4
    B       7    3  requires C
    C       2    2
    D       8    3  excludes A
    E       4    2  mandatory
    F       3    1

E is forced in (cost 2), leaving 8. A and D exclude each other, B needs C:
    A + C + F  cost 7  value 15      D + B + C  cost 8  value 17
    A + F      cost 5  value 13      D + C + F  cost 6  value 13
    A + B + C  cost 9 > 8            B + C + F  cost 6  value 12
so the best is E + D + B + C: value 4 + 8 + 7 + 2 = 21, cost 2 + 3 + 3 + 2 = 10 (slack 0).
A is out: excluded by D and does not fit (needs 4, 0 left); F does not fit (needs 1).

Tie-breaking (documented in select): most value, then least cost, then the selection taking
the earliest candidates in input order. The brute force of the property tests applies the
same rule to every subset.
"""

from __future__ import annotations

import itertools
from dataclasses import FrozenInstanceError

import numpy as np
import pandas as pd
import pytest
from conftest import DATA
from hypothesis import given, settings
from hypothesis import strategies as st

from pmo_lib import (
    DataValidationError,
    MissingDataError,
    PMOError,
    UnknownReferenceError,
    load_portfolio,
    portfolio,
)
from pmo_lib.errors import InfeasibleError


def candidates() -> pd.DataFrame:
    return pd.DataFrame({
        "id": ["A", "B", "C", "D", "E", "F"],
        "value": [10, 7, 2, 8, 4, 3],
        "cost": [4, 3, 2, 3, 2, 1],
        "mandatory": [False, False, False, False, True, False],
        "requires": ["", "C", "", "", "", ""],
        "excludes": ["", "", "", "A", "", ""],
        "owner": ["ann", "bob", "cy", "dee", "eve", "fay"],
    })


# ----------------------------------------------------------------------------------------
# Hand-solved cases, one per kind of constraint
# ----------------------------------------------------------------------------------------
def test_hand_solved_selection():
    c = candidates()
    s = portfolio.select(c, 10)
    assert s.chosen == ("B", "C", "D", "E")
    assert (s.value, s.cost, s.slack) == (21.0, 10.0, 0.0)
    assert s.optimal is True
    t = s.table
    assert list(t.columns) == [*c.columns, "selected", "reason"]  # original columns kept
    assert t["selected"].tolist() == [False, True, True, True, True, False]
    assert t["reason"].tolist() == [
        "excluded by D; does not fit the budget (needs 4, 0 left)", "", "", "", "",
        "does not fit the budget (needs 1, 0 left)"]
    assert t["mandatory"].dtype == bool and t["value"].dtype == float
    assert s.spend.empty and s.capacity.empty
    pd.testing.assert_frame_equal(c, candidates())  # input untouched


def test_selection_is_frozen_and_reads_well():
    s = portfolio.select(candidates(), 10)
    with pytest.raises(FrozenInstanceError):
        s.value = 0
    assert repr(s) == "Selection(4 of 6 chosen: value 21, cost 10, optimal)"


def test_budget_only_knapsack():
    """Values 6, 5, 4, costs 3, 2, 2, budget 4: B + C (9) beats A alone (6)."""
    c = pd.DataFrame({"id": ["A", "B", "C"], "value": [6, 5, 4], "cost": [3, 2, 2]})
    s = portfolio.select(c, 4)
    assert s.chosen == ("B", "C") and s.value == 9.0
    assert s.table["reason"].iat[0] == "does not fit the budget (needs 3, 0 left)"
    assert portfolio.select(c, None).chosen == ("A", "B", "C")  # no budget: everything
    assert portfolio.select(c, 0).chosen == ()


def yearly():
    """X costs 3 + 1, Y 1 + 3, Z 2 + 2 in 2027 + 2028; values 5, 5, 6."""
    c = pd.DataFrame({"id": ["X", "Y", "Z"], "value": [5, 5, 6], "cost": [4, 4, 4]})
    costs = pd.DataFrame({"candidate_id": ["X", "X", "Y", "Y", "Z", "Z"],
                          "year": [2027, 2028] * 3, "cost": [3, 1, 1, 3, 2, 2]})
    return c, costs


def test_yearly_budget():
    """{2027: 4, 2028: 4}: X + Y spends 4 and 4 (value 10); X + Z spends 5 in 2027 and
    Y + Z 5 in 2028; Z alone is worth 6. With a total budget of 8, X + Z and Y + Z are
    both worth 11 for 8: X + Z takes X, the earlier."""
    c, costs = yearly()
    s = portfolio.select(c, {2027: 4, 2028: 4}, costs=costs)
    assert s.chosen == ("X", "Y") and s.value == 10.0
    assert s.spend.index.tolist() == [2027, 2028] and s.spend.index.name == "year"
    assert s.spend.to_dict("list") == {"budget": [4.0, 4.0], "spend": [4.0, 4.0],
                                       "slack": [0.0, 0.0]}
    assert s.slack == 0.0
    assert s.table.set_index("id").at["Z", "reason"] == (
        "does not fit the 2027 budget (needs 2, 0 left); does not fit the 2028 budget "
        "(needs 2, 0 left)")
    total = portfolio.select(c, 8, costs=costs)
    assert total.chosen == ("X", "Z") and total.value == 11.0
    assert total.spend["budget"].isna().all() and total.spend["spend"].tolist() == [5.0, 3.0]
    # A year without a budget is not limited: only 2027 ≤ 4 (X + Y or Y + Z; Y + Z is 11).
    one = portfolio.select(c, pd.Series({2027: 4.0}), costs=costs)
    assert one.chosen == ("Y", "Z")
    assert one.spend.loc[2027].tolist() == [4.0, 3.0, 1.0]
    assert np.isnan(one.spend.at[2028, "budget"]) and one.spend.at[2028, "spend"] == 5.0
    assert np.isnan(one.spend.at[2028, "slack"]) and one.slack == 1.0


def test_role_capacity():
    """Developers: P needs 2 in Q1, Q 1 in Q1 and Q2, R 2 in Q2; 2 free in each. P + R
    (value 10) fits exactly; P + Q and Q + R need 3 in one quarter. Q's tester demand has
    no capacity row: not limited, but reported."""
    c = pd.DataFrame({"id": ["P", "Q", "R"], "value": [5, 4, 5], "cost": [1, 1, 1]})
    demand = pd.DataFrame({"candidate_id": ["P", "Q", "Q", "R", "Q"],
                           "period": ["Q1", "Q1", "Q2", "Q2", "Q1"],
                           "role": ["Developer"] * 4 + ["Tester"],
                           "units": [2, 1, 1, 2, 9]})
    capacity = pd.DataFrame({"role": ["Developer"] * 2, "period": ["Q1", "Q2"],
                             "units": [2, 2]})
    s = portfolio.select(c, None, demand=demand, capacity=capacity)
    assert s.chosen == ("P", "R") and s.value == 10.0 and np.isnan(s.slack)
    assert s.table["reason"].iat[1] == ("needs 1 Developer in Q1, 0 free; "
                                        "needs 1 Developer in Q2, 0 free")
    cap = s.capacity
    assert cap[["role", "period"]].values.tolist() == [["Developer", "Q1"], ["Developer", "Q2"],
                                                       ["Tester", "Q1"]]
    assert cap["capacity"].tolist()[:2] == [2.0, 2.0] and np.isnan(cap["capacity"].iat[2])
    assert cap["demand"].tolist() == [2.0, 2.0, 0.0]
    assert cap["slack"].tolist()[:2] == [0.0, 0.0]
    # Without the capacity every candidate is chosen.
    assert portfolio.select(c, None, demand=demand).chosen == ("P", "Q", "R")


def test_mandatory_candidate_is_taken_even_when_worth_little():
    """M (value 1, cost 3) is mandatory; with a budget of 4 only F (cost 1) still fits, not
    V (value 9, cost 2)."""
    c = pd.DataFrame({"id": ["V", "M", "F"], "value": [9, 1, 2], "cost": [2, 3, 1],
                      "mandatory": ["no", "yes", ""]})
    s = portfolio.select(c, 4)
    assert s.chosen == ("M", "F") and s.value == 3.0
    assert s.table.set_index("id").at["V", "reason"] == "does not fit the budget (needs 2, 0 left)"


def test_dependency_chain():
    """A (value 10, cost 1) requires B, which requires C (value 0, cost 1 each): A is worth
    taking with both (value 10, cost 3); with a budget of 2 the chain does not fit and the
    best is D (value 3, cost 2)."""
    c = pd.DataFrame({"id": ["A", "B", "C", "D"], "value": [10, 0, 0, 3],
                      "cost": [1, 1, 1, 2], "requires": [["B"], ("C",), None, np.nan]})
    assert portfolio.select(c, 3).chosen == ("A", "B", "C")
    s = portfolio.select(c, 2)
    assert s.chosen == ("D",)
    assert s.table["reason"].tolist()[:3] == [
        "requires B (not selected); does not fit the budget (needs 1, 0 left)",
        "requires C (not selected); does not fit the budget (needs 1, 0 left)",
        "does not fit the budget (needs 1, 0 left)"]


def test_exclusion_is_mutual_and_reason_names_the_selected_one():
    c = pd.DataFrame({"id": ["A", "B", "C"], "value": [5, 6, 1], "cost": [1, 1, 1],
                      "excludes": ["B", "", "A; B"]})
    s = portfolio.select(c, None)
    assert s.chosen == ("B",)
    assert s.table["reason"].tolist() == ["excluded by B", "", "excluded by B"]


def test_zero_value_candidate_and_ties():
    # Equal value: the cheaper one; equal value and cost: the earlier one in input order.
    c = pd.DataFrame({"id": ["U", "V", "W"], "value": [5, 5, 5], "cost": [3, 2, 2]})
    assert portfolio.select(c, 3).chosen == ("V",)
    assert portfolio.select(c.iloc[::-1], 3).chosen == ("W",)
    # A candidate worth nothing is left out when it costs something.
    z = pd.DataFrame({"id": ["Z", "Y"], "value": [0, 1], "cost": [1, 1]})
    s = portfolio.select(z, None)
    assert s.chosen == ("Y",) and s.table["reason"].iat[0] == "adds no value"
    free = pd.DataFrame({"id": ["Z"], "value": [0], "cost": [0]})
    assert portfolio.select(free, 0).chosen == ("Z",)  # free and worthless: taken (order)


def test_index_names_candidates_without_id_column():
    c = candidates().set_index("id")
    s = portfolio.select(c, 10)
    assert s.chosen == ("B", "C", "D", "E")
    assert s.table.index.tolist() == list("ABCDEF")


# ----------------------------------------------------------------------------------------
# Frontier and budget changes
# ----------------------------------------------------------------------------------------
def test_frontier_breakpoints_hand_checked():
    """Values 6, 5, 4, costs 3, 2, 2. Best value by budget: 0 → 0; 2 → B (5); 3 → A (6);
    4 → B + C (9); 5 → A + B (11); 7 → all (15). Each row is the least budget of its value."""
    c = pd.DataFrame({"id": ["A", "B", "C"], "value": [6, 5, 4], "cost": [3, 2, 2]})
    f = portfolio.frontier(c)
    assert list(f.columns) == ["budget", "value", "cost", "slack", "count", "chosen", "enters",
                               "leaves", "optimal"]
    assert f["budget"].tolist() == [0, 2, 3, 4, 5, 7]
    assert f["value"].tolist() == [0, 5, 6, 9, 11, 15]
    assert f["chosen"].tolist() == [(), ("B",), ("A",), ("B", "C"), ("A", "B"), ("A", "B", "C")]
    assert f["enters"].tolist() == [(), ("B",), ("A",), ("B", "C"), ("A",), ("C",)]
    assert f["leaves"].tolist() == [(), (), ("B",), ("A",), ("C",), ()]
    assert (f["slack"] == 0).all() and f["optimal"].all()
    assert f["count"].tolist() == [0, 1, 1, 2, 2, 3]


def test_frontier_grid_and_given_budgets():
    c = pd.DataFrame({"id": ["A", "B", "C"], "value": [6, 5, 4], "cost": [3, 2, 2]})
    grid = portfolio.frontier(c, points=3)  # 0, 3.5 (A alone: B + C costs 4), 7
    assert grid["budget"].tolist() == [0.0, 3.5, 7.0]
    assert grid["value"].tolist() == [0.0, 6.0, 15.0]
    assert grid["slack"].tolist() == [0.0, 0.5, 0.0]
    given_ = portfolio.frontier(c, [5, 4])  # in the order given: A + B, then B + C
    assert given_["chosen"].tolist() == [("A", "B"), ("B", "C")]
    assert given_["enters"].tolist() == [("A", "B"), ("C",)]
    assert given_["leaves"].tolist() == [(), ("A",)]


def test_frontier_with_yearly_budgets():
    c, costs = yearly()
    f = portfolio.frontier(c, [{2027: 4, 2028: 4}, {2027: 6, 2028: 6}], costs=costs)
    assert f["budget"].tolist() == [8.0, 12.0]
    assert f["chosen"].tolist() == [("X", "Y"), ("X", "Y", "Z")]
    assert f["enters"].iat[1] == ("Z",)


def test_budget_change():
    c = pd.DataFrame({"id": ["A", "B", "C"], "value": [6, 5, 4], "cost": [3, 2, 2]})
    up = portfolio.budget_change(c, 4, 5)
    assert (up.enters, up.leaves) == (("A",), ("C",))
    assert (up.value_change, up.cost_change) == (2.0, 1.0)
    assert up.before.chosen == ("B", "C") and up.after.chosen == ("A", "B")
    assert up.table.to_dict("list") == {
        "id": ["A", "C"], "change": ["enters", "leaves"], "value": [6.0, 4.0],
        "cost": [3.0, 2.0], "reason": ["does not fit the budget (needs 3, 0 left)",
                                       "does not fit the budget (needs 2, 0 left)"]}
    same = portfolio.budget_change(c, 4, 4)
    assert same.enters == same.leaves == () and same.table.empty
    assert repr(up) == "BudgetChange(enters ['A'], leaves ['C']: value +2, cost +1)"


# ----------------------------------------------------------------------------------------
# Property tests against brute-force enumeration
# ----------------------------------------------------------------------------------------
@st.composite
def instances(draw, max_n=10):
    n = draw(st.integers(1, max_n))
    ids = [f"c{i}" for i in range(n)]
    yearly_cost = np.array(draw(st.lists(st.lists(st.integers(0, 4), min_size=2, max_size=2),
                                         min_size=n, max_size=n)), dtype=float)
    value = np.array(draw(st.lists(st.integers(0, 9), min_size=n, max_size=n)), dtype=float)
    mandatory = np.array(draw(st.lists(st.sampled_from([False, False, False, True]),
                                       min_size=n, max_size=n)), dtype=bool)
    pairs = [(i, j) for i in range(n) for j in range(n) if i != j]
    requires = set(draw(st.lists(st.sampled_from(pairs), max_size=n))) if pairs else set()
    excluded = set()
    if pairs:
        for i, j in draw(st.lists(st.sampled_from(pairs), max_size=n)):
            if (i, j) not in requires and (j, i) not in requires:
                excluded.add((min(i, j), max(i, j)))
    units = np.array(draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)), dtype=float)
    kind = draw(st.sampled_from(["total", "yearly", "none"]))
    budget = {"total": float(draw(st.integers(0, 16))),
              "yearly": {2027: float(draw(st.integers(0, 10))),
                         2028: float(draw(st.integers(0, 10)))},
              "none": None}[kind]
    capacity = draw(st.one_of(st.none(), st.integers(0, 8)))
    table = pd.DataFrame({
        "id": ids, "value": value, "cost": yearly_cost.sum(axis=1), "mandatory": mandatory,
        "requires": [";".join(ids[j] for (a, j) in sorted(requires) if a == i)
                     for i in range(n)],
        "excludes": [[ids[j] for (a, j) in sorted(excluded) if a == i] for i in range(n)]})
    costs = pd.DataFrame([(ids[i], 2027 + k, yearly_cost[i, k]) for i in range(n)
                          for k in range(2)], columns=["candidate_id", "year", "cost"])
    demand = pd.DataFrame({"candidate_id": ids, "period": "2027Q1", "role": "Developer",
                           "units": units})
    cap = (None if capacity is None else
           pd.DataFrame({"role": ["Developer"], "period": ["2027Q1"], "units": [capacity]}))
    return dict(table=table, costs=costs, demand=demand, capacity=cap, budget=budget,
                yearly_cost=yearly_cost, units=units, value=value, mandatory=mandatory,
                requires=requires, excluded=excluded, cap=capacity)


def _feasible(inst, budget="given"):
    """All 0/1 vectors (rows) meeting every constraint, with the given budget (or a total
    budget passed as a number)."""
    n = len(inst["value"])
    x = np.array(list(itertools.product([0, 1], repeat=n)), dtype=float).reshape(-1, n)
    ok = np.all(x[:, inst["mandatory"]] == 1, axis=1)
    for i, j in inst["requires"]:
        ok &= x[:, i] <= x[:, j]
    for i, j in inst["excluded"]:
        ok &= x[:, i] + x[:, j] <= 1
    if inst["cap"] is not None:
        ok &= x @ inst["units"] <= inst["cap"]
    b = inst["budget"] if budget == "given" else budget
    if isinstance(b, dict):
        ok &= (x @ inst["yearly_cost"][:, 0] <= b[2027]) & (x @ inst["yearly_cost"][:, 1] <= b[2028])
    elif b is not None:
        ok &= x @ inst["yearly_cost"].sum(axis=1) <= b
    return x[ok]


def _best(inst, x):
    """The documented choice: most value, then least cost, then earliest candidates."""
    cost = inst["yearly_cost"].sum(axis=1)
    return max(x.tolist(), key=lambda r: (np.dot(inst["value"], r), -np.dot(cost, r), r))


@settings(max_examples=150)
@given(instances())
def test_select_equals_brute_force(inst):
    x = _feasible(inst)
    args = dict(costs=inst["costs"], demand=inst["demand"], capacity=inst["capacity"])
    if len(x) == 0:
        with pytest.raises(InfeasibleError):
            portfolio.select(inst["table"], inst["budget"], **args)
        return
    s = portfolio.select(inst["table"], inst["budget"], **args)
    best = _best(inst, x)
    assert s.optimal
    assert s.chosen == tuple(i for i, b in zip(inst["table"]["id"], best, strict=True) if b)
    assert s.value == pytest.approx(np.dot(inst["value"], best))
    assert s.table["selected"].tolist() == [bool(b) for b in best]
    # every unselected candidate with a requirement, exclusion or limit problem says why
    assert all(r == "" for r in s.table.loc[s.table["selected"], "reason"])


@settings(max_examples=60)
@given(instances(max_n=7))
def test_frontier_is_monotone_and_matches_brute_force(inst):
    args = dict(demand=inst["demand"], capacity=inst["capacity"])
    x = _feasible(inst, budget=None)
    if len(x) == 0:
        with pytest.raises(InfeasibleError):
            portfolio.frontier(inst["table"], **args)
        return
    f = portfolio.frontier(inst["table"], **args)
    assert (np.diff(f["value"]) > 0).all() and (np.diff(f["budget"]) > 0).all()
    # Brute force: the budgets at which the best value rises.
    cost = x @ inst["yearly_cost"].sum(axis=1)
    value = x @ inst["value"]
    expected, best = [], -1.0
    for b in sorted(set(cost)):
        top = value[cost <= b].max()
        if top > best:
            expected.append((b, top))
            best = top
    assert list(zip(f["budget"], f["value"], strict=True)) == expected
    grid = portfolio.frontier(inst["table"], points=4, **args)
    assert (np.diff(grid["value"]) >= 0).all()  # non-decreasing on any increasing grid


@settings(max_examples=40)
@given(instances(max_n=8), st.integers(0, 16), st.integers(0, 16))
def test_budget_change_is_the_difference_of_two_selections(inst, old, new):
    args = dict(demand=inst["demand"], capacity=inst["capacity"])
    try:
        before = portfolio.select(inst["table"], float(old), **args)
        after = portfolio.select(inst["table"], float(new), **args)
    except InfeasibleError:
        return
    change = portfolio.budget_change(inst["table"], float(old), float(new), **args)
    assert set(change.enters) == set(after.chosen) - set(before.chosen)
    assert set(change.leaves) == set(before.chosen) - set(after.chosen)
    assert change.value_change == pytest.approx(after.value - before.value)
    if new >= old:
        assert change.value_change >= 0


# ----------------------------------------------------------------------------------------
# Bad input
# ----------------------------------------------------------------------------------------
def _with(column, row, value):
    c = candidates().astype({column: object})
    c.at[row, column] = value
    return c


@pytest.mark.parametrize("table, error, match", [
    (_with("requires", 1, "C; Z"), UnknownReferenceError,
     r"candidates, row 3, ID 'B', column 'requires': refers to unknown candidate 'Z'"),
    (_with("excludes", 0, ["Q"]), UnknownReferenceError,
     r"row 2, ID 'A', column 'excludes': refers to unknown candidate 'Q'"),
    (_with("value", 2, None), DataValidationError, r"row 4, ID 'C', column 'value': missing value"),
    (_with("value", 2, np.nan), DataValidationError, r"ID 'C', column 'value': missing value"),
    (_with("cost", 3, -1), DataValidationError, r"row 5, ID 'D', column 'cost': must be ≥ 0, got -1"),
    (_with("value", 0, -2.5), DataValidationError, r"ID 'A', column 'value': must be ≥ 0, got -2.5"),
    (_with("cost", 3, "lots"), DataValidationError,
     r"ID 'D', column 'cost': not a finite number: 'lots'"),
    (_with("cost", 3, np.inf), DataValidationError, r"ID 'D', column 'cost': not a finite number"),
    (_with("id", 2, "A"), DataValidationError,
     r"candidates, row 4, ID 'A', column 'id': duplicate id \(first on row 2\)"),
    (_with("id", 2, " "), DataValidationError, r"candidates, row 4, column 'id': is blank"),
    (_with("excludes", 1, "C"), DataValidationError,
     r"row 3, ID 'B', column 'requires': requires C but it also excludes it: it could never "
     r"be selected"),
    (_with("excludes", 2, "B"), DataValidationError,
     r"row 3, ID 'B', column 'requires': requires C but C excludes B"),
    (_with("requires", 0, "A"), DataValidationError,
     r"ID 'A', column 'requires': a candidate cannot require itself"),
    (_with("excludes", 0, "A"), DataValidationError,
     r"ID 'A', column 'excludes': a candidate cannot exclude itself"),
    (_with("mandatory", 0, "maybe"), DataValidationError,
     r"ID 'A', column 'mandatory': must be true or false, got 'maybe'"),
    (_with("requires", 0, 5), DataValidationError,
     r"ID 'A', column 'requires': expected ids separated by ';' or a list, got 5"),
])
def test_bad_candidates(table, error, match):
    with pytest.raises(error, match=match) as info:
        portfolio.select(table, 10)
    assert isinstance(info.value, PMOError)


def test_every_bad_cell_is_listed_and_structural_errors():
    c = _with("value", 0, -1)
    c.at[1, "cost"] = np.nan
    with pytest.raises(DataValidationError) as info:
        portfolio.select(c, 10)
    assert len(info.value.problems) == 2
    with pytest.raises(MissingDataError, match="column 'cost': required column is missing"):
        portfolio.select(candidates().drop(columns="cost"), 10)
    with pytest.raises(DataValidationError, match="expected a DataFrame, got list"):
        portfolio.select([1, 2], 10)
    with pytest.raises(DataValidationError, match="has no rows: there is nothing to select"):
        portfolio.select(candidates().iloc[:0], 10)


@pytest.mark.parametrize("budget, match", [
    (-1, "the budget must be a number ≥ 0"), (np.nan, "the budget must be a number ≥ 0"),
    ("ten", r"got 'ten'"), (True, "got True"),
])
def test_bad_budget(budget, match):
    with pytest.raises(DataValidationError, match=match):
        portfolio.select(candidates(), budget)


def test_bad_yearly_budget():
    c, costs = yearly()
    with pytest.raises(DataValidationError, match="a budget per year needs the yearly costs"):
        portfolio.select(c, {2027: 5})
    with pytest.raises(DataValidationError, match="column 'soon': a budget's key must be a year"):
        portfolio.select(c, {"soon": 5}, costs=costs)
    with pytest.raises(DataValidationError, match="the 2028 budget must be a number ≥ 0"):
        portfolio.select(c, {2027: 5, 2028: -5}, costs=costs)


@pytest.mark.parametrize("edit, error, match", [
    (lambda t: t.assign(candidate_id=["X", "X", "Y", "Y", "Z", "Q"]), UnknownReferenceError,
     r"costs, row 7, ID 'Q', column 'candidate_id': refers to unknown candidate 'Q'"),
    (lambda t: t.assign(cost=[3, 1, 1, 3, 2, -2]), DataValidationError,
     r"costs, row 7, ID 'Z', column 'cost': must be a number ≥ 0, got -2"),
    (lambda t: t.assign(year=[2027, 2028, 2027, 2028, 2027, 2027.5]), DataValidationError,
     r"costs, row 7, ID 'Z', column 'year': must be a whole number \(a year\), got 2027.5"),
    (lambda t: t.assign(year=[2027, 2028, 2027, 2028, 2027, 2027]), DataValidationError,
     r"costs, row 7, ID 'Z', column 'candidate_id \+ year': duplicate"),
    (lambda t: t.assign(cost=[3, 1, 1, 3, 2, 3]), DataValidationError,
     r"candidates, row 4, ID 'Z', column 'cost': is 4 but its yearly costs add up to 5"),
    (lambda t: t.iloc[:4], DataValidationError,
     r"ID 'Z', column 'cost': is 4 but the candidate has no rows in the yearly costs"),
    (lambda t: t.drop(columns="year"), MissingDataError,
     r"costs, row 1, column 'year': required column is missing"),
])
def test_bad_yearly_costs(edit, error, match):
    c, costs = yearly()
    with pytest.raises(error, match=match):
        portfolio.select(c, {2027: 9}, costs=edit(costs))


def test_bad_demand_and_capacity():
    c = candidates()
    demand = pd.DataFrame({"candidate_id": ["A", "W"], "period": ["Q1", "Q1"],
                           "role": ["Developer", "Tester"], "units": [1, 1]})
    with pytest.raises(UnknownReferenceError, match=r"demand, row 3, ID 'W'.*unknown candidate"):
        portfolio.select(c, 10, demand=demand)
    bad = demand.assign(candidate_id=["A", "B"], units=[1, -1], role=["Developer", None])
    with pytest.raises(DataValidationError) as info:
        portfolio.select(c, 10, demand=bad)
    text = str(info.value)
    assert "demand, row 3, ID 'B', column 'role': is blank" in text
    assert "demand, row 3, ID 'B', column 'units': must be a number ≥ 0, got -1" in text
    capacity = pd.DataFrame({"role": ["Developer"], "period": ["Q1"], "units": ["many"]})
    with pytest.raises(DataValidationError,
                       match=r"capacity, row 2, column 'units': must be a number ≥ 0, got 'many'"):
        portfolio.select(c, 10, demand=demand.iloc[:1], capacity=capacity)


def test_bad_points():
    with pytest.raises(DataValidationError, match="column 'points': must be a whole number ≥ 2"):
        portfolio.frontier(candidates(), points=1)


# ----------------------------------------------------------------------------------------
# Infeasibility, explained by naming the candidates
# ----------------------------------------------------------------------------------------
def test_mandatory_over_budget():
    c = candidates().assign(mandatory=[True, False, False, False, True, False])
    with pytest.raises(InfeasibleError, match=r"budget: the mandatory candidates \(A, E\) cost "
                                              r"6, over the budget of 5"):
        portfolio.select(c, 5)


def test_mandatory_and_required_over_yearly_budget():
    c, costs = yearly()
    c["mandatory"] = [False, True, False]
    c["requires"] = ["", "Z", ""]
    with pytest.raises(InfeasibleError) as info:
        portfolio.select(c, {2027: 9, 2028: 4}, costs=costs)
    assert "budget, column '2028': the mandatory candidates and those they require (Y, Z) " \
           "cost 5 in 2028, over the 2028 budget of 4" in str(info.value)
    assert isinstance(info.value, DataValidationError)


def test_mandatory_over_capacity():
    c = candidates()
    demand = pd.DataFrame({"candidate_id": ["E"], "period": ["2027Q1"], "role": ["Tester"],
                           "units": [1.5]})
    capacity = pd.DataFrame({"role": ["Tester"], "period": ["2027Q1"], "units": [1.0]})
    with pytest.raises(InfeasibleError, match=r"the mandatory candidates \(E\) need 1.5 units of "
                                              r"Tester in 2027Q1, over its capacity of 1"):
        portfolio.select(c, 10, demand=demand, capacity=capacity)


def test_mandatory_candidates_excluding_each_other():
    c = candidates().assign(mandatory=[True, False, False, True, False, False])
    with pytest.raises(InfeasibleError, match=r"row 2, ID 'A', column 'excludes': mandatory "
                                              r"candidates A and D exclude each other"):
        portfolio.select(c, 100)


def test_mandatory_requiring_an_excluded_candidate():
    """E (mandatory) requires B, which requires C; C is excluded by mandatory F."""
    c = candidates().assign(requires=["", "C", "", "", "B", ""], excludes=["", "", "F", "A", "", ""],
                            mandatory=[False, False, False, False, True, True])
    with pytest.raises(InfeasibleError) as info:
        portfolio.select(c, 100)
    assert str(info.value) == (
        "candidates, row 4, ID 'C', column 'excludes': C and F exclude each other but both "
        "must be selected: C is required by mandatory E (E → B → C); F is mandatory")
    with pytest.raises(InfeasibleError):
        portfolio.frontier(c)


# ----------------------------------------------------------------------------------------
# The sample's 2027 planning round (datasets/README.md tells its story)
# ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def plan(sample):
    return sample.planning_round()


def test_sample_default_selection(plan):
    s = portfolio.select(**plan)
    assert s.optimal
    assert s.chosen == ("AIQ", "APS", "B2B", "CPQ", "EIN", "ESG", "FSM", "IOT", "MES", "SOC")
    assert (s.value, s.cost) == (23_000_000.0, 12_500_000.0)
    assert s.spend.loc[2027].tolist() == [7_000_000.0, 6_808_000.0, 192_000.0]
    assert (s.spend["slack"] >= 0).all() and (s.capacity["slack"].dropna() >= -1e-9).all()
    reason = s.table.set_index("id")["reason"]
    assert reason["CFG"].startswith("excluded by CPQ; does not fit the 2027 budget")
    assert reason["WH2"].startswith("does not fit the 2027 budget (needs 813,000, 192,000 left)")
    assert "needs 0.5 Consultant in 2027Q4, 0.4 free" in reason["TMS"]
    assert reason["CHB"].startswith("requires MDM (not selected)")
    # the mandatory proposals are in; valuable ones are out
    assert {"EIN", "ESG"} <= set(s.chosen)
    out = s.table[~s.table["selected"]]
    assert out["value"].max() == 2_500_000.0 and len(out) == 13  # CFG


def _without(plan, **changes):
    return portfolio.select(**{**plan, **changes})


def test_sample_what_binds(plan):
    best = portfolio.select(**plan)
    c = plan["candidates"]
    # The 2027 budget binds.
    free_2027 = _without(plan, budget=plan["budget"].drop(2027))
    assert free_2027.value == 27_050_000.0 and len(free_2027.chosen) == 15
    # The dependency AIQ → IOT matters: IOT (0.8 M for 1.0 M) is chosen only for AIQ.
    loose = c.assign(requires=[() if i == "AIQ" else r for i, r in zip(c["id"], c["requires"],
                                                                       strict=True)])
    s = _without(plan, candidates=loose)
    assert "IOT" not in s.chosen and {"AIQ", "LOY", "MDM"} <= set(s.chosen)
    assert s.value == 24_500_000.0
    # The exclusion CPQ / CFG matters.
    both = c.assign(excludes=[()] * len(c))
    s = _without(plan, candidates=both)
    assert {"CPQ", "CFG"} <= set(s.chosen) and s.value == 23_600_000.0
    # Consultant capacity binds; the data engineers do not change the optimum.
    cap = plan["capacity"]
    s = _without(plan, capacity=cap[cap["role"] != "Consultant"])
    assert s.value == 23_300_000.0 and "TMS" in s.chosen and "SOC" not in s.chosen
    assert _without(plan, capacity=cap[cap["role"] != "Data Engineer"]).value <= best.value
    assert _without(plan, capacity=None).value > best.value


def test_sample_budget_change_and_frontier(plan):
    args = {k: plan[k] for k in ("costs", "demand", "capacity")}
    more = plan["budget"].copy()
    more[2027] += 1_000_000
    up = portfolio.budget_change(plan["candidates"], plan["budget"], more, **args)
    assert up.enters == ("RPA", "ZTN") and up.leaves == ()
    assert up.value_change == 2_250_000.0 and up.cost_change == 1_350_000.0
    f = portfolio.frontier(plan["candidates"], points=6, **args)
    assert f["budget"].iat[0] == 1_400_000.0 and f["chosen"].iat[0] == ("EIN", "ESG")
    assert (np.diff(f["value"]) >= 0).all() and f["optimal"].all()
    assert f["value"].iat[-1] == portfolio.select(plan["candidates"], None, **args).value


def test_sample_scores_and_wsjf(plan):
    c = plan["candidates"]
    scored = portfolio.score(c, {"strategic_alignment": 0.4, "value": 0.3, "risk": 0.2,
                                 "urgency": 0.1},
                             scales={k: (1, 5) for k in ("strategic_alignment", "risk",
                                                         "urgency")})
    assert scored["id"].iat[0] == "MES" and scored["rank"].iat[0] == 1
    assert portfolio.wsjf(c)["id"].iat[0] == "SOC"


def test_mini_planning_round_loads_and_selects():
    pf = load_portfolio(DATA / "mini_planning")
    s = portfolio.select(**pf.planning_round())
    assert s.chosen == ("N1", "N2", "N3", "N5")
