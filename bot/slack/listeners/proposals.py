"""`/propose`, the proposal buttons and the reason modal, proposing from a split (as written
or from a draft), and revising a failed proposal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.core.errors import FieldErrors, UserError
from bot.core.proposals import Position, ProposalView
from bot.core.usecases import proposals
from bot.core.usecases.workspace import Done, Workspace
from bot.slack.blocks.common import notice_modal
from bot.slack.blocks.help import PROPOSE_HELP
from bot.slack.blocks.proposals import (
    CLOSES_BLOCK,
    REASON_BLOCK,
    TEXT_BLOCK,
    read_reason,
    read_revision,
    read_split_proposal,
    reason_modal,
    revise_modal,
    split_draft_modal,
    split_proposal_modal,
)
from bot.slack.ids import Action, View
from bot.slack.later import Later
from bot.slack.listeners.support import open_modal
from bot.slack.mrkdwn import escape
from bot.slack.router import Router

STALE = "This form is out of date."


def propose_command(ack: Ack, body: dict[str, Any], workspace: Workspace, later: Later) -> None:
    text = (body.get("text") or "").strip()
    if text in ("", "help"):
        ack(text=PROPOSE_HELP)
        return
    done = proposals.propose(workspace, body["channel_id"], body["user_id"], text)
    ack(text="Your proposal is posted in the channel.")
    later.after(done)


def respond(
    ack: Ack, body: dict[str, Any], client: WebClient, workspace: Workspace, later: Later
) -> None:
    """Agree and Abstain count at once; Disagree and Block open the reason modal first."""
    ack()
    raw_id, raw_position = str(body["actions"][0]["value"]).split(":", 1)
    proposal_id, position = int(raw_id), Position(raw_position)
    if position.needs_reason:
        client.views_open(trigger_id=body["trigger_id"], view=reason_modal(proposal_id, position))
        return
    container = body.get("container") or {}
    clicked = None
    if container.get("channel_id") and container.get("message_ts"):
        clicked = (str(container["channel_id"]), str(container["message_ts"]))
    try:
        done = proposals.respond(workspace, proposal_id, body["user"]["id"], position, "", clicked)
    except UserError as error:
        client.views_open(
            trigger_id=body["trigger_id"], view=notice_modal("Proposal", error.message)
        )
        return
    later.after(done)


def reason_given(ack: Ack, body: dict[str, Any], workspace: Workspace, later: Later) -> None:
    try:
        proposal_id, position, reason = read_reason(body["view"])
    except (KeyError, ValueError):
        ack(response_action="update", view=notice_modal("Proposal", STALE))
        return
    answer(ack, workspace, later, proposal_id, body["user"]["id"], position, reason)


def answer(
    ack: Ack,
    ws: Workspace,
    later: Later,
    proposal_id: int,
    user_id: str,
    position: Position,
    reason: str,
) -> bool:
    """Records a position given in a modal; False when the form must be fixed first."""
    try:
        done = proposals.respond(ws, proposal_id, user_id, position, reason)
    except FieldErrors as bad:
        ack(response_action="errors", errors={REASON_BLOCK: " ".join(bad.errors.values())})
        return False
    ack()
    later.after(done)
    return True


def revise_clicked(ack: Ack, body: dict[str, Any], client: WebClient, workspace: Workspace) -> None:
    ack()
    proposal_id, user_id = int(body["actions"][0]["value"]), body["user"]["id"]
    open_modal(
        client,
        body,
        "Revise",
        lambda: revise_modal(proposals.revise_form(workspace, proposal_id, user_id)),
    )


def revision_submitted(ack: Ack, body: dict[str, Any], workspace: Workspace, later: Later) -> None:
    try:
        proposal_id, text, closes = read_revision(body["view"])
    except (KeyError, ValueError):
        ack(response_action="update", view=notice_modal("Revise", STALE))
        return
    user_id = body["user"]["id"]
    _put_to_pack(
        ack,
        later,
        "Revise",
        lambda: proposals.revise(workspace, proposal_id, user_id, text, closes),
        f", revising #{proposal_id}",
    )


def split_propose_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, workspace: Workspace
) -> None:
    ack()
    value, user_id = str(body["actions"][0].get("value") or ""), body["user"]["id"]

    def form() -> dict[str, Any]:
        if not value.isdigit():
            raise UserError("This button is out of date.")
        return split_proposal_modal(*proposals.split_form(workspace, int(value), user_id))

    open_modal(client, body, "Proposal", form)


def split_draft_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, workspace: Workspace
) -> None:
    """The proposal form on a split, prefilled with a draft from the pack's own words; it is
    submitted like `Propose a decision`'s."""
    ack()
    value, user_id = str(body["actions"][0].get("value") or ""), body["user"]["id"]

    def form() -> dict[str, Any]:
        if not value.isdigit():
            raise UserError("This button is out of date.")
        return split_draft_modal(proposals.draft_for_split(workspace, int(value), user_id))

    open_modal(client, body, "Draft a proposal", form)


def split_proposal_submitted(
    ack: Ack, body: dict[str, Any], workspace: Workspace, later: Later
) -> None:
    try:
        statement_id, text, closes = read_split_proposal(body["view"])
    except (KeyError, ValueError):
        ack(response_action="update", view=notice_modal("Proposal", STALE))
        return
    user_id = body["user"]["id"]
    _put_to_pack(
        ack,
        later,
        "Proposal",
        lambda: proposals.propose_from_split(workspace, statement_id, user_id, text, closes),
        "",
    )


def _put_to_pack(
    ack: Ack, later: Later, title: str, create: Callable[[], Done[ProposalView]], note: str
) -> None:
    """Answers a proposal form: its field errors, or where the new proposal goes (it is
    posted after the answer)."""
    try:
        done = create()
    except FieldErrors as bad:
        fields = {"text": TEXT_BLOCK, "closes": CLOSES_BLOCK}
        ack(
            response_action="errors",
            errors={fields.get(k, TEXT_BLOCK): m for k, m in bad.errors.items()},
        )
        return
    shown = done.value
    ack(
        response_action="update",
        view=notice_modal(
            title,
            f"Proposal #{shown.proposal.id} is going to <#{shown.pack.channel_id}>{note}:\n"
            f">{escape(shown.proposal.text)}",
        ),
    )
    later.after(done)


def register(router: Router) -> None:
    router.command("/propose", propose_command)
    router.action(Action.PROPOSAL_RESPOND, respond)
    router.view(View.PROPOSAL_REASON, reason_given, title="Proposal")
    router.action(Action.PROPOSAL_REVISE, revise_clicked)
    router.view(View.PROPOSAL_REVISION, revision_submitted, title="Revise")
    router.action(Action.SPLIT_PROPOSE, split_propose_clicked)
    router.action(Action.SPLIT_DRAFT, split_draft_clicked)
    router.view(View.SPLIT_PROPOSAL, split_proposal_submitted, title="Proposal")
