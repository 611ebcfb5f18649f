"""A fake of Slack's Web API served over real HTTP on 127.0.0.1, for the tests and for the
offline `wolfpack demo`. It records every call, answers the methods the bot uses the way Slack
does, refuses methods Slack does not have, and can be told to fail (429 with Retry-After, 5xx,
or an `ok: false` error) to exercise retries."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import ssl
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

_STRUCTURED = ("blocks", "view", "attachments", "files", "metadata")


@dataclass(frozen=True)
class Call:
    method: str
    args: dict[str, Any]
    token: str | None
    at: float


@dataclass
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
    messages: list[dict[str, Any]] = field(default_factory=list)


def known_methods() -> frozenset[str]:
    text = (files("bot") / "data" / "slack_web_methods.txt").read_text()
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


class FakeSlack:
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
        self.methods = frozenset(known_methods) if known_methods is not None else _default_methods()
        self.tokens = frozenset(tokens) if tokens is not None else None
        self.calls: list[Call] = []
        self.unknown_method_calls: list[Call] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, _Channel] = {}
        self.views: dict[str, dict[str, Any]] = {}
        self.home_views: dict[str, dict[str, Any]] = {}
        self.uploaded_files: dict[str, dict[str, Any]] = {}
        self._faults: dict[str, deque[_Fault]] = defaultdict(deque)
        self._fail_all: int | None = None
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._base_ts = 1_764_000_000
        self._ssl = ssl_context
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                fake._handle(self)

            def do_GET(self) -> None:
                fake._handle(self)

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        if ssl_context is not None:
            self._server.socket = ssl_context.wrap_socket(self._server.socket, server_side=True)
        self._thread: threading.Thread | None = None

    # --- lifecycle ---

    @property
    def url(self) -> str:
        scheme = "https" if self._ssl else "http"
        host, port = self._server.server_address[:2]
        return f"{scheme}://{host!s}:{port}/api/"

    def start(self) -> FakeSlack:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- state set up by tests ---

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
        with self._lock:
            self.channels[channel_id] = _Channel(
                channel_id, name or channel_id.lower(), list(members), bot_is_member
            )

    # --- inspection ---

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def reset_calls(self) -> None:
        with self._lock:
            self.calls.clear()

    def messages(self, channel: str) -> list[dict[str, Any]]:
        with self._lock:
            found = self.channels.get(channel)
            return [dict(m) for m in found.messages] if found else []

    def wait_for(self, predicate: Callable[[FakeSlack], bool], timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    summary = "\n".join(
                        f"  {c.method} {json.dumps(c.args)[:300]}" for c in self.calls
                    )
                    raise AssertionError(f"condition not met within {timeout}s; calls:\n{summary}")
                self._changed.wait(min(left, 0.1))

    # --- faults ---

    def fail_next(
        self, method: str, *, status: int = 500, retry_after: int | None = None, times: int = 1
    ) -> None:
        with self._lock:
            self._faults[method].extend(_Fault(status, retry_after) for _ in range(times))

    def error_next(self, method: str, error: str, *, times: int = 1) -> None:
        with self._lock:
            self._faults[method].extend(_Fault(error=error) for _ in range(times))

    def fail_all(self, status: int = 503) -> None:
        with self._lock:
            self._fail_all = status

    def heal(self) -> None:
        with self._lock:
            self._fail_all = None
            self._faults.clear()

    # --- HTTP ---

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        split = urlsplit(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        if split.path.startswith("/upload/"):
            with self._changed:
                file_id = split.path.rsplit("/", 1)[-1]
                if file_id in self.uploaded_files:
                    self.uploaded_files[file_id]["content"] = raw
                self._changed.notify_all()
            self._send(request, 200, b"OK - " + str(len(raw)).encode(), "text/plain")
            return
        if not split.path.startswith("/api/"):
            self._send(request, 404, b"not found", "text/plain")
            return
        method = split.path[len("/api/") :]
        args: dict[str, Any] = dict(parse_qsl(split.query))
        content_type = request.headers.get("Content-Type", "")
        if raw:
            if content_type.startswith("application/json"):
                body = json.loads(raw)
                if isinstance(body, dict):
                    args.update(body)
            else:
                args.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
        for key in _STRUCTURED:
            value = args.get(key)
            if isinstance(value, str) and value[:1] in ("[", "{"):
                with contextlib.suppress(json.JSONDecodeError):
                    args[key] = json.loads(value)
        auth = request.headers.get("Authorization", "")
        token = auth[len("Bearer ") :] if auth.startswith("Bearer ") else args.pop("token", None)
        call = Call(method, args, token, time.monotonic())
        with self._changed:
            self.calls.append(call)
            status, payload, headers = self._answer(call)
            self._changed.notify_all()
        data = json.dumps(payload).encode() if payload is not None else b"server error"
        kind = "application/json; charset=utf-8" if payload is not None else "text/plain"
        self._send(request, status, data, kind, headers)

    @staticmethod
    def _send(
        request: BaseHTTPRequestHandler,
        status: int,
        data: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            request.send_header(key, value)
        request.end_headers()
        request.wfile.write(data)

    def _answer(self, call: Call) -> tuple[int, dict[str, Any] | None, dict[str, str]]:
        if call.method not in self.methods:
            self.unknown_method_calls.append(call)
            return 200, {"ok": False, "error": "unknown_method"}, {}
        if self._fail_all is not None:
            return self._fail_all, None, {}
        queue = self._faults.get(call.method)
        if queue:
            fault = queue.popleft()
            if fault.error:
                return 200, {"ok": False, "error": fault.error}, {}
            if fault.status == 429:
                headers = {"Retry-After": str(fault.retry_after or 1)}
                return 429, {"ok": False, "error": "ratelimited"}, headers
            return fault.status, None, {}
        if not call.token:
            return 200, {"ok": False, "error": "not_authed"}, {}
        if self.tokens is not None and call.token not in self.tokens:
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        handler = getattr(self, "_m_" + call.method.replace(".", "_"), None)
        result: dict[str, Any] = handler(call.args) if handler else {}
        if "error" in result:
            return 200, {"ok": False, **result}, {}
        return 200, {"ok": True, **result}, {}

    # --- methods ---

    def _next_ts(self) -> str:
        n = next(self._ts)
        return f"{self._base_ts + n // 1000}.{n % 1000:03d}100"

    def _user_json(self, user: dict[str, Any]) -> dict[str, Any]:
        tz = user["tz"]
        offset = ZoneInfo(tz).utcoffset(dt.datetime.now(dt.UTC).replace(tzinfo=None))
        return {
            "id": user["id"],
            "team_id": self.team_id,
            "name": user["name"].lower(),
            "real_name": user["name"],
            "deleted": user["deleted"],
            "is_bot": user["is_bot"],
            "is_admin": user["is_admin"],
            "tz": tz,
            "tz_label": tz,
            "tz_offset": int(offset.total_seconds()) if offset else 0,
            "profile": {"real_name": user["name"], "display_name": user["name"]},
        }

    def _m_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": f"https://{self.team_name.lower()}.slack.com/",
            "team": self.team_name,
            "team_id": self.team_id,
            "user": "wolfpack",
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _m_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(args.get("user")))
        if user is None:
            return {"error": "user_not_found"}
        return {"user": self._user_json(user)}

    def _m_users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "members": [self._user_json(u) for u in self.users.values()],
            "response_metadata": {"next_cursor": ""},
        }

    def _channel(self, channel_id: str) -> _Channel | None:
        if channel_id in self.channels:
            return self.channels[channel_id]
        user_id = channel_id[1:] if channel_id.startswith("D") else channel_id
        if user_id in self.users and channel_id[:1] in ("D", "U", "W"):
            dm = _Channel(f"D{user_id}", f"dm-{user_id}", [user_id], True)
            self.channels[dm.id] = dm
            return dm
        return None

    def _m_conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.channels.get(str(args.get("channel")))
        if channel is None:
            return {"error": "channel_not_found"}
        return {
            "channel": {
                "id": channel.id,
                "name": channel.name,
                "is_channel": True,
                "is_member": channel.bot_is_member,
                "is_archived": False,
            }
        }

    def _m_conversations_members(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.channels.get(str(args.get("channel")))
        if channel is None:
            return {"error": "channel_not_found"}
        members = list(channel.members)
        if channel.bot_is_member:
            members.append(self.bot_user_id)
        start = int(args.get("cursor") or 0)
        limit = int(args.get("limit") or 100)
        page = members[start : start + limit]
        after = start + limit
        return {
            "members": page,
            "response_metadata": {"next_cursor": str(after) if after < len(members) else ""},
        }

    def _m_conversations_join(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.channels.get(str(args.get("channel")))
        if channel is None:
            return {"error": "channel_not_found"}
        channel.bot_is_member = True
        return {"channel": {"id": channel.id}}

    def _m_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = str(args.get("users", "")).split(",")[0]
        if user_id not in self.users:
            return {"error": "user_not_found"}
        dm = self._channel(f"D{user_id}")
        assert dm is not None
        return {"channel": {"id": dm.id}}

    def _m_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(str(args.get("channel", "")))
        if channel is None:
            return {"error": "channel_not_found"}
        if not channel.bot_is_member:
            return {"error": "not_in_channel"}
        if not args.get("text") and not args.get("blocks"):
            return {"error": "no_text"}
        message = {
            "type": "message",
            "ts": self._next_ts(),
            "user": self.bot_user_id,
            "text": args.get("text", ""),
            "blocks": args.get("blocks", []),
        }
        if args.get("thread_ts"):
            message["thread_ts"] = args["thread_ts"]
        channel.messages.append(message)
        return {"channel": channel.id, "ts": message["ts"], "message": message}

    def _m_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        if self._channel(str(args.get("channel", ""))) is None:
            return {"error": "channel_not_found"}
        return {"message_ts": self._next_ts()}

    def _m_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(str(args.get("channel", "")))
        if channel is None:
            return {"error": "channel_not_found"}
        for message in channel.messages:
            if message["ts"] == args.get("ts"):
                if "text" in args:
                    message["text"] = args["text"]
                if "blocks" in args:
                    message["blocks"] = args["blocks"]
                return {"channel": channel.id, "ts": message["ts"], "text": message["text"]}
        return {"error": "message_not_found"}

    def _m_chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(str(args.get("channel", "")))
        if channel is None:
            return {"error": "channel_not_found"}
        before = len(channel.messages)
        channel.messages = [m for m in channel.messages if m["ts"] != args.get("ts")]
        if len(channel.messages) == before:
            return {"error": "message_not_found"}
        return {"channel": channel.id, "ts": args.get("ts")}

    def _store_view(self, view: Any, view_id: str | None = None) -> dict[str, Any]:
        if not isinstance(view, dict):
            return {"error": "invalid_arguments"}
        stored = dict(view)
        stored["id"] = view_id or f"V{next(self._ids):06d}"
        stored["hash"] = f"{time.time():.6f}"
        stored["team_id"] = self.team_id
        self.views[stored["id"]] = stored
        return {"view": stored}

    def _m_views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("trigger_id"):
            return {"error": "invalid_arguments"}
        return self._store_view(args.get("view"))

    _m_views_push = _m_views_open

    def _m_views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id = args.get("view_id")
        if not view_id and args.get("external_id"):
            view_id = next(
                (
                    v["id"]
                    for v in self.views.values()
                    if v.get("external_id") == args["external_id"]
                ),
                None,
            )
        if not view_id or view_id not in self.views:
            return {"error": "not_found"}
        return self._store_view(args.get("view"), view_id)

    def _m_views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = str(args.get("user_id", ""))
        if user_id not in self.users:
            return {"error": "user_not_found"}
        result = self._store_view(args.get("view"))
        if "view" in result:
            self.home_views[user_id] = result["view"]
        return result

    def _m_files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        file_id = f"F{next(self._ids):08d}"
        self.uploaded_files[file_id] = {
            "id": file_id,
            "filename": args.get("filename"),
            "length": int(args.get("length") or 0),
            "content": b"",
        }
        base = self.url[: -len("api/")]
        return {"upload_url": f"{base}upload/{file_id}", "file_id": file_id}

    def _m_files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        entries = args.get("files")
        if not isinstance(entries, list):
            return {"error": "invalid_arguments"}
        done = []
        for entry in entries:
            stored = self.uploaded_files.get(str(entry.get("id")))
            if stored is None:
                return {"error": "file_not_found"}
            stored.update(
                title=entry.get("title"),
                channel=args.get("channel_id"),
                initial_comment=args.get("initial_comment"),
                thread_ts=args.get("thread_ts"),
            )
            done.append({"id": stored["id"], "title": entry.get("title")})
        return {"files": done}


_METHODS: frozenset[str] | None = None


def _default_methods() -> frozenset[str]:
    global _METHODS
    if _METHODS is None:
        _METHODS = known_methods()
    return _METHODS
