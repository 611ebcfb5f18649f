"""A normal start says little: a few lines of ours before the one saying where it serves, and
no library's INFO chatter (Alembic's context and migrations, Bolt's token warning, APScheduler's
jobs). `wolfpack tick` prints its JSON report on stdout and nothing else there."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.devtools.fake_slack import FakeSlack
from tests.conftest import SIGNING_SECRET, process_env
from tests.scheduler.test_failover import Replica, ticks_done, wait_until

# configure_logging's text format: "2026-12-01 09:30:00,123 INFO bot.startup: ...".
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ (?P<logger>[\w.]+)[ :]")
# Ours, besides the log lines of bot.* loggers.
OWN_LINE = re.compile(r"^wolfpack: ")


def env_for(url: str, fake: FakeSlack) -> dict[str, str]:
    return process_env(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.url,
        DATABASE_URL=url,
        LOG_LEVEL="INFO",
    )


def foreign(lines: list[str]) -> list[str]:
    """The lines that are neither a bot.* log line nor one of the command's own."""
    found = []
    for line in lines:
        logged = LOG_LINE.match(line)
        if logged and logged.group("logger").split(".")[0] == "bot":
            continue
        if not logged and OWN_LINE.match(line):
            continue
        found.append(line)
    return found


@pytest.mark.parametrize("database", ["new SQLite file", "PostgreSQL"])
def test_a_normal_start_says_a_few_lines_of_its_own(
    database: str, tmp_path: Path, fake_slack: FakeSlack, request: pytest.FixtureRequest
) -> None:
    # A new SQLite file has every migration to apply; the PostgreSQL schema has none left.
    url = (
        f"sqlite:///{tmp_path / 'new.db'}"
        if database == "new SQLite file"
        else str(request.getfixturevalue("pg_url"))
    )
    replica = Replica(env_for(url, fake_slack))
    try:
        replica.wait_said("serving HTTP", timeout=60)
        # Ticks run (the first one right after start-up), then the process stops.
        wait_until(lambda: ticks_done(replica) >= 2, timeout=30, what="two ticks")
        replica.process.send_signal(signal.SIGTERM)
        assert replica.process.wait(timeout=15) == 0
        replica.wait_said("wolfpack: stopped", timeout=10)
    finally:
        replica.stop()
    lines = [line.rstrip("\n") for line in replica.lines]
    before = lines[: next(i for i, line in enumerate(lines) if "serving HTTP" in line)]
    assert len(before) <= 5, "\n".join(before)
    assert foreign(lines) == [], "\n".join(lines)
    # Bolt logs through a bot.* logger: its warning that the client's token wins over the one
    # it read from the environment (the same token) must not show either, nor any other.
    assert [line for line in lines if re.search(r" (WARNING|ERROR|CRITICAL) ", line)] == []
    if database == "new SQLite file":
        assert any("schema upgraded from an empty database" in line for line in before)
        assert any(str(tmp_path / "new.db") in line for line in before)


def test_tick_prints_one_json_line_on_stdout(tmp_path: Path, fake_slack: FakeSlack) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "tick", "--now", "2026-12-01T09:30:00+01:00"],
        env=env_for(f"sqlite:///{tmp_path / 'new.db'}", fake_slack),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1, done.stdout
    assert set(json.loads(lines[0])) >= {"queued", "sent", "failed"}
    assert foreign(done.stderr.splitlines()) == [], done.stderr
