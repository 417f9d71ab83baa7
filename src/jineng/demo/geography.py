"""The demo province on real region codes: Guizhou (520000), its cities and counties as loaded
from the official codes by the registry migration, with weights for where people live.

City weights: resident population of Guizhou's nine cities and prefectures in units of 10,000,
rounded, roughly as published by the Seventh National Population Census (2020) bulletin of
贵州省统计局. They are used only as plausible synthetic weights; within a city every county
weighs the same, urban districts (区) a little more (a synthetic factor).
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass
from itertools import accumulate

from jineng.demo.names import short_region_name
from jineng.registry import selectors as registry
from jineng.registry.choices import RegionLevel

PROVINCE_CODE = "520000"

CITY_WEIGHTS = {  # 10,000 residents, 2020 census, rounded (synthetic weights)
    "520100": 599,  # 贵阳市
    "520200": 303,  # 六盘水市
    "520300": 661,  # 遵义市
    "520400": 247,  # 安顺市
    "520500": 690,  # 毕节市
    "520600": 330,  # 铜仁市
    "522300": 302,  # 黔西南布依族苗族自治州
    "522600": 376,  # 黔东南苗族侗族自治州
    "522700": 349,  # 黔南布依族苗族自治州
}
URBAN_DISTRICT_FACTOR = 1.4  # synthetic: districts hold more people than rural counties
# Organizations cluster in big cities even more than people do (synthetic factors).
ORG_CITY_FACTOR = {"520100": 2.0, "520300": 1.2}
ORG_DISTRICT_FACTOR = 2.0

# Where migrants from outside Guizhou come from: neighbouring provinces (synthetic weights).
OUTSIDE_PROVINCES = {"510000": 30, "500000": 25, "430000": 20, "530000": 15, "450000": 10}


@dataclass(frozen=True)
class Place:
    """A county of the demo province, with what the generator needs of it."""

    pk: int
    code: str
    name: str
    short: str
    city_code: str
    city_short: str
    longitude: float
    latitude: float
    is_district: bool


class WeightedPicker:
    """Draws items by weight with one `random()` call (bisect on cumulative weights)."""

    def __init__(self, items: list, weights: list[float]) -> None:
        if not items:
            raise ValueError("nothing to pick from")
        self.items = items
        self.cumulative = list(accumulate(weights))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random):
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.total)]


class Geography:
    """Counties of the demo province and pickers for residents, organizations and migrants."""

    def __init__(self, actor=None) -> None:
        regions = list(
            registry.region_list(actor=actor).filter(code__startswith=PROVINCE_CODE[:2])
            .values("pk", "code", "name", "level", "parent__code", "longitude", "latitude")
        )
        if not regions:
            raise LookupError(
                f"Region {PROVINCE_CODE} is not loaded: run `jineng migrate` first.")
        by_code = {r["code"]: r for r in regions}
        self.province_pk = by_code[PROVINCE_CODE]["pk"]
        self.cities = {r["code"]: r for r in regions if r["level"] == RegionLevel.CITY}
        self.counties: list[Place] = []
        for r in regions:
            if r["level"] != RegionLevel.COUNTY:
                continue
            city = self.cities.get(r["parent__code"])
            if city is None:
                continue
            # A few counties have no seat coordinates in the source: use the city's seat.
            lon = r["longitude"] if r["longitude"] is not None else city["longitude"]
            lat = r["latitude"] if r["latitude"] is not None else city["latitude"]
            self.counties.append(Place(
                pk=r["pk"], code=r["code"], name=r["name"], short=short_region_name(r["name"]),
                city_code=city["code"], city_short=short_region_name(city["name"]),
                longitude=float(lon), latitude=float(lat),
                is_district=r["name"].endswith("区"),
            ))
        self.by_code = {p.code: p for p in self.counties}
        per_city: dict[str, int] = {}
        for p in self.counties:
            per_city[p.city_code] = per_city.get(p.city_code, 0) + 1

        def resident_weight(p: Place) -> float:
            share = CITY_WEIGHTS.get(p.city_code, 100) / per_city[p.city_code]
            return share * (URBAN_DISTRICT_FACTOR if p.is_district else 1.0)

        def org_weight(p: Place) -> float:
            return (resident_weight(p) * ORG_CITY_FACTOR.get(p.city_code, 1.0)
                    * (ORG_DISTRICT_FACTOR if p.is_district else 1.0))

        self.residents = WeightedPicker(self.counties, [resident_weight(p)
                                                        for p in self.counties])
        self.organizations = WeightedPicker(self.counties, [org_weight(p)
                                                            for p in self.counties])
        outside = list(
            registry.region_list(actor=actor, level=RegionLevel.COUNTY)
            .filter(parent__parent__code__in=list(OUTSIDE_PROVINCES))
            .values_list("pk", "code")
        )
        self.outside = (WeightedPicker(outside, [OUTSIDE_PROVINCES[c[:2] + "0000"]
                                                 for _pk, c in outside]) if outside else None)

    def county(self, code: str) -> Place:
        return self.by_code[code]
