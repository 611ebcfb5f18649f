"""Working hours: the days and times a member may be sent a message the bot starts on its
own (a prompt, a reminder, a note). A member sets their own with `/checkin hours`; without
them, their pack's check-in days from its check-in time to 18:00 (see schedule.hours_of)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.core.errors import UserError

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Where the default working day ends, in the member's own clock.
DEFAULT_END = dt.time(18, 0)
# The shortest working day a member can set.
SHORTEST = dt.timedelta(hours=1)
EXAMPLE = "`/checkin hours 08:00-16:00 mon-thu`"

_TIME = re.compile(r"([0-9]{1,2})(?::([0-9]{2}))?")
_SPAN = re.compile(r"([^-]+)-([^-]+)")


def _time(text: str) -> dt.time | None:
    found = _TIME.fullmatch(text)
    if found is None:
        return None
    hour, minute = int(found[1]), int(found[2] or 0)
    if hour == 24 and minute == 0:
        return dt.time.max
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


def _days(words: list[str]) -> frozenset[int]:
    days: set[int] = set()
    for word in ",".join(words).lower().split(","):
        if not word:
            continue
        span = _SPAN.fullmatch(word)
        first, last = (span[1], span[2]) if span else (word, word)
        if first[:3] not in DAY_NAMES or last[:3] not in DAY_NAMES:
            raise UserError(f"“{word[:20]}” is not a day or days like mon-thu. Try {EXAMPLE}.")
        start, end = DAY_NAMES.index(first[:3]), DAY_NAMES.index(last[:3])
        # A span may wrap past Sunday: fri-mon is Friday to Monday.
        days.update((start + i) % 7 for i in range((end - start) % 7 + 1))
    return frozenset(days)


def day_spans(days: frozenset[int]) -> list[tuple[int, int]]:
    """Days as the fewest runs of consecutive days, Monday first: (0, 3) for Monday to
    Thursday."""
    spans: list[tuple[int, int]] = []
    for day in sorted(days):
        if spans and spans[-1][1] == day - 1:
            spans[-1] = (spans[-1][0], day)
        else:
            spans.append((day, day))
    return spans


def _written(days: frozenset[int]) -> str:
    """Days as the shortest list of spans: `mon-thu`, `mon,wed,fri`."""
    return ",".join(
        DAY_NAMES[a] if a == b else f"{DAY_NAMES[a]}-{DAY_NAMES[b]}" for a, b in day_spans(days)
    )


@dataclass(frozen=True)
class Hours:
    """A working day from `start` to `end` in the member's own clock, starting on `days`
    (Monday is 0; None means the pack's check-in days). An `end` not after `start` is on the
    next day: `22:00-06:00` is a night."""

    start: dt.time
    end: dt.time
    days: frozenset[int] | None = None

    def __post_init__(self) -> None:
        if self.days is not None and (not self.days or not self.days <= set(range(7))):
            raise UserError(f"Working hours need at least one day: {EXAMPLE}.")

    @property
    def overnight(self) -> bool:
        return self.end <= self.start

    @property
    def length(self) -> dt.timedelta:
        begun = dt.datetime.combine(dt.date.min, self.start)
        ended = dt.datetime.combine(dt.date.min, self.end)
        return ended - begun + (dt.timedelta(days=1) if self.overnight else dt.timedelta(0))

    @classmethod
    def parse(cls, text: str) -> Hours:
        """`08:00-16:00`, `8-16 mon-thu`, `08:30-17:00 mon,wed,fri`; UserError otherwise."""
        words = text.split()
        if not words:
            raise UserError(f"Say which hours: {EXAMPLE}.")
        span = _SPAN.fullmatch(words[0])
        start = _time(span[1]) if span else None
        end = _time(span[2]) if span else None
        if start is None or end is None:
            raise UserError(f"“{words[0][:20]}” is not hours like 08:00-16:00. Try {EXAMPLE}.")
        hours = cls(start, end, _days(words[1:]) if words[1:] else None)
        if hours.length < SHORTEST:
            raise UserError(f"Working hours last at least an hour: {EXAMPLE}.")
        return hours

    @property
    def times(self) -> tuple[str, str]:
        """Start and end as written: `08:00`, `16:00` (`24:00` for the end of the day)."""
        end = "24:00" if self.end == dt.time.max else self.end.strftime("%H:%M")
        return self.start.strftime("%H:%M"), end

    def __str__(self) -> str:
        text = "-".join(self.times)
        return text if self.days is None else f"{text} {_written(self.days)}"
