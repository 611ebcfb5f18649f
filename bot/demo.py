"""`wolfpack demo`: a pack's check-in day, offline. A fake Slack Web API runs in this process, the
real bot serves HTTP on 127.0.0.1, and simulated people drive it with signed requests, exactly
as Slack would; then the round thread is printed and its Block Kit JSON written out."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import sys
import tempfile
from pathlib import Path
from typing import Any

from bot.config import load_settings
from bot.fake_slack import FakeSlack
from bot.simulate import SlackSide, Value
from bot.wiring import build

TEAM, CHANNEL = "TDEMO", "CWOLVES"
PEOPLE = (
    ("UALBA", "Alba", "Europe/Madrid"),
    ("UBRAM", "Bram", "Europe/Amsterdam"),
    ("UCHIDI", "Chidi", "Africa/Lagos"),
    ("UDEV", "Dev", "Asia/Kolkata"),
    ("UELI", "Eli", "America/New_York"),
    ("UFERN", "Fern", "America/Los_Angeles"),
    ("UGUS", "Gus", "Pacific/Auckland"),
)
ANSWERS: dict[str, dict[str, Value]] = {
    "UALBA": {
        "q:progress": "Merged the new importer",
        "q:focus": "Import error messages",
        "q:collaborators": ["UBRAM"],
        "q:alignment": "5",
        "q:priority": "Ship the CLI before the web UI",
    },
    "UBRAM": {
        "q:progress": "Reviewed the importer with Alba",
        "q:focus": "Release notes",
        "q:collaborators": ["UALBA"],
        "q:alignment": "4",
    },
    "UCHIDI": {
        "q:progress": "Profiled the sync job",
        "q:focus": "Cut sync time in half",
        "q:blockers": "Waiting on staging database access",
        "q:alignment": "3",
    },
    "UDEV": {
        "q:progress": "Prototype of the web dashboard",
        "q:focus": "Dashboard charts",
        "q:alignment": "2",
        "q:priority": "Web UI first: that is what customers see",
    },
    "UELI": {
        "q:progress": "Wrote docs for <!channel> escaping & friends",
        "q:focus": "Docs site",
        "q:collaborators": ["UFERN"],
        "q:alignment": "4",
    },
}


def _flatten(blocks: list[dict[str, Any]]) -> str:
    lines: list[str] = []
    for block in blocks:
        if block["type"] == "section":
            lines.append(block["text"]["text"])
        elif block["type"] == "context":
            lines.append(" · ".join(e.get("text", "") for e in block["elements"]))
    text = "\n".join(lines)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def run_demo(out: Path, *, stream: Any = None) -> int:
    stream = stream or sys.stdout
    out.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(16)
    with tempfile.TemporaryDirectory() as tmp, FakeSlack(team_id=TEAM) as fake:
        for user_id, name, tz in PEOPLE:
            fake.add_user(user_id, name=name, tz=tz, is_admin=user_id == "UALBA")
        fake.add_user("UHELPBOT", name="Helper", is_bot=True)
        fake.add_channel(CHANNEL, name="wolves", members=[p[0] for p in PEOPLE] + ["UHELPBOT"])
        settings = load_settings(
            {
                "SLACK_BOT_TOKEN": "xoxb-demo",
                "SLACK_SIGNING_SECRET": secret,
                "SLACK_API_URL": fake.url,
                "DATABASE_URL": f"sqlite:///{Path(tmp) / 'demo.db'}",
            },
            env_file=None,
        )

        class DemoClock:
            def now(self) -> dt.datetime:
                return dt.datetime(2026, 12, 1, 17, 0, tzinfo=dt.UTC)  # Tuesday

        wolfpack = build(settings, clock=DemoClock())
        server = wolfpack.serve_http().start()
        try:
            side = SlackSide(f"{server.url}/slack/events", secret, team_id=TEAM)
            side.command("/wolfpack", "setup", user="UALBA", channel=CHANNEL)
            fake.wait_for(
                lambda f: any(
                    c.args["view"].get("callback_id") == "wolfpack_setup"
                    for c in f.calls_to("views.update")
                )
            )
            setup_view = fake.calls_to("views.update")[-1].args["view"]
            side.submit(setup_view, user="UALBA")
            side.command("/checkin", "away 2026-11-30 2026-12-04", user="UGUS", channel=CHANNEL)
            side.command("/checkin", "skip", user="UFERN", channel=CHANNEL)
            for user_id, values in ANSWERS.items():
                side.command("/checkin", "", user=user_id, channel=CHANNEL)
                view = fake.calls_to("views.open")[-1].args["view"]
                side.submit(view, user=user_id, values=values)
            fake.wait_for(
                lambda f: (
                    sum(1 for m in f.messages(CHANNEL) if m.get("thread_ts")) == len(ANSWERS)
                    and "heard from 6 of 6" in f.messages(CHANNEL)[0].get("text", "")
                ),
                timeout=30,
            )
            messages = fake.messages(CHANNEL)
        finally:
            wolfpack.close()
    parent, replies = messages[0], [m for m in messages[1:] if m.get("thread_ts")]
    print(f"#wolves  {_flatten(parent['blocks'])}", file=stream)
    for reply in replies:
        print("  └ " + _flatten(reply["blocks"]).replace("\n", "\n    "), file=stream)
    (out / "round.json").write_text(json.dumps({"parent": parent, "replies": replies}, indent=2))
    print(f"\nBlock Kit JSON written to {out / 'round.json'}", file=stream)
    return 0
