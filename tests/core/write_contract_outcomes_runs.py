"""Write-contract cases of the outcomes runs (see tests/core/write_contract.py): province HRSS
staff starting the outcomes computation (a run and its background job)."""

from __future__ import annotations

from jineng.accounts.models import Role
from jineng.core.errors import Forbidden
from jineng.core.models import AuditAction as A
from tests import factories as f
from tests.core.write_contract import Attempts, Refused, case


@case("outcomes.outcomes_run_start", audit=[(A.CREATE, "jobs.job"),
                                            (A.CREATE, "outcomes.outcomerun")])
def _outcomes_run_start() -> Attempts:
    ok = {"actor": f.staff()}
    institution = f.OrganizationFactory()
    return Attempts(ok=ok, refused=[
        Refused({"actor": f.staff(Role.CITY_STAFF, f.CITY)}, Forbidden, "city staff"),
        Refused({"actor": f.staff(Role.COUNTY_STAFF, f.COUNTY)}, Forbidden, "county staff"),
        Refused({"actor": f.operator(institution)}, Forbidden, "a training institution"),
    ])
