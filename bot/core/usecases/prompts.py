"""The prompts of a delivery pass: which of a claimed batch still go (and which carry a
blocker's follow-up), and recording those sent, many at a time."""

from __future__ import annotations

import datetime as dt

from bot.core.blockers import Blocker, needs_follow_up
from bot.core.checkins import AnswerStatus, RoundProgress, round_progress
from bot.core.delivery import Delivery, DeliveryState, Finished, TickReport, held
from bot.core.packs import Member, Pack
from bot.core.schedule import DueKind
from bot.core.usecases.workspace import Workspace

# Sent prompts are recorded this many at a time, in one transaction: a transaction per message
# cost a quarter of the time a send took. A prompt sent and not yet recorded is still safe:
# its row stays claimed and marked in flight, so if this process dies, the next sender finds
# the message in Slack (find_delivered) instead of sending it again.
RECORD_EVERY = 50
# Why a direct message waits, or was dropped: its recipient's working hours.
OFF_HOURS = "outside_working_hours"
# ... or their time away (their own calendar).
AWAY = "away"


def settle(
    ws: Workspace, batch: list[Delivery], now: dt.datetime, report: TickReport
) -> list[tuple[Delivery, Pack, Member, RoundProgress | None, Blocker | None]]:
    """Reads what the batch needs in one transaction, records the deliveries that are no
    longer wanted (answered, skipped, away, left, too late) and returns the rest: each
    reminder with how far its round is, each prompt with the member's open blocker when it is
    to carry its follow-up."""
    sendable: list[tuple[Delivery, Pack, Member, RoundProgress | None, Blocker | None]] = []
    ended: list[Finished] = []
    with ws.unit() as tx:
        pack_ids = sorted({d.due.pack_id for d in batch})
        packs = {p: tx.packs.get(p) for p in pack_ids}
        by_pack = tx.members.by_pack(pack_ids, include_inactive=True)
        members = {(m.pack_id, m.user_id): m for ms in by_pack.values() for m in ms}
        statuses = tx.answers.statuses(pack_ids, [d.due.local_date for d in batch])
        of_round: dict[tuple[int, dt.date], dict[str, AnswerStatus]] = {}
        for (p, u, d), given in statuses.items():
            of_round.setdefault((p, d), {})[u] = given
        blockers = tx.blockers.open_in(pack_ids) if batch else {}
        for delivery in batch:
            due = delivery.due
            pack = packs.get(due.pack_id)
            member = members.get((due.pack_id, due.user_id or ""))
            status = (
                statuses.get((due.pack_id, member.user_id, due.local_date))
                if member is not None
                else None
            )
            away = member.person.away if member is not None else None
            reason = None
            if pack is None or member is None or not member.active:
                reason = "not_a_member"
            elif away is not None and away.covers(due.local_date):
                reason = AWAY
            elif status is AnswerStatus.ANSWERED:
                reason = "answered"
            elif status is AnswerStatus.SKIPPED:
                reason = "skipped_round"
            elif now - due.due_at > dt.timedelta(minutes=pack.settings.late_limit_minutes):
                ended.append(Finished(delivery.id, DeliveryState.MISSED, error="too_late"))
                report.missed += 1
                continue
            if reason is not None:
                ended.append(Finished(delivery.id, DeliveryState.SKIPPED, error=reason))
                report.skipped += 1
                continue
            assert pack is not None and member is not None
            hold = held(due, pack.settings, member.person, now)
            if hold is None:
                blocker = blockers.get((pack.id, member.user_id))
                if due.kind is not DueKind.PROMPT or not needs_follow_up(
                    blocker, due.local_date, due.key
                ):
                    blocker = None
                progress = (
                    round_progress(
                        due.local_date,
                        by_pack.get(pack.id, []),
                        of_round.get((pack.id, due.local_date), {}),
                    )
                    if due.kind is DueKind.REMINDER
                    else None
                )
                sendable.append((delivery, pack, member, progress, blocker))
            elif hold.until is None:
                ended.append(Finished(delivery.id, DeliveryState.MISSED, error=OFF_HOURS))
                report.missed += 1
            else:
                tx.deliveries.retry(delivery.id, hold.until, OFF_HOURS, count=False)
                report.waiting += 1
        tx.deliveries.finish_many(ended, now)
    return sendable


class SentPrompts:
    """Prompts sent and not yet recorded, with the DM channels Slack named for them (stored,
    so that later DMs go straight to the channel); recorded RECORD_EVERY at a time."""

    def __init__(self, ws: Workspace, now: dt.datetime, report: TickReport) -> None:
        self.ws = ws
        self.now = now
        self.report = report
        self.sent: list[Finished] = []
        self.dm_channels: dict[str, str] = {}

    def add(self, delivery: Delivery, member: Member, channel: str, ts: str) -> None:
        self.sent.append(
            Finished(delivery.id, DeliveryState.SENT, channel_id=channel, message_ts=ts)
        )
        if channel != member.person.dm_channel:
            self.dm_channels[member.user_id] = channel
        if len(self.sent) >= RECORD_EVERY:
            self.record()

    def record(self) -> None:
        if not self.sent:
            return
        with self.ws.unit() as tx:
            tx.deliveries.finish_many(self.sent, self.now)
            for user_id, channel in self.dm_channels.items():
                tx.people.set_dm_channel(user_id, channel)
        self.report.sent += len(self.sent)
        self.sent, self.dm_channels = [], {}
