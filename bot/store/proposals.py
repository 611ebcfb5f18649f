"""Proposals and the members' positions on them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import and_, func, insert, literal, select, update

from bot.core.errors import NotAllowed, NotFound
from bot.core.proposals import Outcome, Position, Proposal, Response
from bot.store.models import (
    MembershipRow,
    PackRow,
    ProposalResponseRow,
    ProposalRow,
    StatementRow,
    UTCDateTime,
)
from bot.store.scoped import GONE, Scoped, dialect_insert
from bot.store.statements import SqlStatements


def _proposal(row: ProposalRow) -> Proposal:
    return Proposal(
        id=row.id,
        pack_id=row.pack_id,
        text=row.text,
        author_id=row.author_id,
        closes_at=row.closes_at,
        outcome=Outcome(row.outcome) if row.outcome else None,
        closed_at=row.closed_at,
        channel_id=row.channel_id,
        message_ts=row.message_ts,
        statement_id=row.statement_id,
        revises_id=row.revises_id,
    )


class SqlProposals(Scoped):
    def _row(self, proposal_id: int) -> ProposalRow | None:
        return self.session.scalar(
            select(ProposalRow).where(
                ProposalRow.workspace_id == self.workspace_id, ProposalRow.id == proposal_id
            )
        )

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
        row = self._row(int(inserted[0]))
        assert row is not None
        if statement_id is not None:
            # Putting a statement to a decision is discussing it (SPEC §4.6).
            SqlStatements(self.session, self.workspace_id).mark_discussed(statement_id, now)
        return _proposal(row)

    def get(self, proposal_id: int) -> Proposal | None:
        row = self._row(proposal_id)
        return _proposal(row) if row else None

    def of_pack(self, pack_id: int, *, open_only: bool = False) -> list[Proposal]:
        query = (
            select(ProposalRow)
            .where(ProposalRow.workspace_id == self.workspace_id, ProposalRow.pack_id == pack_id)
            .order_by(ProposalRow.id)
        )
        if open_only:
            query = query.where(ProposalRow.outcome.is_(None))
        return [_proposal(r) for r in self.session.scalars(query)]

    def set_message(self, proposal_id: int, channel_id: str, ts: str) -> None:
        self.session.execute(
            update(ProposalRow)
            .where(ProposalRow.workspace_id == self.workspace_id, ProposalRow.id == proposal_id)
            .values(channel_id=channel_id, message_ts=ts)
        )

    def standing(self, proposal_id: int, user_id: str) -> tuple[Proposal, str, bool] | None:
        # One round trip: every click on a proposal's buttons starts here.
        row = self.session.execute(
            select(ProposalRow, PackRow.channel_id, MembershipRow.active)
            .join(
                PackRow,
                and_(PackRow.id == ProposalRow.pack_id, PackRow.workspace_id == self.workspace_id),
            )
            .outerjoin(MembershipRow, self._membership_of(ProposalRow.pack_id, user_id))
            .where(ProposalRow.workspace_id == self.workspace_id, ProposalRow.id == proposal_id)
        ).first()
        if row is None:
            return None
        proposal, channel_id, active = row
        return _proposal(proposal), channel_id, bool(active)

    def respond(
        self, proposal_id: int, user_id: str, position: Position, reason: str, now: dt.datetime
    ) -> None:
        # One statement (a click's insert), which adds the row only when the proposal is
        # this workspace's.
        inserted = self.session.execute(
            insert(ProposalResponseRow)
            .from_select(
                ["workspace_id", "proposal_id", "user_id", "position", "reason", "created_at"],
                select(
                    ProposalRow.workspace_id,
                    ProposalRow.id,
                    literal(user_id),
                    literal(position.value),
                    literal(reason),
                    literal(now, UTCDateTime()),
                ).where(
                    ProposalRow.workspace_id == self.workspace_id, ProposalRow.id == proposal_id
                ),
            )
            .returning(ProposalResponseRow.id)
        ).first()
        if inserted is None:
            raise NotFound(GONE)

    def positions(self, proposal_id: int) -> list[Response]:
        # Each member's latest row, found in SQL: a proposal's history can be long.
        latest = (
            select(func.max(ProposalResponseRow.id))
            .where(
                ProposalResponseRow.workspace_id == self.workspace_id,
                ProposalResponseRow.proposal_id == proposal_id,
            )
            .group_by(ProposalResponseRow.user_id)
        )
        rows = self.session.execute(
            select(
                ProposalResponseRow.user_id,
                ProposalResponseRow.position,
                ProposalResponseRow.reason,
                ProposalResponseRow.created_at,
            )
            .where(ProposalResponseRow.id.in_(latest))
            .order_by(ProposalResponseRow.id)
        )
        return [Response(u, Position(p), r, c) for u, p, r, c in rows]

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
