"""The subsidy demo (issue 12), built on the training and assessment demos through the subsidy
app's own services, so every row is what the app itself would write:

- the shipped national and Guizhou parameter sets, published by the province demo user;
- training-subsidy claims of the demo institution's latest assessed classes in 贵阳 (the city
  and county demo users review them), at every state: draft, submitted (county review), in
  city review, returned, refused, withdrawn, approved, in payment, paid, payment failed,
  re-applied (支付失败再申请), recovered (追回);
- budgets of two fund sources near their limit (the claims' fund, sized to what was approved;
  the unemployment-insurance fund with a commitment close to its amount);
- a few subsidies paid by the previous system (history import), so the limits show them;
- living allowances (Guizhou's illustrative 50 yuan a day) filed by the institution for a few
  key-group trainees of those classes, by the days they attended.

Each demo role sees its own part: the trainer its institution's claims, the county its
county's reviews, the city the second review, budgets and payment batches, the province all.
Kept small (a few classes) so the tier-S build stays fast."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from decimal import ROUND_UP, Decimal

from jineng.subsidy import services
from jineng.subsidy.choices import ClaimStatus, FundSource
from jineng.subsidy.models import (
    Budget,
    BudgetEntry,
    ClaimStatusChange,
    HistoricSubsidy,
    ParameterSet,
    PaymentBatch,
    PaymentItem,
    SubsidyClaim,
)
from jineng.subsidy.rules import parameters as loader
from jineng.subsidy.services import history

__all__ = ["CLASSES", "PLAN_FACTS_SOURCE", "build_demo_subsidy"]

PLAN_FACTS_SOURCE = "subsidy"  # plan_facts.SOURCE
CITY = "520100"
COUNTY = "520102"
CLASSES = {"XS": 2, "S": 3, "M": 4, "L": 6}
ACCOUNT = "6222021234567890123"
BANK = "中国工商银行贵阳中华北路支行"
DEMO_MODELS = (ParameterSet, Budget, SubsidyClaim, ClaimStatusChange, BudgetEntry,
               PaymentBatch, PaymentItem, HistoricSubsidy)


def _user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=username).first()


def _results(lines: list[tuple[str, str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["转账参考号", "结果", "失败原因"])
    writer.writerows(lines)
    return out.getvalue().encode("utf-8")


SHIPPED = ("national.yaml", "guizhou.yaml")


def _publish(province, admin) -> int:
    """The shipped national and Guizhou sets, published (unless their region has one); the
    national default by the system administrator, the province's by its staff."""
    n = 0
    for name in SHIPPED:
        text = (loader.PARAMETERS_DIR / name).read_text(encoding="utf-8")
        actor = admin if name == "national.yaml" else province
        if actor is None:
            continue
        row = services.parameter_set_upload(actor=actor, yaml_text=text)
        if ParameterSet.objects.filter(region_id=row.region_id,
                                       status="published").exists():
            row.delete()  # a set of its own is published already: keep it
            continue
        services.parameter_set_publish(actor=actor, parameter_set_id=row.pk)
        n += 1
    return n


def _classes(institution_id: int, n: int):
    from jineng.training.models import TrainingClass

    found = TrainingClass.objects.filter(institution_id=institution_id,
                                         status__in=["assessed", "settled"],
                                         region__code__startswith=CITY[:4])
    # The county demo user's classes first (they review those), the latest first.
    return sorted(found.order_by("-end_date", "-pk")[:50],
                  key=lambda c: (c.region.code != COUNTY, -c.end_date.toordinal()))[:n]


def build_demo_subsidy(*, scale: str, seed: int, today: dt.date,
                       anchors: dict[str, int] | None = None) -> dict:
    """Build the subsidy demo; returns counts, seconds and the primary-key `blocks` made."""
    started = time.perf_counter()
    firsts = {m: (m.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
              for m in DEMO_MODELS}
    province, city, county, trainer = (_user(u) for u in ("province", "city", "county",
                                                          "trainer"))
    counts: dict[str, int] = {}
    if None in (province, city, county, trainer) or not (anchors or {}).get("training"):
        return {"subsidy_claims": 0, "seconds": 0.0, "blocks": []}
    counts["subsidy_parameter_sets"] = _publish(province, _user("admin"))
    claims: list[SubsidyClaim] = []
    classes = _classes(anchors["training"], CLASSES.get(scale, 3))
    for cls in classes:
        result = services.claim_batch_from_class(actor=trainer, class_id=cls.pk,
                                                 account=ACCOUNT, bank_name=BANK,
                                                 claim_date=today)
        claims += result.created
    counts["subsidy_living_allowances"] = _living_allowances(trainer, classes, today)
    counts["subsidy_claims"] = len(claims)
    counts["subsidy_claims_refused_by_rules"] = SubsidyClaim.objects.filter(
        pk__gt=firsts[SubsidyClaim], status=ClaimStatus.REFUSED).count()
    if len(claims) >= 10:  # enough for every state (see _walk)
        _walk(claims, today=today, province=province, city=city, county=county,
              trainer=trainer)
    _history(province, today)
    counts["subsidy_history"] = HistoricSubsidy.objects.filter(
        pk__gt=firsts[HistoricSubsidy]).count()
    blocks = []
    for model, first in firsts.items():
        last = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        if last > first:
            blocks.append((model._meta.label_lower, first + 1, last))
    # Dependents are deleted first (the generator deletes the newest block first).
    order = {m._meta.label_lower: i for i, m in enumerate(DEMO_MODELS)}
    blocks.sort(key=lambda b: order[b[0]])
    counts["seconds"] = round(time.perf_counter() - started, 2)
    return {**counts, "blocks": blocks}


LIVING_ALLOWANCES = 3
# Guizhou's living allowance (parameters/guizhou.yaml, illustrative): the groups granted.
LIVING_GROUPS = ("graduate", "poverty_monitored", "relocated", "unemployed", "veteran",
                 "disabled")


def _living_allowances(trainer, classes, today: dt.date) -> int:
    """Living allowances filed by the institution for the first key-group trainees of the
    classes (drafts with the days attended; a trainee without a day is refused by the rule)."""
    from jineng.registry.models import KeyGroupMembership
    from jineng.subsidy.services import applications
    from jineng.training.models import Enrollment

    ids = [c.pk for c in classes]
    enrolled = list(Enrollment.objects.filter(training_class_id__in=ids, status="enrolled")
                    .order_by("training_class_id", "pk")
                    .values_list("training_class_id", "person_id"))
    granted = set(KeyGroupMembership.objects.active_on(today)
                  .filter(person_id__in=[p for _, p in enrolled], group__in=LIVING_GROUPS)
                  .values_list("person_id", flat=True))
    n = 0
    for class_id, person_id in enrolled:
        if n >= LIVING_ALLOWANCES:
            break
        if person_id in granted:
            applications.claim_file(actor=trainer, kind="living_allowance", class_id=class_id,
                                    person_id=person_id, claim_date=today)
            n += 1
    return n


def _walk(claims: list[SubsidyClaim], *, today, province, city, county, trainer) -> None:
    """Claims through every state; the budgets sized to leave two funds near their limit."""
    # 0 stays a draft; the rest are submitted.
    for c in claims[1:]:
        services.claim_submit(actor=trainer, claim_id=c.pk)
    # 1 waits for the county; 2 is returned, 3 refused, 4 withdrawn; 5 waits for the city.
    def first_review(c):  # the county demo user's county; another county: the city's staff
        return county if c.region.code == COUNTY else city

    services.claim_review(actor=first_review(claims[2]), claim_id=claims[2].pk,
                          action="return", reason="培训合格证明不清晰，请补正后重新提交")
    services.claim_review(actor=first_review(claims[3]), claim_id=claims[3].pk,
                          action="refuse", reason="该学员考勤不足，不符合补贴条件")
    services.claim_withdraw(actor=trainer, claim_id=claims[4].pk, reason="机构申请撤回")
    for c in claims[5:]:
        services.claim_review(actor=first_review(c), claim_id=c.pk, action="approve")
    to_approve = claims[6:]
    fund = SubsidyClaim.objects.get(pk=to_approve[0].pk).fund_source
    to_approve = [c for c in to_approve
                  if SubsidyClaim.objects.get(pk=c.pk).fund_source == fund]
    total = sum((SubsidyClaim.objects.get(pk=c.pk).amount or Decimal(0)) for c in to_approve)
    # Near the budget: what is approved is 96% of it.
    amount = (total / Decimal("0.96")).quantize(Decimal("100"), rounding=ROUND_UP)
    services.budget_create(actor=city, source=fund, region_code=CITY, year=today.year,
                           amount=max(amount, Decimal("100")))
    for c in to_approve:
        services.claim_review(actor=city, claim_id=c.pk, action="approve")
    other = FundSource.UNEMPLOYMENT_INSURANCE if fund != FundSource.UNEMPLOYMENT_INSURANCE \
        else FundSource.SKILLS_ACCOUNT
    second = services.budget_create(actor=city, source=other, region_code=CITY,
                                    year=today.year, amount=Decimal("200000.00"))
    services.budget_commit(actor=city, budget_id=second.pk, amount=Decimal("191500.00"),
                           note="技能提升补贴（上半年已审核）")
    # Pay: a batch of all but the last two approved claims; one fails, is re-applied and
    # paid in a second batch; one paid claim is recovered; the last two stay approved / in an
    # exported batch without results (in payment).
    approved = [c.pk for c in to_approve]
    if len(approved) < 4:
        return
    first_ids, later_ids = approved[:-2], approved[-2:]
    batch = services.payment_batch_create(actor=city, region_code=CITY, fund_source=fund,
                                          claim_ids=first_ids)
    services.payment_batch_export(actor=city, batch_id=batch.pk)
    refs = list(batch.items.order_by("pk").values_list("reference", "claim_id"))
    # The first fails and is re-applied below; from tier S on, a third fails and stays so
    # (支付失败: waiting for the institution to correct the account).
    failing = {refs[0][0]: "账户已销户"}
    if len(refs) > 2:
        failing[refs[2][0]] = "户名与账号不符"
    lines = [(ref, "失败", failing[ref]) if ref in failing else (ref, "成功", "")
             for ref, _ in refs]
    services.payment_results_import(actor=city, batch_id=batch.pk, data=_results(lines))
    failed = refs[0][1]
    services.claim_set_account(actor=trainer, claim_id=failed, account="6222020000000000002",
                               bank_name=BANK)
    services.claim_reapply(actor=trainer, claim_id=failed)
    again = services.payment_batch_create(actor=city, region_code=CITY, fund_source=fund,
                                          claim_ids=[failed])
    services.payment_batch_export(actor=city, batch_id=again.pk)
    services.payment_results_import(actor=city, batch_id=again.pk, data=_results(
        [(again.items.get().reference, "成功", "")]))
    if len(refs) > 1:
        services.claim_recover(actor=city, claim_id=refs[1][1],
                               reason="督查认定：虚假培训，追回补贴资金")
    pending = services.payment_batch_create(actor=city, region_code=CITY, fund_source=fund,
                                            claim_ids=later_ids[:1])
    services.payment_batch_export(actor=city, batch_id=pending.pk)


def _history(province, today: dt.date) -> None:
    """Three subsidies paid by the previous system to persons of the demo (one reaching the
    yearly limit with claims in jineng)."""
    from jineng.core import pii
    from jineng.registry.models import Person

    persons = list(Person.objects.filter(region__code__startswith=CITY[:4],
                                         merged_into__isnull=True).order_by("pk")[:3])
    if not persons:
        return
    head = "claim_number,id_number,name,kind,region,claim_date,amount,paid_on\n"
    rows = []
    for i, person in enumerate(persons):
        day = dt.date(today.year, 1 + i, 10)
        rows.append(f"GZ-OLD-{today.year}-{i + 1:04d},{pii.decrypt(person.id_encrypted)},"
                    f"{person.name},certificate,{person.region.code},{day},500.00,"
                    f"{day + dt.timedelta(days=20)}")
    data = io.BytesIO((head + "\n".join(rows) + "\n").encode())
    data.name = "原系统补贴发放记录.csv"
    history.subsidy_history_import(actor=province, file=data, skip_bad_rows=True)
