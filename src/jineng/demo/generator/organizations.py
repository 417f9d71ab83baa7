"""The first step: training institutions, enterprises and other organizations with their
sites, across the real region codes."""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal

from jineng.core.validators import (
    CREDIT_ALPHABET,
    make_credit_code,
)
from jineng.demo import bulk
from jineng.demo.generator.context import (
    DEMO_SOURCE,
    INSTITUTION_TYPE_WEIGHTS,
    SUSPENDED_SHARE,
    BuildContext,
    OrgRef,
)
from jineng.demo.geography import Geography, Place
from jineng.demo.names import BRANDS, SCHOOL_FIELDS, SECTORS, NameMaker
from jineng.registry.choices import (
    InstitutionType,
    OrganizationKind,
    OrganizationStatus,
)
from jineng.registry.models import (
    Organization,
    OrganizationStatusChange,
    TrainingSite,
)

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
