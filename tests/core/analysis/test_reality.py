"""Groups are reported only when they are real (SPEC §4.4): camps found where they exist, from
a pack of 6 up, and phantom camps in at most 1 of 20 structureless packs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from bot.core.analysis import Vote, VoteMatrix, analyze, as_json, build_matrix, render_text
from bot.core.analysis.reality import adjusted_rand, batched_kmeans, map_share, shuffled
from bot.devtools.votes import camps, found_whole, random_pack


def found(votes: list[Vote], n_camps: int = 2) -> bool:
    groups = analyze(build_matrix(votes)).grouping.groups
    return found_whole(None if groups is None else groups.assignments, n_camps)


def test_two_camps_of_three_in_a_pack_of_six_are_found() -> None:
    # Each member keeps their camp's stance on about 90 % of 15 statements; measured: 20 of 20.
    assert sum(found(camps((3, 3), 15, 0.1, seed)) for seed in range(20)) == 20
    result = analyze(build_matrix(camps((3, 3), 15, 0.1, 0)))
    groups = result.grouping.groups
    assert groups is not None and groups.stability is not None
    assert groups.stability >= 0.9
    assert as_json(result)["groups"] == {
        "k": 2,
        "silhouette": groups.silhouette,
        "stability": groups.stability,
        "assignments": groups.assignments,
    }
    assert f"stability {groups.stability:.2f}" in render_text(result)


@pytest.mark.parametrize("size", [4, 6, 15])
def test_camps_are_found_in_packs_of_8_12_and_30(size: int) -> None:
    # Measured: 20 of 20 for each size.
    assert sum(found(camps((size, size), 15, 0.1, seed)) for seed in range(20)) >= 19


def test_three_camps_of_ten_are_found() -> None:
    # Camp c's stance is drawn at random, so it shares about half of a's and sometimes more:
    # two groups (a with c, and b) are then about as stable as three, and the 2-D silhouette
    # settles it. Measured: 10 of 10.
    assert sum(found(camps((10, 10, 10), 20, 0.1, seed), 3) for seed in range(10)) >= 9


def test_random_packs_of_6_to_50_show_camps_at_most_once_in_20() -> None:
    # Measured: 0 of 100.
    reported = [analyze(build_matrix(random_pack(seed))).grouping for seed in range(100)]
    assert sum(grouping.groups is not None for grouping in reported) <= 5
    reasons = {grouping.reason for grouping in reported if grouping.groups is None}
    assert "the votes are no more structured than the same votes shuffled at random" in reasons


def test_a_pack_whose_members_agree_on_everything_has_no_groups() -> None:
    votes = [Vote(f"m{i}", f"s{j}", 1) for i in range(8) for j in range(10)]
    grouping = analyze(build_matrix(votes)).grouping
    assert grouping.groups is None


def test_shuffling_keeps_each_statements_votes_and_who_voted() -> None:
    rng = np.random.default_rng(3)
    values = rng.choice([-1.0, 0.0, 1.0, np.nan], size=(40, 12))
    out = shuffled(values, np.random.default_rng(0))
    np.testing.assert_array_equal(np.isnan(out), np.isnan(values))
    for j in range(values.shape[1]):
        column = values[:, j]
        assert sorted(out[:, j][~np.isnan(column)]) == sorted(column[~np.isnan(column)])
    assert not np.array_equal(np.nan_to_num(out, nan=9), np.nan_to_num(values, nan=9))


def test_the_map_share_of_camps_beats_their_shuffles() -> None:
    m = build_matrix(camps((5, 5), 15, 0.1, 0))
    rng = np.random.default_rng(0)
    null = [map_share(shuffled(m.values, rng)) for _ in range(20)]
    assert map_share(m.values) > max(null)


def test_batched_kmeans_finds_sklearns_partition_on_separate_blobs() -> None:
    rng = np.random.default_rng(1)
    centres = np.array([[0.0, 0.0], [5.0, 5.0], [0.0, 6.0]])
    points = np.concatenate([c + rng.normal(scale=0.5, size=(30, 2)) for c in centres])
    ours = batched_kmeans(points[np.newaxis], 3, 4, np.random.default_rng(0))[0]
    theirs = KMeans(n_clusters=3, n_init=4, random_state=0).fit_predict(points)
    assert adjusted_rand_score(ours, theirs) == 1.0


@given(st.integers(2, 40), st.integers(1, 5), st.integers(1, 5), st.integers(0, 10_000))
def test_adjusted_rand_equals_sklearns(n: int, k1: int, k2: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, k1, n), rng.integers(0, k2, n)
    assert adjusted_rand(a, b) == pytest.approx(adjusted_rand_score(a, b), abs=1e-12)


camp_packs = st.tuples(
    st.integers(3, 8), st.integers(3, 8), st.integers(8, 20), st.sampled_from([0.0, 0.1, 0.2])
).flatmap(lambda t: st.tuples(st.just(t), st.integers(0, 1000)))


def permuted(m: VoteMatrix, seed: int) -> VoteMatrix:
    rng = np.random.default_rng(seed)
    rows, columns = rng.permutation(len(m.members)), rng.permutation(len(m.statements))
    return VoteMatrix(
        tuple(m.members[i] for i in rows),
        tuple(m.statements[j] for j in columns),
        m.values[np.ix_(rows, columns)],
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(camp_packs)
def test_groups_are_deterministic_and_ignore_row_and_column_order(
    pack: tuple[tuple[int, int, int, float], int],
) -> None:
    (a, b, n_statements, noise), seed = pack
    m = build_matrix(camps((a, b), n_statements, noise, seed))
    first = analyze(m).grouping
    assert analyze(m).grouping == first
    other = analyze(permuted(m, seed)).grouping
    assert set(other.outliers) == set(first.outliers)
    assert (other.groups is None) == (first.groups is None)
    if other.groups is not None and first.groups is not None:
        assert other.groups.assignments == first.groups.assignments
        assert other.groups.stability == first.groups.stability
        # The silhouette sums the same distances in another order.
        assert other.groups.silhouette == pytest.approx(first.groups.silhouette, abs=1e-12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(camp_packs, st.sampled_from([1, -1]))
def test_a_statement_everyone_votes_alike_changes_no_group(
    pack: tuple[tuple[int, int, int, float], int], side: int
) -> None:
    (a, b, n_statements, noise), seed = pack
    votes = camps((a, b), n_statements, noise, seed)
    before = analyze(build_matrix(votes)).grouping
    members = sorted({v.member for v in votes})
    after = analyze(build_matrix(votes + [Vote(m, "same", side) for m in members])).grouping
    assert (after.groups is None) == (before.groups is None)
    if before.groups is not None and after.groups is not None:
        assert after.groups.assignments == before.groups.assignments
        assert after.groups.stability == before.groups.stability
