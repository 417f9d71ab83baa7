"""Write-contract cases of the demand service that reads the outcomes app's records (see
tests/core/write_contract.py): wage guidance computed from contribution months."""

from __future__ import annotations

from jineng.core.errors import DomainError, Forbidden
from jineng.core.models import AuditAction as A
from jineng.outcomes.choices import ImportKind, ImportSource
from jineng.outcomes.models import InsuranceImport
from tests import factories as f
from tests.core.write_contract import Attempts, Refused, case


@case("demand.wage_guidance_from_records", audit=[(A.CREATE, "demand.wageguidance")])
def _wage_guidance_from_records() -> Attempts:
    from tests.demand.test_outcomes_labour_market import _wage_world

    source = InsuranceImport.objects.create(
        kind=ImportKind.RECORDS, source=ImportSource.FILE, filename="测试.csv",
        content_sha256="w" * 64, region=f.region(f.PROVINCE))
    _wage_world(source)
    ok = {"actor": f.staff("city_staff", f.CITY), "year": 2025}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "year": 2023}, DomainError, "no records of the year"),
        Refused({**ok, "year": 1999}, DomainError, "year out of range"),
        Refused({**ok, "actor": f.staff("industry_staff", f.PROVINCE)}, Forbidden,
                "not HRSS"),
    ])
