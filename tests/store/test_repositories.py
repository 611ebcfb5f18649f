import datetime as dt
import threading

import pytest
from sqlalchemy import select

from bot.core.checkins import AnswerInput, AnswerStatus
from bot.core.delivery import DeliveryState, Finished
from bot.core.packs import Away, PackDraft, PackSettings, Person
from bot.core.schedule import DeliveryKey, Due, IsoWeek
from bot.store.db import SqlDatabase, make_engine
from bot.store.models import DeliveryRow

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def db(database_url: str) -> SqlDatabase:
    engine = make_engine(database_url)
    yield SqlDatabase(engine)
    engine.dispose()


def _setup_pack(db: SqlDatabase, team: str, channel: str, users: list[str]) -> int:
    with db.transaction(team) as tx:
        for u in users:
            tx.people.upsert(Person(u, u.lower(), "Europe/Berlin"), NOW)
        pack, created = tx.packs.save(
            PackDraft(
                channel,
                "team",
                PackSettings(timezone="Europe/Berlin"),
                tuple(users),
                (users[0],),
                users[0],
            ),
            NOW,
        )
        assert created
        tx.members.replace(pack.id, users, NOW)
        return pack.id


def test_two_workspaces_never_see_each_others_rows(db: SqlDatabase) -> None:
    # The same channel and user ids in two workspaces: Slack ids are only unique per workspace.
    a = _setup_pack(db, "TA", "C1", ["U1", "U2"])
    b = _setup_pack(db, "TB", "C1", ["U1", "U3"])
    assert a != b
    with db.transaction("TA") as tx:
        rnd = tx.rounds.get_or_create(a, dt.date(2026, 12, 1), NOW)
        tx.answers.save(
            rnd.id, a, "U1", AnswerStatus.ANSWERED, AnswerInput({"progress": "A's secret"}), NOW
        )
        tx.people.set_away("U1", Away(dt.date(2026, 12, 2), dt.date(2026, 12, 3)))
    with db.transaction("TB") as tx:
        assert tx.packs.by_channel("C1").id == b
        assert tx.packs.get(a) is None
        assert [m.user_id for m in tx.members.of_pack(b)] == ["U1", "U3"]
        assert tx.members.of_pack(a) == []
        assert tx.rounds.get(rnd.id) is None
        assert tx.answers.of_round(rnd.id) == []
        assert tx.answers.history(a, "U1", 10) == []
        assert tx.people.get("U1").away is None
        assert tx.packs.of_user("U1")[0].id == b
        # Writes through another workspace's ids touch nothing.
        assert not tx.rounds.claim_parent(rnd.id, NOW, NOW)
        tx.rounds.set_parent(rnd.id, "1.0", "C1")
        assert tx.answers.claim_publish(1, NOW, NOW) is None
    with db.transaction("TA") as tx:
        assert tx.rounds.get(rnd.id).parent_ts is None
        assert tx.people.get("U1").away == Away(dt.date(2026, 12, 2), dt.date(2026, 12, 3))
        assert tx.answers.of_round(rnd.id)[0].texts == {"progress": "A's secret"}


def test_answers_are_one_per_member_and_round_and_edits_bump_the_version(db: SqlDatabase) -> None:
    pack_id = _setup_pack(db, "TA", "C1", ["U1"])
    with db.transaction("TA") as tx:
        rnd = tx.rounds.get_or_create(pack_id, dt.date(2026, 12, 1), NOW)
        first = tx.answers.save(
            rnd.id, pack_id, "U1", AnswerStatus.ANSWERED, AnswerInput({"progress": "a"}), NOW
        )
        again = tx.answers.save(
            rnd.id, pack_id, "U1", AnswerStatus.ANSWERED, AnswerInput({"progress": "b"}), NOW
        )
        assert again.id == first.id and again.version == first.version + 1
        assert tx.rounds.get_or_create(pack_id, dt.date(2026, 12, 1), NOW).id == rnd.id


def test_publish_claims_are_exclusive(db: SqlDatabase) -> None:
    pack_id = _setup_pack(db, "TA", "C1", ["U1"])
    with db.transaction("TA") as tx:
        rnd = tx.rounds.get_or_create(pack_id, dt.date(2026, 12, 1), NOW)
        answer = tx.answers.save(
            rnd.id, pack_id, "U1", AnswerStatus.ANSWERED, AnswerInput({"progress": "a"}), NOW
        )
    until = NOW + dt.timedelta(seconds=60)
    wins: list[bool] = []
    barrier = threading.Barrier(4)

    def claim() -> None:
        barrier.wait()
        with db.transaction("TA") as tx:
            wins.append(tx.rounds.claim_parent(rnd.id, NOW, until))

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == [False, False, False, True]
    with db.transaction("TA") as tx:
        claimed = tx.answers.claim_publish(answer.id, NOW, until)
        assert claimed is not None
        assert tx.answers.claim_publish(answer.id, NOW, until) is None
        tx.answers.mark_published(answer.id, claimed.version, "111.222")
        # Published and unchanged: nothing to claim even once the claim would have expired.
        assert tx.answers.claim_publish(answer.id, until + dt.timedelta(seconds=1), until) is None


def test_memberships_are_deactivated_not_deleted(db: SqlDatabase) -> None:
    pack_id = _setup_pack(db, "TA", "C1", ["U1", "U2"])
    with db.transaction("TA") as tx:
        tx.members.replace(pack_id, ["U1"], NOW)
        assert [m.user_id for m in tx.members.of_pack(pack_id)] == ["U1"]
        assert {m.user_id for m in tx.members.of_pack(pack_id, include_inactive=True)} == {
            "U1",
            "U2",
        }
        assert tx.members.join(pack_id, "U2", NOW)
        assert not tx.members.join(pack_id, "U2", NOW)
        assert tx.members.leave_all("U2", NOW) == 1
        assert tx.packs.of_user("U2") == []


def test_proposals_keep_every_position_and_close_once(db: SqlDatabase) -> None:
    from bot.core.proposals import Counts, Outcome, Position, count, outcome

    pack_id = _setup_pack(db, "TA", "C1", ["U1", "U2"])
    closes = NOW + dt.timedelta(hours=48)
    with db.transaction("TA") as tx:
        proposal = tx.proposals.add(pack_id, "Ship the CLI first", "U1", closes, NOW)
        assert tx.proposals.respond(proposal.id, "U1", Position.AGREE, "", NOW)
        assert tx.proposals.respond(proposal.id, "U2", Position.BLOCK, "Not before the docs", NOW)
        assert tx.proposals.respond(proposal.id, "U2", Position.ABSTAIN, "", NOW)
        # Refused, and nothing recorded: not a member; past its closing time (not yet
        # closed by the scheduler); a member who left the pack.
        assert not tx.proposals.respond(proposal.id, "U9", Position.AGREE, "", NOW)
        assert not tx.proposals.respond(proposal.id, "U1", Position.BLOCK, "late", closes)
        tx.members.leave(pack_id, "U1", NOW)
        assert not tx.proposals.respond(proposal.id, "U1", Position.BLOCK, "gone", NOW)
        tx.members.join(pack_id, "U1", NOW)
        # Every position is kept; each member's latest is the one that counts.
        history = tx.proposals.responses_for([proposal.id])[proposal.id]
        assert [r.position for r in history] == [Position.AGREE, Position.BLOCK, Position.ABSTAIN]
        responses = tx.proposals.positions(proposal.id)
        assert [(r.user_id, r.position) for r in responses] == [
            ("U1", Position.AGREE),
            ("U2", Position.ABSTAIN),
        ]
        assert outcome(responses) is Outcome.PASSED
        shown, pack, counts = tx.proposals.counted(proposal.id)
        assert (shown, pack.id, pack.channel_id) == (proposal, pack_id, "C1")
        assert counts == count(responses) == Counts(agree=1, abstain=1)
        assert tx.proposals.standing(proposal.id, "U2") == (proposal, "C1", True)
        assert tx.proposals.standing(proposal.id, "U9") == (proposal, "C1", False)
        assert tx.proposals.close(proposal.id, Outcome.PASSED, closes)
        assert not tx.proposals.close(proposal.id, Outcome.BLOCKED, closes)
        assert tx.proposals.of_pack(pack_id, open_only=True) == []
        assert tx.proposals.get(proposal.id).outcome is Outcome.PASSED
    with db.transaction("TB") as tx:
        assert tx.proposals.get(proposal.id) is None
        assert tx.proposals.counted(proposal.id) is None
        assert tx.proposals.positions(proposal.id) == []
        assert tx.proposals.standing(proposal.id, "U1") is None
        assert not tx.proposals.close(proposal.id, Outcome.BLOCKED, closes)


def test_statements_are_counted_by_each_members_latest_vote(db: SqlDatabase) -> None:
    from bot.core.statements import Tally, VoteValue, latest_votes, normalize, tally

    pack_id = _setup_pack(db, "TA", "C1", ["U1", "U2", "U3"])
    with db.transaction("TA") as tx:
        ship, _ = tx.statements.add(pack_id, "Ship", normalize("Ship"), "U1", NOW)
        docs, _ = tx.statements.add(pack_id, "Docs", normalize("Docs"), "U1", NOW)
        gone, _ = tx.statements.add(pack_id, "Gone", normalize("Gone"), "U1", NOW)
        tx.statements.set_hidden(gone.id, True)
        for user, value in [
            ("U1", VoteValue.AGREE),
            ("U2", VoteValue.AGREE),
            ("U3", VoteValue.PASS),
            ("U2", VoteValue.DISAGREE),  # U2 changed their mind: the latest counts
        ]:
            tx.statements.vote(ship.id, pack_id, user, value, "", NOW)
        tx.statements.vote(gone.id, pack_id, "U1", VoteValue.AGREE, "", NOW)
        views = tx.statements.counted(pack_id, "U2")
        assert [(v.statement, v.tally, v.mine, v.voters) for v in views] == [
            (ship, Tally(agree=1, disagree=1, passes=1), VoteValue.DISAGREE, ()),
            (docs, Tally(), None, ()),
        ]
        votes = tx.statements.votes(pack_id)
        assert views[0].tally == tally([v for v in votes if v.statement_id == ship.id])
        assert latest_votes(votes)[(ship.id, "U3")].value is VoteValue.PASS
        assert tx.statements.counted(pack_id, "U9")[0].mine is None
    with db.transaction("TB") as tx:
        assert tx.statements.counted(pack_id, "U2") == []


def test_the_channel_pack_and_its_member_in_one_read(db: SqlDatabase) -> None:
    from bot.core.packs import Role

    a = _setup_pack(db, "TA", "C1", ["U1", "U2"])
    _setup_pack(db, "TB", "C1", ["U3"])
    with db.transaction("TA") as tx:
        tx.people.upsert(Person("U9", "u9", "UTC"), NOW)
        tx.members.leave(a, "U2", NOW)
        pack, admin = tx.members.in_channel("C1", "U1")
        assert pack.id == a and admin is not None
        assert (admin.user_id, admin.role, admin.active) == ("U1", Role.ADMIN, True)
        assert admin == tx.members.get(a, "U1")
        _, left = tx.members.in_channel("C1", "U2")
        assert left is not None and not left.active and left.role is Role.MEMBER
        assert tx.members.in_channel("C1", "U9") == (pack, None)
        # Another workspace's member of a pack in a channel with the same id: not this one's.
        assert tx.members.in_channel("C1", "U3") == (pack, None)
        assert tx.members.in_channel("C2", "U1") is None


def test_the_queue_gives_back_each_due_as_planned_with_its_parts_in_columns(
    db: SqlDatabase,
) -> None:
    pack_id = _setup_pack(db, "TA", "C1", ["U1", "U2"])
    day, week = dt.date(2026, 12, 1), IsoWeek(2026, 49)
    with db.transaction("TA") as tx:
        proposal = tx.proposals.add(pack_id, "Ship the CLI first", "U1", NOW, NOW)
    keys = [
        DeliveryKey.prompt(pack_id, "U1", day),
        DeliveryKey.reminder(pack_id, "U1", day),
        DeliveryKey.summary(pack_id, week),
        DeliveryKey.proposal_reminder(pack_id, proposal.id, "U2"),
        DeliveryKey.proposal_close(pack_id, proposal.id),
        DeliveryKey.lone_wolf(pack_id, "U2", week),
    ]
    planned = [Due(key, day, NOW + dt.timedelta(seconds=i)) for i, key in enumerate(keys)]
    with db.transaction("TA") as tx:
        inserted = tx.deliveries.add_many([(d, DeliveryState.PENDING) for d in planned], NOW)
        assert sorted(inserted, key=str) == sorted(keys, key=str)
        assert tx.deliveries.add_many([(d, DeliveryState.PENDING) for d in planned], NOW) == []
        claimed = tx.deliveries.claim(
            NOW + dt.timedelta(minutes=1), NOW + dt.timedelta(minutes=3), 10
        )
    assert [d.due for d in claimed] == planned
    with db.session() as session:
        rows = session.scalars(select(DeliveryRow).order_by(DeliveryRow.due_at)).all()
        assert [(r.key, r.kind, r.pack_id, r.user_id, r.proposal_id) for r in rows] == [
            (str(k), k.kind.value, k.pack_id, k.user_id, k.proposal_id) for k in keys
        ]
    assert [(r.user_id, r.proposal_id) for r in rows] == [
        ("U1", None),
        ("U1", None),
        (None, None),
        ("U2", proposal.id),
        (None, proposal.id),
        ("U2", None),
    ]


def test_finish_many_records_each_outcome_and_ends_the_claims(db: SqlDatabase) -> None:
    pack_id = _setup_pack(db, "TA", "C1", ["U1", "U2", "U3"])
    day = dt.date(2026, 12, 1)
    planned = [Due(DeliveryKey.prompt(pack_id, u, day), day, NOW) for u in ("U1", "U2", "U3")]
    with db.transaction("TA") as tx:
        tx.deliveries.add_many([(d, DeliveryState.PENDING) for d in planned], NOW)
        sent, skipped, untouched = tx.deliveries.claim(NOW, NOW + dt.timedelta(minutes=2), 10)
        tx.deliveries.finish_many([], NOW)
        tx.deliveries.finish_many(
            [
                Finished(sent.id, DeliveryState.SENT, channel_id="DU1", message_ts="1.000100"),
                Finished(skipped.id, DeliveryState.SKIPPED, error="away"),
            ],
            NOW + dt.timedelta(seconds=5),
        )
    with db.session() as session:
        rows = {r.id: r for r in session.scalars(select(DeliveryRow))}
    assert [
        (r.state, r.last_error, r.channel_id, r.message_ts, r.in_flight, r.claimed_until is None)
        for r in (rows[sent.id], rows[skipped.id], rows[untouched.id])
    ] == [
        ("sent", None, "DU1", "1.000100", False, True),
        ("skipped", "away", None, None, False, True),
        ("pending", None, None, None, True, False),
    ]
    assert rows[sent.id].updated_at == NOW + dt.timedelta(seconds=5)
