"""Every read of the registries, scoped to the actor. Out of scope answers NotFound."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet

from jineng.core.errors import NotFound
from jineng.registry import occupation_search as _occupation_index
from jineng.registry.models import (
    KeyGroupMembership,
    Occupation,
    Organization,
    OrganizationStatusChange,
    Person,
    PersonMerge,
    Region,
    SkillLevel,
    TrainingSite,
)
from jineng.registry.rules.identity import id_number_18

if TYPE_CHECKING:
    import pyarrow as pa


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


def occupation_search(q: str, *, limit: int = 20) -> list[Occupation]:
    """Occupations and work types for a search box, best first: by Chinese name, code, full
    pinyin ("diangong"), pinyin initials ("dg") and, for a typo, by closeness (a homophone or
    one wrong character). Public reference data. Each result carries `search_match` (how it
    matched). An in-memory index per process (registry.occupation_search)."""
    return _occupation_index.search(q, limit=limit)


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


def whole_id_number(text: str) -> str | None:
    """The 18-character form of a text that is a whole, valid ID number (an old 15-digit number
    converted, see rules.identity.id_number_18), or None."""
    from jineng.core.validators import is_resident_id

    number = id_number_18(text)
    return number if is_resident_id(number) else None


def is_whole_id_number(text: str) -> bool:
    return whole_id_number(text) is not None


def _holds_number(id_hash: str) -> Q:
    """The person registered under this number, or the survivor a duplicate with this number
    was merged into."""
    return Q(id_hash=id_hash) | Q(merged_duplicates__id_hash=id_hash)


def person_list(*, actor, q: str = "", region_code: str | None = None,
                key_group: str | None = None, id_number: str = "") -> QuerySet[Person]:
    """Persons in scope: `q` is a name prefix, or a whole ID number (exact lookup, for the
    pages, which send it by POST); `id_number` looks up a whole number only. A 15-digit number
    finds the person registered under its 18-character form."""
    from jineng.core import pii

    qs = (Person.objects.visible_to(actor).select_related("region")
          .filter(merged_into__isnull=True))  # a merged duplicate lives on in its survivor
    if id_number:
        number = whole_id_number(id_number)
        qs = (qs.filter(_holds_number(pii.keyed_hash(number))).distinct() if number
              else qs.none())
    elif q:
        if number := whole_id_number(q):
            qs = qs.filter(_holds_number(pii.keyed_hash(number))).distinct()
        else:
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

    number = id_number_18(id_number)
    person = (Person.objects.visible_to(actor).filter(merged_into__isnull=True)
              .filter(_holds_number(pii.keyed_hash(number))).distinct().first())
    if person is None:
        raise NotFound()
    return person


def person_holding_number(id_number: str) -> Person | None:
    """The current record of the person with this ID number (15 or 18 characters), whoever
    asks: for services that identify a person by number before deciding anything (enrolling,
    checking in, registering a teacher) and must never attach to a merged duplicate — a
    duplicate's number answers its survivor. Not for showing: callers check scope themselves.
    None for an unknown or invalid number."""
    from jineng.core import pii

    number = whole_id_number(id_number)
    if number is None:
        return None
    return (Person.objects.filter(merged_into__isnull=True)
            .filter(_holds_number(pii.keyed_hash(number))).distinct().first())


def person_holding_hash_locked(id_hash: str) -> Person | None:
    """`person_holding_number` by keyed hash, locked (SELECT … FOR UPDATE) for a service whose
    check reads the person's other records (an enrollment's overlap check): a duplicate's
    number locks and answers its survivor. Call inside a transaction."""
    found = (Person.objects.filter(merged_into__isnull=True).filter(_holds_number(id_hash))
             .values_list("pk", flat=True).first())
    if found is None:
        return None
    return Person.objects.select_for_update(of=("self",)).get(pk=found)


def person_merges(*, actor, person: Person) -> QuerySet[PersonMerge]:
    """Merges the person took part in (as survivor or as duplicate), latest first."""
    return (PersonMerge.objects.visible_to(actor)
            .filter(Q(survivor=person) | Q(duplicate=person))
            .select_related("duplicate", "survivor"))


def person_merge_get(*, actor, pk: int) -> PersonMerge:
    merge = (PersonMerge.objects.visible_to(actor).select_related("duplicate", "survivor")
             .filter(pk=pk).first())
    if merge is None:
        raise NotFound()
    return merge


def key_group_memberships(*, actor, person: Person) -> QuerySet[KeyGroupMembership]:
    return KeyGroupMembership.objects.visible_to(actor).filter(person=person)


def counts_by_key_group(*, actor) -> list[dict]:
    return list(KeyGroupMembership.objects.visible_to(actor).values("group")
                .annotate(n=Count("person_id", distinct=True)).order_by("group"))


# --- reads for the registry pages ----------------------------------------------------------

PAGE_REGION_LEVELS = ("province", "city", "county")


def region_children(*, actor, parent_code: str | None = None, q: str = "") -> QuerySet[Region]:
    """One level of the region tree (provinces when no parent), with how many children each
    region has, so a page can offer drill-down without a query per row."""
    qs = region_list(actor=actor, parent_code=parent_code, q=q)
    if not parent_code and not q:
        qs = qs.filter(level="province")
    return qs.annotate(child_count=Count("children")).order_by("code")


def region_ancestors(*, actor, region: Region) -> list[Region]:
    """Province and city above a region (for breadcrumbs), top first, in one query."""
    codes = {region.code[:2] + "0000", region.code[:4] + "00"} - {region.code}
    return list(Region.objects.visible_to(actor)
                .filter(code__in=codes, level__in=PAGE_REGION_LEVELS).order_by("code"))


def region_activity(*, actor, prefix: str = "") -> dict[str, dict[str, int]]:
    """Organizations and training sites the actor sees, counted by region code (two grouped
    queries); callers sum the codes under a region's scope prefix."""
    counts: dict[str, dict[str, int]] = {}
    orgs = Organization.objects.visible_to(actor)
    sites = TrainingSite.objects.visible_to(actor)
    if prefix:
        orgs = orgs.filter(region__code__startswith=prefix)
        sites = sites.filter(region__code__startswith=prefix)
    for key, qs in (("organizations", orgs), ("sites", sites)):
        for code, n in qs.values_list("region__code").annotate(n=Count("id")).order_by():
            counts.setdefault(code, {"organizations": 0, "sites": 0})[key] = n
    return counts


def region_choices(*, actor, within: str = "",
                   levels: tuple[str, ...] = PAGE_REGION_LEVELS) -> QuerySet[Region]:
    """Regions to offer in a form or filter: those under the prefix `within` at `levels`."""
    qs = Region.objects.visible_to(actor).filter(level__in=levels, is_active=True)
    if within:
        qs = qs.filter(code__startswith=within)
    return qs.order_by("code")


def organization_browse(*, actor, kind: str | None = None, institution_type: str | None = None,
                        status: str | None = None, region_code: str | None = None,
                        q: str = "") -> QuerySet[Organization]:
    """`organization_list` with the institution-type filter of the organizations page."""
    qs = organization_list(actor=actor, kind=kind, status=status, region_code=region_code, q=q)
    if institution_type:
        qs = qs.filter(institution_type=institution_type)
    return qs


def organization_status_history(*, actor, organization: Organization,
                                ) -> QuerySet[OrganizationStatusChange]:
    return (OrganizationStatusChange.objects.visible_to(actor)
            .filter(organization=organization).order_by("-effective_date", "-id"))


def person_browse(*, actor, q: str = "", region_code: str | None = None,
                  key_group: str | None = None) -> QuerySet[Person]:
    """`person_list` with what the persons page shows per row loaded up front."""
    return (person_list(actor=actor, q=q, region_code=region_code, key_group=key_group)
            .select_related("registered_by")
            .prefetch_related("key_groups"))


def persons_for_linkage(*, province_code: str) -> list[dict]:
    """Every current person (no merged duplicate) served in a province, with only what record
    linkage compares (name, birth date, region code, masked ID) and the keyed hash a linked
    record is filed under. Whoever asks: for the outcomes linkage service, which decides scope
    itself; never for showing."""
    return list(Person.objects.filter(merged_into__isnull=True,
                                      region__code__startswith=province_code[:2])
                .values("id", "name", "birth_date", "id_masked", "id_hash", "region__code")
                .order_by("id"))


def sites_for_risk() -> QuerySet:
    """Every training site's id, capacity and coordinates, unscoped and set-based, for the
    supervision risk scan (issue 13)."""
    return TrainingSite.objects.order_by().values_list("pk", "capacity", "latitude", "longitude")


def institution_codes_for_risk() -> QuerySet:
    """Training institutions' ids and credit codes, unscoped and set-based, for the
    supervision risk scan (trainees insured by their own institution)."""
    from jineng.registry.choices import OrganizationKind

    return (Organization.objects.filter(kind=OrganizationKind.TRAINING).order_by()
            .values_list("pk", "credit_code"))


def contact_rows_schema_for_risk() -> pa.Schema:
    """The Arrow schema of the rows `contact_hashes_for_risk` reads (person_id, phone,
    address, account_hash)."""
    from jineng.registry.rules.contacts import RAW

    return RAW


def person_contacts_for_risk(person_ids=None) -> QuerySet:
    """(person id, phone number, residence address) of the given persons (None: every person)
    that have either, unscoped, for the supervision ring rule (R08): read only to be turned
    into keyed hashes by `contact_hashes_for_risk` before anything is stored (never the number
    or the address)."""
    persons = Person.objects.all() if person_ids is None else Person.objects.filter(
        pk__in=person_ids)
    return persons.exclude(phone="", address="").order_by().values_list("pk", "phone",
                                                                        "address")


def person_contacts_written_since(xmin: int) -> QuerySet:
    """(person id, phone number, residence address) of every person whose row a PostgreSQL
    transaction not older than `xmin` wrote (a 32-bit transaction id: the oldest still running
    when an earlier snapshot was taken; every insert or update gives the row version a new
    `xmin`, a frozen row reads as older than any), with or without contacts — so that keyed
    hashes of every person's contacts taken in that snapshot can be brought up to date
    (supervision's risk scan keeps them between scans). PostgreSQL only."""
    from django.db.models import BooleanField
    from django.db.models.expressions import RawSQL

    written = RawSQL(f'age("{Person._meta.db_table}".xmin) <= age(%s::text::xid)',
                     (str(xmin),), output_field=BooleanField())
    return (Person.objects.alias(written=written).filter(written=True).order_by()
            .values_list("pk", "phone", "address"))


def person_contacts_table_for_risk() -> str:
    """The table `person_contacts_written_since` reads (its file node tells a rewrite)."""
    return Person._meta.db_table


def contact_hashes_version_for_risk() -> str:
    """What the keyed hashes of contacts depend on — the key (a keyed hash of a fixed text)
    and the normalisation (the source of the contact and address rules) — as a digest: hashes
    kept between scans are made again when it changes."""
    import hashlib
    import inspect

    from jineng.core.pii import keyed_hash
    from jineng.registry.rules import address, contacts

    parts = (keyed_hash("jineng contact hashes"), inspect.getsource(contacts),
             inspect.getsource(address))
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def contact_hashes_for_risk(batches) -> pa.Table:
    """Every batch of (person_id, phone, address, account_hash) rows of the table
    (registry.rules.contacts.RAW: `person_contacts_for_risk` with no account hash, or a keyed
    account hash alone) → (person_id, kind, value_hash): the keyed hashes of the phones' digits
    and of the normalised addresses that two persons or more share (a value one person holds
    links no one), and every account hash as it is."""
    from jineng.core.pii import keyed_hash_pads
    from jineng.registry.rules.contacts import keyed_contacts

    return keyed_contacts(batches, keyed_hash_pads())


def every_contact_hash_for_risk(batches) -> pa.Table:
    """As `contact_hashes_for_risk`, with the keyed hash of every phone and address that can
    link, shared or not (the risk scan keeps them between scans: a person written since is
    hashed again alone, and the scan finds the values its trainees share)."""
    from jineng.core.pii import keyed_hash_pads
    from jineng.registry.rules.contacts import keyed_contacts

    return keyed_contacts(batches, keyed_hash_pads(), shared_only=False)


def persons_for_risk(person_ids) -> QuerySet:
    """(id, ID keyed hash, birth date, gender) of the given persons, unscoped, for the
    supervision risk scan (exclusion lists and age limits, R16)."""
    return (Person.objects.filter(pk__in=person_ids).order_by()
            .values_list("pk", "id_hash", "birth_date", "gender"))


def site_cities_for_risk() -> QuerySet:
    """(site id, region code) of every training site, unscoped, for the supervision risk scan
    (the city of a class's site, R15)."""
    return TrainingSite.objects.order_by().values_list("pk", "region__code")
