"""The demo plan: the Guizhou pack run by the demo province, with SYNTHETIC training volumes.

    build_demo_plan(seed=1, today=date(2026, 11, 21)) -> summary dict

Loads the Guizhou pack as the demo plan, splits its targets among the cities (in proportion to
their population, the demo geography's weights) and each city's among its counties (equal
shares). What jineng's own records already count (the demo's finished classes: source
"demo.training") counts first; made-up monthly facts (source "demo.synthetic") fill each city's
month up to its pace, from the period's start to `today`,
and prepares last quarter's reports in several states. Each city gets its own pace, so some
are ahead of the straight line and some behind. Nothing here is a statistic: every rate and
share below is SYNTHETIC, chosen to make the dashboard tell a plausible story. Running it again
replaces the previous demo plan and its facts (same seed → same numbers).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from jineng.demo.geography import CITY_WEIGHTS
from jineng.plans import selectors, services
from jineng.plans.choices import DecompositionMethod, ReportStatus
from jineng.plans.rules import decompose as dec
from jineng.plans.rules.progress import elapsed_share
from jineng.plans.rules.quarters import last_closed_quarter
from jineng.registry.choices import OrganizationKind
from jineng.registry.models import Organization, Region

SOURCE = "demo.synthetic"
PACK = "guizhou-2025-2027"
PLAN_KEY = "demo-guizhou-2025-2027"
SHORT_TITLE = "贵州省大规模职业技能提升培训行动（2025—2027年·演示）"
PROVINCE_CODE = "520000"

# SYNTHETIC: each city's pace against the straight line (1.0 = exactly on it), shuffled by seed.
CITY_PACES = [1.22, 1.12, 1.05, 0.98, 0.93, 0.86, 0.78, 0.66, 0.55]
# SYNTHETIC shares of a sector's trainees who are young people / hard to employ / migrants.
GROUP_SHARES = {"youth": 0.075, "hard_to_employ": 0.065, "migrant_worker": 0.12,
                "enterprise_employee": 0.20}
# SYNTHETIC mix of training types.
TYPE_SHARES = {"employment_skills": 0.42, "post_upgrading": 0.33, "safety": 0.12,
               "entrepreneurship": 0.05, "apprenticeship": 0.05, "skills_reserve": 0.03}
GROUP_CHOICES = [*GROUP_SHARES, ""]
GROUP_WEIGHTS = [*GROUP_SHARES.values(), 1 - sum(GROUP_SHARES.values())]
TYPE_CHOICES = list(TYPE_SHARES)
TYPE_WEIGHTS = list(TYPE_SHARES.values())
SUBSIDIZED_SHARE = 0.62  # SYNTHETIC share of trainees whose training was subsidized
SEASON = {1: 0.55, 2: 0.6, 3: 1.0, 4: 1.1, 5: 1.15, 6: 1.1, 7: 1.0, 8: 0.95, 9: 1.1,
          10: 1.0, 11: 1.2, 12: 1.15}  # SYNTHETIC: quiet around the Spring Festival


def _population_weights(cities: list[Region]) -> dict[str, Decimal]:
    """Cities' weights for the split: the demo geography's population figures (Guizhou's),
    else (another province) the number of counties."""
    weights = {c.code: Decimal(CITY_WEIGHTS.get(c.code, 0)) for c in cities}
    if not any(weights.values()):
        weights = {c.code: Decimal(max(1, c.children.count())) for c in cities}
    return weights


def remove_facts(*, source: str) -> int:
    """Remove the facts of one demo source (call before removing demo organizations: facts
    point at them)."""
    return services.actual_facts_remove(source=source)


def remove_demo_plan() -> dict[str, int]:
    """Remove demo plans and the synthetic facts (call before removing demo organizations)."""
    with transaction.atomic():
        return {"facts": remove_facts(source=SOURCE), "plans": services.demo_plans_remove()}


def _months(start: dt.date, end: dt.date):
    """Months [a, b] from start to end (the last one cut at end)."""
    day = start
    while day <= end:
        nxt = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        stop = nxt - dt.timedelta(days=1)
        yield day, min(stop, end)
        day = nxt


def _split_int(rng: random.Random, total: int, shares: dict[str, float]) -> dict[str, int]:
    noisy = {k: max(0.0, s * rng.uniform(0.8, 1.2)) for k, s in shares.items()}
    split = dec.largest_remainder(total, {k: Decimal(str(round(w, 6))) for k, w in noisy.items()})
    return split.shares


def build_demo_plan(*, seed: int, today: dt.date, province_code: str = PROVINCE_CODE) -> dict:
    """Build (or rebuild) the demo plan; returns what was made."""
    rng = random.Random(f"plans-demo-{seed}")
    removed = remove_demo_plan()
    province = Region.objects.get(code=province_code)
    plan = services.plan_install_shipped(
        pack=PACK, region=province,
        key=PLAN_KEY if province_code == PROVINCE_CODE else f"demo-{province_code}-2025-2027",
        short_title=SHORT_TITLE, is_demo=True)
    targets = list(plan.targets.all())
    cities = services.child_regions(province)
    city_weights = _population_weights(cities)
    counties = {c.code: services.child_regions(c) for c in cities}

    # Split every count target: province → cities by population, city → counties equally.
    for target in targets:
        if not target.is_decomposable:
            continue
        services.target_split_system(target=target, parent=province,
                                     method=DecompositionMethod.PROPORTIONAL,
                                     weights=city_weights)
        for city in cities:
            if counties[city.code]:
                services.target_split_system(target=target, parent=city,
                                             method=DecompositionMethod.EQUAL)

    paces = CITY_PACES[:]
    rng.shuffle(paces)
    pace = {c.code: paces[i % len(paces)] for i, c in enumerate(cities)}
    orgs: dict[str, list[int]] = {}
    for org_id, code in Organization.objects.filter(
            kind=OrganizationKind.TRAINING, region__code__startswith=province.scope_prefix
    ).values_list("pk", "region__code"):
        orgs.setdefault(code[:6], []).append(org_id)

    start = plan.period_start
    end = min(today, plan.period_end or today)
    by_key = {t.key: t for t in targets}
    sector_targets = {t.sector: t.value for t in targets if t.sector and t.metric ==
                      "person_times_trained"}
    sector_total = float(sum(sector_targets.values()))
    sector_shares = {s: float(v) / sector_total for s, v in sector_targets.items()}
    total_target = float(by_key["total"].value)
    order_target = float(by_key["group.migrant_worker.order_classes"].value)
    period_days = (plan.period_end - plan.period_start).days + 1
    months = list(_months(start, end))

    recorded = selectors.fact_totals_by_city_month(region=province, start=start, end=end,
                                                  exclude_source=SOURCE)
    facts: list[services.FactInput] = []
    for city in cities:
        city_share = float(city_weights[city.code] / sum(city_weights.values()))
        kids = counties[city.code] or [city]
        for a, b in months:
            days = (b - a).days + 1
            expected = total_target * city_share * pace[city.code] * days / period_days
            expected *= SEASON[a.month] / 1.0
            # Subsidized person-times: the share of all trainees, less what the demo's paid
            # subsidies already count (they count at payment, not when a class finishes).
            subsidized_due = max(0.0, expected * SUBSIDIZED_SHARE - recorded.get(
                ("person_times_subsidized", city.code, a), 0))
            # The demo's own classes count first; synthetic volumes fill the rest of the pace.
            expected = max(0.0, expected - recorded.get(("person_times_trained", city.code, a),
                                                        0))
            share = min(1.0, subsidized_due / expected) if expected else 0.0
            for county in kids:
                volume = round(expected / len(kids) * rng.uniform(0.7, 1.3))
                if volume <= 0:
                    continue
                sector_mix = {s: w * rng.uniform(0.7, 1.3) for s, w in sector_shares.items()}
                for sector, n in _split_int(rng, volume, sector_mix).items():
                    if n <= 0:
                        continue
                    group = rng.choices(GROUP_CHOICES, weights=GROUP_WEIGHTS)[0]
                    kind = ("safety" if sector == "special_operations" else
                            rng.choices(TYPE_CHOICES, weights=TYPE_WEIGHTS)[0])
                    day = a + dt.timedelta(days=rng.randrange(days))
                    org = rng.choice(orgs[county.code]) if orgs.get(county.code) else None
                    common = {"day": day, "region_code": county.code, "organization_id": org,
                              "sector": sector, "key_group": group, "training_type": kind}
                    facts.append(services.FactInput(metric="person_times_trained", value=n,
                                                    **common))
                    subsidized = round(n * share * rng.uniform(0.85, 1.1))
                    if subsidized:
                        facts.append(services.FactInput(metric="person_times_subsidized",
                                                        value=min(n, subsidized), **common))
            # Order classes for migrant workers: a few per city and month.
            classes = order_target * city_share * pace[city.code] * days / period_days
            classes = max(0.0, classes - recorded.get(("order_classes", city.code, a), 0))
            n_classes = int(classes) + (1 if rng.random() < classes - int(classes) else 0)
            if n_classes:
                county = rng.choice(kids)
                facts.append(services.FactInput(
                    metric="order_classes", value=n_classes, region_code=county.code,
                    day=a + dt.timedelta(days=rng.randrange(days)),
                    key_group="migrant_worker"))
    services.actual_facts_add_many(actor=None, source=SOURCE, facts=facts)

    # Last quarter's reports: a mix of states, as a real quarter looks mid-way.
    year, quarter = last_closed_quarter(today)
    reports = 0
    if plan.period_start <= dt.date(year, 3 * quarter, 1) <= (plan.period_end or today):
        states = [ReportStatus.REVIEWED, ReportStatus.REVIEWED, ReportStatus.SUBMITTED,
                  ReportStatus.SUBMITTED, ReportStatus.RETURNED, ReportStatus.DRAFT]
        for i, city in enumerate(cities):
            if i >= len(cities) - 2:
                continue  # two cities have not started theirs
            report = services.report_prepare_system(
                plan=plan, region=city, year=year, quarter=quarter,
                first_comment="含线上线下培训，已按实名制核对。")
            reports += 1
            _demo_state(report, states[i % len(states)])
    elapsed = elapsed_share(plan.period_start, plan.period_end, end)
    ahead = [c.name for c in cities if pace[c.code] >= 1]
    behind = [c.name for c in cities if pace[c.code] < 0.9]
    return {"plan": plan.key, "facts": len(facts), "reports": reports,
            "elapsed": str(elapsed), "cities_ahead": ahead, "cities_behind": behind,
            "removed": removed, "synthetic": True}


def _demo_state(report, state: str) -> None:
    """Move a demo report to a state (audited as the system: the demo has no reviewers)."""
    if state == ReportStatus.DRAFT:
        return
    report = services.report_move_system(report=report, to=ReportStatus.SUBMITTED)
    if state == ReportStatus.SUBMITTED:
        return
    comment = ("数据已核对。" if state == ReportStatus.REVIEWED
               else "请补充特种作业培训考核情况说明。")
    services.report_move_system(report=report, to=state, comment=comment)
