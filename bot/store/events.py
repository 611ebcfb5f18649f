"""Slack's event log: which events this app has handled."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from sqlalchemy import Engine, and_, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.store.models import SlackEventRow

EventClaim = Literal["claimed", "done", "busy"]


class SqlEventLog:
    """The Slack events this app has handled, by event_id, so a redelivered event has no second
    effect (SPEC §7). Not bound to a workspace: a claim comes before anything else is read;
    every statement is still scoped to the event's team."""

    # A claim this old that is not done belongs to a process that stopped midway.
    STALE_AFTER = dt.timedelta(seconds=60)

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def claim(self, event_id: str, team_id: str, now: dt.datetime) -> EventClaim:
        """Whether this process handles the event: "claimed" when it is new or its claim is
        older than STALE_AFTER (taken over by exactly one process), "done" when it was handled
        before, "busy" while another process handles it."""
        dialect = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        mine = and_(SlackEventRow.event_id == event_id, SlackEventRow.team_id == team_id)
        # Twice: a claim given back (its handler failed) between our insert and our read.
        for _ in range(2):
            with self.engine.begin() as conn:
                inserted = conn.execute(
                    dialect(SlackEventRow)
                    .values(event_id=event_id, team_id=team_id, received_at=now, done_at=None)
                    .on_conflict_do_nothing(index_elements=["team_id", "event_id"])
                    .returning(SlackEventRow.event_id)
                ).first()
                if inserted is not None:
                    return "claimed"
                # A conditional update: of two processes taking over at once, the second
                # finds received_at fresh again and updates nothing.
                taken = conn.execute(
                    update(SlackEventRow)
                    .where(
                        mine,
                        SlackEventRow.done_at.is_(None),
                        SlackEventRow.received_at < now - self.STALE_AFTER,
                    )
                    .values(received_at=now)
                )
                if taken.rowcount == 1:
                    return "claimed"
                found = conn.execute(select(SlackEventRow.done_at).where(mine)).first()
            if found is not None:
                return "busy" if found.done_at is None else "done"
        return "busy"

    def done(self, event_id: str, team_id: str, now: dt.datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(SlackEventRow)
                .where(SlackEventRow.event_id == event_id, SlackEventRow.team_id == team_id)
                .values(done_at=now)
            )

    def release(self, event_id: str, team_id: str) -> None:
        """Gives the claim back after the handler failed, so Slack's retry handles it again."""
        with self.engine.begin() as conn:
            conn.execute(
                delete(SlackEventRow).where(
                    SlackEventRow.event_id == event_id,
                    SlackEventRow.team_id == team_id,
                    SlackEventRow.done_at.is_(None),
                )
            )

    def purge(self, before: dt.datetime) -> int:
        """Forgets events received before `before` (Slack's last retry comes within minutes)."""
        with self.engine.begin() as conn:
            result = conn.execute(delete(SlackEventRow).where(SlackEventRow.received_at < before))
        return int(result.rowcount or 0)
