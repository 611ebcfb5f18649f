"""The base of the repositories: SQL in, core objects out. Each is bound to one workspace
and filters every query on it, so one workspace's request can never read or write another's
rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Executable, Result, and_, bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from bot.core.errors import NotFound
from bot.store.models import MembershipRow


def dialect_insert(session: Session) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


GONE = "That is gone: run the command again."

# The workspace of a statement built once (at import): `Scoped._execute` gives its value.
WORKSPACE: BindParameter[int] = bindparam("workspace_id")


class Scoped:
    """A repository bound to one workspace: `session` and `workspace_id` for every query."""

    def __init__(self, session: Session, workspace_id: int) -> None:
        self.session = session
        self.workspace_id = workspace_id

    def _execute(self, statement: Executable, **params: Any) -> Result[*tuple[Any, ...]]:
        """Runs a statement whose `WORKSPACE` parameter is this repository's workspace."""
        return self.session.execute(statement, {"workspace_id": self.workspace_id, **params})

    def _membership_of(self, pack_id: Any, user_id: str) -> ColumnElement[bool]:
        """Joins the user's membership row of the pack `pack_id` (a column) in this workspace."""
        return and_(
            MembershipRow.workspace_id == self.workspace_id,
            MembershipRow.pack_id == pack_id,
            MembershipRow.user_id == user_id,
        )

    def _owns(self, model: Any, row_id: int, **where: Any) -> bool:
        """Whether the row is this workspace's. A write that names a parent row (a pack, a
        round, a statement, a proposal) checks it first: keys are unique across workspaces, so
        a row of this workspace linked to another's would count there, or block its inserts."""
        found = self.session.scalar(
            select(model.id).filter_by(workspace_id=self.workspace_id, id=row_id, **where)
        )
        return found is not None

    def _require(self, model: Any, row_id: int, **where: Any) -> None:
        """NotFound unless the row is this workspace's (see `_owns`)."""
        if not self._owns(model, row_id, **where):
            raise NotFound(GONE)
