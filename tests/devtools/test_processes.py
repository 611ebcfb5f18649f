"""The environment of the `python -m bot` processes the tests start."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.devtools.processes import kept, process_env

FAKETIME_SETTINGS = {
    "LD_PRELOAD": "/usr/$LIB/faketime/libfaketime.so.1",
    "FAKETIME": "@2026-12-31 23:45:00",
    "FAKETIME_DONT_RESET": "1",
    "FAKETIME_SHARED": "/faketime_sem_1 /faketime_shm_1",
    "FAKETIME_DONT_FAKE_MONOTONIC": "1",
    "DONT_FAKE_MONOTONIC": "1",
    "NO_FAKE_STAT": "1",
}


def test_a_child_keeps_the_clock_and_coverage_and_nothing_else_of_ours() -> None:
    shell = {
        "PATH": "/usr/bin:/bin",
        "HOME": "/home/someone",
        "SLACK_BOT_TOKEN": "xoxb-from-the-shell",
        "DATABASE_URL": "postgresql://from-the-shell/db",
    }
    assert kept(shell) == {"PATH": "/usr/bin:/bin"}
    clock = {"TZ": "America/New_York", **FAKETIME_SETTINGS}
    coverage = {"COVERAGE_PROCESS_START": "pyproject.toml"}
    assert kept({**shell, **clock, **coverage}) == {"PATH": "/usr/bin:/bin", **clock, **coverage}


def test_the_settings_given_win_over_what_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    assert process_env(TZ="Asia/Kolkata")["TZ"] == "Asia/Kolkata"


def test_a_child_reads_its_timezone_from_the_kept_tz(monkeypatch: pytest.MonkeyPatch) -> None:
    """The child's local time follows the caller's TZ: 2026-06-01 12:00 UTC is 08:00 in New
    York (summer time)."""
    monkeypatch.setenv("TZ", "America/New_York")
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import time; print(time.strftime('%H:%M', time.localtime(1780315200)))",
        ],
        env=process_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == "08:00"
