"""Dissent is taking part (SPEC §4.5): votes apart from the pack are a lone-wolf signal only
while nobody has heard why. A reason with a vote or a proposal position, or a reply in a split's
or a proposal's thread, within the last two weeks, means the member was heard; where the pack
has real opinion groups, a member in one of them is never apart, however often in the
minority."""

from __future__ import annotations

import dataclasses
import datetime as dt

from bot.core.analysis import Activity, Alignment, views_apart
from bot.core.analysis import Vote as MatrixVote
from bot.core.analysis.members import HEARD_DAYS
from bot.core.checkins import Answer, AnswerStatus, Round
from bot.core.packs import Member, Pack, PackSettings, Person, Role
from bot.core.proposals import Outcome, Position, Proposal, Response
from bot.core.statements import Reply, Statement, Vote, VoteValue
from bot.core.summary import Summary, SummaryInputs, build_summary
from bot.devtools.votes import camps

# Friday 27 November 2026, 16:00 UTC: the default summary time of a UTC pack.
NOW = dt.datetime(2026, 11, 27, 16, 0, tzinfo=dt.UTC)
VOTED_AT = NOW - dt.timedelta(days=2)
PACK = ("U1", "U2", "U3", "U4")
DISSENTER = "UD"
STATEMENTS = range(1, 7)


def pack() -> Pack:
    return Pack(1, 1, "CPACK", "Pack", PackSettings(timezone="UTC"), "U1")


def weekdays() -> list[dt.date]:
    """The three weeks of rounds the lone-wolf signals read, weekdays only."""
    days = [NOW.date() - dt.timedelta(days=i) for i in range(20, -1, -1)]
    return [d for d in days if d.weekday() < 5]


def inputs(votes: list[Vote], members: list[str], **more: object) -> SummaryInputs:
    """Everyone checked in on every round with a collaborator, so only views can flag them."""
    answers = []
    for user_id in members:
        for day in weekdays():
            rnd = Round(day.toordinal(), 1, day)
            texts = {"progress": "done", "focus": "one thing"}
            given = Answer(0, rnd.id, 1, user_id, AnswerStatus.ANSWERED, texts, ("UX",), 4)
            answers.append((rnd, given))
    statements = sorted({v.statement_id for v in votes})
    found = SummaryInputs(
        pack(),
        [Member(1, Person(m, f"Name of {m}", "UTC"), Role.MEMBER) for m in members],
        answers,
        [Statement(s, 1, f"statement {s}", "U1") for s in statements],
        votes,
        [],
        prompted={m: set(weekdays()) for m in members},
    )
    return dataclasses.replace(found, **more)


def against_the_pack(reason: str = "", reason_at: dt.datetime = VOTED_AT) -> list[Vote]:
    """Four members agree with six statements; the dissenter disagrees with every one, with a
    reason on the first when one is given."""
    votes = [Vote(s, u, VoteValue.AGREE, "", VOTED_AT) for s in STATEMENTS for u in PACK]
    votes += [
        Vote(s, DISSENTER, VoteValue.DISAGREE, reason if s == 1 else "", reason_at)
        for s in STATEMENTS
    ]
    return votes


def views_apart_of(summary: Summary) -> dict[str, str]:
    """Each member flagged with views apart, and the evidence."""
    return {
        w.user_id: s.evidence
        for w in summary.lone_wolves
        for s in w.signals
        if s.kind == "outlier_views"
    }


def test_a_member_in_the_minority_every_time_is_apart_only_until_a_reason_is_heard() -> None:
    members = [*PACK, DISSENTER]
    silent = build_summary(inputs(against_the_pack(), members), NOW)
    # No groups in a pack of five with one dissenter: apart from the pack's majority.
    assert silent.groups is None
    evidence = "your votes differ from the pack's majority on 6 of 6 statements where it had one"
    assert views_apart_of(silent) == {DISSENTER: evidence}
    assert silent.lone_wolf_counts == {"outlier_views": 1}
    # The same votes with a reason on one of them: dissent with a reason is taking part.
    reasoned = build_summary(inputs(against_the_pack("Too risky this quarter"), members), NOW)
    assert views_apart_of(reasoned) == {}
    assert reasoned.lone_wolves == ()
    # A reason given more than two weeks ago is not "lately".
    old = NOW - dt.timedelta(days=HEARD_DAYS + 1)
    stale = build_summary(inputs(against_the_pack("Too risky", old), members), NOW)
    assert set(views_apart_of(stale)) == {DISSENTER}


def test_blocking_a_proposal_with_a_reason_is_no_signal() -> None:
    members = [*PACK, DISSENTER]
    proposal = Proposal(
        1, 1, "Ship the CLI first", "U1", NOW - dt.timedelta(days=1), Outcome.BLOCKED, NOW
    )
    positions = [Response(u, Position.AGREE, "", VOTED_AT) for u in PACK]
    block = Response(DISSENTER, Position.BLOCK, "The web UI is what customers pay for", VOTED_AT)
    blocked = inputs(
        against_the_pack(), members, proposals=[proposal], responses={1: [*positions, block]}
    )
    assert views_apart_of(build_summary(blocked, NOW)) == {}
    # An agree without a reason says nothing about why the votes differ.
    agreed = dataclasses.replace(
        blocked, responses={1: [*positions, Response(DISSENTER, Position.AGREE, "", VOTED_AT)]}
    )
    assert set(views_apart_of(build_summary(agreed, NOW))) == {DISSENTER}


def test_a_reply_in_a_splits_or_a_proposals_thread_is_joining_the_discussion() -> None:
    members = [*PACK, DISSENTER]
    replied = [Reply(DISSENTER, NOW - dt.timedelta(days=3), statement_id=1)]
    assert (
        views_apart_of(build_summary(inputs(against_the_pack(), members, replies=replied), NOW))
        == {}
    )
    in_proposal = [Reply(DISSENTER, NOW - dt.timedelta(days=3), proposal_id=1)]
    summary = build_summary(inputs(against_the_pack(), members, replies=in_proposal), NOW)
    assert views_apart_of(summary) == {}
    # Someone else's reply does not make the dissenter heard.
    others = [Reply("U1", NOW - dt.timedelta(days=3), statement_id=1)]
    summary = build_summary(inputs(against_the_pack(), members, replies=others), NOW)
    assert set(views_apart_of(summary)) == {DISSENTER}


def summary_votes(planted: list[MatrixVote]) -> list[Vote]:
    """The analysis' votes (statement "s<j>" is statement j + 1) as the summary reads them."""
    return [
        Vote(int(v.statement[1:]) + 1, v.member, VoteValue(v.vote), "", VOTED_AT) for v in planted
    ]


def test_with_real_groups_a_member_in_one_is_never_apart_however_often_in_the_minority() -> None:
    # Camps of five and two: two real groups; camp b is in the pack's minority on nearly every
    # statement most of the pack voted the same way on (this seed: 1 of 14 and 5 of 14).
    votes = summary_votes(camps((5, 2), 15, 0.1, 0))
    members = sorted({v.user_id for v in votes})
    summary = build_summary(inputs(votes, members), NOW)
    assert summary.groups is not None and len(summary.groups) == 2
    assert views_apart_of(summary) == {}
    assert summary.lone_wolves == ()


def test_with_real_groups_a_member_in_none_of_them_is_apart_until_heard() -> None:
    # Two camps of six and one member with views of their own: this seed leaves c0 alone in a
    # cluster of their own, an outlier beside two real groups.
    votes = summary_votes(camps((6, 6, 1), 15, 0.1, 1))
    members = sorted({v.user_id for v in votes})
    summary = build_summary(inputs(votes, members), NOW)
    assert summary.groups is not None and len(summary.groups) == 2
    assert views_apart_of(summary) == {"c0": "your votes differ from every group in the pack"}
    heard = [Reply("c0", NOW - dt.timedelta(days=1), statement_id=3)]
    assert views_apart_of(build_summary(inputs(votes, members, replies=heard), NOW)) == {}


def test_the_rule_itself() -> None:
    today = NOW.date()
    quiet = Activity("cat", ())
    low = Alignment(share=0.2, majority_statements=5)
    apart = views_apart(quiet, today, alignment_result=low)
    assert apart is not None and apart.evidence.startswith("your votes differ")
    assert "sided with" not in apart.evidence
    # Too few majority statements to tell, or at least half with the majority.
    assert views_apart(quiet, today, alignment_result=Alignment(0.0, 4)) is None
    assert views_apart(quiet, today, alignment_result=Alignment(0.5, 8)) is None
    # Heard within HEARD_DAYS days: never apart, with groups or without.
    lately = Activity("cat", (), last_heard=today - dt.timedelta(days=HEARD_DAYS - 1))
    assert views_apart(lately, today, alignment_result=low) is None
    assert views_apart(lately, today, groups_found=True, is_outlier=True) is None
    long_ago = Activity("cat", (), last_heard=today - dt.timedelta(days=HEARD_DAYS))
    assert views_apart(long_ago, today, alignment_result=low) is not None
    # With groups the pack's majority does not matter: only being in none of them.
    assert views_apart(quiet, today, alignment_result=low, groups_found=True) is None
    assert views_apart(quiet, today, groups_found=True, is_outlier=True) is not None
