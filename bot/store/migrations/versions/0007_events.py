"""Slack events already handled, by team and event_id: a redelivered event has no second effect

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 09:00:00.000000

A row is claimed (inserted) before an event is handled and marked done after; a row claimed
but never done belongs to a process that stopped midway and may be taken over. Rows are
purged after two days, long after Slack's last retry.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slack_events",
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("team_id", "event_id", name=op.f("pk_slack_events")),
    )
    op.create_index(op.f("ix_slack_events_received_at"), "slack_events", ["received_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_slack_events_received_at"), table_name="slack_events")
    op.drop_table("slack_events")
