"""Proposals and the members' positions on them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import String, Table, and_, bindparam, case, func, insert, select, true, update
from sqlalchemy.sql.elements import BindParameter

from bot.core.errors import NotAllowed
from bot.core.packs import Pack
from bot.core.proposals import Counts, Outcome, Position, Proposal, Response
from bot.store.models import (
    PackRow,
    ProposalResponseRow,
    ProposalRow,
    StatementRow,
    UTCDateTime,
)
from bot.store.packs import MEMBERSHIPS, PACK_COLUMNS, PACKS, pack_of
from bot.store.scoped import WORKSPACE, Scoped, dialect_insert
from bot.store.statements import SqlStatements, add_reply

PROPOSALS = ProposalRow.__table__
RESPONSES = cast(Table, ProposalResponseRow.__table__)
PROPOSAL_COLUMNS = (
    PROPOSALS.c.id,
    PROPOSALS.c.pack_id,
    PROPOSALS.c.text,
    PROPOSALS.c.author_id,
    PROPOSALS.c.closes_at,
    PROPOSALS.c.outcome,
    PROPOSALS.c.closed_at,
    PROPOSALS.c.channel_id,
    PROPOSALS.c.message_ts,
    PROPOSALS.c.statement_id,
    PROPOSALS.c.revises_id,
)
_PROPOSAL_ID: BindParameter[int] = bindparam("proposal_id")
_PROPOSAL = select(*PROPOSAL_COLUMNS).where(PROPOSALS.c.workspace_id == WORKSPACE)
_PROPOSAL_BY_ID = _PROPOSAL.where(PROPOSALS.c.id == _PROPOSAL_ID)
_BY_MESSAGE = _PROPOSAL.where(
    PROPOSALS.c.channel_id == bindparam("channel_id"),
    PROPOSALS.c.message_ts == bindparam("message_ts"),
)
_WITH_PACK = PROPOSALS.join(
    PACKS, and_(PACKS.c.id == PROPOSALS.c.pack_id, PACKS.c.workspace_id == WORKSPACE)
)
# The user's membership of the proposal's pack.
_MEMBERSHIP = and_(
    MEMBERSHIPS.c.workspace_id == WORKSPACE,
    MEMBERSHIPS.c.pack_id == PROPOSALS.c.pack_id,
    MEMBERSHIPS.c.user_id == bindparam("user_id"),
)
# The proposal, its pack's channel, and the user's membership of that pack.
_STANDING = (
    select(*PROPOSAL_COLUMNS, PACKS.c.channel_id, MEMBERSHIPS.c.active)
    .select_from(_WITH_PACK.outerjoin(MEMBERSHIPS, _MEMBERSHIP))
    .where(PROPOSALS.c.workspace_id == WORKSPACE, PROPOSALS.c.id == _PROPOSAL_ID)
)
# A position, inserted only when the proposal is this workspace's, still open at `now`, and
# the user an active member of its pack: the rules of `respond`, in one statement.
_RESPOND = (
    insert(RESPONSES)
    .from_select(
        ["workspace_id", "proposal_id", "user_id", "position", "reason", "created_at"],
        select(
            PROPOSALS.c.workspace_id,
            PROPOSALS.c.id,
            bindparam("user_id", type_=String()),
            bindparam("position", type_=String()),
            bindparam("reason", type_=String()),
            bindparam("now", type_=UTCDateTime()),
        )
        .select_from(PROPOSALS.join(MEMBERSHIPS, and_(_MEMBERSHIP, MEMBERSHIPS.c.active.is_(True))))
        .where(
            PROPOSALS.c.workspace_id == WORKSPACE,
            PROPOSALS.c.id == _PROPOSAL_ID,
            PROPOSALS.c.outcome.is_(None),
            PROPOSALS.c.closes_at > bindparam("now", type_=UTCDateTime()),
        ),
    )
    .returning(RESPONSES.c.id)
)
# Each member's latest position (the one that counts); a proposal's history can be long.
_LATEST_IDS = (
    select(func.max(RESPONSES.c.id))
    .where(RESPONSES.c.workspace_id == WORKSPACE, RESPONSES.c.proposal_id == _PROPOSAL_ID)
    .group_by(RESPONSES.c.user_id)
)
_POSITIONS = (
    select(RESPONSES.c.user_id, RESPONSES.c.position, RESPONSES.c.reason, RESPONSES.c.created_at)
    .where(RESPONSES.c.id.in_(_LATEST_IDS))
    .order_by(RESPONSES.c.id)
)
# The latest positions counted: one row, whatever the proposal's history.
_COUNTS = (
    select(
        *(func.count(case((RESPONSES.c.position == p.value, 1))).label(p.value) for p in Position)
    )
    .where(RESPONSES.c.id.in_(_LATEST_IDS))
    .subquery()
)
_COUNTED = (
    select(*PROPOSAL_COLUMNS, *PACK_COLUMNS, *_COUNTS.c)
    .select_from(_WITH_PACK.join(_COUNTS, true()))
    .where(PROPOSALS.c.workspace_id == WORKSPACE, PROPOSALS.c.id == _PROPOSAL_ID)
)


def _proposal(values: Sequence[Any]) -> Proposal:
    """A Proposal from the values of PROPOSAL_COLUMNS, in that order."""
    pid, pack_id, text, author, closes_at, result, closed_at, channel, ts, sid, revises = values
    return Proposal(
        id=pid,
        pack_id=pack_id,
        text=text,
        author_id=author,
        closes_at=closes_at,
        outcome=Outcome(result) if result else None,
        closed_at=closed_at,
        channel_id=channel,
        message_ts=ts,
        statement_id=sid,
        revises_id=revises,
    )


class SqlProposals(Scoped):
    def add(
        self,
        pack_id: int,
        text: str,
        author_id: str,
        closes_at: dt.datetime,
        now: dt.datetime,
        *,
        statement_id: int | None = None,
        revises_id: int | None = None,
    ) -> Proposal:
        self._require(PackRow, pack_id)
        if statement_id is not None:
            self._require(StatementRow, statement_id, pack_id=pack_id)
        if revises_id is not None:
            self._require(ProposalRow, revises_id, pack_id=pack_id)
        inserted = self.session.execute(
            dialect_insert(self.session)(ProposalRow)
            .values(
                workspace_id=self.workspace_id,
                pack_id=pack_id,
                text=text,
                author_id=author_id,
                closes_at=closes_at,
                statement_id=statement_id,
                revises_id=revises_id,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["revises_id"])
            .returning(ProposalRow.id)
        ).first()
        if inserted is None:
            raise NotAllowed(f"Proposal #{revises_id} has been revised already.")
        found = self.get(int(inserted[0]))
        assert found is not None
        if statement_id is not None:
            # Putting a statement to a decision is discussing it (SPEC §4.6).
            SqlStatements(self.unit).mark_discussed(statement_id, now)
        return found

    def get(self, proposal_id: int) -> Proposal | None:
        row = self._execute(_PROPOSAL_BY_ID, proposal_id=proposal_id).first()
        return _proposal(row) if row else None

    def of_pack(self, pack_id: int, *, open_only: bool = False) -> list[Proposal]:
        query = _PROPOSAL.where(PROPOSALS.c.pack_id == pack_id).order_by(PROPOSALS.c.id)
        if open_only:
            query = query.where(PROPOSALS.c.outcome.is_(None))
        return [_proposal(r) for r in self._execute(query)]

    def set_message(self, proposal_id: int, channel_id: str, ts: str) -> None:
        self.session.execute(
            update(ProposalRow)
            .where(ProposalRow.workspace_id == self.workspace_id, ProposalRow.id == proposal_id)
            .values(channel_id=channel_id, message_ts=ts)
        )

    def replied_in_thread(
        self, channel_id: str, thread_ts: str, user_id: str, now: dt.datetime
    ) -> int | None:
        row = self._execute(_BY_MESSAGE, channel_id=channel_id, message_ts=thread_ts).first()
        if row is None:
            return None
        proposal = _proposal(row)
        add_reply(self, proposal.pack_id, user_id, now, proposal_id=proposal.id)
        return proposal.id

    def standing(self, proposal_id: int, user_id: str) -> tuple[Proposal, str, bool] | None:
        # One round trip: every click on a proposal's buttons starts here.
        row = self._execute(_STANDING, proposal_id=proposal_id, user_id=user_id).first()
        if row is None:
            return None
        *proposal, channel_id, active = row
        return _proposal(proposal), channel_id, bool(active)

    def respond(
        self, proposal_id: int, user_id: str, position: Position, reason: str, now: dt.datetime
    ) -> bool:
        inserted = self._execute(
            _RESPOND,
            proposal_id=proposal_id,
            user_id=user_id,
            position=position.value,
            reason=reason,
            now=now,
        ).first()
        return inserted is not None

    def positions(self, proposal_id: int) -> list[Response]:
        rows = self._execute(_POSITIONS, proposal_id=proposal_id)
        return [Response(u, Position(p), r, c) for u, p, r, c in rows]

    def counted(self, proposal_id: int) -> tuple[Proposal, Pack, Counts] | None:
        row = self._execute(_COUNTED, proposal_id=proposal_id).first()
        if row is None:
            return None
        width, packed = len(PROPOSAL_COLUMNS), len(PACK_COLUMNS)
        counts = Counts(**dict(zip(_COUNTS.c.keys(), row[width + packed :], strict=True)))
        return _proposal(row[:width]), pack_of(row[width : width + packed]), counts

    def responses_for(self, proposal_ids: Sequence[int]) -> dict[int, list[Response]]:
        found: dict[int, list[Response]] = {p: [] for p in proposal_ids}
        if not proposal_ids:
            return found
        rows = self.session.scalars(
            select(ProposalResponseRow)
            .where(
                ProposalResponseRow.workspace_id == self.workspace_id,
                ProposalResponseRow.proposal_id.in_(list(proposal_ids)),
            )
            .order_by(ProposalResponseRow.id)
        )
        for r in rows:
            found[r.proposal_id].append(
                Response(r.user_id, Position(r.position), r.reason, r.created_at)
            )
        return found

    def close(self, proposal_id: int, outcome: Outcome, now: dt.datetime) -> bool:
        result = self.session.execute(
            update(ProposalRow)
            .where(
                ProposalRow.workspace_id == self.workspace_id,
                ProposalRow.id == proposal_id,
                ProposalRow.outcome.is_(None),
            )
            .values(outcome=outcome.value, closed_at=now)
        )
        return int(getattr(result, "rowcount", 0) or 0) == 1
