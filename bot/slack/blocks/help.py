"""Usage texts of the slash commands."""

from __future__ import annotations

from bot.slack.mrkdwn import escape

CHECKIN_HELP = (
    "*`/checkin`* opens your check-in for this round.\n"
    "`/checkin skip` skips today · `/checkin away 2026-12-20 2027-01-03` sets time away · "
    "`/checkin back` ends it · `/checkin history [N]` shows your last N answers."
)

WOLFPACK_HELP = (
    "*`/wolfpack`* runs your pack.\n"
    "`/wolfpack setup` creates or edits the pack of this channel (admins) · "
    "`/wolfpack settings` shows its settings · `/wolfpack members` lists its members · "
    "`/wolfpack export` sends its data to your DMs as JSON and CSV (admins) · "
    "`/wolfpack forget-me` deletes your data in this workspace · `/wolfpack help` shows this."
)


def unknown(command: str, sub: str, usage: str) -> str:
    shown = escape(sub[:30]).replace("`", "'")
    return f"I don't know `{command} {shown}`.\n{usage}"
