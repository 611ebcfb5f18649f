"""Opening a modal from a click: at once (a trigger id dies after 3 seconds), or a notice
saying why not."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from bot.core.errors import UserError
from bot.slack.blocks.common import notice_modal


def open_modal(
    client: WebClient, body: dict[str, Any], title: str, build: Callable[[], dict[str, Any]]
) -> None:
    """Opens the modal `build` makes for a click, or a notice saying why not (its UserError),
    right away: the click's trigger id dies after 3 seconds."""
    try:
        view = build()
    except UserError as error:
        view = notice_modal(title, error.message)
    client.views_open(trigger_id=body["trigger_id"], view=view)


def external_id_for(trigger_id: str) -> str:
    """A views.update handle for a modal opened with this trigger, derivable again later."""
    return "wp-" + hashlib.sha256(trigger_id.encode()).hexdigest()[:32]
