"""which message claimed a blocker's follow-up

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-12 09:00:00.000000

A blocker's follow-up is claimed before the message that carries it is sent. The claim now
names that message (its delivery key), so that when its sender stops before the outcome is
known, the same message, sent again, carries the follow-up rather than losing it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("blockers") as batch:
        batch.add_column(sa.Column("followed_up_by", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("blockers") as batch:
        batch.drop_column("followed_up_by")
