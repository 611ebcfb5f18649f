"""Per-member views: allies, alignment with the majority, lone-wolf signals (SPEC §4.5).

Dates come in from the caller; nothing here reads a clock.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from bot.core.analysis.matrix import AGREE, DISAGREE, VoteMatrix

MAX_PACK = 30
MIN_SHARED = 3
MIN_MAJORITY_DECIDED = 3


@dataclass(frozen=True)
class Agreement:
    """Share of the statements both decided on where they voted alike."""

    other: str
    share: float
    shared: int


@dataclass(frozen=True)
class Allies:
    member: str
    closest: Agreement | None
    most_different: Agreement | None


def pairwise_agreement(
    matrix: VoteMatrix, members: Sequence[str] | None = None
) -> dict[tuple[str, str], Agreement]:
    """Agreement of every ordered pair that shares at least three decided statements."""
    chosen = list(members) if members is not None else list(matrix.members)
    if len(chosen) > MAX_PACK:
        raise ValueError(f"pairwise agreement is for packs of up to {MAX_PACK} members")
    rows = {m: matrix.values[matrix.member_index(m)] for m in chosen}
    result: dict[tuple[str, str], Agreement] = {}
    for a in chosen:
        for b in chosen:
            if a == b:
                continue
            va, vb = rows[a], rows[b]
            both = np.isin(va, (AGREE, DISAGREE)) & np.isin(vb, (AGREE, DISAGREE))
            shared = int(both.sum())
            if shared >= MIN_SHARED:
                same = int(np.sum(va[both] == vb[both]))
                result[(a, b)] = Agreement(other=b, share=same / shared, shared=shared)
    return result


def allies(matrix: VoteMatrix, member: str, members: Sequence[str] | None = None) -> Allies:
    """Closest ally and most different member; ties go to the one listed first."""
    pool = list(members) if members is not None else list(matrix.members)
    if member not in pool:
        pool.append(member)
    pairs = pairwise_agreement(matrix, pool)
    mine = [pairs[(member, other)] for other in pool if (member, other) in pairs]
    if not mine:
        return Allies(member, None, None)
    closest = max(mine, key=lambda a: a.share)
    different = min(mine, key=lambda a: a.share)
    return Allies(member, closest, different)


@dataclass(frozen=True)
class Alignment:
    """Share of the member's decided votes on majority statements that side with the majority."""

    share: float | None
    majority_statements: int


def alignment(matrix: VoteMatrix, member: str) -> Alignment:
    agree = np.sum(matrix.values == AGREE, axis=0)
    disagree = np.sum(matrix.values == DISAGREE, axis=0)
    decided = agree + disagree
    with_majority = np.maximum(agree, disagree)
    # Integers, so two thirds is exact: 2 of 3 is a majority, 3 of 5 is not.
    majority = (decided >= MIN_MAJORITY_DECIDED) & (with_majority * 3 >= decided * 2)
    side = np.where(agree >= disagree, AGREE, DISAGREE)
    votes = matrix.values[matrix.member_index(member)]
    counted = majority & np.isin(votes, (AGREE, DISAGREE))
    n = int(counted.sum())
    if n == 0:
        return Alignment(None, 0)
    return Alignment(float(np.sum(votes[counted] == side[counted]) / n), n)


@dataclass(frozen=True)
class CheckIn:
    """One check-in round for a member: `collaborators` is None when not asked or not said."""

    date: dt.date
    answered: bool
    away: bool = False
    collaborators: int | None = None
    focus: str | None = None


@dataclass(frozen=True)
class Activity:
    """A member's recent rounds in chronological order, when they last voted, and when they
    last said why: a reason with a vote or a proposal position, or a reply in a split's or a
    proposal's thread."""

    member: str
    checkins: tuple[CheckIn, ...]
    last_vote: dt.date | None = None
    last_heard: dt.date | None = None


SignalKind = Literal["solo_streak", "outlier_views", "silent", "spread_thin"]


@dataclass(frozen=True)
class Signal:
    kind: SignalKind
    evidence: str


SOLO_STREAK = 3
SILENT_DAYS = 14
# A reason or a thread reply this recent means the pack has heard the member's view.
HEARD_DAYS = SILENT_DAYS
RECENT_ROUNDS = 3
MAX_FOCUS_AREAS = 2
MIN_OUTLIER_BASIS = 5

# Separators people use to list several things in one answer; "and" only as a whole word.
_FOCUS_SPLIT = re.compile(r"[,;\n]|\band\b|&|\+", re.IGNORECASE)
_BULLET = re.compile(r"^[\s\-*•·\d.)]+")


def focus_areas(text: str) -> list[str]:
    """The separate items of a focus answer, normalised so the same item named twice counts once.

    Conservative on purpose: only commas, semicolons, new lines, "&", "+" and the word "and"
    separate items, so "research and development" reads as two but a long sentence without
    them as one.
    """
    items = []
    for part in _FOCUS_SPLIT.split(text):
        item = _BULLET.sub("", part).strip(" .!?:").lower()
        item = re.sub(r"\s+", " ", item)
        if item:
            items.append(item)
    return items


def _day(day: dt.date) -> str:
    """A day as people write it, "Mon 30 Nov", in the evidence a member reads."""
    return f"{day:%a} {day.day} {day:%b}"


def heard(activity: Activity, now: dt.date) -> bool:
    """Whether the member said why lately: within HEARD_DAYS, a reason with a vote or a
    proposal position, or a reply in a split's or a proposal's thread."""
    return activity.last_heard is not None and (now - activity.last_heard).days < HEARD_DAYS


def views_apart(
    activity: Activity,
    now: dt.date,
    *,
    alignment_result: Alignment | None = None,
    groups_found: bool = False,
    is_outlier: bool = False,
) -> Signal | None:
    """Votes that set the member apart while nobody has heard why (SPEC §4.5). Disagreeing is
    not the signal: a member who gave a reason or joined a discussion lately is never flagged.

    Where the pack has real opinion groups, apart means placed on the map in none of them (an
    outlier, alone in a cluster of their own); a member in a group is never apart, however
    often they are in the pack's minority. Without groups, apart from the pack: siding with
    the majority on under half of at least MIN_OUTLIER_BASIS majority statements."""
    if heard(activity, now):
        return None
    if groups_found:
        if not is_outlier:
            return None
        return Signal("outlier_views", "your votes differ from every group in the pack")
    if (
        alignment_result is None
        or alignment_result.share is None
        or alignment_result.majority_statements < MIN_OUTLIER_BASIS
        or alignment_result.share >= 0.5
    ):
        return None
    n = alignment_result.majority_statements
    differ = n - round(alignment_result.share * n)
    return Signal(
        "outlier_views",
        f"your votes differ from the pack's majority on {differ} of {n} statements where it "
        "had one",
    )


def lone_wolf_signals(
    activity: Activity,
    now: dt.date,
    *,
    alignment_result: Alignment | None = None,
    groups_found: bool = False,
    is_outlier: bool = False,
) -> tuple[Signal, ...]:
    signals: list[Signal] = []
    streak: list[dt.date] = []
    longest: list[dt.date] = []
    for checkin in activity.checkins:
        if checkin.answered and checkin.collaborators == 0:
            streak.append(checkin.date)
            if len(streak) > len(longest):
                longest = list(streak)
        else:
            streak = []
    if len(longest) >= SOLO_STREAK:
        signals.append(
            Signal(
                "solo_streak",
                f"no collaborator in {len(longest)} check-ins in a row "
                f"({_day(longest[0])} to {_day(longest[-1])})",
            )
        )
    apart = views_apart(
        activity,
        now,
        alignment_result=alignment_result,
        groups_found=groups_found,
        is_outlier=is_outlier,
    )
    if apart is not None:
        signals.append(apart)
    recent = activity.checkins[-RECENT_ROUNDS:]
    missed = [c.date for c in recent if not c.answered and not c.away]
    if len(missed) >= 2:
        dates = ", ".join(_day(d) for d in missed)
        signals.append(
            Signal("silent", f"missed {len(missed)} of the last {len(recent)} rounds ({dates})")
        )
    elif activity.last_vote is not None and (now - activity.last_vote).days >= SILENT_DAYS:
        signals.append(
            Signal(
                "silent",
                f"last voted {_day(activity.last_vote)}, "
                f"{(now - activity.last_vote).days} days ago",
            )
        )
    areas: dict[str, None] = {}
    for checkin in recent:
        if checkin.answered and checkin.focus:
            areas.update(dict.fromkeys(focus_areas(checkin.focus)))
    if len(areas) > MAX_FOCUS_AREAS:
        signals.append(
            Signal("spread_thin", f"{len(areas)} focus areas lately: " + "; ".join(areas))
        )
    return tuple(signals)
