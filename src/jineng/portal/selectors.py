"""Reads for the overview page and the public home page, scoped to the actor.

The overview counts organizations, training sites, persons and key groups of one region (the
"focus": the actor's own region by default, `?region=` to drill down), broken down by the
regions one level below it. Every figure comes from a handful of grouped queries over the
registry's scoped selectors — grouped by the 6-digit county part of the region code and rolled
up here — so the number of queries does not grow with the number of regions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from jineng.core.errors import NotFound
from jineng.core.scoping import scope_of
from jineng.registry import selectors as registry
from jineng.registry.choices import InstitutionType, KeyGroup, OrganizationKind, RegionLevel


def public_stats() -> dict:
    return {
        "institutions": registry.organization_list(actor=None).count(),
        "sites": registry.site_list(actor=None).count(),
    }


@dataclass
class RegionRow:
    """One row of the region table: a region below the focus (or the focus's own level)."""

    code: str
    name: str
    drillable: bool
    own_level: bool = False  # records kept at the focus region itself (本级)
    organizations: int = 0
    training: int = 0
    evaluation: int = 0
    enterprises: int = 0
    sites: int = 0
    capacity: int = 0
    persons: int = 0

    @property
    def empty(self) -> bool:
        return not (self.organizations or self.sites or self.persons)


@dataclass
class Overview:
    focus: object | None  # Region, or None for the whole country
    breadcrumbs: list = field(default_factory=list)  # Regions above the focus, top first
    rows: list[RegionRow] = field(default_factory=list)
    totals: RegionRow | None = None
    by_type: list[dict] = field(default_factory=list)  # training institutions by type
    key_groups: list[dict] = field(default_factory=list)
    sees_persons: bool = False

    def chart_data(self) -> dict:
        """What the charts draw (passed to the page with json_script)."""
        rows = self.rows
        return {
            "regions": {
                "codes": [r.code for r in rows],
                "names": [r.name for r in rows],
                "drill": [r.drillable for r in rows],
                "organizations": [r.organizations for r in rows],
                "sites": [r.sites for r in rows],
                "persons": [r.persons for r in rows] if self.sees_persons else None,
            },
            "labels": {
                "organizations": _("Organizations"),
                "sites": _("Training sites"),
                "persons": _("Registered persons"),
                "drill_hint": _("Click a bar to see the regions inside it."),
            },
            "types": [{"name": t["label"], "value": t["n"]} for t in self.by_type],
            "groups": {"names": [g["label"] for g in self.key_groups],
                       "values": [g["n"] for g in self.key_groups]},
        }


def _focus(actor, region_code: str | None):
    """The region the overview is about. Staff start at their own region and may go down,
    never up or sideways (outside their region answers NotFound, like a missing code); other
    users start at the whole country and may choose any region (their counts stay scoped)."""
    scope = scope_of(actor)
    if not region_code:
        if scope.region_prefix is not None:
            return actor.region
        return None
    region = registry.region_get(actor=actor, code=region_code)
    if region.level not in (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY):
        raise NotFound()
    if scope.region_prefix is not None and not region.code.startswith(scope.region_prefix):
        raise NotFound()
    return region


def _breadcrumbs(actor, focus) -> list:
    if focus is None:
        return []
    codes = {focus.code[:2] + "0000", focus.code[:4] + "00"} - {focus.code}
    scope = scope_of(actor)
    crumbs = registry.region_list(actor=actor).filter(code__in=codes).order_by("code")
    # Staff see the path only from their own region down.
    if scope.region_prefix is not None:
        crumbs = crumbs.filter(code__startswith=scope.region_prefix)
    return list(crumbs)


def overview(*, actor, region_code: str | None = None) -> Overview:
    """The overview of one region for an actor; counts only what the actor may see."""
    scope = scope_of(actor)
    focus = _focus(actor, region_code)
    prefix = focus.scope_prefix if focus is not None else ""
    result = Overview(focus=focus, breadcrumbs=_breadcrumbs(actor, focus),
                      sees_persons=scope.sees_persons or scope.everything)

    # The rows: regions one level below the focus (a county has none: its own row only).
    if focus is None:
        children = registry.region_list(actor=actor, level=RegionLevel.PROVINCE)
    elif focus.level == RegionLevel.COUNTY:
        children = registry.region_list(actor=actor).filter(pk=focus.pk)
    else:
        children = registry.region_list(actor=actor, parent_code=focus.code)
    rows = {c.scope_prefix: RegionRow(code=c.code, name=c.name,
                                      drillable=c.level in (RegionLevel.PROVINCE,
                                                            RegionLevel.CITY))
            for c in children.only("code", "name", "level")}
    own = (RegionRow(code=focus.code, name=_("%(name)s (own level)") % {"name": focus.name},
                     drillable=False, own_level=True) if focus is not None else None)

    def row_for(code6: str) -> RegionRow | None:
        """The row a record in county-level region `code6` counts in."""
        for key in (code6[:2], code6[:4], code6):
            if key in rows:
                return rows[key]
        return own if focus is not None and code6.startswith(prefix) else None

    county_part = Substr("region__code", 1, 6)

    def grouped(qs, *fields, **aggregates):
        if prefix:
            qs = qs.filter(region__code__startswith=prefix)
        return (qs.order_by().annotate(code6=county_part)
                .values("code6", *fields).annotate(**aggregates))

    by_type: dict[str, int] = {}
    kind_field = {OrganizationKind.TRAINING: "training",
                  OrganizationKind.EVALUATION: "evaluation",
                  OrganizationKind.ENTERPRISE: "enterprises"}
    for g in grouped(registry.organization_list(actor=actor), "kind", "institution_type",
                     n=Count("id")):
        row = row_for(g["code6"])
        if row is not None:
            row.organizations += g["n"]
            name = kind_field.get(g["kind"])
            if name:
                setattr(row, name, getattr(row, name) + g["n"])
        if g["kind"] == OrganizationKind.TRAINING and g["institution_type"]:
            by_type[g["institution_type"]] = by_type.get(g["institution_type"], 0) + g["n"]
    for g in grouped(registry.site_list(actor=actor), n=Count("id"), cap=Sum("capacity")):
        row = row_for(g["code6"])
        if row is not None:
            row.sites += g["n"]
            row.capacity += g["cap"] or 0
    key_groups: dict[str, int] = {}
    if result.sees_persons:
        persons = registry.person_list(actor=actor)
        for g in grouped(persons, n=Count("id")):
            row = row_for(g["code6"])
            if row is not None:
                row.persons += g["n"]
        if prefix:
            persons = persons.filter(region__code__startswith=prefix)
        # One inner join person → membership (the filter's join is reused by values()).
        for g in (persons.order_by().filter(key_groups__isnull=False)
                  .values("key_groups__group").annotate(n=Count("id", distinct=True))):
            key_groups[g["key_groups__group"]] = g["n"]

    table = list(rows.values())
    if focus is None:  # the whole country: only provinces with something in them
        table = [r for r in table if not r.empty]
    if own is not None and not own.empty:
        table.append(own)
    result.rows = table
    totals = RegionRow(code=focus.code if focus else "", name=_("Total"), drillable=False)
    for r in table:
        for name in ("organizations", "training", "evaluation", "enterprises", "sites",
                     "capacity", "persons"):
            setattr(totals, name, getattr(totals, name) + getattr(r, name))
    result.totals = totals
    result.by_type = [{"type": t, "label": str(InstitutionType(t).label), "n": by_type[t]}
                      for t in InstitutionType.values if by_type.get(t)]
    result.key_groups = [{"group": g, "label": str(KeyGroup(g).label),
                          "n": key_groups.get(g, 0)} for g in KeyGroup.values]
    return result
