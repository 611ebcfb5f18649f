"""Listeners found by one dict lookup, in a middleware at the end of Bolt's chain.

Bolt asks each registered listener's matchers in turn and builds their keyword arguments every
time, then builds the chosen listener's arguments again: with a listener per command, button,
form and event, that was most of what an answer costs that needs neither the database nor
Slack. The router finds the feature's listener by the request's command, action id (a button's,
or a select's whose options Slack asks for as the person types), callback id or event type,
gives it the few values it names (`handled`), and answers with its `ack`, as Bolt's listener
runner would with `process_before_response`. A request of a kind no feature handles goes on to
Bolt (which answers 404; the HTTP front acknowledges it)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from bot.slack.middleware import Listener, handled

log = logging.getLogger("bot.slack")

# Bolt's `app.action` kinds that the router serves, and `app.view`'s.
_ACTIONS = frozenset({"block_actions", "interactive_message"})
_VIEWS = frozenset({"view_submission", "view_closed"})


class Router(Middleware):
    def __init__(self) -> None:
        self.commands: dict[str, Listener] = {}
        self.actions: dict[str, Listener] = {}
        self.views: dict[str, Listener] = {}
        self.events: dict[str, Listener] = {}
        self.options: dict[str, Listener] = {}

    def command(self, name: str, listener: Callable[..., None]) -> None:
        self.commands[name] = handled(listener)

    def action(self, action_id: str, listener: Callable[..., None]) -> None:
        self.actions[action_id] = handled(listener)

    def options_for(self, action_id: str, listener: Callable[..., None]) -> None:
        """The options of an external select (`block_suggestion`), as Bolt's `app.options`."""
        self.options[action_id] = handled(listener)

    def view(self, callback_id: str, listener: Callable[..., None], *, title: str) -> None:
        """`title` heads the notice a refusal shows in place of the submitted form."""
        self.views[callback_id] = handled(listener, title=title)

    def event(self, event_type: str, listener: Callable[..., None]) -> None:
        self.events[event_type] = handled(listener)

    def install(self, app: App) -> None:
        app.use(self)

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        found = self._find(req.body)
        if found is None:
            return next()
        listeners, name, kind = found
        listener = listeners.get(name)
        ack = req.context.ack
        if listener is None:
            # Nothing handles it: acknowledged, so Slack neither retries nor shows an error.
            log.info("unhandled %s %s acknowledged", kind, name[:80])
        else:
            listener(req)
        if ack.response is None:
            # An event is answered once its listener returns; a listener that did not answer
            # is acknowledged, as Bolt does.
            ack()
        return ack.response or BoltResponse(status=200, body="")

    def _find(self, body: dict[str, Any]) -> tuple[dict[str, Listener], str, str] | None:
        if "command" in body:
            return self.commands, str(body["command"]), "command"
        kind = body.get("type")
        if kind == "event_callback":
            return self.events, str((body.get("event") or {}).get("type")), "event"
        if kind in _ACTIONS:
            action = (body.get("actions") or [{}])[0]
            name = action.get("action_id") or body.get("callback_id")
            return self.actions, str(name), "action"
        if kind == "block_suggestion":
            return self.options, str(body.get("action_id")), "options"
        if kind in _VIEWS:
            return self.views, str((body.get("view") or {}).get("callback_id")), "form"
        return None
