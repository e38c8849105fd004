"""Initial schema: one table per table of pmo_lib.model.SCHEMAS (as of PMO Kit 0.1), plus
``settings``, ``months`` and ``audit``.

The column lists are frozen here on purpose: later changes to SCHEMAS get their own revision.

Revision ID: v0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "v0001"
down_revision = None
branch_labels = None
depends_on = None

_TYPES = {"T": sa.Text, "F": sa.Double, "I": sa.BigInteger, "D": sa.Date, "B": sa.Boolean}

#: table -> "column:type ..." (T text, F float, I integer, D date, B boolean).
TABLES = {
    "projects": "id:T name:T programme:T manager:T sponsor:T methodology:T start_date:D "
                "budget:F priority:I description:T",
    "wbs": "project_id:T wbs:T name:T",
    "tasks": "id:T project_id:T name:T wbs:T duration:F baseline_start:D baseline_finish:D "
             "budget:F milestone:B constraint_type:T constraint_date:D",
    "links": "pred:T succ:T type:T lag:F",
    "estimates": "task_id:T duration_min:F duration_max:F distribution:T",
    "resources": "id:T name:T role:T capacity:F cost_rate:F department:T",
    "assignments": "task_id:T resource_id:T units:F",
    "calendar": "date:D name:T",
    "status": "status_date:D task_id:T percent_complete:F actual_cost:F actual_start:D "
              "actual_finish:D remaining_duration:F comment:T",
    "risks": "status_date:D id:T project_id:T title:T category:T probability:F cost_impact:F "
             "schedule_impact:F owner:T response_strategy:T response:T state:T "
             "affected_tasks:T",
    "sprints": "project_id:T sprint:I start:D finish:D committed_points:F completed_points:F "
               "added_points:F actual_cost:F",
    "backlog": "project_id:T id:T title:T points:F created:D started:D reviewed:D done:D "
               "state:T task_id:T",
    "releases": "project_id:T planned_points:F planned_sprints:I bac:F",
    "gates": "project_id:T gate:T due_date:D task_id:T",
    "deliverables": "project_id:T deliverable:T status:T approved_by:T date:D",
    "stakeholders": "id:T project_id:T name:T role:T organisation:T influence:I interest:I",
    "lessons": "id:T project_id:T phase:T category:T lesson:T recommendation:T date:D",
    "candidates": "id:T name:T programme:T sponsor:T value:F cost:F strategic_alignment:I "
                  "risk:I urgency:I business_value:F time_criticality:F risk_reduction:F "
                  "job_size:F mandatory:B requires:T excludes:T description:T",
    "candidate_costs": "candidate_id:T year:I cost:F",
    "candidate_demand": "candidate_id:T period:T role:T units:F",
    "planning_budget": "year:I budget:F",
    "planning_capacity": "role:T period:T units:F",
}


def upgrade() -> None:
    for name, spec in TABLES.items():
        columns = [sa.Column(c, _TYPES[t]()) for c, t in (x.split(":") for x in spec.split())]
        op.create_table(name, sa.Column("row_id", sa.Integer, primary_key=True,
                                        autoincrement=True), *columns)
    op.create_table("settings", sa.Column("key", sa.Text, primary_key=True),
                    sa.Column("value", sa.Text))
    op.create_table("months", sa.Column("month", sa.Text, primary_key=True),
                    sa.Column("status_date", sa.Date, nullable=False),
                    sa.Column("rows", sa.Integer, nullable=False),
                    sa.Column("imported_at", sa.DateTime, nullable=False),
                    sa.Column("imported_by", sa.Text, nullable=False))
    op.create_table("audit", sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                    sa.Column("at", sa.DateTime, nullable=False),
                    sa.Column("user", sa.Text, nullable=False),
                    sa.Column("action", sa.Text, nullable=False),
                    sa.Column("source", sa.Text),
                    sa.Column("month", sa.Text),
                    sa.Column("rows", sa.Integer, nullable=False),
                    sa.Column("tables", sa.Text))


def downgrade() -> None:
    for name in ("audit", "months", "settings", *reversed(TABLES)):
        op.drop_table(name)
