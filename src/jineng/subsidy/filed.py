"""The facts of a claim filed by a person, an enterprise or an institution (certificate,
upskilling, apprenticeship, evaluation, living allowance, employment uplift:
subsidy.services.applications), read from the records they rest on — the certificate (its
region says whether it was earned outside the province), the catalog standard of occupation ×
level × region on the claim date, the urgency of the occupation, the person's key groups, the
months of unemployment insurance (the outcomes app's social-insurance records), the days a
trainee attended (the training app's attendance), a class's trainees stably employed (the
outcomes job's measures) and its training subsidies — so that filing, submission and approval
decide on the same facts. Reads only."""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum
from django.utils.translation import gettext as _

from jineng.catalog import selectors as catalog
from jineng.core.errors import DomainError
from jineng.subsidy.choices import ClaimKind, ClaimStatus
from jineng.subsidy.hooks import barred_until
from jineng.subsidy.rules import types as t

__all__ = ["CLASS_KINDS", "FILED_KINDS", "Filed", "class_employment", "class_training_total",
           "facts_of_filed", "filed_of_claim", "outside_province"]

FILED_KINDS = (ClaimKind.CERTIFICATE, ClaimKind.UPSKILLING, ClaimKind.APPRENTICESHIP,
               ClaimKind.EVALUATION, ClaimKind.LIVING_ALLOWANCE, ClaimKind.EMPLOYMENT_UPLIFT)
# Kinds resting on a class (and, for the living allowance, a trainee's enrollment in it) rather
# than on a certificate; no catalog standard (a daily rate, a share of the class's subsidies).
CLASS_KINDS = (ClaimKind.LIVING_ALLOWANCE, ClaimKind.EMPLOYMENT_UPLIFT)
# The training subsidies of a class that make the uplift's base: approved and not given up
# (approved, in payment, paid, or a failed payment waiting to be paid again — the commitment
# stands); not drafts or claims in review, not refused, withdrawn or recovered ones.
COUNTED_TRAINING = (ClaimStatus.APPROVED, ClaimStatus.IN_PAYMENT, ClaimStatus.PAID,
                    ClaimStatus.PAYMENT_FAILED)
DEFAULT_TRAINING_TYPE = "employment"
OTHER_PROVINCE = "other_province"  # assessment.choices.CertificateOrigin


class Filed:
    """What a filed claim is about (a stored claim or one about to be stored)."""

    def __init__(self, *, kind: str, person, region, payee_kind: str, claim_date: dt.date,
                 occupation=None, level=None, certificate=None, training_class=None,
                 claim_ref: str = "", enrollment=None, employment=None) -> None:
        self.kind, self.person, self.region = kind, person, region
        self.payee_kind, self.claim_date = payee_kind, claim_date
        self.occupation, self.level = occupation, level
        self.certificate, self.training_class, self.claim_ref = (certificate, training_class,
                                                                 claim_ref)
        # living allowance: the trainee's enrollment; employment uplift: the class's counts
        # (outcomes.selectors.employment.ClassEmployment), read when not given
        self.enrollment, self.employment = enrollment, employment


def class_employment(cls):
    """How many of the class's trainees the outcomes job measured stably employed: the
    trainees counted are those who completed the class (the training subsidy's trainees,
    withdrawals left out); refused with `not_measured` while the job has not measured every
    one of them over the whole window (its records do not reach the window's end yet)."""
    from jineng.outcomes.selectors import employment
    from jineng.training import selectors as training

    ids = list(training.completed_enrollments(cls).values_list("pk", flat=True))
    found = employment.class_stable_employment(cls.pk, ids)
    if found is None:
        raise DomainError(_("The outcomes job has not measured the trainees of class %(class)s "
                            "yet: file the employment uplift after its next run.")
                          % {"class": cls.pk}, field="class_id", code="not_measured")
    if not found.complete:
        raise DomainError(
            _("The outcomes run of %(time)s (records through %(through)s) knows the stable "
              "employment of %(known)s of the class's %(trainees)s trainees who completed it: "
              "file the employment uplift when every one is measured over the %(months)s "
              "months after the class end.")
            % {"time": found.run_finished_at.strftime("%Y-%m-%d %H:%M")
               if found.run_finished_at else "—",
               "through": found.data_through.isoformat() if found.data_through else "—",
               "known": found.measured - found.not_known, "trainees": found.asked,
               "months": found.window_months}, field="class_id", code="not_measured")
    return found


def class_training_total(class_id: int):
    """The class's training subsidies (the uplift's base): the amounts of its training claims
    approved and not given up (COUNTED_TRAINING); None when there is none."""
    from jineng.subsidy.models import SubsidyClaim

    return (SubsidyClaim.objects.filter(kind=ClaimKind.TRAINING, training_class_id=class_id,
                                        status__in=COUNTED_TRAINING)
            .aggregate(total=Sum("amount"))["total"])


def outside_province(certificate, region) -> bool:
    """A certificate issued by another province (recorded from outside as such, or held by a
    region of another province)."""
    if certificate is None:
        return False
    if certificate.origin == OTHER_PROVINCE:
        return True
    return certificate.region_id is not None and certificate.region.code[:2] != region.code[:2]


def _standard(filed: Filed) -> t.Standard | None:
    if filed.occupation is None or filed.kind in CLASS_KINDS:
        return None
    training_type = getattr(filed.training_class, "training_type", "") or DEFAULT_TRAINING_TYPE
    answer = catalog.subsidy_standard_as_of(filed.occupation, filed.level, filed.region,
                                            training_type, filed.claim_date)
    if answer is None:
        return None
    e = answer.entry
    return t.Standard(
        amount=e.amount, ref=f"catalog:{answer.version_id}:{e.pk}",
        urgent_uplift=e.urgent_uplift, key_group_uplift=e.key_group_uplift,
        material_cost=e.material_cost,
        shares=t.Shares(government=e.government_share, enterprise=e.enterprise_share,
                        individual=e.individual_share))


def _key_groups(person, day: dt.date) -> frozenset[str]:
    from jineng.registry.models import KeyGroupMembership

    if person is None:
        return frozenset()
    return frozenset(KeyGroupMembership.objects.filter(person=person).active_on(day)
                     .values_list("group", flat=True))


def facts_of_filed(filed: Filed) -> t.ClaimFacts:
    """The rules' facts of a filed claim."""
    from jineng.subsidy.dry_run import insured_months

    day = filed.claim_date
    cert = filed.certificate
    person = filed.person
    urgent = (filed.occupation is not None and filed.kind not in CLASS_KINDS
              and catalog.urgent_occupation_as_of(filed.occupation, filed.region, day)
              is not None)
    months = insured_months(person.id_hash, day) \
        if filed.kind == ClaimKind.UPSKILLING else None
    cls = filed.training_class
    days = trainees = employed = 0
    window = total = None
    if filed.kind == ClaimKind.LIVING_ALLOWANCE and filed.enrollment is not None:
        from jineng.training import selectors as training

        days = training.attendance_days(filed.enrollment.pk)
    if filed.kind == ClaimKind.EMPLOYMENT_UPLIFT and cls is not None:
        counts = filed.employment or class_employment(cls)
        trainees, employed, window = counts.asked, counts.stably_employed, counts.window_months
        total = class_training_total(cls.pk)
    unlisted = (filed.kind in CLASS_KINDS and cls is not None
                and catalog.organization_status_on(cls.institution, day) != "listed")
    return t.ClaimFacts(
        kind=filed.kind, person_key=str(person.pk) if person is not None else "",
        claim_date=day,
        region_code=filed.region.code, payee_kind=filed.payee_kind,
        occupation_code=(filed.occupation.code or "") if filed.occupation is not None else "",
        level=filed.level.code if filed.level is not None else "",
        level_rank=filed.level.rank if filed.level is not None else None,
        certificate_ref=str(cert.pk) if cert is not None else "",
        certificate_date=cert.issued_on if cert is not None else None,
        certificate_outside_province=outside_province(cert, filed.region),
        urgent_occupation=urgent, standard=_standard(filed),
        key_groups=_key_groups(person, day), insured_months=months,
        days=days if filed.kind == ClaimKind.LIVING_ALLOWANCE else None,
        claim_ref=filed.claim_ref, class_ref=str(cls.pk) if cls is not None else "",
        class_end_date=cls.end_date if cls is not None else None,
        trainees=trainees, stably_employed=employed, employment_window_months=window,
        class_subsidy_total=total, institution_unlisted=unlisted,
        person_barred_until=barred_until(person.pk, day) if person is not None else "")


def filed_of_claim(claim) -> Filed:
    """A stored filed claim, its certificate and class read again."""
    from jineng.assessment.models import Certificate
    from jineng.training import selectors as training

    cert = (Certificate.objects.select_related("region").filter(pk=claim.certificate_id).first()
            if claim.certificate_id else None)
    cls = training.class_for_assessment(claim.training_class_id) \
        if claim.training_class_id else None
    enrollment = training.enrollment_for_assessment(claim.enrollment_id) \
        if claim.enrollment_id else None
    return Filed(kind=claim.kind, person=claim.person, region=claim.region,
                 payee_kind=claim.payee_kind, claim_date=claim.claim_date,
                 occupation=claim.occupation, level=claim.level, certificate=cert,
                 training_class=cls, claim_ref=str(claim.pk), enrollment=enrollment)
