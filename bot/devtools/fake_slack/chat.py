"""chat.*: posting, updating and deleting messages, ephemeral messages and permalinks, with
Slack's limits on text and blocks."""

from __future__ import annotations

from typing import Any

from bot.devtools.fake_slack.params import SlackError, text_arg
from bot.devtools.fake_slack.workspace import Workspace

_MESSAGE_TEXT_MAX = 40_000
_MESSAGE_BLOCKS_MAX = 50


class ChatMethods(Workspace):
    def _check_content(self, args: dict[str, Any]) -> None:
        text, blocks = args.get("text"), args.get("blocks")
        if not text and not blocks and not args.get("attachments"):
            raise SlackError("no_text")
        if isinstance(text, str) and len(text) > _MESSAGE_TEXT_MAX:
            raise SlackError("msg_too_long")
        if blocks is not None and blocks != "":
            if not isinstance(blocks, list):
                raise SlackError("invalid_blocks_format")
            if len(blocks) > _MESSAGE_BLOCKS_MAX or not all(
                isinstance(b, dict) and isinstance(b.get("type"), str) for b in blocks
            ):
                raise SlackError("invalid_blocks")

    def _chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_arg(args)
        if not channel.bot_is_member:
            raise SlackError("not_in_channel")
        self._check_content(args)
        thread_ts = text_arg(args, "thread_ts") or None
        message: dict[str, Any] = {
            "type": "message",
            "ts": self._next_ts(),
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "text": text_arg(args, "text"),
            "blocks": args.get("blocks") or [],
            "attachments": args.get("attachments") or None,
            "metadata": args.get("metadata") or None,
            "thread_ts": thread_ts,
        }
        channel.messages.append(message)
        return {"channel": channel.id, "ts": message["ts"], "message": self._message_json(message)}

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_arg(args)
        user_id = text_arg(args, "user")
        if user_id not in self.users:
            raise SlackError("user_not_found")
        if not channel.bot_is_member:
            raise SlackError("not_in_channel")
        if user_id not in channel.members:
            raise SlackError("user_not_in_channel")
        self._check_content(args)
        ts = self._next_ts()
        self.ephemerals.append(
            {
                "channel": channel.id,
                "user": user_id,
                "ts": ts,
                "text": text_arg(args, "text"),
                "blocks": args.get("blocks") or [],
                "thread_ts": text_arg(args, "thread_ts") or None,
            }
        )
        return {"message_ts": ts}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_arg(args)
        message = self._find_message(channel, text_arg(args, "ts"))
        if "blocks" in args:
            self._check_content({"text": "-", "blocks": args["blocks"]})
        if isinstance(args.get("text"), str) and len(args["text"]) > _MESSAGE_TEXT_MAX:
            raise SlackError("msg_too_long")
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in args:
                message[key] = args[key]
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {
            "channel": channel.id,
            "ts": message["ts"],
            "text": message["text"],
            "message": self._message_json(message),
        }

    def _chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_arg(args)
        message = self._find_message(channel, text_arg(args, "ts"))
        channel.messages.remove(message)
        return {"channel": channel.id, "ts": message["ts"]}

    def _chat_get_permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_arg(args)
        message = self._find_message(channel, text_arg(args, "message_ts"))
        link = (
            f"https://{self.team_name.lower()}.slack.com/archives/{channel.id}/"
            f"p{message['ts'].replace('.', '')}"
        )
        if message.get("thread_ts"):
            link += f"?thread_ts={message['thread_ts']}&cid={channel.id}"
        return {"channel": channel.id, "permalink": link}
