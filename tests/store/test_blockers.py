"""The blockers repository on both databases: one open blocker per member and pack, a
follow-up and an ask claimed once even by processes racing for them, each offer of help
recorded once."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy.exc import IntegrityError

from bot.core.blockers import Blocker
from bot.core.checkins import AnswerInput, AnswerStatus
from bot.core.packs import PackDraft, PackSettings, Person
from bot.store.db import SqlDatabase, make_engine
from bot.store.workspace import SqlTransaction

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
DAY = NOW.date()


@pytest.fixture
def db(database_url: str) -> Iterator[SqlDatabase]:
    engine = make_engine(database_url)
    yield SqlDatabase(engine)
    engine.dispose()


def raised(db: SqlDatabase) -> Blocker:
    with db.transaction("TA") as tx:
        for user in ("U1", "U2", "U3"):
            tx.people.upsert(Person(user, user, "UTC"), NOW)
        draft = PackDraft("C1", "team", PackSettings(), ("U1", "U2", "U3"), ("U1",), "U1")
        pack, _ = tx.packs.save(draft, NOW)
        tx.members.replace(pack.id, ["U1", "U2", "U3"], NOW)
        rnd = tx.rounds.get_or_create(pack.id, DAY, NOW)
        given = AnswerInput({"blockers": "keys"})
        answer = tx.answers.save(rnd.id, pack.id, "U1", AnswerStatus.ANSWERED, given, NOW)
        return tx.blockers.raise_(pack.id, "U1", rnd.id, answer.id, DAY, "keys", NOW)


def race(db: SqlDatabase, attempt: Callable[[SqlTransaction], bool], n: int = 4) -> list[bool]:
    """`attempt` run by n transactions at once."""
    wins: list[bool] = []
    barrier = threading.Barrier(n)

    def run() -> None:
        barrier.wait()
        with db.transaction("TA") as tx:
            wins.append(attempt(tx))

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(wins)


def test_one_open_blocker_per_member_and_pack(db: SqlDatabase) -> None:
    blocker = raised(db)
    with pytest.raises(IntegrityError), db.transaction("TA") as tx:
        tx.blockers.raise_(
            blocker.pack_id, "U1", blocker.round_id, blocker.answer_id or 0, DAY, "x", NOW
        )
    later = NOW + dt.timedelta(days=1)
    with db.transaction("TA") as tx:
        assert tx.blockers.resolve(blocker.id, later)
        assert not tx.blockers.resolve(blocker.id, later)
        assert tx.blockers.open_of(blocker.pack_id, "U1") is None
        # Resolved, it frees the member to raise another.
        again = tx.blockers.raise_(
            blocker.pack_id, "U1", blocker.round_id, blocker.answer_id or 0, DAY, "new", later
        )
        assert tx.blockers.open_of(blocker.pack_id, "U1") == again
        resolved = tx.blockers.get(blocker.id)
        assert resolved is not None and resolved.resolved_at == later
        since = tx.blockers.of_pack_since(blocker.pack_id, later)
        assert [b.id for b in since] == [blocker.id, again.id]


def test_a_follow_up_and_an_ask_are_claimed_once_by_racing_processes(db: SqlDatabase) -> None:
    blocker = raised(db)
    assert race(db, lambda tx: tx.blockers.claim_follow_up(blocker.id, NOW)) == [
        False, False, False, True,
    ]  # fmt: skip
    assert race(db, lambda tx: tx.blockers.claim_ask(blocker.id, NOW)) == [
        False, False, False, True,
    ]  # fmt: skip
    with db.transaction("TA") as tx:
        assert tx.blockers.awaiting_follow_up() == []
        # A send that did not happen gives the claim back.
        tx.blockers.release_follow_up(blocker.id)
        assert [b.id for b in tx.blockers.awaiting_follow_up()] == [blocker.id]


def test_each_offer_of_help_is_recorded_once(db: SqlDatabase) -> None:
    blocker = raised(db)
    assert race(db, lambda tx: tx.blockers.add_helper(blocker.id, "U2")) == [
        False, False, False, True,
    ]  # fmt: skip
    race(db, lambda tx: tx.blockers.add_helper(blocker.id, "U3"), n=1)
    with db.transaction("TA") as tx:
        found = tx.blockers.get(blocker.id)
    assert found is not None and found.helpers == ("U2", "U3")
