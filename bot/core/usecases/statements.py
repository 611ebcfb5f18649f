"""Direction statements: add, list, ask, vote, hide, and say when the pack splits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial

from bot.core.analysis.asking import ask_order, asking_model
from bot.core.analysis.matrix import Vote as MatrixVote
from bot.core.analysis.matrix import build_matrix
from bot.core.analysis.priority import next_statements
from bot.core.errors import NotAllowed, NotFound
from bot.core.packs import Pack
from bot.core.ports import Transaction
from bot.core.statements import (
    SplitAlert,
    Statement,
    StatementView,
    Vote,
    VoteValue,
    clean_reason,
    clean_statement,
    is_contested,
    latest_votes,
    normalize,
    offered_again,
    tally,
)
from bot.core.usecases.packs import (
    active_member,
    existing_pack,
    member_of,
    pack_from_channel,
    pack_of_command,
)
from bot.core.usecases.workspace import Done, Workspace

NOT_MEMBER = (
    "Only the pack's members take part in its direction. A pack admin can add you with "
    "`/wolfpack setup`."
)
ELSEWHERE = "Run this in your pack's channel."
STATEMENT_GONE = "That statement is gone. Run `/direction` again."
ALERT_QUIET = dt.timedelta(days=7)
BALLOT_SIZE = 5
REASONS_SHOWN = 3

# (statement id, vote, reason) as a form gives them.
VoteInput = tuple[int, VoteValue, str]


def command_pack(ws: Workspace, channel_id: str, user_id: str) -> Pack:
    """The pack a `/direction` command means (see `pack_of_command`)."""
    with ws.unit() as uow:
        return _command_pack(uow, channel_id, user_id)


def list_statements(
    ws: Workspace, channel_id: str, user_id: str
) -> tuple[Pack, list[StatementView]]:
    """`/direction list`: the pack's statements with counts (counted by the store), read in
    one unit of work."""
    with ws.reading() as uow:
        listed = uow.statements.listed(channel_id, user_id)
        in_channel = None if listed is None else listed[:2]
        pack, _ = pack_from_channel(
            uow, in_channel, user_id, elsewhere=ELSEWHERE, not_member=NOT_MEMBER
        )
        counted = uow.statements.counted(pack.id, user_id) if listed is None else listed[2]
        views = _with_voters(pack, counted, lambda: uow.statements.votes(pack.id))
    return pack, views


def add_statement(
    ws: Workspace, channel_id: str, user_id: str, text: str
) -> tuple[Statement, bool]:
    """`/direction add`: the new statement, or the existing one that says the same (False)."""
    cleaned = clean_statement(text)
    with ws.unit() as uow:
        pack = _command_pack(uow, channel_id, user_id)
        return uow.statements.add(pack.id, cleaned, normalize(cleaned), user_id, ws.now())


def ballot(
    ws: Workspace, pack_id: int, user_id: str, limit: int = BALLOT_SIZE
) -> tuple[Pack, list[StatementView]]:
    """The statements to ask the member about (see `ballot_of`)."""
    with ws.unit() as uow:
        pack, _ = member_of(uow, pack_id, user_id, not_member=NOT_MEMBER)
        return pack, ballot_of(uow, pack, user_id, limit)


def vote(ws: Workspace, pack_id: int, user_id: str, votes: Sequence[VoteInput]) -> Done[None]:
    """Records the member's votes (the latest counts; history is kept); a split alert for
    each statement that is contested now goes to the channel after."""
    cleaned = [(sid, value, clean_reason(reason)) for sid, value, reason in votes]
    with ws.unit() as uow:
        pack, _ = member_of(uow, pack_id, user_id, not_member=NOT_MEMBER)
        alerts = record_votes(uow, pack, user_id, cleaned, ws.now())
    return Done(None, split_alerts(ws, pack.id, alerts))


def set_hidden(
    ws: Workspace, channel_id: str, user_id: str, statement_id: int, *, hidden: bool
) -> Statement:
    """`/direction hide|unhide N` (pack admins): hidden statements leave the ballot and the
    geometry; their counts stay."""
    with ws.unit() as uow:
        pack = _command_pack(uow, channel_id, user_id)
        person = uow.people.get(user_id)
        if person is None or not pack.is_admin(person):
            raise NotAllowed("Only the pack's admins can hide or show statements.")
        statement = uow.statements.get(statement_id)
        if statement is None or statement.pack_id != pack.id:
            raise NotFound(f"This pack has no statement #{statement_id}.")
        uow.statements.set_hidden(statement_id, hidden)
        return replace(statement, hidden=hidden)


def discussion_of(ws: Workspace, statement_id: int, user_id: str) -> tuple[str, str] | None:
    """Where a member talks a split over: its alert's (channel, ts), or None when it has none
    yet. NotAllowed for anyone outside the statement's pack, whose channel and thread are the
    pack's own."""
    with ws.unit() as uow:
        statement = uow.statements.get(statement_id)
        if statement is None:
            return None
        member_of(uow, statement.pack_id, user_id, not_member=NOT_MEMBER)
    return statement.alert_message


def reply_in_thread(ws: Workspace, channel_id: str, thread_ts: str, user_id: str) -> int | None:
    """Someone replied in a thread: when it is a split alert's, the statement counts as
    discussed from now on, so those who voted before are asked once more (SPEC §4.6). A reply
    in a split alert's or a proposal's thread is remembered (who and when, not the text): the
    member has joined a discussion, so the pack has heard their view (SPEC §4.5). The
    statement's id, or None for any other thread."""
    now = ws.now()
    with ws.unit() as uow:
        found = uow.statements.discussed_in_thread(channel_id, thread_ts, user_id, now)
        if found is None:
            uow.proposals.replied_in_thread(channel_id, thread_ts, user_id, now)
        return found


def alert_message(ws: Workspace, statement_id: int) -> tuple[str, str] | None:
    """Where the statement's split alert is, so every discussion of it lands in one thread."""
    with ws.unit() as uow:
        statement = uow.statements.get(statement_id)
    return statement.alert_message if statement is not None else None


# --- shared with the other use cases, inside their unit of work ------------------------------


def ballot_of(
    uow: Transaction, pack: Pack, user_id: str, limit: int = BALLOT_SIZE
) -> list[StatementView]:
    """Statements the member has not voted on, those that teach the most about them first
    (SPEC §4.6, bot/core/analysis/asking.py): what most sharpens where the member stands and
    whether a statement is common ground, from the pack's votes as they are now; Pol.is'
    priority order decides between equals, so it decides alone before anyone has voted.
    Contested statements the pack discussed since the member voted come before them, once
    (the Delphi step)."""
    votes = uow.statements.votes(pack.id)
    views = _views(pack, uow.statements.of_pack(pack.id), votes, user_id)
    again = _offered_again(pack, views, votes, user_id)
    matrix = build_matrix(
        [MatrixVote(v.user_id, str(v.statement_id), int(v.value)) for v in votes],
        statements=[str(v.statement.id) for v in views],
    )
    by_id = {str(v.statement.id): v for v in views}
    polis = next_statements(matrix, user_id, limit=len(views))
    open_ = [s for s in polis if s in by_id and by_id[s].mine is None]
    wanted = max(limit - len(again), 0)
    answers = {s: int(v.mine) for s, v in by_id.items() if v.mine is not None}
    fresh = ask_order(asking_model(matrix), answers, open_, wanted) if wanted else []
    return (again + [by_id[s] for s in fresh])[:limit]


def waiting_count(uow: Transaction, pack: Pack, user_id: str, limit: int = BALLOT_SIZE) -> int:
    """How many statements wait for the member's vote, up to `limit`: as many as `ballot_of`
    offers, without working out their order."""
    votes = uow.statements.votes(pack.id)
    views = _views(pack, uow.statements.of_pack(pack.id), votes, user_id)
    again = _offered_again(pack, views, votes, user_id)
    return min(len(again) + sum(v.mine is None for v in views), limit)


def _offered_again(
    pack: Pack, views: Sequence[StatementView], votes: Sequence[Vote], user_id: str
) -> list[StatementView]:
    """The contested statements discussed since the member voted on them (SPEC §4.6)."""
    mine: dict[int, list[Vote]] = {}
    for given in votes:
        if given.user_id == user_id:
            mine.setdefault(given.statement_id, []).append(given)
    settings = pack.settings
    return [
        replace(v, again=True)
        for v in views
        if v.mine is not None
        and offered_again(
            v.statement,
            v.tally,
            mine.get(v.statement.id, []),
            settings.contested_min_decided,
            settings.contested_divisiveness,
        )
    ]


def check_votable(uow: Transaction, pack: Pack, statement_ids: Sequence[int]) -> None:
    """NotFound unless each statement is one of the pack's that takes votes."""
    for statement_id in statement_ids:
        statement = uow.statements.get(statement_id)
        if statement is None or statement.pack_id != pack.id or statement.hidden:
            raise NotFound(STATEMENT_GONE)


def record_votes(
    uow: Transaction, pack: Pack, user_id: str, votes: Sequence[VoteInput], now: dt.datetime
) -> list[int]:
    """Stores cleaned votes of an active member; the statements that are contested now and
    whose split alert this call reserved (at most one a week each)."""
    check_votable(uow, pack, [sid for sid, _, _ in votes])
    for statement_id, value, reason in votes:
        uow.statements.vote(statement_id, pack.id, user_id, value, reason, now)
    touched = {sid for sid, _, _ in votes}
    if not touched:
        return []
    settings = pack.settings
    all_votes = [v for v in uow.statements.votes(pack.id) if v.statement_id in touched]
    alerts = []
    for statement_id in sorted(touched):
        on_it = [v for v in all_votes if v.statement_id == statement_id]
        if is_contested(
            tally(on_it), settings.contested_min_decided, settings.contested_divisiveness
        ) and uow.statements.claim_alert(statement_id, now, now - ALERT_QUIET):
            alerts.append(statement_id)
    return alerts


def add_shared_priority(
    uow: Transaction, pack: Pack, user_id: str, text: str, now: dt.datetime
) -> Statement:
    """A check-in's top priority, shared as a statement of the pack (an active member's)."""
    active_member(uow, pack, user_id, not_member=NOT_MEMBER)
    cleaned = clean_statement(text)
    statement, _ = uow.statements.add(pack.id, cleaned, normalize(cleaned), user_id, now)
    return statement


def split_alerts(ws: Workspace, pack_id: int, statement_ids: list[int]) -> partial[None] | None:
    """The Slack work that posts these reserved split alerts, or None when there are none."""
    return partial(_post_split_alerts, ws, pack_id, statement_ids) if statement_ids else None


def _post_split_alerts(ws: Workspace, pack_id: int, statement_ids: list[int]) -> None:
    """Posts each split alert: counts and anonymised reasons, never who voted how."""
    with ws.unit() as uow:
        pack = existing_pack(uow, pack_id)
        votes = uow.statements.votes(pack.id)
        statements = {s.id: s for s in uow.statements.of_pack(pack.id)}
    for statement_id in statement_ids:
        statement = statements.get(statement_id)
        if statement is None:
            continue
        on_it = [v for v in latest_votes(votes).values() if v.statement_id == statement_id]
        alert = SplitAlert(
            statement,
            tally(on_it),
            _reasons(on_it, VoteValue.AGREE),
            _reasons(on_it, VoteValue.DISAGREE),
        )
        ts = ws.notifier.post_split_alert(pack, alert)
        with ws.unit() as uow:
            uow.statements.set_alert_message(statement_id, pack.channel_id, ts)


def _command_pack(uow: Transaction, channel_id: str, user_id: str) -> Pack:
    pack, _ = pack_of_command(uow, channel_id, user_id, elsewhere=ELSEWHERE, not_member=NOT_MEMBER)
    return pack


def _reasons(votes: list[Vote], side: VoteValue) -> tuple[str, ...]:
    """The latest few reasons given on one side, without their authors."""
    given = [v.reason for v in sorted(votes, key=lambda v: v.at) if v.value is side and v.reason]
    return tuple(given[-REASONS_SHOWN:])


def _views(
    pack: Pack, statements: list[Statement], votes: list[Vote], user_id: str
) -> list[StatementView]:
    """Each statement with its counts and the member's own vote; who voted how only in packs
    that vote openly."""
    by_statement: dict[int, list[Vote]] = {}
    for given in votes:
        by_statement.setdefault(given.statement_id, []).append(given)
    views = []
    for s in statements:
        on_it = by_statement.get(s.id, [])
        mine = latest_votes(on_it).get((s.id, user_id))
        views.append(StatementView(s, tally(on_it), mine.value if mine else None))
    return _with_voters(pack, views, lambda: votes)


def _with_voters(
    pack: Pack, views: list[StatementView], votes: Callable[[], list[Vote]]
) -> list[StatementView]:
    """The views with who voted how (each member's latest vote), only in packs that vote
    openly; `votes` (every vote of the pack, oldest first) is read only for those."""
    if pack.settings.anonymous:
        return views
    voters: dict[int, list[tuple[str, VoteValue]]] = {}
    for (statement_id, user_id), given in latest_votes(votes()).items():
        voters.setdefault(statement_id, []).append((user_id, given.value))
    return [replace(v, voters=tuple(voters.get(v.statement.id, ()))) for v in views]
