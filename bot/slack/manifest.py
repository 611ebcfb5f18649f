"""The Slack app manifest for `wolfpack manifest`."""

from __future__ import annotations

from typing import Any

import yaml

COMMANDS = (
    (
        "/checkin",
        "Check in, skip today, set time away or working hours, or see your history",
        "[skip|away FROM TO|back|hours 08:00-16:00 mon-fri|history N|help]",
    ),
    (
        "/direction",
        "Vote on where the pack is heading, or add a statement",
        "[add TEXT|list|hide N|unhide N|help]",
    ),
    ("/propose", "Put a decision to the pack", "TEXT [--closes 3d]"),
    ("/consensus", "This week's consensus report, or the decision log", "[decisions|help]"),
    (
        "/wolfpack",
        "Set up and run the pack of this channel",
        "[setup|members|settings|map|export|forget-me|help]",
    ),
)
BOT_SCOPES = (
    "commands",
    "chat:write",
    "im:write",
    "im:history",
    "mpim:write",
    "channels:history",
    "groups:history",
    "users:read",
    "channels:read",
    "groups:read",
    "files:write",
)
BOT_EVENTS = (
    "app_home_opened",
    "member_joined_channel",
    "member_left_channel",
    "user_change",
    "message.channels",
    "message.groups",
    "app_uninstalled",
    "tokens_revoked",
)


def manifest(
    url: str | None = None, *, socket: bool = False, name: str = "Wolfpack"
) -> dict[str, Any]:
    """Socket Mode when `socket` (no request URLs); otherwise HTTP under `url`."""
    if not socket and not url:
        raise ValueError("an HTTP manifest needs --url (the bot's public base URL)")
    events_url = f"{(url or '').rstrip('/')}/slack/events"
    commands = []
    for command, description, hint in COMMANDS:
        entry: dict[str, Any] = {
            "command": command,
            "description": description,
            "usage_hint": hint,
            "should_escape": False,
        }
        if not socket:
            entry["url"] = events_url
        commands.append(entry)
    events: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if not socket:
        events["request_url"] = events_url
        interactivity["request_url"] = events_url
        # Where Slack asks for the options of a select searched as one types (the setup
        # form's timezones and holiday countries).
        interactivity["message_menu_options_url"] = events_url
    oauth: dict[str, Any] = {"scopes": {"bot": list(BOT_SCOPES)}}
    if not socket:
        oauth["redirect_urls"] = [f"{(url or '').rstrip('/')}/slack/oauth_redirect"]
    return {
        "display_information": {
            "name": name,
            "description": "Check-ins, direction votes and consensus for your team.",
            "background_color": "#2c2d30",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": True,
            },
            "bot_user": {"display_name": name, "always_online": True},
            "slash_commands": commands,
        },
        "oauth_config": oauth,
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket,
            "token_rotation_enabled": False,
        },
    }


def manifest_yaml(url: str | None = None, *, socket: bool = False) -> str:
    return yaml.safe_dump(manifest(url, socket=socket), sort_keys=False, allow_unicode=True)
