"""`/wolfpack`: setup (a modal opened at once in a loading state, then filled in), members,
help; and the setup form's submission."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.errors import FieldErrors, UserError
from bot.core.flows import Flows
from bot.core.packs import WEEKDAY_NAMES
from bot.slack.blocks.common import notice_modal, section
from bot.slack.blocks.help import WOLFPACK_HELP, unknown
from bot.slack.blocks.setup import read_setup, setup_block_for, setup_modal
from bot.slack.ids import View
from bot.slack.listeners.support import (
    Later,
    external_id_for,
    guarded,
    log,
    split_command,
    team_of,
)
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

    app.command("/wolfpack")(wolfpack_ack)

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
