"""Per-statement statistics, consensus and contested statements (SPEC §4.2, §4.3)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from bot.core.analysis.matrix import VoteMatrix

Direction = Literal["agree", "disagree"]

# One-tailed 90 % confidence, as Pol.is uses for every significance test.
Z_90 = 1.2816


@dataclass(frozen=True)
class Rules:
    """Thresholds of the analysis; the defaults are the SPEC's."""

    consensus_probability: float = 0.5
    significance_z: float = Z_90
    min_decided_for_divisiveness: int = 3
    contested_divisiveness: float = 0.6
    uncertain_pass_share: float = 0.3
    pick_max: int = 5
    min_votes_to_enter_geometry: int = 7
    # Groups are real when the map beats shuffled votes and stays when resampled (reality.py).
    null_samples: int = 99
    null_first: int = 19
    max_null_above: int = 1
    null_z_sure: float = 6.0
    max_test_members: int = 300
    stability_samples: int = 20
    stability_share: float = 0.8
    stability_starts: int = 4
    min_stability: float = 0.5
    stability_margin: float = 0.05
    max_groups: int = 5
    kmeans_starts: int = 10
    random_state: int = 0
    # Common ground (bridging.py): the low end of a statement's interval must clear the
    # threshold, and members at the two ends of the opinion axis differ by at most max_split.
    common_ground_threshold: float = 0.6
    common_ground_max_split: float = 0.5
    common_ground_z: float = Z_90


DEFAULT_RULES = Rules()


@dataclass(frozen=True)
class StatementStats:
    id: str
    agree: int
    disagree: int
    passes: int
    pa: float
    pd: float
    pat: float
    pdt: float
    divisiveness: float | None
    consensus: Direction | None
    contested: bool
    uncertain: bool

    @property
    def seen(self) -> int:
        return self.agree + self.disagree + self.passes


def probability(successes: int, total: int) -> float:
    """Laplace-smoothed share: (successes + 1) / (total + 2)."""
    return (successes + 1) / (total + 2)


def one_prop_z(successes: int, total: int) -> float:
    """Pol.is' one-proportion test of a share above one half, with a pseudo-count."""
    return 2 * math.sqrt(total + 1) * ((successes + 1) / (total + 1) - 0.5)


def two_prop_z(succ_in: int, succ_out: int, n_in: int, n_out: int) -> float:
    """Pol.is' two-proportion z-test, every count plus one."""
    s1, s2, n1, n2 = succ_in + 1, succ_out + 1, n_in + 1, n_out + 1
    p1, p2 = s1 / n1, s2 / n2
    pooled = (s1 + s2) / (n1 + n2)
    spread = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    # A pooled share of 1 makes the test degenerate; its limit is no difference.
    if spread <= 0:
        return 0.0
    return (p1 - p2) / math.sqrt(spread)


def divisiveness(agree: int, disagree: int, rules: Rules = DEFAULT_RULES) -> float | None:
    decided = agree + disagree
    if decided < rules.min_decided_for_divisiveness:
        return None
    return 1 - abs(agree - disagree) / decided


def statement_stats(
    statement: str, agree: int, disagree: int, passes: int, rules: Rules = DEFAULT_RULES
) -> StatementStats:
    seen = agree + disagree + passes
    pa, pd = probability(agree, seen), probability(disagree, seen)
    pat, pdt = one_prop_z(agree, seen), one_prop_z(disagree, seen)
    consensus: Direction | None = None
    if pa > rules.consensus_probability and pat > rules.significance_z:
        consensus = "agree"
    elif pd > rules.consensus_probability and pdt > rules.significance_z:
        consensus = "disagree"
    split = divisiveness(agree, disagree, rules)
    contested = (
        split is not None and split >= rules.contested_divisiveness and agree >= 1 and disagree >= 1
    )
    return StatementStats(
        id=statement,
        agree=agree,
        disagree=disagree,
        passes=passes,
        pa=pa,
        pd=pd,
        pat=pat,
        pdt=pdt,
        divisiveness=split,
        consensus=consensus,
        contested=contested,
        uncertain=seen > 0 and passes / seen > rules.uncertain_pass_share,
    )


def all_statement_stats(
    matrix: VoteMatrix, rules: Rules = DEFAULT_RULES
) -> tuple[StatementStats, ...]:
    agree, disagree, passes = matrix.counts()
    return tuple(
        statement_stats(statement, int(agree[j]), int(disagree[j]), int(passes[j]), rules)
        for j, statement in enumerate(matrix.statements)
    )


@dataclass(frozen=True)
class Consensus:
    agree: tuple[str, ...]
    disagree: tuple[str, ...]


def select_consensus(
    stats: tuple[StatementStats, ...], left_out: frozenset[str], rules: Rules = DEFAULT_RULES
) -> Consensus:
    """The strongest consensus statements each way, ranked by p·z as Pol.is does."""
    shown = [s for s in stats if s.id not in left_out]
    agree = sorted((s for s in shown if s.consensus == "agree"), key=lambda s: -s.pa * s.pat)
    disagree = sorted((s for s in shown if s.consensus == "disagree"), key=lambda s: -s.pd * s.pdt)
    return Consensus(
        agree=tuple(s.id for s in agree[: rules.pick_max]),
        disagree=tuple(s.id for s in disagree[: rules.pick_max]),
    )
