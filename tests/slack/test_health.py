"""What the bot knows of Slack (bot.slack.health), against the fake Slack over HTTP: the
probe's backoff, its short timeout, a token refused while running, the probe with many
workspaces, the /healthz and /livez answers, and a tick that sends nothing while Slack is
known to be unreachable."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from cryptography.fernet import Fernet
from slack_sdk import WebClient

from bot.config import load_settings
from bot.devtools.fake_slack import FakeSlack
from bot.slack.health import Health, SlackHealth, SlackState
from bot.wiring import build
from tests.conftest import ANA, BO, CY, Harness
from tests.e2e.journey import setup_pack


def probe(fake: FakeSlack, *, timeout: float = 5) -> SlackHealth:
    client = WebClient(
        token="xoxb-test-token", base_url=fake.url, timeout=timeout, retry_handlers=[]
    )
    return SlackHealth(client.auth_test, variable="SLACK_BOT_TOKEN")


def test_backoff_doubles_from_1_s_to_30_s_and_a_healthy_slack_is_looked_at_every_30_s(
    fake_slack: FakeSlack,
) -> None:
    health = probe(fake_slack)
    waits = iter(health.waits())
    fake_slack.fail_all(503)
    seen = []
    for _ in range(7):
        assert health.check() == SlackState(False, "Slack is unreachable: HTTP 503")
        seen.append(next(waits))
    assert seen == [1, 2, 4, 8, 16, 30, 30]
    fake_slack.heal()
    assert health.check() == SlackState(True)
    assert next(waits) == 30
    assert next(waits) == 30
    fake_slack.fail_all(500)
    assert health.check().reason == "Slack is unreachable: HTTP 500"
    assert next(waits) == 1  # the backoff starts again from the beginning


def test_the_probe_gives_up_quickly_when_slack_does_not_answer(fake_slack: FakeSlack) -> None:
    fake_slack.slow_down("auth.test", 3)
    health = probe(fake_slack, timeout=0.5)
    started = time.monotonic()
    state = health.check()
    assert time.monotonic() - started < 2
    assert state == SlackState(False, "Slack is unreachable: timed out")
    fake_slack.slow_down("auth.test", 0)


def test_a_token_revoked_while_running_is_reported_without_the_token(
    fake_slack: FakeSlack,
) -> None:
    health = probe(fake_slack)
    assert health.check().ok
    fake_slack.revoked.add("xoxb-test-token")
    state = health.check()
    assert state == SlackState(
        False, "Slack refused SLACK_BOT_TOKEN (token_revoked)", refused="token_revoked"
    )
    # Only an `ok: false` answer is a refusal: an HTTP error is not, whatever it says.
    fake_slack.revoked.clear()
    fake_slack.fail_next("auth.test", status=401)
    assert health.check() == SlackState(False, "Slack is unreachable: HTTP 401")


def test_with_many_workspaces_the_probe_is_api_test_without_a_token(
    fake_slack: FakeSlack, sqlite_url: str, tmp_path: Path
) -> None:
    settings = load_settings(
        {
            "SLACK_CLIENT_ID": "111.222",
            "SLACK_CLIENT_SECRET": "client-secret",
            "WOLFPACK_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "SLACK_SIGNING_SECRET": "s",
            "SLACK_API_URL": fake_slack.url,
            "DATABASE_URL": sqlite_url,
        },
        env_file=None,
    )
    wolfpack = build(settings)
    try:
        assert wolfpack.check_slack().state().ok
        [call] = fake_slack.calls_to("api.test")
        assert call.token is None
        fake_slack.fail_all(503)
        health = wolfpack.check_slack()
        assert health.state() == SlackState(False, "Slack is unreachable: HTTP 503")
        assert health.variable is None
    finally:
        wolfpack.close()


def test_healthz_and_livez_answers() -> None:
    def answer(health: Health, path: str) -> tuple[str, bytes]:
        seen: list[str] = []
        body = b"".join(health({"PATH_INFO": path}, lambda status, headers: seen.append(status)))
        return seen[0], body

    down = SlackState(False, "Slack is unreachable: connection refused")
    both = Health(lambda: False, [lambda: down])
    assert both.readiness() == (
        503,
        {
            "status": "unavailable",
            "database": False,
            "slack": False,
            "reason": "the database does not answer; Slack is unreachable: connection refused",
        },
    )
    assert answer(both, "/livez") == ("200 OK", b'{"status": "ok"}')
    assert answer(both, "/healthz")[0] == "503 Service Unavailable"
    assert answer(both, "/other")[0] == "404 Not Found"
    not_yet = Health(lambda: True, [lambda: SlackState(None, "Slack has not been reached yet")])
    assert not_yet.readiness()[0] == 503
    fine = Health(lambda: True, [lambda: SlackState(True)])
    assert fine.readiness() == (200, {"status": "ok", "database": True, "slack": True})


def test_a_tick_sends_nothing_while_slack_is_known_to_be_down(bot: Harness) -> None:
    members = [ANA, BO, CY]
    setup_pack(
        bot,
        values={
            "members": members,
            "reminder": "0",
            "timezone_mode": "pack",
            "timezone": "Europe/Berlin",
        },
    )
    # Friday 4 December 2026, 09:32 in Berlin: the day's prompts fell due two minutes ago.
    now = dt.datetime(2026, 12, 4, 8, 32, tzinfo=dt.UTC)
    bot.clock.at = now
    bot.fake.fail_all(503)
    health = bot.wolfpack.watch_slack()
    bot.fake.reset_calls()
    report = bot.wolfpack.tick(now)
    assert report.queued >= len(members) and report.sent == 0 and report.retrying == 0
    assert not [c for c in bot.fake.calls if c.method != "auth.test"]

    bot.fake.heal()
    assert health.check().ok
    report = bot.wolfpack.tick(now)
    assert report.sent == len(members)
    for user in members:
        assert len(bot.fake.messages(f"D{user}")) == 1


def test_causes_are_short_and_name_no_url() -> None:
    import socket
    import ssl
    from urllib.error import URLError

    from bot.slack.health import cause

    assert cause(URLError(ConnectionRefusedError(111, "refused"))) == "connection refused"
    assert cause(URLError(socket.gaierror(-2, "Name or service not known"))) == (
        "host name not resolved"
    )
    assert cause(URLError(TimeoutError())) == "timed out"
    assert cause(ConnectionResetError()) == "connection lost"
    assert cause(ssl.SSLError("bad certificate")) == "TLS error"
    assert cause(OSError("https://slack.com/api/auth.test")) == "network error"
    assert cause(URLError("https://slack.com/api/auth.test")) == "network error"
    assert cause(KeyError("url")) == "an unexpected answer (KeyError)"
