"""Which pack a command is about: the pack of the channel it was run in, or, run elsewhere
(a DM, another channel), the member's only pack."""

from __future__ import annotations

from bot.core.errors import NotAllowed, NotFound
from bot.core.packs import Member, Pack
from bot.core.ports import Transaction

NO_PACK = "You're not in a pack yet. An admin can start one with `/wolfpack setup`."


def pack_of_member(
    tx: Transaction, channel_id: str, user_id: str, *, elsewhere: str, not_member: str
) -> tuple[Pack, Member]:
    """The pack and the asking member; NotFound with `elsewhere` when the member is in several
    packs and the channel is none of them, NotAllowed with `not_member` for a non-member."""
    found = tx.members.in_channel(channel_id, user_id)
    if found is None:
        packs = tx.packs.of_user(user_id)
        if len(packs) != 1:
            raise NotFound(elsewhere if packs else NO_PACK)
        pack, member = packs[0], tx.members.get(packs[0].id, user_id)
    else:
        pack, member = found
    if member is None or not member.active:
        raise NotAllowed(not_member)
    return pack, member
