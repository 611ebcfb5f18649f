"""The weekly summary built from plain data: participation, alignment, splits and their trend,
groups, decisions, blockers, lone wolves and delivery problems."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

from bot.core.checkins import Answer, AnswerStatus, Round
from bot.core.delivery import Delivery, DeliveryState
from bot.core.packs import Away, Member, Pack, PackSettings, Person, Question, QuestionKind, Role
from bot.core.proposals import Outcome, Position, Proposal, Response
from bot.core.schedule import DeliveryKey, Due
from bot.core.statements import Statement, Vote, VoteValue
from bot.core.summary import (
    SplitTrend,
    Starting,
    Streak,
    SummaryInputs,
    build_summary,
    streak,
)

UTC = dt.UTC
# Friday 27 November 2026, 16:00 UTC: the default summary time of a UTC pack.
NOW = dt.datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
MONDAY = dt.date(2026, 11, 23)
A, D, P = VoteValue.AGREE, VoteValue.DISAGREE, VoteValue.PASS
_ids = itertools.count(1)


def pack(**settings: object) -> Pack:
    return Pack(1, 1, "CPACK", "Pack", PackSettings(timezone="UTC").with_changes(**settings), "U0")


def member(user_id: str, away: Away | None = None) -> Member:
    return Member(1, Person(user_id, f"name-{user_id}", "UTC", away=away), Role.MEMBER)


def answer(
    user_id: str,
    day: dt.date,
    *,
    alignment: int | None = 4,
    collaborators: tuple[str, ...] = ("UX",),
    blockers: str = "",
    focus: str = "one thing",
    status: AnswerStatus = AnswerStatus.ANSWERED,
) -> tuple[Round, Answer]:
    texts = {"progress": "done", "focus": focus}
    if blockers:
        texts["blockers"] = blockers
    rnd = Round(day.toordinal(), 1, day)
    return rnd, Answer(next(_ids), rnd.id, 1, user_id, status, texts, collaborators, alignment)


def statement(sid: int, discussed_at: dt.datetime | None = None) -> Statement:
    return Statement(sid, 1, f"statement {sid}", "U1", discussed_at=discussed_at)


def vote(sid: int, user_id: str, value: VoteValue, at: dt.datetime, reason: str = "") -> Vote:
    return Vote(sid, user_id, value, reason, at)


def weekdays(start: dt.date, end: dt.date) -> list[dt.date]:
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    return [d for d in days if d.weekday() < 5]


def test_participation_counts_rounds_expected_and_answered_with_away_excluded() -> None:
    members = [
        member("U1"),
        member("U2"),
        member("U3", away=Away(dt.date(2026, 11, 20), dt.date(2026, 12, 4))),
    ]
    answers = [answer("U1", d) for d in weekdays(MONDAY, NOW.date())]
    answers += [answer("U2", MONDAY), answer("U2", MONDAY + dt.timedelta(days=1))]
    # Every prompt of the week reached U1 and U2; U3's were not sent (away).
    week = set(weekdays(MONDAY, NOW.date()))
    inputs = SummaryInputs(pack(), members, answers, [], [], [], prompted={"U1": week, "U2": week})
    summary = build_summary(inputs, NOW)
    p = summary.participation
    # U1 and U2 have five rounds each (Mon–Fri, Friday's opened at 09:30); U3 is away.
    assert (p.answered, p.expected) == (7, 10)
    assert (p.heard_from, p.reached, p.members) == (2, 2, 3)
    assert p.away_names == ("name-U3",)
    assert p.longest_streaks[0].name == "name-U1" and p.longest_streaks[0].rounds == 5
    assert summary.week == "2026-W48" and summary.week_start == MONDAY


def test_streak_keeps_going_before_todays_round_and_through_skips() -> None:
    p, m = pack(), member("U1")
    statuses = {d: AnswerStatus.ANSWERED for d in weekdays(MONDAY, dt.date(2026, 11, 26))}
    statuses[dt.date(2026, 11, 25)] = AnswerStatus.SKIPPED
    prompted = set(weekdays(MONDAY, dt.date(2026, 11, 27)))
    early_friday = dt.datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    assert streak(p, m, statuses, early_friday, prompted=prompted) == 3
    # Friday's round opened at 09:30, its prompt reached the member, and it went unanswered:
    # the streak ends there.
    saturday = dt.datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert streak(p, m, statuses, saturday, prompted=prompted) == 0


def test_alignment_trend_hides_weeks_with_fewer_than_three_scores() -> None:
    members = [member(f"U{i}") for i in range(4)]
    last_week = MONDAY - dt.timedelta(days=7)
    answers = [answer(f"U{i}", MONDAY, alignment=i + 2) for i in range(4)]
    answers += [answer("U0", last_week, alignment=1), answer("U1", last_week, alignment=5)]
    summary = build_summary(SummaryInputs(pack(), members, answers, [], [], []), NOW)
    assert len(summary.trend) == 8 and summary.trend[-1].week_start == MONDAY
    assert summary.alignment.mean == 3.5 and summary.alignment.scores == 4
    assert summary.alignment.spread is not None and round(summary.alignment.spread, 3) == 1.118
    assert summary.trend[-2].mean is None and summary.trend[-2].scores == 2
    # The middle half of the scores 2, 3, 4, 5 lies between the quartiles.
    assert (summary.alignment.low, summary.alignment.high) == (2.75, 4.25)
    assert summary.trend[-2].low is None and summary.trend[-2].high is None


def test_a_split_that_narrowed_after_discussion_is_converging() -> None:
    members = [member(f"U{i}") for i in range(6)]
    before = NOW - dt.timedelta(days=10)
    discussed = NOW - dt.timedelta(days=2)
    votes = [vote(1, f"U{i}", A if i < 3 else D, before, reason=f"r{i}") for i in range(6)]
    # After the talk, one of the three who disagreed comes round; 4 against 2.
    votes.append(vote(1, "U3", A, NOW - dt.timedelta(days=1), reason="convinced"))
    inputs = SummaryInputs(pack(), members, [], [statement(1, discussed)], votes, [])
    summary = build_summary(inputs, NOW)
    (split,) = summary.splits
    assert (split.tally.agree, split.tally.disagree) == (4, 2)
    assert split.previous_divisiveness == 1.0
    assert split.trend is SplitTrend.CONVERGING
    assert (split.revoted, split.changed_side) == (1, 1)
    assert "convinced" in split.agree_reasons and "r4" in split.disagree_reasons


def test_a_split_a_passed_proposal_settled_is_decided_and_listed_after_the_open_ones() -> None:
    members = [member(f"U{i}") for i in range(6)]
    at = NOW - dt.timedelta(days=2)
    votes = [vote(s, f"U{i}", A if i < 3 else D, at) for s in (1, 2, 3) for i in range(6)]
    closed = NOW - dt.timedelta(days=1)
    proposals = [
        # Statement 1: blocked, then its revision (which carries the statement) passed.
        Proposal(1, 1, "first try", "U0", closed, Outcome.BLOCKED, closed, statement_id=1),
        Proposal(2, 1, "second try", "U0", closed, Outcome.PASSED, closed, statement_id=1),
        # Statement 2: a proposal that did not pass settles nothing; statement 3 has none.
        Proposal(3, 1, "no", "U0", closed, Outcome.NOT_PASSED, closed, statement_id=2),
        # A passed proposal on no statement settles no split either.
        Proposal(4, 1, "unrelated", "U0", closed, Outcome.PASSED, closed),
    ]
    inputs = SummaryInputs(pack(), members, [], [statement(s) for s in (1, 2, 3)], votes, proposals)
    summary = build_summary(inputs, NOW)
    assert [s.statement.id for s in summary.splits] == [2, 3, 1]
    assert [s.statement.id for s in summary.open_splits] == [2, 3]
    (settled,) = summary.settled_splits
    assert settled.settled_by is not None and settled.settled_by.text == "second try"
    # The summary numbers its statements in that order: the text and the chart alike.
    assert [line.statement.id for line in summary.numbered] == [2, 3, 1]
    assert summary.number_of(1) == 3 and summary.number_of(99) is None


def test_hidden_statements_and_splits_under_three_decided_are_left_out() -> None:
    members = [member(f"U{i}") for i in range(3)]
    hidden = Statement(2, 1, "hidden", "U1", hidden=True)
    votes = [vote(1, "U0", A, NOW), vote(1, "U1", D, NOW)]
    votes += [vote(2, f"U{i}", A if i else D, NOW) for i in range(3)]
    summary = build_summary(
        SummaryInputs(pack(), members, [], [statement(1), hidden], votes, []), NOW
    )
    assert summary.splits == ()
    assert summary.week_statements == ()
    assert summary.statements_total == 1


def test_small_pack_has_no_distinct_camps_and_a_planted_pack_has_two() -> None:
    statements = [statement(s) for s in range(1, 9)]
    few = [member(f"U{i}") for i in range(5)]
    votes = [vote(s.id, m.user_id, A, NOW) for s in statements for m in few]
    summary = build_summary(SummaryInputs(pack(), few, [], statements, votes, []), NOW)
    assert summary.groups is None and summary.no_camps_reason

    many = [member(f"U{i}") for i in range(10)]
    votes = [
        vote(s.id, m.user_id, A if (i < 5) == (s.id <= 4) else D, NOW)
        for s in statements
        for i, m in enumerate(many)
    ]
    summary = build_summary(SummaryInputs(pack(), many, [], statements, votes, []), NOW)
    assert summary.groups is not None
    assert sorted(g.size for g in summary.groups) == [5, 5]
    assert all(g.stands_out for g in summary.groups)
    assert summary.no_camps_reason is None


def test_decisions_of_this_week_and_open_proposals() -> None:
    closes = NOW - dt.timedelta(days=1)
    proposals = [
        Proposal(
            1,
            1,
            "old",
            "U1",
            closes - dt.timedelta(days=14),
            Outcome.PASSED,
            closes - dt.timedelta(days=14),
        ),
        Proposal(2, 1, "this week", "U1", closes, Outcome.BLOCKED, closes),
        Proposal(3, 1, "open", "U1", NOW + dt.timedelta(days=1)),
    ]
    responses = {2: [Response("U1", Position.BLOCK, "no", closes)], 3: []}
    inputs = SummaryInputs(pack(), [member("U1")], [], [], [], proposals, responses)
    summary = build_summary(inputs, NOW)
    assert [d.proposal.id for d in summary.decisions] == [2]
    assert summary.decisions[0].counts.block == 1
    assert [d.proposal.id for d in summary.open_proposals] == [3]


def test_blockers_are_those_still_in_each_members_latest_answer() -> None:
    members = [member("U1"), member("U2")]
    answers = [
        answer("U1", MONDAY, blockers="staging is down"),
        answer("U1", MONDAY + dt.timedelta(days=1)),
        answer("U2", MONDAY + dt.timedelta(days=2), blockers="waiting on legal"),
    ]
    summary = build_summary(SummaryInputs(pack(), members, answers, [], [], []), NOW)
    assert [(b.name, b.text) for b in summary.blockers] == [("name-U2", "waiting on legal")]


def test_the_weeks_blockers_are_counted_and_a_resolved_one_is_not_listed_as_open() -> None:
    from bot.core.blockers import Blocker as Raised
    from bot.core.blockers import BlockerStatus

    done = BlockerStatus.RESOLVED

    members = [member("U1"), member("U2")]
    answers = [
        answer("U1", MONDAY, blockers="staging is down"),
        answer("U2", MONDAY + dt.timedelta(days=2), blockers="waiting on legal"),
    ]
    monday_at = dt.datetime.combine(MONDAY, dt.time(10), UTC)
    raised = [
        # Resolved with the button on Wednesday: no longer open, though Monday's answer named it.
        Raised(1, 1, "U1", "staging is down", 1, 1, MONDAY, monday_at, helpers=("U2",),
               status=done, resolved_at=monday_at + dt.timedelta(days=2)),
        Raised(2, 1, "U2", "waiting on legal", 2, 2, MONDAY, monday_at + dt.timedelta(days=2)),
        # Raised last week, resolved this Tuesday after 4 days.
        Raised(3, 1, "U2", "old", 0, 0, MONDAY, monday_at - dt.timedelta(days=3),
               status=done, resolved_at=monday_at + dt.timedelta(days=1)),
    ]  # fmt: skip
    inputs = SummaryInputs(pack(), members, answers, [], [], [], blockers=raised)
    summary = build_summary(inputs, NOW)
    assert [b.text for b in summary.blockers] == ["waiting on legal"]
    figures = summary.blocker_figures
    assert (figures.raised, figures.helped, figures.resolved) == (2, 1, 2)
    assert figures.typically_open == dt.timedelta(days=3)


def test_lone_wolves_are_found_with_evidence_and_a_partner_who_is_not_one() -> None:
    members = [member(f"U{i}") for i in range(4)]
    days = weekdays(MONDAY - dt.timedelta(days=14), NOW.date())
    answers = [answer("U0", d, collaborators=()) for d in days]  # always solo
    answers += [answer(f"U{i}", d) for i in (1, 2) for d in days]  # U3 never answers
    statements = [statement(s) for s in range(1, 4)]
    votes = [vote(s.id, u, A, NOW) for s in statements for u in ("U0", "U1", "U2")]
    prompted = {m.user_id: set(days) for m in members}
    inputs = SummaryInputs(pack(), members, answers, statements, votes, [], prompted=prompted)
    summary = build_summary(inputs, NOW)
    wolves = {w.user_id: w for w in summary.lone_wolves}
    assert set(wolves) == {"U0", "U3"}
    assert [s.kind for s in wolves["U0"].signals] == ["solo_streak"]
    assert [s.kind for s in wolves["U3"].signals] == ["silent"]
    assert wolves["U0"].pair_with in ("U1", "U2")
    assert summary.lone_wolf_counts == {"solo_streak": 1, "silent": 1}
    assert summary.named_lone_wolves == ()
    named = build_summary(dataclasses.replace(inputs, pack=pack(name_lone_wolves=True)), NOW)
    assert set(named.named_lone_wolves) == {"name-U0", "name-U3"}


def test_delivery_problems_are_counted_by_error() -> None:
    prompt = DeliveryKey.prompt(1, "U1", MONDAY)
    failures = [
        Delivery(i, Due(prompt, MONDAY, NOW), DeliveryState.FAILED, 5, error)
        for i, error in enumerate(["not_in_channel", "not_in_channel", "user_not_found"])
    ]
    summary = build_summary(SummaryInputs(pack(), [], [], [], [], [], failures=failures), NOW)
    assert [(p.error, p.count) for p in summary.delivery_problems] == [
        ("not_in_channel", 2),
        ("user_not_found", 1),
    ]


def test_nothing_counts_from_before_the_pack_or_the_member() -> None:
    """A pack set up on Wednesday 25 Nov at noon UTC (09:30 Berlin had passed): by Friday's
    summary the member owed Thursday's and Friday's rounds, not Monday's to Wednesday's; a
    member who joined on Friday at noon owed none of the week's, and is no lone wolf for it."""
    created = dt.datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    p = dataclasses.replace(pack(), created_at=created)
    early = dataclasses.replace(member("U1"), joined_at=created)
    late = dataclasses.replace(member("U2"), joined_at=dt.datetime(2026, 11, 27, 12, 0, tzinfo=UTC))
    # Prompts recorded sent all week, as those of a membership before a rejoin would be: the
    # rounds before the pack or the (latest) joining count for nothing all the same.
    week = set(weekdays(MONDAY, NOW.date()))
    inputs = SummaryInputs(p, [early, late], [], [], [], [], prompted={"U1": week, "U2": week})
    summary = build_summary(inputs, NOW)
    assert (summary.participation.answered, summary.participation.expected) == (0, 2)
    quiet = {w.user_id for w in summary.lone_wolves}
    assert "U2" not in quiet


def test_only_rounds_that_reached_a_member_count_for_them() -> None:
    """Monday to Friday. U1's Wednesday prompt was recorded missed (not in `prompted`) and U1
    answered the rest; U2 answered Monday with `/checkin` though no prompt reached them, and
    no other prompt did either."""
    u1, u2 = member("U1"), member("U2")
    days = weekdays(MONDAY, NOW.date())
    wednesday = MONDAY + dt.timedelta(days=2)
    answers = [answer("U1", d) for d in days if d != wednesday] + [answer("U2", MONDAY)]
    prompted = {"U1": set(days) - {wednesday}}
    inputs = SummaryInputs(pack(), [u1, u2], answers, [], [], [], prompted=prompted)
    summary = build_summary(inputs, NOW)
    p = summary.participation
    assert (p.answered, p.expected) == (5, 5)
    assert (p.heard_from, p.reached, p.members) == (2, 2, 2)
    assert [(s.name, s.rounds) for s in p.longest_streaks] == [("name-U1", 4), ("name-U2", 1)]
    assert summary.lone_wolves == () and summary.starting is None
    # The same week had Wednesday's prompt reached U1: it was missed, and it ends the streak.
    reached = dataclasses.replace(inputs, prompted={"U1": set(days)})
    p = build_summary(reached, NOW).participation
    assert (p.answered, p.expected) == (5, 6)
    assert p.longest_streaks[0] == Streak("name-U1", 2)


def test_a_pack_no_round_has_reached_yet_is_starting() -> None:
    """Set up on Thursday 26 Nov at 18:00 UTC with check-ins Monday to Thursday: at Friday's
    summary nothing has reached anyone. The first check-ins go out on Monday 30 Nov (Dee's,
    at 09:30 in Auckland, come first: Sunday 20:30 UTC); the first summary after them is on
    Friday 4 Dec. Dee votes against the other two on five statements."""
    created = dt.datetime(2026, 11, 26, 18, 0, tzinfo=UTC)
    p = dataclasses.replace(pack(checkin_days=frozenset({0, 1, 2, 3})), created_at=created)
    people = [("U1", "Europe/Berlin"), ("U2", "Pacific/Auckland"), ("U3", "Europe/Berlin")]
    members = [
        Member(1, Person(u, f"name-{u}", tz), Role.MEMBER, joined_at=created) for u, tz in people
    ]
    statements = [statement(s) for s in range(1, 6)]
    votes = [vote(s.id, u, D if u == "U2" else A, created) for s in statements for u, _ in people]
    inputs = SummaryInputs(p, members, [], statements, votes, [])
    summary = build_summary(inputs, NOW)
    assert summary.starting == Starting(dt.date(2026, 11, 30), dt.date(2026, 12, 4))
    assert summary.lone_wolves == () and summary.lone_wolf_counts == {}
    # A week old, the same pack is summed up, and Dee's views stand apart.
    week_old = dataclasses.replace(p, created_at=NOW - dt.timedelta(days=7))
    summed = build_summary(dataclasses.replace(inputs, pack=week_old), NOW)
    assert summed.starting is None
    assert [w.user_id for w in summed.lone_wolves] == ["U2"]
    # So is a pack any round reached, one a delivery failed for, or one of unknown age.
    prompt = DeliveryKey.prompt(1, "U1", MONDAY)
    failed = Delivery(1, Due(prompt, MONDAY, NOW), DeliveryState.FAILED, 5, "user_not_found")
    for changed in (
        dataclasses.replace(inputs, prompted={"U3": {MONDAY}}),
        dataclasses.replace(inputs, answers=[answer("U1", MONDAY, status=AnswerStatus.SKIPPED)]),
        dataclasses.replace(inputs, failures=[failed]),
        dataclasses.replace(inputs, pack=dataclasses.replace(p, created_at=None)),
    ):
        assert build_summary(changed, NOW).starting is None
    # Without a member to prompt: no first round, and the next summary slot, a week on.
    alone = dataclasses.replace(inputs, members=[])
    assert build_summary(alone, NOW).starting == Starting(None, dt.date(2026, 12, 4))


def test_the_default_checkin_asks_who_one_worked_with_and_plain_questions_do_not() -> None:
    """The default check-in's @mentions say who a member worked with, so a solo streak counts;
    a pack whose questions ask nothing of the kind has no solo streaks at all."""
    members = [member("U0"), member("U1")]
    days = weekdays(MONDAY - dt.timedelta(days=14), NOW.date())
    answers = [answer(u, d, collaborators=()) for u in ("U0", "U1") for d in days]
    prompted = {m.user_id: set(days) for m in members}
    inputs = SummaryInputs(pack(), members, answers, [], [], [], prompted=prompted)
    assert pack().settings.asks_collaborators
    assert build_summary(inputs, NOW).lone_wolf_counts == {"solo_streak": 2}
    plain = (Question("progress", QuestionKind.TEXT, "What moved?", True),)
    quiet = dataclasses.replace(inputs, pack=pack(questions=plain))
    assert not quiet.pack.settings.asks_collaborators
    assert build_summary(quiet, NOW).lone_wolf_counts == {}
