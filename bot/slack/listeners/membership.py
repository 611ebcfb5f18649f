"""Events that keep packs in step with Slack: people joining or leaving the pack's channel,
profile changes (timezone, deactivation). Each handler is
idempotent, so a redelivered event has no second effect."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext

from bot.core.flows import Flows
from bot.slack.listeners.support import guarded, log, team_of
from bot.slack.notifier import person_from_slack

# Events the manifest subscribes to but that need no work yet; acknowledged so Slack does not
# retry them.
_ACKNOWLEDGED_ONLY = ("app_mention",)


def register(app: App, flows: Flows) -> None:
    @app.event("member_joined_channel")
    @guarded
    def joined(event: dict[str, Any], context: BoltContext) -> None:
        channel, user = event.get("channel"), event.get("user")
        if isinstance(channel, str) and isinstance(user, str):
            flows.member_joined(team_of(context), channel, user)

    @app.event("member_left_channel")
    @guarded
    def left(event: dict[str, Any], context: BoltContext) -> None:
        channel, user = event.get("channel"), event.get("user")
        if isinstance(channel, str) and isinstance(user, str):
            flows.member_left(team_of(context), channel, user)

    @app.event("user_change")
    @guarded
    def user_changed(event: dict[str, Any], context: BoltContext) -> None:
        user = event.get("user")
        if isinstance(user, dict) and isinstance(user.get("id"), str) and user["id"]:
            flows.user_changed(team_of(context), person_from_slack(user))

    for name in _ACKNOWLEDGED_ONLY:

        @app.event(name)
        def acknowledged(event: dict[str, Any]) -> None:
            log.info("event %s acknowledged", event.get("type"))
