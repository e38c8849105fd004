"""The portfolio data model: table schemas, validation, and :func:`load_portfolio`.

A portfolio dataset is a folder of CSV files, one per table, plus an optional
``portfolio.toml`` (name, currency, work week). Each table has a declared schema
(:data:`SCHEMAS`): its columns, their kind, unit, whether they are required, and the checks
their values must pass. :func:`load_portfolio` reads the folder, parses every column to its
dtype, checks every value and every cross-table reference, and returns a :class:`Portfolio`.

Bad input never turns into a silent NaN: every problem is collected and raised as a
:class:`~pmo_lib.errors.DataValidationError` whose message names the file, the row (as a
spreadsheet numbers it: header = row 1) and the ID at fault.

Why not pandera? We considered it (the issue suggests it). Its lazy validation reports a cell
that fails to parse three times (coercion, dtype, then every value check), and cross-table
references are outside its scope; the messages we owe users (file, row, ID, what to do) need
a post-processor as large as the checks themselves. The checks here are a few vectorised
pandas operations per column, declared once in :data:`SCHEMAS`, which also generates the data
dictionary (:func:`data_dictionary`).

Conventions: IDs are strings; the entity tables (projects, tasks, resources) have their key in
a column named ``id`` and other tables refer to it as ``project_id``, ``task_id``,
``resource_id``. Dates are tz-naive ``datetime64[ns]`` at day resolution; durations and lags
are working days [d]; money is in the portfolio currency [cur]; percentages are 0–100 [%];
probabilities are fractions 0–1.
"""

from __future__ import annotations

import csv
import tomllib
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from .calendar import WorkCalendar
from .errors import (
    DataValidationError,
    MissingDataError,
    Problem,
    UnknownReferenceError,
)

__all__ = [
    "CONSTRAINT_TYPES",
    "DATE_CONSTRAINTS",
    "DELIVERABLE_STATUSES",
    "DISTRIBUTIONS",
    "ITEM_STATES",
    "LINK_TYPES",
    "METHODOLOGIES",
    "RESPONSE_STRATEGIES",
    "RISK_STATES",
    "SCHEMAS",
    "Column",
    "Portfolio",
    "TableSchema",
    "data_dictionary",
    "from_tables",
    "load_portfolio",
    "parse_month",
]

#: Shapes of a three-point duration estimate (the ``estimates`` table).
DISTRIBUTIONS = ("triangular", "betapert", "uniform")
#: Dependency types: finish-to-start, start-to-start, finish-to-finish, start-to-finish.
LINK_TYPES = ("FS", "SS", "FF", "SF")
#: Task constraint types (MS Project / Primavera P6 names).
CONSTRAINT_TYPES = ("ASAP", "ALAP", "SNET", "SNLT", "FNET", "FNLT", "MSO", "MFO")
#: The constraint types that need a ``constraint_date``.
DATE_CONSTRAINTS = ("SNET", "SNLT", "FNET", "FNLT", "MSO", "MFO")
#: Delivery approaches a project can follow.
METHODOLOGIES = ("waterfall", "v-model", "scrum", "kanban", "hybrid")
#: Risk states.
RISK_STATES = ("open", "closed", "occurred")
#: Risk response strategies (PMBOK Guide: threats and opportunities).
RESPONSE_STRATEGIES = ("avoid", "mitigate", "transfer", "accept", "escalate",
                       "exploit", "enhance", "share")
#: States of a backlog item, in order (the same as :data:`pmo_lib.agile.STATES`).
ITEM_STATES = ("backlog", "in_progress", "review", "done")
#: Statuses of a deliverable (the same as :data:`pmo_lib.methodology.DELIVERABLE_STATUSES`).
DELIVERABLE_STATUSES = ("not_started", "draft", "submitted", "approved", "waived")

_KINDS = ("str", "float", "int", "date", "bool", "choice", "list")
_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f"}


@dataclass(frozen=True)
class Column:
    """Declaration of one column of a table.

    Parameters
    ----------
    name : str
        Column name in the CSV file and in the DataFrame.
    kind : str
        ``str``, ``float``, ``int``, ``date``, ``bool``, ``choice`` (one of ``choices``) or
        ``list`` (IDs separated by ``;``).
    description : str
        What the column holds, for the data dictionary.
    unit : str
        ``d`` working days, ``cur`` portfolio currency, ``%`` percent, ``frac`` fraction,
        ``cur/d`` currency per working day, ``units`` resource units (1 = one full-time person),
        ``pt`` story points.
    required : bool
        The column must be present in the file.
    nullable : bool
        Blank cells are allowed (for required and optional columns alike).
    default : Any
        Value of an optional column that is absent, or of its blank cells if not nullable.
    minimum, maximum : float, optional
        Inclusive bounds of a number.
    positive : bool
        The number must be > 0 (strict).
    choices : tuple of str, optional
        The allowed values of a ``choice`` column (compared case-insensitively).
    """

    name: str
    kind: str
    description: str
    unit: str = ""
    required: bool = True
    nullable: bool = False
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    positive: bool = False
    choices: tuple[str, ...] | None = None

    @property
    def dtype(self) -> str:
        """The pandas dtype of the parsed column."""
        return {"str": "object", "choice": "object", "list": "object", "float": "float64",
                "int": "Int64", "date": "datetime64[ns]", "bool": "bool"}[self.kind]


@dataclass(frozen=True)
class TableSchema:
    """Declaration of a table: its file, columns, key and how to name a row in messages."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    required: bool = False
    label: Callable[[pd.DataFrame], pd.Series] | None = None

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def empty(self) -> pd.DataFrame:
        """An empty DataFrame with this table's columns and dtypes."""
        return pd.DataFrame({c.name: pd.Series(dtype=c.dtype) for c in self.columns})


def _key_label(*cols: str, sep: str = " ") -> Callable[[pd.DataFrame], pd.Series]:
    def label(df: pd.DataFrame) -> pd.Series:
        parts = [df[c].astype("string").fillna("?") for c in cols if c in df]
        if not parts:
            return pd.Series([None] * len(df), index=df.index, dtype=object)
        out = parts[0]
        for p in parts[1:]:
            out = out + sep + p
        return out.astype(object)
    return label


_ID = "ID, unique within the table"

SCHEMAS: dict[str, TableSchema] = {
    s.name: s
    for s in [
        TableSchema(
            "projects", "One row per project.",
            (
                Column("id", "str", _ID),
                Column("name", "str", "Project name."),
                Column("programme", "str", "Programme the project belongs to."),
                Column("manager", "str", "Project manager."),
                Column("sponsor", "str", "Project sponsor (accountable executive)."),
                Column("methodology", "choice", "Delivery approach.",
                       choices=METHODOLOGIES),
                Column("start_date", "date", "Planned start date (baseline)."),
                Column("budget", "float", "Approved budget, including management reserve.",
                       unit="cur", minimum=0),
                Column("priority", "int", "Priority rank, 1 = highest.", minimum=1),
                Column("description", "str", "Purpose of the project.", required=False,
                       nullable=True),
            ),
            key=("id",), required=True, label=_key_label("id"),
        ),
        TableSchema(
            "wbs", "Names of the work breakdown structure elements above the tasks.",
            (
                Column("project_id", "str", "Project (projects.id)."),
                Column("wbs", "str", "WBS code, e.g. '1.2'."),
                Column("name", "str", "Name of the WBS element."),
            ),
            key=("project_id", "wbs"), label=_key_label("project_id", "wbs"),
        ),
        TableSchema(
            "tasks", "One row per activity or milestone (the leaves of the WBS).",
            (
                Column("id", "str", "Task ID, unique across the whole portfolio."),
                Column("project_id", "str", "Project (projects.id)."),
                Column("name", "str", "Task name."),
                Column("wbs", "str", "WBS code, e.g. '1.2.3'; its parents are named in wbs.csv."),
                Column("duration", "float", "Planned (baseline) duration.", unit="d", minimum=0),
                Column("baseline_start", "date", "Baseline start date (first working day)."),
                Column("baseline_finish", "date", "Baseline finish date (last working day)."),
                Column("budget", "float", "Baseline budget (budget at completion of the task).",
                       unit="cur", minimum=0),
                Column("milestone", "bool", "True for a milestone; a task of duration 0 is "
                       "always one (as in MS Project).",
                       required=False, default=False),
                Column("constraint_type", "choice", "Date constraint; ASAP when blank.",
                       required=False, default="ASAP", choices=CONSTRAINT_TYPES),
                Column("constraint_date", "date",
                       "Date of the constraint; required for " + ", ".join(DATE_CONSTRAINTS) + ".",
                       required=False, nullable=True),
            ),
            key=("id",), required=True, label=_key_label("id"),
        ),
        TableSchema(
            "links", "Dependencies between tasks; they may cross projects.",
            (
                Column("pred", "str", "Predecessor task (tasks.id)."),
                Column("succ", "str", "Successor task (tasks.id)."),
                Column("type", "choice", "Dependency type; FS when blank.", required=False,
                       default="FS", choices=LINK_TYPES),
                Column("lag", "float", "Lag (negative = lead).", unit="d", required=False,
                       default=0.0),
            ),
            key=("pred", "succ"), label=_key_label("pred", "succ", sep="->"),
        ),
        TableSchema(
            "estimates", "Three-point duration estimates for schedule risk analysis "
            "(:func:`pmo_lib.simulation.simulate`): the task's ``duration`` is the most likely "
            "value; tasks without a row use the simulation's default range.",
            (
                Column("task_id", "str", "Task (tasks.id)."),
                Column("duration_min", "float", "Optimistic duration (at most the task's "
                       "duration).", unit="d", minimum=0),
                Column("duration_max", "float", "Pessimistic duration (at least the task's "
                       "duration).", unit="d", minimum=0),
                Column("distribution", "choice", "Shape between the three points; "
                       "triangular when blank.", required=False, default="triangular",
                       choices=DISTRIBUTIONS),
            ),
            key=("task_id",), label=_key_label("task_id"),
        ),
        TableSchema(
            "resources", "People, equipment and teams that tasks use.",
            (
                Column("id", "str", _ID),
                Column("name", "str", "Resource name."),
                Column("role", "str", "Role or skill, e.g. 'Developer'."),
                Column("capacity", "float", "Available units per working day (1 = one full-time person).",
                       unit="units", positive=True),
                Column("cost_rate", "float", "Cost of one unit for one working day.",
                       unit="cur/d", minimum=0),
                Column("department", "str", "Owning department.", required=False, nullable=True),
            ),
            key=("id",), label=_key_label("id"),
        ),
        TableSchema(
            "assignments", "Resources assigned to tasks.",
            (
                Column("task_id", "str", "Task (tasks.id)."),
                Column("resource_id", "str", "Resource (resources.id)."),
                Column("units", "float", "Units of the resource working on the task each day "
                       "(1 = full time).", unit="units", positive=True),
            ),
            key=("task_id", "resource_id"), label=_key_label("task_id", "resource_id", sep="/"),
        ),
        TableSchema(
            "calendar", "Holidays: non-working dates for every project. Working weekdays are set "
            "in portfolio.toml (workweek).",
            (
                Column("date", "date", "A non-working date."),
                Column("name", "str", "Name of the holiday.", required=False, nullable=True),
            ),
            key=("date",), label=_key_label("date"),
        ),
        TableSchema(
            "status", "Monthly progress snapshots: one row per task that has started, per status "
            "date. A task with no row in a snapshot has not started (0 %, no cost). All rows of "
            "one month share the same status date (the data date).",
            (
                Column("status_date", "date", "Data date of the snapshot."),
                Column("task_id", "str", "Task (tasks.id)."),
                Column("percent_complete", "float", "Physical percent complete.", unit="%",
                       minimum=0, maximum=100),
                Column("actual_cost", "float", "Actual cost to date (cumulative).", unit="cur",
                       minimum=0),
                Column("actual_start", "date", "Actual start date.", nullable=True),
                Column("actual_finish", "date", "Actual finish date; blank while unfinished.",
                       nullable=True),
                Column("remaining_duration", "float", "Forecast remaining working days.",
                       unit="d", required=False, nullable=True, minimum=0),
                Column("comment", "str", "Project manager's comment.", required=False,
                       nullable=True),
            ),
            key=("status_date", "task_id"), label=_key_label("task_id", "status_date", sep=" @ "),
        ),
        TableSchema(
            "risks", "Risk register, one row per risk per status date (monthly snapshots), so "
            "the register can be read as it stood at any month.",
            (
                Column("status_date", "date", "Date of the register snapshot."),
                Column("id", "str", "Risk ID (the same across snapshots)."),
                Column("project_id", "str", "Project (projects.id)."),
                Column("title", "str", "Short description of the risk (cause, event, effect)."),
                Column("category", "str", "Risk category, e.g. 'Technical', 'Supplier'."),
                Column("probability", "float", "Probability that it occurs.", unit="frac",
                       minimum=0, maximum=1),
                Column("cost_impact", "float", "Cost if it occurs.", unit="cur", minimum=0),
                Column("schedule_impact", "float", "Delay if it occurs.", unit="d", minimum=0),
                Column("owner", "str", "Risk owner; blank = unowned (flagged).", nullable=True),
                Column("response_strategy", "choice", "Response strategy.", nullable=True,
                       choices=RESPONSE_STRATEGIES),
                Column("response", "str", "Planned response actions; blank = none (flagged).",
                       nullable=True),
                Column("state", "choice", "Risk state.", choices=RISK_STATES),
                Column("affected_tasks", "list", "Tasks the risk affects (tasks.id), separated "
                       "by ';'.", required=False, nullable=True),
            ),
            key=("status_date", "id"), label=_key_label("id", "status_date", sep=" @ "),
        ),
        TableSchema(
            "sprints", "Sprints of the Scrum (and hybrid) projects: one row per project and "
            "sprint, the input of pmo_lib.agile (velocity, burnup, AgileEVM).",
            (
                Column("project_id", "str", "Project (projects.id)."),
                Column("sprint", "int", "Sprint number, 1, 2, ... from the start of the "
                       "release; unique in a project, and the sprints of a project do not "
                       "overlap.", minimum=1),
                Column("start", "date", "First day of the sprint."),
                Column("finish", "date", "Last day of the sprint (on or after start)."),
                Column("committed_points", "float", "Story points the team committed to at "
                       "sprint planning.", unit="pt", minimum=0),
                Column("completed_points", "float", "Story points done (accepted) by the end "
                       "of the sprint.", unit="pt", minimum=0),
                Column("added_points", "float", "Story points added to the release scope "
                       "during the sprint (negative: removed); 0 when blank.", unit="pt",
                       required=False, default=0.0),
                Column("actual_cost", "float", "Cost booked in the sprint (not cumulative); "
                       "needed by AgileEVM.", unit="cur", required=False, nullable=True,
                       minimum=0),
            ),
            key=("project_id", "sprint"), label=_key_label("project_id", "sprint",
                                                           sep=" sprint "),
        ),
        TableSchema(
            "backlog", "Backlog items (user stories, bugs, Kanban cards) of the agile "
            "projects, one row per item. The dates are the item's state history: it is in "
            "the last state whose date is on or before a given day (pmo_lib.agile).",
            (
                Column("project_id", "str", "Project (projects.id)."),
                Column("id", "str", "Item ID, unique within its project."),
                Column("title", "str", "What the item delivers.", required=False,
                       nullable=True),
                Column("points", "float", "Story-point estimate (Kanban items: a rough "
                       "size).", unit="pt", minimum=0),
                Column("created", "date", "Entered the backlog."),
                Column("started", "date", "Work started; blank while in the backlog.",
                       nullable=True),
                Column("reviewed", "date", "Entered review; blank when not yet, or when "
                       "review was skipped.", required=False, nullable=True),
                Column("done", "date", "Done (accepted); blank while not done.",
                       nullable=True),
                Column("state", "choice", "State at the latest date of the file; it must "
                       "agree with the dates.", choices=ITEM_STATES),
                Column("task_id", "str", "The plan's task that delivers the item "
                       "(tasks.id, same project); blank for unplanned work.",
                       required=False, nullable=True),
            ),
            key=("project_id", "id"), label=_key_label("id"),
        ),
        TableSchema(
            "releases", "Release plans for AgileEVM (Sulaiman et al. 2006), one per agile "
            "project.",
            (
                Column("project_id", "str", "Project (projects.id)."),
                Column("planned_points", "float", "PRP: story points of the release plan.",
                       unit="pt", positive=True),
                Column("planned_sprints", "int", "PS: sprints planned for the release.",
                       minimum=1),
                Column("bac", "float", "Budget of the release (the project's agile part).",
                       unit="cur", minimum=0),
            ),
            key=("project_id",), label=_key_label("project_id"),
        ),
        TableSchema(
            "gates", "When each gate of a project's methodology template is due: the "
            "template's gates mapped onto the project's schedule (pmo_lib.methodology gate "
            "compliance).",
            (
                Column("project_id", "str", "Project (projects.id)."),
                Column("gate", "str", "Gate id in the template of the project's methodology, "
                       "e.g. 'G2' (waterfall) or 'release_1_decision' (scrum)."),
                Column("due_date", "date", "Date the gate is due: the baseline date of its "
                       "milestone, or the project start for a gate that authorises the "
                       "project."),
                Column("task_id", "str", "The milestone (tasks.id, same project) the due date "
                       "is taken from; blank when none.", required=False, nullable=True),
            ),
            key=("project_id", "gate"), label=_key_label("project_id", "gate", sep=" "),
        ),
        TableSchema(
            "deliverables", "The deliverables register: each row records a status a gate "
            "deliverable reached, so several rows of one deliverable are its history.",
            (
                Column("project_id", "str", "Project (projects.id)."),
                Column("deliverable", "str", "Deliverable id in the template of the project's "
                       "methodology, e.g. 'business_case'."),
                Column("status", "choice", "Status reached; 'waived' counts as approved.",
                       choices=DELIVERABLE_STATUSES),
                Column("approved_by", "str", "Who approved it (a person in stakeholders.csv, "
                       "or a role); required when approved or waived.", nullable=True),
                Column("date", "date", "Date the status was reached."),
            ),
            key=("project_id", "deliverable", "date"),
            label=_key_label("project_id", "deliverable", sep=" "),
        ),
        TableSchema(
            "stakeholders", "Stakeholder register of each project, for the influence/interest "
            "grid and the communication plan.",
            (
                Column("id", "str", _ID),
                Column("project_id", "str", "Project (projects.id)."),
                Column("name", "str", "Person or group."),
                Column("role", "str", "Role: a role id or name of the methodology template "
                       "(e.g. 'Project Sponsor'), or another title."),
                Column("organisation", "str", "Department or company.", required=False,
                       nullable=True),
                Column("influence", "int", "Influence (power) on the project, 1 = low, 5 = "
                       "high.", minimum=1, maximum=5),
                Column("interest", "int", "Interest in the project, 1 = low, 5 = high.",
                       minimum=1, maximum=5),
            ),
            key=("id",), label=_key_label("id"),
        ),
        TableSchema(
            "lessons", "Lessons-learned register shared across projects.",
            (
                Column("id", "str", _ID),
                Column("project_id", "str", "Project the lesson comes from (projects.id)."),
                Column("phase", "str", "Phase of the project's methodology template (its id "
                       "or name), e.g. 'test'."),
                Column("category", "str", "Category, e.g. 'Requirements', 'Supplier', "
                       "'Testing'."),
                Column("lesson", "str", "What happened."),
                Column("recommendation", "str", "What to do next time."),
                Column("date", "date", "Date the lesson was recorded."),
            ),
            key=("id",), label=_key_label("id"),
        ),
        TableSchema(
            "candidates", "Proposals of a planning round (candidate projects), one row each: "
            "the input of pmo_lib.portfolio (score, wsjf, select, frontier). A candidate can "
            "only be selected with every candidate it requires, never with one it excludes "
            "(exclusion is mutual).",
            (
                Column("id", "str", _ID),
                Column("name", "str", "Proposal name."),
                Column("programme", "str", "Programme that would run it.", required=False,
                       nullable=True),
                Column("sponsor", "str", "Executive sponsoring the proposal.",
                       required=False, nullable=True),
                Column("value", "float", "Expected value of the benefits, e.g. their net "
                       "present value.", unit="cur", minimum=0),
                Column("cost", "float", "Total cost; the sum of its candidate_costs rows "
                       "when it has any.", unit="cur", minimum=0),
                Column("strategic_alignment", "int", "Fit with the strategy, 1 = low, 5 = "
                       "high.", required=False, nullable=True, minimum=1, maximum=5),
                Column("risk", "int", "Delivery risk, 1 = low, 5 = high (lower is better).",
                       required=False, nullable=True, minimum=1, maximum=5),
                Column("urgency", "int", "Urgency, 1 = can wait, 5 = needed now.",
                       required=False, nullable=True, minimum=1, maximum=5),
                Column("business_value", "float", "WSJF: relative business value (modified "
                       "Fibonacci 1, 2, 3, 5, 8, 13, 20).", required=False, nullable=True,
                       minimum=0),
                Column("time_criticality", "float", "WSJF: relative time criticality.",
                       required=False, nullable=True, minimum=0),
                Column("risk_reduction", "float", "WSJF: relative risk reduction and/or "
                       "opportunity enablement.", required=False, nullable=True, minimum=0),
                Column("job_size", "float", "WSJF: relative job size.", required=False,
                       nullable=True, positive=True),
                Column("mandatory", "bool", "Must be funded (a regulatory or contractual "
                       "obligation).", required=False, default=False),
                Column("requires", "list", "Candidates it depends on (candidates.id), "
                       "separated by ';'.", required=False, nullable=True),
                Column("excludes", "list", "Candidates it cannot be selected with "
                       "(candidates.id, alternatives to it), separated by ';'.",
                       required=False, nullable=True),
                Column("description", "str", "What the proposal delivers.", required=False,
                       nullable=True),
            ),
            key=("id",), label=_key_label("id"),
        ),
        TableSchema(
            "candidate_costs", "Cost of each candidate per year (long table); a candidate's "
            "rows add up to its cost.",
            (
                Column("candidate_id", "str", "Candidate (candidates.id)."),
                Column("year", "int", "Calendar year, e.g. 2027."),
                Column("cost", "float", "Cost falling in that year.", unit="cur", minimum=0),
            ),
            key=("candidate_id", "year"), label=_key_label("candidate_id", "year"),
        ),
        TableSchema(
            "candidate_demand", "Resources each candidate needs, by role and planning period "
            "(long table).",
            (
                Column("candidate_id", "str", "Candidate (candidates.id)."),
                Column("period", "str", "Planning period, e.g. '2027Q1' (a quarter); the "
                       "labels of planning_capacity.csv."),
                Column("role", "str", "Role (a role of resources.csv or of "
                       "planning_capacity.csv)."),
                Column("units", "float", "Units of the role needed, averaged over the period "
                       "(1 = one person full time).", unit="units", minimum=0),
            ),
            key=("candidate_id", "period", "role"),
            label=_key_label("candidate_id", "role", "period"),
        ),
        TableSchema(
            "planning_budget", "Money available for the selected candidates, per year (the "
            "funding envelope of the planning round); years without a row are not limited.",
            (
                Column("year", "int", "Calendar year."),
                Column("budget", "float", "Budget for new projects in that year.", unit="cur",
                       minimum=0),
            ),
            key=("year",), label=_key_label("year"),
        ),
        TableSchema(
            "planning_capacity", "Resource capacity free for the selected candidates, by role "
            "and planning period; a role and period without a row is not limited.",
            (
                Column("role", "str", "Role (as in resources.csv)."),
                Column("period", "str", "Planning period, e.g. '2027Q1'."),
                Column("units", "float", "Units of the role free, averaged over the period "
                       "(1 = one person full time).", unit="units", minimum=0),
            ),
            key=("role", "period"), label=_key_label("role", "period"),
        ),
    ]
}

#: References between tables: (table, column) -> (table, key column).
_REFERENCES = [
    ("wbs", "project_id", "projects", "id"),
    ("tasks", "project_id", "projects", "id"),
    ("links", "pred", "tasks", "id"),
    ("links", "succ", "tasks", "id"),
    ("estimates", "task_id", "tasks", "id"),
    ("assignments", "task_id", "tasks", "id"),
    ("assignments", "resource_id", "resources", "id"),
    ("status", "task_id", "tasks", "id"),
    ("risks", "project_id", "projects", "id"),
    ("risks", "affected_tasks", "tasks", "id"),
    ("sprints", "project_id", "projects", "id"),
    ("backlog", "project_id", "projects", "id"),
    ("backlog", "task_id", "tasks", "id"),
    ("releases", "project_id", "projects", "id"),
    ("gates", "project_id", "projects", "id"),
    ("gates", "task_id", "tasks", "id"),
    ("deliverables", "project_id", "projects", "id"),
    ("stakeholders", "project_id", "projects", "id"),
    ("lessons", "project_id", "projects", "id"),
    ("candidates", "requires", "candidates", "id"),
    ("candidates", "excludes", "candidates", "id"),
    ("candidate_costs", "candidate_id", "candidates", "id"),
    ("candidate_demand", "candidate_id", "candidates", "id"),
]


# ----------------------------------------------------------------------------------------
# Parsing one table
# ----------------------------------------------------------------------------------------
class _Collector:
    """Collects problems for one file; rows are spreadsheet rows (header = 1)."""

    def __init__(self, file: str, labels: pd.Series):
        self.file, self.labels, self.problems = file, labels, []

    def add(self, mask: pd.Series | np.ndarray, column: str | None, message) -> None:
        """Record a problem for each row where ``mask`` is true; ``message(i)`` or a string."""
        mask = np.asarray(mask, dtype=bool)
        for i in np.flatnonzero(mask):
            idx = self.labels.index[i]
            text = message(idx) if callable(message) else message
            label = self.labels.iloc[i]
            self.problems.append(
                Problem(self.file, int(idx) + 2, None if pd.isna(label) else str(label),
                        column, text))


def _parse_column(raw: pd.Series, col: Column, out: _Collector) -> pd.Series:
    """Parse one column of strings (``<NA>`` = blank) to its dtype, recording problems."""
    blank = raw.isna()
    if col.default is not None and not col.nullable:
        raw = raw.fillna(str(col.default))
        blank = raw.isna()
    if not col.nullable:
        out.add(blank, col.name, "is blank; a value is required")

    def bad(mask, what):
        out.add(mask, col.name, lambda i: f"{raw[i]!r} is not {what}")

    if col.kind == "float" or col.kind == "int":
        values = pd.to_numeric(raw, errors="coerce").astype("float64")
        unparsable = ~blank & (values.isna() | ~np.isfinite(values.fillna(0)))
        bad(unparsable, "a finite number")
        if col.kind == "int":
            frac = ~unparsable & ~blank & (values.fillna(0) % 1 != 0)
            bad(frac, "a whole number")
        ok = ~blank & ~unparsable
        if col.minimum is not None:
            out.add(ok & (values < col.minimum), col.name,
                    lambda i: f"{values[i]:g} is below the minimum {col.minimum:g}"
                    + (" (it cannot be negative)" if col.minimum == 0 else ""))
        if col.maximum is not None:
            out.add(ok & (values > col.maximum), col.name,
                    lambda i: f"{values[i]:g} is above the maximum {col.maximum:g}")
        if col.positive:
            out.add(ok & (values <= 0), col.name, lambda i: f"{values[i]:g} must be > 0")
        values = values.where(ok)
        return values.round().astype("Int64") if col.kind == "int" else values
    if col.kind == "date":
        values = pd.to_datetime(raw, format="%Y-%m-%d", errors="coerce")
        bad(~blank & values.isna(), "a date in the form YYYY-MM-DD")
        return values.astype("datetime64[ns]")
    if col.kind == "bool":
        low = raw.str.lower()
        values = low.isin(list(_TRUE))
        bad(~blank & ~low.isin(list(_TRUE | _FALSE)), "true or false")
        return values.astype(bool)
    if col.kind == "choice":
        canon = {c.lower(): c for c in col.choices}
        values = raw.str.lower().map(canon)
        out.add(~blank & values.isna(), col.name,
                lambda i: f"{raw[i]!r} is not one of {', '.join(col.choices)}")
        return values.astype(object)
    if col.kind == "list":
        return raw.map(lambda v: tuple(x.strip() for x in str(v).split(";") if x.strip())
                       if isinstance(v, str) else ()).astype(object)
    return raw.astype(object)


def _ragged_row(path: Path, message: str) -> Problem:
    """A Problem naming the first row with more fields than the header.

    Only called once pandas has refused the file, so a plain scan with :mod:`csv` is fine.
    """
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        rows = csv.reader(fh, skipinitialspace=True)
        header = next(rows, [])
        for line, fields in enumerate(rows, start=2):
            if len(fields) > len(header):
                first = fields[0].strip() or None
                return Problem(str(path), line, first, None,
                               f"has {len(fields)} fields but the header has {len(header)}; "
                               "check for a stray comma (quote text that contains commas)")
    return Problem(str(path), None, None, None, f"cannot be read as CSV: {message}")


def _read_table(folder: Path, schema: TableSchema) -> tuple[pd.DataFrame, list[Problem]]:
    path = folder / schema.file
    if not path.is_file():
        if schema.required:
            raise MissingDataError(Problem(str(path), None, None, None,
                                           f"file not found; a portfolio needs {schema.file}"))
        return schema.empty(), []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True,
                              encoding="utf-8-sig", index_col=False)
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        raise DataValidationError(_ragged_row(path, str(exc))) from None
    except (UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise DataValidationError(Problem(str(path), None, None, None,
                                          f"cannot be read as CSV: {exc}")) from None
    return _parse_table(raw, schema, str(path))


def _parse_table(raw: pd.DataFrame, schema: TableSchema,
                 file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse a table of text cells (as read from CSV) to the schema's dtypes and check it."""
    path = file
    raw = raw.copy()
    raw.columns = [str(c).strip() for c in raw.columns]
    missing = [c.name for c in schema.columns if c.required and c.name not in raw.columns]
    if missing:
        raise MissingDataError([
            Problem(str(path), 1, None, m, f"required column is missing; the file has "
                    f"{', '.join(raw.columns) or 'no columns'}") for m in missing])
    raw = raw.apply(lambda s: s.str.strip()).replace("", pd.NA) if len(raw) else raw
    collector = _Collector(str(path), schema.label(raw) if schema.label else raw.index.to_series())
    df = pd.DataFrame(index=raw.index)
    for col in schema.columns:
        if col.name in raw.columns:
            df[col.name] = _parse_column(raw[col.name], col, collector)
        else:
            fill = col.default if col.default is not None else None
            df[col.name] = pd.Series([fill] * len(raw), index=raw.index, dtype=col.dtype) \
                if fill is not None or col.kind != "list" else [()] * len(raw)
            if col.kind == "date":
                df[col.name] = pd.to_datetime(df[col.name])
    for extra in raw.columns.difference([c.name for c in schema.columns], sort=False):
        df[extra] = raw[extra].astype(object)  # keep the user's own columns, as text
    if schema.key:
        key = df[list(schema.key)]
        dup = key.duplicated(keep=False) & key.notna().all(axis=1)
        first = {}
        for i in np.flatnonzero(dup):
            k = tuple(key.iloc[i])
            first.setdefault(k, int(df.index[i]) + 2)
        collector.add(dup, ", ".join(schema.key),
                      lambda i: f"duplicate {' + '.join(schema.key)} (first on row "
                      f"{first[tuple(key.loc[i])]})")
    return df, collector.problems


# ----------------------------------------------------------------------------------------
# The Portfolio
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Portfolio:
    """A validated portfolio dataset: one DataFrame per table plus the working calendar.

    Build one with :func:`load_portfolio`. Each table's columns are documented in
    :data:`SCHEMAS` and in ``datasets/README.md``.

    Attributes
    ----------
    projects, wbs, tasks, links, resources, assignments, status, risks : DataFrame
        The tables (RangeIndex; key columns as columns).
    estimates : DataFrame
        Three-point duration estimates (empty when the dataset has none);
        :meth:`tasks_with_estimates` joins them to the tasks for
        :func:`pmo_lib.simulation.simulate`.
    sprints, backlog, releases : DataFrame
        Agile delivery data, the inputs of :mod:`pmo_lib.agile` (empty when the dataset has
        no such file). :meth:`sprints_at` and :meth:`backlog_at` give them as known at a
        status month.
    gates, deliverables, stakeholders, lessons : DataFrame
        Governance data, the inputs of :mod:`pmo_lib.methodology`: when each template gate
        is due (:meth:`gate_dates`), the deliverables register (:meth:`deliverables_at`),
        the stakeholder register and the shared lessons-learned register.
    candidates, candidate_costs, candidate_demand, planning_budget, planning_capacity : DataFrame
        A planning round, the inputs of :mod:`pmo_lib.portfolio`: the proposals, their
        yearly costs and role demand, the budget per year and the role capacity free for
        them (empty when the dataset has none; :meth:`select` keeps them whole).
        :meth:`planning_round` gives them as the arguments of
        :func:`pmo_lib.portfolio.select`.
    holidays : DataFrame
        The ``calendar`` table (``date``, ``name``).
    calendar : WorkCalendar
        Working weekdays and holidays, for all working-day arithmetic.
    name : str
        Portfolio name.
    currency : str
        ISO code of the currency every amount is in.
    path : Path or None
        Folder the data was read from.
    data_dates : tuple of Timestamp
        The portfolio's status data dates; kept by :meth:`select`, so a project that had not
        started at a snapshot still has that month (with no progress). Derived from
        ``status`` when empty.
    """

    projects: pd.DataFrame
    tasks: pd.DataFrame
    links: pd.DataFrame = field(default_factory=SCHEMAS["links"].empty)
    resources: pd.DataFrame = field(default_factory=SCHEMAS["resources"].empty)
    assignments: pd.DataFrame = field(default_factory=SCHEMAS["assignments"].empty)
    status: pd.DataFrame = field(default_factory=SCHEMAS["status"].empty)
    risks: pd.DataFrame = field(default_factory=SCHEMAS["risks"].empty)
    wbs: pd.DataFrame = field(default_factory=SCHEMAS["wbs"].empty)
    estimates: pd.DataFrame = field(default_factory=SCHEMAS["estimates"].empty)
    holidays: pd.DataFrame = field(default_factory=SCHEMAS["calendar"].empty)
    sprints: pd.DataFrame = field(default_factory=SCHEMAS["sprints"].empty)
    backlog: pd.DataFrame = field(default_factory=SCHEMAS["backlog"].empty)
    releases: pd.DataFrame = field(default_factory=SCHEMAS["releases"].empty)
    gates: pd.DataFrame = field(default_factory=SCHEMAS["gates"].empty)
    deliverables: pd.DataFrame = field(default_factory=SCHEMAS["deliverables"].empty)
    stakeholders: pd.DataFrame = field(default_factory=SCHEMAS["stakeholders"].empty)
    lessons: pd.DataFrame = field(default_factory=SCHEMAS["lessons"].empty)
    candidates: pd.DataFrame = field(default_factory=SCHEMAS["candidates"].empty)
    candidate_costs: pd.DataFrame = field(default_factory=SCHEMAS["candidate_costs"].empty)
    candidate_demand: pd.DataFrame = field(default_factory=SCHEMAS["candidate_demand"].empty)
    planning_budget: pd.DataFrame = field(default_factory=SCHEMAS["planning_budget"].empty)
    planning_capacity: pd.DataFrame = field(default_factory=SCHEMAS["planning_capacity"].empty)
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    name: str = "Portfolio"
    currency: str = "EUR"
    path: Path | None = None
    data_dates: tuple[pd.Timestamp, ...] = ()

    # -- status months -------------------------------------------------------------------
    @property
    def status_dates(self) -> pd.DatetimeIndex:
        """The data dates of the status snapshots, oldest first."""
        dates = self.data_dates or self.status["status_date"].unique()
        return pd.DatetimeIndex(sorted(dates), name="status_date")

    @property
    def months(self) -> pd.PeriodIndex:
        """The reporting months that have status data, oldest first."""
        return pd.PeriodIndex(self.status_dates.to_period("M"), name="month")

    @property
    def latest_month(self) -> pd.Period:
        """The most recent month with status data."""
        if len(self.status_dates) == 0:
            raise MissingDataError(Problem(self._file("status"), None, None, None,
                                           "has no status snapshots"))
        return self.months[-1]

    def status_date(self, month) -> pd.Timestamp:
        """The data date of ``month`` (a ``pd.Period``, or text ``'YYYY-MM'``).

        Raises
        ------
        MissingDataError
            No status snapshot in that month; the message lists the months that have one.
        """
        month = parse_month(month)
        hits = self.status_dates[self.status_dates.to_period("M") == month]
        if len(hits) == 0:
            have = ", ".join(str(m) for m in self.months) or "none"
            raise MissingDataError(Problem(
                self._file("status"), None, None, "status_date",
                f"no status snapshot for {month}; months with status data: {have}"))
        return hits[-1]

    def snapshot(self, month) -> pd.DataFrame:
        """The status rows of ``month`` (one per started task)."""
        date = self.status_date(month)
        return self.status[self.status["status_date"] == date].reset_index(drop=True)

    def risk_register(self, month) -> pd.DataFrame:
        """The risk register as it stood at ``month``'s status date."""
        month = parse_month(month)
        at = self.risks[self.risks["status_date"].dt.to_period("M") == month]
        return at.reset_index(drop=True)

    # -- subsets -------------------------------------------------------------------------
    def select(self, project_ids: Iterable[str] | str) -> Portfolio:
        """The portfolio restricted to some projects (links between them are kept).

        Every table with a ``project_id`` is filtered, the shared lessons-learned register
        too: search the whole portfolio's ``lessons`` to draw on other projects.
        """
        ids = {project_ids} if isinstance(project_ids, str) else set(project_ids)
        tasks = self.tasks[self.tasks["project_id"].isin(ids)]
        tids = set(tasks["id"])
        return replace(
            self,
            projects=self.projects[self.projects["id"].isin(ids)].reset_index(drop=True),
            tasks=tasks.reset_index(drop=True),
            wbs=self.wbs[self.wbs["project_id"].isin(ids)].reset_index(drop=True),
            links=self.links[self.links["pred"].isin(tids) & self.links["succ"].isin(tids)]
            .reset_index(drop=True),
            assignments=self.assignments[self.assignments["task_id"].isin(tids)]
            .reset_index(drop=True),
            status=self.status[self.status["task_id"].isin(tids)].reset_index(drop=True),
            estimates=self.estimates[self.estimates["task_id"].isin(tids)]
            .reset_index(drop=True),
            risks=self.risks[self.risks["project_id"].isin(ids)].reset_index(drop=True),
            **{name: _rows_of(getattr(self, name), ids) for name in _PROJECT_TABLES},
        )

    def tasks_with_estimates(self) -> pd.DataFrame:
        """The tasks with their three-point estimates: ``duration_min``, ``duration_max``
        [d] and ``distribution`` (NaN / None where the task has no estimate), the input
        of :func:`pmo_lib.simulation.simulate`.

        Examples
        --------
        >>> from pmo_lib import load_portfolio, SAMPLE_DATA
        >>> t = load_portfolio(SAMPLE_DATA).tasks_with_estimates()
        >>> bool((t["duration_min"].fillna(0) <= t["duration"]).all())
        True
        """
        est = self.estimates.set_index("task_id")
        out = self.tasks.copy()
        for c in ("duration_min", "duration_max", "distribution"):
            out[c] = out["id"].map(est[c]).to_numpy()
        return out

    # -- agile and governance data as of a status month ------------------------------
    def sprints_at(self, month) -> pd.DataFrame:
        """The sprints finished by ``month``'s status date (the ones whose velocity was
        known then).

        Raises
        ------
        MissingDataError
            No status snapshot in that month.
        """
        date = self.status_date(month)
        return self.sprints[self.sprints["finish"] <= date].reset_index(drop=True)

    def backlog_at(self, month) -> pd.DataFrame:
        """The backlog as it stood at ``month``'s status date.

        Items created after the status date are left out; a ``started``, ``reviewed`` or
        ``done`` date after it is blanked (NaT) and ``state`` is recomputed from the dates
        left: ``done`` with a done date, else ``review`` with a reviewed date, else
        ``in_progress`` with a started date, else ``backlog``. So agile metrics computed at
        a month only see what was known then.

        Raises
        ------
        MissingDataError
            No status snapshot in that month.

        Examples
        --------
        >>> from pmo_lib import load_portfolio, SAMPLE_DATA
        >>> pf = load_portfolio(SAMPLE_DATA)
        >>> b = pf.backlog_at("2026-01")
        >>> bool((b["done"].dropna() <= pf.status_date("2026-01")).all())
        True
        """
        date = self.status_date(month)
        items = self.backlog[self.backlog["created"] <= date].reset_index(drop=True)
        for col in ("started", "reviewed", "done"):
            items[col] = items[col].where(items[col] <= date)
        items["state"] = np.select(
            [items["done"].notna(), items["reviewed"].notna(), items["started"].notna()],
            ["done", "review", "in_progress"], "backlog").astype(object)
        return items

    def deliverables_at(self, month) -> pd.DataFrame:
        """The deliverables register as it stood at ``month``'s status date: the rows dated
        on or before it (the latest row of a deliverable is its status then).

        Raises
        ------
        MissingDataError
            No status snapshot in that month.
        """
        date = self.status_date(month)
        return self.deliverables[self.deliverables["date"] <= date].reset_index(drop=True)

    def gate_dates(self, project_id: str) -> pd.DataFrame:
        """Due dates of a project's gates (columns ``gate``, ``due_date``), from the
        ``gates`` table: the ``gate_dates`` argument of
        :func:`pmo_lib.methodology.gate_compliance`.

        Examples
        --------
        >>> from pmo_lib import load_portfolio, SAMPLE_DATA
        >>> load_portfolio(SAMPLE_DATA).gate_dates("APP")["gate"].tolist()
        ['funding', 'release_1_decision', 'release_2_decision']
        """
        rows = self.gates[self.gates["project_id"] == project_id]
        return rows[["gate", "due_date"]].sort_values("due_date", kind="stable") \
            .reset_index(drop=True)

    def planning_round(self) -> dict[str, Any]:
        """The planning round as the arguments of :func:`pmo_lib.portfolio.select`.

        Returns
        -------
        dict
            ``candidates`` (the table), ``budget`` (a Series year → budget [cur], or None
            without ``planning_budget`` rows), ``costs``, ``demand`` and ``capacity``
            (``candidate_costs``, ``candidate_demand``, ``planning_capacity``; None when
            empty). Also the arguments of :func:`pmo_lib.portfolio.frontier` (drop
            ``budget``) and, with a second budget, :func:`pmo_lib.portfolio.budget_change`.

        Examples
        --------
        >>> from pmo_lib import load_portfolio, SAMPLE_DATA, portfolio
        >>> pf = load_portfolio(SAMPLE_DATA)
        >>> sorted(pf.planning_round())
        ['budget', 'candidates', 'capacity', 'costs', 'demand']
        >>> portfolio.select(**pf.planning_round()).optimal
        True
        """
        plan = self.planning_budget
        budget = (pd.Series(plan["budget"].to_numpy(dtype=float),
                            index=pd.Index(plan["year"].astype(np.int64), name="year"),
                            name="budget") if len(plan) else None)
        return {"candidates": self.candidates, "budget": budget,
                "costs": self.candidate_costs if len(self.candidate_costs) else None,
                "demand": self.candidate_demand if len(self.candidate_demand) else None,
                "capacity": self.planning_capacity if len(self.planning_capacity) else None}

    @property
    def templates(self) -> pd.Series:
        """Name of each project's methodology template (index ``project_id``): the
        ``methodology`` column in the spelling of :func:`pmo_lib.methodology.list_templates`
        (``v-model`` is the ``v_model`` template)."""
        names = _template_names()
        return pd.Series([names.get(m, m) for m in self.projects["methodology"]],
                         index=pd.Index(self.projects["id"], name="project_id"),
                         name="template", dtype=object)

    def _file(self, table: str) -> str:
        return str(self.path / f"{table}.csv") if self.path else f"{table}.csv"

    def __repr__(self) -> str:
        return (f"Portfolio({self.name!r}: {len(self.projects)} projects, {len(self.tasks)} "
                f"tasks, {len(self.links)} links, {len(self.resources)} resources, "
                f"{len(self.months)} status months, currency {self.currency})")


#: The planning-round tables: not tied to running projects, kept whole by
#: :meth:`Portfolio.select`.
_PLANNING_TABLES = ("candidates", "candidate_costs", "candidate_demand", "planning_budget",
                    "planning_capacity")
#: Tables with a ``project_id`` column that :meth:`Portfolio.select` filters like ``risks``.
_PROJECT_TABLES = ("sprints", "backlog", "releases", "gates", "deliverables", "stakeholders",
                   "lessons")


def _rows_of(df: pd.DataFrame, ids: set) -> pd.DataFrame:
    return df[df["project_id"].isin(ids)].reset_index(drop=True)


@cache
def _templates() -> dict[str, Any]:
    """The shipped methodology templates by ``projects.methodology`` value (imported here:
    pmo_lib.methodology imports the schedule engine, which imports this module)."""
    from .methodology import list_templates, load_template

    shipped = [load_template(name) for name in list_templates()]
    return {t.methodology: t for t in shipped}


def _template_type() -> type:
    from .methodology import Template

    return Template


def _template_names() -> dict[str, str]:
    return {m: t.name for m, t in _templates().items()}


def parse_month(month) -> pd.Period:
    """A reporting month as ``pd.Period(freq='M')``, from ``'YYYY-MM'``, a Period or a date.

    Raises
    ------
    DataValidationError
        Text that is not a month in the form YYYY-MM.

    Examples
    --------
    >>> parse_month("2026-10")
    Period('2026-10', 'M')
    """
    if isinstance(month, pd.Period):
        return month.asfreq("M")
    if isinstance(month, str):
        text = month.strip()
        try:
            if len(text) == 7 and text[4] == "-":
                return pd.Period(text, freq="M")
        except (ValueError, pd.errors.ParserError):
            pass
        raise DataValidationError(Problem("month", None, text, None,
                                          "is not a month in the form YYYY-MM, e.g. 2026-10"))
    return pd.Timestamp(month).to_period("M")


# ----------------------------------------------------------------------------------------
# Loading
# ----------------------------------------------------------------------------------------
def _settings(folder: Path) -> dict:
    path = folder / "portfolio.toml"
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DataValidationError(Problem(str(path), None, None, None,
                                          f"is not valid TOML: {exc}")) from None


def _check_references(tables: dict[str, pd.DataFrame], folder: Path) -> list[Problem]:
    problems = []
    for table, column, target, key in _REFERENCES:
        df = tables[table]
        if df.empty:
            continue
        known = set(tables[target][key].dropna())
        label = SCHEMAS[table].label(df)
        values = df[column]
        if SCHEMAS[table].column(column).kind == "list":
            for i, refs in enumerate(values):
                for ref in refs:
                    if ref not in known:
                        problems.append(Problem(
                            str(folder / f"{table}.csv"), int(df.index[i]) + 2, label.iloc[i],
                            column, f"refers to unknown {target[:-1]} {ref!r}"))
            continue
        unknown = values.notna() & ~values.isin(known)
        for i in np.flatnonzero(unknown):
            problems.append(Problem(
                str(folder / f"{table}.csv"), int(df.index[i]) + 2, label.iloc[i], column,
                f"refers to unknown {target[:-1]} {values.iloc[i]!r} (not in {target}.csv)"))
    return problems


def _check_rules(t: dict[str, pd.DataFrame], folder: Path) -> list[Problem]:
    """Rules across columns of one row and across rows of one table."""
    problems: list[Problem] = []

    def flag(table, mask, column, message):
        c = _Collector(str(folder / f"{table}.csv"), SCHEMAS[table].label(t[table]))
        c.add(mask, column, message)
        problems.extend(c.problems)

    tasks = t["tasks"]
    needs_date = tasks["constraint_type"].isin(DATE_CONSTRAINTS) & tasks["constraint_date"].isna()
    flag("tasks", needs_date, "constraint_date",
         lambda i: f"constraint {tasks.at[i, 'constraint_type']} needs a constraint_date")
    flag("tasks", tasks["baseline_finish"] < tasks["baseline_start"], "baseline_finish",
         "is before baseline_start")
    flag("tasks", tasks["milestone"] & (tasks["duration"] > 0), "milestone",
         lambda i: f"a milestone has duration 0, not {tasks.at[i, 'duration']:g}")

    links = t["links"]
    flag("links", links["pred"] == links["succ"], "succ", "a task cannot depend on itself")

    est = t["estimates"]
    if not est.empty:
        likely = est["task_id"].map(tasks.set_index("id")["duration"])
        flag("estimates", est["duration_min"] > likely, "duration_min",
             lambda i: f"{est.at[i, 'duration_min']:g} is above the task's most likely "
             f"duration {likely[i]:g}")
        flag("estimates", est["duration_max"] < likely, "duration_max",
             lambda i: f"{est.at[i, 'duration_max']:g} is below the task's most likely "
             f"duration {likely[i]:g}")

    status = t["status"]
    if not status.empty:
        sd = status["status_date"]
        for col in ("actual_start", "actual_finish"):
            flag("status", status[col] > sd, col,
                 lambda i, col=col: f"{status.at[i, col].date()} is after the status date "
                 f"{sd[i].date()}")
        flag("status", status["actual_finish"] < status["actual_start"], "actual_finish",
             "is before actual_start")
        flag("status", status["actual_finish"].notna() & (status["percent_complete"] < 100),
             "percent_complete",
             lambda i: f"{status.at[i, 'percent_complete']:g} % but the task has an "
             "actual_finish; a finished task is 100 %")
        flag("status", status["actual_start"].isna() & (status["percent_complete"] > 0),
             "actual_start", "is blank but the task has progress")
        # One data date per month (the PMO's monthly cut-off).
        month = sd.dt.to_period("M")
        first = sd.groupby(month).transform("min")
        flag("status", sd.notna() & (sd != first), "status_date",
             lambda i: f"{sd[i].date()} differs from the data date {first[i].date()} of the "
             "other rows of that month; a month has one data date")

    if not links.empty and not problems:
        graph = nx.DiGraph(list(zip(links["pred"], links["succ"], strict=True)))
        try:
            cycle = nx.find_cycle(graph)
        except nx.NetworkXNoCycle:
            cycle = None
        if cycle:
            path = " -> ".join([cycle[0][0], *[v for _, v in cycle]])
            edges = set(cycle)
            rows = [int(i) + 2 for i, p, s in zip(links.index, links["pred"], links["succ"],
                                                    strict=True) if (p, s) in edges]
            problems.append(Problem(
                str(folder / "links.csv"), rows[0], path, None,
                f"dependency cycle {path} (rows {', '.join(map(str, rows))}); "
                "remove or reverse one of these links"))
    return problems


def _readdress(problems: list[Problem], folder: Path, table: str) -> list[Problem]:
    """Problems an engine's validator found (its file is a table name, its rows the table's
    rows), addressed to the dataset file."""
    return [Problem(str(folder / f"{table}.csv"), p.row, p.id, p.column, p.message)
            for p in problems]


def _check_delivery(t: dict[str, pd.DataFrame], folder: Path) -> list[Problem]:
    """Rules of the agile and governance tables. The agile rules (dates in state order,
    state agreeing with the dates, sprints not overlapping) are pmo_lib.agile's own
    validators, run on the parsed tables; the governance rules check ids against the
    template of each project's methodology."""
    problems: list[Problem] = []

    def flag(table, mask, column, message):
        c = _Collector(str(folder / f"{table}.csv"), SCHEMAS[table].label(t[table]))
        c.add(mask, column, message)
        problems.extend(c.problems)

    if not t["sprints"].empty or not t["backlog"].empty:
        from . import agile  # agile imports evm, which imports this module

        for table, check, columns in (
                ("sprints", agile.check_sprints, (*agile.SPRINT_COLUMNS, "added_points")),
                ("backlog", agile.check_items, (*agile.ITEM_COLUMNS, "points", "reviewed"))):
            if not t[table].empty:
                try:
                    check(t[table][list(columns)])
                except DataValidationError as exc:
                    problems += _readdress(exc.problems, folder, table)
    tasks = t["tasks"].set_index("id")
    backlog = t["backlog"]
    owner = backlog["task_id"].map(tasks["project_id"])
    flag("backlog", backlog["task_id"].notna() & (owner != backlog["project_id"]), "task_id",
         lambda i: f"task {backlog.at[i, 'task_id']} belongs to project {owner[i]}, not "
         f"{backlog.at[i, 'project_id']}")
    reg = t["deliverables"]
    flag("deliverables", reg["status"].isin(("approved", "waived")) & reg["approved_by"].isna(),
         "approved_by", lambda i: f"is blank but the deliverable is {reg.at[i, 'status']}; "
         "name who approved it")
    if all(t[n].empty for n in ("gates", "deliverables", "lessons")):
        return problems
    templates = _templates()
    method = t["projects"].set_index("id")["methodology"]

    def unknown(table: str, column: str, what: str, valid: Callable, fold=False) -> None:
        """Flag the values of ``column`` that are not in ``valid(template)`` for the
        template of the row's project (ignoring case if ``fold``)."""
        df = t[table]
        tpl = df["project_id"].map(method).map(templates)
        allowed = [valid(x) if isinstance(x, _template_type()) else set() for x in tpl]
        values = df[column].astype(str).str.strip()
        values = values.str.lower() if fold else values
        bad = [v not in ok for v, ok in zip(values, allowed, strict=True)]

        def message(i):
            x = tpl[i]
            if not isinstance(x, _template_type()):
                return f"project {df.at[i, 'project_id']}'s methodology has no shipped template"
            names = ", ".join(sorted(valid(x)))
            return (f"{df.at[i, column]!r} is not a {what} of the {x.name} template "
                    f"(project {df.at[i, 'project_id']} is {method[df.at[i, 'project_id']]}); "
                    f"use one of {names}")
        flag(table, np.array(bad, dtype=bool), column, message)

    unknown("deliverables", "deliverable", "deliverable", lambda x: set(x.deliverables["id"]))
    unknown("gates", "gate", "gate", lambda x: set(x.gates["id"]))
    unknown("lessons", "phase", "phase",
            lambda x: {str(p).lower() for p in (*x.phases["id"], *x.phases["name"])},
            fold=True)
    gates = t["gates"]
    if not gates.empty:
        owner = gates["task_id"].map(tasks["project_id"])
        flag("gates", gates["task_id"].notna() & (owner != gates["project_id"]), "task_id",
             lambda i: f"task {gates.at[i, 'task_id']} belongs to project {owner[i]}, not "
             f"{gates.at[i, 'project_id']}")
        ms = tasks["milestone"] | (tasks["duration"] == 0)
        flag("gates", gates["task_id"].notna() & (owner == gates["project_id"])
             & ~gates["task_id"].map(ms).fillna(True).astype(bool), "task_id",
             lambda i: f"task {gates.at[i, 'task_id']} is not a milestone; a gate is marked "
             "by a milestone")
    return problems


def _check_planning(t: dict[str, pd.DataFrame], folder: Path) -> list[Problem]:
    """Rules of the planning-round tables: pmo_lib.portfolio's own validation of the
    candidates (self-references, a candidate both requiring and excluding another, yearly
    costs adding up to the cost), and roles that exist."""
    problems: list[Problem] = []
    if not t["candidates"].empty:
        from . import portfolio  # at call time, like agile above

        names = {"candidates": "candidates", "costs": "candidate_costs",
                 "demand": "candidate_demand", "capacity": "planning_capacity"}
        try:
            portfolio.check_candidates(
                t["candidates"],
                costs=t["candidate_costs"] if len(t["candidate_costs"]) else None,
                demand=t["candidate_demand"] if len(t["candidate_demand"]) else None,
                capacity=t["planning_capacity"] if len(t["planning_capacity"]) else None)
        except DataValidationError as exc:
            problems += [Problem(str(folder / f"{names.get(p.file, p.file)}.csv"), p.row,
                                 p.id, p.column, p.message) for p in exc.problems]
    roles = set(t["resources"]["role"].dropna()) | set(t["planning_capacity"]["role"].dropna())
    demand = t["candidate_demand"]
    if not demand.empty:
        c = _Collector(str(folder / "candidate_demand.csv"),
                       SCHEMAS["candidate_demand"].label(demand))
        listing = ", ".join(sorted(map(str, roles))) or "none"
        c.add(~demand["role"].isin(roles), "role",
              lambda i: f"{demand.at[i, 'role']!r} is not a role of resources.csv or "
              f"planning_capacity.csv; the roles are {listing}")
        problems += c.problems
    return problems


def load_portfolio(path: str | Path) -> Portfolio:
    """Read and validate a portfolio dataset folder.

    Parameters
    ----------
    path : str or Path
        A history store (an SQLAlchemy URL such as ``sqlite:///pmo.sqlite`` or
        ``postgresql://...``, or a ``.sqlite``/``.db`` file; see :mod:`pmo_lib.store`), or a
        folder holding ``projects.csv``, ``tasks.csv`` and optionally ``links.csv``,
        ``resources.csv``, ``assignments.csv``, ``calendar.csv``, ``status.csv``,
        ``risks.csv``, ``wbs.csv``, ``estimates.csv``, the agile tables ``sprints.csv``, ``backlog.csv``,
        ``releases.csv``, the governance tables ``gates.csv``, ``deliverables.csv``,
        ``stakeholders.csv``, ``lessons.csv``, the planning-round tables ``candidates.csv``,
        ``candidate_costs.csv``, ``candidate_demand.csv``, ``planning_budget.csv``,
        ``planning_capacity.csv``, and ``portfolio.toml``. A missing optional
        table is empty (its documented columns and dtypes, no rows).
        ``portfolio.toml`` may set ``name``, ``currency`` (ISO code, default EUR),
        ``workweek`` (default Mon–Fri) and ``country`` (+ ``subdivision``) to add that
        country's public holidays to the ``calendar.csv`` ones.

    Returns
    -------
    Portfolio

    Raises
    ------
    MissingDataError
        The folder, a required file or a required column is missing.
    DataValidationError
        A value that cannot be parsed (number, date, choice), a blank required value, a
        negative duration, budget or cost, a percent complete outside 0–100, a duplicate ID,
        an actual date after its status date, a dependency cycle, a backlog item done before
        it started or whose state disagrees with its dates, overlapping sprints, a
        deliverable, gate or phase that the template of the project's methodology does not
        have, an approved deliverable without its approver, an influence outside 1–5, a
        candidate requiring itself or one it excludes, yearly candidate costs that do not
        add up to the candidate's cost, a demand for an unknown role, ...
        Every problem is listed with its file, row and ID.
    UnknownReferenceError
        A reference to an unknown ID (a link to an unknown task, an assignment to an unknown
        resource, a status row for an unknown task, a sprint of an unknown project, a
        candidate requiring an unknown candidate, ...).

    Examples
    --------
    >>> from pmo_lib import load_portfolio, SAMPLE_DATA
    >>> pf = load_portfolio(SAMPLE_DATA)
    >>> len(pf.tasks) >= 600
    True
    """
    if "://" in str(path) or Path(path).suffix in (".sqlite", ".sqlite3", ".db"):
        from . import store  # imported at call time: store imports model

        return store.load_portfolio(path)
    folder = Path(path)
    if not folder.is_dir():
        raise MissingDataError(Problem(str(folder), None, None, None,
                                       "data folder not found"))
    settings = _settings(folder)
    tables: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for name, schema in SCHEMAS.items():
        tables[name], found = _read_table(folder, schema)
        problems += found
    if problems:
        raise DataValidationError(problems)
    return _build(tables, settings, folder, name=str(settings.get("name", folder.name)),
                  path=folder)


_TEXT_DTYPE = pd.Series(["x"]).astype(str).dtype


def _as_text(values: pd.Series) -> pd.Series:
    """One column of any dtype as the text cells a CSV file would hold (``<NA>`` = blank)."""
    def cell(v):
        if v is None or (not isinstance(v, (list, tuple, set, str)) and pd.isna(v)):
            return pd.NA
        if isinstance(v, (bool, np.bool_)):
            return "true" if v else "false"
        if isinstance(v, (pd.Timestamp, np.datetime64)):
            return pd.Timestamp(v).strftime("%Y-%m-%d")
        if isinstance(v, (list, tuple, set)):
            return ";".join(str(x) for x in v)
        if isinstance(v, (float, np.floating)):
            return repr(float(v))
        return str(v).strip() or pd.NA
    # The dtype read_csv(dtype=str) gives in this pandas (object, or the NaN-backed str dtype
    # of pandas 3), so blank text cells come out exactly as from a CSV file.
    return pd.Series([cell(v) for v in values], index=values.index,
                     dtype=object).astype(_TEXT_DTYPE)


def from_tables(tables: Mapping[str, pd.DataFrame], *, name: str = "portfolio",
                currency: str = "EUR", workweek: Iterable[str] | None = None,
                source: str = "tables") -> Portfolio:
    """Validate a portfolio given as DataFrames, exactly as :func:`load_portfolio` does.

    The importers of other tools' files (MS Project, Primavera) and programs that build a
    portfolio in memory use it: every table goes through the same parsing and checks as
    the CSV files, so the result behaves the same everywhere.

    Parameters
    ----------
    tables : mapping of table name → DataFrame
        Keys from :data:`SCHEMAS` (``projects`` and ``tasks`` are required); columns as
        documented there. Values may be typed (numbers, dates, booleans, lists) or text
        as in the CSV files; blank cells are ``None``/NaN/NaT. A table not given is empty.
    name, currency : str
        The portfolio's name and ISO currency code.
    workweek : sequence of str, optional
        Working weekdays (``"Mon"`` ...); default Monday to Friday.
    source : str
        What the tables came from, used in error messages in place of the folder
        (e.g. the imported file's name): ``"<source>/tasks.csv, row 3, ID 'T1' ..."``.

    Returns
    -------
    Portfolio
        With ``path`` None.

    Raises
    ------
    MissingDataError, DataValidationError, UnknownReferenceError
        As :func:`load_portfolio`; an unknown table name is a DataValidationError.

    Examples
    --------
    >>> import pandas as pd
    >>> day = pd.Timestamp("2026-01-05")
    >>> projects = pd.DataFrame({"id": ["P"], "name": ["Pilot"], "programme": ["Ops"],
    ...                          "manager": ["Ana"], "sponsor": ["COO"],
    ...                          "methodology": ["waterfall"], "start_date": [day],
    ...                          "budget": [10_000.0], "priority": [1]})
    >>> tasks = pd.DataFrame({"id": ["T1"], "project_id": ["P"], "name": ["Design"],
    ...                       "wbs": ["1.1"], "duration": [5], "baseline_start": [day],
    ...                       "baseline_finish": [pd.Timestamp("2026-01-09")],
    ...                       "budget": [10_000.0]})
    >>> pf = from_tables({"projects": projects, "tasks": tasks}, name="demo")
    >>> pf.name, len(pf.tasks), pf.path is None
    ('demo', 1, True)
    """
    unknown = sorted(set(tables) - set(SCHEMAS))
    if unknown:
        raise DataValidationError(Problem(source, None, None, None,
                                          f"unknown table(s) {', '.join(unknown)}; the tables "
                                          f"are {', '.join(SCHEMAS)}"))
    folder = Path(source)
    parsed: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for key, schema in SCHEMAS.items():
        given = tables.get(key)
        if given is None:
            if schema.required:
                raise MissingDataError(Problem(str(folder / schema.file), None, None, None,
                                               f"table not given; a portfolio needs {key}"))
            parsed[key] = schema.empty()
            continue
        raw = pd.DataFrame({str(c): _as_text(given[c]) for c in given.columns},
                           index=pd.RangeIndex(len(given)))
        parsed[key], found = _parse_table(raw, schema, str(folder / schema.file))
        problems += found
    if problems:
        raise DataValidationError(problems)
    settings = {} if workweek is None else {"workweek": tuple(workweek)}
    return _build(parsed, settings, folder, name=name, path=None, currency=currency)


def _build(tables: dict[str, pd.DataFrame], settings: dict, folder: Path, *, name: str,
           path: Path | None, currency: str | None = None) -> Portfolio:
    """Check the references and rules across the parsed tables; the Portfolio."""
    problems = _check_references(tables, folder)
    if problems:
        raise UnknownReferenceError(problems)
    problems = (_check_rules(tables, folder) + _check_delivery(tables, folder)
                + _check_planning(tables, folder))
    if problems:
        raise DataValidationError(problems)
    tasks = tables["tasks"]
    tasks["milestone"] = tasks["milestone"] | (tasks["duration"] == 0)
    workweek = settings.get("workweek", ("Mon", "Tue", "Wed", "Thu", "Fri"))
    calendar = WorkCalendar.from_table(tables["calendar"], workweek)
    if settings.get("country"):  # national holidays on top of the calendar table
        dates = pd.concat([tasks["baseline_start"], tasks["baseline_finish"]])
        years = range(dates.min().year - 1, dates.max().year + 3) if len(dates) else ()
        national = WorkCalendar.for_country(str(settings["country"]), years,
                                            subdivision=settings.get("subdivision"),
                                            workweek=workweek, extra=calendar.holidays)
        calendar = national
    return Portfolio(
        projects=tables["projects"], tasks=tables["tasks"], links=tables["links"],
        resources=tables["resources"], assignments=tables["assignments"],
        status=tables["status"], risks=tables["risks"], wbs=tables["wbs"],
        estimates=tables["estimates"],
        holidays=tables["calendar"], calendar=calendar,
        **{name: tables[name] for name in (*_PROJECT_TABLES, *_PLANNING_TABLES)},
        name=name, currency=str(currency or settings.get("currency", "EUR")), path=path,
        data_dates=tuple(pd.DatetimeIndex(tables["status"]["status_date"].unique()).sort_values()),
    )


def data_dictionary() -> str:
    """The data dictionary of every table, as Markdown (it is kept in ``datasets/README.md``)."""
    units = {"d": "working days", "cur": "currency", "%": "percent", "frac": "fraction 0–1",
             "cur/d": "currency per working day", "units": "resource units",
             "pt": "story points", "": ""}
    out = []
    for s in SCHEMAS.values():
        need = "required file" if s.required else "optional file"
        key = f"; key: {', '.join(s.key)}" if s.key else ""
        out += [f"### `{s.file}` ({need}{key})", "", s.description, "",
                "| column | type | unit | required | description |",
                "|---|---|---|---|---|"]
        for c in s.columns:
            kind = c.kind if c.kind != "choice" else "one of " + ", ".join(c.choices)
            req = "yes" if c.required else f"no (default {c.default})" if c.default is not None \
                else "no"
            if c.nullable:
                req += ", may be blank"
            out.append(f"| `{c.name}` | {kind} | {units[c.unit]} | {req} | {c.description} |")
        out.append("")
    return "\n".join(out)
