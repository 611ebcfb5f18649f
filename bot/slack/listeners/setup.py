"""`/wolfpack`: setup (a modal opened at once in a loading state, then filled in), settings,
members, export, forget-me, help; the setup form's submission and forget-me's buttons."""

from __future__ import annotations

import secrets
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.errors import FieldErrors, UserError
from bot.core.flows import Flows
from bot.core.packs import WEEKDAY_NAMES
from bot.core.privacy import Footprint
from bot.slack.blocks.common import notice_modal, section
from bot.slack.blocks.help import WOLFPACK_HELP, unknown
from bot.slack.blocks.privacy import (
    CANCELLED,
    EXPORT_STARTED,
    forget_confirmation,
    forgotten_message,
    settings_message,
)
from bot.slack.blocks.setup import read_setup, setup_block_for, setup_modal
from bot.slack.ids import Action, View
from bot.slack.later import Later
from bot.slack.listeners.support import SORRY, external_id_for, guarded, log, split_command, team_of
from bot.slack.mrkdwn import escape

TRIGGER_EXPIRED = "Slack closed the window before I could open the form. Please run it again."


def register(app: App, flows: Flows, later: Later) -> None:
    @guarded
    def wolfpack_ack(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        sub, _ = split_command(body.get("text"))
        if sub == "setup":
            external_id = external_id_for(body["trigger_id"])
            loading = notice_modal(
                "Pack setup", "Loading the channel's members…", external_id=external_id
            )
            try:
                client.views_open(trigger_id=body["trigger_id"], view=loading)
            except SlackApiError as error:
                log.warning("setup modal not opened: %s", error.response.get("error"))
                ack(text=TRIGGER_EXPIRED)
                return
            ack()
            team_id, channel_id, user_id = team_of(context), body["channel_id"], body["user_id"]
            later(fill_setup, team_id, channel_id, user_id, client, external_id)
        elif sub == "members":
            try:
                pack, members = flows.pack_members(team_of(context), body["channel_id"])
            except UserError as error:
                ack(text=error.message)
                return
            lines = []
            for m in members[:80]:
                role = " · admin" if m.user_id in pack.admin_ids else ""
                away = f" · away {m.person.away.start}–{m.person.away.end}" if m.person.away else ""
                lines.append(f"• <@{m.user_id}> · {escape(m.person.tz)}{role}{away}")
            if len(members) > 80:
                lines.append(f"…and {len(members) - 80} more")
            days = ", ".join(WEEKDAY_NAMES[d][:3] for d in sorted(pack.settings.checkin_days))
            head = (
                f"*{len(members)} members* · check-ins {days} at "
                f"{pack.settings.checkin_time:%H:%M} "
                + (
                    "each member's own time"
                    if pack.settings.timezone_mode == "member"
                    else escape(pack.settings.timezone)
                )
            )
            ack(text=head, blocks=[section(head), section("\n".join(lines) or "No members yet.")])
        elif sub == "settings":
            try:
                team_id, user_id = team_of(context), body["user_id"]
                shown = flows.privacy.settings(team_id, body["channel_id"], user_id)
            except UserError as error:
                ack(text=error.message)
                return
            text, blocks = settings_message(shown)
            ack(text=text, blocks=blocks)
        elif sub == "export":
            team_id, user_id = team_of(context), body["user_id"]
            try:
                pack = flows.privacy.export_pack(team_id, body["channel_id"], user_id)
            except UserError as error:
                ack(text=error.message)
                return
            ack(text=EXPORT_STARTED)
            later(send_export, team_id, pack.id, user_id, client)
        elif sub == "forget-me":
            text, blocks = forget_confirmation(
                flows.privacy.footprint(team_of(context), body["user_id"])
            )
            ack(text=text, blocks=blocks)
        elif sub in ("", "help"):
            ack(text=WOLFPACK_HELP)
        else:
            ack(text=unknown("/wolfpack", sub, WOLFPACK_HELP))

    def fill_setup(
        team_id: str, channel_id: str, user_id: str, client: WebClient, external_id: str
    ) -> None:
        """The setup form in place of the loading modal, once the channel's members are read."""
        try:
            form = flows.setup_form(team_id, channel_id, user_id)
            view = setup_modal(form, external_id=external_id)
        except UserError as error:
            view = notice_modal("Pack setup", error.message, external_id=external_id)
        client.views_update(external_id=external_id, view=view)

    def send_export(team_id: str, pack_id: int, user_id: str, client: WebClient) -> None:
        try:
            flows.privacy.send_export(team_id, pack_id, user_id)
        except UserError as error:
            tell(client, None, user_id, error.message)
        except Exception:
            ref = secrets.token_hex(4)
            log.exception("export failed (ref %s)", ref)
            tell(client, None, user_id, SORRY.format(ref=ref))

    app.command("/wolfpack")(wolfpack_ack)

    @app.action(Action.FORGET_CONFIRM)
    @guarded
    def forget_confirmed(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        team_id, user_id = team_of(context), body["user"]["id"]
        # Deleted before the answer, so a confirmed forget-me is never lost with the process;
        # the posts' removal and the report follow.
        gone = flows.privacy.forget_me(team_id, user_id)
        ack()
        later(forgotten, team_id, user_id, clicked_in(body), client, gone)

    def forgotten(
        team_id: str, user_id: str, channel_id: str | None, client: WebClient, gone: Footprint
    ) -> None:
        flows.privacy.take_down(team_id, gone)
        text, blocks = forgotten_message(gone)
        tell(client, channel_id, user_id, text, blocks)

    @app.action(Action.FORGET_CANCEL)
    @guarded
    def forget_cancelled(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        later(tell, client, clicked_in(body), body["user"]["id"], CANCELLED)

    @app.view(View.SETUP)
    @guarded
    def setup_submitted(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        user_id = body["user"]["id"]
        try:
            draft = read_setup(body["view"], user_id)
            pack, created = flows.save_pack(team_of(context), user_id, draft)
        except FieldErrors as bad:
            errors: dict[str, str] = {}
            for key, message in bad.errors.items():
                errors.setdefault(setup_block_for(key), message)
            ack(response_action="errors", errors=errors)
            return
        except UserError as error:
            ack(response_action="update", view=notice_modal("Pack setup", error.message))
            return
        verb = "created" if created else "updated"
        ack(
            response_action="update",
            view=notice_modal(
                "Pack saved",
                f"The pack of <#{pack.channel_id}> is {verb}. Members get their check-in by "
                "DM; `/wolfpack members` shows who is in it.",
            ),
        )


def clicked_in(body: dict[str, Any]) -> str | None:
    """The conversation of the message whose button was clicked."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    return str(channel) if channel else None


def tell(
    client: WebClient,
    channel_id: str | None,
    user_id: str,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
) -> None:
    """Shows the user a message only they see: ephemeral where they clicked, or else by DM."""
    if channel_id:
        try:
            client.chat_postEphemeral(channel=channel_id, user=user_id, text=text, blocks=blocks)
            return
        except SlackApiError as error:
            log.info("ephemeral not shown (%s); sending a DM", error.response.get("error"))
    dm = client.conversations_open(users=user_id)["channel"]["id"]
    client.chat_postMessage(channel=dm, text=text, blocks=blocks)
