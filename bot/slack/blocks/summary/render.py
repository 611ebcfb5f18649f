"""The parts as Block Kit for the pack channel and `/consensus`, and as plain text for a
terminal."""

from __future__ import annotations

from bot.core.summary import (
    Split,
    Summary,
)
from bot.slack.blocks.common import (
    SECTION_MAX,
    Block,
    button,
    context,
    day_label,
    header,
    section,
)
from bot.slack.blocks.summary.format import (
    MESSAGE_BLOCKS,
    PACK_NAME_SHOWN,
    SECTION_ROOM,
    SPLITS_SHOWN,
    Fmt,
    Part,
    anonymity_note,
    fmt,
    heard,
)
from bot.slack.blocks.summary.parts import parts_after_splits, parts_before_splits, split_text
from bot.slack.ids import Action
from bot.slack.mrkdwn import clip, escape

# --- Block Kit -------------------------------------------------------------------------------


def _part_blocks(part: Part) -> list[Block]:
    """The part as at most `part.sections` sections; lines that do not fit are counted in
    "…and N more"."""
    title = f"*{part.title}*"
    if not part.lines:
        return [section(f"{title}\n{part.empty}" if part.empty else title)]
    pieces: list[str] = []
    current = title
    shown = 0
    for raw in part.lines:
        line = clip(raw, SECTION_ROOM - 1)
        if len(current) + 1 + len(line) <= SECTION_ROOM:
            current += "\n" + line
        elif len(pieces) + 1 < part.sections:
            pieces.append(current)
            current = line
        else:
            break
        shown += 1
    rest = len(part.lines) - shown + part.more
    if rest > 0:
        current += f"\n_…and {rest} more_"
    pieces.append(current)
    return [section(p) for p in pieces]


def _split_message_blocks(split: Split, f: Fmt, number: int, *, buttons: bool) -> list[Block]:
    blocks: list[Block] = [section(split_text(split, f, number))]
    if buttons:
        # The same action ids and values as the split alert (blocks/statements.py), so the
        # existing listeners handle them.
        value = str(split.statement.id)
        blocks.append(
            {
                "type": "actions",
                "block_id": f"summary_split:{split.statement.id}"[:255],
                "elements": [
                    button("Discuss in thread", Action.SPLIT_DISCUSS, value, style="primary"),
                    button("Propose a decision", Action.SPLIT_PROPOSE, value),
                ],
            }
        )
    return blocks


def _report(
    summary: Summary, title: str, top: str, *, chart: bool, buttons: bool, admins: bool
) -> list[Block]:
    f = fmt(summary, slack=True)
    head: list[Block] = [header(title), context(clip(top, SECTION_MAX))]
    before = [
        b for part in parts_before_splits(summary, f, chart=chart) for b in _part_blocks(part)
    ]
    after = [
        b for part in parts_after_splits(summary, f, admins=admins) for b in _part_blocks(part)
    ]
    splits = list(summary.splits)
    per_split = 2 if buttons else 1
    # The title section and the "…and N more" line of the splits.
    room = MESSAGE_BLOCKS - len(head) - len(before) - len(after) - 2
    shown = max(0, min(len(splits), SPLITS_SHOWN, room // per_split))
    split_blocks: list[Block] = [
        section("*Where we are split*" if splits else "*Where we are split*\nNo splits this week.")
    ]
    for number, split in enumerate(splits[:shown], start=1):
        split_blocks += _split_message_blocks(split, f, number, buttons=buttons)
    if len(splits) > shown:
        split_blocks.append(context(f"…and {len(splits) - shown} more split statements"))
    return (head + before + split_blocks + after)[:MESSAGE_BLOCKS]


def _pack_name(summary: Summary) -> str:
    return clip(escape(" ".join(summary.pack.name.split())), PACK_NAME_SHOWN)


def starting_note(summary: Summary, *, slack: bool, bold: bool = True) -> str:
    """The two lines a pack no round has reached yet gets instead of its figures: mrkdwn with
    the pack's name escaped (`slack`), or plain text."""
    start = summary.starting
    assert start is not None  # only a starting pack's summary is a note
    f = fmt(summary, slack=slack)
    title = f"Wolfpack is set up for {f.user(summary.pack.name, PACK_NAME_SHOWN)}"
    when = start.first_summary
    first = f"{when:%A} {when.day} {when:%b}"
    if start.first_round is None:
        after = f"No member has a check-in coming up yet; the next summary comes {first}."
    else:
        after = (
            f"The first check-ins go out on {day_label(start.first_round)}, and the first "
            f"summary with figures comes next {first}."
        )
    return (
        f"{f.bold(title) if bold else title}: no check-in has reached anyone yet, so there is "
        f"no week to sum up.\n{after}"
    )


def summary_blocks(summary: Summary) -> list[Block]:
    """The weekly summary posted in the pack channel (the chart is uploaded next to it); for a
    pack no round has reached yet, its short note."""
    if summary.starting is not None:
        return [section(starting_note(summary, slack=True))]
    week = summary.week_start
    top = (
        f"{_pack_name(summary)} · week of {week:%a} {week.day} {week:%b} {week.year} · "
        f"{anonymity_note(summary)}"
    )
    return _report(
        summary,
        f"Weekly consensus · {summary.week}",
        top,
        chart=True,
        buttons=True,
        admins=True,
    )


def consensus_report_blocks(summary: Summary, *, for_admin: bool = False) -> list[Block]:
    """The same report, ephemeral, for `/consensus`. No chart line; no buttons (their listener
    threads under the message, which an ephemeral message cannot have); delivery problems only
    when the caller says the viewer is an admin of the pack."""
    top = f"{_pack_name(summary)} · {summary.week} · {anonymity_note(summary)}"
    blocks = _report(
        summary,
        "Consensus so far this week",
        top,
        chart=False,
        buttons=False,
        admins=for_admin,
    )
    if summary.splits and len(blocks) < MESSAGE_BLOCKS:
        blocks.append(
            context("To settle a split: `/propose &lt;text&gt;` puts a decision to the pack.")
        )
    return blocks


def summary_fallback(summary: Summary) -> str:
    """The message's `text` (notifications, screen readers): short and escaped."""
    if summary.starting is not None:
        return clip(starting_note(summary, slack=True, bold=False), SECTION_MAX)
    agreed = len(summary.common_ground) + summary.common_ground_more
    text = (
        f"Weekly consensus · {_pack_name(summary)} · {summary.week}: "
        f"{heard(summary.participation).lower()} · {agreed} agreed · "
        f"{len(summary.splits)} split · {len(summary.open_proposals)} open proposals · "
        f"{len(summary.blockers)} open blockers"
    )
    return clip(text, SECTION_MAX)


# --- plain text ------------------------------------------------------------------------------


def _part_text(part: Part) -> str:
    lines = [part.title.upper()]
    lines += part.lines or ([part.empty] if part.empty else [])
    if part.more > 0:
        lines.append(f"…and {part.more} more")
    return "\n".join(lines)


def summary_text(summary: Summary) -> str:
    """The summary for a terminal (`wolfpack demo`): plain text, no Slack tokens."""
    if summary.starting is not None:
        return starting_note(summary, slack=False) + "\n"
    f = fmt(summary, slack=False)
    name = " ".join(summary.pack.name.split())
    week = summary.week_start
    anonymity = anonymity_note(summary).replace("`", "")
    blocks = [
        f"Weekly consensus · {clip(name, PACK_NAME_SHOWN)} · {summary.week}\n"
        f"Week of {week:%a} {week.day} {week:%b} {week.year} · {anonymity}"
    ]
    blocks += [_part_text(p) for p in parts_before_splits(summary, f, chart=False)]
    splits = [split_text(s, f, n) for n, s in enumerate(summary.splits[:SPLITS_SHOWN], 1)]
    split_lines = ["WHERE WE ARE SPLIT", "\n\n".join(splits) or "No splits this week."]
    if len(summary.splits) > SPLITS_SHOWN:
        split_lines.append(f"…and {len(summary.splits) - SPLITS_SHOWN} more split statements")
    blocks.append("\n".join(split_lines))
    blocks += [_part_text(p) for p in parts_after_splits(summary, f, admins=True)]
    return "\n\n".join(blocks) + "\n"
