"""A fake of Slack's Web API served over real HTTP on 127.0.0.1, for the tests and for the
offline `wolfpack demo`.

It records every call, answers the methods the bot uses the way Slack does (same response
shapes, same error codes), refuses methods Slack does not have, and can be told to fail
(429 with Retry-After, 5xx, or an `ok: false` error) so retries can be exercised end to end
through the real `slack_sdk.WebClient`.

Only the standard library is used, so the offline demo can run it without test dependencies.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import copy
import datetime as dt
import email.parser
import email.policy
import functools
import itertools
import json
import secrets
import socket
import socketserver
import ssl
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["Call", "FakeSlack", "load_known_methods"]

# Parameters that slack_sdk serialises to JSON strings in form bodies.
_STRUCTURED = frozenset({"blocks", "view", "attachments", "files", "metadata"})
_JSON_TYPE = "application/json; charset=utf-8"
_TS_BASE = 1_700_000_000
_MESSAGE_TEXT_MAX = 40_000
_MESSAGE_BLOCKS_MAX = 50
_VIEW_BLOCKS_MAX = 100
_FAULT_ERRORS = {429: "ratelimited", 503: "service_unavailable"}


@dataclass(frozen=True)
class Call:
    """One recorded Web API call."""

    method: str
    args: dict[str, Any]
    token: str | None
    at: float


@dataclass(frozen=True)
class _Fault:
    status: int = 200
    retry_after: int | None = None
    error: str | None = None


@dataclass
class _Channel:
    id: str
    name: str
    members: list[str]
    bot_is_member: bool
    is_im: bool = False
    is_mpim: bool = False
    messages: list[dict[str, Any]] = field(default_factory=list)


class _SlackError(Exception):
    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@functools.cache
def load_known_methods() -> frozenset[str]:
    """The Web API method names Slack publishes, from the package's data file."""
    text = (files("bot") / "data" / "slack_web_methods.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


_MethodHandler = Callable[[dict[str, Any]], dict[str, Any]]


class FakeSlack:
    """Slack's Web API on a local port; use as a context manager or call start()/stop()."""

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
    ) -> None:
        self.team_id = team_id
        self.team_name = team_name
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = "A0001"
        self.methods = (
            frozenset(known_methods) if known_methods is not None else load_known_methods()
        )
        self.tokens = frozenset(tokens) if tokens is not None else None

        self.calls: list[Call] = []
        self.unknown_method_calls: list[Call] = []
        self.errors: list[str] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, _Channel] = {}
        self.ephemerals: list[dict[str, Any]] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.home_views: dict[str, dict[str, Any]] = {}
        self.uploaded_files: dict[str, dict[str, Any]] = {}

        # OAuth: the app's credentials, codes waiting to be exchanged, and what each issued
        # token belongs to. Refresh tokens are single-use, as Slack's are.
        self.oauth_client: tuple[str, str] | None = None
        self.install_codes: dict[str, dict[str, Any]] = {}
        self.token_teams: dict[str, str] = {}
        self.refresh_tokens: dict[str, str] = {}
        self.revoked: set[str] = set()
        self.rotation_seconds: int | None = None
        self._issued = 0
        self._current_token: str | None = None
        self._faults: dict[str, deque[_Fault]] = {}
        self._latency: dict[str, float] = {}
        self._fail_all: int | None = None
        self._used_triggers: set[str] = set()
        self._mpims: dict[frozenset[str], str] = {}
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._connections: set[socket.socket] = set()
        self._thread: threading.Thread | None = None
        self._stopped = False
        self._handlers: dict[str, _MethodHandler] = {
            "auth.test": self._auth_test,
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

        self._server = _Server((host, port), _RequestHandler, self)
        if ssl_context is not None:
            # The handshake is done in the request's own thread (see _RequestHandler.setup),
            # so a slow or failing client cannot stall the accept loop.
            self._server.socket = ssl_context.wrap_socket(
                self._server.socket, server_side=True, do_handshake_on_connect=False
            )
        self._scheme = "https" if ssl_context is not None else "http"
        self.add_user(bot_user_id, name="wolfpack", is_bot=True)

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
        with self._lock:
            open_connections = list(self._connections)
        # Wakes handler threads blocked reading from kept-alive connections.
        for conn in open_connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- workspace state ---

    def add_user(
        self,
        user_id: str,
        *,
        name: str | None = None,
        tz: str = "America/Los_Angeles",
        is_bot: bool = False,
        deleted: bool = False,
        is_admin: bool = False,
    ) -> None:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {tz!r}") from error
        with self._lock:
            self.users[user_id] = {
                "id": user_id,
                "name": name or user_id.lower(),
                "tz": tz,
                "is_bot": is_bot,
                "deleted": deleted,
                "is_admin": is_admin,
            }

    def add_channel(
        self,
        channel_id: str,
        *,
        name: str | None = None,
        members: Iterable[str] = (),
        bot_is_member: bool = True,
    ) -> None:
        listed = [m for m in dict.fromkeys(members) if m != self.bot_user_id]
        with self._lock:
            self.channels[channel_id] = _Channel(
                channel_id, name or channel_id.lower(), listed, bot_is_member
            )

    # --- inspection ---

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def reset_calls(self) -> None:
        with self._lock:
            self.calls.clear()
            self.unknown_method_calls.clear()

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Messages in a channel (or a user's DM), oldest first, as they are now.

        Each has at least ts, text, blocks, thread_ts (None outside threads) and user."""
        with self._lock:
            found = self._resolve(channel, create=False)
            return copy.deepcopy(found.messages) if found else []

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

    # --- fault injection ---

    def fail_next(
        self, method: str, *, status: int = 500, retry_after: int | None = None, times: int = 1
    ) -> None:
        """The next `times` calls to `method` answer with HTTP `status` (429 carries
        Retry-After)."""
        if status < 400:
            raise ValueError("fail_next needs an HTTP error status")
        with self._lock:
            queue = self._faults.setdefault(method, deque())
            queue.extend(_Fault(status, retry_after) for _ in range(times))

    def error_next(self, method: str, error: str, *, times: int = 1) -> None:
        """The next `times` calls to `method` answer HTTP 200 `{"ok": false, "error": error}`."""
        with self._lock:
            queue = self._faults.setdefault(method, deque())
            queue.extend(_Fault(error=error) for _ in range(times))

    def fail_all(self, status: int = 503) -> None:
        """Every known method answers HTTP `status` until heal()."""
        with self._lock:
            self._fail_all = status

    def heal(self) -> None:
        with self._lock:
            self._fail_all = None
            self._faults.clear()
            self._latency.clear()

    def slow_down(self, method: str, seconds: float) -> None:
        """Every call to `method` waits `seconds` before it is handled, as over a slow network
        (0 ends it); calls still run side by side."""
        with self._lock:
            if seconds > 0:
                self._latency[method] = seconds
            else:
                self._latency.pop(method, None)

    # --- HTTP ---

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def _handle(self, request: _RequestHandler) -> None:
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
            self._receive_upload(request, split.path.removeprefix("/upload/"), raw)
            return
        if not split.path.startswith("/api/"):
            request.reply(404, b"not found", "text/plain")
            return
        method = split.path.removeprefix("/api/")
        try:
            args = _parse_args(split.query, raw, request.headers.get("Content-Type", ""))
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
        delay = self._latency.get(method)
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

    def _receive_upload(self, request: _RequestHandler, file_id: str, raw: bytes) -> None:
        with self._changed:
            stored = self.uploaded_files.get(file_id)
            if stored is not None:
                stored["content"] = raw
                stored["uploaded"] = True
            self._changed.notify_all()
        if stored is None:
            request.reply(404, b"file not found", "text/plain")
        else:
            request.reply(200, f"OK - {len(raw)}".encode(), "text/plain; charset=utf-8")

    def _answer(self, call: Call) -> tuple[int, dict[str, Any], dict[str, str]]:
        if call.method not in self.methods:
            self.unknown_method_calls.append(call)
            return 200, {"ok": False, "error": "unknown_method"}, {}
        if self._fail_all is not None:
            return self._fault_answer(_Fault(self._fail_all))
        queue = self._faults.get(call.method)
        if queue:
            return self._fault_answer(queue.popleft())
        if call.method == "oauth.v2.access":
            try:
                return 200, {"ok": True, **self._oauth_v2_access(call.args)}, {}
            except _SlackError as error:
                return 200, {"ok": False, "error": error.error}, {}
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
        except _SlackError as error:
            return 200, {"ok": False, "error": error.error}, {}
        return 200, {"ok": True, **result}, {}

    @staticmethod
    def _fault_answer(fault: _Fault) -> tuple[int, dict[str, Any], dict[str, str]]:
        if fault.error is not None:
            return 200, {"ok": False, "error": fault.error}, {}
        headers: dict[str, str] = {}
        if fault.status == 429:
            headers["Retry-After"] = str(fault.retry_after if fault.retry_after is not None else 1)
        error = _FAULT_ERRORS.get(fault.status, "fatal_error")
        return fault.status, {"ok": False, "error": error}, headers

    # --- helpers for the emulated methods ---

    def _next_ts(self) -> str:
        micros = next(self._ts) * 100
        return f"{_TS_BASE + micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def _resolve(self, channel_id: str, *, create: bool = True) -> _Channel | None:
        """A channel by id; a user id or "D" + user id means that user's DM, as in Slack."""
        if channel_id in self.channels:
            return self.channels[channel_id]
        if channel_id in self.users:
            user_id = channel_id
        elif channel_id.startswith("D") and channel_id[1:] in self.users:
            user_id = channel_id[1:]
        else:
            return None
        dm_id = f"D{user_id}"
        if dm_id in self.channels:
            return self.channels[dm_id]
        if not create:
            return None
        dm = _Channel(dm_id, dm_id, [user_id], bot_is_member=True, is_im=True)
        self.channels[dm_id] = dm
        return dm

    def _channel_arg(self, args: dict[str, Any], key: str = "channel") -> _Channel:
        channel = self._resolve(_text(args, key))
        if channel is None:
            raise _SlackError("channel_not_found")
        return channel

    def _member_ids(self, channel: _Channel) -> list[str]:
        members = list(channel.members)
        if channel.bot_is_member:
            members.append(self.bot_user_id)
        return members

    def _user_json(self, user: dict[str, Any]) -> dict[str, Any]:
        now = dt.datetime.now(ZoneInfo(user["tz"]))
        offset = now.utcoffset()
        return {
            "id": user["id"],
            "team_id": self.team_id,
            "name": str(user["name"]).lower().replace(" ", "."),
            "real_name": user["name"],
            "deleted": user["deleted"],
            "is_bot": user["is_bot"],
            "is_admin": user["is_admin"],
            "tz": user["tz"],
            "tz_label": now.tzname() or user["tz"],
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
            "profile": {"real_name": user["name"], "display_name": user["name"]},
        }

    def _channel_json(self, channel: _Channel) -> dict[str, Any]:
        if channel.is_im:
            return {
                "id": channel.id,
                "is_channel": False,
                "is_im": True,
                "is_mpim": False,
                "user": channel.members[0],
                "is_archived": False,
            }
        return {
            "id": channel.id,
            "name": channel.name,
            "is_channel": not channel.is_mpim,
            "is_im": False,
            "is_mpim": channel.is_mpim,
            "is_private": channel.is_mpim,
            "is_member": channel.bot_is_member,
            "is_archived": False,
            "num_members": len(self._member_ids(channel)),
        }

    def _find_message(self, channel: _Channel, ts: str) -> dict[str, Any]:
        for message in channel.messages:
            if message["ts"] == ts:
                return message
        raise _SlackError("message_not_found")

    def _message_json(self, message: dict[str, Any]) -> dict[str, Any]:
        return {k: copy.deepcopy(v) for k, v in message.items() if v is not None}

    # --- auth, users ---

    # --- OAuth ---

    def expect_install(self, code: str, team_id: str, team_name: str = "") -> None:
        """A person approved the app in workspace `team_id`: Slack redirects with `code`."""
        with self._lock:
            self.install_codes[code] = {"team_id": team_id, "team_name": team_name or team_id}

    def revoke(self, token: str) -> None:
        with self._lock:
            self.revoked.add(token)

    def _issue(self, team_id: str) -> dict[str, Any]:
        self._issued += 1
        token = f"xoxb-{team_id}-{self._issued}-{secrets.token_hex(8)}"
        self.token_teams[token] = team_id
        if self.tokens is not None:
            self.tokens = self.tokens | {token}
        issued: dict[str, Any] = {"access_token": token}
        if self.rotation_seconds is not None:
            refresh = f"xoxe-1-{team_id}-{self._issued}-{secrets.token_hex(8)}"
            self.refresh_tokens[refresh] = team_id
            issued.update(refresh_token=refresh, expires_in=self.rotation_seconds)
        return issued

    def _oauth_v2_access(self, args: dict[str, Any]) -> dict[str, Any]:
        given = (_text(args, "client_id"), _text(args, "client_secret"))
        if self.oauth_client is None or given != self.oauth_client:
            raise _SlackError("invalid_client_id")
        if _text(args, "grant_type") == "refresh_token":
            team_id = self.refresh_tokens.pop(_text(args, "refresh_token"), None)
            if team_id is None:
                raise _SlackError("invalid_refresh_token")
            return {"token_type": "bot", **self._issue(team_id)}
        install = self.install_codes.pop(_text(args, "code"), None)
        if install is None:
            raise _SlackError("invalid_code")
        team_id = install["team_id"]
        return {
            "app_id": self.app_id,
            "authed_user": {"id": "UINSTALLER"},
            "scope": "commands,chat:write",
            "token_type": "bot",
            "bot_user_id": self.bot_user_id,
            "team": {"id": team_id, "name": install["team_name"]},
            "enterprise": None,
            "is_enterprise_install": False,
            **self._issue(team_id),
        }

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": f"https://{self.team_name.lower()}.slack.com/",
            "team": self.team_name,
            "user": "wolfpack",
            "team_id": self.token_teams.get(self._current_token or "", self.team_id),
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(_text(args, "user"))
        if user is None:
            raise _SlackError("user_not_found")
        return {"user": self._user_json(user)}

    def _users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        everyone = [self._user_json(u) for u in self.users.values()]
        page, cursor = _paginate(everyone, args, default_limit=0)
        return {
            "members": page,
            "cache_ts": int(time.time()),
            "response_metadata": {"next_cursor": cursor},
        }

    # --- conversations ---

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"channel": self._channel_json(self._channel_arg(args))}

    def _conversations_members(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_arg(args)
        page, cursor = _paginate(self._member_ids(channel), args, default_limit=100)
        return {"members": page, "response_metadata": {"next_cursor": cursor}}

    def _conversations_join(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_arg(args)
        if channel.is_im or channel.is_mpim:
            raise _SlackError("method_not_supported_for_channel_type")
        channel.bot_is_member = True
        return {"channel": self._channel_json(channel)}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if _text(args, "channel"):
            return {"channel": {"id": self._channel_arg(args).id}}
        user_ids = [u.strip() for u in _text(args, "users").split(",") if u.strip()]
        if not user_ids:
            raise _SlackError("users_list_not_supplied")
        for user_id in user_ids:
            if user_id not in self.users:
                raise _SlackError("user_not_found")
        if len(user_ids) == 1:
            dm = self._resolve(user_ids[0])
            assert dm is not None
            return {"channel": {"id": dm.id}}
        key = frozenset(user_ids)
        if key not in self._mpims:
            mpim = _Channel(self._next_id("G"), "mpdm-" + "--".join(sorted(key)), sorted(key), True)
            mpim.is_mpim = True
            self.channels[mpim.id] = mpim
            self._mpims[key] = mpim.id
        return {"channel": {"id": self._mpims[key]}}

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_arg(args)
        if not channel.bot_is_member:
            raise _SlackError("not_in_channel")
        top = [
            m
            for m in reversed(channel.messages)
            if m.get("thread_ts") in (None, m["ts"]) and _in_window(m["ts"], args)
        ]
        page, cursor = _paginate(top, args, default_limit=100)
        return {
            "messages": [self._message_json(m) for m in page],
            "has_more": bool(cursor),
            "response_metadata": {"next_cursor": cursor},
        }

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_arg(args)
        ts = _text(args, "ts")
        try:
            parent = self._find_message(channel, ts)
        except _SlackError:
            raise _SlackError("thread_not_found") from None
        thread = [parent] + [m for m in channel.messages if m.get("thread_ts") == ts]
        page, cursor = _paginate(thread, args, default_limit=1000)
        return {
            "messages": [self._message_json(m) for m in page],
            "has_more": bool(cursor),
            "response_metadata": {"next_cursor": cursor},
        }

    # --- chat ---

    def _check_content(self, args: dict[str, Any]) -> None:
        text, blocks = args.get("text"), args.get("blocks")
        if not text and not blocks and not args.get("attachments"):
            raise _SlackError("no_text")
        if isinstance(text, str) and len(text) > _MESSAGE_TEXT_MAX:
            raise _SlackError("msg_too_long")
        if blocks is not None and blocks != "":
            if not isinstance(blocks, list):
                raise _SlackError("invalid_blocks_format")
            if len(blocks) > _MESSAGE_BLOCKS_MAX or not all(
                isinstance(b, dict) and isinstance(b.get("type"), str) for b in blocks
            ):
                raise _SlackError("invalid_blocks")

    def _chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_arg(args)
        if not channel.bot_is_member:
            raise _SlackError("not_in_channel")
        self._check_content(args)
        thread_ts = _text(args, "thread_ts") or None
        message: dict[str, Any] = {
            "type": "message",
            "ts": self._next_ts(),
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "text": _text(args, "text"),
            "blocks": args.get("blocks") or [],
            "attachments": args.get("attachments") or None,
            "metadata": args.get("metadata") or None,
            "thread_ts": thread_ts,
        }
        channel.messages.append(message)
        return {"channel": channel.id, "ts": message["ts"], "message": self._message_json(message)}

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_arg(args)
        user_id = _text(args, "user")
        if user_id not in self.users:
            raise _SlackError("user_not_found")
        if not channel.bot_is_member:
            raise _SlackError("not_in_channel")
        if user_id not in channel.members:
            raise _SlackError("user_not_in_channel")
        self._check_content(args)
        ts = self._next_ts()
        self.ephemerals.append(
            {
                "channel": channel.id,
                "user": user_id,
                "ts": ts,
                "text": _text(args, "text"),
                "blocks": args.get("blocks") or [],
                "thread_ts": _text(args, "thread_ts") or None,
            }
        )
        return {"message_ts": ts}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_arg(args)
        message = self._find_message(channel, _text(args, "ts"))
        if "blocks" in args:
            self._check_content({"text": "-", "blocks": args["blocks"]})
        if isinstance(args.get("text"), str) and len(args["text"]) > _MESSAGE_TEXT_MAX:
            raise _SlackError("msg_too_long")
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in args:
                message[key] = args[key]
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {
            "channel": channel.id,
            "ts": message["ts"],
            "text": message["text"],
            "message": self._message_json(message),
        }

    def _chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_arg(args)
        message = self._find_message(channel, _text(args, "ts"))
        channel.messages.remove(message)
        return {"channel": channel.id, "ts": message["ts"]}

    def _chat_get_permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_arg(args)
        message = self._find_message(channel, _text(args, "message_ts"))
        link = (
            f"https://{self.team_name.lower()}.slack.com/archives/{channel.id}/"
            f"p{message['ts'].replace('.', '')}"
        )
        if message.get("thread_ts"):
            link += f"?thread_ts={message['thread_ts']}&cid={channel.id}"
        return {"channel": channel.id, "permalink": link}

    # --- views ---

    def _view_json(
        self, view: Any, *, kind: str | None, previous: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        if not isinstance(view, dict) or not isinstance(view.get("type"), str):
            raise _SlackError("invalid_arguments")
        if kind is not None and view["type"] != kind:
            raise _SlackError("invalid_arguments")
        blocks = view.get("blocks", [])
        if not isinstance(blocks, list) or len(blocks) > _VIEW_BLOCKS_MAX:
            raise _SlackError("invalid_arguments")
        view_id = previous["id"] if previous else self._next_id("V")
        external_id = view.get("external_id") or (previous or {}).get("external_id") or ""
        if external_id and any(
            v.get("external_id") == external_id and v["id"] != view_id for v in self.views.values()
        ):
            raise _SlackError("duplicate_external_id")
        stored = {
            "id": view_id,
            "team_id": self.team_id,
            "type": view["type"],
            "blocks": blocks,
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{next(self._ids)}",
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "root_view_id": previous["root_view_id"] if previous else view_id,
            "previous_view_id": None,
            "app_id": self.app_id,
            "external_id": external_id,
            "bot_id": self.bot_id,
        }
        for key in ("title", "submit", "close"):
            if key in view:
                stored[key] = view[key]
        self.views[view_id] = stored
        return copy.deepcopy(stored)

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        trigger_id = _text(args, "trigger_id")
        if not trigger_id:
            raise _SlackError("invalid_arguments")
        if trigger_id in self._used_triggers:
            raise _SlackError("exchanged_trigger_id")
        view = self._view_json(args.get("view"), kind="modal")
        self._used_triggers.add(trigger_id)
        return {"view": view}

    def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id, external_id = _text(args, "view_id"), _text(args, "external_id")
        if not view_id and not external_id:
            raise _SlackError("invalid_arguments")
        previous = self.views.get(view_id) if view_id else None
        if external_id and not view_id:
            previous = next(
                (v for v in self.views.values() if v["external_id"] == external_id), None
            )
        if previous is None or previous["type"] == "home":
            raise _SlackError("not_found")
        expected = _text(args, "hash")
        if expected and expected != previous["hash"]:
            raise _SlackError("hash_conflict")
        return {"view": self._view_json(args.get("view"), kind="modal", previous=previous)}

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = _text(args, "user_id")
        if user_id not in self.users:
            raise _SlackError("user_not_found")
        previous = self.home_views.get(user_id)
        expected = _text(args, "hash")
        if expected and previous is not None and expected != previous["hash"]:
            raise _SlackError("hash_conflict")
        view = self._view_json(args.get("view"), kind="home", previous=previous)
        self.home_views[user_id] = view
        return {"view": view}

    # --- files ---

    def _files_get_upload_url(self, args: dict[str, Any]) -> dict[str, Any]:
        filename = _text(args, "filename")
        try:
            length = int(args.get("length") or 0)
        except (TypeError, ValueError):
            raise _SlackError("invalid_arguments") from None
        if not filename or length <= 0:
            raise _SlackError("invalid_arguments")
        file_id = self._next_id("F")
        self.uploaded_files[file_id] = {
            "id": file_id,
            "filename": filename,
            "length": length,
            "alt_txt": args.get("alt_txt"),
            "content": b"",
            "uploaded": False,
            "completed": False,
            "title": None,
            "channel": None,
            "initial_comment": None,
            "thread_ts": None,
        }
        return {"upload_url": f"{self.base_url}upload/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        entries = args.get("files")
        if not isinstance(entries, list) or not entries:
            raise _SlackError("invalid_arguments")
        channel_ids = [c for c in _text(args, "channels").split(",") if c]
        if _text(args, "channel_id"):
            channel_ids.insert(0, _text(args, "channel_id"))
        channels = [self._resolve(c) for c in channel_ids]
        if any(c is None for c in channels):
            raise _SlackError("channel_not_found")
        if any(c is not None and not c.bot_is_member for c in channels):
            raise _SlackError("not_in_channel")
        done: list[dict[str, Any]] = []
        for entry in entries:
            file_id = str(entry.get("id")) if isinstance(entry, dict) else ""
            stored = self.uploaded_files.get(file_id)
            if stored is None or stored["completed"]:
                raise _SlackError("file_not_found")
            done.append({"id": file_id, "title": entry.get("title") or stored["filename"]})
        thread_ts = _text(args, "thread_ts") or None
        comment = _text(args, "initial_comment") or None
        for item in done:
            self.uploaded_files[item["id"]].update(
                title=item["title"],
                channel=channel_ids[0] if channel_ids else None,
                initial_comment=comment,
                thread_ts=thread_ts,
                completed=True,
            )
        for channel in channels:
            assert channel is not None
            channel.messages.append(
                {
                    "type": "message",
                    "ts": self._next_ts(),
                    "user": self.bot_user_id,
                    "bot_id": self.bot_id,
                    "team": self.team_id,
                    "text": comment or "",
                    "blocks": [],
                    "files": copy.deepcopy(done),
                    "upload": True,
                    "thread_ts": thread_ts,
                }
            )
        return {"files": done}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog of 5 drops connections under concurrent load, and the
    # client only retransmits its SYN a second later.
    request_queue_size = 128

    def __init__(
        self, address: tuple[str, int], handler: type[_RequestHandler], fake: FakeSlack
    ) -> None:
        self.fake = fake
        super().__init__(address, handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn), which can take seconds.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = host if isinstance(host, str) else bytes(host).decode()
        self.server_port = port

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Dropped connections and failed TLS handshakes are the client's business; staying
        # quiet keeps test output clean.
        return


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeSlack/1.0"
    timeout = 60
    server: _Server

    def setup(self) -> None:
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(self.timeout)
            self.request.do_handshake()
        self.server.fake._track(self.request, add=True)
        super().setup()

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.fake._track(self.request, add=False)

    def do_POST(self) -> None:
        self.server.fake._handle(self)

    def do_GET(self) -> None:
        self.server.fake._handle(self)

    def reply(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


def _json(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, default=str).encode("utf-8")


def _text(args: dict[str, Any], key: str) -> str:
    value = args.get(key)
    return "" if value is None else str(value)


def _parse_args(query: str, raw: bytes, content_type: str) -> dict[str, Any]:
    """Query string plus body (form, JSON or multipart), with JSON-string structured params
    decoded. Raises ValueError for a JSON body that does not parse."""
    args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    kind = content_type.split(";", 1)[0].strip().lower()
    if raw and kind == "application/json":
        body = json.loads(raw)
        if not isinstance(body, dict):
            raise ValueError("JSON body is not an object")
        args.update(body)
    elif raw and kind == "multipart/form-data":
        args.update(_parse_multipart(raw, content_type))
    elif raw:
        args.update(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    for key in _STRUCTURED & args.keys():
        value = args[key]
        if isinstance(value, str) and value.lstrip()[:1] in ("[", "{"):
            with contextlib.suppress(json.JSONDecodeError):
                args[key] = json.loads(value)
    return args


def _parse_multipart(raw: bytes, content_type: str) -> dict[str, Any]:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        fields[name] = data if part.get_filename() else data.decode("utf-8", "replace")
    return fields


def _paginate(
    items: list[Any], args: dict[str, Any], *, default_limit: int
) -> tuple[list[Any], str]:
    """One page and the opaque cursor for the next ("" when done); limit 0 means all."""
    try:
        limit = int(args.get("limit") or default_limit)
    except (TypeError, ValueError):
        raise _SlackError("invalid_limit") from None
    cursor = _text(args, "cursor")
    start = 0
    if cursor:
        try:
            decoded = base64.urlsafe_b64decode(cursor.encode()).decode()
            kind, _, offset = decoded.partition(":")
            start = int(offset)
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise _SlackError("invalid_cursor") from None
        if kind != "next" or start < 0:
            raise _SlackError("invalid_cursor")
    if limit <= 0:
        return items[start:], ""
    end = start + limit
    more = end < len(items)
    next_cursor = base64.urlsafe_b64encode(f"next:{end}".encode()).decode() if more else ""
    return items[start:end], next_cursor


def _in_window(ts: str, args: dict[str, Any]) -> bool:
    inclusive = _text(args, "inclusive") in ("1", "true", "True")
    value = float(ts)
    for key, outside in (("oldest", -1), ("latest", 1)):
        bound = _text(args, key)
        if not bound:
            continue
        try:
            limit = float(bound)
        except ValueError:
            raise _SlackError(f"invalid_ts_{key}") from None
        side = (value > limit) - (value < limit)
        if side == outside or (side == 0 and not inclusive):
            return False
    return True
