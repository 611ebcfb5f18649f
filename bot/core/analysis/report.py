"""The whole analysis of a vote matrix and its two renderings (JSON-ready dict, text)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from bot.core.analysis.bridging import CommonGround, common_ground
from bot.core.analysis.groups import Geometry, Grouping, Groups, find_groups, geometry
from bot.core.analysis.matrix import AnalysisError, VoteMatrix
from bot.core.analysis.repness import (
    Representative,
    group_consensus,
    group_tables,
    representative_statements,
)
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
    """The report on a vote matrix.

    `contested` lists the shown, non-meta statements whose votes split (each statement's
    `contested` flag: at least `min_decided_for_divisiveness` decided votes, the smaller side a
    large enough share) and that have no significant majority either way (`consensus` is
    None). A statement most members agree with, or reject, is therefore never contested in the
    same report, though its minority may be large; its own `contested` flag still says that
    its votes split.
    """

    members: tuple[str, ...]
    statements: tuple[StatementStats, ...]
    consensus: Consensus
    contested: tuple[str, ...]
    # Shown, non-meta statements on which many members passed.
    unsure: tuple[str, ...]
    grouping: Grouping
    representative: dict[int, tuple[Representative, ...]]
    group_consensus: dict[str, float] | None
    geometry_statements: int
    geometry_members: int
    left_out: tuple[str, ...]
    # Shown, non-meta statements by common-ground score, best first (bridging.py).
    common_ground: tuple[CommonGround, ...] = ()
    # Each placed member's point on the 2-D opinion map (the same map the groups cut).
    positions: Mapping[str, tuple[float, float]] = field(default_factory=dict)


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
        contested=tuple(
            s.id
            for s in stats
            if s.contested and s.consensus is None and s.id not in matrix.excluded
        ),
        unsure=tuple(s.id for s in stats if s.uncertain and s.id not in matrix.excluded),
        grouping=grouping,
        representative=representative,
        group_consensus=gac,
        geometry_statements=len(in_geometry),
        geometry_members=0 if shape is None else len(shape.rows),
        left_out=left_out,
        common_ground=common_ground(matrix, rules),
        positions={}
        if shape is None
        else {
            matrix.members[i]: (float(x), float(y))
            for i, (x, y) in zip(shape.rows, shape.projections.tolist(), strict=True)
        },
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
        else {
            "k": groups.k,
            "silhouette": groups.silhouette,
            "stability": groups.stability,
            "assignments": groups.assignments,
        },
        "representative": {
            str(g): [{"id": r.id, "direction": r.direction} for r in chosen]
            for g, chosen in analysis.representative.items()
        },
        "outliers": list(analysis.grouping.outliers),
        "common_ground": [
            {
                "id": c.id,
                "score": round(c.score, 4),
                "low": round(c.low, 4),
                "high": round(c.high, 4),
                "status": c.status,
            }
            for c in analysis.common_ground
        ],
    }


MAX_MEMBERS_SHOWN = 10
MAX_TEXT = 80


def _fmt_list(ids: tuple[str, ...] | list[str]) -> str:
    return ", ".join(ids) if ids else "none"


def _fmt_members(ids: list[str]) -> str:
    """At most MAX_MEMBERS_SHOWN ids, then how many more."""
    if len(ids) <= MAX_MEMBERS_SHOWN:
        return _fmt_list(ids)
    shown = ", ".join(ids[:MAX_MEMBERS_SHOWN])
    return f"{shown} … and {len(ids) - MAX_MEMBERS_SHOWN} more"


def short_text(text: str, width: int = MAX_TEXT) -> str:
    """One line (newlines and runs of spaces made single spaces), cut to `width` with "…"."""
    line = " ".join(text.split())
    if len(line) <= width:
        return line
    return line[: width - 1].rstrip() + "…"


def _statement_lines(
    ids: tuple[str, ...] | list[str],
    texts: Mapping[str, str],
    directions: Mapping[str, str] | None = None,
    indent: str = "  ",
) -> list[str]:
    """One line per statement: its id, its text when known, its direction when given."""
    lines = []
    width = max((len(statement) for statement in ids), default=0)
    for statement in ids:
        line = f"{indent}{statement.rjust(width)}"
        text = short_text(texts.get(statement, ""))
        if text:
            line += f'  "{text}"'
        if directions is not None:
            line += f" ({directions[statement]})"
        lines.append(line)
    return lines


def _listed(title: str, ids: tuple[str, ...] | list[str], texts: Mapping[str, str]) -> list[str]:
    if not ids:
        return [f"{title}: none"]
    return [f"{title}:", *_statement_lines(ids, texts)]


def _common_ground_lines(analysis: Analysis, texts: Mapping[str, str]) -> list[str]:
    """The statements found common ground, each with its score and interval, then how many
    need more votes before they can be told either way."""
    found = [c for c in analysis.common_ground if c.status == "common_ground"]
    more = sum(c.status == "needs_more_votes" for c in analysis.common_ground)
    scores = {c.id: f"{c.score:.2f}, {c.low:.2f}–{c.high:.2f}" for c in found}
    lines = _listed("Common ground", [c.id for c in found], texts)
    if found:
        lines[1:] = _statement_lines([c.id for c in found], texts, scores)
    if more:
        lines.append(f"{more} {'statement needs' if more == 1 else 'statements need'} more votes.")
    return lines


def _groups_line(analysis: Analysis) -> str:
    grouping = analysis.grouping
    groups = grouping.groups
    if groups is None:
        return f"Groups: no distinct camps ({grouping.reason})."
    score = "n/a" if groups.silhouette is None else f"{groups.silhouette:.2f}"
    asked = grouping.asked
    if asked is not None and groups.k < asked:
        alone = len(grouping.outliers)
        who = (
            "1 member stood alone and is listed as an outlier"
            if alone == 1
            else f"{alone} members stood alone and are listed as outliers"
        )
        return f"Groups: {groups.k} (asked for {asked}; {who}; silhouette on full votes {score})."
    if groups.stability is not None:
        return (
            f"Groups: {groups.k} (stability {groups.stability:.2f} when members or statements "
            f"are resampled; silhouette on full votes {score})."
        )
    return f"Groups: {groups.k} (silhouette on full votes {score})."


def render_text(analysis: Analysis, texts: Mapping[str, str] | None = None) -> str:
    """The report for a person at a terminal; `texts` gives statements' wording by id."""
    texts = texts or {}
    lines = [
        f"{len(analysis.members)} members voted on {len(analysis.statements)} statements.",
        f"Map: {analysis.geometry_members} members placed on {analysis.geometry_statements} "
        f"statements; {len(analysis.left_out)} statements left out of the map "
        f"(hidden or meta): {_fmt_list(analysis.left_out)}.",
        "",
        *_listed("Agreed by most", analysis.consensus.agree, texts),
        *_listed("Rejected by most", analysis.consensus.disagree, texts),
        *_common_ground_lines(analysis, texts),
        *_listed("Contested", analysis.contested, texts),
        *_listed("Many unsure", analysis.unsure, texts),
        "",
        _groups_line(analysis),
    ]
    groups = analysis.grouping.groups
    if groups is not None:
        for g in range(groups.k):
            people = [m for m, label in groups.assignments.items() if label == g]
            chosen = analysis.representative.get(g, ())
            lines.append(f"  Group {g + 1}: {len(people)} members: {_fmt_members(people)}")
            if not chosen:
                lines.append("    stands out on: none")
                continue
            lines.append("    stands out on:")
            directions = {r.id: r.direction for r in chosen}
            lines += _statement_lines([r.id for r in chosen], texts, directions, "      ")
    lines.append(f"Outliers: {_fmt_members(list(analysis.grouping.outliers))}")
    return "\n".join(lines) + "\n"
