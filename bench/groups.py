"""Whether the opinion groups are real: figures on real and structureless votes.

    python bench/groups.py [--runs N]

- The four Pol.is conversations in tests/data/polis (The Computational Democracy Project,
  CC BY 4.0): the groups found without k, their stability, and their agreement with Pol.is'
  own groups (adjusted Rand index) beside red-dwarf's with k forced to Pol.is' k.
- The same conversations with each statement's votes shuffled among its voters: how often
  groups are reported.
- Random packs of 6 to 50 members, and planted camps in packs of 6, 8, 12 and 30.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score

from bot.core.analysis import Groups, VoteMatrix, analyze, build_matrix
from bot.core.analysis.reality import shuffled
from bot.devtools.votes import camps, found_whole, random_pack
from bot.polis import read_groups, read_polis_folder

POLIS = Path(__file__).resolve().parents[1] / "tests" / "data" / "polis"
CONVERSATIONS = {
    "london.youth.policing": [str(i) for i in range(14)],
    "brexit-consensus": [],
    "15-per-hour-seattle": [],
    "vtaiwan.uberx": [],
}

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import pandas as pd
    from reddwarf.utils.clusterer.base import run_clusterer
    from reddwarf.utils.matrix import get_clusterable_participant_ids, simple_filter_matrix
    from reddwarf.utils.reducer.base import run_reducer


def ari(theirs: Groups, ours: dict[str, int]) -> float:
    common = [p for p in theirs.assignments if p in ours]
    return float(
        adjusted_rand_score([theirs.assignments[p] for p in common], [ours[p] for p in common])
    )


def red_dwarf_groups(m: VoteMatrix, k: int) -> dict[str, int]:
    frame = pd.DataFrame(
        m.values,
        index=pd.Index(list(m.members), name="participant_id"),
        columns=pd.Index([int(s) for s in m.statements], name="statement_id"),
    )
    mod_out = sorted(int(s) for s in m.excluded)
    filtered = simple_filter_matrix(frame, mod_out_statement_ids=mod_out)
    placed, _, _ = run_reducer(filtered.values, reducer="pca", random_state=0)
    points = pd.DataFrame(placed, columns=pd.Index(["x", "y"]), index=filtered.index)
    ids = get_clusterable_participant_ids(frame, vote_threshold=7)
    found = run_clusterer(
        X_participants_clusterable=points.loc[ids, :].values, force_group_count=k, random_state=0
    )
    assert found is not None
    return dict(zip(ids, found.labels_.tolist(), strict=True))


def conversations(runs: int) -> None:
    print(
        "| conversation | members | Pol.is k | our k | stability | ARI, ours without k |"
        " ARI, red-dwarf with Pol.is' k | shuffled: groups reported | time |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, meta in CONVERSATIONS.items():
        m = read_polis_folder(POLIS / name, meta=meta)
        theirs = read_groups(POLIS / name / "participants-votes.csv")
        start = time.perf_counter()
        groups = analyze(m).grouping.groups
        took = time.perf_counter() - start
        reported = 0
        for seed in range(runs):
            values = shuffled(m.values, np.random.default_rng(1000 + seed))
            null = VoteMatrix(m.members, m.statements, values, m.hidden, m.meta)
            reported += analyze(null).grouping.groups is not None
        ours = "none" if groups is None else f"{ari(theirs, groups.assignments):.3f}"
        print(
            f"| {name} | {len(m.members):,} | {theirs.k} | {groups.k if groups else '-'} "
            f"| {groups.stability if groups else 0:.2f} | {ours} "
            f"| {ari(theirs, red_dwarf_groups(m, theirs.k)):.3f} | {reported} of {runs} "
            f"| {took:.2f} s |"
        )


def packs(runs: int) -> None:
    reported = sum(
        analyze(build_matrix(random_pack(seed))).grouping.groups is not None for seed in range(runs)
    )
    print(f"\nRandom packs of 6 to 50 members: groups reported in {reported} of {runs}.")
    print("\n| planted camps | statements | votes flipped | found whole |")
    print("|---|---|---|---|")
    for sizes in [(3, 3), (4, 4), (6, 6), (15, 15), (10, 10, 10)]:
        statements = 20 if len(sizes) == 3 else 15
        for noise in (0.1, 0.2):
            whole = 0
            for seed in range(runs):
                groups = analyze(build_matrix(camps(sizes, statements, noise, seed))).grouping
                found = None if groups.groups is None else groups.groups.assignments
                whole += found_whole(found, len(sizes))
            shown = " + ".join(str(size) for size in sizes)
            print(f"| {shown} | {statements} | {noise:.0%} | {whole} of {runs} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100, help="shuffles, packs and seeds")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    conversations(min(args.runs, 40))
    packs(args.runs)


if __name__ == "__main__":
    main()
