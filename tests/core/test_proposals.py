import datetime as dt

import pytest

from bot.core.errors import FieldErrors
from bot.core.proposals import (
    Outcome,
    Position,
    Proposal,
    Response,
    clean_reason,
    count,
    outcome,
    parse_proposal,
    parse_revision,
    revision_refusal,
    split_draft,
)
from bot.core.statements import Statement, Vote, VoteValue
from bot.devtools.votes import camps

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


def test_a_closing_date_is_read_in_the_packs_timezone() -> None:
    # 17:00 on the day, Berlin time (UTC+1 in December).
    assert parse_proposal("Ship --closes 2026-12-04", NOW, "Europe/Berlin")[1] == dt.datetime(
        2026, 12, 4, 16, 0, tzinfo=dt.UTC
    )
    at = parse_proposal("Ship --closes 2026-12-02T09:15", NOW, "America/New_York")[1]
    assert at == dt.datetime(2026, 12, 2, 14, 15, tzinfo=dt.UTC)
    with pytest.raises(FieldErrors) as raised:
        parse_proposal("Ship --closes 2026-11-30", NOW)
    assert "passed" in raised.value.errors["closes"]


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
        ("Ship --closes 2026-11-30", "closes"),
        ("Ship --closes 2026-12-01T10:05", "closes"),
        ("Ship --closes 2027-01-15", "closes"),
        ("Ship --closes 2026-13-01", "closes"),
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


def test_a_revision_takes_new_text_and_a_closing_time() -> None:
    assert parse_revision(" Ship  it ", "3d", NOW) == ("Ship it", NOW + dt.timedelta(days=3))
    assert parse_revision("Ship it", "  ", NOW) == ("Ship it", NOW + dt.timedelta(hours=48))
    with pytest.raises(FieldErrors) as raised:
        parse_revision("  ", "soon", NOW)
    assert set(raised.value.errors) == {"text", "closes"}
    with pytest.raises(FieldErrors) as raised:
        parse_revision("x" * 1001, "48h", NOW)
    assert set(raised.value.errors) == {"text"}


def _proposal(n: int, outcome_: Outcome | None, revises: int | None = None) -> Proposal:
    return Proposal(n, 1, "Ship it", "UANA", NOW, outcome_, revises_id=revises)


@pytest.mark.parametrize(
    ("outcome_", "user", "revisions", "says"),
    [
        (Outcome.BLOCKED, "UANA", [], None),
        (Outcome.NOT_PASSED, "UANA", [], None),
        (Outcome.BLOCKED, "UBO", [], "Only the member who proposed"),
        (None, "UANA", [], "still open"),
        (Outcome.PASSED, "UANA", [], "passed"),
        (Outcome.BLOCKED, "UANA", [2, 5], "already revised this proposal as #5"),
    ],
)
def test_only_the_proposer_revises_a_failed_proposal_once(
    outcome_: Outcome | None, user: str, revisions: list[int], says: str | None
) -> None:
    found = revision_refusal(
        _proposal(1, outcome_), user, [_proposal(n, None, revises=1) for n in revisions]
    )
    if says is None:
        assert found is None
    else:
        assert found is not None and says in found


def _statement(sid: int, text: str, **flags: bool) -> Statement:
    return Statement(sid, 1, text, "UAUTHOR", created_at=NOW, **flags)


def test_a_split_draft_uses_real_camps_when_the_analysis_finds_them() -> None:
    # Two camps of six, ten votes flipped in a hundred: the analysis finds them.
    planted = camps((6, 6), 15, 0.1, 0)
    statements = [_statement(j + 1, f"Statement {j + 1} says this") for j in range(15)]
    votes = [Vote(int(v.statement[1:]) + 1, v.member, VoteValue(v.vote), "", NOW) for v in planted]
    made = split_draft(statements[0], statements, votes)
    assert made is not None and made.groups == ("group 1", "group 2")
    # Four members and two statements: no real camps, so the split's two sides.
    few = [
        Vote(1, "ua", VoteValue.AGREE, "Terminals first. Users live there.", NOW),
        Vote(1, "ub", VoteValue.DISAGREE, "", NOW),
        Vote(1, "uc", VoteValue.AGREE, "", NOW),
        Vote(1, "ud", VoteValue.DISAGREE, "Customers see the web UI", NOW),
        # A later vote replaces an earlier one, reason and all (reasons go in the order given).
        Vote(1, "ua", VoteValue.AGREE, "Users live in terminals", NOW + dt.timedelta(hours=1)),
        *(Vote(2, u, VoteValue.AGREE, "", NOW) for u in ("ua", "ub", "uc", "ud")),
        Vote(3, "ua", VoteValue.AGREE, "Hidden reason", NOW),
    ]
    pair = [
        _statement(1, "Ship the CLI first"),
        _statement(2, "Review every pull request"),
        _statement(3, "Hidden one", hidden=True),
    ]
    made = split_draft(pair[0], pair, few)
    assert made is not None
    assert made.groups == ("those who agreed", "those who disagreed")
    assert (
        made.text == "Review every pull request. Customers see the web UI. Users live in terminals."
    )
    assert "Terminals first" not in made.text and "Hidden" not in made.text
    assert made.least == pytest.approx((0.75 + 0.75 + 0.25) / 3)
    assert made.best_statement == "2" and made.best_statement_least == pytest.approx(0.75)
