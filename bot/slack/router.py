"""Listeners found by one dict lookup. Bolt asks each registered listener's matchers in turn,
building their keyword arguments every time (about 40 µs a listener); with a listener per
command, button, form and event that is most of what an answer costs that needs neither the
database nor Slack. So Bolt gets four listeners, one per kind of request, and each finds the
feature's listener by its command, action id, callback id or event type."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_bolt.kwargs_injection import Args

from bot.slack.middleware import handled

log = logging.getLogger("bot.slack")

Listener = Callable[[Args], None]
_ANY = re.compile(".*")


class Router:
    def __init__(self) -> None:
        self.commands: dict[str, Listener] = {}
        self.actions: dict[str, Listener] = {}
        self.views: dict[str, Listener] = {}
        self.events: dict[str, Listener] = {}

    def command(self, name: str, listener: Callable[..., None]) -> None:
        self.commands[name] = handled(listener)

    def action(self, action_id: str, listener: Callable[..., None]) -> None:
        self.actions[action_id] = handled(listener)

    def view(self, callback_id: str, listener: Callable[..., None], *, title: str) -> None:
        """`title` heads the notice a refusal shows in place of the submitted form."""
        self.views[callback_id] = handled(listener, title=title)

    def event(self, event_type: str, listener: Callable[..., None]) -> None:
        self.events[event_type] = handled(listener)

    def install(self, app: App) -> None:
        # Events first: in a busy workspace most requests are channel messages.
        app.event(_ANY)(self._event)
        app.command(_ANY)(self._command)
        app.action(_ANY)(self._action)
        app.view(_ANY)(self._view)

    def _event(self, args: Args) -> None:
        self._route(args, self.events, (args.event or {}).get("type"), "event")

    def _command(self, args: Args) -> None:
        self._route(args, self.commands, args.body.get("command"), "command")

    def _action(self, args: Args) -> None:
        action: dict[str, Any] = args.action or {}
        self._route(
            args, self.actions, action.get("action_id") or action.get("callback_id"), "action"
        )

    def _view(self, args: Args) -> None:
        self._route(args, self.views, (args.view or {}).get("callback_id"), "form")

    @staticmethod
    def _route(args: Args, listeners: dict[str, Listener], name: object, kind: str) -> None:
        found = listeners.get(str(name))
        if found is not None:
            found(args)
            return
        # Nothing handles it: acknowledged, so Slack neither retries nor shows an error.
        log.info("unhandled %s %s acknowledged", kind, str(name)[:80])
        args.ack()
