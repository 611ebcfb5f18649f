"""Statements and the votes on them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, bindparam, case, func, insert, or_, select, true, update

from bot.core.packs import Member, Pack
from bot.core.statements import Reply, Statement, StatementView, Tally, Vote, VoteValue
from bot.store.models import PackRow, StatementRow, ThreadReplyRow, VoteRow
from bot.store.packs import (
    IN_CHANNEL_COLUMNS,
    IN_CHANNEL_FROM,
    IN_CHANNEL_WHERE,
    PACKS,
    in_channel_of,
)
from bot.store.scoped import WORKSPACE, Scoped, dialect_insert

STATEMENTS, VOTES = StatementRow.__table__, VoteRow.__table__
REPLIES = ThreadReplyRow.__table__
STATEMENT_COLUMNS = (
    STATEMENTS.c.id,
    STATEMENTS.c.pack_id,
    STATEMENTS.c.text,
    STATEMENTS.c.author_id,
    STATEMENTS.c.hidden,
    STATEMENTS.c.meta,
    STATEMENTS.c.created_at,
    STATEMENTS.c.discussed_at,
    STATEMENTS.c.alert_channel,
    STATEMENTS.c.alert_ts,
)
_STATEMENT = select(*STATEMENT_COLUMNS).where(STATEMENTS.c.workspace_id == WORKSPACE)
_OF_PACK = _STATEMENT.where(STATEMENTS.c.pack_id == bindparam("pack_id")).order_by(STATEMENTS.c.id)


def _counted(pack_id: Any) -> Select[Any]:
    """The pack's statements that take votes, each with the latest votes counted (each
    member's latest vote is the one that counts) and the user's own."""
    latest = (
        select(VOTES.c.statement_id, VOTES.c.user_id, VOTES.c.value)
        .where(
            VOTES.c.id.in_(
                select(func.max(VOTES.c.id))
                .where(VOTES.c.workspace_id == WORKSPACE, VOTES.c.pack_id == pack_id)
                .group_by(VOTES.c.statement_id, VOTES.c.user_id)
            )
        )
        .subquery()
    )

    def count(value: VoteValue) -> Any:
        return func.count(case((latest.c.value == int(value), 1)))

    return (
        select(
            *STATEMENT_COLUMNS,
            count(VoteValue.AGREE),
            count(VoteValue.DISAGREE),
            count(VoteValue.PASS),
            func.max(case((latest.c.user_id == bindparam("user_id"), latest.c.value))),
        )
        .select_from(STATEMENTS.outerjoin(latest, latest.c.statement_id == STATEMENTS.c.id))
        .where(
            STATEMENTS.c.workspace_id == WORKSPACE,
            STATEMENTS.c.pack_id == pack_id,
            STATEMENTS.c.hidden.is_(False),
        )
        .group_by(*STATEMENT_COLUMNS)
    )


_COUNTED = _counted(bindparam("pack_id")).order_by(STATEMENTS.c.id)
# The channel's pack, the user's membership, and the pack's statements counted, in one
# statement (`/direction list`): a row per statement, or one with no statement.
_CHANNEL_COUNTED = _counted(select(PACKS.c.id).where(IN_CHANNEL_WHERE).scalar_subquery()).subquery()
_LISTED = (
    select(*IN_CHANNEL_COLUMNS, *_CHANNEL_COUNTED.c)
    .select_from(IN_CHANNEL_FROM.outerjoin(_CHANNEL_COUNTED, true()))
    .where(IN_CHANNEL_WHERE)
    .order_by(_CHANNEL_COUNTED.c.id)
)
_VOTES = (
    select(VOTES.c.statement_id, VOTES.c.user_id, VOTES.c.value, VOTES.c.reason, VOTES.c.created_at)
    .where(VOTES.c.workspace_id == WORKSPACE, VOTES.c.pack_id == bindparam("pack_id"))
    .order_by(VOTES.c.id)
)


def _statement(values: Sequence[Any]) -> Statement:
    """A Statement from the values of STATEMENT_COLUMNS, in that order."""
    sid, pack_id, text, author_id, hidden, meta, created_at, discussed_at, channel, ts = values
    return Statement(
        id=sid,
        pack_id=pack_id,
        text=text,
        author_id=author_id,
        hidden=hidden,
        meta=meta,
        created_at=created_at,
        discussed_at=discussed_at,
        alert_message=(channel, ts) if channel and ts else None,
    )


def _view(values: Sequence[Any]) -> StatementView:
    """A StatementView from the values of a `_counted` row, in that order."""
    width = len(STATEMENT_COLUMNS)
    agree, disagree, passes, mine = values[width : width + 4]
    return StatementView(
        _statement(values[:width]),
        Tally(agree=agree, disagree=disagree, passes=passes),
        None if mine is None else VoteValue(mine),
    )


class SqlStatements(Scoped):
    def _row(self, **where: Any) -> Statement | None:
        row = self._execute(_STATEMENT.filter_by(**where)).first()
        return _statement(row) if row else None

    def add(
        self, pack_id: int, text: str, normalized: str, author_id: str, now: dt.datetime
    ) -> tuple[Statement, bool]:
        self._require(PackRow, pack_id)
        stmt = (
            dialect_insert(self.session)(StatementRow)
            .values(
                workspace_id=self.workspace_id,
                pack_id=pack_id,
                text=text,
                normalized=normalized,
                author_id=author_id,
                hidden=False,
                meta=False,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["pack_id", "normalized"])
            .returning(StatementRow.id)
        )
        created = self.session.execute(stmt).first() is not None
        found = self._row(pack_id=pack_id, normalized=normalized)
        assert found is not None
        return found, created

    def get(self, statement_id: int) -> Statement | None:
        return self._row(id=statement_id)

    def of_pack(self, pack_id: int, *, include_hidden: bool = False) -> list[Statement]:
        query = _OF_PACK if include_hidden else _OF_PACK.where(STATEMENTS.c.hidden.is_(False))
        return [_statement(r) for r in self._execute(query, pack_id=pack_id)]

    def counted(self, pack_id: int, user_id: str) -> list[StatementView]:
        rows = self._execute(_COUNTED, pack_id=pack_id, user_id=user_id)
        return [_view(row) for row in rows]

    def listed(
        self, channel_id: str, user_id: str
    ) -> tuple[Pack, Member | None, list[StatementView]] | None:
        rows = self._execute(_LISTED, channel_id=channel_id, user_id=user_id).all()
        if not rows:
            return None
        pack, member = in_channel_of(rows[0])
        width = len(IN_CHANNEL_COLUMNS)
        return pack, member, [_view(row[width:]) for row in rows if row[width] is not None]

    def set_hidden(self, statement_id: int, hidden: bool) -> bool:
        result = self.session.execute(
            update(StatementRow)
            .where(StatementRow.workspace_id == self.workspace_id, StatementRow.id == statement_id)
            .values(hidden=hidden)
        )
        return int(getattr(result, "rowcount", 0) or 0) == 1

    def vote(
        self,
        statement_id: int,
        pack_id: int,
        user_id: str,
        value: VoteValue,
        reason: str,
        now: dt.datetime,
    ) -> None:
        self._require(StatementRow, statement_id, pack_id=pack_id)
        self.session.add(
            VoteRow(
                workspace_id=self.workspace_id,
                pack_id=pack_id,
                statement_id=statement_id,
                user_id=user_id,
                value=int(value),
                reason=reason,
                created_at=now,
            )
        )
        self.session.flush()

    def votes(self, pack_id: int) -> list[Vote]:
        rows = self._execute(_VOTES, pack_id=pack_id)
        return [Vote(sid, who, VoteValue(value), why, at) for sid, who, value, why, at in rows]

    def claim_alert(self, statement_id: int, now: dt.datetime, quiet_since: dt.datetime) -> bool:
        result = self.session.execute(
            update(StatementRow)
            .where(
                StatementRow.workspace_id == self.workspace_id,
                StatementRow.id == statement_id,
                or_(StatementRow.alerted_at.is_(None), StatementRow.alerted_at <= quiet_since),
            )
            .values(alerted_at=now)
        )
        return int(getattr(result, "rowcount", 0) or 0) == 1

    def set_alert_message(self, statement_id: int, channel_id: str, ts: str) -> None:
        self.session.execute(
            update(StatementRow)
            .where(StatementRow.workspace_id == self.workspace_id, StatementRow.id == statement_id)
            .values(alert_channel=channel_id, alert_ts=ts)
        )

    def mark_discussed(self, statement_id: int, now: dt.datetime) -> None:
        self.session.execute(
            update(StatementRow)
            .where(StatementRow.workspace_id == self.workspace_id, StatementRow.id == statement_id)
            .values(discussed_at=now)
        )

    def discussed_in_thread(
        self, channel_id: str, thread_ts: str, user_id: str, now: dt.datetime
    ) -> int | None:
        found = self._row(alert_channel=channel_id, alert_ts=thread_ts)
        if found is None:
            return None
        self.mark_discussed(found.id, now)
        add_reply(self, found.pack_id, user_id, now, statement_id=found.id)
        return found.id

    def replies(self, pack_id: int, since: dt.datetime) -> list[Reply]:
        rows = self._execute(_REPLIES, pack_id=pack_id, since=since)
        return [Reply(who, at, sid, pid) for who, at, sid, pid in rows]


_REPLIES = (
    select(REPLIES.c.user_id, REPLIES.c.created_at, REPLIES.c.statement_id, REPLIES.c.proposal_id)
    .where(
        REPLIES.c.workspace_id == WORKSPACE,
        REPLIES.c.pack_id == bindparam("pack_id"),
        REPLIES.c.created_at >= bindparam("since"),
    )
    .order_by(REPLIES.c.id)
)


def add_reply(
    repo: Scoped,
    pack_id: int,
    user_id: str,
    now: dt.datetime,
    *,
    statement_id: int | None = None,
    proposal_id: int | None = None,
) -> None:
    """Records a reply in a thread of the repository's workspace (its pack and statement or
    proposal read through the same workspace)."""
    repo.unit.execute(
        insert(ThreadReplyRow).values(
            workspace_id=repo.workspace_id,
            pack_id=pack_id,
            statement_id=statement_id,
            proposal_id=proposal_id,
            user_id=user_id,
            created_at=now,
        )
    )
