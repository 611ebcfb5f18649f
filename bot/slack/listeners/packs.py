"""`/wolfpack`: setup (a modal opened at once in a loading state, then filled in), members,
settings, map, export, forget-me and help; the setup form's More settings button, the timezone and
holiday country lists it searches, and its submission; and the events that keep
packs in step with Slack (people joining or leaving a pack's channel, profile changes), each
idempotent, so a redelivered event has no second effect."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.choices import Choice
from bot.core.errors import FieldErrors, UserError
from bot.core.usecases import packs
from bot.core.usecases.workspace import Workspace
from bot.slack.blocks.common import notice_modal, option
from bot.slack.blocks.help import WOLFPACK_HELP
from bot.slack.blocks.packs import members_message, settings_message
from bot.slack.blocks.setup import setup_modal
from bot.slack.blocks.setup_reader import read_setup, read_typed, setup_block_for
from bot.slack.commands import Command, SubCommands
from bot.slack.ids import Action, SetupField, View
from bot.slack.later import Later
from bot.slack.listeners import privacy
from bot.slack.listeners.map import map_link
from bot.slack.listeners.support import external_id_for
from bot.slack.middleware import log
from bot.slack.notifier import person_from_slack
from bot.slack.router import Router

TRIGGER_EXPIRED = "Slack closed the window before I could open the form. Please run it again."
# Events the manifest subscribes to but that need no work yet; acknowledged so Slack does not
# retry them.
ACKNOWLEDGED_ONLY = ("app_mention",)


def setup(cmd: Command) -> None:
    """Opens a loading modal at once (the trigger dies after 3 s), then fills it in once the
    channel's members are read."""
    external_id = external_id_for(cmd.trigger_id)
    loading = notice_modal("Pack setup", "Loading the channel's members…", external_id=external_id)
    try:
        cmd.client.views_open(trigger_id=cmd.trigger_id, view=loading)
    except SlackApiError as error:
        log.warning("setup modal not opened: %s", error.response.get("error"))
        cmd.ack(text=TRIGGER_EXPIRED)
        return
    cmd.ack()
    cmd.later(_fill_setup, cmd.workspace, cmd.channel_id, cmd.user_id, cmd.client, external_id)


def _fill_setup(
    ws: Workspace, channel_id: str, user_id: str, client: WebClient, external_id: str
) -> None:
    try:
        view = setup_modal(packs.setup_form(ws, channel_id, user_id), external_id=external_id)
    except UserError as error:
        view = notice_modal("Pack setup", error.message, external_id=external_id)
    client.views_update(external_id=external_id, view=view)


def members(cmd: Command) -> None:
    text, blocks = members_message(*packs.pack_members(cmd.workspace, cmd.channel_id))
    cmd.ack(text=text, blocks=blocks)


def settings(cmd: Command) -> None:
    text, blocks = settings_message(packs.pack_settings(cmd.workspace, cmd.channel_id, cmd.user_id))
    cmd.ack(text=text, blocks=blocks)


def usage(cmd: Command) -> None:
    cmd.ack(text=WOLFPACK_HELP)


WOLFPACK = SubCommands(
    "/wolfpack",
    WOLFPACK_HELP,
    {
        "setup": setup,
        "members": members,
        "settings": settings,
        "map": map_link,
        "export": privacy.export,
        "forget-me": privacy.forget_me,
        "": usage,
    },
)


def setup_more(
    ack: Ack, body: dict[str, Any], workspace: Workspace, client: WebClient, later: Later
) -> None:
    """**More settings**: the same modal again with every setting, what was typed kept."""
    ack()
    view = body.get("view") or {}
    user_id = body["user"]["id"]
    if view.get("callback_id") != View.SETUP or not isinstance(view.get("id"), str):
        return
    external_id = view.get("external_id") or None
    try:
        form = packs.more_settings(workspace, user_id, read_typed(view, user_id))
        full = setup_modal(form, more=True, external_id=external_id)
    except UserError as error:
        full = notice_modal("Pack setup", error.message, external_id=external_id)
    later(_update_view, client, view["id"], view.get("hash"), full)


def _update_view(client: WebClient, view_id: str, hash_: str | None, view: dict[str, Any]) -> None:
    try:
        client.views_update(view_id=view_id, hash=hash_, view=view)
    except SlackApiError as error:
        # hash_conflict: the form changed meanwhile (a second click); that update stands.
        log.info("setup form not expanded: %s", error.response.get("error"))


def _options(choices: list[Choice]) -> list[dict[str, Any]]:
    return [option(c.label, c.value) for c in choices]


def timezone_options(ack: Ack, body: dict[str, Any], workspace: Workspace) -> None:
    ack(options=_options(packs.timezone_choices(workspace, str(body.get("value") or ""))))


def holiday_country_options(ack: Ack, body: dict[str, Any]) -> None:
    ack(options=_options(packs.holiday_country_choices(str(body.get("value") or ""))))


def setup_submitted(ack: Ack, body: dict[str, Any], workspace: Workspace) -> None:
    user_id = body["user"]["id"]
    try:
        draft = read_setup(body["view"], user_id)
        pack, created = packs.save_pack(workspace, user_id, draft)
    except FieldErrors as bad:
        shown = {b.get("block_id") for b in body["view"].get("blocks") or [] if isinstance(b, dict)}
        errors: dict[str, str] = {}
        for key, message in bad.errors.items():
            block = setup_block_for(key)
            if block not in shown:
                # A setting the short form hides (Slack refuses errors for a block not shown).
                block, message = SetupField.MEMBERS, f"More settings: {message}"
            errors.setdefault(block, message)
        ack(response_action="errors", errors=errors)
        return
    verb = "created" if created else "updated"
    ack(
        response_action="update",
        view=notice_modal(
            "Pack saved",
            f"The pack of <#{pack.channel_id}> is {verb}. Members get their check-in by DM; "
            "`/wolfpack members` shows who is in it.",
        ),
    )


def member_joined(event: dict[str, Any], workspace: Workspace) -> None:
    channel, user = event.get("channel"), event.get("user")
    if isinstance(channel, str) and isinstance(user, str):
        packs.member_joined(workspace, channel, user)


def member_left(event: dict[str, Any], workspace: Workspace) -> None:
    channel, user = event.get("channel"), event.get("user")
    if isinstance(channel, str) and isinstance(user, str):
        packs.member_left(workspace, channel, user)


def user_changed(event: dict[str, Any], workspace: Workspace) -> None:
    user = event.get("user")
    if isinstance(user, dict) and isinstance(user.get("id"), str) and user["id"]:
        packs.user_changed(workspace, person_from_slack(user))


def acknowledged(event: dict[str, Any]) -> None:
    log.info("event %s acknowledged", event.get("type"))


def register(router: Router) -> None:
    router.command("/wolfpack", WOLFPACK)
    router.view(View.SETUP, setup_submitted, title="Pack setup")
    router.action(Action.SETUP_MORE, setup_more)
    router.options_for(SetupField.TIMEZONE, timezone_options)
    router.options_for(SetupField.HOLIDAY_COUNTRY, holiday_country_options)
    router.event("member_joined_channel", member_joined)
    router.event("member_left_channel", member_left)
    router.event("user_change", user_changed)
    for name in ACKNOWLEDGED_ONLY:
        router.event(name, acknowledged)
