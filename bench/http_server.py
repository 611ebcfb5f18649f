"""How the HTTP serving stack answers signed Slack requests, served three ways in one run:

- `waitress`: what `wolfpack run --http` uses (the bot's WSGI front on waitress, listeners ack
  on the request thread: Bolt's process_before_response);
- `waitress+bolt-default`: the same server with Bolt's default mode, where the request thread
  polls for the ack while the listener runs on Bolt's pool;
- `bolt-dev-server`: Bolt's built-in development server (`App.start()`), the baseline.

The request is a signed `/checkin help` slash command: no Slack call, no database; what is
measured is the serving stack. Run: `python bench/http_server.py [--requests N] [--concurrency C]`.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from slack_bolt import App

from bot.config import load_settings
from bot.fake_slack import FakeSlack
from bot.simulate import sign
from bot.slack.app import build_bolt_app
from bot.slack.http import HttpServer, SlackHttpApp
from bot.wiring import HTTP_THREADS, Wolfpack, build

SECRET = "bench-secret"


def _body() -> bytes:
    return urlencode(
        {
            "team_id": "T0001",
            "channel_id": "C1",
            "user_id": "U1",
            "command": "/checkin",
            "text": "help",
            "trigger_id": "1.2.3",
            "api_app_id": "A1",
        }
    ).encode()


def _load(url: str, requests: int, concurrency: int) -> tuple[float, list[float]]:
    body = _body()
    parts = urlsplit(url)
    latencies: list[float] = []
    lock = threading.Lock()
    per_worker = requests // concurrency

    def worker() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine: list[float] = []
        for _ in range(per_worker):
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


def _bolt(wolfpack: Wolfpack) -> App:
    """The bot's listeners in Bolt's default mode (the ack awaited by polling)."""
    return build_bolt_app(
        wolfpack.flows,
        client=wolfpack.client,
        signing_secret=SECRET,
        listener_executor=wolfpack.executor,
        process_before_response=False,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as fake:
        settings = load_settings(
            {
                "SLACK_BOT_TOKEN": "xoxb-bench",
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": fake.url,
                "DATABASE_URL": f"sqlite:///{Path(tmp) / 'b.db'}",
            },
            env_file=None,
        )
        wolfpack = build(settings)
        print(f"{args.requests} signed slash commands, {args.concurrency} concurrent clients")

        # Baseline: Bolt's development server.
        dev_bolt = build_bolt_app(
            wolfpack.flows,
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
            wolfpack.flows,
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
        wolfpack.close()


if __name__ == "__main__":
    main()
