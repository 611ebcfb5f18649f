"""Work after the answer: run on the listener pool, failures logged, bursts coalesced."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.slack.later import Later


def test_once_queues_one_run_per_key_until_it_starts() -> None:
    pool = ThreadPoolExecutor(max_workers=1)
    later = Later(pool)
    gate, started = threading.Event(), threading.Event()
    runs: list[str] = []

    def blocker() -> None:
        started.set()
        gate.wait(10)

    later(blocker)
    assert started.wait(10)
    # The one worker is busy: a burst under one key queues a single run.
    for _ in range(5):
        later.once(("proposal", "T1", 1), runs.append, "p1")
    later.once(("proposal", "T1", 2), runs.append, "p2")
    gate.set()
    pool.shutdown(wait=True)
    assert sorted(runs) == ["p1", "p2"]


def test_once_queues_again_once_the_run_has_started() -> None:
    pool = ThreadPoolExecutor(max_workers=1)
    later = Later(pool)
    inside, release = threading.Event(), threading.Event()
    runs: list[int] = []

    def refresh(n: int) -> None:
        runs.append(n)
        if n == 1:
            inside.set()
            release.wait(10)

    later.once("k", refresh, 1)
    assert inside.wait(10)
    # The first run reads the state of before this call, so this one must run too.
    later.once("k", refresh, 2)
    release.set()
    pool.shutdown(wait=True)
    assert runs == [1, 2]


def test_a_failure_is_logged_and_the_pool_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    pool = ThreadPoolExecutor(max_workers=1)
    later = Later(pool)
    done: list[bool] = []

    def broken() -> None:
        raise RuntimeError("boom")

    with caplog.at_level(logging.ERROR, logger="bot.slack"):
        later(broken)
        later(done.append, True)
        pool.shutdown(wait=True)
    assert done == [True]
    assert any("broken" in r.getMessage() and r.exc_info for r in caplog.records)
