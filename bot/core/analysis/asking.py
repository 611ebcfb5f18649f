"""Which statement teaches the most when put to one member: the expected-information order.

Pol.is' priority (priority.py) ranks statements the same way for everyone. Here each member
gets their own order (SPEC §4.6), from a model of the votes collected so far (`asking_model`,
rebuilt from the pack's votes whenever a ballot is drawn) and the member's own answers so far
(`information`, cheap, per ask):

    value(m, s) = answered(s) · [ I(group of m ; m's vote on s)
                                  + PLACE_WEIGHT · I(place of m on the map ; m's vote on s)
                                  + GROUND_WEIGHT · decided(s) · settle(s) ]

- `I(group ...)` is the mutual information, in bits, between the member's opinion group and
  their vote (agree, disagree or pass) on s: the expected fall in the entropy of the member's
  group once they answer. The member's belief about their group is the groups' sizes updated
  by the answers they gave (naive Bayes, each answer's likelihood tempered to the power
  ANSWER_WEIGHT = 0.5, since answers are not independent); each group's chance of each vote on
  s is its members' share, with one pseudo-vote of each kind. A statement one camp agrees
  with and the other rejects teaches much about a newcomer and nothing once their group is
  plain; one everyone agrees with teaches nothing about anyone's group.
- `I(place ...)` is the same for the member's place on the opinion map (groups.py's PCA, on
  which the groups are cut): a vote is read as the statement's loadings times the member's
  place plus noise (`Place`), so a statement that loads on the axes where the member's place
  is still vague teaches the most, and one that loads nowhere teaches nothing.
- `settle(s)` is what one more decided vote does for s's common-ground call (bridging.py): how
  much narrower its interval gets, `wilson(n) − wilson(n + 1)` in width at its current score.
  It counts in full while the call is open: its interval holds the threshold, or it could be
  among the RANKED = 10 the common ground leads with (its interval reaches the low end of the
  tenth best), so that the leading statements' votes pile up as their rank needs; otherwise a
  quarter of that, since a vote can still move its rank. A statement nobody has decided yet
  has the whole of 0–1 to lose, so new statements come early, as in Pol.is.
- `answered(s)` is the share of asks of s that got any vote and `decided(s)` the share of its
  votes that were not a pass, each with one pseudo-count either way: a vote never given
  teaches nothing, and a pass says nothing about common ground.

The groups are the analysis' own when it finds real ones; otherwise, with at least four
members on the map, two groups cut on the map by k-means (an early guess beats none); with no
map, nothing is learnt about groups or places and only common ground counts. Ties go to the
statement that comes first in the candidates' order (the ballot passes Pol.is' order), so the
order is deterministic and Pol.is' order decides where the model knows nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bot.core.analysis.bridging import common_ground, wilson
from bot.core.analysis.groups import Geometry, IntArray, find_groups, geometry
from bot.core.analysis.matrix import AGREE, DISAGREE, PASS, FloatArray, VoteMatrix
from bot.core.analysis.reality import batched_kmeans
from bot.core.analysis.stats import DEFAULT_RULES, Rules

# A statement already called counts this share of its interval's narrowing.
DECIDED_WEIGHT = 0.25
MIN_MEMBERS_TO_GUESS_GROUPS = 4
# Each answer's likelihood is raised to this power before it updates the belief: the groups'
# vote shares treat a member's answers as independent, which they are not, and a belief built
# on them turns sure after three or four answers.
ANSWER_WEIGHT = 0.5
# How many statements lead the common ground (a summary's list): a statement whose interval
# holds the line between them and the rest still needs votes, as one that holds the
# threshold does (0: only the threshold counts).
RANKED = 10
# The weight of common ground against the group's bits.
GROUND_WEIGHT = 1.0
# The weight of the member's place on the map against the group's bits.
PLACE_WEIGHT = 1.0
_VOTES = (AGREE, DISAGREE, PASS)


@dataclass(frozen=True, eq=False)
class Place:
    """What places a member on the map (groups.py's PCA): each statement's loadings on the two
    axes (zero off the map), how far votes on it stray from what the member's place predicts
    (`noise`, a variance) and how far members spread along each axis (`spread`)."""

    loadings: FloatArray
    noise: FloatArray
    spread: FloatArray


@dataclass(frozen=True, eq=False)
class AskingModel:
    """What the order knows of the votes collected so far, by statement (`index` gives the
    row of a statement id in the arrays).

    `chances` is statements × groups × 3: each group's chance of agree, disagree, pass on each
    statement (uniform for a statement outside the groups' view, meta ones say); `group_sizes`
    the groups' members (empty: no groups known). `settle`, `answered` and `decided` are the
    per-statement factors of the module's docstring; a statement the model does not know
    counts as one nobody has voted on yet.
    """

    index: Mapping[str, int]
    group_sizes: tuple[int, ...]
    chances: FloatArray
    settle: FloatArray
    answered: FloatArray
    decided: FloatArray
    place: Place | None = None


def narrowing(score: float, n: float, z: float) -> float:
    """How much one more vote narrows a Wilson interval of this share over n votes."""
    low, high = wilson(score, n, z)
    low_next, high_next = wilson(score, n + 1, z)
    return max(0.0, (high - low) - (high_next - low_next))


# What one vote does for a statement nobody has decided yet.
_FRESH = narrowing(0.5, 0, DEFAULT_RULES.common_ground_z)


def _group_labels(
    matrix: VoteMatrix, shape: Geometry | None, rules: Rules
) -> tuple[list[int], np.ndarray] | None:
    """Rows of the matrix in groups and their labels (0…k−1), or None without a map."""
    if shape is None:
        return None
    found = find_groups(matrix, shape, rules=rules).groups
    if found is not None:
        rows = [matrix.member_index(m) for m in found.assignments]
        return rows, np.asarray(list(found.assignments.values()), dtype=np.int64)
    if len(shape.rows) < MIN_MEMBERS_TO_GUESS_GROUPS:
        return None
    rng = np.random.default_rng(rules.random_state)
    labels = batched_kmeans(shape.projections[np.newaxis], 2, rules.kmeans_starts, rng)[0]
    if len(set(labels.tolist())) < 2:
        return None
    return list(shape.rows), np.asarray(labels, dtype=np.int64)


def _place(matrix: VoteMatrix, shape: Geometry | None) -> Place | None:
    """The map's loadings and spreads (see `Place`), or None without a map.

    A vote y on statement s is read as y − mean(s) = loadings(s) · x + noise, x the member's
    place: the spread of x is that of the members' places on the map, and the noise of s what
    its votes vary beyond what the places explain (at least a tenth of their variance, so no
    statement passes for an exact ruler)."""
    if shape is None or len(shape.rows) < 2:
        return None
    n = len(matrix.statements)
    columns = list(shape.columns)
    loadings = np.zeros((n, 2))
    loadings[columns] = shape.components.T
    spread = np.maximum(shape.projections.var(axis=0), 1e-6)
    values = matrix.values[:, columns]
    present = ~np.isnan(values)
    count = np.maximum(present.sum(axis=0), 1)
    mean = np.where(present, values, 0.0).sum(axis=0) / count
    variance = np.where(present, (values - mean) ** 2, 0.0).sum(axis=0) / count
    explained = (shape.components.T**2) @ spread
    noise = np.ones(n)
    noise[columns] = np.maximum(variance - explained, np.maximum(0.1 * variance, 1e-3))
    return Place(loadings, noise, spread)


def asking_model(
    matrix: VoteMatrix,
    asks: Mapping[str, int] | None = None,
    rules: Rules = DEFAULT_RULES,
) -> AskingModel:
    """The model of the votes so far; `asks` counts how often each statement was put to
    someone (answered or not); without it every vote counts as one ask answered."""
    n = len(matrix.statements)
    present = ~np.isnan(matrix.values)
    votes = present.sum(axis=0).astype(np.float64)
    decided_votes = ((matrix.values == AGREE) | (matrix.values == DISAGREE)).sum(axis=0)
    asked = asks or {}
    times = np.asarray([asked.get(s, 0) for s in matrix.statements], dtype=np.float64)
    answered = (votes + 1) / (np.maximum(times, votes) + 2)
    decided = (decided_votes + 1) / (votes + 2)
    settle = np.full(n, _FRESH)
    index = {s: j for j, s in enumerate(matrix.statements)}
    found = common_ground(matrix, rules)
    lows = sorted((c.low for c in found), reverse=True)
    lines = [rules.common_ground_threshold]
    if RANKED and len(lows) > RANKED:
        lines.append(lows[int(RANKED) - 1])
    for c in found:
        width = narrowing(c.score, c.votes, rules.common_ground_z)
        open_ = c.split <= rules.common_ground_max_split and (
            c.low <= lines[0] <= c.high or (len(lines) > 1 and c.high >= lines[1])
        )
        settle[index[c.id]] = width if open_ else DECIDED_WEIGHT * width
    settle[[index[s] for s in matrix.excluded if s in index]] = 0.0
    shape = geometry(matrix, rules)
    place = _place(matrix, shape)
    grouped = _group_labels(matrix, shape, rules)
    if grouped is None:
        uniform = np.full((n, 1, 3), 1 / 3)
        return AskingModel(index, (), uniform, settle, answered, decided, place)
    rows, labels = grouped
    k = int(labels.max()) + 1
    member_of = (labels[:, np.newaxis] == np.arange(k)).astype(np.float64)  # rows × k
    values = matrix.values[rows]
    counts = np.stack([(values == v).astype(np.float64).T @ member_of for v in _VOTES], axis=2)
    chances = (counts + 1) / (counts.sum(axis=2, keepdims=True) + len(_VOTES))
    chances[[index[s] for s in matrix.meta if s in index]] = 1 / 3
    sizes = tuple(int(size) for size in member_of.sum(axis=0))
    return AskingModel(index, sizes, chances, settle, answered, decided, place)


def group_belief(model: AskingModel, answers: Mapping[str, int]) -> FloatArray:
    """The member's chance of being in each group, from the groups' sizes and their answers."""
    if not model.group_sizes:
        return np.ones(1)
    log_belief = np.log(np.asarray(model.group_sizes, dtype=np.float64))
    for statement, vote in answers.items():
        j = model.index.get(statement)
        if j is not None and vote in _VOTES:
            log_belief = log_belief + ANSWER_WEIGHT * np.log(
                model.chances[j, :, _VOTES.index(vote)]
            )
    belief = np.exp(log_belief - log_belief.max())
    result: FloatArray = belief / belief.sum()
    return result


def _entropy(p: FloatArray) -> FloatArray:
    """Entropy in bits along the last axis."""
    logs = np.log2(np.where(p > 0, p, 1.0))
    result: FloatArray = -(p * logs).sum(axis=-1)
    return result


def group_information(chances: FloatArray, belief: FloatArray) -> FloatArray:
    """Mutual information (bits) between the member's group and their vote, for each of the
    statements × groups × 3 `chances`: H(group) + H(vote) − H(group, vote)."""
    outcome = np.einsum("g,sgv->sv", belief, chances)
    joint = belief[np.newaxis, :, np.newaxis] * chances
    mutual = _entropy(belief) + _entropy(outcome) - _entropy(joint.reshape(len(chances), -1))
    result: FloatArray = np.maximum(mutual, 0.0)
    return result


def place_information(place: Place, rows: IntArray, answered_rows: Sequence[int]) -> FloatArray:
    """Mutual information (bits) between the member's place on the map and their vote on
    each statement of `rows`, given that they answered `answered_rows`: with the Gaussian
    reading of `Place`, ½·log2(1 + l·Σ·l / noise), Σ the spread of the member's place once
    their answers are in."""
    precision = np.diag(1 / place.spread)
    if len(answered_rows):
        known = place.loadings[list(answered_rows)]
        weights = ANSWER_WEIGHT / place.noise[list(answered_rows)]
        precision = precision + (known * weights[:, np.newaxis]).T @ known
    covariance = np.linalg.inv(precision)
    loadings = place.loadings[rows]
    spread = np.einsum("si,ij,sj->s", loadings, covariance, loadings)
    result: FloatArray = 0.5 * np.log2(1 + spread / place.noise[rows])
    return result


def information(
    model: AskingModel,
    answers: Mapping[str, int],
    candidates: Sequence[str],
    pending: Sequence[str] = (),
) -> FloatArray:
    """The value of asking each candidate (in their order) to a member with these answers.
    `pending` were put to the member with the candidates and are not answered yet: what they
    will tell of the member's place is counted already (it does not depend on the vote)."""
    known = np.asarray([model.index.get(s, -1) for s in candidates], dtype=np.int64)
    rows = np.maximum(known, 0)
    mine = known >= 0
    belief = group_belief(model, answers)
    about_group = np.where(mine, group_information(model.chances[rows], belief), 0.0)
    settle = np.where(mine, model.settle[rows], _FRESH)
    decided = np.where(mine, model.decided[rows], 0.5)
    answered = np.where(mine, model.answered[rows], 0.5)
    about_place = np.zeros(len(candidates))
    if model.place is not None and PLACE_WEIGHT > 0:
        given = [model.index[s] for s in [*answers, *pending] if s in model.index]
        about_place = np.where(mine, place_information(model.place, rows, given), 0.0)
    values: FloatArray = answered * (
        about_group + PLACE_WEIGHT * about_place + GROUND_WEIGHT * decided * settle
    )
    return values


def ask_order(
    model: AskingModel, answers: Mapping[str, int], candidates: Sequence[str], limit: int
) -> list[str]:
    """Up to `limit` candidates the member has not answered, to put to them together, best
    first: each pick is the one worth most once those before it are pending, the first of
    equals in the candidates' order (callers pass Pol.is' order, which so decides wherever
    the model knows nothing, e.g. before anyone has voted)."""
    open_ = [s for s in candidates if s not in answers]
    chosen: list[str] = []
    while open_ and len(chosen) < limit:
        pick = open_[int(np.argmax(information(model, answers, open_, chosen)))]
        chosen.append(pick)
        open_.remove(pick)
    return chosen


def next_to_ask(
    model: AskingModel, answers: Mapping[str, int], candidates: Sequence[str]
) -> str | None:
    """The candidate worth most (the first of equals) that the member has not answered, or
    None when there is none. Callers leave out what the member was asked and skipped."""
    first = ask_order(model, answers, candidates, 1)
    return first[0] if first else None
