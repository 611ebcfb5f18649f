"""Blocker surfaces: the follow-up in a member's DM (Resolved, Ask the pack), the blocker
posted in the round's thread (I can help), and the introduction in a group DM."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.core.blockers import Blocker, BlockerView
from bot.core.packs import Pack
from bot.slack.blocks.common import Block, button, context, section
from bot.slack.ids import BLOCKER_BLOCK_PREFIX, Action
from bot.slack.mrkdwn import clip, escape

QUOTE_SHOWN = 1500
NAME_SHOWN = 80


def _quote(text: str) -> str:
    return f"“{escape(clip(text, QUOTE_SHOWN))}”"


def _name(name: str) -> str:
    return escape(clip(name, NAME_SHOWN))


def follow_up_blocks(blocker: Blocker) -> list[Block]:
    """The follow-up: the blocker quoted, Resolved and Ask the pack."""
    value = str(blocker.id)
    return [
        {
            **section(f":construction: Last time this was blocking you: {_quote(blocker.text)}"),
            "block_id": f"{BLOCKER_BLOCK_PREFIX}{blocker.id}:text",
        },
        {
            "type": "actions",
            "block_id": f"{BLOCKER_BLOCK_PREFIX}{blocker.id}:actions",
            "elements": [
                button("Resolved", Action.BLOCKER_RESOLVE, value, style="primary"),
                button("Ask the pack", Action.BLOCKER_ASK, value),
            ],
        },
    ]


def follow_up_message(pack: Pack, blocker: Blocker) -> tuple[str, list[Block]]:
    """The follow-up on its own, when no prompt came to carry it."""
    text = "Is this still blocking you?"
    blocks = [
        section(f"{text} It's from your check-in in <#{pack.channel_id}>."),
        *follow_up_blocks(blocker),
    ]
    return text, blocks


def answered_follow_up(blocks: Sequence[dict[str, Any]], note: str) -> list[dict[str, Any]]:
    """A DM's blocks with the follow-up replaced by a note (the rest, a prompt's buttons,
    stays)."""
    kept: list[dict[str, Any]] = []
    noted = False
    for block in blocks:
        if str(block.get("block_id", "")).startswith(BLOCKER_BLOCK_PREFIX):
            if not noted:
                kept.append({**context(note), "block_id": f"{BLOCKER_BLOCK_PREFIX}note"})
                noted = True
            continue
        kept.append(dict(block))
    if not noted:
        kept.append(context(note))
    return kept


def ask_message(view: BlockerView) -> tuple[str, list[Block]]:
    """The blocker in the round's thread: who is blocked, by what, who offered help; the I
    can help button while it is open."""
    name = _name(view.member.name)
    text = f"{name} is blocked: {_quote(view.blocker.text)}"
    blocks: list[Block] = [
        section(f":construction: *{name}* is blocked: {_quote(view.blocker.text)}")
    ]
    notes = []
    if view.helpers:
        names = ", ".join(_name(p.name) for p in view.helpers[:20])
        notes.append(f":raised_hands: {names} offered to help")
    if not view.blocker.is_open:
        notes.append(":white_check_mark: Sorted")
    if notes:
        blocks.append(context(*notes))
    if view.blocker.is_open:
        blocks.append(
            {
                "type": "actions",
                "elements": [button("I can help", Action.BLOCKER_HELP, str(view.blocker.id))],
            }
        )
    return text, blocks


def introduction(view: BlockerView, helper_name: str) -> tuple[str, list[Block]]:
    """The first message of the group DM of a blocked member and the one who offered."""
    text = f"{_name(helper_name)} offered to help with: {_quote(view.blocker.text)}"
    blocks = [
        section(text),
        context(f"From <#{view.pack.channel_id}>. Over to you two."),
    ]
    return text, blocks
