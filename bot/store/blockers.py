"""Blockers: one row per blocker, from the check-in that raised it until it is resolved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select, update

from bot.core.blockers import Blocker, BlockerStatus
from bot.store.models import AnswerRow, BlockerRow, RoundRow
from bot.store.scoped import Scoped


def _blocker(row: BlockerRow) -> Blocker:
    return Blocker(
        id=row.id,
        pack_id=row.pack_id,
        user_id=row.user_id,
        text=row.text,
        round_id=row.round_id,
        answer_id=row.answer_id,
        round_date=row.round_date,
        raised_at=row.raised_at,
        status=BlockerStatus(row.status),
        asked_at=row.asked_at,
        ask_channel=row.ask_channel,
        ask_ts=row.ask_ts,
        helpers=tuple(row.helpers or ()),
        resolved_at=row.resolved_at,
        followed_up_at=row.followed_up_at,
        followed_up_by=row.followed_up_by,
    )


_OPEN = BlockerStatus.OPEN.value


class SqlBlockers(Scoped):
    def _mine(self) -> Any:
        return select(BlockerRow).where(BlockerRow.workspace_id == self.workspace_id)

    def _update(self, blocker_id: int, *where: Any, **values: Any) -> bool:
        result = self.unit.execute(
            update(BlockerRow)
            .where(
                BlockerRow.workspace_id == self.workspace_id, BlockerRow.id == blocker_id, *where
            )
            .values(**values)
        )
        return int(getattr(result, "rowcount", 0) or 0) == 1

    def get(self, blocker_id: int) -> Blocker | None:
        row = self.session.scalar(self._mine().where(BlockerRow.id == blocker_id))
        return _blocker(row) if row else None

    def open_of(self, pack_id: int, user_id: str) -> Blocker | None:
        row = self.session.scalar(
            self._mine().where(BlockerRow.pack_id == pack_id, BlockerRow.open_user == user_id)
        )
        return _blocker(row) if row else None

    def open_in(self, pack_ids: Sequence[int]) -> dict[tuple[int, str], Blocker]:
        if not pack_ids:
            return {}
        rows = self.session.scalars(
            self._mine().where(
                BlockerRow.pack_id.in_(sorted(set(pack_ids))), BlockerRow.status == _OPEN
            )
        )
        return {(r.pack_id, r.user_id): _blocker(r) for r in rows}

    def awaiting_follow_up(self) -> list[Blocker]:
        rows = self.session.scalars(
            self._mine()
            .where(BlockerRow.status == _OPEN, BlockerRow.followed_up_at.is_(None))
            .order_by(BlockerRow.id)
        )
        return [_blocker(r) for r in rows]

    def of_pack_since(self, pack_id: int, since: dt.datetime) -> list[Blocker]:
        rows = self.session.scalars(
            self._mine()
            .where(
                BlockerRow.pack_id == pack_id,
                or_(
                    BlockerRow.status == _OPEN,
                    BlockerRow.raised_at >= since,
                    BlockerRow.resolved_at >= since,
                ),
            )
            .order_by(BlockerRow.raised_at, BlockerRow.id)
        )
        return [_blocker(r) for r in rows]

    def raise_(
        self,
        pack_id: int,
        user_id: str,
        round_id: int,
        answer_id: int,
        round_date: dt.date,
        text: str,
        now: dt.datetime,
    ) -> Blocker:
        self._require(RoundRow, round_id, pack_id=pack_id)
        self._require(AnswerRow, answer_id, round_id=round_id, user_id=user_id)
        row = BlockerRow(
            workspace_id=self.workspace_id,
            pack_id=pack_id,
            user_id=user_id,
            open_user=user_id,
            round_id=round_id,
            answer_id=answer_id,
            round_date=round_date,
            text=text,
            status=_OPEN,
            raised_at=now,
            helpers=[],
        )
        self.session.add(row)
        self.session.flush()
        return _blocker(row)

    def set_text(self, blocker_id: int, text: str) -> None:
        self._update(blocker_id, text=text)

    def resolve(self, blocker_id: int, now: dt.datetime) -> bool:
        return self._update(
            blocker_id,
            BlockerRow.status == _OPEN,
            status=BlockerStatus.RESOLVED.value,
            open_user=None,
            resolved_at=now,
        )

    def withdraw(self, blocker_id: int) -> None:
        row = self.session.scalar(self._mine().where(BlockerRow.id == blocker_id))
        if row is not None:
            self.session.delete(row)
            self.session.flush()

    def claim_follow_up(self, blocker_id: int, now: dt.datetime, *, by: str | None = None) -> bool:
        return self._update(
            blocker_id,
            BlockerRow.status == _OPEN,
            BlockerRow.followed_up_at.is_(None),
            followed_up_at=now,
            followed_up_by=by,
        )

    def release_follow_up(self, blocker_id: int) -> None:
        self._update(blocker_id, followed_up_at=None, followed_up_by=None)

    def claim_ask(self, blocker_id: int, now: dt.datetime) -> bool:
        return self._update(
            blocker_id, BlockerRow.status == _OPEN, BlockerRow.asked_at.is_(None), asked_at=now
        )

    def release_ask(self, blocker_id: int) -> None:
        self._update(blocker_id, BlockerRow.ask_ts.is_(None), asked_at=None)

    def set_ask_message(self, blocker_id: int, channel_id: str, ts: str) -> None:
        self._update(blocker_id, ask_channel=channel_id, ask_ts=ts)

    def add_helper(self, blocker_id: int, user_id: str) -> bool:
        # Locked for the rest of the transaction (PostgreSQL; SQLite's writer holds the whole
        # database), so two offers at once both land, and the same person's twice lands once.
        row = self.session.scalar(self._mine().where(BlockerRow.id == blocker_id).with_for_update())
        if row is None or user_id in (row.helpers or []):
            return False
        row.helpers = [*(row.helpers or []), user_id]
        self.session.flush()
        return True
