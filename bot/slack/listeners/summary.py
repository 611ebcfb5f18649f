"""`/consensus`: this week's consensus report so far, and the decision log; the weekly
summary's Details button: the full report of its week in a modal."""

from __future__ import annotations

import datetime as dt
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.core.errors import UserError
from bot.core.schedule import IsoWeek
from bot.core.usecases import proposals, summary
from bot.core.usecases.workspace import Workspace
from bot.slack.blocks.help import CONSENSUS_HELP
from bot.slack.blocks.proposals import decision_log
from bot.slack.blocks.summary import consensus_report_blocks, details_modal
from bot.slack.blocks.summary.format import week_of
from bot.slack.commands import Command, SubCommands
from bot.slack.ids import Action
from bot.slack.listeners.support import open_modal
from bot.slack.router import Router


def report(cmd: Command) -> None:
    week, admin = summary.consensus_report(cmd.workspace, cmd.channel_id, cmd.user_id)
    blocks = consensus_report_blocks(week, for_admin=admin)
    cmd.ack(text=f"Consensus so far, {week_of(week)}", blocks=blocks)


def decisions(cmd: Command) -> None:
    views = proposals.decision_log(cmd.workspace, cmd.channel_id, cmd.user_id)
    cmd.ack(text="Decisions", blocks=decision_log(views))


def details_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, workspace: Workspace
) -> None:
    ack()
    value, user_id = str(body["actions"][0].get("value") or ""), body["user"]["id"]

    def view() -> dict[str, Any]:
        pack, _, monday = value.partition(":")
        try:
            pack_id, iso = int(pack), IsoWeek.of(dt.date.fromisoformat(monday))
        except ValueError:
            raise UserError("This button is out of date.") from None
        shown, admin = summary.details(workspace, pack_id, iso, user_id)
        return details_modal(shown, for_admin=admin)

    open_modal(client, body, "Weekly summary", view)


CONSENSUS = SubCommands("/consensus", CONSENSUS_HELP, {"": report, "decisions": decisions})


def register(router: Router) -> None:
    router.command("/consensus", CONSENSUS)
    router.action(Action.SUMMARY_DETAILS, details_clicked)
