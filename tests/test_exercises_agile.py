"""Tests of the questions of notebook 07 (pmo_lib.exercises.agile).

Every reference solution must pass, its code must give the engine's value, the values the
notebook computes by hand must be accepted, typical wrong answers must fail with the nudge
written for them (never the expected value), and untouched placeholders must say "not
attempted" (STYLE.md §9). Reference values checked by hand:

* booking-app team (``team_sprints``): completed 22, 26, 14, 28, 25, 29 = 144 points over 6
  sprints, mean velocity 24 (median 25.5, last three 27.33); committed 172 (mean 28.67), so
  commitment reliability 144 / 172 = 0.837;
* item S4: started Thu 15 Jan, done Tue 27 Jan 2026: 27 − 15 + 1 = 13 calendar days (12 without
  both ends, 9 working days Mon–Fri, lead time from 7 Jan 21 days);
* 4 items a week, 30 items: 7 weeks give 28, 8 weeks 32, so 8 weeks (7.5 unrounded);
* Kanban history 5, 2, 7, 0, 4, 6, 3, 5, 8, 4, 1, 5 (mean 4.17), 10 weeks ahead: the 85 %
  "at least" is the 15th percentile of the runs, well below the median (about 42);
* at 2026-04 the sample's Kanban projects DAT and SEC have P85 cycle times 42 and 51 days;
* release BKG, 200 points in 8 sprints, BAC 160,000: after sprint 6, PRP = 200 + 3 + 5 + 2 =
  210, APC = 144 / 210 = 0.6857, EPC = 6 / 8 = 0.75, SPI = 0.9143 (0.96 ignoring the added
  points), EV = 109,714, AC = 124,000, CPI = 0.8848.
"""

import ast
import math
import re
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from pmo_lib import MissingDataError, agile
from pmo_lib.exercises import agile as training

ITERATIONS = 2_000  # as the notebook under CI: the questions follow the runs they are given
SEED = 2026


@pytest.fixture(scope="module")
def qs(request):
    sample = request.getfixturevalue("sample")
    return training.questions(sample, "2026-04", iterations=ITERATIONS, seed=SEED)


def _run(code: str, namespace: dict):
    """Run a solution's code: every statement, then the value of the last expression."""
    tree = ast.parse(code)
    *body, last = tree.body
    exec(compile(ast.Module(body=body, type_ignores=[]), "<solution>", "exec"), namespace)
    return eval(compile(ast.Expression(last.value), "<solution>", "eval"), namespace)


def _notebook_names(sample):
    history = training.weekly_throughput()
    return {"agile": agile, "np": np, "portfolio": sample, "month": "2026-04",
            "team_sprints": training.team_sprints(), "team_release": training.team_release(),
            "team_items": training.team_items(), "history_q4": history,
            "runs": agile.simulate_how_many(history, 10, iterations=ITERATIONS, seed=SEED)}


def _hides(feedback, expected) -> bool:
    """The feedback does not show the expected value (as a learner would type it)."""
    text = feedback.text
    shown = {f"{expected:g}", f"{expected:.2f}", f"{expected:.1f}"} if isinstance(
        expected, (int, float)) else {str(expected)}
    rest = text.split(" is not the answer.", 1)[-1]
    return not any(re.search(rf"(?<![\d.]){re.escape(s)}(?!\d)", rest) for s in shown)


# ----------------------------------------------------------------------------------------
# Reference values, by hand and from the engine
# ----------------------------------------------------------------------------------------
def test_reference_values_by_hand(qs):
    q1, q2, q3, q4, q5, q6 = qs
    assert q1.solution_value() == 24
    assert q2.solution_value() == 13
    assert q3.solution_value() == 8
    runs = q4.runs()
    assert q4.solution_value() < np.median(runs) - 3
    assert abs(q4.solution_value() - np.percentile(runs, 15)) <= 1
    assert q5.solution_value() == "SEC"
    assert q6.solution_value() == pytest.approx((144 / 210) / (6 / 8))


def test_team_data_are_fresh_copies_and_valid():
    s = training.team_sprints()
    s.loc[0, "completed_points"] = 99
    assert training.team_sprints().loc[0, "completed_points"] == 22
    agile.check_sprints(training.team_sprints())
    agile.check_items(training.team_items())
    e = agile.agile_evm(training.team_sprints(), training.team_release()).loc[("BKG", 6)]
    assert e["release_points"] == 210 and e["ac"] == 124_000
    assert e["cpi"] == pytest.approx((144 / 210 * 160_000) / 124_000)
    assert e["forecast_sprints"] == pytest.approx(6 / (144 / 210))


def test_reference_solutions_pass(qs):
    assert all(q.check(q.solution_value()) for q in qs)


def test_reference_code_gives_the_reference_value(qs, sample):
    names = _notebook_names(sample)
    for q in qs:
        value = _run(q.solution().text, dict(names))
        assert q.check(value), q


def test_values_computed_in_the_notebook_are_accepted(qs, sample):
    q1, q2, q3, q4, q5, q6 = qs
    names = _notebook_names(sample)
    team_sprints, team_items, runs = names["team_sprints"], names["team_items"], names["runs"]
    assert q1.check(team_sprints["completed_points"].mean())
    assert q1.check(team_sprints["completed_points"].sum() / len(team_sprints))
    s4 = team_items.set_index("id").loc["S4"]
    assert q2.check((s4["done"] - s4["started"]).days + 1)
    assert q2.check(agile.cycle_time(team_items)[3])
    assert q3.check(math.ceil(30 / 4))
    assert q3.check(agile.forecast_when([4] * 8, 30, seed=1)["within_85"])
    for value in (np.percentile(runs, 15), np.quantile(runs, 0.15),
                  np.percentile(runs, 15, method="lower"), np.sort(runs)[len(runs) * 15 // 100],
                  agile.forecast_how_many(names["history_q4"], 10, iterations=ITERATIONS,
                                          seed=SEED)["at_least_85"]):
        assert q4.check(value), value
    backlog = sample.backlog_at("2026-04")
    kanban = sample.projects.loc[sample.projects["methodology"] == "kanban", "id"]
    flow = backlog[backlog["project_id"].isin(kanban)]
    p85 = agile.cycle_time(flow).groupby(flow["project_id"]).quantile(0.85)
    assert q5.check(p85.idxmax())
    assert q5.check("sec") and q5.check(" Cyber-security hardening ")
    done = team_sprints[team_sprints["sprint"] <= 6]
    apc = done["completed_points"].sum() / (200 + done["added_points"].sum())
    assert q6.check(apc / (6 / 8))
    assert q6.check(0.91) and q6.check(0.914)  # rounded to two or three decimals


def test_placeholders_are_not_attempted(qs):
    for q in qs:
        assert q.check(...).kind == "not attempted"
        assert q.check(None).kind == "not attempted"


# ----------------------------------------------------------------------------------------
# Typical wrong answers get their nudge, never the expected value
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("index", "answer", "says"), [
    (0, 172 / 6, "mean commitment"),
    (0, 144, "total completed"),
    (0, 82 / 3, "last 3 sprints"),
    (0, 25.5, "median"),
    (0, 144 / 172, "commitment reliability"),
    (1, 12, "Count both ends"),
    (1, 21, "lead time"),
    (1, 20, "lead time"),
    (1, 9, "working days"),
    (2, 7.5, "round up"),
    (2, 7, "Round up, not down"),
    (2, 120, "not multiply"),
    (2, 4 / 30, "Upside down"),
    (5, 0.96, "added to the release"),
    (5, 1 / ((144 / 210) / 0.75), "Upside down"),
    (5, (144 / 210 * 160_000) / 124_000, "CPI"),
    (5, 144 / 210, "actual percent complete"),
    (5, 0.75, "expected percent complete"),
    (5, 144 / 172, "commitment reliability"),
])
def test_typical_wrong_answers_get_their_nudge(qs, index, answer, says):
    q = qs[index]
    fb = q.check(answer)
    assert fb.kind == "incorrect", (q, answer)
    assert says in fb.text, fb.text
    assert _hides(fb, q.solution_value()), fb.text


def test_how_many_wrong_readings(qs):
    q4 = qs[3]
    runs = q4.runs()
    fb = q4.check(np.percentile(runs, 85))
    assert fb.kind == "incorrect" and "low end" in fb.text and _hides(fb, q4.solution_value())
    fb = q4.check(np.median(runs))
    assert fb.kind == "incorrect" and "coin toss" in fb.text
    fb = q4.check(training.weekly_throughput().mean() * 10)
    assert fb.kind == "incorrect" and "coin toss" in fb.text
    assert q4.check(q4.solution_value() + 3).kind == "incorrect"
    assert "not a number" in q4.check(runs).text


def test_longest_cycle_time_wrong_projects(qs):
    q5 = qs[4]
    fb = q5.check("DAT")
    assert fb.kind == "incorrect" and "shorter than another Kanban" in fb.text
    assert "SEC" not in fb.text
    fb = q5.check("APP")
    assert fb.kind == "incorrect" and "scrum, not Kanban" in fb.text
    assert "not a project" in q5.check("XYZ").text
    assert "not a text" in q5.check(42).text


def test_longest_cycle_time_points_at_the_percentile_not_the_mean(sample):
    # Make DAT's items slow on average but SEC's tail longer: DAT leads on the mean only.
    backlog = sample.backlog.copy()
    dat = (backlog["project_id"] == "DAT") & backlog["done"].notna()
    backlog.loc[dat, "started"] = backlog.loc[dat, "done"] - pd.Timedelta(days=45)
    backlog.loc[dat & backlog["created"].gt(backlog["started"]), "created"] = \
        backlog.loc[dat, "started"]
    pf = replace(sample, backlog=backlog)
    q = training.LongestCycleTimeKanban(pf, "2026-04")
    assert q.solution_value() == "SEC"
    fb = q.check("DAT")
    assert fb.kind == "incorrect" and "mean or maximum" in fb.text


# ----------------------------------------------------------------------------------------
# Questions follow their data; errors
# ----------------------------------------------------------------------------------------
def test_questions_follow_their_data():
    sprints = training.team_sprints().assign(completed_points=[10.0] * 6)
    assert training.MeanVelocity(sprints).solution_value() == 10
    assert training.ItemCycleTime("S1").solution_value() == 5
    assert training.ItemCycleTime("S3").solution_value() == 1
    assert training.ConstantThroughputWeeks(5, 12, 4).solution_value() == 3
    assert training.ConstantThroughputWeeks(4, 32).solution_value() == 8
    assert "exactly 5 items every week for 4 weeks. 12 items" in \
        training.ConstantThroughputWeeks(5, 12, 4).prompt
    assert training.ReleaseSPI(sprint=3).solution_value() == pytest.approx(
        (62 / 203) / (3 / 8))
    assert training.HowManyItems([5, 5, 5], 4).solution_value() == 20
    q = training.HowManyItems(confidence=95, iterations=500, seed=1)
    assert "np.percentile(runs, 5)" in q.solution().text and "95 %" in q.prompt


def test_question_errors(sample):
    with pytest.raises(MissingDataError, match="no done item with this ID; the done items are "
                       "S1, S2, S3, S4"):
        training.ItemCycleTime("S5")
    with pytest.raises(MissingDataError, match="no status snapshot for 2025-05"):
        training.LongestCycleTimeKanban(sample, "2025-05")
    no_kanban = sample.projects.assign(methodology="scrum")
    q = training.LongestCycleTimeKanban(replace(sample, projects=no_kanban), "2026-04")
    with pytest.raises(MissingDataError, match="no Kanban project has a done item at 2026-04"):
        q.solution_value()


def test_prompts_hints_and_solutions(qs):
    for q in qs:
        assert q.prompt and q.hint().text and q.solution().code
    assert "2026-04" in qs[4].prompt and "S4" in qs[1].prompt
    assert "2,000 simulated futures" in qs[3].prompt


def test_import_does_no_io_and_declares_all():
    code = ("import builtins, sys; opened = []; real = builtins.open\n"
            "builtins.open = lambda *a, **k: opened.append(a[0]) or real(*a, **k)\n"
            "import pmo_lib.exercises.agile\n"
            "data = [p for p in opened if str(p).endswith(('.csv', '.toml'))]\n"
            "sys.exit(1 if data else 0)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
    assert all(hasattr(training, n) for n in training.__all__)
