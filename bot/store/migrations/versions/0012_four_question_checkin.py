"""packs on the old default check-in move to the four-question one

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-11 09:00:00.000000

The default check-in became four inputs: what moved forward (rich text, whose @mentions are
the collaborators), what's next, anything blocking and the alignment tap. A pack whose
questions are still exactly the old default six (with the collaborators picker and the top
priority) gets the new default; a pack whose admin changed its questions keeps them. The
answers of a pack that moves keep their words: what moved forward is stored from now on as
Slack writes message text, so its `&`, `<` and `>` are escaped as such (and a `<@U…>` typed
by hand stays text, never a mention).

The questions are written out here, not imported: this migration must keep doing what it did
when the code's defaults change again.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

PROGRESS = "What did you move forward since the last check-in?"
FOCUS = "What will you focus on next?"
BLOCKERS = "Anything blocking you?"
ALIGNMENT = "How aligned do you feel with where the project is heading?"
OLD_DEFAULT: list[dict[str, Any]] = [
    {"key": "progress", "kind": "text", "label": PROGRESS, "required": True},
    {"key": "focus", "kind": "text", "label": FOCUS, "required": True},
    {"key": "blockers", "kind": "blockers", "label": BLOCKERS, "required": False},
    {
        "key": "collaborators",
        "kind": "collaborators",
        "label": "Who are you working with on it?",
        "required": False,
    },
    {"key": "alignment", "kind": "alignment", "label": ALIGNMENT, "required": True},
    {
        "key": "priority",
        "kind": "priority",
        "label": "What should the team's top priority be right now?",
        "required": False,
    },
]
NEW_DEFAULT: list[dict[str, Any]] = [
    {"key": "progress", "kind": "progress", "label": PROGRESS, "required": True},
    {"key": "focus", "kind": "text", "label": FOCUS, "required": True},
    {"key": "blockers", "kind": "blockers", "label": BLOCKERS, "required": False},
    {"key": "alignment", "kind": "alignment", "label": ALIGNMENT, "required": True},
]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _move(old: list[dict[str, Any]], new: list[dict[str, Any]], progress: Any) -> None:
    conn = op.get_bind()
    packs = sa.table("packs", sa.column("id", sa.Integer), sa.column("settings", sa.JSON))
    answers = sa.table(
        "answers",
        sa.column("id", sa.Integer),
        sa.column("pack_id", sa.Integer),
        sa.column("texts", sa.JSON),
    )
    for pack_id, settings in conn.execute(sa.select(packs.c.id, packs.c.settings)).all():
        if not isinstance(settings, dict) or settings.get("questions") != old:
            continue
        conn.execute(
            packs.update()
            .where(packs.c.id == pack_id)
            .values(settings={**settings, "questions": new})
        )
        rows = conn.execute(
            sa.select(answers.c.id, answers.c.texts).where(answers.c.pack_id == pack_id)
        ).all()
        for answer_id, texts in rows:
            if not isinstance(texts, dict) or not texts.get("progress"):
                continue
            changed = {**texts, "progress": progress(str(texts["progress"]))}
            conn.execute(answers.update().where(answers.c.id == answer_id).values(texts=changed))


def upgrade() -> None:
    _move(OLD_DEFAULT, NEW_DEFAULT, _escape)


def downgrade() -> None:
    _move(NEW_DEFAULT, OLD_DEFAULT, _unescape)
