"""The command line as a person runs it: a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from bot.devtools.blocks_text import posted_text
from bot.devtools.demo import NAMES
from tests.conftest import SIGNING_SECRET, process_env


def wolfpack(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=process_env(HOME=os.environ.get("HOME", "/tmp"), **(env or {})),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_run_without_tokens_names_the_missing_variable(tmp_path: Path) -> None:
    done = wolfpack("run", cwd=tmp_path)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "SLACK_BOT_TOKEN" in lines[0]


def test_run_with_a_malformed_setting(tmp_path: Path) -> None:
    done = wolfpack(
        "run",
        env={"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "PORT": "http"},
        cwd=tmp_path,
    )
    assert done.returncode != 0
    assert done.stderr.strip().startswith("wolfpack: PORT:")
    done = wolfpack("run", env={"SLACK_BOT_TOKEN": "xoxb-1"}, cwd=tmp_path)
    assert "SLACK_SIGNING_SECRET" in done.stderr and done.returncode != 0


def test_secrets_stay_out_of_reprs() -> None:
    from bot.config import load_settings

    settings = load_settings(
        {"SLACK_BOT_TOKEN": "xoxb-very-secret", "SLACK_SIGNING_SECRET": "shh-123"}, env_file=None
    )
    assert "very-secret" not in repr(settings) and "shh-123" not in repr(settings)
    assert settings.bot_token == "xoxb-very-secret"


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    from bot.config import load_settings

    env = tmp_path / ".env"
    env.write_text("PORT=4000\nLOG_LEVEL=debug\n")
    settings = load_settings({"PORT": "5000"}, env_file=env)
    assert settings.port == 5000 and settings.log_level == "DEBUG"


def test_manifest_for_http_and_socket_mode() -> None:
    http = yaml.safe_load(wolfpack("manifest", "--url", "https://wolf.example.com").stdout)
    assert (
        http["settings"]["event_subscriptions"]["request_url"]
        == "https://wolf.example.com/slack/events"
    )
    assert http["settings"]["socket_mode_enabled"] is False
    assert {c["command"] for c in http["features"]["slash_commands"]} >= {"/checkin", "/wolfpack"}
    socket = yaml.safe_load(wolfpack("manifest", "--socket").stdout)
    assert socket["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in socket["settings"]["event_subscriptions"]
    assert "member_joined_channel" in socket["settings"]["event_subscriptions"]["bot_events"]


def test_db_upgrade(tmp_path: Path) -> None:
    done = wolfpack(
        "db", "upgrade", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"}, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "w.db").exists()


def test_demo_runs_offline_without_tokens(tmp_path: Path) -> None:
    done = wolfpack("demo", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    # What it prints is exactly the summary the fake Slack received: its blocks as text.
    _, printed = out.split("(one per weekly summary).\n\n", 1)
    printed, note = printed.split("--- privately, to Gus only ---\n", 1)
    assert printed == posted_text(summary, NAMES) + "\n"
    assert "Weekly consensus · week of 7 Dec" in printed
    assert summary["blocks"][0]["text"]["text"] == "Weekly consensus · week of 7 Dec"
    assert "Weekly consensus · wolves · week of 7 Dec" in summary["text"]
    assert len(summary["blocks"]) <= 8
    # The splits: the open one with its buttons, the one a passed proposal settled as decided.
    assert "1. “Rewrite the sync engine in Rust” — 3 agree · 4 disagree\n" in printed
    assert (
        "2. “Ship the CLI before the web UI”\nDecided: “Ship the CLI in December and a web UI "
        "beta for two customers alongside” (passed Thu 10 Dec)"
    ) in printed
    assert printed.count("[Propose a decision]") == 1 and "[Details]" in printed
    assert "1 person worked solo 3+ check-ins in a row" in printed
    # Gus votes against the pack but said why (a reason on the Rust statement, a block with
    # one): dissent with a reason is taking part, not a views-apart signal.
    assert "heard yet" not in printed and "reasons are welcome" not in printed
    assert "Blocked: “Ship the CLI in December" in printed
    # The five statements six of seven agree on, Gus against: with every member's vote in, a
    # pack of seven cannot tell them from common ground, and nobody is told to vote more.
    assert "5 statements come close to common ground; not clear yet." in printed
    assert "once more of you vote" not in printed
    for unexplained in ("spread", "scores ·", "2026-W", "No open proposals"):
        assert unexplained not in printed, unexplained
    # The private note, as posted to Gus: the week of the summary above.
    assert note.startswith("Just for you · wolves · week of 7 Dec\n")
    assert "Working solo: no collaborator in 10 check-ins in a row" in note
    assert "Your view, not heard yet" not in note and "sided with" not in note
    assert "Weigh in on a split the pack has not settled: “Rewrite the sync engine" in note
    assert not [b for b in summary["blocks"] if "Gus" in json.dumps(b) and "alone" in json.dumps(b)]
    png = (tmp_path / "out" / "summary-chart.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    # The map page, as the link /wolfpack map DMs opens it: a dot per member, Alba's marked,
    # no names (the pack votes anonymously), the splits with their reasons and the decisions.
    page = (tmp_path / "out" / "map.html").read_text()
    assert page.count('class="dot') == 7 and ">You<" in page
    assert "Rewrite the sync engine in Rust" in page and "Not before the release" in page
    assert "Ship the CLI in December and a web UI beta" in page
    assert not any(name in page for name in NAMES.values())
    assert "map.html" in out


def test_run_serves_http_migrates_and_stops_on_sigterm(tmp_path: Path, fake_slack: object) -> None:
    import signal
    import socket
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = process_env(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.url,  # type: ignore[attr-defined]
        DATABASE_URL=f"sqlite:///{tmp_path / 'run.db'}",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--http", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        while line and "serving HTTP" not in line:
            line = process.stderr.readline()
        assert "serving HTTP" in line
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            assert json.loads(response.read()) == {"status": "ok", "database": True, "slack": True}
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_run_mode_follows_the_tokens() -> None:
    import pytest

    from bot.config import ConfigError, load_settings, require_for_run

    def mode(env: dict[str, str], http: bool = False) -> str:
        return require_for_run(load_settings(env, env_file=None), http=http)

    socket_env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}
    assert mode(socket_env) == "socket"
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET"):
        mode(socket_env, http=True)
    assert mode({**socket_env, "SLACK_SIGNING_SECRET": "s"}, http=True) == "http"
    with pytest.raises(ConfigError, match="SLACK_APP_TOKEN: must be an app-level token"):
        load_settings({"SLACK_APP_TOKEN": "xoxb-wrong"}, env_file=None)


def test_version_is_the_installed_package_version() -> None:
    import importlib.metadata

    result = subprocess.run(
        [sys.executable, "-m", "bot", "--version"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"wolfpack {importlib.metadata.version('wolfpack')}"


def test_the_manifest_usage_hints_name_every_sub_command() -> None:
    from bot.slack.listeners.checkins import CHECKIN
    from bot.slack.listeners.packs import WOLFPACK
    from bot.slack.listeners.statements import DIRECTION
    from bot.slack.listeners.summary import CONSENSUS
    from bot.slack.manifest import COMMANDS

    hints = {name: hint for name, _, hint in COMMANDS}
    for command in (CHECKIN, WOLFPACK, DIRECTION, CONSENSUS):
        named = {part.split()[0] for part in hints[command.name].strip("[]").split("|")}
        assert named == {*command.handlers, "help"} - {""}, command.name
