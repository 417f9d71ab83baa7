"""THE scope matrix: every role against every GET operation of the API and every page.

A fixed world — records in two cities (two counties of Guiyang, one of Zunyi) of Guizhou and in
Hunan: organizations of every kind and status, sites (one in another city than its institution,
one inactive), persons registered by institutions and by staff, status histories, training
classes (one ordered by an enterprise) with enrollments, catalogs and their versions, plans (a
province's, a city's, Hunan's) with targets, quarterly reports and facts naming institutions
(some trained outside their home county), assessment sittings and certificates, enterprise
demand lists with order-class proposals and referrals, training-wish posters and wishes, demand
forecasts, social-insurance imports with records and record links, an outcomes run with measures
and indicator cells (so rankings and scorecards show institutions), supervision's scan runs,
risk alerts (hence class and institution risk scores), sanctions, spot checks, inspections with
their files and exclusion-list entries, and audit events — is built
once per module. Then every viewer (every role, the anonymous public, and a see-everything
administrator as the positive control) walks:

(a) every GET operation of the OpenAPI document: list answers may only hold records the viewer
    may see (ids compared with `may_see`, an oracle written out below from region codes and
    organization ids, never by calling our selectors), and the administrator gets them all;
    detail answers are 200 for a record the viewer may see and otherwise exactly the answer for
    a missing record (status and body); a whole ID number in a URL is refused, and searching
    persons by one (POST, in the body) stays in scope;
(b) every named GET page of the app URL namespaces: detail pages 200 with the record when it is
    in scope, otherwise the same status as a missing record; no page ever shows a record the
    viewer may not see (each record carries a unique marker such as "#P03#" in its name, and
    persons their masked ID number); anonymous visitors are sent to the login page except on
    PUBLIC_PAGES. Answers that show everyone the public scope (PUBLIC_SCOPE: the public site, a
    poster's wish form) are judged as the anonymous public sees them;
(c) plan pages and operations asked about a region (`?region=`) answer for regions inside the
    plan and the viewer's branch and otherwise exactly like a missing region, and the
    dashboard's institution drill-down (`&org=`) opens only institutions the viewer may see.

No answer — JSON, HTML, CSV or xlsx — ever contains a whole ID number, for anyone. Operations and
pages are collected from the schema and the URL resolver at collection time, so new ones join
the matrix by themselves. In the areas the world models (MODELED_API, MODELED_PAGES) one the walk
cannot drive fails, saying what to add (a kind in SEGMENT_KIND / NAME_KIND, values in
PARAM_VALUES, or an entry in SKIP with its reason); elsewhere operations and pages without
arguments are walked for leaks and refusals, and those with arguments are skipped with the reason
printed (pytest -rs), until the world models their records.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from jineng.accounts.models import User
from jineng.config.api import api
from jineng.core import audit
from jineng.core.models import AuditEvent
from jineng.core.validators import make_resident_id
from jineng.registry.models import OrganizationStatusChange, Region
from tests import factories as f

pytestmark = pytest.mark.django_db

# 南明, 云岩 (贵阳); 红花岗 (遵义); 芙蓉 (长沙)
NM, YY, HHG, FR = "520102", "520103", "520302", "430102"
MISSING_PK = 987654321


# --- the world --------------------------------------------------------------------------------

@dataclass(eq=False)
class Rec:
    """One record of the world, as the oracle sees it: plain values, no querysets."""

    kind: str  # organization, site, person, statuschange, auditevent, trainingclass, enrollment
    key: str = ""  # unique marker carried in the record's name, e.g. "#O01#"
    pk: int = 0
    region: str = ""
    org: Rec | None = None  # owning (site, status change, class) or registering (person) org
    org_id: int | None = None  # the organization a record belongs to (for an org: itself)
    status: str = "listed"
    org_kind: str = ""
    active: bool = True
    masked: str = ""
    plain: str = ""
    parent: Rec | None = None  # the record a nested list hangs under (org, class)
    employer_id: int | None = None  # an order class's employer
    sector: str = ""
    refs: tuple[Rec, ...] = ()  # records a page of this one legitimately shows
    enrolled_with: set[int] = field(default_factory=set)  # a person's classes' institutions
    number: int = 0  # a catalog version's number within its catalog
    slug: str = ""  # the URL key of records addressed by key rather than id (plans)
    assessed_by: set[int] = field(default_factory=set)  # a person's sittings' evaluators
    evaluator_id: int | None = None  # a sitting's evaluator (and of what hangs under it)
    class_org_id: int | None = None  # the institution of a sitting's or certificate's class
    person: Rec | None = None  # a certificate's holder, a candidate, an examiner
    cert_number: str = ""  # a certificate's number
    institution_id: int | None = None  # an order-class proposal's institution

    @property
    def ref(self) -> str:
        """How URLs name this record: its key if it has one, else its id."""
        return self.slug or str(self.pk)

    @property
    def markers(self) -> set[str]:
        return {m for m in (self.key, self.masked) if m}

    @property
    def shown_with(self) -> set[str]:
        """Markers that legitimately appear next to this record (its org, its subject)."""
        shown = set(self.markers)
        for other in (self.org, self.parent, *self.refs):
            if other is not None:
                shown |= other.shown_with
        return shown


@dataclass
class World:
    records: dict[str, list[Rec]] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    # Each viewer's session cookie, logged in once with the world (outside the tests'
    # savepoints, so that it outlives them): a login per viewer per test cost the walk about a
    # tenth of its time.
    sessions: dict[str, str] = field(default_factory=dict)

    def add(self, rec: Rec) -> Rec:
        self.records.setdefault(rec.kind, []).append(rec)
        return rec

    def of(self, kind: str) -> list[Rec]:
        return self.records.get(kind, [])

    def org(self, key: str) -> Rec:
        return next(r for r in self.of("organization") if r.key == key)

    @cached_property
    def all_markers(self) -> set[str]:
        return {m for recs in self.records.values() for r in recs for m in r.markers}

    @cached_property
    def plain_ids(self) -> set[str]:
        return {r.plain for recs in self.records.values() for r in recs if r.plain}


ORGS = [  # key, county, kind, status
    ("#O01#", NM, "training", "listed"),
    ("#O02#", NM, "evaluation", "listed"),
    ("#O03#", NM, "enterprise", "listed"),
    ("#O04#", NM, "training", "suspended"),
    ("#O05#", YY, "training", "listed"),
    ("#O06#", YY, "evaluation", "listed"),
    ("#O07#", HHG, "training", "listed"),
    ("#O08#", HHG, "enterprise", "listed"),
    ("#O09#", FR, "training", "listed"),
    ("#O10#", FR, "enterprise", "listed"),
]
SITES = [  # key, organization, county, active
    ("#S01#", "#O01#", NM, True),
    ("#S02#", "#O01#", HHG, True),  # a Nanming institution training in Zunyi
    ("#S03#", "#O01#", NM, False),
    ("#S04#", "#O04#", NM, True),  # of a suspended institution
    ("#S05#", "#O05#", YY, True),
    ("#S06#", "#O07#", HHG, True),
    ("#S07#", "#O08#", HHG, True),  # an enterprise's own training room
    ("#S08#", "#O09#", FR, True),
]
PERSONS = [  # key, county lived in, registered by
    ("#P01#", NM, "#O01#"),
    ("#P02#", YY, "#O01#"),  # lives in Yunyan, registered by a Nanming institution
    ("#P03#", NM, None),  # registered by staff
    ("#P04#", YY, "#O05#"),
    ("#P05#", HHG, "#O07#"),
    ("#P06#", HHG, "#O08#"),
    ("#P07#", FR, "#O09#"),
    ("#P08#", NM, "#O06#"),  # registered by a Yunyan evaluation institution
]


@dataclass(frozen=True)
class Viewer:
    """A role as the oracle sees it. Prefixes are written out by hand on purpose."""

    name: str
    role: str | None  # None: the anonymous public
    region: str | None = None
    prefix: str = ""
    sees_persons: bool = False
    org_key: str | None = None
    everything: bool = False
    sector: str = ""  # an industry department's sector


VIEWERS = [
    Viewer("province", "province_staff", "520000", "52", sees_persons=True),
    Viewer("city", "city_staff", "520100", "5201", sees_persons=True),
    Viewer("county", "county_staff", NM, NM, sees_persons=True),
    Viewer("industry", "industry_staff", "520000", "52", sees_persons=False,
           sector="elderly_child_care"),
    Viewer("inspector", "inspector", "520300", "5203", sees_persons=True),
    Viewer("trainer", "training_operator", org_key="#O01#"),
    Viewer("evaluator", "evaluation_operator", org_key="#O06#"),
    Viewer("enterprise", "enterprise", org_key="#O08#"),
    Viewer("hunan", "province_staff", "430000", "43", sees_persons=True),
    Viewer("admin", "system_admin", everything=True),
    Viewer("anonymous", None),
]


CLASSES = [  # key, institution, site, status, sector, employer
    ("#C01#", "#O01#", "#S01#", "open", "elderly_child_care", None),
    ("#C02#", "#O01#", "#S02#", "declared", "digital_economy", None),  # class in Zunyi
    ("#C03#", "#O05#", "#S05#", "approved", "advanced_manufacturing", "#O03#"),  # order class
    ("#C04#", "#O07#", "#S06#", "declared", "elderly_child_care", None),
    ("#C05#", "#O09#", "#S08#", "open", "elderly_child_care", None),
]
ENROLLMENTS = [  # class, person
    ("#C01#", "#P01#"), ("#C01#", "#P02#"), ("#C02#", "#P03#"), ("#C03#", "#P04#"),
    ("#C04#", "#P05#"), ("#C05#", "#P07#"),
]


def build_training(world: World, orgs: dict) -> None:
    """Classes (region = the site's region) and enrollments, written directly as rows."""
    from jineng.registry.models import Occupation, SkillLevel
    from jineng.training.models import Enrollment, TrainingClass

    occupation = Occupation.objects.filter(code__isnull=False).order_by("pk").first()
    level = SkillLevel.objects.order_by("rank").first()
    sites = {r.key: r for r in world.of("site")}
    persons = {r.key: r for r in world.of("person")}
    classes = {}
    for key, org_key, site_key, status, sector, employer_key in CLASSES:
        site = sites[site_key]
        row = TrainingClass.objects.create(
            name=f"培训班{key}", institution=orgs[org_key], site_id=site.pk,
            region=f.region(site.region), occupation=occupation, level=level,
            training_type="employment", sector=sector, planned_size=30,
            funding_source="employment_subsidy", start_date=dt.date(2026, 3, 2),
            end_date=dt.date(2026, 3, 31), required_hours=30, min_attendance_share="0.8",
            status=status, order_form="order" if employer_key else "",
            employer=orgs[employer_key] if employer_key else None)
        employer = world.org(employer_key) if employer_key else None
        classes[key] = world.add(Rec(
            "trainingclass", key, row.pk, site.region, org=world.org(org_key),
            org_id=orgs[org_key].pk, status=status, sector=sector,
            employer_id=employer.pk if employer else None,
            refs=(site,) + ((employer,) if employer else ())))
    from jineng.training.models import Teacher

    for org_rec in world.of("organization"):
        if org_rec.org_kind == "training":
            teacher = Teacher.objects.create(organization_id=org_rec.pk,
                                             name=f"教师{org_rec.key.replace('#O', '#T')}")
            world.add(Rec("teacher", org_rec.key.replace("#O", "#T"), teacher.pk,
                          org_rec.region, org=org_rec, org_id=org_rec.pk))
    for class_key, person_key in ENROLLMENTS:
        cls, person = classes[class_key], persons[person_key]
        row = Enrollment.objects.create(training_class_id=cls.pk, person_id=person.pk)
        person.enrolled_with.add(cls.org_id)
        world.add(Rec("enrollment", "", row.pk, cls.region, org_id=cls.org_id, parent=cls,
                      refs=(person,)))


# Demand, matching (issue 14): demand lines of two enterprises (Nanming, Zunyi), order-class
# proposals with institutions near them, and referrals of finished trainees (培训就业直通车).
MATCH_LINES = [("#O03#", NM), ("#O08#", HHG)]  # enterprise, the list's region
PROPOSALS = [("#O03#", "#O01#"), ("#O03#", "#O05#"), ("#O08#", "#O07#")]  # line, institution
REFERRALS = [("#O03#", "#P01#"), ("#O08#", "#P05#")]  # line, person


def build_matching(world: World, orgs: dict) -> None:
    """Rows written directly (the services are tested in tests/demand/test_matching_*)."""
    from django.utils import timezone

    from jineng.demand.models import DemandLine, DemandList, OrderClassProposal, Referral
    from jineng.registry.models import Occupation

    occupation = Occupation.objects.filter(code__isnull=False).order_by("pk").first()
    lines = {}
    for ent_key, county in MATCH_LINES:
        lst = DemandList.objects.create(organization=orgs[ent_key], region=f.region(county),
                                        year=2031, quarter=4, status="accepted",
                                        sector="elderly_child_care")
        lines[ent_key] = (DemandLine.objects.create(
            demand_list=lst, occupation=occupation, headcount=5,
            needed_by=dt.date(2031, 12, 31), order_class_wanted=True), county)
    persons = {r.key: r for r in world.of("person")}
    for ent_key, inst_key in PROPOSALS:
        line, county = lines[ent_key]
        row = OrderClassProposal.objects.create(demand_line=line, institution=orgs[inst_key],
                                                reasons=[{"rule": "listed", "ok": True}])
        world.add(Rec("orderproposal", "", row.pk, county, org=world.org(ent_key),
                      org_id=orgs[ent_key].pk, institution_id=orgs[inst_key].pk,
                      refs=(world.org(inst_key),)))
    for ent_key, person_key in REFERRALS:
        line, county = lines[ent_key]
        person = persons[person_key]
        row = Referral.objects.create(person_id=person.pk, demand_line=line,
                                      consent_at=timezone.now())
        world.add(Rec("referral", "", row.pk, county, org=world.org(ent_key),
                      org_id=orgs[ent_key].pk, person=person, refs=(person,)))


MATCHING_KINDS = {"orderproposal", "referral"}


def may_see_matching_record(viewer: Viewer, rec: Rec, world: World) -> bool:
    """Matching (issue 14): an order-class proposal is seen by department staff of its demand
    list's region, its enterprise and its institution; a referral (a person's) by staff who
    read persons of the list's region and by its enterprise — never by the public."""
    if viewer.role is None:
        return False
    own = world.org(viewer.org_key).pk if viewer.org_key else None
    inside = bool(viewer.prefix) and rec.region.startswith(viewer.prefix)
    if rec.kind == "orderproposal":
        return inside or (own is not None and own in (rec.org_id, rec.institution_id))
    return (inside and viewer.sees_persons) or (own is not None and own == rec.org_id)



# Demand lists (issue 14): three enterprises' lists of the current quarter (Nanming, Zunyi,
# Hunan) with a marker in their alliance name, and every list the other demand areas made.
DEMAND_LISTS = [  # key, enterprise, county, status, sector
    ("#D01#", "#O03#", NM, "submitted", "elderly_child_care"),
    ("#D02#", "#O08#", HHG, "draft", "digital_economy"),
    ("#D03#", "#O10#", FR, "accepted", "elderly_child_care"),
]


def build_demand_lists(world: World, orgs: dict) -> None:
    """Rows written directly (the services are tested in tests/demand/test_lists_*); the lists
    other areas' builders made join the world too, without a marker."""
    from django.utils import timezone

    from jineng.demand.models import DemandLine, DemandList
    from jineng.demand.rules.demand_lists import quarter_bounds, quarter_of
    from jineng.registry.models import Occupation

    occupation = Occupation.objects.filter(code__isnull=False).order_by("pk").first()
    by_pk = {o.pk: k for k, o in orgs.items()}
    for row in DemandList.objects.select_related("region"):
        world.add(Rec("demandlist", "", row.pk, row.region.code, org=world.org(
            by_pk[row.organization_id]), org_id=row.organization_id, sector=row.sector))
    year, quarter = quarter_of(timezone.localdate())
    for key, ent_key, county, status, sector in DEMAND_LISTS:
        row = DemandList.objects.create(organization=orgs[ent_key], region=f.region(county),
                                        year=year, quarter=quarter, status=status,
                                        sector=sector, alliance_name=f"联盟{key}")
        line = DemandLine.objects.create(demand_list=row, occupation=occupation, headcount=7,
                                         needed_by=quarter_bounds(year, quarter)[1])
        parent = world.add(Rec("demandlist", key, row.pk, county, org=world.org(ent_key),
                               org_id=orgs[ent_key].pk, status=status, sector=sector))
        world.add(Rec("demandline", "", line.pk, county, org=world.org(ent_key),
                      org_id=orgs[ent_key].pk, sector=sector, parent=parent))


def may_see_demand_list(viewer: Viewer, rec: Rec, world: World) -> bool:
    """Demand lists (issue 14): department staff of the list's region (an industry department:
    its sector's lists only), and the filing enterprise; never the public."""
    if viewer.role is None:
        return False
    if viewer.prefix:
        return rec.region.startswith(viewer.prefix) and (
            not viewer.sector or rec.sector == viewer.sector)
    return viewer.org_key is not None and world.org(viewer.org_key).pk == rec.org_id

# Outcomes (issue 11): social-insurance imports of four regions with their records, record links
# (rows without a valid ID number; two with a candidate person) and one succeeded outcomes run
# with measures for the world's trainees and indicator cells for four institutions (the staff
# ranking, the scorecards and the catalog's quality panel read them).
IMPORTS = [("#I1#", "520000"), ("#I2#", "520100"), ("#I3#", "520300"), ("#I4#", "430000")]
LINKS = [  # key, county, candidate, import
    ("#W1#", NM, "#P01#", "#I2#"), ("#W2#", HHG, None, "#I3#"), ("#W3#", FR, "#P07#", "#I4#")]
RECORDS = [("#P01#", NM, "#I2#"), ("#P05#", HHG, "#I3#"), ("#P07#", FR, "#I4#")]
RANKED = {"#O01#": 0.71, "#O05#": 0.64, "#O07#": 0.52, "#O09#": 0.48}  # composite scores
OUTCOMES_KINDS = {"insuranceimport", "recordlink", "outcomerun", "scorecard"}


def build_outcomes(world: World, orgs: dict) -> None:
    """Rows written directly (the services and the job are tested in tests/outcomes)."""
    from decimal import Decimal

    from django.utils import timezone

    from jineng.core import pii
    from jineng.outcomes.models import (
        IndicatorValue,
        InsuranceImport,
        InsuranceRecord,
        OutcomeMeasure,
        OutcomeRun,
        RecordLink,
    )

    persons = {r.key: r for r in world.of("person")}
    imports = {}
    for n, (key, region) in enumerate(IMPORTS):
        row = InsuranceImport.objects.create(
            kind="records", source="file", filename=f"导入{key}.csv",
            content_sha256=f"{n:064d}", region=f.region(region), status="succeeded",
            total_rows=3, created=2, unlinked=1, finished_at=timezone.now(), seconds=0.1)
        imports[key] = world.add(Rec("insuranceimport", key, row.pk, region))
    for person_key, county, import_key in RECORDS:
        person = persons[person_key]
        InsuranceRecord.objects.create(
            id_hash=pii.keyed_hash(person.plain), person_id=person.pk,
            employer_code=f.credit_code_for(county, 7000), employer_region=f.region(county),
            month=dt.date(2026, 6, 1), pension=True, wage_base=Decimal("4200.00"),
            source_import_id=imports[import_key].pk)
    for n, (key, county, person_key, import_key) in enumerate(LINKS, start=1):
        person = persons[person_key] if person_key else None
        row = RecordLink.objects.create(
            source_import_id=imports[import_key].pk, row_number=n + 1,
            row_key=f"matrix-link-{n}", reason="missing", name=f"链接{key}",
            birth_date=dt.date(1980, 3, 1), region=f.region(county),
            payload={"employer_code": f.credit_code_for(county, 7100), "month": "2026-06",
                     "pension": True, "wage_base": "4000"},
            status="pending" if person else "unmatched",
            candidate_id=person.pk if person else None,
            match_probability=0.8 if person else None, match_weight=4.0 if person else None)
        world.add(Rec("recordlink", key, row.pk, county, parent=imports[import_key],
                      refs=(person,) if person else ()))
    for org_rec in world.of("organization"):  # a scorecard per institution, by its id
        world.add(Rec("scorecard", "", org_rec.pk, org_rec.region, parent=org_rec))
    now = timezone.now()
    run = OutcomeRun.objects.create(status="succeeded", started_at=now, finished_at=now,
                                    data_through=dt.date(2026, 9, 1), trainees=4)
    world.add(Rec("outcomerun", "", run.pk, ""))
    for rec in world.of("enrollment"):
        cls = rec.parent
        if cls.org.key not in RANKED:
            continue
        person = rec.refs[0]
        OutcomeMeasure.objects.create(
            run=run, enrollment_id=rec.pk, person_id=person.pk, training_class_id=cls.pk,
            institution_id=cls.org_id, region=f.region(cls.region),
            exit_date=dt.date(2026, 3, 31), completed=True, certified=True,
            employed_q2=True, employed_6m=True)
    for org_key, composite in RANKED.items():
        org = orgs[org_key]
        for indicator, value in (("composite", composite), ("employment", 0.6),
                                 ("pass_rate", 0.8)):
            IndicatorValue.objects.create(
                run=run, indicator=indicator, dimension="institution", key=str(org.pk),
                period="all", value=value, numerator=None if indicator == "composite" else
                value * 20, denominator=None if indicator == "composite" else 20.0,
                trainees=20, label=org.name)


def may_see_outcomes_record(viewer: Viewer, rec: Rec, world: World) -> bool:
    """Outcomes (issue 11): imports and record links (real-name rows) are read by staff who
    read persons of their region; a run (province-wide times and counts) by every department's
    staff; nobody outside the government. A training institution's scorecard is public while it
    is listed; an unlisted one is opened by whoever may read the institution (its staff, its
    own users)."""
    if rec.kind == "scorecard":
        org = rec.parent
        if org.org_kind != "training":
            return False
        return org.status == "listed" or (viewer.role is not None and may_see(viewer, org,
                                                                               world))
    if not viewer.prefix:
        return False
    if rec.kind == "outcomerun":
        return True
    return viewer.sees_persons and rec.region.startswith(viewer.prefix)


def ranked_markers(world: World) -> set[str]:
    """The institutions of the outcomes run: the staff ranking is province-wide by design
    (outcomes.selectors.ranking), so HRSS staff see every ranked institution's name."""
    return {m for key in RANKED for m in world.org(key).markers}


# Answers that show every viewer, signed in or not, the public scope (the public site, a
# poster's wish form): the oracle asks what the anonymous public may see, and what the public
# may see is no leak for anyone.
PUBLIC_SCOPE = {"portal:site_class", "portal:site_institution", "portal:site_institutions",
                "portal_class_search", "portal_class_get", "portal_site_map",
                "demand:wish_form", "demand:wish_thanks",
                # the public scorecard page (staff open an unlisted institution's on
                # outcomes:quality_scorecard, or through the API)
                "portal:scorecard"}
# Answers showing the outcomes run's institutions beyond the reader's region by design: the
# staff ranking (HRSS staff, province-wide) and the indicator cells (aggregates: government
# staff see every institution's, everyone else the public institutions').
RANKING_ANSWERS = {"outcomes:quality_ranking", "outcomes_ranking"}
ALL_CELLS_ANSWERS = {"outcomes_indicator_list"}


def oracle_viewer(name: str, viewer: Viewer) -> Viewer:
    """Whom the oracle asks about an answer named `name` (a page or an operation id)."""
    if name in PUBLIC_SCOPE:
        return next(v for v in VIEWERS if v.role is None)
    return viewer


def also_allowed(name: str, viewer: Viewer, world: World) -> set[str]:
    """Markers an answer named `name` may show the viewer besides its own scope."""
    public = next(v for v in VIEWERS if v.role is None)
    shown: set[str] = set()
    if name in PUBLIC_SCOPE:
        shown |= allowed_markers(public, world)
    if name in RANKING_ANSWERS and (viewer.everything or viewer.role in HRSS_VIEWER_ROLES):
        shown |= ranked_markers(world)
    if name in ALL_CELLS_ANSWERS:
        shown |= ranked_markers(world) if (viewer.prefix or viewer.everything) else (
            allowed_markers(public, world))
    return shown


HRSS_VIEWER_ROLES = {"province_staff", "city_staff", "county_staff"}


# Demand, wishes and forecasts (issue 14): QR posters (one out of use) and the wishes sent
# through them, with their real names; forecasts of two regions and their lines.
POSTERS = [("#X1#", NM, True), ("#X2#", HHG, True), ("#X3#", FR, True), ("#X4#", NM, False)]
WISHES = [("#U1#", "#X1#", NM), ("#U2#", "#X2#", HHG), ("#U3#", "#X3#", FR)]
FORECASTS = [("520100", "draft"), ("520300", "in_review"), ("430000", "draft")]
DEMAND_KINDS = {"poster", "postertoken", "wish", "forecast", "forecastline"}


def build_wishes_forecasts(world: World) -> None:
    """Rows written directly (the services are tested in tests/demand)."""
    from django.utils import timezone

    from jineng.core import pii
    from jineng.demand.models import (
        DemandForecast,
        ForecastLine,
        TrainingWish,
        WishMatch,
        WishPoster,
    )
    from jineng.registry.models import Occupation

    classes = {r.key: r for r in world.of("trainingclass")}

    occupation = Occupation.objects.filter(code__isnull=False).order_by("pk").first()
    posters = {}
    for key, county, active in POSTERS:
        row = WishPoster.objects.create(region=f.region(county), place_kind="community",
                                        place_name=f"张贴点{key}", is_active=active,
                                        created_by="matrix")
        posters[key] = world.add(Rec("poster", key, row.pk, county, active=active))
        world.add(Rec("postertoken", "", row.pk, county, active=active, slug=str(row.token),
                      refs=(posters[key],)))
    for n, (key, poster_key, county) in enumerate(WISHES):
        plain = make_resident_id(county, dt.date(1990 + n, 5, 2 + n), 300 + n)
        row = TrainingWish.objects.create(
            poster_id=posters[poster_key].pk, region=f.region(county),
            id_hash=pii.keyed_hash(plain), id_encrypted=pii.encrypt(plain),
            id_masked=pii.mask_id_number(plain), name=f"愿望{key}", phone="13800000000",
            consent_at=timezone.now(), consent_version="matrix")
        row.occupations.add(occupation)
        # The Nanming wish was matched to Nanming's open class (the matches it answers).
        cls = classes["#C01#"] if key == "#U1#" else None
        if cls is not None:
            WishMatch.objects.create(wish=row, training_class_id=cls.pk, score="0.9",
                                     distance_km="2.5", reasons=[{"rule": "distance"}])
        world.add(Rec("wish", key, row.pk, county, plain=plain, masked=row.id_masked,
                      refs=(posters[poster_key],) + ((cls,) if cls else ())))
    for region, status in FORECASTS:
        row = DemandForecast.objects.create(region=f.region(region), year=2031, quarter=1,
                                            method="moving_average", status=status,
                                            built_by="matrix")
        forecast = world.add(Rec("forecast", "", row.pk, region, status=status))
        line = ForecastLine.objects.create(forecast=row, occupation=occupation, predicted=5,
                                           supply=2, gap=3)
        world.add(Rec("forecastline", "", line.pk, region, parent=forecast))


def may_see_demand_record(viewer: Viewer, rec: Rec) -> bool:
    """Posters and forecasts: staff of the region (industry departments too); wishes (real
    names): staff who read persons of the region. A poster's form (its QR code) is public
    while the poster is in use (PUBLIC_SCOPE)."""
    if rec.kind == "postertoken":
        return rec.active
    if not viewer.prefix:
        return False
    inside = rec.region.startswith(viewer.prefix)
    if rec.kind == "wish":
        return inside and viewer.sees_persons
    return inside


# Assessment (issue 10): sittings in two cities and Hunan by three evaluators (one of them an
# enterprise evaluating its own staff), their candidates, examiners and status changes,
# certificates issued here (one revoked, one a training certificate of a class) and recorded
# from outside, evaluator codes and a signing key.
SITTINGS = [  # key, evaluator, county held in, class, status, route
    ("#G01#", "#O02#", NM, "#C01#", "results", "class_completed"),
    ("#G02#", "#O06#", YY, None, "approved", "social"),
    ("#G03#", "#O08#", HHG, None, "closed", "self_evaluation"),
    ("#G04#", "#O06#", HHG, None, "declared", "social"),  # a Yunyan evaluator in Zunyi
    ("#G05#", "#O10#", FR, None, "closed", "self_evaluation"),
]
CANDIDATES = [  # key (in the justification), sitting, person
    ("#N01#", "#G01#", "#P01#"), ("#N02#", "#G01#", "#P02#"), ("#N03#", "#G02#", "#P08#"),
    ("#N04#", "#G02#", "#P04#"), ("#N05#", "#G03#", "#P06#"), ("#N06#", "#G04#", "#P05#"),
    ("#N07#", "#G05#", "#P07#"),
    ("#N08#", "#G01#", "#P08#"),  # a social candidate in a class's sitting: not a trainee
]
EXAMINERS = [("#G01#", "#P03#"), ("#G03#", "#P06#"), ("#G05#", "#P07#")]  # sitting, person
CERTIFICATES = [  # key, candidate (None: a class's training certificate), issuer, county, status
    ("#E01#", "#N01#", "#O02#", NM, "valid"),
    ("#E02#", "#N03#", "#O06#", YY, "valid"),
    ("#E03#", "#N05#", "#O08#", HHG, "revoked"),
    ("#E04#", "#N07#", "#O10#", FR, "valid"),
    ("#E05#", None, "#O01#", NM, "valid"),  # training certificate of #C01# for #P02#
]
OUTSIDE = [  # key, holder, county recorded in, origin, verified
    ("#F01#", "#P03#", NM, "other_province", True),
    ("#F02#", "#P05#", HHG, "national", False),
    ("#F03#", "#P07#", FR, "legacy", True),
]


def certificate_number(n: int, province: str) -> str:
    """A well-formed skill-level number (人社鉴发〔2019〕2号) of a province-filed evaluator."""
    from jineng.assessment.rules import numbering

    return numbering.skill_level_number(numbering.skill_level_prefix(
        category="S", evaluator_code=None, province=province, site_code=f"{n:06d}",
        year=2026, level_code="grade5"), n)


def build_assessment(world: World, orgs: dict) -> None:
    """Assessment records as rows (the services are tested on their own); issued certificates
    signed by the signing service, so their files and pages are real."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from jineng.assessment.models import (
        AssessmentSitting,
        Candidate,
        Certificate,
        CertificateStatusChange,
        EvaluatorCode,
        SigningKey,
        SittingExaminer,
        SittingStatusChange,
    )
    from jineng.assessment.rules import documents
    from jineng.assessment.services import certificates_sign_bulk
    from jineng.core import pii
    from jineng.registry.models import Occupation, Person, SkillLevel

    occupation = Occupation.objects.filter(code__isnull=False).order_by("pk").first()
    level = SkillLevel.objects.get(code="grade5")
    classes = {r.key: r for r in world.of("trainingclass")}
    persons = {r.key: r for r in world.of("person")}
    private = Ed25519PrivateKey.generate()
    SigningKey.objects.create(
        key_id="matrix-key", public_key=documents.b64_std(private.public_key().public_bytes_raw()),
        private_key_encrypted=pii.encrypt(documents.b64_std(private.private_bytes_raw())),
        valid_from=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    for n, org_key in enumerate(sorted({s[1] for s in SITTINGS})):
        code = EvaluatorCode.objects.create(
            organization=orgs[org_key], letter="Y" if world.org(org_key).org_kind ==
            "enterprise" else "S", filed_with="province", site_code=f"{900 + n:06d}")
        owner = world.org(org_key)
        world.add(Rec("evaluatorcode", "", code.pk, owner.region, org=owner, org_id=owner.pk))
    sittings = {}
    for key, org_key, county, class_key, status, route in SITTINGS:
        cls = classes[class_key] if class_key else None
        row = AssessmentSitting.objects.create(
            evaluator=orgs[org_key], occupation=occupation, level=level, route=route,
            training_class_id=cls.pk if cls else None, region=f.region(county),
            place=f"考场{key}", work_type=f"方向{key}", sitting_date=dt.date(2026, 4, 20),
            status=status, declared_by="matrix")
        evaluator = world.org(org_key)
        rec = sittings[key] = world.add(Rec(
            "sitting", key, row.pk, county, org=evaluator, org_id=evaluator.pk, status=status,
            evaluator_id=evaluator.pk, class_org_id=cls.org_id if cls else None,
            refs=(cls,) if cls else ()))
        change_key = key.replace("#G", "#J")
        change = SittingStatusChange.objects.create(
            sitting=row, action="declare", to_status="declared", reason=f"状态{change_key}",
            actor_username="matrix")
        world.add(Rec("sittingstatuschange", change_key, change.pk, county, parent=rec,
                      evaluator_id=evaluator.pk))
    routes = {key: route for key, *_rest, route in SITTINGS}
    candidates = {}
    for key, sitting_key, person_key in CANDIDATES:
        sitting, person = sittings[sitting_key], persons[person_key]
        # A trainee of the sitting's class sits it with that enrollment; others come alone.
        enrollment = next((r for r in world.of("enrollment") if person in r.refs
                           and sitting.refs and r.parent is sitting.refs[0]), None)
        row = Candidate.objects.create(
            sitting_id=sitting.pk, person_id=person.pk, route=routes[sitting_key]
            if enrollment or not sitting.refs else "social",
            enrollment_id=enrollment.pk if enrollment else None,
            justification=f"理由{key}", theory_score="80", practical_score="75", passed=True)
        person.assessed_by.add(sitting.evaluator_id)
        candidates[key] = world.add(Rec(
            "candidate", key, row.pk, sitting.region, parent=sitting, person=person,
            evaluator_id=sitting.evaluator_id,
            class_org_id=enrollment.org_id if enrollment else None, refs=(person,)))
    for sitting_key, person_key in EXAMINERS:
        sitting, person = sittings[sitting_key], persons[person_key]
        row = SittingExaminer.objects.create(
            sitting_id=sitting.pk, person_id=person.pk,
            id_hash=Person.objects.get(pk=person.pk).id_hash)
        world.add(Rec("examiner", "", row.pk, sitting.region, parent=sitting, person=person,
                      evaluator_id=sitting.evaluator_id, refs=(person,)))
    issued = []
    for n, (key, candidate_key, org_key, county, status) in enumerate(CERTIFICATES, start=1):
        candidate = candidates[candidate_key] if candidate_key else None
        person = candidate.person if candidate else persons["#P02#"]
        cls = None if candidate else classes["#C01#"]
        issuer = world.org(org_key)
        revoked = status == "revoked"
        row = Certificate.objects.create(
            kind="skill_level" if candidate else "training",
            number=certificate_number(n, county[:2]), person_id=person.pk,
            holder_name=Person.objects.get(pk=person.pk).name, occupation=occupation,
            level=level if candidate else None, work_type=f"方向{key}",
            title="" if candidate else f"项目{key}", training_class_id=cls.pk if cls else None,
            issuer=orgs[org_key], issuer_name=f"机构{org_key}", region=f.region(county),
            issued_on=dt.date(2026, 4, 30), candidate_id=candidate.pk if candidate else None,
            status=status, revoked_on=dt.date(2026, 5, 9) if revoked else None,
            revocation_reason="fraud" if revoked else "")
        issued.append(row.pk)
        rec = world.add(Rec(
            "certificate", key, row.pk, county, org=issuer, org_id=issuer.pk, status=status,
            person=person, class_org_id=cls.org_id if cls else None,
            parent=candidate.parent if candidate else None, cert_number=row.number,
            refs=(person, cls) if cls else (person,)))
        if revoked:
            change = CertificateStatusChange.objects.create(
                certificate=row, action="revoke", from_status="valid", to_status="revoked",
                reason=f"撤销{key.replace('#E', '#R')}", actor_username="matrix",
                effective_date=dt.date(2026, 5, 9))
            world.add(Rec("certstatuschange", key.replace("#E", "#R"), change.pk, county,
                          parent=rec, org_id=issuer.pk))
    certificates_sign_bulk(Certificate.objects.filter(pk__in=issued).select_related(
        "person", "occupation", "level", "issuer", "region"))
    for n, (key, person_key, county, origin, verified) in enumerate(OUTSIDE, start=1):
        person = persons[person_key]
        row = Certificate.objects.create(
            kind="skill_level", origin=origin, verified=verified,
            number=f"{origin[:1].upper()}{n:021d}", person_id=person.pk,
            holder_name=Person.objects.get(pk=person.pk).name, occupation=occupation,
            level=level, work_type=f"方向{key}", issuer_name=f"外省机构{key}",
            region=f.region(county), issued_on=dt.date(2024, 6, 1), recorded_by="matrix")
        world.add(Rec("outsidecertificate", key, row.pk, county, person=person,
                      status="valid", cert_number=row.number, refs=(person,)))


CATALOGS = [  # key, region, kind, base, versions: (key, number, status)
    ("#K1#", "520000", "subsidy_standard", None,
     [("#V1#", 1, "published"), ("#V2#", 2, "draft")]),
    ("#K2#", "520300", "subsidy_standard", "#K1#", [("#V3#", 1, "draft")]),  # Zunyi supplement
    ("#K3#", "430000", "training_institution", None, [("#V4#", 1, "review")]),
]


def build_catalogs(world: World) -> None:
    """Catalogs and versions as rows: published ones are public, drafts stay with the staff
    governing the issuing region."""
    from jineng.catalog.models import Catalog, CatalogVersion

    made = {}
    for key, region, kind, base_key, versions in CATALOGS:
        row = Catalog.objects.create(kind=kind, region=f.region(region), title=f"目录{key}",
                                     base_id=made[base_key].pk if base_key else None)
        rec = made[key] = world.add(Rec(
            "catalog", key, row.pk, region,
            status="published" if any(v[2] == "published" for v in versions) else "draft",
            refs=(made[base_key],) if base_key else ()))
        for v_key, number, status in versions:
            version = CatalogVersion.objects.create(
                catalog=row, number=number, status=status, effective_from=dt.date(2025, 1, 1),
                change_note=f"说明{v_key}",
                published_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC) if status == "published"
                else None)
            world.add(Rec("catalogversion", v_key, version.pk, region, status=status,
                          parent=rec, number=number))


PLANS = [  # key, URL key, region: the Guizhou pack loaded for a province, a city and Hunan
    ("#L1#", "matrix-gz", "520000"),
    ("#L2#", "matrix-gy", "520100"),  # a city's own plan (Guiyang)
    ("#L3#", "matrix-hn", "430000"),
]
REPORTS = [  # key, plan, region of the reporting department
    ("#Q1#", "#L1#", "520100"),
    ("#Q2#", "#L1#", "520300"),
    ("#Q3#", "#L1#", "520000"),
    ("#Q4#", "#L2#", NM),
    ("#Q5#", "#L3#", "430100"),
]
FACTS = [  # county, institution: a day's trainees, so county dashboards list institutions
    (NM, "#O01#"), (YY, "#O05#"), (HHG, "#O01#"),  # #O01# trains in Zunyi too (#S02#)
    (HHG, "#O07#"), (FR, "#O09#"), (NM, None),
    (HHG, "#O05#"),  # a Yunyan institution training in Zunyi, with nothing else there
]
# Regions a plan page or operation may be asked about (`?region=`), and one that is missing.
REGION_QUERY = [NM, YY, HHG, FR, "520100", "520300", "520000", "430000", "430100"]
MISSING_REGION = "999999"


def build_plans(world: World, orgs: dict) -> None:
    """Plans (the Guizhou pack loaded three times), one target each as a record of its own,
    quarterly reports carrying their marker in the summary, and facts naming institutions."""
    from jineng.plans import services as plans
    from jineng.plans.models import Plan as PlanRow
    from jineng.plans.models import QuarterlyReport
    made = {}
    for key, slug, region in PLANS:
        row = plans.plan_install_shipped(pack="guizhou-2025-2027", region=f.region(region),
                                         key=slug)
        PlanRow.objects.filter(pk=row.pk).update(title=f"计划{key}", short_title=f"计划{key}")
        made[key] = world.add(Rec("plan", key, row.pk, region, slug=slug))
        world.add(Rec("target", "", row.targets.get(key="total").pk, region, parent=made[key],
                      slug="total"))
    for key, plan_key, region in REPORTS:
        plan = made[plan_key]
        report = plans.report_prepare_system(plan=PlanRow.objects.get(pk=plan.pk),
                                             region=f.region(region), year=2025, quarter=4)
        QuarterlyReport.objects.filter(pk=report.pk).update(summary=f"报告{key}")
        world.add(Rec("quarterlyreport", key, report.pk, region, parent=plan))
    plans.actual_facts_add_many(actor=None, source="matrix", facts=[
        plans.FactInput(metric="person_times_trained", day=dt.date(2025, 6, 2), region_code=c,
                        organization_id=orgs[o].pk if o else None, value=3 + n)
        for n, (c, o) in enumerate(FACTS)])


# Subsidy (issue 12): claims in every region of the world (one of a Nanming institution for a
# class it held in Zunyi, one of an enterprise, one without claimant), budgets, parameter sets
# (the national default and Hunan's published, drafts of a province and two cities) and
# payment batches holding claims of their region; imported history of two persons.
CLAIMS = [  # key, kind, person, claimant, county reviewing it, status
    ("#C1#", "training", "#P01#", "#O01#", NM, "submitted"),
    ("#C2#", "training", "#P04#", "#O05#", YY, "in_payment"),
    ("#C3#", "training", "#P05#", "#O07#", HHG, "in_payment"),
    ("#C4#", "training", "#P07#", "#O09#", FR, "in_payment"),
    ("#C5#", "certificate", "#P03#", None, NM, "approved"),
    ("#C6#", "training", "#P02#", "#O01#", HHG, "draft"),  # held at #S02#, in Zunyi
    ("#C7#", "apprenticeship", "#P06#", "#O08#", HHG, "returned"),  # an enterprise's
]
BUDGETS = [("#B1#", "520100"), ("#B2#", NM), ("#B3#", "520300"), ("#B4#", "430000")]
PARAMETER_SETS = [  # key, region ("" the national default), status
    ("#M1#", "", "published"), ("#M2#", "520000", "draft"), ("#M3#", "520100", "draft"),
    ("#M4#", "520300", "draft"), ("#M5#", "430000", "published"),
]
BATCHES = [("#Y1#", "520100", ("#C2#",)), ("#Y2#", "520300", ("#C3#",)),
           ("#Y3#", "430100", ("#C4#",))]
SUBSIDY_HISTORY = [("#E1#", "#P01#", NM), ("#E2#", "#P07#", FR)]  # key, person, region
SUBSIDY_KINDS = {"subsidyclaim", "budget", "parameterset", "paymentbatch", "historicsubsidy"}


def build_subsidy(world: World, orgs: dict) -> None:
    from jineng.core import pii
    from jineng.subsidy.models import (
        Budget,
        HistoricSubsidy,
        ParameterSet,
        PaymentBatch,
        PaymentItem,
        SubsidyClaim,
    )
    from jineng.subsidy.rules import parameters as loader

    persons = {r.key: r for r in world.of("person")}
    claims = {}
    for key, kind, person_key, org_key, county, status in CLAIMS:
        person = persons[person_key]
        row = SubsidyClaim.objects.create(
            kind=kind, person_id=person.pk, organization=orgs[org_key] if org_key else None,
            region=f.region(county), payee_kind="institution" if org_key else "person",
            payee_name=f"收款{key}", claim_date=dt.date(2026, 6, 1), amount="800.00",
            fund_source="employment_subsidy", status=status)
        org = world.org(org_key) if org_key else None
        claims[key] = world.add(Rec("subsidyclaim", key, row.pk, county, org=org,
                                    org_id=org.pk if org else None, status=status,
                                    refs=(person,)))
    for n, (key, region) in enumerate(BUDGETS):
        row = Budget.objects.create(source="employment_subsidy", region=f.region(region),
                                    year=2026, amount=100_000 + n, note=f"预算{key}")
        world.add(Rec("budget", key, row.pk, region))
    national = (loader.PARAMETERS_DIR / "national.yaml").read_text(encoding="utf-8")
    raw = loader.check_parameters(national).raw
    for key, region, status in PARAMETER_SETS:
        row = ParameterSet.objects.create(
            region=f.region(region) if region else None, version=f"matrix{key}",
            valid_from=dt.date(2024, 1, 1), status=status, yaml_text=national,
            parsed=raw.to_json())
        world.add(Rec("parameterset", key, row.pk, region, status=status))
    for key, region, claim_keys in BATCHES:
        # An exported batch holds its bank file (what every later export answers).
        bank_file = "序号,转账参考号\n1,REF-1\n".encode()
        row = PaymentBatch.objects.create(region=f.region(region),
                                          fund_source="employment_subsidy",
                                          reference=f"批次{key}", status="exported",
                                          count=len(claim_keys), total="800.00",
                                          file_csv=bank_file,
                                          file_sha256=hashlib.sha256(bank_file).hexdigest())
        for claim_key in claim_keys:
            PaymentItem.objects.create(
                batch=row, claim_id=claims[claim_key].pk, reference=f"{key}-{claim_key}",
                amount="800.00", payee_name=f"收款{claim_key}",
                account_encrypted=pii.encrypt("6222021234567890123"),
                account_masked="6222***********0123", bank_name="银行")
        world.add(Rec("paymentbatch", key, row.pk, region,
                      refs=tuple(claims[k] for k in claim_keys)))
    for key, person_key, region in SUBSIDY_HISTORY:
        person = persons[person_key]
        row = HistoricSubsidy.objects.create(
            province_code=region[:2] + "0000", claim_number=f"旧{key}",
            id_hash=pii.keyed_hash(person.plain), id_masked=person.masked,
            name=f"姓名{person_key}", kind="certificate", region=f.region(region),
            claim_date=dt.date(2026, 1, 10), amount="500.00", status="paid",
            content_hash=key)
        world.add(Rec("historicsubsidy", key, row.pk, region, refs=(person,)))


def may_see_subsidy_record(viewer: Viewer, rec: Rec, world: World) -> bool:
    """Subsidy (issue 12). Claims are personal: HRSS staff and inspectors (who read persons)
    of the region subtree reviewing the claim, and the claimant organization. Budgets are
    money, not persons: any department staff of the region subtree. Published parameter sets
    (and the national default) are public policy; a draft stays with the staff of its region's
    subtree and, for a province's draft, with every department of that province. Payment
    batches and the imported history: staff who read persons, of the region subtree."""
    if viewer.role is None:
        return rec.kind == "parameterset" and rec.status == "published"

    def inside(code: str) -> bool:
        return bool(viewer.prefix) and code.startswith(viewer.prefix)

    own = world.org(viewer.org_key).pk if viewer.org_key else None
    if rec.kind == "subsidyclaim":
        return (viewer.sees_persons and inside(rec.region)) or (
            own is not None and rec.org_id == own)
    if rec.kind == "budget":
        return inside(rec.region)
    if rec.kind == "parameterset":
        if rec.status == "published" or not rec.region:
            return True
        province_draft = rec.region.endswith("0000") and viewer.prefix[:2] == rec.region[:2]
        return inside(rec.region) or (bool(viewer.prefix) and province_draft)
    if rec.kind in ("paymentbatch", "historicsubsidy"):
        return viewer.sees_persons and inside(rec.region)
    return False


# Supervision (issue 13): two scan runs (the scan covers the whole province) and risk alerts
# about institutions and their classes in three counties (Nanming, Zunyi's Honghuagang, Hunan's
# Furong), hence a risk score per class and per institution; sanctions, spot checks (one of the
# city of Guiyang), inspections (巡查) with their files, and exclusion-list entries (one of the
# province) of the same regions.
RUNS = ["#W1#", "#W2#"]
ALERTS = [("#R1#", "#O01#", "#C01#", NM), ("#R2#", "#O07#", "#C04#", HHG),
          ("#R3#", "#O09#", "#C05#", FR)]
SANCTIONS = [  # key, on whom (an organization or a person), region
    ("#SA1#", "#O01#", NM), ("#SA2#", "#P05#", HHG), ("#SA3#", "#O09#", FR)]
SPOT_CHECKS = [("#SP1#", NM), ("#SP2#", "520100"), ("#SP3#", HHG), ("#SP4#", FR)]
INSPECTIONS = [  # key, region, the alert or spot check it follows, its files
    ("#IN1#", NM, "#R1#", ["#IF1#"]), ("#IN2#", HHG, "#R2#", ["#IF2#"]),
    ("#IN3#", FR, "#SP4#", ["#IF3#"])]
EXCLUSIONS = [("#XL1#", NM), ("#XL2#", HHG), ("#XL3#", FR), ("#XL4#", "520000")]
SUPERVISION_KINDS = {"riskrun", "riskalert", "classrisk", "institutionrisk", "sanction",
                     "spotcheck", "inspection", "inspectionfile", "exclusionentry"}
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 64


def build_supervision(world: World) -> None:
    from jineng.core import pii
    from jineng.supervision.models import (
        ExclusionListEntry,
        Inspection,
        InspectionFile,
        RiskAlert,
        RiskRun,
        Sanction,
        SpotCheck,
    )

    runs = []
    for key in RUNS:
        row = RiskRun.objects.create(status="failed", error=f"运行{key}")
        runs.append(row)
        world.add(Rec("riskrun", key, row.pk))
    alerts = {}
    for key, org_key, class_key, county in ALERTS:
        org = world.org(org_key)
        klass = next(r for r in world.of("trainingclass") if r.key == class_key)
        row = RiskAlert.objects.create(
            rule_code="R01", severity="high", subject_kind="institution", subject_ref=key,
            institution_id=org.pk, training_class_id=klass.pk, region=f.region(county),
            evidence={}, dedup_key=key, first_run=runs[0], last_run=runs[-1])
        alert = alerts[key] = world.add(Rec("riskalert", key, row.pk, county, org=org,
                                            org_id=org.pk))
        # The risk score of the class and of the institution the alert is about (one alert
        # each): addressed by the class's and the institution's id; no marker of their own.
        world.add(Rec("classrisk", "", klass.pk, county, refs=(alert,)))
        world.add(Rec("institutionrisk", "", org.pk, county, refs=(alert,)))
    persons = {r.key: r for r in world.of("person")}
    for key, whom, county in SANCTIONS:
        target = persons[whom] if whom.startswith("#P") else world.org(whom)
        row = Sanction.objects.create(
            kind="bar" if target.kind == "person" else "suspend", region=f.region(county),
            organization_id=target.pk if target.kind == "organization" else None,
            person_id=target.pk if target.kind == "person" else None,
            valid_from=dt.date(2026, 1, 5), reason=f"处罚{key}", imposed_by="matrix")
        world.add(Rec("sanction", key, row.pk, county, refs=(target,)))
    for key, region in SPOT_CHECKS:
        row = SpotCheck.objects.create(
            population="class", region=f.region(region), seed=f"抽查{key}", confidence=0.95,
            margin=0.05, population_size=1, sample_size=1, items=[], parameters={"frame": []},
            created_by="matrix")
        world.add(Rec("spotcheck", key, row.pk, region))
    spot_recs = {r.key: r for r in world.of("spotcheck")}
    uploader = f.UserFactory(username="matrix-uploader", role="inspector",
                             region=f.region("520300"))
    for key, county, alert_key, files in INSPECTIONS:
        of = alerts.get(alert_key) or spot_recs[alert_key]
        row = Inspection.objects.create(
            mode="onsite", region=f.region(county), planned_for=dt.date(2026, 7, 1),
            alert_id=of.pk if of.kind == "riskalert" else None,
            spot_check_id=of.pk if of.kind == "spotcheck" else None, item_id=None,
            findings=f"巡查{key}", inspector="matrix")
        inspection = world.add(Rec("inspection", key, row.pk, county, refs=(of,)))
        for n, file_key in enumerate(files):
            data = JPEG + file_key.encode() + bytes([n])
            file = InspectionFile.objects.create(
                inspection=row, kind="photo", name=f"照片{file_key}.jpg",
                content_type="image/jpeg", size=len(data),
                sha256=hashlib.sha256(data).hexdigest(), content=data, uploaded_by=uploader)
            world.add(Rec("inspectionfile", file_key, file.pk, county, parent=inspection))
    for n, (key, region) in enumerate(EXCLUSIONS):
        plain = make_resident_id(region, dt.date(1960 + n, 5, 1 + n), 900 + n)
        row = ExclusionListEntry.objects.create(
            list_kind="pension", region=f.region(region), id_hash=pii.keyed_hash(plain),
            id_encrypted=pii.encrypt(plain), id_masked=pii.mask_id_number(plain),
            name=f"名单{key}", valid_from=dt.date(2025, 1, 1), content_hash=key,
            source="matrix")
        world.add(Rec("exclusionentry", key, row.pk, region, masked=row.id_masked,
                      plain=plain))


def may_see_supervision_record(viewer: Viewer, rec: Rec) -> bool:
    """Supervision (issue 13). Alerts are the inspectors' queue: inspectors and HRSS staff (who
    read persons) of the alert's region subtree, never the institution concerned, never the
    public. A scan run covers the whole province: any staff who read persons. A class's or an
    institution's risk score is read by those who see an alert about it (each here has one, of
    its region). Sanctions, spot checks, inspections and exclusion-list entries: the same
    inspectors and HRSS staff of the record's region subtree (a city's spot check or the
    province's list: not a county's staff); an inspection's files as the inspection.
    Industry departments (no persons), organizations and the public: none of them."""
    if not (viewer.prefix and viewer.sees_persons):
        return False
    if rec.kind == "riskrun":
        return True
    return rec.region.startswith(viewer.prefix)


def build_world() -> World:
    world = World()
    orgs = {}
    for n, (key, county, kind, status) in enumerate(ORGS):
        org = orgs[key] = f.OrganizationFactory(
            name=f"机构{key}", kind=kind, status=status, region=f.region(county),
            institution_type="private_training" if kind == "training" else "",
            credit_code=f.credit_code_for(county, 9000 + n))
        rec = world.add(Rec("organization", key, org.pk, county, org_id=org.pk, status=status,
                            org_kind=kind))
        rec.org = None
        change = OrganizationStatusChange.objects.create(
            organization=org, to_status=status, effective_date=dt.date(2025, 1, 1),
            reason=f"登记{key.replace('O', 'H')}")
        world.add(Rec("statuschange", key.replace("O", "H"), change.pk, county, org=rec,
                      org_id=org.pk, parent=rec))
    for key, org_key, county, active in SITES:
        owner = world.org(org_key)
        site = f.SiteFactory(organization=orgs[org_key], name=f"教学点{key}",
                             region=f.region(county), is_active=active)
        world.add(Rec("site", key, site.pk, county, org=owner, org_id=owner.pk, active=active))
    for n, (key, county, org_key) in enumerate(PERSONS):
        plain = make_resident_id(county, dt.date(1980 + n, 3, 1 + n), 100 + n)
        owner = world.org(org_key) if org_key else None
        person = f.PersonFactory(plain_id=plain, name=f"姓名{key}", region=f.region(county),
                                 registered_by_id=owner.pk if owner else None)
        world.add(Rec("person", key, person.pk, county, org=owner,
                      org_id=owner.pk if owner else None, masked=person.id_masked,
                      plain=plain))
    build_training(world, orgs)
    build_assessment(world, orgs)
    build_catalogs(world)
    build_plans(world, orgs)
    build_matching(world, orgs)
    build_demand_lists(world, orgs)
    build_outcomes(world, orgs)
    build_wishes_forecasts(world)
    build_subsidy(world, orgs)
    build_supervision(world)
    # One audit event per record, as the services write them (region and organization of the
    # record), each with its own marker in the reason.
    from django.apps import apps

    for kind, model in (("organization", "registry.Organization"),
                        ("site", "registry.TrainingSite"), ("person", "registry.Person"),
                        ("trainingclass", "training.TrainingClass")):
        for rec in list(world.of(kind)):
            instance = apps.get_model(model).objects.get(pk=rec.pk)
            key = rec.key.replace(rec.key[1], "A", 1)
            event = audit.record(actor=None, action="create", instance=instance,
                                 after=audit.snapshot(instance), reason=f"审计{key}")
            world.add(Rec("auditevent", key, event.pk, event.region_code,
                          org_id=event.organization_id, refs=(rec,)))
    for viewer in VIEWERS:
        if viewer.role is None:
            continue
        kw = {"username": f"matrix-{viewer.name}", "role": viewer.role}
        if viewer.region:
            kw["region"] = f.region(viewer.region)
        if viewer.org_key:
            kw["organization_id"] = world.org(viewer.org_key).pk
        if viewer.role == "industry_staff":
            kw["sector"] = viewer.sector
        world.users[viewer.name] = f.UserFactory(**kw)
        client = Client()
        client.force_login(world.users[viewer.name])
        world.sessions[viewer.name] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction rolled back at its end; each test runs in
    its own savepoint inside it."""
    with django_db_blocker.unblock():
        assert Region.objects.filter(code__in=[NM, YY, HHG, FR]).count() == 4
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def public_rate_limits(settings):
    """The public site's pages and API are rate-limited per client address (tested in
    tests/portal/test_site.py); the walk sends more than a visitor would."""
    settings.JINENG_PORTAL_RATE_LIMITS = {"portal.site.api": (1_000_000, 60),
                                          "portal.site.page": (1_000_000, 60)}


# --- the oracle -------------------------------------------------------------------------------

def may_see(viewer: Viewer, rec: Rec, world: World) -> bool:
    """Who may read what, stated plainly (DESIGN.md "Scope"; issue 2)."""
    if viewer.everything:  # (an institution's scorecard: training institutions have one)
        return rec.kind != "scorecard" or rec.parent.org_kind == "training"
    kind = rec.kind
    if kind in ("catalog", "catalogversion"):
        # Published catalogs are public documents; drafts and filings stay with the
        # departments governing the issuing region (any department staff, not organizations).
        published = rec.status in ("published", "superseded")
        return published or (bool(viewer.prefix) and rec.region.startswith(viewer.prefix))
    if kind in ("plan", "target", "quarterlyreport"):
        return may_see_plan_record(viewer, rec)
    if kind in ASSESSMENT_KINDS:
        return may_see_assessment_record(viewer, rec, world)
    if kind in ("demandlist", "demandline"):  # a line: as its list
        return may_see_demand_list(viewer, rec, world)
    if kind in MATCHING_KINDS:
        return may_see_matching_record(viewer, rec, world)
    if kind in OUTCOMES_KINDS:
        return may_see_outcomes_record(viewer, rec, world)
    if kind in DEMAND_KINDS:
        return may_see_demand_record(viewer, rec)
    if kind in SUBSIDY_KINDS:
        return may_see_subsidy_record(viewer, rec, world)
    if kind in SUPERVISION_KINDS:
        return may_see_supervision_record(viewer, rec)
    if viewer.role is None:  # the public: listed institutions (not enterprises), their sites
        if kind == "organization":
            return rec.status == "listed" and rec.org_kind != "enterprise"
        if kind == "site":
            return (rec.active and rec.org.status == "listed"
                    and rec.org.org_kind != "enterprise")
        if kind == "trainingclass":  # the training map: approved and open classes
            return rec.status in ("approved", "open")
        return False
    if viewer.prefix:  # department staff: their region's subtree
        def inside(code: str) -> bool:
            return code.startswith(viewer.prefix)

        if kind == "organization":
            return inside(rec.region)
        if kind == "site":  # sites in the region, and all sites of institutions governed
            return inside(rec.region) or inside(rec.org.region)
        if kind == "statuschange":
            return inside(rec.org.region)
        if kind in ("person", "auditevent", "enrollment"):  # industry departments: no persons
            return viewer.sees_persons and inside(rec.region)
        if kind == "teacher":  # the teachers of institutions in the region
            return inside(rec.org.region)
        if kind == "trainingclass":  # an industry department: its sector's classes only
            return inside(rec.region) and (not viewer.sector or rec.sector == viewer.sector)
        return False
    if viewer.org_key:  # an organization's users: their own records
        own = world.org(viewer.org_key).pk
        if kind == "trainingclass" and rec.employer_id == own:  # a class ordered by it
            return True
        if kind == "person" and own in rec.enrolled_with:  # a trainee of its classes
            return True
        if kind == "person" and own in rec.assessed_by:  # a candidate of its sittings
            return True
        return rec.org_id is not None and rec.org_id == own
    return False


ASSESSMENT_KINDS = {"sitting", "sittingstatuschange", "candidate", "examiner", "evaluatorcode",
                    "certificate", "outsidecertificate", "certstatuschange"}


def may_see_assessment_record(viewer: Viewer, rec: Rec, world: World) -> bool:
    """Assessment (issue 10). Sittings are no secret to the government: staff of the region a
    sitting is held in see it (industry departments too), and so do its evaluator and the
    institution whose class is assessed. Candidates (scores) and examiners are personal: staff
    who read persons, the evaluator, and (candidates only) the institution that trained the
    candidate (its trainees' results, not those of others sitting with them). A
    certificate is personal: staff who read persons of the region that issued or recorded it
    or of the holder's region, its issuer, and for a training certificate the class's
    institution. Nobody reaches any of these by listing from the public site (the public
    verifies one certificate by number or file: test_public_certificate_status below)."""
    if viewer.role is None:
        return False
    kind = rec.kind
    own = world.org(viewer.org_key).pk if viewer.org_key else None
    personal = kind not in ("sitting", "sittingstatuschange", "evaluatorcode")
    if personal and not viewer.sees_persons and viewer.prefix:
        return False

    def inside(code: str) -> bool:
        return bool(viewer.prefix) and code.startswith(viewer.prefix)

    if kind in ("sitting", "candidate"):
        return inside(rec.region) or (own is not None
                                      and own in (rec.evaluator_id, rec.class_org_id))
    if kind in ("sittingstatuschange", "examiner"):
        return inside(rec.region) or own == rec.evaluator_id
    if kind == "evaluatorcode":
        return inside(rec.region) or own == rec.org_id
    if kind in ("certificate", "outsidecertificate"):
        return (inside(rec.region) or inside(rec.person.region)
                or (own is not None and own in (rec.org_id, rec.class_org_id)))
    if kind == "certstatuschange":
        return inside(rec.parent.region) or (own is not None and own == rec.org_id)
    return False


# Answers that show one person's whole skill record (电子档案): whoever may read the person
# reads every class, assessment and certificate of theirs, wherever it took place (the gate is
# the person: assessment.selectors.records).
SKILL_RECORD = {"assessment_skill_record_get", "assessment:records_person",
                "assessment:records_person_pdf"}


def history_markers(person: Rec, world: World) -> set[str]:
    """Markers a person's skill record legitimately shows: their classes (with institution and
    site), assessments (sitting, evaluator) and certificates (issuer), issued or outside."""
    shown: set[str] = set()
    for rec in world.of("enrollment"):
        if person in rec.refs:
            shown |= rec.shown_with
    for kind in ("candidate", "certificate", "outsidecertificate"):
        for rec in world.of(kind):
            if rec.person is person:
                shown |= rec.shown_with
    return shown


def region_prefix(code: str) -> str:
    """A region code's subtree prefix: "520000" → "52", "520100" → "5201"."""
    while code.endswith("00") and len(code) > 2:
        code = code[:-2]
    return code


def may_see_plan_record(viewer: Viewer, rec: Rec) -> bool:
    """Plans are government records: the staff of the plan's region, of the regions above it
    (whose plans they set) and of the regions below it (who carry it out) see it; nobody
    outside the government does. Quarterly reports stay with the reporting region's branch."""
    if not viewer.prefix:
        return False
    if rec.kind == "quarterlyreport":
        return rec.region.startswith(viewer.prefix)
    plan = rec if rec.kind == "plan" else rec.parent
    home = region_prefix(plan.region)
    return home.startswith(viewer.prefix) or viewer.prefix.startswith(home)


def may_ask_region(viewer: Viewer, plan: Rec, code: str) -> bool:
    """Whether a plan's page may be asked about a region: the plan is visible, the region
    lies inside the plan's region and inside the viewer's own branch."""
    if not viewer.everything and not may_see_plan_record(viewer, plan):
        return False
    inside_plan = code.startswith(region_prefix(plan.region))
    return inside_plan and (viewer.everything or code.startswith(viewer.prefix))


def allowed_markers(viewer: Viewer, world: World) -> set[str]:
    shown: set[str] = set()
    for recs in world.records.values():
        for rec in recs:
            if may_see(viewer, rec, world):
                shown |= rec.shown_with
    return shown


def leaks(viewer: Viewer, world: World, text: str, echo: str = "",
          also: Iterable[str] = ()) -> list[str]:
    """Markers of records the viewer may not see, and whole ID numbers, found in a text.
    `echo`: the masked form of a number the viewer typed, which the page may repeat; `also`:
    markers this answer may show besides (a person's skill record: their whole history)."""
    forbidden = world.all_markers - allowed_markers(viewer, world) - {echo} - set(also)
    found = sorted(m for m in forbidden if m in text)
    found += [f"whole ID number {p[:6]}…" for p in world.plain_ids if p in text]
    return found


def audit_rec(pk: int, world: World) -> Rec:
    """An audit event the walk itself caused (logins, exports): oracle values from its row."""
    known = {r.pk: r for r in world.of("auditevent")}
    if pk in known:
        return known[pk]
    row = AuditEvent.objects.filter(pk=pk).values("region_code", "organization_id").first()
    if row is None:
        return Rec("auditevent", pk=pk, region="#missing#")
    return Rec("auditevent", pk=pk, region=row["region_code"], org_id=row["organization_id"])


def test_the_oracle_on_a_few_hand_checked_cases(world):
    v = {x.name: x for x in VIEWERS}
    org = world.org
    site = {r.key: r for r in world.of("site")}
    person = {r.key: r for r in world.of("person")}
    assert may_see(v["county"], site["#S02#"], world)  # its institution is in Nanming
    assert may_see(v["inspector"], site["#S02#"], world)  # the site is in Zunyi
    assert not may_see(v["county"], person["#P02#"], world)  # lives in Yunyan
    assert may_see(v["trainer"], person["#P02#"], world)  # registered by the trainer
    assert may_see(v["trainer"], person["#P03#"], world)  # enrolled in the trainer's class
    assert not may_see(v["trainer"], person["#P04#"], world)
    assert not may_see(v["industry"], person["#P01#"], world)
    assert may_see(v["industry"], org("#O09#"), world) is False  # Hunan
    assert not may_see(v["anonymous"], org("#O03#"), world)  # enterprise
    assert not may_see(v["anonymous"], org("#O04#"), world)  # suspended
    assert not may_see(v["anonymous"], site["#S03#"], world)  # inactive
    assert may_see(v["evaluator"], person["#P08#"], world)
    assert not may_see(v["evaluator"], person["#P01#"], world)
    plan = {r.key: r for r in world.of("plan")}
    report = {r.key: r for r in world.of("quarterlyreport")}
    assert may_see(v["county"], plan["#L1#"], world)  # the province's plan, carried out below
    assert may_see(v["county"], plan["#L2#"], world)  # its city's plan
    assert not may_see(v["inspector"], plan["#L2#"], world)  # Guiyang's plan, seen from Zunyi
    assert may_see(v["province"], plan["#L2#"], world)
    assert not may_see(v["hunan"], plan["#L1#"], world)
    assert not may_see(v["trainer"], plan["#L1#"], world)
    assert not may_see(v["city"], report["#Q3#"], world)  # the province's own report
    assert may_see(v["city"], report["#Q4#"], world)  # Nanming's report on Guiyang's plan
    assert may_ask_region(v["city"], plan["#L1#"], YY)
    assert not may_ask_region(v["city"], plan["#L1#"], "520000")  # above the viewer
    assert not may_ask_region(v["province"], plan["#L2#"], HHG)  # outside the plan
    rec = {r.key: r for kind in ASSESSMENT_KINDS for r in world.of(kind) if r.key}
    assert may_see(v["county"], rec["#G01#"], world)
    assert not may_see(v["county"], rec["#G02#"], world)  # held in Yunyan
    assert may_see(v["evaluator"], rec["#G04#"], world)  # its own, held in Zunyi
    assert may_see(v["inspector"], rec["#G04#"], world)
    assert not may_see(v["evaluator"], rec["#G01#"], world)
    assert may_see(v["trainer"], rec["#G01#"], world)  # its class is assessed
    assert may_see(v["trainer"], rec["#N02#"], world)  # and sees its trainees' results
    assert not may_see(v["trainer"], rec["#J01#"], world)  # but not the sitting's history
    assert may_see(v["industry"], rec["#G01#"], world)  # a sitting: no persons in it
    assert not may_see(v["industry"], rec["#N01#"], world)
    assert not may_see(v["industry"], rec["#E01#"], world)
    assert may_see(v["county"], rec["#E02#"], world)  # issued in Yunyan to a Nanming resident
    assert may_see(v["trainer"], rec["#E05#"], world)  # its class's training certificate
    assert may_see(v["enterprise"], rec["#E03#"], world)  # it evaluated its own staff
    assert may_see(v["enterprise"], rec["#R03#"], world)
    assert not may_see(v["evaluator"], rec["#F02#"], world)  # outside, of a candidate of its
    assert may_see(v["evaluator"], person["#P05#"], world)  # … whom it may read
    assert may_see(v["hunan"], rec["#F03#"], world) and not may_see(v["province"],
                                                                    rec["#F03#"], world)
    assert not any(may_see(v["anonymous"], r, world) for r in rec.values())
    # supervision: the region subtree's inspectors and HRSS staff, nobody else
    sup = {r.key: r for kind in SUPERVISION_KINDS for r in world.of(kind) if r.key}
    assert may_see(v["county"], sup["#SA1#"], world)  # a Nanming sanction
    assert not may_see(v["trainer"], sup["#SA1#"], world)  # not the sanctioned institution
    assert may_see(v["inspector"], sup["#SA2#"], world)  # Zunyi's
    assert not may_see(v["industry"], sup["#SA2#"], world)  # reads no persons
    assert may_see(v["city"], sup["#SP2#"], world)  # the city's spot check
    assert not may_see(v["county"], sup["#SP2#"], world)  # … not a county's
    assert may_see(v["hunan"], sup["#IF3#"], world)  # a Hunan inspection's file
    assert not may_see(v["province"], sup["#IN3#"], world)
    assert may_see(v["province"], sup["#XL4#"], world)  # the province's own list
    assert not may_see(v["city"], sup["#XL4#"], world)
    risk = next(r for r in world.of("institutionrisk") if r.pk == org("#O07#").pk)
    assert may_see(v["inspector"], risk, world) and not may_see(v["county"], risk, world)


# --- clients ------------------------------------------------------------------------------------

def client_for(viewer: Viewer, world: World) -> Client:
    """A client carrying the viewer's session, logged in when the world was built."""
    client = Client()
    if viewer.role is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[viewer.name]
    return client


def response_text(response) -> str:
    """What a reader of the answer sees: JSON decoded, CSV and xlsx cells, HTML as is."""
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "json" in content_type:
        try:
            return json.dumps(json.loads(body), ensure_ascii=False)
        except ValueError:
            return body.decode("utf-8", "replace")
    if "spreadsheetml" in content_type:
        # Every string of a workbook sits in its XML parts (shared or inline strings).
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            return "\n".join(html.unescape(book.read(name).decode("utf-8"))
                             for name in book.namelist() if name.endswith(".xml"))
    return body.decode("utf-8-sig", "replace")


def json_items(response) -> list[dict]:
    data = json.loads(response.content)
    if isinstance(data, dict) and "items" in data:
        return data["items"]
    return data if isinstance(data, list) else [data]


# --- (a) the API ---------------------------------------------------------------------------------

# A path segment names the kind of record under it (plural noun → oracle kind).
SEGMENT_KIND = {
    "organizations": "organization", "sites": "site", "persons": "person",
    "status-history": "statuschange", "events": "auditevent", "classes": "trainingclass",
    "completion": "enrollment", "enrollments": "enrollment",
    "catalogs": "catalog", "versions": "catalogversion",
    "plans": "plan", "reports": "quarterlyreport", "teachers": "teacher",
    "sittings": "sitting", "candidates": "candidate", "examiners": "examiner",
    "certificates": "certificate", "outside-certificates": "outsidecertificate",
    "evaluator-codes": "evaluatorcode", "review-queue": "sitting",
    "proposals": "orderproposal", "referrals": "referral",  # demand: matching
    "demand-lists": "demandlist",  # demand: enterprise demand lists
    "demand-list-lines": "demandline",  # (write operations only: PUT, DELETE)
    "claims": "subsidyclaim", "budgets": "budget",  # subsidy
    "parameter-sets": "parameterset", "payment-batches": "paymentbatch",
}
# The same plural noun names different records in different apps (outcomes runs, coverage
# runs): (API area, segment) → kind, "" for "no record kind here"; checked before SEGMENT_KIND.
AREA_SEGMENT_KIND = {
    ("outcomes", "imports"): "insuranceimport", ("outcomes", "links"): "recordlink",
    ("outcomes", "runs"): "outcomerun", ("outcomes", "scorecards"): "scorecard",
    ("demand", "posters"): "poster", ("demand", "wishes"): "wish", ("demand", "list"): "wish",
    ("demand", "forecasts"): "forecast", ("demand", "forecast-lines"): "forecastline",
    ("demand", "lines"): "demandline",  # a demand line, as matching names it
    ("demand", "candidates"): "",  # a line's referral candidates (finished trainees)
    ("demand", "awaiting-review"): "demandlist",
    ("portal", "classes"): "trainingclass", ("portal", "sites"): "site",
    ("supervision", "alerts"): "riskalert", ("supervision", "runs"): "riskrun",
    # risk scores of the classes and institutions alerts are about (by their ids)
    ("supervision", "classes"): "classrisk", ("supervision", "institutions"): "institutionrisk",
    ("supervision", "sanctions"): "sanction", ("supervision", "spot-checks"): "spotcheck",
    ("supervision", "inspections"): "inspection", ("supervision", "files"): "inspectionfile",
    ("supervision", "exclusions"): "exclusionentry",
}
# Lists of aggregates (no record of the world in them by id): walked for leaks and refusals.
AGGREGATE_SEGMENTS = {"indicators", "ranking", "settings", "aggregates", "four-lists",
                      "wage-guidance", "summary",
                      "rules"}  # supervision's risk rule catalog (staff only, no region)
# Lists that hold only some of their kind by design: checked for leaks, without the positive
# control (the administrator seeing every record of the kind).
PARTIAL_LISTS = {
    "assessment_sitting_review_queue": "declared sittings of the caller's region, for HRSS "
                                       "staff (an administrator's queue is empty)",
    "demand_list_review_queue": "submitted lists awaiting the caller's review",
    "portal_class_search": "the public training map: approved and open classes only",
    "portal_site_map": "the public map: sites in use of listed institutions only",
}
# Lists whose page size is capped lower than the walk's 500 (the world fits in one page).
LIST_LIMIT = {"portal_class_search": 100, "portal_site_map": 100}
# Reference data everyone may read: checked for answers and leaks, no record scope.
REFERENCE_SEGMENTS = {"regions", "skill-levels", "occupations",
                      "keys", "status-list",  # the published signing keys and status list
                      "template"}  # the subsidy history import's blank CSV (column titles)
# Values for path parameters that are not record ids.
PARAM_VALUES = {  # (app area: URL namespace or API prefix, argument) → values
    ("registry", "kind"): ["regions", "organizations", "sites", "persons"],
    ("registry", "fmt"): ["csv", "xlsx"],
    ("catalog", "kind"): ["subsidy_standard", "training_institution", "evaluation_institution",
                          "qualification", "urgent_occupation"],
    ("catalog", "fmt"): ["csv", "xlsx"],
    ("plans", "fmt"): ["xlsx", "pdf"],
    ("training", "fmt"): ["csv", "xlsx"],
    ("assessment", "fmt"): ["xlsx", "csv"],
    ("subsidy", "action"): ["submit", "approve", "withdraw", "recover"],
}


def values_for(area: str, arg: str) -> list[str] | None:
    return PARAM_VALUES.get((area, arg))


def api_area(path: str) -> str:
    return _segments(path)[1] if len(_segments(path)) > 1 else ""
# Operations (by operation id) or pages the matrix deliberately does not drive, with reasons.
_LOOKUP = ("answers from published catalogs only, which are public by design; its arguments "
           "are tested in tests/catalog/test_lookups.py")
_PUBLIC_STATUS = ("public by design (what a certificate's QR code opens): walked for every viewer "
                  "and every certificate by test_public_certificate_status")
SKIP: dict[str, str] = {
    "assessment_evaluator_code_set": "keyed by the evaluator organization's id (it records or "
                                     "corrects that organization's codes), not by a code row's "
                                     "id; who may write and out-of-scope → 404 are tested in "
                                     "tests/assessment/test_evaluator_codes.py",
    "assessment:issuance_candidate_photo": "POST-only upload of a candidate's photo (redirects "
                                           "back); who may set it is tested in "
                                           "tests/assessment/test_candidate_photo.py",
    "portal_search": "a full-text search needs a query (q: an empty one is refused, 422); it "
                     "searches public documents only, tested in "
                     "tests/portal/test_search_api_pages.py",
    # The 30-minute circle (issue 15): the world has no coverage runs; their pages are walked
    # per role in tests/portal/test_coverage_scope.py (in scope 200, otherwise 404 like missing).
    "portal:coverage_run": "a coverage run's page: tests/portal/test_coverage_scope.py",
    "portal:placement_detail": "a placement proposal's page: tests/portal/test_coverage_scope.py",
    "portal:placement_export": "a placement proposal's export: tests/portal/test_coverage_scope.py",
    "catalog_subsidy_standard_as_of": _LOOKUP,
    "catalog_institution_listed_as_of": _LOOKUP,
    "catalog_evaluator_listed_as_of": _LOOKUP,
    "catalog_version_diff": "takes two versions; each is walked by catalog_version_get, and a "
                            "diff needs both visible (tests/catalog/test_api.py)",
    "catalog:entry_delete": "a POST-only action on one entry of a draft (GET answers 405 "
                            "before any lookup)",
    "plans:checklist_update": "a POST-only action on one checklist item (GET answers 405 "
                              "before any lookup); tests/plans/test_views.py",
    "registry:person_merge_detail": "its pk is a merge record, which the world has none of; "
                                    "scoped like its survivor (tests/registry/"
                                    "test_corrections.py)",
    "attendance_event_list": "its last segment 'events' names audit events here; the world "
                             "has no attendance events yet: scope (an institution reads only "
                             "its own) is tested in tests/training/test_manual_attendance.py",
    "training:attendance_void": "a POST-only action on one attendance event (GET answers 405 "
                                "before any lookup); tests/training/test_manual_attendance.py",
    # The worker's own skill record after an identity check (no login): without a check in
    # the session they send the visitor back to its start (assessment:records_own, walked as
    # a public page); tests/assessment/test_records_identity.py.
    "assessment:records_own_code": "the code step of a started identity check (redirects to "
                                   "the start without one)",
    "assessment:records_own_pdf": "the verified worker's own record as a PDF (redirects to the "
                                  "start without a verified session)",
    "assessment:records_own_logout": "POST-only: closes the worker's own record (GET 405)",
    "subsidy:own_year": "the verified worker's own subsidies this year (redirects to the "
                        "identity check without a verified session); tests/subsidy/test_dry_run.py",
    "subsidy:own_apply": "the verified worker's own subsidy filing (redirects to the identity "
                         "check without a verified session); tests/subsidy/test_attachments.py, "
                         "tests/subsidy/test_applications_browser.py",
    "subsidy:claim_attachment_remove": "POST-only: removes a claim's attachment (GET 405); "
                                       "tests/subsidy/test_attachments.py",
    "subsidy:claim_attachment_download": "one file of a claim (the world's claims have none); "
                                         "who may read it: tests/subsidy/test_attachments.py",
    "assessment:issuance_training_certificates": "POST-only: issues a class's training "
    "certificates (GET 405); its scope is tested in tests/assessment/test_issuance_pages_api.py",
    "assessment_certificate_public_status": _PUBLIC_STATUS,
    "portal_coverage_run_get": "a coverage run (the world has none): "
                               "tests/portal/test_coverage_scope.py",
    "portal_placement_get": "a placement proposal (the world has none): "
                            "tests/portal/test_coverage_scope.py",
    "portal_placement_export": "a placement proposal's export (the world has none): "
                               "tests/portal/test_coverage_scope.py",
    "assessment:signing_certificate_public": _PUBLIC_STATUS,
    "subsidy_claim_attachment_get": "one file of a claim (the world's claims have none); the "
                                    "claim's attachment list is walked per claim, and who may "
                                    "read a file is tested in tests/subsidy/test_attachments.py",
}


@dataclass(frozen=True)
class Op:
    path: str
    operation_id: str
    public: bool  # anonymous visitors allowed
    query: tuple[str, ...]
    required: tuple[str, ...] = ()  # required query parameters

    def __str__(self) -> str:
        return f"GET {self.path}"


SCHEMA_ERROR: list[str] = []


def _api_ops() -> list[Op]:
    try:
        schema = api.get_openapi_schema()
    except Exception as exc:  # reported by test_the_openapi_document_can_be_generated
        SCHEMA_ERROR.append(f"{type(exc).__name__}: {exc}")
        return _router_ops()
    ops = []
    for path, methods in schema["paths"].items():
        op = methods.get("get")
        if op is None:
            continue
        security = op.get("security")
        public = security is None or {} in security
        query = tuple(p["name"] for p in op.get("parameters", []) if p["in"] == "query")
        required = tuple(p["name"] for p in op.get("parameters", [])
                         if p["in"] == "query" and p.get("required"))
        ops.append(Op(path, op["operationId"], public, query, required))
    return ops


def _router_ops() -> list[Op]:
    """The same operations read from the routers, so the walk still runs (and the schema test
    still fails) when one app's operation breaks the OpenAPI document."""
    from jineng.accounts.api_auth import ApiTokenAuth, SessionAuth

    ops = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for op in path_view.operations:
                if "GET" not in op.methods:
                    continue
                full = re.sub(r"\{\w+:(\w+)\}", r"{\1}", "/api" + prefix.rstrip("/") + path)
                # No callbacks of its own: the API's default (token or session) applies.
                public = any(not isinstance(c, ApiTokenAuth | SessionAuth)
                             for c in op.auth_callbacks or [])
                query_models = [m for m in op.models
                                if getattr(m, "__ninja_param_source__", "") == "query"]
                query = tuple(name for m in query_models
                              for name in getattr(m, "__ninja_flatten_map__", {}))
                required = tuple(
                    name for m in query_models
                    for name, path in getattr(m, "__ninja_flatten_map__", {}).items()
                    if _required_field(m, path))
                ops.append(Op(full, op.operation_id or op.view_func.__name__, public, query,
                              required))
    return ops


def _required_field(model, path: tuple[str, ...]) -> bool:
    for name in path[:-1]:
        model = model.model_fields[name].annotation
    field_info = getattr(model, "model_fields", {}).get(path[-1])
    return bool(field_info and field_info.is_required())


API_OPS = _api_ops()


def test_the_openapi_document_can_be_generated():
    assert not SCHEMA_ERROR, f"the API matrix cannot run: {SCHEMA_ERROR[0]}"


def test_the_served_openapi_document_is_the_one_walked(client):
    served = client.get("/api/openapi.json").json()
    gets = {path for path, methods in served["paths"].items() if "get" in methods}
    assert gets == {op.path for op in API_OPS}


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def _param(segment: str) -> str | None:
    match = re.fullmatch(r"\{(\w+)\}", segment)
    return match.group(1) if match else None


def _record_kind(segment: str, path: str = "") -> str | None:
    found = AREA_SEGMENT_KIND.get((api_area(path), segment)) if path else None
    if found is not None:
        return found or None
    return SEGMENT_KIND.get(segment)


class Walk:
    """Collects failures so one test reports every (viewer, URL, problem) at once."""

    def __init__(self, world: World, name: str = "") -> None:
        self.world = world
        self.name = name  # the page or operation walked (PUBLIC_SCOPE, RANKING_ANSWERS ...)
        self.failures: list[str] = []

    def fail(self, viewer: Viewer, url: str, problem: str) -> None:
        self.failures.append(f"[{viewer.name}] {url}: {problem}")

    def check_text(self, viewer: Viewer, url: str, response, echo: str = "",
                   also: Iterable[str] = ()) -> str:
        text = response_text(response)
        also = set(also) | also_allowed(self.name, viewer, self.world)
        found = leaks(viewer, self.world, text, echo, also)
        if found:
            self.fail(viewer, url, f"shows out-of-scope records {found}")
        return text

    def report(self) -> None:
        assert not self.failures, "scope violations:\n  " + "\n  ".join(self.failures[:60])


def _api_anonymous_refused(walk: Walk, op: Op, viewer: Viewer, url: str, response) -> bool:
    """True when the answer was the expected refusal of an anonymous visitor."""
    if viewer.role is None and not op.public:
        if response.status_code != 401:
            walk.fail(viewer, url, f"anonymous got {response.status_code}, expected 401")
        walk.check_text(viewer, url, response)
        return True
    return False


def _check_api_list(walk: Walk, op: Op, viewer: Viewer, client: Client, url: str,
                    kind: str | None, among: Iterable[Rec] | None = None,
                    params: dict | None = None) -> None:
    response = client.get(url, {"limit": LIST_LIMIT.get(op.operation_id, 500),
                                **(params or {})})
    if _api_anonymous_refused(walk, op, viewer, url, response):
        return
    if response.status_code == 404 and among is not None:
        return  # a nested list of a parent the caller checked as invisible
    if response.status_code != 200:
        walk.fail(viewer, url, f"list answered {response.status_code}")
        return
    walk.check_text(viewer, url, response)
    if kind is None:
        return
    world = walk.world
    items = json_items(response)
    ids = {item.get("id") for item in items if isinstance(item, dict)}
    if None in ids:  # no ids to compare: the markers (checked above) must do
        if viewer.everything and not params and op.operation_id not in PARTIAL_LISTS:
            text = response_text(response)
            absent = [r.key for r in (among if among is not None else world.of(kind))
                      if r.key not in text]
            if absent:
                walk.fail(viewer, url, f"positive control: list lacks {absent}")
        return
    if kind == "auditevent":
        recs = {pk: audit_rec(pk, world) for pk in ids}
    else:
        recs = {r.pk: r for r in (among if among is not None else world.of(kind))}
        if kind == "certificate" and among is None:  # a list may hold outside ones too
            recs.update({r.pk: r for r in world.of("outsidecertificate")})
    seer = oracle_viewer(op.operation_id, viewer)
    leaked = sorted(pk for pk in ids if pk not in recs or not may_see(seer, recs[pk], world))
    if leaked:
        walk.fail(viewer, url, f"returned out-of-scope {kind} ids {leaked}")
    if viewer.everything and not params and op.operation_id not in PARTIAL_LISTS:
        expected = {r.pk for r in (among if among is not None else world.of(kind))}
        if not expected <= ids:
            walk.fail(viewer, url, f"positive control: missing {kind} ids {expected - ids}")


def _check_api_detail(walk: Walk, op: Op, viewer: Viewer, client: Client, path: str,
                      name: str, kind: str) -> None:
    world = walk.world
    missing_url = path.replace("{" + name + "}", str(MISSING_PK))
    missing = client.get(missing_url)
    if _api_anonymous_refused(walk, op, viewer, missing_url, missing):
        return
    if missing.status_code != 404:
        walk.fail(viewer, missing_url, f"a missing record answered {missing.status_code}")
    for rec in world.of(kind):
        url = path.replace("{" + name + "}", rec.ref)
        response = client.get(url)
        if may_see(oracle_viewer(op.operation_id, viewer), rec, world):
            if response.status_code != 200:
                walk.fail(viewer, url, f"in-scope {kind} {rec.key} answered "
                                       f"{response.status_code}")
            elif "json" in response.get("Content-Type", "") and isinstance(
                    body := json.loads(response.content), dict) and body.get("id") not in (
                    None, rec.pk):
                walk.fail(viewer, url, f"answered another record {body.get('id')}")
        elif (response.status_code, response.content) != (missing.status_code,
                                                           missing.content):
            walk.fail(viewer, url, f"out-of-scope {kind} {rec.key} answered "
                                   f"{response.status_code} {response.content[:80]!r}, not "
                                   "what a missing record answers")
        walk.check_text(viewer, url, response)


def _reference_sample(segment: str) -> str | None:
    from jineng.registry.models import Occupation, SkillLevel

    if segment == "regions":
        return NM
    if segment == "skill-levels":
        return SkillLevel.objects.values_list("code", flat=True).first()
    if segment == "occupations":
        pk = Occupation.objects.values_list("pk", flat=True).first()
        return None if pk is None else str(pk)
    return None


# API prefixes whose records the world models: every operation under them must be driven.
# Operations elsewhere are walked for leaks, refusals and errors where they take no arguments,
# and skipped (with the reason shown) where they take arguments the world has no records for.
MODELED_API = ("/api/registry/", "/api/audit/", "/api/training/", "/api/catalogs/",
               "/api/plans/", "/api/assessment/", "/api/outcomes/", "/api/demand/",
               "/api/subsidy/", "/api/supervision/")


@dataclass(frozen=True)
class Plan:
    """How the walk drives one operation."""

    mode: str  # list, detail, reference, nested, sub, child_detail, values, skip, unknown
    kind: str | None = None
    param: str = ""
    child: str | None = None
    note: str = ""
    parent_param: str = ""  # child_detail: the argument naming the parent record


def classify(op: Op) -> Plan:
    if op.operation_id in SKIP:
        return Plan("skip", note=SKIP[op.operation_id])
    segments = _segments(op.path)
    names = re.findall(r"\{(\w+)\}", op.path)
    whole = [(i, _param(s)) for i, s in enumerate(segments) if _param(s)]
    modeled = op.path.startswith(MODELED_API)
    if op.required:
        if modeled:
            return Plan("unknown", note=f"needs query parameters {list(op.required)}: add it to "
                                        "SKIP with a reason, or teach the walk its values")
        return Plan("skip", note=f"{op}: needs query parameters {list(op.required)} the world "
                                 "gives no values for")
    if not names:
        kind = _record_kind(segments[-1], op.path)
        unnamed = segments[-1] not in REFERENCE_SEGMENTS | AGGREGATE_SEGMENTS
        if kind is None and unnamed and modeled:
            return Plan("unknown", note=f"no record kind for '{segments[-1]}': add it to "
                                        "SEGMENT_KIND (with world records and oracle rules) "
                                        "or REFERENCE_SEGMENTS, or to SKIP with a reason")
        return Plan("list", kind)
    if len(names) == 1 and len(whole) == 1:
        index, name = whole[0]
        before = segments[index - 1] if index else ""
        if index == len(segments) - 1:
            if _record_kind(before, op.path):
                return Plan("detail", _record_kind(before, op.path), name)
            if before in REFERENCE_SEGMENTS:
                return Plan("reference", before, name)
        elif _record_kind(before, op.path) and _record_kind(segments[-1], op.path):
            return Plan("nested", _record_kind(before, op.path), name,
                        _record_kind(segments[-1], op.path))
        elif _record_kind(before, op.path):  # something about one record: /catalogs/{id}/in-force
            return Plan("sub", _record_kind(before, op.path), name)
    if len(names) == 2 and len(whole) == 2 and whole[1][0] == len(segments) - 1:
        (i, parent_param), (j, param) = whole
        parent_kind, kind = (_record_kind(segments[i - 1], op.path),
                             _record_kind(segments[j - 1], op.path))
        if parent_kind and kind:  # one record inside another: /plans/{key}/reports/{id}
            return Plan("child_detail", kind, param, parent_kind, parent_param=parent_param)
    if all(values_for(api_area(op.path), n) for n in names):
        return Plan("values")
    if not modeled:
        return Plan("skip", note=f"{op}: arguments {names} of records the world does not model "
                                 "yet (extend the world, SEGMENT_KIND and the oracle)")
    return Plan("unknown", note=f"cannot drive arguments {names}: add values to PARAM_VALUES, "
                                "a record kind to SEGMENT_KIND, or an entry to SKIP with a reason")


@pytest.mark.parametrize("op", API_OPS, ids=str)
def test_api_get_operation_respects_scope(op, world):
    plan = classify(op)
    if plan.mode == "skip":
        pytest.skip(plan.note)
    if plan.mode == "unknown":
        pytest.fail(f"{op}: {plan.note}")
    walk = Walk(world, op.operation_id)
    for viewer in VIEWERS:
        client = client_for(viewer, world)
        if plan.mode == "list":
            _check_api_list(walk, op, viewer, client, op.path, plan.kind)
            if "q" in op.query and plan.kind == "person" and viewer.role is not None:
                # A whole ID number in a URL is refused (it would be logged), for everyone;
                # POST /persons/search is walked by test_person_search_respects_scope.
                for rec in world.of("person"):
                    response = client.get(op.path, {"q": rec.plain})
                    if response.status_code != 400:
                        walk.fail(viewer, f"{op.path}?q=<ID of {rec.key}>",
                                  f"a whole ID number in the URL answered "
                                  f"{response.status_code}, not 400")
                    walk.check_text(viewer, op.path, response)
        elif plan.mode == "detail":
            _check_api_detail(walk, op, viewer, client, op.path, plan.param, plan.kind)
        elif plan.mode == "reference":
            sample = _reference_sample(plan.kind)
            url = op.path.replace("{" + plan.param + "}", sample or str(MISSING_PK))
            response = client.get(url)
            if not _api_anonymous_refused(walk, op, viewer, url, response):
                if sample and response.status_code != 200:
                    walk.fail(viewer, url, f"reference data answered {response.status_code}")
                walk.check_text(viewer, url, response)
        elif plan.mode == "nested":
            for parent in world.of(plan.kind):
                url = op.path.replace("{" + plan.param + "}", parent.ref)
                children = [r for r in world.of(plan.child) if r.parent is parent]
                if may_see(viewer, parent, world) or viewer.role is None:
                    _check_api_list(walk, op, viewer, client, url, plan.child, children)
                    if "region" in op.query and plan.kind == "plan" and viewer.role:
                        _check_region_query(walk, viewer, client, url, parent, api=True,
                                            lists_reports=op.path.endswith("/reports"))
                    continue
                response = client.get(url)
                if response.status_code != 404:
                    walk.fail(viewer, url, f"nested list of an out-of-scope {plan.kind} "
                                           f"answered {response.status_code}")
                walk.check_text(viewer, url, response)
        elif plan.mode == "sub":
            missing_url = op.path.replace("{" + plan.param + "}", str(MISSING_PK))
            missing = client.get(missing_url)
            if _api_anonymous_refused(walk, op, viewer, missing_url, missing):
                continue
            for rec in world.of(plan.kind):
                url = op.path.replace("{" + plan.param + "}", rec.ref)
                response = client.get(url)
                visible = may_see(viewer, rec, world)
                if response.status_code >= 500:
                    walk.fail(viewer, url, f"answered {response.status_code}")
                elif visible and (plan.kind == "plan" or op.operation_id in SKILL_RECORD) and (
                        response.status_code != 200):
                    walk.fail(viewer, url, f"in-scope {plan.kind} {rec.key} answered "
                                           f"{response.status_code}")
                elif not visible and (
                        response.status_code, response.content) != (missing.status_code,
                                                                    missing.content):
                    walk.fail(viewer, url, f"out-of-scope {plan.kind} {rec.key} answered "
                                           f"{response.status_code}, not what a missing "
                                           "record answers")
                walk.check_text(viewer, url, response, also=history_markers(
                    rec, world) if visible and op.operation_id in SKILL_RECORD else ())
                if "region" in op.query and plan.kind == "plan":
                    _check_region_query(walk, viewer, client, url, rec, api=True)
        elif plan.mode == "child_detail":
            _check_api_child_detail(walk, op, viewer, client, plan)
        elif plan.mode == "values":  # exports, templates: answers must not leak
            for url, values in _expand(op.path, re.findall(r"\{(\w+)\}", op.path),
                                       api_area(op.path)):
                response = client.get(url)
                if _api_anonymous_refused(walk, op, viewer, url, response):
                    continue
                if response.status_code >= 500:
                    walk.fail(viewer, url, f"answered {response.status_code}")
                text = walk.check_text(viewer, url, response)
                kind = SEGMENT_KIND.get(values.get("kind", ""))
                if viewer.everything and response.status_code == 200 and kind and (
                        "export" in op.operation_id):
                    absent = [r.key for r in world.of(kind) if r.key not in text]
                    if absent:
                        walk.fail(viewer, url, f"positive control: export lacks {absent}")
    walk.report()


def _check_api_child_detail(walk: Walk, op: Op, viewer: Viewer, client: Client,
                            plan: Plan) -> None:
    """One record inside its parent (a plan's report): 200 with the record when the viewer
    may see it, otherwise exactly what a missing record under the same parent answers."""
    world = walk.world
    for rec in world.of(plan.kind):
        base = op.path.replace("{" + plan.parent_param + "}", rec.parent.ref)
        missing_url = base.replace("{" + plan.param + "}", str(MISSING_PK))
        missing = client.get(missing_url)
        if _api_anonymous_refused(walk, op, viewer, missing_url, missing):
            return
        if missing.status_code != 404:
            walk.fail(viewer, missing_url, f"a missing record answered {missing.status_code}")
        url = base.replace("{" + plan.param + "}", rec.ref)
        response = client.get(url)
        if may_see(viewer, rec, world):
            # A JSON record carries its id; a file (an inspection's photo) its marker.
            json_answer = "json" in response.get("Content-Type", "")
            body = json.loads(response.content) if (
                response.status_code == 200 and json_answer) else {}
            if response.status_code != 200 or (
                    body.get("id") != rec.pk if json_answer
                    else rec.key not in response_text(response)):
                walk.fail(viewer, url, f"in-scope {plan.kind} {rec.key} answered "
                                       f"{response.status_code}")
        elif (response.status_code, response.content) != (missing.status_code,
                                                           missing.content):
            walk.fail(viewer, url, f"out-of-scope {plan.kind} {rec.key} answered "
                                   f"{response.status_code}, not what a missing one answers")
        walk.check_text(viewer, url, response)


def _check_region_query(walk: Walk, viewer: Viewer, client: Client, url: str, plan: Rec,
                        *, api: bool = False, lists_reports: bool = False) -> None:
    """`?region=` of a plan's page or operation: answered for regions inside the plan and the
    viewer's branch, otherwise like a region that does not exist (for the API: the same status
    and body); never a leak. `lists_reports`: only reports of that region may be listed."""
    missing = client.get(url, {"region": MISSING_REGION})
    if missing.status_code != 404:
        walk.fail(viewer, f"{url}?region={MISSING_REGION}",
                  f"a missing region answered {missing.status_code}")
    refused = (missing.status_code, missing.content if api else b"")
    for code in REGION_QUERY:
        response = client.get(url, {"region": code})
        where = f"{url}?region={code}"
        if may_ask_region(viewer, plan, code):
            if response.status_code != 200:
                walk.fail(viewer, where, f"a region in scope answered {response.status_code}")
            elif lists_reports:
                shown = {i["id"] for i in json_items(response)}
                reports = {r.pk: r for r in walk.world.of("quarterlyreport")}
                wrong = sorted(reports[i].key if i in reports else str(i) for i in shown
                               if i not in reports or not may_see(viewer, reports[i],
                                                                  walk.world)
                               or not reports[i].region.startswith(region_prefix(code)))
                if wrong:
                    walk.fail(viewer, where, f"lists reports outside the region: {wrong}")
        elif (response.status_code, response.content if api else b"") != refused:
            walk.fail(viewer, where, f"a region out of scope answered {response.status_code}, "
                                     f"a missing one {missing.status_code}")
        walk.check_text(viewer, where, response)


def test_person_search_respects_scope(world):
    """POST /api/registry/persons/search (a whole ID number in the body): the person for a
    viewer who may see them, otherwise exactly the answer for a number nobody has."""
    walk = Walk(world)
    url = "/api/registry/persons/search"
    unknown = make_resident_id(NM, dt.date(1970, 1, 1), 999)
    for viewer in VIEWERS:
        client = client_for(viewer, world)
        missing = client.post(url, {"id_number": unknown}, content_type="application/json")
        if viewer.role is None:
            if missing.status_code != 401:
                walk.fail(viewer, url, f"anonymous got {missing.status_code}, expected 401")
            continue
        for rec in world.of("person"):
            response = client.post(url, {"id_number": rec.plain},
                                   content_type="application/json")
            where = f"{url} <ID of {rec.key}>"
            found = [i["id"] for i in json.loads(response.content)] \
                if response.status_code == 200 else None
            if may_see(viewer, rec, world):
                if found != [rec.pk]:
                    walk.fail(viewer, where, f"in-scope person answered "
                                             f"{response.status_code} {found}")
            elif (response.status_code, response.content) != (missing.status_code,
                                                               missing.content):
                walk.fail(viewer, where, f"out-of-scope person answered "
                                         f"{response.status_code} {found}, not what an "
                                         "unknown number answers")
            walk.check_text(viewer, where, response, echo=rec.masked)
    walk.report()


# The public status checks are rate-limited per client address (assessment.throttle, tested in
# tests/assessment/test_verify_throttle.py); this walk sends more than a person would.
@override_settings(JINENG_PUBLIC_VERIFY_PER_HOUR=1_000_000)
def test_public_certificate_status(world):
    """A certificate's status by number (the API and the page its QR code opens) is public by
    design, for everyone alike: a certificate issued here answers its status, kind, work type
    and issuer with the holder's name masked (never whole, never an ID number); one recorded
    from outside, or a number nobody issued, is "unknown" and shows nothing of it."""
    walk = Walk(world)
    unknown = certificate_number(999, "52")
    for viewer in VIEWERS:
        client = client_for(viewer, world)
        for rec in [*world.of("certificate"), *world.of("outsidecertificate"), None]:
            number = rec.cert_number if rec else unknown
            issued = rec is not None and rec.kind == "certificate"
            public = {rec.key, *rec.org.markers} if issued else set()
            for url in (f"/api/assessment/certificate-status/{number}",
                        reverse("assessment:signing_certificate_public", args=[number])):
                response = client.get(url)
                text = response_text(response)
                if response.status_code != 200:
                    walk.fail(viewer, url, f"answered {response.status_code}")
                    continue
                expected = rec.status if issued else "unknown"
                if url.startswith("/api/"):
                    result = json.loads(response.content)["result"]
                else:
                    result = re.search(r'data-result="(\w+)"', text).group(1)
                if result != expected:
                    walk.fail(viewer, url, f"result {result!r}, expected {expected!r}")
                if rec is not None and rec.person.key in text:
                    walk.fail(viewer, url, "shows the holder's whole name")
                forbidden = world.all_markers - public - allowed_markers(viewer, world)
                found = sorted(m for m in forbidden if m in text)
                found += [f"whole ID number {p[:6]}…" for p in world.plain_ids if p in text]
                if rec is not None and not issued:
                    found += [m for m in rec.shown_with if m in text]
                if found:
                    walk.fail(viewer, url, f"shows {found}")
    walk.report()


def _expand(path: str, names: list[str], area: str) -> Iterable[tuple[str, dict]]:
    combos: list[dict] = [{}]
    for name in names:
        combos = [{**c, name: v} for c in combos for v in values_for(area, name)]
    for combo in combos:
        url = path
        for name, value in combo.items():
            url = url.replace("{" + name + "}", value)
        yield url, combo


# --- (b) the pages ----------------------------------------------------------------------------

# Namespaces that are not app pages (the admin has its own permission system; accounts pages
# concern the user themself and are tested in tests/accounts).
NOT_PAGES = {"admin", "api", "accounts", None}
# Namespaces whose records the world models: every page must be driven. Pages elsewhere are
# walked for leaks and the login requirement where they take no arguments, and skipped (with the
# reason shown) where they take arguments the world has no records for.
MODELED_PAGES = {"registry", "core", "portal", "training", "catalog", "plans", "assessment",
                 "outcomes", "demand", "subsidy"}
# Single pages of areas whose other records the world does not model yet: driven like those
# of MODELED_PAGES. (Every supervision page is now: alerts, runs, rules, risk scores,
# sanctions, spot checks, inspections and their files, exclusion lists.)
MODELED_PAGE_NAMES = {"supervision:alert_list", "supervision:alert_detail",
                      "supervision:alert_transition", "supervision:alert_recovery",
                      "supervision:run_list", "supervision:run_detail",
                      "supervision:rule_list", "supervision:risk_overview",
                      "supervision:class_risk", "supervision:institution_risk",
                      "supervision:sanction_list", "supervision:sanction_detail",
                      "supervision:sanction_lift", "supervision:spot_check_list",
                      "supervision:spot_check_detail", "supervision:inspection_list",
                      "supervision:inspection_detail", "supervision:inspection_transition",
                      "supervision:inspection_attach", "supervision:inspection_file",
                      "supervision:exclusions", "supervision:exclusion_template"}
# Pages anonymous visitors may open.
PUBLIC_PAGES = {
    "portal:home",
    "catalog:index", "catalog:lookup", "catalog:detail", "catalog:history", "catalog:diff",
    "catalog:download", "catalog:template",  # published catalogs (两目录) are public
    "plans:schema",  # the JSON schema of policy packs
    # Anyone checks a certificate (file or number) and reads the published signing keys.
    "assessment:signing_verify", "assessment:signing_keys",
    "assessment:signing_certificate_public",
    # A worker's own skill record: an identity check (ID number, name, a code sent to the
    # registered phone) instead of a login; tests/assessment/test_records_identity.py.
    "assessment:records_own",
    # The 30-minute circle's public summary: shares per county of the latest run, nothing per
    # area (rate-limited).
    "portal:coverage_public",
    "portal:search",  # public full-text search: public records only (rate-limited)
    # The public site (issue 15): the training map, the institution directory, the subsidy
    # standards in plain words, a public class's and a listed institution's page.
    "portal:site_map", "portal:site_institutions", "portal:site_standards",
    "portal:site_class", "portal:site_institution",
    "demand:wage_guidance",  # published wage guidance (工资指导价位): no figure of a small cell
    "demand:wish_occupation_search",  # occupation names for the public wish form
    # Outcomes scorecards (issue 11): listed training institutions' aggregates, small cells
    # suppressed for everyone but government staff (tests/portal/test_scorecard_pages.py).
    "portal:scorecards", "portal:scorecard",
    # A poster's wish form (its QR code) and the thanks after it: anyone, no account.
    "demand:wish_form", "demand:wish_thanks",
}
# The first word of a URL name names the record kind of its `pk` argument.
NAME_KIND = {"organization": "organization", "site": "site", "person": "person",
             "key": "person", "audit": "auditevent", "class": "trainingclass",
             "enrollment": "enrollment", "export": "trainingclass",
             "attendance": "trainingclass",
             "sittings": "sitting", "results": "sitting", "signing": "certificate",
             "issuance": "certificate", "outside": "outsidecertificate"}
# Other URL arguments that are record ids (by name, or by (namespace, name)).
ARG_KIND = {"org_pk": "organization", "organization_pk": "organization",
            "site_pk": "site", "person_pk": "person", ("catalog", "pk"): "catalog",
            ("plans", "key"): "plan", ("assessment", "person_id"): "person",
            ("assessment", "sitting_pk"): "sitting",
            ("assessment", "certificate_pk"): "certificate"}
# Pages whose `pk` is not of the kind their URL name's first word says.
PAGE_ARG_KIND = {
    ("assessment:sittings_candidate_remove", "pk"): "candidate",
    ("assessment:sittings_direct_approve", "pk"): "candidate",
    ("assessment:sittings_examiner_remove", "pk"): "examiner",
    # demand, matching (issue 14): a proposal's and a referral's pages
    ("demand:matching_proposal", "pk"): "orderproposal",
    ("demand:matching_proposal_answer", "pk"): "orderproposal",
    ("demand:matching_proposal_declare", "pk"): "orderproposal",
    ("demand:matching_referral", "pk"): "referral",
    ("demand:matching_referral_step", "pk"): "referral",
    # the public site: a public class's page, a listed institution's page
    ("portal:site_class", "pk"): "trainingclass",
    ("portal:site_institution", "pk"): "organization",
    # outcomes (issue 11): an import's report, a record link, a run, a scorecard
    ("outcomes:import_detail", "pk"): "insuranceimport",
    ("outcomes:link_detail", "pk"): "recordlink",
    ("outcomes:run_detail", "pk"): "outcomerun",
    ("outcomes:quality_scorecard", "org_id"): "scorecard",
    ("portal:scorecard", "pk"): "scorecard",
    # demand (issue 14): demand lists and their lines, forecasts, wishes, posters
    ("demand:lists_detail", "pk"): "demandlist", ("demand:lists_edit", "pk"): "demandlist",
    ("demand:lists_line_add", "pk"): "demandlist",
    ("demand:lists_transition", "pk"): "demandlist",
    ("demand:lists_import", "pk"): "demandlist", ("demand:lists_template", "pk"): "demandlist",
    ("demand:lists_line_edit", "pk"): "demandline",
    ("demand:lists_line_remove", "pk"): "demandline",
    ("demand:forecast_detail", "pk"): "forecast",
    ("demand:forecast_transition", "pk"): "forecast",
    ("demand:forecast_line_review", "pk"): "forecastline",
    ("demand:matching_wish", "pk"): "wish", ("demand:matching_wish_match", "pk"): "wish",
    ("demand:matching_line", "pk"): "demandline",
    ("demand:matching_line_propose", "pk"): "demandline",
    ("demand:matching_line_refer", "pk"): "demandline",
    ("demand:wish_poster_toggle", "pk"): "poster",
    ("demand:wish_form", "token"): "postertoken", ("demand:wish_thanks", "token"): "postertoken",
    # subsidy (issue 12): a claim and its actions, a parameter set, a payment batch
    ("subsidy:claim_detail", "pk"): "subsidyclaim", ("subsidy:claim_action", "pk"): "subsidyclaim",
    ("subsidy:claim_attachment_add", "pk"): "subsidyclaim",  # POST-only: the write walk
    ("subsidy:parameter_detail", "pk"): "parameterset",
    ("subsidy:batch_detail", "pk"): "paymentbatch", ("subsidy:batch_export", "pk"): "paymentbatch",
    ("subsidy:batch_results", "pk"): "paymentbatch",
    # supervision (issue 13): an alert, its decision and recovery pages, a scan run
    ("supervision:alert_detail", "pk"): "riskalert",
    ("supervision:alert_transition", "pk"): "riskalert",
    ("supervision:alert_recovery", "pk"): "riskalert",
    ("supervision:run_detail", "pk"): "riskrun",
    # risk scores (by the class's, the institution's id), sanctions, spot checks, inspections
    ("supervision:class_risk", "pk"): "classrisk",
    ("supervision:institution_risk", "pk"): "institutionrisk",
    ("supervision:sanction_detail", "pk"): "sanction",
    ("supervision:sanction_lift", "pk"): "sanction",
    ("supervision:spot_check_detail", "pk"): "spotcheck",
    ("supervision:inspection_detail", "pk"): "inspection",
    ("supervision:inspection_transition", "pk"): "inspection",
    ("supervision:inspection_attach", "pk"): "inspection",
}
# Several URL arguments that together name one record: (the parent's, the record's own).
COMPOSITE_ARGS = {("catalog", ("pk", "number")): "catalogversion",
                  ("plans", ("key", "pk")): "quarterlyreport",
                  ("plans", ("key", "target_key")): "target",
                  ("supervision", ("pk", "file_id")): "inspectionfile"}
# List pages whose URL name does not say the kind of record listed.
LIST_PAGES = {"plans:list": "plan", "outcomes:import_list": "insuranceimport",
              "demand:wish_list": "wish", "demand:wish_posters": "poster",
              "demand:lists_index": "demandlist",
              "subsidy:claim_list": "subsidyclaim",  # (budgets: the page shows no marker)
              "supervision:alert_list": "riskalert",
              # (sanctions and inspections: their list pages show no marker of theirs)
              "supervision:spot_check_list": "spotcheck",
              "supervision:exclusions": "exclusionentry",
              "subsidy:parameter_list": "parameterset", "subsidy:batch_list": "paymentbatch"}
# Pages of one record that must answer 200, showing its marker, to every viewer who may see it.
RECORD_PAGES = {"plans:dashboard", "plans:targets", "plans:reports", "plans:summary",
                "plans:report", "plans:decompose",
                "portal:scorecard", "outcomes:quality_scorecard", "portal:site_class",
                "portal:site_institution", "demand:wish_form", "demand:matching_wish",
                "demand:matching_line", "demand:matching_proposal", "demand:matching_referral",
                # a risk score's page (200 for whoever sees an alert about the subject)
                "supervision:class_risk", "supervision:institution_risk"}
# Plan pages that take `?region=`: walked over REGION_QUERY (see may_ask_region).
REGION_PAGES = {"plans:dashboard", "plans:reports", "plans:summary", "plans:summary_export",
                "plans:report_preview", "plans:decompose"}


@dataclass(frozen=True)
class Page:
    name: str  # namespace:name
    route: str
    args: tuple[str, ...]

    def __str__(self) -> str:
        return self.name


def _walk_resolver(patterns, prefix: str = "", namespace: str | None = None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            yield from _walk_resolver(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern) and p.name:
            yield namespace, p.name, prefix + str(p.pattern), tuple(p.pattern.converters)


def _pages() -> list[Page]:
    pages = []
    for namespace, name, route, args in _walk_resolver(get_resolver().url_patterns):
        if namespace in NOT_PAGES:
            continue
        pages.append(Page(f"{namespace}:{name}", route, args))
    return sorted(pages, key=lambda p: p.name)


PAGES = _pages()


def _login_redirect(response) -> bool:
    return response.status_code == 302 and reverse("accounts:login") in response.url


def _arg_kind(page: Page, arg: str) -> str | None:
    area, name = page.name.split(":")
    if (page.name, arg) in PAGE_ARG_KIND:
        return PAGE_ARG_KIND[(page.name, arg)]
    if (area, arg) in ARG_KIND:
        return ARG_KIND[(area, arg)]
    if arg in ARG_KIND:
        return ARG_KIND[arg]
    if arg in ("pk", "id"):
        return NAME_KIND.get(name.split("_")[0])
    return None


def _record_addressing(page: Page) -> tuple[tuple[str, ...], str | None]:
    """The URL arguments that name one record, and its kind."""
    area = page.name.split(":")[0]
    for (ns, args), kind in COMPOSITE_ARGS.items():
        if ns == area and set(args) <= set(page.args):
            return args, kind
    found = [(a, _arg_kind(page, a)) for a in page.args if _arg_kind(page, a)]
    if len(found) == 1:
        return (found[0][0],), found[0][1]
    return tuple(a for a, _k in found), None


def _address(args: tuple[str, ...], rec: Rec | None) -> dict:
    """URL kwargs naming `rec` (None: a missing record)."""
    if args == ("pk", "number"):  # a catalog version: its catalog and its number
        return {"pk": rec.parent.pk, "number": rec.number} if rec else {"pk": MISSING_PK,
                                                                           "number": 1}
    if args == ("key", "pk"):  # a plan's quarterly report
        return {"key": rec.parent.ref, "pk": rec.pk} if rec else {"key": "no-such-plan",
                                                                     "pk": MISSING_PK}
    if args == ("key", "target_key"):  # a plan's target
        return ({"key": rec.parent.ref, "target_key": rec.ref} if rec
                else {"key": "no-such-plan", "target_key": "total"})
    if args == ("pk", "file_id"):  # an inspection's file: the inspection and the file
        return ({"pk": rec.parent.pk, "file_id": rec.pk} if rec
                else {"pk": MISSING_PK, "file_id": MISSING_PK})
    (arg,) = args
    return {arg: rec.ref if rec else MISSING_ARG.get(arg, MISSING_PK)}


# A missing record's key where a URL takes something else than an id (a poster's code).
MISSING_ARG = {"token": "00000000-0000-4000-8000-000000000000"}


@pytest.mark.parametrize("page", PAGES, ids=str)
def test_page_respects_scope(page, world):
    if page.name in SKIP:
        pytest.skip(SKIP[page.name])
    walk = Walk(world, page.name)
    area = page.name.split(":")[0]
    modeled = area in MODELED_PAGES or page.name in MODELED_PAGE_NAMES
    record_args, kind = _record_addressing(page) if modeled else ((), None)
    other_args = [a for a in page.args if a not in record_args]
    unknown = [a for a in other_args if not values_for(area, a)]
    if (unknown or (record_args and kind is None)) and not modeled:
        pytest.skip(f"{page}: arguments {list(page.args)} of records the world does not model "
                    "yet (extend the world, NAME_KIND and the oracle)")
    if unknown or (record_args and kind is None):
        pytest.fail(f"{page}: the matrix cannot drive arguments {list(page.args)}. Add the "
                    "URL name's first word to NAME_KIND, the argument to ARG_KIND, "
                    "COMPOSITE_ARGS or PARAM_VALUES, or an entry to SKIP with a reason.")
    fixed = [{}]
    for arg in other_args:
        fixed = [{**c, arg: v} for c in fixed for v in values_for(area, arg)]
    list_kind = LIST_PAGES.get(page.name) or NAME_KIND.get(page.name.split(":")[1].split("_")[0])
    public = page.name in PUBLIC_PAGES
    detail = page.name.endswith(("_detail", ":detail")) or page.name in RECORD_PAGES
    for viewer in VIEWERS:
        client = client_for(viewer, world)
        for kwargs in fixed:
            if not record_args:
                url = reverse(page.name, kwargs=kwargs or None)
                _check_page(walk, page, viewer, client, url, list_kind,
                            positive=(page.name.endswith("_list") or page.name in LIST_PAGES)
                            and not kwargs)
                continue
            missing_url = reverse(page.name, kwargs={**kwargs, **_address(record_args, None)})
            missing = client.get(missing_url)
            if viewer.role is None and not public and not _login_redirect(missing):
                walk.fail(viewer, missing_url, f"anonymous got {missing.status_code}, "
                                               "expected the login page")
            for rec in world.of(kind):
                url = reverse(page.name, kwargs={**kwargs, **_address(record_args, rec)})
                response = client.get(url)
                if viewer.role is None and not public:
                    if not _login_redirect(response):
                        walk.fail(viewer, url, f"anonymous got {response.status_code}, "
                                               "expected the login page")
                elif may_see(oracle_viewer(page.name, viewer), rec, world):
                    # Action pages of a visible record may still be refused (e.g. a class's
                    # attendance to a department that reads no persons); detail pages not.
                    if detail and (response.status_code != 200
                                   or rec.key not in response_text(response)):
                        walk.fail(viewer, url, f"detail of in-scope {kind} {rec.key} answered "
                                               f"{response.status_code} without the record")
                elif response.status_code != missing.status_code:
                    walk.fail(viewer, url, f"out-of-scope {kind} {rec.key} answered "
                                           f"{response.status_code}, a missing one "
                                           f"{missing.status_code}")
                walk.check_text(viewer, url, response, also=history_markers(rec, world) if (
                    page.name in SKILL_RECORD and may_see(viewer, rec, world)) else ())
                if page.name in REGION_PAGES and viewer.role is not None:
                    _check_region_query(walk, viewer, client, url,
                                        rec if kind == "plan" else rec.parent)
                if page.name == "plans:dashboard" and viewer.role is not None:
                    _check_institution_query(walk, viewer, client, url, rec)
    walk.report()


def _check_institution_query(walk: Walk, viewer: Viewer, client: Client, url: str,
                             plan: Rec) -> None:
    """The dashboard's institution drill-down (`?region=<county>&org=<id>`): an institution the
    viewer may see, in a region they may ask about, shows; any other answers like a missing
    institution of that county."""
    orgs = walk.world.of("organization")
    # Each institution in its home county and in every county it trained in (FACTS).
    pairs = [(o.region, o) for o in orgs] + [
        (county, walk.world.org(key)) for county, key in FACTS
        if key and county != walk.world.org(key).region]
    missing_in: dict[str, object] = {}  # a missing institution's answer, per county
    for county, org in pairs:
        params = {"region": county, "org": org.pk}
        if county not in missing_in:
            missing_in[county] = client.get(url, {**params, "org": MISSING_PK})
        missing = missing_in[county]
        response = client.get(url, params)
        where = f"{url}?region={county}&org={org.key}"
        if may_ask_region(viewer, plan, county) and may_see(viewer, org, walk.world):
            if response.status_code != 200 or org.key not in response_text(response):
                walk.fail(viewer, where, f"an institution in scope answered "
                                         f"{response.status_code} without it")
        elif response.status_code != missing.status_code:
            walk.fail(viewer, where, f"an institution out of scope answered "
                                     f"{response.status_code}, a missing one "
                                     f"{missing.status_code}")
        walk.check_text(viewer, where, response)


def _check_page(walk: Walk, page: Page, viewer: Viewer, client: Client, url: str,
                kind: str | None, *, positive: bool) -> None:
    response = client.get(url)
    if viewer.role is None:
        if page.name in PUBLIC_PAGES:
            if response.status_code != 200:
                walk.fail(viewer, url, f"public page answered {response.status_code}")
        elif not _login_redirect(response):
            walk.fail(viewer, url, f"anonymous got {response.status_code}; expected the login "
                                   f"page (or add {page.name} to PUBLIC_PAGES)")
    elif response.status_code >= 500:
        walk.fail(viewer, url, f"answered {response.status_code}")
    text = walk.check_text(viewer, url, response)
    if positive and viewer.everything and kind and kind != "auditevent":
        absent = [r.key for r in walk.world.of(kind) if r.key not in text]
        if absent:
            walk.fail(viewer, url, f"positive control: list lacks {absent}")
    if kind == "person" and response.status_code == 200 and viewer.role is not None:
        # Searching by a whole ID number shows only in-scope persons, and never the number.
        for rec in walk.world.of("person"):
            found = client.get(url, {"q": rec.plain})
            walk.check_text(viewer, f"{url}?q=<ID of {rec.key}>", found, echo=rec.masked)


def test_the_matrix_covers_every_role():
    from jineng.accounts.models import Role

    covered = {v.role for v in VIEWERS}
    assert set(Role.values) <= covered and None in covered
