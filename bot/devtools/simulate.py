"""Slack's side of the conversation, for the offline demo and the tests: builds the requests
Slack sends to an app (slash commands, modal submissions, button clicks in messages and in
modals, the options requests of a select searched as one types, events), and delivers them the
way Slack does: signed and posted over real HTTP (`SlackSide`), or as envelopes over the
Socket Mode WebSocket of the fake Slack (`SocketSide`), whose ack is the reply."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

if TYPE_CHECKING:
    from bot.devtools.fake_slack.socket_mode import SocketMode

_counter = itertools.count(1)

Value = str | list[str] | dict[str, Any] | None


def mention(user_id: str) -> dict[str, Any]:
    """An @mention inside `rich_text`."""
    return {"type": "user", "user_id": user_id}


def rich_text(*parts: str | dict[str, Any]) -> dict[str, Any]:
    """A `rich_text_input`'s value as Slack sends it: text pieces and `mention`s, in order."""
    elements = [{"type": "text", "text": p} if isinstance(p, str) else p for p in parts if p]
    return {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": elements}]}


@dataclass(frozen=True)
class Reply:
    status: int
    body: str
    elapsed: float

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def message(self) -> dict[str, Any]:
        """The ephemeral message a slash command's reply shows: Slack takes JSON, or plain text."""
        if self.body.startswith("{"):
            found: dict[str, Any] = json.loads(self.body)
            return found
        return {"text": self.body}


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """`v0=` + HMAC-SHA256 of `v0:{timestamp}:{body}`, over the raw bytes as Slack does."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def state_of(
    view: Mapping[str, Any], overrides: Mapping[str, Value] | None = None
) -> dict[str, Any]:
    """`view.state.values` as Slack builds it when the user presses Submit: each input holds
    its initial value unless `overrides` (block_id -> text, user ids, option values, a time,
    or `rich_text(...)` for a rich-text input) says what the user changed."""
    overrides = overrides or {}
    values: dict[str, Any] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        block_id = block["block_id"]
        element = block["element"]
        kind = element["type"]
        action_id = element["action_id"]
        given = overrides.get(block_id, ...)
        state: dict[str, Any] = {"type": kind}
        if kind == "plain_text_input":
            state["value"] = element.get("initial_value") if given is ... else given
        elif kind == "rich_text_input":
            if given is ...:
                state["rich_text_value"] = element.get("initial_value") or rich_text()
            elif isinstance(given, str):
                state["rich_text_value"] = rich_text(given)
            else:
                state["rich_text_value"] = given or rich_text()
        elif kind in ("multi_users_select",):
            state["selected_users"] = (
                list(element.get("initial_users", [])) if given is ... else list(given or [])
            )
        elif kind == "checkboxes":
            if given is ...:
                state["selected_options"] = list(element.get("initial_options", []))
            else:
                wanted = set(given or [])
                state["selected_options"] = [o for o in element["options"] if o["value"] in wanted]
        elif kind in ("radio_buttons", "static_select"):
            if given is ...:
                state["selected_option"] = element.get("initial_option")
            else:
                state["selected_option"] = next(
                    (o for o in element["options"] if o["value"] == given), None
                )
        elif kind == "external_select":
            # The options came from the app; the one picked is sent back as Slack showed it
            # (any value a test names, as a forged request could).
            if given is ...:
                state["selected_option"] = element.get("initial_option")
            elif given:
                picked = str(given)
                text = {"type": "plain_text", "text": picked, "emoji": True}
                state["selected_option"] = {"text": text, "value": picked}
            else:
                state["selected_option"] = None
        elif kind == "timepicker":
            state["selected_time"] = element.get("initial_time") if given is ... else given
        elif kind == "datepicker":
            state["selected_date"] = element.get("initial_date") if given is ... else given
        values[block_id] = {action_id: state}
    return values


class SlackSide:
    """Sends what Slack would send to the app at `url` (its /slack/events endpoint)."""

    def __init__(
        self,
        url: str,
        signing_secret: str,
        *,
        team_id: str = "T0001",
        api_app_id: str = "A0001",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.url = url
        self.secret = signing_secret
        self.team_id = team_id
        self.api_app_id = api_app_id
        self.clock = clock

    # --- transport ---

    def post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        ts = int(self.clock()) if timestamp is None else timestamp
        request = urllib.request.Request(self.url, data=body, method="POST")  # noqa: S310
        request.add_header("Content-Type", content_type)
        request.add_header("X-Slack-Request-Timestamp", str(ts))
        request.add_header(
            "X-Slack-Signature", sign(self.secret, body, ts) if signature is None else signature
        )
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return Reply(
                    response.status, response.read().decode(), time.perf_counter() - started
                )
        except urllib.error.HTTPError as error:
            with error:
                return Reply(error.code, error.read().decode(), time.perf_counter() - started)

    def _form(self, fields: Mapping[str, str], **kwargs: Any) -> Reply:
        return self.post(urlencode(fields).encode(), "application/x-www-form-urlencoded", **kwargs)

    def _interactive(self, payload: Mapping[str, Any], **kwargs: Any) -> Reply:
        return self._form({"payload": json.dumps(payload)}, **kwargs)

    def deliver(
        self, kind: str, payload: dict[str, Any], *, retry: int | None = None, **kwargs: Any
    ) -> Reply:
        """Sends one request of `kind` (the Socket Mode envelope types: `slash_commands`,
        `interactive`, `events_api`) the way an HTTP app receives it."""
        if kind == "slash_commands":
            return self._form(payload, **kwargs)
        if kind == "interactive":
            return self._interactive(payload, **kwargs)
        headers = dict(kwargs.pop("headers", {}) or {})
        if retry is not None:
            headers["X-Slack-Retry-Num"] = str(retry)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return self.post(
            json.dumps(payload).encode(), "application/json", headers=headers, **kwargs
        )

    # --- what people do ---

    def command(
        self, command: str, text: str, *, user: str, channel: str, **kwargs: Any
    ) -> tuple[Reply, str]:
        """A slash command; returns the reply and the trigger_id Slack attached."""
        trigger = f"{next(_counter)}.{int(self.clock())}.trigger"
        reply = self.deliver(
            "slash_commands",
            {
                "token": "unused",
                "team_id": self.team_id,
                "team_domain": "acme",
                "channel_id": channel,
                "channel_name": channel.lower(),
                "user_id": user,
                "user_name": user.lower(),
                "command": command,
                "text": text,
                "api_app_id": self.api_app_id,
                "is_enterprise_install": "false",
                "response_url": f"{self.url}/response/{trigger}",
                "trigger_id": trigger,
            },
            **kwargs,
        )
        return reply, trigger

    def submit(
        self,
        view: Mapping[str, Any],
        *,
        user: str,
        values: Mapping[str, Value] | None = None,
        **kwargs: Any,
    ) -> Reply:
        """Presses Submit on an open modal, after changing the fields in `values`."""
        submitted = dict(view)
        submitted.setdefault("id", f"V{next(_counter)}")
        submitted["state"] = {"values": state_of(view, values)}
        submitted["team_id"] = self.team_id
        return self.deliver(
            "interactive",
            {
                "type": "view_submission",
                "team": {"id": self.team_id, "domain": "acme"},
                "user": {"id": user, "team_id": self.team_id},
                "api_app_id": self.api_app_id,
                "trigger_id": f"{next(_counter)}.{int(self.clock())}.trigger",
                "view": submitted,
                "is_enterprise_install": False,
            },
            **kwargs,
        )

    def click(
        self,
        action_id: str,
        value: str,
        *,
        user: str,
        channel: str | None = None,
        message_ts: str | None = None,
        message: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> tuple[Reply, str]:
        """Presses a button; `message`, when given, is the message that holds it, as Slack
        sends it along."""
        trigger = f"{next(_counter)}.{int(self.clock())}.trigger"
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": self.team_id, "domain": "acme"},
            "user": {"id": user, "team_id": self.team_id},
            "api_app_id": self.api_app_id,
            "trigger_id": trigger,
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": "b",
                    "value": value,
                    "action_ts": f"{self.clock():.6f}",
                }
            ],
            "response_url": f"{self.url}/response/{trigger}",
        }
        if channel:
            payload["channel"] = {"id": channel}
            payload["container"] = {
                "type": "message",
                "channel_id": channel,
                "message_ts": message_ts,
            }
        if message is not None:
            payload["message"] = dict(message)
        return self.deliver("interactive", payload, **kwargs), trigger

    def view_action(
        self,
        view: Mapping[str, Any],
        action_id: str,
        value: str,
        *,
        user: str,
        values: Mapping[str, Value] | None = None,
        **kwargs: Any,
    ) -> Reply:
        """Presses a button inside an open modal (`view`: as Slack keeps it, with its id and
        hash), after changing the fields in `values`: Slack sends the whole view, with the state
        of its inputs so far."""
        pressed = dict(view)
        pressed["state"] = {"values": state_of(view, values)}
        block_id = next(
            (
                str(block.get("block_id", ""))
                for block in view.get("blocks", [])
                for element in block.get("elements", [])
                if isinstance(element, dict) and element.get("action_id") == action_id
            ),
            "",
        )
        payload = {
            "type": "block_actions",
            "team": {"id": self.team_id, "domain": "acme"},
            "user": {"id": user, "team_id": self.team_id},
            "api_app_id": self.api_app_id,
            "trigger_id": f"{next(_counter)}.{int(self.clock())}.trigger",
            "container": {"type": "view", "view_id": view.get("id")},
            "view": pressed,
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": block_id,
                    "value": value,
                    "action_ts": f"{self.clock():.6f}",
                }
            ],
            "is_enterprise_install": False,
        }
        return self.deliver("interactive", payload, **kwargs)

    def suggest(
        self,
        action_id: str,
        typed: str,
        *,
        user: str,
        view: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> Reply:
        """Types `typed` into an external select of an open modal: Slack asks the app for the
        options to show (a `block_suggestion`); the reply's JSON holds them."""
        shown = dict(view or {})
        payload = {
            "type": "block_suggestion",
            "team": {"id": self.team_id, "domain": "acme"},
            "user": {"id": user, "team_id": self.team_id},
            "api_app_id": self.api_app_id,
            "container": {"type": "view", "view_id": shown.get("id", "")},
            "action_id": action_id,
            "block_id": action_id,
            "value": typed,
            "view": shown,
            "is_enterprise_install": False,
        }
        return self.deliver("interactive", payload, **kwargs)

    def event(
        self,
        event: Mapping[str, Any],
        *,
        event_id: str | None = None,
        retry: int | None = None,
        **kwargs: Any,
    ) -> Reply:
        body = {
            "token": "unused",
            "team_id": self.team_id,
            "api_app_id": self.api_app_id,
            "event": dict(event),
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_counter):08d}",
            "event_time": int(self.clock()),
            "authorizations": [
                {
                    "team_id": self.team_id,
                    "user_id": "UBOT",
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
        }
        return self.deliver("events_api", body, retry=retry, **kwargs)


class SocketSide(SlackSide):
    """The same requests as `SlackSide`, sent as Socket Mode envelopes by the fake Slack's
    `socket`; each call waits for the app's ack and returns it as the reply (its payload as
    the body: a command's message, a modal's `response_action`). `latencies` keeps the seconds
    each ack took."""

    def __init__(
        self,
        socket: SocketMode,
        *,
        team_id: str = "T0001",
        api_app_id: str = "A0001",
        clock: Callable[[], float] = time.time,
        ack_timeout: float = 10.0,
        hooks_url: str = "https://hooks.slack.com/commands/T0001",
    ) -> None:
        super().__init__(hooks_url, "", team_id=team_id, api_app_id=api_app_id, clock=clock)
        self.socket = socket
        self.ack_timeout = ack_timeout
        self.latencies: list[float] = []
        self.envelope_ids: list[str] = []

    def deliver(
        self, kind: str, payload: dict[str, Any], *, retry: int | None = None, **kwargs: Any
    ) -> Reply:
        if kwargs:
            raise TypeError(f"not sent over a socket: {sorted(kwargs)}")
        envelope_id = self.socket.send(
            kind,
            payload,
            retry_attempt=retry or 0,
            retry_reason="timeout" if retry else "",
        )
        self.envelope_ids.append(envelope_id)
        ack = self.socket.wait_ack(envelope_id, self.ack_timeout)
        self.latencies.append(ack.latency)
        body = json.dumps(ack.payload) if ack.payload is not None else ""
        return Reply(200, body, ack.latency)
