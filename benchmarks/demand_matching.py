"""Matching 100,000 training wishes against the open classes of a tier-L province (issue 14:
under 10 s), with the set-based engine the matching job runs (jineng.demand.rules.
matching_vector: numpy arrays, vectorized haversine, grouped by occupation), then explaining
every kept match with the scalar rule (rules.matching.match_class), as the job stores them.

Tier L (DESIGN.md): Henan, 2,000,000 enrollments a year ≈ 67,000 classes of ~30; about one in
six is approved or open at a time → 11,000 offered classes, over 300 occupations, spread over a
province of 167,000 km² (lat 31.4–36.4, lon 110.4–116.6). Wishes: 1–2 occupations each, a
wished place, a farthest distance of 10–50 km, a preferred time, a level for a third of them.

    .venv/bin/python benchmarks/demand_matching.py [--wishes 100000] [--classes 11000] [--json]

Prints the tier, the sizes, the seconds of each step and the matches kept.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _machine import machine
from jineng.demand.rules import matching as rules
from jineng.demand.rules import matching_vector as vector

TODAY = 740_000
GROUPS = 10


def classes(n: int, occupations: int, rng: np.random.Generator) -> vector.ClassArrays:
    start = TODAY + rng.integers(-10, 60, n)
    shares = rng.dirichlet([1, 0.3, 0.6], n)
    return vector.ClassArrays(
        class_id=np.arange(1, n + 1), occupation=rng.integers(1, occupations + 1, n),
        parent=np.full(n, -1), level=rng.integers(1, 6, n), start=start,
        end=start + rng.integers(5, 40, n), status=rng.choice([1, 2], n),
        lat=rng.uniform(31.4, 36.4, n), lon=rng.uniform(110.4, 116.6, n), shares=shares,
        subsidized=rng.random(n) < 0.85,
        group=np.where(rng.random(n) < 0.2, rng.integers(1, GROUPS + 1, n), 0),
        seats=rng.integers(0, 40, n))


def wishes(n: int, occupations: int, rng: np.random.Generator) -> vector.WishArrays:
    two = rng.random(n) < 0.3
    pair_wish = np.concatenate([np.arange(n), np.flatnonzero(two)])
    return vector.WishArrays(
        wish_id=np.arange(1, n + 1), lat=rng.uniform(31.4, 36.4, n),
        lon=rng.uniform(110.4, 116.6, n), max_km=rng.choice([10.0, 20.0, 30.0, 50.0], n),
        level=np.where(rng.random(n) < 0.33, rng.integers(1, 6, n), -1),
        time=rng.integers(0, 4, n), groups=rng.integers(0, 1 << GROUPS, n),
        pair_wish=pair_wish, pair_occupation=rng.integers(1, occupations + 1, len(pair_wish)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--wishes", type=int, default=100_000)
    parser.add_argument("--classes", type=int, default=11_000)
    parser.add_argument("--occupations", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    c = classes(args.classes, args.occupations, rng)
    w = wishes(args.wishes, args.occupations, rng)
    cpu0, t0 = time.process_time(), time.perf_counter()
    found = vector.match(w, c, TODAY)
    t_match = time.perf_counter() - t0
    # Explaining: the scalar rule on every kept pair (what the job stores as reasons).
    t1 = time.perf_counter()
    index = {int(cid): i for i, cid in enumerate(c.class_id)}
    occ_of: dict[int, set[int]] = {}
    for wi, occ in zip(w.pair_wish.tolist(), w.pair_occupation.tolist(), strict=True):
        occ_of.setdefault(wi + 1, set()).add(occ)
    agree = 0
    windows = (rules.WEEKDAY_DAY, rules.WEEKDAY_EVENING, rules.WEEKEND)
    for wid, cid in zip(found.wish_id.tolist(), found.class_id.tolist(), strict=True):
        wi, ci = wid - 1, index[cid]
        counts = np.round(c.shares[ci] * 20).astype(int)
        wf = rules.WishFacts(
            occupation_ids=frozenset(occ_of[wid]),
            level_rank=None if w.level[wi] < 0 else int(w.level[wi]),
            preferred_time=(*windows, rules.ANY)[int(w.time[wi])], lat=float(w.lat[wi]),
            lon=float(w.lon[wi]), max_km=float(w.max_km[wi]),
            key_groups=frozenset(str(g) for g in range(1, GROUPS + 1)
                                 if (int(w.groups[wi]) >> (g - 1)) & 1))
        cf = rules.ClassFacts(
            occupation_id=int(c.occupation[ci]), occupation_parent_id=None,
            level_rank=int(c.level[ci]), start_ordinal=int(c.start[ci]),
            end_ordinal=int(c.end[ci]), status={1: "approved", 2: "open"}[int(c.status[ci])],
            lat=float(c.lat[ci]), lon=float(c.lon[ci]),
            windows=tuple(x for x, k in zip(windows, counts, strict=True) for _ in range(k)),
            subsidized=bool(c.subsidized[ci]),
            target_group=str(int(c.group[ci])) if c.group[ci] else "",
            seats_left=int(c.seats[ci]))
        agree += rules.match_class(wf, cf, TODAY).fits
    t_explain = time.perf_counter() - t1
    total = t_match + t_explain
    result = {
        "benchmark": "demand_matching", "tier": "L", "wishes": args.wishes,
        "offered_classes": args.classes, "occupations": args.occupations,
        "matches_kept": len(found.wish_id),
        "wishes_matched": len(np.unique(found.wish_id)),
        "explained_fitting": agree,
        "seconds_match": round(t_match, 2), "seconds_explain": round(t_explain, 2),
        "seconds_total": round(total, 2), "cpu_seconds": round(time.process_time() - cpu0, 2),
        "goal_seconds": 10, "goal_met": total < 10,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "machine": machine(),
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return
    print("tier L: matching training wishes against a large province's offered classes")
    for key, value in result.items():
        print(f"  {key}: {value}")


if __name__ == "__main__":
    main()
