"""Write-contract cases of supervision (see tests/core/write_contract.py): starting a risk
scan, working an alert, dating a rule's parameters."""

from __future__ import annotations

import datetime as dt

from jineng.accounts.models import Role
from jineng.core.errors import DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction as A
from jineng.supervision.models import RiskAlert, RiskRun
from tests import factories as f
from tests.core.write_contract import Attempts, Refused, case


@case("supervision.risk_scan_start", audit=[(A.CREATE, "jobs.job"),
                                            (A.CREATE, "supervision.riskrun")])
def _risk_scan_start() -> Attempts:
    ok = {"actor": f.staff()}
    return Attempts(ok=ok, refused=[
        Refused({"actor": f.staff(Role.CITY_STAFF, f.CITY)}, Forbidden, "city staff"),
        Refused({"actor": f.operator(f.OrganizationFactory())}, Forbidden,
                "a training institution"),
        Refused({**ok, "mode": "weekly"}, DomainError, "unknown mode"),
        Refused({**ok, "mode": "incremental"}, DomainError,
                "incremental without a previous scan or since"),
    ])


def _alert() -> RiskAlert:
    run = RiskRun.objects.create(status="succeeded")
    return RiskAlert.objects.create(
        rule_code="R06", severity="high", subject_kind="class", subject_ref="1",
        region=f.region(f.COUNTY), evidence={"people": 9}, dedup_key="R06:class:1:1:2",
        first_run=run, last_run=run)


@case("supervision.risk_alert_transition", audit=[(A.TRANSITION, "supervision.riskalert")])
def _risk_alert_transition() -> Attempts:
    alert = _alert()
    inspector = f.staff(Role.INSPECTOR, f.COUNTY)
    ok = {"actor": inspector, "alert": alert, "action": "dismiss",
          "reason": "现场核查：同秒签到系统批量补传，非代签"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": f.staff(Role.INSPECTOR, f.OTHER_COUNTY)}, NotFound,
                "an inspector of another county"),
        Refused({**ok, "actor": f.operator(f.OrganizationFactory())}, NotFound,
                "a training institution"),
        Refused({**ok, "actor": f.staff(Role.INDUSTRY_STAFF, f.COUNTY)}, NotFound,
                "industry department staff"),
        Refused({**ok, "reason": " "}, DomainError, "dismissing without findings"),
        Refused({**ok, "action": "reopen"}, DomainError, "unknown action"),
    ])


@case("supervision.risk_rule_parameters_set", audit=[(A.UPDATE, "supervision.riskrule")])
def _risk_rule_parameters_set() -> Attempts:
    ok = {"actor": f.staff(), "code": "R07", "valid_from": dt.date(2025, 1, 1),
          "parameters": {"min_people": 8}}
    return Attempts(ok=ok, side_effects={
        "supervision.RiskRule": "the catalog's rows are created on first use"}, refused=[
        Refused({**ok, "actor": f.staff(Role.INSPECTOR, f.PROVINCE)}, Forbidden,
                "inspectors do not set parameters"),
        Refused({**ok, "actor": f.staff(Role.CITY_STAFF, f.CITY)}, Forbidden, "city staff"),
        Refused({**ok, "code": "R99"}, NotFound, "unknown rule"),
        Refused({**ok, "parameters": {"min_people": -1}}, DomainError, "a negative number"),
        Refused({**ok, "parameters": {"max_people": 3}}, DomainError, "unknown parameter"),
    ])
