"""What every listener shares: whose workspace a request belongs to, and the one way an
unexpected failure reaches a person (a short message with a reference; details in the log)."""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.core.errors import UserError
from bot.slack.blocks.common import notice_modal
from bot.slack.dedupe import LISTENER_ERROR

log = logging.getLogger("bot.slack")

SORRY = (
    "Something went wrong on my side (ref {ref}). Nothing was lost; please try again in a minute."
)


def team_of(context: BoltContext) -> str:
    team = context.team_id or context.enterprise_id
    if not team:
        raise ValueError("request without a workspace")
    return team


def open_modal(
    client: WebClient, body: dict[str, Any], title: str, build: Callable[[], dict[str, Any]]
) -> None:
    """Opens the modal `build` makes for a click, or a notice saying why not (its UserError),
    right away: the click's trigger id dies after 3 seconds."""
    try:
        view = build()
    except UserError as error:
        view = notice_modal(title, error.message)
    client.views_open(trigger_id=body["trigger_id"], view=view)


def split_command(text: str | None) -> tuple[str, list[str]]:
    words = (text or "").split()
    if not words:
        return "", []
    return words[0].lower(), words[1:]


def external_id_for(trigger_id: str) -> str:
    """A views.update handle for a modal opened with this trigger, derivable again later."""
    return "wp-" + hashlib.sha256(trigger_id.encode()).hexdigest()[:32]


def guarded(function: Callable[..., None]) -> Callable[..., None]:
    """Logs any exception with a reference and, if Slack is still waiting for the ack, answers
    with a friendly message carrying the same reference."""

    @functools.wraps(function)
    def wrapper(**kwargs: Any) -> None:
        try:
            function(**kwargs)
        except Exception as error:
            ref = secrets.token_hex(4)
            log.exception("listener %s failed (ref %s)", function.__name__, ref)
            ack: Ack | None = kwargs.get("ack")
            context = kwargs.get("context")
            if ack is None and isinstance(context, BoltContext):
                # An event: whether Slack should deliver it again is for bot.slack.dedupe.
                context[LISTENER_ERROR] = error
            if ack is None or ack.response is not None:
                return
            body = kwargs.get("body") or {}
            if body.get("type") == "view_submission":
                ack(response_action="update", view=notice_modal("Sorry", SORRY.format(ref=ref)))
            else:
                ack(text=SORRY.format(ref=ref))

    # Bolt reads the wrapped function's parameter names (inspect.unwrap) and passes those by
    # name, so a guarded listener must declare `ack` and `body` for the fallback to answer.
    return wrapper
