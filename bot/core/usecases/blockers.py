"""Blockers: kept up to date by each check-in, asked about in the pack's thread, offered help
by the pack, resolved by their member; and followed up once."""

from __future__ import annotations

import datetime as dt
from functools import partial

from bot.core import schedule
from bot.core.blockers import Blocker, BlockerView, Change, change_for
from bot.core.checkins import Answer
from bot.core.errors import NotAllowed, NotFound, UserError
from bot.core.packs import Pack, Person
from bot.core.ports import Transaction
from bot.core.usecases.packs import people
from bot.core.usecases.workspace import Done, Workspace

GONE = "That blocker is gone. If something still blocks you, say so in your next check-in."
NOT_YOURS = "Only the person it blocks can do that."
SORTED = "That blocker is already sorted. Nice."
ASKED = "You already asked the pack about this one: offers of help come to you in a group DM."
OWN = "That's your own blocker: the button is for the rest of the pack."


def record_answer(
    uow: Transaction, answer: Answer, round_date: dt.date, now: dt.datetime
) -> Blocker | None:
    """Brings the member's blocker of the pack in line with an answer just stored, in the
    same unit of work: raised, its text updated, resolved or taken back. The open blocker."""
    current = uow.blockers.open_of(answer.pack_id, answer.user_id)
    change = change_for(current, answer.round_id, answer.blockers)
    if change is Change.RAISE:
        return uow.blockers.raise_(
            answer.pack_id,
            answer.user_id,
            answer.round_id,
            answer.id,
            round_date,
            answer.blockers,
            now,
        )
    if current is None:
        return None
    if change is Change.UPDATE:
        uow.blockers.set_text(current.id, answer.blockers)
        return uow.blockers.get(current.id)
    if change is Change.RESOLVE:
        uow.blockers.resolve(current.id, now)
        return None
    if change is Change.WITHDRAW:
        uow.blockers.withdraw(current.id)
        return None
    return current


def _own_open(uow: Transaction, blocker_id: int, user_id: str) -> Blocker:
    """The blocker, when it is the user's and still open; a friendly refusal otherwise."""
    blocker = uow.blockers.get(blocker_id)
    if blocker is None:
        raise NotFound(GONE)
    if blocker.user_id != user_id:
        raise NotAllowed(NOT_YOURS)
    if not blocker.is_open:
        raise UserError(SORTED)
    return blocker


def resolve(ws: Workspace, blocker_id: int, user_id: str) -> Done[Blocker]:
    """The follow-up's Resolved: the member says it is sorted. After: the pack's message about
    it, if they asked, says so."""
    now = ws.now()
    with ws.unit() as uow:
        blocker = _own_open(uow, blocker_id, user_id)
        uow.blockers.resolve(blocker.id, now)
        resolved = uow.blockers.get(blocker.id)
    assert resolved is not None
    after = partial(_refresh_ask, ws, resolved.id) if resolved.ask_ts is not None else None
    return Done(resolved, after)


def ask(ws: Workspace, blocker_id: int, user_id: str) -> Done[Blocker]:
    """The follow-up's Ask the pack: claimed once; after, the blocker is posted in the thread
    of the member's current round (or, when that has no thread yet, of the round that raised
    it) with an I can help button."""
    now = ws.now()
    with ws.unit() as uow:
        blocker = _own_open(uow, blocker_id, user_id)
        if not uow.blockers.claim_ask(blocker.id, now):
            raise UserError(ASKED)
        pack = uow.packs.get(blocker.pack_id)
        member = uow.members.get(blocker.pack_id, user_id)
        if pack is None:
            raise NotFound(GONE)
        thread_ts = None
        if member is not None:
            day = schedule.current_round_date(pack.settings, member.person, now)
            current = uow.rounds.find(pack.id, day)
            thread_ts = current.parent_ts if current is not None else None
        if thread_ts is None:
            raised_in = uow.rounds.get(blocker.round_id)
            thread_ts = raised_in.parent_ts if raised_in is not None else None
    return Done(blocker, partial(_post_ask, ws, blocker.id, thread_ts))


def offer_help(ws: Workspace, blocker_id: int, helper_id: str) -> Done[bool]:
    """I can help, pressed by someone other than the blocker's member: recorded once; after,
    a group DM of the two with an introduction, and the channel message names who offered.
    False (and nothing after) when they had offered already."""
    with ws.unit() as uow:
        blocker = uow.blockers.get(blocker_id)
        if blocker is None:
            raise NotFound(GONE)
        if blocker.user_id == helper_id:
            raise UserError(OWN)
        if not blocker.is_open:
            raise UserError(SORTED)
        added = uow.blockers.add_helper(blocker.id, helper_id)
    if not added:
        return Done(False)
    return Done(True, partial(_introduce, ws, blocker.id, helper_id))


# --- after the answer -------------------------------------------------------------------------


def view_of(ws: Workspace, blocker_id: int) -> BlockerView | None:
    with ws.unit() as uow:
        blocker = uow.blockers.get(blocker_id)
        pack = uow.packs.get(blocker.pack_id) if blocker is not None else None
    if blocker is None or pack is None:
        return None
    return _view(ws, pack, blocker)


def _view(ws: Workspace, pack: Pack, blocker: Blocker) -> BlockerView:
    known = people(ws, [blocker.user_id, *blocker.helpers])
    member = known.get(blocker.user_id) or Person.unknown(blocker.user_id)
    helpers = tuple(known[u] for u in blocker.helpers if u in known)
    return BlockerView(blocker=blocker, pack=pack, member=member, helpers=helpers)


def _post_ask(ws: Workspace, blocker_id: int, thread_ts: str | None) -> None:
    view = view_of(ws, blocker_id)
    if view is None:
        return
    try:
        channel, ts = ws.notifier.post_blocker_ask(view, thread_ts)
    except BaseException:
        with ws.unit() as uow:
            uow.blockers.release_ask(blocker_id)
        raise
    with ws.unit() as uow:
        uow.blockers.set_ask_message(blocker_id, channel, ts)


def _refresh_ask(ws: Workspace, blocker_id: int) -> None:
    view = view_of(ws, blocker_id)
    if view is not None and view.blocker.ask_ts is not None:
        ws.notifier.update_blocker_ask(view)


def _introduce(ws: Workspace, blocker_id: int, helper_id: str) -> None:
    view = view_of(ws, blocker_id)
    if view is None:
        return
    helper = people(ws, [helper_id]).get(helper_id) or Person.unknown(helper_id)
    ws.notifier.introduce_helper(view, helper)
    if view.blocker.ask_ts is not None:
        ws.notifier.update_blocker_ask(view)
