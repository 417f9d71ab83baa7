"""Properties of the subsidy rules over generated situations (Hypothesis)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jineng.subsidy.rules.engine import evaluate
from jineng.subsidy.rules.parameters import ParameterIndex, shipped_sets
from jineng.subsidy.rules.types import CENT, ClaimFacts, PriorSubsidy, Shares, Standard

from .test_policy_table import INDEX as TEST_INDEX

SHIPPED = ParameterIndex(shipped_sets())
INDEXES = [TEST_INDEX, SHIPPED]

OCCS = ["6-18-02-04", "6-31-01-03", "4-03-02-01"]
LEVELS = [("grade5", 1), ("grade4", 2), ("grade3", 3)]
KINDS = ["training", "certificate", "upskilling", "apprenticeship", "evaluation",
         "living_allowance"]
PAYEES = ["person", "institution", "enterprise"]
REGIONS = ["520102", "430102", "410102", "320703", "330102"]
CERTS = ["C1", "C2", "C3", ""]
COUNTING = ["submitted", "approved", "paid", "payment_failed", "recovered", "in_payment"]
NOT_COUNTING = ["refused", "withdrawn", "draft"]

days = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2026, 12, 31))
levels = st.sampled_from(LEVELS)


@st.composite
def priors(draw, statuses=COUNTING + NOT_COUNTING):
    level, rank = draw(levels)
    cert = draw(st.sampled_from(CERTS))
    claimed = draw(days)
    return PriorSubsidy(kind=draw(st.sampled_from(KINDS)), status=draw(st.sampled_from(statuses)),
                        claim_date=claimed, occupation_code=draw(st.sampled_from(OCCS)),
                        level=level, level_rank=rank, certificate_ref=cert,
                        certificate_date=claimed - dt.timedelta(days=draw(st.integers(0, 400)))
                        if cert else None,
                        payee_kind=draw(st.sampled_from(PAYEES)), person_key="p1")


@st.composite
def claims(draw):
    level, rank = draw(levels)
    kind = draw(st.sampled_from(KINDS))
    claimed = draw(days)
    cert = draw(st.sampled_from(CERTS))
    amount = Decimal(draw(st.integers(1, 1_000_000))) * CENT
    material = (amount * Decimal(draw(st.integers(0, 100))) / 100).quantize(CENT)
    shares = draw(st.sampled_from([None, Shares(), Shares(Decimal("0.333"), Decimal("0.333"),
                                                          Decimal("0.334")),
                                   Shares(Decimal("0.5"), Decimal("0.5"), Decimal("0"))]))
    return ClaimFacts(
        kind=kind, person_key="p1", claim_date=claimed,
        region_code=draw(st.sampled_from(REGIONS)), payee_kind=draw(st.sampled_from(PAYEES)),
        occupation_code=draw(st.sampled_from(OCCS)), level=level, level_rank=rank,
        certificate_ref=cert,
        certificate_date=claimed - dt.timedelta(days=draw(st.integers(0, 400))) if cert else None,
        certificate_outside_province=draw(st.booleans()),
        urgent_occupation=draw(st.booleans()),
        standard=draw(st.sampled_from([None, Standard(amount, "e", material_cost=material,
                                                      urgent_uplift=Decimal("0.05"),
                                                      shares=shares),
                                       Standard(amount, "e", material_cost=material,
                                                shares=shares)])),
        key_groups=frozenset(draw(st.sets(st.sampled_from(["unemployed", "veteran",
                                                           "graduate"])))),
        insured_months=draw(st.one_of(st.none(), st.integers(0, 60))),
        days=draw(st.one_of(st.none(), st.integers(0, 60))))


def _key(d):
    return (d.allowed, d.refusal_code, d.amount, tuple(sorted(d.shares.items())))


fast = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


@fast
@given(claims(), st.lists(priors(COUNTING), max_size=6),
       st.lists(priors(NOT_COUNTING), min_size=1, max_size=6), st.sampled_from(INDEXES))
def test_refused_withdrawn_and_draft_history_never_changes_an_answer(claim, base, noise, index):
    params = index.for_claim(claim)
    assert (evaluate(claim, base, params).as_dict()
            == evaluate(claim, base + noise, params).as_dict())


@fast
@given(claims(), st.lists(priors(), max_size=6), st.sampled_from(INDEXES))
def test_the_amount_never_exceeds_the_base_times_the_maximum_factor(claim, history, index):
    params = index.for_claim(claim)
    d = evaluate(claim, history, params)
    if not d.allowed:
        assert d.amount is None and d.refusal_code
        return
    rules = params.kinds[claim.kind]
    base = {"catalog": claim.standard.amount if claim.standard else None,
            "level_amounts": rules.level_amounts.get(claim.level),
            "per_day": rules.per_day * min(claim.days or 0, rules.max_days or 10**6)}.get(
                rules.amount_basis)
    assert d.amount >= 0 and d.amount <= d.cost
    assert d.cost <= (base * rules.max_factor).quantize(CENT)
    assert sum(d.shares.values()) == d.cost
    assert all(v >= 0 for v in d.shares.values())
    assert d.amount == d.shares["government"]
    assert d.amount == d.amount.quantize(CENT)


@fast
@given(claims(), st.lists(priors(), max_size=5), st.lists(priors(COUNTING), min_size=1,
                                                          max_size=3),
       st.sampled_from(INDEXES))
def test_more_history_never_turns_a_refusal_into_a_payment(claim, history, more, index):
    params = index.for_claim(claim)
    if not evaluate(claim, history, params).allowed:
        assert not evaluate(claim, history + more, params).allowed


@fast
@given(claims(), st.lists(priors(), max_size=8), st.randoms(use_true_random=False),
       st.sampled_from(INDEXES))
def test_the_order_of_the_history_does_not_matter(claim, history, rnd: random.Random, index):
    params = index.for_claim(claim)
    shuffled = list(history)
    rnd.shuffle(shuffled)
    a, b = evaluate(claim, history, params), evaluate(claim, shuffled, params)
    assert _key(a) == _key(b)
