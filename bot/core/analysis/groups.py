"""Opinion geometry, groups, representative statements (SPEC §4.4).

Small teams are not Pol.is conversations: k-means on a 2-D projection always "finds" camps,
so groups are only reported when they hold up on the members' full vote vectors.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.cluster import KMeans

from bot.core.analysis.matrix import AGREE, DISAGREE, AnalysisError, FloatArray, VoteMatrix
from bot.core.analysis.stats import (
    DEFAULT_RULES,
    Direction,
    Rules,
)

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class Geometry:
    """Members who voted enough, projected to 2-D as Pol.is does.

    `rows` index the matrix' members, `columns` its statements. `filled` holds their votes
    with each missing vote replaced by the statement's mean; `means` are those means.
    """

    rows: tuple[int, ...]
    columns: tuple[int, ...]
    filled: FloatArray
    projections: FloatArray
    components: FloatArray
    means: FloatArray
    statement_projections: FloatArray

    def extremity(self) -> FloatArray:
        lengths: FloatArray = np.linalg.norm(self.statement_projections, axis=1)
        return lengths


def column_means(values: FloatArray) -> FloatArray:
    """Mean of each column over the votes present; 0 where nobody voted (no empty means)."""
    present = ~np.isnan(values)
    totals = np.where(present, values, 0.0).sum(axis=0)
    counts = present.sum(axis=0)
    means: FloatArray = np.divide(totals, counts, out=np.zeros_like(totals), where=counts > 0)
    return means


def _principal_components(centred: FloatArray, n_components: int) -> FloatArray:
    # The eigenvectors of the small statements × statements covariance are the right singular
    # vectors of the data; far cheaper than an SVD when members outnumber statements.
    if centred.shape[0] > centred.shape[1]:
        _, vectors = np.linalg.eigh(centred.T @ centred)
        found = vectors[:, ::-1][:, :n_components].T
    else:
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        found = vt[:n_components]
    components = np.zeros((n_components, centred.shape[1]))
    # Eigenvector signs are arbitrary; fix them so the same votes always draw the same map.
    for i, vector in enumerate(found):
        pivot = int(np.argmax(np.abs(vector)))
        components[i] = -vector if vector[pivot] < 0 else vector
    return components


def geometry(matrix: VoteMatrix, rules: Rules = DEFAULT_RULES) -> Geometry | None:
    """Pol.is' PCA map, or None when fewer than two members or statements can shape it.

    As in Pol.is, every member's votes shape the axes, but only members with enough votes (on
    any statement) are placed on the map; hidden and meta statements count as a pass from
    everyone, so they do not shape the axes yet still temper the scaling of sparse voters.
    Pol.is' own groups depend on that scaling: without it 15-per-hour-seattle's agree with
    Pol.is at an adjusted Rand index of 0.78 instead of 0.88.
    """
    columns = matrix.geometry_columns()
    if len(columns) < 2:
        return None
    present = ~np.isnan(matrix.values)
    voted_columns = present.any(axis=0)
    left_out = int(voted_columns.sum()) - len(columns)
    n_total = len(columns) + left_out
    threshold = min(rules.min_votes_to_enter_geometry, n_total)
    votes_cast = present.sum(axis=1)
    rows = np.flatnonzero(votes_cast >= threshold)
    if len(rows) < 2:
        return None
    votes = matrix.values[:, columns]
    means = column_means(votes)
    filled_all = np.where(np.isnan(votes), means, votes)
    centred = filled_all - means
    components = _principal_components(centred, 2)
    voted_here = present[rows][:, columns].sum(axis=1) + left_out
    scale = np.sqrt(n_total / np.maximum(voted_here, 1))
    projections = (centred[rows] @ components.T) * scale[:, np.newaxis]
    # A virtual member who agrees with one statement only and is average elsewhere.
    statement_projections = ((AGREE - means)[:, np.newaxis] * components.T) * math.sqrt(n_total)
    return Geometry(
        rows=tuple(int(i) for i in rows),
        columns=tuple(columns),
        filled=filled_all[rows],
        projections=projections,
        components=components,
        means=means,
        statement_projections=statement_projections,
    )


def _distinct_points(points: FloatArray) -> int:
    return len(np.unique(np.round(points, 12), axis=0))


def kmeans_labels(points: FloatArray, k: int, rules: Rules = DEFAULT_RULES) -> IntArray:
    model = KMeans(n_clusters=k, n_init=rules.kmeans_starts, random_state=rules.random_state)
    return np.asarray(model.fit_predict(points), dtype=np.int64)


# Distances are worked out this many at a time, to bound memory on large conversations.
_DISTANCE_BLOCK = 1 << 18


def silhouette(points: FloatArray, labels: IntArray) -> float:
    """Mean silhouette (as sklearn.metrics.silhouette_score), by blocks of exact distances:
    each member's summed distance to every group comes from one product with the groups'
    membership, so the cost is that of the distances alone."""
    n = len(points)
    k = int(labels.max()) + 1
    member_of = (labels[:, np.newaxis] == np.arange(k)).astype(np.float64)
    sizes = member_of.sum(axis=0)
    sums = np.empty((n, k))
    squares = np.einsum("ij,ij->i", points, points)
    step = max(1, _DISTANCE_BLOCK // max(n, 1))
    for start in range(0, n, step):
        block = points[start : start + step]
        if points.shape[1] <= 3:
            # Differences keep full precision for the low-dimensional map.
            distances = np.zeros((len(block), n))
            for axis in range(points.shape[1]):
                gap = np.subtract.outer(block[:, axis], points[:, axis])
                np.multiply(gap, gap, out=gap)
                distances += gap
            np.sqrt(distances, out=distances)
        else:
            squared = squares[start : start + step, np.newaxis] + squares - 2 * block @ points.T
            distances = np.sqrt(np.maximum(squared, 0.0))
        sums[start : start + step] = distances @ member_of
    own = sizes[labels]
    inside = sums[np.arange(n), labels] / np.maximum(own - 1, 1)
    others = np.where(member_of > 0, np.inf, sums / np.maximum(sizes, 1))
    others[:, sizes == 0] = np.inf
    nearest = others.min(axis=1)
    spread = np.maximum(inside, nearest)
    scores = np.divide(nearest - inside, spread, out=np.zeros(n), where=spread > 0)
    # A member alone in a group scores 0, as in sklearn.
    scores[own == 1] = 0.0
    return float(scores.mean())


def _silhouette(points: FloatArray, labels: IntArray) -> float | None:
    n_labels = len(set(labels.tolist()))
    if n_labels < 2 or n_labels > len(labels) - 1:
        return None
    return silhouette(points, labels)


def best_kmeans(points: FloatArray, rules: Rules = DEFAULT_RULES) -> IntArray | None:
    """k = 2 … min(5, 2 + ⌊n/12⌋) chosen by the 2-D silhouette, as Pol.is does."""
    n = len(points)
    top = min(rules.max_groups, 2 + n // 12, _distinct_points(points), n - 1)
    best: tuple[float, IntArray] | None = None
    for k in range(2, top + 1):
        labels = kmeans_labels(points, k, rules)
        score = _silhouette(points, labels)
        if score is not None and (best is None or score > best[0]):
            best = (score, labels)
    return None if best is None else best[1]


@dataclass(frozen=True)
class Groups:
    """Members' group index (from 0), the full-vote silhouette, and whether k was forced."""

    k: int
    silhouette: float | None
    assignments: dict[str, int]
    forced: bool

    @classmethod
    def given(cls, assignments: Mapping[str, int | str]) -> Groups:
        """Groups decided elsewhere (Pol.is' own, a facilitator's): labels are numbered from 0
        in their sorted order, numbers before names, so Pol.is' group ids keep their numbers."""
        labels = sorted(
            set(assignments.values()),
            key=lambda label: (0, label, "") if isinstance(label, int) else (1, 0, label),
        )
        if not labels:
            raise AnalysisError("no group assignments given")
        index = {label: i for i, label in enumerate(labels)}
        return cls(
            k=len(labels),
            silhouette=None,
            assignments={member: index[label] for member, label in assignments.items()},
            forced=True,
        )


@dataclass(frozen=True)
class Grouping:
    """The groups found (or None and why), the members set apart, and the k asked for if any.

    With k asked for, a group left with a single member is dissolved and that member listed as
    an outlier, so `groups.k` may end up below `asked`.
    """

    groups: Groups | None
    outliers: tuple[str, ...]
    reason: str
    asked: int | None = None


def _renumber(labels: list[int]) -> list[int]:
    order: dict[int, int] = {}
    for label in labels:
        order.setdefault(label, len(order))
    return [order[label] for label in labels]


def find_groups(
    matrix: VoteMatrix,
    shape: Geometry | None,
    *,
    k: int | None = None,
    rules: Rules = DEFAULT_RULES,
) -> Grouping:
    """Opinion groups, lone members set apart as outliers, or None when camps are not distinct."""
    if k is not None and k < 2:
        raise AnalysisError("the number of groups must be at least 2")
    if shape is None:
        if k is not None:
            raise AnalysisError("too few members or statements to form groups")
        return Grouping(None, (), "too few members or statements to draw a map")
    n = len(shape.rows)
    if k is not None:
        if 2 * k > n:
            raise AnalysisError(
                f"{n} members placed on the map are too few for {k} groups "
                "(a group needs two members)"
            )
        if k > _distinct_points(shape.projections):
            raise AnalysisError(f"cannot form {k} groups from {n} members' distinct positions")
        labels: IntArray | None = kmeans_labels(shape.projections, k, rules)
    else:
        labels = best_kmeans(shape.projections, rules)
    if labels is None:
        return Grouping(None, (), "the members' positions do not split")
    sizes = np.bincount(labels)
    members = [matrix.members[i] for i in shape.rows]
    outliers = tuple(m for m, label in zip(members, labels, strict=True) if sizes[label] == 1)
    keep = np.asarray([sizes[label] >= 2 for label in labels])
    kept_labels = np.asarray(_renumber(labels[keep].tolist()), dtype=np.int64)
    kept_members = [m for m, kept in zip(members, keep, strict=True) if kept]
    n_groups = len(set(kept_labels.tolist()))
    score = _silhouette(shape.filled[keep], kept_labels)
    if n_groups == 0:
        return Grouping(None, outliers, "every member stands alone", asked=k)
    found = Groups(
        k=n_groups,
        silhouette=score,
        assignments=dict(zip(kept_members, kept_labels.tolist(), strict=True)),
        forced=k is not None,
    )
    if k is not None:
        return Grouping(found, outliers, f"{k} groups asked for", asked=k)
    if n < rules.min_members_for_groups:
        return Grouping(None, outliers, f"only {n} members voted enough to be placed")
    if n_groups < 2:
        return Grouping(None, outliers, "fewer than two groups of two or more members")
    if score is None or score < rules.min_full_silhouette:
        return Grouping(None, outliers, "the groups do not hold up on the full votes")
    return Grouping(found, outliers, "distinct groups")


@dataclass(frozen=True)
class Repness:
    """How much group g's view of a statement stands out from the other groups'."""

    id: str
    agree: int
    disagree: int
    seen: int
    pa: float
    pd: float
    pat: float
    pdt: float
    ra: float
    rd: float
    rat: float
    rdt: float

    @property
    def direction(self) -> Direction:
        return "agree" if self.rat > self.rdt else "disagree"

    def metric(self, direction: Direction | None = None) -> float:
        if (direction or self.direction) == "agree":
            return self.ra * self.rat * self.pa * self.pat
        return self.rd * self.rdt * self.pd * self.pdt


@dataclass(frozen=True)
class Representative:
    id: str
    direction: Direction
    best_agree: bool = False


def group_rows(matrix: VoteMatrix, groups: Groups) -> list[list[int]]:
    rows: list[list[int]] = [[] for _ in range(groups.k)]
    index = {member: i for i, member in enumerate(matrix.members)}
    for member, label in groups.assignments.items():
        if member not in index:
            raise AnalysisError(f"unknown member {member!r}")
        rows[label].append(index[member])
    return rows


@dataclass(frozen=True, eq=False)
class GroupTables:
    """Every group's counts and Pol.is figures at once: arrays of groups × statements."""

    agree: IntArray
    disagree: IntArray
    seen: IntArray
    pa: FloatArray
    pd: FloatArray
    pat: FloatArray
    pdt: FloatArray
    ra: FloatArray
    rd: FloatArray
    rat: FloatArray
    rdt: FloatArray


def _smoothed(successes: IntArray, total: IntArray) -> FloatArray:
    share: FloatArray = (successes + 1) / (total + 2)
    return share


def _one_prop_z(successes: IntArray, total: IntArray) -> FloatArray:
    z: FloatArray = 2 * np.sqrt(total + 1) * ((successes + 1) / (total + 1) - 0.5)
    return z


def _two_prop_z(s_in: IntArray, s_out: IntArray, n_in: IntArray, n_out: IntArray) -> FloatArray:
    s1, s2, n1, n2 = s_in + 1, s_out + 1, n_in + 1, n_out + 1
    pooled = (s1 + s2) / (n1 + n2)
    spread = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    safe = np.where(spread > 0, spread, 1.0)
    # A pooled share of 1 makes the test degenerate; its limit is no difference.
    z: FloatArray = np.where(spread > 0, (s1 / n1 - s2 / n2) / np.sqrt(safe), 0.0)
    return z


def group_tables(matrix: VoteMatrix, groups: Groups) -> GroupTables:
    labels = np.full(len(matrix.members), -1, dtype=np.int64)
    for g, member_rows in enumerate(group_rows(matrix, groups)):
        labels[member_rows] = g
    member_of = (labels[np.newaxis, :] == np.arange(groups.k)[:, np.newaxis]).astype(np.float64)
    values = np.nan_to_num(matrix.values, nan=0.5)
    # Counts by matrix product: one pass over the votes for all groups.
    agree = np.rint(member_of @ (values == AGREE)).astype(np.int64)
    disagree = np.rint(member_of @ (values == DISAGREE)).astype(np.int64)
    seen = np.rint(member_of @ ~np.isnan(matrix.values)).astype(np.int64)
    a_out, d_out, s_out = agree.sum(0) - agree, disagree.sum(0) - disagree, seen.sum(0) - seen
    pa, pd = _smoothed(agree, seen), _smoothed(disagree, seen)
    return GroupTables(
        agree=agree,
        disagree=disagree,
        seen=seen,
        pa=pa,
        pd=pd,
        pat=_one_prop_z(agree, seen),
        pdt=_one_prop_z(disagree, seen),
        ra=pa / _smoothed(a_out, s_out),
        rd=pd / _smoothed(d_out, s_out),
        rat=_two_prop_z(agree, a_out, seen, s_out),
        rdt=_two_prop_z(disagree, d_out, seen, s_out),
    )


_REPNESS_FIELDS = ("agree", "disagree", "seen", "pa", "pd", "pat", "pdt", "ra", "rd", "rat", "rdt")


def _repness_rows(matrix: VoteMatrix, tables: GroupTables, group: int) -> list[Repness]:
    columns = [getattr(tables, name)[group].tolist() for name in _REPNESS_FIELDS]
    return [Repness(*row) for row in zip(matrix.statements, *columns, strict=True)]


def repness(matrix: VoteMatrix, groups: Groups, group: int) -> list[Repness]:
    return _repness_rows(matrix, group_tables(matrix, groups), group)


def _beats_best_agree(this: Repness, best: Repness | None, rules: Rules) -> bool:
    if this.agree == 0 and this.disagree == 0:
        return False
    if best is None:
        return this.pat > rules.significance_z or (this.ra > 1.0 and this.pa > 0.5)
    if best.ra > 1.0:
        return this.metric("agree") > best.metric("agree")
    return this.pa * this.pat > best.pa * best.pat


def select_representative(
    candidates: list[Repness], rules: Rules = DEFAULT_RULES
) -> tuple[Representative, ...]:
    """Pol.is' choice: the best agreed statement first, then the significant ones by
    ra·rat·pa·pat (or the disagree counterparts), at most `pick_max`, agrees before disagrees.
    When nothing is significant the single most representative statement stands in."""
    z = rules.significance_z
    best_agree: Repness | None = None
    for row in candidates:
        if _beats_best_agree(row, best_agree, rules):
            best_agree = row
    sufficient = [
        row for row in candidates if (row.pat > z and row.rat > z) or (row.pdt > z and row.rdt > z)
    ]
    head: list[Representative] = []
    if best_agree is not None:
        # Pol.is labels even its best-agree pick by whichever test is stronger.
        head = [Representative(best_agree.id, best_agree.direction, best_agree=True)]
    elif not sufficient and candidates:
        best = max(candidates, key=lambda row: max(row.rat, row.rdt))
        head = [Representative(best.id, best.direction)]
    ranked = sorted(sufficient, key=lambda row: -row.metric())
    chosen = head + [
        Representative(row.id, row.direction) for row in ranked if not head or row.id != head[0].id
    ]
    chosen = chosen[: rules.pick_max]
    return tuple(sorted(chosen, key=lambda r: r.direction != "agree"))


def representative_statements(
    matrix: VoteMatrix,
    groups: Groups,
    rules: Rules = DEFAULT_RULES,
    tables: GroupTables | None = None,
) -> dict[int, tuple[Representative, ...]]:
    tables = tables if tables is not None else group_tables(matrix, groups)
    out = {}
    for group in range(groups.k):
        candidates = [
            row for row in _repness_rows(matrix, tables, group) if row.id not in matrix.excluded
        ]
        out[group] = select_representative(candidates, rules)
    return out


def group_consensus(
    matrix: VoteMatrix, groups: Groups, tables: GroupTables | None = None
) -> dict[str, float]:
    """Group-informed consensus: the product over groups of each group's smoothed agree share."""
    tables = tables if tables is not None else group_tables(matrix, groups)
    product = np.prod(tables.pa, axis=0)
    return dict(zip(matrix.statements, product.tolist(), strict=True))
