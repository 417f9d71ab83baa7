"""Payment: approved claims go into a batch, the batch is exported once as a bank-transfer
file, and the bank's results come back. A claim is paid exactly once:

- a claim is pending or paid in one batch at most (a database constraint on PaymentItem), and
  the claims are locked while a batch takes them, so two batches made at once share none;
- the transfer file is written at the first export, in the transaction that moves the claims
  to "in payment", and kept: a second export hands out the same bytes, and a crash before the
  transaction ends leaves nothing exported (the retry writes the same file again);
- bank results mark each transfer once: a repeat of the same result changes nothing, a
  contradicting one is a row error; an unknown reference is a row error; a file with any
  error writes nothing.

Bank-transfer file layout (CSV, UTF-8 with BOM; documented in docs/subsidy.md): 序号 (line),
转账参考号 (reference, answered by the bank), 收款人名称 (payee name), 收款账号 (account),
开户银行 (bank), 金额 (amount, yuan with two decimals), 用途 (purpose). Results file:
转账参考号 / reference, 结果 / result (成功 paid, 失败 failed), 失败原因 / reason."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.core import audit, pii, tabular
from jineng.core.errors import Conflict, DomainError, NotFound
from jineng.core.models import AuditAction
from jineng.subsidy import plan_facts
from jineng.subsidy.choices import BatchStatus, ClaimStatus, EntryKind, FundSource, ItemResult
from jineng.subsidy.models import ClaimStatusChange, PaymentBatch, PaymentItem, SubsidyClaim
from jineng.subsidy.rules import lifecycle as lc
from jineng.subsidy.services.common import ensure_hrss_over, region_by_code
from jineng.subsidy.services.funds import ledger_write

__all__ = ["EXPORT_HEADERS", "RESULT_HEADERS", "ResultReport", "payment_batch_create",
           "payment_batch_export", "payment_results_import"]

EXPORT_HEADERS = ("序号", "转账参考号", "收款人名称", "收款账号", "开户银行", "金额", "用途")
RESULT_HEADERS = {"转账参考号": "reference", "reference": "reference", "结果": "result",
                  "result": "result", "失败原因": "reason", "reason": "reason"}
PAID_WORDS = {"成功": ItemResult.PAID, "paid": ItemResult.PAID, "success": ItemResult.PAID,
              "失败": ItemResult.FAILED, "failed": ItemResult.FAILED}
MAX_BATCH = 5000


def _history(actor, claim: SubsidyClaim, action: str, target: str, reason: str = "",
             note: dict | None = None) -> None:
    before = claim.status
    claim.status = target
    claim.status_changed_at = timezone.now()
    claim.save(update_fields=["status", "status_changed_at"])
    ClaimStatusChange.objects.create(
        claim=claim, action=action, from_status=before, to_status=target, reason=reason,
        note=note or {}, actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_username=getattr(actor, "username", "") or "system")


def payment_batch_create(*, actor, region_code: str, fund_source: str,
                         claim_ids: list[int] | None = None) -> PaymentBatch:
    """A batch of the approved claims of a region's subtree charged to one fund (all of them,
    or those named), for city or province HRSS staff. Claims already in a batch are left out;
    a named claim that is not approved, not in the region or of another fund is refused."""
    region = region_by_code(region_code)
    ensure_hrss_over(actor, region.code, city=True)
    if fund_source not in FundSource.values:
        raise DomainError(_("Unknown fund source %(value)s.") % {"value": fund_source},
                          field="fund_source", code="unknown")
    with transaction.atomic():
        qs = (SubsidyClaim.objects.select_for_update(of=("self",))
              .filter(region__code__startswith=region.scope_prefix, fund_source=fund_source,
                      status=ClaimStatus.APPROVED).order_by("pk"))
        if claim_ids is not None:
            wanted = sorted(set(claim_ids))
            qs = qs.filter(pk__in=wanted)
        claims = list(qs[:MAX_BATCH])
        if claim_ids is not None:
            missing = sorted(set(claim_ids) - {c.pk for c in claims})
            if missing:
                raise DomainError(_("Claim %(id)s is not an approved claim of this region and "
                                    "fund.") % {"id": missing[0]}, field="claim_ids",
                                  code="not_payable")
        busy = set(PaymentItem.objects.filter(claim__in=claims)
                   .exclude(result=ItemResult.FAILED).values_list("claim_id", flat=True))
        claims = [c for c in claims if c.pk not in busy]
        if not claims:
            raise DomainError(_("No approved claim is waiting for payment."), field="claim_ids",
                              code="nothing_to_pay")
        no_account = [c.pk for c in claims if not c.account_encrypted or not c.amount]
        if no_account:
            raise DomainError(_("Claim %(id)s has no bank account or amount.")
                              % {"id": no_account[0]}, field="claim_ids", code="no_account")
        now = timezone.now()
        batch = PaymentBatch.objects.create(
            region=region, fund_source=fund_source,
            reference=f"PB-{uuid.uuid4().hex}",  # replaced by the numbered one below
            total=sum(c.amount for c in claims), count=len(claims),
            created_by=actor if getattr(actor, "is_authenticated", False) else None)
        batch.reference = f"PB{now:%Y%m%d}{batch.pk:08d}"
        batch.save(update_fields=["reference"])
        try:
            PaymentItem.objects.bulk_create([
                PaymentItem(batch=batch, claim=c, reference=f"{batch.reference}-{c.pk:010d}",
                            amount=c.amount, payee_name=c.payee_name,
                            account_encrypted=c.account_encrypted,
                            account_masked=c.account_masked, bank_name=c.bank_name)
                for c in claims])
        except IntegrityError as clash:  # the constraint holds whatever raced past the lock
            raise Conflict(_("A claim of this batch is already in another batch."),
                           field="claim_ids", code="in_another_batch") from clash
        audit.record(actor=actor, action=AuditAction.CREATE, instance=batch,
                     after={"reference": batch.reference, "count": batch.count,
                            "total": str(batch.total), "claims": [c.pk for c in claims]})
    return batch


def _file(batch: PaymentBatch) -> bytes:
    """The transfer file: one line per item in item order; nothing in it depends on when it
    is written, so the same batch always gives the same bytes."""
    rows = []
    for n, item in enumerate(batch.items.order_by("pk"), start=1):
        rows.append([n, item.reference, item.payee_name, pii.decrypt(item.account_encrypted),
                     item.bank_name, f"{item.amount:.2f}",
                     f"{item.claim.get_kind_display()} {item.claim_id}"])
    return tabular.write_csv(EXPORT_HEADERS, rows)


def payment_batch_export(*, actor, batch_id: int) -> bytes:
    """The batch's bank-transfer file. The first export writes it and moves the claims to "in
    payment"; later exports answer the same bytes (and are audited)."""
    batch = PaymentBatch.objects.select_related("region").filter(pk=batch_id).first()
    if batch is None or not PaymentBatch.objects.visible_to(actor).filter(pk=batch_id).exists():
        raise NotFound()
    ensure_hrss_over(actor, batch.region.code, city=True)
    with transaction.atomic():
        batch = PaymentBatch.objects.select_for_update().get(pk=batch_id)
        first = batch.status == BatchStatus.OPEN
        if first:
            data = _file(batch)
            claims = list(SubsidyClaim.objects.select_for_update(of=("self",))
                          .filter(payment_items__batch=batch).order_by("pk"))
            for claim in claims:
                lc.plan_transition("pay", claim.status, {lc.CITY})
                _history(actor, claim, "pay", ClaimStatus.IN_PAYMENT,
                         note={"batch": batch.reference})
            batch.file_csv = data
            batch.file_sha256 = hashlib.sha256(data).hexdigest()
            batch.status = BatchStatus.EXPORTED
            batch.exported_at = timezone.now()
            batch.save(update_fields=["file_csv", "file_sha256", "status", "exported_at"])
        audit.record(actor=actor, action=AuditAction.EXPORT, instance=batch,
                     after={"sha256": batch.file_sha256, "first": first})
        return bytes(batch.file_csv)


@dataclass
class ResultReport:
    paid: int = 0
    failed: int = 0
    repeated: int = 0
    errors: list[dict] = field(default_factory=list)


def payment_results_import(*, actor, batch_id: int, data: bytes,
                           filename: str = "results.csv") -> ResultReport:
    """The bank's answers for an exported batch: each transfer paid (the claim is paid, its
    commitment spent) or failed with a reason (支付失败: the claim waits to be re-applied).
    Row errors (unknown reference, unknown result, a result contradicting the one recorded)
    refuse the whole file: nothing is written. A repeat changes nothing."""
    batch = PaymentBatch.objects.select_related("region").filter(pk=batch_id).first()
    if batch is None or not PaymentBatch.objects.visible_to(actor).filter(pk=batch_id).exists():
        raise NotFound()
    ensure_hrss_over(actor, batch.region.code, city=True)
    rows = tabular.read_rows(data, filename, RESULT_HEADERS)
    report = ResultReport()
    with transaction.atomic():
        batch = PaymentBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status == BatchStatus.OPEN:
            raise Conflict(_("Export the batch before importing the bank's results."),
                           field="batch", code="not_exported")
        items = {i.reference: i for i in PaymentItem.objects.select_for_update()
                 .filter(batch=batch)}
        plan = []
        for row in rows:
            ref = row.values.get("reference", "")
            result = PAID_WORDS.get(row.values.get("result", "").strip().lower())
            reason = row.values.get("reason", "")
            item = items.get(ref)
            if item is None:
                report.errors.append({"row": row.number, "field": "reference",
                                      "message": _("Unknown transfer reference %(ref)s.")
                                      % {"ref": ref or "—"}})
            elif result is None:
                report.errors.append({"row": row.number, "field": "result",
                                      "message": _("The result is 成功 or 失败.")})
            elif result == ItemResult.FAILED and not reason:
                report.errors.append({"row": row.number, "field": "reason",
                                      "message": _("A failed transfer needs its reason.")})
            elif item.result == result:
                report.repeated += 1
            elif item.result != ItemResult.PENDING:
                report.errors.append({"row": row.number, "field": "result",
                                      "message": _("Transfer %(ref)s is already recorded as "
                                                   "%(result)s.")
                                      % {"ref": ref, "result": item.get_result_display()}})
            else:
                plan.append((item, result, reason))
        if report.errors:
            first = report.errors[0]
            raise DomainError(_("Row %(row)s: %(message)s") % first, field=first["field"],
                              code="row_errors")
        now = timezone.now()
        by = getattr(actor, "username", "") or "system"
        for item, result, reason in plan:
            claim = SubsidyClaim.objects.select_for_update(of=("self",)).select_related(
                "budget").get(pk=item.claim_id)
            lc.plan_transition("mark_paid" if result == ItemResult.PAID else "mark_failed",
                               claim.status, {lc.BANK}, reason)
            item.result, item.failure_reason, item.result_at = result, reason[:500], now
            item.save(update_fields=["result", "failure_reason", "result_at"])
            if result == ItemResult.PAID:
                _history(actor, claim, "mark_paid", ClaimStatus.PAID,
                         note={"reference": item.reference})
                if claim.budget_id:
                    ledger_write(budget=claim.budget, kind=EntryKind.SPEND, amount=item.amount,
                                 claim=claim, by=by, note=item.reference)
                plan_facts.claim_paid(claim, timezone.localdate())
                report.paid += 1
            else:
                _history(actor, claim, "mark_failed", ClaimStatus.PAYMENT_FAILED,
                         reason=reason[:500], note={"reference": item.reference})
                report.failed += 1
        if not PaymentItem.objects.filter(batch=batch, result=ItemResult.PENDING).exists():
            batch.status, batch.closed_at = BatchStatus.CLOSED, now
            batch.save(update_fields=["status", "closed_at"])
        if plan:
            audit.record(actor=actor, action=AuditAction.IMPORT, instance=batch,
                         after={"paid": report.paid, "failed": report.failed,
                                "repeated": report.repeated})
    return report
