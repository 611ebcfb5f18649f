"""The fake Slack's Socket Mode side, driven by slack_sdk's own Socket Mode client over a real
WebSocket on 127.0.0.1."""

from __future__ import annotations

import gc
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.devtools.fake_slack import FakeSlack

APP_TOKEN = "xapp-1-A0001-1-secret"


class App:
    """A minimal Socket Mode app: acks every envelope (a command with a reply in the ack) and
    keeps what it received."""

    def __init__(self, fake: FakeSlack, *, ping_interval: float = 10) -> None:
        self.received: list[SocketModeRequest] = []
        self.raw: list[dict[str, Any]] = []
        self.hold = threading.Event()
        self.hold.set()
        self.client = SocketModeClient(
            APP_TOKEN, web_client=WebClient(base_url=fake.url), ping_interval=ping_interval
        )
        self.client.socket_mode_request_listeners.append(self._request)  # type: ignore[arg-type]
        self.client.message_listeners.append(self._message)  # type: ignore[arg-type]

    def _message(self, client: SocketModeClient, message: dict[str, Any], raw: str) -> None:
        self.raw.append(message)

    def _request(self, client: SocketModeClient, request: SocketModeRequest) -> None:
        self.hold.wait(10)
        self.received.append(request)
        payload = {"text": "hi"} if request.type == "slash_commands" else None
        client.send_socket_mode_response(SocketModeResponse(request.envelope_id, payload))


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def app(fake: FakeSlack) -> Iterator[App]:
    app = App(fake)
    app.client.connect()
    try:
        yield app
    finally:
        app.client.close()  # type: ignore[no-untyped-call]


def test_hello_then_envelopes_and_their_acks(fake: FakeSlack, app: App) -> None:
    fake.socket.wait_connected()
    call = fake.calls_to("apps.connections.open")[0]
    assert call.token == APP_TOKEN
    command = fake.socket.send_command({"command": "/checkin", "text": "", "user_id": "U1"})
    event = fake.socket.send_event({"event_id": "Ev1", "event": {"type": "app_home_opened"}})
    ack = fake.socket.wait_ack(command)
    assert ack.payload == {"text": "hi"}
    assert 0 <= ack.latency < 3
    assert fake.socket.wait_ack(event).payload is None
    hello = app.raw[0]
    assert hello["type"] == "hello" and hello["connection_info"] == {"app_id": "A0001"}
    kinds = {r.envelope_id: r.type for r in app.received}
    assert kinds == {command: "slash_commands", event: "events_api"}
    sent = {e.envelope_id: e for e in fake.socket.sent}
    assert sent[command].accepts_response_payload and not sent[event].accepts_response_payload


def test_only_an_app_level_token_opens_a_socket(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError, match="not_allowed_token_type"):
        WebClient(base_url=fake.url, token="xoxb-bot").apps_connections_open(app_token="xoxb-bot")
    assert fake.socket.urls_issued == 0


def test_a_url_opens_one_connection(fake: FakeSlack) -> None:
    import urllib.error
    import urllib.request

    url = WebClient(base_url=fake.url).apps_connections_open(app_token=APP_TOKEN)["url"]
    assert url.startswith("ws://127.0.0.1:")
    app = App(fake)
    app.client.wss_uri = url
    try:
        app.client.connect()
        fake.socket.wait_connected()
        # The same URL a second time: refused at the handshake.
        request = urllib.request.Request(
            url.replace("ws://", "http://"),
            headers={
                "Upgrade": "websocket",
                "Connection": "Upgrade",
                "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
                "Sec-WebSocket-Version": "13",
            },
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        with refused.value:
            assert refused.value.code == 401
    finally:
        app.client.close()  # type: ignore[no-untyped-call]


def test_envelopes_wait_for_a_connection(fake: FakeSlack) -> None:
    queued = fake.socket.send_action({"type": "block_actions", "actions": []})
    app = App(fake)
    try:
        app.client.connect()
        assert fake.socket.wait_ack(queued).latency < 3
    finally:
        app.client.close()  # type: ignore[no-untyped-call]


def test_a_resent_envelope_is_a_retry_of_the_same_payload(fake: FakeSlack, app: App) -> None:
    first = fake.socket.send_event({"event_id": "Ev9", "event": {"type": "app_home_opened"}})
    fake.socket.wait_ack(first)
    again = fake.socket.resend(first)
    fake.socket.wait_ack(again)
    retried = next(r for r in app.received if r.envelope_id == again)
    assert again != first
    assert retried.retry_attempt == 1 and retried.retry_reason == "timeout"
    assert retried.payload == {"event_id": "Ev9", "event": {"type": "app_home_opened"}}


@pytest.mark.parametrize("reason", ["refresh_requested", "link_disabled", "warning"])
def test_a_disconnect_message_makes_the_client_reconnect(
    fake: FakeSlack, app: App, reason: str
) -> None:
    fake.socket.wait_connected()
    fake.socket.disconnect(reason)
    fake.socket.wait_connected(opened=2)
    assert len(fake.calls_to("apps.connections.open")) == 2  # a new URL for the new socket
    after = fake.socket.send_command({"command": "/wolfpack", "text": ""})
    assert fake.socket.wait_ack(after).payload == {"text": "hi"}


def test_a_dropped_connection_is_noticed_and_reopened(fake: FakeSlack) -> None:
    app = App(fake, ping_interval=0.5)
    try:
        app.client.connect()
        fake.socket.wait_connected()
        fake.socket.drop()
        fake.socket.wait_connected(opened=2, timeout=10)
        envelope = fake.socket.send_command({"command": "/checkin", "text": ""})
        assert fake.socket.wait_ack(envelope).payload == {"text": "hi"}
    finally:
        app.client.close()  # type: ignore[no-untyped-call]


def test_refused_connections_then_accepted(fake: FakeSlack) -> None:
    app = App(fake, ping_interval=0.5)
    try:
        app.client.connect()
        fake.socket.wait_connected()
        fake.socket.refuse_connections(60)
        with pytest.raises(SlackApiError) as refused:
            app.client.issue_new_wss_url()
        assert refused.value.response.status_code == 503
        fake.socket.drop()  # the client asks for new URLs, and is refused
        fake.wait_for(lambda f: len(f.calls_to("apps.connections.open")) >= 4, timeout=10)
        assert fake.socket.connections_opened == 1 and fake.socket.connected == 0
        fake.socket.accept_connections()
        fake.socket.wait_connected(opened=2, timeout=10)
    finally:
        app.client.close()  # type: ignore[no-untyped-call]


# slack_sdk leaves the socket of a refused handshake for the garbage collector.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_a_url_given_out_before_a_refusal_is_refused_at_the_handshake(fake: FakeSlack) -> None:
    url = WebClient(base_url=fake.url).apps_connections_open(app_token=APP_TOKEN)["url"]
    fake.socket.refuse_connections(60)
    app = App(fake)
    app.client.wss_uri = url
    try:
        app.client.connect()
        assert not app.client.is_connected()
        assert fake.socket.refused == 1 and fake.socket.connections_opened == 0
    finally:
        app.client.close()  # type: ignore[no-untyped-call]
        gc.collect()


def test_a_stall_holds_envelopes_and_acks(fake: FakeSlack, app: App) -> None:
    fake.socket.wait_connected()
    started = time.monotonic()
    fake.socket.stall(1.0)
    envelope = fake.socket.send_command({"command": "/checkin", "text": ""})
    ack = fake.socket.wait_ack(envelope, timeout=10)
    assert time.monotonic() - started >= 1.0
    assert ack.payload == {"text": "hi"}


def test_ack_latency_counts_the_apps_time(fake: FakeSlack, app: App) -> None:
    app.hold.clear()
    envelope = fake.socket.send_command({"command": "/checkin", "text": ""})
    fake.wait_for(lambda f: bool(f.socket.sent), timeout=5)
    time.sleep(0.3)  # the app takes its time to answer: the ack's latency includes it
    app.hold.set()
    assert fake.socket.wait_ack(envelope).latency >= 0.3
    assert json.dumps(fake.socket.acks[0].payload) == '{"text": "hi"}'
