"""The journeys over Socket Mode: `wolfpack run` (a child process) opens the fake Slack's
WebSocket with the app-level token, receives each request as an envelope and acknowledges it;
the outcome and the Web API calls are those of the same journey over HTTP."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.devtools.fake_slack import Call, FakeSlack
from bot.devtools.simulate import SlackSide, SocketSide
from tests.conftest import (
    ANA,
    BO,
    CHANNEL,
    CY,
    SIGNING_SECRET,
    TEAM,
    FixedClock,
    Harness,
    process_env,
    start_bot,
    team_workspace,
)
from tests.e2e.journey import GOOD_ANSWER, open_checkin, setup_pack
from tests.e2e.test_direction import say as direction_say
from tests.e2e.test_direction import vote
from tests.e2e.test_proposals import proposal, shows
from tests.e2e.test_proposals import say as proposal_say

APP_TOKEN = "xapp-1-A0001-1-socketsecret"
ACK_LIMIT = 3.0  # seconds: Slack shows the person an error when an ack takes longer


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Running:
    """`wolfpack run` in Socket Mode, as a child process."""

    process: subprocess.Popen[str]
    port: int
    log: Path

    def healthz(self) -> tuple[int, dict[str, Any]]:
        url = f"http://127.0.0.1:{self.port}/healthz"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            with error:
                return error.code, json.loads(error.read())

    def __enter__(self) -> Running:
        return self

    def __exit__(self, *exc: object) -> None:
        """Whatever happened in the test, no bot is left running."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise


def run_socket_mode(
    fake: FakeSlack, database: Path, workdir: Path, *args: str, **settings: str
) -> Running:
    port = free_port()
    log = workdir / "wolfpack.log"
    env = process_env(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_API_URL=fake.url,
        DATABASE_URL=f"sqlite:///{database}",
        LOG_LEVEL="INFO",
        **settings,
    )
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--host", "127.0.0.1", "--port", str(port), *args],
            env=env,
            cwd=workdir,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    return Running(process, port, log)


@pytest.fixture
def socket_bot(
    tmp_path: Path, sqlite_template: Path, clock: FixedClock
) -> Iterator[tuple[Harness, Running]]:
    database = tmp_path / "socket.db"
    shutil.copy(sqlite_template, database)
    with (
        team_workspace() as fake,
        run_socket_mode(fake, database, tmp_path, "--no-scheduler") as running,
    ):
        fake.socket.wait_connected(timeout=30)
        fake.reset_calls()
        side = SocketSide(fake.socket, team_id=TEAM)
        yield Harness(None, fake, side, clock), running  # type: ignore[arg-type]
        # Slack ends the socket first: the bot then stops without waiting out its read.
        fake.socket.refuse_connections(60)
        fake.socket.drop()
        assert running.stop() == 0, running.log.read_text()


def checkin_journey(h: Harness) -> None:
    """Setup in the team channel, then Bo's check-in: the reply in the round thread and the
    DM with the Edit button."""
    ack = setup_pack(h)
    assert ack["response_action"] == "update"
    view = open_checkin(h, BO)
    submitted = h.side.submit(view, user=BO, values=GOOD_ANSWER)
    assert submitted.status == 200 and submitted.body == ""
    h.fake.wait_for(
        lambda f: (
            any(
                c.args["channel"] == CHANNEL and c.args.get("thread_ts")
                for c in f.calls_to("chat.postMessage")
            )
            and any(c.args["channel"] == f"D{BO}" for c in f.calls_to("chat.postMessage"))
        ),
        timeout=15,
    )


def call_shape(call: Call) -> tuple[str, str]:
    """What a call did, without what depends on the hour: its method and what it was about."""
    args = call.args
    about = args.get("channel") or args.get("user") or args.get("users") or ""
    view = args.get("view")
    if isinstance(view, dict):
        about = f"{about}:{view.get('callback_id') or view.get('type')}"
    if args.get("thread_ts"):
        about += ":thread"
    return call.method, str(about)


@pytest.fixture
def http_bot(sqlite_url: str, clock: FixedClock) -> Iterator[Harness]:
    """The same workspace and bot over HTTP, on SQLite too: what the socket journeys match."""
    with team_workspace() as fake:
        wolfpack = start_bot(sqlite_url, fake, clock)
        server = wolfpack.serve_http().start()
        try:
            side = SlackSide(f"{server.url}/slack/events", SIGNING_SECRET, team_id=TEAM)
            yield Harness(wolfpack, fake, side, clock)
        finally:
            wolfpack.close()


def test_setup_and_a_checkin_over_the_socket_as_over_http(
    socket_bot: tuple[Harness, Running], http_bot: Harness
) -> None:
    over_socket, running = socket_bot
    checkin_journey(over_socket)
    checkin_journey(http_bot)
    bot = http_bot

    assert over_socket.fake.messages(CHANNEL)[-1]["thread_ts"]
    reply = next(m for m in over_socket.fake.messages(CHANNEL) if m.get("thread_ts"))
    assert "Shipped the CLI parser" in json.dumps(reply)
    socket_calls = Counter(call_shape(c) for c in over_socket.fake.calls)
    http_calls = Counter(call_shape(c) for c in bot.fake.calls)
    assert socket_calls == http_calls

    side = over_socket.side
    assert isinstance(side, SocketSide)
    assert len(side.latencies) == len(side.envelope_ids) >= 3
    assert max(side.latencies) < ACK_LIMIT, side.latencies
    status, health = running.healthz()
    assert status == 200 and health["slack"] is True


def checkin(h: Harness, user: str) -> None:
    before = len(thread_replies(h))
    submitted = h.side.submit(open_checkin(h, user), user=user, values=GOOD_ANSWER)
    assert submitted.status == 200 and submitted.body == ""
    h.fake.wait_for(lambda f: len(thread_replies(h)) > before, timeout=15)


def thread_replies(h: Harness) -> list[Call]:
    return [
        c
        for c in h.fake.calls_to("chat.postMessage")
        if c.args["channel"] == CHANNEL and c.args.get("thread_ts")
    ]


def test_refresh_requested_reconnects_with_nothing_lost_or_doubled(
    socket_bot: tuple[Harness, Running],
) -> None:
    h, _ = socket_bot
    setup_pack(h)
    h.fake.socket.disconnect("refresh_requested")
    h.fake.socket.wait_connected(opened=2, timeout=15)
    # slack_sdk reads the new socket once it has closed the old one: it waits for its read of
    # the old one to time out (up to 3 s), and an envelope that comes meanwhile waits too.
    h.fake.wait_for(lambda f: f.socket.connected == 1, timeout=10)
    checkin(h, BO)
    assert len(thread_replies(h)) == 1
    assert len(h.fake.calls_to("apps.connections.open")) == 1  # the new URL
    side = h.side
    assert isinstance(side, SocketSide)
    assert max(side.latencies) < ACK_LIMIT, side.latencies


def test_a_dropped_connection_is_reopened_and_a_resent_event_has_one_effect(
    socket_bot: tuple[Harness, Running],
) -> None:
    h, _ = socket_bot
    setup_pack(h)
    side = h.side
    assert isinstance(side, SocketSide)
    home = {"type": "app_home_opened", "user": CY, "channel": f"D{CY}", "tab": "home"}
    side.event(home, event_id="Ev0HOME1")
    assert len(h.fake.calls_to("views.publish")) == 1
    h.fake.socket.drop()
    # Slack sends again what it saw no ack for; the socket is down, so it waits for the next.
    again = h.fake.socket.resend(side.envelope_ids[-1])
    # slack_sdk notices a reset socket after a few failed pings (every PING_SECONDS) and opens
    # a new one.
    h.fake.socket.wait_connected(opened=2, timeout=40)
    assert h.fake.socket.wait_ack(again).latency < ACK_LIMIT
    retried = next(e for e in h.fake.socket.sent if e.envelope_id == again)
    assert retried.retry_attempt == 1 and retried.payload["event_id"] == "Ev0HOME1"
    assert len(h.fake.calls_to("views.publish")) == 1
    # And the new socket carries the rest of the journey.
    checkin(h, BO)
    assert len(thread_replies(h)) == 1


def test_an_event_no_listener_wants_is_acknowledged(socket_bot: tuple[Harness, Running]) -> None:
    h, _ = socket_bot
    reply = h.side.event({"type": "reaction_added", "user": BO, "reaction": "wave"})
    assert reply.status == 200 and reply.elapsed < ACK_LIMIT


CLI = "We should ship the CLI before the web UI"


def vote_propose_and_home(h: Harness) -> dict[str, Any]:
    """A statement and a vote on it, a proposal with a click and a block whose reason is first
    left empty (the modal's errors come back in the ack), then App Home."""
    setup_pack(h, values={"members": [ANA, BO, CY]})
    assert "Added" in direction_say(h, ANA, f"add {CLI}")
    vote(h, BO, {CLI: ("1", "Terminals first")})
    assert "posted" in proposal_say(h, ANA, "/propose", "Ship the CLI first --closes 2d")
    h.fake.wait_for(lambda f: any("Proposal" in m.get("text", "") for m in f.messages(CHANNEL)))
    message = proposal(h)
    h.side.click("proposal_respond", "1:agree", user=ANA, channel=CHANNEL, message_ts=message["ts"])
    shows(h, "1 agree · 0 abstain · 0 disagree · 0 block")
    h.side.click("proposal_respond", "1:block", user=BO, channel=CHANNEL, message_ts=message["ts"])
    view = h.fake.calls_to("views.open")[-1].args["view"]
    assert view["callback_id"] == "proposal_reason"
    missing = h.side.submit(view, user=BO, values={"reason": "  "}).json()
    assert h.side.submit(view, user=BO, values={"reason": "Docs first"}).body == ""
    shows(h, "1 agree · 0 abstain · 0 disagree · 1 block")
    home = {"type": "app_home_opened", "user": CY, "channel": f"D{CY}", "tab": "home"}
    assert h.side.event(home).status == 200
    published = h.fake.calls_to("views.publish")
    assert len(published) == 1 and published[0].args["user_id"] == CY
    assert f"<#{CHANNEL}>" in json.dumps(published[0].args["view"])
    errors: dict[str, Any] = missing
    return errors


def test_a_vote_a_proposal_and_app_home_over_the_socket_as_over_http(
    socket_bot: tuple[Harness, Running], http_bot: Harness
) -> None:
    over_socket, _ = socket_bot
    socket_errors = vote_propose_and_home(over_socket)
    http_errors = vote_propose_and_home(http_bot)
    # The modal's field errors travel in the envelope's ack, as they do in the HTTP answer.
    assert socket_errors == http_errors
    assert socket_errors["response_action"] == "errors" and "reason" in socket_errors["errors"]
    ack = over_socket.fake.socket.acks[-3]  # the empty reason's submission
    assert ack.payload == socket_errors
    socket_calls = Counter(call_shape(c) for c in over_socket.fake.calls)
    http_calls = Counter(call_shape(c) for c in http_bot.fake.calls)
    assert socket_calls == http_calls
    side = over_socket.side
    assert isinstance(side, SocketSide)
    assert max(side.latencies) < ACK_LIMIT, side.latencies


README = Path(__file__).resolve().parents[2] / "README.md"
# Values for the fake Slack, by the kind of token each setting holds.
TOKEN_VALUES = {"SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_APP_TOKEN": APP_TOKEN}


def laptop_section() -> tuple[list[str], list[str]]:
    """The settings the README's Socket Mode paragraph names, and the command it gives."""
    text = README.read_text(encoding="utf-8")
    start = text.index("**Socket Mode** (a laptop")
    paragraph, _, rest = text[start:].partition("```sh\n")
    command = rest.partition("```")[0].strip()
    names = re.findall(r"`([A-Z][A-Z0-9_]+)`", paragraph)
    return names, shlex.split(command)


def test_the_readme_laptop_section_runs_as_written(tmp_path: Path) -> None:
    names, command = laptop_section()
    assert names == ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"]
    assert command == ["wolfpack", "run"]
    program = Path(sys.executable).with_name(command[0])
    with team_workspace() as fake:
        # Only what the section names, plus where this Slack is; the database is the default
        # SQLite file in the working folder.
        env = process_env(SLACK_API_URL=fake.url, **{n: TOKEN_VALUES[n] for n in names})
        log = tmp_path / "wolfpack.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                [str(program), *command[1:]],
                env=env,
                cwd=tmp_path,
                stdout=out,
                stderr=subprocess.STDOUT,
                text=True,
            )
        try:
            fake.socket.wait_connected(timeout=30)
            side = SocketSide(fake.socket, team_id=TEAM)
            reply, _ = side.command("/checkin", "help", user=BO, channel=CHANNEL)
            assert "/checkin away" in reply.message()["text"]
            assert reply.elapsed < ACK_LIMIT
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=15) == 0, log.read_text()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert (tmp_path / "wolfpack.db").is_file()
    assert "Traceback" not in log.read_text()


def test_an_event_that_fails_on_slacks_side_is_left_unacknowledged_and_its_resend_works_once(
    socket_bot: tuple[Harness, Running],
) -> None:
    h, running = socket_bot
    setup_pack(h)
    side = h.side
    assert isinstance(side, SocketSide)
    h.fake.error_next("views.publish", "internal_error")
    home = {"type": "app_home_opened", "user": CY, "channel": f"D{CY}", "tab": "home"}
    side.ack_timeout = ACK_LIMIT  # Slack sends it again when no ack comes within 3 s
    with pytest.raises(AssertionError, match="no ack"):
        side.event(home, event_id="Ev0FAILS")
    first = side.envelope_ids[-1]
    assert "Ev0FAILS failed: its claim is given back" in running.log.read_text()
    # No ack: Slack sends it again, and that one does the work.
    again = h.fake.socket.resend(first)
    assert h.fake.socket.wait_ack(again).latency < ACK_LIMIT
    assert h.fake.socket.ack_for(first) is None
    published = h.fake.calls_to("views.publish")
    assert len(published) == 2 and published[-1].args["user_id"] == CY
    # Once more (Slack's third try, had the second been slow): handled before, no effect.
    h.fake.socket.wait_ack(h.fake.socket.resend(again))
    assert len(h.fake.calls_to("views.publish")) == 2
