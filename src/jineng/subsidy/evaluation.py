"""The bridge between the database and the pure rules (subsidy.rules): the facts of a claim,
the person's earlier subsidies, the parameters in force, and the decision. Reads only; the
services write what it answers."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q

from jineng.catalog import selectors as catalog
from jineng.subsidy import messages
from jineng.subsidy.choices import ParameterStatus
from jineng.subsidy.hooks import barred_until
from jineng.subsidy.models import ParameterSet, SubsidyClaim
from jineng.subsidy.rules import engine
from jineng.subsidy.rules import parameters as loader
from jineng.subsidy.rules import types as t
from jineng.training import selectors as training

__all__ = [
    "decide",
    "facts_for_class_trainee",
    "facts_of_claim",
    "history_for",
    "history_of_claim",
    "parameter_index",
    "parameters_for",
    "prior_of",
    "refusal_sentence",
    "refused",
    "stored_shares",
    "stored_steps",
]


def refused(kind: str, code: str, version: str = "", **params) -> t.Decision:
    """A decision refused before the rules ran (no parameters, …)."""
    return t.Decision(allowed=False, kind=kind, amount=None, shares={}, steps=(),
                      refusal_code=code, refusal_params=t.frozen_map(params),
                      parameter_version=version)


def parameter_index(region) -> loader.ParameterIndex:
    """The published parameter sets of the region, the regions above it and the national
    default, ready to resolve (keep it for a batch: chains are built once)."""
    codes = [c for c in loader.ancestors(region.code) if c]
    rows = (ParameterSet.objects.filter(status__in=[ParameterStatus.PUBLISHED,
                                                    ParameterStatus.SUPERSEDED])
            .filter(Q(region__code__in=codes) | Q(region__isnull=True)))
    return loader.ParameterIndex(loader.raw_from_json(row.parsed) for row in rows)


def parameters_for(region, day: dt.date) -> t.ParameterSet | None:
    """The rules' parameters in force for the region on `day`, or None when no published set
    covers it at any level."""
    return parameter_index(region).in_force(region.code, day)


def history_for(person_ids: Iterable[int], *, exclude_claim_ids: Iterable[int] = ()
                ) -> dict[int, list[t.PriorSubsidy]]:
    """Every claim of these persons in jineng (any kind, any payee), as the rules see them,
    and what a previous system paid them (imported history, subsidy.imported)."""
    from jineng.subsidy.imported import history_for_person_ids

    person_ids = list(person_ids)
    found: dict[int, list[t.PriorSubsidy]] = defaultdict(list)
    for person_id, rows in history_for_person_ids(person_ids).items():
        found[person_id].extend(rows)
    rows = (SubsidyClaim.objects.filter(person_id__in=person_ids)
            .exclude(pk__in=list(exclude_claim_ids))
            .values_list("pk", "person_id", "kind", "status", "claim_date", "payee_kind",
                         "occupation__code", "level__code", "level__rank", "certificate_id",
                         "certificate_date", "training_class_id"))
    for (pk, person_id, kind, status, claim_date, payee, occupation, level, rank, cert,
         cert_date, class_id) in rows.iterator():
        found[person_id].append(t.PriorSubsidy(
            kind=kind, status=status, claim_date=claim_date, occupation_code=occupation or "",
            level=level or "", level_rank=rank, certificate_ref=str(cert or ""),
            certificate_date=cert_date, payee_kind=payee, person_key=str(person_id),
            class_ref=str(class_id or ""), ref=str(pk)))
    return found


def uplift_history(class_id: int, *, exclude_claim_ids: Iterable[int] = ()
                   ) -> list[t.PriorSubsidy]:
    """The employment uplifts filed for a class (claims without a person: the rules' history
    of an uplift is its class's, for `uplift_once_per_class`)."""
    rows = (SubsidyClaim.objects.filter(kind=t.EMPLOYMENT_UPLIFT, training_class_id=class_id)
            .exclude(pk__in=list(exclude_claim_ids)))
    return [prior_of(claim) for claim in rows.select_related("occupation", "level")]


def history_of_claim(claim: SubsidyClaim) -> list[t.PriorSubsidy]:
    """The history a stored claim is decided against (itself left out): the person's, or
    for an employment uplift its class's."""
    if claim.kind == t.EMPLOYMENT_UPLIFT:
        return uplift_history(claim.training_class_id, exclude_claim_ids=[claim.pk]) \
            if claim.training_class_id else []
    if not claim.person_id:
        return []
    return history_for([claim.person_id], exclude_claim_ids=[claim.pk]).get(claim.person_id,
                                                                            [])


def prior_of(claim: SubsidyClaim) -> t.PriorSubsidy:
    """A claim just written, as the next claim of the same person sees it."""
    return t.PriorSubsidy(
        kind=claim.kind, status=claim.status, claim_date=claim.claim_date,
        occupation_code=claim.occupation.code or "" if claim.occupation_id else "",
        level=claim.level.code if claim.level_id else "",
        level_rank=claim.level.rank if claim.level_id else None,
        certificate_ref=str(claim.certificate_id or ""),
        certificate_date=claim.certificate_date, payee_kind=claim.payee_kind,
        person_key=str(claim.person_id or ""), class_ref=str(claim.training_class_id or ""),
        ref=str(claim.pk))


def facts_of_claim(claim: SubsidyClaim) -> t.ClaimFacts:
    """The facts of a stored claim, read again (the class's catalog standard and urgency on
    its start day), for evaluating it once more at submission and approval. A claim filed by
    a person, an enterprise or an institution reads its own facts (subsidy.filed)."""
    from jineng.subsidy import filed

    if claim.kind in filed.FILED_KINDS:
        return filed.facts_of_filed(filed.filed_of_claim(claim))
    cls = training.class_for_assessment(claim.training_class_id) \
        if claim.training_class_id else None
    standard = standard_for(cls, cls.start_date) if cls is not None else None
    return t.ClaimFacts(
        kind=claim.kind, person_key=str(claim.person_id or ""), claim_date=claim.claim_date,
        region_code=claim.region.code, payee_kind=claim.payee_kind,
        occupation_code=claim.occupation.code or "" if claim.occupation_id else "",
        level=claim.level.code if claim.level_id else "",
        level_rank=claim.level.rank if claim.level_id else None,
        certificate_ref=str(claim.certificate_id or ""),
        certificate_date=claim.certificate_date,
        urgent_occupation=is_urgent(cls, cls.start_date) if cls is not None else False,
        standard=standard, claim_ref=str(claim.pk),
        class_ref=str(claim.training_class_id or ""),
        class_end_date=cls.end_date if cls is not None else None,
        person_barred_until=barred_until(claim.person_id, claim.claim_date),
        institution_unlisted=_unlisted(cls, claim.claim_date))


def refusal_sentence(decision: t.Decision) -> str:
    """The refusal in the user's language: the rule's sentence with its values."""
    return messages.refusal_sentence(decision.refusal_code or "refused",
                                     dict(decision.refusal_params))


def standard_for(cls, day: dt.date) -> t.Standard | None:
    """The catalog standard of a class's occupation × level × region × training type."""
    answer = catalog.subsidy_standard_as_of(cls.occupation, cls.level, cls.region,
                                            cls.training_type, day)
    if answer is None:
        return None
    e = answer.entry
    return t.Standard(
        amount=e.amount, ref=f"catalog:{answer.version_id}:{e.pk}",
        urgent_uplift=e.urgent_uplift, key_group_uplift=e.key_group_uplift,
        material_cost=e.material_cost,
        shares=t.Shares(government=e.government_share, enterprise=e.enterprise_share,
                        individual=e.individual_share))


def is_urgent(cls, day: dt.date) -> bool:
    return catalog.urgent_occupation_as_of(cls.occupation, cls.region, day) is not None


def facts_for_class_trainee(cls, person_id: int, certificate, *, payee_kind: str,
                            claim_date: dt.date, standard: t.Standard | None, urgent: bool,
                            claim_ref: str = "") -> t.ClaimFacts:
    """The facts of a training subsidy for one trainee of a class."""
    return t.ClaimFacts(
        kind=t.TRAINING, person_key=str(person_id), claim_date=claim_date,
        region_code=cls.region.code, payee_kind=payee_kind,
        occupation_code=cls.occupation.code or "", level=cls.level.code,
        level_rank=cls.level.rank,
        certificate_ref=str(certificate.pk) if certificate is not None else "",
        certificate_date=certificate.issued_on if certificate is not None else None,
        urgent_occupation=urgent, standard=standard, claim_ref=claim_ref,
        class_ref=str(cls.pk), class_end_date=cls.end_date,
        person_barred_until=barred_until(person_id, claim_date),
        institution_unlisted=_unlisted(cls, claim_date))


def _unlisted(cls, day: dt.date) -> bool:
    """The class's institution is suspended or revoked on `day` (its status history)."""
    org = getattr(cls, "institution", None) if cls is not None else None
    return org is not None and catalog.organization_status_on(org, day) != "listed"


def decide(facts: t.ClaimFacts, history: list[t.PriorSubsidy], params) -> t.Decision:
    """The rules' decision, or `no_parameters` when none are in force."""
    if params is None:
        return refused(facts.kind, "no_parameters", region=facts.region_code,
                       day=facts.claim_date.isoformat())
    return engine.evaluate(facts, history, params)


def stored_steps(decision: t.Decision) -> list[dict]:
    """The decision's steps as JSON (Decimal values as text)."""
    return json.loads(json.dumps([s.as_dict() for s in decision.steps], default=str,
                                 ensure_ascii=False))


def stored_shares(decision: t.Decision) -> dict[str, str]:
    return {k: str(v) for k, v in decision.shares.items()}
