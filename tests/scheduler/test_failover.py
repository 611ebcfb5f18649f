"""Three `wolfpack run` replicas on one PostgreSQL: each serves requests, one holds the
scheduling lease, and when that one is killed another takes over within two ticks; nothing is
sent twice or lost."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable

from sqlalchemy import text

from bot.devtools.fake_slack import FakeSlack
from bot.devtools.simulate import SlackSide
from bot.store.db import make_engine
from bot.store.lease import locked_key
from tests.conftest import SIGNING_SECRET, FixedClock
from tests.scheduler.test_replicas import assert_one_dm_each, due_two_minutes_ago, pack_of

TICK_SECONDS = 1.0
HOLDS = "this process holds the scheduling lease"


class Replica:
    """One `python -m bot run --http` process (Socket Mode without `http`, serving its health
    answers on `port`); its stderr is read on a thread (a full pipe would stall it) and kept,
    line by line."""

    def __init__(self, env: dict[str, str], *extra: str, http: bool = True) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        mode = ["--http"] if http else []
        command = [sys.executable, "-m", "bot", "run", *mode, "--host", "127.0.0.1"]
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port), "--tick-seconds", str(TICK_SECONDS), *extra],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def said(self, fragment: str) -> bool:
        with self._changed:
            return any(fragment in line for line in self.lines)

    def wait_said(self, fragment: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not any(fragment in line for line in self.lines):
                left = deadline - time.monotonic()
                if left <= 0 or (self.process.poll() is not None and not self._reader.is_alive()):
                    raise AssertionError(f"no “{fragment}” within {timeout}s:\n{self.log()}")
                self._changed.wait(min(left, 0.2))

    def log(self) -> str:
        with self._changed:
            return "".join(self.lines[-60:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)
        self._reader.join(timeout=10)
        if self.process.stderr is not None:
            self.process.stderr.close()


def ticks_done(replica: Replica) -> int:
    """The ticks the replica has run to the end, by its metrics (an idle tick logs nothing
    at INFO)."""
    with urllib.request.urlopen(f"{replica.url}/metrics", timeout=5) as response:
        text = response.read().decode()
    found = re.search(r'^wolfpack_ticks_total\{outcome="ok"\} (\S+)$', text, re.MULTILINE)
    return int(float(found.group(1))) if found else 0


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> float:
    """Polls until `predicate` holds; the seconds it took. Fails after `timeout`."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{what}: not within {timeout}s")
        time.sleep(0.05)
    return time.monotonic() - started


def lease_holders(pg_url: str) -> list[int]:
    """Backend pids holding the scheduling lease (a bigint advisory lock: classid is its high
    32 bits, objid its low ones, objsubid 1)."""
    engine = make_engine(pg_url)
    try:
        with engine.connect() as conn:
            key = locked_key(conn) & 0xFFFFFFFFFFFFFFFF  # as the unsigned halves pg_locks shows
            rows = conn.execute(
                text(
                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND classid = :hi AND objid = :lo AND objsubid = 1"
                ),
                {"hi": key >> 32, "lo": key & 0xFFFFFFFF},
            )
            return [int(r[0]) for r in rows]
    finally:
        engine.dispose()


def answers_signed_requests(replica: Replica, user: str, channel: str) -> bool:
    with urllib.request.urlopen(f"{replica.url}/healthz", timeout=5) as response:
        health = json.loads(response.read())
    side = SlackSide(f"{replica.url}/slack/events", SIGNING_SECRET)
    reply, _ = side.command("/checkin", "help", user=user, channel=channel)
    unsigned = SlackSide(f"{replica.url}/slack/events", "not-the-secret")
    refused, _ = unsigned.command("/checkin", "help", user=user, channel=channel)
    return (
        health == {"status": "ok", "database": True, "slack": True}
        and reply.status == 200
        and "/checkin" in reply.body
        and refused.status == 401
    )


def test_killing_the_lease_holder_hands_the_schedule_to_another_replica(
    pg_url: str, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    first = [f"UF{i:03d}" for i in range(30)]
    env = pack_of(pg_url, fake_slack, clock, first, due_two_minutes_ago())
    replicas = [Replica(env) for _ in range(3)]
    try:
        for replica in replicas:
            replica.wait_said("serving HTTP", timeout=60)
        for replica in replicas:
            assert answers_signed_requests(replica, first[0], "CTEAM"), replica.log()
        # Exactly one replica takes the lease and sends the 30 prompts due.
        wait_until(lambda: len(lease_holders(pg_url)) == 1, 10, "a lease holder")
        fake_slack.wait_for(lambda f: all(f.messages(f"D{u}") for u in first), timeout=60)
        holders = [r for r in replicas if r.said(HOLDS)]
        assert len(holders) == 1, [r.log() for r in replicas]
        holder = holders[0]
        [holder_backend] = lease_holders(pg_url)

        holder.process.send_signal(signal.SIGKILL)
        holder.process.wait(timeout=10)
        killed_at = time.monotonic()
        survivors = [r for r in replicas if r is not holder]

        # PostgreSQL drops the dead process's connection and its lock; a survivor's next
        # tick (at most one interval away) takes the lease.
        taken = wait_until(
            lambda: [p for p in lease_holders(pg_url) if p != holder_backend] != [],
            2 * TICK_SECONDS + 1.0,
            "another replica holding the lease",
        )
        assert taken <= 2 * TICK_SECONDS + 1.0
        assert len(lease_holders(pg_url)) == 1
        wait_until(
            lambda: sum(r.said(HOLDS) for r in survivors) == 1,
            5,
            "one survivor saying it holds the lease",
        )
        new_holder = next(r for r in survivors if r.said(HOLDS))

        # Prompts that fall due after the failover: a second pack, saved now with its
        # check-in time passed (and dated a day back by both clocks, as the first: a pack
        # dated by the injected clock alone would be owed nothing on a day before it), is
        # sent by the new holder.
        second = [f"UG{i:03d}" for i in range(30)]
        pack_of(pg_url, fake_slack, clock, second, due_two_minutes_ago(), ("CTEAM2", "team2"))
        fake_slack.wait_for(lambda f: all(f.messages(f"D{u}") for u in second), timeout=60)
        assert time.monotonic() - killed_at < 60
        # A few more ticks by the new holder (and tries by the other survivor) change nothing.
        ticks = ticks_done(new_holder)
        wait_until(lambda: ticks_done(new_holder) >= ticks + 2, 10, "two more ticks")
        for replica in survivors:
            assert answers_signed_requests(replica, second[0], "CTEAM2"), replica.log()
    finally:
        survivors_rc = []
        for replica in replicas:
            if replica.process.poll() is None:
                replica.process.send_signal(signal.SIGTERM)
                survivors_rc.append(replica)
        for replica in survivors_rc:
            try:
                replica.process.wait(timeout=15)
            finally:
                replica.stop()
        for replica in replicas:
            replica.stop()
    assert [r.process.returncode for r in survivors_rc] == [0, 0]
    assert_one_dm_each(fake_slack, first + second)
    assert lease_holders(pg_url) == []
