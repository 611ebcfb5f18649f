"""The members × statements vote matrix (SPEC §4.1)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

AGREE = 1
DISAGREE = -1
PASS = 0
VOTE_VALUES = frozenset({AGREE, DISAGREE, PASS})

FloatArray = npt.NDArray[np.float64]


class AnalysisError(ValueError):
    """Input the analysis cannot work with, worded for the person who gave it."""


@dataclass(frozen=True)
class Vote:
    member: str
    statement: str
    vote: int


@dataclass(frozen=True, eq=False)
class VoteMatrix:
    """Votes of members (rows) on statements (columns): +1, -1, 0, or NaN when not seen.

    `hidden` statements (moderated out) and `meta` statements keep their counts but stay out
    of the geometry; hidden ones also stay out of the consensus and representative lists.
    """

    members: tuple[str, ...]
    statements: tuple[str, ...]
    values: FloatArray
    hidden: frozenset[str] = field(default_factory=frozenset)
    meta: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.values.shape != (len(self.members), len(self.statements)):
            raise AnalysisError("the vote matrix does not match its members and statements")

    def member_index(self, member: str) -> int:
        try:
            return self.members.index(member)
        except ValueError:
            raise AnalysisError(f"unknown member {member!r}") from None

    @property
    def excluded(self) -> frozenset[str]:
        return self.hidden | self.meta

    def geometry_columns(self) -> list[int]:
        """Columns that shape the opinion map: shown, not meta, and voted on at least once."""
        voted = ~np.isnan(self.values)
        return [
            j
            for j, statement in enumerate(self.statements)
            if statement not in self.excluded and bool(voted[:, j].any())
        ]

    def counts(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Agrees, disagrees and passes per statement."""
        return vote_counts(self.values)


def vote_counts(
    values: FloatArray,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    agree = np.sum(values == AGREE, axis=0).astype(np.int64)
    disagree = np.sum(values == DISAGREE, axis=0).astype(np.int64)
    passes = np.sum(values == PASS, axis=0).astype(np.int64)
    return agree, disagree, passes


def column_means(values: FloatArray) -> FloatArray:
    """Mean of each column over the votes present; 0 where nobody voted (no empty means)."""
    present = ~np.isnan(values)
    totals = np.where(present, values, 0.0).sum(axis=0)
    counts = present.sum(axis=0)
    means: FloatArray = np.divide(totals, counts, out=np.zeros_like(totals), where=counts > 0)
    return means


def build_matrix(
    votes: Iterable[Vote],
    *,
    hidden: Iterable[str] = (),
    meta: Iterable[str] = (),
    statements: Iterable[str] = (),
) -> VoteMatrix:
    """Votes in chronological order; a later vote of a member on a statement replaces theirs.

    `statements` may name statements up front (to keep an order, or to include ones nobody
    voted on yet); others are added in the order they first appear.
    """
    latest: dict[tuple[str, str], int] = {}
    member_order: dict[str, None] = {}
    statement_order: dict[str, None] = dict.fromkeys(statements)
    for vote in votes:
        if vote.vote not in VOTE_VALUES:
            raise AnalysisError(
                f"vote {vote.vote!r} of {vote.member} on {vote.statement} is not 1, -1 or 0"
            )
        member_order.setdefault(vote.member)
        statement_order.setdefault(vote.statement)
        latest[(vote.member, vote.statement)] = vote.vote
    members = tuple(member_order)
    statement_ids = tuple(statement_order)
    row = {member: i for i, member in enumerate(members)}
    column = {statement: j for j, statement in enumerate(statement_ids)}
    values = np.full((len(members), len(statement_ids)), np.nan)
    for (member, statement), value in latest.items():
        values[row[member], column[statement]] = value
    return VoteMatrix(
        members=members,
        statements=statement_ids,
        values=values,
        hidden=frozenset(hidden),
        meta=frozenset(meta),
    )
