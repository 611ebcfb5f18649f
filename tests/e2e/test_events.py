"""Events keep packs in step with Slack, and App Home shows each member their next check-in."""

from __future__ import annotations

import json

from tests.conftest import ANA, BO, CHANNEL, CY, DEE, HELPER_BOT, Harness
from tests.e2e.journey import setup_pack


def member_ids(h: Harness) -> list[str]:
    reply, _ = h.side.command("/wolfpack", "members", user=ANA, channel=CHANNEL)
    listing = json.dumps(reply.message())
    return [u for u in (ANA, BO, CY, DEE, HELPER_BOT) if f"<@{u}>" in listing]


def test_joining_and_leaving_the_channel_changes_the_pack_once(bot: Harness) -> None:
    setup_pack(bot)
    joined = {"type": "member_joined_channel", "user": DEE, "channel": CHANNEL, "channel_type": "C"}
    # Slack redelivers when it thinks we timed out: the same event three times has one effect.
    for retry in (None, 1, 2):
        reply = bot.side.event(joined, event_id="Ev0JOIN", retry=retry)
        assert reply.status == 200
    assert member_ids(bot) == [ANA, BO, CY, DEE]
    bot.side.event({"type": "member_joined_channel", "user": HELPER_BOT, "channel": CHANNEL})
    assert HELPER_BOT not in member_ids(bot)
    bot.side.event({"type": "member_left_channel", "user": BO, "channel": CHANNEL})
    assert member_ids(bot) == [ANA, CY, DEE]
    # A channel without a pack is ignored.
    reply = bot.side.event({"type": "member_joined_channel", "user": BO, "channel": "COTHER"})
    assert reply.status == 200


def test_user_change_updates_the_timezone_and_deactivation_removes(bot: Harness) -> None:
    setup_pack(bot)
    moved = {"id": BO, "name": "bo", "tz": "Asia/Tokyo", "profile": {"display_name": "Bo"}}
    bot.side.event({"type": "user_change", "user": moved})
    reply, _ = bot.side.command("/wolfpack", "members", user=ANA, channel=CHANNEL)
    assert "Asia/Tokyo" in json.dumps(reply.message())
    gone = {**moved, "deleted": True}
    bot.side.event({"type": "user_change", "user": gone})
    assert member_ids(bot) == [ANA, CY]


def test_app_home_shows_the_next_checkin_in_my_timezone(bot: Harness) -> None:
    setup_pack(bot)
    reply = bot.side.event({"type": "app_home_opened", "user": CY, "channel": "DCY", "tab": "home"})
    assert reply.status == 200
    view = bot.fake.calls_to("views.publish")[-1].args
    assert view["user_id"] == CY
    text = json.dumps(view["view"])
    # Tue 1 Dec 10:00 UTC is 15:30 in Kolkata: the next check-in is Wed 2 Dec 09:30 IST,
    # which is 04:00 UTC.
    assert "<!date^1796184000^" in text
    assert "Asia/Kolkata" in text
    assert f"<#{CHANNEL}>" in text
    reply = bot.side.event(
        {"type": "app_home_opened", "user": DEE, "channel": "DDEE", "tab": "home"}
    )
    assert "not in a pack yet" in json.dumps(bot.fake.calls_to("views.publish")[-1].args["view"])
