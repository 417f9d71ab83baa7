"""The 30-minute circle's API: the public summary (anonymous, rate-limited: shares per county of
the latest run), and for HRSS staff of a region the population and travel-time imports, coverage
runs (background jobs) with their shares, gaps and axis check, and placement proposals with
their export. A run or proposal outside the caller's region answers 404 like a missing one."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from jineng.core import ratelimit
from jineng.core.api import PUBLIC_SECURITY, ErrorOut, error_responses, public_auth
from jineng.core.tabular import check_file_size
from jineng.portal.selectors import coverage as selectors
from jineng.portal.services import coverage as imports
from jineng.portal.services import coverage_jobs as jobs

router = Router(tags=["portal"])

PUBLIC = {"auth": public_auth(), "openapi_extra": {"security": PUBLIC_SECURITY}}
PUBLIC_SCOPE = "portal.coverage.api"
PUBLIC_LIMIT, PUBLIC_WINDOW = 120, dt.timedelta(minutes=1)
MAX_GAPS = 500


class CoverageShareOut(Schema):
    code: str
    name: str
    population: int
    covered: int
    share: float | None = Field(description="covered ÷ population (0–1), 4 decimals")
    areas: int
    gaps: int = Field(description="areas beyond the threshold")


class CoverageSummaryOut(Schema):
    computed: bool = Field(description="false before the first run: the other fields are empty")
    region_code: str = ""
    region_name: str = ""
    year: int | None = None
    threshold_minutes: int | None = None
    mode: str = ""
    population: int = 0
    covered: int = 0
    share: float | None = None
    synthetic: bool = Field(False, description="true: the population is synthetic (demo), "
                                               "not real")
    computed_at: dt.datetime | None = None
    counties: list[CoverageShareOut] = []


class CoverageImportRowOut(Schema):
    row: int
    field: str
    message: str


class CoverageImportReportOut(Schema):
    total_rows: int
    created: int
    updated: int
    unchanged: int
    skipped: int
    written: bool
    errors: list[CoverageImportRowOut]


class CoverageRunIn(Schema):
    region: str = Field(max_length=12, description="a province, city or county code you govern")
    year: int | None = Field(None, ge=1950, le=2100,
                             description="population year (default: the latest imported)")
    threshold_minutes: int = Field(30, ge=5, le=180)
    mode: str = Field("drive", max_length=10, description="drive, bus, ebike or walk")


class CoverageJobOut(Schema):
    job_id: int
    status: str = Field(description="queued | running | succeeded | failed")
    status_url: str = Field(description="API address of the job")
    page_url: str = Field(description="the job's web page")


class CoverageRunOut(Schema):
    id: int
    region_code: str
    region_name: str
    year: int
    threshold_minutes: int
    mode: str
    parameters_version: str
    areas: int
    sites: int
    population: int
    covered: int
    share: float | None
    synthetic: bool
    started_at: dt.datetime
    finished_at: dt.datetime | None


class CoverageGapOut(Schema):
    code: str
    name: str
    county: str
    lon: float
    lat: float
    population: int
    minutes: float | None = Field(description="to the nearest site; null: none within 300 km")


class CoverageAxisOut(Schema):
    code: str
    name: str
    county: str
    designation: str = Field(description="county_seat, central_town or key_village")
    minutes: float | None
    covered: bool


class CoverageRunDetailOut(CoverageRunOut):
    parameters: dict
    sources: list[dict]
    counties: list[CoverageShareOut]
    towns: list[CoverageShareOut]
    gaps: list[CoverageGapOut] = Field(description=f"farthest first, at most {MAX_GAPS}")
    gap_count: int
    axis: list[CoverageAxisOut]


class PlacementCandidateIn(Schema):
    area_code: str = Field("", max_length=20, description="an area of the run's region")
    name: str = Field("", max_length=100)
    longitude: float | None = None
    latitude: float | None = None


class PlacementIn(Schema):
    k: int = Field(ge=1, le=500, description="number of new sites")
    candidates: list[PlacementCandidateIn] | None = Field(
        None, max_length=20_000, description="candidate places (default: the centre of every "
                                             "populated area of the run)")


class PlacementChoiceOut(Schema):
    rank: int
    name: str
    area_code: str
    lon: float
    lat: float
    gain: int = Field(description="population newly covered by this choice, given those before")
    cumulative: int


class PlacementOut(Schema):
    id: int
    run_id: int
    k: int
    candidates: int
    candidate_source: str
    solver_status: str = Field(description="optimal, time_limit (best found) or trivial")
    uncovered_before: int
    newly_covered: int
    choices: list[PlacementChoiceOut]
    created_at: dt.datetime


def _run_out(run) -> dict:
    return {"id": run.pk, "region_code": run.region.code, "region_name": run.region.name,
            "year": run.year, "threshold_minutes": run.threshold_minutes, "mode": run.mode,
            "parameters_version": (run.parameters or {}).get("version", ""),
            "areas": run.areas, "sites": run.sites, "population": run.population,
            "covered": run.covered, "share": run.share, "synthetic": run.synthetic,
            "started_at": run.started_at, "finished_at": run.finished_at}


def _job(job) -> Status:
    return Status(202, {"job_id": job.pk, "status": job.status,
                        "status_url": reverse("api:jobs_job_get", args=[job.pk]),
                        "page_url": reverse("jobs:job_detail", args=[job.pk])})


def _ip(request) -> str | None:
    return ratelimit.request_address(request) or None


@router.get("/coverage/summary",
            response={200: CoverageSummaryOut, 429: ErrorOut},
            **PUBLIC, operation_id="portal_coverage_summary", url_name="portal_coverage_summary",
            summary="The 30-minute training circle: share of the population within reach of a "
                    "training site, per county (latest run)")
def coverage_summary(request, response: HttpResponse):
    decision = ratelimit.hit(PUBLIC_SCOPE, ratelimit.request_address(request),
                             limit=PUBLIC_LIMIT, window=PUBLIC_WINDOW, ip_address=_ip(request))
    if not decision.allowed:
        response["Retry-After"] = str(decision.retry_after)
        return Status(429, {"detail": [{"field": "", "code": "throttled", "message": _(
            "Too many requests; try again in %(n)s seconds.") % {"n": decision.retry_after}}]})
    run = selectors.public_coverage_summary()
    if run is None:
        return {"computed": False}
    return {"computed": True, "region_code": run.region.code,
            "region_name": run.region.name, "year": run.year,
            "threshold_minutes": run.threshold_minutes, "mode": run.mode,
            "population": run.population, "covered": run.covered, "share": run.share,
            "synthetic": run.synthetic, "computed_at": run.finished_at,
            "counties": run.counties}


@router.post("/coverage/population/import",
             response={200: CoverageImportReportOut, **error_responses(400, 403, 409, 413)},
             operation_id="portal_population_import")
def population_import(request, file: File[UploadedFile], skip_bad_rows: Form[bool] = False):
    """Population by area (CSV or .xlsx; columns in docs/portal.md, Coverage). Every bad row is
    answered in `errors`; nothing is written from a file with errors unless `skip_bad_rows`. A
    file sent twice counts once; another count for the same area and year is a row conflict
    unless the row is marked a correction (更正 = 是)."""
    check_file_size(file.size)
    return imports.population_import(actor=request.auth, file=file,
                                     skip_bad_rows=skip_bad_rows).as_dict()


@router.post("/coverage/travel-times/import",
             response={200: CoverageImportReportOut, **error_responses(400, 403, 409, 413)},
             operation_id="portal_travel_time_import")
def travel_time_import(request, file: File[UploadedFile], skip_bad_rows: Form[bool] = False):
    """A routing engine's travel times: area code × training site id → minutes, with the mode
    and the source. Where an area has them, they replace the straight-line model."""
    check_file_size(file.size)
    return imports.travel_matrix_import(actor=request.auth, file=file,
                                        skip_bad_rows=skip_bad_rows).as_dict()


@router.post("/coverage/runs", response={202: CoverageJobOut, **error_responses(400, 403, 404)},
             operation_id="portal_coverage_run_start")
def coverage_run_start(request, payload: CoverageRunIn):
    """Start computing the coverage of a region (a background job; the same run asked twice
    while pending is one job)."""
    job = jobs.coverage_run_start(actor=request.auth, region_code=payload.region,
                                  year=payload.year,
                                  threshold_minutes=payload.threshold_minutes,
                                  mode=payload.mode, ip_address=_ip(request))
    return _job(job)


class CoverageRunFilter(Schema):
    region: str = Field("", max_length=12)


@router.get("/coverage/runs", response={200: list[CoverageRunOut], **error_responses(403)},
            operation_id="portal_coverage_run_list")
def coverage_run_list(request, filters: Query[CoverageRunFilter]):
    """Coverage runs in your region, newest first (at most 100)."""
    runs = selectors.coverage_run_list(actor=request.auth, region_code=filters.region or None)
    return [_run_out(r) for r in runs[:100]]


@router.get("/coverage/runs/{run_id}", response={200: CoverageRunDetailOut, **error_responses(404)},
            operation_id="portal_coverage_run_get")
def coverage_run_get(request, run_id: int):
    run = selectors.coverage_run_get(actor=request.auth, pk=run_id)
    return {**_run_out(run), "parameters": run.parameters, "sources": run.sources,
            "counties": run.counties, "towns": run.towns, "gaps": run.gaps[:MAX_GAPS],
            "gap_count": len(run.gaps), "axis": run.axis}


@router.post("/coverage/runs/{run_id}/placements",
             response={202: CoverageJobOut, **error_responses(400, 403, 404)},
             operation_id="portal_placement_start")
def placement_start(request, run_id: int, payload: PlacementIn):
    """Choose `k` new sites among the candidates to cover the most population the run left
    beyond its threshold (a background job)."""
    run = selectors.coverage_run_get(actor=request.auth, pk=run_id)
    candidates = None if payload.candidates is None else [
        c.model_dump(exclude_none=True) for c in payload.candidates]
    job = jobs.placement_start(actor=request.auth, run=run, k=payload.k,
                               candidates=candidates, ip_address=_ip(request))
    return _job(job)


@router.get("/coverage/placements/{proposal_id}",
            response={200: PlacementOut, **error_responses(404)},
            operation_id="portal_placement_get")
def placement_get(request, proposal_id: int):
    p = selectors.placement_get(actor=request.auth, pk=proposal_id)
    return {"id": p.pk, "run_id": p.run_id, "k": p.k, "candidates": p.candidates,
            "candidate_source": p.candidate_source, "solver_status": p.solver_status,
            "uncovered_before": p.uncovered_before, "newly_covered": p.newly_covered,
            "choices": p.choices, "created_at": p.created_at}


@router.get("/coverage/placements/{proposal_id}/export.xlsx",
            response={200: None, **error_responses(404)},
            operation_id="portal_placement_export")
def placement_export(request, proposal_id: int):
    """The proposal as an Excel workbook (codes as text)."""
    p = selectors.placement_get(actor=request.auth, pk=proposal_id)
    data = selectors.placement_export(actor=request.auth, proposal=p)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument."
                                               "spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="placement-{p.pk}.xlsx"'
    return response
