#!/usr/bin/env python3
"""Benchmark: the 30-minute circle's coverage and site placement (portal.rules.coverage and
portal.rules.placement — the code the coverage job and the placement job run) at tier L.

Coverage: a province the size of Henan (tier L: 2,000,000 enrollments a year) — about
167,000 km² (box 110.4–116.6 E, 31.4–36.4 N), SYNTHETIC areas: 2,500 towns and 48,000 villages
(the order of Henan's 乡镇 and 行政村), 20,000 active training sites (tens of thousands), terrain
mixed; every area × its nearest site by the grid index, then the shares per county and town,
the gaps and the axis check.

Placement: 50 new sites among 2,000 candidate places for the population left uncovered in a
mountainous part of the province (10,000 uncovered villages, 5 sites), solved by CBC through
PuLP with the job's time limit (50 s), then the greedy order of gains.

What is NOT timed here: reading the areas and sites from the database (two indexed queries of
values_list; measured separately with `--db` in a later round — not done yet) and storing the
run (one row with JSON). numpy is not in requirements.lock: the arrays are plain Python lists.

    .venv/bin/python benchmarks/portal_coverage.py
    .venv/bin/python benchmarks/portal_coverage.py --scale 0.1      # quick

Tier: L (scale 1.0). Goals (issue 15): coverage under 30 s, placement under 60 s. Not a test:
prints a Markdown table.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from _machine import machine  # benchmarks/ is the script's own folder on sys.path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from jineng.portal.rules import coverage as cov  # noqa: E402
from jineng.portal.rules import placement as pl  # noqa: E402
from jineng.portal.rules import travel  # noqa: E402

BOX = (110.4, 116.6, 31.4, 36.4)
TERRAINS = (("plain", 0.55), ("hill", 0.30), ("mountain", 0.15))  # SYNTHETIC


def _terrain(rng: random.Random) -> str:
    x, acc = rng.random(), 0.0
    for t, w in TERRAINS:
        acc += w
        if x < acc:
            return t
    return "hill"


def province(rng: random.Random, scale: float) -> tuple[list[cov.Area], list[cov.Site]]:
    lon0, lon1, lat0, lat1 = BOX
    n_towns, n_villages, n_sites = int(2_500 * scale), int(48_000 * scale), int(20_000 * scale)
    towns = []
    for t in range(n_towns):
        county = f"41{(t // 15) % 100:02d}{t // 1500:02d}"
        towns.append((f"{county}{t % 1000:03d}", county, rng.uniform(lon0, lon1),
                      rng.uniform(lat0, lat1)))
    areas = []
    for code, county, lon, lat in towns:
        areas.append(cov.Area(code, code, county, code, lon, lat, rng.randint(8_000, 60_000),
                              _terrain(rng), "central_town" if rng.random() < 0.1 else ""))
    per = max(1, n_villages // max(1, n_towns))
    for code, county, lon, lat in towns:
        for v in range(per):
            areas.append(cov.Area(f"{code}{v:03d}", "", county, code,
                                  lon + rng.gauss(0, 0.05), lat + rng.gauss(0, 0.05),
                                  rng.randint(500, 3_000), _terrain(rng),
                                  "key_village" if rng.random() < 0.02 else ""))
    # Sites where people are: near towns (most) and anywhere (some).
    sites = []
    for s in range(n_sites):
        if rng.random() < 0.8:
            _c, _k, lon, lat = towns[rng.randrange(len(towns))]
            lon, lat = lon + rng.gauss(0, 0.08), lat + rng.gauss(0, 0.08)
        else:
            lon, lat = rng.uniform(lon0, lon1), rng.uniform(lat0, lat1)
        sites.append(cov.Site(str(s), lon, lat))
    return areas, sites


def placement_case(rng: random.Random, scale: float) -> tuple[list[cov.Area], list[cov.Site]]:
    """A mountainous area of 2° × 1.5° with uncovered villages and candidate places."""
    n_areas, n_cand = int(10_000 * scale), max(60, int(2_000 * scale))
    areas = [cov.Area(str(i), "", "4100", str(i), rng.uniform(111.0, 113.0),
                      rng.uniform(32.5, 34.0), rng.randint(300, 3_000), "mountain")
             for i in range(n_areas)]
    cands = [cov.Site(str(j), rng.uniform(111.0, 113.0), rng.uniform(32.5, 34.0))
             for j in range(n_cand)]
    return areas, cands


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--k", type=int, default=50)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    areas, sites = province(rng, args.scale)
    t0 = time.perf_counter()
    reaches = cov.nearest_reach(areas, sites)
    t1 = time.perf_counter()
    summary = cov.summarize(areas, reaches, threshold=travel.THRESHOLD_MINUTES,
                            county_names={}, town_names={})
    t2 = time.perf_counter()
    p_areas, cands = placement_case(rng, args.scale)
    t3 = time.perf_counter()
    sets = pl.coverage_sets(p_areas, cands, threshold=travel.THRESHOLD_MINUTES)
    t4 = time.perf_counter()
    proposal = pl.propose([a.population for a in p_areas], sets, args.k)
    t5 = time.perf_counter()
    m = machine()
    tier = "L" if args.scale == 1.0 else f"L × {args.scale}"
    print(f"Machine: {m['nproc']} CPU ({m['cpu']}), {m['ram_gib']} GiB, Python {m['python']}; "
          f"tier {tier}")
    print()
    print("| step | size | seconds | goal |")
    print("| --- | --- | ---: | --- |")
    print(f"| nearest site per area (grid index) | {len(areas):,} areas × {len(sites):,} sites "
          f"| {t1 - t0:.2f} | |")
    print(f"| shares, gaps, axis | {len(summary.counties)} counties, {len(summary.towns):,} "
          f"towns, {len(summary.gaps):,} gaps | {t2 - t1:.2f} | |")
    print(f"| **coverage total** | | **{t2 - t0:.2f}** | < 30 s |")
    print(f"| candidate coverage sets | {len(cands):,} candidates × {len(p_areas):,} "
          f"uncovered areas | {t4 - t3:.2f} | |")
    print(f"| MCLP (CBC) + gains, k = {args.k} | status {proposal.status}, "
          f"{proposal.covered:,} of {proposal.uncovered_before:,} newly covered "
          f"| {t5 - t4:.2f} | |")
    print(f"| **placement total** | | **{t5 - t3:.2f}** | < 60 s |")
    share = summary.total.covered / summary.total.population
    print()
    print(f"Coverage share (synthetic): {share:.2%}")


if __name__ == "__main__":
    main()
