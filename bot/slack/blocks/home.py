"""The App Home tab."""

from __future__ import annotations

from typing import Any

from bot.core.flows import Home
from bot.slack.blocks.common import Block, context, header, section


def _when(at_epoch: int, fallback: str) -> str:
    # Slack renders this in the viewer's own timezone; the fallback is for old clients.
    return f"<!date^{at_epoch}^{{date_short_pretty}} at {{time}}|{fallback}>"


def home_view(home: Home) -> dict[str, Any]:
    blocks: list[Block] = [header("Wolfpack")]
    if not home.packs:
        blocks.append(
            section(
                "You're not in a pack yet. An admin can start one with `/wolfpack setup` in "
                "the team's channel."
            )
        )
    for entry in home.packs:
        lines = [f"*<#{entry.pack.channel_id}>*"]
        if entry.next_checkin is not None:
            local = entry.next_checkin.strftime("%a %d %b %H:%M")
            lines.append(
                "Next check-in: "
                + _when(int(entry.next_checkin.timestamp()), f"{local} {entry.timezone}")
                + f" ({entry.timezone})"
            )
        else:
            lines.append("No check-in scheduled.")
        lines.append(
            "You've checked in for this round."
            if entry.answered_current
            else "Not checked in for this round yet: `/checkin`."
        )
        blocks.append(section("\n".join(lines)))
    if home.person is not None and home.person.away is not None:
        away = home.person.away
        blocks.append(
            context(
                f"Away {away.start.isoformat()} to {away.end.isoformat()}. "
                "`/checkin back` ends it early."
            )
        )
    blocks.append(
        context("`/checkin` · `/checkin history` · `/checkin away FROM TO` · `/wolfpack help`")
    )
    return {"type": "home", "blocks": blocks[:100]}
