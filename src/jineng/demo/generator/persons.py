"""The persons step: the person registry (ID numbers, key groups, addresses) in chunks."""

from __future__ import annotations

import datetime as dt
import random

from jineng.core import pii
from jineng.core.validators import (
    ID_CHECK,
    ID_WEIGHTS,
)
from jineng.demo import bulk
from jineng.demo.generator.context import (
    DEMO_SOURCE,
    ID_FROM_PROVINCE,
    ID_FROM_RESIDENCE,
    KEY_GROUP_SHARES,
    MALE_SHARE,
    PERSON_CHUNK,
    REGISTERED_BY_INSTITUTION,
    SHARED_ADDRESS,
    BuildContext,
    DemoError,
)
from jineng.demo.names import NameMaker
from jineng.registry.choices import (
    KeyGroup,
    OrganizationKind,
)
from jineng.registry.models import (
    KeyGroupMembership,
    Person,
)

# --- persons ------------------------------------------------------------------------------

def _key_groups(rng: random.Random) -> list[str]:
    groups = []
    u = rng.random()
    if u < KEY_GROUP_SHARES[KeyGroup.UNEMPLOYED]:
        groups.append(KeyGroup.UNEMPLOYED)
    elif u < KEY_GROUP_SHARES[KeyGroup.UNEMPLOYED] + KEY_GROUP_SHARES[
            KeyGroup.ENTERPRISE_EMPLOYEE]:
        groups.append(KeyGroup.ENTERPRISE_EMPLOYEE)
    for group, share in KEY_GROUP_SHARES.items():
        if group in (KeyGroup.UNEMPLOYED, KeyGroup.ENTERPRISE_EMPLOYEE):
            continue
        if rng.random() < share:
            groups.append(group)
    return groups


def _age(rng: random.Random, groups: list[str]) -> int:
    """Ages 16–59 on the reference date, mostly 20–45 (SYNTHETIC shape); some groups have
    their own bands (graduates are young, left-behind women adults)."""
    if KeyGroup.GRADUATE in groups:
        return rng.randint(21, 28)
    if KeyGroup.VETERAN in groups:
        return rng.randint(22, 50)
    if KeyGroup.LEFT_BEHIND_WOMAN in groups:
        return rng.randint(25, 55)
    low = 18 if KeyGroup.MIGRANT_WORKER in groups else 16
    if rng.random() < 0.8:
        return int(rng.triangular(20, 46, 30))
    return rng.randint(low, 59)


class ResidentIdMaker:
    """GB 11643 numbers as `validators.make_resident_id` makes them, with the weighted sums of
    the region and birth-date parts remembered (they repeat across hundreds of thousands of
    persons; the tests check every number with `parse_resident_id`)."""

    def __init__(self) -> None:
        self.partial: dict[str, int] = {}

    def _sum(self, digits: str, offset: int) -> int:
        key = f"{offset}:{digits}"
        total = self.partial.get(key)
        if total is None:
            total = sum(int(d) * w for d, w in zip(digits, ID_WEIGHTS[offset:], strict=False))
            self.partial[key] = total
        return total

    def make(self, region_code: str, birth8: str, sequence: int) -> str:
        seq = f"{sequence:03d}"
        total = (self._sum(region_code, 0) + self._sum(birth8, 6)
                 + int(seq[0]) * ID_WEIGHTS[14] + int(seq[1]) * ID_WEIGHTS[15]
                 + int(seq[2]) * ID_WEIGHTS[16])
        return f"{region_code}{birth8}{seq}{ID_CHECK[total % 11]}"


def build_persons(ctx: BuildContext) -> None:
    """Persons with valid, unique GB 11643 ID numbers (encrypted, hashed, masked), names,
    phones, county of residence and an address in it, and key-group memberships. A few
    people (SHARED_ADDRESS) give the address of someone registered shortly before them in the
    same county: relatives registered one by one, co-tenants."""
    rng = ctx.rng("persons")
    geo, ref = ctx.geo, ctx.reference_date
    names = NameMaker(rng)
    # Addresses draw from a stream of their own, so adding them changed nothing else.
    homes = NameMaker(ctx.rng("addresses"))
    recent: dict[int, list[str]] = {}  # county pk → its last addresses made
    training_by_city: dict[str, list[int]] = {}
    for org in ctx.organizations:
        if org.kind == OrganizationKind.TRAINING:
            training_by_city.setdefault(org.county.city_code, []).append(org.pk)
    all_training = [pk for pks in training_by_city.values() for pk in pks]
    person_writer = bulk.RowWriter(Person, [
        "id", "id_hash", "id_encrypted", "id_masked", "name", "gender", "birth_date",
        "id_region_id", "region_id", "phone", "registered_by_id", "created_at", "address",
    ])
    group_writer = bulk.RowWriter(KeyGroupMembership, [
        "id", "person_id", "group", "start_date", "end_date", "source",
    ])
    outside = geo.outside
    used: set[int] = set()  # first 17 digits of every ID number made, as integers
    ids = ResidentIdMaker()
    total, made, memberships = ctx.persons, 0, 0
    # Only ID numbers registered before this build can clash (the build's own are unique).
    check_clashes = Person.objects.exists()
    first_person = ctx.allocate(Person, total)
    # Memberships are allocated per chunk (their number is known only after drawing).
    ref_ordinal = ref.toordinal()
    created_at = ctx.created_at
    encrypt, keyed_hash, mask = pii.encrypt, pii.keyed_hash, pii.mask_id_number
    with ctx.bar(total, "persons") as bar:
        while made < total:
            n = min(PERSON_CHUNK, total - made)
            persons, groups_rows = [], []
            for i in range(n):
                pk = first_person + made + i
                groups = _key_groups(rng)
                if KeyGroup.LEFT_BEHIND_WOMAN in groups:
                    gender = "F"
                elif KeyGroup.VETERAN in groups:
                    gender = "M" if rng.random() < 0.92 else "F"
                else:
                    gender = "M" if rng.random() < MALE_SHARE else "F"
                age = _age(rng, groups)
                birth = dt.date.fromordinal(ref_ordinal - int((age + rng.random()) * 365.2425))
                home = geo.residents.pick(rng)
                u = rng.random()
                if u < ID_FROM_RESIDENCE:
                    id_region_pk, id_code = home.pk, home.code
                elif u < ID_FROM_RESIDENCE + ID_FROM_PROVINCE or outside is None:
                    other = geo.residents.pick(rng)
                    id_region_pk, id_code = other.pk, other.code
                else:
                    id_region_pk, id_code = outside.pick(rng)
                seq = rng.randrange(500) * 2 + (1 if gender == "M" else 0)
                birth8 = birth.strftime("%Y%m%d")
                stem = int(id_code + birth8) * 1000
                tries = 0
                while stem + seq in used:  # taken: the next sequence number, same gender
                    seq, tries = (seq + 2) % 1000, tries + 1
                    if tries >= 500:
                        raise DemoError("Too many persons for the ID numbers of one county "
                                        "and birth date: choose a smaller --persons.")
                used.add(stem + seq)
                number = ids.make(id_code, birth8, seq)
                if rng.random() < REGISTERED_BY_INSTITUTION and all_training:
                    pool = training_by_city.get(home.city_code) or all_training
                    registered_by = pool[int(rng.random() * len(pool))]
                else:
                    registered_by = None
                persons.append((
                    pk, keyed_hash(number), encrypt(number), mask(number),
                    names.person(gender), gender, birth, id_region_pk, home.pk, names.phone(),
                    registered_by, created_at, _home_address(homes, home, recent),
                ))
                earliest = (birth.toordinal() + 16 * 365) if age > 17 else ref_ordinal - 31
                for group in groups:
                    if group == KeyGroup.GRADUATE:
                        start = dt.date(ref.year - 1 - rng.randrange(3), 7, 1)
                    else:
                        span = max(31, min(3650, ref_ordinal - earliest))
                        start = dt.date.fromordinal(ref_ordinal - rng.randrange(30, span + 30))
                    groups_rows.append((pk, group, start, None, DEMO_SOURCE))
            if check_clashes:
                _refuse_registered(persons)
            person_writer.write(persons)
            first_group = ctx.allocate(KeyGroupMembership, len(groups_rows))
            group_writer.write([(first_group + j, *row) for j, row in enumerate(groups_rows)])
            made += n
            memberships += len(groups_rows)
            bar.update(n)
    bulk.reset_sequences(Person, KeyGroupMembership)
    ctx.counts.update({"persons": made, "key_group_memberships": memberships})


def _home_address(homes: NameMaker, county, recent: dict[int, list[str]]) -> str:
    """A new address in the county or, now and then, one of the last few made there."""
    last = recent.setdefault(county.pk, [])
    if last and homes.rng.random() < SHARED_ADDRESS:
        return homes.rng.choice(last)
    address = homes.home_address(county.name, urban=county.is_district)
    last.append(address)
    if len(last) > 20:
        del last[0]
    return address


def _refuse_registered(rows: list[tuple]) -> None:
    """Refuse, with a clear message, a chunk whose ID numbers are already registered (the
    demo is meant for a database without persons of its own)."""
    hashes = [r[1] for r in rows]
    clash = Person.objects.filter(id_hash__in=hashes).values_list("id_masked", flat=True)[:3]
    if clash:
        raise DemoError(
            "These ID numbers are already registered outside the demo: "
            + ", ".join(clash) + ". Build the demo on a database without its own persons.")
