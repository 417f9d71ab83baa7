"""Travel time from a place to a training site: the model behind the 30-minute circle. Pure.

Zhejiang's plan 二(二): 合理布局建设“30分钟职业技能培训圈”,推动培训基地站点标准化建设、特色化运营,
实现服务集成、资源集聚、共建共享,实现“县城—中心镇—重点村”发展轴培训基地、站点全覆盖。
(seeds/004_6a6ba3748db00ceb.txt). The plan names no travel mode or speed; the model below is
ours, its parameters dated and each one sourced or marked as an assumption.

    minutes = haversine_km(area, site) × detour[terrain] ÷ speed[mode][terrain] × 60

- `haversine_km`: great-circle distance on a sphere of the IUGG mean Earth radius
  R = 6371.0088 km (Moritz, "Geodetic Reference System 1980", J. Geodesy 74 (2000)).
- `detour` (circuity factor): road distance ÷ straight-line distance. Ballou, Rahardja & Sakai,
  "Selected country circuity factors for road travel distance estimation", Transportation
  Research Part A 36 (2002) 843–848, measured country averages of about 1.2–1.4; we take 1.25 for
  plains and 1.40 for hills, and 1.60 for mountains (ASSUMPTION: mountain roads wind more than
  any country average; calibrate with an imported routing matrix).
- `speed` (km/h, door to door): driving on county and township roads follows the design speeds
  of 三级公路 (40/30 km/h) and 四级公路 (30/20 km/h) in JTG B01-2014《公路工程技术标准》, the
  higher figure for plains, the lower for mountains (hills in between); buses are slower
  (stops; ASSUMPTION 25/20/15); electric bicycles are capped at 25 km/h by GB 17761-2018, we take
  a typical 15 (12 in mountains, ASSUMPTION); walking 4.5/4.0/3.0 km/h (ASSUMPTION, common
  planning figures).

Where a region has a travel-time matrix from a routing engine (area × site minutes), it replaces
this model for that region's areas (see the services); the model is the fallback.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius (GRS 80)
PARAMETERS_VERSION = "2026-12-05"

TERRAINS = ("plain", "hill", "mountain")
MODES = ("drive", "bus", "ebike", "walk")
DEFAULT_MODE = "drive"
DEFAULT_TERRAIN = "hill"
THRESHOLD_MINUTES = 30  # Zhejiang 二(二): “30分钟职业技能培训圈”

# Bounds of what is plausible, for parameters and inputs (absurd values are refused).
MAX_DISTANCE_KM = 5000.0  # farther than across China: a wrong coordinate
MIN_DETOUR, MAX_DETOUR = 1.0, 4.0
MIN_SPEED_KMH, MAX_SPEED_KMH = 1.0, 120.0
MIN_THRESHOLD, MAX_THRESHOLD = 5, 180

# What an administrator may set, per travel mode (km/h, door to door): beyond these a figure
# is a typing error. Electric bicycles: GB 17761-2018 caps them at 25 km/h.
SPEED_RANGE_KMH = {"drive": (10.0, 120.0), "bus": (5.0, 100.0), "ebike": (3.0, 25.0),
                   "walk": (1.0, 8.0)}

DETOUR = {"plain": 1.25, "hill": 1.40, "mountain": 1.60}
SPEED_KMH = {
    "drive": {"plain": 40.0, "hill": 35.0, "mountain": 30.0},
    "bus": {"plain": 25.0, "hill": 20.0, "mountain": 15.0},
    "ebike": {"plain": 15.0, "hill": 15.0, "mountain": 12.0},
    "walk": {"plain": 4.5, "hill": 4.0, "mountain": 3.0},
}


class InvalidTravelInput(ValueError):
    """A distance, speed, factor, mode or terrain outside what the model accepts; `code` says
    which (the services turn it into a message naming the field)."""

    def __init__(self, code: str, field: str) -> None:
        super().__init__(f"{code}: {field}")
        self.code = code
        self.field = field


@dataclass(frozen=True)
class TravelParameters:
    """One dated set of parameters (the version is stored with every coverage run)."""

    version: str = PARAMETERS_VERSION
    detour: dict[str, float] = field(default_factory=lambda: dict(DETOUR))
    speed_kmh: dict[str, dict[str, float]] = field(
        default_factory=lambda: {m: dict(v) for m, v in SPEED_KMH.items()})

    def check(self) -> None:
        for terrain in TERRAINS:
            d = self.detour.get(terrain)
            if d is None or not (MIN_DETOUR <= d <= MAX_DETOUR):
                raise InvalidTravelInput("detour_out_of_range", f"detour.{terrain}")
        for mode in MODES:
            for terrain in TERRAINS:
                s = self.speed_kmh.get(mode, {}).get(terrain)
                low, high = SPEED_RANGE_KMH[mode]
                if s is None or not (max(low, MIN_SPEED_KMH) <= s <= min(high, MAX_SPEED_KMH)):
                    raise InvalidTravelInput("speed_out_of_range", f"speed.{mode}.{terrain}")

    def as_dict(self) -> dict:
        return {"version": self.version, "detour": dict(self.detour),
                "speed_kmh": {m: dict(v) for m, v in self.speed_kmh.items()}}

    @classmethod
    def from_dict(cls, data: dict) -> TravelParameters:
        """The parameters as stored (as_dict), numbers as floats."""
        return cls(version=str(data.get("version", "")),
                   detour={t: float(v) for t, v in (data.get("detour") or {}).items()},
                   speed_kmh={m: {t: float(v) for t, v in (row or {}).items()}
                              for m, row in (data.get("speed_kmh") or {}).items()})


DEFAULT_PARAMETERS = TravelParameters()


def check_mode_terrain(mode: str, terrain: str) -> None:
    if mode not in MODES:
        raise InvalidTravelInput("unknown_mode", "mode")
    if terrain not in TERRAINS:
        raise InvalidTravelInput("unknown_terrain", "terrain")


def check_coordinates(lon: float, lat: float) -> None:
    if not (-180.0 <= lon <= 180.0) or math.isnan(lon):
        raise InvalidTravelInput("longitude_out_of_range", "longitude")
    if not (-90.0 <= lat <= 90.0) or math.isnan(lat):
        raise InvalidTravelInput("latitude_out_of_range", "latitude")


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in km between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def minutes_for_distance(distance_km: float, *, mode: str = DEFAULT_MODE,
                         terrain: str = DEFAULT_TERRAIN,
                         params: TravelParameters = DEFAULT_PARAMETERS) -> float:
    """Minutes to travel a straight-line distance: distance × detour ÷ speed × 60."""
    check_mode_terrain(mode, terrain)
    if math.isnan(distance_km) or distance_km < 0 or distance_km > MAX_DISTANCE_KM:
        raise InvalidTravelInput("distance_out_of_range", "distance_km")
    return distance_km * params.detour[terrain] / params.speed_kmh[mode][terrain] * 60.0


def reach_km(threshold_minutes: float, *, mode: str = DEFAULT_MODE,
             terrain: str = DEFAULT_TERRAIN,
             params: TravelParameters = DEFAULT_PARAMETERS) -> float:
    """The straight-line distance reachable within `threshold_minutes` (the inverse)."""
    check_mode_terrain(mode, terrain)
    return threshold_minutes / 60.0 * params.speed_kmh[mode][terrain] / params.detour[terrain]


def travel_minutes(lon1: float, lat1: float, lon2: float, lat2: float, *,
                   mode: str = DEFAULT_MODE, terrain: str = DEFAULT_TERRAIN,
                   params: TravelParameters = DEFAULT_PARAMETERS) -> float:
    """Minutes from point 1 (the area, whose terrain counts) to point 2 (the site)."""
    check_coordinates(lon1, lat1)
    check_coordinates(lon2, lat2)
    return minutes_for_distance(haversine_km(lon1, lat1, lon2, lat2), mode=mode,
                                terrain=terrain, params=params)
