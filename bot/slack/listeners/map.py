"""`/wolfpack map`: a member asks for their pack's opinion map and gets a signed link by DM
(the channel only hears that it was sent: the link opens the map without a Slack sign-in)."""

from __future__ import annotations

import secrets

from slack_sdk import WebClient

from bot.core.map import MapLink
from bot.core.usecases import map as pack_map
from bot.slack.blocks.map import SENT, map_message
from bot.slack.commands import Command
from bot.slack.listeners.privacy import tell
from bot.slack.middleware import SORRY, log


def map_link(cmd: Command) -> None:
    """Refuses at once (ephemeral) a non-member, or a bot without a public page; the link
    follows by DM."""
    link = pack_map.issue_link(cmd.workspace, cmd.channel_id, cmd.user_id)
    cmd.ack(text=SENT)
    cmd.later(_send, cmd.client, cmd.user_id, link)


def _send(client: WebClient, user_id: str, link: MapLink) -> None:
    try:
        tell(client, None, user_id, *map_message(link))
    except Exception:
        ref = secrets.token_hex(4)
        log.exception("map link not sent (ref %s)", ref)
        tell(client, None, user_id, SORRY.format(ref=ref))
