"""Slack answering every call with 503 while the tick runs every minute on the injected clock.
Transient errors are retried with backoff (15 s doubling, then every 5 minutes) for as long as
a message is still worth sending, so an outage loses nothing: each check-in prompt, the weekly
summary and a proposal's outcome that fell due during it go out once Slack is back, exactly
once. A prompt older than its pack's late limit is recorded as missed instead."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from bot.store.models import DeliveryRow
from tests.conftest import ANA, BO, CHANNEL, CY, Harness
from tests.e2e.journey import setup_pack

UTC = dt.UTC
MEMBERS = (ANA, BO, CY)
# Friday 4 December 2026 in Berlin: prompts at 09:30, the summary at 09:31 and the proposal
# closing at 09:31; Slack starts failing at 09:30.
OUTAGE_STARTS = dt.datetime(2026, 12, 4, 8, 30, tzinfo=UTC)
PROPOSAL = "Adopt trunk-based development"


def prompts_to(h: Harness, user: str) -> list[dict]:
    return [m for m in h.fake.messages(f"D{user}") if "check in" in m.get("text", "").lower()]


def summaries(h: Harness) -> list[dict]:
    return [m for m in h.fake.messages(CHANNEL) if m.get("text", "").startswith("Weekly consensus")]


def outcomes(h: Harness) -> list[dict]:
    return [m for m in h.fake.messages(CHANNEL) if m.get("text", "").startswith("Decision:")]


def deliveries(h: Harness) -> dict[str, tuple[str, int, str | None]]:
    with h.wolfpack.db.session() as s:
        return {r.key: (r.state, r.attempts, r.last_error) for r in s.scalars(select(DeliveryRow))}


def due_in_outage(h: Harness) -> dict[str, tuple[str, int, str | None]]:
    """The prompts of the outage's day, the week's summary and the proposal's close."""
    return {
        k: v
        for k, v in deliveries(h).items()
        if k.endswith(":2026-12-04") or k.startswith(("summary:", "proposal-close:"))
    }


def attempts_to(h: Harness, user: str, since: int) -> int:
    """Calls made to reach the member by DM from call `since` on (a failed send stops at its
    first call)."""
    return sum(
        c.args.get("users") == user or c.args.get("channel") in (user, f"D{user}")
        for c in h.fake.calls[since:]
    )


def pending(h: Harness) -> int:
    return sum(state == "pending" for state, _, _ in deliveries(h).values())


def delivered(h: Harness) -> tuple[list[int], int, int]:
    return [len(prompts_to(h, u)) for u in MEMBERS], len(summaries(h)), len(outcomes(h))


def pack_with_a_proposal_closing_in_the_outage(h: Harness) -> None:
    # Set up the week before, so that its Friday summary is a weekly consensus with figures
    # (a pack no round has reached yet would get a short note instead).
    setup_pack(
        h,
        values={
            "members": list(MEMBERS),
            "reminder": "0",
            "timezone_mode": "pack",
            "timezone": "Europe/Berlin",
            "summary_time": "09:31",
        },
        before=dt.timedelta(days=7),
    )
    reply, _ = h.side.command(
        "/propose", f"{PROPOSAL} --closes 2026-12-04T09:31", user=ANA, channel=CHANNEL
    )
    assert reply.status == 200 and "posted" in reply.body, reply.body
    h.fake.wait_for(lambda f: any("Proposal" in m.get("text", "") for m in f.messages(CHANNEL)))
    # What was due before the outage (the proposal's reminders) goes out first.
    h.clock.at = OUTAGE_STARTS - dt.timedelta(minutes=1)
    h.wolfpack.tick(h.clock.now())
    assert pending(h) == 0


def outage(h: Harness, minutes: int) -> int:
    """Slack fails every call while the tick runs once a minute, from 08:30 UTC; returns the
    number of calls made before it."""
    h.fake.fail_all(503)
    calls = len(h.fake.calls)
    h.clock.at = OUTAGE_STARTS
    for _ in range(minutes):
        report = h.wolfpack.tick(h.clock.now())
        assert report.sent == 0
        h.clock.advance(minutes=1)
    assert len(h.fake.calls) > calls  # the ticks did try Slack
    assert delivered(h) == ([0, 0, 0], 0, 0)
    h.fake.heal()
    return calls


def tick_until_done(h: Harness) -> None:
    for _ in range(30):
        h.wolfpack.tick(h.clock.now())
        if pending(h) == 0:
            return
        h.clock.advance(minutes=1)
    raise AssertionError(f"deliveries still pending: {deliveries(h)}")


def nothing_more_goes_out(h: Harness) -> None:
    before = delivered(h)
    calls = len(h.fake.calls)
    for _ in range(3):
        h.clock.advance(minutes=5)
        h.wolfpack.tick(h.clock.now())
    assert delivered(h) == before
    assert len(h.fake.calls) == calls


def all_sent_once(h: Harness, during: dict[str, tuple[str, int, str | None]]) -> None:
    """After the outage: what fell due in it goes out, each message once, and then nothing."""
    tick_until_done(h)
    after = due_in_outage(h)
    assert {k: state for k, (state, _, _) in after.items()} == dict.fromkeys(during, "sent")
    assert delivered(h) == ([1, 1, 1], 1, 1)
    assert PROPOSAL in json.dumps(outcomes(h)[0])
    nothing_more_goes_out(h)


def test_a_short_outage_loses_nothing_and_doubles_nothing(bot: Harness) -> None:
    pack_with_a_proposal_closing_in_the_outage(bot)
    outage(bot, minutes=3)
    during = due_in_outage(bot)
    assert len(during) == len(MEMBERS) + 2, sorted(during)
    assert {state for state, _, _ in during.values()} == {"pending"}
    assert {error for _, _, error in during.values()} == {"http_503"}

    all_sent_once(bot, during)


def test_ten_minutes_of_503s_lose_nothing_and_double_nothing(bot: Harness) -> None:
    pack_with_a_proposal_closing_in_the_outage(bot)
    started = outage(bot, minutes=10)
    during = due_in_outage(bot)
    assert len(during) == len(MEMBERS) + 2, sorted(during)
    assert {(state, error) for state, _, error in during.values()} == {("pending", "http_503")}
    # Tried at 08:30, 08:31, 08:32, 08:33, 08:35 and 08:39 (15 s doubling, ticks each minute).
    assert [attempts_to(bot, u, started) for u in MEMBERS] == [6, 6, 6]

    all_sent_once(bot, during)


def test_prompts_past_their_late_limit_are_missed_not_sent(bot: Harness) -> None:
    pack_with_a_proposal_closing_in_the_outage(bot)
    outage(bot, minutes=1)
    # Slack stays down past the pack's late limit (3 h) for the prompts.
    bot.fake.fail_all(503)
    for _ in range(40):
        bot.clock.advance(minutes=5)
        bot.wolfpack.tick(bot.clock.now())
    bot.fake.heal()
    bot.clock.advance(minutes=5)
    tick_until_done(bot)
    states = {k: state for k, (state, _, _) in due_in_outage(bot).items()}
    assert {s for k, s in states.items() if k.startswith("prompt:")} == {"missed"}
    # The summary and the outcome are still worth sending within the day: they go out once.
    assert delivered(bot) == ([0, 0, 0], 1, 1)
    nothing_more_goes_out(bot)
