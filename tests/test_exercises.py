"""Tests of the exercise framework (pmo_lib.exercises) and of the welcome notebook's questions.

Every reference solution must pass, a wrong answer must fail without revealing the expected
value, and an untouched placeholder must say "not attempted" (STYLE.md §9). The expected values
on the mini fixture are checked by hand from tests/data/mini: 2 projects; BAC P1 = 1000 + 2000
+ 0 = 3000, P2 = 400; at 2026-01 P1 is amber (SPI 1800 / 2000 = 0.90) and P2 grey; at 2026-02
both are red (P1 CPI 3000 / 3400 = 0.88, P2 SPI 200 / 400 = 0.50).
"""

import importlib
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from pmo_lib import MissingDataError, evm
from pmo_lib.exercises import (
    FEEDBACK_KINDS,
    ChoiceQuestion,
    Feedback,
    NumberQuestion,
    Question,
    is_placeholder,
    welcome,
)


@pytest.fixture(params=["mini", "sample"])
def portfolio(request):
    """The mini fixture and the sample portfolio (``mini``, ``sample``: tests/conftest.py)."""
    return request.getfixturevalue(request.param)


# ----------------------------------------------------------------------------------------
# The framework
# ----------------------------------------------------------------------------------------
class _Four(NumberQuestion):
    prompt = "What is 2 + 2?"
    hint_text = "Add them."
    solution_code = "2 + 2"

    def _expected(self):
        return 4


class _Colour(ChoiceQuestion):
    prompt = "Which colour means act now?"
    solution_code = '"red"'

    def _expected(self):
        return "red"


def test_import_does_no_io():
    # Importing the exercises reads no file and builds no question.
    code = ("import builtins, sys; opened = []; real = builtins.open\n"
            "builtins.open = lambda *a, **k: opened.append(a[0]) or real(*a, **k)\n"
            "import pmo_lib.exercises.welcome\n"
            "data = [p for p in opened if str(p).endswith(('.csv', '.toml'))]\n"
            "sys.exit(1 if data else 0)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


@pytest.mark.parametrize("placeholder", [..., None])
def test_placeholder_is_not_attempted(placeholder):
    fb = _Four().check(placeholder)
    assert fb.kind == "not attempted"
    assert not fb
    assert "placeholder" in str(fb)
    assert is_placeholder(placeholder)


@pytest.mark.parametrize("answer", [4, 4.0, np.int64(4), np.float32(4.0), 4 + 1e-9])
def test_number_within_tolerance_is_correct(answer):
    fb = _Four().check(answer)
    assert fb.correct and fb.kind == "correct" and str(fb) == "Correct!"


@pytest.mark.parametrize("answer", [5, 4.01, -4, 0])
def test_wrong_number_is_incorrect_and_hides_the_expected_value(answer):
    fb = _Four().check(answer)
    assert fb.kind == "incorrect" and not fb
    assert "4" not in str(fb).replace(str(answer), "")
    assert ".hint()" in str(fb)


@pytest.mark.parametrize(("answer", "says"), [
    ("4", "text ('4'), not a number"),
    (True, "not a number"),
    (pd.Series([4]), "a column (Series), not a number. Pick a single value"),
    (pd.DataFrame({"a": [4]}), "a table (DataFrame)"),
    ([4], "a collection (list)"),
    (float("nan"), "not a finite number"),
])
def test_answer_of_the_wrong_kind_is_incorrect_with_a_reason(answer, says):
    fb = _Four().check(answer)
    assert fb.kind == "incorrect"
    assert says in str(fb)
    assert "should be a number" in str(fb)


def test_choice_is_compared_without_case_or_spaces():
    q = _Colour()
    assert q.check("red") and q.check("  RED ") and q.check("Red")
    assert not q.check("amber")
    fb = q.check(3)
    assert fb.kind == "incorrect" and "a number (3), not a text" in str(fb)


def test_hint_and_solution():
    q = _Four()
    assert q.hint() == Feedback("hint", "Add them.")
    sol = q.solution()
    assert sol.kind == "solution" and sol.code and sol.text == "2 + 2"
    assert not q.hint() and not sol  # neither is a correct answer
    assert "<pre" in sol._repr_html_() and "2 + 2" in sol._repr_html_()


def test_feedback_html_escapes_and_kinds():
    fb = Feedback("incorrect", "'<b>' is not the answer.")
    assert "&lt;b&gt;" in fb._repr_html_() and "<b>'" not in fb._repr_html_()
    assert set(FEEDBACK_KINDS) == {"correct", "incorrect", "not attempted", "hint", "solution"}
    with pytest.raises(ValueError, match="unknown feedback kind 'great'; use one of correct"):
        Feedback("great")


def test_expected_value_is_computed_once():
    calls = []

    class Counted(_Four):
        def _expected(self):
            calls.append(1)
            return 4

    q = Counted()
    assert not calls  # building a question computes nothing
    q.check(4)
    q.check(5)
    assert q.solution_value() == 4 and len(calls) == 1


def test_base_question_needs_a_subclass():
    with pytest.raises(NotImplementedError):
        Question().check(1)


# ----------------------------------------------------------------------------------------
# The welcome questions
# ----------------------------------------------------------------------------------------
def test_welcome_reference_values_on_mini(mini):
    q1, q2, q3 = welcome.questions(mini, "2026-01")
    assert q1.solution_value() == 2
    assert q2.solution_value() == "P1"
    assert q3.solution_value() == 0
    assert welcome.RedProjectCount(mini, "2026-02").solution_value() == 2
    assert welcome.RedProjectCount(mini).solution_value() == 2  # latest month = 2026-02


def test_every_reference_solution_passes(portfolio):
    for month in (None, *[str(m) for m in portfolio.months[:1]]):
        for q in welcome.questions(portfolio, month):
            assert q.check(q.solution_value()).correct, q


def test_reference_code_gives_the_reference_value(portfolio):
    # The code solution() shows runs with the notebook's names and gives the expected value.
    month = portfolio.latest_month
    for q in welcome.questions(portfolio, month):
        value = eval(q.solution().text, {"portfolio": portfolio, "month": month, "evm": evm})
        assert q.check(value).correct, q


def test_every_placeholder_is_not_attempted(portfolio):
    for q in welcome.questions(portfolio):
        assert q.check(...).kind == "not attempted"
        assert q.check(None).kind == "not attempted"


def test_wrong_answers_fail(portfolio):
    q1, q2, q3 = welcome.questions(portfolio)
    assert q1.check(q1.solution_value() + 1).kind == "incorrect"
    assert q1.check(0).kind == "incorrect"
    bac = evm.project_performance(portfolio, portfolio.latest_month)["bac"]
    smallest = bac.idxmin()
    assert bac[smallest] < bac.max()
    assert q2.check(smallest).kind == "incorrect"
    assert q2.check("no such project").kind == "incorrect"
    assert q3.check(len(portfolio.projects) + 1).kind == "incorrect"
    for q in (q1, q2, q3):
        assert q.check(portfolio.projects).kind == "incorrect"


def test_largest_budget_accepts_id_or_name(mini):
    q = welcome.LargestBudget(mini)
    assert q.check("P1") and q.check("p1") and q.check("Build") and q.check(" build ")
    fb = q.check("P2")
    assert not fb and "BAC is not the largest" in str(fb)
    assert "No project has that ID or name" in str(q.check("P9"))


def test_largest_budget_is_bac_not_the_approved_budget(mini):
    # The approved budget (projects.csv, with reserve) and BAC (sum of task budgets) differ:
    # make P2's approved budget the largest while P1 keeps the largest BAC.
    projects = mini.projects.assign(budget=[3300.0, 9000.0])
    pf = replace(mini, projects=projects)
    q = welcome.LargestBudget(pf)
    assert q.solution_value() == "P1"
    fb = q.check("P2")
    assert fb.kind == "incorrect" and "management reserve" in str(fb)


def test_largest_budget_accepts_every_project_of_a_tie(mini):
    tasks = mini.tasks.assign(budget=[1000.0, 2000.0, 0.0, 3000.0])  # P1 3000 = P2 3000
    q = welcome.LargestBudget(replace(mini, tasks=tasks))
    assert q.check("P1") and q.check("P2") and q.check("Deploy")


def test_advice_for_known_wrong_answers(mini):
    fb = welcome.ProjectCount(mini).check(1)  # one programme
    assert "number of programmes" in str(fb)
    fb = welcome.ProjectCount(mini).check(4)  # four tasks
    assert "number of tasks" in str(fb)
    fb = welcome.RedProjectCount(mini, "2026-01").check(1)  # one amber project
    assert "amber" in str(fb)


def test_red_count_follows_the_thresholds(mini):
    lenient = evm.RagThresholds(green=0.85, amber=0.80)
    assert welcome.RedProjectCount(mini, "2026-02", lenient).solution_value() == 1  # P2 only


def test_prompt_names_the_month(mini):
    q = welcome.RedProjectCount(mini, "2026-01")
    assert "2026-01" in q.prompt and "2026-01" in repr(q) and "2026-01" in q._repr_html_()


def test_unknown_month_is_a_clear_error(mini):
    with pytest.raises(MissingDataError, match="no status snapshot for 2025-05; months with "
                       "status data: 2026-01, 2026-02"):
        welcome.questions(mini, "2025-05")


def test_modules_declare_all():
    for name in ("pmo_lib.exercises", "pmo_lib.exercises.welcome"):
        module = importlib.import_module(name)
        assert all(hasattr(module, n) for n in module.__all__)
