"""How the HTTP serving stack answers signed Slack requests, served three ways in one run:

- `waitress`: what `wolfpack run --http` uses (the bot's WSGI front on waitress, listeners ack
  on the request thread: Bolt's process_before_response);
- `waitress+bolt-default`: the same server with Bolt's default mode, where the request thread
  polls for the ack while the listener runs on Bolt's pool;
- `bolt-dev-server`: Bolt's built-in development server (`App.start()`), the baseline.

The first request is a signed `/checkin help` slash command: no Slack call, no database; what
is measured is the serving stack. The second part sizes waitress' thread pool on the request
that matters most, a `/checkin` that reads the pack from the database and opens the modal with
`views.open` on the fake Slack before it answers. Run:
`python bench/http_server.py [--requests N] [--concurrency C]`.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from slack_bolt import App

from bot.config import Settings, load_settings
from bot.core.packs import PackDraft, PackSettings
from bot.core.usecases import packs
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.processes import process_env
from bot.devtools.simulate import sign
from bot.slack.app import build_bolt_app
from bot.slack.http import HttpServer, SlackHttpApp
from bot.wiring import HTTP_THREADS, Wolfpack, build

SECRET = "bench-secret"


_triggers = itertools.count(1)


def _body(text: str) -> bytes:
    """A slash command with a fresh trigger_id: Slack's, like the fake's, work once."""
    return urlencode(
        {
            "team_id": "T0001",
            "channel_id": "C1",
            "user_id": "U1",
            "command": "/checkin",
            "text": text,
            "trigger_id": f"{next(_triggers)}.1.bench",
            "api_app_id": "A1",
        }
    ).encode()


def _load(
    url: str, requests: int, concurrency: int, text: str = "help"
) -> tuple[float, list[float]]:
    parts = urlsplit(url)
    latencies: list[float] = []
    lock = threading.Lock()
    per_worker = requests // concurrency

    def worker() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine: list[float] = []
        for _ in range(per_worker):
            body = _body(text)
            ts = int(time.time())
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Slack-Request-Timestamp": str(ts),
                "X-Slack-Signature": sign(SECRET, body, ts),
            }
            started = time.perf_counter()
            conn.request("POST", parts.path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            assert response.status == 200, response.status
        conn.close()
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for future in [pool.submit(worker) for _ in range(concurrency)]:
            future.result()
    return time.perf_counter() - started, latencies


def _report(name: str, elapsed: float, latencies: list[float], baseline: float | None) -> float:
    rate = len(latencies) / elapsed
    q = statistics.quantiles(latencies, n=100)
    ratio = f"{rate / baseline:5.1f}x" if baseline else "  1.0x"
    p50, p99 = q[49] * 1000, q[98] * 1000
    print(f"{name:24s} {rate:8.0f} req/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  {ratio}")
    return rate


@contextlib.contextmanager
def _bot_process(settings: Settings, threads: int) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = process_env(
        SLACK_BOT_TOKEN="xoxb-bench",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=settings.slack_api_url,
        DATABASE_URL=settings.database_url,
        LOG_LEVEL="ERROR",
    )
    command = [sys.executable, "-m", "bot", "run", "--http", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--threads", str(threads)]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        while "serving HTTP" not in process.stderr.readline():
            assert process.poll() is None, "the bot did not start"
        yield f"http://127.0.0.1:{port}/slack/events"
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stderr is not None:
            process.stderr.close()


def _bolt(wolfpack: Wolfpack) -> App:
    """The bot's listeners in Bolt's default mode (the ack awaited by polling)."""
    return build_bolt_app(
        wolfpack.workspace,
        client=wolfpack.client,
        signing_secret=SECRET,
        listener_executor=wolfpack.executor,
        process_before_response=False,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as fake:
        settings = load_settings(
            {
                "SLACK_BOT_TOKEN": "xoxb-bench",
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": fake.url,
                "DATABASE_URL": args.database_url or f"sqlite:///{Path(tmp) / 'b.db'}",
            },
            env_file=None,
        )
        wolfpack = build(settings)
        print(f"{args.requests} signed slash commands, {args.concurrency} concurrent clients")

        # Baseline: Bolt's development server.
        dev_bolt = build_bolt_app(
            wolfpack.workspace,
            client=wolfpack.client,
            signing_secret=SECRET,
            listener_executor=wolfpack.executor,
            process_before_response=False,
        )
        from slack_bolt.app.app import SlackAppDevelopmentServer

        dev = SlackAppDevelopmentServer(
            port=0, path="/slack/events", app=dev_bolt, http_server_logger_enabled=False
        )
        dev_port = dev._server.server_address[1]
        threading.Thread(target=dev._server.serve_forever, daemon=True).start()
        elapsed, lat = _load(
            f"http://127.0.0.1:{dev_port}/slack/events", args.requests, args.concurrency
        )
        base = _report("bolt-dev-server", elapsed, lat, None)
        dev._server.shutdown()
        dev._server.server_close()

        default_bolt = build_bolt_app(
            wolfpack.workspace,
            client=wolfpack.client,
            signing_secret=SECRET,
            listener_executor=wolfpack.executor,
            process_before_response=False,
        )
        server = HttpServer(
            SlackHttpApp(default_bolt, SECRET, wolfpack.db.ping), "127.0.0.1", 0, HTTP_THREADS
        ).start()
        elapsed, lat = _load(f"{server.url}/slack/events", args.requests, args.concurrency)
        _report("waitress+bolt-default", elapsed, lat, base)
        server.stop()

        server = wolfpack.serve_http().start()
        elapsed, lat = _load(f"{server.url}/slack/events", args.requests, args.concurrency)
        _report("waitress (wolfpack run)", elapsed, lat, base)
        server.stop()

        server.stop()
        wolfpack.close()
        print(f"\n/checkin opening the modal (database + views.open), {args.concurrency} clients,")
        print("bot in its own process (`wolfpack run --http --threads N`)")
        fake.add_user("U1", name="Ana", tz="Europe/Berlin")
        fake.add_channel("C1", name="team", members=["U1"])
        draft = PackDraft("C1", "team", PackSettings(timezone="UTC"), ("U1",), ("U1",), "U1")
        packs.save_pack(wolfpack.workspace("T0001"), "U1", draft)
        first: float | None = None
        for threads in (2, 4, 8, HTTP_THREADS, 32):
            with _bot_process(settings, threads) as url:
                elapsed, lat = _load(url, args.requests // 2, args.concurrency, text="")
            rate = _report(f"threads={threads}", elapsed, lat, first)
            first = first or rate


if __name__ == "__main__":
    main()
