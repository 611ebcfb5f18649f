"""The expected-information order (bot/core/analysis/asking.py)."""

from __future__ import annotations

import numpy as np
import pytest

from bot.core.analysis import Vote, build_matrix, common_ground
from bot.core.analysis.asking import (
    ask_order,
    asking_model,
    group_belief,
    information,
    narrowing,
    next_to_ask,
    place_information,
)
from bot.devtools.votes import camps


def _camps_and_a_shared_view() -> list[Vote]:
    """Two planted camps of 8 on 10 statements (no votes flipped), all agreeing on "shared"."""
    votes = camps((8, 8), 10, 0.0, seed=3)
    members = sorted({v.member for v in votes})
    return votes + [Vote(m, "shared", 1) for m in members]


def test_a_newcomer_is_asked_what_separates_the_camps_before_what_all_agree_on() -> None:
    model = asking_model(build_matrix(_camps_and_a_shared_view()))
    assert len(model.group_sizes) == 2
    # Either order of the candidates: the split statement wins on its merit.
    assert next_to_ask(model, {}, ["shared", "s0"]) == "s0"
    assert next_to_ask(model, {}, ["s0", "shared"]) == "s0"
    values = information(model, {}, ["shared", "s0"])
    assert values[1] > 5 * values[0]


def test_once_the_member_s_camp_is_plain_a_split_statement_teaches_little() -> None:
    model = asking_model(build_matrix(_camps_and_a_shared_view()))
    camp_a = {v.statement: v.vote for v in camps((8, 8), 10, 0.0, seed=3) if v.member == "a0"}
    answers = {s: camp_a[s] for s in ["s0", "s1", "s2", "s3", "s4", "s5"]}
    belief = group_belief(model, answers)
    assert belief.max() > 0.99
    fresh, plain = information(model, {}, ["s9"])[0], information(model, answers, ["s9"])[0]
    # What is left is mostly what one more vote does for the statement's common-ground call.
    assert plain < fresh / 10


def test_an_undecided_statement_comes_before_one_already_called_common_ground() -> None:
    # One vote each: nobody is on the map, so only common ground counts.
    votes = [Vote(f"a{i}", "called", 1) for i in range(30)]
    votes += [Vote(f"b{i}", "open", 1 if i < 3 else -1) for i in range(6)]
    matrix = build_matrix(votes)
    status = {c.id: c.status for c in common_ground(matrix)}
    assert status == {"called": "common_ground", "open": "needs_more_votes"}
    model = asking_model(matrix)
    assert model.group_sizes == ()
    assert next_to_ask(model, {}, ["called", "open"]) == "open"
    assert next_to_ask(model, {}, ["open", "called"]) == "open"


def test_the_order_is_deterministic_and_never_asks_what_was_answered() -> None:
    matrix = build_matrix(_camps_and_a_shared_view())
    candidates = ["shared", *[f"s{j}" for j in range(10)], "new"]
    first, again = asking_model(matrix), asking_model(matrix)
    answers: dict[str, int] = {}
    chosen = []
    for _ in range(len(candidates)):
        pick = next_to_ask(first, answers, candidates)
        assert pick == next_to_ask(again, answers, candidates)
        assert pick is not None and pick not in answers
        chosen.append(pick)
        answers[pick] = 1
    assert sorted(chosen) == sorted(candidates)
    assert next_to_ask(first, answers, candidates) is None
    # A newcomer is first asked what splits the camps.
    assert chosen[0].startswith("s")


def test_asks_never_answered_make_a_statement_worth_less() -> None:
    matrix = build_matrix(_camps_and_a_shared_view())
    answered, skipped = asking_model(matrix), asking_model(matrix, {"s0": 160})
    before = information(answered, {}, ["s0"])[0]
    assert information(skipped, {}, ["s0"])[0] == pytest.approx(before * (17 / 162) / (17 / 18))


def test_one_more_vote_narrows_a_short_interval_more_than_a_long_one() -> None:
    assert narrowing(0.7, 0, 1.2816) > narrowing(0.7, 5, 1.2816) > narrowing(0.7, 50, 1.2816) > 0


def test_what_places_a_member_on_the_map_teaches_less_once_they_answered_it_elsewhere() -> None:
    model = asking_model(build_matrix(_camps_and_a_shared_view()))
    place = model.place
    assert place is not None
    rows = np.asarray([model.index["s9"], model.index["shared"]])
    fresh = place_information(place, rows, [])
    # A split statement loads on the map; one everyone agrees with does not.
    assert fresh[0] > 0.5 and fresh[1] < 0.01
    later = place_information(place, rows, [model.index[f"s{j}"] for j in range(6)])
    assert later[0] < fresh[0] / 2


def test_where_the_model_knows_nothing_the_candidates_order_decides() -> None:
    # Nobody has voted: every statement is worth the same, so Pol.is' order (as the ballot
    # passes it) is kept as it is.
    model = asking_model(build_matrix([], statements=["a", "b", "c"]))
    assert ask_order(model, {}, ["c", "a", "b"], 2) == ["c", "a"]
    assert ask_order(model, {}, ["b", "c", "a"], 5) == ["b", "c", "a"]
