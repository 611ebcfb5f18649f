"""What the fake Slack knows: the team, its users and channels with their messages, views,
uploaded files, and the tokens it has issued. The Web API method groups build on this class."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.devtools.fake_slack.params import SlackError, text_arg

_TS_BASE = 1_700_000_000


@dataclass(frozen=True)
class Call:
    """One recorded Web API call."""

    method: str
    args: dict[str, Any]
    token: str | None
    at: float


@dataclass
class Channel:
    id: str
    name: str
    members: list[str]
    bot_is_member: bool
    is_im: bool = False
    is_mpim: bool = False
    messages: list[dict[str, Any]] = field(default_factory=list)


def _system_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Workspace:
    """The state behind the Web API, guarded by one lock; `_changed` is notified after every
    call so `wait_for` can re-check."""

    def __init__(
        self,
        *,
        team_id: str,
        team_name: str,
        bot_user_id: str,
        bot_id: str,
        tokens: Iterable[str] | None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.team_id = team_id
        self.team_name = team_name
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = "A0001"
        self.tokens = frozenset(tokens) if tokens is not None else None
        # What "now" is for a user's current UTC offset (it changes with daylight saving time).
        self.clock = clock or _system_now

        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, Channel] = {}
        self.ephemerals: list[dict[str, Any]] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.home_views: dict[str, dict[str, Any]] = {}
        self.uploaded_files: dict[str, dict[str, Any]] = {}

        # OAuth: the app's credentials, codes waiting to be exchanged, and what each issued
        # token belongs to. Refresh tokens are single-use, as Slack's are.
        self.oauth_client: tuple[str, str] | None = None
        self.install_codes: dict[str, dict[str, Any]] = {}
        self.token_teams: dict[str, str] = {}
        self.refresh_tokens: dict[str, str] = {}
        self.revoked: set[str] = set()
        self.rotation_seconds: int | None = None
        self._issued = 0
        self._current_token: str | None = None

        self._used_triggers: set[str] = set()
        self._mpims: dict[frozenset[str], str] = {}
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self.add_user(bot_user_id, name="wolfpack", is_bot=True)

    # --- setting up ---

    def add_user(
        self,
        user_id: str,
        *,
        name: str | None = None,
        tz: str = "America/Los_Angeles",
        is_bot: bool = False,
        deleted: bool = False,
        is_admin: bool = False,
    ) -> None:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {tz!r}") from error
        with self._lock:
            self.users[user_id] = {
                "id": user_id,
                "name": name or user_id.lower(),
                "tz": tz,
                "is_bot": is_bot,
                "deleted": deleted,
                "is_admin": is_admin,
            }

    def add_channel(
        self,
        channel_id: str,
        *,
        name: str | None = None,
        members: Iterable[str] = (),
        bot_is_member: bool = True,
    ) -> None:
        listed = [m for m in dict.fromkeys(members) if m != self.bot_user_id]
        with self._lock:
            self.channels[channel_id] = Channel(
                channel_id, name or channel_id.lower(), listed, bot_is_member
            )

    # --- inspection ---

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Messages in a channel (or a user's DM), oldest first, as they are now.

        Each has at least ts, text, blocks, thread_ts (None outside threads) and user."""
        with self._lock:
            found = self._resolve(channel, create=False)
            return copy.deepcopy(found.messages) if found else []

    # --- helpers for the emulated methods ---

    def _next_ts(self) -> str:
        micros = next(self._ts) * 100
        return f"{_TS_BASE + micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def _resolve(self, channel_id: str, *, create: bool = True) -> Channel | None:
        """A channel by id; a user id or "D" + user id means that user's DM, as in Slack."""
        if channel_id in self.channels:
            return self.channels[channel_id]
        if channel_id in self.users:
            user_id = channel_id
        elif channel_id.startswith("D") and channel_id[1:] in self.users:
            user_id = channel_id[1:]
        else:
            return None
        dm_id = f"D{user_id}"
        if dm_id in self.channels:
            return self.channels[dm_id]
        if not create:
            return None
        dm = Channel(dm_id, dm_id, [user_id], bot_is_member=True, is_im=True)
        self.channels[dm_id] = dm
        return dm

    def _channel_arg(self, args: dict[str, Any], key: str = "channel") -> Channel:
        channel = self._resolve(text_arg(args, key))
        if channel is None:
            raise SlackError("channel_not_found")
        return channel

    def _member_ids(self, channel: Channel) -> list[str]:
        members = list(channel.members)
        if channel.bot_is_member:
            members.append(self.bot_user_id)
        return members

    def _user_json(self, user: dict[str, Any]) -> dict[str, Any]:
        now = self.clock().astimezone(ZoneInfo(user["tz"]))
        offset = now.utcoffset()
        return {
            "id": user["id"],
            "team_id": self.team_id,
            "name": str(user["name"]).lower().replace(" ", "."),
            "real_name": user["name"],
            "deleted": user["deleted"],
            "is_bot": user["is_bot"],
            "is_admin": user["is_admin"],
            "tz": user["tz"],
            "tz_label": now.tzname() or user["tz"],
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
            "profile": {"real_name": user["name"], "display_name": user["name"]},
        }

    def _channel_json(self, channel: Channel) -> dict[str, Any]:
        if channel.is_im:
            return {
                "id": channel.id,
                "is_channel": False,
                "is_im": True,
                "is_mpim": False,
                "user": channel.members[0],
                "is_archived": False,
            }
        return {
            "id": channel.id,
            "name": channel.name,
            "is_channel": not channel.is_mpim,
            "is_im": False,
            "is_mpim": channel.is_mpim,
            "is_private": channel.is_mpim,
            "is_member": channel.bot_is_member,
            "is_archived": False,
            "num_members": len(self._member_ids(channel)),
        }

    def _find_message(self, channel: Channel, ts: str) -> dict[str, Any]:
        for message in channel.messages:
            if message["ts"] == ts:
                return message
        raise SlackError("message_not_found")

    def _message_json(self, message: dict[str, Any]) -> dict[str, Any]:
        return {k: copy.deepcopy(v) for k, v in message.items() if v is not None}
