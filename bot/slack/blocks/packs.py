"""Packs: the `/wolfpack setup` modal (its builder and, next to it, its reader), and the
`/wolfpack members` and `/wolfpack settings` replies."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from bot.core.errors import FieldErrors
from bot.core.packs import (
    DEFAULT_QUESTIONS,
    MAX_EXTRA_QUESTIONS,
    OPTIONAL_QUESTIONS,
    QUESTION_MAX,
    WEEKDAY_NAMES,
    Member,
    Pack,
    PackDraft,
    PackSettings,
    Question,
    QuestionKind,
    SettingsView,
    SetupForm,
    TimezoneMode,
    parse_time,
)
from bot.slack.blocks.common import Block, context, modal, option, plain, section
from bot.slack.ids import SetupField, View
from bot.slack.mrkdwn import clip, escape

REMINDER_CHOICES = (0, 60, 120, 180, 240)
_FIXED_TEXT = {
    SetupField.Q_PROGRESS: "progress",
    SetupField.Q_FOCUS: "focus",
    SetupField.Q_BLOCKERS: "blockers",
}
_OPTIONAL_KINDS = {
    "collaborators": QuestionKind.COLLABORATORS,
    "alignment": QuestionKind.ALIGNMENT,
    "priority": QuestionKind.PRIORITY,
}
_DEFAULTS = {q.key: q for q in (*DEFAULT_QUESTIONS, *OPTIONAL_QUESTIONS)}


def _input(
    block_id: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str | None = None,
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": {**element, "action_id": block_id},
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint)
    return block


def _reminder_label(minutes: int) -> str:
    if minutes == 0:
        return "No reminder"
    hours = minutes // 60
    return f"{hours} hour{'s' if hours != 1 else ''} after the prompt"


def setup_modal(form: SetupForm, *, external_id: str | None = None) -> dict[str, Any]:
    s = form.settings
    day_options = [option(name, str(i)) for i, name in enumerate(WEEKDAY_NAMES)]
    reminder_options = [option(_reminder_label(m), str(m)) for m in REMINDER_CHOICES]
    reminder = s.reminder_minutes if s.reminder_minutes in REMINDER_CHOICES else 120
    tz_options = [
        option("Each member's own timezone", TimezoneMode.MEMBER.value),
        option("One pack timezone (below)", TimezoneMode.PACK.value),
    ]
    split_options = [
        option(f"Smaller side at least {share} %", str(share / 50)) for share in (25, 30, 40)
    ]
    privacy_options = [
        option("Anonymous votes (only counts are shown)", "anonymous"),
        option("Name people working alone in the summary", "name_lone_wolves"),
    ]
    privacy_initial = [
        o for o, on in zip(privacy_options, (s.anonymous, s.name_lone_wolves), strict=True) if on
    ]
    by_key = {q.key: q for q in s.questions}
    extras = [q.label for q in s.questions if q.key.startswith("extra_")]
    toggle_options = [
        option("Ask who they work with", "collaborators"),
        option("Ask how aligned they feel (1–5)", "alignment"),
        option("Ask for the team's top priority", "priority"),
    ]
    toggles_initial = [o for o in toggle_options if o["value"] in by_key]

    def text_question(field: SetupField, key: str, title: str) -> Block:
        current = by_key.get(key)
        element: dict[str, Any] = {"type": "plain_text_input", "max_length": QUESTION_MAX}
        if current is not None:
            element["initial_value"] = current.label
        return _input(field, title, element, optional=True, hint="Leave empty to leave it out.")

    days_element: dict[str, Any] = {"type": "checkboxes", "options": day_options}
    days_initial = [day_options[d] for d in sorted(s.checkin_days)]
    if days_initial:
        days_element["initial_options"] = days_initial
    blocks: list[Block] = [
        section(
            f"Setting up the pack of <#{form.channel.channel_id}>. Members get a DM at their "
            "check-in time; answers go to a thread in the channel."
        ),
        _input(
            SetupField.MEMBERS,
            "Members",
            {"type": "multi_users_select", "initial_users": list(form.member_ids)[:100]},
        ),
        _input(
            SetupField.ADMINS,
            "Pack admins",
            {"type": "multi_users_select", "initial_users": list(form.admin_ids)[:100]},
        ),
        _input(SetupField.DAYS, "Check-in days", days_element),
        _input(
            SetupField.TIME,
            "Check-in time",
            {"type": "timepicker", "initial_time": s.checkin_time.strftime("%H:%M")},
        ),
        _input(
            SetupField.TZ_MODE,
            "Whose clock?",
            {
                "type": "radio_buttons",
                "options": tz_options,
                "initial_option": tz_options[0 if s.timezone_mode is TimezoneMode.MEMBER else 1],
            },
        ),
        _input(
            SetupField.TIMEZONE,
            "Pack timezone",
            {"type": "plain_text_input", "initial_value": s.timezone, "max_length": 64},
            hint="An IANA name such as Europe/Berlin. Used for the weekly summary, and for "
            "check-ins when the pack uses one clock.",
        ),
        _input(
            SetupField.REMINDER,
            "Reminder",
            {
                "type": "static_select",
                "options": reminder_options,
                "initial_option": reminder_options[REMINDER_CHOICES.index(reminder)],
            },
        ),
        _input(
            SetupField.SUMMARY_DAY,
            "Weekly summary day",
            {
                "type": "static_select",
                "options": day_options,
                "initial_option": day_options[s.summary_day],
            },
        ),
        _input(
            SetupField.SUMMARY_TIME,
            "Weekly summary time",
            {"type": "timepicker", "initial_time": s.summary_time.strftime("%H:%M")},
        ),
        _input(
            SetupField.HOLIDAY_COUNTRY,
            "Public holidays of",
            {"type": "plain_text_input", "max_length": 10}
            | ({"initial_value": s.holiday_country} if s.holiday_country else {}),
            optional=True,
            hint="A country code such as DE, US or GB-SCT: no prompts on its public holidays.",
        ),
        _input(
            SetupField.HOLIDAY_DATES,
            "Other days off",
            {"type": "plain_text_input", "multiline": True, "max_length": 2000}
            | (
                {"initial_value": "\n".join(sorted(d.isoformat() for d in s.holiday_dates))}
                if s.holiday_dates
                else {}
            ),
            optional=True,
            hint="One date per line, like 2026-12-24.",
        ),
        _input(
            SetupField.SPLIT,
            "Split alerts",
            {
                "type": "static_select",
                "options": split_options,
                "initial_option": next(
                    (o for o in split_options if float(o["value"]) == s.contested_divisiveness),
                    split_options[1],
                ),
            },
            hint="A statement counts as split once 3 members decided and the smaller side holds "
            "this share of them.",
        ),
        _input(
            SetupField.PRIVACY,
            "Privacy",
            {"type": "checkboxes", "options": privacy_options}
            | ({"initial_options": privacy_initial} if privacy_initial else {}),
            optional=True,
        ),
        {"type": "header", "text": plain("Questions")},
        text_question(SetupField.Q_PROGRESS, "progress", "Question 1"),
        text_question(SetupField.Q_FOCUS, "focus", "Question 2"),
        text_question(SetupField.Q_BLOCKERS, "blockers", "Blockers question (listed first)"),
        _input(
            SetupField.Q_EXTRA,
            "More questions",
            {"type": "plain_text_input", "multiline": True, "max_length": 800}
            | ({"initial_value": "\n".join(extras)} if extras else {}),
            optional=True,
            hint=f"One per line, up to {MAX_EXTRA_QUESTIONS}. Answers to these are optional.",
        ),
        _input(
            SetupField.Q_OPTIONS,
            "Also ask",
            {"type": "checkboxes", "options": toggle_options}
            | ({"initial_options": toggles_initial} if toggles_initial else {}),
            optional=True,
        ),
    ]
    meta = json.dumps({"c": form.channel.channel_id, "n": form.channel.name[:80]})
    return modal(
        "Pack setup",
        blocks,
        callback_id=View.SETUP,
        submit="Save",
        close="Cancel",
        private_metadata=meta,
        external_id=external_id,
    )


# --- reader ----------------------------------------------------------------------------------


def _value(values: dict[str, Any], field: SetupField) -> dict[str, Any]:
    block = values.get(field.value) or {}
    found = block.get(field.value) or {}
    return found if isinstance(found, dict) else {}


def _selected(values: dict[str, Any], field: SetupField) -> list[str]:
    options = _value(values, field).get("selected_options") or []
    return [str(o.get("value", "")) for o in options if isinstance(o, dict)]


def read_setup(view: dict[str, Any], user_id: str) -> PackDraft:
    """The draft the admin submitted, or FieldErrors keyed by block_id."""
    values: dict[str, Any] = view.get("state", {}).get("values", {})
    meta = json.loads(view.get("private_metadata") or "{}")
    errors: dict[str, str] = {}

    members = [str(u) for u in _value(values, SetupField.MEMBERS).get("selected_users") or []]
    admins = [str(u) for u in _value(values, SetupField.ADMINS).get("selected_users") or []]
    days: set[int] = set()
    for raw in _selected(values, SetupField.DAYS):
        if raw.isdigit() and 0 <= int(raw) <= 6:
            days.add(int(raw))

    def time_of(field: SetupField, fallback: dt.time) -> dt.time:
        raw = str(_value(values, field).get("selected_time") or "")
        parsed = parse_time(raw)
        if parsed is None:
            errors[field.value] = f"“{raw[:10]}” is not a time like 09:30."
            return fallback
        return parsed

    checkin_time = time_of(SetupField.TIME, dt.time(9, 30))
    summary_time = time_of(SetupField.SUMMARY_TIME, dt.time(16, 0))
    mode_raw = str((_value(values, SetupField.TZ_MODE).get("selected_option") or {}).get("value"))
    mode = TimezoneMode.PACK if mode_raw == TimezoneMode.PACK.value else TimezoneMode.MEMBER
    timezone = str(_value(values, SetupField.TIMEZONE).get("value") or "").strip()
    reminder_raw = str(
        (_value(values, SetupField.REMINDER).get("selected_option") or {}).get("value", "120")
    )
    summary_raw = str(
        (_value(values, SetupField.SUMMARY_DAY).get("selected_option") or {}).get("value", "4")
    )
    privacy = set(_selected(values, SetupField.PRIVACY))
    split_raw = (_value(values, SetupField.SPLIT).get("selected_option") or {}).get("value")
    try:
        divisiveness = float(split_raw) if split_raw is not None else 0.6
    except ValueError:
        divisiveness = -1.0

    questions: list[Question] = []
    for field, key in _FIXED_TEXT.items():
        label = str(_value(values, field).get("value") or "").strip()
        if label:
            base = _DEFAULTS[key]
            questions.append(Question(key, base.kind, label, base.required))
    extra_lines = [
        line.strip()
        for line in str(_value(values, SetupField.Q_EXTRA).get("value") or "").splitlines()
        if line.strip()
    ]
    if len(extra_lines) > MAX_EXTRA_QUESTIONS:
        errors[SetupField.Q_EXTRA.value] = f"At most {MAX_EXTRA_QUESTIONS} more questions."
    for i, line in enumerate(extra_lines[:MAX_EXTRA_QUESTIONS], start=1):
        if len(line) > QUESTION_MAX:
            errors[SetupField.Q_EXTRA.value] = (
                f"Keep each question under {QUESTION_MAX} characters."
            )
        questions.append(Question(f"extra_{i}", QuestionKind.TEXT, line, False))
    toggles = set(_selected(values, SetupField.Q_OPTIONS))
    for key in ("collaborators", "alignment", "priority"):
        if key in toggles:
            questions.append(_DEFAULTS[key])

    country = str(_value(values, SetupField.HOLIDAY_COUNTRY).get("value") or "").strip().upper()
    holiday_dates: set[dt.date] = set()
    for line in str(_value(values, SetupField.HOLIDAY_DATES).get("value") or "").split():
        try:
            holiday_dates.add(dt.date.fromisoformat(line.strip(",;")))
        except ValueError:
            errors[SetupField.HOLIDAY_DATES.value] = f"“{line[:20]}” is not a date like 2026-12-24."
    if len(holiday_dates) > 100:
        errors[SetupField.HOLIDAY_DATES.value] = "At most 100 extra days off."

    settings = PackSettings(
        checkin_days=frozenset(days),
        checkin_time=checkin_time,
        timezone_mode=mode,
        timezone=timezone,
        reminder_minutes=int(reminder_raw) if reminder_raw.isdigit() else -1,
        summary_day=int(summary_raw) if summary_raw.isdigit() else -1,
        summary_time=summary_time,
        anonymous="anonymous" in privacy,
        name_lone_wolves="name_lone_wolves" in privacy,
        questions=tuple(questions),
        holiday_country=country or None,
        holiday_dates=frozenset(holiday_dates),
        contested_divisiveness=divisiveness,
    )
    try:
        settings.validated()
    except FieldErrors as bad:
        for key, message in bad.errors.items():
            errors.setdefault(setup_block_for(key), message)
    if errors:
        raise FieldErrors(errors)
    return PackDraft(
        channel_id=str(meta.get("c", "")),
        name=str(meta.get("n", "")),
        settings=settings,
        member_ids=tuple(dict.fromkeys(members)),
        admin_ids=tuple(dict.fromkeys(admins)),
        created_by=user_id,
    )


def setup_block_for(key: str) -> str:
    """The block under which a validation message is shown: form errors already name their
    block; core errors name a setting."""
    if key in {f.value for f in SetupField}:
        return key
    direct = {
        "checkin_days": SetupField.DAYS,
        "timezone": SetupField.TIMEZONE,
        "reminder": SetupField.REMINDER,
        "summary_day": SetupField.SUMMARY_DAY,
        "members": SetupField.MEMBERS,
        "contested": SetupField.SPLIT,
        "admins": SetupField.ADMINS,
        "questions": SetupField.Q_PROGRESS,
        "question:progress": SetupField.Q_PROGRESS,
        "question:focus": SetupField.Q_FOCUS,
        "question:blockers": SetupField.Q_BLOCKERS,
    }
    return str(
        direct.get(key, SetupField.Q_EXTRA if key.startswith("question:") else SetupField.MEMBERS)
    )


# --- `/wolfpack members` and `/wolfpack settings` ------------------------------------------

MEMBERS_SHOWN = 80
QUESTIONS_SHOWN = 12


def _hours(minutes: int) -> str:
    if minutes % 60:
        return f"{minutes} minutes"
    hours = minutes // 60
    return f"{hours} hour{'s' if hours != 1 else ''}"


def _days(days: frozenset[int]) -> str:
    return ", ".join(WEEKDAY_NAMES[d][:3] for d in sorted(days))


def settings_lines(s: PackSettings) -> list[str]:
    clock = (
        "each member's own time"
        if s.timezone_mode is TimezoneMode.MEMBER
        else escape(clip(s.timezone, 64))
    )
    holidays = []
    if s.holiday_country:
        holidays.append(f"public holidays of {escape(s.holiday_country[:8])}")
    if s.holiday_dates:
        n = len(s.holiday_dates)
        holidays.append(f"{n} extra date{'s' if n != 1 else ''}")
    return [
        f"• *Check-ins:* {_days(s.checkin_days)} at {s.checkin_time:%H:%M}, {clock}",
        "• *Reminder:* "
        + (f"{_hours(s.reminder_minutes)} after the prompt" if s.reminder_minutes else "off"),
        f"• *Weekly summary:* {WEEKDAY_NAMES[s.summary_day]} {s.summary_time:%H:%M} "
        f"({escape(clip(s.timezone, 64))})",
        "• *Votes:* "
        + (
            "anonymous: the pack sees counts, never who voted how (none below 3 votes)"
            if s.anonymous
            else "open: names are shown with votes"
        ),
        "• *Working alone:* "
        + ("named in the summary" if s.name_lone_wolves else "counted in the summary, not named"),
        "• *Holidays:* " + (" and ".join(holidays) if holidays else "none"),
        f"• *Late prompts:* sent up to {_hours(s.late_limit_minutes)} late",
        f"• *Split:* {s.contested_min_decided}+ decided votes with the smaller side at least "
        f"{round(s.contested_divisiveness * 50)} %",
    ]


def settings_message(view: SettingsView) -> tuple[str, list[Block]]:
    pack, s = view.pack, view.pack.settings
    title = f"Settings of <#{pack.channel_id}>"
    questions = [
        f"{n}. {escape(clip(q.label, 150))}" + ("" if q.required else " _(optional)_")
        for n, q in enumerate(s.questions[:QUESTIONS_SHOWN], start=1)
    ]
    admins = ", ".join(f"<@{u}>" for u in pack.admin_ids[:20]) or "none"
    blocks: list[Block] = [
        section(f"*{title}*\n" + "\n".join(settings_lines(s))),
        section("*Check-in questions*\n" + "\n".join(questions)),
        context(
            f"Admins: {admins}. "
            + (
                "You're an admin: `/wolfpack setup` here edits these."
                if view.is_admin
                else "Ask an admin to change them."
            )
        ),
    ]
    return title, blocks


def members_message(pack: Pack, members: Sequence[Member]) -> tuple[str, list[Block]]:
    lines = []
    for m in members[:MEMBERS_SHOWN]:
        role = " · admin" if m.user_id in pack.admin_ids else ""
        away = f" · away {m.person.away.start}–{m.person.away.end}" if m.person.away else ""
        lines.append(f"• <@{m.user_id}> · {escape(m.person.tz)}{role}{away}")
    if len(members) > MEMBERS_SHOWN:
        lines.append(f"…and {len(members) - MEMBERS_SHOWN} more")
    settings = pack.settings
    head = (
        f"*{len(members)} members* · check-ins {_days(settings.checkin_days)} at "
        f"{settings.checkin_time:%H:%M} "
        + (
            "each member's own time"
            if settings.timezone_mode == "member"
            else escape(settings.timezone)
        )
    )
    return head, [section(head), section("\n".join(lines) or "No members yet.")]
