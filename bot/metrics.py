"""Prometheus metrics of one bot: requests to the HTTP front, the tick and its deliveries, the
queue and the scheduling lease. Each Metrics holds a registry of its own, never the process-wide
default, so several bots in one process (the tests build many) do not collide."""

from __future__ import annotations

import logging
from collections.abc import Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from bot.core.delivery import TickReport

log = logging.getLogger(__name__)

REQUEST_KINDS = (
    "command",
    "action",
    "view_submission",
    "view_closed",
    "event",
    "options",
    "shortcut",
    "url_verification",
    "other",
)
REQUEST_OUTCOMES = ("ok", "error", "unauthorized", "malformed", "too_large")
# The pages served beside /slack/events, by the last part of their path.
PAGES = ("map", "install", "oauth_redirect", "other")
PAGE_OUTCOMES = ("ok", "refused", "not_found", "error")
DELIVERY_STATES = ("queued", "sent", "skipped", "failed", "missed", "retrying", "waiting")
TICK_OUTCOMES = ("ok", "failed", "not_leader")

# Slack wants the ack within 3 s; most land in milliseconds.
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0)
TICK_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

# Slack's payload `type` (interactivity and the Events API) to the `kind` label.
_KIND_OF_TYPE = {
    "block_actions": "action",
    "interactive_message": "action",
    "view_submission": "view_submission",
    "view_closed": "view_closed",
    "event_callback": "event",
    "block_suggestion": "options",
    "dialog_suggestion": "options",
    "shortcut": "shortcut",
    "message_action": "shortcut",
    "url_verification": "url_verification",
}


def request_kind(payload: object) -> str:
    """The `kind` label of a parsed Slack request body (one of REQUEST_KINDS)."""
    if not isinstance(payload, dict):
        return "other"
    if "command" in payload and "ssl_check" not in payload:
        return "command"
    kind = payload.get("type")
    return _KIND_OF_TYPE.get(kind, "other") if isinstance(kind, str) else "other"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "wolfpack_requests",
            "Requests to /slack/events, by kind and outcome.",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "wolfpack_request_seconds",
            "Time to answer a request to /slack/events (the ack), by kind.",
            ["kind"],
            buckets=REQUEST_BUCKETS,
            registry=self.registry,
        )
        self.pages = Counter(
            "wolfpack_page_requests",
            "Requests to the pages served beside /slack/events (the opinion map, the OAuth "
            "install pages), by page and outcome (refused: a link expired, altered or no "
            "longer the reader's, or a method the page does not take).",
            ["page", "outcome"],
            registry=self.registry,
        )
        self.page_seconds = Histogram(
            "wolfpack_page_seconds",
            "Time to answer a request to a page, by page.",
            ["page"],
            buckets=REQUEST_BUCKETS,
            registry=self.registry,
        )
        self.deliveries = Counter(
            "wolfpack_deliveries",
            "Deliveries queued, sent, skipped, failed, missed or retried by the ticks.",
            ["state"],
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "wolfpack_queue_depth",
            "Deliveries pending after the last tick.",
            registry=self.registry,
        )
        self.tick_seconds = Histogram(
            "wolfpack_tick_seconds",
            "Duration of one scheduling pass.",
            buckets=TICK_BUCKETS,
            registry=self.registry,
        )
        self.ticks = Counter(
            "wolfpack_ticks",
            "Scheduling passes, by outcome (not_leader: another replica holds the lease).",
            ["outcome"],
            registry=self.registry,
        )
        self.lease_held = Gauge(
            "wolfpack_lease_held",
            "1 while this process holds the scheduling lease.",
            registry=self.registry,
        )
        # How many deliveries are pending (set by wiring); read after each tick.
        self.pending_deliveries: Callable[[], int] | None = None
        # Every labelled series exists from the start, at zero, so rates work from the
        # first scrape and dashboards do not show gaps. A request's series are kept at hand:
        # finding them by their labels takes a lock and a few lookups on every request.
        self._request_counts = {
            (kind, outcome): self.requests.labels(kind, outcome)
            for kind in REQUEST_KINDS
            for outcome in REQUEST_OUTCOMES
        }
        self._request_times = {kind: self.request_seconds.labels(kind) for kind in REQUEST_KINDS}
        for page in PAGES:
            self.page_seconds.labels(page)
            for page_outcome in PAGE_OUTCOMES:
                self.pages.labels(page, page_outcome)
        for state in DELIVERY_STATES:
            self.deliveries.labels(state)
        for tick_outcome in TICK_OUTCOMES:
            self.ticks.labels(tick_outcome)

    def request_done(self, kind: str, outcome: str, seconds: float) -> None:
        kind = kind if kind in REQUEST_KINDS else "other"
        counted = self._request_counts.get((kind, outcome))
        (counted or self.requests.labels(kind, outcome)).inc()
        self._request_times[kind].observe(seconds)

    def page_done(self, page: str, status: int, seconds: float) -> None:
        page = page if page in PAGES else "other"
        if status < 400:
            outcome = "ok"
        elif status == 404:
            outcome = "not_found"
        elif status < 500:
            outcome = "refused"
        else:
            outcome = "error"
        self.pages.labels(page, outcome).inc()
        self.page_seconds.labels(page).observe(seconds)

    # --- scheduler.runner.TickObserver ---

    def tick_finished(self, outcome: str, seconds: float, report: object) -> None:
        self.ticks.labels(outcome).inc()
        if outcome == "not_leader":
            return
        self.tick_seconds.observe(seconds)
        if isinstance(report, TickReport):
            for state in DELIVERY_STATES:
                count = getattr(report, state)
                if count:
                    self.deliveries.labels(state).inc(count)
        if self.pending_deliveries is not None:
            try:
                self.queue_depth.set(self.pending_deliveries())
            except Exception:
                log.exception("queue depth not measured")

    def lease_changed(self, held: bool) -> None:
        self.lease_held.set(1 if held else 0)

    def render(self) -> tuple[bytes, str]:
        """The Prometheus text exposition and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
