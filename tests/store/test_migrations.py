"""The Alembic migrations build exactly the schema the models describe, on both databases, and
the latest one can be undone and applied again; data steps fill what they promise."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.core.schedule import DeliveryKey, IsoWeek
from bot.store.db import alembic_config, make_engine, upgrade
from bot.store.models import Base

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
DAY = dt.date(2026, 12, 1)


def test_migrations_match_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    finally:
        engine.dispose()


def test_the_latest_migration_goes_down_and_up_again(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")

    def differences() -> list[object]:
        with engine.connect() as conn:
            found: list[object] = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        return found

    try:
        upgrade(engine)
        # Down past the latest migration that changes the schema (0011; 0012 moves data).
        command.downgrade(alembic_config(engine), "0010")
        assert differences() != []  # the downgrade undid something the models have
        upgrade(engine)
        assert differences() == []
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def blank_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a new SQLite file, or a new schema on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'blank.db'}"
        return
    server: str = request.getfixturevalue("postgres_url")
    schema = f"wp_{uuid.uuid4().hex[:10]}"
    admin = make_engine(server)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{server}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_0008_gives_queued_deliveries_their_proposal_and_member(blank_url: str) -> None:
    engine = make_engine(blank_url)
    # What a queue at 0007 holds: (key, user_id as stored). The proposal reminder without its
    # member in user_id is one the column never named; its key does.
    stored = [
        (DeliveryKey.prompt(1, "UANA", DAY), "UANA"),
        (DeliveryKey.reminder(1, "UANA", DAY), "UANA"),
        (DeliveryKey.summary(1, IsoWeek.of(DAY)), None),
        (DeliveryKey.proposal_reminder(1, 17, "UBO"), "UBO"),
        (DeliveryKey.proposal_reminder(1, 17, "UCY"), None),
        (DeliveryKey.proposal_close(1, 17), None),
        (DeliveryKey.proposal_close(1, 4096), None),
        (DeliveryKey.lone_wolf(1, "UCY", IsoWeek.of(DAY)), "UCY"),
    ]

    def queue() -> list[tuple[str, str | None, int | None]]:
        with engine.connect() as conn:
            table = sa.Table("deliveries", sa.MetaData(), autoload_with=conn)
            rows = conn.execute(sa.select(table).order_by(table.c.id)).mappings().all()
        return [(r["key"], r["user_id"], r.get("proposal_id")) for r in rows]

    try:
        upgrade(engine, "0007")
        with engine.begin() as conn:
            tables = sa.MetaData()
            tables.reflect(conn, only=["workspaces", "packs", "deliveries"])
            conn.execute(
                tables.tables["workspaces"].insert(),
                {"id": 1, "team_id": "T0001", "enterprise_id": "", "created_at": NOW},
            )
            conn.execute(
                tables.tables["packs"].insert(),
                {
                    "id": 1,
                    "workspace_id": 1,
                    "channel_id": "CTEAM",
                    "name": "team",
                    "settings": {},
                    "admin_ids": ["UANA"],
                    "created_by": "UANA",
                    "created_at": NOW,
                    "updated_at": NOW,
                },
            )
            conn.execute(
                tables.tables["deliveries"].insert(),
                [
                    {
                        "workspace_id": 1,
                        "key": str(key),
                        "kind": key.kind.value,
                        "pack_id": key.pack_id,
                        "user_id": user_id,
                        "local_date": DAY,
                        "due_at": NOW,
                        "state": "sent",
                        "attempts": 1,
                        "in_flight": False,
                        "next_attempt_at": NOW,
                        "created_at": NOW,
                        "updated_at": NOW,
                    }
                    for key, user_id in stored
                ],
            )
        assert queue() == [(str(key), user_id, None) for key, user_id in stored]

        expected = [(str(key), key.user_id, key.proposal_id) for key, _ in stored]
        upgrade(engine, "0008")
        assert queue() == expected
        assert [p for _, _, p in expected] == [None, None, None, 17, 17, 17, 4096, None]

        command.downgrade(alembic_config(engine), "0007")
        assert queue() == [(k, u, None) for k, u, _ in expected]
        upgrade(engine, "0008")
        assert queue() == expected
    finally:
        engine.dispose()


def test_0012_moves_packs_on_the_old_default_check_in_to_the_four_question_one(
    blank_url: str,
) -> None:
    """A pack still on the old default six questions gets the four-question check-in, and what
    its members wrote under "what moved forward" is kept, stored as Slack writes message text;
    a pack whose admin changed the questions keeps them and its answers as they are."""
    from bot.core.packs import DEFAULT_QUESTIONS
    from bot.store.packs import settings_from_json

    old = [
        {
            "key": "progress",
            "kind": "text",
            "label": "What did you move forward since the last check-in?",
            "required": True,
        },
        {"key": "focus", "kind": "text", "label": "What will you focus on next?", "required": True},
        {
            "key": "blockers",
            "kind": "blockers",
            "label": "Anything blocking you?",
            "required": False,
        },
        {
            "key": "collaborators",
            "kind": "collaborators",
            "label": "Who are you working with on it?",
            "required": False,
        },
        {
            "key": "alignment",
            "kind": "alignment",
            "label": "How aligned do you feel with where the project is heading?",
            "required": True,
        },
        {
            "key": "priority",
            "kind": "priority",
            "label": "What should the team's top priority be right now?",
            "required": False,
        },
    ]
    custom = [dict(q) for q in old[:3]]
    custom[0]["label"] = "What shipped?"
    typed = "Fixed a < b & c, with <@U1> typed by hand"
    engine = make_engine(blank_url)

    def state() -> tuple[dict[int, Any], dict[int, Any]]:
        with engine.connect() as conn:
            meta = sa.MetaData()
            meta.reflect(conn, only=["packs", "answers"])
            packs = dict(conn.execute(sa.select(meta.tables["packs"].c["id", "settings"])).all())
            answers = dict(
                conn.execute(sa.select(meta.tables["answers"].c["pack_id", "texts"])).all()
            )
        return packs, answers

    try:
        upgrade(engine, "0011")
        with engine.begin() as conn:
            tables = sa.MetaData()
            tables.reflect(conn, only=["workspaces", "packs", "rounds", "answers"])
            conn.execute(
                tables.tables["workspaces"].insert(),
                {"id": 1, "team_id": "T0001", "enterprise_id": "", "created_at": NOW},
            )
            for pack_id, questions in ((1, old), (2, custom)):
                conn.execute(
                    tables.tables["packs"].insert(),
                    {
                        "id": pack_id,
                        "workspace_id": 1,
                        "channel_id": f"C{pack_id}",
                        "name": "team",
                        "settings": {"timezone": "Europe/Berlin", "questions": questions},
                        "admin_ids": ["UANA"],
                        "created_by": "UANA",
                        "created_at": NOW,
                        "updated_at": NOW,
                    },
                )
                conn.execute(
                    tables.tables["rounds"].insert(),
                    {
                        "id": pack_id,
                        "workspace_id": 1,
                        "pack_id": pack_id,
                        "local_date": DAY,
                        "created_at": NOW,
                    },
                )
                conn.execute(
                    tables.tables["answers"].insert(),
                    {
                        "workspace_id": 1,
                        "pack_id": pack_id,
                        "round_id": pack_id,
                        "user_id": "UANA",
                        "status": "answered",
                        "texts": {"progress": typed, "focus": "a < b"},
                        "collaborators": ["UBO"],
                        "blockers": "",
                        "version": 1,
                        "published_version": 1,
                        "created_at": NOW,
                        "updated_at": NOW,
                    },
                )
        before = state()
        upgrade(engine, "0012")
        packs, answers = state()
        moved = settings_from_json(packs[1])
        assert moved.questions == DEFAULT_QUESTIONS
        assert moved.timezone == "Europe/Berlin"
        assert answers[1] == {
            "progress": "Fixed a &lt; b &amp; c, with &lt;@U1&gt; typed by hand",
            "focus": "a < b",
        }
        assert packs[2] == before[0][2] and answers[2] == before[1][2]
        # And back: the old default and the words as typed.
        command.downgrade(alembic_config(engine), "0011")
        assert state() == before
    finally:
        engine.dispose()
