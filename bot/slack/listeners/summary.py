"""`/consensus`: this week's consensus report so far, and the decision log."""

from __future__ import annotations

from bot.core.usecases import proposals, summary
from bot.slack.blocks.help import CONSENSUS_HELP
from bot.slack.blocks.proposals import decision_log
from bot.slack.blocks.summary import consensus_report_blocks
from bot.slack.commands import Command, SubCommands
from bot.slack.router import Router


def report(cmd: Command) -> None:
    week, admin = summary.consensus_report(cmd.workspace, cmd.channel_id, cmd.user_id)
    blocks = consensus_report_blocks(week, for_admin=admin)
    cmd.ack(text=f"Consensus so far, week {week.week}", blocks=blocks)


def decisions(cmd: Command) -> None:
    views = proposals.decision_log(cmd.workspace, cmd.channel_id, cmd.user_id)
    cmd.ack(text="Decisions", blocks=decision_log(views))


CONSENSUS = SubCommands("/consensus", CONSENSUS_HELP, {"": report, "decisions": decisions})


def register(router: Router) -> None:
    router.command("/consensus", CONSENSUS)
