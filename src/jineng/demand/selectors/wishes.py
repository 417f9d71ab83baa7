"""Reads of the demand app: wishes. Scoped to the actor.

Posters: staff of the region (HRSS and industry) see them; the public reaches one only by its
token (the QR code's link). Wishes are real-name data: only HRSS staff of the region read them
one by one; industry staff see the aggregates (occupation × region × key group) only.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.db.models.functions import Substr

from jineng.core.errors import NotFound
from jineng.core.scoping import scope_of
from jineng.demand.models import TrainingWish, WishPoster
from jineng.registry import selectors as registry_selectors
from jineng.registry.choices import KeyGroup
from jineng.registry.models import Region

__all__ = [
    "WishCell",
    "occupation_suggestions",
    "poster_get",
    "poster_link",
    "poster_list",
    "poster_public",
    "wish_aggregates",
    "wish_get",
    "wish_list",
    "wish_map",
    "wish_region_totals",
]

NO_GROUP = ""  # the key-group column of a wish that declared none


def poster_list(*, actor, active: bool | None = None, region_code: str = "",
                q: str = "") -> QuerySet[WishPoster]:
    qs = WishPoster.objects.visible_to(actor).select_related("region", "site")
    if active is not None:
        qs = qs.filter(is_active=active)
    if region_code:
        qs = qs.filter(region__code__startswith=registry_selectors.subtree_prefix(region_code))
    if q:
        qs = qs.filter(place_name__contains=q.strip()[:50])
    return qs


def poster_get(*, actor, pk: int) -> WishPoster:
    poster = poster_list(actor=actor).filter(pk=pk).first()
    if poster is None:
        raise NotFound()
    return poster


def poster_link(poster: WishPoster) -> str:
    """The absolute address the poster's QR code carries (settings.JINENG_PUBLIC_URL)."""
    from django.conf import settings
    from django.urls import reverse

    return settings.JINENG_PUBLIC_URL.rstrip("/") + reverse("demand:wish_form",
                                                            args=[poster.token])


def poster_public(token) -> WishPoster:
    """The poster a QR code's link names, if it is in use (NotFound otherwise)."""
    try:
        value = uuid.UUID(str(token))
    except ValueError:
        raise NotFound() from None
    poster = WishPoster.objects.select_related("region").filter(token=value,
                                                                is_active=True).first()
    if poster is None:
        raise NotFound()
    return poster


def occupation_suggestions(q: str, *, limit: int = 10) -> list[dict]:
    """Occupations for the form's search box (public reference data): Chinese name or pinyin
    initials, through registry.selectors.occupation_search."""
    limit = max(1, min(int(limit), 20))
    return [{"id": o.pk, "code": o.code or "", "name": o.name}
            for o in registry_selectors.occupation_search(q, limit=limit)]


def wish_list(*, actor, region_code: str = "", occupation_id: int | None = None,
              key_group: str = "", status: str = "") -> QuerySet[TrainingWish]:
    qs = (TrainingWish.objects.visible_to(actor)
          .select_related("region", "poster", "level").prefetch_related("occupations"))
    if region_code:
        qs = qs.filter(region__code__startswith=registry_selectors.subtree_prefix(region_code))
    if occupation_id:
        qs = qs.filter(occupations__pk=occupation_id)
    if key_group:
        qs = qs.filter(key_groups__contains=[key_group]) if _json_contains() \
            else qs.filter(key_groups__icontains=f'"{key_group}"')
    if status:
        qs = qs.filter(status=status)
    return qs


def _json_contains() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def wish_get(*, actor, pk: int) -> TrainingWish:
    wish = wish_list(actor=actor).filter(pk=pk).first()
    if wish is None:
        raise NotFound()
    return wish


def _aggregate_base(actor) -> QuerySet[TrainingWish]:
    """Wishes the actor may count: HRSS staff (and industry staff, who see counts only) of
    the region."""
    scope = scope_of(actor)
    if scope.everything:
        return TrainingWish.objects.all()
    if scope.region_prefix is None:
        return TrainingWish.objects.none()
    return TrainingWish.objects.filter(region__code__startswith=scope.region_prefix)


@dataclass(frozen=True)
class WishCell:
    """One cell: wishes for an occupation in a region from a key group ("" = none declared).
    A wish for two occupations counts in both; a wish of two groups in both."""

    occupation_id: int
    occupation_code: str
    occupation_name: str
    region_code: str
    region_name: str
    key_group: str
    wishes: int

    @property
    def key_group_label(self) -> str:
        return str(KeyGroup(self.key_group).label) if self.key_group else "—"


def _rollup_region(code: str, level_prefix_len: int) -> str:
    return code[:level_prefix_len].ljust(6, "0") if level_prefix_len < 6 else code[:6]


def wish_aggregates(*, actor, region_code: str = "", by: str = "county",
                    occupation_id: int | None = None, key_group: str = "") -> list[WishCell]:
    """Open wishes counted by occupation × region × key group, regions rolled up to `by`
    (city or county). Industry staff may read this (no person is named)."""
    width = {"city": 4, "county": 6}.get(by)
    if width is None:
        from django.utils.translation import gettext as _

        from jineng.core.errors import DomainError

        raise DomainError(_("Choose city or county."), field="by")
    qs = _aggregate_base(actor)
    if region_code:
        qs = qs.filter(region__code__startswith=registry_selectors.subtree_prefix(region_code))
    through = TrainingWish.occupations.through.objects.filter(trainingwish__in=qs)
    if occupation_id:
        through = through.filter(occupation_id=occupation_id)
    rows = through.values_list("trainingwish__region__code", "occupation_id",
                               "occupation__code", "occupation__name",
                               "trainingwish__key_groups")
    counts: dict[tuple, int] = defaultdict(int)
    names: dict[int, tuple[str, str]] = {}
    for region, occ, occ_code, occ_name, groups in rows.iterator(chunk_size=5000):
        names[occ] = (occ_code or "", occ_name)
        rolled = _rollup_region(region, width)
        for group in (groups or [NO_GROUP]):
            if key_group and group != key_group:
                continue
            counts[(occ, rolled, group)] += 1
    region_names = dict(Region.objects.filter(code__in={k[1] for k in counts})
                        .values_list("code", "name"))
    cells = [WishCell(occ, names[occ][0], names[occ][1], region, region_names.get(region, region),
                      group, n) for (occ, region, group), n in counts.items()]
    cells.sort(key=lambda c: (-c.wishes, c.region_code, c.occupation_name, c.key_group))
    return cells


def wish_region_totals(*, actor, region_code: str = "", by: str = "county") -> list[dict]:
    """Wishers per region (each wish once), with the region's seat, for the map. Counted in
    the database (grouped by the code's city or county digits)."""
    width = {"city": 4, "county": 6}.get(by, 6)
    qs = _aggregate_base(actor)
    if region_code:
        qs = qs.filter(region__code__startswith=registry_selectors.subtree_prefix(region_code))
    counts: dict[str, int] = defaultdict(int)
    for part, n in (qs.order_by().annotate(part=Substr("region__code", 1, width))
                    .values("part").annotate(n=Count("id")).values_list("part", "n")):
        counts[_rollup_region(part, width)] += n
    regions = {r.code: r for r in Region.objects.filter(code__in=list(counts))}
    out = []
    for code, n in sorted(counts.items()):
        r = regions.get(code)
        out.append({"code": code, "name": r.name if r else code, "wishes": n,
                    "lon": float(r.longitude) if r and r.longitude is not None else None,
                    "lat": float(r.latitude) if r and r.latitude is not None else None})
    return out


def _map_focus(actor, region_code: str) -> str:
    """The region the map shows: the filter's, else the actor's own region (staff); "" for a
    reader of the whole country without a filter."""
    if region_code:
        return region_code
    if scope_of(actor).region_prefix is None:
        return ""
    return getattr(getattr(actor, "region", None), "code", "") or ""


def wish_map(*, actor, region_code: str = "", by: str = "county") -> dict:
    """The wish map's data. Wishers per city colour the cities of the province's boundary file
    (china-geojson, offline: the plans map's file and its matching of cities to features,
    `plans.selectors.boundary_city_features`) — a choropleth — with the counties' circles on
    top when counted by county; a city (or a county of it) filtered shows the city's outline
    and its counties' circles. `mode` says which: "province", "city", or "points" (circles at
    the seats only: no boundary file, or a reader of several provinces)."""
    from django.templatetags.static import static
    from django.utils.translation import gettext as _

    from jineng.plans import selectors as plans_selectors

    points = wish_region_totals(actor=actor, region_code=region_code, by=by)
    data = {"mode": "points", "by": by, "points": points, "areas": [], "geojson": "",
            "mapName": "", "feature": "", "unplaced": [], "max": 0,
            "circlesOnMap": True, "label": _("Training wishes"), "noWishes": _("no wishes")}
    focus = _map_focus(actor, region_code)
    province = focus[:2] if len(focus) >= 2 else None
    path = plans_selectors.boundary_file(province) if province else None
    features = plans_selectors.boundary_city_features(province) if path else {}
    if not features:
        return data
    data.update(geojson=static(path), mapName=f"jineng-wishes-{province}")
    level = Region.objects.filter(code=focus).values_list("level", flat=True).first()
    if level == "province":
        cities = (points if by == "city" else
                  wish_region_totals(actor=actor, region_code=region_code, by="city"))
        counted = {c["code"]: c["wishes"] for c in cities}
        names = dict(Region.objects.filter(code__in=list(features)).values_list("code", "name"))
        data["areas"] = [{"code": code, "name": names.get(code, code), "feature": feature,
                          "wishes": counted.get(code, 0)}
                         for code, feature in sorted(features.items())]
        data["unplaced"] = [c["name"] for c in cities if c["code"] not in features]
        data["max"] = max([a["wishes"] for a in data["areas"]] + [0])
        # Counted by city, the cities are the areas: their circles are only the fallback.
        data.update(mode="province", circlesOnMap=by != "city")
        return data
    city = f"{focus[:4]}00"
    if city in features:
        data.update(mode="city", feature=features[city])
    return data
