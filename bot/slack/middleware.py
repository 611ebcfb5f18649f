"""What every request goes through: the workspace it belongs to is resolved once, and the one
way an error reaches a person (a domain error as their ephemeral reply; anything unexpected as
a short message with a reference, details in the log)."""

from __future__ import annotations

import inspect
import logging
import secrets
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from bot.core.errors import FieldErrors, UserError
from bot.core.usecases.workspace import Workspace
from bot.slack.blocks.common import field_errors_text, notice_modal
from bot.slack.dedupe import LISTENER_ERROR
from bot.slack.later import Later
from bot.slack.mrkdwn import escape

log = logging.getLogger("bot.slack")

# The name a listener declares to be given its request's Workspace (Bolt passes context
# entries by name).
WORKSPACE = "workspace"
# ...and the pool that runs work after the answer (`Later`).
LATER = "later"
SORRY = (
    "Something went wrong on my side (ref {ref}). Nothing was lost; please try again in a minute."
)


class WorkspaceMiddleware(Middleware):
    """Puts the request's Workspace in its context, and the pool for work after the answer.
    A class, not a function middleware: Bolt builds no keyword arguments for it, which a
    function middleware costs on every request."""

    def __init__(self, workspace_for: Callable[[str], Workspace], later: Later) -> None:
        self.workspace_for = workspace_for
        self.later = later

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        context = req.context
        context[LATER] = self.later
        team = context.team_id or context.enterprise_id
        if team:
            context[WORKSPACE] = self.workspace_for(team)
        return next()


# A listener as the router calls it.
Listener = Callable[[BoltRequest], None]


def handled(function: Callable[..., None], *, title: str | None = None) -> Listener:
    """The wrapper every listener is registered with. The listener names what it needs
    (`ack`, `body`, `client`, `event`, `workspace`, `later`…) and gets those.

    A UserError not yet answered becomes the person's reply: a slash command's ephemeral text,
    or the submitted modal showing it (under `title`, or else the modal's own). Any other
    exception is logged with a reference and, while Slack still waits for the ack, answered
    with a friendly message carrying the same reference; an event's failure is left for
    bot.slack.dedupe to judge whether Slack should deliver it again."""
    # What the listener names and is not given already (a partial's bound arguments).
    wanted = [
        name
        for name, parameter in inspect.signature(function).parameters.items()
        if parameter.default is parameter.empty
    ]
    unknown = [name for name in wanted if name not in _ARGS]
    if unknown:
        raise TypeError(f"a listener cannot be given {', '.join(unknown)}")
    name = str(
        getattr(function, "__name__", None)
        or getattr(function, "name", None)  # a SubCommands table: its slash command
        or getattr(function, "func", function).__name__  # a partial
    )

    def listener(req: BoltRequest) -> None:
        body, context = req.body, req.context
        # An event's ack is the router's (it answers Slack once the listener returns).
        ack = None if body.get("type") == "event_callback" else context.ack
        try:
            function(**{name: _ARGS[name](req) for name in wanted})
        except UserError as error:
            if ack is None or ack.response is not None:
                log.info("not shown to the user (already answered): %s", error.message)
                return
            if body.get("type") == "view_submission":
                shown = title or ((body.get("view") or {}).get("title") or {}).get("text")
                ack(response_action="update", view=notice_modal(shown or "Wolfpack", error.message))
            elif isinstance(error, FieldErrors):
                ack(text=field_errors_text(error.errors))
            else:
                # Messages may quote what was typed: escaped like any user text.
                ack(text=escape(error.message))
        except Exception as error:
            ref = secrets.token_hex(4)
            log.exception("listener %s failed (ref %s)", name, ref)
            if ack is None:
                context[LISTENER_ERROR] = error
            if ack is None or ack.response is not None:
                return
            if body.get("type") == "view_submission":
                ack(response_action="update", view=notice_modal("Sorry", SORRY.format(ref=ref)))
            else:
                ack(text=SORRY.format(ref=ref))

    listener.__name__ = listener.__qualname__ = name
    return listener


# What a listener may name, and where each comes from: Bolt's own names for the request's
# parts, and what the middleware above puts in the context.
_ARGS: dict[str, Callable[[BoltRequest], Any]] = {
    "ack": lambda req: req.context.ack,
    "body": lambda req: req.body,
    "client": lambda req: req.context.client,
    "context": lambda req: req.context,
    "event": lambda req: req.body.get("event"),
    "logger": lambda req: req.context.logger,
    WORKSPACE: lambda req: req.context[WORKSPACE],
    LATER: lambda req: req.context[LATER],
}
