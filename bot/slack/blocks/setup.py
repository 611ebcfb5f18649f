"""The `/wolfpack setup` modal (its reader is bot.slack.blocks.setup_reader).

The form opens short: the essentials only, and a **More settings** button that rebuilds the same
modal with every setting, carrying over what was typed. A short form's submission leaves what it
did not show as it is (`PackDraft.kept`). Timezones and holiday countries are picked from lists
Slack asks the bot for as the person types (external selects, served by
bot.slack.listeners.packs)."""

from __future__ import annotations

import json
from typing import Any

from bot.core.choices import Choice, country_choice, timezone_choice
from bot.core.packs import (
    MAX_EXTRA_QUESTIONS,
    QUESTION_MAX,
    WEEKDAY_NAMES,
    SetupForm,
    TimezoneMode,
    is_timezone,
)
from bot.slack.blocks.common import Block, button, context, header, modal, option, plain, section
from bot.slack.ids import Action, SetupField, View

REMINDER_CHOICES = (0, 60, 120, 180, 240)
LATE_LIMIT_CHOICES = (0, 60, 120, 180, 360, 720)
# What the short form shows: at most 8 inputs, enough to start a pack.
ESSENTIALS = (
    SetupField.MEMBERS,
    SetupField.DAYS,
    SetupField.TIME,
    SetupField.TZ_MODE,
    SetupField.TIMEZONE,
    SetupField.SUMMARY_DAY,
    SetupField.SUMMARY_TIME,
    SetupField.VOTES,
)
NAMED = "named"


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


def _choice_option(choice: Choice) -> dict[str, Any]:
    return option(choice.label, choice.value)


def _static_select(
    options: list[dict[str, Any]], current: str, fallback: int = 0
) -> dict[str, Any]:
    initial = next((o for o in options if o["value"] == current), options[fallback])
    return {"type": "static_select", "options": options, "initial_option": initial}


def _hours_label(minutes: int, after: str) -> str:
    hours = minutes // 60
    return f"{hours} hour{'s' if hours != 1 else ''} {after}"


def _essential_blocks(form: SetupForm) -> list[Block]:
    s = form.settings
    day_options = [option(name, str(i)) for i, name in enumerate(WEEKDAY_NAMES)]
    tz_options = [
        option("Each member's own timezone", TimezoneMode.MEMBER.value),
        option("One pack timezone (below)", TimezoneMode.PACK.value),
    ]
    vote_options = [
        option("Anonymous: the pack sees counts only", "anonymous"),
        option("Named: names are shown with votes", NAMED),
    ]
    days_element: dict[str, Any] = {"type": "checkboxes", "options": day_options}
    days_initial = [day_options[d] for d in sorted(s.checkin_days) if 0 <= d <= 6]
    if days_initial:
        days_element["initial_options"] = days_initial
    timezone: dict[str, Any] = {
        "type": "external_select",
        "min_query_length": 0,
        "placeholder": plain("Search: Berlin, New York, Lagos…"),
    }
    if is_timezone(s.timezone):
        timezone["initial_option"] = _choice_option(timezone_choice(s.timezone, form.now))
    return [
        _input(
            SetupField.MEMBERS,
            "Members",
            {"type": "multi_users_select", "initial_users": list(form.member_ids)[:100]},
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
            timezone,
            hint="Used for the weekly summary, and for check-ins when the pack uses one clock.",
        ),
        _input(
            SetupField.SUMMARY_DAY,
            "Weekly summary day",
            _static_select(day_options, str(s.summary_day), fallback=4),
        ),
        _input(
            SetupField.SUMMARY_TIME,
            "Weekly summary time",
            {"type": "timepicker", "initial_time": s.summary_time.strftime("%H:%M")},
        ),
        _input(
            SetupField.VOTES,
            "Votes",
            {
                "type": "radio_buttons",
                "options": vote_options,
                "initial_option": vote_options[0 if s.anonymous else 1],
            },
        ),
    ]


def _more_blocks(form: SetupForm) -> list[Block]:
    s = form.settings
    reminder_options = [
        option("No reminder", "0"),
        *(option(_hours_label(m, "after the prompt"), str(m)) for m in REMINDER_CHOICES[1:]),
    ]
    late_options = [
        option("Never: a missed time is missed", "0"),
        *(option(_hours_label(m, "late at most"), str(m)) for m in LATE_LIMIT_CHOICES[1:]),
    ]
    if s.late_limit_minutes not in LATE_LIMIT_CHOICES and 0 <= s.late_limit_minutes <= 24 * 60:
        minutes = s.late_limit_minutes
        late_options.append(option(f"{minutes} minutes late at most", str(minutes)))
    split_options = [
        option(f"Smaller side at least {share} %", str(share / 50)) for share in (25, 30, 40)
    ]
    lone_options = [option("Name people working alone in the summary", "name")]
    country: dict[str, Any] = {
        "type": "external_select",
        "min_query_length": 0,
        "placeholder": plain("Search: Germany, US, Nigeria…"),
    }
    current_country = country_choice(s.holiday_country) if s.holiday_country else None
    if current_country is not None:
        country["initial_option"] = _choice_option(current_country)
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

    return [
        header("More settings"),
        _input(
            SetupField.ADMINS,
            "Pack admins",
            {"type": "multi_users_select", "initial_users": list(form.admin_ids)[:100]},
        ),
        _input(
            SetupField.REMINDER,
            "Reminder",
            _static_select(reminder_options, str(s.reminder_minutes), fallback=2),
        ),
        _input(
            SetupField.LATE_LIMIT,
            "Late prompts",
            _static_select(late_options, str(s.late_limit_minutes), fallback=3),
            hint="When the bot was down at a check-in time, the prompt still goes out this late.",
        ),
        _input(
            SetupField.HOLIDAY_COUNTRY,
            "Public holidays of",
            country,
            optional=True,
            hint="No prompts on that country's public holidays.",
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
            SetupField.LONE_WOLVES,
            "Working alone",
            {"type": "checkboxes", "options": lone_options}
            | ({"initial_options": lone_options} if s.name_lone_wolves else {}),
            optional=True,
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
        header("Questions"),
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


def setup_modal(
    form: SetupForm, *, more: bool = False, external_id: str | None = None
) -> dict[str, Any]:
    """The short form, or with `more` every setting."""
    blocks: list[Block] = [
        section(
            f"Setting up the pack of <#{form.channel.channel_id}>. Members get a DM at their "
            "check-in time; answers go to a thread in the channel."
        ),
        *_essential_blocks(form),
    ]
    if more:
        blocks += _more_blocks(form)
    else:
        kept = "keep their current values" if form.pack is not None else "start as the defaults"
        blocks += [
            {
                "type": "actions",
                "block_id": "setup_more",
                "elements": [button("More settings", Action.SETUP_MORE, "more")],
            },
            context(
                f"Admins, the reminder, holidays, split alerts and the questions {kept} "
                "unless you open *More settings*."
            ),
        ]
    meta: dict[str, Any] = {"c": form.channel.channel_id, "n": form.channel.name[:80]}
    if more:
        meta["m"] = 1
    return modal(
        "Pack setup",
        blocks,
        callback_id=View.SETUP,
        submit="Save",
        close="Cancel",
        private_metadata=json.dumps(meta),
        external_id=external_id,
    )
