"""Representative statements of each opinion group and group-informed consensus (SPEC §4.4),
as Pol.is computes them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.core.analysis.groups import Groups, IntArray
from bot.core.analysis.matrix import AGREE, DISAGREE, AnalysisError, FloatArray, VoteMatrix
from bot.core.analysis.stats import DEFAULT_RULES, Direction, Rules


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
