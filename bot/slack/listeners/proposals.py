"""`/propose`, `/consensus` and its decision log, the proposal buttons, the reason modal,
proposing from a split, and revising a failed proposal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.core.decisions import Decisions, ProposalView
from bot.core.errors import FieldErrors, UserError
from bot.core.proposals import Position
from bot.core.reports import Reports
from bot.slack.blocks.common import field_errors_text, notice_modal
from bot.slack.blocks.help import unknown
from bot.slack.blocks.proposals import (
    CLOSES_BLOCK,
    REASON_BLOCK,
    TEXT_BLOCK,
    decision_log,
    read_reason,
    read_revision,
    read_split_proposal,
    reason_modal,
    revise_modal,
    split_proposal_modal,
)
from bot.slack.blocks.summary import consensus_report_blocks
from bot.slack.ids import Action, View
from bot.slack.later import Later
from bot.slack.listeners.support import guarded, open_modal, split_command, team_of
from bot.slack.mrkdwn import escape

PROPOSE_HELP = (
    "*`/propose &lt;text&gt;`* puts a decision to the pack: Agree, Abstain, Disagree or Block, "
    "open for 48 hours (`/propose &lt;text&gt; --closes 3d`, or `--closes 2026-12-04` for 17:00 "
    "that day in the pack's timezone, sets another time, up to 30 days)."
)
CONSENSUS_HELP = (
    "*`/consensus`* shows this week's consensus report so far, just to you: where the pack "
    "agrees, where it is split, decisions and who is working alone (counts only).\n"
    "`/consensus decisions` lists the pack's decisions and open proposals."
)


def refresh_soon(later: Later, decisions: Decisions, team_id: str, proposal_id: int) -> None:
    """The proposal's channel message brought up to date after the answer; a burst of clicks
    shares an update."""
    later.once(("proposal", team_id, proposal_id), decisions.refresh, team_id, proposal_id)


def register(app: App, decisions: Decisions, reports: Reports, later: Later) -> None:
    @guarded
    def propose_ack(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        text = (body.get("text") or "").strip()
        if text in ("", "help"):
            ack(text=PROPOSE_HELP)
            return
        try:
            view = decisions.propose(team_of(context), body["channel_id"], body["user_id"], text)
        except FieldErrors as bad:
            ack(text=field_errors_text(bad.errors))
            return
        except UserError as error:
            ack(text=error.message)
            return
        ack(text="Your proposal is posted in the channel.")
        later(publish_new, team_of(context), view.proposal.id)

    def publish_new(team_id: str, proposal_id: int) -> None:
        decisions.publish(team_id, decisions.view(team_id, proposal_id))

    app.command("/propose")(propose_ack)

    @app.command("/consensus")
    @guarded
    def consensus(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        sub, _ = split_command(body.get("text"))
        if sub == "":
            try:
                summary, admin = reports.report(
                    team_of(context), body["channel_id"], body["user_id"]
                )
            except UserError as error:
                ack(text=error.message)
                return
            blocks = consensus_report_blocks(summary, for_admin=admin)
            ack(text=f"Consensus so far, week {summary.week}", blocks=blocks)
        elif sub == "decisions":
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
                team_of(context),
                proposal_id,
                body["user"]["id"],
                position,
                "",
                clicked,
            )
        except UserError as error:
            client.views_open(
                trigger_id=body["trigger_id"], view=notice_modal("Proposal", error.message)
            )
            return
        refresh_soon(later, decisions, team_of(context), proposal_id)

    app.action(Action.PROPOSAL_RESPOND)(respond)

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
        refresh_soon(later, decisions, team_of(context), proposal_id)

    app.view(View.PROPOSAL_REASON)(reason_given)

    @app.action(Action.PROPOSAL_REVISE)
    @guarded
    def revise_clicked(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        ack()
        proposal_id, user_id = int(body["actions"][0]["value"]), body["user"]["id"]
        open_modal(
            client,
            body,
            "Revise",
            lambda: revise_modal(decisions.revise_form(team_of(context), proposal_id, user_id)),
        )

    def put_to_pack(
        ack: Ack, context: BoltContext, title: str, create: Callable[[], ProposalView], note: str
    ) -> None:
        """Answers a proposal form: its field errors, a refusal, or where the new proposal goes
        (`publish_new` posts it after the answer)."""
        try:
            view = create()
        except FieldErrors as bad:
            fields = {"text": TEXT_BLOCK, "closes": CLOSES_BLOCK}
            ack(
                response_action="errors",
                errors={fields.get(k, TEXT_BLOCK): m for k, m in bad.errors.items()},
            )
            return
        except UserError as error:
            ack(response_action="update", view=notice_modal(title, error.message))
            return
        ack(
            response_action="update",
            view=notice_modal(
                title,
                f"Proposal #{view.proposal.id} is going to <#{view.pack.channel_id}>{note}:\n"
                f">{escape(view.proposal.text)}",
            ),
        )
        later(publish_new, team_of(context), view.proposal.id)

    @guarded
    def revision_submitted(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        try:
            proposal_id, text, closes = read_revision(body["view"])
        except (KeyError, ValueError):
            ack(response_action="update", view=notice_modal("Revise", "This form is out of date."))
            return
        user_id = body["user"]["id"]
        put_to_pack(
            ack,
            context,
            "Revise",
            lambda: decisions.revise(team_of(context), proposal_id, user_id, text, closes),
            f", revising #{proposal_id}",
        )

    app.view(View.PROPOSAL_REVISION)(revision_submitted)

    @app.action(Action.SPLIT_PROPOSE)
    @guarded
    def split_propose_clicked(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        ack()
        value, user_id = str(body["actions"][0].get("value") or ""), body["user"]["id"]

        def form() -> dict[str, Any]:
            if not value.isdigit():
                raise UserError("This button is out of date.")
            return split_proposal_modal(
                *decisions.split_form(team_of(context), int(value), user_id)
            )

        open_modal(client, body, "Proposal", form)

    @guarded
    def split_proposal_submitted(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        try:
            statement_id, text, closes = read_split_proposal(body["view"])
        except (KeyError, ValueError):
            stale = notice_modal("Proposal", "This form is out of date.")
            ack(response_action="update", view=stale)
            return
        user_id = body["user"]["id"]
        put_to_pack(
            ack,
            context,
            "Proposal",
            lambda: decisions.propose_from_split(
                team_of(context), statement_id, user_id, text, closes
            ),
            "",
        )

    app.view(View.SPLIT_PROPOSAL)(split_proposal_submitted)


__all__ = ["ProposalView", "register"]
