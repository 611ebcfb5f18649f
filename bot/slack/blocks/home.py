"""The App Home tab: each of my packs with what waits for me, and my own figures only."""

from __future__ import annotations

from typing import Any

from bot.core.home import Home, HomePack
from bot.core.proposals import Proposal
from bot.core.usecases.statements import BALLOT_SIZE
from bot.slack.blocks.common import Block, button, context, header, section
from bot.slack.ids import Action
from bot.slack.mrkdwn import clip, escape

VIEW_MAX = 100
PROPOSALS_SHOWN = 3
PROPOSAL_CLIP = 150


def _when(at_epoch: int, fallback: str) -> str:
    # Slack renders this in the viewer's own timezone; the fallback is for old clients.
    return f"<!date^{at_epoch}^{{date_short_pretty}} at {{time}}|{fallback}>"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _proposal_block(proposal: Proposal) -> Block:
    closes = _when(
        int(proposal.closes_at.timestamp()), proposal.closes_at.strftime("%a %d %b %H:%M UTC")
    )
    block = section(f">{escape(clip(proposal.text, PROPOSAL_CLIP))}\n_closes {closes}_")
    block["accessory"] = button("Answer", Action.HOME_ANSWER, str(proposal.id), style="primary")
    return block


def pack_blocks(entry: HomePack) -> list[Block]:
    """One pack's part of the Home: at most 6 + PROPOSALS_SHOWN blocks."""
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
    lines.append(
        f":fire: Streak: {_plural(entry.streak, 'round')} answered in a row."
        if entry.streak
        else "Streak: none yet. Answer the next check-in to start one."
    )
    blocks: list[Block] = [{"type": "divider"}, section("\n".join(lines))]

    n = entry.waiting_statements
    if n:
        votes = section(
            f":ballot_box_with_check: {_plural(n, 'statement')} about direction "
            f"{'waits' if n == 1 else 'wait'} for your vote"
            + (f" ({BALLOT_SIZE} at a time)." if n > BALLOT_SIZE else ".")
        )
        votes["accessory"] = button(
            f"Vote on {_plural(n, 'statement')}", Action.HOME_VOTE, str(entry.pack.id)
        )
        blocks.append(votes)
    else:
        blocks.append(
            context("No statements wait for your vote. `/direction add &lt;text&gt;` adds one.")
        )

    waiting = entry.waiting_proposals
    if waiting:
        blocks.append(section(f"*{_plural(len(waiting), 'open proposal')} waiting for you*"))
        blocks += [_proposal_block(p) for p in waiting[:PROPOSALS_SHOWN]]
        if len(waiting) > PROPOSALS_SHOWN:
            more = len(waiting) - PROPOSALS_SHOWN
            blocks.append(context(f"and {more} more in <#{entry.pack.channel_id}>"))

    mine = entry.alignment
    if mine is not None and mine.share is not None:
        blocks.append(
            context(
                f":lock: Only you see this: you sided with the majority on "
                f"{round(mine.share * 100)}% of {_plural(mine.majority_statements, 'statement')} "
                "where the pack has a clear majority."
            )
        )
    return blocks


def home_view(home: Home) -> dict[str, Any]:
    blocks: list[Block] = [header("Wolfpack")]
    footer: list[Block] = []
    away = home.away
    if away is not None:
        footer.append(
            context(
                f":palm_tree: Away {away.start.isoformat()} to {away.end.isoformat()}: no "
                "check-in prompts. `/checkin back` ends it early."
            )
        )
    footer.append(
        context("`/checkin` · `/checkin history` · `/checkin away FROM TO` · `/wolfpack help`")
    )
    if not home.packs:
        blocks.append(
            section(
                "You're not in a pack yet. An admin can start one with `/wolfpack setup` in "
                "the team's channel."
            )
        )
    # Leave room for the footer and one "and N more packs" line, whatever the number of packs.
    budget = VIEW_MAX - len(blocks) - len(footer) - 1
    for shown, entry in enumerate(home.packs):
        part = pack_blocks(entry)
        if len(part) > budget:
            rest = len(home.packs) - shown
            blocks.append(
                context(f"and {_plural(rest, 'more pack')}: open their channels to check in.")
            )
            break
        blocks += part
        budget -= len(part)
    return {"type": "home", "blocks": blocks + footer}
