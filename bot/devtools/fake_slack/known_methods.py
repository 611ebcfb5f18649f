"""The allow-list of Web API method names: the fake answers `unknown_method` to anything else."""

from __future__ import annotations

import functools
from importlib.resources import files


@functools.cache
def load_known_methods() -> frozenset[str]:
    """The Web API method names Slack publishes, from the data file shipped with this package."""
    text = (files("bot.devtools.fake_slack") / "slack_web_methods.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())
