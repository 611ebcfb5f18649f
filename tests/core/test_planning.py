"""What the schedule says is due, checked over whole weeks around daylight-saving changes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.core.delivery import DeliveryState, SendError, initial_state, next_attempt
from bot.core.errors import FieldErrors
from bot.core.hours import Hours
from bot.core.packs import Away, PackSettings, Person
from bot.core.schedule import DeliveryKey, Due, DueKind, member_due, summary_due

UTC = dt.UTC
ZONES = ("America/Los_Angeles", "Europe/Berlin", "Asia/Kolkata", "Pacific/Auckland")


def first_seen(
    settings: PackSettings, person: Person, start: dt.datetime, end: dt.datetime, step: dt.timedelta
) -> dict[DeliveryKey, tuple[dt.datetime, dt.datetime]]:
    """Plans every `step` like the tick does; each key's due time and when it was first seen."""
    seen: dict[DeliveryKey, tuple[dt.datetime, dt.datetime]] = {}
    now = start
    while now < end:
        for due in member_due(1, settings, person, now):
            seen.setdefault(due.key, (due.due_at, now))
        now += step
    return seen


@pytest.mark.parametrize("tz", ZONES)
def test_prompts_at_0930_local_on_weekdays_through_both_clock_changes(tz: str) -> None:
    # 2026: the US changes clocks on 8 March, the EU on 29 March, New Zealand on 5 April.
    settings = PackSettings(reminder_minutes=0)
    person = Person("U1", "Ana", tz)
    start, end = dt.datetime(2026, 3, 1, tzinfo=UTC), dt.datetime(2026, 4, 13, tzinfo=UTC)
    step = dt.timedelta(minutes=5)
    seen = first_seen(settings, person, start, end, step)
    zone = ZoneInfo(tz)
    prompted_days = set()
    for key, (due_at, found_at) in seen.items():
        local = due_at.astimezone(zone)
        assert (local.hour, local.minute) == (9, 30), (key, local)
        assert local.weekday() < 5, (key, local)
        assert dt.timedelta(0) <= found_at - due_at < step
        prompted_days.add(local.date())
    weekdays = {
        d
        for d in (dt.date(2026, 3, 2) + dt.timedelta(days=i) for i in range(40))
        if d.weekday() < 5
    }
    assert weekdays <= prompted_days


def test_holidays_and_away_days_get_no_prompt() -> None:
    settings = PackSettings(
        reminder_minutes=0, holiday_country="DE", holiday_dates=frozenset({dt.date(2026, 12, 29)})
    )
    person = Person(
        "U1", "Ana", "Europe/Berlin", away=Away(dt.date(2026, 12, 30), dt.date(2026, 12, 31))
    )
    seen = first_seen(
        settings,
        person,
        dt.datetime(2026, 12, 21, tzinfo=UTC),
        dt.datetime(2027, 1, 5, tzinfo=UTC),
        dt.timedelta(minutes=30),
    )
    days = sorted(due.astimezone(ZoneInfo("Europe/Berlin")).date() for due, _ in seen.values())
    # 25 and 26 Dec are German holidays (26th is a Saturday anyway), 1 Jan too; the 29th is the
    # pack's own holiday; the 30th and 31st the member is away.
    assert days == [dt.date(2026, 12, d) for d in (21, 22, 23, 24, 28)] + [dt.date(2027, 1, 4)]


def test_reminders_follow_the_delivered_prompt_by_the_pack_delay() -> None:
    settings = PackSettings(reminder_minutes=120)
    person = Person("U1", "Ana", "Europe/Berlin")
    day = dt.date(2026, 12, 1)
    at_1100 = dt.datetime(2026, 12, 1, 11, 0, tzinfo=UTC)
    sent = {day: dt.datetime(2026, 12, 1, 8, 31, tzinfo=UTC)}

    def that_day(dues: list[Due]) -> list[Due]:
        return [d for d in dues if d.local_date == day]

    kinds = {d.kind: d for d in that_day(member_due(1, settings, person, at_1100, sent=sent))}
    assert kinds[DueKind.PROMPT].due_at == dt.datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    assert kinds[DueKind.REMINDER].due_at == dt.datetime(2026, 12, 1, 10, 31, tzinfo=UTC)
    assert kinds[DueKind.REMINDER].key == DeliveryKey.reminder(1, "U1", day)
    assert str(kinds[DueKind.REMINDER].key) == "reminder:1:U1:2026-12-01"
    # A prompt never delivered (missed while the bot was down, or failed) has no reminder.
    assert [d.kind for d in that_day(member_due(1, settings, person, at_1100))] == [DueKind.PROMPT]
    # One delivered 2 h 30 late is followed two hours after it went out, not at once.
    late = {day: dt.datetime(2026, 12, 1, 11, 0, tzinfo=UTC)}
    assert [d.kind for d in that_day(member_due(1, settings, person, at_1100, sent=late))] == [
        DueKind.PROMPT
    ]
    (reminder,) = [
        d
        for d in member_due(1, settings, person, at_1100 + dt.timedelta(hours=2), sent=late)
        if d.kind is DueKind.REMINDER
    ]
    assert reminder.due_at == dt.datetime(2026, 12, 1, 13, 0, tzinfo=UTC)


def test_no_prompt_is_owed_for_a_round_before_the_pack_or_the_member() -> None:
    """Set up on Saturday 5 Dec at 15:00 in Berlin: Thursday's and Friday's rounds, which the
    plan looks back to, were before the pack; Monday's is the first."""
    settings = PackSettings(reminder_minutes=0)
    person = Person("U1", "Ana", "Europe/Berlin")
    since = dt.datetime(2026, 12, 5, 14, 0, tzinfo=UTC)
    saturday = dt.datetime(2026, 12, 5, 14, 1, tzinfo=UTC)
    assert member_due(1, settings, person, saturday) != []
    assert member_due(1, settings, person, saturday, since=since) == []
    monday = dt.datetime(2026, 12, 7, 8, 30, tzinfo=UTC)
    (due,) = member_due(1, settings, person, monday, since=since)
    assert due.local_date == dt.date(2026, 12, 7)
    # Joined at 10:00 on a Tuesday: that day's 09:30 round had opened already.
    joined = dt.datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
    tuesday = dt.datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
    assert member_due(1, settings, person, tuesday, since=joined) == []


def test_the_weekly_summary_is_due_once_a_week_in_the_pack_timezone() -> None:
    settings = PackSettings(timezone="America/New_York")
    before = summary_due(1, settings, dt.datetime(2026, 12, 4, 20, 59, tzinfo=UTC))
    assert before is None or str(before.key) != "summary:1:2026-W49"
    due = summary_due(1, settings, dt.datetime(2026, 12, 4, 21, 0, tzinfo=UTC))
    assert due is not None and str(due.key) == "summary:1:2026-W49"
    assert due.due_at == dt.datetime(2026, 12, 4, 16, 0, tzinfo=ZoneInfo("America/New_York"))


def test_late_prompts_are_missed_and_errors_decide_retries() -> None:
    settings = PackSettings()
    person = Person("U1", "Ana", "Europe/Berlin")
    limit = dt.timedelta(hours=3)
    at_1015 = dt.datetime(2026, 12, 1, 9, 15, tzinfo=UTC)
    (due,) = [d for d in member_due(1, settings, person, at_1015) if d.local_date.day == 1]
    assert initial_state(due, at_1015, limit) is DeliveryState.PENDING
    assert (
        initial_state(due, dt.datetime(2026, 12, 1, 12, 0, tzinfo=UTC), limit)
        is DeliveryState.MISSED
    )
    now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    limited = next_attempt(SendError("ratelimited", retry_after=2), 1, now, now)
    assert limited == now + dt.timedelta(seconds=2)
    assert next_attempt(SendError("user_not_found"), 1, now, now) is None
    # Transient errors: 15 s doubling, then every 5 minutes, for as long as it is worth sending.
    delays = [next_attempt(SendError("http_500"), n, now, now) for n in range(1, 9)]
    assert [d - now for d in delays if d] == [
        dt.timedelta(seconds=s) for s in (15, 30, 60, 120, 240, 300, 300, 300)
    ]
    day = dt.timedelta(days=1)
    assert next_attempt(SendError("http_500"), 40, now, now - day + dt.timedelta(minutes=5))
    assert next_attempt(SendError("http_500"), 40, now, now - day) is None
    assert next_attempt(SendError("ratelimited", retry_after=60), 1, now, now - day) is None


def test_bad_holiday_country_is_refused() -> None:
    with pytest.raises(FieldErrors) as raised:
        PackSettings(holiday_country="XX").validated()
    assert "holiday_country" in raised.value.errors


def test_rounds_open_at_the_prompt_time_and_not_on_days_off() -> None:
    from bot.core.schedule import round_opens_at

    settings = PackSettings(holiday_dates=frozenset({dt.date(2026, 12, 2)}))
    person = Person("U1", "Ana", "Asia/Kolkata")
    assert round_opens_at(settings, person, dt.date(2026, 12, 1)) == dt.datetime(
        2026, 12, 1, 9, 30, tzinfo=ZoneInfo("Asia/Kolkata")
    )
    assert round_opens_at(settings, person, dt.date(2026, 12, 2)) is None
    assert round_opens_at(settings, person, dt.date(2026, 12, 5)) is None


def test_proposals_remind_four_hours_before_and_close_on_time() -> None:
    from bot.core.schedule import proposal_due

    settings = PackSettings(checkin_time=dt.time(8, 0))  # working hours 08:00-18:00
    u1, u2 = Person("U1", "Ana", "UTC"), Person("U2", "Ben", "UTC")
    closes = dt.datetime(2026, 12, 3, 15, 0, tzinfo=UTC)  # a Thursday
    assert proposal_due(1, 9, closes, closes - dt.timedelta(hours=5), settings, [u1]) == []
    reminders = proposal_due(1, 9, closes, closes - dt.timedelta(hours=3), settings, [u1, u2])
    assert [(r.kind, str(r.key), r.user_id, r.proposal_id, r.due_at) for r in reminders] == [
        (DueKind.PROPOSAL_REMINDER, "proposal-reminder:1:9:U1", "U1", 9, closes - FOUR_HOURS),
        (DueKind.PROPOSAL_REMINDER, "proposal-reminder:1:9:U2", "U2", 9, closes - FOUR_HOURS),
    ]
    assert proposal_due(1, 9, closes, closes - dt.timedelta(hours=3), settings, []) == []
    (closing,) = proposal_due(1, 9, closes, closes + dt.timedelta(days=2), settings, [u1])
    assert (closing.kind, str(closing.key), closing.due_at, closing.user_id) == (
        DueKind.PROPOSAL_CLOSE,
        "proposal-close:1:9",
        closes,
        None,
    )


FOUR_HOURS = dt.timedelta(hours=4)


def test_a_proposal_reminder_comes_inside_the_members_working_hours() -> None:
    from bot.core.schedule import proposal_reminder_at

    settings = PackSettings()  # Mon-Fri, 09:30 to 18:00 in each member's own clock
    ana = Person("U1", "Ana", "UTC")
    # Due at 06:30 on a Thursday: it waits for 09:30, an hour before the 10:30 closing.
    closes = dt.datetime(2026, 12, 3, 10, 30, tzinfo=UTC)
    assert proposal_reminder_at(settings, ana, closes) == dt.datetime(
        2026, 12, 3, 9, 30, tzinfo=UTC
    )
    # Closing on a Saturday morning: the reminder goes late on Friday, before working hours
    # end, not at 06:00 on Saturday.
    saturday = dt.datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    assert proposal_reminder_at(settings, ana, saturday) == dt.datetime(
        2026, 12, 4, 17, 30, tzinfo=UTC
    )
    # In Auckland that Saturday 10:00 UTC is 23:00 Saturday; the Friday working day there
    # ended at 18:00 NZDT: the reminder goes at 17:30 NZDT.
    kiri = Person("U3", "Kiri", "Pacific/Auckland")
    assert proposal_reminder_at(settings, kiri, saturday) == dt.datetime(
        2026, 12, 4, 17, 30, tzinfo=ZoneInfo("Pacific/Auckland")
    )
    # Closing at 10:00 leaves half an hour after the working day starts: too little, so the
    # reminder goes near the end of the day before.
    assert proposal_reminder_at(
        settings, ana, dt.datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    ) == dt.datetime(2026, 12, 2, 17, 30, tzinfo=UTC)
    # Someone who set their own hours to mornings only is reminded in them.
    early = Person("U4", "Eli", "UTC", hours=Hours.parse("06:00-12:00 mon-fri"))
    assert proposal_reminder_at(settings, early, closes) == dt.datetime(
        2026, 12, 3, 6, 30, tzinfo=UTC
    )
