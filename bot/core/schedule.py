"""Check-in times: when a member's rounds fall, computed from IANA zone names with zoneinfo,
so a daylight-saving change never moves a local 09:30; and what is due, each scheduled message
named by its delivery key."""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.hours import DEFAULT_END, Hours
from bot.core.packs import Member, Pack, PackSettings, Person, TimezoneMode, is_holiday

_LOOKAHEAD_DAYS = 400


def member_zone(settings: PackSettings, person: Person) -> ZoneInfo:
    name = settings.timezone if settings.timezone_mode is TimezoneMode.PACK else person.tz
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo(settings.timezone)


def is_checkin_day(settings: PackSettings, day: dt.date) -> bool:
    return day.weekday() in settings.checkin_days


def _at(zone: ZoneInfo, day: dt.date, time: dt.time) -> dt.datetime:
    """The aware instant of a wall time on `day` in `zone`. A time that does not exist that day
    (skipped by a clock change) resolves forward, as zoneinfo's fold=0 does."""
    aware = dt.datetime.combine(day, time).replace(tzinfo=zone)
    # Round-trip through UTC to normalise a wall time that falls in a spring-forward gap.
    return aware.astimezone(dt.UTC).astimezone(zone)


def hours_of(settings: PackSettings, person: Person) -> Hours:
    """A member's working hours, days included: their own, or by default their pack's
    check-in days from its check-in time to 18:00 (two hours from a check-in at 16:00 or
    later, past midnight if need be)."""
    own = person.hours
    if own is not None:
        return own if own.days is not None else Hours(own.start, own.end, settings.checkin_days)
    start = settings.checkin_time
    end = DEFAULT_END
    if start >= dt.time(16, 0):
        end = (dt.datetime.combine(dt.date.min, start) + dt.timedelta(hours=2)).time()
    return Hours(start, end, settings.checkin_days)


def local_checkin_at(settings: PackSettings, person: Person, day: dt.date) -> dt.datetime:
    """The aware instant of the check-in on `day` in the member's zone: the pack's check-in
    time, moved to the start of the member's own working hours that day when it falls outside
    them (a night's early hours belong to the night before, which may be no working day)."""
    zone = member_zone(settings, person)
    at = _at(zone, day, settings.checkin_time)
    own = person.hours
    if own is not None and not in_hours(settings, person, at):
        at = _at(zone, day, own.start)
    return at


def in_hours(settings: PackSettings, person: Person, at: dt.datetime) -> bool:
    """Whether `at` falls inside the member's working hours, in their own clock."""
    hours = hours_of(settings, person)
    assert hours.days is not None  # hours_of fills them in
    local = at.astimezone(member_zone(settings, person))
    time, day = local.time(), local.weekday()
    if hours.overnight:
        return (day in hours.days and time >= hours.start) or (
            (day - 1) % 7 in hours.days and time < hours.end
        )
    return day in hours.days and hours.start <= time < hours.end


def next_in_hours(settings: PackSettings, person: Person, at: dt.datetime) -> dt.datetime | None:
    """The first moment from `at` inside the member's working hours (`at` itself when it is
    inside them)."""
    if in_hours(settings, person, at):
        return at
    hours = hours_of(settings, person)
    assert hours.days is not None
    zone = member_zone(settings, person)
    today = at.astimezone(zone).date()
    for ahead in range(8):
        day = today + dt.timedelta(days=ahead)
        if day.weekday() in hours.days and (opens := _at(zone, day, hours.start)) > at:
            return opens
    return None


# A message that must go before a deadline and cannot wait for the next working hours goes
# this long before the end of the last working hours before it.
LAST_CALL = dt.timedelta(minutes=30)


def last_call_before(settings: PackSettings, person: Person, at: dt.datetime) -> dt.datetime | None:
    """The moment in the member's last working hours before `at` (which is outside them):
    LAST_CALL before those hours end, or their start when they are shorter."""
    hours = hours_of(settings, person)
    assert hours.days is not None
    zone = member_zone(settings, person)
    today = at.astimezone(zone).date()
    for back in range(9):
        day = today - dt.timedelta(days=back)
        if day.weekday() not in hours.days:
            continue
        opens = _at(zone, day, hours.start)
        ends = _at(zone, day + dt.timedelta(days=hours.overnight), hours.end)
        if ends <= at:
            return max(opens, ends - LAST_CALL)
    return None


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
    BLOCKER_FOLLOW_UP = "blocker-follow-up"


_DIGITS = re.compile(r"[0-9]+")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WEEK = re.compile(r"([0-9]+)-W([0-9]{2})")


def _number(text: str) -> int:
    if not _DIGITS.fullmatch(text):
        raise ValueError(f"not a number: {text!r}")
    return int(text)


@dataclass(frozen=True)
class IsoWeek:
    """An ISO 8601 week, written `2026-W49`."""

    year: int
    week: int

    def __post_init__(self) -> None:
        if type(self.year) is not int or type(self.week) is not int:
            raise ValueError(f"not an ISO week: {self.year!r}, {self.week!r}")
        # Raises ValueError for a week the year does not have (most years have no week 53).
        dt.date.fromisocalendar(self.year, self.week, 1)

    @classmethod
    def of(cls, day: dt.date) -> IsoWeek:
        year, week, _ = day.isocalendar()
        return cls(year, week)

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        found = _WEEK.fullmatch(text)
        if found is None:
            raise ValueError(f"not an ISO week: {text!r}")
        parsed = cls(int(found[1]), int(found[2]))
        if str(parsed) != text:
            raise ValueError(f"not an ISO week as Wolfpack writes it: {text!r}")
        return parsed

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"


def _day(text: str) -> dt.date:
    if not _DAY.fullmatch(text):
        raise ValueError(f"not a date: {text!r}")
    return dt.date.fromisoformat(text)


# The parts each kind's key names after its pack, in the order they are written.
_PARTS: dict[DueKind, tuple[str, ...]] = {
    DueKind.PROMPT: ("user_id", "day"),
    DueKind.REMINDER: ("user_id", "day"),
    DueKind.SUMMARY: ("week",),
    DueKind.PROPOSAL_REMINDER: ("proposal_id", "user_id"),
    DueKind.PROPOSAL_CLOSE: ("proposal_id",),
    DueKind.LONE_WOLF: ("user_id", "week"),
    DueKind.BLOCKER_FOLLOW_UP: ("blocker_id", "user_id"),
}
_READERS: dict[str, Callable[[str], object]] = {
    "user_id": str,
    "day": _day,
    "week": IsoWeek.parse,
    "proposal_id": _number,
    "blocker_id": _number,
}


@dataclass(frozen=True)
class DeliveryKey:
    """The idempotency key of one scheduled message: unique in the delivery queue, so a
    message planned twice (by a second tick, a second process, a restart) is queued once.

    Written `kind:pack:parts`, the parts each kind needs:

        prompt:7:U123:2026-12-01            reminder:7:U123:2026-12-01
        summary:7:2026-W49                  lone-wolf:7:U123:2026-W49
        proposal-close:7:42                 proposal-reminder:7:42:U123
        blocker-follow-up:7:42:U123

    Rows already queued hold these strings, so the format never changes; `parse` reads back
    exactly what `str` writes and refuses anything else."""

    kind: DueKind
    pack_id: int
    user_id: str | None = None
    day: dt.date | None = None
    week: IsoWeek | None = None
    proposal_id: int | None = None
    blocker_id: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.kind, DueKind):
            raise ValueError(f"not a kind of delivery: {self.kind!r}")
        parts = _PARTS[self.kind]
        for name in _READERS:
            if (getattr(self, name) is not None) != (name in parts):
                needs = ", ".join(parts)
                raise ValueError(f"a {self.kind} key names its pack and {needs}, no more")
        for number in (self.pack_id, self.proposal_id, self.blocker_id):
            if number is not None and (type(number) is not int or number < 0):
                raise ValueError(f"not an id: {number!r}")
        if self.user_id is not None and (not self.user_id or ":" in self.user_id):
            raise ValueError(f"not a user id: {self.user_id!r}")
        if self.day is not None and type(self.day) is not dt.date:
            raise ValueError(f"not a date: {self.day!r}")
        if self.week is not None and not isinstance(self.week, IsoWeek):
            raise ValueError(f"not an ISO week: {self.week!r}")

    @classmethod
    def prompt(cls, pack_id: int, user_id: str, day: dt.date) -> DeliveryKey:
        return cls(DueKind.PROMPT, pack_id, user_id=user_id, day=day)

    @classmethod
    def reminder(cls, pack_id: int, user_id: str, day: dt.date) -> DeliveryKey:
        return cls(DueKind.REMINDER, pack_id, user_id=user_id, day=day)

    @classmethod
    def summary(cls, pack_id: int, week: IsoWeek) -> DeliveryKey:
        return cls(DueKind.SUMMARY, pack_id, week=week)

    @classmethod
    def proposal_reminder(cls, pack_id: int, proposal_id: int, user_id: str) -> DeliveryKey:
        return cls(DueKind.PROPOSAL_REMINDER, pack_id, user_id=user_id, proposal_id=proposal_id)

    @classmethod
    def proposal_close(cls, pack_id: int, proposal_id: int) -> DeliveryKey:
        return cls(DueKind.PROPOSAL_CLOSE, pack_id, proposal_id=proposal_id)

    @classmethod
    def lone_wolf(cls, pack_id: int, user_id: str, week: IsoWeek) -> DeliveryKey:
        return cls(DueKind.LONE_WOLF, pack_id, user_id=user_id, week=week)

    @classmethod
    def blocker_follow_up(cls, pack_id: int, blocker_id: int, user_id: str) -> DeliveryKey:
        return cls(DueKind.BLOCKER_FOLLOW_UP, pack_id, user_id=user_id, blocker_id=blocker_id)

    @classmethod
    def parse(cls, text: str) -> DeliveryKey:
        """The key `text` writes; ValueError unless `text` is a key exactly as `str` writes
        it."""
        kind_text, *rest = text.split(":")
        try:
            kind = DueKind(kind_text)
        except ValueError:
            raise ValueError(f"not a delivery key: {text!r}") from None
        names = _PARTS[kind]
        if len(rest) != 1 + len(names):
            raise ValueError(f"a {kind} key has {1 + len(names)} parts after its kind: {text!r}")
        parts: dict[str, Any] = {
            name: _READERS[name](part) for name, part in zip(names, rest[1:], strict=True)
        }
        key = cls(kind, _number(rest[0]), **parts)
        if str(key) != text:
            raise ValueError(f"not a delivery key as Wolfpack writes it: {text!r}")
        return key

    def __str__(self) -> str:
        parts = (getattr(self, name) for name in _PARTS[self.kind])
        return ":".join([self.kind.value, str(self.pack_id), *map(str, parts)])


@dataclass(frozen=True)
class Due:
    """One message the schedule says should go out, named by its idempotency key: the key
    says what it is, for which pack and whom; `local_date` is the day it belongs to."""

    key: DeliveryKey
    local_date: dt.date
    due_at: dt.datetime

    @property
    def kind(self) -> DueKind:
        return self.key.kind

    @property
    def pack_id(self) -> int:
        return self.key.pack_id

    @property
    def user_id(self) -> str | None:
        """The member the message goes to; None for the pack's own (a summary, a closing)."""
        return self.key.user_id

    @property
    def proposal_id(self) -> int | None:
        return self.key.proposal_id


# How far back a plan looks: a day and a bit, so every due time since the last plan is seen
# however long the bot was down, and a late limit decides what is still sent.
LOOKBACK = dt.timedelta(hours=30)


def is_round_day(settings: PackSettings, person: Person, day: dt.date) -> bool:
    """A day this member is prompted: a check-in day of their own calendar, one of their own
    working days when they set them, not a pack holiday, and not inside their away period."""
    if not is_checkin_day(settings, day) or is_holiday(settings, day):
        return False
    own = person.hours
    if own is not None and own.days is not None and day.weekday() not in own.days:
        return False
    return person.away is None or not person.away.covers(day)


def owed_since(pack: Pack, member: Member) -> dt.datetime | None:
    """The moment from which a member is owed prompts: the later of the pack's setting up and
    the member's joining."""
    known = [at for at in (pack.created_at, member.joined_at) if at is not None]
    return max(known) if known else None


def member_due(
    pack_id: int,
    settings: PackSettings,
    person: Person,
    now: dt.datetime,
    *,
    since: dt.datetime | None = None,
    sent: Mapping[dt.date, dt.datetime] | None = None,
) -> list[Due]:
    """The prompts and reminders of one member whose time came in the last LOOKBACK.

    A prompt is due at the member's check-in time, for rounds that open at `since` (when the
    pack was set up, or the member joined) or later: nothing is owed for a time before them.
    A reminder follows a prompt that was delivered (`sent`: when, by round day), the pack's
    reminder delay after its actual delivery: a prompt sent late is not chased at once, and
    a prompt never sent (missed, failed) has no reminder. A reminder that would fall outside
    the member's working hours waits for them, unless that is past the late limit."""
    zone = member_zone(settings, person)
    today = now.astimezone(zone).date()
    delay = dt.timedelta(minutes=settings.reminder_minutes)
    late_limit = dt.timedelta(minutes=settings.late_limit_minutes)
    found: list[Due] = []
    for back in (2, 1, 0):
        day = today - dt.timedelta(days=back)
        if not is_round_day(settings, person, day):
            continue
        at = local_checkin_at(settings, person, day)
        keys = []
        if since is None or at >= since:
            keys.append((DeliveryKey.prompt(pack_id, person.user_id, day), at))
        delivered = (sent or {}).get(day)
        if delay and delivered is not None:
            # Inside the member's working hours, or not at all once they are too far off.
            wanted = delivered + delay
            reminder_at = next_in_hours(settings, person, wanted)
            if reminder_at is not None and reminder_at - wanted <= late_limit:
                keys.append((DeliveryKey.reminder(pack_id, person.user_id, day), reminder_at))
        for key, when in keys:
            if when <= now and now - when <= LOOKBACK:
                found.append(Due(key, day, when))
    return found


def summary_due(
    pack_id: int, settings: PackSettings, now: dt.datetime, *, since: dt.datetime | None = None
) -> Due | None:
    """The pack's weekly summary when its time came in the last LOOKBACK, and after `since`
    (when the pack was set up): a pack set up after its summary slot has no summary of a
    week it did not live."""
    zone = ZoneInfo(settings.timezone)
    today = now.astimezone(zone).date()
    for back in range(2):
        day = today - dt.timedelta(days=back)
        if day.weekday() != settings.summary_day:
            continue
        at = dt.datetime.combine(day, settings.summary_time).replace(tzinfo=zone)
        at = at.astimezone(dt.UTC).astimezone(zone)
        if at <= now and now - at <= LOOKBACK and (since is None or at >= since):
            return Due(DeliveryKey.summary(pack_id, IsoWeek.of(day)), day, at)
    return None


def round_opens_at(settings: PackSettings, person: Person, day: dt.date) -> dt.datetime | None:
    """When a member's round of `day` opens (their prompt time), or None when that day has no
    round for them. The previous round's answers can be edited until then."""
    if not is_round_day(settings, person, day):
        return None
    return local_checkin_at(settings, person, day)


PROPOSAL_REMINDER_BEFORE = dt.timedelta(hours=4)
# A reminder that would leave less than this before its deadline is not sent.
SHORTEST_NOTICE = dt.timedelta(hours=1)


def proposal_reminder_at(
    settings: PackSettings, person: Person, closes_at: dt.datetime
) -> dt.datetime | None:
    """When a member is reminded of a proposal: PROPOSAL_REMINDER_BEFORE its closing, or the
    first moment of their working hours after that while it leaves SHORTEST_NOTICE to
    answer, or else near the end of their last working hours before it (None when they have
    none)."""
    wanted = closes_at - PROPOSAL_REMINDER_BEFORE
    at = next_in_hours(settings, person, wanted)
    if at is not None and at <= closes_at - SHORTEST_NOTICE:
        return at
    return last_call_before(settings, person, wanted)


def proposal_due(
    pack_id: int,
    proposal_id: int,
    closes_at: dt.datetime,
    now: dt.datetime,
    settings: PackSettings,
    unanswered: Iterable[Person],
) -> list[Due]:
    """A proposal's reminders (one to each member in `unanswered`, who have not taken a
    position, at proposal_reminder_at) and its closing, once their time has come. Closing is
    never dropped for being late."""
    found: list[Due] = []
    day = closes_at.date()
    if now < closes_at:
        for person in unanswered:
            at = proposal_reminder_at(settings, person, closes_at)
            if at is not None and at <= now:
                key = DeliveryKey.proposal_reminder(pack_id, proposal_id, person.user_id)
                found.append(Due(key, day, at))
    if closes_at <= now:
        found.append(Due(DeliveryKey.proposal_close(pack_id, proposal_id), day, closes_at))
    return found
