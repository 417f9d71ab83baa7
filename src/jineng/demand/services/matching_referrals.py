"""培训就业直通车 (Lianyungang 二(一)2): finished trainees referred, with their consent, to
enterprises' open demand lines; the enterprise records the interview, the hire or the refusal;
the outcomes app confirms a hire from social-insurance records (`referral_confirm_hire`)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.accounts.models import Role
from jineng.core import audit
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.history import record_transition
from jineng.core.models import AuditAction
from jineng.core.scoping import scope_of
from jineng.demand.choices import ReferralStatus
from jineng.demand.models import DemandLine, Referral, ReferralStatusChange
from jineng.demand.rules import matching as rules
from jineng.demand.selectors import matching as selectors
from jineng.outcomes.selectors import employment as outcomes_employment
from jineng.training.models import Enrollment

__all__ = ["referral_confirm_hire", "referral_create", "referral_transition",
           "referrals_confirm_from_records"]

REASON_MAX = 500


def _staff(actor) -> bool:
    scope = scope_of(actor)
    return bool(getattr(actor, "is_hrss_staff", False)) and (
        scope.everything or (scope.region_prefix is not None and scope.sees_persons))


def _date(value, field: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise DomainError(_("Give a date."), field=field)
    if value > timezone.localdate():
        raise DomainError(_("The date cannot be in the future."), field=field)
    return value


def referral_create(*, actor, demand_line: DemandLine, enrollment: Enrollment,
                    consent_on: dt.date, today: dt.date | None = None) -> Referral:
    """HRSS staff refer a finished trainee to an open demand line, recording the day the
    trainee consented. The trainee must fit the line (rules.match_referral: completed class
    of the occupation at or above the level, within REFERRAL_MAX_KM); the reasons are kept. A
    person is referred to a line once."""
    line = selectors.demand_line_get(actor=actor, pk=demand_line.pk)
    if not _staff(actor):
        raise Forbidden(_("Only HRSS staff refer trainees."))
    consent_on = _date(consent_on, "consent_on")
    today = today or timezone.localdate()
    found = (selectors.completed_for_line(line).filter(pk=getattr(enrollment, "pk", None))
             .first())
    if found is None:
        raise DomainError(_("This trainee has not completed a class of the line's occupation "
                            "in the province."), field="enrollment", code="not_completed")
    verdict = rules.match_referral(selectors.trainee_facts(found),
                                   selectors.demand_facts(line, today), today.toordinal())
    if not verdict.fits:
        failed = next(r for r in verdict.reasons if not r["ok"])
        raise DomainError(selectors.reason_text(failed), field="enrollment",
                          code=f"referral_{failed['rule']}")
    if consent_on < found.training_class.start_date - dt.timedelta(days=365):
        raise DomainError(_("The consent is older than the class by more than a year."),
                          field="consent_on")
    with transaction.atomic():
        DemandLine.objects.select_for_update().filter(pk=line.pk).first()
        if Referral.objects.filter(person_id=found.person_id, demand_line=line).exists():
            raise Conflict(_("This person is already referred to this demand."),
                           field="enrollment", code="already_referred")
        consent_at = timezone.make_aware(dt.datetime.combine(consent_on, dt.time(0, 0)))
        referral = Referral.objects.create(
            person_id=found.person_id, enrollment_id=found.pk, demand_line=line,
            reasons=verdict.reasons, consent_at=consent_at)
        record_transition(ReferralStatusChange, subject_field="referral", subject=referral,
                          actor=actor, action="refer", from_status="",
                          to_status=ReferralStatus.REFERRED,
                          note={"consent_on": consent_on.isoformat()})
        audit.record(actor=actor, action=AuditAction.CREATE, instance=referral,
                     region_code=line.demand_list.region.code,
                     organization_id=line.demand_list.organization_id,
                     after={**audit.snapshot(referral), "score": verdict.score})
    return referral


def _locked(referral: Referral) -> Referral:
    return (Referral.objects.select_for_update(of=("self",))
            .select_related("demand_line__demand_list__region").get(pk=referral.pk))


def _move(actor, r: Referral, action: str, *, reason: str = "",
          note: dict | None = None, **fields) -> Referral:
    after_status = rules.referral_next(r.status, action)
    if after_status is None:
        raise DomainError(_("A referral that is %(status)s cannot take this step.")
                          % {"status": r.get_status_display()}, field="action",
                          code="not_allowed")
    before = r.status
    r.status = after_status
    r.status_changed_at = timezone.now()
    for name, value in fields.items():
        setattr(r, name, value)
    r.save(update_fields=["status", "status_changed_at", *fields])
    record_transition(ReferralStatusChange, subject_field="referral", subject=r, actor=actor,
                      action=action, from_status=before, to_status=after_status,
                      reason=reason, note=note)
    audit.record(actor=actor, action=AuditAction.TRANSITION, instance=r,
                 region_code=r.demand_line.demand_list.region.code,
                 organization_id=r.demand_line.demand_list.organization_id,
                 before={"status": before}, after={"status": after_status, **{
                     k: (v.isoformat() if isinstance(v, dt.date) else v)
                     for k, v in fields.items()}}, reason=reason)
    return r


def referral_transition(*, actor, referral: Referral, action: str, reason: str = "",
                        hired_on: dt.date | None = None) -> Referral:
    """The enterprise records the interview, the hire (with its date) or its refusal; HRSS
    staff record a withdrawn consent. History row and audit event for each step."""
    referral = selectors.referral_get(actor=actor, pk=referral.pk)
    if action in rules.ENTERPRISE_ACTIONS:
        if not (getattr(actor, "role", "") == Role.ENTERPRISE and getattr(
                actor, "organization_id", None)
                == referral.demand_line.demand_list.organization_id):
            raise Forbidden(_("Only the enterprise records interviews and hires."))
    elif action in rules.STAFF_ACTIONS:
        if not _staff(actor):
            raise Forbidden(_("Only HRSS staff record a withdrawn consent."))
    else:
        raise DomainError(_("Unknown step."), field="action", code="unknown_action")
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise DomainError(_("The reason has at most %(n)s characters.") % {"n": REASON_MAX},
                          field="reason")
    fields = {}
    if action == "hire":
        fields["hired_on"] = _date(hired_on, "hired_on")
    elif hired_on is not None:
        raise DomainError(_("A hire date goes only with a hire."), field="hired_on")
    if action in {"decline", "withdraw"} and not reason:
        raise DomainError(_("Give a reason."), field="reason")
    with transaction.atomic():
        moved = _move(actor, _locked(referral), action, reason=reason, **fields)
        if action == "hire":
            # The line's headcount counts down as people are hired (an atomic increment, so
            # two hires at once both count).
            DemandLine.objects.filter(pk=moved.demand_line_id).update(filled=F("filled") + 1)
        return moved


def referral_confirm_hire(*, actor, referral_id: int, confirmed_on: dt.date,
                          source: str) -> Referral:
    """The hook the outcomes app calls when social-insurance records show the referred person
    contributing with the enterprise: a hire reported by the enterprise becomes confirmed
    (hired → confirmed), with the day and the source (e.g. the wage-record batch) kept in the
    history. Called by a system actor (scope everything) or HRSS staff of the line's
    region."""
    system = getattr(getattr(actor, "scope", None), "everything", False)
    if not (system or _staff(actor)):
        raise Forbidden(_("Only HRSS staff or the outcomes app confirm a hire."))
    if not isinstance(referral_id, int):
        raise DomainError(_("Give a referral number."), field="referral_id")
    qs = Referral.objects.all() if system else Referral.objects.visible_to(actor)
    referral = qs.filter(pk=referral_id).first()
    if referral is None:
        raise NotFound()
    confirmed_on = _date(confirmed_on, "confirmed_on")
    source = (source or "").strip()
    if not source or len(source) > 200:
        raise DomainError(_("Name the records that confirm the hire (at most 200 "
                            "characters)."), field="source")
    with transaction.atomic():
        r = _locked(referral)
        if r.hired_on is not None and confirmed_on < r.hired_on - dt.timedelta(days=31):
            raise DomainError(_("The records start more than a month before the hire."),
                              field="confirmed_on")
        return _move(actor, r, "confirm", reason=source, note={"source": source},
                     confirmed_on=confirmed_on)


def referrals_confirm_from_records(*, actor) -> int:
    """Confirm every reported hire (status hired) in the actor's scope whose person shows a
    social-insurance contribution with the enterprise from the month of the hire (or the month
    before) on; answers how many were confirmed. HRSS staff."""
    if not _staff(actor):
        raise Forbidden(_("Only HRSS staff confirm hires from social-insurance records."))
    hired = list(Referral.objects.visible_to(actor).filter(status=ReferralStatus.HIRED)
                 .values_list("pk", "person_id", "hired_on",
                              "demand_line__demand_list__organization__credit_code"))
    pairs = [(person, code, (hired_on or timezone.localdate()) - dt.timedelta(days=31))
             for _pk, person, hired_on, code in hired if code]
    found = outcomes_employment.first_contributions(pairs)
    confirmed = 0
    for pk, person, hired_on, code in hired:
        first = found.get((person, code))
        if first is None:
            continue
        referral_confirm_hire(actor=actor, referral_id=pk, confirmed_on=max(
            first.month, hired_on or first.month), source=_(
            "Social-insurance records, import %(id)s") % {"id": first.source_import_id})
        confirmed += 1
    return confirmed
