"""Every read of the plans app, scoped to the actor. A region or plan outside the actor's branch
of the tree answers NotFound, exactly like a missing one."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from jineng.core.errors import NotFound
from jineng.core.scoping import scope_of
from jineng.plans import actuals
from jineng.plans.actors import actor_facts
from jineng.plans.choices import ProgressStatus, ReportStatus
from jineng.plans.models import (
    ActualFact,
    ActualRollup,
    ChecklistItem,
    Plan,
    QuarterlyReport,
    Target,
    TargetAllocation,
)
from jineng.plans.rules import permissions
from jineng.plans.rules import progress as rules
from jineng.plans.rules import vocabulary as v
from jineng.plans.rules.packs import region_prefix
from jineng.plans.rules.quarters import quarter_bounds
from jineng.registry.models import Organization, Region

# --- plans and regions -----------------------------------------------------------------------


def plan_list(*, actor) -> QuerySet[Plan]:
    return Plan.objects.visible_to(actor).select_related("region")


def plan_get(*, actor, key: str) -> Plan:
    plan = plan_list(actor=actor).filter(key=key).first()
    if plan is None:
        raise NotFound()
    return plan


def default_plan(*, actor) -> Plan | None:
    """The plan an actor lands on: a demo plan first, then the latest plan of their branch."""
    plans = list(plan_list(actor=actor).order_by("-is_demo", "-period_start", "key"))
    return plans[0] if plans else None


def dashboard_region(*, actor, plan: Plan, code: str | None = None) -> Region:
    """The region a dashboard shows: inside the plan's region and the actor's scope. Without a
    code: the actor's own region (or the plan's, for those above it)."""
    scope = scope_of(actor)
    if not code:
        own = getattr(actor, "region", None)
        code = own.code if own is not None and plan.region.contains(own) else plan.region.code
    region = Region.objects.filter(code=code).select_related("parent").first()
    if region is None or not plan.region.contains(region):
        raise NotFound()
    if not scope.everything and (scope.region_prefix is None
                                 or not region.code.startswith(scope.region_prefix)):
        raise NotFound()
    return region


def landing_region(*, actor, plan: Plan, focus_code: str | None = None) -> Region | None:
    """Where the landing page shows a plan: the page's focus when it lies inside the plan's
    region (and the actor's scope); else the actor's own region within the plan; else the
    plan's region when the focus (None: the whole country) contains it; else nowhere."""
    own = getattr(actor, "region", None)
    candidates: list[str] = []
    if focus_code and focus_code.startswith(region_prefix(plan.region.code)):
        candidates.append(focus_code)
    if own is not None and plan.region.contains(own):
        candidates.append(own.code)
    if not focus_code or plan.region.code.startswith(region_prefix(focus_code)):
        candidates.append(plan.region.code)
    for code in candidates:
        try:
            return dashboard_region(actor=actor, plan=plan, code=code)
        except NotFound:
            continue
    return None


def landing_summary(*, actor, plan: Plan | None, focus_code: str | None = None,
                    as_of: dt.date | None = None) -> dict | None:
    """A plan (the actor's default plan) as the landing page shows it: its headline targets
    and the map of the regions below, shaped like the dashboard's; None without a plan or
    without a region to show it at."""
    if plan is None:
        return None
    region = landing_region(actor=actor, plan=plan, focus_code=focus_code)
    if region is None:
        return None
    from jineng.plans import dashboard  # the shaping, built on these selectors

    return dashboard.summary(actor=actor, plan=plan, region=region,
                             as_of=as_of_for(plan, as_of))


def region_path(*, plan: Plan, region: Region) -> list[Region]:
    """Breadcrumb from the plan's region down to `region`."""
    path = [region]
    while path[-1].pk != plan.region_id and path[-1].parent_id:
        path.append(Region.objects.get(pk=path[-1].parent_id))
    return list(reversed(path))


@dataclass(frozen=True)
class Crumb:
    """One step of a breadcrumb: a link only if the actor may open that region's page (a
    region above a county officer's own is shown as text: its page would answer 404)."""

    region: Region
    link: bool

    @property
    def code(self) -> str:
        return self.region.code

    @property
    def name(self) -> str:
        return self.region.name


def breadcrumbs(*, actor, plan: Plan, region: Region) -> list[Crumb]:
    """region_path, each step marked with whether the actor can open it."""
    facts = actor_facts(actor)
    return [Crumb(region=r, link=permissions.may_see_region(facts, r.code))
            for r in region_path(plan=plan, region=region)]


def child_regions(region: Region) -> list[Region]:
    from jineng.plans.services import child_regions as children

    return children(region)


def status_label(status: str) -> str:
    try:
        return str(ProgressStatus(status).label)
    except ValueError:
        return status


def as_of_for(plan: Plan, as_of: dt.date | None) -> dt.date:
    return as_of or timezone.localdate()


# --- progress --------------------------------------------------------------------------------

class _Shares:
    """Percentages of a row with a `progress`, as the pages show them."""

    progress: rules.Progress

    @property
    def percent(self) -> Decimal | None:
        share = self.progress.share
        return None if share is None else (share * 100).quantize(Decimal("0.1"))

    @property
    def bar_percent(self) -> Decimal:
        return min(self.percent or Decimal(0), Decimal(100))


@dataclass
class ProgressRow(_Shares):
    target: Target
    target_value: Decimal | None
    actual: actuals.Actual
    actual_this_year: Decimal | None
    progress: rules.Progress

    @property
    def status(self) -> str:
        return self.progress.status

    @property
    def behind(self) -> bool:
        return self.progress.behind

    @property
    def status_label(self) -> str:
        return status_label(self.progress.status)

    @property
    def elapsed_percent(self) -> Decimal:
        return (self.progress.elapsed * 100).quantize(Decimal("0.1"))

    @property
    def metric(self) -> v.Metric:
        return v.METRICS[self.target.metric]


def query_for(plan: Plan, target: Target, region_code: str, start: dt.date, end: dt.date,
              organization_id: int | None = None) -> actuals.ActualQuery:
    return actuals.query_for_target(plan, target, region_code, start, end, organization_id)


def target_values(*, plan: Plan, region: Region,
                  targets: list[Target]) -> dict[int, Decimal | None]:
    if region.pk == plan.region_id:
        return {t.pk: t.value for t in targets}
    allocations = dict(TargetAllocation.objects.filter(target__in=targets, region=region)
                       .values_list("target_id", "value"))
    return {t.pk: (t.value if (t.kind == v.RATE or t.each) else allocations.get(t.pk))
            for t in targets}


def _evaluate(target: Target, value: Decimal | None, answer: actuals.Actual,
              this_year: Decimal | None, as_of: dt.date) -> rules.Progress:
    if target.kind == v.RATE:
        return rules.evaluate_rate(target=value, actual=answer.value,
                                   period_start=target.period_start,
                                   period_end=target.period_end, as_of=as_of,
                                   comparator=target.comparator)
    return rules.evaluate_count(target=value, actual=answer.value, actual_this_year=this_year,
                                period_start=target.period_start,
                                period_end=target.period_end, as_of=as_of,
                                comparator=target.comparator)


def progress(*, actor, plan: Plan, region: Region, as_of: dt.date,
             targets: list[Target] | None = None,
             organization_id: int | None = None) -> list[ProgressRow]:
    """Every target's standing in `region` on `as_of`: actual over the target's period so far
    and this year, share of target and of time, projections and status. Each-region targets
    (每个县…) are left out: they are counted region by region."""
    dashboard_region(actor=actor, plan=plan, code=region.code)
    targets = [t for t in (targets if targets is not None else plan.targets.all())
               if not t.each]
    values = target_values(plan=plan, region=region, targets=targets)
    queries = []
    for t in targets:
        end = min(as_of, t.period_end)
        year_start = max(dt.date(as_of.year, 1, 1), t.period_start)
        queries.append(query_for(plan, t, region.code, t.period_start, end, organization_id))
        queries.append(query_for(plan, t, region.code, year_start, end, organization_id))
    answers = actuals.actuals(queries)
    rows = []
    for i, t in enumerate(targets):
        total, this_year = answers[2 * i], answers[2 * i + 1]
        rows.append(ProgressRow(t, values[t.pk], total, this_year.value,
                                _evaluate(t, values[t.pk], total, this_year.value, as_of)))
    return rows


@dataclass
class ChildRow(_Shares):
    region: Region
    target_value: Decimal | None
    actual: Decimal | None
    progress: rules.Progress


def children_progress(*, actor, plan: Plan, region: Region, target: Target,
                      as_of: dt.date) -> list[ChildRow]:
    """The target in each region directly below `region` (for the map and the drill-down)."""
    dashboard_region(actor=actor, plan=plan, code=region.code)
    children = child_regions(region)
    if not children:
        return []
    end = min(as_of, target.period_end)
    allocations = dict(TargetAllocation.objects.filter(target=target, region__in=children)
                       .values_list("region_id", "value"))
    values: dict[str, Decimal | None] = {}
    query = query_for(plan, target, region.code, target.period_start, end)
    if (v.METRICS[target.metric].source == "facts" and target.kind == v.COUNT
            and not query.cuts and end >= target.period_start):
        totals = dict(ActualRollup.objects.filter(
            parent_code=region.code, dimension="", metric=target.metric,
            day__gte=target.period_start, day__lte=end)
            .values_list("region_code").annotate(total=Sum("value")))
        values = {c.code: Decimal(totals.get(c.code, 0)) for c in children}
    else:
        answers = actuals.actuals([query_for(plan, target, c.code, target.period_start, end)
                                   for c in children])
        values = {c.code: a.value for c, a in zip(children, answers, strict=True)}
    rows = []
    for child in children:
        value = (target.value if (target.kind == v.RATE or target.each)
                 else allocations.get(child.pk))
        answer = actuals.Actual(values[child.code], "facts")
        rows.append(ChildRow(child, value, values[child.code],
                             _evaluate(target, value, answer, None, as_of)))
    return rows


@dataclass
class BreakdownRow:
    code: str
    label: str
    actual: Decimal
    target: Target | None
    target_value: Decimal | None


def breakdown(*, actor, plan: Plan, region: Region, metric: str, dimension: str,
              start: dt.date, end: dt.date) -> list[BreakdownRow]:
    """A metric cut by one dimension in `region`, with the plan's targets for each value."""
    dashboard_region(actor=actor, plan=plan, code=region.code)
    if end < start:
        totals: dict[str, Decimal] = {}
    elif region.code.endswith("00"):
        totals = {k: Decimal(t) for k, t in ActualRollup.objects.filter(
            region_code=region.code, dimension=dimension, metric=metric,
            day__gte=start, day__lte=end)
            .values_list("dimension_value").annotate(total=Sum("value"))}
    else:
        totals = {k: Decimal(t) for k, t in ActualFact.objects.filter(
            actuals.fact_subtree_q(region.code), metric=metric,
            day__gte=start, day__lte=end).exclude(**{dimension: ""})
            .values_list(dimension).annotate(total=Sum("value"))}
    targets = [t for t in plan.targets.all() if t.metric == metric and not t.each
               and getattr(t, dimension, "") and _single_cut(t) == dimension]
    by_value: dict[str, Target] = {getattr(t, dimension): t for t in targets}
    values = target_values(plan=plan, region=region, targets=targets)
    if dimension == "program":
        # Sub-programs roll up into their top program for the chart.
        rolled: dict[str, Decimal] = defaultdict(Decimal)
        for code, total in totals.items():
            top = code
            while plan.programs.get(top, {}).get("parent"):
                top = plan.programs[top]["parent"]
            rolled[top] += total
        totals = dict(rolled)
        codes = [k for k, p in plan.programs.items() if not p.get("parent")]
    else:
        codes = list(v.DIMENSIONS[dimension])
    rows = []
    for code in codes:
        target = by_value.get(code)
        if code not in totals and target is None:
            continue
        rows.append(BreakdownRow(code, v.dimension_label(dimension, code, plan.program_names),
                                 totals.get(code, Decimal(0)), target,
                                 values.get(target.pk) if target else None))
    return rows


def _single_cut(target: Target) -> str:
    cuts = [name for name in ("sector", "key_group", "training_type", "program")
            if getattr(target, name)]
    return cuts[0] if len(cuts) == 1 else ""


def trend(*, actor, plan: Plan, region: Region, metric: str, start: dt.date,
          end: dt.date) -> list[tuple[dt.date, Decimal]]:
    """Monthly totals of a metric in `region` (overall), oldest first."""
    dashboard_region(actor=actor, plan=plan, code=region.code)
    if end < start:
        return []
    rows = (ActualRollup.objects.filter(region_code=region.code, dimension="", metric=metric,
                                        day__gte=start, day__lte=end)
            .annotate(month=TruncMonth("day")).values_list("month")
            .annotate(total=Sum("value")).order_by("month"))
    out = []
    for month, total in rows:
        month = month.date() if isinstance(month, dt.datetime) else month
        out.append((month, Decimal(total)))
    return out


def institutions(*, actor, plan: Plan, region: Region, metric: str, start: dt.date,
                 end: dt.date, limit: int = 50) -> list[tuple[Organization | None, Decimal]]:
    """The institutions contributing to a metric in a region, largest first."""
    dashboard_region(actor=actor, plan=plan, code=region.code)
    rows = list(ActualFact.objects.filter(
        actuals.fact_subtree_q(region.code), metric=metric, day__gte=start, day__lte=end)
        .values_list("organization_id").annotate(total=Sum("value")).order_by("-total")[:limit])
    orgs = Organization.objects.visible_to(actor).in_bulk([o for o, _t in rows if o])
    return [(orgs.get(org_id) if org_id else None, Decimal(total)) for org_id, total in rows
            if org_id is None or org_id in orgs]


def institution_get(*, actor, plan: Plan, region: Region, pk: int) -> Organization:
    """An institution the actor may see that is registered in the region or has trained there
    (institutions train outside their home county: the region's institution list links them)."""
    org = Organization.objects.visible_to(actor).filter(pk=pk).first()
    if org is None or not (org.region.code.startswith(region_prefix(region.code))
                           or ActualFact.objects.filter(actuals.fact_subtree_q(region.code),
                                                        organization_id=pk).exists()):
        raise NotFound()
    return org


def checklist(*, actor, plan: Plan) -> QuerySet[ChecklistItem]:
    return ChecklistItem.objects.visible_to(actor).filter(plan=plan)


def checklist_item_get(*, actor, plan: Plan, pk: int) -> ChecklistItem:
    item = checklist(actor=actor, plan=plan).filter(pk=pk).first()
    if item is None:
        raise NotFound()
    return item


def target_get(*, actor, plan: Plan, key: str) -> Target:
    target = Target.objects.visible_to(actor).filter(plan=plan, key=key).first()
    if target is None:
        raise NotFound()
    return target


def allocations(*, actor, target: Target, parent: Region) -> dict[str, TargetAllocation]:
    return {a.region.code: a for a in TargetAllocation.objects.visible_to(actor)
            .filter(target=target, parent_region=parent).select_related("region")}


# --- quarterly reports -----------------------------------------------------------------------

def report_list(*, actor, plan: Plan, region: Region | None = None, year: int | None = None,
                quarter: int | None = None) -> QuerySet[QuarterlyReport]:
    qs = (QuarterlyReport.objects.visible_to(actor).filter(plan=plan)
          .select_related("region", "plan", "submitted_by", "reviewed_by"))
    if region is not None:
        qs = qs.filter(region__code__startswith=region.scope_prefix)
    if year:
        qs = qs.filter(year=year)
    if quarter:
        qs = qs.filter(quarter=quarter)
    return qs


def report_get(*, actor, plan: Plan, pk: int) -> QuarterlyReport:
    report = report_list(actor=actor, plan=plan).filter(pk=pk).first()
    if report is None:
        raise NotFound()
    return report


def report_lines(report: QuarterlyReport):
    return report.lines.select_related("target").order_by("target__position")


@dataclass
class SummaryRow:
    target: Target
    target_value: Decimal | None
    reported_quarter: Decimal
    reported_cumulative: Decimal
    prefilled_quarter: Decimal | None
    reports: int


def report_summary(*, actor, plan: Plan, region: Region, year: int,
                   quarter: int) -> tuple[list[SummaryRow], list[QuarterlyReport]]:
    """The province's (or city's) aggregation of the reports filed by the regions directly
    below it for one quarter: submitted and reviewed reports are added up."""
    dashboard_region(actor=actor, plan=plan, code=region.code)
    quarter_bounds(year, quarter)
    reports = list(report_list(actor=actor, plan=plan, year=year, quarter=quarter)
                   .filter(region__parent=region, department=""))
    counted = [r for r in reports if r.status in {ReportStatus.SUBMITTED, ReportStatus.REVIEWED}]
    totals: dict[int, list] = {}
    for report in counted:
        for line in report.lines.all():
            entry = totals.setdefault(line.target_id, [Decimal(0), Decimal(0), None, 0])
            entry[0] += line.reported_quarter or 0
            entry[1] += line.reported_cumulative or 0
            if line.prefilled_quarter is not None:
                entry[2] = (entry[2] or Decimal(0)) + line.prefilled_quarter
            entry[3] += 1
    targets = [t for t in plan.targets.all() if not t.each]
    values = target_values(plan=plan, region=region, targets=targets)
    rows = []
    for t in targets:
        q, c, pre, n = totals.get(t.pk, [Decimal(0), Decimal(0), None, 0])
        if t.kind == v.RATE:
            continue  # rates do not add up across regions
        rows.append(SummaryRow(t, values[t.pk], q, c, pre, n))
    return rows, reports


def fact_totals_by_city_month(*, region: Region, start: dt.date, end: dt.date,
                              exclude_source: str = "") -> dict[tuple[str, str, dt.date], int]:
    """What the facts of a region count, by (metric, city code, first of the month); for
    builders that top up what jineng's own records already count (the demo)."""
    facts = ActualFact.objects.filter(county_code__startswith=region.scope_prefix,
                                      day__gte=start, day__lte=end)
    if exclude_source:
        facts = facts.exclude(source=exclude_source)
    rows = facts.values_list("metric", "county_code", "day", "value")
    out: dict[tuple[str, str, dt.date], int] = {}
    for metric, county, day, value in rows.iterator(chunk_size=20_000):
        key = (metric, county[:4] + "00", day.replace(day=1))
        out[key] = out.get(key, 0) + value
    return out


def boundary_file(region_code: str) -> str | None:
    """The static path of the boundary file (china-geojson, offline) of the province a region
    code lies in, or None: for other maps of the site (the public training map)."""
    from jineng.plans.dashboard import geojson_path  # the dashboard imports this module

    return geojson_path(region_code)


def boundary_city_features(region_code: str) -> dict[str, str]:
    """City region code → the name of its feature in the boundary file of the province a
    region code lies in ({} without a file or a province): for other maps that colour cities
    (the demand app's wish map), matched as the plans map matches them."""
    from jineng.plans.dashboard import feature_names, geojson_path, province_features

    path = geojson_path(region_code)
    if path is None or not province_features(path):
        return {}
    province = Region.objects.filter(code=f"{region_code[:2]}0000").first()
    return feature_names(path, child_regions(province)) if province is not None else {}
