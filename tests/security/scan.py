"""Reads everything the bot sent to Slack the way Slack renders it, and reports every place where
text someone typed could act as markup: a mention, a broadcast, a channel link or a link, text
escaped twice, escape entities shown literally in plain text, or an escape cut in half.

Slack parses `<…>` in mrkdwn as control sequences (mentions, broadcasts, links, dates) and
decodes `&lt;`, `&gt;` and `&amp;` after that; plain_text is shown exactly as given. So, in
mrkdwn, every `<…>` must be one the bot made itself (a mention of a known member, a link to a
known channel, a date, a permalink on Slack's own host), every `&` must start one of the three
entities and every `>` must close such a token or open a quote at the start of a line; and, in
what people finally see, an entity may appear only where someone typed it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.slack.mrkdwn import escape

# Web API methods whose top-level `text` Slack renders as mrkdwn.
MESSAGE_METHODS = frozenset(
    {"chat.postMessage", "chat.update", "chat.postEphemeral", "chat.scheduleMessage"}
)
# Arguments slack_sdk sends as JSON strings in form bodies.
STRUCTURED = ("blocks", "attachments", "view", "files")
# Keys whose strings are never shown to anyone.
HIDDEN = frozenset(
    {
        "action_id",
        "block_id",
        "callback_id",
        "external_id",
        "private_metadata",
        "value",
        "metadata",
        "hash",
        "trigger_id",
        "channel",
        "user",
        "users",
        "user_id",
        "ts",
        "thread_ts",
        "initial_user",
        "initial_users",
        "initial_date",
        "initial_time",
        "image_url",
        "url",
    }
)
ENTITY = re.compile(r"&(?:lt|gt|amp);")
_DECODE = {"&lt;": "<", "&gt;": ">", "&amp;": "&"}
_TOKEN = re.compile(r"<([^<>]*)>")
_DATE = re.compile(r"!date\^\d+\^[^|<>]*(?:\^[^|<>]*)?\|[^<>|]*")
_MENTION = re.compile(r"@([UW][A-Z0-9]+)")
_CHANNEL = re.compile(r"#(C[A-Z0-9]+)")
_LINK = re.compile(r"https://([a-z0-9.-]+)/[^\s|<>]*(?:\|[^<>|]*)?")
# How much of a typed text, either side of a `<`, `>` or `&`, identifies it in the output.
FRAGMENT_REACH = 10
FRAGMENTS_PER_INPUT = 30


@dataclass(frozen=True)
class Rendered:
    """One string as Slack renders it: `mrkdwn` or `plain`, and where it was found."""

    kind: str
    text: str
    where: str


def decode(text: str) -> str:
    """What Slack shows for escaped mrkdwn text: the three entities decoded, in one pass."""
    return ENTITY.sub(lambda m: _DECODE[m.group(0)], text)


def flat(text: str) -> str:
    return " ".join(text.split())


def _structured(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def rendered(value: Any, where: str) -> Iterator[Rendered]:
    """Every string inside Block Kit, a view or attachments, with how Slack renders it."""
    value = _structured(value)
    if isinstance(value, list):
        for n, item in enumerate(value):
            yield from rendered(item, f"{where}[{n}]")
        return
    if not isinstance(value, dict):
        return
    kind = value.get("type")
    if kind in ("mrkdwn", "plain_text") and isinstance(value.get("text"), str):
        yield Rendered("mrkdwn" if kind == "mrkdwn" else "plain", value["text"], where)
        return
    if kind == "text" and isinstance(value.get("text"), str):
        # A piece of rich text (a rich_text_input's initial_value): shown exactly as it is.
        yield Rendered("plain", value["text"], where)
        return
    for key, item in value.items():
        here = f"{where}.{key}"
        if key in HIDDEN:
            continue
        if key == "initial_value" and isinstance(item, str):
            # What an input shows before the person edits it: exactly this text.
            yield Rendered("plain", item, here)
        elif key in ("text", "pretext") and isinstance(item, str):
            yield Rendered("mrkdwn", item, here)  # attachments render these as mrkdwn
        elif key in ("fallback", "title", "alt_text", "alt_txt") and isinstance(item, str):
            yield Rendered("plain", item, here)
        else:
            yield from rendered(item, here)


def call_texts(method: str, args: Mapping[str, Any]) -> Iterator[Rendered]:
    """The strings of one recorded Web API call that people see."""
    if method in MESSAGE_METHODS and isinstance(args.get("text"), str):
        yield Rendered("mrkdwn", args["text"], f"{method}.text")
    if isinstance(args.get("initial_comment"), str):
        yield Rendered("mrkdwn", args["initial_comment"], f"{method}.initial_comment")
    for key in ("title", "alt_txt", "alt_text"):
        if isinstance(args.get(key), str):
            yield Rendered("plain", args[key], f"{method}.{key}")
    for key in STRUCTURED:
        if key in args:
            yield from rendered(args[key], f"{method}.{key}")


def reply_texts(body: Any, where: str) -> Iterator[Rendered]:
    """The strings of an answer the bot gave Slack directly: a slash command's ephemeral
    message (JSON, or plain text which Slack renders as mrkdwn) or a modal submission's
    `response_action` (a new view, or field errors, which Slack shows as plain text)."""
    if isinstance(body, str):
        if not body:
            return
        if body.startswith("{"):
            body = json.loads(body)
        else:
            yield Rendered("mrkdwn", body, f"{where}.text")
            return
    if not isinstance(body, dict):
        return
    if isinstance(body.get("text"), str):
        yield Rendered("mrkdwn", body["text"], f"{where}.text")
    for key in ("blocks", "attachments", "view"):
        if key in body:
            yield from rendered(body[key], f"{where}.{key}")
    errors = body.get("errors")
    if isinstance(errors, dict):
        for key, message in errors.items():
            if isinstance(message, str):
                yield Rendered("plain", message, f"{where}.errors.{key}")


@dataclass
class Scanner:
    """Checks rendered strings against the texts typed into the bot (`inputs`, every one the
    test sent so far) and the ids the bot may mention (its own members and channels)."""

    member_ids: set[str]
    channel_ids: set[str]
    link_hosts: frozenset[str] = frozenset({"acme.slack.com"})
    inputs: list[str] = field(default_factory=list, init=False)
    _fragments: list[str] = field(default_factory=list, init=False)
    _flat_inputs: set[str] = field(default_factory=set, init=False)
    _joined: str = field(default="", init=False)

    def begin(self) -> None:
        """Starts a new round of typing: the texts checked for double escaping are those typed
        since, while every text typed so far still counts as typed (an old statement may be
        listed again, and its literal entities are no proof of anything)."""
        self._fragments = []

    def typed(self, *texts: str) -> None:
        """Remembers texts someone typed (or Slack reported, like a display name)."""
        for text in texts:
            if not text:
                continue
            flattened = flat(text)
            if flattened not in self._flat_inputs:
                self.inputs.append(text)
                self._flat_inputs.add(flattened)
                self._joined += flattened + "\x00"
                # A text may be the escaped form of one typed before it: that one's pieces
                # prove nothing any more.
                self._fragments = [f for f in self._fragments if f not in flattened]
            found = []
            for match in re.finditer(r"[<>&]", flattened):
                start = max(0, match.start() - FRAGMENT_REACH)
                found.append(flattened[start : match.end() + FRAGMENT_REACH])
            step = max(1, len(found) // FRAGMENTS_PER_INPUT)
            for piece in dict.fromkeys(found[::step]):
                escaped = escape(piece)
                # Someone typed the escaped form itself: seeing it proves nothing.
                if escaped not in self._fragments and escaped not in self._joined:
                    self._fragments.append(escaped)

    # --- the checks ---------------------------------------------------------------------

    def problems(self, texts: Iterable[Rendered]) -> list[str]:
        found: list[str] = []
        for item in texts:
            if item.kind == "mrkdwn":
                found += self._mrkdwn(item)
                shown = decode(item.text)
            else:
                shown = item.text
            found += self._escaped_for_show(item, shown)
        return found

    def calls(self, calls: Iterable[Any]) -> list[str]:
        """Problems in recorded fake Slack calls (objects with `.method` and `.args`)."""
        found: list[str] = []
        for call in calls:
            found += self.problems(call_texts(call.method, call.args))
        return found

    def reply(self, body: Any, where: str) -> list[str]:
        return self.problems(reply_texts(body, where))

    def _mrkdwn(self, item: Rendered) -> list[str]:
        found: list[str] = []
        text = item.text
        rest = []
        last = 0
        for match in _TOKEN.finditer(text):
            inner = match.group(1)
            if not self._made_by_bot(inner):
                found.append(f"{item.where}: control sequence from input <{inner[:80]}>")
            rest.append(text[last : match.start()])
            rest.append("\x00")
            last = match.end()
        rest.append(text[last:])
        outside = "".join(rest)
        if "<" in outside:
            at = outside.index("<")
            found.append(f"{item.where}: raw '<' in mrkdwn: {outside[max(0, at - 20) : at + 40]!r}")
        for line in outside.split("\n"):
            if ">" in line.lstrip(">"):
                at = line.index(">", len(line) - len(line.lstrip(">")))
                found.append(
                    f"{item.where}: raw '>' in mrkdwn: {line[max(0, at - 20) : at + 40]!r}"
                )
                break
        for match in re.finditer("&", outside):
            if not ENTITY.match(outside, match.start()):
                tail = outside[match.start() : match.start() + 8]
                found.append(f"{item.where}: '&' that starts no entity (broken or raw): {tail!r}")
                break
        return found

    def _made_by_bot(self, inner: str) -> bool:
        if _DATE.fullmatch(inner):
            return True
        mention = _MENTION.fullmatch(inner)
        if mention:
            return mention.group(1) in self.member_ids
        channel = _CHANNEL.fullmatch(inner)
        if channel:
            return channel.group(1) in self.channel_ids
        link = _LINK.fullmatch(inner)
        return bool(link and link.group(1) in self.link_hosts)

    def _escaped_for_show(self, item: Rendered, shown: str) -> list[str]:
        """Entities left in what people see, where the typed text had `<`, `>` or `&`: text
        escaped twice (mrkdwn) or escaped at all (plain_text)."""
        if not ENTITY.search(shown):
            return []
        visible = flat(shown)
        for fragment in self._fragments:
            if fragment in visible:
                how = "escaped twice" if item.kind == "mrkdwn" else "escaped in plain_text"
                return [f"{item.where}: typed text shown {how}: {fragment!r}"]
        return []
