"""`/wolfpack map`: the reply in the channel, and the DM with the link to the pack's map page."""

from __future__ import annotations

from bot.core.map import LINK_LIFETIME, MapLink
from bot.slack.blocks.common import Block, context, section
from bot.slack.mrkdwn import escape

_MINUTES = int(LINK_LIFETIME.total_seconds() // 60)
SENT = f"I've sent a link to your pack's map to your DMs. It works for {_MINUTES} minutes."


def map_message(link: MapLink) -> tuple[str, list[Block]]:
    """The DM: the link (only for the member it was sent to: it opens the map without a Slack
    sign-in), and until when it works, in the reader's own time."""
    name = escape(link.pack.name)
    until = int(link.expires_at.timestamp())
    fallback = link.expires_at.strftime("%H:%M UTC")
    text = f"Here is the opinion map of {name}: {link.url}"
    blocks = [
        section(
            f"*<{link.url}|Open the opinion map of {name}>*\n"
            "Where everyone stands, the groups, the common ground, the splits with their "
            "reasons, and the decisions. It follows the votes as they come in."
        ),
        context(
            f"This link is for you alone and works for {_MINUTES} minutes, until "
            f"<!date^{until}^{{time}}|{fallback}>. Run `/wolfpack map` for a new one."
        ),
    ]
    return text, blocks
