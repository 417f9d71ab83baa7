"""What the public search index holds of each source, as unsaved `SearchDocument`s: the text of
an open or upcoming class, a listed institution, an occupation and a clause of a loaded policy
pack, cut into words (portal.rules.search). Labels are indexed in Chinese (the site's language),
whatever the language of the request or job that indexes them.

Nothing private goes in: no legal representative, no telephone, no trainee; enterprises are not
listed (the public scope of Organization leaves them out).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.utils import translation

from jineng.plans.models import ChecklistItem, Plan, Target
from jineng.portal.models import SearchDocument, SearchKind
from jineng.portal.rules.search import index_tokens
from jineng.registry.choices import InstitutionType, KeyGroup
from jineng.registry.models import Occupation, Organization, Region
from jineng.training.choices import FundingSource, Sector, TrainingType
from jineng.training.models import TrainingClass

INDEX_LANGUAGE = "zh-hans"
RANKS = ("occupation", "work_type")


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label) if value else ""
    except ValueError:
        return value


def _region_names(region: Region | None) -> list[str]:
    names = []
    while region is not None and len(names) < 3:
        names.append(region.name)
        region = region.parent
    return names


def public_classes() -> QuerySet[TrainingClass]:
    """Classes the public may see (approved and upcoming, or open), with what their document
    reads."""
    return TrainingClass.objects.visible_to(None).select_related(
        "institution", "site", "occupation", "level", "region__parent__parent")


def public_institutions() -> QuerySet[Organization]:
    """Listed training and evaluation institutions (the public scope of Organization)."""
    return Organization.objects.visible_to(None).select_related("region__parent__parent")


def occupations() -> QuerySet[Occupation]:
    return Occupation.objects.visible_to(None).filter(rank__in=RANKS).select_related(
        "parent__parent")


def class_document(cls: TrainingClass) -> SearchDocument:
    level = cls.level.name if cls.level_id else ""
    regions = _region_names(cls.region)
    place = "".join(reversed(regions[:2]))
    summary = " · ".join(part for part in (
        cls.institution.name, f"{cls.occupation.name}（{level}）", place,
        f"{cls.start_date:%Y-%m-%d}—{cls.end_date:%Y-%m-%d}") if part)
    body = [cls.occupation.name, level, _label(TrainingType, cls.training_type),
            _label(Sector, cls.sector), _label(KeyGroup, cls.target_group),
            _label(FundingSource, cls.funding_source), cls.institution.name,
            cls.site.name, cls.site.address, *regions]
    return SearchDocument(
        kind=SearchKind.CLASS, ref=str(cls.pk), title=cls.name, summary=summary,
        region_code=cls.region.code, start_date=cls.start_date, end_date=cls.end_date,
        training_class=cls, title_tokens=index_tokens(cls.name),
        tokens=index_tokens(cls.name, *body))


def institution_document(org: Organization) -> SearchDocument:
    regions = _region_names(org.region)
    kind = _label(InstitutionType, org.institution_type) or org.get_kind_display()
    summary = " · ".join(p for p in (kind, "".join(reversed(regions[:2])), org.address) if p)
    return SearchDocument(
        kind=SearchKind.INSTITUTION, ref=str(org.pk), title=org.name, summary=summary,
        region_code=org.region.code, organization=org, title_tokens=index_tokens(org.name),
        tokens=index_tokens(org.name, kind, org.get_kind_display(), org.sector, org.address,
                            *regions))


def occupation_document(occupation: Occupation) -> SearchDocument:
    parents = []
    parent = occupation.parent
    while parent is not None and len(parents) < 2:
        parents.append(parent.name)
        parent = parent.parent
    summary = " · ".join(p for p in (occupation.code or "", *parents) if p)
    return SearchDocument(
        kind=SearchKind.OCCUPATION, ref=str(occupation.pk), title=occupation.name,
        summary=summary, occupation=occupation, title_tokens=index_tokens(occupation.name),
        tokens=index_tokens(occupation.name, occupation.code or "", *parents,
                            occupation.named_in))


def _clause(plan: Plan, item: Target | ChecklistItem, part: str) -> SearchDocument:
    extra = [*item.departments, *item.brands, item.note]
    return SearchDocument(
        kind=SearchKind.CLAUSE, ref=f"{plan.key}/{part}/{item.key}"[:200], title=item.title,
        summary=item.quote, region_code=plan.region.code, plan=plan, pack_key=plan.pack_key,
        pack_title=plan.title, clause=item.clause, quote=item.quote,
        title_tokens=index_tokens(item.title),
        tokens=index_tokens(item.title, item.quote, plan.short_title, plan.issuer, *extra))


def clause_documents(plans: Iterable[Plan]) -> Iterator[SearchDocument]:
    """Every target and checklist item of the plans, each citing its pack and clause."""
    for plan in plans:
        for target in Target.objects.filter(plan=plan).order_by("position", "id"):
            yield _clause(plan, target, "target")
        for item in ChecklistItem.objects.filter(plan=plan).order_by("position", "id"):
            yield _clause(plan, item, "checklist")


def loaded_plans() -> QuerySet[Plan]:
    """The loaded policy packs (public documents: every plan, whatever its region)."""
    return Plan.objects.select_related("region").order_by("id")


def in_index_language(build, *args):
    with translation.override(INDEX_LANGUAGE):
        return build(*args)
