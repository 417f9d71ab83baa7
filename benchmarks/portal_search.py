#!/usr/bin/env python3
"""Benchmark: the public full-text search (portal.selectors.search) at tier L.

A fresh benchmark database (SQLite file or PostgreSQL, never the tests' or the demo's) gets a
search index of tier-L size, written through the index services' own insert path (so SQLite's
FTS5 table is filled as in production):

    class documents        300,000   (hundreds of thousands of classes over the years, all
                                       indexed as if public: the worst case; a real index holds
                                       only the approved and open ones)
    institution documents   20,000
    occupation documents     1,600   (the seeded ones plus synthetic work types)
    clause documents         all targets and checklist items of the five shipped packs

Class texts are combined from an occupation, a level, a training type, an institution and a
county (tokens cut by jieba once per part, then joined: what `index_tokens` gives for the whole
text). Then a mix of visitor queries (one word, two words, a very common word, an institution,
a policy term, pinyin, initials, a typo, nothing found) is timed through the full selector —
occupation suggestions, the capped count and one page of 20 — p50 / p95 in ms.

    .venv/bin/python benchmarks/portal_search.py --database postgres
    .venv/bin/python benchmarks/portal_search.py --database sqlite
    .venv/bin/python benchmarks/portal_search.py --database sqlite --tier M
    .venv/bin/python benchmarks/portal_search.py --database sqlite --scale 0.05   # quick

Tiers (`--tier`, default L): L scale 1.0 (the sizes above), M 0.25 (75,000 class documents,
5,000 institutions), S 0.05; `--scale` overrides. Progress of the build goes to stderr. Goal
(issue 15): p95 under 100 ms at tier L. Not a test: prints a Markdown table, p50 and p95 of
each query.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

from _machine import machine  # benchmarks/ is the script's own folder on sys.path

ROOT = Path(__file__).resolve().parents[1]
SQLITE_PATH = Path("/tmp/jineng_search_bench.sqlite3")
PG_URL = "postgres://postgres@127.0.0.1:5432/jineng_search_bench"
CLASSES = 300_000
INSTITUTIONS = 20_000
OCCUPATIONS = 1_600
TIERS = {"S": 0.05, "M": 0.25, "L": 1.0}
QUERIES = ["电工", "养老护理员", "焊工 培训", "养老 南明", "培训", "职业技能培训学校",
           "新八级工", "考培分离", "dg", "diangong", "ylhly", "电王", "茶乙师", "数控车床",
           "无人机 驾驶员", "火星移民"]
PREFIXES = ["数控", "电气", "汽车", "建筑", "化工", "食品", "纺织", "农业", "机械", "电子",
            "冶金", "煤矿", "石油", "制药", "印刷", "家具", "陶瓷", "玻璃", "橡胶", "塑料",
            "造纸", "皮革", "水泥", "钢铁", "光伏", "锂电", "船舶", "铁路", "民航", "邮政",
            "通信", "燃气", "供水", "环保", "园林", "物业", "酒店", "餐饮"]
SUFFIXES = ["装配工", "维修工", "操作员", "检验员", "调试员", "安装工", "设备点检员",
            "质检员", "仓储员", "包装工", "技术员", "工艺员", "运维员", "销售员", "保养工",
            "机修钳工", "电焊工", "叉车司机", "制图员", "化验员", "配料工", "分拣员",
            "巡检员", "抄表员", "营销员", "培训师", "管理员", "调度员", "监控员", "修理工",
            "喷涂工", "打磨工", "焊接工", "测量员", "试验员", "装卸工", "清洗工", "烘焙师",
            "切割工", "压铸工", "冲压工", "热处理工"]
LEVELS = ["初级工", "中级工", "高级工", "技师", "高级技师"]
TYPES = ["就业技能培训", "岗位技能提升培训", "创业培训", "新型学徒制", "高技能人才培训"]
SCHOOL_WORDS = ["阳光", "育才", "启航", "华夏", "腾飞", "金桥", "明德", "博雅", "鼎新",
                "远航", "匠心", "卓越", "东方", "长城", "黄河", "中原", "嵩山", "伏牛",
                "太行", "新华"]
SCHOOL_KINDS = ["职业技能培训学校", "技工学校", "职业培训中心", "技师学院", "公共实训基地"]


def prepare_database(kind: str) -> str:
    if kind == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{SQLITE_PATH}"
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres",
                         autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS jineng_search_bench")
        conn.execute("CREATE DATABASE jineng_search_bench")
    return PG_URL


def setup_django(url: str) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("JINENG_DEMO", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "jineng.config.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(scale: float) -> dict:
    from django.db import connection, transaction

    from jineng.plans import services as plans
    from jineng.plans.rules.packs import read_shipped
    from jineng.portal.models import SearchDocument
    from jineng.portal.rules.search import index_tokens
    from jineng.portal.services import search as index
    from jineng.portal.services import search_documents as docs
    from jineng.registry.models import Occupation, Region

    t0 = time.perf_counter()
    # Occupations: the seeded ones plus synthetic work types up to OCCUPATIONS.
    parent = Occupation.objects.filter(rank="occupation").order_by("id").first()
    existing = Occupation.objects.filter(rank__in=("occupation", "work_type")).count()
    names = [p + s for p in PREFIXES for s in SUFFIXES][: max(0, OCCUPATIONS - existing)]
    Occupation.objects.bulk_create([Occupation(name=n, rank="work_type", parent=parent,
                                               code_source="benchmark (synthetic)")
                                    for n in names])
    occupation_names = list(Occupation.objects.filter(rank__in=("occupation", "work_type"))
                            .values_list("name", flat=True))
    counties = list(Region.objects.filter(level="county").select_related("parent")
                    .values_list("code", "name", "parent__name")[:200]) or [("520102", "南明区",
                                                                              "贵阳市")]
    n_classes = int(CLASSES * scale)
    n_inst = max(100, int(INSTITUTIONS * scale))
    schools = [f"{counties[i % len(counties)][1]}{SCHOOL_WORDS[i % 20]}"
               f"{SCHOOL_KINDS[(i // 20) % 5]}{i // 100 or ''}" for i in range(n_inst)]
    cut: dict[str, str] = {}

    def tokens(text: str) -> str:
        if text not in cut:
            cut[text] = index_tokens(text)
        return cut[text]

    with transaction.atomic():
        SearchDocument.objects.all().delete()
        batch = []
        for i in range(n_inst):
            code, county, city = counties[i % len(counties)]
            batch.append(SearchDocument(
                kind="institution", ref=str(i), title=schools[i], summary=f"{city}{county}",
                region_code=code, title_tokens=tokens(schools[i]),
                tokens=" ".join((tokens(schools[i]), tokens(county), tokens(city)))))
        index._insert(batch)
        start = dt.date(2023, 1, 2)
        batch = []
        for i in range(n_classes):
            occupation = occupation_names[(i * 7919) % len(occupation_names)]
            level = LEVELS[i % 5]
            kind = TYPES[(i // 5) % 5]
            school = schools[(i * 31) % n_inst]
            code, county, city = counties[(i * 13) % len(counties)]
            title = f"{occupation}（{level}）{kind}第{i % 40 + 1}期"
            title_tokens = " ".join((tokens(occupation), tokens(level), tokens(kind),
                                     str(i % 40 + 1)))
            batch.append(SearchDocument(
                kind="class", ref=str(i), title=title, summary=school, region_code=code,
                start_date=start + dt.timedelta(days=i % 1000),
                end_date=start + dt.timedelta(days=i % 1000 + 20), title_tokens=title_tokens,
                tokens=" ".join((title_tokens, tokens(school), tokens(county), tokens(city)))))
            if len(batch) == 5000:
                index._insert(batch)
                batch = []
                if (i + 1) % 50_000 == 0:
                    print(f"  {i + 1:,} class documents ({time.perf_counter() - t0:.0f} s)",
                          file=sys.stderr, flush=True)
        index._insert(batch)
        occ = list(docs.occupations().iterator())
        index._insert([docs.in_index_language(docs.occupation_document, o) for o in occ])
        from jineng.accounts.models import User

        admin = User.objects.create_superuser("bench", "bench@example.invalid", "x",
                                              role="system_admin")
        for key in ("guizhou-2025-2027", "henan-2025", "zhejiang-2025-2027",
                    "lianyungang-2025-2027", "hunan-lifelong-training"):
            try:
                plans.plan_load_pack(actor=admin, text=read_shipped(key))
            except Exception as exc:  # a pack whose region is not loaded
                print(f"  (pack {key} not loaded: {exc})", file=sys.stderr)
        index._insert(docs.in_index_language(
            lambda: list(docs.clause_documents(docs.loaded_plans()))))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE portal_searchdocument")
    counts = dict(SearchDocument.objects.values_list("kind").annotate(
        n=__import__("django.db.models", fromlist=["Count"]).Count("id")))
    return {"build_s": round(time.perf_counter() - t0, 1), "documents": counts}


def time_queries(repeat: int) -> list[tuple[str, float, float, int]]:
    from jineng.portal.selectors import search as s
    from jineng.registry.selectors import occupation_search

    occupation_search("电工")  # builds the process's occupation index once
    rows = []
    for q in QUERIES:
        s.search(actor=None, q=q)  # warm
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            answer = s.search(actor=None, q=q)
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
        rows.append((q, statistics.median(times), p95, answer.count))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--tier", choices=sorted(TIERS), default="L")
    parser.add_argument("--scale", type=float, default=None,
                        help="override the tier's scale (1.0 = tier L)")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    scale = args.scale if args.scale is not None else TIERS[args.tier]
    setup_django(prepare_database(args.database))
    from django.db import connection

    info = build(scale)
    rows = time_queries(args.repeat)
    every = sorted(t for _q, _m, t, _n in rows)
    tier = (args.tier if args.scale is None else
            "L" if scale >= 1 else f"L × {scale}")
    print(f"\n## Portal search ({connection.vendor}, tier {tier})\n")
    print(f"machine: {machine()}")
    print(f"index: {info['documents']} (built in {info['build_s']} s)\n")
    print("| query | p50 ms | p95 ms | matches |")
    print("|---|---:|---:|---:|")
    for q, p50, p95, n in rows:
        print(f"| {q} | {p50:.1f} | {p95:.1f} | {n} |")
    print(f"\nworst query p95: {every[-1]:.1f} ms; goal 100 ms: "
          f"{'met' if every[-1] < 100 else 'NOT met'}")


if __name__ == "__main__":
    main()
