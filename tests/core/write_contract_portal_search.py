"""Write-contract cases of the portal's search index (see tests/core/write_contract.py):
rebuild, refresh and the rebuild as a background job (province staff only)."""

from __future__ import annotations

from jineng.core.errors import Forbidden
from jineng.core.models import AuditAction as A
from tests import factories as f
from tests.core.write_contract import Attempts, Refused, case
from tests.portal.search_support import search_world

INDEX = "portal.search_index"


def _refusals(ok: dict) -> list[Refused]:
    operator = f.operator(f.OrganizationFactory())
    return [
        Refused({**ok, "actor": f.staff("county_staff", f.COUNTY)}, Forbidden, "county staff"),
        Refused({**ok, "actor": f.staff("city_staff", f.CITY)}, Forbidden, "city staff"),
        Refused({**ok, "actor": operator}, Forbidden, "an institution's operator"),
    ]


@case("portal.search_index_rebuild", audit=[(A.UPDATE, INDEX)])
def _rebuild() -> Attempts:
    search_world()
    ok = {"actor": f.staff()}
    return Attempts(ok=ok, refused=_refusals(ok))


@case("portal.search_index_refresh", audit=[(A.UPDATE, INDEX)])
def _refresh() -> Attempts:
    search_world()  # nothing indexed yet: the refresh adds it all
    ok = {"actor": f.staff()}
    return Attempts(ok=ok, refused=_refusals(ok))


@case("portal.search_index_rebuild_start", audit=[(A.CREATE, "jobs.job")])
def _rebuild_start() -> Attempts:
    ok = {"actor": f.staff()}
    return Attempts(ok=ok, refused=_refusals(ok))
