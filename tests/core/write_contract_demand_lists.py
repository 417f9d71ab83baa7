"""Write-contract cases of the demand app's enterprise demand lists (see
tests/core/write_contract.py): opening a quarter's list, its header, lines (by hand and from a
file) and the review steps."""

from __future__ import annotations

import datetime as dt

from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction as A
from tests.core.write_contract import Attempts, Refused, case
from tests.demand import lists_support as s

LIST = "demand.demandlist"
LINE = "demand.demandline"


@case("demand.demand_list_create", audit=[(A.CREATE, LIST)])
def _create() -> Attempts:
    w = s.world()
    s.open_list(w, quarter=1, year=2027, alliance_name="联盟甲")
    ok = {"actor": w.user, "data": s.list_input(), "today": s.TODAY}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.county_staff}, Forbidden, "HRSS staff do not file lists"),
        Refused({**ok, "actor": w.trainer}, Forbidden, "a training institution"),
        Refused({**ok, "data": s.list_input(year=2026, quarter=3)}, DomainError,
                "a quarter that has ended"),
        Refused({**ok, "data": s.list_input(sector="nonsense")}, DomainError, "unknown sector"),
        Refused({**ok, "data": s.list_input(alliance_name="联" * 101)}, DomainError,
                "alliance name too long"),
        Refused({**ok, "data": s.list_input(year=2027, quarter=1)}, Conflict,
                "the quarter opened with another alliance"),
    ])


@case("demand.demand_list_update", audit=[(A.UPDATE, LIST)])
def _update() -> Attempts:
    w = s.world()
    dl = s.open_list(w)
    ok = {"actor": w.user, "demand_list": dl, "data": s.list_input(contact_name="王经理")}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.other_user}, NotFound, "another enterprise's list"),
        Refused({**ok, "actor": w.county_staff}, Forbidden, "HRSS do not edit it"),
        Refused({**ok, "demand_list": s.submitted(s.world())}, NotFound,
                "another world's enterprise"),
        Refused({**ok, "data": s.list_input(contact_phone="abc")}, DomainError, "bad phone"),
    ])


@case("demand.demand_line_add", audit=[(A.CREATE, LINE)])
def _line_add() -> Attempts:
    w = s.world()
    dl = s.with_line(w, level=s.level("grade4"))
    ok = {"actor": w.user, "demand_list": dl, "data": s.line_input(), "today": s.TODAY}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.other_user}, NotFound, "another enterprise's list"),
        Refused({**ok, "actor": w.industry}, Forbidden, "the industry department reads only"),
        Refused({**ok, "data": s.line_input(headcount=0)}, DomainError, "headcount 0"),
        Refused({**ok, "data": s.line_input(needed_by=dt.date(2027, 2, 1))}, DomainError,
                "date outside the quarter"),
        Refused({**ok, "data": s.line_input(wage_min=9000, wage_max=100)}, DomainError,
                "wage bounds reversed"),
        Refused({**ok, "data": s.line_input(level=s.level("grade4"))}, Conflict,
                "a duplicate line"),
    ])


@case("demand.demand_line_update", audit=[(A.UPDATE, LINE)])
def _line_update() -> Attempts:
    w = s.world()
    dl = s.with_line(w)
    line = dl.lines.get()
    done = s.submitted(s.world())
    ok = {"actor": w.user, "line": line, "data": s.line_input(headcount=7), "today": s.TODAY}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.other_city_staff}, NotFound, "out of scope"),
        Refused({**ok, "actor": w.county_staff}, Forbidden, "HRSS do not edit lines"),
        Refused({**ok, "data": s.line_input(headcount=100_001)}, DomainError, "headcount"),
        Refused({**ok, "actor": done.organization.users.get(), "line": done.lines.get()},
                DomainError, "a submitted list"),
    ])


@case("demand.demand_line_remove", audit=[(A.DELETE, LINE)])
def _line_remove() -> Attempts:
    w = s.world()
    line = s.with_line(w).lines.get()
    done = s.submitted(s.world())
    ok = {"actor": w.user, "line": line}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.other_user}, NotFound, "another enterprise"),
        Refused({**ok, "actor": w.city_staff}, Forbidden, "HRSS do not remove lines"),
        Refused({"actor": done.organization.users.get(), "line": done.lines.get()},
                DomainError, "a submitted list"),
    ])


@case("demand.demand_list_transition", audit=[(A.TRANSITION, LIST)])
def _transition() -> Attempts:
    w = s.world()
    dl = s.submitted(w)
    ok = {"actor": w.county_staff, "demand_list": dl, "action": "accept"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.other_city_staff}, NotFound, "another city's office"),
        Refused({**ok, "actor": w.user}, Forbidden, "the enterprise accepting its own list"),
        Refused({**ok, "actor": w.industry}, Forbidden, "industry departments do not review"),
        Refused({**ok, "action": "return"}, DomainError, "return without a reason"),
        Refused({**ok, "action": "teleport"}, DomainError, "unknown action"),
        Refused({**ok, "action": "submit", "actor": w.user, "today": s.TODAY}, DomainError,
                "submitted already"),
        Refused({**ok, "demand_list": s.open_list(s.world()), "actor": None}, NotFound,
                "anonymous"),
    ])


@case("demand.demand_lines_import", audit=[(A.IMPORT, LINE)])
def _import() -> Attempts:
    w = s.world()
    dl = s.open_list(w)
    good = ["养老护理员", "初级工", "20", "2026-12-20", "是", "3500", "5000"]
    ok = {"actor": w.user, "demand_list": dl, "file": s.xlsx([good]), "today": s.TODAY}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.other_user, "file": s.xlsx([good])}, NotFound,
                "another enterprise"),
        Refused({**ok, "actor": w.county_staff, "file": s.xlsx([good])}, Forbidden,
                "HRSS do not import lines"),
        Refused({**ok, "file": s.xlsx([good], header=["职业", "人数"])}, DomainError,
                "unknown columns"),
        Refused({**ok, "file": None}, DomainError, "no file"),
    ])
