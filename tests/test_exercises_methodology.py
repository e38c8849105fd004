"""Tests of the questions and worked example of notebook 01 (pmo_lib.exercises.methodology).

Every reference solution must pass, its code must give the engine's value, typical wrong
answers must fail with the nudge written for them (never the expected value), and untouched
placeholders must say "not attempted" (STYLE.md §9). Reference values checked by hand from the
shipped templates:

* V-model: unit testing verifies the module design (level 4), integration testing the
  architecture (3), system testing the system design (2), acceptance testing the requirements (1);
* waterfall, 200 working days: design has 15 % of them, 30 days, split 3:1 between the
  solution design and the test strategy (22.5 and 7.5, rounded to 23 and 7);
* waterfall RACI: solution design A = senior supplier, R = solution architect, I = project
  manager;
* payroll register, waterfall plan of 180 days from 5 Jan 2026 (gates G1 15 Jan, G2 23 Feb, G3
  1 Apr, G4 29 Jun): at 13 Mar G2 is overdue (traceability matrix a draft); at 15 Apr G2 is
  met (approved 20 Mar by the senior user, the gate's approver) and G3 overdue (solution
  design approved by the project manager, who is only Informed; test strategy submitted);
* questionnaire, infusion pump answers: V-model 3+3+3+2+1+1+3+3 = 19, waterfall
  3+1+1+3+1+1+3+2 = 15.
"""

import ast
import subprocess
import sys

import pandas as pd
import pytest

from pmo_lib import DataValidationError, methodology
from pmo_lib.exercises import methodology as training


@pytest.fixture(scope="module")
def qs():
    return training.questions()


def _run(code: str, namespace: dict):
    """Run a solution's code: every statement, then the value of the last expression."""
    tree = ast.parse(code)
    *body, last = tree.body
    exec(compile(ast.Module(body=body, type_ignores=[]), "<solution>", "exec"), namespace)
    return eval(compile(ast.Expression(last.value), "<solution>", "eval"), namespace)


def _notebook_names():
    return {"methodology": methodology, "plan": training.payroll_plan(),
            "register": training.payroll_register(),
            "stakeholders": training.payroll_stakeholders(),
            "review_date": training.REVIEW_DATE, "pump": training.pump_answers()}


# ----------------------------------------------------------------------------------------
# Reference values, by hand and from the engine
# ----------------------------------------------------------------------------------------
def test_reference_values_by_hand(qs):
    q1, q2, q3, q4, q5 = qs
    assert q1.solution_value() == "unit_testing"
    assert q2.solution_value() == 30  # 15 % of 200
    assert q3.solution_value() == "senior_supplier"
    assert q4.solution_value() == ["G3"]
    assert q5.solution_value() == "v_model"


@pytest.mark.parametrize("phase, verifier", [
    ("requirements", "acceptance_testing"), ("system_design", "system_testing"),
    ("architecture", "integration_testing"), ("module_design", "unit_testing")])
def test_verifying_phase_of_every_level(phase, verifier):
    q = training.VerifyingPhase(phase)
    assert q.solution_value() == verifier
    phases = methodology.load_template("v_model").phases.set_index("id")
    assert phases.at[verifier, "verifies"] == phase
    assert phases.at[verifier, "level"] == phases.at[phase, "level"]


@pytest.mark.parametrize("template, phase, duration, days", [
    ("waterfall", "design", 200, 30), ("waterfall", "build", 200, 70),
    ("v_model", "implementation", 100, 20), ("scrum", "release_1", 60, 27)])
def test_phase_days_match_the_shares(template, phase, duration, days):
    q = training.PhaseDays(phase, template, duration)
    assert q.solution_value() == days
    plan = methodology.instantiate(template, "x", "2026-01-05", duration=duration)
    assert plan.tasks.groupby("phase")["duration"].sum()[phase] == days


@pytest.mark.parametrize("deliverable, role", [
    ("solution_design", "senior_supplier"), ("business_case", "sponsor"),
    ("operational_handover", "service_owner"), ("test_strategy", "project_manager")])
def test_accountable_role_matches_the_raci(deliverable, role):
    assert training.AccountableRole(deliverable).solution_value() == role
    raci = methodology.load_template("waterfall").raci
    assert raci.query("deliverable == @deliverable and code == 'A'")["role"].tolist() == [role]


@pytest.mark.parametrize("date, overdue", [
    ("2026-01-10", []), ("2026-01-20", []), ("2026-03-13", ["G2"]),
    ("2026-04-15", ["G3"]), ("2026-07-01", ["G3", "G4"])])
def test_overdue_gates_at_each_date(date, overdue):
    q = training.OverdueGates(status_date=date)
    assert q.solution_value() == overdue
    assert q.check(overdue)
    assert str(pd.Timestamp(date).year) in q.prompt


def test_recommended_approach_matches_the_engine():
    assert training.RecommendedApproach().solution_value() == "v_model"
    assert methodology.recommend_approach(training.pump_answers()).scores.to_dict() == {
        "v_model": 19, "waterfall": 15, "hybrid": 13, "kanban": 4, "scrum": 3}
    q = training.RecommendedApproach(training.payroll_answers())
    assert q.solution_value() == "waterfall"


def test_reference_solutions_pass(qs):
    assert all(q.check(q.solution_value()) for q in qs)


def test_reference_code_gives_the_reference_value(qs):
    names = _notebook_names()
    for q in qs:
        value = _run(q.solution().text, dict(names))
        assert q.check(value).correct, q
        assert str(q.solution_value()) not in str(q.check(value)), q


def test_placeholders_are_not_attempted(qs):
    for q in qs:
        assert q.check(...).kind == "not attempted"
        assert q.check(None).kind == "not attempted"


# ----------------------------------------------------------------------------------------
# Right answers in every accepted spelling
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("index, answer", [
    (0, "unit_testing"), (0, "Unit testing"), (0, "  UNIT TESTING "),
    (1, 30), (1, 30.0),
    (2, "senior_supplier"), (2, "Senior Supplier"),
    (3, ["G3"]), (3, "G3"), (3, ("g3",)), (3, pd.Series(["G3"])),
    (4, "v_model"), (4, "V-model"), (4, "v model"),
    (4, "V-model (verification and validation at every level)")])
def test_right_answers_are_accepted(qs, index, answer):
    assert qs[index].check(answer).correct


# ----------------------------------------------------------------------------------------
# Typical wrong answers: rejected, with the nudge written for them
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("index, answer, says", [
    (0, "integration_testing", "verifies the architecture design (level 3)"),
    (0, "Acceptance testing", "verifies the requirements analysis (level 1)"),
    (0, "module_design", "development phase itself"),
    (0, "implementation", "does not verify anything"),
    (0, "testing", "not a phase of v_model"),
    (1, 15, "share in percent"),
    (1, 0.15, "share as a fraction"),
    (1, 70, "build phase"),
    (1, 31, "Try again"),
    (2, "solution_architect", "Responsible"),
    (2, "Project Manager", "Informed"),
    (2, "test_manager", "Consulted"),
    (2, "sponsor", "no part in this deliverable"),
    (2, "architect", "not a role of waterfall"),
    (3, ["G2", "G3"], "G2 is met"),
    (3, ["G2"], "G2 is met"),
    (3, ["G3", "G4"], "G4 is not due yet"),
    (3, [], "without the authority"),
    (3, ["G7"], "not a gate of the plan"),
    (4, "waterfall", "comes second"),
    (4, "scrum", "scrum scores 3 points"),
    (4, "prince2", "Answer with one of waterfall, v_model, scrum, kanban, hybrid"),
])
def test_wrong_answers_get_their_nudge(qs, index, answer, says):
    fb = qs[index].check(answer)
    assert fb.kind == "incorrect"
    assert says in str(fb), str(fb)


@pytest.mark.parametrize("index, answer", [
    (0, 4), (1, "30"), (1, [30]), (2, ["senior_supplier"]), (3, 3), (4, 7)])
def test_answers_of_the_wrong_kind_are_rejected(qs, index, answer):
    fb = qs[index].check(answer)
    assert fb.kind == "incorrect" and "should be" in str(fb)


def test_feedback_never_reveals_the_expected_value(qs):
    q1, q2, q3, q4, q5 = qs
    assert "unit" not in str(q1.check("integration_testing")).lower().replace(
        "unit testing", "")  # names only the wrong phase and the level asked
    assert "30" not in str(q2.check(15))
    assert "senior_supplier" not in str(q3.check("solution_architect")).lower()
    assert "Senior Supplier" not in str(q3.check("solution_architect"))
    assert "G3" not in str(q4.check(["G2"]))
    assert "v_model" not in str(q5.check("waterfall"))


def test_a_wrong_approver_does_not_count():
    # G3 becomes met once the senior supplier approves the design and the test strategy is
    # approved by its Accountable role (the project manager).
    register = pd.concat([training.payroll_register(), pd.DataFrame({
        "project_id": "PAY", "deliverable": ["solution_design", "test_strategy"],
        "status": "approved", "approved_by": ["Ben Okafor", "Tomás Silva"],
        "date": ["2026-04-02", "2026-04-03"]})], ignore_index=True)
    q = training.OverdueGates(register=register)
    assert q.solution_value() == []
    assert q.check([]) and not q.check(["G3"])


# ----------------------------------------------------------------------------------------
# Questions follow their inputs; errors name what to fix
# ----------------------------------------------------------------------------------------
def test_questions_follow_the_notebook_inputs():
    plan = training.payroll_plan(duration=100)  # every gate earlier
    q4 = training.questions(plan, status_date="2026-04-15")[3]
    expected = methodology.gate_compliance(training.payroll_register(), plan.template, plan,
                                           "2026-04-15",
                                           approvers=training.payroll_stakeholders())
    assert q4.solution_value() == list(expected.loc[expected["state"] == "overdue", "gate"])
    agile = {**training.payroll_answers(), "requirements_stability": "volatile",
             "customer_availability": "dedicated", "team_experience": "experienced",
             "team_size": "small", "contract": "fixed_budget"}
    q5 = training.questions(answers=agile)[4]
    assert q5.solution_value() == methodology.recommend_approach(agile).approach == "scrum"


def test_question_errors_name_the_valid_options():
    with pytest.raises(DataValidationError, match="phases of v_model are initiation"):
        training.VerifyingPhase("testing")
    with pytest.raises(DataValidationError, match="no phase of v_model verifies"):
        training.VerifyingPhase("implementation").solution_value()
    with pytest.raises(DataValidationError, match="phases of waterfall"):
        training.PhaseDays("coding")
    with pytest.raises(DataValidationError, match="deliverables of waterfall are business_case"):
        training.AccountableRole("design_document")


def test_import_does_no_io():
    code = ("import builtins, sys; opened = []; real = builtins.open\n"
            "builtins.open = lambda *a, **k: opened.append(a[0]) or real(*a, **k)\n"
            "import pmo_lib.exercises.methodology\n"
            "data = [p for p in opened if str(p).endswith(('.csv', '.yaml'))\n"
            "        or 'templates' in str(p)]  # not matplotlib's font cache\n"
            "sys.exit(1 if data else 0)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_module_declares_all():
    assert all(hasattr(training, n) for n in training.__all__)
    assert list(training.__all__) == sorted(training.__all__, key=lambda n: (
        not n.isupper(), not n[0].isupper(), n))


# ----------------------------------------------------------------------------------------
# The worked example
# ----------------------------------------------------------------------------------------
def test_worked_example_is_consistent():
    project = training.payroll_project()
    register = training.payroll_register()
    tpl = methodology.load_template("waterfall")
    assert set(register["deliverable"]) <= set(tpl.deliverables["id"])
    assert set(register.columns) == set(methodology.REGISTER_COLUMNS)
    roles = training.payroll_stakeholders()["role"]
    assert set(roles) - set(tpl.roles["id"]) == {"Employee representatives"}
    text = methodology.charter(tpl, project, fmt="markdown", plan=training.payroll_plan())
    assert "Payroll replacement (PAY)" in text and "Claire Dubois" in text
    assert methodology.recommend_approach(training.payroll_answers()).approach == "waterfall"


# ----------------------------------------------------------------------------------------
# Notebook display (the notebook's charts, tables and panel are tested in
# test_plots_governance.py, test_widgets.py and test_methodology.py)
# ----------------------------------------------------------------------------------------
def test_framed_html_escapes_the_page():
    frame = training.framed_html('<p class="x">a & b</p>', height=123)._repr_html_()
    assert frame.startswith("<iframe") and "height:123px" in frame
    assert "srcdoc=\"&lt;p class=&quot;x&quot;&gt;a &amp; b&lt;/p&gt;\"" in frame
