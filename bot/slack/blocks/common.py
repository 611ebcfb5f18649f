"""Small Block Kit pieces shared by every builder."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from bot.core.hours import Hours, day_spans
from bot.slack.mrkdwn import chunks, clip, escape

Block = dict[str, Any]
SECTION_MAX = 3000
BUTTON_MAX = 75
OPTION_MAX = 75
TITLE_MAX = 24


def plain(text: str, limit: int = 2000) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": clip(text, SECTION_MAX)}


def section(text: str) -> Block:
    return {"type": "section", "text": mrkdwn(text)}


def sections(text: str) -> list[Block]:
    """Long (already escaped) text as as many sections as it needs."""
    return [section(piece) for piece in chunks(text, SECTION_MAX)]


def context(*texts: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(t) for t in texts[:10]]}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, 150)}


def button(text: str, action_id: str, value: str = "", style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": plain(text, BUTTON_MAX),
        "action_id": action_id,
    }
    if value:
        element["value"] = value
    if style:
        element["style"] = style
    return element


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text, OPTION_MAX), "value": value}


def modal(
    title: str,
    blocks: list[Block],
    *,
    callback_id: str | None = None,
    submit: str | None = None,
    close: str = "Close",
    private_metadata: str = "",
    external_id: str | None = None,
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "title": plain(title, TITLE_MAX),
        "close": plain(close, TITLE_MAX),
        "blocks": blocks[:100],
    }
    if callback_id:
        view["callback_id"] = callback_id
    if submit:
        view["submit"] = plain(submit, TITLE_MAX)
    if private_metadata:
        view["private_metadata"] = private_metadata
    if external_id:
        view["external_id"] = external_id
    return view


def notice_modal(title: str, text: str, *, external_id: str | None = None) -> dict[str, Any]:
    """A modal that only says something (a loading state, or a problem and what to do)."""
    return modal(title, [section(text)], external_id=external_id)


def field_errors_text(errors: Mapping[str, str]) -> str:
    """Form errors as a slash command's ephemeral reply, which Slack renders as mrkdwn. The
    messages quote what was typed (“<!here>” is not a date…), so they are escaped like any
    user text."""
    return escape(" ".join(errors.values()))


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def hours_label(hours: Hours) -> str:
    """`08:00–16:00 on Mon–Thu`, or `on Mon, Wed, Fri`; days left to the pack say so."""
    start, end = hours.times
    if hours.days is None:
        return f"{start}–{end} on your pack's check-in days"
    days = ", ".join(
        _WEEKDAYS[a] if a == b else f"{_WEEKDAYS[a]}–{_WEEKDAYS[b]}"
        for a, b in day_spans(hours.days)
    )
    return f"{start}–{end} on {days}"


def day_label(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b}"
