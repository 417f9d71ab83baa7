"""Coverage runs and site-placement proposals (the 30-minute circle). HRSS staff, for the regions
they govern; a region outside their jurisdiction answers NotFound, like a missing one.

A run reads, for one population year, every populated area of the region (with its count), the
public's active training sites (those of listed institutions, in any region within reach of
the region's areas: a resident may cross a county border) and the imported travel-time matrix;
it computes each area's minutes to its nearest site (rules.coverage) and stores the shares per
county and town, the gaps and the axis check with the time it ran. Long runs go through a
background job (coverage_run_start); the CLI and the demo call coverage_run directly.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.core import audit
from jineng.core.errors import DomainError, NotFound
from jineng.core.models import AuditAction
from jineng.portal.models.coverage import (
    CoverageRun,
    PlacementProposal,
    PopulationArea,
    PopulationCount,
    PopulationSource,
    RunStatus,
    TravelMode,
    TravelTime,
)
from jineng.portal.rules import coverage as cov
from jineng.portal.rules import placement as pl
from jineng.portal.rules import travel
from jineng.portal.selectors import travel as travel_settings
from jineng.portal.services.coverage import ensure_may_manage, governs
from jineng.registry import selectors as registry

Progress = Callable[[int, int], None]
CHUNK = 5_000
SITE_MARGIN_DEG = 1.0  # sites this far outside the region's areas still count (≈ 100 km)
MAX_CANDIDATES = pl.MAX_CANDIDATES
RUN_REGION_LEVELS = ("province", "city", "county")


def region_for(actor, region_code: str):
    ensure_may_manage(actor)
    code = (region_code or "").strip()
    region = registry.region_list(actor=None).filter(code=code,
                                                     level__in=RUN_REGION_LEVELS).first()
    if region is None or not governs(actor, region.code):
        raise NotFound(_("No such region in your jurisdiction: “%(code)s”.") % {"code": code})
    return region


def check_run_input(*, threshold_minutes: int, mode: str, year: int | None) -> None:
    if not isinstance(threshold_minutes, int) or not (
            travel.MIN_THRESHOLD <= threshold_minutes <= travel.MAX_THRESHOLD):
        raise DomainError(_("The threshold must be a whole number of minutes from %(low)s to "
                            "%(high)s.") % {"low": travel.MIN_THRESHOLD,
                                            "high": travel.MAX_THRESHOLD},
                          field="threshold_minutes")
    if mode not in TravelMode.values:
        raise DomainError(_("Unknown travel mode “%(mode)s”; one of: %(modes)s.")
                          % {"mode": mode, "modes": ", ".join(TravelMode.values)}, field="mode")
    if year is not None and not (1950 <= year <= 2100):
        raise DomainError(_("The year must lie between 1950 and 2100."), field="year")


def _params(data: dict | None) -> travel.TravelParameters:
    if not data:
        return travel.DEFAULT_PARAMETERS
    return travel.TravelParameters.from_dict(data)


def _params_by_county(data: dict | None) -> dict[str, travel.TravelParameters]:
    """The counties a run computed with another set than its region's (run.parameters)."""
    return {county: travel.TravelParameters.from_dict(p)
            for county, p in ((data or {}).get("by_county") or {}).items()}


def parameters_in_force(region, county_codes, day) -> tuple[dict, dict, int | None]:
    """The travel parameters a run of `region` on `day` uses (selectors.travel): what it
    records (the region's set with its row id, version and first day, the day, and
    `by_county` for counties whose own or city's set differs), the per-county parameters
    for the rules, and the region's row id (None: the built-in defaults)."""
    forces = travel_settings.in_force_for([region.code, *sorted(county_codes)], day)
    main = forces[region.code]
    by_county = {code: f for code, f in forces.items()
                 if code != region.code and f.settings_id != main.settings_id}
    recorded = {**main.as_dict(), "as_of": day.isoformat(),
                "by_county": {code: f.as_dict() for code, f in sorted(by_county.items())}}
    return recorded, {code: f.params for code, f in by_county.items()}, main.settings_id


def latest_year(prefix: str) -> int | None:
    return (PopulationCount.objects.filter(area__county__code__startswith=prefix)
            .aggregate(y=Max("year"))["y"])


def _load_areas(prefix: str, year: int) -> tuple[list[cov.Area], dict, list[dict]]:
    rows = (PopulationCount.objects.filter(year=year, area__county__code__startswith=prefix)
            .order_by("area__code")
            .values_list("area__code", "area__name", "area__county__code", "area__town_code",
                         "area__town_name", "area__longitude", "area__latitude",
                         "area__terrain", "area__designation", "population", "source_kind",
                         "source"))
    areas, town_names, sources = [], {}, {}
    for (code, name, county, town, town_name, lon, lat, terrain, designation, population,
         source_kind, source) in rows:
        areas.append(cov.Area(code=code, name=name, county_code=county, town_code=town,
                              lon=float(lon), lat=float(lat), population=population,
                              terrain=terrain, designation=designation))
        if town_name:
            town_names.setdefault(town, town_name)
        key = (source_kind, source)
        sources[key] = sources.get(key, 0) + 1
    return areas, town_names, [{"kind": k, "source": s, "areas": n}
                               for (k, s), n in sorted(sources.items())]


def _load_sites(areas: list[cov.Area]) -> list[cov.Site]:
    if not areas:
        return []
    lons, lats = [a.lon for a in areas], [a.lat for a in areas]
    margin = Decimal(str(SITE_MARGIN_DEG))
    qs = (registry.site_list(actor=None).filter(is_active=True)
          .filter(longitude__gte=Decimal(str(min(lons))) - margin,
                  longitude__lte=Decimal(str(max(lons))) + margin,
                  latitude__gte=Decimal(str(min(lats))) - margin,
                  latitude__lte=Decimal(str(max(lats))) + margin))
    return [cov.Site(str(pk), float(lon), float(lat))
            for pk, lon, lat in qs.order_by().values_list("pk", "longitude", "latitude")]


def _load_matrix(prefix: str, mode: str) -> dict[str, dict[str, float]]:
    matrix: dict[str, dict[str, float]] = {}
    for code, site, minutes in (TravelTime.objects.filter(
            area__county__code__startswith=prefix, mode=mode)
            .values_list("area__code", "site_id", "minutes")):
        matrix.setdefault(code, {})[str(site)] = float(minutes)
    return matrix


def _with_county_seats(areas: list[cov.Area], counties: dict) -> list[cov.Area]:
    """Counties whose areas name no county seat: the area nearest the county's seat
    coordinates (the registry's) stands for it in the axis check."""
    seats = {code: (float(r.longitude), float(r.latitude)) for code, r in counties.items()
             if r.longitude is not None and r.latitude is not None}
    chosen = set(cov.county_seat_by_position(areas, seats).values())
    return [dataclasses.replace(a, designation="county_seat") if a.code in chosen
            and not a.designation else a for a in areas]


def compute(*, region, year: int, threshold_minutes: int, mode: str,
            params: travel.TravelParameters | None = None,
            as_of=None, progress: Progress | None = None) -> dict[str, Any]:
    """The coverage of a region (no writes): what a CoverageRun stores. The travel
    parameters are those in force on `as_of` (default today) for each county
    (parameters_in_force), unless `params` is given for every area."""
    prefix = region.scope_prefix
    areas, town_names, sources = _load_areas(prefix, year)
    if not areas:
        raise DomainError(_("No population for %(year)s in %(region)s: import it first.")
                          % {"year": year, "region": region.name}, field="year")
    counties = {r.code: r for r in registry.region_list(actor=None).filter(
        code__in={a.county_code for a in areas})}
    areas = _with_county_seats(areas, counties)
    sites = _load_sites(areas)
    matrix = _load_matrix(prefix, mode)
    if params is None:
        recorded, by_county, settings_id = parameters_in_force(
            region, counties, as_of or timezone.localdate())
        params = _params(recorded)
    else:
        recorded, by_county, settings_id = params.as_dict(), {}, None
    reaches: list[cov.Reach] = []
    for start in range(0, len(areas), CHUNK):
        reaches.extend(cov.nearest_reach(areas[start:start + CHUNK], sites, mode=mode,
                                         params=params, matrix=matrix,
                                         params_by_county=by_county))
        if progress:
            progress(min(start + CHUNK, len(areas)), len(areas))
    summary = cov.summarize(areas, reaches, threshold=threshold_minutes,
                            county_names={c: r.name for c, r in counties.items()},
                            town_names=town_names)
    return {
        "areas": len(areas), "sites": len(sites), "population": summary.total.population,
        "covered": summary.total.covered, "sources": sources,
        "synthetic": any(s["kind"] == PopulationSource.SYNTHETIC for s in sources),
        "counties": [s.as_dict() for s in summary.counties],
        "towns": [s.as_dict() for s in summary.towns],
        "gaps": summary.gaps, "axis": summary.axis,
        "matrix_areas": sum(1 for r in reaches if r.from_matrix),
        "parameters": recorded, "travel_settings_id": settings_id,
    }


def _store_run(*, actor, region, year: int, threshold_minutes: int, mode: str,
              result: dict, started_at, seconds: float,
              job_id: int | None = None) -> CoverageRun:
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        run = CoverageRun.objects.create(
            region=region, year=year, threshold_minutes=threshold_minutes, mode=mode,
            parameters=result["parameters"],
            travel_settings_id=result["travel_settings_id"],
            status=RunStatus.SUCCEEDED, job_id=job_id,
            requested_by=user, started_at=started_at, finished_at=timezone.now(),
            seconds=round(seconds, 3), areas=result["areas"], sites=result["sites"],
            population=result["population"], covered=result["covered"],
            synthetic=result["synthetic"], sources=result["sources"],
            counties=result["counties"], towns=result["towns"], gaps=result["gaps"],
            axis=result["axis"])
        audit.record(actor=actor, action=AuditAction.CREATE, instance=run, after={
            "year": year, "threshold_minutes": threshold_minutes, "mode": mode,
            "parameters": result["parameters"]["version"],
            "travel_settings": result["travel_settings_id"],
            "parameters_by_county": {c: p["version"] for c, p in
                                     result["parameters"].get("by_county", {}).items()},
            "areas": run.areas, "sites": run.sites,
            "population": run.population, "covered": run.covered, "gaps": len(run.gaps)})
    return run


def coverage_run(*, actor, region_code: str, year: int | None = None,
                 threshold_minutes: int = travel.THRESHOLD_MINUTES,
                 mode: str = travel.DEFAULT_MODE, job_id: int | None = None,
                 progress: Progress | None = None) -> CoverageRun:
    """Compute and store the coverage of a region (see the module docstring)."""
    check_run_input(threshold_minutes=threshold_minutes, mode=mode, year=year)
    region = region_for(actor, region_code)
    if year is None:
        year = latest_year(region.scope_prefix)
        if year is None:
            raise DomainError(_("No population for %(region)s: import it first.")
                              % {"region": region.name}, field="year")
    started_at, t0 = timezone.now(), time.perf_counter()
    result = compute(region=region, year=year, threshold_minutes=threshold_minutes, mode=mode,
                     as_of=timezone.localdate(), progress=progress)
    return _store_run(actor=actor, region=region, year=year,
                     threshold_minutes=threshold_minutes, mode=mode, result=result,
                     started_at=started_at, seconds=time.perf_counter() - t0, job_id=job_id)


# --- placement -----------------------------------------------------------------------------

def candidate_sites(actor, run: CoverageRun, candidates: list[dict] | None
                     ) -> tuple[list[cov.Site], list[dict], str]:
    """Candidate places as sites for the rule, their descriptions, and where they came
    from. Without a list: the centre of every populated area of the run."""
    if candidates is None:
        rows = list(PopulationArea.objects.filter(
            county__code__startswith=run.region.scope_prefix, counts__year=run.year)
            .order_by("code").values_list("code", "name", "longitude", "latitude"))
        source = _("the centre of every populated area")
        if len(rows) > MAX_CANDIDATES:  # too many: where the uncovered people live
            gaps = {g["code"] for g in run.gaps}
            rows = [r for r in rows if r[0] in gaps][:MAX_CANDIDATES]
            source = _("the centre of every area beyond the threshold")
        described = [{"area_code": c, "name": n, "lon": float(lo), "lat": float(la)}
                     for c, n, lo, la in rows]
    else:
        if not isinstance(candidates, list):
            raise DomainError(_("Give the candidates as a list."), field="candidates")
        if len(candidates) > MAX_CANDIDATES:
            raise DomainError(_("At most %(n)s candidate places.") % {"n": MAX_CANDIDATES},
                              field="candidates")
        codes = {str(c.get("area_code") or "").strip() for c in candidates
                 if isinstance(c, dict)} - {""}
        known = {a.code: a for a in PopulationArea.objects.visible_to(actor).filter(
            code__in=codes, county__code__startswith=run.region.scope_prefix)}
        described = []
        for n, c in enumerate(candidates):
            field = f"candidates[{n}]"
            if not isinstance(c, dict):
                raise DomainError(_("Each candidate is an area code or a name with "
                                    "coordinates."), field=field)
            code = str(c.get("area_code") or "").strip()
            if code:
                area = known.get(code)
                if area is None:
                    raise DomainError(_("Unknown place “%(code)s” (not an area of this "
                                        "run's region).") % {"code": code},
                                      field=f"{field}.area_code")
                described.append({"area_code": code, "name": area.name,
                                  "lon": float(area.longitude), "lat": float(area.latitude)})
                continue
            name = str(c.get("name") or "").strip()[:100]
            if not name:
                raise DomainError(_("A candidate needs an area code or a name."),
                                  field=f"{field}.name")
            try:
                lon, lat = float(c.get("longitude")), float(c.get("latitude"))
            except (TypeError, ValueError):
                raise DomainError(_("A candidate's longitude and latitude are numbers."),
                                  field=f"{field}.longitude") from None
            if not (73 <= lon <= 136):
                raise DomainError(_("Longitude must lie between 73 and 136 (inside China)."),
                                  field=f"{field}.longitude")
            if not (3 <= lat <= 54):
                raise DomainError(_("Latitude must lie between 3 and 54 (inside China)."),
                                  field=f"{field}.latitude")
            described.append({"area_code": "", "name": name, "lon": lon, "lat": lat})
        source = _("a list of %(n)s places") % {"n": len(described)}
    if not described:
        raise DomainError(_("No candidate places."), field="candidates")
    return ([cov.Site(str(i), d["lon"], d["lat"]) for i, d in enumerate(described)],
            described, str(source))


def placement_propose(*, actor, run: CoverageRun, k: int,
                      candidates: list[dict] | None = None,
                      time_limit_s: int = pl.DEFAULT_TIME_LIMIT_S,
                      job_id: int | None = None) -> PlacementProposal:
    """Choose k new sites among the candidate places to cover the most population the run
    left beyond its threshold (rules.placement), each with its gain; stored and audited."""
    ensure_may_manage(actor)
    if not governs(actor, run.region.code):
        raise NotFound()
    if not isinstance(k, int) or not (1 <= k <= pl.MAX_K):
        raise DomainError(_("The number of new sites must be from 1 to %(n)s.")
                          % {"n": pl.MAX_K}, field="k")
    if run.status != RunStatus.SUCCEEDED:
        raise DomainError(_("The coverage run has no results."), field="run")
    sites, described, source = candidate_sites(actor, run, candidates)
    gap_areas = [cov.Area(code=g["code"], name=g["name"], county_code=g["county"],
                          town_code=g["code"], lon=g["lon"], lat=g["lat"],
                          population=g["population"],
                          terrain=g.get("terrain", travel.DEFAULT_TERRAIN)) for g in run.gaps]
    t0 = time.perf_counter()
    params = _params(run.parameters)
    sets = pl.coverage_sets(gap_areas, sites, threshold=run.threshold_minutes, mode=run.mode,
                            params=params, params_by_county=_params_by_county(run.parameters))
    try:
        proposal = pl.propose([a.population for a in gap_areas], sets, k,
                              time_limit_s=time_limit_s)
    except pl.InvalidPlacement as bad:
        raise DomainError(_("No placement could be computed (%(code)s).")
                          % {"code": bad.code}, field=bad.field) from None
    choices = [{"rank": c.rank, **described[int(c.key)], "gain": c.gain,
                "cumulative": c.cumulative} for c in proposal.choices]
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        CoverageRun.objects.select_for_update().filter(pk=run.pk).first()
        placed = PlacementProposal.objects.create(
            run=run, k=k, candidate_source=source[:200], candidates=len(described),
            status=RunStatus.SUCCEEDED, solver_status=proposal.status,
            uncovered_before=proposal.uncovered_before, newly_covered=proposal.covered,
            choices=choices, job_id=job_id, requested_by=user, created_at=timezone.now(),
            seconds=round(time.perf_counter() - t0, 3))
        audit.record(actor=actor, action=AuditAction.CREATE, instance=placed, after={
            "run": run.pk, "k": k, "candidates": len(described), "solver": proposal.status,
            "newly_covered": proposal.covered})
    return placed
