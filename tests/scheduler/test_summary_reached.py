"""The weekly summary counts, for each member, only the rounds whose check-in reached them: a
prompt delivered, or an answer of their own. A prompt recorded missed because the bot was down,
or never sent, makes nobody quiet; and a pack no round has reached yet gets a short note
instead of figures about an empty week. Through the tick, against the fake Slack over HTTP,
on an injected clock."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select

from bot.core.statements import VoteValue
from bot.store.models import DeliveryRow
from tests.conftest import ANA, BO, CHANNEL, CY, TEAM, Harness
from tests.e2e.journey import GOOD_ANSWER, open_checkin, setup_pack
from tests.slack.limits import check_message

UTC = dt.UTC
# The whole pack on Berlin's clock: everyone's 09:30 is 08:30 UTC in December.
BERLIN_CLOCK = {"timezone_mode": "pack", "timezone": "Europe/Berlin"}
MONDAY = dt.date(2026, 11, 30)
# Friday 4 December 2026, 16:00 in Berlin: the default summary slot.
FRIDAY_SUMMARY = dt.datetime(2026, 12, 4, 15, 0, tzinfo=UTC)


def on(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=UTC)


def weekday(n: int) -> dt.date:
    """Monday 30 November 2026 and the days after it."""
    return MONDAY + dt.timedelta(days=n)


def tick(h: Harness, when: dt.datetime) -> None:
    h.clock.at = when
    assert h.wolfpack.ticker.tick(when).failed == 0


def check_in(h: Harness, user: str, when: dt.datetime) -> None:
    h.clock.at = when
    reply = h.side.submit(open_checkin(h, user), user=user, values=GOOD_ANSWER)
    assert reply.status == 200, reply.body


def blocks_of(call: Any) -> list[dict[str, Any]]:
    blocks = call.args["blocks"]
    return json.loads(blocks) if isinstance(blocks, str) else list(blocks)


def summary_posts(h: Harness) -> list[Any]:
    """The pack channel's messages sent under a summary's delivery key."""
    found = []
    for call in h.fake.calls_to("chat.postMessage"):
        metadata = call.args.get("metadata") or {}
        metadata = json.loads(metadata) if isinstance(metadata, str) else metadata
        key = str(metadata.get("event_payload", {}).get("key", ""))
        if call.args.get("channel") == CHANNEL and key.startswith("summary:"):
            found.append(call)
    return found


def summary_text(h: Harness) -> str:
    (post,) = summary_posts(h)
    return json.dumps(blocks_of(post), ensure_ascii=False)


def details_text(h: Harness) -> str:
    """The full report the posted summary's Details button opens, as Ana sees it."""
    (post,) = summary_posts(h)
    (value,) = [
        e["value"]
        for b in blocks_of(post)
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "summary_details"
    ]
    (message,) = [m for m in h.fake.messages(CHANNEL) if "Weekly consensus" in m["text"]]
    opened = len(h.fake.calls_to("views.open"))
    h.side.click("summary_details", value, user=ANA, channel=CHANNEL, message_ts=message["ts"])
    h.fake.wait_for(lambda f: len(f.calls_to("views.open")) > opened)
    return json.dumps(h.fake.calls_to("views.open")[-1].args["view"], ensure_ascii=False)


def dms_saying(h: Harness, user: str, words: str) -> list[dict[str, Any]]:
    return [m for m in h.fake.messages(f"D{user}") if words in json.dumps(m)]


def delivery_states(h: Harness) -> dict[str, str]:
    with h.wolfpack.db.session() as s:
        return {r.key: r.state for r in s.scalars(select(DeliveryRow))}


def home_streak(h: Harness, user: str) -> str:
    before = len(h.fake.calls_to("views.publish"))
    reply = h.side.event({"type": "app_home_opened", "user": user, "channel": f"D{user}"})
    assert reply.status == 200, reply.body
    calls = h.fake.calls_to("views.publish")
    assert len(calls) == before + 1
    shown = json.dumps(calls[-1].args["view"])
    start = shown.index("Streak")
    return shown[start : shown.index(".", start)]


def test_a_missed_prompt_is_nobodys_silence_and_a_sent_one_unanswered_is(bot: Harness) -> None:
    """Monday to Friday on Berlin's clock. Wednesday the bot is down until 13:00, past the
    3-hour late limit, so Wednesday's prompts are recorded missed; Cy answers Wednesday's
    round with `/checkin` all the same. Ana answers every prompt that reaches her, Bo only
    Tuesday's and Friday's, Cy only Wednesday's."""
    bot.clock.at = on(MONDAY, 0)
    setup_pack(bot, values={**BERLIN_CLOCK, "members": [ANA, BO, CY], "reminder": "0"})
    answers = {0: [ANA], 1: [ANA, BO], 3: [ANA], 4: [ANA, BO]}
    for n in (0, 1, 3, 4):
        tick(bot, on(weekday(n), 8, 30))
        for user in answers[n]:
            check_in(bot, user, on(weekday(n), 9))
    check_in(bot, CY, on(weekday(2), 10))
    tick(bot, on(weekday(2), 12))
    states = delivery_states(bot)
    for user in (ANA, BO, CY):
        assert states[f"prompt:1:{user}:2026-12-02"] == "missed"
        assert states[f"prompt:1:{user}:2026-12-03"] == "sent"

    tick(bot, FRIDAY_SUMMARY)
    shown = summary_text(bot)
    assert "Heard from 3 of 3 · 7 of 13 check-ins answered" in shown
    shown = details_text(bot)
    # Ana: 4 of 4 (Wednesday counts for nothing). Bo: 2 of 4, Monday's and Thursday's prompts
    # reached him unanswered. Cy: 1 of 5, Wednesday's answer counting as a round that reached
    # her. Counting Wednesday's missed prompts would make it 7 of 15.
    assert "Heard from 3 of 3 · 7 of 13 expected check-ins answered (54%)" in shown
    # Wednesday does not break Ana's streak: 4 in a row, not 2.
    assert "Ana (4 in a row)" in shown and "Bo (1 in a row)" in shown
    assert home_streak(bot, ANA) == "Streak: 4 rounds answered in a row"
    # Cy's last three rounds that reached her: Wednesday (answered), Thursday and Friday.
    (dm,) = dms_saying(bot, CY, "missed 2 of the last 3 rounds (Thu 3 Dec, Fri 4 Dec)")
    assert "Quiet lately" in json.dumps(dm)
    # Bo missed Thursday's of his last three (Tuesday, Thursday, Friday): not quiet.
    assert dms_saying(bot, BO, "missed") == []


def test_silence_is_only_counted_where_a_prompt_reached_the_member(bot: Harness) -> None:
    """Members on their own clocks: Cy's 09:30 in Kolkata is 04:00 UTC, Ana's in Berlin 08:30
    UTC, Bo's in Los Angeles 17:30 UTC. The bot runs at 04:00 and 17:30 UTC only, so Ana's
    prompts are found past the late limit and recorded missed, while Cy's and Bo's reach them.
    Ana and Bo never answer; Cy does."""
    bot.clock.at = on(MONDAY, 0)
    setup_pack(bot, values={"members": [ANA, BO, CY], "reminder": "0"})
    for n in range(5):
        tick(bot, on(weekday(n), 4))
        check_in(bot, CY, on(weekday(n), 5))
        if on(weekday(n), 17, 30) < FRIDAY_SUMMARY:
            tick(bot, on(weekday(n), 17, 30))
    states = delivery_states(bot)
    assert {states[f"prompt:1:{ANA}:{weekday(n)}"] for n in range(4)} == {"missed"}
    assert {states[f"prompt:1:{BO}:{weekday(n)}"] for n in range(4)} == {"sent"}

    tick(bot, FRIDAY_SUMMARY)
    shown = summary_text(bot)
    # Bo's four prompts (Monday to Thursday; Friday's comes at 17:30 UTC) and Cy's five.
    assert "Heard from 1 of the 2 members a check-in reached this week (3 in the pack)" in shown
    assert "5 of 9 check-ins answered" in shown
    assert "5 of 9 expected check-ins answered" in details_text(bot)
    # Quiet: Bo, whom every prompt reached; not Ana, whom none did.
    assert "1 person has been quiet" in shown
    # Friday 16:00 in Berlin is 07:00 in Los Angeles: Bo's note waits for their 09:30.
    assert dms_saying(bot, BO, "missed") == []
    tick(bot, on(weekday(4), 17, 30))
    assert len(dms_saying(bot, BO, "missed 3 of the last 3 rounds")) == 1
    assert dms_saying(bot, ANA, "missed") == []
    assert f"lone-wolf:1:{ANA}:2026-W49" not in delivery_states(bot)


def test_a_pack_no_round_has_reached_gets_a_short_note_once(bot: Harness) -> None:
    """Set up on Thursday evening, the day before its first summary slot, with check-ins
    Monday to Thursday: at Friday's slot no prompt has reached anyone. Votes already cast
    would make Cy a lone wolf (votes apart from the pack's and no reason given) in a summary
    with figures."""
    bot.clock.at = on(weekday(3), 18)
    setup_pack(
        bot,
        values={
            **BERLIN_CLOCK,
            "members": [ANA, BO, CY],
            "reminder": "0",
            "checkin_days": ["0", "1", "2", "3"],
        },
        before=dt.timedelta(0),
    )
    plant_votes(bot, when=on(weekday(3), 18, 30))
    for when in (on(weekday(3), 19), on(weekday(4), 8, 30)):
        tick(bot, when)
    tick(bot, FRIDAY_SUMMARY)
    tick(bot, FRIDAY_SUMMARY)
    tick(bot, FRIDAY_SUMMARY + dt.timedelta(minutes=5))

    (post,) = summary_posts(bot)
    blocks = blocks_of(post)
    check_message(blocks, post.args["text"])
    shown = json.dumps(blocks, ensure_ascii=False)
    assert "Wolfpack is set up for team" in shown
    assert "The first check-ins go out on Mon 7 Dec" in shown
    assert "the first summary with figures comes next Friday 11 Dec" in shown
    assert len(blocks) == 1 and post.args["text"].startswith("Wolfpack is set up for team")
    for figure in ("Weekly consensus", "Heard from", "Alignment", "agree", "quiet"):
        assert figure not in shown and figure not in post.args["text"]
    assert bot.fake.calls_to("files.getUploadURLExternal") == []
    assert bot.fake.uploaded_files == {}
    assert dms_saying(bot, CY, "summary") == [] and bot.fake.messages(f"D{CY}") == []
    states = delivery_states(bot)
    assert states["summary:1:2026-W49"] == "sent"
    assert not [k for k in states if k.startswith(("lone-wolf:", "prompt:"))]

    # The next week's rounds reach the pack: its next summary has figures, a chart, and Cy's
    # lone-wolf DM.
    for n in range(7, 11):
        tick(bot, on(weekday(n), 8, 30))
    tick(bot, FRIDAY_SUMMARY + dt.timedelta(days=7))
    second = summary_posts(bot)[-1]
    assert len(summary_posts(bot)) == 2
    assert "Weekly consensus" in json.dumps(blocks_of(second))
    assert len([f for f in bot.fake.uploaded_files.values() if f["completed"]]) == 1
    # Friday is not one of the pack's working days: Cy's note waits for Monday's 09:30.
    assert dms_saying(bot, CY, "nobody has heard why yet") == []
    tick(bot, on(weekday(14), 8, 30))
    assert len(dms_saying(bot, CY, "nobody has heard why yet")) == 1


def plant_votes(h: Harness, *, when: dt.datetime) -> None:
    """Five statements Ana and Bo agree with and Cy disagrees with."""
    with h.wolfpack.db.transaction(TEAM) as tx:
        pack = tx.packs.by_channel(CHANNEL)
        assert pack is not None
        for n in range(5):
            text = f"statement {n}"
            statement, _ = tx.statements.add(pack.id, text, text, ANA, when)
            for user in (ANA, BO, CY):
                value = VoteValue.DISAGREE if user == CY else VoteValue.AGREE
                tx.statements.vote(statement.id, pack.id, user, value, "", when)
