"""Deciding a subsidy claim: the checks in a fixed order, then the amount, every step recorded.

`evaluate(facts, history, params)` answers one claim against the person's earlier subsidies
(any kind, any payee) and the parameter set in force. `evaluate_many` answers a batch, each
claim seeing the ones allowed before it in the batch. Pure: no Django, no I/O.

Order of the checks (the first that fails refuses the claim, with its code):
  kind_not_granted, person_barred, institution_unlisted (sanctions), payee_not_allowed,
  certificate_missing, claim_before_certificate,
  outside_province, claim_window, the kind's own conditions (insured_months,
  key_group_required, days_missing, uplift_*), same_certificate, same_occupation_level,
  lower_after_higher, upskilling_per_year / apprenticeship_per_year, uplift_once_per_class,
  yearly_limit, standard_missing.
Then the amount: base (catalog standard, level amount, daily rate × days, or class share) ×
level factor × material-cost factor × (1 + urgent uplift + key-group uplift), capped at
base × max_factor, rounded to the cent (ROUND_HALF_UP), split into government / enterprise /
individual shares (government and enterprise rounded, the individual share takes the
remainder); the amount paid is the government share.
"""

from __future__ import annotations

import calendar
import datetime as dt
import gc
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal

from jineng.subsidy.rules.types import (
    APPRENTICESHIP,
    BASIS_CATALOG,
    BASIS_LEVEL_AMOUNTS,
    BASIS_PER_DAY,
    CENT,
    EMPLOYMENT_UPLIFT,
    LIVING_ALLOWANCE,
    ONE,
    ROUNDING,
    UPSKILLING,
    USES_NOTHING,
    YEAR_BY_CERTIFICATE_DATE,
    ZERO,
    ClaimFacts,
    Decision,
    KindRules,
    ParameterSet,
    PriorSubsidy,
    Shares,
    Step,
)


class Refused(Exception):
    def __init__(self, code: str, params: dict) -> None:
        self.code = code
        self.params = params


def money(value: Decimal) -> str:
    return str(value.quantize(CENT, rounding=ROUNDING))


def rate(value: Decimal) -> str:
    """0.100 → "10%" (for the explanation)."""
    pct = (value * 100).normalize()
    return f"{pct:f}%"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month `months` later; the month's last day when it has no such day
    (2024-02-29 + 12 months → 2025-02-28)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def claim_window_end(certificate_date: dt.date, months: int) -> dt.date:
    """The last day a claim may be made: `months` after the certificate date, that day
    included."""
    return add_months(certificate_date, months)


def counting_year(basis: str, claim_date: dt.date, certificate_date: dt.date | None) -> int:
    if basis == YEAR_BY_CERTIFICATE_DATE and certificate_date is not None:
        return certificate_date.year
    return claim_date.year


class _Run:
    """The steps of one evaluation."""

    __slots__ = ("params", "steps")

    def __init__(self, params: ParameterSet) -> None:
        self.steps: list[Step] = []
        self.params = params

    def step(self, rule: str, parameter: str, value: object, code: str, params: dict | None = None,
             amount: Decimal | None = None) -> None:
        if parameter:
            source = self.params.sources.get(parameter)
            if source is None:
                source = self.params.source(parameter)
        else:
            source = ""
        self.steps.append(Step(rule, parameter, str(value), code, params or {},
                               None if amount is None else amount.quantize(CENT, ROUNDING),
                               source))

    def refuse(self, rule: str, parameter: str, value: object, params: dict) -> Refused:
        self.step(rule, parameter, value, "refused_" + rule, params)
        return Refused(rule, params)


def _relevant(facts: ClaimFacts, history: Iterable[PriorSubsidy]) -> list[PriorSubsidy]:
    """The history that counts: not refused/withdrawn, not this claim itself, of this person
    (or, for employment uplift, of this class)."""
    out = []
    for p in history:
        if p.status in USES_NOTHING:
            continue
        if facts.claim_ref and p.ref == facts.claim_ref:
            continue
        if p.person_key and facts.person_key and p.person_key != facts.person_key:
            continue
        out.append(p)
    return out


def _check_certificate(run: _Run, facts: ClaimFacts, k: KindRules, kp: str) -> None:
    limits = run.params.limits
    if k.needs_certificate and (not facts.certificate_ref or facts.certificate_date is None):
        raise run.refuse("certificate_missing", f"{kp}.needs_certificate", True, {})
    if facts.certificate_date is not None and facts.claim_date < facts.certificate_date:
        raise run.refuse("claim_before_certificate", "", facts.certificate_date.isoformat(),
                         {"claim_date": facts.claim_date.isoformat(),
                          "certificate_date": facts.certificate_date.isoformat()})
    if facts.certificate_outside_province:
        if not k.outside_province:
            raise run.refuse("outside_province", f"{kp}.outside_province", False, {})
        run.step("outside_province", f"{kp}.outside_province", True, "outside_province_ok")
    if k.claim_window and facts.certificate_date is not None:
        months = limits.claim_window_months
        last = claim_window_end(facts.certificate_date, months)
        params = {"months": months, "certificate_date": facts.certificate_date.isoformat(),
                  "last_day": last.isoformat(), "claim_date": facts.claim_date.isoformat()}
        if facts.claim_date > last:
            raise run.refuse("claim_window", "limits.claim_window_months", months, params)
        run.step("claim_window", "limits.claim_window_months", months, "claim_window_ok", params)


def _check_kind_conditions(run: _Run, facts: ClaimFacts, k: KindRules, kp: str) -> None:
    if facts.kind == UPSKILLING and k.insured_months:
        got = facts.insured_months or 0
        params = {"months": got, "required": k.insured_months}
        if got < k.insured_months:
            raise run.refuse("insured_months", f"{kp}.insured_months", k.insured_months, params)
        run.step("insured_months", f"{kp}.insured_months", k.insured_months,
                 "insured_months_ok", params)
    if facts.kind == LIVING_ALLOWANCE:
        held = sorted(facts.key_groups & k.key_groups)
        if not held:
            raise run.refuse("key_group_required", f"{kp}.key_groups",
                             ",".join(sorted(k.key_groups)),
                             {"groups": sorted(k.key_groups), "held": sorted(facts.key_groups)})
        run.step("key_group_required", f"{kp}.key_groups", ",".join(sorted(k.key_groups)),
                 "key_group_ok", {"held": held})
        if not facts.days or facts.days <= 0:
            raise run.refuse("days_missing", "", facts.days, {})
    if facts.kind == EMPLOYMENT_UPLIFT:
        if facts.class_end_date is None or facts.trainees <= 0:
            raise run.refuse("class_subsidy_missing", "", "", {"class": facts.class_ref})
        if not 0 <= facts.stably_employed <= facts.trainees:
            raise run.refuse("uplift_counts_invalid", "", facts.stably_employed,
                             {"employed": facts.stably_employed, "trainees": facts.trainees})
        months = k.employment_months
        if (facts.employment_window_months is not None
                and facts.employment_window_months != months):
            raise run.refuse("uplift_window_mismatch", f"{kp}.employment_months", months,
                             {"used": facts.employment_window_months, "required": months})
        ends = add_months(facts.class_end_date, months)
        if facts.claim_date <= ends:
            raise run.refuse("uplift_too_early", f"{kp}.employment_months", months,
                             {"class_end": facts.class_end_date.isoformat(),
                              "window_end": ends.isoformat(), "months": months})
        share = Decimal(facts.stably_employed) / Decimal(facts.trainees)
        params = {"employed": facts.stably_employed, "trainees": facts.trainees,
                  "share": rate(share.quantize(Decimal("0.001"), ROUNDING)),
                  "required": rate(k.employed_share), "months": months}
        if share < k.employed_share:
            raise run.refuse("uplift_share", f"{kp}.employed_share", k.employed_share, params)
        run.step("uplift_share", f"{kp}.employed_share", k.employed_share, "uplift_share_ok",
                 params)


def _check_history(run: _Run, facts: ClaimFacts, k: KindRules, kp: str,
                   priors: list[PriorSubsidy]) -> None:
    ps = run.params
    limits = ps.limits
    kinds = ps.kinds
    if facts.certificate_ref and limits.same_certificate and k.consumes_certificate:
        for p in priors:
            if p.certificate_ref == facts.certificate_ref and (
                    p.kind not in kinds or kinds[p.kind].consumes_certificate):
                raise run.refuse("same_certificate", "limits.same_certificate", True,
                                 {"certificate": facts.certificate_ref, "kind": p.kind,
                                  "claim_date": p.claim_date.isoformat(), "ref": p.ref})
    if k.family and facts.occupation_code:
        same_family = [p for p in priors if p.occupation_code == facts.occupation_code
                       and (kinds[p.kind].family if p.kind in kinds else "") == k.family]
        if limits.same_occupation_level:
            for p in same_family:
                if p.level == facts.level:
                    raise run.refuse("same_occupation_level", "limits.same_occupation_level",
                                     True, {"occupation": facts.occupation_code,
                                            "level": facts.level, "kind": p.kind,
                                            "claim_date": p.claim_date.isoformat(),
                                            "ref": p.ref})
        if limits.lower_after_higher and facts.level_rank is not None:
            for p in same_family:
                if p.level_rank is not None and p.level_rank > facts.level_rank:
                    raise run.refuse("lower_after_higher", "limits.lower_after_higher", True,
                                     {"occupation": facts.occupation_code,
                                      "level": facts.level, "higher": p.level,
                                      "kind": p.kind, "claim_date": p.claim_date.isoformat(),
                                      "ref": p.ref})
        run.step("occupation_level", "limits.same_occupation_level",
                 limits.same_occupation_level, "occupation_level_ok",
                 {"occupation": facts.occupation_code, "level": facts.level})
    basis = limits.year_basis
    year = counting_year(basis, facts.claim_date, facts.certificate_date)
    if facts.kind in (UPSKILLING, APPRENTICESHIP) and k.times_per_year:
        allowed, parameter = k.times_per_year, f"{kp}.times_per_year"
        if facts.urgent_occupation and k.urgent_times_per_year > allowed:
            allowed, parameter = k.urgent_times_per_year, f"{kp}.urgent_times_per_year"
        used = sum(1 for p in priors if p.kind == facts.kind
                   and counting_year(basis, p.claim_date, p.certificate_date) == year)
        code = "upskilling_per_year" if facts.kind == UPSKILLING else "apprenticeship_per_year"
        params = {"year": year, "used": used, "allowed": allowed,
                  "urgent": facts.urgent_occupation}
        if used >= allowed:
            raise run.refuse(code, parameter, allowed, params)
        run.step(code, parameter, allowed, code + "_ok", params)
    if facts.kind == EMPLOYMENT_UPLIFT and facts.class_ref:
        for p in priors:
            if p.kind == EMPLOYMENT_UPLIFT and p.class_ref == facts.class_ref:
                raise run.refuse("uplift_once_per_class", "", facts.class_ref,
                                 {"class": facts.class_ref, "ref": p.ref})
    if k.counts_toward_yearly_limit and facts.person_key:
        used = 0
        for p in priors:
            pk = kinds.get(p.kind)
            if pk is not None and not pk.counts_toward_yearly_limit:
                continue
            if counting_year(basis, p.claim_date, p.certificate_date) == year:
                used += 1
        params = {"year": year, "used": used, "allowed": limits.yearly_limit,
                  "basis": basis}
        if used >= limits.yearly_limit:
            raise run.refuse("yearly_limit", "limits.yearly_limit", limits.yearly_limit, params)
        run.step("yearly_limit", "limits.yearly_limit", limits.yearly_limit, "yearly_limit_ok",
                 params)


def _material_class(facts: ClaimFacts, k: KindRules):
    if not k.material_classes:
        return None
    if facts.material_cost_class:
        for c in k.material_classes:
            if c.code == facts.material_cost_class:
                return c
        return None
    st = facts.standard
    if st is None or not st.amount:
        return None
    share = st.material_cost / st.amount
    best = None
    for c in k.material_classes:
        if share >= c.min_share and (best is None or c.min_share > best.min_share):
            best = c
    return best


def _amount(run: _Run, facts: ClaimFacts, k: KindRules, kp: str
            ) -> tuple[Decimal, Decimal, dict[str, Decimal], str]:
    st = facts.standard
    catalog_ref = ""
    basis = k.amount_basis
    if basis == BASIS_CATALOG:
        if st is None:
            raise run.refuse("standard_missing", f"{kp}.amount_basis", basis,
                             {"occupation": facts.occupation_code, "level": facts.level})
        base = st.amount
        catalog_ref = st.ref
        run.step("standard", "", st.ref or "catalog", "base_catalog",
                 {"amount": money(base), "entry": st.ref}, base)
    elif basis == BASIS_LEVEL_AMOUNTS:
        if facts.level not in k.level_amounts:
            raise run.refuse("standard_missing", f"{kp}.level_amounts", facts.level or "-",
                             {"occupation": facts.occupation_code, "level": facts.level})
        base = k.level_amounts[facts.level]
        run.step("level_amount", f"{kp}.level_amounts.{facts.level}", money(base),
                 "base_level_amount", {"level": facts.level, "amount": money(base)}, base)
    elif basis == BASIS_PER_DAY:
        days = facts.days or 0
        capped = min(days, k.max_days) if k.max_days else days
        base = k.per_day * capped
        run.step("per_day", f"{kp}.per_day", money(k.per_day), "base_per_day",
                 {"rate": money(k.per_day), "days": days, "counted": capped,
                  "max_days": k.max_days, "amount": money(base)}, base)
    else:  # BASIS_CLASS_SHARE
        if facts.class_subsidy_total is None or facts.class_subsidy_total <= 0:
            raise run.refuse("class_subsidy_missing", "", "", {"class": facts.class_ref})
        base = facts.class_subsidy_total * k.uplift_rate
        run.step("uplift_rate", f"{kp}.uplift_rate", k.uplift_rate, "base_class_share",
                 {"total": money(facts.class_subsidy_total), "rate": rate(k.uplift_rate),
                  "amount": money(base)}, base)
    amount = base
    factor = k.level_factors.get(facts.level) if facts.level else None
    if factor is not None and factor != ONE:
        amount = amount * factor
        run.step("level_factor", f"{kp}.level_factors.{facts.level}", factor, "level_factor",
                 {"level": facts.level, "factor": str(factor)}, amount)
    mc = _material_class(facts, k)
    if mc is not None and mc.factor != ONE:
        amount = amount * mc.factor
        run.step("material_cost", f"{kp}.material_classes.{mc.code}", mc.factor,
                 "material_cost", {"class": mc.code, "factor": str(mc.factor),
                                   "min_share": rate(mc.min_share)}, amount)
    uplift = ZERO
    if facts.urgent_occupation:
        if st is not None and st.urgent_uplift:
            u, parameter, value = st.urgent_uplift, "", f"catalog {st.ref}".strip()
        else:
            u, parameter, value = k.urgent_uplift, f"{kp}.urgent_uplift", k.urgent_uplift
        if u:
            uplift += u
            run.step("urgent_uplift", parameter, value, "urgent_uplift", {"rate": rate(u)},
                     amount * (ONE + u))
    # Key groups: those the parameter set names (any key group when it names none).
    groups = sorted(facts.key_groups & k.uplift_key_groups if k.uplift_key_groups
                    else facts.key_groups)
    if groups:
        if st is not None and st.key_group_uplift:
            u, parameter, value = st.key_group_uplift, "", f"catalog {st.ref}".strip()
        else:
            u, parameter, value = k.key_group_uplift, f"{kp}.key_group_uplift", k.key_group_uplift
        if u:
            uplift += u
            run.step("key_group_uplift", parameter, value, "key_group_uplift",
                     {"rate": rate(u), "groups": groups}, amount * (ONE + uplift))
    amount = amount * (ONE + uplift)
    cap = base * k.max_factor
    if amount > cap:
        amount = cap
        run.step("max_factor", f"{kp}.max_factor", k.max_factor, "capped",
                 {"factor": str(k.max_factor), "cap": money(cap)}, amount)
    cost = amount.quantize(CENT, ROUNDING)
    run.step("rounding", "", "0.01", "rounded", {"amount": money(cost)}, cost)
    if st is not None and st.shares is not None:
        shares, parameter, value = st.shares, "", f"catalog {st.ref}".strip()
    elif k.cost_sharing is not None:
        shares, parameter, value = k.cost_sharing, f"{kp}.cost_sharing", "cost_sharing"
    else:
        shares, parameter, value = Shares(), "", ""
    gov = (cost * shares.government).quantize(CENT, ROUNDING)
    ent = min((cost * shares.enterprise).quantize(CENT, ROUNDING), cost - gov)
    ind = cost - gov - ent   # the remainder: the three always add up to the cost
    split = {"government": gov, "enterprise": ent, "individual": ind}
    if shares.government != ONE:
        run.step("cost_sharing", parameter, value, "cost_sharing",
                 {"government": money(gov), "enterprise": money(ent), "individual": money(ind),
                  "government_share": rate(shares.government),
                  "enterprise_share": rate(shares.enterprise),
                  "individual_share": rate(shares.individual)}, gov)
    return gov, cost, split, catalog_ref


def evaluate(facts: ClaimFacts, history: Sequence[PriorSubsidy] | Iterable[PriorSubsidy],
             params: ParameterSet | None) -> Decision:
    """Decide one claim. `history`: the person's earlier subsidies (entries of other persons
    and refused/withdrawn ones are ignored; so is the claim itself, by `claim_ref`).
    `params`: the set in force (`parameters_in_force`); None refuses with `no_parameters`."""
    if params is None:
        return Decision(False, facts.kind, None, {}, (), "no_parameters",
                        {"region": facts.region_code, "day": facts.claim_date.isoformat()}, "")
    run = _Run(params)
    kp = f"kinds.{facts.kind}"
    k = params.kinds.get(facts.kind)
    try:
        if k is None or not k.granted:
            raise run.refuse("kind_not_granted", f"{kp}.granted", False,
                             {"kind": facts.kind, "region": params.region_code})
        if facts.person_barred_until:
            raise run.refuse("person_barred", "", facts.person_barred_until,
                             {"until": facts.person_barred_until})
        if facts.institution_unlisted:
            raise run.refuse("institution_unlisted", "", True, {})
        if facts.payee_kind not in k.payees:
            raise run.refuse("payee_not_allowed", f"{kp}.payees", ",".join(sorted(k.payees)),
                             {"payee": facts.payee_kind, "allowed": sorted(k.payees)})
        _check_certificate(run, facts, k, kp)
        _check_kind_conditions(run, facts, k, kp)
        _check_history(run, facts, k, kp, _relevant(facts, history))
        amount, cost, split, catalog_ref = _amount(run, facts, k, kp)
    except Refused as r:
        return Decision(False, facts.kind, None, {}, tuple(run.steps), r.code, r.params,
                        params.version, facts.standard.ref if facts.standard else "")
    return Decision(True, facts.kind, amount, split, tuple(run.steps), None, {},
                    params.version, catalog_ref, cost)


def as_prior(facts: ClaimFacts, decision: Decision, status: str = "submitted") -> PriorSubsidy:
    """The history entry an allowed claim becomes (for the next claims of a batch)."""
    return PriorSubsidy(kind=facts.kind, status=status, claim_date=facts.claim_date,
                        occupation_code=facts.occupation_code, level=facts.level,
                        level_rank=facts.level_rank, certificate_ref=facts.certificate_ref,
                        certificate_date=facts.certificate_date, payee_kind=facts.payee_kind,
                        person_key=facts.person_key, class_ref=facts.class_ref,
                        urgent_occupation=facts.urgent_occupation, ref=facts.claim_ref)


def index_history(history: Iterable[PriorSubsidy]) -> dict[str, list[PriorSubsidy]]:
    """Earlier subsidies by person key (employment uplifts by class_ref), in one pass."""
    out: dict[str, list[PriorSubsidy]] = defaultdict(list)
    for p in history:
        out[p.person_key or f"class:{p.class_ref}"].append(p)
    return out


def _history_key(facts: ClaimFacts) -> str:
    return facts.person_key or f"class:{facts.class_ref}"


def evaluate_many(claims: Iterable[ClaimFacts],
                  history: Mapping[str, Sequence[PriorSubsidy]],
                  params_for: Callable[[ClaimFacts], ParameterSet | None]) -> list[Decision]:
    """Decide a batch in order. `history`: earlier subsidies by person key (`index_history`);
    `params_for`: the parameter set for a claim (e.g. a `ParameterIndex.for_claim`). A claim
    allowed in the batch counts for the later claims of the same person."""
    claims = list(claims)
    repeated = Counter(_history_key(f) for f in claims)
    added: dict[str, list[PriorSubsidy]] = {}
    out = []
    empty: tuple[PriorSubsidy, ...] = ()
    # The decisions are kept (millions of small objects for a large batch, none of them in a
    # reference cycle): the cyclic collector would rescan them again and again, so it pauses
    # for the batch (a third of the time for 100,000 claims).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for facts in claims:
            key = _history_key(facts)
            mine = added.get(key)
            base = history.get(key, empty)
            d = evaluate(facts, [*base, *mine] if mine else base, params_for(facts))
            if d.allowed and repeated[key] > 1:
                added.setdefault(key, []).append(as_prior(facts, d))
            out.append(d)
    finally:
        if was_enabled:
            gc.enable()
    return out


def year_usage(person_key: str, history: Iterable[PriorSubsidy], params: ParameterSet,
               day: dt.date) -> dict:
    """What a person has used in the year of `day` (by the claim date) and what is left: the
    yearly limit over all kinds, and the upskilling times. For the enrollment warning and the
    public "what can I still get" page."""
    year = day.year
    kinds = params.kinds
    used = up = 0
    for p in history:
        if p.status in USES_NOTHING or (p.person_key and p.person_key != person_key):
            continue
        if counting_year(params.limits.year_basis, p.claim_date, p.certificate_date) != year:
            continue
        pk = kinds.get(p.kind)
        if pk is None or pk.counts_toward_yearly_limit:
            used += 1
        if p.kind == UPSKILLING:
            up += 1
    limit = params.limits.yearly_limit
    k = kinds.get(UPSKILLING)
    up_allowed = k.times_per_year if k is not None and k.granted else 0
    return {"year": year, "used": used, "limit": limit, "left": max(limit - used, 0),
            "upskilling_used": up, "upskilling_allowed": up_allowed,
            "upskilling_urgent_allowed": k.urgent_times_per_year if k is not None else 0,
            "parameter_version": params.version}
