"""The base of the repositories: SQL in, core objects out. Each is bound to one workspace
and filters every query on it, so one workspace's request can never read or write another's
rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Executable, Result, bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter

from bot.core.errors import NotFound


def dialect_insert(bind: Connection | Session) -> Any:
    engine = bind.get_bind() if isinstance(bind, Session) else bind
    return pg_insert if engine.dialect.name == "postgresql" else sqlite_insert


GONE = "That is gone: run the command again."

# The workspace of a statement built once (at import): `Scoped._execute` gives its value.
WORKSPACE: BindParameter[int] = bindparam("workspace_id")


class Unit:
    """One database transaction of one workspace, which its repositories share.

    Statements run on the transaction's connection. The ORM session, which the writes that
    load and change rows as objects need, is opened on the same connection the first time one
    asks for it, and flushed before the transaction commits: a unit of work that only runs
    statements (most requests) costs no session, about a third of a short transaction's CPU."""

    def __init__(self, connection: Connection, workspace_id: int) -> None:
        self.connection = connection
        self.workspace_id = workspace_id
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            # The transaction is the caller's: the session never commits it (flush() does
            # the writing), and a failed flush rolls it back.
            self._session = Session(
                bind=self.connection,
                expire_on_commit=False,
                join_transaction_mode="rollback_only",
            )
        return self._session

    def execute(
        self, statement: Executable, params: dict[str, Any] | None = None
    ) -> Result[*tuple[Any, ...]]:
        """Runs a statement in the transaction; once the session is open, through it, so that
        what it holds unwritten is flushed first and the statement sees it."""
        if self._session is None:
            return self.connection.execute(statement, params)
        return self._session.execute(statement, params)

    def flush(self) -> None:
        """Writes what the session holds, before the transaction commits."""
        if self._session is not None:
            self._session.flush()

    def close(self) -> None:
        if self._session is not None:
            self._session.close()


class Scoped:
    """A repository bound to one workspace: `unit` (the transaction, with its `session`) and
    `workspace_id` for every query."""

    def __init__(self, unit: Unit) -> None:
        self.unit = unit
        self.workspace_id = unit.workspace_id

    @property
    def session(self) -> Session:
        return self.unit.session

    def _execute(self, statement: Executable, **params: Any) -> Result[*tuple[Any, ...]]:
        """Runs a statement whose `WORKSPACE` parameter is this repository's workspace."""
        return self.unit.execute(statement, {"workspace_id": self.workspace_id, **params})

    def _owns(self, model: Any, row_id: int, **where: Any) -> bool:
        """Whether the row is this workspace's. A write that names a parent row (a pack, a
        round, a statement, a proposal) checks it first: keys are unique across workspaces, so
        a row of this workspace linked to another's would count there, or block its inserts."""
        table = model.__table__
        query = select(table.c.id).where(table.c.workspace_id == WORKSPACE)
        found = self._execute(query.filter_by(id=row_id, **where)).first()
        return found is not None

    def _require(self, model: Any, row_id: int, **where: Any) -> None:
        """NotFound unless the row is this workspace's (see `_owns`)."""
        if not self._owns(model, row_id, **where):
            raise NotFound(GONE)
