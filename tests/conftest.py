"""Shared fixtures: real databases (a SQLite file, and a PostgreSQL server the session starts
itself or the one WOLFPACK_TEST_POSTGRES_URL names), the fake Slack Web API over HTTP, an
injected clock, and the whole bot served over HTTP."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text

from bot.config import load_settings
from bot.devtools.processes import process_env as process_env
from bot.devtools.simulate import SlackSide
from bot.store.db import make_engine, upgrade
from bot.store.models import Base
from bot.wiring import Wolfpack, build
from tests import postgres_server

if TYPE_CHECKING:
    from bot.devtools.fake_slack import FakeSlack

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TEAM = "T0001"
CHANNEL = "CTEAM"
ANA, BO, CY, DEE = "UANA", "UBO", "UCY", "UDEE"
HELPER_BOT = "UHELPER"


# Public Pol.is conversations (The Computational Democracy Project, CC BY 4.0): see
# tests/data/polis/ATTRIBUTION.md.
POLIS_DATA = Path(__file__).resolve().parent / "data" / "polis"


@pytest.fixture
def polis_data() -> Path:
    """The Pol.is data folder."""
    return POLIS_DATA


class FixedClock:
    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def now(self) -> dt.datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += dt.timedelta(**delta)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC))  # a Tuesday


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def pytest_configure(config: pytest.Config) -> None:
    """The suite runs in several worker processes (pytest-xdist, see pyproject.toml), each with
    a PostgreSQL server of its own. On one server named by WOLFPACK_TEST_POSTGRES_URL they
    would share the scheduler's lease, an advisory lock held database-wide, and take it from
    each other: that needs one process."""
    workers = getattr(config.option, "numprocesses", None)
    if os.environ.get("WOLFPACK_TEST_POSTGRES_URL") and workers not in (None, 0):
        raise pytest.UsageError(
            "WOLFPACK_TEST_POSTGRES_URL: the tests share that one database, so they run in one "
            "process there: add -n 0"
        )


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The PostgreSQL server's URL: WOLFPACK_TEST_POSTGRES_URL's when set (the tests only make
    and drop schemas of their own in it), else a server started for this session, on first use,
    and stopped at its end."""
    existing = os.environ.get("WOLFPACK_TEST_POSTGRES_URL")
    if existing:
        yield existing
        return
    server = postgres_server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def pg_schema_url(postgres_url: str) -> Iterator[str]:
    """A schema of its own on the PostgreSQL server, migrated once."""
    schema = f"wp_{uuid.uuid4().hex[:10]}"
    admin = make_engine(postgres_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{postgres_url}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "wolfpack.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_schema_url")
    return empty_pg(url)


def empty_pg(url: str) -> str:
    engine = make_engine(url)
    with engine.begin() as conn:
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def pg_url(pg_schema_url: str) -> str:
    return empty_pg(pg_schema_url)


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "wolfpack.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@contextlib.contextmanager
def team_workspace() -> Iterator[FakeSlack]:
    """The fake Slack of the tests' workspace: four people, a helper bot, the team channel."""
    from bot.devtools.fake_slack import FakeSlack

    with FakeSlack(team_id=TEAM, bot_user_id="UBOT") as fake:
        fake.add_user(ANA, name="Ana", tz="Europe/Berlin", is_admin=True)
        fake.add_user(BO, name="Bo", tz="America/Los_Angeles")
        fake.add_user(CY, name="Cy", tz="Asia/Kolkata")
        fake.add_user(DEE, name="Dee", tz="Pacific/Auckland")
        fake.add_user(HELPER_BOT, name="Helper", is_bot=True)
        fake.add_channel(CHANNEL, name="team", members=[ANA, BO, CY, HELPER_BOT])
        yield fake
        assert fake.unknown_method_calls == [], "the bot called Slack methods that do not exist"


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with team_workspace() as fake:
        yield fake


@dataclass
class Harness:
    wolfpack: Wolfpack
    fake: FakeSlack
    side: SlackSide
    clock: FixedClock


def start_bot(database_url: str, fake: FakeSlack, clock: FixedClock, **more: str) -> Wolfpack:
    """The bot on this database and fake Slack; `more` settings by their variable's name."""
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.url,
            "DATABASE_URL": database_url,
            **more,
        },
        env_file=None,
    )
    return build(settings, clock=clock)


@pytest.fixture
def bot(database_url: str, fake_slack: FakeSlack, clock: FixedClock) -> Iterator[Harness]:
    wolfpack = start_bot(database_url, fake_slack, clock)
    server = wolfpack.serve_http().start()
    try:
        yield Harness(
            wolfpack,
            fake_slack,
            SlackSide(f"{server.url}/slack/events", SIGNING_SECRET, team_id=TEAM),
            clock,
        )
    finally:
        wolfpack.close()
