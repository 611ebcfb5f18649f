"""The App Home tab, published when a member opens it, and its buttons: vote on the statements
waiting for me, answer an open proposal."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.core.decisions import Decisions
from bot.core.errors import FieldErrors, UserError
from bot.core.flows import Flows
from bot.core.usecases import statements
from bot.slack.blocks.common import notice_modal
from bot.slack.blocks.home import home_view
from bot.slack.blocks.proposals import POSITION_BLOCK, REASON_BLOCK, answer_modal, read_answer
from bot.slack.blocks.statements import vote_modal
from bot.slack.ids import Action, View
from bot.slack.later import Later
from bot.slack.listeners.proposals import refresh_soon
from bot.slack.listeners.support import guarded, open_modal, team_of
from bot.slack.middleware import WORKSPACE


def register(app: App, flows: Flows, decisions: Decisions, later: Later) -> None:
    def publish(client: WebClient, team_id: str, user_id: str) -> None:
        client.views_publish(user_id=user_id, view=home_view(flows.home(team_id, user_id)))

    @app.event("app_home_opened")
    @guarded
    def home_opened(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        user = event.get("user")
        if event.get("tab", "home") != "home" or not isinstance(user, str):
            return
        publish(client, team_of(context), user)

    @app.action(Action.HOME_VOTE)
    @guarded
    def vote_clicked(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """The same vote modal `/direction` opens; its submission is the direction listener's."""
        ack()
        pack_id, user_id = int(body["actions"][0]["value"]), body["user"]["id"]

        def ballot() -> dict[str, Any]:
            return vote_modal(*statements.ballot(context[WORKSPACE], pack_id, user_id))

        open_modal(client, body, "Direction", ballot)

    @app.action(Action.HOME_ANSWER)
    @guarded
    def answer_clicked(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        ack()
        proposal_id, user_id = int(body["actions"][0]["value"]), body["user"]["id"]
        open_modal(
            client,
            body,
            "Proposal",
            lambda: answer_modal(decisions.answer_form(team_of(context), proposal_id, user_id)),
        )

    @guarded
    def answer_submitted(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """Records the position by the same rules as the channel buttons (which also update
        the channel message's counts)."""
        try:
            proposal_id, position, reason = read_answer(body["view"])
        except (KeyError, ValueError, TypeError):
            ack(
                response_action="update", view=notice_modal("Proposal", "This form is out of date.")
            )
            return
        if position is None:
            ack(
                response_action="errors",
                errors={POSITION_BLOCK: "Pick Agree, Abstain, Disagree or Block."},
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
        team_id = team_of(context)
        refresh_soon(later, decisions, team_id, proposal_id)
        later(publish, client, team_id, body["user"]["id"])

    app.view(View.PROPOSAL_ANSWER)(answer_submitted)
