"""Opinion geometry, groups, representative statements (SPEC §4.4).

k-means on a 2-D projection always "finds" camps, so without a k asked for, groups are only
reported when they are real (reality.py): a map stronger than shuffled votes give, and groups
that stay when members or statements are resampled.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.core.analysis.matrix import AGREE, AnalysisError, FloatArray, VoteMatrix, column_means
from bot.core.analysis.reality import batched_kmeans, null_test, stability
from bot.core.analysis.stats import (
    DEFAULT_RULES,
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
    # Imported here: scikit-learn (with SciPy) takes seconds to import, and only a given
    # number of groups (`--k`) needs it; every other process start is spared the cost.
    from sklearn.cluster import KMeans

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


@dataclass(frozen=True)
class Groups:
    """Members' group index (from 0, largest group first), the full-vote silhouette, whether k
    was forced, and how stable the groups are under resampling (0–1; None when forced)."""

    k: int
    silhouette: float | None
    assignments: dict[str, int]
    forced: bool
    stability: float | None = None

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


def _full_silhouette(
    filled: FloatArray, members: list[str], labels: IntArray, rules: Rules
) -> float | None:
    """The silhouette on the members' full (mean-filled) votes; on a large conversation, on an
    even sample of `max_test_members` of them in member-id order (its cost grows with the
    square of the members, and a sample of hundreds gives the same figure to about 0.01)."""
    order = sorted(range(len(members)), key=members.__getitem__)
    step = -(-len(order) // rules.max_test_members)
    sample = order[::step]
    return _silhouette(filled[sample], labels[sample])


def _numbered(members: list[str], labels: IntArray) -> dict[str, int]:
    """Groups numbered largest first, then by their first member id: the same groups get the
    same numbers whatever the order of the rows."""
    by_label: dict[int, list[str]] = {}
    for member, label in zip(members, labels.tolist(), strict=True):
        by_label.setdefault(label, []).append(member)
    order = sorted(by_label.values(), key=lambda group: (-len(group), min(group)))
    return {member: g for g, group in enumerate(order) for member in group}


def _canonical_kmeans(points: FloatArray, members: list[str], k: int, rules: Rules) -> IntArray:
    """k-means with the points in member-id order, so its seeded starts do not depend on the
    order of the rows."""
    order = sorted(range(len(members)), key=members.__getitem__)
    labels = np.empty(len(members), dtype=np.int64)
    labels[order] = kmeans_labels(points[order], k, rules)
    return labels


def _real_groups(
    matrix: VoteMatrix, shape: Geometry, members: list[str], rules: Rules
) -> tuple[int, IntArray, float] | str:
    """(k, labels, stability) of the groups that are real, or why there are none."""
    n = len(members)
    top = min(rules.max_groups, 2 + n // 12, n // 2, _distinct_points(shape.projections))
    if top < 2:
        return f"{n} members on the map are too few to form two groups of two"
    rng = np.random.default_rng(rules.random_state)
    by_id = sorted(range(n), key=members.__getitem__)
    tested = by_id
    if n > rules.max_test_members:
        tested = sorted(rng.choice(by_id, rules.max_test_members, replace=False).tolist())
        tested.sort(key=members.__getitem__)
    # A statement everyone voted the same way on says nothing about who differs from whom.
    placed = matrix.values[list(shape.rows)]
    lowest = np.where(np.isnan(placed), np.inf, placed).min(axis=0)
    highest = np.where(np.isnan(placed), -np.inf, placed).max(axis=0)
    columns = sorted(
        (j for j in shape.columns if highest[j] > lowest[j]), key=lambda j: matrix.statements[j]
    )
    if len(columns) < 2:
        return "the members differ on fewer than two statements"
    votes = matrix.values[np.ix_([shape.rows[i] for i in tested], columns)]
    if not null_test(votes, rules, rng).real:
        return "the votes are no more structured than the same votes shuffled at random"
    # Candidate groups of the tested members; the stability of each is how well resampled
    # data finds them again.
    points = shape.projections[tested]
    tested_labels = {
        groups: batched_kmeans(points[np.newaxis], groups, rules.kmeans_starts, rng)[0]
        for groups in range(2, top + 1)
    }
    left_out = int((~np.isnan(matrix.values)).any(axis=0).sum()) - len(shape.columns)
    sure = stability(votes, tested_labels, rules, rng, left_out)
    credible = sure.credible(rules.stability_margin)
    if not credible or max(sure.by_k.values()) < rules.min_stability:
        return "the groups change when members or statements are resampled"
    k = max(credible, key=lambda g: (silhouette(points, tested_labels[g]), -g))
    labels = np.empty(n, dtype=np.int64)
    if len(tested) == n:
        labels[tested] = tested_labels[k]
    else:
        # A sample was tested: the k found real is fitted on every member.
        everyone = shape.projections[by_id][np.newaxis]
        labels[by_id] = batched_kmeans(everyone, k, rules.kmeans_starts, rng)[0]
    return k, labels, sure.by_k[k]


def find_groups(
    matrix: VoteMatrix,
    shape: Geometry | None,
    *,
    k: int | None = None,
    rules: Rules = DEFAULT_RULES,
) -> Grouping:
    """Opinion groups, lone members set apart as outliers, or None when there are no real
    groups (reality.py says when they are real)."""
    if k is not None and k < 2:
        raise AnalysisError("the number of groups must be at least 2")
    if shape is None:
        if k is not None:
            raise AnalysisError("too few members or statements to form groups")
        return Grouping(None, (), "too few members or statements to draw a map")
    n = len(shape.rows)
    members = [matrix.members[i] for i in shape.rows]
    sure: float | None = None
    if k is not None:
        if 2 * k > n:
            raise AnalysisError(
                f"{n} members placed on the map are too few for {k} groups "
                "(a group needs two members)"
            )
        if k > _distinct_points(shape.projections):
            raise AnalysisError(f"cannot form {k} groups from {n} members' distinct positions")
        labels = _canonical_kmeans(shape.projections, members, k, rules)
    else:
        real = _real_groups(matrix, shape, members, rules)
        if isinstance(real, str):
            return Grouping(None, (), real)
        _, labels, sure = real
    sizes = np.bincount(labels)
    outliers = tuple(m for m, label in zip(members, labels, strict=True) if sizes[label] == 1)
    keep = np.asarray([sizes[label] >= 2 for label in labels])
    kept_members = [m for m, kept in zip(members, keep, strict=True) if kept]
    assignments = _numbered(kept_members, labels[keep])
    kept_labels = np.asarray([assignments[m] for m in kept_members], dtype=np.int64)
    n_groups = len(set(kept_labels.tolist()))
    if n_groups == 0:
        return Grouping(None, outliers, "every member stands alone", asked=k)
    found = Groups(
        k=n_groups,
        silhouette=_full_silhouette(shape.filled[keep], kept_members, kept_labels, rules),
        assignments=assignments,
        forced=k is not None,
        stability=sure,
    )
    if k is not None:
        return Grouping(found, outliers, f"{k} groups asked for", asked=k)
    if n_groups < 2:
        return Grouping(None, outliers, "fewer than two groups of two or more members")
    return Grouping(found, outliers, "distinct groups")
