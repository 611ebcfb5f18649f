"""`wolfpack run` and `wolfpack tick` while Slack is unreachable or answers 5xx, as real
processes against the fake Slack: the process keeps running, `/healthz` says 503 naming Slack
within 15 s, and within 60 s of Slack coming back it says 200 and commands work. A token Slack
refuses stops start-up with one line naming the variable."""

from __future__ import annotations

import datetime as dt
import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bot.core.packs import PackSettings, TimezoneMode
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.simulate import SlackSide, SocketSide
from tests.conftest import ANA, CHANNEL, SIGNING_SECRET, FixedClock, process_env
from tests.scheduler.test_failover import Replica
from tests.scheduler.test_replicas import assert_one_dm_each, pack_of

STARTED_WITHIN = 15.0
RECOVERED_WITHIN = 60.0


def health(replica: Replica, path: str = "/healthz") -> tuple[int, dict[str, object]] | None:
    """The health answer, or None while nothing listens yet."""
    try:
        with urllib.request.urlopen(f"{replica.url}{path}", timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())
    except OSError:
        return None


def first_health(replica: Replica, started: float) -> tuple[int, dict[str, object]]:
    """The first health answer, polled until STARTED_WITHIN seconds after `started`."""
    while time.monotonic() - started < STARTED_WITHIN:
        answer = health(replica)
        if answer is not None:
            return answer
        if replica.process.poll() is not None:
            raise AssertionError(f"the process ended:\n{replica.log()}")
        time.sleep(0.05)
    raise AssertionError(f"no /healthz answer within {STARTED_WITHIN}s:\n{replica.log()}")


def healthy_within(replica: Replica, seconds: float) -> float:
    """Seconds until /healthz says 200 (fails after `seconds`)."""
    started = time.monotonic()
    while (answer := health(replica)) is None or answer[0] != 200:
        if time.monotonic() - started > seconds:
            raise AssertionError(f"still {answer} after {seconds}s:\n{replica.log()}")
        time.sleep(0.05)
    return time.monotonic() - started


def closed_port() -> str:
    """The URL of a port nothing listens on: connections are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/api/"


def env_for(fake_url: str, database_url: str, **more: str) -> dict[str, str]:
    return process_env(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_url,
        DATABASE_URL=database_url,
        **more,
    )


def stop(replica: Replica) -> None:
    replica.process.send_signal(signal.SIGTERM)
    try:
        assert replica.process.wait(timeout=15) == 0, replica.log()
    finally:
        replica.stop()


def test_run_http_while_slack_answers_503_serves_and_recovers(
    sqlite_url: str, fake_slack: FakeSlack
) -> None:
    fake_slack.fail_all(503)
    started = time.monotonic()
    replica = Replica(env_for(fake_slack.url, sqlite_url), "--no-scheduler")
    try:
        status, body = first_health(replica, started)
        took = time.monotonic() - started
        assert status == 503, body
        assert body == {
            "status": "unavailable",
            "database": True,
            "slack": False,
            "reason": "Slack is unreachable: HTTP 503",
        }
        assert health(replica, "/livez") == (200, {"status": "ok"})
        # It keeps looking, with backoff: a few probes in a few seconds, not a flood.
        fake_slack.wait_for(lambda f: len(f.calls_to("auth.test")) >= 3, timeout=10)
        assert replica.process.poll() is None
        probes = len(fake_slack.calls_to("auth.test"))

        fake_slack.heal()
        recovered = healthy_within(replica, RECOVERED_WITHIN)
        assert health(replica) == (200, {"status": "ok", "database": True, "slack": True})
        print(f"\n/healthz 503 after {took:.1f} s; 200 {recovered:.1f} s after Slack came back")

        # A command works, and so do the Web API calls it makes.
        fake_slack.reset_calls()
        side = SlackSide(f"{replica.url}/slack/events", SIGNING_SECRET)
        reply, trigger = side.command("/wolfpack", "setup", user=ANA, channel=CHANNEL)
        assert reply.status == 200, reply.body
        fake_slack.wait_for(lambda f: bool(f.calls_to("views.open")), timeout=10)
        [opened] = fake_slack.calls_to("views.open")
        assert opened.args["trigger_id"] == trigger
        assert probes < 10
        stop(replica)
    finally:
        replica.stop()
    assert "Traceback" not in replica.log()
    assert "xoxb-test-token" not in replica.log()


def test_run_http_with_slack_unreachable_serves_and_says_why(sqlite_url: str) -> None:
    started = time.monotonic()
    replica = Replica(env_for(closed_port(), sqlite_url), "--no-scheduler")
    try:
        status, body = first_health(replica, started)
        assert status == 503
        assert body["reason"] == "Slack is unreachable: connection refused"
        assert body["slack"] is False and body["database"] is True
        replica.wait_said("Slack is unreachable: connection refused", timeout=5)
        stop(replica)
    finally:
        replica.stop()
    assert "Traceback" not in replica.log()


def test_run_http_while_slack_does_not_answer_says_so_within_15_s(
    sqlite_url: str, fake_slack: FakeSlack
) -> None:
    """A Slack that takes the connection and never answers: the first look gives up after 5 s,
    so /healthz still answers 503 within 15 s of start."""
    fake_slack.slow_down("auth.test", 30)
    started = time.monotonic()
    replica = Replica(env_for(fake_slack.url, sqlite_url), "--no-scheduler")
    try:
        status, body = first_health(replica, started)
        assert (status, body["reason"]) == (503, "Slack is unreachable: timed out")
        fake_slack.slow_down("auth.test", 0)
        healthy_within(replica, RECOVERED_WITHIN)
        stop(replica)
    finally:
        replica.stop()


def refused_run(fake: FakeSlack, database_url: str, *args: str, **env: str) -> list[str]:
    """`wolfpack run` that should stop at once: its stderr lines, after checking that it
    exited 2 with no traceback and one `wolfpack:` line, the last."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--host", "127.0.0.1", "--port", port, *args],
        env=env_for(fake.url, database_url, LOG_LEVEL="WARNING", **env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert [line for line in lines if line.startswith("wolfpack:")] == lines[-1:], lines
    assert done.stdout == ""
    return lines


def test_a_bot_token_slack_refuses_stops_start_up_with_one_line(
    sqlite_url: str, fake_slack: FakeSlack
) -> None:
    fake_slack.revoked.add("xoxb-test-token")
    lines = refused_run(fake_slack, sqlite_url, "--http")
    assert lines[-1] == (
        "wolfpack: SLACK_BOT_TOKEN was refused by Slack (token_revoked): give the bot token "
        "(xoxb-…) of the app installed in your workspace, or reinstall the app for a new one."
    )
    fake_slack.revoked.clear()
    fake_slack.error_next("auth.test", "invalid_auth")
    lines = refused_run(fake_slack, sqlite_url, "--http")
    assert lines[-1].startswith("wolfpack: SLACK_BOT_TOKEN was refused by Slack (invalid_auth)")
    # The same in Socket Mode, before any connection is tried.
    fake_slack.error_next("auth.test", "account_inactive")
    lines = refused_run(fake_slack, sqlite_url, SLACK_APP_TOKEN="xapp-test")
    assert "SLACK_BOT_TOKEN was refused by Slack (account_inactive)" in lines[-1]
    assert fake_slack.calls_to("apps.connections.open") == []


def test_an_app_token_slack_refuses_stops_socket_mode_with_one_line(
    sqlite_url: str, fake_slack: FakeSlack
) -> None:
    fake_slack.error_next("apps.connections.open", "invalid_auth")
    lines = refused_run(fake_slack, sqlite_url, SLACK_APP_TOKEN="xapp-test")
    assert lines[-1] == (
        "wolfpack: SLACK_APP_TOKEN was refused by Slack (invalid_auth): give an app-level token "
        "(xapp-…) with the connections:write scope, from the app's Basic Information page."
    )


def test_socket_mode_keeps_trying_while_slack_is_down_then_connects(
    sqlite_url: str, fake_slack: FakeSlack
) -> None:
    fake_slack.fail_all(503)
    started = time.monotonic()
    env = env_for(fake_slack.url, sqlite_url, SLACK_APP_TOKEN="xapp-test")
    replica = Replica(env, "--no-scheduler", http=False)
    try:
        status, body = first_health(replica, started)
        assert status == 503
        reason = str(body["reason"])
        assert reason.startswith("Slack is unreachable: HTTP 503; Socket Mode is not connected")
        # apps.connections.open is tried again and again (each try is a call and its two
        # retries), with backoff between tries.
        replica.wait_said("Socket Mode: cannot connect to Slack (HTTP 503); trying again", 15)
        fake_slack.wait_for(lambda f: len(f.calls_to("apps.connections.open")) >= 6, 20)
        assert replica.process.poll() is None
        fake_slack.heal()
        # Slack is back: the next try opens the socket, and /healthz says so.
        fake_slack.socket.wait_connected(timeout=RECOVERED_WITHIN)
        healthy_within(replica, RECOVERED_WITHIN)
        status, body = health(replica) or (0, {})
        assert status == 200 and body["slack"] is True
        # And the socket carries requests: a command is acknowledged with its reply.
        side = SocketSide(fake_slack.socket, team_id=fake_slack.team_id)
        reply, _ = side.command("/checkin", "help", user="UANA", channel="CTEAM")
        assert "/checkin away" in reply.message()["text"]
        assert reply.elapsed < 3
        stop(replica)
    finally:
        replica.stop()
    assert "Traceback" not in replica.log()


def test_tick_while_slack_is_down_keeps_what_is_due_for_the_next_tick(
    pg_url: str, fake_slack: FakeSlack, clock: FixedClock, tmp_path: Path
) -> None:
    members = ["UT001", "UT002"]
    # Prompts at 09:30 UTC every day; the summary on Friday, days away from the tick.
    settings = PackSettings(
        timezone="UTC",
        timezone_mode=TimezoneMode.PACK,
        reminder_minutes=0,
        checkin_days=frozenset(range(7)),
        checkin_time=dt.time(9, 30),
        summary_day=4,
    )
    env = pack_of(pg_url, fake_slack, clock, members, settings)
    env["LOG_LEVEL"] = "WARNING"
    now = "2026-12-01T09:32:00+00:00"  # a Tuesday, two minutes after the prompts fell due

    def tick() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", "tick", "--now", now],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    fake_slack.fail_all(503)
    down = tick()
    assert down.returncode == 1, down.stderr
    assert down.stderr.splitlines() == [
        "wolfpack: Slack is unreachable: HTTP 503. Nothing was sent; what is due stays queued "
        "for the next tick."
    ]
    [line] = down.stdout.splitlines()
    report = json.loads(line)
    assert report["queued"] == 2 and report["sent"] == 0 and report["failed"] == 0
    assert fake_slack.calls_to("chat.postMessage") == []

    fake_slack.heal()
    up = tick()
    assert up.returncode == 0, up.stderr
    report = json.loads(up.stdout)
    assert report["queued"] == 0 and report["sent"] == 2
    assert_one_dm_each(fake_slack, members)
