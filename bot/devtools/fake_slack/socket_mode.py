"""Slack's Socket Mode side: the WebSocket an app opens with the URL `apps.connections.open`
gives it, served on 127.0.0.1 by the `websockets` library's threading server.

As Slack does, it greets each new connection with `hello`, then sends envelopes (slash
commands, interactive payloads, Events API callbacks), each to be acknowledged with its
`envelope_id` (an ack may carry a payload: a command's reply, a modal's `response_action`).
What goes wrong on Slack's side can be staged: a `disconnect` message (`refresh_requested`,
`link_disabled`, `warning`), a connection dropped without a word, a stall (nothing read or
sent, pings unanswered), and connections refused for a while. Envelopes sent while no socket
is open wait for the next one, as Slack's do."""

from __future__ import annotations

import contextlib
import itertools
import json
import secrets
import socket
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

KINDS = ("slash_commands", "interactive", "events_api")
DISCONNECT_REASONS = ("refresh_requested", "link_disabled", "warning")


@dataclass(frozen=True)
class Envelope:
    envelope_id: str
    type: str
    payload: dict[str, Any]
    accepts_response_payload: bool
    retry_attempt: int = 0
    retry_reason: str = ""

    def message(self) -> dict[str, Any]:
        return {
            "envelope_id": self.envelope_id,
            "type": self.type,
            "payload": self.payload,
            "accepts_response_payload": self.accepts_response_payload,
            "retry_attempt": self.retry_attempt,
            "retry_reason": self.retry_reason,
        }


@dataclass(frozen=True)
class Ack:
    """An acknowledgement the app sent: `latency` is the seconds from the envelope leaving the
    fake to its ack arriving."""

    envelope_id: str
    payload: dict[str, Any] | None
    latency: float


class SocketMode:
    """The Socket Mode endpoint of one fake workspace. `changed` is the fake's condition: it
    guards this state too, and is notified on every connection, ack and drop."""

    def __init__(self, changed: threading.Condition, *, app_id: str, host: str = "127.0.0.1"):
        self._changed = changed
        self.app_id = app_id
        self.acks: list[Ack] = []
        self.sent: list[Envelope] = []
        self.connections_opened = 0
        self.urls_issued = 0
        self.refused = 0
        self._ids = itertools.count(1)
        self._tickets: set[str] = set()
        self._live: list[ServerConnection] = []
        self._outbox: deque[Envelope] = deque()
        self._sent_at: dict[str, float] = {}
        self._refuse_until = 0.0
        # The sockets that stall, and until when (monotonic); set on stop() to end every stall.
        self._stalled: dict[ServerConnection, float] = {}
        self._unstall = threading.Event()
        self._stopped = False
        self._server: Server = serve(
            self._session,
            host,
            0,
            process_request=self._check_request,
            compression=None,
            ping_interval=None,  # the client pings; Slack answers
            close_timeout=1,
        )
        self._threads = [
            threading.Thread(target=self._server.serve_forever, name="fake-socket", daemon=True),
            threading.Thread(target=self._deliver, name="fake-socket-out", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    # --- what apps.connections.open hands out ---

    @property
    def port(self) -> int:
        port: int = self._server.socket.getsockname()[1]
        return port

    def open_url(self) -> str:
        """A new one-time URL for a connection, as `apps.connections.open` returns it."""
        ticket = secrets.token_hex(8)
        with self._changed:
            self._tickets.add(ticket)
            self.urls_issued += 1
        return f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id={self.app_id}"

    # --- sending what people do ---

    def send(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> str:
        """Queues an envelope of `kind` (one of KINDS) for the app; returns its envelope_id."""
        if kind not in KINDS:
            raise ValueError(f"no such envelope type: {kind}")
        envelope = Envelope(
            envelope_id=f"{next(self._ids):04d}-{secrets.token_hex(6)}",
            type=kind,
            payload=dict(payload),
            # Slack takes a reply in the ack for commands and interactive payloads only.
            accepts_response_payload=kind != "events_api",
            retry_attempt=retry_attempt,
            retry_reason=retry_reason,
        )
        with self._changed:
            self._outbox.append(envelope)
            self._changed.notify_all()
        return envelope.envelope_id

    def send_command(self, fields: dict[str, Any]) -> str:
        return self.send("slash_commands", fields)

    def send_action(self, payload: dict[str, Any]) -> str:
        return self.send("interactive", payload)

    def send_view_submission(self, payload: dict[str, Any]) -> str:
        return self.send("interactive", payload)

    def send_event(self, body: dict[str, Any], *, retry_attempt: int = 0) -> str:
        reason = "timeout" if retry_attempt else ""
        return self.send("events_api", body, retry_attempt=retry_attempt, retry_reason=reason)

    def resend(self, envelope_id: str, *, reason: str = "timeout") -> str:
        """Sends an envelope again, as Slack retries one it saw no ack for: the same payload
        under a new envelope id, with `retry_attempt` one more."""
        with self._changed:
            first = next(e for e in self.sent if e.envelope_id == envelope_id)
        return self.send(
            first.type,
            first.payload,
            retry_attempt=first.retry_attempt + 1,
            retry_reason=reason,
        )

    # --- what the app answered ---

    def ack_for(self, envelope_id: str) -> Ack | None:
        with self._changed:
            return next((a for a in self.acks if a.envelope_id == envelope_id), None)

    def wait_ack(self, envelope_id: str, timeout: float = 10.0) -> Ack:
        """Blocks until the app acknowledges `envelope_id`."""
        found: list[Ack] = []

        def acked() -> bool:
            ack = self.ack_for(envelope_id)
            if ack is not None:
                found.append(ack)
            return ack is not None

        self._wait(acked, timeout, f"no ack for envelope {envelope_id}")
        return found[0]

    @property
    def connected(self) -> int:
        """How many sockets the app has open now."""
        with self._changed:
            return len(self._live)

    def wait_connected(self, timeout: float = 10.0, *, opened: int = 1) -> None:
        """Blocks until the app has a socket open and `opened` connections were made in all."""
        self._wait(
            lambda: bool(self._live) and self.connections_opened >= opened,
            timeout,
            f"no Socket Mode connection number {opened}",
        )

    def _wait(self, done: Any, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not done():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"{what} within {timeout}s ({self.connections_opened} connections, "
                        f"{len(self._live)} open, {len(self.acks)} acks)"
                    )
                self._changed.wait(min(left, 0.05))

    # --- Slack's side going wrong ---

    def disconnect(self, reason: str = "refresh_requested") -> None:
        """Tells the open sockets to go, as Slack does before it closes a connection (every few
        hours, `refresh_requested`), when the app is switched off Socket Mode (`link_disabled`),
        or a little before it restarts (`warning`)."""
        if reason not in DISCONNECT_REASONS:
            raise ValueError(f"no such disconnect reason: {reason}")
        message = json.dumps(
            {
                "type": "disconnect",
                "reason": reason,
                "debug_info": {"host": "fake-slack", "approximate_connection_time": 18060},
            }
        )
        for conn in self._open_sockets():
            with contextlib.suppress(ConnectionClosed, OSError):
                conn.send(message)

    def drop(self) -> None:
        """Cuts the open sockets without a closing handshake: a reset, as when a network path
        dies or Slack's host goes away. Nothing more is sent on them."""
        with self._changed:
            dropped, self._live = self._live, []
            self._changed.notify_all()
        for conn in dropped:
            with contextlib.suppress(OSError):
                # Linger 0: closing sends a TCP reset instead of a polite end of stream.
                conn.socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                # Wakes the reading thread, which then closes the socket.
                conn.socket.shutdown(socket.SHUT_RD)

    def stall(self, seconds: float) -> None:
        """For `seconds`, nothing is read from or sent to the sockets open now: envelopes wait
        (for a socket that does not stall, such as the app's next one), the app's acks and pings
        go unanswered, and the connection still looks alive to TCP."""
        until = time.monotonic() + seconds
        with self._changed:
            sockets = list(self._live)
            for conn in sockets:
                self._stalled[conn] = until
        for conn in sockets:
            threading.Thread(
                target=self._hold_reads, args=(conn, seconds), name="fake-socket-stall", daemon=True
            ).start()

    @property
    def refusing(self) -> bool:
        with self._changed:
            return time.monotonic() < self._refuse_until

    def refuse_connections(self, seconds: float) -> None:
        """For `seconds`, no new connection is had: `apps.connections.open` answers HTTP 503,
        and so does the handshake of a URL given out before."""
        with self._changed:
            self._refuse_until = time.monotonic() + seconds

    def accept_connections(self) -> None:
        with self._changed:
            self._refuse_until = 0.0
            self._changed.notify_all()

    # --- lifecycle ---

    def stop(self) -> None:
        with self._changed:
            self._stopped = True
            self._changed.notify_all()
        self._unstall.set()
        for conn in self._open_sockets():
            with contextlib.suppress(OSError):
                conn.socket.shutdown(socket.SHUT_RDWR)
        self._server.shutdown()
        for thread in self._threads:
            thread.join(timeout=5)

    # --- inside ---

    def _open_sockets(self) -> list[ServerConnection]:
        with self._changed:
            return list(self._live)

    def _check_request(self, conn: ServerConnection, request: Request) -> Response | None:
        ticket = request.path.partition("ticket=")[2].partition("&")[0]
        with self._changed:
            if time.monotonic() < self._refuse_until:
                self.refused += 1
                return conn.respond(HTTPStatus.SERVICE_UNAVAILABLE, "try again later\n")
            if ticket not in self._tickets:
                return conn.respond(HTTPStatus.UNAUTHORIZED, "invalid ticket\n")
            self._tickets.discard(ticket)  # each URL opens one connection
        return None

    def _session(self, conn: ServerConnection) -> None:
        with self._changed:
            self.connections_opened += 1
            number = self.connections_opened
        hello = {
            "type": "hello",
            "num_connections": 1,
            "debug_info": {"host": "fake-slack", "build_number": 1, "connection_number": number},
            "connection_info": {"app_id": self.app_id},
        }
        try:
            conn.send(json.dumps(hello))
            with self._changed:
                self._live.append(conn)
                self._changed.notify_all()
            for raw in conn:
                self._received(raw)
        except ConnectionClosed:
            pass
        finally:
            with self._changed:
                if conn in self._live:
                    self._live.remove(conn)
                self._stalled.pop(conn, None)
                self._changed.notify_all()

    def _received(self, raw: str | bytes) -> None:
        arrived = time.monotonic()
        try:
            message = json.loads(raw)
        except ValueError:
            return
        if not isinstance(message, dict) or "envelope_id" not in message:
            return
        envelope_id = str(message["envelope_id"])
        payload = message.get("payload")
        with self._changed:
            sent_at = self._sent_at.get(envelope_id, arrived)
            self.acks.append(
                Ack(envelope_id, payload if isinstance(payload, dict) else None, arrived - sent_at)
            )
            self._changed.notify_all()

    def _hold_reads(self, conn: ServerConnection, seconds: float) -> None:
        # websockets stops reading a connection while this lock is held (its flow control).
        with conn.recv_flow_control:
            self._unstall.wait(seconds)
        with self._changed:
            self._stalled.pop(conn, None)
            self._changed.notify_all()

    def _ready(self) -> ServerConnection | None:
        """The newest open socket that does not stall. Called with the lock held."""
        now = time.monotonic()
        return next((c for c in reversed(self._live) if self._stalled.get(c, 0.0) <= now), None)

    def _deliver(self) -> None:
        """Sends queued envelopes, in order, on the newest open socket; one that cannot be
        sent waits for the next connection."""
        while True:
            with self._changed:
                while not self._stopped and not (self._outbox and self._ready()):
                    self._changed.wait(0.05)
                if self._stopped:
                    return
                envelope = self._outbox[0]
                conn = self._ready()
                assert conn is not None
                # Before the send: the ack may arrive before this thread runs again.
                self._sent_at[envelope.envelope_id] = time.monotonic()
            try:
                conn.send(json.dumps(envelope.message()))
            except (ConnectionClosed, OSError):
                with self._changed:
                    if conn in self._live:
                        self._live.remove(conn)
                continue
            with self._changed:
                self.sent.append(envelope)
                self._outbox.popleft()
                self._changed.notify_all()
