"""Scoped reads after the alerts: risk scores (per alert, rolled up per class and per
institution with the alerts as evidence), the sampling frame of a spot check, sanctions, spot
checks and inspections. Out of scope = 404, like missing."""

from __future__ import annotations

from django.db.models import Case, Count, F, FloatField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from jineng.core.errors import NotFound
from jineng.registry.selectors import subtree_prefix
from jineng.subsidy.models import SubsidyClaim
from jineng.supervision.choices import AlertStatus
from jineng.supervision.models import Inspection, InspectionFile, RiskAlert, Sanction, SpotCheck
from jineng.supervision.rules import catalog, scoring
from jineng.training.models import TrainingClass

SAMPLED_CLASS_STATES = ("approved", "open", "finished", "assessed", "settled", "suspended")
SAMPLED_CLAIM_STATES = ("submitted", "city_review", "approved", "in_payment", "paid",
                        "payment_failed", "recovered")


def precision_counts() -> dict[str, tuple[int, int]]:
    """(confirmed, dismissed) per rule over the whole province: a rule's precision is a
    property of the rule, so every viewer sees the same scores."""
    rows = (RiskAlert.objects.values("rule_code").annotate(
        confirmed=Count("id", filter=Q(status=AlertStatus.CONFIRMED)),
        dismissed=Count("id", filter=Q(status=AlertStatus.DISMISSED))))
    return {r["rule_code"]: (r["confirmed"], r["dismissed"]) for r in rows}


def score_expression(counts: dict[str, tuple[int, int]] | None = None) -> Case:
    """rules.scoring.alert_score as a database expression (for sorting the queue)."""
    counts = precision_counts() if counts is None else counts
    whens = [When(status=AlertStatus.DISMISSED, then=Value(0.0))]
    for sev, w in scoring.SEVERITY_WEIGHTS.items():
        whens.append(When(status=AlertStatus.CONFIRMED, severity=sev, then=Value(float(w))))
    for code in catalog.RULES:
        c, d = counts.get(code, (0, 0))
        for sev in scoring.SEVERITY_WEIGHTS:
            whens.append(When(rule_code=code, severity=sev,
                              then=Value(scoring.alert_score(sev, "open", c, d))))
    return Case(*whens, default=Value(scoring.alert_score("low", "open", 0, 0)),
                output_field=FloatField())


def with_scores(qs: QuerySet) -> QuerySet:
    return qs.annotate(score=score_expression())


def _scored(qs: QuerySet, key: str) -> list[scoring.Scored]:
    counts = precision_counts()
    return [scoring.Scored(pk, scoring.alert_score(sev, status, *counts.get(code, (0, 0))), k)
            for pk, code, sev, status, k in qs.values_list("pk", "rule_code", "severity",
                                                           "status", key)]


def _roll(actor, key: str, limit: int | None = None, key_value: int | None = None):
    qs = RiskAlert.objects.visible_to(actor).exclude(**{f"{key}__isnull": True})
    if key_value is not None:
        qs = qs.filter(**{key: key_value})
    rows = scoring.roll_up(_scored(qs, key))
    return rows[:limit] if limit else rows


def class_risk_list(*, actor, limit: int = 200) -> list[dict]:
    """Classes by risk score (sum of their alerts' scores), highest first."""
    return [{"class_id": k, "score": s, "alerts": ids} for k, s, ids in
            _roll(actor, "training_class_id", limit)]


def institution_risk_list(*, actor, limit: int = 200) -> list[dict]:
    return [{"institution_id": k, "score": s, "alerts": ids} for k, s, ids in
            _roll(actor, "institution_id", limit)]


def risk_of(*, actor, class_id: int | None = None,
            institution_id: int | None = None) -> dict:
    """One class's (or institution's) score with its alerts (the evidence), best first; 404
    when the actor sees no alert about it."""
    key = "training_class_id" if class_id is not None else "institution_id"
    value = class_id if class_id is not None else institution_id
    qs = with_scores(RiskAlert.objects.visible_to(actor).filter(**{key: value})
                     .select_related("region"))
    alerts = list(qs.order_by(F("score").desc(), "-last_seen_at", "-id"))
    if not alerts:
        raise NotFound(_("No risk alert about this subject."))
    return {"key": key, "id": value, "score": round(sum(a.score for a in alerts), 2),
            "alerts": alerts}


def sampling_frame(*, actor, population: str, region_code: str) -> list[tuple[int, float]]:
    """(id, risk score) of every class (or claim) of the region subtree that can be checked,
    ascending ids. A claim scores its class's risk."""
    region_code = subtree_prefix(region_code)
    alerts = RiskAlert.objects.filter(region__code__startswith=region_code,
                                      training_class_id__isnull=False)
    class_score = {k: s for k, s, _ids in scoring.roll_up(_scored(alerts,
                                                                   "training_class_id"))}
    if population == "class":
        ids = (TrainingClass.objects.filter(region__code__startswith=region_code,
                                            status__in=SAMPLED_CLASS_STATES)
               .order_by("pk").values_list("pk", flat=True))
        return [(i, class_score.get(i, 0.0)) for i in ids]
    rows = (SubsidyClaim.objects.filter(region__code__startswith=region_code,
                                        status__in=SAMPLED_CLAIM_STATES)
            .order_by("pk").values_list("pk", "training_class_id"))
    return [(i, class_score.get(c, 0.0)) for i, c in rows]


def sanction_list(*, actor, kind: str = "", status: str = "") -> QuerySet:
    qs = Sanction.objects.visible_to(actor).select_related("region", "organization", "person")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs


def sanction_get(*, actor, pk: int) -> Sanction:
    try:
        return sanction_list(actor=actor).get(pk=pk)
    except Sanction.DoesNotExist:
        raise NotFound(_("Sanction not found.")) from None


def spot_check_list(*, actor) -> QuerySet:
    return SpotCheck.objects.visible_to(actor).select_related("region").defer("parameters")


def spot_check_get(*, actor, pk: int) -> SpotCheck:
    try:
        return SpotCheck.objects.visible_to(actor).select_related("region").get(pk=pk)
    except SpotCheck.DoesNotExist:
        raise NotFound(_("Spot check not found.")) from None


def inspection_list(*, actor, status: str = "") -> QuerySet:
    qs = Inspection.objects.visible_to(actor).select_related("region")
    return qs.filter(status=status) if status else qs


def inspection_get(*, actor, pk: int) -> Inspection:
    try:
        return inspection_list(actor=actor).get(pk=pk)
    except Inspection.DoesNotExist:
        raise NotFound(_("Inspection not found.")) from None


def inspection_file_get(*, actor, inspection_id: int, pk: int) -> InspectionFile:
    inspection = inspection_get(actor=actor, pk=inspection_id)
    try:
        return inspection.files.get(pk=pk)
    except InspectionFile.DoesNotExist:
        raise NotFound(_("File not found.")) from None
