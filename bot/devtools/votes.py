"""Votes with a known structure, for the tests and the benchmarks of the opinion analysis:
planted camps, and random packs with none."""

from __future__ import annotations

import numpy as np

from bot.core.analysis import Vote


def camps(sizes: tuple[int, ...], n_statements: int, noise: float, seed: int) -> list[Vote]:
    """Up to three camps of the given sizes; members are named by camp: a0, a1, …, b0, ….
    Camp a holds a stance on every statement, camp b the opposite one, camp c a stance drawn
    on its own; each vote flips with probability `noise`."""
    rng = np.random.default_rng(seed)
    stances = [rng.choice([-1, 1], size=n_statements)]
    stances.append(-stances[0])
    stances.append(rng.choice([-1, 1], size=n_statements))
    votes = []
    for c, size in enumerate(sizes):
        for i in range(size):
            for j in range(n_statements):
                vote = int(stances[c][j])
                if rng.random() < noise:
                    vote = -vote
                votes.append(Vote(f"{'abc'[c]}{i}", f"s{j}", vote))
    return votes


def random_pack(seed: int) -> list[Vote]:
    """6 to 50 members, 8 to 30 statements, each seen with probability 0.8 and voted at random
    (45 % agree, 35 % disagree, 20 % pass)."""
    rng = np.random.default_rng(seed)
    n_members, n_statements = int(rng.integers(6, 51)), int(rng.integers(8, 31))
    return [
        Vote(f"m{i}", f"s{j}", int(rng.choice([-1, 0, 1], p=[0.35, 0.2, 0.45])))
        for i in range(n_members)
        for j in range(n_statements)
        if rng.random() < 0.8
    ]


def found_whole(groups: dict[str, int] | None, n_camps: int) -> bool:
    """Whether these group assignments are exactly the planted camps (by name prefix)."""
    if groups is None:
        return False
    labels = {camp: {g for m, g in groups.items() if m[0] == camp} for camp in "abc"[:n_camps]}
    every = set().union(*labels.values())
    return len(every) == n_camps and all(len(found) == 1 for found in labels.values())
