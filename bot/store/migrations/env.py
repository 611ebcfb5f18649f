"""Alembic environment: runs on the engine handed over by bot.store.db.upgrade."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, pool

from bot.store.db import make_engine
from bot.store.models import Base

config = context.config
target_metadata = Base.metadata


def _engine() -> Engine:
    given = config.attributes.get("engine")
    if isinstance(given, Engine):
        return given
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database: set DATABASE_URL or run `wolfpack db upgrade`")
    return make_engine(url, poolclass=pool.NullPool)


def run_migrations_online() -> None:
    engine = _engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
