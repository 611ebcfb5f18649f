"""The app leaving a workspace: `app_uninstalled`, or `tokens_revoked` naming the bot, stops all
work for that workspace and deletes its tokens. Idempotent, so a redelivered event changes
nothing more."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext

from bot.slack.middleware import log
from bot.slack.router import Router

Uninstalled = Callable[[str, str | None], None]


def app_uninstalled(body: dict[str, Any], context: BoltContext, uninstalled: Uninstalled) -> None:
    team_id = context.team_id or body.get("team_id")
    if team_id:
        log.info("uninstalled from %s", team_id)
        uninstalled(str(team_id), context.enterprise_id)


def tokens_revoked(
    event: dict[str, Any], body: dict[str, Any], context: BoltContext, uninstalled: Uninstalled
) -> None:
    tokens = event.get("tokens")
    team_id = context.team_id or body.get("team_id")
    # Only the bot's tokens matter: Wolfpack asks for no user tokens.
    if isinstance(tokens, dict) and tokens.get("bot") and team_id:
        log.info("bot token revoked in %s", team_id)
        uninstalled(str(team_id), context.enterprise_id)


def register(router: Router, uninstalled: Uninstalled) -> None:
    def with_uninstalled(listener: Callable[..., None]) -> Callable[..., None]:
        return functools.partial(listener, uninstalled=uninstalled)

    router.event("app_uninstalled", with_uninstalled(app_uninstalled))
    router.event("tokens_revoked", with_uninstalled(tokens_revoked))
