"""The one module that knows every layer: builds the object graph from Settings."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from bot.charts import render_chart
from bot.config import ConfigError, Settings
from bot.core.delivery import SendError, TickReport
from bot.core.ports import Clock
from bot.core.usecases.delivery import Ticker
from bot.core.usecases.workspace import Workspace
from bot.logs import ContextThreadPoolExecutor
from bot.metrics import Metrics
from bot.scheduler.runner import TICK_SECONDS, AlwaysLeader, Lease, TickRunner
from bot.slack.app import build_bolt_app
from bot.slack.authorize import TokenAuthorize
from bot.slack.client import SharedWebClient, shared_ssl_context
from bot.slack.dedupe import EventDedupe
from bot.slack.health import PROBE_TIMEOUT, Health, SlackHealth, SlackState, TokenRefused
from bot.slack.http import HttpServer, SlackHttpApp, WsgiApp
from bot.slack.manifest import BOT_SCOPES
from bot.slack.notifier import SlackDirectory, SlackNotifier
from bot.startup import open_database
from bot.store.db import SqlDatabase
from bot.store.events import SqlEventLog
from bot.store.installations import (
    EncryptedInstallationStore,
    EncryptionKeyError,
    RefreshLock,
    TokenCipher,
    TokenKeeper,
    purge_oauth_states,
    state_store,
    uninstalled,
)
from bot.store.lease import AdvisoryLease
from bot.web.links import MAP_PATH, SignedLinks
from bot.web.map import MapApp

log = logging.getLogger(__name__)

# Sized from bench/http_server.py: see bench/README.md.
HTTP_THREADS = 16
LISTENER_THREADS = 16
# Slack's last retry of an event comes within minutes; its record is kept well past that.
EVENTS_KEPT = dt.timedelta(days=2)
HEALTH_THREADS = 2
BOT_REFUSED_HINT = (
    "give the bot token (xoxb-…) of the app installed in your workspace, or reinstall the app "
    "for a new one."
)


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


def web_client(
    settings: Settings, token: str | None, *, interactive: bool = True, retries: bool = True
) -> WebClient:
    """One client per token, with one SSL context for all its calls (slack_sdk otherwise builds
    a new one per call). The interactive client retries rate limits and server errors in the
    call; the delivery client leaves that to the delivery queue, which never sleeps a thread on
    a Retry-After. Without `retries` (the health probe) a call is tried once, briefly."""
    if not retries:
        return SharedWebClient(
            token=token,
            base_url=settings.slack_api_url,
            ssl=shared_ssl_context(),
            timeout=PROBE_TIMEOUT,
            retry_handlers=[],
        )
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
class ServedPages:
    """What the web pages this process serves need to be linked to: the map page's signed
    links, once the page is served at a public address."""

    links: SignedLinks | None = None


@dataclass
class Wolfpack:
    settings: Settings
    engine: Engine
    db: SqlDatabase
    workspaces: Callable[[str], Workspace]
    ticker: Ticker
    client: WebClient
    bolt: App
    executor: ThreadPoolExecutor
    clock: Clock
    servers: list[HttpServer] = field(default_factory=list)
    runners: list[TickRunner] = field(default_factory=list)
    # Its own Prometheus registry: several bots in one process (tests) count apart.
    metrics: Metrics = field(default_factory=Metrics)
    oauth: OAuthParts | None = None
    # Set by watch_slack (`wolfpack run`): /healthz then reports Slack too, and a tick sends
    # nothing while Slack is known to be unreachable.
    slack_health: SlackHealth | None = None
    # Links to the map page are issued once this process serves it (http_app) at a public
    # address: a Socket Mode bot serves no page, so `/wolfpack map` says it is not available.
    served: ServedPages = field(default_factory=ServedPages)

    def workspace(self, team_id: str) -> Workspace:
        """The use cases' view of one workspace."""
        return self.workspaces(team_id)

    def tick(self, now: dt.datetime) -> TickReport:
        """One scheduling pass, and the housekeeping that goes with it: OAuth states that
        expired unused are deleted, and the record of events older than EVENTS_KEPT."""
        slack = self.slack_health.state() if self.slack_health is not None else None
        if slack is not None and slack.ok is False:
            log.info("tick: %s; planning only, nothing is sent", slack.reason)
            return self.plan(now)
        self._housekeeping(now)
        return self.ticker.tick(now)

    def plan(self, now: dt.datetime) -> TickReport:
        """The tick without Slack: what is due is queued (to be sent by a later tick) and the
        housekeeping done; nothing is sent."""
        self._housekeeping(now)
        report = TickReport()
        for team_id in self.db.team_ids():
            self.ticker.plan(team_id, now, report)
        return report

    def _housekeeping(self, now: dt.datetime) -> None:
        if self.oauth is not None:
            purge_oauth_states(self.engine, now)
        SqlEventLog(self.engine).purge(now - EVENTS_KEPT)

    def check_slack(self) -> SlackHealth:
        """One look at Slack (its outcome in `.state()`): ConfigError naming SLACK_BOT_TOKEN
        when Slack refuses it; an unreachable Slack is only reported."""
        health = self._slack_probe()
        try:
            health.first_check(BOT_REFUSED_HINT)
        except TokenRefused as error:
            raise ConfigError(str(error)) from None
        return health

    def watch_slack(self) -> SlackHealth:
        """check_slack, then the same look in the background (see bot.slack.health), which
        /healthz reports from then on."""
        health = self.check_slack()
        state = health.state()
        if not state.ok:
            log.warning("%s; serving anyway, and looking again in the background", state.reason)
        self.slack_health = health.start()
        return health

    def _slack_probe(self) -> SlackHealth:
        """auth.test with the bot token; with many workspaces, api.test (no token: whether
        Slack's Web API answers at all). A short timeout and no retries in the call."""
        client = web_client(self.settings, self.settings.bot_token, retries=False)
        if self.oauth is not None:
            return SlackHealth(client.api_test, variable=None)
        return SlackHealth(client.auth_test, variable="SLACK_BOT_TOKEN")

    def health(self, *slack: Callable[[], SlackState]) -> Health:
        """The answers of /healthz and /livez: the database, and Slack when it is watched."""
        watched = [self.slack_health.state] if self.slack_health is not None else []
        looks = [*watched, *slack]
        return Health(self.db.ping, looks if looks else None)

    def serve_health(self, host: str, port: int, *slack: Callable[[], SlackState]) -> HttpServer:
        """/healthz and /livez alone (Socket Mode serves nothing else over HTTP)."""
        server = HttpServer(self.health(*slack), host, port, threads=HEALTH_THREADS)
        self.servers.append(server)
        return server

    def http_app(self) -> SlackHttpApp:
        secret = self.settings.signing_secret
        if secret is None:
            raise ValueError("SLACK_SIGNING_SECRET is needed to serve HTTP")
        routes: dict[str, WsgiApp] = {}
        if self.oauth is not None:
            # Bolt's OAuth flow answers the install page and Slack's redirect back.
            install = SlackRequestHandler(self.bolt)
            routes = {"/slack/install": install, "/slack/oauth_redirect": install}
        # The map page checks the links against the same key whether or not new ones can be
        # issued (WOLFPACK_PUBLIC_URL): an intact link keeps working until it expires.
        public_url = self.settings.wolfpack_public_url
        links = SignedLinks(secret, public_url or "")
        routes[MAP_PATH] = MapApp(links, self.workspaces)
        if public_url is not None:
            self.served.links = links
        return SlackHttpApp(
            self.bolt,
            secret,
            self.db.ping,
            metrics=self.metrics,
            routes=routes,
            slack=[self.slack_health.state] if self.slack_health is not None else None,
        )

    def serve_http(
        self, host: str = "127.0.0.1", port: int = 0, *, threads: int | None = None
    ) -> HttpServer:
        server = HttpServer(self.http_app(), host, port, threads=threads or HTTP_THREADS)
        self.servers.append(server)
        return server

    def scheduler(self, seconds: float = TICK_SECONDS) -> TickRunner:
        """The tick on an interval; on PostgreSQL only the holder of the lease ticks."""
        lease: Lease = (
            AdvisoryLease(self.engine)
            if self.engine.dialect.name == "postgresql"
            else AlwaysLeader()
        )
        db = self.db

        def pending_deliveries() -> int:
            total = 0
            for team_id in db.team_ids():
                with db.transaction(team_id) as tx:
                    total += tx.deliveries.pending_count()
            return total

        self.metrics.pending_deliveries = pending_deliveries
        runner = TickRunner(self.tick, self.clock.now, lease, seconds, observer=self.metrics)
        self.runners.append(runner)
        return runner

    def close(self) -> None:
        """Stops in order: no new tick starts and a running one ends after the send in
        progress; the HTTP servers stop; the running tick is waited for and the lease let
        go; listener work still queued finishes; then the database connections close."""
        stopping = self.ticker.stopping or threading.Event()
        self.ticker.stopping = stopping
        stopping.set()
        for runner in self.runners:
            runner.request_stop()
        for server in self.servers:
            server.stop()
        if self.slack_health is not None:
            self.slack_health.stop()
        for runner in self.runners:
            runner.stop()
        self.executor.shutdown(wait=True)
        self.engine.dispose()


def build(
    settings: Settings,
    *,
    clock: Clock | None = None,
    migrate: bool = True,
) -> Wolfpack:
    clock = clock or SystemClock()
    engine = open_database(settings.database_url, migrate=migrate)
    db = SqlDatabase(engine)
    client = web_client(settings, settings.bot_token)
    try:
        oauth = oauth_parts(settings, engine, client, clock) if settings.oauth_enabled else None
    except ConfigError:
        engine.dispose()
        raise
    client_for: Callable[[str], WebClient]
    delivery_client_for: Callable[[str], WebClient]
    if oauth is None:
        delivery_client = web_client(settings, settings.bot_token, interactive=False)

        def client_for(team_id: str) -> WebClient:
            return client

        def delivery_client_for(team_id: str) -> WebClient:
            return delivery_client

    else:
        client_for = oauth.clients(settings, interactive=True)
        delivery_client_for = oauth.clients(settings, interactive=False)

    served = ServedPages()

    def workspace_for(team_id: str) -> Workspace:
        notifier = SlackNotifier(team_id, client_for, delivery_client_for)
        directory = SlackDirectory(team_id, client_for)
        return Workspace(team_id, db, clock, notifier, directory, map_links=served.links)

    ticker = Ticker(db.team_ids, workspace_for, render_chart)
    # Listener threads carry the request id of the request they serve into their log lines.
    executor = ContextThreadPoolExecutor(
        max_workers=LISTENER_THREADS, thread_name_prefix="listener"
    )
    bolt = build_bolt_app(
        workspace_for,
        client=client,
        signing_secret=settings.signing_secret,
        listener_executor=executor,
        # Bolt would call auth.test while building the App, and fail there when Slack is
        # unreachable; it calls it on the first request instead and keeps the answer, and
        # `wolfpack run` checks the token itself first (watch_slack).
        token_verification=False,
        authorize=oauth.authorize if oauth else None,
        oauth_settings=oauth.settings if oauth else None,
        uninstalled=oauth.uninstalled if oauth else single_uninstalled(engine, clock.now),
        dedupe=EventDedupe(SqlEventLog(engine), clock.now, (OperationalError,)),
    )
    wolfpack = Wolfpack(
        settings,
        engine,
        db,
        workspace_for,
        ticker,
        client,
        bolt,
        executor,
        clock,
    )
    wolfpack.oauth = oauth
    wolfpack.served = served
    return wolfpack


@dataclass
class OAuthParts:
    """What serving many workspaces takes: the encrypted installation store, the token keeper,
    Bolt's OAuth settings and authorize."""

    store: EncryptedInstallationStore
    keeper: TokenKeeper
    settings: OAuthSettings
    authorize: TokenAuthorize
    engine: Engine
    now: Callable[[], dt.datetime]

    def clients(self, settings: Settings, *, interactive: bool) -> Callable[[str], WebClient]:
        """A client with the workspace's current bot token; one client per token."""
        made: dict[str, WebClient] = {}
        lock = threading.Lock()

        def client_for(team_id: str) -> WebClient:
            token = self.keeper.bot_token(team_id)
            if token is None:
                raise SendError("not_installed")
            with lock:
                found = made.get(token)
                if found is None:
                    found = made[token] = web_client(settings, token, interactive=interactive)
            return found

        return client_for

    def uninstalled(self, team_id: str, enterprise_id: str | None) -> None:
        self.store.forget(team_id, enterprise_id)
        single_uninstalled(self.engine, self.now)(team_id, enterprise_id)


def oauth_parts(settings: Settings, engine: Engine, client: WebClient, clock: Clock) -> OAuthParts:
    assert settings.slack_client_id and settings.slack_client_secret
    assert settings.wolfpack_encryption_key is not None
    try:
        cipher = TokenCipher.from_setting(settings.wolfpack_encryption_key.get_secret_value())
    except EncryptionKeyError as error:
        raise ConfigError(f"WOLFPACK_ENCRYPTION_KEY: {error}") from None
    secret = settings.slack_client_secret.get_secret_value()
    store = EncryptedInstallationStore(settings.slack_client_id, engine, cipher)
    try:
        store.check_key()
    except EncryptionKeyError as error:
        raise ConfigError(f"WOLFPACK_ENCRYPTION_KEY: {error}") from None
    rotator = TokenRotator(client_id=settings.slack_client_id, client_secret=secret, client=client)
    keeper = TokenKeeper(store, RefreshLock(engine), rotator)
    oauth_settings = OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=secret,
        scopes=list(BOT_SCOPES),
        installation_store=store,
        installation_store_bot_only=True,
        state_store=state_store(engine),
    )
    authorize = TokenAuthorize(
        lambda team_id, enterprise_id: keeper.bot_token(team_id, enterprise_id)
    )
    return OAuthParts(store, keeper, oauth_settings, authorize, engine, clock.now)


def single_uninstalled(
    engine: Engine, now: Callable[[], dt.datetime]
) -> Callable[[str, str | None], None]:
    """The workspace stops getting messages until it is installed again (with OAuth its
    tokens are deleted first)."""

    def gone(team_id: str, enterprise_id: str | None) -> None:
        dropped = uninstalled(engine, team_id, enterprise_id or "", now())
        log.info("workspace %s uninstalled the app; %d queued messages dropped", team_id, dropped)

    return gone
