"""Every failure a new user meets on the way to a running bot, as they meet it: the real
command in a subprocess. Each ends with one line on stderr naming what is wrong and what to
do, a non-zero exit (2 for a setting or an option, 1 for the world outside), no traceback,
and never a password. docs/troubleshooting.md lists the same cases."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.devtools.fake_slack import FakeSlack
from tests.conftest import SIGNING_SECRET, process_env

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "pw-never-shown-7781"
KEY_HINT = "Fernet.generate_key()"


@dataclass
class Where:
    """What a case needs from the machine: a folder, the fake Slack, the PostgreSQL server."""

    tmp: Path
    slack: FakeSlack
    request: pytest.FixtureRequest
    held: list[socket.socket] = field(default_factory=list)

    def slack_env(self, **more: str) -> dict[str, str]:
        return {
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": self.slack.url,
            "DATABASE_URL": f"sqlite:///{self.tmp / 'w.db'}",
            **more,
        }

    def pg(self, **parts: str) -> str:
        """The test server's URL with these parts changed (its database, its user)."""
        url = make_url(self.request.getfixturevalue("pg_url")).set(query={}, **parts)
        return url.render_as_string(hide_password=False)

    def migrated_sqlite(self) -> str:
        path = self.tmp / "ready.db"
        shutil.copy(self.request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"

    def file(self, name: str) -> Path:
        path = self.tmp / name
        path.touch()
        return path

    def env_file(self, source: Path) -> dict[str, str]:
        """`source` copied to .env in the folder the command runs in; no settings besides."""
        shutil.copy(source, self.tmp / ".env")
        return {}

    def listening_port(self) -> int:
        """A port something else listens on, for as long as the test runs."""
        held = socket.socket()
        held.bind(("127.0.0.1", 0))
        held.listen()
        self.held.append(held)
        return int(held.getsockname()[1])


def free_port() -> int:
    """A port nothing listens on (bound, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    env: dict[str, str]
    code: int
    words: tuple[str, ...]


def down() -> str:
    return f"postgresql://wolf:{PASSWORD}@127.0.0.1:{free_port()}/wolfpack"


UNKNOWN_HOST = f"postgresql://wolf:{PASSWORD}@db.wolfpack.invalid:5432/wolfpack"
REFUSED = ("DATABASE_URL", "wolf:***@127.0.0.1", "connection refused", "start PostgreSQL")
RUN = ("run", "--http", "--host", "127.0.0.1")
NOT_A_PORT = ("--port", "is not a port", "1 to 65535")
SUPPORTED = ("DATABASE_URL", "sqlite:///", "postgresql://")

CASES: dict[str, Callable[[Where], Case]] = {
    "run, PostgreSQL down": lambda w: Case(RUN, w.slack_env(DATABASE_URL=down()), 1, REFUSED),
    "tick, PostgreSQL down": lambda w: Case(
        ("tick",), w.slack_env(DATABASE_URL=down()), 1, REFUSED
    ),
    "db upgrade, PostgreSQL down": lambda w: Case(
        ("db", "upgrade"), {"DATABASE_URL": down()}, 1, REFUSED
    ),
    "db upgrade, PostgreSQL never answers": lambda w: Case(
        # Something takes the connection and says nothing: the default connect timeout ends it.
        ("db", "upgrade"),
        {"DATABASE_URL": f"postgresql://wolf:{PASSWORD}@127.0.0.1:{w.listening_port()}/wolfpack"},
        1,
        ("DATABASE_URL", "wolf:***@127.0.0.1", "in time (connection timeout)", "firewall"),
    ),
    "run, unknown host": lambda w: Case(
        RUN,
        w.slack_env(DATABASE_URL=UNKNOWN_HOST),
        1,
        ("DATABASE_URL", "wolf:***@db.wolfpack.invalid", "host db.wolfpack.invalid is unknown"),
    ),
    "db upgrade, unknown host": lambda w: Case(
        ("db", "upgrade"), {"DATABASE_URL": UNKNOWN_HOST}, 1, ("db.wolfpack.invalid is unknown",)
    ),
    "run, missing database": lambda w: Case(
        RUN,
        w.slack_env(DATABASE_URL=w.pg(database="wolfpack_no_such_database")),
        1,
        ("DATABASE_URL", "has no database wolfpack_no_such_database", "createdb"),
    ),
    "tick, login refused": lambda w: Case(
        ("tick",),
        w.slack_env(DATABASE_URL=w.pg(username="wolfpack_no_such_role", password=PASSWORD)),
        1,
        (
            "DATABASE_URL",
            "wolfpack_no_such_role:***@",
            "refused the login",
            "user name and password",
        ),
    ),
    "db upgrade, SQLite folder missing": lambda w: Case(
        ("db", "upgrade"),
        {"DATABASE_URL": f"sqlite:///{w.tmp / 'no-such-folder' / 'w.db'}"},
        1,
        ("DATABASE_URL", "cannot open the SQLite file", "folder exists"),
    ),
    "run, mysql:// URL": lambda w: Case(
        RUN,
        w.slack_env(DATABASE_URL=f"mysql://wolf:{PASSWORD}@db.example/wolfpack"),
        2,
        ("mysql:// is not supported", *SUPPORTED),
    ),
    "tick, garbage URL": lambda w: Case(
        ("tick",), w.slack_env(DATABASE_URL="foo"), 2, ("is not a database URL", *SUPPORTED)
    ),
    "run, port in use": lambda w: Case(
        (*RUN, "--port", str(w.listening_port())),
        w.slack_env(DATABASE_URL=w.migrated_sqlite()),
        1,
        (f"port {w.held[0].getsockname()[1]}", "already in use", "--port", "PORT"),
    ),
    "run, --port abc": lambda w: Case((*RUN, "--port", "abc"), w.slack_env(), 2, NOT_A_PORT),
    "run, --port 0": lambda w: Case((*RUN, "--port", "0"), w.slack_env(), 2, NOT_A_PORT),
    "run, --port -1": lambda w: Case((*RUN, "--port", "-1"), w.slack_env(), 2, NOT_A_PORT),
    "run, --port 70000": lambda w: Case((*RUN, "--port", "70000"), w.slack_env(), 2, NOT_A_PORT),
    "run, PORT=http": lambda w: Case(
        ("run", "--http"), w.slack_env(PORT="http"), 2, ("PORT", "1 to 65535")
    ),
    "run, unknown --host": lambda w: Case(
        ("run", "--http", "--host", "nowhere.wolfpack.invalid"),
        w.slack_env(DATABASE_URL=w.migrated_sqlite()),
        2,
        ("--host nowhere.wolfpack.invalid", "not an address of this machine"),
    ),
    "run, --tick-seconds 0": lambda w: Case(
        (*RUN, "--tick-seconds", "0"), w.slack_env(), 2, ("--tick-seconds",)
    ),
    "tick, --now without an offset": lambda w: Case(
        ("tick", "--now", "2026-12-01T09:30"), w.slack_env(), 2, ("--now", "offset")
    ),
    "demo, --out is a file": lambda w: Case(
        ("demo", "--out", str(w.file("summary.txt"))), {}, 2, ("--out", "is a file, not a folder")
    ),
    "demo, --out cannot be made": lambda w: Case(
        ("demo", "--out", str(w.file("summary.txt") / "out")),
        {},
        1,
        ("--out", "cannot make the folder"),
    ),
    "run, malformed encryption key, one workspace": lambda w: Case(
        RUN,
        w.slack_env(WOLFPACK_ENCRYPTION_KEY="not-a-key"),
        2,
        ("WOLFPACK_ENCRYPTION_KEY", "not a Fernet key", "44 characters", KEY_HINT),
    ),
    "db upgrade, malformed encryption key, OAuth": lambda w: Case(
        ("db", "upgrade"),
        {
            "SLACK_CLIENT_ID": "1.2",
            "SLACK_CLIENT_SECRET": "client-secret-0123",
            "WOLFPACK_ENCRYPTION_KEY": "short",
        },
        2,
        ("WOLFPACK_ENCRYPTION_KEY", "not a Fernet key", KEY_HINT),
    ),
    "run, .env copied from .env.example": lambda w: Case(
        ("run",),
        w.env_file(ROOT / ".env.example"),
        2,
        ("SLACK_BOT_TOKEN", "xoxb-your-bot-token", "placeholder", "api.slack.com/apps"),
    ),
    "run, placeholder signing secret": lambda w: Case(
        RUN,
        w.slack_env(SLACK_SIGNING_SECRET="your-signing-secret"),
        2,
        ("SLACK_SIGNING_SECRET", "placeholder", "Signing Secret"),
    ),
    "manifest --url http://": lambda w: Case(
        ("manifest", "--url", "http://wolfpack.example.com"), {}, 2, ("--url", "https://")
    ),
    "manifest --url without a scheme": lambda w: Case(
        ("manifest", "--url", "wolfpack.example.com"), {}, 2, ("--url", "https://")
    ),
    "manifest --url garbage": lambda w: Case(
        ("manifest", "--url", "::not a url"), {}, 2, ("--url", "https://")
    ),
}


@pytest.fixture
def where(tmp_path: Path, fake_slack: FakeSlack, request: pytest.FixtureRequest) -> Iterator[Where]:
    found = Where(tmp_path, fake_slack, request)
    try:
        yield found
    finally:
        for held in found.held:
            held.close()


def wolfpack(
    args: tuple[str, ...], env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=process_env(**env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("name", list(CASES))
def test_one_line_for_each_failure(name: str, where: Where) -> None:
    case = CASES[name](where)
    done = wolfpack(case.args, case.env, where.tmp)
    said = done.stderr
    assert done.returncode == case.code, said
    lines = said.splitlines()
    assert len(lines) == 1, said
    assert lines[0].startswith("wolfpack"), said
    for word in case.words:
        assert word in lines[0], (word, lines[0])
    assert "Traceback" not in said
    assert done.stdout == ""
    secrets = [PASSWORD]
    url = case.env.get("DATABASE_URL", "")
    if url.startswith("postgresql") and make_url(url).password:
        secrets.append(str(make_url(url).password))
    for secret in secrets:
        assert secret not in said


@pytest.mark.parametrize(
    ("args", "env", "said"),
    [
        # After the settings are read: through the log handler, which redacts secrets.
        (("db", "upgrade"), {}, "wolfpack: DATABASE_URL postgresql://wolf:***@"),
        # Before: the settings themselves are wrong.
        (("db", "upgrade"), {"DATABASE_URL": "foo"}, "wolfpack: DATABASE_URL: is not a"),
    ],
    ids=["database down", "malformed setting"],
)
def test_log_level_debug_adds_the_traceback(
    args: tuple[str, ...], env: dict[str, str], said: str, tmp_path: Path
) -> None:
    done = wolfpack(args, {"DATABASE_URL": down(), **env, "LOG_LEVEL": "DEBUG"}, tmp_path)
    assert done.returncode in (1, 2)
    assert "Traceback (most recent call last)" in done.stderr
    assert done.stderr.splitlines()[-1].startswith(said), done.stderr
    assert PASSWORD not in done.stderr
