"""Organizations: the list (anonymous callers: listed institutions, without personal data), one,
its status history; registering, correcting and changing the status of one (staff)."""

import datetime as dt

from ninja import Field, Query, Schema, Status
from ninja.pagination import paginate

from jineng.core.api import InRegion, Pagination, error_responses
from jineng.registry import selectors, services
from jineng.registry.api.common import PUBLIC, PUBLIC_EXTRA, _actor, _region, router

# --- schemas ------------------------------------------------------------------------------

class OrganizationOut(InRegion):
    id: int
    kind: str = Field(description="training (培训机构) | evaluation (评价机构) | enterprise (企业)")
    institution_type: str = Field(description="培训机构类型, training institutions only")
    name: str
    credit_code: str = Field(description="统一社会信用代码 (GB 32100)")
    credit_code_override: str = Field(description="why a failed check character was accepted")
    region_code: str
    region_name: str
    address: str
    legal_representative: str
    contact_phone: str
    sector: str
    status: str = Field(description="listed (在册) | suspended (暂停) | revoked (撤销)")
    status_since: dt.date

    # An anonymous caller (the public list) gets these empty: the legal representative's name
    # and the contact phone (often the representative's own mobile) are personal data, and the
    # override reason is an internal note. See docs/adr/0005-public-data.md.
    @staticmethod
    def resolve_legal_representative(obj, context) -> str:
        return obj.legal_representative if _signed_in(context) else ""

    @staticmethod
    def resolve_contact_phone(obj, context) -> str:
        return obj.contact_phone if _signed_in(context) else ""

    @staticmethod
    def resolve_credit_code_override(obj, context) -> str:
        return obj.credit_code_override if _signed_in(context) else ""


def _signed_in(context) -> bool:
    request = (context or {}).get("request")
    user = getattr(request, "auth", None)
    return bool(user is not None and getattr(user, "is_authenticated", False))


class OrganizationFilter(Schema):
    kind: str | None = None
    status: str | None = None
    region_code: str | None = Field(None, description="this region and its subtree")
    q: str = Field("", description="name contains, or the whole credit code")


class OrganizationIn(Schema):
    # Lengths are the model's (registry.models.Organization), as the web forms have them.
    kind: str = Field(description="training | evaluation | enterprise", max_length=12)
    name: str = Field(max_length=200)
    credit_code: str = Field(description="统一社会信用代码, 18 characters", max_length=40)
    region_code: str = Field(max_length=12)
    institution_type: str = Field("", description="required for training institutions",
                                  max_length=24)
    address: str = Field("", max_length=300)
    legal_representative: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=30)
    sector: str = Field("", max_length=50)
    credit_code_override: str = Field(
        "", description="校验位例外理由: a reason to accept a genuine code whose check "
                        "character fails (otherwise such a code is refused)", max_length=2000)


class OrganizationPatch(Schema):
    """Corrections; a field left out stays as it is. The credit code and kind are not edited."""

    reason: str = Field(description="原因, required: kept in the audit trail with the changed "
                                    "fields", min_length=1, max_length=500)
    name: str | None = Field(None, max_length=200)
    institution_type: str | None = Field(None, max_length=24,
                                         description="training institutions only")
    region_code: str | None = Field(None, max_length=12, description="move to this region")
    address: str | None = Field(None, max_length=300)
    legal_representative: str | None = Field(None, max_length=50)
    contact_phone: str | None = Field(None, max_length=30)
    sector: str | None = Field(None, max_length=50)


class StatusChangeIn(Schema):
    status: str = Field(description="listed | suspended | revoked (revocation is final)",
                        max_length=10)
    reason: str = Field(description="原因, required", max_length=2000)
    effective_date: dt.date | None = Field(None, description="today if omitted")


class StatusChangeOut(Schema):
    """One entry of the status history. The field names clients already read are kept
    (`status`, `recorded_at`, `recorded_by`; stored as core's history shape `to_status`, `at`,
    `actor_username`); `action` and `from_status` are new."""

    action: str = Field(description="register | suspend | reinstate | revoke")
    from_status: str = Field(description="the status left; empty on registration")
    status: str = Field(description="the status entered (listed | suspended | revoked)")
    effective_date: dt.date | None
    reason: str
    recorded_at: dt.datetime
    recorded_by: str

    @staticmethod
    def resolve_status(obj) -> str:
        return obj.to_status

    @staticmethod
    def resolve_recorded_at(obj) -> dt.datetime:
        return obj.at

    @staticmethod
    def resolve_recorded_by(obj) -> str:
        return obj.actor_username


# --- organizations ------------------------------------------------------------------------

@router.get("/organizations", response=list[OrganizationOut], auth=PUBLIC,
            openapi_extra=PUBLIC_EXTRA, operation_id="registry_organization_list",
            summary="Organizations (anonymous callers: listed institutions only)")
@paginate(Pagination)
def organization_list(request, filters: Query[OrganizationFilter]):
    return selectors.organization_list(actor=_actor(request), **filters.dict())


@router.get("/organizations/{organization_id}",
            response={200: OrganizationOut, **error_responses(404)},
            operation_id="registry_organization_get")
def organization_get(request, organization_id: int):
    return selectors.organization_get(actor=_actor(request), pk=organization_id)


@router.get("/organizations/{organization_id}/status-history",
            response={200: list[StatusChangeOut], **error_responses(404)},
            operation_id="registry_organization_status_history",
            summary="Status history (listed, suspended, revoked), latest first")
def organization_status_history(request, organization_id: int):
    actor = _actor(request)
    org = selectors.organization_get(actor=actor, pk=organization_id)
    return list(selectors.organization_status_history(actor=actor, organization=org))


@router.post("/organizations",
             response={201: OrganizationOut, **error_responses(400, 403, 409, 422)},
             operation_id="registry_organization_create",
             summary="Register an organization (credit code checked, GB 32100)")
def organization_create(request, payload: OrganizationIn):
    actor = _actor(request)
    data = services.OrganizationInput(
        kind=payload.kind, name=payload.name, credit_code=payload.credit_code,
        region=_region(actor, payload.region_code), institution_type=payload.institution_type,
        address=payload.address, legal_representative=payload.legal_representative,
        contact_phone=payload.contact_phone, sector=payload.sector,
        credit_code_override=payload.credit_code_override,
    )
    org = services.organization_create(actor=actor, data=data)
    return Status(201, selectors.organization_get(actor=actor, pk=org.pk))


@router.patch("/organizations/{organization_id}",
              response={200: OrganizationOut, **error_responses(400, 403, 404, 422)},
              operation_id="registry_organization_update",
              summary="Correct an organization's details (staff of its region; audited with "
                      "the reason)")
def organization_update(request, organization_id: int, payload: OrganizationPatch):
    """400: a field is invalid (named) or the reason is missing; 403: not staff governing the
    organization's region (or the new one); 404: missing or out of scope. Sending what is
    stored changes nothing and writes no audit event."""
    actor = _actor(request)
    org = selectors.organization_get(actor=actor, pk=organization_id)
    region = (_region(actor, payload.region_code) if payload.region_code is not None
              else None)
    services.organization_update(actor=actor, organization=org, reason=payload.reason,
                                 changes=services.OrganizationChanges(
                                     name=payload.name, institution_type=payload.institution_type,
                                     region=region, address=payload.address,
                                     legal_representative=payload.legal_representative,
                                     contact_phone=payload.contact_phone, sector=payload.sector))
    return selectors.organization_get(actor=actor, pk=organization_id)


@router.post("/organizations/{organization_id}/status",
             response={200: OrganizationOut, **error_responses(400, 403, 404, 422)},
             operation_id="registry_organization_change_status",
             summary="List, suspend or revoke an organization (staff)")
def organization_change_status(request, organization_id: int, payload: StatusChangeIn):
    actor = _actor(request)
    org = selectors.organization_get(actor=actor, pk=organization_id)
    services.organization_change_status(actor=actor, organization=org, status=payload.status,
                                        reason=payload.reason,
                                        effective_date=payload.effective_date)
    return selectors.organization_get(actor=actor, pk=organization_id)
