"""Events that keep packs in step with Slack: people joining or leaving the pack's channel,
profile changes (timezone, deactivation). Each handler is
idempotent, so a redelivered event has no second effect."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext

from bot.core.flows import Flows
from bot.slack.listeners.support import log, team_of
from bot.slack.notifier import person_from_slack

# Events the manifest subscribes to but that need no work yet; acknowledged so Slack does not
# retry them.
_ACKNOWLEDGED_ONLY = ("app_mention",)


def register(app: App, flows: Flows) -> None:
    @app.event("member_joined_channel")
    def joined(event: dict[str, Any], context: BoltContext) -> None:
        flows.member_joined(team_of(context), str(event["channel"]), str(event["user"]))

    @app.event("member_left_channel")
    def left(event: dict[str, Any], context: BoltContext) -> None:
        flows.member_left(team_of(context), str(event["channel"]), str(event["user"]))

    @app.event("user_change")
    def user_changed(event: dict[str, Any], context: BoltContext) -> None:
        user = event.get("user")
        if isinstance(user, dict) and user.get("id"):
            flows.user_changed(team_of(context), person_from_slack(user))

    for name in _ACKNOWLEDGED_ONLY:

        @app.event(name)
        def acknowledged(event: dict[str, Any]) -> None:
            log.info("event %s acknowledged", event.get("type"))
