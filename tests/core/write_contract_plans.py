"""Write-contract cases of the plans app (see tests/core/write_contract.py). The services are
named as `jineng.plans.services` publishes them (a package of sub-domain modules)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from jineng.core.errors import DomainError, Forbidden
from jineng.core.models import AuditAction as A
from jineng.plans import services as plans
from jineng.plans.rules.packs import read_shipped
from tests import factories as f
from tests.core.write_contract import Attempts, Refused, case

D = dt.date
REPORT = "plans.quarterlyreport"


def _province():
    return f.staff("province_staff", f.PROVINCE)


def _plan():
    return plans.plan_load_pack(actor=_province(), text=read_shipped("guizhou-2025-2027"))


def _fact(**kw) -> plans.FactInput:
    values = {"metric": "person_times_trained", "day": D(2025, 8, 1), "region_code": f.COUNTY,
              "value": 3, "sector": "rural"}
    values.update(kw)
    return plans.FactInput(**values)


@case("plans.plan_load_pack", audit=[(A.CREATE, "plans.plan")])
def _plan_load_pack() -> Attempts:
    text = read_shipped("guizhou-2025-2027")
    ok = {"actor": _province(), "text": text}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": f.staff("city_staff", f.CITY)}, Forbidden, "a city"),
        Refused({**ok, "text": read_shipped("henan-2025")}, Forbidden, "another province"),
        Refused({**ok, "text": text.replace("sector: rural\n", "secotr: rural\n")},
                DomainError, "invalid pack"),
    ])


@case("plans.checklist_item_update", audit=[(A.UPDATE, "plans.checklistitem")])
def _checklist_item_update() -> Attempts:
    item = _plan().checklist.order_by("position").first()
    ok = {"actor": _province(), "item": item, "status": "in_progress", "note": "已部署"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": f.staff("city_staff", f.CITY)}, Forbidden, "a city"),
        Refused({**ok, "actor": f.staff("province_staff", "410000")}, Forbidden,
                "another province"),
        Refused({**ok, "status": "finished"}, DomainError, "unknown status"),
    ])


@case("plans.target_decompose", audit=[(A.UPDATE, "plans.target")])
def _target_decompose() -> Attempts:
    plan = _plan()
    province = f.region(f.PROVINCE)
    total = plan.targets.get(key="total")
    lopsided = {c.code: Decimal(1) for c in plans.child_regions(province)}
    ok = {"actor": _province(), "target": total, "parent": province,
          "data": plans.DecompositionInput("equal")}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": f.staff("city_staff", f.CITY)}, Forbidden, "a city"),
        Refused({**ok, "data": plans.DecompositionInput("manual", shares=lopsided)},
                DomainError, "shares that do not add up"),
    ])


@case("plans.plan_decompose_all", audit=[(A.UPDATE, "plans.target")])
def _plan_decompose_all() -> Attempts:
    plan = _plan()
    province = f.region(f.PROVINCE)
    splittable = [t for t in plan.targets.all()
                  if t.is_decomposable and plans.target_value_for(t, province) is not None]
    ok = {"actor": _province(), "plan": plan, "parent": province, "method": "equal"}
    return Attempts(ok=ok, audit=[(A.UPDATE, "plans.target")] * len(splittable), refused=[
        Refused({**ok, "actor": f.staff("city_staff", f.CITY)}, Forbidden, "a city"),
        Refused({**ok, "method": "manual"}, DomainError, "by hand, all at once"),
    ])


@case("plans.actual_facts_add_many", audit=[(A.IMPORT, "plans.actualfact")])
def _actual_facts_add_many() -> Attempts:
    ok = {"actor": None, "source": "contract", "facts": [_fact(), _fact(value=2)]}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "facts": [_fact(), _fact(metric="no_such_metric")]}, DomainError,
                "unknown metric after a good fact"),
        Refused({**ok, "facts": [_fact(region_code=f.CITY)]}, DomainError,
                "a city is not a county"),
    ])


SELECT_ONE = ("SELECT %s AS metric, %s AS day, '520102' AS region_code, '520102' AS county_code, "
              "CAST(NULL AS bigint) AS organization_id, 'rural' AS sector, '' AS key_group, "
              "'' AS training_type, '' AS program, 5 AS value, 'contract:1' AS source_ref")


@case("plans.actual_facts_insert_select", audit=[(A.IMPORT, "plans.actualfact")])
def _actual_facts_insert_select() -> Attempts:
    day = D(2026, 1, 5)
    ok = {"actor": None, "source": "contract", "select_sql": SELECT_ONE, "first": day,
          "last": day, "metrics": ["person_times_trained"],
          "params": ["person_times_trained", day]}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "metrics": ["no_such_metric"]}, DomainError, "unknown metric"),
    ])


def _city_report():
    plan = _plan()
    plans.actual_facts_add_many(actor=None, source="contract", facts=[_fact(value=120)])
    city = f.staff("city_staff", f.CITY)
    report = plans.report_prepare(actor=city, plan=plan, region=f.region(f.CITY), year=2025,
                                  quarter=3)
    return city, report


@case("plans.report_prepare", audit=[(A.CREATE, REPORT)])
def _report_prepare() -> Attempts:
    plan = _plan()
    city = f.staff("city_staff", f.CITY)
    ok = {"actor": city, "plan": plan, "region": f.region(f.CITY), "year": 2025, "quarter": 3}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": f.staff("city_staff", f.OTHER_CITY)}, Forbidden,
                "another city"),
        Refused({**ok, "quarter": 5}, DomainError, "no fifth quarter"),
        Refused({**ok, "year": 2031}, DomainError, "outside the plan's period"),
    ])


@case("plans.report_update", audit=[(A.UPDATE, REPORT)])
def _report_update() -> Attempts:
    city, report = _city_report()
    total = report.lines.get(target__key="total")
    ok = {"actor": city, "report": report, "summary": "三季度进展",
          "lines": {total.pk: plans.LineInput(Decimal(125), Decimal(155), "含补录")}}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": f.staff("city_staff", f.OTHER_CITY)}, Forbidden,
                "another city"),
        Refused({**ok, "lines": {total.pk: plans.LineInput(Decimal(-1), None)}}, DomainError,
                "a negative figure"),
    ])


def _complete(city, report):
    lines = {line.pk: plans.LineInput(line.reported_quarter or Decimal(1),
                                      line.reported_cumulative or Decimal(1), "")
             for line in report.lines.all()}
    plans.report_update(actor=city, report=report, lines=lines)


@case("plans.report_submit", audit=[(A.TRANSITION, REPORT)])
def _report_submit() -> Attempts:
    city, report = _city_report()
    _complete(city, report)
    ok = {"actor": city, "report": report}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": f.staff("city_staff", f.OTHER_CITY)}, Forbidden,
                "another city"),
    ])


@case("plans.report_review", audit=[(A.TRANSITION, REPORT)])
def _report_review() -> Attempts:
    city, report = _city_report()
    _complete(city, report)
    report = plans.report_submit(actor=city, report=report)
    ok = {"actor": _province(), "report": report, "approve": True}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": city}, Forbidden, "reviewing one's own report"),
        Refused({**ok, "approve": False}, DomainError, "returned without a comment"),
    ])


@case("plans.report_export_recorded", audit=[(A.EXPORT, REPORT)])
def _report_export_recorded() -> Attempts:
    city, report = _city_report()
    return Attempts(ok={"actor": city, "report": report, "fmt": "xlsx"},
                    no_refusal="records an export the view has already allowed; it writes "
                               "only the audit event")
