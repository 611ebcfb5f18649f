"""Common ground: agreement that holds across the opinion axis, with an honest interval.

The model is the one Community Notes scores notes with, fitted to a pack's votes:

    vote(member i, statement j) ≈ μ + a_i + b_j + u_i · v_j

where agree counts 1 and disagree 0, and passes are left out: a pass says the member has no
view, and counting it as half an agree would pull every much-passed statement towards the
middle and make its interval look narrower than the decided votes allow. The 1-D factor
product u_i · v_j takes up what the opinion axis explains (a camp agreeing, the other
disagreeing), so the statement intercept b_j is what is left: agreement shared whatever a
member's place on the axis. Unlike a raw share, it is not carried by the largest camp alone.

The loss is the squared error plus Community Notes' L2 penalties: λ = 0.03 on the factors and
5 λ on the intercepts, on the mean square of each kind of parameter as theirs, which written
as sums makes a statement's penalty λ times the mean number of votes per statement (and a
member's, per member). In a small team that penalty all but vanishes (6 members give a
statement intercept under one pseudo-vote), so an intercept's penalty is never below
INTERCEPT_FLOOR = 2 votes at the centre. On the subsamples of 20 and 50 members of real
Pol.is conversations in the tests, that cuts the statements wrongly called common ground
(under 60 % agreement among all members) from 8 to 5, at some cost in what is found.
μ is the share of agree votes, left unpenalised; the intercepts carry the rest.

It is fitted by alternating least squares: with the members' parameters fixed, every
statement's (b_j, v_j) is a closed-form 2 × 2 ridge solve, all at once from a few
`np.bincount` sums over the vote list, and the other way round. Member factors start from
the first principal component of the votes (centred by statement, missing votes at the
statement's mean), by power iteration from a start that does not depend on the order of
rows or columns; its sign makes the largest loading positive, though a sign flip changes no
intercept. ROUNDS = 20 rounds bring every score within 0.002 of the converged fit on the
four Pol.is conversations in the tests, far inside any interval; the result is
deterministic and the same under any permutation of members or statements.

The score of a statement is the predicted agreement of a member at the centre of the axis
(factor 0) with the mean member intercept, μ + mean(a) + b_j, clipped to 0–1.

The interval is the Wilson score interval around the score, at `common_ground_z` (one-tailed
90 %, as every test of the analysis), with n the statement's informative votes: its decided
votes less what the factor takes, n − (Σu)² / Σu² over its voters' factors (the inverse of
the intercept's entry of the inverse normal equations, without the penalties). Voters spread
about the centre of the axis count in full; voters all from one side say little about a
member at the centre, however many they are. For 6 to 20 members a normal standard error is
useless at shares near 0 or 1 (five agrees of five give it zero width); Wilson's stays inside
0–1 and is wide when few have voted. Statements with no decided vote get 0–1.

A statement is common ground when the interval's low end clears `common_ground_threshold`
and it does not split the axis: its predicted agreement at the two ends of the axis (the
members at the 10th and 90th percentile of the factor) differs by at most
`common_ground_max_split`. Community Notes bounds the note factor for the same reason. It is
not common when the high end is below the threshold or the split is larger; otherwise it
needs more votes. The defaults ask that a member at the centre would agree with a clear
60 % majority, and that the two ends of the axis differ by at most half of all votes; a
statement one camp carries and the other rejects is therefore never common ground, however
large the camp that carries it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from bot.core.analysis.matrix import AGREE, DISAGREE, FloatArray, VoteMatrix
from bot.core.analysis.stats import DEFAULT_RULES, Rules

Status = Literal["common_ground", "needs_more_votes", "not_common"]
IntArray = npt.NDArray[np.int64]

FACTOR_LAMBDA = 0.03
INTERCEPT_LAMBDA = 5 * FACTOR_LAMBDA
ROUNDS = 20
INTERCEPT_FLOOR = 2.0
POWER_ROUNDS = 10
# Members at these quantiles of the factor stand for the two ends of the opinion axis.
END_QUANTILES = (0.1, 0.9)


@dataclass(frozen=True)
class CommonGround:
    """A statement's common-ground score (0–1) with its interval and what that says.

    `votes` is the number of decided votes behind it; `split` the difference in predicted
    agreement between members at the two ends of the opinion axis.
    """

    id: str
    score: float
    low: float
    high: float
    status: Status
    votes: int = 0
    split: float = 0.0


@dataclass(frozen=True)
class _Votes:
    """The decided votes as a list: member index, statement index, 1 agree or 0 disagree."""

    member: IntArray
    statement: IntArray
    value: FloatArray
    members: int
    statements: int


@dataclass(frozen=True)
class Fit:
    mean: float
    member_intercept: FloatArray
    member_factor: FloatArray
    statement_intercept: FloatArray
    statement_factor: FloatArray


def wilson(share: float, n: float, z: float) -> tuple[float, float]:
    """The Wilson score interval of a share of n; all of 0–1 when n is 0."""
    if n <= 0:
        return 0.0, 1.0
    z2 = z * z
    centre = share + z2 / (2 * n)
    margin = z * math.sqrt(max(share * (1 - share), 0.0) / n + z2 / (4 * n * n))
    scale = 1 + z2 / n
    return max(0.0, (centre - margin) / scale), min(1.0, (centre + margin) / scale)


def _decided(matrix: VoteMatrix, columns: list[int]) -> _Votes:
    values = matrix.values[:, columns]
    decided = (values == AGREE) | (values == DISAGREE)
    rows = np.flatnonzero(decided.any(axis=1))
    member, statement = np.nonzero(decided[rows])
    return _Votes(
        member=member.astype(np.int64),
        statement=statement.astype(np.int64),
        value=(values[rows][member, statement] == AGREE).astype(np.float64),
        members=len(rows),
        statements=len(columns),
    )


def _sums(index: IntArray, size: int, weights: FloatArray) -> FloatArray:
    sums = np.bincount(index, weights=weights, minlength=size)
    return sums.astype(np.float64, copy=False)


def _ridge_pairs(
    index: IntArray,
    count: FloatArray,
    residual: FloatArray,
    other: FloatArray,
    penalties: tuple[float, float],
) -> tuple[FloatArray, FloatArray]:
    """For every k at once, the ridge solution (c_k, w_k) of residual ≈ c_k + w_k · other
    over the votes with index k, penalties on c_k² and w_k²: a 2 × 2 solve each."""
    size = len(count)
    s = _sums(index, size, other)
    ss = _sums(index, size, other * other)
    r = _sums(index, size, residual)
    rs = _sums(index, size, residual * other)
    a00 = count + penalties[0]
    a11 = ss + penalties[1]
    det = a00 * a11 - s * s
    return (a11 * r - s * rs) / det, (a00 * rs - s * r) / det


def _first_component(votes: _Votes) -> FloatArray:
    """Members' scores on the first principal component of the votes, centred by statement
    with missing votes at the statement's mean (so 0 once centred), by power iteration;
    the sign makes the largest loading positive, the scale a standard deviation of 1."""
    i, j, m, n = votes.member, votes.statement, votes.members, votes.statements
    count = np.bincount(j, minlength=n)
    centred = votes.value - (_sums(j, n, votes.value) / np.maximum(count, 1))[j]
    loading = np.sqrt(_sums(j, n, centred * centred))
    for _ in range(POWER_ROUNDS):
        loading = _sums(j, n, centred * _sums(i, m, centred * loading[j])[i])
        norm = float(np.linalg.norm(loading))
        if norm == 0.0:
            return np.zeros(m)
        loading /= norm
    loading *= 1.0 if loading[int(np.argmax(np.abs(loading)))] >= 0 else -1.0
    score = _sums(i, m, centred * loading[j])
    spread = float(np.std(score))
    return score / spread if spread > 0 else score


def fit(votes: _Votes) -> Fit:
    """Alternating least squares on the decided votes (see the module's docstring)."""
    i, j, y = votes.member, votes.statement, votes.value
    total = len(y)
    # Community Notes penalises mean squares; as sums, the penalty of one parameter is the
    # mean one multiplied by votes per parameter.
    per_statement = total / max(votes.statements, 1)
    per_member = total / max(votes.members, 1)
    by_statement = (
        max(INTERCEPT_LAMBDA * per_statement, INTERCEPT_FLOOR),
        FACTOR_LAMBDA * per_statement,
    )
    by_member = (
        max(INTERCEPT_LAMBDA * per_member, INTERCEPT_FLOOR),
        FACTOR_LAMBDA * per_member,
    )
    count_j = np.bincount(j, minlength=votes.statements).astype(np.float64)
    count_i = np.bincount(i, minlength=votes.members).astype(np.float64)
    a = np.zeros(votes.members)
    u = _first_component(votes)
    mean = float(y.mean()) if total else 0.5
    b = np.zeros(votes.statements)
    v = np.zeros(votes.statements)
    centred = y - mean
    for _ in range(ROUNDS):
        b, v = _ridge_pairs(j, count_j, centred - a[i], u[i], by_statement)
        a, u = _ridge_pairs(i, count_i, centred - b[j], v[j], by_member)
    return Fit(mean, a, u, b, v)


def _informative_votes(votes: _Votes, member_factor: FloatArray, n: IntArray) -> FloatArray:
    """Per statement, how many of its votes inform the intercept once the factor is fitted:
    the inverse of the intercept's entry of the inverse of the normal equations,
    n − (Σu)² / Σu² over its voters' factors u. Voters spread evenly about the centre of
    the axis count in full; voters all on one side say little about a member at the centre,
    however many they are."""
    u = member_factor[votes.member]
    size = len(n)
    s = _sums(votes.statement, size, u)
    ss = _sums(votes.statement, size, u * u)
    lost = np.divide(s * s, ss, out=np.zeros(size), where=ss > 0)
    return np.clip(n - lost, 0.0, None)


def _status(low: float, high: float, split: float, rules: Rules) -> Status:
    if split > rules.common_ground_max_split or high < rules.common_ground_threshold:
        return "not_common"
    if low >= rules.common_ground_threshold:
        return "common_ground"
    return "needs_more_votes"


_ORDER = {"common_ground": 0, "needs_more_votes": 1, "not_common": 2}


def common_ground(matrix: VoteMatrix, rules: Rules = DEFAULT_RULES) -> tuple[CommonGround, ...]:
    """Every shown, non-meta statement with at least one vote, best first: common ground
    before needs more votes before not common, each by the low end of its interval, then
    score, then statement order."""
    voted = ~np.isnan(matrix.values)
    columns = [
        j
        for j, statement in enumerate(matrix.statements)
        if statement not in matrix.excluded and bool(voted[:, j].any())
    ]
    if not columns:
        return ()
    votes = _decided(matrix, columns)
    n = np.bincount(votes.statement, minlength=len(columns))
    if len(votes.value) == 0:
        centre, intercepts, factors = 0.5, np.zeros(len(columns)), np.zeros(len(columns))
        width, informative = 0.0, n.astype(np.float64)
    else:
        model = fit(votes)
        centre = model.mean + float(model.member_intercept.mean())
        intercepts, factors = model.statement_intercept, model.statement_factor
        ends = np.quantile(model.member_factor, END_QUANTILES)
        width = float(ends[1] - ends[0])
        informative = _informative_votes(votes, model.member_factor, n)
    found = []
    for k, j in enumerate(columns):
        score = min(1.0, max(0.0, centre + float(intercepts[k])))
        low, high = wilson(score, float(informative[k]), rules.common_ground_z)
        split = abs(float(factors[k])) * width
        found.append(
            CommonGround(
                id=matrix.statements[j],
                score=score,
                low=low,
                high=high,
                status=_status(low, high, split, rules),
                votes=int(n[k]),
                split=split,
            )
        )
    return tuple(sorted(found, key=lambda c: (_ORDER[c.status], -c.low, -c.score)))
