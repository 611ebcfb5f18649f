"""Working hours: parsing what a member types, and the moments a direct message may go to
them, in their own clock, across weekends, nights and daylight-saving changes."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.core.delivery import Hold, held
from bot.core.errors import UserError
from bot.core.hours import Hours
from bot.core.packs import Away, PackSettings, Person
from bot.core.schedule import (
    DeliveryKey,
    Due,
    DueKind,
    IsoWeek,
    hours_of,
    in_hours,
    is_round_day,
    last_call_before,
    local_checkin_at,
    member_due,
    next_in_hours,
)

UTC = dt.UTC
KOLKATA = ZoneInfo("Asia/Kolkata")
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("08:00-16:00 mon-thu", "08:00-16:00 mon-thu"),
        ("8-16", "08:00-16:00"),
        ("08:30-17:00 mon,wed,fri", "08:30-17:00 mon,wed,fri"),
        ("9:00-17:30 Monday-Friday", "09:00-17:30 mon-fri"),
        ("07:00-15:00 sun-thu", "07:00-15:00 mon-thu,sun"),
        ("22:00-06:00 fri-mon", "22:00-06:00 mon,fri-sun"),
        ("10:00-24:00 sat", "10:00-24:00 sat"),
    ],
)
def test_hours_are_read_as_typed_and_written_back_the_same(text: str, written: str) -> None:
    hours = Hours.parse(text)
    assert str(hours) == written
    assert Hours.parse(str(hours)) == hours


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "Say which hours"),
        ("nine-five", "is not hours"),
        ("25:00-26:00", "is not hours"),
        ("08:00-08:30", "at least an hour"),
        ("08:00-16:00 funday", "is not a day"),
        ("08:00", "is not hours"),
    ],
)
def test_bad_hours_are_refused_with_an_example(text: str, says: str) -> None:
    with pytest.raises(UserError) as refused:
        Hours.parse(text)
    assert says in refused.value.message and "/checkin hours" in refused.value.message


def test_by_default_a_member_works_the_packs_days_from_check_in_to_six() -> None:
    settings = PackSettings()  # Mon-Fri at 09:30
    cy = Person("U1", "Cy", "Asia/Kolkata")
    assert str(hours_of(settings, cy)) == "09:30-18:00 mon-fri"
    friday = dt.datetime(2026, 12, 4, 17, 59, tzinfo=KOLKATA)
    assert in_hours(settings, cy, friday)
    assert not in_hours(settings, cy, friday + dt.timedelta(minutes=1))
    assert not in_hours(settings, cy, dt.datetime(2026, 12, 4, 9, 29, tzinfo=KOLKATA))
    assert not in_hours(settings, cy, dt.datetime(2026, 12, 5, 12, 0, tzinfo=KOLKATA))
    # Friday 16:00 in Berlin is 20:30 in Kolkata: the next working moment is Monday 09:30.
    after_summary = dt.datetime(2026, 12, 4, 16, 0, tzinfo=BERLIN)
    assert next_in_hours(settings, cy, after_summary) == dt.datetime(
        2026, 12, 7, 9, 30, tzinfo=KOLKATA
    )
    # A late check-in leaves two hours, past midnight when need be.
    late = PackSettings(checkin_time=dt.time(23, 0))
    assert str(hours_of(late, cy)) == "23:00-01:00 mon-fri"
    assert in_hours(late, cy, dt.datetime(2026, 12, 5, 0, 30, tzinfo=KOLKATA))  # Saturday
    assert not in_hours(late, cy, dt.datetime(2026, 12, 7, 0, 30, tzinfo=KOLKATA))  # Monday


def test_a_members_own_hours_move_their_prompt_and_limit_their_days() -> None:
    settings = PackSettings()  # Mon-Fri at 09:30
    early = Person("U1", "Eli", "Europe/Berlin", hours=Hours.parse("07:00-09:00 mon-thu"))
    thursday, friday = dt.date(2026, 12, 3), dt.date(2026, 12, 4)
    # 09:30 is after their day ends: the prompt comes when it starts.
    assert local_checkin_at(settings, early, thursday) == dt.datetime(
        2026, 12, 3, 7, 0, tzinfo=BERLIN
    )
    assert is_round_day(settings, early, thursday) and not is_round_day(settings, early, friday)
    # Hours without days keep the pack's days; a check-in time inside them stays.
    later = Person("U2", "Lu", "Europe/Berlin", hours=Hours.parse("09:00-17:00"))
    assert str(hours_of(settings, later)) == "09:00-17:00 mon-fri"
    assert local_checkin_at(settings, later, friday) == dt.datetime(
        2026, 12, 4, 9, 30, tzinfo=BERLIN
    )


def test_a_check_in_in_the_early_hours_of_a_night_off_moves_to_that_days_night() -> None:
    settings = PackSettings()  # Mon-Fri at 09:30
    nights = Person("U1", "Noa", "Asia/Kolkata", hours=Hours.parse("22:00-10:00 mon-fri"))
    monday, tuesday = dt.date(2026, 12, 7), dt.date(2026, 12, 8)
    # Monday 09:30 ends Sunday's night, not one of theirs: the round comes at Monday's 22:00.
    # Tuesday 09:30 ends Monday's night: it stays.
    assert local_checkin_at(settings, nights, monday) == dt.datetime(
        2026, 12, 7, 22, 0, tzinfo=KOLKATA
    )
    assert local_checkin_at(settings, nights, tuesday) == dt.datetime(
        2026, 12, 8, 9, 30, tzinfo=KOLKATA
    )
    for day in (monday, tuesday):
        assert in_hours(settings, nights, local_checkin_at(settings, nights, day))


def test_working_hours_follow_the_members_clock_through_a_clock_change() -> None:
    # Berlin moves its clocks back on 25 October 2026: 09:30 local is 07:30 UTC before, 08:30
    # after.
    settings = PackSettings()
    ana = Person("U1", "Ana", "Europe/Berlin")
    friday_night = dt.datetime(2026, 10, 23, 20, 0, tzinfo=UTC)
    assert next_in_hours(settings, ana, friday_night) == dt.datetime(
        2026, 10, 26, 8, 30, tzinfo=UTC
    )
    assert not in_hours(settings, ana, dt.datetime(2026, 10, 26, 8, 29, tzinfo=UTC))


def test_last_call_is_half_an_hour_before_the_last_working_hours_end() -> None:
    settings = PackSettings()
    ana = Person("U1", "Ana", "Europe/Berlin")
    sunday = dt.datetime(2026, 12, 6, 12, 0, tzinfo=BERLIN)
    assert last_call_before(settings, ana, sunday) == dt.datetime(
        2026, 12, 4, 17, 30, tzinfo=BERLIN
    )
    night = Person("U2", "Nox", "Europe/Berlin", hours=Hours.parse("22:00-06:00 mon-fri"))
    # Their Friday night ends on Saturday at 06:00.
    assert last_call_before(settings, night, sunday) == dt.datetime(
        2026, 12, 5, 5, 30, tzinfo=BERLIN
    )


def reminders(*args: Any, **kwargs: Any) -> list[Due]:
    return [d for d in member_due(*args, **kwargs) if d.kind is DueKind.REMINDER]


def test_a_reminder_waits_for_working_hours_or_is_dropped_past_the_late_limit() -> None:
    settings = PackSettings()  # reminders 120 min after the prompt, late limit 180 min
    ana = Person("U1", "Ana", "Europe/Berlin")
    monday = dt.date(2026, 12, 7)
    # Sent at 15:30: the reminder is due at 17:30, inside the day.
    sent = {monday: dt.datetime(2026, 12, 7, 15, 30, tzinfo=BERLIN)}
    (reminder,) = reminders(
        1, settings, ana, dt.datetime(2026, 12, 7, 17, 30, tzinfo=BERLIN), sent=sent
    )
    assert reminder.key == DeliveryKey.reminder(1, "U1", monday)
    # Sent at 17:00 (late, after downtime): 19:00 is outside, and the next morning is past
    # the late limit, so no reminder at all.
    sent = {monday: dt.datetime(2026, 12, 7, 17, 0, tzinfo=BERLIN)}
    for hour in (19, 23):
        now = dt.datetime(2026, 12, 7, hour, 0, tzinfo=BERLIN)
        assert reminders(1, settings, ana, now, sent=sent) == []
    # Hours of their own, 16:00 to 20:00: prompted at 16:00, reminded at 18:00.
    owl = Person("U1", "Ana", "Europe/Berlin", hours=Hours.parse("16:00-20:00"))
    sent = {monday: dt.datetime(2026, 12, 7, 16, 0, tzinfo=BERLIN)}
    (reminder,) = reminders(
        1, settings, owl, dt.datetime(2026, 12, 7, 18, 0, tzinfo=BERLIN), sent=sent
    )
    assert reminder.due_at == dt.datetime(2026, 12, 7, 18, 0, tzinfo=BERLIN)


def test_a_direct_message_outside_working_hours_waits_or_is_dropped() -> None:
    settings = PackSettings()
    cy = Person("U1", "Cy", "Asia/Kolkata")
    friday = dt.date(2026, 12, 4)
    evening = dt.datetime(2026, 12, 4, 20, 30, tzinfo=KOLKATA)
    monday = dt.datetime(2026, 12, 7, 9, 30, tzinfo=KOLKATA)
    wolf = Due(DeliveryKey.lone_wolf(1, "U1", IsoWeek(2026, 49)), friday, evening)
    assert held(wolf, settings, cy, evening) == Hold(monday)
    assert held(wolf, settings, cy, monday) is None
    # A prompt found at 20:30 after downtime: Monday is far past the late limit.
    prompt_at = dt.datetime(2026, 12, 4, 17, 45, tzinfo=KOLKATA)
    prompt = Due(DeliveryKey.prompt(1, "U1", friday), friday, prompt_at)
    assert held(prompt, settings, cy, evening) == Hold(None)
    # A proposal reminder whose next working moment is after the closing is dropped.
    reminder = Due(DeliveryKey.proposal_reminder(1, 4, "U1"), friday, evening)
    closes = dt.datetime(2026, 12, 5, 10, 0, tzinfo=KOLKATA)
    assert held(reminder, settings, cy, evening, deadline=closes) == Hold(None)
    # One that would leave under an hour to answer is not worth sending either.
    soon = monday + dt.timedelta(minutes=59)
    assert held(reminder, settings, cy, evening, deadline=soon) == Hold(None)
    assert held(reminder, settings, cy, evening, deadline=monday + dt.timedelta(hours=1)) == Hold(
        monday
    )


def test_a_direct_message_to_a_member_away_waits_until_they_are_back_and_in_hours() -> None:
    settings = PackSettings()
    # Away Wednesday 9 to Friday 11 December: back on Saturday, whose first working hours
    # are Monday's.
    cy = Person("U1", "Cy", "Asia/Kolkata", away=Away(dt.date(2026, 12, 9), dt.date(2026, 12, 11)))
    wednesday = dt.datetime(2026, 12, 9, 11, 0, tzinfo=KOLKATA)
    back = dt.datetime(2026, 12, 14, 9, 30, tzinfo=KOLKATA)
    wolf = Due(DeliveryKey.lone_wolf(1, "U1", IsoWeek(2026, 50)), wednesday.date(), wednesday)
    # Inside working hours, but away: the lone-wolf note waits, and says why.
    assert held(wolf, settings, cy, wednesday) == Hold(back, away=True)
    assert held(wolf, settings, cy, back) is None
    # A proposal reminder for a proposal that closes before they are back is dropped.
    reminder = Due(DeliveryKey.proposal_reminder(1, 4, "U1"), wednesday.date(), wednesday)
    closes = dt.datetime(2026, 12, 12, 10, 0, tzinfo=KOLKATA)
    assert held(reminder, settings, cy, wednesday, deadline=closes) == Hold(None, away=True)
    later = back + dt.timedelta(days=2)
    assert held(reminder, settings, cy, wednesday, deadline=later) == Hold(back, away=True)
    # The day after their time away they are no longer held for it.
    assert held(wolf, settings, cy, dt.datetime(2026, 12, 12, 11, 0, tzinfo=KOLKATA)) == Hold(
        back, away=False
    )
