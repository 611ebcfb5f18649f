"""`FakeSlack`: the Web API method groups over one workspace, served on a local port. Every call
is recorded, checked against the allow-list of method names, the injected faults and the tokens,
then answered by its method's handler."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import socket as net
import ssl
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from bot.devtools.fake_slack.chat import ChatMethods
from bot.devtools.fake_slack.directory import DirectoryMethods
from bot.devtools.fake_slack.faults import Faults
from bot.devtools.fake_slack.files import FileMethods
from bot.devtools.fake_slack.http import RequestHandler, Server
from bot.devtools.fake_slack.known_methods import load_known_methods
from bot.devtools.fake_slack.oauth import OAuthMethods
from bot.devtools.fake_slack.params import SlackError, parse_args
from bot.devtools.fake_slack.views import ViewMethods
from bot.devtools.fake_slack.workspace import Call

if TYPE_CHECKING:
    from bot.devtools.fake_slack.socket_mode import SocketMode

_JSON_TYPE = "application/json; charset=utf-8"

_MethodHandler = Callable[[dict[str, Any]], dict[str, Any]]


class FakeSlack(OAuthMethods, DirectoryMethods, ChatMethods, ViewMethods, FileMethods):
    """Slack's Web API on a local port; use as a context manager or call start()/stop().
    `clock` says what time it is for the users' current UTC offsets (`users.info`'s
    `tz_offset`); the real clock by default."""

    def __init__(
        self,
        *,
        team_id: str = "T0001",
        team_name: str = "Acme",
        bot_user_id: str = "UBOT",
        bot_id: str = "B0001",
        host: str = "127.0.0.1",
        port: int = 0,
        known_methods: Iterable[str] | None = None,
        tokens: Iterable[str] | None = None,
        ssl_context: ssl.SSLContext | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        super().__init__(
            team_id=team_id,
            team_name=team_name,
            bot_user_id=bot_user_id,
            bot_id=bot_id,
            tokens=tokens,
            clock=clock,
        )
        self.methods = (
            frozenset(known_methods) if known_methods is not None else load_known_methods()
        )
        self.calls: list[Call] = []
        self.unknown_method_calls: list[Call] = []
        self.errors: list[str] = []
        self._faults = Faults(self._lock)
        self._connections: set[net.socket] = set()
        self._thread: threading.Thread | None = None
        self._stopped = False
        self._socket: SocketMode | None = None
        self._handlers: dict[str, _MethodHandler] = {
            "auth.test": self._auth_test,
            "apps.connections.open": self._apps_connections_open,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "conversations.info": self._conversations_info,
            "conversations.members": self._conversations_members,
            "conversations.join": self._conversations_join,
            "conversations.open": self._conversations_open,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "views.open": self._views_open,
            "views.push": self._views_open,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
        }

        self._server = Server((host, port), RequestHandler, self)
        if ssl_context is not None:
            # The handshake is done in the request's own thread (see RequestHandler.setup),
            # so a slow or failing client cannot stall the accept loop.
            self._server.socket = ssl_context.wrap_socket(
                self._server.socket, server_side=True, do_handshake_on_connect=False
            )
        self._scheme = "https" if ssl_context is not None else "http"

    # --- lifecycle ---

    @property
    def url(self) -> str:
        """Base URL for `WebClient(base_url=...)`, ending in "/api/"."""
        return f"{self.base_url}api/"

    @property
    def base_url(self) -> str:
        return f"{self._scheme}://{self._server.server_name}:{self._server.server_port}/"

    def start(self) -> FakeSlack:
        if self._thread is not None:
            raise RuntimeError("FakeSlack is already started")
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},  # bounds how long stop() waits
            name="fake-slack",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self._thread is not None:
            self._server.shutdown()
        self._server.server_close()
        if self._socket is not None:
            self._socket.stop()
        with self._lock:
            open_connections = list(self._connections)
        # Wakes handler threads blocked reading from kept-alive connections.
        for conn in open_connections:
            with contextlib.suppress(OSError):
                conn.shutdown(net.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def socket(self) -> SocketMode:
        """The Socket Mode side (see socket_mode.SocketMode), served from first use."""
        with self._lock:
            if self._socket is None:
                # Imported here: the offline demo serves the Web API without the websockets
                # library (a development dependency).
                from bot.devtools.fake_slack.socket_mode import SocketMode

                self._socket = SocketMode(self._changed, app_id=self.app_id)
            return self._socket

    def _apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        # Only an app-level token opens a socket; Slack refuses a bot token with this error.
        if not (self._current_token or "").startswith("xapp-"):
            raise SlackError("not_allowed_token_type")
        return {"url": self.socket.open_url()}

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- inspection ---

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def reset_calls(self) -> None:
        with self._lock:
            self.calls.clear()
            self.unknown_method_calls.clear()

    def wait_for(self, predicate: Callable[[FakeSlack], bool], timeout: float = 5.0) -> None:
        """Blocks until `predicate(self)` holds, re-checking after every call received."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"condition not met within {timeout}s\n{self._summary()}")
                self._changed.wait(left)

    def _summary(self, last: int = 40) -> str:
        lines = [f"{len(self.calls)} calls recorded (last {last}):"]
        for call in self.calls[-last:]:
            args = json.dumps(call.args, default=repr)
            lines.append(f"  {call.method} {args[:300]}")
        if self.errors:
            lines.append("errors inside the fake:")
            lines.extend(self.errors)
        return "\n".join(lines)

    # --- fault injection (see faults.Faults) ---

    def fail_next(
        self, method: str, *, status: int = 500, retry_after: int | None = None, times: int = 1
    ) -> None:
        """The next `times` calls to `method` answer with HTTP `status` (429 carries
        Retry-After)."""
        self._faults.fail_next(method, status=status, retry_after=retry_after, times=times)

    def error_next(self, method: str, error: str, *, times: int = 1) -> None:
        """The next `times` calls to `method` answer HTTP 200 `{"ok": false, "error": error}`."""
        self._faults.error_next(method, error, times=times)

    def answer_next(self, method: str, body: dict[str, Any], *, after: int = 0) -> None:
        """After `after` usual answers to `method`, one answer of HTTP 200 with `body`."""
        self._faults.answer_next(method, body, after=after)

    def fail_all(self, status: int = 503) -> None:
        """Every known method answers HTTP `status` until heal()."""
        self._faults.fail_all(status)

    def heal(self) -> None:
        self._faults.heal()

    def slow_down(self, method: str, seconds: float) -> None:
        """Every call to `method` waits `seconds` before it is handled, as over a slow network
        (0 ends it); calls still run side by side."""
        self._faults.slow_down(method, seconds)

    # --- HTTP ---

    def track_connection(self, conn: net.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def handle_request(self, request: RequestHandler) -> None:
        split = urlsplit(request.path)
        if request.headers.get("Transfer-Encoding"):
            request.reply(411, b"length required", "text/plain")
            return
        try:
            length = int(request.headers.get("Content-Length") or 0)
        except ValueError:
            request.reply(400, b"bad content-length", "text/plain")
            return
        raw = request.rfile.read(length) if length > 0 else b""
        if split.path.startswith("/upload/"):
            if self._store_upload(split.path.removeprefix("/upload/"), raw):
                request.reply(200, f"OK - {len(raw)}".encode(), "text/plain; charset=utf-8")
            else:
                request.reply(404, b"file not found", "text/plain")
            return
        if not split.path.startswith("/api/"):
            request.reply(404, b"not found", "text/plain")
            return
        method = split.path.removeprefix("/api/")
        try:
            args = parse_args(split.query, raw, request.headers.get("Content-Type", ""))
        except ValueError:
            request.reply(200, _json({"ok": False, "error": "invalid_json"}), _JSON_TYPE)
            return
        token_arg = args.pop("token", None)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else None
        token = token or (str(token_arg) if token_arg else None)
        if auth.startswith("Basic "):
            # OAuth methods authenticate the app itself: client id and secret.
            try:
                client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                client_id, secret = "", ""
            args.setdefault("client_id", client_id)
            args.setdefault("client_secret", secret)
        delay = self._faults.delay(method)
        if delay:
            time.sleep(delay)
        call = Call(method, args, token, time.monotonic())
        with self._changed:
            self.calls.append(call)
            try:
                status, payload, headers = self._answer(call)
            except Exception:
                self.errors.append(f"{method}: {traceback.format_exc()}")
                status, payload, headers = 500, {"ok": False, "error": "fatal_error"}, {}
            self._changed.notify_all()
        request.reply(status, _json(payload), _JSON_TYPE, headers)

    def _answer(self, call: Call) -> tuple[int, dict[str, Any], dict[str, str]]:
        if call.method not in self.methods:
            self.unknown_method_calls.append(call)
            return 200, {"ok": False, "error": "unknown_method"}, {}
        fault = self._faults.take(call.method)
        if fault is not None:
            return fault.answer()
        if call.method == "apps.connections.open" and self.socket.refusing:
            return 503, {"ok": False, "error": "service_unavailable"}, {}
        if call.method == "oauth.v2.access":
            try:
                return 200, {"ok": True, **self._oauth_v2_access(call.args)}, {}
            except SlackError as error:
                return 200, {"ok": False, "error": error.error}, {}
        if call.method == "api.test":
            # The one method that needs no token: whether the Web API answers at all.
            return 200, {"ok": True, "args": call.args}, {}
        if not call.token:
            return 200, {"ok": False, "error": "not_authed"}, {}
        if call.token in self.revoked:
            return 200, {"ok": False, "error": "token_revoked"}, {}
        if self.tokens is not None and call.token not in self.tokens:
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        handler = self._handlers.get(call.method)
        self._current_token = call.token
        try:
            result = handler(call.args) if handler else {}
        except SlackError as error:
            return 200, {"ok": False, "error": error.error}, {}
        return 200, {"ok": True, **result}, {}


def _json(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, default=str).encode("utf-8")
