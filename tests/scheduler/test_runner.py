"""The interval job and the scheduling lease."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid

from sqlalchemy import text

from bot.scheduler.runner import AlwaysLeader, TickRunner
from bot.store.db import make_engine
from bot.store.lease import AdvisoryLease

NOW = dt.datetime(2026, 12, 1, 8, 30, tzinfo=dt.UTC)


def test_only_one_process_holds_the_lease_and_it_passes_on(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    key = 4242
    first, second = AdvisoryLease(engine, key), AdvisoryLease(engine, key)
    try:
        assert first.acquire() and first.acquire()
        assert not second.acquire()
        first.release()
        assert second.acquire()
        assert not first.acquire()
    finally:
        first.release()
        second.release()
        engine.dispose()


def test_the_lease_goes_when_its_connection_dies(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    key = 4343
    holder, other = AdvisoryLease(engine, key), AdvisoryLease(engine, key)
    try:
        assert holder.acquire()
        assert holder._conn is not None
        pid = holder._conn.execute(text("SELECT pg_backend_pid()")).scalar()
        holder._conn.commit()
        with engine.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
            admin.commit()
            # Termination is a signal: wait until the server has let that backend go.
            gone = "SELECT count(*) FROM pg_stat_activity WHERE pid = :p"
            deadline = time.monotonic() + 10
            while admin.execute(text(gone), {"p": pid}).scalar() and time.monotonic() < deadline:
                admin.commit()
                time.sleep(0.01)
        assert other.acquire()
        assert not holder.acquire()
    finally:
        holder.release()
        other.release()
        engine.dispose()


def test_runner_ticks_only_with_the_lease() -> None:
    ticks: list[dt.datetime] = []
    ticked = threading.Event()

    def tick(now: dt.datetime) -> None:
        ticks.append(now)
        ticked.set()

    class Refused:
        def acquire(self) -> bool:
            return False

        def release(self) -> None:
            return None

    follower = TickRunner(tick, lambda: NOW, Refused(), seconds=3600)
    assert follower.run_once() is False and ticks == []
    leader = TickRunner(tick, lambda: NOW, AlwaysLeader(), seconds=3600)
    leader.start()
    try:
        assert ticked.wait(timeout=10), "the first tick runs at start"
    finally:
        leader.stop()
    assert ticks == [NOW]


def test_a_failing_tick_does_not_stop_the_runner() -> None:
    def broken(now: dt.datetime) -> None:
        raise RuntimeError("database down")

    runner = TickRunner(broken, lambda: NOW, AlwaysLeader(), seconds=3600)
    assert runner.run_once() is False


def test_deployments_in_schemas_of_their_own_each_hold_a_lease(postgres_url: str) -> None:
    admin = make_engine(postgres_url)
    schemas = [f"lease_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    with admin.begin() as conn:
        for schema in schemas:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engines = [
        make_engine(f"{postgres_url}?options=-csearch_path%3D{schema}") for schema in schemas
    ]
    leases = [AdvisoryLease(engine, 4444) for engine in engines]
    twin = AdvisoryLease(engines[0], 4444)
    try:
        # One database, two schemas: each deployment's scheduler ticks.
        assert leases[0].acquire() and leases[1].acquire()
        # A second replica of the first deployment does not.
        assert not twin.acquire()
        leases[0].release()
        assert twin.acquire()
    finally:
        for lease in (*leases, twin):
            lease.release()
        for engine in engines:
            engine.dispose()
        with admin.begin() as conn:
            for schema in schemas:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
