"""Persons (masked ID numbers): the list, the search by whole ID number (in the body), one,
registering, key groups, corrections, merges, and the audited unmask."""

import datetime as dt

from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status
from ninja.pagination import paginate

from jineng.core.api import InRegion, Pagination, error_responses
from jineng.core.errors import Conflict, DomainError, NotFound
from jineng.registry import selectors, services
from jineng.registry.api.common import _actor, _ip, _region, router

# --- schemas ------------------------------------------------------------------------------

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
