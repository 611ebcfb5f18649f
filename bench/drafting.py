"""Drafts from the pack's own words against the best single statement: each group's least
predicted agreement.

    python bench/drafting.py [--seeds N]

Part 1, the demo's splits (bot/devtools/demo.py: its planted votes and reasons): for each
split statement, its two sides as the groups, the draft that must address the split (the
product's rule: at least one sentence on it, at most one from elsewhere), the same with any
number from elsewhere, the draft free of both rules, the best single statement and the best
single sentence on the split.

Part 2, the Pol.is conversations in tests/data/polis (The Computational Democracy Project,
CC BY 4.0), statements only (Pol.is has no reasons): the whole conversation with the
analysis' groups, and samples of 20 and 50 random members (N seeds each). In a sample the
groups are the analysis' groups of the sample when it finds real ones, otherwise the sides
of the sample's most divisive statement (the product's fallback on a split). Predicted: the
draft's least group agreement against the best single statement's, in the sample. Held out:
both choices scored on the whole conversation (its analysis' groups, or the whole's sides of
that statement), where the sample could not see.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from bot.core.analysis import VoteMatrix, find_groups, geometry
from bot.core.analysis.drafting import (
    OpinionGroups,
    Reason,
    Sentence,
    best_statement,
    candidates,
    draft,
    groups_from,
    split_sides,
)
from bot.core.analysis.matrix import Vote, build_matrix
from bot.core.analysis.report import short_text
from bot.core.analysis.stats import all_statement_stats
from bot.devtools import demo
from bot.devtools.replay import sample_members
from bot.polis import read_votes

POLIS = Path(__file__).resolve().parents[1] / "tests" / "data" / "polis"
META = {"london.youth.policing": [str(i) for i in range(14)]}
CONVERSATIONS = [
    "london.youth.policing",
    "brexit-consensus",
    "15-per-hour-seattle",
    "vtaiwan.uberx",
]


def demo_split() -> None:
    votes = [Vote(m, t, int(v)) for t, on_it in demo.VOTES.items() for m, v in on_it.items()]
    matrix = build_matrix(votes)
    texts = {t: t for t in demo.VOTES}
    reasons = [Reason(t, int(demo.VOTES[t][m]), r) for (t, m), r in demo.REASONS.items()]
    grouping = find_groups(matrix, geometry(matrix))
    print(f"Demo: analysis' groups: {grouping.reason if grouping.groups is None else 'found'}.")
    print()
    print(
        "| split | draft on the split (least) | the same, padding let through (least) "
        "| draft, any sentences (least) | best single statement (least) "
        "| best single sentence on the split (least) |"
    )
    print("|---|---|---|---|---|---|")
    for split in (demo.CLI, demo.RUST):
        sides = split_sides(matrix, split)
        on = draft(matrix, texts, reasons, sides, split)
        padded = draft(matrix, texts, reasons, sides, split, off_split=None)
        free = draft(matrix, texts, reasons, sides)
        assert on is not None and padded is not None and free is not None
        best, best_least = best_statement(matrix, sides)
        single = max(
            (c for c in candidates(matrix, texts, reasons, sides, split) if c.statement == split),
            key=lambda c: c.least,
        )
        print(
            f"| {split} | “{on.text}” ({on.least:.2f}) | “{padded.text}” ({padded.least:.2f}) "
            f"| “{free.text}” ({free.least:.2f}) "
            f"| “{best}” ({best_least:.2f}) | “{single.text}” ({single.least:.2f}) |"
        )


def least_on(matrix: VoteMatrix, groups: OpinionGroups, statements: list[str]) -> float:
    """The least over the groups of their mean Laplace agreement with these statements."""
    columns = [matrix.statements.index(s) for s in statements]
    per_group = []
    for rows in groups.rows:
        values = matrix.values[np.ix_(list(rows), columns)]
        ups, downs = (values == 1).sum(axis=0), (values == -1).sum(axis=0)
        per_group.append(float(np.mean((ups + 1) / (ups + downs + 2))))
    return min(per_group)


def analysis_groups(matrix: VoteMatrix) -> OpinionGroups | None:
    groups = find_groups(matrix, geometry(matrix)).groups
    return None if groups is None else groups_from(matrix, groups.assignments)


def most_divisive(matrix: VoteMatrix) -> str:
    stats = [s for s in all_statement_stats(matrix) if s.id not in matrix.excluded]
    return max(stats, key=lambda s: (s.divisiveness or 0.0, s.agree + s.disagree)).id


def sources(chosen: tuple[Sentence, ...]) -> list[str]:
    return [s.statement for s in chosen]


def polis(seeds: int) -> None:
    print(
        "| conversation | members | groups | runs | draft beats best statement | ties "
        "| predicted least: draft / best statement | held out on the whole: draft / best "
        "statement | held out: draft better / worse | of its wins, held out better / worse "
        "| sentences | time, whole |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    whole_drafts: list[tuple[str, str, float, float]] = []
    for name in CONVERSATIONS:
        whole, texts = read_votes(POLIS / name, META.get(name, ()))
        start = time.perf_counter()
        whole_groups = analysis_groups(whole)
        assert whole_groups is not None
        made = draft(whole, texts, [], whole_groups)
        elapsed = time.perf_counter() - start
        assert made is not None
        whole_drafts.append((name, made.text, made.least, made.best_statement_least))
        _row(
            name,
            "all",
            "analysis'",
            [
                (
                    made.least,
                    made.best_statement_least,
                    made.least,
                    made.best_statement_least,
                    len(made.sentences),
                )
            ],
            elapsed,
        )
        for size in (20, 50):
            runs: dict[str, list[tuple[float, float, float, float, int]]] = {}
            for seed in range(seeds):
                part = sample_members(whole, size, seed)
                groups = analysis_groups(part)
                kind, truth = "analysis'", whole_groups
                if groups is None:
                    split = most_divisive(part)
                    kind, groups, truth = "split sides", split_sides(part, split), None
                    truth = split_sides(whole, split)
                if any(not rows for rows in groups.rows):
                    continue
                got = draft(part, texts, [], groups)
                if got is None or got.best_statement is None:
                    continue
                runs.setdefault(kind, []).append(
                    (
                        got.least,
                        got.best_statement_least,
                        least_on(whole, truth, sources(got.sentences)),
                        least_on(whole, truth, [got.best_statement]),
                        len(got.sentences),
                    )
                )
            for kind, found in sorted(runs.items()):
                _row(name, str(size), kind, found, None)
    print()
    for name, text, least, best in whole_drafts:
        print(f"- {name}, whole: “{short_text(text, 300)}” ({least:.3f} against {best:.3f})")


def _row(
    name: str,
    size: str,
    kind: str,
    runs: list[tuple[float, float, float, float, int]],
    elapsed: float | None,
) -> None:
    a = np.array(runs)
    beats = int((a[:, 0] > a[:, 1] + 1e-9).sum())
    ties = int((np.abs(a[:, 0] - a[:, 1]) <= 1e-9).sum())
    held = int((a[:, 2] > a[:, 3] + 1e-9).sum())
    worse = int((a[:, 2] < a[:, 3] - 1e-9).sum())
    won = a[:, 0] > a[:, 1] + 1e-9
    won_held = int((won & (a[:, 2] > a[:, 3] + 1e-9)).sum())
    won_worse = int((won & (a[:, 2] < a[:, 3] - 1e-9)).sum())
    timing = "" if elapsed is None else f"{elapsed * 1000:.0f} ms"
    print(
        f"| {name} | {size} | {kind} | {len(a)} | {beats} | {ties} "
        f"| {a[:, 0].mean():.3f} / {a[:, 1].mean():.3f} "
        f"| {a[:, 2].mean():.3f} / {a[:, 3].mean():.3f} | {held} / {worse} "
        f"| {won_held} / {won_worse} | {a[:, 4].mean():.1f} "
        f"| {timing} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    args = parser.parse_args()
    demo_split()
    print()
    polis(args.seeds)


if __name__ == "__main__":
    main()
