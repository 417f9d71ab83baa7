"""Write-contract case of the subsidy app's batch evaluation (services.bulk): one audit event
for the batch; a refusal (out of reach, not a draft, no claims) writes nothing."""

from __future__ import annotations

from jineng.accounts.models import Role
from jineng.core.errors import Conflict, DomainError, NotFound
from jineng.core.models import AuditAction as A
from jineng.subsidy import services
from tests import factories as f
from tests.core.write_contract import Attempts, Refused, case
from tests.subsidy import helpers as sh


@case("subsidy.claim_batch_evaluate", audit=[(A.UPDATE, "subsidy.subsidyclaim")])
def _claim_batch_evaluate(monkeypatch) -> Attempts:
    sh.use_params(monkeypatch)
    a = sh.assessed_class(2)
    drafts = sh.drafts(a).created
    submitted = drafts[1]
    services.claim_submit(actor=a.world.operator, claim_id=submitted.pk)
    ok = {"actor": a.world.operator, "claim_ids": [drafts[0].pk]}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": a.world.other_operator}, NotFound, "another institution"),
        Refused({**ok, "actor": f.staff(Role.COUNTY_STAFF, f.OTHER_COUNTY)}, NotFound,
                "another county"),
        Refused({**ok, "claim_ids": [drafts[0].pk, submitted.pk]}, Conflict,
                "a submitted claim in the batch"),
        Refused({**ok, "claim_ids": []}, DomainError, "no claims"),
    ])
