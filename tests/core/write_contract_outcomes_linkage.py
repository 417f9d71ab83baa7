"""Write-contract cases of the outcomes app's record linkage (see tests/core/write_contract.py):
running the linker, and staff confirming, rejecting and reopening a proposed link."""

from __future__ import annotations

import datetime as dt

from jineng.accounts.models import Role
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction as A
from jineng.outcomes.services import linkage as services
from tests import factories as f
from tests.core.write_contract import Attempts, Refused, case
from tests.outcomes import link_support as s

LINK = "outcomes.recordlink"
B1 = dt.date(1990, 5, 17)


def _proposed():
    """A row with two namesakes born the same day: proposed, awaiting a person."""
    s.person("张伟", B1, f.COUNTY, 11)
    s.person("张伟", B1, f.OTHER_COUNTY, 23)
    imp = s.an_import()
    row = s.link(imp, name="张伟", birth=B1)
    services.link_pending(actor=f.staff())
    row.refresh_from_db()
    return row, imp


def _refusals(ok: dict) -> list[Refused]:
    return [
        Refused({**ok, "actor": f.staff(Role.CITY_STAFF, f.OTHER_CITY)}, NotFound,
                "another city's link"),
        Refused({**ok, "actor": f.operator(f.OrganizationFactory())}, NotFound,
                "an institution"),
        Refused({**ok, "actor": f.staff(Role.COUNTY_STAFF, f.COUNTY)}, Forbidden,
                "county staff do not decide"),
        Refused({**ok, "link_id": ok["link_id"] + 10_000}, NotFound, "no such link"),
        Refused({**ok, "reason": " "}, DomainError, "no reason"),
    ]


@case("outcomes.link_pending", audit=[(A.UPDATE, LINK)])
def _link_pending() -> Attempts:
    s.person("李明", dt.date(1988, 3, 4), f.COUNTY, 59)
    imp = s.an_import()
    s.link(imp, name="李明", birth=dt.date(1988, 3, 4))
    ok = {"actor": f.staff(), "source_import_id": imp.pk}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": f.operator(f.OrganizationFactory())}, Forbidden,
                "an institution runs no linkage"),
        Refused({**ok, "source_import_id": imp.pk + 10_000}, NotFound, "no such import"),
    ])


@case("outcomes.link_run_start", audit=[(A.UPDATE, LINK)])
def _link_run_start() -> Attempts:
    imp = s.an_import()
    s.link(imp, name="李明", birth=dt.date(1988, 3, 4))
    ok = {"actor": f.staff(), "source_import_id": imp.pk}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": f.operator(f.OrganizationFactory())}, Forbidden,
                "an institution runs no linkage"),
        Refused({**ok, "source_import_id": imp.pk + 10_000}, NotFound, "no such import"),
    ])


@case("outcomes.link_confirm", audit=[(A.TRANSITION, LINK)])
def _link_confirm() -> Attempts:
    row, _imp = _proposed()
    ok = {"actor": f.staff(Role.CITY_STAFF, f.CITY), "link_id": row.pk, "reason": "电话核实"}
    return Attempts(ok=ok, refused=[
        *_refusals(ok),
        Refused({**ok, "id_number": f.id_number_for(f.COUNTY, dt.date(1970, 1, 1), 999)},
                DomainError, "nobody holds that number"),
    ])


@case("outcomes.link_reject", audit=[(A.TRANSITION, LINK)])
def _link_reject() -> Attempts:
    row, _imp = _proposed()
    ok = {"actor": f.staff(), "link_id": row.pk, "reason": "不是本人"}
    return Attempts(ok=ok, refused=_refusals(ok))


@case("outcomes.link_reopen", audit=[(A.TRANSITION, LINK)])
def _link_reopen() -> Attempts:
    row, imp = _proposed()
    open_row = s.link(imp, name="张伟", birth=B1)
    services.link_pending(actor=f.staff())
    services.link_confirm(actor=f.staff(), link_id=row.pk, reason="核实")
    ok = {"actor": f.staff(), "link_id": row.pk, "reason": "核实有误"}
    return Attempts(ok=ok, refused=[
        *_refusals(ok),
        Refused({**ok, "link_id": open_row.pk}, Conflict, "not decided yet"),
    ])
