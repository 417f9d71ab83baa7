"""A small world for the 30-minute circle's tests: Guizhou staff, two counties of Guiyang with
synthetic towns around a site, and files to import."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from jineng.accounts.models import Role
from jineng.portal.services import coverage as imports
from jineng.portal.services import coverage_runs as runs
from tests import factories as f

HEADER = ("区域代码,名称,类型,所属区县代码,经度,纬度,地形,发展轴,年份,人口,来源类型,来源说明,更正")

# South of 南明区's site at (106.70, 26.50): by car in hills the reach is 12.5 km.
ROWS = [
    # code, name, lon, lat, terrain, designation, population
    ("520102001", "近镇", "106.700000", "26.550000", "hill", "county_seat", 12000),  # 5.6 km
    ("520102002", "中镇", "106.700000", "26.600000", "hill", "central_town", 8000),  # 11.1 km
    ("520102003", "远镇", "106.700000", "26.800000", "mountain", "", 3000),  # 33 km: gap
    ("520103001", "云岩一镇", "106.900000", "26.500000", "plain", "key_village", 5000),  # 20 km
]


def population_csv(rows=ROWS, *, year: int = 2025, source_kind: str = "synthetic",
                   source: str = "测试合成人口", correction: str = "", extra: str = "") -> bytes:
    lines = [HEADER]
    for code, name, lon, lat, terrain, designation, pop in rows:
        lines.append(f"{code},{name},,,{lon},{lat},{terrain},{designation},{year},{pop},"
                     f"{source_kind},{source},{correction}")
    if extra:
        lines.append(extra)
    return ("\n".join(lines) + "\n").encode()


def upload(data: bytes, name: str = "population.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


@dataclass
class World:
    province_staff: object
    city_staff: object
    county_staff: object
    other_county_staff: object
    other_city_staff: object
    operator: object
    site: object


def world(*, population: bool = True) -> World:
    org = f.OrganizationFactory(region=f.region(f.COUNTY))
    site = f.SiteFactory(organization=org, longitude=Decimal("106.700000"),
                         latitude=Decimal("26.500000"))
    w = World(
        province_staff=f.staff(Role.PROVINCE_STAFF, f.PROVINCE),
        city_staff=f.staff(Role.CITY_STAFF, f.CITY),
        county_staff=f.staff(Role.COUNTY_STAFF, f.COUNTY),
        other_county_staff=f.staff(Role.COUNTY_STAFF, f.OTHER_COUNTY),
        other_city_staff=f.staff(Role.CITY_STAFF, f.OTHER_CITY),
        operator=f.operator(org),
        site=site,
    )
    if population:
        report = imports.population_import(actor=w.city_staff, file=upload(population_csv()))
        assert report.ok, report.errors
    return w


def run(w: World, region_code: str = f.CITY, **kw):
    return runs.coverage_run(actor=w.city_staff, region_code=region_code, **kw)


def xlsx_rows(data: bytes) -> list[list]:
    import openpyxl
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [list(r) for r in book.active.iter_rows(values_only=True)]
