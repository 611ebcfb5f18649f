"""users.* and conversations.*: who is in the workspace, its channels, DMs and group DMs, and
their history and threads."""

from __future__ import annotations

import time
from typing import Any

from bot.devtools.fake_slack.params import SlackError, in_window, paginate, text_arg
from bot.devtools.fake_slack.workspace import Channel, Workspace


class DirectoryMethods(Workspace):
    # --- users ---

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(text_arg(args, "user"))
        if user is None:
            raise SlackError("user_not_found")
        return {"user": self._user_json(user)}

    def _users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        everyone = [self._user_json(u) for u in self.users.values()]
        page, cursor = paginate(everyone, args, default_limit=0)
        return {
            "members": page,
            "cache_ts": int(time.time()),
            "response_metadata": {"next_cursor": cursor},
        }

    # --- conversations ---

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"channel": self._channel_json(self._channel_arg(args))}

    def _conversations_members(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_arg(args)
        page, cursor = paginate(self._member_ids(channel), args, default_limit=100)
        return {"members": page, "response_metadata": {"next_cursor": cursor}}

    def _conversations_join(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_arg(args)
        if channel.is_im or channel.is_mpim:
            raise SlackError("method_not_supported_for_channel_type")
        channel.bot_is_member = True
        return {"channel": self._channel_json(channel)}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if text_arg(args, "channel"):
            return {"channel": {"id": self._channel_arg(args).id}}
        user_ids = [u.strip() for u in text_arg(args, "users").split(",") if u.strip()]
        if not user_ids:
            raise SlackError("users_list_not_supplied")
        for user_id in user_ids:
            if user_id not in self.users:
                raise SlackError("user_not_found")
        if len(user_ids) == 1:
            dm = self._resolve(user_ids[0])
            assert dm is not None
            return {"channel": {"id": dm.id}}
        key = frozenset(user_ids)
        if key not in self._mpims:
            mpim = Channel(self._next_id("G"), "mpdm-" + "--".join(sorted(key)), sorted(key), True)
            mpim.is_mpim = True
            self.channels[mpim.id] = mpim
            self._mpims[key] = mpim.id
        return {"channel": {"id": self._mpims[key]}}

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_arg(args)
        if not channel.bot_is_member:
            raise SlackError("not_in_channel")
        top = [
            m
            for m in reversed(channel.messages)
            if m.get("thread_ts") in (None, m["ts"]) and in_window(m["ts"], args)
        ]
        page, cursor = paginate(top, args, default_limit=100)
        return {
            "messages": [self._message_json(m) for m in page],
            "has_more": bool(cursor),
            "response_metadata": {"next_cursor": cursor},
        }

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_arg(args)
        ts = text_arg(args, "ts")
        try:
            parent = self._find_message(channel, ts)
        except SlackError:
            raise SlackError("thread_not_found") from None
        thread = [parent] + [m for m in channel.messages if m.get("thread_ts") == ts]
        page, cursor = paginate(thread, args, default_limit=1000)
        return {
            "messages": [self._message_json(m) for m in page],
            "has_more": bool(cursor),
            "response_metadata": {"next_cursor": cursor},
        }
