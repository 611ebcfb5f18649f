"""Opinion groups and common ground in the weekly summary of a small pack: two camps of three
are found, with each member's anonymous point on the map; a statement both camps agree on is
common ground; votes with no structure get no groups and a reason in plain words."""

from __future__ import annotations

import datetime as dt

from bot.core.analysis import Vote as MatrixVote
from bot.core.packs import Member, Pack, PackSettings, Person, Role
from bot.core.statements import Statement, Vote, VoteValue
from bot.core.summary import Summary, SummaryInputs, build_summary
from bot.core.summary.groups import RANDOM
from bot.devtools.votes import camps, random_pack

# Friday 27 November 2026, 16:00 UTC: the default summary time of a UTC pack.
NOW = dt.datetime(2026, 11, 27, 16, 0, tzinfo=dt.UTC)
VOTED_AT = NOW - dt.timedelta(days=2)
CAMPS = ("a0", "a1", "a2", "b0", "b1", "b2")
SHARED = ("Keep the on-call rota fair", "Write down every decision")
# A seed whose 15 planted statements leave no statement close to common ground by chance.
SEED = 4
VOTE_ENOUGH = ("vote enough", "voted enough", "more votes", "more of you vote", "too few")


def pack() -> Pack:
    return Pack(1, 1, "CPACK", "Pack", PackSettings(timezone="UTC"), "a0")


def inputs(votes: list[MatrixVote], texts: dict[str, str] | None = None) -> SummaryInputs:
    """The analysis' votes (members by id, statements "s<j>") as the summary reads them:
    statement s<j> is statement j + 1, voted two days before the summary."""
    members = sorted({v.member for v in votes})
    ids = sorted({int(v.statement[1:]) for v in votes})
    texts = texts or {}
    statements = [Statement(j + 1, 1, texts.get(f"s{j}", f"statement {j + 1}"), "a0") for j in ids]
    return SummaryInputs(
        pack(),
        [Member(1, Person(m, f"Name of {m}", "UTC"), Role.MEMBER) for m in members],
        [],
        statements,
        [Vote(int(v.statement[1:]) + 1, v.member, VoteValue(v.vote), "", VOTED_AT) for v in votes],
        [],
    )


def two_camps() -> Summary:
    """Two camps of three opposed on 15 statements, and two statements all six agree on."""
    votes = camps((3, 3), 15, 0.1, SEED)
    votes += [MatrixVote(m, f"s{j}", 1) for m in CAMPS for j in (15, 16)]
    return build_summary(inputs(votes, {"s15": SHARED[0], "s16": SHARED[1]}), NOW)


def test_a_pack_of_six_in_two_camps_has_two_opinion_groups() -> None:
    summary = two_camps()
    assert summary.groups is not None and summary.no_camps_reason is None
    assert [g.size for g in summary.groups] == [3, 3]
    # Groups of three may say what they stand for (K_ANONYMITY is 3).
    assert all(g.stands_out for g in summary.groups)


def test_the_map_has_one_anonymous_point_per_member_with_its_group() -> None:
    summary = two_camps()
    assert len(summary.map_points) == 6
    assert sorted(p.group for p in summary.map_points if p.group is not None) == [0, 0, 0, 1, 1, 1]
    # The two camps sit apart on the map: every point is nearer its own group's centre.
    centres = {
        g: (
            sum(p.x for p in summary.map_points if p.group == g) / 3,
            sum(p.y for p in summary.map_points if p.group == g) / 3,
        )
        for g in (0, 1)
    }
    for point in summary.map_points:
        assert point.group is not None
        mine, other = centres[point.group], centres[1 - point.group]
        near = (point.x - mine[0]) ** 2 + (point.y - mine[1]) ** 2
        far = (point.x - other[0]) ** 2 + (point.y - other[1]) ** 2
        assert near < far
    # Nothing in a point says who it is.
    assert {f.name for f in type(summary.map_points[0]).__dataclass_fields__.values()} == {
        "x",
        "y",
        "group",
    }


def test_what_both_camps_agree_on_is_the_common_ground() -> None:
    summary = two_camps()
    assert [line.statement.text for line in summary.common_ground] == list(SHARED)
    for line in summary.common_ground:
        assert (line.tally.agree, line.tally.disagree) == (6, 0)
        assert 0.6 < line.low <= line.score <= line.high <= 1.0
    # What one camp carries and the other rejects is never common ground.
    assert summary.common_ground_more == 0 and summary.needs_more_votes == 0


def test_random_votes_get_no_groups_and_a_reason_in_plain_words() -> None:
    summary = build_summary(inputs(random_pack(0)), NOW)
    assert summary.groups is None
    assert summary.no_camps_reason == RANDOM
    assert len(summary.map_points) > 2  # everyone voted: the reason is how the votes fall
    assert not any(words in RANDOM for words in VOTE_ENOUGH)


def test_only_a_map_of_fewer_than_two_members_is_put_down_to_too_few_votes() -> None:
    one = [MatrixVote("a0", f"s{j}", 1) for j in range(8)]
    alone = build_summary(inputs(one), NOW)
    assert alone.groups is None and len(alone.map_points) < 2
    assert (
        alone.no_camps_reason is not None and "too few of you have voted" in alone.no_camps_reason
    )
    three = [
        MatrixVote(m, f"s{j}", 1 if (j + i) % 2 else -1)
        for i, m in enumerate(CAMPS[:3])
        for j in range(8)
    ]
    small = build_summary(inputs(three), NOW)
    assert small.groups is None and len(small.map_points) == 3
    assert small.no_camps_reason is not None
    assert not any(words in small.no_camps_reason for words in VOTE_ENOUGH[:4])


def test_statements_members_have_not_all_voted_on_need_more_votes() -> None:
    # Four of six agree on s0 and the other two have not voted on it: maybe common ground.
    votes = camps((3, 3), 15, 0.1, SEED)
    votes += [MatrixVote(m, "s15", 1) for m in ("a0", "a1", "b0", "b1")]
    summary = build_summary(inputs(votes), NOW)
    statuses = {line.statement.id for line in summary.common_ground}
    assert 16 not in statuses
    assert summary.needs_more_votes == 1 and summary.close_to_common_ground == 0


def test_a_split_is_never_also_counted_as_maybe_common_ground() -> None:
    # s0 (statement 1) is agreed by five of six: close to common ground, every member's vote
    # in. s1 (statement 2) splits four to two: the analysis cannot rule it out as common
    # ground, but the summary lists it with the splits and does not also count it here; so
    # with the statements s2–s8 that split too, only s0 is counted.
    votes = [MatrixVote(m, "s0", -1 if m == "b2" else 1) for m in CAMPS]
    votes += [MatrixVote(m, "s1", 1 if m[0] == "a" or m == "b0" else -1) for m in CAMPS]
    votes += [
        MatrixVote(m, f"s{j}", 1 if (i + j) % 3 else -1)
        for i, m in enumerate(CAMPS)
        for j in range(2, 9)
    ]
    summary = build_summary(inputs(votes), NOW)
    assert 2 in {s.statement.id for s in summary.splits}
    assert summary.common_ground == ()
    assert (summary.needs_more_votes, summary.close_to_common_ground) == (0, 1)
