"""Where the pack is split (SPEC §5, part 4): the statements read once into the vote matrix
and its analysis, the splits with their reasons and trend, and the statements voted on this
week (the chart's bars)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.core.analysis.matrix import Vote as MatrixVote
from bot.core.analysis.matrix import VoteMatrix, build_matrix
from bot.core.analysis.report import Analysis, analyze
from bot.core.analysis.stats import Rules, divisiveness, statement_stats
from bot.core.packs import Pack
from bot.core.proposals import Outcome, Proposal
from bot.core.statements import K_ANONYMITY, Statement, Tally, Vote, VoteValue, latest_votes, tally
from bot.core.summary.model import (
    REASONS_PER_SIDE,
    TREND_STEP,
    Split,
    SplitTrend,
    StatementLine,
)


@dataclass(frozen=True)
class Votes:
    """The pack's visible statements and every vote on them, read once for every part."""

    statements: dict[int, Statement]
    history: dict[int, list[Vote]]  # every vote on each statement, oldest first
    current: dict[int, list[Vote]]  # each member's latest vote on each statement
    tallies: dict[int, Tally]
    rules: Rules
    matrix: VoteMatrix
    analysis: Analysis | None
    votes: Sequence[Vote]


def read_votes(pack: Pack, statements: Sequence[Statement], votes: Sequence[Vote]) -> Votes:
    visible = {s.id: s for s in statements if not s.hidden}
    history: dict[int, list[Vote]] = defaultdict(list)
    for vote in votes:
        if vote.statement_id in visible:
            history[vote.statement_id].append(vote)
    current: dict[int, list[Vote]] = defaultdict(list)
    for (sid, _), vote in latest_votes(list(votes)).items():
        if sid in visible:
            current[sid].append(vote)
    settings = pack.settings
    rules = Rules(
        min_decided_for_divisiveness=settings.contested_min_decided,
        contested_divisiveness=settings.contested_divisiveness,
    )
    matrix = build_matrix(
        [MatrixVote(v.user_id, str(v.statement_id), int(v.value)) for v in votes],
        hidden=[str(s.id) for s in statements if s.hidden],
        meta=[str(s.id) for s in statements if s.meta],
    )
    return Votes(
        statements=visible,
        history=history,
        current=current,
        tallies={sid: tally(history[sid]) for sid in visible},
        rules=rules,
        matrix=matrix,
        analysis=analyze(matrix, rules=rules) if matrix.members else None,
        votes=votes,
    )


def splits(votes: Votes, start_at: dt.datetime) -> list[Split]:
    """Contested statements, most divisive first, with the reasons on each side (no names),
    the trend since the week began, and who voted again after the pack talked it over."""
    found = []
    for sid, statement in votes.statements.items():
        now_tally = votes.tallies[sid]
        stats = statement_stats(
            str(sid), now_tally.agree, now_tally.disagree, now_tally.passes, votes.rules
        )
        if not stats.contested or now_tally.decided < K_ANONYMITY or stats.divisiveness is None:
            continue
        before = tally([v for v in votes.history[sid] if v.at < start_at])
        previous = divisiveness(before.agree, before.disagree, votes.rules)
        revoted, changed = _revotes(votes.history[sid], start_at)
        found.append(
            Split(
                statement=statement,
                tally=now_tally,
                agree_reasons=_reasons(votes.current[sid], VoteValue.AGREE),
                disagree_reasons=_reasons(votes.current[sid], VoteValue.DISAGREE),
                trend=_trend(previous, stats.divisiveness),
                divisiveness=stats.divisiveness,
                previous_divisiveness=previous,
                revoted=revoted,
                changed_side=changed,
            )
        )
    found.sort(key=lambda s: (-s.divisiveness, -s.tally.decided, s.statement.id))
    return found


def settle(found: Sequence[Split], proposals: Sequence[Proposal]) -> list[Split]:
    """The splits, each with the passed proposal that settled it (one put from the split, or
    a revision of one: both carry its statement), the latest to pass when there are several.
    Open splits first, in their order, then the settled ones."""
    passed: dict[int, Proposal] = {}
    for proposal in proposals:
        if proposal.statement_id is None or proposal.outcome is not Outcome.PASSED:
            continue
        earlier = passed.get(proposal.statement_id)
        if earlier is None or _closed(proposal) >= _closed(earlier):
            passed[proposal.statement_id] = proposal
    marked = [replace(s, settled_by=passed.get(s.statement.id)) for s in found]
    return [s for s in marked if s.settled_by is None] + [s for s in marked if s.settled_by]


def _closed(proposal: Proposal) -> tuple[dt.datetime, int]:
    return (proposal.closed_at or proposal.closes_at, proposal.id)


def week_statements(votes: Votes, start_at: dt.datetime) -> tuple[StatementLine, ...]:
    """This week's statements (voted on this week), most voted first, with counts."""
    week_votes: Counter[int] = Counter(
        v.statement_id
        for v in votes.votes
        if v.at >= start_at and v.statement_id in votes.statements
    )
    return tuple(
        StatementLine(votes.statements[sid], votes.tallies[sid])
        for sid, _ in sorted(week_votes.items(), key=lambda kv: (-kv[1], kv[0]))
        if votes.tallies[sid].decided >= K_ANONYMITY
    )


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
    for given in by_member.values():
        if len(given) >= 2 and given[-1].at >= since:
            revoted += 1
            if given[-1].value is not given[-2].value:
                changed += 1
    return revoted, changed
