"""Tests of the exercise framework (pmo_lib.exercises) and of the questions of the welcome (00)
and scheduling (02) notebooks.

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

from pmo_lib import MissingDataError, ScheduleError, evm, schedule
from pmo_lib.exercises import (
    FEEDBACK_KINDS,
    ChoiceQuestion,
    Feedback,
    NumberQuestion,
    Question,
    SetQuestion,
    earned_value,
    is_placeholder,
    scheduling,
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


# ----------------------------------------------------------------------------------------
# Set answers (SetQuestion)
# ----------------------------------------------------------------------------------------
class _Primary(SetQuestion):
    prompt = "Which colours are primary?"
    solution_code = '["red", "yellow", "blue"]'

    def _expected(self):
        return ["red", "yellow", "blue"]


@pytest.mark.parametrize("answer", [
    ["red", "yellow", "blue"], ("Blue", " RED ", "yellow"), {"red", "yellow", "blue"},
    ["red", "red", "yellow", "blue"], np.array(["blue", "yellow", "red"]),
    pd.Index(["red", "yellow", "blue"]), pd.Series(["yellow", "blue", "red"]),
])
def test_set_answer_in_any_order_or_kind_is_correct(answer):
    assert _Primary().check(answer).correct


@pytest.mark.parametrize(("answer", "says"), [
    (["red", "blue"], "some are missing"),
    (["red", "yellow", "blue", "green"], "some you listed do not belong"),
    ([], "empty"),
    (["green", "red"], "Try again"),
])
def test_wrong_set_is_incorrect_and_hides_the_expected_items(answer, says):
    fb = _Primary().check(answer)
    assert fb.kind == "incorrect" and says in str(fb)
    hidden = {"red", "yellow", "blue"} - {a.casefold() for a in answer}
    assert not any(h in str(fb) for h in hidden)


@pytest.mark.parametrize(("answer", "says"), [
    ("red, yellow, blue", "text ('red, yellow, blue'), not a list"),
    (3, "a number (3), not a list"),
    (pd.DataFrame({"x": [1]}), "a table (DataFrame), not a list. Keep its row labels"),
    (pd.Series([True, False]), "True/False values"),
])
def test_set_answer_of_the_wrong_kind(answer, says):
    fb = _Primary().check(answer)
    assert fb.kind == "incorrect" and says in str(fb) and "should be a list" in str(fb)


@pytest.mark.parametrize("placeholder", [..., None])
def test_set_placeholder_is_not_attempted(placeholder):
    assert _Primary().check(placeholder).kind == "not attempted"


# ----------------------------------------------------------------------------------------
# The scheduling questions (training module 02)
# ----------------------------------------------------------------------------------------
# Hand-checked on the teaching network (scheduling.teaching_network), offsets in working days:
# forward pass A 0-3, B 3-8, C 3-7, D 8-16, E 11-15 (SS + 3 from D's start 8),
# F max(EF_B 8, EF_C 7) = 8-10, G max(16, 10) = 16-20, H max(20, 15) = 20-22: 22 days.
# Backward pass: H LF 22, G LF 20, E LF 20 (TF 5), F LF 16 (TF 6), D LF min(LS_G 16,
# LS_E 16 - 3 + 8 = 21) = 16, C LF LS_F 14 (TF 7; FF ES_F 8 - EF_C 7 = 1), B LF min(8, 14) = 8,
# A LF 3. Critical: A, B, D, G, H.
def test_teaching_network_by_hand():
    tasks, links = scheduling.teaching_network()
    s = schedule.cpm(tasks, links)
    assert s["early_start"].to_dict() == dict(zip("ABCDEFGH", [0, 3, 3, 8, 11, 8, 16, 20],
                                                  strict=True))
    assert s["late_finish"].to_dict() == dict(zip("ABCDEFGH", [3, 8, 14, 16, 20, 16, 20, 22],
                                                  strict=True))
    assert s["total_float"].to_dict() == dict(zip("ABCDEFGH", [0, 0, 7, 0, 5, 6, 0, 0],
                                                  strict=True))
    assert s.at["C", "free_float"] == 1
    # a fresh copy every call: a notebook changing its copy cannot change the questions
    tasks.loc[0, "duration"] = 99
    assert scheduling.teaching_network()[0].loc[0, "duration"] == 3


def test_scheduling_reference_values():
    q1, q2, q3, q4, q5 = scheduling.questions()
    assert q1.solution_value() == 22
    assert q2.solution_value() == 7
    assert q3.solution_value() == 1
    assert sorted(q4.solution_value()) == ["A", "B", "D", "G", "H"]
    assert q5.solution_value() == 11
    assert "task C" in q2.prompt and "Order the IT equipment" in q2.prompt
    assert "SS from D with lag 3" in q5.prompt


def test_scheduling_reference_solutions_pass():
    tasks, links = scheduling.teaching_network()
    for q in scheduling.questions():
        assert q.check(q.solution_value()).correct, q
        # the code solution() shows runs with the notebook's names and gives a right answer
        namespace = {"tasks": tasks, "links": links, "schedule": schedule}
        *setup, last = q.solution().text.splitlines()
        exec("\n".join(setup), namespace)
        assert q.check(eval(last, namespace)).correct, q


def test_scheduling_by_hand_answers_pass():
    q1, q2, q3, q4, q5 = scheduling.questions()
    assert q1.check(22) and q2.check(7.0) and q3.check(1) and q5.check(11)
    assert q4.check(["H", "g", "D", "B", "A"]) and q4.check({"A", "B", "D", "G", "H"})


def test_scheduling_placeholders_are_not_attempted():
    for q in scheduling.questions():
        assert q.check(...).kind == "not attempted"
        assert q.check(None).kind == "not attempted"


def test_scheduling_wrong_answers_fail_with_a_nudge():
    q1, q2, q3, q4, q5 = scheduling.questions()
    fb = q1.check(32)  # the sum of all durations
    assert fb.kind == "incorrect" and "sum of every duration" in str(fb)
    assert "22" not in str(fb)
    assert "Close" in str(q1.check(21))
    assert "free float" in str(q2.check(1))
    assert "total float" in str(q3.check(7))
    assert "missing" in str(q4.check(["A", "B", "D", "G"]))
    assert "do not belong" in str(q4.check(["A", "B", "C", "D", "G", "H"]))
    assert "finish-to-start" in str(q5.check(19))  # 16 + 3: lag counted from D's finish
    assert "lag" in str(q5.check(8))  # D's start, lag forgotten
    for q in (q1, q2, q3, q5):
        assert q.check(-5).kind == "incorrect"
        assert q.check(["A"]).kind == "incorrect"
    assert q4.check("A, B, D, G, H").kind == "incorrect"
    s = schedule.cpm(*scheduling.teaching_network())
    fb = q4.check(s["critical"])  # the True/False column itself
    assert fb.kind == "incorrect" and "True/False" in str(fb)


def test_scheduling_questions_follow_the_network():
    tasks, links = scheduling.teaching_network()
    tasks.loc[tasks["id"] == "C", "duration"] = 12  # C 3-15, F 15-17, G 17-21, H 21-23
    q1, q2, _, q4, _ = scheduling.questions(tasks, links)
    assert q1.solution_value() == 23
    assert q2.solution_value() == 0
    assert sorted(q4.solution_value()) == ["A", "C", "F", "G", "H"]
    assert scheduling.TotalFloat("B", tasks, links).solution_value() == 1
    links.loc[(links["pred"] == "D") & (links["succ"] == "E"), "type"] = "FS"
    assert scheduling.EarlyStart("E", tasks, links).solution_value() == 19  # 16 + 3


def test_scheduling_question_errors():
    tasks, _ = scheduling.teaching_network()
    with pytest.raises(ScheduleError, match="unknown task 'Z'; the network's tasks are A, B"):
        scheduling.TotalFloat("Z")
    with pytest.raises(ScheduleError, match="give both tasks and links"):
        scheduling.ProjectDuration(tasks)


def test_scheduling_import_does_no_io():
    code = ("import builtins, sys; opened = []; real = builtins.open\n"
            "builtins.open = lambda *a, **k: opened.append(a[0]) or real(*a, **k)\n"
            "import pmo_lib.exercises.scheduling\n"
            "data = [p for p in opened if str(p).endswith(('.csv', '.toml'))]\n"
            "sys.exit(1 if data else 0)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_scheduling_module_declares_all():
    assert all(hasattr(scheduling, n) for n in scheduling.__all__)
    assert "SetQuestion" in importlib.import_module("pmo_lib.exercises").__all__


# ----------------------------------------------------------------------------------------
# Earned value (03): the fence, by hand (PV 3000, EV 2500, AC 2800, BAC 4000, AT 3 weeks;
# cumulative PV 500, 1500, 3000, 3700, 4000 per week)
# ----------------------------------------------------------------------------------------


def test_earned_value_reference_values_by_hand(mini):
    q1, q2, q3, q4 = earned_value.questions(mini, "2026-02")
    assert q1.solution_value() == pytest.approx(2500 / 2800)  # CPI = EV / AC
    assert q2.solution_value() == pytest.approx(4000 / (2500 / 2800))  # BAC / CPI = 4480
    assert earned_value.FenceEAC("additive").solution_value() == pytest.approx(2800 + 1500)
    assert earned_value.FenceEAC("cpi_spi").solution_value() == pytest.approx(
        2800 + 1500 / ((2500 / 2800) * (2500 / 3000)))
    assert q3.solution_value() == pytest.approx(2 + (2500 - 1500) / (3000 - 1500))  # 2.667
    assert q4.solution_value() == "P2"  # CPI 200 / 250 = 0.80 < P1's 3000 / 3400 = 0.88


def test_earned_value_reference_solutions_pass(portfolio):
    questions = earned_value.questions(portfolio)
    assert all(q.check(q.solution_value()) for q in questions)
    assert all(q.check(...).kind == "not attempted" for q in questions)
    assert all(q.check(None).kind == "not attempted" for q in questions)


def test_earned_value_reference_code_gives_the_reference_value(portfolio):
    month = portfolio.latest_month
    names = {"evm": evm, "portfolio": portfolio, "month": month,
             "fence": earned_value.fence(), "fence_pv": earned_value.fence_pv()}
    for q in earned_value.questions(portfolio, month):
        assert q.check(eval(q.solution_code, names))  # our own reference code


def test_earned_value_rounded_answers_pass_and_wrong_ones_fail(mini):
    q1, q2, q3, q4 = earned_value.questions(mini)
    assert q1.check(0.89) and q2.check(4480) and q3.check(2.67) and q4.check(" p2 ")
    for q, wrong in ((q1, 2800 / 2500), (q1, 0.8333), (q2, 4300), (q2, 4000), (q2, 1680),
                     (q3, 3), (q3, 2.5), (q4, "P1")):
        feedback = q.check(wrong)
        assert feedback.kind == "incorrect", (q, wrong)
        assert str(round(q.solution_value(), 2) if q is not q4 else "P2") not in \
            feedback.text.replace(str(wrong), "")
    assert "Upside down" in q1.check(2800 / 2500).text
    assert "SPI" in q1.check(0.8333).text
    assert "'additive'" in q2.check(4300).text
    assert "budget itself" in q2.check(4000).text
    assert "estimate to complete" in q2.check(1680).text
    assert "actual time" in q3.check(3).text
    assert "highest CPI" in q4.check("P1").text
    assert "not a project" in q4.check("ZZZ").text
    assert q1.check("0.89").kind == "incorrect"  # text, not a number


def test_earned_value_question_errors(mini):
    with pytest.raises(evm.DataValidationError, match="unknown EAC method 'new_etc'"):
        earned_value.FenceEAC("new_etc")
    with pytest.raises(MissingDataError):
        earned_value.LowestCPIProject(mini, "2025-05")
    q = earned_value.FenceCPI({"pv": 100.0, "ev": 80.0, "ac": 100.0, "bac": 1000.0})
    assert q.check(0.8)


def test_earned_value_import_does_no_io_and_declares_all():
    code = ("import builtins, sys; opened = []; real = builtins.open\n"
            "builtins.open = lambda *a, **k: opened.append(a[0]) or real(*a, **k)\n"
            "import pmo_lib.exercises.earned_value\n"
            "data = [p for p in opened if str(p).endswith(('.csv', '.toml'))]\n"
            "sys.exit(1 if data else 0)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
    assert all(hasattr(earned_value, n) for n in earned_value.__all__)
