"""blockers

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-10 09:00:00.000000

A blocker named in a check-in lives on after it: open until its member says it is sorted, asked
about in the pack's channel, offered help, followed up once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blockers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("pack_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("open_user", sa.String(length=32), nullable=True),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=True),
        sa.Column("round_date", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ask_channel", sa.String(length=32), nullable=True),
        sa.Column("ask_ts", sa.String(length=32), nullable=True),
        sa.Column("helpers", sa.JSON(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("followed_up_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["answers.id"],
            name=op.f("fk_blockers_answer_id_answers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["pack_id"], ["packs.id"], name=op.f("fk_blockers_pack_id_packs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["rounds.id"],
            name=op.f("fk_blockers_round_id_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_blockers_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blockers")),
        sa.UniqueConstraint("pack_id", "open_user", name=op.f("uq_blockers_pack_id_open_user")),
    )
    with op.batch_alter_table("blockers", schema=None) as batch_op:
        batch_op.create_index("ix_blockers_pack_raised", ["pack_id", "raised_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_blockers_workspace_id"), ["workspace_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("blockers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_blockers_workspace_id"))
        batch_op.drop_index("ix_blockers_pack_raised")
    op.drop_table("blockers")
