"""`/checkin` and its sub-commands, the check-in modal's submission, and the buttons that open
the modal (pack choice, Edit)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.errors import FieldErrors, UserError
from bot.core.flows import CheckinForm, Flows, PackChoice
from bot.core.packs import Pack
from bot.core.usecases import statements
from bot.slack.blocks.checkin import (
    away_modal,
    checkin_errors,
    checkin_modal,
    choose_pack_blocks,
    history_blocks,
    read_away,
    read_checkin_submission,
)
from bot.slack.blocks.common import day_label, field_errors_text, notice_modal
from bot.slack.blocks.help import CHECKIN_HELP, unknown
from bot.slack.ids import Action, AwayField, View
from bot.slack.later import Later
from bot.slack.listeners.support import guarded, log, split_command, team_of

TRIGGER_EXPIRED = "Slack closed the window before I could open your check-in. Please run it again."


def _open_checkin(
    flows: Flows, client: WebClient, team_id: str, pack: Pack, user_id: str, trigger_id: str
) -> str | None:
    """Opens the modal; returns a message for the user when it could not be opened."""
    form = flows.checkin_form(team_id, pack.id, user_id)
    try:
        client.views_open(trigger_id=trigger_id, view=checkin_modal(form))
    except SlackApiError as error:
        log.warning("check-in modal not opened: %s", error.response.get("error"))
        return TRIGGER_EXPIRED
    return None


def _open_from_button(
    client: WebClient, body: dict[str, Any], form_for: Callable[[int], CheckinForm]
) -> None:
    """Opens the check-in modal a button names by its value (a pack or an answer id)."""
    try:
        view = checkin_modal(form_for(int(body["actions"][0]["value"])))
    except (KeyError, ValueError):
        view = notice_modal("Check-in", "That button is out of date. Run `/checkin` again.")
    except UserError as error:
        view = notice_modal("Check-in", error.message)
    client.views_open(trigger_id=body["trigger_id"], view=view)


def register(app: App, flows: Flows, later: Later) -> None:
    @guarded
    def checkin_ack(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        team_id = team_of(context)
        user_id, channel_id = body["user_id"], body["channel_id"]
        sub, args = split_command(body.get("text"))
        try:
            if sub == "":
                chosen = flows.choose_pack(team_id, channel_id, user_id)
                if isinstance(chosen, PackChoice):
                    ack(text="Which pack?", blocks=choose_pack_blocks(chosen.packs))
                    return
                problem = _open_checkin(flows, client, team_id, chosen, user_id, body["trigger_id"])
                if problem:
                    ack(text=problem)
                else:
                    ack()
            elif sub == "skip":
                chosen = flows.choose_pack(team_id, channel_id, user_id)
                if isinstance(chosen, PackChoice):
                    ack(text="You're in several packs: run `/checkin skip` in the pack's channel.")
                    return
                answer, day = flows.skip(team_id, chosen.id, user_id)
                ack(text=f"Skipped {day_label(day)}. See you next round.")
                later(flows.publish_round, team_id, answer.round_id)
            elif sub == "away":
                if len(args) != 2:
                    ack(
                        text="Say when: `/checkin away 2026-12-20 2027-01-03` (first and last day)."
                    )
                    return
                away = flows.set_away(team_id, user_id, args[0], args[1])
                ack(
                    text=f"Got it: you're away {away.start.isoformat()} to {away.end.isoformat()}. "
                    "No prompts then, and you're shown as away, not missing. `/checkin back` "
                    "ends it early."
                )
            elif sub == "back":
                ended = flows.back(team_id, user_id)
                ack(text="Welcome back!" if ended else "You weren't marked away.")
            elif sub == "history":
                count = None
                if args:
                    if not args[0].isdigit():
                        ack(text="Say how many: `/checkin history 5`.")
                        return
                    count = int(args[0])
                chosen = flows.choose_pack(team_id, channel_id, user_id)
                if isinstance(chosen, PackChoice):
                    ack(
                        text="You're in several packs: run `/checkin history` in the pack's channel.",  # noqa: E501
                    )
                    return
                pack, entries = flows.history(team_id, chosen.id, user_id, count)
                ack(text="Your check-ins", blocks=history_blocks(pack, entries))
            elif sub == "help":
                ack(text=CHECKIN_HELP)
            else:
                ack(text=unknown("/checkin", sub, CHECKIN_HELP))
        except FieldErrors as bad:
            ack(text=field_errors_text(bad.errors))
        except UserError as error:
            ack(text=error.message)

    app.command("/checkin")(checkin_ack)

    @guarded
    def checkin_submitted(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        try:
            submitted = read_checkin_submission(body["view"])
        except (KeyError, ValueError, TypeError):
            ack(
                response_action="update",
                view=notice_modal("Check-in", "This form is out of date. Run `/checkin` again."),
            )
            return
        try:
            answer, alerts = flows.submit_checkin_with_direction(
                team_of(context),
                submitted.pack_id,
                body["user"]["id"],
                submitted.round_date,
                submitted.answer,
                submitted.votes,
                submitted.share_priority,
            )
        except FieldErrors as bad:
            errors = checkin_errors({k: v for k, v in bad.errors.items() if k != "reason"})
            if "reason" in bad.errors:
                for sid, _, _ in submitted.votes:
                    errors[f"reason:{sid}"] = bad.errors["reason"]
            ack(response_action="errors", errors=errors)
            return
        except UserError as error:
            ack(response_action="update", view=notice_modal("Check-in", error.message))
            return
        ack()
        team_id = team_of(context)
        later(publish_checkin, team_id, answer.round_id, answer.id, submitted.pack_id, alerts)

    def publish_checkin(
        team_id: str, round_id: int, answer_id: int, pack_id: int, alerts: list[int]
    ) -> None:
        flows.publish_round(team_id, round_id)
        flows.confirm(team_id, answer_id)
        post_alerts = statements.split_alerts(flows.workspace(team_id), pack_id, list(alerts))
        if post_alerts is not None:
            post_alerts()

    app.view(View.CHECKIN)(checkin_submitted)

    @app.action(Action.CHECKIN_OPEN)
    @guarded
    def checkin_open(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        ack()
        team_id, user_id = team_of(context), body["user"]["id"]
        _open_from_button(
            client, body, lambda pack_id: flows.checkin_form(team_id, pack_id, user_id)
        )

    @app.action(Action.PROMPT_SKIP)
    @guarded
    def prompt_skip(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        ack()
        team_id = team_of(context)
        try:
            pack_id = int(str(body["actions"][0]["value"]).split(":")[0])
            answer, day = flows.skip(team_id, pack_id, body["user"]["id"])
            note = f"Skipped {day_label(day)}. See you next round."
        except (KeyError, ValueError):
            return
        except UserError as error:
            answer, note = None, error.message
        container = body.get("container") or {}
        if container.get("channel_id") and container.get("message_ts"):
            client.chat_update(
                channel=container["channel_id"], ts=container["message_ts"], text=note, blocks=[]
            )
        if answer is not None:
            flows.publish_round(team_id, answer.round_id)

    @app.action(Action.PROMPT_AWAY)
    @guarded
    def prompt_away(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=away_modal(flows.today()))

    @app.view(View.AWAY)
    @guarded
    def away_submitted(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        start, end = read_away(body["view"])
        try:
            away = flows.set_away(team_of(context), body["user"]["id"], start, end)
        except FieldErrors as bad:
            fields = {"start": AwayField.START.value, "end": AwayField.END.value}
            ack(
                response_action="errors",
                errors={fields.get(k, AwayField.END.value): v for k, v in bad.errors.items()},
            )
            return
        except UserError as error:
            ack(response_action="update", view=notice_modal("Time away", error.message))
            return
        ack(
            response_action="update",
            view=notice_modal(
                "Time away",
                f"You're away {away.start.isoformat()} to {away.end.isoformat()}. No prompts "
                "then; `/checkin back` ends it early.",
            ),
        )

    @app.action(Action.CHECKIN_EDIT)
    @guarded
    def checkin_edit(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        ack()
        team_id, user_id = team_of(context), body["user"]["id"]
        _open_from_button(
            client, body, lambda answer_id: flows.edit_form(team_id, answer_id, user_id)
        )
