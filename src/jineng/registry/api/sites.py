"""Training sites: the list (anonymous callers: sites of listed institutions), one, adding one."""

from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status
from ninja.pagination import paginate

from jineng.core.api import InRegion, Pagination, error_responses
from jineng.core.errors import DomainError, NotFound
from jineng.registry import selectors, services
from jineng.registry.api.common import PUBLIC, PUBLIC_EXTRA, _actor, _region, router

# --- schemas ------------------------------------------------------------------------------

class SiteOut(InRegion):
    id: int
    organization_id: int
    organization_name: str
    name: str
    address: str
    region_code: str
    region_name: str
    longitude: Decimal
    latitude: Decimal
    capacity: int = Field(description="trainees at once")
    is_active: bool

    @staticmethod
    def resolve_organization_name(obj) -> str:
        return obj.organization.name


class SiteFilter(Schema):
    organization: int | None = Field(None, description="organization id")
    region_code: str | None = Field(None, description="this region and its subtree")


class SiteIn(Schema):
    organization_id: int = Field(ge=1, le=2**63 - 1)
    name: str = Field(max_length=200)
    address: str = Field(max_length=300)
    region_code: str = Field(max_length=12)
    longitude: Decimal = Field(description="inside China: 73–136", max_digits=9,
                               decimal_places=6)
    latitude: Decimal = Field(description="inside China: 3–54", max_digits=9,
                              decimal_places=6)
    capacity: int = Field(description="trainees at once, positive", ge=1, le=2_147_483_647)


# --- sites --------------------------------------------------------------------------------

@router.get("/sites", response=list[SiteOut], auth=PUBLIC, openapi_extra=PUBLIC_EXTRA,
            operation_id="registry_site_list",
            summary="Training sites (anonymous callers: sites of listed institutions)")
@paginate(Pagination)
def site_list(request, filters: Query[SiteFilter]):
    return selectors.site_list(actor=_actor(request), organization_id=filters.organization,
                               region_code=filters.region_code)


@router.get("/sites/{site_id}", response={200: SiteOut, **error_responses(404)},
            operation_id="registry_site_get")
def site_get(request, site_id: int):
    return selectors.site_get(actor=_actor(request), pk=site_id)


@router.post("/sites", response={201: SiteOut, **error_responses(400, 403, 409, 422)},
             operation_id="registry_site_create")
def site_create(request, payload: SiteIn):
    actor = _actor(request)
    try:
        org = selectors.organization_get(actor=actor, pk=payload.organization_id)
    except NotFound:
        raise DomainError(_("No such organization."), field="organization_id") from None
    site = services.site_create(actor=actor, data=services.SiteInput(
        organization=org, name=payload.name.strip(), address=payload.address.strip(),
        region=_region(actor, payload.region_code), longitude=payload.longitude,
        latitude=payload.latitude, capacity=payload.capacity,
    ))
    return Status(201, selectors.site_get(actor=actor, pk=site.pk))
