"""Write-contract cases of the portal's 30-minute circle (see tests/core/write_contract.py):
population and travel-time imports, coverage runs (direct and as jobs), placement proposals."""

from __future__ import annotations

from jineng.core.errors import DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction as A
from tests import factories as f
from tests.core.write_contract import Attempts, Refused, case
from tests.portal import coverage_support as cs

RUN = "portal.coveragerun"


@case("portal.population_import", audit=[(A.IMPORT, "portal.populationcount")])
def _population_import() -> Attempts:
    w = cs.world(population=False)
    ok = {"actor": w.city_staff, "file": cs.upload(cs.population_csv())}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.operator}, Forbidden, "an institution's operator"),
        Refused({**ok, "file": None}, DomainError, "no file"),
        Refused({**ok, "file": cs.upload(b"foo,bar\n1,2\n")}, DomainError, "unknown columns"),
    ])


@case("portal.travel_matrix_import", audit=[(A.IMPORT, "portal.traveltime")])
def _travel_matrix_import() -> Attempts:
    w = cs.world()
    data = f"区域代码,培训场所编号,分钟,出行方式,来源说明\n520102003,{w.site.pk},25,drive,路网\n"
    ok = {"actor": w.city_staff, "file": cs.upload(data.encode(), "m.csv")}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.operator}, Forbidden, "an institution's operator"),
        Refused({**ok, "file": cs.upload(b"\xff\xfe\x00", "m.xlsx")}, DomainError,
                "not a spreadsheet"),
    ])


@case("portal.coverage_run", audit=[(A.CREATE, RUN)])
def _coverage_run() -> Attempts:
    w = cs.world()
    ok = {"actor": w.city_staff, "region_code": f.CITY}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.other_city_staff}, NotFound, "another city"),
        Refused({**ok, "actor": w.county_staff}, NotFound, "above the county's own region"),
        Refused({**ok, "actor": w.operator}, Forbidden, "not HRSS staff"),
        Refused({**ok, "region_code": "999999"}, NotFound, "unknown region"),
        Refused({**ok, "threshold_minutes": 1000}, DomainError, "absurd threshold"),
        Refused({**ok, "mode": "rocket"}, DomainError, "unknown mode"),
        Refused({**ok, "year": 2019}, DomainError, "no population that year"),
    ])


@case("portal.coverage_run_start", audit=[(A.CREATE, "jobs.job")])
def _coverage_run_start() -> Attempts:
    w = cs.world()
    ok = {"actor": w.city_staff, "region_code": f.CITY}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.other_city_staff}, NotFound, "another city"),
        Refused({**ok, "actor": w.operator}, Forbidden, "not HRSS staff"),
        Refused({**ok, "threshold_minutes": 0}, DomainError, "absurd threshold"),
        Refused({**ok, "region_code": "520111"}, DomainError,
                "no population imported there"),
    ])


@case("portal.placement_propose", audit=[(A.CREATE, "portal.placementproposal")])
def _placement_propose() -> Attempts:
    w = cs.world()
    run = cs.run(w)
    ok = {"actor": w.city_staff, "run": run, "k": 1}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.other_city_staff}, NotFound, "another city"),
        Refused({**ok, "actor": w.operator}, Forbidden, "not HRSS staff"),
        Refused({**ok, "k": 0}, DomainError, "no site"),
        Refused({**ok, "k": 10_000}, DomainError, "absurd k"),
        Refused({**ok, "candidates": [{"area_code": "520302001"}]}, DomainError,
                "unknown place"),
        Refused({**ok, "candidates": [{"name": "x", "longitude": 10, "latitude": 26}]},
                DomainError, "outside China"),
        Refused({**ok, "candidates": []}, DomainError, "no candidates"),
    ])


@case("portal.placement_start", audit=[(A.CREATE, "jobs.job")])
def _placement_start() -> Attempts:
    w = cs.world()
    run = cs.run(w)
    ok = {"actor": w.city_staff, "run": run, "k": 2}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.operator}, Forbidden, "not HRSS staff"),
        Refused({**ok, "k": 0}, DomainError, "no site"),
        Refused({**ok, "candidates": [{"area_code": "nowhere"}]}, DomainError,
                "unknown place"),
    ])
