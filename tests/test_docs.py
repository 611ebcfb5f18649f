"""What the documentation promises and the code must keep: the placeholders of `.env.example`
that start-up refuses, and a reason in the README for every scope the manifest asks for."""

from __future__ import annotations

import re
from pathlib import Path

from dotenv import dotenv_values

from bot.config import PLACEHOLDERS
from bot.slack.manifest import BOT_SCOPES

ROOT = Path(__file__).resolve().parents[1]
# The settings that hold a credential: `.env.example` can only show a placeholder for them.
CREDENTIALS = {
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "WOLFPACK_ENCRYPTION_KEY",
}


def test_the_placeholders_refused_are_those_of_env_example() -> None:
    example = dotenv_values(ROOT / ".env.example")
    shown = {name: value for name, value in example.items() if name in CREDENTIALS and value}
    assert shown == PLACEHOLDERS


def test_the_readme_says_what_every_scope_is_for() -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("| scope | why |") :].split("\n\n")[0]
    rows = re.findall(r"^\| `([^`]+)` \| (.+) \|$", table, re.MULTILINE)
    assert [scope for scope, _ in rows] == list(BOT_SCOPES)
    assert all(len(why.strip()) > 10 for _, why in rows)


def test_the_readme_leads_to_the_troubleshooting_page() -> None:
    readme = (ROOT / "README.md").read_text()
    opening = readme[: readme.index("## What it does today")]
    assert "(docs/troubleshooting.md)" in opening
    assert (ROOT / "docs" / "troubleshooting.md").is_file()
