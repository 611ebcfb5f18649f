"""The whole analysis of a vote matrix and its two renderings (JSON-ready dict, text)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.core.analysis.groups import (
    Geometry,
    Grouping,
    Groups,
    Representative,
    find_groups,
    geometry,
    group_consensus,
    group_tables,
    representative_statements,
)
from bot.core.analysis.matrix import AnalysisError, VoteMatrix
from bot.core.analysis.stats import (
    DEFAULT_RULES,
    Consensus,
    Rules,
    StatementStats,
    all_statement_stats,
    select_consensus,
)

JsonValue = object


@dataclass(frozen=True)
class Analysis:
    members: tuple[str, ...]
    statements: tuple[StatementStats, ...]
    consensus: Consensus
    grouping: Grouping
    representative: dict[int, tuple[Representative, ...]]
    group_consensus: dict[str, float] | None
    geometry_statements: int
    geometry_members: int
    left_out: tuple[str, ...]


def analyze(
    matrix: VoteMatrix,
    *,
    k: int | None = None,
    groups: Groups | None = None,
    rules: Rules = DEFAULT_RULES,
) -> Analysis:
    """Statements with no vote and members with no vote are not counted.

    `groups` replaces the clustering with given assignments (Pol.is' own groups, say); the
    statistics per group are then computed for exactly those members.
    """
    if k is not None and groups is not None:
        raise AnalysisError("give either a number of groups or the groups, not both")
    voted = ~np.isnan(matrix.values)
    members = tuple(m for i, m in enumerate(matrix.members) if voted[i].any())
    stats = tuple(s for j, s in enumerate(all_statement_stats(matrix, rules)) if voted[:, j].any())
    shape: Geometry | None = geometry(matrix, rules)
    if groups is None:
        grouping = find_groups(matrix, shape, k=k, rules=rules)
    else:
        grouping = Grouping(groups, (), "groups given")
    groups = grouping.groups
    representative: dict[int, tuple[Representative, ...]] = {}
    gac = None
    if groups is not None:
        tables = group_tables(matrix, groups)
        representative = representative_statements(matrix, groups, rules, tables)
        gac = group_consensus(matrix, groups, tables)
    in_geometry = set(shape.columns) if shape is not None else set(matrix.geometry_columns())
    left_out = tuple(s.id for s in stats if matrix.statements.index(s.id) not in in_geometry)
    return Analysis(
        members=members,
        statements=stats,
        # Meta statements describe who voted, not what they think: no consensus either way.
        consensus=select_consensus(stats, matrix.excluded, rules),
        grouping=grouping,
        representative=representative,
        group_consensus=gac,
        geometry_statements=len(in_geometry),
        geometry_members=0 if shape is None else len(shape.rows),
        left_out=left_out,
    )


def as_json(analysis: Analysis) -> dict[str, JsonValue]:
    """The SPEC §8 JSON object."""
    gac = analysis.group_consensus
    groups = analysis.grouping.groups
    return {
        "members": len(analysis.members),
        "statements": len(analysis.statements),
        "statement_stats": [
            {
                "id": s.id,
                "agree": s.agree,
                "disagree": s.disagree,
                "pass": s.passes,
                "pa": s.pa,
                "pat": s.pat,
                "divisiveness": s.divisiveness,
                "consensus": s.consensus,
                "contested": s.contested,
                "group_consensus": None if gac is None else gac[s.id],
            }
            for s in analysis.statements
        ],
        "consensus": {
            "agree": list(analysis.consensus.agree),
            "disagree": list(analysis.consensus.disagree),
        },
        "groups": None
        if groups is None
        else {"k": groups.k, "silhouette": groups.silhouette, "assignments": groups.assignments},
        "representative": {
            str(g): [{"id": r.id, "direction": r.direction} for r in chosen]
            for g, chosen in analysis.representative.items()
        },
        "outliers": list(analysis.grouping.outliers),
    }


def _fmt_list(ids: tuple[str, ...] | list[str]) -> str:
    return ", ".join(ids) if ids else "none"


def render_text(analysis: Analysis) -> str:
    lines = [
        f"{len(analysis.members)} members voted on {len(analysis.statements)} statements.",
        f"Map: {analysis.geometry_members} members placed on {analysis.geometry_statements} "
        f"statements; {len(analysis.left_out)} statements left out of the map "
        f"(hidden or meta): {_fmt_list(analysis.left_out)}.",
        "",
        f"Agreed by most: {_fmt_list(analysis.consensus.agree)}",
        f"Rejected by most: {_fmt_list(analysis.consensus.disagree)}",
        "Contested: " + _fmt_list([s.id for s in analysis.statements if s.contested]),
        "Many unsure: " + _fmt_list([s.id for s in analysis.statements if s.uncertain]),
        "",
    ]
    groups = analysis.grouping.groups
    if groups is None:
        lines.append(f"Groups: no distinct camps ({analysis.grouping.reason}).")
    else:
        score = "n/a" if groups.silhouette is None else f"{groups.silhouette:.2f}"
        lines.append(f"Groups: {groups.k} (silhouette on full votes {score}).")
        for g in range(groups.k):
            people = [m for m, label in groups.assignments.items() if label == g]
            chosen = analysis.representative.get(g, ())
            marks = ", ".join(f"{r.id} ({r.direction})" for r in chosen) or "none"
            lines.append(f"  Group {g + 1}: {len(people)} members: {_fmt_list(people)}")
            lines.append(f"    stands out on: {marks}")
    lines.append(f"Outliers: {_fmt_list(list(analysis.grouping.outliers))}")
    return "\n".join(lines) + "\n"
