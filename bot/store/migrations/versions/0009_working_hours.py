"""people keep their own working hours

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-09 09:00:00.000000

`/checkin hours 08:00-16:00 mon-thu` stores the text as written back by Hours; an empty
column means the pack's check-in days from its check-in time to 18:00.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("hours", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_column("hours")
