"""split alerts remember their message; statements remember when they were discussed; a
proposal is revised once; delivery failures are found by pack

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 07:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("statements") as batch:
        batch.add_column(sa.Column("alert_channel", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("alert_ts", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("discussed_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_statements_alert", ["workspace_id", "alert_channel", "alert_ts"])
    with op.batch_alter_table("proposals") as batch:
        batch.create_unique_constraint("uq_proposals_revises_id", ["revises_id"])
    op.create_index("ix_deliveries_pack_state", "deliveries", ["pack_id", "state", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_deliveries_pack_state", table_name="deliveries")
    with op.batch_alter_table("proposals") as batch:
        batch.drop_constraint("uq_proposals_revises_id", type_="unique")
    with op.batch_alter_table("statements") as batch:
        batch.drop_index("ix_statements_alert")
        batch.drop_column("discussed_at")
        batch.drop_column("alert_ts")
        batch.drop_column("alert_channel")
