"""Write-contract case of the re-evaluation of a claim the rules refused."""

from __future__ import annotations

from dataclasses import replace

from jineng.accounts.models import Role
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction as A
from jineng.subsidy.rules import types as t
from tests import factories as f
from tests.core.write_contract import Attempts, Refused, case
from tests.subsidy import app_helpers as ah
from tests.subsidy import helpers as sh


@case("subsidy.claim_reevaluate", audit=[(A.TRANSITION, "subsidy.subsidyclaim")])
def _claim_reevaluate(monkeypatch) -> Attempts:
    params = ah.params()
    training = replace(params.kinds[t.TRAINING], needs_certificate=True)
    sh.use_params(monkeypatch, replace(params, kinds={**params.kinds, t.TRAINING: training}))
    a = sh.assessed_class(3, certificates=False)
    sh.certificate(a.enrollments[0])
    result = sh.drafts(a)  # the first a draft, the other two refused: no certificate yet
    fixed, missing = result.refused
    sh.certificate(next(e for e in a.enrollments if e.pk == fixed.enrollment_id))
    draft = result.created[0]
    county = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    ok = {"actor": county, "claim_id": fixed.pk}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": a.world.operator}, Forbidden, "the institution"),
        Refused({**ok, "actor": f.staff(Role.CITY_STAFF, f.OTHER_CITY)}, NotFound,
                "another city's staff"),
        Refused({**ok, "claim_id": draft.pk}, Conflict, "a draft"),
        Refused({**ok, "claim_id": missing.pk}, DomainError, "the rules still refuse"),
    ])
