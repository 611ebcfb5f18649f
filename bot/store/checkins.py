"""Check-in rounds and the members' answers to them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select, update

from bot.core.checkins import Answer, AnswerInput, AnswerStatus, Round
from bot.store.models import AnswerRow, PackRow, RoundRow
from bot.store.scoped import Scoped, dialect_insert


def _round(row: RoundRow) -> Round:
    return Round(id=row.id, pack_id=row.pack_id, local_date=row.local_date, parent_ts=row.parent_ts)


def _answer(row: AnswerRow) -> Answer:
    return Answer(
        id=row.id,
        round_id=row.round_id,
        pack_id=row.pack_id,
        user_id=row.user_id,
        status=AnswerStatus(row.status),
        texts=dict(row.texts),
        collaborators=tuple(row.collaborators),
        alignment=row.alignment,
        version=row.version,
        published_version=row.published_version,
        reply_ts=row.reply_ts,
        updated_at=row.updated_at,
    )


class SqlRounds(Scoped):
    def _row(self, round_id: int) -> RoundRow | None:
        return self.session.scalar(
            select(RoundRow).where(
                RoundRow.workspace_id == self.workspace_id, RoundRow.id == round_id
            )
        )

    def get(self, round_id: int) -> Round | None:
        row = self._row(round_id)
        return _round(row) if row else None

    def find(self, pack_id: int, local_date: dt.date) -> Round | None:
        row = self.session.scalar(
            select(RoundRow).where(
                RoundRow.workspace_id == self.workspace_id,
                RoundRow.pack_id == pack_id,
                RoundRow.local_date == local_date,
            )
        )
        return _round(row) if row else None

    def get_or_create(self, pack_id: int, local_date: dt.date, now: dt.datetime) -> Round:
        found = self.find(pack_id, local_date)
        if found is not None:
            return found
        self._require(PackRow, pack_id)
        stmt = (
            dialect_insert(self.session)(RoundRow)
            .values(
                workspace_id=self.workspace_id,
                pack_id=pack_id,
                local_date=local_date,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["pack_id", "local_date"])
        )
        self.session.execute(stmt)
        found = self.find(pack_id, local_date)
        assert found is not None
        return found

    def claim_parent(self, round_id: int, now: dt.datetime, until: dt.datetime) -> bool:
        result = self.session.execute(
            update(RoundRow)
            .where(
                RoundRow.workspace_id == self.workspace_id,
                RoundRow.id == round_id,
                RoundRow.parent_ts.is_(None),
                or_(
                    RoundRow.parent_claimed_until.is_(None),
                    RoundRow.parent_claimed_until < now,
                ),
            )
            .values(parent_claimed_until=until)
        )
        return int(getattr(result, "rowcount", 0) or 0) == 1

    def set_parent(self, round_id: int, ts: str, channel_id: str) -> None:
        self.session.execute(
            update(RoundRow)
            .where(RoundRow.workspace_id == self.workspace_id, RoundRow.id == round_id)
            .values(parent_ts=ts, channel_id=channel_id, parent_claimed_until=None)
        )

    def release_parent(self, round_id: int) -> None:
        self.session.execute(
            update(RoundRow)
            .where(RoundRow.workspace_id == self.workspace_id, RoundRow.id == round_id)
            .values(parent_claimed_until=None)
        )


class SqlAnswers(Scoped):
    def _row(self, **where: Any) -> AnswerRow | None:
        return self.session.scalar(
            select(AnswerRow).filter_by(workspace_id=self.workspace_id, **where)
        )

    def get(self, answer_id: int) -> Answer | None:
        row = self._row(id=answer_id)
        return _answer(row) if row else None

    def of_member(self, round_id: int, user_id: str) -> Answer | None:
        row = self._row(round_id=round_id, user_id=user_id)
        return _answer(row) if row else None

    def of_round(self, round_id: int) -> list[Answer]:
        rows = self.session.scalars(
            select(AnswerRow)
            .where(AnswerRow.workspace_id == self.workspace_id, AnswerRow.round_id == round_id)
            .order_by(AnswerRow.created_at, AnswerRow.id)
        )
        return [_answer(r) for r in rows]

    def save(
        self,
        round_id: int,
        pack_id: int,
        user_id: str,
        status: AnswerStatus,
        given: AnswerInput,
        now: dt.datetime,
    ) -> Answer:
        row = self._row(round_id=round_id, user_id=user_id)
        if row is None:
            self._require(RoundRow, round_id, pack_id=pack_id)
            row = AnswerRow(
                workspace_id=self.workspace_id,
                pack_id=pack_id,
                round_id=round_id,
                user_id=user_id,
                version=0,
                published_version=0,
                created_at=now,
            )
            self.session.add(row)
        row.status = status.value
        row.texts = dict(given.texts)
        row.collaborators = list(given.collaborators)
        row.alignment = given.alignment
        row.blockers = given.texts.get("blockers", "")
        row.version = (row.version or 0) + 1
        row.updated_at = now
        self.session.flush()
        return _answer(row)

    def claim_publish(self, answer_id: int, now: dt.datetime, until: dt.datetime) -> Answer | None:
        result = self.session.execute(
            update(AnswerRow)
            .where(
                AnswerRow.workspace_id == self.workspace_id,
                AnswerRow.id == answer_id,
                AnswerRow.status == AnswerStatus.ANSWERED.value,
                AnswerRow.published_version < AnswerRow.version,
                or_(
                    AnswerRow.publish_claimed_until.is_(None),
                    AnswerRow.publish_claimed_until < now,
                ),
            )
            .values(publish_claimed_until=until)
        )
        if int(getattr(result, "rowcount", 0) or 0) != 1:
            return None
        return self.get(answer_id)

    def mark_published(self, answer_id: int, version: int, reply_ts: str) -> None:
        self.session.execute(
            update(AnswerRow)
            .where(AnswerRow.workspace_id == self.workspace_id, AnswerRow.id == answer_id)
            .values(published_version=version, reply_ts=reply_ts, publish_claimed_until=None)
        )

    def release_publish(self, answer_id: int) -> None:
        self.session.execute(
            update(AnswerRow)
            .where(AnswerRow.workspace_id == self.workspace_id, AnswerRow.id == answer_id)
            .values(publish_claimed_until=None)
        )

    def history(self, pack_id: int, user_id: str, limit: int) -> list[tuple[Round, Answer]]:
        rows = self.session.execute(
            select(RoundRow, AnswerRow)
            .join(AnswerRow, AnswerRow.round_id == RoundRow.id)
            .where(
                RoundRow.workspace_id == self.workspace_id,
                AnswerRow.workspace_id == self.workspace_id,
                AnswerRow.pack_id == pack_id,
                AnswerRow.user_id == user_id,
            )
            .order_by(RoundRow.local_date.desc())
            .limit(limit)
        ).all()
        return [(_round(r), _answer(a)) for r, a in rows]

    def statuses(
        self, pack_ids: Sequence[int], dates: Sequence[dt.date]
    ) -> dict[tuple[int, str, dt.date], AnswerStatus]:
        if not pack_ids or not dates:
            return {}
        rows = self.session.execute(
            select(AnswerRow.pack_id, AnswerRow.user_id, RoundRow.local_date, AnswerRow.status)
            .join(RoundRow, AnswerRow.round_id == RoundRow.id)
            .where(
                AnswerRow.workspace_id == self.workspace_id,
                RoundRow.workspace_id == self.workspace_id,
                AnswerRow.pack_id.in_(list(set(pack_ids))),
                RoundRow.local_date.in_(list(set(dates))),
            )
        ).all()
        return {(p, u, d): AnswerStatus(s) for p, u, d, s in rows}

    def status_on(self, pack_id: int, user_id: str, local_date: dt.date) -> AnswerStatus | None:
        found = self.session.scalar(
            select(AnswerRow.status)
            .join(RoundRow, AnswerRow.round_id == RoundRow.id)
            .where(
                AnswerRow.workspace_id == self.workspace_id,
                RoundRow.workspace_id == self.workspace_id,
                AnswerRow.pack_id == pack_id,
                AnswerRow.user_id == user_id,
                RoundRow.local_date == local_date,
            )
        )
        return AnswerStatus(found) if found else None

    def since(self, pack_id: int, first_date: dt.date) -> list[tuple[Round, Answer]]:
        rows = self.session.execute(
            select(RoundRow, AnswerRow)
            .join(AnswerRow, AnswerRow.round_id == RoundRow.id)
            .where(
                RoundRow.workspace_id == self.workspace_id,
                AnswerRow.workspace_id == self.workspace_id,
                RoundRow.pack_id == pack_id,
                RoundRow.local_date >= first_date,
            )
            .order_by(RoundRow.local_date, AnswerRow.id)
        ).all()
        return [(_round(r), _answer(a)) for r, a in rows]

    def latest_round_date(self, pack_id: int, user_id: str) -> dt.date | None:
        return self.session.scalar(
            select(RoundRow.local_date)
            .join(AnswerRow, AnswerRow.round_id == RoundRow.id)
            .where(
                RoundRow.workspace_id == self.workspace_id,
                AnswerRow.workspace_id == self.workspace_id,
                AnswerRow.pack_id == pack_id,
                AnswerRow.user_id == user_id,
            )
            .order_by(RoundRow.local_date.desc())
            .limit(1)
        )
