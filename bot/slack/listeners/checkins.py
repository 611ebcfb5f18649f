"""`/checkin` and its sub-commands, the check-in modal's submission, the buttons that open it
(pack choice, the prompt's Check in, Edit), and the prompt's Skip and I'm away."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.checkins import CheckinForm
from bot.core.errors import FieldErrors, UserError
from bot.core.hours import EXAMPLE
from bot.core.packs import Pack, PackChoice
from bot.core.usecases import checkins
from bot.core.usecases.workspace import Workspace
from bot.slack.blocks.checkins import (
    away_modal,
    checkin_errors,
    checkin_modal,
    choose_pack_blocks,
    history_blocks,
    read_away,
    read_checkin,
)
from bot.slack.blocks.common import day_label, hours_label, notice_modal
from bot.slack.blocks.help import CHECKIN_HELP
from bot.slack.commands import Command, SubCommands
from bot.slack.ids import Action, AwayField, View
from bot.slack.later import Later
from bot.slack.middleware import log
from bot.slack.mrkdwn import escape
from bot.slack.router import Router

TRIGGER_EXPIRED = "Slack closed the window before I could open your check-in. Please run it again."
SEVERAL_PACKS = "You're in several packs: run `/checkin {sub}` in the pack's channel."


def open_checkin(cmd: Command) -> None:
    chosen = checkins.choose_pack(cmd.workspace, cmd.channel_id, cmd.user_id)
    if isinstance(chosen, PackChoice):
        cmd.ack(text="Which pack?", blocks=choose_pack_blocks(chosen.packs))
        return
    form = checkins.checkin_form(cmd.workspace, chosen.id, cmd.user_id)
    try:
        cmd.client.views_open(trigger_id=cmd.trigger_id, view=checkin_modal(form))
    except SlackApiError as error:
        log.warning("check-in modal not opened: %s", error.response.get("error"))
        cmd.ack(text=TRIGGER_EXPIRED)
        return
    cmd.ack()


def skip(cmd: Command) -> None:
    pack = _one_pack(cmd, "skip")
    if pack is None:
        return
    done = checkins.skip(cmd.workspace, pack.id, cmd.user_id)
    cmd.ack(text=f"Skipped {day_label(done.value)}. See you next round.")
    if done.after is not None:
        cmd.later(done.after)


def away(cmd: Command) -> None:
    if len(cmd.words) != 2:
        cmd.ack(text="Say when: `/checkin away 2026-12-20 2027-01-03` (first and last day).")
        return
    start, end = cmd.words
    period = checkins.set_away(cmd.workspace, cmd.user_id, start, end)
    cmd.ack(
        text=f"Got it: you're away {period.start.isoformat()} to {period.end.isoformat()}. No "
        "prompts then, and you're shown as away, not missing. `/checkin back` ends it early."
    )


def back(cmd: Command) -> None:
    ended = checkins.back(cmd.workspace, cmd.user_id)
    cmd.ack(text="Welcome back!" if ended else "You weren't marked away.")


def hours(cmd: Command) -> None:
    if cmd.words:
        chosen = checkins.set_hours(cmd.workspace, cmd.user_id, " ".join(cmd.words))
        said = (
            f"Got it: I'll only start a message to you {hours_label(chosen)}, your own clock."
            if chosen is not None
            else "Back to your packs' working hours."
        )
        cmd.ack(text=f"{said} Answers to what you do come at once.")
        return
    found = checkins.working_hours(cmd.workspace, cmd.user_id)
    if not found:
        cmd.ack(text="You're not in a pack yet.")
        return
    lines = [f"• {escape(pack.name)}: {hours_label(h)}" for pack, h in found]
    cmd.ack(
        text="I start messages to you only in your working hours:\n"
        + "\n".join(lines)
        + f"\nSet your own: {EXAMPLE}; `/checkin hours default` goes back to these."
    )


def history(cmd: Command) -> None:
    count = None
    if cmd.words:
        if not cmd.words[0].isdigit():
            cmd.ack(text="Say how many: `/checkin history 5`.")
            return
        count = int(cmd.words[0])
    pack = _one_pack(cmd, "history")
    if pack is None:
        return
    pack, entries, names = checkins.history(cmd.workspace, pack.id, cmd.user_id, count)
    cmd.ack(text="Your check-ins", blocks=history_blocks(pack, entries, names))


def _one_pack(cmd: Command, sub: str) -> Pack | None:
    """The pack the command means, or None (and the reply says why) when it is ambiguous."""
    chosen = checkins.choose_pack(cmd.workspace, cmd.channel_id, cmd.user_id)
    if isinstance(chosen, PackChoice):
        cmd.ack(text=SEVERAL_PACKS.format(sub=sub))
        return None
    return chosen


CHECKIN = SubCommands(
    "/checkin",
    CHECKIN_HELP,
    {
        "": open_checkin,
        "skip": skip,
        "away": away,
        "back": back,
        "hours": hours,
        "history": history,
    },
)


def checkin_submitted(ack: Ack, body: dict[str, Any], workspace: Workspace, later: Later) -> None:
    try:
        pack_id, round_date, given = read_checkin(body["view"])
    except (KeyError, ValueError, TypeError):
        ack(
            response_action="update",
            view=notice_modal("Check-in", "This form is out of date. Run `/checkin` again."),
        )
        return
    try:
        done = checkins.submit(workspace, pack_id, body["user"]["id"], round_date, given)
    except FieldErrors as bad:
        ack(response_action="errors", errors=checkin_errors(bad.errors))
        return
    ack()
    if done.after is not None:
        later(done.after)


def checkin_open(ack: Ack, body: dict[str, Any], client: WebClient, workspace: Workspace) -> None:
    """Check in (the prompt) or a pack picked among several: the modal of that pack."""
    ack()
    user_id = body["user"]["id"]
    _open_from_button(
        client, body, lambda pack_id: checkins.checkin_form(workspace, pack_id, user_id)
    )


def checkin_edit(ack: Ack, body: dict[str, Any], client: WebClient, workspace: Workspace) -> None:
    ack()
    user_id = body["user"]["id"]
    _open_from_button(
        client, body, lambda answer_id: checkins.edit_form(workspace, answer_id, user_id)
    )


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


def prompt_skip(ack: Ack, body: dict[str, Any], client: WebClient, workspace: Workspace) -> None:
    """The prompt's Skip today: the prompt says it is skipped, the round's thread counts it."""
    ack()
    try:
        pack_id = int(str(body["actions"][0]["value"]).split(":")[0])
        done = checkins.skip(workspace, pack_id, body["user"]["id"])
        note = f"Skipped {day_label(done.value)}. See you next round."
    except (KeyError, ValueError):
        return
    except UserError as error:
        done, note = None, error.message
    container = body.get("container") or {}
    if container.get("channel_id") and container.get("message_ts"):
        client.chat_update(
            channel=container["channel_id"], ts=container["message_ts"], text=note, blocks=[]
        )
    if done is not None and done.after is not None:
        done.after()


def prompt_away(ack: Ack, body: dict[str, Any], client: WebClient, workspace: Workspace) -> None:
    ack()
    client.views_open(trigger_id=body["trigger_id"], view=away_modal(workspace.now().date()))


def away_submitted(ack: Ack, body: dict[str, Any], workspace: Workspace) -> None:
    start, end = read_away(body["view"])
    try:
        period = checkins.set_away(workspace, body["user"]["id"], start, end)
    except FieldErrors as bad:
        fields = {"start": AwayField.START.value, "end": AwayField.END.value}
        ack(
            response_action="errors",
            errors={fields.get(k, AwayField.END.value): v for k, v in bad.errors.items()},
        )
        return
    ack(
        response_action="update",
        view=notice_modal(
            "Time away",
            f"You're away {period.start.isoformat()} to {period.end.isoformat()}. No prompts "
            "then; `/checkin back` ends it early.",
        ),
    )


def register(router: Router) -> None:
    router.command("/checkin", CHECKIN)
    router.view(View.CHECKIN, checkin_submitted, title="Check-in")
    router.action(Action.CHECKIN_OPEN, checkin_open)
    router.action(Action.CHECKIN_EDIT, checkin_edit)
    router.action(Action.PROMPT_SKIP, prompt_skip)
    router.action(Action.PROMPT_AWAY, prompt_away)
    router.view(View.AWAY, away_submitted, title="Time away")
