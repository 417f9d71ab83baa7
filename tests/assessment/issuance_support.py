"""The world of the issuance tests: a sitting whose results are recorded (status "results"),
its evaluator with an evaluator code and an evaluation-catalog listing, passed and failed
candidates, and the users around it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from jineng.accounts.models import Role
from jineng.assessment.choices import SittingStatus
from jineng.assessment.models import AssessmentSitting, Candidate, EvaluatorCode
from jineng.catalog import services as catalog_services
from jineng.catalog.choices import CatalogKind
from jineng.registry.models import Organization
from tests import factories as f
from tests.assessment import factories as af

CATALOG_START = dt.date(2025, 1, 1)
ITEM = "老年人助浴"  # a special-ability item (专项职业能力) for 一试双证


def publish_evaluation_catalog(rows: list[dict]) -> None:
    """A province-wide evaluation catalog with `rows`, published."""
    system = catalog_services.SYSTEM
    catalog = catalog_services.catalog_create(
        actor=system, kind=CatalogKind.EVALUATION_INSTITUTION, region=f.region(f.PROVINCE))
    version = catalog_services.version_create_draft(actor=system, catalog=catalog,
                                                    effective_from=CATALOG_START)
    for row in rows:
        catalog_services.entry_add(actor=system, version=version, values=row)
    catalog_services.version_submit(actor=system, version=version)
    catalog_services.version_publish(actor=system, version=version)


def listing_rows(evaluator: Organization, *, item: bool = True) -> list[dict]:
    rows = [{"credit_code": evaluator.credit_code, "occupation": "养老护理员",
             "min_level": "初级工", "max_level": "高级技师"}]
    if item:
        rows.append({"credit_code": evaluator.credit_code, "special_ability_item": ITEM})
    return rows


@dataclass
class IssueWorld:
    sitting: AssessmentSitting
    code: EvaluatorCode
    passed: list[Candidate]
    failed: list[Candidate]
    operator: object
    other_operator: object
    county_staff: object


def results_sitting(evaluator: Organization | None = None, *, passed: int = 3, failed: int = 1,
                    absent: int = 0, **sitting_kw) -> AssessmentSitting:
    """A sitting in "results" with `passed` candidates who passed and `failed` who did not."""
    kw = {"status": SittingStatus.RESULTS, **sitting_kw}
    if evaluator is not None:
        kw["evaluator"] = evaluator
    sitting = af.SittingFactory(**kw)
    for i in range(passed + failed + absent):
        ok = i < passed
        gone = i >= passed + failed
        af.CandidateFactory(sitting=sitting, passed=None if gone else ok, absent=gone,
                            theory_score=None if gone else Decimal("80" if ok else "40"),
                            practical_score=None if gone else Decimal("75" if ok else "50"))
    return sitting


def world(*, passed: int = 3, failed: int = 1, catalog: bool = True, **sitting_kw) -> IssueWorld:
    code = af.EvaluatorCodeFactory()
    evaluator = code.organization
    if catalog:
        publish_evaluation_catalog(listing_rows(evaluator))
    sitting = results_sitting(evaluator, passed=passed, failed=failed, **sitting_kw)
    candidates = list(sitting.candidates.order_by("pk"))
    return IssueWorld(
        sitting=sitting, code=code,
        passed=[c for c in candidates if c.passed], failed=[c for c in candidates
                                                            if c.passed is False],
        operator=f.operator(evaluator), other_operator=f.operator(af.EvaluatorFactory()),
        county_staff=f.staff(Role.COUNTY_STAFF, f.COUNTY))
