"""`/checkin hours` through real signed HTTP, and what it changes: the member's prompts come
inside the hours they set, on the days they set, and the bot starts nothing outside them."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.store.models import DeliveryRow
from tests.conftest import ANA, BO, CHANNEL, CY, Harness
from tests.e2e.journey import setup_pack

KOLKATA = ZoneInfo("Asia/Kolkata")


def prompts(h: Harness, user: str) -> list[dict]:
    return [m for m in h.fake.messages(f"D{user}") if "Time to check in" in json.dumps(m)]


def test_a_member_sets_shows_and_resets_their_working_hours(bot: Harness) -> None:
    setup_pack(bot)
    reply, _ = bot.side.command("/checkin", "hours", user=CY, channel=CHANNEL)
    text = reply.message()["text"]
    assert "09:30–18:00 on your pack's check-in days" not in text  # the days are named
    assert "09:30–18:00 on Mon–Fri" in text and "/checkin hours 08:00-16:00 mon-thu" in text
    reply, _ = bot.side.command("/checkin", "hours 11:00-19:00 mon-thu", user=CY, channel=CHANNEL)
    assert "11:00–19:00 on Mon–Thu" in reply.message()["text"]
    reply, _ = bot.side.command("/checkin", "hours", user=CY, channel=CHANNEL)
    assert "11:00–19:00 on Mon–Thu" in reply.message()["text"]
    reply, _ = bot.side.command("/checkin", "hours 9am till late", user=CY, channel=CHANNEL)
    assert "is not hours like 08:00-16:00" in reply.message()["text"]
    reply, _ = bot.side.command("/checkin", "hours <!channel>-x", user=CY, channel=CHANNEL)
    assert "<!channel>" not in reply.message()["text"]
    reply, _ = bot.side.command("/checkin", "hours default", user=CY, channel=CHANNEL)
    assert "Back to your packs' working hours" in reply.message()["text"]
    reply, _ = bot.side.command("/checkin", "hours", user=CY, channel=CHANNEL)
    assert "09:30–18:00 on Mon–Fri" in reply.message()["text"]
    # Hours are one's own: Bo's are untouched.
    reply, _ = bot.side.command("/checkin", "hours", user=BO, channel=CHANNEL)
    assert "09:30–18:00 on Mon–Fri" in reply.message()["text"]


def test_prompts_come_inside_the_hours_a_member_set(bot: Harness) -> None:
    setup_pack(bot, values={"members": [ANA, CY], "reminder": "0"})
    bot.side.command("/checkin", "hours 11:00-19:00 mon-thu", user=CY, channel=CHANNEL)
    # Thursday 3 December, in Kolkata: nothing at the pack's 09:30, the prompt at 11:00.
    thursday = dt.datetime(2026, 12, 3, 9, 30, tzinfo=KOLKATA)
    bot.wolfpack.ticker.tick(thursday)
    assert prompts(bot, CY) == []
    bot.wolfpack.ticker.tick(thursday.replace(hour=11))
    assert len(prompts(bot, CY)) == 1
    # Friday is not one of Cy's days: no prompt all day, and no "missed" round either.
    friday = dt.datetime(2026, 12, 4, 9, 30, tzinfo=KOLKATA)
    for hour in (9, 11, 15, 18):
        bot.wolfpack.ticker.tick(friday.replace(hour=hour))
    assert len(prompts(bot, CY)) == 1


def test_a_prompt_found_late_outside_working_hours_is_missed_not_sent(bot: Harness) -> None:
    setup_pack(bot, values={"members": [ANA, CY], "reminder": "0"})
    bot.side.command("/checkin", "hours 11:00-13:00", user=CY, channel=CHANNEL)
    # The bot was down from before 11:00 to 13:30 in Kolkata: within the late limit, but
    # Cy's working day is over, and the next one has its own round.
    report = bot.wolfpack.ticker.tick(dt.datetime(2026, 12, 3, 13, 30, tzinfo=KOLKATA))
    assert prompts(bot, CY) == []
    with bot.wolfpack.db.session() as s:
        states = {
            (r.state, r.last_error)
            for r in s.scalars(select(DeliveryRow).where(DeliveryRow.user_id == CY))
            if r.local_date == dt.date(2026, 12, 3)
        }
    assert states == {("missed", "outside_working_hours")}
    assert report.sent == 0
    # The next day's prompt comes at 11:00 as usual.
    bot.wolfpack.ticker.tick(dt.datetime(2026, 12, 4, 11, 0, tzinfo=KOLKATA))
    assert len(prompts(bot, CY)) == 1


def test_a_night_shift_is_prompted_when_its_night_starts_on_a_day_whose_morning_is_off(
    bot: Harness,
) -> None:
    setup_pack(bot, values={"members": [ANA, CY], "reminder": "0"})
    bot.side.command("/checkin", "hours 22:00-10:00 mon-fri", user=CY, channel=CHANNEL)
    # Monday 7 December, 09:30 in Kolkata, is the end of Sunday's night, which Cy does not
    # work: Monday's prompt comes when Monday's night starts, at 22:00, not missed.
    monday = dt.datetime(2026, 12, 7, 9, 30, tzinfo=KOLKATA)
    bot.wolfpack.ticker.tick(monday)
    assert prompts(bot, CY) == []
    bot.wolfpack.ticker.tick(monday.replace(hour=22, minute=0))
    assert len(prompts(bot, CY)) == 1
    # Tuesday's 09:30 is the end of Monday's night: the prompt comes then.
    bot.wolfpack.ticker.tick(dt.datetime(2026, 12, 8, 9, 30, tzinfo=KOLKATA))
    assert len(prompts(bot, CY)) == 2
    with bot.wolfpack.db.session() as s:
        states = {r.state for r in s.scalars(select(DeliveryRow).where(DeliveryRow.user_id == CY))}
    assert states == {"sent"}
