"""Loading a portfolio and every bad input the data model must reject with a clear message.

Row numbers in messages are spreadsheet rows: the header is row 1, the first data row row 2.
In tests/data/mini/tasks.csv: row 2 = A1, 3 = A2, 4 = M1, 5 = B1.
"""

import re

import numpy as np
import pandas as pd
import pytest
from conftest import MINI, append_csv, edit_csv

from pmo_lib import (
    DataValidationError,
    MissingDataError,
    PMOError,
    Portfolio,
    UnknownReferenceError,
    load_portfolio,
    parse_month,
)
from pmo_lib.model import SCHEMAS, data_dictionary


# --------------------------------------------------------------------------------------
# Loading good data
# --------------------------------------------------------------------------------------
def test_mini_loads_with_declared_dtypes(mini):
    assert isinstance(mini, Portfolio)
    assert mini.name == "Mini portfolio (hand-checked test fixture)"
    assert mini.currency == "EUR"
    assert list(mini.tasks["id"]) == ["A1", "A2", "M1", "B1"]
    for table, schema in SCHEMAS.items():
        df = mini.holidays if table == "calendar" else getattr(mini, table)
        for col in schema.columns:
            assert col.name in df.columns, (table, col.name)
            assert str(df[col.name].dtype) == col.dtype, (table, col.name, df[col.name].dtype)


def test_values_parsed(mini):
    t = mini.tasks.set_index("id")
    assert t.loc["A2", "duration"] == 10.0
    assert t.loc["A2", "baseline_finish"] == pd.Timestamp("2026-01-26")
    assert bool(t.loc["M1", "milestone"]) is True
    assert bool(t.loc["A1", "milestone"]) is False
    assert t.loc["A1", "constraint_type"] == "ASAP"        # blank -> default
    assert t.loc["B1", "constraint_type"] == "SNET"
    assert t.loc["B1", "constraint_date"] == pd.Timestamp("2026-01-27")
    assert pd.isna(t.loc["A1", "constraint_date"])
    assert list(mini.links["type"]) == ["FS", "FS", "FS"]
    assert mini.risks.loc[0, "affected_tasks"] == ("A2",)
    assert mini.calendar.holidays == (np.datetime64("2026-01-19"),)


def test_months_and_snapshots(mini):
    assert [str(m) for m in mini.months] == ["2026-01", "2026-02"]
    assert mini.latest_month == pd.Period("2026-02", "M")
    assert mini.status_date("2026-01") == pd.Timestamp("2026-01-16")
    snap = mini.snapshot("2026-01")
    assert sorted(snap["task_id"]) == ["A1", "A2"]
    assert len(mini.risk_register("2026-02")) == 2


def test_select_keeps_internal_links(mini):
    p1 = mini.select("P1")
    assert list(p1.tasks["id"]) == ["A1", "A2", "M1"]
    assert len(p1.links) == 2        # M1 -> B1 crosses to P2 and is dropped
    assert set(p1.status["task_id"]) == {"A1", "A2", "M1"}
    p2 = mini.select(["P2"])
    assert [str(m) for m in p2.months] == ["2026-01", "2026-02"]   # P2 had not started in Jan
    assert p2.snapshot("2026-01").empty


def test_optional_files_may_be_absent(mini_copy):
    for name in ("links", "resources", "assignments", "calendar", "status", "risks", "wbs",
                 "portfolio"):
        (mini_copy / f"{name}.csv").unlink(missing_ok=True)
    (mini_copy / "portfolio.toml").unlink()
    pf = load_portfolio(mini_copy)
    assert pf.links.empty and pf.status.empty and pf.risks.empty
    assert pf.name == "mini" and pf.currency == "EUR"
    with pytest.raises(MissingDataError, match="has no status snapshots"):
        _ = pf.latest_month


def test_country_holidays_from_portfolio_toml(mini_copy):
    toml = mini_copy / "portfolio.toml"
    toml.write_text(toml.read_text() + 'country = "GB"\n')
    pf = load_portfolio(mini_copy)
    assert not pf.calendar.is_working_day("2026-12-28")      # Boxing Day (observed)
    assert not pf.calendar.is_working_day("2026-01-19")      # still the calendar.csv holiday
    toml.write_text(toml.read_text().replace('"GB"', '"XX"'))
    with pytest.raises(DataValidationError, match="ID 'XX', column 'country': no public holidays"):
        load_portfolio(mini_copy)


def test_zero_duration_is_a_milestone(mini_copy):
    df = pd.read_csv(mini_copy / "tasks.csv", dtype=str, keep_default_na=False)
    df.drop(columns=["milestone"]).to_csv(mini_copy / "tasks.csv", index=False)
    pf = load_portfolio(mini_copy)
    assert pf.tasks.set_index("id")["milestone"].to_dict() == {
        "A1": False, "A2": False, "M1": True, "B1": False}


def test_extra_columns_kept_and_case_and_spaces_tolerated(mini_copy):
    edit_csv(mini_copy, "links", 2, "type", " ss ")
    df = pd.read_csv(mini_copy / "tasks.csv", dtype=str, keep_default_na=False)
    df["owner_note"] = "x"
    df.to_csv(mini_copy / "tasks.csv", index=False)
    pf = load_portfolio(mini_copy)
    assert pf.links.loc[0, "type"] == "SS"
    assert (pf.tasks["owner_note"] == "x").all()


def test_unknown_month_lists_available(mini):
    with pytest.raises(MissingDataError, match=r"no status snapshot for 2026-05.*2026-01, 2026-02"):
        mini.status_date("2026-05")


@pytest.mark.parametrize("text", ["2026-13", "October", "2026/10", "", "26-10"])
def test_parse_month_rejects(text):
    with pytest.raises(DataValidationError, match="not a month in the form YYYY-MM"):
        parse_month(text)


def test_parse_month_accepts():
    assert parse_month("2026-10") == pd.Period("2026-10", "M")
    assert parse_month(pd.Timestamp("2026-10-31")) == pd.Period("2026-10", "M")


def test_data_dictionary_lists_every_column():
    text = data_dictionary()
    for schema in SCHEMAS.values():
        assert f"`{schema.file}`" in text
        for col in schema.columns:
            assert f"| `{col.name}` |" in text


# --------------------------------------------------------------------------------------
# Bad input: each error names the file, the row and the ID at fault
# --------------------------------------------------------------------------------------
def _error(folder, kind=DataValidationError) -> str:
    with pytest.raises(kind) as info:
        load_portfolio(folder)
    assert isinstance(info.value, PMOError)
    return str(info.value)


def test_missing_folder(tmp_path):
    msg = _error(tmp_path / "nowhere", MissingDataError)
    assert "nowhere" in msg and "data folder not found" in msg


@pytest.mark.parametrize("name", ["projects", "tasks"])
def test_missing_required_file(mini_copy, name):
    (mini_copy / f"{name}.csv").unlink()
    msg = _error(mini_copy, MissingDataError)
    assert f"{name}.csv" in msg and "file not found" in msg


@pytest.mark.parametrize(("table", "column"), [
    ("tasks", "duration"), ("projects", "budget"), ("links", "succ"),
    ("status", "percent_complete"), ("resources", "cost_rate"), ("assignments", "units"),
])
def test_missing_required_column(mini_copy, table, column):
    df = pd.read_csv(mini_copy / f"{table}.csv", dtype=str)
    df.drop(columns=[column]).to_csv(mini_copy / f"{table}.csv", index=False)
    msg = _error(mini_copy, MissingDataError)
    assert f"{table}.csv, row 1, column {column!r}: required column is missing" in msg


@pytest.mark.parametrize(("table", "row", "column", "value", "expected"), [
    ("tasks", 3, "duration", "ten", "tasks.csv, row 3, ID 'A2', column 'duration': 'ten' is not a finite number"),
    ("tasks", 4, "budget", "1,000", "tasks.csv, row 4, ID 'M1', column 'budget': '1,000' is not a finite number"),
    ("projects", 3, "priority", "1.5", "projects.csv, row 3, ID 'P2', column 'priority': '1.5' is not a whole number"),
    ("status", 3, "actual_cost", "n/a", "status.csv, row 3, ID 'A2 @ 2026-01-16', column 'actual_cost': 'n/a' is not a finite number"),
    ("tasks", 2, "baseline_start", "2026-13-01", "tasks.csv, row 2, ID 'A1', column 'baseline_start': '2026-13-01' is not a date in the form YYYY-MM-DD"),
    ("projects", 2, "start_date", "05/01/2026", "projects.csv, row 2, ID 'P1', column 'start_date': '05/01/2026' is not a date"),
    ("status", 4, "actual_finish", "yesterday", "status.csv, row 4, ID 'A1 @ 2026-02-27', column 'actual_finish': 'yesterday' is not a date"),
    ("tasks", 2, "milestone", "maybe", "tasks.csv, row 2, ID 'A1', column 'milestone': 'maybe' is not true or false"),
])
def test_unparsable_values(mini_copy, table, row, column, value, expected):
    edit_csv(mini_copy, table, row, column, value)
    assert expected in _error(mini_copy)


@pytest.mark.parametrize(("table", "row", "column", "id_"), [
    ("tasks", 3, "duration", "A2"),
    ("tasks", 5, "budget", "B1"),
    ("projects", 2, "budget", "P1"),
    ("status", 3, "actual_cost", "A2 @ 2026-01-16"),
    ("resources", 3, "cost_rate", "R2"),
    ("risks", 2, "cost_impact", "R-1 @ 2026-01-16"),
])
def test_negative_duration_budget_cost(mini_copy, table, row, column, id_):
    edit_csv(mini_copy, table, row, column, "-5")
    msg = _error(mini_copy)
    assert f"{table}.csv, row {row}, ID {id_!r}, column {column!r}: -5 is below the minimum 0" in msg
    assert "cannot be negative" in msg


@pytest.mark.parametrize("value", ["150", "-1", "100.5"])
def test_percent_complete_outside_0_100(mini_copy, value):
    edit_csv(mini_copy, "status", 3, "percent_complete", value)
    msg = _error(mini_copy)
    assert "status.csv, row 3, ID 'A2 @ 2026-01-16', column 'percent_complete'" in msg
    assert ("above the maximum 100" in msg) or ("below the minimum 0" in msg)


def test_probability_outside_0_1(mini_copy):
    edit_csv(mini_copy, "risks", 4, "probability", "50")
    assert "risks.csv, row 4, ID 'R-2 @ 2026-02-27', column 'probability': 50 is above the maximum 1" \
        in _error(mini_copy)


def test_unknown_link_type(mini_copy):
    edit_csv(mini_copy, "links", 3, "type", "XX")
    assert "links.csv, row 3, ID 'A2->M1', column 'type': 'XX' is not one of FS, SS, FF, SF" \
        in _error(mini_copy)


def test_unknown_methodology_lists_choices(mini_copy):
    edit_csv(mini_copy, "projects", 2, "methodology", "prince2")
    assert "'prince2' is not one of waterfall, v-model, scrum, kanban, hybrid" in _error(mini_copy)


@pytest.mark.parametrize(("table", "row", "column", "key", "id_"), [
    ("tasks", 3, "id", "A1", "A1"),
    ("projects", 3, "id", "P1", "P1"),
    ("resources", 3, "id", "R1", "R1"),
])
def test_duplicate_id(mini_copy, table, row, column, key, id_):
    edit_csv(mini_copy, table, row, column, key)
    msg = _error(mini_copy)
    assert f"{table}.csv, row {row}, ID {id_!r}, column 'id': duplicate id (first on row 2)" in msg


def test_duplicate_link(mini_copy):
    row = append_csv(mini_copy, "links", pred="A1", succ="A2", type="SS", lag="1")
    assert f"links.csv, row {row}, ID 'A1->A2', column 'pred, succ': duplicate pred + succ " \
           "(first on row 2)" in _error(mini_copy)


def test_blank_required_value(mini_copy):
    edit_csv(mini_copy, "tasks", 5, "project_id", "")
    assert "tasks.csv, row 5, ID 'B1', column 'project_id': is blank" in _error(mini_copy)


@pytest.mark.parametrize(("table", "values", "column", "expected"), [
    ("links", {"pred": "A1", "succ": "ZZ9"}, "succ", "refers to unknown task 'ZZ9'"),
    ("links", {"pred": "QQ1", "succ": "B1"}, "pred", "refers to unknown task 'QQ1'"),
    ("assignments", {"task_id": "A1", "resource_id": "R99", "units": "1"}, "resource_id",
     "refers to unknown resource 'R99'"),
    ("assignments", {"task_id": "X1", "resource_id": "R1", "units": "1"}, "task_id",
     "refers to unknown task 'X1'"),
    ("status", {"status_date": "2026-02-27", "task_id": "GHOST", "percent_complete": "10",
                "actual_cost": "5", "actual_start": "2026-02-02"}, "task_id",
     "refers to unknown task 'GHOST'"),
    ("tasks", {"id": "C1", "project_id": "P9", "name": "x", "wbs": "1", "duration": "1",
               "baseline_start": "2026-01-05", "baseline_finish": "2026-01-05", "budget": "1"},
     "project_id", "refers to unknown project 'P9'"),
])
def test_unknown_references(mini_copy, table, values, column, expected):
    row = append_csv(mini_copy, table, **values)
    msg = _error(mini_copy, UnknownReferenceError)
    assert f"{table}.csv, row {row}" in msg and f"column {column!r}: {expected}" in msg


def test_risk_affecting_unknown_task(mini_copy):
    edit_csv(mini_copy, "risks", 3, "affected_tasks", "A2; NOPE")
    assert "risks.csv, row 3, ID 'R-1 @ 2026-02-27', column 'affected_tasks': refers to unknown " \
           "task 'NOPE'" in _error(mini_copy, UnknownReferenceError)


def test_constraint_needs_a_date(mini_copy):
    edit_csv(mini_copy, "tasks", 3, "constraint_type", "MSO")
    assert "tasks.csv, row 3, ID 'A2', column 'constraint_date': constraint MSO needs a " \
           "constraint_date" in _error(mini_copy)


def test_actual_date_after_status_date(mini_copy):
    edit_csv(mini_copy, "status", 3, "actual_start", "2026-01-20")
    assert "status.csv, row 3, ID 'A2 @ 2026-01-16', column 'actual_start': 2026-01-20 is after " \
           "the status date 2026-01-16" in _error(mini_copy)


def test_finished_task_must_be_100_percent(mini_copy):
    edit_csv(mini_copy, "status", 5, "percent_complete", "90")
    assert "status.csv, row 5, ID 'A2 @ 2026-02-27', column 'percent_complete': 90 % but the " \
           "task has an actual_finish" in _error(mini_copy)


def test_one_data_date_per_month(mini_copy):
    edit_csv(mini_copy, "status", 3, "status_date", "2026-01-30")
    assert "status.csv, row 3, ID 'A2 @ 2026-01-30', column 'status_date': 2026-01-30 differs " \
           "from the data date 2026-01-16" in _error(mini_copy)


def test_self_link(mini_copy):
    edit_csv(mini_copy, "links", 2, "succ", "A1")
    assert "links.csv, row 2, ID 'A1->A1', column 'succ': a task cannot depend on itself" \
        in _error(mini_copy)


def test_dependency_cycle(mini_copy):
    row = append_csv(mini_copy, "links", pred="M1", succ="A1", type="FS", lag="0")
    msg = _error(mini_copy)
    assert "links.csv" in msg and "dependency cycle" in msg
    assert re.search(r"A1 -> A2 -> M1 -> A1|A2 -> M1 -> A1 -> A2|M1 -> A1 -> A2 -> M1", msg)
    assert f"{row}" in msg


def test_all_problems_reported_together(mini_copy):
    edit_csv(mini_copy, "tasks", 2, "duration", "-1")
    edit_csv(mini_copy, "tasks", 3, "budget", "lots")
    edit_csv(mini_copy, "links", 2, "type", "ZZ")
    with pytest.raises(DataValidationError) as info:
        load_portfolio(mini_copy)
    assert len(info.value.problems) == 3
    assert str(info.value).startswith("3 problems in the data:")
    assert {(p.file.rsplit("/", 1)[-1], p.row, p.id) for p in info.value.problems} == {
        ("tasks.csv", 2, "A1"), ("tasks.csv", 3, "A2"), ("links.csv", 2, "A1->A2")}


def test_row_with_a_stray_comma(mini_copy):
    path = mini_copy / "projects.csv"
    lines = path.read_text().splitlines()
    lines[1] = lines[1].replace("Ann,", "Ann,,")           # row 2, project P1: one field too many
    path.write_text("\n".join(lines) + "\n")
    assert "projects.csv, row 2, ID 'P1': has 10 fields but the header has 9" in _error(mini_copy)


def test_every_row_too_long(mini_copy):
    path = mini_copy / "links.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0]] + [x + ",extra" for x in lines[1:]]) + "\n")
    assert "links.csv, row 2, ID 'A1': has 5 fields but the header has 4" in _error(mini_copy)


def test_short_row_reports_blank_cells(mini_copy):
    path = mini_copy / "resources.csv"
    path.write_text(path.read_text() + "R3,Zoe\n")
    assert "resources.csv, row 4, ID 'R3', column 'role': is blank" in _error(mini_copy)


def test_not_a_csv(mini_copy):
    (mini_copy / "tasks.csv").write_bytes(b"\xff\xfe\x00binary\x00")
    msg = _error(mini_copy)
    assert "tasks.csv" in msg


def test_bad_toml(mini_copy):
    (mini_copy / "portfolio.toml").write_text("name = 'unterminated\n")
    assert "portfolio.toml" in _error(mini_copy) and "not valid TOML" in _error(mini_copy)


def test_loading_does_not_touch_files(mini_copy):
    before = {p.name: p.read_bytes() for p in MINI.iterdir()}
    load_portfolio(mini_copy)
    assert {p.name: p.read_bytes() for p in mini_copy.iterdir()} == before
