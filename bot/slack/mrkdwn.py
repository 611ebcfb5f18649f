"""The one way user text reaches Slack's mrkdwn."""

from __future__ import annotations

from typing import Final

_ESCAPES: Final = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def escape(text: str) -> str:
    """Escapes the three characters Slack's mrkdwn parses as control sequences, so user text can
    never become a mention (`<@U1>`, `<!channel>`), a channel link or a disguised URL. Slack shows
    the escaped text to people exactly as it was typed."""
    return text.translate(_ESCAPES)


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, with an ellipsis when cut, never splitting an entity that
    `escape` produced."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def chunks(text: str, limit: int) -> list[str]:
    """Splits already-escaped text into pieces of at most `limit` characters, preferring line
    breaks and never splitting an escape entity."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        if cut <= 0:
            cut = limit
            amp = rest.rfind("&", 0, cut)
            if amp > 0 and ";" not in rest[amp:cut]:
                cut = amp
        pieces.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    if rest:
        pieces.append(rest)
    return pieces
