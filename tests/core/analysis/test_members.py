"""Per-member views and lone-wolf signals (SPEC §4.5)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.analysis import (
    Activity,
    Alignment,
    CheckIn,
    Vote,
    alignment,
    allies,
    build_matrix,
    focus_areas,
    lone_wolf_signals,
    pairwise_agreement,
)

NOW = dt.date(2026, 3, 20)


def _votes(table: dict[str, str]) -> list[Vote]:
    """Each member's votes as a string: + agree, - disagree, 0 pass, . not seen."""
    code = {"+": 1, "-": -1, "0": 0}
    return [
        Vote(member, f"s{j}", code[mark])
        for member, marks in table.items()
        for j, mark in enumerate(marks)
        if mark != "."
    ]


TEAM = build_matrix(
    _votes(
        {
            "ann": "+++--0",
            "bob": "+++-+.",
            "cat": "---++0",
            "dan": "+0....",
            "eve": "+++--+",
        }
    )
)


def test_pairwise_agreement_counts_only_shared_decided_votes() -> None:
    pairs = pairwise_agreement(TEAM)
    assert pairs[("ann", "bob")].share == pytest.approx(4 / 5)
    assert pairs[("ann", "bob")].shared == 5
    assert pairs[("ann", "cat")].share == 0.0
    assert ("ann", "dan") not in pairs  # they share one decided vote only
    assert pairs[("bob", "ann")].share == pairs[("ann", "bob")].share


def test_allies_names_closest_and_most_different() -> None:
    found = allies(TEAM, "ann")
    assert found.closest is not None and found.most_different is not None
    assert found.closest.other == "eve"
    assert found.most_different.other == "cat"
    assert allies(TEAM, "dan").closest is None


def test_pairwise_agreement_is_for_packs_of_up_to_thirty() -> None:
    big = build_matrix([Vote(f"m{i}", "s", 1) for i in range(31)])
    with pytest.raises(ValueError, match="30"):
        pairwise_agreement(big)


def test_alignment_uses_majority_statements_only() -> None:
    # Majority statements (≥ 3 decided, ≥ 2/3 one way): s0 (4 of 5), s1, s2 (3 of 4),
    # s3 (3 of 4 against); not s4 (2 to 2) nor s5 (one decided vote).
    result = alignment(TEAM, "cat")
    assert result.majority_statements == 4
    assert result.share == 0.0
    bob = alignment(TEAM, "bob")
    assert bob == Alignment(share=1.0, majority_statements=4)
    dan = alignment(TEAM, "dan")
    assert dan == Alignment(share=1.0, majority_statements=1)
    assert alignment(TEAM, "eve") == Alignment(share=1.0, majority_statements=4)


def test_signals_with_their_evidence() -> None:
    days = [NOW - dt.timedelta(days=7 * i) for i in range(5, 0, -1)]
    activity = Activity(
        member="ann",
        checkins=(
            CheckIn(days[0], answered=True, collaborators=2, focus="billing"),
            CheckIn(days[1], answered=True, collaborators=0, focus="billing"),
            CheckIn(days[2], answered=True, collaborators=0, focus="billing, hiring"),
            CheckIn(days[3], answered=True, collaborators=0, focus="the roadmap and billing"),
            CheckIn(days[4], answered=False),
        ),
        last_vote=NOW - dt.timedelta(days=3),
    )
    signals = {s.kind: s for s in lone_wolf_signals(activity, NOW)}
    assert set(signals) == {"solo_streak", "spread_thin"}
    assert "3 check-ins in a row" in signals["solo_streak"].evidence
    # Days as people write them, never ISO dates.
    assert f"({days[1]:%a} {days[1].day} {days[1]:%b} to " in signals["solo_streak"].evidence
    assert days[1].isoformat() not in signals["solo_streak"].evidence
    assert "3 focus areas" in signals["spread_thin"].evidence


def test_silent_when_missing_rounds_unless_away() -> None:
    days = [NOW - dt.timedelta(days=7 * i) for i in range(3, 0, -1)]
    missing = Activity(
        "bob", tuple(CheckIn(d, answered=i == 0) for i, d in enumerate(days)), last_vote=NOW
    )
    assert [s.kind for s in lone_wolf_signals(missing, NOW)] == ["silent"]
    away = Activity(
        "bob",
        tuple(CheckIn(d, answered=i == 0, away=i > 0) for i, d in enumerate(days)),
        last_vote=NOW,
    )
    assert lone_wolf_signals(away, NOW) == ()
    stale = Activity("bob", (), last_vote=NOW - dt.timedelta(days=14))
    (signal,) = lone_wolf_signals(stale, NOW)
    assert signal.kind == "silent" and "14 days" in signal.evidence
    recent = Activity("bob", (), last_vote=NOW - dt.timedelta(days=13))
    assert lone_wolf_signals(recent, NOW) == ()


def test_views_apart_from_alignment_or_from_every_group_while_unheard() -> None:
    quiet = Activity("cat", ())
    low = Alignment(share=0.4, majority_statements=5)
    assert [s.kind for s in lone_wolf_signals(quiet, NOW, alignment_result=low)] == [
        "outlier_views"
    ]
    thin_basis = Alignment(share=0.0, majority_statements=4)
    assert lone_wolf_signals(quiet, NOW, alignment_result=thin_basis) == ()
    (alone,) = lone_wolf_signals(quiet, NOW, groups_found=True, is_outlier=True)
    assert alone.kind == "outlier_views"
    # In a group: not apart from every group, whatever the majority.
    assert lone_wolf_signals(quiet, NOW, alignment_result=low, groups_found=True) == ()
    # A reason or a thread reply last week: the pack has heard why.
    heard = Activity("cat", (), last_heard=NOW - dt.timedelta(days=7))
    assert lone_wolf_signals(heard, NOW, alignment_result=low) == ()
    assert lone_wolf_signals(heard, NOW, groups_found=True, is_outlier=True) == ()


def test_focus_areas_are_split_conservatively() -> None:
    assert focus_areas("Billing, hiring\n- the roadmap") == ["billing", "hiring", "the roadmap"]
    assert focus_areas("finishing the migration to the new billing system") == [
        "finishing the migration to the new billing system"
    ]
    assert focus_areas("sales and marketing") == ["sales", "marketing"]
    assert focus_areas("Android") == ["android"]
