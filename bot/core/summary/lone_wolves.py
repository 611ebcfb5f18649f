"""Lone wolves (SPEC §5, part 8): members working alone, silent, or whose votes set them apart
with nobody having heard why, each with a partner to pair with and a split to weigh in on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence, Set

from bot.core.analysis.matrix import VoteMatrix
from bot.core.analysis.members import (
    Activity,
    CheckIn,
    Signal,
    alignment,
    allies,
    lone_wolf_signals,
)
from bot.core.analysis.report import Analysis
from bot.core.checkins import Answer, AnswerStatus
from bot.core.packs import Member, Pack
from bot.core.schedule import member_zone
from bot.core.statements import Vote
from bot.core.summary.model import LoneWolf, Split, SummaryInputs
from bot.core.summary.participation import reached_days

LONE_WOLF_ROUNDS_DAYS = 21


def heard_at(inputs: SummaryInputs) -> dict[str, dt.datetime]:
    """When each member last said why: a vote or a proposal position with a reason, or a reply
    in a split's or a proposal's thread. Disagreeing with a reason is taking part."""
    said = [(v.user_id, v.at) for v in inputs.votes if v.reason.strip()]
    said += [(r.user_id, r.at) for rs in inputs.responses.values() for r in rs if r.reason.strip()]
    said += [(r.user_id, r.at) for r in inputs.replies]
    last: dict[str, dt.datetime] = {}
    for user_id, at in said:
        last[user_id] = max(at, last.get(user_id, at))
    return last


def lone_wolves(
    pack: Pack,
    members: list[Member],
    answers: dict[str, dict[dt.date, Answer]],
    votes: Sequence[Vote],
    heard: Mapping[str, dt.datetime],
    matrix: VoteMatrix,
    analysis: Analysis | None,
    splits: list[Split],
    now: dt.datetime,
    prompted: Mapping[str, Set[dt.date]],
) -> tuple[LoneWolf, ...]:
    """Members with a lone-wolf signal. Their check-ins are the rounds that reached them
    (`reached_days`): a round whose prompt never reached a member is no silence of theirs.
    `heard` is when each member last said why (`heard_at`): views apart are only a signal
    while nobody has heard why."""
    asks_collaborators = pack.settings.asks_collaborators
    # With real opinion groups, apart means in none of them: placed on the map alone in a
    # cluster of their own. Without groups, apart from the pack's majority.
    groups_found = analysis is not None and analysis.grouping.groups is not None
    outliers = set(analysis.grouping.outliers) if analysis is not None and groups_found else set()
    last_vote: dict[str, dt.datetime] = {}
    for vote in votes:
        last_vote[vote.user_id] = max(vote.at, last_vote.get(vote.user_id, vote.at))
    flagged: list[tuple[Member, tuple[Signal, ...]]] = []
    for member in members:
        zone = member_zone(pack.settings, member.person)
        since = now.astimezone(zone).date() - dt.timedelta(days=LONE_WOLF_ROUNDS_DAYS)
        mine = answers.get(member.user_id, {})
        checkins = []
        for day in reached_days(
            pack,
            member,
            since,
            now,
            prompted=prompted.get(member.user_id, frozenset()),
            answered=[d for d in mine if d >= since],
        ):
            answer = mine.get(day)
            if answer is None:
                checkins.append(CheckIn(day, answered=False))
            elif answer.status is AnswerStatus.SKIPPED:
                checkins.append(CheckIn(day, answered=True))
            else:
                checkins.append(
                    CheckIn(
                        day,
                        answered=True,
                        collaborators=len(answer.collaborators) if asks_collaborators else None,
                        focus=answer.texts.get("focus"),
                    )
                )
        voted = last_vote.get(member.user_id)
        said = heard.get(member.user_id)
        activity = Activity(
            member.user_id,
            tuple(checkins),
            voted.astimezone(zone).date() if voted is not None else None,
            said.astimezone(zone).date() if said is not None else None,
        )
        agreement = alignment(matrix, member.user_id) if member.user_id in matrix.members else None
        signals = lone_wolf_signals(
            activity,
            now.astimezone(zone).date(),
            alignment_result=agreement,
            groups_found=groups_found,
            is_outlier=member.user_id in outliers,
        )
        if signals:
            flagged.append((member, signals))
    flagged_ids = {m.user_id for m, _ in flagged}
    others = [m.user_id for m in members if m.user_id not in flagged_ids]
    names = {m.user_id: m.person.name for m in members}
    wolves = []
    for member, signals in flagged:
        partner = _partner(matrix, member.user_id, others, answers)
        wolves.append(
            LoneWolf(
                member.user_id,
                member.person.name,
                signals,
                pair_with=partner,
                pair_name=names.get(partner) if partner else None,
                weigh_in=splits[0].statement if splits else None,
            )
        )
    return tuple(wolves)


def _partner(
    matrix: VoteMatrix, user_id: str, others: list[str], answers: dict[str, dict[dt.date, Answer]]
) -> str | None:
    """Someone to pair with: the closest ally by votes among members not flagged themselves,
    else the most regular of them."""
    if not others:
        return None
    if user_id in matrix.members:
        pool = [o for o in others if o in matrix.members][:29]
        found = allies(matrix, user_id, pool).closest
        if found is not None:
            return found.other
    return max(others, key=lambda o: (len(answers.get(o, {})), o))
