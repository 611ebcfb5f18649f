"""GET /metrics over real HTTP: request counts and latencies, the tick's deliveries, the queue
depth and the lease, each bot with a registry of its own; and the X-Request-Id header."""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from bot.core.delivery import TickReport
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.simulate import sign
from bot.metrics import Metrics
from bot.scheduler.runner import ObservedLease
from bot.store.lease import AdvisoryLease
from bot.store.models import DeliveryRow
from tests.conftest import BO, CHANNEL, SIGNING_SECRET, FixedClock, Harness, start_bot
from tests.e2e.journey import setup_pack
from tests.slack.test_http import _command_body

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def base_url(h: Harness) -> str:
    return h.side.url.removesuffix("/slack/events")


def scrape(h: Harness) -> Samples:
    with urllib.request.urlopen(base_url(h) + "/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        text = response.read().decode()
    return parse(text)


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_requests_are_counted_by_kind_and_outcome(bot: Harness) -> None:
    before = scrape(bot)
    assert value(before, "wolfpack_requests_total", kind="command", outcome="ok") == 0
    reply, _ = bot.side.command("/checkin", "", user=BO, channel=CHANNEL)
    assert reply.status == 200
    body = _command_body()
    now = int(time.time())
    bad = bot.side.post(
        body,
        "application/x-www-form-urlencoded",
        timestamp=now,
        signature=sign("another-secret", body, now),
    )
    assert bad.status == 401
    assert bot.side.post(b'{"type": ', "application/json").status == 400
    event = bot.side.event({"type": "reaction_added", "user": BO, "reaction": "wolf"})
    assert event.status == 200

    after = scrape(bot)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("wolfpack_requests_total", kind="command", outcome="ok") == 1
    assert moved("wolfpack_requests_total", kind="command", outcome="unauthorized") == 1
    assert moved("wolfpack_requests_total", kind="other", outcome="malformed") == 1
    assert moved("wolfpack_requests_total", kind="event", outcome="ok") == 1
    assert moved("wolfpack_request_seconds_count", kind="command") == 2
    assert moved("wolfpack_request_seconds_count", kind="event") == 1
    assert moved("wolfpack_request_seconds_sum", kind="command") > 0
    # The ack of a slash command lands within Slack's 3 s: in the 3 s bucket at the latest.
    assert moved("wolfpack_request_seconds_bucket", kind="command", le="3.0") == 2
    # Scraping /metrics and /healthz are not Slack requests.
    assert sum(v for (n, _), v in after.items() if n == "wolfpack_requests_total") == 4


def test_a_tick_feeds_deliveries_queue_depth_and_the_lease(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup_pack(bot, values={"reminder": "0"})
    reports: list[TickReport] = []
    tick = bot.wolfpack.ticker.tick

    def recording(now: dt.datetime) -> TickReport:
        reports.append(tick(now))
        return reports[-1]

    monkeypatch.setattr(bot.wolfpack.ticker, "tick", recording)
    runner = bot.wolfpack.scheduler(seconds=3600)
    assert isinstance(runner.lease, ObservedLease)
    if isinstance(runner.lease.inner, AdvisoryLease):
        # A lease of this test's own: other bots may tick against the same server meanwhile.
        runner.lease.inner.key = random.randrange(1 << 40, 1 << 50)
    # Tue 1 Dec 04:00 UTC: 09:30 in Kolkata, so Cy is prompted.
    bot.clock.at = dt.datetime(2026, 12, 1, 4, 0, tzinfo=dt.UTC)
    assert runner.run_once() is True
    # 08:30 UTC: 09:30 in Berlin; Slack answers Ana's prompt with a 429, so it stays pending.
    bot.fake.fail_next("chat.postMessage", status=429, retry_after=30)
    bot.clock.at = dt.datetime(2026, 12, 1, 8, 30, tzinfo=dt.UTC)
    assert runner.run_once() is True
    assert len(reports) == 2
    assert sum(r.sent for r in reports) == 1 and sum(r.retrying for r in reports) == 1

    samples = scrape(bot)
    with bot.wolfpack.db.session() as s:
        pending = s.scalar(
            select(func.count()).select_from(DeliveryRow).where(DeliveryRow.state == "pending")
        )
        total = s.scalar(select(func.count()).select_from(DeliveryRow))
    assert pending == 1
    for state in ("queued", "sent", "skipped", "failed", "missed", "retrying"):
        counted = value(samples, "wolfpack_deliveries_total", state=state)
        assert counted == sum(getattr(r, state) for r in reports), state
    queued_or_missed = ("queued", "missed")
    assert sum(value(samples, "wolfpack_deliveries_total", state=q) for q in queued_or_missed) == (
        total
    )
    assert value(samples, "wolfpack_queue_depth") == pending
    assert value(samples, "wolfpack_ticks_total", outcome="ok") == 2
    assert value(samples, "wolfpack_tick_seconds_count") == 2
    assert value(samples, "wolfpack_tick_seconds_sum") > 0
    assert value(samples, "wolfpack_lease_held") == 1

    runner.stop()
    assert value(scrape(bot), "wolfpack_lease_held") == 0


def test_ticks_without_the_lease_and_failing_ticks_are_counted() -> None:
    from bot.scheduler.runner import AlwaysLeader, TickRunner

    class Refused:
        def acquire(self) -> bool:
            return False

        def release(self) -> None:
            return None

    def broken(now: dt.datetime) -> None:
        raise RuntimeError("database down")

    metrics = Metrics()
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    follower = TickRunner(broken, lambda: now, Refused(), seconds=3600, observer=metrics)
    assert follower.run_once() is False
    assert parse(metrics.render()[0].decode())[("wolfpack_lease_held", frozenset())] == 0
    leader = TickRunner(broken, lambda: now, AlwaysLeader(), seconds=3600, observer=metrics)
    assert leader.run_once() is False
    samples = parse(metrics.render()[0].decode())
    assert value(samples, "wolfpack_ticks_total", outcome="not_leader") == 1
    assert value(samples, "wolfpack_ticks_total", outcome="failed") == 1
    assert value(samples, "wolfpack_ticks_total", outcome="ok") == 0
    assert value(samples, "wolfpack_lease_held") == 1
    assert value(samples, "wolfpack_tick_seconds_count") == 1


def _request(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> str:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    with urllib.request.urlopen(request) as response:
        rid: str = response.headers["X-Request-Id"]
        return rid


def test_every_response_carries_its_own_request_id(bot: Harness) -> None:
    base = base_url(bot)
    body = json.dumps({"type": "url_verification", "challenge": "c", "token": "x"}).encode()
    now = int(time.time())
    signed = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": str(now),
        "X-Slack-Signature": sign(SIGNING_SECRET, body, now),
    }
    ids = [
        _request(base + "/healthz"),
        _request(base + "/healthz"),
        _request(base + "/metrics"),
        _request(bot.side.url, body, signed),
        _request(bot.side.url, body, signed),
    ]
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)
    assert len(set(ids)) == len(ids)
    try:
        _request(base + "/nowhere")
    except urllib.error.HTTPError as error:
        assert error.code == 404 and len(error.headers["X-Request-Id"]) == 32
    else:
        pytest.fail("404 expected")


@pytest.fixture
def second_bot(
    tmp_path: Path, sqlite_template: Path, fake_slack: FakeSlack, clock: FixedClock
) -> Iterator[Harness]:
    from bot.devtools.simulate import SlackSide

    path = tmp_path / "second.db"
    shutil.copy(sqlite_template, path)
    wolfpack = start_bot(f"sqlite:///{path}", fake_slack, clock)
    server = wolfpack.serve_http().start()
    try:
        yield Harness(
            wolfpack, fake_slack, SlackSide(f"{server.url}/slack/events", SIGNING_SECRET), clock
        )
    finally:
        wolfpack.close()


def test_two_bots_in_one_process_count_apart(bot: Harness, second_bot: Harness) -> None:
    assert bot.wolfpack.metrics.registry is not second_bot.wolfpack.metrics.registry
    for _ in range(3):
        assert bot.side.event({"type": "reaction_added", "user": BO}).status == 200
    assert second_bot.side.event({"type": "reaction_added", "user": BO}).status == 200
    assert value(scrape(bot), "wolfpack_requests_total", kind="event", outcome="ok") == 3
    assert value(scrape(second_bot), "wolfpack_requests_total", kind="event", outcome="ok") == 1
    # And nothing went to the process-wide default registry.
    from prometheus_client import REGISTRY

    assert REGISTRY.get_sample_value("wolfpack_requests_total", {"kind": "event"}) is None


def test_request_kinds() -> None:
    from bot.metrics import request_kind

    assert request_kind({"command": "/checkin"}) == "command"
    assert request_kind({"type": "block_actions"}) == "action"
    assert request_kind({"type": "view_submission"}) == "view_submission"
    assert request_kind({"type": "view_closed"}) == "view_closed"
    assert request_kind({"type": "event_callback"}) == "event"
    assert request_kind({"type": "block_suggestion"}) == "options"
    assert request_kind({"type": "shortcut"}) == "shortcut"
    assert request_kind({"type": "message_action"}) == "shortcut"
    assert request_kind({"type": "url_verification"}) == "url_verification"
    assert request_kind({"ssl_check": "1", "command": "/x"}) == "other"
    assert request_kind({"type": "something_new"}) == "other"
    assert request_kind(None) == "other"
