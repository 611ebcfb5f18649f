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
    week_of,
    week_span,
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


def split_buttons(split: Split, label: str = "") -> Block:
    """Discuss, propose and draft for an open split: the same action ids and values as the split
    alert (blocks/statements.py), so the existing listeners handle them. `label` (" 1") says
    which split, when several share a message."""
    value = str(split.statement.id)
    return {
        "type": "actions",
        "block_id": f"summary_split:{split.statement.id}"[:255],
        "elements": [
            button(f"Discuss{label} in thread", Action.SPLIT_DISCUSS, value, style="primary"),
            button(f"Propose a decision{label and ' on' + label}", Action.SPLIT_PROPOSE, value),
            button(f"Draft a proposal{label and ' on' + label}", Action.SPLIT_DRAFT, value),
        ],
    }


def _split_message_blocks(split: Split, f: Fmt, summary: Summary, *, buttons: bool) -> list[Block]:
    blocks: list[Block] = [section(split_text(split, f, summary))]
    # A split a decision settled has nothing left to discuss or propose.
    if buttons and split.settled_by is None:
        blocks.append(split_buttons(split))
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
    for split in splits[:shown]:
        split_blocks += _split_message_blocks(split, f, summary, buttons=buttons)
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


def consensus_report_blocks(
    summary: Summary, *, for_admin: bool = False, title: str = "Consensus so far this week"
) -> list[Block]:
    """The full report, ephemeral, for `/consensus` (and, titled for its week, in the weekly
    summary's Details modal). No chart line; no buttons (their listener
    threads under the message, which an ephemeral message cannot have); delivery problems only
    when the caller says the viewer is an admin of the pack."""
    top = f"{_pack_name(summary)} · {week_span(summary)} · {anonymity_note(summary)}"
    blocks = _report(
        summary,
        title,
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


# --- plain text ------------------------------------------------------------------------------


def _part_text(part: Part) -> str:
    lines = [part.title.upper()]
    lines += part.lines or ([part.empty] if part.empty else [])
    if part.more > 0:
        lines.append(f"…and {part.more} more")
    return "\n".join(lines)


def summary_text(summary: Summary) -> str:
    """The full report for a terminal: plain text, no Slack tokens."""
    if summary.starting is not None:
        return starting_note(summary, slack=False) + "\n"
    f = fmt(summary, slack=False)
    name = " ".join(summary.pack.name.split())
    week = summary.week_start
    anonymity = anonymity_note(summary).replace("`", "")
    blocks = [
        f"Weekly consensus · {clip(name, PACK_NAME_SHOWN)} · {week_of(summary)}\n"
        f"{week_span(summary)} {week.year} · {anonymity}"
    ]
    blocks += [_part_text(p) for p in parts_before_splits(summary, f, chart=False)]
    splits = [split_text(s, f, summary) for s in summary.splits[:SPLITS_SHOWN]]
    split_lines = ["WHERE WE ARE SPLIT", "\n\n".join(splits) or "No splits this week."]
    if len(summary.splits) > SPLITS_SHOWN:
        split_lines.append(f"…and {len(summary.splits) - SPLITS_SHOWN} more split statements")
    blocks.append("\n".join(split_lines))
    blocks += [_part_text(p) for p in parts_after_splits(summary, f, admins=True)]
    return "\n\n".join(blocks) + "\n"
