"""Write-contract cases of the assessment app's results area (see tests/core/write_contract.py):
entering results (page, API) and importing a results file."""

from __future__ import annotations

from jineng.assessment import services as assessment
from jineng.assessment.choices import SittingStatus
from jineng.core.errors import DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction as A
from tests.assessment.results_support import results_world, row
from tests.core.write_contract import Attempts, Refused, case

SITTING = "assessment.assessmentsitting"


@case("assessment.results_enter",
      audit=[(A.UPDATE, SITTING), (A.TRANSITION, SITTING)])
def _results_enter() -> Attempts:
    w = results_world()
    a, b, c = w.candidates
    rows = [row(a, "60", "75.5"), row(b, "59", "80"), row(c, absent=True)]
    declared = results_world(candidates=1, status=SittingStatus.DECLARED)
    ok = {"actor": w.operator, "sitting": w.sitting, "rows": rows}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.county_staff}, Forbidden, "HRSS reads, does not enter"),
        Refused({**ok, "actor": w.other_operator}, NotFound, "another evaluator's sitting"),
        Refused({**ok, "rows": [*rows[:2], row(c, "120", "70")]}, assessment.ResultsInvalid,
                "a score out of range refuses every row"),
        Refused({**ok, "rows": [row(a, "60", "")]}, assessment.ResultsInvalid,
                "a part without a score"),
        Refused({**ok, "rows": []}, DomainError, "no rows"),
        Refused({"actor": declared.operator, "sitting": declared.sitting,
                 "rows": [row(declared.candidates[0], "70", "70")]}, DomainError,
                "the sitting is not approved"),
    ])


@case("assessment.results_import", audit=[(A.UPDATE, SITTING)])
def _results_import() -> Attempts:
    w = results_world()
    a, b, _c = w.candidates
    data = f"考生编号,理论成绩,实操成绩\n{a.pk},70,70\n{b.pk},40,70\n".encode()
    ok = {"actor": w.operator, "sitting": w.sitting, "file": data, "filename": "r.csv"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.county_staff}, Forbidden, "HRSS reads, does not enter"),
        Refused({**ok, "actor": w.other_operator}, NotFound, "another evaluator's sitting"),
        Refused({**ok, "file": b"candidate_id,score\n1,2\n"}, DomainError,
                "an unknown column"),
        Refused({**ok, "filename": "r.pdf"}, DomainError, "not a table"),
    ])
