"""What the subsidy app adds to the plans' progress (the fact contract of `docs/plans.md`).

**When a subsidized person-time counts: at payment (delivery of the money), not at approval.**
补贴性培训人次 counts training paid for by public funds. An approval is a commitment that can
still come to nothing (the transfer fails and the claim is given up, the budget is released);
a claim approved in December and paid in January belongs to January's money. Counting at the
bank's confirmation means every person-time in a plan report is backed by a transfer the fund's
ledger shows as spent (BudgetEntry "spend"), so the plan figures and the fund's books agree. A
failed payment counts nothing; re-applied and paid, it counts once (the fact's `source_ref`).
A recovery (追回) is a correction: a fact of -1 dated the day of the recovery (a quarter
already reported is never rewritten).

Which claims: training subsidies (kind `training`, 职业培训补贴) — the metric is subsidized
*training*; certificate, upskilling and the other kinds pay for a certificate or a status, not
for a course held here.

One person-time per trainee and class: the fact's `source_ref` is the training app's
`training.subsidized:<enrollment id>`, so a trainee's person-time is counted once whichever app
records it first (the training app no longer writes it when the class finishes).

**Yuan paid** (metric `subsidy_amount_paid`, 元): every claim paid, whatever its kind (the
money left the fund), adds its amount paid (the government's share) as a fact, **rounded half
up to the whole yuan** — facts are integer counts; the recovery writes the same rounded value
negated, so a paid-then-recovered claim sums to exactly 0. A plan's yuan may differ from the
ledger's fen by at most half a yuan a claim; `paid_totals` answers the exact amounts (to the
fen) per county and month from the claims. A claim of amount 0 adds no yuan fact.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from jineng.plans import services as plans
from jineng.subsidy.choices import ClaimKind, ClaimStatus
from jineng.subsidy.models import ClaimStatusChange, SubsidyClaim

logger = logging.getLogger(__name__)

SOURCE = "subsidy"
METRIC = "person_times_subsidized"
AMOUNT_METRIC = "subsidy_amount_paid"  # whole yuan
COUNTED_KINDS = (ClaimKind.TRAINING,)  # person-times: training subsidies only
SUBSIDIZED_REF = "training.subsidized:"  # the training app's prefix (one person-time)
RECOVERED_REF = "subsidy.recovered:"
PAID_REF = "subsidy.paid:"  # a counted claim without an enrollment
AMOUNT_REF, AMOUNT_RECOVERED_REF = "subsidy.amount_paid:", "subsidy.amount_recovered:"


def yuan(amount: Decimal | None) -> int:
    """A claim's amount in whole yuan, rounded half up (the value of its yuan fact)."""
    return int((amount or Decimal(0)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _region(code: str) -> str:
    return "" if len(code) < 6 or code[:6].endswith("00") else code


def _training_type(class_id: int | None) -> str:
    if not class_id:
        return ""
    from jineng.training import selectors as training

    cls = training.class_for_assessment(class_id)
    return training.plans_training_type_of(cls.training_type) if cls is not None else ""


def _fact(claim: SubsidyClaim, day: dt.date, value: int, ref: str, *, metric: str = METRIC,
          training_type: str | None = None) -> plans.FactInput | None:
    region = _region(claim.region.code)
    if not region:
        logger.warning("subsidy claim %s: region %s is not a county; no plans fact",
                       claim.pk, claim.region.code)
        return None
    if training_type is None:
        training_type = _training_type(claim.training_class_id)
    return plans.FactInput(metric=metric, day=day, region_code=region, value=value,
                           organization_id=claim.organization_id,
                           training_type=training_type, source_ref=ref)


def paid_ref(claim: SubsidyClaim) -> str:
    return f"{SUBSIDIZED_REF}{claim.enrollment_id}" if claim.enrollment_id \
        else f"{PAID_REF}{claim.pk}"


def _facts_of(claim: SubsidyClaim, day: dt.date, *, paid: bool,
              training_type: str | None = None) -> list[plans.FactInput]:
    """The facts a payment (paid=True) or a recovery of the claim adds."""
    sign = 1 if paid else -1
    wanted = []
    if claim.kind in COUNTED_KINDS:
        wanted.append((METRIC, sign, paid_ref(claim) if paid else f"{RECOVERED_REF}{claim.pk}"))
    if yuan(claim.amount):
        wanted.append((AMOUNT_METRIC, sign * yuan(claim.amount),
                       f"{AMOUNT_REF if paid else AMOUNT_RECOVERED_REF}{claim.pk}"))
    if not wanted:
        return []
    if training_type is None:
        training_type = _training_type(claim.training_class_id)
    facts = [_fact(claim, day, value, ref, metric=metric, training_type=training_type)
             for metric, value, ref in wanted]
    return [f for f in facts if f is not None]


def claim_paid(claim: SubsidyClaim, day: dt.date) -> bool:
    """Called in the transaction that records the bank's "paid" for the claim: one
    person-time (a training subsidy) and its yuan. True when a fact was added (False: nothing
    to count, or counted before)."""
    added = [plans.actual_fact_add(source=SOURCE, fact=f)
             for f in _facts_of(claim, day, paid=True)]
    return any(added)


def claim_recovered(claim: SubsidyClaim, day: dt.date) -> bool:
    """Called in the transaction that marks a paid claim recovered: -1 person-time and the
    yuan negated, dated the recovery day."""
    added = [plans.actual_fact_add(source=SOURCE, fact=f)
             for f in _facts_of(claim, day, paid=False)]
    return any(added)


def record_paid_claims(*, actor=None) -> int:
    """Backfill, set-based: the facts of every paid (and recovered) claim — person-times of
    training claims, yuan of every kind — dated the day the bank's result was recorded (and
    the recovery's day). Facts recorded before are skipped (source_ref). Returns the facts
    offered."""
    facts: list[plans.FactInput] = []
    changes = (ClaimStatusChange.objects
               .filter(to_status__in=[ClaimStatus.PAID, ClaimStatus.RECOVERED])
               .select_related("claim", "claim__region").order_by("pk"))
    types: dict[int | None, str] = {}
    for change in changes.iterator(chunk_size=5000):
        claim = change.claim
        if not _region(claim.region.code):
            continue
        if claim.training_class_id not in types:
            types[claim.training_class_id] = _training_type(claim.training_class_id)
        facts += _facts_of(claim, timezone.localtime(change.at).date(),
                           paid=change.to_status == ClaimStatus.PAID,
                           training_type=types[claim.training_class_id])
    if not facts:
        return 0
    return plans.actual_facts_add_many(actor=actor, source=SOURCE, facts=facts)


def paid_totals(*, region_prefix: str = "", year: int | None = None) -> list[dict]:
    """Per county and month: training subsidies paid (person-times) and yuan paid, recovered
    claims excluded, from the claims' payment day (the status change to paid)."""
    qs = ClaimStatusChange.objects.filter(to_status=ClaimStatus.PAID,
                                          claim__kind__in=COUNTED_KINDS) \
        .exclude(claim__status=ClaimStatus.RECOVERED)
    if region_prefix:
        qs = qs.filter(claim__region__code__startswith=region_prefix)
    if year:
        qs = qs.filter(at__year=year)
    rows = (qs.annotate(month=TruncMonth("at"))
            .values("claim__region__code", "month")
            .annotate(person_times=Count("claim_id", distinct=True),
                      amount=Sum("claim__amount"))
            .order_by("claim__region__code", "month"))
    out: dict[tuple, dict] = defaultdict(dict)
    for r in rows:
        month = r["month"].date() if hasattr(r["month"], "date") else r["month"]
        out[(r["claim__region__code"], month)] = {
            "region_code": r["claim__region__code"], "month": month,
            "person_times": r["person_times"], "amount": r["amount"] or Decimal("0")}
    return list(out.values())
