"""The weekly consensus summary (SPEC §5) as Block Kit for the pack channel, the same report for
`/consensus`, as plain text for a terminal, and the private lone-wolf DM.

Counts and anonymised reasons only: never who voted how, never a member's alignment or lone-wolf
evidence in the channel (SPEC §6). Every user text goes through `escape`, and every list is cut
with "and N more", so any input stays within Slack's limits (SPEC §7)."""

from bot.slack.blocks.summary.lone_wolf import lone_wolf_dm_blocks, lone_wolf_dm_text
from bot.slack.blocks.summary.render import consensus_report_blocks, summary_text
from bot.slack.blocks.summary.short import details_modal, summary_blocks, summary_fallback

__all__ = [
    "consensus_report_blocks",
    "details_modal",
    "lone_wolf_dm_blocks",
    "lone_wolf_dm_text",
    "summary_blocks",
    "summary_fallback",
    "summary_text",
]
