"""Write-contract cases of the subsidy app (see tests/core/write_contract.py): budgets and
their commitments, parameter sets, claims through their review, payment batches and the
bank's results."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from jineng.accounts.models import Role
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction as A
from jineng.subsidy import services
from jineng.subsidy.choices import FundSource
from jineng.subsidy.rules import parameters as loader
from jineng.training.models import TrainingClass
from tests import factories as f
from tests.core.write_contract import Attempts, Refused, case
from tests.subsidy import helpers as sh

FUND = FundSource.EMPLOYMENT_SUBSIDY
CLAIM = "subsidy.subsidyclaim"


def _county():
    return f.staff(Role.COUNTY_STAFF, f.COUNTY)


def _city():
    return f.staff(Role.CITY_STAFF, f.CITY)


def _draft(monkeypatch, world=None):
    sh.use_params(monkeypatch)
    a = sh.assessed_class(1, world=world)
    return a, sh.drafts(a).created[0]


def _submitted(monkeypatch, world=None):
    a, claim = _draft(monkeypatch, world)
    services.claim_submit(actor=a.world.operator, claim_id=claim.pk)
    return a, claim


def _in_city_review(monkeypatch, world=None):
    a, claim = _submitted(monkeypatch, world)
    services.claim_review(actor=_county(), claim_id=claim.pk, action="approve")
    return a, claim


def _approved(monkeypatch, world=None):
    if world is None:
        sh.budget("3000.00")
    a, claim = _in_city_review(monkeypatch, world)
    services.claim_review(actor=_city(), claim_id=claim.pk, action="approve")
    return a, claim


def _exported(monkeypatch):
    a, claim = _approved(monkeypatch)
    batch = services.payment_batch_create(actor=_city(), region_code=f.CITY, fund_source=FUND)
    services.payment_batch_export(actor=_city(), batch_id=batch.pk)
    return a, claim, batch


def _results(batch, result="成功", reason="") -> bytes:
    ref = batch.items.get().reference
    return f"转账参考号,结果,失败原因\n{ref},{result},{reason}\n".encode()


# --- funds -------------------------------------------------------------------------------------

@case("subsidy.budget_create", audit=[(A.CREATE, "subsidy.budget")])
def _budget_create() -> Attempts:
    sh.budget(code=f.OTHER_CITY)
    ok = {"actor": _city(), "source": FUND, "region_code": f.CITY, "year": 2026,
          "amount": Decimal("500000.00")}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": _county(), "region_code": f.COUNTY}, Forbidden,
                "a county sets no budget"),
        Refused({**ok, "actor": f.operator(f.OrganizationFactory())}, Forbidden,
                "an institution"),
        Refused({**ok, "actor": f.staff(Role.CITY_STAFF, f.OTHER_CITY)}, NotFound,
                "another city"),
        Refused({**ok, "source": "lottery"}, DomainError, "unknown fund"),
        Refused({**ok, "amount": "1.234"}, DomainError, "three decimals"),
        Refused({**ok, "year": 1999}, DomainError, "year out of range"),
        Refused({**ok, "region_code": f.OTHER_CITY, "actor": f.staff()}, Conflict,
                "the budget exists"),
    ])


@case("subsidy.budget_commit", audit=[(A.CREATE, "subsidy.budgetentry")])
def _budget_commit() -> Attempts:
    budget = sh.budget("100.00")
    ok = {"actor": _city(), "budget_id": budget.pk, "amount": "100.00"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "amount": "100.01"}, DomainError, "beyond the budget"),
        Refused({**ok, "actor": _county()}, NotFound, "a county does not see the city's"),
        Refused({**ok, "actor": f.staff(Role.CITY_STAFF, f.OTHER_CITY)}, NotFound,
                "another city"),
        Refused({**ok, "budget_id": budget.pk + 999}, NotFound, "no such budget"),
        Refused({**ok, "amount": "0"}, DomainError, "nothing"),
    ])


# --- parameter sets ----------------------------------------------------------------------------

def _guizhou() -> str:
    return (loader.PARAMETERS_DIR / "guizhou.yaml").read_text(encoding="utf-8")


@case("subsidy.parameter_set_upload", audit=[(A.CREATE, "subsidy.parameterset")])
def _parameter_set_upload() -> Attempts:
    ok = {"actor": f.staff(), "yaml_text": _guizhou()}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": _city()}, Forbidden, "a city uploads the province's set"),
        Refused({**ok, "actor": f.operator(f.OrganizationFactory())}, Forbidden,
                "an institution"),
        Refused({**ok, "yaml_text": _guizhou().replace("version: guizhou-2025",
                                                       "versio: guizhou-2025")},
                DomainError, "an unknown key"),
        Refused({**ok, "yaml_text": ""}, DomainError, "empty"),
    ])


@case("subsidy.parameter_set_publish", audit=[(A.TRANSITION, "subsidy.parameterset")])
def _parameter_set_publish() -> Attempts:
    staff = f.staff()
    row = services.parameter_set_upload(actor=staff, yaml_text=_guizhou())
    other = _guizhou().replace("version: guizhou-2025", "version: guizhou-2025b")
    published = services.parameter_set_upload(actor=staff, yaml_text=other.replace(
        "valid_from: 2025-09-30", "valid_from: 2028-01-01").replace(
        "valid_to: 2027-12-31", "valid_to: 2028-12-31"))
    services.parameter_set_publish(actor=staff, parameter_set_id=published.pk)
    overlapping = services.parameter_set_upload(actor=staff, yaml_text=other.replace(
        "version: guizhou-2025b", "version: guizhou-2025c").replace(
        "valid_from: 2025-09-30", "valid_from: 2028-06-01").replace(
        "valid_to: 2027-12-31", "valid_to: 2029-12-31"))
    ok = {"actor": staff, "parameter_set_id": row.pk}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": _city()}, Forbidden, "a city"),
        Refused({**ok, "actor": f.staff(Role.PROVINCE_STAFF, "410000")}, NotFound,
                "another province sees no draft"),
        Refused({**ok, "parameter_set_id": overlapping.pk}, Conflict, "overlapping period"),
        Refused({**ok, "parameter_set_id": published.pk}, Conflict, "already published"),
    ])


@case("subsidy.parameter_set_close", audit=[(A.TRANSITION, "subsidy.parameterset")])
def _parameter_set_close() -> Attempts:
    staff = f.staff()
    row = services.parameter_set_upload(actor=staff, yaml_text=_guizhou())
    draft = services.parameter_set_upload(actor=staff, yaml_text=_guizhou().replace(
        "version: guizhou-2025", "version: guizhou-2028").replace(
        "valid_from: 2025-09-30", "valid_from: 2028-01-01").replace(
        "valid_to: 2027-12-31", "valid_to: 2028-12-31"))
    services.parameter_set_publish(actor=staff, parameter_set_id=row.pk)
    today = dt.date(2026, 6, 1)
    ok = {"actor": staff, "parameter_set_id": row.pk, "last_day": dt.date(2026, 6, 30),
          "today": today}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": _city()}, Forbidden, "a city"),
        Refused({**ok, "last_day": dt.date(2026, 5, 31)}, DomainError, "in the past"),
        Refused({**ok, "last_day": dt.date(2028, 1, 1)}, DomainError, "not shorter"),
        Refused({**ok, "parameter_set_id": draft.pk}, Conflict, "a draft"),
        Refused({**ok, "parameter_set_id": row.pk + 999}, NotFound, "no such set"),
    ])


# --- claims ------------------------------------------------------------------------------------

@case("subsidy.claim_batch_from_class", audit=[(A.CREATE, CLAIM)])
def _claim_batch_from_class(monkeypatch) -> Attempts:
    sh.use_params(monkeypatch)
    a = sh.assessed_class(1)
    unfinished = sh.assessed_class(1, world=a.world)
    TrainingClass.objects.filter(pk=unfinished.cls.pk).update(status="open")
    ok = {"actor": a.world.operator, "class_id": a.cls.pk, "account": sh.ACCOUNT,
          "bank_name": sh.BANK, "claim_date": sh.CLAIM_DAY}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": a.world.other_operator}, NotFound, "another institution"),
        Refused({**ok, "actor": f.staff(Role.CITY_STAFF, f.OTHER_CITY)}, NotFound,
                "another city"),
        Refused({**ok, "class_id": unfinished.cls.pk, "actor": unfinished.world.operator},
                DomainError, "a class not assessed"),
        Refused({**ok, "account": "12ab"}, DomainError, "a bad account"),
        Refused({**ok, "bank_name": " "}, DomainError, "no bank"),
        Refused({**ok, "payee_kind": "enterprise"}, DomainError, "an enterprise payee"),
    ])


@case("subsidy.claim_set_account", audit=[(A.UPDATE, CLAIM)])
def _claim_set_account(monkeypatch) -> Attempts:
    a, claim = _draft(monkeypatch)
    _b, submitted = _submitted(monkeypatch, a.world)
    ok = {"actor": a.world.operator, "claim_id": claim.pk, "account": "6222020000000000009",
          "bank_name": sh.BANK}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": a.world.other_operator}, NotFound, "another institution"),
        Refused({**ok, "actor": _county()}, Forbidden, "a reviewer"),
        Refused({**ok, "account": "1"}, DomainError, "a bad account"),
        Refused({**ok, "claim_id": submitted.pk, "actor": _b.world.operator}, Conflict,
                "a submitted claim"),
    ])


@case("subsidy.claim_submit", audit=[(A.TRANSITION, CLAIM)])
def _claim_submit(monkeypatch) -> Attempts:
    a, claim = _draft(monkeypatch)
    _b, submitted = _submitted(monkeypatch, a.world)
    return Attempts(ok={"actor": a.world.operator, "claim_id": claim.pk}, refused=[
        Refused({"actor": a.world.other_operator, "claim_id": claim.pk}, NotFound,
                "another institution"),
        Refused({"actor": _city(), "claim_id": claim.pk}, Forbidden,
                "staff do not submit an institution's claim"),
        Refused({"actor": _b.world.operator, "claim_id": submitted.pk}, Conflict,
                "submitted already"),
    ])


@case("subsidy.claim_review", audit=[(A.TRANSITION, CLAIM), (A.CREATE, "subsidy.budgetentry")])
def _claim_review(monkeypatch) -> Attempts:
    sh.budget("1500.00")
    a, claim = _in_city_review(monkeypatch)
    ok = {"actor": _city(), "claim_id": claim.pk, "action": "approve"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": _county()}, Forbidden, "the county reviewed already"),
        Refused({**ok, "actor": a.world.operator}, Forbidden, "the claimant"),
        Refused({**ok, "actor": f.staff(Role.CITY_STAFF, f.OTHER_CITY)}, NotFound,
                "another city"),
        Refused({**ok, "action": "refuse"}, DomainError, "a refusal without reason"),
        Refused({**ok, "action": "pay"}, DomainError, "not a review action"),
    ])


@case("subsidy.claim_withdraw", audit=[(A.TRANSITION, CLAIM)])
def _claim_withdraw(monkeypatch) -> Attempts:
    a, claim = _draft(monkeypatch)
    sh.budget("3000.00")
    b, approved = _approved(monkeypatch, a.world)
    return Attempts(ok={"actor": a.world.operator, "claim_id": claim.pk}, refused=[
        Refused({"actor": a.world.other_operator, "claim_id": claim.pk}, NotFound,
                "another institution"),
        Refused({"actor": _city(), "claim_id": claim.pk}, Forbidden, "a reviewer"),
        Refused({"actor": b.world.operator, "claim_id": approved.pk}, Conflict,
                "an approved claim"),
    ])


@case("subsidy.claim_reapply", audit=[(A.TRANSITION, CLAIM)])
def _claim_reapply(monkeypatch) -> Attempts:
    a, claim, batch = _exported(monkeypatch)
    services.payment_results_import(actor=_city(), batch_id=batch.pk,
                                    data=_results(batch, "失败", "账户已销户"))
    b, draft = _draft(monkeypatch, a.world)
    return Attempts(ok={"actor": a.world.operator, "claim_id": claim.pk}, refused=[
        Refused({"actor": a.world.other_operator, "claim_id": claim.pk}, NotFound,
                "another institution"),
        Refused({"actor": _county(), "claim_id": claim.pk}, Forbidden, "a county"),
        Refused({"actor": b.world.operator, "claim_id": draft.pk}, Conflict, "a draft"),
    ])


@case("subsidy.claim_recover", audit=[(A.TRANSITION, CLAIM)])
def _claim_recover(monkeypatch) -> Attempts:
    a, claim, batch = _exported(monkeypatch)
    services.payment_results_import(actor=_city(), batch_id=batch.pk, data=_results(batch))
    ok = {"actor": _city(), "claim_id": claim.pk, "reason": "督查认定虚假培训"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "reason": ""}, DomainError, "no reason"),
        Refused({**ok, "actor": a.world.operator}, Forbidden, "the claimant"),
        Refused({**ok, "actor": _county()}, Forbidden, "a county"),
        Refused({**ok, "actor": f.staff(Role.CITY_STAFF, f.OTHER_CITY)}, NotFound,
                "another city"),
    ])


# --- payments ----------------------------------------------------------------------------------

@case("subsidy.payment_batch_create", audit=[(A.CREATE, "subsidy.paymentbatch")])
def _payment_batch_create(monkeypatch) -> Attempts:
    _a, claim = _approved(monkeypatch)
    ok = {"actor": _city(), "region_code": f.CITY, "fund_source": FUND}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": _county(), "region_code": f.COUNTY}, Forbidden, "a county"),
        Refused({**ok, "actor": f.staff(Role.CITY_STAFF, f.OTHER_CITY)}, NotFound,
                "another city"),
        Refused({**ok, "fund_source": FundSource.EAST_WEST}, DomainError, "nothing to pay"),
        Refused({**ok, "claim_ids": [claim.pk + 999]}, DomainError, "not an approved claim"),
        Refused({**ok, "fund_source": "x"}, DomainError, "unknown fund"),
    ])


@case("subsidy.payment_batch_export", audit=[(A.EXPORT, "subsidy.paymentbatch")])
def _payment_batch_export(monkeypatch) -> Attempts:
    _approved(monkeypatch)
    batch = services.payment_batch_create(actor=_city(), region_code=f.CITY, fund_source=FUND)
    ok = {"actor": _city(), "batch_id": batch.pk}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": _county()}, NotFound, "a county does not see the city's"),
        Refused({**ok, "actor": f.staff(Role.CITY_STAFF, f.OTHER_CITY)}, NotFound,
                "another city"),
        Refused({**ok, "batch_id": batch.pk + 999}, NotFound, "no such batch"),
    ])


@case("subsidy.payment_results_import", audit=[(A.IMPORT, "subsidy.paymentbatch")])
def _payment_results_import(monkeypatch) -> Attempts:
    _a, _claim, batch = _exported(monkeypatch)
    ok = {"actor": _city(), "batch_id": batch.pk, "data": _results(batch)}
    unknown = "转账参考号,结果,失败原因\nPB-NOPE,成功,\n".encode()
    return Attempts(ok=ok, refused=[
        Refused({**ok, "data": unknown}, DomainError, "an unknown reference"),
        Refused({**ok, "data": _results(batch, "失败", "")}, DomainError,
                "a failure without reason"),
        Refused({**ok, "actor": _county()}, NotFound, "a county does not see the city's"),
        Refused({**ok, "actor": f.staff(Role.CITY_STAFF, f.OTHER_CITY)}, NotFound,
                "another city"),
        Refused({**ok, "filename": "results.pdf"}, DomainError, "not a table"),
    ])
