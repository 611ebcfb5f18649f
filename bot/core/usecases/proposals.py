"""Proposals: put a decision to the pack (from a command, a split or a failed proposal), take
positions, read the decision log, and close at the time set."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from functools import partial
from typing import NoReturn

from bot.core.errors import NotAllowed, NotFound, UserError
from bot.core.packs import Pack
from bot.core.ports import Transaction
from bot.core.proposals import (
    Counts,
    Outcome,
    Position,
    Proposal,
    ProposalView,
    SplitDraft,
    clean_reason,
    count,
    latest,
    outcome,
    parse_proposal,
    parse_revision,
    revision_refusal,
    split_draft,
)
from bot.core.statements import Statement
from bot.core.usecases.packs import active_member, existing_pack
from bot.core.usecases.workspace import Done, Workspace

GONE = "That proposal is gone."
NOT_MEMBER = "Only the pack's members take part in its decisions."
CLOSED = (
    "This proposal has closed, so positions can no longer change. "
    "`/consensus decisions` shows the outcome."
)


def propose(ws: Workspace, channel_id: str, user_id: str, text: str) -> Done[ProposalView]:
    """`/propose <text> [--closes …]`. After: the proposal posted with its buttons."""
    now = ws.now()
    with ws.unit() as uow:
        pack = uow.packs.by_channel(channel_id)
        if pack is None:
            raise NotFound("Run `/propose` in your pack's channel.")
        active_member(uow, pack, user_id, not_member=NOT_MEMBER)
        body, closes_at = parse_proposal(text, now, pack.settings.timezone)
        proposal = uow.proposals.add(pack.id, body, user_id, closes_at, now)
    return _posted(ws, ProposalView(pack, proposal, Counts()))


def respond(
    ws: Workspace,
    proposal_id: int,
    user_id: str,
    position: Position,
    reason: str,
    clicked: tuple[str, str] | None = None,
) -> Done[None]:
    """A position (the latest counts); Disagree and Block need a reason. `clicked` is the
    (channel, ts) of the message whose button was used: a click can arrive before the
    proposal's own ts is stored. After: the channel message's counts, brought up to date (a
    burst of clicks shares one update)."""
    cleaned = clean_reason(position, reason)
    now = ws.now()
    with ws.unit() as uow:
        if not uow.proposals.respond(proposal_id, user_id, position, cleaned, now):
            _refuse(uow, proposal_id, user_id, now)
    return Done(
        None,
        partial(refresh, ws, proposal_id, clicked),
        once=("proposal", ws.team_id, proposal_id),
    )


def _refuse(uow: Transaction, proposal_id: int, user_id: str, now: dt.datetime) -> NoReturn:
    """Why a position was not recorded: no such proposal, not a member, or closed."""
    standing = uow.proposals.standing(proposal_id, user_id)
    if standing is None:
        raise NotFound(GONE)
    proposal, _, member = standing
    if not member:
        raise NotAllowed(NOT_MEMBER)
    if not proposal.is_open or now >= proposal.closes_at:
        raise UserError(CLOSED)
    raise NotFound(GONE)


def decision_log(ws: Workspace, channel_id: str, user_id: str) -> list[ProposalView]:
    """`/consensus decisions`: every proposal of the channel's pack, with its revisions."""
    with ws.unit() as uow:
        pack = uow.packs.by_channel(channel_id)
        if pack is None:
            raise NotFound("Run this in your pack's channel.")
        active_member(uow, pack, user_id, not_member=NOT_MEMBER)
        proposals = uow.proposals.of_pack(pack.id)
        responses = uow.proposals.responses_for([p.id for p in proposals])
    by_id = {p.id: p for p in proposals}
    revised_as = {p.revises_id: p.id for p in proposals if p.revises_id is not None}
    return [
        ProposalView(
            pack,
            p,
            count(responses.get(p.id, [])),
            revises=by_id.get(p.revises_id) if p.revises_id is not None else None,
            revised_as=revised_as.get(p.id),
        )
        for p in proposals
    ]


def answer_form(ws: Workspace, proposal_id: int, user_id: str) -> ProposalView:
    """What the proposal modal (opened from App Home) starts with: refuses non-members and
    closed proposals, so the modal never asks for a position that cannot count."""
    now = ws.now()
    with ws.unit() as uow:
        proposal, pack = _proposal_of_member(uow, proposal_id, user_id)
        if not proposal.is_open or now >= proposal.closes_at:
            raise UserError(CLOSED)
        return _view(uow, pack, proposal)


def split_form(ws: Workspace, statement_id: int, user_id: str) -> tuple[Pack, Statement]:
    """The contested statement a member wants to settle with a proposal."""
    with ws.unit() as uow:
        return _split_statement(uow, statement_id, user_id)


def draft_for_split(ws: Workspace, statement_id: int, user_id: str) -> SplitDraft:
    """`Draft a proposal` on a split: a draft made of the pack's own statements and reasons
    that each opinion group is predicted to agree with. The member edits it and puts it to
    the pack with `propose_from_split`, like any proposal on a split."""
    with ws.unit() as uow:
        pack, statement = _split_statement(uow, statement_id, user_id)
        # Hidden statements too, so their votes are known as hidden and kept out of the draft.
        statements = uow.statements.of_pack(pack.id, include_hidden=True)
        votes = uow.statements.votes(pack.id)
    return SplitDraft(pack, statement, split_draft(statement, statements, votes))


def propose_from_split(
    ws: Workspace, statement_id: int, user_id: str, text: str, closes: str
) -> Done[ProposalView]:
    """A proposal that settles a split, linked to its statement (which then counts as
    discussed, SPEC §4.6). FieldErrors keyed `text` and `closes`. After: it is posted."""
    now = ws.now()
    with ws.unit() as uow:
        pack, statement = _split_statement(uow, statement_id, user_id)
        body, closes_at = parse_revision(text, closes, now, pack.settings.timezone)
        proposal = uow.proposals.add(
            pack.id, body, user_id, closes_at, now, statement_id=statement.id
        )
    return _posted(ws, ProposalView(pack, proposal, Counts()))


def revise_form(ws: Workspace, proposal_id: int, user_id: str) -> ProposalView:
    """The failed proposal its proposer is about to revise; UserError saying why not when
    they may not."""
    with ws.unit() as uow:
        proposal, pack = _revisable(uow, proposal_id, user_id)
        return ProposalView(pack, proposal, count(uow.proposals.positions(proposal.id)))


def revise(
    ws: Workspace, proposal_id: int, user_id: str, text: str, closes: str
) -> Done[ProposalView]:
    """A revised version of a failed proposal, linked to it. FieldErrors (keys `text`,
    `closes`) for bad input; UserError when it may not be revised (any more). After: it is
    posted."""
    now = ws.now()
    with ws.unit() as uow:
        # A proposal is revised once: the store's unique revises_id settles two submits racing
        # each other, and the later one gets the same refusal as below.
        old, pack = _revisable(uow, proposal_id, user_id)
        body, closes_at = parse_revision(text, closes, now, pack.settings.timezone)
        revision = uow.proposals.add(
            pack.id,
            body,
            user_id,
            closes_at,
            now,
            statement_id=old.statement_id,
            revises_id=old.id,
        )
    return _posted(ws, ProposalView(pack, revision, Counts(), revises=old))


def view(ws: Workspace, proposal_id: int) -> ProposalView:
    """A proposal as its channel message shows it: its pack and counts in one read."""
    with ws.reading() as uow:
        found = uow.proposals.counted(proposal_id)
        if found is None:
            raise NotFound(GONE)
        proposal, pack, counts = found
        return ProposalView(pack, proposal, counts, revises=_revises(uow, proposal))


def close(ws: Workspace, proposal_id: int, now: dt.datetime) -> Outcome | None:
    """Closes a proposal whose time has come: posts the outcome, then records it. The delivery
    queue runs this once per proposal; if posting fails the proposal stays open and the queue
    tries again, so an outcome is never lost. `now` is the tick's time."""
    with ws.unit() as uow:
        proposal = uow.proposals.get(proposal_id)
        if proposal is None or not proposal.is_open or now < proposal.closes_at:
            return None
        pack = existing_pack(uow, proposal.pack_id)
        responses = uow.proposals.positions(proposal.id)
        revises = _revises(uow, proposal)
    result = outcome(responses)
    blocks = tuple(r.reason for r in latest(responses).values() if r.position is Position.BLOCK)
    closed = replace(proposal, outcome=result, closed_at=now)
    ws.notifier.post_outcome(ProposalView(pack, closed, count(responses), blocks, revises=revises))
    with ws.unit() as uow:
        uow.proposals.close(proposal.id, result, now)
    return result


def refresh(ws: Workspace, proposal_id: int, clicked: tuple[str, str] | None = None) -> None:
    """Brings the proposal's channel message up to the counts as they are now (so of several
    quick clicks, the last refresh shows them all). `clicked` is the (channel, ts) of the
    message a button was clicked on: a click can arrive before the proposal's own ts is
    stored, and that message in the pack's channel is the proposal's."""
    shown = view(ws, proposal_id)
    if shown.proposal.message_ts is None and clicked and clicked[0] == shown.pack.channel_id:
        with ws.unit() as uow:
            uow.proposals.set_message(proposal_id, *clicked)
        placed = replace(shown.proposal, channel_id=clicked[0], message_ts=clicked[1])
        shown = replace(shown, proposal=placed)
    if shown.proposal.message_ts:
        ws.notifier.update_proposal(shown)


def _posted(ws: Workspace, new: ProposalView) -> Done[ProposalView]:
    return Done(new, partial(_publish, ws, new.proposal.id))


def _publish(ws: Workspace, proposal_id: int) -> None:
    channel, ts = ws.notifier.post_proposal(view(ws, proposal_id))
    with ws.unit() as uow:
        uow.proposals.set_message(proposal_id, channel, ts)


def _view(uow: Transaction, pack: Pack, proposal: Proposal) -> ProposalView:
    responses = uow.proposals.positions(proposal.id)
    return ProposalView(pack, proposal, count(responses), revises=_revises(uow, proposal))


def _proposal_of_member(
    uow: Transaction, proposal_id: int, user_id: str, *, gone: str = GONE
) -> tuple[Proposal, Pack]:
    proposal = uow.proposals.get(proposal_id)
    if proposal is None:
        raise NotFound(gone)
    pack = existing_pack(uow, proposal.pack_id)
    active_member(uow, pack, user_id, not_member=NOT_MEMBER)
    return proposal, pack


def _revisable(uow: Transaction, proposal_id: int, user_id: str) -> tuple[Proposal, Pack]:
    proposal, pack = _proposal_of_member(uow, proposal_id, user_id)
    revisions = [p for p in uow.proposals.of_pack(pack.id) if p.revises_id == proposal.id]
    refusal = revision_refusal(proposal, user_id, revisions)
    if refusal is not None:
        raise NotAllowed(refusal)
    return proposal, pack


def _split_statement(uow: Transaction, statement_id: int, user_id: str) -> tuple[Pack, Statement]:
    statement = uow.statements.get(statement_id)
    if statement is None or statement.hidden:
        raise NotFound("That statement is gone.")
    pack = existing_pack(uow, statement.pack_id)
    active_member(uow, pack, user_id, not_member=NOT_MEMBER)
    return pack, statement


def _revises(uow: Transaction, proposal: Proposal) -> Proposal | None:
    return uow.proposals.get(proposal.revises_id) if proposal.revises_id is not None else None
