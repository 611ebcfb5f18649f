"""Usage texts of the slash commands."""

from __future__ import annotations

from bot.slack.mrkdwn import escape

CHECKIN_HELP = (
    "*`/checkin`* opens your check-in for this round.\n"
    "`/checkin skip` skips today · `/checkin away 2026-12-20 2027-01-03` sets time away · "
    "`/checkin back` ends it · `/checkin hours 08:00-16:00 mon-thu` sets when I may message "
    "you · `/checkin history [N]` shows your last N answers."
)

WOLFPACK_HELP = (
    "*`/wolfpack`* runs your pack.\n"
    "`/wolfpack setup` creates or edits the pack of this channel (admins) · "
    "`/wolfpack settings` shows its settings · `/wolfpack members` lists its members · "
    "`/wolfpack map` sends you a link to its opinion map · "
    "`/wolfpack export` sends its data to your DMs as JSON and CSV (admins) · "
    "`/wolfpack forget-me` deletes your data in this workspace · `/wolfpack help` shows this."
)

DIRECTION_HELP = (
    "*`/direction`* asks you up to 5 statements about where the pack is heading.\n"
    "`/direction add &lt;text&gt;` adds a statement · `/direction list` shows them all with counts "
    "(anonymous: counts only, and none below 3 votes) · `/direction hide N` and "
    "`/direction unhide N` (pack admins)."
)

PROPOSE_HELP = (
    "*`/propose &lt;text&gt;`* puts a decision to the pack: Agree, Abstain, Disagree or Block, "
    "open for 48 hours (`/propose &lt;text&gt; --closes 3d`, or `--closes 2026-12-04` for 17:00 "
    "that day in the pack's timezone, sets another time, up to 30 days)."
)

CONSENSUS_HELP = (
    "*`/consensus`* shows this week's consensus report so far, just to you: where the pack "
    "agrees, where it is split, decisions and who is working alone (counts only).\n"
    "`/consensus decisions` lists the pack's decisions and open proposals."
)


def unknown(command: str, sub: str, usage: str) -> str:
    shown = escape(sub[:30]).replace("`", "'")
    return f"I don't know `{command} {shown}`.\n{usage}"
