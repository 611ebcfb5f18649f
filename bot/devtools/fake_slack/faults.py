"""Failures the tests inject: HTTP errors (429 with Retry-After, 5xx), `ok: false` answers,
answers of an unexpected shape, and latency."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

_FAULT_ERRORS = {429: "ratelimited", 503: "service_unavailable"}


@dataclass(frozen=True)
class Fault:
    status: int = 200
    retry_after: int | None = None
    error: str | None = None
    body: dict[str, Any] | None = None

    def answer(self) -> tuple[int, dict[str, Any], dict[str, str]]:
        """HTTP status, JSON body and headers, as Slack answers with this failure."""
        if self.body is not None:
            return 200, self.body, {}
        if self.error is not None:
            return 200, {"ok": False, "error": self.error}, {}
        headers: dict[str, str] = {}
        if self.status == 429:
            headers["Retry-After"] = str(self.retry_after if self.retry_after is not None else 1)
        error = _FAULT_ERRORS.get(self.status, "fatal_error")
        return self.status, {"ok": False, "error": error}, headers


class Faults:
    """What is to go wrong, by method. `FakeSlack` consults it before answering each call."""

    def __init__(self, lock: threading.RLock) -> None:
        self._lock = lock
        # None: that call is answered as usual (a fault after `after` good calls).
        self._queued: dict[str, deque[Fault | None]] = {}
        self._latency: dict[str, float] = {}
        self._fail_all: int | None = None

    def fail_next(
        self, method: str, *, status: int = 500, retry_after: int | None = None, times: int = 1
    ) -> None:
        """The next `times` calls to `method` answer with HTTP `status` (429 carries
        Retry-After)."""
        if status < 400:
            raise ValueError("fail_next needs an HTTP error status")
        with self._lock:
            queue = self._queued.setdefault(method, deque())
            queue.extend(Fault(status, retry_after) for _ in range(times))

    def error_next(self, method: str, error: str, *, times: int = 1) -> None:
        """The next `times` calls to `method` answer HTTP 200 `{"ok": false, "error": error}`."""
        with self._lock:
            queue = self._queued.setdefault(method, deque())
            queue.extend(Fault(error=error) for _ in range(times))

    def answer_next(self, method: str, body: dict[str, Any], *, after: int = 0) -> None:
        """After `after` calls to `method` answered as usual, the next answers HTTP 200 with
        `body` as it is, whatever the method would answer: a reply of a shape the client
        does not expect (`{"ok": true}` without the fields it reads)."""
        with self._lock:
            queue = self._queued.setdefault(method, deque())
            queue.extend([None] * after)
            queue.append(Fault(body=body))

    def fail_all(self, status: int = 503) -> None:
        """Every known method answers HTTP `status` until heal()."""
        with self._lock:
            self._fail_all = status

    def heal(self) -> None:
        with self._lock:
            self._fail_all = None
            self._queued.clear()
            self._latency.clear()

    def slow_down(self, method: str, seconds: float) -> None:
        """Every call to `method` waits `seconds` before it is handled, as over a slow network
        (0 ends it); calls still run side by side."""
        with self._lock:
            if seconds > 0:
                self._latency[method] = seconds
            else:
                self._latency.pop(method, None)

    def delay(self, method: str) -> float | None:
        return self._latency.get(method)

    def take(self, method: str) -> Fault | None:
        """The failure this call to `method` meets, if any; a queued one is used up. Called
        with the lock held."""
        if self._fail_all is not None:
            return Fault(self._fail_all)
        queue = self._queued.get(method)
        return queue.popleft() if queue else None
