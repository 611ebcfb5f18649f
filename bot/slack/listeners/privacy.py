"""A member's data: `/wolfpack export` (pack admins) and `/wolfpack forget-me` with its
confirmation buttons."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.errors import UserError
from bot.core.usecases import privacy
from bot.core.usecases.workspace import Workspace
from bot.slack.blocks.privacy import (
    CANCELLED,
    EXPORT_STARTED,
    forget_confirmation,
    forgotten_message,
)
from bot.slack.commands import Command
from bot.slack.ids import Action
from bot.slack.later import Later
from bot.slack.middleware import SORRY, log
from bot.slack.router import Router


def export(cmd: Command) -> None:
    """Checks at once that the user may export; the files follow by DM."""
    pack = privacy.export_pack(cmd.workspace, cmd.channel_id, cmd.user_id)
    cmd.ack(text=EXPORT_STARTED)
    cmd.later(_send_export, cmd.workspace, pack.id, cmd.user_id, cmd.client)


def _send_export(ws: Workspace, pack_id: int, user_id: str, client: WebClient) -> None:
    try:
        privacy.send_export(ws, pack_id, user_id)
    except UserError as error:
        tell(client, None, user_id, error.message)
    except Exception:
        ref = secrets.token_hex(4)
        log.exception("export failed (ref %s)", ref)
        tell(client, None, user_id, SORRY.format(ref=ref))


def forget_me(cmd: Command) -> None:
    """Says what would be deleted and asks to confirm."""
    text, blocks = forget_confirmation(privacy.footprint(cmd.workspace, cmd.user_id))
    cmd.ack(text=text, blocks=blocks)


def forget_confirmed(
    ack: Ack, body: dict[str, Any], client: WebClient, workspace: Workspace, later: Later
) -> None:
    user_id = body["user"]["id"]
    # Deleted before the answer, so a confirmed forget-me is never lost with the process; the
    # posts' removal and the report follow.
    done = privacy.forget_me(workspace, user_id)
    ack()
    later(_forgotten, done.after, user_id, clicked_in(body), client, forgotten_message(done.value))


def _forgotten(
    take_down: Callable[[], None] | None,
    user_id: str,
    channel_id: str | None,
    client: WebClient,
    message: tuple[str, list[dict[str, Any]]],
) -> None:
    if take_down is not None:
        take_down()
    tell(client, channel_id, user_id, *message)


def forget_cancelled(ack: Ack, body: dict[str, Any], client: WebClient, later: Later) -> None:
    ack()
    later(tell, client, clicked_in(body), body["user"]["id"], CANCELLED)


def clicked_in(body: dict[str, Any]) -> str | None:
    """The conversation of the message whose button was clicked."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    return str(channel) if channel else None


def tell(
    client: WebClient,
    channel_id: str | None,
    user_id: str,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
) -> None:
    """Shows the user a message only they see: ephemeral where they clicked, or else by DM."""
    if channel_id:
        try:
            client.chat_postEphemeral(channel=channel_id, user=user_id, text=text, blocks=blocks)
            return
        except SlackApiError as error:
            log.info("ephemeral not shown (%s); sending a DM", error.response.get("error"))
    dm = client.conversations_open(users=user_id)["channel"]["id"]
    client.chat_postMessage(channel=dm, text=text, blocks=blocks)


def register(router: Router) -> None:
    router.action(Action.FORGET_CONFIRM, forget_confirmed)
    router.action(Action.FORGET_CANCEL, forget_cancelled)
