"""The replay of a recorded conversation that bench/asking.py measures the orders with."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from bot.core.analysis import analyze
from bot.devtools.replay import (
    ORDERS,
    conversation,
    group_agreement,
    overlap,
    read_polis_conversation,
    replay,
    top_common_ground,
)
from bot.devtools.votes import camps


def _timed() -> list[tuple[float, str, str, int]]:
    """Two camps of 6 on 12 statements; member i votes at times 100·i + j on the statements
    they saw (statement j exists from time 10·j), and skips every third one."""
    rows = []
    members = sorted({v.member for v in camps((6, 6), 12, 0.1, seed=1)})
    for v in camps((6, 6), 12, 0.1, seed=1):
        i, j = members.index(v.member), int(v.statement[1:])
        if (i + j) % 3:
            rows.append((100.0 * i + j + 50, v.member, v.statement, v.vote))
    return rows


def test_a_conversation_keeps_times_final_votes_and_leaves_moderated_statements_out() -> None:
    rows = [(5.0, "m1", "s1", 1), (1.0, "m0", "s0", 1), (7.0, "m0", "s0", -1), (3.0, "m2", "x", 1)]
    talk = conversation(rows, created={"s1": 4.0, "s0": 0.5}, hidden={"x"})
    assert talk.members == ("m0", "m1")
    assert talk.statements == ("s0", "s1")
    assert talk.created == {"s0": 0.5, "s1": 4.0}
    assert talk.member_time == {"m0": 7.0, "m1": 5.0}
    assert talk.votes == {("m0", "s0"): -1, ("m1", "s1"): 1}


@pytest.mark.parametrize("name", sorted(ORDERS))
def test_an_unlimited_budget_gives_back_every_recorded_vote(name: str) -> None:
    talk = conversation(_timed(), created={f"s{j}": 10.0 * j for j in range(12)})
    done = replay(talk, ORDERS[name], budget=100, refresh=3)
    assert done.votes == dict(talk.votes)
    assert np.array_equal(talk.matrix(done.votes).values, talk.matrix().values, equal_nan=True)
    assert done.skips == done.asks - len(talk.votes)


@pytest.mark.parametrize("name", sorted(ORDERS))
def test_a_budget_bounds_the_asks_and_nothing_is_asked_twice_or_before_it_exists(
    name: str,
) -> None:
    talk = conversation(_timed(), created={f"s{j}": 10.0 * j for j in range(12)})
    done = replay(talk, ORDERS[name], budget=4, refresh=2)
    per_member = Counter(member for member, _ in done.asked)
    assert set(per_member.values()) == {4}
    assert len(set(done.asked)) == len(done.asked)
    assert all(talk.created[s] <= talk.member_time[m] for m, s in done.asked)
    assert done.votes == {k: talk.votes[k] for k in done.asked if k in talk.votes}
    assert done.skips == sum(k not in talk.votes for k in done.asked)


@pytest.mark.parametrize("name", sorted(ORDERS))
def test_a_budget_in_votes_lets_skips_cost_nothing(name: str) -> None:
    talk = conversation(_timed(), created={f"s{j}": 10.0 * j for j in range(12)})
    done = replay(talk, ORDERS[name], budget=4, refresh=2, count_votes=True)
    given = Counter(member for member, _ in done.votes)
    recorded = Counter(member for member, _ in talk.votes)
    # Every member gives four votes (all voted on more), however many asks it took.
    assert set(given.values()) == {4} and set(given) == set(recorded)
    assert done.skips == done.asks - len(done.votes) > 0
    assert done.votes == {k: talk.votes[k] for k in done.asked if k in talk.votes}
    everything = replay(talk, ORDERS[name], budget=100, refresh=3, count_votes=True)
    assert everything.votes == dict(talk.votes)


def test_the_comparison_with_the_whole_conversation() -> None:
    assert overlap(["a", "b", "c", "d"], ["d", "a", "x"]) == 0.5
    assert overlap([], ["a"]) == 1.0
    assert group_agreement({"a": 0, "b": 0, "c": 1, "d": 1}, {"a": 1, "b": 1, "c": 0, "d": 0}) == (
        1.0,
        4,
    )
    assert group_agreement({"a": 0}, None) == (0.0, 0)
    talk = conversation(_timed(), created={f"s{j}": 10.0 * j for j in range(12)})
    top = top_common_ground(analyze(talk.matrix()), top=3)
    assert len(top) == 3


def test_a_polis_folder_reads_as_a_conversation() -> None:
    folder = Path(__file__).resolve().parents[1] / "data" / "polis" / "london.youth.policing"
    talk = read_polis_conversation(folder, meta=[str(i) for i in range(14)])
    assert len(talk.members) == 26
    # 39 comments; 0, 2 and 3 (meta questions) were moderated out.
    assert len(talk.statements) == 36
    assert not {"0", "2", "3"} & set(talk.statements)
    assert talk.meta == frozenset(str(i) for i in range(14)) - {"0", "2", "3"}
    assert all(talk.created[s] <= talk.member_time[m] for m, s in talk.votes)
