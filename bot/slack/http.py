"""The HTTP front: a small WSGI app that verifies Slack's signature, rejects malformed bodies
with 400, answers health checks, and hands everything else to Bolt; served by waitress.

Bolt's own adapters answer 404 to an event no listener matched (so Slack retries it) and 500
to a signed but malformed body; this front answers 200 and 400 instead."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from json import JSONDecodeError
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt import App, BoltRequest
from waitress.server import create_server

from bot.logs import new_request_id, request_id
from bot.metrics import Metrics, request_kind
from bot.slack.health import Health, SlackState

log = logging.getLogger("bot.http")

MAX_BODY = 1 << 20
MAX_SKEW = 5 * 60
_JSON = [("Content-Type", "application/json")]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
_PHRASES = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def _status(code: int) -> str:
    return f"{code} {_PHRASES.get(code, 'Status')}"


def parse_slack_body(text: str, content_type: str) -> dict[str, Any] | None:
    """The payload of a Slack request, or None when it is not one Slack would send. Bolt reads
    some fields without checking their types (whose workspace, user and channel a request is
    from, the first action, the view's type) and fails with a 500 when they are not what Slack
    sends, so those are checked here."""
    try:
        if content_type.startswith("application/json") or text.lstrip().startswith("{"):
            payload = json.loads(text)
        else:
            form = dict(parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text)))
            payload = json.loads(form["payload"]) if "payload" in form else form
    except (JSONDecodeError, ValueError, KeyError, RecursionError):
        return None
    if not isinstance(payload, dict) or not _envelope_is_slacks(payload):
        return None
    if "ssl_check" in payload:
        return payload
    if "command" in payload:
        ok = _strings(payload, "command", "team_id", "user_id", "channel_id")
        return payload if ok and _optional_strings(payload, "text", "trigger_id") else None
    kind = payload.get("type")
    if kind == "url_verification":
        return payload if _strings(payload, "challenge") else None
    if kind == "event_callback":
        event = payload.get("event")
        ok = isinstance(event, dict) and _strings(event, "type")
        return payload if ok and _strings(payload, "event_id") else None
    if kind in ("view_submission", "view_closed"):
        view = payload.get("view")
        if not isinstance(view, dict) or not _strings(view, "type", "callback_id"):
            return None
        # A workflow step's form comes with the step, which Bolt then reads.
        ok = view["type"] != "workflow_step" or "workflow_step" in payload
        return payload if ok and _has_user(payload) else None
    if kind in ("block_actions", "interactive_message"):
        # Bolt reads the first action of both without looking.
        actions = payload.get("actions")
        if not isinstance(actions, list) or not actions:
            return None
        if not all(isinstance(a, dict) for a in actions):
            return None
        if kind == "interactive_message":
            return payload if _strings(payload, "callback_id") else None
        ok = all(_strings(a, "action_id") for a in actions)
        return payload if ok and _has_user(payload) else None
    if kind == "block_suggestion":
        return payload if _strings(payload, "action_id") else None
    if kind == "workflow_step_edit":
        return payload if _strings(payload, "callback_id") and "workflow_step" in payload else None
    if kind in _BY_CALLBACK_ID:
        return payload if _strings(payload, "callback_id") else None
    return payload if isinstance(kind, str) else None


# Kinds Bolt matches on their `callback_id` (and reads it without checking it is there).
_BY_CALLBACK_ID = (
    "shortcut",
    "message_action",
    "dialog_submission",
    "dialog_cancellation",
    "dialog_suggestion",
)
# Objects Bolt looks into for the ids of a request, after the top level.
_NESTED = ("event", "message", "previous_message", "item", "assistant_thread")


def _envelope_is_slacks(payload: dict[str, Any]) -> bool:
    """Whether the fields Bolt takes a request's ids from are of the types Slack sends: `team`,
    `enterprise`, `user` and `channel` an id or an object with a string id, `*_id` strings,
    `authorizations` a list of objects; at the top level and in each object Bolt looks into
    (a loop, not recursion: the nesting is the sender's to choose). A `view`, when there is
    one, is an object (Bolt reads it when it logs a request nothing handles), and so is an
    `event` (Bolt looks for a bot id in it on every request)."""
    if any(k in payload and not isinstance(payload[k], dict) for k in ("view", "event")):
        return False
    pending = [payload]
    while pending:
        found = pending.pop()
        for key in ("team", "enterprise", "user", "channel"):
            value = found.get(key)
            if isinstance(value, dict):
                if not _optional_strings(value, "id", "team_id"):
                    return False
            elif value is not None and not isinstance(value, str):
                return False
        if not _optional_strings(found, "team_id", "enterprise_id", "user_id", "channel_id"):
            return False
        authorizations = found.get("authorizations")
        if authorizations is not None:
            if not isinstance(authorizations, list):
                return False
            if not all(isinstance(a, dict) for a in authorizations):
                return False
            pending += authorizations[:1]
        pending += [found[k] for k in _NESTED if isinstance(found.get(k), dict)]
    return True


def _strings(payload: dict[str, Any], *keys: str) -> bool:
    return all(isinstance(payload.get(k), str) for k in keys)


def _optional_strings(payload: dict[str, Any], *keys: str) -> bool:
    return all(isinstance(payload.get(k), str | None) for k in keys)


def _has_user(payload: dict[str, Any]) -> bool:
    user = payload.get("user")
    return isinstance(user, dict) and isinstance(user.get("id"), str)


def _outcome(status: int) -> str:
    if status < 400:
        return "ok"
    return {400: "malformed", 401: "unauthorized", 413: "too_large"}.get(status, "error")


def signature_is_valid(
    secret: bytes, body: bytes, timestamp: str, signature: str, now: float
) -> bool:
    """Slack's request signature: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}` with the
    signing secret, at most 5 minutes off. Computed over the raw bytes (slack_sdk's verifier
    decodes the body as UTF-8 first, which a hostile body need not be). Headers arrive as
    Latin-1 text: `²` passes `isdigit()` but not `int()`, a digit string past 4,300 digits
    makes `int()` raise, and `compare_digest` raises on non-ASCII text."""
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False
    if abs(now - int(timestamp)) > MAX_SKEW:
        return False
    if not signature.isascii() or not signature.startswith("v0=") or len(signature) != 67:
        return False
    expected = hmac.new(secret, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
    return hmac.compare_digest("v0=" + expected.hexdigest(), signature)


class SlackHttpApp:
    def __init__(
        self,
        bolt: App,
        signing_secret: str,
        health: Callable[[], bool],
        clock: Callable[[], float] = time.time,
        routes: Mapping[str, WsgiApp] | None = None,
        metrics: Metrics | None = None,
        slack: Sequence[Callable[[], SlackState]] | None = None,
    ) -> None:
        """`health` says whether the database answers; `slack`, when given, what is known of
        Slack (see bot.slack.health)."""
        self.bolt = bolt
        self.secret = signing_secret.encode()
        self.health = Health(health, slack)
        self.clock = clock
        # Other pages served beside the events endpoint (the OAuth install pages), by path.
        self.routes = dict(routes or {})
        self.metrics = metrics

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Every request gets an id: in the log lines written while it is served (a context
        variable) and in the `X-Request-Id` response header."""
        rid = new_request_id()
        token = request_id.set(rid)

        def start_with_id(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            return start_response(status, [*headers, ("X-Request-Id", rid)], *exc)

        try:
            return self._route(environ, start_with_id)
        finally:
            request_id.reset(token)

    def _route(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path in Health.PATHS:
            return self.health(environ, start_response)
        if path == "/metrics" and self.metrics is not None:
            if method not in ("GET", "HEAD"):
                return self._reply(start_response, 405, {"error": "method_not_allowed"})
            data, content_type = self.metrics.render()
            start_response(
                _status(200), [("Content-Type", content_type), ("Content-Length", str(len(data)))]
            )
            return [b""] if method == "HEAD" else [data]
        if path in self.routes:
            return self._page(path, environ, start_response)
        if path != "/slack/events":
            return self._reply(start_response, 404, {"error": "not_found"})
        if method != "POST":
            return self._reply(start_response, 405, {"error": "method_not_allowed"})
        if self.metrics is None:
            return self._slack(environ, start_response, {})
        started = time.perf_counter()
        seen: dict[str, str] = {}
        statuses: list[str] = []

        def recording(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            statuses.append(status)
            return start_response(status, headers, *exc)

        try:
            return self._slack(environ, recording, seen)
        except Exception:
            statuses.append("500")
            raise
        finally:
            code = int(statuses[-1].split(" ", 1)[0]) if statuses else 500
            self.metrics.request_done(
                seen.get("kind", "other"), _outcome(code), time.perf_counter() - started
            )

    def _page(
        self, path: str, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        """A page served beside the events endpoint, counted by its status and timed."""
        page = self.routes[path]
        if self.metrics is None:
            return page(environ, start_response)
        started = time.perf_counter()
        statuses: list[str] = []

        def recording(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            statuses.append(status)
            return start_response(status, headers, *exc)

        try:
            return page(environ, recording)
        finally:
            code = int(statuses[-1].split(" ", 1)[0]) if statuses else 500
            self.metrics.page_done(path.rsplit("/", 1)[-1], code, time.perf_counter() - started)

    def _slack(
        self, environ: dict[str, Any], start_response: StartResponse, seen: dict[str, str]
    ) -> Iterable[bytes]:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return self._reply(start_response, 400, {"error": "bad_length"})
        if length > MAX_BODY:
            return self._reply(start_response, 413, {"error": "too_large"})
        raw: bytes = environ["wsgi.input"].read(length) if length > 0 else b""
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
        signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
        content_type = environ.get("CONTENT_TYPE", "")
        if not signature_is_valid(self.secret, raw, timestamp, signature, self.clock()):
            if self.metrics is not None:
                # Only to label the count (a fixed set of kinds): the body is not trusted.
                seen["kind"] = request_kind(
                    parse_slack_body(raw.decode("utf-8", "replace"), content_type)
                )
            return self._reply(start_response, 401, {"error": "invalid_signature"})
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return self._reply(start_response, 400, {"error": "not_utf8"})
        payload = parse_slack_body(text, content_type)
        if payload is None:
            return self._reply(start_response, 400, {"error": "malformed_body"})
        seen["kind"] = request_kind(payload)
        headers: dict[str, str | Sequence[str]] = {
            key[5:].replace("_", "-").lower(): [str(value)]
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        try:
            # Bolt gets the payload checked above rather than the text to parse again: its own
            # reading of a form goes by rules of its own (a command whose text mentions
            # "payload" is taken for an interactive payload, and goes unanswered). A parsed
            # body is what Bolt's Socket Mode requests carry; in an App that verifies no
            # signature itself (this front does), that mode changes nothing else.
            response = self.bolt.dispatch(
                BoltRequest(
                    body=payload,
                    query=environ.get("QUERY_STRING", ""),
                    headers=headers,
                    mode="socket_mode",
                )
            )
        except Exception as error:
            # Bolt answers its listeners' and middleware's failures itself; what escapes comes
            # from reading the request's ids before any of them runs (a nesting too deep, say).
            log.warning("request Bolt could not read answered 400 (%s)", type(error).__name__)
            return self._reply(start_response, 400, {"error": "malformed_body"})
        status = response.status
        if status == 404:
            # Nothing handles it: acknowledge, so Slack neither retries nor shows an error.
            log.info("unhandled %s request acknowledged", payload.get("type") or "command")
            status, body, out_headers = 200, "", [("Content-Type", "text/plain")]
        else:
            body = response.body
            out_headers = [(k, v) for k, values in response.headers.items() for v in values]
        # A JSON body can carry a lone surrogate (`"\ud800"`), which an answer may echo and
        # UTF-8 cannot encode: it goes out as "?".
        data = body.encode("utf-8", "replace")
        start_response(_status(status), [*out_headers, ("Content-Length", str(len(data)))])
        return [data]

    @staticmethod
    def _reply(
        start_response: StartResponse, status: int, payload: dict[str, Any]
    ) -> Iterable[bytes]:
        data = json.dumps(payload).encode()
        start_response(_status(status), [*_JSON, ("Content-Length", str(len(data)))])
        return [data]


class HttpServer:
    """waitress in a thread of its own, stoppable (tests and `wolfpack run` both use it)."""

    def __init__(
        self, app: Callable[..., Iterable[bytes]], host: str, port: int, threads: int
    ) -> None:
        self._server: Any = create_server(
            app,
            host=host,
            port=port,
            threads=threads,
            ident="wolfpack",
            asyncore_loop_timeout=0.2,
            channel_timeout=60,
            clear_untrusted_proxy_headers=True,
        )
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        # The loop's thread closes the loop's sockets (the trigger pipe among them) once it
        # sees _stopping; stop() wakes it through that pipe. The lock keeps the two apart, so
        # stop() never writes to a pipe the loop has just closed.
        self._closing = threading.Lock()
        self._closed = False

    @property
    def port(self) -> int:
        return int(self._server.effective_port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def serve_forever(self) -> None:
        """Serves until stop(); the loop, and closing its sockets, stay on this one thread."""
        from waitress import wasyncore

        server = self._server
        while not self._stopping.is_set():
            wasyncore.loop(timeout=0.2, map=server._map, use_poll=True, count=1)
        server.task_dispatcher.shutdown()
        with self._closing:
            self._closed = True
            wasyncore.close_all(server._map)

    def drain(self, timeout: float) -> None:
        """Stops accepting connections and waits, at most `timeout` seconds, until no request is
        being read, served or answered (waitress writes answers from the HTTP loop, which must
        therefore still be running). Idle keep-alive connections do not count."""
        waitress: Any = self._server
        waitress.accepting = False
        deadline = time.monotonic() + timeout
        quiet_since: float | None = None
        while time.monotonic() < deadline:
            dispatcher = waitress.task_dispatcher
            busy = bool(dispatcher.queue) or dispatcher.active_count > 0
            for channel in list(waitress._map.values()):
                if getattr(channel, "requests", None) or getattr(channel, "total_outbufs_len", 0):
                    busy = True
                request = getattr(channel, "request", None)
                if request is not None and not getattr(request, "completed", False):
                    busy = True
            now = time.monotonic()
            if busy:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = now
            elif now - quiet_since >= 0.3:
                # Quiet for longer than one turn of the HTTP loop: nothing was left unread.
                return
            time.sleep(0.02)
        log.warning("stopping with HTTP requests still in flight after %.0f s", timeout)

    def start(self) -> HttpServer:
        self._thread = threading.Thread(target=self.serve_forever, name="http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._stopping.is_set():
            return
        self._stopping.set()
        with self._closing:
            if not self._closed:
                self._server.pull_trigger()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)
