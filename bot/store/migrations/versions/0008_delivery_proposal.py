"""deliveries name their proposal in a column of its own

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 09:00:00.000000

A proposal's reminders and its closing keep the proposal's id in `proposal_id`, filled here
for the rows already queued by reading their keys. The same pass fills `user_id` on any row
whose key names a member but whose column does not, so forget-me, which deletes a member's
deliveries by that column, finds every one of them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.core.schedule import DeliveryKey, DueKind

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_PROPOSALS = (DueKind.PROPOSAL_REMINDER.value, DueKind.PROPOSAL_CLOSE.value)
_TO_MEMBERS = (
    DueKind.PROMPT.value,
    DueKind.REMINDER.value,
    DueKind.PROPOSAL_REMINDER.value,
    DueKind.LONE_WOLF.value,
)

deliveries = sa.table(
    "deliveries",
    sa.column("id", sa.Integer()),
    sa.column("key", sa.String()),
    sa.column("kind", sa.String()),
    sa.column("user_id", sa.String()),
    sa.column("proposal_id", sa.Integer()),
)


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("proposal_id", sa.Integer(), nullable=True))

    conn = op.get_bind()
    rows = conn.execute(
        sa.select(deliveries.c.id, deliveries.c.key, deliveries.c.user_id).where(
            sa.or_(
                deliveries.c.kind.in_(_PROPOSALS),
                sa.and_(deliveries.c.kind.in_(_TO_MEMBERS), deliveries.c.user_id.is_(None)),
            )
        )
    ).all()
    filled = []
    for row_id, text, user_id in rows:
        # Every key ever queued was written in the format DeliveryKey reads; a row that is not
        # stops the upgrade rather than staying behind unreadable.
        key = DeliveryKey.parse(text)
        filled.append(
            {"row_id": row_id, "user": user_id or key.user_id, "proposal": key.proposal_id}
        )
    if filled:
        conn.execute(
            sa.update(deliveries)
            .where(deliveries.c.id == sa.bindparam("row_id"))
            .values(user_id=sa.bindparam("user"), proposal_id=sa.bindparam("proposal")),
            filled,
        )


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("proposal_id")
