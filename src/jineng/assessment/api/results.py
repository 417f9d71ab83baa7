"""Results of a sitting by API: read them, send them as JSON rows (PUT or POST, the same
operation), or upload the results file. A refused row names its index and field
(`rows[2].theory_score`); nothing is written from a request with a bad row."""

from __future__ import annotations

from decimal import Decimal

from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from jineng.assessment import selectors, services
from jineng.core.api import MIB, ErrorItem, ErrorOut, body_limit, error_responses
from jineng.core.tabular import check_file_size

router = Router(tags=["assessment"])


class CandidateResultOut(Schema):
    candidate_id: int
    person_id: int
    name: str
    id_masked: str
    theory_score: Decimal | None
    practical_score: Decimal | None
    absent: bool
    passed: bool | None = Field(description="null: no result yet")
    entered: bool
    explanation: str = Field(description="the result and each part against its pass mark")


class ResultsOut(Schema):
    sitting_id: int
    status: str
    theory_pass_mark: Decimal | None = Field(description="null: theory is not examined")
    practical_pass_mark: Decimal | None = Field(description="null: practical not examined")
    may_enter: bool = Field(description="the caller may enter or correct results now")
    candidates: list[CandidateResultOut]


class ResultIn(Schema):
    candidate_id: int | None = Field(None, description="the candidate's number, or")
    id_number: str = Field("", max_length=20,
                           description="the candidate's whole ID number (18 or 15 characters)")
    theory_score: Decimal | None = Field(None, description="0–100, two decimal places at most")
    practical_score: Decimal | None = Field(None, description="0–100, two places at most")
    absent: bool = Field(False, description="缺考: no scores, not passed")


class ResultsIn(Schema):
    rows: list[ResultIn] = Field(max_length=20_000)
    reason: str = Field("", max_length=500,
                        description="why entered results are corrected (kept in the audit)")


class RowErrorOut(Schema):
    row: int = Field(description="1 for the first row of the request or the file's header+1")
    field: str
    code: str
    message: str


class ResultReportOut(Schema):
    total_rows: int
    created: int = Field(description="results entered for the first time")
    updated: int = Field(description="results corrected")
    unchanged: int = Field(description="the same result sent again (counts once)")
    written: bool
    status: str = Field(description="the sitting's status afterwards")
    moved_to_results: bool = Field(description="every candidate now has a result")
    errors: list[RowErrorOut]


class ResultsRefusedOut(ErrorOut):
    """The error body; `detail` names each bad row as rows[index].field, `rows` lists them
    with their row number."""

    rows: list[RowErrorOut] = Field(default_factory=list)


def _candidate(row: selectors.ResultRow) -> dict:
    c = row.candidate
    return {"candidate_id": c.pk, "person_id": c.person_id, "name": c.person.name,
            "id_masked": c.person.id_masked, "theory_score": c.theory_score,
            "practical_score": c.practical_score, "absent": c.absent, "passed": c.passed,
            "entered": row.entered, "explanation": row.explanation}


def _report(report: services.ResultReport) -> dict:
    return {"total_rows": report.total_rows, "created": report.created,
            "updated": report.updated, "unchanged": report.unchanged,
            "written": report.written, "status": report.status,
            "moved_to_results": report.moved_to_results,
            "errors": [e.as_dict() for e in report.errors]}


@router.get("/sittings/{sitting_id}/results",
            response={200: ResultsOut, **error_responses(404)},
            operation_id="assessment_results_get")
def results_get(request, sitting_id: int):
    """A sitting's candidates with their scores, outcome and its explanation (the evaluator
    and the HRSS offices of the sitting's region)."""
    actor = request.auth
    sitting = selectors.results_sitting_get(actor=actor, pk=sitting_id)
    return {"sitting_id": sitting.pk, "status": sitting.status,
            "theory_pass_mark": sitting.theory_pass_mark,
            "practical_pass_mark": sitting.practical_pass_mark,
            "may_enter": services.may_enter_results(actor, sitting),
            "candidates": [_candidate(r) for r in
                           selectors.results_rows(actor=actor, sitting=sitting)]}


def _enter(request, sitting_id: int, payload: ResultsIn):
    actor = request.auth
    sitting = selectors.results_sitting_get(actor=actor, pk=sitting_id)
    rows = [services.ResultInput(candidate_id=r.candidate_id, id_number=r.id_number,
                                 theory_score=r.theory_score,
                                 practical_score=r.practical_score, absent=r.absent,
                                 row=index + 1)
            for index, r in enumerate(payload.rows)]
    try:
        report = services.results_enter(actor=actor, sitting=sitting, rows=rows,
                                        reason=payload.reason, source="api")
    except services.ResultsInvalid as invalid:
        errors = invalid.report.errors
        detail = [ErrorItem(field=f"rows[{e.row - 1}].{e.field}", code=e.code,
                            message=e.message).dict() for e in errors]
        return Status(400, {"detail": detail, "rows": [e.as_dict() for e in errors]})
    return Status(200, _report(report))


ENTER_RESPONSES = {200: ResultReportOut, 400: ResultsRefusedOut,
                   **error_responses(403, 404, 413, 422)}


@router.put("/sittings/{sitting_id}/results", response=ENTER_RESPONSES,
            operation_id="assessment_results_put")
@body_limit(8 * MIB)
def results_put(request, sitting_id: int, payload: ResultsIn):
    """Enter or correct results (the sitting's evaluator, once it is approved and until it
    is closed). The same result again counts once; a different one is a correction, audited
    with its reason. When every candidate has a result the sitting moves to "results"."""
    return _enter(request, sitting_id, payload)


@router.post("/sittings/{sitting_id}/results", response=ENTER_RESPONSES,
             operation_id="assessment_results_post")
@body_limit(8 * MIB)
def results_post(request, sitting_id: int, payload: ResultsIn):
    """The same as PUT (for clients that only POST)."""
    return _enter(request, sitting_id, payload)


@router.post("/sittings/{sitting_id}/results/import",
             response={200: ResultReportOut, **error_responses(400, 403, 404, 413, 422)},
             operation_id="assessment_results_import")
def results_import(request, sitting_id: int, file: File[UploadedFile]):
    """A results file (.xlsx or .csv with the template's columns: 考生编号 or 身份证号, 理论成绩,
    实操成绩, 缺考). A file with any bad row writes nothing and answers every bad row in
    `errors` (written false)."""
    check_file_size(file.size)
    actor = request.auth
    sitting = selectors.results_sitting_get(actor=actor, pk=sitting_id)
    report = services.results_import(actor=actor, sitting=sitting, file=file,
                                     filename=file.name or "results.xlsx")
    return _report(report)
