"""The weekly consensus summary built from a pack's own data, part by part in SPEC §5 order.
Pure: the caller reads the inputs in a fixed number of queries and hands them over."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

from bot.core.analysis.members import SignalKind
from bot.core.blockers import BlockerFigures, week_figures
from bot.core.checkins import Answer
from bot.core.schedule import IsoWeek
from bot.core.summary.agree import common_ground
from bot.core.summary.alignment import alignment_trend
from bot.core.summary.decisions import decisions
from bot.core.summary.groups import groups, map_points
from bot.core.summary.lone_wolves import heard_at, lone_wolves
from bot.core.summary.model import (
    TOP_COMMON_GROUND,
    DeliveryProblem,
    Summary,
    SummaryInputs,
    Week,
    week_start_of,
)
from bot.core.summary.participation import blockers, participation, starting
from bot.core.summary.splits import read_votes, settle, splits, week_statements


def build_summary(inputs: SummaryInputs, now: dt.datetime) -> Summary:
    week = _week(inputs, now)
    local_today = now.astimezone(ZoneInfo(inputs.pack.settings.timezone)).date()
    trend = alignment_trend(week)
    votes = read_votes(inputs.pack, inputs.statements, inputs.votes)
    split = settle(splits(votes, week.start_at), inputs.proposals)
    still_split = [s for s in split if s.settled_by is None]
    agreed = common_ground(
        votes, {m.user_id for m in week.members}, {s.statement.id for s in split}
    )
    camps, no_camps = groups(votes)
    decided, still_open = decisions(week, inputs.proposals, inputs.responses)
    new = starting(inputs, week)
    # A pack no round has reached yet has nobody to call quiet: no lone wolves.
    wolves = (
        lone_wolves(
            week.pack,
            list(week.members),
            week.answers,
            inputs.votes,
            heard_at(inputs),
            votes.matrix,
            votes.analysis,
            still_split,
            now,
            week.prompted,
        )
        if new is None
        else ()
    )
    counts: Counter[SignalKind] = Counter(s.kind for w in wolves for s in w.signals)
    problems = Counter(f.last_error or "unknown" for f in inputs.failures)
    return Summary(
        pack=inputs.pack,
        week=str(IsoWeek.of(local_today)),
        week_start=week.start,
        now=now,
        participation=participation(week),
        alignment=trend[-1],
        trend=trend,
        common_ground=agreed.found[:TOP_COMMON_GROUND],
        common_ground_more=max(0, len(agreed.found) - TOP_COMMON_GROUND),
        splits=tuple(split),
        groups=camps,
        no_camps_reason=no_camps,
        decisions=decided,
        open_proposals=still_open,
        blockers=blockers(week, _open_users(inputs)),
        lone_wolves=wolves,
        lone_wolf_counts=dict(counts),
        delivery_problems=tuple(
            DeliveryProblem(error, n)
            for error, n in sorted(problems.items(), key=lambda kv: -kv[1])
        ),
        week_statements=week_statements(votes, week.start_at),
        statements_total=len(votes.statements),
        starting=new,
        needs_more_votes=agreed.needs_more_votes,
        close_to_common_ground=agreed.close,
        map_points=map_points(votes.analysis),
        blocker_figures=(
            week_figures(inputs.blockers, week.start_at, week.start_at + dt.timedelta(days=7))
            if inputs.blockers is not None
            else BlockerFigures()
        ),
    )


def _open_users(inputs: SummaryInputs) -> set[str] | None:
    """The members whose blocker is still open, when the blockers were read."""
    if inputs.blockers is None:
        return None
    return {b.user_id for b in inputs.blockers if b.is_open}


def _week(inputs: SummaryInputs, now: dt.datetime) -> Week:
    pack = inputs.pack
    start = week_start_of(pack, now)
    members = tuple(m for m in inputs.members if m.active)
    member_ids = {m.user_id for m in members}
    answers: dict[str, dict[dt.date, Answer]] = defaultdict(dict)
    for rnd, answer in inputs.answers:
        if answer.user_id in member_ids:
            answers[answer.user_id][rnd.local_date] = answer
    zone = ZoneInfo(pack.settings.timezone)
    return Week(
        pack=pack,
        now=now,
        start=start,
        start_at=dt.datetime.combine(start, dt.time()).replace(tzinfo=zone),
        end=start + dt.timedelta(days=6),
        members=members,
        answers=dict(answers),
        prompted={m: inputs.prompted[m] for m in member_ids if m in inputs.prompted},
    )
