"""Asking the statements that teach the most: Pol.is' order against expected information.

    python bench/asking.py [--budgets 3,5,6,…,16,18,20,22,25,28,30,35,40,50,60,…,100]
                           [--refreshes 25] [--only NAME,...] [--count asks|votes]
                           [--orders polis,information] [--set NAME=VALUE ...]
    python bench/asking.py --ballot-cost

The four Pol.is conversations in tests/data/polis (The Computational Democracy Project,
CC BY 4.0) are replayed in time order with members answering only what they are asked
(bot/devtools/replay.py):

- Statements (moderated-out ones left out) exist from their creation (comments.csv' time, or
  their first vote if earlier);
  members come in the order of their first vote, and a member's time is that of their last
  vote. Each member gets a budget of n asks; at each ask the order picks, among the
  statements that exist at the member's time and that they have not been asked, the next one;
  the member answers with their recorded final vote, or skips (the ask counts, no vote) when
  they never voted on it. With `--count votes` the budget is n votes and a skip costs
  nothing (the member is asked until they gave n votes or nothing is left). The order's
  model of the others' votes is refreshed `--refreshes` times in a replay (after every
  members ÷ refreshes members, at least every member); the member's own answers are known to
  it at every ask.
- The reference is the analysis (`analyze`, default rules, as bench/groups.py) of all the
  recorded votes less those on moderated-out statements: what an unlimited budget gives back.
- After a replay with budget n, the analysis of the collected votes is compared with it:
  groups by the adjusted Rand index over the members grouped in both (0 when the replay
  finds no groups), with the share of the reference's grouped members the replay groups;
  common ground by the overlap of the two top-10 lists (the statements called common ground
  in the analysis' order, filled up to 10 with the others by score), as a share of the
  reference's list.
- Needed: the smallest n on the grid from which ARI ≥ 0.9 and overlap ≥ 0.8 hold at every
  larger n of the grid ("> max" when the largest misses). The goal: the expected-information
  order needs at most 60 % of the asks per member that Pol.is' order needs.

Orders: `polis` is Pol.is' priority (`next_statements`), the same ranking for everyone with
statements nobody has seen first; `information` is bot/core/analysis/asking.py, what the bot's
ballot asks (SPEC §4.6), equals in Pol.is' order. `--set NAME=VALUE` changes one of
asking.py's weights for the run (PLACE_WEIGHT, GROUND_WEIGHT, RANKED, ANSWER_WEIGHT, ...).
`--ballot-cost` times one ballot of the bot in a pack of 30 instead.
"""

from __future__ import annotations

import argparse
import math
import time
import warnings
from pathlib import Path

import numpy as np

from bot.core.analysis import analyze, asking, build_matrix, next_statements
from bot.core.analysis.asking import ask_order, asking_model
from bot.devtools.replay import (
    ORDERS,
    group_agreement,
    overlap,
    read_polis_conversation,
    replay,
    top_common_ground,
)
from bot.devtools.votes import camps

POLIS = Path(__file__).resolve().parents[1] / "tests" / "data" / "polis"
CONVERSATIONS = {
    "london.youth.policing": [str(i) for i in range(14)],
    "brexit-consensus": [],
    "15-per-hour-seattle": [],
    "vtaiwan.uberx": [],
}
ARI_GOAL = 0.9
OVERLAP_GOAL = 0.8


def needed(budgets: list[int], met: list[bool]) -> int | None:
    """The smallest budget from which every larger one meets the goals."""
    found = None
    for budget, ok in zip(reversed(budgets), reversed(met), strict=True):
        if not ok:
            break
        found = budget
    return found


def ballot_cost(repeats: int = 20) -> None:
    """What drawing one ballot costs the bot in a pack of 30 (`ballot_of`'s analysis part):
    Pol.is' order, the model rebuilt from every vote, and five statements picked for a member
    who answered half of them; two camps, each member voting on about 70 % of the statements."""
    print("| members | statements | votes | Pol.is' order | model | five picks | total |")
    print("|---|---|---|---|---|---|---|")
    for n_statements in (20, 60, 150):
        rng = np.random.default_rng(n_statements)
        votes = [v for v in camps((15, 15), n_statements, 0.2, seed=1) if rng.random() < 0.7]
        matrix = build_matrix(votes)
        member = matrix.members[0]
        row = matrix.values[0]
        answers = {s: int(row[j]) for j, s in enumerate(matrix.statements) if not np.isnan(row[j])}
        answers = dict(list(answers.items())[: len(answers) // 2])
        took = [0.0, 0.0, 0.0]
        for _ in range(repeats):
            start = time.perf_counter()
            order = next_statements(matrix, member, limit=n_statements)
            polis = time.perf_counter()
            model = asking_model(matrix)
            built = time.perf_counter()
            ask_order(model, answers, [s for s in order if s not in answers], 5)
            picked = time.perf_counter()
            took[0] += polis - start
            took[1] += built - polis
            took[2] += picked - built
        ms = [1000 * t / repeats for t in took]
        print(
            f"| 30 | {n_statements} | {len(votes)} | {ms[0]:.1f} ms | {ms[1]:.1f} ms "
            f"| {ms[2]:.1f} ms | {sum(ms):.1f} ms |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--budgets",
        default="3,5,6,7,8,9,10,11,12,13,14,15,16,18,20,22,25,28,30,35,40,50,60,70,80,90,100",
    )
    parser.add_argument("--refreshes", type=int, default=25)
    parser.add_argument("--only", default="", help="conversations, comma-separated")
    parser.add_argument(
        "--count", choices=("asks", "votes"), default="asks", help="what a budget counts"
    )
    parser.add_argument("--orders", default=",".join(ORDERS), help="orders, comma-separated")
    parser.add_argument(
        "--set", action="append", default=[], help="NAME=VALUE: a weight of asking.py"
    )
    parser.add_argument(
        "--ballot-cost", action="store_true", help="only time one ballot in a pack of 30"
    )
    args = parser.parse_args()
    if args.ballot_cost:
        ballot_cost()
        return
    for setting in args.set:
        name, value = setting.split("=")
        if not hasattr(asking, name):
            parser.error(f"asking.py has no {name}")
        setattr(asking, name, float(value))
    orders = {name: ORDERS[name] for name in args.orders.split(",")}
    warnings.simplefilter("ignore")
    budgets = [int(b) for b in args.budgets.split(",")]
    summary = []
    for name, meta in CONVERSATIONS.items():
        if args.only and name not in args.only.split(","):
            continue
        talk = read_polis_conversation(POLIS / name, meta)
        full = analyze(talk.matrix())
        whole = full.grouping.groups
        reference = None if whole is None else whole.assignments
        top = top_common_ground(full)
        refresh = max(1, math.ceil(len(talk.members) / args.refreshes))
        print(
            f"\n### {name}: {len(talk.members):,} members, {len(talk.statements)} statements, "
            f"{len(talk.votes):,} votes; reference k = "
            f"{'-' if whole is None else whole.k}, "
            f"{sum(c.status == 'common_ground' for c in full.common_ground)} common ground; "
            f"refreshed every {refresh} members\n"
        )
        print("| order | n asks | votes / member | skips | ARI | grouped | top-10 overlap | time |")
        print("|---|---|---|---|---|---|---|---|")
        result = {}
        for order_name, order in orders.items():
            met = []
            votes_at = {}
            for budget in budgets:
                start = time.perf_counter()
                done = replay(talk, order, budget, refresh, count_votes=args.count == "votes")
                found = analyze(talk.matrix(done.votes))
                groups = None if found.grouping.groups is None else found.grouping.groups
                ari, both = group_agreement(reference, groups.assignments if groups else None)
                share = overlap(top, top_common_ground(found))
                took = time.perf_counter() - start
                grouped = both / max(len(reference or {}), 1)
                met.append(ari >= ARI_GOAL and share >= OVERLAP_GOAL)
                votes_at[budget] = len(done.votes) / len(talk.members)
                print(
                    f"| {order_name} | {budget} | {votes_at[budget]:.1f} "
                    f"| {done.skips / max(done.asks, 1):.0%} | {ari:.3f} | {grouped:.0%} "
                    f"| {share:.0%} | {took:.1f} s |",
                    flush=True,
                )
            need = needed(budgets, met)
            result[order_name] = (need, None if need is None else votes_at[need])
        summary.append((name, result))
    print(
        "\n| conversation | Pol.is order: n (votes / member) | information: n (votes / member)"
        " | ratio of n | goal ≤ 60 % |"
    )
    print("|---|---|---|---|---|")
    for name, result in summary:
        shown = []
        for order_name in ("polis", "information"):
            if order_name not in result:
                shown.append("-")
                continue
            need, votes = result[order_name]
            shown.append(f"> {budgets[-1]}" if need is None else f"{need} ({votes:.1f})")
        polis = result.get("polis", (None, None))[0]
        info = result.get("information", (None, None))[0]
        if polis is not None and info is not None:
            ratio = f"{info / polis:.0%}"
            goal = "met" if info <= 0.6 * polis else "not met"
        else:
            ratio, goal = "-", "not measured" if polis is None else "not met"
        print(f"| {name} | {shown[0]} | {shown[1]} | {ratio} | {goal} |")


if __name__ == "__main__":
    main()
