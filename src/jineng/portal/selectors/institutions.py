"""Reads of the public site (no login) around institutions and catalogs: the directory of listed
training and evaluation institutions with their open classes, sites and catalog listings, the
subsidy standards in plain language, and the choices the training map's filters offer (with
the province its base map shows). The map and the class pages are in `site`.

Only public fields leave this module (docs/adr/0005-public-data.md): institutions and sites
the public scope shows (listed training and evaluation institutions, their sites in use),
classes the public scope shows, never a person, a teacher, a legal representative's name or a
mobile number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from jineng.catalog import selectors as catalog
from jineng.catalog.choices import CatalogKind
from jineng.core.errors import NotFound
from jineng.portal.rules import site_search as rules
from jineng.portal.selectors.site import ClassCard, _cards
from jineng.registry import selectors as registry
from jineng.registry.choices import KeyGroup, OrganizationKind, RegionLevel
from jineng.training import selectors as training

# --- institutions ----------------------------------------------------------------------------

PUBLIC_KINDS = (OrganizationKind.TRAINING, OrganizationKind.EVALUATION)


def institution_list(*, q: str = "", kind: str = "", region_code: str = "") -> QuerySet:
    """Listed training and evaluation institutions (the public scope), with how many open or
    upcoming classes each has."""
    qs = registry.organization_list(actor=None, kind=kind or None, q=(q or "").strip()[:50],
                                    region_code=region_code or None)
    return qs.only("pk", "name", "kind", "institution_type", "region__name", "region__code",
                   "address", "credit_code", "status").order_by("name", "pk")


def open_class_counts(org_ids, today: dt.date) -> dict[int, int]:
    rows = (training.public_classes().filter(institution_id__in=list(org_ids),
                                             end_date__gte=today)
            .order_by().values_list("institution_id").annotate(n=Count("pk")))
    return dict(rows)


@dataclass
class InstitutionDetail:
    organization: object
    phone: str
    sites: list
    listings: list
    classes: list[ClassCard]


def institution_detail(pk: int, *, today: dt.date | None = None) -> InstitutionDetail:
    today = today or timezone.localdate()
    org = registry.organization_list(actor=None).filter(pk=pk).first()
    if org is None:
        raise NotFound()
    sites = list(registry.site_list(actor=None, organization_id=org.pk)
                 .order_by("name"))
    ids = list(training.public_classes().filter(institution_id=org.pk, end_date__gte=today)
               .order_by("start_date", "pk").values_list("pk", flat=True)[:50])
    return InstitutionDetail(
        organization=org,
        phone=org.contact_phone if rules.is_public_phone(org.contact_phone) else "",
        sites=sites, listings=catalog.institution_listings(org, today),
        classes=_cards(ids, {}, today))


# --- choices for the filters -----------------------------------------------------------------

def filter_choices() -> dict:
    """What the map's filters offer: occupations and levels that have public classes, the key
    groups, and places (cities, counties, towns with a position) of the provinces that have
    public sites."""
    today = timezone.localdate()
    open_now = training.public_classes().filter(end_date__gte=today).order_by()
    occupation_ids = set(open_now.values_list("occupation_id", flat=True).distinct())
    occupations = list(registry.occupation_list(actor=None).filter(pk__in=occupation_ids)
                       .order_by("name").values_list("pk", "name"))
    levels = list(registry.skill_level_list(actor=None).order_by("rank")
                  .values_list("code", "name"))
    provinces = {code[:2] for code in registry.site_list(actor=None).order_by()
                 .values_list("region__code", flat=True).distinct()}
    places = []
    if provinces:
        condition = Q()
        for prefix in sorted(provinces):
            condition |= Q(code__startswith=prefix)
        places = list(registry.region_list(actor=None).filter(
            condition, level__in=[RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWN],
            latitude__isnull=False, longitude__isnull=False, is_active=True)
            .order_by("code").values_list("code", "name", "level"))
    return {"occupations": occupations, "levels": levels,
            "key_groups": list(KeyGroup.choices), "places": places}


def map_region_code() -> str | None:
    """The province the public sites lie in (the most sites), for the base map's boundary."""
    row = (registry.site_list(actor=None).order_by().values_list("region__code", flat=True)
           .first())
    return row[:2] + "0000" if row else None


# --- subsidy standards in plain language -----------------------------------------------------

def subsidy_standards(*, region_code: str | None = None, limit: int = 200) -> dict:
    """The subsidy-standard catalogs the public sees, with the entries in force today of the
    first (the province's base catalog first)."""
    today = timezone.localdate()
    catalogs = list(catalog.catalog_list(actor=None, kind=CatalogKind.SUBSIDY_STANDARD,
                                         region_code=region_code))
    versions = catalog.versions_in_force(catalogs, today)
    shown = []
    for cat in catalogs:
        version = versions.get(cat.pk)
        if version is None:
            continue
        entries = list(catalog.entry_list(actor=None, version=version)
                       .select_related("occupation", "skill_level", "region")[:limit])
        shown.append({"catalog": cat, "version": version, "entries": entries,
                      "more": len(entries) == limit})
    return {"catalogs": shown, "today": today}

