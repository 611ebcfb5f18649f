"""Reading a Web API call's parameters the way Slack does, and the error a method answers with."""

from __future__ import annotations

import base64
import binascii
import contextlib
import email.parser
import email.policy
import json
from typing import Any
from urllib.parse import parse_qsl

# Parameters that slack_sdk serialises to JSON strings in form bodies.
_STRUCTURED = frozenset({"blocks", "view", "attachments", "files", "metadata"})


class SlackError(Exception):
    """A method's `{"ok": false, "error": ...}` answer."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


def text_arg(args: dict[str, Any], key: str) -> str:
    value = args.get(key)
    return "" if value is None else str(value)


def parse_args(query: str, raw: bytes, content_type: str) -> dict[str, Any]:
    """Query string plus body (form, JSON or multipart), with JSON-string structured params
    decoded. Raises ValueError for a JSON body that does not parse."""
    args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    kind = content_type.split(";", 1)[0].strip().lower()
    if raw and kind == "application/json":
        body = json.loads(raw)
        if not isinstance(body, dict):
            raise ValueError("JSON body is not an object")
        args.update(body)
    elif raw and kind == "multipart/form-data":
        args.update(_parse_multipart(raw, content_type))
    elif raw:
        args.update(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    for key in _STRUCTURED & args.keys():
        value = args[key]
        if isinstance(value, str) and value.lstrip()[:1] in ("[", "{"):
            with contextlib.suppress(json.JSONDecodeError):
                args[key] = json.loads(value)
    return args


def _parse_multipart(raw: bytes, content_type: str) -> dict[str, Any]:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        fields[name] = data if part.get_filename() else data.decode("utf-8", "replace")
    return fields


def paginate(
    items: list[Any], args: dict[str, Any], *, default_limit: int
) -> tuple[list[Any], str]:
    """One page and the opaque cursor for the next ("" when done); limit 0 means all."""
    try:
        limit = int(args.get("limit") or default_limit)
    except (TypeError, ValueError):
        raise SlackError("invalid_limit") from None
    cursor = text_arg(args, "cursor")
    start = 0
    if cursor:
        try:
            decoded = base64.urlsafe_b64decode(cursor.encode()).decode()
            kind, _, offset = decoded.partition(":")
            start = int(offset)
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise SlackError("invalid_cursor") from None
        if kind != "next" or start < 0:
            raise SlackError("invalid_cursor")
    if limit <= 0:
        return items[start:], ""
    end = start + limit
    more = end < len(items)
    next_cursor = base64.urlsafe_b64encode(f"next:{end}".encode()).decode() if more else ""
    return items[start:end], next_cursor


def in_window(ts: str, args: dict[str, Any]) -> bool:
    """Whether a message's ts lies between the call's `oldest` and `latest` (see `inclusive`)."""
    inclusive = text_arg(args, "inclusive") in ("1", "true", "True")
    value = float(ts)
    for key, outside in (("oldest", -1), ("latest", 1)):
        bound = text_arg(args, key)
        if not bound:
            continue
        try:
            limit = float(bound)
        except ValueError:
            raise SlackError(f"invalid_ts_{key}") from None
        side = (value > limit) - (value < limit)
        if side == outside or (side == 0 and not inclusive):
            return False
    return True
