"""Whether the bot can work: the database answers and Slack is reachable.

Slack is probed (auth.test with one workspace's token, api.test with many workspaces) once at
start and then by a background thread: every RECHECK_SECONDS while Slack answers, and with
backoff while it does not (1 s, doubling to 30 s), so that a recovery is seen within about
35 s. The probe's client gives up after PROBE_TIMEOUT seconds and does not retry: the
backoff here is the retry. `/healthz` reads what the last probe found and never calls Slack
itself; `/livez` says only that the process answers.

slack_sdk's retry handlers retry within one call, a bounded number of times; what is needed
here is a probe repeated for as long as the process runs, remembering what it found, hence
this small thread."""

from __future__ import annotations

import json
import logging
import socket
import ssl
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.error import URLError

from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

# Errors with which Slack refuses a token for good: start-up stops on them.
REFUSED = frozenset(
    {"invalid_auth", "token_revoked", "account_inactive", "not_authed", "token_expired"}
)
PROBE_TIMEOUT = 5
FIRST_RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 30.0
RECHECK_SECONDS = 30.0

StartResponse = Callable[..., Any]


@dataclass(frozen=True)
class SlackState:
    """What the last look at Slack found. `ok` is None before the first look."""

    ok: bool | None
    reason: str | None = None
    # The error code when Slack refused the token (the process cannot work until it changes).
    refused: str | None = None


NOT_CHECKED = SlackState(None, "Slack has not been reached yet")


class TokenRefused(Exception):
    """Slack refused the token a setting holds; the message names the setting."""

    def __init__(self, variable: str, code: str, hint: str) -> None:
        super().__init__(f"{variable} was refused by Slack ({code}): {hint}")
        self.variable = variable
        self.code = code


def refusal(error: SlackApiError) -> str | None:
    """The error code when `error` is Slack refusing the token (an `ok: false` answer with one
    of REFUSED), else None: an HTTP error or any other answer is not a refusal."""
    response = error.response
    code = response.get("error") if response.status_code == 200 else None
    return code if isinstance(code, str) and code in REFUSED else None


def cause(error: BaseException) -> str:
    """A short cause of a failed call, fit for a health answer or a log line: no URL, no
    token, no body."""
    if isinstance(error, SlackApiError):
        status = error.response.status_code
        if status != 200:
            return f"HTTP {status}"
        code = error.response.get("error")
        return f"error {code}" if isinstance(code, str) else "an unexpected answer"
    if isinstance(error, URLError) and isinstance(error.reason, BaseException):
        error = error.reason
    if isinstance(error, TimeoutError):
        return "timed out"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, socket.gaierror):
        return "host name not resolved"
    if isinstance(error, ConnectionError):
        return "connection lost"
    if isinstance(error, ssl.SSLError):
        return "TLS error"
    if isinstance(error, OSError):
        return "network error"
    return f"an unexpected answer ({type(error).__name__})"


def backoff(first: float, most: float) -> Iterator[float]:
    """Seconds to wait before each next try: `first`, then twice as long each time, up to
    `most`."""
    delay = first
    while True:
        yield delay
        delay = min(delay * 2, most)


class SlackHealth:
    """Probes Slack and remembers what it found. `variable` names the setting whose token the
    probe uses (None when it uses none)."""

    def __init__(
        self,
        probe: Callable[[], object],
        *,
        variable: str | None,
        first_retry: float = FIRST_RETRY_SECONDS,
        max_retry: float = MAX_RETRY_SECONDS,
        recheck: float = RECHECK_SECONDS,
    ) -> None:
        self._probe = probe
        self.variable = variable
        self.first_retry = first_retry
        self.max_retry = max_retry
        self.recheck = recheck
        self._state = NOT_CHECKED
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def state(self) -> SlackState:
        return self._state

    def check(self) -> SlackState:
        """One probe; what it found is remembered and returned."""
        try:
            self._probe()
        except SlackApiError as error:
            code = refusal(error)
            if code is not None:
                whose = self.variable or "the request"
                state = SlackState(False, f"Slack refused {whose} ({code})", refused=code)
            else:
                state = SlackState(False, f"Slack is unreachable: {cause(error)}")
        except Exception as error:
            state = SlackState(False, f"Slack is unreachable: {cause(error)}")
        else:
            state = SlackState(True)
        before, self._state = self._state, state
        # Changes are logged; what the first look found is the caller's to tell.
        if before.ok is False and state.ok:
            log.info("Slack is reachable again")
        elif before.ok is not None and not state.ok and state.reason != before.reason:
            log.warning("%s", state.reason)
        return state

    def first_check(self, hint: str) -> SlackState:
        """The probe at start: TokenRefused when Slack refuses the token (with `hint`, what to
        do about it); unreachable is only remembered."""
        state = self.check()
        if state.refused is not None:
            raise TokenRefused(self.variable or "the token", state.refused, hint)
        return state

    def waits(self) -> Iterable[float]:
        """Seconds before each next probe, given how the last one went."""
        retries = backoff(self.first_retry, self.max_retry)
        while True:
            if self._state.ok:
                retries = backoff(self.first_retry, self.max_retry)
                yield self.recheck
            else:
                yield next(retries)

    def _watch(self) -> None:
        for wait in self.waits():
            if self._stopping.wait(wait):
                return
            self.check()

    def start(self) -> SlackHealth:
        """Probes in the background until stop()."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._watch, name="slack-health", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=PROBE_TIMEOUT + 5)


class Health:
    """The answers of `/healthz` (readiness: the database answers and, when Slack is watched,
    Slack is reachable) and `/livez` (liveness: the process answers HTTP). Both read
    remembered state or ask the database only; neither calls Slack."""

    PATHS = ("/healthz", "/livez")

    def __init__(
        self,
        database: Callable[[], bool],
        slack: Sequence[Callable[[], SlackState]] | None = None,
    ) -> None:
        self.database = database
        self.slack = list(slack) if slack is not None else None

    def readiness(self) -> tuple[int, dict[str, object]]:
        database = self.database()
        body: dict[str, object] = {"status": "ok", "database": database}
        reasons = [] if database else ["the database does not answer"]
        if self.slack is not None:
            down = [state for state in (look() for look in self.slack) if not state.ok]
            body["slack"] = not down
            reasons += [state.reason or "Slack is unreachable" for state in down]
        if reasons:
            body["status"] = "unavailable"
            body["reason"] = "; ".join(reasons)
            return 503, body
        return 200, body

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            status, body = self.readiness()
        elif path == "/livez":
            status, body = 200, {"status": "ok"}
        else:
            status, body = 404, {"error": "not_found"}
        data = json.dumps(body).encode()
        phrase = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}[status]
        start_response(
            f"{status} {phrase}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
        )
        return [data]
