"""The weekly consensus summary (SPEC §5): the model, and its parts in SPEC order."""

from bot.core.summary.build import build_summary
from bot.core.summary.model import (
    TREND_WEEKS,
    Blocker,
    CommonGroundLine,
    DecisionLine,
    DeliveryProblem,
    GroupLine,
    LoneWolf,
    MapPoint,
    Participation,
    Split,
    SplitTrend,
    Starting,
    StatementLine,
    Streak,
    Summary,
    SummaryInputs,
    WeekPoint,
    week_start_of,
)
from bot.core.summary.participation import STREAK_LOOKBACK_DAYS, streak

__all__ = [
    "STREAK_LOOKBACK_DAYS",
    "TREND_WEEKS",
    "Blocker",
    "CommonGroundLine",
    "DecisionLine",
    "DeliveryProblem",
    "GroupLine",
    "LoneWolf",
    "MapPoint",
    "Participation",
    "Split",
    "SplitTrend",
    "Starting",
    "StatementLine",
    "Streak",
    "Summary",
    "SummaryInputs",
    "WeekPoint",
    "build_summary",
    "streak",
    "week_start_of",
]
