"""The one module that knows every layer: builds the object graph from Settings."""

from __future__ import annotations

import datetime as dt
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from sqlalchemy import Engine

from bot.charts import render_chart
from bot.config import Settings
from bot.core.decisions import Decisions
from bot.core.direction import Direction
from bot.core.flows import Flows
from bot.core.ports import Clock
from bot.core.reports import Reports
from bot.core.ticks import Ticker
from bot.scheduler.runner import AlwaysLeader, Lease, TickRunner
from bot.slack.app import build_bolt_app
from bot.slack.client import SharedWebClient, shared_ssl_context
from bot.slack.http import HttpServer, SlackHttpApp
from bot.slack.notifier import SlackDirectory, SlackNotifier
from bot.store.db import SqlDatabase, make_engine, upgrade
from bot.store.lease import AdvisoryLease

log = logging.getLogger(__name__)

# Sized from bench/http_server.py: see bench/README.md.
HTTP_THREADS = 16
LISTENER_THREADS = 16


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


def web_client(settings: Settings, token: str | None, *, interactive: bool = True) -> WebClient:
    """One client per token, with one SSL context for all its calls (slack_sdk otherwise builds
    a new one per call). The interactive client retries rate limits and server errors in the
    call; the delivery client leaves that to the delivery queue, which never sleeps a thread on
    a Retry-After."""
    handlers: list[RetryHandler] = [ConnectionErrorRetryHandler(max_retry_count=2)]
    if interactive:
        handlers += [
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ]
    return SharedWebClient(
        token=token,
        base_url=settings.slack_api_url,
        ssl=shared_ssl_context(),
        timeout=10,
        retry_handlers=handlers,
    )


@dataclass
class Wolfpack:
    settings: Settings
    engine: Engine
    db: SqlDatabase
    flows: Flows
    direction: Direction
    decisions: Decisions
    ticker: Ticker
    reports: Reports
    client: WebClient
    bolt: App
    executor: ThreadPoolExecutor
    clock: Clock
    servers: list[HttpServer] = field(default_factory=list)
    runners: list[TickRunner] = field(default_factory=list)

    def http_app(self) -> SlackHttpApp:
        secret = self.settings.signing_secret
        if secret is None:
            raise ValueError("SLACK_SIGNING_SECRET is needed to serve HTTP")
        return SlackHttpApp(self.bolt, secret, self.db.ping)

    def serve_http(
        self, host: str = "127.0.0.1", port: int = 0, *, threads: int | None = None
    ) -> HttpServer:
        server = HttpServer(self.http_app(), host, port, threads=threads or HTTP_THREADS)
        self.servers.append(server)
        return server

    def scheduler(self) -> TickRunner:
        """The tick on an interval; on PostgreSQL only the holder of the lease ticks."""
        lease: Lease = (
            AdvisoryLease(self.engine)
            if self.engine.dialect.name == "postgresql"
            else AlwaysLeader()
        )
        runner = TickRunner(self.ticker.tick, self.clock.now, lease)
        self.runners.append(runner)
        return runner

    def close(self) -> None:
        for runner in self.runners:
            runner.stop()
        for server in self.servers:
            server.stop()
        self.executor.shutdown(wait=True)
        self.engine.dispose()


def build(
    settings: Settings,
    *,
    clock: Clock | None = None,
    migrate: bool = True,
    token_verification: bool = True,
) -> Wolfpack:
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    db = SqlDatabase(engine)
    client = web_client(settings, settings.bot_token)

    def client_for(team_id: str) -> WebClient:
        return client

    delivery_client = web_client(settings, settings.bot_token, interactive=False)

    def delivery_client_for(team_id: str) -> WebClient:
        return delivery_client

    notifier = SlackNotifier(client_for, delivery_client_for)
    directory = SlackDirectory(client_for)
    direction = Direction(db, notifier, clock or SystemClock())
    flows = Flows(db, notifier, directory, direction.clock, direction)
    decisions = Decisions(db, notifier, direction.clock)
    reports = Reports(db, notifier, direction.clock, render_chart)
    ticker = Ticker(db, notifier, directory, decisions, reports)
    executor = ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="listener")
    bolt = build_bolt_app(
        flows,
        direction,
        decisions,
        reports,
        client=client,
        signing_secret=settings.signing_secret,
        listener_executor=executor,
        token_verification=token_verification,
    )
    return Wolfpack(
        settings,
        engine,
        db,
        flows,
        direction,
        decisions,
        ticker,
        reports,
        client,
        bolt,
        executor,
        flows.clock,
    )
