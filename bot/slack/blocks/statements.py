"""Statements surfaces: the vote modal (builder and reader), the statement list and the split
alert. Counts only, never who voted how; nothing below 3 decided votes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.checkins import DirectionStep
from bot.core.packs import PRIORITY_MAX, PRIORITY_QUESTION, Pack
from bot.core.statements import REASON_MAX, SplitAlert, StatementView, VoteValue
from bot.slack.blocks.common import Block, button, context, modal, option, plain, section
from bot.slack.ids import Action, View
from bot.slack.mrkdwn import clip, escape

VOTE_LABELS = {VoteValue.AGREE: "Agree", VoteValue.DISAGREE: "Disagree", VoteValue.PASS: "Pass"}
LIST_MAX = 40
PRIORITY_BLOCK = "priority"
SHARE_BLOCK = "share_priority"


def vote_blocks(view: StatementView) -> list[Block]:
    """One statement's Agree / Disagree / Pass and its optional one-line reason."""
    sid = view.statement.id
    options = [option(label, str(int(value))) for value, label in VOTE_LABELS.items()]
    vote: Block = {
        "type": "input",
        "block_id": f"vote:{sid}",
        "optional": True,
        "label": plain(view.statement.text),
        "element": {"type": "radio_buttons", "action_id": f"vote:{sid}", "options": options},
    }
    if view.again and view.mine is not None:
        vote["hint"] = plain(
            f"The pack discussed this since you voted {VOTE_LABELS[view.mine]}. "
            "Where do you stand now? (asked once)"
        )
    return [
        vote,
        {
            "type": "input",
            "block_id": f"reason:{sid}",
            "optional": True,
            "label": plain("Why? (one line, optional, shown without your name)"),
            "element": {
                "type": "plain_text_input",
                "action_id": f"reason:{sid}",
                "max_length": REASON_MAX,
            },
        },
    ]


def vote_modal(pack: Pack, ballot: Sequence[StatementView]) -> dict[str, Any]:
    """`/direction`: the statements waiting for the member's vote."""
    if not ballot:
        return modal(
            "Direction",
            [section("You've voted on every statement. `/direction add &lt;text&gt;` adds one.")],
        )
    meta = {"p": pack.id, "s": [v.statement.id for v in ballot]}
    return _ballot_modal(pack, ballot, [], meta, View.DIRECTION, "Vote")


def direction_step_modal(step: DirectionStep) -> dict[str, Any]:
    """The same ballot after a check-in, with the member's top priority on top (optional, and
    shared as a statement for the pack to vote on when they tick the box)."""
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": PRIORITY_BLOCK,
        "max_length": PRIORITY_MAX,
    }
    if step.priority:
        element["initial_value"] = step.priority
    top: list[Block] = [
        {
            "type": "input",
            "block_id": PRIORITY_BLOCK,
            "optional": True,
            "label": plain(PRIORITY_QUESTION.label),
            "element": element,
        },
        {
            "type": "input",
            "block_id": SHARE_BLOCK,
            "optional": True,
            "label": plain("Share it?"),
            "element": {
                "type": "checkboxes",
                "action_id": SHARE_BLOCK,
                "options": [option("Share this as a statement for the pack to vote on", "share")],
            },
        },
    ]
    meta = {"a": step.answer_id, "s": [v.statement.id for v in step.ballot]}
    return _ballot_modal(step.pack, step.ballot, top, meta, View.DIRECTION_STEP, "Save")


def _ballot_modal(
    pack: Pack,
    ballot: Sequence[StatementView],
    top: list[Block],
    meta: dict[str, Any],
    callback_id: str,
    submit: str,
) -> dict[str, Any]:
    anonymity = (
        "Votes are anonymous: the pack sees counts, never who voted how."
        if pack.settings.anonymous
        else "This pack votes openly: names are shown with votes."
    )
    blocks: list[Block] = [context(f"<#{pack.channel_id}> · {anonymity}"), *top]
    if top and ballot:
        blocks.append(context("*Where is the pack heading?* Vote on a few statements:"))
    for view in ballot:
        blocks += vote_blocks(view)
    return modal(
        "Direction",
        blocks,
        callback_id=callback_id,
        submit=submit,
        close="Cancel",
        private_metadata=json.dumps(meta),
    )


def read_votes(view: dict[str, Any]) -> tuple[int, list[tuple[int, VoteValue, str]]]:
    """(pack id, the votes given). Raises ValueError on metadata we did not write."""
    meta = json.loads(view.get("private_metadata") or "{}")
    pack_id = int(meta["p"])
    return pack_id, read_vote_values(view, [int(s) for s in meta.get("s", [])])


@dataclass(frozen=True)
class DirectionStepSubmission:
    answer_id: int
    votes: list[tuple[int, VoteValue, str]]
    priority: str
    share_priority: bool


def read_direction_step(view: dict[str, Any]) -> DirectionStepSubmission:
    """What the direction step carries. Raises ValueError on metadata we did not write."""
    meta = json.loads(view.get("private_metadata") or "{}")
    answer_id = int(meta["a"])
    votes = read_vote_values(view, [int(s) for s in meta.get("s", [])])
    values: dict[str, Any] = view.get("state", {}).get("values", {})
    priority = ((values.get(PRIORITY_BLOCK) or {}).get(PRIORITY_BLOCK) or {}).get("value")
    share = ((values.get(SHARE_BLOCK) or {}).get(SHARE_BLOCK) or {}).get("selected_options")
    return DirectionStepSubmission(answer_id, votes, str(priority or ""), bool(share))


def read_vote_values(
    view: dict[str, Any], statement_ids: list[int]
) -> list[tuple[int, VoteValue, str]]:
    """The votes given in a view built with `vote_blocks`, for those statements."""
    values: dict[str, Any] = view.get("state", {}).get("values", {})
    votes = []
    for sid in statement_ids:
        picked = ((values.get(f"vote:{sid}") or {}).get(f"vote:{sid}") or {}).get("selected_option")
        if not picked:
            continue
        value = VoteValue(int(picked["value"]))
        reason = ((values.get(f"reason:{sid}") or {}).get(f"reason:{sid}") or {}).get("value")
        votes.append((sid, value, str(reason or "")))
    return votes


def _counts(view: StatementView) -> str:
    t = view.tally
    if not view.shown:
        return "fewer than 3 votes so far"
    counts = f"{t.agree} agree · {t.disagree} disagree · {t.passes} pass"
    if view.voters:
        sides = []
        for value, label in VOTE_LABELS.items():
            names = [f"<@{u}>" for u, v in view.voters if v is value]
            if names:
                sides.append(f"{label}: {', '.join(names[:15])}")
        counts += " · " + " · ".join(sides)
    return counts


def statement_list(pack: Pack, views: Sequence[StatementView]) -> list[Block]:
    if not views:
        return [section("No statements yet. `/direction add &lt;text&gt;` adds the first.")]
    mode = "anonymous" if pack.settings.anonymous else "open"
    blocks: list[Block] = [section(f"*Where <#{pack.channel_id}> is heading* ({mode} votes)")]
    for view in views[:LIST_MAX]:
        mine = f" · you: {VOTE_LABELS[view.mine].lower()}" if view.mine is not None else ""
        number = f"*#{view.statement.id}*"
        blocks.append(section(f"{number} {escape(view.statement.text)}\n_{_counts(view)}{mine}_"))
    if len(views) > LIST_MAX:
        blocks.append(context(f"…and {len(views) - LIST_MAX} more"))
    return blocks


def split_alert(alert: SplitAlert) -> tuple[str, list[Block]]:
    t = alert.tally
    text = f"The pack is split on: {escape(clip(alert.statement.text, 200))}"
    blocks: list[Block] = [
        section(f":scales: *The pack is split on:*\n>{escape(alert.statement.text)}"),
        context(f"{t.agree} agree · {t.disagree} disagree · {t.passes} pass"),
    ]
    for label, reasons in (("For", alert.agree_reasons), ("Against", alert.disagree_reasons)):
        if reasons:
            lines = "\n".join(f"• {escape(r)}" for r in reasons)
            blocks.append(section(f"*{label}*, in members' words:\n{lines}"))
    value = str(alert.statement.id)
    blocks.append(
        {
            "type": "actions",
            "elements": [
                button("Discuss in thread", Action.SPLIT_DISCUSS, value, style="primary"),
                button("Propose a decision", Action.SPLIT_PROPOSE, value),
                button("Draft a proposal", Action.SPLIT_DRAFT, value),
            ],
        }
    )
    return text, blocks
