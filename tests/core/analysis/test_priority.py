"""Which statement to ask next (SPEC §4.6)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.analysis import Vote, build_matrix, geometry, importance, next_statements, priority


def test_priority_formula_on_hand_made_counts() -> None:
    # A=4, P=2, S=8, E=0.5
    expected_importance = (1 - 3 / 10) * 1.5 * 5 / 10
    assert importance(4, 2, 8, 0.5) == pytest.approx(expected_importance)
    boost = 1 + 8 * 2 ** (-8 / 5)
    assert priority(4, 2, 8, 0.5) == pytest.approx((expected_importance * boost) ** 2)


def test_a_statement_nobody_saw_has_the_full_boost() -> None:
    assert priority(0, 0, 0, 0.0) == pytest.approx((0.25 * 9) ** 2)


@settings(derandomize=True)
@given(st.integers(0, 50), st.integers(0, 50), st.integers(0, 50), st.floats(0, 10))
def test_priority_is_finite_and_grows_with_extremity(a: int, p: int, d: int, e: float) -> None:
    seen = a + p + d
    value = priority(a, p, seen, e)
    assert math.isfinite(value)
    assert value > 0
    assert priority(a, p, seen, e + 1) > value


def _team() -> list[Vote]:
    votes = []
    for i in range(8):
        votes.append(Vote(f"m{i}", "liked", 1))
        votes.append(Vote(f"m{i}", "split", 1 if i % 2 else -1))
        votes.append(Vote(f"m{i}", "passed", 0))
        votes.append(Vote(f"m{i}", "side", 1 if i < 4 else -1))
    votes.append(Vote("m0", "fresh-1", 1))
    return votes


def test_new_statements_come_first_then_priority() -> None:
    m = build_matrix(_team(), statements=["liked", "split", "passed", "side", "fresh-1", "new"])
    # m1 has voted on the four old statements, so only the fresh ones remain.
    assert next_statements(m, "m1", limit=10) == ["new", "fresh-1"]
    everyone = next_statements(m, "m1", limit=10, exclude_voted=False)
    assert everyone[0] == "new"
    assert everyone[-1] == "passed"
    assert next_statements(m, "m1", limit=1, exclude_voted=False) == ["new"]


def test_hidden_statements_are_never_asked_and_newcomers_get_everything() -> None:
    m = build_matrix(_team(), hidden={"split"})
    order = next_statements(m, "newcomer", limit=10)
    assert "split" not in order
    assert set(order) == {"liked", "passed", "side", "fresh-1"}
    shape = geometry(m)
    assert next_statements(m, "newcomer", limit=10, shape=shape) == order
