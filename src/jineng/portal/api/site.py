"""The public API of the training map (anonymous, rate-limited): open or upcoming classes and
the sites that hold them, with the map's filters; one public class.

Bad input answers 422 with one item per field at fault (`field`, a stable `code`, a message in
the request's language): an unknown place, occupation, level or key group, a distance outside
1–500 km, a date more than a year back or three years ahead, a last date before the first, a
position outside China or half a position. Over the rate limit: 429 with Retry-After.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from jineng.core.api import PUBLIC_SECURITY, ErrorOut, error_responses, public_auth
from jineng.portal.selectors import site as selectors
from jineng.portal.services import site as services

router = Router(tags=["portal"])

PUBLIC = {"auth": public_auth(), "openapi_extra": {"security": PUBLIC_SECURITY}}
SCOPE = "portal.site.api"


class MapSearchIn(Schema):
    occupation: int | None = Field(None, ge=1, le=2**31 - 1,
                                   description="occupation id (registry); its work types too")
    level: str = Field("", max_length=20, description="skill level code (新八级工)")
    subsidized: bool | None = Field(None, description="true: paid from public funds; false: "
                                                      "not; empty: both")
    key_group: str = Field("", max_length=30,
                           description="classes a member of this key group may join (those "
                                       "for the group and those open to all)")
    date_from: dt.date | None = Field(None, description="classes still running on or after "
                                                        "this day (default today)")
    date_to: dt.date | None = Field(None, description="classes starting on or before this day")
    place: str = Field("", max_length=12,
                       description="region code (county, town or village) to measure from")
    lat: float | None = Field(None, description="or a position: latitude (WGS84)")
    lon: float | None = Field(None, description="and longitude")
    within_km: float | None = Field(None, description="distance from the place, 1–500 km "
                                                      "(default 30 with a place)")
    limit: int = Field(selectors.PAGE_SIZE, ge=1, le=selectors.MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0, le=100_000)


class MapClassOut(Schema):
    id: int
    name: str
    url: str = Field(description="the class's public page")
    institution_id: int
    institution_name: str
    site_id: int
    site_name: str
    site_address: str
    region_code: str
    region_name: str
    latitude: float
    longitude: float
    occupation_code: str
    occupation_name: str
    level_code: str
    level_name: str
    training_type: str
    target_group: str = Field(description="key group the class is for; empty: open to all")
    subsidized: bool
    start_date: dt.date
    end_date: dt.date
    required_hours: Decimal
    planned_size: int
    places_left: int | None
    phase: str = Field(description="upcoming | in_session")
    distance_km: float | None = Field(description="from the place searched, if any")


class MapClassPageOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[MapClassOut]


class MapSiteOut(Schema):
    id: int
    name: str
    address: str
    institution_id: int
    institution_name: str
    region_name: str
    latitude: float
    longitude: float
    classes: int = Field(description="matching open or upcoming classes at the site")
    distance_km: float | None


class MapRegionOut(Schema):
    code: str = Field(description="county code")
    name: str
    latitude: float = Field(description="the county seat (else the mean of its sites)")
    longitude: float
    sites: int = Field(description="sites with matching classes in the county")
    classes: int = Field(description="matching open or upcoming classes in the county")


class MapSitePageOut(Schema):
    mode: str = Field(description="sites: one marker per site (items, paged); regions: one "
                                  "per county (regions), for a search with no place or wider "
                                  "than 50 km — choose a place to see the sites")
    count: int = Field(description="matching sites (both modes)")
    limit: int
    offset: int
    items: list[MapSiteOut]
    regions: list[MapRegionOut] = Field(description="per county, most classes first "
                                                    "(regions mode; else empty)")


class MapSessionOut(Schema):
    date: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime
    hours: Decimal
    topic: str


class MapSubsidyOut(Schema):
    amount: Decimal = Field(description="standard amount (yuan) in the catalog in force")
    required_hours: int
    government_share: int | None = Field(description="percent")
    enterprise_share: int | None
    individual_share: int | None
    citation: str


class MapClassDetailOut(MapClassOut):
    institution_address: str
    institution_phone: str = Field(description="a landline or service number; mobile numbers "
                                               "are never published")
    funding: str
    online_share: Decimal
    sessions: list[MapSessionOut]
    subsidy: MapSubsidyOut | None


def _throttled(request, response: HttpResponse):
    decision = services.public_hit(request, SCOPE)
    if decision.allowed:
        return None
    response["Retry-After"] = str(decision.retry_after)
    return Status(429, {"detail": [{"field": "", "code": "throttled", "message": _(
        "Too many requests; try again in %(n)s seconds.") % {"n": decision.retry_after}}]})


def _search(filters: MapSearchIn) -> selectors.ClassSearch:
    return selectors.search_parse(
        occupation=filters.occupation, level=filters.level, subsidized=filters.subsidized,
        key_group=filters.key_group, date_from=filters.date_from, date_to=filters.date_to,
        place=filters.place, lat=filters.lat, lon=filters.lon, within_km=filters.within_km)


def _refused(problem: selectors.SearchRefused):
    return Status(422, {"detail": problem.problems})


@router.get("/classes", response={200: MapClassPageOut, 422: ErrorOut, 429: ErrorOut}, **PUBLIC,
            operation_id="portal_class_search",
            summary="Open or upcoming classes (the training map's list), nearest first")
def class_search(request, response: HttpResponse, filters: Query[MapSearchIn]):
    refused = _throttled(request, response)
    if refused is not None:
        return refused
    try:
        search = _search(filters)
    except selectors.SearchRefused as problem:
        return _refused(problem)
    page = selectors.class_search(search, offset=filters.offset, limit=filters.limit)
    return {"count": page.count, "limit": page.limit, "offset": page.offset,
            "items": page.items}


@router.get("/sites", response={200: MapSitePageOut, 422: ErrorOut, 429: ErrorOut}, **PUBLIC,
            operation_id="portal_site_map",
            summary="Sites with matching open or upcoming classes (the training map's markers); "
                    "per county without a place")
def site_map(request, response: HttpResponse, filters: Query[MapSearchIn]):
    refused = _throttled(request, response)
    if refused is not None:
        return refused
    try:
        search = _search(filters)
    except selectors.SearchRefused as problem:
        return _refused(problem)
    page = selectors.site_map(search, offset=filters.offset, limit=filters.limit)
    return {"mode": page.mode, "count": page.count, "limit": page.limit,
            "offset": page.offset, "items": page.items, "regions": page.regions}


@router.get("/classes/{class_id}",
            response={200: MapClassDetailOut, **error_responses(404), 429: ErrorOut}, **PUBLIC,
            operation_id="portal_class_get",
            summary="One public class with how to enrol")
def class_get(request, response: HttpResponse, class_id: int):
    refused = _throttled(request, response)
    if refused is not None:
        return refused
    detail = selectors.class_detail(class_id)
    return {**detail.card.__dict__, "institution_address": detail.institution_address,
            "institution_phone": detail.institution_phone, "funding": detail.funding_label,
            "online_share": detail.online_share, "sessions": detail.sessions,
            "subsidy": detail.subsidy}
