"""Claims: created in batches from a finished and assessed class (凡补必进: no claim for
training not recorded in jineng), given the payee's account, submitted, reviewed (county, then
city where the region sets a second review) with reasons, returned for correction, refused,
withdrawn; a failed payment is re-applied; a paid claim found fraudulent is recovered.

Each service locks the claim row, asks subsidy.rules.lifecycle whether the actor may take the
action from the claim's state, and writes the state, the history entry and the audit event in one
transaction. Approval commits the amount against the fund's budget in the same transaction
(under the budget row's lock): nothing is approved beyond the budget."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jineng.assessment import selectors as assessment
from jineng.assessment.choices import CertificateKind, CertificateStatus
from jineng.core import audit, pii
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.history import record_transition
from jineng.core.models import AuditAction
from jineng.core.scoping import scope_of
from jineng.registry import selectors as registry
from jineng.registry.choices import RegionLevel
from jineng.subsidy import evaluation, plan_facts
from jineng.subsidy.choices import ClaimKind, ClaimStatus, EntryKind, FundSource, PayeeKind
from jineng.subsidy.models import ClaimStatusChange, SubsidyClaim
from jineng.subsidy.rules import lifecycle as lc
from jineng.subsidy.services.common import governs, governs_as_city, is_hrss, reason_text
from jineng.subsidy.services.funds import budget_for, commit_locked, ledger_write
from jineng.training import selectors as training

__all__ = [
    "BatchResult",
    "actor_kinds",
    "claim_batch_from_class",
    "claim_reapply",
    "claim_recover",
    "claim_review",
    "claim_set_account",
    "claim_submit",
    "claim_withdraw",
    "fund_source_for",
    "mask_account",
]

CLAIMABLE_CLASS_STATES = ("assessed", "settled")
# Kinds → the fund a claim is charged to, unless the class names its own funding.
KIND_FUNDS = {ClaimKind.UPSKILLING: FundSource.UNEMPLOYMENT_INSURANCE}
ACCOUNT_MIN, ACCOUNT_MAX = 8, 34


def fund_source_for(kind: str, class_funding: str = "") -> str:
    """The fund a claim is charged to: upskilling from the unemployment-insurance fund; a
    class's claims from the class's funding source; otherwise the employment subsidy fund."""
    if kind in KIND_FUNDS:
        return KIND_FUNDS[kind]
    if class_funding in FundSource.values:
        return class_funding
    return FundSource.EMPLOYMENT_SUBSIDY


def mask_account(account: str) -> str:
    """`6222021234567890123` → `6222***********0123`."""
    return account[:4] + "*" * max(len(account) - 8, 0) + account[-4:]


def _account(account: str) -> str:
    value = "".join((account or "").split())
    if not (value.isdigit() and ACCOUNT_MIN <= len(value) <= ACCOUNT_MAX):
        raise DomainError(_("The bank account is %(min)d to %(max)d digits.")
                          % {"min": ACCOUNT_MIN, "max": ACCOUNT_MAX}, field="account",
                          code="invalid")
    return value


def _bank(bank_name: str) -> str:
    value = (bank_name or "").strip()
    if not value:
        raise DomainError(_("Name the bank of the account."), field="bank_name",
                          code="required")
    return value[:100]


def _apply_account(claim: SubsidyClaim, account: str, bank_name: str) -> None:
    claim.account_encrypted = pii.encrypt(account)
    claim.account_hash = pii.keyed_hash(account)
    claim.account_masked = mask_account(account)
    claim.bank_name = bank_name


def actor_kinds(actor, claim: SubsidyClaim) -> set[str]:
    """What the actor is to this claim (lifecycle.CLAIMANT, COUNTY, CITY)."""
    kinds: set[str] = set()
    scope = scope_of(actor)
    if claim.organization_id and scope.organization_id == claim.organization_id:
        kinds.add(lc.CLAIMANT)
    if governs(actor, claim.region.code):
        kinds.add(lc.COUNTY)
        if claim.organization_id is None:
            kinds.add(lc.CLAIMANT)  # staff file for a person
    if governs_as_city(actor, claim.region.code):
        kinds.add(lc.CITY)
    return kinds


def _locked(actor, claim_id: int) -> SubsidyClaim:
    """The claim, locked until the transaction ends; NotFound when out of the actor's scope."""
    if not SubsidyClaim.objects.visible_to(actor).filter(pk=claim_id).exists():
        raise NotFound()
    return (SubsidyClaim.objects.select_for_update(of=("self",))
            .select_related("region", "region__parent", "organization", "budget", "person")
            .get(pk=claim_id))


ACTION_LABELS = {
    "submit": gettext_lazy("submit"), "approve": gettext_lazy("approve"),
    "return": gettext_lazy("return for correction"), "refuse": gettext_lazy("refuse"),
    "withdraw": gettext_lazy("withdraw"), "pay": gettext_lazy("pay"),
    "reapply": gettext_lazy("re-apply for payment"), "recover": gettext_lazy("recover"),
}


def _plan(actor, claim: SubsidyClaim, action: str, reason: str = "") -> str:
    """The state the action leads to, or the domain error saying why not."""
    label = ACTION_LABELS.get(action, action)
    try:
        return lc.plan_transition(action, claim.status, actor_kinds(actor, claim), reason,
                                  city_review=claim.needs_city_review)
    except lc.TransitionRefused as refusal:
        if refusal.code == "not_permitted":
            raise Forbidden(_("You may not %(action)s this claim.") % {"action": label}) \
                from refusal
        if refusal.code == "reason_required":
            raise DomainError(_("Give a reason."), field="reason", code="required") \
                from refusal
        raise Conflict(_("A claim that is %(status)s cannot be changed this way (%(action)s).")
                       % {"status": claim.get_status_display(), "action": label},
                       field="status", code="not_allowed_from") from refusal


def _move(actor, claim: SubsidyClaim, action: str, reason: str = "", note: dict | None = None,
          **changes) -> SubsidyClaim:
    """Take `action` on a locked claim: plan it, save the new state and `changes`, write the
    history entry and the audit event."""
    target = _plan(actor, claim, action, reason)
    before = claim.status
    claim.status = target
    claim.status_changed_at = timezone.now()
    for name, value in changes.items():
        setattr(claim, name, value)
    claim.save()
    record_transition(ClaimStatusChange, subject_field="claim", subject=claim, actor=actor,
                      from_status=before, to_status=target, action=action, reason=reason,
                      note=note)
    audit.record(actor=actor, action=AuditAction.TRANSITION, instance=claim,
                 before={"status": before}, after={"status": target, **(note or {})},
                 reason=reason[:500])
    return claim


# --- creating claims ---------------------------------------------------------------------------

@dataclass
class BatchResult:
    """What a batch creation did: the claims created (drafts, or refused with the rule's
    code), and the trainees skipped because they already have a claim."""

    created: list[SubsidyClaim] = field(default_factory=list)
    refused: list[SubsidyClaim] = field(default_factory=list)
    already: int = 0


def _certificates_by_person(actor, cls) -> dict[int, object]:
    """The valid skill-level certificate each trainee earned through the class (the newest)."""
    found = {}
    for cert in (assessment.issued_certificate_list(actor=actor)
                 .filter(training_class_id=cls.pk, status=CertificateStatus.VALID,
                         kind__in=[CertificateKind.SKILL_LEVEL,
                                   CertificateKind.SPECIAL_ABILITY])
                 .order_by("issued_on", "pk")):
        found[cert.person_id] = cert
    return found


def needs_city_review(region) -> bool:
    """A claim reviewed in a county goes to the city for a second review; a city's own claims
    are reviewed once."""
    return region.level == RegionLevel.COUNTY


def claim_batch_from_class(*, actor, class_id: int, payee_kind: str = PayeeKind.INSTITUTION,
                           account: str = "", bank_name: str = "",
                           claim_date: dt.date | None = None) -> BatchResult:
    """Training-subsidy claims for every trainee who completed a finished and assessed class
    (凡补必进), computed by the rules with the parameters in force: a draft with the amount and
    its steps, or a refused claim with the rule's code. Trainees who already hold a claim for
    the class are skipped (a repeat creates nothing). The institution's operators or the HRSS
    office of the class's region; the institution's account when it is the payee."""
    cls = training.class_get(actor=actor, pk=class_id)
    scope = scope_of(actor)
    if not (scope.organization_id == cls.institution_id or governs(actor, cls.region.code)):
        raise Forbidden(_("Only the class's institution or its HRSS office files its claims."))
    if cls.status not in CLAIMABLE_CLASS_STATES:
        raise DomainError(_("Claims are filed for a finished class whose assessment is closed; "
                            "this class is %(status)s.") % {"status": cls.get_status_display()},
                          field="class_id", code="class_not_assessed")
    if payee_kind not in (PayeeKind.INSTITUTION, PayeeKind.PERSON):
        raise DomainError(_("A class's training subsidy is paid to the institution or to the "
                            "person."), field="payee_kind", code="invalid")
    if payee_kind == PayeeKind.INSTITUTION:
        account, bank_name = _account(account), _bank(bank_name)
    claim_date = claim_date or timezone.localdate()
    result = BatchResult()
    with transaction.atomic():
        cls = training.class_lock(cls.pk)
        enrollments = list(training.completed_enrollments(cls))
        taken = set(SubsidyClaim.objects.filter(
            kind=ClaimKind.TRAINING, enrollment_id__in=[e.pk for e in enrollments])
            .exclude(status=ClaimStatus.WITHDRAWN).values_list("enrollment_id", flat=True))
        todo = [e for e in enrollments if e.pk not in taken]
        result.already = len(enrollments) - len(todo)
        if not todo:
            return result
        certificates = _certificates_by_person(actor, cls)
        params = evaluation.parameters_for(cls.region, claim_date)
        standard = evaluation.standard_for(cls, cls.start_date)
        urgent = evaluation.is_urgent(cls, cls.start_date)
        history = evaluation.history_for({e.person_id for e in todo})
        source = fund_source_for(ClaimKind.TRAINING, cls.funding_source)
        user = actor if getattr(actor, "is_authenticated", False) else None
        for enrollment in todo:
            person = enrollment.person
            certificate = certificates.get(person.pk)
            facts = evaluation.facts_for_class_trainee(
                cls, person.pk, certificate, payee_kind=payee_kind, claim_date=claim_date,
                standard=standard, urgent=urgent)
            decision = evaluation.decide(facts, history[person.pk], params)
            claim = SubsidyClaim(
                kind=ClaimKind.TRAINING, person=person, organization=cls.institution,
                region=cls.region, payee_kind=payee_kind,
                payee_name=cls.institution.name if payee_kind == PayeeKind.INSTITUTION
                else person.name,
                training_class_id=cls.pk, enrollment_id=enrollment.pk,
                certificate_id=certificate.pk if certificate is not None else None,
                certificate_date=certificate.issued_on if certificate is not None else None,
                occupation=cls.occupation, level=cls.level, claim_date=claim_date,
                amount=decision.amount,
                shares=evaluation.stored_shares(decision),
                steps=evaluation.stored_steps(decision),
                parameter_version=decision.parameter_version,
                refusal_code=decision.refusal_code or "",
                fund_source=source, needs_city_review=needs_city_review(cls.region),
                status=ClaimStatus.DRAFT if decision.allowed else ClaimStatus.REFUSED,
                created_by=user)
            if payee_kind == PayeeKind.INSTITUTION:
                _apply_account(claim, account, bank_name)
            claim.save()
            record_transition(ClaimStatusChange, subject_field="claim", subject=claim,
                              actor=actor, from_status="", to_status=claim.status,
                              action="create", note={"refusal_code": claim.refusal_code}
                              if claim.refusal_code else None)
            audit.record(actor=actor, action=AuditAction.CREATE, instance=claim,
                         after=audit.snapshot(claim))
            (result.created if decision.allowed else result.refused).append(claim)
            history[person.pk].append(evaluation.prior_of(claim))
    return result


# --- the claimant ------------------------------------------------------------------------------

EDITABLE = (ClaimStatus.DRAFT, ClaimStatus.RETURNED, ClaimStatus.PAYMENT_FAILED)


def claim_set_account(*, actor, claim_id: int, account: str, bank_name: str) -> SubsidyClaim:
    """The payee's bank account (stored encrypted with a keyed hash, shown masked), while the
    claim is a draft, returned, or its payment failed."""
    account, bank_name = _account(account), _bank(bank_name)
    with transaction.atomic():
        claim = _locked(actor, claim_id)
        if lc.CLAIMANT not in actor_kinds(actor, claim):
            raise Forbidden(_("Only the claimant changes the account."))
        if claim.status not in EDITABLE:
            raise Conflict(_("The account of a claim that is %(status)s cannot be changed.")
                           % {"status": claim.get_status_display()}, field="status",
                           code="not_editable")
        before = claim.account_masked
        _apply_account(claim, account, bank_name)
        claim.save(update_fields=["account_encrypted", "account_hash", "account_masked",
                                  "bank_name"])
        audit.record(actor=actor, action=AuditAction.UPDATE, instance=claim,
                     before={"account": before}, after={"account": claim.account_masked,
                                                        "bank_name": bank_name})
    return claim


def _recheck(claim: SubsidyClaim):
    """Evaluate a stored claim again against today's parameters and history (itself
    excluded); answers the decision. The person's row is locked first (inside the caller's
    transaction): two claims of one person submitted or approved at once are decided one
    after the other, so both cannot pass a limit that only one fits."""
    if claim.person_id:
        registry.person_holding_hash_locked(claim.person.id_hash)
    elif claim.kind == ClaimKind.EMPLOYMENT_UPLIFT and claim.training_class_id:
        training.class_lock(claim.training_class_id)  # an uplift's history is its class's
    params = evaluation.parameters_for(claim.region, claim.claim_date)
    facts = evaluation.facts_of_claim(claim)
    return evaluation.decide(facts, evaluation.history_of_claim(claim), params)


def claim_submit(*, actor, claim_id: int) -> SubsidyClaim:
    """Send a draft (or a returned claim) to review. Evaluated again first: a claim the rules
    now refuse is not submitted (the refusal names the rule), and the computation stored is
    the one in force now."""
    with transaction.atomic():
        claim = _locked(actor, claim_id)
        if not claim.account_encrypted:
            raise DomainError(_("Give the payee's bank account before submitting."),
                              field="account", code="required")
        _plan(actor, claim, "submit")  # refused before the rules run
        decision = _recheck(claim)
        if not decision.allowed:
            raise DomainError(evaluation.refusal_sentence(decision), field="claim",
                              code=decision.refusal_code or "refused")
        return _move(actor, claim, "submit", amount=decision.amount,
                     shares=evaluation.stored_shares(decision),
                     steps=evaluation.stored_steps(decision),
                     parameter_version=decision.parameter_version)


def claim_withdraw(*, actor, claim_id: int, reason: str = "") -> SubsidyClaim:
    """The claimant takes back a claim not yet approved; a claim whose payment failed is given
    up (its budget commitment is released)."""
    with transaction.atomic():
        claim = _locked(actor, claim_id)
        failed = claim.status == ClaimStatus.PAYMENT_FAILED
        _move(actor, claim, "withdraw", reason_text(reason, required=False))
        if failed and claim.budget_id:
            ledger_write(budget=claim.budget, kind=EntryKind.RELEASE, amount=claim.amount,
                         claim=claim, by=getattr(actor, "username", ""), note="withdrawn")
    return claim


def claim_reapply(*, actor, claim_id: int) -> SubsidyClaim:
    """支付失败再申请: a claim whose payment failed goes back to approved (its commitment
    stands), to be paid in a new batch, usually after its account was corrected."""
    with transaction.atomic():
        claim = _locked(actor, claim_id)
        return _move(actor, claim, "reapply")


# --- review ------------------------------------------------------------------------------------

REVIEW_ACTIONS = ("approve", "return", "refuse")


def claim_review(*, actor, claim_id: int, action: str, reason: str = "") -> SubsidyClaim:
    """A reviewer approves, returns (for correction) or refuses a claim, with a reason for the
    last two. The county's approval passes the claim to the city where a second review is
    set; the last approval commits the amount against the fund's budget of the claim's year
    in the same transaction, refused beyond it (`budget_exceeded`) or without one
    (`no_budget`); a claim computed with parameters no longer in force is refused
    (`stale_parameters`: submit it again)."""
    if action not in REVIEW_ACTIONS:
        raise DomainError(_("Choose approve, return or refuse."), field="action",
                          code="invalid")
    if not is_hrss(actor):
        raise Forbidden(_("Only HRSS staff review claims."))
    reason = reason_text(reason, required=action != "approve")
    with transaction.atomic():
        claim = _locked(actor, claim_id)
        target = None
        with contextlib.suppress(lc.TransitionRefused):  # _move raises the right error
            target = lc.plan_transition(action, claim.status, actor_kinds(actor, claim),
                                        reason, city_review=claim.needs_city_review)
        if action == "refuse":
            return _move(actor, claim, action, reason, refusal_reason=reason)
        if target != ClaimStatus.APPROVED:
            return _move(actor, claim, action, reason)
        decision = _recheck(claim)
        if not decision.allowed:
            raise DomainError(evaluation.refusal_sentence(decision), field="claim",
                              code=decision.refusal_code or "refused")
        if decision.parameter_version != claim.parameter_version:
            raise Conflict(_("The claim was computed with parameters %(old)s; %(new)s are in "
                             "force now. Return it so that it is submitted again.")
                           % {"old": claim.parameter_version or "—",
                              "new": decision.parameter_version or "—"},
                           field="parameter_version", code="stale_parameters")
        budget = budget_for(claim.fund_source, claim.region, claim.claim_date.year)
        if budget is None:
            raise DomainError(_("No %(source)s budget for %(year)s covers %(region)s.")
                              % {"source": claim.get_fund_source_display(),
                                 "year": claim.claim_date.year, "region": claim.region.name},
                              field="budget", code="no_budget")
        _move(actor, claim, action, reason, budget=budget)
        if claim.amount:
            commit_locked(by_user=actor, budget_id=budget.pk, amount=claim.amount, claim=claim,
                          note=f"claim {claim.pk}")
    return claim


def claim_recover(*, actor, claim_id: int, reason: str) -> SubsidyClaim:
    """追回: a paid claim found fraudulent is marked recovered and the amount is recorded as
    recovered to its fund (city or province HRSS staff)."""
    reason = reason_text(reason)
    with transaction.atomic():
        claim = _locked(actor, claim_id)
        _move(actor, claim, "recover", reason)
        plan_facts.claim_recovered(claim, timezone.localdate())
        if claim.budget_id and claim.amount:
            ledger_write(budget=claim.budget, kind=EntryKind.RECOVER, amount=claim.amount,
                         claim=claim, by=getattr(actor, "username", ""), note=reason[:500])
    return claim
