"""The demand API: enterprise demand lists (企业需求清单) and Guizhou's 四张清单.

An enterprise's system opens its list of a quarter (idempotent), adds lines (one by one or as
a file, with a per-row report) and submits it; HRSS staff of the list's region return or accept
it. A list outside the caller's scope answers 404 like a missing one."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from jineng.core.api import KIB, Pagination, body_limit, error_responses
from jineng.core.errors import DomainError
from jineng.core.scoping import scope_of
from jineng.core.tabular import check_file_size
from jineng.demand import selectors, services
from jineng.demand.choices import DemandListStatus
from jineng.demand.rules import demand_lists as rules
from jineng.registry import selectors as registry_selectors

router = Router(tags=["demand"])


class DemandLineOut(Schema):
    id: int
    occupation_id: int
    occupation: str = Field(alias="occupation.name")
    level: str | None = Field(None, description="skill-level code, e.g. grade5; empty: any")
    headcount: int
    needed_by: dt.date
    order_class_wanted: bool
    wage_min: int | None
    wage_max: int | None

    @staticmethod
    def resolve_level(obj) -> str | None:
        return obj.level.code if obj.level_id else None


class DemandListOut(Schema):
    id: int
    organization_id: int
    enterprise: str = Field(alias="organization.name")
    alliance_name: str
    region_code: str = Field(alias="region.code")
    sector: str
    year: int
    quarter: int
    status: str = Field(description=", ".join(DemandListStatus.values))
    contact_name: str
    contact_phone: str
    note: str
    created_at: dt.datetime


class DemandListRowOut(DemandListOut):
    line_count: int = 0
    people: int | None = 0


class DemandListHistoryOut(Schema):
    action: str
    from_status: str
    to_status: str
    at: dt.datetime
    actor_username: str
    reason: str


class DemandListDetailOut(DemandListOut):
    lines: list[DemandLineOut]
    actions: list[str] = Field(description="the steps the caller may take now")
    history: list[DemandListHistoryOut]

    @staticmethod
    def resolve_lines(obj) -> list:
        return obj.lines_out

    @staticmethod
    def resolve_history(obj) -> list:
        return obj.history_out


def _detail(actor, pk: int):
    row = selectors.demand_list_get(actor=actor, pk=pk)
    row.lines_out = list(selectors.demand_line_list(actor=actor, demand_list=row))
    row.actions = rules.available_actions(row.status, services.demand_list_kinds(actor, row))
    row.history_out = list(selectors.demand_list_history(actor=actor, demand_list=row))
    return row


@router.get("/demand-lists", response=list[DemandListRowOut], operation_id="demand_list_list")
@paginate(Pagination)
def demand_list_list(request, year: int | None = None, quarter: int | None = None,
                     status: str | None = None, region_code: str | None = None,
                     sector: str | None = None, q: str | None = None):
    """Lists the caller may see (an enterprise its own; HRSS staff their region's; industry
    departments their region's lists of their sector), newest quarter first."""
    return selectors.demand_list_list(actor=request.auth, filters=selectors.DemandListFilters(
        year=year, quarter=quarter,
        status=status if status in DemandListStatus.values else "",
        region_code=(region_code or "").strip()[:12], sector=(sector or "")[:30],
        q=(q or "")[:100]))


@router.get("/demand-lists/awaiting-review", response=list[DemandListRowOut],
            operation_id="demand_list_review_queue")
@paginate(Pagination)
def demand_list_review_queue(request):
    """Submitted lists of the caller's region waiting for review (HRSS staff; empty for
    others), oldest first."""
    return selectors.demand_lists_awaiting_review(actor=request.auth)


class DemandFourListsOut(Schema):
    region_code: str
    year: int
    quarter: int
    demand: list[dict]
    training: list[dict]
    evaluation: list[dict]
    employment: list[dict]


@router.get("/four-lists", response={200: DemandFourListsOut, **error_responses(400, 404)},
            operation_id="demand_four_lists")
def four_lists(request, region_code: str | None = None, year: int | None = None,
               quarter: int | None = None):
    """Guizhou's 四张清单 of a region and quarter (default: the caller's region, this quarter):
    demand, training, evaluation and employment lists. Staff only; a region outside the
    caller's answers 404."""
    actor = request.auth
    default_year, default_quarter = rules.quarter_of(timezone.localdate())
    year, quarter = year or default_year, quarter or default_quarter
    if not (2000 <= year <= 2100 and 1 <= quarter <= 4):
        raise DomainError(_("Not a quarter: the year is 2000–2100 and the quarter 1–4."),
                          field="quarter", code="quarter_invalid")
    code = (region_code or "").strip()[:12] or (scope_of(actor).region_prefix or "")
    lists = selectors.four_lists(actor=actor, region_code=code.ljust(6, "0") if code else "",
                                 year=year, quarter=quarter)
    return {"region_code": lists.region_code, "year": year, "quarter": quarter,
            "demand": lists.demand, "training": lists.training,
            "evaluation": lists.evaluation, "employment": lists.employment}


@router.get("/demand-lists/{list_id}", response={200: DemandListDetailOut, **error_responses(404)},
            operation_id="demand_list_get")
def demand_list_get(request, list_id: int):
    return _detail(request.auth, list_id)


class DemandListIn(Schema):
    year: int = Field(ge=2000, le=2100)
    quarter: int = Field(ge=1, le=4)
    alliance_name: str = Field("", max_length=100, description="就业培训联盟: the alliance's "
                                                              "name when its lead enterprise "
                                                              "files for it")
    sector: str = Field("", max_length=30)
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20)
    note: str = Field("", max_length=2000)


def _list_input(payload: DemandListIn) -> services.DemandListInput:
    return services.DemandListInput(**payload.model_dump())


@router.post("/demand-lists", response={201: DemandListDetailOut, 200: DemandListDetailOut,
                                        **error_responses(400, 403, 409, 422)},
             operation_id="demand_list_create")
@body_limit(8 * KIB)
def demand_list_create(request, payload: DemandListIn):
    """Open the caller's (an enterprise's) list of a quarter. 201: opened; 200: it was open
    already (the same quarter answers the same list); 409: opened with another alliance or
    sector."""
    actor = request.auth
    row, created = services.demand_list_create(actor=actor, data=_list_input(payload))
    return Status(201 if created else 200, _detail(actor, row.pk))


@router.put("/demand-lists/{list_id}", response={200: DemandListDetailOut,
                                                 **error_responses(400, 403, 404, 422)},
            operation_id="demand_list_update")
@body_limit(8 * KIB)
def demand_list_update(request, list_id: int, payload: DemandListIn):
    """Change a draft or returned list's alliance, sector, contact and note (year and quarter
    stay)."""
    actor = request.auth
    row = selectors.demand_list_get(actor=actor, pk=list_id)
    data = _list_input(payload)
    services.demand_list_update(actor=actor, demand_list=row, data=data)
    return _detail(actor, list_id)


class DemandLineIn(Schema):
    occupation_id: int = Field(ge=1, le=2**31 - 1)
    level: str | None = Field(None, max_length=30, description="skill-level code; empty: any")
    headcount: int = Field(ge=1, le=100000)
    needed_by: dt.date = Field(description="a day of the list's quarter, not in the past")
    order_class_wanted: bool = False
    wage_min: int | None = Field(None, ge=1, le=200000, description="monthly, yuan")
    wage_max: int | None = Field(None, ge=1, le=200000, description="monthly, yuan")


def _line_input(actor, payload: DemandLineIn) -> services.DemandLineInput:
    occupation = registry_selectors.occupation_list(actor=actor).filter(
        pk=payload.occupation_id).first()
    if occupation is None:
        raise DomainError(_("Unknown occupation."), field="occupation_id", code="unknown")
    level = None
    if payload.level:
        level = registry_selectors.skill_level_list(actor=actor).filter(
            code=payload.level.strip()).first()
        if level is None:
            raise DomainError(_("Unknown skill level."), field="level", code="unknown")
    return services.DemandLineInput(
        occupation=occupation, level=level, headcount=payload.headcount,
        needed_by=payload.needed_by, order_class_wanted=payload.order_class_wanted,
        wage_min=payload.wage_min, wage_max=payload.wage_max)


@router.post("/demand-lists/{list_id}/lines",
             response={201: DemandLineOut, **error_responses(400, 403, 404, 409, 422)},
             operation_id="demand_line_add")
@body_limit(8 * KIB)
def demand_line_add(request, list_id: int, payload: DemandLineIn):
    """Add a line (occupation × level) to a draft or returned list; 409: the list has that
    occupation and level already."""
    actor = request.auth
    row = selectors.demand_list_get(actor=actor, pk=list_id)
    line = services.demand_line_add(actor=actor, demand_list=row,
                                    data=_line_input(actor, payload))
    return Status(201, selectors.demand_line_get(actor=actor, pk=line.pk))


@router.put("/demand-list-lines/{line_id}",
            response={200: DemandLineOut, **error_responses(400, 403, 404, 409, 422)},
            operation_id="demand_line_update")
@body_limit(8 * KIB)
def demand_line_update(request, line_id: int, payload: DemandLineIn):
    actor = request.auth
    line = selectors.demand_line_get(actor=actor, pk=line_id)
    services.demand_line_update(actor=actor, line=line, data=_line_input(actor, payload))
    return selectors.demand_line_get(actor=actor, pk=line_id)


@router.delete("/demand-list-lines/{line_id}",
               response={204: None, **error_responses(400, 403, 404)},
               operation_id="demand_line_remove")
def demand_line_remove(request, line_id: int):
    actor = request.auth
    services.demand_line_remove(actor=actor,
                                line=selectors.demand_line_get(actor=actor, pk=line_id))
    return Status(204, None)


class DemandListTransitionIn(Schema):
    action: str = Field(max_length=20, description="submit (the enterprise), return or accept "
                                                   "(HRSS staff of the region)")
    reason: str = Field("", max_length=2000, description="required to return")


@router.post("/demand-lists/{list_id}/actions",
             response={200: DemandListDetailOut, **error_responses(400, 403, 404, 422)},
             operation_id="demand_list_transition")
@body_limit(8 * KIB)
def demand_list_transition(request, list_id: int, payload: DemandListTransitionIn):
    """403: not the caller's step; 400: not possible now, a reason missing, no lines."""
    actor = request.auth
    row = selectors.demand_list_get(actor=actor, pk=list_id)
    services.demand_list_transition(actor=actor, demand_list=row, action=payload.action,
                                    reason=payload.reason)
    return _detail(actor, list_id)


class DemandLineRowErrorOut(Schema):
    row: int
    field: str
    message: str


class DemandLineImportReportOut(Schema):
    total_rows: int
    created: int = Field(description="lines added now")
    updated: int
    unchanged: int = Field(description="already in the list (or repeated) with the same "
                                       "content")
    skipped: int
    written: bool
    errors: list[DemandLineRowErrorOut]


@router.post("/demand-lists/{list_id}/import",
             response={200: DemandLineImportReportOut, **error_responses(400, 403, 404, 413, 422)},
             operation_id="demand_lines_import")
def demand_lines_import(request, list_id: int, file: File[UploadedFile],
                        skip_bad_rows: Form[bool] = False):
    """A CSV or .xlsx file of lines (the template's columns); every bad row is answered in
    `errors`, and nothing is written from a file with errors unless `skip_bad_rows`."""
    check_file_size(file.size)
    actor = request.auth
    row = selectors.demand_list_get(actor=actor, pk=list_id)
    return services.demand_lines_import(actor=actor, demand_list=row, file=file,
                                        skip_bad_rows=skip_bad_rows).as_dict()
