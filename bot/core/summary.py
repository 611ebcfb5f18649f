"""The weekly consensus summary (SPEC §5): what a pack's week looked like, built from the
pack's own data. Pure: the caller reads the inputs in a fixed number of queries and hands them
over; rendering (Block Kit, text, chart) lives with the adapters."""

from __future__ import annotations

import datetime as dt
import enum
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot.core.analysis.matrix import Vote as MatrixVote
from bot.core.analysis.matrix import VoteMatrix, build_matrix
from bot.core.analysis.members import (
    Activity,
    CheckIn,
    Signal,
    SignalKind,
    alignment,
    allies,
    lone_wolf_signals,
)
from bot.core.analysis.report import Analysis, analyze
from bot.core.analysis.stats import Rules, divisiveness, statement_stats
from bot.core.checkins import Answer, AnswerStatus, Round
from bot.core.delivery import Delivery
from bot.core.packs import Member, Pack, QuestionKind
from bot.core.proposals import Counts, Proposal, Response, count
from bot.core.schedule import IsoWeek, is_round_day, local_checkin_at, member_zone
from bot.core.statements import K_ANONYMITY, Statement, Tally, Vote, VoteValue, latest_votes, tally

TREND_WEEKS = 8
TOP_CONSENSUS = 5
REASONS_PER_SIDE = 2
STREAKS_SHOWN = 3
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
    """Member-rounds answered of those expected this week (away excluded), and who was heard."""

    answered: int
    expected: int
    heard_from: int
    members: int
    away_names: tuple[str, ...]
    longest_streaks: tuple[Streak, ...]


@dataclass(frozen=True)
class WeekPoint:
    """The 1–5 alignment scores given in one week."""

    week_start: dt.date
    mean: float | None
    spread: float | None
    scores: int


@dataclass(frozen=True)
class StatementLine:
    """A statement with its latest-vote counts (only built when at least 3 decided)."""

    statement: Statement
    tally: Tally


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
    consensus: tuple[StatementLine, ...]  # agreed by most, top TOP_CONSENSUS
    consensus_more: int
    splits: tuple[Split, ...]
    groups: tuple[GroupLine, ...] | None
    no_camps_reason: str | None
    decisions: tuple[DecisionLine, ...]  # closed this week
    open_proposals: tuple[DecisionLine, ...]
    blockers: tuple[Blocker, ...]
    lone_wolves: tuple[LoneWolf, ...]
    lone_wolf_counts: dict[SignalKind, int]
    delivery_problems: tuple[DeliveryProblem, ...]
    # This week's statements (voted on this week) with counts, for the chart's bars.
    week_statements: tuple[StatementLine, ...] = ()
    statements_total: int = 0

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


def week_start_of(pack: Pack, now: dt.datetime) -> dt.date:
    """Monday of the pack's current week, in the pack's timezone."""
    today = now.astimezone(ZoneInfo(pack.settings.timezone)).date()
    return today - dt.timedelta(days=today.weekday())


STREAK_LOOKBACK_DAYS = 70


def streak(
    pack: Pack,
    member: Member,
    statuses: dict[dt.date, AnswerStatus],
    now: dt.datetime,
) -> int:
    """Consecutive rounds the member answered, counting back from their latest round that has
    opened. Today's round not answered yet breaks nothing; a skipped round and a day away are
    neutral; a round that passed without an answer ends the streak."""
    zone = member_zone(pack.settings, member.person)
    today = now.astimezone(zone).date()
    count_ = 0
    for back in range(STREAK_LOOKBACK_DAYS):
        day = today - dt.timedelta(days=back)
        if not is_round_day(pack.settings, member.person, day):
            continue
        status = statuses.get(day)
        if status is AnswerStatus.ANSWERED:
            count_ += 1
        elif (
            status is AnswerStatus.SKIPPED
            or back == 0
            or local_checkin_at(pack.settings, member.person, day) > now
        ):
            continue
        else:
            break
    return count_


def _pack_midnight(pack: Pack, day: dt.date) -> dt.datetime:
    zone = ZoneInfo(pack.settings.timezone)
    return dt.datetime.combine(day, dt.time()).replace(tzinfo=zone)


def _round_days(pack: Pack, member: Member, start: dt.date, now: dt.datetime) -> list[dt.date]:
    """The member's rounds that have opened from `start` (in their own calendar) up to now."""
    zone = member_zone(pack.settings, member.person)
    today = now.astimezone(zone).date()
    days = []
    day = start
    while day <= today:
        if is_round_day(pack.settings, member.person, day) and (
            local_checkin_at(pack.settings, member.person, day) <= now
        ):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _week_point(week_start: dt.date, scores: list[int]) -> WeekPoint:
    # Fewer than three scores would let a reader work out one person's answer (SPEC §6).
    if len(scores) < K_ANONYMITY:
        return WeekPoint(week_start, None, None, len(scores))
    return WeekPoint(week_start, statistics.fmean(scores), statistics.pstdev(scores), len(scores))


def _trend(previous: float | None, current: float) -> SplitTrend:
    if previous is None:
        return SplitTrend.NEW
    if current <= previous - TREND_STEP:
        return SplitTrend.CONVERGING
    if current >= previous + TREND_STEP:
        return SplitTrend.DIVERGING
    return SplitTrend.STEADY


def _reasons(votes: list[Vote], side: VoteValue) -> tuple[str, ...]:
    given = [v.reason for v in sorted(votes, key=lambda v: v.at) if v.value is side and v.reason]
    return tuple(given[-REASONS_PER_SIDE:])


def _revotes(history: list[Vote], since: dt.datetime) -> tuple[int, int]:
    """Members who voted on the statement again this week, and how many of them changed their
    answer. Members are only asked again after a discussion (the Delphi step), so a second vote
    is a vote after the pack talked it over."""
    by_member: dict[str, list[Vote]] = defaultdict(list)
    for vote in history:
        by_member[vote.user_id].append(vote)
    revoted = changed = 0
    for votes in by_member.values():
        if len(votes) >= 2 and votes[-1].at >= since:
            revoted += 1
            if votes[-1].value is not votes[-2].value:
                changed += 1
    return revoted, changed


def build_summary(inputs: SummaryInputs, now: dt.datetime) -> Summary:
    pack = inputs.pack
    settings = pack.settings
    local_today = now.astimezone(ZoneInfo(settings.timezone)).date()
    start = week_start_of(pack, now)
    start_at = _pack_midnight(pack, start)
    members = [m for m in inputs.members if m.active]
    member_ids = {m.user_id for m in members}
    answers: dict[str, dict[dt.date, Answer]] = defaultdict(dict)
    for rnd, answer in inputs.answers:
        if answer.user_id in member_ids:
            answers[answer.user_id][rnd.local_date] = answer

    # 1. participation
    answered = expected = 0
    heard: set[str] = set()
    away_names = []
    week_end = start + dt.timedelta(days=6)
    streaks = []
    for member in members:
        mine = answers.get(member.user_id, {})
        days = set(_round_days(pack, member, start, now))
        this_week = {d: a for d, a in mine.items() if start <= d <= week_end}
        days |= set(this_week)
        expected += len(days)
        answered += sum(1 for a in this_week.values() if a.status is AnswerStatus.ANSWERED)
        if this_week:
            heard.add(member.user_id)
        away = member.person.away
        if away is not None and away.start <= week_end and away.end >= start:
            away_names.append(member.person.name)
        statuses = {d: a.status for d, a in mine.items()}
        rounds = streak(pack, member, statuses, now)
        if rounds > 0:
            streaks.append(Streak(member.person.name, rounds))
    streaks.sort(key=lambda s: (-s.rounds, s.name))
    participation = Participation(
        answered=answered,
        expected=expected,
        heard_from=len(heard),
        members=len(members),
        away_names=tuple(sorted(away_names)),
        longest_streaks=tuple(streaks[:STREAKS_SHOWN]),
    )

    # 2. alignment over the weeks
    scores: dict[dt.date, list[int]] = defaultdict(list)
    for mine in answers.values():
        for day, answer in mine.items():
            if answer.status is AnswerStatus.ANSWERED and answer.alignment is not None:
                scores[day - dt.timedelta(days=day.weekday())].append(answer.alignment)
    weeks = [start - dt.timedelta(weeks=back) for back in range(TREND_WEEKS - 1, -1, -1)]
    trend = tuple(_week_point(w, scores.get(w, [])) for w in weeks)

    # 3–5. statements
    visible = [s for s in inputs.statements if not s.hidden]
    visible_ids = {s.id for s in visible}
    statements = {s.id: s for s in visible}
    history: dict[int, list[Vote]] = defaultdict(list)
    for vote in inputs.votes:
        if vote.statement_id in visible_ids:
            history[vote.statement_id].append(vote)
    current = latest_votes(list(inputs.votes))
    on_statement: dict[int, list[Vote]] = defaultdict(list)
    for (sid, _), vote in current.items():
        if sid in visible_ids:
            on_statement[sid].append(vote)
    tallies = {sid: tally(history[sid]) for sid in visible_ids}
    rules = Rules(
        min_decided_for_divisiveness=settings.contested_min_decided,
        contested_divisiveness=settings.contested_divisiveness,
    )
    matrix = build_matrix(
        [MatrixVote(v.user_id, str(v.statement_id), int(v.value)) for v in inputs.votes],
        hidden=[str(s.id) for s in inputs.statements if s.hidden],
        meta=[str(s.id) for s in inputs.statements if s.meta],
    )
    analysis = analyze(matrix, rules=rules) if matrix.members else None

    consensus: list[StatementLine] = []
    if analysis is not None:
        for key in analysis.consensus.agree:
            statement = statements.get(int(key))
            if statement is not None and tallies[statement.id].decided >= K_ANONYMITY:
                consensus.append(StatementLine(statement, tallies[statement.id]))

    splits = []
    for sid in visible_ids:
        now_tally = tallies[sid]
        stats = statement_stats(
            str(sid), now_tally.agree, now_tally.disagree, now_tally.passes, rules
        )
        if not stats.contested or now_tally.decided < K_ANONYMITY or stats.divisiveness is None:
            continue
        before = tally([v for v in history[sid] if v.at < start_at])
        previous = divisiveness(before.agree, before.disagree, rules)
        revoted, changed = _revotes(history[sid], start_at)
        splits.append(
            Split(
                statement=statements[sid],
                tally=now_tally,
                agree_reasons=_reasons(on_statement[sid], VoteValue.AGREE),
                disagree_reasons=_reasons(on_statement[sid], VoteValue.DISAGREE),
                trend=_trend(previous, stats.divisiveness),
                divisiveness=stats.divisiveness,
                previous_divisiveness=previous,
                revoted=revoted,
                changed_side=changed,
            )
        )
    splits.sort(key=lambda s: (-s.divisiveness, -s.tally.decided, s.statement.id))

    groups: tuple[GroupLine, ...] | None = None
    no_camps = "nobody has voted yet"
    if analysis is not None:
        found = analysis.grouping.groups
        if found is None:
            no_camps = analysis.grouping.reason
        else:
            lines = []
            for label in range(found.k):
                size = sum(1 for g in found.assignments.values() if g == label)
                # What a group of two stands for would say how those two voted (SPEC §6).
                marks = tuple(
                    (statements[int(r.id)], r.direction)
                    for r in analysis.representative.get(label, ())
                    if int(r.id) in statements and size >= K_ANONYMITY
                )
                lines.append(GroupLine(size, marks))
            groups = tuple(lines)

    # 6. decisions
    decided = []
    still_open = []
    for proposal in inputs.proposals:
        line = DecisionLine(proposal, count(inputs.responses.get(proposal.id, [])))
        if proposal.is_open:
            still_open.append(line)
        elif proposal.closed_at is not None and proposal.closed_at >= start_at:
            decided.append(line)

    # 7. blockers still open: the latest answer of the week of each member, when it has one
    blockers = []
    for member in members:
        week_answers = sorted(
            (d, a)
            for d, a in answers.get(member.user_id, {}).items()
            if start <= d <= week_end and a.status is AnswerStatus.ANSWERED
        )
        if week_answers and week_answers[-1][1].blockers:
            day, answer = week_answers[-1]
            blockers.append(Blocker(member.person.name, day, answer.blockers))
    blockers.sort(key=lambda b: (b.local_date, b.name), reverse=True)

    # 8. lone wolves
    wolves = _lone_wolves(pack, members, answers, inputs.votes, matrix, analysis, splits, now)
    counts: Counter[SignalKind] = Counter(s.kind for w in wolves for s in w.signals)

    # 9. delivery problems
    problems = Counter(f.last_error or "unknown" for f in inputs.failures)

    week_votes: Counter[int] = Counter(
        v.statement_id for v in inputs.votes if v.at >= start_at and v.statement_id in visible_ids
    )
    week_lines = [
        StatementLine(statements[sid], tallies[sid])
        for sid, _ in sorted(week_votes.items(), key=lambda kv: (-kv[1], kv[0]))
        if tallies[sid].decided >= K_ANONYMITY
    ]

    return Summary(
        pack=pack,
        week=str(IsoWeek.of(local_today)),
        week_start=start,
        now=now,
        participation=participation,
        alignment=trend[-1],
        trend=trend,
        consensus=tuple(consensus[:TOP_CONSENSUS]),
        consensus_more=max(0, len(consensus) - TOP_CONSENSUS),
        splits=tuple(splits),
        groups=groups,
        no_camps_reason=None if groups is not None else no_camps,
        decisions=tuple(decided),
        open_proposals=tuple(still_open),
        blockers=tuple(blockers),
        lone_wolves=wolves,
        lone_wolf_counts=dict(counts),
        delivery_problems=tuple(
            DeliveryProblem(error, n)
            for error, n in sorted(problems.items(), key=lambda kv: -kv[1])
        ),
        week_statements=tuple(week_lines),
        statements_total=len(visible),
    )


LONE_WOLF_ROUNDS_DAYS = 21


def _lone_wolves(
    pack: Pack,
    members: list[Member],
    answers: dict[str, dict[dt.date, Answer]],
    votes: Sequence[Vote],
    matrix: VoteMatrix,
    analysis: Analysis | None,
    splits: list[Split],
    now: dt.datetime,
) -> tuple[LoneWolf, ...]:
    asks_collaborators = any(q.kind is QuestionKind.COLLABORATORS for q in pack.settings.questions)
    # "Alone in a group of their own" only means something where the pack has groups; without
    # them the majority-alignment evidence says it better.
    outliers = (
        set(analysis.grouping.outliers)
        if analysis is not None and analysis.grouping.groups is not None
        else set()
    )
    last_vote: dict[str, dt.datetime] = {}
    for vote in votes:
        last_vote[vote.user_id] = max(vote.at, last_vote.get(vote.user_id, vote.at))
    flagged: list[tuple[Member, tuple[Signal, ...]]] = []
    for member in members:
        zone = member_zone(pack.settings, member.person)
        since = now.astimezone(zone).date() - dt.timedelta(days=LONE_WOLF_ROUNDS_DAYS)
        mine = answers.get(member.user_id, {})
        checkins = []
        for day in sorted(
            set(_round_days(pack, member, since, now)) | {d for d in mine if d >= since}
        ):
            answer = mine.get(day)
            if answer is None:
                checkins.append(CheckIn(day, answered=False))
            elif answer.status is AnswerStatus.SKIPPED:
                checkins.append(CheckIn(day, answered=True))
            else:
                checkins.append(
                    CheckIn(
                        day,
                        answered=True,
                        collaborators=len(answer.collaborators) if asks_collaborators else None,
                        focus=answer.texts.get("focus"),
                    )
                )
        voted = last_vote.get(member.user_id)
        activity = Activity(
            member.user_id,
            tuple(checkins),
            voted.astimezone(zone).date() if voted is not None else None,
        )
        agreement = alignment(matrix, member.user_id) if member.user_id in matrix.members else None
        signals = lone_wolf_signals(
            activity,
            now.astimezone(zone).date(),
            alignment_result=agreement,
            is_outlier=member.user_id in outliers,
        )
        if signals:
            flagged.append((member, signals))
    flagged_ids = {m.user_id for m, _ in flagged}
    others = [m.user_id for m in members if m.user_id not in flagged_ids]
    names = {m.user_id: m.person.name for m in members}
    wolves = []
    for member, signals in flagged:
        partner = _partner(matrix, member.user_id, others, answers)
        wolves.append(
            LoneWolf(
                member.user_id,
                member.person.name,
                signals,
                pair_with=partner,
                pair_name=names.get(partner) if partner else None,
                weigh_in=splits[0].statement if splits else None,
            )
        )
    return tuple(wolves)


def _partner(
    matrix: VoteMatrix, user_id: str, others: list[str], answers: dict[str, dict[dt.date, Answer]]
) -> str | None:
    """Someone to pair with: the closest ally by votes among members not flagged themselves,
    else the most regular of them."""
    if not others:
        return None
    if user_id in matrix.members:
        pool = [o for o in others if o in matrix.members][:29]
        found = allies(matrix, user_id, pool).closest
        if found is not None:
            return found.other
    return max(others, key=lambda o: (len(answers.get(o, {})), o))
