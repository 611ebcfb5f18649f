"""Opinion analysis of a pack's votes on statements, after Pol.is, tuned for small teams."""

from __future__ import annotations

from bot.core.analysis.bridging import CommonGround, common_ground
from bot.core.analysis.groups import Geometry, Grouping, Groups, find_groups, geometry
from bot.core.analysis.matrix import AnalysisError, Vote, VoteMatrix, build_matrix
from bot.core.analysis.members import (
    Activity,
    Agreement,
    Alignment,
    Allies,
    CheckIn,
    Signal,
    alignment,
    allies,
    focus_areas,
    lone_wolf_signals,
    pairwise_agreement,
)
from bot.core.analysis.priority import importance, next_statements, priorities, priority
from bot.core.analysis.repness import (
    GroupTables,
    Repness,
    Representative,
    group_consensus,
    group_tables,
    repness,
    representative_statements,
    select_representative,
)
from bot.core.analysis.report import Analysis, analyze, as_json, render_text
from bot.core.analysis.stats import (
    Consensus,
    Rules,
    StatementStats,
    all_statement_stats,
    divisiveness,
    one_prop_z,
    select_consensus,
    statement_stats,
    two_prop_z,
)

__all__ = [
    "Activity",
    "Agreement",
    "Alignment",
    "Allies",
    "Analysis",
    "AnalysisError",
    "CheckIn",
    "CommonGround",
    "Consensus",
    "Geometry",
    "GroupTables",
    "Grouping",
    "Groups",
    "Repness",
    "Representative",
    "Rules",
    "Signal",
    "StatementStats",
    "Vote",
    "VoteMatrix",
    "alignment",
    "all_statement_stats",
    "allies",
    "analyze",
    "as_json",
    "build_matrix",
    "common_ground",
    "divisiveness",
    "find_groups",
    "focus_areas",
    "geometry",
    "group_consensus",
    "group_tables",
    "importance",
    "lone_wolf_signals",
    "next_statements",
    "one_prop_z",
    "pairwise_agreement",
    "priorities",
    "priority",
    "render_text",
    "repness",
    "representative_statements",
    "select_consensus",
    "select_representative",
    "statement_stats",
    "two_prop_z",
]
