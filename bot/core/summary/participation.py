"""Participation (SPEC §5, part 1): who was heard this week, the longest answering streaks,
and the blockers still open.

A round counts for a member only when it reached them: its prompt was delivered, or they
answered or skipped it themselves (with `/checkin`, say). A round whose prompt was missed (the
bot was down past the late limit), failed, was skipped or never planned counts for nothing:
not heard, not missed, and no break in a streak."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Set
from zoneinfo import ZoneInfo

from bot.core.checkins import AnswerStatus
from bot.core.packs import Member, Pack
from bot.core.schedule import (
    is_round_day,
    local_checkin_at,
    member_zone,
    next_checkin_at,
    owed_since,
)
from bot.core.summary.model import (
    STREAKS_SHOWN,
    Blocker,
    Participation,
    Starting,
    Streak,
    SummaryInputs,
    Week,
)

STREAK_LOOKBACK_DAYS = 70
# A pack set up less than a week before its summary may be too young for any round to have
# reached anyone: its first summary is then a short note.
NEW_PACK = dt.timedelta(days=7)


def streak(
    pack: Pack,
    member: Member,
    statuses: dict[dt.date, AnswerStatus],
    now: dt.datetime,
    *,
    prompted: Set[dt.date],
) -> int:
    """Consecutive rounds the member answered, counting back from their latest round that has
    opened. Today's round not answered yet breaks nothing; a skipped round, a day away and a
    round whose prompt never reached them (not in `prompted`) are neutral; a round whose
    prompt reached them and passed without an answer ends the streak."""
    zone = member_zone(pack.settings, member.person)
    today = now.astimezone(zone).date()
    count_ = 0
    for back in range(STREAK_LOOKBACK_DAYS):
        day = today - dt.timedelta(days=back)
        if not is_round_day(pack.settings, member.person, day):
            continue
        status = statuses.get(day)
        if status is AnswerStatus.ANSWERED:
            count_ += 1
        elif (
            status is AnswerStatus.SKIPPED
            or back == 0
            or day not in prompted
            or local_checkin_at(pack.settings, member.person, day) > now
        ):
            continue
        else:
            break
    return count_


def round_days(pack: Pack, member: Member, start: dt.date, now: dt.datetime) -> list[dt.date]:
    """The member's rounds that have opened from `start` (in their own calendar) up to now,
    and not before the pack existed or the member joined it."""
    zone = member_zone(pack.settings, member.person)
    today = now.astimezone(zone).date()
    since = owed_since(pack, member)
    days = []
    day = start
    while day <= today:
        if is_round_day(pack.settings, member.person, day):
            opened = local_checkin_at(pack.settings, member.person, day)
            if opened <= now and (since is None or opened >= since):
                days.append(day)
        day += dt.timedelta(days=1)
    return days


def reached_days(
    pack: Pack,
    member: Member,
    start: dt.date,
    now: dt.datetime,
    *,
    prompted: Set[dt.date],
    answered: Iterable[dt.date],
) -> list[dt.date]:
    """The member's rounds from `start` up to now that count: those of `round_days` whose
    prompt reached them (`prompted`), and those they answered or skipped (`answered`, which
    the caller keeps to the period it reads)."""
    days = {d for d in round_days(pack, member, start, now) if d in prompted}
    days.update(answered)
    return sorted(days)


def participation(week: Week) -> Participation:
    """Member-rounds answered of those that reached their member this week (away excluded)."""
    answered = expected = 0
    heard: set[str] = set()
    reached: set[str] = set()
    away_names = []
    streaks = []
    for member in week.members:
        mine = week.answers.get(member.user_id, {})
        prompted = week.prompted.get(member.user_id, frozenset())
        this_week = {d: a for d, a in mine.items() if week.start <= d <= week.end}
        days = reached_days(
            week.pack, member, week.start, week.now, prompted=prompted, answered=this_week
        )
        expected += len(days)
        answered += sum(1 for a in this_week.values() if a.status is AnswerStatus.ANSWERED)
        if this_week:
            heard.add(member.user_id)
        if days:
            reached.add(member.user_id)
        away = member.person.away
        if away is not None and away.start <= week.end and away.end >= week.start:
            away_names.append(member.person.name)
        statuses = {d: a.status for d, a in mine.items()}
        rounds = streak(week.pack, member, statuses, week.now, prompted=prompted)
        if rounds > 0:
            streaks.append(Streak(member.person.name, rounds))
    streaks.sort(key=lambda s: (-s.rounds, s.name))
    return Participation(
        answered=answered,
        expected=expected,
        heard_from=len(heard),
        members=len(week.members),
        away_names=tuple(sorted(away_names)),
        longest_streaks=tuple(streaks[:STREAKS_SHOWN]),
        reached=len(reached),
    )


def starting(inputs: SummaryInputs, week: Week) -> Starting | None:
    """A pack set up less than NEW_PACK ago that no round has reached yet (no prompt delivered,
    no answer or skip) and no delivery failed for: when its first check-ins go out, and its
    first summary after them. None for any other pack."""
    pack = week.pack
    if (
        pack.created_at is None
        or week.now - pack.created_at >= NEW_PACK
        or inputs.failures
        or inputs.answers
        or any(inputs.prompted.values())
    ):
        return None
    firsts = []
    for member in week.members:
        at = next_checkin_at(pack.settings, member.person, week.now)
        if at is not None:
            firsts.append((at, at.astimezone(member_zone(pack.settings, member.person)).date()))
    first = min(firsts, default=None)
    return Starting(
        first_round=first[1] if first is not None else None,
        first_summary=summary_day_after(pack, first[0] if first is not None else week.now),
    )


def summary_day_after(pack: Pack, at: dt.datetime) -> dt.date:
    """The day of the pack's first summary slot after `at`, in the pack's timezone."""
    zone = ZoneInfo(pack.settings.timezone)
    today = at.astimezone(zone).date()
    day = today + dt.timedelta(days=(pack.settings.summary_day - today.weekday()) % 7)
    slot = dt.datetime.combine(day, pack.settings.summary_time).replace(tzinfo=zone)
    return day if slot > at else day + dt.timedelta(days=7)


def blockers(week: Week, open_users: Set[str] | None = None) -> tuple[Blocker, ...]:
    """Blockers still open: each member's latest answer of the week, when it names one (and,
    given `open_users`, only for members whose blocker is still open: one resolved since is
    not)."""
    found = []
    for member in week.members:
        if open_users is not None and member.user_id not in open_users:
            continue
        week_answers = sorted(
            (d, a)
            for d, a in week.answers.get(member.user_id, {}).items()
            if week.start <= d <= week.end and a.status is AnswerStatus.ANSWERED
        )
        if week_answers and week_answers[-1][1].blockers:
            day, answer = week_answers[-1]
            found.append(Blocker(member.person.name, day, answer.blockers))
    found.sort(key=lambda b: (b.local_date, b.name), reverse=True)
    return tuple(found)
