"""Opinion groups (SPEC §5, part 5): the camps the votes fall into, and what sets each apart,
or why there are none."""

from __future__ import annotations

from bot.core.statements import K_ANONYMITY
from bot.core.summary.model import GroupLine
from bot.core.summary.splits import Votes

NOBODY_VOTED = "nobody has voted yet"


def groups(votes: Votes) -> tuple[tuple[GroupLine, ...] | None, str | None]:
    """(the groups, None) or (None, why there are no distinct camps)."""
    if votes.analysis is None:
        return None, NOBODY_VOTED
    found = votes.analysis.grouping.groups
    if found is None:
        return None, votes.analysis.grouping.reason
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
