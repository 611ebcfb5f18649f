"""A Block Kit message as plain text for a terminal: what a reader of the message sees,
without Slack's markup (bold, italics, escapes, date and mention tokens)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

_DATE = re.compile(r"<!date\^[^|>]*\|([^>]*)>")
_USER = re.compile(r"<@([A-Z0-9]+)>")
_CHANNEL = re.compile(r"<#([A-Z0-9]+)(?:\|([^>]*))?>")
_LINK = re.compile(r"<([^|<>]+)\|([^<>]+)>")
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_([^_\n]+)_(?![\w_])")


def mrkdwn_text(text: str, names: Mapping[str, str] | None = None) -> str:
    """Slack mrkdwn as it reads: `*Passed*` → `Passed`, `&lt;` → `<`, a date token → its
    fallback, `<@U1>` → `@Name` (the user id when `names` does not know it)."""
    known = names or {}
    text = _DATE.sub(lambda m: m[1], text)
    text = _USER.sub(lambda m: "@" + known.get(m[1], m[1]), text)
    text = _CHANNEL.sub(lambda m: "#" + (m[2] or m[1]), text)
    text = _LINK.sub(lambda m: m[2], text)
    text = _BOLD.sub(lambda m: m[1], text)
    text = _ITALIC.sub(lambda m: m[1], text)
    text = text.replace("`", "")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _element(element: Mapping[str, Any], names: Mapping[str, str] | None) -> str:
    if element.get("type") == "mrkdwn":
        return mrkdwn_text(str(element.get("text", "")), names)
    if element.get("type") == "plain_text":
        return str(element.get("text", ""))
    if element.get("type") == "button":
        return f"[{element['text']['text']}]"
    return ""


def blocks_text(blocks: Sequence[Mapping[str, Any]], names: Mapping[str, str] | None = None) -> str:
    """The message's blocks as text, one paragraph per block: headers, sections (and their
    fields), context lines, and buttons as `[Label]`."""
    paragraphs = []
    for block in blocks:
        kind = block.get("type")
        if kind in ("header", "section"):
            said = [_element(block["text"], names)] if "text" in block else []
            said += [_element(f, names) for f in block.get("fields", [])]
            paragraphs.append("\n".join(said))
        elif kind == "context":
            paragraphs.append(" · ".join(_element(e, names) for e in block["elements"]))
        elif kind == "actions":
            paragraphs.append(" ".join(_element(e, names) for e in block["elements"]))
        elif kind == "divider":
            paragraphs.append("—" * 3)
    return "\n\n".join(p for p in paragraphs if p) + "\n"


def posted_message(args: Mapping[str, Any]) -> dict[str, Any]:
    """A chat.postMessage's message as Slack keeps it: its text and its blocks (sent as a JSON
    string or as a list)."""
    blocks = args.get("blocks") or []
    return {
        "text": args.get("text", ""),
        "blocks": json.loads(blocks) if isinstance(blocks, str) else blocks,
    }


def posted_text(message: Mapping[str, Any], names: Mapping[str, str] | None = None) -> str:
    """A posted message as a reader sees it: its blocks as plain text (its `text` when it has
    no blocks)."""
    if message.get("blocks"):
        return blocks_text(message["blocks"], names)
    return mrkdwn_text(str(message.get("text", "")), names) + "\n"
