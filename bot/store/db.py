"""Engine, sessions and migrations. Nothing here runs at import time."""

from __future__ import annotations

import contextlib
import select as io_select
from collections.abc import Iterator
from importlib.resources import files
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from bot.store.models import WorkspaceRow
from bot.store.workspace import SqlTransaction, ensure_workspace


def normalize_url(url: str) -> str:
    """`postgres://` and `postgresql://` use psycopg 3, the driver we install."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


# The execution option that marks a connection of a unit of work that only reads.
READING = "wolfpack_reading"


# Seconds to make a PostgreSQL connection (DATABASE_URL's `?connect_timeout=N` overrides it).
CONNECT_TIMEOUT = 10


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # WAL lets readers run beside the one writer; foreign keys are off by default.
            # Autocommit mode lets SQLAlchemy's begin event below issue BEGIN IMMEDIATE.
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL survives a crash of the process; only an OS crash can lose
            # the last commits, and it never corrupts the file.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # Take the write lock up front: a deferred transaction that later writes can fail
            # with "database is locked" instead of waiting its turn. A unit that only reads
            # (`SqlDatabase.reading`) takes no lock: WAL readers never wait for the writer.
            if conn.get_execution_options().get(READING):
                conn.exec_driver_sql("BEGIN")
            else:
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # Sized for the HTTP and listener threads working at once (bench/load.py). No pre-ping: it
    # costs a round trip per transaction. A connection the server closed (a restart, a
    # failover, a proxy cutting idle connections) is found without one, below.
    options: dict[str, Any] = {"pool_size": 20, "max_overflow": 20, "pool_recycle": 1800}
    if "connect_timeout" not in parsed.query:
        # libpq waits for a host that drops packets as long as the system's TCP timeout
        # (about two minutes); a connection not made in this long is reported instead.
        options["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT}
    options.update(kwargs)
    engine = create_engine(url, **options)
    event.listen(engine, "checkout", _closed_by_server)
    return engine


def _closed_by_server(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
    """A pooled connection the server has closed has its end of file waiting on the socket:
    one poll() call, no round trip, finds it, and the pool connects afresh instead of failing
    the request that drew it (otherwise the first request after a database restart fails)."""
    poll = getattr(io_select, "poll", None)
    if poll is None:  # no poll() on this platform: the first statement finds out
        return
    try:
        fd = dbapi_conn.fileno()
    except Exception as error:
        raise DisconnectionError("connection already closed") from error
    poller = poll()
    poller.register(fd, io_select.POLLIN | io_select.POLLERR | io_select.POLLHUP)
    # An idle connection has nothing to read: readable means closed, or a server notice
    # nobody waits for; either way a new connection is the safe choice.
    if poller.poll(0):
        raise DisconnectionError("the server closed this connection")


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("bot.store") / "migrations"))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def schema_revision(engine: Engine) -> str | None:
    """The migration the database is at; None before the first one. Connects."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


class SqlDatabase:
    """core.ports.Database on SQLAlchemy."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._workspaces: dict[tuple[str, str], int] = {}
        # Reads on PostgreSQL run in autocommit: no BEGIN and COMMIT round trips around them.
        # On SQLite they take a deferred (shared) lock instead of the write lock (see above).
        # Set on each connection, not by an engine with these options: such an engine sets
        # them from an event, which makes every statement on its connections go through
        # SQLAlchemy's event dispatch.
        postgres = engine.dialect.name == "postgresql"
        self._reading: dict[str, Any] = (
            {"isolation_level": "AUTOCOMMIT"} if postgres else {READING: True}
        )

    @contextlib.contextmanager
    def transaction(
        self, team_id: str, enterprise_id: str | None = None
    ) -> Iterator[SqlTransaction]:
        key = (team_id, enterprise_id or "")
        with self.engine.begin() as connection:
            workspace_id = self._workspaces.get(key)
            if workspace_id is None:
                workspace_id = ensure_workspace(connection, team_id, enterprise_id or "")
                self._workspaces[key] = workspace_id
            transaction = SqlTransaction(connection, workspace_id)
            try:
                yield transaction
                transaction.flush()
            finally:
                transaction.close()

    @contextlib.contextmanager
    def reading(self, team_id: str, enterprise_id: str | None = None) -> Iterator[SqlTransaction]:
        """A unit of work that only reads. On PostgreSQL each statement sees what was
        committed when it started (autocommit: a use case that needs one snapshot reads in one
        statement); on SQLite the reads share one transaction."""
        workspace_id = self._workspaces.get((team_id, enterprise_id or ""))
        if workspace_id is None:
            with self.transaction(team_id, enterprise_id) as found:
                workspace_id = found.workspace_id
        with self.engine.connect() as connection:
            connection.execution_options(**self._reading)
            unit = SqlTransaction(connection, workspace_id)
            try:
                yield unit
            finally:
                unit.close()

    def team_ids(self) -> list[str]:
        """Every workspace the app is installed in (the tick's work); not those that
        uninstalled it."""
        with self._sessions.begin() as session:
            return list(
                session.scalars(
                    select(WorkspaceRow.team_id)
                    .where(WorkspaceRow.uninstalled_at.is_(None))
                    .order_by(WorkspaceRow.id)
                )
            )

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    def forget_workspace_cache(self) -> None:
        self._workspaces.clear()
