"""The weekly consensus summary: a pack's week read in a fixed number of queries, built, and
posted once; `/consensus` shows a member the week so far."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.core.packs import Pack
from bot.core.ports import Transaction
from bot.core.schedule import DeliveryKey, IsoWeek
from bot.core.summary import TREND_WEEKS, Summary, SummaryInputs, build_summary, week_start_of
from bot.core.usecases.packs import pack_of_command
from bot.core.usecases.workspace import Workspace

# Delivery failures are shown to admins in the next summary: those of the last week.
FAILURES_SINCE = dt.timedelta(days=7)


def consensus_report(ws: Workspace, channel_id: str, user_id: str) -> tuple[Summary, bool]:
    """`/consensus`: the week so far, for a member of the channel's pack (or of their only
    pack, when asked elsewhere), and whether they are one of its admins."""
    now = ws.now()
    with ws.unit() as uow:
        pack, member = pack_of_command(
            uow,
            channel_id,
            user_id,
            elsewhere="Run `/consensus` in your pack's channel.",
            not_member="The consensus report is for the pack's members.",
        )
        inputs = summary_inputs(uow, pack, now)
    return build_summary(inputs, now), pack.is_admin(member.person)


def build(
    ws: Workspace, pack_id: int, now: dt.datetime, *, week: IsoWeek | None = None
) -> Summary | None:
    """The pack's summary as of `now`; None when the pack is gone. Of `week`, when given, as of
    the end of that week once it is over: a summary, or a lone-wolf note, sent late (after
    downtime, or a wait for working hours) still reports its own week."""
    with ws.unit() as uow:
        pack = uow.packs.get(pack_id)
        if pack is None:
            return None
        if week is not None:
            last = dt.date.fromisocalendar(week.year, week.week, 7)
            ends = dt.datetime.combine(last, dt.time.max, ZoneInfo(pack.settings.timezone))
            now = min(now, ends)
        inputs = summary_inputs(uow, pack, now)
    return build_summary(inputs, now)


def post(ws: Workspace, summary: Summary, key: DeliveryKey, *, retry: bool) -> tuple[str, str]:
    """Posts the summary once: a retry first asks Slack whether an earlier attempt got
    through (a timeout can hide a message that was posted). Raises SendError."""
    channel = summary.pack.channel_id
    if retry:
        found = ws.notifier.find_posted(channel, key)
        if found is not None:
            return channel, found
    return ws.notifier.post_summary(summary, key=key)


def summary_inputs(uow: Transaction, pack: Pack, now: dt.datetime) -> SummaryInputs:
    """Eight reads whatever the size of the pack: one per kind of row."""
    first = week_start_of(pack, now) - dt.timedelta(weeks=TREND_WEEKS - 1)
    proposals = uow.proposals.of_pack(pack.id)
    # Only proposals the summary shows need their responses: open ones and those closed lately.
    recent = [
        p.id
        for p in proposals
        if p.is_open or (p.closed_at is not None and now - p.closed_at <= dt.timedelta(days=8))
    ]
    return SummaryInputs(
        pack=pack,
        members=uow.members.of_pack(pack.id),
        answers=uow.answers.since(pack.id, first - dt.timedelta(days=1)),
        statements=uow.statements.of_pack(pack.id, include_hidden=True),
        votes=uow.statements.votes(pack.id),
        proposals=proposals,
        responses=uow.proposals.responses_for(recent),
        failures=uow.deliveries.failures(pack.id, now - FAILURES_SINCE),
    )
