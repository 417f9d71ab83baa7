"""The demand API: wage guidance (工资指导价位). The published cells are public (rate-limited
per address); a suppressed cell carries its count and no figures. HRSS staff also read their
region's computed cells, compute a year from a wage-survey file and publish it."""

import datetime as dt

from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from jineng.core import ratelimit
from jineng.core.api import (
    KIB,
    PUBLIC_SECURITY,
    Pagination,
    body_limit,
    error_responses,
    public_auth,
)
from jineng.core.errors import DomainError
from jineng.core.tabular import check_file_size
from jineng.demand import selectors, services

router = Router(tags=["demand"])
E = error_responses
PUBLIC = {"auth": public_auth(), "openapi_extra": {"security": PUBLIC_SECURITY}}
RATE_SCOPE, RATE_LIMIT, RATE_WINDOW = "demand.wages.address", 300, dt.timedelta(hours=1)


class Throttled(DomainError):
    status = 429

    def __init__(self) -> None:
        super().__init__(_("Too many requests; try again later."), code="throttled")


class CellOut(Schema):
    year: int
    city_code: str
    city: str
    occupation_code: str
    occupation: str
    level: str | None
    people: int
    suppressed: bool
    p10: int | None
    p50: int | None
    p90: int | None
    published: bool

    @staticmethod
    def resolve_city_code(obj) -> str:
        return obj.city.code

    @staticmethod
    def resolve_city(obj) -> str:
        return obj.city.name

    @staticmethod
    def resolve_occupation_code(obj) -> str:
        return obj.occupation.code

    @staticmethod
    def resolve_occupation(obj) -> str:
        return obj.occupation.name

    @staticmethod
    def resolve_level(obj) -> str | None:
        return obj.level.code if obj.level_id else None

    @staticmethod
    def resolve_published(obj) -> bool:
        return obj.published_at is not None


@router.get("/wage-guidance", response={200: list[CellOut], **E(429)},
            operation_id="demand_wage_guidance_list", **PUBLIC)
@paginate(Pagination)
def wage_guidance_list(request, year: int | None = None, city_code: str | None = None,
                       occupation_code: str | None = None):
    """Wage guidance cells (P10/P50/P90 monthly wages, yuan; nearest-rank percentiles). The
    public reads published cells; 429 when one address asks too often."""
    decision = ratelimit.hit(RATE_SCOPE, ratelimit.request_address(request),
                             limit=RATE_LIMIT, window=RATE_WINDOW)
    if not decision.allowed:
        raise Throttled()
    return selectors.wage_guidance_list(actor=request.auth, year=year,
                                        city_code=(city_code or "")[:12],
                                        occupation_code=(occupation_code or "")[:20])


class ImportOut(Schema):
    report: dict
    result: dict | None


@router.post("/wage-guidance/import", response={200: ImportOut, **E(400, 403, 409, 413, 422)},
             operation_id="demand_wage_guidance_import")
@body_limit(20 * 1024 * KIB)
def wage_guidance_import(request, year: Form[int], source: Form[str],
                         file: File[UploadedFile], min_people: Form[int] = 10,
                         skip_bad_rows: Form[bool] = False):
    """Compute a year's cells from a wage-survey file (.csv/.xlsx; columns 人员编号, 职业编码,
    技能等级, 城市代码, 月份, 月缴费工资（元）). With bad rows nothing is written unless
    skip_bad_rows; the report names each row and field."""
    check_file_size(file.size)
    report, result = services.wage_rows_import(
        actor=request.auth, year=year, data=file.read(), filename=file.name or "",
        source=source, min_people=min_people, skip_bad_rows=skip_bad_rows)
    return {"report": report.as_dict(), "result": result}


class PublishIn(Schema):
    year: int


class PublishOut(Schema):
    published: int


@router.post("/wage-guidance/publish", response={200: PublishOut, **E(400, 403, 422)},
             operation_id="demand_wage_guidance_publish")
@body_limit(1 * KIB)
def wage_guidance_publish(request, payload: PublishIn):
    """Publish the year's computed cells of the caller's region."""
    return {"published": services.wage_guidance_publish(actor=request.auth,
                                                        year=payload.year)}


class WageFromRecordsIn(Schema):
    year: int
    min_people: int = 10


class WageFromRecordsOut(Schema):
    year: int
    cells: int
    replaced: int
    suppressed: int
    min_people: int
    source: str


@router.post("/wage-guidance/from-records",
             response={200: WageFromRecordsOut, **E(400, 403, 409, 422)},
             operation_id="demand_wage_guidance_from_records")
@body_limit(1 * KIB)
def wage_guidance_from_records(request, payload: WageFromRecordsIn):
    """Compute the year's cells of the caller's region from the social-insurance contribution
    months of persons whose occupation and level a skill-level certificate names."""
    return services.wage_guidance_from_records(actor=request.auth, year=payload.year,
                                               min_people=payload.min_people)
