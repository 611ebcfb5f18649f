"""The vote matrix (SPEC §4.1): latest votes, hidden and meta statements."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bot.core.analysis import AnalysisError, Vote, analyze, build_matrix, geometry


def test_the_latest_vote_counts() -> None:
    m = build_matrix(
        [Vote("ann", "s1", 1), Vote("bob", "s1", -1), Vote("ann", "s1", -1), Vote("ann", "s2", 0)]
    )
    assert m.members == ("ann", "bob")
    assert m.statements == ("s1", "s2")
    assert m.values[0, 0] == -1
    assert m.values[0, 1] == 0
    assert math.isnan(m.values[1, 1])
    agree, disagree, passes = m.counts()
    assert (agree.tolist(), disagree.tolist(), passes.tolist()) == ([0, 0], [2, 0], [0, 1])


def test_votes_outside_one_minus_one_zero_are_refused() -> None:
    with pytest.raises(AnalysisError, match="not 1, -1 or 0"):
        build_matrix([Vote("ann", "s1", 2)])


def _team(n_members: int, n_statements: int, seed: int) -> list[Vote]:
    rng = np.random.default_rng(seed)
    return [
        Vote(f"m{i}", f"s{j}", int(rng.choice([-1, 0, 1])))
        for i in range(n_members)
        for j in range(n_statements)
    ]


def test_hidden_and_meta_statements_keep_counts_but_leave_the_map() -> None:
    votes = _team(10, 9, seed=1)
    m = build_matrix(votes, hidden={"s0"}, meta={"s1"})
    shape = geometry(m)
    assert shape is not None
    kept = {m.statements[j] for j in shape.columns}
    assert kept == {f"s{j}" for j in range(2, 9)}
    result = analyze(m)
    by_id = {s.id: s for s in result.statements}
    assert by_id["s0"].agree + by_id["s0"].disagree + by_id["s0"].passes == 10
    assert by_id["s1"].agree + by_id["s1"].disagree + by_id["s1"].passes == 10
    assert set(result.left_out) == {"s0", "s1"}
    assert result.geometry_statements == 7


def test_members_enter_the_map_after_min_7_votes() -> None:
    votes = _team(9, 10, seed=2)
    votes = [v for v in votes if not (v.member == "m0" and v.statement not in {"s0", "s1"})]
    m = build_matrix(votes)
    shape = geometry(m)
    assert shape is not None
    assert 0 not in shape.rows
    assert len(shape.rows) == 8


def test_projection_scales_by_votes_missing() -> None:
    # Everyone voted on all; scaling is 1 and projections are the plain PCA scores.
    m = build_matrix(_team(12, 8, seed=3))
    shape = geometry(m)
    assert shape is not None
    centred = shape.filled - shape.filled.mean(axis=0)
    np.testing.assert_allclose(shape.projections, centred @ shape.components.T)
    np.testing.assert_allclose(shape.components @ shape.components.T, np.eye(2), atol=1e-9)
