"""Work done after the person has their answer."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Executor
from typing import Any

from bot.core.usecases.workspace import Done

log = logging.getLogger("bot.slack")


class Later:
    """Work Slack need not wait for (posting to the channel, updating a message), run on the
    listener pool while the answer goes back. Bolt's lazy listeners do the same, but deep-copy
    the whole request for each one, whether or not it has work: about 1 ms of CPU a request
    (bench/load.py). This submits only the work there is, with just the values it needs."""

    def __init__(self, executor: Executor) -> None:
        self.executor = executor
        self._waiting: set[Hashable] = set()
        self._lock = threading.Lock()

    def __call__(self, function: Callable[..., object], *args: Any) -> None:
        self.executor.submit(self._run, function, args)

    def after(self, done: Done[Any]) -> None:
        """A use case's work after the answer, if it has any (shared while it waits, when the
        use case gives a key for that)."""
        if done.after is None:
            return
        if done.once is not None:
            self.once(done.once, done.after)
        else:
            self(done.after)

    def once(self, key: Hashable, function: Callable[..., object], *args: Any) -> None:
        """Like calling, but while work under `key` waits to start, more is not queued: it
        would do the same. Work that has started reads the state of then, so a call after the
        start queues it again. (A burst of clicks on one proposal: one or two message updates,
        each showing every click before it, instead of one update a click.)"""
        with self._lock:
            if key in self._waiting:
                return
            self._waiting.add(key)
        self.executor.submit(self._run_once, key, function, args)

    def _run_once(
        self, key: Hashable, function: Callable[..., object], args: tuple[Any, ...]
    ) -> None:
        with self._lock:
            self._waiting.discard(key)
        self._run(function, args)

    @staticmethod
    def _run(function: Callable[..., object], args: tuple[Any, ...]) -> None:
        try:
            function(*args)
        except Exception:
            log.exception("work after the answer failed: %s", function.__name__)
