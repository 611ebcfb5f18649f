import datetime as dt

import pytest

from bot.core.errors import FieldErrors
from bot.core.proposals import (
    Outcome,
    Position,
    Response,
    clean_reason,
    count,
    outcome,
    parse_proposal,
)

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


def r(user: str, position: Position, minute: int = 0) -> Response:
    return Response(user, position, "", NOW + dt.timedelta(minutes=minute))


def test_proposals_close_in_48_hours_unless_told() -> None:
    assert parse_proposal("Ship the CLI first", NOW) == (
        "Ship the CLI first",
        NOW + dt.timedelta(hours=48),
    )
    assert parse_proposal("Ship  it --closes 3d", NOW) == ("Ship it", NOW + dt.timedelta(days=3))
    assert parse_proposal("Ship it --closes=90m", NOW)[1] == NOW + dt.timedelta(minutes=90)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("", "text"),
        ("   --closes 3d", "text"),
        ("x" * 1001, "text"),
        ("Ship --closes 31d", "closes"),
        ("Ship --closes 5m", "closes"),
        ("Ship --closes -2d", "closes"),
        ("Ship --closes soon", "closes"),
    ],
)
def test_bad_proposals_are_refused_naming_the_field(text: str, field: str) -> None:
    with pytest.raises(FieldErrors) as raised:
        parse_proposal(text, NOW)
    assert field in raised.value.errors


def test_disagree_and_block_need_a_reason() -> None:
    with pytest.raises(FieldErrors):
        clean_reason(Position.BLOCK, "  ")
    with pytest.raises(FieldErrors):
        clean_reason(Position.DISAGREE, "")
    assert clean_reason(Position.AGREE, "") == ""
    assert clean_reason(Position.DISAGREE, " too  soon ") == "too soon"


def test_the_outcome_follows_the_latest_positions() -> None:
    assert outcome([]) is Outcome.NOT_PASSED
    assert outcome([r("a", Position.AGREE), r("b", Position.DISAGREE)]) is Outcome.NOT_PASSED
    assert outcome([r("a", Position.AGREE), r("b", Position.ABSTAIN)]) is Outcome.PASSED
    votes = [r("a", Position.AGREE), r("b", Position.BLOCK), r("c", Position.AGREE)]
    assert outcome(votes) is Outcome.BLOCKED
    # b changes their block to agree: the latest position counts.
    assert outcome([*votes, r("b", Position.AGREE, 5)]) is Outcome.PASSED
    assert count([*votes, r("b", Position.AGREE, 5)]).agree == 3
