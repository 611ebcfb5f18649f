"""`/propose`, `/consensus decisions`, the proposal buttons and the reason modal."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.core.decisions import Decisions, ProposalView
from bot.core.errors import FieldErrors, UserError
from bot.core.proposals import Position
from bot.slack.blocks.common import notice_modal
from bot.slack.blocks.help import unknown
from bot.slack.blocks.proposals import REASON_BLOCK, decision_log, read_reason, reason_modal
from bot.slack.ids import Action, View
from bot.slack.listeners.support import guarded, split_command, team_of

PROPOSE_HELP = (
    "*`/propose <text>`* puts a decision to the pack: Agree, Abstain, Disagree or Block, "
    "open for 48 hours (`/propose <text> --closes 3d` sets another time, up to 30 days)."
)
CONSENSUS_HELP = "*`/consensus decisions`* lists the pack's decisions and open proposals."


def register(app: App, decisions: Decisions) -> None:
    @guarded
    def propose_ack(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        text = (body.get("text") or "").strip()
        if text in ("", "help"):
            ack(text=PROPOSE_HELP)
            return
        try:
            view = decisions.propose(team_of(context), body["channel_id"], body["user_id"], text)
        except FieldErrors as bad:
            ack(text=" ".join(bad.errors.values()))
            return
        except UserError as error:
            ack(text=error.message)
            return
        context["proposal"] = view.proposal.id
        ack(text="Your proposal is posted in the channel.")

    def propose_post(body: dict[str, Any], context: BoltContext) -> None:
        if context.get("proposal") is None:
            return
        team_id = team_of(context)
        view = decisions.decisions(team_id, body["channel_id"], body["user_id"])
        posted = next(v for v in view if v.proposal.id == int(context["proposal"]))
        decisions.publish(team_id, posted)

    app.command("/propose")(ack=propose_ack, lazy=[propose_post])

    @app.command("/consensus")
    @guarded
    def consensus(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        sub, _ = split_command(body.get("text"))
        if sub in ("", "decisions"):
            try:
                views = decisions.decisions(team_of(context), body["channel_id"], body["user_id"])
            except UserError as error:
                ack(text=error.message)
                return
            ack(text="Decisions", blocks=decision_log(views))
        elif sub == "help":
            ack(text=CONSENSUS_HELP)
        else:
            ack(text=unknown("/consensus", sub, CONSENSUS_HELP))

    @app.action(Action.PROPOSAL_RESPOND)
    @guarded
    def respond(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ack()
        raw_id, raw_position = str(body["actions"][0]["value"]).split(":", 1)
        proposal_id, position = int(raw_id), Position(raw_position)
        if position.needs_reason:
            client.views_open(
                trigger_id=body["trigger_id"], view=reason_modal(proposal_id, position)
            )
            return
        container = body.get("container") or {}
        clicked = None
        if container.get("channel_id") and container.get("message_ts"):
            clicked = (str(container["channel_id"]), str(container["message_ts"]))
        try:
            decisions.respond(
                team_of(context), proposal_id, body["user"]["id"], position, "", clicked
            )
        except UserError as error:
            client.views_open(
                trigger_id=body["trigger_id"], view=notice_modal("Proposal", error.message)
            )

    @app.view(View.PROPOSAL_REASON)
    @guarded
    def reason_given(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        try:
            proposal_id, position, reason = read_reason(body["view"])
        except (KeyError, ValueError):
            ack(
                response_action="update", view=notice_modal("Proposal", "This form is out of date.")
            )
            return
        try:
            decisions.respond(team_of(context), proposal_id, body["user"]["id"], position, reason)
        except FieldErrors as bad:
            ack(response_action="errors", errors={REASON_BLOCK: " ".join(bad.errors.values())})
            return
        except UserError as error:
            ack(response_action="update", view=notice_modal("Proposal", error.message))
            return
        ack()


__all__ = ["ProposalView", "register"]
