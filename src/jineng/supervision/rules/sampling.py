"""Spot checks (事后抽查), pure: how many items to draw, and a reproducible stratified draw.

Sample size (Cochran's formula for a proportion, with the finite population correction;
W. G. Cochran, *Sampling Techniques*, 3rd ed., 1977, eq. 4.2 and 4.3):

    n0 = z² · p (1 − p) / e²          z: the normal quantile of the confidence level
    n  = ceil( n0 / (1 + (n0 − 1) / N) )  N: the population size, e: the margin of error

with p = 0.5 (the most cautious assumption) unless given. The sample is allocated to the
strata in proportion to their sizes (largest remainders; at least one item from every
non-empty stratum while the sample allows), then drawn in each stratum with Python's
`random.Random(f"{seed}:{stratum}")` from the stratum's ids in ascending order. Anyone with
the published seed, parameters and population draws the same items."""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from statistics import NormalDist

# Risk-score strata: the lower bound of each (an item belongs to the highest it reaches).
STRATA: tuple[tuple[str, float], ...] = (("high", 3.0), ("medium", 1.0), ("low", 0.01),
                                         ("none", float("-inf")))


def z_value(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError("confidence is between 0 and 1")
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def sample_size(population: int, confidence: float, margin: float, p: float = 0.5) -> int:
    """Cochran's n with the finite population correction (module docstring)."""
    if population < 0:
        raise ValueError("population is not negative")
    if not 0 < margin < 1:
        raise ValueError("margin is between 0 and 1")
    if population == 0:
        return 0
    z = z_value(confidence)
    n0 = z * z * p * (1 - p) / (margin * margin)
    n = n0 / (1 + (n0 - 1) / population)
    return min(population, max(1, math.ceil(n - 1e-9)))


def stratum_of(score: float) -> str:
    for name, low in STRATA:
        if score >= low:
            return name
    return STRATA[-1][0]


def allocate(sizes: Mapping[str, int], n: int) -> dict[str, int]:
    """Proportional allocation of `n` over strata of `sizes` (largest remainders; every
    non-empty stratum gets one first when n allows; never more than a stratum holds)."""
    total = sum(sizes.values())
    n = min(n, total)
    names = [s for s in sizes if sizes[s] > 0]
    out = dict.fromkeys(sizes, 0)
    if n <= 0 or not names:
        return out
    if n >= len(names):
        for s in names:
            out[s] = 1
    left = n - sum(out.values())
    while left > 0:
        room = {s: sizes[s] - out[s] for s in names if sizes[s] > out[s]}
        room_total = sum(room.values())
        quotas = {s: left * room[s] / room_total for s in room}
        whole = {s: min(room[s], math.floor(q)) for s, q in quotas.items()}
        given = sum(whole.values())
        for s, k in whole.items():
            out[s] += k
        left -= given
        if left <= 0:
            break
        order = sorted(room, key=lambda s: (-(quotas[s] - math.floor(quotas[s])), s))
        for s in order:
            if left == 0:
                break
            if sizes[s] > out[s]:
                out[s] += 1
                left -= 1
    return out


def draw(seed: str, items: Iterable[tuple[int, float]], n: int) -> list[tuple[int, str]]:
    """(id, stratum) of the drawn items, by stratum then id. `items`: (id, risk score)."""
    strata: dict[str, list[int]] = {name: [] for name, _low in STRATA}
    for item_id, score in items:
        strata[stratum_of(score)].append(int(item_id))
    sizes = {s: len(ids) for s, ids in strata.items()}
    quota = allocate(sizes, n)
    out: list[tuple[int, str]] = []
    for name, _low in STRATA:
        ids = sorted(strata[name])
        picked = random.Random(f"{seed}:{name}").sample(ids, quota[name]) if quota[name] else []
        out.extend((i, name) for i in sorted(picked))
    return out


def strata_sizes(items: Sequence[tuple[int, float]]) -> dict[str, int]:
    sizes = {name: 0 for name, _low in STRATA}
    for _i, score in items:
        sizes[stratum_of(score)] += 1
    return sizes
