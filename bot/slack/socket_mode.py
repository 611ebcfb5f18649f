"""Socket Mode's first connection, retried with backoff while Slack is unreachable, and what
`/healthz` says of the socket.

slack_sdk's SocketModeClient reconnects by itself once a first `connect()` has returned (its
monitor looks every ping interval, 10 s, and opens a new connection when the socket is down),
but that first `connect()` raises when `apps.connections.open` fails. The first one is retried
here, with the same backoff as the Slack health probe; a token Slack refuses ends it."""

from __future__ import annotations

import logging
import threading

from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.client import BaseSocketModeClient

from bot.slack.health import (
    FIRST_RETRY_SECONDS,
    MAX_RETRY_SECONDS,
    SlackState,
    TokenRefused,
    backoff,
    cause,
    refusal,
)

log = logging.getLogger(__name__)

# How often slack_sdk pings Slack and looks at the socket. A socket that died without a word
# (a reset, a network path gone) is noticed after a few failed pings: about 25 s at 5 s, where
# Bolt's default of 10 s takes about 50 s, while Slack's envelopes for the app go unanswered.
# slack_sdk's own client pings every 5 s too; a ping is a few bytes.
PING_SECONDS = 5.0

APP_REFUSED_HINT = (
    "give an app-level token (xapp-…) with the connections:write scope, from the app's "
    "Basic Information page."
)


class SocketLink:
    """Connects `client` (and knows whether it is connected)."""

    def __init__(
        self,
        client: BaseSocketModeClient,
        stopping: threading.Event | None = None,
        *,
        first_retry: float = FIRST_RETRY_SECONDS,
        max_retry: float = MAX_RETRY_SECONDS,
    ) -> None:
        self.client = client
        self.stopping = stopping if stopping is not None else threading.Event()
        self.first_retry = first_retry
        self.max_retry = max_retry
        self._cause = "not connected yet"

    def connect(self) -> bool:
        """Tries until slack_sdk has a connection, or keeps one going (True), or `stopping` is
        set (False), waiting 1 s, then twice as long each time up to 30 s. TokenRefused when
        Slack refuses SLACK_APP_TOKEN."""
        waits = backoff(self.first_retry, self.max_retry)
        while not self.stopping.is_set():
            try:
                # A new URL each time (connect() alone would reuse one that failed).
                self.client.connect_to_new_endpoint(force=True)
            except SlackApiError as error:
                code = refusal(error)
                if code is not None:
                    raise TokenRefused("SLACK_APP_TOKEN", code, APP_REFUSED_HINT) from None
                self._cause = cause(error)
            except Exception as error:
                self._cause = cause(error)
            else:
                # From here on slack_sdk's monitor reconnects whenever the socket is down.
                self._cause = "reconnecting"
                if self.client.is_connected():
                    log.info("Socket Mode: connected to Slack")
                else:
                    log.warning("Socket Mode: the socket did not open; slack_sdk keeps trying")
                return True
            delay = next(waits)
            log.warning(
                "Socket Mode: cannot connect to Slack (%s); trying again in %.0f s",
                self._cause,
                delay,
            )
            if self.stopping.wait(delay):
                break
        return False

    def state(self) -> SlackState:
        if self.client.is_connected():
            return SlackState(True)
        return SlackState(False, f"Socket Mode is not connected to Slack: {self._cause}")
