"""A member's data (SPEC §6): what `/wolfpack forget-me` deletes or takes their name off."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields

FORMER_MEMBER = "a former member"


@dataclass(frozen=True)
class Footprint:
    """What one workspace holds about one member: counts of the rows `forget-me` deletes or
    anonymises, and the channel posts of their check-ins it takes down."""

    answers: int = 0
    votes: int = 0
    positions: int = 0
    memberships: int = 0
    deliveries: int = 0
    profile: int = 0
    # Replies noted in discussion threads (who and when, never the text).
    replies: int = 0
    blockers: int = 0
    away: int = 0
    # Kept, without their author.
    statements: int = 0
    proposals: int = 0
    # Packs where they are an admin or the creator: their name comes off those lists.
    admin_of: int = 0
    # Other members' rows that name them (a collaborator, a mention): the name is taken out.
    mentions: int = 0
    # (channel, ts) of each check-in of theirs posted in a round thread.
    posts: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @property
    def empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))


def scrub_mentions(text: str, user_id: str) -> str:
    """The text with every mention of the user (`<@U1>`, `<@U1|name>`, a bare `U1`) replaced."""
    if not user_id or user_id not in text:
        return text
    uid = re.escape(user_id)
    text = re.sub(rf"<@{uid}(?:\|[^>]*)?>", "@" + FORMER_MEMBER, text)
    return re.sub(rf"(?<![A-Za-z0-9]){uid}(?![A-Za-z0-9])", FORMER_MEMBER, text)
