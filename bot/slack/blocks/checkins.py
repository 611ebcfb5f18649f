"""Check-in surfaces: the modal (builder and reader), the round's parent message, the answer
reply in its thread, the confirmation DM and the history listing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from bot.core.blockers import Blocker
from bot.core.checkins import (
    MAX_COLLABORATORS,
    Answer,
    AnswerInput,
    AnswerPost,
    CheckinForm,
    Round,
    RoundProgress,
    RoundTally,
)
from bot.core.packs import (
    DEFAULT_QUESTIONS,
    PRIORITY_MAX,
    PRIORITY_QUESTION,
    TEXT_ANSWER_MAX,
    Pack,
    Question,
    QuestionKind,
)
from bot.slack import richtext
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


CARRIED_LABEL = "Did it move? What moved forward since then?"
MENTION_HINT = "@mention anyone you worked with on it."


def _question_input(q: Question, answer: Answer | None) -> Block:
    block_id = question_block(q.key)
    element: dict[str, Any]
    hint: str | None = None
    if q.kind is QuestionKind.PROGRESS:
        element = {"type": "rich_text_input"}
        restored = richtext.to_rich_text(answer.texts.get(q.key, "")) if answer else None
        if restored is not None:
            element["initial_value"] = restored
        hint = MENTION_HINT
    elif q.kind is QuestionKind.COLLABORATORS:
        element = {"type": "multi_users_select", "max_selected_items": MAX_COLLABORATORS}
        if answer and answer.collaborators:
            element["initial_users"] = list(answer.collaborators)
        hint = "Leave empty if you worked on your own."
    elif q.kind is QuestionKind.ALIGNMENT:
        options = [option(label, str(n)) for n, label in ALIGNMENT_LABELS.items()]
        element = {"type": "radio_buttons", "options": options}
        if answer and answer.alignment:
            element["initial_option"] = options[answer.alignment - 1]
        hint = "Only the pack's average is shared."
    else:
        element = _text_element(q, answer)
    return _input(block_id, q, element, hint)


def _text_element(q: Question, answer: Answer | None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "multiline": q.kind is not QuestionKind.PRIORITY,
        "max_length": PRIORITY_MAX if q.kind is QuestionKind.PRIORITY else TEXT_ANSWER_MAX,
    }
    if answer and answer.texts.get(q.key):
        element["initial_value"] = answer.texts[q.key]
    return element


def _input(block_id: str, q: Question, element: dict[str, Any], hint: str | None) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(q.label),
        "element": {**element, "action_id": block_id},
        "optional": not q.required,
    }
    if hint:
        block["hint"] = plain(hint)
    return block


STILL_BLOCKED = "Still blocked by this?"


def _blockers_question(q: Question, form: CheckinForm) -> Block:
    """The blockers question, a written answer (optional by default); with a blocker still
    open from an earlier round, it asks whether that still blocks, starting from its text."""
    element = _text_element(q, form.answer)
    if form.open_blocker is None:
        return _input(question_block(q.key), q, element, None)
    if not (form.answer and form.answer.texts.get(q.key)):
        element["initial_value"] = form.open_blocker.text
    block = _input(question_block(q.key), q, element, "Clear it if it's sorted.")
    block["label"] = plain(STILL_BLOCKED)
    return block


def checkin_modal(form: CheckinForm) -> dict[str, Any]:
    heading = f"<#{form.pack.channel_id}> · {day_label(form.round_date)}"
    if form.answer is not None:
        heading += " · editing your answer"
    blocks: list[Block] = [context(heading)]
    questions = form.pack.settings.questions
    if form.last_focus:
        blocks.append(context(f"Last time you planned: “{escape(clip(form.last_focus, 300))}”"))
        # The first question asks whether that plan moved, when it is still the default one.
        first = questions[0] if questions else None
        if first is not None and first.label == DEFAULT_QUESTIONS[0].label:
            questions = (replace(first, label=CARRIED_LABEL), *questions[1:])
    blocks += [
        _blockers_question(q, form)
        if q.kind is QuestionKind.BLOCKERS
        else _question_input(q, form.answer)
        for q in questions
    ]
    meta = json.dumps({"p": form.pack.id, "d": form.round_date.isoformat()})
    return modal(
        "Check-in",
        blocks,
        callback_id=View.CHECKIN,
        submit="Save" if form.answer else "Submit",
        close="Cancel",
        private_metadata=meta,
    )


def read_checkin(view: dict[str, Any]) -> tuple[int, dt.date, AnswerInput]:
    """(pack id, round date, what was typed). Raises ValueError on metadata we did not write."""
    meta = json.loads(view.get("private_metadata") or "{}")
    pack_id = int(meta["p"])
    round_date = dt.date.fromisoformat(str(meta["d"]))
    values: dict[str, Any] = view.get("state", {}).get("values", {})
    texts: dict[str, str] = {}
    collaborators: list[str] = []
    alignment: int | None = None
    for block_id, actions in values.items():
        if not block_id.startswith(QUESTION_BLOCK_PREFIX) or not isinstance(actions, dict):
            continue
        key = block_id[len(QUESTION_BLOCK_PREFIX) :]
        state = actions.get(block_id) or {}
        kind = state.get("type")
        if kind == "multi_users_select":
            collaborators += [str(u) for u in state.get("selected_users") or []]
        elif kind == "rich_text_input":
            texts[key], mentioned = richtext.read(state.get("rich_text_value"))
            collaborators += mentioned
        elif kind == "radio_buttons":
            chosen = (state.get("selected_option") or {}).get("value")
            alignment = int(chosen) if chosen is not None and str(chosen).isdigit() else None
        else:
            texts[key] = str(state.get("value") or "")
    return pack_id, round_date, AnswerInput(texts, tuple(collaborators), alignment)


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
    blockers_q = next((q for q in post.questions if q.kind is QuestionKind.BLOCKERS), None)
    if blockers_q and answer.texts.get(blockers_q.key):
        blocks += sections(
            f":warning: *{escape(blockers_q.label)}*\n{escape(answer.texts[blockers_q.key])}"
        )
    names = post.names
    for q in post.questions:
        if q.kind in SHOWN_KINDS and answer.texts.get(q.key):
            shown = answer_text(q, answer.texts[q.key], names)
            blocks += sections(f"*{escape(q.label)}*\n{shown}")
    if any(q.kind is QuestionKind.COLLABORATORS for q in post.questions):
        if post.collaborators:
            listed = ", ".join(escape(clip(p.name, 80)) for p in post.collaborators[:20])
            blocks.append(context(f"Working with {listed}"))
        else:
            blocks.append(context("Working solo"))
    # The fallback text is mrkdwn too (notifications, old clients): escaped like the blocks.
    return f"{name} checked in", blocks[:50]


SHOWN_KINDS = (QuestionKind.TEXT, QuestionKind.PROGRESS, QuestionKind.PRIORITY)


def answer_text(q: Question, text: str, names: Mapping[str, str]) -> str:
    """An answer for mrkdwn: escaped, its @mentions (rich-text answers) shown as names."""
    return richtext.to_mrkdwn(text, names) if q.kind is QuestionKind.PROGRESS else escape(text)


def confirmation(post: AnswerPost) -> tuple[str, list[Block]]:
    when = day_label(post.round.local_date)
    _, body = answer_blocks(post)
    # The direction step (the member's top priority, and the statements waiting for their
    # vote) is always offered; the count says when statements wait.
    waiting = post.waiting_statements
    label = "Where is the pack heading?"
    if waiting:
        label += f" · {waiting} statement{'s' if waiting != 1 else ''}"
    buttons = [
        button(label, Action.DIRECTION_STEP, str(post.answer.id), style="primary"),
        button("Edit", Action.CHECKIN_EDIT, str(post.answer.id)),
    ]
    blocks: list[Block] = [
        section(f"Thanks! Your check-in for <#{post.pack.channel_id}> ({when}) is in the thread."),
        *body[1:45],
        {"type": "actions", "elements": buttons},
    ]
    return f"Your check-in for {when} is in.", blocks


def history_blocks(
    pack: Pack, entries: Sequence[tuple[Round, Answer]], names: Mapping[str, str]
) -> list[Block]:
    if not entries:
        return [
            section(f"You have no check-ins in <#{pack.channel_id}> yet. `/checkin` starts one.")
        ]
    blocks: list[Block] = [section(f"Your last {len(entries)} check-ins in <#{pack.channel_id}>:")]
    questions = {q.key: q for q in (PRIORITY_QUESTION, *pack.settings.questions)}
    for rnd, answer in entries:
        if answer.status.value == "skipped":
            blocks.append(context(f"*{day_label(rnd.local_date)}* · skipped"))
            continue
        lines = [f"*{day_label(rnd.local_date)}*"]
        for key, text in answer.texts.items():
            q = questions.get(key) or Question(key, QuestionKind.TEXT, key, False)
            lines.append(f"_{escape(q.label)}_ {clip(answer_text(q, text, names), 400)}")
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
    pack: Pack,
    local_date: dt.date,
    *,
    reminder: bool,
    follow_up: Blocker | None = None,
    progress: RoundProgress | None = None,
) -> tuple[str, list[Block]]:
    """The check-in prompt in a member's DM; the reminder says the same, gently, with how
    many teammates have checked in (counts only, never who has not). With the follow-up of
    the member's open blocker when given."""
    when = day_label(local_date)
    if reminder:
        text = f"A gentle reminder: the check-in for {when} is still open."
        if progress is not None and progress.answered > 0:
            text += f" {progress.answered} of {progress.expected} have checked in so far."
        elif progress is not None:
            text += " Yours can be the first answer in the thread."
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
