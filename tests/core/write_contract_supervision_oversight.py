"""Write-contract cases of supervision after the alerts (see tests/core/write_contract.py):
recovery of a confirmed alert's subsidies (and the subsidy service it calls), sanctions, spot
checks and inspections."""

from __future__ import annotations

import datetime as dt

from jineng.accounts.models import Role
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction as A
from jineng.supervision.services import oversight as services
from jineng.training.models import TrainingClass
from tests import factories as f
from tests.core.write_contract import Attempts, Refused, case
from tests.subsidy import helpers as sh
from tests.supervision import oversight_helpers as oh

CLAIM = "subsidy.subsidyclaim"
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 64


def _confirmed_alert_with_paid_claim(monkeypatch):
    a, claims = oh.paid_claims(monkeypatch)
    alert = oh.alert(subject_ref=str(a.cls.pk), training_class_id=a.cls.pk, status="confirmed",
                     reason="现场核实：学员未到场")
    return a, claims, alert


@case("supervision.alert_recovery_start", audit=[(A.TRANSITION, CLAIM)])
def _alert_recovery_start(monkeypatch) -> Attempts:
    _a, _claims, alert = _confirmed_alert_with_paid_claim(monkeypatch)
    open_alert = oh.alert(subject_ref="99999", training_class_id=99999)
    empty = oh.alert(subject_ref="99998", training_class_id=99998, status="confirmed",
                     reason="核实")
    ok = {"actor": oh.city(), "alert": alert}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": f.staff(Role.INSPECTOR, f.COUNTY)}, Forbidden,
                "inspectors find, HRSS recovers"),
        Refused({**ok, "actor": f.staff(Role.COUNTY_STAFF, f.COUNTY)}, Forbidden,
                "county staff"),
        Refused({**ok, "actor": f.staff(Role.CITY_STAFF, f.OTHER_CITY)}, NotFound,
                "another city"),
        Refused({**ok, "alert": open_alert}, DomainError, "an alert not confirmed"),
        Refused({**ok, "alert": empty}, DomainError, "no claim involved"),
    ])


@case("subsidy.claims_recover_for_finding", audit=[(A.TRANSITION, CLAIM)])
def _claims_recover_for_finding(monkeypatch) -> Attempts:
    a, claims = oh.paid_claims(monkeypatch)
    b = sh.assessed_class(1, world=a.world)
    draft = sh.drafts(b).created[0]
    ok = {"actor": oh.city(), "claim_ids": [claims[0].pk], "reason": "督查认定虚假培训",
          "reference": "risk alert 1"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "reason": " "}, DomainError, "no reason"),
        Refused({**ok, "claim_ids": []}, DomainError, "no claims"),
        Refused({**ok, "claim_ids": [draft.pk]}, DomainError, "nothing paid"),
        Refused({**ok, "claim_ids": [claims[0].pk + 10_000]}, NotFound, "unknown claim"),
        Refused({**ok, "actor": a.world.operator}, Forbidden, "the claimant"),
        Refused({**ok, "actor": f.staff(Role.COUNTY_STAFF, f.COUNTY)}, Forbidden, "a county"),
        Refused({**ok, "actor": f.staff(Role.CITY_STAFF, f.OTHER_CITY)}, NotFound,
                "another city"),
    ])


@case("supervision.sanction_impose", audit=[(A.CREATE, "supervision.sanction")])
def _sanction_impose() -> Attempts:
    person = f.PersonFactory()
    org = f.OrganizationFactory()
    ok = {"actor": f.staff(Role.COUNTY_STAFF, f.COUNTY), "kind": "bar",
          "person_id": person.pk, "days": 365, "reason": "冒名顶替参训"}
    barred = f.PersonFactory()
    services.sanction_impose(actor=f.staff(), kind="bar", person_id=barred.pk, days=30,
                             reason="已处理")
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": f.staff(Role.INSPECTOR, f.COUNTY)}, Forbidden,
                "inspectors do not sanction"),
        Refused({**ok, "actor": f.operator(org)}, Forbidden, "an institution"),
        Refused({**ok, "reason": ""}, DomainError, "no reason"),
        Refused({**ok, "days": 0}, DomainError, "no period"),
        Refused({**ok, "kind": "fine"}, DomainError, "unknown kind"),
        Refused({**ok, "person_id": 0}, NotFound, "unknown person"),
        Refused({**ok, "person_id": barred.pk}, Conflict, "already barred"),
        Refused({**ok, "kind": "suspend", "person_id": None, "organization_id": org.pk,
                 "actor": f.staff(Role.COUNTY_STAFF, f.OTHER_COUNTY)}, NotFound,
                "an organization of another county"),
    ])


@case("supervision.sanction_lift", audit=[(A.TRANSITION, "supervision.sanction")])
def _sanction_lift() -> Attempts:
    s = services.sanction_impose(actor=f.staff(), kind="bar", person_id=f.PersonFactory().pk,
                                 days=30, reason="骗补")
    removed = services.sanction_impose(actor=f.staff(), kind="remove",
                                       organization_id=f.OrganizationFactory().pk,
                                       reason="清退")
    ok = {"actor": f.staff(), "sanction": s, "reason": "申诉成立"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": f.staff(Role.CITY_STAFF, f.CITY)}, Forbidden, "city staff"),
        Refused({**ok, "actor": f.staff(Role.INSPECTOR, f.PROVINCE)}, Forbidden,
                "an inspector"),
        Refused({**ok, "reason": ""}, DomainError, "no reason"),
        Refused({**ok, "sanction": removed}, DomainError, "a removal is final"),
        Refused({**ok, "actor": f.operator(f.OrganizationFactory())}, NotFound,
                "an institution"),
    ])


@case("supervision.spot_check_draw", audit=[(A.CREATE, "supervision.spotcheck")])
def _spot_check_draw() -> Attempts:
    a = sh.assessed_class(1, certificates=False)
    TrainingClass.objects.filter(pk=a.cls.pk).update(status="approved")
    ok = {"actor": f.staff(Role.INSPECTOR, f.CITY), "population": "class",
          "region_code": f.CITY, "seed": "2026-q2"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": f.operator(a.world.org)}, Forbidden, "an institution"),
        Refused({**ok, "region_code": f.OTHER_CITY}, NotFound, "another city"),
        Refused({**ok, "population": "teachers"}, DomainError, "unknown population"),
        Refused({**ok, "confidence": 1}, DomainError, "confidence 1"),
        Refused({**ok, "margin": "x"}, DomainError, "margin not a number"),
        Refused({**ok, "population": "claim"}, DomainError, "nothing to sample"),
    ])


@case("supervision.inspection_plan", audit=[(A.CREATE, "supervision.inspection")])
def _inspection_plan() -> Attempts:
    alert = oh.alert()
    ok = {"actor": f.staff(Role.INSPECTOR, f.COUNTY), "mode": "onsite",
          "planned_for": dt.date(2026, 7, 1), "alert": alert}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": f.staff(Role.COUNTY_STAFF, f.COUNTY)}, Forbidden,
                "HRSS staff do not inspect"),
        Refused({**ok, "actor": f.staff(Role.INSPECTOR, f.OTHER_COUNTY)}, NotFound,
                "an inspector of another county"),
        Refused({**ok, "mode": "phone"}, DomainError, "unknown mode"),
        Refused({**ok, "alert": None}, DomainError, "no target"),
        Refused({**ok, "planned_for": "tomorrow"}, DomainError, "not a date"),
    ])


@case("supervision.inspection_transition", audit=[(A.TRANSITION, "supervision.inspection")])
def _inspection_transition() -> Attempts:
    inspector = f.staff(Role.INSPECTOR, f.COUNTY)
    i = services.inspection_plan(actor=inspector, mode="online",
                                 planned_for=dt.date(2026, 7, 1), alert=oh.alert())
    ok = {"actor": inspector, "inspection": i, "action": "record",
          "findings": "视频抽查：到课 12 人"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "findings": ""}, DomainError, "no findings"),
        Refused({**ok, "action": "close"}, DomainError, "close before done"),
        Refused({**ok, "action": "reopen"}, DomainError, "unknown action"),
        Refused({**ok, "actor": f.staff(Role.COUNTY_STAFF, f.COUNTY)}, Forbidden,
                "HRSS staff do not record"),
        Refused({**ok, "actor": f.staff(Role.INSPECTOR, f.OTHER_COUNTY)}, NotFound,
                "another county"),
    ])


@case("supervision.inspection_attach", audit=[(A.CREATE, "supervision.inspectionfile")])
def _inspection_attach() -> Attempts:
    inspector = f.staff(Role.INSPECTOR, f.COUNTY)
    i = services.inspection_plan(actor=inspector, mode="onsite",
                                 planned_for=dt.date(2026, 7, 1), alert=oh.alert())
    ok = {"actor": inspector, "inspection": i, "name": "现场.jpg", "data": JPEG}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "data": b""}, DomainError, "empty"),
        Refused({**ok, "data": b"MZ\x90\x00"}, DomainError, "an executable"),
        Refused({**ok, "name": "现场.pdf"}, DomainError, "name and content differ"),
        Refused({**ok, "data": b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024)}, DomainError,
                "too large"),
        Refused({**ok, "actor": f.staff(Role.COUNTY_STAFF, f.COUNTY)}, Forbidden,
                "HRSS staff"),
        Refused({**ok, "actor": f.staff(Role.INSPECTOR, f.OTHER_COUNTY)}, NotFound,
                "another county"),
    ])
