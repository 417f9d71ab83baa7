"""Scoped reads of the supervision app: alerts (staff and inspectors of the region subtree;
404 outside it), scans and the rule catalog with each rule's precision."""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _

from jineng.core.errors import NotFound
from jineng.supervision.choices import AlertStatus
from jineng.supervision.models import RiskAlert, RiskRule, RiskRun
from jineng.supervision.rules import catalog
from jineng.supervision.selectors.oversight import (  # noqa: F401 - the public surface
    class_risk_list,
    inspection_file_get,
    inspection_get,
    inspection_list,
    institution_risk_list,
    precision_counts,
    risk_of,
    sampling_frame,
    sanction_get,
    sanction_list,
    spot_check_get,
    spot_check_list,
    with_scores,
)


def alert_list(*, actor, status: str = "", rule: str = "", subject_kind: str = "",
               class_id: int | None = None, institution_id: int | None = None,
               order: str = "score") -> QuerySet:
    """Alerts with their risk score (`score`, rules.scoring), highest first (`order=""`: the
    model order, most recently seen first)."""
    qs = with_scores(RiskAlert.objects.visible_to(actor).select_related("region"))
    if order == "score":
        qs = qs.order_by(F("score").desc(), "-last_seen_at", "-id")
    if status:
        qs = qs.filter(status=status)
    if rule:
        qs = qs.filter(rule_code=rule)
    if subject_kind:
        qs = qs.filter(subject_kind=subject_kind)
    if class_id:
        qs = qs.filter(training_class_id=class_id)
    if institution_id:
        qs = qs.filter(institution_id=institution_id)
    return qs


def alert_get(*, actor, pk: int) -> RiskAlert:
    try:
        return with_scores(RiskAlert.objects.visible_to(actor).select_related("region")
                           ).get(pk=pk)
    except RiskAlert.DoesNotExist:
        raise NotFound(_("Risk alert not found.")) from None


def run_list(*, actor) -> QuerySet:
    return RiskRun.objects.visible_to(actor)


def run_get(*, actor, pk: int) -> RiskRun:
    try:
        return RiskRun.objects.visible_to(actor).get(pk=pk)
    except RiskRun.DoesNotExist:
        raise NotFound(_("Risk scan not found.")) from None


def rule_list(*, actor) -> list[dict]:
    """The catalog with each rule's alerts in the actor's scope and its precision (confirmed
    among decided), so rules can be tuned with evidence."""
    stored = {r.code: r for r in RiskRule.objects.visible_to(actor)}
    counts = {row["rule_code"]: row for row in RiskAlert.objects.visible_to(actor)
              .values("rule_code").annotate(
                  total=Count("id"),
                  confirmed=Count("id", filter=Q(status=AlertStatus.CONFIRMED)),
                  dismissed=Count("id", filter=Q(status=AlertStatus.DISMISSED)))}
    out = []
    for spec in catalog.RULES.values():
        c = counts.get(spec.code, {})
        decided = c.get("confirmed", 0) + c.get("dismissed", 0)
        rule = stored.get(spec.code)
        out.append({"code": spec.code, "severity": spec.severity,
                    "subject_kind": spec.subject_kind, "description": _(spec.description),
                    "versions": rule.versions if rule else [],
                    "parameters": dict(spec.parameters), "alerts": c.get("total", 0),
                    "confirmed": c.get("confirmed", 0), "dismissed": c.get("dismissed", 0),
                    "precision": (c.get("confirmed", 0) / decided) if decided else None})
    return out
