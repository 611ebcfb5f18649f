"""Ten minutes (by default) of steady, mixed, signed traffic on the real `wolfpack run --http`
(PostgreSQL, scheduler on), watching the bot process: its resident memory (VmRSS), threads and
open files every 10 s, from the end of a one-minute warm-up to the end of the run.

It reuses bench/load.py: its request builders and mix, the database it creates for the run and
drops at the end, the pack it seeds through signed requests (`/wolfpack setup` and its modal, a
pack of 8, 3 statements, proposals) and its `Server`. The mix, in turn, in every 48 requests:
`/checkin help`, `/direction list` and a proposal "agree" click, 12 each (load.py's `_mix`); a
check-in modal submission, 4 (4 members, each submitting the modal the bot opened for them);
`app_home_opened`, 4; `member_joined_channel`, 3; `/direction add` with a new statement, 1. A
client process of its own sends them at a steady rate (`--rate`, default 50 requests/s) over
`--concurrency` keep-alive connections (default 8), each request signed when it is sent, with
a fresh trigger_id, event_id and statement text.

Exits 1 when RSS grew by 10 % or more from minute 1 to the end, on any error (a status other
than 200, a broken connection, a "Something went wrong" reply, a modal answered with errors, a
statement not added, an error logged by the bot or the fake) or on any answer slower than 3 s.

Run: `python bench/soak.py [--minutes 10] [--rate 50] [--concurrency 8]`; `--minutes 1` checks
that it works (the warm-up is then the first 20 s).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from load import (
    CHANNEL,
    SECRET,
    SLOW,
    TEAM,
    TRIGGER,
    USERS,
    Connection,
    Server,
    _command,
    _free_port,
    _mix,
    _quantiles,
    _seed,
    bench_world,
    signed_request,
)

ROOT = Path(__file__).resolve().parents[1]
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
SAMPLE_SECONDS = 10.0
GROWTH_LIMIT = 0.10
SUBMITTERS = USERS[1:5]
ANSWER = {
    "q:progress": "Shipped the soak run",
    "q:focus": "Reading its figures",
    "q:alignment": "4",
}


# --- requests ---------------------------------------------------------------------------------


def _event(event: dict[str, Any]) -> str:
    return json.dumps(
        {
            "token": "unused",
            "team_id": TEAM,
            "api_app_id": "A0001",
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{TRIGGER}",
            "event_time": 1700000000,
            "authorizations": [
                {"team_id": TEAM, "user_id": "UBOT", "is_bot": True, "is_enterprise_install": False}
            ],
        }
    )


def _submission(view: dict[str, Any], user: str) -> str:
    from bot.devtools.simulate import state_of

    submitted = {**view, "id": f"V{user}", "team_id": TEAM}
    submitted["state"] = {"values": state_of(view, ANSWER)}
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "acme"},
        "user": {"id": user, "team_id": TEAM},
        "api_app_id": "A0001",
        "trigger_id": TRIGGER,
        "view": submitted,
        "is_enterprise_install": False,
    }
    return urlencode({"payload": json.dumps(payload)})


def _extra(n: int, views: dict[str, dict[str, Any]]) -> tuple[str, str, str]:
    """The n-th (of 12) request of a kind load.py's mix does not send."""
    other = USERS[(n + 5) % len(USERS)]
    if n == 11:
        text = f"add Soak statement {TRIGGER}"
        return "direction-add", FORM, _command("/direction", text, other).decode()
    if n % 3 == 0:
        user = SUBMITTERS[n // 3]
        return "checkin-submit", FORM, _submission(views[user], user)
    if n % 3 == 1:
        opened = {"type": "app_home_opened", "user": other, "channel": "D1", "tab": "home"}
        return "home-opened", JSON, _event(opened)
    joined = {"type": "member_joined_channel", "user": other, "channel": CHANNEL, "team": TEAM}
    return "member-joined", JSON, _event(joined)


def _soak_mix(
    proposals: list[tuple[int, str]], views: dict[str, dict[str, Any]]
) -> list[tuple[str, str, str]]:
    """(kind, content type, body): load.py's mix, with a request of another kind after every
    three of it."""
    extras = [_extra(n, views) for n in range(12)]
    out: list[tuple[str, str, str]] = []
    for n, (kind, body) in enumerate(_mix(proposals)):
        out.append((kind, FORM, body))
        if n % 3 == 2:
            out.append(extras[(n // 3) % len(extras)])
    return out


# --- the client (a process of its own) --------------------------------------------------------


async def _paced(spec: dict[str, Any]) -> dict[str, Any]:
    """Request i leaves at start + i / rate, on the first of `concurrency` connections free
    by then; the latency is from sending to the whole answer read."""
    host, port, path = spec["host"], spec["port"], spec["path"]
    secret = spec["secret"].encode()
    mix = [(kind, ctype.encode(), body.encode()) for kind, ctype, body in spec["mix"]]
    rate, seconds, run = spec["rate"], spec["seconds"], spec["run"]
    counter = itertools.count()
    latencies: dict[str, list[float]] = {kind: [] for kind, _, _ in mix}
    errors: list[str] = []
    late = [0.0]
    head = f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n".encode()
    started = time.perf_counter()

    def check(kind: str, status: int, answer: bytes) -> str | None:
        if status != 200:
            return f"HTTP {status} {answer[:200]!r}"
        if b"Something went wrong" in answer:
            return f"{answer[:200]!r}"
        if kind == "checkin-submit" and b'"response_action"' in answer:
            return f"the modal was answered with {answer[:200]!r}"
        if kind == "direction-add" and b"Added" not in answer:
            return f"not added: {answer[:200]!r}"
        return None

    async def worker() -> None:
        connection = await Connection(host, port).open()
        try:
            while True:
                i = next(counter)
                due = started + i / rate
                if due - started >= seconds:
                    return
                wait = due - time.perf_counter()
                if wait > 0:
                    await asyncio.sleep(wait)
                else:
                    late[0] = max(late[0], -wait)
                kind, content_type, template = mix[i % len(mix)]
                request = signed_request(head, secret, content_type, template, f"{run}x{i}.soak")
                got = await connection.exchange(request)
                if isinstance(got, str):
                    errors.append(f"{kind}: {got}")
                    continue
                status, answer, took = got
                latencies[kind].append(took)
                problem = check(kind, status, answer)
                if problem:
                    errors.append(f"{kind}: {problem}")
        finally:
            connection.close()

    await asyncio.gather(*(worker() for _ in range(spec["concurrency"])))
    return {
        "elapsed": time.perf_counter() - started,
        "latencies": latencies,
        "errors": errors,
        "late": late[0],
    }


def client_main() -> None:
    spec = json.loads(sys.stdin.read())
    try:
        import uvloop

        result = uvloop.run(_paced(spec))
    except ImportError:
        result = asyncio.run(_paced(spec))
    json.dump(result, sys.stdout)


# --- watching the bot -------------------------------------------------------------------------


def _process_sample(pid: int) -> dict[str, float]:
    """VmRSS (MiB), threads and open file descriptors of a process, from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.split()
    return {
        "rss": int(fields["VmRSS"][0]) / 1024,
        "threads": int(fields["Threads"][0]),
        "fds": len(os.listdir(f"/proc/{pid}/fd")),
    }


class Sampler:
    """Samples the process every SAMPLE_SECONDS on a thread of its own, from `start()`."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.samples: list[tuple[float, dict[str, float]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.started = 0.0

    def start(self) -> None:
        self.started = time.monotonic()
        self._thread.start()

    def _run(self) -> None:
        while True:
            at = time.monotonic() - self.started
            sample = _process_sample(self.pid)
            self.samples.append((at, sample))
            print(
                f"  t={at:4.0f} s  RSS {sample['rss']:6.1f} MiB  threads {sample['threads']:3.0f}"
                f"  fds {sample['fds']:3.0f}",
                flush=True,
            )
            if self._stop.wait(SAMPLE_SECONDS):
                return

    def stop(self) -> None:
        self.samples.append((time.monotonic() - self.started, _process_sample(self.pid)))
        self._stop.set()
        self._thread.join()

    def at(self, seconds: float) -> tuple[float, dict[str, float]]:
        """The first sample taken at or after `seconds`."""
        return next((s for s in self.samples if s[0] >= seconds), self.samples[-1])


# --- orchestration ----------------------------------------------------------------------------


def _checkin_views(url: str, fake: Any) -> dict[str, dict[str, Any]]:
    """The check-in modal the bot opens for each submitter."""
    from bot.devtools.simulate import SlackSide

    side = SlackSide(url, SECRET, team_id=TEAM)
    views: dict[str, dict[str, Any]] = {}
    for user in SUBMITTERS:
        before = len(fake.calls_to("views.open"))
        reply, _ = side.command("/checkin", "", user=user, channel=CHANNEL)
        assert reply.status == 200 and not reply.body, reply.body
        view = fake.calls_to("views.open")[before].args["view"]
        assert view["callback_id"] == "checkin", view
        views[user] = view
    return views


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=50.0, help="requests per second")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--proposals", type=int, default=8)
    parser.add_argument(
        "--database-url",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="a database on the server where wolfpack_bench_load is created",
    )
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        client_main()
        return 0

    seconds = args.minutes * 60
    warmup = min(60.0, seconds / 3)
    failures: list[str] = []
    with bench_world(args.database_url) as (fake, env):
        port = _free_port()
        command = [sys.executable, "-m", "bot", "run", "--http", "--host", "127.0.0.1"]
        command += ["--port", str(port)]
        print(f"starting: wolfpack run --http --port {port} (PostgreSQL, scheduler on)")
        server = Server("wolfpack-run", command, env, port)
        try:
            url = f"http://127.0.0.1:{port}/slack/events"
            print("seeding through signed requests:")
            proposals = _seed(url, fake, args.proposals)
            mix = _soak_mix(proposals, _checkin_views(url, fake))
            kinds = sorted({kind for kind, _, _ in mix})
            print(
                f"mix: {len(mix)} request templates in turn ({', '.join(kinds)}); "
                f"{args.rate:.0f} req/s on {args.concurrency} connections for "
                f"{args.minutes:g} min; warm-up {warmup:.0f} s"
            )
            spec = {
                "host": "127.0.0.1",
                "port": port,
                "path": "/slack/events",
                "secret": SECRET,
                "mix": mix,
                "rate": args.rate,
                "seconds": seconds,
                "concurrency": args.concurrency,
                "run": 1,
            }
            sampler = Sampler(server.process.pid)
            client = subprocess.Popen(
                [sys.executable, __file__, "--client"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
            sampler.start()
            out, err = client.communicate(json.dumps(spec), timeout=seconds + 120)
            sampler.stop()
            if client.returncode != 0:
                raise SystemExit(f"the client failed:\n{err}")
            result: dict[str, Any] = json.loads(out)
            updates = len(fake.calls_to("chat.update"))
            publishes = len(fake.calls_to("views.publish"))
        finally:
            server.stop()
        failures += [f"wolfpack-run logged: {line}" for line in server.errors()]
        failures += [f"fake Slack: {error.splitlines()[0]}" for error in fake.errors]
        failures += [f"unknown Slack method {c.method}" for c in fake.unknown_method_calls]

    values = [v for lat in result["latencies"].values() for v in lat]
    p50, p95, p99, worst = _quantiles(values)
    (t1, first), (t2, last) = sampler.at(warmup), sampler.samples[-1]
    growth = (last["rss"] - first["rss"]) / first["rss"]
    print(
        f"\n{len(values):,} requests in {result['elapsed']:.0f} s "
        f"({len(values) / result['elapsed']:.1f} req/s; at most {result['late'] * 1000:.0f} ms "
        f"behind schedule), {len(result['errors'])} errors"
    )
    print(f"latency ms: p50 {p50:.1f}  p95 {p95:.1f}  p99 {p99:.1f}  max {worst:.1f}")
    for kind, lat in sorted(result["latencies"].items()):
        k50, _, k99, kmax = _quantiles(lat)
        print(f"  {kind:16s} {len(lat):6,}  p50 {k50:6.1f}  p99 {k99:6.1f}  max {kmax:7.1f}")
    print(
        f"RSS: {first['rss']:.1f} MiB at {t1:.0f} s (after warm-up), {last['rss']:.1f} MiB at "
        f"{t2:.0f} s: {growth * 100:+.1f} %; threads {first['threads']:.0f} -> "
        f"{last['threads']:.0f}, fds {first['fds']:.0f} -> {last['fds']:.0f}"
    )
    print(f"fake Slack: {updates:,} chat.update, {publishes:,} views.publish")
    failures += result["errors"][:20]
    slow = sum(v > SLOW for v in values)
    if slow:
        failures.append(f"{slow} answers slower than {SLOW:.0f} s")
    if growth >= GROWTH_LIMIT:
        failures.append(f"RSS grew {growth * 100:.1f} % (limit {GROWTH_LIMIT * 100:.0f} %)")
    if failures:
        print("\nFAILED:")
        for line in failures[:40]:
            print(f"  {line}")
        return 1
    print("no errors; every answer within 3 s; RSS growth under 10 %")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
