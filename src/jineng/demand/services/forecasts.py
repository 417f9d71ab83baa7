"""Writes of the demand app: forecasts (需求预测目录 / 急需紧缺职业). One transaction each, audited.

A forecast is built for a region and a target quarter from what the platform holds:

- demand lists (企业需求清单) of the region's subtree, submitted or accepted: the headcount filed
  per occupation and quarter is the observed demand of past quarters and the "already filed"
  figure of the target quarter;
- vacancies: lines of earlier quarters still needed on or after the target quarter's first day,
  less what was filled;
- training wishes (培训意愿) still open that name the occupation (shown as a reason);
- hiring records (outcomes' insurance records): `HIRING_SOURCES`, empty until the outcomes app
  exists; each source is a callable (region_code, first_quarter, last_quarter) → {(occupation_id,
  year, quarter): hires}. When outcomes lands, `jineng.outcomes.selectors` gets such a function
  and this module lists it (outcomes sits below demand, so demand calls it; nothing reaches up);
- supply: trainees of classes ending in the target quarter (`training.selectors.
  trainees_finishing`).

The rules (`rules.forecast`) turn them into each occupation's forecast, backtest and urgency.
`forecast_build` runs inline; `forecast_start` runs it as a background job with progress
(`jineng demand-forecast` is the CLI). Publishing an approved forecast drafts a new version of
the region's urgently-needed catalog through the catalog app's services (draft → entries →
submit → publish; a city's or county's supplement stays in review for its province).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.accounts.models import Role
from jineng.catalog import selectors as catalog_selectors
from jineng.catalog import services as catalog_services
from jineng.catalog.choices import CatalogKind
from jineng.core import audit
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.history import record_transition
from jineng.core.models import AuditAction
from jineng.demand.choices import DemandListStatus, ForecastStatus, WishStatus
from jineng.demand.models import (
    DemandForecast,
    DemandLine,
    ForecastLine,
    ForecastLineReview,
    ForecastStatusChange,
    TrainingWish,
)
from jineng.demand.rules import forecast as rules
from jineng.demand.rules import forecast_lifecycle as lc
from jineng.jobs import services as jobs
from jineng.jobs.tasks import JobRun, job_task
from jineng.registry.choices import RegionLevel
from jineng.registry.models import Region
from jineng.training import selectors as training_selectors

__all__ = [
    "FORECAST_JOB_KIND",
    "HIRING_SOURCES",
    "SOURCE_DEPARTMENT",
    "ForecastInputs",
    "forecast_build",
    "forecast_build_job",
    "forecast_inputs",
    "forecast_kinds",
    "forecast_line_review",
    "forecast_start",
    "forecast_transition",
    "parameters_from",
    "quarter_bounds",
]

FORECAST_JOB_KIND = "demand.forecast"
HISTORY_QUARTERS = 12  # three years of past quarters feed the method and its backtest
REASON_MAX, NOTE_MAX = 2000, 2000
SOURCE_DEPARTMENT = "人力资源社会保障部门（需求预测）"  # data: the catalog's 发布部门 column
LISTED_STATUSES = (DemandListStatus.SUBMITTED, DemandListStatus.ACCEPTED)
OPEN_WISH_STATUSES = (WishStatus.OPEN, WishStatus.MATCHED)

HiringSource = Callable[[str, tuple[int, int], tuple[int, int]], Mapping[tuple[int, int, int], int]]
# Filled by the outcomes app's selector when that app exists (see the module docstring).
HIRING_SOURCES: list[HiringSource] = []


# --- quarters ---------------------------------------------------------------------------------

def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, 3 * quarter - 2, 1)
    nxt = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def _shift(year: int, quarter: int, by: int) -> tuple[int, int]:
    index = year * 4 + (quarter - 1) + by
    return index // 4, index % 4 + 1


def _past_quarters(year: int, quarter: int, n: int) -> list[tuple[int, int]]:
    return [_shift(year, quarter, -k) for k in range(n, 0, -1)]


def _check_quarter(year: Any, quarter: Any) -> tuple[int, int]:
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        raise DomainError(_("The year must be between 2000 and 2100."), field="year")
    if not isinstance(quarter, int) or isinstance(quarter, bool) or not 1 <= quarter <= 4:
        raise DomainError(_("The quarter must be 1, 2, 3 or 4."), field="quarter")
    return year, quarter


def parameters_from(values: Mapping[str, Any] | None) -> rules.UrgencyParameters:
    """The urgency parameters from a form or API body (defaults where absent), checked."""
    values = dict(values or {})
    unknown = set(values) - {"min_gap", "short_share", "critical_share", "take_up_share"}
    if unknown:
        raise DomainError(_("Unknown parameter %(name)s.") % {"name": sorted(unknown)[0]},
                          field="parameters")
    defaults = rules.UrgencyParameters()
    try:
        params = rules.UrgencyParameters(
            min_gap=int(values.get("min_gap", defaults.min_gap)),
            short_share=Decimal(str(values.get("short_share", defaults.short_share))),
            critical_share=Decimal(str(values.get("critical_share",
                                                  defaults.critical_share))),
            take_up_share=Decimal(str(values.get("take_up_share", defaults.take_up_share))))
    except (TypeError, ValueError, InvalidOperation) as exc:
        raise DomainError(_("The parameters must be numbers."), field="parameters") from exc
    problems = params.problems()
    if problems:
        raise DomainError(_("The parameter %(name)s is out of range (shares between 0 and 1, "
                            "critical not below short, a gap of 0 to 100,000 people).")
                          % {"name": problems[0]}, field=problems[0])
    return params


# --- who may ----------------------------------------------------------------------------------

def _covers(actor, region: Region) -> bool:
    prefix = getattr(getattr(actor, "scope", None), "region_prefix", None)
    return prefix is not None and region.code.startswith(prefix)


def forecast_kinds(actor, region: Region) -> frozenset[str]:
    """What the actor is to a forecast of `region` (rules.forecast_lifecycle actor kinds)."""
    if actor is catalog_services.SYSTEM:
        return frozenset(lc.ACTORS)
    if actor is None or not getattr(actor, "is_authenticated", False):
        return frozenset()
    if actor.scope.everything:
        return frozenset(lc.ACTORS)
    kinds: set[str] = set()
    if not _covers(actor, region):
        return frozenset()
    if actor.is_hrss_staff:
        kinds.add(lc.HRSS)
        if actor.role in (Role.PROVINCE_STAFF, Role.CITY_STAFF):
            kinds.add(lc.APPROVER)
        if actor.region_id == region.pk:
            kinds.add(lc.KEEPER)
    elif actor.role == Role.INDUSTRY_STAFF:
        kinds.add(lc.INDUSTRY)
    return frozenset(kinds)


def _username(actor) -> str:
    return getattr(actor, "username", "") or "system"


# --- inputs -----------------------------------------------------------------------------------

@dataclass
class OccupationInput:
    series: list[int]  # observed demand of the past quarters, oldest first
    filed: int = 0  # already filed for the target quarter
    vacancies: int = 0
    wishes: int = 0
    trainees: int = 0
    sector: str = ""
    hires: dict[str, int] = field(default_factory=dict)


@dataclass
class ForecastInputs:
    quarters: list[tuple[int, int]]
    occupations: dict[int, OccupationInput]
    sources: dict[str, Any]


def forecast_inputs(region: Region, year: int, quarter: int, *,
                    history: Mapping[int, Mapping[tuple[int, int], int]] | None = None,
                    hires: Mapping[tuple[int, int, int], int] | None = None,
                    history_quarters: int = HISTORY_QUARTERS) -> ForecastInputs:
    """Everything the rules need, per occupation. `history` adds headcounts of past quarters
    held outside the platform ({occupation_id: {(year, quarter): people}}: a province's figures
    from before jineng, or the demo's synthetic past); `hires` adds hiring records
    ({(occupation_id, year, quarter): hires}) to those of HIRING_SOURCES."""
    quarters = _past_quarters(year, quarter, history_quarters)
    first_day, last_day = quarter_bounds(year, quarter)
    prefix = region.scope_prefix
    in_region = Q(demand_list__region__code__startswith=prefix,
                  demand_list__status__in=LISTED_STATUSES)
    window = Q(demand_list__year__gt=quarters[0][0]) | Q(
        demand_list__year=quarters[0][0], demand_list__quarter__gte=quarters[0][1])
    filed: dict[tuple[int, int, int], int] = defaultdict(int)
    sectors: dict[int, Counter] = defaultdict(Counter)
    rows = (DemandLine.objects.filter(in_region).filter(window)
            .values("occupation_id", "demand_list__year", "demand_list__quarter",
                    "demand_list__sector").annotate(n=Sum("headcount")).order_by())
    for r in rows:
        key = (r["occupation_id"], r["demand_list__year"], r["demand_list__quarter"])
        filed[key] += r["n"]
        sectors[r["occupation_id"]][r["demand_list__sector"] or ""] += r["n"]
    for occupation_id, by_quarter in (history or {}).items():
        for (y, q), n in by_quarter.items():
            filed[(occupation_id, y, q)] += int(n)
    earlier = Q(demand_list__year__lt=year) | Q(demand_list__year=year,
                                                demand_list__quarter__lt=quarter)
    vacancies = dict(
        DemandLine.objects.filter(in_region).filter(earlier)
        .filter(needed_by__gte=first_day, filled__lt=F("headcount"))
        .values_list("occupation_id").annotate(n=Sum(F("headcount") - F("filled")))
        .order_by())
    wishes = dict(
        TrainingWish.objects.filter(region__code__startswith=prefix,
                                    status__in=OPEN_WISH_STATUSES)
        .filter(occupations__isnull=False).values_list("occupations")
        .annotate(n=Count("id")).order_by())
    trainees = training_selectors.trainees_finishing(region.code, first_day, last_day)
    hired: dict[tuple[int, int, int], int] = defaultdict(int)
    for source in HIRING_SOURCES:
        for key, n in source(region.code, quarters[0], (year, quarter)).items():
            hired[key] += int(n)
    for key, n in (hires or {}).items():
        hired[key] += int(n)
    occupation_ids = ({k[0] for k in filed} | set(vacancies) | {k[0] for k in hired}
                      | set(wishes) | set(trainees))
    occupations: dict[int, OccupationInput] = {}
    for oid in occupation_ids:
        series = [rules.observed_demand(filed.get((oid, y, q), 0), hired.get((oid, y, q), 0))
                  for y, q in quarters]
        data = OccupationInput(
            series=series, filed=filed.get((oid, year, quarter), 0),
            vacancies=int(vacancies.get(oid, 0)), wishes=int(wishes.get(oid, 0)),
            trainees=int(trainees.get(oid, 0)),
            sector=sectors[oid].most_common(1)[0][0] if sectors.get(oid) else "",
            hires={f"{y}Q{q}": hired[(oid, y, q)] for y, q in quarters
                   if hired.get((oid, y, q))})
        if any(series) or data.filed or data.vacancies:  # wishes or trainees alone: no demand
            occupations[oid] = data
    return ForecastInputs(quarters=quarters, occupations=occupations, sources={
        "demand_lists": True, "synthetic_history": bool(history),
        "hiring_sources": len(HIRING_SOURCES) + bool(hires), "wishes": True,
        "supply": "training.trainees_finishing"})


def _line_values(data: OccupationInput, quarters, params: rules.UrgencyParameters
                 ) -> tuple[dict[str, Any], rules.Backtest]:
    model_forecast = rules.forecast_next(data.series)
    predicted = max(model_forecast, Decimal(data.filed))
    answer = rules.urgency_of(forecast=predicted, vacancies=data.vacancies,
                              trainees_finishing=data.trainees, wishes=data.wishes,
                              params=params)
    test = rules.backtest(data.series)
    reasons = [{"code": "method", "method": rules.method_of(len(data.series)),
                "model_forecast": str(model_forecast)}]
    if Decimal(data.filed) > model_forecast:
        reasons.append({"code": "filed_above_forecast", "filed": data.filed})
    reasons += [r.as_dict() for r in answer.reasons]
    values = {
        "sector": data.sector[:30],
        "history": [{"quarter": f"{y}Q{q}", "demand": v}
                    for (y, q), v in zip(quarters, data.series, strict=True)],
        "method": rules.method_of(len(data.series)), "backtest": test.as_dict(),
        "filed": data.filed, "vacancies": data.vacancies, "trainees": data.trainees,
        "wishes": data.wishes, "predicted": predicted, "supply": answer.supply,
        "gap": answer.gap, "urgent": answer.urgent, "urgency": answer.urgency,
        "reasons": reasons,
    }
    return values, test


# --- building ---------------------------------------------------------------------------------

def _check_may_build(actor, region: Region) -> None:
    if lc.HRSS not in forecast_kinds(actor, region):
        if actor is not None and getattr(actor, "is_authenticated", False) and _covers(
                actor, region):
            raise Forbidden(_("Only HRSS staff build demand forecasts."))
        raise NotFound()


def forecast_build(*, actor, region: Region, year: int, quarter: int,
                   parameters: Mapping[str, Any] | None = None,
                   history: Mapping[int, Mapping[tuple[int, int], int]] | None = None,
                   hires: Mapping[tuple[int, int, int], int] | None = None,
                   progress: Callable[[int, int], None] | None = None) -> DemandForecast:
    """Build (or rebuild, while it is a draft) the region's forecast of a quarter."""
    year, quarter = _check_quarter(year, quarter)
    _check_may_build(actor, region)
    params = parameters_from(parameters)
    try:
        with transaction.atomic():
            existing = (DemandForecast.objects.select_for_update()
                        .filter(region=region, year=year, quarter=quarter)
                        .exclude(status=ForecastStatus.REJECTED).first())
            if existing is not None and existing.status not in lc.REBUILD_STATES:
                raise Conflict(_("The forecast of this quarter is %(status)s; return it to "
                                 "draft or reject it before building it again.")
                               % {"status": existing.get_status_display()}, field="quarter",
                               code="forecast_exists")
            inputs = forecast_inputs(region, year, quarter, history=history, hires=hires)
            total = len(inputs.occupations)
            if progress:
                progress(0, total)
            built: list[ForecastLine] = []
            tests: list[rules.Backtest] = []
            for n, (oid, data) in enumerate(sorted(inputs.occupations.items()), start=1):
                values, test = _line_values(data, inputs.quarters, params)
                tests.append(test)
                built.append(ForecastLine(occupation_id=oid, **values))
                if progress:
                    progress(n, total)
            overall = rules.pooled(tests)
            backtest = {"overall": overall.as_dict(), "method": rules.METHOD,
                        "occupations": {str(line.occupation_id): line.backtest
                                        for line in built}}
            header = {"method": rules.METHOD, "backtest": backtest,
                      "parameters": {**params.as_dict(), "sources": inputs.sources,
                                     "history_quarters": len(inputs.quarters)},
                      "built_by": _username(actor)[:150]}
            if existing is None:
                forecast = DemandForecast.objects.create(region=region, year=year,
                                                         quarter=quarter, **header)
                record_transition(ForecastStatusChange, subject_field="forecast",
                                  subject=forecast, actor=actor, action="build",
                                  from_status="", to_status=ForecastStatus.DRAFT)
                action, before = AuditAction.CREATE, {}
            else:
                forecast = existing
                before = {"lines": forecast.lines.count(), "backtest": forecast.backtest}
                forecast.lines.all().delete()
                for key, value in header.items():
                    setattr(forecast, key, value)
                forecast.built_at = timezone.now()
                forecast.save()
                action = AuditAction.UPDATE
            for line in built:
                line.forecast = forecast
            ForecastLine.objects.bulk_create(built, batch_size=500)
            audit.record(actor=actor, action=action, instance=forecast, before=before,
                         after={"year": year, "quarter": quarter, "lines": len(built),
                                "urgent": sum(1 for line in built if line.urgent),
                                "overall": overall.as_dict(), "parameters": params.as_dict()})
    except IntegrityError as exc:  # a concurrent build of the same quarter won
        raise Conflict(_("The forecast of this quarter is being built by someone else."),
                       field="quarter", code="forecast_exists") from exc
    return forecast


@job_task
def forecast_build_job(run: JobRun) -> None:
    """The background build: progress per occupation."""
    p = run.params
    region = Region.objects.filter(code=p["region"]).first()
    if region is None:
        raise DomainError(_("Unknown region."), field="region")
    forecast = forecast_build(actor=run.actor, region=region, year=p["year"],
                              quarter=p["quarter"], parameters=p.get("parameters"),
                              progress=lambda done, total: run.progress(done, total))
    run.rows = forecast.lines.count()


def forecast_start(*, actor, region: Region, year: int, quarter: int,
                   parameters: Mapping[str, Any] | None = None, ip_address: str | None = None):
    """Queue the build as a background job (checked first: a refused build queues nothing)."""
    year, quarter = _check_quarter(year, quarter)
    _check_may_build(actor, region)
    params = parameters_from(parameters)
    existing = (DemandForecast.objects.filter(region=region, year=year, quarter=quarter)
                .exclude(status__in=[ForecastStatus.REJECTED, *lc.REBUILD_STATES]).first())
    if existing is not None:
        raise Conflict(_("The forecast of this quarter is %(status)s; return it to draft or "
                         "reject it before building it again.")
                       % {"status": existing.get_status_display()}, field="quarter",
                       code="forecast_exists")
    title = _("Demand forecast of %(region)s, %(year)s Q%(quarter)s") % {
        "region": region.name, "year": year, "quarter": quarter}
    return jobs.job_start(actor=actor, task=forecast_build_job, kind=FORECAST_JOB_KIND,
                          title=title, ip_address=ip_address, reuse_pending=True,
                          params={"region": region.code, "year": year, "quarter": quarter,
                                  "parameters": {k: str(v) for k, v in
                                                 params.as_dict().items()}})


# --- the workflow -----------------------------------------------------------------------------

def _visible(actor, forecast: DemandForecast) -> DemandForecast:
    if actor is catalog_services.SYSTEM:
        return forecast
    found = DemandForecast.objects.visible_to(actor).filter(pk=forecast.pk).first()
    if found is None:
        raise NotFound()
    return found


def _lock(pk: int) -> DemandForecast:
    return (DemandForecast.objects.select_for_update(of=("self",)).select_related("region")
            .get(pk=pk))


def _refused(refused: lc.TransitionRefused, forecast: DemandForecast) -> DomainError:
    if refused.code == "not_permitted":
        return Forbidden(_("You may not take this step on this forecast."))
    if refused.code == "reason_required":
        return DomainError(_("Give a reason."), field="reason", code="reason_required")
    if refused.code == "unknown_action":
        return DomainError(_("Unknown action."), field="action", code="unknown_action")
    return DomainError(_("This step cannot be taken while the forecast is %(status)s.")
                       % {"status": forecast.get_status_display()}, field="status",
                       code="not_allowed_from")


def forecast_transition(*, actor, forecast: DemandForecast, action: str, reason: str = "",
                        now: dt.datetime | None = None) -> DemandForecast:
    """submit, return (reason), approve, publish, reject (reason). Publishing writes the
    catalog version in the same transaction: if the catalog refuses, nothing changes."""
    visible = _visible(actor, forecast)
    if not isinstance(action, str) or action not in lc.TRANSITIONS:
        raise DomainError(_("Unknown action."), field="action", code="unknown_action")
    if not isinstance(reason, str) or len(reason) > REASON_MAX:
        raise DomainError(_("At most %(n)s characters.") % {"n": REASON_MAX}, field="reason",
                          code="too_long")
    with transaction.atomic():
        locked = _lock(visible.pk)
        kinds = forecast_kinds(actor, locked.region)
        before = locked.status
        try:
            target = lc.plan_transition(action, locked.status, kinds, reason)
        except lc.TransitionRefused as refused:
            raise _refused(refused, locked) from None
        note: dict[str, Any] = {}
        if action == "submit" and not locked.lines.exists():
            raise DomainError(_("The forecast has no lines."), field="lines", code="empty")
        if action == "publish":
            version = _publish_to_catalog(actor, locked, now=now)
            locked.catalog_version_id = version.pk
            note = {"catalog_version_id": version.pk, "catalog_status": version.status}
        locked.status = target
        locked.status_changed_at = timezone.now()
        locked.save(update_fields=["status", "status_changed_at", "catalog_version_id"])
        record_transition(ForecastStatusChange, subject_field="forecast", subject=locked,
                          actor=actor, action=action, from_status=before, to_status=target,
                          reason=reason, note=note)
        audit.record(actor=actor, action=AuditAction.TRANSITION, instance=locked,
                     before={"status": before},
                     after={"status": target, "action": action, **note},
                     reason=reason.strip())
    return locked


def _urgent_catalog(actor, region: Region):
    """The urgently-needed catalog the forecast's region keeps: the province's base catalog,
    or a city's or county's supplement to it (created when missing)."""
    kind = CatalogKind.URGENT_OCCUPATION
    if region.level == RegionLevel.PROVINCE:
        province = region
    else:
        province = Region.objects.get(code=region.code[:2] + "0000")
    chain = catalog_selectors.catalog_chain(kind, region.code)
    for catalog in chain:
        if catalog.region_id == region.pk:
            return catalog
    base = next((c for c in chain if c.region_id == province.pk), None)
    if region.level == RegionLevel.PROVINCE:
        return catalog_services.catalog_create(actor=actor, kind=kind, region=region)
    if base is None:
        raise Conflict(_("%(province)s has no urgently-needed occupations catalog yet; a "
                         "supplement cannot be filed against it.")
                       % {"province": province.name}, field="catalog", code="no_base")
    return catalog_services.catalog_create(actor=actor, kind=kind, region=region, base=base)


def _publish_to_catalog(actor, forecast: DemandForecast, *, now: dt.datetime | None):
    first, last = quarter_bounds(forecast.year, forecast.quarter)
    urgent = list(forecast.lines.filter(urgent=True).select_related("occupation")
                  .order_by("occupation__code", "pk"))
    if not urgent:
        raise DomainError(_("No occupation of this forecast is urgently needed; there is "
                            "nothing to publish to the catalog."), field="lines",
                          code="nothing_urgent")
    catalog = _urgent_catalog(actor, forecast.region)
    version = catalog_services.version_create_draft(
        actor=actor, catalog=catalog, effective_from=first,
        change_note=_("Demand forecast %(year)s Q%(quarter)s") % {
            "year": forecast.year, "quarter": forecast.quarter})
    ours = {(line.occupation_id, line.sector) for line in urgent}
    for entry in catalog_selectors.entry_list(actor=actor, version=version):
        replaced = entry.source_department == SOURCE_DEPARTMENT and (
            entry.valid_to is None or entry.valid_to >= first)
        if replaced or (entry.occupation_id, entry.sector) in ours:
            catalog_services.entry_delete(actor=actor, version=version, entry_id=entry.pk)
    for line in urgent:
        catalog_services.entry_add(actor=actor, version=version, values={
            "occupation_code": line.occupation.code, "occupation": line.occupation.name,
            "region_code": forecast.region.code, "sector": line.sector,
            "urgency": line.urgency, "forecast_year": forecast.year,
            "forecast_demand": int(line.predicted + line.vacancies),
            "forecast_shortfall": min(int(line.gap), int(line.predicted + line.vacancies)),
            "source_department": SOURCE_DEPARTMENT,
            "valid_from": first.isoformat(), "valid_to": last.isoformat(),
            "note": f"forecast:{forecast.pk}"})
    version = catalog_services.version_submit(actor=actor, version=version)
    if catalog_services.version_actions(actor, version).get("publish"):
        version = catalog_services.version_publish(actor=actor, version=version, now=now)
    return version


# --- industry departments' review of lines ----------------------------------------------------

def forecast_line_review(*, actor, line: ForecastLine, verdict: str, note: str = "",
                         proposed: int | None = None) -> ForecastLineReview:
    """An industry department's word on a line of its sector while the forecast is in review:
    agree, comment, or disagree (with a note, and a proposed figure if it has one)."""
    found = (ForecastLine.objects.filter(pk=line.pk,
                                         forecast__in=DemandForecast.objects.visible_to(actor))
             .select_related("forecast__region").first())
    if found is None:
        raise NotFound()
    if verdict not in ForecastLineReview.Verdict.values:
        raise DomainError(_("Choose agree, comment or disagree."), field="verdict")
    if not isinstance(note, str) or len(note) > NOTE_MAX:
        raise DomainError(_("At most %(n)s characters.") % {"n": NOTE_MAX}, field="note",
                          code="too_long")
    if verdict != ForecastLineReview.Verdict.AGREE and not note.strip():
        raise DomainError(_("Say what you think of this line."), field="note")
    if proposed is not None and (isinstance(proposed, bool) or not isinstance(proposed, int)
                                 or not 0 <= proposed <= 1_000_000):
        raise DomainError(_("The proposed figure must be a number of people from 0 to "
                            "1,000,000."), field="proposed")
    with transaction.atomic():
        forecast = _lock(found.forecast_id)
        kinds = forecast_kinds(actor, forecast.region)
        if lc.INDUSTRY not in kinds:
            raise Forbidden(_("Only industry departments review the lines of a forecast."))
        sector = getattr(actor, "sector", "") or ""
        if sector and found.sector and found.sector != sector:
            raise Forbidden(_("This line belongs to another sector."))
        if not lc.may_review_lines(forecast.status, kinds):
            raise DomainError(_("Lines are reviewed while the forecast is in review; it is "
                                "%(status)s.") % {"status": forecast.get_status_display()},
                              field="status", code="not_in_review")
        review = ForecastLineReview.objects.create(
            line=found, verdict=verdict, note=note.strip(), proposed=proposed,
            sector=sector, actor=actor if getattr(actor, "is_authenticated", False) else None,
            actor_username=_username(actor)[:150])
        audit.record(actor=actor, action=AuditAction.CREATE, instance=review,
                     region_code=forecast.region.code,
                     after={"line": found.pk, "occupation": found.occupation_id,
                            "verdict": verdict, "proposed": proposed, "note": note.strip()})
    return review


def lines_for_sector(lines: Iterable[ForecastLine], sector: str) -> list[ForecastLine]:
    return [line for line in lines if not sector or not line.sector or line.sector == sector]

