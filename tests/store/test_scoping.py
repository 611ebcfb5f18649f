"""Workspace scoping of every repository method. Two workspaces hold the same Slack ids (team
TA and TB, channel C1, users U1..U3: Slack ids are only unique per workspace) and data in every
table; each method is then called through TB's transaction with TA's ids, and must neither
return TA's rows nor change them, nor link a row of TB's to one of TA's."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import importlib
import inspect
import pkgutil
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

import bot.store
from bot.core.checkins import AnswerInput, AnswerStatus
from bot.core.delivery import Delivery, DeliveryState, Finished
from bot.core.errors import NotFound
from bot.core.hours import Hours
from bot.core.packs import Away, PackDraft, PackSettings, Person
from bot.core.proposals import Outcome, Position
from bot.core.schedule import DeliveryKey, Due, IsoWeek
from bot.core.statements import VoteValue, normalize
from bot.store.db import SqlDatabase, make_engine
from bot.store.models import Base
from bot.store.scoped import Scoped
from bot.store.workspace import SqlTransaction
from tests.conftest import empty_pg

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
DAY = dt.date(2026, 12, 1)
USERS = ("U1", "U2", "U3")
# Every text of TA's rows carries this; no result read through TB may show it.
SECRET = "SECRET-A"
PLAIN = "plain-b"
# A person and member only TA has, so reads of user ids can tell the workspaces apart.
ONLY_A = "U4"
HELD = dt.timedelta(seconds=60)
LATER = NOW + dt.timedelta(minutes=2)


@dataclasses.dataclass(frozen=True)
class Seeded:
    """One workspace's rows, by id."""

    workspace_id: int
    pack: int
    round: int
    answer: int
    skipped: int
    statement: int
    hidden: int
    alert_ts: str
    proposal: int
    proposal_ts: str
    failed: int
    pending: Delivery
    sent_failed: Delivery
    blocker: int
    claimed: int


def seed(db: SqlDatabase, team: str, marker: str, ts: str, extra: tuple[str, ...] = ()) -> Seeded:
    """Rows in every table, several of them in a state that a write through another
    workspace would visibly change (a claim that has expired, an open proposal, ...)."""
    users = (*USERS, *extra)
    with db.transaction(team) as tx:
        for user in users:
            tx.people.upsert(
                Person(user, f"{marker} {user}", "Europe/Berlin", is_workspace_admin=user == "U1"),
                NOW,
            )
        tx.people.set_away("U2", Away(DAY, DAY + dt.timedelta(days=3)))
        tx.people.set_dm_channel("U1", f"D{marker}")
        tx.people.set_hours("U1", Hours.parse("07:00-15:00 mon-thu"))
        pack, _ = tx.packs.save(
            PackDraft(
                "C1",
                f"{marker} pack",
                PackSettings(timezone="Europe/Berlin"),
                users,
                ("U1",),
                "U1",
            ),
            NOW,
        )
        tx.members.replace(pack.id, users, NOW)
        rnd = tx.rounds.get_or_create(pack.id, DAY, NOW)
        # Claimed and never posted: a claim after it expires would succeed.
        assert tx.rounds.claim_parent(rnd.id, NOW, NOW + HELD)
        answer = tx.answers.save(
            rnd.id,
            pack.id,
            "U1",
            AnswerStatus.ANSWERED,
            AnswerInput({"progress": f"{marker} progress", "blockers": f"{marker} blocked"}),
            NOW,
        )
        assert tx.answers.claim_publish(answer.id, NOW, NOW + HELD) is not None
        skipped = tx.answers.save(rnd.id, pack.id, "U2", AnswerStatus.SKIPPED, AnswerInput(), NOW)
        text = f"{marker} ship the CLI first"
        statement, _ = tx.statements.add(pack.id, text, normalize(text), "U1", NOW)
        hidden_text = f"{marker} hidden statement"
        hidden, _ = tx.statements.add(pack.id, hidden_text, normalize(hidden_text), "U2", NOW)
        tx.statements.set_hidden(hidden.id, True)
        for i, user in enumerate(users):
            value = VoteValue.DISAGREE if i % 2 else VoteValue.AGREE
            tx.statements.vote(statement.id, pack.id, user, value, f"{marker} reason {i}", NOW)
        assert tx.statements.claim_alert(statement.id, NOW, NOW - dt.timedelta(days=7))
        alert_ts = f"{ts}.000100"
        tx.statements.set_alert_message(statement.id, "C1", alert_ts)
        proposal = tx.proposals.add(
            pack.id,
            f"{marker} adopt trunk-based development",
            "U1",
            NOW + dt.timedelta(days=2),
            NOW,
            statement_id=statement.id,
        )
        tx.proposals.set_message(proposal.id, "C1", f"{ts}.000200")
        # A reply in the proposal's thread (the split alert's would make the statement discussed).
        assert tx.proposals.replied_in_thread("C1", f"{ts}.000200", "U3", NOW) == proposal.id
        tx.proposals.respond(proposal.id, "U1", Position.AGREE, "", NOW)
        tx.proposals.respond(proposal.id, "U2", Position.BLOCK, f"{marker} block reason", NOW)
        # A failed proposal nobody has revised yet.
        failed = tx.proposals.add(pack.id, f"{marker} failed", "U2", NOW, NOW)
        tx.proposals.respond(failed.id, "U1", Position.DISAGREE, f"{marker} no", NOW)
        assert tx.proposals.close(failed.id, Outcome.NOT_PASSED, NOW)
        planned = [
            Due(DeliveryKey.prompt(pack.id, "U1", DAY), DAY, NOW),
            Due(DeliveryKey.summary(pack.id, IsoWeek(2026, 49)), DAY, NOW),
        ]
        tx.deliveries.add_many([(d, DeliveryState.PENDING) for d in planned], NOW)
        pending, sent_failed = tx.deliveries.claim(NOW, NOW + HELD, 10)
        tx.deliveries.finish(sent_failed.id, DeliveryState.FAILED, NOW, error="not_in_channel")
        delivered = Due(DeliveryKey.prompt(pack.id, "U2", DAY), DAY, NOW)
        tx.deliveries.add_many([(delivered, DeliveryState.PENDING)], NOW)
        (sent,) = tx.deliveries.claim(NOW, NOW + HELD, 10)
        tx.deliveries.finish(sent.id, DeliveryState.SENT, NOW)
        # An open blocker untouched, and one followed up, asked about (its post not yet
        # recorded), offered help and resolved.
        blocker = tx.blockers.raise_(
            pack.id, "U1", rnd.id, answer.id, DAY, f"{marker} blocked", NOW
        )
        claimed = tx.blockers.raise_(pack.id, "U2", rnd.id, skipped.id, DAY, f"{marker} wait", NOW)
        assert tx.blockers.claim_follow_up(claimed.id, NOW)
        assert tx.blockers.claim_ask(claimed.id, NOW)
        assert tx.blockers.add_helper(claimed.id, "U3")
        assert tx.blockers.resolve(claimed.id, NOW)
        for user in extra:
            # Unclaimed: the workspaces' pending counts differ.
            extra_due = Due(DeliveryKey.prompt(pack.id, user, DAY), DAY, NOW)
            tx.deliveries.add_many([(extra_due, DeliveryState.PENDING)], NOW)
        return Seeded(
            workspace_id=tx.workspace_id,
            pack=pack.id,
            round=rnd.id,
            answer=answer.id,
            skipped=skipped.id,
            statement=statement.id,
            hidden=hidden.id,
            alert_ts=alert_ts,
            proposal=proposal.id,
            proposal_ts=f"{ts}.000200",
            failed=failed.id,
            pending=pending,
            sent_failed=sent_failed,
            blocker=blocker.id,
            claimed=claimed.id,
        )


# --- what "another workspace's rows" means ----------------------------------------------------

TABLES = [t for t in Base.metadata.sorted_tables if not t.name.startswith("slack_")]
PARENTS = {
    "pack_id": "packs",
    "round_id": "rounds",
    "statement_id": "statements",
    "proposal_id": "proposals",
    "revises_id": "proposals",
    "answer_id": "answers",
}


def dump(s: Session, workspace_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the workspace, in every table."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    for table in TABLES:
        owner = table.c.id if table.name == "workspaces" else table.c.workspace_id
        rows = s.execute(select(table).where(owner == workspace_id).order_by(table.c.id))
        found[table.name] = [tuple(row) for row in rows]
    return found


def links_into(s: Session, workspace_id: int) -> list[str]:
    """Rows of other workspaces that point at a row of this one."""
    found = []
    for table in TABLES:
        if "workspace_id" not in table.c:
            continue
        for column, parent_name in PARENTS.items():
            if column not in table.c:
                continue
            parent = Base.metadata.tables[parent_name]
            owned = select(parent.c.id).where(parent.c.workspace_id == workspace_id)
            count = s.scalar(
                select(func.count())
                .select_from(table)
                .where(table.c.workspace_id != workspace_id, table.c[column].in_(owned))
            )
            if count:
                found.append(f"{table.name}.{column}: {count}")
    return found


# --- one case per public method (and a few more) ----------------------------------------------

Call = Callable[[SqlTransaction, Seeded, Seeded], object]
Check = Callable[[Any, Seeded, Seeded], bool]


@dataclasses.dataclass(frozen=True)
class Case:
    call: Call
    # What TB must get back; None when the call must be refused with NotFound instead.
    expect: Check | None


def refused(call: Call) -> Case:
    return Case(call, None)


def nothing(call: Call) -> Case:
    return Case(call, lambda r, a, b: r is None)


def draft(channel: str) -> PackDraft:
    return PackDraft(channel, "renamed", PackSettings(), ("U3",), ("U3",), "U3")


def due(pack_id: int, user: str, day: dt.date) -> Due:
    return Due(DeliveryKey.prompt(pack_id, user, day), day, NOW)


NEXT_DAY = DAY + dt.timedelta(days=1)
TYPED = AnswerInput({"progress": "typed in TB"})

# "repository.method" or "repository.method/variant" -> the call TB makes with TA's ids.
CASES: dict[str, Case] = {
    "packs.all": Case(
        lambda tx, a, b: tx.packs.all(), lambda r, a, b: [p.id for p in r] == [b.pack]
    ),
    "packs.by_channel": Case(
        lambda tx, a, b: tx.packs.by_channel("C1"), lambda r, a, b: r.id == b.pack
    ),
    "packs.get": nothing(lambda tx, a, b: tx.packs.get(a.pack)),
    "packs.of_user": Case(
        lambda tx, a, b: tx.packs.of_user("U1"), lambda r, a, b: [p.id for p in r] == [b.pack]
    ),
    "packs.of_user/only-a": Case(
        lambda tx, a, b: tx.packs.of_user(ONLY_A), lambda r, a, b: r == []
    ),
    "packs.save": Case(
        lambda tx, a, b: tx.packs.save(draft("C1"), NOW),
        lambda r, a, b: r[0].id == b.pack and r[1] is False,
    ),
    "people.get": Case(
        lambda tx, a, b: tx.people.get("U1"), lambda r, a, b: r.name == f"{PLAIN} U1"
    ),
    "people.get/only-a": nothing(lambda tx, a, b: tx.people.get(ONLY_A)),
    "people.many": Case(
        lambda tx, a, b: tx.people.many([*USERS, ONLY_A]),
        lambda r, a, b: {u: p.name for u, p in r.items()} == {u: f"{PLAIN} {u}" for u in USERS},
    ),
    "people.upsert": Case(
        lambda tx, a, b: tx.people.upsert(Person("U1", "renamed", "UTC"), NOW),
        lambda r, a, b: r.name == "renamed" and r.dm_channel == f"D{PLAIN}",
    ),
    "people.set_dm_channel": nothing(lambda tx, a, b: tx.people.set_dm_channel("U1", "DNEW")),
    "people.set_away": nothing(lambda tx, a, b: tx.people.set_away("U2", None)),
    "people.set_hours": nothing(lambda tx, a, b: tx.people.set_hours("U1", Hours.parse("8-16"))),
    "people.stale": Case(
        lambda tx, a, b: tx.people.stale(NOW + dt.timedelta(days=1), 10),
        lambda r, a, b: sorted(r) == list(USERS),
    ),
    "members.by_pack": Case(
        lambda tx, a, b: tx.members.by_pack([a.pack], include_inactive=True),
        lambda r, a, b: r == {a.pack: []},
    ),
    "members.of_pack": Case(
        lambda tx, a, b: tx.members.of_pack(a.pack, include_inactive=True), lambda r, a, b: r == []
    ),
    "members.get": nothing(lambda tx, a, b: tx.members.get(a.pack, "U1")),
    "members.in_channel": Case(
        lambda tx, a, b: tx.members.in_channel("C1", "U1"),
        lambda r, a, b: r[0].id == b.pack and r[1].pack_id == b.pack,
    ),
    "members.in_channel/only-a": Case(
        lambda tx, a, b: tx.members.in_channel("C1", ONLY_A),
        lambda r, a, b: r[0].id == b.pack and r[1] is None,
    ),
    "members.replace": refused(lambda tx, a, b: tx.members.replace(a.pack, ["U1", "U5"], NOW)),
    "members.join": Case(
        lambda tx, a, b: tx.members.join(a.pack, "U5", NOW), lambda r, a, b: r is False
    ),
    "members.leave": Case(
        lambda tx, a, b: tx.members.leave(a.pack, "U1", NOW), lambda r, a, b: r is False
    ),
    "members.leave_all": Case(
        lambda tx, a, b: tx.members.leave_all(ONLY_A, NOW), lambda r, a, b: r == 0
    ),
    "rounds.get": nothing(lambda tx, a, b: tx.rounds.get(a.round)),
    "rounds.find": nothing(lambda tx, a, b: tx.rounds.find(a.pack, DAY)),
    "rounds.get_or_create": refused(
        lambda tx, a, b: tx.rounds.get_or_create(a.pack, NEXT_DAY, NOW)
    ),
    "rounds.get_or_create/existing": refused(
        lambda tx, a, b: tx.rounds.get_or_create(a.pack, DAY, NOW)
    ),
    "rounds.claim_parent": Case(
        lambda tx, a, b: tx.rounds.claim_parent(a.round, LATER, LATER + HELD),
        lambda r, a, b: r is False,
    ),
    "rounds.set_parent": nothing(lambda tx, a, b: tx.rounds.set_parent(a.round, "9.9", "C1")),
    "rounds.release_parent": nothing(lambda tx, a, b: tx.rounds.release_parent(a.round)),
    "answers.get": nothing(lambda tx, a, b: tx.answers.get(a.answer)),
    "answers.of_member": nothing(lambda tx, a, b: tx.answers.of_member(a.round, "U1")),
    "answers.of_round": Case(
        lambda tx, a, b: tx.answers.of_round(a.round), lambda r, a, b: r == []
    ),
    "answers.save": refused(
        lambda tx, a, b: tx.answers.save(a.round, a.pack, "U3", AnswerStatus.ANSWERED, TYPED, NOW)
    ),
    "answers.save/existing": refused(
        lambda tx, a, b: tx.answers.save(a.round, a.pack, "U1", AnswerStatus.ANSWERED, TYPED, NOW)
    ),
    "answers.save/own-pack": refused(
        lambda tx, a, b: tx.answers.save(a.round, b.pack, "U3", AnswerStatus.ANSWERED, TYPED, NOW)
    ),
    "answers.save/own-round": refused(
        lambda tx, a, b: tx.answers.save(b.round, a.pack, "U3", AnswerStatus.ANSWERED, TYPED, NOW)
    ),
    "answers.claim_publish": nothing(
        lambda tx, a, b: tx.answers.claim_publish(a.answer, LATER, LATER + HELD)
    ),
    "answers.mark_published": nothing(
        lambda tx, a, b: tx.answers.mark_published(a.answer, 1, "9.9")
    ),
    "answers.release_publish": nothing(lambda tx, a, b: tx.answers.release_publish(a.answer)),
    "answers.history": Case(
        lambda tx, a, b: tx.answers.history(a.pack, "U1", 10), lambda r, a, b: r == []
    ),
    "answers.statuses": Case(
        lambda tx, a, b: tx.answers.statuses([a.pack], [DAY]), lambda r, a, b: r == {}
    ),
    "answers.status_on": nothing(lambda tx, a, b: tx.answers.status_on(a.pack, "U1", DAY)),
    "answers.since": Case(
        lambda tx, a, b: tx.answers.since(a.pack, DAY - dt.timedelta(days=7)),
        lambda r, a, b: r == [],
    ),
    "answers.latest_round_date": nothing(
        lambda tx, a, b: tx.answers.latest_round_date(a.pack, "U1")
    ),
    "deliveries.add_many": Case(
        lambda tx, a, b: tx.deliveries.add_many(
            [(due(a.pack, "U3", NEXT_DAY), DeliveryState.PENDING)], NOW
        ),
        lambda r, a, b: r == [],
    ),
    "deliveries.add_many/taken-key": Case(
        lambda tx, a, b: tx.deliveries.add_many(
            [(Due(a.pending.due.key, DAY, NOW), DeliveryState.SENT)],
            NOW,
        ),
        lambda r, a, b: r == [],
    ),
    "deliveries.claim": Case(
        lambda tx, a, b: tx.deliveries.claim(LATER, LATER + HELD, 100),
        lambda r, a, b: [d.id for d in r] == [b.pending.id],
    ),
    "deliveries.finish": nothing(
        lambda tx, a, b: tx.deliveries.finish(
            a.pending.id, DeliveryState.SENT, NOW, channel_id="C1", message_ts="9.9"
        )
    ),
    "deliveries.finish_many": nothing(
        lambda tx, a, b: tx.deliveries.finish_many(
            [
                Finished(a.pending.id, DeliveryState.SENT, channel_id="C1", message_ts="9.9"),
                Finished(a.sent_failed.id, DeliveryState.SKIPPED, error="away"),
            ],
            NOW,
        )
    ),
    "deliveries.retry": nothing(
        lambda tx, a, b: tx.deliveries.retry(a.pending.id, LATER, "ratelimited", count=True)
    ),
    "deliveries.mark_posted": nothing(
        lambda tx, a, b: tx.deliveries.mark_posted(a.pending.id, "C1", "9.9")
    ),
    "deliveries.prompts_sent": Case(
        lambda tx, a, b: tx.deliveries.prompts_sent(DAY),
        lambda r, a, b: r == {(b.pack, "U2"): {DAY: NOW}},
    ),
    "deliveries.prompted": Case(
        lambda tx, a, b: tx.deliveries.prompted(a.pack, DAY, DAY), lambda r, a, b: r == {}
    ),
    "deliveries.prompted/one-member": Case(
        lambda tx, a, b: tx.deliveries.prompted(a.pack, DAY, DAY, user_id="U2"),
        lambda r, a, b: r == {},
    ),
    "deliveries.failures": Case(
        lambda tx, a, b: tx.deliveries.failures(a.pack, NOW - dt.timedelta(days=7)),
        lambda r, a, b: r == [],
    ),
    "deliveries.release": nothing(
        lambda tx, a, b: tx.deliveries.release(
            [a.pending, dataclasses.replace(a.pending, uncertain=True)]
        )
    ),
    "deliveries.pending_count": Case(
        lambda tx, a, b: tx.deliveries.pending_count(), lambda r, a, b: r == 1
    ),
    "statements.add": refused(
        lambda tx, a, b: tx.statements.add(a.pack, "Use Rust", normalize("Use Rust"), "U1", NOW)
    ),
    "statements.add/existing": refused(
        lambda tx, a, b: tx.statements.add(
            a.pack,
            f"{SECRET} ship the CLI first",
            normalize(f"{SECRET} ship the CLI first"),
            "U1",
            NOW,
        )
    ),
    "statements.get": nothing(lambda tx, a, b: tx.statements.get(a.statement)),
    "statements.of_pack": Case(
        lambda tx, a, b: tx.statements.of_pack(a.pack, include_hidden=True),
        lambda r, a, b: r == [],
    ),
    "statements.counted": Case(
        lambda tx, a, b: tx.statements.counted(a.pack, "U1"), lambda r, a, b: r == []
    ),
    "statements.listed": Case(
        lambda tx, a, b: tx.statements.listed("C1", "U1"),
        lambda r, a, b: (
            r[0].id == b.pack
            and r[1].pack_id == b.pack
            and [v.statement.pack_id for v in r[2]] == [b.pack]
        ),
    ),
    "statements.listed/only-a": Case(
        lambda tx, a, b: tx.statements.listed("C1", ONLY_A),
        lambda r, a, b: r[0].id == b.pack and r[1] is None,
    ),
    "statements.set_hidden": Case(
        lambda tx, a, b: tx.statements.set_hidden(a.statement, True), lambda r, a, b: r is False
    ),
    "statements.set_hidden/unhide": Case(
        lambda tx, a, b: tx.statements.set_hidden(a.hidden, False), lambda r, a, b: r is False
    ),
    "statements.vote": refused(
        lambda tx, a, b: tx.statements.vote(a.statement, a.pack, "U3", VoteValue.AGREE, "", NOW)
    ),
    "statements.vote/own-pack": refused(
        lambda tx, a, b: tx.statements.vote(a.statement, b.pack, "U3", VoteValue.AGREE, "", NOW)
    ),
    "statements.vote/own-statement": refused(
        lambda tx, a, b: tx.statements.vote(b.statement, a.pack, "U3", VoteValue.AGREE, "", NOW)
    ),
    "statements.votes": Case(lambda tx, a, b: tx.statements.votes(a.pack), lambda r, a, b: r == []),
    "statements.claim_alert": Case(
        lambda tx, a, b: tx.statements.claim_alert(
            a.statement, NOW + dt.timedelta(days=8), NOW + dt.timedelta(days=1)
        ),
        lambda r, a, b: r is False,
    ),
    "statements.set_alert_message": nothing(
        lambda tx, a, b: tx.statements.set_alert_message(a.statement, "C9", "9.9")
    ),
    "statements.mark_discussed": nothing(
        lambda tx, a, b: tx.statements.mark_discussed(a.statement, LATER)
    ),
    "statements.discussed_in_thread": nothing(
        lambda tx, a, b: tx.statements.discussed_in_thread("C1", a.alert_ts, "U1", LATER)
    ),
    "statements.replies": Case(
        lambda tx, a, b: tx.statements.replies(a.pack, NOW - dt.timedelta(days=1)),
        lambda r, a, b: r == [],
    ),
    "proposals.replied_in_thread": nothing(
        lambda tx, a, b: tx.proposals.replied_in_thread("C1", a.proposal_ts, "U1", LATER)
    ),
    "proposals.add": refused(
        lambda tx, a, b: tx.proposals.add(a.pack, "Ship", "U1", NOW + dt.timedelta(days=2), NOW)
    ),
    "proposals.add/revising": refused(
        lambda tx, a, b: tx.proposals.add(
            b.pack, "Ship", "U2", NOW + dt.timedelta(days=2), NOW, revises_id=a.failed
        )
    ),
    "proposals.add/from-statement": refused(
        lambda tx, a, b: tx.proposals.add(
            b.pack, "Ship", "U1", NOW + dt.timedelta(days=2), NOW, statement_id=a.statement
        )
    ),
    "proposals.get": nothing(lambda tx, a, b: tx.proposals.get(a.proposal)),
    "proposals.of_pack": Case(
        lambda tx, a, b: tx.proposals.of_pack(a.pack), lambda r, a, b: r == []
    ),
    "proposals.set_message": nothing(
        lambda tx, a, b: tx.proposals.set_message(a.failed, "C9", "9.9")
    ),
    "proposals.standing": nothing(lambda tx, a, b: tx.proposals.standing(a.proposal, "U1")),
    "proposals.respond": Case(
        lambda tx, a, b: tx.proposals.respond(a.proposal, "U3", Position.BLOCK, "no", NOW),
        lambda r, a, b: r is False,
    ),
    "proposals.positions": Case(
        lambda tx, a, b: tx.proposals.positions(a.proposal), lambda r, a, b: r == []
    ),
    "proposals.counted": nothing(lambda tx, a, b: tx.proposals.counted(a.proposal)),
    "proposals.responses_for": Case(
        lambda tx, a, b: tx.proposals.responses_for([a.proposal, a.failed]),
        lambda r, a, b: r == {a.proposal: [], a.failed: []},
    ),
    "proposals.close": Case(
        lambda tx, a, b: tx.proposals.close(a.proposal, Outcome.BLOCKED, LATER),
        lambda r, a, b: r is False,
    ),
    "blockers.get": nothing(lambda tx, a, b: tx.blockers.get(a.blocker)),
    "blockers.open_of": nothing(lambda tx, a, b: tx.blockers.open_of(a.pack, "U1")),
    "blockers.open_in": Case(
        lambda tx, a, b: tx.blockers.open_in([a.pack]), lambda r, a, b: r == {}
    ),
    "blockers.awaiting_follow_up": Case(
        lambda tx, a, b: tx.blockers.awaiting_follow_up(),
        lambda r, a, b: [x.id for x in r] == [b.blocker],
    ),
    "blockers.of_pack_since": Case(
        lambda tx, a, b: tx.blockers.of_pack_since(a.pack, NOW - dt.timedelta(days=1)),
        lambda r, a, b: r == [],
    ),
    "blockers.raise_": refused(
        lambda tx, a, b: tx.blockers.raise_(a.pack, "U2", a.round, a.skipped, DAY, "TB", NOW)
    ),
    "blockers.set_text": nothing(lambda tx, a, b: tx.blockers.set_text(a.blocker, "typed in TB")),
    "blockers.resolve": Case(
        lambda tx, a, b: tx.blockers.resolve(a.blocker, LATER), lambda r, a, b: r is False
    ),
    "blockers.withdraw": nothing(lambda tx, a, b: tx.blockers.withdraw(a.blocker)),
    "blockers.claim_follow_up": Case(
        lambda tx, a, b: tx.blockers.claim_follow_up(a.blocker, LATER), lambda r, a, b: r is False
    ),
    "blockers.release_follow_up": nothing(
        lambda tx, a, b: tx.blockers.release_follow_up(a.claimed)
    ),
    "blockers.claim_ask": Case(
        lambda tx, a, b: tx.blockers.claim_ask(a.blocker, LATER), lambda r, a, b: r is False
    ),
    "blockers.release_ask": nothing(lambda tx, a, b: tx.blockers.release_ask(a.claimed)),
    "blockers.set_ask_message": nothing(
        lambda tx, a, b: tx.blockers.set_ask_message(a.blocker, "C1", "9.9")
    ),
    "blockers.add_helper": Case(
        lambda tx, a, b: tx.blockers.add_helper(a.blocker, "U3"), lambda r, a, b: r is False
    ),
    "privacy.footprint": Case(
        lambda tx, a, b: tx.privacy.footprint(ONLY_A), lambda r, a, b: r.empty
    ),
    "privacy.forget": Case(lambda tx, a, b: tx.privacy.forget(ONLY_A), lambda r, a, b: r.empty),
    "privacy.forget/same-id": Case(
        lambda tx, a, b: tx.privacy.forget("U1"),
        lambda r, a, b: (r.answers, r.memberships, r.profile) == (1, 1, 1),
    ),
}


@dataclasses.dataclass(frozen=True)
class Seeds:
    db: SqlDatabase
    a: Seeded
    b: Seeded
    before: dict[str, list[tuple[Any, ...]]]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def seeds(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
) -> Iterator[Seeds]:
    """Both workspaces, seeded once per database: every case runs in a transaction that is
    rolled back after it is checked, so no case sees another's writes."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("scoping") / "wolfpack.db"
        shutil.copy(sqlite_template, path)
        url = f"sqlite:///{path}"
    else:
        url = empty_pg(request.getfixturevalue("pg_schema_url"))
    engine = make_engine(url)
    db = SqlDatabase(engine)
    a = seed(db, "TA", SECRET, "1700000001", extra=(ONLY_A,))
    b = seed(db, "TB", PLAIN, "1700000002")
    with db.session() as s:
        before = dump(s, a.workspace_id)
        assert links_into(s, a.workspace_id) == []
    yield Seeds(db, a, b, before)
    engine.dispose()


class _RollBack(Exception):
    pass


def crossings(seeds: Seeds, team: str, name: str) -> list[str]:
    """Calls the case through `team`'s transaction; what it showed of TA or did to its rows,
    seen inside that transaction, which is then rolled back."""
    case, a, b = CASES[name], seeds.a, seeds.b
    found = []
    with contextlib.suppress(_RollBack), seeds.db.transaction(team) as tx:
        try:
            # A savepoint, so a failed statement leaves the transaction usable for the checks.
            with tx.session.begin_nested():
                result = case.call(tx, a, b)
        except NotFound:
            if case.expect is not None:
                found.append("refused")
        except Exception as error:
            found.append(f"raised {error!r}")
        else:
            if case.expect is None:
                found.append("not refused")
            elif not case.expect(result, a, b):
                found.append(f"returned {result!r}")
            if SECRET in repr(result):
                found.append("showed TA's text")
        if dump(tx.session, a.workspace_id) != seeds.before:
            found.append("changed TA's rows")
        found.extend(links_into(tx.session, a.workspace_id))
        raise _RollBack
    return found


@pytest.mark.parametrize("name", list(CASES))
def test_a_workspace_never_reads_or_writes_anothers_rows(seeds: Seeds, name: str) -> None:
    assert crossings(seeds, "TB", name) == []


# Cases that pass TB's own ids beside TA's: through TA's transaction they are just as foreign.
MIXED = {
    "answers.save/own-pack",
    "answers.save/own-round",
    "statements.vote/own-pack",
    "statements.vote/own-statement",
    "proposals.add/revising",
    "proposals.add/from-statement",
    "deliveries.add_many/taken-key",
}


@pytest.mark.parametrize("name", [n for n in CASES if n not in MIXED])
def test_each_case_sees_the_difference_through_the_owners_transaction(
    seeds: Seeds, name: str
) -> None:
    """The same call through TA's own transaction reads or changes TA's rows, so each case
    above would fail if the repository forgot its workspace."""
    assert crossings(seeds, "TA", name) != []


def repositories() -> dict[str, type]:
    """Every repository a transaction exposes, by attribute name (each is made when first
    asked for, without touching the database)."""
    tx = SqlTransaction(cast(Connection, None), 0)
    found = {name: getattr(tx, name) for name in dir(SqlTransaction) if not name.startswith("_")}
    return {name: type(repo) for name, repo in found.items() if isinstance(repo, Scoped)}


def defined_repositories() -> set[type]:
    """Every workspace-bound repository class defined in a module of bot.store."""
    found = set()
    for module in pkgutil.iter_modules(bot.store.__path__, "bot.store."):
        if module.ispkg:
            continue
        for _, cls in inspect.getmembers(importlib.import_module(module.name), inspect.isclass):
            if issubclass(cls, Scoped) and cls is not Scoped and cls.__module__ == module.name:
                found.add(cls)
    return found


def test_the_transaction_exposes_every_repository() -> None:
    """The meta-test below finds the repositories through the transaction: one defined in any
    store module but left out of it would have no scoping case, and nothing would say so."""
    assert set(repositories().values()) == defined_repositories()


def test_every_public_repository_method_has_a_case() -> None:
    found = repositories()
    assert {cls.__name__ for cls in found.values()} >= {
        "SqlPacks",
        "SqlPeople",
        "SqlMembers",
        "SqlRounds",
        "SqlAnswers",
        "SqlDeliveries",
        "SqlStatements",
        "SqlProposals",
        "SqlPrivacy",
    }
    methods = {
        f"{attr}.{name}"
        for attr, cls in found.items()
        for name, _ in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_")
    }
    covered = {name.split("/")[0] for name in CASES}
    assert sorted(methods - covered) == [], "methods without a scoping case"
    assert sorted(covered - methods) == [], "cases of methods that no longer exist"
