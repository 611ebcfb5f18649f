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
    parse_revision,
    revision_refusal,
)
from bot.core.statements import Statement


@dataclass(frozen=True)
class ProposalView:
    pack: Pack
    proposal: Proposal
    counts: Counts
    block_reasons: tuple[str, ...] = ()
    # The earlier proposal this one revises, and the later one that revised this one.
    revises: Proposal | None = None
    revised_as: int | None = None


class Decisions:
    def __init__(self, db: Database, notifier: Notifier, clock: Clock) -> None:
        self.db = db
        self.notifier = notifier
        self.clock = clock

    def propose(self, team_id: str, channel_id: str, user_id: str, text: str) -> ProposalView:
        now = self.clock.now()
        with self.db.transaction(team_id) as tx:
            pack = tx.packs.by_channel(channel_id)
            if pack is None:
                raise NotFound("Run `/propose` in your pack's channel.")
            self._member(tx, pack, user_id)
            body, closes_at = parse_proposal(text, now, pack.settings.timezone)
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
    ) -> None:
        """Records a position (the latest counts); Disagree and Block need a reason. `clicked`
        is the (channel, ts) of the message whose button was used: a click can arrive before
        the proposal's own ts is stored. The channel message's counts are `refresh`'s, after
        Slack has its answer."""
        cleaned = clean_reason(position, reason)
        now = self.clock.now()
        with self.db.transaction(team_id) as tx:
            standing = tx.proposals.standing(proposal_id, user_id)
            if standing is None:
                raise NotFound(_GONE)
            proposal, channel_id, member = standing
            if not member:
                raise NotAllowed(_NOT_MEMBER)
            if not proposal.is_open or now >= proposal.closes_at:
                raise UserError(_CLOSED)
            tx.proposals.respond(proposal.id, user_id, position, cleaned, now)
            if proposal.message_ts is None and clicked and clicked[0] == channel_id:
                tx.proposals.set_message(proposal.id, clicked[0], clicked[1])

    def refresh(self, team_id: str, proposal_id: int) -> None:
        """Brings the proposal's channel message up to the counts as they are now (so of
        several quick clicks, the last refresh shows them all)."""
        view = self.view(team_id, proposal_id)
        if view.proposal.message_ts:
            self.notifier.update_proposal(team_id, view)

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
            responses = tx.proposals.positions(proposal.id)
            revises = self._revises(tx, proposal)
        result = outcome(responses)
        blocks = tuple(r.reason for r in latest(responses).values() if r.position is Position.BLOCK)
        closed = replace(proposal, outcome=result, closed_at=now)
        self.notifier.post_outcome(
            team_id, ProposalView(pack, closed, count(responses), blocks, revises=revises)
        )
        with self.db.transaction(team_id) as tx:
            tx.proposals.close(proposal.id, result, now)
        return result

    def decisions(self, team_id: str, channel_id: str, user_id: str) -> list[ProposalView]:
        with self.db.transaction(team_id) as tx:
            pack = tx.packs.by_channel(channel_id)
            if pack is None:
                raise NotFound("Run this in your pack's channel.")
            self._member(tx, pack, user_id)
            proposals = tx.proposals.of_pack(pack.id)
            by_id = {p.id: p for p in proposals}
            revised_as: dict[int, int] = {}
            for p in proposals:
                if p.revises_id is not None:
                    revised_as[p.revises_id] = p.id
            return [
                ProposalView(
                    pack,
                    p,
                    count(tx.proposals.positions(p.id)),
                    revises=by_id.get(p.revises_id) if p.revises_id is not None else None,
                    revised_as=revised_as.get(p.id),
                )
                for p in proposals
            ]

    def view(self, team_id: str, proposal_id: int) -> ProposalView:
        """A proposal as its channel message shows it."""
        with self.db.transaction(team_id) as tx:
            proposal = tx.proposals.get(proposal_id)
            if proposal is None:
                raise NotFound(_GONE)
            pack = tx.packs.get(proposal.pack_id)
            assert pack is not None
            responses = tx.proposals.positions(proposal.id)
            return ProposalView(
                pack, proposal, count(responses), revises=self._revises(tx, proposal)
            )

    def answer_form(self, team_id: str, proposal_id: int, user_id: str) -> ProposalView:
        """What the proposal modal (opened from App Home) starts with: refuses non-members and
        closed proposals, so the modal never asks for a position that cannot count."""
        now = self.clock.now()
        with self.db.transaction(team_id) as tx:
            proposal, pack = self._open_proposal(tx, proposal_id, user_id, now)
            responses = tx.proposals.positions(proposal.id)
            return ProposalView(
                pack, proposal, count(responses), revises=self._revises(tx, proposal)
            )

    def split_form(self, team_id: str, statement_id: int, user_id: str) -> tuple[Pack, Statement]:
        """The contested statement a member wants to settle with a proposal."""
        with self.db.transaction(team_id) as tx:
            return self._split_statement(tx, statement_id, user_id)

    def propose_from_split(
        self, team_id: str, statement_id: int, user_id: str, text: str, closes: str
    ) -> ProposalView:
        """A proposal that settles a split, linked to its statement (which then counts as
        discussed, SPEC §4.6). FieldErrors keyed `text` and `closes`. Posting it is `publish`."""
        now = self.clock.now()
        with self.db.transaction(team_id) as tx:
            pack, statement = self._split_statement(tx, statement_id, user_id)
            body, closes_at = parse_revision(text, closes, now, pack.settings.timezone)
            proposal = tx.proposals.add(
                pack.id, body, user_id, closes_at, now, statement_id=statement.id
            )
        return ProposalView(pack, proposal, Counts())

    def revise_form(self, team_id: str, proposal_id: int, user_id: str) -> ProposalView:
        """The failed proposal its proposer is about to revise; UserError saying why not when
        they may not."""
        with self.db.transaction(team_id) as tx:
            proposal, pack = self._revisable(tx, proposal_id, user_id)
            return ProposalView(pack, proposal, count(tx.proposals.positions(proposal.id)))

    def revise(
        self, team_id: str, proposal_id: int, user_id: str, text: str, closes: str
    ) -> ProposalView:
        """Puts a revised version of a failed proposal to the pack, linked to it. FieldErrors
        (keys `text`, `closes`) for bad input; UserError when it may not be revised (any
        more). Posting it is `publish`."""
        now = self.clock.now()
        with self.db.transaction(team_id) as tx:
            # A proposal is revised once: the store's unique revises_id settles two submits
            # racing each other, and the later one gets the same refusal as below.
            old, pack = self._revisable(tx, proposal_id, user_id)
            body, closes_at = parse_revision(text, closes, now, pack.settings.timezone)
            revision = tx.proposals.add(
                pack.id,
                body,
                user_id,
                closes_at,
                now,
                statement_id=old.statement_id,
                revises_id=old.id,
            )
        return ProposalView(pack, revision, Counts(), revises=old)

    def _revisable(self, tx: Transaction, proposal_id: int, user_id: str) -> tuple[Proposal, Pack]:
        proposal = tx.proposals.get(proposal_id)
        if proposal is None:
            raise NotFound("That proposal is gone.")
        pack = tx.packs.get(proposal.pack_id)
        assert pack is not None
        self._member(tx, pack, user_id)
        revisions = [p for p in tx.proposals.of_pack(pack.id) if p.revises_id == proposal.id]
        refusal = revision_refusal(proposal, user_id, revisions)
        if refusal is not None:
            raise NotAllowed(refusal)
        return proposal, pack

    def _open_proposal(
        self, tx: Transaction, proposal_id: int, user_id: str, now: dt.datetime
    ) -> tuple[Proposal, Pack]:
        """A proposal that still takes positions, and its pack; refuses non-members."""
        proposal = tx.proposals.get(proposal_id)
        if proposal is None:
            raise NotFound(_GONE)
        pack = tx.packs.get(proposal.pack_id)
        assert pack is not None
        self._member(tx, pack, user_id)
        if not proposal.is_open or now >= proposal.closes_at:
            raise UserError(_CLOSED)
        return proposal, pack

    def _split_statement(
        self, tx: Transaction, statement_id: int, user_id: str
    ) -> tuple[Pack, Statement]:
        statement = tx.statements.get(statement_id)
        if statement is None or statement.hidden:
            raise NotFound("That statement is gone.")
        pack = tx.packs.get(statement.pack_id)
        assert pack is not None
        self._member(tx, pack, user_id)
        return pack, statement

    @staticmethod
    def _revises(tx: Transaction, proposal: Proposal) -> Proposal | None:
        return tx.proposals.get(proposal.revises_id) if proposal.revises_id is not None else None

    @staticmethod
    def _member(tx: Transaction, pack: Pack, user_id: str) -> None:
        member = tx.members.get(pack.id, user_id)
        if member is None or not member.active:
            raise NotAllowed(_NOT_MEMBER)


_GONE = "That proposal is gone."
_NOT_MEMBER = "Only the pack's members take part in its decisions."
_CLOSED = (
    "This proposal has closed, so positions can no longer change. "
    "`/consensus decisions` shows the outcome."
)
