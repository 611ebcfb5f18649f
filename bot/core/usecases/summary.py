"""The weekly consensus summary: a pack's week read in a fixed number of queries, built, and
posted once; `/consensus` shows a member the week so far."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from bot.core.analysis.members import HEARD_DAYS
from bot.core.delivery import Delivery, DeliveryState
from bot.core.errors import NotAllowed, NotFound
from bot.core.packs import Pack
from bot.core.ports import Transaction
from bot.core.schedule import DeliveryKey, Due, IsoWeek
from bot.core.summary import TREND_WEEKS, Summary, SummaryInputs, build_summary, week_start_of
from bot.core.usecases.packs import pack_of_command
from bot.core.usecases.workspace import Workspace

# Delivery failures are shown to admins in the next summary: those of the last week.
FAILURES_SINCE = dt.timedelta(days=7)
# Reasons and thread replies this recent tell the lone-wolf signals a member was heard (their
# window is HEARD_DAYS in each member's own calendar: a day more covers any timezone).
HEARD_SINCE = dt.timedelta(days=HEARD_DAYS + 1)


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


def details(ws: Workspace, pack_id: int, week: IsoWeek, user_id: str) -> tuple[Summary, bool]:
    """A posted summary's Details: the full report of its week (as of the end of that week once
    it is over), for a member of its pack, and whether they are one of its admins."""
    now = ws.now()
    with ws.unit() as uow:
        pack = uow.packs.get(pack_id)
        if pack is None:
            raise NotFound("This pack is gone.")
        member = uow.members.get(pack.id, user_id)
        if member is None or not member.active:
            raise NotAllowed("The full report is for the pack's members.")
        inputs = summary_inputs(uow, pack, _as_of(pack, now, week))
    return build_summary(inputs, _as_of(pack, now, week)), pack.is_admin(member.person)


def _as_of(pack: Pack, now: dt.datetime, week: IsoWeek | None) -> dt.datetime:
    """`now`, or the end of `week` in the pack's timezone when that comes first."""
    if week is None:
        return now
    last = dt.date.fromisocalendar(week.year, week.week, 7)
    return min(now, dt.datetime.combine(last, dt.time.max, ZoneInfo(pack.settings.timezone)))


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
        now = _as_of(pack, now, week)
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


def publish(
    ws: Workspace, summary: Summary, delivery: Delivery, chart: Callable[[Summary], bytes]
) -> tuple[str, str]:
    """The weekly post under its delivery's key: the message, recorded as soon as Slack has
    it, then the chart in its thread (a retry after a failed upload only uploads). A pack no
    round has reached yet gets its short note alone: no figures, so no chart. Raises
    SendError."""
    channel, ts = summary.pack.channel_id, delivery.message_ts
    if ts is None:
        retry = delivery.uncertain or delivery.attempts > 0
        channel, ts = post(ws, summary, delivery.due.key, retry=retry)
        with ws.unit() as tx:
            tx.deliveries.mark_posted(delivery.id, channel, ts)
    if summary.starting is None:
        ws.notifier.upload_chart(summary, chart(summary), ts)
    return channel, ts


def queue_lone_wolves(ws: Workspace, summary: Summary, due: Due, now: dt.datetime) -> int:
    """Queues the private DM of each lone wolf of a posted summary, under the week it reports
    (Monday's ISO week is the summary's); how many were not queued already."""
    week = IsoWeek.of(summary.week_start)
    wolves = [
        (
            Due(DeliveryKey.lone_wolf(due.pack_id, w.user_id, week), due.local_date, now),
            DeliveryState.PENDING,
        )
        for w in summary.lone_wolves
    ]
    if not wolves:
        return 0
    with ws.unit() as tx:
        return len(tx.deliveries.add_many(wolves, now))


def summary_inputs(uow: Transaction, pack: Pack, now: dt.datetime) -> SummaryInputs:
    """Ten reads whatever the size of the pack: one per kind of row. Answers and delivered
    prompts are read over the same days: the pack's last TREND_WEEKS weeks, a day more for
    members whose calendar runs behind the pack's, up to the latest day any member's calendar
    has reached."""
    first = week_start_of(pack, now) - dt.timedelta(weeks=TREND_WEEKS - 1)
    since = first - dt.timedelta(days=1)
    proposals = uow.proposals.of_pack(pack.id)
    # Only proposals the summary shows need their responses (open ones and those closed lately),
    # and those whose positions may have been taken within the lone-wolf signals' window.
    recent = [
        p.id
        for p in proposals
        if p.is_open or (p.closed_at is not None and now - p.closed_at <= HEARD_SINCE)
    ]
    return SummaryInputs(
        pack=pack,
        members=uow.members.of_pack(pack.id),
        answers=uow.answers.since(pack.id, since),
        statements=uow.statements.of_pack(pack.id, include_hidden=True),
        votes=uow.statements.votes(pack.id),
        proposals=proposals,
        responses=uow.proposals.responses_for(recent),
        failures=uow.deliveries.failures(pack.id, now - FAILURES_SINCE),
        prompted=uow.deliveries.prompted(pack.id, since, now.date() + dt.timedelta(days=1)),
        replies=uow.statements.replies(pack.id, now - HEARD_SINCE),
        blockers=uow.blockers.of_pack_since(pack.id, _at_start(pack, first)),
    )


def _at_start(pack: Pack, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time()).replace(tzinfo=ZoneInfo(pack.settings.timezone))
