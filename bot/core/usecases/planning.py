"""What a tick queues: every message whose time has come, each under its delivery key, so
planning the same thing twice (a second tick, a second process) queues it once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from bot.core.blockers import follow_up_day
from bot.core.delivery import DeliveryState, TickReport, initial_state
from bot.core.packs import Member, Pack
from bot.core.ports import Transaction
from bot.core.schedule import (
    DeliveryKey,
    Due,
    local_checkin_at,
    member_due,
    owed_since,
    proposal_due,
    summary_due,
)
from bot.core.usecases.workspace import Workspace

# How far back the plan reads which prompts were delivered (the reminders that follow them).
SENT_LOOKBACK = dt.timedelta(days=3)


def plan(ws: Workspace, now: dt.datetime, report: TickReport) -> None:
    """Queues what is due in the workspace at `now`: weekly summaries, prompts and the
    reminders that follow delivered ones, proposal reminders and closings, and the follow-up
    of each blocker no prompt followed up within FOLLOW_UP_WORKING_DAYS of the pack."""
    with ws.unit() as tx:
        packs = tx.packs.all()
        members = tx.members.by_pack([p.id for p in packs])
        sent = tx.deliveries.prompts_sent((now - SENT_LOOKBACK).date())
        planned = []
        for pack in packs:
            weekly = summary_due(pack.id, pack.settings, now, since=pack.created_at)
            if weekly is not None:
                planned.append((weekly, DeliveryState.PENDING))
            late_limit = dt.timedelta(minutes=pack.settings.late_limit_minutes)
            for member in members[pack.id]:
                dues = member_due(
                    pack.id,
                    pack.settings,
                    member.person,
                    now,
                    since=owed_since(pack, member),
                    sent=sent.get((pack.id, member.user_id), {}),
                )
                planned.extend((due, initial_state(due, now, late_limit)) for due in dues)
            for proposal in tx.proposals.of_pack(pack.id, open_only=True):
                answered = {r.user_id for r in tx.proposals.positions(proposal.id)}
                unanswered = [m.person for m in members[pack.id] if m.user_id not in answered]
                for due in proposal_due(
                    pack.id, proposal.id, proposal.closes_at, now, pack.settings, unanswered
                ):
                    planned.append((due, DeliveryState.PENDING))
        planned += _blocker_follow_ups(tx, packs, members, now)
        states = {due.key: state for due, state in planned}
        for key in tx.deliveries.add_many(planned, now):
            if states[key] is DeliveryState.MISSED:
                report.missed += 1
            else:
                report.queued += 1


def _blocker_follow_ups(
    tx: Transaction,
    packs: Sequence[Pack],
    members: Mapping[int, Sequence[Member]],
    now: dt.datetime,
) -> list[tuple[Due, DeliveryState]]:
    """The follow-up DM of each open blocker no prompt followed up, once its day has come:
    at the member's check-in time, FOLLOW_UP_WORKING_DAYS working days of the pack after the
    round that raised it."""
    by_id = {p.id: p for p in packs}
    found = []
    for blocker in tx.blockers.awaiting_follow_up():
        pack = by_id.get(blocker.pack_id)
        member = next(
            (m for m in members.get(blocker.pack_id, ()) if m.user_id == blocker.user_id), None
        )
        if pack is None or member is None:
            continue
        day = follow_up_day(pack.settings, blocker)
        at = local_checkin_at(pack.settings, member.person, day)
        if at <= now:
            key = DeliveryKey.blocker_follow_up(pack.id, blocker.id, blocker.user_id)
            found.append((Due(key, day, at), DeliveryState.PENDING))
    return found
