"""DCMA 14-point assessment: one small schedule per check, built to fail exactly that check.

The clean schedule (one project P, Mon 5 Jan 2026 = offset 0, no holidays, every week five
working days, so offset 20 = Mon 2 Feb, 25 = Mon 9 Feb, 30 = Mon 16 Feb):

    S (start milestone) -> A 5 -> B 20 -> D 44 -> F (finish milestone)
                           A -> C 5 -> D
    S -> G 2 (SNET Mon 16 Feb) -> F

Plan: S 0, A 0-5, C 5-10, B 5-25, D 25-69, G 30-32, F 69. The baseline is the plan.
Status 2026-01, status date Fri 30 Jan (offset 19, data date 20): S, A and C complete as
planned, B started Mon 12 Jan and has 5 days left (finishes at 25 as planned).
Incomplete: B, D, G, F (non-milestones B, D, G). Links into incomplete tasks: A->B, B->D,
C->D, S->G, G->F, D->F. Total float: B 0, D 0, F 0, G 69 - 32 = 37 (<= 44).
Tasks due by 30 Jan: S, A, C (all complete): BEI 3 / 3 = 1. CPLI: CPL 69 - 20 = 49, the
forecast finish is the baseline finish, CPLI 1. Critical path test: the first incomplete
longest-path task is B; B + 600 d moves F from 69 to 669.
"""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from pmo_lib import DataValidationError, Portfolio, WorkCalendar, health
from pmo_lib.health import CHECKS, DcmaThresholds, dcma14, dcma14_by_project
from pmo_lib.model import SCHEMAS
from pmo_lib.schedule import cpm, schedule_portfolio

START = pd.Timestamp("2026-01-05")
STATUS = pd.Timestamp("2026-01-30")
MONTH = "2026-01"
CAL = WorkCalendar()

TASKS = {  # id: (duration, constraint type, constraint date)
    "S": (0, "ASAP", None), "A": (5, "ASAP", None), "C": (5, "ASAP", None),
    "B": (20, "ASAP", None), "D": (44, "ASAP", None), "G": (2, "SNET", "2026-02-16"),
    "F": (0, "ASAP", None),
}
LINKS = [("S", "A"), ("A", "C"), ("A", "B"), ("B", "D"), ("C", "D"), ("S", "G"), ("G", "F"),
         ("D", "F")]
STATUS_ROWS = {  # id: (percent, actual start, actual finish, remaining)
    "S": (100, "2026-01-05", "2026-01-05", None), "A": (100, "2026-01-05", "2026-01-09", None),
    "C": (100, "2026-01-12", "2026-01-16", None), "B": (75, "2026-01-12", None, 5),
}


def _table(name: str, rows: list[dict]) -> pd.DataFrame:
    schema = SCHEMAS[name]
    df = pd.DataFrame(rows, columns=[c.name for c in schema.columns])
    for c in schema.columns:
        if c.kind == "date":
            df[c.name] = pd.to_datetime(df[c.name])
        elif c.kind == "float":
            df[c.name] = df[c.name].astype(float)
        elif c.kind == "bool":
            df[c.name] = df[c.name].astype(bool)
    return df


def build(tasks=None, links=None, status=None, *, no_assignment=(), budget=None,
          status_date=STATUS) -> Portfolio:
    """A one-project portfolio; baseline dates are the plan's (cpm without progress)."""
    tasks = dict(TASKS if tasks is None else tasks)
    links = list(LINKS if links is None else links)
    status = dict(STATUS_ROWS if status is None else status)
    budget = budget or {}
    plan_tasks = pd.DataFrame(
        [(t, d, c, pd.Timestamp(cd) if cd else pd.NaT) for t, (d, c, cd) in tasks.items()],
        columns=["id", "duration", "constraint_type", "constraint_date"])
    link_rows = [(p, s, *(rest or ("FS", 0.0))) for p, s, *rest in
                 [(lk[0], lk[1], *lk[2:]) for lk in links]]
    link_df = _table("links", [dict(zip(["pred", "succ", "type", "lag"], r, strict=True))
                               for r in link_rows])
    plan = cpm(plan_tasks, link_df, calendar=CAL, start=START)
    task_df = _table("tasks", [{
        "id": t, "project_id": "P", "name": f"Task {t}", "wbs": f"1.{i}", "duration": d,
        "baseline_start": plan.at[t, "start_date"], "baseline_finish": plan.at[t, "finish_date"],
        "budget": budget.get(t, 0.0 if d == 0 else 1000.0), "milestone": d == 0,
        "constraint_type": c, "constraint_date": cd} for i, (t, (d, c, cd)) in
        enumerate(tasks.items(), 1)])
    projects = _table("projects", [{
        "id": "P", "name": "Project", "programme": "Alpha", "manager": "Ann", "sponsor": "Sam",
        "methodology": "waterfall", "start_date": START, "budget": 1e6, "priority": 1}])
    resources = _table("resources", [{"id": "R1", "name": "Raj", "role": "Developer",
                                      "capacity": 1.0, "cost_rate": 100.0}])
    assignments = _table("assignments", [
        {"task_id": t, "resource_id": "R1", "units": 1.0} for t, (d, _, _) in tasks.items()
        if d > 0 and t not in no_assignment])
    status_df = _table("status", [{
        "status_date": status_date, "task_id": t, "percent_complete": pct,
        "actual_cost": 10.0 * pct if t not in budget else 0.0, "actual_start": a_start,
        "actual_finish": a_finish, "remaining_duration": rem}
        for t, (pct, a_start, a_finish, rem) in status.items()])
    return Portfolio(projects=projects, tasks=task_df, links=link_df, resources=resources,
                     assignments=assignments, status=status_df, calendar=CAL, name="health")


def failing(result: pd.DataFrame) -> dict[int, tuple]:
    """{check number: offending ids} of the checks that fail."""
    bad = result[~result["passed"]]
    return dict(zip(bad.index, bad["task_ids"], strict=True))


def with_task(extra: dict, links: list) -> tuple[dict, list]:
    return {**TASKS, **extra}, LINKS + links


# ---------------------------------------------------------------------------------------
# The clean schedule
# ---------------------------------------------------------------------------------------
def test_clean_schedule_passes_every_check():
    h = dcma14(build(), MONTH)
    assert list(h.index) == list(range(1, 15)) and h.index.name == "number"
    assert list(h.columns) == ["check", "metric", "threshold", "passed", "count", "population",
                               "task_ids", "note"]
    assert list(h["check"]) == list(CHECKS)
    assert h["passed"].all(), failing(h)
    assert (h["count"] == 0).all()
    assert h["population"].to_dict() == {1: 4, 2: 6, 3: 6, 4: 6, 5: 4, 6: 3, 7: 4, 8: 3, 9: 7,
                                         10: 3, 11: 3, 12: 1, 13: 1, 14: 3}
    assert h.loc[4, "metric"] == 1.0 and h.loc[13, "metric"] == 1.0 and h.loc[14, "metric"] == 1
    assert h.loc[6, "threshold"] == 0.05 and h.loc[13, "threshold"] == 0.95
    assert "MSO, MFO, SNLT, FNLT" in h.loc[5, "note"]
    assert "milestones excluded" in h.loc[6, "note"]


def test_schedule_matches_the_docstring():
    s = schedule_portfolio(build(), MONTH)
    assert s["early_finish"].to_dict() == {"S": 1, "A": 5, "C": 10, "B": 25, "D": 69, "G": 32,
                                           "F": 69}
    assert s.loc[["B", "D", "G", "F"], "total_float"].to_dict() == {"B": 0, "D": 0, "G": 37,
                                                                    "F": 0}


# ---------------------------------------------------------------------------------------
# One failing schedule per check
# ---------------------------------------------------------------------------------------
def test_1_logic():
    """E 3 hangs off B with no successor; K 2 (SNET 16 Feb) has no predecessor. S and F are
    the project's start and finish ends and are exempt. 2 of 6 incomplete tasks."""
    tasks, links = with_task({"E": (3, "ASAP", None), "K": (2, "SNET", "2026-02-16")},
                             [("B", "E"), ("K", "F")])
    h = dcma14(build(tasks, links), MONTH)
    assert failing(h) == {1: ("E", "K")}
    assert h.loc[1, "metric"] == pytest.approx(2 / 6)
    assert (h.loc[1, "count"], h.loc[1, "population"]) == (2, 6)
    # The thresholds decide: allow a third of the tasks to be open-ended.
    assert dcma14(build(tasks, links), MONTH, thresholds=DcmaThresholds(logic=0.4))["passed"].all()


def test_2_leads():
    links = [lk if lk != ("C", "D") else ("C", "D", "FS", -2.0) for lk in LINKS]
    h = dcma14(build(links=links), MONTH)
    assert failing(h) == {2: ("C->D",)}
    assert h.loc[2, "metric"] == 1 and h.loc[2, "count"] == 1


def test_3_lags():
    links = [lk if lk != ("C", "D") else ("C", "D", "FS", 3.0) for lk in LINKS]
    h = dcma14(build(links=links), MONTH)
    assert failing(h) == {3: ("C->D",)}
    assert h.loc[3, "metric"] == pytest.approx(1 / 6)


def test_4_relationship_types():
    links = [lk if lk != ("C", "D") else ("C", "D", "SS", 0.0) for lk in LINKS]
    h = dcma14(build(links=links), MONTH)
    assert failing(h) == {4: ("C->D",)}
    assert h.loc[4, "metric"] == pytest.approx(5 / 6)


def test_5_hard_constraints():
    """A finish-no-later-than far in the future: it binds nothing but is a hard constraint."""
    tasks = {**TASKS, "F": (0, "FNLT", "2026-12-31")}
    h = dcma14(build(tasks), MONTH)
    assert failing(h) == {5: ("F",)}
    assert h.loc[5, "metric"] == pytest.approx(1 / 4)


def test_6_high_float():
    """H 2 (SNET Mon 2 Feb = 20) between S and F: 20-22, float 69 - 22 = 47 > 44."""
    tasks, links = with_task({"H": (2, "SNET", "2026-02-02")}, [("S", "H"), ("H", "F")])
    h = dcma14(build(tasks, links), MONTH)
    assert failing(h) == {6: ("H",)}
    assert h.loc[6, "metric"] == pytest.approx(1 / 4)
    # With 30 days as the limit, G (float 37) is high too.
    h30 = dcma14(build(tasks, links), MONTH, thresholds=DcmaThresholds(high_float_days=30))
    assert h30.loc[6, "task_ids"] == ("G", "H")


def test_7_negative_float_from_a_given_schedule():
    """A schedule from elsewhere (here: edited) with G at -1 day of float."""
    pf = build()
    s = schedule_portfolio(pf, MONTH)
    s.loc["G", "total_float"] = -1.0
    h = dcma14(pf, MONTH, schedule=s)
    assert failing(h) == {7: ("G",)}
    assert h.loc[7, "metric"] == 1
    # A schedule from another tool has no attrs (origin, data date): the same verdicts.
    bare = s.copy()
    bare.attrs = {}
    pd.testing.assert_frame_equal(dcma14(pf, MONTH, schedule=bare), h)


def test_7_negative_float_from_a_deadline():
    """FNLT on F at offset 64 (Fri 3 Apr): F's late finish is 65, 4 days before its early
    finish 69, so B, D and F have -4 days of float. The FNLT is a hard constraint (5) and the
    path end's -4 days make CPLI (49 - 4) / 49 < 0.95 (13)."""
    deadline = CAL.offset_to_date(64, START)
    assert deadline == pd.Timestamp("2026-04-03")
    h = dcma14(build({**TASKS, "F": (0, "FNLT", str(deadline.date()))}), MONTH)
    assert failing(h) == {5: ("F",), 7: ("B", "D", "F"), 13: ("F",)}
    assert h.loc[13, "metric"] == pytest.approx(45 / 49)


def test_8_high_duration():
    tasks = {**TASKS, "D": (45, "ASAP", None)}
    h = dcma14(build(tasks), MONTH)
    assert failing(h) == {8: ("D",)}
    assert h.loc[8, "metric"] == pytest.approx(1 / 3)
    assert dcma14(build(tasks), MONTH,
                  thresholds=DcmaThresholds(high_duration_days=45))["passed"].all()


def test_9_invalid_actual_date():
    """C's actual finish (Tue 3 Feb) is after the status date (loading the CSV would refuse
    it; a portfolio built in code or imported from a tool may have it)."""
    status = {**STATUS_ROWS, "C": (100, "2026-01-12", "2026-02-03", None)}
    h = dcma14(build(status=status), MONTH)
    assert failing(h) == {9: ("C",)}
    assert (h.loc[9, "count"], h.loc[9, "population"]) == (1, 7)


def test_9_invalid_forecast_date():
    pf = build()
    s = schedule_portfolio(pf, MONTH)
    s.loc["D", "start_date"] = pd.Timestamp("2026-01-28")     # not started, before 30 Jan
    assert failing(dcma14(pf, MONTH, schedule=s)) == {9: ("D",)}


def test_10_resources():
    h = dcma14(build(no_assignment=("D",), budget={"D": 0.0}), MONTH)
    assert failing(h) == {10: ("D",)}
    assert h.loc[10, "metric"] == pytest.approx(1 / 3)
    # A budget (or an assignment) is enough.
    assert dcma14(build(no_assignment=("D",)), MONTH)["passed"].all()


def test_11_missed_tasks():
    """C (due Fri 16 Jan) is 80 % done with 1 day left; G finished early (20-21 Jan), so BEI
    is still 3 complete / 3 due = 1 while 1 of 3 due tasks is missed."""
    status = {**STATUS_ROWS, "C": (80, "2026-01-12", None, 1),
              "G": (100, "2026-01-20", "2026-01-21", None)}
    h = dcma14(build(status=status), MONTH)
    assert failing(h) == {11: ("C",)}
    assert h.loc[11, "metric"] == pytest.approx(1 / 3)
    assert h.loc[14, "metric"] == 1.0


def test_12_critical_path_test():
    """D must start on Mon 9 Feb (MSO): B + 600 d ends at 625 but D and F stay put, so the
    project finish (the latest early finish) moves 625 - 69 = 556, not 600. One hard
    constraint in four tasks is allowed here to isolate the check."""
    tasks = {**TASKS, "D": (44, "MSO", "2026-02-09")}
    relaxed = DcmaThresholds(hard_constraints=0.25)
    h = dcma14(build(tasks), MONTH, thresholds=relaxed)
    assert failing(h) == {12: ("B",)}
    assert (h.loc[12, "count"], h.loc[12, "population"]) == (1, 1)
    assert "600" in h.loc[12, "note"]
    h10 = dcma14(build(tasks), MONTH, thresholds=replace(relaxed, critical_path_delay=10))
    assert "10 working days" in h10.loc[12, "note"] and not h10.loc[12, "passed"]


def test_13_cpli():
    """B has 10 days left, not 5: B 20-30, D 30-74, F 74, 5 days past the baseline 69.
    CPL 74 - 20 = 54, CPLI (54 - 5) / 54 = 0.907."""
    status = {**STATUS_ROWS, "B": (75, "2026-01-12", None, 10)}
    h = dcma14(build(status=status), MONTH)
    assert failing(h) == {13: ("F",)}
    assert h.loc[13, "metric"] == pytest.approx(49 / 54)
    assert dcma14(build(status=status), MONTH, thresholds=DcmaThresholds(cpli=0.9))["passed"].all()


def test_14_bei():
    """C (due 16 Jan) not finished and nothing finished early: BEI 2 / 3. A missed task rate
    of 1 in 3 is allowed here to isolate the check (BEI < 0.95 implies > 5 % missed)."""
    status = {**STATUS_ROWS, "C": (80, "2026-01-12", None, 1)}
    h = dcma14(build(status=status), MONTH, thresholds=DcmaThresholds(missed_tasks=0.34))
    assert failing(h) == {14: ("C",)}
    assert h.loc[14, "metric"] == pytest.approx(2 / 3)
    assert (h.loc[14, "count"], h.loc[14, "population"]) == (1, 3)


# ---------------------------------------------------------------------------------------
# The plan, thresholds, inputs
# ---------------------------------------------------------------------------------------
def test_plan_without_status_date():
    h = dcma14(build())
    assert h["passed"].all()
    assert h.loc[[9, 11, 14], "population"].tolist() == [0, 0, 0]
    assert np.isnan(h.loc[11, "metric"]) and np.isnan(h.loc[14, "metric"])
    assert "not applicable" in h.loc[14, "note"]
    assert h.loc[1, "population"] == 7                     # every task is incomplete


@pytest.mark.parametrize("kwargs, message", [
    ({"logic": 1.5}, "logic=1.5 is a fraction"),
    ({"leads": -1}, "leads=-1 cannot be negative"),
    ({"critical_path_delay": 0}, "critical_path_delay=0 must be > 0"),
    ({"cpli": float("nan")}, "cpli=nan is not a finite number"),
])
def test_invalid_thresholds(kwargs, message):
    with pytest.raises(DataValidationError, match=message):
        DcmaThresholds(**kwargs)


def test_schedule_without_needed_columns():
    pf = build()
    s = schedule_portfolio(pf, MONTH).drop(columns=["total_float"])
    with pytest.raises(DataValidationError, match="'total_float': column is missing"):
        dcma14(pf, MONTH, schedule=s)
    with pytest.raises(DataValidationError, match="'D': task of the portfolio is missing"):
        dcma14(pf, MONTH, schedule=schedule_portfolio(pf, MONTH).drop(index="D"))


def test_unknown_month():
    with pytest.raises(DataValidationError, match="no status snapshot for 2026-05"):
        dcma14(build(), "2026-05")


# ---------------------------------------------------------------------------------------
# By project; real data
# ---------------------------------------------------------------------------------------
def test_by_project_mini(mini):
    """February: P1 is complete; P2's B1 (due Fri 30 Jan) is half done: missed, BEI 0."""
    long = dcma14_by_project(mini, "2026-02")
    assert long.index.names == ["project_id", "number"] and len(long) == 28
    p2 = long.loc["P2"]
    assert failing(p2) == {11: ("B1",), 13: ("B1",), 14: ("B1",)}
    assert p2.loc[14, "metric"] == 0.0
    assert long.loc["P1", "passed"].all()
    wide = dcma14_by_project(mini, "2026-02", wide=True)
    assert list(wide.columns) == [*CHECKS, "checks_passed"]
    assert wide["checks_passed"].to_dict() == {"P1": 14, "P2": 11}


@pytest.mark.parametrize("month", ["2026-10", "2026-04"])
def test_sample_runs(sample, month):
    assert str(sample.latest_month) == "2026-10"
    h = dcma14(sample, month)
    assert list(h.index) == list(range(1, 15))
    assert h["passed"].dtype == bool
    assert (h["count"] <= h["population"]).all()
    assert (h["task_ids"].map(len) == h["count"]).all()
    assert h.loc[9, "population"] == len(sample.tasks)
    assert h.loc[12, "passed"]                      # plain FS logic: every path drives its end
    assert not h.loc[2, "passed"]                   # the sample has leads (negative lags)
    assert not h.loc[13, "passed"]                  # the ERP slips
    assert "ERP-0108" in h.loc[13, "task_ids"] or "ERP-0110" in h.loc[13, "task_ids"]

    long = dcma14_by_project(sample, month)
    assert len(long) == 11 * 14
    sums = long.groupby(level="number")[["count", "population"]].sum()
    for n in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]:     # tasks, links, projects
        assert sums.loc[n, "count"] == h.loc[n, "count"], n
        assert sums.loc[n, "population"] == h.loc[n, "population"], n
    worst = long.xs(13, level="number")["metric"].min()
    assert worst == pytest.approx(h.loc[13, "metric"])
    wide = dcma14_by_project(sample, month, wide=True)
    assert wide.shape == (11, 15)
    assert (wide["checks_passed"] == wide[list(CHECKS)].sum(axis=1)).all()


def test_module_exports():
    assert set(health.__all__) >= {"dcma14", "dcma14_by_project", "DcmaThresholds", "CHECKS"}
