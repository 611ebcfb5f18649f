"""PostgreSQL going away under a running bot, through a TCP proxy that cuts every connection and
refuses new ones: commands still get a friendly answer, /healthz says 503, the tick logs and
carries on, events wait for Slack's retry; when the database is back the very next request
works, with no restart.

Not for SQLite: its file is opened by the process itself, so there is no server to lose.
Deleting or chmod-ing the file does not reach connections already open (and the tests run as
root, which mode bits do not stop); the faults SQLite does have (a full or failing disk) need
a filesystem the tests cannot break."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from bot.devtools.fake_slack import FakeSlack
from bot.devtools.simulate import Reply, SlackSide
from tests.conftest import ANA, BO, CHANNEL, SIGNING_SECRET, TEAM, FixedClock, Harness, start_bot
from tests.e2e.journey import setup_pack
from tests.faults.proxy import TcpProxy

# What a reply to a person must never carry: internals of the failure, or secrets.
LEAKS = (
    "Traceback",
    "psycopg",
    "sqlalchemy",
    "OperationalError",
    "SELECT",
    "127.0.0.1",
    "postgres",
    "xoxb-",
    SIGNING_SECRET,
)


@pytest.fixture
def proxied(
    pg_url: str, fake_slack: FakeSlack, clock: FixedClock
) -> Iterator[tuple[Harness, TcpProxy]]:
    """The bot served over HTTP, its database reached only through the proxy."""
    url = make_url(pg_url)
    assert url.host is not None and url.port is not None
    proxy = TcpProxy(url.host, url.port).start()
    wolfpack = start_bot(
        url.set(port=proxy.port).render_as_string(hide_password=False), fake_slack, clock
    )
    server = wolfpack.serve_http().start()
    try:
        side = SlackSide(f"{server.url}/slack/events", SIGNING_SECRET, team_id=TEAM)
        yield Harness(wolfpack, fake_slack, side, clock), proxy
    finally:
        proxy.start()  # lets the bot close its connections cleanly
        wolfpack.close()
        proxy.stop()


def health(h: Harness) -> tuple[int, dict[str, object]]:
    url = h.side.url.replace("/slack/events", "/healthz")
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def command(h: Harness, name: str, text: str) -> Reply:
    reply, _ = h.side.command(name, text, user=ANA, channel=CHANNEL)
    return reply


def friendly(reply: Reply) -> str:
    """The reply is a 200 with a short message for the person, and nothing of the failure."""
    assert reply.status == 200, reply.body
    for leak in LEAKS:
        assert leak not in reply.body, f"{leak!r} in the reply: {reply.body}"
    text: str = reply.message()["text"]
    assert "try again" in text
    return text


def lists_statements(reply: Reply) -> bool:
    return reply.status == 200 and "Statements" in reply.message().get("text", "")


def test_commands_answer_kindly_while_the_database_is_away_and_work_once_it_is_back(
    proxied: tuple[Harness, TcpProxy], caplog: pytest.LogCaptureFixture
) -> None:
    h, proxy = proxied
    setup_pack(h)
    assert lists_statements(command(h, "/direction", "list"))
    assert health(h) == (200, {"status": "ok", "database": True})

    modals = len(h.fake.calls_to("views.open"))
    proxy.stop()
    caplog.clear()
    with caplog.at_level(logging.INFO):
        listed = friendly(command(h, "/direction", "list"))
        checkin = friendly(command(h, "/checkin", ""))
        assert health(h) == (
            503,
            {"status": "unavailable", "database": False, "reason": "the database does not answer"},
        )
        # The tick, as the scheduler runs it: it fails, logs why, and the process goes on.
        runner = h.wolfpack.scheduler()
        assert runner.run_once() is False
    # Each message gives a reference that the log line repeats.
    for text in (listed, checkin):
        ref = text.split("(ref ")[1].split(")")[0]
        assert any(ref in r.getMessage() for r in caplog.records)
    assert any("tick failed" in r.getMessage() for r in caplog.records)
    logged = caplog.text
    assert "xoxb-" not in logged and SIGNING_SECRET not in logged
    assert len(h.fake.calls_to("views.open")) == modals  # no check-in without its pack

    proxy.start()
    # The very next request works: the pool does not hand out a connection the outage cut.
    assert lists_statements(command(h, "/direction", "list"))
    assert health(h) == (200, {"status": "ok", "database": True})
    assert runner.run_once() is True
    reply = command(h, "/checkin", "")
    assert reply.status == 200 and "try again" not in reply.body
    assert h.fake.calls_to("views.open")[-1].args["view"]["callback_id"] == "checkin"


def test_a_database_restart_between_two_requests_fails_neither(
    proxied: tuple[Harness, TcpProxy],
) -> None:
    """Nothing used the database while it was away, so nothing found out: the pool still
    holds connections the restart cut, and must not hand them to the next request."""
    h, proxy = proxied
    setup_pack(h)
    for _ in range(3):
        assert lists_statements(command(h, "/direction", "list"))
    cut_before = proxy.accepted
    proxy.stop()
    proxy.start()
    assert lists_statements(command(h, "/direction", "list"))
    assert proxy.accepted > cut_before  # it connected afresh
    assert health(h)[0] == 200


def test_an_event_during_the_outage_waits_for_slacks_retry(
    proxied: tuple[Harness, TcpProxy],
) -> None:
    h, proxy = proxied
    setup_pack(h)
    opened = {"type": "app_home_opened", "user": BO, "channel": "DBO", "tab": "home"}
    proxy.stop()
    # Not recorded, so not handled: an error makes Slack deliver it again later.
    assert h.side.event(opened, event_id="EvOUTAGE").status == 503
    assert h.fake.calls_to("views.publish") == []
    proxy.start()
    assert h.side.event(opened, event_id="EvOUTAGE", retry=1).status == 200
    assert h.side.event(opened, event_id="EvOUTAGE", retry=2).status == 200
    (published,) = h.fake.calls_to("views.publish")
    assert published.args["user_id"] == BO
