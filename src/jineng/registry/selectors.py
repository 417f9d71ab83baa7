"""Every read of the registries, scoped to the actor. Out of scope answers NotFound."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from jineng.core.errors import NotFound
from jineng.registry.models import (
    KeyGroupMembership,
    Occupation,
    Organization,
    Person,
    Region,
    SkillLevel,
    TrainingSite,
)


def subtree_prefix(region_code: str) -> str:
    """The code prefix shared by a region's subtree (unknown codes filter to nothing)."""
    region = Region.objects.filter(code=region_code).only("code", "level").first()
    return region.scope_prefix if region else f"{region_code}#"


def region_list(*, actor, parent_code: str | None = None, level: str | None = None,
                q: str = "") -> QuerySet[Region]:
    qs = Region.objects.visible_to(actor)
    if parent_code:
        qs = qs.filter(parent__code=parent_code)
    if level:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(name__contains=q) | qs.filter(code__startswith=q)
    return qs


def region_get(*, actor, code: str) -> Region:
    region = Region.objects.visible_to(actor).filter(code=code).first()
    if region is None:
        raise NotFound()
    return region


def skill_level_list(*, actor) -> QuerySet[SkillLevel]:
    return SkillLevel.objects.visible_to(actor)


def occupation_list(*, actor, q: str = "", rank: str | None = None,
                    needs_code: bool | None = None) -> QuerySet[Occupation]:
    qs = Occupation.objects.visible_to(actor).select_related("parent")
    if q:
        qs = qs.filter(name__contains=q) | qs.filter(code__startswith=q)
    if rank:
        qs = qs.filter(rank=rank)
    if needs_code is not None:
        qs = qs.filter(needs_code=needs_code)
    return qs


def occupation_get(*, actor, pk: int) -> Occupation:
    occ = Occupation.objects.visible_to(actor).filter(pk=pk).first()
    if occ is None:
        raise NotFound()
    return occ


def organization_list(*, actor, kind: str | None = None, status: str | None = None,
                      region_code: str | None = None, q: str = "") -> QuerySet[Organization]:
    qs = Organization.objects.visible_to(actor).select_related("region")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if region_code:
        qs = qs.filter(region__code__startswith=subtree_prefix(region_code))
    if q:
        qs = qs.filter(name__contains=q) | qs.filter(credit_code=q.upper())
    return qs


def organization_get(*, actor, pk: int) -> Organization:
    org = Organization.objects.visible_to(actor).select_related("region").filter(pk=pk).first()
    if org is None:
        raise NotFound()
    return org


def site_list(*, actor, organization_id: int | None = None,
              region_code: str | None = None) -> QuerySet[TrainingSite]:
    qs = TrainingSite.objects.visible_to(actor).select_related("organization", "region")
    if organization_id:
        qs = qs.filter(organization_id=organization_id)
    if region_code:
        qs = qs.filter(region__code__startswith=subtree_prefix(region_code))
    return qs


def site_get(*, actor, pk: int) -> TrainingSite:
    site = site_list(actor=actor).filter(pk=pk).first()
    if site is None:
        raise NotFound()
    return site


def person_list(*, actor, q: str = "", region_code: str | None = None,
                key_group: str | None = None) -> QuerySet[Person]:
    qs = Person.objects.visible_to(actor).select_related("region")
    if q:
        from jineng.core import pii
        from jineng.core.validators import InvalidIdentifier, parse_resident_id

        try:
            qs = qs.filter(id_hash=pii.keyed_hash(parse_resident_id(q).number))
        except InvalidIdentifier:
            qs = qs.filter(name__startswith=q)
    if region_code:
        qs = qs.filter(region__code__startswith=subtree_prefix(region_code))
    if key_group:
        qs = qs.filter(key_groups__group=key_group).distinct()
    return qs


def person_get(*, actor, pk: int) -> Person:
    person = (Person.objects.visible_to(actor).select_related("region", "id_region",
                                                               "registered_by")
              .filter(pk=pk).first())
    if person is None:
        raise NotFound()
    return person


def person_find_by_id_number(*, actor, id_number: str) -> Person:
    from jineng.core import pii

    person = Person.objects.visible_to(actor).filter(id_hash=pii.keyed_hash(id_number)).first()
    if person is None:
        raise NotFound()
    return person


def key_group_memberships(*, actor, person: Person) -> QuerySet[KeyGroupMembership]:
    return KeyGroupMembership.objects.visible_to(actor).filter(person=person)


def counts_by_key_group(*, actor) -> list[dict]:
    return list(KeyGroupMembership.objects.visible_to(actor).values("group")
                .annotate(n=Count("person_id", distinct=True)).order_by("group"))
