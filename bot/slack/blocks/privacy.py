"""`/wolfpack settings`, and `/wolfpack forget-me`'s confirmation and its answer."""

from __future__ import annotations

from bot.core.packs import WEEKDAY_NAMES, PackSettings, TimezoneMode
from bot.core.privacy import Footprint, SettingsView
from bot.slack.blocks.common import Block, button, context, plain, section
from bot.slack.ids import Action
from bot.slack.mrkdwn import clip, escape

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


def _counted(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def deleted_lines(fp: Footprint) -> list[str]:
    lines = []
    if fp.answers:
        posts = f" (and {_counted(len(fp.posts), 'post')} in round threads)" if fp.posts else ""
        lines.append(_counted(fp.answers, "check-in answer") + posts)
    if fp.votes:
        lines.append(_counted(fp.votes, "vote") + " on statements")
    if fp.positions:
        lines.append(_counted(fp.positions, "position") + " on proposals")
    if fp.memberships:
        lines.append(_counted(fp.memberships, "pack membership"))
    if fp.profile:
        lines.append("your profile (name, timezone" + (", away dates)" if fp.away else ")"))
    if fp.deliveries:
        lines.append(_counted(fp.deliveries, "record") + " of messages sent to you")
    return lines


def kept_lines(fp: Footprint) -> list[str]:
    lines = []
    if fp.statements:
        lines.append(_counted(fp.statements, "statement") + " you wrote")
    if fp.proposals:
        lines.append(_counted(fp.proposals, "proposal") + " you made")
    if fp.admin_of:
        lines.append(_counted(fp.admin_of, "pack") + " you set up or administer")
    if fp.mentions:
        lines.append(_counted(fp.mentions, "entry", "entries") + " by others that name you")
    return lines


def _summary(fp: Footprint, deleted: str, kept: str) -> str:
    parts = []
    gone = deleted_lines(fp)
    if gone:
        parts.append(f"*{deleted}:*\n" + "\n".join(f"• {line}" for line in gone))
    stays = kept_lines(fp)
    if stays:
        parts.append(f"*{kept}:*\n" + "\n".join(f"• {line}" for line in stays))
    return "\n".join(parts)


def forget_confirmation(fp: Footprint) -> tuple[str, list[Block]]:
    if fp.empty:
        text = "I hold no data about you in this workspace: there is nothing to delete."
        return text, [section(text)]
    text = "Delete your Wolfpack data in this workspace?"
    danger = button("Delete my data", Action.FORGET_CONFIRM, "confirm", style="danger")
    danger["confirm"] = {
        "title": plain("Delete your data?", 100),
        "text": plain("This can't be undone.", 300),
        "confirm": plain("Delete", 30),
        "deny": plain("Keep it", 30),
        "style": "danger",
    }
    blocks: list[Block] = [
        section(
            f"*{text}*\n"
            + _summary(fp, "Deleted", "Kept, without your name")
            + "\nOther workspaces keep their own data. This can't be undone."
        ),
        {
            "type": "actions",
            "elements": [danger, button("Cancel", Action.FORGET_CANCEL, "cancel")],
        },
    ]
    return text, blocks


def forgotten_message(fp: Footprint) -> tuple[str, list[Block]]:
    if fp.empty:
        text = "There was nothing about you to delete in this workspace."
        return text, [section(text)]
    text = "Your Wolfpack data in this workspace is deleted."
    body = _summary(fp, "Deleted", "Kept, without your name")
    return text, [section(f"*{text}*\n{body}")]


CANCELLED = "Nothing was deleted. `/wolfpack forget-me` asks again whenever you like."
EXPORT_STARTED = (
    "Your export is on its way to your DMs: one JSON file with everything, and a CSV file "
    "per table."
)
