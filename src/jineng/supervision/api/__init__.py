"""Supervision API, mounted at /api/v1/supervision/: risk alerts (rule code, subject kind and
reference, evidence; staff and inspectors of the region), their workflow, the rule catalog
with precision, and risk scans (list, one, start)."""

import datetime as dt

from ninja import Field, Router, Schema

from jineng.core.api import KIB, body_limit, error_responses
from jineng.supervision import selectors
from jineng.supervision.services import alerts as alert_services
from jineng.supervision.services import runs as run_services

router = Router(tags=["supervision"])
PAGE = 200


class AlertOut(Schema):
    id: int
    rule_code: str
    severity: str
    subject_kind: str = Field(description="person, class, institution, teacher, device or site")
    subject_ref: str = Field(description="the subject's id (a teacher: keyed ID hash; a "
                                         "device: its identifier)")
    training_class_id: int | None
    institution_id: int | None
    region_code: str | None = None
    evidence: dict
    measure: float | None
    status: str
    reason: str
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime
    times_seen: int
    score: float | None = Field(None, description="risk score: severity weight × the rule's "
                                "smoothed precision; see docs/supervision.md")

    @staticmethod
    def resolve_region_code(obj) -> str | None:
        return obj.region.code if obj.region_id else None


class TransitionIn(Schema):
    action: str = Field(description="acknowledge, confirm or dismiss")
    reason: str = Field("", description="findings (required to confirm or dismiss)")


class RuleOut(Schema):
    code: str
    severity: str
    subject_kind: str
    description: str
    parameters: dict
    versions: list
    alerts: int
    confirmed: int
    dismissed: int
    precision: float | None


class RunOut(Schema):
    id: int
    status: str
    mode: str
    since: dt.datetime | None
    data_through: dt.datetime | None
    engine: str
    rule_versions: dict
    timings: dict
    counts: dict = Field(description="rows read per snapshot table")
    data_quality: dict | None = Field(
        None, description="the data-quality report (issues per kind, per institution, the "
                          "classes with the most), apart from the alerts")
    alerts_found: int
    alerts_new: int
    requested_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    error: str
    job_id: int | None = Field(description="the background job: /api/jobs/{id}")

    @staticmethod
    def resolve_counts(run) -> dict:
        return {k: v for k, v in (run.counts or {}).items() if k != run_services.QUALITY_KEY}

    @staticmethod
    def resolve_data_quality(run) -> dict | None:
        return (run.counts or {}).get(run_services.QUALITY_KEY)


class RunStartIn(Schema):
    mode: str = Field("full", description="full or incremental")
    since: dt.datetime | None = Field(None, description="incremental: events from this moment "
                                                        "(default: the last scan's data)")


@router.get("/alerts", response={200: list[AlertOut], **error_responses(403)},
            operation_id="supervision_alert_list")
def alert_list(request, status: str = "", rule: str = "", subject_kind: str = "",
               class_id: int | None = None, institution_id: int | None = None,
               offset: int = 0):
    """Alerts in the caller's region subtree, highest risk score first, then most recently seen
    (200 a page)."""
    qs = selectors.alert_list(actor=request.auth, status=status, rule=rule,
                              subject_kind=subject_kind, class_id=class_id,
                              institution_id=institution_id)
    return list(qs[max(offset, 0):max(offset, 0) + PAGE])


@router.get("/alerts/{alert_id}", response={200: AlertOut, **error_responses(404)},
            operation_id="supervision_alert_get")
def alert_get(request, alert_id: int):
    return selectors.alert_get(actor=request.auth, pk=alert_id)


@router.post("/alerts/{alert_id}/transition",
             response={200: AlertOut, **error_responses(400, 403, 404)},
             operation_id="supervision_alert_transition")
@body_limit(8 * KIB)
def alert_transition(request, alert_id: int, payload: TransitionIn):
    """Acknowledge (under investigation), confirm or dismiss (with findings)."""
    return alert_services.risk_alert_transition(actor=request.auth, alert=alert_id,
                                                action=payload.action, reason=payload.reason)


@router.get("/rules", response={200: list[RuleOut], **error_responses(403)},
            operation_id="supervision_rule_list")
def rule_list(request):
    """The risk rules with their parameter versions and precision in the caller's scope."""
    return selectors.rule_list(actor=request.auth)


@router.get("/runs", response={200: list[RunOut], **error_responses(403)},
            operation_id="supervision_run_list")
def run_list(request):
    """The latest 50 scans, newest first."""
    return list(selectors.run_list(actor=request.auth)[:50])


@router.get("/runs/{run_id}", response={200: RunOut, **error_responses(404)},
            operation_id="supervision_run_get")
def run_get(request, run_id: int):
    return selectors.run_get(actor=request.auth, pk=run_id)


@router.post("/runs", response={200: RunOut, **error_responses(400, 403)},
             operation_id="supervision_run_start")
@body_limit(4 * KIB)
def run_start(request, payload: RunStartIn):
    """Start a scan in the background (province HRSS staff, inspectors)."""
    return run_services.risk_scan_start(actor=request.auth, mode=payload.mode,
                                        since=payload.since)


