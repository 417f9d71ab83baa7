"""Record linkage of 10,000 rows without a valid ID number against 100,000 registered persons
(tier S: one city's registry), with the linker `link_pending` runs (jineng.outcomes.analytics.
linker: Splink 4 on DuckDB; above 5,000 rows and persons u is estimated by random sampling and
m by EM, otherwise the fixed priors). Pure: the database reads and writes are not included.

Synthetic data: names from 100 surnames × 400 given names (namesakes happen), birth dates over
45 years, 88 counties in 9 cities. Rows: 90 % are registered persons, their fields garbled —
a third with no ID number, the rest a wrong check digit, two swapped digits or a dropped
check character; 10 % of names with a homophone or another character; 10 % of birth dates with
one digit wrong; a quarter working in another county. 10 % of rows are persons not registered.

    .venv/bin/python benchmarks/outcomes_linkage.py [--rows 10000] [--persons 100000]
        [--priors] [--json]

Prints the tier, the sizes, the seconds and how the rows were decided (right / wrong person
above the automatic threshold 0.99, for review ≥ 0.5, unmatched).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _machine import machine
from jineng.outcomes.analytics import linker

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
                "肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾"
                "夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉"
             "建国志新飞斌宇浩凯健俊帆鑫波宁欣雪琳晶婷燕玲丹慧颖佳倩莉琴云峰亮成华龙荣昌林海")
HOMOPHONE = {"伟": "玮", "芳": "方", "静": "晶", "磊": "雷", "洋": "阳", "明": "鸣", "丽": "莉",
             "杰": "洁", "军": "君", "红": "宏"}
WEIGHTS = np.array([1.0 / (i + 1) ** 0.8 for i in range(len(SURNAMES))])


def check_char(first17: str) -> str:
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(c) * k for c, k in zip(first17, w, strict=True)) % 11]


def counties() -> list[str]:
    return [f"52{c:02d}{k:02d}" for c in range(1, 10) for k in range(2, 12)][:88]


def make_persons(n: int, rng: np.random.Generator) -> pd.DataFrame:
    cty = counties()
    sur = rng.choice(len(SURNAMES), n, p=WEIGHTS / WEIGHTS.sum())
    g1 = rng.integers(0, len(GIVEN), n)
    g2 = rng.integers(-len(GIVEN), len(GIVEN), n)  # about half have one-character given names
    days = rng.integers(0, 45 * 365, n)
    county = rng.integers(0, len(cty), n)
    seq = rng.integers(0, 1000, n)
    base = dt.date(1960, 1, 1)
    rows = []
    for i in range(n):
        name = SURNAMES[sur[i]] + GIVEN[g1[i]] + (GIVEN[g2[i]] if g2[i] >= 0 else "")
        birth = base + dt.timedelta(days=int(days[i]))
        first17 = f"{cty[county[i]]}{birth:%Y%m%d}{seq[i]:03d}"
        number = first17 + check_char(first17)
        rows.append((i + 1, name, birth, cty[county[i]], number))
    return pd.DataFrame(rows, columns=["person_id", "name", "birth_date", "region", "id"])


def garble(persons: pd.DataFrame, n: int, rng: np.random.Generator):
    cty = counties()
    picks = rng.integers(0, len(persons), n)
    out, truth = [], {}
    for r in range(n):
        p = persons.iloc[int(picks[r])]
        registered = rng.random() >= 0.10
        name, birth, number = p["name"], p["birth_date"], p["id"]
        if not registered:  # someone else: a new name and birth date
            name = name[0] + GIVEN[int(rng.integers(0, len(GIVEN)))] + "某"
            birth = birth + dt.timedelta(days=int(rng.integers(400, 4000)))
            number = None
        if registered and rng.random() < 0.10:
            last = name[-1]
            name = name[:-1] + HOMOPHONE.get(last, GIVEN[int(rng.integers(0, len(GIVEN)))])
        birth_text = birth.isoformat()
        if registered and rng.random() < 0.10:
            d = birth_text.replace("-", "")
            i = int(rng.choice([3, 5, 7]))
            d = d[:i] + str((int(d[i]) + 1) % 10) + d[i + 1:]
            birth_text = f"{d[:4]}-{d[4:6]}-{d[6:]}"
        if number is not None:
            u = rng.random()
            if u < 1 / 3:
                number = None
            elif u < 2 / 3:
                number = number[:17] + ("0" if number[17] != "0" else "1")
            elif u < 5 / 6:
                i = int(rng.integers(6, 16))
                number = number[:i] + number[i + 1] + number[i] + number[i + 2:]
            else:
                number = number[:17]
        county = p["region"] if rng.random() >= 0.25 else cty[int(rng.integers(0, len(cty)))]
        out.append((r + 1, name, birth_text if "-" in birth_text else None, county, number))
        truth[r + 1] = int(p["person_id"]) if registered else None
    rows = pd.DataFrame(out, columns=["row_id", "name", "birth_date", "region", "id_given"])
    return rows, truth


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--priors", action="store_true", help="the fixed priors, no estimation")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    rng = np.random.default_rng(20261205)
    t0 = time.perf_counter()
    persons = make_persons(a.persons, rng)
    rows, truth = garble(persons, a.rows, rng)
    persons["id_masked"] = persons["id"].str[:6] + "********" + persons["id"].str[-4:]
    persons = persons.drop(columns=["id"])
    gen = time.perf_counter() - t0
    t1 = time.perf_counter()
    result = linker.link(rows, persons, estimate=False if a.priors else None)
    secs = time.perf_counter() - t1
    best = {int(b.row_id): b for b in result.best.itertuples(index=False)}
    tally = {"auto_right": 0, "auto_wrong": 0, "review_right": 0, "review_wrong": 0,
             "unmatched_registered": 0, "unmatched_unregistered": 0}
    for row_id, person in truth.items():
        b = best.get(row_id)
        p = b.match_probability if b is not None else 0.0
        if p >= 0.99:
            tally["auto_right" if person == int(b.person_id) else "auto_wrong"] += 1
        elif p >= 0.5:
            tally["review_right" if person == int(b.person_id) else "review_wrong"] += 1
        else:
            tally["unmatched_registered" if person else "unmatched_unregistered"] += 1
    report = {
        "benchmark": "outcomes_linkage", "tier": "S", "rows": a.rows, "persons": a.persons,
        "estimated_m_u": result.estimated, "pairs_compared": result.pairs_compared,
        "generate_seconds": round(gen, 2), "link_seconds": round(secs, 2),
        "rows_per_second": round(a.rows / secs), "peak_rss_mb": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        **tally, "machine": machine(),
    }
    if a.json:
        print(json.dumps(report, ensure_ascii=False))
        return
    print(f"tier S: {a.rows:,} rows without a valid ID × {a.persons:,} persons: "
          f"{secs:.1f} s ({report['rows_per_second']:,} rows/s), "
          f"{result.pairs_compared:,} pairs, m/u {'estimated' if result.estimated else 'priors'}")
    print("  " + ", ".join(f"{k} {v}" for k, v in tally.items()))
    print(f"  peak memory {report['peak_rss_mb']} MB; data generation {gen:.1f} s")


if __name__ == "__main__":
    main()
