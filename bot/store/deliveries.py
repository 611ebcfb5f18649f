"""Deliveries: each message the schedule owes, claimed, retried and finished once."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import bindparam, func, or_, select, update

from bot.core.delivery import Delivery, DeliveryState, Finished
from bot.core.schedule import DeliveryKey, Due, DueKind
from bot.store.models import DeliveryRow, PackRow, UTCDateTime
from bot.store.scoped import Scoped, dialect_insert

# What a claim reads of each row: what _delivery needs, and whether it was in flight.
_CLAIMED = (
    DeliveryRow.id,
    DeliveryRow.key,
    DeliveryRow.local_date,
    DeliveryRow.due_at,
    DeliveryRow.state,
    DeliveryRow.attempts,
    DeliveryRow.last_error,
    DeliveryRow.message_ts,
    DeliveryRow.in_flight,
)


class _DeliveryColumns(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def key(self) -> str: ...
    @property
    def local_date(self) -> dt.date: ...
    @property
    def due_at(self) -> dt.datetime: ...
    @property
    def state(self) -> str: ...
    @property
    def attempts(self) -> int: ...
    @property
    def last_error(self) -> str | None: ...
    @property
    def message_ts(self) -> str | None: ...


def _delivery(row: _DeliveryColumns) -> Delivery:
    # The key column holds the whole key, read back as the schedule planned it; the kind, pack,
    # member and proposal columns are copies of its parts kept for queries (a row queued by the
    # previous release during a rollout has no proposal_id).
    due = Due(DeliveryKey.parse(row.key), row.local_date, row.due_at)
    return Delivery(
        id=row.id,
        due=due,
        state=DeliveryState(row.state),
        attempts=row.attempts,
        last_error=row.last_error,
        message_ts=row.message_ts,
    )


# Built once: recording an outcome runs once per message, and building the statement each time
# cost more than executing it.
_FINISH = (
    update(DeliveryRow)
    .where(DeliveryRow.workspace_id == bindparam("ws"), DeliveryRow.id == bindparam("did"))
    .values(
        state=bindparam("state"),
        last_error=bindparam("error"),
        channel_id=bindparam("channel"),
        message_ts=bindparam("ts"),
        claimed_until=None,
        in_flight=False,
        updated_at=bindparam("now", type_=UTCDateTime()),
    )
)


class SqlDeliveries(Scoped):
    def add_many(
        self, planned: Sequence[tuple[Due, DeliveryState]], now: dt.datetime
    ) -> list[DeliveryKey]:
        inserted: list[DeliveryKey] = []
        table = DeliveryRow.__table__
        # Keys name the pack, and are unique across workspaces: one naming another's pack
        # would take that pack's key from it.
        owned = set(
            self.session.scalars(
                select(PackRow.id).where(
                    PackRow.workspace_id == self.workspace_id,
                    PackRow.id.in_({due.pack_id for due, _ in planned}),
                )
            )
        )
        planned = [(due, state) for due, state in planned if due.pack_id in owned]
        for start in range(0, len(planned), 500):
            chunk = planned[start : start + 500]
            rows = [
                {
                    "workspace_id": self.workspace_id,
                    "key": str(due.key),
                    "kind": due.kind.value,
                    "pack_id": due.pack_id,
                    "user_id": due.user_id,
                    "proposal_id": due.proposal_id,
                    "local_date": due.local_date,
                    "due_at": due.due_at,
                    "state": state.value,
                    "attempts": 0,
                    "in_flight": False,
                    "next_attempt_at": due.due_at,
                    "last_error": "too_late" if state is DeliveryState.MISSED else None,
                    "created_at": now,
                    "updated_at": now,
                }
                for due, state in chunk
            ]
            # One statement executed for many rows: compiled once and cached, unlike a
            # multi-row VALUES whose shape changes with every batch.
            stmt = (
                dialect_insert(self.session)(table)
                .on_conflict_do_nothing(index_elements=["key"])
                .returning(table.c.key)
            )
            keys = {str(due.key): due.key for due, _ in chunk}
            written = self.unit.connection.execute(stmt, rows).scalars()
            inserted.extend(keys[text] for text in written)
        return inserted

    def claim(self, now: dt.datetime, until: dt.datetime, limit: int) -> list[Delivery]:
        # Columns, not ORM objects, and one UPDATE for the batch: loading 200 objects to
        # change two attributes each cost more than the rest of the claim.
        rows = self.session.execute(
            select(*_CLAIMED)
            .where(
                DeliveryRow.workspace_id == self.workspace_id,
                DeliveryRow.state == DeliveryState.PENDING.value,
                DeliveryRow.next_attempt_at <= now,
                or_(DeliveryRow.claimed_until.is_(None), DeliveryRow.claimed_until < now),
            )
            .order_by(DeliveryRow.due_at, DeliveryRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        if not rows:
            return []
        self.session.connection().execute(
            update(DeliveryRow)
            .where(
                DeliveryRow.workspace_id == self.workspace_id,
                DeliveryRow.id.in_([row.id for row in rows]),
            )
            .values(claimed_until=until, in_flight=True)
        )
        return [dataclasses.replace(_delivery(row), uncertain=row.in_flight) for row in rows]

    def finish(
        self,
        delivery_id: int,
        state: DeliveryState,
        now: dt.datetime,
        *,
        error: str | None = None,
        channel_id: str | None = None,
        message_ts: str | None = None,
    ) -> None:
        self.unit.connection.execute(
            _FINISH,
            {
                "ws": self.workspace_id,
                "did": delivery_id,
                "state": state.value,
                "error": error,
                "channel": channel_id,
                "ts": message_ts,
                "now": now,
            },
        )

    def finish_many(self, finished: Sequence[Finished], now: dt.datetime) -> None:
        if not finished:
            return
        self.session.connection().execute(
            _FINISH,
            [
                {
                    "ws": self.workspace_id,
                    "did": f.delivery_id,
                    "state": f.state.value,
                    "error": f.error,
                    "channel": f.channel_id,
                    "ts": f.message_ts,
                    "now": now,
                }
                for f in finished
            ],
        )

    def retry(self, delivery_id: int, at: dt.datetime, error: str, *, count: bool) -> None:
        self.session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.workspace_id == self.workspace_id, DeliveryRow.id == delivery_id)
            .values(
                next_attempt_at=at,
                last_error=error,
                claimed_until=None,
                in_flight=False,
                attempts=DeliveryRow.attempts + (1 if count else 0),
                updated_at=at,
            )
        )

    def mark_posted(self, delivery_id: int, channel_id: str, ts: str) -> None:
        self.session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.workspace_id == self.workspace_id, DeliveryRow.id == delivery_id)
            .values(channel_id=channel_id, message_ts=ts)
        )

    def prompts_sent(self, since: dt.date) -> dict[tuple[int, str], dict[dt.date, dt.datetime]]:
        rows = self.unit.execute(
            select(
                DeliveryRow.pack_id,
                DeliveryRow.user_id,
                DeliveryRow.local_date,
                DeliveryRow.updated_at,
            ).where(
                DeliveryRow.workspace_id == self.workspace_id,
                DeliveryRow.kind == DueKind.PROMPT.value,
                DeliveryRow.state == DeliveryState.SENT.value,
                DeliveryRow.local_date >= since,
            )
        )
        found: dict[tuple[int, str], dict[dt.date, dt.datetime]] = {}
        for pack, user, day, at in rows:
            found.setdefault((pack, user), {})[day] = at
        return found

    def prompted(
        self, pack_id: int, since: dt.date, until: dt.date, *, user_id: str | None = None
    ) -> dict[str, set[dt.date]]:
        query = select(DeliveryRow.user_id, DeliveryRow.local_date).where(
            DeliveryRow.workspace_id == self.workspace_id,
            DeliveryRow.pack_id == pack_id,
            DeliveryRow.state == DeliveryState.SENT.value,
            DeliveryRow.kind == DueKind.PROMPT.value,
            DeliveryRow.local_date >= since,
            DeliveryRow.local_date <= until,
        )
        if user_id is not None:
            query = query.where(DeliveryRow.user_id == user_id)
        found: dict[str, set[dt.date]] = {}
        for user, day in self.unit.execute(query):
            found.setdefault(user, set()).add(day)
        return found

    def failures(self, pack_id: int, since: dt.datetime) -> list[Delivery]:
        rows = self.session.scalars(
            select(DeliveryRow)
            .where(
                DeliveryRow.workspace_id == self.workspace_id,
                DeliveryRow.pack_id == pack_id,
                DeliveryRow.state == DeliveryState.FAILED.value,
                DeliveryRow.updated_at >= since,
            )
            .order_by(DeliveryRow.updated_at)
        )
        return [_delivery(r) for r in rows]

    def release(self, deliveries: Sequence[Delivery]) -> None:
        for uncertain in (False, True):
            ids = [d.id for d in deliveries if d.uncertain is uncertain]
            if not ids:
                continue
            self.session.execute(
                update(DeliveryRow)
                .where(
                    DeliveryRow.workspace_id == self.workspace_id,
                    DeliveryRow.id.in_(ids),
                    DeliveryRow.state == DeliveryState.PENDING.value,
                )
                .values(claimed_until=None, in_flight=uncertain)
            )

    def pending_count(self) -> int:
        count = self.session.scalar(
            select(func.count())
            .select_from(DeliveryRow)
            .where(
                DeliveryRow.workspace_id == self.workspace_id,
                DeliveryRow.state == DeliveryState.PENDING.value,
            )
        )
        return int(count or 0)
