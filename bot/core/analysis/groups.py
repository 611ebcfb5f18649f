"""Opinion geometry, groups, representative statements (SPEC §4.4).

Small teams are not Pol.is conversations: k-means on a 2-D projection always "finds" camps,
so groups are only reported when they hold up on the members' full vote vectors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

from bot.core.analysis.matrix import AGREE, DISAGREE, AnalysisError, FloatArray, VoteMatrix
from bot.core.analysis.stats import (
    DEFAULT_RULES,
    Direction,
    Rules,
    one_prop_z,
    probability,
    two_prop_z,
)

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class Geometry:
    """Members who voted enough, projected to 2-D as Pol.is does.

    `rows` index the matrix' members, `columns` its statements. `filled` holds their votes
    with each missing vote replaced by the statement's mean.
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
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    components = np.zeros((n_components, centred.shape[1]))
    found = vt[:n_components]
    # SVD signs are arbitrary; fix them so the same votes always draw the same map.
    for i, vector in enumerate(found):
        pivot = int(np.argmax(np.abs(vector)))
        components[i] = -vector if vector[pivot] < 0 else vector
    return components


def geometry(matrix: VoteMatrix, rules: Rules = DEFAULT_RULES) -> Geometry | None:
    """Pol.is' PCA map, or None when fewer than two members or statements can shape it."""
    columns = matrix.geometry_columns()
    if len(columns) < 2:
        return None
    sub = matrix.values[:, columns]
    voted = np.sum(~np.isnan(sub), axis=1)
    threshold = min(rules.min_votes_to_enter_geometry, len(columns))
    rows = [i for i in range(len(matrix.members)) if voted[i] >= threshold]
    if len(rows) < 2:
        return None
    votes = sub[rows]
    means = column_means(votes)
    filled = np.where(np.isnan(votes), means, votes)
    centred = filled - filled.mean(axis=0)
    components = _principal_components(centred, 2)
    scale = np.sqrt(len(columns) / np.maximum(voted[rows], 1))
    projections = (centred @ components.T) * scale[:, np.newaxis]
    # A virtual member who agrees with one statement only and is average elsewhere.
    centre = filled.mean(axis=0)
    statement_projections = ((AGREE - centre)[:, np.newaxis] * components.T) * math.sqrt(
        len(columns)
    )
    return Geometry(
        rows=tuple(rows),
        columns=tuple(columns),
        filled=filled,
        projections=projections,
        components=components,
        means=centre,
        statement_projections=statement_projections,
    )


def _distinct_points(points: FloatArray) -> int:
    return len(np.unique(np.round(points, 12), axis=0))


def kmeans_labels(points: FloatArray, k: int, rules: Rules = DEFAULT_RULES) -> IntArray:
    model = KMeans(n_clusters=k, n_init=rules.kmeans_starts, random_state=rules.random_state)
    return np.asarray(model.fit_predict(points), dtype=np.int64)


def _silhouette(points: FloatArray, labels: IntArray) -> float | None:
    n_labels = len(set(labels.tolist()))
    if n_labels < 2 or n_labels > len(labels) - 1:
        return None
    return float(silhouette_score(points, labels))


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


@dataclass(frozen=True)
class Grouping:
    groups: Groups | None
    outliers: tuple[str, ...]
    reason: str


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
        return Grouping(None, outliers, "every member stands alone")
    found = Groups(
        k=n_groups,
        silhouette=score,
        assignments=dict(zip(kept_members, kept_labels.tolist(), strict=True)),
        forced=k is not None,
    )
    if k is not None:
        return Grouping(found, outliers, f"{k} groups asked for")
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


def _group_counts(values: FloatArray) -> tuple[IntArray, IntArray, IntArray]:
    agree = np.sum(values == AGREE, axis=0).astype(np.int64)
    disagree = np.sum(values == DISAGREE, axis=0).astype(np.int64)
    seen = np.sum(~np.isnan(values), axis=0).astype(np.int64)
    return agree, disagree, seen


def group_rows(matrix: VoteMatrix, groups: Groups) -> list[list[int]]:
    rows: list[list[int]] = [[] for _ in range(groups.k)]
    for member, label in groups.assignments.items():
        rows[label].append(matrix.member_index(member))
    return rows


def repness(matrix: VoteMatrix, groups: Groups, group: int) -> list[Repness]:
    rows = group_rows(matrix, groups)
    inside = rows[group]
    rest = [i for g, member_rows in enumerate(rows) if g != group for i in member_rows]
    a_in, d_in, s_in = _group_counts(matrix.values[inside])
    a_out, d_out, s_out = _group_counts(matrix.values[rest])
    result = []
    for j, statement in enumerate(matrix.statements):
        na, nd, ns = int(a_in[j]), int(d_in[j]), int(s_in[j])
        ra_, rd_, rs_ = int(a_out[j]), int(d_out[j]), int(s_out[j])
        pa, pd = probability(na, ns), probability(nd, ns)
        result.append(
            Repness(
                id=statement,
                agree=na,
                disagree=nd,
                seen=ns,
                pa=pa,
                pd=pd,
                pat=one_prop_z(na, ns),
                pdt=one_prop_z(nd, ns),
                ra=pa / probability(ra_, rs_),
                rd=pd / probability(rd_, rs_),
                rat=two_prop_z(na, ra_, ns, rs_),
                rdt=two_prop_z(nd, rd_, ns, rs_),
            )
        )
    return result


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
    matrix: VoteMatrix, groups: Groups, rules: Rules = DEFAULT_RULES
) -> dict[int, tuple[Representative, ...]]:
    out = {}
    for group in range(groups.k):
        candidates = [
            row for row in repness(matrix, groups, group) if row.id not in matrix.excluded
        ]
        out[group] = select_representative(candidates, rules)
    return out


def group_consensus(matrix: VoteMatrix, groups: Groups) -> dict[str, float]:
    """Group-informed consensus: the product over groups of each group's smoothed agree share."""
    product = np.ones(len(matrix.statements))
    for rows in group_rows(matrix, groups):
        agree, _, seen = _group_counts(matrix.values[rows])
        product *= (agree + 1) / (seen + 2)
    return {statement: float(product[j]) for j, statement in enumerate(matrix.statements)}
