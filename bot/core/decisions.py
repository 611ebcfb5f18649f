"""Use cases of proposals: put a decision to the pack, take positions, close at the time set."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from bot.core.errors import NotAllowed, NotFound, UserError
from bot.core.packs import Pack
from bot.core.ports import Clock, Database, Notifier, Transaction
from bot.core.proposals import (
    Counts,
    Outcome,
    Position,
    Proposal,
    clean_reason,
    count,
    latest,
    outcome,
    parse_proposal,
)


@dataclass(frozen=True)
class ProposalView:
    pack: Pack
    proposal: Proposal
    counts: Counts
    block_reasons: tuple[str, ...] = ()


class Decisions:
    def __init__(self, db: Database, notifier: Notifier, clock: Clock) -> None:
        self.db = db
        self.notifier = notifier
        self.clock = clock

    def propose(self, team_id: str, channel_id: str, user_id: str, text: str) -> ProposalView:
        now = self.clock.now()
        body, closes_at = parse_proposal(text, now)
        with self.db.transaction(team_id) as tx:
            pack = tx.packs.by_channel(channel_id)
            if pack is None:
                raise NotFound("Run `/propose` in your pack's channel.")
            self._member(tx, pack, user_id)
            proposal = tx.proposals.add(pack.id, body, user_id, closes_at, now)
        return ProposalView(pack, proposal, Counts())

    def publish(self, team_id: str, view: ProposalView) -> None:
        channel, ts = self.notifier.post_proposal(team_id, view)
        with self.db.transaction(team_id) as tx:
            tx.proposals.set_message(view.proposal.id, channel, ts)

    def respond(
        self,
        team_id: str,
        proposal_id: int,
        user_id: str,
        position: Position,
        reason: str,
        clicked: tuple[str, str] | None = None,
    ) -> ProposalView:
        """Records a position (the latest counts); Disagree and Block need a reason. `clicked`
        is the (channel, ts) of the message whose button was used: a click can arrive before
        the proposal's own ts is stored."""
        cleaned = clean_reason(position, reason)
        now = self.clock.now()
        with self.db.transaction(team_id) as tx:
            proposal = tx.proposals.get(proposal_id)
            if proposal is None:
                raise NotFound("That proposal is gone.")
            pack = tx.packs.get(proposal.pack_id)
            assert pack is not None
            self._member(tx, pack, user_id)
            if not proposal.is_open or now >= proposal.closes_at:
                raise UserError(
                    "This proposal has closed, so positions can no longer change. "
                    "`/consensus decisions` shows the outcome."
                )
            tx.proposals.respond(proposal.id, user_id, position, cleaned, now)
            responses = tx.proposals.responses(proposal.id)
            if proposal.message_ts is None and clicked and clicked[0] == pack.channel_id:
                tx.proposals.set_message(proposal.id, clicked[0], clicked[1])
                proposal = replace(proposal, channel_id=clicked[0], message_ts=clicked[1])
        view = ProposalView(pack, proposal, count(responses))
        if proposal.message_ts:
            self.notifier.update_proposal(team_id, view)
        return view

    def close(self, team_id: str, proposal_id: int, now: dt.datetime) -> Outcome | None:
        """Closes a proposal whose time has come: posts the outcome, then records it. The
        delivery queue runs this once per proposal; if posting fails the proposal stays open
        and the queue tries again, so an outcome is never lost. `now` is the tick's time."""
        with self.db.transaction(team_id) as tx:
            proposal = tx.proposals.get(proposal_id)
            if proposal is None or not proposal.is_open or now < proposal.closes_at:
                return None
            pack = tx.packs.get(proposal.pack_id)
            assert pack is not None
            responses = tx.proposals.responses(proposal.id)
        result = outcome(responses)
        blocks = tuple(r.reason for r in latest(responses).values() if r.position is Position.BLOCK)
        closed = replace(proposal, outcome=result, closed_at=now)
        self.notifier.post_outcome(team_id, ProposalView(pack, closed, count(responses), blocks))
        with self.db.transaction(team_id) as tx:
            tx.proposals.close(proposal.id, result, now)
        return result

    def decisions(self, team_id: str, channel_id: str, user_id: str) -> list[ProposalView]:
        with self.db.transaction(team_id) as tx:
            pack = tx.packs.by_channel(channel_id)
            if pack is None:
                raise NotFound("Run this in your pack's channel.")
            self._member(tx, pack, user_id)
            return [
                ProposalView(pack, p, count(tx.proposals.responses(p.id)))
                for p in tx.proposals.of_pack(pack.id)
            ]

    @staticmethod
    def _member(tx: Transaction, pack: Pack, user_id: str) -> None:
        member = tx.members.get(pack.id, user_id)
        if member is None or not member.active:
            raise NotAllowed("Only the pack's members take part in its decisions.")
