"""Demo data of the demand app: the demo enterprises' quarterly demand lists (企业需求清单).

Every enterprise files for the last four quarters and the current one, in every state: past
quarters mostly accepted (a few still submitted), the current quarter a mix of drafts,
submitted, returned (with the office's reason) and accepted lists; some filed by the lead
enterprise of an alliance (就业培训联盟). The lines name the occupations the demo classes train
(so the four lists meet classes, sittings and certificates) with levels, people, dates inside
the quarter, order-class wishes and wage ranges. The demo enterprise login has a draft list of
the next quarter to file and a returned list of the current quarter to correct. Rows are written
with the ORM and their primary-key blocks returned for a reset."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jineng.demand.models import DemandLine, DemandList, DemandListStatusChange
from jineng.demand.rules import demand_lists as rules
from jineng.registry.choices import OrganizationKind
from jineng.registry.models import Occupation, Organization, SkillLevel
from jineng.training.choices import Sector
from jineng.training.models import TrainingClass

# Guizhou's ten industrial industries (the demo enterprises' sectors) → the plan's sectors.
SECTOR_OF = {"大数据电子信息": Sector.DIGITAL_ECONOMY, "健康医药": Sector.ELDERLY_CHILD_CARE,
             "生态特色食品": Sector.RURAL}
ALLIANCES = ("磷化工就业培训联盟", "装备制造就业培训联盟", "新能源汽车就业培训联盟",
             "酱香白酒就业培训联盟", "轻纺就业培训联盟")  # Guizhou (一)
RETURN_REASONS = ("需求人数与上季度差异较大，请核实后重新报送。",
                  "月薪范围未填写完整，请补充。", "需求日期请按本季度实际用工时间填写。")
MAX_ENTERPRISES = {"XS": 6, "S": 60, "M": 200, "L": 400}


def _blocks(label: str, pks: list[int]) -> list[tuple[str, int, int]]:
    out: list[tuple[str, int, int]] = []
    for pk in sorted(pks):
        if out and out[-1][2] == pk - 1:
            out[-1] = (label, out[-1][1], pk)
        else:
            out.append((label, pk, pk))
    return out


def _occupations() -> list[Occupation]:
    used = list(TrainingClass.objects.values_list("occupation_id", flat=True)
                .distinct()[:40])
    found = list(Occupation.objects.filter(pk__in=used))
    if len(found) < 5:
        found += list(Occupation.objects.filter(rank="occupation", code__isnull=False)
                      .order_by("pk")[:10])
    return found


def _lines(rng, dl: DemandList, occupations, levels, today: dt.date) -> list[DemandLine]:
    first, last = rules.quarter_bounds(dl.year, dl.quarter)
    start = max(first, today) if dl.status in rules.EDITABLE_STATES else first
    if start > last:
        start = last
    out = []
    for occupation in rng.sample(occupations, k=min(len(occupations), rng.randint(1, 4))):
        low = rng.choice((3000, 3500, 4000, 4500, 5000, 6000))
        out.append(DemandLine(
            demand_list=dl, occupation=occupation,
            level=rng.choice(levels) if rng.random() < 0.8 else None,
            headcount=rng.choice((2, 3, 5, 8, 10, 12, 15, 20, 30, 50, 80)),
            needed_by=start + dt.timedelta(days=rng.randint(0, (last - start).days)),
            order_class_wanted=rng.random() < 0.4,
            wage_min=low, wage_max=low + rng.choice((500, 1000, 1500, 2000, 3000))))
    return out


def build(*, rng, today, anchors, scale: str) -> dict:
    """The demo enterprises' lists of the last four quarters and this one; the anchor
    enterprise's draft (next quarter) and returned list (this quarter)."""
    anchor = anchors.get(OrganizationKind.ENTERPRISE)
    enterprises = list(Organization.objects.filter(kind=OrganizationKind.ENTERPRISE)
                       .select_related("region").order_by("pk")[:MAX_ENTERPRISES.get(scale,
                                                                                      60)])
    occupations = _occupations()
    levels = list(SkillLevel.objects.filter(rank__lte=5).order_by("rank"))
    if not enterprises or not occupations or not levels:
        return {"lists": 0, "blocks": []}
    now = rules.quarter_of(today)
    quarters = [rules.quarter_add(*now, -n) for n in range(4, -1, -1)]
    moment = timezone.now()
    lists: list[DemandList] = []
    for i, org in enumerate(enterprises):
        sector = SECTOR_OF.get(org.sector, Sector.ADVANCED_MANUFACTURING)
        if org.pk == anchor:
            sector = Sector.DIGITAL_ECONOMY  # the industry demo login's sector
        alliance = ALLIANCES[i % len(ALLIANCES)] if i % 7 == 3 else ""
        plan = list(quarters)
        if org.pk == anchor:
            plan.append(rules.quarter_add(*now, 1))
        for year, quarter in plan:
            if (year, quarter) < now:
                status = rules.ACCEPTED if rng.random() < 0.9 else rules.SUBMITTED
            elif (year, quarter) > now:
                status = rules.DRAFT
            else:
                status = rng.choice((rules.DRAFT, rules.SUBMITTED, rules.SUBMITTED,
                                     rules.RETURNED, rules.ACCEPTED))
            if org.pk == anchor and (year, quarter) == now:
                status = rules.RETURNED
            lists.append(DemandList(
                organization=org, alliance_name=alliance, region=org.region, sector=sector,
                year=year, quarter=quarter, status=status, contact_name="人事部",
                contact_phone=f"0851-8{rng.randint(1000000, 9999999)}"))
    made = DemandList.objects.bulk_create(lists)
    if not all(dl.pk for dl in made):  # a backend that returns no ids: read them back
        made = list(DemandList.objects.filter(organization__in=enterprises))
    lines, history = [], []
    for dl in made:
        lines.extend(_lines(rng, dl, occupations, levels, today))
        first = rules.quarter_bounds(dl.year, dl.quarter)[0]
        filed = timezone.make_aware(dt.datetime.combine(
            first - dt.timedelta(days=10), dt.time(9)))
        steps = [("create", "", rules.DRAFT, "")]
        if dl.status != rules.DRAFT:
            steps.append(("submit", rules.DRAFT, rules.SUBMITTED, ""))
        if dl.status == rules.RETURNED:
            steps.append(("return", rules.SUBMITTED, rules.RETURNED, rng.choice(RETURN_REASONS)))
        if dl.status == rules.ACCEPTED:
            steps.append(("accept", rules.SUBMITTED, rules.ACCEPTED, ""))
        for n, (action, before, after, reason) in enumerate(steps):
            at = min(filed + dt.timedelta(days=3 * n), moment)
            history.append(DemandListStatusChange(
                demand_list=dl, action=action, from_status=before, to_status=after,
                reason=reason, actor_username="demo", at=at))
    lines = DemandLine.objects.bulk_create(lines)
    history = DemandListStatusChange.objects.bulk_create(history)
    counts = {"lists": len(made), "list_lines": len(lines)}
    blocks = (_blocks("demand.demandlist", [d.pk for d in made])
              + _blocks("demand.demandline", [x.pk for x in lines if x.pk])
              + _blocks("demand.demandliststatuschange", [h.pk for h in history if h.pk]))
    return {**counts, "blocks": blocks}
