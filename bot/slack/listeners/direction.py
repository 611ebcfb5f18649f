"""`/direction`: the vote modal, `add` and `list`; the vote submission; the split alert's
buttons."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.direction import Direction
from bot.core.errors import FieldErrors, UserError
from bot.slack.blocks.common import field_errors_text, notice_modal
from bot.slack.blocks.direction import read_votes, statement_list, vote_modal
from bot.slack.blocks.help import unknown
from bot.slack.ids import Action, View
from bot.slack.listeners.support import Later, guarded, log, split_command, team_of
from bot.slack.mrkdwn import escape

DIRECTION_HELP = (
    "*`/direction`* asks you up to 5 statements about where the pack is heading.\n"
    "`/direction add &lt;text&gt;` adds a statement · `/direction list` shows them all with counts "
    "(anonymous: counts only, and none below 3 votes) · `/direction hide N` and "
    "`/direction unhide N` (pack admins)."
)
DISCUSS = (
    ":speech_balloon: Talk it through here: what would change your mind? When the thread has "
    "settled, vote again with `/direction`."
)


def register(app: App, direction: Direction, later: Later) -> None:
    @guarded
    def direction_ack(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        team_id = team_of(context)
        user_id, channel_id = body["user_id"], body["channel_id"]
        text = (body.get("text") or "").strip()
        sub, _ = split_command(text)
        try:
            if sub == "":
                pack = direction.pack_of(team_id, channel_id, user_id)
                pack, ballot = direction.ballot(team_id, pack.id, user_id)
                try:
                    client.views_open(trigger_id=body["trigger_id"], view=vote_modal(pack, ballot))
                except SlackApiError as error:
                    log.warning("direction modal not opened: %s", error.response.get("error"))
                    ack(text="Slack closed the window before I could open it. Please try again.")
                    return
                ack()
            elif sub == "add":
                statement_text = text[len("add") :].strip()
                pack = direction.pack_of(team_id, channel_id, user_id)
                statement, created = direction.add(team_id, pack.id, user_id, statement_text)
                shown = escape(statement.text)
                ack(
                    text=f"Added: “{shown}”. Members will be asked about it."
                    if created
                    else f"The pack already has that one: “{shown}”. Your vote counts there."
                )
            elif sub == "list":
                pack, views = direction.listing(team_id, channel_id, user_id)
                ack(text="Statements", blocks=statement_list(pack, views))
            elif sub in ("hide", "unhide"):
                number = text[len(sub) :].strip().lstrip("#")
                if not number.isdigit():
                    ack(text=f"Say which: `/direction {sub} 3` (see `/direction list`).")
                    return
                pack = direction.pack_of(team_id, channel_id, user_id)
                statement = direction.set_hidden(
                    team_id, pack.id, user_id, int(number), hidden=sub == "hide"
                )
                state = "hidden" if statement.hidden else "shown again"
                ack(text=f"#{statement.id} “{escape(statement.text)}” is {state}.")
            elif sub == "help":
                ack(text=DIRECTION_HELP)
            else:
                ack(text=unknown("/direction", sub, DIRECTION_HELP))
        except FieldErrors as bad:
            ack(text=field_errors_text(bad.errors))
        except UserError as error:
            ack(text=error.message)

    app.command("/direction")(direction_ack)

    @guarded
    def votes_submitted(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        try:
            pack_id, votes = read_votes(body["view"])
        except (KeyError, ValueError, TypeError):
            ack(
                response_action="update",
                view=notice_modal("Direction", "This form is out of date."),
            )
            return
        try:
            alerts = direction.vote(team_of(context), pack_id, body["user"]["id"], votes)
        except FieldErrors as bad:
            ack(
                response_action="errors",
                errors={f"reason:{sid}": m for sid, _, _ in votes for m in bad.errors.values()},
            )
            return
        except UserError as error:
            ack(response_action="update", view=notice_modal("Direction", error.message))
            return
        ack()
        if alerts:
            later(direction.post_alerts, team_of(context), pack_id, list(alerts))

    app.view(View.DIRECTION)(votes_submitted)

    @app.event("message")
    @guarded
    def thread_reply(event: dict[str, Any], context: BoltContext) -> None:
        """A person's reply in a split alert's thread makes the statement discussed, so those
        who voted before are asked once more (SPEC §4.6). Only ids are read, never the text."""
        thread_ts, channel = event.get("thread_ts"), event.get("channel")
        if (
            not thread_ts
            or not channel
            or thread_ts == event.get("ts")
            or event.get("bot_id")
            or event.get("subtype") not in (None, "thread_broadcast")
        ):
            return
        direction.discussed(team_of(context), str(channel), str(thread_ts))

    @app.action(Action.SPLIT_DISCUSS)
    @guarded
    def split_discuss(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """Opens the discussion in the split alert's thread. From elsewhere (the weekly
        summary), points the member to that thread, so each split is talked over in one place."""
        ack()
        container = body.get("container") or {}
        channel, ts = container.get("channel_id"), container.get("message_ts")
        if not channel or not ts:
            return
        value = str((body.get("actions") or [{}])[0].get("value") or "")
        user_id = body["user"]["id"]
        try:
            alert = (
                direction.discussion_of(team_of(context), int(value), user_id)
                if value.isdigit()
                else None
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
