"""The Alembic migrations build exactly the schema the models describe, on both databases, and
the latest one can be undone and applied again."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.store.db import alembic_config, make_engine, upgrade
from bot.store.models import Base


def test_migrations_match_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    finally:
        engine.dispose()


def test_the_latest_migration_goes_down_and_up_again(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        upgrade(engine)
        command.downgrade(alembic_config(engine), "-1")
        columns = {c["name"] for c in inspect(engine).get_columns("statements")}
        assert "discussed_at" not in columns
        upgrade(engine)
        columns = {c["name"] for c in inspect(engine).get_columns("statements")}
        assert {"alert_channel", "alert_ts", "discussed_at"} <= columns
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    finally:
        engine.dispose()
