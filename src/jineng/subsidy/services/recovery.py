"""Recovery after confirmed fraud (追回, issue 13): the supervision app, once an inspector has
confirmed an alert with findings, asks for the subsidy claims involved (`claims_involved`) and
city or province HRSS staff recover them (`claims_recover_for_finding`).

Each paid claim is recovered through `claims.claim_recover` (state `recovered`, its history
entry, the fund ledger's `recover` entry for its amount, the audit event); claims not yet paid
are reported as still to stop (their reviewers refuse or withdraw them through the usual
review) and left as they are. All in one transaction: a refusal changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from jineng.core.errors import DomainError, Forbidden, NotFound
from jineng.subsidy.choices import ClaimStatus
from jineng.subsidy.models import SubsidyClaim
from jineng.subsidy.services.claims import claim_recover
from jineng.subsidy.services.common import CITY_ROLES, is_hrss, reason_text

__all__ = ["RecoveryResult", "claims_involved", "claims_recover_for_finding"]

MAX_CLAIMS = 500


@dataclass
class RecoveryResult:
    recovered: list[int] = field(default_factory=list)   # claims recovered now
    amount: Decimal = Decimal("0.00")                      # their amounts, to recover
    already: list[int] = field(default_factory=list)     # recovered before (idempotent)
    to_stop: list[tuple[int, str]] = field(default_factory=list)  # not paid: (id, status)


def claims_involved(viewer, *, person_ids=(), class_ids=(), organization_ids=()) -> QuerySet:
    """The claims of these persons, classes or claimant institutions that `viewer` sees
    (withdrawn and refused ones left out: nothing was granted). `viewer` None: unscoped."""
    q = Q(pk__in=[])
    if person_ids:
        q |= Q(person_id__in=list(person_ids))
    if class_ids:
        q |= Q(training_class_id__in=list(class_ids))
    if organization_ids:
        q |= Q(organization_id__in=list(organization_ids))
    qs = SubsidyClaim.objects.all() if viewer is None else SubsidyClaim.objects.visible_to(viewer)
    return (qs.filter(q).exclude(status__in=[ClaimStatus.WITHDRAWN, ClaimStatus.REFUSED])
            .select_related("region").order_by("pk"))


def claims_recover_for_finding(*, actor, claim_ids, reason: str,
                               reference: str = "") -> RecoveryResult:
    """Recover the paid claims among `claim_ids` for a confirmed finding. `reference` names the
    finding (e.g. "supervision alert 12") and is written into each claim's history reason."""
    ids = sorted({int(i) for i in claim_ids or ()})
    if not ids:
        raise DomainError(_("Name the claims to recover."), field="claim_ids", code="required")
    if len(ids) > MAX_CLAIMS:
        raise DomainError(_("At most %(n)d claims at a time.") % {"n": MAX_CLAIMS},
                          field="claim_ids", code="too_many")
    text = reason_text(reason)
    if reference.strip():
        text = f"{text}（{reference.strip()[:100]}）"
    if not (is_hrss(actor) and (getattr(actor, "role", "") in CITY_ROLES
                                or getattr(actor, "is_superuser", False))):
        raise Forbidden(_("Only city or province HRSS staff recover subsidies."))
    seen = dict(SubsidyClaim.objects.visible_to(actor).filter(pk__in=ids)
                .values_list("pk", "status"))
    missing = [i for i in ids if i not in seen]
    if missing:
        raise NotFound(_("Subsidy claim %(id)s not found.") % {"id": missing[0]})
    result = RecoveryResult()
    with transaction.atomic():
        for pk in ids:
            status = seen[pk]
            if status == ClaimStatus.RECOVERED:
                result.already.append(pk)
            elif status == ClaimStatus.PAID:
                claim = claim_recover(actor=actor, claim_id=pk, reason=text)
                result.recovered.append(pk)
                result.amount += claim.amount or Decimal("0")
            else:
                result.to_stop.append((pk, status))
        if not result.recovered and not result.already:
            raise DomainError(_("None of these claims has been paid: nothing to recover "
                                "(stop them in their review)."), field="claim_ids",
                              code="nothing_paid")
    return result
