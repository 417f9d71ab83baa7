"""Claims filed one at a time (凡补必进: each rests on a record kept in jineng): the certificate
subsidy (证书直补) and the unemployment-insurance upskilling subsidy (技能提升补贴) for a person,
filed by an HRSS window clerk on the person's behalf (a draft) or by the worker on the public
site after the identity check (submitted at once); the new-apprenticeship subsidy (企业新型学徒制)
filed by an enterprise for an apprentice of its apprenticeship class (paid to the enterprise);
the skill-evaluation subsidy filed by an institution for a trainee certified through its class
(paid to the institution); the living allowance for a key-group trainee of a finished class
(filed by the institution or the HRSS office of the class's region, paid to the person, by the
days attended); the employment uplift for an assessed class whose trainees the outcomes job
measured stably employed (filed by the institution or its HRSS office, paid to the
institution).

Each filing locks the person's row (as submission does), evaluates the rules against the
person's real history (subsidy.filed reads the facts) and stores a draft (or submitted) claim
with its amount, steps and parameter version, or a refused claim with the rule's code — as the
class batch does. An uplift has no person: it locks its class's row and is decided against the
class's uplifts. The same filing sent twice counts once (by kind + person + certificate,
kind + person + enterprise + year for an apprenticeship, kind + enrollment for a living
allowance, kind + class for an uplift); a different content for the same key is a conflict
while the first claim counts (a refused or withdrawn one may be filed again)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.assessment.choices import CertificateKind, CertificateStatus
from jineng.core import audit, pii
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.history import record_transition
from jineng.core.models import AuditAction
from jineng.core.scoping import scope_of
from jineng.registry import selectors as registry
from jineng.registry.choices import OrganizationKind
from jineng.subsidy import evaluation, filed, selectors_applications
from jineng.subsidy.choices import ClaimKind, ClaimStatus, PayeeKind
from jineng.subsidy.models import ClaimStatusChange, SubsidyClaim
from jineng.subsidy.services import attachments
from jineng.subsidy.services.claims import (
    _account,
    _apply_account,
    _bank,
    fund_source_for,
    needs_city_review,
)
from jineng.subsidy.services.common import governs, is_hrss

__all__ = ["Filing", "claim_file"]

PERSON_KINDS = (ClaimKind.CERTIFICATE, ClaimKind.UPSKILLING)
CERTIFICATE_KINDS = (ClaimKind.CERTIFICATE, ClaimKind.UPSKILLING, ClaimKind.EVALUATION)
APPRENTICESHIP_TYPE = "apprenticeship"
# Who files an organization's kind, and who is paid.
ORGANIZATION_KINDS = {
    ClaimKind.APPRENTICESHIP: ((OrganizationKind.ENTERPRISE,), PayeeKind.ENTERPRISE),
    ClaimKind.EVALUATION: ((OrganizationKind.TRAINING, OrganizationKind.EVALUATION),
                           PayeeKind.INSTITUTION),
}
SUBSIDIZED_CERTIFICATES = (CertificateKind.SKILL_LEVEL, CertificateKind.SPECIAL_ABILITY)
# A living allowance is filed for a trainee of a finished class; an uplift for a class whose
# assessment is closed (its trainees' certificates are known, its training claims filed).
LIVING_CLASS_STATES = ("finished", "assessed", "settled")
UPLIFT_CLASS_STATES = ("assessed", "settled")
WITHDRAWN_ENROLLMENT = "withdrawn"  # training.choices.EnrollmentStatus


@dataclass
class Filing:
    """What a filing did: the claim (draft, submitted or refused), whether it was created now
    (False: the same filing was already recorded), and the refusal's sentence."""

    claim: SubsidyClaim
    created: bool
    refusal: str = ""
    evidence: dict | None = None


# --- who files for whom ------------------------------------------------------------------------

def _person_by(person_id: int | None, id_number: str):
    """The registered person named by id or ID number, whoever asks (callers check scope)."""
    from jineng.registry.models import Person

    if id_number:
        number = registry.whole_id_number(id_number)
        if number is None:
            raise DomainError(_("Not a valid resident ID number (18 characters with its check "
                                "digit)."), field="id_number", code="invalid")
        person = registry.person_holding_number(number)
    elif person_id is not None:
        person = (Person.objects.select_related("region")
                  .filter(pk=person_id, merged_into__isnull=True).first())
    else:
        raise DomainError(_("Name the person (ID number)."), field="id_number",
                          code="required")
    if person is None:
        raise NotFound()
    return person


def _certificate(actor, person, certificate_id: int | None, *, worker: bool, class_id=None):
    """The person's valid skill certificate the claim rests on: issued here or recorded from
    outside (verified), read through the assessment app's selectors."""
    from jineng.assessment.selectors import issuance, outside, records

    if not certificate_id:
        raise DomainError(_("Choose the skill certificate the subsidy is for."),
                          field="certificate_id", code="required")
    if worker:
        cert = next((c for c in records.own_skill_record(verified_person_id=person.pk)
                     .certificates if c.pk == certificate_id), None)
    else:
        cert = issuance.issued_certificate_list(actor=actor).filter(pk=certificate_id).first()
        if cert is None and class_id is None:
            cert = outside.outside_certificate_list(actor=actor).filter(pk=certificate_id) \
                .first()
    if cert is None or cert.person_id != person.pk:
        raise NotFound()
    if class_id is not None and cert.training_class_id != class_id:
        raise DomainError(_("This certificate was not earned through the class."),
                          field="certificate_id", code="not_of_class")
    if cert.kind not in SUBSIDIZED_CERTIFICATES:
        raise DomainError(_("Only a skill-level or special-ability certificate is subsidized."),
                          field="certificate_id", code="invalid")
    if cert.status != CertificateStatus.VALID:
        raise DomainError(_("Certificate %(number)s is not valid (%(status)s).")
                          % {"number": cert.number, "status": cert.get_status_display()},
                          field="certificate_id", code="not_valid")
    if not cert.verified:
        raise DomainError(_("Certificate %(number)s, recorded from outside, is not verified "
                            "yet.") % {"number": cert.number}, field="certificate_id",
                          code="not_verified")
    return cert


@dataclass
class _Plan:
    person: object
    region: object
    payee_kind: str
    payee_name: str
    organization: object | None
    certificate: object | None
    training_class: object | None
    occupation: object | None
    level: object | None
    worker: bool
    enrollment: object | None = None
    employment: object | None = None


def _plan_class_kind(actor, kind: str, person_id, id_number, class_id) -> _Plan:
    """A living allowance or an employment uplift: the class's institution (a training
    institution's operators) or the HRSS office governing the class's region files it; the
    class must be finished (living allowance) or assessed (uplift)."""
    from jineng.training import selectors as training

    scope = scope_of(actor)
    hrss = is_hrss(actor)
    if not hrss and not scope.organization_id:
        raise Forbidden(_("You may not file this kind of subsidy."))
    if not class_id:
        raise DomainError(_("Choose the class."), field="class_id", code="required")
    cls = training.class_get(actor=actor, pk=class_id)
    if hrss:
        if not governs(actor, cls.region.code):
            raise NotFound()
        org = None
    else:
        org = registry.organization_get(actor=actor, pk=scope.organization_id)
        if org.kind != OrganizationKind.TRAINING:
            raise Forbidden(_("You may not file this kind of subsidy."))
        if cls.institution_id != org.pk:
            raise NotFound()
    states = UPLIFT_CLASS_STATES if kind == ClaimKind.EMPLOYMENT_UPLIFT else LIVING_CLASS_STATES
    if cls.status not in states:
        raise DomainError(
            _("This subsidy is filed for a finished class (for the employment uplift, one "
              "whose assessment is closed); this class is %(status)s.")
            % {"status": cls.get_status_display()}, field="class_id", code="class_not_finished")
    if kind == ClaimKind.EMPLOYMENT_UPLIFT:
        return _Plan(None, cls.region, PayeeKind.INSTITUTION, cls.institution.name,
                     cls.institution, None, cls, cls.occupation, cls.level, False,
                     employment=filed.class_employment(cls))
    person = _person_by(person_id, id_number)
    enrollment = (training.person_enrollments_unscoped(person.pk)
                  .filter(training_class_id=cls.pk).first())
    if enrollment is None:
        raise NotFound()
    if enrollment.status == WITHDRAWN_ENROLLMENT:
        raise DomainError(_("The trainee withdrew from the class."), field="person_id",
                          code="withdrawn")
    return _Plan(person, cls.region, PayeeKind.PERSON, person.name, org, None, cls,
                 cls.occupation, cls.level, False, enrollment=enrollment)


def _plan(actor, kind: str, person_id, id_number, certificate_id, class_id,
          verified_person_id) -> _Plan:
    if kind not in filed.FILED_KINDS:
        raise DomainError(_("Kind %(kind)s is not filed here; use one of: %(kinds)s.")
                          % {"kind": kind, "kinds": ", ".join(filed.FILED_KINDS)},
                          field="kind", code="invalid")
    if verified_person_id is not None:  # the worker, after the identity check
        if kind not in PERSON_KINDS:
            raise Forbidden(_("You may file a certificate or upskilling subsidy yourself."))
        person = _person_by(verified_person_id, "")
        if (person_id is not None and person_id != person.pk) or id_number:
            raise NotFound()
        cert = _certificate(actor, person, certificate_id, worker=True)
        return _Plan(person, person.region, PayeeKind.PERSON, person.name, None, cert, None,
                     cert.occupation, cert.level, True)
    if kind in filed.CLASS_KINDS:
        return _plan_class_kind(actor, kind, person_id, id_number, class_id)
    scope = scope_of(actor)
    if is_hrss(actor):
        if kind not in PERSON_KINDS:
            raise Forbidden(_("HRSS staff file certificate and upskilling subsidies for a "
                              "person; the enterprise or institution files this kind."))
        person = _person_by(person_id, id_number)
        if not governs(actor, person.region.code):
            raise NotFound()
        cert = _certificate(actor, person, certificate_id, worker=False)
        return _Plan(person, person.region, PayeeKind.PERSON, person.name, None, cert, None,
                     cert.occupation, cert.level, False)
    if not scope.organization_id or kind not in ORGANIZATION_KINDS:
        raise Forbidden(_("You may not file this kind of subsidy."))
    org = registry.organization_get(actor=actor, pk=scope.organization_id)
    org_kinds, payee = ORGANIZATION_KINDS[kind]
    if org.kind not in org_kinds:
        raise Forbidden(_("You may not file this kind of subsidy."))
    if not class_id:
        raise DomainError(_("Choose the class."), field="class_id", code="required")
    from jineng.training import selectors as training

    cls = training.class_get(actor=actor, pk=class_id)
    if cls.institution_id != org.pk:
        raise NotFound()
    person = _person_by(person_id, id_number)
    if not training.person_enrollments_unscoped(person.pk).filter(
            training_class_id=cls.pk).exists():
        raise NotFound()
    if kind == ClaimKind.APPRENTICESHIP:
        if cls.training_type != APPRENTICESHIP_TYPE:
            raise DomainError(_("The class is not a new-type apprenticeship class."),
                              field="class_id", code="not_apprenticeship")
        return _Plan(person, cls.region, payee, org.name, org, None, cls, cls.occupation,
                     cls.level, False)
    cert = _certificate(actor, person, certificate_id, worker=False, class_id=cls.pk)
    return _Plan(person, cls.region, payee, org.name, org, cert, cls, cert.occupation,
                 cert.level, False)


# --- the filing --------------------------------------------------------------------------------

def _same_filing(kind: str, plan: _Plan, claim_date: dt.date):
    if kind == ClaimKind.EMPLOYMENT_UPLIFT:
        qs = SubsidyClaim.objects.filter(kind=kind, training_class_id=plan.training_class.pk)
    else:
        qs = SubsidyClaim.objects.filter(kind=kind, person=plan.person)
    qs = qs.exclude(status=ClaimStatus.WITHDRAWN)
    if kind == ClaimKind.LIVING_ALLOWANCE:
        qs = qs.filter(enrollment_id=plan.enrollment.pk)
    elif kind == ClaimKind.EMPLOYMENT_UPLIFT:
        pass
    elif kind in CERTIFICATE_KINDS:
        qs = qs.filter(certificate_id=plan.certificate.pk)
    else:
        qs = qs.filter(organization=plan.organization, claim_date__year=claim_date.year)
    return qs.select_related("region", "person").order_by("-pk").first()


def _differs(claim: SubsidyClaim, plan: _Plan, claim_date: dt.date | None,
             account: str) -> str:
    """The first field in which a filing differs from the claim recorded for its key."""
    if claim.payee_kind != plan.payee_kind or claim.organization_id != (
            plan.organization.pk if plan.organization is not None else None):
        return "payee_kind"
    if claim.training_class_id != (plan.training_class.pk if plan.training_class else None):
        return "class_id"
    if claim_date is not None and claim.claim_date != claim_date:
        return "claim_date"
    if account and claim.account_hash != pii.keyed_hash(account):
        return "account"
    return ""


def claim_file(*, actor, kind: str, person_id: int | None = None, id_number: str = "",
               certificate_id: int | None = None, class_id: int | None = None,
               claim_date: dt.date | None = None, account: str = "", bank_name: str = "",
               verified_person_id: int | None = None,
               files: Sequence[tuple[str, object]] = ()) -> Filing:
    """File one claim (see the module's docstring). `verified_person_id`: the worker's own
    filing on the public site (the session's verified person); then the payee's account is
    required and the claim is submitted at once. `files`: (attachment kind, file) pairs
    attached to the claim in the same transaction (checked before anything is written; a
    claim the rules refuse, or a filing answered by the claim recorded before, keeps none) —
    the worker's claim is submitted at once, so its files come with the filing."""
    checked = [attachments.checked_file(kind_, file) for kind_, file in files]
    stored: list[str] = []
    try:
        return _file(actor, kind, person_id, id_number, certificate_id, class_id, claim_date,
                     account, bank_name, verified_person_id, checked, stored)
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


def _file(actor, kind, person_id, id_number, certificate_id, class_id, claim_date, account,
          bank_name, verified_person_id, checked, stored) -> Filing:
    plan = _plan(actor, kind, person_id, (id_number or "").strip(), certificate_id, class_id,
                 verified_person_id)
    needs_account = plan.worker or plan.payee_kind != PayeeKind.PERSON
    if needs_account or account or bank_name:
        account, bank_name = _account(account), _bank(bank_name)
    day = claim_date or timezone.localdate()
    with transaction.atomic():
        if plan.person is not None:
            registry.person_holding_hash_locked(plan.person.id_hash)
        else:  # an uplift: one filing of the class at a time
            from jineng.training import selectors as training

            training.class_lock(plan.training_class.pk)
        found = _same_filing(kind, plan, day)
        if found is not None:
            field = _differs(found, plan, claim_date, account)
            # A class kind refused on another day is decided again (the days attended, the
            # outcomes measures or the class's subsidies may have changed since).
            again = (kind in filed.CLASS_KINDS and found.status == ClaimStatus.REFUSED
                     and found.claim_date != day)
            if not field and not again:
                return Filing(claim=found, created=False,
                              refusal=_refusal_of(found),
                              evidence=selectors_applications.claim_evidence(found))
            if found.status != ClaimStatus.REFUSED:
                raise Conflict(_("This subsidy was already filed (claim %(id)s, %(status)s) "
                                 "with another %(field)s.")
                               % {"id": found.pk, "status": found.get_status_display(),
                                  "field": field}, field=field, code="already_filed")
        facts = filed.facts_of_filed(filed.Filed(
            kind=kind, person=plan.person, region=plan.region, payee_kind=plan.payee_kind,
            claim_date=day, occupation=plan.occupation, level=plan.level,
            certificate=plan.certificate, training_class=plan.training_class,
            enrollment=plan.enrollment, employment=plan.employment))
        params = evaluation.parameters_for(plan.region, day)
        if plan.person is None:
            history = evaluation.uplift_history(plan.training_class.pk)
        else:
            history = evaluation.history_for([plan.person.pk]).get(plan.person.pk, [])
        decision = evaluation.decide(facts, history, params)
        status = (ClaimStatus.REFUSED if not decision.allowed
                  else ClaimStatus.SUBMITTED if plan.worker else ClaimStatus.DRAFT)
        cls = plan.training_class
        claim = SubsidyClaim(
            kind=kind, person=plan.person, organization=plan.organization, region=plan.region,
            payee_kind=plan.payee_kind, payee_name=plan.payee_name,
            training_class_id=cls.pk if cls is not None else None,
            enrollment_id=plan.enrollment.pk if plan.enrollment is not None else None,
            certificate_id=plan.certificate.pk if plan.certificate is not None else None,
            certificate_date=plan.certificate.issued_on if plan.certificate else None,
            occupation=plan.occupation, level=plan.level, claim_date=day,
            amount=decision.amount, shares=evaluation.stored_shares(decision),
            steps=evaluation.stored_steps(decision),
            parameter_version=decision.parameter_version,
            refusal_code=decision.refusal_code or "",
            fund_source=fund_source_for(kind, cls.funding_source if cls is not None else ""),
            needs_city_review=needs_city_review(plan.region), status=status,
            created_by=actor if getattr(actor, "is_authenticated", False) else None)
        if account:
            _apply_account(claim, account, bank_name)
        try:
            with transaction.atomic():
                claim.save()
        except IntegrityError as exc:  # a live claim for the certificate filed meanwhile
            if plan.enrollment is not None:
                raise Conflict(_("A claim of this kind for this trainee is already filed."),
                               field="person_id", code="already_filed") from exc
            raise Conflict(_("A claim of this kind for this certificate is already filed."),
                           field="certificate_id", code="already_filed") from exc
        evidence = _evidence_of(plan, facts)
        note = {"refusal_code": claim.refusal_code} if claim.refusal_code else None
        if evidence:
            note = {**(note or {}), "evidence": evidence}
        if plan.worker and status == ClaimStatus.SUBMITTED:
            record_transition(ClaimStatusChange, subject_field="claim", subject=claim,
                              actor=actor, from_status="", to_status=ClaimStatus.DRAFT,
                              action="create", note={"filed_by": "person"})
            record_transition(ClaimStatusChange, subject_field="claim", subject=claim,
                              actor=actor, from_status=ClaimStatus.DRAFT, to_status=status,
                              action="submit", note={"filed_by": "person"})
        else:
            record_transition(ClaimStatusChange, subject_field="claim", subject=claim,
                              actor=actor, from_status="", to_status=status, action="create",
                              note=note)
        after = {**audit.snapshot(claim),
                 "filed_by": "person" if plan.worker else "staff_or_organization"}
        if evidence:
            after["evidence"] = evidence
        audit.record(actor=actor, action=AuditAction.CREATE, instance=claim, after=after)
        if status != ClaimStatus.REFUSED:
            for one in checked:
                attachments._store_checked(actor=actor, claim=claim, checked=one, stored=stored)
    return Filing(claim=claim, created=True,
                  refusal="" if decision.allowed else evaluation.refusal_sentence(decision),
                  evidence=evidence or None)


def _evidence_of(plan: _Plan, facts) -> dict:
    """What a class kind's facts were read from, recorded with the claim (its creation's
    history note and audit event): the outcomes run and counts of an uplift and the class's
    training subsidies; the days attended of a living allowance."""
    if plan.employment is not None:
        return {**plan.employment.evidence(),
                "class_subsidy_total": (f"{facts.class_subsidy_total:.2f}"
                                        if facts.class_subsidy_total is not None else "")}
    if plan.enrollment is not None:
        return {"enrollment": plan.enrollment.pk, "days_attended": facts.days or 0}
    return {}


def _refusal_of(claim: SubsidyClaim) -> str:
    """The rule's sentence for a refused claim (its last step holds the values)."""
    if claim.status != ClaimStatus.REFUSED or not claim.refusal_code:
        return ""
    from jineng.subsidy import messages

    params = (claim.steps[-1].get("params") or {}) if claim.steps else {}
    return messages.refusal_sentence(claim.refusal_code, params)
