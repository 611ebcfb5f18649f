"""Whether opinion groups are real (SPEC §4.4), and how many there are.

k-means always returns groups, and on a 2-D map of a few members it returns tidy ones. Two
checks decide whether they mean anything:

- **Structure beyond chance.** The share of the vote variance that the map's two axes hold,
  against the same share in structureless votes: each statement's votes shuffled among the
  members who voted on it, so every statement keeps its counts and every member the statements
  they voted on (parallel analysis, with a permutation null). The groups are cuts of that
  map, so a map no stronger than chance has no groups to show (`null_test` says when it is).
- **Stability.** Members and statements are resampled (`stability_share` of each, without
  replacement) `stability_samples` times; each sample is mapped and clustered again, and its
  groups compared with the full data's by the adjusted Rand index over the members both hold.
  The number of groups is the most stable one; where others come within `stability_margin`
  of it, the one of those with the best 2-D silhouette (Pol.is' own choice of k). Groups are
  reported only when their stability reaches `min_stability`. It is the figure the
  report gives for how sure it is.

Large conversations are judged on a fixed sample of `max_test_members` members (the groups
found real are then fitted on everyone): a structure that holds for thousands shows in
hundreds, and both checks then cost the same at any size.

Every random draw is seeded from `Rules.random_state` and made in an order fixed by member and
statement ids, so the same votes give the same answer, in any row or column order.

k-means runs here are batched by hand (`batched_kmeans`, k-means++ starts and Lloyd's
iterations, as scikit-learn's): scikit-learn fits one problem per call at about a millisecond
of overhead each, and the checks fit hundreds of small ones. A k asked for (`--k`) still goes
to scikit-learn's KMeans.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.core.analysis.matrix import FloatArray, column_means
from bot.core.analysis.stats import Rules

IntArray = np.ndarray[tuple[int, ...], np.dtype[np.int64]]


@dataclass(frozen=True)
class NullTest:
    """The map's share of the vote variance, and the same share in shuffled votes."""

    observed: float
    null_mean: float
    null_sd: float
    real: bool


@dataclass(frozen=True)
class Stability:
    """Mean adjusted Rand index (clipped to 0–1) of resampled groups, per number of groups."""

    by_k: dict[int, float]

    def credible(self, margin: float) -> list[int]:
        """The numbers of groups whose stability is within `margin` of the most stable (the
        estimates vary by a few hundredths from one draw of samples to another)."""
        if not self.by_k:
            return []
        top = max(self.by_k.values())
        return sorted(k for k, score in self.by_k.items() if score >= top - margin)


def centred_votes(votes: FloatArray) -> FloatArray:
    """Votes minus their statement's mean, with a missing vote at the mean (0)."""
    centred: FloatArray = np.where(np.isnan(votes), 0.0, votes - column_means(votes))
    return centred


def map_share(votes: FloatArray) -> float:
    """Share of the (mean-filled, centred) vote variance on the two main axes."""
    centred = centred_votes(votes)
    small = centred.T @ centred if centred.shape[0] > centred.shape[1] else centred @ centred.T
    eigenvalues = np.linalg.eigvalsh(small)
    total = float(eigenvalues.sum())
    if total <= 0:
        return 0.0
    return float(eigenvalues[-2:].sum()) / total


def shuffled(votes: FloatArray, rng: np.random.Generator) -> FloatArray:
    """Each column's votes shuffled among the rows that voted on it: counts and who voted on
    what stay; any link between one member's votes goes."""
    missing = np.isnan(votes)
    keys = np.where(missing, np.inf, rng.random(votes.shape))
    # Rows of each column: voters first, in their own order, then in a random order.
    original = np.argsort(missing, axis=0, kind="stable")
    scattered = np.argsort(keys, axis=0, kind="stable")
    out = np.full_like(votes, np.nan)
    np.put_along_axis(out, scattered, np.take_along_axis(votes, original, axis=0), axis=0)
    return out


def null_test(votes: FloatArray, rules: Rules, rng: np.random.Generator) -> NullTest:
    """A sequential Monte Carlo test (Besag and Clifford): shuffles are drawn until more than
    `max_null_above` of them reach the observed share (not real), or, once `null_first` are
    drawn, the observed share stands `null_z_sure` standard deviations above theirs (real:
    large conversations stop there), or `null_samples` are drawn: real when at most
    `max_null_above` reached it, a p-value of at most 2 in 100 with the defaults."""
    observed = map_share(votes)
    null: list[float] = []
    above = 0
    real = False
    for _ in range(rules.null_samples):
        null.append(map_share(shuffled(votes, rng)))
        above += null[-1] >= observed
        if above > rules.max_null_above:
            break
        if len(null) >= rules.null_first:
            sd = float(np.std(null, ddof=1))
            if observed >= float(np.mean(null)) + rules.null_z_sure * sd:
                real = True
                break
    else:
        real = True
    sd = float(np.std(null, ddof=1)) if len(null) > 1 else 0.0
    return NullTest(observed, float(np.mean(null)), sd, real=real)


def project(votes: FloatArray, left_out: int = 0) -> FloatArray:
    """Pol.is' 2-D map of these votes (as `geometry`, for a sample): mean-filled, centred,
    first two principal components, each member scaled by how few statements they voted on,
    counting the `left_out` statements off the map (hidden, meta) as voted by everyone."""
    centred = centred_votes(votes)
    if centred.shape[0] > centred.shape[1]:
        _, vectors = np.linalg.eigh(centred.T @ centred)
        components = vectors[:, ::-1][:, :2].T
    else:
        # Fewer members than statements: the members' Gram matrix is the smaller problem, and
        # its eigenvectors map onto the statements' (an SVD costs ten times as much here).
        _, vectors = np.linalg.eigh(centred @ centred.T)
        top = vectors[:, ::-1][:, :2].T @ centred
        lengths = np.linalg.norm(top, axis=1, keepdims=True)
        components = np.divide(top, lengths, out=np.zeros_like(top), where=lengths > 1e-12)
    if len(components) < 2:
        components = np.vstack([components, np.zeros((2 - len(components), centred.shape[1]))])
    voted = (~np.isnan(votes)).sum(axis=1) + left_out
    scale = np.sqrt((votes.shape[1] + left_out) / np.maximum(voted, 1))
    points: FloatArray = (centred @ components.T) * scale[:, np.newaxis]
    return points


def _squared_distances(points: FloatArray, centres: FloatArray) -> FloatArray:
    """(p, n, k) squared distances of each problem's points to its centres, axis by axis."""
    total = np.zeros((points.shape[0], points.shape[1], centres.shape[1]))
    for axis in range(points.shape[2]):
        gap = points[:, :, axis, np.newaxis] - centres[:, np.newaxis, :, axis]
        total += gap * gap
    return total


def batched_kmeans(
    points: FloatArray, k: int, starts: int, rng: np.random.Generator, iterations: int = 40
) -> IntArray:
    """Lloyd's k-means on a batch of problems (batch × n × d) at once, each from `starts`
    k-means++ starts; the labels of each problem's best start (lowest inertia)."""
    batch, n, d = points.shape
    runs = np.repeat(points, starts, axis=0)  # (batch·starts, n, d)
    p = len(runs)
    index = np.arange(p)
    centres = np.empty((p, k, d))
    centres[:, 0] = runs[index, rng.integers(0, n, size=p)]
    nearest = _squared_distances(runs, centres[:, :1])[:, :, 0]
    for c in range(1, k):
        weights = nearest.cumsum(axis=1)
        drawn = rng.random(p) * weights[:, -1]
        chosen = np.minimum((weights < drawn[:, np.newaxis]).sum(axis=1), n - 1)
        centres[:, c] = runs[index, chosen]
        nearest = np.minimum(nearest, _squared_distances(runs, centres[:, c : c + 1])[:, :, 0])
    labels = np.full((p, n), -1, dtype=np.int64)
    groups = np.arange(k)
    for _ in range(iterations):
        distances = _squared_distances(runs, centres)
        new = distances.argmin(axis=2)
        if np.array_equal(new, labels):
            break
        labels = new
        member_of = (labels[:, np.newaxis, :] == groups[np.newaxis, :, np.newaxis]).astype(float)
        sizes = member_of.sum(axis=2)  # (p, k)
        sums = member_of @ runs  # (p, k, d)
        centres = np.where(
            (sizes > 0)[:, :, np.newaxis], sums / np.maximum(sizes, 1)[:, :, np.newaxis], centres
        )
    inertia = np.take_along_axis(distances, labels[:, :, np.newaxis], axis=2).sum(axis=(1, 2))
    best = inertia.reshape(batch, starts).argmin(axis=1)
    chosen_labels: IntArray = labels.reshape(batch, starts, n)[np.arange(batch), best]
    return chosen_labels


def adjusted_rand(first: IntArray, second: IntArray) -> float:
    """Adjusted Rand index, as sklearn's `adjusted_rand_score`, without its per-call input
    checks (a few milliseconds each, and the checks compare hundreds of labelings)."""
    n = len(first)
    if n < 2:
        return 1.0
    _, a = np.unique(first, return_inverse=True)
    _, b = np.unique(second, return_inverse=True)
    table = np.bincount(a * (b.max() + 1) + b, minlength=(a.max() + 1) * (b.max() + 1))
    pairs = float((table * (table - 1)).sum()) / 2
    rows = np.bincount(a)
    columns = np.bincount(b)
    row_pairs = float((rows * (rows - 1)).sum()) / 2
    column_pairs = float((columns * (columns - 1)).sum()) / 2
    expected = row_pairs * column_pairs / (n * (n - 1) / 2)
    top = (row_pairs + column_pairs) / 2
    if top == expected:
        return 1.0
    return (pairs - expected) / (top - expected)


def stability(
    votes: FloatArray,
    full_labels: dict[int, IntArray],
    rules: Rules,
    rng: np.random.Generator,
    left_out: int = 0,
) -> Stability:
    """How stable the groups of each k in `full_labels` are when members and statements are
    resampled; `votes` are the placed members' votes on the map's statements."""
    n, s = votes.shape
    largest = max(full_labels, default=2)
    members = min(n, max(2 * largest, round(rules.stability_share * n)))
    statements = min(s, max(2, round(rules.stability_share * s)))
    samples: list[IntArray] = []
    maps: list[FloatArray] = []
    for _ in range(rules.stability_samples):
        rows = np.sort(rng.choice(n, members, replace=False))
        columns = np.sort(rng.choice(s, statements, replace=False))
        samples.append(rows)
        maps.append(project(votes[np.ix_(rows, columns)], left_out))
    points = np.stack(maps)
    by_k = {}
    for k, labels in sorted(full_labels.items()):
        found = batched_kmeans(points, k, rules.stability_starts, rng)
        scores = [
            adjusted_rand(labels[rows], sample) for rows, sample in zip(samples, found, strict=True)
        ]
        by_k[k] = float(np.clip(np.mean(scores), 0.0, 1.0))
    return Stability(by_k)
