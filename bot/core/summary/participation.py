"""Participation (SPEC §5, part 1): who was heard this week, the longest answering streaks,
and the blockers still open."""

from __future__ import annotations

import datetime as dt

from bot.core.checkins import AnswerStatus
from bot.core.packs import Member, Pack
from bot.core.schedule import is_round_day, local_checkin_at, member_zone, owed_since
from bot.core.summary.model import STREAKS_SHOWN, Blocker, Participation, Streak, Week

STREAK_LOOKBACK_DAYS = 70


def streak(
    pack: Pack,
    member: Member,
    statuses: dict[dt.date, AnswerStatus],
    now: dt.datetime,
) -> int:
    """Consecutive rounds the member answered, counting back from their latest round that has
    opened. Today's round not answered yet breaks nothing; a skipped round and a day away are
    neutral; a round that passed without an answer ends the streak."""
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


def participation(week: Week) -> Participation:
    """Member-rounds answered of those that opened this week (away excluded)."""
    answered = expected = 0
    heard: set[str] = set()
    away_names = []
    streaks = []
    for member in week.members:
        mine = week.answers.get(member.user_id, {})
        days = set(round_days(week.pack, member, week.start, week.now))
        this_week = {d: a for d, a in mine.items() if week.start <= d <= week.end}
        days |= set(this_week)
        expected += len(days)
        answered += sum(1 for a in this_week.values() if a.status is AnswerStatus.ANSWERED)
        if this_week:
            heard.add(member.user_id)
        away = member.person.away
        if away is not None and away.start <= week.end and away.end >= week.start:
            away_names.append(member.person.name)
        statuses = {d: a.status for d, a in mine.items()}
        rounds = streak(week.pack, member, statuses, week.now)
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
    )


def blockers(week: Week) -> tuple[Blocker, ...]:
    """Blockers still open: each member's latest answer of the week, when it names one."""
    found = []
    for member in week.members:
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
