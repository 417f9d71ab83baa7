"""Registry API: regions, skill levels, occupations, organizations, sites, persons; imports and
exports. Every operation parses, calls a selector or service, and shapes the answer.

Public (no login): regions, skill levels, occupations, and the lists of listed institutions and
their sites (an anonymous caller sees what the public scope shows). Everything else needs a
bearer token or a session. A record that is missing or outside the caller's scope answers 404
with the same body. Persons carry only the masked ID number; the whole number comes only from
`POST /persons/{id}/unmask`, which needs a permission and is audited. A whole ID number is never
accepted in a URL (proxies and servers log URLs): `GET /persons?q=` refuses one, and
`POST /persons/search` takes it in the body.
"""

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from jineng.core.api import (
    PUBLIC_SECURITY,
    ErrorOut,
    InRegion,
    Pagination,
    error_responses,
    public_auth,
)
from jineng.core.errors import Conflict, DomainError, NotFound
from jineng.core.tabular import check_file_size
from jineng.registry import exports, importers, selectors, services
from jineng.registry.models import Region

router = Router(tags=["registry"])

PUBLIC = public_auth()
PUBLIC_EXTRA = {"security": PUBLIC_SECURITY}


def _actor(request):
    return request.auth


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _region(actor, code: str, field: str = "region_code") -> Region:
    """A region named in a request body; unknown codes are a 400 naming the field."""
    try:
        return selectors.region_get(actor=actor, code=(code or "").strip())
    except NotFound:
        raise DomainError(_("Unknown region code %(code)s.") % {"code": code},
                          field=field) from None


# --- schemas ------------------------------------------------------------------------------

class RegionOut(Schema):
    code: str = Field(description="区划代码: 6-digit GB/T 2260, 9-digit town, 12-digit village")
    name: str = Field(description="名称")
    level: str = Field(description="province | city | county | town | village")
    parent_code: str | None = Field(description="上级区划代码")
    longitude: Decimal | None = Field(description="经度 (decimal degrees)")
    latitude: Decimal | None = Field(description="纬度 (decimal degrees)")

    @staticmethod
    def resolve_parent_code(obj) -> str | None:
        return obj.parent.code if obj.parent_id else None


class RegionFilter(Schema):
    parent_code: str | None = Field(None, description="only the children of this region")
    level: str | None = Field(None, description="province | city | county | town | village")
    q: str = Field("", description="name contains, or code starts with")


class SkillLevelOut(Schema):
    code: str
    name: str = Field(description="新八级工 rung, e.g. 高级工")
    national_grade: str = Field(description="国家职业资格等级 五级–一级, where the rung has one")
    rank: int
    is_high_skilled: bool = Field(description="高技能人才: 高级工 and above")


class OccupationOut(Schema):
    id: int
    code: str | None = Field(description="《职业分类大典》(2022) code, e.g. 4-10-01-05")
    name: str
    rank: str = Field(description="major | middle | minor | occupation | work_type")
    parent_id: int | None
    needs_code: bool = Field(description="named by a policy but its official code is not "
                                         "confirmed yet")
    code_source: str
    named_in: str


class OccupationFilter(Schema):
    q: str = Field("", description="name contains, or code starts with")
    rank: str | None = None
    needs_code: bool | None = None


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


class KeyGroupOut(Schema):
    id: int
    group: str = Field(description="重点群体 code, e.g. graduate (高校毕业生)")
    start_date: dt.date
    end_date: dt.date | None
    source: str


class PersonOut(InRegion):
    id: int
    id_masked: str = Field(description="身份证号码, masked (520102********1234); the whole "
                                       "number only through the audited unmask operation")
    name: str
    gender: str = Field(description="M | F")
    region_code: str
    region_name: str
    phone: str
    address: str = Field(description="常住地址, the residence address (may be empty)")
    registered_by_id: int | None = Field(description="the institution that registered the "
                                                     "person, if any")
    merged_into_id: int | None = Field(description="set when this record was a duplicate, "
                                                   "merged into that person")
    created_at: dt.datetime
    key_groups: list[KeyGroupOut]

    @staticmethod
    def resolve_key_groups(obj) -> list:
        return list(obj.key_groups.all())


class PersonFilter(Schema):
    q: str = Field("", description="name prefix (a whole ID number is refused here: URLs end "
                                   "up in logs; use POST /persons/search)")
    region_code: str | None = Field(None, description="this region and its subtree")
    key_group: str | None = None


class PersonSearchIn(Schema):
    id_number: str = Field(description="a whole 身份证号码 (GB 11643), 18 characters, or an "
                                       "old 15-digit one; the search is audited",
                           max_length=40)


class KeyGroupStart(Schema):
    group: str = Field(description="key-group code, e.g. graduate, migrant_worker",
                       max_length=24)
    start_date: dt.date | None = Field(None, description="today if omitted")


class PersonIn(Schema):
    id_number: str = Field(description="身份证号码 (GB 11643), 18 characters; an old 15-digit "
                                       "number is converted to its 18-character form",
                           max_length=40)
    name: str = Field(max_length=50)
    region_code: str = Field(description="the region the person is served in", max_length=12)
    phone: str = Field("", max_length=20)
    address: str = Field("", max_length=200, description="常住地址, the residence address")
    key_groups: list[KeyGroupStart] = Field([], max_length=20)


class PersonPatch(Schema):
    """Corrections; a field left out stays as it is. The ID number is not edited: a wrong
    number is a second registration, merged into the right one."""

    reason: str = Field(description="原因, required: kept in the audit trail with the changed "
                                    "fields", min_length=1, max_length=500)
    name: str | None = Field(None, max_length=50)
    phone: str | None = Field(None, max_length=20)
    address: str | None = Field(None, max_length=200, description="常住地址")
    region_code: str | None = Field(None, max_length=12,
                                    description="the region the person is served in")


class PersonMergeIn(Schema):
    survivor_id: int = Field(description="the record to keep (this one is the duplicate)",
                             ge=1, le=2**63 - 1)
    reason: str = Field(description="原因, required", min_length=1, max_length=500)


class PersonMergeOut(Schema):
    id: int
    duplicate_id: int
    survivor_id: int
    reason: str
    merged_by: str
    merged_at: dt.datetime
    moved: dict[str, int] = Field(description="records moved from the duplicate, by kind "
                                              "(registry.key_group_membership, "
                                              "training.enrollment, …)")


class KeyGroupIn(Schema):
    group: str = Field(max_length=24)
    start_date: dt.date
    end_date: dt.date | None = None
    source: str = Field("", description="evidence / source", max_length=200)


class UnmaskIn(Schema):
    reason: str = Field(description="why the whole number is needed (recorded in the audit "
                                    "trail); required", max_length=500)


class UnmaskOut(Schema):
    id: int
    id_number: str = Field(description="the whole ID number")


class ImportErrorOut(Schema):
    row: int = Field(description="row number as seen in the file (the header is row 1)")
    field: str
    message: str


class ImportReportOut(Schema):
    total_rows: int
    created: int
    updated: int
    unchanged: int = Field(description="rows matching an existing record exactly")
    skipped: int = Field(description="bad rows left out (only with skip_bad_rows)")
    written: bool = Field(description="false: the file had errors and nothing was written")
    errors: list[ImportErrorOut]


# --- reference data (public) --------------------------------------------------------------

@router.get("/regions", response=list[RegionOut], auth=PUBLIC, openapi_extra=PUBLIC_EXTRA,
            operation_id="registry_region_list", summary="Regions (地区)")
@paginate(Pagination)
def region_list(request, filters: Query[RegionFilter]):
    return selectors.region_list(actor=_actor(request), **filters.dict()).select_related(
        "parent")


@router.get("/regions/{code}", response={200: RegionOut, **error_responses(404)}, auth=PUBLIC,
            openapi_extra=PUBLIC_EXTRA, operation_id="registry_region_get")
def region_get(request, code: str):
    return selectors.region_get(actor=_actor(request), code=code)


@router.get("/skill-levels", response=list[SkillLevelOut], auth=PUBLIC,
            openapi_extra=PUBLIC_EXTRA, operation_id="registry_skill_level_list",
            summary="Skill levels (新八级工)")
@paginate(Pagination)
def skill_level_list(request):
    return selectors.skill_level_list(actor=_actor(request))


@router.get("/skill-levels/{code}", response={200: SkillLevelOut, **error_responses(404)},
            auth=PUBLIC, openapi_extra=PUBLIC_EXTRA, operation_id="registry_skill_level_get")
def skill_level_get(request, code: str):
    level = selectors.skill_level_list(actor=_actor(request)).filter(code=code).first()
    if level is None:
        raise NotFound()
    return level


@router.get("/occupations", response=list[OccupationOut], auth=PUBLIC,
            openapi_extra=PUBLIC_EXTRA, operation_id="registry_occupation_list",
            summary="Occupations (职业分类大典)")
@paginate(Pagination)
def occupation_list(request, filters: Query[OccupationFilter]):
    return selectors.occupation_list(actor=_actor(request), **filters.dict())


@router.get("/occupations/{occupation_id}",
            response={200: OccupationOut, **error_responses(404)}, auth=PUBLIC,
            openapi_extra=PUBLIC_EXTRA, operation_id="registry_occupation_get")
def occupation_get(request, occupation_id: int):
    return selectors.occupation_get(actor=_actor(request), pk=occupation_id)


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


# --- persons ------------------------------------------------------------------------------

@router.get("/persons", response={200: list[PersonOut], **error_responses(400)},
            operation_id="registry_person_list",
            summary="Persons (masked ID numbers)")
@paginate(Pagination)
def person_list(request, filters: Query[PersonFilter]):
    if selectors.is_whole_id_number(filters.q):
        raise DomainError(_("Whole ID numbers are not accepted in a URL, where they would be "
                            "logged: search with POST /api/registry/persons/search."),
                          field="q", code="id_number_in_url")
    return (selectors.person_list(actor=_actor(request), **filters.dict())
            .defer("id_encrypted", "id_hash").prefetch_related("key_groups"))


@router.post("/persons/search", response={200: list[PersonOut], **error_responses(400, 422)},
             operation_id="registry_person_search",
             summary="Find a person by whole ID number (in the body, never in a URL)")
def person_search(request, payload: PersonSearchIn):
    """The person with this ID number, if the caller may see them: one item, or none (a person
    outside the caller's scope answers exactly like an unknown number)."""
    return services.person_search_by_id_number(actor=_actor(request),
                                               id_number=payload.id_number,
                                               ip_address=_ip(request))


@router.get("/persons/{person_id}", response={200: PersonOut, **error_responses(404)},
            operation_id="registry_person_get")
def person_get(request, person_id: int):
    return selectors.person_get(actor=_actor(request), pk=person_id)


@router.post("/persons", response={201: PersonOut, **error_responses(400, 403, 409, 422)},
             operation_id="registry_person_register",
             summary="Register a person by resident ID number (GB 11643)")
def person_register(request, payload: PersonIn):
    actor = _actor(request)
    today = timezone.localdate()
    person = services.person_register(actor=actor, data=services.PersonInput(
        id_number=payload.id_number, name=payload.name,
        region=_region(actor, payload.region_code), phone=payload.phone,
        address=payload.address,
        key_groups=tuple((g.group, g.start_date or today) for g in payload.key_groups),
    ))
    return Status(201, selectors.person_get(actor=actor, pk=person.pk))


@router.post("/persons/{person_id}/key-groups",
             response={201: KeyGroupOut, **error_responses(400, 403, 404, 409, 422)},
             operation_id="registry_key_group_add")
def key_group_add(request, person_id: int, payload: KeyGroupIn):
    actor = _actor(request)
    person = selectors.person_get(actor=actor, pk=person_id)
    try:
        row = services.key_group_add(actor=actor, person=person, group=payload.group,
                                     start_date=payload.start_date,
                                     end_date=payload.end_date, source=payload.source)
    except IntegrityError:
        raise Conflict(_("This person is already in this key group from this date."),
                       field="group", code="duplicate") from None
    return Status(201, row)


@router.patch("/persons/{person_id}",
              response={200: PersonOut, **error_responses(400, 403, 404, 409, 422)},
              operation_id="registry_person_update",
              summary="Correct a person's name, phone, address or region (staff of their "
                      "region; audited with the reason)")
def person_update(request, person_id: int, payload: PersonPatch):
    """400: a field is invalid (named) or the reason is missing; 403: not staff governing the
    person's region (or the new one); 404: missing or out of scope; 409: the record was merged
    into another. Sending what is stored changes nothing and writes no audit event."""
    actor = _actor(request)
    person = selectors.person_get(actor=actor, pk=person_id)
    region = (_region(actor, payload.region_code) if payload.region_code is not None
              else None)
    services.person_update(actor=actor, person=person, reason=payload.reason,
                           changes=services.PersonChanges(name=payload.name,
                                                          phone=payload.phone,
                                                          address=payload.address,
                                                          region=region))
    return selectors.person_get(actor=actor, pk=person_id)


@router.post("/persons/{person_id}/merge",
             response={201: PersonMergeOut, **error_responses(400, 403, 404, 409, 422)},
             operation_id="registry_person_merge",
             summary="Merge this person (registered twice) into the record to keep (audited)")
def person_merge(request, person_id: int, payload: PersonMergeIn):
    """Everything attached to this person (key groups, enrollments, …) moves to `survivor_id`;
    this record is kept, marked merged. 400: the survivor is unknown or out of scope (field
    survivor), or the reason is missing; 403: not staff governing both regions; 404: this
    person is missing or out of scope; 409: either was already merged, or both are enrolled in
    the same class."""
    actor = _actor(request)
    duplicate = selectors.person_get(actor=actor, pk=person_id)
    try:
        survivor = selectors.person_get(actor=actor, pk=payload.survivor_id)
    except NotFound:
        raise DomainError(_("No such person."), field="survivor_id",
                          code="not_found") from None
    try:
        merge = services.person_merge(actor=actor, duplicate=duplicate, survivor=survivor,
                                      reason=payload.reason)
    except DomainError as bad:
        if bad.field == "survivor":
            bad.field = "survivor_id"
        raise
    return Status(201, merge)


@router.get("/persons/{person_id}/merges",
            response={200: list[PersonMergeOut], **error_responses(404)},
            operation_id="registry_person_merge_list",
            summary="Merges this person took part in (as duplicate or survivor)")
def person_merge_list(request, person_id: int):
    actor = _actor(request)
    person = selectors.person_get(actor=actor, pk=person_id)
    return list(selectors.person_merges(actor=actor, person=person))


@router.post("/persons/{person_id}/unmask",
             response={200: UnmaskOut, **error_responses(400, 403, 404, 422)},
             operation_id="registry_person_unmask",
             summary="The whole ID number (permission registry.unmask_id_number; audited)")
def person_unmask(request, person_id: int, payload: UnmaskIn):
    actor = _actor(request)
    person = selectors.person_get(actor=actor, pk=person_id)
    # The service checks the permission first (a refusal is audited), then the reason.
    number = services.person_unmask_id(actor=actor, person=person,
                                       reason=payload.reason.strip(), ip_address=_ip(request))
    return {"id": person.pk, "id_number": number}


# --- imports and exports ------------------------------------------------------------------

XLSX = exports.FORMATS["xlsx"]


def _binary(media_type: str, description: str) -> dict:
    return {"responses": {200: {"description": description, "content": {
        media_type: {"schema": {"type": "string", "format": "binary"}}}}}}


@router.post("/imports/{kind}",
             response={200: ImportReportOut, **error_responses(400, 403, 404, 413, 422)},
             operation_id="registry_import",
             summary="Import a CSV (UTF-8, UTF-8 with BOM, GBK) or .xlsx file of a registry")
def registry_import(request, kind: str, file: File[UploadedFile],
                    skip_bad_rows: Form[bool] = False, source: Form[str] = ""):
    """kind: regions, organizations, sites, persons, occupations (and any importer added
    later). A file with errors writes nothing (`written: false`, every bad row in `errors`)
    unless `skip_bad_rows` is true; re-importing the same file creates nothing new. `source`
    (where the file comes from) is required for occupations and ignored elsewhere."""
    check_file_size(file.size)  # before a byte is read (413)
    report = importers.run(actor=_actor(request), kind=kind, data=file.read(),
                           filename=file.name or "upload.csv", skip_bad_rows=skip_bad_rows,
                           source=source)
    return report.as_dict()


@router.get("/imports/{kind}/template.xlsx", response={404: ErrorOut},
            operation_id="registry_import_template",
            openapi_extra=_binary(XLSX, "xlsx template: header row, an example row, and a "
                                        "sheet 说明 describing the columns"))
def registry_import_template(request, kind: str):
    importer = importers.get_importer(kind)
    response = HttpResponse(importer.template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.xlsx"'
    return response


class ExportJobOut(Schema):
    """A large export became a background job: follow `status_url` until it has succeeded,
    then fetch its `download_url` (GET /api/jobs/{job_id})."""

    job_id: int
    status: str = Field(description="queued | running | succeeded | failed")
    total: int | None = Field(description="rows to export")
    status_url: str = Field(description="API address of the job")
    page_url: str = Field(description="the job's web page")


def _export(request, kind: str, fmt: str):
    export = exports.export_request(actor=_actor(request), kind=kind, fmt=fmt,
                                    ip_address=_ip(request))
    if not isinstance(export, exports.ExportFile):  # above the inline limit: a job
        return Status(202, ExportJobOut(
            job_id=export.pk, status=export.status, total=export.total,
            status_url=reverse("api:jobs_job_get", args=[export.pk]),
            page_url=reverse("jobs:job_detail", args=[export.pk])))
    response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


EXPORT_RESPONSES = {202: ExportJobOut, 404: ErrorOut}


@router.get("/exports/{kind}.csv", response=EXPORT_RESPONSES,
            operation_id="registry_export_csv",
            openapi_extra=_binary("text/csv", "CSV, UTF-8 with BOM, Chinese headers"))
def registry_export_csv(request, kind: str):
    return _export(request, kind, "csv")


@router.get("/exports/{kind}.xlsx", response=EXPORT_RESPONSES,
            operation_id="registry_export_xlsx",
            openapi_extra=_binary(XLSX, "Excel workbook, Chinese headers"))
def registry_export_xlsx(request, kind: str):
    return _export(request, kind, "xlsx")
