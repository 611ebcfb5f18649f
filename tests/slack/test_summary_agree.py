"""“Where we agree” as the common ground and “Opinion groups” in plain words: in the full
report (`/consensus`, the Details modal, the terminal's text) and, shorter, in the channel's
summary."""

from __future__ import annotations

from bot.core.statements import Statement, Tally
from bot.core.summary import CommonGroundLine, GroupLine, MapPoint, Summary
from bot.core.summary.groups import (
    ALIKE,
    ALL_APART,
    FEW_VOTES,
    NO_TWO_GROUPS,
    RANDOM,
    UNSTABLE,
)
from bot.slack.blocks.summary import consensus_report_blocks, summary_blocks, summary_text
from tests.slack.test_summary_blocks import HOSTILE, make_summary, make_with, texts

JARGON = ("intercept", "bridging", "score", "interval", "factor", "axis")


def ground(sid: int, text: str, agree: int = 6, seen: int = 7) -> CommonGroundLine:
    tally = Tally(agree, seen - agree - 1, 1)
    return CommonGroundLine(Statement(sid, 1, text, "UAUTHOR1"), tally, 0.85, 0.7, 0.95)


def agree_part(summary: Summary) -> str:
    body = texts(consensus_report_blocks(summary))
    start = body.index("*Where we agree*")
    return body[start : body.index("*Where we are split*", start)]


def short_agree_part(summary: Summary) -> str:
    body = texts(summary_blocks(summary))
    start = body.index("*Where we agree*")
    return body[start : body.index("*Where we are split*", start)]


def every_rendering(summary: Summary) -> list[str]:
    return [texts(consensus_report_blocks(summary)), summary_text(summary)]


def test_common_ground_is_said_in_plain_words_with_its_count() -> None:
    summary = make_with(make_summary(), common_ground=(ground(1, "Ship on Fridays"),))
    part = agree_part(summary)
    # Numbered as the chart's bars: the common ground comes first.
    assert "*1.* “Ship on Fridays” — holds across the pack's views (6 of 7 agree)" in part
    assert not any(word in part.lower() for word in JARGON)
    short = short_agree_part(summary)
    assert "*1.* “Ship on Fridays” — 6 of 7 agree" in short
    assert not any(word in short.lower() for word in JARGON)


def test_common_ground_text_is_escaped() -> None:
    summary = make_with(make_summary(), common_ground=(ground(1, HOSTILE),))
    for part in (agree_part(summary), short_agree_part(summary)):
        assert "<!channel>" not in part and "&lt;!channel&gt;" in part


def test_statements_that_need_votes_are_counted_when_none_is_common_ground_yet() -> None:
    summary = make_with(make_summary(), common_ground=(), common_ground_more=0, needs_more_votes=3)
    assert "3 statements may be common ground once more of you vote on them." in agree_part(summary)
    assert "3 statements may be common ground once more of you vote." in short_agree_part(summary)
    both = make_with(summary, common_ground=(ground(1, "Ship"),), needs_more_votes=1)
    assert "1 other statement may be common ground once more of you vote on them." in (
        agree_part(both)
    )


def test_statements_everyone_voted_on_are_never_said_to_need_votes() -> None:
    summary = make_with(
        make_summary(), common_ground=(), common_ground_more=0, close_to_common_ground=2
    )
    part = agree_part(summary)
    assert (
        "2 statements come close to common ground but do not yet clearly hold across "
        "the pack's views."
    ) in part
    assert "vote on them" not in part
    short = short_agree_part(summary)
    assert "2 statements come close to common ground; not clear yet." in short
    assert "vote" not in short


def test_nothing_in_common_yet_and_no_statements_at_all() -> None:
    none = make_with(make_summary(), common_ground=(), common_ground_more=0, statements_total=4)
    assert "No statement holds across the pack's views yet." in agree_part(none)
    empty = make_with(none, statements_total=0)
    assert "No consensus statements yet." in agree_part(empty)
    # The channel's summary leaves a part with nothing to say out.
    assert "Where we agree" not in texts(summary_blocks(empty))


def test_every_reason_for_no_groups_is_in_plain_words() -> None:
    for reason in (RANDOM, UNSTABLE, NO_TWO_GROUPS, ALL_APART, ALIKE, FEW_VOTES):
        summary = make_summary(groups=None, no_camps_reason=reason)
        for body in every_rendering(summary):
            assert f"No distinct camps: {reason}." in body
    # Only a map with fewer than two members on it is put down to too few votes.
    for reason in (RANDOM, UNSTABLE, NO_TWO_GROUPS, ALL_APART, ALIKE):
        assert not any(words in reason for words in ("voted", "enough", "too few", "more of"))


def test_groups_are_numbered_as_on_the_map_and_members_outside_them_counted() -> None:
    a = Statement(1, 1, "ship weekly", None)
    groups = (GroupLine(3, ((a, "agree"),)), GroupLine(3, ((a, "disagree"),)))
    points = (
        *(MapPoint(float(i), 0.0, 0) for i in range(3)),
        *(MapPoint(float(i), 5.0, 1) for i in range(3)),
        MapPoint(9.0, 9.0, None),
    )
    summary = make_summary(groups=groups, no_camps_reason=None)
    summary = make_with(summary, map_points=points)
    for body in every_rendering(summary):
        assert "Group 1 (3 people) agrees: “ship weekly”" in body
        assert "Group 2 (3 people) disagrees: “ship weekly”" in body
        assert "1 person fits no group." in body
        assert "No distinct camps" not in body
