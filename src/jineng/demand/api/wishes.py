"""The demand API: wishes. Public (no account, rate-limited): submit a wish from a poster's code,
search occupations for the form. Staff: posters, wishes counted by occupation × region × key
group (HRSS and industry staff of the region), the wishes themselves (HRSS staff only)."""

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from jineng.core import ratelimit
from jineng.core.api import PUBLIC_SECURITY, Pagination, error_responses, public_auth
from jineng.demand import selectors, services
from jineng.demand.choices import PreferredTime
from jineng.demand.rules import wishes as rules

router = Router(tags=["demand"])
PUBLIC = {"auth": public_auth(), "openapi_extra": {"security": PUBLIC_SECURITY}}
E = error_responses


class WishIn(Schema):
    poster_token: str = Field(max_length=40, description="the code printed on the poster")
    name: str = Field(max_length=rules.NAME_MAX)
    id_number: str = Field(max_length=30, description="never answered back")
    phone: str = Field(max_length=20, description="11-digit mobile number")
    occupation_ids: list[int] = Field(max_length=rules.OCCUPATIONS_MAX)
    level_code: str = Field("", max_length=30)
    preferred_time: PreferredTime = PreferredTime.ANY
    preferred_place: str = Field("", max_length=rules.PLACE_MAX)
    longitude: float | None = Field(None, ge=-180, le=180)
    latitude: float | None = Field(None, ge=-90, le=90)
    max_distance_km: int = Field(rules.DISTANCE_KM_DEFAULT, ge=rules.DISTANCE_KM_MIN,
                                 le=rules.DISTANCE_KM_MAX)
    key_groups: list[str] = Field(default_factory=list, max_length=12)
    consent: bool = Field(description="consent to the use of the data (must be true)")
    sms_code: str = Field("", max_length=10,
                          description="the code sent to the phone, once a challenge is asked "
                                      "(error code challenge_required)")


class WishReceivedOut(Schema):
    status: str = Field(description="always `received`: the same for a first wish and a "
                                    "repeat, which replaces the earlier one")
    consent_version: str


class WishOccupationOut(Schema):
    id: int
    code: str
    name: str


class WishPosterOut(Schema):
    id: int
    token: str
    region_code: str
    region_name: str
    place_kind: str
    place_name: str
    is_active: bool
    link: str
    created_at: dt.datetime

    @staticmethod
    def resolve_token(obj) -> str:
        return str(obj.token)

    @staticmethod
    def resolve_region_code(obj) -> str:
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj) -> str:
        return obj.region.name

    @staticmethod
    def resolve_link(obj) -> str:
        return selectors.poster_link(obj)


class WishPosterIn(Schema):
    region_code: str = Field(max_length=12)
    place_kind: str = Field(max_length=16)
    place_name: str = Field(max_length=rules.PLACE_MAX)
    site_id: int | None = None
    longitude: float | None = Field(None, ge=-180, le=180)
    latitude: float | None = Field(None, ge=-90, le=90)


class WishCellOut(Schema):
    occupation_id: int
    occupation_code: str
    occupation_name: str
    region_code: str
    region_name: str
    key_group: str = Field(description="empty: no key group declared")
    wishes: int


class WishAggregateFilter(Schema):
    region_code: str = Field("", max_length=12, pattern=r"^[0-9]*$")
    by: str = Field("county", pattern=r"^(city|county)$")
    occupation_id: int | None = None
    key_group: str = Field("", max_length=30)


class TrainingWishOut(Schema):
    id: int
    name: str
    id_masked: str
    phone: str
    region_code: str
    poster_id: int | None
    occupation_ids: list[int]
    level_code: str
    preferred_time: str
    preferred_place: str
    max_distance_km: int
    key_groups: list[str]
    status: str
    times_submitted: int
    updated_at: dt.datetime

    @staticmethod
    def resolve_region_code(obj) -> str:
        return obj.region.code

    @staticmethod
    def resolve_occupation_ids(obj) -> list[int]:
        return [o.pk for o in obj.occupations.all()]

    @staticmethod
    def resolve_level_code(obj) -> str:
        return obj.level.code if obj.level_id else ""


class TrainingWishFilter(Schema):
    region_code: str = Field("", max_length=12, pattern=r"^[0-9]*$")
    key_group: str = Field("", max_length=30)
    status: str = Field("", max_length=12)


@router.post("/wishes", response={201: WishReceivedOut, **E(400, 404, 422, 429)},
             operation_id="demand_wish_submit", **PUBLIC)
def wish_submit(request, payload: WishIn):
    """Register a training wish from a poster's code (no account). A repeat of the same ID
    number replaces the earlier wish; the answer is the same either way. Rate-limited per
    client address and per phone (429); after repeats a code is sent to the phone and the
    call must be repeated with `sms_code` (400, code `challenge_required`)."""
    services.wish_submit(actor=request.auth, data=services.WishInput(
        **payload.dict()), client_address=ratelimit.request_address(request))
    return Status(201, {"status": "received", "consent_version": rules.CONSENT_VERSION})


@router.get("/wishes/occupations", response={200: list[WishOccupationOut], **E(422, 429)},
            operation_id="demand_wish_occupation_search", **PUBLIC)
def wish_occupation_search(request, q: str = Query("", max_length=50),
                           limit: int = Query(10, ge=1, le=500)):
    """Occupations for the wish form's search box: Chinese name or pinyin initials (at most
    20 answered, whatever `limit` asks)."""
    decision = ratelimit.hit("demand.wish.search", ratelimit.request_address(request),
                             limit=600, window=rules.ADDRESS_LIMIT.window)
    if not decision.allowed:
        raise services.Throttled(_("Too many requests; try again later."),
                                 retry_after=decision.retry_after)
    return selectors.occupation_suggestions(q, limit=limit)


@router.get("/wishes/posters", response=list[WishPosterOut], operation_id="demand_poster_list")
@paginate(Pagination)
def poster_list(request, active: bool | None = None, q: str = Query("", max_length=50)):
    return selectors.poster_list(actor=request.auth, active=active, q=q)


@router.post("/wishes/posters", response={201: WishPosterOut, **E(400, 403, 422)},
             operation_id="demand_poster_create")
def poster_create(request, payload: WishPosterIn):
    """A new QR poster (HRSS staff of the region)."""
    return Status(201, services.poster_create(actor=request.auth, **payload.dict()))


@router.post("/wishes/posters/{int:poster_id}/active", response={200: WishPosterOut,
                                                                  **E(400, 403, 404, 422)},
             operation_id="demand_poster_set_active")
def poster_set_active(request, poster_id: int, active: bool):
    poster = selectors.poster_get(actor=request.auth, pk=poster_id)
    return services.poster_set_active(actor=request.auth, poster=poster, active=active)


@router.get("/wishes/aggregates", response={200: list[WishCellOut], **E(400, 422)},
            operation_id="demand_wish_aggregates")
def wish_aggregates(request, filters: Query[WishAggregateFilter]):
    """Open wishes counted by occupation × region × key group (a wish for two occupations
    counts in both). HRSS and industry staff of the region."""
    return selectors.wish_aggregates(actor=request.auth, **filters.dict())


@router.get("/wishes/list", response=list[TrainingWishOut], operation_id="demand_wish_list")
@paginate(Pagination)
def wish_list(request, filters: Query[TrainingWishFilter]):
    """The wishes one by one (HRSS staff of the region; others get an empty list)."""
    return selectors.wish_list(actor=request.auth, **filters.dict())
