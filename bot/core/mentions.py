"""Written answers stored as Slack writes message text: what was typed, with `&`, `<` and `>`
escaped, and each @mention as a `<@U…>` token. Typed text can never make a token (`<@U1>`
typed by hand is stored as `&lt;@U1&gt;`), so only real mentions read back as mentions. Shown
to people, a mention is the person's name, never a ping."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

MENTION = re.compile(r"<@([A-Z0-9]{2,32})>")
_ENTITY = re.compile(r"&(lt|gt|amp);")
_UNESCAPES = {"lt": "<", "gt": ">", "amp": "&"}
UNKNOWN_NAME = "someone"


def mentions(stored: str) -> tuple[str, ...]:
    """The user ids a stored answer mentions, each once, in order."""
    return tuple(dict.fromkeys(MENTION.findall(stored)))


def to_plain(stored: str, names: Mapping[str, str]) -> str:
    """The stored answer as plain text, each mention as "@Name" (for a label, a plain_text
    field or an export)."""
    return "".join(
        unescape(part) if kind == "text" else "@" + names.get(part, UNKNOWN_NAME)
        for kind, part in parts(stored)
    )


def parts(stored: str) -> Iterator[tuple[str, str]]:
    """("text", escaped text) and ("user", user id) pieces of a stored answer, in order."""
    at = 0
    for match in MENTION.finditer(stored):
        yield "text", stored[at : match.start()]
        yield "user", match.group(1)
        at = match.end()
    yield "text", stored[at:]


def unescape(text: str) -> str:
    """Stored text as typed: `&lt;`, `&gt;` and `&amp;` back to `<`, `>` and `&`."""
    return _ENTITY.sub(lambda m: _UNESCAPES[m.group(1)], text)
