"""The App Home tab, published when a member opens it."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.core.flows import Flows
from bot.slack.blocks.home import home_view
from bot.slack.listeners.support import team_of


def register(app: App, flows: Flows) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if event.get("tab", "home") != "home":
            return
        user_id = str(event["user"])
        client.views_publish(user_id=user_id, view=home_view(flows.home(team_of(context), user_id)))
