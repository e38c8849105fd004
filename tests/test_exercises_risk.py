"""Tests of the questions of notebook 04 (pmo_lib.exercises.risk).

Every reference solution must pass, its code must give the engine's value, the values the
notebook computes by hand must be accepted, typical wrong answers must fail with the nudge
written for them (never the expected value), and untouched placeholders must say "not
attempted" (STYLE.md §9). Reference values checked by hand (sample register of 2026-10):

* HRP-R01: probability 0.20, cost impact 85,500, schedule impact 12 days: EMV 17,100
  (expected delay 2.4 days; 20 × 85,500 = 1,710,000 with the probability in percent;
  0.8 × 85,500 = 68,400 with the probability that it does not occur);
* HRP-R03: probability 0.21 (band 2: above 0.10, at most 0.30), cost 53,100 (band 3: above
  50,000, at most 100,000), schedule 4 days (band 1: at most 5): impact max(3, 1) = 3,
  score 2 × 3 = 6, "medium" (4–6); with the schedule band 2 × 1 = 2 "low"; added 2 + 3 = 5;
  averaged 2 × 2 = 4;
* three-point estimate 10 / 12 / 20: BetaPERT (10 + 48 + 20) / 6 = 13, triangular 42 / 3 =
  14, midpoint 15, most likely 12;
* office move A 5 (4–7), B 20 (18–23), C 15 (10–35), D 4 (3–6): plan 5 + 20 + 4 = 29 days; C
  tops the tornado (sensitivity about 0.74, against about 0.3 for B; A and D are critical in
  every run);
* 4 parallel symmetric tasks: 0.5⁴ = 0.0625 (one alone 0.5; at least one late 0.9375).
"""

import ast
import math
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from pmo_lib import DataValidationError, UnknownReferenceError, risk, simulation
from pmo_lib.exercises import risk as training

ITERATIONS = 2_000  # as the notebook under CI: the questions follow the runs they are given
SEED = 2026
MONTH = "2026-10"


@pytest.fixture(scope="module")
def qs(request):
    sample = request.getfixturevalue("sample")
    return training.questions(sample, MONTH, "HRP", iterations=ITERATIONS, seed=SEED)


@pytest.fixture(scope="module")
def small():
    return simulation.simulate(*training.office_move(), iterations=ITERATIONS, seed=SEED)


def _run(code: str, namespace: dict):
    """Run a solution's code: every statement, then the value of the last expression."""
    tree = ast.parse(code)
    *body, last = tree.body
    exec(compile(ast.Module(body=body, type_ignores=[]), "<solution>", "exec"), namespace)
    return eval(compile(ast.Expression(last.value), "<solution>", "eval"), namespace)


def _names(sample, small):
    return {"risk": risk, "simulation": simulation, "training": training, "np": np,
            "portfolio": sample, "register": sample.risk_register(MONTH), "small": small}


def _hides(feedback, expected) -> bool:
    """The feedback does not show the expected value (as a learner would type it)."""
    rest = feedback.text.split(" is not the answer.", 1)[-1]
    values = expected if isinstance(expected, tuple) else (expected,)
    for value in values:
        shown = ({f"{value:g}", f"{value:.2f}", f"{value:.1f}"}
                 | ({f"{value:,.0f}"} if abs(value) >= 1000 else set())
                 if isinstance(value, (int, float)) else {str(value)})
        if any(re.search(rf"(?<![\d.,]){re.escape(s)}(?![\d,]|\.\d)", rest) for s in shown):
            return False
    return True


# ----------------------------------------------------------------------------------------
# Reference values, by hand and from the engines
# ----------------------------------------------------------------------------------------
def test_reference_values_by_hand(qs, small):
    q1, q2, q3, q4, q5, q6 = qs
    assert q1.risk_id == "HRP-R01" and q1.solution_value() == pytest.approx(0.20 * 85_500)
    assert q2.risk_id == "HRP-R03" and q2.solution_value() == (6, "medium")
    assert q3.solution_value() == 13
    assert q4.solution_value() == small.percentile(80)
    assert small.deterministic == 29 and 31 < q4.solution_value() < 37
    assert q5.solution_value() == "C"
    assert q6.solution_value() == pytest.approx(0.0625, abs=0.015)


def test_pert_mean_agrees_with_the_simulated_betapert():
    q = training.PertMean(10, 12, 20)
    tasks = pd.DataFrame({"id": ["X"], "duration": [12.0], "duration_min": [10.0],
                          "duration_max": [20.0], "distribution": ["betapert"]})
    draws = simulation.simulate(tasks, iterations=40_000, seed=1).durations[:, 0]
    assert abs(draws.mean() - q.solution_value()) < 4 * draws.std() / math.sqrt(draws.size)


def test_tornado_top_is_stable_across_seeds_and_sizes():
    for iterations, seed in ((500, 0), (2_000, 1), (10_000, 7)):
        q = training.TornadoTop(iterations=iterations, seed=seed)
        assert q.solution_value() == "C"
        table = q.result().tornado()
        assert table.at["C", "sensitivity"] > table.at["B", "sensitivity"] + 0.2
        assert table.at["A", "criticality"] == table.at["D", "criticality"] == 1


def test_merge_bias_follows_half_to_the_k():
    for k in (1, 2, 3, 5):
        row = training.merge_bias(k, iterations=20_000, seed=3)
        assert row["deterministic_finish"] == 10
        assert row["p_on_time_theory"] == 0.5 ** k
        assert abs(row["p_on_time"] - 0.5 ** k) < 0.015
        assert row["mean_finish"] > 10 and row["p80_finish"] > row["mean_finish"]
    tasks, links = training.parallel_tasks(3, low=5, likely=6, high=9)
    assert tasks["duration"].tolist() == [6, 6, 6, 0] and len(links) == 3


def test_reference_solutions_pass(qs):
    assert all(q.check(q.solution_value()) for q in qs)


def test_reference_code_gives_the_reference_value(qs, sample, small):
    for q in qs:
        value = _run(q.solution().text, _names(sample, small))
        assert q.check(value), (q, value)


def test_values_computed_in_the_notebook_are_accepted(qs, sample, small):
    q1, q2, q3, q4, q5, q6 = qs
    register = sample.risk_register(MONTH)
    r1 = register.set_index("id").loc[q1.risk_id]
    assert q1.check(r1["probability"] * r1["cost_impact"]) and q1.check(17_100)
    scored = risk.score(register, portfolio=sample).set_index("id")
    r2 = scored.loc[q2.risk_id]
    assert q2.check((r2["score"], r2["rating"]))
    assert q2.check([6, " Medium "]) and q2.check((6.0, "MEDIUM"))
    assert q3.check((q3.low + 4 * q3.likely + q3.high) / 6) and q3.check(13)
    for value in (small.percentile(80), np.percentile(small.finish, 80),
                  np.quantile(small.finish, 0.8), small.percentiles()["finish"]["P80"],
                  round(small.percentile(80), 1)):
        assert q4.check(value), value
    assert q5.check(small.tornado().index[0]) and q5.check("c")
    assert q5.check(" Install the IT ")
    assert q6.check(0.5 ** 4) and q6.check(0.06)
    assert q6.check(training.merge_bias(4, iterations=ITERATIONS, seed=SEED)["p_on_time"])
    assert q6.check(training.merge_bias(4, iterations=ITERATIONS, seed=99)["p_on_time"])


def test_placeholders_are_not_attempted(qs):
    for q in qs:
        assert q.check(...).kind == "not attempted"
        assert q.check(None).kind == "not attempted"


# ----------------------------------------------------------------------------------------
# Typical wrong answers get their nudge, never the expected value
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("index", "answer", "says"), [
    (0, 85_500, "cost impact"),
    (0, 1_710_000, "as a fraction"),
    (0, 2.4, "expected delay"),
    (0, 68_400, "not that it does not"),
    (1, (2, "low"), "milder of the two impacts"),
    (1, (5, "medium"), "do not add"),
    (1, (4, "medium"), "Do not average"),
    (1, (6, "high"), "The score is right, but not its rating"),
    (1, (6, "severe"), "A rating is one of"),
    (1, (57.2, "high"), "whole number from 1 to 25"),
    (1, (9, "high"), "Check each band"),
    (1, (2, "medium"), "does not match your own score"),
    (2, 14, "triangular mean"),
    (2, 12, "most likely duration"),
    (2, 15, "middle of the range"),
    (2, 19.5, "Divide by 6"),
    (5, 6.25, "as a fraction"),
    (5, 0.5, "one task alone"),
    (5, 0.9375, "at least one task is late"),
    (5, 2.0, "independent events"),
])
def test_typical_wrong_answers_get_their_nudge(qs, index, answer, says):
    q = qs[index]
    fb = q.check(answer)
    assert fb.kind == "incorrect", (q, answer)
    assert says in fb.text, fb.text
    assert _hides(fb, q.solution_value()), fb.text


def test_p80_wrong_readings(qs, small):
    q4 = qs[3]
    cases = [(small.deterministic, "deterministic plan"), (small.percentile(50), "P50"),
             (small.percentile(20), "P20"), (small.percentile(90), "P90")]
    for answer, says in cases:
        fb = q4.check(answer)
        assert fb.kind == "incorrect" and says in fb.text, (answer, fb.text)
        assert _hides(fb, q4.solution_value()), fb.text
    fb = q4.check(float(small.finish.mean()))
    assert fb.kind == "incorrect" and ("mean finish" in fb.text or "P50" in fb.text)
    assert "not a number" in q4.check(small.finish).text
    assert q4.check(q4.solution_value() + 1).kind == "incorrect"


def test_tornado_wrong_tasks(qs):
    q5 = qs[4]
    for task in ("A", "D"):
        fb = q5.check(task)
        assert fb.kind == "incorrect" and "not criticality" in fb.text
        assert "C" not in fb.text.split(" is not the answer.")[1].replace("Criticality", "")
    fb = q5.check("B")
    assert fb.kind == "incorrect" and "longest task" in fb.text
    fb = q5.check("Fit out the new office")
    assert fb.kind == "incorrect" and "longest task" in fb.text
    assert "not a task of the office move" in q5.check("Z").text
    assert "not a text" in q5.check(3).text


def test_wrong_kinds_of_answer(qs):
    q1, q2 = qs[0], qs[1]
    assert "not a number" in q1.check("17100").text
    assert "not a pair" in q2.check(6).text
    assert "not a pair" in q2.check("6, medium").text
    assert "not a pair" in q2.check((6, "medium", "amber")).text
    assert "number first" in q2.check(("medium", 6)).text


# ----------------------------------------------------------------------------------------
# Questions follow their data; errors
# ----------------------------------------------------------------------------------------
def test_questions_follow_their_data(sample):
    q = training.RiskEMV(sample, MONTH, "ERP-R02")
    assert q.solution_value() == pytest.approx(0.90 * 173_600) and "ERP-R02" in q.prompt
    assert training.RiskScore(sample, MONTH, "DAT-R03").solution_value() == (16, "critical")
    assert training.RiskEMV(sample, MONTH).risk_id == "APP-R01"  # the whole register
    assert training.RiskEMV(sample, MONTH, project="DCM").risk_id == "APP-R01"  # no open risk
    assert training.PertMean(2, 3, 10).solution_value() == pytest.approx(4.0)
    assert training.MergeBias(2, iterations=4_000, seed=1).solution_value() == \
        pytest.approx(0.25, abs=0.03)
    assert "2 identical tasks" in training.MergeBias(2).prompt


def test_question_errors(sample):
    with pytest.raises(UnknownReferenceError, match="no open risk with this ID at 2026-10"):
        training.RiskEMV(sample, MONTH, "CRM-R01")  # occurred, not open
    with pytest.raises(DataValidationError, match="need 0 <= low <= likely <= high"):
        training.PertMean(10, 9, 20)
    with pytest.raises(DataValidationError, match="whole number of tasks >= 1"):
        training.parallel_tasks(0)


def test_prompts_hints_and_solutions(qs):
    for q in qs:
        assert q.prompt and q.hint().text and q.solution().code
    assert "HRP-R01" in qs[0].prompt and "2026-10" in qs[1].prompt
    assert "2,000 simulated runs" in qs[3].prompt
    assert "seed=2026" in qs[5].solution().text


def test_import_does_no_io_and_declares_all():
    code = ("import builtins, sys; opened = []; real = builtins.open\n"
            "builtins.open = lambda *a, **k: opened.append(a[0]) or real(*a, **k)\n"
            "import pmo_lib.exercises.risk\n"
            "data = [p for p in opened if str(p).endswith(('.csv', '.toml'))]\n"
            "sys.exit(1 if data else 0)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
    assert all(hasattr(training, n) for n in training.__all__)
