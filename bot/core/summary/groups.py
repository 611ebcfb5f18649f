"""Opinion groups (SPEC §5, part 5): the camps the votes fall into, what sets each apart and
each member's anonymous point on the opinion map, or why there are no camps, in plain words."""

from __future__ import annotations

import re

from bot.core.analysis.report import Analysis
from bot.core.statements import K_ANONYMITY
from bot.core.summary.model import GroupLine, MapPoint
from bot.core.summary.splits import Votes

NOBODY_VOTED = "nobody has voted on a statement yet"
FEW_STATEMENTS = "there are fewer than two statements to compare views on"
FEW_VOTES = "too few of you have voted on the same statements to compare views yet"
RANDOM = "your votes are no more split than random votes would be"
UNSTABLE = "the groupings shift when a few members or statements are left out, so none is settled"
NO_TWO_GROUPS = "your views do not fall into two groups of two or more members"
ALL_APART = "each member's views are their own: no two of you vote alike"
ALIKE = "you vote alike on nearly everything, differing on fewer than two statements"
OTHER = "your votes do not fall into settled groups"
# The analysis' reasons (bot/core/analysis/groups.py) in words a team understands.
_PLAIN = {
    "the votes are no more structured than the same votes shuffled at random": RANDOM,
    "the groups change when members or statements are resampled": UNSTABLE,
    "fewer than two groups of two or more members": NO_TWO_GROUPS,
    "every member stands alone": ALL_APART,
    "the members differ on fewer than two statements": ALIKE,
}
_TOO_FEW_PLACED = re.compile(r"^(\d+) members on the map are too few")


def groups(votes: Votes) -> tuple[tuple[GroupLine, ...] | None, str | None]:
    """(the groups, None) or (None, why there are no distinct camps, in plain words)."""
    if votes.analysis is None:
        return None, NOBODY_VOTED
    found = votes.analysis.grouping.groups
    if found is None:
        return None, plain_reason(votes.analysis)
    lines = []
    for label in range(found.k):
        size = sum(1 for g in found.assignments.values() if g == label)
        # What a group of two stands for would say how those two voted (SPEC §6).
        marks = tuple(
            (votes.statements[int(r.id)], r.direction)
            for r in votes.analysis.representative.get(label, ())
            if int(r.id) in votes.statements and size >= K_ANONYMITY
        )
        lines.append(GroupLine(size, marks))
    return tuple(lines), None


def plain_reason(analysis: Analysis) -> str:
    """Why there are no groups. Only a map with fewer than two members on it is put down to
    too few votes: any other reason is about how the votes fall, not how many there are."""
    reason = analysis.grouping.reason
    placed = len(analysis.positions)
    if placed < 2:
        return FEW_STATEMENTS if analysis.geometry_statements < 2 else FEW_VOTES
    if reason in _PLAIN:
        return _PLAIN[reason]
    few = _TOO_FEW_PLACED.match(reason)
    if few is not None:
        return f"{few.group(1)} members' views are too few to form two groups of two or more"
    return OTHER


def map_points(analysis: Analysis | None) -> tuple[MapPoint, ...]:
    """Each placed member's point and group (None outside every group), without the member:
    sorted by group and place, so not even the order says who is who."""
    if analysis is None:
        return ()
    found = analysis.grouping.groups
    assignments = found.assignments if found is not None else {}
    points = [
        MapPoint(x, y, assignments.get(member)) for member, (x, y) in analysis.positions.items()
    ]
    points.sort(key=lambda p: (p.group is None, p.group or 0, p.x, p.y))
    return tuple(points)
