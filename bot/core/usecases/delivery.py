"""The tick: one scheduling pass. It plans what is due into the delivery queue (a key that
exists inserts nothing, so planning is safe to repeat) and then delivers what the queue holds,
claiming rows so that any number of processes can tick at once without sending anything twice."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

from bot.core.blockers import Blocker
from bot.core.checkins import RoundProgress
from bot.core.delivery import (
    BATCH,
    CLAIM_FOR,
    Delivery,
    DeliveryState,
    SendError,
    TickReport,
    held,
    next_attempt,
)
from bot.core.packs import Member, Pack
from bot.core.schedule import Due, DueKind, IsoWeek
from bot.core.summary import Summary
from bot.core.usecases import planning, proposals
from bot.core.usecases import prompts as prompts_
from bot.core.usecases import summary as summaries
from bot.core.usecases.prompts import AWAY, OFF_HOURS, SentPrompts
from bot.core.usecases.workspace import Workspace

ChartRenderer = Callable[[Summary], bytes]
# Summaries built in a delivery pass, by pack and the week they report.
Built = dict[tuple[int, IsoWeek | None], Summary | None]

log = logging.getLogger(__name__)
T = TypeVar("T")
# Slack sends no event when daylight saving moves a clock, but does when someone changes their
# timezone; profiles are read again daily in case an event was lost.
PROFILE_MAX_AGE = dt.timedelta(hours=24)
PROFILES_PER_TICK = 50


class Ticker:
    # Set by whoever shuts the process down: delivery ends after the send in progress and
    # releases the rows it claimed but did not send, so another replica sends them at once.
    stopping: threading.Event | None = None

    def __init__(
        self,
        team_ids: Callable[[], list[str]],
        workspace_for: Callable[[str], Workspace],
        chart: ChartRenderer,
    ) -> None:
        self.team_ids = team_ids
        self.workspace_for = workspace_for
        self.chart = chart

    def tick(self, now: dt.datetime) -> TickReport:
        report = TickReport()
        teams = self.team_ids()
        for team_id in teams:
            self.refresh_profiles(team_id, now)
            self.plan(team_id, now, report)
        for team_id in teams:
            self.deliver(team_id, now, report)
        return report

    def refresh_profiles(self, team_id: str, now: dt.datetime) -> None:
        ws = self.workspace_for(team_id)
        with ws.unit() as tx:
            stale = tx.people.stale(now - PROFILE_MAX_AGE, PROFILES_PER_TICK)
        for user_id in stale:
            try:
                person = ws.directory.person(user_id)
            except Exception:
                log.warning("profile of %s not refreshed; trying again next tick", user_id)
                return
            with ws.unit() as tx:
                if person is None:
                    tx.members.leave_all(user_id, now)
                else:
                    tx.people.upsert(person, now)
                    if not person.can_be_member:
                        tx.members.leave_all(user_id, now)

    def plan(self, team_id: str, now: dt.datetime, report: TickReport) -> None:
        """Queues what is due in the workspace (a key already queued inserts nothing)."""
        planning.plan(self.workspace_for(team_id), now, report)

    def deliver(self, team_id: str, now: dt.datetime, report: TickReport) -> None:
        """Sends what the workspace's queue holds, claimed batch by batch."""
        ws = self.workspace_for(team_id)
        # Summaries built in this pass, reused for the lone-wolf DMs they plan.
        built: Built = {}
        while not self._stop_requested():
            with ws.unit() as tx:
                batch = tx.deliveries.claim(now, now + CLAIM_FOR, BATCH)
            if not batch:
                return
            # Proposal closes, proposal reminders, summaries, lone-wolf DMs, then prompts.
            order = [
                DueKind.PROPOSAL_CLOSE,
                DueKind.PROPOSAL_REMINDER,
                DueKind.SUMMARY,
                DueKind.LONE_WOLF,
            ]
            others = [d for kind in order for d in batch if d.due.kind is kind]
            prompts = [d for d in batch if d.due.kind in (DueKind.PROMPT, DueKind.REMINDER)]
            # After the prompts: a prompt that carries a blocker's follow-up makes its own DM
            # unneeded.
            follow_ups = [d for d in batch if d.due.kind is DueKind.BLOCKER_FOLLOW_UP]
            for i, delivery in enumerate(others):
                if self._stop_requested():
                    self._release(ws, [*others[i:], *prompts, *follow_ups])
                    return
                if delivery.due.kind is DueKind.PROPOSAL_CLOSE:
                    self._close_proposal(ws, delivery, now, report)
                elif delivery.due.kind is DueKind.PROPOSAL_REMINDER:
                    self._remind_proposal(ws, delivery, now, report)
                elif delivery.due.kind is DueKind.SUMMARY:
                    self._send_summary(ws, delivery, now, report, built)
                else:
                    self._send_lone_wolf(ws, delivery, now, report, built)
            if self._stop_requested():
                self._release(ws, [*prompts, *follow_ups])
                return
            sendable = prompts_.settle(ws, prompts, now, report)
            sent = SentPrompts(ws, now, report)
            try:
                for i, (delivery, pack, member, progress, follow_up) in enumerate(sendable):
                    if self._stop_requested():
                        self._release(ws, [d for d, *_ in sendable[i:]])
                        self._release(ws, follow_ups)
                        return
                    self._send(ws, delivery, pack, member, progress, now, report, sent, follow_up)
            finally:
                # Also when a send raised: what reached Slack is recorded, not left to be
                # looked for.
                sent.record()
            for i, delivery in enumerate(follow_ups):
                if self._stop_requested():
                    self._release(ws, follow_ups[i:])
                    return
                self._follow_up_blocker(ws, delivery, now, report)

    def _stop_requested(self) -> bool:
        return self.stopping is not None and self.stopping.is_set()

    def _release(self, ws: Workspace, deliveries: Sequence[Delivery]) -> None:
        """Gives back rows claimed but not sent, so they need not wait for the claim to end."""
        if not deliveries:
            return
        with ws.unit() as tx:
            tx.deliveries.release(deliveries)
        log.info("stopping: released %d claimed deliveries unsent", len(deliveries))

    def _attempt(
        self,
        ws: Workspace,
        delivery: Delivery,
        now: dt.datetime,
        report: TickReport,
        send: Callable[[], T],
    ) -> tuple[T] | None:
        """Runs one send of a delivery: its result (in a 1-tuple), or None after recording a
        Slack or network error, to be retried or given up by the queue's rules."""
        try:
            return (send(),)
        except SendError as error:
            self._failed(ws, delivery, error, now, report)
        except OSError as error:
            log.warning("delivery %s: network error %s", delivery.due.key, error)
            self._failed(ws, delivery, SendError("network_error"), now, report)
        return None

    def _skipped(
        self, ws: Workspace, delivery: Delivery, now: dt.datetime, report: TickReport, why: str
    ) -> None:
        with ws.unit() as tx:
            tx.deliveries.finish(delivery.id, DeliveryState.SKIPPED, now, error=why)
        report.skipped += 1

    def _sent(
        self,
        ws: Workspace,
        delivery: Delivery,
        now: dt.datetime,
        report: TickReport,
        message: tuple[str, str] | None = None,
    ) -> None:
        channel, ts = message if message is not None else (None, None)
        with ws.unit() as tx:
            tx.deliveries.finish(
                delivery.id, DeliveryState.SENT, now, channel_id=channel, message_ts=ts
            )
        report.sent += 1

    def _close_proposal(
        self, ws: Workspace, delivery: Delivery, now: dt.datetime, report: TickReport
    ) -> None:
        proposal_id = delivery.due.proposal_id
        assert proposal_id is not None  # a proposal's key names it
        closing = self._attempt(
            ws, delivery, now, report, lambda: proposals.close(ws, proposal_id, now)
        )
        if closing is not None:
            self._sent(ws, delivery, now, report)

    def _summary(self, ws: Workspace, due: Due, now: dt.datetime, built: Built) -> Summary | None:
        """The summary of the week a summary or lone-wolf delivery is about."""
        key = (due.pack_id, due.key.week)
        if key not in built:
            built[key] = summaries.build(ws, due.pack_id, now, week=due.key.week)
        return built[key]

    def _send_summary(
        self,
        ws: Workspace,
        delivery: Delivery,
        now: dt.datetime,
        report: TickReport,
        built: Built,
    ) -> None:
        """Two sends under one key (`summaries.publish`): the message, then its chart; once
        both are done, the lone wolves' DMs are queued."""
        summary = self._summary(ws, delivery.due, now, built)
        if summary is None:
            self._skipped(ws, delivery, now, report, "no_pack")
            return
        done = self._attempt(
            ws, delivery, now, report, lambda: summaries.publish(ws, summary, delivery, self.chart)
        )
        if done is None:
            return
        self._sent(ws, delivery, now, report, done[0])
        report.queued += summaries.queue_lone_wolves(ws, summary, delivery.due, now)

    def _send_lone_wolf(
        self,
        ws: Workspace,
        delivery: Delivery,
        now: dt.datetime,
        report: TickReport,
        built: Built,
    ) -> None:
        if self._waits(ws, delivery, now, report):
            return
        # The summary of its own week, also when it waited for the member's working hours
        # into the next one.
        summary = self._summary(ws, delivery.due, now, built)
        wolf = None
        if summary is not None:
            wolf = next((w for w in summary.lone_wolves if w.user_id == delivery.due.user_id), None)
        if summary is None or wolf is None:
            self._skipped(ws, delivery, now, report, "not_needed")
            return
        flagged = wolf
        done = self._attempt(
            ws,
            delivery,
            now,
            report,
            lambda: ws.notifier.send_lone_wolf(summary, flagged),
        )
        if done is not None:
            self._sent(ws, delivery, now, report, done[0])

    def _remind_proposal(
        self, ws: Workspace, delivery: Delivery, now: dt.datetime, report: TickReport
    ) -> None:
        due = delivery.due
        proposal_id, user_id = due.proposal_id, due.user_id
        assert proposal_id is not None and user_id is not None  # a reminder's key names both
        with ws.unit() as tx:
            proposal = tx.proposals.get(proposal_id)
            member = tx.members.get(due.pack_id, user_id)
            answered = proposal is not None and any(
                r.user_id == user_id for r in tx.proposals.positions(proposal_id)
            )
            pack = tx.packs.get(due.pack_id)
            if (
                proposal is None
                or pack is None
                or not proposal.is_open
                or now >= proposal.closes_at
                or member is None
                or not member.active
                or answered
            ):
                tx.deliveries.finish(delivery.id, DeliveryState.SKIPPED, now, error="not_needed")
                report.skipped += 1
                return
        if self._waits(ws, delivery, now, report, read=(pack, member), deadline=proposal.closes_at):
            return
        person = member.person
        done = self._attempt(
            ws,
            delivery,
            now,
            report,
            lambda: ws.notifier.remind_proposal(pack, person, proposal),
        )
        if done is not None:
            self._sent(ws, delivery, now, report, done[0])

    def _waits(
        self,
        ws: Workspace,
        delivery: Delivery,
        now: dt.datetime,
        report: TickReport,
        *,
        read: tuple[Pack, Member] | None = None,
        deadline: dt.datetime | None = None,
    ) -> bool:
        """Whether a direct message waits until its recipient is back from time away and in
        working hours (put off, or skipped when it would come too late), rather than going
        now. `read`: its pack and member, when the caller has them."""
        due = delivery.due
        assert due.user_id is not None  # a direct message's key names its recipient
        with ws.unit() as tx:
            if read is None:
                pack = tx.packs.get(due.pack_id)
                member = tx.members.get(due.pack_id, due.user_id)
                if pack is None or member is None or not member.active:
                    tx.deliveries.finish(
                        delivery.id, DeliveryState.SKIPPED, now, error="not_a_member"
                    )
                    report.skipped += 1
                    return True
            else:
                pack, member = read
            hold = held(due, pack.settings, member.person, now, deadline=deadline)
            if hold is None:
                return False
            why = AWAY if hold.away else OFF_HOURS
            if hold.until is None:
                tx.deliveries.finish(delivery.id, DeliveryState.SKIPPED, now, error=why)
                report.skipped += 1
            else:
                tx.deliveries.retry(delivery.id, hold.until, why, count=False)
                report.waiting += 1
            return True

    def _send(
        self,
        ws: Workspace,
        delivery: Delivery,
        pack: Pack,
        member: Member,
        progress: RoundProgress | None,
        now: dt.datetime,
        report: TickReport,
        sent: SentPrompts,
        follow_up: Blocker | None = None,
    ) -> None:
        due = delivery.due
        # Claimed before the send, so the blocker is followed up once, by this prompt; a claim
        # this prompt made before its sender stopped is its own already.
        carried: Blocker | None = None
        claimed_now = False
        if follow_up is not None and follow_up.followed_up_by_key(due.key):
            carried = follow_up
        elif follow_up is not None:
            with ws.unit() as tx:
                if tx.blockers.claim_follow_up(follow_up.id, now, by=str(due.key)):
                    carried, claimed_now = follow_up, True
        found_sent = False

        def send() -> tuple[str, str]:
            nonlocal found_sent
            found = _sent_before(ws, delivery, member.user_id)
            if found is not None:
                found_sent = True
                return found
            return ws.notifier.send_prompt(
                pack,
                member.person,
                due.local_date,
                reminder=due.kind is DueKind.REMINDER,
                key=due.key,
                follow_up=carried,
                progress=progress,
            )

        try:
            done = self._attempt(ws, delivery, now, report, send)
        except BaseException:
            self._unfollow(ws, carried)
            raise
        if done is not None:
            sent.add(delivery, member, *done[0])
            if found_sent and claimed_now:
                # The prompt found in Slack went out before this claim: it did not carry it.
                self._unfollow(ws, carried)
        else:
            self._unfollow(ws, carried)

    def _unfollow(self, ws: Workspace, blocker: Blocker | None) -> None:
        """Takes back the follow-up claim of a message that did not go out."""
        if blocker is not None:
            with ws.unit() as tx:
                tx.blockers.release_follow_up(blocker.id)

    def _follow_up_blocker(
        self, ws: Workspace, delivery: Delivery, now: dt.datetime, report: TickReport
    ) -> None:
        """A blocker's own follow-up DM, when no prompt carried it: once, claimed on the
        blocker, inside the member's working hours."""
        blocker_id = delivery.due.key.blocker_id
        assert blocker_id is not None  # a follow-up's key names its blocker
        with ws.unit() as tx:
            blocker = tx.blockers.get(blocker_id)
            pack = tx.packs.get(delivery.due.pack_id)
            member = tx.members.get(delivery.due.pack_id, delivery.due.user_id or "")
        key = delivery.due.key
        # A claim this message made before its sender stopped is its own: it goes out (or is
        # found in Slack) rather than being lost.
        ours = blocker is not None and blocker.followed_up_by_key(key)
        if blocker is None or not blocker.is_open or (blocker.followed_up_at and not ours):
            self._skipped(ws, delivery, now, report, "not_needed")
            return
        if pack is None or member is None or not member.active:
            self._skipped(ws, delivery, now, report, "not_a_member")
            return
        if self._waits(ws, delivery, now, report, read=(pack, member)):
            return
        if not ours:
            with ws.unit() as tx:
                claimed = tx.blockers.claim_follow_up(blocker.id, now, by=str(key))
            if not claimed:
                self._skipped(ws, delivery, now, report, "not_needed")
                return
        person = member.person

        def send() -> tuple[str, str]:
            found = _sent_before(ws, delivery, person.user_id)
            if found is not None:
                return found
            return ws.notifier.send_blocker_follow_up(pack, person, blocker, key=key)

        try:
            done = self._attempt(ws, delivery, now, report, send)
        except BaseException:
            self._unfollow(ws, blocker)
            raise
        if done is None:
            self._unfollow(ws, blocker)
        else:
            self._sent(ws, delivery, now, report, done[0])

    def _failed(
        self,
        ws: Workspace,
        delivery: Delivery,
        error: SendError,
        now: dt.datetime,
        report: TickReport,
    ) -> None:
        counted = error.retry_after is None
        attempts = delivery.attempts + (1 if counted else 0)
        at = next_attempt(error, attempts, now, delivery.due.due_at)
        with ws.unit() as tx:
            if at is None:
                tx.deliveries.finish(delivery.id, DeliveryState.FAILED, now, error=error.code)
                report.failed += 1
                report.errors[error.code] = report.errors.get(error.code, 0) + 1
                log.warning("delivery %s failed for good: %s", delivery.due.key, error.code)
            else:
                tx.deliveries.retry(delivery.id, at, error.code, count=counted)
                report.retrying += 1


def _sent_before(ws: Workspace, delivery: Delivery, user_id: str) -> tuple[str, str] | None:
    """Where a direct message whose sender stopped before recording the outcome already is in
    Slack (found by its delivery key), or None: not sent yet, or not in doubt."""
    if not delivery.uncertain:
        return None
    found = ws.notifier.find_delivered(user_id, delivery.due.key)
    if found is not None:
        log.info("delivery %s was sent before its sender stopped", delivery.due.key)
    return found
