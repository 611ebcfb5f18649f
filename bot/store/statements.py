"""Statements and the votes on them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import or_, select, update

from bot.core.statements import Statement, Vote, VoteValue
from bot.store.models import PackRow, StatementRow, VoteRow
from bot.store.scoped import Scoped, dialect_insert


def _statement(row: StatementRow) -> Statement:
    return Statement(
        id=row.id,
        pack_id=row.pack_id,
        text=row.text,
        author_id=row.author_id,
        hidden=row.hidden,
        meta=row.meta,
        created_at=row.created_at,
        discussed_at=row.discussed_at,
        alert_message=(row.alert_channel, row.alert_ts)
        if row.alert_channel and row.alert_ts
        else None,
    )


class SqlStatements(Scoped):
    def _row(self, **where: Any) -> StatementRow | None:
        return self.session.scalar(
            select(StatementRow).filter_by(workspace_id=self.workspace_id, **where)
        )

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
        row = self._row(pack_id=pack_id, normalized=normalized)
        assert row is not None
        return _statement(row), created

    def get(self, statement_id: int) -> Statement | None:
        row = self._row(id=statement_id)
        return _statement(row) if row else None

    def of_pack(self, pack_id: int, *, include_hidden: bool = False) -> list[Statement]:
        query = (
            select(StatementRow)
            .where(StatementRow.workspace_id == self.workspace_id, StatementRow.pack_id == pack_id)
            .order_by(StatementRow.id)
        )
        if not include_hidden:
            query = query.where(StatementRow.hidden.is_(False))
        return [_statement(r) for r in self.session.scalars(query)]

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
        rows = self.session.scalars(
            select(VoteRow)
            .where(VoteRow.workspace_id == self.workspace_id, VoteRow.pack_id == pack_id)
            .order_by(VoteRow.id)
        )
        return [
            Vote(r.statement_id, r.user_id, VoteValue(r.value), r.reason, r.created_at)
            for r in rows
        ]

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

    def discussed_in_thread(self, channel_id: str, thread_ts: str, now: dt.datetime) -> int | None:
        row = self._row(alert_channel=channel_id, alert_ts=thread_ts)
        if row is None:
            return None
        row.discussed_at = now
        self.session.flush()
        return row.id
