"""Planning-round tables of the data model: candidates, candidate_costs, candidate_demand,
planning_budget and planning_capacity (optional files; see datasets/README.md).

The hand-checked fixture is tests/data/mini_planning: tests/data/mini plus a planning round
of five proposals (spreadsheet rows: header = 1, so N1 is row 2, ..., N5 row 6)::

    id  value  cost  2027  2028  Developer Q1 / Q2    notes
    N1    500   300   200   100   0.5 / -             mandatory
    N2    900   500   300   200   1   / 1             requires N3
    N3    200   200   200     -   0.5 / -
    N4    800   400   200   200   -   / 1             excludes N2
    N5    300   100   100     -   (Project Manager 0.5 in Q1)

Budget 800 in 2027 and 400 in 2028; developers: 2 free in 2027Q1, 1 in 2027Q2. N1 is forced
in (200 / 100, half a developer in Q1), leaving 600 / 300 and 1.5 / 1 developers:

    N2 + N3 + N5   600 / 200   developers 1.5 / 1   value 1400   <- best
    N4 + N3 + N5   500 / 200   developers 0.5 / 1   value 1300
    N4 + N5        300 / 200                        value 1100

so N1, N2, N3, N5: value 1900, cost 1100; the 2027 budget is spent to the last euro, 100
is left in 2028, both developer quarters are full. N4 is out: excluded by N2, and it fits
neither budget year nor the 2027Q2 developers.

Frontier (one total budget, the capacity kept): every selection holds N1 (500 / 300); the
best value rises at 300 (N1: 500), 400 (+N5: 800), 600 (+N3 +N5: 1000), 700 (+N4: 1300),
800 (+N4 +N5: 1600), 1000 (+N4 +N3 +N5: 1800) and 1100 (+N2 +N3 +N5: 1900).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import DATA, append_csv, edit_csv

from pmo_lib import DataValidationError, UnknownReferenceError, load_portfolio, portfolio
from pmo_lib.model import SCHEMAS, data_dictionary
from pmo_lib.resources import demand as resource_demand

MINI_PLANNING = DATA / "mini_planning"
PLANNING = ("candidates", "candidate_costs", "candidate_demand", "planning_budget",
            "planning_capacity")


@pytest.fixture(scope="module")
def planning_pf():
    return load_portfolio(MINI_PLANNING)


@pytest.fixture
def folder(tmp_path) -> Path:
    """A writable copy of tests/data/mini_planning."""
    out = tmp_path / "mini_planning"
    shutil.copytree(MINI_PLANNING, out)
    return out


def _error(folder, kind=DataValidationError) -> str:
    with pytest.raises(kind) as info:
        load_portfolio(folder)
    return str(info.value)


# --------------------------------------------------------------------------------------
# Declarations
# --------------------------------------------------------------------------------------
def test_schemas_match_the_engine_columns():
    names = {t: [c.name for c in SCHEMAS[t].columns] for t in PLANNING}
    assert set(portfolio.SELECT_COLUMNS) <= set(names["candidates"])
    assert set(portfolio.WSJF_COLUMNS) <= set(names["candidates"])
    assert tuple(names["candidate_costs"]) == portfolio.COST_COLUMNS
    assert tuple(names["candidate_demand"]) == portfolio.DEMAND_COLUMNS
    assert tuple(names["planning_capacity"]) == portfolio.CAPACITY_COLUMNS
    assert all(not SCHEMAS[t].required for t in PLANNING)


def test_data_dictionary_documents_the_tables():
    text = data_dictionary()
    for table in PLANNING:
        assert f"### `{table}.csv` (optional file; key: {', '.join(SCHEMAS[table].key)})" in text
    assert "| `value` | float | currency | yes |" in text
    assert "| `units` | float | resource units | yes |" in text
    assert "| `mandatory` | bool |  | no (default False) |" in text


# --------------------------------------------------------------------------------------
# Absent files: empty tables with the documented dtypes
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("table", PLANNING)
def test_absent_files_give_empty_tables_with_dtypes(mini, table):
    df = getattr(mini, table)
    assert df.empty
    assert list(df.columns) == [c.name for c in SCHEMAS[table].columns]
    for col in SCHEMAS[table].columns:
        assert str(df[col.name].dtype) == col.dtype, (table, col.name)


def test_planning_round_of_a_portfolio_without_one(mini):
    plan = mini.planning_round()
    assert plan["candidates"].empty
    assert plan["budget"] is plan["costs"] is plan["demand"] is plan["capacity"] is None


# --------------------------------------------------------------------------------------
# The hand-checked fixture
# --------------------------------------------------------------------------------------
def test_fixture_loads_with_declared_dtypes(planning_pf):
    for table in PLANNING:
        df = getattr(planning_pf, table)
        assert not df.empty, table
        for col in SCHEMAS[table].columns:
            assert str(df[col.name].dtype) == col.dtype, (table, col.name, df[col.name].dtype)
    c = planning_pf.candidates.set_index("id")
    assert c.loc["N2", "requires"] == ("N3",) and c.loc["N4", "excludes"] == ("N2",)
    assert c.loc["N1", "requires"] == () and c["mandatory"].tolist() == [True] + [False] * 4
    assert c["business_value"].isna().all()  # optional WSJF columns absent: blank
    assert planning_pf.candidate_costs["year"].tolist()[:2] == [2027, 2028]


def test_planning_round_is_the_select_arguments(planning_pf):
    plan = planning_pf.planning_round()
    assert sorted(plan) == ["budget", "candidates", "capacity", "costs", "demand"]
    assert plan["budget"].to_dict() == {2027: 800.0, 2028: 400.0}
    assert plan["budget"].index.name == "year" and plan["budget"].index.dtype == np.int64
    assert plan["costs"] is planning_pf.candidate_costs


def test_hand_solution(planning_pf):
    s = portfolio.select(**planning_pf.planning_round())
    assert s.chosen == ("N1", "N2", "N3", "N5") and s.optimal
    assert (s.value, s.cost, s.slack) == (1900.0, 1100.0, 100.0)
    assert s.spend.to_dict("index") == {2027: {"budget": 800.0, "spend": 800.0, "slack": 0.0},
                                        2028: {"budget": 400.0, "spend": 300.0, "slack": 100.0}}
    cap = s.capacity.set_index(["role", "period"])["slack"]
    assert cap.to_dict() == {("Developer", "2027Q1"): 0.0, ("Developer", "2027Q2"): 0.0,
                             ("Project Manager", "2027Q1"): 0.5,
                             ("Project Manager", "2027Q2"): 1.0}
    assert s.table.set_index("id").at["N4", "reason"] == (
        "excluded by N2; does not fit the 2027 budget (needs 200, 0 left); does not fit the "
        "2028 budget (needs 200, 100 left); needs 1 Developer in 2027Q2, 0 free")


def test_hand_frontier(planning_pf):
    plan = planning_pf.planning_round()
    f = portfolio.frontier(plan["candidates"], costs=plan["costs"], demand=plan["demand"],
                           capacity=plan["capacity"])
    assert f["budget"].tolist() == [300, 400, 600, 700, 800, 1000, 1100]
    assert f["value"].tolist() == [500, 800, 1000, 1300, 1600, 1800, 1900]
    assert f["chosen"].iat[3] == ("N1", "N4") and f["leaves"].iat[3] == ("N3", "N5")


def test_select_keeps_the_planning_round(planning_pf):
    one = planning_pf.select("P1")
    for table in PLANNING:
        pd.testing.assert_frame_equal(getattr(one, table), getattr(planning_pf, table))


# --------------------------------------------------------------------------------------
# Bad input: each error names the file, the row, the ID and the column
# --------------------------------------------------------------------------------------
BAD = [
    ("candidates", 3, "value", -5, ["candidates.csv", "row 3", "ID 'N2'", "column 'value'",
                                    "below the minimum 0"]),
    ("candidates", 2, "strategic_alignment", 6, ["row 2", "ID 'N1'", "above the maximum 5"]),
    ("candidates", 2, "risk", 0, ["ID 'N1'", "column 'risk'", "below the minimum 1"]),
    ("candidates", 2, "mandatory", "maybe", ["ID 'N1'", "'maybe' is not true or false"]),
    ("candidates", 4, "id", "N2", ["row 4", "column 'id'", "duplicate id (first on row 3)"]),
    ("candidates", 3, "cost", 600, ["candidates.csv", "row 3", "ID 'N2'", "column 'cost'",
                                    "is 600 but its yearly costs add up to 500"]),
    ("candidates", 3, "excludes", "N3", ["candidates.csv", "row 3", "ID 'N2'",
                                         "column 'requires'",
                                         "requires N3 but it also excludes it"]),
    ("candidates", 4, "excludes", "N2", ["row 3", "ID 'N2'", "requires N3 but N3 excludes N2"]),
    ("candidates", 2, "requires", "N1", ["ID 'N1'", "a candidate cannot require itself"]),
    ("candidate_costs", 2, "cost", -1, ["candidate_costs.csv", "row 2", "ID 'N1 2027'",
                                        "column 'cost'", "below the minimum 0"]),
    ("candidate_costs", 3, "year", 2027, ["candidate_costs.csv", "row 3",
                                          "duplicate candidate_id + year (first on row 2)"]),
    ("candidate_costs", 2, "year", "soon", ["row 2", "'soon' is not a finite number"]),
    ("candidate_demand", 2, "role", "Wizard", [
        "candidate_demand.csv", "row 2", "ID 'N1 Wizard 2027Q1'", "column 'role'",
        "'Wizard' is not a role of resources.csv or planning_capacity.csv; the roles are "
        "Developer, Project Manager"]),
    ("candidate_demand", 3, "units", -1, ["candidate_demand.csv", "row 3",
                                          "ID 'N2 Developer 2027Q1'", "below the minimum 0"]),
    ("planning_budget", 2, "budget", -100, ["planning_budget.csv", "row 2", "ID '2027'",
                                            "column 'budget'", "below the minimum 0"]),
    ("planning_capacity", 2, "units", "lots", ["planning_capacity.csv", "row 2",
                                               "ID 'Developer 2027Q1'",
                                               "'lots' is not a finite number"]),
]


@pytest.mark.parametrize(("table", "row", "column", "value", "expected"), BAD,
                         ids=[f"{b[0]}-{b[2]}-{b[3]}" for b in BAD])
def test_bad_value_names_file_row_id_and_column(folder, table, row, column, value, expected):
    edit_csv(folder, table, row, column, value)
    msg = _error(folder)
    for part in expected:
        assert part in msg, (part, msg)


@pytest.mark.parametrize(("table", "row", "column"), [
    ("candidates", 3, "requires"), ("candidates", 5, "excludes"),
    ("candidate_costs", 4, "candidate_id"), ("candidate_demand", 2, "candidate_id")])
def test_unknown_candidate(folder, table, row, column):
    edit_csv(folder, table, row, column, "N9")
    msg = _error(folder, UnknownReferenceError)
    assert f"{table}.csv, row {row}" in msg and f"column '{column}'" in msg
    assert "refers to unknown candidate 'N9'" in msg


def test_a_role_of_the_capacity_table_is_a_role(folder):
    append_csv(folder, "planning_capacity", role="Data Scientist", period="2027Q1", units="1")
    append_csv(folder, "candidate_demand", candidate_id="N5", period="2027Q1",
               role="Data Scientist", units="0.5")
    s = portfolio.select(**load_portfolio(folder).planning_round())
    assert "N5" in s.chosen


def test_every_problem_is_listed(folder):
    edit_csv(folder, "candidates", 2, "value", -1)
    edit_csv(folder, "planning_budget", 3, "budget", "x")
    edit_csv(folder, "candidate_demand", 4, "units", -2)
    msg = _error(folder)
    assert msg.startswith("3 problems")


def test_loading_does_not_touch_the_files(folder):
    before = {p.name: p.read_bytes() for p in MINI_PLANNING.iterdir()}
    load_portfolio(folder)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


# --------------------------------------------------------------------------------------
# The sample's 2027 planning round
# --------------------------------------------------------------------------------------
def test_sample_planning_tables(sample):
    c = sample.candidates
    assert len(c) == 23 and c["id"].is_unique
    assert c["programme"].value_counts().to_dict() == {
        "Operations and Compliance": 11, "Customer Experience": 7, "Digital Core": 5}
    assert set(c["programme"]) <= set(sample.projects["programme"])
    assert c.loc[c["mandatory"], "id"].tolist() == ["EIN", "ESG"]
    requires = {i: r for i, r in zip(c["id"], c["requires"], strict=True) if r}
    assert requires == {"AIQ": ("IOT",), "APS": ("MES",), "CHB": ("MDM",),
                        "DTW": ("IOT", "MES"), "PDM": ("IOT",)}
    excludes = {i: r for i, r in zip(c["id"], c["excludes"], strict=True) if r}
    assert excludes == {"CFG": ("CPQ",), "CPQ": ("CFG",)}
    for col in ("strategic_alignment", "risk", "urgency"):
        assert c[col].between(1, 5).all() and c[col].nunique() >= 3
    assert (c[list(portfolio.WSJF_COLUMNS)].notna()).all().all()
    costs = sample.candidate_costs.groupby("candidate_id")["cost"].sum()
    assert (costs.reindex(c["id"]).to_numpy() == c["cost"].to_numpy()).all()
    assert set(sample.candidate_costs["year"]) == {2027, 2028, 2029}
    assert sample.planning_budget.set_index("year")["budget"].to_dict() == {
        2027: 7_000_000.0, 2028: 5_500_000.0, 2029: 2_000_000.0}
    quarters = [f"2027Q{q}" for q in range(1, 5)]
    assert sorted(set(sample.candidate_demand["period"])) == quarters
    assert set(sample.candidate_demand["role"]) <= set(sample.resources["role"])
    assert len(sample.planning_capacity) == 4 * sample.resources["role"].nunique()


def test_sample_capacity_is_what_the_running_projects_leave(sample):
    """Free units of a role in a quarter = its capacity less the running projects' baseline
    demand averaged over the quarter's working days, rounded down to half a person."""
    cap = sample.planning_capacity.set_index(["role", "period"])["units"]
    pool = sample.resources.groupby("role")["capacity"].sum()
    daily = resource_demand(sample.tasks, sample.assignments, sample.calendar, freq="D",
                            by="role", resources=sample.resources)
    for (role, period), units in cap.items():
        q = pd.Period(period, freq="Q")
        days = pd.date_range(q.start_time, q.end_time.normalize())
        work = days[sample.calendar.is_working_day(days)]
        used = daily[role].reindex(work.to_period("D"), fill_value=0.0).mean()
        assert units == max(np.floor((pool[role] - used) * 2) / 2, 0.0), (role, period)
    # The story: the data engineers stay on DAT until mid-2027.
    assert cap[("Data Engineer", "2027Q1")] == cap[("Data Engineer", "2027Q2")] == 0.0
    assert cap[("Data Engineer", "2027Q3")] == 2.0
