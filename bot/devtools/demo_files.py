"""What the demo writes beside what it prints: its folder, and the opinion map page. For the
page a member asks for the map with `/wolfpack map`, and the page the link in their DM opens
is fetched from the bot's own HTTP server as a browser would."""

from __future__ import annotations

import re
import socket
import urllib.request
from pathlib import Path

from bot.config import ConfigError, StartupError
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.simulate import SlackSide

_LINK = re.compile(r"<(http://127\.0\.0\.1:[0-9]+/map\?t=[^|>]+)\|")


def make_folder(out: Path) -> None:
    """The --out folder, made if missing (before the two simulated weeks, not after)."""
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out}: is a file, not a folder: give a folder (made if missing)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StartupError(
            f"--out {out}: cannot make the folder ({error.strerror}): give another one"
        ) from error


def free_port() -> int:
    """A port free on loopback now, for the demo's server: the map links must name it
    before the server starts (they are built from WOLFPACK_PUBLIC_URL)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def save_map(side: SlackSide, fake: FakeSlack, user: str, channel: str, out: Path) -> Path:
    """Runs `/wolfpack map` as `user` in the pack's channel, follows the link the bot DMs
    them, and writes the page to `out/map.html`."""
    before = len(fake.messages(f"D{user}"))
    reply, _ = side.command("/wolfpack", "map", user=user, channel=channel)
    if reply.status != 200:
        raise RuntimeError(f"/wolfpack map answered {reply.status}")
    fake.wait_for(lambda f: len(f.messages(f"D{user}")) > before, timeout=30)
    dm = fake.messages(f"D{user}")[-1]
    found = _LINK.search(str(dm.get("blocks", "")))
    if found is None:
        raise RuntimeError("the map DM carries no link")
    with urllib.request.urlopen(found.group(1), timeout=30) as page:  # noqa: S310 (loopback)
        html = page.read()
    path = out / "map.html"
    path.write_bytes(html)
    return path
