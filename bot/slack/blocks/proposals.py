"""Proposal surfaces: the message with its buttons, the reason modal (builder and reader), the
outcome and the decision log. Counts only; who took which position is never shown."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.core.packs import Pack
from bot.core.proposals import (
    PROPOSAL_MAX,
    REASON_MAX,
    REVISABLE,
    Counts,
    Outcome,
    Position,
    Proposal,
    ProposalView,
    SplitDraft,
)
from bot.core.statements import Statement
from bot.slack.blocks.common import Block, button, context, modal, option, plain, section
from bot.slack.ids import Action, View
from bot.slack.mrkdwn import clip, escape

LABELS = {
    Position.AGREE: "Agree",
    Position.ABSTAIN: "Abstain",
    Position.DISAGREE: "Disagree",
    Position.BLOCK: "Block",
}
OUTCOMES = {
    Outcome.PASSED: ":white_check_mark: *Passed*",
    Outcome.NOT_PASSED: ":x: *Not passed*",
    Outcome.BLOCKED: ":no_entry: *Blocked*",
}
REASON_BLOCK = "reason"
POSITION_BLOCK = "position"
# The revise form's blocks carry the names of the fields core's FieldErrors use.
TEXT_BLOCK = "text"
CLOSES_BLOCK = "closes"
DEFAULT_CLOSES = "48h"


def _counts(c: Counts) -> str:
    return f"{c.agree} agree · {c.abstain} abstain · {c.disagree} disagree · {c.block} block"


def _when(view: ProposalView) -> str:
    return _closing(view.proposal)


def _closing(proposal: Proposal) -> str:
    """When it closes, shown in the reader's own clock."""
    at = proposal.closes_at
    fallback = at.strftime("%a %d %b %H:%M UTC")
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def _outcome_word(p: Proposal) -> str:
    return p.outcome.value if p.outcome is not None else "still open"


def _lineage(view: ProposalView) -> str:
    """`revises #N` / `revised as #M`, or nothing."""
    parts = []
    if view.revises is not None:
        parts.append(f"revises #{view.revises.id} ({_outcome_word(view.revises)})")
    elif view.proposal.revises_id is not None:
        parts.append(f"revises #{view.proposal.revises_id}")
    if view.revised_as is not None:
        parts.append(f"revised as #{view.revised_as}")
    return " · ".join(parts)


def proposal_message(view: ProposalView) -> tuple[str, list[Block]]:
    p = view.proposal
    text = f"Proposal: {escape(clip(p.text, 200))}"
    title = f":ballot_box: *Proposal #{p.id}*"
    if view.revises is not None:
        old = view.revises
        title = (
            f":ballot_box: *Proposal #{p.id}*, revising #{old.id} "
            f"({_outcome_word(old)}: {escape(clip(old.text, 150))})"
        )
    blocks: list[Block] = [section(f"{title}\n>{escape(p.text)}")]
    if p.is_open:
        blocks.append(context(f"{_counts(view.counts)} · closes {_when(view)}"))
        value = str(p.id)
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    button("Agree", Action.PROPOSAL_RESPOND, f"{value}:agree", style="primary"),
                    button("Abstain", Action.PROPOSAL_RESPOND, f"{value}:abstain"),
                    button("Disagree", Action.PROPOSAL_RESPOND, f"{value}:disagree"),
                    button("Block", Action.PROPOSAL_RESPOND, f"{value}:block", style="danger"),
                ],
            }
        )
    else:
        assert p.outcome is not None
        blocks.append(context(f"{OUTCOMES[p.outcome]} · {_counts(view.counts)}"))
    return text, blocks


def reminder_message(proposal: Proposal, channel_id: str) -> tuple[str, list[Block]]:
    # Sent in the reader's working hours: often 4 hours before the closing, sometimes the
    # evening before, so the message says when.
    text = "A proposal closes soon and you have not answered yet."
    value = str(proposal.id)
    closes = f"A proposal closes {_closing(proposal)} and you have not answered yet."
    blocks: list[Block] = [
        section(f"{closes} In <#{channel_id}>:\n>{escape(proposal.text)}"),
        {
            "type": "actions",
            "elements": [
                button(LABELS[p], Action.PROPOSAL_RESPOND, f"{value}:{p.value}") for p in Position
            ],
        },
    ]
    return text, blocks


def outcome_message(view: ProposalView) -> tuple[str, list[Block]]:
    p = view.proposal
    assert p.outcome is not None
    text = f"Decision: {escape(clip(p.text, 200))} — {p.outcome.value}"
    blocks: list[Block] = [
        section(f"{OUTCOMES[p.outcome]}: {escape(p.text)}"),
        context(_counts(view.counts)),
    ]
    if view.block_reasons:
        lines = "\n".join(f"• {escape(clip(r, 250))}" for r in view.block_reasons[:10])
        blocks.append(section(f"*Blocked because*, in members' words:\n{lines}"))
    if p.outcome in REVISABLE:
        blocks.append(
            {
                "type": "actions",
                "elements": [button("Revise", Action.PROPOSAL_REVISE, str(p.id))],
            }
        )
        blocks.append(context("The proposer can revise it and put it to the pack again."))
    return text, blocks


def reason_modal(proposal_id: int, position: Position) -> dict[str, Any]:
    label = LABELS[position]
    return modal(
        label,
        [
            {
                "type": "input",
                "block_id": REASON_BLOCK,
                "label": plain(f"Why {label.lower()}? (one line, shown without your name)"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": REASON_BLOCK,
                    "max_length": REASON_MAX,
                },
            }
        ],
        callback_id=View.PROPOSAL_REASON,
        submit=label,
        close="Cancel",
        private_metadata=json.dumps({"p": proposal_id, "position": position.value}),
    )


def read_reason(view: dict[str, Any]) -> tuple[int, Position, str]:
    meta = json.loads(view.get("private_metadata") or "{}")
    values: dict[str, Any] = view.get("state", {}).get("values", {})
    reason = ((values.get(REASON_BLOCK) or {}).get(REASON_BLOCK) or {}).get("value")
    return int(meta["p"]), Position(meta["position"]), str(reason or "")


def decision_log(views: Sequence[ProposalView]) -> list[Block]:
    if not views:
        return [section("No proposals yet. `/propose &lt;text&gt;` puts one to the pack.")]
    blocks: list[Block] = [section("*Decisions and open proposals*")]
    for view in list(views)[-40:]:
        p = view.proposal
        state = OUTCOMES[p.outcome] if p.outcome else f"open, closes {_when(view)}"
        lineage = _lineage(view)
        blocks.append(
            section(
                f"#{p.id} · {state} · {escape(clip(p.text, 300))}\n_{_counts(view.counts)}"
                + (f" · {lineage}" if lineage else "")
                + "_"
            )
        )
    return blocks


def answer_modal(view: ProposalView) -> dict[str, Any]:
    """The proposal modal opened from App Home: a position and a one-line reason."""
    p = view.proposal
    anonymity = (
        "Positions are counted without names."
        if view.pack.settings.anonymous
        else "This pack decides openly."
    )
    blocks: list[Block] = [
        section(f"*Proposal #{p.id}* in <#{view.pack.channel_id}>\n>{escape(p.text)}"),
        context(f"{_counts(view.counts)} · closes {_when(view)} · {anonymity}"),
        {
            "type": "input",
            "block_id": POSITION_BLOCK,
            "label": plain("Your position"),
            "element": {
                "type": "radio_buttons",
                "action_id": POSITION_BLOCK,
                "options": [option(LABELS[pos], pos.value) for pos in Position],
            },
        },
        {
            "type": "input",
            "block_id": REASON_BLOCK,
            "optional": True,
            "label": plain("Why? (one line; needed to disagree or block)"),
            "element": {
                "type": "plain_text_input",
                "action_id": REASON_BLOCK,
                "max_length": REASON_MAX,
            },
        },
    ]
    return modal(
        "Proposal",
        blocks,
        callback_id=View.PROPOSAL_ANSWER,
        submit="Answer",
        close="Cancel",
        private_metadata=json.dumps({"p": p.id}),
    )


def read_answer(view: dict[str, Any]) -> tuple[int, Position | None, str]:
    """(proposal id, the position picked or None, the reason). ValueError on metadata or an
    option we did not write."""
    meta = json.loads(view.get("private_metadata") or "{}")
    values: dict[str, Any] = view.get("state", {}).get("values", {})
    picked = ((values.get(POSITION_BLOCK) or {}).get(POSITION_BLOCK) or {}).get("selected_option")
    position = Position(picked["value"]) if picked else None
    reason = ((values.get(REASON_BLOCK) or {}).get(REASON_BLOCK) or {}).get("value")
    return int(meta["p"]), position, str(reason or "")


def _proposal_form(
    title: str,
    intro: str,
    label: str,
    text: str,
    callback_id: str,
    meta: dict[str, int],
    notes: Sequence[Block] = (),
) -> dict[str, Any]:
    """A proposal's text and closing time; `notes` go under the fields."""
    blocks: list[Block] = [
        context(intro),
        {
            "type": "input",
            "block_id": TEXT_BLOCK,
            "label": plain(label),
            "element": {
                "type": "plain_text_input",
                "action_id": TEXT_BLOCK,
                "multiline": True,
                "max_length": PROPOSAL_MAX,
                "initial_value": text[:PROPOSAL_MAX],
            },
        },
        {
            "type": "input",
            "block_id": CLOSES_BLOCK,
            "optional": True,
            "label": plain("Closes in"),
            "hint": plain("Like 90m, 48h, 3d or 1w; at most 30 days."),
            "element": {
                "type": "plain_text_input",
                "action_id": CLOSES_BLOCK,
                "max_length": 20,
                "initial_value": DEFAULT_CLOSES,
            },
        },
        *notes,
    ]
    return modal(
        title,
        blocks,
        callback_id=callback_id,
        submit="Put to the pack",
        close="Cancel",
        private_metadata=json.dumps(meta),
    )


def revise_modal(view: ProposalView) -> dict[str, Any]:
    """The revise form, prefilled with the failed proposal's text."""
    p = view.proposal
    assert p.outcome is not None
    return _proposal_form(
        "Revise proposal",
        f"Revising #{p.id} in <#{view.pack.channel_id}>, which closed {p.outcome.value} "
        f"({_counts(view.counts)}). The pack answers the new version afresh.",
        "Revised proposal",
        p.text,
        View.PROPOSAL_REVISION,
        {"p": p.id},
    )


def split_proposal_modal(pack: Pack, statement: Statement) -> dict[str, Any]:
    """The form behind a split's `Propose a decision`, prefilled with the statement."""
    return _proposal_form(
        "Propose a decision",
        f"Settle the split on #{statement.id} in <#{pack.channel_id}>: the pack answers "
        "Agree, Abstain, Disagree or Block. Reword it as the decision you want.",
        "Proposal",
        statement.text,
        View.SPLIT_PROPOSAL,
        {"s": statement.id},
    )


SOURCES = {
    "statement": "statement #{id}",
    "for": "a reason given for agreeing with #{id}",
    "against": "a reason given for disagreeing with #{id}",
}


def split_draft_modal(found: SplitDraft) -> dict[str, Any]:
    """The form behind a split's `Draft a proposal`: the same form and callback as `Propose a
    decision`, prefilled with the draft, each sentence listed with where it comes from
    (statements and sides, never who wrote it). When no draft reaches every group it says so
    and starts from the statement, as `Propose a decision` does."""
    statement, made = found.statement, found.draft
    where = f"#{statement.id} in <#{found.pack.channel_id}>"
    if made is None or not found.reaches_all:
        return _proposal_form(
            "Draft a proposal",
            f"No draft from the pack's own words reaches every side of the split on {where} "
            "yet: none is predicted to win more than half of each side. Start from the "
            "statement and reword it as the decision you want.",
            "Proposal",
            statement.text,
            View.SPLIT_PROPOSAL,
            {"s": statement.id},
        )
    predicted = ", ".join(
        f"{name} {share:.0%}" for name, share in zip(made.groups, made.agreement, strict=True)
    )
    lines = [
        f"• “{escape(s.text)}”: {SOURCES[s.kind].format(id=escape(s.statement))}"
        for s in made.sentences
    ]
    notes: list[Block] = [
        context("*Where each sentence comes from*, word for word:\n" + "\n".join(lines)),
        context(
            f"Predicted agreement: {predicted} (the best single statement: "
            f"{made.best_statement_least:.0%} on its weaker side). Edit freely: the pack "
            "answers the text you put to it."
        ),
    ]
    return _proposal_form(
        "Draft a proposal",
        f"A draft on the split on {where}, made only of the pack's own statements and reasons, "
        "chosen so each side is predicted to agree with most of it.",
        "Proposal",
        made.text,
        View.SPLIT_PROPOSAL,
        {"s": statement.id},
        notes,
    )


def read_split_proposal(view: dict[str, Any]) -> tuple[int, str, str]:
    """(statement id, text, closes). ValueError on metadata we did not write."""
    meta = json.loads(view.get("private_metadata") or "{}")
    _, text, closes = read_revision({**view, "private_metadata": json.dumps({"p": meta["s"]})})
    return int(meta["s"]), text, closes


def read_revision(view: dict[str, Any]) -> tuple[int, str, str]:
    """(revised proposal id, new text, closes). ValueError on metadata we did not write."""
    meta = json.loads(view.get("private_metadata") or "{}")
    values: dict[str, Any] = view.get("state", {}).get("values", {})

    def text_of(block: str) -> str:
        return str(((values.get(block) or {}).get(block) or {}).get("value") or "")

    return int(meta["p"]), text_of(TEXT_BLOCK), text_of(CLOSES_BLOCK)
