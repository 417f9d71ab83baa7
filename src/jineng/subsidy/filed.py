"""The facts of a claim filed by a person, an enterprise or an institution (certificate,
upskilling, apprenticeship, evaluation: subsidy.services.applications), read from the records
they rest on — the certificate (its region says whether it was earned outside the province),
the catalog standard of occupation × level × region on the claim date, the urgency of the
occupation, the person's key groups, the months of unemployment insurance (the outcomes app's
social-insurance records) — so that filing, submission and approval decide on the same facts.
Reads only."""

from __future__ import annotations

import datetime as dt

from jineng.catalog import selectors as catalog
from jineng.subsidy.choices import ClaimKind
from jineng.subsidy.hooks import barred_until
from jineng.subsidy.rules import types as t

__all__ = ["FILED_KINDS", "Filed", "facts_of_filed", "filed_of_claim", "outside_province"]

FILED_KINDS = (ClaimKind.CERTIFICATE, ClaimKind.UPSKILLING, ClaimKind.APPRENTICESHIP,
               ClaimKind.EVALUATION)
DEFAULT_TRAINING_TYPE = "employment"
OTHER_PROVINCE = "other_province"  # assessment.choices.CertificateOrigin


class Filed:
    """What a filed claim is about (a stored claim or one about to be stored)."""

    def __init__(self, *, kind: str, person, region, payee_kind: str, claim_date: dt.date,
                 occupation=None, level=None, certificate=None, training_class=None,
                 claim_ref: str = "") -> None:
        self.kind, self.person, self.region = kind, person, region
        self.payee_kind, self.claim_date = payee_kind, claim_date
        self.occupation, self.level = occupation, level
        self.certificate, self.training_class, self.claim_ref = (certificate, training_class,
                                                                 claim_ref)


def outside_province(certificate, region) -> bool:
    """A certificate issued by another province (recorded from outside as such, or held by a
    region of another province)."""
    if certificate is None:
        return False
    if certificate.origin == OTHER_PROVINCE:
        return True
    return certificate.region_id is not None and certificate.region.code[:2] != region.code[:2]


def _standard(filed: Filed) -> t.Standard | None:
    if filed.occupation is None:
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

    return frozenset(KeyGroupMembership.objects.filter(person=person).active_on(day)
                     .values_list("group", flat=True))


def facts_of_filed(filed: Filed) -> t.ClaimFacts:
    """The rules' facts of a filed claim."""
    from jineng.subsidy.dry_run import insured_months

    day = filed.claim_date
    cert = filed.certificate
    urgent = (filed.occupation is not None and catalog.urgent_occupation_as_of(
        filed.occupation, filed.region, day) is not None)
    months = insured_months(filed.person.id_hash, day) \
        if filed.kind == ClaimKind.UPSKILLING else None
    cls = filed.training_class
    return t.ClaimFacts(
        kind=filed.kind, person_key=str(filed.person.pk), claim_date=day,
        region_code=filed.region.code, payee_kind=filed.payee_kind,
        occupation_code=(filed.occupation.code or "") if filed.occupation is not None else "",
        level=filed.level.code if filed.level is not None else "",
        level_rank=filed.level.rank if filed.level is not None else None,
        certificate_ref=str(cert.pk) if cert is not None else "",
        certificate_date=cert.issued_on if cert is not None else None,
        certificate_outside_province=outside_province(cert, filed.region),
        urgent_occupation=urgent, standard=_standard(filed),
        key_groups=_key_groups(filed.person, day), insured_months=months,
        claim_ref=filed.claim_ref, class_ref=str(cls.pk) if cls is not None else "",
        class_end_date=cls.end_date if cls is not None else None,
        person_barred_until=barred_until(filed.person.pk, day))


def filed_of_claim(claim) -> Filed:
    """A stored filed claim, its certificate and class read again."""
    from jineng.assessment.models import Certificate
    from jineng.training import selectors as training

    cert = (Certificate.objects.select_related("region").filter(pk=claim.certificate_id).first()
            if claim.certificate_id else None)
    cls = training.class_for_assessment(claim.training_class_id) \
        if claim.training_class_id else None
    return Filed(kind=claim.kind, person=claim.person, region=claim.region,
                 payee_kind=claim.payee_kind, claim_date=claim.claim_date,
                 occupation=claim.occupation, level=claim.level, certificate=cert,
                 training_class=cls, claim_ref=str(claim.pk))
