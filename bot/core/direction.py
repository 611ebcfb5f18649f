"""Use cases of direction statements: add, list, ask, vote, and say when the pack splits."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from bot.core.analysis.matrix import Vote as MatrixVote
from bot.core.analysis.matrix import build_matrix
from bot.core.analysis.priority import next_statements
from bot.core.errors import NotAllowed, NotFound
from bot.core.lookup import pack_of_member
from bot.core.packs import Pack
from bot.core.ports import Clock, Database, Notifier, Transaction
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

NOT_MEMBER = (
    "Only the pack's members take part in its direction. A pack admin can add you with "
    "`/wolfpack setup`."
)
ALERT_QUIET = dt.timedelta(days=7)
BALLOT_SIZE = 5
REASONS_SHOWN = 3


class Direction:
    def __init__(self, db: Database, notifier: Notifier, clock: Clock) -> None:
        self.db = db
        self.notifier = notifier
        self.clock = clock

    def pack_of(self, team_id: str, channel_id: str, user_id: str) -> Pack:
        with self.db.transaction(team_id) as tx:
            return self._find_pack(tx, channel_id, user_id)

    def listing(
        self, team_id: str, channel_id: str, user_id: str
    ) -> tuple[Pack, list[StatementView]]:
        """`/direction list`: the pack of the channel (or the member's only pack) and its
        statements with counts, read in one transaction."""
        with self.db.transaction(team_id) as tx:
            pack = self._find_pack(tx, channel_id, user_id)
            statements = tx.statements.of_pack(pack.id)
            votes = tx.statements.votes(pack.id)
        return pack, _views(pack, statements, votes, user_id)

    def _find_pack(self, tx: Transaction, channel_id: str, user_id: str) -> Pack:
        pack, _ = pack_of_member(
            tx,
            channel_id,
            user_id,
            elsewhere="Run this in your pack's channel.",
            not_member=NOT_MEMBER,
        )
        return pack

    def add(self, team_id: str, pack_id: int, user_id: str, text: str) -> tuple[Statement, bool]:
        """Adds a statement; one that says the same as an existing one folds into it."""
        cleaned = clean_statement(text)
        with self.db.transaction(team_id) as tx:
            pack = self._pack(tx, pack_id)
            self._member(tx, pack, user_id)
            return tx.statements.add(
                pack.id, cleaned, normalize(cleaned), user_id, self.clock.now()
            )

    def views(self, team_id: str, pack_id: int, user_id: str) -> tuple[Pack, list[StatementView]]:
        with self.db.transaction(team_id) as tx:
            pack = self._pack(tx, pack_id)
            self._member(tx, pack, user_id)
            statements = tx.statements.of_pack(pack.id)
            votes = tx.statements.votes(pack.id)
        return pack, _views(pack, statements, votes, user_id)

    def ballot(
        self, team_id: str, pack_id: int, user_id: str, limit: int = BALLOT_SIZE
    ) -> tuple[Pack, list[StatementView]]:
        """Statements the member has not voted on, in Pol.is' priority order (SPEC §4.6):
        statements nobody has seen first, then those most worth a vote. Contested statements
        the pack discussed since the member voted come before them, once (the Delphi step)."""
        pack, views = self.views(team_id, pack_id, user_id)
        with self.db.transaction(team_id) as tx:
            votes = tx.statements.votes(pack.id)
        mine: dict[int, list[Vote]] = {}
        for vote in votes:
            if vote.user_id == user_id:
                mine.setdefault(vote.statement_id, []).append(vote)
        settings = pack.settings
        again = [
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
        matrix = build_matrix(
            [MatrixVote(v.user_id, str(v.statement_id), int(v.value)) for v in votes],
            statements=[str(v.statement.id) for v in views],
        )
        by_id = {str(v.statement.id): v for v in views}
        order = next_statements(matrix, user_id, limit=len(views))
        fresh = [by_id[s] for s in order if s in by_id and by_id[s].mine is None]
        return pack, (again + fresh)[:limit]

    def alert_message(self, team_id: str, statement_id: int) -> tuple[str, str] | None:
        """Where the statement's split alert is, so every discussion of it lands in one thread."""
        with self.db.transaction(team_id) as tx:
            statement = tx.statements.get(statement_id)
        return statement.alert_message if statement is not None else None

    def discussion_of(
        self, team_id: str, statement_id: int, user_id: str
    ) -> tuple[str, str] | None:
        """Where a member talks a split over: its alert's (channel, ts), or None when it has
        none yet. NotAllowed for anyone outside the statement's pack, whose channel and
        thread are the pack's own."""
        with self.db.transaction(team_id) as tx:
            statement = tx.statements.get(statement_id)
            if statement is None:
                return None
            self._member(tx, self._pack(tx, statement.pack_id), user_id)
        return statement.alert_message

    def discussed(self, team_id: str, channel_id: str, thread_ts: str) -> int | None:
        """A member replied in a thread: when it is a split alert's, the statement counts as
        discussed from now on. Returns its id, or None for any other thread."""
        with self.db.transaction(team_id) as tx:
            return tx.statements.discussed_in_thread(channel_id, thread_ts, self.clock.now())

    def vote(
        self,
        team_id: str,
        pack_id: int,
        user_id: str,
        votes: list[tuple[int, VoteValue, str]],
    ) -> list[int]:
        """Records the votes (the latest counts; history is kept). Returns the statements that
        are contested now and whose split alert this call reserved."""
        now = self.clock.now()
        cleaned = [(sid, value, clean_reason(reason)) for sid, value, reason in votes]
        with self.db.transaction(team_id) as tx:
            pack = self._pack(tx, pack_id)
            self._member(tx, pack, user_id)
            for statement_id, value, reason in cleaned:
                self._votable(tx, pack.id, statement_id)
                tx.statements.vote(statement_id, pack.id, user_id, value, reason, now)
        _, views = self.views(team_id, pack_id, user_id)
        touched = {sid for sid, _, _ in cleaned}
        alerts = []
        for view in views:
            settings = pack.settings
            if view.statement.id in touched and is_contested(
                view.tally, settings.contested_min_decided, settings.contested_divisiveness
            ):
                with self.db.transaction(team_id) as tx:
                    if tx.statements.claim_alert(view.statement.id, now, now - ALERT_QUIET):
                        alerts.append(view.statement.id)
        return alerts

    def set_hidden(
        self, team_id: str, pack_id: int, user_id: str, statement_id: int, hidden: bool
    ) -> Statement:
        """Pack admins hide a statement from votes and the geometry (its counts stay)."""
        with self.db.transaction(team_id) as tx:
            pack = self._pack(tx, pack_id)
            person = tx.people.get(user_id)
            if person is None or not pack.is_admin(person):
                raise NotAllowed("Only the pack's admins can hide or show statements.")
            statement = tx.statements.get(statement_id)
            if statement is None or statement.pack_id != pack.id:
                raise NotFound(f"This pack has no statement #{statement_id}.")
            tx.statements.set_hidden(statement_id, hidden)
            found = tx.statements.get(statement_id)
            assert found is not None
            return found

    def post_alerts(self, team_id: str, pack_id: int, statement_ids: list[int]) -> None:
        """Posts each split alert: counts and anonymised reasons, never who voted how."""
        with self.db.transaction(team_id) as tx:
            pack = self._pack(tx, pack_id)
            votes = tx.statements.votes(pack.id)
            statements = {s.id: s for s in tx.statements.of_pack(pack.id)}
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
            ts = self.notifier.post_split_alert(team_id, pack, alert)
            with self.db.transaction(team_id) as tx:
                tx.statements.set_alert_message(statement_id, pack.channel_id, ts)

    def check_ballot(self, team_id: str, pack_id: int, statement_ids: list[int]) -> None:
        """NotFound unless each statement is one of the pack's that takes votes: a check-in
        checks its votes before it stores the answer, so a refused vote saves nothing."""
        with self.db.transaction(team_id) as tx:
            for statement_id in statement_ids:
                self._votable(tx, pack_id, statement_id)

    @staticmethod
    def _votable(tx: Transaction, pack_id: int, statement_id: int) -> None:
        statement = tx.statements.get(statement_id)
        if statement is None or statement.pack_id != pack_id or statement.hidden:
            raise NotFound("That statement is gone. Run `/direction` again.")

    @staticmethod
    def _pack(tx: Transaction, pack_id: int) -> Pack:
        pack = tx.packs.get(pack_id)
        if pack is None:
            raise NotFound("This pack is gone.")
        return pack

    @staticmethod
    def _member(tx: Transaction, pack: Pack, user_id: str) -> None:
        member = tx.members.get(pack.id, user_id)
        if member is None or not member.active:
            raise NotAllowed(NOT_MEMBER)


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
    for vote in votes:
        by_statement.setdefault(vote.statement_id, []).append(vote)
    views = []
    for s in statements:
        on_it = by_statement.get(s.id, [])
        latest = latest_votes(on_it)
        mine = latest.get((s.id, user_id))
        voters: tuple[tuple[str, VoteValue], ...] = ()
        if not pack.settings.anonymous:
            voters = tuple((v.user_id, v.value) for v in latest.values())
        views.append(StatementView(s, tally(on_it), mine.value if mine else None, voters))
    return views
