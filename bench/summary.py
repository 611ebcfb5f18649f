"""Weekly summaries for 1,000 packs of 10 members with a week of data: the time to read a pack's
week and build its summary (`summary.build`), in total and per pack, and the number of database
queries per pack, which must not grow with the number of members or statements. Then the Block
Kit (`summary_blocks`) for every summary and the chart (`render_chart`) for a sample of packs.

The week: five check-in rounds (Monday to Friday) with answers (alignment 1–5, collaborators
for some, blockers for some), statements voted on by every member (every fourth one split, a
few of those voted again after a discussion), two proposals (one closed this week, one open)
with responses, and now and then a delivery that failed. The summary is built on Friday at
16:00 UTC, the default summary time.

Run: `python bench/summary.py [--packs 1000] [--members 10] [--statements 20]
[--database-url URL]`. Without a URL it uses a fresh SQLite file; with a PostgreSQL URL it
creates a database of its own on that server (`wolfpack_bench_summary`) and drops it at the end.
Exits 1 when the query count differs between packs or grows with members or statements.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, event, func, insert, select, text
from sqlalchemy.engine import make_url
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from bot.charts import render_chart
from bot.core.checkins import AnswerStatus
from bot.core.delivery import DeliveryState
from bot.core.packs import PackSettings, TimezoneMode
from bot.core.proposals import Outcome, Position
from bot.core.schedule import DeliveryKey, DueKind
from bot.core.statements import VoteValue, normalize
from bot.core.summary import Summary, build_summary
from bot.core.usecases import summary as summaries
from bot.core.usecases.summary import summary_inputs
from bot.core.usecases.workspace import Workspace
from bot.slack.blocks.summary import summary_blocks
from bot.store.db import SqlDatabase, make_engine, normalize_url, upgrade
from bot.store.models import (
    AnswerRow,
    Base,
    DeliveryRow,
    MembershipRow,
    PackRow,
    PersonRow,
    ProposalResponseRow,
    ProposalRow,
    RoundRow,
    StatementRow,
    VoteRow,
)
from bot.store.packs import settings_to_json

UTC = dt.UTC
NOW = dt.datetime(2026, 12, 4, 16, 0, tzinfo=UTC)  # Friday, the default summary time
MONDAY = dt.date(2026, 11, 30)
DAYS = [MONDAY + dt.timedelta(days=i) for i in range(5)]
ZONES = ("UTC", "Europe/Berlin", "America/New_York")
WORKSPACES = 10
GROWTH = ((10, 20), (30, 20), (10, 60), (30, 60))
GROWTH_PACKS = 3  # packs of each size in the growth check
BENCH_DATABASE = "wolfpack_bench_summary"
# Tables in the order rows have to go in (foreign keys).
ORDER = (
    PackRow,
    PersonRow,
    MembershipRow,
    RoundRow,
    AnswerRow,
    StatementRow,
    VoteRow,
    ProposalRow,
    ProposalResponseRow,
    DeliveryRow,
)
WORDS = (
    "ship", "the", "api", "first", "tests", "before", "refactor", "weekly", "demo", "customers",
    "docs", "review", "pairing", "on-call", "release", "train", "metrics", "latency", "budget",
    "roadmap", "migration", "postgres", "mobile", "design", "hiring", "focus", "quality", "scope",
)  # fmt: skip


class FixedClock:
    def now(self) -> dt.datetime:
        return NOW


class QueryCounter:
    """Counts every statement sent to the database (a cursor execute), BEGIN included."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        self.recording: list[str] | None = None
        event.listen(engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, *args: Any) -> None:
        self.count += 1
        if self.recording is not None:
            self.recording.append(" ".join(str(args[2]).split()))


class Ids:
    """Primary keys handed out here, so one bulk insert per table needs no RETURNING."""

    def __init__(self, session: Any) -> None:
        self.next: dict[type[Base], int] = {
            model: (session.scalar(select(func.max(model.id))) or 0) + 1 for model in ORDER
        }

    def __call__(self, model: type[Base]) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize()


def local(zone: ZoneInfo, day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), zone).astimezone(UTC)


def seed_pack(
    rows: dict[type[Base], list[dict[str, Any]]],
    ids: Ids,
    workspace_id: int,
    number: int,
    members: int,
    statements: int,
    rng: random.Random,
) -> int:
    """One pack's rows, added to `rows`; returns the pack's id."""
    zone_name = ZONES[number % len(ZONES)]
    zone = ZoneInfo(zone_name)
    settings = PackSettings(timezone=zone_name, timezone_mode=TimezoneMode.PACK)
    users = [f"U{number:06d}{i:03d}" for i in range(members)]
    created = NOW - dt.timedelta(days=30)
    pack_id = ids(PackRow)
    ws = {"workspace_id": workspace_id}
    rows[PackRow].append(
        ws
        | {
            "id": pack_id,
            "channel_id": f"C{number:07d}",
            "name": f"pack-{number}",
            "settings": settings_to_json(settings),
            "admin_ids": users[:1],
            "created_by": users[0],
            "created_at": created,
            "updated_at": created,
        }
    )
    for i, user in enumerate(users):
        away = i == members - 1 and number % 10 == 0  # someone away now and then
        rows[PersonRow].append(
            ws
            | {
                "id": ids(PersonRow),
                "user_id": user,
                "name": f"Member {number}-{i:03d}",
                "tz": zone_name,
                "is_bot": False,
                "deleted": False,
                "is_workspace_admin": False,
                "away_start": DAYS[3] if away else None,
                "away_end": DAYS[4] if away else None,
                "dm_channel": f"D{user}",
                "refreshed_at": created,
            }
        )
        rows[MembershipRow].append(
            ws
            | {
                "id": ids(MembershipRow),
                "pack_id": pack_id,
                "user_id": user,
                "active": True,
                "joined_at": created,
                "left_at": None,
            }
        )

    # Five check-in rounds: most answer, a few skip, some say nothing.
    for day in DAYS:
        round_id = ids(RoundRow)
        opened = local(zone, day, 9, 30)
        rows[RoundRow].append(
            ws
            | {
                "id": round_id,
                "pack_id": pack_id,
                "local_date": day,
                "channel_id": f"C{number:07d}",
                "parent_ts": f"{opened.timestamp():.6f}",
                "parent_claimed_until": None,
                "created_at": opened,
            }
        )
        for user in users:
            roll = rng.random()
            if roll < 0.08:
                continue
            at = opened + dt.timedelta(minutes=rng.randint(1, 240))
            texts: dict[str, str] = {}
            collaborators: list[str] = []
            alignment = None
            status = AnswerStatus.SKIPPED if roll < 0.12 else AnswerStatus.ANSWERED
            if status is AnswerStatus.ANSWERED:
                texts = {"progress": sentence(rng, 12), "focus": sentence(rng, 8)}
                if rng.random() < 0.2:
                    texts["blockers"] = "Waiting on " + sentence(rng, 5).lower()
                if rng.random() < 0.3:
                    texts["priority"] = sentence(rng, 6)
                if rng.random() < 0.6:
                    others = [u for u in users if u != user]
                    collaborators = rng.sample(others, k=min(len(others), rng.randint(1, 2)))
                alignment = rng.choices((1, 2, 3, 4, 5), weights=(1, 2, 4, 6, 3))[0]
            rows[AnswerRow].append(
                ws
                | {
                    "id": ids(AnswerRow),
                    "pack_id": pack_id,
                    "round_id": round_id,
                    "user_id": user,
                    "status": status.value,
                    "texts": texts,
                    "collaborators": collaborators,
                    "alignment": alignment,
                    "blockers": texts.get("blockers", ""),
                    "version": 1,
                    "published_version": 1,
                    "publish_claimed_until": None,
                    "reply_ts": f"{at.timestamp():.6f}",
                    "created_at": at,
                    "updated_at": at,
                }
            )

    # Statements over the week, every member votes on each; every fourth is split, and half of
    # the split ones were discussed and voted on again by two members (one changing side).
    votes: list[dict[str, Any]] = []
    statement_ids = []
    for j in range(statements):
        statement_id = ids(StatementRow)
        statement_ids.append(statement_id)
        at = local(zone, DAYS[j % 4], 10, 0) + dt.timedelta(minutes=j)
        split = j % 4 == 0
        discussed = split and j % 8 == 0
        body = f"{j}: {sentence(rng, rng.randint(6, 14))}"
        rows[StatementRow].append(
            ws
            | {
                "id": statement_id,
                "pack_id": pack_id,
                "text": body,
                "normalized": normalize(body),
                "author_id": rng.choice(users),
                "hidden": False,
                "meta": False,
                "alerted_at": at + dt.timedelta(hours=2) if split else None,
                "alert_channel": f"C{number:07d}" if split else None,
                "alert_ts": f"{at.timestamp() + 7200:.6f}" if split else None,
                "discussed_at": at + dt.timedelta(hours=5) if discussed else None,
                "created_at": at,
            }
        )
        for i, user in enumerate(users):
            if split:
                value = VoteValue.AGREE if i % 2 == 0 else VoteValue.DISAGREE
            else:
                value = rng.choices(
                    (VoteValue.AGREE, VoteValue.DISAGREE, VoteValue.PASS), weights=(8, 1, 1)
                )[0]
            reason = "Because " + sentence(rng, 6).lower() if rng.random() < 0.3 else ""
            voted = at + dt.timedelta(minutes=rng.randint(1, 180))
            votes.append(
                {"statement_id": statement_id, "user_id": user, "value": int(value),
                 "reason": reason, "created_at": voted}
            )  # fmt: skip
            if discussed and i < 2:
                again = VoteValue.AGREE if i == 1 else value
                votes.append(
                    {"statement_id": statement_id, "user_id": user, "value": int(again),
                     "reason": "After the thread", "created_at": voted + dt.timedelta(hours=8)}
                )  # fmt: skip
    votes.sort(key=lambda v: v["created_at"])
    for vote in votes:
        rows[VoteRow].append(ws | {"id": ids(VoteRow), "pack_id": pack_id} | vote)

    # Two proposals: one closed (passed) on Thursday, one still open.
    for closed in (True, False):
        proposal_id = ids(ProposalRow)
        opened = local(zone, DAYS[0] if closed else DAYS[2], 11, 0)
        closes = local(zone, DAYS[3], 11, 0) if closed else NOW + dt.timedelta(days=4)
        rows[ProposalRow].append(
            ws
            | {
                "id": proposal_id,
                "pack_id": pack_id,
                "text": "Let's " + sentence(rng, 10).lower(),
                "author_id": users[0],
                "statement_id": statement_ids[0] if closed and statement_ids else None,
                "revises_id": None,
                "closes_at": closes,
                "outcome": Outcome.PASSED.value if closed else None,
                "closed_at": closes if closed else None,
                "channel_id": f"C{number:07d}",
                "message_ts": f"{opened.timestamp():.6f}",
                "created_at": opened,
            }
        )
        for user in users:
            if not closed and rng.random() < 0.3:
                continue
            position = rng.choices(
                (Position.AGREE, Position.ABSTAIN, Position.DISAGREE), weights=(7, 2, 1)
            )[0]
            rows[ProposalResponseRow].append(
                ws
                | {
                    "id": ids(ProposalResponseRow),
                    "proposal_id": proposal_id,
                    "user_id": user,
                    "position": position.value,
                    "reason": "",
                    "created_at": opened + dt.timedelta(minutes=rng.randint(1, 600)),
                }
            )

    if number % 20 == 0:  # a prompt that could not be delivered
        due = local(zone, DAYS[2], 9, 30)
        rows[DeliveryRow].append(
            ws
            | {
                "id": ids(DeliveryRow),
                "key": str(DeliveryKey.prompt(pack_id, users[-1], DAYS[2])),
                "kind": DueKind.PROMPT.value,
                "pack_id": pack_id,
                "user_id": users[-1],
                "local_date": DAYS[2],
                "due_at": due,
                "state": DeliveryState.FAILED.value,
                "attempts": 5,
                "next_attempt_at": due,
                "claimed_until": None,
                "in_flight": False,
                "last_error": "channel_not_found",
                "channel_id": None,
                "message_ts": None,
                "created_at": due,
                "updated_at": due + dt.timedelta(minutes=30),
            }
        )
    return pack_id


def seed(
    db: SqlDatabase, team: str, numbers: Sequence[int], members: int, statements: int, seed: int
) -> list[int]:
    """The packs `numbers` of one workspace, in one transaction, one bulk insert per table."""
    rng = random.Random(seed)
    rows: dict[type[Base], list[dict[str, Any]]] = defaultdict(list)
    with db.transaction(team) as tx:
        ids = Ids(tx.session)
        pack_ids = [
            seed_pack(rows, ids, tx.workspace_id, n, members, statements, rng) for n in numbers
        ]
        for model in ORDER:
            if rows[model]:
                tx.session.execute(insert(model), rows[model])
    return pack_ids


@contextmanager
def database(url: str | None) -> Iterator[Engine]:
    """A fresh, migrated database: a SQLite file in a temporary folder, or a database of our own
    on the given PostgreSQL server, dropped at the end."""
    if url is None:
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(f"sqlite:///{Path(tmp) / 'summary.db'}")
            try:
                upgrade(engine)
                yield engine
            finally:
                engine.dispose()
        return
    server = make_url(normalize_url(url))
    if server.get_backend_name() != "postgresql":
        raise SystemExit("--database-url: a postgresql:// URL (SQLite is the default)")
    admin = make_engine(server.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    drop = text(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
    try:
        with admin.connect() as conn:
            conn.execute(drop)
            conn.execute(text(f"CREATE DATABASE {BENCH_DATABASE}"))
        engine = make_engine(
            server.set(database=BENCH_DATABASE).render_as_string(hide_password=False)
        )
        try:
            upgrade(engine)
            yield engine
        finally:
            engine.dispose()
            with admin.connect() as conn:
                conn.execute(drop)
    finally:
        admin.dispose()


def pct(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.2f} ms"


def line(label: str, values: Sequence[float]) -> None:
    print(
        f"  {label:34s} {len(values):5d}  total {sum(values):7.2f} s"
        f"  median {ms(statistics.median(values))}  p95 {ms(pct(values, 0.95))}"
        f"  max {ms(max(values))}"
    )


def measure(
    db: SqlDatabase, counter: QueryCounter, team: str, pack_ids: Sequence[int]
) -> tuple[list[float], list[int], list[Summary]]:
    # The summary reads the database only: no Slack behind this workspace.
    ws = Workspace(team, db, FixedClock(), None, None)  # type: ignore[arg-type]
    seconds, queries, built = [], [], []
    for pack_id in pack_ids:
        before = counter.count
        started = time.perf_counter()
        summary = summaries.build(ws, pack_id, NOW)
        seconds.append(time.perf_counter() - started)
        queries.append(counter.count - before)
        assert summary is not None, pack_id
        built.append(summary)
    return seconds, queries, built


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--packs", type=int, default=1000)
    parser.add_argument("--members", type=int, default=10)
    parser.add_argument("--statements", type=int, default=20)
    parser.add_argument("--charts", type=int, default=50, help="packs whose chart is rendered")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--profile", action="store_true", help="profile build_summary")
    args = parser.parse_args()
    ok = True

    with database(args.database_url) as engine:
        db = SqlDatabase(engine)
        print(
            f"{engine.dialect.name}: {args.packs} packs x {args.members} members, "
            f"{args.statements} statements, in {WORKSPACES} workspaces"
        )

        started = time.perf_counter()
        teams: dict[str, list[int]] = {}
        for w in range(WORKSPACES):
            numbers = range(w, args.packs, WORKSPACES)
            if numbers:
                team = f"T{w:04d}"
                teams[team] = seed(db, team, numbers, args.members, args.statements, w)
        growth: dict[tuple[int, int], list[int]] = {}
        for k, (m, s) in enumerate(GROWTH):
            first = 900_000 + k * 100
            numbers = range(first, first + GROWTH_PACKS)
            growth[(m, s)] = seed(db, "TGROWTH", numbers, m, s, 1000 + k)
        with engine.connect() as conn:
            votes = conn.scalar(select(func.count()).select_from(VoteRow))
            answers = conn.scalar(select(func.count()).select_from(AnswerRow))
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                conn.execute(text("ANALYZE"))
                conn.commit()
        print(
            f"  seeded in {time.perf_counter() - started:.1f} s "
            f"({answers:,} answers, {votes:,} votes, growth packs included)"
        )

        counter = QueryCounter(engine)

        # One pack first, its queries listed: SQLAlchemy compiles each statement once.
        counter.recording = []
        first_team = next(iter(teams))
        measure(db, counter, first_team, teams[first_team][:1])
        listed, counter.recording = counter.recording, None
        print(f"\n  queries of one summary.build ({len(listed)}):")
        for statement in listed:
            print(f"    {statement[:94]}")

        print("\nsummary.build (read the week + build_summary), every pack:")
        seconds: list[float] = []
        queries: list[int] = []
        summaries: list[Summary] = []
        started = time.perf_counter()
        for team, pack_ids in teams.items():
            took, asked, built = measure(db, counter, team, pack_ids)
            seconds += took
            queries += asked
            summaries += built
        total = time.perf_counter() - started
        line("summary.build", seconds)
        print(f"  {'throughput':34s} {len(seconds) / total:.0f} packs/s")
        print(f"  {'queries per pack':34s} min {min(queries)}  max {max(queries)}")
        if min(queries) != max(queries):
            ok = False
            print("  FAIL: the query count differs between packs")

        # Where the time goes, on a sample: reading the inputs against building the summary.
        sample = [(team, pid) for team, pids in teams.items() for pid in pids[:20]]
        read, build = [], []
        profile = cProfile.Profile() if args.profile else None
        for team, pack_id in sample:
            started = time.perf_counter()
            with db.transaction(team) as tx:
                pack = tx.packs.get(pack_id)
                assert pack is not None
                inputs = summary_inputs(tx, pack, NOW)
            read.append(time.perf_counter() - started)
            started = time.perf_counter()
            if profile is not None:
                profile.enable()
            build_summary(inputs, NOW)
            if profile is not None:
                profile.disable()
            build.append(time.perf_counter() - started)
        line("of which: reading (sample)", read)
        line("of which: build_summary (sample)", build)
        # scikit-learn's k-means runs its Lloyd iterations on an OpenMP pool, which on a busy
        # machine costs more than a 10-point k-means itself: the same builds on one thread.
        single = []
        with threadpool_limits(limits=1):
            for team, pack_id in sample:
                with db.transaction(team) as tx:
                    pack = tx.packs.get(pack_id)
                    assert pack is not None
                    inputs = summary_inputs(tx, pack, NOW)
                started = time.perf_counter()
                build_summary(inputs, NOW)
                single.append(time.perf_counter() - started)
        line("build_summary, 1 thread (sample)", single)

        blocks = []
        for summary in summaries:
            started = time.perf_counter()
            summary_blocks(summary)
            blocks.append(time.perf_counter() - started)
        line("summary_blocks", blocks)

        charts = []
        step = max(1, len(summaries) // max(1, args.charts))
        for summary in summaries[::step][: args.charts]:
            started = time.perf_counter()
            render_chart(summary)
            charts.append(time.perf_counter() - started)
        if charts:
            line("render_chart (sample)", charts)

        print("\nGrowth: queries of one summary.build by pack size")
        print("  | members | statements | votes in the pack | queries per pack | build median |")
        print("  |---|---|---|---|---|")
        counts = set()
        for (m, s), pack_ids in growth.items():
            g_seconds, g_queries, _ = measure(db, counter, "TGROWTH", pack_ids)
            with db.transaction("TGROWTH") as tx:
                pack_votes = len(tx.statements.votes(pack_ids[0]))
            same = "" if min(g_queries) == max(g_queries) else f" (up to {max(g_queries)})"
            counts |= set(g_queries)
            print(
                f"  | {m} | {s} | {pack_votes:,} | {min(g_queries)}{same} "
                f"| {statistics.median(g_seconds) * 1000:.1f} ms |"
            )
        counts.add(queries[0])
        if len(counts) != 1:
            ok = False
            print(f"  FAIL: the query count depends on the pack's size: {sorted(counts)}")
        else:
            print(f"  the same {counts.pop()} queries for every size")

        if profile is not None:
            print("\nbuild_summary, the sample, by own time:")
            pstats.Stats(profile, stream=sys.stdout).sort_stats("tottime").print_stats(15)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
