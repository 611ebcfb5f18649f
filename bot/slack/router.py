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
        found = self.events.get(str((args.event or {}).get("type")))
        if found is not None:
            found(args)

    def _command(self, args: Args) -> None:
        found = self.commands.get(str(args.body.get("command")))
        if found is None:
            args.ack()
            return
        found(args)

    def _action(self, args: Args) -> None:
        action: dict[str, Any] = args.action or {}
        found = self.actions.get(str(action.get("action_id") or action.get("callback_id")))
        if found is None:
            log.info("no listener for action %s", action.get("action_id"))
            args.ack()
            return
        found(args)

    def _view(self, args: Args) -> None:
        found = self.views.get(str((args.view or {}).get("callback_id")))
        if found is None:
            args.ack()
            return
        found(args)
