"""The Alembic migrations build exactly the schema the models describe, on both databases, and
the latest one can be undone and applied again."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

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
