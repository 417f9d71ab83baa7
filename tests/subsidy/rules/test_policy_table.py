"""The subsidy policy as a table: each row a situation (the person's earlier subsidies, the
parameters in force, the claim) and what the rules answer — the amount paid, or the code of
the rule that refuses it.

The parameters are the test files below (not the shipped, illustrative ones), so the figures in
the rows can be checked by hand:
- national default: at most 3 subsidies a year (by claim date), claim window 12 months,
  upskilling 1,000 / 1,500 / 2,000 yuan by level after 12 insured months, once a year;
  apprenticeship 4,000 a year to the enterprise; certificates from outside the province refused;
- province 520000: version A until 2025-06-30 (as national), version B from 2025-07-01 allows
  only 2 subsidies a year (a mid-year change); certificates from outside the province accepted;
  living allowance 50 yuan/day, ≤ 30 days, for key groups; upskilling 3 times a year for
  urgently-needed occupations;
- city 520100 overrides from 2025-09-01: level factor 1.2 for grade3, +10% for urgently
  needed occupations, material class "high" (material ≥ 40% of the standard) × 1.15, at most
  1.5 × the standard, cost sharing 80/10/10; employment uplift 20% of the class's training
  subsidies when ≥ 50% of trainees are stably employed within 6 months;
- region 430000 has no set of its own (the national default applies);
- region 410000: the year of a subsidy is the year of its certificate date, and the
  evaluation subsidy may be paid beside another kind for the same certificate.
The catalog standard for every row is 1,000 yuan (welder 6-18-02-04 and electrician
6-31-01-03), 300 yuan for evaluation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from jineng.subsidy.rules.engine import evaluate, evaluate_many, index_history, year_usage
from jineng.subsidy.rules.parameters import ParameterIndex, check_parameters
from jineng.subsidy.rules.types import ClaimFacts, PriorSubsidy, Shares, Standard

NATIONAL = """
schema: jineng/subsidy-parameters/1
version: test-national
region: ""
title: test national default
valid_from: 2020-01-01
limits: {yearly_limit: 3, year_basis: claim_date, claim_window_months: 12,
         same_occupation_level: true, lower_after_higher: true, same_certificate: true}
kinds:
  training: {payees: [person, institution], amount_basis: catalog, family: skill,
             max_factor: 1.5}
  certificate: {payees: [person], amount_basis: catalog, family: skill, needs_certificate: true,
                claim_window: true, outside_province: false, max_factor: 1.5}
  upskilling: {payees: [person], amount_basis: level_amounts, family: skill,
               needs_certificate: true, claim_window: true, insured_months: 12,
               times_per_year: 1, level_amounts: {grade5: 1000, grade4: 1500, grade3: 2000},
               max_factor: 1}
  apprenticeship: {payees: [enterprise], amount_basis: level_amounts, times_per_year: 1,
                   level_amounts: {grade4: 4000, grade3: 4000}, max_factor: 1}
  evaluation: {payees: [person, institution], amount_basis: catalog, family: evaluation,
               max_factor: 1}
  living_allowance: {granted: false}
  employment_uplift: {granted: false}
sources: {limits: test, kinds: test}
"""
PROVINCE_A = """
schema: jineng/subsidy-parameters/1
version: test-province-a
region: "520000"
title: test province, first half of 2025
valid_from: 2025-01-01
valid_to: 2025-06-30
kinds:
  certificate: {outside_province: true}
sources: {kinds: test}
"""
PROVINCE_B = """
schema: jineng/subsidy-parameters/1
version: test-province-b
region: "520000"
title: test province from July 2025
valid_from: 2025-07-01
limits: {yearly_limit: 2}
kinds:
  certificate: {outside_province: true}
  upskilling: {urgent_times_per_year: 3}
  living_allowance: {granted: true, payees: [person], amount_basis: per_day,
                     counts_toward_yearly_limit: false, key_groups: [unemployed, veteran],
                     per_day: 50, max_days: 30, max_factor: 1}
sources: {limits: test, kinds: test}
"""
CITY = """
schema: jineng/subsidy-parameters/1
version: test-city
region: "520100"
title: test city override from September 2025
valid_from: 2025-09-01
kinds:
  training:
    payees: [person, institution, enterprise]
    level_factors: {grade3: 1.2}
    urgent_uplift: 0.1
    material_classes: [{code: high, min_share: 0.4, factor: 1.15}]
    cost_sharing: {government: 0.8, enterprise: 0.1, individual: 0.1}
    max_factor: 1.5
  employment_uplift: {granted: true, payees: [institution], amount_basis: class_share,
                      counts_toward_yearly_limit: false, employed_share: 0.5,
                      employment_months: 6, uplift_rate: 0.2, max_factor: 1}
sources: {kinds: test}
"""
HENAN = """
schema: jineng/subsidy-parameters/1
version: test-henan
region: "410000"
title: year by certificate date; evaluation beside other kinds for one certificate
valid_from: 2020-01-01
limits: {year_basis: certificate_date}
kinds:
  evaluation: {consumes_certificate: false}
sources: {limits: test, kinds: test}
"""


def _raw(text):
    result = check_parameters(text)
    assert result.ok, [str(i) for i in result.issues]
    return result.raw


INDEX = ParameterIndex([_raw(t) for t in (NATIONAL, PROVINCE_A, PROVINCE_B, CITY, HENAN)])

D = dt.date.fromisoformat
WELDER, ELECTRICIAN, COOK = "6-18-02-04", "6-31-01-03", "4-03-02-01"
RANK = {"grade5": 1, "grade4": 2, "grade3": 3, "grade2": 4}
STANDARD = Standard(Decimal("1000"), ref="catalog:7/entry:1")
EVAL_STANDARD = Standard(Decimal("300"), ref="catalog:7/entry:2")


def h(kind, claimed, status="paid", *, occ=WELDER, level="grade4", cert="", cert_date=None,
      payee="person", person="p1", class_ref=""):
    """An earlier subsidy of person p1."""
    return PriorSubsidy(kind=kind, status=status, claim_date=D(claimed), occupation_code=occ,
                        level=level, level_rank=RANK.get(level), certificate_ref=cert,
                        certificate_date=D(cert_date) if cert_date else None,
                        payee_kind=payee, person_key=person, class_ref=class_ref)


def c(kind, claimed, *, region="520102", occ=WELDER, level="grade4", cert="", cert_date=None,
      payee="person", standard=..., **kw):
    """A claim of person p1 (region: a county of the test city)."""
    if standard is ...:
        standard = EVAL_STANDARD if kind == "evaluation" else STANDARD
    if kind in ("certificate", "upskilling") and not cert:
        cert, cert_date = cert or "CERT-NEW", cert_date or claimed
    return ClaimFacts(kind=kind, person_key="p1", claim_date=D(claimed), region_code=region,
                      payee_kind=payee, occupation_code=occ, level=level,
                      level_rank=RANK.get(level), certificate_ref=cert,
                      certificate_date=D(cert_date) if cert_date else None,
                      standard=standard, **kw)


def three_in(year, **kw):
    """Three subsidies in a year in three occupations: one paid to the person, one to the
    institution, one (apprenticeship) to the enterprise."""
    return [h("training", f"{year}-03-01", occ=COOK, **kw),
            h("training", f"{year}-05-01", occ=ELECTRICIAN, payee="institution", **kw),
            h("apprenticeship", f"{year}-06-01", occ="2-02-07-04", payee="enterprise", **kw)]


# (name, history, claim, expected amount or refusal code)
ROWS = [
    # --- the amount ------------------------------------------------------------------------
    ("training at the catalog standard", [], c("training", "2025-05-10"), "1000.00"),
    ("evaluation at its own standard", [], c("evaluation", "2025-05-10"), "300.00"),
    ("upskilling: amount by level after 12 insured months", [],
     c("upskilling", "2025-05-10", insured_months=12), "1500.00"),
    ("apprenticeship to the enterprise, per apprentice per year", [],
     c("apprenticeship", "2025-05-10", payee="enterprise"), "4000.00"),
    ("city override from its first day: level 1.2 × material 1.15 × (1 + 10% urgent) capped "
     "at 1.5 × 1,000, government pays 80%", [],
     c("training", "2025-09-01", level="grade3", urgent_occupation=True,
       standard=Standard(Decimal("1000"), ref="e", material_cost=Decimal("400"))), "1200.00"),
    ("the day before the city override: the province's set (no factors)", [],
     c("training", "2025-08-31", level="grade3", urgent_occupation=True,
       standard=Standard(Decimal("1000"), ref="e", material_cost=Decimal("400"))), "1000.00"),
    ("city: level 1.2 only (material below 40%, not urgent) = 1,200, government 80%", [],
     c("training", "2025-10-01", level="grade3"), "960.00"),
    ("city: not capped below 1.5: 1,000 × 1.15 × 1.1 = 1,265, government 80% = 1,012", [],
     c("training", "2025-10-01", level="grade4", urgent_occupation=True,
       standard=Standard(Decimal("1000"), ref="e", material_cost=Decimal("450"))), "1012.00"),
    ("a catalog entry's own uplift (5%) and shares (all government) win over the city's: "
     "999.99 × 1.05 = 1,049.9895", [],
     c("training", "2025-10-01", level="grade4", urgent_occupation=True,
       standard=Standard(Decimal("999.99"), ref="e", urgent_uplift=Decimal("0.05"),
                         shares=Shares())), "1049.99"),
    ("living allowance: 50 a day, days capped at 30", [],
     c("living_allowance", "2025-08-01", key_groups=frozenset({"unemployed"}), days=40,
       standard=None), "1500.00"),
    ("employment uplift: exactly 50% employed, after the 6-month window: 20% of 100,000", [],
     c("employment_uplift", "2026-01-01", payee="institution", standard=None, class_ref="K1",
       class_end_date=D("2025-06-30"), trainees=40, stably_employed=20,
       class_subsidy_total=Decimal("100000")), "20000.00"),

    # --- refusals of the kind itself ------------------------------------------------------
    ("living allowance is not granted by the national default", [],
     c("living_allowance", "2025-08-01", region="430000", key_groups=frozenset({"unemployed"}),
       days=5, standard=None), "kind_not_granted"),
    ("living allowance only for the key groups named", [],
     c("living_allowance", "2025-08-01", key_groups=frozenset({"graduate"}), days=5,
       standard=None), "key_group_required"),
    ("apprenticeship is paid to the enterprise, not to the person", [],
     c("apprenticeship", "2025-05-10"), "payee_not_allowed"),
    ("a person barred from subsidies (supervision sanction) is refused whatever the kind", [],
     c("training", "2025-05-10", person_barred_until="2026-05-09"), "person_barred"),
    ("no new claim for a class of a suspended or removed institution", [],
     c("training", "2025-05-10", institution_unlisted=True), "institution_unlisted"),
    ("training paid to an enterprise only where the city allows it", [],
     c("training", "2025-05-10", payee="enterprise"), "payee_not_allowed"),
    ("no catalog standard for the occupation and level", [],
     c("training", "2025-05-10", standard=None), "standard_missing"),
    ("upskilling: no amount for a level the parameters do not list", [],
     c("upskilling", "2025-05-10", level="grade2", insured_months=24), "standard_missing"),
    ("certificate subsidy without a certificate", [],
     replace(c("certificate", "2025-05-10"), certificate_ref=""), "certificate_missing"),
    ("claim dated before the certificate", [],
     c("certificate", "2025-05-10", cert="C9", cert_date="2025-05-11"),
     "claim_before_certificate"),
    ("outside-province certificate where the region does not accept it (national)", [],
     c("certificate", "2025-05-10", region="430000", certificate_outside_province=True),
     "outside_province"),
    ("outside-province certificate accepted in the province (Guizhou (十) style)", [],
     c("certificate", "2025-05-10", certificate_outside_province=True), "1000.00"),

    # --- claim window: 12 months after the certificate date, last day included ------------
    ("claim on the last day of the window", [],
     c("certificate", "2026-03-15", region="430000", cert="C1", cert_date="2025-03-15"),
     "1000.00"),
    ("claim the day after the window", [],
     c("certificate", "2026-03-16", region="430000", cert="C1", cert_date="2025-03-15"),
     "claim_window"),
    ("certificate of 29 February: the window ends on 28 February", [],
     c("certificate", "2025-02-28", region="430000", cert="C1", cert_date="2024-02-29"),
     "1000.00"),
    ("certificate of 29 February: 1 March is late", [],
     c("certificate", "2025-03-01", region="430000", cert="C1", cert_date="2024-02-29"),
     "claim_window"),
    ("upskilling has the same window", [],
     c("upskilling", "2026-03-16", region="430000", cert="C1", cert_date="2025-03-15",
       insured_months=30), "claim_window"),

    # --- insured months and times a year for upskilling -----------------------------------
    ("upskilling with 11 insured months", [],
     c("upskilling", "2025-05-10", insured_months=11), "insured_months"),
    ("upskilling without insurance records", [],
     c("upskilling", "2025-05-10", insured_months=None), "insured_months"),
    ("a second upskilling subsidy in the year (another occupation)",
     [h("upskilling", "2025-02-01", occ=COOK, cert="C0", cert_date="2025-01-20")],
     c("upskilling", "2025-05-10", insured_months=12), "upskilling_per_year"),
    ("a second upskilling in the year for an urgently-needed occupation where the province "
     "allows 3",
     [h("upskilling", "2025-07-02", occ=COOK, cert="C0", cert_date="2025-07-01")],
     c("upskilling", "2025-08-10", insured_months=12, urgent_occupation=True), "1500.00"),
    ("the same in a region without extra times (national)",
     [h("upskilling", "2025-07-02", occ=COOK, cert="C0", cert_date="2025-07-01")],
     c("upskilling", "2025-08-10", region="430000", insured_months=12,
       urgent_occupation=True), "upskilling_per_year"),
    ("upskilling again the next year",
     [h("upskilling", "2024-12-31", occ=COOK, cert="C0", cert_date="2024-12-01")],
     c("upskilling", "2025-01-01", region="430000", insured_months=12), "1500.00"),

    # --- apprenticeship: per apprentice per year -------------------------------------------
    ("a second apprenticeship subsidy for the apprentice in the year",
     [h("apprenticeship", "2025-01-10", payee="enterprise")],
     c("apprenticeship", "2025-11-10", payee="enterprise"), "apprenticeship_per_year"),
    ("the apprenticeship's next year",
     [h("apprenticeship", "2024-11-10", payee="enterprise")],
     c("apprenticeship", "2025-11-10", payee="enterprise", region="430000"), "4000.00"),

    # --- same occupation and level; lower after higher; cross-kind ------------------------
    ("training again for the same occupation and level",
     [h("training", "2023-05-01")], c("training", "2025-05-10"), "same_occupation_level"),
    ("certificate subsidy after a training subsidy for the same occupation and level "
     "(cross-kind)", [h("training", "2024-05-01")], c("certificate", "2025-05-10"),
     "same_occupation_level"),
    ("upskilling after a certificate subsidy for the same occupation and level (cross-kind)",
     [h("certificate", "2024-05-01", cert="C7", cert_date="2024-04-01")],
     c("upskilling", "2025-05-10", insured_months=12), "same_occupation_level"),
    ("training subsidy paid to the institution uses up the person's occupation and level",
     [h("training", "2024-05-01", payee="institution")], c("certificate", "2025-05-10"),
     "same_occupation_level"),
    ("evaluation subsidy beside a training subsidy for the same level (another family)",
     [h("training", "2025-02-01")], c("evaluation", "2025-05-10"), "300.00"),
    ("a lower level after a higher one of the same occupation",
     [h("training", "2024-05-01", level="grade3")], c("training", "2025-05-10",
                                                     level="grade4"), "lower_after_higher"),
    ("a higher level after a lower one",
     [h("training", "2024-05-01", level="grade5")], c("training", "2025-05-10"), "1000.00"),
    ("the same level of another occupation",
     [h("training", "2024-05-01", occ=ELECTRICIAN)], c("training", "2025-05-10"), "1000.00"),
    ("another person's history is not this person's",
     [h("training", "2024-05-01", person="p2")], c("training", "2025-05-10"), "1000.00"),

    # --- one certificate, one kind ---------------------------------------------------------
    ("a certificate already paid by another kind",
     [h("evaluation", "2025-02-01", occ=COOK, cert="C5", cert_date="2025-01-15")],
     c("certificate", "2025-05-10", cert="C5", cert_date="2025-01-15"), "same_certificate"),
    ("a region may pay an evaluation subsidy beside another kind for one certificate",
     [h("training", "2025-02-01", cert="C5", cert_date="2025-01-15")],
     c("evaluation", "2025-05-10", region="410102", cert="C5", cert_date="2025-01-15"),
     "300.00"),
    ("a certificate already paid by the same kind (claimed twice)",
     [h("certificate", "2025-02-01", cert="C5", cert_date="2025-01-15")],
     c("certificate", "2025-05-10", cert="C5", cert_date="2025-01-15"), "same_certificate"),

    # --- refused and withdrawn use up nothing; other statuses count -----------------------
    ("a refused claim for the same occupation and level",
     [h("training", "2025-02-01", status="refused")], c("training", "2025-05-10"), "1000.00"),
    ("a withdrawn claim for the same certificate",
     [h("certificate", "2025-02-01", status="withdrawn", cert="C5", cert_date="2025-01-15")],
     c("certificate", "2025-05-10", cert="C5", cert_date="2025-01-15"), "1000.00"),
    ("a claim still under review counts",
     [h("training", "2025-02-01", status="submitted")], c("training", "2025-05-10"),
     "same_occupation_level"),
    ("a failed payment (to be re-applied) counts",
     [h("training", "2025-02-01", status="payment_failed")], c("training", "2025-05-10"),
     "same_occupation_level"),
    ("a recovered (fraudulent) subsidy counts",
     [h("training", "2025-02-01", status="recovered")], c("training", "2025-05-10"),
     "same_occupation_level"),

    # --- yearly limit: all kinds together, institution- and enterprise-paid included ------
    ("a fourth subsidy in the year (one paid to the institution, one to the enterprise)",
     three_in(2025), c("training", "2025-06-30"), "yearly_limit"),
    ("one of the three was refused", [
        *three_in(2025)[:2],
        h("apprenticeship", "2025-06-01", status="refused", occ="2-02-07-04",
          payee="enterprise")], c("training", "2025-06-30"), "1000.00"),
    ("one of the three was withdrawn", [
        *three_in(2025)[:2],
        h("apprenticeship", "2025-06-01", status="withdrawn", occ="2-02-07-04",
          payee="enterprise")], c("training", "2025-06-30"), "1000.00"),
    ("year edge: three on 31 December, a claim on 1 January",
     [h("training", "2024-12-31", occ=o) for o in (COOK, ELECTRICIAN, "2-02-07-04")],
     c("training", "2025-01-01", region="430000"), "1000.00"),
    ("year edge: three on 1 January, a claim on 31 December",
     [h("training", "2025-01-01", occ=o) for o in (COOK, ELECTRICIAN, "2-02-07-04")],
     c("training", "2025-12-31", region="430000"), "yearly_limit"),
    ("mid-year change: two subsidies, a claim on 30 June (limit 3 then)",
     three_in(2025)[:2], c("training", "2025-06-30"), "1000.00"),
    ("mid-year change: two subsidies, a claim on 1 July (limit 2 from then)",
     three_in(2025)[:2], c("training", "2025-07-01"), "yearly_limit"),
    ("living allowance does not count towards the yearly limit (province B)",
     [*three_in(2025)[:1], h("living_allowance", "2025-07-05", occ="")],
     c("training", "2025-08-01"), "1000.00"),
    ("year by certificate date: claimed in January for a December certificate counts for "
     "the previous year",
     [h("certificate", "2025-01-05", occ=o, cert=f"X{i}", cert_date="2024-12-20")
      for i, o in enumerate((COOK, ELECTRICIAN, "2-02-07-04"))],
     c("certificate", "2025-03-10", region="410000", cert="C1", cert_date="2025-03-01"),
     "1000.00"),
    ("year by certificate date: three certificates of the same year",
     [h("certificate", "2025-01-05", occ=o, cert=f"X{i}", cert_date="2025-01-02")
      for i, o in enumerate((COOK, ELECTRICIAN, "2-02-07-04"))],
     c("certificate", "2025-03-10", region="410000", cert="C1", cert_date="2025-03-01"),
     "yearly_limit"),

    # --- employment uplift ----------------------------------------------------------------
    ("uplift: 49% employed is below the share",
     [], c("employment_uplift", "2026-01-01", payee="institution", standard=None,
           class_ref="K1", class_end_date=D("2025-06-30"), trainees=100, stably_employed=49,
           class_subsidy_total=Decimal("100000")), "uplift_share"),
    ("uplift: claimed on the last day of the six-month window (too early)",
     [], c("employment_uplift", "2025-12-30", payee="institution", standard=None,
           class_ref="K1", class_end_date=D("2025-06-30"), trainees=10, stably_employed=9,
           class_subsidy_total=Decimal("100000")), "uplift_too_early"),
    ("uplift: counted over a 3-month window",
     [], c("employment_uplift", "2026-01-01", payee="institution", standard=None,
           class_ref="K1", class_end_date=D("2025-06-30"), trainees=10, stably_employed=9,
           employment_window_months=3, class_subsidy_total=Decimal("100000")),
     "uplift_window_mismatch"),
    ("uplift: more employed than trainees is refused as bad input",
     [], c("employment_uplift", "2026-01-01", payee="institution", standard=None,
           class_ref="K1", class_end_date=D("2025-06-30"), trainees=10, stably_employed=11,
           class_subsidy_total=Decimal("100000")), "uplift_counts_invalid"),
    ("uplift: once per class",
     [h("employment_uplift", "2026-01-01", payee="institution", occ="", level="",
        class_ref="K1", person="")],
     c("employment_uplift", "2026-02-01", payee="institution", standard=None,
       class_ref="K1", class_end_date=D("2025-06-30"), trainees=10, stably_employed=9,
       class_subsidy_total=Decimal("100000")), "uplift_once_per_class"),
]


@pytest.mark.parametrize(("history", "claim", "expected"),
                         [pytest.param(r[1], r[2], r[3], id=r[0]) for r in ROWS])
def test_policy_row(history, claim, expected):
    params = INDEX.for_claim(claim)
    decision = evaluate(claim, history, params)
    if expected[0].isdigit():
        assert decision.allowed, (decision.refusal_code, decision.refusal_params)
        assert decision.amount == Decimal(expected)
        assert sum(decision.shares.values()) == decision.cost
        assert decision.parameter_version == params.version
    else:
        assert not decision.allowed
        assert decision.refusal_code == expected
        assert decision.amount is None
        assert decision.steps[-1].rule == expected


def test_the_amount_shows_every_step_with_its_parameter_and_source():
    claim = c("training", "2025-09-01", level="grade3", urgent_occupation=True,
              standard=Standard(Decimal("1000"), ref="catalog:7/entry:1",
                                material_cost=Decimal("400")))
    d = evaluate(claim, [], INDEX.for_claim(claim))
    assert d.parameter_version == "test-city < test-province-b < test-national"
    assert d.catalog_ref == "catalog:7/entry:1"
    rules = [s.rule for s in d.steps]
    assert rules == ["occupation_level", "yearly_limit", "standard", "level_factor",
                     "material_cost", "urgent_uplift", "max_factor", "rounding",
                     "cost_sharing"]
    by_rule = {s.rule: s for s in d.steps}
    assert by_rule["level_factor"].parameter == "kinds.training.level_factors.grade3"
    assert by_rule["level_factor"].value == "1.2"
    assert by_rule["level_factor"].source == "test [test-city]"
    assert by_rule["level_factor"].amount == Decimal("1200.00")
    assert by_rule["material_cost"].amount == Decimal("1380.00")
    assert by_rule["max_factor"].amount == Decimal("1500.00")
    assert by_rule["yearly_limit"].parameter == "limits.yearly_limit"
    assert by_rule["yearly_limit"].value == "2"
    assert d.cost == Decimal("1500.00")
    assert d.shares == {"government": Decimal("1200.00"), "enterprise": Decimal("150.00"),
                        "individual": Decimal("150.00")}
    assert d.as_dict()["amount"] == "1200.00"


def test_rounding_is_half_up_and_the_individual_share_takes_the_remainder():
    claim = c("training", "2025-10-01", level="grade4",
              standard=Standard(Decimal("333.33"), ref="e"))
    d = evaluate(claim, [], INDEX.for_claim(claim))
    # 333.33 × 0.8 = 266.664 → 266.66; × 0.1 = 33.333 → 33.33; individual 333.33 − 299.99
    assert d.shares == {"government": Decimal("266.66"), "enterprise": Decimal("33.33"),
                        "individual": Decimal("33.34")}
    claim = c("training", "2025-10-01", level="grade3",
              standard=Standard(Decimal("100.05"), ref="e", shares=None))
    d = evaluate(claim, [], INDEX.for_claim(claim))
    assert d.cost == Decimal("120.06")  # 100.05 × 1.2 = 120.06 exactly


def test_a_stored_claim_ignores_itself_when_evaluated_again():
    history = [PriorSubsidy(kind="training", status="approved", claim_date=D("2025-05-10"),
                            occupation_code=WELDER, level="grade4", level_rank=2,
                            person_key="p1", ref="claim-17")]
    claim = ClaimFacts(kind="training", person_key="p1", claim_date=D("2025-05-10"),
                       region_code="520102", occupation_code=WELDER, level="grade4",
                       level_rank=2, standard=STANDARD, claim_ref="claim-17")
    assert evaluate(claim, history, INDEX.for_claim(claim)).amount == Decimal("1000.00")


def test_no_parameters_in_force():
    claim = c("training", "2019-05-10")
    assert INDEX.for_claim(claim) is None
    d = evaluate(claim, [], None)
    assert d.refusal_code == "no_parameters"


def test_a_batch_sees_the_claims_allowed_before_it():
    claims = [c("training", "2025-05-10"), c("certificate", "2025-05-11"),
              c("training", "2025-05-12", occ=ELECTRICIAN),
              c("training", "2025-05-13", occ=COOK),
              c("training", "2025-05-14", occ="2-02-07-04")]
    history = index_history([h("training", "2024-01-01", occ="x")])
    out = evaluate_many(claims, history, INDEX.for_claim)
    assert [d.refusal_code or str(d.amount) for d in out] == [
        "1000.00", "same_occupation_level", "1000.00", "1000.00", "yearly_limit"]


def test_year_usage_for_the_enrollment_warning():
    params = INDEX.in_force("520102", D("2025-08-01"))
    usage = year_usage("p1", [*three_in(2025)[:1], h("training", "2025-02-01", "refused")],
                       params, D("2025-08-01"))
    assert usage["used"] == 1 and usage["limit"] == 2 and usage["left"] == 1
    assert usage["upskilling_allowed"] == 1 and usage["upskilling_urgent_allowed"] == 3
