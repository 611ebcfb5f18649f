"""Packs: setting one up, its members and Slack's membership events; and the rules of which
pack a request is about and who may act in it, each in one place."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core import choices
from bot.core.errors import FieldErrors, NotAllowed, NotFound, UserError
from bot.core.packs import (
    ChannelInfo,
    Member,
    Pack,
    PackDraft,
    PackSettings,
    Person,
    SettingsView,
    SetupForm,
)
from bot.core.ports import Transaction
from bot.core.usecases.workspace import Workspace

MAX_PACK_MEMBERS = 500
SETTINGS_ELSEWHERE = "Run `/wolfpack settings` in your pack's channel."
SETTINGS_NOT_MEMBER = (
    "A pack's settings are for its members. A pack admin can add you with `/wolfpack setup`."
)
NO_PACK_HERE = "This channel has no pack yet. An admin can create one here with `/wolfpack setup`."

NO_PACK = "You're not in a pack yet. An admin can start one with `/wolfpack setup`."
PACK_GONE = "This pack is gone."
NOT_MEMBER = "You're not a member of this pack. A pack admin can add you with `/wolfpack setup`."
NOT_SETUP_ADMIN = "Only this pack's admins can change its setup. `/wolfpack members` lists them."


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
    return _active(uow.members.get(pack.id, user_id), not_member)


def _active(member: Member | None, not_member: str) -> Member:
    """The rule every action of a pack's own goes through: an active membership, or a refusal
    (a member who left the channel, or was never in it, is no member)."""
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
    return pack_from_channel(
        uow,
        uow.members.in_channel(channel_id, user_id),
        user_id,
        elsewhere=elsewhere,
        not_member=not_member,
    )


def pack_from_channel(
    uow: Transaction,
    in_channel: tuple[Pack, Member | None] | None,
    user_id: str,
    *,
    elsewhere: str,
    not_member: str,
) -> tuple[Pack, Member]:
    """`pack_of_command` for a caller that has read the channel's pack and the user's
    membership of it already (`in_channel`, None when the channel has no pack)."""
    if in_channel is None:
        packs = uow.packs.of_user(user_id)
        if len(packs) != 1:
            raise NotFound(elsewhere if packs else NO_PACK)
        pack, member = packs[0], uow.members.get(packs[0].id, user_id)
    else:
        pack, member = in_channel
    return pack, _active(member, not_member)


# --- people --------------------------------------------------------------------------------


def people(ws: Workspace, user_ids: Sequence[str]) -> dict[str, Person]:
    """Profiles from the database, read from Slack (and stored) when unknown. Slack is asked
    outside any unit of work, so a slow answer never holds the database."""
    with ws.unit() as uow:
        known = uow.people.many(user_ids)
    missing = [u for u in dict.fromkeys(user_ids) if u not in known]
    fetched = [p for p in (ws.directory.person(u) for u in missing) if p is not None]
    if fetched:
        now = ws.now()
        with ws.unit() as uow:
            for person in fetched:
                known[person.user_id] = uow.people.upsert(person, now)
    return known


# --- setup ---------------------------------------------------------------------------------


def setup_form(ws: Workspace, channel_id: str, user_id: str) -> SetupForm:
    """`/wolfpack setup`: what the setup modal starts with. Refuses when the bot is not in the
    channel or the user may not edit the existing pack."""
    channel = ws.directory.channel(channel_id)
    if channel is None:
        raise UserError("I can't see this conversation. Run `/wolfpack setup` in the team channel.")
    if not channel.bot_is_member:
        raise UserError(
            f"I'm not in #{channel.name} yet. Invite me with `/invite @Wolfpack`, then run "
            "`/wolfpack setup` again."
        )
    with ws.unit() as uow:
        pack = uow.packs.by_channel(channel_id)
        members = uow.members.of_pack(pack.id) if pack else []
    admin = people(ws, [user_id]).get(user_id)
    if pack is not None:
        if admin is None or not pack.is_admin(admin):
            raise NotAllowed(NOT_SETUP_ADMIN)
        return SetupForm(
            channel=channel,
            pack=pack,
            settings=pack.settings,
            member_ids=tuple(m.user_id for m in members),
            admin_ids=pack.admin_ids,
            now=ws.now(),
        )
    channel_ids = ws.directory.channel_member_ids(channel_id)[:MAX_PACK_MEMBERS]
    known = people(ws, channel_ids)
    humans = tuple(u for u in channel_ids if u in known and known[u].can_be_member)
    return SetupForm(
        channel=channel,
        pack=None,
        settings=PackSettings(timezone=admin.tz if admin is not None else "UTC"),
        member_ids=humans,
        admin_ids=(user_id,),
        now=ws.now(),
    )


def more_settings(ws: Workspace, user_id: str, typed: PackDraft) -> SetupForm:
    """The setup form's **More settings**: the full form, with what was typed so far and the
    rest as the pack has it now (a new pack: the defaults). Only the pack's admins may see an
    existing pack's; nothing of the channel is read for a new one (the typed form names the
    channel, and the sender may have changed it)."""
    with ws.unit() as uow:
        pack = uow.packs.by_channel(typed.channel_id)
    if pack is not None:
        admin = people(ws, [user_id]).get(user_id)
        if admin is None or not pack.is_admin(admin):
            raise NotAllowed(NOT_SETUP_ADMIN)
    draft = typed.completed(pack)
    return SetupForm(
        channel=ChannelInfo(typed.channel_id, typed.name, bot_is_member=pack is not None),
        pack=pack,
        settings=draft.settings,
        member_ids=typed.member_ids,
        admin_ids=draft.admin_ids,
        now=ws.now(),
    )


def timezone_choices(ws: Workspace, query: str) -> list[choices.Choice]:
    """The setup form's timezone list as the person types, with each zone's offset now."""
    return choices.search_timezones(query, ws.now())


def holiday_country_choices(query: str) -> list[choices.Choice]:
    """The setup form's list of countries whose public holidays the bot knows."""
    return choices.search_countries(query)


def save_pack(ws: Workspace, user_id: str, submitted: PackDraft) -> tuple[Pack, bool]:
    """The setup form's submission: validates it (FieldErrors keyed by form field) and stores
    the pack and its members; True when the pack is new. What the form did not show keeps the
    pack's values (a new pack: the defaults)."""
    with ws.unit() as uow:
        current = uow.packs.by_channel(submitted.channel_id)
    draft = submitted.completed(current)
    errors: dict[str, str] = {}
    try:
        draft.settings.validated()
    except FieldErrors as bad:
        errors.update(bad.errors)
    known = people(ws, [*draft.member_ids, *draft.admin_ids, user_id])
    not_humans = [u for u in draft.member_ids if u not in known or not known[u].can_be_member]
    if not draft.member_ids:
        errors["members"] = "Pick at least one member."
    elif not_humans:
        errors["members"] = "Bots and deactivated accounts can't be members: " + ", ".join(
            known[u].name if u in known else u for u in not_humans[:5]
        )
    elif len(draft.member_ids) > MAX_PACK_MEMBERS:
        errors["members"] = f"A pack has at most {MAX_PACK_MEMBERS} members."
    if not draft.admin_ids:
        errors["admins"] = "A pack needs at least one admin."
    elif any(u not in known or not known[u].can_be_member for u in draft.admin_ids):
        errors["admins"] = "Admins must be people, not bots or deactivated accounts."
    if errors:
        raise FieldErrors(errors)
    if current is None:
        # The channel comes back in the form, which the sender may have changed: a new pack is
        # made only where the bot is and the person setting it up is too.
        channel = ws.directory.channel(draft.channel_id)
        if (
            channel is None
            or not channel.bot_is_member
            or user_id not in ws.directory.channel_member_ids(draft.channel_id)
        ):
            raise NotAllowed("A pack is set up from its own channel: run `/wolfpack setup` there.")
    now = ws.now()
    with ws.unit() as uow:
        existing = uow.packs.by_channel(draft.channel_id)
        editor = known.get(user_id)
        if existing is not None and (editor is None or not existing.is_admin(editor)):
            raise NotAllowed("Only this pack's admins can change its setup.")
        # Completed again from the pack as this transaction reads it.
        pack, created = uow.packs.save(submitted.completed(existing), now)
        uow.members.replace(pack.id, draft.member_ids, now)
    return pack, created


def pack_settings(ws: Workspace, channel_id: str, user_id: str) -> SettingsView:
    """`/wolfpack settings`: the pack of the channel (or the member's only pack)."""
    with ws.unit() as uow:
        pack, member = pack_of_command(
            uow, channel_id, user_id, elsewhere=SETTINGS_ELSEWHERE, not_member=SETTINGS_NOT_MEMBER
        )
    return SettingsView(pack, pack.is_admin(member.person))


def pack_members(ws: Workspace, channel_id: str) -> tuple[Pack, list[Member]]:
    """`/wolfpack members`: the channel's pack and its active members."""
    with ws.unit() as uow:
        pack = uow.packs.by_channel(channel_id)
        if pack is None:
            raise NotFound(NO_PACK_HERE)
        return pack, uow.members.of_pack(pack.id)


# --- Slack's membership events -------------------------------------------------------------


def member_joined(ws: Workspace, channel_id: str, user_id: str) -> bool:
    """Someone joined a pack's channel: a person (not a bot) becomes an active member."""
    with ws.unit() as uow:
        pack = uow.packs.by_channel(channel_id)
    if pack is None:
        return False
    person = ws.directory.person(user_id)
    if person is None or not person.can_be_member:
        return False
    now = ws.now()
    with ws.unit() as uow:
        uow.people.upsert(person, now)
        return uow.members.join(pack.id, user_id, now)


def member_left(ws: Workspace, channel_id: str, user_id: str) -> bool:
    """Someone left a pack's channel: their membership ends (kept, inactive)."""
    with ws.unit() as uow:
        pack = uow.packs.by_channel(channel_id)
        if pack is None:
            return False
        return uow.members.leave(pack.id, user_id, ws.now())


def user_changed(ws: Workspace, person: Person) -> None:
    """A profile change: a new timezone applies from the next computation on; a deactivated
    or bot account leaves every pack."""
    now = ws.now()
    with ws.unit() as uow:
        if uow.people.get(person.user_id) is None and not uow.packs.of_user(person.user_id):
            return
        uow.people.upsert(person, now)
        if not person.can_be_member:
            uow.members.leave_all(person.user_id, now)
