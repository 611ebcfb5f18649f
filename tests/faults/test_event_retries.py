"""Slack delivers an event again when it thinks the app missed it (`X-Slack-Retry-Num`); the
same event_id never has two effects (SPEC §7). Events go over signed HTTP to the bot, which
claims each one in the database before its listeners run."""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from bot.devtools.fake_slack import FakeSlack
from bot.devtools.simulate import SlackSide
from bot.slack.dedupe import retry_may_help
from bot.store.db import make_engine
from bot.store.events import SqlEventLog
from bot.store.models import SlackEventRow
from tests.conftest import (
    ANA,
    BO,
    CHANNEL,
    CY,
    DEE,
    SIGNING_SECRET,
    TEAM,
    FixedClock,
    Harness,
    start_bot,
)
from tests.e2e.journey import setup_pack
from tests.e2e.test_delphi import CLI, ballot_for, split_on_cli
from tests.e2e.test_direction import vote

RETRIES = (None, 1, 2)


def home_opened(user: str = CY) -> dict[str, str]:
    return {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home"}


def test_app_home_opened_three_times_is_published_once(bot: Harness) -> None:
    setup_pack(bot)
    for retry in RETRIES:
        assert bot.side.event(home_opened(), event_id="Ev1", retry=retry).status == 200
    (published,) = bot.fake.calls_to("views.publish")
    assert published.args["user_id"] == CY
    # Another event, even of the same kind and user, is another effect.
    assert bot.side.event(home_opened(), event_id="Ev2").status == 200
    assert len(bot.fake.calls_to("views.publish")) == 2


def test_a_thread_reply_delivered_again_does_not_ask_a_third_time(bot: Harness) -> None:
    """The reply makes the split discussed, so Bo is asked once more; if its redelivery
    counted as a new discussion, Bo would be asked again after answering."""
    monday, alert = split_on_cli(bot)
    reply = {
        "type": "message",
        "channel": CHANNEL,
        "user": DEE,
        "text": "The web UI sells it",
        "ts": "9.1",
        "thread_ts": alert["ts"],
    }
    bot.clock.at = monday + dt.timedelta(hours=1)
    assert bot.side.event(reply, event_id="EvREPLY").status == 200
    assert CLI in ballot_for(bot, BO)
    bot.clock.at = monday + dt.timedelta(hours=2)
    vote(bot, BO, {CLI: ("-1", "The thread convinced me")})
    assert CLI not in ballot_for(bot, BO)

    bot.clock.at = monday + dt.timedelta(hours=3)
    for retry in (1, 2):
        assert bot.side.event(reply, event_id="EvREPLY", retry=retry).status == 200
    assert CLI not in ballot_for(bot, BO)
    with bot.wolfpack.db.session() as s:
        events = s.scalars(select(SlackEventRow)).all()
    assert [(e.event_id, e.team_id, e.done_at) for e in events] == [
        ("EvREPLY", TEAM, monday + dt.timedelta(hours=1))
    ]


def test_a_user_change_delivered_late_does_not_undo_a_newer_one(bot: Harness) -> None:
    setup_pack(bot)
    profile = {"id": BO, "name": "bo", "profile": {"display_name": "Bo"}}
    tokyo = {"type": "user_change", "user": {**profile, "tz": "Asia/Tokyo"}}
    london = {"type": "user_change", "user": {**profile, "tz": "Europe/London"}}
    assert bot.side.event(tokyo, event_id="EvTOKYO").status == 200
    assert bot.side.event(london, event_id="EvLONDON").status == 200
    # Slack retries the first, believing it lost: Bo stays in London.
    for retry in (1, 2):
        assert bot.side.event(tokyo, event_id="EvTOKYO", retry=retry).status == 200
    listing, _ = bot.side.command("/wolfpack", "members", user=ANA, channel=CHANNEL)
    text = json.dumps(listing.message())
    assert "Europe/London" in text and "Asia/Tokyo" not in text


def test_a_failed_first_attempt_is_done_by_the_retry(bot: Harness) -> None:
    setup_pack(bot)
    bot.fake.error_next("views.publish", "internal_error")
    first = bot.side.event(home_opened(), event_id="EvFAIL")
    assert first.status >= 500  # Slack retries what was not answered with a success
    assert bot.side.event(home_opened(), event_id="EvFAIL", retry=1).status == 200
    assert bot.side.event(home_opened(), event_id="EvFAIL", retry=2).status == 200
    failed, published = bot.fake.calls_to("views.publish")
    assert failed.args == published.args and published.args["user_id"] == CY
    with bot.wolfpack.db.session() as s:
        (event,) = s.scalars(select(SlackEventRow)).all()
    assert event.done_at is not None


def test_a_claim_left_by_a_replica_that_died_is_taken_over_after_a_minute(bot: Harness) -> None:
    setup_pack(bot)
    # A replica claimed the event and died before handling it.
    log = SqlEventLog(bot.wolfpack.engine)
    assert log.claim("EvDEAD", TEAM, bot.clock.now()) == "claimed"
    bot.clock.advance(seconds=30)
    # Maybe it is still at work: Slack is asked to come back later.
    assert bot.side.event(home_opened(), event_id="EvDEAD", retry=1).status == 503
    assert bot.fake.calls_to("views.publish") == []
    bot.clock.advance(seconds=31)
    assert bot.side.event(home_opened(), event_id="EvDEAD", retry=2).status == 200
    assert len(bot.fake.calls_to("views.publish")) == 1
    assert bot.side.event(home_opened(), event_id="EvDEAD", retry=3).status == 200
    assert len(bot.fake.calls_to("views.publish")) == 1


def test_the_tick_forgets_events_after_two_days(bot: Harness) -> None:
    setup_pack(bot)
    start = bot.clock.now()
    assert bot.side.event(home_opened(), event_id="EvOLD").status == 200
    bot.clock.advance(hours=1)
    assert bot.side.event(home_opened(), event_id="EvNEW").status == 200

    def kept() -> list[str]:
        with bot.wolfpack.db.session() as s:
            return list(s.scalars(select(SlackEventRow.event_id).order_by(SlackEventRow.event_id)))

    bot.wolfpack.tick(start + dt.timedelta(days=2) - dt.timedelta(seconds=1))
    assert kept() == ["EvNEW", "EvOLD"]
    bot.wolfpack.tick(start + dt.timedelta(days=2, seconds=1))
    assert kept() == ["EvNEW"]
    bot.wolfpack.tick(start + dt.timedelta(days=2, hours=1, seconds=1))
    assert kept() == []


@pytest.fixture
def two_replicas(pg_url: str, fake_slack: FakeSlack, clock: FixedClock) -> Iterator[list[Harness]]:
    """Two processes' worth of bot on one PostgreSQL, each behind its own HTTP server."""
    replicas = [start_bot(pg_url, fake_slack, clock) for _ in range(2)]
    try:
        yield [
            Harness(
                r,
                fake_slack,
                SlackSide(
                    f"{r.serve_http().start().url}/slack/events", SIGNING_SECRET, team_id=TEAM
                ),
                clock,
            )
            for r in replicas
        ]
    finally:
        for replica in replicas:
            replica.close()


def test_two_replicas_given_one_event_at_once_have_one_effect(
    two_replicas: list[Harness],
) -> None:
    setup_pack(two_replicas[0])
    fake = two_replicas[0].fake
    # Publishing takes a while, so the deliveries overlap the one that does the work.
    fake.slow_down("views.publish", 0.3)
    start = threading.Barrier(8)

    def deliver(i: int) -> int:
        side = two_replicas[i % 2].side
        start.wait()
        return side.event(home_opened(), event_id="EvBOTH", retry=i or None).status

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(deliver, range(8)))
    # One did the work; the others found it done, or still in hand (Slack asks again).
    assert set(statuses) <= {200, 503} and 200 in statuses, statuses
    assert len(fake.calls_to("views.publish")) == 1
    fake.slow_down("views.publish", 0)
    for replica in two_replicas:
        assert replica.side.event(home_opened(), event_id="EvBOTH", retry=9).status == 200
    assert len(fake.calls_to("views.publish")) == 1


def test_of_many_replicas_taking_over_one_stale_claim_exactly_one_wins(pg_url: str) -> None:
    engine = make_engine(pg_url)
    try:
        log = SqlEventLog(engine)
        then = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
        later = then + dt.timedelta(seconds=61)
        for at in (then, later):
            start = threading.Barrier(8)

            def claim(at: dt.datetime, start: threading.Barrier = start) -> str:
                start.wait()
                return log.claim("EvRACE", TEAM, at)

            with ThreadPoolExecutor(8) as pool:
                results = sorted(pool.map(claim, [at] * 8))
            # New at `then`, stale at `later`: each time one process has it.
            assert results == ["busy"] * 7 + ["claimed"], results
        log.done("EvRACE", TEAM, later)
        assert log.claim("EvRACE", TEAM, later + dt.timedelta(hours=1)) == "done"
    finally:
        engine.dispose()


# One step of Slack and the replicas: an event is delivered at some time after the last step,
# and the replica that claims it finishes it, fails (gives it back) or dies holding it.
steps = st.lists(
    st.tuples(
        st.sampled_from(["Ev1", "Ev2", "Ev3"]),
        st.sampled_from([0, 1, 30, 59, 60, 61, 300]),
        st.sampled_from(["done", "fail", "die"]),
    ),
    max_size=25,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=steps)
def test_the_event_log_agrees_with_a_model_of_it(
    database_url: str, steps: list[tuple[str, int, str]]
) -> None:
    """Whatever Slack and the replicas do, an event is handled at most once successfully, a
    claim blocks others for 60 s and no longer, and a given-back event can be handled again."""
    engine = make_engine(database_url)
    team = f"T{uuid.uuid4().hex[:12]}"  # each example its own events
    log = SqlEventLog(engine)
    now = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
    held: dict[str, dt.datetime] = {}
    done: set[str] = set()
    handled: dict[str, int] = {}
    try:
        for name, seconds, outcome in steps:
            now += dt.timedelta(seconds=seconds)
            event_id = f"{team}:{name}"
            if name in done:
                expected = "done"
            elif name in held and now - held[name] <= SqlEventLog.STALE_AFTER:
                expected = "busy"
            else:
                expected = "claimed"
            assert log.claim(event_id, team, now) == expected
            if expected != "claimed":
                continue
            held[name] = now
            if outcome == "done":
                log.done(event_id, team, now)
                done.add(name)
                handled[name] = handled.get(name, 0) + 1
            elif outcome == "fail":
                log.release(event_id, team)
                del held[name]
        assert all(n == 1 for n in handled.values())
        with engine.connect() as conn:
            rows = conn.scalar(
                select(func.count()).select_from(SlackEventRow).where(SlackEventRow.team_id == team)
            )
        assert rows == len(done | held.keys())
    finally:
        engine.dispose()


def slack_error(code: str, status: int = 200) -> SlackApiError:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.com/api/views.publish",
        req_args={},
        data={"ok": False, "error": code},
        headers={},
        status_code=status,
    )
    return SlackApiError(code, response)


@pytest.mark.parametrize(
    ("error", "again"),
    [
        (slack_error("internal_error"), True),
        (slack_error("ratelimited", 429), True),
        (slack_error("", 503), True),
        (ConnectionResetError(), True),
        (OperationalError("SELECT 1", {}, Exception("server closed the connection")), True),
        (slack_error("invalid_blocks"), False),
        (slack_error("user_not_found"), False),
        (KeyError("user"), False),
        (ValueError("bad timezone"), False),
    ],
)
def test_only_a_failure_another_delivery_may_not_meet_asks_slack_again(
    error: BaseException, again: bool
) -> None:
    assert retry_may_help(error, (OperationalError,)) is again
