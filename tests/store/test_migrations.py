"""The Alembic migrations build exactly the schema the models describe, on both databases, and
the latest one can be undone and applied again; data steps fill what they promise."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

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
        command.downgrade(alembic_config(engine), "-1")
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
