"""Signed Slack traffic on the real `wolfpack run --http --no-scheduler` (PostgreSQL), against
bare Bolt apps that only ack, measured in the same run with the same client.

Stacks, each a process of its own (the fake Slack runs in this process, the load generator in
another, so neither shares a GIL with a server):

- `wolfpack-run`: the real command, on a database `wolfpack_bench_load` created for the run
  and dropped at the end, seeded through signed requests (a pack set up with `/wolfpack setup`
  and its modal, statements, proposals);
- `bare-bolt-sql`: the same bare `slack_bolt.App` on the same server, whose listeners do by hand
  (SQLAlchemy Core, no ORM, no domain code) the least database work and Slack calls the bot's
  answers need: the statements with counts, an open proposal checked and a position inserted,
  the counts read again and `chat.update` on a thread pool after the answer. What a Slack app
  doing this work can reach on this stack;
- `bare-bolt-waitress`: a bare `slack_bolt.App` (process_before_response, request verification
  on, token verification off) whose listeners only `ack()`, behind Bolt's own WSGI adapter
  (`slack_bolt.adapter.wsgi.SlackRequestHandler`) on the bot's waitress server
  (`bot.slack.http.HttpServer`, same options and thread count as `wolfpack run`): the same
  server stack;
- `bare-asyncapp-uvicorn`: a bare `AsyncApp` under uvicorn (uvloop + httptools, one worker),
  the fastest bare stack measured here;
- `ceiling-waitress` and `ceiling-uvicorn`: a trivial app answering 200 at once, on each
  server: what the client and the server alone can do.

The client is asyncio over raw keep-alive HTTP/1.1 sockets, one connection per concurrent
request, every request signed when it is sent (fresh timestamp, HMAC-SHA256, fresh trigger_id).
The mix, in turn: `/checkin help` (no Slack call, no database), `/direction list` (reads the
database) and a `proposal_respond` "agree" click (writes a response, reads the proposal's
responses and calls chat.update on the fake before it answers). Each level is bounded by a
request count and a time cap. Exits 1 on any error (status other than 200, a broken
connection, the bot's "Something went wrong" reply, an error logged by the bot or the fake) or
any answer slower than 3 s.

`--only KIND` (`checkin-help`, `direction-list` or `click-agree`) sends requests of that one
kind instead of the mix, to every stack alike.

Run: `python bench/load.py [--levels 1,8,64] [--counts 2000,5000,5000] [--time-cap 40]
[--only KIND]`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

SECRET = "bench-load-secret-0123456789abcdef"
TOKEN = "xoxb-bench-load"
TEAM = "T0001"
CHANNEL = "CTEAM"
USERS = [f"U{i:03d}" for i in range(1, 9)]
DB_NAME = "wolfpack_bench_load"
TRIGGER = "XTRIGGERX"  # replaced in each request by a fresh trigger_id
SLOW = 3.0  # Slack's limit for an ack
ROOT = Path(__file__).resolve().parents[1]


# --- requests ---------------------------------------------------------------------------


def _command(command: str, text: str, user: str) -> bytes:
    return urlencode(
        {
            "token": "unused",
            "team_id": TEAM,
            "team_domain": "acme",
            "channel_id": CHANNEL,
            "channel_name": "team",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0001",
            "is_enterprise_install": "false",
            "response_url": f"https://hooks.slack.invalid/commands/{TRIGGER}",
            "trigger_id": TRIGGER,
        }
    ).encode()


def _click(proposal_id: int, ts: str, user: str) -> bytes:
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "acme"},
        "user": {"id": user, "team_id": TEAM},
        "api_app_id": "A0001",
        "trigger_id": TRIGGER,
        "actions": [
            {
                "type": "button",
                "action_id": "proposal_respond",
                "block_id": "b",
                "value": f"{proposal_id}:agree",
                "action_ts": "1700000000.000001",
            }
        ],
        "response_url": f"https://hooks.slack.invalid/actions/{TRIGGER}",
        "channel": {"id": CHANNEL},
        "container": {"type": "message", "channel_id": CHANNEL, "message_ts": ts},
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


KINDS = ("checkin-help", "direction-list", "click-agree")


def _mix(proposals: list[tuple[int, str]], only: str | None = None) -> list[tuple[str, str]]:
    """(kind, body) in turn: every user clicks every proposal once per cycle. With `only`,
    the requests of that kind alone, in the same order."""
    out: list[tuple[str, str]] = []
    for n, (user, (pid, ts)) in enumerate(itertools.product(USERS, proposals)):
        other = USERS[(n + 3) % len(USERS)]
        out.append(("checkin-help", _command("/checkin", "help", other).decode()))
        out.append(("direction-list", _command("/direction", "list", other).decode()))
        out.append(("click-agree", _click(pid, ts, user).decode()))
    return [(kind, body) for kind, body in out if only is None or kind == only]


# --- the load generator (a process of its own) ------------------------------------------


def signed_request(
    head: bytes, secret: bytes, content_type: bytes, template: bytes, trigger: str
) -> bytes:
    """An HTTP request of `template` with a fresh trigger id (TRIGGER replaced by `trigger` and
    the time), signed now as Slack signs."""
    ts = str(int(time.time()))
    body = template.replace(TRIGGER.encode(), f"{trigger}.{ts}".encode())
    signature = hmac.new(secret, b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    return b"".join(
        (
            head,
            b"Content-Type: " + content_type + b"\r\n",
            b"Content-Length: %d\r\n" % len(body),
            b"X-Slack-Request-Timestamp: " + ts.encode() + b"\r\n",
            b"X-Slack-Signature: v0=" + signature.encode() + b"\r\n\r\n",
            body,
        )
    )


class Connection:
    """One keep-alive connection of a load generator: sends a request and reads its answer,
    connecting again after a failure or when the server closes the connection."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> Connection:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return self

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()

    async def exchange(self, request: bytes) -> tuple[int, bytes, float] | str:
        """(status, body, seconds to the answer), or what went wrong."""
        assert self.reader is not None and self.writer is not None
        sent = time.perf_counter()
        try:
            async with asyncio.timeout(10):
                self.writer.write(request)
                status, answer, close = await _read_response(self.reader)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as error:
            self.close()
            await self.open()
            return f"{type(error).__name__} {error}"
        seconds = time.perf_counter() - sent
        if close:
            self.close()
            await self.open()
        return status, answer, seconds


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, chunked, close = 0, False, False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value:
            chunked = True
        elif name == "connection" and value == "close":
            close = True
    if not chunked:
        return status, await reader.readexactly(length) if length else b"", close
    body = b""
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        body += await reader.readexactly(size + 2)
        if size == 0:
            return status, body, close


async def _generate(spec: dict[str, Any]) -> dict[str, Any]:
    host, port, path = spec["host"], spec["port"], spec["path"]
    secret = spec["secret"].encode()
    mix = [(kind, body.encode()) for kind, body in spec["mix"]]
    count, concurrency = spec["count"], spec["concurrency"]
    counter = itertools.count()
    latencies: dict[str, list[float]] = {kind: [] for kind, _ in mix}
    errors: list[str] = []
    head = f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n".encode()
    started = time.perf_counter()
    deadline = started + spec["time_cap"]
    run = spec["run"]  # keeps trigger_ids unique across levels

    async def worker() -> None:
        connection = await Connection(host, port).open()
        try:
            while True:
                i = next(counter)
                if i >= count or time.perf_counter() > deadline:
                    return
                kind, template = mix[i % len(mix)]
                request = signed_request(
                    head, secret, b"application/x-www-form-urlencoded", template, f"{run}x{i}.bench"
                )
                got = await connection.exchange(request)
                if isinstance(got, str):
                    errors.append(f"{kind}: {got}")
                    continue
                status, answer, seconds = got
                latencies[kind].append(seconds)
                if status != 200:
                    errors.append(f"{kind}: HTTP {status} {answer[:200]!r}")
                elif b"Something went wrong" in answer:
                    errors.append(f"{kind}: {answer[:200]!r}")
        finally:
            connection.close()

    cpu = time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return {
        "elapsed": time.perf_counter() - started,
        "latencies": latencies,
        "errors": errors,
        "client_cpu": time.process_time() - cpu,
    }


def client_main() -> None:
    spec = json.loads(sys.stdin.read())
    try:
        import uvloop

        result = uvloop.run(_generate(spec))
    except ImportError:
        result = asyncio.run(_generate(spec))
    json.dump(result, sys.stdout)


# --- bare servers (each a process of its own) -------------------------------------------


def _bare_bolt(fake_url: str) -> Any:
    from slack_bolt import App
    from slack_sdk import WebClient

    return App(
        client=WebClient(token=TOKEN, base_url=fake_url),
        signing_secret=SECRET,
        process_before_response=True,
        request_verification_enabled=True,
        token_verification_enabled=False,
    )


# The least SQL the bot's answers need, written by hand (bare-bolt-sql): statements with their
# counts for a member of the channel's pack; an open proposal the member may answer; a position
# recorded; each member's latest position counted.
_LIST_SQL = """
WITH pack AS (
    SELECT p.id FROM packs p
    JOIN workspaces w ON w.id = p.workspace_id AND w.team_id = :team
    JOIN memberships m ON m.pack_id = p.id AND m.user_id = :user AND m.active
    WHERE p.channel_id = :channel),
latest AS (
    SELECT statement_id, value FROM votes WHERE id IN (
        SELECT max(id) FROM votes WHERE pack_id IN (SELECT id FROM pack)
        GROUP BY statement_id, user_id))
SELECT s.id, s.text,
       count(l.value) FILTER (WHERE l.value = 1), count(l.value) FILTER (WHERE l.value = -1),
       count(l.value) FILTER (WHERE l.value = 0)
FROM statements s JOIN pack ON s.pack_id = pack.id
LEFT JOIN latest l ON l.statement_id = s.id
WHERE NOT s.hidden
GROUP BY s.id, s.text ORDER BY s.id
"""
_OPEN_SQL = """
SELECT pr.id, pr.workspace_id FROM proposals pr
JOIN workspaces w ON w.id = pr.workspace_id AND w.team_id = :team
JOIN memberships m ON m.pack_id = pr.pack_id AND m.user_id = :user AND m.active
WHERE pr.id = :proposal AND pr.outcome IS NULL AND pr.closes_at > now()
"""
_RESPOND_SQL = """
INSERT INTO proposal_responses (workspace_id, proposal_id, user_id, position, reason, created_at)
VALUES (:workspace, :proposal, :user, :position, '', now())
"""
_COUNT_SQL = """
SELECT pr.text, pr.channel_id, pr.message_ts, c.position, c.n
FROM proposals pr LEFT JOIN (
    SELECT position, count(*) AS n FROM proposal_responses WHERE id IN (
        SELECT max(id) FROM proposal_responses WHERE proposal_id = :proposal GROUP BY user_id)
    GROUP BY position) c ON true
WHERE pr.id = :proposal
"""


def _serve_bare_sql(fake_url: str) -> Any:
    """A bare Bolt app doing by hand, on SQLAlchemy Core, the database reads and writes and the
    message update the bot does for the same three requests, with nothing else: no domain
    objects, no ORM, no checks beyond the SQL's joins."""
    from concurrent.futures import ThreadPoolExecutor

    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from sqlalchemy import create_engine, text

    from bot.slack.blocks.help import CHECKIN_HELP
    from bot.slack.mrkdwn import escape
    from bot.store.db import normalize_url

    app = _bare_bolt(fake_url)
    engine = create_engine(normalize_url(os.environ["DATABASE_URL"]), pool_size=20, max_overflow=20)
    later = ThreadPoolExecutor(16)
    listing, open_proposal = text(_LIST_SQL), text(_OPEN_SQL)
    respond, counting = text(_RESPOND_SQL), text(_COUNT_SQL)

    def checkin(ack: Any) -> None:
        ack(text=CHECKIN_HELP)

    def direction(ack: Any, body: dict[str, Any]) -> None:
        where = {"team": body["team_id"], "channel": body["channel_id"], "user": body["user_id"]}
        with engine.connect() as conn:
            rows = conn.execute(listing, where).all()
        blocks = [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"{escape(t)}\n{a} agree · {d} disagree · {p} pass",
                },
            }
            for _, t, a, d, p in rows
        ]
        ack(text="Statements", blocks=blocks)

    def refresh(client: Any, proposal_id: int) -> None:
        with engine.connect() as conn:
            rows = conn.execute(counting, {"proposal": proposal_id}).all()
        counts = {position: n for *_, position, n in rows}
        body, channel, ts = rows[0][:3]
        summary = " · ".join(
            f"{counts.get(p, 0)} {p}" for p in ("agree", "abstain", "disagree", "block")
        )
        client.chat_update(
            channel=channel,
            ts=ts,
            text=f"Proposal #{proposal_id}",
            blocks=[
                {
                    "type": "section",
                    "text": {"type": "mrkdwn", "text": f">{escape(body)}\n{summary}"},
                }
            ],
        )

    def click(ack: Any, body: dict[str, Any], client: Any) -> None:
        ack()
        raw_id, position = str(body["actions"][0]["value"]).split(":", 1)
        where = {"team": body["team"]["id"], "user": body["user"]["id"], "proposal": int(raw_id)}
        with engine.begin() as conn:
            found = conn.execute(open_proposal, where).first()
            if found is None:
                return
            conn.execute(respond, {**where, "workspace": found[1], "position": position})
        later.submit(refresh, client, int(raw_id))

    app.command("/checkin")(checkin)
    app.command("/direction")(direction)
    app.action("proposal_respond")(click)
    return SlackRequestHandler(app)


def serve_main(kind: str, port: int, fake_url: str) -> None:
    if kind in ("bare-bolt-waitress", "bare-bolt-sql"):
        from slack_bolt.adapter.wsgi import SlackRequestHandler

        from bot.slack.http import HttpServer
        from bot.wiring import HTTP_THREADS

        if kind == "bare-bolt-sql":
            handler = _serve_bare_sql(fake_url)
        else:
            app = _bare_bolt(fake_url)

            def only_ack(ack: Any) -> None:
                ack()

            app.command("/checkin")(only_ack)
            app.command("/direction")(only_ack)
            app.action("proposal_respond")(only_ack)
            handler = SlackRequestHandler(app)
        server = HttpServer(handler, "127.0.0.1", port, HTTP_THREADS)
        print("serving HTTP", file=sys.stderr, flush=True)
        server.serve_forever()
    elif kind == "ceiling-waitress":
        from bot.slack.http import HttpServer
        from bot.wiring import HTTP_THREADS

        def trivial(environ: dict[str, Any], start_response: Any) -> list[bytes]:
            environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "0")])
            return [b""]

        server = HttpServer(trivial, "127.0.0.1", port, HTTP_THREADS)
        print("serving HTTP", file=sys.stderr, flush=True)
        server.serve_forever()
    elif kind in ("bare-asyncapp-uvicorn", "ceiling-uvicorn"):
        import uvicorn

        asgi: Any
        if kind == "bare-asyncapp-uvicorn":
            from slack_bolt.adapter.asgi.async_handler import AsyncSlackRequestHandler
            from slack_bolt.async_app import AsyncApp
            from slack_sdk.web.async_client import AsyncWebClient

            aapp = AsyncApp(
                client=AsyncWebClient(token=TOKEN, base_url=fake_url),
                signing_secret=SECRET,
                process_before_response=True,
                request_verification_enabled=True,
            )  # AsyncApp has no token verification at start: auth.test comes lazily

            async def only_ack_async(ack: Any) -> None:
                await ack()

            aapp.command("/checkin")(only_ack_async)
            aapp.command("/direction")(only_ack_async)
            aapp.action("proposal_respond")(only_ack_async)
            asgi = AsyncSlackRequestHandler(aapp)
        else:

            async def asgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
                if scope["type"] != "http":
                    return
                more = True
                while more:
                    more = (await receive()).get("more_body", False)
                await send(
                    {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": [(b"content-length", b"0")],
                    }
                )
                await send({"type": "http.response.body", "body": b""})

        print("serving HTTP", file=sys.stderr, flush=True)
        uvicorn.run(
            asgi,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            access_log=False,
            loop="uvloop",
            http="httptools",
            lifespan="off",
        )
    else:
        raise SystemExit(f"unknown server {kind}")


# --- orchestration ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """A server process; its stderr is read on a thread (errors counted, the pipe drained)."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], port: int) -> None:
        self.name = name
        self.port = port
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            command, env=env, stderr=subprocess.PIPE, text=True, cwd=ROOT
        )
        started = threading.Event()

        def drain() -> None:
            assert self.process.stderr is not None
            for line in self.process.stderr:
                if "serving HTTP" in line:
                    started.set()
                    continue
                self.lines.append(line.rstrip())

        threading.Thread(target=drain, daemon=True).start()
        deadline = time.monotonic() + 60
        while not started.wait(0.1):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{name} did not start:\n" + "\n".join(self.lines[-30:]))
        _wait_listening(port)

    def errors(self) -> list[str]:
        return [
            line
            for line in self.lines
            if any(word in line for word in ("ERROR", "Traceback", "CRITICAL", "Exception"))
        ]

    def cpu(self) -> float:
        """User + system CPU seconds of the process so far (all its threads)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _wait_listening(port: int) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _postgres_times() -> dict[int, float]:
    """CPU seconds used so far by each PostgreSQL process on this machine."""
    found: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        if raw[raw.find("(") + 1 : raw.rfind(")")].startswith("postgres"):
            fields = raw.rsplit(")", 1)[1].split()
            found[int(entry.name)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return found


def _postgres_cpu(before: dict[int, float]) -> float:
    """PostgreSQL CPU since `before`, over processes alive at the end (the bot's pooled
    backends stay; a backend that ended in between is missed: a lower bound)."""
    return sum(t - before.get(pid, 0.0) for pid, t in _postgres_times().items())


@contextlib.contextmanager
def _database(admin_url: str) -> Iterator[str]:
    import psycopg

    parts = urlsplit(admin_url)
    conninfo = urlunsplit(("postgresql", parts.netloc, parts.path or "/postgres", "", ""))
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    try:
        yield urlunsplit(("postgresql", parts.netloc, f"/{DB_NAME}", "", ""))
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


@contextlib.contextmanager
def bench_world(admin_url: str) -> Iterator[tuple[Any, dict[str, str]]]:
    """A fresh database and a fake Slack with the team's 8 people in its channel; yields the
    fake and the environment a `wolfpack run` needs to use both."""
    from bot.devtools.fake_slack import FakeSlack
    from bot.devtools.processes import process_env

    with _database(admin_url) as db_url, FakeSlack(team_id=TEAM) as fake:
        fake.add_user(USERS[0], name="Ana", tz="Europe/Berlin", is_admin=True)
        for user in USERS[1:]:
            fake.add_user(user, name=user, tz="UTC")
        fake.add_channel(CHANNEL, name="team", members=USERS)
        yield (
            fake,
            process_env(
                PYTHONPATH=str(ROOT),
                SLACK_BOT_TOKEN=TOKEN,
                SLACK_SIGNING_SECRET=SECRET,
                SLACK_API_URL=fake.url,
                DATABASE_URL=db_url,
                LOG_LEVEL="WARNING",
            ),
        )


def _seed(url: str, fake: Any, proposals: int) -> list[tuple[int, str]]:
    """A pack of 8 set up as an admin does, 3 statements, and open proposals; returns the
    proposals' (id, message ts)."""
    from bot.devtools.simulate import SlackSide

    side = SlackSide(url, SECRET, team_id=TEAM)
    reply, _ = side.command("/wolfpack", "setup", user=USERS[0], channel=CHANNEL)
    assert reply.status == 200, reply.body
    fake.wait_for(
        lambda f: any(
            c.args["view"].get("callback_id") == "wolfpack_setup"
            for c in f.calls_to("views.update")
        ),
        timeout=30,
    )
    (view,) = [
        c.args["view"]
        for c in fake.calls_to("views.update")
        if c.args["view"].get("callback_id") == "wolfpack_setup"
    ][-1:]
    submitted = side.submit(view, user=USERS[0], values={"members": USERS})
    assert submitted.status == 200 and "errors" not in submitted.body, submitted.body
    for text in ("Ship weekly", "Write the docs first", "Keep the CLI small"):
        reply, _ = side.command("/direction", f"add {text}", user=USERS[1], channel=CHANNEL)
        assert reply.status == 200, reply.body
    for n in range(proposals):
        reply, _ = side.command(
            "/propose", f"Bench proposal {n + 1} --closes 7d", user=USERS[0], channel=CHANNEL
        )
        assert reply.status == 200 and "posted" in reply.body, reply.body

    def posted(f: Any) -> list[dict[str, Any]]:
        return [m for m in f.messages(CHANNEL) if "Proposal" in m.get("text", "")]

    fake.wait_for(lambda f: len(posted(f)) == proposals, timeout=30)
    found: list[tuple[int, str]] = []
    for message in posted(fake):
        values = [
            e.get("value", "")
            for b in message["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
        ]
        pid = int(next(v for v in values if v.endswith(":agree")).split(":")[0])
        found.append((pid, message["ts"]))
    # One of each request, checked by eye in the output.
    for command, text in (("/checkin", "help"), ("/direction", "list")):
        reply, _ = side.command(command, text, user=USERS[2], channel=CHANNEL)
        assert reply.status == 200, reply.body
        print(f"  {command} {text}: {reply.body[:90]!r}…")
    reply, _ = side.click(
        "proposal_respond",
        f"{found[0][0]}:agree",
        user=USERS[2],
        channel=CHANNEL,
        message_ts=found[0][1],
    )
    assert reply.status == 200, reply.body
    print(
        f"  proposal_respond: HTTP {reply.status} {reply.body!r}, chat.update calls: "
        f"{len(fake.calls_to('chat.update'))}"
    )
    return found


def _run_client(spec: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--client"],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=spec["time_cap"] + 60,
    )
    if done.returncode != 0:
        raise SystemExit(f"the client failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _quantiles(values: list[float]) -> tuple[float, float, float, float]:
    if len(values) < 2:
        v = values[0] * 1000 if values else float("nan")
        return v, v, v, v
    q = statistics.quantiles(values, n=100, method="inclusive")
    return q[49] * 1000, q[94] * 1000, q[98] * 1000, max(values) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", default="1,8,64")
    parser.add_argument("--counts", default="2000,5000,5000")
    parser.add_argument("--time-cap", type=float, default=40.0, help="seconds per level")
    parser.add_argument("--warmup", type=int, default=300, help="requests before each level")
    parser.add_argument("--proposals", type=int, default=8)
    parser.add_argument(
        "--only",
        choices=KINDS,
        default=None,
        help="send requests of this one kind (to every stack) instead of the mix",
    )
    parser.add_argument(
        "--database-url",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="a database on the server where wolfpack_bench_load is created",
    )
    parser.add_argument("--no-uvicorn", action="store_true")
    parser.add_argument("--profile", default=None, help="py-spy the bot at c=8 into this file")
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--fake-url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        client_main()
        return 0
    if args.serve:
        serve_main(args.serve, args.port, args.fake_url)
        return 0

    levels = [int(x) for x in args.levels.split(",")]
    counts = [int(x) for x in args.counts.split(",")]
    assert len(levels) == len(counts), "--levels and --counts pair up"
    uvicorn_ok = not args.no_uvicorn
    if uvicorn_ok:
        try:
            import aiohttp  # noqa: F401  (AsyncApp's client needs it)
            import uvicorn  # noqa: F401
        except ImportError:
            print("uvicorn/aiohttp not installed (pip install -e '.[bench]'): skipped")
            uvicorn_ok = False

    failures: list[str] = []
    servers: list[Server] = []
    with bench_world(args.database_url) as (fake, base_env):
        try:
            port = _free_port()
            wolfpack_cmd = [sys.executable, "-m", "bot", "run", "--http", "--no-scheduler"]
            wolfpack_cmd += ["--host", "127.0.0.1", "--port", str(port)]
            print(f"starting: wolfpack run --http --no-scheduler --port {port} (PostgreSQL)")
            servers.append(Server("wolfpack-run", wolfpack_cmd, base_env, port))
            print("seeding through signed requests:")
            proposals = _seed(f"http://127.0.0.1:{port}/slack/events", fake, args.proposals)
            kinds = ["bare-bolt-sql", "bare-bolt-waitress"]
            if uvicorn_ok:
                kinds.append("bare-asyncapp-uvicorn")
            kinds.append("ceiling-waitress")
            if uvicorn_ok:
                kinds.append("ceiling-uvicorn")
            for kind in kinds:
                p = _free_port()
                command = [sys.executable, __file__, "--serve", kind, "--port", str(p)]
                command += ["--fake-url", fake.url]
                servers.append(Server(kind, command, base_env, p))
            mix = _mix(proposals, args.only)
            share = f"{args.only} only" if args.only else "1/3 each kind"
            print(
                f"mix: {len(mix)} request templates in turn, {share}; "
                f"{len(proposals)} proposals x {len(USERS)} members"
            )
            results: dict[int, dict[str, dict[str, Any]]] = {}
            runs = itertools.count(1)
            for level, count in zip(levels, counts, strict=True):
                results[level] = {}
                for server in servers:
                    spec = {
                        "host": "127.0.0.1",
                        "port": server.port,
                        "path": "/slack/events" if "ceiling" not in server.name else "/",
                        "secret": SECRET,
                        "mix": mix,
                        "concurrency": level,
                        "time_cap": args.time_cap,
                        "run": next(runs),
                    }
                    if args.warmup:
                        _run_client({**spec, "count": args.warmup, "concurrency": min(level, 8)})
                    spec["run"] = next(runs)
                    profiler = None
                    if args.profile and level == 8 and server.name == "wolfpack-run":
                        profiler = subprocess.Popen(
                            [
                                "py-spy",
                                "record",
                                "--pid",
                                str(server.process.pid),
                                "--format",
                                "raw",
                                "--rate",
                                "200",
                                "--output",
                                args.profile,
                                "--nonblocking",
                                # Only the thread holding the GIL: where the CPU goes.
                                "--gil",
                            ],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                        )
                        time.sleep(1)
                    cpu, fake_cpu, pg_cpu = server.cpu(), time.process_time(), _postgres_times()
                    result = _run_client({**spec, "count": count})
                    result["server_cpu"] = server.cpu() - cpu
                    result["fake_cpu"] = time.process_time() - fake_cpu
                    result["pg_cpu"] = _postgres_cpu(pg_cpu)
                    if profiler is not None:
                        profiler.send_signal(2)
                        profiler.wait(timeout=60)
                    results[level][server.name] = result
                    _print_row(level, server.name, result, count)
        finally:
            for server in servers:
                server.stop()
        for server in servers:
            for line in server.errors():
                failures.append(f"{server.name} logged: {line}")
        for error in fake.errors:
            failures.append(f"fake Slack: {error.splitlines()[0]}")
        failures += [f"unknown Slack method {c.method}" for c in fake.unknown_method_calls]
        updates = len(fake.calls_to("chat.update"))
    _print_summary(results, levels, counts)
    print(f"\nchat.update calls on the fake: {updates}")
    for level in levels:
        for name, result in results[level].items():
            failures += [f"c={level} {name}: {e}" for e in result["errors"][:5]]
            slow = sum(v > SLOW for lat in result["latencies"].values() for v in lat)
            if slow:
                failures.append(f"c={level} {name}: {slow} answers slower than {SLOW:.0f} s")
    if failures:
        print("\nFAILED:")
        for line in failures[:40]:
            print(f"  {line}")
        return 1
    print("no errors; every answer within 3 s")
    return 0


def _all(result: dict[str, Any]) -> list[float]:
    return [v for lat in result["latencies"].values() for v in lat]


def _print_row(level: int, name: str, result: dict[str, Any], count: int) -> None:
    values = _all(result)
    n = len(values)
    rate = n / result["elapsed"]
    p50, p95, p99, worst = _quantiles(values)
    capped = "" if n >= count else f"  (time cap: {n}/{count})"
    per = 1000 / max(n, 1)
    print(
        f"c={level:<3d} {name:22s} {rate:7.0f} req/s  p50 {p50:6.1f}  p95 {p95:6.1f}  "
        f"p99 {p99:6.1f}  max {worst:7.1f} ms  err {len(result['errors'])}  "
        f"cpu ms/req: server {result['server_cpu'] * per:.2f} fake {result['fake_cpu'] * per:.2f}"
        f" pg {result['pg_cpu'] * per:.2f} client {result['client_cpu'] * per:.2f}{capped}",
        flush=True,
    )


def _print_summary(
    results: dict[int, dict[str, dict[str, Any]]], levels: list[int], counts: list[int]
) -> None:
    print(
        "\n| c | stack | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |"
        " server CPU ms/req |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for level in levels:
        for name, result in results[level].items():
            values = _all(result)
            p50, p95, p99, worst = _quantiles(values)
            rate = len(values) / result["elapsed"]
            cpu = result["server_cpu"] * 1000 / max(len(values), 1)
            print(
                f"| {level} | {name} | {len(values):,} | {rate:,.0f} | {p50:.1f} | {p95:.1f} | "
                f"{p99:.1f} | {worst:.1f} | {len(result['errors'])} | {cpu:.2f} |"
            )
    print("\nratios of req/s (wolfpack-run / other stack):")
    for level in levels:
        got = results[level]
        ours = len(_all(got["wolfpack-run"])) / got["wolfpack-run"]["elapsed"]
        parts = []
        for name in ("bare-bolt-sql", "bare-bolt-waitress", "bare-asyncapp-uvicorn"):
            if name in got:
                other = len(_all(got[name])) / got[name]["elapsed"]
                parts.append(f"/ {name} {ours / other:.2f}")
        print(f"  c={level}: " + "  ".join(parts))
    for name in ("wolfpack-run", "bare-bolt-sql"):
        print(f"\n{name} by request kind (p50 / p95 / p99 ms):")
        for level in levels:
            if name not in results[level]:
                continue
            cells = []
            for kind, values in results[level][name]["latencies"].items():
                p50, p95, p99, _ = _quantiles(values)
                cells.append(f"{kind} {p50:.1f} / {p95:.1f} / {p99:.1f}")
            print(f"  c={level}: " + "  ·  ".join(cells))


if __name__ == "__main__":
    raise SystemExit(main())
