"""After an alert is confirmed: recovery of the subsidies involved, sanctions, spot checks and
inspections (issue 13). Each write is audited; a refusal changes nothing.

- `alert_recovery_start`: city or province HRSS staff recover the paid claims involved in a
  confirmed alert (through subsidy.services.recovery).
- `sanction_impose` / `sanction_lift`: suspend or remove an institution or evaluation
  institution (the registry's status history: it stops being listed in every catalog, so no
  class is declared, no claim made, no sitting assessed), bar a person from subsidies for a
  period (the subsidy rules refuse with `person_barred`). Lifted only by province HRSS staff.
- `spot_check_draw`: a reproducible stratified random sample (rules.sampling) with its seed.
- `inspection_plan` / `inspection_transition` / `inspection_attach`: 巡查 records."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jineng.accounts.models import Role
from jineng.core import audit
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction
from jineng.core.scoping import scope_of
from jineng.registry import selectors as registry_selectors
from jineng.registry import services as registry_services
from jineng.registry.choices import OrganizationStatus
from jineng.subsidy.services import recovery
from jineng.supervision.choices import AlertStatus
from jineng.supervision.models import (
    Inspection,
    InspectionFile,
    RiskAlert,
    Sanction,
    SpotCheck,
)
from jineng.supervision.rules import inspections as insp
from jineng.supervision.rules import sampling
from jineng.supervision.rules import sanctions as sanc
from jineng.supervision.services.alerts import actor_kinds

__all__ = ["alert_recovery_start", "inspection_attach", "inspection_plan",
           "inspection_transition", "sanction_impose", "sanction_lift", "spot_check_draw"]

SANCTION_REFUSALS = {
    "unknown_kind": gettext_lazy("Unknown sanction."),
    "not_permitted": gettext_lazy("Only HRSS staff impose sanctions; only province HRSS staff "
                                  "lift them."),
    "reason_required": gettext_lazy("Give the reason (the findings) for the sanction."),
    "period": gettext_lazy("A bar lasts from 1 to %(max)d days.") % {"max": sanc.MAX_BAR_DAYS},
    "final": gettext_lazy("A removal from the catalog is final: it cannot be lifted."),
    "not_allowed_from": gettext_lazy("This sanction has already been lifted."),
}
INSPECTION_REFUSALS = {
    "unknown_action": gettext_lazy("Unknown action."),
    "not_permitted": gettext_lazy("You may not take this action on an inspection."),
    "not_allowed_from": gettext_lazy("This action is not possible in the inspection's current "
                                     "state."),
    "findings_required": gettext_lazy("Write the findings."),
}


def _province(actor) -> bool:
    scope = scope_of(actor)
    return scope.everything or (str(getattr(actor, "role", "")) == Role.PROVINCE_STAFF
                                and scope.region_prefix is not None)


def sanction_actor_kinds(actor) -> frozenset[str]:
    kinds = set(actor_kinds(actor))
    if _province(actor):
        kinds.add(sanc.PROVINCE)
    return frozenset(kinds)


def _in_scope(actor, region_code: str) -> bool:
    scope = scope_of(actor)
    return scope.everything or (scope.region_prefix is not None and scope.sees_persons
                                and region_code.startswith(scope.region_prefix))


def _alert(actor, alert, *, lock: bool = False) -> RiskAlert:
    pk = alert.pk if isinstance(alert, RiskAlert) else int(alert)
    qs = RiskAlert.objects.visible_to(actor).select_related("region")
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=pk)
    except RiskAlert.DoesNotExist:
        raise NotFound(_("Risk alert not found.")) from None


# --- recovery -------------------------------------------------------------------------------

def involved_filter(alert: RiskAlert) -> dict:
    """What the alert is about, as claims_involved's filter: a person (within the alert's class
    when it names one), a class, an institution; teachers, devices and sites through the
    class the evidence names."""
    if alert.subject_kind == "person" and alert.subject_ref.isdigit():
        return {"person_ids": [int(alert.subject_ref)]}
    if alert.subject_kind == "class" and alert.subject_ref.isdigit():
        return {"class_ids": [int(alert.subject_ref)]}
    if alert.subject_kind == "institution" and alert.subject_ref.isdigit():
        return {"organization_ids": [int(alert.subject_ref)]}
    if alert.training_class_id:
        return {"class_ids": [alert.training_class_id]}
    return {}


def claims_of_alert(viewer, alert: RiskAlert):
    f = involved_filter(alert)
    if not f:
        return recovery.claims_involved(viewer).none()
    qs = recovery.claims_involved(viewer, **f)
    if "person_ids" in f and alert.training_class_id:
        qs = qs.filter(training_class_id=alert.training_class_id)
    return qs


def alert_recovery_start(*, actor, alert: RiskAlert | int,
                         reason: str = "") -> recovery.RecoveryResult:
    """Recover the paid claims involved in a confirmed alert (its findings are the reason
    unless another is given)."""
    a = _alert(actor, alert)
    if a.status != AlertStatus.CONFIRMED:
        raise DomainError(_("Only a confirmed alert (fraud found) starts a recovery."),
                          field="alert", code="not_confirmed")
    ids = list(claims_of_alert(actor, a).values_list("pk", flat=True))
    if not ids:
        raise DomainError(_("No subsidy claim is involved in this alert."), field="alert",
                          code="no_claims")
    return recovery.claims_recover_for_finding(
        actor=actor, claim_ids=ids, reason=(reason or "").strip() or a.reason,
        reference=_("risk alert %(id)s") % {"id": a.pk})


# --- sanctions ------------------------------------------------------------------------------

def _sanction_refused(refusal: sanc.Refusal):
    message = str(SANCTION_REFUSALS[refusal.code])
    if refusal.code == "not_permitted":
        return Forbidden(message)
    return DomainError(message, field="days" if refusal.code == "period" else "reason",
                       code=refusal.code)


def sanction_impose(*, actor, kind: str, reason: str, organization_id: int | None = None,
                    person_id: int | None = None, days: int | None = None,
                    valid_from: dt.date | None = None,
                    alert: RiskAlert | int | None = None) -> Sanction:
    """Suspend or remove an organization (institution or evaluation institution), or bar a
    person from subsidies for `days` days from `valid_from` (default today)."""
    try:
        sanc.check_impose(kind, sanction_actor_kinds(actor), reason, days)
    except sanc.Refusal as r:
        raise _sanction_refused(r) from None
    start = valid_from or timezone.localdate()
    a = _alert(actor, alert) if alert is not None else None
    if kind in sanc.ORGANIZATION_KINDS:
        org = registry_selectors.organization_list(actor=None).filter(
            pk=organization_id or 0).select_related("region").first()
        if org is None or not _in_scope(actor, org.region.code):
            raise NotFound(_("Organization not found."))
        region, person = org.region, None
    else:
        person = (registry_selectors.person_list(actor=actor).filter(pk=person_id or 0)
                  .select_related("region").first())
        if person is None:
            raise NotFound(_("Person not found."))
        org, region = None, (a.region if a is not None and a.region_id else person.region)
    with transaction.atomic():
        if org is not None:
            status = (OrganizationStatus.SUSPENDED if kind == sanc.SUSPEND
                      else OrganizationStatus.REVOKED)
            registry_services.organization_change_status(
                actor=actor, organization=org, status=status, reason=reason.strip(),
                effective_date=start)
        elif Sanction.objects.filter(kind=sanc.BAR, person=person, status=sanc.ACTIVE,
                                     valid_until__gte=start).exists():
            raise Conflict(_("The person is already barred from subsidies in this period."),
                           field="person_id", code="already_barred")
        s = Sanction.objects.create(
            kind=kind, organization=org, person=person, region=region, alert=a,
            valid_from=start,
            valid_until=start + dt.timedelta(days=days - 1) if kind == sanc.BAR else None,
            reason=reason.strip(), imposed_by=getattr(actor, "username", "")[:150])
        audit.record(actor=actor, action=AuditAction.CREATE, instance=s,
                     after=audit.snapshot(s), reason=reason.strip()[:500])
    return s


def sanction_lift(*, actor, sanction: Sanction | int, reason: str) -> Sanction:
    pk = sanction.pk if isinstance(sanction, Sanction) else int(sanction)
    with transaction.atomic():
        try:
            s = (Sanction.objects.visible_to(actor).select_for_update(of=("self",))
                 .select_related("region", "organization").get(pk=pk))
        except Sanction.DoesNotExist:
            raise NotFound(_("Sanction not found.")) from None
        try:
            sanc.check_lift(s.kind, s.status, sanction_actor_kinds(actor), reason)
        except sanc.Refusal as r:
            raise _sanction_refused(r) from None
        before = audit.snapshot(s)
        if s.kind == sanc.SUSPEND:
            registry_services.organization_change_status(
                actor=actor, organization=s.organization, status=OrganizationStatus.LISTED,
                reason=reason.strip())
        s.status, s.lift_reason = sanc.LIFTED, reason.strip()
        s.lifted_by, s.lifted_at = getattr(actor, "username", "")[:150], timezone.now()
        s.save(update_fields=["status", "lift_reason", "lifted_by", "lifted_at"])
        audit.record(actor=actor, action=AuditAction.TRANSITION, instance=s, before=before,
                     after=audit.snapshot(s), reason=reason.strip()[:500])
    return s


def person_barred_until(person_id: int, day: dt.date) -> str | None:
    """The subsidy hook (subsidy.hooks.person_barred_until): the end of the bar in force."""
    s = (Sanction.objects.filter(kind=sanc.BAR, status=sanc.ACTIVE, person_id=person_id,
                                 valid_from__lte=day, valid_until__gte=day)
         .order_by("-valid_until").first())
    return s.valid_until.isoformat() if s is not None else None


def persons_bars(person_ids: list[int], first: dt.date, last: dt.date
                 ) -> dict[int, list[tuple[dt.date, dt.date]]]:
    """The batch form (subsidy.services.bulk.persons_bars): each person's bars in force on
    some day of [first, last], as `person_barred_until` finds them day by day."""
    out: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for person_id, start, until in (Sanction.objects.filter(
            kind=sanc.BAR, status=sanc.ACTIVE, person_id__in=person_ids,
            valid_from__lte=last, valid_until__gte=first)
            .values_list("person_id", "valid_from", "valid_until")):
        out.setdefault(person_id, []).append((start, until))
    return out


# --- spot checks ----------------------------------------------------------------------------

def _number(value, field: str, low: float, high: float) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        x = -1.0
    if not low < x < high:
        raise DomainError(_("%(field)s must be a number between %(low)s and %(high)s "
                            "(exclusive).") % {"field": field, "low": low, "high": high},
                          field=field, code="out_of_range")
    return x


def spot_check_draw(*, actor, population: str, region_code: str, confidence: float = 0.95,
                    margin: float = 0.05, seed: str = "") -> SpotCheck:
    """Draw a stratified random sample of the region's classes (or subsidy claims), strata by
    risk score, the size from the confidence and margin (rules.sampling); store it with its
    seed and frame so anyone can draw it again."""
    from jineng.supervision import selectors

    kinds = actor_kinds(actor)
    if not kinds & {insp.INSPECTOR, insp.HRSS}:
        raise Forbidden(_("Only inspectors and HRSS staff draw spot checks."))
    if population not in ("class", "claim"):
        raise DomainError(_("Population: class or claim."), field="population",
                          code="invalid")
    confidence = _number(confidence, "confidence", 0.5, 1)
    margin = _number(margin, "margin", 0, 0.5)
    seed = (seed or "").strip() or secrets.token_hex(8)
    if len(seed) > 64 or not seed.isprintable():
        raise DomainError(_("The seed is at most 64 printable characters."), field="seed",
                          code="invalid")
    region = registry_selectors.region_list(actor=None).filter(code=(region_code or "").strip()
                                                               ).first()
    if region is None or not _in_scope(actor, region.code):
        raise NotFound(_("Region not found."))
    frame = selectors.sampling_frame(actor=actor, population=population,
                                     region_code=region.code)
    if not frame:
        raise DomainError(_("There is nothing to sample in this region."),
                          field="region_code", code="empty")
    n = sampling.sample_size(len(frame), confidence, margin)
    drawn = sampling.draw(seed, frame, n)
    scores = dict(frame)
    sizes = sampling.strata_sizes(frame)
    taken: dict[str, int] = {}
    for _i, stratum in drawn:
        taken[stratum] = taken.get(stratum, 0) + 1
    with transaction.atomic():
        sc = SpotCheck.objects.create(
            population=population, region=region, seed=seed, confidence=confidence,
            margin=margin, parameters={"p": 0.5, "formula": "cochran-fpc",
                                       "strata": [[s, lo] for s, lo in sampling.STRATA[:-1]],
                                       "frame": [[i, s] for i, s in frame]},
            population_size=len(frame), sample_size=len(drawn),
            strata={s: [sizes[s], taken.get(s, 0)] for s in sizes},
            items=[{"id": i, "stratum": s, "score": scores[i]} for i, s in drawn],
            created_by=getattr(actor, "username", "")[:150])
        audit.record(actor=actor, action=AuditAction.CREATE, instance=sc,
                     after={"seed": seed, "population": population, "region": region.code,
                            "sample_size": len(drawn)})
    return sc


# --- inspections ----------------------------------------------------------------------------

def inspection_plan(*, actor, mode: str, planned_for: dt.date,
                    alert: RiskAlert | int | None = None, spot_check: SpotCheck | int | None = None,
                    item_id: int | None = None) -> Inspection:
    """Plan an on-site or online inspection of an alert or of a sampled item (inspectors)."""
    if insp.INSPECTOR not in actor_kinds(actor):
        raise Forbidden(_("Only inspectors plan inspections."))
    if mode not in insp.MODES:
        raise DomainError(_("Mode: on site or online."), field="mode", code="invalid")
    if not isinstance(planned_for, dt.date):
        raise DomainError(_("Give the planned date."), field="planned_for", code="required")
    if (alert is None) == (spot_check is None):
        raise DomainError(_("Inspect either an alert or a sampled item."), field="alert",
                          code="target")
    a, sc = None, None
    if alert is not None:
        a = _alert(actor, alert)
        if a.region_id is None:
            raise DomainError(_("This alert has no region."), field="alert", code="no_region")
        region = a.region
    else:
        pk = spot_check.pk if isinstance(spot_check, SpotCheck) else int(spot_check)
        sc = SpotCheck.objects.visible_to(actor).select_related("region").filter(pk=pk).first()
        if sc is None:
            raise NotFound(_("Spot check not found."))
        if item_id is None or int(item_id) not in {it["id"] for it in sc.items}:
            raise DomainError(_("Item %(id)s was not drawn in this spot check.")
                              % {"id": item_id}, field="item_id", code="not_drawn")
        region = sc.region
    with transaction.atomic():
        i = Inspection.objects.create(mode=mode, region=region, alert=a, spot_check=sc,
                                      item_id=int(item_id) if sc is not None else None,
                                      planned_for=planned_for,
                                      inspector=getattr(actor, "username", "")[:150])
        audit.record(actor=actor, action=AuditAction.CREATE, instance=i,
                     after=audit.snapshot(i))
    return i


def _inspection(actor, pk, *, lock: bool = False) -> Inspection:
    qs = Inspection.objects.visible_to(actor).select_related("region")
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=pk.pk if isinstance(pk, Inspection) else int(pk))
    except Inspection.DoesNotExist:
        raise NotFound(_("Inspection not found.")) from None


def inspection_transition(*, actor, inspection: Inspection | int, action: str,
                          findings: str = "") -> Inspection:
    """record (done, with findings), close, or cancel (with the reason)."""
    with transaction.atomic():
        i = _inspection(actor, inspection, lock=True)
        try:
            target = insp.plan_transition(action, i.status, actor_kinds(actor), findings)
        except insp.TransitionRefused as r:
            message = str(INSPECTION_REFUSALS[r.code])
            if r.code == "not_permitted":
                raise Forbidden(message) from None
            raise DomainError(message, field="findings" if r.code == "findings_required"
                              else "action", code=r.code) from None
        before = audit.snapshot(i)
        i.status = target
        if findings.strip():
            i.findings = (i.findings + "\n" if i.findings else "") + findings.strip()[:5000]
        now = timezone.now()
        if target == insp.DONE:
            i.done_at = now
        if target == insp.CLOSED:
            i.closed_at = now
        i.save(update_fields=["status", "findings", "done_at", "closed_at"])
        audit.record(actor=actor, action=AuditAction.TRANSITION, instance=i, before=before,
                     after=audit.snapshot(i), reason=findings.strip()[:500])
    return i


EXTENSIONS = {"image/jpeg": (".jpg", ".jpeg"), "image/png": (".png",),
              "application/pdf": (".pdf",)}


def inspection_attach(*, actor, inspection: Inspection | int, name: str,
                      data: bytes) -> InspectionFile:
    """Attach a photo (JPEG, PNG) or a document (PDF) of at most 5 MiB, checked by its content
    before it is stored; the same file twice is stored once."""
    if insp.INSPECTOR not in actor_kinds(actor):
        _inspection(actor, inspection)  # out of scope: 404 first
        raise Forbidden(_("Only inspectors attach files to an inspection."))
    name = (name or "").strip().replace("/", "_").replace("\\", "_")[-200:]
    if not data:
        raise DomainError(_("The file is empty."), field="file", code="empty")
    if len(data) > insp.MAX_UPLOAD_BYTES:
        raise DomainError(_("The file is larger than %(mb)d MiB.")
                          % {"mb": insp.MAX_UPLOAD_BYTES // (1024 * 1024)}, field="file",
                          code="too_large")
    sniffed = insp.sniff(data[:16])
    if sniffed is None:
        raise DomainError(_("Only photos (JPEG, PNG) and PDF documents are accepted."),
                          field="file", code="type")
    content_type, kind = sniffed
    if not name.lower().endswith(EXTENSIONS[content_type]):
        raise DomainError(_("The file name %(name)s does not match its content (%(type)s).")
                          % {"name": name or "—", "type": content_type}, field="file",
                          code="type_mismatch")
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        i = _inspection(actor, inspection, lock=True)
        if i.status not in insp.ATTACH_STATES:
            raise DomainError(_("The inspection is closed: no more files."), field="file",
                              code="closed")
        existing = i.files.filter(sha256=digest).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                f = InspectionFile.objects.create(
                    inspection=i, kind=kind, name=name, content_type=content_type,
                    size=len(data), sha256=digest, content=data, uploaded_by=actor)
        except IntegrityError:
            return i.files.get(sha256=digest)
        audit.record(actor=actor, action=AuditAction.CREATE, instance=f,
                     after={"name": name, "size": len(data), "sha256": digest,
                            "inspection": i.pk})
    return f
