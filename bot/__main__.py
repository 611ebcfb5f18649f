"""The `wolfpack` command line."""

from __future__ import annotations

import argparse
import importlib.metadata
import logging
import os
import signal
import sys
import threading
import traceback
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, NoReturn

from bot.config import (
    ConfigError,
    Settings,
    StartupError,
    configure_logging,
    load_settings,
    parse_port,
    require_for_run,
)

if TYPE_CHECKING:
    from bot.slack.http import HttpServer
    from bot.wiring import Wolfpack

log = logging.getLogger("bot")


def _version() -> str:
    try:
        return importlib.metadata.version("wolfpack")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree not installed
        return "unknown"


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error told in one line (the usage itself is under --help)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _port(text: str) -> int:
    try:
        return parse_port(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _public_url(text: str) -> str:
    parts = urllib.parse.urlsplit(text)
    if parts.scheme != "https" or not parts.hostname:
        raise argparse.ArgumentTypeError(
            f"“{text}” is not an https:// address: Slack calls only https URLs; give the "
            "bot's public address, such as https://wolfpack.example.com"
        )
    return text


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="wolfpack", description="Wolfpack, the Slack bot that keeps a team aligned."
    )
    parser.add_argument("--version", action="version", version=f"wolfpack {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start the bot")
    run.add_argument(
        "--http", action="store_true", help="serve HTTP even when SLACK_APP_TOKEN is set"
    )
    run.add_argument("--port", type=_port, default=None, help="HTTP port (default: PORT or 3000)")
    run.add_argument("--host", default="0.0.0.0", help="HTTP address to listen on")  # noqa: S104
    run.add_argument("--no-scheduler", action="store_true", help="serve requests only")
    run.add_argument(
        "--threads", type=int, default=None, help="HTTP worker threads (default 16, see bench/)"
    )
    run.add_argument(
        "--tick-seconds",
        type=float,
        default=30.0,
        help="seconds between scheduling passes (default 30)",
    )
    tick = sub.add_parser("tick", help="one scheduling pass: queue and deliver what is due")
    tick.add_argument("--now", default=None, help="ISO-8601 time with an offset (default: now)")
    demo = sub.add_parser("demo", help="simulate a pack end to end, offline")
    demo.add_argument("--out", type=Path, default=Path("wolfpack-demo"))
    manifest = sub.add_parser("manifest", help="print the Slack app manifest (YAML)")
    manifest.add_argument(
        "--url", type=_public_url, default=None, help="the bot's public https:// URL (HTTP mode)"
    )
    manifest.add_argument("--socket", action="store_true", help="a Socket Mode app")
    db = sub.add_parser("db", help="database tasks")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply migrations to DATABASE_URL")
    analyze = sub.add_parser("analyze", help="opinion groups and consensus of a vote file")
    analyze.add_argument(
        "path", type=Path, help="a Pol.is export folder or member,statement,vote CSV"
    )
    analyze.add_argument("--k", type=int, default=None, help="force this many groups")
    analyze.add_argument("--meta", default=None, help="comma-separated statement ids that are meta")
    analyze.add_argument("--format", choices=("text", "json"), default="text", dest="fmt")
    analyze.add_argument(
        "--groups",
        type=Path,
        default=None,
        help="use these groups instead of finding them (participants-votes.csv or member,group)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _command(args)
    except StartupError as error:
        # A failure the user can act on: one line, no traceback (but at LOG_LEVEL=DEBUG).
        _debug_traceback()
        print(f"wolfpack: {error}", file=sys.stderr)
        return error.exit_code


def _debug_traceback() -> None:
    root = logging.getLogger()
    if root.handlers and root.isEnabledFor(logging.DEBUG):
        # Through the configured handler, whose filter redacts the secrets.
        log.debug("the failure in full", exc_info=True)
    elif os.environ.get("LOG_LEVEL", "").strip().upper() == "DEBUG":
        traceback.print_exc()  # before the settings were read: nothing secret known yet


def _command(args: argparse.Namespace) -> int:
    if args.command == "manifest":
        from bot.slack.manifest import manifest_yaml

        if not args.socket and not args.url:
            raise ConfigError("manifest: give --url https://your.host or --socket")
        sys.stdout.write(manifest_yaml(args.url, socket=args.socket))
        return 0
    if args.command == "analyze":
        from bot.polis import run_analyze

        return run_analyze(
            args.path, args.k, args.meta, args.fmt, sys.stdout, sys.stderr, groups=args.groups
        )
    if args.command == "demo":
        from bot.devtools.demo import run_demo

        return run_demo(args.out)
    settings = load_settings(os.environ)
    configure_logging(settings)
    if args.command == "db":
        from bot.startup import open_database

        open_database(settings.database_url).dispose()
        print("database is up to date")
        return 0
    if args.command == "run":
        return _run(settings, args)
    return _tick(settings, args.now)


def _tick(settings: Settings, now_text: str | None) -> int:
    import datetime as dt
    import json

    now = dt.datetime.now(dt.UTC)
    if now_text is not None:
        try:
            now = dt.datetime.fromisoformat(now_text.replace("Z", "+00:00"))
        except ValueError:
            raise ConfigError(f"--now: “{now_text}” is not an ISO-8601 time") from None
        if now.tzinfo is None:
            raise ConfigError("--now needs an offset, such as 2026-12-01T09:30:00+01:00")
    if settings.slack_bot_token is None and not settings.oauth_enabled:
        raise ConfigError(
            "SLACK_BOT_TOKEN is not set: a tick sends messages (or configure OAuth "
            "with SLACK_CLIENT_ID and SLACK_CLIENT_SECRET)."
        )
    from bot.wiring import build

    wolfpack = build(settings)
    try:
        # ConfigError when Slack refuses the token.
        slack = wolfpack.check_slack().state()
        if slack.ok:
            report = wolfpack.tick(now.astimezone(dt.UTC))
        else:
            report = wolfpack.plan(now.astimezone(dt.UTC))
    finally:
        wolfpack.close()
    print(json.dumps(report.as_dict()))
    if not slack.ok:
        print(
            f"wolfpack: {slack.reason}. Nothing was sent; what is due stays queued for the "
            "next tick.",
            file=sys.stderr,
        )
        return 1
    return 0


def _run(settings: Settings, args: argparse.Namespace) -> int:
    mode = require_for_run(settings, http=args.http)
    if not args.tick_seconds > 0:
        raise ConfigError("--tick-seconds must be more than 0")
    from bot.startup import binding
    from bot.wiring import build

    wolfpack = build(settings)
    try:
        # Stops here, with ConfigError, only when Slack refuses the token; an unreachable
        # Slack is reported by /healthz and looked at again in the background.
        wolfpack.watch_slack()
    except ConfigError:
        wolfpack.close()
        raise
    port = args.port or settings.port
    server: HttpServer | None = None
    if mode == "http":
        # Bound before the first tick: a port in use stops start-up with nothing begun.
        try:
            with binding(args.host, port):
                server = wolfpack.serve_http(args.host, port, threads=args.threads)
        except StartupError:
            wolfpack.close()
            raise
    if not args.no_scheduler:
        runner = wolfpack.scheduler(args.tick_seconds)
        # The tick watches the runner's stop flag, so a long fan-out ends after its current send.
        wolfpack.ticker.stopping = runner.stopping
        runner.start()
    if mode == "socket":
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        from bot.slack.health import TokenRefused
        from bot.slack.socket_mode import PING_SECONDS, SocketLink

        def interrupt(signum: int, frame: FrameType | None) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, interrupt)
        handler = SocketModeHandler(
            wolfpack.bolt,
            settings.app_token,
            web_client=wolfpack.client,
            ping_interval=PING_SECONDS,
        )
        link = SocketLink(handler.client)
        try:
            health = wolfpack.serve_health(args.host, port, link.state).start()
            log.info("Socket Mode; /healthz and /livez on %s:%d", args.host, health.port)
        except OSError as error:
            # Socket Mode needs no port for Slack: it goes on without its health answers.
            log.warning("Socket Mode: /healthz not served on port %d: %s", port, error.strerror)
        try:
            if link.connect():
                threading.Event().wait()
        except KeyboardInterrupt:
            pass
        except TokenRefused as error:
            raise ConfigError(str(error)) from None
        finally:
            handler.close()  # type: ignore[no-untyped-call]
            wolfpack.close()
        return 0
    assert server is not None
    signalled = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        # The HTTP loop runs on this (the main) thread and must keep running to finish the
        # requests in flight, so the shutdown itself runs on a thread of its own.
        # No I/O here: the signal may have interrupted this thread inside a write to stderr,
        # and writing to it again from the handler would fail ("reentrant call").
        if signalled.is_set():
            return
        signalled.set()
        threading.Thread(
            target=_shut_down,
            args=(wolfpack, server, signal.Signals(signum).name),
            name="shutdown",
            daemon=True,
        ).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"wolfpack: serving HTTP on {args.host}:{server.port}", file=sys.stderr)
    try:
        server.serve_forever()
    finally:
        # Waits for the running tick (it stops after its current send and gives back what it
        # claimed), lets go of the lease, finishes queued listener work, closes the database.
        wolfpack.close()
    _say("wolfpack: stopped")
    return 0


# How long a stopping process waits for the HTTP requests it is serving.
DRAIN_SECONDS = 5.0


def _shut_down(wolfpack: Wolfpack, server: HttpServer, reason: str) -> None:
    """No tick starts from now on and the running one ends after its current send; no new
    connection is accepted; the requests being served finish and are answered; then the HTTP
    loop ends (and `_run` closes the rest)."""
    try:
        _say(f"wolfpack: {reason}: shutting down")
        for runner in wolfpack.runners:
            runner.request_stop()
        server.drain(DRAIN_SECONDS)
    finally:
        server.stop()


def _say(line: str) -> None:
    """A line on stderr that cannot stop a shutdown: whoever read stderr may be gone (a closed
    pipe), and the process must still stop on SIGTERM."""
    try:
        print(line, file=sys.stderr, flush=True)
    except OSError:
        # Nobody reads it any more: what is still written there (log lines, the interpreter's
        # last flush at exit) goes nowhere instead of failing.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stderr.fileno())
        os.close(devnull)


if __name__ == "__main__":
    raise SystemExit(main())
