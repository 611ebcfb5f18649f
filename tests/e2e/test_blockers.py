"""Blockers that get help, through real signed HTTP against the fake Slack: raised in a
check-in, followed up in the next prompt, asked again in the next form, asked about in the
round's thread, offered help in a group DM, resolved, and counted in the weekly summary."""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

from bot.core.delivery import TickReport
from bot.core.schedule import DueKind
from bot.devtools.simulate import SlackSide
from bot.wiring import LISTENER_THREADS
from tests.conftest import ANA, BO, CHANNEL, CY, SIGNING_SECRET, TEAM, Harness
from tests.e2e.journey import GOOD_ANSWER, open_checkin, setup_pack

UTC = dt.UTC
KEYS = "Waiting on the API keys from <!channel> & ops"
STAGING = "Need a staging database"
PACK_IN_UTC = {"members": [ANA, BO, CY], "timezone_mode": "pack", "timezone": "UTC"}


def shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def settle(h: Harness) -> None:
    """Waits until the listener pool has run everything queued so far."""
    barrier = threading.Barrier(LISTENER_THREADS + 1)
    waiting = [h.wolfpack.executor.submit(barrier.wait, 10) for _ in range(LISTENER_THREADS)]
    barrier.wait(10)
    for future in waiting:
        future.result()


def check_in(h: Harness, user: str, blockers: str) -> None:
    view = open_checkin(h, user)
    ack = h.side.submit(view, user=user, values={**GOOD_ANSWER, "q:blockers": blockers})
    assert ack.status == 200 and ack.body == "", ack.body
    settle(h)


def blocker_of(h: Harness, user: str) -> Any:
    with h.wolfpack.db.transaction(TEAM) as tx:
        pack = tx.packs.by_channel(CHANNEL)
        assert pack is not None
        return tx.blockers.open_of(pack.id, user)


def blocker(h: Harness, blocker_id: int) -> Any:
    with h.wolfpack.db.transaction(TEAM) as tx:
        return tx.blockers.get(blocker_id)


def dms(h: Harness, user: str, needle: str) -> list[dict[str, Any]]:
    return [m for m in h.fake.messages(f"D{user}") if needle in shown(m)]


def buttons(message: dict[str, Any]) -> dict[str, str]:
    return {
        e["action_id"]: e.get("value", "")
        for b in message.get("blocks", [])
        if b["type"] == "actions"
        for e in b["elements"]
    }


def ephemerals(h: Harness, user: str) -> list[str]:
    return [e["text"] for e in h.fake.ephemerals if e["user"] == user]


def parent_ts(h: Harness, day: str) -> str:
    return next(
        m["ts"] for m in h.fake.messages(CHANNEL) if not m.get("thread_ts") and day in m["text"]
    )


def test_a_blocker_is_followed_up_asked_about_helped_resolved_and_counted(bot: Harness) -> None:
    setup_pack(bot, values={**PACK_IN_UTC, "reminder": "0"})
    # Tuesday 1 December: Bo is blocked.
    bot.clock.at = dt.datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    check_in(bot, BO, KEYS)
    raised = blocker_of(bot, BO)
    assert raised.text == KEYS and raised.is_open
    # Editing the same round's answer keeps the same blocker, its text updated.
    bot.clock.at = dt.datetime(2026, 12, 1, 10, 30, tzinfo=UTC)
    check_in(bot, BO, KEYS + " (asked twice)")
    edited = blocker_of(bot, BO)
    assert (edited.id, edited.raised_at) == (raised.id, raised.raised_at)
    assert edited.text == KEYS + " (asked twice)"
    check_in(bot, BO, KEYS)

    # Wednesday: the next prompt carries the follow-up; the others' prompts carry none.
    wednesday = dt.datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
    bot.wolfpack.tick(wednesday)
    (prompt,) = dms(bot, BO, "Time to check in")
    assert buttons(prompt).keys() >= {"checkin_open", "blocker_resolve", "blocker_ask"}
    assert buttons(prompt)["blocker_ask"] == str(raised.id)
    assert "Waiting on the API keys from &lt;!channel&gt; &amp; ops" in shown(prompt)
    assert all("blocker_ask" not in buttons(m) for m in dms(bot, CY, "Time to check in"))
    assert blocker(bot, raised.id).followed_up_at == wednesday
    # ...once: a second prompt of another day would not.

    # The check-in form asks whether it still blocks, starting from its text.
    bot.clock.at = dt.datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
    form = open_checkin(bot, BO)
    question = next(b for b in form["blocks"] if b.get("block_id") == "q:blockers")
    assert question["label"]["text"] == "Still blocked by this?"
    assert question["element"]["initial_value"] == KEYS
    assert question["hint"]["text"] == "Clear it if it's sorted."
    assert "Still blocked" not in shown(open_checkin(bot, ANA))

    # Cy checks in on Wednesday, with a blocker of her own: Wednesday's round has a thread.
    check_in(bot, CY, STAGING)
    wednesday_thread = parent_ts(bot, "Wed 2 Dec")

    # Nobody else may resolve or ask about Bo's blocker: not Ana, not another workspace.
    value = str(raised.id)
    bot.side.click("blocker_resolve", value, user=ANA, channel=CHANNEL)
    bot.side.click("blocker_ask", value, user=ANA, channel=CHANNEL)
    elsewhere = SlackSide(bot.side.url, SIGNING_SECRET, team_id="T0002")
    elsewhere.click("blocker_resolve", value, user=BO, channel=CHANNEL)
    elsewhere.click("blocker_ask", value, user=BO, channel=CHANNEL)
    settle(bot)
    assert blocker(bot, raised.id).is_open and blocker(bot, raised.id).asked_at is None
    assert sum("Only the person it blocks" in t for t in ephemerals(bot, ANA)) == 2
    assert sum("That blocker is gone" in t for t in ephemerals(bot, BO)) == 2

    # Bo asks the pack, from the prompt: posted in Wednesday's thread with I can help.
    bot.side.click(
        "blocker_ask", value, user=BO, channel=f"D{BO}", message_ts=prompt["ts"], message=prompt
    )
    settle(bot)
    (ask,) = [m for m in bot.fake.messages(CHANNEL) if "is blocked" in m["text"]]
    assert ask["thread_ts"] == wednesday_thread
    assert "Bo* is blocked: “Waiting on the API keys from &lt;!channel&gt;" in shown(ask)
    assert buttons(ask) == {"blocker_help": value}
    # The prompt now says it was asked, and keeps its Check in button.
    (prompt,) = dms(bot, BO, "Time to check in")
    assert "Asked the pack" in shown(prompt)
    assert "blocker_ask" not in buttons(prompt) and "checkin_open" in buttons(prompt)
    bot.side.click("blocker_ask", value, user=BO, channel=f"D{BO}")
    settle(bot)
    assert len([m for m in bot.fake.messages(CHANNEL) if "is blocked" in m["text"]]) == 1
    assert any("already asked" in t for t in ephemerals(bot, BO))

    # Cy can help: a group DM of the two, introduced; the thread message says who offered.
    bot.side.click("blocker_help", value, user=CY, channel=CHANNEL, message_ts=ask["ts"])
    settle(bot)
    (opened,) = [c for c in bot.fake.calls_to("conversations.open") if "," in c.args["users"]]
    assert set(opened.args["users"].split(",")) == {BO, CY}
    group = next(
        c.args["channel"]
        for c in bot.fake.calls_to("chat.postMessage")
        if c.args["channel"].startswith("G")
    )
    (intro,) = bot.fake.messages(group)
    assert intro["text"].startswith("Cy offered to help with: “Waiting on the API keys")
    (ask,) = [m for m in bot.fake.messages(CHANNEL) if "is blocked" in m["text"]]
    assert "Cy offered to help" in shown(ask)
    # Pressing again does nothing new; Bo cannot offer help to himself.
    bot.side.click("blocker_help", value, user=CY, channel=CHANNEL, message_ts=ask["ts"])
    bot.side.click("blocker_help", value, user=BO, channel=CHANNEL, message_ts=ask["ts"])
    settle(bot)
    assert len([c for c in bot.fake.calls_to("conversations.open") if "," in c.args["users"]]) == 1
    assert len(bot.fake.messages(group)) == 1
    assert blocker(bot, raised.id).helpers == (CY,)
    assert any("your own blocker" in t for t in ephemerals(bot, BO))

    # Bo resolves it from the prompt: marked, the prompt and the thread message say so.
    bot.clock.at = dt.datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    bot.side.click(
        "blocker_resolve", value, user=BO, channel=f"D{BO}", message_ts=prompt["ts"],
        message=prompt,
    )  # fmt: skip
    settle(bot)
    done = blocker(bot, raised.id)
    assert not done.is_open and done.resolved_at == bot.clock.at
    assert "Marked resolved" in shown(dms(bot, BO, "Time to check in")[0])
    (ask,) = [m for m in bot.fake.messages(CHANNEL) if "is blocked" in m["text"]]
    assert "Sorted" in shown(ask) and "blocker_help" not in buttons(ask)
    bot.side.click("blocker_resolve", value, user=BO, channel=f"D{BO}")
    settle(bot)
    assert any("already sorted" in t for t in ephemerals(bot, BO))

    # Thursday: Cy's form asks about her blocker; cleared, it is resolved.
    staging = blocker_of(bot, CY)
    form = open_checkin(bot, CY)
    question = next(b for b in form["blocks"] if b.get("block_id") == "q:blockers")
    assert question["element"]["initial_value"] == STAGING
    ack = bot.side.submit(form, user=CY, values={**GOOD_ANSWER, "q:blockers": ""})
    assert ack.status == 200 and ack.body == ""
    settle(bot)
    assert blocker_of(bot, CY) is None and not blocker(bot, staging.id).is_open

    # Friday's summary counts them: two raised, one helped, two resolved, open 2 and 1 days.
    bot.wolfpack.tick(dt.datetime(2026, 12, 4, 16, 0, tzinfo=UTC))
    summary = next(m for m in bot.fake.messages(CHANNEL) if "blockers raised" in shown(m))
    assert "2 blockers raised · 1 got help · 2 resolved · typically open 2 days" in shown(summary)


def test_a_blocker_no_prompt_followed_up_gets_one_dm_in_working_hours(bot: Harness) -> None:
    setup_pack(bot, values={**PACK_IN_UTC, "members": [ANA, BO], "reminder": "0"})
    # Bo works Mondays and Tuesdays only: after Tuesday's blocker, no prompt till Monday.
    bot.side.command("/checkin", "hours 09:00-18:00 mon-tue", user=BO, channel=CHANNEL)
    bot.clock.at = dt.datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    check_in(bot, BO, KEYS)
    raised = blocker_of(bot, BO)
    # Wednesday is one working day of the pack after: nothing yet.
    bot.wolfpack.tick(dt.datetime(2026, 12, 2, 9, 30, tzinfo=UTC))
    assert dms(bot, BO, "still blocking") == []
    # Thursday is two, but outside Bo's working days: it waits for them.
    report = bot.wolfpack.tick(dt.datetime(2026, 12, 3, 9, 30, tzinfo=UTC))
    assert report.waiting == 1 and dms(bot, BO, "still blocking") == []
    # Monday 09:00, Bo's hours open: the follow-up, once, with both buttons.
    monday = dt.datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    bot.wolfpack.tick(monday)
    bot.wolfpack.tick(monday)
    (follow_up,) = dms(bot, BO, "still blocking")
    assert buttons(follow_up) == {"blocker_resolve": str(raised.id), "blocker_ask": str(raised.id)}
    assert blocker(bot, raised.id).followed_up_at == monday
    # Monday's prompt at 09:30 does not ask again.
    bot.wolfpack.tick(monday.replace(minute=30))
    (prompt,) = dms(bot, BO, "Time to check in")
    assert "blocker_ask" not in buttons(prompt)
    assert len(dms(bot, BO, "still blocking")) == 1


def test_a_blocker_follow_up_waits_while_its_member_is_away(bot: Harness) -> None:
    setup_pack(bot, values={**PACK_IN_UTC, "members": [ANA, BO], "reminder": "0"})
    bot.clock.at = dt.datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # Tuesday
    check_in(bot, BO, KEYS)
    raised = blocker_of(bot, BO)
    reply, _ = bot.side.command("/checkin", "away 2026-12-02 2026-12-04", user=BO, channel=CHANNEL)
    assert reply.status == 200, reply.body

    def followed_up() -> list[dict[str, Any]]:
        return [m for m in bot.fake.messages(f"D{BO}") if "blocker_ask" in buttons(m)]

    # Thursday is two working days on, but Bo is away till Friday: nothing while away.
    for day in (3, 4):
        bot.wolfpack.tick(dt.datetime(2026, 12, day, 10, 0, tzinfo=UTC))
    assert followed_up() == [] and blocker(bot, raised.id).followed_up_at is None
    # Back on Monday: one follow-up, at the start of Bo's working hours.
    monday = dt.datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
    for at in (monday, monday + dt.timedelta(minutes=5), monday.replace(hour=12)):
        bot.wolfpack.tick(at)
    (follow_up,) = followed_up()
    assert buttons(follow_up)["blocker_ask"] == str(raised.id)
    assert blocker(bot, raised.id).followed_up_at == monday


def _die_after_claiming(h: Harness, now: dt.datetime, user: str, *, sent: bool) -> str:
    """What a sender that stopped midway leaves: the due messages claimed, the blocker's
    follow-up claimed by the message that carries it, and that message in Slack or not.
    Returns the claiming message's delivery key."""
    h.wolfpack.ticker.plan(TEAM, now, TickReport())
    with h.wolfpack.db.transaction(TEAM) as tx:
        claimed = tx.deliveries.claim(now, now + dt.timedelta(minutes=2), 100)
        (message,) = [d for d in claimed if d.due.user_id == user]
        pack = tx.packs.all()[0]
        person = tx.people.get(user)
        raised = tx.blockers.open_of(pack.id, user)
        assert person is not None and raised is not None
        assert tx.blockers.claim_follow_up(raised.id, now, by=str(message.due.key))
    if sent:
        notifier = h.wolfpack.workspace(TEAM).notifier
        if message.due.kind is DueKind.PROMPT:
            notifier.send_prompt(
                pack,
                person,
                message.due.local_date,
                reminder=False,
                key=message.due.key,
                follow_up=raised,
            )
        else:
            notifier.send_blocker_follow_up(pack, person, raised, key=message.due.key)
    return str(message.due.key)


def test_a_follow_up_whose_sender_stopped_midway_goes_out_once(bot: Harness) -> None:
    setup_pack(bot, values={**PACK_IN_UTC, "members": [ANA, BO], "reminder": "0"})
    bot.side.command("/checkin", "hours 09:00-18:00 mon-tue", user=BO, channel=CHANNEL)
    bot.clock.at = dt.datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    check_in(bot, BO, KEYS)
    raised = blocker_of(bot, BO)
    # Monday 09:00: the follow-up's own DM is due; its sender claims it and the blocker, and
    # stops before sending. Once its claim lapses, the next tick sends it, once.
    monday = dt.datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    key = _die_after_claiming(bot, monday, BO, sent=False)
    assert key.startswith("blocker-follow-up:")
    for minutes in (1, 3, 4):
        bot.wolfpack.tick(monday + dt.timedelta(minutes=minutes))
    (follow_up,) = dms(bot, BO, "still blocking")
    assert buttons(follow_up)["blocker_ask"] == str(raised.id)
    assert blocker(bot, raised.id).followed_up_by == key


def test_a_follow_up_sent_before_its_sender_stopped_is_not_sent_again(bot: Harness) -> None:
    setup_pack(bot, values={**PACK_IN_UTC, "members": [ANA, BO], "reminder": "0"})
    bot.side.command("/checkin", "hours 09:00-18:00 mon-tue", user=BO, channel=CHANNEL)
    bot.clock.at = dt.datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    check_in(bot, BO, KEYS)
    monday = dt.datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    _die_after_claiming(bot, monday, BO, sent=True)
    for minutes in (3, 4):
        bot.wolfpack.tick(monday + dt.timedelta(minutes=minutes))
    assert len(dms(bot, BO, "still blocking")) == 1


def test_a_prompt_that_carried_a_follow_up_and_stopped_midway_still_carries_it(
    bot: Harness,
) -> None:
    setup_pack(bot, values={**PACK_IN_UTC, "members": [ANA, BO], "reminder": "0"})
    bot.clock.at = dt.datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    check_in(bot, BO, KEYS)
    raised = blocker_of(bot, BO)
    # Wednesday's prompt carries the follow-up; its sender stops after claiming it.
    wednesday = dt.datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
    key = _die_after_claiming(bot, wednesday, BO, sent=False)
    assert key.startswith("prompt:")
    for minutes in (3, 4):
        bot.wolfpack.tick(wednesday + dt.timedelta(minutes=minutes))
    (prompt,) = dms(bot, BO, "Time to check in")
    assert buttons(prompt)["blocker_ask"] == str(raised.id)
    assert dms(bot, BO, "still blocking") == []  # carried by the prompt, not a DM of its own
