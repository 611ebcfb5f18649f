"""Common ground found in small samples of real conversations, against the whole.

    python bench/common_ground.py [--seeds N]

For each Pol.is conversation in tests/data/polis (The Computational Democracy Project,
CC BY 4.0) and each sample size (20 and 50 random members, N seeds each): how many statements
the samples call common ground, the share of those that under 60 % of all members' decided
votes agree with (the wrong calls), and the share of the whole conversation's top 10 common
ground each sample finds (averaged), with the time of one `common_ground` on the whole.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from bot.core.analysis import CommonGround, common_ground
from bot.devtools.replay import sample_members
from bot.polis import read_polis_folder

POLIS = Path(__file__).resolve().parents[1] / "tests" / "data" / "polis"
META = {"london.youth.policing": [str(i) for i in range(14)]}
CONVERSATIONS = [
    "london.youth.policing",
    "brexit-consensus",
    "15-per-hour-seattle",
    "vtaiwan.uberx",
]


def found(result: tuple[CommonGround, ...]) -> list[str]:
    return [c.id for c in result if c.status == "common_ground"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    args = parser.parse_args()
    print(
        "| conversation | common ground, whole | size | called | under 60 % | top 10 found |"
        " time, whole |"
    )
    print("|---|---|---|---|---|---|---|")
    for name in CONVERSATIONS:
        matrix = read_polis_folder(POLIS / name, meta=META.get(name, ()))
        times = []
        for _ in range(5):
            start = time.perf_counter()
            whole = common_ground(matrix)
            times.append(time.perf_counter() - start)
        top = set(found(whole)[:10])
        agree = (matrix.values == 1).sum(axis=0)
        decided = agree + (matrix.values == -1).sum(axis=0)
        share = dict(zip(matrix.statements, agree / np.maximum(decided, 1), strict=True))
        for size in (20, 50):
            calls = [
                found(common_ground(sample_members(matrix, size, s))) for s in range(args.seeds)
            ]
            called = [s for c in calls for s in c]
            wrong = sum(share[s] < 0.6 for s in called) / max(len(called), 1)
            recall = np.mean([len(top & set(c)) / max(len(top), 1) for c in calls])
            print(
                f"| {name} | {len(found(whole))} | {size} | {len(called)} | {wrong:.1%} "
                f"| {recall:.0%} | {min(times) * 1000:.0f} ms |"
            )


if __name__ == "__main__":
    main()
