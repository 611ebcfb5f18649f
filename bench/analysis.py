"""The opinion analysis against red-dwarf's Pol.is pipeline on the same vote matrices.

    python bench/analysis.py [--repeat N]

Cases: vtaiwan.uberx (Pol.is data, The Computational Democracy Project, CC BY 4.0), a
synthetic 5,000 members × 500 statements with half the cells voted, and a pack of 30 on 60
statements. Both sides start from a vote matrix already built: ours from `VoteMatrix`,
red-dwarf's from its pandas matrix (its own pivot of the vote list is timed on its own line).
Times are the best of N runs; peak memory is traced in one extra run of each.
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bot.core.analysis import VoteMatrix, analyze
from bot.polis import read_polis_folder

POLIS = Path(__file__).resolve().parents[1] / "tests" / "data" / "polis"

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import pandas as pd
    from reddwarf.utils.clusterer.base import run_clusterer
    from reddwarf.utils.consensus import select_consensus_statements
    from reddwarf.utils.matrix import (
        generate_raw_matrix,
        get_clusterable_participant_ids,
        simple_filter_matrix,
    )
    from reddwarf.utils.reducer.base import run_reducer
    from reddwarf.utils.stats import (
        calculate_comment_statistics_dataframes,
        populate_priority_calculations_into_statements_df,
        select_representative_statements,
    )


def red_dwarf_pipeline(raw: Any, mod_out: list[int]) -> Any:
    """red-dwarf's `run_pipeline` (reddwarf.implementations.base) step by step, from its raw
    matrix on: zero moderated columns, PCA, vote threshold, k-means with k by silhouette,
    group statistics, priorities, consensus and representative statements."""
    filtered = simple_filter_matrix(raw, mod_out_statement_ids=mod_out)
    members, statements, _ = run_reducer(filtered.values, reducer="pca", random_state=0)
    placed = pd.DataFrame(members, columns=pd.Index(["x", "y"]), index=filtered.index)
    ids = get_clusterable_participant_ids(raw, vote_threshold=7)
    clusterer = run_clusterer(
        X_participants_clusterable=placed.loc[ids, :].values, max_group_count=5, random_state=0
    )
    assert clusterer is not None
    grouped, gac = calculate_comment_statistics_dataframes(raw.loc[ids, :], clusterer.labels_)
    frame = pd.DataFrame(statements, columns=pd.Index(["x", "y"]), index=filtered.columns)
    frame["is_meta"] = False
    frame = populate_priority_calculations_into_statements_df(frame, raw.loc[ids, :])
    consensus = select_consensus_statements(raw, mod_out_statement_ids=mod_out)
    repness = select_representative_statements(grouped, mod_out_statement_ids=mod_out)
    return gac, consensus, repness


def as_frame(m: VoteMatrix) -> Any:
    return pd.DataFrame(
        m.values,
        index=pd.Index(range(len(m.members)), name="participant_id"),
        columns=pd.Index([int(s) for s in m.statements], name="statement_id"),
    )


def as_votes(m: VoteMatrix) -> list[dict[str, int | float]]:
    rows, columns = np.nonzero(~np.isnan(m.values))
    return [
        {
            "participant_id": int(i),
            "statement_id": int(m.statements[j]),
            "vote": int(m.values[i, j]),
            "modified": 0.0,
        }
        for i, j in zip(rows.tolist(), columns.tolist(), strict=True)
    ]


def synthetic(n_members: int, n_statements: int, seed: int = 0) -> VoteMatrix:
    """Three camps with opposed stances, a quarter of votes replaced by noise, half unseen."""
    rng = np.random.default_rng(seed)
    camp = rng.integers(0, 3, n_members)
    stance = rng.choice([-1.0, 1.0], size=(3, n_statements))
    values = stance[camp]
    noise = rng.random(values.shape) < 0.25
    values[noise] = rng.choice([-1.0, 0.0, 1.0], size=int(noise.sum()))
    values[rng.random(values.shape) < 0.5] = np.nan
    return VoteMatrix(
        members=tuple(f"m{i}" for i in range(n_members)),
        statements=tuple(str(j) for j in range(n_statements)),
        values=values,
    )


def pack(size: int, n_statements: int, seed: int = 0) -> VoteMatrix:
    """Two camps and a lone wolf, as in the tests: the camps agree on a third of the
    statements and are opposed on the rest, a tenth of their votes flipped."""
    rng = np.random.default_rng(seed)
    stance = rng.choice([-1.0, 1.0], size=n_statements)
    shared = np.arange(n_statements) < n_statements // 3
    sides = np.where(np.arange(size - 1) < (size - 1) // 2, 1.0, -1.0)
    values = np.where(shared, stance, sides[:, np.newaxis] * stance)
    flip = rng.random(values.shape) < 0.1
    values[flip] = -values[flip]
    wolf = np.where(shared, -stance, 0.0)
    return VoteMatrix(
        members=tuple(f"m{i}" for i in range(size)),
        statements=tuple(str(j) for j in range(n_statements)),
        values=np.vstack([values, wolf]),
    )


def best_time(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def peak_memory(run: Callable[[], object]) -> float:
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def compare(name: str, m: VoteMatrix, repeat: int) -> None:
    frame = as_frame(m)
    mod_out = sorted(int(s) for s in m.excluded)
    votes = as_votes(m)

    def ours() -> object:
        return analyze(m)

    def theirs() -> object:
        return red_dwarf_pipeline(frame, mod_out)

    ours()
    k = len(red_dwarf_pipeline(frame, mod_out)[2])

    def ours_forced() -> object:
        return analyze(m, k=k)

    ours_best, ours_median = best_time(ours, repeat)
    forced_best, forced_median = best_time(ours_forced, repeat)
    theirs_best, theirs_median = best_time(theirs, repeat)
    pivot, _ = best_time(lambda: generate_raw_matrix(votes), max(1, repeat // 2))
    ours_peak, theirs_peak = peak_memory(ours), peak_memory(theirs)
    groups = analyze(m).grouping.groups
    found = "no distinct camps" if groups is None else f"{groups.k} groups"
    size = f"{len(m.members):,} × {len(m.statements):,}"
    print(f"\n{name}: {size}, {votes_cast(m):,} votes ({found})")
    print("| | best | median | peak memory |")
    print("|---|---|---|---|")
    print(f"| ours | {ours_best:.3f} s | {ours_median:.3f} s | {ours_peak:.0f} MiB |")
    print(
        f"| ours with --k {k}, red-dwarf's k | {forced_best:.3f} s | {forced_median:.3f} s "
        f"| {peak_memory(ours_forced):.0f} MiB |"
    )
    print(f"| red-dwarf | {theirs_best:.3f} s | {theirs_median:.3f} s | {theirs_peak:.0f} MiB |")
    print(f"| red-dwarf's pivot of the vote list (extra) | {pivot:.3f} s | | |")
    print(
        f"red-dwarf / ours: {theirs_best / ours_best:.1f}x time, "
        f"{theirs_peak / ours_peak:.1f}x memory"
    )


def votes_cast(m: VoteMatrix) -> int:
    return int(np.sum(~np.isnan(m.values)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pack-repeat", type=int, default=200)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    compare("vtaiwan.uberx", read_polis_folder(POLIS / "vtaiwan.uberx"), args.repeat)
    compare("synthetic", synthetic(5000, 500), args.repeat)
    small = pack(30, 60)
    analyze(small)
    times = []
    for _ in range(args.pack_repeat):
        start = time.perf_counter()
        analyze(small)
        times.append(time.perf_counter() - start)
    times.sort()
    groups = analyze(small).grouping.groups
    print(
        f"\npack of 30 × 60 ({'no' if groups is None else groups.k} groups), "
        f"{args.pack_repeat} runs: best {times[0] * 1000:.1f} ms, "
        f"median {statistics.median(times) * 1000:.1f} ms, "
        f"p95 {times[int(0.95 * len(times)) - 1] * 1000:.1f} ms (goal: under 50 ms)"
    )


if __name__ == "__main__":
    main()
