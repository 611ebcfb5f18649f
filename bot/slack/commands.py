"""A slash command's sub-commands as a table: the first word picks the handler, `help` and
anything unknown answer with the usage."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.core.usecases.workspace import Workspace
from bot.slack.blocks.help import unknown
from bot.slack.later import Later


@dataclass(frozen=True)
class Command:
    """One slash command as a handler sees it: who ran it where, and the words after the
    sub-command."""

    workspace: Workspace
    user_id: str
    channel_id: str
    args: str
    trigger_id: str
    ack: Ack
    client: WebClient
    later: Later

    @property
    def words(self) -> list[str]:
        return self.args.split()


Handler = Callable[[Command], None]


@dataclass(frozen=True)
class SubCommands:
    """A slash command's listener: the first word of its text picks the handler."""

    name: str
    usage: str
    handlers: Mapping[str, Handler]

    def __call__(
        self,
        ack: Ack,
        body: dict[str, Any],
        client: WebClient,
        workspace: Workspace,
        later: Later,
    ) -> None:
        text = (body.get("text") or "").strip()
        words = text.split(maxsplit=1)
        sub = words[0].lower() if words else ""
        handler = self.handlers.get(sub)
        if handler is None:
            ack(text=self.usage if sub == "help" else unknown(self.name, sub, self.usage))
            return
        handler(
            Command(
                workspace=workspace,
                user_id=body["user_id"],
                channel_id=body["channel_id"],
                args=words[1] if len(words) > 1 else "",
                trigger_id=body.get("trigger_id", ""),
                ack=ack,
                client=client,
                later=later,
            )
        )

    @property
    def names(self) -> list[str]:
        """The sub-commands, `help` included, as the manifest's usage hint lists them."""
        return [name for name in self.handlers if name] + ["help"]
