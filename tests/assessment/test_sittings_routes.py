"""The routes to a level (rules/routes.py), table-driven: each route's admissions and refusals,
with the field each refusal names and the citation each answer carries."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jineng.assessment.choices import AssessmentRoute
from jineng.assessment.rules import routes as r

OCC, OTHER_OCC, RELATED_OCC = 11, 12, 13
EVALUATOR, EMPLOYER, CHAIN_MEMBER, INSTITUTION = 100, 200, 300, 400
DAY = dt.date(2026, 6, 1)


def sitting(level=r.GRADE4, **kw) -> r.SittingFacts:
    base = {"evaluator_id": EVALUATOR, "level": level, "occupation_id": OCC,
            "region_code": "520102", "sitting_date": DAY,
            "related_occupation_ids": frozenset({RELATED_OCC})}
    base.update(kw)
    return r.SittingFacts(**base)


def enrollment(level=r.GRADE4, **kw) -> r.ClassFacts:
    base = {"enrollment_id": 5, "completed": True, "occupation_id": OCC, "level": level,
            "institution_id": INSTITUTION, "training_type": "employment",
            "required_hours": Decimal("160")}
    base.update(kw)
    return r.ClassFacts(**base)


def cert(level, years_ago=10, kind=r.SKILL_LEVEL, occupation=OCC) -> r.HeldCertificate:
    return r.HeldCertificate(kind=kind, level=level, occupation_id=occupation,
                             issued_on=DAY.replace(year=DAY.year - years_ago),
                             number=f"N{level}")


def candidate(**kw) -> r.CandidateFacts:
    return r.CandidateFacts(**kw)


SELF = {"self_evaluation": True}
TOP = {"self_evaluation": True, "top_filing_number": "豫人社备2025-01"}

# route, sitting, candidate, allowed, code, field
CASES = [
    # class_completed
    ("class_completed", sitting(), candidate(enrollment=enrollment()), True,
     "completed_class", ""),
    ("class_completed", sitting(), candidate(), False, "enrollment_required", "enrollment"),
    ("class_completed", sitting(), candidate(enrollment=enrollment(completed=False)), False,
     "not_completed", "enrollment"),
    ("class_completed", sitting(), candidate(enrollment=enrollment(occupation_id=OTHER_OCC)),
     False, "other_occupation", "enrollment"),
    ("class_completed", sitting(), candidate(enrollment=enrollment(level=r.GRADE5)), False,
     "other_level", "enrollment"),
    ("class_completed", sitting(level=None, occupation_id=None, special_ability_item="茶艺"),
     candidate(enrollment=enrollment(level=None, occupation_id=None,
                                     special_ability_item="茶艺")), True, "completed_class", ""),
    ("class_completed", sitting(level=None, occupation_id=None, special_ability_item="茶艺"),
     candidate(enrollment=enrollment(level=None, occupation_id=None,
                                     special_ability_item="插花")), False, "other_occupation",
     "enrollment"),
    # social: the standard's 申报条件
    ("social", sitting(level=r.GRADE5), candidate(years_in_occupation=Decimal(1)), True,
     "condition_met", ""),
    ("social", sitting(level=r.GRADE5), candidate(years_in_occupation=Decimal("0.9")), False,
     "conditions_not_met", "years_in_occupation"),
    ("social", sitting(), candidate(years_in_occupation=Decimal(6)), True, "condition_met", ""),
    ("social", sitting(), candidate(years_in_occupation=Decimal(5)), False,
     "conditions_not_met", "years_in_occupation"),
    ("social", sitting(), candidate(years_in_occupation=Decimal(4),
                                    certificates=(cert(r.GRADE5, years_ago=4),)), True,
     "condition_met", ""),
    # a certificate only 3 years old: 4 years' work after it cannot have happened yet
    ("social", sitting(), candidate(years_in_occupation=Decimal(5),
                                    certificates=(cert(r.GRADE5, years_ago=3),)), False,
     "conditions_not_met", "years_in_occupation"),
    # a related occupation's certificate counts; an unrelated one does not
    ("social", sitting(), candidate(years_in_occupation=Decimal(4),
                                    certificates=(cert(r.GRADE5, 5, occupation=RELATED_OCC),)),
     True, "condition_met", ""),
    ("social", sitting(), candidate(years_in_occupation=Decimal(4),
                                    certificates=(cert(r.GRADE5, 5, occupation=OTHER_OCC),)),
     False, "conditions_not_met", "years_in_occupation"),
    ("social", sitting(level=r.GRADE3), candidate(years_in_occupation=Decimal(20)), False,
     "conditions_not_met", "years_in_occupation"),  # 高级工 needs a 中级工 certificate
    ("social", sitting(level=r.GRADE3), candidate(
        years_in_occupation=Decimal(5), certificates=(cert(r.GRADE4, 5),)), True,
     "condition_met", ""),
    ("social", sitting(level=r.GRADE2), candidate(
        years_in_occupation=Decimal(4), certificates=(cert(r.GRADE3, 4),)), True,
     "condition_met", ""),
    ("social", sitting(level=r.GRADE1), candidate(
        years_in_occupation=Decimal(9), certificates=(cert(r.GRADE3, 9),)), False,
     "conditions_not_met", "years_in_occupation"),  # 高级技师 needs a 技师 certificate
    ("social", sitting(level=r.GRADE1), candidate(
        years_in_occupation=Decimal(4),
        certificates=(cert(r.GRADE2, 4, kind=r.QUALIFICATION),)), True, "condition_met", ""),
    ("social", sitting(level=r.PRINCIPAL), candidate(years_in_occupation=Decimal(30)), False,
     "level_not_open", "route"),
    ("social", sitting(level=r.APPRENTICE), candidate(years_in_occupation=Decimal(30)), False,
     "level_not_open", "route"),
    # self_evaluation (企业自主评价, "车间+考场")
    ("self_evaluation", sitting(**SELF), candidate(employer_id=EVALUATOR), True,
     "own_employee", ""),
    ("self_evaluation", sitting(**SELF, chain_employer_ids=frozenset({CHAIN_MEMBER})),
     candidate(employer_id=CHAIN_MEMBER), True, "own_employee", ""),
    ("self_evaluation", sitting(), candidate(employer_id=EVALUATOR), False,
     "not_self_evaluating", "route"),
    ("self_evaluation", sitting(**SELF), candidate(employer_id=EMPLOYER), False,
     "not_own_employee", "employer"),
    ("self_evaluation", sitting(**SELF), candidate(), False, "employer_required", "employer"),
    # direct_recognition (Zhejiang (七))
    ("direct_recognition", sitting(level=r.GRADE3, **SELF),
     candidate(employer_id=EVALUATOR, justification="省部级技术创新奖",
               direct_recognition_approved=True), True, "approved", ""),
    ("direct_recognition", sitting(level=r.GRADE3, **SELF),
     candidate(employer_id=EVALUATOR, justification="省部级技术创新奖"), True,
     "awaiting_approval", ""),
    ("direct_recognition", sitting(level=r.GRADE3, **SELF),
     candidate(employer_id=EVALUATOR, justification="   "), False, "justification_required",
     "justification"),
    ("direct_recognition", sitting(level=r.GRADE4, **SELF),
     candidate(employer_id=EVALUATOR, justification="x"), False, "level_below_senior",
     "route"),
    ("direct_recognition", sitting(level=r.GRADE3),
     candidate(employer_id=EVALUATOR, justification="x"), False, "not_self_evaluating",
     "route"),
    ("direct_recognition", sitting(level=r.GRADE1, **SELF),
     candidate(employer_id=EMPLOYER, justification="x"), False, "not_own_employee",
     "employer"),
    # top_appointment (特级技师/首席技师 by filed enterprises)
    ("top_appointment", sitting(level=r.PRINCIPAL, **TOP),
     candidate(employer_id=EVALUATOR, certificates=(cert(r.GRADE1, 2),)), True,
     "filed_enterprise", ""),
    ("top_appointment", sitting(level=r.CHIEF, **TOP),
     candidate(employer_id=EVALUATOR, certificates=(cert(r.PRINCIPAL, 1),)), True,
     "filed_enterprise", ""),
    ("top_appointment", sitting(level=r.PRINCIPAL, **SELF),
     candidate(employer_id=EVALUATOR, certificates=(cert(r.GRADE1, 2),)), False,
     "no_top_filing", "route"),
    ("top_appointment", sitting(level=r.GRADE1, **TOP),
     candidate(employer_id=EVALUATOR, certificates=(cert(r.GRADE1, 2),)), False,
     "level_not_top", "route"),
    ("top_appointment", sitting(level=r.PRINCIPAL, **TOP),
     candidate(employer_id=EVALUATOR, certificates=(cert(r.GRADE2, 2),)), False,
     "prerequisite_missing", "certificates"),
    ("top_appointment", sitting(level=r.PRINCIPAL, **TOP),
     candidate(employer_id=EMPLOYER, certificates=(cert(r.GRADE1, 2),)), False,
     "not_own_employee", "employer"),
    # guizhou_intermediate (Guizhou (十七))
    ("guizhou_intermediate", sitting(), candidate(enrollment=enrollment(),
                                                  certificates=(cert(r.GRADE5, 1),)), True,
     "junior_holder_trained", ""),
    ("guizhou_intermediate", sitting(), candidate(
        enrollment=enrollment(),
        certificates=(r.HeldCertificate(kind=r.SPECIAL_OPERATION, number="T1"),)), True,
     "junior_holder_trained", ""),
    # the 初级 certificate may be of another occupation; the training must be this one's
    ("guizhou_intermediate", sitting(), candidate(
        enrollment=enrollment(), certificates=(cert(r.GRADE5, 1, occupation=OTHER_OCC),)),
     True, "junior_holder_trained", ""),
    ("guizhou_intermediate", sitting(region_code="330102"), candidate(
        enrollment=enrollment(), certificates=(cert(r.GRADE5, 1),)), False, "not_guizhou",
     "route"),
    ("guizhou_intermediate", sitting(level=r.GRADE3), candidate(
        enrollment=enrollment(level=r.GRADE3), certificates=(cert(r.GRADE5, 1),)), False,
     "not_intermediate", "route"),
    ("guizhou_intermediate", sitting(), candidate(enrollment=enrollment()), False,
     "no_junior_certificate", "certificates"),
    ("guizhou_intermediate", sitting(), candidate(certificates=(cert(r.GRADE5, 1),)), False,
     "enrollment_required", "enrollment"),
    ("guizhou_intermediate", sitting(), candidate(
        enrollment=enrollment(required_hours=Decimal("119.5")),
        certificates=(cert(r.GRADE5, 1),)), False, "not_long_term", "enrollment"),
    ("guizhou_intermediate", sitting(), candidate(
        enrollment=enrollment(training_type="upskilling"),
        certificates=(cert(r.GRADE5, 1),)), False, "not_long_term", "enrollment"),
    ("guizhou_intermediate", sitting(), candidate(
        enrollment=enrollment(completed=False), certificates=(cert(r.GRADE5, 1),)), False,
     "not_completed", "enrollment"),
    ("guizhou_intermediate", sitting(), candidate(
        enrollment=enrollment(level=r.GRADE5), certificates=(cert(r.GRADE5, 1),)), False,
     "other_occupation", "enrollment"),
]


@pytest.mark.parametrize(("route", "s", "c", "allowed", "code", "field"), CASES,
                         ids=[f"{c[0]}-{c[4]}-{i}" for i, c in enumerate(CASES)])
def test_route(route, s, c, allowed, code, field):
    answer = r.check_route(route, s, c)
    assert (answer.allowed, answer.code, answer.field) == (allowed, code, field)
    assert answer.route == route
    assert answer.citation == r.CITATIONS[route]
    assert answer.as_dict()["citation"] == answer.citation
    assert answer.pending_approval is (code == "awaiting_approval")


def test_every_route_has_admissions_and_refusals_in_the_table():
    for route in r.ROUTES:
        outcomes = {case[3] for case in CASES if case[0] == route}
        assert outcomes == {True, False}, route


def test_the_routes_are_the_choices():
    assert set(r.ROUTES) == set(AssessmentRoute.values) == set(r.RULES)


def test_unknown_route_names_the_route_field():
    answer = r.check_route("bribery", sitting(), candidate())
    assert (answer.allowed, answer.code, answer.field) == (False, "unknown_route", "route")


def test_the_social_answer_explains_the_condition_it_used():
    answer = r.social(sitting(), candidate(years_in_occupation=Decimal(4),
                                           certificates=(cert(r.GRADE5, 4),)))
    assert answer.params["condition"] == "grade4_after_grade5_4y"
    assert "4年" in answer.params["text"]
    refused = r.social(sitting(), candidate(years_in_occupation=Decimal(2)))
    assert [e["condition"] for e in refused.params["examined"]] == [
        "grade4_after_grade5_4y", "grade4_work_6y"]


def test_open_routes_lists_every_admitting_route():
    c = candidate(enrollment=enrollment(), certificates=(cert(r.GRADE5, 6),),
                  years_in_occupation=Decimal(6), employer_id=EVALUATOR)
    routes = {a.route for a in r.open_routes(sitting(**SELF), c)}
    assert routes == {"class_completed", "social", "self_evaluation", "guizhou_intermediate"}


SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"


def test_citations_quote_the_seeds_exactly():
    if not SEEDS.is_dir():
        pytest.skip("the seed policies are not next to this checkout")
    text = "".join(p.read_text() for p in SEEDS.glob("*.txt"))
    quoted = [r.HUNAN_5, r.GUIZHOU_17_SELF, r.LIANYUNGANG_3_2_WORKSHOP, r.ZHEJIANG_7,
              r.HENAN_2, r.LIANYUNGANG_3_2_TOP, r.GUIZHOU_17]
    for citation in quoted:
        quote = citation.split("：", 1)[1]
        assert quote in text, citation
        number = re.search(r"\((?:[一二三四五六七八九十]+)\)", citation).group(0)
        assert number in text


@given(years=st.decimals(min_value=0, max_value=50, places=1),
       level=st.sampled_from(r.NATIONAL_GRADES),
       cert_level=st.sampled_from((None, *r.NATIONAL_GRADES)),
       cert_age=st.integers(min_value=0, max_value=40))
def test_social_matches_the_table(years, level, cert_level, cert_age):
    """Admitted exactly when one row of the table for the level holds."""
    certs = () if cert_level is None else (cert(cert_level, cert_age),)
    answer = r.social(sitting(level=level), candidate(years_in_occupation=years,
                                                      certificates=certs))

    def holds(cond):
        if cond.after_level is None:
            return years >= cond.years
        if cert_level is None or cert_level < cond.after_level:
            return False
        return min(years, Decimal(cert_age)) >= cond.years

    expected = any(holds(c) for c in r.SOCIAL_CONDITIONS if c.level == level)
    assert answer.allowed is expected
    # More years never turn an admission into a refusal.
    if expected:
        more = r.social(sitting(level=level), candidate(years_in_occupation=years + 5,
                                                        certificates=certs))
        assert more.allowed


@given(level=st.integers(min_value=0, max_value=7), self_eval=st.booleans(),
       own=st.booleans(), justified=st.booleans(), approved=st.booleans())
def test_direct_recognition_needs_every_part(level, self_eval, own, justified, approved):
    answer = r.direct_recognition(
        sitting(level=level, self_evaluation=self_eval),
        candidate(employer_id=EVALUATOR if own else EMPLOYER,
                  justification="师带徒效果明显" if justified else "",
                  direct_recognition_approved=approved))
    assert answer.allowed is (level >= r.GRADE3 and self_eval and own and justified)
    assert answer.pending_approval is (answer.allowed and not approved)


@pytest.mark.parametrize("route", r.ROUTES)
@pytest.mark.parametrize("approved", [True, False])
def test_only_an_unapproved_direct_recognition_awaits_approval(route, approved):
    assert r.awaiting_approval(route, approved) is (route == "direct_recognition"
                                                    and not approved)
