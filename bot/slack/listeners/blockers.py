"""The blocker buttons: Resolved and Ask the pack in a member's DM, I can help in the pack's
thread."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.errors import UserError
from bot.core.usecases import blockers
from bot.core.usecases.workspace import Done, Workspace
from bot.slack.blocks.blockers import answered_follow_up
from bot.slack.ids import Action
from bot.slack.later import Later
from bot.slack.router import Router

log = logging.getLogger(__name__)

STALE = "That button is out of date."
RESOLVED = ":white_check_mark: Marked resolved. Glad it's sorted."
ASKED = ":mega: Asked the pack in its thread. Offers of help come to you in a group DM."


def _blocker_id(body: dict[str, Any]) -> int | None:
    value = str(((body.get("actions") or [{}])[0]).get("value") or "")
    return int(value) if value.isdigit() else None


def _tell(client: WebClient, body: dict[str, Any], text: str) -> None:
    """An ephemeral reply where the button was pressed."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    if not channel:
        return
    try:
        client.chat_postEphemeral(channel=channel, user=body["user"]["id"], text=text)
    except SlackApiError as error:
        log.warning("blocker reply not shown: %s", error.response.get("error"))


def _answered(client: WebClient, body: dict[str, Any], note: str) -> None:
    """The DM that carried the follow-up, with the follow-up replaced by `note`."""
    container = body.get("container") or {}
    message = body.get("message") or {}
    channel, ts = container.get("channel_id"), container.get("message_ts")
    if not channel or not ts or not message.get("blocks"):
        _tell(client, body, note)
        return
    client.chat_update(
        channel=channel,
        ts=ts,
        text=str(message.get("text") or note),
        blocks=answered_follow_up(message["blocks"], note),
    )


def _press(
    body: dict[str, Any],
    client: WebClient,
    later: Later,
    use_case: Callable[[int, str], Done[Any]],
    note: str | None = None,
) -> None:
    """One blocker button: the use case for the blocker it names and the presser; the DM
    that carried the follow-up shows `note` in its place, when given."""
    blocker_id = _blocker_id(body)
    if blocker_id is None:
        _tell(client, body, STALE)
        return
    try:
        done = use_case(blocker_id, body["user"]["id"])
    except UserError as error:
        _tell(client, body, error.message)
        return
    if note is not None:
        _answered(client, body, note)
    later.after(done)


def resolve(
    ack: Ack, body: dict[str, Any], client: WebClient, workspace: Workspace, later: Later
) -> None:
    ack()
    _press(body, client, later, partial(blockers.resolve, workspace), RESOLVED)


def ask(
    ack: Ack, body: dict[str, Any], client: WebClient, workspace: Workspace, later: Later
) -> None:
    ack()
    _press(body, client, later, partial(blockers.ask, workspace), ASKED)


def offer_help(
    ack: Ack, body: dict[str, Any], client: WebClient, workspace: Workspace, later: Later
) -> None:
    ack()
    _press(body, client, later, partial(blockers.offer_help, workspace))


def register(router: Router) -> None:
    router.action(Action.BLOCKER_RESOLVE, resolve)
    router.action(Action.BLOCKER_ASK, ask)
    router.action(Action.BLOCKER_HELP, offer_help)
