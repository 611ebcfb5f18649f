"""Packs, their members and their settings."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import re
from dataclasses import dataclass, fields, replace
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import holidays

from bot.core.errors import FieldErrors
from bot.core.hours import Hours

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
QUESTION_MAX = 150
TEXT_ANSWER_MAX = 1500
PRIORITY_MAX = 280
MAX_EXTRA_QUESTIONS = 5


class Role(enum.StrEnum):
    ADMIN = "admin"
    MEMBER = "member"


class TimezoneMode(enum.StrEnum):
    MEMBER = "member"
    PACK = "pack"


class QuestionKind(enum.StrEnum):
    TEXT = "text"
    # Written, and whoever it @mentions is who the member worked with (their collaborators).
    PROGRESS = "progress"
    BLOCKERS = "blockers"
    COLLABORATORS = "collaborators"
    ALIGNMENT = "alignment"
    PRIORITY = "priority"


@dataclass(frozen=True)
class Question:
    key: str
    kind: QuestionKind
    label: str
    required: bool


# The default check-in: four inputs, done in under a minute. Who the member worked with comes
# from the @mentions in what moved forward, not from a question of its own.
DEFAULT_QUESTIONS: tuple[Question, ...] = (
    Question(
        "progress",
        QuestionKind.PROGRESS,
        "What did you move forward since the last check-in?",
        True,
    ),
    Question("focus", QuestionKind.TEXT, "What will you focus on next?", True),
    Question("blockers", QuestionKind.BLOCKERS, "Anything blocking you?", False),
    Question(
        "alignment",
        QuestionKind.ALIGNMENT,
        "How aligned do you feel with where the project is heading?",
        True,
    ),
)
# Questions an admin can add to the check-in in the setup form.
OPTIONAL_QUESTIONS: tuple[Question, ...] = (
    Question(
        "collaborators",
        QuestionKind.COLLABORATORS,
        "Who are you working with on it?",
        False,
    ),
    Question(
        "priority",
        QuestionKind.PRIORITY,
        "What should the team's top priority be right now?",
        False,
    ),
)
PRIORITY_QUESTION = OPTIONAL_QUESTIONS[1]
WRITTEN_KINDS = frozenset(
    {QuestionKind.TEXT, QuestionKind.PROGRESS, QuestionKind.BLOCKERS, QuestionKind.PRIORITY}
)

_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def parse_time(value: str) -> dt.time | None:
    """`HH:MM` on a 24-hour clock, or None when it is not one."""
    match = _TIME.match(value.strip())
    if match is None:
        return None
    return dt.time(int(match.group(1)), int(match.group(2)))


def is_timezone(name: str) -> bool:
    if not name or name != name.strip() or name not in zone_names():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def is_holiday_country(code: str) -> bool:
    return code in holidays.utils.list_supported_countries()


@functools.lru_cache(maxsize=256)
def _holidays(country: str, year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays(country, years=year).keys())


def is_holiday(settings: PackSettings, day: dt.date) -> bool:
    if day in settings.holiday_dates:
        return True
    return settings.holiday_country is not None and day in _holidays(
        settings.holiday_country, day.year
    )


_ZONES: frozenset[str] | None = None


def zone_names() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES


@dataclass(frozen=True)
class PackSettings:
    checkin_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    checkin_time: dt.time = dt.time(9, 30)
    timezone_mode: TimezoneMode = TimezoneMode.MEMBER
    timezone: str = "UTC"
    reminder_minutes: int = 120
    summary_day: int = 4
    summary_time: dt.time = dt.time(16, 0)
    anonymous: bool = True
    name_lone_wolves: bool = False
    questions: tuple[Question, ...] = DEFAULT_QUESTIONS
    holiday_country: str | None = None
    holiday_dates: frozenset[dt.date] = frozenset()
    late_limit_minutes: int = 180
    # A statement is contested once this many members decided and the divisiveness reaches
    # this (0.6: the smaller side holds at least 30 % of the decided votes).
    contested_min_decided: int = 3
    contested_divisiveness: float = 0.6

    def validated(self) -> PackSettings:
        """Returns self, or raises FieldErrors naming every bad setting."""
        errors: dict[str, str] = {}
        if not self.checkin_days:
            errors["checkin_days"] = "Pick at least one check-in day."
        elif not all(0 <= d <= 6 for d in self.checkin_days):
            errors["checkin_days"] = "Days are Monday to Sunday."
        if not is_timezone(self.timezone):
            errors["timezone"] = (
                f"“{self.timezone[:60]}” is not a timezone name. Use an IANA name such as "
                "Europe/Berlin or America/New_York."
            )
        if not 0 <= self.reminder_minutes <= 24 * 60:
            errors["reminder"] = "The reminder comes 0 (off) to 24 hours after the prompt."
        if self.holiday_country is not None and not is_holiday_country(self.holiday_country):
            errors["holiday_country"] = (
                f"“{self.holiday_country[:20]}” is not a country code the holiday calendar "
                "knows. Use two letters, such as DE or US."
            )
        if self.contested_min_decided < 3:
            errors["contested"] = "A split needs at least 3 decided votes (anonymity)."
        if not 0 < self.contested_divisiveness <= 1:
            errors["contested"] = "Split sensitivity is a share between 0 and 100 %."
        if not 0 <= self.late_limit_minutes <= 24 * 60:
            errors["late_limit"] = "A late prompt is sent at most 24 hours after its time."
        if not 0 <= self.summary_day <= 6:
            errors["summary_day"] = "The summary day is Monday to Sunday."
        texts = [
            q
            for q in self.questions
            if q.kind in (QuestionKind.TEXT, QuestionKind.PROGRESS, QuestionKind.BLOCKERS)
        ]
        if not texts:
            errors["questions"] = "Keep at least one written question."
        for q in self.questions:
            if not q.label.strip():
                errors[f"question:{q.key}"] = "A question needs some text."
            elif len(q.label) > QUESTION_MAX:
                errors[f"question:{q.key}"] = f"Keep questions under {QUESTION_MAX} characters."
        if len({q.key for q in self.questions}) != len(self.questions):
            errors["questions"] = "Two questions share a key."
        if errors:
            raise FieldErrors(errors)
        return self

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)

    @property
    def asks_collaborators(self) -> bool:
        """Whether a check-in says who the member worked with: a question of its own, or the
        @mentions of what moved forward."""
        return any(
            q.kind in (QuestionKind.COLLABORATORS, QuestionKind.PROGRESS) for q in self.questions
        )

    def with_changes(self, **changes: object) -> PackSettings:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Pack:
    id: int
    workspace_id: int
    channel_id: str
    name: str
    settings: PackSettings
    created_by: str
    admin_ids: tuple[str, ...] = ()
    # When the pack was set up: nothing is planned or counted for a time before it.
    created_at: dt.datetime | None = None

    def is_admin(self, person: Person) -> bool:
        return person.user_id in self.admin_ids or person.is_workspace_admin


@dataclass(frozen=True)
class Away:
    start: dt.date
    end: dt.date

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Person:
    """A Slack user as the workspace knows them, whatever packs they are in."""

    user_id: str
    name: str
    tz: str
    is_bot: bool = False
    deleted: bool = False
    is_workspace_admin: bool = False
    away: Away | None = None
    dm_channel: str | None = None
    # Their own working hours (`/checkin hours`); None: their pack's (schedule.hours_of).
    hours: Hours | None = None

    @property
    def can_be_member(self) -> bool:
        return not self.is_bot and not self.deleted

    @classmethod
    def unknown(cls, user_id: str) -> Person:
        """Someone whose Slack profile could not be read: named by their id, on UTC."""
        return cls(user_id, user_id, "UTC")


@dataclass(frozen=True)
class Member:
    pack_id: int
    person: Person
    role: Role
    active: bool = True
    # When the member (last) joined the pack: nothing is planned or counted for a time before.
    joined_at: dt.datetime | None = None

    @property
    def user_id(self) -> str:
        return self.person.user_id


SETTING_NAMES = frozenset(f.name for f in fields(PackSettings))
# What a draft may leave as it is besides the settings.
ADMINS = "admin_ids"


@dataclass(frozen=True)
class PackDraft:
    """What the setup form produces: a pack to create or update."""

    channel_id: str
    name: str
    settings: PackSettings
    member_ids: tuple[str, ...]
    admin_ids: tuple[str, ...]
    created_by: str
    # The settings (and ADMINS) the form did not show: they keep the pack's values, or, for a
    # new pack, the defaults (its creator as admin). Those in `settings` are then ignored.
    kept: frozenset[str] = frozenset()

    def completed(self, pack: Pack | None) -> PackDraft:
        """The draft with what it keeps taken from the pack as it is now (None: a new pack)."""
        if not self.kept:
            return self
        base = pack.settings if pack is not None else PackSettings()
        settings = replace(
            base, **{n: getattr(self.settings, n) for n in SETTING_NAMES - self.kept}
        )
        admins = self.admin_ids
        if ADMINS in self.kept:
            admins = pack.admin_ids if pack is not None else (self.created_by,)
        return replace(self, settings=settings, admin_ids=admins, kept=frozenset())


def parse_away(start_text: str, end_text: str, today: dt.date) -> Away:
    """`YYYY-MM-DD YYYY-MM-DD` from `/checkin away`, checked."""
    try:
        start = dt.date.fromisoformat(start_text)
    except ValueError:
        raise FieldErrors(
            {"start": f"“{start_text[:40]}” is not a date like 2026-12-20."}
        ) from None
    try:
        end = dt.date.fromisoformat(end_text)
    except ValueError:
        raise FieldErrors({"end": f"“{end_text[:40]}” is not a date like 2027-01-03."}) from None
    if end < start:
        raise FieldErrors({"end": "The away period ends before it starts."})
    if end < today:
        raise FieldErrors({"end": "That away period is already over."})
    if (end - start).days > 366:
        raise FieldErrors({"end": "Away periods are at most a year long."})
    return Away(start, end)


@dataclass(frozen=True)
class ChannelInfo:
    channel_id: str
    name: str
    bot_is_member: bool


@dataclass(frozen=True)
class SetupForm:
    """What the setup modal starts with."""

    channel: ChannelInfo
    pack: Pack | None
    settings: PackSettings
    member_ids: tuple[str, ...]
    admin_ids: tuple[str, ...]
    # When it is shown: the timezone's offset from UTC is the one of that moment.
    now: dt.datetime


@dataclass(frozen=True)
class PackChoice:
    """The member is in several packs and must say which one."""

    packs: tuple[Pack, ...]


@dataclass(frozen=True)
class SettingsView:
    """`/wolfpack settings` as the asking member sees it."""

    pack: Pack
    is_admin: bool
