"""Several processes ticking at once on PostgreSQL, or one killed midway, send each prompt
exactly once."""

from __future__ import annotations

import datetime as dt
import json
import signal
import socket
import subprocess
import sys
from collections import Counter

from bot.core.packs import PackDraft, PackSettings, TimezoneMode
from bot.core.usecases import packs
from bot.devtools.fake_slack import FakeSlack
from tests.conftest import CHANNEL, SIGNING_SECRET, FixedClock, process_env, start_bot

BERLIN_MORNINGS = PackSettings(
    timezone="Europe/Berlin", timezone_mode=TimezoneMode.PACK, reminder_minutes=0
)
TICK = [sys.executable, "-m", "bot", "tick", "--now"]


def pack_of(
    pg_url: str,
    fake: FakeSlack,
    clock: FixedClock,
    members: list[str],
    settings: PackSettings,
    channel: tuple[str, str] = (CHANNEL, "team"),
) -> dict[str, str]:
    """A pack of these members in the database and the fake, in `channel` (id, name); the
    environment a `wolfpack` process needs to serve it."""
    channel_id, channel_name = channel
    for user in members:
        fake.add_user(user, name=user, tz="Europe/Berlin")
    fake.add_channel(channel_id, name=channel_name, members=members)
    wolfpack = start_bot(pg_url, fake, clock)
    # Set up a day before the rounds the tests tick through: by the injected clock, and by
    # the real one that `wolfpack run` reads.
    now = clock.at
    clock.at = min(now, dt.datetime.now(dt.UTC)) - dt.timedelta(days=1)
    try:
        draft = PackDraft(
            channel_id, channel_name, settings, tuple(members), (members[0],), members[0]
        )
        packs.save_pack(wolfpack.workspace("T0001"), members[0], draft)
    finally:
        clock.at = now
        wolfpack.close()
    return process_env(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.url,
        DATABASE_URL=pg_url,
    )


def due_two_minutes_ago() -> PackSettings:
    """Prompts due now by the real clock, which `wolfpack run` reads: the check-in time is set
    two minutes back, and the weekly summary three days away, so that whatever day the tests
    run on, a tick sends exactly one prompt per member and nothing else."""
    wall = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)
    return PackSettings(
        timezone="UTC",
        timezone_mode=TimezoneMode.PACK,
        reminder_minutes=0,
        checkin_days=frozenset(range(7)),
        checkin_time=dt.time(wall.hour, wall.minute),
        summary_day=(wall.weekday() + 3) % 7,
    )


def assert_one_dm_each(fake: FakeSlack, members: list[str]) -> None:
    per_member = Counter(c for c in (f"D{u}" for u in members) for _ in fake.messages(c))
    assert per_member == Counter({f"D{u}": 1 for u in members})


def test_two_processes_ticking_at_once_send_one_prompt_per_member(
    pg_url: str, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    members = [f"UM{i:03d}" for i in range(400)]
    env = pack_of(pg_url, fake_slack, clock, members, BERLIN_MORNINGS)
    processes = [
        subprocess.Popen(
            [*TICK, "2026-12-01T09:31:00+01:00"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    reports = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1]))
    assert sum(r["queued"] for r in reports) == len(members)
    assert sum(r["sent"] for r in reports) == len(members)
    assert len(fake_slack.calls_to("chat.postMessage")) == len(members)
    assert_one_dm_each(fake_slack, members)


def test_a_delivery_process_killed_midway_loses_and_doubles_nothing(
    pg_url: str, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    members = [f"UK{i:03d}" for i in range(500)]
    env = pack_of(pg_url, fake_slack, clock, members, BERLIN_MORNINGS)
    victim = subprocess.Popen(
        [*TICK, "2026-12-01T09:31:00+01:00"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        fake_slack.wait_for(lambda f: len(f.calls_to("chat.postMessage")) >= 200, timeout=120)
        victim.send_signal(signal.SIGKILL)
    finally:
        victim.wait(timeout=30)
    assert victim.returncode == -signal.SIGKILL
    sent_before = len(fake_slack.calls_to("chat.postMessage"))
    assert 200 <= sent_before < len(members), "the kill landed mid-delivery"
    # Restarted once the dead process's claims ran out (2 minutes).
    done = subprocess.run(
        [*TICK, "2026-12-01T09:34:00+01:00"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(done.stdout.strip().splitlines()[-1])["failed"] == 0
    assert_one_dm_each(fake_slack, members)


def test_two_wolfpack_run_processes_send_one_prompt_per_member(
    pg_url: str, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    settings = due_two_minutes_ago()
    members = [f"UR{i:03d}" for i in range(30)]
    env = pack_of(pg_url, fake_slack, clock, members, settings)
    processes = []
    for _ in range(2):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        command = [sys.executable, "-m", "bot", "run", "--http", "--host", "127.0.0.1"]
        processes.append(
            subprocess.Popen(
                [*command, "--port", str(port)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    try:
        for process in processes:
            assert process.stderr is not None
            line = process.stderr.readline()
            while line and "serving HTTP" not in line:
                line = process.stderr.readline()
            assert "serving HTTP" in line
        # stderr is not read from here on: its pipe can fill and a process then blocks in a
        # write, as behind a slow log collector; SIGTERM must still stop it cleanly.
        fake_slack.wait_for(
            lambda f: sum(1 for u in members if f.messages(f"D{u}")) == len(members), timeout=60
        )
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
            if process.stderr is not None:
                process.stderr.close()
    assert [p.returncode for p in processes] == [0, 0]
    assert_one_dm_each(fake_slack, members)
