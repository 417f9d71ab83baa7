"""The 30-minute circle's coverage: every area's minutes to its nearest site, the share of the
population within the threshold per county and per town, the gaps, and Zhejiang's check of the
“县城—中心镇—重点村” axis. Pure (no Django, no numpy: numpy is not in requirements.lock).

Zhejiang 二(二): 合理布局建设“30分钟职业技能培训圈” … 实现“县城—中心镇—重点村”发展轴培训基地、
站点全覆盖 (seeds/004_6a6ba3748db00ceb.txt).

Set-based, not a loop over pairs: the sites go into a uniform grid of CELL_DEG degrees (a
spatial hash, the pure-Python stand-in for a KD-tree); each area looks only at the cells around
its own, ring by ring, until no unseen cell can hold a nearer site. With tens of thousands of
sites and areas this is O(areas × sites per ring), not O(areas × sites).

Definitions:
- an area is *covered* when its minutes to the nearest site are ≤ the threshold (30);
- coverage share of a county (town) = covered population ÷ population of its areas;
- a *gap* is an area beyond the threshold (or with no site at all);
- the axis check: each county seat, central town and key village area is covered.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from jineng.portal.rules import travel

CELL_DEG = 0.1  # ≈ 11 km north–south
KM_PER_DEG = math.pi * travel.EARTH_RADIUS_KM / 180.0  # ≈ 111.195 km
SEARCH_LIMIT_KM = 300.0  # an area with no site nearer than this has "no site"

AXIS_DESIGNATIONS = ("county_seat", "central_town", "key_village")


@dataclass(frozen=True)
class Area:
    """A populated place (town, village or grid cell) with its population."""

    code: str
    name: str
    county_code: str
    town_code: str  # the town it lies in (itself for a town)
    lon: float
    lat: float
    population: int
    terrain: str = travel.DEFAULT_TERRAIN
    designation: str = ""  # county_seat | central_town | key_village | ""


@dataclass(frozen=True)
class Site:
    key: str  # site id (or candidate key)
    lon: float
    lat: float


@dataclass(frozen=True)
class Reach:
    """An area's nearest site and minutes (site_key "" and minutes None: no site in reach of
    the search), and whether the minutes came from an imported matrix."""

    site_key: str
    distance_km: float | None
    minutes: float | None
    from_matrix: bool = False

    def covered(self, threshold: float) -> bool:
        return self.minutes is not None and self.minutes <= threshold


class Grid:
    """Points bucketed into CELL_DEG × CELL_DEG cells."""

    def __init__(self, points: Sequence[tuple[float, float]], cell_deg: float = CELL_DEG):
        self.cell = cell_deg
        self.points = points
        self.cells: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i, (lon, lat) in enumerate(points):
            self.cells[self._key(lon, lat)].append(i)

    def _key(self, lon: float, lat: float) -> tuple[int, int]:
        return (math.floor(lon / self.cell), math.floor(lat / self.cell))

    def _ring(self, cx: int, cy: int, r: int) -> Iterable[int]:
        cells = self.cells
        if r == 0:
            yield from cells.get((cx, cy), ())
            return
        for dx in range(-r, r + 1):
            yield from cells.get((cx + dx, cy - r), ())
            yield from cells.get((cx + dx, cy + r), ())
        for dy in range(-r + 1, r):
            yield from cells.get((cx - r, cy + dy), ())
            yield from cells.get((cx + r, cy + dy), ())

    def _cell_km(self, lat: float) -> float:
        """The smallest side of a cell near `lat` (east–west shrinks with the latitude)."""
        return self.cell * KM_PER_DEG * max(0.05, math.cos(math.radians(min(89.0, abs(lat)
                                                                           + self.cell))))

    def nearest(self, lon: float, lat: float,
                limit_km: float = SEARCH_LIMIT_KM) -> tuple[int, float]:
        """(index, km) of the nearest point within limit_km, or (-1, inf)."""
        if not self.points:
            return -1, math.inf
        cx, cy = self._key(lon, lat)
        side = self._cell_km(lat)
        best, best_km = -1, math.inf
        r = 0
        max_r = int(limit_km / side) + 1
        while r <= max_r:
            for i in self._ring(cx, cy, r):
                plon, plat = self.points[i]
                d = travel.haversine_km(lon, lat, plon, plat)
                if d < best_km:
                    best, best_km = i, d
            # Every unseen cell is at least r cells' sides away.
            if best_km <= r * side:
                break
            r += 1
        if best_km > limit_km:
            return -1, math.inf
        return best, best_km

    def within(self, lon: float, lat: float, radius_km: float) -> list[tuple[int, float]]:
        """Every point within radius_km, with its distance."""
        cx, cy = self._key(lon, lat)
        side = self._cell_km(lat)
        found = []
        for r in range(int(radius_km / side) + 2):
            for i in self._ring(cx, cy, r):
                plon, plat = self.points[i]
                d = travel.haversine_km(lon, lat, plon, plat)
                if d <= radius_km:
                    found.append((i, d))
        return found


def nearest_reach(areas: Sequence[Area], sites: Sequence[Site], *,
                  mode: str = travel.DEFAULT_MODE,
                  params: travel.TravelParameters = travel.DEFAULT_PARAMETERS,
                  matrix: dict[str, dict[str, float]] | None = None,
                  params_by_county: dict[str, travel.TravelParameters] | None = None,
                  ) -> list[Reach]:
    """Each area's nearest site. Within one area the nearest by distance is the nearest by time
    (the detour and the speed are the area's terrain's). `matrix` (area code → site key →
    minutes, from a routing engine) replaces the model for the areas it holds; only its
    sites in `sites` (the active ones) count. `params_by_county` (county code → parameters)
    replaces `params` for the areas of those counties."""
    params.check()
    params_by_county = params_by_county or {}
    for p in params_by_county.values():
        p.check()
    grid = Grid([(s.lon, s.lat) for s in sites])
    active = {s.key for s in sites}
    matrix = matrix or {}
    out: list[Reach] = []
    for a in areas:
        row = matrix.get(a.code)
        if row:
            usable = [(m, k) for k, m in row.items() if k in active]
            if usable:
                minutes, key = min(usable)
                out.append(Reach(key, None, minutes, from_matrix=True))
                continue
        i, km = grid.nearest(a.lon, a.lat)
        if i < 0:
            out.append(Reach("", None, None))
            continue
        out.append(Reach(sites[i].key, km, travel.minutes_for_distance(
            km, mode=mode, terrain=a.terrain,
            params=params_by_county.get(a.county_code, params))))
    return out


@dataclass
class Share:
    code: str
    name: str
    population: int = 0
    covered: int = 0
    areas: int = 0
    gaps: int = 0

    @property
    def share(self) -> float | None:
        """Covered ÷ population, 4 decimals; None without population."""
        return round(self.covered / self.population, 4) if self.population else None

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "population": self.population,
                "covered": self.covered, "share": self.share, "areas": self.areas,
                "gaps": self.gaps}


@dataclass
class CoverageSummary:
    threshold: float
    total: Share
    counties: list[Share]
    towns: list[Share]
    gaps: list[dict]  # areas beyond the threshold, farthest first
    axis: list[dict]  # the county seat / central town / key village check


def summarize(areas: Sequence[Area], reaches: Sequence[Reach], *, threshold: float,
              county_names: dict[str, str], town_names: dict[str, str]) -> CoverageSummary:
    """Shares per county and per town, the gaps and the axis check."""
    total = Share("", "")
    counties: dict[str, Share] = {}
    towns: dict[str, Share] = {}
    gaps: list[dict] = []
    axis: list[dict] = []
    for a, r in zip(areas, reaches, strict=True):
        ok = r.covered(threshold)
        for share in (total,
                      counties.setdefault(a.county_code, Share(
                          a.county_code, county_names.get(a.county_code, a.county_code))),
                      towns.setdefault(a.town_code, Share(
                          a.town_code, town_names.get(a.town_code, a.town_code)))):
            share.population += a.population
            share.areas += 1
            if ok:
                share.covered += a.population
            else:
                share.gaps += 1
        minutes = None if r.minutes is None else round(r.minutes, 1)
        if not ok:
            gaps.append({"code": a.code, "name": a.name, "county": a.county_code,
                         "lon": a.lon, "lat": a.lat, "population": a.population,
                         "terrain": a.terrain, "minutes": minutes, "site": r.site_key})
        if a.designation in AXIS_DESIGNATIONS:
            axis.append({"code": a.code, "name": a.name, "county": a.county_code,
                         "designation": a.designation, "minutes": minutes,
                         "site": r.site_key, "covered": ok})
    gaps.sort(key=lambda g: (-(g["minutes"] if g["minutes"] is not None else math.inf),
                             -g["population"]))
    axis.sort(key=lambda x: (x["county"], AXIS_DESIGNATIONS.index(x["designation"]), x["code"]))
    return CoverageSummary(threshold=threshold, total=total,
                           counties=sorted(counties.values(), key=lambda s: s.code),
                           towns=sorted(towns.values(), key=lambda s: s.code),
                           gaps=gaps, axis=axis)


def county_seat_by_position(areas: Sequence[Area],
                            seats: dict[str, tuple[float, float]]) -> dict[str, str]:
    """For counties whose areas name no county seat: the area nearest the county's seat
    coordinates (the registry's county coordinates are its seat's) stands for it.
    Returns county code → area code."""
    named = {a.county_code for a in areas if a.designation == "county_seat"}
    best: dict[str, tuple[float, str]] = {}
    for a in areas:
        seat = seats.get(a.county_code)
        if a.county_code in named or seat is None:
            continue
        d = travel.haversine_km(a.lon, a.lat, seat[0], seat[1])
        if a.county_code not in best or d < best[a.county_code][0]:
            best[a.county_code] = (d, a.code)
    return {county: code for county, (_d, code) in best.items()}
