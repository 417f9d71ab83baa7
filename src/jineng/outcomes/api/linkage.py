"""Outcomes API: record linkage. Rows that arrived without a valid ID number, the person the
linker proposes for each (match weight, probability, the level each field reached), and the
staff decisions on them. HRSS staff with person access of the link's region; out of scope
answers 404 like a missing link."""

import datetime as dt

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from jineng.core.api import KIB, Pagination, body_limit, error_responses
from jineng.outcomes.choices import LinkStatus
from jineng.outcomes.selectors import linkage as selectors
from jineng.outcomes.services import linkage as services

router = Router()


class OutcomeLinkOut(Schema):
    id: int
    kind: str
    import_id: int = Field(alias="source_import_id")
    row_number: int
    reason: str = Field(description="missing or invalid (the ID number's check failed)")
    name: str
    birth_date: dt.date | None
    region_code: str = Field(alias="region.code")
    id_given_masked: str
    status: str = Field(description=", ".join(LinkStatus.values))
    candidate_id: int | None
    candidate_name: str | None = None
    candidate_id_masked: str | None = None
    match_weight: float | None
    match_probability: float | None
    comparison: dict = Field(description="level each field reached: name (exact, pinyin, "
                                         "similar, different), birth_date (exact, typo, "
                                         "same_month_or_swapped, different), region (county, "
                                         "city, different), id_digits (region_and_sequence, "
                                         "sequence, region, neither); missing when absent")
    decided_at: dt.datetime | None
    decision_reason: str
    created_at: dt.datetime

    @staticmethod
    def resolve_candidate_name(obj) -> str | None:
        return obj.candidate.name if obj.candidate_id else None

    @staticmethod
    def resolve_candidate_id_masked(obj) -> str | None:
        return obj.candidate.id_masked if obj.candidate_id else None


class OutcomeLinkDetailOut(OutcomeLinkOut):
    payload: dict = Field(description="the row's fields, written once the person is known")


@router.get("/links", response=list[OutcomeLinkOut], operation_id="outcomes_link_list")
@paginate(Pagination)
def link_list(request, status: str | None = None, region_code: str | None = None,
              import_id: int | None = None):
    """Links the caller sees, awaiting ones first, most probable first."""
    return selectors.link_list(actor=request.auth, status=(status or "")[:12],
                               region_code=(region_code or "")[:12], import_id=import_id)


@router.get("/links/{int:link_id}", response={200: OutcomeLinkDetailOut, **error_responses(404)},
            operation_id="outcomes_link_get")
def link_get(request, link_id: int):
    return selectors.link_get(actor=request.auth, pk=link_id)


class OutcomeLinkConfirmIn(Schema):
    reason: str = Field(max_length=2000)
    person_id: int | None = Field(None, description="another person than the candidate")
    id_number: str = Field("", max_length=20, description="or the ID number of the person, "
                                                          "from a document (the lookup is "
                                                          "audited)")


class OutcomeLinkDecisionIn(Schema):
    reason: str = Field(max_length=2000)


@router.post("/links/{int:link_id}/confirm",
             response={200: OutcomeLinkDetailOut, **error_responses(400, 403, 404, 409)},
             operation_id="outcomes_link_confirm")
@body_limit(8 * KIB)
def link_confirm(request, link_id: int, payload: OutcomeLinkConfirmIn):
    """Confirm the proposed person (or name another): the record is written."""
    services.link_confirm(actor=request.auth, link_id=link_id, person_id=payload.person_id,
                          id_number=payload.id_number, reason=payload.reason)
    return selectors.link_get(actor=request.auth, pk=link_id)


@router.post("/links/{int:link_id}/reject",
             response={200: OutcomeLinkDetailOut, **error_responses(400, 403, 404, 409)},
             operation_id="outcomes_link_reject")
@body_limit(8 * KIB)
def link_reject(request, link_id: int, payload: OutcomeLinkDecisionIn):
    services.link_reject(actor=request.auth, link_id=link_id, reason=payload.reason)
    return selectors.link_get(actor=request.auth, pk=link_id)


@router.post("/links/{int:link_id}/reopen",
             response={200: OutcomeLinkDetailOut, **error_responses(400, 403, 404, 409)},
             operation_id="outcomes_link_reopen")
@body_limit(8 * KIB)
def link_reopen(request, link_id: int, payload: OutcomeLinkDecisionIn):
    """Undo a decision: the record it wrote is removed, the row waits again."""
    services.link_reopen(actor=request.auth, link_id=link_id, reason=payload.reason)
    return selectors.link_get(actor=request.auth, pk=link_id)


class OutcomeLinkRunIn(Schema):
    import_id: int | None = None
    retry_unmatched: bool = False


class OutcomeLinkRunOut(Schema):
    proposed: int
    linked: int
    pending: int
    unmatched: int
    job_id: int | None = Field(None, description="set when the run went to the background "
                                                 "(10,000 rows or more): see /api/jobs/{id}")


@router.post("/links/run", response={200: OutcomeLinkRunOut, **error_responses(403, 404)},
             operation_id="outcomes_link_run")
@body_limit(4 * KIB)
def link_run(request, payload: OutcomeLinkRunIn):
    """Run the linker over the caller's region's rows still without a candidate."""
    return services.link_run_start(actor=request.auth, source_import_id=payload.import_id,
                                   retry_unmatched=payload.retry_unmatched)
