"""Replaying a recorded conversation with members answering only what an order asks them.

The protocol (bench/asking.py measures with it; bench/README.md states it too):

- Statements: every statement of the conversation except those moderated out; a statement
  exists from its creation (comments.csv' timestamp, or its first vote if earlier or absent).
- Members come one after the other in the order of their first vote. A member's time is that
  of their last vote, so every statement they ever voted on exists by then.
- Each member gets a budget of n asks. At each ask the order picks, among the statements that
  exist at the member's time and that the member has not been asked, the next one. The member
  answers with their recorded final vote on it, or, when they never voted on it, skips: the
  ask counts against the budget and gives no vote. Counted in votes instead, the budget is n
  votes: a skip costs nothing (the member never saw that statement, so they could not have
  answered it), and the member is asked until they gave n votes or nothing is left.
- What an order knows of the others is refreshed after every `refresh` members (Pol.is' math
  worker updates its priorities behind the conversation in the same way): its model is built
  from the votes collected so far and how often each statement was asked. The member's own
  answers in this session are known to the order at every ask.
- With an unlimited budget every member is asked every statement that exists at their time,
  so the replay gives back exactly the recorded votes (less moderated-out statements): that
  is the reference the replays are compared with.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.core.analysis import Analysis, VoteMatrix, next_statements
from bot.core.analysis.asking import asking_model, next_to_ask


def sample_members(matrix: VoteMatrix, size: int, seed: int) -> VoteMatrix:
    """`size` members of a conversation drawn at random (all of them when it has fewer), with
    all their votes, in the conversation's order: the packs of 20 or 50 the benchmarks and
    tests take from Pol.is conversations."""
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(len(matrix.members), min(size, len(matrix.members)), replace=False))
    return VoteMatrix(
        members=tuple(matrix.members[i] for i in rows),
        statements=matrix.statements,
        values=matrix.values[rows],
        hidden=matrix.hidden,
        meta=matrix.meta,
    )


# Given the member's answers in this session and the statements they may be asked (in
# creation order), the next statement to ask.
Chooser = Callable[[Mapping[str, int], Sequence[str]], str | None]
# Given the votes collected so far and how often each statement was asked, a chooser.
Order = Callable[[VoteMatrix, Mapping[str, int]], Chooser]


@dataclass(frozen=True)
class Conversation:
    """Recorded votes with their times. `members` in the order of their first vote,
    `statements` (moderated-out ones left out) in the order of their creation."""

    members: tuple[str, ...]
    statements: tuple[str, ...]
    created: Mapping[str, float]
    member_time: Mapping[str, float]
    votes: Mapping[tuple[str, str], int]
    meta: frozenset[str] = frozenset()

    def matrix(self, votes: Mapping[tuple[str, str], int] | None = None) -> VoteMatrix:
        """These votes (the recorded ones by default) as a matrix with every member and
        statement of the conversation, in its order."""
        chosen = self.votes if votes is None else votes
        row = {m: i for i, m in enumerate(self.members)}
        column = {s: j for j, s in enumerate(self.statements)}
        values = np.full((len(self.members), len(self.statements)), np.nan)
        for (member, statement), vote in chosen.items():
            values[row[member], column[statement]] = vote
        return VoteMatrix(self.members, self.statements, values, meta=self.meta)


def conversation(
    timed_votes: Iterable[tuple[float, str, str, int]],
    created: Mapping[str, float] | None = None,
    hidden: Iterable[str] = (),
    meta: Iterable[str] = (),
) -> Conversation:
    """From (time, member, statement, vote) rows; a later vote replaces an earlier one."""
    rows = sorted(enumerate(timed_votes), key=lambda item: (item[1][0], item[0]))
    out = set(hidden)
    first_vote: dict[str, float] = {}
    member_first: dict[str, float] = {}
    member_last: dict[str, float] = {}
    votes: dict[tuple[str, str], int] = {}
    for _, (at, member, statement, vote) in rows:
        if statement in out:
            continue
        first_vote.setdefault(statement, at)
        member_first.setdefault(member, at)
        member_last[member] = at
        votes[(member, statement)] = vote
    born = dict(created or {})
    when = {s: min(at, born.get(s, at)) for s, at in first_vote.items()}
    statements = tuple(sorted(when, key=lambda s: (when[s], s)))
    return Conversation(
        members=tuple(member_first),
        statements=statements,
        created=when,
        member_time=member_last,
        votes=votes,
        meta=frozenset(meta) & frozenset(statements),
    )


def read_polis_conversation(folder: Path, meta: Iterable[str] = ()) -> Conversation:
    """votes.csv and comments.csv of a Pol.is export (moderated -1 is moderated out)."""
    with (folder / "votes.csv").open(newline="", encoding="utf-8") as handle:
        timed = [
            (float(r["timestamp"]), r["voter-id"], r["comment-id"], int(r["vote"]))
            for r in csv.DictReader(handle)
        ]
    created: dict[str, float] = {}
    hidden: set[str] = set()
    comments = folder / "comments.csv"
    if comments.exists():
        with comments.open(newline="", encoding="utf-8") as handle:
            for r in csv.DictReader(handle):
                created[r["comment-id"]] = float(r["timestamp"])
                if r["moderated"].strip() == "-1":
                    hidden.add(r["comment-id"])
    return conversation(timed, created, hidden, meta)


@dataclass(frozen=True)
class Replayed:
    """The votes collected, every ask made (member, statement) in turn, and how many of them
    were skips."""

    votes: dict[tuple[str, str], int]
    asked: tuple[tuple[str, str], ...]
    skips: int

    @property
    def asks(self) -> int:
        return len(self.asked)


def replay(
    talk: Conversation,
    order: Order,
    budget: int,
    refresh: int = 1,
    *,
    count_votes: bool = False,
) -> Replayed:
    """Every member in turn, `budget` asks each, the order's model refreshed after every
    `refresh` members (see the module's docstring). With `count_votes` the budget counts the
    votes given instead: a skip costs nothing, and the member is asked until they have given
    `budget` votes or nothing is left to ask."""
    collected: dict[tuple[str, str], int] = {}
    asked: dict[str, int] = {}
    made: list[tuple[str, str]] = []
    skips = 0
    chooser: Chooser | None = None
    for index, member in enumerate(talk.members):
        if chooser is None or index % max(refresh, 1) == 0:
            chooser = order(talk.matrix(collected), dict(asked))
        at = talk.member_time[member]
        left = [s for s in talk.statements if talk.created[s] <= at]
        answers: dict[str, int] = {}
        spent = 0
        while spent < budget:
            pick = chooser(answers, left)
            if pick is None:
                break
            left.remove(pick)
            asked[pick] = asked.get(pick, 0) + 1
            made.append((member, pick))
            vote = talk.votes.get((member, pick))
            if vote is None:
                skips += 1
                spent += 0 if count_votes else 1
                continue
            spent += 1
            answers[pick] = vote
            collected[(member, pick)] = vote
    return Replayed(collected, tuple(made), skips)


def polis_order(matrix: VoteMatrix, asks: Mapping[str, int]) -> Chooser:
    """Pol.is' priority (SPEC §4.6, `next_statements`): the same ranking for every member,
    statements nobody has seen first."""
    ranking = next_statements(matrix, None, limit=len(matrix.statements), exclude_voted=False)

    def choose(answers: Mapping[str, int], candidates: Sequence[str]) -> str | None:
        open_ = set(candidates)
        return next((s for s in ranking if s in open_), None)

    return choose


def information_order(matrix: VoteMatrix, asks: Mapping[str, int]) -> Chooser:
    """The expected-information order (bot/core/analysis/asking.py), equals in Pol.is'
    order, as the bot's ballot asks."""
    model = asking_model(matrix, asks)
    ranking = next_statements(matrix, None, limit=len(matrix.statements), exclude_voted=False)
    rank = {s: i for i, s in enumerate(ranking)}

    def choose(answers: Mapping[str, int], candidates: Sequence[str]) -> str | None:
        ordered = sorted(candidates, key=lambda s: rank.get(s, -1))
        return next_to_ask(model, answers, ordered)

    return choose


ORDERS: dict[str, Order] = {"polis": polis_order, "information": information_order}

TOP = 10


def top_common_ground(analysis: Analysis, top: int = TOP) -> list[str]:
    """The statements called common ground in the analysis' order (by the low end of their
    interval), then, when fewer than `top`, the others by score (then the analysis' order)."""
    found = [c.id for c in analysis.common_ground if c.status == "common_ground"]
    rest = [c for c in analysis.common_ground if c.status != "common_ground"]
    rest.sort(key=lambda c: -c.score)
    return (found + [c.id for c in rest])[:top]


def overlap(reference: Sequence[str], found: Sequence[str]) -> float:
    """Share of the reference's list that the other list holds (1 for an empty reference)."""
    if not reference:
        return 1.0
    return len(set(reference) & set(found)) / len(reference)


def group_agreement(
    reference: Mapping[str, int] | None, found: Mapping[str, int] | None
) -> tuple[float, int]:
    """Adjusted Rand index over the members grouped in both, and how many they are; 0 when
    either has no groups or fewer than two members are in both."""
    from sklearn.metrics import adjusted_rand_score

    if reference is None or found is None:
        return 0.0, 0
    common = [m for m in reference if m in found]
    if len(common) < 2:
        return 0.0, len(common)
    score = adjusted_rand_score([reference[m] for m in common], [found[m] for m in common])
    return float(score), len(common)
