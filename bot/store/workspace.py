"""The workspace row, and the unit of work that binds every repository to one transaction
and one workspace."""

from __future__ import annotations

import datetime as dt
from functools import cached_property

from sqlalchemy import Connection, select

from bot.store.blockers import SqlBlockers
from bot.store.checkins import SqlAnswers, SqlRounds
from bot.store.deliveries import SqlDeliveries
from bot.store.models import WorkspaceRow
from bot.store.packs import SqlMembers, SqlPacks, SqlPeople
from bot.store.privacy import SqlPrivacy
from bot.store.proposals import SqlProposals
from bot.store.scoped import Unit, dialect_insert
from bot.store.statements import SqlStatements


def ensure_workspace(connection: Connection, team_id: str, enterprise_id: str) -> int:
    now = dt.datetime.now(dt.UTC)
    workspaces = WorkspaceRow.__table__
    connection.execute(
        dialect_insert(connection)(workspaces)
        .values(team_id=team_id, enterprise_id=enterprise_id, created_at=now)
        .on_conflict_do_nothing(index_elements=["team_id", "enterprise_id"])
    )
    found = connection.scalar(
        select(workspaces.c.id).where(
            workspaces.c.team_id == team_id, workspaces.c.enterprise_id == enterprise_id
        )
    )
    assert found is not None
    return int(found)


class SqlTransaction(Unit):
    """core.ports.Transaction: the repositories of one workspace in one transaction, each
    made the first time it is asked for."""

    @cached_property
    def packs(self) -> SqlPacks:
        return SqlPacks(self)

    @cached_property
    def people(self) -> SqlPeople:
        return SqlPeople(self)

    @cached_property
    def members(self) -> SqlMembers:
        return SqlMembers(self)

    @cached_property
    def rounds(self) -> SqlRounds:
        return SqlRounds(self)

    @cached_property
    def answers(self) -> SqlAnswers:
        return SqlAnswers(self)

    @cached_property
    def deliveries(self) -> SqlDeliveries:
        return SqlDeliveries(self)

    @cached_property
    def statements(self) -> SqlStatements:
        return SqlStatements(self)

    @cached_property
    def proposals(self) -> SqlProposals:
        return SqlProposals(self)

    @cached_property
    def privacy(self) -> SqlPrivacy:
        return SqlPrivacy(self)

    @cached_property
    def blockers(self) -> SqlBlockers:
        return SqlBlockers(self)
