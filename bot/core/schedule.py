"""Check-in times: when a member's rounds fall, computed from IANA zone names with zoneinfo,
so a daylight-saving change never moves a local 09:30."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.core.packs import PackSettings, Person, TimezoneMode, is_holiday

_LOOKAHEAD_DAYS = 400


def member_zone(settings: PackSettings, person: Person) -> ZoneInfo:
    name = settings.timezone if settings.timezone_mode is TimezoneMode.PACK else person.tz
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo(settings.timezone)


def is_checkin_day(settings: PackSettings, day: dt.date) -> bool:
    return day.weekday() in settings.checkin_days


def local_checkin_at(settings: PackSettings, person: Person, day: dt.date) -> dt.datetime:
    """The aware instant of the check-in on `day` in the member's zone. A time that does not
    exist that day (skipped by a clock change) resolves forward, as zoneinfo's fold=0 does."""
    zone = member_zone(settings, person)
    naive = dt.datetime.combine(day, settings.checkin_time)
    aware = naive.replace(tzinfo=zone)
    # Round-trip through UTC to normalise a wall time that falls in a spring-forward gap.
    return aware.astimezone(dt.UTC).astimezone(zone)


def current_round_date(settings: PackSettings, person: Person, now: dt.datetime) -> dt.date:
    """The local date of the round a member answers at `now`: the latest check-in day that has
    begun in their zone (today counts from midnight, so an early answer lands on today). When
    no check-in day is found within a year, today."""
    today = now.astimezone(member_zone(settings, person)).date()
    for back in range(8):
        day = today - dt.timedelta(days=back)
        if is_checkin_day(settings, day):
            return day
    return today


def next_checkin_at(settings: PackSettings, person: Person, now: dt.datetime) -> dt.datetime | None:
    """The next prompt instant after `now` for this member, skipping holidays and days away."""
    zone = member_zone(settings, person)
    today = now.astimezone(zone).date()
    for ahead in range(_LOOKAHEAD_DAYS):
        day = today + dt.timedelta(days=ahead)
        if not is_round_day(settings, person, day):
            continue
        at = local_checkin_at(settings, person, day)
        if at > now:
            return at
    return None


# --- what is due ---------------------------------------------------------------------------


class DueKind(enum.StrEnum):
    PROMPT = "prompt"
    REMINDER = "reminder"
    SUMMARY = "summary"
    PROPOSAL_REMINDER = "proposal-reminder"
    PROPOSAL_CLOSE = "proposal-close"
    LONE_WOLF = "lone-wolf"


@dataclass(frozen=True)
class Due:
    """One message the schedule says should go out, named by its idempotency key."""

    key: str
    kind: DueKind
    pack_id: int
    user_id: str | None
    local_date: dt.date
    due_at: dt.datetime


# How far back a plan looks: a day and a bit, so every due time since the last plan is seen
# however long the bot was down, and a late limit decides what is still sent.
LOOKBACK = dt.timedelta(hours=30)


def is_round_day(settings: PackSettings, person: Person, day: dt.date) -> bool:
    """A day this member is prompted: a check-in day of their own calendar, not a pack
    holiday, and not inside their away period."""
    if not is_checkin_day(settings, day) or is_holiday(settings, day):
        return False
    return person.away is None or not person.away.covers(day)


def member_due(pack_id: int, settings: PackSettings, person: Person, now: dt.datetime) -> list[Due]:
    """The prompts and reminders of one member whose time came in the last LOOKBACK."""
    zone = member_zone(settings, person)
    today = now.astimezone(zone).date()
    found: list[Due] = []
    for back in (2, 1, 0):
        day = today - dt.timedelta(days=back)
        if not is_round_day(settings, person, day):
            continue
        at = local_checkin_at(settings, person, day)
        times = [(DueKind.PROMPT, at)]
        if settings.reminder_minutes > 0:
            times.append((DueKind.REMINDER, at + dt.timedelta(minutes=settings.reminder_minutes)))
        for kind, when in times:
            if when <= now and now - when <= LOOKBACK:
                key = f"{kind.value}:{pack_id}:{person.user_id}:{day.isoformat()}"
                found.append(Due(key, kind, pack_id, person.user_id, day, when))
    return found


def summary_due(pack_id: int, settings: PackSettings, now: dt.datetime) -> Due | None:
    """The pack's weekly summary when its time came in the last LOOKBACK."""
    zone = ZoneInfo(settings.timezone)
    today = now.astimezone(zone).date()
    for back in range(2):
        day = today - dt.timedelta(days=back)
        if day.weekday() != settings.summary_day:
            continue
        at = dt.datetime.combine(day, settings.summary_time).replace(tzinfo=zone)
        at = at.astimezone(dt.UTC).astimezone(zone)
        if at <= now and now - at <= LOOKBACK:
            year, week, _ = day.isocalendar()
            key = f"summary:{pack_id}:{year}-W{week:02d}"
            return Due(key, DueKind.SUMMARY, pack_id, None, day, at)
    return None


def round_opens_at(settings: PackSettings, person: Person, day: dt.date) -> dt.datetime | None:
    """When a member's round of `day` opens (their prompt time), or None when that day has no
    round for them. The previous round's answers can be edited until then."""
    if not is_round_day(settings, person, day):
        return None
    return local_checkin_at(settings, person, day)


PROPOSAL_REMINDER_BEFORE = dt.timedelta(hours=4)


def proposal_due(
    pack_id: int, proposal_id: int, closes_at: dt.datetime, now: dt.datetime
) -> list[Due]:
    """A proposal's reminder (4 h before it closes, to those who have not answered) and its
    closing, once their time has come. Closing is never dropped for being late."""
    found: list[Due] = []
    reminder_at = closes_at - PROPOSAL_REMINDER_BEFORE
    day = closes_at.date()
    if reminder_at <= now < closes_at:
        key = f"{DueKind.PROPOSAL_REMINDER.value}:{pack_id}:{proposal_id}"
        found.append(Due(key, DueKind.PROPOSAL_REMINDER, pack_id, None, day, reminder_at))
    if closes_at <= now:
        key = f"{DueKind.PROPOSAL_CLOSE.value}:{pack_id}:{proposal_id}"
        found.append(Due(key, DueKind.PROPOSAL_CLOSE, pack_id, None, day, closes_at))
    return found
