"""Check-in times: when a member's rounds fall, computed from IANA zone names with zoneinfo,
so a daylight-saving change never moves a local 09:30."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.core.packs import PackSettings, Person, TimezoneMode

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
    """The next prompt instant after `now` for this member, skipping days they are away."""
    zone = member_zone(settings, person)
    today = now.astimezone(zone).date()
    for ahead in range(_LOOKAHEAD_DAYS):
        day = today + dt.timedelta(days=ahead)
        if not is_checkin_day(settings, day):
            continue
        if person.away is not None and person.away.covers(day):
            continue
        at = local_checkin_at(settings, person, day)
        if at > now:
            return at
    return None
