"""Blockers: what a member said blocks them, from the check-in that raised it until they say
it is sorted. One open blocker per member and pack: a later answer naming a blocker keeps it
(its text updated), a later answer that leaves the field empty resolves it."""

from __future__ import annotations

import datetime as dt
import enum
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.packs import Pack, PackSettings, Person, is_holiday

# A blocker still open this many working days after the round that raised it, with no prompt
# in between to ask about it, gets a direct message of its own.
FOLLOW_UP_WORKING_DAYS = 2


class BlockerStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


@dataclass(frozen=True)
class Blocker:
    id: int
    pack_id: int
    user_id: str
    text: str
    # The round (and the answer in it) that raised it, and that round's day.
    round_id: int
    answer_id: int | None
    round_date: dt.date
    raised_at: dt.datetime
    status: BlockerStatus = BlockerStatus.OPEN
    asked_at: dt.datetime | None = None
    ask_channel: str | None = None
    ask_ts: str | None = None
    helpers: tuple[str, ...] = ()
    resolved_at: dt.datetime | None = None
    followed_up_at: dt.datetime | None = None
    # The delivery key of the message that claimed the follow-up.
    followed_up_by: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status is BlockerStatus.OPEN

    def followed_up_by_key(self, key: object) -> bool:
        """Whether the message with this delivery key claimed the follow-up: its sender may
        have stopped before the message went out."""
        return self.followed_up_at is not None and self.followed_up_by == str(key)


class Change(enum.Enum):
    NONE = "none"
    RAISE = "raise"
    UPDATE = "update"
    RESOLVE = "resolve"
    WITHDRAW = "withdraw"


def change_for(open_blocker: Blocker | None, round_id: int, text: str) -> Change:
    """What an answer stored in round `round_id`, naming blocker `text` (empty: none), does to
    the member's open blocker of that pack. An answer in a later round that names none
    resolves it; the answer of the round that raised it, edited to name none, takes it back
    (resolved instead once the pack was asked about it, so helpers' offers still count)."""
    if open_blocker is None:
        return Change.RAISE if text else Change.NONE
    if text:
        return Change.UPDATE if text != open_blocker.text else Change.NONE
    if open_blocker.round_id != round_id:
        return Change.RESOLVE
    return Change.RESOLVE if open_blocker.asked_at is not None else Change.WITHDRAW


def still_blocking(open_blocker: Blocker | None, round_id: int | None) -> Blocker | None:
    """The open blocker a check-in form of round `round_id` (None: not started yet) asks
    about again: one raised in an earlier round."""
    if open_blocker is None or not open_blocker.is_open or open_blocker.round_id == round_id:
        return None
    return open_blocker


def needs_follow_up(blocker: Blocker | None, local_date: dt.date, key: object = None) -> bool:
    """Whether a prompt for the round of `local_date` (delivery key `key`) carries the
    blocker's follow-up: it is still open, from an earlier round, and was not followed up yet,
    or was claimed by this very prompt before its sender stopped."""
    return (
        blocker is not None
        and blocker.is_open
        and (blocker.followed_up_at is None or blocker.followed_up_by_key(key))
        and blocker.round_date < local_date
    )


def working_days_after(settings: PackSettings, day: dt.date, count: int) -> dt.date:
    """The `count`th working day of the pack after `day`: its check-in days, holidays
    skipped. `day` itself when the pack has no working day within a year."""
    found = 0
    for ahead in range(1, 370):
        candidate = day + dt.timedelta(days=ahead)
        if candidate.weekday() in settings.checkin_days and not is_holiday(settings, candidate):
            found += 1
            if found == count:
                return candidate
    return day


def follow_up_day(settings: PackSettings, blocker: Blocker) -> dt.date:
    """The day a blocker that no prompt followed up gets its own direct message."""
    return working_days_after(settings, blocker.round_date, FOLLOW_UP_WORKING_DAYS)


@dataclass(frozen=True)
class BlockerView:
    """A blocker as its messages show it: the pack, its member and those who offered help."""

    blocker: Blocker
    pack: Pack
    member: Person
    helpers: tuple[Person, ...] = ()


@dataclass(frozen=True)
class BlockerFigures:
    """The week's blockers, counted: raised this week, how many of those got an offer of
    help, how many blockers were resolved this week, and the median time those stayed open."""

    raised: int = 0
    helped: int = 0
    resolved: int = 0
    typically_open: dt.timedelta | None = None


def week_figures(
    blockers: Sequence[Blocker], start: dt.datetime, end: dt.datetime
) -> BlockerFigures:
    """Figures for the blockers raised or resolved from `start` (included) to `end` (not)."""
    raised = [b for b in blockers if start <= b.raised_at < end]
    resolved = [b for b in blockers if b.resolved_at is not None and start <= b.resolved_at < end]
    durations = [
        (b.resolved_at - b.raised_at).total_seconds() for b in resolved if b.resolved_at is not None
    ]
    return BlockerFigures(
        raised=len(raised),
        helped=sum(1 for b in raised if b.helpers),
        resolved=len(resolved),
        typically_open=dt.timedelta(seconds=statistics.median(durations)) if durations else None,
    )


def open_for_words(span: dt.timedelta) -> str:
    """A time a blocker stayed open, in plain words: "under an hour", "5 hours", "2 days"."""
    hours = span.total_seconds() / 3600
    if hours < 1:
        return "under an hour"
    if hours < 24:
        n = round(hours)
        return "1 hour" if n == 1 else f"{n} hours"
    days = round(hours / 24)
    return "1 day" if days == 1 else f"{days} days"
