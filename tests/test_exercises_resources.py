"""Tests of the questions of notebook 05 (pmo_lib.exercises.resources).

Every reference solution must pass, its code must give the engine's value, the values the
notebook computes by hand must be accepted, typical wrong answers must fail with the nudge
written for them (never the expected value), and untouched placeholders must say "not
attempted" (STYLE.md §9). Reference values checked by hand:

* the teaching example (days from day 0, every day a working day): WEB W1 2 → W2 5 → W3 2
  (9 days), RPT R1 3 → R2 2 (5 days); Ana (capacity 1) on W1, W3, R1, R2. Ana is asked for
  2 units on days 0 and 1. WEB first: R1 waits for W1 (days 2–4), R2 days 5–6, RPT finishes
  on day 7 (slip 2). RPT first: W1 waits for R1 and R2 (days 5–6), WEB finishes on day 14
  (slip 5);
* R1 at 4 days, WEB first: W1 0–1, R1 2–5, W3 holds Ana on days 7–8, so R2 cannot start on
  day 6 (it needs days 6 and 7) and works days 9–10: RPT finishes on day 11 (without
  levelling 6; ignoring W3 8; the last day worked 10). R1 at 2 days: R2 on days 4–5, day 6;
  at 5 days: R1 2–6, R2 9–10, day 11;
* sample at 2026-10, November 2026 (21 working days): the Consultant role is R30 alone,
  capacity 5, so 105 unit-days; demand 342: utilisation 342 / 105 = 3.257 (326 %; upside
  down 0.307; one person's capacity 342 / 21 = 16.3; calendar days 342 / 150 = 2.28);
* R14 (Laura Fischer, Tester, capacity 1) has the most over-allocated runs, 14; the worst
  peaks at 5 units: excess 4 (the first run's excess is 2). R16 (Test automation team,
  capacity 2): its worst run peaks at 14 units, excess 12 (ratio 7).
"""

import ast
import re

import numpy as np
import pandas as pd
import pytest

from pmo_lib import (
    DataValidationError,
    MissingDataError,
    UnknownReferenceError,
    levelling,
    resources,
    schedule,
)
from pmo_lib.exercises import resources as training

MONTH = "2026-10"
SCHEDULES = 300  # as the notebook under CI: the questions follow the levelling they are given
SEED = 0
FLIP = "DAT"


@pytest.fixture(scope="module")
def qs(request):
    sample = request.getfixturevalue("sample")
    return training.questions(sample, MONTH, flip=FLIP, schedules=SCHEDULES, seed=SEED)


@pytest.fixture(scope="module")
def notebook(request):
    """The names the notebook's cells define, as the notebook computes them."""
    sample = request.getfixturevalue("sample")
    month = pd.Period(MONTH, "M")
    forecast = schedule.schedule_portfolio(sample, month).rename_axis("id").reset_index()
    with pytest.warns(UserWarning):
        lev = resources.level_portfolio(sample, month, schedules=SCHEDULES, seed=SEED)
    return {
        "pd": pd, "np": np, "levelling": levelling, "resources": resources,
        "training": training, "portfolio": sample, "status_month": month,
        "schedules": SCHEDULES, "seed": SEED, "lev": lev,
        "load": resources.portfolio_loading(sample, month, freq="M", by="role"),
        "runs": resources.overallocations(forecast, sample.assignments, sample.resources,
                                          sample.calendar, start="start_date",
                                          finish="finish_date"),
    }


def _run(code: str, namespace: dict):
    """Run a solution's code: every statement, then the value of the last expression."""
    tree = ast.parse(code)
    *body, last = tree.body
    namespace = dict(namespace)
    exec(compile(ast.Module(body=body, type_ignores=[]), "<solution>", "exec"), namespace)
    return eval(compile(ast.Expression(last.value), "<solution>", "eval"), namespace)


def _hides(feedback, expected) -> bool:
    """The feedback does not show the expected value (as a learner would type it)."""
    rest = feedback.text.split(" is not the answer.", 1)[-1]
    if isinstance(expected, str):
        return expected.casefold() not in rest.casefold()
    shown = {f"{expected:g}", f"{expected:.2f}", f"{expected:.1f}", f"{expected:.0%}"}
    return not any(re.search(rf"(?<![\d.,]){re.escape(s)}(?![\d,]|\.\d)", rest) for s in shown)


# ----------------------------------------------------------------------------------------
# The teaching example
# ----------------------------------------------------------------------------------------
def test_two_projects_by_hand():
    tasks, links, team, assignments = training.two_projects()
    plan = schedule.cpm(tasks, links)
    assert plan["early_finish"].groupby(plan["project_id"]).max().to_dict() == {
        "RPT": 5, "WEB": 9}
    assert (plan["total_float"] == 0).all()  # each chain is critical in its project
    days = training.on_days(tasks, plan["early_start"])
    ana = resources.demand(days, assignments, training.every_day(), start="start",
                           finish="finish", resources=team)["ANA"]
    assert ana.tolist() == [2, 2, 1, 1, 1, 0, 0, 1, 1]
    ranks = tasks.set_index("id")["project_id"].map({"WEB": 1, "RPT": 2})
    web_first = levelling.level(tasks, links, team, assignments, priority=ranks, seed=1)
    assert web_first.schedule["start"].to_dict() == {"W1": 0, "W2": 2, "W3": 7, "R1": 2,
                                                     "R2": 5}
    rpt_first = levelling.level(tasks, links, team, assignments, priority=3 - ranks, seed=1)
    assert rpt_first.projects["finish"].to_dict() == {"RPT": 5, "WEB": 14}
    plain = levelling.level(tasks, links, team, assignments, seed=1)  # no ranks: optimal
    assert plain.optimal and plain.schedule["start"].equals(web_first.schedule["start"])


def test_two_project_portfolio_levels_by_priority():
    pair = training.two_project_portfolio()
    assert pair.projects["priority"].tolist() == [1, 2] and pair.calendar.workweek[-1] == "Sun"
    assert pair.tasks["baseline_finish"].max() == pd.Timestamp("2026-03-10")  # day 8, last
    lev = resources.level_portfolio(pair, schedules=20)
    assert lev.projects["slip"].to_dict() == {"WEB": 0, "RPT": 2}
    assert lev.projects.at["RPT", "levelled_finish"] == pd.Timestamp("2026-03-08")
    flipped = resources.level_portfolio(pair, priorities={"RPT": 1, "WEB": 2}, schedules=20)
    assert flipped.projects["slip"].to_dict() == {"WEB": 5, "RPT": 0}
    longer = training.two_project_portfolio(durations={"R1": 4})
    assert resources.level_portfolio(longer, schedules=20).projects.at["RPT", "slip"] == 5


def test_on_days_and_durations_errors():
    tasks = training.two_projects()[0]
    with pytest.raises(UnknownReferenceError, match="no start day for task"):
        training.on_days(tasks, {"W1": 0})
    with pytest.raises(UnknownReferenceError, match="unknown task 'X1'"):
        training.two_projects({"X1": 3})
    for bad in (0, 2.5, "3", True):
        with pytest.raises(DataValidationError, match="whole number of days >= 1"):
            training.two_projects({"R1": bad})


@pytest.mark.parametrize(("gather", "finish"), [(1, 5), (2, 6), (3, 7), (4, 11), (5, 11)])
def test_levelled_finish_by_hand(gather, finish):
    assert training.LevelledFinish(gather).solution_value() == finish


# ----------------------------------------------------------------------------------------
# Reference values and solutions
# ----------------------------------------------------------------------------------------
def test_reference_values_by_hand(qs, sample):
    q1, q2, q3, q4, q5 = qs
    assert (q1.role, str(q1.period)) == ("Consultant", "2026-11")
    assert q1.solution_value() == pytest.approx(342 / (5 * 21))
    assert q2.resource == "R14"  # the most runs (14) by default
    assert q2.solution_value() == 4  # peak 5 (Dec 2025 – Jan 2026), capacity 1
    r16 = training.PeakOverallocation(sample, MONTH, "R16")
    assert r16.solution_value() == 12
    assert q3.solution_value() == 11
    lev = q4.levelled()
    assert q4.project == lev.projects["slip"].idxmax()
    assert q4.solution_value() == lev.projects.at[q4.project, "delay_source"]
    assert q5.project == FLIP
    change = q5.flipped().projects["slip"] - lev.projects["slip"]
    assert change[FLIP] < 0 and q5.solution_value() == change.idxmax()


def test_reference_solutions_pass(qs):
    assert all(q.check(q.solution_value()) for q in qs)


@pytest.mark.filterwarnings("ignore:level_portfolio")
def test_reference_code_gives_the_reference_value(qs, notebook):
    for q in qs:
        value = _run(q.solution().text, notebook)
        assert q.check(value), (q, value)


def test_values_computed_in_the_notebook_are_accepted(qs, notebook):
    q1, q2, q3, q4, q5 = qs
    load, runs, lev = notebook["load"], notebook["runs"], notebook["lev"]
    d = load.demand.at[q1.period, q1.role]
    c = load.capacity.at[q1.period, q1.role]
    assert q1.check(d / c) and q1.check(round(d / c, 2)) and q1.check(3.26)
    assert q2.check(runs.loc[runs["resource_id"] == q2.resource, "excess"].max())
    assert q2.check(4) and q2.check(4.0)
    assert q3.check(11) and q3.check(11.0)
    answer = lev.projects.at[q4.project, "delay_source"]
    assert q4.check(answer) and q4.check(f" {answer.lower()} ")
    assert q5.check("CRM") and q5.check("crm roll-out")


def test_placeholders_are_not_attempted(qs):
    for q in qs:
        assert q.check(...).kind == "not attempted"
        assert q.check(None).kind == "not attempted"


# ----------------------------------------------------------------------------------------
# Typical wrong answers get their nudge, never the expected value
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("answer", "says"), [
    (326, "as a fraction"),
    (342, "demand in unit-days"),
    (105, "That is the capacity"),
    (105 / 342, "Upside down"),
    (342 / 21, "as if the role were one full-time person"),
    (342 / 150, "working days, not calendar days"),
])
def test_utilisation_wrong_answers(qs, answer, says):
    q1 = qs[0]
    fb = q1.check(answer)
    assert fb.kind == "incorrect" and says in fb.text, fb.text
    assert _hides(fb, q1.solution_value()), fb.text


def test_utilisation_of_the_baseline_plan(sample):
    q = training.RoleUtilisation(sample, MONTH, "Tester", "2026-08")
    baseline = resources.portfolio_loading(sample, freq="M", by="role").utilisation
    value = baseline.at[pd.Period("2026-08"), "Tester"]
    assert abs(value - q.solution_value()) > 0.01
    fb = q.check(value)
    assert fb.kind == "incorrect" and "baseline plan" in fb.text


@pytest.mark.parametrize(("answer", "says"), [
    (14, "That is the peak demand"),
    (7, "multiple of the capacity"),
    (311, "number of working days"),
])
def test_peak_overallocation_wrong_answers(sample, answer, says):
    q = training.PeakOverallocation(sample, MONTH, "R16")
    fb = q.check(answer)
    assert fb.kind == "incorrect" and says in fb.text, fb.text
    assert _hides(fb, q.solution_value()), fb.text
    assert "not a number" in q.check("12").text


def test_peak_overallocation_among_many_runs(qs):
    q2 = qs[1]
    for answer, says in [(5, "peak demand"), (2, "first run's excess"),
                         (14, "number of over-allocated runs")]:
        fb = q2.check(answer)
        assert fb.kind == "incorrect" and says in fb.text, (answer, fb.text)
        assert _hides(fb, q2.solution_value()), fb.text


@pytest.mark.parametrize(("answer", "says"), [
    (6, "plan without levelling"),
    (10, "last day worked"),
    (8, "look at W3"),
    (9, "when WEB finishes"),
    (7, "notebook's answer"),
    (13, "Too late"),
])
def test_levelled_finish_wrong_answers(qs, answer, says):
    q3 = qs[2]
    fb = q3.check(answer)
    assert fb.kind == "incorrect" and says in fb.text, fb.text
    assert _hides(fb, q3.solution_value()), fb.text
    assert q3.check(5).kind == "incorrect"


def test_waiting_task_wrong_answers(qs):
    q4 = qs[3]
    lev = q4.levelled()
    row = lev.projects.loc[q4.project]
    assert row["driving_task"] != row["delay_source"]  # the sample's WMS: a useful case
    cases = [(row["blocking_task"], "holds the resource"),
             (row["driving_task"], "only follows its links"),
             ("ERP-0001", "not one of the unfinished tasks")]
    mine = lev.tasks[(lev.tasks["project_id"] == q4.project) & (lev.tasks["delay"] > 0)]
    others = [t for t in mine.index if t not in {row["delay_source"], row["driving_task"]}]
    cases += [(others[0], "delayed too")]
    for answer, says in cases:
        fb = q4.check(answer)
        assert fb.kind == "incorrect" and says in fb.text, (answer, fb.text)
        assert _hides(fb, q4.solution_value()), fb.text
    assert "not a text" in q4.check(3).text


def test_priority_flip_wrong_answers(qs):
    q5 = qs[4]
    change = q5.flipped().projects["slip"] - q5.levelled().projects["slip"]
    still = change.index[change == 0][0]
    smaller = change[(change > 0) & (change < change.max())].index[0]
    for answer, says in [(FLIP, "ranked first"), (smaller, "another project slips more"),
                         (still, "does not move")]:
        fb = q5.check(answer)
        assert fb.kind == "incorrect" and says in fb.text, (answer, fb.text)
        assert _hides(fb, q5.solution_value()), fb.text
    assert "not a project of the portfolio: APP, CRM" in q5.check("ZZZ").text  # the ID list


# ----------------------------------------------------------------------------------------
# Questions follow their data; errors
# ----------------------------------------------------------------------------------------
def test_questions_follow_their_data(sample):
    q = training.RoleUtilisation(sample, MONTH, "Trainer", "2026-12")
    load = resources.portfolio_loading(sample, MONTH)
    assert q.solution_value() == pytest.approx(load.utilisation.at[pd.Period("2026-12"),
                                                                    "Trainer"])
    assert "Trainer" in q.prompt and "2026-12" in q.prompt
    assert training.LevelledFinish(5).prompt.startswith("Say gathering the figures (R1) takes 5")
    flip = training.PriorityFlip(sample, MONTH, "WMS", schedules=SCHEDULES, seed=SEED)
    assert flip._accepted() >= {"CRM", "DAT"}  # a tie: both slip 59 more days


def test_question_errors(sample):
    with pytest.raises(UnknownReferenceError, match="unknown role 'Juggler'"):
        training.RoleUtilisation(sample, MONTH, "Juggler")
    with pytest.raises(DataValidationError, match="no loading in 2031-01"):
        training.RoleUtilisation(sample, MONTH, "Tester", "2031-01")
    with pytest.raises(MissingDataError, match="no status snapshot for 2020-01"):
        training.RoleUtilisation(sample, "2020-01")
    with pytest.raises(UnknownReferenceError, match="unknown resource 'R99'"):
        training.PeakOverallocation(sample, MONTH, "R99")
    with pytest.raises(DataValidationError, match="R01 is never over-allocated"):
        training.PeakOverallocation(sample, MONTH, "R01")
    for bad in (0, 21, 2.5, "4", True):
        with pytest.raises(DataValidationError, match="whole number of days from 1 to 20"):
            training.LevelledFinish(bad)
    with pytest.raises(UnknownReferenceError, match="unknown project 'XYZ'"):
        training.WaitingTask(sample, MONTH, "XYZ", schedules=SCHEDULES)
    with pytest.raises(DataValidationError, match="REG does not slip"):
        training.WaitingTask(sample, MONTH, "REG", schedules=SCHEDULES)
    with pytest.raises(DataValidationError, match="ranking ERP first delays no other project"):
        training.PriorityFlip(sample, MONTH, "ERP", schedules=SCHEDULES)  # already rank 1
