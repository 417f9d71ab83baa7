"""Supervision API after the alerts (mounted at /api/supervision/ beside the alert router):
risk scores per class and institution with their alerts, recovery of a confirmed alert's
subsidies, sanctions, spot checks and inspections with their files."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpResponse
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile

from jineng.core.api import KIB, MIB, body_limit, error_responses
from jineng.supervision import selectors
from jineng.supervision.services import oversight as services

router = Router(tags=["supervision"])
PAGE = 200


class ScoredAlertOut(Schema):
    id: int
    rule_code: str
    severity: str
    status: str
    subject_kind: str
    subject_ref: str
    evidence: dict
    score: float = Field(description="severity weight × smoothed rule precision (docs)")


class RiskRowOut(Schema):
    id: int = Field(description="the class or institution id")
    score: float
    alerts: list[int] = Field(description="its alerts, highest score first")


class RiskOut(Schema):
    id: int
    score: float
    alerts: list[ScoredAlertOut]


class RecoveryIn(Schema):
    reason: str = Field("", description="defaults to the alert's findings")


class RecoveryOut(Schema):
    recovered: list[int]
    amount: Decimal = Field(description="the amount to recover (yuan), paid claims recovered")
    already: list[int] = Field(description="claims recovered before")
    to_stop: list[list] = Field(description="[claim id, status] of claims not yet paid")


class SanctionIn(Schema):
    kind: str = Field(description="suspend, remove (an organization) or bar (a person)")
    reason: str
    organization_id: int | None = None
    person_id: int | None = None
    days: int | None = Field(None, description="bar: its length in days")
    valid_from: dt.date | None = None
    alert_id: int | None = None


class SanctionOut(Schema):
    id: int
    kind: str
    status: str
    organization_id: int | None
    person_id: int | None
    region_code: str
    alert_id: int | None
    valid_from: dt.date
    valid_until: dt.date | None
    reason: str
    imposed_by: str
    imposed_at: dt.datetime
    lifted_by: str
    lifted_at: dt.datetime | None
    lift_reason: str

    @staticmethod
    def resolve_region_code(obj) -> str:
        return obj.region.code


class LiftIn(Schema):
    reason: str


class SpotCheckIn(Schema):
    population: str = Field(description="class or claim")
    region_code: str
    confidence: float = Field(0.95, description="e.g. 0.95")
    margin: float = Field(0.05, description="margin of error, e.g. 0.05")
    seed: str = Field("", description="empty: a random seed, published with the draw")


class SpotCheckOut(Schema):
    id: int
    population: str
    region_code: str
    seed: str
    confidence: float
    margin: float
    population_size: int
    sample_size: int
    strata: dict = Field(description="stratum → [population, drawn]")
    items: list[dict] = Field(description="{id, stratum, score} of the drawn items")
    created_by: str
    created_at: dt.datetime

    @staticmethod
    def resolve_region_code(obj) -> str:
        return obj.region.code


class InspectionIn(Schema):
    mode: str = Field(description="onsite or online")
    planned_for: dt.date
    alert_id: int | None = None
    spot_check_id: int | None = None
    item_id: int | None = None


class InspectionFileOut(Schema):
    id: int
    kind: str
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime


class InspectionOut(Schema):
    id: int
    mode: str
    status: str
    region_code: str
    alert_id: int | None
    spot_check_id: int | None
    item_id: int | None
    planned_for: dt.date
    findings: str
    inspector: str
    done_at: dt.datetime | None
    closed_at: dt.datetime | None
    files: list[InspectionFileOut]

    @staticmethod
    def resolve_region_code(obj) -> str:
        return obj.region.code

    @staticmethod
    def resolve_files(obj) -> list:
        return list(obj.files.defer("content"))


class InspectionTransitionIn(Schema):
    action: str = Field(description="record (findings required), close, cancel (reason "
                                    "required)")
    findings: str = ""


def _risk(row: dict, key: str) -> dict:
    return {"id": row[key], "score": row["score"], "alerts": row["alerts"]}


@router.get("/risk/classes", response={200: list[RiskRowOut], **error_responses(403)},
            operation_id="supervision_class_risk_list")
def class_risk_list(request):
    """Classes by risk score (the sum of their alerts' scores), highest first (200)."""
    return [_risk(r, "class_id") for r in selectors.class_risk_list(actor=request.auth,
                                                                    limit=PAGE)]


@router.get("/risk/classes/{class_id}", response={200: RiskOut, **error_responses(404)},
            operation_id="supervision_class_risk_get")
def class_risk_get(request, class_id: int):
    r = selectors.risk_of(actor=request.auth, class_id=class_id)
    return {"id": r["id"], "score": r["score"], "alerts": r["alerts"]}


@router.get("/risk/institutions", response={200: list[RiskRowOut], **error_responses(403)},
            operation_id="supervision_institution_risk_list")
def institution_risk_list(request):
    return [_risk(r, "institution_id")
            for r in selectors.institution_risk_list(actor=request.auth, limit=PAGE)]


@router.get("/risk/institutions/{institution_id}",
            response={200: RiskOut, **error_responses(404)},
            operation_id="supervision_institution_risk_get")
def institution_risk_get(request, institution_id: int):
    r = selectors.risk_of(actor=request.auth, institution_id=institution_id)
    return {"id": r["id"], "score": r["score"], "alerts": r["alerts"]}


@router.post("/alerts/{alert_id}/recovery",
             response={200: RecoveryOut, **error_responses(400, 403, 404)},
             operation_id="supervision_alert_recovery_start")
@body_limit(8 * KIB)
def alert_recovery_start(request, alert_id: int, payload: RecoveryIn):
    """Recover the paid subsidy claims involved in a confirmed alert (city or province HRSS
    staff); claims not yet paid are listed to stop."""
    r = services.alert_recovery_start(actor=request.auth, alert=alert_id,
                                      reason=payload.reason)
    return {"recovered": r.recovered, "amount": r.amount, "already": r.already,
            "to_stop": [list(t) for t in r.to_stop]}


@router.get("/sanctions", response={200: list[SanctionOut], **error_responses(403)},
            operation_id="supervision_sanction_list")
def sanction_list(request, kind: str = "", status: str = "", offset: int = 0):
    qs = selectors.sanction_list(actor=request.auth, kind=kind, status=status)
    return list(qs[max(offset, 0):max(offset, 0) + PAGE])


@router.get("/sanctions/{sanction_id}", response={200: SanctionOut, **error_responses(404)},
            operation_id="supervision_sanction_get")
def sanction_get(request, sanction_id: int):
    return selectors.sanction_get(actor=request.auth, pk=sanction_id)


@router.post("/sanctions", response={200: SanctionOut, **error_responses(400, 403, 404, 409)},
             operation_id="supervision_sanction_impose")
@body_limit(8 * KIB)
def sanction_impose(request, payload: SanctionIn):
    """Suspend or remove an institution or evaluation institution, or bar a person from
    subsidies (HRSS staff of the region)."""
    return services.sanction_impose(actor=request.auth, **payload.dict(exclude={"alert_id"}),
                                    alert=payload.alert_id)


@router.post("/sanctions/{sanction_id}/lift",
             response={200: SanctionOut, **error_responses(400, 403, 404)},
             operation_id="supervision_sanction_lift")
@body_limit(8 * KIB)
def sanction_lift(request, sanction_id: int, payload: LiftIn):
    """Lift a suspension or a bar (province HRSS staff only)."""
    return services.sanction_lift(actor=request.auth, sanction=sanction_id,
                                  reason=payload.reason)


@router.get("/spot-checks", response={200: list[SpotCheckOut], **error_responses(403)},
            operation_id="supervision_spot_check_list")
def spot_check_list(request, offset: int = 0):
    qs = selectors.spot_check_list(actor=request.auth)
    return list(qs[max(offset, 0):max(offset, 0) + PAGE])


@router.get("/spot-checks/{spot_check_id}", response={200: SpotCheckOut, **error_responses(404)},
            operation_id="supervision_spot_check_get")
def spot_check_get(request, spot_check_id: int):
    return selectors.spot_check_get(actor=request.auth, pk=spot_check_id)


@router.get("/spot-checks/{spot_check_id}/frame", response={200: list[list],
                                                            **error_responses(404)},
            operation_id="supervision_spot_check_frame")
def spot_check_frame(request, spot_check_id: int):
    """The sampling frame ([id, risk score] ascending): with the seed, anyone re-draws it."""
    return selectors.spot_check_get(actor=request.auth, pk=spot_check_id
                                    ).parameters.get("frame", [])


@router.post("/spot-checks", response={200: SpotCheckOut, **error_responses(400, 403, 404)},
             operation_id="supervision_spot_check_draw")
@body_limit(4 * KIB)
def spot_check_draw(request, payload: SpotCheckIn):
    """Draw a reproducible stratified sample (inspectors and HRSS staff of the region)."""
    return services.spot_check_draw(actor=request.auth, **payload.dict())


@router.get("/inspections", response={200: list[InspectionOut], **error_responses(403)},
            operation_id="supervision_inspection_list")
def inspection_list(request, status: str = "", offset: int = 0):
    qs = selectors.inspection_list(actor=request.auth, status=status)
    return list(qs[max(offset, 0):max(offset, 0) + PAGE])


@router.get("/inspections/{inspection_id}", response={200: InspectionOut,
                                                      **error_responses(404)},
            operation_id="supervision_inspection_get")
def inspection_get(request, inspection_id: int):
    return selectors.inspection_get(actor=request.auth, pk=inspection_id)


@router.post("/inspections", response={200: InspectionOut, **error_responses(400, 403, 404)},
             operation_id="supervision_inspection_plan")
@body_limit(4 * KIB)
def inspection_plan(request, payload: InspectionIn):
    """Plan an on-site or online inspection of an alert or a sampled item (inspectors)."""
    return services.inspection_plan(actor=request.auth, mode=payload.mode,
                                    planned_for=payload.planned_for, alert=payload.alert_id,
                                    spot_check=payload.spot_check_id, item_id=payload.item_id)


@router.post("/inspections/{inspection_id}/transition",
             response={200: InspectionOut, **error_responses(400, 403, 404)},
             operation_id="supervision_inspection_transition")
@body_limit(16 * KIB)
def inspection_transition(request, inspection_id: int, payload: InspectionTransitionIn):
    return services.inspection_transition(actor=request.auth, inspection=inspection_id,
                                          action=payload.action, findings=payload.findings)


@router.post("/inspections/{inspection_id}/files",
             response={200: InspectionFileOut, **error_responses(400, 403, 404)},
             operation_id="supervision_inspection_attach")
@body_limit(6 * MIB)
def inspection_attach(request, inspection_id: int, file: File[UploadedFile]):
    """Attach a photo (JPEG, PNG) or a PDF document of at most 5 MiB (checked by content)."""
    return services.inspection_attach(actor=request.auth, inspection=inspection_id,
                                      name=file.name or "", data=file.read())


@router.get("/inspections/{inspection_id}/files/{file_id}", response={200: None,
                                                                      **error_responses(404)},
            operation_id="supervision_inspection_file_get")
def inspection_file_get(request, inspection_id: int, file_id: int):
    f = selectors.inspection_file_get(actor=request.auth, inspection_id=inspection_id,
                                      pk=file_id)
    response = HttpResponse(bytes(f.content), content_type=f.content_type)
    response["Content-Disposition"] = f'attachment; filename="file-{f.pk}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
