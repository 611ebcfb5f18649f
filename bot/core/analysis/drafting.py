"""A draft proposal on a split, assembled only from what the pack wrote: its statements and
the reasons members gave with their votes.

Extractive. The candidates are the sentences of the pack's shown, non-meta statements and of
the reasons given with votes; a draft is one to MAX_SENTENCES of them, word for word, joined
by spaces (with a full stop where a sentence had none), each with its source (statement #12,
or a reason given for agreeing with #7). Nothing is rephrased and nothing names who wrote it.

Who has to agree. The opinion groups are the analysis' groups when it finds real ones;
otherwise, as in most teams of 6 to 12, the split statement's two sides (the members who
agreed with it and those who disagreed). Members who passed or did not vote on it are in
neither side.

The prediction. A group g agrees with a statement s with the probability Pol.is uses,
(agrees in g + 1) / (decided votes in g + 2): Laplace's rule, so a group that has not voted
on s sits at one half and three agrees of three give 0.8, not certainty. A sentence of s
carries the prediction of the whole of s. A reason given for agreeing with s carries
P(agree s | g); one given for disagreeing carries P(disagree s | g), the same rule on the
disagrees. Reasons are not discounted: no vote was ever cast on a reason, so there is no
data to fit a discount on, and a uniform discount would only make statements win where a
reason says the same; ties go to a whole statement instead. The Laplace rule was chosen over
the common-ground model (bridging.py) because a draft has to reach each group, not a member
at the centre of the axis, and over the analysis' group-aware consensus because that one is
a product over groups, not a figure per group that the least can be taken of.

A group's predicted agreement with a draft of several sentences is the mean of its
predicted agreement with each sentence: the share of the draft the group is expected to
endorse. The draft chosen maximises the least of these over the groups; ties go to fewer
sentences, then the higher mean, then the earlier candidates. Weakness: the mean treats
sentences as independent and rewards padding. A sentence both groups already accept raises
every group's share whether or not it bears on the split, and a group that rejects one
sentence outright is counted as endorsing the rest. It predicts how much of the text a group
would sign, not whether it would vote for the whole as a decision.

On a split the draft must address it: at least one of its sentences comes from the split
statement or a reason given on it, and at most MAX_OFF_SPLIT = 1 from anywhere else, so the
draft can neither be unrelated statements everyone likes nor be padded with them until the
split is a footnote. The split statement itself is a candidate only when more members agreed
with it than disagreed: a draft never states the losing side of the split as a fact. When no
draft reaches every group (its least predicted agreement at most one half), `reaches_all` is
False and the proposer starts from the statement instead.

What that buys, measured (bench/drafting.py): under the mean, a draft beats the best single
statement only where no statement comes close to reaching every group, as two complementary
statements do in 15-per-hour-seattle; where one does (most Pol.is samples, and the demo, where
one member rejects every statement the others share) the best single statement wins or ties.
A draft on a split is therefore not meant to beat that statement, which may be about
something else; it beats every single sentence on the split, which reaches one side only.

The best single statement is reported with every draft for comparison: the shown, non-meta
statement whose least group agreement is highest. Candidates are pruned before the search
(the POOL best by least agreement and the PER_GROUP best for each group, which is where the
complementary sentences are); every combination of up to three of them is then scored.
Everything is deterministic: the same votes give the same draft.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from bot.core.analysis.matrix import AGREE, DISAGREE, FloatArray, VoteMatrix

Kind = Literal["statement", "for", "against"]

MAX_SENTENCES = 3
# On a split, sentences from elsewhere in the draft: one, so it stays about the split.
MAX_OFF_SPLIT = 1
POOL = 30
PER_GROUP = 8
# A draft reaches a group when the group is predicted to endorse more than half of it.
REACHES = 0.5

# A full stop followed by a lower-case word ends an abbreviation ("e.g. this"), not a sentence.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?![a-z])|(?<=[。！？])\s*|\s*\n\s*")
_ENDS = tuple(".!?。！？")
_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class Reason:
    """A reason a member gave with a vote on a statement: `side` is AGREE or DISAGREE."""

    statement: str
    side: int
    text: str


@dataclass(frozen=True)
class Sentence:
    """A candidate sentence, word for word from its source, with each group's predicted
    agreement (in the order of the groups)."""

    text: str
    statement: str
    kind: Kind
    agreement: tuple[float, ...]

    @property
    def least(self) -> float:
        return min(self.agreement)


@dataclass(frozen=True)
class Draft:
    """The chosen sentences, the groups it was chosen for, each group's predicted agreement
    with it, and the best single statement's least agreement for comparison."""

    sentences: tuple[Sentence, ...]
    groups: tuple[str, ...]
    agreement: tuple[float, ...]
    best_statement: str | None
    best_statement_least: float

    @property
    def text(self) -> str:
        """The sentences joined by spaces, a full stop after any that ends without one."""
        return " ".join(s.text if s.text.endswith(_ENDS) else s.text + "." for s in self.sentences)

    @property
    def least(self) -> float:
        return min(self.agreement)

    @property
    def reaches_all(self) -> bool:
        return self.least > REACHES


@dataclass(frozen=True)
class OpinionGroups:
    """Named groups of members (rows of the matrix)."""

    names: tuple[str, ...]
    rows: tuple[tuple[int, ...], ...]


def sentences(text: str) -> list[str]:
    """The sentences of a text, each a substring of it: cut after . ! ? followed by a space,
    after 。！？, and at line breaks, but not before a lower-case word (“e.g. this”, “etc. and”
    are abbreviations); pieces without a letter or digit are dropped."""
    pieces = (p.strip() for p in _SENTENCE_END.split(text))
    return [p for p in pieces if p and _WORD.search(p)]


def groups_from(matrix: VoteMatrix, assignments: Mapping[str, int]) -> OpinionGroups:
    """The analysis' groups (member -> group number) as rows, numbered from 1 for people."""
    labels = sorted(set(assignments.values()))
    rows = tuple(
        tuple(i for i, m in enumerate(matrix.members) if assignments.get(m) == label)
        for label in labels
    )
    return OpinionGroups(tuple(f"group {n + 1}" for n in range(len(labels))), rows)


def split_sides(matrix: VoteMatrix, statement: str) -> OpinionGroups:
    """The members who agreed with the statement and those who disagreed."""
    column = matrix.values[:, matrix.statements.index(statement)]
    return OpinionGroups(
        ("those who agreed", "those who disagreed"),
        (
            tuple(int(i) for i in np.flatnonzero(column == AGREE)),
            tuple(int(i) for i in np.flatnonzero(column == DISAGREE)),
        ),
    )


def _laplace(matrix: VoteMatrix, groups: OpinionGroups) -> tuple[FloatArray, FloatArray]:
    """P(agree) and P(disagree) per group (rows) and statement (columns)."""
    agree = np.zeros((len(groups.rows), len(matrix.statements)))
    disagree = np.zeros_like(agree)
    for g, rows in enumerate(groups.rows):
        values = matrix.values[list(rows)]
        ups = (values == AGREE).sum(axis=0)
        downs = (values == DISAGREE).sum(axis=0)
        agree[g] = (ups + 1) / (ups + downs + 2)
        disagree[g] = (downs + 1) / (ups + downs + 2)
    return agree, disagree


def candidates(
    matrix: VoteMatrix,
    texts: Mapping[str, str],
    reasons: Sequence[Reason],
    groups: OpinionGroups,
    split: str | None = None,
) -> list[Sentence]:
    """Every distinct sentence of the shown, non-meta statements (with a text and a decided
    vote: a statement nobody took a side on predicts nothing) and of the reasons given on
    them, in statement order then reason order; a split statement whose agreers are not the
    majority is left out (its reasons stay)."""
    agree, disagree = _laplace(matrix, groups)
    column = {s: j for j, s in enumerate(matrix.statements)}
    found: list[Sentence] = []
    seen: set[str] = set()

    def add(text: str, statement: str, kind: Kind, p: FloatArray) -> None:
        for piece in sentences(text):
            key = " ".join(piece.casefold().split())
            if key not in seen:
                seen.add(key)
                found.append(Sentence(piece, statement, kind, tuple(float(x) for x in p)))

    for s in matrix.statements:
        if s in matrix.excluded or s not in texts:
            continue
        j = column[s]
        ups, downs = (matrix.values[:, j] == AGREE).sum(), (matrix.values[:, j] == DISAGREE).sum()
        # Nobody has taken a side on it yet, or it is the split and its side did not win.
        if ups + downs == 0 or (s == split and ups <= downs):
            continue
        add(texts[s], s, "statement", agree[:, j])
    for reason in reasons:
        j = column.get(reason.statement, -1)
        if j < 0 or reason.statement in matrix.excluded:
            continue
        if reason.side == AGREE:
            add(reason.text, reason.statement, "for", agree[:, j])
        elif reason.side == DISAGREE:
            add(reason.text, reason.statement, "against", disagree[:, j])
    return found


def best_statement(matrix: VoteMatrix, groups: OpinionGroups) -> tuple[str | None, float]:
    """The shown, non-meta statement with the highest least group agreement (voted on by
    someone), and that agreement; (None, 0) when there is none."""
    agree, _ = _laplace(matrix, groups)
    voted = ~np.isnan(matrix.values)
    best: tuple[str | None, float] = (None, 0.0)
    for j, s in enumerate(matrix.statements):
        if s in matrix.excluded or not voted[:, j].any():
            continue
        least = float(agree[:, j].min())
        if least > best[1]:
            best = (s, least)
    return best


def _pool(found: list[Sentence], split: str | None) -> list[int]:
    """The candidates worth combining, by index, in candidate order."""
    by_least = sorted(
        range(len(found)), key=lambda i: (-found[i].least, found[i].kind != "statement", i)
    )
    chosen = set(by_least[:POOL])
    for g in range(len(found[0].agreement)):
        by_group = sorted(range(len(found)), key=lambda i: (-found[i].agreement[g], i))
        chosen.update(by_group[:PER_GROUP])
    if split is not None:
        on_split = [i for i in by_least if found[i].statement == split]
        chosen.update(on_split[:PER_GROUP])
    return sorted(chosen)


def choose(
    found: list[Sentence], split: str | None = None, off_split: int | None = MAX_OFF_SPLIT
) -> tuple[Sentence, ...]:
    """The combination of up to MAX_SENTENCES candidates with the highest least mean group
    agreement (ties: fewer sentences, higher mean, earlier candidates); on a split, one that
    includes a sentence on it and at most `off_split` others (None: any). Empty when there is
    nothing to choose from."""
    if not found:
        return ()
    pool = _pool(found, split)
    table = np.array([found[i].agreement for i in pool]).T  # groups × pool
    on_split = np.array([found[i].statement == split for i in pool])
    best_least = -1.0
    best_combo: tuple[int, ...] = ()
    for size in range(1, min(MAX_SENTENCES, len(pool)) + 1):
        combos = np.array(list(itertools.combinations(range(len(pool)), size)), dtype=np.int64)
        if split is not None:
            on = on_split[combos].sum(axis=1)
            keep = on >= 1 if off_split is None else (on >= 1) & (size - on <= off_split)
            combos = combos[keep]
        if len(combos) == 0:
            continue
        means = table[:, combos].mean(axis=2)  # groups × combos
        least = np.round(means.min(axis=0), 9)
        overall = np.round(means.mean(axis=0), 9)
        # The highest least, then the highest mean; lexsort is stable, so of equals the
        # earliest combination (combinations come in candidate order).
        top = int(np.lexsort((-overall, -least))[0])
        # A longer draft must do strictly better: on a tie, fewer sentences win.
        if float(least[top]) > best_least:
            best_least, best_combo = float(least[top]), tuple(int(c) for c in combos[top])
    return tuple(found[pool[c]] for c in best_combo)


def draft(
    matrix: VoteMatrix,
    texts: Mapping[str, str],
    reasons: Sequence[Reason],
    groups: OpinionGroups,
    split: str | None = None,
    off_split: int | None = MAX_OFF_SPLIT,
) -> Draft | None:
    """The draft for these groups (see the module's docstring), or None when no candidate
    sentence addresses the split or there is none at all."""
    if len(groups.rows) < 2 or any(not rows for rows in groups.rows):
        return None
    found = candidates(matrix, texts, reasons, groups, split)
    chosen = choose(found, split, off_split)
    if not chosen:
        return None
    agreement = tuple(
        float(np.mean([s.agreement[g] for s in chosen])) for g in range(len(groups.rows))
    )
    best, best_least = best_statement(matrix, groups)
    return Draft(chosen, groups.names, agreement, best, best_least)
