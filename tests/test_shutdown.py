"""`wolfpack run --http` stopped by SIGTERM or SIGINT: requests in flight are answered, the
fan-out in progress stops after its current send and gives its claimed rows back, and the
process exits 0 within 10 s; whatever it had not sent goes out once, from the next tick."""

from __future__ import annotations

import datetime as dt
import json
import signal
import socket
import subprocess
import sys
import time

from sqlalchemy import text

from bot.devtools.fake_slack import FakeSlack
from bot.devtools.simulate import sign
from bot.store.db import make_engine
from tests.conftest import SIGNING_SECRET, FixedClock, process_env
from tests.scheduler.test_failover import Replica, lease_holders, wait_until
from tests.scheduler.test_replicas import assert_one_dm_each, due_two_minutes_ago, pack_of


def claimed_pending(pg_url: str) -> int:
    engine = make_engine(pg_url)
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text(
                    "SELECT count(*) FROM deliveries"
                    " WHERE state = 'pending' AND claimed_until IS NOT NULL"
                )
            ).scalar()
            return int(found or 0)
    finally:
        engine.dispose()


def stop_within(replica: Replica, signum: int, seconds: float) -> float:
    started = time.monotonic()
    replica.process.send_signal(signum)
    try:
        code = replica.process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        raise AssertionError(
            f"still running {seconds}s after the signal:\n{replica.log()}"
        ) from None
    took = time.monotonic() - started
    replica.stop()
    assert code == 0, replica.log()
    return took


def test_sigterm_during_a_fan_out_stops_quickly_and_loses_and_doubles_nothing(
    pg_url: str, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    members = [f"US{i:03d}" for i in range(60)]
    env = pack_of(pg_url, fake_slack, clock, members, due_two_minutes_ago())
    fake_slack.slow_down("chat.postMessage", 0.2)
    replica = Replica(env)
    try:
        replica.wait_said("serving HTTP", timeout=60)
        fake_slack.wait_for(lambda f: len(f.calls_to("chat.postMessage")) >= 5, timeout=60)
        took = stop_within(replica, signal.SIGTERM, 10)
    finally:
        replica.stop()
    sent_before = len(fake_slack.calls_to("chat.postMessage"))
    assert 5 <= sent_before < len(members), "the signal landed mid-fan-out"
    assert took < 10
    assert "released" in replica.log() and "stopped" in replica.log()
    # Nothing is left claimed by the stopped process: the rest can go out at once.
    assert claimed_pending(pg_url) == 0
    assert lease_holders(pg_url) == []

    fake_slack.slow_down("chat.postMessage", 0)
    now = dt.datetime.now(dt.UTC).isoformat()
    done = subprocess.run(
        [sys.executable, "-m", "bot", "tick", "--now", now],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["sent"] == len(members) - sent_before
    assert report["failed"] == 0
    assert_one_dm_each(fake_slack, members)


def test_sigint_stops_the_same_way_and_the_next_replica_sends_the_rest(
    pg_url: str, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    members = [f"UI{i:03d}" for i in range(60)]
    env = pack_of(pg_url, fake_slack, clock, members, due_two_minutes_ago())
    fake_slack.slow_down("chat.postMessage", 0.2)
    first = Replica(env)
    try:
        first.wait_said("serving HTTP", timeout=60)
        fake_slack.wait_for(lambda f: len(f.calls_to("chat.postMessage")) >= 5, timeout=60)
        assert stop_within(first, signal.SIGINT, 10) < 10
    finally:
        first.stop()
    assert len(fake_slack.calls_to("chat.postMessage")) < len(members)
    fake_slack.slow_down("chat.postMessage", 0)
    second = Replica(env)
    try:
        # No waiting for the stopped process's claims to run out (2 minutes).
        fake_slack.wait_for(lambda f: all(f.messages(f"D{u}") for u in members), timeout=30)
        stop_within(second, signal.SIGTERM, 10)
    finally:
        second.stop()
    assert_one_dm_each(fake_slack, members)


def test_a_request_in_flight_at_sigterm_is_answered_and_new_ones_are_refused(
    pg_url: str, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    members = [f"UH{i:03d}" for i in range(3)]
    env = pack_of(pg_url, fake_slack, clock, members, due_two_minutes_ago())
    replica = Replica(env, "--no-scheduler")
    try:
        replica.wait_said("serving HTTP", timeout=60)
        body = (
            b"command=%2Fcheckin&text=help&team_id=T0001&user_id=UH000&channel_id=CTEAM"
            b"&user_name=uh000&trigger_id=1.2.3&response_url=http%3A%2F%2Fx"
        )
        ts = int(time.time())
        head = (
            "POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nX-Slack-Request-Timestamp: {ts}\r\n"
            f"X-Slack-Signature: {sign(SIGNING_SECRET, body, ts)}\r\n"
            "Connection: close\r\n\r\n"
        ).encode()
        with socket.create_connection(("127.0.0.1", replica.port), timeout=10) as client:
            # A first request on this connection shows the server has accepted it.
            client.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            first = b""
            while not first.endswith(b"}"):
                first += client.recv(65536)
            assert first.startswith(b"HTTP/1.1 200")
            # Half a request is in flight when the signal comes; the rest follows later.
            client.sendall(head + body[:10])
            replica.process.send_signal(signal.SIGTERM)
            replica.wait_said("shutting down", timeout=5)
            # The server stops accepting new connections at once.
            wait_until(lambda: refuses(replica.port), 5, "new connections refused")
            try:
                client.sendall(body[10:])
            except OSError as error:
                raise AssertionError(replica.log()) from error
            answer = b""
            try:
                while chunk := client.recv(65536):
                    answer += chunk
            except ConnectionResetError:
                pass
        assert answer.startswith(b"HTTP/1.1 200"), (answer[:200], replica.log())
        assert b"/checkin" in answer
        assert replica.process.wait(timeout=10) == 0
    finally:
        replica.stop()


def refuses(port: int) -> bool:
    """True when a new connection is not served (refused, or accepted by the kernel's backlog
    but never answered)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as probe:
            probe.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return probe.recv(1) == b""
    except OSError:
        return True


def test_sigterm_stops_the_bot_when_whoever_read_its_stderr_is_gone(
    sqlite_url: str, fake_slack: FakeSlack
) -> None:
    """Its terminal or log reader died: stopping must not fail on writing "shutting down"."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    env = process_env(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.url,
        DATABASE_URL=sqlite_url,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--http", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until(lambda: not refuses(port), 60, "serving")
        assert process.stderr is not None
        process.stderr.close()  # nobody reads what it writes from now on
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
