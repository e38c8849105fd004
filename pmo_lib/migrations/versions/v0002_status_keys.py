"""Indexes: a status row is unique per (status_date, task_id) (the table's key), so no
concurrent import can ever store a task twice in one snapshot; risks by status date.

Revision ID: v0002
Revises: v0001
"""

from __future__ import annotations

from alembic import op

revision = "v0002"
down_revision = "v0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ux_status_date_task", "status", ["status_date", "task_id"], unique=True)
    op.create_index("ix_risks_status_date", "risks", ["status_date"])


def downgrade() -> None:
    op.drop_index("ix_risks_status_date", "risks")
    op.drop_index("ux_status_date_task", "status")
