"""The dry run: "what would this pay?" for a person (by ID number), a kind, an occupation and a
level, a certificate date and a claim date, answered by the same rules as a claim, against the
person's real history in jineng (their claims that count, and what a previous system paid:
subsidy.imported). Nothing is written.

Who may ask (anything else answers NotFound, like a person that does not exist):
- HRSS staff: about a registered person they see (their region's subtree), or about a person
  not registered in jineng when the claim's region lies in their jurisdiction (then only the
  imported history, found by the ID number's keyed hash, counts);
- an institution or enterprise: about its own trainees (a person enrolled in one of its
  classes);
- the worker on the public site: about themself, after the identity check
  (`verified_person_id`, kept in their session by the assessment app's own-record pages).

The ID number is used only to find the person: it is hashed at once, never stored, logged or
answered (the answer shows it masked)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max
from django.utils.translation import gettext as _

from jineng.catalog import selectors as catalog
from jineng.core import pii
from jineng.core.errors import DomainError, NotFound
from jineng.core.scoping import scope_of
from jineng.registry import selectors as registry
from jineng.registry.models import KeyGroupMembership, Occupation, Person, SkillLevel
from jineng.subsidy import evaluation, imported, messages
from jineng.subsidy.choices import ClaimKind, ParameterStatus, PayeeKind
from jineng.subsidy.models import ParameterSet
from jineng.subsidy.rules import engine
from jineng.subsidy.rules import parameters as loader
from jineng.subsidy.rules import types as t
from jineng.subsidy.services.common import is_hrss, region_by_code

__all__ = ["DryRunAnswer", "DryRunQuestion", "dry_run", "insured_months", "year_overview"]

DEFAULT_TRAINING_TYPE = "employment"
LIVE_SETS = (ParameterStatus.PUBLISHED, ParameterStatus.SUPERSEDED)


@dataclass(frozen=True)
class DryRunQuestion:
    id_number: str
    kind: str
    claim_date: dt.date
    occupation_code: str = ""
    level: str = ""                      # SkillLevel code or name
    certificate_date: dt.date | None = None
    certificate_number: str = ""
    region_code: str = ""                # default: the person's region
    payee_kind: str = PayeeKind.PERSON
    training_type: str = DEFAULT_TRAINING_TYPE
    insured_months: int | None = None    # default: counted from the social-insurance records
    days: int | None = None              # living allowance
    certificate_outside_province: bool = False


@dataclass
class DryRunAnswer:
    allowed: bool
    kind: str
    amount: Decimal | None
    cost: Decimal | None
    shares: dict[str, str]
    steps: list[dict]
    refusal_code: str
    refusal: str
    parameter_version: str
    catalog_ref: str
    id_masked: str
    registered: bool
    history_count: int
    year: dict = field(default_factory=dict)


# --- who may ask -----------------------------------------------------------------------------

def _holding(number: str) -> Person | None:
    """registry.person_holding_number by the unique hash index: the person registered under
    the number, or, for a merged duplicate's number, the survivor it was merged into (the OR
    over the merged duplicates' join there cost 14 ms a call on SQLite)."""
    found = (Person.objects.select_related("region").filter(id_hash=pii.keyed_hash(number))
             .first())
    while found is not None and found.merged_into_id:
        found = Person.objects.select_related("region").get(pk=found.merged_into_id)
    return found


def _person_for(actor, number: str, region_code: str,
                verified_person_id: int | None) -> Person | None:
    """The registered person the question is about, after checking that the actor may ask;
    None for a person not registered (HRSS staff only). NotFound otherwise."""
    person = _holding(number)
    if verified_person_id is not None:
        if person is None or person.pk != verified_person_id:
            raise NotFound()
        return person
    scope = scope_of(actor)
    if is_hrss(actor):
        if person is not None:
            if not Person.objects.visible_to(actor).filter(pk=person.pk).exists():
                raise NotFound()
            return person
        if not region_code:
            raise DomainError(_("This person is not registered in jineng: name the region of "
                                "the claim."), field="region_code", code="required")
        if scope.everything or region_code.startswith(scope.region_prefix or "#"):
            return None
        raise NotFound()
    if scope.organization_id and person is not None:
        from jineng.training import selectors as training

        if training.person_enrollments_unscoped(person.pk).filter(
                training_class__institution_id=scope.organization_id).exists():
            return person
    raise NotFound()


# --- the parameters --------------------------------------------------------------------------

_INDEX: dict[tuple, loader.ParameterIndex] = {}


def parameters_for(region, day: dt.date) -> t.ParameterSet | None:
    """evaluation.parameters_for with the published sets read once per process while they do
    not change (one aggregate query tells): resolving the chain again for every dry run cost
    6 ms."""
    own = evaluation.parameters_for
    if (getattr(own, "__module__", ""), getattr(own, "__name__", "")) != (
            evaluation.__name__, "parameters_for"):  # replaced (tests): follow it
        return own(region, day)
    key = tuple(ParameterSet.objects.filter(status__in=LIVE_SETS).aggregate(
        n=Count("pk"), last=Max("pk"), changed=Max("published_at")).values())
    index = _INDEX.get(key)
    if index is None:
        _INDEX.clear()
        rows = ParameterSet.objects.filter(status__in=LIVE_SETS).values_list("parsed",
                                                                             flat=True)
        index = _INDEX[key] = loader.ParameterIndex(loader.raw_from_json(r) for r in rows)
    return index.in_force(region.code, day)


# --- the facts -------------------------------------------------------------------------------

def _level(text: str) -> SkillLevel | None:
    text = (text or "").strip()
    if not text:
        return None
    found = (SkillLevel.objects.filter(code=text).first()
             or SkillLevel.objects.filter(name=text).first())
    if found is None:
        raise DomainError(_("Unknown skill level “%(value)s”.") % {"value": text},
                          field="level", code="unknown")
    return found


def _occupation(code: str) -> Occupation | None:
    code = (code or "").strip()
    if not code:
        return None
    found = Occupation.objects.filter(code=code).first()
    if found is None:
        raise DomainError(_("No occupation with the code %(code)s.") % {"code": code},
                          field="occupation_code", code="unknown")
    return found


def insured_months(id_hash: str, day: dt.date) -> int:
    """Months of unemployment-insurance contributions recorded up to `day` (the outcomes
    app's social-insurance records), for the upskilling subsidy."""
    from jineng.outcomes.models import InsuranceRecord

    return (InsuranceRecord.objects.filter(id_hash=id_hash, unemployment=True,
                                           month__lte=day)
            .values("month").distinct().count())


def _certificate_ref(person: Person | None, number: str) -> str:
    """A certificate recorded in jineng is named by its id (as claims name it); another by
    its number (as the imported history names it)."""
    number = (number or "").strip()
    if not number:
        return ""
    if person is not None:
        from jineng.assessment.models import Certificate

        found = Certificate.objects.filter(number=number, person=person) \
            .values_list("pk", flat=True).first()
        if found is not None:
            return str(found)
    return f"{imported.LEGACY_CERTIFICATE}{number}"


def _history(person: Person | None, id_hash: str) -> list[t.PriorSubsidy]:
    if person is not None:
        return evaluation.history_for([person.pk]).get(person.pk, [])
    return imported.history_by_hash({id_hash: id_hash}).get(id_hash, [])


def _check(q: DryRunQuestion) -> None:
    if q.kind not in ClaimKind.values:
        raise DomainError(_("Unknown kind %(kind)s; use one of: %(kinds)s.")
                          % {"kind": q.kind, "kinds": ", ".join(ClaimKind.values)},
                          field="kind", code="invalid")
    if q.payee_kind not in PayeeKind.values:
        raise DomainError(_("Unknown payee %(payee)s.") % {"payee": q.payee_kind},
                          field="payee_kind", code="invalid")
    for name in ("insured_months", "days"):
        value = getattr(q, name)
        if value is not None and not 0 <= value <= 1000:
            raise DomainError(_("Give a number from 0 to 1000."), field=name, code="invalid")


def dry_run(*, actor, question: DryRunQuestion,
            verified_person_id: int | None = None) -> DryRunAnswer:
    """The rules' answer for the question (see the module's docstring)."""
    number = registry.whole_id_number(question.id_number or "")
    if number is None:
        raise DomainError(_("Not a valid resident ID number (18 characters with its check "
                            "digit)."), field="id_number", code="invalid")
    _check(question)
    id_hash = pii.keyed_hash(number)
    person = _person_for(actor, number, (question.region_code or "").strip(),
                         verified_person_id)
    if question.region_code:
        region = region_by_code(question.region_code)
    elif person is not None:
        region = person.region
    else:
        raise DomainError(_("Name the region of the claim."), field="region_code",
                          code="required")
    occupation = _occupation(question.occupation_code)
    level = _level(question.level)
    day = question.claim_date
    standard = urgent = None
    if occupation is not None and (level is not None or question.kind == ClaimKind.TRAINING):
        answer = catalog.subsidy_standard_as_of(occupation, level, region,
                                                question.training_type or DEFAULT_TRAINING_TYPE,
                                                day)
        if answer is not None:
            e = answer.entry
            standard = t.Standard(
                amount=e.amount, ref=f"catalog:{answer.version_id}:{e.pk}",
                urgent_uplift=e.urgent_uplift, key_group_uplift=e.key_group_uplift,
                material_cost=e.material_cost,
                shares=t.Shares(government=e.government_share, enterprise=e.enterprise_share,
                                individual=e.individual_share))
    if occupation is not None:
        urgent = catalog.urgent_occupation_as_of(occupation, region, day) is not None
    groups = frozenset(KeyGroupMembership.objects.filter(person=person).active_on(day)
                       .values_list("group", flat=True)) if person is not None else frozenset()
    months = question.insured_months
    if months is None and question.kind == ClaimKind.UPSKILLING:
        months = insured_months(id_hash, day)
    person_key = str(person.pk) if person is not None else id_hash
    facts = t.ClaimFacts(
        kind=question.kind, person_key=person_key, claim_date=day, region_code=region.code,
        payee_kind=question.payee_kind,
        occupation_code=(occupation.code or "") if occupation is not None else "",
        level=level.code if level is not None else "",
        level_rank=level.rank if level is not None else None,
        certificate_ref=_certificate_ref(person, question.certificate_number)
        or ("dry-run" if question.certificate_date else ""),
        certificate_date=question.certificate_date,
        certificate_outside_province=question.certificate_outside_province,
        urgent_occupation=bool(urgent), standard=standard, key_groups=groups,
        insured_months=months, days=question.days)
    history = _history(person, id_hash)
    params = parameters_for(region, day)
    decision = evaluation.decide(facts, history, params)
    year = engine.year_usage(person_key, history, params, day) if params is not None else {}
    return DryRunAnswer(
        allowed=decision.allowed, kind=decision.kind, amount=decision.amount,
        cost=decision.cost, shares={k: str(v) for k, v in decision.shares.items()},
        steps=messages.explain(decision), refusal_code=decision.refusal_code or "",
        refusal=evaluation.refusal_sentence(decision) if not decision.allowed else "",
        parameter_version=decision.parameter_version, catalog_ref=decision.catalog_ref,
        id_masked=pii.mask_id_number(number), registered=person is not None,
        history_count=sum(1 for p in history if p.counts), year=year)


# --- the worker's year -----------------------------------------------------------------------

@dataclass
class KindOverview:
    kind: str
    label: str
    available: bool
    reason: str


@dataclass
class YearOverview:
    year: int
    used: int
    limit: int
    left: int
    parameter_version: str
    kinds: list[KindOverview]
    history: list[dict]


def year_overview(*, verified_person_id: int, day: dt.date) -> YearOverview | None:
    """"What can I still get this year, and why not the others": for the worker after the
    identity check, the year's usage of the shared limits and, for each kind, whether the
    region grants it to the person and what already stops it (the yearly limit, the
    upskilling times). None when no parameters are in force for the person's region."""
    person = Person.objects.select_related("region").filter(pk=verified_person_id,
                                                            merged_into__isnull=True).first()
    if person is None:
        raise NotFound()
    params = evaluation.parameters_for(person.region, day)
    if params is None:
        return None
    history = evaluation.history_for([person.pk]).get(person.pk, [])
    usage = engine.year_usage(str(person.pk), history, params, day)
    kinds = []
    for kind in ClaimKind:
        rules = params.kind(kind.value)
        if rules is None or not rules.granted:
            reason = _("Not granted in your region.")
            available = False
        elif (rules.counts_toward_yearly_limit and usage["left"] <= 0):
            reason = messages.refusal_sentence("yearly_limit", {
                "allowed": usage["limit"], "used": usage["used"], "year": usage["year"]})
            available = False
        elif kind == ClaimKind.UPSKILLING and usage["upskilling_allowed"] \
                and usage["upskilling_used"] >= max(usage["upskilling_allowed"],
                                                    usage["upskilling_urgent_allowed"]):
            reason = messages.refusal_sentence("upskilling_per_year", {
                "allowed": usage["upskilling_allowed"], "used": usage["upskilling_used"],
                "year": usage["year"]})
            available = False
        else:
            available = True
            reason = _("Possible, if the other conditions are met (certificate, occupation "
                       "and level not subsidized before, claim window).")
        kinds.append(KindOverview(kind=kind.value, label=str(kind.label), available=available,
                                  reason=reason))
    labels = dict(ClaimKind.choices)
    counted = [{"claim_date": p.claim_date, "kind": p.kind,
                "label": str(labels.get(p.kind, p.kind)), "occupation_code": p.occupation_code,
                "level": p.level} for p in history if p.counts]
    counted.sort(key=lambda p: p["claim_date"], reverse=True)
    return YearOverview(year=usage["year"], used=usage["used"], limit=usage["limit"],
                        left=usage["left"], parameter_version=usage["parameter_version"],
                        kinds=kinds, history=counted)
