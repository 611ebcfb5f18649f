"""A member's data (SPEC §6): a pack admin's export, and `/wolfpack forget-me`."""

from __future__ import annotations

import datetime as dt
from functools import partial

from bot.core.errors import NotAllowed, NotFound
from bot.core.export import ExportData, ExportFile, export_files
from bot.core.packs import Pack, Person
from bot.core.ports import Transaction
from bot.core.privacy import Footprint
from bot.core.usecases.workspace import Done, Workspace

NOT_ADMIN = (
    "Only this pack's admins can export its data. `/wolfpack members` shows who they are; "
    "`/wolfpack forget-me` deletes your own data."
)
# Every blocker a pack ever had: the export reads them all.
ALL_TIME = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
EXPORT_ELSEWHERE = "Run `/wolfpack export` in the channel of the pack you want to export."


def export_pack(ws: Workspace, channel_id: str, user_id: str) -> Pack:
    """The pack `/wolfpack export` means, once the user is known to be one of its admins: the
    channel's pack, or elsewhere the only pack they administer. Writes nothing."""
    with ws.unit() as uow:
        found = uow.members.in_channel(channel_id, user_id)
        if found is not None:
            pack, member = found
            person = member.person if member is not None else uow.people.get(user_id)
        else:
            person = uow.people.get(user_id)
            mine = [p for p in uow.packs.all() if user_id in p.admin_ids]
            if len(mine) != 1:
                raise NotFound(EXPORT_ELSEWHERE)
            pack = mine[0]
    if not _is_admin(ws, pack, user_id, person):
        raise NotAllowed(NOT_ADMIN)
    return pack


def send_export(ws: Workspace, pack_id: int, user_id: str) -> list[ExportFile]:
    """The export's confirmation: reads the pack (checking again that the user administers
    it), builds the files and uploads them to the user's DM."""
    with ws.unit() as uow:
        pack = uow.packs.get(pack_id)
        if pack is None:
            raise NotFound("That pack is gone.")
        person = uow.people.get(user_id)
        data = read_export(uow, pack, ws.now())
    if not _is_admin(ws, pack, user_id, person):
        raise NotAllowed(NOT_ADMIN)
    files = export_files(data)
    ws.notifier.send_export(user_id, pack, files)
    return files


def footprint(ws: Workspace, user_id: str) -> Footprint:
    """What `forget_me` would delete; anyone may ask, member or not."""
    with ws.unit() as uow:
        return uow.privacy.footprint(user_id)


def forget_me(ws: Workspace, user_id: str) -> Done[Footprint]:
    """The confirmed `/wolfpack forget-me`: deletes, in one unit of work, every row of this
    workspace that is about the user (and takes their name off what is kept); other
    workspaces are not touched. After: the channel posts of their check-ins come down."""
    with ws.unit() as uow:
        gone = uow.privacy.forget(user_id)
    return Done(gone, partial(_take_down, ws, gone.posts) if gone.posts else None)


def _take_down(ws: Workspace, posts: tuple[tuple[str, str], ...]) -> None:
    ws.notifier.delete_messages(posts)


def read_export(uow: Transaction, pack: Pack, now: dt.datetime) -> ExportData:
    """Eight reads whatever the size of the pack: one per kind of row."""
    proposals = uow.proposals.of_pack(pack.id)
    return ExportData(
        pack=pack,
        members=uow.members.of_pack(pack.id, include_inactive=True),
        answers=uow.answers.since(pack.id, dt.date.min),
        statements=uow.statements.of_pack(pack.id, include_hidden=True),
        votes=uow.statements.votes(pack.id),
        proposals=proposals,
        responses=uow.proposals.responses_for([p.id for p in proposals]),
        at=now,
        blockers=uow.blockers.of_pack_since(pack.id, ALL_TIME),
    )


def _is_admin(ws: Workspace, pack: Pack, user_id: str, person: Person | None) -> bool:
    if user_id in pack.admin_ids:
        return True
    # A workspace admin the bot has not met yet: asked of Slack, and not stored.
    who = person or ws.directory.person(user_id)
    return who is not None and pack.is_admin(who)
