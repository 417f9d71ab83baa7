"""Matching our regions to the features of a boundary file (GeoJSON), as pure functions.

A boundary file names its features by the names of the year it was drawn (e.g. 毕节地区 for
today's 毕节市), so names alone do not match. A region's seat (its coordinates in the
registry) lies inside its own boundary whatever the region is called today: point-in-polygon
decides first, the name's stem (without 市/地区/自治州/盟 …) where the seat does not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Ring = Sequence[Sequence[float]]  # [[lon, lat], ...], closed or not

# Longest first, so that 自治州 is stripped before 州 would be (and 特别行政区 before 区).
NAME_SUFFIXES = ("特别行政区", "自治州", "自治县", "自治旗", "地区", "林区", "新区",
                 "市", "盟", "州", "县", "区", "旗")


@dataclass(frozen=True)
class Place:
    """A region to place on the map: its code, name and seat (None where unknown)."""

    code: str
    name: str
    lon: float | None = None
    lat: float | None = None


@dataclass(frozen=True)
class Feature:
    """A boundary: its name in the file and its GeoJSON geometry (Polygon/MultiPolygon)."""

    name: str
    geometry: dict


def point_in_ring(lon: float, lat: float, ring: Ring) -> bool:
    """Ray casting: a ray from the point towards +lon crosses the ring an odd number of times
    when the point is inside. A point exactly on an edge may go either way."""
    inside = False
    n = len(ring)
    if n < 3:
        return False
    x1, y1 = ring[-1][0], ring[-1][1]
    for point in ring:
        x2, y2 = point[0], point[1]
        if (y2 > lat) != (y1 > lat):
            # The longitude where this edge crosses the point's latitude.
            cross = x2 + (lat - y2) * (x1 - x2) / (y1 - y2)
            if lon < cross:
                inside = not inside
        x1, y1 = x2, y2
    return inside


def point_in_polygon(lon: float, lat: float, rings: Sequence[Ring]) -> bool:
    """A GeoJSON Polygon: inside the outer ring (first) and in none of its holes."""
    if not rings or not point_in_ring(lon, lat, rings[0]):
        return False
    return not any(point_in_ring(lon, lat, hole) for hole in rings[1:])


def point_in_geometry(lon: float, lat: float, geometry: dict | None) -> bool:
    """A GeoJSON Polygon or MultiPolygon geometry; anything else contains nothing."""
    if not geometry:
        return False
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        return point_in_polygon(lon, lat, coordinates)
    if kind == "MultiPolygon":
        return any(point_in_polygon(lon, lat, polygon) for polygon in coordinates)
    return False


def name_stem(name: str) -> str:
    """The name without its kind of division: 毕节地区 and 毕节市 → 毕节; 黔东南苗族侗族自治州 →
    黔东南苗族侗族. One suffix only, and never down to less than two characters (so 沙市区
    stays 沙市)."""
    name = name.strip()
    for suffix in NAME_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _names_agree(a: str, b: str) -> bool:
    return name_stem(a) == name_stem(b)


def _prefix_agree(a: str, b: str) -> bool:
    """One stem begins with the other (黔东南 / 黔东南苗族侗族), two characters at least."""
    a, b = name_stem(a), name_stem(b)
    short, long = sorted((a, b), key=len)
    return len(short) >= 2 and long.startswith(short)


def match_places(places: Iterable[Place], features: Sequence[Feature]) -> dict[str, int]:
    """Each place's feature (code → index into `features`), at most one place per feature.

    In order, each step only among the places and features not matched yet:
    1. the seat lies inside the feature and the names agree;
    2. the seat lies inside the feature (a renamed region), unless another place has the
       feature's name;
    3. the names' stems are equal;
    4. one stem begins with the other, where exactly one feature does.
    Places matching nothing are left out."""
    places = list(places)
    contains: dict[str, list[int]] = {}
    for place in places:
        if place.lon is None or place.lat is None:
            contains[place.code] = []
            continue
        contains[place.code] = [i for i, f in enumerate(features)
                                if point_in_geometry(place.lon, place.lat, f.geometry)]
    matched: dict[str, int] = {}
    taken: set[int] = set()

    def assign(place: Place, candidates: list[int]) -> None:
        free = [i for i in candidates if i not in taken]
        if len(free) == 1:  # ambiguous or nothing: leave it to the next step
            matched[place.code] = free[0]
            taken.add(free[0])

    for place in places:  # 1. seat and name
        assign(place, [i for i in contains[place.code]
                       if _names_agree(place.name, features[i].name)])
    for place in places:  # 2. seat only, unless the feature is another place's by name
        if place.code in matched:
            continue
        assign(place, [i for i in contains[place.code]
                       if not any(_names_agree(other.name, features[i].name)
                                  for other in places if other.code != place.code)])
    for place in places:  # 3. equal stems
        if place.code not in matched:
            assign(place, [i for i, f in enumerate(features)
                           if _names_agree(place.name, f.name)])
    for place in places:  # 4. one stem begins with the other
        if place.code not in matched:
            assign(place, [i for i, f in enumerate(features)
                           if _prefix_agree(place.name, f.name)])
    return matched
