"""APScheduler runs one short interval job, the tick; the database is the only schedule state,
so there are no per-member jobs to lose. With several replicas only the holder of the lease
ticks; the others keep trying, so one takes over when the holder goes away."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.core.delivery import TickReport

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


class TickObserver(Protocol):
    """Told how each tick went (bot.metrics.Metrics is one)."""

    def tick_finished(self, outcome: str, seconds: float, report: object) -> None:
        """outcome: ok, failed, or not_leader (another replica holds the lease)."""
        ...

    def lease_changed(self, held: bool) -> None: ...


class ObservedLease:
    """A lease that tells the observer whether this process holds it, on every try and when
    it lets go."""

    def __init__(self, lease: Lease, observer: TickObserver) -> None:
        self.inner = lease
        self.observer = observer

    def acquire(self) -> bool:
        held = False
        try:
            held = self.inner.acquire()
        finally:
            _safely(self.observer.lease_changed, held)
        return held

    def release(self) -> None:
        try:
            self.inner.release()
        finally:
            _safely(self.observer.lease_changed, False)


def _safely(report: Callable[..., None], *args: object) -> None:
    try:
        report(*args)
    except Exception:
        log.exception("tick metrics not recorded")


class TickRunner:
    def __init__(
        self,
        tick: Callable[[dt.datetime], object],
        now: Callable[[], dt.datetime],
        lease: Lease,
        seconds: float = TICK_SECONDS,
        stopping: threading.Event | None = None,
        *,
        observer: TickObserver | None = None,
    ) -> None:
        # Set once the process is stopping: no tick starts after it (the tick itself may
        # watch the same event to end its delivery early).
        self.stopping = stopping if stopping is not None else threading.Event()
        self._tick = tick
        self._now = now
        self.observer = observer
        self.lease: Lease = ObservedLease(lease, observer) if observer is not None else lease
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
        started = time.perf_counter()
        outcome, report = "failed", None
        try:
            if not self.lease.acquire():
                outcome = "not_leader"
                return False
            report = self._tick(self._now())
            # A tick with nothing to do is logged only at DEBUG: one every 30 s says nothing.
            log.log(logging.INFO if report != TickReport() else logging.DEBUG, "tick %s", report)
            outcome = "ok"
        except Exception:
            log.exception("tick failed; the next one will try again")
            return False
        finally:
            if self.observer is not None:
                _safely(self.observer.tick_finished, outcome, time.perf_counter() - started, report)
        return True

    def start(self) -> None:
        self._scheduler.start()

    def request_stop(self) -> None:
        """Starts no tick from now on and sets `stopping`; returns at once (a tick that is
        running goes on, and stop() waits for it)."""
        self.stopping.set()
        if self._scheduler.running:
            self._scheduler.pause()

    def stop(self) -> None:
        """Waits for a running tick to end, then lets go of the lease."""
        self.request_stop()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
        self.lease.release()
