"""Proposal surfaces: the message with its buttons, the reason modal (builder and reader), the
outcome and the decision log. Counts only; who took which position is never shown."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.core.decisions import ProposalView
from bot.core.proposals import REASON_MAX, Counts, Outcome, Position, Proposal
from bot.slack.blocks.common import Block, button, context, modal, plain, section
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


def _counts(c: Counts) -> str:
    return f"{c.agree} agree · {c.abstain} abstain · {c.disagree} disagree · {c.block} block"


def _when(view: ProposalView) -> str:
    at = view.proposal.closes_at
    fallback = at.strftime("%a %d %b %H:%M UTC")
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def proposal_message(view: ProposalView) -> tuple[str, list[Block]]:
    p = view.proposal
    text = f"Proposal: {escape(clip(p.text, 200))}"
    blocks: list[Block] = [section(f":ballot_box: *Proposal*\n>{escape(p.text)}")]
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
    text = "A proposal closes in 4 hours and you have not answered yet."
    value = str(proposal.id)
    blocks: list[Block] = [
        section(f"{text} In <#{channel_id}>:\n>{escape(proposal.text)}"),
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
        lines = "\n".join(f"• {escape(r)}" for r in view.block_reasons[:10])
        blocks.append(section(f"*Blocked because*, in members' words:\n{lines}"))
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
        return [section("No proposals yet. `/propose <text>` puts one to the pack.")]
    blocks: list[Block] = [section("*Decisions and open proposals*")]
    for view in list(views)[-40:]:
        p = view.proposal
        state = OUTCOMES[p.outcome] if p.outcome else f"open, closes {_when(view)}"
        blocks.append(section(f"{state} · {escape(clip(p.text, 300))}\n_{_counts(view.counts)}_"))
    return blocks
