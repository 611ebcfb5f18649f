"""core.ports.Notifier and core.ports.Directory on slack_sdk's WebClient."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.blockers import Blocker, BlockerView
from bot.core.checkins import AnswerPost, RoundProgress, RoundTally
from bot.core.delivery import SendError
from bot.core.export import ExportFile
from bot.core.packs import ChannelInfo, Pack, Person
from bot.core.proposals import Proposal, ProposalView
from bot.core.schedule import DeliveryKey
from bot.core.statements import SplitAlert
from bot.core.summary import LoneWolf, Summary
from bot.slack.blocks.blockers import ask_message, follow_up_message, introduction
from bot.slack.blocks.checkins import answer_blocks, confirmation, prompt_message, round_parent
from bot.slack.blocks.privacy import export_comment
from bot.slack.blocks.proposals import outcome_message, proposal_message, reminder_message
from bot.slack.blocks.statements import split_alert
from bot.slack.blocks.summary import (
    lone_wolf_dm_blocks,
    lone_wolf_dm_text,
    summary_blocks,
    summary_fallback,
)
from bot.slack.blocks.summary.format import week_of

log = logging.getLogger(__name__)

ClientFor = Callable[[str], WebClient]

# Scheduled DMs carry their delivery key in message metadata, so a sender that lost track of a
# send can ask Slack whether it happened instead of sending it again.
DELIVERY_EVENT = "wolfpack_delivery"
RECENT_DMS = 50


class UnexpectedAnswer(RuntimeError):
    """Slack answered `ok` without a field it always gives. Not a SendError: whether the
    message went out is unknown, so a delivery stays claimed, and its next sender looks in
    Slack before it sends again."""


def _field(answer: Any, name: str) -> str:
    value = answer.get(name)
    if not isinstance(value, str) or not value:
        raise UnexpectedAnswer(f"Slack answered without {name!r}")
    return value


def _posted(answer: Any) -> tuple[str, str]:
    """The channel and ts of a message Slack says it posted."""
    return _field(answer, "channel"), _field(answer, "ts")


def person_from_slack(user: dict[str, object]) -> Person:
    """A users.info / user_change `user` object as a Person."""
    profile = user.get("profile")
    profile = profile if isinstance(profile, dict) else {}
    name = (
        str(profile.get("display_name") or "")
        or str(profile.get("real_name") or "")
        or str(user.get("real_name") or "")
        or str(user.get("name") or "")
        or str(user.get("id"))
    )
    return Person(
        user_id=str(user["id"]),
        name=name,
        tz=str(user.get("tz") or "UTC"),
        is_bot=bool(user.get("is_bot")) or user.get("id") == "USLACKBOT",
        deleted=bool(user.get("deleted")),
        is_workspace_admin=bool(user.get("is_admin")) or bool(user.get("is_owner")),
    )


def send_error(error: SlackApiError) -> SendError:
    """A Slack failure in the words of the delivery queue."""
    response = error.response
    retry_after = None
    if response.status_code == 429:
        raw = response.headers.get("Retry-After") or response.headers.get("retry-after")
        try:
            retry_after = float(raw) if raw is not None else 1.0
        except (TypeError, ValueError):
            retry_after = 1.0
        return SendError("ratelimited", retry_after=retry_after)
    if response.status_code >= 500:
        return SendError(f"http_{response.status_code}")
    code = response.get("error") if isinstance(response.data, dict) else None
    return SendError(str(code or f"http_{response.status_code}"))


def _tag(key: DeliveryKey) -> dict[str, Any]:
    """The message metadata that names a scheduled message's delivery key."""
    return {"event_type": DELIVERY_EVENT, "event_payload": {"key": str(key)}}


def _tagged(messages: list[dict[str, Any]], key: DeliveryKey) -> str | None:
    """The ts of the message that carries this delivery key in its metadata."""
    for message in messages:
        metadata = message.get("metadata") or {}
        payload = metadata.get("event_payload") or {}
        if metadata.get("event_type") == DELIVERY_EVENT and payload.get("key") == str(key):
            return _field(message, "ts")
    return None


class SlackNotifier:
    """core.ports.Notifier for one workspace. Its client is asked for on every call: with OAuth
    the workspace's token can rotate between calls."""

    def __init__(
        self, team_id: str, client_for: ClientFor, delivery_client_for: ClientFor | None = None
    ) -> None:
        self.team_id = team_id
        self.client_for = client_for
        # Scheduled sends retry through the queue, so their client does not sleep on errors.
        self.delivery_client_for = delivery_client_for or client_for

    def post_split_alert(self, pack: Pack, alert: SplitAlert) -> str:
        text, blocks = split_alert(alert)
        sent = self.client_for(self.team_id).chat_postMessage(
            channel=pack.channel_id, text=text, blocks=blocks, unfurl_links=False
        )
        return _field(sent, "ts")

    def post_proposal(self, view: ProposalView) -> tuple[str, str]:
        text, blocks = proposal_message(view)
        sent = self.client_for(self.team_id).chat_postMessage(
            channel=view.pack.channel_id, text=text, blocks=blocks, unfurl_links=False
        )
        return _posted(sent)

    def update_proposal(self, view: ProposalView) -> None:
        p = view.proposal
        if p.channel_id and p.message_ts:
            text, blocks = proposal_message(view)
            self.client_for(self.team_id).chat_update(
                channel=p.channel_id, ts=p.message_ts, text=text, blocks=blocks
            )

    def post_outcome(self, view: ProposalView) -> None:
        p = view.proposal
        text, blocks = outcome_message(view)
        try:
            self.delivery_client_for(self.team_id).chat_postMessage(
                channel=view.pack.channel_id,
                thread_ts=p.message_ts,
                reply_broadcast=p.message_ts is not None,
                text=text,
                blocks=blocks,
            )
        except SlackApiError as error:
            raise send_error(error) from None
        try:
            self.update_proposal(view)
        except SlackApiError as error:
            # The outcome is posted; a stale button row is not worth posting it again.
            log.warning("proposal message not updated: %s", error.response.get("error"))

    def remind_proposal(self, pack: Pack, person: Person, proposal: Proposal) -> tuple[str, str]:
        text, blocks = reminder_message(proposal, pack.channel_id)
        client = self.delivery_client_for(self.team_id)
        try:
            channel = person.dm_channel or str(
                client.conversations_open(users=person.user_id)["channel"]["id"]
            )
            sent = client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        except SlackApiError as error:
            raise send_error(error) from None
        return channel, _field(sent, "ts")

    def send_prompt(
        self,
        pack: Pack,
        person: Person,
        local_date: dt.date,
        *,
        reminder: bool,
        key: DeliveryKey,
        follow_up: Blocker | None = None,
        progress: RoundProgress | None = None,
    ) -> tuple[str, str]:
        text, blocks = prompt_message(
            pack, local_date, reminder=reminder, follow_up=follow_up, progress=progress
        )
        return self._send_dm(person, text, blocks, key)

    def send_blocker_follow_up(
        self, pack: Pack, person: Person, blocker: Blocker, *, key: DeliveryKey
    ) -> tuple[str, str]:
        text, blocks = follow_up_message(pack, blocker)
        return self._send_dm(person, text, blocks, key)

    def _send_dm(
        self, person: Person, text: str, blocks: list[dict[str, Any]], key: DeliveryKey
    ) -> tuple[str, str]:
        """A scheduled DM tagged with its delivery key: to the stored DM channel, or else to
        the user id (Slack answers with the DM channel). Raises SendError."""
        client = self.delivery_client_for(self.team_id)
        metadata = _tag(key)
        try:
            if person.dm_channel is not None:
                try:
                    sent = client.chat_postMessage(
                        channel=person.dm_channel, text=text, blocks=blocks, metadata=metadata
                    )
                    return person.dm_channel, _field(sent, "ts")
                except SlackApiError as error:
                    if error.response.get("error") != "channel_not_found":
                        raise
            # Addressed to a user ID, chat.postMessage posts in the app's DM with that user
            # and answers with the DM's channel ID: the first prompt needs no
            # conversations.open, and the channel is stored for the next ones.
            sent = client.chat_postMessage(
                channel=person.user_id, text=text, blocks=blocks, metadata=metadata
            )
        except SlackApiError as error:
            raise send_error(error) from None
        return _posted(sent)

    def post_blocker_ask(self, view: BlockerView, thread_ts: str | None) -> tuple[str, str]:
        text, blocks = ask_message(view)
        sent = self.client_for(self.team_id).chat_postMessage(
            channel=view.pack.channel_id,
            thread_ts=thread_ts,
            text=text,
            blocks=blocks,
            unfurl_links=False,
            unfurl_media=False,
        )
        return _posted(sent)

    def update_blocker_ask(self, view: BlockerView) -> None:
        b = view.blocker
        if b.ask_channel and b.ask_ts:
            text, blocks = ask_message(view)
            self.client_for(self.team_id).chat_update(
                channel=b.ask_channel, ts=b.ask_ts, text=text, blocks=blocks
            )

    def introduce_helper(self, view: BlockerView, helper: Person) -> None:
        client = self.client_for(self.team_id)
        users = f"{view.member.user_id},{helper.user_id}"
        channel = str(client.conversations_open(users=users)["channel"]["id"])
        text, blocks = introduction(view, helper.name)
        client.chat_postMessage(channel=channel, text=text, blocks=blocks, unfurl_links=False)

    def post_summary(self, summary: Summary, *, key: DeliveryKey) -> tuple[str, str]:
        try:
            sent = self.delivery_client_for(self.team_id).chat_postMessage(
                channel=summary.pack.channel_id,
                text=summary_fallback(summary),
                blocks=summary_blocks(summary),
                unfurl_links=False,
                unfurl_media=False,
                metadata=_tag(key),
            )
        except SlackApiError as error:
            raise send_error(error) from None
        return _posted(sent)

    def find_posted(self, channel_id: str, key: DeliveryKey) -> str | None:
        try:
            history = self.delivery_client_for(self.team_id).conversations_history(
                channel=channel_id, limit=RECENT_DMS, include_all_metadata=True
            )
        except SlackApiError as error:
            raise send_error(error) from None
        return _tagged(history.get("messages", []), key)

    def upload_chart(self, summary: Summary, png: bytes, thread_ts: str) -> None:
        try:
            self.delivery_client_for(self.team_id).files_upload_v2(
                channel=summary.pack.channel_id,
                thread_ts=thread_ts,
                content=png,
                filename=f"wolfpack-{summary.week_start.isoformat()}.png",
                title=f"Alignment and votes, {week_of(summary)}",
                alt_txt=(
                    "Chart: the pack's mean alignment over the last weeks, and agree, disagree "
                    "and pass counts for this week's statements"
                ),
            )
        except SlackApiError as error:
            raise send_error(error) from None

    def send_lone_wolf(self, summary: Summary, wolf: LoneWolf) -> tuple[str, str]:
        client = self.delivery_client_for(self.team_id)
        try:
            channel = str(client.conversations_open(users=wolf.user_id)["channel"]["id"])
            sent = client.chat_postMessage(
                channel=channel,
                text=lone_wolf_dm_text(summary, wolf),
                blocks=lone_wolf_dm_blocks(summary, wolf),
                unfurl_links=False,
            )
        except SlackApiError as error:
            raise send_error(error) from None
        return channel, _field(sent, "ts")

    def find_delivered(self, user_id: str, key: DeliveryKey) -> tuple[str, str] | None:
        client = self.delivery_client_for(self.team_id)
        try:
            channel = str(client.conversations_open(users=user_id)["channel"]["id"])
            history = client.conversations_history(
                channel=channel, limit=RECENT_DMS, include_all_metadata=True
            )
        except SlackApiError as error:
            raise send_error(error) from None
        ts = _tagged(history.get("messages", []), key)
        return (channel, ts) if ts is not None else None

    def send_export(self, user_id: str, pack: Pack, files: Sequence[ExportFile]) -> None:
        client = self.client_for(self.team_id)
        client.files_upload_v2(
            channel=self._dm(user_id),
            file_uploads=[
                {"content": f.content, "filename": f.filename, "title": f.title} for f in files
            ],
            initial_comment=export_comment(pack),
        )

    def delete_messages(self, messages: Sequence[tuple[str, str]]) -> int:
        client = self.client_for(self.team_id)
        deleted = 0
        for channel, ts in messages:
            try:
                client.chat_delete(channel=channel, ts=ts)
                deleted += 1
            except SlackApiError as error:
                # Gone already, or the channel is: nothing left to take down.
                log.warning("message not deleted: %s", error.response.get("error"))
        return deleted

    def _dm(self, user_id: str) -> str:
        opened = self.client_for(self.team_id).conversations_open(users=user_id)
        return str(opened["channel"]["id"])

    def post_round_parent(self, pack: Pack, tally: RoundTally) -> str:
        text, blocks = round_parent(tally)
        sent = self.client_for(self.team_id).chat_postMessage(
            channel=pack.channel_id, text=text, blocks=blocks, unfurl_links=False
        )
        return _field(sent, "ts")

    def update_round_parent(self, pack: Pack, ts: str, tally: RoundTally) -> None:
        text, blocks = round_parent(tally)
        self.client_for(self.team_id).chat_update(
            channel=pack.channel_id, ts=ts, text=text, blocks=blocks
        )

    def post_answer(self, post: AnswerPost, thread_ts: str) -> str:
        text, blocks = answer_blocks(post)
        sent = self.client_for(self.team_id).chat_postMessage(
            channel=post.pack.channel_id,
            thread_ts=thread_ts,
            text=text,
            blocks=blocks,
            unfurl_links=False,
            unfurl_media=False,
        )
        return _field(sent, "ts")

    def update_answer(self, post: AnswerPost, ts: str) -> None:
        text, blocks = answer_blocks(post)
        self.client_for(self.team_id).chat_update(
            channel=post.pack.channel_id, ts=ts, text=text, blocks=blocks
        )

    def confirm_answer(self, post: AnswerPost) -> None:
        text, blocks = confirmation(post)
        self.client_for(self.team_id).chat_postMessage(
            channel=self._dm(post.answer.user_id), text=text, blocks=blocks
        )


class SlackDirectory:
    """core.ports.Directory for one workspace."""

    def __init__(self, team_id: str, client_for: ClientFor) -> None:
        self.team_id = team_id
        self.client_for = client_for

    def person(self, user_id: str) -> Person | None:
        try:
            found = self.client_for(self.team_id).users_info(user=user_id)
        except SlackApiError as error:
            if error.response.get("error") in ("user_not_found", "user_not_visible"):
                return None
            raise
        return person_from_slack(found["user"])

    def channel(self, channel_id: str) -> ChannelInfo | None:
        try:
            found = self.client_for(self.team_id).conversations_info(channel=channel_id)
        except SlackApiError as error:
            if error.response.get("error") in (
                "channel_not_found",
                "method_not_supported_for_channel_type",
            ):
                return None
            raise
        channel = found["channel"]
        return ChannelInfo(
            channel_id=str(channel["id"]),
            name=str(channel.get("name") or channel_id),
            bot_is_member=bool(channel.get("is_member")),
        )

    def channel_member_ids(self, channel_id: str) -> list[str]:
        ids: list[str] = []
        client = self.client_for(self.team_id)
        for page in client.conversations_members(channel=channel_id, limit=200):
            ids.extend(str(u) for u in page.get("members", []))
        return ids
