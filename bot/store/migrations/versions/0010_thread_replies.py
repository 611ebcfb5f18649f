"""replies in split alerts' and proposals' threads are remembered (who and when, not the
text), so a member who joined a discussion is not told nobody has heard their view

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 08:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "thread_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("pack_id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pack_id"],
            ["packs.id"],
            name=op.f("fk_thread_replies_pack_id_packs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_thread_replies_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["statements.id"],
            name=op.f("fk_thread_replies_statement_id_statements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_thread_replies_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_thread_replies")),
    )
    with op.batch_alter_table("thread_replies") as batch:
        batch.create_index(batch.f("ix_thread_replies_workspace_id"), ["workspace_id"])
        batch.create_index("ix_thread_replies_pack_created", ["pack_id", "created_at"])
    with op.batch_alter_table("proposals") as batch:
        batch.create_index("ix_proposals_message", ["workspace_id", "channel_id", "message_ts"])


def downgrade() -> None:
    with op.batch_alter_table("proposals") as batch:
        batch.drop_index("ix_proposals_message")
    op.drop_table("thread_replies")
