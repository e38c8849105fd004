"""Agile and governance tables of the data model: sprints, backlog, releases, gates,
deliverables, stakeholders, lessons (optional files; see datasets/README.md).

The hand-checked fixture is tests/data/mini_agile: tests/data/mini plus small CSVs. P1 is
waterfall (tasks A1, A2, milestone M1), P2 scrum (task B1); the status months are 2026-01
(data date 2026-01-16) and 2026-02 (2026-02-27). Rows are spreadsheet rows (header = 1).
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import DATA, append_csv, edit_csv

from pmo_lib import (
    DataValidationError,
    UnknownReferenceError,
    agile,
    load_portfolio,
    methodology,
    model,
)
from pmo_lib.model import SCHEMAS

MINI_AGILE = DATA / "mini_agile"
NEW_TABLES = ("sprints", "backlog", "releases", "gates", "deliverables", "stakeholders",
              "lessons")


@pytest.fixture(scope="module")
def agile_pf():
    return load_portfolio(MINI_AGILE)


@pytest.fixture
def folder(tmp_path) -> Path:
    """A writable copy of tests/data/mini_agile."""
    out = tmp_path / "mini_agile"
    shutil.copytree(MINI_AGILE, out)
    return out


def _error(folder, kind=DataValidationError) -> str:
    with pytest.raises(kind) as info:
        load_portfolio(folder)
    return str(info.value)


# --------------------------------------------------------------------------------------
# Declarations agree with the engines
# --------------------------------------------------------------------------------------
def test_schemas_cover_the_engines_columns():
    names = {t: [c.name for c in SCHEMAS[t].columns] for t in NEW_TABLES}
    assert set(agile.SPRINT_COLUMNS) | {"actual_cost", "added_points"} <= set(names["sprints"])
    assert set(agile.ITEM_COLUMNS) | {"points", "reviewed"} <= set(names["backlog"])
    assert set(agile.RELEASE_COLUMNS) == set(names["releases"])
    assert set(methodology.REGISTER_COLUMNS) == set(names["deliverables"])
    assert set(methodology.STAKEHOLDER_COLUMNS) | {"project_id"} <= set(names["stakeholders"])
    assert set(methodology.LESSON_COLUMNS) == set(names["lessons"])
    assert model.ITEM_STATES == agile.STATES
    assert model.DELIVERABLE_STATUSES == methodology.DELIVERABLE_STATUSES
    assert SCHEMAS["backlog"].column("state").choices == agile.STATES


# --------------------------------------------------------------------------------------
# Optional files: absent means empty tables with the documented dtypes
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("table", NEW_TABLES)
def test_absent_files_give_empty_tables_with_dtypes(mini, table):
    df = getattr(mini, table)
    assert df.empty
    assert list(df.columns) == [c.name for c in SCHEMAS[table].columns]
    for col in SCHEMAS[table].columns:
        assert str(df[col.name].dtype) == col.dtype, (table, col.name)


def test_accessors_on_a_portfolio_without_the_files(mini):
    assert mini.backlog_at("2026-02").empty
    assert mini.sprints_at("2026-02").empty
    assert mini.deliverables_at("2026-02").empty
    assert mini.gate_dates("P1").empty
    assert list(mini.templates) == ["waterfall", "scrum"]


# --------------------------------------------------------------------------------------
# The hand-checked fixture
# --------------------------------------------------------------------------------------
def test_fixture_loads_with_declared_dtypes(agile_pf):
    for table in NEW_TABLES:
        df = getattr(agile_pf, table)
        assert not df.empty, table
        for col in SCHEMAS[table].columns:
            assert str(df[col.name].dtype) == col.dtype, (table, col.name, df[col.name].dtype)
    sp = agile_pf.sprints.set_index("sprint")
    assert sp.loc[3, "added_points"] == 0.0  # blank -> default
    assert agile_pf.backlog.set_index("id").loc["S1", "task_id"] == "B1"
    assert agile_pf.stakeholders["influence"].tolist() == [5, 4, 5, 4]


def test_backlog_at_masks_later_dates_and_recomputes_the_state(agile_pf):
    jan = agile_pf.backlog_at("2026-01")  # 2026-01-16: S3..S5 not created yet
    assert jan["id"].tolist() == ["S1", "S2"]
    assert jan["state"].tolist() == ["done", "in_progress"]  # S2 is done on 2026-02-03
    assert pd.isna(jan.loc[1, "done"]) and jan.loc[1, "started"] == pd.Timestamp("2026-01-14")
    feb = agile_pf.backlog_at("2026-02").set_index("id")  # 2026-02-27
    assert feb.index.tolist() == ["S1", "S2", "S3", "S4"]  # S5 created 2026-03-03
    assert feb["state"].tolist() == ["done", "done", "review", "in_progress"]
    assert feb.loc["S3", "reviewed"] == pd.Timestamp("2026-02-25") and pd.isna(
        feb.loc["S3", "done"])  # done 2026-03-02
    agile.check_items(feb.reset_index())  # a valid items table for the engine
    assert agile_pf.backlog["state"].tolist() == ["done", "done", "done", "in_progress",
                                                  "backlog"]  # the table is not changed


def test_sprints_at_keeps_the_finished_sprints(agile_pf):
    assert agile_pf.sprints_at("2026-01").empty  # sprint 1 finishes 2026-02-06
    feb = agile_pf.sprints_at("2026-02")
    assert feb["sprint"].tolist() == [1, 2]  # sprint 3 finishes 2026-03-06
    v = agile.velocity(feb).loc["P2"]
    assert v["velocity_mean"] == pytest.approx(9.0)
    assert v["commitment_reliability"] == pytest.approx(18 / 20)


def test_deliverables_at_and_gate_compliance(agile_pf):
    jan = agile_pf.deliverables_at("2026-01")
    assert jan["status"].tolist() == ["draft", "approved"]  # rows dated up to 2026-01-16
    assert len(agile_pf.deliverables_at("2026-02")) == 5
    dates = agile_pf.gate_dates("P1")
    assert dates["gate"].tolist() == ["G1", "G4"]
    assert dates["due_date"].tolist() == [pd.Timestamp("2026-01-05"), pd.Timestamp("2026-01-26")]
    plans = [(p, agile_pf.templates[p], agile_pf.gate_dates(p)) for p in agile_pf.projects["id"]]
    table = methodology.portfolio_compliance(
        agile_pf.deliverables_at("2026-02"), plans, agile_pf.status_date("2026-02"),
        approvers=agile_pf.stakeholders).set_index(["project_id", "gate"])
    # G1: business_case approved by the sponsor (Sam); charter and plan missing, overdue.
    assert table.loc[("P1", "G1"), ["met", "overdue"]].tolist() == [1, 2]
    # G4: built_solution approved by the project manager (Ann), not the accountable senior
    # supplier nor the gate's approver (test manager); unit_test_report missing.
    assert table.loc[("P1", "G4"), ["met", "wrong_approver", "overdue"]].tolist() == [0, 1, 1]
    assert table.loc[("P1", "G4"), "state"] == "overdue"
    assert table.loc[("P1", "G2"), "state"] == "open"  # no due date in gates.csv
    assert table.loc[("P2", "funding"), "met"] == 1  # product_goal, by the product owner


def test_stakeholders_and_lessons_feed_the_engines(agile_pf):
    reg = methodology.stakeholder_register(
        agile_pf.stakeholders[agile_pf.stakeholders["project_id"] == "P2"])
    assert reg["quadrant"].tolist() == ["keep satisfied", "manage closely"]
    found = methodology.search_lessons(agile_pf.lessons, phase="inception")
    assert found["id"].tolist() == ["L2"]


def test_agile_evm_on_the_fixture(agile_pf):
    e = agile.agile_evm(agile_pf.sprints, agile_pf.releases).loc[("P2", 2)]
    # PRP = 40 + 0 + 2, PC = 18, EPC = 2/4: PV = 2000, EV = 18/42 * 4000, AC = 2100.
    assert e["pv"] == pytest.approx(2000.0)
    assert e["ev"] == pytest.approx(18 / 42 * 4000)
    assert e["ac"] == pytest.approx(2100.0)


def test_select_filters_the_new_tables(agile_pf):
    p2 = agile_pf.select("P2")
    for table in NEW_TABLES:
        assert set(getattr(p2, table)["project_id"]) == {"P2"}, table
    p1 = agile_pf.select(["P1"])
    assert p1.sprints.empty and p1.backlog.empty and p1.releases.empty
    assert len(p1.deliverables) == 4 and len(p1.gates) == 2


# --------------------------------------------------------------------------------------
# Bad input: each error names the file, the row, the ID and the column
# --------------------------------------------------------------------------------------
BAD = [
    # (table, row, column, value, expected fragments of the message)
    ("sprints", 3, "completed_points", -1, ["sprints.csv", "row 3", "ID 'P2 sprint 2'",
                                            "column 'completed_points'", "below the minimum"]),
    ("sprints", 3, "start", "2026-02-05", ["sprints.csv", "row 3", "ID 'P2 sprint 2'",
                                           "column 'start'", "before sprint 1 finishes"]),
    ("sprints", 2, "finish", "2026-01-20", ["sprints.csv", "row 2", "ID 'P2 sprint 1'",
                                            "column 'finish'", "before the start"]),
    ("sprints", 3, "sprint", 1, ["sprints.csv", "row 3", "column 'project_id, sprint'",
                                 "duplicate"]),
    ("sprints", 2, "sprint", 0, ["sprints.csv", "row 2", "column 'sprint'", "below the minimum"]),
    ("backlog", 3, "done", "2026-01-10", ["backlog.csv", "row 3", "ID 'S2'", "column 'done'",
                                          "before started 2026-01-14"]),
    ("backlog", 2, "points", -2, ["backlog.csv", "row 2", "ID 'S1'", "column 'points'",
                                  "cannot be negative"]),
    ("backlog", 5, "state", "done", ["backlog.csv", "row 5", "ID 'S4'", "column 'done'",
                                     "state is 'done'"]),
    ("backlog", 6, "state", "blocked", ["backlog.csv", "row 6", "ID 'S5'", "column 'state'",
                                        "not one of backlog, in_progress, review, done"]),
    ("backlog", 4, "started", "", ["backlog.csv", "row 4", "ID 'S3'", "column 'started'",
                                   "is blank but the item has a reviewed date"]),
    ("backlog", 3, "id", "S1", ["backlog.csv", "row 3", "column 'project_id, id'",
                                "duplicate", "first on row 2"]),
    ("backlog", 2, "task_id", "A1", ["backlog.csv", "row 2", "ID 'S1'", "column 'task_id'",
                                     "belongs to project P1, not P2"]),
    ("releases", 2, "planned_points", 0, ["releases.csv", "row 2", "ID 'P2'",
                                          "column 'planned_points'", "must be > 0"]),
    ("gates", 2, "gate", "funding", ["gates.csv", "row 2", "column 'gate'",
                                     "'funding' is not a gate of the waterfall template"]),
    ("gates", 3, "task_id", "A2", ["gates.csv", "row 3", "column 'task_id'",
                                   "not a milestone"]),
    ("deliverables", 2, "deliverable", "product_goal",
     ["deliverables.csv", "row 2", "ID 'P1 product_goal'", "column 'deliverable'",
      "not a deliverable of the waterfall template", "business_case"]),
    ("deliverables", 3, "status", "signed", ["deliverables.csv", "row 3", "column 'status'",
                                             "'signed' is not one of not_started, draft"]),
    ("deliverables", 3, "approved_by", "", ["deliverables.csv", "row 3",
                                            "ID 'P1 business_case'", "column 'approved_by'",
                                            "is blank but the deliverable is approved"]),
    ("stakeholders", 2, "influence", 6, ["stakeholders.csv", "row 2", "ID 'SH1'",
                                         "column 'influence'", "above the maximum 5"]),
    ("stakeholders", 3, "interest", 0, ["stakeholders.csv", "row 3", "ID 'SH2'",
                                        "column 'interest'", "below the minimum 1"]),
    ("stakeholders", 3, "id", "SH1", ["stakeholders.csv", "row 3", "column 'id'",
                                      "duplicate"]),
    ("lessons", 2, "phase", "testing phase", ["lessons.csv", "row 2", "ID 'L1'",
                                              "column 'phase'", "not a phase of the "
                                              "waterfall template"]),
    ("lessons", 3, "date", "30/01/2026", ["lessons.csv", "row 3", "ID 'L2'", "column 'date'",
                                          "not a date in the form YYYY-MM-DD"]),
]


@pytest.mark.parametrize(("table", "row", "column", "value", "expected"), BAD,
                         ids=[f"{b[0]}-{b[2]}-{b[3]}" for b in BAD])
def test_bad_value_names_file_row_id_and_column(folder, table, row, column, value, expected):
    edit_csv(folder, table, row, column, value)
    msg = _error(folder)
    for part in expected:
        assert part in msg, (part, msg)


@pytest.mark.parametrize(("table", "column", "value"), [
    ("sprints", "project_id", "P9"), ("backlog", "project_id", "P9"),
    ("backlog", "task_id", "Z9"), ("releases", "project_id", "P9"),
    ("gates", "project_id", "P9"), ("deliverables", "project_id", "P9"),
    ("stakeholders", "project_id", "P9"), ("lessons", "project_id", "P9")])
def test_unknown_references(folder, table, column, value):
    edit_csv(folder, table, 2, column, value)
    msg = _error(folder, UnknownReferenceError)
    assert f"{table}.csv, row 2" in msg and f"column '{column}'" in msg and repr(value) in msg


def test_v_model_projects_use_the_v_model_template(folder):
    """projects.csv spells 'v-model'; the template is 'v_model' (Template.methodology)."""
    edit_csv(folder, "projects", 2, "methodology", "v-model")
    edit_csv(folder, "gates", 3, "gate", "TRR")
    edit_csv(folder, "deliverables", 4, "deliverable", "source_code")
    edit_csv(folder, "deliverables", 5, "deliverable", "source_code")
    edit_csv(folder, "lessons", 2, "phase", "implementation")
    pf = load_portfolio(folder)
    assert pf.templates["P1"] == "v_model"
    edit_csv(folder, "deliverables", 4, "deliverable", "built_solution")
    msg = _error(folder)
    assert "row 4" in msg and "not a deliverable of the v_model template" in msg
    assert "project P1 is v-model" in msg


def test_every_problem_is_listed(folder):
    edit_csv(folder, "backlog", 2, "points", -1)
    edit_csv(folder, "stakeholders", 2, "influence", 9)
    append_csv(folder, "lessons", id="L3", project_id="P1", phase="build",
               category="Testing", lesson="x", recommendation="y", date="")
    msg = _error(folder)
    assert msg.startswith("3 problems")
    assert "lessons.csv, row 4, ID 'L3', column 'date': is blank" in msg


# --------------------------------------------------------------------------------------
# The sample portfolio
# --------------------------------------------------------------------------------------
SCRUM = ("APP", "CRM", "HRP", "WEB")  # Scrum teams: scrum projects and hybrid agile phases
KANBAN = ("DAT", "SEC")


def test_sample_counts(sample):
    assert len(sample.sprints) == 61
    assert len(sample.backlog) == 272
    assert len(sample.releases) == 4 and set(sample.releases["project_id"]) == set(SCRUM)
    assert set(sample.sprints["project_id"]) == set(SCRUM)
    assert set(sample.backlog["project_id"]) == set(SCRUM) | set(KANBAN)
    assert len(sample.gates) == 54 and set(sample.gates["project_id"]) == set(
        sample.projects["id"])
    assert len(sample.deliverables) == 299
    per_project = sample.stakeholders.groupby("project_id").size()
    assert len(per_project) == 11 and per_project.between(6, 12).all()
    assert len(sample.stakeholders) == 106
    assert len(sample.lessons) == 36
    assert sample.lessons["project_id"].nunique() == 11
    assert sample.lessons["category"].nunique() >= 8


def test_sample_sprints(sample):
    sp = sample.sprints
    length = (sp["finish"] - sp["start"]).dt.days + 1
    assert (length == 19).all()  # three weeks, Monday to Friday
    assert (sp["start"].dt.day_of_week == 0).all()
    assert (sp["committed_points"] >= sp["completed_points"]).all()
    assert (sp["actual_cost"] > 0).all()
    v = agile.velocity(sp)
    assert (v["velocity_mean"] > 5).all() and v["commitment_reliability"].between(0.6, 1).all()
    # Months are nested: a sprint known in a month stays known, unchanged, in the next.
    counts = [len(sample.sprints_at(m)) for m in sample.months]
    assert counts == sorted(counts) and counts[-1] == len(sp)


def test_crm_velocity_dips_and_recovers(sample):
    crm = sample.sprints[sample.sprints["project_id"] == "CRM"].set_index("finish")
    dip = crm.loc["2026-02":"2026-05", "completed_points"].mean()
    before = crm.loc[:"2026-01", "completed_points"].mean()
    assert dip < 0.8 * before


def test_sample_backlog_follows_the_status(sample):
    items = agile.check_items(sample.backlog)  # valid for the engine as a whole
    final = sample.snapshot(sample.latest_month).set_index("task_id")
    planned = items[items["task_id"].notna()]
    assert planned["started"].equals(planned["task_id"].map(final["actual_start"]))
    assert planned["done"].equals(planned["task_id"].map(final["actual_finish"]))
    assert items["task_id"].isna().sum() > 20
    assert not (items["created"] > items["started"]).any()
    done = []
    for month in sample.months:
        at = sample.backlog_at(month)
        date = sample.status_date(month)
        for col in ("created", "started", "reviewed", "done"):
            assert (at[col].dropna() <= date).all()
        agile.check_items(at)
        done.append(int((at["state"] == "done").sum()))
    assert done == sorted(done) and done[0] > 0


def test_sample_agile_metrics_are_sane(sample):
    month = "2026-06"
    items = sample.backlog_at(month)
    dat = items[items["project_id"] == "DAT"]
    history = agile.throughput(dat, "W", end=sample.status_date(month)).loc["DAT"]
    assert history.sum() > 10
    left = int((dat["state"] != "done").sum())
    forecast = agile.forecast_when(history.tail(26), left, seed=1)
    assert 0 < forecast["within_50"] <= forecast["within_85"] <= forecast["within_95"]
    up = agile.burnup(items[items["project_id"] == "APP"], freq="W")
    assert up["completed"].is_monotonic_increasing
    e = agile.agile_evm(sample.sprints_at(month), sample.releases)
    last = e.groupby(level="project_id").tail(1)
    assert last["spi"].between(0.4, 1.5).all() and last["cpi"].between(0.6, 1.5).all()
    assert (e["completed_to_date"] <= e["release_points"]).all()
    cycle = agile.cycle_time(items[items["project_id"].isin(KANBAN)])
    assert cycle.dropna().between(1, 120).all()


def test_sample_releases_match_the_plans(sample):
    rel = sample.releases.set_index("project_id")
    assert rel.loc["APP", "planned_sprints"] == 20  # the plan's 20 sprints
    budget = sample.projects.set_index("id")["budget"]
    assert (rel["bac"] < budget[rel.index]).all() and (rel["bac"] > 0.3 * budget[rel.index]).all()


def test_sample_gate_compliance(sample):
    month = "2026-10"
    plans = [(p, sample.templates[p], sample.gate_dates(p)) for p in sample.projects["id"]]
    table = methodology.portfolio_compliance(
        sample.deliverables_at(month), plans, sample.status_date(month),
        approvers=sample.stakeholders)
    by = table.set_index(["project_id", "gate"])
    assert by.loc[("ERP", "G4"), "state"] == "overdue"  # the slipping ERP's realisation gate
    assert by.loc[("DCM", "G4"), "state"] == "met"
    assert by.loc[("WMS", "QR"), "state"] == "open"
    share = table["state"].value_counts(normalize=True)
    assert share["met"] > 0.4 and share["overdue"] > 0.05 and share["open"] > 0.2
    assert table["wrong_approver"].sum() >= 3
    # Every approver named in the register holds one role across the whole portfolio.
    roles = sample.stakeholders.groupby("name")["role"].nunique()
    assert (roles == 1).all()
    approvers = sample.deliverables["approved_by"].dropna()
    assert approvers.isin(sample.stakeholders["name"]).all()


def test_sample_gate_dates_are_baseline_milestones(sample):
    gates = sample.gates.dropna(subset=["task_id"])
    tasks = sample.tasks.set_index("id")
    assert tasks.loc[gates["task_id"], "milestone"].all()
    assert (tasks.loc[gates["task_id"], "baseline_finish"].to_numpy()
            == gates["due_date"].to_numpy()).all()
    starts = sample.gates[sample.gates["task_id"].isna()]
    start = sample.projects.set_index("id")["start_date"]
    assert (starts["due_date"].to_numpy() == start[starts["project_id"]].to_numpy()).all()


def test_sample_stakeholders_and_communication_plan(sample):
    for pid in ("ERP", "APP", "DAT", "PLT"):
        people = sample.stakeholders[sample.stakeholders["project_id"] == pid]
        reg = methodology.stakeholder_register(people)
        assert reg["quadrant"].nunique() >= 2
        with warnings.catch_warnings():  # a group may receive no report: it warns
            warnings.simplefilter("ignore", UserWarning)
            plan = methodology.communication_plan(sample.templates[pid], people)
        assert set(plan["stakeholder_id"]) & set(people["id"])


def test_sample_lessons_search(sample):
    found = methodology.search_lessons(sample.lessons, category="Supplier")
    assert len(found) >= 3 and found["date"].is_monotonic_decreasing
    assert len(methodology.search_lessons(sample.lessons, text="sprint")) >= 1
    assert np.isin(sample.lessons["date"].dt.year, [2025, 2026]).all()


# ----------------------------------------------------------------------------------------
# Three-point estimates (schedule risk)
# ----------------------------------------------------------------------------------------
def test_estimates_load_and_join(sample, mini):
    est = sample.estimates
    tasks = sample.tasks.set_index("id")
    assert len(est) == int((~sample.tasks["milestone"]).sum())
    likely = tasks.loc[est["task_id"], "duration"].to_numpy()
    assert (est["duration_min"].to_numpy() <= likely).all()
    assert (est["duration_max"].to_numpy() >= likely).all()
    assert set(est["distribution"]) <= set(model.DISTRIBUTIONS)
    joined = sample.tasks_with_estimates()
    assert joined["duration_min"].notna().sum() == len(est)
    assert joined.loc[joined["milestone"], "duration_min"].isna().all()
    one = sample.select(["ERP"])
    assert set(one.estimates["task_id"]) == set(one.tasks.loc[~one.tasks["milestone"], "id"])
    assert mini.estimates.empty and mini.tasks_with_estimates()["distribution"].isna().all()


@pytest.mark.parametrize("row, error, message", [
    ("A1,6,8,triangular", DataValidationError,
     r"estimates.csv, row 2, ID 'A1', column 'duration_min': 6 is above the task's most "
     r"likely duration 5"),
    ("A1,4,4.5,betapert", DataValidationError,
     r"column 'duration_max': 4.5 is below the task's most likely duration 5"),
    ("A1,4,8,normal", DataValidationError, r"column 'distribution': .*'normal'"),
    ("ZZ9,4,8,uniform", UnknownReferenceError, r"estimates.csv, row 2.*'ZZ9'"),
])
def test_estimates_bad_rows(mini_copy, row, error, message):
    (mini_copy / "estimates.csv").write_text(
        f"task_id,duration_min,duration_max,distribution\n{row}\n")
    with pytest.raises(error, match=message):
        load_portfolio(mini_copy)
