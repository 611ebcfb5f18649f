"""The map page's model: built from the weekly summary's own parts (the same groups, common
ground and splits as the summary), one dot per placed member in the unit square, names only in
a pack with open voting, the reader's dot marked; a grant expires on the injected clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from bot.core.analysis import Vote as MatrixVote
from bot.core.map import LINK_LIFETIME, MapGrant, MapInputs, build_map, group_name
from bot.core.packs import PackSettings
from bot.core.proposals import Outcome, Position, Proposal, Response
from bot.core.summary import build_summary
from bot.devtools.votes import camps
from tests.core.test_summary_camps import CAMPS, NOW, SEED, SHARED, inputs, pack


def map_inputs(
    votes: list[MatrixVote],
    *,
    reader: str = "a0",
    anonymous: bool = True,
    proposals: tuple[Proposal, ...] = (),
    responses: dict[int, list[Response]] | None = None,
) -> MapInputs:
    summary_in = inputs(votes, {"s15": SHARED[0], "s16": SHARED[1]})
    the_pack = replace(pack(), settings=PackSettings(timezone="UTC", anonymous=anonymous))
    return MapInputs(
        pack=the_pack,
        reader=reader,
        members=summary_in.members,
        statements=summary_in.statements,
        votes=summary_in.votes,
        proposals=proposals,
        responses=responses or {},
    )


def two_camps() -> list[MatrixVote]:
    votes = camps((3, 3), 15, 0.1, SEED)
    return votes + [MatrixVote(m, f"s{j}", 1) for m in CAMPS for j in (15, 16)]


def test_the_page_tells_the_same_story_as_the_summary() -> None:
    votes = two_camps()
    view = build_map(map_inputs(votes), NOW)
    summary = build_summary(inputs(votes, {"s15": SHARED[0], "s16": SHARED[1]}), NOW)
    assert view.groups == summary.groups and view.groups is not None
    assert [c.statement.text for c in view.common_ground] == [
        c.statement.text for c in summary.common_ground
    ]
    assert {s.statement.id for s in view.splits} == {s.statement.id for s in summary.splits}
    assert len(view.dots) == len(summary.map_points) == 6
    assert sorted(d.group for d in view.dots) == sorted(p.group for p in summary.map_points)


def test_one_dot_per_member_in_the_unit_square_with_the_reader_marked() -> None:
    view = build_map(map_inputs(two_camps(), reader="b1"), NOW)
    assert len(view.dots) == 6
    assert all(0 <= d.x <= 1 and 0 <= d.y <= 1 for d in view.dots)
    # One shared scale: the wider axis spans the square exactly.
    xs, ys = [d.x for d in view.dots], [d.y for d in view.dots]
    assert max(max(xs) - min(xs), max(ys) - min(ys)) == 1.0
    (mine,) = [d for d in view.dots if d.you]
    assert all(d.name is None for d in view.dots)
    groups = {d.group for d in view.dots}
    assert groups == {0, 1}
    # b1 shares its group with the other b's only.
    assert mine.group is not None
    assert view.members == 6 and view.voters == 6 and not view.empty


def test_names_only_with_open_voting() -> None:
    view = build_map(map_inputs(two_camps(), anonymous=False), NOW)
    assert sorted(d.name or "" for d in view.dots) == sorted(f"Name of {m}" for m in CAMPS)
    assert view.anonymous is False
    hidden = build_map(map_inputs(two_camps()), NOW)
    assert all(d.name is None for d in hidden.dots) and hidden.anonymous


def test_members_who_voted_alike_still_show_as_dots_of_their_own() -> None:
    votes = [MatrixVote(m, f"s{j}", 1 if m < "b" else -1) for m in CAMPS for j in range(4)]
    view = build_map(map_inputs(votes), NOW)
    spots = {(round(d.x, 6), round(d.y, 6)) for d in view.dots}
    assert len(view.dots) == 6 and len(spots) == 6


def test_an_empty_pack_has_no_map() -> None:
    view = build_map(map_inputs([]), NOW)
    assert view.empty and view.voters == 0 and view.dots == ()
    assert view.groups is None and view.no_groups_reason


def test_decisions_newest_first_and_open_proposals_by_closing() -> None:
    def proposal(pid: int, closes: int, outcome: Outcome | None) -> Proposal:
        at = NOW + dt.timedelta(days=closes)
        return Proposal(pid, 1, f"P{pid}", "a0", at, outcome, at if outcome else None)

    proposals = (
        proposal(1, -5, Outcome.PASSED),
        proposal(2, -1, Outcome.BLOCKED),
        proposal(3, 3, None),
        proposal(4, 1, None),
    )
    agree = Response("a1", Position.AGREE, "", NOW)
    view = build_map(map_inputs(two_camps(), proposals=proposals, responses={1: [agree]}), NOW)
    assert [d.proposal.id for d in view.decisions] == [2, 1]
    assert [d.proposal.id for d in view.open_proposals] == [4, 3]
    assert view.decisions[1].counts.agree == 1


def test_a_grant_expires_after_its_lifetime() -> None:
    grant = MapGrant("T1", 1, "U1", NOW)
    assert grant.expires_at == NOW + LINK_LIFETIME
    assert not grant.expired(NOW)
    assert not grant.expired(NOW + LINK_LIFETIME - dt.timedelta(seconds=1))
    assert grant.expired(NOW + LINK_LIFETIME)
    # Issued in the future (a clock far off): not trusted.
    assert grant.expired(NOW - dt.timedelta(minutes=5))


def test_groups_are_numbered_as_in_the_summary() -> None:
    assert [group_name(i) for i in range(3)] == ["Group 1", "Group 2", "Group 3"]
