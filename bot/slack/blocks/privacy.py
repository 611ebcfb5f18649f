"""`/wolfpack forget-me`'s confirmation and its answer, and the export's note."""

from __future__ import annotations

from bot.core.packs import Pack
from bot.core.privacy import Footprint
from bot.slack.blocks.common import Block, button, plain, section
from bot.slack.ids import Action


def _counted(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def deleted_lines(fp: Footprint) -> list[str]:
    lines = []
    if fp.answers:
        posts = f" (and {_counted(len(fp.posts), 'post')} in round threads)" if fp.posts else ""
        lines.append(_counted(fp.answers, "check-in answer") + posts)
    if fp.votes:
        lines.append(_counted(fp.votes, "vote") + " on statements")
    if fp.positions:
        lines.append(_counted(fp.positions, "position") + " on proposals")
    if fp.replies:
        lines.append(
            _counted(fp.replies, "note", "notes") + " that you replied in a discussion thread"
        )
    if fp.blockers:
        lines.append(_counted(fp.blockers, "blocker") + " you raised")
    if fp.memberships:
        lines.append(_counted(fp.memberships, "pack membership"))
    if fp.profile:
        lines.append("your profile (name, timezone" + (", away dates)" if fp.away else ")"))
    if fp.deliveries:
        lines.append(_counted(fp.deliveries, "record") + " of messages sent to you")
    return lines


def kept_lines(fp: Footprint) -> list[str]:
    lines = []
    if fp.statements:
        lines.append(_counted(fp.statements, "statement") + " you wrote")
    if fp.proposals:
        lines.append(_counted(fp.proposals, "proposal") + " you made")
    if fp.admin_of:
        lines.append(_counted(fp.admin_of, "pack") + " you set up or administer")
    if fp.mentions:
        lines.append(_counted(fp.mentions, "entry", "entries") + " by others that name you")
    return lines


def _summary(fp: Footprint, deleted: str, kept: str) -> str:
    parts = []
    gone = deleted_lines(fp)
    if gone:
        parts.append(f"*{deleted}:*\n" + "\n".join(f"• {line}" for line in gone))
    stays = kept_lines(fp)
    if stays:
        parts.append(f"*{kept}:*\n" + "\n".join(f"• {line}" for line in stays))
    return "\n".join(parts)


def forget_confirmation(fp: Footprint) -> tuple[str, list[Block]]:
    if fp.empty:
        text = "I hold no data about you in this workspace: there is nothing to delete."
        return text, [section(text)]
    text = "Delete your Wolfpack data in this workspace?"
    danger = button("Delete my data", Action.FORGET_CONFIRM, "confirm", style="danger")
    danger["confirm"] = {
        "title": plain("Delete your data?", 100),
        "text": plain("This can't be undone.", 300),
        "confirm": plain("Delete", 30),
        "deny": plain("Keep it", 30),
        "style": "danger",
    }
    blocks: list[Block] = [
        section(
            f"*{text}*\n"
            + _summary(fp, "Deleted", "Kept, without your name")
            + "\nOther workspaces keep their own data. This can't be undone."
        ),
        {
            "type": "actions",
            "elements": [danger, button("Cancel", Action.FORGET_CANCEL, "cancel")],
        },
    ]
    return text, blocks


def forgotten_message(fp: Footprint) -> tuple[str, list[Block]]:
    if fp.empty:
        text = "There was nothing about you to delete in this workspace."
        return text, [section(text)]
    text = "Your Wolfpack data in this workspace is deleted."
    body = _summary(fp, "Deleted", "Kept, without your name")
    return text, [section(f"*{text}*\n{body}")]


CANCELLED = "Nothing was deleted. `/wolfpack forget-me` asks again whenever you like."
EXPORT_STARTED = (
    "Your export is on its way to your DMs: one JSON file with everything, and a CSV file "
    "per table."
)


def export_comment(pack: Pack) -> str:
    """What the export's upload says about it."""
    mode = (
        "Votes are anonymous in this pack, so the export has counts only (and none below 3 "
        "decided votes), never who voted how."
        if pack.settings.anonymous
        else "This pack votes openly, so the export lists each member's votes and positions."
    )
    return (
        f"Here is the export of <#{pack.channel_id}>: the JSON file has everything, the CSV "
        f"files one table each. {mode} Check-in alignment scores are left out; each round "
        "shows the pack's mean."
    )
