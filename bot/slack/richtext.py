"""Answers written in a `rich_text_input`, where an @mention names someone the member worked
with: read from Slack's rich text into the stored form (`bot.core.mentions`), and back into
rich text and mrkdwn."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.core.mentions import MENTION, UNKNOWN_NAME, mentions, parts, to_plain, unescape
from bot.slack.mrkdwn import escape

__all__ = ["mentions", "read", "to_mrkdwn", "to_plain", "to_rich_text"]


def read(rich_text: Mapping[str, Any] | None) -> tuple[str, tuple[str, ...]]:
    """(the stored text, the user ids it mentions, each once, in order) of a
    `rich_text_input`'s `rich_text_value`."""
    if not rich_text:
        return "", ()
    lines = [_line(block) for block in _blocks(rich_text)]
    text = "\n".join(line for line in lines if line is not None)
    return text, mentions(text)


def to_mrkdwn(stored: str, names: Mapping[str, str]) -> str:
    """The stored answer for mrkdwn: each mention as "@Name" and everything else escaped, so
    nothing in it pings, links or formats."""
    return "".join(
        escape(unescape(part)) if kind == "text" else "@" + escape(names.get(part, UNKNOWN_NAME))
        for kind, part in parts(stored)
    )


def to_rich_text(stored: str) -> dict[str, Any] | None:
    """The stored answer as a `rich_text_input`'s `initial_value`, its mentions restored;
    None for an empty answer."""
    elements: list[dict[str, Any]] = []
    for kind, part in parts(stored):
        if kind == "user":
            elements.append({"type": "user", "user_id": part})
        elif part:
            elements.append({"type": "text", "text": unescape(part)})
    if not elements:
        return None
    return {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": elements}]}


def _blocks(rich_text: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    elements = rich_text.get("elements")
    return [e for e in elements if isinstance(e, Mapping)] if isinstance(elements, list) else []


def _line(block: Mapping[str, Any]) -> str | None:
    """One top-level piece of rich text (a paragraph, list, quote or code block) as stored
    text."""
    kind = block.get("type")
    if kind == "rich_text_list":
        items = [_inline(item) for item in _blocks(block)]
        return "\n".join(f"• {item}" for item in items)
    if kind == "rich_text_quote":
        return "\n".join(f"&gt; {line}" for line in _inline(block).split("\n"))
    if kind in ("rich_text_section", "rich_text_preformatted"):
        return _inline(block)
    return None


def _inline(block: Mapping[str, Any]) -> str:
    out: list[str] = []
    for element in _blocks(block):
        kind = element.get("type")
        if kind == "text":
            out.append(escape(str(element.get("text") or "")))
        elif kind == "user" and MENTION.fullmatch(f"<@{element.get('user_id')}>"):
            out.append(f"<@{element['user_id']}>")
        elif kind == "link":
            out.append(escape(str(element.get("text") or element.get("url") or "")))
        elif kind == "emoji":
            out.append(f":{escape(str(element.get('name') or ''))}:")
        elif kind == "broadcast":
            # @here / @channel typed in the answer: kept as words, never as a ping.
            out.append("@" + escape(str(element.get("range") or "")))
        elif kind == "rich_text_section":
            out.append(_inline(element))
    return "".join(out)
