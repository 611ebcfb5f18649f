"""Which statements to put to a member next (SPEC §4.6), after Pol.is' comment priority."""

from __future__ import annotations

import math

import numpy as np

from bot.core.analysis.groups import Geometry, geometry
from bot.core.analysis.matrix import VoteMatrix
from bot.core.analysis.stats import DEFAULT_RULES, Rules


def importance(agree: int, passes: int, seen: int, extremity: float) -> float:
    return (1 - (passes + 1) / (seen + 2)) * (extremity + 1) * (agree + 1) / (seen + 2)


def priority(agree: int, passes: int, seen: int, extremity: float) -> float:
    """Importance boosted for statements few have seen, then squared to favour the top."""
    boost = 1 + 8 * math.pow(2, -seen / 5)
    return (importance(agree, passes, seen, extremity) * boost) ** 2


def priorities(matrix: VoteMatrix, shape: Geometry | None = None) -> dict[str, float]:
    """Priority of every shown statement; statements outside the map have extremity 0."""
    extremity = np.zeros(len(matrix.statements))
    if shape is not None:
        extremity[list(shape.columns)] = shape.extremity()
    agree, disagree, passes = matrix.counts()
    return {
        statement: priority(
            int(agree[j]),
            int(passes[j]),
            int(agree[j] + disagree[j] + passes[j]),
            float(extremity[j]),
        )
        for j, statement in enumerate(matrix.statements)
        if statement not in matrix.hidden
    }


def next_statements(
    matrix: VoteMatrix,
    member: str | None,
    limit: int = 5,
    *,
    exclude_voted: bool = True,
    shape: Geometry | None = None,
    rules: Rules = DEFAULT_RULES,
) -> list[str]:
    """Statement ids for `member` in priority order: new ones (no votes yet) first.

    `member` may be unknown to the matrix (a newcomer has voted on nothing).
    """
    if shape is None:
        shape = geometry(matrix, rules)
    scores = priorities(matrix, shape)
    seen = np.sum(~np.isnan(matrix.values), axis=0)
    voted: set[str] = set()
    if exclude_voted and member is not None and member in matrix.members:
        row = matrix.values[matrix.member_index(member)]
        voted = {s for j, s in enumerate(matrix.statements) if not math.isnan(row[j])}
    order = {s: j for j, s in enumerate(matrix.statements)}
    candidates = [s for s in scores if s not in voted]
    candidates.sort(key=lambda s: (seen[order[s]] > 0, -scores[s], order[s]))
    return candidates[: max(limit, 0)]
