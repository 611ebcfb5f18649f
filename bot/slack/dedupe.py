"""Slack delivers an event again when it thinks the app missed it (`X-Slack-Retry-Num`): after
an error, or an answer later than 3 seconds. The same event_id never has two effects (SPEC §7):
an event is claimed in the database before its listeners run and marked done after. When they
fail in a way another try may get past (Slack's API, the network or the database failing), the
claim is given back and the answer is an error, so that Slack's retry does the work instead.

Bolt's middleware runs before the listeners and never learns how they went, so the claim
wraps the App's dispatch instead: the same for HTTP and Socket Mode. A listener whose failure
`handled` (bot.slack.middleware) catches leaves it on the request's context under
LISTENER_ERROR."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from typing import Literal, Protocol

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.errors import SlackApiError

log = logging.getLogger("bot.slack.events")

LISTENER_ERROR = "wolfpack_listener_error"
# Slack's ids are short and plain; anything else did not come from Slack and is handled
# without a record (it cannot be a redelivery of anything recorded).
_EVENT_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_TEAM_ID = re.compile(r"[A-Za-z0-9_.-]{0,32}")
# Slack's own failures, as opposed to a request it refused.
TRANSIENT_SLACK_ERRORS = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}
)


class EventLog(Protocol):
    """The events handled so far (bot.store.events.SqlEventLog)."""

    def claim(
        self, event_id: str, team_id: str, now: dt.datetime
    ) -> Literal["claimed", "done", "busy"]: ...

    def done(self, event_id: str, team_id: str, now: dt.datetime) -> None: ...

    def release(self, event_id: str, team_id: str) -> None: ...


Dispatch = Callable[[BoltRequest], BoltResponse]


def retry_may_help(error: BaseException, transient: tuple[type[BaseException], ...] = ()) -> bool:
    """Whether the same event may succeed when delivered again: a failure of Slack's API, of
    the network, or one of `transient` (the database's), not something wrong with the event."""
    if isinstance(error, SlackApiError):
        status, code = error.response.status_code, error.response.get("error")
        return status >= 500 or status == 429 or code in TRANSIENT_SLACK_ERRORS
    return isinstance(error, (OSError, *transient))


class EventDedupe:
    def __init__(
        self,
        events: EventLog,
        now: Callable[[], dt.datetime],
        transient: tuple[type[BaseException], ...] = (),
    ) -> None:
        self.events = events
        self.now = now
        self.transient = transient

    def dispatch(self, req: BoltRequest, handle: Dispatch) -> BoltResponse:
        body = req.body
        event_id = body.get("event_id")
        team_id = body.get("team_id") or body.get("enterprise_id") or ""
        if (
            body.get("type") != "event_callback"
            or not isinstance(event_id, str)
            or not _EVENT_ID.fullmatch(event_id)
            or not isinstance(team_id, str)
            or not _TEAM_ID.fullmatch(team_id)
        ):
            return handle(req)
        retry = (req.headers.get("x-slack-retry-num") or ["0"])[0]
        try:
            claim = self.events.claim(event_id, team_id, self.now())
        except Exception:
            # Handling it unrecorded could do it twice; Slack asks again later.
            log.exception("event %s not handled: the database did not take its claim", event_id)
            return BoltResponse(status=503, body="")
        if claim == "done":
            log.info("event %s (retry %s) was handled before: acknowledged", event_id, retry)
            return BoltResponse(status=200, body="")
        if claim == "busy":
            # If that handler fails, it gives the claim back; an error now makes Slack ask
            # again in a minute, when the event is either done or free.
            log.info("event %s (retry %s) is being handled elsewhere", event_id, retry)
            return BoltResponse(status=503, body="")
        try:
            response = handle(req)
        except BaseException:
            self._settle(event_id, team_id, ok=False)
            raise
        caught = req.context.get(LISTENER_ERROR)
        if isinstance(caught, BaseException) and retry_may_help(caught, self.transient):
            self._settle(event_id, team_id, ok=False)
            return BoltResponse(status=503, body="")
        # 404: no listener wanted it (the HTTP front acknowledges it), which is done too.
        self._settle(event_id, team_id, ok=response.status < 400 or response.status == 404)
        return response

    def _settle(self, event_id: str, team_id: str, *, ok: bool) -> None:
        try:
            if ok:
                self.events.done(event_id, team_id, self.now())
            else:
                log.warning("event %s failed: its claim is given back for Slack's retry", event_id)
                self.events.release(event_id, team_id)
        except Exception:
            # The claim stays; after EventLog's stale limit a retry takes it over.
            log.exception("event %s: its outcome was not recorded", event_id)


class DedupingApp(App):
    """Bolt's App, handling each event_callback at most once when given an EventDedupe. The
    listeners must run within dispatch (process_before_response), or their outcome is unknown
    when it returns."""

    dedupe: EventDedupe | None = None

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        if self.dedupe is None:
            return super().dispatch(req)
        return self.dedupe.dispatch(req, super().dispatch)
