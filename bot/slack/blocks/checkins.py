"""Check-in surfaces: the modal (builder and reader), the round's parent message, the answer
reply in its thread, the confirmation DM and the history listing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.blockers import Blocker
from bot.core.checkins import Answer, AnswerInput, AnswerPost, CheckinForm, Round, RoundTally
from bot.core.packs import PRIORITY_MAX, TEXT_ANSWER_MAX, Pack, Question, QuestionKind
from bot.core.statements import VoteValue
from bot.slack.blocks.blockers import follow_up_blocks
from bot.slack.blocks.common import (
    Block,
    button,
    context,
    day_label,
    modal,
    option,
    plain,
    section,
    sections,
)
from bot.slack.blocks.statements import read_vote_values, vote_blocks
from bot.slack.ids import QUESTION_BLOCK_PREFIX, Action, AwayField, View
from bot.slack.mrkdwn import clip, escape

ALIGNMENT_LABELS = {
    1: "1 · Not at all",
    2: "2 · A little",
    3: "3 · Somewhat",
    4: "4 · Mostly",
    5: "5 · Completely",
}


def question_block(key: str) -> str:
    return f"{QUESTION_BLOCK_PREFIX}{key}"


def _question_input(q: Question, answer: Answer | None) -> Block:
    block_id = question_block(q.key)
    element: dict[str, Any]
    if q.kind is QuestionKind.COLLABORATORS:
        element = {"type": "multi_users_select", "max_selected_items": 20}
        if answer and answer.collaborators:
            element["initial_users"] = list(answer.collaborators)
    elif q.kind is QuestionKind.ALIGNMENT:
        options = [option(label, str(n)) for n, label in ALIGNMENT_LABELS.items()]
        element = {"type": "radio_buttons", "options": options}
        if answer and answer.alignment:
            element["initial_option"] = options[answer.alignment - 1]
    else:
        limit = PRIORITY_MAX if q.kind is QuestionKind.PRIORITY else TEXT_ANSWER_MAX
        element = {
            "type": "plain_text_input",
            "multiline": q.kind is not QuestionKind.PRIORITY,
            "max_length": limit,
        }
        if answer and answer.texts.get(q.key):
            element["initial_value"] = answer.texts[q.key]
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(q.label),
        "element": {**element, "action_id": block_id},
        "optional": not q.required,
    }
    if q.kind is QuestionKind.COLLABORATORS:
        block["hint"] = plain("Leave empty if you worked on your own.")
    if q.kind is QuestionKind.ALIGNMENT:
        block["hint"] = plain("Only the pack's average is shared.")
    return block


STILL_BLOCKED = "Still blocked by this?"


def _blockers_question(q: Question, form: CheckinForm) -> Block:
    """The blockers question; with a blocker still open from an earlier round, it asks
    whether that still blocks, starting from its text."""
    block = _question_input(q, form.answer)
    if form.open_blocker is None:
        return block
    block["label"] = plain(STILL_BLOCKED)
    block["hint"] = plain("Clear it if it's sorted.")
    if not (form.answer and form.answer.texts.get(q.key)):
        block["element"]["initial_value"] = form.open_blocker.text
    return block


def checkin_modal(form: CheckinForm) -> dict[str, Any]:
    heading = f"<#{form.pack.channel_id}> · {day_label(form.round_date)}"
    if form.answer is not None:
        heading += " · editing your answer"
    blocks: list[Block] = [context(heading)]
    for q in form.pack.settings.questions:
        if q.kind is QuestionKind.BLOCKERS:
            blocks.append(_blockers_question(q, form))
        else:
            blocks.append(_question_input(q, form.answer))
        if q.kind is QuestionKind.PRIORITY:
            blocks.append(_share_block())
    if form.ballot:
        blocks.append(context("*Where is the pack heading?* Vote on a few statements:"))
        for view in form.ballot:
            blocks += vote_blocks(view)
    meta = json.dumps(
        {
            "p": form.pack.id,
            "d": form.round_date.isoformat(),
            "s": [v.statement.id for v in form.ballot],
        }
    )
    return modal(
        "Check-in",
        blocks,
        callback_id=View.CHECKIN,
        submit="Save" if form.answer else "Submit",
        close="Cancel",
        private_metadata=meta,
    )


SHARE_BLOCK = "share_priority"


def _share_block() -> Block:
    return {
        "type": "input",
        "block_id": SHARE_BLOCK,
        "optional": True,
        "label": plain("Share it?"),
        "element": {
            "type": "checkboxes",
            "action_id": SHARE_BLOCK,
            "options": [option("Share this as a statement for the pack to vote on", "share")],
        },
    }


@dataclass(frozen=True)
class CheckinSubmission:
    pack_id: int
    round_date: dt.date
    answer: AnswerInput
    votes: tuple[tuple[int, VoteValue, str], ...]
    share_priority: bool


def read_checkin_submission(view: dict[str, Any]) -> CheckinSubmission:
    """Everything the check-in modal carries. Raises ValueError on metadata we did not write."""
    pack_id, round_date, given = read_checkin(view)
    meta = json.loads(view.get("private_metadata") or "{}")
    votes = read_vote_values(view, [int(s) for s in meta.get("s", [])])
    values: dict[str, Any] = view.get("state", {}).get("values", {})
    share = ((values.get(SHARE_BLOCK) or {}).get(SHARE_BLOCK) or {}).get("selected_options")
    return CheckinSubmission(pack_id, round_date, given, tuple(votes), bool(share))


def read_checkin(view: dict[str, Any]) -> tuple[int, dt.date, AnswerInput]:
    """(pack id, round date, what was typed). Raises ValueError on metadata we did not write."""
    meta = json.loads(view.get("private_metadata") or "{}")
    pack_id = int(meta["p"])
    round_date = dt.date.fromisoformat(str(meta["d"]))
    values: dict[str, Any] = view.get("state", {}).get("values", {})
    texts: dict[str, str] = {}
    collaborators: tuple[str, ...] = ()
    alignment: int | None = None
    for block_id, actions in values.items():
        if not block_id.startswith(QUESTION_BLOCK_PREFIX) or not isinstance(actions, dict):
            continue
        key = block_id[len(QUESTION_BLOCK_PREFIX) :]
        state = actions.get(block_id) or {}
        kind = state.get("type")
        if kind == "multi_users_select":
            collaborators = tuple(str(u) for u in state.get("selected_users") or [])
        elif kind == "radio_buttons":
            chosen = (state.get("selected_option") or {}).get("value")
            alignment = int(chosen) if chosen is not None and str(chosen).isdigit() else None
        else:
            texts[key] = str(state.get("value") or "")
    return pack_id, round_date, AnswerInput(texts, collaborators, alignment)


def checkin_errors(errors: dict[str, str]) -> dict[str, str]:
    return {question_block(key): message for key, message in errors.items()}


# --- in the channel --------------------------------------------------------------------------


def round_parent(tally: RoundTally) -> tuple[str, list[Block]]:
    title = (
        f"Check-in · {day_label(tally.local_date)} · heard from {tally.heard_from} "
        f"of {tally.expected}"
    )
    notes: list[str] = []
    if tally.skipped:
        notes.append(f"{tally.skipped} skipped today")
    if tally.away_names:
        notes.append("Away: " + escape(", ".join(tally.away_names)))
    if tally.blockers:
        s = "s" if tally.blockers != 1 else ""
        notes.append(f":warning: {tally.blockers} blocker{s} in the thread")
    blocks: list[Block] = [section(f"*{title}*")]
    if notes:
        blocks.append(context(*notes))
    return title, blocks


def answer_blocks(post: AnswerPost) -> tuple[str, list[Block]]:
    """The reply: who, blockers first, then the other answers in the pack's order. The 1–5
    alignment score stays out of the channel; only the pack's average is shared."""
    answer = post.answer
    name = escape(clip(post.author.name, 80))
    blocks: list[Block] = [context(f"*{name}* checked in")]
    by_kind = {q.key: q for q in post.questions}
    blockers_q = next((q for q in post.questions if q.kind is QuestionKind.BLOCKERS), None)
    if blockers_q and answer.texts.get(blockers_q.key):
        blocks += sections(
            f":warning: *{escape(blockers_q.label)}*\n{escape(answer.texts[blockers_q.key])}"
        )
    for q in post.questions:
        if q.kind in (QuestionKind.TEXT, QuestionKind.PRIORITY) and answer.texts.get(q.key):
            blocks += sections(f"*{escape(q.label)}*\n{escape(answer.texts[q.key])}")
    if "collaborators" in by_kind:
        if post.collaborators:
            names = ", ".join(escape(clip(p.name, 80)) for p in post.collaborators[:20])
            blocks.append(context(f"Working with {names}"))
        else:
            blocks.append(context("Working solo"))
    # The fallback text is mrkdwn too (notifications, old clients): escaped like the blocks.
    return f"{name} checked in", blocks[:50]


def confirmation(post: AnswerPost) -> tuple[str, list[Block]]:
    when = day_label(post.round.local_date)
    _, body = answer_blocks(post)
    blocks: list[Block] = [
        section(f"Thanks! Your check-in for <#{post.pack.channel_id}> ({when}) is in the thread."),
        *body[1:45],
        {
            "type": "actions",
            "elements": [button("Edit", Action.CHECKIN_EDIT, str(post.answer.id))],
        },
    ]
    return f"Your check-in for {when} is in.", blocks


def history_blocks(pack: Pack, entries: Sequence[tuple[Round, Answer]]) -> list[Block]:
    if not entries:
        return [
            section(f"You have no check-ins in <#{pack.channel_id}> yet. `/checkin` starts one.")
        ]
    blocks: list[Block] = [section(f"Your last {len(entries)} check-ins in <#{pack.channel_id}>:")]
    labels = {q.key: q.label for q in pack.settings.questions}
    for rnd, answer in entries:
        if answer.status.value == "skipped":
            blocks.append(context(f"*{day_label(rnd.local_date)}* · skipped"))
            continue
        lines = [f"*{day_label(rnd.local_date)}*"]
        for key, text in answer.texts.items():
            lines.append(f"_{escape(labels.get(key, key))}_ {escape(clip(text, 300))}")
        blocks.append(section("\n".join(lines)))
    return blocks[:50]


def choose_pack_blocks(packs: Sequence[Pack]) -> list[Block]:
    return [
        section("You're in several packs. Which one are you checking in for?"),
        {
            "type": "actions",
            "elements": [
                button(f"#{p.name}" if p.name else p.channel_id, Action.CHECKIN_OPEN, str(p.id))
                for p in packs[:25]
            ],
        },
    ]


# --- the DM prompt -----------------------------------------------------------------------------


def prompt_message(
    pack: Pack, local_date: dt.date, *, reminder: bool, follow_up: Blocker | None = None
) -> tuple[str, list[Block]]:
    """The check-in prompt in a member's DM; the reminder says the same, gently. With the
    follow-up of the member's open blocker when given."""
    when = day_label(local_date)
    if reminder:
        text = f"A gentle reminder: the check-in for {when} is still open."
    else:
        text = f"Time to check in for {when}."
    blocks: list[Block] = [
        section(f"{text} Your answer goes to the thread in <#{pack.channel_id}>."),
        {
            "type": "actions",
            "elements": [
                button("Check in", Action.CHECKIN_OPEN, str(pack.id), style="primary"),
                button("Skip today", Action.PROMPT_SKIP, f"{pack.id}:{local_date.isoformat()}"),
                button("I'm away…", Action.PROMPT_AWAY, str(pack.id)),
            ],
        },
    ]
    if follow_up is not None:
        blocks += follow_up_blocks(follow_up)
    return text, blocks


def away_modal(today: dt.date) -> dict[str, Any]:
    def picker(field: AwayField, label: str) -> Block:
        return {
            "type": "input",
            "block_id": field.value,
            "label": plain(label),
            "element": {
                "type": "datepicker",
                "action_id": field.value,
                "initial_date": today.isoformat(),
            },
        }

    blocks = [
        section("No prompts while you're away, and you're shown as away, never as missing."),
        picker(AwayField.START, "First day away"),
        picker(AwayField.END, "Last day away"),
    ]
    return modal("Time away", blocks, callback_id=View.AWAY, submit="Save", close="Cancel")


def read_away(view: dict[str, Any]) -> tuple[str, str]:
    values: dict[str, Any] = view.get("state", {}).get("values", {})

    def picked(field: AwayField) -> str:
        return str(
            ((values.get(field.value) or {}).get(field.value) or {}).get("selected_date") or ""
        )

    return picked(AwayField.START), picked(AwayField.END)
