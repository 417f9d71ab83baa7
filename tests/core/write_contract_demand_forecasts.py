"""Write-contract cases of the demand app's forecasts and wage guidance (see
tests/core/write_contract.py): building (inline and as a job), workflow steps, industry line
reviews, wage cells computed from a source or a file, publication."""

from __future__ import annotations

from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction as A
from jineng.core.tabular import write_csv
from jineng.demand.services import forecasts as fs
from jineng.demand.services import wages as ws
from tests import factories as f
from tests.core.write_contract import Attempts, Refused, case
from tests.demand import forecast_support as fx

FORECAST = "demand.demandforecast"
REVIEW = "demand.forecastlinereview"
WAGES = "demand.wageguidance"


@case("demand.forecast_build", audit=[(A.CREATE, FORECAST)])
def _forecast_build() -> Attempts:
    w = fx.world()
    ok = {"actor": w.province_staff, "region": f.region(f.PROVINCE), "year": fx.YEAR,
          "quarter": fx.QUARTER}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.other_city_staff}, NotFound, "out of scope"),
        Refused({**ok, "actor": w.industry}, Forbidden, "industry departments review"),
        Refused({**ok, "year": 1999}, DomainError, "year out of range"),
        Refused({**ok, "quarter": 5}, DomainError, "quarter out of range"),
        Refused({**ok, "parameters": {"short_share": "0.9", "critical_share": "0.5"}},
                DomainError, "critical below short"),
    ])


@case("demand.forecast_start", audit=[(A.CREATE, "jobs.job")])
def _forecast_start() -> Attempts:
    w = fx.world()
    ok = {"actor": w.province_staff, "region": f.region(f.PROVINCE), "year": fx.YEAR,
          "quarter": fx.QUARTER}
    fx.approved(w)  # the target quarter's forecast is approved: no new build of it
    later = fs._shift(fx.YEAR, fx.QUARTER, 1)
    return Attempts(ok={**ok, "year": later[0], "quarter": later[1]}, refused=[
        Refused(ok, Conflict, "the quarter's forecast is approved"),
        Refused({**ok, "actor": w.enterprise_user}, NotFound, "an enterprise"),
        Refused({**ok, "parameters": {"bogus": 1}}, DomainError, "unknown parameter"),
    ])


@case("demand.forecast_transition", audit=[(A.TRANSITION, FORECAST)])
def _forecast_transition() -> Attempts:
    w = fx.world()
    forecast = fx.build(w)
    ok = {"actor": w.province_staff, "forecast": forecast, "action": "submit"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.other_city_staff}, NotFound, "out of scope"),
        Refused({**ok, "actor": w.industry}, Forbidden, "not HRSS"),
        Refused({**ok, "action": "publish"}, DomainError, "not approved"),
        Refused({**ok, "action": "reject"}, DomainError, "reject without a reason"),
        Refused({**ok, "action": "teleport"}, DomainError, "unknown action"),
    ])


@case("demand.forecast_line_review", audit=[(A.CREATE, REVIEW)])
def _forecast_line_review() -> Attempts:
    w = fx.world()
    forecast = fx.in_review(w)
    care = forecast.lines.get(occupation=fx.care())
    electric = forecast.lines.get(occupation=fx.electrician())
    ok = {"actor": w.industry, "line": care, "verdict": "comment", "note": "返岗高峰",
          "proposed": 30}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "line": electric}, Forbidden, "another sector's line"),
        Refused({**ok, "actor": w.province_staff}, Forbidden, "HRSS do not review lines"),
        Refused({**ok, "actor": w.other_city_staff}, NotFound, "out of scope"),
        Refused({**ok, "verdict": "maybe"}, DomainError, "unknown verdict"),
        Refused({**ok, "note": " "}, DomainError, "a comment without a note"),
        Refused({**ok, "proposed": -1}, DomainError, "negative proposal"),
    ])


def _rows(n=10):
    from tests.demand.test_wages_services import _rows as rows

    return rows(n)


@case("demand.wage_guidance_compute", audit=[(A.CREATE, WAGES)])
def _wage_compute() -> Attempts:
    staff = f.staff("city_staff", f.CITY)
    ok = {"actor": staff, "year": 2025, "rows": _rows(), "source": "测试"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "year": 2024}, DomainError, "a month of another year"),
        Refused({**ok, "rows": [*_rows(), ws.WageRow(**{**_rows()[0].__dict__, "wage": 1})]},
                Conflict, "the same person-month with another wage"),
        Refused({**ok, "actor": f.staff("industry_staff", f.PROVINCE)}, Forbidden,
                "not HRSS"),
        Refused({**ok, "source": ""}, DomainError, "no source"),
        Refused({**ok, "min_people": 0}, DomainError, "threshold"),
    ])


@case("demand.wage_guidance_publish", audit=[(A.TRANSITION, WAGES)])
def _wage_publish() -> Attempts:
    staff = f.staff("city_staff", f.CITY)
    ws.wage_guidance_compute(actor=staff, year=2025, rows=_rows(), source="测试")
    ok = {"actor": staff, "year": 2025}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "year": 2024}, DomainError, "nothing computed"),
        Refused({**ok, "actor": f.staff("city_staff", f.OTHER_CITY)}, DomainError,
                "another city's cells"),
        Refused({**ok, "actor": f.staff("industry_staff", f.PROVINCE)}, Forbidden,
                "not HRSS"),
    ])


@case("demand.wage_rows_import", audit=[(A.CREATE, WAGES)])
def _wage_import() -> Attempts:
    staff = f.staff("province_staff", f.PROVINCE)
    data = write_csv([c.label for c in ws.WAGE_COLUMNS],
                     [[f"r{i}", "4-10-01-05", "grade5", f.CITY, "2025-03", "4000"]
                      for i in range(10)])
    ok = {"actor": staff, "year": 2025, "data": data, "filename": "w.csv", "source": "调查"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "filename": "w.pdf"}, DomainError, "not a table"),
        Refused({**ok, "actor": f.staff("industry_staff", f.PROVINCE)}, Forbidden,
                "not HRSS"),
        Refused({**ok, "year": 3000}, DomainError, "year"),
    ])
