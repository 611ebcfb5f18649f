"""Logging helpers: the id of the request being served, the JSON line format, and the filter
that keeps Slack tokens and our own secrets out of every log line."""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import os
import re
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

REDACTED = "[redacted]"

# The id of the HTTP request this code runs for; None outside a request.
request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "wolfpack_request_id", default=None
)

# Bot, user, app-config, refresh and rotating tokens (xoxe.xoxb-…), and app-level tokens.
SLACK_TOKEN = re.compile(r"xox(?:e\.xox)?[abposre]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+")

_P = ParamSpec("_P")
_T = TypeVar("_T")


def new_request_id() -> str:
    """32 random hex digits (a UUID's worth, without building one)."""
    return os.urandom(16).hex()


class ContextThreadPoolExecutor(ThreadPoolExecutor):
    """A thread pool whose tasks run in a copy of the submitter's context, so a listener Bolt
    runs on the pool logs the id of the request that started it."""

    def submit(self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> Future[_T]:
        context = contextvars.copy_context()

        def run() -> _T:
            return context.run(fn, *args, **kwargs)

        return super().submit(run)


MIN_SECRET = 6


class RedactingFilter(logging.Filter):
    """Replaces Slack tokens and the exact values of `secrets` with [redacted], in the message,
    its exception text and its stack; also stamps the request id on the record. Installed on
    the root handler, so it covers Bolt's and slack_sdk's loggers too."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        # Longest first, so a secret that contains another is replaced whole. A value shorter
        # than MIN_SECRET (a short database password, say) is left alone: replacing it would
        # shred ordinary words in every line.
        self.secrets = sorted({s for s in secrets if len(s) >= MIN_SECRET}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return SLACK_TOKEN.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what there is, still redacted
            message = f"{record.msg!s} {record.args!r}"
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        current = request_id.get()
        record.request_id = current
        record.request_tag = f" [{current}]" if current else ""
        return True


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(request_tag)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (ISO 8601, UTC), level, logger, message, request_id when
    the line is logged inside a request, exc_info and stack_info when present."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        current = getattr(record, "request_id", None) or request_id.get()
        if current:
            entry["request_id"] = current
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc_info"] = record.exc_text
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
