"""Packs: which pack a request is about, and who may act in it. Each rule lives here once."""

from __future__ import annotations

from bot.core.errors import NotAllowed, NotFound
from bot.core.packs import Member, Pack
from bot.core.ports import Transaction

NO_PACK = "You're not in a pack yet. An admin can start one with `/wolfpack setup`."
PACK_GONE = "This pack is gone."
NOT_MEMBER = "You're not a member of this pack. A pack admin can add you with `/wolfpack setup`."


def existing_pack(uow: Transaction, pack_id: int, *, gone: str = PACK_GONE) -> Pack:
    """The workspace's pack; NotFound with `gone` when it has none of that id."""
    pack = uow.packs.get(pack_id)
    if pack is None:
        raise NotFound(gone)
    return pack


def active_member(
    uow: Transaction, pack: Pack, user_id: str, *, not_member: str = NOT_MEMBER
) -> Member:
    """The user's membership of the pack; NotAllowed with `not_member` unless it is active."""
    member = uow.members.get(pack.id, user_id)
    if member is None or not member.active:
        raise NotAllowed(not_member)
    return member


def member_of(
    uow: Transaction,
    pack_id: int,
    user_id: str,
    *,
    gone: str = PACK_GONE,
    not_member: str = NOT_MEMBER,
) -> tuple[Pack, Member]:
    """The pack named by id and the user's active membership of it."""
    pack = existing_pack(uow, pack_id, gone=gone)
    return pack, active_member(uow, pack, user_id, not_member=not_member)


def pack_of_command(
    uow: Transaction, channel_id: str, user_id: str, *, elsewhere: str, not_member: str
) -> tuple[Pack, Member]:
    """The pack a command means: the channel's, or, run elsewhere (a DM, another channel), the
    member's only pack. NotFound with `elsewhere` when the member is in several packs and the
    channel is none of them; NotAllowed with `not_member` for a non-member."""
    found = uow.members.in_channel(channel_id, user_id)
    if found is None:
        packs = uow.packs.of_user(user_id)
        if len(packs) != 1:
            raise NotFound(elsewhere if packs else NO_PACK)
        pack, member = packs[0], uow.members.get(packs[0].id, user_id)
    else:
        pack, member = found
    if member is None or not member.active:
        raise NotAllowed(not_member)
    return pack, member
