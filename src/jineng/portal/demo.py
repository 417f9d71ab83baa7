"""The portal's part of the demo province: synthetic population of the demo counties (labelled
synthetic), the 30-minute circle's coverage and a site-placement proposal. Called by
jineng.demo.generator.

Every number here is SYNTHETIC: towns and villages are made up around each county's real seat
(their names say 合成, "synthetic"; their codes follow the statistical pattern of the county's
real code but are not the real towns' codes), with made-up populations and terrain. The
population's source kind is `synthetic` and every page and API answer built on it says so.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal

from django.utils import timezone

from jineng.portal.models.coverage import (
    CoverageRun,
    Designation,
    PlacementProposal,
    PopulationArea,
    PopulationCount,
    PopulationSource,
    RunStatus,
    Terrain,
)
from jineng.portal.rules import coverage as cov
from jineng.portal.rules import placement as pl
from jineng.portal.rules import travel
from jineng.portal.services import coverage_runs
from jineng.registry import selectors as registry

DEMO_PROVINCE = "520000"  # the demo province (jineng.demo.geography.PROVINCE_CODE)
SOURCE = "jineng 演示数据：合成人口（非真实统计）"
# SYNTHETIC sizes per tier: towns per county, villages per town.
TOWNS = {"XS": 3, "S": 8, "M": 12, "L": 16}
VILLAGES = {"XS": 1, "S": 2, "M": 3, "L": 4}
# SYNTHETIC terrain shares (Guizhou is mostly hills and mountains).
TERRAIN_WEIGHTS = ((Terrain.MOUNTAIN, 0.5), (Terrain.HILL, 0.4), (Terrain.PLAIN, 0.1))
SPREAD_KM = 22.0  # SYNTHETIC: towns lie about this far from the county seat
NEW_SITES = 5


def _terrain(rng: random.Random) -> str:
    x, acc = rng.random(), 0.0
    for terrain, weight in TERRAIN_WEIGHTS:
        acc += weight
        if x < acc:
            return terrain
    return Terrain.HILL


def _offset(rng: random.Random, lon: float, lat: float, spread_km: float) -> tuple[Decimal,
                                                                                 Decimal]:
    distance = min(abs(rng.gauss(0, spread_km)), 3 * spread_km)
    bearing = rng.random() * 2 * math.pi
    dlat = distance * math.cos(bearing) / 111.0
    dlon = distance * math.sin(bearing) / (111.0 * math.cos(math.radians(lat)))
    return Decimal(f"{lon + dlon:.6f}"), Decimal(f"{lat + dlat:.6f}")


def _block(label: str, objs: list) -> tuple[str, int, int] | None:
    pks = [o.pk for o in objs if o.pk is not None]
    return (label, min(pks), max(pks)) if pks else None


def build_demo_coverage(*, scale: str, seed: int, today: dt.date, anchors: dict) -> dict:
    """Synthetic towns and villages with population for every county of the demo province,
    one coverage run of the province (with gaps) and one placement proposal of NEW_SITES."""
    rng = random.Random(f"{seed}:coverage")
    towns, villages = TOWNS.get(scale, 8), VILLAGES.get(scale, 2)
    counties = list(registry.region_list(actor=None).filter(
        code__startswith=DEMO_PROVINCE[:2], level="county").order_by("code"))
    year = today.year - 1
    areas: list[PopulationArea] = []
    sizes: list[int] = []
    for county in counties:
        if county.longitude is None or county.latitude is None:
            continue
        lon0, lat0 = float(county.longitude), float(county.latitude)
        short = county.name[:-1] if len(county.name) > 2 else county.name
        for t in range(1, towns + 1):
            code = f"{county.code}{t:03d}"
            seat = t == 1
            lon, lat = _offset(rng, lon0, lat0, 1.0 if seat else SPREAD_KM)
            designation = (Designation.COUNTY_SEAT if seat else
                           Designation.CENTRAL_TOWN if t in (2, 3) else "")
            name = f"{short}城关镇（合成）" if seat else f"{short}合成{t}镇"
            areas.append(PopulationArea(
                code=code, name=name, kind="town", county=county, town_code=code,
                town_name=name, longitude=lon, latitude=lat, terrain=_terrain(rng),
                designation=designation))
            sizes.append(rng.randint(60_000, 150_000) if seat else rng.randint(8_000, 40_000))
            for v in range(1, villages + 1):
                vcode = f"{code}{v:03d}"
                vlon, vlat = _offset(rng, float(lon), float(lat), 6.0)
                areas.append(PopulationArea(
                    code=vcode, name=f"{name}合成{v}村", kind="village", county=county,
                    town_code=code, town_name=name, longitude=vlon, latitude=vlat,
                    terrain=_terrain(rng),
                    designation=Designation.KEY_VILLAGE if v == 1 and t % 3 == 0 else ""))
                sizes.append(rng.randint(800, 3_000))
    if not areas:
        return {"areas": 0, "blocks": []}
    PopulationArea.objects.bulk_create(areas, batch_size=2_000)
    counts = [PopulationCount(area=a, year=year, population=n,
                              source_kind=PopulationSource.SYNTHETIC, source=SOURCE)
              for a, n in zip(areas, sizes, strict=True)]
    PopulationCount.objects.bulk_create(counts, batch_size=2_000)
    province = registry.region_list(actor=None).get(code=DEMO_PROVINCE)
    started = timezone.now()
    result = coverage_runs.compute(region=province, year=year,
                                   threshold_minutes=travel.THRESHOLD_MINUTES,
                                   mode=travel.DEFAULT_MODE)
    run = CoverageRun.objects.create(
        region=province, year=year, threshold_minutes=travel.THRESHOLD_MINUTES,
        mode=travel.DEFAULT_MODE, parameters=result["parameters"],
        travel_settings_id=result["travel_settings_id"],
        status=RunStatus.SUCCEEDED, started_at=started, finished_at=timezone.now(),
        seconds=round((timezone.now() - started).total_seconds(), 3),
        areas=result["areas"], sites=result["sites"], population=result["population"],
        covered=result["covered"], synthetic=True, sources=result["sources"],
        counties=result["counties"], towns=result["towns"], gaps=result["gaps"],
        axis=result["axis"])
    blocks = [_block("portal.populationarea", areas), _block("portal.populationcount", counts),
              ("portal.coveragerun", run.pk, run.pk)]
    proposal = None
    if run.gaps:
        proposal = _demo_proposal(run)
        blocks.append(("portal.placementproposal", proposal.pk, proposal.pk))
    return {"areas": len(areas), "population": run.population, "covered": run.covered,
            "gaps": len(run.gaps), "new_sites": len(proposal.choices) if proposal else 0,
            "blocks": [b for b in blocks if b]}


def _demo_proposal(run: CoverageRun) -> PlacementProposal:
    """NEW_SITES new sites among the gap areas' centres (the places uncovered people live)."""
    gap_areas = [cov.Area(code=g["code"], name=g["name"], county_code=g["county"],
                          town_code=g["code"], lon=g["lon"], lat=g["lat"],
                          population=g["population"], terrain=g["terrain"]) for g in run.gaps]
    candidates = [cov.Site(str(i), a.lon, a.lat) for i, a in enumerate(gap_areas)]
    started = timezone.now()
    sets = pl.coverage_sets(gap_areas, candidates, threshold=run.threshold_minutes,
                            mode=run.mode,
                            params=travel.TravelParameters.from_dict(run.parameters))
    proposal = pl.propose([a.population for a in gap_areas], sets, NEW_SITES, time_limit_s=20)
    choices = [{"rank": c.rank, "name": gap_areas[int(c.key)].name,
                "area_code": gap_areas[int(c.key)].code, "lon": gap_areas[int(c.key)].lon,
                "lat": gap_areas[int(c.key)].lat, "gain": c.gain, "cumulative": c.cumulative}
               for c in proposal.choices]
    return PlacementProposal.objects.create(
        run=run, k=NEW_SITES, candidate_source="the centre of every area beyond the threshold",
        candidates=len(candidates), status=RunStatus.SUCCEEDED,
        solver_status=proposal.status, uncovered_before=proposal.uncovered_before,
        newly_covered=proposal.covered, choices=choices, created_at=timezone.now(),
        seconds=round((timezone.now() - started).total_seconds(), 3))
