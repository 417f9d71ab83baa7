"""The synthetic demo province: Guizhou on its real region codes, filled with made-up
organizations, training sites, persons and demo users.

    generate(scale="S", seed=1) -> counts

Everything is drawn from `random.Random` streams seeded by (seed, step name), and dates are
counted from the fixed REFERENCE_DATE, so one seed gives the same province every time (on a
database without other persons; only the ciphertexts differ, as Fernet wants). Each step draws
from its own stream, so steps added later (classes, attendance, certificates, claims) do not
change what the earlier ones make: append them to STEPS.

Every number below that describes a share of people or organizations is SYNTHETIC: plausible,
not taken from statistics, and labelled so in place.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from tqdm import tqdm

from jineng.assessment import demo as assessment_demo
from jineng.catalog import demo as catalog_demo
from jineng.core import audit, pii
from jineng.core.models import AuditAction
from jineng.core.validators import (
    CREDIT_ALPHABET,
    ID_CHECK,
    ID_WEIGHTS,
    make_credit_code,
)
from jineng.demand import demo as demand_demo
from jineng.demo import bulk, plans_demo
from jineng.demo.geography import PROVINCE_CODE, Geography, Place
from jineng.demo.models import DemoBuild, DemoRows, DemoUser
from jineng.demo.names import BRANDS, SCHOOL_FIELDS, SECTORS, NameMaker
from jineng.demo.users import DemoUserConflict, ensure_demo_users
from jineng.outcomes import demo as outcomes_demo
from jineng.portal import demo as portal_demo
from jineng.registry.choices import (
    InstitutionType,
    KeyGroup,
    OrganizationKind,
    OrganizationStatus,
)
from jineng.registry.models import (
    KeyGroupMembership,
    Organization,
    OrganizationStatusChange,
    Person,
    TrainingSite,
)
from jineng.subsidy import demo as subsidy_demo
from jineng.supervision import demo as supervision_demo
from jineng.training import demo as training_demo

REFERENCE_DATE = dt.date(2026, 1, 1)  # the registry "as of" this day: ages, memberships
DEMO_SOURCE = "demo"


@dataclass(frozen=True)
class Tier:
    """Sizes of one scale tier (DESIGN.md): the person registry is about one year's
    enrollments of the tier; organizations grow with it."""

    persons: int
    training: int
    evaluation: int
    enterprises: int
    like: str


TIERS: dict[str, Tier] = {
    # XS is for tests only (not offered by the command's help).
    "XS": Tier(300, 12, 3, 15, "tests"),
    "S": Tier(35_000, 130, 30, 140, "one city: ~35,000 enrollments a year"),
    "M": Tier(350_000, 650, 150, 700, "a mid-size province: ~350,000 enrollments a year"),
    "L": Tier(2_000_000, 2_600, 600, 2_800, "a large province: 2,000,000 enrollments a year"),
}
PUBLIC_TIERS = ("S", "M", "L")

# SYNTHETIC shares of training institutions by type.
INSTITUTION_TYPE_WEIGHTS = {
    InstitutionType.TECHNICIAN_COLLEGE: 5,
    InstitutionType.VOCATIONAL_SCHOOL: 10,
    InstitutionType.PRIVATE_TRAINING: 60,
    InstitutionType.ENTERPRISE_CENTER: 15,
    InstitutionType.PUBLIC_BASE: 10,
}
SUSPENDED_SHARE = 0.03  # SYNTHETIC: organizations currently suspended

# SYNTHETIC key-group shares of the person registry (a person may be in several groups;
# unemployed and enterprise employees exclude each other).
KEY_GROUP_SHARES = {
    KeyGroup.MIGRANT_WORKER: 0.35,
    KeyGroup.ENTERPRISE_EMPLOYEE: 0.25,
    KeyGroup.GRADUATE: 0.10,
    KeyGroup.UNEMPLOYED: 0.08,
    KeyGroup.POVERTY_MONITORED: 0.05,
    KeyGroup.RELOCATED: 0.04,
    KeyGroup.LEFT_BEHIND_WOMAN: 0.03,
    KeyGroup.HARD_TO_EMPLOY: 0.03,
    KeyGroup.VETERAN: 0.02,
    KeyGroup.DISABLED: 0.015,
}
MALE_SHARE = 0.52  # SYNTHETIC
ID_FROM_RESIDENCE = 0.85  # SYNTHETIC: ID number issued in the county of residence
ID_FROM_PROVINCE = 0.09  # SYNTHETIC: issued elsewhere in Guizhou (rest: other provinces)
REGISTERED_BY_INSTITUTION = 0.6  # SYNTHETIC: registered by a training institution
SHARED_ADDRESS = 0.02  # SYNTHETIC: gives the address of someone registered shortly before

PERSON_CHUNK = 5_000


class DemoError(Exception):
    """The demo cannot be built or reset as asked; the message says why."""


@dataclass(frozen=True)
class OrgRef:
    pk: int
    kind: str
    institution_type: str
    county: Place


@dataclass
class BuildContext:
    """What the steps share: tier, seed, geography, the build record and what was made."""

    scale: str
    seed: int
    tier: Tier
    persons: int
    progress: bool
    geo: Geography
    build: DemoBuild
    created_at: dt.datetime
    reference_date: dt.date = REFERENCE_DATE
    fraud_rate: float = supervision_demo.DEFAULT_FRAUD_RATE
    organizations: list[OrgRef] = field(default_factory=list)
    anchors: dict[str, int] = field(default_factory=dict)  # kind → pk of the demo users' org
    counts: dict[str, int] = field(default_factory=dict)

    def rng(self, step: str) -> random.Random:
        """The random stream of one step (string seeds hash stably across runs)."""
        return random.Random(f"jineng-demo:{self.seed}:{step}")

    def allocate(self, model, n: int) -> int:
        """Reserve `n` primary keys of `model` for this build; returns the first."""
        first = bulk.next_pk(model)
        if n > 0:
            DemoRows.objects.create(build=self.build, model=model._meta.label_lower,
                                    first_pk=first, last_pk=first + n - 1)
        return first

    def bar(self, total: int, desc: str):
        return tqdm(total=total, desc=desc, unit=" rows", file=sys.stderr,
                    disable=not self.progress, dynamic_ncols=True, mininterval=0.5)


# --- organizations and sites -------------------------------------------------------------

def _org_code(rng: random.Random, prefix: str) -> str:
    """The 8-character body of a GB 11714 organization code: `MA…`/`MJ…` for recent
    registrations, digits for public institutions."""
    if prefix:
        letters = CREDIT_ALPHABET
        return prefix + "".join(rng.choice(letters) for _ in range(6))
    return f"{rng.randrange(10**8):08d}"


AUTHORITY = {  # credit code registration authority + category (GB 32100)
    InstitutionType.TECHNICIAN_COLLEGE: ("12", ""),  # 机构编制: 事业单位
    InstitutionType.VOCATIONAL_SCHOOL: ("12", ""),
    InstitutionType.PUBLIC_BASE: ("12", ""),
    InstitutionType.PRIVATE_TRAINING: ("52", "MJ"),  # 民政: 民办非企业单位
    InstitutionType.ENTERPRISE_CENTER: ("91", "MA"),  # 工商: 企业
}


def _org_name(rng: random.Random, kind: str, itype: str, place: Place, sector_word: str) -> str:
    brand = rng.choice(BRANDS)
    if kind == OrganizationKind.ENTERPRISE:
        return f"贵州{brand}{sector_word}有限公司"
    if kind == OrganizationKind.EVALUATION:
        return rng.choice((f"{place.city_short}{brand}职业技能等级认定中心",
                           f"贵州{brand}职业技能评价有限公司"))
    field_ = rng.choice(SCHOOL_FIELDS)
    return {
        InstitutionType.TECHNICIAN_COLLEGE: f"{place.city_short}{field_}技师学院",
        InstitutionType.VOCATIONAL_SCHOOL: rng.choice(
            (f"{place.short}中等职业学校", f"{place.city_short}{field_}职业技术学院")),
        InstitutionType.PRIVATE_TRAINING: f"{place.short}{brand}职业技能培训学校",
        InstitutionType.ENTERPRISE_CENTER: f"贵州{brand}{sector_word}有限公司培训中心",
        InstitutionType.PUBLIC_BASE: f"{place.short}公共实训基地",
    }[itype]


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}（{n}）", n + 1
    taken.add(candidate)
    return candidate


def _offset(rng: random.Random, place: Place, spread_km: float) -> tuple[Decimal, Decimal]:
    """A point near the county seat: a random bearing, distance half-normal in km."""
    distance = min(abs(rng.gauss(0, spread_km)), 4 * spread_km)
    bearing = rng.random() * 2 * math.pi
    dlat = distance * math.cos(bearing) / 111.0
    dlon = distance * math.sin(bearing) / (111.0 * math.cos(math.radians(place.latitude)))
    return (Decimal(f"{place.longitude + dlon:.6f}"), Decimal(f"{place.latitude + dlat:.6f}"))


def _same_city(rng: random.Random, geo: Geography, place: Place) -> Place:
    for _ in range(50):
        other = geo.organizations.pick(rng)
        if other.city_code == place.city_code:
            return other
    return place


def build_organizations(ctx: BuildContext) -> None:
    """Training institutions of every type, evaluation institutions and enterprises, with
    valid unique credit codes whose region part is the organization's county, a status
    history, and training sites near the county seats."""
    rng = ctx.rng("organizations")
    geo, tier = ctx.geo, ctx.tier
    names = NameMaker(rng)
    home = geo.county("520102")  # 南明区: where the demo users' own organizations are
    types = list(INSTITUTION_TYPE_WEIGHTS)
    plan: list[tuple[str, str, Place]] = []
    weights = list(INSTITUTION_TYPE_WEIGHTS.values())
    for i in range(tier.training):
        if i == 0:
            itype = InstitutionType.PRIVATE_TRAINING
        elif i <= len(types):  # every type at least once, even at the smallest tier
            itype = types[i - 1]
        else:
            itype = rng.choices(types, weights=weights)[0]
        plan.append((OrganizationKind.TRAINING, itype, home if i == 0
                     else geo.organizations.pick(rng)))
    for i in range(tier.evaluation):
        plan.append((OrganizationKind.EVALUATION, "", home if i == 0
                     else geo.organizations.pick(rng)))
    for i in range(tier.enterprises):
        plan.append((OrganizationKind.ENTERPRISE, "", home if i == 0
                     else geo.organizations.pick(rng)))

    taken_codes = set(Organization.objects.values_list("credit_code", flat=True))
    taken_names = set(Organization.objects.values_list("name", flat=True))
    first = ctx.allocate(Organization, len(plan))
    org_rows, history_rows, site_rows = [], [], []
    for n, (kind, itype, place) in enumerate(plan):
        pk = first + n
        sector, sector_words = rng.choice(SECTORS)
        if kind == OrganizationKind.TRAINING:
            authority, prefix = AUTHORITY[itype]
        elif kind == OrganizationKind.EVALUATION:
            authority, prefix = rng.choice((("12", ""), ("91", "MA")))
        else:
            authority, prefix = "91", "MA"
        code = make_credit_code(authority, place.code, _org_code(rng, prefix))
        while code in taken_codes:
            code = make_credit_code(authority, place.code, _org_code(rng, prefix))
        taken_codes.add(code)
        name = _unique(_org_name(rng, kind, itype, place, rng.choice(sector_words)), taken_names)
        has_sector = kind == OrganizationKind.ENTERPRISE or (
            itype == InstitutionType.ENTERPRISE_CENTER)
        is_anchor = kind not in ctx.anchors  # the first of each kind: a demo user's own
        ctx.anchors.setdefault(kind, pk)
        listed_on = ctx.reference_date - dt.timedelta(days=rng.randrange(60, 8 * 365))
        suspended = not is_anchor and rng.random() < SUSPENDED_SHARE
        status_since = listed_on
        history_rows.append((pk, "register", "", OrganizationStatus.LISTED, listed_on,
                             "登记（演示数据）"))
        if suspended:
            status_since = listed_on + dt.timedelta(
                days=rng.randrange(1, (ctx.reference_date - listed_on).days))
            history_rows.append((pk, "suspend", OrganizationStatus.LISTED,
                                 OrganizationStatus.SUSPENDED, status_since,
                                 "抽查发现问题，暂停资格（演示数据）"))
        org_rows.append((
            pk, kind, itype, name, code, "", place.pk, names.address(place.name),
            names.person("M" if rng.random() < 0.6 else "F"), names.phone(),
            sector if has_sector else "",
            OrganizationStatus.SUSPENDED if suspended else OrganizationStatus.LISTED,
            status_since, ctx.created_at,
        ))
        if kind == OrganizationKind.TRAINING:
            n_sites = 1 + (rng.random() < 0.5) + (rng.random() < 0.2)
            if is_anchor:  # the demo institution: three sites, a story on each
                n_sites = 3
        elif kind == OrganizationKind.EVALUATION:
            n_sites = 1
        else:
            n_sites = 1 if rng.random() < 0.3 else 0
        big = itype in {InstitutionType.TECHNICIAN_COLLEGE, InstitutionType.VOCATIONAL_SCHOOL,
                        InstitutionType.PUBLIC_BASE}
        site_names = {
            OrganizationKind.TRAINING: ["主校区", "教学点", "实训基地"],
            OrganizationKind.EVALUATION: ["评价考点"],
            OrganizationKind.ENTERPRISE: ["职工培训室"],
        }[kind]
        taken_site_names: set[str] = set()
        for s in range(n_sites):
            site_place = place
            if s > 0 and not is_anchor and rng.random() < 0.3:  # another county, same city
                site_place = _same_city(rng, geo, place)
            site_name = site_names[s] if s == 0 else f"{site_place.short}{site_names[s]}"
            lon, lat = _offset(rng, site_place, 3.0 if site_place.is_district else 6.0)
            capacity = rng.randint(100, 300) if big else rng.randint(30, 150)
            site_rows.append((pk, _unique(site_name, taken_site_names),
                              names.address(site_place.name), site_place.pk, lon, lat,
                              capacity))
        ctx.organizations.append(OrgRef(pk, kind, itype, place))

    bulk.RowWriter(Organization, [
        "id", "kind", "institution_type", "name", "credit_code", "credit_code_override",
        "region_id", "address", "legal_representative", "contact_phone", "sector", "status",
        "status_since", "created_at",
    ]).write(org_rows)
    first_history = ctx.allocate(OrganizationStatusChange, len(history_rows))
    bulk.RowWriter(OrganizationStatusChange, [
        "id", "organization_id", "action", "from_status", "to_status", "effective_date",
        "reason", "note", "at", "actor_username",
    ]).write([(first_history + i, *row, {}, ctx.created_at, DEMO_SOURCE)
              for i, row in enumerate(history_rows)])
    first_site = ctx.allocate(TrainingSite, len(site_rows))
    bulk.RowWriter(TrainingSite, [
        "id", "organization_id", "name", "address", "region_id", "longitude", "latitude",
        "capacity", "is_active",
    ]).write([(first_site + i, *row, True) for i, row in enumerate(site_rows)])
    bulk.reset_sequences(Organization, OrganizationStatusChange, TrainingSite)
    ctx.counts.update({
        "organizations": len(org_rows),
        "training_institutions": tier.training,
        "evaluation_institutions": tier.evaluation,
        "enterprises": tier.enterprises,
        "sites": len(site_rows),
    })


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


# --- users and the audit event -----------------------------------------------------------

def build_users(ctx: BuildContext) -> None:
    """One demo login per role (see jineng.demo.users)."""
    codes = {"520000": ctx.geo.province_pk, "520100": ctx.geo.cities["520100"]["pk"],
             "520102": ctx.geo.county("520102").pk}
    try:
        ids = ensure_demo_users(regions=codes, anchors=ctx.anchors)
    except DemoUserConflict as clash:
        raise DemoError(f"Users with demo user names exist and were not made by the demo: "
                        f"{clash}. Rename them or use another database.") from clash
    ctx.counts["users"] = len(ids)


def build_training(ctx: BuildContext) -> None:
    """Classes, enrollments and attendance in the proportions of the seeds, around today
    (so the "today" board has classes in session); the blocks it inserts are recorded so a
    reset deletes exactly them."""
    result = training_demo.build_demo_training(scale=ctx.scale, seed=ctx.seed,
                                               today=timezone.localdate(), anchors=ctx.anchors)
    for model, first, last in result.get("blocks", []):
        DemoRows.objects.create(build=ctx.build, model=model, first_pk=first, last_pk=last)
    for key in ("classes", "enrollments", "attendance_events", "plan_facts"):
        if key in result:
            ctx.counts[key] = result[key]


def build_assessment(ctx: BuildContext) -> None:
    """Sittings and certificates of the finished classes (realistic pass rates), direct
    recognitions, self-evaluations, revoked and outside certificates, and sittings waiting for
    the assessor login (see jineng.assessment.demo); its blocks are recorded for a reset."""
    result = assessment_demo.build_demo_assessment(
        scale=ctx.scale, seed=ctx.seed, today=timezone.localdate(), anchors=ctx.anchors)
    for model, first, last in result.get("blocks", []):
        DemoRows.objects.create(build=ctx.build, model=model, first_pk=first, last_pk=last)
    for key in ("sittings", "candidates", "certificates", "certificates_revoked",
                "certificates_outside", "certificates_dual", "classes_assessed",
                "assessment_plan_facts"):
        if key in result:
            ctx.counts[key] = result[key]


def build_outcomes(ctx: BuildContext) -> None:
    """Social-insurance records of the trainees and others, business registrations, rows for
    the linker, and a first computation of the outcomes (see jineng.outcomes.demo); its blocks
    are recorded for a reset."""
    result = outcomes_demo.build_demo_outcomes(
        scale=ctx.scale, seed=ctx.seed, today=timezone.localdate(), anchors=ctx.anchors)
    for model, first, last in result.get("blocks", []):
        DemoRows.objects.create(build=ctx.build, model=model, first_pk=first, last_pk=last)
    for key in ("insurance_records", "business_registrations", "record_links"):
        if key in result:
            ctx.counts[key] = result[key]


def build_subsidy(ctx: BuildContext) -> None:
    """Parameter sets, budgets, claims at every state, payment batches and imported history
    through the subsidy app's services (see jineng.subsidy.demo); its blocks are recorded."""
    result = subsidy_demo.build_demo_subsidy(
        scale=ctx.scale, seed=ctx.seed, today=timezone.localdate(), anchors=ctx.anchors)
    for model, first, last in result.pop("blocks", []):
        DemoRows.objects.create(build=ctx.build, model=model, first_pk=first, last_pk=last)
    ctx.counts.update({k: v for k, v in result.items() if k.startswith("subsidy_")})


def build_demand(ctx: BuildContext) -> None:
    """Wish posters and wishes, the demo enterprises' demand lists, one forecast cycle, matches,
    order classes and referrals (see jineng.demand.demo); its blocks are recorded for a reset."""
    result = demand_demo.build_demo_demand(
        scale=ctx.scale, seed=ctx.seed, today=timezone.localdate(), anchors=ctx.anchors)
    for model, first, last in result.pop("blocks", []):
        DemoRows.objects.create(build=ctx.build, model=model, first_pk=first, last_pk=last)
    ctx.counts.update({f"demand_{key}": value for key, value in result.items()})


def build_coverage(ctx: BuildContext) -> None:
    """Synthetic population of the demo counties (labelled as such) and the 30-minute circle's
    coverage and a placement proposal (see jineng.portal.demo)."""
    result = portal_demo.build_demo_coverage(
        scale=ctx.scale, seed=ctx.seed, today=timezone.localdate(), anchors=ctx.anchors)
    for model, first, last in result.pop("blocks", []):
        DemoRows.objects.create(build=ctx.build, model=model, first_pk=first, last_pk=last)
    ctx.counts.update({f"coverage_{key}": value for key, value in result.items()})


def build_plan(ctx: BuildContext) -> None:
    """The Guizhou pack as the demo province's plan, with synthetic volumes up to today (so
    the dashboard shows progress as of the day the demo is built). The plan's volumes are
    province-sized whatever the tier, so the test tier XS leaves it out (tests/plans builds
    it directly)."""
    if ctx.scale == "XS":
        return
    result = plans_demo.build_demo_plan(seed=ctx.seed, today=timezone.localdate())
    ctx.counts["synthetic_plan_facts"] = result.get("facts", 0)


# The demo institution's own occupations: one of the industry demo user's sector (digital
# economy), so that department has classes to see, and two of the largest sectors.
ANCHOR_OCCUPATIONS = ("人工智能训练师", "养老护理员", "电工")


def build_catalogs(ctx: BuildContext) -> None:
    """The catalogs in force, with every training institution listed for occupations in the
    proportions the training demo trains them (so each demo class is one its institution is
    listed for)."""
    catalog_demo.demo_step(ctx, occupation_weights=training_demo.occupation_weights(),
                           first_occupations=ANCHOR_OCCUPATIONS,
                           dual_items=assessment_demo.DUAL_ITEMS)


Step = tuple[str, Callable[[BuildContext], None]]

def build_supervision(ctx: BuildContext) -> None:
    """Fraud planted at `ctx.fraud_rate` for the risk rules, and a first scan so the inspector
    has alerts (see jineng.supervision.demo); new rows and the scan recorded in blocks."""
    def allocate_range(model, first: int, last: int) -> None:
        DemoRows.objects.create(build=ctx.build, model=model._meta.label_lower,
                                first_pk=first, last_pk=last)

    ctx.counts.update(supervision_demo.build_demo_supervision(
        seed=ctx.seed, rate=ctx.fraud_rate, allocate=ctx.allocate, writer=bulk.RowWriter,
        allocate_range=allocate_range))


# The order matters: later steps use what earlier ones made (ctx.organizations, anchors).
STEPS: list[Step] = [
    ("organizations", build_organizations),
    ("catalogs", build_catalogs),
    ("persons", build_persons),
    ("users", build_users),
    ("training", build_training),
    ("assessment", build_assessment),
    ("outcomes", build_outcomes),
    ("subsidy", build_subsidy),
    ("demand", build_demand),
    ("coverage", build_coverage),
    ("plans", build_plan),
    ("supervision", build_supervision),  # last: it plants into and scans all of the above
]


def demo_exists() -> bool:
    return DemoBuild.objects.exists()


def generate(scale: str = "S", seed: int = 1, *, progress: bool = True,
             persons: int | None = None, if_empty: bool = False, reset: bool = False,
             steps: list[Step] | None = None, fraud_rate: float | None = None) -> dict:
    """Build the demo province in one transaction; returns the counts (and `seconds`).
    `if_empty`: do nothing if a demo province exists. `reset`: remove the previous one first.
    Without either, an existing demo province is an error."""
    if scale not in TIERS:
        raise DemoError(f"Unknown tier {scale!r}: choose one of {', '.join(PUBLIC_TIERS)}.")
    if persons is not None and persons < 1:
        raise DemoError("--persons must be a positive number.")
    if fraud_rate is not None and not 0 <= fraud_rate <= 0.5:
        raise DemoError("--fraud-rate must be between 0 and 0.5.")
    started = time.perf_counter()
    with bulk.fast_sqlite_load():
        try:
            with transaction.atomic():
                if demo_exists():
                    if if_empty:
                        return {"skipped": True}
                    if not reset:
                        raise DemoError("A demo province already exists: use --reset to "
                                        "rebuild it or --if-empty to keep it.")
                    delete_demo()
                tier = TIERS[scale]
                build = DemoBuild.objects.create(scale=scale, seed=seed,
                                                 persons=persons or tier.persons,
                                                 reference_date=REFERENCE_DATE)
                ctx = BuildContext(scale=scale, seed=seed, tier=tier,
                                   persons=persons or tier.persons, progress=progress,
                                   geo=Geography(), build=build, created_at=timezone.now())
                if fraud_rate is not None:
                    ctx.fraud_rate = fraud_rate
                for _name, step in steps or STEPS:
                    step(ctx)
                ctx.build.counts = ctx.counts
                ctx.build.seconds = round(time.perf_counter() - started, 2)
                ctx.build.save(update_fields=["counts", "seconds"])
                audit.record_bulk_import(
                    actor=None, entity_type="demo.province", count=ctx.counts.get("persons", 0),
                    source=f"jineng demo-data --scale {scale} --seed {seed}: "
                    + ", ".join(f"{k}={v}" for k, v in ctx.counts.items()),
                    region_code=PROVINCE_CODE,
                )
        except IntegrityError as exc:
            raise DemoError(f"The database refused the demo data: {exc}") from exc
    return {**ctx.counts, "seconds": round(time.perf_counter() - started, 2)}


def delete_demo() -> dict[str, int]:
    """Delete every row the demo builds made, newest block first (dependents before what
    they point to). Demo users stay (their logins are audited) but lose their organization
    until the next build. Rows made outside the demo that point at demo rows stop the reset
    with an error, and nothing is deleted."""
    from django.apps import apps
    from django.contrib.auth import get_user_model

    # Catalogs point at demo organizations, and published catalog rows are immutable except
    # through the catalog app's own system purge.
    catalog_demo.delete_demo_catalogs(PROVINCE_CODE)
    plans_demo.remove_demo_plan()
    plans_demo.remove_facts(source=training_demo.PLAN_FACTS_SOURCE)
    plans_demo.remove_facts(source=assessment_demo.PLAN_FACTS_SOURCE)
    plans_demo.remove_facts(source=outcomes_demo.PLAN_FACTS_SOURCE)
    plans_demo.remove_facts(source=subsidy_demo.PLAN_FACTS_SOURCE)
    demo_users = DemoUser.objects.values("user_id")
    get_user_model().objects.filter(pk__in=demo_users).update(organization=None)
    deleted: dict[str, int] = {}
    for block in DemoRows.objects.order_by("-id"):
        model = apps.get_model(block.model)
        n = bulk.delete_range(model, block.first_pk, block.last_pk)
        deleted[block.model] = deleted.get(block.model, 0) + n
    try:  # foreign keys are checked at commit; check now, to name the problem
        connection.check_constraints()
    except IntegrityError as exc:
        raise DemoError("Other records refer to demo data, so the demo province cannot be "
                        f"removed: {exc}") from exc
    builds = list(DemoBuild.objects.values_list("scale", "seed"))
    DemoBuild.objects.all().delete()
    audit.record(actor=None, action=AuditAction.DELETE, entity_type="demo.province",
                 label="demo province removed", region_code=PROVINCE_CODE,
                 before={"builds": builds, "deleted": deleted})
    return deleted


def reset_demo() -> dict[str, int]:
    """Remove the demo province (one transaction); a foreign key from other data stops it."""
    with transaction.atomic():
        return delete_demo()
