"""Per-statement formulas (SPEC §4.2, §4.3) on hand-made counts, and their properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.analysis import Rules, divisiveness, select_consensus, statement_stats, two_prop_z

counts = st.integers(min_value=0, max_value=500)


def test_formulas_on_hand_made_counts() -> None:
    s = statement_stats("c", agree=8, disagree=1, passes=1)
    assert s.pa == pytest.approx(9 / 12)
    assert s.pd == pytest.approx(2 / 12)
    assert s.pat == pytest.approx(2 * math.sqrt(11) * (9 / 11 - 0.5))
    assert s.pdt == pytest.approx(2 * math.sqrt(11) * (2 / 11 - 0.5))
    assert s.divisiveness == pytest.approx(1 - 7 / 9)
    assert s.consensus == "agree"
    assert not s.contested
    assert not s.uncertain


def test_consensus_needs_both_share_and_significance() -> None:
    # pa = 3/5 > 0.5 but pat = 2·2·(3/4 − 0.5) = 1.0 is not significant.
    assert statement_stats("c", agree=2, disagree=0, passes=1).consensus is None
    assert statement_stats("c", agree=0, disagree=9, passes=0).consensus == "disagree"


def test_divisiveness_needs_three_decided_votes() -> None:
    assert divisiveness(1, 1) is None
    assert divisiveness(2, 1) == pytest.approx(1 - 1 / 3)
    assert divisiveness(5, 5) == 1.0
    s = statement_stats("c", agree=1, disagree=1, passes=5)
    assert s.divisiveness is None
    assert not s.contested
    assert s.uncertain


def test_contested_threshold_and_sides() -> None:
    # 1 − |4−2|/6 = 0.667 ≥ 0.6
    assert statement_stats("c", agree=4, disagree=2, passes=0).contested
    # 1 − |5−1|/6 = 0.333
    assert not statement_stats("c", agree=5, disagree=1, passes=0).contested
    # A one-sided statement is never contested, even with a lowered bar.
    lenient = Rules(contested_divisiveness=0.0)
    assert not statement_stats("c", agree=0, disagree=4, passes=0, rules=lenient).contested
    assert statement_stats("c", agree=5, disagree=1, passes=0, rules=lenient).contested


def test_uncertainty_is_a_pass_share_above_three_tenths() -> None:
    assert not statement_stats("c", agree=7, disagree=0, passes=3).uncertain
    assert statement_stats("c", agree=6, disagree=0, passes=3).uncertain


def test_consensus_ranks_by_share_times_z_and_skips_hidden() -> None:
    stats = (
        statement_stats("weak", 6, 1, 0),
        statement_stats("strong", 20, 0, 0),
        statement_stats("hidden", 50, 0, 0),
        statement_stats("no", 0, 12, 1),
    )
    chosen = select_consensus(stats, frozenset({"hidden"}))
    assert chosen.agree == ("strong", "weak")
    assert chosen.disagree == ("no",)


def test_two_prop_z_is_zero_for_equal_groups_and_signed() -> None:
    assert two_prop_z(5, 5, 10, 10) == pytest.approx(0.0)
    assert two_prop_z(9, 1, 10, 10) > 1.2816
    assert two_prop_z(1, 9, 10, 10) < -1.2816


@settings(derandomize=True)
@given(counts, counts, counts)
def test_probabilities_are_strictly_between_zero_and_one(a: int, d: int, p: int) -> None:
    s = statement_stats("c", a, d, p)
    assert 0 < s.pa < 1
    assert 0 < s.pd < 1
    assert s.pa + s.pd < 1 or math.isclose(s.pa + s.pd, 1)


@settings(derandomize=True)
@given(counts, counts)
def test_divisiveness_is_bounded_and_symmetric(a: int, d: int) -> None:
    value = divisiveness(a, d)
    assert value == divisiveness(d, a)
    if a + d < 3:
        assert value is None
    else:
        assert value is not None
        assert 0 <= value <= 1


@settings(derandomize=True)
@given(counts, counts, counts)
def test_consensus_is_never_both_ways(a: int, d: int, p: int) -> None:
    s = statement_stats("c", a, d, p)
    agree = s.pa > 0.5 and s.pat > 1.2816
    disagree = s.pd > 0.5 and s.pdt > 1.2816
    assert not (agree and disagree)
    assert s.consensus == ("agree" if agree else "disagree" if disagree else None)
