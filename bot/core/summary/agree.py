"""Where the pack agrees (SPEC §5, part 3): the common ground, statements that hold across the
pack's views rather than in its largest camp alone (bot/core/analysis/bridging.py)."""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

from bot.core.statements import K_ANONYMITY
from bot.core.summary.model import CommonGroundLine
from bot.core.summary.splits import Votes


@dataclass(frozen=True)
class Agreed:
    """The common ground, best first; how many more statements may be once the members who
    have not voted on them do; and how many every member voted on that are still too close
    to call (more votes cannot come, so they are never said to need them)."""

    found: tuple[CommonGroundLine, ...]
    needs_more_votes: int
    close: int


def common_ground(votes: Votes, members: Set[str], split: Set[int] = frozenset()) -> Agreed:
    """Visible statements the analysis calls common ground, best first, and the counts of
    those that need more votes, by whether some of the pack's `members` (user ids) have yet
    to vote on them. One with fewer than K_ANONYMITY decided votes is only counted: counts
    that small would say how a few members voted. A statement the summary lists as `split`
    (statement ids) is left out: one part of the summary does not contradict another."""
    if votes.analysis is None:
        return Agreed((), 0, 0)
    found: list[CommonGroundLine] = []
    pending = close = 0
    for ground in votes.analysis.common_ground:
        statement = votes.statements.get(int(ground.id))
        if statement is None or ground.status == "not_common" or statement.id in split:
            continue
        tally = votes.tallies[statement.id]
        if ground.status == "common_ground" and tally.decided >= K_ANONYMITY:
            found.append(CommonGroundLine(statement, tally, ground.score, ground.low, ground.high))
        elif members - {v.user_id for v in votes.current[statement.id]}:
            pending += 1
        else:
            close += 1
    return Agreed(tuple(found), pending, close)
