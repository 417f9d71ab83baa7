"""A claim the rules refused, decided again once its facts are fixed: a class's batch refuses
a trainee whose certificate was not issued yet, whose attendance or key group was recorded
late, or whom a limit stopped before an imported history entry was corrected; the batch run
again skips them (only withdrawn claims free a trainee). HRSS staff governing the claim's
region re-evaluate such a claim: the facts are read again (a training claim's certificate
earned in its class included), the rules run against the person's history under the person's
lock, and the claim becomes a draft with its amount and steps — or stays refused, nothing
written, with the rule's sentence.

Only refusals by the rules (a refusal code, no reviewer's reason): a reviewer's refusal is a
decision, not a missing fact, and stays final. Never a second claim: the claim itself moves
(refused → draft, history action `reevaluate`), and the database's one-live-claim constraints
(kind × enrollment, kind × certificate) answer 409 when another live claim holds the trainee
or the certificate meanwhile."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.assessment.choices import CertificateKind, CertificateStatus
from jineng.core import audit
from jineng.core.errors import Conflict, DomainError, Forbidden
from jineng.core.history import record_transition
from jineng.core.models import AuditAction
from jineng.subsidy import evaluation
from jineng.subsidy.choices import ClaimKind, ClaimStatus
from jineng.subsidy.models import ClaimStatusChange, SubsidyClaim
from jineng.subsidy.services.claims import _locked, _recheck
from jineng.subsidy.services.common import governs, is_hrss

__all__ = ["claim_reevaluate", "may_reevaluate"]


def refused_by_rules(claim: SubsidyClaim) -> bool:
    """Refused by the rules (a code, no reviewer's reason)."""
    return (claim.status == ClaimStatus.REFUSED and bool(claim.refusal_code)
            and not claim.refusal_reason)


def may_reevaluate(actor, claim: SubsidyClaim) -> bool:
    """Whether the claim page offers the re-evaluation to the actor."""
    return (refused_by_rules(claim) and is_hrss(actor)
            and governs(actor, claim.region.code))


def _class_certificate(actor, claim: SubsidyClaim):
    """A training claim's trainee's valid skill certificate earned in the class (the newest),
    as the class batch reads it; None when there is none yet."""
    from jineng.assessment import selectors as assessment

    return (assessment.issued_certificate_list(actor=actor)
            .filter(training_class_id=claim.training_class_id, person_id=claim.person_id,
                    status=CertificateStatus.VALID,
                    kind__in=[CertificateKind.SKILL_LEVEL, CertificateKind.SPECIAL_ABILITY])
            .order_by("-issued_on", "-pk").first())


def claim_reevaluate(*, actor, claim_id: int) -> SubsidyClaim:
    """Decide a claim refused by the rules again with the facts as they are now (see the
    module's docstring). Allowed now → a draft with the amount and its steps; still refused →
    DomainError with the rule's code and sentence, nothing written."""
    with transaction.atomic():
        claim = _locked(actor, claim_id)
        if not (is_hrss(actor) and governs(actor, claim.region.code)):
            raise Forbidden(_("Only HRSS staff over the claim's region re-evaluate it."))
        if not refused_by_rules(claim):
            raise Conflict(_("Only a claim refused by the rules is evaluated again (a "
                             "reviewer's refusal stands)."), field="status",
                           code="not_refused_by_rules")
        before = {"status": claim.status, "refusal_code": claim.refusal_code,
                  "certificate_id": claim.certificate_id}
        if claim.kind == ClaimKind.TRAINING and claim.training_class_id:
            cert = _class_certificate(actor, claim)
            claim.certificate_id = cert.pk if cert is not None else None
            claim.certificate_date = cert.issued_on if cert is not None else None
        decision = _recheck(claim)
        if not decision.allowed:
            raise DomainError(evaluation.refusal_sentence(decision), field="claim",
                              code=decision.refusal_code or "refused")
        claim.status = ClaimStatus.DRAFT
        claim.status_changed_at = timezone.now()
        claim.amount = decision.amount
        claim.shares = evaluation.stored_shares(decision)
        claim.steps = evaluation.stored_steps(decision)
        claim.parameter_version = decision.parameter_version
        claim.refusal_code = ""
        try:
            with transaction.atomic():
                claim.save()
        except IntegrityError as exc:  # another live claim holds the trainee or certificate
            raise Conflict(_("Another claim of this kind for this trainee or certificate "
                             "counts already; this one stays refused."), field="claim",
                           code="already_filed") from exc
        record_transition(ClaimStatusChange, subject_field="claim", subject=claim, actor=actor,
                          from_status=ClaimStatus.REFUSED, to_status=ClaimStatus.DRAFT,
                          action="reevaluate", note={"refusal_code": before["refusal_code"]})
        audit.record(actor=actor, action=AuditAction.TRANSITION, instance=claim, before=before,
                     after={"status": claim.status, "amount": str(claim.amount),
                            "certificate_id": claim.certificate_id,
                            "parameter_version": claim.parameter_version})
    return claim
