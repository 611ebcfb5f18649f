"""The workspace row, and the unit of work that binds every repository to one session and
one workspace."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.checkins import SqlAnswers, SqlRounds
from bot.store.deliveries import SqlDeliveries
from bot.store.models import WorkspaceRow
from bot.store.packs import SqlMembers, SqlPacks, SqlPeople
from bot.store.privacy import SqlPrivacy
from bot.store.proposals import SqlProposals
from bot.store.scoped import dialect_insert
from bot.store.statements import SqlStatements


def ensure_workspace(session: Session, team_id: str, enterprise_id: str) -> int:
    now = dt.datetime.now(dt.UTC)
    stmt = (
        dialect_insert(session)(WorkspaceRow)
        .values(team_id=team_id, enterprise_id=enterprise_id, created_at=now)
        .on_conflict_do_nothing(index_elements=["team_id", "enterprise_id"])
    )
    session.execute(stmt)
    found = session.scalar(
        select(WorkspaceRow.id).where(
            WorkspaceRow.team_id == team_id, WorkspaceRow.enterprise_id == enterprise_id
        )
    )
    assert found is not None
    return found


@dataclasses.dataclass
class SqlTransaction:
    """core.ports.Transaction: the repositories of one workspace sharing one session."""

    session: Session
    workspace_id: int

    def __post_init__(self) -> None:
        self.packs = SqlPacks(self.session, self.workspace_id)
        self.people = SqlPeople(self.session, self.workspace_id)
        self.members = SqlMembers(self.session, self.workspace_id)
        self.rounds = SqlRounds(self.session, self.workspace_id)
        self.answers = SqlAnswers(self.session, self.workspace_id)
        self.deliveries = SqlDeliveries(self.session, self.workspace_id)
        self.statements = SqlStatements(self.session, self.workspace_id)
        self.proposals = SqlProposals(self.session, self.workspace_id)
        self.privacy = SqlPrivacy(self.session, self.workspace_id)
