"""Write-contract cases of the assessment app's evaluator codes (see tests/core/write_contract.py):
province HRSS staff recording an evaluator's certificate codes."""

from __future__ import annotations

from jineng.accounts.models import Role
from jineng.assessment import services
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction as A
from jineng.registry.models import Region
from tests import factories as f
from tests.assessment import factories as af
from tests.core.write_contract import Attempts, Refused, case

CODE = "assessment.evaluatorcode"


@case("assessment.evaluator_code_set", audit=[(A.CREATE, CODE)])
def _evaluator_code_set() -> Attempts:
    org = af.EvaluatorFactory()
    taken = af.EvaluatorCodeFactory(site_code="000555")
    other_province = Region.objects.filter(level="province").exclude(code=f.PROVINCE).first()
    ok = {"actor": f.staff(), "organization": org, "letter": "S", "filed_with": "province",
          "ministry_code": "", "site_code": "000321"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": f.staff(Role.COUNTY_STAFF, f.COUNTY)}, Forbidden,
                "county staff do not assign codes"),
        Refused({**ok, "actor": f.operator(org)}, Forbidden, "the evaluator itself"),
        Refused({**ok, "actor": f.staff(code=other_province.code)}, NotFound,
                "another province's evaluator"),
        Refused({**ok, "letter": "Y"}, DomainError, "Y is an employer's letter"),
        Refused({**ok, "filed_with": "ministry"}, DomainError, "no ministry code"),
        Refused({**ok, "ministry_code": "0001"}, DomainError, "a ministry code for a province"),
        Refused({**ok, "site_code": "12345"}, DomainError, "five digits"),
        Refused({**ok, "site_code": taken.site_code}, Conflict, "another evaluator's code"),
    ])


@case("assessment.candidate_photo_set", audit=[(A.UPDATE, "assessment.certificate")])
def _candidate_photo_set() -> Attempts:
    from jineng.assessment.models import Certificate
    from tests.assessment import issuance_support as s
    from tests.assessment.test_photo_rules import png

    w = s.world(passed=1, failed=0)
    services.certificates_issue_for_sitting(actor=w.operator, sitting=w.sitting)
    Certificate.objects.update(photo="")
    waiting = s.results_sitting(w.sitting.evaluator, passed=1, failed=0)
    ok = {"actor": w.operator, "candidate": w.passed[0], "data": png(300, 400)}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.other_operator}, NotFound, "another evaluator's candidate"),
        Refused({**ok, "data": b"GIF89a" + b"\x00" * 64}, DomainError, "not a JPEG or PNG"),
        Refused({**ok, "data": png(20, 20)}, DomainError, "too small"),
        Refused({**ok, "candidate": waiting.candidates.get()}, DomainError,
                "no certificate issued yet"),
    ])
