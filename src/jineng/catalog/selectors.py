"""Every read of the catalogs, and the as-of look-ups other apps call.

Pages and the API read through `catalog_*`, `version_*` and `entry_*` (scoped: the public sees
published versions; staff also see their own region's drafts and filings).

Other apps — training (may this institution declare this class?), assessment (may this
organization assess?), subsidy (what is the standard?) — call the as-of look-ups:

- `subsidy_standard_as_of(occupation, level, region, training_type, day)`
- `institution_listed_as_of(organization, occupation, level, site, day)`
- `evaluator_listed_as_of(organization, occupation, level, day)`
- `urgent_occupation_as_of(occupation, region, day)`

Each answers from the published versions in force on `day` and names the version it used
(`answer.version_id`, `answer.citation`): store that id with the computed amount or decision.
Region resolution: the most specific catalog wins — the county's approved supplement, then the
city's, then the province's base catalog; inside one catalog, an entry for the occupation itself
beats one for its parent occupation, and an entry for a smaller region beats a wider one.
Pass `known_at` (a datetime) to answer as the catalogs stood at that moment, before any later
publication (for re-checking a past decision).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jineng.catalog.choices import PUBLIC_STATUSES, CatalogKind, VersionStatus
from jineng.catalog.kinds import ancestor_codes, spec_for
from jineng.catalog.models import (
    Catalog,
    CatalogVersion,
    EvaluationCatalogEntry,
    InstitutionCatalogEntry,
    SubsidyStandardEntry,
    UrgentOccupationEntry,
)
from jineng.catalog.rules.diff import Diff, diff_rows
from jineng.core.errors import NotFound
from jineng.registry.choices import OrganizationStatus
from jineng.registry.models import (
    Occupation,
    Organization,
    OrganizationStatusChange,
    Region,
    SkillLevel,
    TrainingSite,
)

# --- catalogs, versions, entries (scoped) ----------------------------------------------------

def catalog_list(*, actor, kind: str | None = None, region_code: str | None = None,
                 ) -> QuerySet[Catalog]:
    qs = Catalog.objects.visible_to(actor).select_related("region", "base__region")
    if kind:
        qs = qs.filter(kind=kind)
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            return qs.none()
        qs = qs.filter(Q(region__code__in=ancestor_codes(region.code))
                       | Q(region__code__startswith=region.scope_prefix))
    return qs.order_by("kind", "region__code")


def catalog_get(*, actor, pk: int) -> Catalog:
    catalog = catalog_list(actor=actor).filter(pk=pk).first()
    if catalog is None:
        raise NotFound()
    return catalog


def version_list(*, actor, catalog: Catalog) -> QuerySet[CatalogVersion]:
    return (CatalogVersion.objects.visible_to(actor).filter(catalog=catalog)
            .select_related("catalog__region", "approved_by").order_by("-number"))


def version_get(*, actor, pk: int) -> CatalogVersion:
    version = (CatalogVersion.objects.visible_to(actor)
               .select_related("catalog__region", "catalog__base__region").filter(pk=pk).first())
    if version is None:
        raise NotFound()
    return version


def version_by_number(*, actor, catalog: Catalog, number: int) -> CatalogVersion:
    version = version_list(actor=actor, catalog=catalog).filter(number=number).first()
    if version is None:
        raise NotFound()
    return version


def version_in_force(catalog: Catalog | int, day: dt.date,
                     known_at: dt.datetime | None = None) -> CatalogVersion | None:
    """The published version of a catalog in force on `day` (public data: no actor)."""
    catalog_id = catalog if isinstance(catalog, int) else catalog.pk
    return (CatalogVersion.objects.filter(in_force_q(day, known_at), catalog_id=catalog_id)
            .select_related("catalog__region").order_by("-published_at", "-pk").first())


def versions_in_force(catalogs, day: dt.date) -> dict[int, CatalogVersion]:
    """The version in force on `day` for each of several catalogs, in one query."""
    ids = [c if isinstance(c, int) else c.pk for c in catalogs]
    found: dict[int, CatalogVersion] = {}
    for version in (CatalogVersion.objects.filter(in_force_q(day), catalog_id__in=ids)
                    .order_by("published_at", "pk")):
        found[version.catalog_id] = version
    return found


def version_to_show(*, actor, catalog: Catalog, day: dt.date) -> CatalogVersion | None:
    """The version a reader lands on: in force today, else the latest published, else (for
    staff) the version in preparation."""
    current = version_in_force(catalog, day)
    if current is not None:
        return current
    return version_list(actor=actor, catalog=catalog).first()


def entry_list(*, actor, version: CatalogVersion, q: str = "", level_code: str | None = None,
               region_code: str | None = None, training_type: str | None = None,
               ) -> QuerySet:
    """Entries of a version (visible to the actor), searched and filtered."""
    version_get(actor=actor, pk=version.pk)
    spec = spec_for(version.catalog.kind)
    qs = spec.entries(version.pk)
    q = q.strip()
    if q:
        qs = spec.search(qs, q)
    if level_code:
        level = SkillLevel.objects.filter(code=level_code).first()
        qs = spec.filter_level(qs, level) if level else qs.none()
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        qs = spec.filter_region(qs, region) if region else qs.none()
    if training_type and hasattr(spec.model, "training_type"):
        qs = qs.filter(training_type=training_type)
    return qs


def version_diff(*, actor, old: CatalogVersion, new: CatalogVersion) -> Diff:
    """Rows added, removed and changed from `old` to `new` (any two versions of a catalog)."""
    for v in (old, new):
        version_get(actor=actor, pk=v.pk)
    if old.catalog_id != new.catalog_id:
        raise NotFound()
    spec = spec_for(new.catalog.kind)
    before = dict(spec.diff_row(e) for e in spec.entries(old.pk))
    after = dict(spec.diff_row(e) for e in spec.entries(new.pk))
    return diff_rows(before, after)


def staff_catalogs(*, actor) -> QuerySet[Catalog]:
    """Catalogs issued inside the staff member's region (their own and their subtree's)."""
    scope = getattr(actor, "scope", None)
    if scope is None or (scope.region_prefix is None and not scope.everything):
        return Catalog.objects.none()
    qs = Catalog.objects.select_related("region", "base__region")
    if not scope.everything:
        qs = qs.filter(region__code__startswith=scope.region_prefix)
    return qs.order_by("kind", "region__code")


def filings_awaiting(*, actor) -> QuerySet[CatalogVersion]:
    """Versions in review the actor's region issued or must approve."""
    scope = getattr(actor, "scope", None)
    if scope is None or (scope.region_prefix is None and not scope.everything):
        return CatalogVersion.objects.none()
    qs = CatalogVersion.objects.filter(status=VersionStatus.REVIEW).select_related(
        "catalog__region", "catalog__base__region")
    if not scope.everything:
        qs = qs.filter(catalog__region__code__startswith=scope.region_prefix)
    return qs.order_by("submitted_at")


# --- as-of look-ups (public data; other apps call these) -------------------------------------

def in_force_q(day: dt.date, known_at: dt.datetime | None = None, path: str = "") -> Q:
    """Versions in force on `day` — now, or as known at `known_at` (before later cuts)."""
    p = path
    q = Q(**{f"{p}status__in": PUBLIC_STATUSES, f"{p}effective_from__lte": day})
    if known_at is None:
        return q & (Q(**{f"{p}effective_to__isnull": True}) | Q(**{f"{p}effective_to__gte": day}))
    q &= Q(**{f"{p}published_at__lte": known_at})
    cut_known = Q(**{f"{p}superseded_at__isnull": False, f"{p}superseded_at__lte": known_at})
    ends_now = Q(**{f"{p}effective_to__isnull": True}) | Q(**{f"{p}effective_to__gte": day})
    ended_then = (Q(**{f"{p}declared_effective_to__isnull": True})
                  | Q(**{f"{p}declared_effective_to__gte": day}))
    return q & ((cut_known & ends_now) | (~cut_known & ended_then))


def entry_in_force_q(day: dt.date) -> Q:
    return ((Q(valid_from__isnull=True) | Q(valid_from__lte=day))
            & (Q(valid_to__isnull=True) | Q(valid_to__gte=day)))


def catalog_chain(kind: str, region_code: str) -> list[Catalog]:
    """The catalogs that can speak for a region, most specific first: the county's supplement,
    the city's, the province's base catalog."""
    codes = ancestor_codes(region_code)
    found = {c.region.code: c for c in Catalog.objects.filter(kind=kind, region__code__in=codes)
             .select_related("region")}
    base = found.get(codes[-1])
    chain = [found[c] for c in codes if c in found and found[c] is not base
             and base is not None and found[c].base_id == base.pk]
    return [*chain, base] if base is not None else []


@dataclass(frozen=True)
class CatalogAnswer:
    """An entry found in a published version, and the version that said so."""

    entry: Any
    version_id: int
    version_number: int
    catalog_id: int
    catalog_title: str
    effective_from: dt.date
    effective_to: dt.date | None

    @property
    def citation(self) -> str:
        return _("%(title)s, version %(n)s (in force from %(start)s), entry %(entry)s") % {
            "title": self.catalog_title, "n": self.version_number,
            "start": self.effective_from.isoformat(), "entry": self.entry.pk}

    def as_dict(self) -> dict[str, Any]:
        return {"entry_id": self.entry.pk, "version_id": self.version_id,
                "version_number": self.version_number, "catalog_id": self.catalog_id,
                "catalog_title": self.catalog_title, "citation": self.citation,
                "effective_from": self.effective_from, "effective_to": self.effective_to}


def _answer(entry) -> CatalogAnswer:
    version = entry.version
    return CatalogAnswer(entry=entry, version_id=version.pk, version_number=version.number,
                         catalog_id=version.catalog_id, catalog_title=version.catalog.title,
                         effective_from=version.effective_from,
                         effective_to=version.effective_to)


def _pk(value) -> int | None:
    return value if value is None or isinstance(value, int) else value.pk


def _region(region: Region | str) -> Region:
    if isinstance(region, Region):
        return region
    found = Region.objects.filter(code=region).first()
    if found is None:
        raise NotFound(_("Unknown region %(code)s.") % {"code": region})
    return found


def _occupation_ids(occupation: Occupation | int | None) -> list[int | None]:
    if occupation is None:
        return [None]
    if isinstance(occupation, int):
        occupation = Occupation.objects.filter(pk=occupation).first()
        if occupation is None:
            return []
    return [occupation.pk, occupation.parent_id] if occupation.parent_id else [occupation.pk]


def _level(level: SkillLevel | str | int | None) -> SkillLevel | None:
    if level is None or isinstance(level, SkillLevel):
        return level
    if isinstance(level, int):
        return SkillLevel.objects.filter(pk=level).first()
    return SkillLevel.objects.filter(code=level).first()


def _best(candidates: list, chain: list[Catalog], occupation_ids: list,
          region_codes: list[str] | None = None):
    order = {c.pk: i for i, c in enumerate(chain)}

    def rank(entry):
        occ = occupation_ids.index(entry.occupation_id) if entry.occupation_id in \
            occupation_ids else len(occupation_ids)
        reg = region_codes.index(entry.region.code) if region_codes else 0
        return (order[entry.version.catalog_id], occ, reg)

    return min(candidates, key=rank, default=None)


def subsidy_standard_as_of(occupation: Occupation | int | None, level: SkillLevel | str | None,
                           region: Region | str, training_type: str, day: dt.date, *,
                           special_ability_item: str = "",
                           known_at: dt.datetime | None = None) -> CatalogAnswer | None:
    """The subsidy standard in force on `day` for an occupation at a level (or a special
    ability item) in a region for a training type, with the version it comes from; None when
    no published catalog lists it."""
    region = _region(region)
    chain = catalog_chain(CatalogKind.SUBSIDY_STANDARD, region.code)
    if not chain:
        return None
    region_codes = ancestor_codes(region.code)
    occupation_ids = _occupation_ids(occupation)
    qs = SubsidyStandardEntry.objects.filter(
        in_force_q(day, known_at, "version__"), entry_in_force_q(day),
        version__catalog__in=[c.pk for c in chain], training_type=training_type,
        region__code__in=region_codes,
    ).select_related("version__catalog", "region", "occupation", "skill_level")
    if special_ability_item:
        qs = qs.filter(special_ability_item=special_ability_item, skill_level__isnull=True)
        if occupation is not None:
            qs = qs.filter(Q(occupation_id__in=occupation_ids) | Q(occupation__isnull=True))
    else:
        lvl = _level(level)
        if lvl is None or not occupation_ids or occupation_ids == [None]:
            return None
        qs = qs.filter(occupation_id__in=occupation_ids, skill_level=lvl)
    best = _best(list(qs), chain, occupation_ids, region_codes)
    return _answer(best) if best is not None else None


def urgent_occupation_as_of(occupation: Occupation | int, region: Region | str,
                            day: dt.date, *, known_at: dt.datetime | None = None,
                            ) -> CatalogAnswer | None:
    """Is the occupation listed as urgently needed (急需紧缺) in the region on `day`? The
    answer's entry carries the urgency and forecast; subsidy rules apply the urgent uplift."""
    region = _region(region)
    chain = catalog_chain(CatalogKind.URGENT_OCCUPATION, region.code)
    if not chain:
        return None
    region_codes = ancestor_codes(region.code)
    occupation_ids = _occupation_ids(occupation)
    qs = UrgentOccupationEntry.objects.filter(
        in_force_q(day, known_at, "version__"), entry_in_force_q(day),
        version__catalog__in=[c.pk for c in chain], occupation_id__in=occupation_ids,
        region__code__in=region_codes,
    ).filter(Q(forecast_year__isnull=True) | Q(forecast_year=day.year)).select_related(
        "version__catalog", "region", "occupation")
    best = _best(list(qs), chain, occupation_ids, region_codes)
    return _answer(best) if best is not None else None


LISTING_REASONS = {
    "listed": gettext_lazy("Listed in the catalog."),
    "not_listed": gettext_lazy("Not listed in the catalog for this occupation on that day."),
    "level_not_listed": gettext_lazy("Listed for this occupation, but not for this level."),
    "site_not_listed": gettext_lazy("Listed, but not for this training site."),
    "site_not_own": gettext_lazy("The training site belongs to another organization."),
    "organization_suspended": gettext_lazy("The organization is suspended on that day."),
    "organization_revoked": gettext_lazy("The organization has been revoked."),
}


@dataclass(frozen=True)
class Listing:
    """Whether an organization is listed; falsy when not. `reason` is a stable code (see
    LISTING_REASONS); `answer` names the catalog version that listed it."""

    listed: bool
    reason: str
    answer: CatalogAnswer | None = None

    def __bool__(self) -> bool:
        return self.listed

    @property
    def message(self) -> str:
        return str(LISTING_REASONS[self.reason])

    @property
    def version_id(self) -> int | None:
        return self.answer.version_id if self.answer else None


def organization_status_on(organization: Organization, day: dt.date) -> str:
    """The organization's status on a day, from its status history (listed, suspended,
    revoked): suspension and revocation count from their effective date."""
    change = (OrganizationStatusChange.objects.filter(organization=organization,
                                                      effective_date__lte=day)
              .order_by("-effective_date", "-id").first())
    if change is not None:
        return change.to_status
    if organization.status_since and organization.status_since <= day:
        return organization.status
    return OrganizationStatus.LISTED


def _listing(model, kind: str, organization: Organization, occupation, level, day, *,
             region_code: str, site: TrainingSite | None = None,
             known_at: dt.datetime | None = None, special_ability_item: str = "") -> Listing:
    status = organization_status_on(organization, day)
    if status != OrganizationStatus.LISTED:
        return Listing(False, f"organization_{status}")
    if site is not None and site.organization_id != organization.pk:
        return Listing(False, "site_not_own")
    chain = catalog_chain(kind, region_code)
    if not chain:
        return Listing(False, "not_listed")
    occupation_ids = _occupation_ids(occupation)
    qs = model.objects.filter(
        in_force_q(day, known_at, "version__"), entry_in_force_q(day),
        version__catalog__in=[c.pk for c in chain], organization=organization,
    ).select_related("version__catalog", "min_level", "max_level")
    if special_ability_item:
        qs = qs.filter(special_ability_item=special_ability_item)
    else:
        qs = qs.filter(occupation_id__in=[i for i in occupation_ids if i is not None])
    if model is InstitutionCatalogEntry:
        qs = qs.prefetch_related("sites")
    candidates = list(qs)
    if not candidates:
        return Listing(False, "not_listed")
    lvl = _level(level)
    if lvl is not None:
        candidates = [e for e in candidates
                      if (e.min_level is None or e.min_level.rank <= lvl.rank)
                      and (e.max_level is None or e.max_level.rank >= lvl.rank)]
        if not candidates:
            return Listing(False, "level_not_listed")
    if site is not None and model is InstitutionCatalogEntry:
        candidates = [e for e in candidates
                      if not e.sites.all() or any(s.pk == site.pk for s in e.sites.all())]
        if not candidates:
            return Listing(False, "site_not_listed")
    best = _best(candidates, chain, occupation_ids)
    return Listing(True, "listed", _answer(best))


def institution_listed_as_of(organization: Organization, occupation: Occupation | int | None,
                             level: SkillLevel | str | None, site: TrainingSite | None,
                             day: dt.date, *, special_ability_item: str = "",
                             known_at: dt.datetime | None = None) -> Listing:
    """May this training institution deliver subsidized training for the occupation and level
    at the site on `day`? No, from the day it is removed from the catalog (a version without it
    takes effect) or suspended (its status history). The training app checks this when a class
    is declared."""
    region_code = (site.region.code if site is not None else organization.region.code)
    return _listing(InstitutionCatalogEntry, CatalogKind.TRAINING_INSTITUTION, organization,
                    occupation, level, day, region_code=region_code, site=site,
                    known_at=known_at, special_ability_item=special_ability_item)


def evaluator_listed_as_of(organization: Organization, occupation: Occupation | int | None,
                           level: SkillLevel | str | None, day: dt.date, *,
                           special_ability_item: str = "",
                           known_at: dt.datetime | None = None) -> Listing:
    """May this organization assess the occupation at the level on `day` (an evaluation
    institution, or an enterprise approved for self-evaluation)?"""
    return _listing(EvaluationCatalogEntry, CatalogKind.EVALUATION_INSTITUTION, organization,
                    occupation, level, day, region_code=organization.region.code,
                    known_at=known_at, special_ability_item=special_ability_item)


def institution_listings(organization: Organization | int, day: dt.date,
                         ) -> list[InstitutionCatalogEntry]:
    """The entries of the published institution catalogs in force on `day` that list the
    organization (occupation or special ability item, level range, sites): public data, for
    the public directory of institutions (portal)."""
    org_id = _pk(organization)
    return list(InstitutionCatalogEntry.objects.filter(
        in_force_q(day, None, "version__"), entry_in_force_q(day), organization_id=org_id,
    ).select_related("version__catalog__region", "occupation", "min_level", "max_level")
        .prefetch_related("sites").order_by("version__catalog__region__code", "occupation__name",
                                            "special_ability_item", "pk"))
