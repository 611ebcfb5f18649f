"""Use cases of the weekly consensus summary: read a pack's week in a fixed number of queries,
build the summary, post it with its chart, and tell each lone wolf privately."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from bot.core.lookup import pack_of_member
from bot.core.packs import Pack
from bot.core.ports import Clock, Database, Notifier, Transaction
from bot.core.summary import TREND_WEEKS, Summary, SummaryInputs, build_summary, week_start_of

ChartRenderer = Callable[[Summary], bytes]

# Delivery failures are shown to admins in the next summary: those of the last week.
FAILURES_SINCE = dt.timedelta(days=7)


def summary_inputs(tx: Transaction, pack: Pack, now: dt.datetime) -> SummaryInputs:
    """Eight reads whatever the size of the pack: one per kind of row."""
    first = week_start_of(pack, now) - dt.timedelta(weeks=TREND_WEEKS - 1)
    members = tx.members.of_pack(pack.id)
    answers = tx.answers.since(pack.id, first - dt.timedelta(days=1))
    statements = tx.statements.of_pack(pack.id, include_hidden=True)
    votes = tx.statements.votes(pack.id)
    proposals = tx.proposals.of_pack(pack.id)
    # Only proposals the summary shows need their responses: open ones and those closed lately.
    recent = [
        p.id
        for p in proposals
        if p.is_open or (p.closed_at is not None and now - p.closed_at <= dt.timedelta(days=8))
    ]
    responses = tx.proposals.responses_for(recent)
    failures = tx.deliveries.failures(pack.id, now - FAILURES_SINCE)
    return SummaryInputs(
        pack=pack,
        members=members,
        answers=answers,
        statements=statements,
        votes=votes,
        proposals=proposals,
        responses=responses,
        failures=failures,
    )


class Reports:
    def __init__(
        self, db: Database, notifier: Notifier, clock: Clock, chart: ChartRenderer
    ) -> None:
        self.db = db
        self.notifier = notifier
        self.clock = clock
        self.chart = chart

    def build(self, team_id: str, pack_id: int, now: dt.datetime) -> Summary | None:
        with self.db.transaction(team_id) as tx:
            pack = tx.packs.get(pack_id)
            if pack is None:
                return None
            inputs = summary_inputs(tx, pack, now)
        return build_summary(inputs, now)

    def report(self, team_id: str, channel_id: str, user_id: str) -> tuple[Summary, bool]:
        """`/consensus`: the week so far, for a member of the channel's pack (or of their only
        pack, when asked elsewhere), and whether they are one of its admins."""
        now = self.clock.now()
        with self.db.transaction(team_id) as tx:
            pack, member = pack_of_member(
                tx,
                channel_id,
                user_id,
                elsewhere="Run `/consensus` in your pack's channel.",
                not_member="The consensus report is for the pack's members.",
            )
            inputs = summary_inputs(tx, pack, now)
        return build_summary(inputs, now), pack.is_admin(member.person)

    def post(self, team_id: str, summary: Summary, key: str, *, retry: bool) -> tuple[str, str]:
        """Posts the summary once: a retry first asks Slack whether an earlier attempt got
        through (a timeout can hide a message that was posted). Raises SendError."""
        channel = summary.pack.channel_id
        if retry:
            found = self.notifier.find_posted(team_id, channel, key)
            if found is not None:
                return channel, found
        return self.notifier.post_summary(team_id, summary, key=key)

    def upload_chart(self, team_id: str, summary: Summary, thread_ts: str) -> None:
        """Raises SendError."""
        self.notifier.upload_chart(team_id, summary, self.chart(summary), thread_ts)
