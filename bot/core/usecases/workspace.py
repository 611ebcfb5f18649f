"""One workspace's view of the outside world: its unit of work, the clock, and Slack (the
notifier and the directory), each bound to the workspace once, so no use case passes a team id
around."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.core.ports import Clock, Database, Directory, MapLinks, Notifier, Transaction

T = TypeVar("T")


@dataclass(frozen=True)
class Workspace:
    team_id: str
    db: Database
    clock: Clock
    notifier: Notifier
    directory: Directory
    # None when the map page has no public address (WOLFPACK_PUBLIC_URL unset).
    map_links: MapLinks | None = None

    def unit(self) -> AbstractContextManager[Transaction]:
        """A unit of work on this workspace's rows: commits on a clean exit, rolls back on an
        exception."""
        return self.db.transaction(self.team_id)

    def reading(self) -> AbstractContextManager[Transaction]:
        """A unit of work for a use case that only reads (cheaper: see Database.reading)."""
        return self.db.reading(self.team_id)

    def now(self) -> dt.datetime:
        return self.clock.now()


@dataclass(frozen=True)
class Done(Generic[T]):
    """What a use case gives back: its result, and the Slack calls that need not hold up the
    person's answer (posting to the channel, refreshing a message), to run after it."""

    value: T
    after: Callable[[], None] | None = None
    # While `after` work under this key waits to start, more is not queued: it would do the
    # same (a burst of clicks on one proposal, one message update).
    once: Hashable | None = None
