"""The Delphi step (SPEC §4.6): a contested statement discussed in its alert's thread after a
member voted is put to that member once more, and the summary shows who came round."""

from __future__ import annotations

import datetime as dt
import json

from bot.core.summary import SplitTrend
from bot.core.usecases import statements
from bot.core.usecases import summary as summaries
from tests.conftest import ANA, BO, CHANNEL, CY, DEE, TEAM, Harness
from tests.e2e.journey import setup_pack
from tests.e2e.test_direction import say, vote

CLI = "We should ship the CLI before the web UI"


def ballot_for(h: Harness, user: str) -> dict[str, dict]:
    say(h, user, "")
    view = h.fake.calls_to("views.open")[-1].args["view"]
    if "callback_id" not in view:
        assert "voted on every statement" in json.dumps(view)
        return {}
    assert view["callback_id"] == "direction", view
    return {
        b["label"]["text"]: b for b in view["blocks"] if b.get("block_id", "").startswith("vote:")
    }


def split_on_cli(h: Harness) -> tuple[dt.datetime, dict]:
    """A pack of four split on CLI on Monday morning (two agree, one passes, one disagrees),
    with its alert posted and recorded; returns the time and the alert."""
    setup_pack(h, values={"members": [ANA, BO, CY, DEE]})
    monday = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    h.clock.at = monday
    say(h, ANA, f"add {CLI}")
    vote(h, ANA, {CLI: ("1", "")})
    vote(h, BO, {CLI: ("0", "")})
    vote(h, CY, {CLI: ("1", "")})
    vote(h, DEE, {CLI: ("-1", "Sales needs the web UI")})
    h.fake.wait_for(lambda f: bool(f.messages(CHANNEL)))
    (alert,) = h.fake.messages(CHANNEL)
    h.fake.wait_for(lambda _: statements.alert_message(h.wolfpack.workspace(TEAM), 1) is not None)
    return monday, alert


def reply_in_thread(h: Harness, user: str, thread_ts: str, ts: str) -> None:
    event = {
        "type": "message",
        "channel": CHANNEL,
        "user": user,
        "text": "I think the web UI sells it <!channel>",
        "ts": ts,
        "thread_ts": thread_ts,
    }
    assert h.side.event(event).status == 200


def test_a_discussed_split_is_asked_again_once(bot: Harness) -> None:
    monday, alert = split_on_cli(bot)
    # Voted, not discussed yet: nothing to ask Bo again.
    assert CLI not in ballot_for(bot, BO)

    # A bot's message and a reply in some other thread are not discussion of the split.
    bot.clock.at = monday + dt.timedelta(hours=2)
    bot_reply = {"type": "message", "channel": CHANNEL, "bot_id": "B1", "ts": "9.1"}
    assert bot.side.event({**bot_reply, "thread_ts": alert["ts"]}).status == 200
    reply_in_thread(bot, DEE, "1.000001", "9.2")
    assert CLI not in ballot_for(bot, BO)

    reply_in_thread(bot, DEE, alert["ts"], "9.3")
    again = ballot_for(bot, BO)
    assert CLI in again
    assert "since you voted Pass" in again[CLI]["hint"]["text"]

    bot.clock.at = monday + dt.timedelta(hours=3)
    vote(bot, BO, {CLI: ("-1", "The thread convinced me")})
    assert CLI not in ballot_for(bot, BO)
    # Once: a second discussion does not ask Bo a third time; Ana, who voted before it, is asked.
    bot.clock.at = monday + dt.timedelta(hours=4)
    reply_in_thread(bot, CY, alert["ts"], "9.4")
    assert CLI not in ballot_for(bot, BO)
    assert "since you voted Agree" in ballot_for(bot, ANA)[CLI]["hint"]["text"]

    with bot.wolfpack.db.transaction(TEAM) as tx:
        pack = tx.packs.by_channel(CHANNEL)
    assert pack is not None
    summary = summaries.build(bot.wolfpack.workspace(TEAM), pack.id, monday + dt.timedelta(days=4))
    assert summary is not None
    (split,) = summary.splits
    assert (split.tally.agree, split.tally.disagree, split.tally.passes) == (2, 2, 0)
    assert (split.revoted, split.changed_side) == (1, 1)
    assert split.trend is SplitTrend.NEW  # no votes before this week


def test_the_summarys_discuss_button_points_to_the_alert_thread(bot: Harness) -> None:
    setup_pack(bot, values={"members": [ANA, BO, CY]})
    say(bot, ANA, f"add {CLI}")
    vote(bot, ANA, {CLI: ("1", "")})
    vote(bot, BO, {CLI: ("-1", "")})
    vote(bot, CY, {CLI: ("1", "")})
    bot.fake.wait_for(lambda f: bool(f.messages(CHANNEL)))
    (alert,) = bot.fake.messages(CHANNEL)
    bot.fake.wait_for(
        lambda _: statements.alert_message(bot.wolfpack.workspace(TEAM), 1) is not None
    )
    assert statements.alert_message(bot.wolfpack.workspace(TEAM), 1) == (CHANNEL, alert["ts"])
    elsewhere = "1999999999.000100"  # the button of another message: the weekly summary
    bot.side.click("split_discuss", "1", user=BO, channel=CHANNEL, message_ts=elsewhere)
    bot.fake.wait_for(lambda f: bool(f.calls_to("chat.postEphemeral")))
    (pointer,) = bot.fake.calls_to("chat.postEphemeral")
    assert pointer.args["user"] == BO and "open the thread" in json.dumps(pointer.args)
    assert not [m for m in bot.fake.messages(CHANNEL) if m.get("thread_ts") == elsewhere]
