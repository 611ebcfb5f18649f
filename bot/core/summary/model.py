"""The weekly consensus summary (SPEC §5) as data: what a pack's week looked like. Rendering
(Block Kit, text, chart) lives with the adapters."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot.core import blockers as raised
from bot.core.analysis.members import Signal, SignalKind
from bot.core.checkins import Answer, Round
from bot.core.delivery import Delivery
from bot.core.packs import Member, Pack
from bot.core.proposals import Counts, Proposal, Response
from bot.core.statements import Reply, Statement, Tally, Vote

TREND_WEEKS = 8
TOP_COMMON_GROUND = 5
REASONS_PER_SIDE = 2
STREAKS_SHOWN = 3
# The statements a summary numbers (and the chart draws as bars): at most this many.
NUMBERED_SHOWN = 8
# Divisiveness has to move this much in a week to call a split converging or diverging.
TREND_STEP = 0.05


class SplitTrend(enum.StrEnum):
    NEW = "new"
    CONVERGING = "converging"
    DIVERGING = "diverging"
    STEADY = "steady"


@dataclass(frozen=True)
class Streak:
    name: str
    rounds: int


@dataclass(frozen=True)
class Participation:
    """Member-rounds answered of those that reached their member this week (away excluded),
    and who was heard: `reached` of the pack's `members` had a round reach them (a prompt
    delivered, or an answer or skip of their own)."""

    answered: int
    expected: int
    heard_from: int
    members: int
    away_names: tuple[str, ...]
    longest_streaks: tuple[Streak, ...]
    reached: int


@dataclass(frozen=True)
class Starting:
    """A pack set up within the week whose summary finds no round that reached anyone: the
    day its first check-ins go out (in the calendar of the member prompted first; None when no
    member has one coming) and the day of its first summary after them, the first with
    figures (the pack's date)."""

    first_round: dt.date | None
    first_summary: dt.date


@dataclass(frozen=True)
class WeekPoint:
    """The 1–5 alignment scores given in one week: their mean, their spread (standard
    deviation), and the range the middle half of them falls in (`low` to `high`, the lower and
    upper quartiles)."""

    week_start: dt.date
    mean: float | None
    spread: float | None
    scores: int
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class StatementLine:
    """A statement with its latest-vote counts (only built when at least 3 decided)."""

    statement: Statement
    tally: Tally


@dataclass(frozen=True)
class CommonGroundLine:
    """A statement that holds across the pack's views (common ground): its counts, and the
    predicted agreement (0–1) of a member at the centre of the opinion map, with its interval."""

    statement: Statement
    tally: Tally
    score: float
    low: float
    high: float


@dataclass(frozen=True)
class MapPoint:
    """One member's point on the opinion map, anonymous: no id and no name. `group` is the
    index of the member's opinion group (Group 1 is 0), None for a member in no group."""

    x: float
    y: float
    group: int | None


@dataclass(frozen=True)
class Split:
    statement: Statement
    tally: Tally
    agree_reasons: tuple[str, ...]
    disagree_reasons: tuple[str, ...]
    trend: SplitTrend
    divisiveness: float
    previous_divisiveness: float | None
    # Members who voted again this week after the statement was discussed (the Delphi step),
    # and how many of them changed their answer.
    revoted: int = 0
    changed_side: int = 0
    # The passed proposal put from this split (its alert's "Propose a decision", or a revision
    # of one), the latest when there are several: the split is decided, no longer open.
    settled_by: Proposal | None = None

    @property
    def settled(self) -> bool:
        return self.settled_by is not None


@dataclass(frozen=True)
class GroupLine:
    size: int
    # Statements that set the group apart: (statement, "agree" | "disagree").
    stands_out: tuple[tuple[Statement, str], ...]


@dataclass(frozen=True)
class DecisionLine:
    proposal: Proposal
    counts: Counts


@dataclass(frozen=True)
class Blocker:
    name: str
    local_date: dt.date
    text: str


@dataclass(frozen=True)
class LoneWolf:
    """One flagged member: the evidence is for their eyes only (a DM); the channel sees counts,
    and the name only when the pack turned on `name_lone_wolves`."""

    user_id: str
    name: str
    signals: tuple[Signal, ...]
    pair_with: str | None = None  # user id of a suggested partner
    pair_name: str | None = None
    weigh_in: Statement | None = None  # a split worth their view


@dataclass(frozen=True)
class DeliveryProblem:
    error: str
    count: int


@dataclass(frozen=True)
class Summary:
    pack: Pack
    week: str  # ISO week, "2026-W48"
    week_start: dt.date
    now: dt.datetime
    participation: Participation
    alignment: WeekPoint
    trend: tuple[WeekPoint, ...]  # oldest first, the last TREND_WEEKS weeks ending this one
    # Statements that hold across the pack's views, best first: the top TOP_COMMON_GROUND and
    # how many more there are (with `needs_more_votes` and `close_to_common_ground` below).
    common_ground: tuple[CommonGroundLine, ...]
    common_ground_more: int
    splits: tuple[Split, ...]
    groups: tuple[GroupLine, ...] | None
    no_camps_reason: str | None  # in plain words, when `groups` is None
    decisions: tuple[DecisionLine, ...]  # closed this week
    open_proposals: tuple[DecisionLine, ...]
    blockers: tuple[Blocker, ...]
    lone_wolves: tuple[LoneWolf, ...]
    lone_wolf_counts: dict[SignalKind, int]
    delivery_problems: tuple[DeliveryProblem, ...]
    # This week's statements (voted on this week) with counts, for the chart's bars.
    week_statements: tuple[StatementLine, ...] = ()
    statements_total: int = 0
    # Set when nothing reached anyone yet in a new pack: the week is posted as a short note.
    starting: Starting | None = None
    # Statements that may be common ground once members who have not voted on them do, and
    # statements every member voted on that are still too close to call.
    needs_more_votes: int = 0
    close_to_common_ground: int = 0
    # Every member placed on the opinion map, in no particular order (the chart's map).
    map_points: tuple[MapPoint, ...] = ()
    # The week's blockers counted: raised, helped, resolved, how long they typically stayed
    # open.
    blocker_figures: raised.BlockerFigures = field(default_factory=raised.BlockerFigures)

    @property
    def open_splits(self) -> tuple[Split, ...]:
        return tuple(s for s in self.splits if s.settled_by is None)

    @property
    def settled_splits(self) -> tuple[Split, ...]:
        return tuple(s for s in self.splits if s.settled_by is not None)

    @property
    def numbered(self) -> tuple[StatementLine, ...]:
        """The statements the summary numbers, in its order and with its numbers (the first is
        1): the common ground shown, the open splits, then the splits a decision settled. The
        text and the chart's bars number them alike; at most NUMBERED_SHOWN."""
        lines = [StatementLine(c.statement, c.tally) for c in self.common_ground]
        lines += [StatementLine(s.statement, s.tally) for s in self.open_splits]
        lines += [StatementLine(s.statement, s.tally) for s in self.settled_splits]
        return tuple(lines[:NUMBERED_SHOWN])

    def number_of(self, statement_id: int) -> int | None:
        """The statement's number in `numbered`, or None when it is not numbered."""
        for number, line in enumerate(self.numbered, start=1):
            if line.statement.id == statement_id:
                return number
        return None

    @property
    def named_lone_wolves(self) -> tuple[str, ...]:
        if not self.pack.settings.name_lone_wolves:
            return ()
        return tuple(w.name for w in self.lone_wolves)


@dataclass(frozen=True)
class SummaryInputs:
    """Everything a summary reads, gathered by the caller in a constant number of queries."""

    pack: Pack
    members: Sequence[Member]  # active members
    answers: Sequence[tuple[Round, Answer]]  # rounds of the last TREND_WEEKS weeks
    statements: Sequence[Statement]  # hidden ones included
    votes: Sequence[Vote]  # every vote, oldest first
    proposals: Sequence[Proposal]
    responses: dict[int, list[Response]] = field(default_factory=dict)
    failures: Sequence[Delivery] = ()  # failed for good since the last summary
    # The round days whose prompt was delivered to each member (by user id), as far back as
    # `answers`: with the rounds they answered or skipped, the only rounds that count for them.
    prompted: Mapping[str, Set[dt.date]] = field(default_factory=dict)
    # Replies in split alerts' and proposals' threads lately (at least the last HEARD_DAYS
    # days): who joined a discussion, for the lone-wolf signals.
    replies: Sequence[Reply] = ()
    # The pack's blockers still open or raised or resolved lately; None when not read (the
    # open blockers are then those the week's latest answers name).
    blockers: Sequence[raised.Blocker] | None = None


@dataclass(frozen=True)
class Week:
    """A pack's week as each part of the summary reads it: the pack's Monday (and its first
    moment), the week's last day, the active members, each one's answers by round day and the
    round days whose prompt reached them."""

    pack: Pack
    now: dt.datetime
    start: dt.date
    start_at: dt.datetime
    end: dt.date
    members: tuple[Member, ...]
    answers: dict[str, dict[dt.date, Answer]]
    prompted: Mapping[str, Set[dt.date]]


def week_start_of(pack: Pack, now: dt.datetime) -> dt.date:
    """Monday of the pack's current week, in the pack's timezone."""
    today = now.astimezone(ZoneInfo(pack.settings.timezone)).date()
    return today - dt.timedelta(days=today.weekday())
