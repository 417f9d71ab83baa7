"""Working the alert queue and tuning the rules.

`risk_alert_transition`: an inspector or HRSS staff member of the alert's region acknowledges
(under investigation), confirms (fraud found; findings required) or dismisses (findings
required) an alert (rules.alerts, as data). `risk_rule_parameters_set`: the province HRSS
office dates a new parameter version of a rule (used by scans from that day)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jineng.accounts.models import HRSS_ROLES, Role
from jineng.core import audit
from jineng.core.errors import DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction
from jineng.core.scoping import scope_of
from jineng.supervision.models import RiskAlert, RiskRule
from jineng.supervision.rules import alerts as lifecycle
from jineng.supervision.rules import catalog

__all__ = ["actor_kinds", "risk_alert_transition", "risk_rule_parameters_set"]

REFUSALS = {
    "unknown_action": gettext_lazy("Unknown action."),
    "not_permitted": gettext_lazy("You may not take this action on a risk alert."),
    "not_allowed_from": gettext_lazy("This action is not possible in the alert's current state."),
    "reason_required": gettext_lazy("Write the findings (reason) for this decision."),
}


def actor_kinds(actor) -> frozenset[str]:
    scope = scope_of(actor)
    if scope.everything:
        return frozenset({lifecycle.HRSS, lifecycle.INSPECTOR})
    role = str(getattr(actor, "role", "") or "")
    if role == Role.INSPECTOR:
        return frozenset({lifecycle.INSPECTOR})
    if role in HRSS_ROLES:
        return frozenset({lifecycle.HRSS})
    if scope.organization_id:
        return frozenset({lifecycle.INSTITUTION})
    return frozenset()


def risk_alert_transition(*, actor, alert: RiskAlert | int, action: str,
                          reason: str = "") -> RiskAlert:
    pk = alert.pk if isinstance(alert, RiskAlert) else int(alert)
    with transaction.atomic():
        try:
            a = RiskAlert.objects.visible_to(actor).select_for_update().get(pk=pk)
        except RiskAlert.DoesNotExist:
            raise NotFound(_("Risk alert not found.")) from None
        try:
            target = lifecycle.plan_transition(action, a.status, actor_kinds(actor), reason)
        except lifecycle.TransitionRefused as refused:
            message = str(REFUSALS[refused.code])
            if refused.code == "not_permitted":
                raise Forbidden(message) from None
            raise DomainError(message) from None
        before = audit.snapshot(a)
        a.status = target
        if action in ("confirm", "dismiss"):
            a.reason = reason.strip()
            a.decided_by = getattr(actor, "username", "")[:150]
            a.decided_at = timezone.now()
        elif reason.strip():
            a.reason = reason.strip()
        a.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        audit.record(actor=actor, action=AuditAction.TRANSITION, instance=a, before=before,
                     after=audit.snapshot(a), reason=reason.strip()[:500])
    return a


def risk_rule_parameters_set(*, actor, code: str, valid_from: dt.date,
                             parameters: dict) -> RiskRule:
    """Add (or replace) the version of `code`'s parameters valid from `valid_from`. Only the
    rule's own parameter names, with numbers (or lists of numbers) as values."""
    scope = scope_of(actor)
    role = str(getattr(actor, "role", "") or "")
    if not (scope.everything or (role == Role.PROVINCE_STAFF and scope.region_prefix)):
        raise Forbidden(_("Only the province HRSS office sets risk rule parameters."))
    spec = catalog.RULES.get(code)
    if spec is None:
        raise NotFound(_("Risk rule not found."))
    unknown = sorted(set(parameters) - set(spec.parameters))
    if unknown:
        raise DomainError(_("Unknown parameter of rule %(code)s: %(names)s.")
                          % {"code": code, "names": ", ".join(unknown)})
    for name, value in parameters.items():
        ok = isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
        if isinstance(spec.parameters[name], list):
            ok = isinstance(value, list) and all(isinstance(v, int) for v in value)
        if not ok:
            raise DomainError(_("Parameter %(name)s: a number not below zero is expected.")
                              % {"name": name})
    from jineng.supervision.services.runs import rules_sync

    with transaction.atomic():
        rules_sync()
        rule = RiskRule.objects.select_for_update().get(code=code)
        before = audit.snapshot(rule)
        day = valid_from.isoformat()
        versions = [v for v in rule.versions or () if v.get("valid_from") != day]
        versions.append({"valid_from": day, "parameters": dict(parameters)})
        rule.versions = sorted(versions, key=lambda v: v["valid_from"])
        rule.save(update_fields=["versions"])
        audit.record(actor=actor, action=AuditAction.UPDATE, instance=rule, before=before,
                     after=audit.snapshot(rule))
    return rule
