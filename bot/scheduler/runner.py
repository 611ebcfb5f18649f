"""APScheduler runs one short interval job, the tick; the database is the only schedule state,
so there are no per-member jobs to lose. With several replicas only the holder of the lease
ticks; the others keep trying, so one takes over when the holder goes away."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Protocol

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

log = logging.getLogger(__name__)

TICK_SECONDS = 30


class Lease(Protocol):
    def acquire(self) -> bool:
        """True while this process holds the lease (taking it if it is free)."""
        ...

    def release(self) -> None: ...


class AlwaysLeader:
    """One process (SQLite): nothing to share."""

    def acquire(self) -> bool:
        return True

    def release(self) -> None:
        return None


class TickRunner:
    def __init__(
        self,
        tick: Callable[[dt.datetime], object],
        now: Callable[[], dt.datetime],
        lease: Lease,
        seconds: float = TICK_SECONDS,
    ) -> None:
        self._tick = tick
        self._now = now
        self.lease = lease
        self._scheduler = BackgroundScheduler(timezone=dt.UTC)
        self._scheduler.add_job(
            self.run_once,
            IntervalTrigger(seconds=seconds, timezone=dt.UTC),
            id="tick",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
            next_run_time=dt.datetime.now(dt.UTC),
        )

    def run_once(self) -> bool:
        """One tick if this process holds the lease; False when another replica does."""
        try:
            if not self.lease.acquire():
                return False
            report = self._tick(self._now())
            log.info("tick %s", report)
        except Exception:
            log.exception("tick failed; the next one will try again")
            return False
        return True

    def start(self) -> None:
        self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
        self.lease.release()
