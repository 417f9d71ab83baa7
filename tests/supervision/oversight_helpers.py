"""Worlds for the oversight tests: an alert about a class whose subsidy claims were paid."""

from __future__ import annotations

import itertools

from jineng.subsidy import services
from jineng.subsidy.choices import FundSource
from jineng.supervision.models import RiskAlert, RiskRun
from tests import factories as f
from tests.subsidy import helpers as sh

_keys = itertools.count(1)


def city():
    return f.staff("city_staff", f.CITY)


def paid_claims(monkeypatch, trainees: int = 1):
    """A class of `trainees` whose claims are approved, paid to the institution and reported
    paid by the bank. Returns (assessed, claims)."""
    sh.use_params(monkeypatch)
    sh.budget("100000.00")
    a = sh.assessed_class(trainees)
    claims = sh.approved(a)
    batch = services.payment_batch_create(actor=city(), region_code=f.CITY,
                                          fund_source=FundSource.EMPLOYMENT_SUBSIDY)
    services.payment_batch_export(actor=city(), batch_id=batch.pk)
    rows = "".join(f"{item.reference},成功,\n" for item in batch.items.all())
    services.payment_results_import(actor=city(), batch_id=batch.pk,
                                    data=f"转账参考号,结果,失败原因\n{rows}".encode())
    for c in claims:
        c.refresh_from_db()
    return a, claims


def alert(*, rule="R06", severity="high", subject_kind="class", subject_ref="7",
          training_class_id=None, institution_id=None, region=f.COUNTY, status="open",
          reason="") -> RiskAlert:
    run = RiskRun.objects.filter(status="succeeded").first() or RiskRun.objects.create(
        status="succeeded")
    n = next(_keys)
    return RiskAlert.objects.create(
        rule_code=rule, severity=severity, subject_kind=subject_kind, subject_ref=subject_ref,
        training_class_id=training_class_id, institution_id=institution_id,
        region=f.region(region), evidence={"rule": rule, "n": n}, measure=1,
        dedup_key=f"{rule}:{subject_kind}:{subject_ref}:{n}", first_run=run, last_run=run,
        status=status, reason=reason)
