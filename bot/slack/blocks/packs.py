"""Packs: the `/wolfpack members` and `/wolfpack settings` replies (the setup modal is in
bot.slack.blocks.setup)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.choices import country_choice
from bot.core.packs import (
    WEEKDAY_NAMES,
    Member,
    Pack,
    PackSettings,
    SettingsView,
    TimezoneMode,
)
from bot.slack.blocks.common import Block, context, section
from bot.slack.mrkdwn import clip, escape

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
        country = country_choice(s.holiday_country)
        label = country.label if country is not None else s.holiday_country[:8]
        holidays.append(f"public holidays of {escape(label)}")
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
