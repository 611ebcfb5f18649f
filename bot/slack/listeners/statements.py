"""`/direction`: the vote modal, `add`, `list`, `hide` and `unhide`; the vote submission;
replies in a split alert's thread; the split alert's Discuss button."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.errors import FieldErrors, UserError
from bot.core.usecases import checkins, statements
from bot.core.usecases.workspace import Workspace
from bot.slack.blocks.common import notice_modal
from bot.slack.blocks.help import DIRECTION_HELP
from bot.slack.blocks.statements import (
    PRIORITY_BLOCK,
    direction_step_modal,
    read_direction_step,
    read_votes,
    statement_list,
    vote_modal,
)
from bot.slack.commands import Command, SubCommands
from bot.slack.ids import Action, View
from bot.slack.later import Later
from bot.slack.middleware import log
from bot.slack.mrkdwn import escape
from bot.slack.router import Router

DISCUSS = (
    ":speech_balloon: Talk it through here: what would change your mind? When the thread has "
    "settled, vote again with `/direction`."
)
WINDOW_CLOSED = "Slack closed the window before I could open it. Please try again."


def open_ballot(cmd: Command) -> None:
    ws = cmd.workspace
    pack = statements.command_pack(ws, cmd.channel_id, cmd.user_id)
    pack, ballot = statements.ballot(ws, pack.id, cmd.user_id)
    try:
        cmd.client.views_open(trigger_id=cmd.trigger_id, view=vote_modal(pack, ballot))
    except SlackApiError as error:
        log.warning("direction modal not opened: %s", error.response.get("error"))
        cmd.ack(text=WINDOW_CLOSED)
        return
    cmd.ack()


def add(cmd: Command) -> None:
    statement, created = statements.add_statement(
        cmd.workspace, cmd.channel_id, cmd.user_id, cmd.args
    )
    shown = escape(statement.text)
    cmd.ack(
        text=f"Added: “{shown}”. Members will be asked about it."
        if created
        else f"The pack already has that one: “{shown}”. Your vote counts there."
    )


def listing(cmd: Command) -> None:
    pack, views = statements.list_statements(cmd.workspace, cmd.channel_id, cmd.user_id)
    cmd.ack(text="Statements", blocks=statement_list(pack, views))


def hide(cmd: Command) -> None:
    _set_hidden(cmd, "hide", hidden=True)


def unhide(cmd: Command) -> None:
    _set_hidden(cmd, "unhide", hidden=False)


def _set_hidden(cmd: Command, sub: str, *, hidden: bool) -> None:
    number = cmd.args.lstrip("#")
    if not number.isdigit():
        cmd.ack(text=f"Say which: `/direction {sub} 3` (see `/direction list`).")
        return
    statement = statements.set_hidden(
        cmd.workspace, cmd.channel_id, cmd.user_id, int(number), hidden=hidden
    )
    state = "hidden" if statement.hidden else "shown again"
    cmd.ack(text=f"#{statement.id} “{escape(statement.text)}” is {state}.")


DIRECTION = SubCommands(
    "/direction",
    DIRECTION_HELP,
    {"": open_ballot, "add": add, "list": listing, "hide": hide, "unhide": unhide},
)


def votes_submitted(ack: Ack, body: dict[str, Any], workspace: Workspace, later: Later) -> None:
    try:
        pack_id, votes = read_votes(body["view"])
    except (KeyError, ValueError, TypeError):
        ack(response_action="update", view=notice_modal("Direction", "This form is out of date."))
        return
    try:
        done = statements.vote(workspace, pack_id, body["user"]["id"], votes)
    except FieldErrors as bad:
        ack(
            response_action="errors",
            errors={f"reason:{sid}": m for sid, _, _ in votes for m in bad.errors.values()},
        )
        return
    ack()
    if done.after is not None:
        later(done.after)


def direction_step(ack: Ack, body: dict[str, Any], client: WebClient, workspace: Workspace) -> None:
    """The check-in confirmation's direction step: the ballot, with the top priority on top."""
    ack()
    try:
        step = checkins.direction_step(
            workspace, int(body["actions"][0]["value"]), body["user"]["id"]
        )
        view = direction_step_modal(step)
    except (KeyError, ValueError):
        view = notice_modal("Direction", "That button is out of date. Run `/direction`.")
    except UserError as error:
        view = notice_modal("Direction", error.message)
    client.views_open(trigger_id=body["trigger_id"], view=view)


def direction_step_submitted(
    ack: Ack, body: dict[str, Any], workspace: Workspace, later: Later
) -> None:
    try:
        given = read_direction_step(body["view"])
    except (KeyError, ValueError, TypeError):
        ack(response_action="update", view=notice_modal("Direction", "This form is out of date."))
        return
    try:
        done = checkins.submit_direction_step(
            workspace,
            given.answer_id,
            body["user"]["id"],
            given.votes,
            given.priority,
            given.share_priority,
        )
    except FieldErrors as bad:
        errors = {PRIORITY_BLOCK: bad.errors["priority"]} if "priority" in bad.errors else {}
        if "reason" in bad.errors:
            errors.update({f"reason:{sid}": bad.errors["reason"] for sid, _, _ in given.votes})
        ack(response_action="errors", errors=errors or {PRIORITY_BLOCK: "Please check this."})
        return
    ack()
    if done.after is not None:
        later(done.after)


def thread_reply(event: dict[str, Any], workspace: Workspace) -> None:
    """A person's reply in a split alert's thread makes the statement discussed; one there or
    in a proposal's thread counts as the person joining the discussion. Only ids are read,
    never the text."""
    thread_ts, channel, user = event.get("thread_ts"), event.get("channel"), event.get("user")
    if (
        not thread_ts
        or not channel
        or not user
        or thread_ts == event.get("ts")
        or event.get("bot_id")
        or event.get("subtype") not in (None, "thread_broadcast")
    ):
        return
    statements.reply_in_thread(workspace, str(channel), str(thread_ts), str(user))


def split_discuss(ack: Ack, body: dict[str, Any], client: WebClient, workspace: Workspace) -> None:
    """Opens the discussion in the split alert's thread. From elsewhere (the weekly summary),
    points the member to that thread, so each split is talked over in one place."""
    ack()
    container = body.get("container") or {}
    channel, ts = container.get("channel_id"), container.get("message_ts")
    if not channel or not ts:
        return
    value = str((body.get("actions") or [{}])[0].get("value") or "")
    user_id = body["user"]["id"]
    try:
        alert = (
            statements.discussion_of(workspace, int(value), user_id) if value.isdigit() else None
        )
    except UserError as error:
        client.chat_postEphemeral(channel=channel, user=user_id, text=error.message)
        return
    if alert is not None and alert != (channel, ts):
        link = client.chat_getPermalink(channel=alert[0], message_ts=alert[1])["permalink"]
        client.chat_postEphemeral(
            channel=channel,
            user=user_id,
            text=f"This split is talked over in its alert's thread: <{link}|open the thread>.",
        )
        return
    replies = client.conversations_replies(channel=channel, ts=ts, limit=2)
    if len(replies.get("messages", [])) > 1:
        return
    client.chat_postMessage(channel=channel, thread_ts=ts, text=DISCUSS)


def register(router: Router) -> None:
    router.command("/direction", DIRECTION)
    router.view(View.DIRECTION, votes_submitted, title="Direction")
    router.view(View.DIRECTION_STEP, direction_step_submitted, title="Direction")
    router.action(Action.DIRECTION_STEP, direction_step)
    router.event("message", thread_reply)
    router.action(Action.SPLIT_DISCUSS, split_discuss)
