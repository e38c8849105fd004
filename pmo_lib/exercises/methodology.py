"""Exercises of training notebook ``01_methodologies_and_governance``: life cycles, gates, RACI.

The questions are about the shipped methodology templates (:mod:`pmo_lib.methodology`) and a
worked example, the replacement of a company's payroll system (project ``PAY``): its
questionnaire answers (:func:`payroll_answers`), its charter data (:func:`payroll_project`,
with :func:`payroll_stakeholders` and :func:`payroll_risks`), its plan skeleton
(:func:`payroll_plan`) and a small handmade deliverables register (:func:`payroll_register`).
The notebook builds its tables from the same functions, so what the learner sees and what the
checks expect cannot drift apart. Every expected value is computed with
:mod:`pmo_lib.methodology`.

1. :class:`VerifyingPhase`: which V-model phase verifies a development phase (default: the
   module design, i.e. the detailed design)?
2. :class:`PhaseDays`: how many working days does a phase get in a plan of a given length
   (default: the design phase of a 200-day waterfall plan)?
3. :class:`AccountableRole`: which role is Accountable for a deliverable (default: the
   waterfall solution design)?
4. :class:`OverdueGates`: which gates of a project are overdue at a status date (default: the
   payroll register at :data:`REVIEW_DATE`)?
5. :class:`RecommendedApproach`: which approach does a questionnaire recommend (default:
   :func:`pump_answers`, the firmware of an infusion pump)?

Build them one by one (``q1 = VerifyingPhase()``) or all at once with :func:`questions`. The
solutions use the names the notebook uses: ``methodology`` (``from pmo_lib import
methodology``), ``plan``, ``register``, ``stakeholders``, ``pump`` (the answers of question 5)
and ``review_date``.

The notebook's tables, charts and panel come from the library: the templates compared with
:func:`pmo_lib.methodology.compare_templates` and :func:`~pmo_lib.methodology.phase_shares`,
the charts and styled tables from :mod:`pmo_lib.plots` (:func:`~pmo_lib.plots.phase_shares`,
:func:`~pmo_lib.plots.v_model`, :func:`~pmo_lib.plots.raci_matrix`,
:func:`~pmo_lib.plots.approach_scores`, :func:`~pmo_lib.plots.compliance_table`) and the
questionnaire form from :func:`pmo_lib.widgets.approach_panel`. This module only adds
:func:`framed_html`, which shows the HTML charter inside the notebook.

Examples
--------
>>> from pmo_lib.exercises import methodology as training
>>> q1, q2, q3, q4, q5 = training.questions()
>>> q1.check(...)
Not attempted: replace the placeholder ... with your answer, then run the cell again.
>>> all(q.check(q.solution_value()) for q in (q1, q2, q3, q4, q5))
True
>>> q1.solution_value(), q2.solution_value(), q3.solution_value()
('unit_testing', 30.0, 'senior_supplier')
>>> q4.solution_value(), q5.solution_value()
(['G3'], 'v_model')
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .. import methodology
from ..errors import DataValidationError, Problem
from . import ChoiceQuestion, NumberQuestion, SetQuestion

__all__ = [
    "EXAMPLE_DURATION",
    "EXAMPLE_START",
    "REVIEW_DATE",
    "AccountableRole",
    "OverdueGates",
    "PhaseDays",
    "RecommendedApproach",
    "VerifyingPhase",
    "framed_html",
    "payroll_answers",
    "payroll_plan",
    "payroll_project",
    "payroll_register",
    "payroll_risks",
    "payroll_stakeholders",
    "pump_answers",
    "questions",
]

#: First working day of the worked example (a Monday).
EXAMPLE_START = "2026-01-05"
#: Planned duration of the worked example. [d]
EXAMPLE_DURATION = 180
#: The status date of the gate review asked about in question 4.
REVIEW_DATE = "2026-04-15"


# ----------------------------------------------------------------------------------------
# The worked example: replacing the payroll system
# ----------------------------------------------------------------------------------------
def payroll_answers() -> dict[str, str]:
    """The questionnaire answers of the payroll replacement (question id → option id).

    Legal pay rules are known and stable, auditors want documented approvals, the payroll
    team can review every few weeks, the team is new to agile, two to five teams work on a
    fixed-price contract with the vendor.

    Examples
    --------
    >>> from pmo_lib import methodology
    >>> r = methodology.recommend_approach(payroll_answers())
    >>> r.approach, r.runner_up, r.margin
    ('waterfall', 'hybrid', 1.0)
    """
    return {"requirements_stability": "stable", "regulation": "documented",
            "criticality": "medium", "customer_availability": "part_time",
            "team_experience": "none", "team_size": "medium", "contract": "fixed_price",
            "work_pattern": "one_off"}


def pump_answers() -> dict[str, str]:
    """The questionnaire answers of question 5: the firmware of a hospital infusion pump.

    Examples
    --------
    >>> sorted(pump_answers().values())[:3]
    ['certified', 'fixed_price', 'hardware']
    """
    return {"requirements_stability": "stable", "regulation": "certified",
            "criticality": "high", "customer_availability": "rare",
            "team_experience": "some", "team_size": "medium", "contract": "fixed_price",
            "work_pattern": "hardware"}


def payroll_stakeholders() -> pd.DataFrame:
    """The stakeholder register of the payroll replacement.

    Returns
    -------
    DataFrame
        ``id``, ``name``, ``role`` (a waterfall role id, or a title), ``influence`` and
        ``interest`` (1–5), ``organisation``. It doubles as the list of who holds which role
        (the ``approvers`` of :func:`pmo_lib.methodology.gate_compliance`).

    Examples
    --------
    >>> payroll_stakeholders().set_index("name").loc["Ana Ruiz", "role"]
    'senior_user'
    """
    return pd.DataFrame({
        "id": [f"S{i}" for i in range(1, 10)],
        "name": ["Claire Dubois", "Ana Ruiz", "Ben Okafor", "Tomás Silva", "Priya Nair",
                 "Jon Berg", "Lena Kovac", "Internal audit", "Works council"],
        "role": ["sponsor", "senior_user", "senior_supplier", "project_manager",
                 "solution_architect", "test_manager", "service_owner", "project_assurance",
                 "Employee representatives"],
        "influence": [5, 4, 4, 3, 2, 2, 3, 4, 4],
        "interest": [5, 5, 3, 5, 4, 4, 4, 2, 3],
        "organisation": ["Finance (CFO)", "Payroll department", "PayCloud Ltd (vendor)",
                         "IT delivery", "IT architecture", "IT quality", "HR operations",
                         "Internal audit", "Staff"],
    })


def payroll_risks() -> pd.DataFrame:
    """The top risks of the payroll replacement (the columns of the portfolio's risks table).

    Examples
    --------
    >>> payroll_risks()["id"].tolist()
    ['R1', 'R2', 'R3', 'R4']
    """
    return pd.DataFrame({
        "id": ["R1", "R2", "R3", "R4"],
        "title": ["Pay errors in the first live run", "Tax rule change late in the year",
                  "Key payroll experts unavailable during testing",
                  "History migration takes longer than planned"],
        "probability": [0.3, 0.5, 0.4, 0.3],
        "cost_impact": [120_000.0, 60_000.0, 40_000.0, 50_000.0],
        "owner": ["Ana Ruiz", "Ben Okafor", "Tomás Silva", "Priya Nair"],
        "response": ["Three parallel runs before go-live", "Vendor contract covers rule updates",
                     "Backfill agreed with HR for March to August",
                     "Migrate three years only; archive the rest"],
        "state": ["open"] * 4,
    })


def payroll_project() -> methodology.ProjectInfo:
    """The charter data of the payroll replacement (:class:`~pmo_lib.methodology.ProjectInfo`).

    Examples
    --------
    >>> p = payroll_project()
    >>> p.id, p.sponsor, len(p.objectives), len(p.stakeholders)
    ('PAY', 'Claire Dubois', 3, 9)
    """
    return methodology.ProjectInfo(
        id="PAY", name="Payroll replacement",
        purpose=("Replace the 20-year-old in-house payroll system, whose support ends in "
                 "2027, with a standard cloud payroll service, so that our 2,400 employees "
                 "keep being paid correctly and on time."),
        objectives=("Pay every employee from the new service from the October 2026 run.",
                    "No pay error above 1 % of net pay in the three parallel runs.",
                    "Cut the cost per payslip by 30 % within a year of go-live."),
        scope=("Payroll calculation, payslips and bank files for all 2,400 employees.",
               "Interfaces to HR, time recording and the general ledger.",
               "Migration of three years of payroll history."),
        out_of_scope=("Recruitment and talent management.", "Expense claims."),
        sponsor="Claire Dubois", manager="Tomás Silva", budget=850_000.0, currency="EUR",
        stakeholders=payroll_stakeholders(), risks=payroll_risks(),
        assumptions=("The payroll team is available 50 % of its time from March to August.",),
        constraints=("Go-live at a month end, never in December or January (year-end "
                     "payroll).",),
    )


def payroll_plan(template="waterfall", *, start=EXAMPLE_START,
                 duration: int = EXAMPLE_DURATION) -> methodology.ProjectPlan:
    """The plan skeleton of the payroll replacement (:func:`pmo_lib.methodology.instantiate`).

    Examples
    --------
    >>> payroll_plan().gate_dates["due_date"].dt.strftime("%d %b").tolist()[:3]
    ['15 Jan', '23 Feb', '01 Apr']
    """
    return methodology.instantiate(template, "Payroll replacement", start, duration=duration,
                                   project_id="PAY")


def payroll_register() -> pd.DataFrame:
    """A small handmade deliverables register of the payroll replacement (waterfall gates).

    It is a history: one row per change of status, so a deliverable may appear twice. Read
    with the default :func:`payroll_plan` (gates G1 due 15 Jan, G2 23 Feb, G3 1 Apr 2026):

    * G1 (project approval): all three approved, the management plan one day late;
    * G2 (requirements baseline): the traceability matrix is a draft until it is approved on
      20 March, a month after the gate's date;
    * G3 (design approval): the solution design was "approved" by the project manager, who
      is only *informed* of it in the RACI matrix; the test strategy is only submitted.

    Returns
    -------
    DataFrame
        The columns of :data:`pmo_lib.methodology.REGISTER_COLUMNS`.

    Examples
    --------
    >>> payroll_register()["deliverable"].value_counts()["requirements_traceability_matrix"]
    np.int64(2)
    """
    rows = [
        ("business_case", "approved", "Claire Dubois", "2026-01-13"),
        ("project_charter", "approved", "Claire Dubois", "2026-01-15"),
        ("project_management_plan", "approved", "Tomás Silva", "2026-01-16"),
        ("requirements_specification", "approved", "Ana Ruiz", "2026-02-20"),
        ("requirements_traceability_matrix", "draft", None, "2026-02-18"),
        ("requirements_traceability_matrix", "approved", "Ana Ruiz", "2026-03-20"),
        ("solution_design", "approved", "Tomás Silva", "2026-03-30"),
        ("test_strategy", "submitted", None, "2026-03-27"),
    ]
    out = pd.DataFrame(rows, columns=["deliverable", "status", "approved_by", "date"])
    out.insert(0, "project_id", "PAY")
    return out


# ----------------------------------------------------------------------------------------
# Questions
# ----------------------------------------------------------------------------------------
def _phase_of(tpl: methodology.Template, phase: str) -> pd.Series:
    phases = tpl.phases.set_index("id")
    if phase not in phases.index:
        raise DataValidationError(Problem(
            tpl.source, None, phase, "phase",
            f"unknown phase; the phases of {tpl.name} are {', '.join(phases.index)}"))
    return phases.loc[phase]


def _phase_ids(tpl: methodology.Template) -> dict[str, str]:
    """Normalised phase id and name → phase id."""
    out = {ChoiceQuestion._norm(p): p for p in tpl.phases["id"]}
    out |= {ChoiceQuestion._norm(n): p for p, n in zip(tpl.phases["id"], tpl.phases["name"],
                                                       strict=True)}
    return out


def _role_ids(tpl: methodology.Template) -> dict[str, str]:
    """Normalised role id and name → role id."""
    out = {ChoiceQuestion._norm(r): r for r in tpl.roles["id"]}
    out |= {ChoiceQuestion._norm(n): r for r, n in zip(tpl.roles["id"], tpl.roles["name"],
                                                       strict=True)}
    return out


class VerifyingPhase(ChoiceQuestion):
    """Which phase of a V-model template verifies a development phase?

    Parameters
    ----------
    phase : str
        The development phase (default ``"module_design"``, the detailed design).
    template : Template or str
        A template with verification phases (default ``"v_model"``).
    """

    answer_format = "a phase id or name, e.g. \"system_testing\""
    hint_text = ("On the V, each verification phase on the right faces the development phase "
                 "on the left at the same level: it tests what that phase specified. The "
                 "'verifies' column of template.phases names the phase each one verifies.")

    def __init__(self, phase: str = "module_design", template="v_model"):
        super().__init__()
        self.template = methodology.load_template(template)
        row = _phase_of(self.template, phase)
        self.phase = phase
        self.prompt = (f"In the {self.template.name} template, which phase verifies the "
                       f"{row['name'].lower()} ({phase})?")
        self.solution_code = (f'phases = methodology.load_template("{self.template.name}")'
                              f'.phases\nphases.loc[phases["verifies"] == "{phase}", '
                              '"id"].iloc[0]')

    def _expected(self) -> str:
        phases = self.template.phases
        found = phases.loc[phases["verifies"] == self.phase, "id"]
        if found.empty:
            raise DataValidationError(Problem(
                self.template.source, None, self.phase, "verifies",
                f"no phase of {self.template.name} verifies this phase"))
        return str(found.iloc[0])

    def _accepted(self) -> set[str]:
        phases = self.template.phases.set_index("id")
        expected = self.solution_value()
        return {expected, str(phases.at[expected, "name"])}

    def _advice(self, answer):
        phases = self.template.phases.set_index("id")
        pid = _phase_ids(self.template).get(self._norm(answer))
        if pid is None:
            return (f"That is not a phase of {self.template.name}; its phases are "
                    f"{', '.join(phases.index)}.")
        if pid == self.phase:
            return ("That is the development phase itself. Which phase, on the other side "
                    "of the V, tests what it specified?")
        verified = phases.at[pid, "verifies"]
        if isinstance(verified, str):
            return (f"{phases.at[pid, 'name']} verifies the {phases.at[verified, 'name'].lower()}"
                    f" (level {phases.at[pid, 'level']}). Look for the verification phase at the "
                    f"level of the {phases.at[self.phase, 'name'].lower()} "
                    f"(level {phases.at[self.phase, 'level']}).")
        return (f"{phases.at[pid, 'name']} does not verify anything: it is on the left of the "
                "V or at its bottom. Verification phases are on the right.")


class PhaseDays(NumberQuestion):
    """How many working days does a phase get in a plan of a given total duration?

    Parameters
    ----------
    phase : str
        Phase id (default ``"design"``).
    template : Template or str
        Default ``"waterfall"``.
    duration : int
        Total planned duration. [d]
    """

    answer_format = "a number of working days"
    hint_text = ("A template gives each phase a typical share of the effort, in percent "
                 "(template.phases['share']). methodology.instantiate spreads the total "
                 "duration over the phases in proportion to their shares, in whole days.")

    def __init__(self, phase: str = "design", template="waterfall", duration: int = 200):
        super().__init__()
        self.template = methodology.load_template(template)
        self.row = _phase_of(self.template, phase)
        self.phase, self.duration = phase, int(duration)
        self.prompt = (f"How many working days does the {self.row['name'].lower()} phase get "
                       f"in a {self.duration}-day {self.template.name} plan?")
        self.solution_code = (f'p = methodology.instantiate("{self.template.name}", "Any", '
                              f'"2026-01-05", duration={self.duration})\n'
                              f'p.tasks.groupby("phase")["duration"].sum()["{phase}"]')

    def _days(self) -> pd.DataFrame:
        plan = methodology.instantiate(self.template, "Any", "2026-01-05",
                                       duration=self.duration)
        return plan.tasks

    def _expected(self) -> float:
        tasks = self._days()
        return float(tasks.loc[tasks["phase"] == self.phase, "duration"].sum())

    def _advice(self, answer):
        share = float(self.row["share"])
        if np.isclose(answer, share) and not np.isclose(share, self.solution_value()):
            return (f"That is the phase's share in percent. A share of {share:g} % of "
                    f"{self.duration} days is how many days?")
        if np.isclose(answer, share / 100):
            return "That is the share as a fraction; multiply it by the plan's duration."
        tasks = self._days()
        mine = tasks[(tasks["phase"] == self.phase) & tasks["deliverable"].notna()]
        if len(mine) > 1 and np.isclose(mine["duration"], answer).any():
            return ("That is the time of one deliverable of the phase; the phase has "
                    f"{len(mine)} deliverables. Add them up.")
        others = tasks.groupby("phase")["duration"].sum().drop(self.phase)
        match = others.index[np.isclose(others, answer)]
        if len(match):
            names = self.template.phases.set_index("id")["name"]
            return (f"That is the {names[match[0]].lower()} phase. Check which phase is "
                    "asked about.")
        return None


class AccountableRole(ChoiceQuestion):
    """Which role is Accountable (``A`` in the RACI matrix) for a deliverable?

    Parameters
    ----------
    deliverable : str
        Deliverable id (default ``"solution_design"``).
    template : Template or str
        Default ``"waterfall"``.
    """

    answer_format = "a role id or name, e.g. \"sponsor\""
    hint_text = ("Find the deliverable's row of template.raci_matrix and the one cell with A. "
                 "R (Responsible) does the work; A (Accountable) answers for it and signs it "
                 "off, and there is exactly one per deliverable.")

    def __init__(self, deliverable: str = "solution_design", template="waterfall"):
        super().__init__()
        self.template = methodology.load_template(template)
        names = self.template.deliverables.set_index("id")["name"]
        if deliverable not in names.index:
            raise DataValidationError(Problem(
                self.template.source, None, deliverable, "deliverable",
                f"unknown deliverable; the deliverables of {self.template.name} are "
                f"{', '.join(names.index)}"))
        self.deliverable = deliverable
        self.prompt = (f"In the {self.template.name} template, which role is Accountable for "
                       f"the {names[deliverable].lower()} ({deliverable})?")
        self.solution_code = (f'matrix = methodology.load_template("{self.template.name}")'
                              f'.raci_matrix\nrow = matrix.loc["{deliverable}"]\n'
                              'row[row == "A"].index[0]')

    def _expected(self) -> str:
        row = self.template.raci_matrix.loc[self.deliverable]
        return str(row[row == "A"].index[0])

    def _accepted(self) -> set[str]:
        names = self.template.roles.set_index("id")["name"]
        expected = self.solution_value()
        return {expected, str(names[expected])}

    def _advice(self, answer):
        role = _role_ids(self.template).get(self._norm(answer))
        if role is None:
            return (f"That is not a role of {self.template.name}; use a column of the RACI "
                    "matrix.")
        code = self.template.raci_matrix.at[self.deliverable, role]
        meaning = {"R": "Responsible: it does the work, but someone else answers for it",
                   "C": "Consulted: it gives its opinion before the work is done",
                   "I": "Informed: it is told once the work is done"}
        if code in meaning:
            return f"That role is {meaning[code]}. Look for the A."
        return "That role has no part in this deliverable. Look for the A in its row."


class OverdueGates(SetQuestion):
    """Which gates of a project are overdue at a status date?

    A gate is overdue when its due date is before the status date and not every deliverable
    it requires is approved by an authorised role (:func:`pmo_lib.methodology.gate_compliance`).
    A single gate may be answered as text (``"G3"``) or as a list (``["G3"]``).

    Parameters
    ----------
    register : DataFrame, optional
        The deliverables register (default :func:`payroll_register`).
    plan : ProjectPlan, optional
        The project's plan, which gives the template and the gate dates (default
        :func:`payroll_plan`).
    status_date : date-like
        Default :data:`REVIEW_DATE`.
    approvers : DataFrame or mapping, optional
        Who holds which role (default :func:`payroll_stakeholders`).
    """

    answer_format = 'a list of gate IDs, e.g. ["G1", "G2"] (or [] for none)'
    hint_text = ("methodology.gate_compliance(register, plan.template, plan, status_date, "
                 "approvers=stakeholders) gives one row per gate with its state. By hand: for "
                 "each gate due before the status date, is every required deliverable approved "
                 "(on or before the status date) by its Accountable role or the gate's "
                 "approver?")

    def __init__(self, register: pd.DataFrame | None = None,
                 plan: methodology.ProjectPlan | None = None, status_date=REVIEW_DATE,
                 approvers=None):
        super().__init__()
        self.register = payroll_register() if register is None else register
        self.plan = payroll_plan() if plan is None else plan
        self.approvers = payroll_stakeholders() if approvers is None else approvers
        self.status_date = pd.Timestamp(status_date)
        self.prompt = (f"Which gates of project {self.plan.project_id} are overdue at "
                       f"{self.status_date:%d %B %Y}?")
        self.solution_code = ("g = methodology.gate_compliance(register, plan.template, plan, "
                              "review_date,\n                              "
                              "approvers=stakeholders)\n"
                              'list(g.loc[g["state"] == "overdue", "gate"])')

    def _table(self) -> pd.DataFrame:
        return methodology.gate_compliance(self.register, self.plan.template, self.plan,
                                           self.status_date, approvers=self.approvers)

    def _expected(self) -> list[str]:
        g = self._table()
        return list(g.loc[g["state"] == "overdue", "gate"])

    def check(self, answer):
        if isinstance(answer, str):
            answer = [answer]
        return super().check(answer)

    def _advice(self, answer):
        table = self._table().set_index("gate")
        given = [str(a).strip() for a in answer]
        unknown = [a for a in given if a.casefold() not in
                   {g.casefold() for g in table.index}]
        if unknown:
            return (f"{', '.join(unknown)}: not a gate of the plan; its gates are "
                    f"{', '.join(table.index)}.")
        canon = {g.casefold(): g for g in table.index}
        given_ids = {canon[a.casefold()] for a in given}
        for gate in given_ids:
            state = table.at[gate, "state"]
            if state == "open":
                return (f"{gate} is not due yet ({table.at[gate, 'due_date']:%d %B}): a gate "
                        "is overdue only once its due date has passed.")
            if state == "met":
                return (f"{gate} is met: every deliverable it requires has been approved by an "
                        "authorised role. The register is a history: the latest row on or "
                        "before the status date counts.")
        missed = set(self.solution_value()) - given_ids
        if any(table.at[g, "wrong_approver"] > 0 for g in missed):
            return ("Some overdue gates are missing. A deliverable approved by someone "
                    "without the authority (neither its Accountable role nor the gate's "
                    "approver) does not count: check who approved each one.")
        return super()._advice(answer)


class RecommendedApproach(ChoiceQuestion):
    """Which approach does the questionnaire recommend for a set of answers?

    Parameters
    ----------
    answers : mapping, optional
        Question id → option id (default :func:`pump_answers`).
    """

    answer_format = "an approach, e.g. \"scrum\""
    hint_text = ("Each answer gives every approach 0 to 3 points (methodology.questionnaire() "
                 "lists them); the approach with the most points over all eight answers "
                 "wins. methodology.recommend_approach(answers) adds them up for you.")
    solution_code = "methodology.recommend_approach(pump).approach"

    def __init__(self, answers: Mapping[str, str] | None = None):
        super().__init__()
        self.answers = dict(pump_answers() if answers is None else answers)
        self.prompt = ("Which approach does the questionnaire recommend for these answers: "
                       + ", ".join(f"{q} = {a}" for q, a in self.answers.items()) + "?")

    def _recommendation(self) -> methodology.Recommendation:
        return methodology.recommend_approach(self.answers)

    def _expected(self) -> str:
        return self._recommendation().approach

    @staticmethod
    def _spellings(name: str) -> set[str]:
        tpl = methodology.load_template(name)
        return {name, name.replace("_", "-"), name.replace("_", " "), tpl.methodology,
                tpl.title}

    def _accepted(self) -> set[str]:
        return self._spellings(self.solution_value())

    def _advice(self, answer):
        rec = self._recommendation()
        names = {self._norm(s): a for a in methodology.APPROACHES for s in self._spellings(a)}
        approach = names.get(self._norm(answer))
        if approach is None:
            return f"Answer with one of {', '.join(methodology.APPROACHES)}."
        if approach == rec.runner_up:
            return ("That approach comes second. Add up each approach's points over the "
                    "eight answers and compare the top two.")
        return (f"{approach} scores {rec.scores[approach]} points; another approach scores "
                "more.")


def questions(plan: methodology.ProjectPlan | None = None,
              register: pd.DataFrame | None = None, status_date=REVIEW_DATE, approvers=None,
              answers: Mapping[str, str] | None = None):
    """The five questions of the notebook, in order.

    Parameters
    ----------
    plan, register, status_date, approvers
        The gate review of question 4 (default: the payroll replacement at
        :data:`REVIEW_DATE`).
    answers : mapping, optional
        The questionnaire answers of question 5 (default :func:`pump_answers`).

    Returns
    -------
    tuple of Question
        ``(VerifyingPhase, PhaseDays, AccountableRole, OverdueGates,
        RecommendedApproach)``.
    """
    return (VerifyingPhase(), PhaseDays(), AccountableRole(),
            OverdueGates(register, plan, status_date, approvers), RecommendedApproach(answers))


# ----------------------------------------------------------------------------------------
# Notebook display
# ----------------------------------------------------------------------------------------
class _Framed:
    """An HTML page shown in an iframe, so its own styles do not restyle the notebook."""

    def __init__(self, page: str, height: int):
        self.page, self.height = page, height

    def _repr_html_(self) -> str:
        return (f"<iframe srcdoc=\"{html.escape(self.page, quote=True)}\" style=\"width:100%; "
                f"height:{self.height}px; border:1px solid #c8d1dc\"></iframe>")


def framed_html(page: str, height: int = 600) -> _Framed:
    """Show a standalone HTML page (e.g. a charter) in a notebook, framed.

    Examples
    --------
    >>> "&lt;h1&gt;" in framed_html("<h1>Hi</h1>")._repr_html_()
    True
    """
    return _Framed(page, height)
