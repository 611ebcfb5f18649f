"""Decisions (SPEC §5, part 6): proposals closed this week, and those still open."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.proposals import Proposal, Response, count
from bot.core.summary.model import DecisionLine, Week


def decisions(
    week: Week, proposals: Sequence[Proposal], responses: dict[int, list[Response]]
) -> tuple[tuple[DecisionLine, ...], tuple[DecisionLine, ...]]:
    """(closed this week, still open)."""
    decided = []
    still_open = []
    for proposal in proposals:
        line = DecisionLine(proposal, count(responses.get(proposal.id, [])))
        if proposal.is_open:
            still_open.append(line)
        elif proposal.closed_at is not None and proposal.closed_at >= week.start_at:
            decided.append(line)
    return tuple(decided), tuple(still_open)
