"""The App Home tab, published when a member opens it, and its buttons: vote on the statements
waiting for me, answer an open proposal."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.core.usecases import home, proposals, statements
from bot.core.usecases.workspace import Workspace
from bot.slack.blocks.common import notice_modal
from bot.slack.blocks.home import home_view
from bot.slack.blocks.proposals import POSITION_BLOCK, answer_modal, read_answer
from bot.slack.blocks.statements import vote_modal
from bot.slack.ids import Action, View
from bot.slack.later import Later
from bot.slack.listeners import proposals as proposal_listeners
from bot.slack.listeners.support import open_modal
from bot.slack.router import Router


def publish(client: WebClient, workspace: Workspace, user_id: str) -> None:
    client.views_publish(user_id=user_id, view=home_view(home.home(workspace, user_id)))


def home_opened(event: dict[str, Any], client: WebClient, workspace: Workspace) -> None:
    user = event.get("user")
    if event.get("tab", "home") != "home" or not isinstance(user, str):
        return
    publish(client, workspace, user)


def vote_clicked(ack: Ack, body: dict[str, Any], client: WebClient, workspace: Workspace) -> None:
    """The same vote modal `/direction` opens; its submission is the statements listener's."""
    ack()
    pack_id, user_id = int(body["actions"][0]["value"]), body["user"]["id"]
    open_modal(
        client,
        body,
        "Direction",
        lambda: vote_modal(*statements.ballot(workspace, pack_id, user_id)),
    )


def answer_clicked(ack: Ack, body: dict[str, Any], client: WebClient, workspace: Workspace) -> None:
    """Answer: the proposal modal, refused at once for a closed proposal."""
    ack()
    proposal_id, user_id = int(body["actions"][0]["value"]), body["user"]["id"]
    open_modal(
        client,
        body,
        "Proposal",
        lambda: answer_modal(proposals.answer_form(workspace, proposal_id, user_id)),
    )


def answer_submitted(
    ack: Ack, body: dict[str, Any], client: WebClient, workspace: Workspace, later: Later
) -> None:
    """Records the position by the same rules as the channel buttons (which also update the
    channel message's counts); the tab then shows the proposal answered."""
    try:
        proposal_id, position, reason = read_answer(body["view"])
    except (KeyError, ValueError, TypeError):
        ack(response_action="update", view=notice_modal("Proposal", "This form is out of date."))
        return
    if position is None:
        ack(
            response_action="errors",
            errors={POSITION_BLOCK: "Pick Agree, Abstain, Disagree or Block."},
        )
        return
    user_id = body["user"]["id"]
    if proposal_listeners.answer(ack, workspace, later, proposal_id, user_id, position, reason):
        later(publish, client, workspace, user_id)


def register(router: Router) -> None:
    router.event("app_home_opened", home_opened)
    router.action(Action.HOME_VOTE, vote_clicked)
    router.action(Action.HOME_ANSWER, answer_clicked)
    router.view(View.PROPOSAL_ANSWER, answer_submitted, title="Proposal")
