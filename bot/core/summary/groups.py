"""Opinion groups (SPEC §5, part 5): the camps the votes fall into, what sets each apart and
each member's anonymous point on the opinion map, or why there are no camps, in plain words."""

from __future__ import annotations

import math
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
# Members who voted alike share a spot on the map: they are set this share of the map's extent
# apart, so each still shows as a dot of their own.
SPREAD = 0.03


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


def member_points(analysis: Analysis | None) -> list[tuple[str, MapPoint]]:
    """Each placed member (user id) with their point and group (None outside every group),
    sorted by group and place. Only for a reader who may know who is who (the member's own
    dot, a pack with open voting): `map_points` is the anonymous form."""
    if analysis is None:
        return []
    found = analysis.grouping.groups
    assignments = found.assignments if found is not None else {}
    placed = [
        (member, MapPoint(x, y, assignments.get(member)))
        for member, (x, y) in analysis.positions.items()
    ]
    placed.sort(key=lambda mp: (mp[1].group is None, mp[1].group or 0, mp[1].x, mp[1].y, mp[0]))
    return placed


def map_points(analysis: Analysis | None) -> tuple[MapPoint, ...]:
    """Each placed member's point and group (None outside every group), without the member:
    sorted by group and place, so not even the order says who is who."""
    return tuple(point for _, point in member_points(analysis))


def spread_out(points: tuple[MapPoint, ...]) -> tuple[MapPoint, ...]:
    """Members who voted alike sit on the same spot: those points are set on a small circle
    around it (SPREAD of the map's extent), so every member still shows as a dot. The order is
    kept."""
    xs, ys = [p.x for p in points], [p.y for p in points]
    extent = max(max(xs) - min(xs), max(ys) - min(ys), 1.0) if points else 1.0
    at: dict[tuple[float, float], list[int]] = {}
    for i, p in enumerate(points):
        at.setdefault((round(p.x, 9), round(p.y, 9)), []).append(i)
    moved = list(points)
    for same in at.values():
        if len(same) < 2:
            continue
        for n, i in enumerate(same):
            angle = 2 * math.pi * n / len(same)
            p = points[i]
            moved[i] = MapPoint(
                p.x + SPREAD * extent * math.cos(angle),
                p.y + SPREAD * extent * math.sin(angle),
                p.group,
            )
    return tuple(moved)
